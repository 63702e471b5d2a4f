//! Turns tables into text: a bordered table (comfy-table), CSV, JSON or
//! Markdown. The only module that knows about those formats.

use crate::cancel::{self, BATCH};
use crate::error::{Error, Result};
use crate::store::{Column, Data, Table};
use crate::value::{format_date, format_decimal, Scalar, Type};
use comfy_table::{presets, CellAlignment, ColumnConstraint, ContentArrangement, Width};
use rayon::prelude::*;
use std::borrow::Cow;
use std::io::Write;
use std::sync::Arc;
use unicode_width::UnicodeWidthStr;

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

/// Why writing a table stopped before its end.
#[derive(Debug)]
pub enum WriteError {
    /// The run was cancelled; the error says so.
    Cancelled(Error),
    /// The output could not be written (a closed pipe, a full disk).
    Io(std::io::Error),
}

impl From<std::io::Error> for WriteError {
    fn from(e: std::io::Error) -> WriteError {
        WriteError::Io(e)
    }
}

impl From<Error> for WriteError {
    fn from(e: Error) -> WriteError {
        WriteError::Cancelled(e)
    }
}

/// Writes `table` in `format` to `out` as it is rendered, a row at a time,
/// so that the first rows reach a pipe at once and a reader that closes it
/// (`| head`) stops the rendering: CSV, JSON, NDJSON, Markdown, and the
/// bordered table when it is not fitted to a width or cut to `max_rows`
/// (column widths come from one pass over the columns, not the rows).
/// Stops when the run is cancelled, checking as [`render_checked`] does.
pub fn write_checked(
    table: &Table,
    format: Format,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> std::result::Result<(), WriteError> {
    write_rendered(table, format, options, &cancel::check, true, out)
}

/// Writes JSON results as elements of one document: like [`write_checked`]
/// without the newline after the closing `]`.
pub(crate) fn write_element(
    table: &Table,
    format: Format,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> std::result::Result<(), WriteError> {
    write_rendered(table, format, options, &cancel::check, false, out)
}

/// A check for a cancel, called every [`BATCH`] rows.
type Check<'a> = &'a dyn Fn() -> Result<()>;

fn rendered(
    table: &Table,
    format: Format,
    options: &RenderOptions,
    check: Check,
) -> Result<String> {
    let mut out = Vec::new();
    match write_rendered(table, format, options, check, true, &mut out) {
        Ok(()) => Ok(String::from_utf8(out).expect("rendered text is UTF-8")),
        Err(WriteError::Cancelled(e)) => Err(e),
        Err(WriteError::Io(e)) => unreachable!("writing to memory failed: {e}"),
    }
}

fn write_rendered(
    table: &Table,
    format: Format,
    options: &RenderOptions,
    check: Check,
    final_newline: bool,
    out: &mut dyn Write,
) -> std::result::Result<(), WriteError> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let unfitted = options.width.is_none() && options.max_rows.is_none();
    let merged;
    let table = if table.hedges().is_empty() || !matches!(format, Format::Table | Format::Markdown)
    {
        table
    } else {
        merged = hedges_shown(table);
        &merged
    };
    match format {
        Format::Table if unfitted && plain(table) => stream_boxed(table, &BOX, check, &mut out)?,
        Format::Markdown if plain(table) => stream_boxed(table, &MARKDOWN, check, &mut out)?,
        Format::Table => {
            let text = boxed(table, presets::UTF8_FULL_CONDENSED, Some(options), check)?;
            out.write_all(text.as_bytes())?;
        }
        Format::Markdown => {
            let text = boxed(table, presets::ASCII_MARKDOWN, None, check)?;
            out.write_all(text.as_bytes())?;
        }
        Format::Csv => csv(table, check, &mut out)?,
        Format::Json => {
            json(table, check, &mut out)?;
            if final_newline {
                out.write_all(b"\n")?;
            }
        }
        Format::Ndjson => {
            for (i, row) in json_rows(table).enumerate() {
                if i % BATCH == 0 {
                    check()?;
                }
                serde_json::to_writer(&mut out, &row).map_err(std::io::Error::from)?;
                out.write_all(b"\n")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// A result's hedged figures as the bordered and Markdown tables show them:
/// each figure with its qualifier in one cell (`more than 696.6`, then `(1 bound,
/// 1 exact)` when only some of its figures are hedged), right-aligned as
/// numbers are; the qualifier columns themselves are left out. CSV and JSON
/// keep the two columns apart, so the figure stays a number.
fn hedges_shown(table: &Table) -> Table {
    let mut named = table.named_columns();
    let mut left_out = Vec::new();
    for h in table.hedges() {
        let (value, qualifier) = (table.column_at(h.value), table.column_at(h.qualifier));
        let texts: Vec<String> = (0..table.num_rows())
            .map(|r| {
                let mut text = value.get(r).to_string();
                if let Scalar::Text(q) = qualifier.get(r) {
                    text = format!("{q} {text}");
                }
                if let Some(d) = h.detail.get(r).and_then(Option::as_ref) {
                    text.push_str(&format!(" ({d})"));
                }
                text
            })
            .collect();
        let width = texts
            .iter()
            .map(|t| t.width())
            .chain([named[h.value].0.width()])
            .max()
            .unwrap_or(0);
        let padded = texts.iter().map(|t| {
            let pad = width - t.width();
            Some(format!("{}{t}", " ".repeat(pad)))
        });
        named[h.value].1 = Arc::new(Column::from_texts(padded));
        left_out.push(h.qualifier);
    }
    left_out.sort_unstable();
    for c in left_out.into_iter().rev() {
        named.remove(c);
    }
    Table::with_rows(named, table.num_rows())
}

/// The characters a streamed table is drawn with: the top, header-rule and
/// bottom lines (left, fill, between, right; `None` for no such line) and
/// the bars of a row.
struct Frame {
    top: Option<[&'static str; 4]>,
    rule: [&'static str; 4],
    bottom: Option<[&'static str; 4]>,
    bars: [&'static str; 3],
    /// Markdown: `|` in a cell is written `\|`; the row count is not shown.
    markdown: bool,
}

/// comfy-table's UTF8_FULL_CONDENSED, as the bordered table is drawn.
const BOX: Frame = Frame {
    top: Some(["┌", "─", "┬", "┐"]),
    rule: ["╞", "═", "╪", "╡"],
    bottom: Some(["└", "─", "┴", "┘"]),
    bars: ["│", "┆", "│"],
    markdown: false,
};

/// comfy-table's ASCII_MARKDOWN.
const MARKDOWN: Frame = Frame {
    top: None,
    rule: ["|", "-", "|", "|"],
    bottom: None,
    bars: ["|", "|", "|"],
    markdown: true,
};

/// True when no name or text value holds a control character (a line
/// break, a tab): such a table is streamed. Cells with line breaks take
/// several lines, which comfy-table lays out.
fn plain(table: &Table) -> bool {
    let clean = |s: &str| !s.chars().any(char::is_control);
    table.fields().iter().all(|f| clean(&f.name))
        && table.columns().iter().all(|c| match c.data() {
            Data::Text(_, dict) => dict.values().iter().all(|s| clean(s)),
            _ => true,
        })
}

/// A text value as a cell shows it.
fn shown_text(s: &str, markdown: bool) -> Cow<'_, str> {
    if markdown && s.contains('|') {
        Cow::Owned(s.replace('|', "\\|"))
    } else {
        Cow::Borrowed(s)
    }
}

/// How a column is written in a streamed table: its width, and for text
/// the width of each dictionary entry.
struct Layout {
    width: usize,
    right: bool,
    entry_widths: Vec<usize>,
}

/// The widest cell of a column (not counting the header), from its values:
/// integers and dates by their extremes, text by its dictionary, decimals
/// by formatting each one (in parallel).
fn column_layout(column: &Column, markdown: bool) -> Layout {
    let n = column.len();
    let valid = |i: usize| column.is_valid(i);
    let nulls = column.null_count() > 0;
    let mut entry_widths = Vec::new();
    let widest = match column.data() {
        Data::Int(v) => {
            let (lo, hi) = (0..n)
                .filter(|&i| valid(i))
                .fold((i64::MAX, i64::MIN), |(lo, hi), i| {
                    (lo.min(v[i]), hi.max(v[i]))
                });
            if lo > hi {
                0
            } else {
                lo.to_string().len().max(hi.to_string().len())
            }
        }
        Data::Date(v) => {
            let (lo, hi) = (0..n)
                .filter(|&i| valid(i))
                .fold((i32::MAX, i32::MIN), |(lo, hi), i| {
                    (lo.min(v[i]), hi.max(v[i]))
                });
            if lo > hi {
                0
            } else {
                format_date(lo).len().max(format_date(hi).len())
            }
        }
        Data::Bool(v) => (0..n)
            .filter(|&i| valid(i))
            .map(|i| if v[i] { 4 } else { 5 })
            .max()
            .unwrap_or(0),
        Data::Decimal(v) => (0..n)
            .into_par_iter()
            .with_min_len(1 << 14)
            .filter(|&i| valid(i))
            .map(|i| decimal_width(v[i]))
            .max()
            .unwrap_or(0),
        Data::Text(codes, dict) => {
            entry_widths = dict
                .values()
                .iter()
                .map(|s| shown_text(s, markdown).width())
                .collect();
            (0..n)
                .filter(|&i| valid(i))
                .map(|i| entry_widths[codes[i] as usize])
                .max()
                .unwrap_or(0)
        }
    };
    Layout {
        width: if nulls { widest.max(4) } else { widest },
        right: matches!(column.ty(), Type::Int | Type::Decimal),
        entry_widths,
    }
}

/// The length of `format_decimal(v)`, without formatting when the value is
/// `m / 10^k` for a whole `m` and a small `k`: the shortest text that reads
/// back as `v` then has the fewest such fraction digits, and has at most 15
/// digits, so it is what `format_decimal` writes.
fn decimal_width(v: f64) -> usize {
    const POW10: [f64; 7] = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6];
    let a = v.abs();
    if v != 0.0 && a < 1e9 {
        for (k, p) in POW10.iter().enumerate() {
            let m = (a * p).round();
            if m / p == a {
                let whole = a.trunc();
                let digits = if whole == 0.0 {
                    1
                } else {
                    (whole as u64).to_string().len()
                };
                let fraction = if k == 0 { 0 } else { k + 1 };
                return usize::from(v < 0.0) + digits + fraction;
            }
        }
    }
    format_decimal(v).len()
}

/// Writes a bordered or Markdown table row by row, laid out as comfy-table
/// lays out an unfitted table.
fn stream_boxed(
    table: &Table,
    frame: &Frame,
    check: Check,
    out: &mut dyn Write,
) -> std::result::Result<(), WriteError> {
    let n = table.num_rows();
    let mut layouts: Vec<Layout> = table
        .columns()
        .par_iter()
        .map(|c| column_layout(c, frame.markdown))
        .collect();
    for (l, f) in layouts.iter_mut().zip(table.fields()) {
        l.width = l.width.max(f.name.width());
    }
    let rule = |out: &mut dyn Write, parts: [&str; 4]| -> std::io::Result<()> {
        let mut line = String::from(parts[0]);
        for (i, l) in layouts.iter().enumerate() {
            if i > 0 {
                line.push_str(parts[2]);
            }
            line.push_str(&parts[1].repeat(l.width + 2));
        }
        line.push_str(parts[3]);
        line.push('\n');
        out.write_all(line.as_bytes())
    };
    let mut line = String::new();
    let mut write_row =
        |out: &mut dyn Write, cells: &mut dyn Iterator<Item = (Cow<'_, str>, usize)>| {
            line.clear();
            line.push_str(frame.bars[0]);
            for (i, ((text, width), l)) in cells.zip(&layouts).enumerate() {
                if i > 0 {
                    line.push_str(frame.bars[1]);
                }
                let pad = l.width.saturating_sub(width);
                line.push(' ');
                if l.right {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(&text);
                } else {
                    line.push_str(&text);
                    line.extend(std::iter::repeat_n(' ', pad));
                }
                line.push(' ');
            }
            line.push_str(frame.bars[2]);
            line.push('\n');
            out.write_all(line.as_bytes())
        };
    if table.num_columns() > 0 {
        if let Some(top) = frame.top {
            rule(out, top)?;
        }
        let header = table
            .fields()
            .iter()
            .map(|f| (Cow::Borrowed(f.name.as_str()), f.name.width()));
        write_row(out, &mut header.collect::<Vec<_>>().into_iter())?;
        rule(out, frame.rule)?;
        for r in 0..n {
            if r % BATCH == 0 {
                check()?;
            }
            let mut cells = table
                .columns()
                .iter()
                .zip(&layouts)
                .map(|(c, l)| cell(c, l, r, frame.markdown));
            write_row(out, &mut cells)?;
        }
        if let Some(bottom) = frame.bottom {
            rule(out, bottom)?;
        }
    }
    if !frame.markdown {
        writeln!(out, "{n} row{}", if n == 1 { "" } else { "s" })?;
    }
    Ok(())
}

/// Row `r` of `column` as a streamed table shows it, and its width.
fn cell<'c>(
    column: &'c Column,
    layout: &Layout,
    r: usize,
    markdown: bool,
) -> (Cow<'c, str>, usize) {
    if !column.is_valid(r) {
        return (Cow::Borrowed("null"), 4);
    }
    match column.data() {
        Data::Text(codes, dict) => {
            let code = codes[r] as usize;
            (
                shown_text(&dict.values()[code], markdown),
                layout.entry_widths[code],
            )
        }
        _ => {
            let text = column.get(r).to_string();
            let width = text.len();
            (Cow::Owned(text), width)
        }
    }
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
fn csv(table: &Table, check: Check, out: &mut dyn Write) -> std::result::Result<(), WriteError> {
    let names: Vec<String> = table
        .fields()
        .iter()
        .map(|f| csv_field(&f.name, false))
        .collect();
    writeln!(out, "{}", names.join(","))?;
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
        writeln!(out, "{}", if line.is_empty() { "\"\"" } else { &line })?;
    }
    Ok(())
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
) -> impl Iterator<Item = serde_json::Map<String, serde_json::Value>> + '_ {
    table.rows().map(|row| {
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
}

/// The rows as one pretty-printed JSON array (as `serde_json` prints a
/// vector of them), written a row at a time.
fn json(table: &Table, check: Check, out: &mut dyn Write) -> std::result::Result<(), WriteError> {
    if table.num_rows() == 0 {
        out.write_all(b"[]")?;
        return Ok(());
    }
    out.write_all(b"[\n")?;
    for (i, row) in json_rows(table).enumerate() {
        if i % BATCH == 0 {
            check()?;
        }
        if i > 0 {
            out.write_all(b",\n")?;
        }
        let text = serde_json::to_string_pretty(&row).map_err(std::io::Error::from)?;
        for (k, line) in text.split('\n').enumerate() {
            if k > 0 {
                out.write_all(b"\n")?;
            }
            out.write_all(b"  ")?;
            out.write_all(line.as_bytes())?;
        }
    }
    out.write_all(b"\n]")?;
    Ok(())
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
    let hedge = table.hedges().iter().find(|h| h.value == value_col);
    let mut hedged: Option<bool> = None;
    let rows: Vec<(String, Option<f64>, String)> = (0..shown)
        .map(|r| {
            let label = match label_col {
                Some(c) => table.get(r, c).to_string(),
                None => (r + 1).to_string(),
            };
            let v = table.get(r, value_col);
            let mut text = v.to_string();
            if let Some(h) = hedge {
                // A hedged bar ends in `+`: the figure is larger than it shows.
                if let Scalar::Text(q) = table.get(r, h.qualifier) {
                    let strict = &*q == "more than" && hedged != Some(false);
                    hedged = Some(strict);
                    text = format!("+ {q} {text}");
                    if let Some(d) = h.detail.get(r).and_then(Option::as_ref) {
                        text.push_str(&format!(" ({d})"));
                    }
                }
            }
            (label, v.as_f64(), text)
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
    if let Some(strict) = hedged {
        out.push_str(&format!(
            "+ a lower bound: the true {} is {} its bar shows\n",
            fields[value_col].name,
            if strict { "more than" } else { "at least what" }
        ));
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
    fn decimal_widths_are_the_lengths_of_the_shown_text() {
        let mut x: u64 = 11;
        for i in 0..300_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let v = match i % 5 {
                0 => ((x >> 40) as f64) / 100.0,
                1 => -(((x >> 44) as f64) / 1000.0),
                2 => (x >> 11) as f64 / (1u64 << 53) as f64,
                3 => ((x >> 34) as f64) * 0.1 + 0.2,
                _ => f64::from_bits(x) % 1e10,
            };
            if v.is_finite() {
                assert_eq!(decimal_width(v), format_decimal(v).len(), "{v:e}");
            }
        }
    }

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
        // With `qualifier` in view the figures are not marked (tests/chart.rs
        // shows hedged bars).
        let t = table(
            "events where value is not null select province, value, qualifier sort value desc",
        );
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
