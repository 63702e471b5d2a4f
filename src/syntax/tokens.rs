//! The one tolerant token scanner: itq text split into words, numbers,
//! strings, backquoted names, parameters, operators, comments and line breaks.
//! It never fails; unfinished text (an unclosed string, a half-typed number)
//! gives unfinished tokens, so the prompt can scan what is being typed. The
//! parser's nesting check, the formatter's comments, the engine's doc comments
//! and the prompt's highlighting, completion and validation all read text
//! through it, so they agree on where a string or a comment ends.
//!
//! It follows the grammar's lexical rules: a string ends at its closing quote
//! or at a line break (a backslash escapes the next character), a backquoted
//! name has no escapes, `#` runs to the end of the line, and a line break is
//! `\n`, `\r\n` or a lone `\r`. It does not parse: which words are keywords is
//! in [`super::keywords`].

use crate::source::Span;

/// The kinds of token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    /// A name or keyword.
    Word,
    /// A script parameter, `$name`.
    Param,
    /// A `` `backquoted name` ``; `closed` is false while its closing backquote is missing.
    Backquoted {
        /// The closing backquote is there.
        closed: bool,
    },
    /// A string literal; `closed` is false while its closing quote is missing.
    Str {
        /// The closing quote is there.
        closed: bool,
    },
    /// A number or date.
    Number,
    /// An operator or punctuation (`=`, `<=`, `(`, `,`).
    Punct,
    /// A `#` comment, without its line break.
    Comment,
    /// A line break inside a statement: the next line is indented (after any
    /// blank or comment-only lines), so the statement goes on, or the text ends.
    LineBreak,
    /// The end of a statement: `;`, or a line break before an unindented line.
    End,
}

/// A token and where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Its kind.
    pub kind: Tok,
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset just past it.
    pub end: usize,
}

impl Token {
    /// Its text in `text`, the text it was scanned from.
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }

    /// Where it is.
    pub fn span(&self) -> Span {
        Span::new(self.start, self.end)
    }
}

/// The tokens of `text`, in order. Spaces and tabs only separate tokens.
pub fn tokens(text: &str) -> Tokens<'_> {
    Tokens { text, at: 0 }
}

/// The tokens of `text` as a statement reads them: without the line breaks
/// that continue a statement, which like spaces only separate tokens.
pub fn statement_tokens(text: &str) -> Vec<Token> {
    tokens(text).filter(|t| t.kind != Tok::LineBreak).collect()
}

/// Whether `c` starts a line break.
pub fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r')
}

/// The scanner: an iterator over the tokens of a text (see [`tokens`]).
#[derive(Debug, Clone)]
pub struct Tokens<'t> {
    text: &'t str,
    at: usize,
}

impl Iterator for Tokens<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let text = self.text;
        loop {
            let start = self.at;
            let rest = &text[start..];
            let c = rest.chars().next()?;
            // The end of the run of characters from `start + skip` that `keep` accepts.
            let run = |skip: usize, keep: &dyn Fn(char) -> bool| {
                rest[skip..]
                    .char_indices()
                    .find(|&(_, ch)| !keep(ch))
                    .map_or(text.len(), |(i, _)| start + skip + i)
            };
            let (kind, end) = match c {
                ' ' | '\t' => {
                    self.at += 1;
                    continue;
                }
                '\n' | '\r' => {
                    let end = start + if rest.starts_with("\r\n") { 2 } else { 1 };
                    let unindented = text[end..]
                        .chars()
                        .next()
                        .is_some_and(|n| !matches!(n, ' ' | '\t' | '#') && !is_line_break(n));
                    (if unindented { Tok::End } else { Tok::LineBreak }, end)
                }
                ';' => (Tok::End, start + 1),
                '#' => (Tok::Comment, run(1, &|ch| !is_line_break(ch))),
                '"' | '\'' => {
                    let mut end = text.len();
                    let mut closed = false;
                    let mut chars = rest.char_indices().skip(1);
                    while let Some((i, ch)) = chars.next() {
                        if ch == '\\' {
                            chars.next();
                        } else if ch == c {
                            (end, closed) = (start + i + 1, true);
                            break;
                        } else if is_line_break(ch) {
                            end = start + i;
                            break;
                        }
                    }
                    (Tok::Str { closed }, end)
                }
                '`' => {
                    let end = run(1, &|ch| ch != '`' && !is_line_break(ch));
                    let closed = text[end..].starts_with('`');
                    (Tok::Backquoted { closed }, end + usize::from(closed))
                }
                '$' => (Tok::Param, run(1, &|ch| ch.is_alphanumeric() || ch == '_')),
                c if c.is_ascii_digit() => (Tok::Number, number_end(text, start)),
                c if c.is_alphabetic() || c == '_' => (
                    Tok::Word,
                    run(c.len_utf8(), &|ch| ch.is_alphanumeric() || ch == '_'),
                ),
                _ => {
                    let two = ["!=", "<>", "<=", ">="]
                        .iter()
                        .any(|op| rest.starts_with(op));
                    (Tok::Punct, start + if two { 2 } else { c.len_utf8() })
                }
            };
            self.at = end;
            return Some(Token { kind, start, end });
        }
    }
}

