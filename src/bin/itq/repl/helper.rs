//! What the prompt knows about the text being typed: completion, highlighting,
//! hints and whether an entry is complete. Each is a plain function of the
//! engine (for names, columns and values) and the text, tested without a
//! terminal; [`Helper`] only plugs them into rustyline.

use super::meta;
use itq::syntax::{CLAUSE_WORDS, OTHER_WORDS};
use itq::{Data, Engine, ErrorKind, Style, FUNCTIONS};
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;

/// The text a continuation line starts with: as wide as the prompt, so the
/// continued text lines up, and indented, so itq reads it as a continuation.
pub const CONTINUATION: &str = "     ";

/// What is shown over [`CONTINUATION`] at the start of a continued line.
pub const CONTINUATION_MARK: &str = "...> ";

// ------------------------------------------------------------------ tokens

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
    fn text<'t>(&self, line: &'t str) -> &'t str {
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
const STATEMENT_WORDS: &[&str] = &[
    "load",
    "save",
    "to",
    "replace",
    "with",
    "format",
    "delimiter",
    "encoding",
    "skip",
    "header",
    "footer",
    "na",
    "thousands",
    "sheet",
    "range",
    "bom",
];

fn is_keyword(word: &str) -> bool {
    let lower = word.to_lowercase();
    CLAUSE_WORDS.contains(&lower.as_str()) || OTHER_WORDS.contains(&lower.as_str())
}

/// Words that start a clause (as opposed to `by`, which continues one).
fn starts_clause(word: &str) -> bool {
    let lower = word.to_lowercase();
    lower != "by" && CLAUSE_WORDS.contains(&lower.as_str())
}

// ------------------------------------------------------------- validation

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
    let tokens: Vec<Token> = lex(text)
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
            (Tok::Break, _) if depth <= 0 => depth = 0,
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
            let w = t.text(text).to_lowercase();
            let open_ended = [
                "where", "select", "derive", "sort", "by", "on", "join", "left", "top", "limit",
                "as", "and", "or", "not", "in", "is", "between", "contains", "let", "def", "to",
            ];
            if open_ended.contains(&w.as_str()) {
                Entry::Incomplete
            } else {
                Entry::Complete
            }
        }
        _ => Entry::Complete,
    }
}

// ------------------------------------------------------------- completion

/// One completion: what the menu shows and what replaces the typed word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Shown in the list.
    pub display: String,
    /// Inserted in place of the word being typed.
    pub replacement: String,
}

impl Candidate {
    fn same(s: impl Into<String>) -> Candidate {
        let s = s.into();
        Candidate {
            display: s.clone(),
            replacement: s,
        }
    }
}

/// Completions for the word ending at `pos`: the byte offset the word starts at
/// (it is replaced from there to `pos`) and the candidates, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completion {
    /// Where the replaced text starts.
    pub start: usize,
    /// The candidates.
    pub candidates: Vec<Candidate>,
}

