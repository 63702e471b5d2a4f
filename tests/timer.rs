//! `--timer`: each statement's time on standard error, results unchanged on standard output.

use std::process::Command;

#[test]
fn timer_prints_one_time_per_statement_on_stderr() {
    let o = Command::new(env!("CARGO_BIN_EXE_itq"))
        .args([
            "--timer",
            "--format",
            "csv",
            "-c",
            "let n = 3\nprovinces count",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(String::from_utf8(o.stdout).unwrap(), "count\n31\n");
    let err = String::from_utf8(o.stderr).unwrap();
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
    let o = Command::new(env!("CARGO_BIN_EXE_itq"))
        .args(["-c", "provinces count"])
        .output()
        .unwrap();
    assert!(o.stderr.is_empty());
}
