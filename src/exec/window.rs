//! Window functions and `top ... per`. Rows are numbered by their `per`
//! group (in order of first appearance), sorted by group and then by the
//! `along` keys (stable, so ties keep input order; the sort runs in morsels
//! on all cores), and each function walks that order once, writing each
//! row's value at the row's own position: the result keeps input order.

use super::aggregate::group_ids;
use super::expr::eval;
use super::morsel::MORSEL;
use super::partition::{self, Step};
use super::sum::Sum;
use crate::cancel;
use crate::error::{Error, ErrorKind, Result};
use crate::plan::{PExpr, PSortKey, PWindow, WindowFn};
use crate::store::{Builder, Column, Data, Table, NULL_ROW};
use crate::value::Type;
use rayon::prelude::*;
use std::sync::Arc;

/// The rows of `input` in window order, each with its [`Step`], and each
/// row's group id.
fn ordered(
    input: &Table,
    per: &[PExpr],
    along: &[PSortKey],
) -> Result<(Vec<u32>, Vec<Step>, Vec<u32>)> {
    let rows = input.num_rows();
    // The group ids and the order (4 bytes a row each), the steps (1) and
    // each order key as an integer (8).
    crate::limits::check_memory(
        "the window",
        rows as u64 * (9 + 8 * along.len() as u64),
        "filter the rows first, or compute within fewer rows",
    )?;
    let (ids, groups) = group_of(input, per)?;
    let keys = along
        .iter()
        .map(|k| partition::encode(input, k))
        .collect::<Result<Vec<_>>>()?;
    let (mut order, starts) = partition::bucket(&ids, groups)?;
    partition::sort_groups(&mut order, &starts, &keys)?;
    // Each position's step compares it with the one before: in parallel.
    let mut starts_here = vec![false; rows];
    starts
        .iter()
        .filter(|&&s| s < rows)
        .for_each(|&s| starts_here[s] = true);
    let steps: Vec<Step> = (0..rows)
        .into_par_iter()
        .with_min_len(MORSEL)
        .map(|i| {
            if starts_here[i] {
                Step::Group
            } else if partition::same_keys(&keys, order[i - 1] as usize, order[i] as usize) {
                Step::Tie
            } else {
                Step::Later
            }
        })
        .collect();
    cancel::check()?;
    Ok((order, steps, ids))
}

/// Each row's group id under `per` (all 0 without keys), and the number of groups.
fn group_of(input: &Table, per: &[PExpr]) -> Result<(Vec<u32>, usize)> {
    let rows = input.num_rows();
    if per.is_empty() {
        return Ok((vec![0; rows], 1));
    }
    let per_cols = per
        .iter()
        .map(|e| Ok(eval(e, input)?.into_column(e.ty, rows)))
        .collect::<Result<Vec<_>>>()?;
    let groups = group_ids(&per_cols, rows)?;
    let n = groups.first_rows.len();
    Ok((groups.ids, n))
}

/// Runs a window step: `input`'s columns, then one per function.
pub fn window(
    input: &Table,
    per: &[PExpr],
    along: &[PSortKey],
    funcs: &[PWindow],
) -> Result<Table> {
    let rows = input.num_rows();
    // A share needs only the groups, not their order: skip the sort.
    let (order, steps, ids) = if funcs.iter().all(|w| w.func == WindowFn::Share) {
        (Vec::new(), Vec::new(), group_of(input, per)?.0)
    } else {
        ordered(input, per, along)?
    };
    cancel::check()?;
    let mut out: Vec<(String, Arc<Column>)> = input
        .fields()
        .iter()
        .zip(input.columns())
        .map(|(f, c)| (f.name.clone(), Arc::clone(c)))
        .collect();
    for (k, w) in funcs.iter().enumerate() {
        cancel::check()?;
        let arg = w
            .arg
            .as_ref()
            .map(|e| Ok::<_, Error>(eval(e, input)?.into_column(e.ty, rows)))
            .transpose()?;
        let col = compute(w, arg.as_deref(), &order, &steps, &ids, rows)?;
        // The walks end early when cancelled: no short column goes further.
        cancel::check()?;
        out.push((format!("\u{0}window{k}"), Arc::new(col)));
    }
    Ok(Table::with_rows(out, rows))
}

