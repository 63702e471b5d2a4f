//! Evaluates a typed expression over a table, a whole column at a time.

use super::funcs;
use super::kernels::{text_predicate, Arg, Datum};
use crate::error::{Error, ErrorKind, Result};
use crate::plan::{ArithOp, CmpOp, PExpr, PExprKind};
use crate::store::{Builder, Column, Data, Table};
use crate::value::{Scalar, Type};
use std::sync::Arc;

/// Evaluates `expr` over the rows of `input`.
pub fn eval(expr: &PExpr, input: &Table) -> Result<Datum> {
    crate::stack::deeper(|| eval_here(expr, input))
}

fn eval_here(expr: &PExpr, input: &Table) -> Result<Datum> {
    let rows = input.num_rows();
    Ok(match &expr.kind {
        PExprKind::Column(i) => Datum::Col(Arc::clone(input.column_at(*i))),
        PExprKind::Literal(v) => Datum::Scalar(v.clone()),
        PExprKind::ToDecimal(e) => match eval(e, input)? {
            Datum::Col(c) => Datum::Col(Arc::new(c.to_decimal())),
            Datum::Scalar(s) => Datum::Scalar(s.as_f64().map_or(Scalar::Null, Scalar::Decimal)),
        },
        PExprKind::Neg(e) => {
            let v = eval(e, input)?;
            match e.ty {
                Type::Int => {
                    let mut overflow = false;
                    let out = v.map_unary(
                        rows,
                        |a: Arg<i64>, i| {
                            a.get(i).map(|x| {
                                x.checked_neg().unwrap_or_else(|| {
                                    overflow = true;
                                    0
                                })
                            })
                        },
                        Builder::<i64>::into_column,
                        Scalar::Int,
                    );
                    if overflow {
                        return Err(Error::new(ErrorKind::Overflow("negation".into())));
                    }
                    out
                }
                Type::Decimal => v.map_unary(
                    rows,
                    |a: Arg<f64>, i| a.get(i).map(|x| -x),
                    Builder::<f64>::into_column,
                    Scalar::Decimal,
                ),
                _ => Datum::Scalar(Scalar::Null),
            }
        }
        PExprKind::Not(e) => eval(e, input)?.map_unary(
            rows,
            |a: Arg<bool>, i| a.get(i).map(|x| !x),
            Builder::<bool>::into_column,
            Scalar::Bool,
        ),
        PExprKind::Arith(op, l, r) => {
            arith(*op, l.ty, eval(l, input)?, eval(r, input)?, expr.ty, rows)?
        }
        PExprKind::Compare(op, l, r) => compare(
            *op,
            l.ty.max_known(r.ty),
            eval(l, input)?,
            eval(r, input)?,
            rows,
        ),
        PExprKind::Logic(and, l, r) => {
            let (a, b) = (eval(l, input)?, eval(r, input)?);
            let and = *and;
            a.zip_with(
                &b,
                rows,
                move |a: Arg<bool>, b: Arg<bool>, i| logic(and, a.get(i), b.get(i)),
                Builder::<bool>::into_column,
                Scalar::Bool,
            )
        }
        PExprKind::Contains(l, r) => {
            let (a, b) = (eval(l, input)?, eval(r, input)?);
            // Lower-case the needle once when it is a constant.
            let b = match b {
                Datum::Scalar(Scalar::Text(s)) => {
                    Datum::Scalar(Scalar::Text(s.to_lowercase().into()))
                }
                other => other,
            };
            let needle_is_const = matches!(b, Datum::Scalar(_));
            text_predicate(&a, &b, rows, |hay, needle| {
                if needle_is_const {
                    hay.to_lowercase().contains(needle)
                } else {
                    hay.to_lowercase().contains(&needle.to_lowercase())
                }
            })
        }
        PExprKind::IsNull(e, negated) => {
            let negated = *negated;
            match eval(e, input)? {
                Datum::Scalar(s) => Datum::Scalar(Scalar::Bool(s.is_null() != negated)),
                Datum::Col(c) => {
                    let data = (0..rows).map(|i| c.is_valid(i) == negated).collect();
                    Datum::Col(Arc::new(Column::new(Data::Bool(data), None)))
                }
            }
        }
        PExprKind::Located(span, source, e) => {
            return eval(e, input).map_err(|err| err.with_span(*span).with_source(source))
        }
        PExprKind::InQuery(e, q, negated) => {
            super::subquery::in_query(eval(e, input)?, e.ty, q, *negated, rows)?
        }
        PExprKind::ScalarQuery(q) => Datum::Scalar(super::subquery::scalar(q)?),
        PExprKind::When(c, v) => match eval(c, input)? {
            Datum::Scalar(Scalar::Bool(true)) => eval(v, input)?,
            Datum::Scalar(_) => Datum::Scalar(Scalar::Null),
            Datum::Col(cond) => {
                let value = eval(v, input)?.into_column(v.ty, rows);
                let Data::Bool(b) = cond.data() else {
                    return Ok(Datum::Scalar(Scalar::Null));
                };
                let idx: Vec<u32> = (0..rows)
                    .map(|i| {
                        if b[i] && cond.is_valid(i) {
                            i as u32
                        } else {
                            crate::store::NULL_ROW
                        }
                    })
                    .collect();
                Datum::Col(Arc::new(value.take(&idx)))
            }
        },
        PExprKind::Func(f, args) => {
            let args = args
                .iter()
                .map(|a| eval(a, input))
                .collect::<Result<Vec<_>>>()?;
            funcs::apply(*f, expr.ty, args, rows)?
        }
    })
}

