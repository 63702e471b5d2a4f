//! A typed column: one contiguous vector of values plus a validity bitmap that
//! exists only when the column has nulls. Text is dictionary-encoded.

use super::bitmap::Bitmap;
use super::dict::Dict;
use crate::value::{Scalar, Type};
use rayon::prelude::*;
use std::sync::Arc;

/// Gathers of at least this many rows run on all cores.
const PARALLEL_ROWS: usize = 1 << 17;

/// Rows a long gather fills between looks at the cancel switch.
const GATHER_PIECE: usize = 1 << 16;

/// Marks a missing row in a gather index list: [`Column::take`] yields null there.
pub const NULL_ROW: u32 = u32::MAX;

/// The values of a column.
#[derive(Debug, Clone)]
pub enum Data {
    /// Integers.
    Int(Vec<i64>),
    /// Decimals.
    Decimal(Vec<f64>),
    /// Booleans.
    Bool(Vec<bool>),
    /// Dates as days since 1970-01-01.
    Date(Vec<i32>),
    /// Dictionary codes and the dictionary they index.
    Text(Vec<u32>, Arc<Dict>),
}

/// A column: values plus, when some are null, a validity bitmap.
#[derive(Debug, Clone)]
pub struct Column {
    data: Data,
    validity: Option<Bitmap>,
    /// True for a column built from a bare `null`, whose type is not known.
    untyped: bool,
}

impl Column {
    /// A column from values and an optional validity bitmap (dropped when all bits are set).
    pub fn new(data: Data, validity: Option<Bitmap>) -> Column {
        let validity = validity.filter(|v| !v.all_set());
        Column {
            data,
            validity,
            untyped: false,
        }
    }

    /// `n` nulls of type `ty` (text when `ty` is the null type).
    pub fn nulls(ty: Type, n: usize) -> Column {
        let data = match ty {
            Type::Int => Data::Int(vec![0; n]),
            Type::Decimal => Data::Decimal(vec![0.0; n]),
            Type::Bool => Data::Bool(vec![false; n]),
            Type::Date => Data::Date(vec![0; n]),
            Type::Text | Type::Null => Data::Text(vec![0; n], Arc::new(Dict::new())),
        };
        Column {
            data,
            validity: Some(Bitmap::new(n, false)),
            untyped: ty == Type::Null,
        }
    }

    /// `value` repeated `n` times, as a column of type `ty`.
    pub fn repeat(value: &Scalar, ty: Type, n: usize) -> Column {
        match value {
            Scalar::Null => Column::nulls(ty, n),
            Scalar::Int(v) if ty == Type::Decimal => {
                Column::new(Data::Decimal(vec![*v as f64; n]), None)
            }
            Scalar::Int(v) => Column::new(Data::Int(vec![*v; n]), None),
            Scalar::Decimal(v) => Column::new(Data::Decimal(vec![*v; n]), None),
            Scalar::Bool(v) => Column::new(Data::Bool(vec![*v; n]), None),
            Scalar::Date(v) => Column::new(Data::Date(vec![*v; n]), None),
            Scalar::Text(s) => {
                let mut dict = Dict::new();
                dict.intern(s);
                Column::new(Data::Text(vec![0; n], Arc::new(dict)), None)
            }
        }
    }

    /// An integer column from optional values (`None` is null).
    pub fn from_ints(values: impl IntoIterator<Item = Option<i64>>) -> Column {
        Builder::collect(values).into_column()
    }

    /// A decimal column from optional values (`None` is null).
    pub fn from_decimals(values: impl IntoIterator<Item = Option<f64>>) -> Column {
        Builder::collect(values).into_column()
    }

    /// A boolean column from optional values (`None` is null).
    pub fn from_bools(values: impl IntoIterator<Item = Option<bool>>) -> Column {
        Builder::collect(values).into_column()
    }

    /// A date column from optional days since 1970-01-01 (`None` is null).
    pub fn from_dates(values: impl IntoIterator<Item = Option<i32>>) -> Column {
        Builder::collect(values).into_column()
    }

    /// A text column from optional strings (`None` is null).
    pub fn from_texts<S: AsRef<str>>(values: impl IntoIterator<Item = Option<S>>) -> Column {
        let mut b = TextBuilder::with_capacity(0);
        values
            .into_iter()
            .for_each(|v| b.push(v.as_ref().map(AsRef::as_ref)));
        b.into_column()
    }

    /// The values.
    pub fn data(&self) -> &Data {
        &self.data
    }

