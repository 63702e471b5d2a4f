//! The one error type of itq and its single renderer: what went wrong, where
//! (file, line, column, the source line and a caret under the spot) and what to do.

use crate::source::{Source, Span};
use std::fmt;
use std::sync::Arc;
use unicode_width::UnicodeWidthStr;

/// What went wrong, with the names and values needed to say it in words.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text does not follow the grammar.
    #[error("expected {expected}, found {found}")]
    Syntax {
        /// What would have been valid here, in words.
        expected: String,
        /// What was there instead.
        found: String,
    },
    /// A literal that cannot be represented (an integer too large, a bad date, a bad escape).
    #[error("{0}")]
    Literal(String),
    /// A name that is not a relation, `let` or `def`.
    #[error("unknown relation `{0}`")]
    UnknownRelation(String),
    /// A column name not in the table at that point of the query.
    #[error("unknown column `{name}` in {relation}")]
    UnknownColumn {
        /// The name as written.
        name: String,
        /// The relation (`` `projects` ``) or query stage (the result of the join) that was searched.
        relation: String,
    },
    /// A function name that is not built in.
    #[error("unknown function `{0}`")]
    UnknownFunction(String),
    /// An operation applied to values of the wrong type.
    #[error("{0}")]
    Type(String),
    /// A query that is well-formed but asks for something impossible
    /// (a negative limit, two columns of one name, a def calling itself).
    #[error("{0}")]
    Invalid(String),
    /// Integer arithmetic or a sum went past the 64-bit range.
    #[error("integer overflow in {0}")]
    Overflow(String),
    /// Decimal arithmetic went past the decimal range (about 1.8e308) or has
    /// no value (`inf - inf`).
    #[error("decimal overflow in {0}")]
    DecimalOverflow(String),
    /// A file could not be read.
    #[error("cannot read `{path}`: {message}")]
    Io {
        /// The path as given.
        path: String,
        /// The operating system's reason.
        message: String,
    },
    /// A file could not be written.
    #[error("cannot write `{path}`: {message}")]
    Write {
        /// The path as given.
        path: String,
        /// The operating system's reason.
        message: String,
    },
    /// A data file (such as the built-in fact base) is malformed.
    #[error("{0}")]
    Data(String),
    /// A construct the chosen SQL dialect cannot express with itq's meaning.
    #[error("{construct} cannot be compiled to {dialect}")]
    Unsupported {
        /// The construct, as written in itq (`` `median` ``).
        construct: String,
        /// The engine (`SQLite`).
        dialect: String,
    },
    /// A step would need more memory, rows or text than the engine's
    /// [`Limits`](crate::Limits) allow; it stopped before allocating.
    #[error("{0}")]
    Limit(String),
    /// The host cancelled the running query (Ctrl-C at the prompt).
    #[error("query cancelled")]
    Cancelled,
    /// An attached database could not be reached, refused the login, or
    /// failed a query sent to it. Never holds a password.
    #[error("{database}: {message}")]
    Database {
        /// Which database, in words: `` `wh` (PostgreSQL at localhost:5432) ``.
        database: String,
        /// What went wrong there.
        message: String,
    },
}

/// An error with, where known, the span it points at and the source it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    kind: ErrorKind,
    span: Option<Span>,
    help: Option<String>,
    source: Option<Arc<Source>>,
}

