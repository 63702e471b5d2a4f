//! `.help NAME`: what a name means — a relation with its columns, a `let`
//! value, a def with its documentation comment and definition, a built-in
//! function or an aggregate — from the same tables the checker uses; and
//! what a statement, clause or keyword does ([`SYNTAX`]).

use crate::engine::Engine;
use crate::error::{suggestion, Error, ErrorKind, Result};
use crate::plan::builtins::{self as funcs, AGGREGATES, FUNCTIONS};
use crate::syntax::format::format_query;

/// One statement, clause or keyword, for `.help WORD`.
pub struct SyntaxHelp {
    /// The words it answers to.
    pub words: &'static [&'static str],
    /// Its form.
    pub form: &'static str,
    /// What it does.
    pub doc: &'static str,
    /// An example that runs against the built-in fact base.
    pub example: &'static str,
}

/// The statements, clauses and keywords, in the order docs/reference.md
/// describes them.
pub const SYNTAX: &[SyntaxHelp] = &[
    SyntaxHelp { words: &["let"], form: "let NAME = QUERY  |  let NAME = EXPR", doc: "a statement: names the rows of a query, or one value, for the rest of the session", example: "let west = provinces where region = \"west\"" },
    SyntaxHelp { words: &["def"], form: "def NAME(PARAM, ...) = QUERY", doc: "a statement: a query with parameters, called like a relation with arguments", example: "def in_region(r) = provinces where region = r" },
    SyntaxHelp { words: &["load", "with", "format", "delimiter"], form: "load \"PATH\" [as NAME] [with (COL: TYPE, ...)] [format csv|json|ndjson] [delimiter \";\"]", doc: "a statement: reads a CSV, JSON or NDJSON file into a relation (named after the file unless `as` names it); the path starts from the script's folder", example: "load \"data/signings.csv\" as signings with (projects: int)" },
    SyntaxHelp { words: &["save", "to", "replace"], form: "save QUERY to \"PATH\" [replace]", doc: "a statement: writes a query's rows to a file (CSV, JSON or NDJSON by its extension); `replace` overwrites a file that exists", example: "save events where province = \"Gansu\" to \"gansu.csv\"" },
    SyntaxHelp { words: &["describe"], form: "describe NAME", doc: "a statement: the columns of a relation or def and their types, as a table (`.schema` at the prompt)", example: "describe events" },
    SyntaxHelp { words: &["where"], form: "where CONDITION", doc: "a clause: keeps the rows where the condition is true (null counts as not true)", example: "events where value > 300" },
    SyntaxHelp { words: &["select"], form: "select EXPR [as NAME], ...", doc: "a clause: keeps only these columns or expressions, in this order", example: "events select province, value" },
    SyntaxHelp { words: &["derive"], form: "derive EXPR as NAME, ...", doc: "a clause: adds computed columns, keeping the others", example: "events derive value / projects as per_project" },
    SyntaxHelp { words: &["by"], form: "AGGREGATE, ... by KEY [as NAME], ...", doc: "groups an aggregate clause: one row per distinct key, in order of first appearance (no `group`)", example: "events count by province" },
    SyntaxHelp { words: &["sort", "asc", "desc"], form: "sort EXPR [asc|desc], ...", doc: "a clause: orders the rows (ascending unless `desc`; nulls last; ties keep their order)", example: "events sort value desc" },
    SyntaxHelp { words: &["limit"], form: "limit N", doc: "a clause: keeps the first N rows", example: "events sort value desc limit 2" },
    SyntaxHelp { words: &["top"], form: "top N by EXPR [asc]", doc: "a clause: the N rows with the largest EXPR (smallest with `asc`)", example: "events top 2 by value" },
    SyntaxHelp { words: &["join", "left", "on"], form: "[left] join SOURCE on COL | on LEFT = RIGHT, ...", doc: "a clause: pairs each row with the matching rows of another relation; `left` keeps rows with no match (their new columns null)", example: "events join provinces on province = name" },
    SyntaxHelp { words: &["distinct"], form: "distinct [COL, ...]", doc: "a clause: one row per distinct value (of the named columns, which it keeps)", example: "events distinct province" },
    SyntaxHelp { words: &["chart"], form: "... chart", doc: "the last clause: draws the result's last number column as bars, labelled by the first column", example: "events sum value by province chart" },
    SyntaxHelp { words: &["as"], form: "EXPR as NAME", doc: "names a result column (in select, derive, by and aggregates) or a loaded relation", example: "events sum value as total by province" },
    SyntaxHelp { words: &["and", "or", "not"], form: "A and B, A or B, not A", doc: "logic with three values: `false and null` is false, `true or null` is true", example: "events where value > 100 and not province = \"Gansu\"" },
    SyntaxHelp { words: &["in"], form: "EXPR [not] in (A, B, ...)", doc: "true when the value is one of the list", example: "provinces where name in (\"Gansu\", \"Yunnan\")" },
    SyntaxHelp { words: &["between"], form: "EXPR [not] between LOW and HIGH", doc: "true when LOW <= value <= HIGH", example: "events where value between 200 and 400" },
    SyntaxHelp { words: &["is", "null"], form: "EXPR is [not] null", doc: "tests for a missing value (`= null` is always null)", example: "events where value is null" },
    SyntaxHelp { words: &["contains"], form: "TEXT contains PART", doc: "true when the text holds the part, ignoring case (itq's `like`)", example: "provinces where name contains \"an\"" },
    SyntaxHelp { words: &["true", "false"], form: "true, false", doc: "the boolean values", example: "provinces where coastal = true" },
];

