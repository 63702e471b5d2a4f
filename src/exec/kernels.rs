//! Column kernels: the loops every expression is evaluated with. A value is a
//! whole column or one scalar ([`Datum`]); a scalar is never copied out to full
//! length. Text predicates against a constant are evaluated once per
//! dictionary entry and then looked up by code.

use crate::store::{column_from_scalars, Bitmap, Builder, Column, Data, Dict};
use crate::value::{Scalar, Type};
use std::sync::Arc;

/// An evaluated expression: a column of the input's length, or one value for every row.
#[derive(Debug, Clone)]
pub enum Datum {
    /// One value per row.
    Col(Arc<Column>),
    /// The same value for every row.
    Scalar(Scalar),
}

/// A typed view of a [`Datum`] for a kernel loop.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a, T> {
    /// Values and validity.
    Col(&'a [T], Option<&'a Bitmap>),
    /// One value (or null) for every row.
    Const(Option<T>),
}

impl<T: Copy> Arg<'_, T> {
    /// Row `i`'s value, or `None` for null.
    #[inline(always)]
    pub fn get(&self, i: usize) -> Option<T> {
        match self {
            Arg::Col(v, None) => Some(v[i]),
            Arg::Col(v, Some(b)) => b.get(i).then(|| v[i]),
            Arg::Const(c) => *c,
        }
    }
}

/// A plain value type a column can hold.
pub trait Prim: Copy + Default {
    /// A view of `d` as values of this type (an all-null view if `d` is null or of another type).
    fn arg(d: &Datum) -> Arg<'_, Self>;
}

macro_rules! prim {
    ($t:ty, $data:ident, $scalar:pat => $v:expr) => {
        impl Prim for $t {
            fn arg(d: &Datum) -> Arg<'_, $t> {
                match d {
                    Datum::Col(c) => match c.data() {
                        Data::$data(v) if c.ty() != Type::Null => Arg::Col(v, c.validity()),
                        _ => Arg::Const(None),
                    },
                    Datum::Scalar(s) => Arg::Const(match s {
                        $scalar => Some($v),
                        _ => None,
                    }),
                }
            }
        }
    };
}
prim!(i64, Int, Scalar::Int(v) => *v);
prim!(i32, Date, Scalar::Date(v) => *v);
prim!(bool, Bool, Scalar::Bool(v) => *v);

impl Prim for f64 {
    fn arg(d: &Datum) -> Arg<'_, f64> {
        match d {
            Datum::Col(c) => match c.data() {
                Data::Decimal(v) => Arg::Col(v, c.validity()),
                _ => Arg::Const(None),
            },
            Datum::Scalar(s) => Arg::Const(s.as_f64()),
        }
    }
}

/// A view of a text [`Datum`].
#[derive(Debug, Clone, Copy)]
pub enum TextArg<'a> {
    /// Codes, their dictionary and validity.
    Col(&'a [u32], &'a Dict, Option<&'a Bitmap>),
    /// One string (or null) for every row.
    Const(Option<&'a str>),
}

impl<'a> TextArg<'a> {
    /// A view of `d` as text.
    pub fn of(d: &'a Datum) -> TextArg<'a> {
        match d {
            Datum::Col(c) => match c.data() {
                Data::Text(codes, dict) => TextArg::Col(codes, dict, c.validity()),
                _ => TextArg::Const(None),
            },
            Datum::Scalar(s) => TextArg::Const(s.as_str()),
        }
    }

    /// Row `i`'s string.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            TextArg::Col(codes, dict, validity) => validity
                .is_none_or(|b| b.get(i))
                .then(|| dict.get(codes[i])),
            TextArg::Const(c) => *c,
        }
    }
}

impl Datum {
    /// True for a scalar null.
    pub fn is_null_scalar(&self) -> bool {
        matches!(self, Datum::Scalar(Scalar::Null))
    }

    /// Applies `f` to each row (once, for a scalar).
    pub fn map_unary<T: Prim, O: Default>(
        &self,
        rows: usize,
        mut f: impl FnMut(Arg<T>, usize) -> Option<O>,
        build: fn(Builder<O>) -> Column,
        scalar: fn(O) -> Scalar,
    ) -> Datum {
        let a = T::arg(self);
        match self {
            Datum::Scalar(_) => Datum::Scalar(f(a, 0).map_or(Scalar::Null, scalar)),
            Datum::Col(_) => {
                let mut b = Builder::with_capacity(rows);
                for i in 0..rows {
                    b.push(f(a, i));
                }
                Datum::Col(Arc::new(build(b)))
            }
        }
    }

