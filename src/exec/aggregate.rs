//! Grouping and aggregates. Rows are mapped to dense group ids; a text key's
//! dictionary codes are used directly (no hashing of strings), and several
//! keys combine by arithmetic while their product stays small.

use super::direct::better;
use super::expr::eval;
use super::stats;
use super::sum::Sum;
use crate::cancel::{self, BATCH};
use crate::error::{Error, ErrorKind, Result};
use crate::plan::AggFn;
use crate::plan::{PAgg, PExpr, PExprKind};
use crate::store::{Builder, Column, Data, Table, NULL_ROW};
use crate::value::Type;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

/// `count distinct` keeps a bit per (group, value) when there are at most
/// this many pairs (16 MB), or 8 per row, else a hash set.
const DISTINCT_BITS: u128 = 1 << 27;

/// Each row's group, numbered in order of first appearance.
pub struct Groups {
    /// Group id of every row.
    pub ids: Vec<u32>,
    /// The first row of each group, in group order.
    pub first_rows: Vec<u32>,
}

/// Dense codes for one key column: equal values (and all nulls) share a code.
pub(super) fn key_codes(col: &Column) -> Result<(Vec<u64>, u64)> {
    let n = col.len();
    fn dense<T: Copy>(
        values: &[T],
        col: &Column,
        bits: impl Fn(T) -> u64,
    ) -> Result<(Vec<u64>, u64)> {
        let mut map: FxHashMap<u64, u64> = FxHashMap::default();
        let null_code = 0;
        let mut codes = Vec::with_capacity(values.len());
        for (i, &v) in values.iter().enumerate() {
            if i % BATCH == 0 {
                cancel::check()?;
            }
            codes.push(if col.is_valid(i) {
                let next = map.len() as u64 + 1;
                *map.entry(bits(v)).or_insert(next)
            } else {
                null_code
            });
        }
        let card = map.len() as u64 + 1;
        Ok((codes, card))
    }
    Ok(match col.data() {
        Data::Text(codes, dict) => {
            let null = dict.len() as u64;
            let out = (0..n)
                .map(|i| {
                    if col.is_valid(i) {
                        u64::from(codes[i])
                    } else {
                        null
                    }
                })
                .collect();
            (out, null + 1)
        }
        Data::Bool(v) => (
            (0..n)
                .map(|i| if col.is_valid(i) { u64::from(v[i]) } else { 2 })
                .collect(),
            3,
        ),
        Data::Int(v) => match by_range(v, col)? {
            Some(coded) => coded,
            None => dense(v, col, |x| x as u64)?,
        },
        Data::Date(v) => dense(v, col, |x| x as u32 as u64)?,
        // -0.0 and 0.0 are one value.
        Data::Decimal(v) => dense(v, col, |x| if x == 0.0 { 0 } else { x.to_bits() })?,
    })
}

/// Codes for integers whose range is small beside their number (ids,
/// codes): each value's code is found in a table indexed by `value - min`,
/// with no hashing; the codes are those [`key_codes`] gives otherwise (in
/// order of first appearance from 1, null 0). `None` for a wide range.
fn by_range(values: &[i64], col: &Column) -> Result<Option<(Vec<u64>, u64)>> {
    let (mut min, mut max) = (i64::MAX, i64::MIN);
    for (i, &v) in values.iter().enumerate() {
        if col.is_valid(i) {
            min = min.min(v);
            max = max.max(v);
        }
    }
    let range = (i128::from(max) - i128::from(min) + 1).max(0) as u128;
    if range == 0 || range > (values.len() as u128 * 2).max(1 << 16) {
        return Ok(None);
    }
    let mut table = vec![0u32; range as usize];
    let mut next = 0u32;
    let mut codes = Vec::with_capacity(values.len());
    for (i, &v) in values.iter().enumerate() {
        if i % BATCH == 0 {
            cancel::check()?;
        }
        codes.push(if col.is_valid(i) {
            let slot = &mut table[(v - min) as usize];
            if *slot == 0 {
                next += 1;
                *slot = next;
            }
            u64::from(*slot)
        } else {
            0
        });
    }
    Ok(Some((codes, u64::from(next) + 1)))
}

