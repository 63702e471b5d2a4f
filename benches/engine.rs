//! Micro-benchmarks: the parser, the checker and each operator over the
//! synthetic project register (1M rows under `cargo bench`; a few thousand
//! when `cargo test --all-targets` runs each benchmark once as a test).

use criterion::{criterion_group, criterion_main, Criterion};
use itq::generate::{projects_table, DEFAULT_SEED};
use itq::Engine;
use std::hint::black_box;

const QUERY: &str = r#"projects where province = "Gansu" and sector = "new energy" and year >= 2010
    sum investment as s, count by origin sort s desc limit 10"#;

/// 1M rows under `cargo bench` (or `ITQ_BENCH_ROWS`, such as 10000000 for
/// the cite budget of docs/performance.md), a few thousand as a test.
fn rows() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        std::env::var("ITQ_BENCH_ROWS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(1_000_000)
    } else {
        5_000
    }
}

fn engine() -> Engine {
    let mut e = Engine::new().expect("the built-in engine starts");
    e.add_relation("projects", projects_table(rows(), DEFAULT_SEED), None);
    e
}

fn front_end(c: &mut Criterion) {
    let engine = engine();
    c.bench_function("parse", |b| {
        b.iter(|| itq::syntax::parse_script(black_box(QUERY)).expect("parses"))
    });
    c.bench_function("check", |b| {
        b.iter(|| engine.columns_of(black_box(QUERY)).expect("checks"))
    });
}

fn operators(c: &mut Criterion) {
    let mut engine = engine();
    let mut group = c.benchmark_group("operator");
    group.sample_size(10);
    for (name, q) in [
        ("filter_count", r#"projects where province = "Gansu" count"#),
        (
            "filter_sum",
            r#"projects where province = "Gansu" and sector = "new energy" sum investment"#,
        ),
        ("filter_numeric", "projects where investment > 100 count"),
        (
            "aggregate_by_one_key",
            "projects sum investment by province",
        ),
        (
            "aggregate_by_two_keys",
            "projects count, sum investment as s by province, sector",
        ),
        ("aggregate_by_integer", "projects avg investment by year"),
        ("sort", "projects sort investment desc limit 10"),
        ("top", "projects top 10 by investment"),
        (
            "join",
            "projects join provinces on province = name sum investment by region",
        ),
        ("count_distinct", "projects count distinct origin by year"),
        (
            "select",
            "projects select id, investment * 2 as twice limit 5",
        ),
    ] {
        group.bench_function(name, |b| b.iter(|| engine.query(black_box(q)).expect(q)));
    }
    group.finish();
    c.bench_function("fact_base_query", |b| {
        b.iter(|| engine.query("provinces count by region").expect("runs"))
    });
}

/// `cite` next to the plain query: lineage columns through a filter, an
/// aggregate, a sort and a join (the budget is 2× the plain query).
fn cite(c: &mut Criterion) {
    let mut engine = engine();
    let mut group = c.benchmark_group("cite");
    group.sample_size(10);
    for (name, q) in [
        (
            "aggregate_by_one_key",
            "projects sum investment by province",
        ),
        (
            "filter_sum",
            r#"projects where province = "Gansu" and sector = "new energy" sum investment"#,
        ),
        ("sort_limit", "projects sort investment desc limit 10"),
        (
            "join",
            "projects join provinces on province = name sum investment by region",
        ),
    ] {
        let cited = format!("{q} cite");
        // The same answer, plus the sources column.
        let plain = engine.query(q).expect(q);
        let with = engine.query(&cited).expect(q);
        assert_eq!(with.num_columns(), plain.num_columns() + 1, "{q}");
        assert_eq!(with.num_rows(), plain.num_rows(), "{q}");
        group.bench_function(format!("{name}/plain"), |b| {
            b.iter(|| engine.query(black_box(q)).expect(q))
        });
        group.bench_function(format!("{name}/cite"), |b| {
            b.iter(|| engine.query(black_box(&cited)).expect(q))
        });
    }
    group.finish();
}

criterion_group!(benches, front_end, operators, cite);
criterion_main!(benches);