/// What may be typed at `pos` in `line`, given what `engine` knows.
pub fn complete(engine: &Engine, line: &str, pos: usize) -> Completion {
    let pos = pos.min(line.len());
    let before = &line[..pos];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    if before[line_start..].trim_start().starts_with('.') {
        return complete_meta(engine, before, line_start);
    }
    let tokens = lex(before);
    let stmt_from = tokens
        .iter()
        .rposition(|t| t.kind == Tok::Break)
        .map_or(0, |i| i + 1);
    let stmt: Vec<Token> = tokens[stmt_from..]
        .iter()
        .copied()
        .filter(|t| t.kind != Tok::Comment)
        .collect();
    let last = stmt.last().filter(|t| t.end == pos);

    // The file of `load "pa` and `save ... to "pa`: paths, as strings.
    let word_at = |i: usize| stmt.get(i).map(|t| t.text(line).to_lowercase());
    let n = stmt.len();
    let typed_path = match (word_at(0).as_deref(), last) {
        (Some("load"), None) if n == 1 => Some((pos, "")),
        (Some("load"), Some(t)) if n == 2 => Some((t.start, t.text(line))),
        (Some("save"), None) if word_at(n - 1).as_deref() == Some("to") => Some((pos, "")),
        (Some("save"), Some(t)) if n >= 2 && word_at(n - 2).as_deref() == Some("to") => {
            Some((t.start, t.text(line)))
        }
        _ => None,
    };
    if let Some((start, text)) = typed_path {
        let (quote, typed) = match text.chars().next() {
            Some(q @ ('"' | '\'')) => (q, text[1..].trim_end_matches(q)),
            _ => ('"', text),
        };
        return Completion {
            start,
            candidates: complete_path(typed)
                .into_iter()
                .map(|p| Candidate {
                    replacement: if p.ends_with('/') {
                        format!("{quote}{p}")
                    } else {
                        format!("{quote}{p}{quote}")
                    },
                    display: p,
                })
                .collect(),
        };
    }

    match last.map(|t| t.kind) {
        Some(Tok::Str { closed: false }) => {
            let t = last.expect("matched above");
            return complete_value(engine, line, &stmt, t);
        }
        // Right after a literal there is nothing to complete.
        Some(Tok::Str { .. } | Tok::Number) => return Completion::default(),
        _ => {}
    }
    let (start, prefix, prior) = match last {
        Some(t) if matches!(t.kind, Tok::Word | Tok::Backquoted) => {
            (t.start, t.text(line), &stmt[..stmt.len() - 1])
        }
        _ => (pos, "", &stmt[..]),
    };
    let names = candidates_at(engine, line, prior);
    let lower = prefix.trim_start_matches('`').to_lowercase();
    let mut candidates: Vec<Candidate> = Vec::new();
    for c in names {
        let key = c.display.trim_start_matches('`').to_lowercase();
        if key.starts_with(&lower) && !candidates.contains(&c) {
            candidates.push(c);
        }
    }
    Completion { start, candidates }
}

fn words_of(line: &str, tokens: &[Token]) -> Vec<String> {
    tokens.iter().map(|t| t.text(line).to_lowercase()).collect()
}

/// What may follow `load "PATH" ...`: an option word not given yet, or the
/// value of the option just typed (formats, encodings).
fn load_options(words: &[String]) -> Vec<Candidate> {
    let last = words.last().map(String::as_str).unwrap_or("");
    match last {
        "format" => {
            return ["csv", "json", "ndjson", "excel", "parquet"]
                .map(Candidate::same)
                .into()
        }
        "encoding" => {
            return itq::load::COMMON_ENCODINGS
                .iter()
                .map(|e| Candidate::same(format!("\"{e}\"")))
                .collect()
        }
        "as" | "with" | "delimiter" | "skip" | "header" | "footer" | "na" | "thousands"
        | "sheet" | "range" => return Vec::new(),
        _ => {}
    }
    let mut words_left = Vec::new();
    if words.len() == 2 {
        words_left.push("as");
    }
    words_left.extend(["with", "format", "delimiter"]);
    words_left.extend(itq::load::SETTING_WORDS.iter().copied());
    words_left
        .into_iter()
        .filter(|w| !words.iter().any(|t| t == w))
        .map(Candidate::same)
        .collect()
}

/// What may follow `save QUERY to "PATH"`: `replace`, `bom`, `sheet`.
fn save_options(words: &[String]) -> Vec<Candidate> {
    if words.last().is_some_and(|w| w == "to" || w == "sheet") {
        return Vec::new();
    }
    ["replace", "bom", "sheet"]
        .into_iter()
        .filter(|w| !words.iter().any(|t| t == w))
        .map(Candidate::same)
        .collect()
}