/// Codes for one integer key whose range is small beside its number of
/// rows: a value's code is its offset from the least value, plus one (null
/// 0), made in parallel with no table. [`renumber`] then numbers the groups
/// in order of first appearance, as it does any codes, so the groups are
/// those [`key_codes`] would give; this saves a pass through a table of
/// the range's size, which for 10^6 values misses the cache on every row.
fn offsets(col: &Column) -> Option<(Vec<u64>, u64)> {
    use rayon::prelude::*;
    let Data::Int(values) = col.data() else {
        return None;
    };
    let valid = |i: usize| col.is_valid(i);
    const PIECE: usize = 1 << 16;
    let (min, max) = values
        .par_chunks(PIECE)
        .enumerate()
        .map(|(k, piece)| {
            let mut range = (i64::MAX, i64::MIN);
            for (j, &v) in piece.iter().enumerate() {
                if valid(k * PIECE + j) {
                    range = (range.0.min(v), range.1.max(v));
                }
            }
            range
        })
        .reduce(|| (i64::MAX, i64::MIN), |a, b| (a.0.min(b.0), a.1.max(b.1)));
    let range = (i128::from(max) - i128::from(min) + 1).max(0) as u128;
    if range == 0 || range > (values.len() as u128 * 2).max(1 << 16) {
        return None;
    }
    let mut codes = vec![0u64; values.len()];
    codes
        .par_chunks_mut(PIECE)
        .zip(values.par_chunks(PIECE))
        .enumerate()
        .for_each(|(k, (out, piece))| {
            for (j, (o, &v)) in out.iter_mut().zip(piece).enumerate() {
                if valid(k * PIECE + j) {
                    // In range: min <= v <= max, and the range fits.
                    *o = (v - min) as u64 + 1;
                }
            }
        });
    Some((codes, range as u64 + 1))
}

/// Renumbers codes below `card` densely in order of first appearance.
fn renumber(codes: &[u64], card: u64) -> Result<Groups> {
    let mut ids = Vec::with_capacity(codes.len());
    let mut first_rows = Vec::new();
    if card <= (codes.len() as u64 * 4).max(1 << 16) {
        let mut table = vec![u32::MAX; card as usize];
        for (row, &c) in cancel::checked(codes.iter().enumerate()) {
            let slot = &mut table[c as usize];
            if *slot == u32::MAX {
                *slot = first_rows.len() as u32;
                first_rows.push(row as u32);
            }
            ids.push(*slot);
        }
    } else {
        let mut map: FxHashMap<u64, u32> = FxHashMap::default();
        for (row, &c) in codes.iter().enumerate() {
            if row % BATCH == 0 {
                cancel::check()?;
            }
            let id = *map.entry(c).or_insert_with(|| {
                first_rows.push(row as u32);
                first_rows.len() as u32 - 1
            });
            ids.push(id);
        }
    }
    // The walk ends early when cancelled: no short list of ids goes further.
    cancel::check()?;
    Ok(Groups { ids, first_rows })
}

/// Groups `rows` rows by the values of `keys` (no keys: one group, even with no rows).
pub fn group_ids(keys: &[Arc<Column>], rows: usize) -> Result<Groups> {
    if keys.is_empty() {
        return Ok(Groups {
            ids: vec![0; rows],
            first_rows: vec![0],
        });
    }
    // Codes (8 bytes a row), group ids (4) and, at worst, a hash entry per row (16).
    crate::limits::check_memory(
        "grouping",
        rows as u64 * 28,
        "filter the rows first, or group by fewer or coarser keys",
    )?;
    if let [key] = keys {
        if let Some((codes, card)) = offsets(key) {
            return renumber(&codes, card);
        }
    }
    let (mut codes, mut card) = key_codes(&keys[0])?;
    for key in &keys[1..] {
        cancel::check()?;
        let (next, next_card) = key_codes(key)?;
        if card
            .checked_mul(next_card)
            .is_none_or(|p| p > u64::from(u32::MAX))
        {
            // Too many combinations to number directly: renumber what we have first.
            let g = renumber(&codes, card)?;
            card = g.first_rows.len() as u64;
            codes = g.ids.iter().map(|&i| u64::from(i)).collect();
        }
        for (c, n) in codes.iter_mut().zip(next) {
            *c = *c * next_card + n;
        }
        card *= next_card;
    }
    cancel::check()?;
    renumber(&codes, card)
}

