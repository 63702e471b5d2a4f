//! The red-team review's reproducers (shared/reviews/red-team-repro/, 2026-12):
//! each gives an error or a result, never a panic or an abort, through the
//! command line, the formatter and the library on a small (2 MB) thread.

use itq::syntax::format::format_script;
use itq::syntax::parse_script;
use itq::{Engine, Source};
use std::process::Output;

mod common;

use common::{itq_with_input as itq, stderr, stdout};

/// The first line of the error (`error: ...`) and its location line.
fn headline(o: &Output) -> String {
    stderr(o).lines().take(2).collect::<Vec<_>>().join("\n")
}

/// Runs `text` as a script from standard input; it must end with exit 1
/// (an ordinary error) and the given first lines.
fn fails_with(text: &str, expected: &str) {
    let o = itq(&[], text);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(headline(&o), expected);
}

#[test]
fn a_syntax_error_after_a_combining_mark_is_reported() {
    fails_with(
        "provinces select x\u{301} ?\n",
        "error: expected a clause such as where, select, derive, count, sum, sort, limit, top, join, distinct, chart, an operator such as =, and, +, `as`, or the end of the statement, found `?`\n --> <stdin>:1:21",
    );
}

#[test]
fn a_syntax_error_after_a_comment_ending_in_a_symbol_is_reported() {
    fails_with(
        "# cost in €\nwhere value > 1\n",
        "error: expected a name (a query starts with a relation such as `provinces`), or the end of the statement, found `where`\n --> <stdin>:2:1",
    );
    fails_with(
        "# ✓\n)\n",
        "error: expected a name (a query starts with a relation such as `provinces`), or the end of the statement, found `)`\n --> <stdin>:2:1",
    );
}

#[test]
fn the_prompt_helper_survives_the_text_that_crashed_it() {
    // The highlighter asks the engine for the columns of every prefix typed.
    let engine = Engine::new().unwrap();
    let line = "provinces select x\u{301} ?";
    for (i, _) in line.char_indices() {
        let _ = engine.columns_of(&line[..i]);
    }
    let _ = engine.columns_of(line);
}

fn prefixes(op: &str, n: usize, operand: &str) -> String {
    format!("let x = {}{operand}\n", op.repeat(n))
}

#[test]
fn thousands_of_prefix_operators_are_refused_not_a_stack_overflow() {
    for (op, operand) in [("not ", "true"), ("- ", "1")] {
        for n in [201, 9_345, 20_000] {
            let text = prefixes(op, n, operand);
            let o = itq(&[], &text);
            assert_eq!(o.status.code(), Some(1), "{n} × {op}: {}", stderr(&o));
            assert!(
                stderr(&o).starts_with("error: the expression nests more than 200 operators deep"),
                "{}",
                stderr(&o)
            );
            let f = itq(&["fmt", "-"], &text);
            assert_eq!(f.status.code(), Some(1), "fmt {n} × {op}: {}", stderr(&f));
        }
    }
    // Inside a `where`, and inside parentheses, the same.
    let deep = format!("events where {}(value > 1)", "not ".repeat(20_000));
    let o = itq(&[], &deep);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let nested = format!(
        "let x = {}true{}",
        "not not not not (".repeat(60),
        ")".repeat(60)
    );
    let o = itq(&[], &nested);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("200 operators deep"), "{}", stderr(&o));
}

