//! Limits a host sets on an engine: over-budget work is an ordinary error
//! that says what would have been produced, and the session goes on.

use itq::{Engine, Limits};
use std::process::Command;

mod common;

use common::command as itq;

#[test]
fn an_exploding_self_join_is_an_error_under_a_4_gib_address_space_and_a_limit_after_it_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let made = itq()
        .current_dir(dir.path())
        .args(["generate", "projects", "--rows", "100000", "--out", "p.csv"])
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let prlimit = Command::new("prlimit").arg("--version").output();
    if prlimit.is_err() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "prlimit (util-linux) is needed to run this test under a memory cap"
        );
        eprintln!("SKIPPED: prlimit (util-linux) is not installed");
        return;
    }
    let o = Command::new("prlimit")
        .current_dir(dir.path())
        .arg("--as=4294967296")
        .arg(env!("CARGO_BIN_EXE_itq"))
        .args([
            "-c",
            "load \"p.csv\" as p",
            "-c",
            "p join p on province count",
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    // `count` reads no column, so the join would carry only its key (an
    // 8-byte row pair and a 4-byte text code a row).
    assert_eq!(
        stderr.strip_prefix("loaded p: 100,000 rows, 8 columns\n").unwrap_or(&stderr),
        "error: the join would produce about 354.3 million rows (about 4.0 GB); the limit is 2.0 GB\n \
         --> <query>:1:1\n  |\n1 | p join p on province count\n  | ^^^^^^^^^^^^^^^^^^^^^^^^^^\n  \
         = help: add a condition, or join on more keys\n"
    );

    // A limit right after the exploding join (with steps that work row by
    // row between) reads the join in pieces and stops: the first rows, in
    // the same 4 GiB, that the whole join would have begun with.
    let capped = |query: &str| {
        let o = Command::new("prlimit")
            .current_dir(dir.path())
            .arg("--as=4294967296")
            .arg(env!("CARGO_BIN_EXE_itq"))
            .args([
                "--quiet",
                "--format",
                "csv",
                "-c",
                "load \"p.csv\" as p",
                "-c",
            ])
            .arg(query)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{query}: {stderr}");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let first = capped("p join (p select province as pr, id as id2) on province = pr limit 3");
    let lines: Vec<&str> = first.lines().collect();
    assert_eq!(lines.len(), 4, "{first}");
    assert!(lines[0].ends_with(",pr,id2"), "{first}");
    // Row 1's province matches row 1 first: the right side's order.
    assert!(
        lines[1].starts_with("1,") && lines[1].ends_with(",1"),
        "{first}"
    );
    let filtered = capped(
        "p join (p select province as pr, id as id2) on province = pr \
         where id2 > 99998 derive id + id2 as both select id, id2, both limit 2",
    );
    let lines: Vec<&str> = filtered.lines().collect();
    assert_eq!(lines.len(), 3, "{filtered}");
    for l in &lines[1..] {
        let v: Vec<i64> = l.split(',').map(|x| x.parse().unwrap()).collect();
        assert!(v[1] > 99998 && v[2] == v[0] + v[1], "{filtered}");
    }
}

#[test]
fn a_limit_after_a_join_gives_the_rows_the_whole_join_starts_with() {
    let mut e = Engine::new().unwrap();
    for (limited, whole) in [
        (
            "projects join provinces on province = name limit 7",
            "projects join provinces on province = name",
        ),
        (
            "projects join (projects select province as p2, company as c2) on province = p2 \
             where c2 != company select company, c2, investment limit 5",
            "projects join (projects select province as p2, company as c2) on province = p2 \
             where c2 != company select company, c2, investment",
        ),
        (
            "projects left join provinces on province = name top 4 by investment",
            "projects left join provinces on province = name sort investment desc",
        ),
        (
            "projects left join provinces on province = name sort company, investment limit 6",
            "projects left join provinces on province = name sort company, investment",
        ),
    ] {
        let a = e
            .query(limited)
            .unwrap_or_else(|err| panic!("{limited}: {err}"));
        let b = e
            .query(whole)
            .unwrap_or_else(|err| panic!("{whole}: {err}"));
        let n = a.num_rows();
        assert!(n > 0, "{limited}");
        let head = b.take(&(0..n as u32).collect::<Vec<_>>());
        assert_eq!(
            itq::render(&a, itq::Format::Csv),
            itq::render(&head, itq::Format::Csv),
            "{limited}"
        );
    }
}

#[test]
fn max_memory_sets_the_budget_from_the_command_line() {
    let o = itq()
        .args([
            "--max-memory",
            "4K",
            "-c",
            "projects join projects on province join projects on province count",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: the join would produce")
            && stderr.contains("; the limit is 4.0 KB\n"),
        "{stderr}"
    );
    let o = itq().args(["--max-memory", "lots"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("`lots` is not a size"));
}

#[test]
fn over_the_budget_the_session_and_its_relations_are_intact() {
    let mut e = Engine::new().unwrap();
    e.run(
        &itq::Source::new("<query>", "let west = provinces where region = \"west\""),
        |_| {},
    )
    .unwrap();
    e.set_limits(Limits {
        memory: 4 << 10,
        ..e.limits()
    });
    let err = e
        .query("projects join projects on province join projects on province")
        .unwrap_err();
    assert_eq!(err.kind(), &itq::ErrorKind::Limit(err.kind().to_string()));
    assert!(
        err.render().contains("the limit is 4.0 KB"),
        "{}",
        err.render()
    );
    assert_eq!(
        e.query("west count").unwrap().get(0, 0),
        itq::Scalar::Int(12)
    );
    // Sorting and grouping more than the budget say so too.
    let mut tiny = Engine::new().unwrap();
    tiny.set_limits(Limits {
        memory: 100,
        ..tiny.limits()
    });
    let err = tiny.query("provinces sort name").unwrap_err().render();
    assert!(err.starts_with("error: the sort would need about"), "{err}");
    let err = tiny
        .query("provinces select region distinct")
        .unwrap_err()
        .render();
    assert!(err.starts_with("error: grouping would need about"), "{err}");
}

#[test]
fn a_text_literal_over_the_limit_is_an_error_at_the_literal() {
    // The same check that refuses a 1 GiB literal by default (256 MB), with a
    // small limit so the test stays small.
    let mut e = Engine::new().unwrap();
    e.set_limits(Limits {
        text: 1000,
        ..e.limits()
    });
    let text = format!("let s = \"{}\"", "x".repeat(2000));
    let err = e
        .run(&itq::Source::new("<query>", text), |_| {})
        .unwrap_err();
    let rendered = err.render();
    assert!(
        rendered.starts_with(
            "error: the text literal is 2.0 KB; the limit for one text value is 1000 bytes\n --> <query>:1:9\n"
        ),
        "{}",
        &rendered[..200]
    );
    assert_eq!(e.limits().text, 1000);
    assert!(e.query("provinces count").is_ok());
}