/// The names that may come after the tokens `prior` of a statement.
fn candidates_at(engine: &Engine, line: &str, prior: &[Token]) -> Vec<Candidate> {
    let word = |t: &Token| t.text(line).to_lowercase();
    // Skip `let NAME =` and `def NAME(PARAMS) =`, remembering def parameters.
    let mut params: Vec<String> = Vec::new();
    let mut q = prior;
    match prior.first().map(word).as_deref() {
        Some("let") | Some("def") if prior.len() < 2 => return Vec::new(),
        Some("load") if prior.len() >= 2 => return load_options(&words_of(line, prior)),
        Some("save") if prior.iter().rev().skip(1).any(|t| word(t) == "to") => {
            return save_options(&words_of(line, prior))
        }
        Some("let") => match prior.iter().position(|t| t.text(line) == "=") {
            Some(eq) => {
                q = &prior[eq + 1..];
                if q.is_empty() {
                    let mut all = sources(engine);
                    all.extend(expression_names(engine));
                    return all;
                }
            }
            None => return Vec::new(),
        },
        Some("def") => {
            let close = prior.iter().position(|t| t.text(line) == ")");
            let eq = prior.iter().position(|t| t.text(line) == "=");
            match (close, eq) {
                (Some(c), Some(e)) if e > c => {
                    params = prior[2..c]
                        .iter()
                        .filter(|t| t.kind == Tok::Word)
                        .map(|t| t.text(line).to_string())
                        .collect();
                    q = &prior[e + 1..];
                }
                _ => return Vec::new(),
            }
        }
        _ => {}
    }
    let Some(last) = q.last() else {
        let mut all = sources(engine);
        all.extend(["let", "def", "load", "save"].map(Candidate::same));
        return all;
    };
    let last_word = word(last);
    let before_last = q.len().checked_sub(2).map(|i| word(&q[i]));
    // A source: after `join`, or an opening parenthesis where a query starts.
    if last_word == "join"
        || (last_word == "(" && (q.len() == 1 || before_last.as_deref() == Some("join")))
    {
        return sources(engine);
    }
    if matches!(last_word.as_str(), "as" | "limit" | "top") {
        return Vec::new();
    }
    let operand = matches!(last.kind, Tok::Str { .. } | Tok::Number | Tok::Backquoted)
        || last_word == ")"
        || (last.kind == Tok::Word && !is_keyword(&last_word))
        || matches!(
            last_word.as_str(),
            "asc" | "desc" | "null" | "true" | "false" | "distinct"
        );
    if q.len() == 1 && last.kind == Tok::Word {
        return clause_words();
    }
    if operand {
        let mut all = clause_words();
        all.extend(
            [
                "and", "or", "as", "asc", "desc", "by", "on", "in", "is", "not", "between",
                "contains",
            ]
            .map(Candidate::same),
        );
        return all;
    }
    let query_start = q[0].start;
    let mut columns = columns_in_scope(engine, line, q, query_start);
    columns.extend(params.into_iter().map(Candidate::same));
    columns.extend(expression_names(engine));
    columns
}

fn clause_words() -> Vec<Candidate> {
    CLAUSE_WORDS
        .iter()
        .filter(|w| **w != "by")
        .map(|w| Candidate::same(*w))
        .collect()
}

/// Relations and defs (a def with parameters completes with its `(`).
fn sources(engine: &Engine) -> Vec<Candidate> {
    let catalog = engine.catalog();
    let mut out: Vec<Candidate> = catalog
        .relations()
        .map(|(n, _)| Candidate::same(quote_name(n)))
        .collect();
    out.extend(catalog.defs().map(|(n, d)| Candidate {
        display: quote_name(n),
        replacement: if d.params.is_empty() {
            quote_name(n)
        } else {
            format!("{}(", quote_name(n))
        },
    }));
    out
}

/// Functions (completing with their `(`) and `let` values.
fn expression_names(engine: &Engine) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = engine
        .catalog()
        .scalars()
        .map(|(n, _)| Candidate::same(quote_name(n)))
        .collect();
    out.extend(FUNCTIONS.iter().map(|f| Candidate {
        display: f.name.to_string(),
        replacement: format!("{}(", f.name),
    }));
    out
}

/// A name as it must be written: backquoted when it is a keyword or not a plain word.
fn quote_name(name: &str) -> String {
    quote_name_in(name, false)
}

/// As [`quote_name`]; in an expression the aggregate words are plain names
/// (`sort count desc`).
fn quote_name_in(name: &str, expression: bool) -> String {
    let aggregate =
        ["count", "sum", "avg", "min", "max", "median"].contains(&name.to_lowercase().as_str());
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if plain && (!is_keyword(name) || (expression && aggregate)) {
        name.to_string()
    } else {
        format!("`{name}`")
    }
}

