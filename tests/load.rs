//! Loading files: a real dataset checked against SQLite, round trips through
//! `save` and `load`, and every kind of malformed input, each of which must
//! leave the relation that was there before untouched.

use itq::{render, Engine, Format, Scalar, Type};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

// ---------------------------------------------------------------- helpers

/// A fresh engine allowed to use `dir`.
fn engine_in(dir: &Path) -> Engine {
    let mut e = Engine::new().unwrap();
    e.allow_folder(dir).unwrap();
    e
}

/// Runs statements whose paths are relative to `dir`.
fn run(e: &mut Engine, dir: &Path, text: &str) -> Result<itq::Table, itq::Error> {
    let source = itq::Source::file(&dir.join("test.itq"), text);
    let mut last = None;
    e.run(&source, |out| {
        if let itq::Output::Table(t) = out {
            last = Some(t);
        }
    })?;
    Ok(last.unwrap_or_else(|| itq::Table::new(vec![])))
}

fn csv_of(e: &mut Engine, dir: &Path, query: &str) -> String {
    match run(e, dir, query) {
        Ok(t) => render(&t, Format::Csv),
        Err(err) => panic!("{query}\n{}", err.render()),
    }
}

fn error_of(e: &mut Engine, dir: &Path, text: &str) -> String {
    match run(e, dir, text) {
        Ok(_) => panic!("expected an error from {text}"),
        Err(err) => err.render(),
    }
}

fn write(dir: &Path, name: &str, contents: &[u8]) {
    std::fs::write(dir.join(name), contents).unwrap();
}

// ------------------------------------------------- the penguins, vs SQLite

/// The folder holding the palmerpenguins package's CSV files. `.ci/run`
/// installs the package (data only, no dependencies) there; a developer's
/// first `cargo test` does the same if it is missing.
fn penguins_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("palmerpenguins");
        let data = target.join("palmerpenguins").join("data");
        if !data.join("penguins.csv").exists() {
            let status = std::process::Command::new("python3")
                .args(["-m", "pip", "install", "--quiet", "--no-deps", "--target"])
                .arg(&target)
                .arg("palmerpenguins==0.1.6")
                .status()
                .expect("python3 is needed to install the palmerpenguins test data");
            assert!(status.success(), "pip could not install palmerpenguins");
        }
        data
    })
}

/// The penguins CSV in an SQLite table, read with the csv crate (not itq):
/// `NA` is NULL, numbers are typed by column.
fn sqlite_penguins() -> Connection {
    let db = Connection::open_in_memory().unwrap();
    db.execute_batch(
        "create table penguins (species text, island text, bill_length_mm real,
         bill_depth_mm real, flipper_length_mm integer, body_mass_g integer, sex text, year integer)",
    )
    .unwrap();
    let mut reader = csv::Reader::from_path(penguins_dir().join("penguins.csv")).unwrap();
    for record in reader.records() {
        let r = record.unwrap();
        let v: Vec<Option<&str>> = r.iter().map(|f| (f != "NA").then_some(f)).collect();
        db.execute(
            "insert into penguins values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            rusqlite::params![
                v[0],
                v[1],
                v[2].map(|x| x.parse::<f64>().unwrap()),
                v[3].map(|x| x.parse::<f64>().unwrap()),
                v[4].map(|x| x.parse::<i64>().unwrap()),
                v[5].map(|x| x.parse::<i64>().unwrap()),
                v[6],
                v[7].map(|x| x.parse::<i64>().unwrap()),
            ],
        )
        .unwrap();
    }
    db
}