/// The `n` rows of each group with the best key: groups in order of first
/// appearance, each group's rows in key order.
pub fn top_per(input: &Table, n: usize, key: &PSortKey, per: &[PExpr]) -> Result<Table> {
    if let Some(kept) = super::order::top_per_direct(input, n, key, per) {
        return Ok(input.take(&kept?));
    }
    let rows = input.num_rows();
    // The group ids and the order (4 bytes a row each), the key as an integer (8).
    crate::limits::check_memory(
        "`top ... per`",
        rows as u64 * 16,
        "filter the rows first, or rank within fewer rows",
    )?;
    let (ids, groups) = group_of(input, per)?;
    let key = partition::encode(input, key)?;
    let (mut order, starts) = partition::bucket(&ids, groups)?;
    let kept = partition::best_of_groups(&mut order, &starts, &key, n)?;
    cancel::check()?;
    Ok(input.take(&kept))
}

fn ints(values: Vec<Option<i64>>) -> Result<Column> {
    Ok(Builder::collect_checked(values.len(), values)?.into_column())
}

fn decimals(values: Vec<Option<f64>>) -> Result<Column> {
    Ok(Builder::collect_checked(values.len(), values)?.into_column())
}

fn overflow(func: &str) -> Error {
    Error::new(ErrorKind::Overflow(format!("`{func}`"))).with_help(
        "the result passes 9223372036854775807; compute in decimals, e.g. `running_sum(x * 1.0)`",
    )
}

/// A number column's value at `i`, as an integer (for integer columns) or decimal.
#[derive(Clone, Copy)]
enum Num<'a> {
    Int(&'a [i64]),
    Dec(&'a [f64]),
}

fn num(col: &Column) -> Option<Num<'_>> {
    if col.ty() == Type::Null {
        return None;
    }
    match col.data() {
        Data::Int(v) => Some(Num::Int(v)),
        Data::Decimal(v) => Some(Num::Dec(v)),
        _ => None,
    }
}

