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

/// The plain forms most fields of a large file take, read without the
/// general [`classify`]: what each gives is what [`CellRules::classify`]
/// would, under rules with no `na` and no `thousands`.
pub(crate) mod plain {
    /// An integer of at most 18 digits, with `-` or nothing before.
    #[inline]
    pub fn int(s: &[u8]) -> Option<i64> {
        let (negative, digits) = match s.first()? {
            b'-' => (true, &s[1..]),
            _ => (false, s),
        };
        if digits.is_empty() || digits.len() > 18 {
            return None;
        }
        let mut v = 0i64;
        for &c in digits {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(c - b'0');
        }
        Some(if negative { -v } else { v })
    }

    /// Digits with one point (or none), read as [`super::classify`] reads
    /// them: `Ok` a decimal, `Err` an integer.
    #[inline]
    pub fn number(s: &[u8]) -> Option<Result<f64, i64>> {
        if s.is_empty() {
            return None;
        }
        match super::plain_number(s)? {
            super::Cell::Decimal(v) => Some(Ok(v)),
            super::Cell::Int(v) => Some(Err(v)),
            _ => None,
        }
    }

    /// Text that can be nothing but text: it starts with an ASCII letter,
    /// ends with an ASCII letter or digit, and is no null token, boolean or
    /// placeholder (all of which are five bytes or shorter).
    #[inline]
    pub fn word(s: &[u8]) -> bool {
        let (Some(first), Some(last)) = (s.first(), s.last()) else {
            return false;
        };
        if !first.is_ascii_alphabetic() || !last.is_ascii_alphanumeric() {
            return false;
        }
        s.len() > 5
            || !(s.eq_ignore_ascii_case(b"true")
                || s.eq_ignore_ascii_case(b"false")
                || matches!(
                    s,
                    b"NA"
                        | b"null"
                        | b"NULL"
                        | b"n/a"
                        | b"N/A"
                        | b"na"
                        | b"nan"
                        | b"NaN"
                        | b"x"
                        | b"X"
                ))
    }
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
        // Digits past 64 bits are an identifier (a contract or company
        // number), not a quantity to round into a decimal.
        if s.trim_start_matches(['-', '+'])
            .bytes()
            .all(|b| b.is_ascii_digit())
        {
            return Cell::Text(raw);
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

/// What a text cell may still be once the plain rules of [`classify`] read
/// it as text: a placeholder for a missing value, a number with thousands
/// separators, or one of the texts `na (...)` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extra {
    /// Nothing more to say.
    None,
    /// A placeholder such as `-` or `…`: null in a column of numbers, dates
    /// or booleans, kept as text in a text column.
    Placeholder,
    /// A number written with thousands separators (recognised, not given).
    Grouped,
}

/// The texts that stand for a missing value in statistical tables, read as
/// null in a column whose other values are numbers, dates or booleans.
pub(crate) const PLACEHOLDERS: &[&str] = &[
    "-", "--", "---", "—", "——", "–", "…", "……", "...", "n/a", "N/A", "#N/A", "na", "nan", "NaN",
    "/", "x", "X", "*", "－", "／", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!",
];

/// The load options that change how one cell's text is read: `na (...)`
/// and `thousands "..."`.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct CellRules {
    /// Further texts that mean "no value" in every column.
    pub na: Vec<String>,
    /// The thousands separator given with `thousands`; without it, commas
    /// in groups of three (`1,234,567.5`) are recognised.
    pub thousands: Option<char>,
}

impl CellRules {
    /// True with no `na` and no `thousands`: the fields' plain forms (see
    /// [`plain`]) read as they look.
    pub fn are_plain(&self) -> bool {
        self.na.is_empty() && self.thousands.is_none()
    }

    /// Reads one field as [`classify`] does, then, for what that reads as
    /// text, applies these rules.
    #[inline]
    pub fn classify<'a>(&self, raw: &'a str) -> (Cell<'a>, Extra) {
        match classify(raw) {
            Cell::Text(_) => self.text_cell(raw),
            cell => {
                if !self.na.is_empty() && self.na.iter().any(|n| n == trim_cell(raw)) {
                    return (Cell::Null, Extra::None);
                }
                (cell, Extra::None)
            }
        }
    }

    #[cold]
    fn text_cell<'a>(&self, raw: &'a str) -> (Cell<'a>, Extra) {
        let s = trim_cell(raw);
        if self.na.iter().any(|n| n == s) {
            return (Cell::Null, Extra::None);
        }
        if let Some(cell) = grouped_number(s, self.thousands) {
            let extra = if self.thousands.is_some() {
                Extra::None
            } else {
                Extra::Grouped
            };
            return (cell, extra);
        }
        if PLACEHOLDERS.contains(&s) {
            return (Cell::Null, Extra::Placeholder);
        }
        (Cell::Text(raw), Extra::None)
    }
}

