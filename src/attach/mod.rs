//! Attached databases: `attach "postgres://user@host/db" as wh` or
//! `attach "data/register.sqlite" as reg`. A connection lists the database's
//! tables and columns (the catalog keeps that description, so the checker
//! sees `wh.projects` like any relation) and runs the SQL the engine sends:
//! the whole query when it reads only that database, otherwise the parts
//! that do (see src/place.rs).
//!
//! What comes back is typed by the plan, not by the database: each value is
//! read as the itq type the checker gave its column.
//!
//! Passwords: the URL's password is used to connect and kept only inside the
//! client's configuration; every message names the database by its redacted
//! location ([`redact`]), and the prompt's history keeps lines through
//! [`redact_text`].

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

use crate::cancel::InterruptHandle;
use crate::error::{Error, ErrorKind, Result};
use crate::sql::Dialect;
use crate::store::{Builder, Column, Database, DatabaseTable, Field, Table, TextBuilder};
use crate::value::Type;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// A live connection to a database.
pub(crate) trait Connection: Send + Sync {
    /// The tables this connection offers, with their columns.
    fn tables(&self) -> std::result::Result<BTreeMap<String, DatabaseTable>, Failure>;
    /// The rows of `sql`, whose columns have the types of `fields`.
    /// `cancel` stops it.
    fn query(
        &self,
        sql: &str,
        fields: &[Field],
        cancel: &InterruptHandle,
    ) -> std::result::Result<Table, Failure>;
}

/// Why a request to a database failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The user cancelled it.
    Cancelled,
    /// The database (or the way to it) said no; the text holds no password.
    Message(String),
}

impl From<String> for Failure {
    fn from(s: String) -> Failure {
        Failure::Message(s)
    }
}

/// An attached database: its connection and how messages name it.
#[derive(Clone)]
pub struct Attachment {
    /// The name queries use before the dot.
    name: String,
    /// Its SQL dialect.
    dialect: Dialect,
    /// Where it is, without a password.
    location: String,
    connection: Arc<dyn Connection>,
}

impl std::fmt::Debug for Attachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Attachment({})", self.describe())
    }
}

/// What kind of database a URL names.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// `postgres://` or `postgresql://`.
    Postgres(String),
    /// A SQLite file (`sqlite:PATH`, or a path ending in `.sqlite`, `.sqlite3` or `.db`).
    Sqlite(String),
    /// A DuckDB file (`duckdb:PATH` or a path ending in `.duckdb`).
    DuckDb(String),
}

impl Target {
    /// What `url` names, or what to write instead.
    pub fn of(url: &str) -> std::result::Result<Target, String> {
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(Target::Postgres(url.to_string()));
        }
        for (prefix, make) in [
            ("sqlite:", Target::Sqlite as fn(String) -> Target),
            ("duckdb:", Target::DuckDb),
        ] {
            if lower.starts_with(prefix) {
                let rest = &url[prefix.len()..];
                let rest = rest.strip_prefix("//").unwrap_or(rest);
                return Ok(make(rest.to_string()));
            }
        }
        if lower.ends_with(".sqlite") || lower.ends_with(".sqlite3") || lower.ends_with(".db") {
            return Ok(Target::Sqlite(url.to_string()));
        }
        if lower.ends_with(".duckdb") {
            return Ok(Target::DuckDb(url.to_string()));
        }
        Err(format!(
            "`{}` is not a database itq can attach",
            redact(url)
        ))
    }

    /// The file a SQLite or DuckDB target reads, if it is one.
    pub fn file(&self) -> Option<&str> {
        match self {
            Target::Sqlite(p) | Target::DuckDb(p) => Some(p),
            Target::Postgres(_) => None,
        }
    }
}

impl Attachment {
    /// Connects to `target` (a file target's path already resolved to `file`)
    /// and reads its tables. `name` is what queries write before the dot.
    pub(crate) fn open(
        name: &str,
        target: &Target,
        file: Option<&Path>,
    ) -> std::result::Result<(Attachment, Database), Error> {
        let (dialect, location, connection): (Dialect, String, Arc<dyn Connection>) = match target {
            #[cfg(feature = "postgres")]
            Target::Postgres(url) => {
                let (c, location) = postgres::connect(url).map_err(|m| {
                    let at = postgres::location_of(url);
                    database_error(name, "PostgreSQL", &at, Failure::Message(m))
                })?;
                (Dialect::Postgres, location, Arc::new(c))
            }
            #[cfg(feature = "sqlite")]
            Target::Sqlite(path) => {
                let file = file.unwrap_or(Path::new(path));
                let c = sqlite::open(file)
                    .map_err(|m| database_error(name, "SQLite", path, Failure::Message(m)))?;
                (Dialect::Sqlite, path.clone(), Arc::new(c))
            }
            other => return Err(not_built(other)),
        };
        let _ = file;
        let attachment = Attachment {
            name: name.to_string(),
            dialect,
            location,
            connection,
        };
        let tables = attachment
            .connection
            .tables()
            .map_err(|f| attachment.error(f))?;
        let database = Database {
            engine: dialect.engine(),
            location: attachment.location.clone(),
            tables,
        };
        Ok((attachment, database))
    }

