//! The native kernels of the built-in scalar functions (their names, types
//! and docs are in `plan::builtins`).

use super::kernels::{map_text, Arg, Datum};
use crate::error::{Error, ErrorKind, Result};
use crate::plan::Func;
use crate::store::{Builder, Column, Data};
use crate::value::{date_parts, Scalar, Type};
use std::sync::Arc;

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