/// The union of each group's lineage: `arg` holds stored-row ids (integers)
/// or sets written as text, each decoded once per dictionary entry.
fn lineage(arg: &Column, ids: &[u32], n: usize) -> Result<Column> {
    use crate::plan::lineage::RowSet;
    let mut sets = vec![RowSet::default(); n];
    match arg.data() {
        Data::Int(v) => {
            for (i, (&g, &id)) in ids.iter().zip(v).enumerate() {
                if i % BATCH == 0 {
                    cancel::check()?;
                }
                if arg.is_valid(i) {
                    sets[g as usize].insert_id(id);
                }
            }
        }
        Data::Text(codes, dict) => {
            let decoded: Vec<RowSet> = (0..dict.len() as u32)
                .map(|c| RowSet::decode(dict.get(c)))
                .collect();
            for (i, (&g, &c)) in ids.iter().zip(codes).enumerate() {
                if i % BATCH == 0 {
                    cancel::check()?;
                }
                if arg.is_valid(i) {
                    sets[g as usize].union(&decoded[c as usize]);
                }
            }
        }
        _ => {}
    }
    Ok(Column::from_texts(sets.iter().map(|s| Some(s.encode()))))
}

/// Runs an aggregate step: one output row per group, keys first, then aggregates.
pub fn aggregate(input: &Table, keys: &[(String, PExpr)], aggs: &[PAgg]) -> Result<Table> {
    let rows = input.num_rows();
    let key_cols = keys
        .iter()
        .map(|(_, e)| Ok(eval(e, input)?.into_column(e.ty, rows)))
        .collect::<Result<Vec<_>>>()?;
    let groups = group_ids(&key_cols, rows)?;
    let n = groups.first_rows.len();
    let mut out: Vec<(String, Arc<Column>)> = Vec::new();
    for ((name, _), col) in keys.iter().zip(&key_cols) {
        out.push((
            name.clone(),
            Arc::new(col.take_checked(&groups.first_rows)?),
        ));
    }
    for agg in aggs {
        cancel::check()?;
        let column = |e: &Option<PExpr>| -> Result<Option<Arc<Column>>> {
            e.as_ref()
                .map(|e| Ok(eval(e, input)?.into_column(e.ty, rows)))
                .transpose()
        };
        let col = match stats::handles(agg.func) {
            true => {
                // The statistics read integers as they are: an integer
                // column widened to decimal is not copied first.
                let column = |e: &Option<PExpr>| match e.as_ref().and_then(widened_column) {
                    Some(i) => Ok(Some(Arc::clone(input.column_at(i)))),
                    None => column(e),
                };
                let arg = column(&agg.arg)?;
                let arg2 = match agg.func {
                    AggFn::Corr | AggFn::Covar => column(&agg.arg2)?,
                    _ => None,
                };
                match &arg {
                    Some(arg) => stats::compute(agg, arg, arg2.as_deref(), &groups.ids, n)?,
                    None => compute(agg, None, &groups.ids, n)?,
                }
            }
            false => compute(agg, column(&agg.arg)?.as_deref(), &groups.ids, n)?,
        };
        // The loops over the rows end early when cancelled: no half-done
        // column goes further.
        cancel::check()?;
        out.push((agg.name.clone(), Arc::new(col)));
    }
    Ok(Table::with_rows(out, n))
}

