//! The built-in fact base keeps its promises: every row cites a source that
//! exists, every quote in `evidence` occurs in its source's text, every fact
//! row drawn from an article has its sentence there, every province is one of
//! the 31, and the aliases are a plain lookup.

use itq::store::facts::{EVIDENCE, FACT_FILES};
use itq::{Engine, Scalar, Table};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn query(q: &str) -> Table {
    Engine::new()
        .unwrap()
        .query(q)
        .unwrap_or_else(|e| panic!("{q}: {}", e.render()))
}

fn count(q: &str) -> i64 {
    let t = query(q);
    match t.get(0, t.num_columns() - 1) {
        Scalar::Int(n) => n,
        other => panic!("{q}: expected a count, got {other:?}"),
    }
}

fn text(v: &Scalar) -> String {
    match v {
        Scalar::Text(s) => s.to_string(),
        Scalar::Int(n) => n.to_string(),
        other => panic!("expected text, got {other:?}"),
    }
}

/// The column that names a row of each cited relation in `evidence.row`.
fn key_column(relation: &str) -> &'static str {
    match relation {
        "provinces" | "events" => "name",
        "projects" => "company",
        "province_aliases" => "alias",
        _ => "id",
    }
}

/// Source id → the file its text is kept in (none for standards and general knowledge).
fn source_files() -> BTreeMap<String, Option<String>> {
    query("sources select id, file")
        .rows()
        .map(|r| {
            let file = match &r[1] {
                Scalar::Null => None,
                v => Some(text(v)),
            };
            (text(&r[0]), file)
        })
        .collect()
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn cited_relations() -> impl Iterator<Item = &'static str> {
    FACT_FILES
        .iter()
        .map(|f| f.name)
        .filter(|n| *n != "sources" && *n != EVIDENCE)
}

#[test]
fn every_source_column_names_a_known_source() {
    let known = source_files();
    for rel in cited_relations() {
        let t = query(rel);
        let cols: Vec<usize> = (0..t.num_columns())
            .filter(|&i| {
                let n = &t.fields()[i].name;
                n == "source" || n.ends_with("_source")
            })
            .collect();
        assert!(!cols.is_empty(), "{rel} has no source column");
        for row in t.rows() {
            for &c in &cols {
                let name = &t.fields()[c].name;
                assert!(
                    row[c] != Scalar::Null,
                    "{rel} has a row without {name}: {row:?}"
                );
                let id = text(&row[c]);
                assert!(
                    known.contains_key(&id),
                    "{rel}.{name} cites `{id}`, missing from `sources`"
                );
            }
        }
    }
}

#[test]
fn every_quote_occurs_verbatim_in_its_source() {
    let files = source_files();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("stdlib/facts/sources");
    let mut texts = BTreeMap::new();
    for (id, file) in &files {
        if let Some(f) = file {
            let path = dir.join(f);
            let body = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("source `{id}`: cannot read {}: {e}", path.display()));
            texts.insert(id.clone(), collapse_whitespace(&body));
        }
    }
    assert_eq!(texts.len(), 5, "the five articles each have their text");
    let t = query("evidence");
    assert!(t.num_rows() > 150, "evidence holds the quotes");
    for row in t.rows() {
        let (rel, key, source, quote) =
            (text(&row[0]), text(&row[1]), text(&row[2]), text(&row[3]));
        let body = texts.get(&source).unwrap_or_else(|| {
            panic!("evidence for {rel} {key} cites `{source}`, which has no text")
        });
        assert!(
            body.contains(&collapse_whitespace(&quote)),
            "evidence for {rel} {key}: the quote is not in {source}: {quote}"
        );
    }
}

#[test]
fn every_evidence_row_names_a_fact_row_and_every_article_fact_has_a_quote() {
    let files = source_files();
    let mut quoted: BTreeSet<(String, String, String)> = BTreeSet::new();
    for row in query("evidence").rows() {
        quoted.insert((text(&row[0]), text(&row[1]), text(&row[2])));
    }
    let mut rows_seen = BTreeMap::new();
    for rel in cited_relations() {
        let t = query(rel);
        let key = t
            .fields()
            .iter()
            .position(|f| f.name == key_column(rel))
            .unwrap_or_else(|| panic!("{rel} has no key column {}", key_column(rel)));
        let sources: Vec<usize> = (0..t.num_columns())
            .filter(|&i| t.fields()[i].name.ends_with("source"))
            .collect();
        let mut keys = BTreeSet::new();
        for row in t.rows() {
            let k = text(&row[key]);
            assert!(keys.insert(k.clone()), "{rel}: two rows have the key {k}");
            let cited: BTreeSet<String> = sources.iter().map(|&s| text(&row[s])).collect();
            for &s in &sources {
                let src = text(&row[s]);
                if files.get(&src).is_some_and(|f| f.is_some()) {
                    assert!(
                        quoted.contains(&(rel.to_string(), k.clone(), src.clone())),
                        "{rel} {k} cites the article {src} but `evidence` has no quote for it"
                    );
                }
            }
            rows_seen.insert((rel.to_string(), k), cited);
        }
    }
    for (rel, key, source) in &quoted {
        let cited = rows_seen
            .get(&(rel.clone(), key.clone()))
            .unwrap_or_else(|| panic!("evidence names {rel} {key}, which is not a row"));
        assert!(
            cited.contains(source),
            "evidence quotes {source} for {rel} {key}, which cites only {cited:?}"
        );
    }
}

