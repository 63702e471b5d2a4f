//! The row order of a window step or `top ... per`: rows grouped by their
//! `per` group (groups numbered in order of first appearance), and within a
//! group ordered by the `along` keys (stable, nulls last). Each key value is
//! first turned into a `u64` that orders as the value does (text through a
//! rank per dictionary entry), so rows compare integers, not columns.
//! Rows are bucketed by group in one counting pass (which keeps input order
//! within a group), then each group is sorted on its own: small groups in
//! parallel, a large one in morsels merged round by round. A cancel is
//! noticed between groups, between morsels and during merges.

use super::expr::eval;
use super::morsel::{self, MORSEL};
use crate::cancel;
use crate::error::Result;
use crate::plan::PSortKey;
use crate::store::{Bitmap, Column, Data, Table};
use rayon::prelude::*;
use std::cmp::Ordering;

/// How a row of a grouped order relates to the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// It starts a group (the first row always does).
    Group,
    /// Same group, a later value of the order keys.
    Later,
    /// Same group and the same order-key values: a tie.
    Tie,
}

/// One order key: each row's value as an integer (nulls as `u64::MAX`),
/// and which rows are null.
pub struct Encoded {
    values: Vec<u64>,
    validity: Option<Bitmap>,
    /// Whether a valid value is `u64::MAX`, which only the validity tells
    /// from a null.
    ambiguous: bool,
}

impl Encoded {
    /// The key of row `r`, valid values before nulls.
    #[inline]
    fn compare(&self, a: usize, b: usize) -> Ordering {
        match self.values[a].cmp(&self.values[b]) {
            // Only `u64::MAX` may be a value or a null.
            Ordering::Equal if self.values[a] == u64::MAX => match &self.validity {
                Some(v) => v.get(b).cmp(&v.get(a)),
                None => Ordering::Equal,
            },
            other => other,
        }
    }
}

/// Encodes a sort key's values over `input`.
pub fn encode(input: &Table, key: &PSortKey) -> Result<Encoded> {
    let rows = input.num_rows();
    let col = eval(&key.expr, input)?.into_column(key.expr.ty, rows);
    Ok(encode_column(&col, key.descending))
}

fn encode_column(col: &Column, descending: bool) -> Encoded {
    let flip = |k: u64| if descending { !k } else { k };
    const SIGN: u64 = 1 << 63;
    let mut values: Vec<u64> = match col.data() {
        Data::Int(v) => v.par_iter().map(|&x| flip(x as u64 ^ SIGN)).collect(),
        Data::Date(v) => v
            .par_iter()
            .map(|&x| flip(i64::from(x) as u64 ^ SIGN))
            .collect(),
        Data::Decimal(v) => v
            .par_iter()
            .map(|&x| {
                let b = x.to_bits() as i64;
                flip((b ^ (((b >> 63) as u64) >> 1) as i64) as u64 ^ SIGN)
            })
            .collect(),
        Data::Bool(v) => v.par_iter().map(|&x| flip(u64::from(x))).collect(),
        Data::Text(codes, dict) => {
            let ranks = dict.ranks();
            codes
                .par_iter()
                .map(|&c| flip(ranks.get(c as usize).map_or(0, |&r| u64::from(r))))
                .collect()
        }
    };
    let validity = col.validity().cloned();
    let mut ambiguous = false;
    if let Some(v) = &validity {
        ambiguous = values
            .par_iter()
            .enumerate()
            .any(|(i, &k)| k == u64::MAX && v.get(i));
        values
            .par_iter_mut()
            .enumerate()
            .for_each(|(i, k)| *k = if v.get(i) { *k } else { u64::MAX });
    }
    Encoded {
        values,
        validity,
        ambiguous,
    }
}

/// The rows bucketed by group (group 0 first, each group's rows in input
/// order), and where each group starts in that order (and, last, the number
/// of rows).
pub fn bucket(ids: &[u32], groups: usize) -> Result<(Vec<u32>, Vec<usize>)> {
    let rows = ids.len();
    let mut starts = vec![0usize; groups + 1];
    for &g in ids {
        starts[g as usize + 1] += 1;
    }
    for g in 0..groups {
        starts[g + 1] += starts[g];
    }
    let mut order = vec![0u32; rows];
    if groups <= 1 {
        order
            .iter_mut()
            .enumerate()
            .for_each(|(i, r)| *r = i as u32);
    } else {
        let mut next = starts.clone();
        for (r, &g) in ids.iter().enumerate() {
            if r % cancel::BATCH == 0 {
                cancel::check()?;
            }
            order[next[g as usize]] = r as u32;
            next[g as usize] += 1;
        }
    }
    Ok((order, starts))
}

