//! `itq fmt`: formatting every example, the prelude and every documentation
//! example is idempotent, keeps the AST (spans aside) and keeps the output.

use itq::syntax::format::format_script;
use itq::syntax::parse_script;
use itq::testing::{markdown, transcript};
use itq::{Engine, Source};
use std::path::Path;
use std::sync::Arc;

mod common;

use common::{command, itq_in, itq_with_input, root, stderr, stdout};

/// The script's AST printed with every span left out.
fn ast_without_spans(text: &str) -> String {
    let script = parse_script(text).unwrap_or_else(|e| panic!("{}\n{text}", e.render()));
    let debug = format!("{script:?}");
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug.as_str();
    while let Some(i) = rest.find("span: Span {") {
        out.push_str(&rest[..i]);
        let close = rest[i..].find('}').expect("a span closes") + i;
        out.push_str("span");
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Formats `text` and checks the three properties; returns the formatted text.
fn check_format(name: &str, text: &str) -> String {
    let once = format_script(text).unwrap_or_else(|e| panic!("{name}: {}", e.render()));
    let twice = format_script(&once).unwrap_or_else(|e| panic!("{name}: {}\n{once}", e.render()));
    assert_eq!(once, twice, "{name}: formatting twice changed the text");
    assert_eq!(
        ast_without_spans(text),
        ast_without_spans(&once),
        "{name}: formatting changed the AST:\n{once}"
    );
    once
}

/// What each text prints, run in order in one engine that may load files
/// from `dir`, with relative paths starting there (as for a script in `dir`).
fn output(dir: &Path, texts: &[String]) -> Vec<String> {
    let mut engine = Engine::new().unwrap();
    engine.allow_folder(dir).unwrap();
    texts
        .iter()
        .map(|t| {
            let source = Arc::new(Source {
                name: "<query>".into(),
                text: t.clone(),
                dir: Some(dir.to_path_buf()),
            });
            transcript(&mut engine, &source).text
        })
        .collect()
}

fn files(dir: &str, ext: &str) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    out.sort();
    out
}

#[test]
fn examples_and_prelude_format_idempotently_to_the_same_meaning() {
    let mut scripts = files("examples", "itq");
    scripts.push(root().join("stdlib/prelude.itq"));
    for path in scripts {
        let text = std::fs::read_to_string(&path).unwrap();
        let formatted = check_format(&path.display().to_string(), &text);
        let dir = path.parent().unwrap();
        assert_eq!(
            output(dir, &[text]),
            output(dir, &[formatted]),
            "{}: formatting changed the output",
            path.display()
        );
    }
}

#[test]
fn documentation_examples_format_idempotently_to_the_same_meaning() {
    let mut docs = files("docs", "md");
    docs.push(root().join("README.md"));
    let mut n = 0;
    for path in docs {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let examples = markdown::examples(&name, &text).unwrap();
        let runnable: Vec<_> = examples.iter().filter(|e| !e.must_fail).collect();
        let originals: Vec<String> = runnable.iter().map(|e| e.code.clone()).collect();
        let formatted: Vec<String> = runnable
            .iter()
            .map(|e| check_format(&format!("{name}:{}", e.line), &e.code))
            .collect();
        let dir = path.parent().unwrap();
        assert_eq!(
            output(dir, &originals),
            output(dir, &formatted),
            "{name}: formatting changed the output"
        );
        // And the formatted document still prints what its text blocks say.
        let reformatted = markdown::format_examples(&name, &text).unwrap();
        assert_eq!(markdown::check(&name, &reformatted), vec![]);
        n += originals.len();
    }
    assert!(n > 0);
}

#[test]
fn the_projects_scripts_and_docs_are_formatted() {
    let o = itq_in(
        root(),
        &[
            "fmt",
            "--check",
            "examples/",
            "docs/",
            "README.md",
            "stdlib/prelude.itq",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o), "");
}

#[test]
fn fmt_check_lists_files_that_would_change_and_fmt_rewrites_them() {
    let dir = tempfile::tempdir().unwrap();
    let messy = "# Gansu\nevents   WHERE province='Gansu' SELECT projects,value # hedged\n";
    std::fs::write(dir.path().join("a.itq"), messy).unwrap();
    std::fs::write(dir.path().join("b.itq"), "provinces count\n").unwrap();

    let o = itq_in(dir.path(), &["fmt", "--check", "."]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "would reformat ./a.itq\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.itq")).unwrap(),
        messy
    );

    let o = itq_in(dir.path(), &["fmt", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "formatted ./a.itq\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.itq")).unwrap(),
        "# Gansu\nevents where province = 'Gansu' select projects, value # hedged\n"
    );
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");

    let o = itq_in(dir.path(), &["fmt", "--check", "."]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn fmt_reports_a_syntax_error_and_leaves_the_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.itq"), "provinces wher region = 1\n").unwrap();
    let o = itq_in(dir.path(), &["fmt", "bad.itq"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--> bad.itq:1:11"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bad.itq")).unwrap(),
        "provinces wher region = 1\n"
    );
}

