//! `itq test`: saved scripts against their `.out` files, Markdown examples
//! against their text blocks; diffs for differences, exit code 1 when any
//! differ, `--update` to rewrite.

mod common;

use common::{itq_in, root, stderr, stdout};
use std::path::Path;

/// A copy of examples/ (scripts, .out files and data) in a fresh temporary folder.
fn copy_of_examples() -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            let target = to.join(path.file_name().unwrap());
            if path.is_dir() {
                copy(&path, &target);
            } else {
                std::fs::copy(&path, &target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(&root().join("examples"), &dir.path().join("examples"));
    dir
}

fn number_of_examples() -> usize {
    std::fs::read_dir(root().join("examples"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "itq")
        })
        .count()
}

#[test]
fn the_projects_examples_pass() {
    let o = itq_in(root(), &["test", "examples/"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("ok       examples/tour.itq\n"),
        "{}",
        stdout(&o)
    );
    let n = number_of_examples();
    assert!(n >= 5);
    assert!(
        stdout(&o).ends_with(&format!("\n{n} passed, 0 failed\n")),
        "{}",
        stdout(&o)
    );
}

#[test]
fn every_example_has_an_expected_output_file() {
    for entry in std::fs::read_dir(root().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "itq") {
            assert!(
                path.with_extension("out").exists(),
                "{} has no .out",
                path.display()
            );
        }
    }
}

#[test]
fn an_edited_example_fails_with_a_diff_and_update_fixes_it() {
    let dir = copy_of_examples();
    let script = dir.path().join("examples/top_events.itq");
    let text = std::fs::read_to_string(&script).unwrap();
    std::fs::write(&script, text.replace("sort projects desc", "sort projects")).unwrap();

    let o = itq_in(dir.path(), &["test", "examples"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("FAILED   examples/top_events.itq\n"), "{out}");
    assert!(
        out.contains("examples/top_events.itq:1: the output differs from `top_events.out`\n--- expected\n+++ actual\n@@"),
        "{out}"
    );
    // Ascending order puts Heilongjiang's 172 projects first.
    assert!(out.contains("\n+│ Heilongjiang"), "{out}");
    assert!(out.contains("\n-│ Heilongjiang"), "{out}");
    let passed = number_of_examples() - 1;
    assert!(
        out.ends_with(&format!("\n{passed} passed, 1 failed\n")),
        "{out}"
    );

    // --update rewrites the .out file with what the edited script prints.
    let out_file = dir.path().join("examples/top_events.out");
    let pinned = std::fs::read_to_string(&out_file).unwrap();
    let o = itq_in(dir.path(), &["test", "--update", "examples"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("updated  examples/top_events.itq\n"));
    let rewritten = std::fs::read_to_string(&out_file).unwrap();
    assert_ne!(rewritten, pinned);
    assert_eq!(
        rewritten,
        stdout(&itq_in(dir.path(), &["examples/top_events.itq"]))
    );
    let o = itq_in(dir.path(), &["test", "examples/top_events.itq"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    // --bless is the same as --update: with the edit undone, it writes the
    // pinned output back.
    std::fs::write(&script, &text).unwrap();
    let o = itq_in(dir.path(), &["test", "--bless", "examples"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("updated  examples/top_events.itq\n"));
    assert_eq!(std::fs::read_to_string(&out_file).unwrap(), pinned);
}

#[test]
fn a_script_without_expected_output_is_reported_not_passed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("new.itq"), "provinces count\n").unwrap();
    let o = itq_in(dir.path(), &["test", "."]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains(
            "no .out  ./new.itq: `./new.out` does not exist; run `itq test --update ./new.itq`"
        ),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).ends_with("0 passed, 0 failed, 1 without expected output\n"));

    let o = itq_in(dir.path(), &["test", "--update", "."]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("new.out")).unwrap(),
        "┌───────┐\n│ count │\n╞═══════╡\n│    31 │\n└───────┘\n1 row\n"
    );
}

#[test]
fn a_failing_script_pins_its_error_message() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.itq"),
        "# test: expect error\nprovinces count\nprojects where sectr = 1\n",
    )
    .unwrap();
    let o = itq_in(dir.path(), &["test", "--update", "bad.itq"]);
    assert_eq!(o.status.code(), Some(0));
    let out = std::fs::read_to_string(dir.path().join("bad.out")).unwrap();
    assert!(out.starts_with("┌───────┐\n│ count │"), "{out}");
    assert!(out.ends_with("error: unknown column `sectr` in `projects`\n --> bad.itq:3:16\n  |\n3 | projects where sectr = 1\n  |                ^^^^^\n  = help: did you mean `sector`?\n"), "{out}");
}

#[test]
fn markdown_examples_are_checked_and_updated() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.md");
    std::fs::write(
        &page,
        "# Page\n\n```itq\nprovinces count\n```\n\n```text\nwrong\n```\n",
    )
    .unwrap();
    let o = itq_in(dir.path(), &["test", "page.md"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("page.md:3: the output differs from the ```text block after this example\n--- expected\n+++ actual\n"), "{}", stdout(&o));
    let o = itq_in(dir.path(), &["test", "--update", "page.md"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(std::fs::read_to_string(&page)
        .unwrap()
        .contains("```text\n┌───────┐\n│ count │"));
    let o = itq_in(dir.path(), &["test", "page.md"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn the_projects_docs_pass() {
    let o = itq_in(root(), &["test", "docs/", "README.md"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn bad_paths_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let o = itq_in(dir.path(), &["test", "missing"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("error: cannot read `missing`: "));
    std::fs::write(dir.path().join("data.csv"), "a\n1\n").unwrap();
    let o = itq_in(dir.path(), &["test", "data.csv"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("`data.csv` is neither an itq script (.itq) nor Markdown (.md)"));
    let o = itq_in(dir.path(), &["test", "."]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("no scripts (.itq) or Markdown files (.md) found"));
}

#[test]
fn a_script_loads_files_from_its_own_folder() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("reports");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("towns.csv"), "town,n\nLanzhou,2\nKunming,3\n").unwrap();
    std::fs::write(
        sub.join("towns.itq"),
        "load \"towns.csv\" as towns\ntowns sum n\n",
    )
    .unwrap();
    let o = itq_in(dir.path(), &["test", "--update", "reports"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(
        std::fs::read_to_string(sub.join("towns.out")).unwrap(),
        "loaded towns: 2 rows, 2 columns\n┌───────┐\n│ sum_n │\n╞═══════╡\n│     5 │\n└───────┘\n1 row\n"
    );
}

#[cfg(unix)]
#[test]
fn a_folder_link_loop_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("scripts");
    std::fs::create_dir(&sub).unwrap();
    std::os::unix::fs::symlink(dir.path(), sub.join("loop")).unwrap();
    std::fs::write(sub.join("a.itq"), "provinces count\n").unwrap();
    let o = itq_in(dir.path(), &["test", "--update", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("updated  ./scripts/a.itq\n"),
        "{}",
        stdout(&o)
    );
}
