//! Explaining a result, for the analyst reading it, in notes: why it is empty or null
//! (which condition removed the last rows, what values are there instead,
//! where else the fact base mentions what was asked for), and where a sum or
//! average rests on hedged figures (lower bounds, mixed statuses or
//! measures). Notes are words on standard error; they never change a result.
//!
//! The hedge rule: a relation's `value` column is hedged by the `qualifier`,
//! `status` and `measure` columns beside it, when it has them (the fact base
//! does; a loaded file may too). A `qualifier` in [`LOWER_BOUNDS`] makes the
//! figure a lower bound.

use crate::cite::Lineage;
use crate::error::Result;
use crate::plan::{
    AggFn, ArithOp, Backend, CmpOp, Func, Location, PAgg, PExpr, PExprKind, Plan, Scan,
};
use crate::store::{facts, Catalog, Field, RelationKind, Table};
use crate::value::{Scalar, Type};
use std::sync::Arc;

/// Qualifiers that make a figure a lower bound: the true figure is larger.
pub const LOWER_BOUNDS: &[&str] = &["more than", "exceeding", "over", "at least", "above"];

/// A result column that sums, averages or takes the least or largest of a hedged `value`.
#[derive(Debug, Clone)]
pub struct Hedged {
    /// Its position in the result.
    pub column: usize,
    /// `sum`, `avg`, `min` or `max`; none for the stored figure itself.
    pub func: Option<AggFn>,
    /// The stored relation whose `value` it reads.
    pub table: Arc<Table>,
    /// A pivot column's condition: only the stored rows whose column (a
    /// position in `table`) holds this value are its figures.
    pub only: Option<(usize, Scalar)>,
}

/// Where a result column comes from.
enum Derived {
    Stored(Arc<Table>, usize),
    /// An aggregate of a column; for a pivot's column, over the rows whose
    /// stored column (the second) equals the value.
    Aggregated(AggFn, Box<Derived>, Option<(Box<Derived>, Scalar)>),
}

fn strip(e: &PExpr) -> &PExpr {
    match &e.kind {
        PExprKind::Located(_, _, inner) | PExprKind::ToDecimal(inner) => strip(inner),
        _ => e,
    }
}

/// The column `e` reads, when it is that column or a figure that grows
/// with it by the same step on every row: times or divided by a positive
/// constant, plus or minus a constant, or converted between two constant
/// units. Such a figure keeps a lower bound's hedge (more than 300, times
/// 10, is more than 3,000) and the order of the figures (so a `min`'s rule
/// still holds); `-x`, `round(x)` or a unit read per row do not.
fn increasing_column(e: &PExpr) -> Option<usize> {
    let positive = |e: &PExpr| match &strip(e).kind {
        PExprKind::Literal(Scalar::Int(n)) => *n > 0,
        PExprKind::Literal(Scalar::Decimal(x)) => *x > 0.0,
        _ => false,
    };
    let constant = |e: &PExpr| matches!(strip(e).kind, PExprKind::Literal(_));
    match &strip(e).kind {
        PExprKind::Column(i) => Some(*i),
        PExprKind::Arith(ArithOp::Mul, a, b) if positive(b) => increasing_column(a),
        PExprKind::Arith(ArithOp::Mul, a, b) if positive(a) => increasing_column(b),
        PExprKind::Arith(ArithOp::Div, a, b) if positive(b) => increasing_column(a),
        PExprKind::Arith(ArithOp::Add | ArithOp::Sub, a, b) if constant(b) => increasing_column(a),
        PExprKind::Arith(ArithOp::Add, a, b) if constant(a) => increasing_column(b),
        PExprKind::Func(Func::ToBillionYuan | Func::FromBillionYuan, args)
            if args.len() >= 2
                && args[1..].iter().all(constant)
                && args.get(2).is_none_or(positive) =>
        {
            increasing_column(&args[0])
        }
        _ => None,
    }
}

