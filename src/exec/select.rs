//! Predicates as selections: which rows a `where` keeps, as all, none or a
//! bitmap, without gathering any column. Comparisons of a column with a
//! constant run on the column's own values; for text, the constant is looked
//! up once in the dictionary and rows compare integer codes (a constant
//! missing from the dictionary selects nothing without a scan). Anything else
//! is evaluated as an expression and its true rows become the selection.

use super::expr::eval;
use super::kernels::Datum;
use super::morsel::{fill_bits, fill_bits_from};
use crate::error::Result;
use crate::plan::{CmpOp, PExpr, PExprKind};
use crate::store::{Bitmap, Column, Data, Table};
use crate::value::Scalar;
use std::ops::Range;

/// The rows a predicate keeps.
#[derive(Debug, Clone)]
pub enum Selection {
    /// Every row.
    All,
    /// No row.
    None,
    /// The rows whose bit is set.
    Bits(Bitmap),
}

impl Selection {
    /// The kept rows of `input`, gathered (every column) only when some rows go.
    pub fn apply(self, input: Table) -> Table {
        match self {
            Selection::All => input,
            Selection::None => input.take(&[]),
            Selection::Bits(b) => input.take(&indices(&b, 0..b.len())),
        }
    }

    /// Calls `f` with each kept row in `range` (which starts at a multiple of 64), in order.
    #[inline]
    pub fn for_each_in(&self, range: Range<usize>, mut f: impl FnMut(usize)) {
        match self {
            Selection::All => range.for_each(f),
            Selection::None => {}
            Selection::Bits(b) => {
                let (first, last) = (range.start / 64, range.end.div_ceil(64));
                for (w, &word) in b.words()[first..last].iter().enumerate() {
                    let w = first + w;
                    let mut x = word;
                    while x != 0 {
                        let i = w * 64 + x.trailing_zeros() as usize;
                        if i >= range.end {
                            return;
                        }
                        f(i);
                        x &= x - 1;
                    }
                }
            }
        }
    }
}

/// The set bits of `b` in `range`, as row numbers.
fn indices(b: &Bitmap, range: Range<usize>) -> Vec<u32> {
    let mut out = Vec::new();
    Selection::Bits(b.clone()).for_each_in(range, |i| out.push(i as u32));
    out
}

/// The rows of `input` where `predicate` is true (not false, not null).
pub fn selection(predicate: &PExpr, input: &Table) -> Result<Selection> {
    if let Some(s) = direct(predicate, input) {
        return Ok(s);
    }
    Ok(match eval(predicate, input)? {
        Datum::Scalar(Scalar::Bool(true)) => Selection::All,
        Datum::Scalar(_) => Selection::None,
        Datum::Col(c) => match c.data() {
            Data::Bool(v) => bits(input.num_rows(), c.validity(), |i| v[i]),
            _ => Selection::None,
        },
    })
}

/// Rows where `bit(i)` holds and the row is valid.
fn bits(len: usize, validity: Option<&Bitmap>, bit: impl Fn(usize) -> bool + Sync) -> Selection {
    let mut words = vec![0u64; len.div_ceil(64)];
    fill_bits(&mut words, len, bit);
    if let Some(v) = validity {
        words.iter_mut().zip(v.words()).for_each(|(w, v)| *w &= v);
    }
    Selection::Bits(Bitmap::from_words(words, len))
}

/// Rows where `pred` holds of the row's value and the row is valid.
pub(super) fn bits_of<T: Copy + Sync>(
    values: &[T],
    validity: Option<&Bitmap>,
    pred: impl Fn(T) -> bool + Sync,
) -> Selection {
    let mut words = vec![0u64; values.len().div_ceil(64)];
    fill_bits_from(&mut words, values, pred);
    if let Some(v) = validity {
        words.iter_mut().zip(v.words()).for_each(|(w, v)| *w &= v);
    }
    Selection::Bits(Bitmap::from_words(words, values.len()))
}

/// Combines two selections with `and` (true) or `or` (false).
fn combine(and: bool, a: Selection, b: Selection) -> Selection {
    use Selection::*;
    match (and, a, b) {
        (true, None, _) | (true, _, None) => None,
        (true, All, x) | (true, x, All) => x,
        (false, All, _) | (false, _, All) => All,
        (false, None, x) | (false, x, None) => x,
        (_, Bits(x), Bits(y)) => {
            let words = x
                .words()
                .iter()
                .zip(y.words())
                .map(|(p, q)| if and { p & q } else { p | q })
                .collect();
            Bits(Bitmap::from_words(words, x.len()))
        }
    }
}

/// The selection computed without evaluating the predicate as a column, for
/// the forms that allow it; `None` for any other form.
fn direct(e: &PExpr, input: &Table) -> Option<Selection> {
    let rows = input.num_rows();
    match &e.kind {
        PExprKind::Literal(Scalar::Bool(true)) => Some(Selection::All),
        PExprKind::Literal(Scalar::Bool(false) | Scalar::Null) => Some(Selection::None),
        PExprKind::Column(i) => match input.column_at(*i).data() {
            Data::Bool(v) => Some(bits(rows, input.column_at(*i).validity(), |r| v[r])),
            _ => None,
        },
        PExprKind::IsNull(inner, negated) => {
            let PExprKind::Column(i) = inner.kind else {
                return None;
            };
            let c = input.column_at(i);
            Some(match (c.validity(), *negated) {
                (None, false) => Selection::None,
                (None, true) => Selection::All,
                (Some(v), true) => Selection::Bits(v.clone()),
                (Some(v), false) => bits(rows, None, |r| !v.get(r)),
            })
        }
        PExprKind::Logic(and, l, r) => {
            let a = direct(l, input)?;
            if *and && matches!(a, Selection::None) {
                return Some(Selection::None);
            }
            Some(combine(*and, a, direct(r, input)?))
        }
        PExprKind::Compare(op, l, r) => match (&l.kind, &r.kind) {
            (PExprKind::Column(i), PExprKind::Literal(v)) => compare(*op, input.column_at(*i), v),
            (PExprKind::Literal(v), PExprKind::Column(i)) => {
                compare(op.flipped(), input.column_at(*i), v)
            }
            _ => None,
        },
        _ => None,
    }
}

/// `column op value` as a selection, or `None` when the types do not allow a direct compare.
fn compare(op: CmpOp, col: &Column, value: &Scalar) -> Option<Selection> {
    if value.is_null() {
        return Some(Selection::None);
    }
    let valid = col.validity();
    Some(match (col.data(), value) {
        (Data::Text(codes, dict), Scalar::Text(k)) => {
            if dict.is_empty() {
                return Some(Selection::None);
            }
            if op == CmpOp::Eq {
                match dict.lookup(k) {
                    Some(code) => bits_of(codes, valid, |c| c == code),
                    None => Selection::None,
                }
            } else {
                let table: Vec<bool> = dict
                    .values()
                    .iter()
                    .map(|s| op.holds(s.as_ref().cmp(k.as_ref())))
                    .collect();
                if !table.contains(&true) {
                    return Some(Selection::None);
                }
                bits_of(codes, valid, |c| table[c as usize])
            }
        }
        (Data::Int(v), Scalar::Int(k)) => bits_of(v, valid, |x| op.holds(x.cmp(k))),
        (Data::Date(v), Scalar::Date(k)) => bits_of(v, valid, |x| op.holds(x.cmp(k))),
        (Data::Decimal(v), Scalar::Decimal(k)) => {
            let k = k + 0.0;
            bits_of(v, valid, |x| op.holds((x + 0.0).total_cmp(&k)))
        }
        _ => return None,
    })
}
