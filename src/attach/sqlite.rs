//! SQLite files through rusqlite (its bundled library), opened read-only:
//! itq never changes an attached file.

use super::{itq_type, table_of, watched, Cell, ColumnBuilder, Connection, Failure};
use crate::cancel::InterruptHandle;
use crate::store::{DatabaseTable, Field, Table};
use rusqlite::types::ValueRef;
use rusqlite::{Connection as Db, OpenFlags};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

/// An open SQLite file.
pub(super) struct Sqlite {
    db: Mutex<Db>,
}

/// Opens `path` read-only; a missing file is an error, never a new empty database.
pub(super) fn open(path: &Path) -> Result<Sqlite, String> {
    if !path.is_file() {
        return Err(format!("there is no file `{}`", path.display()));
    }
    let db = Db::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| e.to_string())?;
    // Reading the schema proves it is a SQLite file at all.
    db.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
        .map_err(|e| format!("{e} (is it a SQLite database?)"))?;
    Ok(Sqlite { db: Mutex::new(db) })
}

/// The itq type of a SQLite declared type, by SQLite's affinity rules
/// (INT → integer, CHAR/CLOB/TEXT → text, REAL/FLOA/DOUB → decimal), with
/// BOOL and DATE read as they are usually meant.
fn declared_type(declared: &str) -> Option<crate::value::Type> {
    use crate::value::Type;
    let d = declared.to_ascii_uppercase();
    if let Some(t) = itq_type(&d) {
        return Some(t);
    }
    Some(if d.contains("BOOL") {
        Type::Bool
    } else if d.contains("INT") {
        Type::Int
    } else if d.contains("CHAR") || d.contains("CLOB") || d.contains("TEXT") || d.is_empty() {
        Type::Text
    } else if d.contains("REAL")
        || d.contains("FLOA")
        || d.contains("DOUB")
        || d.contains("NUM")
        || d.contains("DEC")
    {
        Type::Decimal
    } else if d == "DATE" {
        Type::Date
    } else if d.contains("DATE") || d.contains("TIME") {
        Type::Text
    } else {
        return None;
    })
}

impl Connection for Sqlite {
    fn tables(&self) -> Result<BTreeMap<String, DatabaseTable>, Failure> {
        let db = self
            .db
            .lock()
            .map_err(|_| "the connection failed badly".to_string())?;
        let names: Vec<String> = (|| {
            let mut stmt = db.prepare(
                "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') \
                 AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
            )?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            rows.collect::<rusqlite::Result<Vec<String>>>()
        })()
        .map_err(|e| e.to_string())?;
        let mut tables = BTreeMap::new();
        for name in names {
            let columns: Vec<(String, String)> = (|| {
                let mut stmt = db.prepare("SELECT name, type FROM pragma_table_info(?1)")?;
                let rows = stmt.query_map([&name], |r| Ok((r.get(0)?, r.get(1)?)))?;
                rows.collect::<rusqlite::Result<Vec<(String, String)>>>()
            })()
            .map_err(|e| e.to_string())?;
            let mut table = DatabaseTable {
                fields: Vec::new(),
                unreadable: Vec::new(),
            };
            for (column, declared) in columns {
                match declared_type(&declared) {
                    Some(ty) => table.fields.push(Field { name: column, ty }),
                    None => table.unreadable.push((column, declared)),
                }
            }
            tables.insert(name, table);
        }
        Ok(tables)
    }

    fn query(
        &self,
        sql: &str,
        fields: &[Field],
        cancel: &InterruptHandle,
    ) -> Result<Table, Failure> {
        let db = self
            .db
            .lock()
            .map_err(|_| "the connection failed badly".to_string())?;
        let interrupt = db.get_interrupt_handle();
        let result = watched(cancel, || interrupt.interrupt(), || read(&db, sql, fields));
        match result {
            Err(_) if cancel.is_cancelled() => Err(Failure::Cancelled),
            other => other.map_err(Failure::Message),
        }
    }
}

fn read(db: &Db, sql: &str, fields: &[Field]) -> Result<Table, String> {
    let mut stmt = db.prepare(sql).map_err(|e| e.to_string())?;
    if stmt.column_count() != fields.len() {
        return Err(format!(
            "the query gave {} columns where itq expects {}",
            stmt.column_count(),
            fields.len()
        ));
    }
    let mut builders: Vec<ColumnBuilder> =
        fields.iter().map(|f| ColumnBuilder::new(f.ty)).collect();
    let mut rows = stmt.query([]).map_err(|e| e.to_string())?;
    let mut n = 0;
    while let Some(row) = rows.next().map_err(|e| e.to_string())? {
        for (i, b) in builders.iter_mut().enumerate() {
            let v = row.get_ref(i).map_err(|e| e.to_string())?;
            let cell = match v {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(i) => Cell::Int(i),
                ValueRef::Real(f) => Cell::Real(f),
                ValueRef::Text(t) => Cell::Text(std::str::from_utf8(t).map_err(|_| {
                    format!("column `{}` holds text that is not UTF-8", fields[i].name)
                })?),
                ValueRef::Blob(_) => {
                    return Err(format!(
                        "column `{}` holds a blob, which itq cannot read",
                        fields[i].name
                    ))
                }
            };
            b.push(cell)
                .map_err(|m| format!("column `{}`: {m}", fields[i].name))?;
        }
        n += 1;
    }
    Ok(table_of(fields, builders, n))
}
