//! PostgreSQL through the `postgres` crate (no TLS). Credentials come from
//! the URL, then the standard variables (`PGHOST`, `PGPORT`, `PGUSER`,
//! `PGDATABASE`, `PGPASSWORD`), then `~/.pgpass` (or `PGPASSFILE`).
//! Results travel in PostgreSQL's text format and are read as the types the
//! plan gives them.

use super::{itq_type, table_of, watched, Cell, ColumnBuilder, Connection, Failure};
use crate::cancel::InterruptHandle;
use crate::store::{DatabaseTable, Field, Table};
use postgres::config::Host;
use postgres::{Client, Config, NoTls, SimpleQueryMessage};
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Mutex;

/// A PostgreSQL connection, reopened when the server dropped it.
pub(super) struct Postgres {
    config: Config,
    client: Mutex<Client>,
}

/// Where `url` connects to (`host:port/database`), as messages name it.
pub(super) fn location_of(url: &str) -> String {
    match Config::from_str(url) {
        Ok(mut config) => {
            fill_from_environment(&mut config);
            location(&config)
        }
        Err(_) => super::redact(url),
    }
}

/// Connects to `url`; also gives where it connected, without the password.
pub(super) fn connect(url: &str) -> Result<(Postgres, String), String> {
    let mut config = Config::from_str(url).map_err(|e| {
        format!(
            "the URL is not one PostgreSQL accepts ({e}); write postgres://USER@HOST:PORT/DATABASE"
        )
    })?;
    fill_from_environment(&mut config);
    config.connect_timeout(super::CONNECT_TIMEOUT);
    if config.get_password().is_none() {
        if let Some(p) = pgpass(&config) {
            config.password(p);
        }
    }
    let location = location(&config);
    let client = config.connect(NoTls).map_err(|e| message(&e))?;
    Ok((
        Postgres {
            config,
            client: Mutex::new(client),
        },
        location,
    ))
}

fn fill_from_environment(config: &mut Config) {
    let var = |n: &str| std::env::var(n).ok().filter(|v| !v.is_empty());
    if config.get_hosts().is_empty() {
        config.host(&var("PGHOST").unwrap_or_else(|| "localhost".into()));
    }
    if config.get_ports().is_empty() {
        if let Some(p) = var("PGPORT").and_then(|p| p.parse().ok()) {
            config.port(p);
        }
    }
    if config.get_user().is_none() {
        if let Some(u) = var("PGUSER").or_else(|| var("USER")) {
            config.user(&u);
        }
    }
    if config.get_dbname().is_none() {
        if let Some(d) = var("PGDATABASE") {
            config.dbname(&d);
        }
    }
    if config.get_password().is_none() {
        if let Some(p) = var("PGPASSWORD") {
            config.password(p);
        }
    }
}

fn host_text(config: &Config) -> String {
    match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    }
}

fn port(config: &Config) -> u16 {
    config.get_ports().first().copied().unwrap_or(5432)
}

fn location(config: &Config) -> String {
    let db = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or("postgres");
    format!("{}:{}/{db}", host_text(config), port(config))
}

/// The password `~/.pgpass` (or `$PGPASSFILE`) gives for this connection.
fn pgpass(config: &Config) -> Option<Vec<u8>> {
    let path = std::env::var_os("PGPASSFILE")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".pgpass")))?;
    let text = std::fs::read_to_string(path).ok()?;
    let host = host_text(config);
    let port = port(config).to_string();
    let user = config.get_user().unwrap_or("");
    let db = config.get_dbname().unwrap_or(user);
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        let fields = split_pgpass(line);
        if fields.len() != 5 {
            continue;
        }
        let ok = |field: &str, value: &str| field == "*" || field == value;
        if ok(&fields[0], &host)
            && ok(&fields[1], &port)
            && ok(&fields[2], db)
            && ok(&fields[3], user)
        {
            return Some(fields[4].clone().into_bytes());
        }
    }
    None
}

/// A `.pgpass` line's five fields (`\:` and `\\` are escapes).
fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    fields.last_mut().expect("one field").push(n);
                }
            }
            ':' => fields.push(String::new()),
            c => fields.last_mut().expect("one field").push(c),
        }
    }
    fields
}

