//! The checked plan: every name resolved (columns by position, relations to
//! their names and data) and every expression typed. Produced by `check` and
//! handed to a [`Backend`] to run: the native columnar engine (`exec`) today,
//! SQL engines next. This module depends on neither, and neither depends on
//! the other: the plan is the one seam between checking and running.

use crate::error::Result;
use crate::source::{Source, Span};
use crate::store::{Field, Table};
use crate::value::{Scalar, Type};
use std::sync::Arc;

pub mod builtins;
pub mod lineage;

pub use builtins::{AggFn, Func, WindowFn};

/// A typed expression over the columns of its input.
#[derive(Debug, Clone, PartialEq)]
pub struct PExpr {
    /// What to compute.
    pub kind: PExprKind,
    /// The result type.
    pub ty: Type,
}

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/` (always decimal)
    Div,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// Whether an ordering satisfies the comparison.
    #[inline]
    pub fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CmpOp::Eq => ord == Equal,
            CmpOp::Ne => ord != Equal,
            CmpOp::Lt => ord == Less,
            CmpOp::Le => ord != Greater,
            CmpOp::Gt => ord == Greater,
            CmpOp::Ge => ord != Less,
        }
    }

    /// The operator with its operands swapped: `a < b` is `b > a`.
    pub fn flipped(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            other => other,
        }
    }
}

/// The kinds of typed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum PExprKind {
    /// The input column at this position.
    Column(usize),
    /// A constant.
    Literal(Scalar),
    /// An integer widened to decimal.
    ToDecimal(Box<PExpr>),
    /// `-x`.
    Neg(Box<PExpr>),
    /// `not x`.
    Not(Box<PExpr>),
    /// Arithmetic on two operands of the same numeric type, or on dates.
    Arith(ArithOp, Box<PExpr>, Box<PExpr>),
    /// A comparison of two operands of the same type.
    Compare(CmpOp, Box<PExpr>, Box<PExpr>),
    /// `and` (true) or `or` (false), with SQL's three-valued logic.
    Logic(bool, Box<PExpr>, Box<PExpr>),
    /// Case-insensitive substring test.
    Contains(Box<PExpr>, Box<PExpr>),
    /// `is null` (false) / `is not null` (true).
    IsNull(Box<PExpr>, bool),
    /// A built-in function call.
    Func(Func, Vec<PExpr>),
    /// An operation as written at this span of this source: an error while
    /// computing it points there.
    Located(Span, Arc<Source>, Box<PExpr>),
    /// `x [not] in (QUERY)` (true for `not in`): whether x equals a value of
    /// the query's one column, with SQL's rule for nulls: true if found;
    /// otherwise null if x is null or the values hold a null (and there are
    /// values); otherwise false. Over no values, `in` is false and `not in`
    /// true, even for a null x.
    InQuery(Box<PExpr>, SubQuery, bool),
    /// The one value of a query of one column: null over no rows, an error
    /// over more than one.
    ScalarQuery(SubQuery),
    /// `CASE WHEN cond THEN value END`: the value where the condition is
    /// true, null elsewhere (a pivot's conditional aggregates).
    When(Box<PExpr>, Box<PExpr>),
}

/// A query inside an expression. It reads none of the outer query's
/// columns, so a backend runs it once per evaluation.
#[derive(Debug, Clone)]
pub struct SubQuery(pub Arc<Plan>);

impl PartialEq for SubQuery {
    fn eq(&self, other: &SubQuery) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl PExpr {
    /// Adds the input column positions the expression reads to `out`.
    pub fn columns_used(&self, out: &mut Vec<usize>) {
        self.children().for_each(|c| c.columns_used(out));
        if let PExprKind::Column(i) = self.kind {
            out.push(i);
        }
    }

    /// The same expression reading column `to(i)` wherever this one reads column `i`.
    pub fn map_columns(&self, to: &impl Fn(usize) -> usize) -> PExpr {
        let b = |e: &PExpr| Box::new(e.map_columns(to));
        let kind = match &self.kind {
            PExprKind::Column(i) => PExprKind::Column(to(*i)),
            PExprKind::Literal(v) => PExprKind::Literal(v.clone()),
            PExprKind::ToDecimal(e) => PExprKind::ToDecimal(b(e)),
            PExprKind::Neg(e) => PExprKind::Neg(b(e)),
            PExprKind::Not(e) => PExprKind::Not(b(e)),
            PExprKind::Arith(op, l, r) => PExprKind::Arith(*op, b(l), b(r)),
            PExprKind::Compare(op, l, r) => PExprKind::Compare(*op, b(l), b(r)),
            PExprKind::Logic(and, l, r) => PExprKind::Logic(*and, b(l), b(r)),
            PExprKind::Contains(l, r) => PExprKind::Contains(b(l), b(r)),
            PExprKind::IsNull(e, negated) => PExprKind::IsNull(b(e), *negated),
            PExprKind::Func(f, args) => {
                PExprKind::Func(*f, args.iter().map(|a| a.map_columns(to)).collect())
            }
            PExprKind::Located(span, source, e) => {
                PExprKind::Located(*span, Arc::clone(source), b(e))
            }
            PExprKind::InQuery(e, q, negated) => PExprKind::InQuery(b(e), q.clone(), *negated),
            PExprKind::ScalarQuery(q) => PExprKind::ScalarQuery(q.clone()),
            PExprKind::When(c, v) => PExprKind::When(b(c), b(v)),
        };
        PExpr { kind, ty: self.ty }
    }

    fn children(&self) -> Box<dyn Iterator<Item = &PExpr> + '_> {
        match &self.kind {
            PExprKind::Column(_) | PExprKind::Literal(_) | PExprKind::ScalarQuery(_) => {
                Box::new(std::iter::empty())
            }
            PExprKind::ToDecimal(e)
            | PExprKind::InQuery(e, _, _)
            | PExprKind::Neg(e)
            | PExprKind::Not(e)
            | PExprKind::IsNull(e, _)
            | PExprKind::Located(_, _, e) => Box::new(std::iter::once(&**e)),
            PExprKind::Arith(_, l, r)
            | PExprKind::Compare(_, l, r)
            | PExprKind::Logic(_, l, r)
            | PExprKind::Contains(l, r)
            | PExprKind::When(l, r) => Box::new([&**l, &**r].into_iter()),
            PExprKind::Func(_, args) => Box::new(args.iter()),
        }
    }

    /// A constant expression.
    pub fn literal(value: Scalar) -> PExpr {
        PExpr {
            ty: value.ty(),
            kind: PExprKind::Literal(value),
        }
    }
}

/// One aggregate of an aggregate step.
#[derive(Debug, Clone, PartialEq)]
pub struct PAgg {
    /// The output column name.
    pub name: String,
    /// Which aggregate.
    pub func: AggFn,
    /// `count distinct`.
    pub distinct: bool,
    /// The argument (absent for plain `count`).
    pub arg: Option<PExpr>,
    /// The second argument: `y` of `corr`/`covar` (an expression), `p` of
    /// `quantile` (a decimal literal from 0 to 1).
    pub arg2: Option<PExpr>,
    /// The result type.
    pub ty: Type,
}

impl PAgg {
    /// The same aggregate reading column `to(i)` wherever this one reads column `i`.
    pub fn map_columns(&self, to: &impl Fn(usize) -> usize) -> PAgg {
        PAgg {
            arg: self.arg.as_ref().map(|e| e.map_columns(to)),
            arg2: self.arg2.as_ref().map(|e| e.map_columns(to)),
            ..self.clone()
        }
    }
}

/// One window function of a window step.
#[derive(Debug, Clone, PartialEq)]
pub struct PWindow {
    /// Which function (its exact semantics are on [`WindowFn`]).
    pub func: WindowFn,
    /// The argument (`x` of `lag(x)`, `share(x)`...; absent for the ranks).
    pub arg: Option<PExpr>,
    /// The row offset of `lag`/`lead` (1 unless given; 0 or more).
    pub offset: usize,
    /// The result type.
    pub ty: Type,
}

/// A sort key.
#[derive(Debug, Clone, PartialEq)]
pub struct PSortKey {
    /// The key expression.
    pub expr: PExpr,
    /// Largest first.
    pub descending: bool,
}

/// What runs checked plans.
pub trait Backend {
    /// Runs `plan` to its result.
    fn execute(&self, plan: &Plan) -> Result<Table>;
    /// The value of a constant expression (one that reads no column); the
    /// checker folds `limit 2 * 5` and a def's arguments through this.
    fn constant(&self, e: &PExpr) -> Result<Scalar>;
}

/// A stored relation as a plan reads it: by name (so a SQL backend can write
/// `FROM name`) and where its rows are.
#[derive(Debug, Clone)]
pub struct Scan {
    /// The name the query used (a built-in relation, a `let`, a loaded file).
    pub name: String,
    /// Where the rows are.
    pub location: Location,
}

/// Where a relation's rows are.
#[derive(Debug, Clone)]
pub enum Location {
    /// In this process, as columns.
    Memory(Arc<Table>),
    /// In a table of an attached database (`attach "postgres://..." as wh`):
    /// the query, or the part of it that reads only that database, runs there.
    Attached {
        /// The name the database was attached as.
        database: String,
        /// The table's name inside that database.
        table: String,
        /// Its columns, as itq reads them.
        fields: Vec<Field>,
    },
}

/// A step of a checked query. Each step takes its input table to a new table.
#[derive(Debug, Clone)]
pub enum Plan {
    /// The rows of a stored relation.
    Scan(Scan),
    /// Keep the rows where the predicate is true.
    Filter {
        /// Input rows.
        input: Box<Plan>,
        /// A boolean expression.
        predicate: PExpr,
    },
    /// Compute the output columns from the input's.
    Project {
        /// Input rows.
        input: Box<Plan>,
        /// Output names and expressions.
        columns: Vec<(String, PExpr)>,
    },
    /// Group by keys (none: one group) and aggregate.
    Aggregate {
        /// Input rows.
        input: Box<Plan>,
        /// Grouping keys, named.
        keys: Vec<(String, PExpr)>,
        /// Aggregates.
        aggs: Vec<PAgg>,
    },
    /// Order rows (stable; nulls last).
    Sort {
        /// Input rows.
        input: Box<Plan>,
        /// Keys, most significant first.
        keys: Vec<PSortKey>,
    },
    /// The first `n` rows.
    Limit {
        /// Input rows.
        input: Box<Plan>,
        /// How many.
        n: usize,
    },
    /// The `n` rows with the largest (or smallest) key, in order; ties keep
    /// input order. With `per` keys: the `n` such rows of each group (SQL:
    /// `row_number() OVER (PARTITION BY per ORDER BY key) <= n`), groups in
    /// order of their first row in the input, each group's rows in key order.
    Top {
        /// Input rows.
        input: Box<Plan>,
        /// How many.
        n: usize,
        /// The ranking key.
        key: PSortKey,
        /// The groups to rank within (empty: all rows are one group).
        per: Vec<PExpr>,
    },
    /// Window functions: the input's rows and columns, in input order, plus
    /// one column per function, computed within the groups of `per` (null is
    /// a key value like any other; no keys: all rows) along the order of
    /// `along` (stable, nulls last; no keys: input order). SQL:
    /// `f(...) OVER (PARTITION BY per ORDER BY along)`, with input order as
    /// the last tie-break.
    Window {
        /// Input rows.
        input: Box<Plan>,
        /// Partition keys.
        per: Vec<PExpr>,
        /// Order keys, most significant first.
        along: Vec<PSortKey>,
        /// The functions, whose columns follow the input's in this order.
        funcs: Vec<PWindow>,
    },
    /// An equi-join.
    Join {
        /// Left rows.
        left: Box<Plan>,
        /// Right rows.
        right: Box<Plan>,
        /// Key column positions on the left.
        left_keys: Vec<usize>,
        /// Key column positions on the right.
        right_keys: Vec<usize>,
        /// Keep left rows without a match (right columns null).
        keep_unmatched: bool,
        /// Right columns kept, with their output names.
        right_columns: Vec<(usize, String)>,
        /// How to name the keys in a note on keys that found no partner.
        note: JoinNote,
    },
    /// The rows of `left`, then those of `right` (SQL: `UNION ALL`), with
    /// the left's column names and the given types (an integer column meeting
    /// a decimal one becomes decimal).
    Append {
        /// The first rows.
        left: Box<Plan>,
        /// The rows after them.
        right: Box<Plan>,
        /// For each output column, its position on the right.
        right_columns: Vec<usize>,
        /// The output column types.
        types: Vec<Type>,
    },
    /// For each input row, one row per column of `columns`, in that order:
    /// the `keep` columns, the column's name (text) and its value (of type
    /// `ty`). Nulls are kept.
    Unpivot {
        /// Input rows.
        input: Box<Plan>,
        /// The columns kept as they are.
        keep: Vec<usize>,
        /// The columns turned into rows: their names and positions.
        columns: Vec<(String, usize)>,
        /// The names of the new columns: of the names, of the values.
        names: (String, String),
        /// The type of the value column.
        ty: Type,
    },
    /// One row per distinct combination of the columns.
    Distinct {
        /// Input rows.
        input: Box<Plan>,
        /// The columns kept and compared.
        columns: Vec<usize>,
    },
}

/// What a note on a join's unmatched keys calls them (only the native
/// backend writes such notes).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JoinNote {
    /// The left keys as written (`省份`, `province(省份)`).
    pub left: String,
    /// The right side and its keys as written (`provinces`, `name`).
    pub right: String,
    /// The right keys as written.
    pub right_keys: String,
    /// A left column whose values name the rows whose computed key is null
    /// (`省份` for `province(省份)`).
    pub shown: Option<usize>,
    /// Whether the left key is already `province(...)`.
    pub province: bool,
}

impl Plan {
    /// The plans this step reads: none for a scan, two for a join.
    pub fn inputs(&self) -> Vec<&Plan> {
        match self {
            Plan::Scan(_) => Vec::new(),
            Plan::Join { left, right, .. } | Plan::Append { left, right, .. } => {
                vec![left, right]
            }
            Plan::Unpivot { input, .. } => vec![input],
            Plan::Filter { input, .. }
            | Plan::Project { input, .. }
            | Plan::Aggregate { input, .. }
            | Plan::Sort { input, .. }
            | Plan::Limit { input, .. }
            | Plan::Top { input, .. }
            | Plan::Window { input, .. }
            | Plan::Distinct { input, .. } => vec![input],
        }
    }

    /// This step over other inputs, in the order [`Plan::inputs`] gives them.
    pub fn with_inputs(&self, inputs: Vec<Plan>) -> Plan {
        let mut step = self.clone();
        let mut inputs = inputs.into_iter();
        let mut next = |slot: &mut Box<Plan>| {
            if let Some(p) = inputs.next() {
                **slot = p;
            }
        };
        match &mut step {
            Plan::Scan(_) => {}
            Plan::Join { left, right, .. } | Plan::Append { left, right, .. } => {
                next(left);
                next(right);
            }
            Plan::Unpivot { input, .. } => next(input),
            Plan::Filter { input, .. }
            | Plan::Project { input, .. }
            | Plan::Aggregate { input, .. }
            | Plan::Sort { input, .. }
            | Plan::Limit { input, .. }
            | Plan::Top { input, .. }
            | Plan::Window { input, .. }
            | Plan::Distinct { input, .. } => next(input),
        }
        step
    }

    /// How many columns this step's result has.
    pub fn width(&self) -> usize {
        match self {
            Plan::Scan(Scan { location, .. }) => match location {
                Location::Memory(t) => t.num_columns(),
                Location::Attached { fields, .. } => fields.len(),
            },
            Plan::Project { columns, .. } => columns.len(),
            Plan::Aggregate { keys, aggs, .. } => keys.len() + aggs.len(),
            Plan::Window { input, funcs, .. } => input.width() + funcs.len(),
            Plan::Join {
                left,
                right_columns,
                ..
            } => left.width() + right_columns.len(),
            Plan::Distinct { columns, .. } => columns.len(),
            Plan::Append { types, .. } => types.len(),
            Plan::Unpivot { keep, .. } => keep.len() + 2,
            Plan::Filter { input, .. }
            | Plan::Sort { input, .. }
            | Plan::Limit { input, .. }
            | Plan::Top { input, .. } => input.width(),
        }
    }
}

/// A checked query: its plan and the fields of its result.
#[derive(Debug, Clone)]
pub struct CheckedQuery {
    /// What to run.
    pub plan: Plan,
    /// The result's columns.
    pub fields: Vec<Field>,
}
