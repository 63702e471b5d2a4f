//! The SQL backend: checked plans compiled to the SQL of another engine
//! (DuckDB, PostgreSQL, SQLite, Spark, Trino or standard SQL), keeping itq's
//! meaning. It reads only `plan`, as the native engine (`exec`) does; neither
//! knows the other.
//!
//! The output is one statement: a SELECT per run of steps that SQL's clause
//! order allows in one SELECT, earlier runs as CTEs named after the step that
//! ended them (`by_province`, `filtered`, `top_5`). Relations are read by the
//! name the query used, so the engine must hold tables of those names.
//! See docs/sql.md for the rules per dialect.

mod dialect;
mod expr;
mod select;

pub use dialect::{Dialect, DIALECTS};

use crate::error::{Error, ErrorKind, Result};
use crate::plan::Plan;

/// The SQL text of `plan` in `dialect`, or an error naming the construct the
/// dialect cannot express.
pub fn compile(plan: &Plan, dialect: Dialect) -> Result<String> {
    select::Compiler::new(dialect).statement(plan)
}

/// Like [`compile`], and also the result's columns: what an engine that runs
/// the SQL gives back.
pub fn compile_typed(plan: &Plan, dialect: Dialect) -> Result<(String, Vec<crate::store::Field>)> {
    let (sql, columns) = select::Compiler::new(dialect).typed_statement(plan)?;
    let fields = columns
        .into_iter()
        .map(|(name, ty)| crate::store::Field { name, ty })
        .collect();
    Ok((sql, fields))
}

/// The error for a construct `dialect` cannot express with itq's meaning.
fn unsupported(construct: &str, dialect: Dialect, why: Option<&str>) -> Error {
    let e = Error::new(ErrorKind::Unsupported {
        construct: construct.to_string(),
        dialect: dialect.engine().to_string(),
    });
    match why {
        Some(w) => e.with_help(w.to_string()),
        None => e.with_help("run the query on the native engine, or on another dialect"),
    }
}

/// `let name = ...` as a statement of `dialect`: a temporary view (a plain
/// view where the engine has no temporary ones).
pub fn create_view(name: &str, select: &str, dialect: Dialect) -> String {
    let kind = match dialect {
        Dialect::Trino | Dialect::Ansi => "VIEW",
        Dialect::Spark => "OR REPLACE TEMPORARY VIEW",
        _ => "TEMPORARY VIEW",
    };
    format!("CREATE {kind} {} AS\n{select};", expr::ident(name, dialect))
}

/// Statements that make a table `name` holding the rows of `table` in
/// `dialect`: `CREATE TABLE` and `INSERT` (on Spark, a temporary view over
/// `VALUES`). For moving a relation, such as the built-in fact base, to an
/// engine that runs itq's SQL.
pub fn create_table(name: &str, table: &crate::store::Table, dialect: Dialect) -> Vec<String> {
    use crate::value::Type;
    let ty = |t: Type| match (t, dialect) {
        (Type::Int | Type::Null, Dialect::Sqlite) => "INTEGER",
        (Type::Int | Type::Null, _) => "BIGINT",
        (Type::Decimal, d) => d.double_type(),
        (Type::Bool, _) => "BOOLEAN",
        (Type::Date, Dialect::Sqlite) => "TEXT",
        (Type::Date, _) => "DATE",
        (Type::Text, Dialect::Spark) => "STRING",
        (Type::Text, Dialect::Trino) => "VARCHAR",
        (Type::Text, _) => "TEXT",
    };
    let fields = table.fields();
    let q = |n: &str| expr::ident(n, dialect);
    let rows: Vec<String> = table
        .rows()
        .map(|row| {
            let values: Vec<String> = row.iter().map(|v| expr::literal(v, dialect).text).collect();
            format!("({})", values.join(", "))
        })
        .collect();
    if dialect == Dialect::Spark {
        let cast: Vec<String> = fields
            .iter()
            .enumerate()
            .map(|(i, f)| match rows.is_empty() {
                true => format!("CAST(NULL AS {}) AS {}", ty(f.ty), q(&f.name)),
                false => format!("CAST(c{i} AS {}) AS {}", ty(f.ty), q(&f.name)),
            })
            .collect();
        let from = if rows.is_empty() {
            " WHERE FALSE".to_string()
        } else {
            let aliases: Vec<String> = (0..fields.len()).map(|i| format!("c{i}")).collect();
            format!(
                "\nFROM VALUES\n  {}\n  AS v({})",
                rows.join(",\n  "),
                aliases.join(", ")
            )
        };
        return vec![format!(
            "CREATE OR REPLACE TEMPORARY VIEW {} AS\nSELECT {}{from};",
            q(name),
            cast.join(", ")
        )];
    }
    let columns: Vec<String> = fields
        .iter()
        .map(|f| format!("{} {}", q(&f.name), ty(f.ty)))
        .collect();
    let mut out = vec![format!(
        "CREATE TABLE {} ({});",
        q(name),
        columns.join(", ")
    )];
    for chunk in rows.chunks(500) {
        out.push(format!(
            "INSERT INTO {} VALUES\n  {};",
            q(name),
            chunk.join(",\n  ")
        ));
    }
    out
}

/// Points a dialect's refusal at the construct in the statement `within` of
/// `text`: the first word it names in backticks (`median`, `limit`, `lower`),
/// where that word stands outside a string; other errors pass unchanged.
pub(crate) fn locate(e: Error, text: &str, within: crate::source::Span) -> Error {
    let ErrorKind::Unsupported { construct, .. } = e.kind() else {
        return e;
    };
    let Some(word) = construct
        .split('`')
        .nth(1)
        .map(|w| w.split('(').next().unwrap_or(w).to_string())
    else {
        return e;
    };
    let statement = &text[within.start..within.end.min(text.len())];
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let found = statement.match_indices(word.as_str()).find(|&(i, _)| {
        let before = statement[..i].chars().next_back();
        let after = statement[i + word.len()..].chars().next();
        let outside_string = statement[..i].matches('"').count().is_multiple_of(2);
        !before.is_some_and(is_word) && !after.is_some_and(is_word) && outside_string
    });
    match found {
        Some((i, _)) => {
            let start = within.start + i;
            e.with_span(crate::source::Span {
                start,
                end: start + word.len(),
            })
        }
        None => e,
    }
}
