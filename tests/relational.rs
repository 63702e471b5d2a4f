//! `append`, `union`, `x in (QUERY)`, a one-value relation as a scalar, `pivot` and
//! `unpivot`: their values, null rules, empty inputs and ties, on small
//! tables written out, and their errors.

use itq::store::facts::parse_typed_csv;
use itq::{render, Engine, Format};

const T: &str = "\
k:text,g:text,v:int,d:decimal
a,x,1,1.5
b,x,2,
c,y,,2.5
d,,4,-0.5
e,y,2,2.5
";

const U: &str = "\
v:int,k:text
2,b
,z
9,q
";

fn engine() -> Engine {
    let mut e = Engine::empty();
    e.add_relation("t", parse_typed_csv("t", T).unwrap(), None);
    e.add_relation("u", parse_typed_csv("u", U).unwrap(), None);
    let empty = parse_typed_csv("none", "k:text,g:text,v:int,d:decimal\n").unwrap();
    e.add_relation("none", empty, None);
    let one = parse_typed_csv("one", "total:int\n12\n").unwrap();
    e.add_relation("one", one, None);
    let zero = parse_typed_csv("zero", "total:int\n").unwrap();
    e.add_relation("zero", zero, None);
    e
}

fn give(query: &str) -> String {
    match engine().query(query) {
        Ok(t) => render(&t, Format::Csv),
        Err(e) => panic!("{query}\n{}", e.render()),
    }
}

fn fails(query: &str) -> String {
    engine().query(query).expect_err(query).render()
}

#[test]
fn append_matches_columns_by_name_and_keeps_every_row() {
    // u's columns in the other order; v int meets d decimal as decimal.
    assert_eq!(
        give("t select k, v where v = 2 append u"),
        "k,v\nb,2\ne,2\nb,2\nz,\nq,9\n"
    );
    assert_eq!(
        give("t select k, v where k = \"a\" append (t select d as v, k where k = \"c\")"),
        "k,v\na,1.0\nc,2.5\n"
    );
    // Empty on either side.
    assert_eq!(give("none append t count"), "count\n5\n");
    assert_eq!(give("t append none count"), "count\n5\n");
    assert_eq!(give("none append none count"), "count\n0\n");
    // Duplicates are kept; `distinct` after gives SQL's UNION.
    assert_eq!(give("t append t count"), "count\n10\n");
    assert_eq!(give("t append t distinct count"), "count\n5\n");
}

#[test]
fn union_is_append_then_distinct_in_order_of_first_appearance() {
    // A row repeated within one side, across the sides, and nulls (equal to
    // each other for `union`, as in SQL): each distinct row once, where it
    // first appears.
    assert_eq!(
        give("t select g union (t where v is not null select g)"),
        "g\nx\ny\n\"\"\n"
    );
    assert_eq!(give("u select v union (u select v)"), "v\n2\n\"\"\n9\n");
    assert_eq!(
        give("u select k, v union (t where v = 2 select v, k)"),
        "k,v\nb,2\nz,\nq,9\ne,2\n"
    );
    // Integers meet decimals: 1 and 1.0 are one value.
    assert_eq!(
        give(
            "t where k = \"a\" select v as n union (t where k = \"a\" or k = \"c\" select d as n)"
        ),
        "n\n1.0\n1.5\n2.5\n"
    );
    assert_eq!(give("t union t count"), "count\n5\n");
    assert_eq!(give("none union none count"), "count\n0\n");
    assert_eq!(give("none union (t select k, g, v, d) count"), "count\n5\n");
    assert_eq!(
        give("t union t union t count"),
        give("t append t append t distinct count")
    );
}

#[test]
fn union_names_itself_in_its_errors() {
    let e = fails("t select k, g union u");
    assert!(e.contains("`union` needs the same columns on both sides, but `u` has no `g`, and the result of `select` has no `v`"), "{e}");
    assert!(e.contains("1:21"), "{e}");
    let e = fails("t select k union (u select v as k)");
    assert!(
        e.contains(
            "`union` cannot put `k` of `u` (integer) under `k` of the result of `select` (text)"
        ),
        "{e}"
    );
}

