//! The files an analyst gets, made here as they arrive: a GB18030 yearbook
//! CSV with a title row, a units row, a total row and a note under the
//! table; the same table as an .xlsx workbook written by rust_xlsxwriter
//! (read back by calamine, a different library); the same data as Parquet
//! (written by itq's `save`, which uses the parquet crate's Arrow writer: no
//! pyarrow or DuckDB is installed for the tests). All three must load into
//! the same relation, from a script in another folder.
#![cfg(all(feature = "excel", feature = "parquet"))]

use itq::{render, Engine, Format, Type};
use std::path::Path;

fn engine_in(dir: &Path) -> Engine {
    let mut e = Engine::new().unwrap();
    e.allow_folder(dir).unwrap();
    e
}

/// Runs `text` as a script at `script` (its paths start from its folder);
/// gives the last table as CSV, or the rendered error.
fn run(e: &mut Engine, script: &Path, text: &str) -> Result<String, String> {
    let source = itq::Source::file(script, text);
    let mut last = String::new();
    e.run(&source, |out| {
        if let itq::Output::Table(t) = out {
            last = render(&t, Format::Csv);
        }
    })
    .map_err(|err| err.render())?;
    Ok(last)
}

/// The notes the statements' loads give.
fn notes(e: &mut Engine, script: &Path, text: &str) -> Vec<String> {
    let mut notes = Vec::new();
    e.run(&itq::Source::file(script, text), |o| {
        if let itq::Output::Loaded { notes: n, .. } = o {
            notes.extend(n);
        }
    })
    .unwrap_or_else(|err| panic!("{}", err.render()));
    notes
}

fn types(e: &Engine, name: &str) -> Vec<(String, Type)> {
    e.catalog()
        .relation(name)
        .unwrap()
        .table
        .fields()
        .iter()
        .map(|f| (f.name.clone(), f.ty))
        .collect()
}

const YEARBOOK: &str = "2023年各地区工业投资情况,,,,
省份,地区,年份,签约金额,项目数
,,,(亿元),(个)
甘肃省,西部,2023,\"1,234.5\",12
云南省,西部,2023,396.6,—
黑龙江省,东北,2023,\"2,500\",172
合  计,,,\"4,131.1\",184
注：数据来源于统计年鉴。,,,,
";

const EXPECTED: &str = "省份,地区,年份,签约金额(亿元),项目数(个)
甘肃省,西部,2023,1234.5,12
云南省,西部,2023,396.6,
黑龙江省,东北,2023,2500.0,172
合  计,,,4131.1,184
";