    /// The validity bitmap, `None` when no value is null.
    pub fn validity(&self) -> Option<&Bitmap> {
        self.validity.as_ref()
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        match &self.data {
            Data::Int(v) => v.len(),
            Data::Decimal(v) => v.len(),
            Data::Bool(v) => v.len(),
            Data::Date(v) => v.len(),
            Data::Text(v, _) => v.len(),
        }
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The column's type.
    pub fn ty(&self) -> Type {
        match &self.data {
            _ if self.untyped => Type::Null,
            Data::Int(_) => Type::Int,
            Data::Decimal(_) => Type::Decimal,
            Data::Bool(_) => Type::Bool,
            Data::Date(_) => Type::Date,
            Data::Text(..) => Type::Text,
        }
    }

    /// True when row `i` holds a value.
    #[inline]
    pub fn is_valid(&self, i: usize) -> bool {
        self.validity.as_ref().is_none_or(|v| v.get(i))
    }

    /// How many rows are null.
    pub fn null_count(&self) -> usize {
        self.validity
            .as_ref()
            .map_or(0, |v| v.len() - v.count_ones())
    }

    /// Row `i` as a scalar (for display and the row API, not for the hot path).
    pub fn get(&self, i: usize) -> Scalar {
        if !self.is_valid(i) {
            return Scalar::Null;
        }
        match &self.data {
            Data::Int(v) => Scalar::Int(v[i]),
            Data::Decimal(v) => Scalar::Decimal(v[i]),
            Data::Bool(v) => Scalar::Bool(v[i]),
            Data::Date(v) => Scalar::Date(v[i]),
            Data::Text(codes, dict) => Scalar::Text(dict.get_arc(codes[i])),
        }
    }

    /// The rows at `indices`, in that order; [`NULL_ROW`] gives a null.
    pub fn take(&self, indices: &[u32]) -> Column {
        self.gather(indices, &|| false)
    }

    /// [`Column::take`] that a cancel of the query running on this thread
    /// stops: a gather of 10 million rows in random order takes a few hundred
    /// milliseconds, so it looks at the cancel switch every [`GATHER_PIECE`]
    /// rows and gives the "query cancelled" error.
    pub fn take_checked(&self, indices: &[u32]) -> crate::error::Result<Column> {
        let handle = crate::cancel::current();
        let stop = || handle.as_ref().is_some_and(|h| h.is_cancelled());
        let column = self.gather(indices, &stop);
        crate::cancel::check()?;
        Ok(column)
    }

    /// [`Column::take`], leaving the rest of the rows unfilled once `stop`
    /// says so (the caller then throws the column away).
    fn gather(&self, indices: &[u32], stop: &(dyn Fn() -> bool + Sync)) -> Column {
        fn gather<T: Copy + Default + Send + Sync>(
            values: &[T],
            indices: &[u32],
            stop: &(dyn Fn() -> bool + Sync),
        ) -> Vec<T> {
            let one = |&i: &u32| {
                if i == NULL_ROW {
                    T::default()
                } else {
                    values[i as usize]
                }
            };
            if indices.len() < PARALLEL_ROWS {
                indices.iter().map(one).collect()
            } else {
                let mut out = vec![T::default(); indices.len()];
                out.par_chunks_mut(GATHER_PIECE)
                    .zip(indices.par_chunks(GATHER_PIECE))
                    .for_each(|(out, indices)| {
                        if !stop() {
                            out.iter_mut().zip(indices).for_each(|(o, i)| *o = one(i));
                        }
                    });
                out
            }
        }
        let data = match &self.data {
            Data::Int(v) => Data::Int(gather(v, indices, stop)),
            Data::Decimal(v) => Data::Decimal(gather(v, indices, stop)),
            Data::Bool(v) => Data::Bool(gather(v, indices, stop)),
            Data::Date(v) => Data::Date(gather(v, indices, stop)),
            Data::Text(c, d) => Data::Text(gather(c, indices, stop), Arc::clone(d)),
        };
        if stop() {
            return Column::new(data, None);
        }
        let needs_validity = self.validity.is_some() || indices.contains(&NULL_ROW);
        let validity = needs_validity.then(|| {
            // Built a word (64 rows) at a time.
            let word = |(w, chunk): (&mut u64, &[u32])| {
                *w = chunk.iter().enumerate().fold(0u64, |x, (j, &i)| {
                    x | (u64::from(i != NULL_ROW && self.is_valid(i as usize)) << j)
                });
            };
            let mut words = vec![0u64; indices.len().div_ceil(64)];
            if indices.len() < PARALLEL_ROWS {
                words.iter_mut().zip(indices.chunks(64)).for_each(word);
            } else {
                words
                    .par_iter_mut()
                    .zip(indices.par_chunks(64))
                    .with_min_len(PARALLEL_ROWS / 128)
                    .for_each(word);
            }
            Bitmap::from_words(words, indices.len())
        });
        Column {
            untyped: self.untyped,
            ..Column::new(data, validity)
        }
    }

    /// Rows `start..start + len`.
    pub fn slice(&self, start: usize, len: usize) -> Column {
        let idx: Vec<u32> = (start as u32..(start + len) as u32).collect();
        self.take(&idx)
    }

    /// An integer column widened to decimal; any other column unchanged.
    pub fn to_decimal(&self) -> Column {
        match &self.data {
            Data::Int(v) => Column::new(
                Data::Decimal(v.iter().map(|&x| x as f64).collect()),
                self.validity.clone(),
            ),
            _ => self.clone(),
        }
    }
}

/// Joins columns of one type end to end: the rows of `parts[0]`, then of
/// `parts[1]`, and so on. Text dictionaries are merged (first-seen order is
/// kept) and codes renumbered. `ty` is the type of an empty result.
pub fn concat(ty: Type, parts: Vec<Column>) -> Column {
    match concat_checked(ty, parts, None) {
        Ok(c) => c,
        Err(_) => unreachable!("a concat with no handle is never cancelled"),
    }
}

/// [`concat`] that stops with the "query cancelled" error between parts
/// once `handle` is cancelled (a load's hundreds of pieces take a while,
/// and run on worker threads, so the handle is handed in).
pub fn concat_checked(
    ty: Type,
    parts: Vec<Column>,
    handle: Option<&crate::cancel::InterruptHandle>,
) -> crate::error::Result<Column> {
    if parts.len() == 1 {
        return Ok(parts.into_iter().next().expect("one part"));
    }
    if parts.is_empty() {
        return Ok(Column::nulls(ty, 0));
    }
    let total: usize = parts.iter().map(Column::len).sum();
    let untyped = parts.iter().all(|p| p.untyped);
    let mut validity = parts
        .iter()
        .any(|p| p.validity.is_some())
        .then(|| Bitmap::new(0, true));
    let mut data = match &parts[0].data {
        Data::Int(_) => Data::Int(Vec::with_capacity(total)),
        Data::Decimal(_) => Data::Decimal(Vec::with_capacity(total)),
        Data::Bool(_) => Data::Bool(Vec::with_capacity(total)),
        Data::Date(_) => Data::Date(Vec::with_capacity(total)),
        Data::Text(..) => Data::Text(Vec::with_capacity(total), Arc::new(Dict::new())),
    };
    let mut dict = Dict::new();
    // Each part is dropped as soon as it is copied, so the parts and the
    // whole are never all in memory at once.
    for part in parts {
        if let Some(h) = handle {
            h.check()?;
        }
        if let Some(bits) = &mut validity {
            match &part.validity {
                Some(v) => (0..v.len()).for_each(|i| bits.push(v.get(i))),
                None => (0..part.len()).for_each(|_| bits.push(true)),
            }
        }
        match (&mut data, part.data) {
            (Data::Int(out), Data::Int(v)) => out.extend_from_slice(&v),
            (Data::Decimal(out), Data::Decimal(v)) => out.extend_from_slice(&v),
            (Data::Bool(out), Data::Bool(v)) => out.extend_from_slice(&v),
            (Data::Date(out), Data::Date(v)) => out.extend_from_slice(&v),
            (Data::Text(out, _), Data::Text(codes, d)) if out.is_empty() && dict.is_empty() => {
                // The first part's dictionary is taken over when no one else holds it.
                match Arc::try_unwrap(d) {
                    Ok(d) => {
                        dict = d;
                        out.extend_from_slice(&codes);
                    }
                    Err(d) => {
                        let remap: Vec<u32> = d.values().iter().map(|s| dict.intern(s)).collect();
                        out.extend(
                            codes
                                .iter()
                                .map(|&c| remap.get(c as usize).copied().unwrap_or(0)),
                        );
                    }
                }
            }
            (Data::Text(out, _), Data::Text(codes, d)) => {
                let remap: Vec<u32> = d.values().iter().map(|s| dict.intern(s)).collect();
                out.extend(
                    codes
                        .iter()
                        .map(|&c| remap.get(c as usize).copied().unwrap_or(0)),
                );
            }
            _ => unreachable!("concatenated columns share a type"),
        }
    }
    if let Data::Text(_, d) = &mut data {
        *d = Arc::new(dict);
    }
    Ok(Column {
        untyped,
        ..Column::new(data, validity)
    })
}

/// Builds a column of plain values one optional value at a time; the validity
/// bitmap is only allocated at the first null.
#[derive(Debug)]
pub struct Builder<T> {
    values: Vec<T>,
    validity: Option<Bitmap>,
}

impl<T: Default> Builder<T> {
    /// An empty builder with room for `n` values.
    pub fn with_capacity(n: usize) -> Builder<T> {
        Builder {
            values: Vec::with_capacity(n),
            validity: None,
        }
    }

