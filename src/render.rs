//! Turns tables into text: a bordered table (comfy-table), CSV, JSON or
//! Markdown. The only module that knows about those formats.

use crate::store::Table;
use crate::value::{Scalar, Type};
use comfy_table::{presets, CellAlignment, ContentArrangement};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// A bordered table with a row count.
    #[default]
    Table,
    /// Comma-separated values with a header row.
    Csv,
    /// A JSON array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// A Markdown table.
    Markdown,
}

/// Renders `table` in `format`. The result ends with a newline.
pub fn render(table: &Table, format: Format) -> String {
    match format {
        Format::Table => boxed(table, presets::UTF8_FULL_CONDENSED, true),
        Format::Markdown => boxed(table, presets::ASCII_MARKDOWN, false),
        Format::Csv => csv(table),
        Format::Json => {
            let mut s =
                serde_json::to_string_pretty(&json_rows(table)).expect("JSON values serialise");
            s.push('\n');
            s
        }
        Format::Ndjson => json_rows(table)
            .iter()
            .map(|row| serde_json::to_string(row).expect("JSON values serialise") + "\n")
            .collect(),
    }
}

/// What goes before a result when results are printed one after another:
/// in the table format a blank line separates a result from the one before.
pub fn separator(format: Format, first: bool) -> &'static str {
    if !first && format == Format::Table {
        "\n"
    } else {
        ""
    }
}

fn boxed(table: &Table, preset: &str, footer: bool) -> String {
    let mut t = comfy_table::Table::new();
    t.load_preset(preset)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(table.fields().iter().map(|f| f.name.as_str()));
    for row in table.rows() {
        t.add_row(row.iter().map(|v| v.to_string()));
    }
    for (i, f) in table.fields().iter().enumerate() {
        if matches!(f.ty, Type::Int | Type::Decimal) {
            if let Some(c) = t.column_mut(i) {
                c.set_cell_alignment(CellAlignment::Right);
            }
        }
    }
    let mut out = if table.num_columns() == 0 {
        String::new()
    } else {
        format!("{t}\n")
    };
    if footer {
        let n = table.num_rows();
        out.push_str(&format!("{n} row{}\n", if n == 1 { "" } else { "s" }));
    }
    out
}

fn csv(table: &Table) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let write = |w: &mut csv::Writer<Vec<u8>>, rec: Vec<String>| {
        w.write_record(rec)
            .expect("writing CSV to memory cannot fail");
    };
    write(
        &mut w,
        table.fields().iter().map(|f| f.name.clone()).collect(),
    );
    for row in table.rows() {
        write(
            &mut w,
            row.iter()
                .map(|v| match v {
                    Scalar::Null => String::new(),
                    // A decimal keeps its point, so the file loads back as decimal.
                    Scalar::Decimal(d) if d.is_finite() && d.fract() == 0.0 && d.abs() < 1e16 => {
                        format!("{v}.0")
                    }
                    v => v.to_string(),
                })
                .collect(),
        );
    }
    let bytes = w.into_inner().expect("flushing CSV to memory cannot fail");
    String::from_utf8(bytes).expect("CSV of UTF-8 strings is UTF-8")
}

/// Each row as a JSON object, columns in order.
fn json_rows(table: &Table) -> Vec<serde_json::Map<String, serde_json::Value>> {
    table
        .rows()
        .map(|row| {
            table
                .fields()
                .iter()
                .zip(row)
                .map(|(f, v)| {
                    let v = match v {
                        Scalar::Decimal(d) if !d.is_finite() => serde_json::Value::Null,
                        v => serde_json::to_value(&v).expect("scalars serialise to JSON"),
                    };
                    (f.name.clone(), v)
                })
                .collect()
        })
        .collect()
}