fn derive(
    plan: &Plan,
    col: usize,
    view_of: &dyn Fn(&Scan) -> Option<Arc<Plan>>,
) -> Option<Derived> {
    let column = |e: &PExpr| match strip(e).kind {
        PExprKind::Column(i) => Some(i),
        _ => None,
    };
    match plan {
        Plan::Scan(s) => {
            if let Some(view) = view_of(s) {
                return derive(&view, col, view_of);
            }
            let Location::Memory(t) = &s.location else {
                return None;
            };
            (col < t.num_columns()).then(|| Derived::Stored(Arc::clone(t), col))
        }
        // A window function's column comes from no stored column.
        Plan::Window { input, .. } if col >= input.width() => None,
        Plan::Filter { input, .. }
        | Plan::Sort { input, .. }
        | Plan::Limit { input, .. }
        | Plan::Top { input, .. }
        | Plan::Window { input, .. } => derive(input, col, view_of),
        Plan::Project { input, columns } => {
            derive(input, increasing_column(&columns.get(col)?.1)?, view_of)
        }
        Plan::Join {
            left,
            right,
            right_columns,
            ..
        } => {
            let lw = left.width();
            if col < lw {
                derive(left, col, view_of)
            } else {
                derive(right, right_columns.get(col - lw)?.0, view_of)
            }
        }
        Plan::Append { .. } | Plan::Unpivot { .. } => None,
        Plan::Aggregate { input, keys, aggs } => {
            if let Some((_, k)) = keys.get(col) {
                return derive(input, column(k)?, view_of);
            }
            let agg: &PAgg = aggs.get(col - keys.len())?;
            let arg = agg.arg.as_ref()?;
            // A pivot's `AGG(CASE WHEN COL = V THEN x END)`.
            if let PExprKind::When(cond, x) = &arg.kind {
                let PExprKind::Compare(CmpOp::Eq, l, r) = &strip(cond).kind else {
                    return None;
                };
                let PExprKind::Literal(v) = &strip(r).kind else {
                    return None;
                };
                let on = derive(input, column(l)?, view_of)?;
                let of = derive(input, increasing_column(x)?, view_of)?;
                return Some(Derived::Aggregated(
                    agg.func,
                    Box::new(of),
                    Some((Box::new(on), v.clone())),
                ));
            }
            let of = derive(input, increasing_column(arg)?, view_of)?;
            Some(Derived::Aggregated(agg.func, Box::new(of), None))
        }
        Plan::Distinct { input, columns } => derive(input, *columns.get(col)?, view_of),
    }
}

/// The result columns of `plan` that sum, average or take the least or
/// largest of a hedged `value`, or show a hedged `value` itself without the
/// `qualifier` beside it (`matchmaking select name, value`).
pub fn hedged_columns(plan: &Plan, view_of: &dyn Fn(&Scan) -> Option<Arc<Plan>>) -> Vec<Hedged> {
    let derived: Vec<Option<Derived>> = (0..plan.width())
        .map(|c| derive(plan, c, view_of))
        .collect();
    let hedged = |table: &Arc<Table>, v: usize| {
        table.fields()[v].name == "value" && table.position("qualifier").is_some()
    };
    // A stored qualifier in the result already says how its value is hedged.
    let shown = |table: &Arc<Table>| {
        let q = table.position("qualifier");
        derived.iter().any(
            |d| matches!(d, Some(Derived::Stored(t, c)) if Arc::ptr_eq(t, table) && Some(*c) == q),
        )
    };
    derived
        .iter()
        .enumerate()
        .filter_map(|(c, d)| match d.as_ref()? {
            Derived::Aggregated(
                func @ (AggFn::Sum | AggFn::Avg | AggFn::Min | AggFn::Max),
                of,
                only,
            ) => {
                let Derived::Stored(table, v) = &**of else {
                    return None;
                };
                if !hedged(table, *v) {
                    return None;
                }
                // A pivot's condition must be on a column of the same rows.
                let only = match only {
                    None => None,
                    Some((on, value)) => match &**on {
                        Derived::Stored(t, on) if Arc::ptr_eq(t, table) => {
                            Some((*on, value.clone()))
                        }
                        _ => return None,
                    },
                };
                Some(Hedged {
                    column: c,
                    func: Some(*func),
                    table: Arc::clone(table),
                    only,
                })
            }
            Derived::Stored(table, v) if hedged(table, *v) && !shown(table) => Some(Hedged {
                column: c,
                func: None,
                table: Arc::clone(table),
                only: None,
            }),
            _ => None,
        })
        .collect()
}

