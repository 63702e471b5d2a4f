//! Hints for habits from SQL and other tools, with the itq spelling: a
//! syntax error at `==`, `like`, `group by`, `order by`, `count(*)`,
//! `descending` or a meta-command outside the prompt, and the bare words
//! `help`, `quit` and `exit` read as relation names.

/// The help line for a syntax error at byte `pos` of `text`, when what is
/// there looks like a habit from elsewhere.
pub(crate) fn syntax_hint(text: &str, pos: usize) -> Option<String> {
    let before = text[..pos].trim_end_matches([' ', '\t']);
    let rest = &text[pos..];
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let lower = word.to_lowercase();
    let next_word = rest[word.len()..]
        .trim_start_matches([' ', '\t'])
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("")
        .to_lowercase();
    if rest.starts_with('=') && before.ends_with('=') {
        return Some("itq compares with a single `=`: `where province = \"Gansu\"`".into());
    }
    if rest.starts_with('*') && before.ends_with('(') {
        let call = before[..before.len() - 1].trim_end().to_lowercase();
        if call.ends_with("count") {
            return Some(
                "`count` alone counts rows: `events count` (`count x` counts the rows where x is not null)"
                    .into(),
            );
        }
    }
    if rest.starts_with('*') && before.to_lowercase().ends_with("select") {
        return Some(
            "a query keeps every column until a `select` names some: leave `select *` out".into(),
        );
    }
    if rest.starts_with('.') && (before.is_empty() || before.ends_with(['\n', ';'])) {
        let meta: String = rest[1..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let arg = rest[1 + meta.len()..]
            .split_whitespace()
            .next()
            .unwrap_or("provinces");
        return Some(match meta.as_str() {
            "schema" | "sch" | "describe" => format!(
                "meta-commands such as `.{meta}` work only at the prompt; in a script or -c, write `describe {arg}`"
            ),
            "load" => format!(
                "meta-commands work only at the prompt, and files load with a statement: `load \"{arg}\" as name`"
            ),
            _ => format!(
                "meta-commands such as `.{meta}` work only at the prompt (type `itq` to open it)"
            ),
        });
    }
    if lower == "select" && (before.is_empty() || before.ends_with(['\n', ';'])) {
        return Some(
            "itq writes the relation first, without `from`: `events select province, value`".into(),
        );
    }
    match lower.as_str() {
        "like" | "ilike" => Some(
            "itq has no `like`; to find a part of the text, write `name contains \"Gan\"` (it ignores case)"
                .into(),
        ),
        "group" if next_word == "by" => Some(
            "itq groups with `by` after the aggregate, without `group`: `events count by province`"
                .into(),
        ),
        "order" if next_word == "by" => {
            Some("itq sorts with `sort`: `events sort value desc`".into())
        }
        "descending" => Some("write `desc`: `sort value desc`".into()),
        "ascending" => Some("write `asc` (or nothing: ascending is the default)".into()),
        "from" => Some(
            "a query starts with its relation, without `from`: `events where value > 100 select province`"
                .into(),
        ),
        _ => None,
    }
}

/// The help line for an unknown column named like a SQL keyword
/// (`events count group by province` reads `group` as the counted column).
pub(crate) fn column_word_hint(name: &str) -> Option<&'static str> {
    match name.to_lowercase().as_str() {
        "group" => Some(
            "itq groups with `by` after the aggregate, without `group`: `events count by province`",
        ),
        "order" => Some("itq sorts with `sort`: `events sort value desc`"),
        _ => None,
    }
}

/// The help line for an unknown relation named like a command from another
/// tool (`help`, `quit`, `exit`).
pub(crate) fn bare_word_hint(name: &str) -> Option<&'static str> {
    match name.to_lowercase().as_str() {
        "help" | "h" | "?" => Some(
            "at the prompt, type `.help` (or `.help NAME`); docs/reference.md describes the language",
        ),
        "quit" | "exit" | "q" | "bye" => {
            Some("to leave the prompt, type `.quit` or press Ctrl-D")
        }
        "tables" | "show" => Some("at the prompt, `.tables` lists the relations"),
        _ => None,
    }
}
