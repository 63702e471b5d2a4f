//! docs/reference.md lists exactly the built-in functions and aggregates of
//! the code's tables (FUNCTIONS, AGGREGATES), with the same signatures and
//! descriptions, and every stdlib definition.

use itq::syntax::ast::StatementKind;
use itq::syntax::parse_script;
use itq::{Engine, AGGREGATES, FUNCTIONS};

mod common;

fn reference() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/reference.md")).unwrap()
}

/// The rows `| `signature` | description |` of the first table after `heading`.
fn table_after(text: &str, heading: &str) -> Vec<(String, String)> {
    let start = text
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("docs/reference.md has no `{heading}` section"));
    text[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2) // header and separator
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').splitn(2, " | ").collect();
            let sig = cells[0].trim().trim_matches('`').to_string();
            let doc = cells.get(1).map_or("", |d| d.trim()).to_string();
            (sig, doc)
        })
        .collect()
}

fn markdown(rows: &[(String, String)]) -> String {
    rows.iter()
        .map(|(s, d)| format!("| `{s}` | {d} |\n"))
        .collect()
}

#[test]
fn the_function_section_is_the_functions_table() {
    let want: Vec<(String, String)> = FUNCTIONS
        .iter()
        .map(|f| (f.signature.to_string(), f.doc.to_string()))
        .collect();
    let got = table_after(&reference(), "### Functions");
    assert!(
        got == want,
        "docs/reference.md's Functions table differs from FUNCTIONS in src/exec/funcs.rs; its rows should be:\n{}",
        markdown(&want)
    );
}

#[test]
fn the_aggregate_section_is_the_aggregates_table() {
    let want: Vec<(String, String)> = AGGREGATES
        .iter()
        .map(|a| (a.signature.to_string(), a.doc.to_string()))
        .collect();
    let got = table_after(&reference(), "### Aggregates");
    assert!(
        got == want,
        "docs/reference.md's Aggregates table differs from AGGREGATES in src/exec/funcs.rs; its rows should be:\n{}",
        markdown(&want)
    );
}

#[test]
fn the_standard_library_section_lists_every_prelude_definition_with_its_comment() {
    let engine = Engine::new().unwrap();
    let script = parse_script(itq::PRELUDE).unwrap();
    let mut want = Vec::new();
    for statement in &script.statements {
        let (name, doc) = match &statement.kind {
            StatementKind::Let { name, .. } => (
                name.name.clone(),
                engine
                    .catalog()
                    .relation(&name.name)
                    .and_then(|r| r.doc.clone()),
            ),
            StatementKind::Def { name, params, .. } => {
                let params: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
                (
                    format!("{}({})", name.name, params.join(", ")),
                    engine.catalog().def(&name.name).and_then(|d| d.doc.clone()),
                )
            }
            other => panic!("the prelude should hold only let and def, not {other:?}"),
        };
        let doc = doc.unwrap_or_else(|| {
            panic!("`{name}` in stdlib/prelude.itq has no `#` comment above it")
        });
        want.push((name, doc));
    }
    assert!(want.len() >= 15, "{want:?}");
    let got = table_after(&reference(), "## The standard library");
    assert!(
        got == want,
        "docs/reference.md's standard library table differs from stdlib/prelude.itq; its rows should be:\n{}",
        markdown(&want)
    );
}

#[test]
fn help_functions_prints_every_function_and_aggregate() {
    let o = common::command().arg("--help-functions").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8(o.stdout).unwrap();
    assert_eq!(out, itq::function_reference());
    for (sig, doc) in FUNCTIONS
        .iter()
        .map(|f| (f.signature, f.doc))
        .chain(AGGREGATES.iter().map(|a| (a.signature, a.doc)))
    {
        assert!(
            out.lines()
                .any(|l| l.trim_start().starts_with(sig) && l.ends_with(doc)),
            "{sig} missing:\n{out}"
        );
    }
}