trait MaxKnown {
    fn max_known(self, other: Type) -> Type;
}
impl MaxKnown for Type {
    /// The operand type of a comparison: whichever side is not a bare null.
    fn max_known(self, other: Type) -> Type {
        if self == Type::Null {
            other
        } else {
            self
        }
    }
}

/// SQL's three-valued `and` / `or`.
#[inline]
fn logic(and: bool, a: Option<bool>, b: Option<bool>) -> Option<bool> {
    if and {
        match (a, b) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        }
    } else {
        match (a, b) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        }
    }
}

fn compare(op: CmpOp, ty: Type, l: Datum, r: Datum, rows: usize) -> Datum {
    let bools = Builder::<bool>::into_column;
    match ty {
        Type::Int => l.zip_with(
            &r,
            rows,
            |a: Arg<i64>, b: Arg<i64>, i| Some(op.holds(a.get(i)?.cmp(&b.get(i)?))),
            bools,
            Scalar::Bool,
        ),
        Type::Decimal => l.zip_with(
            &r,
            rows,
            |a: Arg<f64>, b: Arg<f64>, i| {
                Some(op.holds((a.get(i)? + 0.0).total_cmp(&(b.get(i)? + 0.0))))
            },
            bools,
            Scalar::Bool,
        ),
        Type::Date => l.zip_with(
            &r,
            rows,
            |a: Arg<i32>, b: Arg<i32>, i| Some(op.holds(a.get(i)?.cmp(&b.get(i)?))),
            bools,
            Scalar::Bool,
        ),
        Type::Bool => l.zip_with(
            &r,
            rows,
            |a: Arg<bool>, b: Arg<bool>, i| Some(op.holds(a.get(i)?.cmp(&b.get(i)?))),
            bools,
            Scalar::Bool,
        ),
        Type::Text => text_predicate(&l, &r, rows, |a, b| op.holds(a.cmp(b))),
        Type::Null => Datum::Scalar(Scalar::Null),
    }
}

fn arith(
    op: ArithOp,
    operand: Type,
    l: Datum,
    r: Datum,
    result: Type,
    rows: usize,
) -> Result<Datum> {
    let mut overflow = false;
    let mut decimal_overflow = false;
    let mut flag = |v: Option<i64>| {
        v.or_else(|| {
            overflow = true;
            Some(0)
        })
    };
    let out = match (operand, result) {
        (Type::Int, Type::Int) => l.zip_with(
            &r,
            rows,
            |a: Arg<i64>, b: Arg<i64>, i| {
                let (x, y) = (a.get(i)?, b.get(i)?);
                flag(match op {
                    ArithOp::Add => x.checked_add(y),
                    ArithOp::Sub => x.checked_sub(y),
                    ArithOp::Mul => x.checked_mul(y),
                    ArithOp::Div => unreachable!("division is always decimal"),
                })
            },
            Builder::<i64>::into_column,
            Scalar::Int,
        ),
        (Type::Decimal, Type::Decimal) => l.zip_with(
            &r,
            rows,
            |a: Arg<f64>, b: Arg<f64>, i| {
                let (x, y) = (a.get(i)?, b.get(i)?);
                let v = match op {
                    ArithOp::Add => x + y,
                    ArithOp::Sub => x - y,
                    ArithOp::Mul => x * y,
                    // Division by zero has no answer: null, as in DuckDB.
                    ArithOp::Div if y == 0.0 => return None,
                    ArithOp::Div => x / y,
                };
                if !v.is_finite() {
                    decimal_overflow = true;
                }
                v.is_finite().then_some(v)
            },
            Builder::<f64>::into_column,
            Scalar::Decimal,
        ),
        // date - date: days between.
        (Type::Date, Type::Int) => l.zip_with(
            &r,
            rows,
            |a: Arg<i32>, b: Arg<i32>, i| Some(i64::from(a.get(i)?) - i64::from(b.get(i)?)),
            Builder::<i64>::into_column,
            Scalar::Int,
        ),
        // date ± days.
        (Type::Date, Type::Date) => l.zip_with(
            &r,
            rows,
            |a: Arg<i32>, b: Arg<i64>, i| {
                let (d, n) = (i64::from(a.get(i)?), b.get(i)?);
                let v = if op == ArithOp::Add {
                    d.checked_add(n)
                } else {
                    d.checked_sub(n)
                };
                match v.and_then(|v| i32::try_from(v).ok()) {
                    Some(v) => Some(v),
                    None => {
                        overflow = true;
                        Some(0)
                    }
                }
            },
            Builder::<i32>::into_column,
            Scalar::Date,
        ),
        // int + date.
        (Type::Int, Type::Date) => return arith(op, Type::Date, r, l, result, rows),
        _ => Datum::Scalar(Scalar::Null),
    };
    let symbol = match op {
        ArithOp::Add => "+",
        ArithOp::Sub => "-",
        ArithOp::Mul => "*",
        ArithOp::Div => "/",
    };
    if decimal_overflow {
        return Err(
            Error::new(ErrorKind::DecimalOverflow(format!("`{symbol}`"))).with_help(
                "decimals go up to about 1.8e308; scale the values down (divide by 1e6, say) first",
            ),
        );
    }
    if overflow {
        return Err(
            Error::new(ErrorKind::Overflow(format!("`{symbol}`"))).with_help(
                "integers go up to 9223372036854775807; multiply by 1.0 to compute in decimals",
            ),
        );
    }
    Ok(out)
}