/// `1 signed and 2 expected`.
fn tally(items: &[(String, usize)]) -> String {
    let parts: Vec<String> = items.iter().map(|(v, n)| format!("{n} {v}")).collect();
    match parts.len() {
        0 => String::new(),
        1 => parts[0].clone(),
        _ => format!(
            "{} and {}",
            parts[..parts.len() - 1].join(", "),
            parts[parts.len() - 1]
        ),
    }
}

fn count_into(items: &mut Vec<(String, usize)>, v: String) {
    match items.iter_mut().find(|(x, _)| *x == v) {
        Some((_, n)) => *n += 1,
        None => items.push((v, 1)),
    }
}

/// How a result row is named in a note: its text columns before `upto`.
fn row_label(table: &Table, row: usize, upto: usize) -> String {
    let keys: Vec<String> = (0..upto)
        .filter(|&c| table.fields()[c].ty == Type::Text)
        .map(|c| table.get(row, c).to_string())
        .collect();
    if keys.is_empty() {
        "the result".into()
    } else {
        keys.join(", ")
    }
}

/// What the stored figures behind one row of a hedged column are.
#[derive(Default)]
struct Figures {
    /// How many non-null figures.
    count: usize,
    /// The lower-bound qualifiers among them, with how many of each.
    lower: Vec<(String, usize)>,
    /// Whether any lower bound is strict ("more than", not "at least").
    strict: bool,
    statuses: Vec<(String, usize)>,
    measures: Vec<(String, usize)>,
    /// The smallest and largest exact figure, and lower bound.
    exact: Option<(f64, f64)>,
    bound: Option<(f64, f64)>,
    /// Stored rows behind the result row that the lineage only counts
    /// (beyond its ranges), whose hedges were not read.
    unread: u64,
}

/// Whether a stored value is a pivot's value (numbers by value: 2024 is 2024.0).
fn same_value(stored: &Scalar, want: &Scalar) -> bool {
    match (stored.as_f64(), want.as_f64()) {
        (Some(a), Some(b)) => a == b,
        _ => stored == want,
    }
}

fn widen(range: &mut Option<(f64, f64)>, v: f64) {
    *range = Some(match *range {
        Some((lo, hi)) => (lo.min(v), hi.max(v)),
        None => (v, v),
    });
}

impl Figures {
    /// The figures of `table`'s `value` behind one result row.
    fn of(
        t: &Arc<Table>,
        lineage: &Lineage,
        row: usize,
        only: Option<&(usize, Scalar)>,
    ) -> Figures {
        let mut f = Figures::default();
        let col = |n: &str| t.position(n);
        let Some(value) = col("value") else {
            return f;
        };
        let (qualifier, status, measure) = (col("qualifier"), col("status"), col("measure"));
        for part in lineage.rows[row].parts() {
            if !Arc::ptr_eq(&lineage.origins[part.tag as usize].0.table, t) {
                continue;
            }
            f.unread += part.more;
            for &(a, b) in &part.ranges {
                for r in a as usize..=b as usize {
                    if only.is_some_and(|(c, want)| !same_value(&t.get(r, *c), want)) {
                        continue;
                    }
                    let Some(v) = t.get(r, value).as_f64() else {
                        continue;
                    };
                    f.count += 1;
                    let text = |c: Option<usize>| {
                        c.map(|c| t.get(r, c))
                            .filter(|v| !v.is_null())
                            .map(|v| v.to_string())
                    };
                    match text(qualifier) {
                        Some(q) if LOWER_BOUNDS.contains(&q.as_str()) => {
                            f.strict |= q != "at least";
                            count_into(&mut f.lower, format!("\"{q}\""));
                            widen(&mut f.bound, v);
                        }
                        _ => widen(&mut f.exact, v),
                    }
                    count_into(&mut f.statuses, text(status).unwrap_or("null".into()));
                    if let Some(m) = text(measure) {
                        count_into(&mut f.measures, format!("\"{m}\""));
                    }
                }
            }
        }
        f
    }

