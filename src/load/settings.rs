//! The options of a `load` statement beyond `with`, `format` and
//! `delimiter`, checked into [`LoadOptions`]: each bad value is an error at
//! the value, with the fix.

use super::{FileFormat, LoadOptions, Sheet};
use crate::error::{closest, Error, ErrorKind, Result};
use crate::source::Span;
use crate::syntax::ast::{LoadSetting, SettingValue};

/// The option words, for completion and suggestions.
pub const SETTING_WORDS: &[&str] = &[
    "encoding",
    "skip",
    "header",
    "footer",
    "na",
    "thousands",
    "sheet",
    "range",
];

/// Encoding names offered at the prompt (any WHATWG label is accepted).
pub const COMMON_ENCODINGS: &[&str] = &[
    "utf-8",
    "gb18030",
    "gbk",
    "utf-16le",
    "utf-16be",
    "big5",
    "shift_jis",
    "euc-kr",
    "windows-1252",
];

/// The cells of a sheet to read: from a top-left cell to an optional
/// bottom-right one, as 0-based (row, column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellRange {
    /// The top-left cell.
    pub start: (u32, u32),
    /// The bottom-right cell; to the end of the sheet's data when absent.
    pub end: Option<(u32, u32)>,
}

impl CellRange {
    /// Reads `A3:F40` or `B2` (then to the end of the data).
    pub fn parse(text: &str) -> Option<CellRange> {
        let text = text.trim();
        let (a, b) = match text.split_once(':') {
            Some((a, b)) => (a, Some(b)),
            None => (text, None),
        };
        let start = cell(a)?;
        let end = match b {
            Some(b) => Some(cell(b)?),
            None => None,
        };
        if end.is_some_and(|e| e.0 < start.0 || e.1 < start.1) {
            return None;
        }
        Some(CellRange { start, end })
    }
}

/// `B12` as (11, 1).
fn cell(text: &str) -> Option<(u32, u32)> {
    let text = text.trim().replace('$', "");
    let split = text.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = text.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.chars().all(|c| c.is_ascii_alphabetic())
    {
        return None;
    }
    let mut column: u32 = 0;
    for c in letters.chars() {
        column = column * 26 + (c.to_ascii_uppercase() as u32 - 'A' as u32 + 1);
    }
    let row: u32 = digits.parse().ok().filter(|&r| r >= 1)?;
    Some((row - 1, column - 1))
}

