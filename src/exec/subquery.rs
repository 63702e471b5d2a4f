//! Queries inside expressions: `x [not] in (QUERY)` (a semi- or anti-join
//! with SQL's rule for nulls) and a one-value query used as a scalar. The
//! query reads none of the outer columns, so it runs once; membership is a
//! hash set of the query's values, and a text column is tested once per
//! dictionary entry, then looked up by code.

use super::kernels::Datum;
use crate::error::{Error, ErrorKind, Result};
use crate::plan::SubQuery;
use crate::store::{Column, Data, Table};
use crate::value::{Scalar, Type};
use std::collections::HashSet;
use std::sync::Arc;

/// Runs the query of an expression.
fn run(q: &SubQuery) -> Result<Table> {
    super::execute(&q.0)
}

/// The value of a one-column query: null over no rows, an error over more.
pub fn scalar(q: &SubQuery) -> Result<Scalar> {
    let t = run(q)?;
    match t.num_rows() {
        0 => Ok(Scalar::Null),
        1 => Ok(t.get(0, 0)),
        n => Err(Error::new(ErrorKind::Invalid(format!(
            "the query used as a value gives {n} rows, but a value needs exactly one"
        )))
        .with_help(
            "aggregate it to one row (`sum x`, `count`), or keep one row with `top 1 by ...`",
        )),
    }
}

/// The values of a query's one column, as keys that are equal exactly when
/// the values are (decimals by their bits, with -0 as 0).
struct Values<'a> {
    numbers: HashSet<u64>,
    texts: HashSet<&'a str>,
    has_null: bool,
    empty: bool,
}

fn number_key(col: &Column, i: usize) -> Option<u64> {
    Some(match col.data() {
        Data::Int(v) => v[i] as u64,
        Data::Date(v) => i64::from(v[i]) as u64,
        Data::Bool(v) => u64::from(v[i]),
        Data::Decimal(v) => (v[i] + 0.0).to_bits(),
        Data::Text(..) => return None,
    })
}

impl<'a> Values<'a> {
    fn of(col: &'a Column) -> Values<'a> {
        let mut v = Values {
            numbers: HashSet::new(),
            texts: HashSet::new(),
            has_null: col.null_count() > 0,
            empty: col.is_empty(),
        };
        if col.ty() == Type::Null {
            return v;
        }
        match col.data() {
            Data::Text(codes, dict) => {
                let mut seen = vec![false; dict.len()];
                for (i, &c) in codes.iter().enumerate() {
                    if col.is_valid(i) && !std::mem::replace(&mut seen[c as usize], true) {
                        v.texts.insert(dict.get(c));
                    }
                }
            }
            _ => {
                for i in 0..col.len() {
                    if col.is_valid(i) {
                        v.numbers.extend(number_key(col, i));
                    }
                }
            }
        }
        v
    }

    /// SQL's `x in (...)` for a value that is (`Some`) or is not found.
    fn answer(&self, found: Option<bool>, negated: bool) -> Option<bool> {
        if self.empty {
            return Some(negated);
        }
        let inside = match found {
            Some(true) => Some(true),
            Some(false) if !self.has_null => Some(false),
            _ => None,
        };
        inside.map(|b| b != negated)
    }
}

/// `x [not] in (QUERY)` over `rows` rows.
pub fn in_query(x: Datum, ty: Type, q: &SubQuery, negated: bool, rows: usize) -> Result<Datum> {
    let t = run(q)?;
    let set = t.column_at(0);
    let values = Values::of(set);
    let (col, scalar) = match x {
        Datum::Scalar(s) => (Arc::new(Column::repeat(&s, ty, 1)), true),
        Datum::Col(c) => (c, false),
    };
    let n = col.len();
    let mut out = Vec::with_capacity(n);
    if col.ty() == Type::Null {
        out.extend((0..n).map(|_| values.answer(None, negated)));
    } else if let Data::Text(codes, dict) = col.data() {
        let member: Vec<bool> = dict
            .values()
            .iter()
            .map(|s| values.texts.contains(&**s))
            .collect();
        for (i, &c) in codes.iter().enumerate() {
            if i % crate::cancel::BATCH == 0 {
                crate::cancel::check()?;
            }
            let found = col.is_valid(i).then(|| member[c as usize]);
            out.push(values.answer(found, negated));
        }
    } else {
        for i in 0..n {
            if i % crate::cancel::BATCH == 0 {
                crate::cancel::check()?;
            }
            let found = col
                .is_valid(i)
                .then(|| number_key(&col, i).is_some_and(|k| values.numbers.contains(&k)));
            out.push(values.answer(found, negated));
        }
    }
    if scalar {
        return Ok(Datum::Scalar(out[0].map_or(Scalar::Null, Scalar::Bool)));
    }
    debug_assert_eq!(n, rows);
    Ok(Datum::Col(Arc::new(Column::from_bools(out))))
}
