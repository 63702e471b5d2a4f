//! Integer keys, which take paths of their own (a table indexed by value
//! when the keys are dense, a fast hash when not): joins (rows, order, nulls,
//! repeats, extreme values, the note on keys without a partner), grouping
//! (groups in order of first appearance, null one group) and `count
//! distinct`, each with dense and sparse keys.

use itq::store::facts::parse_typed_csv;
use itq::{render, Engine, Format, Output, Source};

/// Dense keys (a small range), with repeats and a null on each side.
const DENSE_L: &str = "k:int,x:text\n1,l1\n2,l2\n2,l3\n3,l4\n,l5\n5,l6\n-7,l7\n";
const DENSE_R: &str = "k:int,w:text\n2,a\n2,b\n3,c\n,d\n-7,e\n100,f\n";

fn engine(extra_left: &str, extra_right: &str) -> Engine {
    let mut e = Engine::empty();
    let l = format!("{DENSE_L}{extra_left}");
    let r = format!("{DENSE_R}{extra_right}");
    e.add_relation("l", parse_typed_csv("l", &l).unwrap(), None);
    e.add_relation("r", parse_typed_csv("r", &r).unwrap(), None);
    e
}

/// The result as CSV and the notes the query gave.
fn run(e: &mut Engine, query: &str) -> (String, Vec<String>) {
    let (mut table, mut notes) = (None, Vec::new());
    e.run(&Source::new("<query>", query), |out| match out {
        Output::Table(t) => table = Some(render(&t, Format::Csv)),
        Output::Note(n) => notes.push(n),
        _ => {}
    })
    .unwrap_or_else(|err| panic!("{query}\n{}", err.render()));
    (table.expect("a query shows a table"), notes)
}

#[test]
fn an_integer_join_follows_left_then_right_order_and_null_matches_nothing() {
    // The extreme values make the keys sparse (a hash map), the others dense.
    let big = "9223372036854775807,l8\n-9223372036854775808,l9\n";
    for (el, er, more) in [
        ("", "", ""),
        (big, "9223372036854775807,g\n", "9223372036854775807,l8,g\n"),
    ] {
        let mut e = engine(el, er);
        let (inner, notes) = run(&mut e, "l join r on k");
        assert_eq!(
            inner,
            format!("k,x,w\n2,l2,a\n2,l2,b\n2,l3,a\n2,l3,b\n3,l4,c\n-7,l7,e\n{more}"),
            "extra left rows: {el:?}"
        );
        // 1 and 5 (and i64::MIN) have no partner: too few for a note.
        assert_eq!(notes, Vec::<String>::new());
        let (left, _) = run(&mut e, "l left join r on k");
        let unmatched_min = if el.is_empty() {
            ""
        } else {
            "-9223372036854775808,l9,\n"
        };
        assert_eq!(
            left,
            format!(
                "k,x,w\n1,l1,\n2,l2,a\n2,l2,b\n2,l3,a\n2,l3,b\n3,l4,c\n,l5,\n5,l6,\n-7,l7,e\n{more}{unmatched_min}"
            )
        );
    }
}

#[test]
fn integer_keys_without_a_partner_are_counted_and_shown_in_the_note() {
    let keys: String = (1..=10).map(|k| format!("{k},x{k}\n")).collect();
    for sparse in [false, true] {
        let mut e = Engine::empty();
        let mut left = format!("k:int,x:text\n{keys}{keys}");
        if sparse {
            left.push_str("9000000000000,far\n");
        }
        e.add_relation("l", parse_typed_csv("l", &left).unwrap(), None);
        let right = parse_typed_csv("r", "k:int\n1\n").unwrap();
        e.add_relation("r", right, None);
        let (out, notes) = run(&mut e, "l join r on k count");
        assert_eq!(out, "count\n2\n");
        let (n, last) = if sparse {
            ("10 of the 11", "5 more")
        } else {
            ("9 of the 10", "4 more")
        };
        assert_eq!(
            notes,
            [format!(
                "{n} distinct `k` keys found no partner in `r` (`k`): `2`, `3`, `4`, `5`, `6` and {last}"
            )]
        );
    }
    // No key matches: the note says so.
    let mut e = engine("", "");
    let (_, notes) = run(&mut e, "l join (r where k > 50) on k");
    assert_eq!(
        notes,
        ["the join matched no row: none of the 5 distinct `k` keys has a partner in `r` (`k`): `1`, `2`, `3`, `5`, `-7`"]
    );
}

