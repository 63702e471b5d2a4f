//! The SQL compiler's output, read by people: snapshots of a representative
//! set of queries per dialect (a change in the compiler shows as a diff to
//! review), `itq sql` on the command line, and the errors for constructs a
//! dialect cannot express. Whether the SQL gives itq's answers on the real
//! engines is tests/sql_engines/.

use itq::sql::{Dialect, DIALECTS};
use itq::Engine;
use std::process::Command;

/// Queries that between them use every step and expression kind.
const REPRESENTATIVE: &[&str] = &[
    r#"projects where province = "Gansu" and sector = "new energy" sum investment"#,
    "projects count, sum investment by province sort sum_investment desc",
    "projects top 3 by investment",
    "events where value is not null and projects is not null select province, round(value / projects, 2) as per_project sort per_project desc",
    r#"provinces where name contains "an" select name, length(name) as letters"#,
    "events join provinces on province = name count by region",
    "relocations distinct destination",
    "events where date > 2024-01-01 count by year(date)",
    "events median value by status",
    "provinces min name, max name",
    "events select name, date - 2024-01-01 as days, date + 7 as week_later",
    "projects sum investment by province where sum_investment > 10 sort province",
    r#"provinces where name in ("Gansu", "Sichuan") or name is null select upper(name) as loud, coalesce(capital, "?") as capital"#,
    "events sort value desc limit 2",
    "events select province, date, value derive rank() as r, percent_change(value) as growth per province along date",
    "projects select province, company, investment top 2 by investment per province",
    "events stddev value, quantile(value, 0.9), corr(value, projects) by status",
];

fn compiled(d: Dialect) -> String {
    let engine = Engine::new().unwrap();
    let mut out = String::new();
    for q in REPRESENTATIVE {
        out.push_str(&format!("-- {q}\n"));
        match engine.to_sql(q, d) {
            Ok(sql) => out.push_str(&format!("{sql};\n\n")),
            Err(e) => out.push_str(&format!("{}\n", e.render())),
        }
    }
    out
}

#[test]
fn duckdb_sql() {
    insta::assert_snapshot!(compiled(Dialect::DuckDb));
}

#[test]
fn postgres_sql() {
    insta::assert_snapshot!(compiled(Dialect::Postgres));
}

#[test]
fn sqlite_sql() {
    insta::assert_snapshot!(compiled(Dialect::Sqlite));
}

#[test]
fn spark_sql() {
    insta::assert_snapshot!(compiled(Dialect::Spark));
}

#[test]
fn trino_sql() {
    insta::assert_snapshot!(compiled(Dialect::Trino));
}

#[test]
fn ansi_sql() {
    insta::assert_snapshot!(compiled(Dialect::Ansi));
}

#[test]
fn every_dialect_parses_by_its_name() {
    for d in DIALECTS {
        assert_eq!(d.name().parse::<Dialect>(), Ok(*d));
    }
    assert_eq!("PostgreSQL".parse::<Dialect>(), Ok(Dialect::Postgres));
    let e = "oracle".parse::<Dialect>().unwrap_err();
    assert!(
        e.contains("duckdb, postgres, sqlite, spark, trino, ansi"),
        "{e}"
    );
}

fn itq(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_itq"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn itq_sql_prints_the_sql_of_a_query() {
    let (out, err, code) = itq(&[
        "sql",
        "--dialect",
        "postgres",
        "-c",
        r#"projects where province = "Gansu" and sector = "new energy" sum investment"#,
    ]);
    assert_eq!((err.as_str(), code), ("", 0));
    assert_eq!(
        out,
        "SELECT SUM(investment) AS sum_investment\nFROM projects\nWHERE province = 'Gansu' AND sector = 'new energy';\n"
    );
}

#[test]
fn itq_sql_turns_a_let_into_a_view_and_inlines_defs() {
    let (out, err, code) = itq(&[
        "sql",
        "--dialect",
        "spark",
        "-c",
        "let big = projects where investment > 100\ndef in_(p) = big where province = p\nin_(\"Yunnan\") count",
    ]);
    assert_eq!((err.as_str(), code), ("", 0));
    assert_eq!(
        out,
        "CREATE OR REPLACE TEMPORARY VIEW big AS\nSELECT *\nFROM projects\nWHERE investment > 100.0D;\n\nSELECT COUNT(*) AS count\nFROM big\nWHERE province = 'Yunnan';\n"
    );
}

#[test]
fn a_construct_the_dialect_lacks_is_a_located_error() {
    let (out, err, code) = itq(&[
        "sql",
        "--dialect",
        "sqlite",
        "-c",
        "events median value by status",
    ]);
    assert_eq!((out.as_str(), code), ("", 1));
    assert_eq!(
        err,
        "error: `median` cannot be compiled to SQLite\n --> <command>:1:8\n  |\n1 | events median value by status\n  |        ^^^^^^\n  = help: the engine has no median aggregate\n"
    );
}

#[test]
fn an_unknown_dialect_names_the_dialects() {
    let (out, err, code) = itq(&["sql", "--dialect", "oracle", "-c", "events"]);
    assert_eq!((out.as_str(), code), ("", 2));
    assert!(
        err.contains("unknown SQL dialect `oracle`: the dialects are duckdb, postgres, sqlite, spark, trino, ansi"),
        "{err}"
    );
}

#[test]
fn a_script_compiles_every_query_and_a_checking_error_stops_it() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("report.itq");
    std::fs::write(
        &script,
        "provinces count\nprojects where provnce = \"Gansu\"\n",
    )
    .unwrap();
    let (out, err, code) = itq(&["sql", script.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(out, "SELECT COUNT(*) AS count\nFROM provinces;\n");
    assert!(err.contains("unknown column `provnce`"), "{err}");
    assert!(err.contains("report.itq:2:"), "{err}");
}

/// Every ```sql DIALECT block in docs/sql.md holds an itq query, `---`, and
/// exactly the SQL `itq sql` prints for it.
#[test]
fn the_sql_shown_in_the_docs_is_what_itq_prints() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/sql.md");
    let text = std::fs::read_to_string(path).unwrap();
    let engine = Engine::new().unwrap();
    let mut blocks = 0;
    let mut rest = text.as_str();
    while let Some(at) = rest.find("```sql ") {
        let after = &rest[at + 7..];
        let (dialect, body) = after.split_once('\n').unwrap();
        let end = body.find("\n```").expect("the block ends");
        let (query, sql) = body[..end].split_once("\n---\n").expect("query --- sql");
        let d: Dialect = dialect.trim().parse().unwrap();
        let got = format!("{};", engine.to_sql(query, d).unwrap());
        assert_eq!(got, sql, "docs/sql.md: the {d} SQL of `{query}`");
        blocks += 1;
        rest = &body[end..];
    }
    assert!(blocks >= 2, "only {blocks} SQL blocks in docs/sql.md");
}
