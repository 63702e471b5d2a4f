//! Runs a checked plan over the columnar store, one step at a time, each step
//! taking whole columns to whole columns.

mod aggregate;
mod direct;
pub(crate) mod expr;
pub mod funcs;
mod int_keys;
mod join;
mod join_limit;
pub(crate) mod kernels;
mod morsel;
mod order;
mod partition;
mod pivot;
mod reshape;
mod select;
mod stats;
mod subquery;
mod sum;
mod unmatched;
mod window;

use crate::cancel;
use crate::error::Result;
use crate::plan::{lineage, AggFn, Backend, Location, PAgg, PExpr, PExprKind, Plan, Scan};
use crate::store::{Column, Table};
use crate::value::Scalar;
use join::Coded;
use kernels::Datum;
use select::Selection;
use std::sync::Arc;

/// Runs a plan to its result table.
pub fn execute(plan: &Plan) -> Result<Table> {
    crate::stack::deeper(|| execute_here(plan))
}

fn execute_here(plan: &Plan) -> Result<Table> {
    cancel::check()?;
    match plan {
        Plan::Scan(Scan {
            location: Location::Memory(t),
            ..
        }) => Ok(lineage::with_ids(t)),
        // The engine reads attached tables from their database before the
        // native engine runs the rest (src/place.rs).
        Plan::Scan(Scan {
            name,
            location: Location::Attached { .. },
        // Only a query inside an expression (`x in (wh.t ...)`, a relation
        // used as a value) gets here: placement does not look inside them.
        }) => Err(crate::error::Error::new(crate::error::ErrorKind::Invalid(format!(
            "a query inside an expression cannot read `{name}`, a table of an attached database, yet"
        )))
        .with_help(format!(
            "name it first, as in `let rows = {name} select ...`, and use `rows` inside the expression"
        ))),
        Plan::Filter { input, predicate } => {
            let input = execute(input)?;
            Ok(select::selection(predicate, &input)?.apply(input))
        }
        Plan::Project { input, columns } => {
            let input = execute(input)?;
            project(&input, columns)
        }
        Plan::Aggregate { input, keys, aggs } => {
            // A `where` just before is read in place, not gathered, and a join
            // before that only gathers the columns the aggregate reads.
            let (source, predicate) = match &**input {
                Plan::Filter { input, predicate } => (&**input, Some(predicate.clone())),
                other => (other, None),
            };
            // A projection that only picks columns (as `cite` adds above a
            // join) is read through, so the join below is still pruned.
            let (source, keys, aggs, predicate) = match picked_columns(source) {
                Some((inner, picked)) => {
                    let to = |i: usize| picked[i];
                    (
                        inner,
                        keys.iter()
                            .map(|(n, e)| (n.clone(), e.map_columns(&to)))
                            .collect(),
                        aggs.iter().map(|a| a.map_columns(&to)).collect(),
                        predicate.map(|p| p.map_columns(&to)),
                    )
                }
                None => (source, keys.clone(), aggs.clone(), predicate),
            };
            let predicate = predicate.as_ref();
            let mut used = Vec::new();
            keys.iter().for_each(|(_, e)| e.columns_used(&mut used));
            // The columns only folded into lineage sets (`cite`'s), which a
            // join read in place need not take row by row.
            let mut folded = Vec::new();
            for a in &aggs {
                match (a.func, a.arg.as_ref().map(|e| &e.kind), &a.arg2) {
                    (AggFn::Lineage, Some(&PExprKind::Column(i)), None) => folded.push(i),
                    _ => a
                        .arg
                        .iter()
                        .chain(&a.arg2)
                        .for_each(|e| e.columns_used(&mut used)),
                }
            }
            if let Some(p) = predicate {
                p.columns_used(&mut used);
            }
            folded.retain(|i| !used.contains(i));
            used.extend(&folded);
            let (input, to, joined, coded) =
                execute_pruned(source, &used, &folded, predicate.is_none())?;
            let keys: Vec<(String, PExpr)> = keys
                .iter()
                .map(|(n, e)| (n.clone(), e.map_columns(&|i| to[i])))
                .collect();
            let aggs: Vec<PAgg> = aggs.iter().map(|a| a.map_columns(&|i| to[i])).collect();
            let keep = match (predicate, joined) {
                (Some(p), _) => select::selection(&p.map_columns(&|i| to[i]), &input)?,
                (None, Some(rows)) => rows,
                (None, None) => Selection::All,
            };
            // A coded column, or a scan's stand-in ids read in place, is
            // only a lineage argument, which no pivot has; the direct path
            // folds both without reading them, and any other path gets
            // them taken or filled first.
            let stand_in = lineage::has_stand_in(&input);
            if coded.is_empty() && !stand_in {
                if let Some(result) = pivot::aggregate(&input, &keep, &keys, &aggs) {
                    return result;
                }
            }
            if let Some(result) = direct::aggregate(&input, &keep, &keys, &aggs, &coded) {
                return result;
            }
            let input = lineage::with_ids(&gather_coded(input, &coded)?);
            if !coded.is_empty() || stand_in {
                if let Some(result) = direct::aggregate(&input, &keep, &keys, &aggs, &[]) {
                    return result;
                }
            }
            aggregate::aggregate(&keep.apply(input), &keys, &aggs)
        }
        Plan::Sort { input, keys } => {
            let input = execute(input)?;
            let order = order::sort(&input, keys)?;
            gather(&input, &order)
        }
        Plan::Limit { input, n } => {
            // `sort ... limit n` is the first n of the order: no full sort.
            if let Plan::Sort { input, keys } = &**input {
                if let Some(t) = join_limit::top(input, *n, keys) {
                    return t;
                }
                let input = execute(input)?;
                let order = order::top(&input, *n, keys)?;
                cancel::check()?;
                return Ok(input.take(&order));
            }
            if let Some(t) = join_limit::first(input, *n) {
                return t;
            }
            let input = execute(input)?;
            if *n >= input.num_rows() {
                return Ok(input);
            }
            let rows: Vec<u32> = (0..*n as u32).collect();
            Ok(input.take(&rows))
        }
        Plan::Top { input, n, key, per } if !per.is_empty() => {
            let input = execute(input)?;
            window::top_per(&input, *n, key, per)
        }
        Plan::Window {
            input,
            per,
            along,
            funcs,
        } => {
            let input = execute(input)?;
            window::window(&input, per, along, funcs)
        }
        Plan::Top { input, n, key, .. } => {
            if let Some(t) = join_limit::top(input, *n, std::slice::from_ref(key)) {
                return t;
            }
            let input = execute(input)?;
            let order = order::top(&input, *n, std::slice::from_ref(key))?;
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
            note,
        } => {
            let (l, r) = (execute(left)?, execute(right)?);
            let (t, tally) = join::join(
                &l,
                &r,
                left_keys,
                right_keys,
                *keep_unmatched,
                right_columns,
            )?;
            unmatched::note(&l, &r, left_keys, right_keys, note, tally.as_ref())?;
            Ok(t)
        }
        Plan::Append {
            left,
            right,
            right_columns,
            types,
        } => {
            let (l, r) = (execute(left)?, execute(right)?);
            reshape::append(&l, &r, right_columns, types)
        }
        Plan::Unpivot {
            input,
            keep,
            columns,
            names,
            ty,
        } => {
            let input = execute(input)?;
            reshape::unpivot(&input, keep, columns, names, *ty)
        }
        Plan::Distinct { input, columns } => {
            let input = execute(input)?;
            let keys: Vec<Arc<Column>> = columns
                .iter()
                .map(|&c| Arc::clone(input.column_at(c)))
                .collect();
            let groups = aggregate::group_ids(&keys, input.num_rows())?;
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

/// For a projection that only picks columns of its input, the input and the
/// input column of each projected one.
fn picked_columns(plan: &Plan) -> Option<(&Plan, Vec<usize>)> {
    let Plan::Project { input, columns } = plan else {
        return None;
    };
    let picked = columns
        .iter()
        .map(|(_, e)| match e.kind {
            PExprKind::Column(i) => Some(i),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some((input, picked))
}

/// The rows of `input` at `rows`, a column at a time, each gather stopping
/// at a cancel: gathering a sorted 10-million-row table takes seconds.
fn gather(input: &Table, rows: &[u32]) -> Result<Table> {
    let mut columns = Vec::with_capacity(input.num_columns());
    for (name, col) in input.named_columns() {
        columns.push((name, Arc::new(col.take_checked(rows)?)));
    }
    cancel::check()?;
    Ok(Table::with_rows(columns, rows.len()))
}

fn project(input: &Table, columns: &[(String, PExpr)]) -> Result<Table> {
    let rows = input.num_rows();
    let named = columns
        .iter()
        .map(|(name, e)| Ok((name.clone(), expr::eval(e, input)?.into_column(e.ty, rows))))
        .collect::<Result<Vec<_>>>()?;
    Ok(Table::with_rows(named, rows))
}

/// Runs `plan`, leaving a scan's stand-in ids (`cite`'s, see
/// [`lineage::with_ids`]) for an aggregate that computes them or fills them.
fn execute_lazily(plan: &Plan) -> Result<Table> {
    match plan {
        Plan::Scan(Scan {
            location: Location::Memory(t),
            ..
        }) => Ok(Table::clone(t)),
        _ => execute(plan),
    }
}

/// `table` with each of its [`Coded`] columns taken row by row.
fn gather_coded(table: Table, coded: &[Coded]) -> Result<Table> {
    if coded.is_empty() {
        return Ok(table);
    }
    let mut columns = table.named_columns();
    for c in coded {
        columns[c.at].1 = Arc::new(c.gather(&table)?);
    }
    Ok(Table::with_rows(columns, table.num_rows()))
}

/// What [`execute_pruned`] returns: the table, each full-result position's
/// place in it, the rows a join read in place kept, and the columns it left
/// coded.
type Pruned = (Table, Vec<usize>, Option<Selection>, Vec<Coded>);

/// Runs `plan`, leaving out of a join's result the right-side columns at no
/// position in `used`. Returns the result and, for each position of the full
/// result, its position in the returned table (unused positions map anywhere).
/// A join read in place may leave the right columns at positions in `folded`
/// as [`Coded`] columns.
fn execute_pruned(plan: &Plan, used: &[usize], folded: &[usize], in_place: bool) -> Result<Pruned> {
    let Plan::Join {
        left,
        right,
        left_keys,
        right_keys,
        keep_unmatched,
        right_columns,
        note,
    } = plan
    else {
        let t = execute_lazily(plan)?;
        let to = (0..t.num_columns()).collect();
        return Ok((t, to, None, Vec::new()));
    };
    // The left side's stand-in ids stay for a join read in place.
    let (l, r) = (execute_lazily(left)?, execute(right)?);
    let width = l.num_columns();
    // The left columns read after the join, and its keys: a join that
    // drops rows gathers only these.
    let left_kept: Vec<usize> = (0..width)
        .filter(|i| used.contains(i) || left_keys.contains(i))
        .collect();
    let named = l.named_columns();
    let pruned = Table::with_rows(
        left_kept.iter().map(|&i| named[i].clone()).collect(),
        l.num_rows(),
    );
    let at = |i: usize| left_kept.iter().position(|&k| k == i);
    let pruned_keys: Vec<usize> = left_keys.iter().filter_map(|&k| at(k)).collect();
    let mut to: Vec<usize> = (0..width).map(|i| at(i).unwrap_or(0)).collect();
    to.resize(width + right_columns.len(), 0);
    let (mut kept, mut coded) = (Vec::new(), Vec::new());
    for (k, c) in right_columns.iter().enumerate() {
        if used.contains(&(width + k)) {
            to[width + k] = left_kept.len() + kept.len();
            kept.push(c.clone());
            coded.push(folded.contains(&(width + k)));
        }
    }
    // With no `where` between, an inner join whose left keys have at most
    // one partner each is read in place through a selection.
    let lookup = match in_place && !*keep_unmatched {
        true => {
            join::text_lookup(&pruned, &r, &pruned_keys, right_keys, &kept, &coded).transpose()?
        }
        false => None,
    };
    let (t, rows, tally, coded) = match lookup {
        Some((t, rows, coded)) => (t, Some(rows), None, coded),
        None => {
            let pruned = lineage::with_ids(&pruned);
            let (t, tally) = join::join(
                &pruned,
                &r,
                &pruned_keys,
                right_keys,
                *keep_unmatched,
                &kept,
            )?;
            (t, None, tally, Vec::new())
        }
    };
    // The note reads the left side whole (it may name a column not kept).
    unmatched::note(&l, &r, left_keys, right_keys, note, tally.as_ref())?;
    Ok((t, to, rows, coded))
}

/// The native columnar engine, as a [`Backend`].
#[derive(Debug, Clone, Copy)]
pub struct Native;

impl Backend for Native {
    fn execute(&self, plan: &Plan) -> Result<Table> {
        execute(plan)
    }

    fn constant(&self, e: &PExpr) -> Result<Scalar> {
        eval_constant(e)
    }
}

/// Computes a constant expression (one with no columns).
pub fn eval_constant(e: &PExpr) -> Result<Scalar> {
    let empty = Table::with_rows(Vec::new(), 1);
    Ok(match expr::eval(e, &empty)? {
        Datum::Scalar(s) => s,
        Datum::Col(c) => c.get(0),
    })
}

#[cfg(test)]
mod tests {
    //! Each long operation notices a cancel by itself, not only between plan
    //! steps: run inside an already-cancelled run, it stops with the error.
    use super::*;
    use crate::plan::{PExprKind, PSortKey};

    use crate::cancel::tests::cancelled;

    #[test]
    fn sort_group_and_join_stop_when_cancelled() {
        let t = crate::Engine::new()
            .and_then(|mut e| e.query("provinces select name, region"))
            .unwrap();
        let key = PSortKey {
            expr: PExpr {
                kind: PExprKind::Column(0),
                ty: crate::value::Type::Text,
            },
            descending: false,
        };
        cancelled(|| order::sort(&t, std::slice::from_ref(&key)));
        cancelled(|| aggregate::group_ids(&[Arc::clone(t.column_at(0))], t.num_rows()).map(|_| ()));
        cancelled(|| join::join(&t, &t, &[1, 0], &[1, 0], false, &[]).map(|_| ()));
    }
}