fn compute(agg: &PAgg, arg: Option<&Column>, ids: &[u32], n: usize) -> Result<Column> {
    let Some(arg) = arg else {
        let mut counts = vec![0i64; n];
        cancel::checked(ids.iter()).for_each(|&g| counts[g as usize] += 1);
        return Ok(Column::new(Data::Int(counts), None));
    };
    let valid = |i: usize| arg.is_valid(i);
    Ok(match agg.func {
        AggFn::Lineage => lineage(arg, ids, n)?,
        AggFn::Count if agg.distinct => {
            let (codes, card) = key_codes(arg)?;
            let mut counts = vec![0i64; n];
            let pairs = n as u128 * card as u128;
            if pairs <= DISTINCT_BITS.max(codes.len() as u128 * 8) {
                // A bit per (group, code): no hashing.
                let mut seen = vec![0u64; (pairs as usize).div_ceil(64)];
                for (i, (&g, &c)) in cancel::checked(ids.iter().zip(&codes).enumerate()) {
                    let at = g as usize * card as usize + c as usize;
                    let (word, bit) = (at / 64, 1u64 << (at % 64));
                    if valid(i) && seen[word] & bit == 0 {
                        seen[word] |= bit;
                        counts[g as usize] += 1;
                    }
                }
            } else {
                let mut seen: FxHashSet<(u32, u64)> = FxHashSet::default();
                for (i, (&g, &c)) in cancel::checked(ids.iter().zip(&codes).enumerate()) {
                    if valid(i) && seen.insert((g, c)) {
                        counts[g as usize] += 1;
                    }
                }
            }
            Column::new(Data::Int(counts), None)
        }
        AggFn::Count => {
            let mut counts = vec![0i64; n];
            for (i, &g) in cancel::checked(ids.iter().enumerate()) {
                if valid(i) {
                    counts[g as usize] += 1;
                }
            }
            Column::new(Data::Int(counts), None)
        }
        AggFn::Sum => match arg.data() {
            Data::Int(v) => {
                let mut sums: Vec<Option<i64>> = vec![None; n];
                for (i, &g) in cancel::checked(ids.iter().enumerate()) {
                    if valid(i) {
                        let s = sums[g as usize].unwrap_or(0);
                        let total = s.checked_add(v[i]).ok_or_else(|| {
                            Error::new(ErrorKind::Overflow(format!("`{}`", agg.name)))
                                .with_help("the sum passes 9223372036854775807; sum a decimal instead, e.g. `sum x * 1.0`")
                        })?;
                        sums[g as usize] = Some(total);
                    }
                }
                cancel::check()?;
                Builder::collect_checked(n, sums)?.into_column()
            }
            _ => {
                let (sums, counts) = sum_f64(arg, ids, n)?;
                let values = sums.into_iter().zip(counts);
                Builder::collect_checked(n, values.map(|(s, c)| (c > 0).then(|| s.value())))?
                    .into_column()
            }
        },
        AggFn::Avg => {
            let (sums, counts) = sum_f64(arg, ids, n)?;
            let values = sums.into_iter().zip(counts);
            let avgs = values.map(|(s, c)| (c > 0).then(|| s.value() / c as f64));
            Builder::collect_checked(n, avgs)?.into_column()
        }
        AggFn::Min | AggFn::Max => extreme(arg, ids, n, agg.func == AggFn::Max)?,
        other => unreachable!("`{}` is computed in exec::stats", other.name()),
    })
}

/// Compensated sums (`exec::sum`) and counts of the non-null numbers per group.
/// Over many rows with few groups beside them, each thread sums a stretch
/// of the rows into arrays of its own and the arrays are merged in row order.
fn sum_f64(arg: &Column, ids: &[u32], n: usize) -> Result<(Vec<Sum>, Vec<u64>)> {
    let parts = by_stretch(ids.len(), n, 4, |range, handle| {
        sum_rows(arg, ids, n, range, handle)
    })?;
    let mut parts = parts.into_iter();
    let (mut sums, mut counts) = parts.next().expect("at least one stretch");
    for (later_sums, later_counts) in parts {
        for (s, later) in sums.iter_mut().zip(later_sums) {
            s.merge(later);
        }
        for (c, later) in counts.iter_mut().zip(later_counts) {
            *c += later;
        }
    }
    Ok((sums, counts))
}