/// The columns a clause at the end of `q` can use. The query up to the last
/// clause keyword is checked by the engine, which knows what each clause
/// produces; when that fails (the text is unfinished elsewhere), the columns
/// of every relation named in the statement stand in.
fn columns_in_scope(
    engine: &Engine,
    line: &str,
    q: &[Token],
    query_start: usize,
) -> Vec<Candidate> {
    let mut depth = 0i32;
    let mut boundaries: Vec<usize> = Vec::new();
    for (i, t) in q.iter().enumerate() {
        match t.text(line) {
            "(" => depth += 1,
            ")" => depth -= 1,
            w if depth == 0 && i > 0 && t.kind == Tok::Word && starts_clause(w) => {
                boundaries.push(i)
            }
            _ => {}
        }
    }
    let mut names: Vec<String> = Vec::new();
    for &b in boundaries.iter().rev().take(6) {
        let text = &line[query_start..q[b].start];
        if let Ok(fields) = engine.columns_of(text) {
            names.extend(fields.into_iter().map(|f| f.name));
            // `join X on |`: the right side's columns too.
            if q[b].text(line).eq_ignore_ascii_case("join") {
                if let Some(on) = q[b..].iter().position(|t| t.text(line) == "on") {
                    let right = &line[q[b].end..q[b + on].start];
                    if let Ok(fields) = engine.columns_of(right) {
                        names.extend(fields.into_iter().map(|f| f.name));
                    }
                }
            }
            break;
        }
    }
    if names.is_empty() {
        for t in q {
            if let Some(r) = engine.catalog().relation(t.text(line).trim_matches('`')) {
                names.extend(r.table.fields().iter().map(|f| f.name.clone()));
            }
        }
    }
    let mut out: Vec<Candidate> = Vec::new();
    for n in names {
        let c = Candidate::same(quote_name_in(&n, true));
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Values of a text column for an unclosed string after `COL =` (or `!=`,
/// `contains`, or inside `COL in (...)`), from the column's dictionary.
fn complete_value(engine: &Engine, line: &str, stmt: &[Token], string: &Token) -> Completion {
    let idx = stmt.len() - 1;
    let mut i = idx;
    // Step back over an `in (` list: earlier values, commas, the parenthesis.
    while i > 0 {
        let t = &stmt[i - 1];
        match (t.kind, t.text(line).to_lowercase().as_str()) {
            (Tok::Str { .. }, _) | (Tok::Number, _) | (Tok::Punct, "," | "(") => i -= 1,
            (Tok::Word, "in" | "not") => i -= 1,
            _ => break,
        }
    }
    // Now stmt[i - 1] should be a comparison (or the `in` was consumed), before it the column.
    let column_at = match stmt.get(i.wrapping_sub(1)) {
        Some(t)
            if matches!(t.text(line), "=" | "!=" | "<>" | "<" | "<=" | ">" | ">=")
                || t.text(line).eq_ignore_ascii_case("contains") =>
        {
            i.checked_sub(2)
        }
        Some(t) if t.kind == Tok::Word || t.kind == Tok::Backquoted => i.checked_sub(1),
        _ => None,
    };
    let Some(column) = column_at.and_then(|c| stmt.get(c)) else {
        return Completion::default();
    };
    if !matches!(column.kind, Tok::Word | Tok::Backquoted) {
        return Completion::default();
    }
    let column = column.text(line).trim_matches('`');
    let text = string.text(line);
    let quote = text.chars().next().unwrap_or('"');
    let typed = text[quote.len_utf8()..].to_lowercase();
    let add_from = |values: &mut Vec<String>, table: &itq::Table| {
        if let Some(Data::Text(_, dict)) = table.column(column).map(|c| c.data()) {
            for v in dict.values() {
                if v.to_lowercase().starts_with(&typed) && !values.iter().any(|x| **x == **v) {
                    values.push(v.to_string());
                }
            }
        }
    };
    // The relations the statement names first; any relation with such a column otherwise.
    let named: Vec<&str> = stmt
        .iter()
        .map(|t| t.text(line).trim_matches('`'))
        .collect();
    let catalog = engine.catalog();
    let mut values: Vec<String> = Vec::new();
    for (name, rel) in catalog.relations() {
        if named.contains(&name) {
            add_from(&mut values, &rel.table);
        }
    }
    if values.is_empty() {
        for (_, rel) in catalog.relations() {
            add_from(&mut values, &rel.table);
        }
    }
    values.sort();
    Completion {
        start: string.start,
        candidates: values
            .into_iter()
            .map(|v| {
                let escaped = v
                    .replace('\\', "\\\\")
                    .replace(quote, &format!("\\{quote}"));
                Candidate {
                    display: v,
                    replacement: format!("{quote}{escaped}{quote}"),
                }
            })
            .collect(),
    }
}

/// Meta-command names after `.`, and their arguments after a space.
fn complete_meta(engine: &Engine, before: &str, line_start: usize) -> Completion {
    let text = &before[line_start..];
    let lead = text.len() - text.trim_start().len();
    let text = text.trim_start();
    let start = line_start + lead;
    match text.find(char::is_whitespace) {
        None => Completion {
            start,
            candidates: meta::COMMANDS
                .iter()
                .filter(|c| format!(".{}", c.name).starts_with(text))
                .map(|c| Candidate::same(format!(".{}", c.name)))
                .collect(),
        },
        Some(space) => {
            let arg_text = &text[space..];
            let arg = arg_text.trim_start();
            let arg_start = start + space + (arg_text.len() - arg.len());
            let options: Vec<String> = match meta::resolve(&text[1..space]) {
                Ok("schema") => engine
                    .catalog()
                    .relations()
                    .map(|(n, _)| n.to_string())
                    .collect(),
                Ok("format") => ["table", "csv", "json", "markdown"]
                    .map(String::from)
                    .to_vec(),
                Ok("timer") => ["on", "off"].map(String::from).to_vec(),
                // `.help NAME` also explains relations, defs, values and functions.
                Ok("help") => meta::topics()
                    .into_iter()
                    .map(String::from)
                    .chain(sources(engine).into_iter().map(|c| c.display))
                    .chain(engine.catalog().scalars().map(|(n, _)| n.to_string()))
                    .chain(FUNCTIONS.iter().map(|f| f.name.to_string()))
                    .collect(),
                Ok("read") => complete_path(arg),
                _ => Vec::new(),
            };
            Completion {
                start: arg_start,
                candidates: options
                    .into_iter()
                    .filter(|o| o.starts_with(arg))
                    .map(Candidate::same)
                    .collect(),
            }
        }
    }
}

/// Files and folders whose path starts with `typed` (folders end with `/`).
pub fn complete_path(typed: &str) -> Vec<String> {
    let (dir, stem) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let read_from = if dir.is_empty() {
        Path::new(".")
    } else {
        Path::new(dir)
    };
    let Ok(entries) = std::fs::read_dir(read_from) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            if !name.starts_with(stem) || (name.starts_with('.') && !stem.starts_with('.')) {
                return None;
            }
            let slash = if e.path().is_dir() { "/" } else { "" };
            Some(format!("{dir}{name}{slash}"))
        })
        .collect();
    out.sort();
    out
}

// ----------------------------------------------------------- highlighting

/// The coloured pieces of `line`: keywords, literals and comments; names the
/// engine does not know and unbalanced quotes or parentheses are marked as
/// wrong. The word ending at `pos` is left alone while it is being typed.
pub fn highlight(engine: &Engine, line: &str, pos: usize) -> Vec<(Range<usize>, Style)> {
    if line.trim_start().starts_with('.') {
        return Vec::new();
    }
    let tokens = lex(line);
    let catalog = engine.catalog();
    let known_column = |name: &str| {
        catalog
            .relations()
            .any(|(_, r)| r.table.fields().iter().any(|f| f.name == name))
    };
    // Names this text defines itself: `let`/`def` names, parameters, `as` names.
    let mut defined: Vec<&str> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let w = t.text(line);
        if matches!(w.to_lowercase().as_str(), "let" | "def" | "as") {
            if let Some(n) = tokens.get(i + 1) {
                defined.push(n.text(line).trim_matches('`'));
            }
        }
    }
    if let Some(d) = tokens
        .iter()
        .position(|t| t.text(line).eq_ignore_ascii_case("def"))
    {
        if let Some(close) = tokens[d..].iter().position(|t| t.text(line) == ")") {
            defined.extend(tokens[d..d + close].iter().map(|t| t.text(line)));
        }
    }
    // In `load` and `save` statements, their own words are keywords and other
    // names (column types, formats) are not checked here.
    let load_or_save = tokens.first().is_some_and(|t| {
        t.text(line).eq_ignore_ascii_case("load") || t.text(line).eq_ignore_ascii_case("save")
    });
    let checked = checked_unknown(engine, line, &tokens);
    let mut open: Vec<usize> = Vec::new();
    let mut spans: Vec<(Range<usize>, Style)> = Vec::new();
    for t in &tokens {
        let text = t.text(line);
        let style = match t.kind {
            Tok::Str { closed: true } => Some(Style::Text),
            Tok::Str { closed: false } => Some(Style::Error),
            Tok::Number => Some(Style::Number),
            Tok::Comment => Some(Style::Comment),
            Tok::Word
                if is_keyword(text)
                    || (load_or_save
                        && STATEMENT_WORDS.contains(&text.to_lowercase().as_str())) =>
            {
                Some(Style::Keyword)
            }
            Tok::Word | Tok::Backquoted => {
                let name = text.trim_matches('`');
                let agg_default = ["count", "sum_", "avg_", "min_", "max_", "median_"]
                    .iter()
                    .any(|p| name.starts_with(p));
                let known = match &checked {
                    Some(unknown) => *unknown != Some(t.start),
                    None => {
                        catalog.relation(name).is_some()
                            || catalog.def(name).is_some()
                            || catalog.scalar(name).is_some()
                            || FUNCTIONS.iter().any(|f| f.name == name)
                            || known_column(name)
                            || defined.contains(&name)
                            || agg_default
                            || name.starts_with('$')
                            || load_or_save
                    }
                };
                (!known && t.end != pos).then_some(Style::Unknown)
            }
            Tok::Punct if text == "(" => {
                open.push(spans.len());
                spans.push((t.start..t.end, Style::Error));
                continue;
            }
            Tok::Punct if text == ")" => match open.pop() {
                Some(i) => {
                    spans.remove(i);
                    for o in &mut open {
                        if *o > i {
                            *o -= 1;
                        }
                    }
                    None
                }
                None => Some(Style::Error),
            },
            _ => None,
        };
        if let Some(s) = style {
            spans.push((t.start..t.end, s));
        }
    }
    // An open parenthesis is only wrong once the entry could end: not while typing inside it.
    if validate(line) == Entry::Incomplete {
        spans.retain(|(r, s)| !(*s == Style::Error && &line[r.clone()] == "("));
    }
    // Continuation lines start with the continuation indent, shown as a prompt.
    let mut at = 0;
    while let Some(nl) = line[at..].find('\n') {
        let from = at + nl + 1;
        if line[from..].starts_with(CONTINUATION) {
            spans.push((from..from + CONTINUATION.len(), Style::Dim));
        }
        at = from;
    }
    spans.sort_by_key(|(r, _)| r.start);
    spans
}

