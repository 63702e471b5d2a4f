//! One column of one chunk of a file, built straight into typed vectors while
//! the chunk is parsed: no row of boxed values ever exists.
//!
//! A chunk guesses its column's type from the first value and widens integers
//! to decimals in place. A value of another kind drops what was built (the
//! chunk's column is then re-read once the whole file's type is known), so the
//! common case of a clean column costs one pass.

use super::infer::{
    misfit_error, plain, Cell, CellRules, Extra, Misfit, Tally, DECIMAL, INT, TEXT,
};
use super::strings::{Interner, Piece};
use crate::store::{Builder, Column, TextBuilder};
use crate::value::Type;

/// The values built so far.
#[derive(Debug)]
enum Values {
    /// Only nulls so far: how many.
    Nulls(usize),
    Int(Builder<i64>),
    Decimal(Builder<f64>),
    Bool(Builder<bool>),
    Date(Builder<i32>),
    Text(TextBuilder),
    /// Text as codes of the column's lent interner.
    Pooled(Builder<u32>),
    /// A value did not fit the guess; the column is re-read later.
    Dropped,
}

/// A column of a chunk under construction.
#[derive(Debug)]
pub(crate) struct ChunkColumn {
    values: Values,
    tally: Tally,
    /// The type given by `with (...)`, if any.
    forced: Option<Type>,
    /// The first value that did not fit the forced type.
    bad: Option<Misfit>,
    /// How many values were pushed.
    rows: usize,
    /// True once a placeholder was stored as null in a column not built as
    /// text: if the column turns out text, it is re-read to keep them.
    placeholder_nulls: bool,
    /// The interner text is coded into, while lent, and its number.
    interner: Option<Box<Interner>>,
    interner_id: Option<usize>,
    /// True once a string went into the interner.
    interned: bool,
}

impl ChunkColumn {
    /// An empty column, inferring its type unless `forced` gives one.
    pub fn new(forced: Option<Type>, capacity: usize) -> ChunkColumn {
        let values = match forced {
            None => Values::Nulls(0),
            Some(Type::Int) => Values::Int(Builder::with_capacity(capacity)),
            Some(Type::Decimal) => Values::Decimal(Builder::with_capacity(capacity)),
            Some(Type::Bool) => Values::Bool(Builder::with_capacity(capacity)),
            Some(Type::Date) => Values::Date(Builder::with_capacity(capacity)),
            Some(Type::Text | Type::Null) => Values::Text(TextBuilder::with_capacity(capacity)),
        };
        ChunkColumn {
            values,
            tally: Tally::default(),
            forced,
            bad: None,
            rows: 0,
            placeholder_nulls: false,
            interner: None,
            interner_id: None,
            interned: false,
        }
    }

    /// This column with its text coded into `interner` (number `id` of the
    /// column's) rather than a dictionary of its own, until [`Self::give_back`].
    pub fn with_interner(mut self, id: usize, interner: Box<Interner>) -> ChunkColumn {
        if let Values::Text(_) = self.values {
            self.values = Values::Pooled(Builder::with_capacity(self.rows));
        }
        self.interner = Some(interner);
        self.interner_id = Some(id);
        self
    }

    /// The lent interner and its number, to be given back once the chunk is read.
    pub fn give_back(&mut self) -> Option<(usize, Box<Interner>)> {
        Some((self.interner_id?, self.interner.take()?))
    }

    /// True when strings went into a lent interner.
    pub fn interned(&self) -> bool {
        self.interned
    }

    /// How many values were pushed.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// True once a value failed the forced type (the chunk can stop).
    pub fn failed(&self) -> bool {
        self.bad.is_some()
    }

    /// Appends one field's text found on `line`, read by `rules`.
    #[inline]
    pub fn push(&mut self, raw: &str, line: u64, quoted: bool, rules: &CellRules) {
        if !(self.forced.is_none() && rules.are_plain() && self.push_plain(raw.as_bytes(), raw)) {
            self.push_any(raw, line, quoted, rules);
        }
    }

