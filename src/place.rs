//! Where each part of a query runs, when it reads attached databases.
//!
//! A query that reads only tables of one attached database is compiled to
//! that database's SQL and runs there as one statement; only its result
//! comes back. A query that mixes them with local relations (or with
//! another database) sends each largest part that reads one database there
//! (with the filters, columns, sorts and aggregates inside that part), and
//! the native engine finishes the rest over what came back. Before cutting,
//! a filter right above a join that reads only one side's columns moves
//! below the join, so it travels with that side. A part the database's
//! dialect cannot express runs locally, over the smaller parts below it.
//!
//! [`run`] carries this out; [`explain`] says what would run where, with
//! the same cuts.

use crate::attach::Attachment;
use crate::cancel::InterruptHandle;
use crate::error::{Error, ErrorKind, Result};
use crate::plan::{Backend, Location, PExpr, Plan, Scan};
use crate::store::{Field, Table};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Attached databases by name, as the engine holds them.
pub(crate) type Attachments = BTreeMap<String, Attachment>;

/// One statement sent to an attached database.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The database, in words (`` `wh` (PostgreSQL at localhost:5432/wh) ``).
    pub database: String,
    /// The SQL it runs.
    pub sql: String,
}

/// What runs where for one query.
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    /// The statements sent to attached databases, in the order they run.
    pub parts: Vec<Part>,
    /// Whether the native engine does any work after them (false when the
    /// whole query runs in one database, or reads no attached table).
    pub local: bool,
}

/// True if `plan` reads an attached table anywhere.
pub(crate) fn reads_attached(plan: &Plan) -> bool {
    match plan {
        Plan::Scan(Scan { location, .. }) => matches!(location, Location::Attached { .. }),
        other => other.inputs().into_iter().any(reads_attached),
    }
}

/// Runs `plan`: its attached parts in their databases, the rest on `local`.
pub(crate) fn run(
    plan: &Plan,
    attachments: &Attachments,
    cancel: &InterruptHandle,
    local: &dyn Backend,
) -> Result<Table> {
    let plan = push_filters(plan);
    let mut fetch = |att: &Attachment, sql: &str, fields: &[Field]| {
        att.query(sql, fields, cancel).map(Arc::new)
    };
    let cut = cut(&plan, &vec![true; plan.width()], attachments, &mut fetch)?;
    local.execute(&cut)
}

/// What [`run`] would send to each database, without running anything.
pub(crate) fn explain(plan: &Plan, attachments: &Attachments) -> Result<Explained> {
    let plan = push_filters(plan);
    let mut parts = Vec::new();
    let mut fetch = |att: &Attachment, sql: &str, fields: &[Field]| {
        parts.push(Part {
            database: att.describe(),
            sql: sql.to_string(),
        });
        let columns = fields
            .iter()
            .map(|f| {
                (
                    f.name.clone(),
                    Arc::new(crate::store::Column::nulls(f.ty, 0)),
                )
            })
            .collect();
        Ok(Arc::new(Table::with_rows(columns, 0)))
    };
    let cut = cut(&plan, &vec![true; plan.width()], attachments, &mut fetch)?;
    Ok(Explained {
        local: !is_fetched(&cut),
        parts,
    })
}

/// The name a fetched part's scan carries, so `explain` can tell it apart.
const FETCHED: &str = "\u{0}fetched";

fn is_fetched(plan: &Plan) -> bool {
    matches!(plan, Plan::Scan(Scan { name, .. }) if name.starts_with(FETCHED))
}

type Fetch<'a> = dyn FnMut(&Attachment, &str, &[Field]) -> Result<Arc<Table>> + 'a;

