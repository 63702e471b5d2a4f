//! The differential suite: every query of examples/, of the documentation's
//! ```itq blocks and of an edge-case corpus (tests/sql_engines/edge.itq) is
//! compiled to each dialect, run on that engine over the same data, and its
//! rows compared with the native engine's. The engines are real and started
//! here: SQLite in process (rusqlite), PostgreSQL as a throw-away cluster
//! (`initdb`, `pg_ctl`), DuckDB and Spark (`local[2]`) through their Python
//! packages in a virtual environment under target/.
//!
//! Each engine's test prints (and writes to target/sql-differential/) a
//! table: queries run, equal, refused with a clear error, different. A
//! different answer fails the test; so does an engine that cannot be had
//! when `CI=true` (otherwise the test says so loudly and passes).

mod attach;
mod engines;

use itq::sql::Dialect;
use itq::store::Relation;
use itq::syntax::ast::StatementKind;
use itq::syntax::parse_script;
use itq::{Engine, Output, Scalar, Source, Table, Type};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A script whose statements run in order in one session.
struct Script {
    name: String,
    dir: PathBuf,
    text: String,
}

/// Every script of the suite.
fn scripts() -> Vec<Script> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut examples: Vec<PathBuf> = std::fs::read_dir(root.join("examples"))
        .unwrap()
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "itq"))
        .collect();
    examples.sort();
    for p in examples {
        out.push(Script {
            name: format!("examples/{}", p.file_name().unwrap().to_string_lossy()),
            dir: root.join("examples"),
            text: std::fs::read_to_string(&p).unwrap(),
        });
    }
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    docs.push(root.join("README.md"));
    for p in docs {
        let name = p.strip_prefix(root).unwrap().display().to_string();
        let text = std::fs::read_to_string(&p).unwrap();
        let examples = itq::testing::markdown::examples(&name, &text).unwrap_or_default();
        // The examples of one file run in order in one session; each block
        // is parsed on its own (one may hold a syntax error on purpose).
        let blocks: Vec<String> = examples
            .into_iter()
            .filter(|e| !e.must_fail)
            .map(|e| e.code)
            .collect();
        if !blocks.is_empty() {
            out.push(Script {
                name,
                dir: p.parent().unwrap().to_path_buf(),
                text: blocks.join("\n"),
            });
        }
    }
    out.push(Script {
        name: "tests/sql_engines/edge.itq".into(),
        dir: root.join("tests/sql_engines"),
        text: std::fs::read_to_string(root.join("tests/sql_engines/edge.itq")).unwrap(),
    });
    out
}

/// One query to compare: the SQL statements that set up its session (tables
/// and views), then the query itself.
struct Case {
    /// `file:line` of the query.
    at: String,
    /// The itq text of the query.
    query: String,
    setup: Vec<Setup>,
    /// The compiled query, or why the dialect refused it.
    sql: Result<String, String>,
    /// The native engine's answer, or its error.
    native: Result<Table, String>,
    /// For a query with window functions: the native answer over every
    /// relation's rows in reverse order. When it differs from `native`, the
    /// answer depends on how tied rows are ordered, which SQL leaves to the
    /// engine.
    reversed: Option<Table>,
}

#[derive(Clone)]
enum Setup {
    /// A relation the native engine holds: made a table in the target.
    Table(String, Arc<Table>),
    /// A statement the compiler emitted (a view for a `let`).
    Sql(String),
}