#[test]
fn fmt_formats_the_examples_in_markdown_but_not_error_examples() {
    let dir = tempfile::tempdir().unwrap();
    let page = "# P\n\n```itq\nprovinces   count\n```\n\n```itq error\nprovinces   wher\n```\n\n```sql\nselect   1\n```\n";
    std::fs::write(dir.path().join("p.md"), page).unwrap();
    let o = itq_in(dir.path(), &["fmt", "p.md"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("p.md")).unwrap(),
        page.replace("provinces   count", "provinces count")
    );
}

#[test]
fn fmt_dash_formats_standard_input_to_standard_output() {
    let run = itq_with_input;
    let o = run(&["fmt", "-"], "provinces   COUNT  by region # r\n");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "provinces count by region # r\n");
    assert_eq!(
        run(&["fmt", "--check", "-"], "provinces count\n")
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        run(&["fmt", "--check", "-"], "provinces  count\n")
            .status
            .code(),
        Some(1)
    );
    let o = run(&["fmt", "-"], "provinces wher x\n");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--> <stdin>:1:11"), "{}", stderr(&o));
}

#[test]
fn fmt_with_no_path_formats_a_redirected_script_and_leaves_the_folder_alone() {
    let dir = tempfile::tempdir().unwrap();
    let messy = "provinces   COUNT\n";
    std::fs::write(dir.path().join("a.itq"), messy).unwrap();
    std::fs::write(dir.path().join("in.itq"), "events   count by  year\n").unwrap();

    // `itq fmt < in.itq`: standard input is a file.
    let input = std::fs::File::open(dir.path().join("in.itq")).unwrap();
    let o = command()
        .arg("fmt")
        .current_dir(dir.path())
        .stdin(input)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "events count by year\n");
    // `cat a.itq | itq fmt --check`: a pipe; exit 1 as the script would change.
    let mut piped = command()
        .args(["fmt", "--check"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    piped
        .stdin
        .take()
        .unwrap()
        .write_all(messy.as_bytes())
        .unwrap();
    let o = piped.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    // Neither run touched the folder's scripts.
    for (name, text) in [("a.itq", messy), ("in.itq", "events   count by  year\n")] {
        assert_eq!(
            std::fs::read_to_string(dir.path().join(name)).unwrap(),
            text
        );
    }

    // With standard input closed (as from a hook or `< /dev/null`), no PATH
    // still means the folder.
    let o = itq_in(dir.path(), &["fmt", "--check"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "would reformat ./a.itq\nwould reformat ./in.itq\n"
    );
}

/// Every operator, as a template over its operands (`{0}`, `{1}`).
const OPERATORS: &[(&str, usize)] = &[
    ("{0} or {1}", 2),
    ("{0} and {1}", 2),
    ("{0} = {1}", 2),
    ("{0} != {1}", 2),
    ("{0} <> {1}", 2),
    ("{0} < {1}", 2),
    ("{0} <= {1}", 2),
    ("{0} > {1}", 2),
    ("{0} >= {1}", 2),
    ("{0} contains {1}", 2),
    ("{0} + {1}", 2),
    ("{0} - {1}", 2),
    ("{0} * {1}", 2),
    ("{0} / {1}", 2),
    ("not {0}", 1),
    ("-{0}", 1),
    ("{0} in (1, 2)", 1),
    ("{0} not in (1, 2)", 1),
    ("{0} between 1 and 2", 1),
    ("{0} not between 1 and 2", 1),
    ("{0} is null", 1),
    ("{0} is not null", 1),
];

fn apply(template: &str, x: &str, y: &str) -> String {
    template.replace("{0}", x).replace("{1}", y)
}

/// Every way two operators combine over the operands `x`, `y` and `z`:
/// `x OP1 y` as each operand of `OP2`, bare and in parentheses.
fn operator_pairs(x: &str, y: &str, z: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (inner, _) in OPERATORS {
        let inner = apply(inner, x, y);
        for (outer, arity) in OPERATORS {
            for wrapped in [inner.clone(), format!("({inner})")] {
                out.push(apply(outer, &wrapped, z));
                if *arity == 2 {
                    out.push(apply(outer, z, &wrapped));
                }
            }
        }
    }
    out
}

/// What a query gives: its rows as CSV, or its error's message (which quotes
/// operands as written, so without parentheses and with `<>` as `!=`).
fn answer(engine: &mut Engine, query: &str) -> String {
    match engine.query(query) {
        Ok(table) => itq::render(&table, itq::Format::Csv),
        Err(e) => format!("error: {}", e.kind())
            .replace(['(', ')'], "")
            .replace("<>", "!="),
    }
}

#[test]
fn every_pair_of_operators_formats_to_the_same_tree_and_answer() {
    // On a thread with room to spare, so the parser need not grow its stack
    // on each of the thousands of texts.
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(operator_pairs_round_trip)
        .unwrap()
        .join()
        .unwrap();
}

fn operator_pairs_round_trip() {
    let mut engine = Engine::empty();
    let rows = [
        serde_json::json!({"n1": 1, "n2": 2, "n3": 3, "b1": true, "b2": false, "b3": true, "s1": "ab", "s2": "b", "s3": "c"}),
        serde_json::json!({"n1": null, "n2": 0, "n3": -1, "b1": null, "b2": true, "b3": false, "s1": null, "s2": "", "s3": "x"}),
        serde_json::json!({"n1": 2, "n2": 2, "n3": 1, "b1": false, "b2": false, "b3": false, "s1": "1", "s2": "2", "s3": "1"}),
    ];
    engine.add_records("t", rows).unwrap();
    let (mut shapes, mut ran) = (0, 0);
    for e in operator_pairs("v1", "v2", "v3") {
        let query = format!("t derive {e} as x select x");
        let formatted = format_script(&query).unwrap_or_else(|e| panic!("{}", e.render()));
        shapes += 1;
        assert_eq!(
            ast_without_spans(&query),
            ast_without_spans(&formatted),
            "`{query}` formatted as `{formatted}`"
        );
        // The same shape over numbers, booleans and text, so that each
        // operator meets operands of a type it takes.
        for kind in ["n", "b", "s"] {
            let over = |text: &str| {
                (1..=3).fold(text.to_string(), |t, i| {
                    t.replace(&format!("v{i}"), &format!("{kind}{i}"))
                })
            };
            let before = answer(&mut engine, &over(&query));
            assert_eq!(
                before,
                answer(&mut engine, &over(&formatted)),
                "`{}` formatted as `{}`",
                over(&query),
                over(&formatted)
            );
            ran += usize::from(!before.starts_with("error"));
        }
    }
    // 22 operators inside each of 22, on either side and with or without
    // parentheses: 1584 shapes, and about a quarter of the 4752 queries run.
    assert_eq!(shapes, 1584);
    assert!(ran >= 1000, "only {ran} queries ran");
}

/// Found by the fuzzer (seed 777, input 57886): a money unit after a type
/// was printed as the column's name (`amount: decimal amount`), which loads
/// the file in a unit that does not exist.
#[test]
fn fmt_keeps_the_money_unit_after_a_type() {
    let text = "load \"x.csv\" with (amount: decimal 亿元, b: integer \"million yuan\", c: decimal with, c: bool)\n";
    let once = check_format("units", text);
    assert_eq!(
        once,
        "load \"x.csv\" with (amount: decimal 亿元, b: integer \"million yuan\", c: decimal \"with\", c: bool)\n"
    );
}
