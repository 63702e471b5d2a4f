//! `--timer`: each statement's time on standard error, results unchanged on standard output.

mod common;

use common::{itq, stderr, stdout};

#[test]
fn timer_prints_one_time_per_statement_on_stderr() {
    let o = itq(&[
        "--timer",
        "--format",
        "csv",
        "-c",
        "let n = 3\nprovinces count",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "count\n31\n");
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    for l in lines {
        let ms = l
            .strip_prefix("time: ")
            .and_then(|r| r.strip_suffix(" ms"))
            .unwrap_or_else(|| panic!("{l}"));
        assert!(ms.parse::<f64>().is_ok_and(|x| x >= 0.0), "{l}");
    }
}

#[test]
fn without_timer_nothing_is_printed_on_stderr() {
    let o = itq(&["-c", "provinces count"]);
    assert!(o.stderr.is_empty());
}