    /// The dialect its SQL is written in.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// `` `wh` (PostgreSQL at localhost:5432/warehouse) ``.
    pub fn describe(&self) -> String {
        format!(
            "`{}` ({} at {})",
            self.name,
            self.dialect.engine(),
            self.location
        )
    }

    /// Runs `sql` there; its result has the columns `fields`.
    pub(crate) fn query(
        &self,
        sql: &str,
        fields: &[Field],
        cancel: &InterruptHandle,
    ) -> Result<Table> {
        self.connection
            .query(sql, fields, cancel)
            .map_err(|f| self.error(f))
    }

    fn error(&self, failure: Failure) -> Error {
        database_error(&self.name, self.dialect.engine(), &self.location, failure)
    }
}

fn database_error(name: &str, engine: &str, location: &str, failure: Failure) -> Error {
    match failure {
        Failure::Cancelled => Error::new(ErrorKind::Cancelled),
        Failure::Message(message) => Error::new(ErrorKind::Database {
            database: format!("`{name}` ({engine} at {location})"),
            message,
        }),
    }
}

fn not_built(target: &Target) -> Error {
    let (engine, feature) = match target {
        Target::Postgres(_) => ("PostgreSQL", "postgres"),
        Target::Sqlite(_) => ("SQLite", "sqlite"),
        Target::DuckDb(_) => ("DuckDB", "duckdb"),
    };
    let e = Error::new(ErrorKind::Invalid(format!(
        "this itq cannot attach {engine} databases"
    )));
    match target {
        Target::DuckDb(_) => e.with_help(
            "attaching a DuckDB file directly is not built yet; export the tables \
             (`COPY t TO 't.parquet'` in DuckDB) and `load` them, or attach the data \
             as SQLite or PostgreSQL",
        ),
        _ => e.with_help(format!(
            "build itq with the `{feature}` feature (it is on by default)"
        )),
    }
}

/// `url` without its password: `postgres://ann:secret@h/db` is
/// `postgres://ann@h/db`, and a `password=` parameter is dropped.
pub fn redact(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let rest_start = scheme_end + 3;
        let authority_end = out[rest_start..]
            .find(['/', '?'])
            .map_or(out.len(), |i| rest_start + i);
        if let Some(at) = out[rest_start..authority_end].rfind('@') {
            let userinfo = &out[rest_start..rest_start + at];
            if let Some(colon) = userinfo.find(':') {
                out.replace_range(rest_start + colon..rest_start + at, "");
            }
        }
    }
    if let Some(q) = out.find('?') {
        let (head, query) = out.split_at(q + 1);
        let kept: Vec<&str> = query
            .split('&')
            .filter(|p| !p.to_ascii_lowercase().starts_with("password="))
            .collect();
        out = format!("{head}{}", kept.join("&"));
        if out.ends_with('?') {
            out.pop();
        }
    }
    out
}

/// `text` with the password of every URL in it removed (for history and
/// messages): each word or quoted piece holding `://` or `password=`.
pub fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.contains("://") || word.to_ascii_lowercase().contains("password=") {
            out.push_str(&redact(word));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() || c == '"' || c == '\'' {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// How long a connection attempt may take before it is reported as failed.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs `work` while a watcher calls `stop` as soon as `cancel` is set.
/// `stop` must make `work` return soon (a cancel request to the server).
pub(crate) fn watched<R>(
    cancel: &InterruptHandle,
    stop: impl Fn() + Send + Sync,
    work: impl FnOnce() -> R,
) -> R {
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                if cancel.is_cancelled() {
                    stop();
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        });
        let r = work();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        r
    })
}

/// One value as a database client hands it over.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cell<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
}

/// Builds one result column of an itq type from database values.
pub(crate) enum ColumnBuilder {
    Int(Builder<i64>),
    Decimal(Builder<f64>),
    Bool(Builder<bool>),
    Date(Builder<i32>),
    Text(TextBuilder),
    Null(usize),
}

impl ColumnBuilder {
    pub(crate) fn new(ty: Type) -> ColumnBuilder {
        match ty {
            Type::Int => ColumnBuilder::Int(Builder::with_capacity(0)),
            Type::Decimal => ColumnBuilder::Decimal(Builder::with_capacity(0)),
            Type::Bool => ColumnBuilder::Bool(Builder::with_capacity(0)),
            Type::Date => ColumnBuilder::Date(Builder::with_capacity(0)),
            Type::Text => ColumnBuilder::Text(TextBuilder::with_capacity(0)),
            Type::Null => ColumnBuilder::Null(0),
        }
    }

