//! The papercuts a new user hit in the 2026-12 trial
//! (shared/reviews/new-user-trial-2026-12.md), each as the user met it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn itq_in(dir: Option<&Path>, args: &[&str], stdin: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_itq"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn itq(args: &[&str]) -> Output {
    itq_in(None, args, "")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("itq-papercuts-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn money_sums_and_averages_show_no_float_noise() {
    // 200,000 amounts in cents, written with two decimals.
    let dir = scratch("money");
    let mut csv = String::from("k,amount\n");
    let mut cents_total: i64 = 0;
    let mut naive = 0.0f64;
    let mut x: u64 = 3;
    for i in 0..200_000 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let cents = ((x >> 33) % 500_000 + 1) as i64;
        cents_total += cents;
        naive += cents as f64 / 100.0;
        csv.push_str(&format!("{},{}.{:02}\n", i % 3, cents / 100, cents % 100));
    }
    let path = dir.join("money.csv");
    std::fs::write(&path, csv).unwrap();
    let exact = format!("{}.{:02}", cents_total / 100, cents_total % 100);
    let exact = exact
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string();
    assert_ne!(
        format!("{naive}"),
        exact,
        "adding in order would show noise"
    );
    let load = format!("m={}", path.display());
    for query in ["m sum amount", "m sum amount * 1 as sum_amount"] {
        let o = itq(&["--load", &load, "-c", query]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(
            stdout(&o).contains(&format!("│ {exact} │")),
            "{query}: expected {exact}:\n{}",
            stdout(&o)
        );
    }
    let o = itq(&[
        "--load",
        &load,
        "-c",
        "m avg amount as a, sum amount as s by k sort k",
        "--format",
        "csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for line in stdout(&o).lines().skip(1) {
        let s = line.rsplit(',').next().unwrap();
        // Every group total has at most two decimals.
        let decimals = s.split_once('.').map_or(0, |(_, d)| d.len());
        assert!(decimals <= 2, "{line}");
    }
}

#[test]
fn engine_query_either_applies_the_text_or_returns_an_error_never_both() {
    let mut engine = itq::Engine::new().unwrap();
    let err = engine.query("let x = 5").unwrap_err();
    assert!(err.render().contains("holds no query"), "{}", err.render());
    let after = engine.query("provinces where x = 5 count").unwrap_err();
    assert!(
        after.render().contains("unknown column `x`"),
        "x was not defined: {}",
        after.render()
    );
    // A definition followed by a failing query is not kept either.
    assert!(engine
        .query("let y = 5\nprovinces where nosuch = 1")
        .is_err());
    assert!(engine.query("provinces where y = 5 count").is_err());
    // A definition with a query after it is kept, as at the prompt.
    let t = engine
        .query("let z = 5\nprovinces where z = 5 count")
        .unwrap();
    assert_eq!(t.get(0, 0), itq::Scalar::Int(31));
    assert_eq!(
        engine
            .query("provinces where z = 5 count")
            .unwrap()
            .get(0, 0),
        itq::Scalar::Int(31)
    );
}

#[test]
fn load_says_what_it_loaded_on_standard_error_unless_quiet() {
    let dir = scratch("load");
    std::fs::write(
        dir.join("2023 投资-数据.csv"),
        "省份,年份,金额\n甘肃省,2023,1.5\n云南省,2023,2\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("inv.itq"),
        "load \"2023 投资-数据.csv\"\n_2023_投资_数据 count\n",
    )
    .unwrap();
    let o = itq_in(Some(&dir), &["inv.itq", "-f", "csv"], "");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "loaded _2023_投资_数据: 2 rows, 3 columns\n");
    assert_eq!(stdout(&o), "count\n2\n");
    let o = itq_in(Some(&dir), &["--quiet", "inv.itq", "-f", "csv"], "");
    assert_eq!(stderr(&o), "");
    assert_eq!(stdout(&o), "count\n2\n");
    let o = itq_in(
        Some(&dir),
        &["--load", "one=inv.itq", "-c", "one count"],
        "",
    );
    assert!(stderr(&o).starts_with("loaded one: "), "{}", stderr(&o));
}

#[test]
fn the_caret_sits_under_chinese_names() {
    let dir = scratch("caret");
    std::fs::write(dir.join("inv.csv"), "省份,签约金额\n甘肃省,1.5\n").unwrap();
    let o = itq_in(
        Some(&dir),
        &[
            "--load",
            "inv=inv.csv",
            "-q",
            "-c",
            "inv select 省份, 签约金額 limit 1",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(1));
    // `签约金額` starts after `inv select 省份, ` (11 columns plus two for
    // each of the two CJK characters) and is 8 columns wide.
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines[3], "1 | inv select 省份, 签约金額 limit 1", "{err}");
    assert_eq!(lines[4], "  |                  ^^^^^^^^", "{err}");
}
