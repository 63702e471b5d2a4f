//! Turns tables into text: a bordered table (comfy-table), CSV, JSON or
//! Markdown. The only module that knows about those formats.

use crate::cancel::{self, BATCH};
use crate::error::Result;
use crate::store::Table;
use crate::value::{Scalar, Type};
use comfy_table::{presets, CellAlignment, ColumnConstraint, ContentArrangement, Width};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
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

/// How a table is laid out for a reader. Only the bordered table format uses
/// these: CSV, JSON and Markdown always hold every row and every character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RenderOptions {
    /// Show at most this many rows, with a line saying how many were left out.
    pub max_rows: Option<usize>,
    /// Fit the table in this many columns, wrapping wide text cells (at most
    /// three lines a cell, then `…`).
    pub width: Option<u16>,
}

/// Renders `table` in `format`. The result ends with a newline.
pub fn render(table: &Table, format: Format) -> String {
    render_with(table, format, &RenderOptions::default())
}

/// Renders `table` in `format` with layout `options`. The result ends with a newline.
pub fn render_with(table: &Table, format: Format, options: &RenderOptions) -> String {
    rendered(table, format, options, &|| Ok(())).expect("rendering fails only when cancelled")
}

/// Like [`render_with`], stopping with a "query cancelled" error when the
/// run it is called in (from an [`Engine::run`](crate::Engine::run)
/// callback) is cancelled. Rendering checks as often as the executor does.
pub fn render_checked(table: &Table, format: Format, options: &RenderOptions) -> Result<String> {
    rendered(table, format, options, &cancel::check)
}

/// A check for a cancel, called every [`BATCH`] rows.
type Check<'a> = &'a dyn Fn() -> Result<()>;

fn rendered(
    table: &Table,
    format: Format,
    options: &RenderOptions,
    check: Check,
) -> Result<String> {
    Ok(match format {
        Format::Table => boxed(table, presets::UTF8_FULL_CONDENSED, Some(options), check)?,
        Format::Markdown => boxed(table, presets::ASCII_MARKDOWN, None, check)?,
        Format::Csv => csv(table, check)?,
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&json_rows(table, check)?)
                .expect("JSON values serialise");
            s.push('\n');
            s
        }
        Format::Ndjson => json_rows(table, check)?
            .iter()
            .map(|row| serde_json::to_string(row).expect("JSON values serialise") + "\n")
            .collect(),
    })
}

/// Rows `0..n` of a table, calling `check` every [`BATCH`] rows.
fn checked_rows<'a>(
    table: &'a Table,
    n: usize,
    check: Check<'a>,
) -> impl Iterator<Item = Result<Vec<Scalar>>> + 'a {
    table.rows().take(n).enumerate().map(move |(i, row)| {
        if i % BATCH == 0 {
            check()?;
        }
        Ok(row)
    })
}

/// The most lines one cell takes when a table is fitted to a width.
const MAX_CELL_LINES: usize = 3;

/// The widest a cell may be (padding included) for the table to fit in
/// `width`, or `None` when it fits as it is. Narrow columns keep their width;
/// only the widest are wrapped, all to the same width.
fn cell_cap(table: &Table, rows: &[Vec<String>], width: u16) -> Option<u16> {
    let widths: Vec<usize> = table
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([f.name.chars().count()])
                .max()
                .unwrap_or(0)
                + 2
        })
        .collect();
    // One border character before each column and one after the last.
    let budget = usize::from(width).saturating_sub(widths.len() + 1);
    if widths.iter().sum::<usize>() <= budget {
        return None;
    }
    let fits = |cap: usize| widths.iter().map(|w| (*w).min(cap)).sum::<usize>() <= budget;
    let widest = widths.iter().copied().max().unwrap_or(3).min(budget.max(3));
    let cap = (3..=widest).rev().find(|c| fits(*c)).unwrap_or(3);
    u16::try_from(cap).ok()
}