    /// Adds `cell`, or says why it is not a value of the column's type.
    pub(crate) fn push(&mut self, cell: Cell) -> std::result::Result<(), String> {
        let bad = |what: &str| format!("the database sent {cell:?} where itq expects {what}");
        match self {
            ColumnBuilder::Int(b) => b.push(match cell {
                Cell::Null => None,
                Cell::Int(i) => Some(i),
                Cell::Real(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(f as i64),
                Cell::Text(t) => Some(
                    t.trim()
                        .parse()
                        .ok()
                        .or_else(|| {
                            // A numeric sum prints as `12` or `12.0`.
                            let f: f64 = t.trim().parse().ok()?;
                            (f.fract() == 0.0 && f.abs() < 9.2e18).then_some(f as i64)
                        })
                        .ok_or_else(|| bad("an integer"))?,
                ),
                _ => return Err(bad("an integer")),
            }),
            ColumnBuilder::Decimal(b) => b.push(match cell {
                Cell::Null => None,
                Cell::Int(i) => Some(i as f64),
                Cell::Real(f) => Some(f),
                Cell::Text(t) => Some(match t.trim() {
                    "Infinity" => f64::INFINITY,
                    "-Infinity" => f64::NEG_INFINITY,
                    t => t.parse().map_err(|_| bad("a decimal"))?,
                }),
            }),
            ColumnBuilder::Bool(b) => b.push(match cell {
                Cell::Null => None,
                Cell::Int(0) => Some(false),
                Cell::Int(1) => Some(true),
                Cell::Text("t" | "true" | "1") => Some(true),
                Cell::Text("f" | "false" | "0") => Some(false),
                _ => return Err(bad("true or false")),
            }),
            ColumnBuilder::Date(b) => b.push(match cell {
                Cell::Null => None,
                Cell::Text(t) => Some(
                    crate::value::parse_date(t.get(..10).unwrap_or(t))
                        .ok_or_else(|| bad("a date"))?,
                ),
                _ => return Err(bad("a date")),
            }),
            ColumnBuilder::Text(b) => match cell {
                Cell::Null => b.push(None),
                Cell::Text(t) => b.push(Some(t)),
                Cell::Int(i) => b.push(Some(&i.to_string())),
                Cell::Real(f) => b.push(Some(&crate::value::format_decimal(f))),
            },
            ColumnBuilder::Null(n) => match cell {
                Cell::Null => *n += 1,
                _ => return Err(bad("no value")),
            },
        }
        Ok(())
    }

    fn finish(self) -> Column {
        match self {
            ColumnBuilder::Int(b) => b.into_column(),
            ColumnBuilder::Decimal(b) => b.into_column(),
            ColumnBuilder::Bool(b) => b.into_column(),
            ColumnBuilder::Date(b) => b.into_column(),
            ColumnBuilder::Text(b) => b.into_column(),
            ColumnBuilder::Null(n) => Column::nulls(Type::Null, n),
        }
    }
}

/// A table from one builder per field.
pub(crate) fn table_of(fields: &[Field], builders: Vec<ColumnBuilder>, rows: usize) -> Table {
    let columns = fields
        .iter()
        .zip(builders)
        .map(|(f, b)| (f.name.clone(), Arc::new(b.finish())))
        .collect();
    Table::with_rows(columns, rows)
}

/// The itq type of a column the database declares as `declared` (its own
/// spelling, lower case), or `None` when itq cannot read that type yet.
pub(crate) fn itq_type(declared: &str) -> Option<Type> {
    let d = declared.trim().to_ascii_lowercase();
    Some(match d.as_str() {
        "smallint" | "integer" | "bigint" | "int" | "int2" | "int4" | "int8" | "tinyint"
        | "hugeint" => Type::Int,
        "real" | "double precision" | "double" | "float" | "float4" | "float8" | "numeric"
        | "decimal" => Type::Decimal,
        "boolean" | "bool" => Type::Bool,
        "date" => Type::Date,
        "text" | "character varying" | "varchar" | "character" | "char" | "name" | "citext"
        | "string" | "clob" => Type::Text,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact("postgres://ann:s3cret@db.example:5432/wh"),
            "postgres://ann@db.example:5432/wh"
        );
        assert_eq!(
            redact("postgresql://h/wh?user=ann&password=s3cret&sslmode=disable"),
            "postgresql://h/wh?user=ann&sslmode=disable"
        );
        assert_eq!(redact("postgres://h/wh?password=x"), "postgres://h/wh");
        assert_eq!(redact("data/x.sqlite"), "data/x.sqlite");
        assert_eq!(
            redact_text(r#"attach "postgres://a:pw@h/d" as wh; x where y = "pw""#),
            r#"attach "postgres://a@h/d" as wh; x where y = "pw""#
        );
    }

    #[test]
    fn urls_name_their_engine() {
        assert_eq!(
            Target::of("postgresql://h/db"),
            Ok(Target::Postgres("postgresql://h/db".into()))
        );
        assert_eq!(
            Target::of("sqlite:a/b.bin"),
            Ok(Target::Sqlite("a/b.bin".into()))
        );
        assert_eq!(Target::of("x.DB"), Ok(Target::Sqlite("x.DB".into())));
        assert_eq!(
            Target::of("w.duckdb"),
            Ok(Target::DuckDb("w.duckdb".into()))
        );
        assert!(Target::of("mysql://u:pw@h/db")
            .unwrap_err()
            .contains("mysql://u@h/db"));
    }
}