#[test]
fn append_names_the_columns_that_do_not_match() {
    let e = fails("t select k, g append u");
    assert!(e.contains("`append` needs the same columns on both sides, but `u` has no `g`, and the result of `select` has no `v`"), "{e}");
    assert!(e.contains("1:22"), "{e}");
    let e = fails("t select k append (u select v as k)");
    assert!(
        e.contains(
            "`append` cannot put `k` of `u` (integer) under `k` of the result of `select` (text)"
        ),
        "{e}"
    );
}

#[test]
fn in_a_query_follows_sqls_null_rule() {
    // u.v holds 2, null, 9: a found value is true; any other is null, never false.
    assert_eq!(give("t where v in (u select v) select k"), "k\nb\ne\n");
    assert_eq!(
        give("t select k, v in (u select v) as found"),
        "k,found\na,\nb,true\nc,\nd,\ne,true\n"
    );
    // So `not in` keeps nothing when the values hold a null...
    assert_eq!(give("t where v not in (u select v) count"), "count\n0\n");
    // ... and without the null, only non-null values not found.
    assert_eq!(
        give("t where v not in (u where v is not null select v) select k"),
        "k\na\nd\n"
    );
    // Over no values: `in` false, `not in` true, even for a null x.
    assert_eq!(
        give(
            "t select k, v in (none select v) as i, v not in (none select v) as n where k = \"c\""
        ),
        "k,i,n\nc,false,true\n"
    );
    // Text through the dictionaries; integers meet decimals.
    assert_eq!(give("t where k in (u select k) select k"), "k\nb\n");
    assert_eq!(give("t where d in (u select v) select k"), "k\n");
    assert_eq!(give("t where v in (t select d) select k"), "k\n");
    // A lone relation name of one column is a query.
    assert_eq!(give("u where v in (one) count"), "count\n0\n");
}

#[test]
fn in_a_query_needs_one_column_of_a_comparable_type() {
    let e = fails("t where v in (u select v, k)");
    assert!(
        e.contains("needs a query of one column, but this one gives 2: `v`, `k`"),
        "{e}"
    );
    let e = fails("t where k in (u select v)");
    assert!(
        e.contains("cannot look for `k` (text) among the values of `v` (integer)"),
        "{e}"
    );
}

#[test]
fn a_one_value_relation_is_a_scalar_and_an_empty_one_is_null() {
    assert_eq!(give("t where v = 4 select v * one as x"), "x\n48\n");
    assert_eq!(
        give("t where v = 4 select coalesce(zero, -1) as x"),
        "x\n-1\n"
    );
    let e = fails("t select v / u");
    assert!(
        e.contains("`u` is a relation of 3 rows and 2 columns, not a single value"),
        "{e}"
    );
}

#[test]
fn a_let_total_divides_later_queries() {
    let mut e = engine();
    let src = std::sync::Arc::new(itq::Source::new(
        "<test>",
        "let total = t sum v\nt where v is not null select k, v / total as part",
    ));
    let mut out = Vec::new();
    e.run(&src, |o| out.push(o)).unwrap();
    let t = e
        .query("t where v is not null select k, round(v / total, 3) as part")
        .unwrap();
    assert_eq!(
        render(&t, Format::Csv),
        "k,part\na,0.111\nb,0.222\nd,0.444\ne,0.222\n"
    );
}

