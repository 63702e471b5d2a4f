//! The embedding API: an [`Engine`] holds the catalog (the fact base, the
//! prelude and whatever statements defined) and runs itq text against it.
//! The command line, the prompt and host programs all go through it.

use crate::access::Folders;
use crate::attach;
use crate::cancel::{self, InterruptHandle};
use crate::check::{CheckedStatement, Checker, Params};
use crate::error::{Error, ErrorKind, Result};
use crate::exec;
use crate::limits::{self, Limits};
use crate::load::{self, LoadOptions};
use crate::place;
use crate::plan::Backend;
use crate::plan::Plan;
use crate::save;
use crate::source::{Source, Span};
use crate::store::{facts, Catalog, Column, Relation, RelationKind, Table};
use crate::syntax::ast::{Statement, StatementKind};
use crate::syntax::parse_script;
use crate::value::Scalar;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The standard library, written in itq and run at start-up.
pub const PRELUDE: &str = include_str!("../stdlib/prelude.itq");

/// What one statement produced.
#[derive(Debug, Clone)]
pub enum Output {
    /// A query's result, to be shown.
    Table(Table),
    /// The result of a query ending in `chart`, to be drawn as bars.
    Chart(Table),
    /// A `let` or `def` defined a name.
    Defined {
        /// The name.
        name: String,
        /// "relation", "value" or "def".
        what: &'static str,
    },
    /// `load` read a file into a relation.
    Loaded {
        /// The relation's name.
        name: String,
        /// How many rows and columns it has.
        rows: usize,
        /// How many columns.
        columns: usize,
        /// What the name held before ("relation", "value", "def"), if anything.
        replaced: Option<&'static str>,
        /// Notes on the file (it was empty; a column is text though mostly numbers).
        notes: Vec<String>,
    },
    /// The legend under a cited result: `[1] gansu-2024 — Global Times, …`
    /// (printed after the table it follows, in the table and Markdown formats).
    Legend(Vec<String>),
    /// Something the statement's result should be read with, for standard
    /// error (a join whose keys found no partner), after the result.
    Note(String),
    /// `save` wrote a file.
    Saved {
        /// The path as written in the statement.
        path: String,
        /// How many rows were written.
        rows: usize,
    },
    /// `attach` connected to a database.
    Attached {
        /// The name its tables are read under.
        name: String,
        /// The database in words: `` `wh` (PostgreSQL at localhost:5432/wh) ``.
        database: String,
        /// Its tables, by name.
        tables: Vec<String>,
    },
    /// `detach` forgot a database.
    Detached {
        /// The name it had.
        name: String,
    },
}

/// A query's result with what goes with it (see `Engine::result`).
struct Answered {
    table: Table,
    /// The legend of a cited result.
    legend: Vec<String>,
    /// The notes on it.
    notes: Vec<String>,
}

impl Answered {
    fn plain(table: Table) -> Answered {
        Answered {
            table,
            legend: Vec::new(),
            notes: Vec::new(),
        }
    }
}

/// The backend queries run on: the native columnar engine.
const NATIVE: &dyn Backend = &exec::Native;

/// What [`Engine::describe`] says of a relation or def.
#[derive(Debug, Clone, PartialEq)]
pub struct Described {
    /// Its documentation (the fact base's, or the comment above its `let` or `def`).
    pub doc: Option<String>,
    /// A def's parameter names; `None` for a relation.
    pub params: Option<Vec<String>>,
    /// The columns it gives.
    pub fields: Vec<crate::store::Field>,
}

/// An itq engine: a catalog of names and the means to run statements against it.
#[derive(Debug, Clone)]
pub struct Engine {
    catalog: Catalog,
    /// The folders `load` and `save` may use; none by default.
    folders: Folders,
    /// Stops the running query; shared by clones of the engine.
    interrupt: InterruptHandle,
    /// Where relative `save` paths write instead (see [`Engine::redirect_saves`]).
    saves: Option<PathBuf>,
    /// What one statement may use.
    limits: Limits,
    /// The workbooks `save` wrote, whose later saves add sheets.
    workbooks: save::Workbooks,
    /// Cite every query's result (`--cite`, `.cite on`).
    cite_all: bool,
    /// What `cite` and `why` trace relations back to, beyond the catalog.
    traces: Traces,
    /// Attached databases' connections, by name (the catalog describes their tables).
    attachments: place::Attachments,
}

/// For `cite` and `why`: the plan behind each `let` view and the file behind
/// each loaded relation, keyed by the relation's table (so a name defined
/// again is never traced through what it held before).
#[derive(Debug, Clone, Default)]
struct Traces {
    views: Vec<(Arc<Table>, Arc<crate::plan::Plan>)>,
    files: Vec<(Arc<Table>, crate::cite::FileBasis)>,
}

impl Traces {
    /// Forgets the tables that nothing else holds any more.
    fn prune(&mut self) {
        self.views.retain(|(t, _)| Arc::strong_count(t) > 1);
        self.files.retain(|(t, _)| Arc::strong_count(t) > 1);
    }

    fn view(&self, table: &Arc<Table>) -> Option<Arc<crate::plan::Plan>> {
        self.views
            .iter()
            .find(|(t, _)| Arc::ptr_eq(t, table))
            .map(|(_, p)| Arc::clone(p))
    }

