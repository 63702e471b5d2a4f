//! Joins on one integer key (indexed by value: a table when the keys are
//! dense, a hash map when not): the rows, their order, nulls, duplicates and
//! extreme values, and the note on keys without a partner.

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