    /// Appends a value or a null.
    #[inline]
    pub fn push(&mut self, value: Option<T>) {
        match value {
            Some(v) => {
                if let Some(b) = &mut self.validity {
                    b.push(true);
                }
                self.values.push(v);
            }
            None => {
                let validity = self
                    .validity
                    .get_or_insert_with(|| Bitmap::new(self.values.len(), true));
                validity.push(false);
                self.values.push(T::default());
            }
        }
    }

    /// Appends values none of which is null.
    pub fn extend_valid(&mut self, values: impl IntoIterator<Item = T>) {
        let before = self.values.len();
        self.values.extend(values);
        if let Some(bits) = &mut self.validity {
            (before..self.values.len()).for_each(|_| bits.push(true));
        }
    }

    /// A builder holding every value of `values`.
    pub fn collect(values: impl IntoIterator<Item = Option<T>>) -> Builder<T> {
        let mut b = Builder::with_capacity(0);
        values.into_iter().for_each(|v| b.push(v));
        b
    }

    /// A builder holding the `n` values of `values`, built with a look at
    /// the cancel switch of the query running on this thread every
    /// [`crate::cancel::BATCH`] values (a column of 10 million takes tens
    /// of milliseconds); a cancel stops it with the error.
    pub fn collect_checked(
        n: usize,
        values: impl IntoIterator<Item = Option<T>>,
    ) -> crate::error::Result<Builder<T>> {
        let mut b = Builder::with_capacity(n);
        crate::cancel::checked(values.into_iter()).for_each(|v| b.push(v));
        crate::cancel::check()?;
        Ok(b)
    }