/// A table drawn with `preset`; with `options`, fitted to them and followed by a row count.
fn boxed(
    table: &Table,
    preset: &str,
    options: Option<&RenderOptions>,
    check: Check,
) -> Result<String> {
    let footer = options.is_some();
    let options = options.copied().unwrap_or_default();
    let mut t = comfy_table::Table::new();
    t.load_preset(preset)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(table.fields().iter().map(|f| f.name.as_str()));
    let n = table.num_rows();
    let shown = options.max_rows.map_or(n, |m| m.min(n));
    let markdown = preset == presets::ASCII_MARKDOWN;
    let cell = |v: &Scalar| {
        let text = v.to_string();
        if markdown {
            // A bar would end the cell and a line break the row.
            text.replace('|', "\\|")
                .replace("\r\n", "<br>")
                .replace('\n', "<br>")
        } else {
            text
        }
    };
    let mut rows: Vec<Vec<String>> = checked_rows(table, shown, check)
        .map(|row| Ok(row?.iter().map(cell).collect()))
        .collect::<Result<_>>()?;
    let cap = options.width.and_then(|w| cell_cap(table, &rows, w));
    if let Some(cap) = cap {
        // A cell shows at most MAX_CELL_LINES lines of `cap` characters:
        // the rest is cut here, so that laying it out costs no more than
        // what is shown (comfy-table's wrapping of one long word is
        // quadratic in its length).
        let keep = usize::from(cap) * MAX_CELL_LINES + 1;
        for cell in rows.iter_mut().flatten() {
            cut_for_display(cell, keep);
        }
    }
    if let (Some(w), Some(cap)) = (options.width, cap) {
        t.set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(w)
            .set_truncation_indicator("…");
        let limit = ColumnConstraint::UpperBoundary(Width::Fixed(cap));
        t.set_constraints(std::iter::repeat_n(limit, table.num_columns()));
    }
    for row in rows {
        let mut r = comfy_table::Row::from(row);
        if cap.is_some() {
            r.max_height(MAX_CELL_LINES);
        }
        t.add_row(r);
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
        out.push_str(&format!("{n} row{}", if n == 1 { "" } else { "s" }));
        if shown < n {
            out.push_str(&format!(" ({} not shown)", n - shown));
        }
        out.push('\n');
    }
    Ok(out)
}

/// Cuts `cell` to its first `keep` characters and first MAX_CELL_LINES + 1
/// lines, which is more than a fitted table shows of it (so the table still
/// marks it as cut).
fn cut_for_display(cell: &mut String, keep: usize) {
    let mut lines = 0;
    let end = cell
        .char_indices()
        .enumerate()
        .find(|&(i, (_, c))| {
            if c == '\n' {
                lines += 1;
            }
            i >= keep || lines > MAX_CELL_LINES
        })
        .map(|(_, (at, _))| at);
    if let Some(end) = end {
        cell.truncate(end);
    }
}

/// CSV that `load` reads back to the same types and values: decimals keep
/// their point and every digit (`300.0`, `0.30000000000000004`), null is an
/// empty field, and text that would read as null (`NA`, `null`, `NULL`) is
/// quoted.
fn csv(table: &Table, check: Check) -> Result<String> {
    let mut out = String::new();
    let names: Vec<String> = table
        .fields()
        .iter()
        .map(|f| csv_field(&f.name, false))
        .collect();
    out.push_str(&names.join(","));
    out.push('\n');
    for row in checked_rows(table, table.num_rows(), check) {
        let fields: Vec<String> = row?
            .iter()
            .map(|v| match v {
                Scalar::Null => String::new(),
                Scalar::Decimal(d) if d.is_finite() => format!("{d:?}"),
                Scalar::Text(s) => csv_field(s, true),
                v => v.to_string(),
            })
            .collect();
        let line = fields.join(",");
        // An empty line would be skipped when read back: a lone null is `""`.
        out.push_str(if line.is_empty() { "\"\"" } else { &line });
        out.push('\n');
    }
    Ok(out)
}

