//! Workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods), read with calamine: one
//! sheet, or a range of its cells, becomes rows of cell texts that go
//! through the same rules as CSV (`skip`, `header`, `footer`, `na`,
//! `thousands`, placeholders, type inference). Number cells keep their
//! value, date cells become dates, and numbers stored as text are read as
//! numbers. Positions in messages are the sheet's row numbers.

use super::chunk::ChunkColumn;
use super::infer::{CellRules, Tally};
use super::layout::{self, At};
use super::{LoadOptions, Loaded, Sheet};
use crate::error::{closest, Error, ErrorKind, Result};
use crate::store::Table;
use calamine::{Data, Reader};
use std::sync::Arc;

/// Reads the sheet `options` names (by default the first) of the workbook `file`.
pub(crate) fn load(file: std::fs::File, shown: &str, options: &LoadOptions) -> Result<Loaded> {
    // Workbooks are zip archives read out of order: the file is read whole.
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut { file }, &mut bytes).map_err(|e| {
        Error::new(ErrorKind::Io {
            path: shown.to_string(),
            message: e.to_string(),
        })
    })?;
    let reader = std::io::Cursor::new(bytes);
    let mut book = calamine::open_workbook_auto_from_rs(reader).map_err(|e| {
        data(format!("{shown} cannot be read as a workbook: {e}"))
            .with_help("check that it is an .xlsx, .xlsm, .xls or .ods file that a spreadsheet opens; a CSV file needs the .csv extension (or `format csv`)")
    })?;
    let names = book.sheet_names();
    let list = || {
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let name = match &options.sheet {
        None => names
            .first()
            .cloned()
            .ok_or_else(|| data(format!("{shown} has no sheets")))?,
        Some(Sheet::Name(want)) => match names
            .iter()
            .find(|n| *n == want)
            .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(want)))
        {
            Some(n) => n.clone(),
            None => {
                let e = data(format!("{shown} has no sheet \"{want}\""));
                return Err(match closest(want, names.iter().map(String::as_str)) {
                    Some(c) => e.with_help(format!(
                        "did you mean sheet \"{c}\"? its sheets are {}",
                        list()
                    )),
                    None => e.with_help(format!("its sheets are {}", list())),
                });
            }
        },
        Some(Sheet::Number(k)) => names.get(k - 1).cloned().ok_or_else(|| {
            data(format!(
                "{shown} has {} sheet{}, so it has no sheet {k}",
                names.len(),
                if names.len() == 1 { "" } else { "s" }
            ))
            .with_help(format!(
                "its sheets are {}; sheets are numbered from 1",
                list()
            ))
        })?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| data(format!("{shown}, sheet \"{name}\" cannot be read: {e}")))?;
    let file = format!("{shown}, sheet \"{name}\"");
    let (Some(first), Some(last)) = (range.start(), range.end()) else {
        return Err(data(format!("{file} is empty"))
            .with_help("name the sheet that holds the table: sheet \"NAME\" or sheet 2"));
    };
    let (top, left) = options.range.map_or(first, |r| r.start);
    let (bottom, right) = options.range.and_then(|r| r.end).unwrap_or(last);
    // The rows of cell texts, with their sheet row numbers; empty rows dropped.
    let mut rows: Vec<(u64, Vec<String>)> = Vec::new();
    for r in top..=bottom {
        let cells: Vec<String> = (left..=right)
            .map(|c| range.get_value((r, c)).map_or_else(String::new, cell_text))
            .collect();
        if cells.iter().any(|c| !c.trim().is_empty()) || rows.len() < options.skip {
            rows.push((u64::from(r) + 1, cells));
        }
    }
    if options.skip >= rows.len() {
        return Err(data(format!(
            "{file} has {} row{} with data, so `skip {}` leaves nothing to read",
            rows.len(),
            if rows.len() == 1 { "" } else { "s" },
            options.skip
        ))
        .with_help("skip fewer rows: `skip N` counts the rows above the header"));
    }
    let rows = &rows[options.skip..];
    let header_rows = options.header.unwrap_or(1).min(rows.len());
    let at = At {
        file: &file,
        unit: "row",
    };
    let width = (right - left + 1) as usize;
    let (mut names, mut notes) = if header_rows == 0 {
        (
            (1..=width).map(|i| format!("column{i}")).collect(),
            Vec::new(),
        )
    } else {
        let header: Vec<Vec<String>> = rows[..header_rows].iter().map(|(_, c)| c.clone()).collect();
        layout::header_names(&at, &header, rows[0].0)
    };
    let body = &rows[header_rows..];
    let cells: Vec<Vec<&str>> = body
        .iter()
        .map(|(_, c)| c.iter().map(String::as_str).collect())
        .collect();
    let end = layout::footer_start(&cells, width, options.footer);
    if let Some(n) = options.footer {
        if n > body.len() {
            return Err(data(format!(
                "{file} has {} row{} under the header, fewer than `footer {n}` leaves out",
                body.len(),
                if body.len() == 1 { "" } else { "s" }
            ))
            .with_help("`footer N` counts the note rows under the table"));
        }
    }
    if end < body.len() {
        let texts: Vec<String> = body[end..]
            .iter()
            .map(|(_, c)| {
                c.iter()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        notes.push(layout::footer_note(&at, body[end].0, &texts));
    }
    let body = &body[..end];
    // Columns with neither a name nor a value are left out.
    let keep: Vec<usize> = (0..width)
        .filter(|&j| {
            !(names[j] == format!("column{}", j + 1)
                && body.iter().all(|(_, c)| c[j].trim().is_empty()))
        })
        .collect();
    let rules = CellRules {
        na: options.na.clone(),
        thousands: options.thousands,
    };
    for (column, _) in &options.types {
        if !keep.iter().any(|&j| names[j] == *column) {
            let e = data(format!("{file} has no column `{column}` to give a type"));
            return Err(
                match closest(column, keep.iter().map(|&j| names[j].as_str())) {
                    Some(c) => e.with_help(format!("did you mean `{c}`?")),
                    None => e,
                },
            );
        }
    }
    let mut columns = Vec::with_capacity(keep.len());
    for &j in &keep {
        let name = std::mem::take(&mut names[j]);
        let forced = options
            .types
            .iter()
            .find(|(c, _)| *c == name)
            .map(|(_, t)| *t);
        let build = |ty: Option<crate::value::Type>| -> Result<ChunkColumn> {
            let mut col = ChunkColumn::new(ty, body.len());
            for (row, cells) in body {
                col.push(&cells[j], *row, false, &rules);
                if let Some(e) = col.forced_error(&file, &name, "row") {
                    return Err(e);
                }
            }
            Ok(col)
        };
        let col = build(forced)?;
        let ty = match forced {
            Some(ty) => ty,
            None => {
                let mut tally = Tally::default();
                tally.merge(col.tally());
                let ty = tally.decide(&file, &name, "row")?;
                if ty == crate::value::Type::Text {
                    notes.extend(tally.text_note(&file, &name, "row"));
                }
                notes.extend(tally.reading_notes(&file, &name, "row", ty));
                ty
            }
        };
        let column = match col.finish(ty) {
            Some(c) => c,
            None => build(Some(ty))?
                .finish(ty)
                .expect("a column built with a forced type finishes as that type"),
        };
        columns.push((name, Arc::new(column)));
    }
    let rows = body.len();
    if rows == 0 {
        notes.push(format!(
            "note: {file} has a header but no rows: the relation is empty"
        ));
    }
    Ok(Loaded {
        table: Table::with_rows(columns, rows),
        notes,
    })
}

/// A cell's value as the text a CSV file would hold for it.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                format!("{}", *f as i64)
            } else {
                format!("{f}")
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(t) if d.is_datetime() => {
                if t.time() == chrono::NaiveTime::MIN {
                    t.format("%Y-%m-%d").to_string()
                } else {
                    t.format("%Y-%m-%d %H:%M:%S").to_string()
                }
            }
            _ => format!("{}", d.as_f64()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("{e}"),
    }
}

fn data(message: String) -> Error {
    Error::new(ErrorKind::Data(message))
}
