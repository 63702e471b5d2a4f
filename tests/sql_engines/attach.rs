//! `attach`: a live PostgreSQL server (the suite's own cluster) and a SQLite
//! file. Queries over attached tables give the native engine's answers over
//! the same rows; filters travel to the server (its statement log shows
//! them); bad URLs, wrong passwords, missing tables, a dropped connection
//! and a cancelled query each give a clear error and leave the session as
//! it was.

use super::engines::{Postgres, PASSWORD};
use itq::{Engine, ErrorKind, Format, RenderOptions};
use std::path::Path;
use std::process::Command;

/// The firms table, as SQL and as the CSV the native engine loads.
const FIRMS_SQL: &str = "
CREATE TABLE firms (name text, province text, investment double precision,
                    employees bigint, founded date, listed boolean, extra jsonb);
INSERT INTO firms VALUES
  ('Longi', 'Gansu', 12.5, 100, '2020-01-02', true, '{}'),
  ('Tongwei', 'Sichuan', 3.0, NULL, '2021-05-06', false, NULL),
  ('Jinko', 'Gansu', NULL, 7, NULL, NULL, NULL),
  ('Chery', 'Anhui', 40.25, 30, '2019-12-31', true, NULL),
  ('Bé ‘quote’', 'Yunnan', -1.5, 0, '2024-02-29', false, NULL);
CREATE TABLE big AS SELECT i AS id, (i % 31) AS k FROM generate_series(1, 20000) i;
CREATE VIEW slow AS SELECT x FROM generate_series(1, 5) x, LATERAL (SELECT pg_sleep(1)) s;
";

const FIRMS_CSV: &str = "name,province,investment,employees,founded,listed
Longi,Gansu,12.5,100,2020-01-02,true
Tongwei,Sichuan,3.0,,2021-05-06,false
Jinko,Gansu,,7,,
Chery,Anhui,40.25,30,2019-12-31,true
Bé ‘quote’,Yunnan,-1.5,0,2024-02-29,false
";

fn csv(engine: &mut Engine, text: &str) -> Result<String, itq::Error> {
    let t = engine.query(text)?;
    Ok(itq::render_with(&t, Format::Csv, &RenderOptions::default()))
}

/// The same query over the attached table and over a local copy: equal rows
/// (sorted, where the query does not fix an order).
fn same_answer(engine: &mut Engine, remote: &str, local: &str) {
    let a = csv(engine, remote).unwrap_or_else(|e| panic!("{remote}: {}", e.render()));
    let b = csv(engine, local).unwrap_or_else(|e| panic!("{local}: {}", e.render()));
    let sorted = |s: &str| {
        let mut lines: Vec<String> = s.lines().map(str::to_string).collect();
        lines[1..].sort();
        lines
    };
    assert_eq!(sorted(&a), sorted(&b), "{remote}\nversus\n{local}");
}

fn local_copy(dir: &Path) -> Engine {
    let mut engine = Engine::new().unwrap();
    std::fs::write(dir.join("firms.csv"), FIRMS_CSV).unwrap();
    engine.allow_folder(dir).unwrap();
    engine
        .load_file(
            "local",
            &dir.join("firms.csv"),
            &itq::LoadOptions::default(),
        )
        .unwrap();
    engine
}

const QUERIES: &[&str] = &[
    "FIRMS",
    "FIRMS where province = \"Gansu\" sum investment",
    "FIRMS sum investment, count by province",
    "FIRMS where investment > 2 and listed select name, investment * 2 as twice",
    "FIRMS sort investment desc limit 3",
    "FIRMS top 2 by employees",
    "FIRMS join provinces on province = name select name, region, investment",
    "FIRMS join provinces on province = name where region = \"west\" and employees > 10 select name",
    "FIRMS join provinces on province = name sum investment by region",
    "FIRMS where founded >= 2020-01-01 count",
    "FIRMS where name contains \"QUOTE\" select name",
    "FIRMS distinct province",
    "FIRMS avg investment, median employees",
];