#[test]
fn up_to_the_limit_prefix_operators_still_work() {
    // 199 `not`s around a comparison is 200 levels: allowed, as before.
    let o = itq(
        &[
            "-c",
            &format!("let x = {}true", "not ".repeat(198)),
            "-c",
            "provinces where x count",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = itq(
        &[
            "-c",
            &format!("provinces limit 1 select {}5 as v", "- ".repeat(150)),
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("│ 5 │") || stdout(&o).contains("-5"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn fmt_handles_a_lone_carriage_return_in_a_comment() {
    for text in ["# a\rb", "provinces # a\rb", "provinces\r\n# x\rprovinces"] {
        let o = itq(&["fmt", "-"], text);
        assert_ne!(o.status.code(), Some(101), "{text:?}: {}", stderr(&o));
        assert_eq!(o.status.code(), Some(0), "{text:?}: {}", stderr(&o));
        // What fmt prints parses, and formats to itself.
        let out = stdout(&o);
        let again = format_script(&out).unwrap();
        assert_eq!(again, out, "{text:?}");
    }
    let o = itq(&["fmt", "-"], "provinces # a\rprovinces count");
    assert_eq!(stdout(&o), "provinces # a\nprovinces count\n");
}

#[test]
fn fmt_keeps_the_spelling_of_parenthesised_literals() {
    let run = |text: &str| {
        let o = itq(&["--format", "csv"], text);
        let first = stderr(&o).lines().next().unwrap_or("").to_string();
        (o.status.code(), stdout(&o), first)
    };
    for text in [
        "provinces limit 1 select (007)\n",
        "provinces limit 1 select (1_000)\n",
        "provinces limit 1 select (9223372036854775807)\n",
        "provinces limit 1 select -(123456789012345678901234567890.5)\n",
        "provinces limit 1 select (007), 007\n",
    ] {
        let formatted = stdout(&itq(&["fmt", "-"], text));
        assert_eq!(run(text), run(&formatted), "{text} → {formatted}");
    }
    // A literal below the decimal range is an error, for fmt as for a run.
    for text in [
        "provinces limit 1 select (1e-400)\n",
        "provinces limit 1 select -(1e-400)\n",
    ] {
        assert_eq!(itq(&["fmt", "-"], text).status.code(), Some(1), "{text}");
        assert_eq!(run(text).0, Some(1), "{text}");
    }
    let formatted = stdout(&itq(&["fmt", "-"], "provinces limit 1 select (007)\n"));
    assert_eq!(formatted, "provinces limit 1 select 007\n");
}

/// Runs `f` on a thread with a 2 MB stack, as a host might.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .expect("the work finished without overflowing a 2 MB stack")
}

/// Parses, formats and runs `text`; `Ok` when it ran.
fn every_stage(text: String) -> Result<(), String> {
    let parsed = parse_script(&text).map_err(|e| e.render());
    let _ = format_script(&text);
    let mut engine = Engine::new().unwrap();
    let ran = engine.run(&Source::new("<deep>", text), |_| {});
    parsed?;
    ran.map_err(|e| e.render())
}

#[test]
fn the_deepest_accepted_inputs_and_the_just_too_deep_ones_fit_a_2_mb_stack() {
    let deepest = [
        format!("let x = {}true", "not ".repeat(198)),
        format!("let x = {}1", "- ".repeat(199)),
        format!("let x = {}1{}", "(".repeat(64), ")".repeat(64)),
        format!("let x = 1{}", " + 1".repeat(199)),
        format!(
            "provinces where {}",
            (0..150)
                .map(|i| format!("name = \"p{i}\""))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    ];
    for text in deepest {
        let short = text.chars().take(40).collect::<String>();
        let result = on_small_stack(move || every_stage(text));
        assert!(result.is_ok(), "{short}…: {result:?}");
    }
    let too_deep = [
        format!("let x = {}true", "not ".repeat(201)),
        format!("let x = {}true", "not ".repeat(50_000)),
        format!("let x = {}1", "- ".repeat(50_000)),
        format!("let x = {}1{}", "(".repeat(65), ")".repeat(65)),
        format!("let x = {}1{}", "(".repeat(100_000), ")".repeat(100_000)),
        format!("let x = 1{}", " + 1".repeat(100_000)),
        format!("let x = 1{}", " is null".repeat(100_000)),
        format!(
            "let x = {}true{}",
            "not not not not (".repeat(60),
            ")".repeat(60)
        ),
        format!(
            "let x = {}1{}",
            "(".repeat(64),
            " + 1 + 1 + 1 + 1)".repeat(64)
        ),
    ];
    for text in too_deep {
        let short = text.chars().take(40).collect::<String>();
        let result = on_small_stack(move || every_stage(text));
        let message = result.expect_err(&short);
        assert!(
            message.contains("deep"),
            "{short}…: the error says what is too deep: {message}"
        );
    }
}

/// Found by the fuzzer (seed 1, input 185): a long text cell of wide
/// characters in a table fitted to a narrow width overflowed an addition
/// inside the table layout (a panic in debug builds).
#[test]
fn a_long_cell_of_wide_characters_fits_any_width() {
    use itq::{render_with, Format, RenderOptions};
    let mut engine = Engine::new().unwrap();
    let text = format!(
        "let t = \"{}\"\nstats limit 1 select t, length(t)",
        "甘".repeat(33_500)
    );
    let table = engine.query(&text).unwrap();
    for width in [0, 1, 5, 20, 80] {
        for max_rows in [None, Some(0), Some(1)] {
            let options = RenderOptions {
                width: Some(width),
                max_rows,
            };
            let out = render_with(&table, Format::Table, &options);
            assert!(out.contains("1 row"), "width {width}");
        }
    }
}

/// Found by the fuzzer (seed 20261201, inputs 377499 and 731585): signs folded
/// into a literal (`--007`, `- -1e3`) were printed from the value, so the
/// result column named after the text changed under `itq fmt`.
#[test]
fn fmt_keeps_the_digits_of_a_doubly_negated_literal() {
    for text in [
        "provinces limit 1 select --007\n",
        "provinces limit 1 select - -1e3 + 1\n",
    ] {
        let formatted = format_script(text).unwrap();
        let names = |t: &str| {
            let mut e = Engine::new().unwrap();
            let table = e.query(t).unwrap();
            table
                .fields()
                .iter()
                .map(|f| f.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(text), names(&formatted), "{text} → {formatted}");
    }
}

/// Found by the fuzzer (seed 20261203, inputs 1100093, 4498756, 1618687,
/// 2824529 and 3025898): a grouped aggregate over no rows (after `top 0` or
/// `limit 0`) behind a `where` that kept rows crashed the note explaining an
/// empty answer, which read row 0 of the empty result.
#[test]
fn a_grouped_aggregate_over_no_rows_is_an_empty_table() {
    let o = itq(
        &[],
        "events where (true) top 0 by -42 last value by projects\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("projects ┆ last_value"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("0 rows"), "{}", stdout(&o));
    for text in [
        "claims where true avg year as a0 limit 0\n",
        "evidence where true min \"Gansueast\\t\" by true limit 0\n",
        "projects_with_region where TRUE limit 0 stddev_pop 1.0, min 2023 by 2024-10-27\n",
        "provinces where true limit 0 min substr(\"%westYunnan\", 3, 195) by substr('2024', -2024, 2)\n",
    ] {
        let o = itq(&[], text);
        assert_eq!(o.status.code(), Some(0), "{text}{}", stderr(&o));
        assert!(stdout(&o).contains("0 rows"), "{text}{}", stdout(&o));
    }
}

/// The notes on stderr when `text` runs as a script.
fn notes(text: &str) -> Vec<String> {
    let o = itq(&[], text);
    stderr(&o)
        .lines()
        .filter(|l| l.starts_with("note:"))
        .map(str::to_string)
        .collect()
}

/// Found by the fuzzer (seed 20261203, about 610 inputs): the note on an
/// empty answer quoted a condition as typed, parentheses and all, so `itq fmt`
/// changed the note; a call (`year(date) = 1900`) got no note at all, and a
/// call as an earlier condition was quoted as nothing ("5 rows of `events`
/// have , but"). Conditions are now quoted as `itq fmt` prints them.
#[test]
fn an_empty_answer_is_explained_alike_before_and_after_fmt() {
    for (text, expected) in [
        (
            "events where year(date) = 1900\n",
            "note: no row of `events` has year(date) = 1900",
        ),
        (
            "events where lower((name)) = (\"x\")\n",
            "note: no row of `events` has lower(name) = \"x\"",
        ),
        (
            "events where year(date) > 2000 and -(-projects) - (1) = -5\n",
            "note: 5 rows of `events` have year(date) > 2000, but none of them has -(-projects) - 1 = -5",
        ),
    ] {
        let formatted = format_script(text).unwrap();
        let (before, after) = (notes(text), notes(&formatted));
        assert_eq!(before.first().map(String::as_str), Some(expected), "{text}");
        assert_eq!(before, after, "{text} → {formatted}");
    }
}