#[test]
fn every_province_value_is_one_of_the_31() {
    assert_eq!(count("provinces count"), 31);
    assert_eq!(count("provinces distinct code count"), 31);
    for (rel, col) in [
        ("events", "province"),
        ("event_parties", "province"),
        ("projects", "province"),
        ("projects", "origin"),
        ("province_stats", "province"),
        ("claims", "province"),
        ("province_aliases", "name"),
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
fn an_alias_names_one_province_whatever_its_case() {
    let t = query("province_aliases select alias, name");
    let mut seen = BTreeMap::new();
    for row in t.rows() {
        let (alias, name) = (text(&row[0]), text(&row[1]));
        if let Some(other) = seen.insert(alias.to_lowercase(), name.clone()) {
            panic!("alias {alias} is listed twice ({other}, {name})");
        }
    }
    // Each province is found by its name, both Chinese names and its code.
    for row in query("provinces select name, name_zh, full_name_zh, code").rows() {
        let name = text(&row[0]);
        for v in &row {
            assert_eq!(
                seen.get(&text(v).to_lowercase()),
                Some(&name),
                "{v:?} does not find {name}"
            );
        }
    }
    for (alias, name) in [
        ("Tibet", "Xizang"),
        ("Xizang/Tibet", "Xizang"),
        ("Nei Mongol", "Inner Mongolia"),
        ("Inner Mongolia Autonomous Region", "Inner Mongolia"),
        ("Guangxi Zhuang Autonomous Region", "Guangxi"),
        ("Chongqing Municipality", "Chongqing"),
        ("Heilongjiang Province", "Heilongjiang"),
        ("620000", "Gansu"),
        ("甘肃", "Gansu"),
        ("内蒙古自治区", "Inner Mongolia"),
        ("北京市", "Beijing"),
    ] {
        assert_eq!(
            seen.get(&alias.to_lowercase()).map(String::as_str),
            Some(name),
            "{alias}"
        );
    }
}

#[test]
fn regions_follow_the_statistics_bureau() {
    let rows: Vec<Vec<Scalar>> = query("provinces count by region").rows().collect();
    let expect = [("east", 10), ("central", 6), ("west", 12), ("northeast", 3)];
    assert_eq!(rows.len(), 4);
    for (row, (region, n)) in rows.iter().zip(expect) {
        assert_eq!(row, &vec![Scalar::Text(region.into()), Scalar::Int(n)]);
    }
    assert_eq!(count("provinces where coastal count"), 11);
}

#[test]
fn every_event_sector_and_party_names_an_event() {
    for rel in ["event_sectors", "event_parties"] {
        assert_eq!(
            count(&format!(
                "{rel} left join events on event = name where kind is null count"
            )),
            0,
            "{rel}"
        );
    }
}

#[test]
fn the_gansu_event_with_its_hedge_dollars_and_hosts() {
    let t = query(
        r#"events where province = "Gansu" select projects, value, qualifier, status, value_usd"#,
    );
    assert_eq!(
        t.rows().collect::<Vec<_>>(),
        vec![vec![
            Scalar::Int(195),
            Scalar::Decimal(300.0),
            Scalar::Text("more than".into()),
            Scalar::Text("expected".into()),
            Scalar::Decimal(40.98),
        ]]
    );
    assert_eq!(
        count(r#"event_parties where event contains "(Gansu)" and role = "co-host" count"#),
        2
    );
}

#[test]
fn a_date_known_to_the_month_is_found_by_its_year() {
    assert_eq!(
        count(
            r#"events where year(date) = 2024 and province = "Heilongjiang" and date_precision = "month" count"#
        ),
        1
    );
    // Only matchmaking events count as matchmaking: the 1990s export fair does not.
    assert_eq!(
        count(r#"matchmaking where name contains "export" count"#),
        0
    );
}

#[test]
fn hedges_and_directives_are_data() {
    assert_eq!(
        count(r#"event_sectors where qualifier != "such as" count"#),
        0
    );
    assert_eq!(count(r#"relocations where status = "directive" count"#), 2);
    assert_eq!(count(r#"relocations where qualifier = "some" count"#), 2);
    assert_eq!(
        count(r#"stats where period = "since the beginning of this year" count"#),
        2
    );
}

#[test]
fn the_headline_example_runs_and_is_honest() {
    let t = query(r#"projects where province = "Gansu" and sector = "new energy" sum investment"#);
    assert_eq!(t.fields()[0].name, "sum_investment");
    // No article names a company's new-energy project in Gansu: no figure, so null.
    assert_eq!(t.get(0, 0), Scalar::Null);
}

#[test]
fn the_welcome_counts_cited_facts_apart_from_views_and_loaded_rows() {
    let mut engine = Engine::new().unwrap();
    let c = engine.catalog().counts();
    let fact_rows: usize = cited_relations()
        .map(|r| query(&format!("{r} count")).get(0, 0))
        .map(|v| match v {
            Scalar::Int(n) => n as usize,
            other => panic!("{other:?}"),
        })
        .sum();
    assert_eq!(c.cited_relations, FACT_FILES.len() - 2);
    assert_eq!(c.facts, fact_rows);
    assert_eq!(c.quotes, query("evidence").num_rows());
    assert_eq!(c.sources, query("sources").num_rows());
    assert_eq!(c.loaded_rows, 0);
    let before = c.to_string();
    assert!(before.ends_with(" views"), "{before}");
    engine
        .add_records("register", (0..1500).map(|i| BTreeMap::from([("n", i)])))
        .unwrap();
    let after = engine.catalog().counts();
    assert_eq!((after.facts, after.loaded_rows), (c.facts, 1500));
    assert_eq!(
        after.to_string(),
        format!("{before}; 1 relation, 1,500 rows loaded")
    );
}
