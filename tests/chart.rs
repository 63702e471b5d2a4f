//! The `chart` clause as a user sees it from the command line.

mod common;

use common::itq;

#[test]
fn a_chart_in_a_script_is_plain_text_80_columns_wide() {
    let o = itq(&["-c", "matchmaking sum value by province chart"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "sum_value by province");
    assert!(lines[1].starts_with("Yunnan       ███"), "{text}");
    assert!(lines[1].ends_with("█ 396.6"), "{text}");
    assert_eq!(
        lines[1].chars().count() - "396.6".len() + "+ more than 300".len(),
        80,
        "the largest bar fills the width the widest figure leaves"
    );
    // Hedged bars end in `+` and say so under the chart.
    assert!(
        lines[2].starts_with("Gansu        ███") && lines[2].ends_with("▋ + more than 300"),
        "{text}"
    );
    assert!(lines[3].ends_with("▏ + more than 250"), "{text}");
    assert_eq!(
        lines[4],
        "+ a lower bound: the true sum_value is more than its bar shows"
    );
    assert_eq!(lines.len(), 5);
    assert!(!text.contains('\x1b'));
}

#[test]
fn chart_errors_say_what_is_missing() {
    let o = itq(&["-c", "provinces chart"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("`chart` draws bars from a numeric column, but `provinces` has none"),
        "{err}"
    );
    assert!(err.contains("help: aggregate first"), "{err}");

    let o = itq(&["-c", "events chart where value > 1"]);
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("`chart` must be the last clause of a query"),
        "{err}"
    );

    let o = itq(&["-c", "let x = events chart"]);
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("it cannot end with `chart`"), "{err}");
}

#[test]
fn chart_is_not_reserved() {
    let o = itq(&["-c", "events derive value as chart select chart limit 1"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
