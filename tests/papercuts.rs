//! The papercuts a new user hit in the 2026-12 trial
//! (shared/reviews/new-user-trial-2026-12.md), each as the user met it.

use std::path::PathBuf;

mod common;

use common::{itq, itq_in, stderr, stdout};

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
    let o = itq_in(&dir, &["inv.itq", "-f", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "loaded _2023_投资_数据: 2 rows, 3 columns\n");
    assert_eq!(stdout(&o), "count\n2\n");
    let o = itq_in(&dir, &["--quiet", "inv.itq", "-f", "csv"]);
    assert_eq!(stderr(&o), "");
    assert_eq!(stdout(&o), "count\n2\n");
    let o = itq_in(&dir, &["--load", "one=inv.itq", "-c", "one count"]);
    assert!(stderr(&o).starts_with("loaded one: "), "{}", stderr(&o));
}

#[test]
fn the_caret_sits_under_chinese_names() {
    let dir = scratch("caret");
    std::fs::write(dir.join("inv.csv"), "省份,签约金额\n甘肃省,1.5\n").unwrap();
    let o = itq_in(
        &dir,
        &[
            "--load",
            "inv=inv.csv",
            "-q",
            "-c",
            "inv select 省份, 签约金額 limit 1",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    // `签约金額` starts after `inv select 省份, ` (11 columns plus two for
    // each of the two CJK characters) and is 8 columns wide.
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines[3], "1 | inv select 省份, 签约金額 limit 1", "{err}");
    assert_eq!(lines[4], "  |                  ^^^^^^^^", "{err}");
}

/// The help line of the error `-c TEXT` gives.
fn help_for(text: &str) -> String {
    let o = itq(&["-c", text]);
    assert_eq!(o.status.code(), Some(1), "{text}: {}", stdout(&o));
    stderr(&o)
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("= help: ").map(str::to_string))
        .unwrap_or_else(|| panic!("{text}: no help line in {}", stderr(&o)))
}

