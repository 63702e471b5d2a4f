//! Type inference for loaded data: what one field's text can be read as, the
//! running tally per column, and the rule that turns the tally into a type.
//!
//! The rule, as the reference states it: a column whose every non-null value
//! is an integer is `int`; else every value a number, `decimal`; else every
//! value `true`/`false`, `bool`; else every value a `YYYY-MM-DD` date, `date`.
//! A column where all but a stray few values (at most one in a hundred) are of
//! one such type is an error pointing at the first stray value, since a typo in
//! a column of numbers should not silently turn it into text. Anything else is
//! `text`.

use crate::error::{Error, ErrorKind, Result};
use crate::value::{parse_date, Type};

/// What one field's text reads as.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell<'a> {
    /// Empty, `NA`, `null` or `NULL`.
    Null,
    /// An integer that fits 64 bits.
    Int(i64),
    /// Any other finite number.
    Decimal(f64),
    /// `true` or `false` (any case).
    Bool(bool),
    /// A `YYYY-MM-DD` date, as days since 1970-01-01.
    Date(i32),
    /// Anything else.
    Text(&'a str),
}

/// True for the field texts that mean "no value".
pub(crate) fn is_null_token(s: &str) -> bool {
    matches!(s, "" | "NA" | "null" | "NULL")
}

/// Reads one field's text as the narrowest value it can be.
#[inline]
pub(crate) fn classify(raw: &str) -> Cell<'_> {
    let bytes = raw.as_bytes();
    let padded =
        matches!(bytes.first(), Some(b' ' | b'\t')) || matches!(bytes.last(), Some(b' ' | b'\t'));
    let s = if padded {
        raw.trim_matches(|c: char| c == ' ' || c == '\t')
    } else {
        raw
    };
    if is_null_token(s) {
        return Cell::Null;
    }
    let first = s.as_bytes()[0];
    if first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.' {
        if let Some(cell) = plain_number(s.as_bytes()) {
            return cell;
        }
        if let Ok(v) = s.parse::<i64>() {
            return Cell::Int(v);
        }
        if let Some(v) = parse_number(s) {
            return Cell::Decimal(v);
        }
        if s.len() == 10 {
            if let Some(d) = parse_date(s) {
                return Cell::Date(d);
            }
        }
        return Cell::Text(raw);
    }
    if s.len() <= 5 {
        if s.eq_ignore_ascii_case("true") {
            return Cell::Bool(true);
        }
        if s.eq_ignore_ascii_case("false") {
            return Cell::Bool(false);
        }
    }
    Cell::Text(raw)
}

/// Powers of ten that are exact in an `f64`.
const POW10: [f64; 19] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18,
];

/// The common case, fast: an optional sign, up to 18 digits and at most one
/// point. A decimal whose digits fit 2^53 is one exact division by an exact
/// power of ten, which IEEE arithmetic rounds correctly — the same value
/// `str::parse` gives. Anything else is left to the general parsers.
#[inline]
fn plain_number(s: &[u8]) -> Option<Cell<'static>> {
    let (negative, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let (mut mantissa, mut count, mut point) = (0u64, 0usize, None);
    for (i, &c) in digits.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(c - b'0');
                count += 1;
            }
            b'.' if point.is_none() => point = Some(i),
            _ => return None,
        }
    }
    if count == 0 {
        return None;
    }
    match point {
        None => {
            let v = mantissa as i64;
            Some(Cell::Int(if negative { -v } else { v }))
        }
        Some(_) if mantissa > 1 << 53 => None,
        Some(p) => {
            let v = mantissa as f64 / POW10[digits.len() - p - 1];
            Some(Cell::Decimal(if negative { -v } else { v }))
        }
    }
}

/// A finite decimal number written with digits (no `inf`, `NaN` or hex).
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    if !s
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The candidate types a column of non-text values may have, in the order
/// they are tallied.
const CANDIDATES: [Type; 4] = [Type::Int, Type::Decimal, Type::Bool, Type::Date];

/// A value that did not fit a candidate type: where it is and its text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Misfit {
    /// The line in the file (1-based), or the record number for JSON.
    pub line: u64,
    /// The field's text.
    pub text: String,
}

/// The running tally of one column (or one chunk of it).
#[derive(Debug, Clone, Default)]
pub(crate) struct Tally {
    nonnull: u64,
    fits: [u64; 4],
    first_misfit: [Option<Misfit>; 4],
}

impl Tally {
    /// Counts one field.
    #[inline]
    pub fn add(&mut self, cell: &Cell<'_>, raw: &str, line: u64) {
        let fits = match cell {
            Cell::Null => return,
            Cell::Int(_) => [true, true, false, false],
            Cell::Decimal(_) => [false, true, false, false],
            Cell::Bool(_) => [false, false, true, false],
            Cell::Date(_) => [false, false, false, true],
            Cell::Text(_) => [false; 4],
        };
        self.nonnull += 1;
        for (i, fit) in fits.into_iter().enumerate() {
            if fit {
                self.fits[i] += 1;
            } else if self.first_misfit[i].is_none() {
                self.first_misfit[i] = Some(Misfit {
                    line,
                    text: raw.to_string(),
                });
            }
        }
    }

    /// Adds a later chunk's tally to this one (misfits keep the earliest).
    pub fn merge(&mut self, other: &Tally) {
        self.nonnull += other.nonnull;
        for i in 0..CANDIDATES.len() {
            self.fits[i] += other.fits[i];
            if self.first_misfit[i].is_none() {
                self.first_misfit[i].clone_from(&other.first_misfit[i]);
            }
        }
    }