impl Engine {
    /// What `name` is, in a few lines: for a relation its documentation,
    /// size and columns; for a def its documentation comment and definition;
    /// for a `let` value the value; for a built-in function or aggregate its
    /// signature and description. `functions` lists every function and
    /// aggregate. An unknown name is an error that suggests the closest one.
    pub fn help(&self, name: &str) -> Result<String> {
        let name = name.trim();
        if name == "functions" {
            return Ok(funcs::reference());
        }
        let catalog = self.catalog();
        let mut parts = Vec::new();
        if let Some(rel) = catalog.relation(name) {
            let n = rel.table.num_rows();
            let mut text = format!(
                "{name}: a relation of {n} row{}",
                if n == 1 { "" } else { "s" }
            );
            if let Some(doc) = &rel.doc {
                text.push_str(&format!("\n  {doc}"));
            }
            let columns: Vec<String> = rel
                .table
                .fields()
                .iter()
                .map(|f| format!("{} {}", f.name, f.ty))
                .collect();
            text.push_str(&format!("\n  columns: {}", columns.join(", ")));
            parts.push(text);
        }
        if let Some(def) = catalog.def(name) {
            let params: Vec<&str> = def.params.iter().map(|p| p.name.as_str()).collect();
            let mut text = format!("{name}({}): a def", params.join(", "));
            if let Some(doc) = &def.doc {
                text.push_str(&format!("\n  {doc}"));
            }
            text.push_str(&format!(
                "\n  def {name}({}) = {}",
                params.join(", "),
                format_query(&def.body, &def.source.text)
            ));
            parts.push(text);
        }
        if let Some(value) = catalog.scalar(name) {
            parts.push(format!("{name}: a value, {value} ({})", value.ty()));
        }
        if let Some(f) = funcs::lookup(name) {
            parts.push(format!("{}: a built-in function\n  {}", f.signature, f.doc));
        }
        let forms: Vec<String> = AGGREGATES
            .iter()
            .filter(|a| a.name.eq_ignore_ascii_case(name))
            .map(|a| format!("\n  {:<28} {}", a.signature, a.doc))
            .collect();
        if !forms.is_empty() {
            parts.push(format!("{name}: an aggregate{}", forms.concat()));
        }
        let lower = name.to_lowercase();
        for s in SYNTAX.iter().filter(|s| s.words.contains(&lower.as_str())) {
            parts.push(format!(
                "{}\n  {}\n  for example: {}",
                s.form, s.doc, s.example
            ));
        }
        if parts.is_empty() {
            let mut known: Vec<&str> = catalog.source_names();
            known.extend(catalog.scalars().map(|(n, _)| n));
            known.extend(FUNCTIONS.iter().map(|f| f.name));
            known.extend(AGGREGATES.iter().map(|a| a.name));
            known.push("functions");
            known.extend(SYNTAX.iter().flat_map(|s| s.words.iter().copied()));
            return Err(
                Error::new(ErrorKind::Invalid(format!("nothing is called `{name}`")))
                    .with_help(suggestion(name, "names", known)),
            );
        }
        let mut out = parts.join("\n\n");
        out.push('\n');
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_describes_defs_relations_functions_and_aggregates() {
        let engine = Engine::new().unwrap();
        let def = engine.help("top_sectors").unwrap();
        assert!(
            def.starts_with("top_sectors(province_name, n): a def\n  The n sectors"),
            "{def}"
        );
        assert!(
            def.contains("\n  def top_sectors(province_name, n) = projects"),
            "{def}"
        );
        let rel = engine.help("provinces").unwrap();
        assert!(
            rel.starts_with("provinces: a relation of 31 rows\n"),
            "{rel}"
        );
        assert!(
            rel.contains("columns: name text, name_zh text, full_name_zh text, code text"),
            "{rel}"
        );
        let f = engine.help("round").unwrap();
        assert!(
            f.starts_with("round(x: number[, digits: integer]) -> number: a built-in function\n")
        );
        let a = engine.help("count").unwrap();
        assert!(a.contains("count distinct x -> integer"), "{a}");
        assert!(engine
            .help("functions")
            .unwrap()
            .contains("median x: number -> decimal"));
    }

    #[test]
    fn every_statement_and_clause_has_help_whose_example_runs() {
        let mut engine = Engine::new().unwrap();
        for word in [
            "let", "def", "load", "save", "describe", "where", "select", "derive", "by", "sort",
            "limit", "top", "join", "left", "distinct", "chart", "as", "and", "in", "between",
            "is", "contains",
        ] {
            let text = engine.help(word).unwrap();
            assert!(text.contains("for example: "), "{word}: {text}");
        }
        for s in SYNTAX {
            crate::syntax::parse_script(s.example).unwrap();
            if !s.words.contains(&"load") && !s.words.contains(&"save") {
                let source = crate::Source::new("<example>", s.example);
                engine
                    .run(&source, |_| {})
                    .unwrap_or_else(|e| panic!("{}", e.render()));
            }
        }
    }

    #[test]
    fn help_for_an_unknown_name_suggests_the_closest() {
        let engine = Engine::new().unwrap();
        let e = engine.help("top_sector").unwrap_err();
        assert_eq!(e.help(), Some("did you mean `top_sectors`?"));
    }
}