/// When `line` is one query (or `let NAME = QUERY`) that parses, the engine's
/// checker decides which name is unknown: `Some(None)` when all are known,
/// `Some(Some(offset))` for the first unknown one. `None` when the text does
/// not parse yet, and the names are judged one by one against the catalog.
fn checked_unknown(engine: &Engine, line: &str, tokens: &[Token]) -> Option<Option<usize>> {
    if tokens.iter().any(|t| t.kind == Tok::Break) {
        return None;
    }
    let words: Vec<String> = tokens
        .iter()
        .take(3)
        .map(|t| t.text(line).to_lowercase())
        .collect();
    let start = match words.first().map(String::as_str) {
        Some("let") if words.get(2).is_some_and(|w| w == "=") => tokens.get(3)?.start,
        Some("let" | "def" | "load" | "save") | None => return None,
        Some(_) => tokens[0].start,
    };
    match engine.columns_of(&line[start..]) {
        Ok(_) => Some(None),
        Err(e) => match e.kind() {
            ErrorKind::UnknownColumn { .. }
            | ErrorKind::UnknownRelation(_)
            | ErrorKind::UnknownFunction(_) => Some(e.span().map(|s| start + s.start)),
            _ => None,
        },
    }
}

/// `line` as shown: styled spans painted when `colour`, and continuation
/// indents shown as [`CONTINUATION_MARK`] either way.
pub fn display(line: &str, spans: &[(Range<usize>, Style)], colour: bool) -> String {
    let mut marked = String::with_capacity(line.len());
    let mut at = 0;
    for (r, s) in spans {
        if *s == Style::Dim && &line[r.clone()] == CONTINUATION {
            marked.push_str(&line[at..r.start]);
            marked.push_str(CONTINUATION_MARK);
            at = r.end;
        }
    }
    marked.push_str(&line[at..]);
    // The mark has the indent's width, so every offset stays the same.
    if colour {
        itq::paint(&marked, spans)
    } else {
        marked
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

// -------------------------------------------------------------- rustyline

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

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        Engine::new().expect("the built-in engine starts")
    }

    /// The replacements offered at the end of `line`.
    fn at_end(engine: &Engine, line: &str) -> Vec<String> {
        complete(engine, line, line.len())
            .candidates
            .into_iter()
            .map(|c| c.replacement)
            .collect()
    }

    /// Asserts that `expected` are all offered at the end of `line` (the
    /// prelude grows, so lists of its names are checked for inclusion).
    #[track_caller]
    fn offers(engine: &Engine, line: &str, expected: &[&str]) {
        let got = at_end(engine, line);
        for e in expected {
            assert!(
                got.iter().any(|g| g == e),
                "`{line}` offers {got:?}, not {e}"
            );
        }
    }

    #[test]
    fn relations_complete_where_a_query_starts() {
        let e = engine();
        offers(&e, "prov", &["province_stats", "provinces"]);
        assert!(!at_end(&e, "prov").contains(&"projects".to_string()));
        offers(&e, "events join proj", &["projects"]);
        // A def with parameters completes with its parenthesis.
        offers(&e, "let x = events_", &["events_by_region", "events_in("]);
        offers(&e, "", &["let", "def", "load", "save", "events"]);
    }

    #[test]
    fn load_and_save_options_complete() {
        let e = engine();
        offers(
            &e,
            "load \"x.csv\" ",
            &["as", "encoding", "skip", "header", "footer", "na"],
        );
        offers(&e, "load \"x.csv\" as t sk", &["skip"]);
        assert!(!at_end(&e, "load \"x.csv\" as t skip 1 ").contains(&"skip".to_string()));
        offers(
            &e,
            "load \"x.csv\" encoding ",
            &["\"gb18030\"", "\"utf-16le\""],
        );
        offers(&e, "load \"x.xlsx\" format ", &["excel", "parquet"]);
        offers(&e, "load \"x.xlsx\" sh", &["sheet"]);
        offers(
            &e,
            "save events to \"x.csv\" ",
            &["replace", "bom", "sheet"],
        );
    }

    #[test]
    fn clause_keywords_complete_after_a_source() {
        let e = engine();
        assert_eq!(at_end(&e, "events wh"), ["where"]);
        assert_eq!(at_end(&e, "events where value > 3 so"), ["sort"]);
        assert!(at_end(&e, "events ").contains(&"select".to_string()));
    }

    #[test]
    fn columns_complete_from_the_query_so_far() {
        let e = engine();
        assert_eq!(at_end(&e, "events where prov"), ["province"]);
        assert_eq!(at_end(&e, "projects select sec"), ["sector"]);
        // After an aggregate, `sort` sees the aggregate's result columns.
        assert_eq!(
            at_end(&e, "events count by province sort c"),
            ["count", "coalesce("]
        );
        // `join ... on` offers both sides' columns.
        let on = at_end(&e, "events join provinces on ");
        assert!(on.contains(&"province".to_string()) && on.contains(&"capital".to_string()));
        // Functions are offered with their parenthesis.
        assert_eq!(at_end(&e, "events derive yea"), ["year("]);
        // `top N by`, a def's parameters, a parenthesised source.
        assert_eq!(at_end(&e, "events top 2 by val"), ["value"]);
        assert_eq!(
            at_end(&e, "def f(region_name) = provinces where region = regi"),
            ["region", "region_name"]
        );
        assert_eq!(at_end(&e, "(projects where inv"), ["investment"]);
        // In the middle of a line, only the text before the cursor counts.
        let c = complete(&e, "events where prov = 1", 17);
        assert_eq!(c.start, 13);
        assert_eq!(c.candidates[0].replacement, "province");
    }

    #[test]
    fn string_values_complete_from_the_column_dictionary() {
        let e = engine();
        assert_eq!(
            at_end(&e, r#"events where province = "Gan"#),
            [r#""Gansu""#]
        );
        assert_eq!(
            at_end(&e, r#"events where province = "gan"#),
            [r#""Gansu""#]
        );
        assert_eq!(
            at_end(&e, r#"provinces where region in ("west", "ea"#),
            [r#""east""#]
        );
        let c = complete(&e, r#"events where province = "Gan"#, 27);
        assert_eq!(c.start, 24);
    }

    #[test]
    fn meta_commands_and_their_arguments_complete() {
        let e = engine();
        assert_eq!(at_end(&e, ".sc"), [".schema"]);
        offers(&e, ".schema even", &["event_sectors", "events"]);
        assert_eq!(at_end(&e, ".format j"), ["json"]);
        assert_eq!(at_end(&e, ".timer o"), ["on", "off"]);
        offers(&e, ".help provi", &["province_stats", "provinces"]);
        assert_eq!(at_end(&e, ".help ye"), ["year"]);
    }

    #[test]
    fn file_paths_complete_after_read_and_load() {
        let e = engine();
        let dir = std::env::temp_dir().join(format!("itq-complete-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("script.itq"), "").unwrap();
        let d = dir.display();
        assert_eq!(
            at_end(&e, &format!(".read {d}/sc")),
            [format!("{d}/script.itq")]
        );
        assert_eq!(at_end(&e, &format!(".read {d}/su")), [format!("{d}/sub/")]);
        assert_eq!(
            at_end(&e, &format!("load \"{d}/scr")),
            [format!("\"{d}/script.itq\"")]
        );
        assert_eq!(
            at_end(&e, &format!("save events to '{d}/su")),
            [format!("'{d}/sub/")]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

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

    fn styles(e: &Engine, line: &str) -> Vec<(&'static str, Style)> {
        let line: &'static str = Box::leak(line.to_string().into_boxed_str());
        highlight(e, line, usize::MAX)
            .into_iter()
            .map(|(r, s)| (&line[r], s))
            .collect()
    }

    #[test]
    fn highlighting_marks_keywords_literals_and_unknown_names() {
        let e = engine();
        assert_eq!(
            styles(&e, "load \"x.csv\" as t with (a: int)"),
            [
                ("load", Style::Keyword),
                ("\"x.csv\"", Style::Text),
                ("as", Style::Keyword),
                ("with", Style::Keyword),
            ]
        );
        assert_eq!(
            styles(&e, "events where province = $p"),
            [("where", Style::Keyword)]
        );
        assert_eq!(
            styles(&e, "events where provnce = \"Gansu\" and value > 1.5 # big"),
            [
                ("where", Style::Keyword),
                ("provnce", Style::Unknown),
                ("\"Gansu\"", Style::Text),
                ("and", Style::Keyword),
                ("1.5", Style::Number),
                ("# big", Style::Comment),
            ]
        );
        assert_eq!(
            styles(&e, "events where (value > 1))")[2],
            (")", Style::Error)
        );
        assert_eq!(
            styles(&e, "events where name = \"Gan"),
            [("where", Style::Keyword), ("\"Gan", Style::Error)]
        );
        // The word under the cursor is not marked while it is typed.
        assert!(highlight(&e, "eve", 3).is_empty());
        // The checker knows the columns each clause makes: a join's renamed
        // column is known, and a column dropped by `select` is not.
        assert_eq!(
            styles(
                &e,
                "events join provinces on province = name select events_name"
            ),
            [
                ("join", Style::Keyword),
                ("on", Style::Keyword),
                ("select", Style::Keyword),
                ("events_name", Style::Unknown),
            ]
        );
        assert_eq!(
            styles(&e, "events join projects on province select projects_city"),
            [
                ("join", Style::Keyword),
                ("on", Style::Keyword),
                ("select", Style::Keyword)
            ]
        );
        assert_eq!(
            styles(&e, "events select name sort value"),
            [
                ("select", Style::Keyword),
                ("sort", Style::Keyword),
                ("value", Style::Unknown)
            ]
        );
    }

    #[test]
    fn continuation_indents_show_as_a_prompt_of_the_same_width() {
        let e = engine();
        let line = format!("events where\n{CONTINUATION}value > 1");
        let shown = display(&line, &highlight(&e, &line, line.len()), false);
        assert_eq!(shown, format!("events where\n{CONTINUATION_MARK}value > 1"));
        assert_eq!(shown.len(), line.len());
    }
}
