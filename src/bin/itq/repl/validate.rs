//! Whether an entry is ready to run, or Enter continues it on the next line;
//! and how continued lines are joined into itq text.

use itq::syntax::keywords::keyword;
use itq::syntax::tokens::{statement_tokens, Tok, Token};

/// The text a continuation line starts with: as wide as the prompt, so the
/// continued text lines up, and indented, so itq reads it as a continuation.
pub const CONTINUATION: &str = "     ";

/// What is shown over [`CONTINUATION`] at the start of a continued line.
pub const CONTINUATION_MARK: &str = "...> ";

/// Whether an entry can run as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// Ready to run.
    Complete,
    /// Unfinished (an open parenthesis, or ending in `and`, a comma or a
    /// clause keyword): Enter continues it on the next line.
    Incomplete,
    /// A string is not closed on its line; strings cannot span lines, so the
    /// line stays open for editing with this message.
    Unclosed(String),
}

/// Decides whether `text` (the whole entry so far) is ready to run.
pub fn validate(text: &str) -> Entry {
    if text.trim_start().starts_with('.') {
        return Entry::Complete;
    }
    let tokens: Vec<Token> = statement_tokens(text)
        .into_iter()
        .filter(|t| t.kind != Tok::Comment)
        .collect();
    if let Some(t) = tokens.last() {
        if t.kind == (Tok::Str { closed: false }) {
            let quote = &text[t.start..t.start + 1];
            return Entry::Unclosed(format!(
                "unclosed string: add a closing {quote} (a string ends on its line)"
            ));
        }
    }
    let mut depth = 0i32;
    for t in &tokens {
        match (t.kind, t.text(text)) {
            (Tok::Punct, "(") => depth += 1,
            (Tok::Punct, ")") => depth -= 1,
            (Tok::End, _) if depth <= 0 => depth = 0,
            _ => {}
        }
    }
    if depth > 0 {
        return Entry::Incomplete;
    }
    match tokens.last() {
        Some(t) if t.kind == Tok::Punct => {
            if matches!(t.text(text), ")" | ";") {
                Entry::Complete
            } else {
                Entry::Incomplete
            }
        }
        Some(t) if t.kind == Tok::Word => {
            if keyword(t.text(text)).is_some_and(|k| k.open_ended) {
                Entry::Incomplete
            } else {
                Entry::Complete
            }
        }
        _ => Entry::Complete,
    }
}

/// Joins the lines of an entry into itq text: a line typed after an unfinished
/// one continues it, so it is indented if it is not already (itq reads an
/// unindented line as a new statement).
pub fn join_continuations(entry: &str) -> String {
    let mut out = String::with_capacity(entry.len());
    for (i, l) in entry.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            if validate(&out) == Entry::Incomplete && !l.starts_with([' ', '\t']) {
                out.push_str("  ");
            }
        }
        out.push_str(l);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfinished_entries_continue() {
        assert_eq!(validate("events where"), Entry::Incomplete);
        assert_eq!(validate("events where value > 1 and"), Entry::Incomplete);
        assert_eq!(validate("events select name,"), Entry::Incomplete);
        assert_eq!(validate("(events where value > 1"), Entry::Incomplete);
        assert_eq!(validate("let x ="), Entry::Incomplete);
        assert_eq!(validate("events where value > 1"), Entry::Complete);
        assert_eq!(validate("events count"), Entry::Complete);
        assert_eq!(
            validate("events sum value by province chart"),
            Entry::Complete
        );
        assert_eq!(
            validate("events where name = \"a(\" # and"),
            Entry::Complete
        );
        assert_eq!(validate(".schema"), Entry::Complete);
        assert!(matches!(
            validate("events where name = \"Gan"),
            Entry::Unclosed(_)
        ));
    }

    #[test]
    fn continuation_lines_are_indented_so_itq_reads_one_statement() {
        assert_eq!(
            join_continuations("events where\nvalue > 1"),
            "events where\n  value > 1"
        );
        assert_eq!(
            join_continuations("events where\n     value > 1"),
            "events where\n     value > 1"
        );
        // Two complete lines stay two statements.
        assert_eq!(
            join_continuations("events count\nprovinces count"),
            "events count\nprovinces count"
        );
    }
}