    fn bounds(&self) -> usize {
        self.lower.iter().map(|(_, n)| n).sum()
    }

    /// The qualifier `func` over these figures is shown with: a sum or an
    /// average with any lower bound among its figures is a lower bound
    /// itself; a minimum is one when no exact figure is as small as the
    /// smallest bound; a maximum is one as soon as any figure is a bound
    /// ("at least" when an exact figure is the largest).
    fn qualifier(&self, func: Option<AggFn>) -> Option<&'static str> {
        let word = if self.strict { "more than" } else { "at least" };
        let (bound, exact) = (self.bound?, self.exact);
        let Some(func) = func else {
            return Some(word);
        };
        match func {
            AggFn::Sum | AggFn::Avg => Some(word),
            AggFn::Min => match exact {
                Some((lo, _)) if lo <= bound.0 => None,
                _ => Some(word),
            },
            AggFn::Max => match exact {
                Some((_, hi)) if hi > bound.1 => Some("at least"),
                _ => Some(word),
            },
            _ => None,
        }
    }
}

/// A result with its hedged columns shown as such, and the notes on them:
/// beside each column that sums, averages or takes the least or largest of
/// hedged figures, a `NAME_qualifier` column (`more than`, or null for an
/// exact figure), and notes saying, row by row, how many figures are lower
/// bounds and where statuses or measures are mixed.
pub fn hedge(table: Table, lineage: &Lineage, hedged: &[Hedged]) -> (Table, Vec<String>) {
    let mut notes = Vec::new();
    // Per hedged column: its qualifiers and details, row by row.
    let mut added = Vec::new();
    for h in hedged {
        let name = &table.fields()[h.column].name;
        let mut qualifiers = Vec::with_capacity(table.num_rows());
        let mut details = Vec::with_capacity(table.num_rows());
        for row in 0..table.num_rows() {
            let f = Figures::of(&h.table, lineage, row, h.only.as_ref());
            let qualifier = f.qualifier(h.func);
            let bounds = f.bounds();
            let sums = matches!(h.func, Some(AggFn::Sum | AggFn::Avg));
            qualifiers.push(qualifier.map(str::to_string));
            details.push((sums && bounds > 0 && bounds < f.count).then(|| {
                format!(
                    "{bounds} bound{}, {} exact",
                    if bounds == 1 { "" } else { "s" },
                    f.count - bounds
                )
            }));
            if h.func.is_none() {
                // A row's own figure: the qualifier column says it all.
                continue;
            }
            let label = row_label(&table, row, h.column);
            let shown = table.get(row, h.column);
            if let Some(word) = qualifier {
                let words: Vec<&str> = f.lower.iter().map(|(q, _)| q.as_str()).collect();
                let figures = f.count;
                let which = if figures == 1 {
                    format!("its one figure is a lower bound ({})", words.join(", "))
                } else if bounds == figures {
                    format!(
                        "all {figures} of its figures are lower bounds ({})",
                        words.join(", ")
                    )
                } else {
                    format!(
                        "{bounds} of its {figures} figures {} a lower bound ({}), {} exact",
                        if bounds == 1 { "is" } else { "are" },
                        words.join(", "),
                        figures - bounds
                    )
                };
                notes.push(format!("{label}: {name} is {word} {shown}: {which}"));
            }
            if f.unread > 0 {
                notes.push(format!(
                    "{label}: {name} rests on {} more rows whose hedges were not read (a group keeps {} ranges of rows), so it may be a lower bound where no bound is shown",
                    crate::value::format_count(f.unread),
                    crate::plan::lineage::MAX_RANGES
                ));
            }
            if !sums {
                continue;
            }
            if f.statuses.len() > 1 {
                notes.push(format!(
                    "{label}: {name} mixes statuses ({}); add `status` to `by` to keep them apart",
                    tally(&f.statuses),
                ));
            }
            if f.measures.len() > 1 {
                let list: Vec<&str> = f.measures.iter().map(|(m, _)| m.as_str()).collect();
                notes.push(format!(
                    "{label}: {name} adds {} different measures: {}",
                    f.measures.len(),
                    list.join(", ")
                ));
            }
        }
        let column = table.free_name(&format!("{name}_qualifier"));
        added.push((h.column, column, qualifiers, details));
    }
    // Each qualifier column goes right after its figures.
    let rows = table.num_rows();
    let mut named = table.named_columns();
    added.sort_by_key(|(c, ..)| *c);
    let mut hedges = Vec::new();
    for (k, (column, name, qualifiers, detail)) in added.into_iter().enumerate() {
        let value = column + k;
        named.insert(
            value + 1,
            (name, Arc::new(crate::store::Column::from_texts(qualifiers))),
        );
        hedges.push(crate::store::Hedge {
            value,
            qualifier: value + 1,
            detail,
        });
    }
    (Table::with_rows(named, rows).with_hedges(hedges), notes)
}

