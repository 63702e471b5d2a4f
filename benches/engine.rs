//! Micro-benchmarks: the parser, the checker and each operator over the
//! synthetic project register (1M rows under `cargo bench`; a few thousand
//! when `cargo test --all-targets` runs each benchmark once as a test).

use criterion::{criterion_group, criterion_main, Criterion};
use itq::generate::{projects_table, DEFAULT_SEED};
use itq::Engine;
use std::hint::black_box;

const QUERY: &str = r#"projects where province = "Gansu" and sector = "new energy" and year >= 2010
    sum investment as s, count by origin sort s desc limit 10"#;

fn rows() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        1_000_000
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

criterion_group!(benches, front_end, operators);
criterion_main!(benches);
