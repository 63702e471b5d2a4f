//! JSON (an array of objects) and NDJSON (one object per line) into columns.
//! Keys become columns in the order they first appear; a missing key is null.
//! Numbers, booleans and strings keep their JSON types; strings that are all
//! `YYYY-MM-DD` dates become a date column; nested arrays and objects are
//! kept as their JSON text.

use super::chunk::ChunkColumn;
use super::infer::{thousands, Cell, CellRules, Tally};
use crate::error::{Error, ErrorKind, Result};
use crate::store::{Table, TextBuilder};
use crate::value::{parse_date, Type};
use rayon::prelude::*;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::sync::Arc;

/// Parses a JSON array of objects.
pub(crate) fn parse_array(
    file: &str,
    bytes: &[u8],
    forced: &[(String, Type)],
) -> Result<super::Loaded> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| syntax_error(file, &e, 0))?;
    let Value::Array(items) = value else {
        return Err(data(format!(
            "{file} holds {}, not an array of objects",
            describe(&value)
        ))
        .with_help("write the records as [{\"a\": 1}, {\"a\": 2}], or one object per line as NDJSON (.ndjson)"));
    };
    let records = items
        .into_iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::Object(m) => Ok(m),
            other => Err(data(format!(
                "{file}, record {}: {}, not an object",
                thousands(i as u64 + 1),
                describe(&other)
            ))
            .with_help("every element of the array must be an object such as {\"a\": 1}")),
        })
        .collect::<Result<Vec<_>>>()?;
    records_to_table(file, &records, None, forced)
}

/// Parses NDJSON: one object per line, blank lines skipped.
pub(crate) fn parse_lines(
    file: &str,
    bytes: &[u8],
    forced: &[(String, Type)],
) -> Result<super::Loaded> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        data(format!(
            "{file}, line {}: the text is not valid UTF-8",
            thousands(line as u64)
        ))
        .with_help("save the file as UTF-8 and load it again")
    })?;
    let lines: Vec<(u64, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i as u64 + 1, l))
        .collect();
    let records = lines
        .par_iter()
        .map(|&(n, line)| match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(other) => Err(data(format!(
                "{file}, line {}: {}, not an object",
                thousands(n),
                describe(&other)
            ))
            .with_help("NDJSON holds one object such as {\"a\": 1} per line")),
            Err(e) => Err(syntax_error(file, &e, n - 1)),
        })
        .collect::<Result<Vec<_>>>()?;
    let line_numbers: Vec<u64> = lines.iter().map(|(n, _)| *n).collect();
    records_to_table(file, &records, Some(&line_numbers), forced)
}

/// Builds a table from objects. `lines` gives each record's line for errors
/// (NDJSON); without it, errors count records.
pub(crate) fn records_to_table(
    file: &str,
    records: &[Map<String, Value>],
    lines: Option<&[u64]>,
    forced: &[(String, Type)],
) -> Result<super::Loaded> {
    if records.is_empty() {
        return Ok(super::Loaded {
            table: Table::with_rows(Vec::new(), 0),
            notes: vec![format!(
                "note: {file} holds no records, so the relation is empty and has no columns"
            )],
        });
    }
    let mut keys: Vec<&str> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for r in records {
        for k in r.keys() {
            if seen.insert(k.as_str()) {
                keys.push(k);
            }
        }
    }
    for (name, _) in forced {
        if !seen.contains(name.as_str()) {
            let e = data(format!("{file} has no key `{name}` to give a type"));
            return Err(match crate::error::closest(name, keys.iter().copied()) {
                Some(c) => e.with_help(format!("did you mean `{c}`?")),
                None => e,
            });
        }
    }
    let (at, position) = match lines {
        Some(l) => ("line", l.to_vec()),
        None => ("record", (1..=records.len() as u64).collect()),
    };
    let columns = keys
        .par_iter()
        .map(|&key| {
            let values = records.iter().map(|r| r.get(key).unwrap_or(&Value::Null));
            let mut note = None;
            let ty = match forced.iter().find(|(n, _)| n == key) {
                Some((_, ty)) => *ty,
                None => {
                    let mut tally = Tally::default();
                    for (v, &n) in values.clone().zip(&position) {
                        let (cell, raw) = cell(v);
                        tally.add(&cell, &raw, n);
                    }
                    let ty = tally.decide(file, key, at)?;
                    if ty == Type::Text {
                        note = tally.text_note(file, key, at);
                    }
                    ty
                }
            };
            let column = if ty == Type::Text {
                let mut b = TextBuilder::with_capacity(records.len());
                values.for_each(|v| b.push(text(v).as_deref()));
                b.into_column()
            } else {
                let mut c = ChunkColumn::new(Some(ty), records.len());
                for (v, &n) in values.zip(&position) {
                    c.push(&cell(v).1, n, v.is_string(), &CellRules::default());
                    if let Some(e) = c.forced_error(file, key, at) {
                        return Err(e);
                    }
                }
                c.finish(ty).expect("a forced column finishes as its type")
            };
            Ok(((key.to_string(), Arc::new(column)), note))
        })
        .collect::<Result<Vec<_>>>()?;
    let (columns, notes): (Vec<_>, Vec<_>) = columns.into_iter().unzip();
    Ok(super::Loaded {
        table: Table::new(columns),
        notes: notes.into_iter().flatten().collect(),
    })
}

/// A JSON value as a cell, with the text that names it in errors.
fn cell(v: &Value) -> (Cell<'_>, Cow<'_, str>) {
    match v {
        Value::Null => (Cell::Null, Cow::Borrowed("")),
        Value::Bool(b) => (
            Cell::Bool(*b),
            Cow::Borrowed(if *b { "true" } else { "false" }),
        ),
        Value::Number(n) => {
            let raw = Cow::Owned(n.to_string());
            match n.as_i64() {
                Some(i) => (Cell::Int(i), raw),
                None => (Cell::Decimal(n.as_f64().unwrap_or(f64::NAN)), raw),
            }
        }
        Value::String(s) => match parse_date(s) {
            Some(d) if s.len() == 10 => (Cell::Date(d), Cow::Borrowed(s)),
            _ => (Cell::Text(s), Cow::Borrowed(s)),
        },
        Value::Array(_) | Value::Object(_) => (Cell::Text(""), Cow::Owned(v.to_string())),
    }
}

/// A JSON value as text: strings as they are, other values as JSON.
fn text(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(Cow::Borrowed(s)),
        other => Some(Cow::Owned(other.to_string())),
    }
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn syntax_error(file: &str, e: &serde_json::Error, line_offset: u64) -> Error {
    let what = match e.classify() {
        serde_json::error::Category::Eof => "the JSON ends too early".to_string(),
        _ => {
            // serde_json's message ends with " at line L column C"; we say where ourselves.
            let msg = e.to_string();
            msg.rsplit_once(" at line ")
                .map_or(msg.clone(), |(m, _)| m.to_string())
        }
    };
    data(format!(
        "{file}, line {}, column {}: {what}",
        thousands(e.line() as u64 + line_offset),
        e.column()
    ))
    .with_help(if what.contains("number out of range") {
        "the number is beyond what a decimal holds (about 1.8e308); write it as a string to keep it as text"
    } else {
        "check the JSON near that spot (a missing comma, quote or bracket?)"
    })
}

fn data(message: String) -> Error {
    Error::new(ErrorKind::Data(message))
}