/// Compares rows by `keys`, then by row.
fn by_keys(keys: &[Encoded]) -> impl Fn(&u32, &u32) -> Ordering + Sync + '_ {
    move |a: &u32, b: &u32| {
        let (a, b) = (*a as usize, *b as usize);
        keys.iter()
            .map(|k| k.compare(a, b))
            .find(|o| o.is_ne())
            .unwrap_or_else(|| a.cmp(&b))
    }
}

/// The groups of a bucketed order, as slices.
fn groups_of<'o>(order: &'o mut [u32], starts: &[usize]) -> Vec<&'o mut [u32]> {
    let mut slices = Vec::with_capacity(starts.len().saturating_sub(1));
    let mut rest = order;
    for w in starts.windows(2) {
        let (head, tail) = rest.split_at_mut(w[1] - w[0]);
        slices.push(head);
        rest = tail;
    }
    slices
}

/// Sorts each group of a bucketed order by `keys` (then by row): a large
/// group in parallel morsels, the small ones in parallel with each other.
pub fn sort_groups(order: &mut [u32], starts: &[usize], keys: &[Encoded]) -> Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let cmp = by_keys(keys);
    let (large, small): (Vec<_>, Vec<_>) = groups_of(order, starts)
        .into_iter()
        .partition(|s| s.len() > LARGE_GROUP);
    for slice in large {
        let sorted = sort_slice(slice, &cmp)?;
        slice.copy_from_slice(&sorted);
    }
    let handle = cancel::current();
    let cancelled = || handle.as_ref().is_some_and(|h| h.is_cancelled());
    // One key that a plain integer comparison orders: sort (key, row) pairs,
    // which sit together in memory, instead of rows compared through the key.
    let pairs = match keys {
        [k] if !k.ambiguous => Some(&k.values),
        _ => None,
    };
    small.into_par_iter().for_each(|s| {
        if cancelled() {
            return;
        }
        match pairs {
            Some(values) => {
                let mut p: Vec<(u64, u32)> = s.iter().map(|&r| (values[r as usize], r)).collect();
                p.sort_unstable();
                s.iter_mut().zip(p).for_each(|(r, (_, row))| *r = row);
            }
            None => s.sort_unstable_by(&cmp),
        }
    });
    cancel::check()
}

/// The `n` best rows of each group of a bucketed order by `key` (then by
/// row), groups in order, each group's rows in key order. A group is
/// partitioned around its `n`th row, not sorted whole.
pub fn best_of_groups(
    order: &mut [u32],
    starts: &[usize],
    key: &Encoded,
    n: usize,
) -> Result<Vec<u32>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let keys = std::slice::from_ref(key);
    let cmp = by_keys(keys);
    let handle = cancel::current();
    let cancelled = || handle.as_ref().is_some_and(|h| h.is_cancelled());
    let best: Vec<Vec<u32>> = groups_of(order, starts)
        .into_par_iter()
        .map(|s| {
            if cancelled() {
                return Vec::new();
            }
            if s.len() > n {
                s.select_nth_unstable_by(n - 1, &cmp);
            }
            let keep = n.min(s.len());
            let s = &mut s[..keep];
            s.sort_unstable_by(&cmp);
            s.to_vec()
        })
        .collect();
    cancel::check()?;
    Ok(best.concat())
}

/// Above this many rows, a group is sorted in parallel morsels on its own;
/// smaller groups are sorted whole, in parallel with each other (a group of
/// this size sorts in well under 100 ms, so a cancel is noticed in time).
const LARGE_GROUP: usize = 1 << 20;

/// Whether rows `a` and `b` have equal values of every key.
pub fn same_keys(keys: &[Encoded], a: usize, b: usize) -> bool {
    keys.iter().all(|k| k.compare(a, b).is_eq())
}

/// Sorts a large group's rows: morsels sorted in parallel, then merged.
fn sort_slice(slice: &[u32], cmp: &(dyn Fn(&u32, &u32) -> Ordering + Sync)) -> Result<Vec<u32>> {
    let runs = morsel::map(slice.len(), MORSEL, |range| {
        let mut run = slice[range].to_vec();
        run.sort_unstable_by(cmp);
        run
    })?;
    super::order::merge_runs(runs, cmp)
}
