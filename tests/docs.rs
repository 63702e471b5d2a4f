//! Every ```itq block in docs/*.md and README.md runs, and prints exactly the
//! ```text block after it. A failure names the file and line and shows a diff.

use itq::testing::markdown;
use std::path::Path;

fn documents() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    names.sort();
    names.push("README.md".into());
    names
}

/// How many ```itq examples each document holds. A document that gains or
/// loses examples changes its row here, so an example that stops being
/// collected cannot go unnoticed.
const EXAMPLES: &[(&str, usize)] = &[
    ("docs/data.md", 9),
    ("docs/design.md", 0),
    ("docs/fuzzing.md", 0),
    ("docs/performance.md", 0),
    ("docs/reference.md", 57),
    ("docs/sql.md", 2),
    ("docs/tutorial.md", 29),
    ("README.md", 6),
];

/// The lines of `text` that open an ```itq fence, counted without the
/// Markdown reader under test: a line starting with three backquotes opens or
/// closes a fence, and an opening one that says `itq` is an example.
fn itq_fences(text: &str) -> usize {
    let mut inside = false;
    let mut count = 0;
    for line in text.lines() {
        if let Some(info) = line.trim_start().strip_prefix("```") {
            if !inside && info.split_whitespace().next() == Some("itq") {
                count += 1;
            }
            inside = !inside;
        }
    }
    count
}

#[test]
fn every_documented_example_prints_what_the_docs_say() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut failures = Vec::new();
    let mut counts = Vec::new();
    for name in documents() {
        let text = std::fs::read_to_string(root.join(&name)).unwrap();
        let examples = markdown::examples(&name, &text).map_or(0, |e| e.len());
        assert_eq!(
            examples,
            itq_fences(&text),
            "{name}: the docs test collects {examples} examples, but the file has {} ```itq blocks",
            itq_fences(&text)
        );
        counts.push((name.clone(), examples));
        failures.extend(markdown::check(&name, &text));
    }
    let report: Vec<String> = failures.iter().map(|m| m.to_string()).collect();
    assert!(
        failures.is_empty(),
        "{} documentation example(s) failed (run `cargo run -- test --update docs/ README.md` to rewrite the text blocks, then read the diff):\n\n{}",
        failures.len(),
        report.join("\n")
    );
    let expected: Vec<(String, usize)> =
        EXAMPLES.iter().map(|(n, c)| (n.to_string(), *c)).collect();
    assert_eq!(
        counts, expected,
        "the documents or their numbers of examples changed; update EXAMPLES in tests/docs.rs"
    );
}

#[test]
fn every_example_with_a_text_block_is_compared() {
    // A line added to every ```text block makes every example that has one fail.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in documents() {
        let text = std::fs::read_to_string(root.join(&name)).unwrap();
        let examples = markdown::examples(&name, &text).unwrap();
        let shown = examples.iter().filter(|e| e.expected.is_some()).count();
        let spoilt = text.replace("```text\n", "```text\nnot what itq prints\n");
        let failures = markdown::check(&name, &spoilt);
        assert_eq!(
            failures.len(),
            shown,
            "{name}: {} of the {shown} examples with a text block were compared",
            failures.len()
        );
    }
}

#[test]
fn the_documents_checked_include_the_tutorial_and_reference() {
    let names = documents();
    for want in ["docs/reference.md", "docs/tutorial.md", "README.md"] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} missing from {names:?}"
        );
    }
}

const ONE_EXAMPLE: &str = "\
# A page

```itq
provinces where name = \"Gansu\" select name, region
```

```text
┌───────┬────────┐
│ name  ┆ region │
╞═══════╪════════╡
│ Gansu ┆ west   │
└───────┴────────┘
1 row
```
";

#[test]
fn a_correct_example_passes() {
    assert_eq!(markdown::check("page.md", ONE_EXAMPLE), vec![]);
}

#[test]
fn one_changed_expected_line_fails_naming_file_and_line_with_a_diff() {
    let edited = ONE_EXAMPLE.replace("│ Gansu ┆ west   │", "│ Gansu ┆ east   │");
    let failures = markdown::check("docs/page.md", &edited);
    assert_eq!(failures.len(), 1);
    let message = failures[0].to_string();
    assert!(
        message.starts_with(
            "docs/page.md:3: the output differs from the ```text block after this example\n"
        ),
        "{message}"
    );
    assert!(message.contains("-│ Gansu ┆ east   │\n"), "{message}");
    assert!(message.contains("+│ Gansu ┆ west   │\n"), "{message}");
}

#[test]
fn blocks_of_one_file_share_names_in_order() {
    let doc = "```itq\nlet west = provinces where region = \"west\"\n```\n\n```itq\nwest count\n```\n\n```text\n┌───────┐\n│ count │\n╞═══════╡\n│    12 │\n└───────┘\n1 row\n```\n";
    assert_eq!(markdown::check("page.md", doc), vec![]);
}

#[test]
fn an_error_example_compares_the_rendered_message() {
    let doc = "```itq error\nprojects where sectr = 1\n```\n\n```text\nerror: unknown column `sectr` in `projects`\n --> <query>:1:16\n  |\n1 | projects where sectr = 1\n  |                ^^^^^\n  = help: did you mean `sector`?\n```\n";
    assert_eq!(markdown::check("page.md", doc), vec![]);
    // The same example without the tag fails, saying why.
    let untagged = doc.replace("```itq error", "```itq");
    let failures = markdown::check("page.md", &untagged);
    assert_eq!(failures.len(), 1);
    assert!(failures[0]
        .to_string()
        .starts_with("page.md:1: this example failed; mark it ```itq error if it should"));
    // And a tagged example that succeeds fails too.
    let wrong = "```itq error\nprovinces count\n```\n";
    let failures = markdown::check("page.md", wrong);
    assert!(failures[0].what.contains("ran without an error"));
}

#[test]
fn an_example_with_output_but_no_text_block_fails() {
    let failures = markdown::check("page.md", "intro\n\n```itq\nprovinces count\n```\n");
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].line, 3);
    assert!(failures[0].what.contains("no ```text block follows"));
}

#[test]
fn update_rewrites_text_blocks_and_adds_missing_ones() {
    let edited = ONE_EXAMPLE.replace("│ Gansu ┆ west   │", "│ Gansu ┆ east   │");
    let (fixed, left) = markdown::update("page.md", &edited).unwrap();
    assert_eq!(fixed, ONE_EXAMPLE);
    assert!(left.is_empty());
    let missing = "```itq\nprovinces where name = \"Gansu\" select name, region\n```\n";
    let (added, _) = markdown::update("page.md", missing).unwrap();
    assert_eq!(markdown::check("page.md", &added), vec![]);
    assert!(added.ends_with("```\n\n```text\n┌───────┬────────┐\n│ name  ┆ region │\n╞═══════╪════════╡\n│ Gansu ┆ west   │\n└───────┴────────┘\n1 row\n```\n"), "{added}");
}

#[test]
fn update_leaves_an_example_that_should_fail_alone_and_fixes_the_rest() {
    let doc = "```itq error\nprovinces count\n```\n\n```text\nold\n```\n\n```itq\nprovinces count\n```\n\n```text\nold\n```\n";
    let (fixed, left) = markdown::update("page.md", doc).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].line, 1);
    assert!(
        fixed.starts_with("```itq error\nprovinces count\n```\n\n```text\nold\n```\n"),
        "{fixed}"
    );
    assert!(
        fixed.ends_with(
            "```text\n┌───────┐\n│ count │\n╞═══════╡\n│    31 │\n└───────┘\n1 row\n```\n"
        ),
        "{fixed}"
    );
}
