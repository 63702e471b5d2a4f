//! The built-in functions and aggregates, described once: names,
//! signatures, one-line docs and type rules. The checker types calls with
//! them, `--help-functions`, `.help` and docs/reference.md list them, and each
//! backend implements them (the native kernels in `exec/funcs.rs`; a SQL
//! backend's templates). Nothing here runs anything.

use crate::value::Type;

/// Built-in scalar functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// `year(date)`
    Year,
    /// `month(date)`
    Month,
    /// `day(date)`
    Day,
    /// `lower(text)`
    Lower,
    /// `upper(text)`
    Upper,
    /// `length(text)`
    Length,
    /// `round(x[, digits])`
    Round,
    /// `abs(x)`
    Abs,
    /// `coalesce(a, b, ...)`
    Coalesce,
}

/// The aggregate functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFn {
    /// `count` rows, or `count X` non-null values.
    Count,
    /// `sum X`.
    Sum,
    /// `avg X`.
    Avg,
    /// `min X`.
    Min,
    /// `max X`.
    Max,
    /// `median X`: `Quantile` at 0.5.
    Median,
    /// `stddev X`: the sample standard deviation (divisor n − 1; null for
    /// fewer than two values).
    Stddev,
    /// `stddev_pop X`: the population standard deviation (divisor n).
    StddevPop,
    /// `variance X`: the sample variance (divisor n − 1; null for fewer than two values).
    Variance,
    /// `var_pop X`: the population variance (divisor n).
    VarPop,
    /// `quantile(X, P)`: the continuous quantile at P (a constant in 0..=1,
    /// held as a decimal literal in the second argument), interpolating
    /// linearly between the two nearest values (SQL's `quantile_cont`).
    Quantile,
    /// `percentile(X, P)`: `Quantile` at P / 100. Only in the syntax: the
    /// checker writes it as `Quantile`, so a plan never holds it.
    Percentile,
    /// `corr(X, Y)`: Pearson's correlation over the rows where both are
    /// non-null (null for fewer than two such rows or a constant side).
    Corr,
    /// `covar(X, Y)`: the sample covariance over the rows where both are
    /// non-null (divisor n − 1; null for fewer than two such rows).
    Covar,
    /// `mode X`: the most frequent non-null value; of tied values, the smallest.
    Mode,
    /// `first X`: the first non-null value in input order.
    First,
    /// `last X`: the last non-null value in input order.
    Last,
    /// `list X` / `list distinct X`: the non-null values (or the distinct
    /// ones), as text joined by `, `, in order of first appearance.
    List,
    /// The union of a group's lineage (see `plan::lineage`): written by the
    /// rewrite for `cite` and `why`, never by a user, so not in the table.
    Lineage,
}

impl AggFn {
    /// The keyword.
    pub fn name(self) -> &'static str {
        match self {
            AggFn::Count => "count",
            AggFn::Sum => "sum",
            AggFn::Avg => "avg",
            AggFn::Min => "min",
            AggFn::Max => "max",
            AggFn::Median => "median",
            AggFn::Stddev => "stddev",
            AggFn::StddevPop => "stddev_pop",
            AggFn::Variance => "variance",
            AggFn::VarPop => "var_pop",
            AggFn::Quantile => "quantile",
            AggFn::Percentile => "percentile",
            AggFn::Corr => "corr",
            AggFn::Covar => "covar",
            AggFn::Mode => "mode",
            AggFn::First => "first",
            AggFn::Last => "last",
            AggFn::List => "list",
            AggFn::Lineage => "lineage",
        }
    }

    /// The aggregate written `name` (case-insensitive).
    pub fn from_name(name: &str) -> Option<AggFn> {
        AGGREGATES
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
            .map(|a| a.agg)
    }

    /// How many arguments it takes: 0 or 1 for `count`, 2 for the
    /// two-argument forms (`quantile(x, p)`, `corr(x, y)`), else 1.
    pub fn arity(self) -> usize {
        match self {
            AggFn::Quantile | AggFn::Percentile | AggFn::Corr | AggFn::Covar => 2,
            _ => 1,
        }
    }
}

/// A built-in function's documentation.
#[derive(Debug, Clone, Copy)]
pub struct FuncInfo {
    /// The function.
    pub func: Func,
    /// Its name.
    pub name: &'static str,
    /// `name(arg: type, ...) -> type`.
    pub signature: &'static str,
    /// One line on what it does.
    pub doc: &'static str,
}