#[test]
fn sql_habits_get_the_itq_spelling() {
    for (text, hint) in [
        (r#"events where province == "Gansu""#, "a single `=`"),
        (
            r#"events where province like "Gan%""#,
            "`name contains \"Gan\"`",
        ),
        (
            "events count group by province",
            "`events count by province`",
        ),
        (
            "events sum value group by province",
            "`events count by province`",
        ),
        ("events order by value", "`events sort value desc`"),
        ("events count(*)", "`count` alone counts rows"),
        ("events sort value descending", "write `desc`"),
        ("select * from events", "the relation first, without `from`"),
        ("events select *", "leave `select *` out"),
        ("help", "type `.help`"),
        ("quit", "type `.quit` or press Ctrl-D"),
        ("exit", "type `.quit` or press Ctrl-D"),
    ] {
        let help = help_for(text);
        assert!(help.contains(hint), "{text}: {help}");
    }
}

#[test]
fn a_meta_command_outside_the_prompt_says_where_it_works() {
    let help = help_for(".schema events");
    assert!(
        help.contains("work only at the prompt; in a script or -c, write `describe events`"),
        "{help}"
    );
    let help = help_for(".load x.csv");
    assert!(help.contains("`load \"x.csv\" as name`"), "{help}");
}

#[test]
fn describe_lists_a_relations_or_defs_columns_in_scripts_and_c() {
    let o = itq(&["-c", "describe top_sectors", "-f", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "column,type\nsector,text\ncount,integer\n");
    let dir = scratch("describe");
    std::fs::write(
        dir.join("d.itq"),
        "let west = provinces where region = \"west\"\ndescribe west\n",
    )
    .unwrap();
    let o = itq_in(&dir, &["d.itq", "-f", "csv"]);
    assert_eq!(
        stdout(&o),
        "column,type\nname,text\nname_zh,text\nfull_name_zh,text\ncode,text\nnames_source,text\nregion,text\nsource,text\ncoastal,boolean\ncoastal_source,text\ncapital,text\ncapital_source,text\n"
    );
    let o = itq(&["-c", "describe top_sector"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("did you mean `top_sectors`?"),
        "{}",
        stderr(&o)
    );
}

mod prompt {
    use rexpect::reader::Options;
    use rexpect::session::{spawn_with_options, PtySession};
    use std::process::Command;

    /// `itq` at its prompt in a pseudo-terminal, without colour.
    pub fn start(test: &str) -> PtySession {
        let dir = super::scratch(&format!("prompt-{test}"));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_itq"));
        cmd.env("ITQ_HISTORY", dir.join("history"))
            .env("TERM", "xterm-256color")
            .env("NO_COLOR", "1")
            .current_dir(&dir);
        let options = Options::new()
            .timeout_ms(Some(120_000))
            .strip_ansi_escape_codes(true);
        spawn_with_options(cmd, options).expect("itq starts in a pty")
    }

    /// Waits for the prompt (keys sent before it may be lost), types `text`,
    /// presses Enter and waits until `expected` is shown.
    pub fn shows(p: &mut PtySession, text: &str, expected: &str) {
        p.exp_string("itq> ").expect("a prompt");
        p.send(&format!("{text}\r")).unwrap();
        p.flush().unwrap();
        p.exp_string(expected)
            .unwrap_or_else(|e| panic!("after `{text}`, expected `{expected}`: {e}"));
    }

    /// Waits for the prompt, then leaves with `.quit`.
    pub fn quit(mut p: PtySession) {
        p.exp_string("itq> ").expect("a prompt");
        p.send(".quit\r").unwrap();
        p.flush().unwrap();
        p.exp_eof().expect("itq leaves on .quit");
    }
}

#[test]
fn schema_of_a_def_and_help_on_statements_and_clauses_at_the_prompt() {
    let mut p = prompt::start("schema");
    prompt::shows(
        &mut p,
        ".schema top_sectors",
        "top_sectors(province_name, n): The n sectors",
    );
    p.exp_string("sector  text").unwrap();
    p.exp_string("count   integer").unwrap();
    prompt::shows(&mut p, ".help load", "load \"PATH\" [as NAME]");
    p.exp_string("for example: load \"data/signings.csv\"")
        .unwrap();
    prompt::shows(&mut p, ".help join", "[left] join SOURCE on COL");
    prompt::shows(
        &mut p,
        ".help where",
        "keeps the rows where the condition is true",
    );
    prompt::quit(p);
}

#[test]
fn itq_test_takes_parameters_from_the_command_line_or_the_script() {
    let dir = scratch("test-params");
    std::fs::write(
        dir.join("report.itq"),
        "events where province = $province select projects\n",
    )
    .unwrap();
    let o = itq_in(&dir, &["test", "--update", "--param", "province=Gansu"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(std::fs::read_to_string(dir.join("report.out"))
        .unwrap()
        .contains("195"));
    let o = itq_in(&dir, &["test", "--param", "province=Gansu"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // The script's own header does the same without a flag.
    std::fs::write(
        dir.join("report.itq"),
        "# test: param province=Gansu\nevents where province = $province select projects\n",
    )
    .unwrap();
    let o = itq_in(&dir, &["test"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("1 passed, 0 failed"), "{}", stdout(&o));
}

#[test]
fn update_refuses_to_bless_an_error_unless_the_script_expects_one() {
    let dir = scratch("test-errors");
    std::fs::write(
        dir.join("report.itq"),
        "events where province = $province count\n",
    )
    .unwrap();
    let o = itq_in(&dir, &["test", "--update"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("report.itq:1: the script ends in an error, so its output was not saved; fix it, or add `# test: expect error` at its top if it should fail"),
        "{}",
        stdout(&o)
    );
    assert!(!dir.join("report.out").exists());
    // Marked as expected to fail, the error is its expected output.
    std::fs::write(
        dir.join("report.itq"),
        "# test: expect error\nevents where province = $province count\n",
    )
    .unwrap();
    let o = itq_in(&dir, &["test", "--update"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(std::fs::read_to_string(dir.join("report.out"))
        .unwrap()
        .starts_with("error: the parameter `$province` has no value"));
    let o = itq_in(&dir, &["test"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn a_script_that_saves_passes_every_time_and_leaves_its_folder_alone() {
    let dir = scratch("test-saves");
    std::fs::write(
        dir.join("saver.itq"),
        "save events to \"out.csv\"\nload \"out.csv\" as back\nback count\n",
    )
    .unwrap();
    let o = itq_in(&dir, &["test", "--update"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    for _ in 0..2 {
        let o = itq_in(&dir, &["test"]);
        assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    }
    assert!(
        !dir.join("out.csv").exists(),
        "the test run wrote beside the script"
    );
    assert!(std::fs::read_to_string(dir.join("saver.out"))
        .unwrap()
        .starts_with("saved 8 rows to out.csv\n"));
}