/// A cell as SQLite and itq can both give it.
#[derive(Debug, Clone)]
enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl PartialEq for Cell {
    fn eq(&self, other: &Cell) -> bool {
        match (self, other) {
            (Cell::Null, Cell::Null) => true,
            (Cell::Int(a), Cell::Int(b)) => a == b,
            (Cell::Real(a), Cell::Real(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
            (Cell::Text(a), Cell::Text(b)) => a == b,
            _ => false,
        }
    }
}

fn sqlite_rows(db: &Connection, sql: &str) -> Vec<Vec<Cell>> {
    let mut stmt = db.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |row| {
        Ok((0..n)
            .map(|i| match row.get_ref(i).unwrap() {
                rusqlite::types::ValueRef::Null => Cell::Null,
                rusqlite::types::ValueRef::Integer(v) => Cell::Int(v),
                rusqlite::types::ValueRef::Real(v) => Cell::Real(v),
                rusqlite::types::ValueRef::Text(t) => {
                    Cell::Text(String::from_utf8_lossy(t).into_owned())
                }
                rusqlite::types::ValueRef::Blob(_) => panic!("no blobs here"),
            })
            .collect())
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn itq_rows(t: &itq::Table) -> Vec<Vec<Cell>> {
    t.rows()
        .map(|row| {
            row.into_iter()
                .map(|v| match v {
                    Scalar::Null => Cell::Null,
                    Scalar::Int(i) => Cell::Int(i),
                    Scalar::Decimal(d) => Cell::Real(d),
                    Scalar::Text(s) => Cell::Text(s.to_string()),
                    other => Cell::Text(other.to_string()),
                })
                .collect()
        })
        .collect()
}

#[test]
fn penguins_answers_match_sqlite() {
    let dir = penguins_dir();
    let db = sqlite_penguins();
    let mut e = engine_in(dir);
    run(&mut e, dir, r#"load "penguins.csv""#).unwrap();
    let schema: Vec<(String, Type)> = e
        .catalog()
        .relation("penguins")
        .unwrap()
        .table
        .fields()
        .iter()
        .map(|f| (f.name.clone(), f.ty))
        .collect();
    let expected_schema = [
        ("species", Type::Text),
        ("island", Type::Text),
        ("bill_length_mm", Type::Decimal),
        ("bill_depth_mm", Type::Decimal),
        ("flipper_length_mm", Type::Int),
        ("body_mass_g", Type::Int),
        ("sex", Type::Text),
        ("year", Type::Int),
    ];
    assert_eq!(
        schema,
        expected_schema
            .iter()
            .map(|(n, t)| (n.to_string(), *t))
            .collect::<Vec<_>>()
    );

    let cases = [
        // Counts, sums and averages over columns with nulls.
        (
            "penguins count, count sex, sum body_mass_g, avg bill_length_mm, min flipper_length_mm, max bill_depth_mm",
            "select count(*), count(sex), sum(body_mass_g), avg(bill_length_mm), min(flipper_length_mm), max(bill_depth_mm) from penguins",
        ),
        // Grouping, with null as its own group, ordered.
        (
            "penguins count, avg body_mass_g by species, sex sort species, sex",
            "select count(*), avg(body_mass_g), species, sex from penguins group by species, sex
             order by species, sex is null, sex",
        ),
        (
            "penguins where island = \"Dream\" and bill_length_mm > 45 count by species sort species",
            "select species, count(*) from penguins where island = 'Dream' and bill_length_mm > 45
             group by species order by species",
        ),
        (
            "penguins count distinct island by year sort year",
            "select year, count(distinct island) from penguins group by year order by year",
        ),
        (
            "penguins where sex is null select species, island, year sort species, island, year",
            "select species, island, year from penguins where sex is null order by species, island, year",
        ),
        (
            "penguins derive bill_length_mm / bill_depth_mm as ratio top 5 by ratio select species, ratio",
            "select species, bill_length_mm / bill_depth_mm as ratio from penguins
             where ratio is not null order by ratio desc limit 5",
        ),
    ];
    for (query, sql) in cases {
        let t = run(&mut e, dir, query).unwrap_or_else(|err| panic!("{}", err.render()));
        let mut got = itq_rows(&t);
        let mut want = sqlite_rows(&db, sql);
        // The grouped query lists aggregates before keys in SQL; reorder.
        if query.contains("avg body_mass_g by species, sex") {
            want = want
                .into_iter()
                .map(|r| vec![r[2].clone(), r[3].clone(), r[0].clone(), r[1].clone()])
                .collect();
        }
        if query.contains("count distinct") || query.contains("count by species") {
            // itq puts keys first, as SQL here does.
            got = got.into_iter().collect();
        }
        assert_eq!(got, want, "{query}");
    }

    // A join: each penguin against its species' mean mass.
    run(
        &mut e,
        dir,
        "let means = penguins avg body_mass_g as mean by species",
    )
    .unwrap();
    let t = run(
        &mut e,
        dir,
        "penguins join means on species where body_mass_g > mean count by species, island sort species, island",
    )
    .unwrap();
    let want = sqlite_rows(
        &db,
        "with means as (select species, avg(body_mass_g) as mean from penguins group by species)
         select p.species, p.island, count(*) from penguins p join means m on p.species = m.species
         where p.body_mass_g > m.mean group by p.species, p.island order by p.species, p.island",
    );
    assert_eq!(itq_rows(&t), want);
}

#[test]
fn the_raw_penguins_file_has_quotes_dates_and_names_with_spaces() {
    let dir = penguins_dir();
    let mut e = engine_in(dir);
    run(&mut e, dir, r#"load "penguins-raw.csv" as raw"#).unwrap();
    let table = &e.catalog().relation("raw").unwrap().table;
    assert_eq!(table.num_rows(), 344);
    assert_eq!(table.column("Date Egg").unwrap().ty(), Type::Date);
    assert_eq!(
        table.column("Stage").unwrap().get(0).to_string(),
        "Adult, 1 Egg Stage"
    );
    assert_eq!(
        csv_of(
            &mut e,
            dir,
            "raw count, min `Date Egg`, max `Date Egg` by `Clutch Completion` sort `Clutch Completion`"
        ),
        "Clutch Completion,count,min_Date Egg,max_Date Egg\nNo,36,2007-11-10,2009-12-01\nYes,308,2007-11-09,2009-12-01\n"
    );
}

// ------------------------------------------------------------ round trips

#[test]
fn saved_files_load_back_with_the_same_types_and_values() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut e = engine_in(dir);
    for ext in ["csv", "json", "ndjson"] {
        for relation in ["events", "projects", "province_stats"] {
            run(
                &mut e,
                dir,
                &format!(
                    "save {relation} to \"{relation}.{ext}\"\nload \"{relation}.{ext}\" as back"
                ),
            )
            .unwrap();
            let original = e.catalog().relation(relation).unwrap().table.clone();
            let back = e.catalog().relation("back").unwrap().table.clone();
            let types = |t: &itq::Table| -> Vec<(String, Type)> {
                t.fields()
                    .iter()
                    .enumerate()
                    // A column with no values at all has no type to keep; it comes back as text.
                    .filter(|(i, _)| t.column_at(*i).null_count() < t.num_rows())
                    .map(|(_, f)| (f.name.clone(), f.ty))
                    .collect()
            };
            assert_eq!(types(&back), types(&original), "{relation}.{ext}");
            assert_eq!(
                render(&back, Format::Csv),
                render(&original, Format::Csv),
                "{relation}.{ext}"
            );
        }
    }
}

#[test]
fn save_never_overwrites_unless_told_and_writes_whole_files() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut e = engine_in(dir);
    write(dir, "out.csv", b"precious\n");
    let err = error_of(&mut e, dir, r#"save provinces to "out.csv""#);
    assert!(err.contains("`out.csv` exists already"), "{err}");
    assert!(err.contains("add `replace`"), "{err}");
    assert_eq!(std::fs::read(dir.join("out.csv")).unwrap(), b"precious\n");
    run(&mut e, dir, r#"save provinces count to "out.csv" replace"#).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.join("out.csv")).unwrap(),
        "count\n31\n"
    );
    // A failing query writes nothing.
    let err = error_of(&mut e, dir, r#"save provinces where nme = 1 to "new.csv""#);
    assert!(err.contains("did you mean `name`?"), "{err}");
    assert!(!dir.join("new.csv").exists());
    // No temporary files are left behind.
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["out.csv".to_string()]);
}

// ------------------------------------------------------ inference, options

#[test]
fn types_are_inferred_from_every_value_or_given() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    write(
        dir,
        "t.csv",
        b"\xEF\xBB\xBFid,code,share,ok,day,note\n1,007,1.5,true,2024-01-31,NA\n2,12,2,FALSE,2024-02-29,\n3,A5,NULL,null,,\"a, \"\"quoted\"\"\nnote\"\n",
    );
    let mut e = engine_in(dir);
    run(&mut e, dir, r#"load "t.csv""#).unwrap();
    let t = &e.catalog().relation("t").unwrap().table;
    let types: Vec<Type> = t.fields().iter().map(|f| f.ty).collect();
    assert_eq!(
        types,
        [
            Type::Int,
            Type::Text,
            Type::Decimal,
            Type::Bool,
            Type::Date,
            Type::Text
        ]
    );
    assert_eq!(t.get(2, 5).to_string(), "a, \"quoted\"\nnote");
    assert_eq!(t.get(0, 1).to_string(), "007");
    assert_eq!(t.get(2, 2), Scalar::Null);

    // A given type is checked, never widened: decimals are not integers.
    let err = error_of(&mut e, dir, r#"load "t.csv" as bad with (share: int)"#);
    assert!(
        err.contains("line 2, column `share`: expected an integer, found `1.5`"),
        "{err}"
    );
    write(dir, "d.json", br#"[{"a": 1.5}]"#);
    let err = error_of(&mut e, dir, r#"load "d.json" with (a: int)"#);
    assert!(
        err.contains("column `a`: expected an integer, found `1.5`"),
        "{err}"
    );
    // In quotes, NA is text; an empty field is null either way. Written out,
    // the text NA keeps its quotes, so it loads back as text.
    write(dir, "q.csv", b"a,b\n\"NA\",NA\n\"\",x\n");
    assert_eq!(
        csv_of(
            &mut e,
            dir,
            "load \"q.csv\"\nq select a, a is null as a_null, b is null as b_null"
        ),
        "a,a_null,b_null\n\"NA\",false,true\n,true,false\n"
    );
    // Integers past 64 bits (long identifiers) are text, not rounded decimals.
    write(
        dir,
        "ids.csv",
        b"contract\n91110000100001234567\n91110000100001234568\n",
    );
    assert_eq!(
        csv_of(&mut e, dir, "load \"ids.csv\"\nids"),
        "contract\n91110000100001234567\n91110000100001234568\n"
    );
    run(
        &mut e,
        dir,
        r#"load "t.csv" as forced with (id: decimal, share: text)"#,
    )
    .unwrap();
    let t = &e.catalog().relation("forced").unwrap().table;
    assert_eq!(t.fields()[0].ty, Type::Decimal);
    assert_eq!(t.get(1, 2).to_string(), "2");

    write(dir, "semi.txt", b"a;b\n1;x\n2;y\n");
    assert_eq!(
        csv_of(&mut e, dir, "load \"semi.txt\"\nsemi sum a"),
        "sum_a\n3\n"
    );
    write(dir, "bars.csv", b"a|b\n1|x\n");
    assert_eq!(
        csv_of(
            &mut e,
            dir,
            "load \"bars.csv\" delimiter \"|\"\nbars select b"
        ),
        "b\nx\n"
    );
    write(
        dir,
        "data.export",
        b"{\"a\": 1}\n{\"a\": 2, \"b\": [1, 2]}\n",
    );
    assert_eq!(
        csv_of(
            &mut e,
            dir,
            "load \"data.export\" as d format ndjson\nd select a, b"
        ),
        "a,b\n1,\n2,\"[1,2]\"\n"
    );
}

#[test]
fn loading_a_name_replaces_it_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    write(dir, "p.csv", b"province,investment\nGansu,1.5\nGansu,2\n");
    let mut e = engine_in(dir);
    let mut outputs = Vec::new();
    e.run(
        &itq::Source::file(&dir.join("s.itq"), "load \"p.csv\" as projects"),
        |o| outputs.push(o),
    )
    .unwrap();
    assert!(matches!(
        &outputs[0],
        itq::Output::Loaded { name, rows: 2, columns: 2, replaced: Some("relation"), .. } if name == "projects"
    ));
    assert_eq!(
        csv_of(
            &mut e,
            dir,
            r#"projects where province = "Gansu" sum investment"#
        ),
        "sum_investment\n3.5\n"
    );
}

// ------------------------------------------------------ malformed input

/// Each malformed file: its bytes, and what the error must say.
const MALFORMED: &[(&str, &[u8], &[&str])] = &[
    ("empty.csv", b"", &["empty.csv is empty", "header row"]),
    ("blank.csv", b"\n\n  \n", &["blank.csv is empty"]),
    (
        "ragged.csv",
        b"a,b\n1,2\n3,4,5\n6,7\n",
        &[
            "ragged.csv, line 3: 3 fields, but the header names 2 columns",
            "double quotes",
        ],
    ),
    (
        "one.csv",
        b"a\n1\n2,3\n",
        &["one.csv, line 3: 2 fields, but the header names 1 column"],
    ),
    (
        "short.csv",
        b"a,b,c\n1,2,3\n4,5\n",
        &["short.csv, line 3: 2 fields, but the header names 3 columns"],
    ),
    (
        "utf16.csv",
        b"\xFF\xFEa\x00\n\x00\x00\xD8\n\x00",
        &["utf16.csv, line 2: byte 0x00 (at offset 4) is not valid UTF-16LE"],
    ),
    (
        "mac.csv",
        b"a,b\r1,2\r3,4\r",
        &["mac.csv ends its lines with a carriage return alone"],
    ),
    (
        "unclosed.csv",
        b"a,b\n1,2\n3,\"x\n4,5\n",
        &["unclosed.csv, line 3: a quoted field is never closed"],
    ),
    (
        "latin1.csv",
        b"name,city\nx,M\xfcnchen\n",
        &[
            "latin1.csv, line 2: byte 0xFC (at offset 13) is not valid UTF-8, nor GB18030",
            "the file is likely Western European (Windows-1252); name its encoding, as in `encoding \"windows-1252\"`",
        ],
    ),
    (
        "bad.json",
        b"[{\"a\": 1},\n {\"a\": 2,}]",
        &["bad.json, line 2, column 10: trailing comma"],
    ),
    (
        "scalar.json",
        b"42",
        &["scalar.json holds a number, not an array of objects"],
    ),
    (
        "mixed.json",
        b"[{\"a\": 1}, [1]]",
        &["mixed.json, record 2: an array, not an object"],
    ),
    (
        "bad.ndjson",
        b"{\"a\": 1}\n\n{\"a\": }\n",
        &["bad.ndjson, line 3, column 7"],
    ),
];

#[test]
fn malformed_files_get_their_own_message_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut e = engine_in(dir);
    write(dir, "good.csv", b"a,b\n1,2\n3,4\n");
    run(&mut e, dir, r#"load "good.csv" as p"#).unwrap();
    for (name, bytes, needles) in MALFORMED {
        write(dir, name, bytes);
        let err = error_of(&mut e, dir, &format!("load \"{name}\" as p"));
        for needle in *needles {
            assert!(err.contains(needle), "{name}: wanted {needle:?} in\n{err}");
        }
        assert!(
            err.contains(&format!("load \"{name}\" as p")),
            "{name}: the statement is shown\n{err}"
        );
        assert_eq!(
            csv_of(&mut e, dir, "p sum a"),
            "sum_a\n4\n",
            "{name} changed `p`"
        );
    }
}

#[test]
fn a_stray_value_in_a_number_column_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut csv = String::from("id,investment\n");
    for i in 1..1204 {
        csv.push_str(&format!("{i},{i}.5\n"));
    }
    csv.push_str("1204,tbd\n1205,7\n");
    write(dir, "p.csv", csv.as_bytes());
    let mut e = engine_in(dir);
    let err = error_of(&mut e, dir, r#"load "p.csv""#);
    assert!(
        err.contains("p.csv, line 1,205, column `investment`: expected a number, found `tbd`"),
        "{err}"
    );
    assert!(
        err.contains("use `with (investment: text)` to keep it as text"),
        "{err}"
    );
    // With the type given, the same value is reported the same way.
    let err = error_of(&mut e, dir, r#"load "p.csv" with (investment: decimal)"#);
    assert!(
        err.contains("line 1,205, column `investment`: expected a number, found `tbd`"),
        "{err}"
    );
    assert_eq!(
        csv_of(
            &mut e,
            dir,
            "load \"p.csv\" with (investment: text)\np count"
        ),
        "count\n1205\n"
    );
}

/// A file of more than 8 MB is cut into chunks parsed in parallel, each but
/// the first counting its lines from 0 until the lines before it are known:
/// the lines a note or an error names are still the file's, past quoted
/// fields that span lines.
#[test]
fn lines_named_deep_in_a_file_read_in_parallel_are_the_files_lines() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut csv = String::from("id,name,amount\n");
    let (mut line, mut placeholder_line) = (1, 0);
    for i in 1..=400_000 {
        line += 1;
        if i % 1000 == 0 {
            // A name over two lines.
            csv.push_str(&format!("{i},\"firm\n{i}\",{i}\n"));
            line += 1;
        } else if i == 300_001 {
            csv.push_str(&format!("{i},firm,n/a\n"));
            placeholder_line = line;
        } else {
            csv.push_str(&format!("{i},firm {},{i}\n", i % 50));
        }
    }
    assert!(csv.len() > 8 << 20, "the file must be cut into chunks");
    write(dir, "big.csv", csv.as_bytes());
    let mut e = engine_in(dir);
    let mut notes = Vec::new();
    let source = itq::Source::file(&dir.join("test.itq"), "load \"big.csv\"");
    e.run(&source, |out| {
        if let itq::Output::Loaded { notes: n, .. } = out {
            notes.extend(n);
        }
    })
    .unwrap();
    // 300,001 records and the 300 names over two lines before them, under the header.
    assert_eq!(placeholder_line, 300_302);
    let shown = "on line 300,302";
    assert!(
        notes
            .iter()
            .any(|n| n.contains("`n/a`") && n.contains(shown)),
        "{shown} in {notes:?}"
    );
    // A stray word at the end of the same file is named at its line.
    csv.push_str("400001,firm,tbd\n");
    write(dir, "big.csv", csv.as_bytes());
    let err = error_of(&mut e, dir, r#"load "big.csv""#);
    assert!(
        err.contains("big.csv, line 400,402, column `amount`: expected a number, found `tbd`"),
        "{err}"
    );
}

#[test]
fn missing_files_folders_and_bad_options_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    std::fs::create_dir(dir.join("sub")).unwrap();
    write(dir, "t.csv", b"a\n1\n");
    write(dir, "eu.csv", b"a;b\nx;1.234,5\n");
    let mut e = engine_in(dir);
    let cases: &[(&str, &str)] = &[
        (r#"load "nope.csv""#, "cannot read `nope.csv`"),
        (r#"load "sub""#, "it is a folder, not a file"),
        (r#"load "nowhere/x.csv""#, "does not exist"),
        (r#"load "t.csv" with (b: int)"#, "has no column `b`"),
        (
            r#"load "t.csv" with (a: integr)"#,
            "did you mean `integer`?",
        ),
        (r#"load "t.csv" format xml"#, "unknown format `xml`"),
        (r#"load "t.csv" delimiter ";;""#, "cannot be a delimiter"),
        ("load t.csv", "put the path in double quotes: \"t.csv\""),
        (
            r#"save provinces to "out.xls""#,
            "itq writes workbooks as .xlsx",
        ),
        (r#"save provinces to "out.dbf""#, "cannot tell what format"),
        (r#"load $file"#, "the parameter `$file` has no value"),
        (
            r#"load "eu.csv" with (b: decimal)"#,
            "itq reads decimal points, not decimal commas: write `1234.5`",
        ),
    ];
    for (text, needle) in cases {
        let err = error_of(&mut e, dir, text);
        assert!(err.contains(needle), "{text}: wanted {needle:?} in\n{err}");
    }
}

#[test]
fn files_outside_the_granted_folders_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let inside = dir.path().join("inside");
    std::fs::create_dir(&inside).unwrap();
    write(dir.path(), "secret.csv", b"a\n1\n");
    let mut e = engine_in(&inside);
    let err = error_of(&mut e, &inside, r#"load "../secret.csv""#);
    assert!(err.contains("is outside the folders itq may use"), "{err}");
    let err = error_of(&mut e, &inside, r#"save provinces to "../out.csv""#);
    assert!(err.contains("is outside the folders itq may use"), "{err}");
    assert!(!dir.path().join("out.csv").exists());
    // An engine granted nothing reads nothing.
    let mut bare = Engine::new().unwrap();
    let err = error_of(&mut bare, &inside, r#"load "x.csv""#);
    assert!(
        err.contains("this engine may not read or write files"),
        "{err}"
    );
    // The host itself may load anything.
    bare.load_file("s", &dir.path().join("secret.csv"), &Default::default())
        .unwrap();
    assert_eq!(csv_of(&mut bare, &inside, "s"), "a\n1\n");
}

// ------------------------------------------------- parallel = sequential

#[test]
fn a_large_file_parsed_in_chunks_matches_a_row_by_row_reading() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    // ~10 MB: several chunks. Quoted fields with commas, quotes and newlines
    // cross chunk boundaries; nulls and a late decimal widen columns.
    let mut csv = String::from("id,name,score,when\n");
    let n = 150_000;
    for i in 0..n {
        let name = match i % 7 {
            0 => format!("\"line one\nline {i}, \"\"two\"\"\""),
            1 => String::from("NA"),
            _ => format!("name {}", i % 1000),
        };
        let score = if i == n - 3 {
            "2.5".to_string()
        } else {
            (i % 100).to_string()
        };
        let when = if i % 11 == 0 {
            String::new()
        } else {
            format!("2024-01-{:02}", i % 28 + 1)
        };
        csv.push_str(&format!("{i},{name},{score},{when}\n"));
    }
    write(dir, "big.csv", csv.as_bytes());
    let mut e = engine_in(dir);
    run(&mut e, dir, r#"load "big.csv""#).unwrap();
    let t = e.catalog().relation("big").unwrap().table.clone();
    assert_eq!(t.num_rows(), n);
    let types: Vec<Type> = t.fields().iter().map(|f| f.ty).collect();
    assert_eq!(types, [Type::Int, Type::Text, Type::Decimal, Type::Date]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    for (row, record) in reader.records().enumerate() {
        let record = record.unwrap();
        let got: Vec<String> = (0..4)
            .map(|c| match t.get(row, c) {
                Scalar::Null => String::new(),
                Scalar::Decimal(d) => format!("{d}"),
                v => v.to_string(),
            })
            .collect();
        let want: Vec<String> = record
            .iter()
            .map(|f| {
                if f == "NA" {
                    String::new()
                } else {
                    f.to_string()
                }
            })
            .collect();
        assert_eq!(got, want, "row {row}");
    }
    // An error deep in the file names its true line.
    let mut bad = csv.clone();
    bad.push_str("150000,x,oops,2024-01-01,extra\n");
    write(dir, "bad.csv", bad.as_bytes());
    let lines = csv.matches('\n').count() + 1;
    let err = error_of(&mut e, dir, r#"load "bad.csv""#);
    assert!(
        err.contains(&format!("line {}: 5 fields", thousands(lines))),
        "{err}"
    );
}

/// The dictionary of a loaded text column: each string once, in order of
/// first appearance in the file, and no string that no row holds.
fn dictionary_of(t: &itq::Table, column: &str) -> Vec<String> {
    match t.column(column).expect("a column of that name").data() {
        itq::Data::Text(_, dict) => dict.values().iter().map(|s| s.to_string()).collect(),
        other => panic!("column {column} is not text: {other:?}"),
    }
}

#[test]
fn text_columns_read_in_parallel_chunks_list_each_string_once_in_order_of_first_appearance() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    // ~20 MB, so some forty chunks read by both threads in no fixed order.
    // `firm` has 60,000 values, met first in a scrambled order; `code` is
    // numbers for the first half and text after (the numeric chunks are read
    // again as text); `grade` starts with a placeholder (read as null while
    // the column might be numeric, so its first chunk is read again to keep
    // it) before its first word.
    let n = 400_000usize;
    let mut csv = String::from("firm,code,grade,pad\n");
    for i in 0..n {
        let firm = format!("F{}", (i * 7919 + i / 3) % 60_000);
        let code = if i < n / 2 {
            (i % 5000).to_string()
        } else {
            format!("c{}", i % 3000)
        };
        let grade = match i {
            0 => "-".to_string(),
            _ if i < 1000 => format!("h{}", i % 10),
            _ => format!("g{}", i % 97),
        };
        csv.push_str(&format!("{firm},{code},{grade},{}\n", "x".repeat(20)));
    }
    write(dir, "firms.csv", csv.as_bytes());
    let mut e = engine_in(dir);
    run(&mut e, dir, r#"load "firms.csv""#).unwrap();
    let t = e.catalog().relation("firms").unwrap().table.clone();
    assert_eq!(t.num_rows(), n);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    for column in 0..3 {
        let mut seen = std::collections::HashSet::new();
        let want: Vec<String> = records
            .iter()
            .map(|r| r[column].to_string())
            .filter(|v| seen.insert(v.clone()))
            .collect();
        let name = ["firm", "code", "grade"][column];
        assert_eq!(dictionary_of(&t, name), want, "column {name}");
        for (row, r) in records.iter().enumerate() {
            assert_eq!(
                t.get(row, column).to_string(),
                r[column],
                "row {row}, column {column}"
            );
        }
    }
    // The same through a query: the first firms, by first appearance.
    assert_eq!(
        csv_of(&mut e, dir, "firms distinct firm limit 3"),
        "firm\nF0\nF7919\nF15838\n"
    );
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

// ------------------------------------------------------------- host API

#[test]
fn hosts_hand_over_records_and_columns() {
    #[derive(serde::Serialize)]
    struct Project {
        province: &'static str,
        investment: Option<f64>,
        year: i64,
    }
    let mut e = Engine::new().unwrap();
    e.add_records(
        "mine",
        [
            Project {
                province: "Gansu",
                investment: Some(1.5),
                year: 2024,
            },
            Project {
                province: "Gansu",
                investment: None,
                year: 2024,
            },
            Project {
                province: "Henan",
                investment: Some(2.0),
                year: 2023,
            },
        ],
    )
    .unwrap();
    assert_eq!(
        render(
            &e.query("mine sum investment, count by province").unwrap(),
            Format::Csv
        ),
        "province,sum_investment,count\nGansu,1.5,2\nHenan,2.0,1\n"
    );
    let err = e
        .add_columns(
            "bad",
            vec![
                ("a".into(), itq::Column::from_ints([Some(1), Some(2)])),
                ("b".into(), itq::Column::from_texts([Some("x")])),
            ],
        )
        .unwrap_err();
    assert!(err
        .render()
        .contains("column `b` of `bad` has 1 row, but `a` has 2 rows"));
    e.add_columns(
        "good",
        vec![
            ("a".into(), itq::Column::from_ints([Some(1), None])),
            ("b".into(), itq::Column::from_texts([Some("x"), Some("y")])),
        ],
    )
    .unwrap();
    assert_eq!(
        render(&e.query("good sum a").unwrap(), Format::Csv),
        "sum_a\n1\n"
    );
}

#[test]
fn empty_files_load_as_empty_relations_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut e = engine_in(dir);
    // An empty result saved to CSV loads back.
    run(
        &mut e,
        dir,
        r#"save provinces where region = "nowhere" select name, region, coastal to "none.csv""#,
    )
    .unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.join("none.csv")).unwrap(),
        "name,region,coastal\n"
    );
    let notes = notes_of(&mut e, dir, r#"load "none.csv" with (coastal: bool)"#);
    assert_eq!(
        notes,
        ["note: none.csv has a header but no rows: the relation is empty, and its columns are text unless given types with `with (...)`"]
    );
    assert_eq!(csv_of(&mut e, dir, "none count"), "count\n0\n");
    let types: Vec<Type> = e
        .catalog()
        .relation("none")
        .unwrap()
        .table
        .fields()
        .iter()
        .map(|f| f.ty)
        .collect();
    assert_eq!(types, [Type::Text, Type::Text, Type::Bool]);
    write(dir, "empty.json", b"[]");
    let notes = notes_of(&mut e, dir, r#"load "empty.json""#);
    assert_eq!(
        notes,
        ["note: empty.json holds no records, so the relation is empty and has no columns"]
    );
    assert_eq!(csv_of(&mut e, dir, "empty count"), "count\n0\n");
}

#[test]
fn a_column_of_numbers_read_as_text_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut csv = String::from("id,investment\n");
    for i in 1..=100 {
        csv.push_str(&format!(
            "{i},{}\n",
            if i % 10 == 3 {
                "unknown".to_string()
            } else {
                format!("{i}.5")
            }
        ));
    }
    write(dir, "p.csv", csv.as_bytes());
    let mut e = engine_in(dir);
    let notes = notes_of(&mut e, dir, r#"load "p.csv""#);
    assert_eq!(
        notes,
        ["note: p.csv: column `investment` is read as text, since 10 of its 100 values are not numbers (the first: `unknown` on line 4); correct them, or load it `with (investment: text)` to keep it as text without this note"]
    );
    assert!(notes_of(&mut e, dir, r#"load "p.csv" with (investment: text)"#).is_empty());
}

/// The notes a statement's `load` gives.
fn notes_of(e: &mut Engine, dir: &Path, text: &str) -> Vec<String> {
    let mut notes = Vec::new();
    e.run(&itq::Source::file(&dir.join("test.itq"), text), |o| {
        if let itq::Output::Loaded { notes: n, .. } = o {
            notes.extend(n);
        }
    })
    .unwrap_or_else(|err| panic!("{}", err.render()));
    notes
}