#[test]
fn postgres_tables_attach_and_answer_as_the_native_engine() {
    let Some(pg) = Postgres::start() else { return };
    pg.execute(FIRMS_SQL).expect("the test tables");
    let dir = tempfile::tempdir().unwrap();
    let mut engine = local_copy(dir.path());
    let attached = engine.attach_database("wh", &pg.url()).unwrap();
    let notice = itq::print::notice(&attached, false).unwrap();
    assert!(
        notice.contains("attached `wh` (PostgreSQL at 127.0.0.1:"),
        "{notice}"
    );
    assert!(notice.contains("wh.firms"), "{notice}");
    assert!(!notice.contains(PASSWORD), "{notice}");
    for q in QUERIES {
        same_answer(
            &mut engine,
            &q.replace("FIRMS", "wh.firms"),
            &q.replace("FIRMS", "local"),
        );
    }
    // A jsonb column is left out, and `describe` says so.
    let d = engine.describe("wh.firms").unwrap();
    assert_eq!(d.fields.len(), 6);
    assert!(d.doc.unwrap().contains("extra (jsonb)"));
    // The filter on the attached side ran on the server.
    let x = engine
        .explain("wh.firms join provinces on province = name where investment > 10 and region = \"west\" count")
        .unwrap();
    assert_eq!(x.parts.len(), 1);
    assert!(
        x.parts[0].sql.contains("WHERE investment > 10"),
        "{:?}",
        x.parts
    );
    assert!(!x.parts[0].sql.contains("extra"), "{:?}", x.parts);
    assert!(x.local);
    let before = pg.log().len();
    let got = csv(&mut engine, "wh.big where id <= 50 count").unwrap();
    assert_eq!(got, "count\n50\n");
    let log = pg.log();
    assert!(
        log[before..].contains("WHERE id <= 50"),
        "the server's log: {}",
        &log[before..]
    );
    // One database: the whole query runs there and nothing more here.
    let x = engine
        .explain("wh.firms sum investment by province")
        .unwrap();
    assert!(!x.local && x.parts.len() == 1, "{x:?}");
}

#[test]
fn postgres_errors_are_clear_and_keep_the_session() {
    let Some(pg) = Postgres::start() else { return };
    pg.execute(FIRMS_SQL).expect("the test tables");
    let mut engine = Engine::new().unwrap();
    // A wrong password: the server's reason, never the password.
    let wrong = format!("postgres://itq:not-{PASSWORD}@127.0.0.1:{}/itq", pg.port());
    let e = engine.attach_database("wh", &wrong).unwrap_err();
    let text = e.render();
    assert!(text.contains("password authentication failed"), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");
    // Written as a statement, the rendered source line hides it too.
    let e = engine
        .query(&format!("attach \"{wrong}\" as wh; provinces count"))
        .unwrap_err();
    assert!(!e.render().contains(PASSWORD), "{}", e.render());
    // Nothing listens there.
    let e = engine
        .attach_database("wh", "postgres://itq@127.0.0.1:1/itq")
        .unwrap_err();
    let text = e.render();
    assert!(
        text.contains("`wh` (PostgreSQL at 127.0.0.1:1/itq)"),
        "{text}"
    );
    assert!(text.contains("refused"), "{text}");
    // The session goes on.
    assert_eq!(csv(&mut engine, "provinces count").unwrap(), "count\n31\n");
    engine.attach_database("wh", &pg.url()).unwrap();
    let e = engine.query("wh.firmz").unwrap_err();
    assert!(
        e.render().contains("did you mean `wh.firms`?"),
        "{}",
        e.render()
    );
    // A dropped connection is made again.
    pg.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'itq' AND pid <> pg_backend_pid()")
        .unwrap();
    assert_eq!(csv(&mut engine, "wh.firms count").unwrap(), "count\n5\n");
    // A table dropped behind itq's back: the server's message.
    pg.execute("DROP TABLE big").unwrap();
    let e = engine.query("wh.big count").unwrap_err();
    assert!(
        e.render().contains("\"big\" does not exist"),
        "{}",
        e.render()
    );
    // Cancel stops the server's query (five one-second sleeps).
    let handle = engine.interrupt_handle();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(500));
        handle.cancel();
    });
    let started = std::time::Instant::now();
    let e = engine.query("wh.slow count").unwrap_err();
    canceller.join().unwrap();
    assert_eq!(e.kind(), &ErrorKind::Cancelled, "{}", e.render());
    eprintln!("cancelled the remote query after {:?}", started.elapsed());
    assert_eq!(csv(&mut engine, "wh.firms count").unwrap(), "count\n5\n");
}