    /// Appends a field of the plain form the column holds so far (an integer
    /// to integers, a number to decimals, a word to text), with no value
    /// built in between; false, appending nothing, for anything else.
    #[inline]
    fn push_plain(&mut self, bytes: &[u8], raw: &str) -> bool {
        let row = self.rows;
        let pushed = match &mut self.values {
            Values::Int(b) => match plain::int(bytes) {
                Some(v) if self.tally.again(INT) => {
                    b.push(Some(v));
                    true
                }
                _ => false,
            },
            Values::Decimal(b) => match plain::number(bytes) {
                Some(Ok(v)) if self.tally.again(DECIMAL) => {
                    b.push(Some(v));
                    true
                }
                Some(Err(v)) if self.tally.again(INT) => {
                    b.push(Some(v as f64));
                    true
                }
                _ => false,
            },
            Values::Pooled(b) => match &mut self.interner {
                Some(strings) if plain::word(bytes) && self.tally.again(TEXT) => {
                    self.interned = true;
                    b.push(Some(strings.intern(raw, row)));
                    true
                }
                _ => false,
            },
            Values::Text(b) if plain::word(bytes) && self.tally.again(TEXT) => {
                b.push(Some(raw));
                true
            }
            _ => false,
        };
        if pushed {
            self.rows += 1;
        }
        pushed
    }

    /// [`Self::push`] for a field of any form.
    fn push_any(&mut self, raw: &str, line: u64, quoted: bool, rules: &CellRules) {
        let row = self.rows;
        self.rows += 1;
        let (cell, extra) = rules.classify(raw);
        // A quoted `"NA"` is the text NA; an empty field is null, quoted or not.
        let cell = match cell {
            Cell::Null
                if quoted
                    && extra == Extra::None
                    && !raw.is_empty()
                    && !rules.na.iter().any(|n| n == raw.trim()) =>
            {
                Cell::Text(raw)
            }
            cell => cell,
        };
        match self.forced {
            Some(Type::Text | Type::Null) => {
                let keep = cell != Cell::Null || extra == Extra::Placeholder;
                match &mut self.values {
                    Values::Text(b) => b.push(keep.then_some(raw)),
                    Values::Pooled(b) => match (&mut self.interner, keep) {
                        (Some(strings), true) => {
                            self.interned = true;
                            b.push(Some(strings.intern(raw, row)));
                        }
                        _ => b.push(None),
                    },
                    _ => {}
                }
            }
            Some(ty) => {
                if !(fits_forced(ty, &cell) && push_cell(&mut self.values, cell, raw, &mut None))
                    && self.bad.is_none()
                {
                    self.bad = Some(Misfit {
                        line,
                        text: raw.to_string(),
                    });
                }
            }
            None => {
                self.tally.add(&cell, raw, line);
                self.tally.add_extra(extra, raw, line);
                let cell = match (extra, &self.values) {
                    (Extra::Placeholder, Values::Text(_) | Values::Pooled(_)) => Cell::Text(raw),
                    (Extra::Placeholder, _) => {
                        self.placeholder_nulls = true;
                        cell
                    }
                    _ => cell,
                };
                let mut text = self.interner.as_deref_mut().map(|t| Text {
                    interner: t,
                    row,
                    interned: &mut self.interned,
                });
                if !push_cell(&mut self.values, cell, raw, &mut text) {
                    self.values = Values::Dropped;
                }
            }
        }
    }

    /// The tally of values seen (empty for a forced type).
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// Moves every line this column noted down by `by` (its chunk counted
    /// lines from 0 before the line it starts on was known).
    pub fn move_lines(&mut self, by: u64) {
        self.tally.move_lines(by);
        if let Some(bad) = &mut self.bad {
            bad.line += by;
        }
    }

    /// The error for the first value that did not fit the forced type;
    /// `at` says what the positions count ("line", "row").
    pub fn forced_error(&self, file: &str, column: &str, at: &str) -> Option<crate::Error> {
        let (bad, ty) = (self.bad.as_ref()?, self.forced?);
        Some(misfit_error(file, column, at, bad, ty, None))
    }

    /// The finished column if what was built has type `ty` (or widens to it);
    /// `None` when the chunk must be re-read as `ty`. For a column given an
    /// interner, see [`Self::finish_piece`].
    pub fn finish(self, ty: Type) -> Option<Column> {
        match self.finish_piece(ty)? {
            Piece::Column(c) => Some(c),
            Piece::Coded { .. } => None,
        }
    }