/// The cases of `script` for `dialect`.
fn cases(script: &Script, dialect: Dialect) -> Vec<Case> {
    let parsed = parse_script(&script.text)
        .unwrap_or_else(|e| panic!("{} does not parse: {}", script.name, e.render()));
    let mut native = Engine::new().unwrap();
    let mut compiler = Engine::new().unwrap();
    native.allow_folder(&script.dir).unwrap();
    compiler.allow_folder(&script.dir).unwrap();
    let base: Vec<(String, Arc<Table>)> = native
        .catalog()
        .relations()
        .map(|(n, r)| (n.to_string(), Arc::clone(&r.table)))
        .collect();
    let mut setup: Vec<Setup> = base
        .iter()
        .map(|(n, t)| Setup::Table(n.clone(), Arc::clone(t)))
        .collect();
    let mut out = Vec::new();
    for st in &parsed.statements {
        let text = &script.text[st.span.start..st.span.end];
        let line = script.text[..st.span.start].matches('\n').count() + 1;
        let source = Arc::new(Source {
            name: script.name.clone(),
            text: text.to_string(),
            dir: Some(script.dir.clone()),
        });
        let mut result = None;
        let ran = native.run(&source, |o| {
            if let Output::Table(t) | Output::Chart(t) = o {
                // The hedge columns beside hedged figures are itq's own,
                // as its notes are: SQL computes the figures.
                result = Some(t.without_hedges());
            }
        });
        let mut emitted = Vec::new();
        let compiled = compiler.sql_script(&source, dialect, |s| emitted.push(s));
        // Relations the native engine now holds that the compiler's does not
        // (a `let` the dialect refused): made tables from the native rows.
        let missing: Vec<(String, Arc<Table>)> = native
            .catalog()
            .relations()
            .filter(|(n, _)| compiler.catalog().relation(n).is_none())
            .map(|(n, r)| (n.to_string(), Arc::clone(&r.table)))
            .collect();
        for (n, t) in missing {
            compiler.add_relation(&n, Table::clone(&t), None);
            setup.push(Setup::Table(n, t));
        }
        // Queries over attached databases run there; tests/sql_engines/attach.rs checks them.
        if matches!(st.kind, StatementKind::Query(_))
            && native.explain(text).is_ok_and(|x| !x.parts.is_empty())
        {
            continue;
        }
        let windowed = compiled.is_ok() && emitted.concat().contains(" OVER (");
        let reversed = windowed
            .then(|| reversed_answer(&native, &source))
            .flatten();
        match &st.kind {
            StatementKind::Query(_) => out.push(Case {
                reversed,
                at: format!("{}:{line}", script.name),
                query: text.trim().to_string(),
                setup: setup.clone(),
                sql: compiled.map(|()| emitted.concat()).map_err(|e| e.render()),
                native: ran
                    .map(|()| result.expect("a query gives a table"))
                    .map_err(|e| e.render()),
            }),
            StatementKind::Load(_) => {
                for s in &emitted {
                    // The comment quotes the statement (which may hold
                    // backquoted names) and ends with the table's name.
                    let name = s
                        .rsplit('`')
                        .nth(1)
                        .expect("a load's comment names its table");
                    let r: &Relation = native.catalog().relation(name).expect("loaded");
                    setup.push(Setup::Table(name.to_string(), Arc::clone(&r.table)));
                }
            }
            _ => {
                if compiled.is_ok() {
                    setup.extend(emitted.into_iter().map(Setup::Sql));
                }
            }
        }
    }
    out
}

/// The answer of `source` with every relation's rows reversed.
fn reversed_answer(native: &Engine, source: &Arc<Source>) -> Option<Table> {
    let mut rev = native.clone();
    let tables: Vec<(String, Arc<Table>)> = native
        .catalog()
        .relations()
        .map(|(n, r)| (n.to_string(), Arc::clone(&r.table)))
        .collect();
    for (n, t) in tables {
        let order: Vec<u32> = (0..t.num_rows() as u32).rev().collect();
        rev.add_relation(&n, t.take(&order), None);
    }
    let mut result = None;
    rev.run(source, |o| {
        if let Output::Table(t) | Output::Chart(t) = o {
            result = Some(t.without_hedges());
        }
    })
    .ok()?;
    result
}

/// What one engine gives for one case.
#[derive(Debug, PartialEq)]
enum Verdict {
    Equal,
    /// The same rows, in the order of the sort keys, tied rows in another order.
    TieOrder,
    /// Both the native engine and the engine failed.
    BothFailed,
    Different(String),
}

/// The SQL statements that run `case`: its tables (those its SQL names),
/// views, then the query.
fn statements(case: &Case, dialect: Dialect) -> Vec<String> {
    let query = case.sql.as_ref().expect("compiled");
    let mut words = BTreeSet::new();
    let mut texts: Vec<&str> = vec![query];
    for s in &case.setup {
        if let Setup::Sql(t) = s {
            texts.push(t);
        }
    }
    for t in &texts {
        for w in t.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
            words.insert(w.to_string());
        }
    }
    let mut out = Vec::new();
    let mut made = BTreeSet::new();
    for s in &case.setup {
        match s {
            Setup::Table(n, t) if words.contains(n.as_str()) => {
                if made.insert(n.clone()) {
                    out.extend(itq::sql::create_table(n, t, dialect));
                }
            }
            Setup::Table(..) => {}
            Setup::Sql(t) => out.push(t.clone()),
        }
    }
    out.push(query.clone());
    out
}

