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
    format!(
        "CREATE {kind} {} AS\n{select};",
        expr::ident(name, dialect)
    )
}
