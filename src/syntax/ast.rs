//! The typed syntax tree. Every node carries the span of source text it came from;
//! nothing after parsing sees pest's pairs.

use crate::source::Span;

/// A whole script or prompt entry: statements in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    /// The statements, in source order.
    pub statements: Vec<Statement>,
    /// Every `$parameter` the text uses, in order (the name without `$`).
    pub params: Vec<Ident>,
}

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// What kind of statement it is.
    pub kind: StatementKind,
    /// Its text.
    pub span: Span,
}

/// The kinds of statement.
#[derive(Debug, Clone, PartialEq)]
pub enum StatementKind {
    /// A query whose result is shown.
    Query(Query),
    /// `let NAME = QUERY`: a named relation. A query that is only a name or a
    /// call may turn out to name a scalar; the checker decides.
    Let {
        /// The new name.
        name: Ident,
        /// Its definition.
        query: Query,
    },
    /// `let NAME = EXPR`: a named scalar.
    LetScalar {
        /// The new name.
        name: Ident,
        /// Its value.
        expr: Expr,
    },
    /// `def NAME(p, ...) = QUERY`: a parameterised query.
    Def {
        /// The name callers use.
        name: Ident,
        /// Parameter names.
        params: Vec<Ident>,
        /// The body, checked at each call with the arguments bound.
        body: Query,
    },
    /// `load PATH [as NAME] [with (COL: TYPE, ...)] [format F] [delimiter "D"]`.
    Load(Load),
    /// `describe NAME`: the columns of a relation or def, as a table.
    Describe(Ident),
    /// `attach URL as NAME`: a database whose tables queries read as `NAME.table`.
    Attach {
        /// Where the database is: a string or a `$parameter`.
        url: Expr,
        /// The name its tables are read under.
        name: Ident,
    },
    /// `detach NAME`: forgets an attached database.
    Detach(Ident),
    /// `save QUERY to PATH [replace] [bom] [sheet "NAME"]`.
    Save {
        /// What to write.
        query: Query,
        /// Where: a string or a `$parameter`.
        path: Expr,
        /// True when `replace` allows overwriting an existing file.
        replace: bool,
        /// True when `bom` asks for a UTF-8 byte-order mark (CSV).
        bom: bool,
        /// `sheet "NAME"`: the sheet's name in a workbook.
        sheet: Option<(String, Span)>,
    },
}

/// A `load` statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Load {
    /// The file: a string or a `$parameter`.
    pub path: Expr,
    /// The relation's name (by default, from the file name).
    pub name: Option<Ident>,
    /// Types given for some columns: `with (year: int)`.
    pub types: Vec<(Ident, Ident)>,
    /// Money units given after a column's type (`with (amount: decimal 亿元)`):
    /// the column and the unit as written (a string's text, unquoted).
    pub units: Vec<(Ident, Ident)>,
    /// `format csv|json|ndjson`, overriding the extension.
    pub format: Option<Ident>,
    /// `delimiter ";"`, overriding detection, with its span.
    pub delimiter: Option<(String, Span)>,
    /// The other options (`encoding`, `skip`, `header`, `footer`, `na`,
    /// `thousands`, `sheet`, `range`), in the order written.
    pub settings: Vec<LoadSetting>,
}

/// One `load` option: its word and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadSetting {
    /// The word, lower-cased, with its span.
    pub name: Ident,
    /// The value as written.
    pub value: SettingValue,
}

/// The value of a `load` option.
#[derive(Debug, Clone, PartialEq)]
pub enum SettingValue {
    /// A string, unescaped, with its span.
    Text(String, Span),
    /// A count, with its span (`None` when too large for 64 bits).
    Count(Option<u64>, Span),
    /// A parenthesised list of strings.
    List(Vec<(String, Span)>, Span),
}

impl SettingValue {
    /// Where the value was written.
    pub fn span(&self) -> Span {
        match self {
            SettingValue::Text(_, s) | SettingValue::Count(_, s) | SettingValue::List(_, s) => *s,
        }
    }
}

/// A name as written (backquotes removed), with its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// A source followed by clauses applied left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// Where the rows come from.
    pub source: Source,
    /// What is done to them, in order.
    pub clauses: Vec<Clause>,
    /// The whole query's text.
    pub span: Span,
}

/// The start of a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A relation, `let` or `def` name (a def with no parameters may omit the parentheses).
    Name(Ident),
    /// A `def` call with arguments.
    Call {
        /// The def's name.
        name: Ident,
        /// Argument expressions.
        args: Vec<Expr>,
        /// The whole call.
        span: Span,
    },
    /// `( QUERY )`.
    Query(Box<Query>),
}

impl Source {
    /// The source's text span.
    pub fn span(&self) -> Span {
        match self {
            Source::Name(i) => i.span,
            Source::Call { span, .. } => *span,
            Source::Query(q) => q.span,
        }
    }
}

/// One clause.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    /// What it does.
    pub kind: ClauseKind,
    /// Its text.
    pub span: Span,
}

