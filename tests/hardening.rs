//! The red-team review's smaller items (§6): numbers at the edges of their
//! range, where errors point, long and oddly broken lines, a script's BOM.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `text` from standard input.
fn itq(text: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_itq"))
        .args(["-f", "csv"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text).unwrap();
    child.wait_with_output().unwrap()
}

fn ok(text: &str) -> String {
    let o = itq(text.as_bytes());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn fails(text: &str) -> String {
    let o = itq(text.as_bytes());
    assert_eq!(o.status.code(), Some(1), "{text}");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_script_starting_with_a_byte_order_mark_runs() {
    let o = itq(b"\xEF\xBB\xBFprovinces count\n");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "count\n31\n");
}

#[test]
fn integers_run_from_i64_min_to_i64_max_and_no_further() {
    assert_eq!(
        ok("let x = -9223372036854775808\nprovinces limit 1 select x, x + 1 as y"),
        "x,y\n-9223372036854775808,-9223372036854775807\n"
    );
    assert_eq!(
        fails("provinces select 9223372036854775808 + 1"),
        "error: the integer `9223372036854775808` is too large (integers go up to 9223372036854775807)\n \
         --> <stdin>:1:18\n  |\n1 | provinces select 9223372036854775808 + 1\n  |                  ^^^^^^^^^^^^^^^^^^^\n  \
         = help: write it as a decimal, `9223372036854775808.0`, if an approximate value will do\n"
    );
    // Negating i64::MIN again overflows, where it is written.
    assert!(fails("let x = --9223372036854775808")
        .starts_with("error: integer overflow in negation\n --> <stdin>:1:9\n"));
}

#[test]
fn decimal_overflow_and_underflow_are_errors_not_silent_nulls_or_zeros() {
    assert_eq!(
        fails("provinces select name, 1e308 * 10 as big"),
        "error: decimal overflow in `*`\n --> <stdin>:1:24\n  |\n\
         1 | provinces select name, 1e308 * 10 as big\n  |                        ^^^^^^^^^^\n  \
         = help: decimals go up to about 1.8e308; scale the values down (divide by 1e6, say) first\n"
    );
    assert!(fails("let x = -1e308 * 10").starts_with("error: decimal overflow in `*`\n"));
    assert!(fails("let x = 1e308 * 10 - 1e308 * 10").starts_with("error: decimal overflow"));
    assert!(fails("let x = 1e-400")
        .starts_with("error: the number `1e-400` is too small\n --> <stdin>:1:9\n"));
    // The smallest decimals and zero in exponent form are fine.
    assert_eq!(
        ok("let x = 5e-324\nlet z = 0e-999\nprovinces limit 1 select x, z"),
        "x,z\n5e-324,0.0\n"
    );
}

#[test]
fn an_overflow_points_at_the_operation_not_the_statement() {
    assert_eq!(
        fails("provinces select name, round(9223372036854775807, -1) as r"),
        "error: integer overflow in round\n --> <stdin>:1:24\n  |\n\
         1 | provinces select name, round(9223372036854775807, -1) as r\n  \
         |                        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
    );
}

#[test]
fn a_chain_of_defs_too_deep_names_the_chain_and_the_failing_line() {
    let mut script = String::from("def c0() = provinces\n");
    for i in 1..=33 {
        script.push_str(&format!("def c{i}() = c{}()\n", i - 1));
    }
    assert_eq!(
        fails(&script),
        "error: defs nest more than 32 deep (`c32` → `c31` → `c30` → … → `c0`)\n  \
         --> <stdin>:34:13\n   |\n34 | def c33() = c32()\n   |             ^^^^^\n   \
         = help: a def may call others, but not itself, and not more than 32 in a chain\n"
    );
    // 32 calls deep is allowed.
    script.truncate(script.find("def c33").unwrap());
    script.push_str("c31 count\n");
    assert_eq!(ok(&script), "count\n31\n");
    // A def that calls itself through another says so, at the statement.
    assert!(fails("def f() = provinces\ndef g() = f\ndef f() = g\n")
        .starts_with("error: `g` calls itself (`g` → `f` → `g`)\n --> <stdin>:3:11\n"));
}

#[test]
fn a_very_long_line_is_shown_as_a_window_around_the_caret() {
    let line = format!(
        "provinces where name in ({}\"x\") and name = nme",
        "\"x\", ".repeat(20_000)
    );
    let err = fails(&line);
    assert!(err.len() < 1_000, "{} bytes", err.len());
    assert!(
        err.starts_with("error: unknown column `nme` in `provinces`\n --> <stdin>:1:"),
        "{err}"
    );
    let shown = err.lines().nth(3).unwrap();
    assert!(
        shown.starts_with("1 | …") && shown.ends_with("name = nme"),
        "{shown}"
    );
    // The caret is under `nme`, the last three characters shown.
    let caret = err.lines().nth(4).unwrap();
    assert_eq!(caret.chars().count(), shown.chars().count(), "{err}");
    assert!(caret.ends_with(" ^^^"), "{err}");
}

#[test]
fn a_lone_carriage_return_ends_a_line_for_error_locations_too() {
    let err = fails("provinces # a\rb");
    assert!(
        err.starts_with("error: unknown relation `b`\n --> <stdin>:2:1\n  |\n2 | b\n  | ^\n"),
        "{err}"
    );
}
