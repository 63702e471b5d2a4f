//! Rows by one integer key, for joins: a table indexed by
//! `key - min` when the keys are dense (ids, codes), else a hash map with a
//! fast hash. Either is many times faster than hashing a general key.

use crate::cancel::{self, BATCH};
use crate::error::Result;
use crate::store::{Column, Data, NULL_ROW};
use rustc_hash::FxHashMap;

/// Dense when the key range is at most this many times the number of keys.
const DENSITY: u64 = 2;

/// The rows of one key: the first and last, and how many, chained in row
/// order through the `next` array [`IntIndex::build`] returns.
#[derive(Clone, Copy)]
pub(super) struct Chain {
    pub first: u32,
    pub last: u32,
    pub len: u32,
}

const NO_CHAIN: Chain = Chain {
    first: NULL_ROW,
    last: NULL_ROW,
    len: 0,
};

/// Rows by integer key (a null key is left out).
pub(super) enum IntIndex {
    /// `chains[k - min]`; a chain of length 0 is no key.
    Dense { min: i64, chains: Vec<Chain> },
    /// Any keys.
    Sparse(FxHashMap<i64, Chain>),
}

/// The values of an integer column, if it is one.
pub(super) fn ints(col: &Column) -> Option<&[i64]> {
    match col.data() {
        Data::Int(v) => Some(v),
        _ => None,
    }
}

impl IntIndex {
    /// Indexes the non-null values of `col` (an integer column); returns the
    /// index and, for each row, the next row with the same key.
    pub fn build(col: &Column) -> Result<(IntIndex, Vec<u32>)> {
        let values = ints(col).expect("IntIndex::build is given an integer column");
        let valid = |i: usize| col.is_valid(i);
        let (mut min, mut max, mut n) = (i64::MAX, i64::MIN, 0u64);
        for (i, &v) in values.iter().enumerate() {
            if valid(i) {
                min = min.min(v);
                max = max.max(v);
                n += 1;
            }
        }
        let mut next = vec![NULL_ROW; values.len()];
        let range = (i128::from(max) - i128::from(min) + 1).max(0) as u128;
        let dense = n > 0 && range <= u128::from(n.saturating_mul(DENSITY).max(1024));
        let add = |chain: &mut Chain, r: u32, next: &mut [u32]| {
            if chain.len == 0 {
                *chain = Chain {
                    first: r,
                    last: r,
                    len: 1,
                };
            } else {
                next[chain.last as usize] = r;
                chain.last = r;
                chain.len += 1;
            }
        };
        if dense {
            let mut chains = vec![NO_CHAIN; range as usize];
            for (r, &v) in values.iter().enumerate() {
                if r % BATCH == 0 {
                    cancel::check()?;
                }
                if valid(r) {
                    add(&mut chains[(v - min) as usize], r as u32, &mut next);
                }
            }
            return Ok((IntIndex::Dense { min, chains }, next));
        }
        let mut map: FxHashMap<i64, Chain> = FxHashMap::default();
        map.reserve(values.len().min(1 << 24));
        for (r, &v) in values.iter().enumerate() {
            if r % BATCH == 0 {
                cancel::check()?;
            }
            if valid(r) {
                add(map.entry(v).or_insert(NO_CHAIN), r as u32, &mut next);
            }
        }
        Ok((IntIndex::Sparse(map), next))
    }

    /// The rows of key `k`, if any.
    #[inline]
    pub fn get(&self, k: i64) -> Option<&Chain> {
        match self {
            IntIndex::Dense { min, chains } => {
                let at = k.checked_sub(*min)?;
                chains.get(usize::try_from(at).ok()?).filter(|c| c.len > 0)
            }
            IntIndex::Sparse(map) => map.get(&k),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Bitmap;

    fn column(values: Vec<i64>, valid: Option<Vec<bool>>) -> Column {
        Column::new(
            Data::Int(values),
            valid.map(|v| v.into_iter().collect::<Bitmap>()),
        )
    }

    fn rows(index: &IntIndex, next: &[u32], k: i64) -> Vec<u32> {
        let Some(c) = index.get(k) else {
            return Vec::new();
        };
        let mut out = vec![c.first];
        while *out.last().unwrap() != c.last {
            out.push(next[*out.last().unwrap() as usize]);
        }
        assert_eq!(out.len(), c.len as usize);
        out
    }

    #[test]
    fn dense_and_sparse_keys_give_the_same_rows() {
        for values in [vec![5, 7, 5, 6, 9, 5], vec![5, i64::MAX, 5, i64::MIN, 9, 5]] {
            let col = column(
                values.clone(),
                Some(vec![true, true, true, true, false, true]),
            );
            let (index, next) = IntIndex::build(&col).unwrap();
            assert_eq!(
                matches!(index, IntIndex::Dense { .. }),
                values[1] == 7,
                "{values:?}"
            );
            assert_eq!(rows(&index, &next, 5), [0, 2, 5]);
            assert_eq!(rows(&index, &next, values[1]), [1]);
            assert_eq!(
                rows(&index, &next, 9),
                Vec::<u32>::new(),
                "a null key is left out"
            );
            for k in [4, 8, 10, i64::MIN + 1, i64::MAX - 1] {
                assert_eq!(rows(&index, &next, k), Vec::<u32>::new(), "{k}");
            }
        }
    }

    #[test]
    fn a_column_of_nulls_indexes_nothing() {
        let (index, _) = IntIndex::build(&column(vec![1, 2], Some(vec![false, false]))).unwrap();
        assert!(index.get(1).is_none() && index.get(0).is_none());
    }
}
