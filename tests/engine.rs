//! The semantics of each clause, expression and of nulls, on small tables.
//! Each test reads as a row of a table: a query and the CSV it must give.

use itq::store::facts::parse_typed_csv;
use itq::{render, Engine, ErrorKind, Format};

const T: &str = "\
k:text,g:text,v:int,d:decimal,day:date
a,x,1,1.5,2024-01-01
b,x,2,,2024-02-15
c,y,,2.5,
d,y,4,-0.5,2023-12-31
e,,5,2.5,2024-10-27
";

const U: &str = "\
k:text,w:int,g:text
a,10,p
a,11,q
c,30,r
z,99,s
";

fn engine() -> Engine {
    let mut e = Engine::empty();
    e.add_relation("t", parse_typed_csv("t", T).unwrap(), None);
    e.add_relation("u", parse_typed_csv("u", U).unwrap(), None);
    e
}

/// Runs `query` on the test tables and returns the result as CSV.
fn give(query: &str) -> String {
    match engine().query(query) {
        Ok(t) => render(&t, Format::Csv),
        Err(e) => panic!("{query}\n{}", e.render()),
    }
}

fn fails(query: &str) -> itq::Error {
    engine().query(query).expect_err(query)
}

#[test]
fn where_keeps_only_rows_where_the_condition_is_true() {
    assert_eq!(give("t where v > 1 select k"), "k\nb\nd\ne\n");
    // c's v is null: neither `v > 1` nor `not (v > 1)` is true for it.
    assert_eq!(give("t where not (v > 1) select k"), "k\na\n");
    assert_eq!(give("t where v = null select k"), "k\n");
    assert_eq!(give("t where v is null select k"), "k\nc\n");
    assert_eq!(
        give("t where g is not null and v >= 2 select k"),
        "k\nb\nd\n"
    );
}

#[test]
fn three_valued_logic() {
    assert_eq!(
        give("t where v > 3 or g = \"x\" select k"),
        "k\na\nb\nd\ne\n"
    );
    assert_eq!(give("t where k = \"c\" select v > 1 or true as a, v > 1 and false as b, v > 1 and true as c"), "a,b,c\ntrue,false,\n");
}

#[test]
fn arithmetic_with_null_is_null_and_division_never_truncates() {
    assert_eq!(
        give("t select k, v + 1 as w"),
        "k,w\na,2\nb,3\nc,\nd,5\ne,6\n"
    );
    assert_eq!(
        give("t where k = \"a\" select 7 / 2 as q, 7 * 2 as p, 7 - 9 as m, -v as n"),
        "q,p,m,n\n3.5,14,-2,-1\n"
    );
    assert_eq!(
        give("t where k = \"a\" select v / 0 as z, d + v as s"),
        "z,s\n,2.5\n"
    );
}

#[test]
fn integer_overflow_is_an_error_not_a_wrong_answer() {
    assert!(matches!(
        fails("t select 9223372036854775807 + v as x").kind(),
        ErrorKind::Overflow(_)
    ));
    assert!(matches!(
        fails("t derive v * 9223372036854775807 as x sum x").kind(),
        ErrorKind::Overflow(_)
    ));
}

#[test]
fn aggregates_skip_nulls_and_count_counts_rows() {
    assert_eq!(
        give("t count, count v, count distinct d, sum v, avg v, min v, max v, median v"),
        "count,count_v,count_distinct_d,sum_v,avg_v,min_v,max_v,median_v\n5,4,3,12,3.0,1,5,3.0\n"
    );
    assert_eq!(give("t sum d, median d"), "sum_d,median_d\n6.0,2.0\n");
}

#[test]
fn aggregates_of_nothing_are_null_and_count_is_zero() {
    assert_eq!(
        give("t where v > 100 count, sum v, avg v, min k, max day"),
        "count,sum_v,avg_v,min_k,max_day\n0,,,,\n"
    );
}

#[test]
fn groups_come_in_order_of_first_appearance_and_null_is_a_group() {
    assert_eq!(
        give("t count, sum v as total by g"),
        "g,count,total\nx,2,3\ny,2,4\n,1,5\n"
    );
    assert_eq!(
        give("t min k, max d by g"),
        "g,min_k,max_d\nx,a,1.5\ny,c,2.5\n,e,2.5\n"
    );
    assert_eq!(
        give("t count by year(day)"),
        "year_day,count\n2024,3\n,1\n2023,1\n"
    );
}

#[test]
fn default_result_names_are_usable_later() {
    assert_eq!(
        give("t count by g sort count desc, g"),
        "g,count\nx,2\ny,2\n,1\n"
    );
    assert_eq!(give("t sum v by g where sum_v > 3"), "g,sum_v\ny,4\n,5\n");
}

#[test]
fn sort_puts_nulls_last_in_both_directions_and_is_stable() {
    assert_eq!(give("t sort v select k"), "k\na\nb\nd\ne\nc\n");
    assert_eq!(give("t sort v desc select k"), "k\ne\nd\nb\na\nc\n");
    assert_eq!(give("t sort g desc select k"), "k\nc\nd\na\nb\ne\n");
    assert_eq!(give("t sort d, k desc select k"), "k\nd\na\ne\nc\nb\n");
}

#[test]
fn text_compares_by_code_point() {
    assert_eq!(
        give(
            "t where k = \"a\" select \"B\" < \"a\" as upper_first, \"é\" > \"z\" as accent_after"
        ),
        "upper_first,accent_after\ntrue,true\n"
    );
}