#[test]
fn pivot_gives_a_column_per_value_and_the_empty_aggregate_where_no_rows() {
    assert_eq!(
        give("t pivot g in (\"x\", \"y\") sum v by k sort k"),
        "k,x,y\na,1,\nb,2,\nc,,\nd,,\ne,,2\n"
    );
    // `count` gives 0 where a group has no row of the value; null keys group.
    assert_eq!(
        give("t pivot g in (\"x\", \"y\") count as n"),
        "n_x,n_y\n2,2\n"
    );
    assert_eq!(
        give("t pivot k in (\"a\", \"c\") count by g"),
        "g,a,c\nx,1,0\ny,0,1\n,0,0\n"
    );
    // Over no rows, one row without `by`, none with.
    assert_eq!(give("none pivot g in (\"x\") count"), "x\n0\n");
    assert_eq!(give("none pivot g in (\"x\") count by k"), "k,x\n");
    let e = fails("t pivot g in (null) count");
    assert!(e.contains("a `pivot` value cannot be null"), "{e}");
    let e = fails("t pivot g in (1) count");
    assert!(e.contains("cannot compare"), "{e}");
}

#[test]
fn pivot_of_a_column_answers_as_the_conditional_aggregates_written_out() {
    // `AGG v` pivots take one grouping by the keys and the pivot column;
    // `AGG v * 1` is computed as written, a pass per value. Same answers.
    for agg in [
        "sum", "avg", "min", "max", "median", "stddev", "first", "last", "mode",
    ] {
        for tail in ["", " by k", " by g"] {
            let fast = format!("t pivot d in (2.5, 1.5, 9.0) {agg} v{tail}");
            let slow = format!("t pivot d in (2.5, 1.5, 9.0) {agg} v * 1{tail}");
            assert_eq!(give(&fast), give(&slow), "{fast}");
        }
    }
    for (fast, slow) in [
        (
            "t where v > 1 pivot g in (\"y\", \"x\") count distinct v by k",
            "t where v > 1 pivot g in (\"y\", \"x\") count distinct v * 1 by k",
        ),
        (
            "t pivot g in (\"x\", \"y\") list distinct k",
            "t pivot g in (\"x\", \"y\") list distinct trim(k)",
        ),
        (
            "t pivot k in (\"a\", \"b\", \"e\") corr(v, d) by g",
            "t pivot k in (\"a\", \"b\", \"e\") corr(v * 1, d) by g",
        ),
    ] {
        assert_eq!(give(fast), give(slow), "{fast}");
    }
    assert_eq!(
        give("t pivot g in (\"y\", \"x\") max d by v sort v"),
        "v,y,x\n1,,1.5\n2,2.5,\n4,,\n,2.5,\n"
    );
    // A sum that overflows in a group of an unlisted value does not fail
    // the pivot, which never adds those rows up.
    let mut e = engine();
    let big = "g:text,v:int\nx,1\nz,9223372036854775807\nz,1\nx,2\n";
    e.add_relation("big", parse_typed_csv("big", big).unwrap(), None);
    let t = e.query("big pivot g in (\"x\") sum v").unwrap();
    assert_eq!(render(&t, Format::Csv), "x\n3\n");
}

#[test]
fn unpivot_turns_columns_into_rows_and_keeps_nulls() {
    assert_eq!(
        give("t where g = \"x\" select k, v, d unpivot v, d into what, n"),
        "k,what,n\na,v,1.0\na,d,1.5\nb,v,2.0\nb,d,\n"
    );
    // pivot then unpivot gives back the counts.
    assert_eq!(
        give("t pivot g in (\"x\", \"y\") count by k unpivot x, y into g, n where n > 0"),
        "k,g,n\na,x,1\nb,x,1\nc,y,1\ne,y,1\n"
    );
    assert_eq!(give("none unpivot v, d into what, n count"), "count\n0\n");
    let e = fails("t unpivot k, v into what, n");
    assert!(
        e.contains(
            "`unpivot` puts the columns' values in one column, but `k` is text and `v` is integer"
        ),
        "{e}"
    );
    let e = fails("t unpivot v, v into what, n");
    assert!(e.contains("`v` is listed twice"), "{e}");
    let e = fails("t unpivot v into k, n");
    assert!(e.contains("two result columns are named `k`"), "{e}");
}
