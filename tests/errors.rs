//! Rendered parser and checker errors, as a user sees them: what is wrong, where
//! (line, column, the source line, a caret) and the suggested fix.

use itq::{Engine, Source};

fn error(text: &str) -> String {
    let mut engine = Engine::new().unwrap();
    match engine.run(&Source::new("<query>", text), |_| {}) {
        Ok(()) => panic!("expected an error from {text:?}"),
        Err(e) => e.render(),
    }
}

macro_rules! error_snapshots {
    ($($name:ident: $text:expr,)*) => {
        $(
            #[test]
            fn $name() {
                insta::assert_snapshot!(stringify!($name), error($text), $text);
            }
        )*
    };
}

error_snapshots! {
    misspelt_column: r#"projects where sectr = "new energy""#,
    misspelt_relation: "projets count",
    misspelt_keyword: r#"projects wher province = "Gansu""#,
    misspelt_function: "events select yeer(date)",
    misspelt_def: r#"top_sector("Yunnan", 3)"#,
    unquoted_text_value: "events where province = Gansu",
    unquoted_pivot_values: "events pivot status in (signed, \"expected\") sum value by province",
    text_compared_with_number: r#"events where province = 5"#,
    number_compared_with_text: r#"events where value > "300""#,
    sum_of_text: "events sum province",
    where_not_a_condition: "events where value",
    unclosed_string: r#"events where province = "Gansu"#,
    unclosed_string_ending_in_an_escaped_quote: r#"events where province = "Gansu\""#,
    unclosed_parenthesis: "events where (value > 1",
    trailing_operator: "events where value >",
    statement_ends_early: "events where\nvalue > 1",
    integer_too_large: "events where projects > 99999999999999999999",
    impossible_date: "events where date = 2024-02-30",
    negative_limit: "events limit -1",
    wrong_argument_count: r#"top_sectors("Yunnan")"#,
    recursive_def: "def loop(n) = loop(n)\nloop(1)",
    duplicate_result_column: "events select name, province as name",
    unknown_escape: r#"events where name = "a\qb""#,
    error_on_a_later_line: "provinces count\n\nevents\n  where valeu > 100\n  select name",
    column_after_aggregate: "events count by province where value > 1",
    keyword_as_name: "events select by",
    aggregate_as_function: "events select sum(value)",
    join_key_types_differ: "events join provinces on projects = name",
    bare_value_as_source: "let x = 5\nx where y",
    function_wrong_type: "events select year(name)",
}

#[test]
fn an_error_in_a_def_body_points_into_the_def() {
    let mut engine = Engine::new().unwrap();
    let err = engine
        .run(
            &Source::new("defs.itq", "def f(p) = projects where provnce = p"),
            |_| {},
        )
        .unwrap_err();
    assert!(err.render().contains("defs.itq:1:27"), "{}", err.render());
    assert!(
        err.render().contains("did you mean `province`?"),
        "{}",
        err.render()
    );
}