    fn file(&self, table: &Arc<Table>) -> Option<crate::cite::FileBasis> {
        self.files
            .iter()
            .find(|(t, _)| Arc::ptr_eq(t, table))
            .map(|(_, f)| f.clone())
    }
}

impl Engine {
    /// An engine with the built-in fact base and the prelude loaded.
    pub fn new() -> Result<Engine> {
        let mut engine = Engine::empty();
        for f in facts::FACT_FILES {
            let table = facts::parse_typed_csv(&format!("stdlib/facts/{}.csv", f.name), f.csv)?;
            engine.catalog.set_relation(
                f.name,
                Relation {
                    table: Arc::new(table),
                    doc: Some(f.doc.to_string()),
                    kind: RelationKind::Fact,
                },
            );
        }
        engine.run(&Source::new("stdlib/prelude.itq", PRELUDE), |_| {})?;
        Ok(engine)
    }

    /// An engine with no relations at all.
    pub fn empty() -> Engine {
        Engine {
            catalog: Catalog::new(),
            folders: Folders::default(),
            interrupt: InterruptHandle::default(),
            saves: None,
            limits: Limits::from_machine(),
            workbooks: save::Workbooks::default(),
            cite_all: false,
            traces: Traces::default(),
            attachments: place::Attachments::new(),
        }
    }

    /// Lets `load` and `save` statements use files under `dir` (and its
    /// subfolders). An engine starts with no such folder: itq text can read
    /// or write nothing until the host grants it.
    pub fn allow_folder(&mut self, dir: impl AsRef<Path>) -> Result<()> {
        self.folders.allow(dir.as_ref())
    }

    /// Makes `save` with a relative path write under `dir` instead of the
    /// script's folder (creating the subfolders the script's folder has), and
    /// `load` read a relative path from there when an earlier `save` wrote
    /// it. `itq test` runs scripts so, in a fresh temporary folder, so that
    /// checking a script never changes the folder it is in. `dir` is granted.
    pub fn redirect_saves(&mut self, dir: impl AsRef<Path>) -> Result<()> {
        let dir = dir.as_ref();
        self.allow_folder(dir)?;
        self.saves = Some(dir.to_path_buf());
        Ok(())
    }

    /// The source whose folder a relative `written` path starts from: the
    /// redirect folder for a save (and for a load of what a save wrote there).
    fn files_source(&self, source: &Arc<Source>, written: &str, writing: bool) -> Arc<Source> {
        let Some(saves) = &self.saves else {
            return Arc::clone(source);
        };
        let relative = Path::new(written);
        if relative.is_absolute() || !(writing || saves.join(relative).exists()) {
            return Arc::clone(source);
        }
        if let (true, Some(parent), Some(dir)) = (writing, relative.parent(), &source.dir) {
            if !parent.as_os_str().is_empty() && dir.join(parent).is_dir() {
                let _ = std::fs::create_dir_all(saves.join(parent));
            }
        }
        Arc::new(Source {
            dir: Some(saves.clone()),
            ..Source::clone(source)
        })
    }

    /// Sets the script parameter `$name`.
    pub fn set_param(&mut self, name: &str, value: Scalar) {
        self.catalog.set_param(name, value);
    }