#[test]
fn the_command_line_attaches_with_a_flag_and_a_statement() {
    let Some(pg) = Postgres::start() else { return };
    pg.execute(FIRMS_SQL).expect("the test tables");
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("report.itq");
    std::fs::write(
        &script,
        "wh.firms join provinces on province = name sum investment by region sort region\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_itq"))
        .arg("--attach")
        .arg(format!("wh={}", pg.url()))
        .args(["--format", "csv"])
        .arg(&script)
        .current_dir("/")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout, "region,sum_investment\ncentral,40.25\nwest,14.0\n");
    assert!(!stderr.contains(PASSWORD), "{stderr}");
    let out = Command::new(env!("CARGO_BIN_EXE_itq"))
        .args(["sql", "--explain", "--attach"])
        .arg(format!("wh={}", pg.url()))
        .args(["-c", "wh.firms where province = \"Gansu\" count"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("WHERE province = 'Gansu'"), "{stdout}");
    assert!(stdout.contains("only that result comes back"), "{stdout}");
}

#[test]
fn sqlite_files_attach_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("register.sqlite");
    {
        let db = rusqlite::Connection::open(&file).unwrap();
        db.execute_batch(
            "CREATE TABLE firms (name TEXT, province TEXT, investment REAL, employees INTEGER,
                                 founded DATE, listed BOOLEAN, photo BLOB);
             INSERT INTO firms VALUES
               ('Longi', 'Gansu', 12.5, 100, '2020-01-02', 1, NULL),
               ('Tongwei', 'Sichuan', 3.0, NULL, '2021-05-06', 0, NULL),
               ('Jinko', 'Gansu', NULL, 7, NULL, NULL, NULL),
               ('Chery', 'Anhui', 40.25, 30, '2019-12-31', 1, NULL),
               ('Bé ‘quote’', 'Yunnan', -1.5, 0, '2024-02-29', 0, x'00');",
        )
        .unwrap();
    }
    let before = std::fs::read(&file).unwrap();
    let mut engine = local_copy(dir.path());
    engine
        .query(&format!(
            "attach {:?} as reg; provinces count",
            file.display().to_string()
        ))
        .unwrap();
    for q in QUERIES {
        same_answer(
            &mut engine,
            &q.replace("FIRMS", "reg.firms"),
            &q.replace("FIRMS", "local"),
        );
    }
    let d = engine.describe("reg.firms").unwrap();
    assert!(d.doc.unwrap().contains("photo (BLOB)"));
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "the file is unchanged"
    );
    // A file that is not there is not created.
    let missing = dir.path().join("nothere.sqlite");
    let e = engine
        .query(&format!(
            "attach {:?} as x; provinces count",
            missing.display().to_string()
        ))
        .unwrap_err();
    assert!(e.render().contains("nothere.sqlite"), "{}", e.render());
    assert!(!missing.exists());
    // Not a database at all.
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "hello, this is text\n").unwrap();
    let e = engine
        .query(&format!(
            "attach {:?} as x; provinces count",
            text.display().to_string()
        ))
        .unwrap_err();
    assert!(
        e.render().contains("is it a SQLite database?"),
        "{}",
        e.render()
    );
    // detach forgets it.
    engine.query("detach reg; provinces count").unwrap();
    let e = engine.query("reg.firms").unwrap_err();
    assert!(
        e.render().contains("unknown relation `reg.firms`"),
        "{}",
        e.render()
    );
}