/// Where the number or date starting at `start` ends: digits, letters, `_`
/// and `.`, a sign after an exponent's `e`, and the dashes of `2024-10-27`.
/// It is generous, so that `1.5e-3` and a half-typed `2024-1` are one token.
fn number_end(text: &str, start: usize) -> usize {
    let mut end = start;
    let mut prev = ' ';
    for (n, ch) in text[start..].chars().enumerate() {
        let sign = matches!(ch, '-' | '+') && (matches!(prev, 'e' | 'E') || (ch == '-' && n == 4));
        let date_dash = ch == '-' && n == 7;
        if n == 0 || ch.is_alphanumeric() || ch == '_' || ch == '.' || sign || date_dash {
            end += ch.len_utf8();
            prev = ch;
        } else {
            break;
        }
    }
    end
}

/// The `#` comment lines directly above the line where `offset` is, joined
/// with spaces and without their `#`: the documentation of a `let` or `def`.
/// A blank line or a line of code ends them.
pub fn doc_comment(text: &str, offset: usize) -> Option<String> {
    let line_start = text[..offset].rfind(is_line_break).map_or(0, |i| i + 1);
    let mut lines: Vec<Vec<Token>> = vec![Vec::new()];
    for t in tokens(&text[..line_start]) {
        match t.kind {
            Tok::LineBreak | Tok::End if t.text(text) != ";" => lines.push(Vec::new()),
            _ => lines.last_mut().expect("never empty").push(t),
        }
    }
    // The text before `line_start` ends with a line break (or is empty).
    lines.pop();
    let mut docs: Vec<&str> = lines
        .iter()
        .rev()
        .map_while(|line| match line.as_slice() {
            [c] if c.kind == Tok::Comment => Some(c.text(text).trim_start_matches('#').trim()),
            _ => None,
        })
        .collect();
    if docs.is_empty() {
        return None;
    }
    docs.reverse();
    Some(docs.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Tok, &str)> {
        tokens(text).map(|t| (t.kind, t.text(text))).collect()
    }

    #[test]
    fn literals_names_comments_and_statement_ends() {
        let text = "x = 2024-10-27 and 1.5e-3 > `a b` # c\n  where 'it''s\nnext; $y";
        assert_eq!(
            kinds(text),
            [
                (Tok::Word, "x"),
                (Tok::Punct, "="),
                (Tok::Number, "2024-10-27"),
                (Tok::Word, "and"),
                (Tok::Number, "1.5e-3"),
                (Tok::Punct, ">"),
                (Tok::Backquoted { closed: true }, "`a b`"),
                (Tok::Comment, "# c"),
                (Tok::LineBreak, "\n"),
                (Tok::Word, "where"),
                (Tok::Str { closed: true }, "'it'"),
                (Tok::Str { closed: false }, "'s"),
                (Tok::End, "\n"),
                (Tok::Word, "next"),
                (Tok::End, ";"),
                (Tok::Param, "$y"),
            ]
        );
    }

    #[test]
    fn a_lone_carriage_return_is_a_line_break() {
        assert_eq!(
            kinds("a # c\rb\r\n  c <= \"x\ry"),
            [
                (Tok::Word, "a"),
                (Tok::Comment, "# c"),
                (Tok::End, "\r"),
                (Tok::Word, "b"),
                (Tok::LineBreak, "\r\n"),
                (Tok::Word, "c"),
                (Tok::Punct, "<="),
                (Tok::Str { closed: false }, "\"x"),
                (Tok::End, "\r"),
                (Tok::Word, "y"),
            ]
        );
    }

    #[test]
    fn quotes_and_hashes_inside_literals_start_nothing() {
        assert_eq!(
            kinds(r#""a \" # (" `b # (` ( # ) "#),
            [
                (Tok::Str { closed: true }, r#""a \" # (""#),
                (Tok::Backquoted { closed: true }, "`b # (`"),
                (Tok::Punct, "("),
                (Tok::Comment, "# ) "),
            ]
        );
        assert_eq!(kinds("`a"), [(Tok::Backquoted { closed: false }, "`a")]);
        // A blank or comment-only line before an indented one does not end the statement.
        let breaks: Vec<Tok> = tokens("a\n\n# c\n  b\nc")
            .filter(|t| matches!(t.kind, Tok::LineBreak | Tok::End))
            .map(|t| t.kind)
            .collect();
        assert_eq!(
            breaks,
            [Tok::LineBreak, Tok::LineBreak, Tok::LineBreak, Tok::End]
        );
    }

    #[test]
    fn doc_comments_are_the_comment_lines_right_above() {
        let text =
            "# not this\n\n# Two lines\n  # of doc\nlet x = 1 # no\n# after\nlet y = 2\nlet z = 3";
        let at = |s: &str| text.find(s).unwrap();
        assert_eq!(
            doc_comment(text, at("x =")).as_deref(),
            Some("Two lines of doc")
        );
        assert_eq!(doc_comment(text, at("y =")).as_deref(), Some("after"));
        assert_eq!(doc_comment(text, at("z =")), None);
        assert_eq!(
            doc_comment("# only\nlet a = 1", 12).as_deref(),
            Some("only")
        );
    }
}
