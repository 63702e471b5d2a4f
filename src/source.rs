//! Source text and byte spans into it, with line and column lookup for error messages.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A byte range `start..end` in a [`Source`]'s text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset one past the last character.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A named piece of itq text: a script file, a `-c` argument or a line typed at the prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// What to call it in messages: a file path, `<query>` or `<prelude>`.
    pub name: String,
    /// The text itself.
    pub text: String,
    /// The folder relative paths in the text (`load "data.csv"`) start from:
    /// a script's own folder; `None` for the current folder.
    pub dir: Option<PathBuf>,
}

/// Where a span starts, in the terms a person uses: 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// The whole source line the span starts on, without its line break.
    pub line_text: String,
    /// How many characters of that line the span covers (at least 1).
    pub width: usize,
}

impl Source {
    /// A new shared source.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Source> {
        Arc::new(Source {
            name: name.into(),
            text: text.into(),
            dir: None,
        })
    }

    /// The text of the script file at `path`: messages name it by `path`, and
    /// relative paths in it start from the script's folder.
    pub fn file(path: &Path, text: impl Into<String>) -> Arc<Source> {
        let dir = path
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            })
            .map(Path::to_path_buf);
        Arc::new(Source {
            name: path.display().to_string(),
            text: text.into(),
            dir,
        })
    }

    /// The text a span covers (empty if the span is out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// Line, column and the line's text for the start of `span`.
    pub fn locate(&self, span: Span) -> Location {
        // Lines end in `\n`, `\r\n` or a lone `\r`, as in the grammar.
        let start = floor_char_boundary(&self.text, span.start.min(self.text.len()));
        let line_start = self.text[..start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let line_end = self.text[start..]
            .find(['\n', '\r'])
            .map_or(self.text.len(), |i| start + i);
        let line_text = &self.text[line_start..line_end];
        let before = &self.text[..line_start];
        let line = before.matches('\n').count() + before.matches('\r').count()
            - before.matches("\r\n").count()
            + 1;
        let column = self.text[line_start..start].chars().count() + 1;
        let end = floor_char_boundary(&self.text, span.end.clamp(start, line_end));
        let width = self.text[start..end].chars().count().max(1);
        Location {
            line,
            column,
            line_text: line_text.to_string(),
            width,
        }
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}