/// `plan` with each largest part that one database can run replaced by the
/// rows it gave back. `required` says which of `plan`'s columns the steps
/// above read: a part sends for those only, and the others come back as
/// nulls that nothing reads.
fn cut(
    plan: &Plan,
    required: &[bool],
    attachments: &Attachments,
    fetch: &mut Fetch,
) -> Result<Plan> {
    crate::stack::deeper(|| {
        if let Site::One(database) = site(plan) {
            let att = attachments.get(database).ok_or_else(|| {
                Error::new(ErrorKind::Invalid(format!(
                    "the database `{database}` is no longer attached"
                )))
                .with_help(format!("attach it again: attach \"URL\" as {database}"))
            })?;
            match fetched(plan, required, att, fetch) {
                Ok(rows) => {
                    return Ok(Plan::Scan(Scan {
                        name: format!("{FETCHED} {database}"),
                        location: Location::Memory(rows),
                    }))
                }
                // A step the dialect cannot express runs here, over the
                // parts below it.
                Err(e) if matches!(e.kind(), ErrorKind::Unsupported { .. }) => {
                    if let Plan::Scan(_) = plan {
                        return Err(e);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        let needs = inputs_required(plan, required);
        let inputs = plan
            .inputs()
            .into_iter()
            .zip(needs)
            .map(|(p, r)| cut(p, &r, attachments, fetch))
            .collect::<Result<Vec<Plan>>>()?;
        Ok(plan.with_inputs(inputs))
    })
}

/// The rows of `plan` from `att`: its `required` columns as the database
/// computed them, the others null.
fn fetched(
    plan: &Plan,
    required: &[bool],
    att: &Attachment,
    fetch: &mut Fetch,
) -> Result<Arc<Table>> {
    let (sql, fields) = crate::sql::compile_typed(plan, att.dialect())?;
    if required.iter().all(|&r| r) || required.len() != fields.len() {
        return fetch(att, &sql, &fields);
    }
    let kept: Vec<usize> = (0..fields.len()).filter(|&i| required[i]).collect();
    let narrow = Plan::Project {
        input: Box::new(plan.clone()),
        columns: kept
            .iter()
            .map(|&i| {
                (
                    fields[i].name.clone(),
                    PExpr {
                        kind: crate::plan::PExprKind::Column(i),
                        ty: fields[i].ty,
                    },
                )
            })
            .collect(),
    };
    let (sql, narrow_fields) = crate::sql::compile_typed(&narrow, att.dialect())?;
    let rows = fetch(att, &sql, &narrow_fields)?;
    let n = rows.num_rows();
    let mut got = rows.columns().iter();
    let columns = fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let column = match required[i].then(|| got.next()).flatten() {
                Some(c) => Arc::clone(c),
                None => Arc::new(crate::store::Column::nulls(f.ty, n)),
            };
            (f.name.clone(), column)
        })
        .collect();
    Ok(Arc::new(Table::with_rows(columns, n)))
}

/// Which columns of each input `plan` reads, given which of its own columns
/// are read above it.
fn inputs_required(plan: &Plan, required: &[bool]) -> Vec<Vec<bool>> {
    let mark = |width: usize, exprs: &mut dyn Iterator<Item = &PExpr>, keep: &[usize]| {
        let mut r = vec![false; width];
        let mut used = Vec::new();
        exprs.for_each(|e| e.columns_used(&mut used));
        for i in used.into_iter().chain(keep.iter().copied()) {
            if let Some(slot) = r.get_mut(i) {
                *slot = true;
            }
        }
        r
    };
    let kept = |r: &[bool]| -> Vec<usize> { (0..r.len()).filter(|&i| r[i]).collect() };
    match plan {
        Plan::Scan(_) => Vec::new(),
        Plan::Filter { input, predicate } => {
            vec![mark(
                input.width(),
                &mut std::iter::once(predicate),
                &kept(required),
            )]
        }
        Plan::Project { input, columns } => {
            let mut used = columns
                .iter()
                .enumerate()
                .filter(|(i, _)| required.get(*i).copied().unwrap_or(true))
                .map(|(_, (_, e))| e);
            vec![mark(input.width(), &mut used, &[])]
        }
        Plan::Sort { input, keys } => {
            vec![mark(
                input.width(),
                &mut keys.iter().map(|k| &k.expr),
                &kept(required),
            )]
        }
        Plan::Limit { .. } => vec![required.to_vec()],
        Plan::Top {
            input, key, per, ..
        } => {
            let mut exprs = std::iter::once(&key.expr).chain(per.iter());
            vec![mark(input.width(), &mut exprs, &kept(required))]
        }
        Plan::Join {
            left,
            right,
            left_keys,
            right_keys,
            right_columns,
            ..
        } => {
            let lw = left.width();
            let mut l = vec![false; lw];
            for i in (0..lw).filter(|&i| required.get(i).copied().unwrap_or(true)) {
                l[i] = true;
            }
            left_keys.iter().for_each(|&k| l[k] = true);
            let mut r = vec![false; right.width()];
            for (k, (i, _)) in right_columns.iter().enumerate() {
                if required.get(lw + k).copied().unwrap_or(true) {
                    r[*i] = true;
                }
            }
            right_keys.iter().for_each(|&k| r[k] = true);
            vec![l, r]
        }
        Plan::Aggregate { input, keys, aggs } => {
            let mut exprs = keys
                .iter()
                .map(|(_, e)| e)
                .chain(aggs.iter().flat_map(|a| a.arg.iter().chain(a.arg2.iter())));
            vec![mark(input.width(), &mut exprs, &[])]
        }
        Plan::Window {
            input,
            per,
            along,
            funcs,
        } => {
            let w = input.width();
            let passed: Vec<usize> = kept(required).into_iter().filter(|&i| i < w).collect();
            let mut exprs = per
                .iter()
                .chain(along.iter().map(|k| &k.expr))
                .chain(funcs.iter().filter_map(|f| f.arg.as_ref()));
            vec![mark(w, &mut exprs, &passed)]
        }
        Plan::Distinct { input, columns } => {
            vec![mark(input.width(), &mut std::iter::empty(), columns)]
        }
    }
}

/// Where a part of a plan reads from.
enum Site<'p> {
    /// Only tables of this one attached database.
    One(&'p str),
    /// Local relations only, or more than one place.
    Elsewhere,
}

fn site(plan: &Plan) -> Site<'_> {
    match plan {
        Plan::Scan(Scan {
            location: Location::Attached { database, .. },
            ..
        }) => Site::One(database),
        Plan::Scan(_) => Site::Elsewhere,
        other => {
            let mut one = None;
            for input in other.inputs() {
                match (site(input), one) {
                    (Site::One(d), None) => one = Some(d),
                    (Site::One(d), Some(o)) if d == o => {}
                    _ => return Site::Elsewhere,
                }
            }
            one.map_or(Site::Elsewhere, Site::One)
        }
    }
}

/// Moves each condition of a filter that sits right above a join (each
/// part of an `and` chain) that reads only one side's columns below the
/// join, onto that side (for a left join, only onto the left side, whose
/// rows all stay). A row passes the filter only if every part is true, so
/// the result is the same rows in the same order.
fn push_filters(plan: &Plan) -> Plan {
    crate::stack::deeper(|| {
        let inputs: Vec<Plan> = plan.inputs().into_iter().map(push_filters).collect();
        let plan = plan.with_inputs(inputs);
        let Plan::Filter { input, predicate } = &plan else {
            return plan;
        };
        let Plan::Join {
            left,
            right,
            keep_unmatched,
            right_columns,
            ..
        } = &**input
        else {
            return plan;
        };
        let lw = left.width();
        let (mut on_left, mut on_right, mut above) = (Vec::new(), Vec::new(), Vec::new());
        for c in conjuncts(predicate) {
            let mut used = Vec::new();
            c.columns_used(&mut used);
            if used.iter().all(|&i| i < lw) {
                on_left.push(c);
            } else if !keep_unmatched && used.iter().all(|&i| i >= lw) {
                let to: Vec<usize> = right_columns.iter().map(|(i, _)| *i).collect();
                on_right.push(c.map_columns(&|i| to[i - lw]));
            } else {
                above.push(c);
            }
        }
        if on_left.is_empty() && on_right.is_empty() {
            return plan;
        }
        let side = |p: &Plan, conds: Vec<PExpr>| match all_of(conds) {
            Some(predicate) => Plan::Filter {
                input: Box::new(p.clone()),
                predicate,
            },
            None => p.clone(),
        };
        let join =
            push_filters(&input.with_inputs(vec![side(left, on_left), side(right, on_right)]));
        match all_of(above) {
            Some(predicate) => Plan::Filter {
                input: Box::new(join),
                predicate,
            },
            None => join,
        }
    })
}

/// The parts of an `and` chain, in order.
fn conjuncts(p: &PExpr) -> Vec<PExpr> {
    use crate::plan::PExprKind;
    match &p.kind {
        PExprKind::Logic(true, l, r) => {
            let mut out = conjuncts(l);
            out.extend(conjuncts(r));
            out
        }
        PExprKind::Located(_, _, inner) if matches!(inner.kind, PExprKind::Logic(true, ..)) => {
            conjuncts(inner)
        }
        _ => vec![p.clone()],
    }
}

/// The `and` of `parts`, if there are any.
fn all_of(parts: Vec<PExpr>) -> Option<PExpr> {
    parts.into_iter().reduce(|a, b| PExpr {
        ty: a.ty,
        kind: crate::plan::PExprKind::Logic(true, Box::new(a), Box::new(b)),
    })
}
