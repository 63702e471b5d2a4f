//! What the prompt knows about the text being typed, plugged into rustyline:
//! completion ([`super::complete`]), highlighting ([`super::highlight`]),
//! hints from history, and whether an entry is complete
//! ([`super::validate`]). Each of those is a plain function of the engine and
//! the text, tested without a terminal.

use super::complete::complete;
use super::highlight::{display, highlight};
use super::validate::{validate, Entry, CONTINUATION};
use itq::{Engine, Style};
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use std::borrow::Cow;

/// The rustyline helper: an engine snapshot (for names, columns and values) and whether to colour.
pub struct Helper {
    /// A copy of the session's engine, refreshed after every entry.
    pub engine: Engine,
    /// Colour the input (a terminal, and `NO_COLOR` unset).
    pub colour: bool,
    hinter: HistoryHinter,
}

impl Helper {
    /// A helper over `engine`.
    pub fn new(engine: Engine, colour: bool) -> Helper {
        Helper {
            engine,
            colour,
            hinter: HistoryHinter::new(),
        }
    }
}

impl Completer for Helper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let c = complete(&self.engine, line, pos);
        Ok((
            c.start,
            c.candidates
                .into_iter()
                .map(|c| Pair {
                    display: c.display,
                    replacement: c.replacement,
                })
                .collect(),
        ))
    }
}

impl Hinter for Helper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, ctx: &rustyline::Context<'_>) -> Option<String> {
        // Without colour a hint would look like typed text, so there is none.
        if line.trim().is_empty() || !self.colour {
            return None;
        }
        self.hinter
            .hint(line, pos, ctx)
            .filter(|h| !h.contains('\n'))
    }
}

impl Highlighter for Helper {
    fn highlight<'l>(&self, line: &'l str, pos: usize) -> Cow<'l, str> {
        let spans = highlight(&self.engine, line, pos);
        if spans.is_empty() {
            return Cow::Borrowed(line);
        }
        Cow::Owned(display(line, &spans, self.colour))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.colour {
            Cow::Owned(itq::paint(hint, &[(0..hint.len(), Style::Dim)]))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        true
    }
}

impl Validator for Helper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(match validate(ctx.input()) {
            Entry::Unclosed(message) => ValidationResult::Invalid(Some(format!("  ← {message}"))),
            // Enter on an unfinished entry is handled by the key binding, which
            // indents the new line; this is the fallback for other accept keys.
            Entry::Incomplete => ValidationResult::Incomplete,
            Entry::Complete => ValidationResult::Valid(None),
        })
    }
}

impl rustyline::Helper for Helper {}

/// Enter: on an unfinished entry with the cursor at its end, start a continuation line.
pub struct Enter;

impl rustyline::ConditionalEventHandler for Enter {
    fn handle(
        &self,
        _evt: &rustyline::Event,
        _n: rustyline::RepeatCount,
        _positive: bool,
        ctx: &rustyline::EventContext,
    ) -> Option<rustyline::Cmd> {
        let line = ctx.line();
        if ctx.pos() == line.len() && validate(line) == Entry::Incomplete {
            Some(rustyline::Cmd::Insert(1, format!("\n{CONTINUATION}")))
        } else {
            None
        }
    }
}