/// A field, in double quotes when it holds a comma, a quote, a line break or
/// edge spaces, or (for text values) would otherwise read as null.
fn csv_field(s: &str, text: bool) -> String {
    let needs_quotes = s.contains([',', '"', '\n', '\r'])
        || s.starts_with([' ', '\t'])
        || s.ends_with([' ', '\t'])
        || (text && matches!(s, "NA" | "null" | "NULL"));
    if needs_quotes {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Each row as a JSON object, columns in order.
fn json_rows(
    table: &Table,
    check: Check,
) -> Result<Vec<serde_json::Map<String, serde_json::Value>>> {
    checked_rows(table, table.num_rows(), check)
        .map(|row| {
            Ok(table
                .fields()
                .iter()
                .zip(row?)
                .map(|(f, v)| {
                    let v = match v {
                        Scalar::Decimal(d) if !d.is_finite() => serde_json::Value::Null,
                        v => serde_json::to_value(&v).expect("scalars serialise to JSON"),
                    };
                    (f.name.clone(), v)
                })
                .collect())
        })
        .collect()
}

/// The width a chart takes when none is given (not a terminal).
pub const CHART_WIDTH: u16 = 80;

/// Draws `table` as a horizontal bar chart: a bar per row for its last
/// numeric column, labelled by its first text column (else its first other
/// column, else the row number), with each value printed beside its bar.
/// Fits in `options.width` ([`CHART_WIDTH`] when none) and shows at most
/// `options.max_rows` bars. Bars are scaled to the largest value; a negative
/// or null value gets no bar. Plain text, no colour.
pub fn chart(table: &Table, options: &RenderOptions) -> String {
    let fields = table.fields();
    let Some(value_col) = fields.iter().rposition(|f| f.ty.is_numeric()) else {
        return render_with(table, Format::Table, options);
    };
    let label_col = fields
        .iter()
        .position(|f| f.ty == Type::Text)
        .or_else(|| fields.iter().position(|f| !f.ty.is_numeric()));
    let n = table.num_rows();
    let shown = options.max_rows.map_or(n, |m| m.min(n));
    let width = usize::from(options.width.unwrap_or(CHART_WIDTH)).max(20);
    let rows: Vec<(String, Option<f64>, String)> = (0..shown)
        .map(|r| {
            let label = match label_col {
                Some(c) => table.get(r, c).to_string(),
                None => (r + 1).to_string(),
            };
            let v = table.get(r, value_col);
            (label, v.as_f64(), v.to_string())
        })
        .collect();
    let label_width = rows
        .iter()
        .map(|(l, ..)| l.chars().count())
        .max()
        .unwrap_or(0)
        .min(width / 3);
    let value_width = rows
        .iter()
        .map(|(.., t)| t.chars().count())
        .max()
        .unwrap_or(0);
    let bar_width = width.saturating_sub(label_width + value_width + 2).max(1);
    let max = rows
        .iter()
        .filter_map(|(_, v, _)| *v)
        .fold(0.0f64, f64::max);
    let title = match label_col {
        Some(c) => format!("{} by {}", fields[value_col].name, fields[c].name),
        None => fields[value_col].name.clone(),
    };
    let mut out = format!("{title}\n");
    for (label, value, text) in &rows {
        let eighths = match value {
            Some(v) if *v > 0.0 && max > 0.0 => (v / max * (bar_width * 8) as f64).round() as usize,
            _ => 0,
        };
        let mut bar = "█".repeat(eighths / 8);
        if eighths % 8 > 0 {
            bar.push([' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8]);
        }
        let label = fit(label, label_width);
        let pad = label_width - label.chars().count();
        out.push_str(&format!("{label}{} {bar} {text}\n", " ".repeat(pad)));
    }
    if shown < n {
        out.push_str(&format!("{n} rows ({} not shown)\n", n - shown));
    }
    out
}

/// `text` cut to `width` characters, ending in `…` when cut.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// What a piece of text typed at the prompt is, for colouring it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A keyword such as `where` or `and`.
    Keyword,
    /// A string literal.
    Text,
    /// A number or date literal.
    Number,
    /// A `#` comment.
    Comment,
    /// A name that is not a relation, column, function or value.
    Unknown,
    /// An unbalanced quote or parenthesis.
    Error,
    /// Secondary text: a hint or a continuation marker.
    Dim,
}

impl Style {
    fn sgr(self) -> &'static str {
        match self {
            Style::Keyword => "1;34",
            Style::Text => "32",
            Style::Number => "36",
            Style::Comment => "90",
            Style::Unknown => "4;31",
            Style::Error => "1;37;41",
            Style::Dim => "2",
        }
    }
}

/// `text` with each byte range in `spans` coloured by its style (ANSI codes).
/// Spans are in order and do not overlap; text outside them is left plain.
pub fn paint(text: &str, spans: &[(std::ops::Range<usize>, Style)]) -> String {
    let mut out = String::with_capacity(text.len() + spans.len() * 10);
    let mut at = 0;
    for (range, style) in spans {
        if range.start < at || range.end > text.len() || range.start >= range.end {
            continue;
        }
        out.push_str(&text[at..range.start]);
        out.push_str(&format!(
            "\x1b[{}m{}\x1b[0m",
            style.sgr(),
            &text[range.clone()]
        ));
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendering_stops_when_cancelled() {
        let t = crate::Engine::new()
            .and_then(|mut e| e.query("provinces select name, region"))
            .unwrap();
        crate::cancel::tests::cancelled(|| render_checked(&t, Format::Csv, &Default::default()));
    }
    use crate::Engine;

    #[test]
    fn charts_draw_bars_scaled_to_the_width_with_values_beside_them() {
        let t = table("events where value is not null select province, value sort value desc");
        let options = RenderOptions {
            max_rows: None,
            width: Some(40),
        };
        assert_eq!(
            chart(&t, &options),
            "value by province\n\
             Yunnan       █████████████████████ 396.6\n\
             Gansu        ███████████████▉ 300\n\
             Heilongjiang █████████████▎ 250\n"
        );
        for line in chart(&t, &RenderOptions::default()).lines() {
            assert!(line.chars().count() <= usize::from(CHART_WIDTH), "{line}");
        }
    }

    #[test]
    fn charts_mark_nulls_and_cut_long_labels_and_many_rows() {
        let t = table("events select name, projects");
        let options = RenderOptions {
            max_rows: Some(2),
            width: Some(30),
        };
        assert_eq!(
            chart(&t, &options),
            "projects by name\n\
             2023 Chin… ██████████████ 382\n\
             China Kun…  null\n\
             8 rows (6 not shown)\n"
        );
    }

    fn table(query: &str) -> Table {
        Engine::new()
            .and_then(|mut e| e.query(query))
            .expect("the test query runs")
    }

    #[test]
    fn long_tables_show_max_rows_and_say_how_many_were_left_out() {
        let t = table("provinces select name");
        let options = RenderOptions {
            max_rows: Some(3),
            width: None,
        };
        let text = render_with(&t, Format::Table, &options);
        let body: Vec<&str> = text.lines().filter(|l| l.starts_with('│')).collect();
        assert_eq!(body.len(), 4, "a header and three rows:\n{text}");
        assert!(text.ends_with("31 rows (28 not shown)\n"), "{text}");
        // Short tables and data formats are never cut.
        let all = RenderOptions {
            max_rows: Some(40),
            width: None,
        };
        assert!(render_with(&t, Format::Table, &all).ends_with("31 rows\n"));
        assert_eq!(render_with(&t, Format::Csv, &options).lines().count(), 32);
    }

    #[test]
    fn tables_fit_the_width_by_wrapping_wide_cells() {
        let t = table("events select name, province");
        let wide = render(&t, Format::Table);
        assert!(wide.lines().any(|l| l.chars().count() > 60));
        let options = RenderOptions {
            max_rows: None,
            width: Some(40),
        };
        let text = render_with(&t, Format::Table, &options);
        for line in text.lines() {
            assert!(line.chars().count() <= 40, "{line:?} is wider than 40");
        }
        assert!(text.contains("Gansu"));
        assert!(text.ends_with("8 rows\n"), "{text}");
    }

    #[test]
    fn a_megabyte_cell_is_cut_to_three_lines_at_a_width() {
        // Laying out one long word used to take time quadratic in its
        // length (12 s for 256 KB); only what is shown is laid out now.
        let mut e = Engine::new().unwrap();
        e.set_param("s", Scalar::Text("x".repeat(1 << 20).into()));
        let t = e.query("provinces limit 1 select name, $s as s").unwrap();
        let options = RenderOptions {
            max_rows: None,
            width: Some(40),
        };
        let text = render_with(&t, Format::Table, &options);
        let body: Vec<&str> = text.lines().filter(|l| l.contains("xxx")).collect();
        assert_eq!(body.len(), 3, "{text}");
        assert!(body[2].contains('…'), "{text}");
        for line in text.lines() {
            assert!(line.chars().count() <= 40, "{line:?} is wider than 40");
        }
    }
}