    /// [`Self::finish`], with text coded into an interner given as its codes.
    pub fn finish_piece(self, ty: Type) -> Option<Piece> {
        if ty == Type::Text && self.placeholder_nulls {
            return None;
        }
        Some(Piece::Column(match (self.values, ty) {
            (Values::Pooled(b), Type::Text) => {
                let (codes, validity) = b.finish();
                return Some(Piece::Coded {
                    codes,
                    validity,
                    interner: self.interner_id?,
                });
            }
            (Values::Nulls(n), _) => Column::nulls(ty, n),
            (Values::Int(b), Type::Int) => b.into_column(),
            (Values::Int(b), Type::Decimal) => b.into_column().to_decimal(),
            (Values::Decimal(b), Type::Decimal) => b.into_column(),
            (Values::Bool(b), Type::Bool) => b.into_column(),
            (Values::Date(b), Type::Date) => b.into_column(),
            (Values::Text(b), Type::Text) => b.into_column(),
            _ => return None,
        }))
    }
}

/// True when a value of this kind may go in a column given type `ty`
/// (integers fit decimals; nothing else widens).
fn fits_forced(ty: Type, cell: &Cell<'_>) -> bool {
    matches!(
        (ty, cell),
        (_, Cell::Null)
            | (Type::Int, Cell::Int(_))
            | (Type::Decimal, Cell::Int(_) | Cell::Decimal(_))
            | (Type::Bool, Cell::Bool(_))
            | (Type::Date, Cell::Date(_))
            | (Type::Text | Type::Null, _)
    )
}

/// Where a text value goes when the column has a lent interner.
struct Text<'a> {
    interner: &'a mut Interner,
    /// The value's row in the chunk.
    row: usize,
    interned: &'a mut bool,
}

/// Appends `cell` to `values` if it fits; false if it does not. Text goes
/// into `text`'s interner when there is one.
#[inline]
fn push_cell(values: &mut Values, cell: Cell<'_>, raw: &str, text: &mut Option<Text<'_>>) -> bool {
    match (&mut *values, cell) {
        (Values::Dropped, _) => return true,
        (Values::Nulls(n), Cell::Null) => *n += 1,
        (Values::Nulls(n), cell) => {
            let n = *n;
            *values = match cell {
                Cell::Int(_) => Values::Int(with_nulls(n)),
                Cell::Decimal(_) => Values::Decimal(with_nulls(n)),
                Cell::Bool(_) => Values::Bool(with_nulls(n)),
                Cell::Date(_) => Values::Date(with_nulls(n)),
                Cell::Text(_) | Cell::Null if text.is_some() => Values::Pooled(with_nulls(n)),
                Cell::Text(_) | Cell::Null => {
                    let mut b = TextBuilder::with_capacity(n + 1024);
                    (0..n).for_each(|_| b.push(None));
                    Values::Text(b)
                }
            };
            return push_cell(values, cell, raw, text);
        }
        (Values::Int(b), Cell::Int(v)) => b.push(Some(v)),
        (Values::Int(b), Cell::Null) => b.push(None),
        (Values::Int(b), Cell::Decimal(v)) => {
            let old = std::mem::replace(b, Builder::with_capacity(0));
            let (ints, validity) = old.finish();
            let mut widened =
                Builder::from_parts(ints.iter().map(|&x| x as f64).collect(), validity);
            widened.push(Some(v));
            *values = Values::Decimal(widened);
        }
        (Values::Decimal(b), Cell::Decimal(v)) => b.push(Some(v)),
        (Values::Decimal(b), Cell::Int(v)) => b.push(Some(v as f64)),
        (Values::Decimal(b), Cell::Null) => b.push(None),
        (Values::Bool(b), Cell::Bool(v)) => b.push(Some(v)),
        (Values::Bool(b), Cell::Null) => b.push(None),
        (Values::Date(b), Cell::Date(v)) => b.push(Some(v)),
        (Values::Date(b), Cell::Null) => b.push(None),
        (Values::Text(b), Cell::Null) => b.push(None),
        (Values::Text(b), _) => b.push(Some(raw)),
        (Values::Pooled(b), Cell::Null) => b.push(None),
        (Values::Pooled(b), _) => match text {
            Some(t) => {
                *t.interned = true;
                b.push(Some(t.interner.intern(raw, t.row)));
            }
            None => return false,
        },
        _ => return false,
    }
    true
}

fn with_nulls<T: Default>(n: usize) -> Builder<T> {
    let mut b = Builder::with_capacity(n + 1024);
    (0..n).for_each(|_| b.push(None));
    b
}