/// What went wrong, in the server's words where it gave any.
fn message(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut m = db.message().to_string();
        if let Some(h) = db.hint() {
            m.push_str(&format!(" ({h})"));
        }
        return m;
    }
    let mut m = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !m.contains(&text) {
            m.push_str(&format!(": {text}"));
        }
        source = s.source();
    }
    m
}

impl Postgres {
    fn client(&self) -> Result<std::sync::MutexGuard<'_, Client>, String> {
        let mut client = self
            .client
            .lock()
            .map_err(|_| "an earlier query on this connection failed badly".to_string())?;
        if client.is_closed() {
            *client = self.config.connect(NoTls).map_err(|e| {
                format!(
                    "the connection was lost and cannot be made again: {}",
                    message(&e)
                )
            })?;
        }
        Ok(client)
    }
}

impl Connection for Postgres {
    fn tables(&self) -> Result<BTreeMap<String, DatabaseTable>, Failure> {
        let mut client = self.client()?;
        let rows = client
            .simple_query(
                "SELECT c.table_name, c.column_name, c.data_type \
                 FROM information_schema.columns c \
                 WHERE c.table_schema = current_schema() \
                 ORDER BY c.table_name, c.ordinal_position",
            )
            .map_err(|e| message(&e))?;
        let mut tables: BTreeMap<String, DatabaseTable> = BTreeMap::new();
        for m in rows {
            if let SimpleQueryMessage::Row(r) = m {
                let (Some(t), Some(c), Some(ty)) = (r.get(0), r.get(1), r.get(2)) else {
                    continue;
                };
                let entry = tables.entry(t.to_string()).or_insert(DatabaseTable {
                    fields: Vec::new(),
                    unreadable: Vec::new(),
                });
                match itq_type(ty) {
                    Some(ty) => entry.fields.push(Field {
                        name: c.to_string(),
                        ty,
                    }),
                    None => entry.unreadable.push((c.to_string(), ty.to_string())),
                }
            }
        }
        Ok(tables)
    }

    fn query(
        &self,
        sql: &str,
        fields: &[Field],
        cancel: &InterruptHandle,
    ) -> Result<Table, Failure> {
        let mut client = self.client()?;
        let run = |client: &mut Client| {
            let token = client.cancel_token();
            watched(
                cancel,
                || {
                    let _ = token.cancel_query(NoTls);
                },
                || client.simple_query(sql),
            )
        };
        let mut result = run(&mut client);
        // The server dropped the connection (a restart, an idle timeout, an
        // administrator): connect again and send the query once more. It only
        // reads, so sending it twice is safe.
        if result.is_err() && client.is_closed() && !cancel.is_cancelled() {
            match self.config.connect(NoTls) {
                Ok(fresh) => {
                    *client = fresh;
                    result = run(&mut client);
                }
                Err(e) => {
                    return Err(Failure::Message(format!(
                        "the connection was lost and cannot be made again: {}",
                        message(&e)
                    )))
                }
            }
        }
        let messages = match result {
            Ok(m) => m,
            Err(_) if cancel.is_cancelled() => return Err(Failure::Cancelled),
            Err(e) => return Err(Failure::Message(message(&e))),
        };
        let mut builders: Vec<ColumnBuilder> =
            fields.iter().map(|f| ColumnBuilder::new(f.ty)).collect();
        let mut rows = 0;
        for m in &messages {
            if let SimpleQueryMessage::Row(r) = m {
                if r.len() != fields.len() {
                    return Err(Failure::Message(format!(
                        "the query gave {} columns where itq expects {}",
                        r.len(),
                        fields.len()
                    )));
                }
                for (i, b) in builders.iter_mut().enumerate() {
                    let cell = r.get(i).map_or(Cell::Null, Cell::Text);
                    b.push(cell)
                        .map_err(|m| format!("column `{}`: {m}", fields[i].name))?;
                }
                rows += 1;
            }
        }
        Ok(table_of(fields, builders, rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pgpass_lines_split_on_unescaped_colons() {
        assert_eq!(
            split_pgpass(r"h:5432:db:ann:pa\:ss\\w"),
            vec!["h", "5432", "db", "ann", r"pa:ss\w"]
        );
    }
}
