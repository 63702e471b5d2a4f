//! How a run's outputs are printed: results (tables, charts) as text for
//! standard output, and notices (what `load` replaced, where `save` wrote) for
//! standard error. The command line, the prompt and `itq test` all print
//! through [`Printer`], so a transcript is what a user sees.

use crate::engine::Output;
use crate::error::Result;
use crate::render::{
    chart, render_checked, write_checked, write_element, Format, RenderOptions, WriteError,
};
use crate::value::format_count;

/// What one output prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Printed {
    /// Text for standard output (a result, with the separator before it).
    Result(String),
    /// A line (or lines) for standard error.
    Notice(String),
    /// Nothing (a `let` or `def` that replaced nothing).
    Nothing,
}

/// Prints the outputs of one run in order: the separator between results
/// depends on what came before.
#[derive(Debug, Clone)]
pub struct Printer {
    format: Format,
    options: RenderOptions,
    chart: RenderOptions,
    first: bool,
    /// With `--format json` and several results in a run: the results are
    /// elements of one JSON array, so the output is one document.
    document: bool,
    quiet: bool,
    /// Whether the last output printed was a result on standard output (a
    /// legend in the table format goes under it).
    after_result: bool,
}

impl Printer {
    /// A printer of results in `format`, laid out with `options` (charts too).
    pub fn new(format: Format, options: RenderOptions) -> Printer {
        Printer {
            format,
            options,
            chart: options,
            first: true,
            document: false,
            quiet: false,
            after_result: false,
        }
    }

    /// Prints JSON results as the elements of one array (a document that
    /// holds several results); `printed` is how many an earlier printer of
    /// the same run printed already. [`Printer::document_end`] closes it.
    pub fn in_document(mut self, printed: usize) -> Printer {
        self.document = self.format == Format::Json;
        self.first = printed == 0;
        self
    }

    /// The text that closes the document, after `printed` results in all.
    pub fn document_end(format: Format, printed: usize) -> &'static str {
        if format == Format::Json && printed > 0 {
            "\n]\n"
        } else {
            ""
        }
    }

    /// The layout options results are rendered with.
    pub fn options(&self) -> RenderOptions {
        self.options
    }

    /// With `quiet`, leaves out the lines that only confirm what happened
    /// (`loaded …`, `saved …`) and the notes on results (why one is empty,
    /// where figures are hedged, joins whose keys found no partner); a
    /// load's notes and warnings are still printed.
    pub fn quiet(mut self, quiet: bool) -> Printer {
        self.quiet = quiet;
        self
    }

    /// Charts laid out with `chart` instead (a chart fills the terminal's width).
    pub fn with_chart_options(mut self, chart: RenderOptions) -> Printer {
        self.chart = chart;
        self
    }

    /// What `output` prints. Called from an [`Engine::run`](crate::Engine::run)
    /// callback, rendering stops with a "query cancelled" error on a cancel.
    pub fn print(&mut self, output: &Output) -> Result<Printed> {
        let after_result = std::mem::replace(
            &mut self.after_result,
            matches!(output, Output::Table(_) | Output::Chart(_)),
        );
        let text = match output {
            Output::Legend(lines) => {
                // Under the table it follows. CSV and JSON carry the ids in
                // `sources`, and a saved file in its column: there, the
                // legend goes to standard error, so what is read stays data.
                return Ok(match self.format {
                    Format::Table | Format::Markdown if after_result => {
                        Printed::Result(format!("{}\n", lines.join("\n")))
                    }
                    _ => Printed::Notice(lines.join("\n")),
                });
            }
            Output::Table(t) => render_checked(t, self.format, &self.options)?,
            Output::Chart(t) => chart(t, &self.chart),
            other => return Ok(notice(other, self.quiet).map_or(Printed::Nothing, Printed::Notice)),
        };
        if self.document && matches!(output, Output::Table(_)) {
            let sep = if self.first { "[\n" } else { ",\n" };
            self.first = false;
            return Ok(Printed::Result(format!(
                "{sep}{}",
                text.trim_end_matches('\n')
            )));
        }
        let sep = separator(self.format, self.first);
        self.first = false;
        Ok(Printed::Result(format!("{sep}{text}")))
    }

    /// Writes what `output` prints: a result to `out` as it is rendered (a
    /// large table streams, and a reader that closes the pipe stops it),
    /// and gives back a notice's text for standard error, if any.
    pub fn print_to(
        &mut self,
        output: &Output,
        out: &mut dyn std::io::Write,
    ) -> std::result::Result<Option<String>, WriteError> {
        let Output::Table(table) = output else {
            return match self.print(output)? {
                Printed::Result(text) => {
                    out.write_all(text.as_bytes())?;
                    Ok(None)
                }
                Printed::Notice(text) => Ok(Some(text)),
                Printed::Nothing => Ok(None),
            };
        };
        self.after_result = true;
        if self.document {
            out.write_all(if self.first { b"[\n" } else { b",\n" })?;
            self.first = false;
            write_element(table, self.format, &self.options, out)?;
        } else {
            out.write_all(separator(self.format, self.first).as_bytes())?;
            self.first = false;
            write_checked(table, self.format, &self.options, out)?;
        }
        out.flush()?;
        Ok(None)
    }
}

/// What comes before a result: nothing before the first; in the table format,
/// an empty line between results.
pub fn separator(format: Format, first: bool) -> &'static str {
    if !first && format == Format::Table {
        "\n"
    } else {
        ""
    }
}

/// The lines printed on standard error for `output`, if any: what a `load`
/// read (`loaded inv: 9 rows, 5 columns`) with its notes and the name it
/// replaced, and what a `save` wrote. With `quiet`, only the notes.
pub fn notice(output: &Output, quiet: bool) -> Option<String> {
    match output {
        Output::Loaded {
            name,
            rows,
            columns,
            replaced,
            notes,
        } => {
            let mut lines: Vec<String> = Vec::new();
            if !quiet {
                let s = if *columns == 1 { "" } else { "s" };
                lines.push(format!(
                    "loaded {name}: {}, {columns} column{s}",
                    rows_text(*rows)
                ));
            }
            lines.extend(notes.iter().cloned());
            if let Some(what) = replaced {
                lines.push(format!(
                    "note: `{name}` now holds the {} loaded; it replaces the {what} of that name for this session",
                    rows_text(*rows)
                ));
            }
            (!lines.is_empty()).then(|| lines.join("\n"))
        }
        // A note on what a result means is not a confirmation, but it is
        // advice a user who asked for quiet can do without.
        Output::Note(text) if !quiet => Some(format!("note: {text}")),
        Output::Attached {
            name,
            database,
            tables,
        } if !quiet => {
            let shown: Vec<String> = tables
                .iter()
                .take(8)
                .map(|t| format!("{name}.{t}"))
                .collect();
            let more = if tables.len() > 8 { ", ..." } else { "" };
            let s = if tables.len() == 1 { "" } else { "s" };
            Some(format!(
                "attached {database}: {} table{s}{}{}",
                tables.len(),
                if tables.is_empty() { "" } else { ": " },
                shown.join(", ") + more
            ))
        }
        Output::Detached { name } if !quiet => Some(format!("detached {name}")),
        Output::Saved { path, rows } if !quiet => {
            Some(format!("saved {} to {path}", rows_text(*rows)))
        }
        _ => None,
    }
}

/// `1 row`, `1,204 rows`.
fn rows_text(n: usize) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{} row{s}", format_count(n as u64))
}
