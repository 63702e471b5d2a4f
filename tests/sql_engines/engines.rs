//! The real engines the differential suite runs on, each started here.

use itq::sql::Dialect;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

/// Rows as an engine printed them: a text per value, `None` for null.
pub type Rows = Vec<Vec<Option<String>>>;

/// An engine that runs batches of SQL statements, each in a fresh session:
/// all but the last set up, the last is the query whose rows come back.
pub trait SqlEngine {
    fn dialect(&self) -> Dialect;
    fn run(&mut self, batches: &[Vec<String>]) -> Vec<Result<Rows, String>>;
}

/// Says loudly that an engine cannot be had; fails under `CI=true`.
fn unavailable<T>(engine: &str, why: &str) -> Option<T> {
    let msg =
        format!("\n*** {engine} is not available, so its differential test did NOT run: {why}\n");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{msg}(CI=true: a missing engine is a failure)");
    }
    eprintln!("{msg}");
    None
}

fn target() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target")
}

/// SQLite, in process, through rusqlite's bundled library.
pub struct Sqlite;

impl Sqlite {
    pub fn open() -> Sqlite {
        Sqlite
    }
}

impl SqlEngine for Sqlite {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn run(&mut self, batches: &[Vec<String>]) -> Vec<Result<Rows, String>> {
        batches.iter().map(|b| sqlite_batch(b)).collect()
    }
}

fn sqlite_batch(batch: &[String]) -> Result<Rows, String> {
    use rusqlite::types::ValueRef;
    let db = rusqlite::Connection::open_in_memory().map_err(|e| e.to_string())?;
    let (query, setup) = batch.split_last().expect("a query");
    for s in setup {
        db.execute_batch(s).map_err(|e| format!("{e} in\n{s}"))?;
    }
    let mut stmt = db.prepare(query).map_err(|e| e.to_string())?;
    let n = stmt.column_count();
    let mut rows = stmt.query([]).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(|e| e.to_string())? {
        let mut values = Vec::new();
        for i in 0..n {
            values.push(match row.get_ref(i).map_err(|e| e.to_string())? {
                ValueRef::Null => None,
                ValueRef::Integer(v) => Some(v.to_string()),
                ValueRef::Real(v) => Some(format!("{v:?}")),
                ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Some(format!("{b:?}")),
            });
        }
        out.push(values);
    }
    Ok(out)
}

/// A PostgreSQL cluster of its own, in a temporary folder, on a free
/// loopback port; stopped when dropped.
pub struct Postgres {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    /// Runs the server's commands as this user (initdb refuses root).
    user: Option<&'static str>,
}

const NULL_TOKEN: &str = "\u{2400}NULL\u{2400}";

/// The password of the test cluster's `itq` user.
pub const PASSWORD: &str = "itq-test-Secret-42";

impl Postgres {
    pub fn start() -> Option<Postgres> {
        let bin = match find_pg_bin() {
            Some(b) => b,
            None => return unavailable(
                "PostgreSQL",
                "no initdb under /usr/lib/postgresql/*/bin or on PATH (apt-get install postgresql)",
            ),
        };
        let root = rustix::process::geteuid().is_root();
        let user = root.then_some("nobody");
        let dir = tempfile::Builder::new()
            .prefix("itq-pg-")
            .tempdir()
            .expect("a temporary folder");
        if root {
            let ok = Command::new("chown")
                .args(["-R", "nobody", dir.path().to_str().unwrap()])
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                return unavailable("PostgreSQL", "cannot give the cluster folder to `nobody`");
            }
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let pg = Postgres {
            bin,
            dir,
            port,
            user,
        };
        let data = pg.dir.path().join("data");
        // Connections over TCP need the password (the attach tests try a
        // wrong one); psql gets it from PGPASSWORD.
        let pwfile = pg.dir.path().join("password");
        if std::fs::write(&pwfile, PASSWORD).is_err() {
            return unavailable("PostgreSQL", "cannot write the password file");
        }
        if root {
            let _ = Command::new("chown")
                .args(["nobody", pwfile.to_str().unwrap()])
                .status();
        }
        let init = pg
            .server_command("initdb")
            .args(["-D", data.to_str().unwrap(), "-U", "itq"])
            .args(["--auth-local=trust", "--auth-host=scram-sha-256"])
            .arg(format!("--pwfile={}", pwfile.display()))
            .args(["--encoding=UTF8", "--locale=C.UTF-8"])
            .output();
        match init {
            Ok(o) if o.status.success() => {}
            Ok(o) => {
                return unavailable(
                    "PostgreSQL",
                    &format!("initdb failed: {}", String::from_utf8_lossy(&o.stderr)),
                )
            }
            Err(e) => return unavailable("PostgreSQL", &format!("cannot run initdb: {e}")),
        }
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c log_statement=all",
            pg.port,
            pg.dir.path().display()
        );
        let log = pg.dir.path().join("server.log");
        let started = pg
            .server_command("pg_ctl")
            .args(["-D", data.to_str().unwrap(), "-l", log.to_str().unwrap()])
            .args(["-o", &options, "-w", "start"])
            .output();
        match started {
            Ok(o) if o.status.success() => {}
            other => {
                let log = std::fs::read_to_string(&log).unwrap_or_default();
                return unavailable(
                    "PostgreSQL",
                    &format!("pg_ctl start failed: {other:?}\n{log}"),
                );
            }
        }
        let created = pg
            .psql("postgres")
            .args(["-c", "CREATE DATABASE itq"])
            .output();
        if !created.as_ref().is_ok_and(|o| o.status.success()) {
            return unavailable(
                "PostgreSQL",
                &format!("CREATE DATABASE failed: {created:?}"),
            );
        }
        Some(pg)
    }

    fn server_command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        match self.user {
            Some(u) => {
                let mut c = Command::new("runuser");
                c.args(["-u", u, "--"]).arg(path);
                c
            }
            None => Command::new(path),
        }
    }

    fn psql(&self, db: &str) -> Command {
        let mut c = Command::new(self.bin.join("psql"));
        c.args(["-X", "-q", "-h", "127.0.0.1", "-U", "itq", "-d", db])
            .args(["-p", &self.port.to_string()])
            .args(["-v", "ON_ERROR_STOP=1", "--csv", "-P"])
            .arg(format!("null={NULL_TOKEN}"))
            .env("PGCONNECT_TIMEOUT", "10")
            .env("PGPASSWORD", PASSWORD);
        c
    }

    /// The URL itq attaches the test database with.
    pub fn url(&self) -> String {
        format!("postgres://itq:{PASSWORD}@127.0.0.1:{}/itq", self.port)
    }

    /// The server's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs `sql` in the test database with psql; its output, or why not.
    pub fn execute(&self, sql: &str) -> Result<String, String> {
        let out = self
            .psql("itq")
            .args(["-c", sql])
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// What the server logged so far (every statement: `log_statement=all`).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

fn find_pg_bin() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| Some(e.ok()?.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    found.sort();
    found.pop()
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = self
            .server_command("pg_ctl")
            .args([
                "-D",
                data.to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ])
            .output();
    }
}