/// Runs `part` over all `rows` rows, or, over 2^20 rows or more with at most
/// `rows / rows_per_group` groups, over one stretch of them per thread in
/// parallel; gives the parts in row order. The stretches run on worker
/// threads, so `part` is given the run's cancel handle to check.
fn by_stretch<T: Send>(
    rows: usize,
    groups: usize,
    rows_per_group: usize,
    part: impl Fn(std::ops::Range<usize>, Option<&crate::cancel::InterruptHandle>) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    use rayon::prelude::*;
    let handle = crate::cancel::current();
    let threads = rayon::current_num_threads();
    if threads < 2 || rows < 1 << 20 || groups > rows / rows_per_group {
        return Ok(vec![part(0..rows, handle.as_ref())?]);
    }
    let per = rows.div_ceil(threads);
    (0..threads)
        .into_par_iter()
        .map(|p| part(p * per..((p + 1) * per).min(rows), handle.as_ref()))
        .collect()
}

/// [`sum_f64`] over the rows in `range`.
fn sum_rows(
    arg: &Column,
    ids: &[u32],
    n: usize,
    range: std::ops::Range<usize>,
    handle: Option<&crate::cancel::InterruptHandle>,
) -> Result<(Vec<Sum>, Vec<u64>)> {
    let mut sums = vec![Sum::default(); n];
    let mut counts = vec![0u64; n];
    let mut add = |i: usize, x: f64| {
        let g = ids[i] as usize;
        sums[g].add(x);
        counts[g] += 1;
    };
    for start in range.clone().step_by(BATCH) {
        if let Some(h) = handle {
            h.check()?;
        }
        let stretch = start..(start + BATCH).min(range.end);
        match arg.data() {
            Data::Decimal(v) => stretch
                .filter(|&i| arg.is_valid(i))
                .for_each(|i| add(i, v[i])),
            Data::Int(v) => stretch
                .filter(|&i| arg.is_valid(i))
                .for_each(|i| add(i, v[i] as f64)),
            _ => {}
        }
    }
    Ok((sums, counts))
}

/// `min` or `max`: the row holding the extreme value of each group, then a gather.
fn extreme(arg: &Column, ids: &[u32], n: usize, max: bool) -> Result<Column> {
    let out = arg.take_checked(&extreme_best(arg, ids, n, max)?)?;
    Ok(if arg.ty() == Type::Null {
        Column::nulls(Type::Null, n)
    } else {
        out
    })
}

/// For each group, the row holding its extreme value (the first of equals),
/// or [`NULL_ROW`].
fn extreme_best(arg: &Column, ids: &[u32], n: usize, max: bool) -> Result<Vec<u32>> {
    let parts = by_stretch(ids.len(), n, 2, |range, handle| {
        extreme_rows(arg, ids, n, max, range, handle)
    })?;
    // A later stretch's row wins only if strictly better, as in one pass.
    let mut parts = parts.into_iter();
    let mut best = parts.next().expect("at least one stretch");
    for later in parts {
        for (b, l) in best.iter_mut().zip(later) {
            if l != NULL_ROW && (*b == NULL_ROW || better(arg, max, l as usize, *b as usize)) {
                *b = l;
            }
        }
    }
    Ok(best)
}

/// For each group, the row of `range` holding its extreme value (the first
/// of equals), or [`NULL_ROW`].
fn extreme_rows(
    arg: &Column,
    ids: &[u32],
    n: usize,
    max: bool,
    range: std::ops::Range<usize>,
    handle: Option<&crate::cancel::InterruptHandle>,
) -> Result<Vec<u32>> {
    let mut best: Vec<u32> = vec![NULL_ROW; n];
    for start in range.clone().step_by(BATCH) {
        if let Some(h) = handle {
            h.check()?;
        }
        for i in start..(start + BATCH).min(range.end) {
            if !arg.is_valid(i) {
                continue;
            }
            let slot = &mut best[ids[i] as usize];
            if *slot == NULL_ROW || better(arg, max, i, *slot as usize) {
                *slot = i as u32;
            }
        }
    }
    Ok(best)
}

