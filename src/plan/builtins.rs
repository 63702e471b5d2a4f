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
    /// `province(x)`: any spelling of a province (or its 6-digit code) to its
    /// `name` in `provinces`, or null.
    Province,
    /// `replace(s, from, to)`: every `from` replaced by `to`.
    Replace,
    /// `trim(s)`: white space removed from both ends.
    Trim,
    /// `substr(s, start[, length])`: characters from `start` (1 is the first).
    Substr,
    /// `starts_with(s, prefix)`.
    StartsWith,
    /// `ends_with(s, suffix)`.
    EndsWith,
    /// `regexp_match(s, pattern)`: whether the pattern matches somewhere in s.
    RegexpMatch,
    /// `regexp_replace(s, pattern, with)`: every match replaced.
    RegexpReplace,
    /// `concat(a, b, ...)`: the arguments as text, one after another (nulls left out).
    Concat,
    /// `to_number(s)`: text to a decimal (thousands separators, 万 and 亿), or null.
    ToNumber,
    /// `to_date(s[, format])`: text to a date, or null.
    ToDate,
    /// `if(cond, a, b)`: a where cond is true, else b.
    If,
    /// `to_billion_yuan(x, unit[, rate])`: an amount in `unit` in billion yuan.
    ToBillionYuan,
    /// `from_billion_yuan(x, unit[, rate])`: an amount in billion yuan in `unit`.
    FromBillionYuan,
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
    FuncInfo { func: Func::Province, name: "province", signature: "province(x: text or integer) -> text", doc: "the `name` in `provinces` of any spelling `province_aliases` lists (Chinese, pinyin, English forms, 6-digit code), ignoring case and spaces, with a trailing 省, 市, 自治区, Province, Municipality or Autonomous Region allowed; null if none" },
    FuncInfo { func: Func::Replace, name: "replace", signature: "replace(s: text, from: text, to: text) -> text", doc: "s with every `from` replaced by `to` (plain text, not a pattern)" },
    FuncInfo { func: Func::Trim, name: "trim", signature: "trim(s: text) -> text", doc: "s without the white space at either end (full-width spaces too)" },
    FuncInfo { func: Func::Substr, name: "substr", signature: "substr(s: text, start: integer[, length: integer]) -> text", doc: "`length` characters of s (default: the rest) from character `start`, the first being 1" },
    FuncInfo { func: Func::StartsWith, name: "starts_with", signature: "starts_with(s: text, prefix: text) -> bool", doc: "whether s begins with `prefix` (case counts)" },
    FuncInfo { func: Func::EndsWith, name: "ends_with", signature: "ends_with(s: text, suffix: text) -> bool", doc: "whether s ends with `suffix` (case counts)" },
    FuncInfo { func: Func::RegexpMatch, name: "regexp_match", signature: "regexp_match(s: text, pattern: text) -> bool", doc: "whether the regular expression matches somewhere in s (Rust `regex` syntax; `(?i)` ignores case)" },
    FuncInfo { func: Func::RegexpReplace, name: "regexp_replace", signature: "regexp_replace(s: text, pattern: text, with: text) -> text", doc: "s with every match of the regular expression replaced by `with` (`$1` is the first group)" },
    FuncInfo { func: Func::Concat, name: "concat", signature: "concat(a, b, ...) -> text", doc: "the arguments as text, one after another; a null argument adds nothing" },
    FuncInfo { func: Func::ToNumber, name: "to_number", signature: "to_number(s: text) -> decimal", doc: "the number written in s, read with thousands separators (`1,234.5`) and a 万 or 亿 suffix (`3.2万` is 32000); null if s is not a number" },
    FuncInfo { func: Func::ToDate, name: "to_date", signature: "to_date(s: text[, format: text]) -> date", doc: "the date written in s: `2024-10-27`, `2024/10/27`, `2024.10.27`, `2024年10月27日`, or a month (`2024-10`, `2024/10`, `2024年10月`, its first day); with a format such as \"%d/%m/%Y\", that; null if s is no such date" },
    FuncInfo { func: Func::If, name: "if", signature: "if(cond: bool, a, b) -> a's and b's type", doc: "a where cond is true, b where it is false or null" },
    FuncInfo { func: Func::ToBillionYuan, name: "to_billion_yuan", signature: "to_billion_yuan(x: number, unit: text[, rate: number]) -> decimal", doc: "x, an amount in `unit` (元, 万元, 亿元, billion yuan, ...; see docs/data.md), in billion yuan, the fact base's unit; a dollar unit (美元, 万美元, 亿美元, million USD, ...) needs the `rate` in yuan per dollar" },
    FuncInfo { func: Func::FromBillionYuan, name: "from_billion_yuan", signature: "from_billion_yuan(x: number, unit: text[, rate: number]) -> decimal", doc: "x, an amount in billion yuan, in `unit` (as for `to_billion_yuan`): `from_billion_yuan(value, \"亿元\")` shows the fact base's figures in 亿元" },
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
        Func::Province => {
            arity(1, 1)?;
            expect(
                0,
                matches!(args[0], Type::Text | Type::Int),
                "text or an integer",
            )?;
            Ok(Type::Text)
        }
        Func::Replace | Func::RegexpReplace => {
            arity(3, 3)?;
            for (i, &t) in args.iter().enumerate() {
                expect(i, t == Type::Text, "text")?;
            }
            Ok(Type::Text)
        }
        Func::Trim => {
            arity(1, 1)?;
            expect(0, args[0] == Type::Text, "text")?;
            Ok(Type::Text)
        }
        Func::Substr => {
            arity(2, 3)?;
            expect(0, args[0] == Type::Text, "text")?;
            for (i, &t) in args.iter().enumerate().skip(1) {
                expect(i, t == Type::Int, "an integer")?;
            }
            Ok(Type::Text)
        }
        Func::StartsWith | Func::EndsWith | Func::RegexpMatch => {
            arity(2, 2)?;
            expect(0, args[0] == Type::Text, "text")?;
            expect(1, args[1] == Type::Text, "text")?;
            Ok(Type::Bool)
        }
        Func::Concat => {
            if args.is_empty() {
                return Err(format!(
                    "`concat` needs at least one argument: {}",
                    info.signature
                ));
            }
            Ok(Type::Text)
        }
        Func::ToNumber => {
            arity(1, 1)?;
            expect(0, args[0] == Type::Text, "text")?;
            Ok(Type::Decimal)
        }
        Func::ToDate => {
            arity(1, 2)?;
            expect(0, args[0] == Type::Text, "text")?;
            if args.len() == 2 {
                expect(
                    1,
                    args[1] == Type::Text,
                    "text (a format such as \"%d/%m/%Y\")",
                )?;
            }
            Ok(Type::Date)
        }
        Func::If => {
            arity(3, 3)?;
            expect(0, args[0] == Type::Bool, "a condition (true or false)")?;
            match (args[1], args[2]) {
                (t, Type::Null) | (Type::Null, t) => Ok(t),
                (t, u) if t == u => Ok(t),
                (Type::Int, Type::Decimal) | (Type::Decimal, Type::Int) => Ok(Type::Decimal),
                (t, u) => Err(format!(
                    "`if` gives one type, but its two values are {t} and {u}: {}",
                    info.signature
                )),
            }
        }
        Func::ToBillionYuan | Func::FromBillionYuan => {
            arity(2, 3)?;
            expect(0, args[0].is_numeric(), "a number")?;
            expect(
                1,
                args[1] == Type::Text,
                "a unit as text (such as \"亿元\")",
            )?;
            if args.len() == 3 {
                expect(2, args[2].is_numeric(), "a number (yuan per dollar)")?;
            }
            Ok(Type::Decimal)
        }
    }
}

/// The arguments of `func` the checker widens from integer to decimal when
/// the call's type is `ty` (so a kernel sees decimals only).
pub fn decimal_args(func: Func, ty: Type, n: usize) -> Vec<usize> {
    match func {
        Func::Coalesce if ty == Type::Decimal => (0..n).collect(),
        Func::Round | Func::Abs if ty == Type::Decimal => vec![0],
        Func::If if ty == Type::Decimal => vec![1, 2],
        Func::ToBillionYuan | Func::FromBillionYuan => {
            [0, 2].into_iter().filter(|&i| i < n).collect()
        }
        _ => Vec::new(),
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
