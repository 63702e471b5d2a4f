//! What may be typed next: relations, clause words, the columns in scope,
//! a text column's values, meta-commands and file paths.

use super::meta;
use itq::syntax::keywords::{clause_words, is_aggregate, is_keyword, starts_clause, AFTER_OPERAND};
use itq::syntax::tokens::{statement_tokens, Tok, Token};
use itq::{Data, Engine, FUNCTIONS};
use std::path::Path;

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
    let tokens = statement_tokens(before);
    let stmt_from = tokens
        .iter()
        .rposition(|t| t.kind == Tok::End)
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
    if let Some(c) = attached_tables(engine, line, &stmt, pos) {
        return c;
    }
    let (start, prefix, prior) = match last {
        Some(t) if matches!(t.kind, Tok::Word | Tok::Param | Tok::Backquoted { .. }) => {
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
    let operand = matches!(
        last.kind,
        Tok::Str { .. } | Tok::Number | Tok::Backquoted { .. }
    ) || last_word == ")"
        || (matches!(last.kind, Tok::Word | Tok::Param) && !is_keyword(&last_word))
        || matches!(
            last_word.as_str(),
            "asc" | "desc" | "null" | "true" | "false" | "distinct"
        );
    if q.len() == 1 && matches!(last.kind, Tok::Word | Tok::Param) {
        return clause_starts();
    }
    if operand {
        let mut all = clause_starts();
        all.extend(AFTER_OPERAND.iter().map(|w| Candidate::same(*w)));
        return all;
    }
    let query_start = q[0].start;
    let mut columns = columns_in_scope(engine, line, q, query_start);
    columns.extend(params.into_iter().map(Candidate::same));
    columns.extend(expression_names(engine));
    columns
}

/// The words that start a clause.
fn clause_starts() -> Vec<Candidate> {
    clause_words()
        .filter(|w| starts_clause(w))
        .map(Candidate::same)
        .collect()
}

/// After `wh.` (or within `wh.fi`): the tables of the database attached as `wh`.
fn attached_tables(engine: &Engine, line: &str, stmt: &[Token], pos: usize) -> Option<Completion> {
    let (db, start, prefix) = match stmt {
        [.., d, dot] if dot.text(line) == "." && dot.end == pos && d.end == dot.start => {
            (d, pos, "")
        }
        [.., d, dot, w]
            if dot.text(line) == "."
                && w.kind == Tok::Word
                && w.end == pos
                && d.end == dot.start
                && dot.end == w.start =>
        {
            (d, w.start, w.text(line))
        }
        _ => return None,
    };
    let database = engine.catalog().database(db.text(line))?;
    let lower = prefix.to_lowercase();
    let candidates = database
        .tables
        .keys()
        .filter(|t| t.to_lowercase().starts_with(&lower))
        .map(|t| Candidate::same(quote_name(t)))
        .collect();
    Some(Completion { start, candidates })
}

/// Relations and defs (a def with parameters completes with its `(`).
fn sources(engine: &Engine) -> Vec<Candidate> {
    let catalog = engine.catalog();
    let mut out: Vec<Candidate> = catalog
        .relations()
        .map(|(n, _)| Candidate::same(quote_name(n)))
        .collect();
    out.extend(
        catalog
            .databases()
            .map(|(n, _)| Candidate::same(format!("{}.", quote_name(n)))),
    );
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
    let aggregate = is_aggregate(name);
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
        Some(t) if matches!(t.kind, Tok::Word | Tok::Param | Tok::Backquoted { .. }) => {
            i.checked_sub(1)
        }
        _ => None,
    };
    let Some(column) = column_at.and_then(|c| stmt.get(c)) else {
        return Completion::default();
    };
    if !matches!(column.kind, Tok::Word | Tok::Param | Tok::Backquoted { .. }) {
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
        offers(&e, "let x = events_", &["events_with_region", "events_in("]);
        offers(&e, "", &["let", "def", "load", "save", "events"]);
    }

    #[test]
    fn attached_tables_and_their_columns_complete() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("reg.sqlite");
        rusqlite::Connection::open(&file)
            .unwrap()
            .execute_batch(
                "CREATE TABLE firms (name TEXT, investment REAL); CREATE TABLE funds (id INTEGER);",
            )
            .unwrap();
        let mut e = engine();
        e.allow_folder(dir.path()).unwrap();
        e.attach_database("reg", file.to_str().unwrap()).unwrap();
        offers(&e, "re", &["reg."]);
        assert_eq!(at_end(&e, "reg."), ["firms", "funds"]);
        assert_eq!(at_end(&e, "reg.fi"), ["firms"]);
        assert_eq!(at_end(&e, "events join reg.fu"), ["funds"]);
        offers(&e, "reg.firms where inv", &["investment"]);
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
        assert_eq!(at_end(&e, "events wh"), ["where", "why"]);
        assert_eq!(at_end(&e, "events where value > 3 so"), ["sort"]);
        assert!(at_end(&e, "events ").contains(&"select".to_string()));
    }

    #[test]
    fn columns_complete_from_the_query_so_far() {
        let e = engine();
        // A column first, then the function of that name.
        assert_eq!(at_end(&e, "events where prov"), ["province", "province("]);
        assert_eq!(at_end(&e, "projects select comp"), ["company"]);
        // After an aggregate, `sort` sees the aggregate's result columns.
        assert_eq!(
            at_end(&e, "events count by province sort c"),
            ["count", "coalesce(", "concat("]
        );
        // `join ... on` offers both sides' columns.
        let on = at_end(&e, "events join provinces on ");
        assert!(on.contains(&"province".to_string()) && on.contains(&"capital".to_string()));
        // Functions are offered with their parenthesis.
        assert_eq!(at_end(&e, "events derive yea"), ["year("]);
        // `top N by`, a def's parameters, a parenthesised source.
        assert_eq!(at_end(&e, "events top 2 by proj"), ["projects"]);
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
}
