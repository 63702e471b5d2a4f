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
    /// `median X`.
    Median,
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