/// The `where` a result's rows last passed through, following each step's input.
fn last_filter(plan: &Plan) -> Option<(&Plan, &PExpr)> {
    match plan {
        Plan::Filter { input, predicate } => Some((input, predicate)),
        Plan::Sort { input, .. }
        | Plan::Limit { input, .. }
        | Plan::Top { input, .. }
        | Plan::Window { input, .. }
        | Plan::Project { input, .. }
        | Plan::Aggregate { input, .. }
        | Plan::Distinct { input, .. } => last_filter(input),
        Plan::Scan(_) | Plan::Join { .. } | Plan::Append { .. } | Plan::Unpivot { .. } => None,
    }
}

fn conjuncts(e: &PExpr, out: &mut Vec<PExpr>) {
    match &strip(e).kind {
        PExprKind::Logic(true, l, r) => {
            conjuncts(l, out);
            conjuncts(r, out);
        }
        _ => out.push(e.clone()),
    }
}

/// A condition in words, as itq would write it (`province = "Gansu"`).
fn words(e: &PExpr, fields: &[Field]) -> Option<String> {
    if let PExprKind::Located(span, source, inner) = &e.kind {
        // As the formatter would print it, so `itq fmt` never changes a note.
        let text = source.text.get(span.start..span.end);
        return text
            .and_then(crate::syntax::format::format_expression)
            .or_else(|| words(inner, fields));
    }
    Some(match &e.kind {
        PExprKind::Column(i) => fields.get(*i)?.name.clone(),
        PExprKind::Literal(Scalar::Text(s)) => format!("\"{s}\""),
        PExprKind::Literal(v) => v.to_string(),
        PExprKind::ToDecimal(x) => words(x, fields)?,
        PExprKind::Compare(op, l, r) => {
            let op = match op {
                CmpOp::Eq => "=",
                CmpOp::Ne => "!=",
                CmpOp::Lt => "<",
                CmpOp::Le => "<=",
                CmpOp::Gt => ">",
                CmpOp::Ge => ">=",
            };
            format!("{} {op} {}", words(l, fields)?, words(r, fields)?)
        }
        PExprKind::Contains(l, r) => {
            format!("{} contains {}", words(l, fields)?, words(r, fields)?)
        }
        PExprKind::IsNull(x, negated) => format!(
            "{} is {}null",
            words(x, fields)?,
            if *negated { "not " } else { "" }
        ),
        PExprKind::Logic(and, l, r) => format!(
            "{} {} {}",
            words(l, fields)?,
            if *and { "and" } else { "or" },
            words(r, fields)?
        ),
        PExprKind::Not(x) => format!("not ({})", words(x, fields)?),
        _ => return None,
    })
}