/// A value as an engine printed it, read back as the native column's type.
fn read(text: &Option<String>, ty: Type) -> Option<Scalar> {
    let Some(t) = text else {
        return Some(Scalar::Null);
    };
    let t = t.trim();
    Some(match ty {
        Type::Int => Scalar::Int(t.parse().ok().or_else(|| {
            // PostgreSQL's numeric sums print as `12` or `12.0`.
            let f: f64 = t.parse().ok()?;
            (f.fract() == 0.0 && f.abs() < 9.2e18).then_some(f as i64)
        })?),
        Type::Decimal => Scalar::Decimal(match t {
            "Infinity" | "inf" => f64::INFINITY,
            "-Infinity" | "-inf" => f64::NEG_INFINITY,
            _ => t.parse().ok()?,
        }),
        Type::Bool => Scalar::Bool(match t {
            "t" | "true" | "True" | "1" => true,
            "f" | "false" | "False" | "0" => false,
            _ => return None,
        }),
        Type::Date => {
            let days = itq::load::read_scalar(t);
            match days {
                Scalar::Date(d) => Scalar::Date(d),
                _ => return None,
            }
        }
        Type::Text => Scalar::Text(t.into()),
        Type::Null => {
            return if text.is_none() {
                Some(Scalar::Null)
            } else {
                None
            }
        }
    })
}

fn same(a: &Scalar, b: &Scalar) -> bool {
    match (a, b) {
        (Scalar::Decimal(x), Scalar::Decimal(y)) => {
            x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1e-3)
        }
        (Scalar::Text(x), Scalar::Text(y)) => x.trim() == y.trim(),
        _ => a == b,
    }
}

/// A sortable key for a row, for comparing as multisets.
fn row_key(row: &[Scalar]) -> String {
    row.iter()
        .map(|v| match v {
            Scalar::Decimal(f) => format!("{:.6e}", f),
            Scalar::Text(t) => t.trim().to_string(),
            other => format!("{other:?}"),
        })
        .collect::<Vec<_>>()
        .join("\u{1}")
}

fn compare(case: &Case, got: &Result<Vec<Vec<Option<String>>>, String>) -> Verdict {
    let native = match (&case.native, got) {
        (Err(_), Err(_)) => return Verdict::BothFailed,
        (Err(e), Ok(_)) => {
            return Verdict::Different(format!(
                "the native engine failed but the engine did not:\n{e}"
            ))
        }
        (Ok(_), Err(e)) => return Verdict::Different(format!("the engine failed: {e}")),
        (Ok(t), Ok(_)) => t,
    };
    let rows = got.as_ref().unwrap();
    let types: Vec<Type> = native.fields().iter().map(|f| f.ty).collect();
    let want: Vec<Vec<Scalar>> = native.rows().collect();
    let mut have = Vec::new();
    for r in rows {
        if r.len() != types.len() {
            return Verdict::Different(format!("{} columns, not {}: {r:?}", r.len(), types.len()));
        }
        let mut row = Vec::new();
        for (v, &t) in r.iter().zip(&types) {
            match read(v, t) {
                Some(s) => row.push(s),
                None => return Verdict::Different(format!("cannot read {v:?} as {t}")),
            }
        }
        have.push(row);
    }
    let eq = |a: &[Vec<Scalar>], b: &[Vec<Scalar>]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.iter().zip(y).all(|(p, q)| same(p, q)))
    };
    let ordered = case
        .sql
        .as_ref()
        .map(|s| {
            let last = s.rsplit("\nSELECT").next().unwrap_or(s);
            last.lines().any(|l| l.starts_with("ORDER BY"))
        })
        .unwrap_or(false);
    if eq(&want, &have) {
        return Verdict::Equal;
    }
    let sorted = |rows: &[Vec<Scalar>]| {
        let mut r = rows.to_vec();
        r.sort_by_cached_key(|row| row_key(row));
        r
    };
    let same_multiset = eq(&sorted(&want), &sorted(&have));
    if same_multiset && !ordered {
        return Verdict::Equal;
    }
    // Ordered: the engine may order tied rows otherwise, and (with a limit)
    // keep other rows of the tie at the last place. The rows must be in key
    // order, with the same keys row by row; without a limit, the same rows.
    let sql = case.sql.as_ref().unwrap();
    let limited = sql.lines().last().is_some_and(|l| l.starts_with("LIMIT"));
    let names: Vec<&str> = native.fields().iter().map(|f| f.name.as_str()).collect();
    if let (true, Some(keys)) = (same_multiset || limited, sort_keys(sql, &names)) {
        let key_of = |r: &Vec<Scalar>| keys.iter().map(|&(i, _)| r[i].clone()).collect::<Vec<_>>();
        let wk: Vec<Vec<Scalar>> = want.iter().map(key_of).collect();
        let hk: Vec<Vec<Scalar>> = have.iter().map(key_of).collect();
        if have.windows(2).all(|w| in_order(&w[0], &w[1], &keys)) && eq(&wk, &hk) {
            return Verdict::TieOrder;
        }
    }
    // Window functions along an order with ties (`row_number`, `lag`,
    // `running_sum`): the native answer itself changes with the input order,
    // so the engine's order of tied rows gives another, equally valid one.
    if let Some(rev) = &case.reversed {
        let rev_rows: Vec<Vec<Scalar>> = rev.rows().collect();
        if !eq(&sorted(&want), &sorted(&rev_rows)) && want.len() == have.len() {
            return Verdict::TieOrder;
        }
    }
    // `top N ... per`: the same groups keep rows with the same ranking keys;
    // groups come in the engine's order (the SQL orders them by their keys,
    // itq by first appearance), and of rows tied at the N-th place of a group
    // the engine keeps its own pick.
    if sql.contains("rank_in_group <=") {
        if let Some(keys) = sort_keys(sql, &names) {
            let key_of =
                |r: &Vec<Scalar>| keys.iter().map(|&(i, _)| r[i].clone()).collect::<Vec<_>>();
            let mut wk: Vec<Vec<Scalar>> = want.iter().map(key_of).collect();
            let mut hk: Vec<Vec<Scalar>> = have.iter().map(key_of).collect();
            wk.sort_by_cached_key(|r| row_key(r));
            hk.sort_by_cached_key(|r| row_key(r));
            if eq(&wk, &hk) {
                return Verdict::TieOrder;
            }
        }
    }
    let show = |rows: &[Vec<Scalar>]| {
        rows.iter()
            .take(12)
            .map(|r| format!("  {r:?}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    Verdict::Different(format!(
        "native ({} rows):\n{}\nengine ({} rows{}):\n{}",
        want.len(),
        show(&want),
        have.len(),
        if ordered { ", ordered" } else { "" },
        show(&have)
    ))
}

