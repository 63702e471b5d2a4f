//! The prompt's token scanner: splits what is typed into words, literals,
//! comments and statement ends, never failing on unfinished text; and which
//! words are keywords.

use itq::syntax::{CLAUSE_WORDS, OTHER_WORDS};

/// The kinds of token the prompt distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    /// A name or keyword.
    Word,
    /// A `` `backquoted name` `` (closed or not).
    Backquoted,
    /// A string literal; `closed` is false while its closing quote is missing.
    Str {
        /// The closing quote is there.
        closed: bool,
    },
    /// A number or date.
    Number,
    /// An operator or punctuation (`=`, `<=`, `(`, `,`).
    Punct,
    /// A `#` comment.
    Comment,
    /// The end of a statement: `;` or a line break before an unindented line.
    Break,
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
    pub fn text<'t>(&self, line: &'t str) -> &'t str {
        &line[self.start..self.end]
    }
}

/// Splits `text` into tokens. Never fails: unfinished input gives unfinished tokens.
pub fn lex(text: &str) -> Vec<Token> {
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    let at = |i: usize| bytes.get(i).map_or(text.len(), |(o, _)| *o);
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let (start, c) = bytes[i];
        let begin = i;
        let kind = match c {
            ' ' | '\t' | '\r' => {
                i += 1;
                continue;
            }
            '\n' => {
                i += 1;
                match bytes.get(i) {
                    Some((_, n)) if !matches!(n, ' ' | '\t' | '\r' | '\n' | '#') => Tok::Break,
                    _ => continue,
                }
            }
            ';' => {
                i += 1;
                Tok::Break
            }
            '#' => {
                while i < bytes.len() && bytes[i].1 != '\n' {
                    i += 1;
                }
                Tok::Comment
            }
            '"' | '\'' => {
                i += 1;
                let mut closed = false;
                while i < bytes.len() && bytes[i].1 != '\n' {
                    match bytes[i].1 {
                        '\\' => i += 2,
                        q if q == c => {
                            i += 1;
                            closed = true;
                            break;
                        }
                        _ => i += 1,
                    }
                }
                i = i.min(bytes.len());
                Tok::Str { closed }
            }
            '`' => {
                i += 1;
                while i < bytes.len() && !matches!(bytes[i].1, '`' | '\n') {
                    i += 1;
                }
                if i < bytes.len() && bytes[i].1 == '`' {
                    i += 1;
                }
                Tok::Backquoted
            }
            c if c.is_ascii_digit() => {
                i += 1;
                while let Some(&(_, n)) = bytes.get(i) {
                    let prev = bytes[i - 1].1;
                    let sign = matches!(n, '-' | '+')
                        && (matches!(prev, 'e' | 'E') || (n == '-' && i - begin == 4));
                    let date_dash = n == '-' && i - begin == 7;
                    if n.is_alphanumeric() || n == '_' || n == '.' || sign || date_dash {
                        i += 1;
                    } else {
                        break;
                    }
                }
                Tok::Number
            }
            c if c.is_alphabetic() || c == '_' || c == '$' => {
                i += 1;
                while i < bytes.len() && (bytes[i].1.is_alphanumeric() || bytes[i].1 == '_') {
                    i += 1;
                }
                Tok::Word
            }
            _ => {
                i += 1;
                let two = [c, bytes.get(i).map_or(' ', |b| b.1)];
                if matches!(two, ['!', '='] | ['<', '>'] | ['<', '='] | ['>', '=']) {
                    i += 1;
                }
                Tok::Punct
            }
        };
        out.push(Token {
            kind,
            start,
            end: at(i),
        });
    }
    out
}

/// The words of `load` and `save` statements, keywords only there.
pub const STATEMENT_WORDS: &[&str] = &[
    "load",
    "save",
    "to",
    "replace",
    "with",
    "format",
    "delimiter",
];

pub fn is_keyword(word: &str) -> bool {
    let lower = word.to_lowercase();
    CLAUSE_WORDS.contains(&lower.as_str()) || OTHER_WORDS.contains(&lower.as_str())
}

/// Words that start a clause (as opposed to `by`, which continues one).
pub fn starts_clause(word: &str) -> bool {
    let lower = word.to_lowercase();
    lower != "by" && CLAUSE_WORDS.contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lexer_knows_literals_names_comments_and_statement_ends() {
        let text = "x = 2024-10-27 and 1.5e-3 > `a b` # c\n  where 'it''s\nnext; y";
        let kinds: Vec<(Tok, &str)> = lex(text)
            .iter()
            .map(|t| (t.kind, &text[t.start..t.end]))
            .collect();
        assert_eq!(
            kinds,
            [
                (Tok::Word, "x"),
                (Tok::Punct, "="),
                (Tok::Number, "2024-10-27"),
                (Tok::Word, "and"),
                (Tok::Number, "1.5e-3"),
                (Tok::Punct, ">"),
                (Tok::Backquoted, "`a b`"),
                (Tok::Comment, "# c"),
                (Tok::Word, "where"),
                (Tok::Str { closed: true }, "'it'"),
                (Tok::Str { closed: false }, "'s"),
                (Tok::Break, "\n"),
                (Tok::Word, "next"),
                (Tok::Break, ";"),
                (Tok::Word, "y"),
            ]
        );
    }
}