/// `column = "text"` (either way round): the column and the text.
fn text_equality(e: &PExpr) -> Option<(usize, String)> {
    let PExprKind::Compare(CmpOp::Eq, l, r) = &strip(e).kind else {
        return None;
    };
    match (&strip(l).kind, &strip(r).kind) {
        (PExprKind::Column(i), PExprKind::Literal(Scalar::Text(s)))
        | (PExprKind::Literal(Scalar::Text(s)), PExprKind::Column(i)) => Some((*i, s.to_string())),
        _ => None,
    }
}

fn and_all(cs: &[PExpr]) -> PExpr {
    let mut it = cs.iter().cloned();
    let first = it
        .next()
        .unwrap_or_else(|| PExpr::literal(Scalar::Bool(true)));
    it.fold(first, |acc, c| PExpr {
        kind: PExprKind::Logic(true, Box::new(acc), Box::new(c)),
        ty: Type::Bool,
    })
}

fn scan_of(table: &Arc<Table>) -> Plan {
    Plan::Scan(Scan {
        name: "rows".into(),
        location: Location::Memory(Arc::clone(table)),
    })
}

/// The rows of `table` where every one of `cs` holds.
fn rows_where(backend: &dyn Backend, table: &Arc<Table>, cs: &[PExpr]) -> Result<Table> {
    backend.execute(&Plan::Filter {
        input: Box::new(scan_of(table)),
        predicate: and_all(cs),
    })
}

/// The notes on an empty result, or on a null an aggregate answered: which
/// condition of the last `where` removed the last rows, the values its column
/// has instead, and where else the fact base names the texts asked for.
pub fn empty_or_null(
    plan: &Plan,
    result: &Table,
    catalog: &Catalog,
    backend: &dyn Backend,
) -> Result<Vec<String>> {
    // One row of aggregates over no groups: null, or a count of none.
    let null_answer = match aggregate_of(plan) {
        Some(Plan::Aggregate { keys, aggs, .. }) if keys.is_empty() && result.num_rows() == 1 => {
            aggs.iter().enumerate().any(|(c, a)| {
                let v = result.get(0, c);
                v.is_null() || (a.func == AggFn::Count && v == Scalar::Int(0))
            })
        }
        _ => false,
    };
    if result.num_rows() > 0 && !null_answer {
        return Ok(Vec::new());
    }
    let Some((input, predicate)) = last_filter(plan) else {
        return Ok(Vec::new());
    };
    let name = match input {
        Plan::Scan(s) => format!("`{}`", s.name),
        _ => "the rows before `where`".to_string(),
    };
    let rows = Arc::new(backend.execute(input)?);
    let fields = rows.fields().to_vec();
    let mut cs = Vec::new();
    conjuncts(predicate, &mut cs);
    let mut notes = Vec::new();
    let mut before = Arc::clone(&rows);
    for k in 0..cs.len() {
        let kept = rows_where(backend, &before, &cs[k..=k])?;
        if kept.num_rows() > 0 {
            before = Arc::new(kept);
            continue;
        }
        // A condition the note cannot put in words (`x in (QUERY)`) gets no
        // note rather than a vague one.
        let Some(cond) = words(&cs[k], &fields) else {
            break;
        };
        let mut note = if k == 0 {
            format!("no row of {name} has {cond}")
        } else {
            let prior = words(&and_all(&cs[..k]), &fields).unwrap_or_default();
            let n = before.num_rows();
            let (have, none) = if n == 1 {
                ("has", "it does not have")
            } else {
                ("have", "none of them has")
            };
            format!(
                "{} of {name} {have} {prior}, but {none} {cond}",
                rows_text(n)
            )
        };
        if let Some((col, text)) = text_equality(&cs[k]) {
            note.push_str(&nearby(&before, col, &text, &name));
        }
        notes.push(note);
        notes.extend(elsewhere(catalog, &cs, input));
        return Ok(notes);
    }
    // Rows passed the `where`, yet the aggregate is null: its values are.
    // (An empty result that no condition explains, such as one after
    // `top 0`, has no row to read and gets no note.)
    if let (true, Some(Plan::Aggregate { aggs, .. })) = (null_answer, aggregate_of(plan)) {
        for (c, agg) in aggs.iter().enumerate() {
            let Some(arg) = agg.arg.as_ref() else {
                continue;
            };
            if !result.get(0, c).is_null() {
                continue;
            }
            let what = words(arg, &fields).unwrap_or_else(|| "its value".into());
            let cond = words(predicate, &fields).unwrap_or_default();
            notes.push(format!(
                "{} is null: {what} is null in all {} of {name} where {cond}",
                agg.name,
                rows_text(before.num_rows())
            ));
        }
    }
    Ok(notes)
}

