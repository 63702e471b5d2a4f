//! `limit` and `top` after a join (with any `where`, `select` or `derive`
//! steps between) read the join's output in pieces, in output order: a
//! limit stops the join once it has its rows, a top keeps only the best rows
//! seen so far. So `big join big on k limit 10` never builds the whole join,
//! and neither is held to the join's budget, only to what they keep.

use super::join::join_in_pieces;
use super::{order, project, select};
use crate::error::Result;
use crate::plan::{PSortKey, Plan};
use crate::store::{concat as concat_columns, Column, Table};
use std::sync::Arc;

/// The first `n` rows of `plan`, if it is a join under row-by-row steps.
pub fn first(plan: &Plan, n: usize) -> Option<Result<Table>> {
    let (steps, join) = under_steps(plan)?;
    let mut parts: Vec<Table> = Vec::new();
    let mut rows = 0;
    let done = pieces(join, &steps, &mut |piece| {
        rows += piece.num_rows();
        parts.push(piece);
        Ok(rows < n)
    });
    Some(done.map(|()| {
        let all = concat(parts);
        if all.num_rows() > n {
            all.take(&(0..n as u32).collect::<Vec<_>>())
        } else {
            all
        }
    }))
}

/// The best `n` rows of `plan` by `keys` (as `order::top` would find them
/// in the whole result), if it is a join under row-by-row steps.
pub fn top(plan: &Plan, n: usize, keys: &[PSortKey]) -> Option<Result<Table>> {
    let (steps, join) = under_steps(plan)?;
    let mut best: Option<Table> = None;
    let done = pieces(join, &steps, &mut |piece| {
        // The rows kept so far come first: ties keep the output order.
        let candidates = match best.take() {
            Some(b) => concat(vec![b, piece]),
            None => piece,
        };
        let order = order::top(&candidates, n, keys)?;
        best = Some(candidates.take(&order));
        Ok(true)
    });
    Some(done.map(|()| best.expect("a join hands over at least one piece")))
}

/// The steps above a join that work row by row (outermost first), and the join.
fn under_steps(mut plan: &Plan) -> Option<(Vec<&Plan>, &Plan)> {
    let mut steps = Vec::new();
    loop {
        match plan {
            Plan::Filter { input, .. } | Plan::Project { input, .. } => {
                steps.push(plan);
                plan = input;
            }
            Plan::Join { .. } => return Some((steps, plan)),
            _ => return None,
        }
    }
}

/// Runs `join` and hands each piece of its output, after `steps`, to `sink`.
fn pieces(join: &Plan, steps: &[&Plan], sink: &mut dyn FnMut(Table) -> Result<bool>) -> Result<()> {
    let Plan::Join {
        left,
        right,
        left_keys,
        right_keys,
        keep_unmatched,
        right_columns,
        note,
    } = join
    else {
        unreachable!("under_steps ends at a join")
    };
    let (l, r) = (super::execute(left)?, super::execute(right)?);
    let tally = join_in_pieces(
        &l,
        &r,
        left_keys,
        right_keys,
        *keep_unmatched,
        right_columns,
        &mut |mut piece| {
            for step in steps.iter().rev() {
                piece = match step {
                    Plan::Filter { predicate, .. } => {
                        select::selection(predicate, &piece)?.apply(piece)
                    }
                    Plan::Project { columns, .. } => project(&piece, columns)?,
                    _ => unreachable!("under_steps keeps only filters and projections"),
                };
            }
            sink(piece)
        },
    )?;
    // A join read only in part has no tally: its keys are not all known.
    super::unmatched::note(&l, &r, left_keys, right_keys, note, tally.as_ref())
}

/// The rows of `parts` end to end (all have the same columns; at least one part).
fn concat(parts: Vec<Table>) -> Table {
    if parts.len() == 1 {
        return parts.into_iter().next().expect("one part");
    }
    let rows = parts.iter().map(Table::num_rows).sum();
    let fields = parts[0].fields().to_vec();
    let columns = fields
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let col = concat_columns(
                f.ty,
                parts
                    .iter()
                    .map(|p| Column::clone(p.column_at(i)))
                    .collect(),
            );
            (f.name, Arc::new(col))
        })
        .collect();
    Table::with_rows(columns, rows)
}
