//! The built-in fact base keeps its promises: every row cites a source that
//! exists, every province is one of the 31, and the figures the issue names are there.
//! The checks are themselves itq queries.

use itq::{Engine, Scalar};

fn count(query: &str) -> i64 {
    let t = Engine::new()
        .unwrap()
        .query(query)
        .unwrap_or_else(|e| panic!("{}", e.render()));
    match t.get(0, t.num_columns() - 1) {
        Scalar::Int(n) => n,
        other => panic!("{query}: expected a count, got {other:?}"),
    }
}

#[test]
fn every_source_value_is_a_known_source() {
    for rel in [
        "provinces",
        "events",
        "event_sectors",
        "projects",
        "relocations",
        "province_stats",
        "stats",
    ] {
        let orphans = count(&format!(
            "{rel} left join sources on source = id where id is null count"
        ));
        assert_eq!(orphans, 0, "{rel} cites a source missing from `sources`");
        let uncited = count(&format!("{rel} where source is null count"));
        assert_eq!(uncited, 0, "{rel} has a row without a source");
    }
}

#[test]
fn every_province_value_is_one_of_the_31() {
    assert_eq!(count("provinces count"), 31);
    for (rel, col) in [
        ("events", "province"),
        ("projects", "province"),
        ("projects", "origin"),
        ("province_stats", "province"),
    ] {
        let unknown = count(&format!(
            "{rel} where {col} is not null left join provinces on {col} = name where region is null count"
        ));
        assert_eq!(
            unknown, 0,
            "{rel}.{col} names a province not in `provinces`"
        );
    }
}

#[test]
fn every_event_sector_names_an_event() {
    assert_eq!(
        count("event_sectors left join events on event = name where province is null count"),
        0
    );
}

#[test]
fn regions_follow_the_statistics_bureau() {
    let t = Engine::new()
        .unwrap()
        .query("provinces count by region")
        .unwrap();
    let rows: Vec<Vec<Scalar>> = t.rows().collect();
    let expect = [("east", 10), ("central", 6), ("west", 12), ("northeast", 3)];
    assert_eq!(rows.len(), 4);
    for (row, (region, n)) in rows.iter().zip(expect) {
        assert_eq!(row, &vec![Scalar::Text(region.into()), Scalar::Int(n)]);
    }
}

#[test]
fn the_gansu_event_signed_195_projects_worth_300_billion() {
    let t = Engine::new().unwrap().query(r#"events where province = "Gansu" and projects is not null select projects, value, qualifier"#).unwrap();
    assert_eq!(
        t.rows().collect::<Vec<_>>(),
        vec![vec![
            Scalar::Int(195),
            Scalar::Decimal(300.0),
            Scalar::Text("more than".into())
        ]]
    );
}

#[test]
fn the_headline_example_runs_and_is_honest() {
    let t = Engine::new()
        .unwrap()
        .query(r#"projects where province = "Gansu" and sector = "new energy" sum investment"#)
        .unwrap();
    assert_eq!(t.fields()[0].name, "sum_investment");
    // No article names a company's new-energy project in Gansu: no figure, so null.
    assert_eq!(t.get(0, 0), Scalar::Null);
}