#[test]
fn limit_and_top() {
    assert_eq!(give("t limit 2 select k"), "k\na\nb\n");
    assert_eq!(give("t limit 0 select k"), "k\n");
    assert_eq!(give("t top 2 by v select k, v"), "k,v\ne,5\nd,4\n");
    assert_eq!(give("t top 2 by v asc select k"), "k\na\nb\n");
    assert_eq!(give("t top 10 by d select k"), "k\nc\ne\na\nd\nb\n");
}

#[test]
fn join_keeps_every_match_and_renames_clashes_predictably() {
    // `on k`: the key appears once; u's `g` clashes with t's and becomes `u_g`.
    assert_eq!(
        give("t join u on k select k, v, w, g, u_g"),
        "k,v,w,g,u_g\na,1,10,x,p\na,1,11,x,q\nc,,30,y,r\n"
    );
    assert_eq!(
        give("t left join u on k select k, w"),
        "k,w\na,10\na,11\nb,\nc,30\nd,\ne,\n"
    );
    // `on LEFT = RIGHT` keeps both key columns.
    assert_eq!(give("t join u on k = k count"), "count\n3\n");
    assert_eq!(
        give("t join (u where w > 10) on k = k select k, u_k, w"),
        "k,u_k,w\na,a,11\nc,c,30\n"
    );
}

#[test]
fn distinct() {
    // CSV writes a lone empty field as "" so the row is not lost.
    assert_eq!(give("t distinct g"), "g\nx\ny\n\"\"\n");
    assert_eq!(give("u select k distinct"), "k\na\nc\nz\n");
}

#[test]
fn select_and_derive() {
    assert_eq!(
        give("t where k = \"b\" select k as key, upper(k), v * 2"),
        "key,upper_k,v_2\nB,B,4\n".replacen("B,B", "b,B", 1)
    );
    // derive adds, replaces in place, and sees what it derived before.
    assert_eq!(
        give("t where k = \"a\" derive v * 10 as v, v + 1 as w"),
        "k,g,v,d,day,w\na,x,10,1.5,2024-01-01,11\n"
    );
}

#[test]
fn predicates() {
    assert_eq!(
        give("t where k in (\"a\", \"e\", \"zz\") select k"),
        "k\na\ne\n"
    );
    assert_eq!(give("t where v not in (1, 2) select k"), "k\nd\ne\n");
    assert_eq!(give("t where v between 2 and 4 select k"), "k\nb\nd\n");
    assert_eq!(give("t where v not between 2 and 4 select k"), "k\na\ne\n");
    assert_eq!(
        give("t where day between 2024-01-01 and 2024-06-30 select k"),
        "k\na\nb\n"
    );
    assert_eq!(
        give("u where \"A\" contains k or g contains \"Q\" select w"),
        "w\n10\n11\n"
    );
}

#[test]
fn functions() {
    assert_eq!(
        give("t where k = \"a\" select round(2.5) as a, round(-2.5) as b, round(1.25, 1) as c, round(1250, -2) as d, round(-1250, -2) as e, round(1249, -2) as f"),
        "a,b,c,d,e,f\n3.0,-3.0,1.3,1300,-1300,1200\n"
    );
    assert_eq!(give("t select coalesce(v, 0) as v"), "v\n1\n2\n0\n4\n5\n");
    assert_eq!(
        give("t select coalesce(d, v) as x"),
        "x\n1.5\n2.0\n2.5\n-0.5\n2.5\n"
    );
    assert_eq!(give("t where k = \"e\" select year(day), month(day), day(day), abs(-3), length(\"中国\"), lower(\"GanSu\")"), "year_day,month_day,day_day,abs_3,length_中国,lower_gansu\n2024,10,27,3,2,gansu\n");
}

#[test]
fn literals_and_escapes() {
    assert_eq!(
        give("t limit 1 select \"a\\\"b\\\\c\" as s, 'single' as q, 1_000 as n, 1.5e3 as e, `k`"),
        "s,q,n,e,k\n\"a\"\"b\\c\",single,1000,1500.0,a\n"
    );
}

#[test]
fn statements_lets_defs_and_layout() {
    let script = "
# a comment
let big = t
  where v > 1   # trailing comment
  select k, v
let limit_value = 4; big where v >= limit_value count
";
    assert_eq!(give(script), "count\n2\n");
    assert_eq!(
        give("def over(n) = t where v > n select k\nover(3)"),
        "k\nd\ne\n"
    );
    assert_eq!(
        give("def first(n) = t limit n select k; first(1)"),
        "k\na\n"
    );
    assert_eq!(give("let two = 1 + 1; t where v = two select k"), "k\nb\n");
}

#[test]
fn checker_errors_are_reported_before_running() {
    assert!(matches!(
        fails("t where vv > 1").kind(),
        ErrorKind::UnknownColumn { .. }
    ));
    assert!(matches!(
        fails("tt count").kind(),
        ErrorKind::UnknownRelation(_)
    ));
    assert!(matches!(fails("t where k > 1").kind(), ErrorKind::Type(_)));
    assert!(matches!(fails("t sum k").kind(), ErrorKind::Type(_)));
    assert!(matches!(fails("t limit -1").kind(), ErrorKind::Invalid(_)));
    assert!(matches!(
        fails("t select k, k").kind(),
        ErrorKind::Invalid(_)
    ));
    assert!(matches!(
        fails("def f(n) = f(n); f(1)").kind(),
        ErrorKind::Invalid(_)
    ));
}
