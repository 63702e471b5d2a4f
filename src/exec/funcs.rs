//! The native kernels of the built-in scalar functions (their names, types
//! and docs are in `plan::builtins`).

use super::kernels::{map_text, Arg, Datum};
use crate::error::{Error, ErrorKind, Result};
use crate::plan::Func;
use crate::store::{column_from_scalars, Builder, Column, Data, Dict};
use crate::value::{date_parts, Scalar, Type};
use std::sync::Arc;

mod text;

/// Applies `func` to evaluated arguments (already of the types `result_type` accepted).
pub fn apply(func: Func, ty: Type, args: Vec<Datum>, rows: usize) -> Result<Datum> {
    let mut args = args.into_iter();
    let first = args.next().expect("every function has an argument");
    if first.is_null_scalar() && !matches!(func, Func::Coalesce | Func::Concat | Func::If) {
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
        _ => {
            let args: Vec<Datum> = std::iter::once(first).chain(args).collect();
            by_value(func, ty, &args, rows)?
        }
    })
}

/// A function computed value by value by [`text::scalar`]: once per
/// dictionary entry when only the first argument is a text column (the
/// others constants), once in all when every argument is a constant, and
/// otherwise row by row.
fn by_value(func: Func, ty: Type, args: &[Datum], rows: usize) -> Result<Datum> {
    let mut cx = text::Context::default();
    let consts: Option<Vec<Scalar>> = args[1..]
        .iter()
        .map(|a| match a {
            Datum::Scalar(s) => Some(s.clone()),
            Datum::Col(_) => None,
        })
        .collect();
    match (&args[0], consts) {
        (Datum::Scalar(s), Some(rest)) => {
            let all: Vec<Scalar> = std::iter::once(s.clone()).chain(rest).collect();
            Ok(Datum::Scalar(text::scalar(func, &all, &mut cx)?))
        }
        (Datum::Col(c), Some(rest)) if matches!(c.data(), Data::Text(..)) => {
            let Data::Text(codes, dict) = c.data() else {
                unreachable!("matched above")
            };
            let mut all: Vec<Scalar> = std::iter::once(Scalar::Null).chain(rest).collect();
            let mut entries = Vec::with_capacity(dict.len());
            for v in dict.values() {
                all[0] = Scalar::Text(Arc::clone(v));
                entries.push(text::scalar(func, &all, &mut cx)?);
            }
            // A null row gives what the function gives for null (`concat`
            // and `if` do not simply give null).
            all[0] = Scalar::Null;
            let on_null = text::scalar(func, &all, &mut cx)?;
            Ok(Datum::Col(Arc::new(gather(
                ty, &entries, &on_null, codes, c,
            ))))
        }
        _ => {
            let mut values = Vec::with_capacity(rows);
            let mut row = vec![Scalar::Null; args.len()];
            for i in 0..rows {
                if i % crate::cancel::BATCH == 0 {
                    crate::cancel::check()?;
                }
                for (slot, a) in row.iter_mut().zip(args) {
                    *slot = match a {
                        Datum::Scalar(s) => s.clone(),
                        Datum::Col(c) => c.get(i),
                    };
                }
                values.push(text::scalar(func, &row, &mut cx)?);
            }
            Ok(Datum::Col(Arc::new(column_from_scalars(ty, &values))))
        }
    }
}

/// The column whose row `i` is `entries[codes[i]]` (`on_null` where the
/// input is null); a text result keeps one dictionary entry per distinct value.
fn gather(ty: Type, entries: &[Scalar], on_null: &Scalar, codes: &[u32], input: &Column) -> Column {
    let value = |i: usize| -> &Scalar {
        if input.is_valid(i) {
            entries.get(codes[i] as usize).unwrap_or(on_null)
        } else {
            on_null
        }
    };
    if ty == Type::Text {
        let mut dict = Dict::new();
        let remap: Vec<Option<u32>> = entries
            .iter()
            .map(|e| e.as_str().map(|s| dict.intern(s)))
            .collect();
        let null_code = on_null.as_str().map(|s| dict.intern(s));
        let mut b = Builder::<u32>::with_capacity(codes.len());
        for (i, &c) in codes.iter().enumerate() {
            b.push(if input.is_valid(i) {
                remap.get(c as usize).copied().flatten()
            } else {
                null_code
            });
        }
        let (codes, validity) = b.finish();
        return Column::new(Data::Text(codes, Arc::new(dict)), validity);
    }
    let values: Vec<Scalar> = (0..codes.len()).map(|i| value(i).clone()).collect();
    column_from_scalars(ty, &values)
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