/// A cell's text without surrounding spaces (including the ideographic space).
fn trim_cell(raw: &str) -> &str {
    raw.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\u{3000}')
}

/// A number with thousands separators: `sep` when given (any grouping), or
/// else commas in groups of three after a first group of one to three digits.
fn grouped_number(s: &str, sep: Option<char>) -> Option<Cell<'static>> {
    let mark = sep.unwrap_or(',');
    if !s.contains(mark) {
        return None;
    }
    let body = s.trim_start_matches(['-', '+']);
    if s.len() - body.len() > 1 {
        return None;
    }
    let (whole, fraction) = match body.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (body, None),
    };
    if fraction.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let groups: Vec<&str> = whole.split(mark).collect();
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    let ok = if sep.is_some() {
        groups.iter().all(|g| digits(g))
    } else {
        groups[0].len() <= 3
            && digits(groups[0])
            && groups[1..].iter().all(|g| g.len() == 3 && digits(g))
    };
    if !ok {
        return None;
    }
    let plain: String = s.chars().filter(|&c| c != mark).collect();
    match classify(&plain) {
        Cell::Int(v) => Some(Cell::Int(v)),
        Cell::Decimal(v) => Some(Cell::Decimal(v)),
        _ => None,
    }
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

/// The candidate types a column of non-text values may have.
const CANDIDATES: [Type; 4] = [Type::Int, Type::Decimal, Type::Bool, Type::Date];

/// The kinds of non-null value a field can be, as tallied.
const KINDS: usize = 5;
pub(crate) const INT: usize = 0;
pub(crate) const DECIMAL: usize = 1;
const BOOL: usize = 2;
const DATE: usize = 3;
pub(crate) const TEXT: usize = 4;

/// Which kinds of value fit each candidate type.
fn fits(candidate: Type, kind: usize) -> bool {
    match candidate {
        Type::Int => kind == INT,
        Type::Decimal => kind == INT || kind == DECIMAL,
        Type::Bool => kind == BOOL,
        Type::Date => kind == DATE,
        Type::Text | Type::Null => true,
    }
}

/// A value that did not fit a candidate type: where it is and its text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Misfit {
    /// The line in the file (1-based), or the record number for JSON.
    pub line: u64,
    /// The field's text.
    pub text: String,
}

/// The running tally of one column (or one chunk of it): how many values of
/// each kind, and the first value of each kind (for the error messages).
#[derive(Debug, Clone, Default)]
pub(crate) struct Tally {
    counts: [u64; KINDS],
    first: [Option<Misfit>; KINDS],
    /// Placeholders read as null, and the first of them.
    placeholders: (u64, Option<Misfit>),
    /// Numbers with thousands separators recognised, and the first of them.
    grouped: (u64, Option<Misfit>),
}

impl Tally {
    /// Counts one field.
    #[inline]
    pub fn add(&mut self, cell: &Cell<'_>, raw: &str, line: u64) {
        self.add_with(cell, line, || raw.to_string());
    }

    /// Counts one field whose text, wanted only for the first of its kind,
    /// `raw` makes (a number read from JSON has none until it is written).
    #[inline]
    pub fn add_with(&mut self, cell: &Cell<'_>, line: u64, raw: impl FnOnce() -> String) {
        let kind = match cell {
            Cell::Null => return,
            Cell::Int(_) => INT,
            Cell::Decimal(_) => DECIMAL,
            Cell::Bool(_) => BOOL,
            Cell::Date(_) => DATE,
            Cell::Text(_) => TEXT,
        };
        self.counts[kind] += 1;
        if self.first[kind].is_none() {
            self.first[kind] = Some(Misfit { line, text: raw() });
        }
    }

    /// Counts one more value of `kind` (one of [`INT`], [`DECIMAL`],
    /// [`TEXT`]) if one was counted before; false, counting nothing, if this
    /// would be the first (whose text and line [`Tally::add`] keeps).
    #[inline]
    pub fn again(&mut self, kind: usize) -> bool {
        if self.first[kind].is_none() {
            return false;
        }
        self.counts[kind] += 1;
        true
    }

    /// Counts what [`CellRules::classify`] said beyond the cell itself.
    #[inline]
    pub fn add_extra(&mut self, extra: Extra, raw: &str, line: u64) {
        let slot = match extra {
            Extra::None => return,
            Extra::Placeholder => &mut self.placeholders,
            Extra::Grouped => &mut self.grouped,
        };
        slot.0 += 1;
        if slot.1.is_none() {
            slot.1 = Some(Misfit {
                line,
                text: raw.trim().to_string(),
            });
        }
    }

