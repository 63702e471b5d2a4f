//! `itq generate projects`: a deterministic synthetic register, the same as CSV
//! and as an in-memory table.

use itq::generate::{projects_table, write_csv, DEFAULT_SEED};
use itq::{Engine, Scalar};

mod common;

use common::command;

fn csv(rows: usize, seed: u64) -> String {
    let mut out = Vec::new();
    write_csv(&mut out, rows, seed).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn the_same_seed_gives_the_same_file_and_another_seed_another() {
    assert_eq!(csv(1000, 5), csv(1000, 5));
    assert_ne!(csv(1000, 5), csv(1000, 6));
    // A longer file starts with the shorter one: row i depends on i alone.
    assert!(csv(200_000, 5).starts_with(&csv(1000, 5)));
}

#[test]
fn the_file_has_the_promised_columns_and_rows() {
    let text = csv(150_000, DEFAULT_SEED);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("id,province,sector,origin,year,investment,firm,plant")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 150_000);
    assert!(rows.iter().all(|r| r.len() == 8));
    assert_eq!(rows[0][0], "1");
    assert_eq!(rows[149_999][0], "150000");
    let distinct = |i: usize| {
        let mut v: Vec<&str> = rows.iter().map(|r| r[i]).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    assert_eq!(distinct(1).len(), 31);
    assert_eq!(distinct(2).len(), 18);
    assert!(distinct(4).iter().all(|y| ("2000"..="2024").contains(y)));
    // 150,000 draws from 100,000 firms leave about 22% of them out.
    let firms = distinct(6);
    assert!(
        (70_000..=85_000).contains(&firms.len()),
        "{} firms",
        firms.len()
    );
    assert!(firms
        .iter()
        .all(|f| f.len() == 7 && f.starts_with('F') && ("F000001"..="F100000").contains(f)));
    assert!(rows.iter().all(|r| r[7]
        .parse::<u32>()
        .is_ok_and(|p| (1..=1_000_000).contains(&p))));
    let empty = rows.iter().filter(|r| r[5].is_empty()).count();
    assert!(empty > 0 && empty < 10_000, "{empty} null investments");
    assert!(rows
        .iter()
        .filter(|r| !r[5].is_empty())
        .all(|r| r[5].parse::<f64>().is_ok_and(|x| x >= 0.0)));
}

#[test]
fn the_table_holds_the_same_values_as_the_file() {
    let rows = 70_000;
    let text = csv(rows, 9);
    let table = projects_table(rows, 9);
    assert_eq!(table.num_rows(), rows);
    let names: Vec<&str> = table.fields().iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "id",
            "province",
            "sector",
            "origin",
            "year",
            "investment",
            "firm",
            "plant"
        ]
    );
    for (i, line) in text.lines().skip(1).enumerate().step_by(997) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(table.get(i, 0), Scalar::Int(f[0].parse().unwrap()));
        assert_eq!(table.get(i, 1), Scalar::Text(f[1].into()));
        assert_eq!(table.get(i, 2), Scalar::Text(f[2].into()));
        assert_eq!(table.get(i, 3), Scalar::Text(f[3].into()));
        assert_eq!(table.get(i, 4), Scalar::Int(f[4].parse().unwrap()));
        let inv = if f[5].is_empty() {
            Scalar::Null
        } else {
            Scalar::Decimal(f[5].parse().unwrap())
        };
        assert_eq!(table.get(i, 5), inv, "row {i}");
        assert_eq!(table.get(i, 6), Scalar::Text(f[6].into()));
        assert_eq!(table.get(i, 7), Scalar::Int(f[7].parse().unwrap()));
    }
}

#[test]
fn the_first_six_columns_are_what_they_were_before_firm_and_plant() {
    // The rows the generator gave before it had `firm` and `plant`: benchmark
    // figures taken then are over the same values.
    let text = csv(3, DEFAULT_SEED);
    let six: Vec<String> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').take(6).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(
        six,
        [
            "1,Shaanxi,petrochemicals,Shanxi,2006,34.91",
            "2,Jiangxi,non-ferrous metallurgy,Heilongjiang,2008,19.21",
            "3,Qinghai,new energy,Heilongjiang,2006,48.33",
        ]
    );
}

#[test]
fn the_table_can_be_queried_in_place_of_projects() {
    let mut engine = Engine::new().unwrap();
    engine.add_relation("projects", projects_table(10_000, 1), None);
    let t = engine
        .query("projects count distinct province, count")
        .unwrap();
    assert_eq!(t.get(0, 0), Scalar::Int(31));
    assert_eq!(t.get(0, 1), Scalar::Int(10_000));
}

#[test]
fn the_command_writes_the_file_atomically_and_says_it_is_synthetic() {
    let dir = std::env::temp_dir().join(format!("itq-generate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("p.csv");
    std::fs::write(&path, "old contents").unwrap();
    let generate = |force: bool| {
        command()
            .args([
                "generate", "projects", "--rows", "1000", "--seed", "5", "--out",
            ])
            .arg(&path)
            .args(force.then_some("--force"))
            .output()
            .unwrap()
    };
    // An existing file is replaced only with --force.
    let o = generate(false);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("exists already"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old contents");
    let o = generate(true);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), csv(1000, 5));
    // Nothing but the file is left behind.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);

    let o = command()
        .args(["generate", "projects", "--rows", "10", "--seed", "5"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(o.stdout).unwrap(), csv(10, 5));

    let o = command().args(["generate", "--help"]).output().unwrap();
    assert!(String::from_utf8(o.stdout).unwrap().contains("SYNTHETIC"));

    let o = command()
        .args(["generate", "projects", "--rows", "10", "--out"])
        .arg(dir.join("no such folder").join("p.csv"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.starts_with("error: cannot write `"), "{err}");
    let o = command()
        .args(["generate", "projects", "--rows", "10", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("it is a folder"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