/// Applies the settings to `options`; `format` is the file's format when
/// known, so that an option that does not apply to it is an error.
pub(crate) fn apply(
    options: &mut LoadOptions,
    settings: &[LoadSetting],
    format: Option<FileFormat>,
) -> Result<()> {
    let mut seen: Vec<&str> = Vec::new();
    for setting in settings {
        let word = setting.name.name.as_str();
        if seen.contains(&word) {
            return Err(Error::at(
                ErrorKind::Invalid(format!("`{word}` is given twice")),
                setting.name.span,
            )
            .with_help("give each option once"));
        }
        seen.push(word);
        let value = &setting.value;
        let applies = match (word, format) {
            ("sheet" | "range", Some(f)) => f == FileFormat::Excel,
            ("skip" | "header" | "footer" | "na" | "thousands", Some(f)) => {
                matches!(f, FileFormat::Csv | FileFormat::Excel)
            }
            ("encoding", Some(f)) => {
                matches!(f, FileFormat::Csv | FileFormat::Json | FileFormat::Ndjson)
            }
            _ => true,
        };
        if !applies {
            let to = match word {
                "sheet" | "range" => "workbooks (.xlsx, .xls, .ods)",
                "encoding" => "text files (CSV, JSON, NDJSON)",
                _ => "CSV files and workbooks",
            };
            return Err(Error::at(
                ErrorKind::Invalid(format!("`{word}` applies to {to}, not to this file")),
                setting.name.span,
            )
            .with_help(format!(
                "leave `{word}` out, or give `format` if the extension misleads"
            )));
        }
        match word {
            "encoding" => {
                let name = text(word, value)?;
                options.encoding = Some(super::encoding_for_label(name).ok_or_else(|| {
                    let e = Error::at(
                        ErrorKind::Invalid(format!("unknown encoding `{name}`")),
                        value.span(),
                    );
                    match closest(&name.to_lowercase(), COMMON_ENCODINGS.iter().copied()) {
                        Some(c) => e.with_help(format!("did you mean \"{c}\"?")),
                        None => e.with_help(
                            "encodings have their WHATWG names: \"utf-8\", \"gb18030\" (also GBK and GB2312), \"utf-16le\", \"utf-16be\", \"big5\", \"shift_jis\", \"windows-1252\"",
                        ),
                    }
                })?);
            }
            "skip" => options.skip = count(word, value, 1_000_000)?,
            "header" => options.header = Some(count(word, value, 20)?),
            "footer" => options.footer = Some(count(word, value, 100)?),
            "na" => {
                options.na = match value {
                    SettingValue::List(items, _) => {
                        items.iter().map(|(t, _)| t.trim().to_string()).collect()
                    }
                    SettingValue::Text(t, _) => vec![t.trim().to_string()],
                    SettingValue::Count(_, span) => {
                        return Err(wrong(
                            word,
                            *span,
                            "a list of texts, such as na (\"-\", \"…\")",
                        ))
                    }
                }
            }
            "thousands" => {
                let t = text(word, value)?;
                let mut chars = t.chars();
                options.thousands = match (chars.next(), chars.next()) {
                    (Some(c @ (',' | ' ' | '\'' | '_' | '’' | '，' | '\u{a0}')), None) => Some(c),
                    (Some('.'), None) => {
                        return Err(Error::at(
                            ErrorKind::Invalid("`.` cannot be the thousands separator".into()),
                            value.span(),
                        )
                        .with_help("itq reads `.` as the decimal point; numbers such as 1.234,5 must be rewritten as 1234.5 in the file"))
                    }
                    _ => {
                        return Err(Error::at(
                            ErrorKind::Invalid(format!("`{t}` cannot be a thousands separator")),
                            value.span(),
                        )
                        .with_help("a thousands separator is one character: \",\", \" \", \"'\" or \"_\""))
                    }
                };
            }
            "sheet" => {
                options.sheet = Some(match value {
                    SettingValue::Text(t, _) => Sheet::Name(t.clone()),
                    SettingValue::Count(Some(n @ 1..), _) => Sheet::Number(*n as usize),
                    SettingValue::Count(_, span) => {
                        return Err(wrong(
                            word,
                            *span,
                            "a sheet's name in quotes, or its number from 1",
                        ))
                    }
                    SettingValue::List(_, span) => {
                        return Err(wrong(
                            word,
                            *span,
                            "a sheet's name in quotes, or its number from 1",
                        ))
                    }
                });
            }
            "range" => {
                let t = text(word, value)?;
                options.range = Some(CellRange::parse(t).ok_or_else(|| {
                    Error::at(
                        ErrorKind::Invalid(format!("`{t}` is not a range of cells")),
                        value.span(),
                    )
                    .with_help("write the top-left and bottom-right cells, as in range \"A3:F40\", or the top-left cell alone")
                })?);
            }
            other => unreachable!("the grammar has no load option `{other}`"),
        }
    }
    Ok(())
}

fn text<'a>(word: &str, value: &'a SettingValue) -> Result<&'a str> {
    match value {
        SettingValue::Text(t, _) => Ok(t),
        other => Err(wrong(word, other.span(), "a text in double quotes")),
    }
}

fn count(word: &str, value: &SettingValue, max: u64) -> Result<usize> {
    match value {
        SettingValue::Count(Some(n), _) if *n <= max => Ok(*n as usize),
        SettingValue::Count(_, span) => Err(Error::at(
            ErrorKind::Invalid(format!("`{word}` takes at most {max}")),
            *span,
        )
        .with_help(format!("give `{word}` a count of lines from 0 to {max}"))),
        other => Err(wrong(word, other.span(), "a count of lines, such as 1")),
    }
}

fn wrong(word: &str, span: Span, wanted: &str) -> Error {
    Error::at(ErrorKind::Invalid(format!("`{word}` takes {wanted}")), span)
        .with_help(format!("write it as in the reference: {}", example(word)))
}

fn example(word: &str) -> &'static str {
    match word {
        "encoding" => "encoding \"gb18030\"",
        "skip" => "skip 1",
        "header" => "header 2",
        "footer" => "footer 1",
        "na" => "na (\"-\", \"…\")",
        "thousands" => "thousands \",\"",
        "sheet" => "sheet \"Sheet1\" or sheet 2",
        _ => "range \"A3:F40\"",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ranges() {
        assert_eq!(
            CellRange::parse("A3:F40"),
            Some(CellRange {
                start: (2, 0),
                end: Some((39, 5))
            })
        );
        assert_eq!(
            CellRange::parse("$AA$1"),
            Some(CellRange {
                start: (0, 26),
                end: None
            })
        );
        assert_eq!(CellRange::parse("F40:A3"), None);
        assert_eq!(CellRange::parse("3A"), None);
        assert_eq!(CellRange::parse("A0"), None);
    }
}
