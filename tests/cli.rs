//! The `itq` command as a user runs it: output, errors on stderr, exit codes.

mod common;

use common::{itq, itq_in, itq_with_input, stderr, stdout};

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
        "┌──────────┬───────────────┐\n│ projects ┆ value         │\n╞══════════╪═══════════════╡\n│      195 ┆ more than 300 │\n└──────────┴───────────────┘\n1 row\n"
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
    let o = itq_with_input(&[], "provinces count\n");
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

// ------------------------------------------------------- data and parameters

#[test]
fn scripts_find_their_data_beside_them_from_any_folder() {
    let root = tempfile::tempdir().unwrap();
    let reports = root.path().join("reports");
    std::fs::create_dir_all(reports.join("data")).unwrap();
    std::fs::write(
        reports.join("data").join("p.csv"),
        "province,investment\nGansu,1.5\nHenan,2\nGansu,3\n",
    )
    .unwrap();
    std::fs::write(
        reports.join("gansu.itq"),
        "load \"data/p.csv\" as mine\nmine where province = $province sum investment\nsave mine where province = $province to \"out.csv\" replace\n",
    )
    .unwrap();
    let elsewhere = root.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let o = itq_in(
        &elsewhere,
        &[
            "../reports/gansu.itq",
            "--param",
            "province=Gansu",
            "-f",
            "csv",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "sum_investment\n4.5\n");
    assert_eq!(
        stderr(&o),
        "loaded mine: 3 rows, 2 columns\nsaved 2 rows to out.csv\n"
    );
    assert_eq!(
        std::fs::read_to_string(reports.join("out.csv")).unwrap(),
        "province,investment\nGansu,1.5\nGansu,3.0\n"
    );

    // A missing parameter is named, before anything runs.
    let o = itq_in(&elsewhere, &["../reports/gansu.itq"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).contains("the parameter `$province` has no value"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("--param province=VALUE"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn parameters_are_typed_like_csv_fields() {
    let o = itq(&[
        "-c",
        "events where year(date) = $year and province = $p select projects",
        "--param",
        "year=2024",
        "--param",
        "p=Gansu",
        "-f",
        "csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "projects\n195\n");
    let o = itq(&["--param", "oops", "-c", "provinces count"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("expected NAME=VALUE, found `oops`"));
}

#[test]
fn load_flag_replaces_a_relation_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.csv"),
        "province,sector,investment\nGansu,new energy,2.5\nGansu,new energy,1\n",
    )
    .unwrap();
    let o = itq_in(
        dir.path(),
        &[
            "--load",
            "projects=p.csv",
            "-c",
            r#"projects where province = "Gansu" and sector = "new energy" sum investment"#,
            "-f",
            "csv",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "sum_investment\n3.5\n");
    assert_eq!(
        stderr(&o),
        "loaded projects: 2 rows, 3 columns\nnote: `projects` now holds the 2 rows loaded; it replaces the relation of that name for this session\n"
    );
    let o = itq_in(dir.path(), &["--load", "x=missing.csv", "-c", "x"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("cannot read `missing.csv`"));
}

#[test]
fn output_files_are_written_whole_and_never_clobbered() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = itq_in(d, &["-c", "provinces count by region", "-o", "r.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("r.json")).unwrap()).unwrap();
    assert_eq!(json[0]["region"], "east");
    assert_eq!(json[0]["count"], 10);

    // Exists: refused before anything runs, file untouched.
    let o = itq_in(d, &["-c", "provinces count", "-o", "r.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("`r.json` exists already"));
    assert!(stderr(&o).contains("--force"));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(
            &std::fs::read_to_string(d.join("r.json")).unwrap()
        )
        .unwrap()[0]["count"],
        10
    );

    // Two results cannot share one CSV or JSON file.
    let o = itq_in(
        d,
        &[
            "-c",
            "provinces count",
            "-c",
            "events count",
            "-o",
            "two.csv",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("`two.csv` can hold one result, but this run has 2 queries"),
        "{}",
        stderr(&o)
    );
    assert!(!d.join("two.csv").exists());

    // A failing run writes nothing, even with --force.
    let o = itq_in(
        d,
        &[
            "-c",
            "let west = provinces where region = \"west\"",
            "-c",
            "west where nme = 1",
            "-o",
            "r.json",
            "--force",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("was not written"));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(
            &std::fs::read_to_string(d.join("r.json")).unwrap()
        )
        .unwrap()[0]["count"],
        10
    );

    let o = itq_in(d, &["-c", "provinces count", "-o", "r.json", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(d.join("r.json")).unwrap(),
        "[\n  {\n    \"count\": 31\n  }\n]\n"
    );

    let o = itq_in(d, &["-c", "provinces count by region", "-f", "ndjson"]);
    assert_eq!(
        stdout(&o),
        "{\"region\":\"east\",\"count\":10}\n{\"region\":\"central\",\"count\":6}\n{\"region\":\"west\",\"count\":12}\n{\"region\":\"northeast\",\"count\":3}\n"
    );
}

#[test]
fn markdown_cells_keep_bars_and_line_breaks_inside() {
    let o = itq(&[
        "-c",
        r#"provinces limit 1 select "a|b" as x, "l1\nl2" as y"#,
        "-f",
        "markdown",
    ]);
    assert_eq!(
        stdout(&o),
        "| x    | y        |\n|------|----------|\n| a\\|b | l1<br>l2 |\n"
    );
}