    /// Applies `f` to each row of two operands (once, if both are scalars).
    pub fn zip_with<A: Prim, B: Prim, O: Default>(
        &self,
        other: &Datum,
        rows: usize,
        mut f: impl FnMut(Arg<A>, Arg<B>, usize) -> Option<O>,
        build: fn(Builder<O>) -> Column,
        scalar: fn(O) -> Scalar,
    ) -> Datum {
        let (a, b) = (A::arg(self), B::arg(other));
        match (self, other) {
            (Datum::Scalar(_), Datum::Scalar(_)) => {
                Datum::Scalar(f(a, b, 0).map_or(Scalar::Null, scalar))
            }
            _ => {
                let mut out = Builder::with_capacity(rows);
                for i in 0..rows {
                    out.push(f(a, b, i));
                }
                Datum::Col(Arc::new(build(out)))
            }
        }
    }

    /// The datum as a full column of type `ty` (scalars are repeated).
    pub fn into_column(self, ty: Type, rows: usize) -> Arc<Column> {
        match self {
            Datum::Col(c) => c,
            Datum::Scalar(s) => Arc::new(Column::repeat(&s, ty, rows)),
        }
    }
}

/// A boolean predicate over text: against a constant it is evaluated once per
/// dictionary entry; otherwise row by row.
pub fn text_predicate(
    left: &Datum,
    right: &Datum,
    rows: usize,
    f: impl Fn(&str, &str) -> bool,
) -> Datum {
    let (l, r) = (TextArg::of(left), TextArg::of(right));
    match (l, r) {
        (TextArg::Const(a), TextArg::Const(b)) => Datum::Scalar(match (a, b) {
            (Some(a), Some(b)) => Scalar::Bool(f(a, b)),
            _ => Scalar::Null,
        }),
        (TextArg::Col(..), TextArg::Const(None)) | (TextArg::Const(None), TextArg::Col(..)) => {
            Datum::Scalar(Scalar::Null)
        }
        (TextArg::Col(codes, dict, validity), TextArg::Const(Some(k))) => {
            let table: Vec<bool> = dict.values().iter().map(|s| f(s, k)).collect();
            by_code(codes, &table, validity)
        }
        (TextArg::Const(Some(k)), TextArg::Col(codes, dict, validity)) => {
            let table: Vec<bool> = dict.values().iter().map(|s| f(k, s)).collect();
            by_code(codes, &table, validity)
        }
        (l, r) => {
            let mut out = Builder::with_capacity(rows);
            for i in 0..rows {
                out.push(match (l.get(i), r.get(i)) {
                    (Some(a), Some(b)) => Some(f(a, b)),
                    _ => None,
                });
            }
            Datum::Col(Arc::new(out.into_column()))
        }
    }
}

fn by_code(codes: &[u32], table: &[bool], validity: Option<&Bitmap>) -> Datum {
    // Codes under a null are arbitrary but always index the dictionary, except
    // in an empty dictionary (an all-null column), hence the `get`.
    let data = codes
        .iter()
        .map(|&c| table.get(c as usize).copied().unwrap_or(false))
        .collect();
    Datum::Col(Arc::new(Column::new(Data::Bool(data), validity.cloned())))
}

/// A text function applied once per dictionary entry.
pub fn map_text(d: &Datum, f: impl Fn(&str) -> String) -> Datum {
    match d {
        Datum::Scalar(s) => Datum::Scalar(
            s.as_str()
                .map_or(Scalar::Null, |s| Scalar::Text(f(s).into())),
        ),
        Datum::Col(c) => match c.data() {
            Data::Text(codes, dict) => {
                let mut new_dict = Dict::new();
                let remap: Vec<u32> = dict
                    .values()
                    .iter()
                    .map(|s| new_dict.intern(&f(s)))
                    .collect();
                let codes = codes
                    .iter()
                    .map(|&c| remap.get(c as usize).copied().unwrap_or(0))
                    .collect();
                Datum::Col(Arc::new(Column::new(
                    Data::Text(codes, Arc::new(new_dict)),
                    c.validity().cloned(),
                )))
            }
            _ => d.clone(),
        },
    }
}

/// Row by row: `a` where it is not null, else `b`. Both are of type `ty`.
pub fn coalesce2(a: Datum, b: Datum, ty: Type, rows: usize) -> Datum {
    match (&a, &b) {
        (Datum::Scalar(s), _) if !s.is_null() => a,
        (Datum::Scalar(_), _) => b,
        (Datum::Col(c), _) if c.null_count() == 0 => a,
        (Datum::Col(c), _) => {
            let values: Vec<Scalar> = (0..rows)
                .map(|i| {
                    if c.is_valid(i) {
                        c.get(i)
                    } else {
                        match &b {
                            Datum::Scalar(s) => s.clone(),
                            Datum::Col(d) => d.get(i),
                        }
                    }
                })
                .map(|v| match (ty, v) {
                    (Type::Decimal, Scalar::Int(i)) => Scalar::Decimal(i as f64),
                    (_, v) => v,
                })
                .collect();
            Datum::Col(Arc::new(column_from_scalars(ty, &values)))
        }
    }
}