impl SqlEngine for Postgres {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn run(&mut self, batches: &[Vec<String>]) -> Vec<Result<Rows, String>> {
        batches
            .iter()
            .map(|batch| {
                let mut script =
                    String::from("BEGIN;\nCREATE SCHEMA t;\nSET LOCAL search_path = t;\n");
                for s in batch {
                    script.push_str(s);
                    script.push('\n');
                }
                script.push_str("ROLLBACK;\n");
                let mut child = self
                    .psql("itq")
                    .args(["-f", "-"])
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .map_err(|e| e.to_string())?;
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(script.as_bytes())
                    .map_err(|e| e.to_string())?;
                let out = child.wait_with_output().map_err(|e| e.to_string())?;
                if !out.status.success() {
                    return Err(String::from_utf8_lossy(&out.stderr).into_owned());
                }
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(true)
                    .from_reader(out.stdout.as_slice());
                reader
                    .records()
                    .map(|r| {
                        let r = r.map_err(|e| e.to_string())?;
                        Ok(r.iter()
                            .map(|v| (v != NULL_TOKEN).then(|| v.to_string()))
                            .collect())
                    })
                    .collect()
            })
            .collect()
    }
}

/// DuckDB or Spark through their Python packages (tests/sql_engines/runner.py),
/// in a virtual environment under target/ that is made when missing.
pub struct Python {
    dialect: Dialect,
    python: PathBuf,
}

/// The pinned packages; the environment is made once for both engines.
const PACKAGES: &[&str] = &["duckdb==2.0.0", "pyspark==4.3.0"];
static VENV: Mutex<()> = Mutex::new(());

impl Python {
    pub fn start(dialect: Dialect) -> Option<Python> {
        let _one_at_a_time = VENV.lock().unwrap_or_else(|e| e.into_inner());
        let venv = target().join("sqlenv");
        let python = venv.join("bin/python");
        let module = if dialect == Dialect::Spark {
            "pyspark"
        } else {
            "duckdb"
        };
        let has = |m: &str| {
            Command::new(&python)
                .args(["-c", &format!("import {m}")])
                .output()
                .is_ok_and(|o| o.status.success())
        };
        if !has("duckdb") || !has("pyspark") {
            eprintln!("making {} with {}", venv.display(), PACKAGES.join(" "));
            let made = Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .status()
                .is_ok_and(|s| s.success())
                && Command::new(&python)
                    .args([
                        "-m",
                        "pip",
                        "install",
                        "--quiet",
                        "--disable-pip-version-check",
                    ])
                    .args(PACKAGES)
                    .status()
                    .is_ok_and(|s| s.success());
            if !made || !has(module) {
                return unavailable(
                    dialect.engine(),
                    &format!("could not install {module} into {}", venv.display()),
                );
            }
        }
        if dialect == Dialect::Spark {
            let java = Command::new("java").arg("-version").output();
            if !java.is_ok_and(|o| o.status.success()) {
                return unavailable("Spark", "no `java` on PATH (Spark needs Java 17 or later)");
            }
        }
        Some(Python { dialect, python })
    }
}

impl SqlEngine for Python {
    fn dialect(&self) -> Dialect {
        self.dialect
    }

    fn run(&mut self, batches: &[Vec<String>]) -> Vec<Result<Rows, String>> {
        let runner = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sql_engines/runner.py");
        let request = serde_json::json!({
            "engine": if self.dialect == Dialect::Spark { "spark" } else { "duckdb" },
            "batches": batches,
        });
        let mut child = Command::new(&self.python)
            .arg(&runner)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the runner starts");
        let mut stdin = child.stdin.take().unwrap();
        let body = request.to_string();
        let writer = std::thread::spawn(move || stdin.write_all(body.as_bytes()));
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut out = Vec::new();
        for line in stdout.lines() {
            let line = line.expect("the runner's output");
            let v: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
            out.push(match v.get("error") {
                Some(e) => Err(e.as_str().unwrap_or("").to_string()),
                None => Ok(v["rows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        r.as_array()
                            .unwrap()
                            .iter()
                            .map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .collect()),
            });
        }
        let _ = writer.join();
        let status = child.wait_with_output().expect("the runner ends");
        assert_eq!(
            out.len(),
            batches.len(),
            "the {} runner stopped early:\n{}",
            self.dialect.engine(),
            String::from_utf8_lossy(&status.stderr)
        );
        out
    }
}