    /// Sets `$name` from text as given on a command line: `2024` is an
    /// integer, `1.5` a decimal, `true` a boolean, `2024-05-01` a date and
    /// anything else text (write `"2024"` with the quotes to force text).
    pub fn set_param_text(&mut self, name: &str, text: &str) {
        let value = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            Some(quoted) => Scalar::Text(quoted.into()),
            None => load::read_scalar(text),
        };
        self.catalog.set_param(name, value);
    }

    /// Reads a file into the relation `name` (replacing what the name held),
    /// as the host asks: the folders granted to itq text do not apply.
    pub fn load_file(&mut self, name: &str, path: &Path, options: &LoadOptions) -> Result<Output> {
        let shown = path.display().to_string();
        let table = load::load_file(path, &shown, options)?;
        let basis = crate::cite::file_basis(&shown, path, options);
        Ok(self.define_loaded(name, table, format!("loaded from {shown}"), Some(basis)))
    }

    /// Adds (or replaces) a relation from serde-serialisable records (structs
    /// or maps); field names become columns and types are inferred as for JSON.
    pub fn add_records<T: serde::Serialize>(
        &mut self,
        name: &str,
        records: impl IntoIterator<Item = T>,
    ) -> Result<()> {
        let table = load::records_to_table(name, records)?;
        self.add_relation(name, table, None);
        Ok(())
    }

    /// Adds (or replaces) a relation from named columns of equal length.
    pub fn add_columns(&mut self, name: &str, columns: Vec<(String, Column)>) -> Result<()> {
        let rows = columns.first().map_or(0, |(_, c)| c.len());
        for (i, (n, c)) in columns.iter().enumerate() {
            if c.len() != rows {
                let count = |n: usize| format!("{n} row{}", if n == 1 { "" } else { "s" });
                return Err(Error::new(ErrorKind::Invalid(format!(
                    "column `{n}` of `{name}` has {}, but `{}` has {}",
                    count(c.len()),
                    columns[0].0,
                    count(rows)
                ))));
            }
            if columns[..i].iter().any(|(m, _)| m == n) {
                return Err(Error::new(ErrorKind::Invalid(format!(
                    "`{name}` has two columns called `{n}`"
                ))));
            }
        }
        let table = Table::new(columns.into_iter().map(|(n, c)| (n, Arc::new(c))).collect());
        self.add_relation(name, table, None);
        Ok(())
    }

    fn define_loaded(
        &mut self,
        name: &str,
        loaded: load::Loaded,
        doc: String,
        basis: Option<crate::cite::FileBasis>,
    ) -> Output {
        let load::Loaded { table, notes } = loaded;
        let replaced = self.catalog.kind_of(name);
        let (rows, columns) = (table.num_rows(), table.num_columns());
        let table = Arc::new(table);
        if let Some(basis) = basis {
            self.traces.prune();
            self.traces.files.push((Arc::clone(&table), basis));
        }
        self.catalog.set_relation(
            name,
            Relation {
                table,
                doc: Some(doc),
                kind: RelationKind::Loaded,
            },
        );
        Output::Loaded {
            name: name.to_string(),
            rows,
            columns,
            replaced,
            notes,
        }
    }

    /// The names this engine knows.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Adds (or replaces) a relation built by the host.
    pub fn add_relation(&mut self, name: &str, table: Table, doc: Option<String>) {
        self.catalog.set_relation(
            name,
            Relation {
                table: Arc::new(table),
                doc,
                kind: RelationKind::Loaded,
            },
        );
    }

    /// Runs `text` (one or more statements) and returns the last query's result.
    ///
    /// All or nothing: when it returns an error, the engine is as it was
    /// (a `let` before a failing query is not kept; a text with no query is
    /// refused before anything runs). Only a `save` that ran before the
    /// error has written its file.
    pub fn query(&mut self, text: &str) -> Result<Table> {
        let source = Source::new("<query>", text);
        let script = parse_script(text).map_err(|e| e.with_source(&source))?;
        if !script
            .statements
            .iter()
            .any(|s| matches!(s.kind, StatementKind::Query(_)))
        {
            return Err(Error::new(ErrorKind::Invalid(
                "the text holds no query, only definitions".into(),
            ))
            .with_help(
                "end it with a query, such as `provinces count by region`; to define names without a result, use `Engine::run`",
            ));
        }
        let mut trial = self.clone();
        let mut last = None;
        trial.run(&source, |out| {
            if let Output::Table(t) | Output::Chart(t) = out {
                last = Some(t);
            }
        })?;
        *self = trial;
        last.ok_or_else(|| Error::new(ErrorKind::Invalid("the query gave no result".into())))
    }

    /// The columns of the relation or def `name`, for `describe` and
    /// `.schema`. A def's are found by checking its body with its parameters
    /// unknown, so a column whose type comes from a parameter shows as null.
    pub fn describe(&self, name: &str) -> Result<Described> {
        if let Some(rel) = self.catalog.relation(name) {
            return Ok(Described {
                doc: rel.doc.clone(),
                params: None,
                fields: rel.table.fields().to_vec(),
            });
        }
        if let Some((database, table)) = name.split_once('.') {
            if let Some(t) = self
                .catalog
                .database(database)
                .and_then(|d| d.tables.get(table).map(|t| (d, t)))
            {
                let (db, t) = t;
                let mut doc = format!("a table of `{database}` ({} at {})", db.engine, db.location);
                if !t.unreadable.is_empty() {
                    let cols: Vec<String> = t
                        .unreadable
                        .iter()
                        .map(|(c, ty)| format!("{c} ({ty})"))
                        .collect();
                    doc.push_str(&format!(
                        "; columns of types itq cannot read yet are left out: {}",
                        cols.join(", ")
                    ));
                }
                return Ok(Described {
                    doc: Some(doc),
                    params: None,
                    fields: t.fields.clone(),
                });
            }
        }
        if let Some(def) = self.catalog.def(name) {
            let probe: Params = def
                .params
                .iter()
                .map(|p| (p.name.clone(), Scalar::Null))
                .collect();
            let checked = crate::stack::deep(|| {
                Checker::probing(&self.catalog, NATIVE, Arc::clone(&def.source))
                    .query(&def.body, &probe)
            })
            .map_err(|e| e.with_source(&def.source))?;
            return Ok(Described {
                doc: def.doc.clone(),
                params: Some(def.params.iter().map(|p| p.name.clone()).collect()),
                fields: checked.fields,
            });
        }
        let err = Error::new(ErrorKind::UnknownRelation(name.to_string()));
        Err(if self.catalog.scalar(name).is_some() {
            Error::new(ErrorKind::Type(format!(
                "`{name}` is a single value, not a relation"
            )))
            .with_help(format!(
                "`{name}` alone in `select` shows it: `provinces limit 1 select {name}`"
            ))
        } else {
            err.with_help(crate::error::suggestion(
                name,
                "relations and defs",
                self.catalog.source_names(),
            ))
        })
    }

    /// The columns the query `text` would produce, found by checking it without
    /// running it (the prompt uses this to complete column names).
    pub fn columns_of(&self, text: &str) -> Result<Vec<crate::store::Field>> {
        crate::stack::deep(|| self.columns_of_here(text))
    }

    fn columns_of_here(&self, text: &str) -> Result<Vec<crate::store::Field>> {
        let source = Source::new("<query>", text);
        let script = parse_script(text).map_err(|e| e.with_source(&source))?;
        match script.statements.as_slice() {
            [Statement {
                kind: StatementKind::Query(q),
                ..
            }] => Ok(Checker::new(&self.catalog, NATIVE, Arc::clone(&source))
                .query(q, &Params::new())
                .map_err(|e| e.with_source(&source))?
                .fields),
            _ => Err(Error::new(ErrorKind::Invalid(
                "expected exactly one query".into(),
            ))),
        }
    }

    /// The SQL of the one query `text`, in `dialect` (see docs/sql.md). The
    /// relations it reads appear by name: the engine running it needs tables
    /// of those names.
    pub fn to_sql(&self, text: &str, dialect: crate::sql::Dialect) -> Result<String> {
        let source = Source::new("<query>", text);
        let (checked, span) = self.one_query(&source)?;
        crate::stack::deep(|| {
            crate::sql::compile(&checked.plan, dialect)
                .map_err(|e| crate::sql::locate(e, text, span))
        })
        .map_err(|e| e.with_span(span).with_source(&source))
    }

    /// The one query of `source`, checked, and where it is.
    fn one_query(
        &self,
        source: &Arc<Source>,
    ) -> Result<(crate::plan::CheckedQuery, crate::source::Span)> {
        let text = &source.text;
        let script = parse_script(text).map_err(|e| e.with_source(source))?;
        let [Statement {
            kind: StatementKind::Query(q),
            span,
        }] = script.statements.as_slice()
        else {
            return Err(
                Error::new(ErrorKind::Invalid("expected exactly one query".into()))
                    .with_help("to compile a script with `let` and `def`, use `itq sql FILE`")
                    .with_source(source),
            );
        };
        // `cite` and `why` need lineage, which compiled SQL does not carry.
        use crate::syntax::ast::ClauseKind;
        if let Some(c) = q
            .clauses
            .iter()
            .find(|c| matches!(c.kind, ClauseKind::Cite | ClauseKind::Why(_)))
        {
            let word = if c.kind == ClauseKind::Cite {
                "cite"
            } else {
                "why"
            };
            return Err(Error::at(
                ErrorKind::Unsupported {
                    construct: format!("`{word}`"),
                    dialect: "SQL".into(),
                },
                c.span,
            )
            .with_help(format!(
                "the SQL backend does not carry lineage yet: run the query with itq to see its sources, or leave out `{word}`"
            ))
            .with_source(source));
        }
        crate::stack::deep(|| {
            Checker::new(&self.catalog, NATIVE, Arc::clone(source)).query(q, &Params::new())
        })
        .map(|c| (c, *span))
        .map_err(|e| e.with_span(*span).with_source(source))
    }

    /// The SQL of every statement of `source` in `dialect`, handed to `emit`
    /// one statement at a time (each ending in `;`): a query as a SELECT, a
    /// `let` of rows as a temporary view of that name. `def`s and `let`
    /// values are inlined where used; `load` runs here (the engine that runs
    /// the SQL needs a table of that name) and gives a comment saying so.
    /// Queries are checked, not run.
    pub fn sql_script(
        &mut self,
        source: &Arc<Source>,
        dialect: crate::sql::Dialect,
        mut emit: impl FnMut(String),
    ) -> Result<()> {
        let script = self.parse_given(source)?;
        for statement in &script.statements {
            let located = |e: Error| e.with_span(statement.span).with_source(source);
            let checked = crate::stack::deep(|| {
                Checker::new(&self.catalog, NATIVE, Arc::clone(source)).statement(&statement.kind)
            })
            .map_err(located)?;
            let compile = |q: &crate::plan::CheckedQuery| {
                crate::stack::deep(|| crate::sql::compile(&q.plan, dialect))
                    .map_err(|e| located(crate::sql::locate(e, &source.text, statement.span)))
            };
            match checked {
                CheckedStatement::Query { cite, why, .. } if cite || why.is_some() => {
                    let word = if cite { "cite" } else { "why" };
                    return Err(located(
                        Error::new(ErrorKind::Unsupported {
                            construct: format!("`{word}`"),
                            dialect: dialect.engine().to_string(),
                        })
                        .with_help(format!(
                            "the SQL backend does not carry lineage yet: run the query with itq to see its sources, or leave out `{word}`"
                        )),
                    ));
                }
                CheckedStatement::Save { cite: true, .. } => {
                    let word = "cite";
                    return Err(located(
                        Error::new(ErrorKind::Unsupported {
                            construct: format!("`{word}`"),
                            dialect: dialect.engine().to_string(),
                        })
                        .with_help(format!(
                            "the SQL backend does not carry lineage yet: run the query with itq to see its sources, or leave out `{word}`"
                        )),
                    ));
                }
                CheckedStatement::Query { query, .. } => emit(format!("{};", compile(&query)?)),
                CheckedStatement::Save { query, path, .. } => {
                    emit(format!("-- save to {path:?}:\n{};", compile(&query)?));
                }
                CheckedStatement::LetRelation { name, query, doc } => {
                    emit(crate::sql::create_view(&name, &compile(&query)?, dialect));
                    let empty = query
                        .fields
                        .iter()
                        .map(|f| (f.name.clone(), Arc::new(Column::nulls(f.ty, 0))))
                        .collect();
                    self.add_relation(&name, Table::with_rows(empty, 0), doc);
                }
                other => {
                    if let Output::Loaded { name, .. } =
                        self.carry_out(other, source).map_err(located)?
                    {
                        emit(format!(
                            "-- {}: the engine needs a table `{name}` with these rows",
                            source.slice(statement.span).trim()
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Runs every statement of `source` in order, handing each output to `emit`.
    /// A syntax error anywhere stops before anything runs; any other error stops
    /// at the failing statement (those before it have run).
    ///
    /// A [`cancel`](InterruptHandle::cancel) on this engine's
    /// [`interrupt_handle`](Engine::interrupt_handle) while this runs stops it
    /// with a "query cancelled" error.
    pub fn run(&mut self, source: &Arc<Source>, mut emit: impl FnMut(Output)) -> Result<()> {
        self.run_timed(source, |out, _| emit(out))
    }

    /// Like [`Engine::run`], also handing `emit` how long each statement took
    /// to check and run (not to parse the script or to print the output).
    pub fn run_timed(
        &mut self,
        source: &Arc<Source>,
        emit: impl FnMut(Output, Duration),
    ) -> Result<()> {
        crate::stack::deep(|| self.run_timed_here(source, emit))
    }

    fn run_timed_here(
        &mut self,
        source: &Arc<Source>,
        mut emit: impl FnMut(Output, Duration),
    ) -> Result<()> {
        let script = self.parse_given(source)?;
        let interrupt = self.interrupt.clone();
        interrupt.reset();
        cancel::with_handle(&interrupt, || {
            limits::with_limits(self.limits, || {
                for statement in &script.statements {
                    let start = Instant::now();
                    crate::notes::take();
                    let outs = self
                        .statement(&statement.kind, source)
                        .map_err(|e| e.with_span(statement.span).with_source(source))?;
                    let notes = crate::notes::take();
                    let elapsed = start.elapsed();
                    for out in outs {
                        emit(out, elapsed);
                    }
                    for note in notes {
                        emit(Output::Note(note), Duration::ZERO);
                    }
                }
                Ok(())
            })
        })
    }

    /// The limits this engine runs under.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Sets the memory, row and text limits for the statements this engine
    /// runs from now on (see [`Limits`]).
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Parses `source`; a parameter it uses but was not given stops it before
    /// anything runs (not after a `save` halfway down has written its file).
    fn parse_given(&self, source: &Arc<Source>) -> Result<crate::syntax::ast::Script> {
        let script = parse_script(&source.text).map_err(|e| e.with_source(source))?;
        if let Some(id) = script
            .params
            .iter()
            .find(|id| self.catalog.param(&id.name).is_none())
        {
            return Err(crate::check::missing_param(&self.catalog, id).with_source(source));
        }
        Ok(script)
    }

    /// A handle that cancels this engine's running query, from another
    /// thread or a signal handler. Cancelling when nothing runs has no effect
    /// on later runs.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        self.interrupt.clone()
    }

    /// Checks one statement and carries it out.
    fn statement(&mut self, kind: &StatementKind, source: &Arc<Source>) -> Result<Vec<Output>> {
        let checked = Checker::new(&self.catalog, NATIVE, Arc::clone(source)).statement(kind)?;
        match checked {
            CheckedStatement::Query {
                query,
                chart,
                cite,
                why,
            } => self.answer(&query, chart, cite || self.cite_all, why),
            CheckedStatement::Save {
                query,
                path,
                path_span,
                replace,
                bom,
                sheet,
                cite,
            } => {
                let options = save::SaveOptions {
                    replace,
                    bom,
                    sheet,
                };
                self.save(
                    &query,
                    cite || self.cite_all,
                    path,
                    path_span,
                    options,
                    source,
                )
            }
            other => Ok(vec![self.carry_out(other, source)?]),
        }
    }

    /// Cites every query's result from now on (`--cite`, `.cite on`), or stops.
    pub fn set_cite(&mut self, on: bool) {
        self.cite_all = on;
    }

    /// Whether every query's result is cited.
    pub fn cites(&self) -> bool {
        self.cite_all
    }

    /// Runs a shown query: its result, then (with `cite`) the legend or
    /// (with `why`) the stored rows behind it, then the notes on it.
    fn answer(
        &self,
        query: &crate::plan::CheckedQuery,
        chart: bool,
        cite: bool,
        why: Option<Option<u64>>,
    ) -> Result<Vec<Output>> {
        let Some(row) = why else {
            let answered = self.result(query, cite)?;
            return Ok(self.shown(answered.table, chart, answered.legend, answered.notes));
        };
        let hedged = crate::explain::hedged_columns(&query.plan, &|s| self.view_of(s));
        let (table, lineage, notes) = self.traced_with_notes(query, &hedged)?;
        let row = match row {
            None => None,
            Some(n) if n >= 1 && n as usize <= table.num_rows() => Some(n as usize - 1),
            Some(n) => {
                return Err(Error::new(ErrorKind::Invalid(format!(
                    "`why {n}` asks for row {n}, but the result has {}",
                    rows_text(table.num_rows())
                )))
                .with_help("rows are numbered from 1, as printed"))
            }
        };
        Ok(self.shown(lineage.why(&self.catalog, row), false, Vec::new(), notes))
    }

    /// A query's result as every format and `save` get it: its rows, a
    /// `NAME_qualifier` column beside each hedged figure, and with `cite` a
    /// `sources` column; with the legend and the notes that go with it.
    fn result(&self, query: &crate::plan::CheckedQuery, cite: bool) -> Result<Answered> {
        let hedged = crate::explain::hedged_columns(&query.plan, &|s| self.view_of(s));
        if place::reads_attached(&query.plan) && !cite {
            // Notes read the rows again; an attached database's stay there.
            return Ok(Answered::plain(self.execute(&query.plan)?));
        }
        if !cite && hedged.is_empty() {
            let table = NATIVE.execute(&query.plan)?;
            let mut notes =
                crate::explain::bounds_left_out(&query.plan, &|s| self.view_of(s), NATIVE)?;
            notes.extend(crate::explain::empty_or_null(
                &query.plan,
                &table,
                &self.catalog,
                NATIVE,
            )?);
            return Ok(Answered {
                table,
                legend: Vec::new(),
                notes,
            });
        }
        let (table, lineage, notes) = self.traced_with_notes(query, &hedged)?;
        if !cite {
            return Ok(Answered {
                table,
                legend: Vec::new(),
                notes,
            });
        }
        let mut named = table.named_columns();
        named.push((
            table.free_name("sources"),
            Arc::new(lineage.sources_column()),
        ));
        let rows = table.num_rows();
        Ok(Answered {
            table: Table::with_rows(named, rows).with_hedges(table.hedges().to_vec()),
            legend: lineage.legend(&self.catalog),
            notes,
        })
    }

    /// Runs `query` traced: its result with the hedge columns, the stored
    /// rows behind each row, and the notes on it.
    fn traced_with_notes(
        &self,
        query: &crate::plan::CheckedQuery,
        hedged: &[crate::explain::Hedged],
    ) -> Result<(Table, crate::cite::Lineage, Vec<String>)> {
        let (table, lineage) = self.traced(query)?;
        let empty = crate::explain::empty_or_null(&query.plan, &table, &self.catalog, NATIVE)?;
        let (table, mut notes) = crate::explain::hedge(table, &lineage, hedged);
        notes.extend(crate::explain::bounds_left_out(
            &query.plan,
            &|s| self.view_of(s),
            NATIVE,
        )?);
        notes.extend(empty);
        Ok((table, lineage, notes))
    }

    fn shown(
        &self,
        table: Table,
        chart: bool,
        legend: Vec<String>,
        notes: Vec<String>,
    ) -> Vec<Output> {
        let mut out = vec![if chart {
            Output::Chart(table)
        } else {
            Output::Table(table)
        }];
        if !legend.is_empty() {
            out.push(Output::Legend(legend));
        }
        out.extend(notes.into_iter().map(Output::Note));
        out
    }

    /// The plan that made a `let` view, to trace through it.
    fn view_of(&self, scan: &crate::plan::Scan) -> Option<Arc<crate::plan::Plan>> {
        match &scan.location {
            crate::plan::Location::Memory(t) => self.traces.view(t),
            _ => None,
        }
    }

    /// Runs `plan` traced: its result and the stored rows behind each row.
    fn traced(&self, query: &crate::plan::CheckedQuery) -> Result<(Table, crate::cite::Lineage)> {
        let traced = crate::plan::lineage::trace(&query.plan, &|s| self.view_of(s))?;
        let result = NATIVE.execute(&traced.plan)?;
        let origins = traced
            .origins
            .into_iter()
            .map(|o| {
                let basis = match self.traces.file(&o.table) {
                    Some(f) => crate::cite::Basis::File(f),
                    None => match self.catalog.relation(&o.name) {
                        Some(r) if Arc::ptr_eq(&r.table, &o.table) => {
                            crate::cite::basis_of_kind(r.kind)
                        }
                        _ => crate::cite::Basis::Host,
                    },
                };
                (o, basis)
            })
            .collect();
        let names: Vec<String> = query.fields.iter().map(|f| f.name.clone()).collect();
        debug_assert_eq!(names.len(), traced.width);
        Ok(crate::cite::Lineage::split(&result, &names, origins))
    }

    /// `.why N` at the prompt: the stored rows behind row `row` (from 1) of
    /// the result of `text` (the last query run), as a table.
    pub fn why(&mut self, text: &str, row: u64) -> Result<Table> {
        let source = Source::new("<query>", text);
        let script = parse_script(text).map_err(|e| e.with_source(&source))?;
        let Some(statement) = script.statements.last() else {
            return Err(Error::new(ErrorKind::Invalid(
                "there is no query to explain".into(),
            )));
        };
        let StatementKind::Query(q) = &statement.kind else {
            return Err(Error::new(ErrorKind::Invalid(
                "the last statement is not a query".into(),
            )));
        };
        let checked = Checker::new(&self.catalog, NATIVE, Arc::clone(&source))
            .query(q, &Params::new())
            .map_err(|e| e.with_source(&source))?;
        let interrupt = self.interrupt.clone();
        interrupt.reset();
        let (table, lineage) = cancel::with_handle(&interrupt, || {
            limits::with_limits(self.limits, || self.traced(&checked))
        })?;
        if row == 0 || row as usize > table.num_rows() {
            return Err(Error::new(ErrorKind::Invalid(format!(
                "the last result has {}; there is no row {row}",
                rows_text(table.num_rows())
            )))
            .with_help("rows are numbered from 1, as printed"));
        }
        Ok(lineage.why(&self.catalog, Some(row as usize - 1)))
    }

    /// `save`: writes what `--format csv` would print of `query` (the hedge
    /// columns, and with `cite` the sources) to `path`; the legend and the
    /// notes follow the `saved` line, on standard error.
    fn save(
        &mut self,
        query: &crate::plan::CheckedQuery,
        cite: bool,
        path: String,
        path_span: Span,
        options: save::SaveOptions,
        source: &Arc<Source>,
    ) -> Result<Vec<Output>> {
        let file = self.folders.resolve(
            &path,
            path_span,
            &self.files_source(source, &path, true),
            true,
        )?;
        let target = save::target_for_path(&file).map_err(|e| e.with_span(path_span))?;
        let answered = self.result(query, cite)?;
        let table = answered.table;
        let rows = table.num_rows();
        let replace = options.replace;
        // A workbook this engine wrote before gets one more sheet.
        let (bytes, book) = if target == save::Target::Xlsx {
            let mut book = self
                .workbooks
                .with_sheet(&file, &path, Arc::new(table), &options)
                .map_err(|e| e.with_span(path_span))?;
            (std::mem::take(&mut book.bytes), Some(book))
        } else {
            let bytes = save::table_bytes(&file, &path, &table, &options)
                .map_err(|e| e.with_span(path_span))?;
            (bytes, None)
        };
        let rewrite = replace || book.as_ref().is_some_and(|b| b.ours);
        let (folder, name) = self.folders.open_folder_of(&file, &path, path_span)?;
        let written = save::write_in(&folder, &name, &path, &bytes, rewrite);
        if written.is_err() {
            crate::cancel::let_go(bytes);
        }
        written.map_err(|e| e.with_span(path_span))?;
        if let Some(book) = book {
            self.workbooks.written(book);
        }
        let mut out = vec![Output::Saved { path, rows }];
        if !answered.legend.is_empty() {
            out.push(Output::Legend(answered.legend));
        }
        out.extend(answered.notes.into_iter().map(Output::Note));
        Ok(out)
    }

    fn carry_out(&mut self, checked: CheckedStatement, source: &Arc<Source>) -> Result<Output> {
        Ok(match checked {
            CheckedStatement::Query { query, chart, .. } => {
                let table = self.execute(&query.plan)?;
                if chart {
                    Output::Chart(table)
                } else {
                    Output::Table(table)
                }
            }
            CheckedStatement::Save { .. } => {
                unreachable!("`statement` saves")
            }
            CheckedStatement::Load {
                path,
                path_span,
                name,
                options,
            } => {
                let file = self.folders.resolve(
                    &path,
                    path_span,
                    &self.files_source(source, &path, false),
                    false,
                )?;
                let name = match name {
                    Some(n) => n,
                    None => relation_name(&file).ok_or_else(|| {
                        Error::at(
                            ErrorKind::Invalid(format!(
                                "cannot make a relation name from `{path}`"
                            )),
                            path_span,
                        )
                        .with_help("name it: load \"...\" as NAME")
                    })?,
                };
                let opened = self.folders.open_read(&file, &path, path_span)?;
                let table = load::load_opened(opened, &file, &path, &options)
                    .map_err(|e| e.with_span(path_span))?;
                let mut doc = format!("loaded from {path}");
                for (column, unit) in &options.units {
                    doc.push_str(&format!(
                        "; `{column}` in billion yuan (converted from {})",
                        unit.name
                    ));
                }
                let basis = crate::cite::file_basis(&path, &file, &options);
                self.define_loaded(&name, table, doc, Some(basis))
            }
            CheckedStatement::Describe { name, span } => {
                let described = self.describe(&name).map_err(|e| e.with_span(span))?;
                let names = described.fields.iter().map(|f| Some(f.name.as_str()));
                let types = described.fields.iter().map(|f| Some(f.ty.name()));
                Output::Table(Table::new(vec![
                    ("column".into(), Arc::new(Column::from_texts(names))),
                    ("type".into(), Arc::new(Column::from_texts(types))),
                ]))
            }
            CheckedStatement::LetValue { name, value } => {
                self.catalog.set_scalar(&name, value);
                Output::Defined {
                    name,
                    what: "value",
                }
            }
            CheckedStatement::LetRelation { name, query, doc } => {
                let table = Arc::new(self.execute(&query.plan)?);
                self.traces.prune();
                self.traces
                    .views
                    .push((Arc::clone(&table), Arc::new(query.plan)));
                self.catalog.set_relation(
                    &name,
                    Relation {
                        table,
                        doc,
                        kind: RelationKind::View,
                    },
                );
                Output::Defined {
                    name,
                    what: "relation",
                }
            }
            CheckedStatement::Attach {
                url,
                url_span,
                name,
                name_span,
            } => self.attach(&url, url_span, &name, name_span, source)?,
            CheckedStatement::Detach { name, span } => {
                if self.attachments.remove(&name).is_none() {
                    let names: Vec<&str> = self.attachments.keys().map(String::as_str).collect();
                    return Err(Error::at(
                        ErrorKind::Invalid(format!("no database is attached as `{name}`")),
                        span,
                    )
                    .with_help(crate::error::suggestion(
                        &name,
                        "attached databases",
                        names.iter().copied(),
                    )));
                }
                self.catalog.remove_database(&name);
                Output::Detached { name }
            }
            CheckedStatement::Def { name, def } => {
                self.catalog.set_def(&name, def);
                Output::Defined { name, what: "def" }
            }
        })
    }
}

/// `1 row`, `3 rows`.
fn rows_text(n: usize) -> String {
    format!("{n} row{}", if n == 1 { "" } else { "s" })
}

impl Engine {
    /// Runs a checked plan: on the native engine, or, when it reads attached
    /// tables, partly or wholly in their databases (src/place.rs).
    fn execute(&self, plan: &Plan) -> Result<Table> {
        if place::reads_attached(plan) {
            place::run(plan, &self.attachments, &self.interrupt, NATIVE)
        } else {
            NATIVE.execute(plan)
        }
    }

    /// What a query would run where: the SQL sent to each attached database,
    /// and whether the native engine finishes the work.
    pub fn explain(&self, text: &str) -> Result<place::Explained> {
        let source = Source::new("<explain>", text);
        let (query, _) = self.one_query(&source)?;
        place::explain(&query.plan, &self.attachments).map_err(|e| e.with_source(&source))
    }

    /// Attaches a database: `url` names it, `name` is what queries write
    /// before the dot. A file path is resolved like a `load`'s.
    fn attach(
        &mut self,
        url: &str,
        url_span: Span,
        name: &str,
        name_span: Span,
        source: &Arc<Source>,
    ) -> Result<Output> {
        self.attach_here(url, url_span, name, name_span, source)
            .map_err(|e| without_password(e, url, url_span, source))
    }

    /// Attaches the database at `url` as `name`, as `attach "URL" as NAME`
    /// does (`--attach NAME=URL` on the command line). A file path is
    /// resolved from the current folder.
    pub fn attach_database(&mut self, name: &str, url: &str) -> Result<Output> {
        let source = Source::new(format!("--attach {name}"), url);
        let span = Span::new(0, url.len());
        self.attach(url, span, name, span, &source)
    }

    fn attach_here(
        &mut self,
        url: &str,
        url_span: Span,
        name: &str,
        name_span: Span,
        source: &Arc<Source>,
    ) -> Result<Output> {
        let target = attach::Target::of(url).map_err(|m| {
            Error::at(ErrorKind::Invalid(m), url_span).with_help(
                "write postgres://USER@HOST:PORT/DATABASE, or the path of a .sqlite or .db file",
            )
        })?;
        if let Some(kind) = self.catalog.kind_of(name) {
            return Err(Error::at(
                ErrorKind::Invalid(format!("`{name}` already names a {kind}")),
                name_span,
            )
            .with_help("attach the database under another name"));
        }
        let file = match target.file() {
            Some(path) => {
                let full = self.folders.resolve(
                    path,
                    url_span,
                    &self.files_source(source, path, false),
                    false,
                )?;
                // Checks the file is inside a granted folder, as a load does.
                self.folders
                    .open_read(&full, path, url_span)
                    .map_err(|e| e.with_span(url_span))?;
                Some(full)
            }
            None => None,
        };
        let (attachment, database) = attach::Attachment::open(name, &target, file.as_deref())
            .map_err(|e| e.with_span(url_span))?;
        let tables = database.tables.keys().cloned().collect();
        let described = attachment.describe();
        self.catalog.set_database(name, database);
        self.attachments.insert(name.to_string(), attachment);
        Ok(Output::Attached {
            name: name.to_string(),
            database: described,
            tables,
        })
    }
}

/// `e` pointing at the URL in a copy of `source` whose URL has no password,
/// so that rendering it never shows one.
fn without_password(e: Error, url: &str, url_span: Span, source: &Arc<Source>) -> Error {
    let redacted = attach::redact(url);
    if redacted == url {
        return e;
    }
    let text = &source.text;
    let (start, end) = (url_span.start.min(text.len()), url_span.end.min(text.len()));
    let written = text.get(start..end).unwrap_or("");
    let replacement = if written.starts_with('"') {
        format!("{redacted:?}")
    } else {
        redacted
    };
    let shown = format!(
        "{}{replacement}{}",
        text.get(..start).unwrap_or(""),
        text.get(end..).unwrap_or("")
    );
    let safe = Arc::new(Source {
        text: attach::redact_text(&shown),
        ..Source::clone(source)
    });
    e.with_span(Span::new(start, start + replacement.len()))
        .with_source(&safe)
}

/// A relation name from a file name: `penguins-raw.csv` gives `penguins_raw`.
fn relation_name(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    let mut name: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    (!name.is_empty()).then_some(name)
}