/// The result type of every fallible itq operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with no location yet.
    pub fn new(kind: ErrorKind) -> Error {
        Error {
            kind,
            span: None,
            help: None,
            source: None,
        }
    }

    /// An error pointing at `span`.
    pub fn at(kind: ErrorKind, span: Span) -> Error {
        Error::new(kind).with_span(span)
    }

    /// Points the error at `span` unless it already points somewhere.
    pub fn with_span(mut self, span: Span) -> Error {
        self.span.get_or_insert(span);
        self
    }

    /// Adds a line of advice, shown after the caret.
    pub fn with_help(mut self, help: impl Into<String>) -> Error {
        self.help = Some(help.into());
        self
    }

    /// Attaches the source text the span refers to, unless one is attached already.
    pub fn with_source(mut self, source: &Arc<Source>) -> Error {
        self.source.get_or_insert_with(|| Arc::clone(source));
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The span the error points at, if any.
    pub fn span(&self) -> Option<Span> {
        self.span
    }

    /// The advice line, if any.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// `file:line:col` of the error, if it has a location.
    pub fn position(&self) -> Option<String> {
        let (source, span) = (self.source.as_ref()?, self.span?);
        let loc = source.locate(span);
        Some(format!("{}:{}:{}", source.name, loc.line, loc.column))
    }

    /// The full message: headline, location, source line, caret and help.
    ///
    /// ```text
    /// error: unknown column `sectr` in `projects`
    ///   --> <query>:1:16
    ///    |
    ///  1 | projects where sectr = "new energy"
    ///    |                ^^^^^
    ///    = help: did you mean `sector`?
    /// ```
    pub fn render(&self) -> String {
        let mut out = format!("error: {}\n", self.kind);
        let mut gutter = 1;
        if let (Some(source), Some(span)) = (&self.source, self.span) {
            let loc = source.locate(span);
            let number = loc.line.to_string();
            gutter = number.len() + 1;
            let pad = " ".repeat(gutter);
            let arrow = " ".repeat(gutter - 1);
            let (line, caret_at, width) = window(&loc.line_text, loc.column - 1, loc.width);
            // The caret sits under the characters in the terminal's columns:
            // a CJK character or an emoji takes two, a combining mark none.
            let prefix: String = line.chars().take(caret_at).collect();
            let covered: String = line.chars().skip(caret_at).take(width).collect();
            let caret_pad = " ".repeat(prefix.width());
            let carets = covered.width().max(1);
            out.push_str(&format!(
                "{arrow}--> {}:{}:{}\n{pad}|\n{number:>w$} | {line}\n{pad}| {caret_pad}{}\n",
                source.name,
                loc.line,
                loc.column,
                "^".repeat(carets),
                w = gutter - 1,
            ));
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("{}= help: {help}\n", " ".repeat(gutter)));
        }
        out
    }
}

/// The most characters of a source line an error shows.
const LINE_WINDOW: usize = 120;

/// The part of `line` an error shows (tabs as spaces): all of it when short,
/// else [`LINE_WINDOW`] characters around the span, with `…` where cut. Also
/// where the caret goes in it and how wide it is, in characters.
fn window(line: &str, column: usize, width: usize) -> (String, usize, usize) {
    let chars: Vec<char> = line
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    if chars.len() <= LINE_WINDOW {
        return (chars.into_iter().collect(), column, width);
    }
    let first = column
        .saturating_sub(LINE_WINDOW / 3)
        .min(chars.len() - LINE_WINDOW);
    let last = first + LINE_WINDOW;
    let mut shown = String::new();
    if first > 0 {
        shown.push('…');
    }
    shown.extend(&chars[first..last]);
    if last < chars.len() {
        shown.push('…');
    }
    let caret_at = column - first + usize::from(first > 0);
    (
        shown,
        caret_at,
        width.min(last.saturating_sub(column)).max(1),
    )
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.render().trim_end())
    }
}

impl std::error::Error for Error {}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Error {
        Error::new(kind)
    }
}

/// The candidate closest to `name`, if one is close enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.chars().count().max(name.chars().count()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// "did you mean `x`?" when a close candidate exists, otherwise a list of what exists.
pub fn suggestion<'a>(
    name: &str,
    what: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
) -> String {
    match closest(name, candidates.clone()) {
        Some(c) => format!("did you mean `{c}`?"),
        None => {
            let all: Vec<&str> = candidates.into_iter().collect();
            if all.is_empty() {
                format!("there are no {what} here")
            } else {
                let shown: Vec<String> = all.iter().take(12).map(|c| format!("`{c}`")).collect();
                let more = if all.len() > 12 { ", ..." } else { "" };
                format!("{what}: {}{more}", shown.join(", "))
            }
        }
    }
}