    /// A builder holding `values` already, with `validity` when some are null.
    pub fn from_parts(values: Vec<T>, validity: Option<Bitmap>) -> Builder<T> {
        Builder { values, validity }
    }

    /// The values and the validity bitmap, if any value was null.
    pub fn finish(self) -> (Vec<T>, Option<Bitmap>) {
        (self.values, self.validity)
    }
}

impl Builder<i64> {
    /// An integer column.
    pub fn into_column(self) -> Column {
        let (v, b) = self.finish();
        Column::new(Data::Int(v), b)
    }
}
impl Builder<f64> {
    /// A decimal column.
    pub fn into_column(self) -> Column {
        let (v, b) = self.finish();
        Column::new(Data::Decimal(v), b)
    }
}
impl Builder<bool> {
    /// A boolean column.
    pub fn into_column(self) -> Column {
        let (v, b) = self.finish();
        Column::new(Data::Bool(v), b)
    }
}
impl Builder<i32> {
    /// A date column.
    pub fn into_column(self) -> Column {
        let (v, b) = self.finish();
        Column::new(Data::Date(v), b)
    }
}

/// Builds a dictionary-encoded text column.
#[derive(Debug)]
pub struct TextBuilder {
    codes: Builder<u32>,
    dict: Dict,
}

impl TextBuilder {
    /// An empty builder with room for `n` rows.
    pub fn with_capacity(n: usize) -> TextBuilder {
        TextBuilder {
            codes: Builder::with_capacity(n),
            dict: Dict::new(),
        }
    }

    /// Appends a string or a null.
    pub fn push(&mut self, value: Option<&str>) {
        let code = value.map(|s| self.dict.intern(s));
        self.codes.push(code);
    }

    /// The finished column.
    pub fn into_column(self) -> Column {
        let (codes, validity) = self.codes.finish();
        Column::new(Data::Text(codes, Arc::new(self.dict)), validity)
    }
}

/// Builds a column of any type from scalars (for small inputs: literals, fact files, tests).
pub fn column_from_scalars(ty: Type, values: &[Scalar]) -> Column {
    let n = values.len();
    match ty {
        Type::Int => {
            let mut b = Builder::with_capacity(n);
            values.iter().for_each(|v| b.push(v.as_int()));
            b.into_column()
        }
        Type::Decimal => {
            let mut b = Builder::with_capacity(n);
            values.iter().for_each(|v| b.push(v.as_f64()));
            b.into_column()
        }
        Type::Bool => {
            let mut b = Builder::with_capacity(n);
            values.iter().for_each(|v| {
                b.push(match v {
                    Scalar::Bool(x) => Some(*x),
                    _ => None,
                })
            });
            b.into_column()
        }
        Type::Date => {
            let mut b = Builder::with_capacity(n);
            values.iter().for_each(|v| {
                b.push(match v {
                    Scalar::Date(x) => Some(*x),
                    _ => None,
                })
            });
            b.into_column()
        }
        Type::Text | Type::Null => {
            let mut b = TextBuilder::with_capacity(n);
            values.iter().for_each(|v| b.push(v.as_str()));
            let c = b.into_column();
            if ty == Type::Null {
                Column::nulls(Type::Null, n)
            } else {
                c
            }
        }
    }
}
