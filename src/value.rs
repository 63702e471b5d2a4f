//! Types and single values: what a column holds and what a literal or a
//! `let` scalar is. Columns themselves live in `store`; this is the scalar side.

use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::sync::Arc;

/// The type of a column or expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Type {
    /// 64-bit signed integer.
    Int,
    /// 64-bit floating point number, written with a decimal point.
    Decimal,
    /// `true` or `false`.
    Bool,
    /// A calendar date.
    Date,
    /// Unicode text, stored dictionary-encoded.
    Text,
    /// The type of a bare `null`: fits wherever any other type does.
    Null,
}

impl Type {
    /// The name users see in messages and schemas.
    pub fn name(self) -> &'static str {
        match self {
            Type::Int => "integer",
            Type::Decimal => "decimal",
            Type::Bool => "boolean",
            Type::Date => "date",
            Type::Text => "text",
            Type::Null => "null",
        }
    }

    /// Integer or decimal (or a bare null, which fits either).
    pub fn is_numeric(self) -> bool {
        matches!(self, Type::Int | Type::Decimal | Type::Null)
    }

    /// Parses a type name as written in fact files and `with (...)` lists.
    pub fn parse(name: &str) -> Option<Type> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "int" | "integer" => Type::Int,
            "decimal" | "float" | "number" => Type::Decimal,
            "bool" | "boolean" => Type::Bool,
            "date" => Type::Date,
            "text" | "string" => Type::Text,
            _ => return None,
        })
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One value: a literal, a `let` scalar, or a cell read out of a [`crate::Table`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Scalar {
    /// Missing or unknown.
    Null,
    /// An integer.
    Int(i64),
    /// A decimal number.
    Decimal(f64),
    /// A boolean.
    Bool(bool),
    /// A date, as days since 1970-01-01.
    #[serde(serialize_with = "serialize_date")]
    Date(i32),
    /// Text.
    Text(Arc<str>),
}

fn serialize_date<S: serde::Serializer>(days: &i32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_date(*days))
}

impl Scalar {
    /// The value's type (`Null` for null).
    pub fn ty(&self) -> Type {
        match self {
            Scalar::Null => Type::Null,
            Scalar::Int(_) => Type::Int,
            Scalar::Decimal(_) => Type::Decimal,
            Scalar::Bool(_) => Type::Bool,
            Scalar::Date(_) => Type::Date,
            Scalar::Text(_) => Type::Text,
        }
    }

    /// True for null.
    pub fn is_null(&self) -> bool {
        matches!(self, Scalar::Null)
    }

    /// The value as an integer, if it is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Scalar::Int(v) => Some(*v),
            _ => None,
        }
    }

    /// The value as a decimal, if it is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Scalar::Int(v) => Some(*v as f64),
            Scalar::Decimal(v) => Some(*v),
            _ => None,
        }
    }

    /// The value as text, if it is text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Scalar::Text(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for Scalar {
    /// How a value is shown in tables: `null`, integers plainly, decimals
    /// without floating-point noise, dates as `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Null => f.write_str("null"),
            Scalar::Int(v) => write!(f, "{v}"),
            Scalar::Decimal(v) => f.write_str(&format_decimal(*v)),
            Scalar::Bool(v) => write!(f, "{v}"),
            Scalar::Date(d) => f.write_str(&format_date(*d)),
            Scalar::Text(s) => f.write_str(s),
        }
    }
}

/// A decimal rounded to 15 significant digits (hiding floating-point noise:
/// `0.1 + 0.2` shows as `0.3`), without trailing zeros (`300.0` shows as
/// `300`), in exponent form from 1e16 up (`1e20`).
pub fn format_decimal(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if v == 0.0 {
        return "0".into();
    }
    if v.abs() < 1e15 {
        // The shortest text that reads back as `v` is already what rounding
        // to 15 significant digits gives when it has no more digits than
        // that (rounding then returns `v` itself): one formatting, no parse.
        let shortest = format!("{v}");
        let significant = shortest
            .bytes()
            .filter(u8::is_ascii_digit)
            .skip_while(|&b| b == b'0')
            .count();
        if significant <= 15 {
            return shortest;
        }
    }
    let rounded: f64 = format!("{v:.14e}").parse().unwrap_or(v);
    let rounded = rounded + 0.0; // -0 shows as 0
    if rounded.abs() >= 1e16 {
        format!("{rounded:e}")
    } else {
        format!("{rounded}")
    }
}

/// A count with thousands separators, as messages show counts and line
/// numbers: `1204` is `1,204`.
pub fn format_count(n: u64) -> String {
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

const EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// Days since 1970-01-01 for a calendar date, if the date exists.
pub fn date_from_ymd(year: i32, month: u32, day: u32) -> Option<i32> {
    NaiveDate::from_ymd_opt(year, month, day).map(|d| d.num_days_from_ce() - EPOCH_DAYS_FROM_CE)
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<i32> {
    let mut parts = text.trim().splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    date_from_ymd(year, month, day)
}

fn to_naive(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(EPOCH_DAYS_FROM_CE)?)
}

/// `YYYY-MM-DD` for days since 1970-01-01.
pub fn format_date(days: i32) -> String {
    match to_naive(days) {
        Some(d) => d.format("%Y-%m-%d").to_string(),
        None => format!("<date {days}>"),
    }
}

/// Year, month and day of days since 1970-01-01.
pub fn date_parts(days: i32) -> (i32, u32, u32) {
    to_naive(days).map_or((0, 0, 0), |d| (d.year(), d.month(), d.day()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_show_as_rounding_to_15_digits_gives() {
        let slow = |v: f64| {
            let rounded: f64 = format!("{v:.14e}").parse().unwrap_or(v) + 0.0;
            if rounded.abs() >= 1e16 {
                format!("{rounded:e}")
            } else {
                format!("{rounded}")
            }
        };
        let mut x: u64 = 7;
        for i in 0..200_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let v = match i % 4 {
                0 => (x >> 11) as f64 / (1u64 << 53) as f64 * 1e6,
                1 => ((x >> 40) as f64) / 100.0,
                2 => f64::from_bits(x) % 1e17,
                _ => -(((x >> 30) % 1_000_000_000) as f64) / 1e4 + 0.1 + 0.2,
            };
            if v.is_finite() {
                assert_eq!(format_decimal(v), slow(v), "{v:e}");
            }
        }
        assert_eq!(format_decimal(-0.0), "0");
        assert_eq!(format_decimal(0.1 + 0.2), "0.3");
    }

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(format_count(7), "7");
        assert_eq!(format_count(1204), "1,204");
        assert_eq!(format_count(10_000_000), "10,000,000");
    }
}