    /// Moves every line kept down by `by`.
    pub fn move_lines(&mut self, by: u64) {
        let kept = self.first.iter_mut().flatten();
        let extras = [&mut self.placeholders.1, &mut self.grouped.1];
        for m in kept.chain(extras.into_iter().flatten()) {
            m.line += by;
        }
    }

    /// Adds a later chunk's tally to this one (the earlier first values win).
    pub fn merge(&mut self, other: &Tally) {
        for kind in 0..KINDS {
            self.counts[kind] += other.counts[kind];
            if self.first[kind].is_none() {
                self.first[kind].clone_from(&other.first[kind]);
            }
        }
        for (mine, theirs) in [
            (&mut self.placeholders, &other.placeholders),
            (&mut self.grouped, &other.grouped),
        ] {
            mine.0 += theirs.0;
            if mine.1.is_none() {
                mine.1.clone_from(&theirs.1);
            }
        }
    }

    /// For a column of type `ty` (not text): notes on the placeholders read
    /// as null and the thousands separators recognised in it.
    pub fn reading_notes(&self, file: &str, column: &str, at: &str, ty: Type) -> Vec<String> {
        let mut notes = Vec::new();
        if ty == Type::Text {
            return notes;
        }
        if let (n, Some(first)) = &self.placeholders {
            notes.push(format!(
                "note: {file}: in column `{column}`, {} stand{} for missing values and {} read as null (the first: `{}` on {at} {}); load `with ({}: text)` to keep the column as text",
                counted(*n, "placeholder"),
                if *n == 1 { "s" } else { "" },
                if *n == 1 { "is" } else { "are" },
                first.text,
                thousands(first.line),
                as_name(column),
            ));
        }
        if let (n, Some(first)) = &self.grouped {
            notes.push(format!(
                "note: {file}: in column `{column}`, {} thousands separators and {} read as numbers (the first: `{}` on {at} {})",
                if *n == 1 { "1 value has".to_string() } else { format!("{} values have", thousands(*n)) },
                if *n == 1 { "is" } else { "are" },
                first.text,
                thousands(first.line),
            ));
        }
        notes
    }

    /// The column's type by the rule in this module's docs. `file` and
    /// `column` name the column in the error; `at` says "line" or "record".
    pub fn decide(&self, file: &str, column: &str, at: &str) -> Result<Type> {
        let nonnull: u64 = self.counts.iter().sum();
        if nonnull == 0 {
            return Ok(Type::Text);
        }
        let fitting = |ty: Type| -> u64 {
            (0..KINDS)
                .filter(|&k| fits(ty, k))
                .map(|k| self.counts[k])
                .sum()
        };
        if let Some(ty) = CANDIDATES.into_iter().find(|&ty| fitting(ty) == nonnull) {
            return Ok(ty);
        }
        // The best candidate: the most values fit it (decimal covers int).
        let best = CANDIDATES[1..]
            .iter()
            .copied()
            .max_by_key(|&ty| fitting(ty))
            .unwrap_or(Type::Decimal);
        let fit = fitting(best);
        let misfits = nonnull - fit;
        if misfits * 100 > nonnull {
            return Ok(Type::Text);
        }
        // The first value that does not fit: the earliest first of a kind that does not.
        let first = (0..KINDS)
            .filter(|&k| !fits(best, k))
            .filter_map(|k| self.first[k].as_ref())
            .min_by_key(|m| m.line);
        match first {
            Some(m) => Err(misfit_error(file, column, at, m, best, Some(fit))),
            None => Ok(Type::Text),
        }
    }

    /// For a column read as text whose values are mostly of another type
    /// (say, numbers with some `n/a`), a note saying so: queries that treat
    /// it as numbers would otherwise fail far from the cause.
    pub fn text_note(&self, file: &str, column: &str, at: &str) -> Option<String> {
        let nonnull: u64 = self.counts.iter().sum();
        let fitting = |ty: Type| -> u64 {
            (0..KINDS)
                .filter(|&k| fits(ty, k))
                .map(|k| self.counts[k])
                .sum()
        };
        let best = CANDIDATES[1..]
            .iter()
            .copied()
            .max_by_key(|&ty| fitting(ty))?;
        let fit = fitting(best);
        if fit * 2 <= nonnull {
            return None;
        }
        let first = (0..KINDS)
            .filter(|&k| !fits(best, k))
            .filter_map(|k| self.first[k].as_ref())
            .min_by_key(|m| m.line)?;
        Some(format!(
            "note: {file}: column `{column}` is read as text, since {} of its {} values are not {} (the first: `{}` on {at} {}); correct them, or load it `with ({}: text)` to keep it as text without this note",
            thousands(nonnull - fit),
            thousands(nonnull),
            plural_type(best),
            first.text,
            thousands(first.line),
            as_name(column),
        ))
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
    let name = as_name(column);
    let help = match others {
        Some(n) => format!(
            "the column's other {} values are {}; use `with ({name}: text)` to keep it as text, or correct the value",
            thousands(n),
            plural_type(ty)
        ),
        None => format!(
            "correct the value, or use `with ({name}: text)` to keep the column as text"
        ),
    };
    let text = misfit.text.trim();
    let numeric = matches!(ty, Type::Int | Type::Decimal)
        && text.contains(',')
        && text.bytes().any(|b| b.is_ascii_digit())
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b"-+.,".contains(&b));
    let help = match numeric.then(|| comma_kind(text)) {
        Some(Comma::Decimal) => format!(
            "itq reads decimal points, not decimal commas: write `{}` in the file, or keep the column as text with `with ({name}: text)`",
            text.replace('.', "").replace(',', ".")
        ),
        Some(Comma::Thousands) => format!(
            "the commas look like thousands separators: load with `thousands \",\"` to read `{text}` as {}, or remove the commas in the file",
            text.replace(',', "")
        ),
        None => help,
    };
    Error::new(ErrorKind::Data(message)).with_help(help)
}

