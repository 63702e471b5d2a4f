//! `sort` and `top`: row orders computed from key columns. Nulls sort last in
//! both directions; ties keep input order; text compares by code point (through
//! a rank per dictionary entry, so rows compare integers).

use super::direct::Domain;
use super::expr::eval;
use super::morsel::{self, MORSEL};
use crate::cancel;
use crate::error::Result;
use crate::plan::{PExpr, PExprKind, PSortKey};
use crate::store::{Bitmap, Column, Data, Table, NULL_ROW};
use rayon::prelude::*;
use std::cmp::Ordering;
use std::sync::Arc;

enum Values<'a> {
    Int(&'a [i64]),
    Decimal(&'a [f64]),
    Date(&'a [i32]),
    Bool(&'a [bool]),
    Ranked(&'a [u32], Vec<u32>),
    Constant,
}

struct Key<'a> {
    values: Values<'a>,
    validity: Option<&'a Bitmap>,
    descending: bool,
}

impl Key<'_> {
    #[inline]
    fn compare(&self, a: usize, b: usize) -> Ordering {
        let (va, vb) = (
            self.validity.is_none_or(|v| v.get(a)),
            self.validity.is_none_or(|v| v.get(b)),
        );
        match (va, vb) {
            (false, false) => return Ordering::Equal,
            (false, true) => return Ordering::Greater,
            (true, false) => return Ordering::Less,
            _ => {}
        }
        let ord = match &self.values {
            Values::Int(v) => v[a].cmp(&v[b]),
            Values::Decimal(v) => v[a].total_cmp(&v[b]),
            Values::Date(v) => v[a].cmp(&v[b]),
            Values::Bool(v) => v[a].cmp(&v[b]),
            Values::Ranked(codes, ranks) => ranks[codes[a] as usize].cmp(&ranks[codes[b] as usize]),
            Values::Constant => Ordering::Equal,
        };
        if self.descending {
            ord.reverse()
        } else {
            ord
        }
    }
}

fn with_keys<R>(
    input: &Table,
    keys: &[PSortKey],
    f: impl FnOnce(&(dyn Fn(&u32, &u32) -> Ordering + Sync)) -> R,
) -> Result<R> {
    Ok(comparing(&key_columns(input, keys)?, keys, f))
}

/// The columns of the sort keys' expressions over `input`.
fn key_columns(input: &Table, keys: &[PSortKey]) -> Result<Vec<Arc<Column>>> {
    let rows = input.num_rows();
    keys.iter()
        .map(|k| Ok(eval(&k.expr, input)?.into_column(k.expr.ty, rows)))
        .collect()
}

/// Calls `f` with the comparison of two rows by `keys`, whose values are `columns`.
fn comparing<R>(
    columns: &[Arc<Column>],
    keys: &[PSortKey],
    f: impl FnOnce(&(dyn Fn(&u32, &u32) -> Ordering + Sync)) -> R,
) -> R {
    let keys: Vec<Key> = columns
        .iter()
        .zip(keys)
        .map(|(c, k)| Key {
            values: match c.data() {
                Data::Int(v) => Values::Int(v),
                Data::Decimal(v) => Values::Decimal(v),
                Data::Date(v) => Values::Date(v),
                Data::Bool(v) => Values::Bool(v),
                Data::Text(codes, dict) if !dict.is_empty() => Values::Ranked(codes, dict.ranks()),
                Data::Text(..) => Values::Constant,
            },
            validity: c.validity(),
            descending: k.descending,
        })
        .collect();
    let cmp = |a: &u32, b: &u32| {
        let (a, b) = (*a as usize, *b as usize);
        keys.iter()
            .map(|k| k.compare(a, b))
            .find(|o| o.is_ne())
            .unwrap_or_else(|| a.cmp(&b))
    };
    f(&cmp)
}

/// The row order that sorts `input` by `keys`: each morsel is sorted (in
/// parallel), then runs are merged in pairs, round by round; a cancel is
/// noticed between morsels and every [`BATCH`](cancel::BATCH) rows of a merge.
/// One or two keys are sorted as numbers made from them
/// ([`normalized`]), compared with no look at the columns.
pub fn sort(input: &Table, keys: &[PSortKey]) -> Result<Vec<u32>> {
    let rows = input.num_rows();
    // The runs and their merge (at most 24 bytes a row each), then the sorted copy.
    crate::limits::check_memory(
        "the sort",
        rows as u64 * (48 + row_bytes(input)),
        "filter the rows first, or keep the first few with `top N by KEY`",
    )?;
    let columns = key_columns(input, keys)?;
    let normal: Option<Vec<Vec<u64>>> = columns
        .iter()
        .zip(keys)
        .map(|(c, k)| normalized(c, k.descending))
        .collect();
    match normal.as_deref() {
        Some([k]) => sort_normalized(rows, |r| ([k[r]], r as u32)),
        Some([k1, k2]) => sort_normalized(rows, |r| ([k1[r], k2[r]], r as u32)),
        // The columns computed once serve the comparison too.
        _ => comparing(&columns, keys, |cmp| {
            let runs = morsel::map(rows, MORSEL, |range| {
                let mut run: Vec<u32> = (range.start as u32..range.end as u32).collect();
                run.sort_unstable_by(cmp);
                run
            })?;
            merge_runs(runs, cmp)
        }),
    }
}

/// A sort key column as numbers that order as the key does (`descending`
/// included), a null as `u64::MAX` (nulls sort last in both directions);
/// `None` for text with no dictionary, or when a value is also `u64::MAX`
/// in a column with nulls (`i64::MAX` ascending, say), which would tie with them.
fn normalized(col: &Column, descending: bool) -> Option<Vec<u64>> {
    const SIGN: u64 = 1 << 63;
    let flip = if descending { u64::MAX } else { 0 };
    let number = |i: usize| -> Option<u64> {
        Some(match col.data() {
            Data::Int(v) => v[i] as u64 ^ SIGN,
            Data::Decimal(v) => decimal_key(v[i]) as u64 ^ SIGN,
            Data::Date(v) => i64::from(v[i]) as u64 ^ SIGN,
            Data::Bool(v) => u64::from(v[i]),
            _ => return None,
        })
    };
    let ranks = match col.data() {
        Data::Text(_, dict) if dict.is_empty() => return None,
        Data::Text(_, dict) => Some(dict.ranks()),
        _ => None,
    };
    let value = |i: usize| match (col.data(), &ranks) {
        (Data::Text(codes, _), Some(ranks)) => u64::from(ranks[codes[i] as usize]),
        _ => number(i).unwrap_or_default(),
    };
    let out: Vec<u64> = match col.validity() {
        None => (0..col.len())
            .into_par_iter()
            .map(|i| value(i) ^ flip)
            .collect(),
        Some(valid) => (0..col.len())
            .into_par_iter()
            .map(|i| {
                if valid.get(i) {
                    value(i) ^ flip
                } else {
                    u64::MAX
                }
            })
            .collect(),
    };
    if let Some(valid) = col.validity() {
        let tie = (0..col.len())
            .into_par_iter()
            .any(|i| valid.get(i) && out[i] == u64::MAX);
        if tie {
            return None;
        }
    }
    Some(out)
}

/// The row order of `rows` rows by the numbers `key` gives each (with the
/// row last, so that ties keep input order): morsels sorted in parallel,
/// then merged as [`merge_runs`] does.
fn sort_normalized<K: Ord + Copy + Send + Sync>(
    rows: usize,
    key: impl Fn(usize) -> (K, u32) + Sync,
) -> Result<Vec<u32>> {
    let runs = morsel::map(rows, MORSEL, |range| {
        let mut run: Vec<(K, u32)> = range.map(&key).collect();
        run.sort_unstable();
        run
    })?;
    let merged = merge_runs(runs, &|a: &(K, u32), b: &(K, u32)| a.cmp(b))?;
    Ok(merged.into_iter().map(|(_, row)| row).collect())
}

/// Merges sorted runs into one, in pairs, round by round (the pairs of a
/// round in parallel); a cancel is noticed between rounds and every
/// [`BATCH`](cancel::BATCH) rows of a merge.
pub(super) fn merge_runs<T: Copy + Send + Sync>(
    mut runs: Vec<Vec<T>>,
    cmp: &(dyn Fn(&T, &T) -> Ordering + Sync),
) -> Result<Vec<T>> {
    let handle = cancel::current();
    let cancelled = || handle.as_ref().is_some_and(|h| h.is_cancelled());
    while runs.len() > 1 {
        cancel::check()?;
        runs = runs
            .par_chunks(2)
            .map(|pair| match pair {
                [a, b] => merge(a, b, cmp, &cancelled),
                [a] => a.clone(),
                _ => Vec::new(),
            })
            .collect();
    }
    cancel::check()?;
    Ok(runs.pop().unwrap_or_default())
}

/// Bytes one row of `input` takes (text: its code).
fn row_bytes(input: &Table) -> u64 {
    (0..input.num_columns())
        .map(|i| match input.column_at(i).data() {
            Data::Int(_) | Data::Decimal(_) => 8,
            Data::Date(_) | Data::Text(..) => 4,
            Data::Bool(_) => 1,
        })
        .sum()
}

/// Merges two sorted runs, stopping early (with a short result, which the
/// caller's check turns into an error) once `cancelled`.
fn merge<T: Copy>(
    a: &[T],
    b: &[T],
    cmp: &(dyn Fn(&T, &T) -> Ordering + Sync),
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Vec<T> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if out.len() % cancel::BATCH == 0 && cancelled() {
            return out;
        }
        if cmp(&b[j], &a[i]) == Ordering::Less {
            out.push(b[j]);
            j += 1;
        } else {
            out.push(a[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// The first `n` rows of the order `keys` give, found without sorting the
/// rest: a small `n` keeps the best rows of each morsel in a short sorted list
/// (most rows are rejected by one comparison with its last), a large one
/// partitions around the `n`th row.
pub fn top(input: &Table, n: usize, keys: &[PSortKey]) -> Result<Vec<u32>> {
    let rows = input.num_rows();
    if let [key] = keys {
        if n > 0 && n <= SMALL_TOP && rows > n {
            if let PExprKind::Column(i) = key.expr.kind {
                if let Some(order) = top_numeric(input.column_at(i), n, key.descending)? {
                    return Ok(order);
                }
            }
        }
    }
    with_keys(input, keys, |cmp| {
        if n == 0 {
            return Ok(Vec::new());
        }
        if n <= SMALL_TOP && rows > n {
            let mut best: Vec<u32> = morsel::map(rows, MORSEL, |range| {
                let mut best: Vec<u32> = Vec::with_capacity(n + 1);
                for r in range.map(|r| r as u32) {
                    if best.len() == n {
                        if cmp(&r, &best[n - 1]).is_ge() {
                            continue;
                        }
                        best.pop();
                    }
                    let at = best.partition_point(|b| cmp(b, &r).is_lt());
                    best.insert(at, r);
                }
                best
            })?
            .concat();
            best.sort_unstable_by(cmp);
            best.truncate(n);
            return Ok(best);
        }
        let mut order: Vec<u32> = (0..rows as u32).collect();
        if n < order.len() {
            order.select_nth_unstable_by(n - 1, cmp);
            order.truncate(n);
        }
        order.sort_unstable_by(cmp);
        Ok(order)
    })?
}

/// `top` on one numeric column: each value becomes an integer that orders
/// as the value does (decimals in `total_cmp` order, reversed for
/// descending), and a row costs one integer comparison with the worst row
/// kept so far. Nulls come last, in row order. `None` for other column types.
fn top_numeric(col: &Column, n: usize, descending: bool) -> Result<Option<Vec<u32>>> {
    let flip = move |k: i64| if descending { !k } else { k };
    let validity = col.validity();
    let best = match col.data() {
        Data::Int(v) => best_keys(v.len(), validity, n, |i| flip(v[i]), None)?,
        Data::Date(v) => best_keys(v.len(), validity, n, |i| flip(i64::from(v[i])), None)?,
        Data::Decimal(v) => {
            // A block whose values all order after the worst kept (compared
            // as decimals, which vectorises) holds no candidate.
            let after = move |block: std::ops::Range<usize>, worst: i64| {
                let w = key_decimal(flip(worst));
                let block = &v[block];
                let after = match descending {
                    true => block.iter().fold(0, |c, &x| c + usize::from(x < w)),
                    false => block.iter().fold(0, |c, &x| c + usize::from(x > w)),
                };
                after == block.len()
            };
            best_keys(
                v.len(),
                validity,
                n,
                |i| flip(decimal_key(v[i])),
                Some(&after),
            )?
        }
        _ => return Ok(None),
    };
    let mut order: Vec<u32> = best.into_iter().map(|(_, r)| r).collect();
    if order.len() < n {
        if let Some(b) = validity {
            let nulls = (0..col.len()).filter(|&i| !b.get(i)).map(|i| i as u32);
            order.extend(nulls.take(n - order.len()));
        }
    }
    Ok(Some(order))
}

/// The decimal whose [`decimal_key`] is `k`.
#[inline(always)]
fn key_decimal(k: i64) -> f64 {
    f64::from_bits((k ^ (((k >> 63) as u64) >> 1) as i64) as u64)
}

/// A decimal as an integer that orders as `f64::total_cmp` does.
#[inline(always)]
fn decimal_key(x: f64) -> i64 {
    let b = x.to_bits() as i64;
    b ^ (((b >> 63) as u64) >> 1) as i64
}

/// At most this many (group, place) slots of `top ... per` lists per morsel.
const PER_GROUP_SLOTS: usize = 1 << 16;

/// `top n by KEY per KEYS` when every `per` key is a column of a small
/// domain (as [`direct`](super::direct) aggregates) and the sort key is a
/// numeric column: each morsel keeps each group's best `n` (key, row)
/// pairs, one integer comparison with the group's worst kept pair
/// rejecting most rows, and its first `n` rows with a null key; the
/// morsels' lists are then merged. No column of group ids or keys is
/// built. The rows come as [`partition::best_of_groups`](super::partition::best_of_groups)
/// gives them: groups in order of first appearance, each group's rows in
/// key order (ties in row order, nulls last). `None` for other shapes.
pub fn top_per_direct(
    input: &Table,
    n: usize,
    key: &PSortKey,
    per: &[PExpr],
) -> Option<Result<Vec<u32>>> {
    if n == 0 || n > SMALL_TOP || per.is_empty() {
        return None;
    }
    let column = |e: &PExpr| match e.kind {
        PExprKind::Column(i) => Some(input.column_at(i)),
        _ => None,
    };
    let col = column(&key.expr)?;
    let domains: Vec<Domain> = per
        .iter()
        .map(|e| Domain::of(column(e)?))
        .collect::<Option<_>>()?;
    let mut groups = 1usize;
    for d in &domains {
        groups = groups.checked_mul(d.card)?;
    }
    if groups.checked_mul(n)? > PER_GROUP_SLOTS {
        return None;
    }
    let descending = key.descending;
    let flip = move |k: i64| if descending { !k } else { k };
    let lists = |key: &(dyn Fn(usize) -> i64 + Sync)| {
        group_lists(input.num_rows(), col.validity(), &domains, groups, n, key)
    };
    Some(match col.data() {
        Data::Int(v) => lists(&|i| flip(v[i])),
        Data::Date(v) => lists(&|i| flip(i64::from(v[i]))),
        Data::Decimal(v) => lists(&|i| flip(decimal_key(v[i]))),
        _ => return None,
    })
}

/// One morsel's (then the merged) `top ... per` lists.
struct GroupLists {
    /// Each group's first row, or `NULL_ROW`.
    first: Vec<u32>,
    /// `n` slots a group: its best (key, row) pairs, ascending.
    best: Vec<(i64, u32)>,
    /// How many of a group's slots are used.
    used: Vec<usize>,
    /// The rows with a null key, in row order, at most `n` a group.
    nulls: Vec<Vec<u32>>,
}

fn group_lists(
    rows: usize,
    validity: Option<&Bitmap>,
    domains: &[Domain],
    groups: usize,
    n: usize,
    key: &(dyn Fn(usize) -> i64 + Sync),
) -> Result<Vec<u32>> {
    let parts = morsel::map(rows, MORSEL, |range| {
        let mut l = GroupLists {
            first: vec![NULL_ROW; groups],
            best: vec![(0, 0); groups * n],
            used: vec![0; groups],
            nulls: vec![Vec::new(); groups],
        };
        let mut worst = vec![i64::MAX; groups];
        for i in range {
            let g = domains.iter().fold(0, |g, d| g * d.card + d.code(i));
            if l.first[g] == NULL_ROW {
                l.first[g] = i as u32;
            }
            if validity.is_some_and(|b| !b.get(i)) {
                if l.nulls[g].len() < n {
                    l.nulls[g].push(i as u32);
                }
                continue;
            }
            let k = key(i);
            let used = l.used[g];
            if used == n && k >= worst[g] {
                continue;
            }
            let list = &mut l.best[g * n..(g + 1) * n];
            let at = list[..used].partition_point(|&(b, _)| b <= k);
            let end = if used == n { n - 1 } else { used };
            list.copy_within(at..end, at + 1);
            list[at] = (k, i as u32);
            if used < n {
                l.used[g] += 1;
            }
            if l.used[g] == n {
                worst[g] = list[n - 1].0;
            }
        }
        l
    })?;
    let mut order: Vec<usize> = (0..groups)
        .filter(|&g| parts.iter().any(|p| p.first[g] != NULL_ROW))
        .collect();
    let first = |g: usize| parts.iter().map(|p| p.first[g]).min().unwrap_or(NULL_ROW);
    order.sort_by_key(|&g| first(g));
    let mut kept = Vec::new();
    for g in order {
        let mut best: Vec<(i64, u32)> = parts
            .iter()
            .flat_map(|p| &p.best[g * n..g * n + p.used[g]])
            .copied()
            .collect();
        best.sort_unstable();
        best.truncate(n);
        let room = n - best.len();
        kept.extend(best.into_iter().map(|(_, r)| r));
        kept.extend(parts.iter().flat_map(|p| &p.nulls[g]).take(room));
    }
    Ok(kept)
}

/// The `n` smallest (key, row) pairs of the valid rows, in order.
/// `skip`, when given, says cheaply whether a block of rows holds no row
/// that beats the worst key kept (`true` only when none can).
fn best_keys(
    len: usize,
    validity: Option<&Bitmap>,
    n: usize,
    key: impl Fn(usize) -> i64 + Sync,
    skip: Option<&(dyn Fn(std::ops::Range<usize>, i64) -> bool + Sync)>,
) -> Result<Vec<(i64, u32)>> {
    let parts = morsel::map(len, MORSEL, |range| {
        // Ascending; a later row never beats an equal key.
        let mut best: Vec<(i64, u32)> = Vec::with_capacity(n + 1);
        let mut worst = i64::MAX;
        let (start, end) = (range.start, range.end);
        for block in (start..end).step_by(64) {
            let block = block..(block + 64).min(end);
            // Most blocks hold no candidate once the list is full: one
            // branch-free pass over the block's keys shows it.
            if best.len() == n
                && match skip {
                    Some(skip) => skip(block.clone(), worst),
                    None => block.clone().map(&key).min().is_none_or(|m| m >= worst),
                }
            {
                continue;
            }
            for i in block {
                let k = key(i);
                if (best.len() == n && k >= worst) || validity.is_some_and(|b| !b.get(i)) {
                    continue;
                }
                if best.len() == n {
                    best.pop();
                }
                let at = best.partition_point(|&(b, _)| b <= k);
                best.insert(at, (k, i as u32));
                if best.len() == n {
                    worst = best[n - 1].0;
                }
            }
        }
        best
    })?;
    let mut best = parts.concat();
    best.sort_unstable();
    best.truncate(n);
    Ok(best)
}

/// Up to this many rows, `top` keeps a sorted list per morsel.
const SMALL_TOP: usize = 1024;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Type;
    use std::sync::Arc;

    /// `top` over decimals (ties, both zeros, infinities, NaN, nulls, over
    /// several morsels) keeps the rows a full sort puts first, in its order.
    #[test]
    fn top_of_decimals_is_the_head_of_the_full_sort() {
        let specials = [
            0.0,
            -0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            5.5,
            -5.5,
        ];
        let mut seed = 3u64;
        let rows = 3 * MORSEL + 77;
        let values: Vec<Option<f64>> = (0..rows)
            .map(|i| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let r = seed >> 33;
                match r % 1000 {
                    0 => None,
                    1..=3 => Some(specials[(r / 1000) as usize % specials.len()]),
                    // Few distinct values late in the input: many ties.
                    _ if i > rows / 2 => Some((r % 40) as f64 - 20.0),
                    _ => Some((r % 100_000) as f64 / 7.0 - 5_000.0),
                }
            })
            .collect();
        let valid: Bitmap = values.iter().map(|v| v.is_some()).collect();
        let data = Data::Decimal(values.iter().map(|v| v.unwrap_or(0.0)).collect());
        let table = Table::with_rows(
            vec![("x".into(), Arc::new(Column::new(data, Some(valid))))],
            rows,
        );
        for descending in [false, true] {
            let key = PSortKey {
                expr: PExpr {
                    kind: PExprKind::Column(0),
                    ty: Type::Decimal,
                },
                descending,
            };
            let full = sort(&table, std::slice::from_ref(&key)).unwrap();
            for n in [1, 10, 100] {
                let got = top(&table, n, std::slice::from_ref(&key)).unwrap();
                assert_eq!(got, full[..n], "descending {descending}, n {n}");
            }
        }
        // Zero after minus zero: equal as decimals, yet it orders first.
        let zeros = Data::Decimal((0..128).map(|i| if i < 64 { -0.0 } else { 0.0 }).collect());
        let table = Table::with_rows(vec![("x".into(), Arc::new(Column::new(zeros, None)))], 128);
        let key = PSortKey {
            expr: PExpr {
                kind: PExprKind::Column(0),
                ty: Type::Decimal,
            },
            descending: true,
        };
        assert_eq!(top(&table, 1, std::slice::from_ref(&key)).unwrap(), [64]);
    }

    /// The sort by numbers made from one or two keys gives the order the
    /// comparison of the columns gives: nulls last both ways, ties in input
    /// order, `i64::MAX` beside nulls, decimals' specials, text by code point.
    #[test]
    fn sorting_by_numbers_made_from_keys_orders_as_comparing_the_columns() {
        let rows = 2 * MORSEL + 301;
        let mut seed = 11u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seed >> 33
        };
        let ints: Vec<Option<i64>> = (0..rows)
            .map(|_| match next() % 50 {
                0 => None,
                1 => Some(i64::MAX),
                2 => Some(i64::MIN + 1),
                r => Some(r as i64 % 7 - 3),
            })
            .collect();
        let decimals: Vec<Option<f64>> = (0..rows)
            .map(|_| match next() % 40 {
                0 => None,
                1 => Some(f64::NAN),
                2 => Some(-0.0),
                3 => Some(f64::NEG_INFINITY),
                r => Some(r as f64 / 4.0 - 5.0),
            })
            .collect();
        let words = ["b", "a", "B", "é", "ab"];
        let texts: Vec<Option<&str>> = (0..rows)
            .map(|_| match next() % 30 {
                0 => None,
                r => Some(words[r as usize % words.len()]),
            })
            .collect();
        let column = |data: Data, valid: Bitmap| Arc::new(Column::new(data, Some(valid)));
        let table = Table::with_rows(
            vec![
                (
                    "i".into(),
                    column(
                        Data::Int(ints.iter().map(|v| v.unwrap_or(0)).collect()),
                        ints.iter().map(Option::is_some).collect(),
                    ),
                ),
                (
                    "d".into(),
                    column(
                        Data::Decimal(decimals.iter().map(|v| v.unwrap_or(0.0)).collect()),
                        decimals.iter().map(Option::is_some).collect(),
                    ),
                ),
                (
                    "t".into(),
                    Arc::new(Column::from_texts(texts.iter().copied())),
                ),
            ],
            rows,
        );
        let key = |i: usize, ty: Type, descending: bool| PSortKey {
            expr: PExpr {
                kind: PExprKind::Column(i),
                ty,
            },
            descending,
        };
        let (i, d, t) = (
            |desc| key(0, Type::Int, desc),
            |desc| key(1, Type::Decimal, desc),
            |desc| key(2, Type::Text, desc),
        );
        let cases = [
            vec![i(false)],
            vec![i(true)],
            vec![d(false)],
            vec![d(true)],
            vec![t(false)],
            vec![d(true), i(false)],
            vec![t(true), d(false)],
            vec![i(true), t(false)],
        ];
        for keys in cases {
            let by_comparing = with_keys(&table, &keys, |cmp| {
                let mut order: Vec<u32> = (0..rows as u32).collect();
                order.sort_by(cmp);
                order
            })
            .unwrap();
            assert_eq!(sort(&table, &keys).unwrap(), by_comparing);
        }
        // The integer column has i64::MAX beside nulls: ascending it is
        // sorted by comparing the columns, descending as numbers.
        let col = table.column_at(0);
        assert!(normalized(col, false).is_none());
        assert!(normalized(col, true).is_some());
        assert!(normalized(table.column_at(1), false).is_some());
    }
}
