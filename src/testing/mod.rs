//! Checking what itq prints against what was expected: the examples in
//! Markdown documentation ([`markdown`]) and saved scripts with an `.out` file
//! beside them ([`scripts`]). `cargo test` and `itq test` share this code.
//!
//! Both run itq text in a fresh [`Engine`] and compare its [`transcript`] —
//! each result rendered as the command line renders it, then the error
//! message if a statement failed — with the expected text. A difference is a
//! [`Mismatch`] naming the file and line, shown as a unified diff.

pub mod markdown;
pub mod scripts;

use crate::engine::Engine;
use crate::error::Error;
use crate::print::{Printed, Printer};
use crate::render::{Format, RenderOptions};
use crate::source::Source;
use std::fmt;
use std::sync::Arc;

/// What running some itq text printed.
#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    /// The results in the table format, separated as the command line
    /// separates them, followed by the rendered error if one stopped the run.
    pub text: String,
    /// The error that stopped the run, if any.
    pub error: Option<Error>,
}

/// Runs `source` in `engine` and records what the command line would print
/// (results on standard output; notices such as `saved 3 rows to x.csv` and
/// the error on standard error).
pub fn transcript(engine: &mut Engine, source: &Arc<Source>) -> Transcript {
    let mut text = String::new();
    // As printed when output is not a terminal: charts 80 columns wide.
    let mut printer = Printer::new(Format::Table, RenderOptions::default());
    let mut failed = None;
    let mut result = engine.run(source, |out| match printer.print(&out) {
        Ok(Printed::Result(t)) => text.push_str(&t),
        Ok(Printed::Notice(n)) => {
            text.push_str(&n);
            text.push('\n');
        }
        Ok(Printed::Nothing) => {}
        Err(e) => failed = failed.take().or(Some(e)),
    });
    if let (Ok(()), Some(e)) = (&result, failed) {
        result = Err(e);
    }
    let error = result.err();
    if let Some(e) = &error {
        text.push_str(&e.render());
    }
    Transcript { text, error }
}

/// An expected output that differs from what ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The file, as it was named to the checker.
    pub file: String,
    /// The 1-based line the problem is reported at (the example's opening
    /// fence in Markdown, 1 for a script).
    pub line: usize,
    /// What is wrong, in words.
    pub what: String,
    /// The expected text.
    pub expected: String,
    /// What was printed instead.
    pub actual: String,
}

impl Mismatch {
    /// The unified diff from the expected to the actual text (empty when the
    /// mismatch is not about output, such as an unclosed code block).
    pub fn diff(&self) -> String {
        unified_diff(&self.expected, &self.actual)
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}:{}: {}", self.file, self.line, self.what)?;
        f.write_str(&self.diff())
    }
}

/// A unified diff of two texts, line by line, headed `expected` and `actual`;
/// empty when they are equal.
pub fn unified_diff(expected: &str, actual: &str) -> String {
    if expected == actual {
        return String::new();
    }
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .missing_newline_hint(true)
        .header("expected", "actual")
        .to_string()
}
