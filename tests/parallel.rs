//! The fast paths (selections on dictionary codes, direct aggregation,
//! parallel morsels, bounded top, dictionary joins) give exactly the answers
//! of the general paths. Each pair of queries below asks the same question;
//! the second is written so the fast path cannot take it (an argument that is
//! an expression, `lower` of lower-case text, a second join key), and both run
//! over tables of no rows, one morsel and several morsels, with nulls.

use itq::store::{Builder, Column, Data, TextBuilder};
use itq::{render, Engine, Format, Table};
use std::sync::Arc;

const PAIRS: &[(&str, &str)] = &[
    (
        r#"big where k = "k3" and g = "g1" sum x as s, count"#,
        r#"big where lower(k) = "k3" and lower(g) = "g1" sum x * 1.0 as s, count"#,
    ),
    (
        "big sum x as s, count, count x as c, avg x as a, min x as lo, max x as hi by k",
        "big sum x * 1.0 as s, count, count x as c, avg x as a, min x as lo, max x as hi by k",
    ),
    (
        "big count, sum x as s by k, g",
        "big count, sum x * 1.0 as s by k, g",
    ),
    (
        "big sum n as s, min k as m by y",
        "big sum n * 1 as s, min k as m by y",
    ),
    (
        "big count distinct k as c, max y as m by g",
        "big count distinct lower(k) as c, max y as m by g",
    ),
    ("big where x > 100 count", "big where x * 1.0 > 100 count"),
    (
        r#"big where k != "k3" count"#,
        r#"big where lower(k) != "k3" count"#,
    ),
    (
        r#"big where k < "k2" count"#,
        r#"big where lower(k) < "k2" count"#,
    ),
    (
        r#"big where k = "nope" sum x as s by k"#,
        r#"big where lower(k) = "nope" sum x * 1.0 as s by k"#,
    ),
    (
        r#"big where k = "nope" sum x as s, count"#,
        r#"big where lower(k) = "nope" sum x * 1.0 as s, count"#,
    ),
    (
        "big where x is null count by g",
        "big where x * 1.0 is null count by g",
    ),
    (
        r#"big where y >= 2010 or g = "g2" count by g"#,
        r#"big where y * 1 >= 2010 or lower(g) = "g2" count by g"#,
    ),
    (
        r#"big where k = "k1" select k, y, x"#,
        r#"big where lower(k) = "k1" select k, y, x"#,
    ),
    ("big top 10 by x", "big top 2000 by x limit 10"),
    ("big top 10 by x asc", "big top 2000 by x asc limit 10"),
    ("big top 5 by y", "big top 2000 by y limit 5"),
    (
        r#"big where k = "k1" and y = 2001 or x is null top 1000 by x select id, x"#,
        r#"big where k = "k1" and y = 2001 or x is null sort x desc select id, x limit 1000"#,
    ),
    (
        "big sort x desc, k limit 7",
        "big sort x desc, k select id, k, g, y, x, n, one limit 7",
    ),
    (
        "big join r on k = name sum x as s, count by region",
        "big join r on k = name, one sum x * 1.0 as s, count by region",
    ),
    (
        "big join r2 on k = name sum x as s, count by other",
        "big join r2 on k = name, one sum x * 1.0 as s, count by other",
    ),
    (
        "big join r on k = name select id, k, region, x",
        "big join r on k = name, one select id, k, region, x",
    ),
    (
        "big left join r on k = name count by region",
        "big left join r on k = name, one count by region",
    ),
    (
        "big join r2 on k = name select id, other limit 50",
        "big join r2 on k = name, one select id, other limit 50",
    ),
];

/// A pseudo-random table of `rows` rows; decimals are multiples of 0.5, so
/// sums in any order are exact.
fn big(rows: usize) -> Table {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut k, mut g) = (
        TextBuilder::with_capacity(rows),
        TextBuilder::with_capacity(rows),
    );
    let (mut y, mut n) = (Builder::with_capacity(rows), Builder::with_capacity(rows));
    let mut x = Builder::with_capacity(rows);
    for _ in 0..rows {
        let r = next();
        k.push((r % 20 != 0).then(|| format!("k{}", r % 37)).as_deref());
        g.push(Some(["g0", "g1", "g2", "g3"][(r >> 8) as usize % 4]));
        y.push((r % 29 != 0).then_some(2000 + (r >> 16) as i64 % 31));
        n.push(Some((r >> 24) as i64 % 1_000_000));
        x.push((r % 17 != 0).then_some(((r >> 32) % 2000) as f64 * 0.5));
    }
    let col = |c: Column| Arc::new(c);
    Table::new(vec![
        (
            "id".into(),
            col(Column::new(Data::Int((0..rows as i64).collect()), None)),
        ),
        ("k".into(), col(k.into_column())),
        ("g".into(), col(g.into_column())),
        ("y".into(), col(y.into_column())),
        ("x".into(), col(x.into_column())),
        ("n".into(), col(n.into_column())),
        (
            "one".into(),
            col(Column::new(Data::Int(vec![1; rows]), None)),
        ),
    ])
}

fn engine(rows: usize) -> Engine {
    let mut e = Engine::new().unwrap();
    e.add_relation("big", big(rows), None);
    // Every `k` but k5 has a region; k99 matches nothing.
    let mut r = String::from("name:text,region:text,one:int\n");
    for i in (0..37).filter(|&i| i != 5).chain([99]) {
        r.push_str(&format!("k{i},region{},1\n", i % 4));
    }
    let r = itq::store::facts::parse_typed_csv("r", &r).unwrap();
    e.add_relation("r", r, None);
    let r2 = "name:text,other:int,one:int\nk1,1,1\nk2,2,1\nk1,3,1\n";
    let r2 = itq::store::facts::parse_typed_csv("r2", r2).unwrap();
    e.add_relation("r2", r2, None);
    e
}

fn csv(e: &mut Engine, q: &str) -> String {
    match e.query(q) {
        Ok(t) => render(&t, Format::Csv),
        Err(err) => panic!("{q}\n{}", err.render()),
    }
}

#[test]
fn fast_and_general_paths_agree_at_every_size() {
    for rows in [0, 1000, 300_000] {
        let mut e = engine(rows);
        for (fast, general) in PAIRS {
            let (a, b) = (csv(&mut e, fast), csv(&mut e, general));
            assert_eq!(a, b, "{rows} rows:\n{fast}\n{general}");
        }
    }
}

#[test]
fn answers_do_not_depend_on_the_number_of_threads() {
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut e = engine(300_000);
    for (q, _) in PAIRS {
        let parallel = csv(&mut e, q);
        let single = one.install(|| csv(&mut e, q));
        assert_eq!(parallel, single, "{q}");
    }
}

#[test]
fn a_large_filtered_sum_is_the_sum_of_its_rows() {
    let mut e = engine(300_000);
    let t = e
        .query(r#"big where g = "g1" and x >= 500 sum x, count"#)
        .unwrap();
    let b = big(300_000);
    let (mut sum, mut count) = (0.0, 0);
    for row in b.rows() {
        if row[2] == itq::Scalar::Text("g1".into()) {
            if let itq::Scalar::Decimal(x) = row[4] {
                if x >= 500.0 {
                    sum += x;
                    count += 1;
                }
            }
        }
    }
    assert_eq!(t.get(0, 0), itq::Scalar::Decimal(sum));
    assert_eq!(t.get(0, 1), itq::Scalar::Int(count));
}