/// Every built-in function, in the order the reference lists them.
pub const FUNCTIONS: &[FuncInfo] = &[
    FuncInfo { func: Func::Year, name: "year", signature: "year(d: date) -> integer", doc: "the year of a date" },
    FuncInfo { func: Func::Month, name: "month", signature: "month(d: date) -> integer", doc: "the month of a date, 1 to 12" },
    FuncInfo { func: Func::Day, name: "day", signature: "day(d: date) -> integer", doc: "the day of the month of a date, 1 to 31" },
    FuncInfo { func: Func::Lower, name: "lower", signature: "lower(s: text) -> text", doc: "the text in lower case" },
    FuncInfo { func: Func::Upper, name: "upper", signature: "upper(s: text) -> text", doc: "the text in upper case" },
    FuncInfo { func: Func::Length, name: "length", signature: "length(s: text) -> integer", doc: "the number of characters in the text" },
    FuncInfo { func: Func::Round, name: "round", signature: "round(x: number[, digits: integer]) -> number", doc: "x rounded to `digits` places after the point (default 0; negative rounds to tens, hundreds...), halves away from zero" },
    FuncInfo { func: Func::Abs, name: "abs", signature: "abs(x: number) -> number", doc: "the absolute value" },
    FuncInfo { func: Func::Coalesce, name: "coalesce", signature: "coalesce(a, b, ...) -> the arguments' type", doc: "the first argument that is not null" },
];

/// An aggregate's documentation: one row per form (`count`, `count X`, ...).
#[derive(Debug, Clone, Copy)]
pub struct AggInfo {
    /// The aggregate.
    pub agg: AggFn,
    /// Its keyword.
    pub name: &'static str,
    /// The form as written in an aggregate clause, with argument and result types.
    pub signature: &'static str,
    /// One line on what it gives.
    pub doc: &'static str,
}

/// Every aggregate form, in the order the reference lists them. Aggregates
/// skip nulls; all but `count` give null over no values.
#[rustfmt::skip]
pub const AGGREGATES: &[AggInfo] = &[
    AggInfo { agg: AggFn::Count, name: "count", signature: "count -> integer", doc: "the number of rows" },
    AggInfo { agg: AggFn::Count, name: "count", signature: "count x -> integer", doc: "the number of rows where x is not null" },
    AggInfo { agg: AggFn::Count, name: "count", signature: "count distinct x -> integer", doc: "the number of distinct non-null values of x" },
    AggInfo { agg: AggFn::Sum, name: "sum", signature: "sum x: number -> number", doc: "the sum of the non-null values: an integer for integers, a decimal for decimals" },
    AggInfo { agg: AggFn::Avg, name: "avg", signature: "avg x: number -> decimal", doc: "the mean of the non-null values" },
    AggInfo { agg: AggFn::Min, name: "min", signature: "min x -> x's type", doc: "the smallest non-null value (any type; text by code point)" },
    AggInfo { agg: AggFn::Max, name: "max", signature: "max x -> x's type", doc: "the largest non-null value (any type; text by code point)" },
    AggInfo { agg: AggFn::Median, name: "median", signature: "median x: number -> decimal", doc: "the middle non-null value (the mean of the two middle ones for an even count)" },
    AggInfo { agg: AggFn::Quantile, name: "quantile", signature: "quantile(x: number, p) -> decimal", doc: "the value below which a share p (a constant from 0 to 1) of the non-null values lie, interpolated linearly between the two nearest" },
    AggInfo { agg: AggFn::Percentile, name: "percentile", signature: "percentile(x: number, p) -> decimal", doc: "`quantile(x, p / 100)`: p is a constant from 0 to 100" },
    AggInfo { agg: AggFn::Stddev, name: "stddev", signature: "stddev x: number -> decimal", doc: "the sample standard deviation (divisor n − 1; null for fewer than two values)" },
    AggInfo { agg: AggFn::StddevPop, name: "stddev_pop", signature: "stddev_pop x: number -> decimal", doc: "the population standard deviation (divisor n)" },
    AggInfo { agg: AggFn::Variance, name: "variance", signature: "variance x: number -> decimal", doc: "the sample variance (divisor n − 1; null for fewer than two values)" },
    AggInfo { agg: AggFn::VarPop, name: "var_pop", signature: "var_pop x: number -> decimal", doc: "the population variance (divisor n)" },
    AggInfo { agg: AggFn::Corr, name: "corr", signature: "corr(x: number, y: number) -> decimal", doc: "Pearson's correlation over the rows where both are non-null (null for fewer than two, or when one side is constant)" },
    AggInfo { agg: AggFn::Covar, name: "covar", signature: "covar(x: number, y: number) -> decimal", doc: "the sample covariance over the rows where both are non-null (null for fewer than two)" },
    AggInfo { agg: AggFn::Mode, name: "mode", signature: "mode x -> x's type", doc: "the most frequent non-null value; of tied values, the smallest" },
    AggInfo { agg: AggFn::First, name: "first", signature: "first x -> x's type", doc: "the first non-null value, in input order" },
    AggInfo { agg: AggFn::Last, name: "last", signature: "last x -> x's type", doc: "the last non-null value, in input order" },
    AggInfo { agg: AggFn::List, name: "list", signature: "list x -> text", doc: "the non-null values as text, joined by `, `, in input order" },
    AggInfo { agg: AggFn::List, name: "list", signature: "list distinct x -> text", doc: "the distinct non-null values as text, joined by `, `, in order of first appearance" },
];

