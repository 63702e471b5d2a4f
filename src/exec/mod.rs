//! Runs a checked plan over the columnar store, one step at a time, each step
//! taking whole columns to whole columns.

mod aggregate;
pub mod cancel;
pub(crate) mod expr;
pub mod funcs;
mod join;
pub(crate) mod kernels;
mod order;

use crate::error::Result;
use crate::plan::{PExpr, Plan};
use crate::store::{Column, Data, Table};
use crate::value::Scalar;
use kernels::Datum;
use std::sync::Arc;

/// Runs a plan to its result table.
pub fn execute(plan: &Plan) -> Result<Table> {
    cancel::check()?;
    match plan {
        Plan::Scan(t) => Ok(Table::clone(t)),
        Plan::Filter { input, predicate } => {
            let input = execute(input)?;
            let keep = selection(predicate, &input)?;
            Ok(match keep {
                Selection::All => input,
                Selection::Rows(rows) => input.take(&rows),
            })
        }
        Plan::Project { input, columns } => {
            let input = execute(input)?;
            project(&input, columns)
        }
        Plan::Aggregate { input, keys, aggs } => {
            let input = execute(input)?;
            aggregate::aggregate(&input, keys, aggs)
        }
        Plan::Sort { input, keys } => {
            let input = execute(input)?;
            let order = order::sort(&input, keys)?;
            cancel::check()?;
            Ok(input.take(&order))
        }
        Plan::Limit { input, n } => {
            let input = execute(input)?;
            if *n >= input.num_rows() {
                return Ok(input);
            }
            let rows: Vec<u32> = (0..*n as u32).collect();
            Ok(input.take(&rows))
        }
        Plan::Top { input, n, key } => {
            let input = execute(input)?;
            let order = order::top(&input, *n, key)?;
            cancel::check()?;
            Ok(input.take(&order))
        }
        Plan::Join {
            left,
            right,
            left_keys,
            right_keys,
            keep_unmatched,
            right_columns,
        } => {
            let (l, r) = (execute(left)?, execute(right)?);
            join::join(
                &l,
                &r,
                left_keys,
                right_keys,
                *keep_unmatched,
                right_columns,
            )
        }
        Plan::Distinct { input, columns } => {
            let input = execute(input)?;
            let keys: Vec<Arc<Column>> = columns
                .iter()
                .map(|&c| Arc::clone(input.column_at(c)))
                .collect();
            let groups = aggregate::group_ids(&keys, input.num_rows());
            let named = columns
                .iter()
                .map(|&c| {
                    (
                        input.fields()[c].name.clone(),
                        Arc::new(input.column_at(c).take(&groups.first_rows)),
                    )
                })
                .collect();
            Ok(Table::with_rows(named, groups.first_rows.len()))
        }
    }
}

/// The rows a predicate keeps.
enum Selection {
    All,
    Rows(Vec<u32>),
}

fn selection(predicate: &PExpr, input: &Table) -> Result<Selection> {
    Ok(match expr::eval(predicate, input)? {
        Datum::Scalar(Scalar::Bool(true)) => Selection::All,
        Datum::Scalar(_) => Selection::Rows(Vec::new()),
        Datum::Col(c) => match c.data() {
            Data::Bool(v) => Selection::Rows(
                v.iter()
                    .enumerate()
                    .filter(|(i, b)| **b && c.is_valid(*i))
                    .map(|(i, _)| i as u32)
                    .collect(),
            ),
            _ => Selection::Rows(Vec::new()),
        },
    })
}

fn project(input: &Table, columns: &[(String, PExpr)]) -> Result<Table> {
    let rows = input.num_rows();
    let named = columns
        .iter()
        .map(|(name, e)| Ok((name.clone(), expr::eval(e, input)?.into_column(e.ty, rows))))
        .collect::<Result<Vec<_>>>()?;
    Ok(Table::with_rows(named, rows))
}

/// Computes a constant expression (one with no columns).
pub fn eval_constant(e: &PExpr) -> Result<Scalar> {
    let empty = Table::with_rows(Vec::new(), 1);
    Ok(match expr::eval(e, &empty)? {
        Datum::Scalar(s) => s,
        Datum::Col(c) => c.get(0),
    })
}
