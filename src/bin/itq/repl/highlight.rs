//! The colours of what is typed: keywords, literals and comments, with names
//! the engine does not know and unbalanced quotes or parentheses marked.

use super::validate::{validate, Entry, CONTINUATION, CONTINUATION_MARK};
use itq::syntax::keywords::{aggregate_words, is_keyword, keyword, Role};
use itq::syntax::tokens::{statement_tokens, Tok, Token};
use itq::{Engine, ErrorKind, Style, FUNCTIONS};
use std::ops::Range;

/// The coloured pieces of `line`: keywords, literals and comments; names the
/// engine does not know and unbalanced quotes or parentheses are marked as
/// wrong. The word ending at `pos` is left alone while it is being typed.
pub fn highlight(engine: &Engine, line: &str, pos: usize) -> Vec<(Range<usize>, Style)> {
    if line.trim_start().starts_with('.') {
        return Vec::new();
    }
    let tokens = statement_tokens(line);
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
                        && keyword(text).is_some_and(|k| k.role == Role::LoadSave)) =>
            {
                Some(Style::Keyword)
            }
            Tok::Word | Tok::Param | Tok::Backquoted { .. } => {
                let name = text.trim_matches('`');
                // A default result name: `count`, `count_projects`, `sum_value`.
                let agg_default = aggregate_words().any(|a| {
                    name.strip_prefix(a).is_some_and(|rest| {
                        rest.starts_with('_') || (a == "count" && rest.is_empty())
                    })
                });
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
    if tokens.iter().any(|t| t.kind == Tok::End) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        Engine::new().expect("the built-in engine starts")
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