/// The reference for every built-in function and aggregate, one per line
/// with its signature and description (`itq --help-functions`).
pub fn reference() -> String {
    let mut out = String::from("Functions:\n");
    for f in FUNCTIONS {
        out.push_str(&format!("  {:<48} {}\n", f.signature, f.doc));
    }
    out.push_str("\nAggregates (in an aggregate clause: `count, sum value as total by region`):\n");
    for a in AGGREGATES {
        out.push_str(&format!("  {:<48} {}\n", a.signature, a.doc));
    }
    out.push_str(
        "\nWindow functions (in `derive`: `derive rank() as r per province along investment desc`):\n",
    );
    for w in WINDOW_FUNCTIONS {
        out.push_str(&format!("  {:<48} {}\n", w.signature, w.doc));
    }
    out
}

/// The function called `name` (case-insensitive).
pub fn lookup(name: &str) -> Option<&'static FuncInfo> {
    FUNCTIONS.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

/// The result type of `func` applied to `args`, or what is wrong with them.
/// Integer arguments where decimals are expected are widened by the checker.
pub fn result_type(info: &FuncInfo, args: &[Type]) -> Result<Type, String> {
    let arity = |lo: usize, hi: usize| -> Result<(), String> {
        if args.len() < lo || args.len() > hi {
            let want = if lo == hi {
                format!("{lo}")
            } else {
                format!("{lo} or {hi}")
            };
            return Err(format!(
                "`{}` takes {want} argument{}, not {}: {}",
                info.name,
                if hi == 1 { "" } else { "s" },
                args.len(),
                info.signature
            ));
        }
        Ok(())
    };
    let expect = |i: usize, ok: bool, what: &str| -> Result<(), String> {
        if ok || args[i] == Type::Null {
            Ok(())
        } else {
            Err(format!(
                "`{}` needs {what} as argument {}, not {}: {}",
                info.name,
                i + 1,
                args[i],
                info.signature
            ))
        }
    };
    match info.func {
        Func::Year | Func::Month | Func::Day => {
            arity(1, 1)?;
            expect(0, args[0] == Type::Date, "a date")?;
            Ok(Type::Int)
        }
        Func::Lower | Func::Upper => {
            arity(1, 1)?;
            expect(0, args[0] == Type::Text, "text")?;
            Ok(Type::Text)
        }
        Func::Length => {
            arity(1, 1)?;
            expect(0, args[0] == Type::Text, "text")?;
            Ok(Type::Int)
        }
        Func::Round => {
            arity(1, 2)?;
            expect(0, args[0].is_numeric(), "a number")?;
            if args.len() == 2 {
                expect(1, args[1] == Type::Int, "an integer")?;
            }
            Ok(if args[0] == Type::Null {
                Type::Decimal
            } else {
                args[0]
            })
        }
        Func::Abs => {
            arity(1, 1)?;
            expect(0, args[0].is_numeric(), "a number")?;
            Ok(args[0])
        }
        Func::Coalesce => {
            if args.is_empty() {
                return Err(format!(
                    "`coalesce` needs at least one argument: {}",
                    info.signature
                ));
            }
            let mut ty = Type::Null;
            for &a in args {
                ty = match (ty, a) {
                    (t, Type::Null) | (Type::Null, t) => t,
                    (t, u) if t == u => t,
                    (Type::Int, Type::Decimal) | (Type::Decimal, Type::Int) => Type::Decimal,
                    (t, u) => {
                        return Err(format!(
                            "`coalesce` arguments must have one type, but {t} and {u} are mixed"
                        ))
                    }
                };
            }
            Ok(ty)
        }
    }
}

