//! The `itq` command as a user runs it: output, errors on stderr, exit codes.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn itq(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_itq"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn the_given_example_runs_as_written() {
    let o = itq(&[
        "-c",
        r#"projects where province = "Gansu" and sector = "new energy" sum investment"#,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("sum_investment"));
    assert!(stdout(&o).contains("1 row"));
}

#[test]
fn results_are_tables_with_right_aligned_numbers_and_a_row_count() {
    let o = itq(&[
        "-c",
        r#"events where province = "Gansu" and projects is not null select projects, value"#,
    ]);
    assert_eq!(
        stdout(&o),
        "┌──────────┬───────┐\n│ projects ┆ value │\n╞══════════╪═══════╡\n│      195 ┆   300 │\n└──────────┴───────┘\n1 row\n"
    );
}

#[test]
fn a_query_error_goes_to_stderr_with_exit_code_1() {
    let o = itq(&["-c", "projects where sectr = 1"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("unknown column `sectr` in `projects`"));
    assert!(stderr(&o).contains("did you mean `sector`?"));
}

#[test]
fn a_usage_error_exits_with_2() {
    let o = itq(&["--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
    let o = itq(&["--format", "xml", "-c", "provinces"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_failing_statement_in_a_script_is_reported_with_file_line_and_column() {
    let dir = std::env::temp_dir().join(format!("itq-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("report.itq");
    std::fs::write(
        &script,
        "# report\nprovinces count\n\nevents\n  where valeu > 100\n",
    )
    .unwrap();
    let o = itq(&[script.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    // The statement before the error ran and printed.
    assert!(stdout(&o).contains("31"));
    assert!(
        stderr(&o).contains(&format!("{}:5:9", script.display())),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_script_is_a_clear_error() {
    let o = itq(&["no/such/script.itq"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("error: cannot read `no/such/script.itq`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn statements_piped_on_stdin_print_only_results() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_itq"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"provinces count\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "┌───────┐\n│ count │\n╞═══════╡\n│    31 │\n└───────┘\n1 row\n"
    );
}

#[test]
fn other_formats() {
    let q = r#"provinces where name in ("Gansu", "Hainan") select name, coastal"#;
    assert_eq!(
        stdout(&itq(&["--format", "csv", "-c", q])),
        "name,coastal\nHainan,true\nGansu,false\n"
    );
    assert_eq!(
        stdout(&itq(&["--format", "json", "-c", q])),
        "[\n  {\n    \"name\": \"Hainan\",\n    \"coastal\": true\n  },\n  {\n    \"name\": \"Gansu\",\n    \"coastal\": false\n  }\n]\n"
    );
    assert_eq!(
        stdout(&itq(&["-f", "markdown", "-c", q])),
        "| name   | coastal |\n|--------|---------|\n| Hainan | true    |\n| Gansu  | false   |\n"
    );
}

#[test]
fn malformed_input_never_panics() {
    let deep = "(".repeat(5000);
    let long = format!(
        "provinces where {}",
        "name = \"x\" or ".repeat(2000) + "true"
    );
    let list = format!(
        "provinces where name in ({}\"x\") count",
        "\"y\", ".repeat(20000)
    );
    for text in [
        "",
        "#",
        ";;;",
        "\u{1}\u{7f}",
        "provinces where",
        "let",
        "def f(",
        "`",
        "\"",
        "provinces top 99999999999999999999999 by name",
        &deep,
        &long,
        &list,
    ] {
        let o = itq(&["-c", text]);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{text:?} exited with {:?}: {}",
            o.status.code(),
            stderr(&o)
        );
        assert!(!stderr(&o).contains("panicked"), "{text:?}: {}", stderr(&o));
    }
}