    /// The column's type by the rule in this module's docs. `file` and
    /// `column` name the column in the error; `at` says "line" or "record".
    pub fn decide(&self, file: &str, column: &str, at: &str) -> Result<Type> {
        if self.nonnull == 0 {
            return Ok(Type::Text);
        }
        if let Some(i) = (0..CANDIDATES.len()).find(|&i| self.fits[i] == self.nonnull) {
            return Ok(CANDIDATES[i]);
        }
        // The best candidate: the most values fit it (decimal covers int).
        let best = (1..CANDIDATES.len())
            .max_by_key(|&i| self.fits[i])
            .unwrap_or(1);
        let misfits = self.nonnull - self.fits[best];
        let stray = misfits * 100 <= self.nonnull;
        match (&self.first_misfit[best], stray) {
            (Some(m), true) => Err(misfit_error(
                file,
                column,
                at,
                m,
                CANDIDATES[best],
                Some(self.fits[best]),
            )),
            _ => Ok(Type::Text),
        }
    }
}

/// The error for a value that does not fit its column's type. `others` is how
/// many values did fit, when the type was inferred rather than given.
pub(crate) fn misfit_error(
    file: &str,
    column: &str,
    at: &str,
    misfit: &Misfit,
    ty: Type,
    others: Option<u64>,
) -> Error {
    let expected = match ty {
        Type::Int => "an integer",
        Type::Decimal => "a number",
        Type::Bool => "`true` or `false`",
        Type::Date => "a date (YYYY-MM-DD)",
        Type::Text | Type::Null => "text",
    };
    let message = format!(
        "{file}, {at} {}, column `{column}`: expected {expected}, found `{}`",
        thousands(misfit.line),
        misfit.text
    );
    let help = match others {
        Some(n) => format!(
            "the column's other {} values are {}; use `with ({column}: text)` to keep it as text, or correct the value",
            thousands(n),
            plural_type(ty)
        ),
        None => format!(
            "correct the value, or use `with ({column}: text)` to keep the column as text"
        ),
    };
    Error::new(ErrorKind::Data(message)).with_help(help)
}

fn plural_type(ty: Type) -> &'static str {
    match ty {
        Type::Int => "integers",
        Type::Decimal => "numbers",
        Type::Bool => "booleans",
        Type::Date => "dates",
        Type::Text | Type::Null => "text",
    }
}

/// `1204` as `1,204`, as line numbers are shown.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(values: &[&str]) -> Tally {
        let mut t = Tally::default();
        for (i, v) in values.iter().enumerate() {
            t.add(&classify(v), v, i as u64 + 2);
        }
        t
    }

    #[test]
    fn classifies_fields() {
        assert_eq!(classify("12"), Cell::Int(12));
        assert_eq!(classify(" -7 "), Cell::Int(-7));
        assert_eq!(classify("1.5"), Cell::Decimal(1.5));
        assert_eq!(classify("1e3"), Cell::Decimal(1000.0));
        assert_eq!(classify("99999999999999999999"), Cell::Decimal(1e20));
        assert_eq!(classify("TRUE"), Cell::Bool(true));
        assert_eq!(classify("2024-05-01"), Cell::Date(19844));
        assert_eq!(classify("NA"), Cell::Null);
        assert_eq!(classify(""), Cell::Null);
        assert_eq!(classify("inf"), Cell::Text("inf"));
        assert_eq!(classify("-"), Cell::Text("-"));
        assert_eq!(classify("2024-13-01"), Cell::Text("2024-13-01"));
        assert_eq!(classify("-.5"), Cell::Decimal(-0.5));
        assert_eq!(classify("1."), Cell::Decimal(1.0));
        assert_eq!(classify("+007"), Cell::Int(7));
        assert_eq!(classify("."), Cell::Text("."));
        assert_eq!(classify("1.2.3"), Cell::Text("1.2.3"));
        assert_eq!(classify("-9223372036854775808"), Cell::Int(i64::MIN));
        assert_eq!(
            classify("9223372036854775808"),
            Cell::Decimal(9223372036854775808.0)
        );
    }

    #[test]
    fn the_fast_path_parses_as_the_standard_library_does() {
        let mut x: u64 = 12345;
        for _ in 0..100_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let digits = (x >> 40) % 10_000_000_000_000;
            let scale = ((x >> 20) % 14) as usize;
            let text = format!("{digits}");
            let text = if scale > 0 && scale < text.len() {
                format!(
                    "{}.{}",
                    &text[..text.len() - scale],
                    &text[text.len() - scale..]
                )
            } else {
                format!("0.{text}")
            };
            assert_eq!(
                classify(&text),
                Cell::Decimal(text.parse::<f64>().unwrap()),
                "{text}"
            );
        }
    }

    #[test]
    fn decides_types() {
        let d = |v: &[&str]| tally(v).decide("f.csv", "c", "line");
        assert_eq!(d(&["1", "2", "NA"]).unwrap(), Type::Int);
        assert_eq!(d(&["1", "2.5"]).unwrap(), Type::Decimal);
        assert_eq!(d(&["true", "false"]).unwrap(), Type::Bool);
        assert_eq!(d(&["2024-01-01", ""]).unwrap(), Type::Date);
        assert_eq!(d(&["NA", ""]).unwrap(), Type::Text);
        assert_eq!(d(&["a", "1", "2", "b"]).unwrap(), Type::Text);
        let mut many = vec!["1"; 99];
        many.insert(50, "n/a");
        let err = d(&many).unwrap_err();
        assert_eq!(
            err.kind().to_string(),
            "f.csv, line 52, column `c`: expected a number, found `n/a`"
        );
        // In a short column one stray value is one too many to call a typo.
        assert_eq!(d(&["1", "2", "n/a"]).unwrap(), Type::Text);
    }

    #[test]
    fn formats_thousands() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1204), "1,204");
        assert_eq!(thousands(10_000_000), "10,000,000");
    }
}