fn compute(
    w: &PWindow,
    arg: Option<&Column>,
    order: &[u32],
    steps: &[Step],
    ids: &[u32],
    rows: usize,
) -> Result<Column> {
    match w.func {
        WindowFn::RowNumber | WindowFn::Rank | WindowFn::DenseRank => {
            // The value at each sorted position, written at the row's position.
            let mut ranks = vec![None; rows];
            let (mut pos, mut rank, mut dense) = (0i64, 0i64, 0i64);
            for (&r, &s) in cancel::checked(order.iter().zip(steps)) {
                match s {
                    Step::Group => (pos, rank, dense) = (1, 1, 1),
                    Step::Later => {
                        pos += 1;
                        rank = pos;
                        dense += 1;
                    }
                    Step::Tie => pos += 1,
                }
                ranks[r as usize] = Some(match w.func {
                    WindowFn::RowNumber => pos,
                    WindowFn::Rank => rank,
                    _ => dense,
                });
            }
            return ints(ranks);
        }
        _ => {}
    }
    let arg = arg.expect("the checker gives these functions an argument");
    // The row `k` positions before (lag) or after (lead) each row, in its
    // group: one walk of the order, forward keeping the group's start or
    // backward keeping the next group's.
    let shifted = |back: bool, k: usize| -> Vec<u32> {
        let mut idx = vec![NULL_ROW; rows];
        if back {
            let mut start = 0;
            for (i, (&r, &s)) in cancel::checked(order.iter().zip(steps).enumerate()) {
                if s == Step::Group {
                    start = i;
                }
                if let Some(j) = i.checked_sub(k).filter(|&j| j >= start) {
                    idx[r as usize] = order[j];
                }
            }
        } else {
            let mut end = order.len();
            for (i, (&r, &s)) in cancel::checked(order.iter().zip(steps).enumerate().rev()) {
                if let Some(j) = i.checked_add(k).filter(|&j| j < end) {
                    idx[r as usize] = order[j];
                }
                if s == Step::Group {
                    end = i;
                }
            }
        }
        idx
    };
    match w.func {
        WindowFn::Lag | WindowFn::Lead => {
            let idx = shifted(w.func == WindowFn::Lag, w.offset);
            if arg.ty() == Type::Null {
                return Ok(Column::nulls(Type::Null, rows));
            }
            arg.take_checked(&idx)
        }
        WindowFn::Change | WindowFn::PercentChange => {
            let prev = shifted(true, 1);
            let Some(v) = num(arg) else {
                return Ok(Column::nulls(w.ty, rows));
            };
            let pair = |r: usize| {
                let p = prev[r];
                (p != NULL_ROW && arg.is_valid(r) && arg.is_valid(p as usize)).then_some(p as usize)
            };
            if w.func == WindowFn::PercentChange {
                let get = |i: usize| match v {
                    Num::Int(x) => x[i] as f64,
                    Num::Dec(x) => x[i],
                };
                let out = cancel::checked(0..rows)
                    .map(|r| {
                        pair(r).and_then(|p| {
                            let before = get(p);
                            (before != 0.0).then(|| 100.0 * (get(r) - before) / before)
                        })
                    })
                    .collect();
                return decimals(out);
            }
            match v {
                Num::Int(x) => {
                    let mut out = Vec::with_capacity(rows);
                    for r in cancel::checked(0..rows) {
                        out.push(match pair(r) {
                            Some(p) => {
                                Some(x[r].checked_sub(x[p]).ok_or_else(|| overflow("change"))?)
                            }
                            None => None,
                        });
                    }
                    ints(out)
                }
                Num::Dec(x) => decimals(
                    cancel::checked(0..rows)
                        .map(|r| pair(r).map(|p| x[r] - x[p]))
                        .collect(),
                ),
            }
        }
        WindowFn::RunningSum => {
            let Some(v) = num(arg) else {
                return Ok(Column::nulls(w.ty, rows));
            };
            match v {
                Num::Int(x) => {
                    let mut out = vec![None; rows];
                    let mut sum: Option<i64> = None;
                    for (&r, &s) in cancel::checked(order.iter().zip(steps)) {
                        if s == Step::Group {
                            sum = None;
                        }
                        let r = r as usize;
                        if arg.is_valid(r) {
                            let total = sum.unwrap_or(0).checked_add(x[r]);
                            sum = Some(total.ok_or_else(|| overflow("running_sum"))?);
                        }
                        out[r] = sum;
                    }
                    ints(out)
                }
                Num::Dec(x) => {
                    let mut out = vec![None; rows];
                    let mut sum: Option<Sum> = None;
                    for (&r, &s) in cancel::checked(order.iter().zip(steps)) {
                        if s == Step::Group {
                            sum = None;
                        }
                        let r = r as usize;
                        if arg.is_valid(r) {
                            sum.get_or_insert_with(Sum::default).add(x[r]);
                        }
                        out[r] = sum.map(Sum::value);
                    }
                    decimals(out)
                }
            }
        }
        WindowFn::Share => {
            let Some(v) = num(arg) else {
                return Ok(Column::nulls(w.ty, rows));
            };
            let get = |i: usize| match v {
                Num::Int(x) => x[i] as f64,
                Num::Dec(x) => x[i],
            };
            let groups = ids.iter().max().map_or(0, |&g| g as usize + 1);
            let mut sums = vec![Sum::default(); groups];
            for (i, &g) in cancel::checked(ids.iter().enumerate()) {
                if arg.is_valid(i) {
                    sums[g as usize].add(get(i));
                }
            }
            let totals: Vec<f64> = sums.into_iter().map(Sum::value).collect();
            decimals(
                cancel::checked(0..rows)
                    .map(|r| {
                        let t = totals[ids[r] as usize];
                        (arg.is_valid(r) && t != 0.0).then(|| get(r) / t)
                    })
                    .collect(),
            )
        }
        WindowFn::RowNumber | WindowFn::Rank | WindowFn::DenseRank => {
            unreachable!("the ranks returned above")
        }
    }
}