/// Runs the whole suite on one engine and reports.
fn differential(engine: &mut dyn engines::SqlEngine) {
    let dialect = engine.dialect();
    let all: Vec<Case> = scripts().iter().flat_map(|s| cases(s, dialect)).collect();
    let runnable: Vec<&Case> = all.iter().filter(|c| c.sql.is_ok()).collect();
    let batches: Vec<Vec<String>> = runnable.iter().map(|c| statements(c, dialect)).collect();
    let results = engine.run(&batches);
    let (mut equal, mut refused, mut both, mut different) = (0, 0, 0, Vec::new());
    let mut ties = 0;
    let mut refusals = Vec::new();
    for c in &all {
        if let Err(e) = &c.sql {
            refused += 1;
            let first = e.lines().next().unwrap_or("").to_string();
            refusals.push(format!("  {} `{}`: {first}", c.at, one_line(&c.query)));
        }
    }
    for (c, got) in runnable.iter().zip(&results) {
        match compare(c, got) {
            Verdict::Equal => equal += 1,
            Verdict::TieOrder => {
                equal += 1;
                ties += 1
            }
            Verdict::BothFailed => both += 1,
            Verdict::Different(why) => different.push(format!(
                "--- {} `{}`\n{}\n{why}",
                c.at,
                one_line(&c.query),
                c.sql.as_ref().unwrap()
            )),
        }
    }
    let table = format!(
        "{:<10} {:>7} {:>7} {:>8} {:>12} {:>10}\n{:<10} {:>7} {:>7} {:>8} {:>12} {:>10}\n",
        "engine",
        "queries",
        "equal",
        "refused",
        "both failed",
        "different",
        dialect.name(),
        all.len(),
        equal,
        refused,
        both,
        different.len()
    );
    let report = format!(
        "{table}(of the equal, {ties} in sort-key order with tied rows in another order, or other tied rows kept at a limit)\n\nrefused (a clear error at compile time):\n{}\n\n{}",
        refusals.join("\n"),
        different.join("\n\n")
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/sql-differential");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{}.txt", dialect.name())), &report);
    eprintln!("{report}");
    assert!(all.len() >= 100, "only {} queries in the suite", all.len());
    assert!(
        different.is_empty(),
        "{} of {} queries gave different answers on {}:\n\n{}",
        different.len(),
        all.len(),
        dialect.engine(),
        different.join("\n\n")
    );
    // Every refusal is a compile error naming the construct and the dialect.
    for c in &all {
        if let Err(e) = &c.sql {
            assert!(
                e.contains("cannot be compiled to"),
                "{}: refused without the dialect's error:\n{e}",
                c.at
            );
        }
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn sqlite_gives_the_native_answers() {
    differential(&mut engines::Sqlite::open());
}

#[test]
fn postgres_gives_the_native_answers() {
    if let Some(mut pg) = engines::Postgres::start() {
        differential(&mut pg);
    }
}

#[test]
fn duckdb_gives_the_native_answers() {
    if let Some(mut py) = engines::Python::start(Dialect::DuckDb) {
        differential(&mut py);
    }
}

#[test]
fn spark_gives_the_native_answers() {
    if let Some(mut py) = engines::Python::start(Dialect::Spark) {
        differential(&mut py);
    }
}

/// The final SELECT's ORDER BY keys as (output column, descending), when
/// every key is an output column.
fn sort_keys(sql: &str, names: &[&str]) -> Option<Vec<(usize, bool)>> {
    let start = sql.rfind("\nSELECT ").map_or(0, |i| i + 1);
    let last = if sql.starts_with("SELECT") && !sql.contains("\nSELECT ") {
        sql
    } else {
        &sql[start..]
    };
    let head = last.split("\nFROM ").next()?;
    let head = head
        .trim_start_matches("SELECT DISTINCT")
        .trim_start_matches("SELECT");
    let items: Vec<(String, String)> = if head.trim() == "*" {
        names
            .iter()
            .map(|n| (n.to_string(), n.to_string()))
            .collect()
    } else {
        split_top(head)
            .into_iter()
            .map(|i| match i.rsplit_once(" AS ") {
                Some((e, n)) => (e.trim().to_string(), n.trim().to_string()),
                None => {
                    let n = i.rsplit('.').next().unwrap_or(&i).trim().to_string();
                    (i.trim().to_string(), n)
                }
            })
            .collect()
    };
    let order = last
        .lines()
        .find_map(|l| l.strip_prefix("ORDER BY "))?
        .trim_end_matches(';');
    split_top(order)
        .into_iter()
        .map(|k| {
            let k = k.trim().trim_end_matches(" NULLS LAST");
            let (k, desc) = match k.strip_suffix(" DESC") {
                Some(k) => (k, true),
                None => (k, false),
            };
            let k = k.trim_end_matches(" COLLATE \"C\"");
            let k = k
                .strip_prefix('(')
                .and_then(|k| k.strip_suffix(')'))
                .unwrap_or(k);
            items
                .iter()
                .position(|(e, n)| e == k || n == k)
                .map(|i| (i, desc))
        })
        .collect()
}

/// Splits at commas outside parentheses and quotes.
fn split_top(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth, mut quote) = (Vec::new(), String::new(), 0, None);
    for c in s.chars() {
        match (c, quote) {
            ('\'' | '"' | '`', None) => quote = Some(c),
            (q, Some(open)) if q == open => quote = None,
            ('(', None) => depth += 1,
            (')', None) => depth -= 1,
            (',', None) if depth == 0 => {
                out.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// Whether row `a` may come before row `b` under the keys (itq's order:
/// nulls last both ways, text by code point).
fn in_order(a: &[Scalar], b: &[Scalar], keys: &[(usize, bool)]) -> bool {
    use std::cmp::Ordering;
    for &(i, desc) in keys {
        let ord = match (&a[i], &b[i]) {
            (Scalar::Null, Scalar::Null) => Ordering::Equal,
            (Scalar::Null, _) => return false,
            (_, Scalar::Null) => return true,
            (Scalar::Int(x), Scalar::Int(y)) => x.cmp(y),
            (Scalar::Decimal(x), Scalar::Decimal(y)) => x.total_cmp(y),
            (Scalar::Text(x), Scalar::Text(y)) => x.cmp(y),
            (Scalar::Date(x), Scalar::Date(y)) => x.cmp(y),
            (Scalar::Bool(x), Scalar::Bool(y)) => x.cmp(y),
            _ => return false,
        };
        let ord = if desc { ord.reverse() } else { ord };
        match ord {
            Ordering::Less => return true,
            Ordering::Greater => return false,
            Ordering::Equal => {}
        }
    }
    true
}