/// The kinds of clause.
#[derive(Debug, Clone, PartialEq)]
pub enum ClauseKind {
    /// `where EXPR`.
    Where(Expr),
    /// `select EXPR [as NAME], ...`.
    Select(Vec<Item>),
    /// `derive EXPR as NAME, ... [per KEY, ...] [along KEY [asc|desc], ...]`
    /// (every item has a name). `per` and `along` are the window of the
    /// window functions in the items (`rank()`, `lag(x)`, `share(x)`...).
    Derive {
        /// The derived columns.
        items: Vec<Item>,
        /// The groups window functions compute within (empty: all rows).
        per: Vec<Expr>,
        /// The order window functions follow (empty: input order).
        along: Vec<SortKey>,
    },
    /// `count, sum X as total, ... [by KEY, ...]`.
    Aggregate {
        /// The aggregates.
        items: Vec<AggItem>,
        /// The grouping keys (empty: one group).
        by: Vec<Item>,
    },
    /// `sort KEY [asc|desc], ...`.
    Sort(Vec<SortKey>),
    /// `limit N`.
    Limit(Expr),
    /// `top N by EXPR [asc|desc] [per KEY, ...]` (descending unless `asc`).
    Top {
        /// How many rows.
        n: Expr,
        /// The ranking expression.
        by: Expr,
        /// True unless `asc` was written.
        descending: bool,
        /// Keep `n` rows within each group of these keys (empty: in all).
        per: Vec<Expr>,
    },
    /// `[left] join SOURCE on KEY, ...`.
    Join {
        /// `left join` keeps unmatched left rows.
        left: bool,
        /// The right-hand side.
        source: Source,
        /// The key pairs.
        keys: Vec<JoinKey>,
    },
    /// `distinct [COL, ...]`.
    Distinct(Vec<Ident>),
    /// `chart`: show the result as a bar chart (the last clause of a shown query).
    Chart,
    /// `append SOURCE`: the input's rows, then the source's (the same
    /// columns, matched by name).
    Append(Source),
    /// `union SOURCE`: as `append SOURCE`, then one row per distinct row, in
    /// order of first appearance (SQL's `UNION`).
    Union(Source),
    /// `pivot COL in (V, ...) AGG [by KEY, ...]`: one row per group of the
    /// keys, one column per value `V` of `COL` holding the aggregate over the
    /// group's rows with that value.
    Pivot {
        /// The column whose values become columns.
        column: Ident,
        /// The values, each a column of the result.
        values: Vec<Expr>,
        /// The aggregate computed for each value.
        agg: AggItem,
        /// The grouping keys (empty: one group).
        by: Vec<Item>,
    },
    /// `unpivot COL, ... into NAME, VALUE`: one row per input row and listed
    /// column, with the column's name in `NAME` and its value in `VALUE`.
    Unpivot {
        /// The columns turned into rows.
        columns: Vec<Ident>,
        /// The new column of column names.
        name: Ident,
        /// The new column of values.
        value: Ident,
    },
    /// `cite`: add each result row's sources and a legend (ends a query).
    Cite,
    /// `why [N]`: show the fact rows behind result row N, or every row (ends a query).
    Why(Option<u64>),
}

/// `EXPR [as NAME]` in select, derive and by.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The expression.
    pub expr: Expr,
    /// The name given with `as`.
    pub alias: Option<Ident>,
}

pub use crate::plan::AggFn;

/// One aggregate in an aggregate clause.
#[derive(Debug, Clone, PartialEq)]
pub struct AggItem {
    /// Which aggregate.
    pub func: AggFn,
    /// `count distinct X`, `list distinct X`.
    pub distinct: bool,
    /// The argument (absent only for plain `count`).
    pub arg: Option<Expr>,
    /// The second argument of `quantile(x, p)`, `corr(x, y)` and the like.
    pub arg2: Option<Expr>,
    /// The name given with `as`.
    pub alias: Option<Ident>,
    /// The item's text.
    pub span: Span,
}

/// `EXPR [asc|desc]` in sort.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    /// The key.
    pub expr: Expr,
    /// True for `desc`.
    pub descending: bool,
}

/// `COL` or `LEFT = RIGHT` in a join.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinKey {
    /// The column on the left.
    pub left: Ident,
    /// The column on the right (the same name as `left` when written as `on COL`).
    pub right: Ident,
    /// True for `on COL`: the key column appears once in the result.
    pub shared: bool,
    /// A left key computed by a function call (`on province(省份) = name`);
    /// `left` then holds the call's text and span, for messages.
    pub computed: Option<Expr>,
}

/// An expression with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Its text.
    pub span: Span,
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`.
    Neg,
    /// `not x`.
    Not,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `or`
    Or,
    /// `and`
    And,
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
    /// `contains` (case-insensitive substring)
    Contains,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "=",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Contains => "contains",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }

    /// True for `= != < <= > >=`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        )
    }
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// An integer literal.
    Int(i64),
    /// A decimal literal.
    Decimal(f64),
    /// A string literal, escapes resolved.
    Text(String),
    /// A date literal, as days since 1970-01-01.
    Date(i32),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// A column, `let` scalar or def parameter name.
    Name(Ident),
    /// `$name`: a script parameter (the identifier holds the name without `$`).
    Param(Ident),
    /// A function call.
    Call {
        /// The function's name.
        name: Ident,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `-x`, `not x`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        expr: Box<Expr>,
    },
    /// `a OP b`.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// `x [not] in (a, b, ...)`.
    In {
        /// The tested value.
        expr: Box<Expr>,
        /// The candidates.
        list: Vec<Expr>,
        /// `not in`.
        negated: bool,
    },
    /// `x [not] in (QUERY)`: whether x is among the values of the query's
    /// one column (SQL's rule for nulls).
    InQuery {
        /// The tested value.
        expr: Box<Expr>,
        /// The query giving the values.
        query: Box<Query>,
        /// `not in`.
        negated: bool,
    },
    /// `x [not] between lo and hi` (both ends included).
    Between {
        /// The tested value.
        expr: Box<Expr>,
        /// Lower bound.
        low: Box<Expr>,
        /// Upper bound.
        high: Box<Expr>,
        /// `not between`.
        negated: bool,
    },
    /// `x is [not] null`.
    IsNull {
        /// The tested value.
        expr: Box<Expr>,
        /// `is not null`.
        negated: bool,
    },
}
