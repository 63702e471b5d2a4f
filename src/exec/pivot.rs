//! `pivot`'s conditional aggregates in one grouping. The checker plans
//! `pivot COL in (V1, V2, ...) AGG x by KEYS` as SQL's conditional
//! aggregation: one aggregate per value, `AGG(CASE WHEN COL = Vi THEN x END)`.
//! Computed as written, every value is one pass over every row. Here the
//! rows are grouped once by the keys and the pivot column (directly indexed
//! when their domains are small), each condition is evaluated on the groups'
//! pivot values only, and each output column takes, for each key group, the
//! aggregate of the one inner group whose value meets its condition (or the
//! aggregate of no rows: `count` 0, `sum` null).
//!
//! Only the plain form is taken: every aggregate reads one column (or none),
//! under a condition on one and the same column. Anything else — an
//! expression argument, an aggregate over the whole group beside them
//! (`cite`'s lineage), two pivot values meeting one condition — returns
//! `None` and runs as written, as does an inner aggregate that fails (a sum
//! that overflows over an unlisted value must not fail the pivot).

use super::aggregate::{self, group_ids};
use super::direct;
use super::expr::eval;
use super::select::Selection;
use crate::error::{ErrorKind, Result};
use crate::plan::{AggFn, PAgg, PExpr, PExprKind};
use crate::store::{concat, Column, Data, Table};
use crate::value::Type;
use std::sync::Arc;

/// An aggregate's condition and what it reads when the condition holds.
struct Conditional<'a> {
    cond: &'a PExpr,
    inner: PAgg,
}

/// The condition and argument of `When(cond, x)`, unless the expression is something else.
fn when(e: &PExpr) -> Option<(&PExpr, &PExpr)> {
    match &e.kind {
        PExprKind::When(c, x) => Some((c, x)),
        _ => None,
    }
}

/// The one column an expression reads, if it reads exactly one.
fn only_column(e: &PExpr) -> Option<usize> {
    let mut used = Vec::new();
    e.columns_used(&mut used);
    used.sort_unstable();
    used.dedup();
    match used[..] {
        [c] => Some(c),
        _ => None,
    }
}

/// `agg` as a conditional aggregate over a column (or none), or `None`.
fn conditional(agg: &PAgg) -> Option<Conditional<'_>> {
    let (cond, x) = when(agg.arg.as_ref()?)?;
    let arg = match (&x.kind, agg.func) {
        (PExprKind::Column(_), _) => Some(x.clone()),
        // `count` of a pivot counts the rows meeting the condition: `count 1`.
        (PExprKind::Literal(v), AggFn::Count) if !v.is_null() && !agg.distinct => None,
        _ => return None,
    };
    let arg2 = match agg.func {
        AggFn::Corr | AggFn::Covar => {
            let (cond2, y) = when(agg.arg2.as_ref()?)?;
            if cond2 != cond || !matches!(y.kind, PExprKind::Column(_)) {
                return None;
            }
            Some(y.clone())
        }
        _ => match &agg.arg2 {
            Some(p) if !matches!(p.kind, PExprKind::Literal(_)) => return None,
            other => other.clone(),
        },
    };
    Some(Conditional {
        cond,
        inner: PAgg {
            arg,
            arg2,
            ..agg.clone()
        },
    })
}

/// The pivot's result, or `None` when the aggregates are not a plain pivot
/// (the caller then computes them as written).
pub fn aggregate(
    input: &Table,
    sel: &Selection,
    keys: &[(String, PExpr)],
    aggs: &[PAgg],
) -> Option<Result<Table>> {
    let parts: Vec<Conditional> = aggs.iter().map(conditional).collect::<Option<_>>()?;
    let pivot = only_column(parts.first()?.cond)?;
    if parts.iter().any(|p| only_column(p.cond) != Some(pivot)) {
        return None;
    }
    let k = keys.len();
    let mut inner_keys = keys.to_vec();
    inner_keys.push((
        "pivot".into(),
        PExpr {
            kind: PExprKind::Column(pivot),
            ty: input.column_at(pivot).ty(),
        },
    ));
    // The values' aggregates are usually one aggregate (`sum x` under each
    // condition): computed once.
    let mut inner_aggs: Vec<PAgg> = Vec::new();
    let mut slots = Vec::with_capacity(parts.len());
    for p in &parts {
        let unnamed = PAgg {
            name: format!("a{}", inner_aggs.len()),
            ..p.inner.clone()
        };
        let same = |a: &PAgg| {
            PAgg {
                name: unnamed.name.clone(),
                ..a.clone()
            } == unnamed
        };
        slots.push(match inner_aggs.iter().position(same) {
            Some(at) => at,
            None => {
                inner_aggs.push(unnamed.clone());
                inner_aggs.len() - 1
            }
        });
    }
    let inner = direct::aggregate(input, sel, &inner_keys, &inner_aggs, &[]).unwrap_or_else(|| {
        aggregate::aggregate(&sel.clone().apply(input.clone()), &inner_keys, &inner_aggs)
    });
    let inner = match inner {
        Ok(t) => t,
        Err(e) if e.kind() == &ErrorKind::Cancelled => return Some(Err(e)),
        Err(_) => return None,
    };
    spread(input, keys, &parts, &slots, &inner_aggs, &inner, k).transpose()
}

/// Spreads the inner groups (`k` keys, the pivot value, the aggregates) into
/// one row per key group; `None` when a condition holds for two inner groups
/// of one key group.
fn spread(
    input: &Table,
    keys: &[(String, PExpr)],
    parts: &[Conditional],
    slots: &[usize],
    inner_aggs: &[PAgg],
    inner: &Table,
    k: usize,
) -> Result<Option<Table>> {
    let rows = inner.num_rows();
    let key_cols: Vec<Arc<Column>> = inner.columns()[..k].to_vec();
    let groups = group_ids(&key_cols, rows)?;
    let n = groups.first_rows.len();
    // The aggregates of no rows, for a key group where no value meets a condition.
    let empty = aggregate::aggregate(&input.take(&[]), &[], inner_aggs)?;
    let mut out: Vec<(String, Arc<Column>)> = Vec::with_capacity(k + parts.len());
    for ((name, _), col) in keys.iter().zip(&key_cols) {
        out.push((
            name.clone(),
            Arc::new(col.take_checked(&groups.first_rows)?),
        ));
    }
    let missing = rows as u32;
    for (part, &slot) in parts.iter().zip(slots) {
        let cond = part.cond.map_columns(&|_| k);
        let holds = eval(&cond, inner)?.into_column(Type::Bool, rows);
        let mut chosen = vec![missing; n];
        if let Data::Bool(v) = holds.data() {
            for r in (0..rows).filter(|&r| v[r] && holds.is_valid(r)) {
                let slot = &mut chosen[groups.ids[r] as usize];
                if *slot != missing {
                    return Ok(None);
                }
                *slot = r as u32;
            }
        }
        let agg = &part.inner;
        let values = concat(
            agg.ty,
            vec![
                (**inner.column_at(k + 1 + slot)).clone(),
                (**empty.column_at(slot)).clone(),
            ],
        );
        out.push((agg.name.clone(), Arc::new(values.take_checked(&chosen)?)));
    }
    Ok(Some(Table::with_rows(out, n)))
}
