//! The built-in scalar functions: one table of names, signatures and
//! descriptions (the checker, `--help-functions` and the reference all read
//! it), their type rules, and their column kernels; and the sibling table
//! documenting the aggregates.

use super::kernels::{map_text, Arg, Datum};
use crate::error::{Error, ErrorKind, Result};
use crate::plan::Func;
use crate::store::{Builder, Column, Data};
use crate::syntax::ast::AggFn;
use crate::value::{date_parts, Scalar, Type};
use std::sync::Arc;

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

/// Applies `func` to evaluated arguments (already of the types `result_type` accepted).
pub fn apply(func: Func, ty: Type, args: Vec<Datum>, rows: usize) -> Result<Datum> {
    let mut args = args.into_iter();
    let first = args.next().expect("every function has an argument");
    if first.is_null_scalar() && func != Func::Coalesce {
        return Ok(Datum::Scalar(Scalar::Null));
    }
    Ok(match func {
        Func::Year | Func::Month | Func::Day => {
            let part = move |d: i32| {
                let (y, m, day) = date_parts(d);
                i64::from(match func {
                    Func::Year => y,
                    Func::Month => m as i32,
                    _ => day as i32,
                })
            };
            first.map_unary(
                rows,
                |a: Arg<i32>, i| a.get(i).map(part),
                Builder::<i64>::into_column,
                Scalar::Int,
            )
        }
        Func::Lower => map_text(&first, |s| s.to_lowercase()),
        Func::Upper => map_text(&first, |s| s.to_uppercase()),
        Func::Length => match &first {
            Datum::Scalar(s) => Datum::Scalar(
                s.as_str()
                    .map_or(Scalar::Null, |s| Scalar::Int(s.chars().count() as i64)),
            ),
            Datum::Col(c) => match c.data() {
                Data::Text(codes, dict) => {
                    let lens: Vec<i64> = dict
                        .values()
                        .iter()
                        .map(|s| s.chars().count() as i64)
                        .collect();
                    let data = codes
                        .iter()
                        .map(|&c| lens.get(c as usize).copied().unwrap_or(0))
                        .collect();
                    Datum::Col(Arc::new(Column::new(
                        Data::Int(data),
                        c.validity().cloned(),
                    )))
                }
                _ => Datum::Col(Arc::new(Column::nulls(Type::Int, rows))),
            },
        },
        Func::Abs => match ty {
            Type::Int => {
                let mut overflow = false;
                let out = first.map_unary(
                    rows,
                    |a: Arg<i64>, i| {
                        a.get(i).map(|v| {
                            v.checked_abs().unwrap_or_else(|| {
                                overflow = true;
                                0
                            })
                        })
                    },
                    Builder::<i64>::into_column,
                    Scalar::Int,
                );
                if overflow {
                    return Err(Error::new(ErrorKind::Overflow("abs".into())));
                }
                out
            }
            _ => first.map_unary(
                rows,
                |a: Arg<f64>, i| a.get(i).map(f64::abs),
                Builder::<f64>::into_column,
                Scalar::Decimal,
            ),
        },
        Func::Round => {
            let digits = match args.next() {
                None => Datum::Scalar(Scalar::Int(0)),
                Some(d) => d,
            };
            round(first, digits, ty, rows)?
        }
        Func::Coalesce => {
            let mut acc = first;
            for next in args {
                acc = super::kernels::coalesce2(acc, next, ty, rows);
            }
            acc
        }
    })
}

fn round(x: Datum, digits: Datum, ty: Type, rows: usize) -> Result<Datum> {
    fn round_f(v: f64, d: i64) -> f64 {
        let d = d.clamp(-308, 308) as i32;
        let scale = 10f64.powi(d.abs());
        if d >= 0 {
            let scaled = v * scale;
            if scaled.is_finite() {
                scaled.round() / scale
            } else {
                v
            }
        } else {
            (v / scale).round() * scale
        }
    }
    fn round_i(v: i64, d: i64) -> Option<i64> {
        if d >= 0 {
            return Some(v);
        }
        if d < -18 {
            return Some(0);
        }
        let scale = 10i64.pow((-d) as u32);
        let q = v / scale;
        let r = v % scale;
        let q = if r.abs() * 2 >= scale {
            q + v.signum()
        } else {
            q
        };
        q.checked_mul(scale)
    }
    let mut overflow = false;
    let out = match ty {
        Type::Int => x.zip_with(
            &digits,
            rows,
            |a: Arg<i64>, b: Arg<i64>, i| match (a.get(i), b.get(i)) {
                (Some(v), Some(d)) => round_i(v, d).or_else(|| {
                    overflow = true;
                    Some(0)
                }),
                _ => None,
            },
            Builder::<i64>::into_column,
            Scalar::Int,
        ),
        _ => x.zip_with(
            &digits,
            rows,
            |a: Arg<f64>, b: Arg<i64>, i| match (a.get(i), b.get(i)) {
                (Some(v), Some(d)) => Some(round_f(v, d)),
                _ => None,
            },
            Builder::<f64>::into_column,
            Scalar::Decimal,
        ),
    };
    if overflow {
        return Err(Error::new(ErrorKind::Overflow("round".into())));
    }
    Ok(out)
}