/// The yearbook table as a workbook laid out as statistics offices do:
/// a merged title, a units row, a total row and a note, numbers as numbers
/// except one stored as text.
fn write_workbook(path: &Path) {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("表1").unwrap();
    ws.merge_range(0, 0, 0, 4, "2023年各地区工业投资情况", &Format::new())
        .unwrap();
    for (c, h) in ["省份", "地区", "年份", "签约金额", "项目数"]
        .iter()
        .enumerate()
    {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    ws.write_string(2, 3, "(亿元)").unwrap();
    ws.write_string(2, 4, "(个)").unwrap();
    type Row<'a> = (&'a str, &'a str, Option<f64>, f64, Option<f64>);
    let rows: [Row; 4] = [
        ("甘肃省", "西部", Some(2023.0), 1234.5, Some(12.0)),
        ("云南省", "西部", Some(2023.0), 396.6, None),
        ("黑龙江省", "东北", Some(2023.0), 2500.0, Some(172.0)),
        ("合  计", "", None, 4131.1, Some(184.0)),
    ];
    for (i, (p, region, year, amount, projects)) in rows.iter().enumerate() {
        let r = i as u32 + 3;
        ws.write_string(r, 0, *p).unwrap();
        if !region.is_empty() {
            ws.write_string(r, 1, *region).unwrap();
        }
        if let Some(y) = year {
            ws.write_number(r, 2, *y).unwrap();
        }
        if i == 0 {
            // A number stored as text, as exports often have.
            ws.write_string(r, 3, "1,234.5").unwrap();
        } else {
            ws.write_number(r, 3, *amount).unwrap();
        }
        match projects {
            Some(n) => ws.write_number(r, 4, *n).unwrap(),
            None => ws.write_string(r, 4, "—").unwrap(),
        };
    }
    ws.write_string(8, 0, "注：数据来源于统计年鉴。").unwrap();
    book.save(path).unwrap();
}

#[test]
fn a_gb18030_yearbook_csv_the_same_xlsx_and_parquet_load_alike() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    std::fs::create_dir(root.join("data")).unwrap();
    std::fs::create_dir(root.join("scripts")).unwrap();
    let (gb, _, unmappable) = encoding_rs::GB18030.encode(YEARBOOK);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&gb).is_err(),
        "the file is really not UTF-8"
    );
    std::fs::write(root.join("data/invest.csv"), &gb).unwrap();
    write_workbook(&root.join("data/invest.xlsx"));
    let script = root.join("scripts/report.itq");
    let mut e = engine_in(root);

    let csv_notes = notes(
        &mut e,
        &script,
        r#"load "../data/invest.csv" as t skip 1 header 2"#,
    );
    assert_eq!(run(&mut e, &script, "t").unwrap(), EXPECTED);
    let expected_types = vec![
        ("省份".to_string(), Type::Text),
        ("地区".to_string(), Type::Text),
        ("年份".to_string(), Type::Int),
        ("签约金额(亿元)".to_string(), Type::Decimal),
        ("项目数(个)".to_string(), Type::Int),
    ];
    assert_eq!(types(&e, "t"), expected_types);
    let wanted = [
        "note: ../data/invest.csv is not UTF-8; it was read as GB18030 (GBK)",
        "note: ../data/invest.csv: line 8 under the table is a note, not data, and is left out (`注：数据来源于统计年鉴。`); `footer 0` keeps it",
        "note: ../data/invest.csv: in column `签约金额(亿元)`, 3 values have thousands separators and are read as numbers (the first: `1,234.5` on line 4)",
        "note: ../data/invest.csv: in column `项目数(个)`, 1 placeholder stands for missing values and is read as null (the first: `—` on line 5); load `with (`项目数(个)`: text)` to keep the column as text",
        "note: ../data/invest.csv: row 4 looks like a total (省份 is \"合  计\"); it is kept as data, so a sum would count its rows twice: add `where 省份 != \"合  计\"` to leave it out",
    ];
    assert_eq!(csv_notes.len(), wanted.len(), "{csv_notes:#?}");
    for (note, want) in csv_notes.iter().zip(wanted) {
        assert!(note.starts_with(want), "{note}\nwanted {want}");
    }
    // The total row stays, and a where drops it.
    assert_eq!(
        run(
            &mut e,
            &script,
            "t where 省份 != \"合  计\" sum `签约金额(亿元)`"
        )
        .unwrap(),
        "sum_签约金额(亿元)\n4131.1\n"
    );

    let xlsx_notes = notes(
        &mut e,
        &script,
        r#"load "../data/invest.xlsx" as x skip 1 header 2"#,
    );
    assert_eq!(run(&mut e, &script, "x").unwrap(), EXPECTED);
    assert_eq!(types(&e, "x"), expected_types);
    assert!(
        xlsx_notes
            .iter()
            .any(|n| n.contains("sheet \"表1\": row 9 under the table is a note")),
        "{xlsx_notes:#?}"
    );
    // By sheet name or number, and a range that leaves the title and note out.
    assert_eq!(
        run(
            &mut e,
            &script,
            "load \"../data/invest.xlsx\" as y sheet \"表1\" range \"A2:E7\" header 2\ny"
        )
        .unwrap(),
        EXPECTED
    );
    run(
        &mut e,
        &script,
        "load \"../data/invest.xlsx\" as y sheet 1 skip 1 header 2",
    )
    .unwrap();

    run(&mut e, &script, r#"save t to "../data/invest.parquet""#).unwrap();
    let parquet_notes = notes(&mut e, &script, r#"load "../data/invest.parquet" as p"#);
    assert_eq!(run(&mut e, &script, "p").unwrap(), EXPECTED);
    assert_eq!(types(&e, "p"), expected_types);
    assert_eq!(
        parquet_notes.len(),
        1,
        "only the total row: {parquet_notes:#?}"
    );
}

#[test]
fn results_save_as_workbooks_parquet_and_csv_with_a_bom() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let script = dir.join("s.itq");
    let mut e = engine_in(dir);
    // With `qualifier` in view, the saved file has the query's own columns.
    let query =
        "events select province, date, value, projects, qualifier where value is not null sort value";
    let want = run(&mut e, &script, query).unwrap();
    run(
        &mut e,
        &script,
        &format!("save {query} to \"e.xlsx\" sheet \"事件\"\nsave {query} to \"e.parquet\"\nsave {query} to \"e.csv\" bom"),
    )
    .unwrap();
    let bytes = std::fs::read(dir.join("e.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBFprovince,date,value,projects,qualifier\n"));
    for (file, options) in [
        ("e.xlsx", " sheet \"事件\""),
        ("e.parquet", ""),
        ("e.csv", ""),
    ] {
        let got = run(
            &mut e,
            &script,
            &format!("load \"{file}\" as back{options}\nback"),
        )
        .unwrap();
        assert_eq!(got, want, "{file}");
        let t = types(&e, "back");
        assert_eq!(t[1].1, Type::Date, "{file}: dates stay dates");
    }
    // The workbook as a different reader sees it: a real sheet with its header.
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(dir.join("e.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["事件"]);
    let range = book.worksheet_range("事件").unwrap();
    assert_eq!(
        range.get_value((0, 0)),
        Some(&calamine::Data::String("province".into()))
    );
    assert!(matches!(
        range.get_value((1, 2)),
        Some(calamine::Data::Float(_))
    ));
    assert!((1..range.height() as u32)
        .any(|r| matches!(range.get_value((r, 1)), Some(calamine::Data::DateTime(_)))));
}

#[test]
fn several_saves_to_one_workbook_in_a_run_are_its_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let script = dir.join("s.itq");
    let mut e = engine_in(dir);
    run(
        &mut e,
        &script,
        "save provinces select name, coastal limit 3 to \"r.xlsx\"\n\
         save events select province, date, value where value is not null to \"r.xlsx\" sheet \"events\"\n\
         save provinces count by region to \"r.xlsx\"",
    )
    .unwrap();
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(dir.join("r.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["Sheet1", "events", "Sheet3"]);
    let events = book.worksheet_range("events").unwrap();
    assert!(matches!(
        events.get_value((1, 1)),
        Some(calamine::Data::DateTime(_))
    ));
    assert!(matches!(
        events.get_value((1, 2)),
        Some(calamine::Data::Float(_))
    ));
    // A sheet saved again needs `replace`, which replaces that sheet alone.
    let err = run(
        &mut e,
        &script,
        "save provinces limit 1 to \"r.xlsx\" sheet \"events\"",
    )
    .unwrap_err();
    assert!(
        err.contains("`r.xlsx` has a sheet \"events\" already, saved earlier in this run"),
        "{err}"
    );
    run(
        &mut e,
        &script,
        "save provinces select name limit 1 to \"r.xlsx\" sheet \"events\" replace",
    )
    .unwrap();
    let mut book = calamine::open_workbook_auto(dir.join("r.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["Sheet1", "events", "Sheet3"]);
    assert_eq!(book.worksheet_range("events").unwrap().height(), 2);
    // Another engine (another run) does not add to a workbook it did not write.
    let mut other = engine_in(dir);
    let err = run(&mut other, &script, "save provinces to \"r.xlsx\"").unwrap_err();
    assert!(err.contains("exists already"), "{err}");
}

#[test]
fn encodings_are_read_detected_and_named_in_errors() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let script = dir.join("s.itq");
    let mut e = engine_in(dir);
    let text = "省份,金额\n甘肃省,1\n云南省,2\n";
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(dir.join("u16.csv"), &utf16).unwrap();
    let traditional = "縣市,金額\n臺北市,1\n高雄市,2\n";
    let (big5, _, unmappable) = encoding_rs::BIG5.encode(traditional);
    assert!(!unmappable);
    std::fs::write(dir.join("big5.csv"), &big5).unwrap();
    assert_eq!(
        run(&mut e, &script, "load \"u16.csv\" as a\na").unwrap(),
        text
    );
    assert_eq!(
        run(
            &mut e,
            &script,
            "load \"big5.csv\" as b encoding \"big5\"\nb"
        )
        .unwrap(),
        traditional
    );
    // Forced to the wrong encoding: the line and the byte.
    let err = run(&mut e, &script, "load \"u16.csv\" as c encoding \"utf-8\"").unwrap_err();
    assert!(
        err.contains("u16.csv, line 1, column `\u{FFFD}`") || err.contains("not valid UTF-8"),
        "{err}"
    );
    let (gb, _, _) = encoding_rs::GB18030.encode(text);
    std::fs::write(dir.join("gb.csv"), &gb).unwrap();
    let err = run(
        &mut e,
        &script,
        "load \"gb.csv\" as c encoding \"shift_jis\"",
    )
    .unwrap_err();
    assert!(
        err.contains("gb.csv, line 1: byte 0xEE (at offset 8) is not valid Shift_JIS"),
        "{err}"
    );
    assert!(
        err.contains(
            "likely Chinese in GB18030 (GBK); name its encoding, as in `encoding \"gb18030\"`"
        ),
        "{err}"
    );
    // The old relation is untouched by the failed loads.
    assert_eq!(run(&mut e, &script, "a count").unwrap(), "count\n2\n");
}

#[test]
fn thousands_separators_are_read_and_never_called_decimal_commas() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let script = dir.join("s.itq");
    let mut e = engine_in(dir);
    std::fs::write(
        dir.join("t.csv"),
        "a,b\n\"1,234.5\",\"12,345\"\n\"1,234,567\",7\n",
    )
    .unwrap();
    assert_eq!(
        run(
            &mut e,
            &script,
            "load \"t.csv\" with (a: decimal, b: int)\nt"
        )
        .unwrap(),
        "a,b\n1234.5,12345\n1234567.0,7\n"
    );
    // Indian grouping is not the usual one: the help names `thousands`.
    std::fs::write(dir.join("i.csv"), "a\n\"1,23,456\"\n").unwrap();
    let err = run(&mut e, &script, "load \"i.csv\" with (a: int)").unwrap_err();
    assert!(
        err.contains("the commas look like thousands separators: load with `thousands \",\"` to read `1,23,456` as 123456"),
        "{err}"
    );
    assert!(!err.contains("decimal comma"), "{err}");
    assert_eq!(
        run(
            &mut e,
            &script,
            "load \"i.csv\" with (a: int) thousands \",\"\ni"
        )
        .unwrap(),
        "a\n123456\n"
    );
    // A real decimal comma still gets its hint.
    std::fs::write(dir.join("d.csv"), "a;b\nx;1,5\n").unwrap();
    let err = run(&mut e, &script, "load \"d.csv\" with (b: decimal)").unwrap_err();
    assert!(err.contains("not decimal commas: write `1.5`"), "{err}");
}

#[test]
fn yearbook_options_shape_the_table_and_say_what_they_did() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let script = dir.join("s.itq");
    let mut e = engine_in(dir);
    std::fs::write(
        dir.join("y.csv"),
        "地区,2023,,2024,\n,金额,项目数,金额,项目数\n东部,1,2,3,4\n西部,n.a.,5,6,7\n说明：单位为亿元\n资料来源：统计局\n",
    )
    .unwrap();
    assert_eq!(
        run(&mut e, &script, "load \"y.csv\" header 2 na (\"n.a.\")\ny").unwrap(),
        "地区,2023 金额,2023 项目数,2024 金额,2024 项目数\n东部,1,2,3,4\n西部,,5,6,7\n"
    );
    let n = notes(&mut e, &script, "load \"y.csv\" header 2 na (\"n.a.\")");
    assert!(
        n.iter()
            .any(|n| n.contains("lines 5 to 6 under the table are notes")),
        "{n:#?}"
    );
    // `footer 0` keeps the note lines: then they are ragged rows, an error.
    let err = run(&mut e, &script, "load \"y.csv\" header 2 footer 0").unwrap_err();
    assert!(
        err.contains("y.csv, line 5: 1 field, but the header names 5 columns"),
        "{err}"
    );
    // A name given twice is renamed, with a note that says why.
    std::fs::write(dir.join("d.csv"), "a,(亿元),(亿元)\nx,1,2\n").unwrap();
    let n = notes(&mut e, &script, "load \"d.csv\"");
    assert!(
        n.iter().any(|n| n.contains("the header names `(亿元)` twice (columns 2 and 3), so the second is called `(亿元)_2`; if the header takes more than one row (names over units), say how many with `header 2`")),
        "{n:#?}"
    );
    // A title read as the header gets a hint.
    std::fs::write(dir.join("title.csv"), "标题,,\na,b,c\n1,2,3\n").unwrap();
    let n = notes(
        &mut e,
        &script,
        "load \"title.csv\" footer 0 with (column2: text, column3: text)",
    );
    assert!(
        n.iter()
            .any(|n| n.contains("if that is a title above the header, skip it with `skip 1`")),
        "{n:#?}"
    );
}

#[test]
fn bad_option_values_are_located_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let script = dir.join("s.itq");
    let mut e = engine_in(dir);
    std::fs::write(dir.join("a.csv"), "a\n1\n2\n").unwrap();
    std::fs::write(dir.join("a.json"), "[{\"a\": 1}]").unwrap();
    run(&mut e, &script, "load \"a.csv\" as keep").unwrap();
    let cases: &[(&str, &str, &str)] = &[
        (
            "load \"a.csv\" as keep encoding \"gbx\"",
            "unknown encoding `gbx`",
            "did you mean \"gbk\"?",
        ),
        (
            "load \"a.csv\" as keep skip \"1\"",
            "`skip` takes a count of lines, such as 1",
            "skip 1",
        ),
        (
            "load \"a.csv\" as keep header 99",
            "`header` takes at most 20",
            "from 0 to 20",
        ),
        (
            "load \"a.csv\" as keep thousands \".\"",
            "`.` cannot be the thousands separator",
            "decimal point",
        ),
        (
            "load \"a.csv\" as keep thousands \"ab\"",
            "`ab` cannot be a thousands separator",
            "one character",
        ),
        (
            "load \"a.csv\" as keep na 3",
            "`na` takes a list of texts",
            "na (\"-\", \"…\")",
        ),
        (
            "load \"a.csv\" as keep skip 1 skip 2",
            "`skip` is given twice",
            "give each option once",
        ),
        (
            "load \"a.csv\" as keep sheet 2",
            "`sheet` applies to workbooks",
            "leave `sheet` out",
        ),
        (
            "load \"a.json\" as keep skip 1",
            "`skip` applies to CSV files and workbooks",
            "leave `skip` out",
        ),
        (
            "load \"a.csv\" as keep skip 5",
            "a.csv has 3 lines, so `skip 5` leaves nothing to read",
            "skip fewer lines",
        ),
        (
            "load \"a.csv\" as keep footer 5",
            "fewer than `footer 5`",
            "counts the note lines",
        ),
        (
            "load \"a.csv\" as keep range \"A1\"",
            "`range` applies to workbooks",
            "leave `range` out",
        ),
        (
            "save keep to \"k.json\" bom",
            "`bom` applies to CSV files",
            "leave `bom` out",
        ),
        (
            "save keep to \"k.csv\" sheet \"x\"",
            "`sheet` applies to workbooks (.xlsx)",
            "save to a .xlsx file",
        ),
        (
            "save keep to \"k.xlsx\" sheet \"a/b\"",
            "\"a/b\" cannot be a sheet name",
            "at most 31 characters",
        ),
    ];
    for (text, message, help) in cases {
        let err = run(&mut e, &script, text).unwrap_err();
        assert!(
            err.contains(message),
            "{text}: wanted {message:?} in\n{err}"
        );
        assert!(err.contains(help), "{text}: wanted {help:?} in\n{err}");
        assert!(err.contains("-->"), "{text}: the error is located\n{err}");
        assert_eq!(
            run(&mut e, &script, "keep count").unwrap(),
            "count\n2\n",
            "{text}"
        );
    }
    for file in ["k.json", "k.csv", "k.xlsx"] {
        assert!(!dir.join(file).exists(), "{file} was written");
    }
    // Workbook options at their own file.
    std::fs::write(dir.join("w.xlsx"), b"not a workbook").unwrap();
    let err = run(&mut e, &script, "load \"w.xlsx\" as keep").unwrap_err();
    assert!(err.contains("w.xlsx cannot be read as a workbook"), "{err}");
    let err = run(&mut e, &script, "load \"a.csv\" as keep format parquet").unwrap_err();
    assert!(err.contains("a.csv cannot be read as Parquet"), "{err}");
    assert_eq!(run(&mut e, &script, "keep count").unwrap(), "count\n2\n");
}

#[test]
fn several_results_with_format_json_are_one_document() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_itq"))
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[
        "-c",
        "events select province limit 2",
        "-c",
        "provinces count",
        "-f",
        "json",
    ]);
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(
        doc,
        serde_json::json!([[{"province": "Yunnan"}, {"province": "Yunnan"}], [{"count": 31}]])
    );
    // One query is its array, as before.
    let out = run(&["-c", "provinces count", "-f", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc, serde_json::json!([{"count": 31}]));
    // To a file as well, where CSV still refuses two results.
    let out = run(&[
        "-c",
        "provinces count",
        "-c",
        "provinces where name = \"Gansu\" count",
        "-o",
        "two.json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("two.json")).unwrap()).unwrap();
    assert_eq!(doc, serde_json::json!([[{"count": 31}], [{"count": 1}]]));
    let out = run(&[
        "-c",
        "provinces count",
        "-c",
        "provinces where name = \"Gansu\" count",
        "-o",
        "two.csv",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--format json (one array of results)"));
}