/// The window functions: computed over the rows of a `derive`'s window (its
/// `per` groups, in its `along` order, or all rows in input order), one
/// value per row, keeping every row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowFn {
    /// `row_number()`: 1, 2, 3... along the order within the group (tied
    /// rows numbered in input order).
    RowNumber,
    /// `rank()`: 1 + the number of rows of the group before this one in the
    /// order; tied rows share a rank, and a gap follows them (1, 1, 3).
    Rank,
    /// `dense_rank()`: like `Rank` with no gaps (1, 1, 2).
    DenseRank,
    /// `lag(x[, n])`: x of the row `n` (default 1, a constant) before this
    /// one in the group's order; null where there is none.
    Lag,
    /// `lead(x[, n])`: x of the row `n` after this one; null where there is none.
    Lead,
    /// `change(x)`: x minus `lag(x)`; null when either is null.
    Change,
    /// `percent_change(x)`: 100 × (x − lag(x)) / lag(x), a decimal; null when
    /// either is null or `lag(x)` is 0.
    PercentChange,
    /// `running_sum(x)`: the sum of the group's non-null x from its first row
    /// in the order through this one (row by row: tied rows are added one at
    /// a time in input order, SQL's `ROWS UNBOUNDED PRECEDING`); null until
    /// the first non-null value.
    RunningSum,
    /// `share(x)`: x divided by the sum of the group's non-null x, a decimal
    /// from 0 to 1 for non-negative values; null for a null x or a zero sum.
    Share,
}

/// A window function's documentation.
#[derive(Debug, Clone, Copy)]
pub struct WindowInfo {
    /// The function.
    pub func: WindowFn,
    /// Its name.
    pub name: &'static str,
    /// `name(arg: type, ...) -> type`.
    pub signature: &'static str,
    /// One line on what it gives.
    pub doc: &'static str,
}

/// Every window function, in the order the reference lists them.
#[rustfmt::skip]
pub const WINDOW_FUNCTIONS: &[WindowInfo] = &[
    WindowInfo { func: WindowFn::RowNumber, name: "row_number", signature: "row_number() -> integer", doc: "1, 2, 3... along the order within the group (tied rows in input order)" },
    WindowInfo { func: WindowFn::Rank, name: "rank", signature: "rank() -> integer", doc: "1 + the number of rows before this one in the order; ties share a rank and leave a gap (1, 1, 3)" },
    WindowInfo { func: WindowFn::DenseRank, name: "dense_rank", signature: "dense_rank() -> integer", doc: "like `rank()` without gaps (1, 1, 2)" },
    WindowInfo { func: WindowFn::Lag, name: "lag", signature: "lag(x[, n: integer]) -> x's type", doc: "x of the row n (default 1) before this one in the group's order; null if there is none" },
    WindowInfo { func: WindowFn::Lead, name: "lead", signature: "lead(x[, n: integer]) -> x's type", doc: "x of the row n (default 1) after this one in the group's order; null if there is none" },
    WindowInfo { func: WindowFn::Change, name: "change", signature: "change(x: number) -> number", doc: "x minus the previous row's x (`x - lag(x)`)" },
    WindowInfo { func: WindowFn::PercentChange, name: "percent_change", signature: "percent_change(x: number) -> decimal", doc: "the change from the previous row's x in percent of it (null where that is 0 or null)" },
    WindowInfo { func: WindowFn::RunningSum, name: "running_sum", signature: "running_sum(x: number) -> number", doc: "the sum of the non-null x from the group's first row through this one" },
    WindowInfo { func: WindowFn::Share, name: "share", signature: "share(x: number) -> decimal", doc: "x divided by the sum of x over the group (over all rows without `per`)" },
];

/// The window function called `name` (case-insensitive).
pub fn lookup_window(name: &str) -> Option<&'static WindowInfo> {
    WINDOW_FUNCTIONS
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(name))
}

impl WindowFn {
    /// Whether it needs an order (`along`) to mean anything.
    pub fn needs_order(self) -> bool {
        matches!(self, WindowFn::Rank | WindowFn::DenseRank)
    }
}