/// A column name as a query writes it: bare when it is a plain name, else
/// in backquotes (`签约金额(亿元)`, `count`).
pub(crate) fn as_name(name: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "where", "select", "derive", "sort", "limit", "top", "join", "left", "distinct", "by",
        "as", "on", "asc", "desc", "let", "def", "and", "or", "not", "in", "is", "between",
        "contains", "null", "true", "false", "count", "sum", "avg", "min", "max", "median",
    ];
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&name.to_lowercase().as_str());
    if plain {
        name.to_string()
    } else {
        format!("`{name}`")
    }
}

/// What the commas in a number-like text are.
enum Comma {
    /// One comma and no point, not followed by exactly three digits: `1,5`.
    Decimal,
    /// Anything else: `1,234.5`, `12,345`, `1,23,456`.
    Thousands,
}

fn comma_kind(text: &str) -> Comma {
    let commas = text.matches(',').count();
    let after = text.rsplit(',').next().unwrap_or("");
    match (text.rfind(','), text.rfind('.')) {
        // `1.234,5`: points group thousands, the last comma is the decimal mark.
        (Some(c), Some(p)) if c > p && commas == 1 => Comma::Decimal,
        (Some(_), None) if commas == 1 && after.len() != 3 => Comma::Decimal,
        _ => Comma::Thousands,
    }
}

/// `n` things, in the singular when `n` is 1.
fn counted(n: u64, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{} {thing}s", thousands(n))
    }
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

pub(crate) use crate::value::format_count as thousands;

#[cfg(test)]
mod tests {

    #[test]
    fn the_plain_forms_read_as_the_general_reading_does() {
        let rules = CellRules::default();
        let samples = [
            "0",
            "7",
            "-3",
            "+3",
            "007",
            "123456789012345678",
            "1234567890123456789",
            "-",
            "34.91",
            "-0.5",
            ".5",
            "5.",
            "1.2.3",
            "1e3",
            "2024-01-02",
            " 5",
            "5 ",
            "1,234",
            "Gansu",
            "Anhui",
            "NA",
            "na",
            "nan",
            "NaN",
            "null",
            "NULL",
            "x",
            "X",
            "n/a",
            "N/A",
            "true",
            "TRUE",
            "False",
            "truex",
            "F016727",
            "Smith, John",
            "word ",
            "word\t",
            "Xi'an",
            "new energy",
            "Hubei",
            "a",
            "ab1",
            "é",
            "Ürümqi",
            "abc\u{3000}",
            "",
        ];
        for s in samples {
            let (cell, extra) = rules.classify(s);
            if let Some(v) = plain::int(s.as_bytes()) {
                assert_eq!((cell, extra), (Cell::Int(v), Extra::None), "{s:?}");
            }
            match plain::number(s.as_bytes()) {
                Some(Ok(v)) => assert_eq!((cell, extra), (Cell::Decimal(v), Extra::None), "{s:?}"),
                Some(Err(v)) => assert_eq!((cell, extra), (Cell::Int(v), Extra::None), "{s:?}"),
                None => {}
            }
            if plain::word(s.as_bytes()) {
                assert_eq!((cell, extra), (Cell::Text(s), Extra::None), "{s:?}");
            }
        }
        assert!(plain::word(b"Gansu") && plain::word(b"F016727") && !plain::word(b"NaN"));
        assert_eq!(plain::int(b"-42"), Some(-42));
        assert_eq!(plain::number(b"34.91"), Some(Ok(34.91)));
    }

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
        assert_eq!(
            classify("99999999999999999999"),
            Cell::Text("99999999999999999999")
        );
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
            Cell::Text("9223372036854775808")
        );
        assert_eq!(
            classify("9223372036854775808.0"),
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
}