/// The aggregate step a result comes from, through sorts and limits.
fn aggregate_of(plan: &Plan) -> Option<&Plan> {
    match plan {
        Plan::Aggregate { .. } => Some(plan),
        Plan::Sort { input, .. } | Plan::Limit { input, .. } => aggregate_of(input),
        _ => None,
    }
}

fn rows_text(n: usize) -> String {
    format!(
        "{} row{}",
        crate::value::format_count(n as u64),
        if n == 1 { "" } else { "s" }
    )
}

/// ` (values of `province` in `projects`: Anhui, Fujian, …; "gansu" differs only in case)`.
fn nearby(rows: &Table, col: usize, asked: &str, name: &str) -> String {
    let column = rows.column_at(col);
    let mut values: Vec<String> = (0..rows.num_rows())
        .filter(|&r| column.is_valid(r))
        .map(|r| rows.get(r, col).to_string())
        .collect();
    values.sort();
    values.dedup();
    if values.is_empty() {
        return String::new();
    }
    let field = &rows.fields()[col].name;
    let shown: Vec<&str> = values.iter().take(12).map(String::as_str).collect();
    let more = if values.len() > 12 {
        format!(" and {} more", values.len() - 12)
    } else {
        String::new()
    };
    let mut text = format!(" (`{field}` in {name}: {}{more})", shown.join(", "));
    if let Some(same) = values.iter().find(|v| v.eq_ignore_ascii_case(asked)) {
        text.push_str(&format!("; did you mean \"{same}\"? Text compares exactly"));
    }
    text
}

/// Where the other cited relations name what the conditions asked for
/// together: a row with one asked text in a column and another asked text
/// within another column (`event_sectors` has sector = "new energy" in a row
/// whose event contains "Gansu").
fn elsewhere(catalog: &Catalog, cs: &[PExpr], input: &Plan) -> Vec<String> {
    let asked: Vec<String> = cs
        .iter()
        .filter_map(|c| text_equality(c).map(|(_, t)| t))
        .collect();
    if asked.len() < 2 {
        return Vec::new();
    }
    let scanned = match input {
        Plan::Scan(s) => Some(s.name.as_str()),
        _ => None,
    };
    let mut notes = Vec::new();
    for (name, rel) in catalog.relations() {
        if rel.kind != RelationKind::Fact
            || name == facts::EVIDENCE
            || name == facts::SOURCES
            || Some(name) == scanned
        {
            continue;
        }
        let t = &rel.table;
        let texts: Vec<usize> = (0..t.num_columns())
            .filter(|&c| t.fields()[c].ty == Type::Text && !t.fields()[c].name.ends_with("source"))
            .collect();
        for (i, a) in asked.iter().enumerate() {
            for &ca in &texts {
                for (j, b) in asked.iter().enumerate() {
                    if i == j {
                        continue;
                    }
                    for &cb in texts.iter().filter(|&&c| c != ca) {
                        let n = (0..t.num_rows())
                            .filter(|&r| {
                                t.get(r, ca).to_string().eq_ignore_ascii_case(a)
                                    && t.get(r, cb)
                                        .to_string()
                                        .to_lowercase()
                                        .contains(&b.to_lowercase())
                            })
                            .count();
                        if n > 0 {
                            let (fa, fb) = (&t.fields()[ca].name, &t.fields()[cb].name);
                            notes.push(format!(
                                "`{name}` has {fa} = \"{a}\" in {} whose {fb} contains \"{b}\": `{name} where {fa} = \"{a}\" and {fb} contains \"{b}\"`",
                                rows_text(n),
                            ));
                        }
                    }
                }
            }
        }
    }
    notes
}