#[test]
fn grouping_by_an_integer_key_keeps_first_appearance_order_dense_or_sparse() {
    let big = "9223372036854775807,l8\n-9223372036854775808,l9\n2,l10\n";
    for (extra, more) in [
        ("", ""),
        (big, "9223372036854775807,1,l8\n-9223372036854775808,1,l9\n"),
    ] {
        let mut e = engine(extra, "");
        let (out, _) = run(&mut e, "l count, min x by k");
        let two = if extra.is_empty() { "2,l2" } else { "3,l10" };
        assert_eq!(
            out,
            format!("k,count,min_x\n1,1,l1\n2,{two}\n3,1,l4\n,1,l5\n5,1,l6\n-7,1,l7\n{more}")
        );
    }
}

#[test]
fn count_distinct_of_integers_skips_nulls_per_group_and_overall() {
    let t = "g:text,v:int\na,1\na,1\na,\nb,2\nb,3\na,3\nc,\n";
    for extra in ["", "b,9223372036854775807\nb,-9223372036854775808\n"] {
        let mut e = Engine::empty();
        let csv = format!("{t}{extra}");
        e.add_relation("t", parse_typed_csv("t", &csv).unwrap(), None);
        let (by_g, _) = run(&mut e, "t count distinct v by g");
        let b = if extra.is_empty() { 2 } else { 4 };
        assert_eq!(by_g, format!("g,count_distinct_v\na,2\nb,{b}\nc,0\n"));
        let (all, _) = run(&mut e, "t count distinct v");
        assert_eq!(all, format!("count_distinct_v\n{}\n", b + 1));
    }
}

#[test]
fn many_integer_keys_group_and_count_like_a_plain_computation() {
    // 100,000 rows over a range of 150,000 (past the small-range path),
    // with nulls and negatives; then the same with one far value added.
    for far in [false, true] {
        let mut csv = String::from("g:text,v:int\n");
        let mut values: Vec<(usize, Option<i64>)> = (0..100_000usize)
            .map(|i| {
                (
                    i % 3,
                    (i % 10 != 0).then(|| (i * 7 % 150_000) as i64 - 75_000),
                )
            })
            .collect();
        if far {
            values.push((0, Some(i64::MAX)));
        }
        for (g, v) in &values {
            csv.push_str(&format!(
                "g{g},{}\n",
                v.map_or(String::new(), |v| v.to_string())
            ));
        }
        let mut e = Engine::empty();
        e.add_relation("t", parse_typed_csv("t", &csv).unwrap(), None);
        let (mut order, mut counts) = (Vec::new(), std::collections::HashMap::new());
        for (_, v) in &values {
            *counts.entry(*v).or_insert_with(|| {
                order.push(*v);
                0
            }) += 1;
        }
        let expected: String = order
            .iter()
            .map(|v| {
                format!(
                    "{},{}\n",
                    v.map_or(String::new(), |v| v.to_string()),
                    counts[v]
                )
            })
            .collect();
        let (out, _) = run(&mut e, "t count by v");
        assert_eq!(out, format!("v,count\n{expected}"), "far: {far}");
        let distinct = order.iter().filter(|v| v.is_some()).count();
        let (out, _) = run(&mut e, "t count distinct v");
        assert_eq!(out, format!("count_distinct_v\n{distinct}\n"));
        let per_g: Vec<usize> = (0..3)
            .map(|g| {
                let mut s: Vec<i64> = values
                    .iter()
                    .filter(|(h, _)| *h == g)
                    .filter_map(|(_, v)| *v)
                    .collect();
                s.sort_unstable();
                s.dedup();
                s.len()
            })
            .collect();
        let (out, _) = run(&mut e, "t count distinct v by g");
        assert_eq!(
            out,
            format!(
                "g,count_distinct_v\ng0,{}\ng1,{}\ng2,{}\n",
                per_g[0], per_g[1], per_g[2]
            )
        );
    }
}