/// The column `e` reads, when it is an integer column widened to decimal
/// (or the column itself).
fn widened_column(e: &PExpr) -> Option<usize> {
    match &e.kind {
        PExprKind::Column(i) => Some(*i),
        PExprKind::ToDecimal(inner) | PExprKind::Located(_, _, inner) => widened_column(inner),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Bitmap;
    use std::collections::HashMap;

    /// Groups numbered one by one in order of first appearance, nulls one group.
    fn one_by_one(values: &[Option<i64>]) -> (Vec<u32>, Vec<u32>) {
        let mut seen: HashMap<Option<i64>, u32> = HashMap::new();
        let (mut ids, mut first_rows) = (Vec::new(), Vec::new());
        for (row, v) in values.iter().enumerate() {
            let id = *seen.entry(*v).or_insert_with(|| {
                first_rows.push(row as u32);
                first_rows.len() as u32 - 1
            });
            ids.push(id);
        }
        (ids, first_rows)
    }

    #[test]
    fn an_integer_key_in_a_narrow_range_groups_as_one_by_one_numbering_does() {
        // 300,000 rows in several pieces, values from -500 to 149,499, every
        // seventh null, so the offsets' pass runs in parallel and sees nulls.
        let values: Vec<Option<i64>> = (0..300_000i64)
            .map(|i| (i % 7 != 3).then_some((i * 7919) % 150_000 - 500))
            .collect();
        let mut validity = Bitmap::new(values.len(), true);
        for (i, v) in values.iter().enumerate() {
            validity.set(i, v.is_some());
        }
        let col = Column::new(
            Data::Int(values.iter().map(|v| v.unwrap_or(0)).collect()),
            Some(validity),
        );
        assert!(offsets(&col).is_some(), "the range is narrow");
        let groups = group_ids(&[Arc::new(col)], values.len()).unwrap();
        let (ids, first_rows) = one_by_one(&values);
        assert_eq!(groups.first_rows, first_rows);
        assert_eq!(groups.ids, ids);
    }

    /// `rows` validity bits, every `every`-th row (from `at`) null.
    fn nulls_every(rows: usize, every: usize, at: usize) -> Bitmap {
        let mut validity = Bitmap::new(rows, true);
        (at..rows)
            .step_by(every)
            .for_each(|i| validity.set(i, false));
        validity
    }

    /// Runs `f` on a pool of two threads, so that the stretches run in parallel.
    fn on_two_threads<R: Send>(f: impl FnOnce() -> R + Send) -> R {
        rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
            .install(f)
    }

    #[test]
    fn sums_by_stretch_merge_to_the_one_pass_sums() {
        // 1.5M rows, 1,000 groups, every ninth value null: in stretches on two threads.
        let rows = 1_500_000;
        let ids: Vec<u32> = (0..rows as u32).map(|i| (i * 7) % 1000).collect();
        let arg = Column::new(
            Data::Decimal((0..rows).map(|i| (i % 1000) as f64 * 0.25 + 0.1).collect()),
            Some(nulls_every(rows, 9, 4)),
        );
        let (sums, counts) = on_two_threads(|| sum_f64(&arg, &ids, 1000)).unwrap();
        let (one_sums, one_counts) = sum_rows(&arg, &ids, 1000, 0..rows, None).unwrap();
        assert_eq!(counts, one_counts);
        let values = |s: Vec<Sum>| s.into_iter().map(Sum::value).collect::<Vec<_>>();
        assert_eq!(values(sums), values(one_sums));
    }

    #[test]
    fn extremes_by_stretch_are_the_one_pass_rows_ties_to_the_first() {
        // 1.5M rows, 5,000 groups, few distinct values (many ties), nulls.
        let rows = 1_500_000;
        let ids: Vec<u32> = (0..rows as u32).map(|i| (i * 13) % 5000).collect();
        let arg = Column::new(
            Data::Int((0..rows as i64).map(|i| (i * 7) % 5).collect()),
            Some(nulls_every(rows, 11, 2)),
        );
        for max in [false, true] {
            let one_pass = extreme_rows(&arg, &ids, 5000, max, 0..rows, None).unwrap();
            let got = on_two_threads(|| extreme_best(&arg, &ids, 5000, max)).unwrap();
            assert_eq!(got, one_pass, "max {max}");
        }
    }
}