/// `value OP number` (either way round): the column, the operator as if the
/// column were on the left, and the number.
fn numeric_comparison(e: &PExpr) -> Option<(usize, CmpOp, f64)> {
    let PExprKind::Compare(op, l, r) = &strip(e).kind else {
        return None;
    };
    let number = |e: &PExpr| match &strip(e).kind {
        PExprKind::Literal(Scalar::Int(v)) => Some(*v as f64),
        PExprKind::Literal(Scalar::Decimal(v)) => Some(*v),
        _ => None,
    };
    match (&strip(l).kind, &strip(r).kind) {
        (PExprKind::Column(i), _) => Some((*i, *op, number(r)?)),
        (_, PExprKind::Column(i)) => Some((*i, op.flipped(), number(l)?)),
        _ => None,
    }
}

/// Whether some figure above the lower bound `x` satisfies `OP c`.
fn may_hold(op: CmpOp, x: f64, c: f64) -> bool {
    match op {
        CmpOp::Gt | CmpOp::Ge | CmpOp::Ne => true,
        CmpOp::Lt | CmpOp::Le | CmpOp::Eq => x < c,
    }
}

/// The note on rows the last `where` left out whose `value` is a lower bound
/// that might satisfy its comparison (`value > 300` and "more than 300"):
/// comparisons are decided on the figure as written, and this says how many
/// such rows were left out.
pub fn bounds_left_out(
    plan: &Plan,
    view_of: &dyn Fn(&Scan) -> Option<Arc<Plan>>,
    backend: &dyn Backend,
) -> Result<Vec<String>> {
    let Some((input, predicate)) = last_filter(plan) else {
        return Ok(Vec::new());
    };
    let mut cs = Vec::new();
    conjuncts(predicate, &mut cs);
    let mut notes = Vec::new();
    for (k, c) in cs.iter().enumerate() {
        let Some((col, op, bound)) = numeric_comparison(c) else {
            continue;
        };
        let Some(Derived::Stored(table, v)) = derive(input, col, view_of) else {
            continue;
        };
        let Some(q) = table.position("qualifier") else {
            continue;
        };
        if table.fields()[v].name != "value" {
            continue;
        }
        // The qualifier as the rows reach the `where`.
        let Some(qcol) = (0..input.width()).find(|&j| {
            matches!(derive(input, j, view_of), Some(Derived::Stored(t, i)) if Arc::ptr_eq(&t, &table) && i == q)
        }) else {
            continue;
        };
        let rows = Arc::new(backend.execute(input)?);
        let others: Vec<PExpr> = cs
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != k)
            .map(|(_, c)| c.clone())
            .collect();
        let rest = rows_where(backend, &rows, &others)?;
        let mut left_out = Vec::new();
        for r in 0..rest.num_rows() {
            let x = match rest.get(r, col) {
                Scalar::Decimal(x) => x,
                Scalar::Int(x) => x as f64,
                _ => continue,
            };
            let qualifier = rest.get(r, qcol).to_string();
            let as_written = op.holds(x.total_cmp(&bound));
            if LOWER_BOUNDS.contains(&qualifier.as_str()) && !as_written && may_hold(op, x, bound) {
                left_out.push(format!("{qualifier} {}", rest.get(r, col)));
            }
        }
        if !left_out.is_empty() {
            let cond = words(c, rows.fields()).unwrap_or_else(|| "its comparison".into());
            let n = left_out.len();
            notes.push(format!(
                "`where` left out {} whose value is a lower bound that may satisfy {cond} ({}); comparisons read the figure as written",
                rows_text(n),
                left_out.join(", ")
            ));
        }
    }
    Ok(notes)
}
