//! The embedding API: an [`Engine`] holds the catalog (the fact base, the
//! prelude and whatever statements defined) and runs itq text against it.
//! The command line, the prompt and host programs all go through it.

use crate::access::Folders;
use crate::check::{Checker, Params};
use crate::error::{closest, Error, ErrorKind, Result};
use crate::exec;
use crate::exec::cancel::{self, InterruptHandle};
use crate::load::{self, FileFormat, LoadOptions};
use crate::plan::builtins as funcs;
use crate::plan::Backend;
use crate::render::render_checked;
use crate::save;
use crate::source::{Source, Span};
use crate::store::{facts, Catalog, Column, Def, Relation, Table};
use crate::syntax::ast::{
    self, ClauseKind, Expr, ExprKind, Query, Source as AstSource, Statement, StatementKind,
};
use crate::syntax::parse_script;
use crate::value::{Scalar, Type};
use std::path::Path;
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
    /// `save` wrote a file.
    Saved {
        /// The path as written in the statement.
        path: String,
        /// How many rows were written.
        rows: usize,
    },
}

/// The backend queries run on: the native columnar engine.
const NATIVE: &dyn Backend = &exec::Native;

/// An itq engine: a catalog of names and the means to run statements against it.
#[derive(Debug, Clone)]
pub struct Engine {
    catalog: Catalog,
    /// The folders `load` and `save` may use; none by default.
    folders: Folders,
    /// Stops the running query; shared by clones of the engine.
    interrupt: InterruptHandle,
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
        }
    }

    /// Lets `load` and `save` statements use files under `dir` (and its
    /// subfolders). An engine starts with no such folder: itq text can read
    /// or write nothing until the host grants it.
    pub fn allow_folder(&mut self, dir: impl AsRef<Path>) -> Result<()> {
        self.folders.allow(dir.as_ref())
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
        let table = load::load_file(path, &path.display().to_string(), options)?;
        Ok(self.define_loaded(name, table, format!("loaded from {}", path.display())))
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

    fn define_loaded(&mut self, name: &str, loaded: load::Loaded, doc: String) -> Output {
        let load::Loaded { table, notes } = loaded;
        let replaced = self.catalog.kind_of(name);
        let (rows, columns) = (table.num_rows(), table.num_columns());
        self.catalog.set_relation(
            name,
            Relation {
                table: Arc::new(table),
                doc: Some(doc),
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
            },
        );
    }

    /// Runs `text` (one or more statements) and returns the last query's result.
    pub fn query(&mut self, text: &str) -> Result<Table> {
        let mut last = None;
        self.run(&Source::new("<query>", text), |out| {
            if let Output::Table(t) | Output::Chart(t) = out {
                last = Some(t);
            }
        })?;
        last.ok_or_else(|| {
            Error::new(ErrorKind::Invalid(
                "the text holds no query, only definitions".into(),
            ))
            .with_help("end it with a query, such as `provinces count by region`")
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
        let script = parse_script(text).map_err(|e| e.with_source(&source))?;
        let [Statement {
            kind: StatementKind::Query(q),
            span,
        }] = script.statements.as_slice()
        else {
            return Err(Error::new(ErrorKind::Invalid(
                "expected exactly one query".into(),
            ))
            .with_help("to compile a script with `let` and `def`, use `itq sql FILE`")
            .with_source(&source));
        };
        crate::stack::deep(|| {
            let checked = Checker::new(&self.catalog, NATIVE, Arc::clone(&source)).query(q, &Params::new())?;
            crate::sql::compile(&checked.plan, dialect)
        })
        .map_err(|e| e.with_span(*span).with_source(&source))
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
        let script = parse_script(&source.text).map_err(|e| e.with_source(source))?;
        if let Some(id) = script.params.iter().find(|id| self.catalog.param(&id.name).is_none()) {
            return Err(crate::check::missing_param(&self.catalog, id).with_source(source));
        }
        for statement in &script.statements {
            let located = |e: Error| e.with_span(statement.span).with_source(source);
            let compile = |engine: &Engine, q: &Query| {
                crate::stack::deep(|| {
                    let checker = Checker::new(&engine.catalog, NATIVE, Arc::clone(source));
                    let checked = checker.query(q, &Params::new())?;
                    Ok((crate::sql::compile(&checked.plan, dialect)?, checked.fields))
                })
            };
            match &statement.kind {
                StatementKind::Query(q) => emit(format!("{};", compile(self, q).map_err(located)?.0)),
                StatementKind::Save { query, path, .. } => {
                    let (sql, _) = compile(self, query).map_err(located)?;
                    let shown = source.slice(path.span).replace('\n', " ");
                    emit(format!("-- save {shown}: the rows of\n{sql};"));
                }
                StatementKind::Let { name, query } if self.as_scalar_expr(query).is_none() => {
                    let (sql, fields) = compile(self, query).map_err(located)?;
                    let view = crate::sql::create_view(&name.name, &sql, dialect);
                    emit(view);
                    let empty = fields
                        .iter()
                        .map(|f| (f.name.clone(), Arc::new(Column::nulls(f.ty, 0))))
                        .collect();
                    let doc = doc_comment(source, name.span.start);
                    self.add_relation(&name.name, Table::with_rows(empty, 0), doc);
                }
                other => {
                    let out = self.statement(other, source).map_err(located)?;
                    if let Output::Loaded { name, .. } = out {
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
        let script = parse_script(&source.text).map_err(|e| e.with_source(source))?;
        // A parameter not given stops the script before anything runs (not
        // after a `save` halfway down has written its file).
        if let Some(id) = script
            .params
            .iter()
            .find(|id| self.catalog.param(&id.name).is_none())
        {
            return Err(crate::check::missing_param(&self.catalog, id).with_source(source));
        }
        let interrupt = self.interrupt.clone();
        interrupt.reset();
        cancel::with_handle(&interrupt, || {
            for statement in &script.statements {
                let start = Instant::now();
                let out = self
                    .statement(&statement.kind, source)
                    .map_err(|e| e.with_span(statement.span).with_source(source))?;
                emit(out, start.elapsed());
            }
            Ok(())
        })
    }

    /// A handle that cancels this engine's running query, from another
    /// thread or a signal handler. Cancelling when nothing runs has no effect
    /// on later runs.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        self.interrupt.clone()
    }

    fn statement(&mut self, kind: &StatementKind, source: &Arc<Source>) -> Result<Output> {
        let checker = Checker::new(&self.catalog, NATIVE, Arc::clone(source));
        let params = Params::new();
        match kind {
            StatementKind::Load(l) => self.load_statement(l, source),
            StatementKind::Save {
                query,
                path,
                replace,
            } => {
                let (written, span) = self.path_text(path, source)?;
                let file = self.folders.resolve(&written, span, source, true)?;
                let format = save::format_for_path(&file).map_err(|e| e.with_span(span))?;
                refuse_chart(query, "`save` writes rows to a file")?;
                let checked = checker.query(query, &params)?;
                let table = NATIVE.execute(&checked.plan)?;
                let text = render_checked(&table, format, &Default::default())?;
                let (folder, name) = self.folders.open_folder_of(&file, &written, span)?;
                save::write_in(&folder, &name, &written, text.as_bytes(), *replace)
                    .map_err(|e| e.with_span(span))?;
                Ok(Output::Saved {
                    path: written,
                    rows: table.num_rows(),
                })
            }
            StatementKind::Query(q) => {
                let checked = checker.query(q, &params)?;
                let table = NATIVE.execute(&checked.plan)?;
                Ok(match q.clauses.last().map(|c| &c.kind) {
                    Some(ClauseKind::Chart) => Output::Chart(table),
                    _ => Output::Table(table),
                })
            }
            StatementKind::LetScalar { name, expr } => {
                let value = checker.constant(expr, &params)?;
                self.catalog.set_scalar(&name.name, value);
                Ok(Output::Defined {
                    name: name.name.clone(),
                    what: "value",
                })
            }
            StatementKind::Let { name, query } => {
                refuse_chart(query, "`let` names rows")?;
                if let Some(expr) = self.as_scalar_expr(query) {
                    let value = checker.constant(&expr, &params)?;
                    self.catalog.set_scalar(&name.name, value);
                    return Ok(Output::Defined {
                        name: name.name.clone(),
                        what: "value",
                    });
                }
                let checked = checker.query(query, &params)?;
                let table = NATIVE.execute(&checked.plan)?;
                let doc = doc_comment(source, name.span.start);
                self.catalog.set_relation(
                    &name.name,
                    Relation {
                        table: Arc::new(table),
                        doc,
                    },
                );
                Ok(Output::Defined {
                    name: name.name.clone(),
                    what: "relation",
                })
            }
            StatementKind::Def {
                name,
                params: ps,
                body,
            } => {
                refuse_chart(body, "a `def` gives rows to the query that calls it")?;
                // Check the body now, with parameters of unknown type, so that a
                // misspelt column is reported at the definition, not at each call.
                let mut probe = Params::new();
                for p in ps {
                    probe.insert(p.name.clone(), Scalar::Null);
                }
                let mut seen: Vec<&str> = Vec::new();
                for p in ps {
                    if seen.contains(&p.name.as_str()) {
                        return Err(Error::at(
                            ErrorKind::Invalid(format!(
                                "the parameter `{}` is listed twice",
                                p.name
                            )),
                            p.span,
                        ));
                    }
                    seen.push(&p.name);
                }
                let mut with_self = self.catalog.clone();
                let def = Def {
                    params: ps.clone(),
                    body: body.clone(),
                    source: Arc::clone(source),
                    doc: doc_comment(source, name.span.start),
                };
                with_self.set_def(&name.name, def.clone());
                Checker::probing(&with_self, NATIVE, Arc::clone(source)).query(body, &probe)?;
                self.catalog.set_def(&name.name, def);
                Ok(Output::Defined {
                    name: name.name.clone(),
                    what: "def",
                })
            }
        }
    }

    fn load_statement(&mut self, l: &ast::Load, source: &Arc<Source>) -> Result<Output> {
        let (written, span) = self.path_text(&l.path, source)?;
        let file = self.folders.resolve(&written, span, source, false)?;
        let mut options = LoadOptions::default();
        if let Some(f) = &l.format {
            options.format = Some(FileFormat::parse(&f.name).ok_or_else(|| {
                Error::at(
                    ErrorKind::Invalid(format!("unknown format `{}`", f.name)),
                    f.span,
                )
                .with_help("the formats are csv, json and ndjson")
            })?);
        }
        if let Some((d, dspan)) = &l.delimiter {
            options.delimiter = match d.as_bytes() {
                [b] if b.is_ascii() && *b != b'"' && *b != b'\n' => Some(*b),
                _ => {
                    return Err(Error::at(
                        ErrorKind::Invalid(format!("`{d}` cannot be a delimiter")),
                        *dspan,
                    )
                    .with_help(
                        "a delimiter is one character, such as \",\", \";\", \"|\" or \"\\t\"",
                    ))
                }
            };
        }
        for (column, ty) in &l.types {
            let t = Type::parse(&ty.name).ok_or_else(|| {
                let names = [
                    "int", "integer", "decimal", "bool", "boolean", "date", "text", "string",
                ];
                let e = Error::at(
                    ErrorKind::Invalid(format!("unknown type `{}`", ty.name)),
                    ty.span,
                );
                match closest(&ty.name, names) {
                    Some(c) => e.with_help(format!("did you mean `{c}`?")),
                    None => e.with_help("the types are int, decimal, bool, date and text"),
                }
            })?;
            if options.types.iter().any(|(c, _)| *c == column.name) {
                return Err(Error::at(
                    ErrorKind::Invalid(format!("`{}` is given a type twice", column.name)),
                    column.span,
                ));
            }
            options.types.push((column.name.clone(), t));
        }
        let name = match &l.name {
            Some(n) => n.name.clone(),
            None => relation_name(&file).ok_or_else(|| {
                Error::at(
                    ErrorKind::Invalid(format!("cannot make a relation name from `{written}`")),
                    span,
                )
                .with_help("name it: load \"...\" as NAME")
            })?,
        };
        let opened = self.folders.open_read(&file, &written, span)?;
        let table =
            load::load_opened(opened, &file, &written, &options).map_err(|e| e.with_span(span))?;
        Ok(self.define_loaded(&name, table, format!("loaded from {written}")))
    }

    /// The text of a path written as a string or a `$parameter`.
    fn path_text(&self, path: &Expr, source: &Arc<Source>) -> Result<(String, Span)> {
        let value = Checker::new(&self.catalog, NATIVE, Arc::clone(source))
            .constant(path, &Params::new())?;
        match value {
            Scalar::Text(t) => Ok((t.to_string(), path.span)),
            other => Err(Error::at(
                ErrorKind::Type(format!("a file path is text, not {}", other.ty())),
                path.span,
            )
            .with_help("write the path in double quotes")),
        }
    }

    /// `let x = y` and `let x = round(y)` parse as queries; they define values
    /// when `y` is a value or `round` a function rather than a relation or def.
    fn as_scalar_expr(&self, q: &Query) -> Option<Expr> {
        if !q.clauses.is_empty() {
            return None;
        }
        match &q.source {
            AstSource::Name(id) if self.catalog.scalar(&id.name).is_some() => Some(Expr {
                kind: ExprKind::Name(id.clone()),
                span: id.span,
            }),
            AstSource::Call { name, args, span }
                if self.catalog.def(&name.name).is_none()
                    && funcs::lookup(&name.name).is_some() =>
            {
                Some(Expr {
                    kind: ExprKind::Call {
                        name: name.clone(),
                        args: args.clone(),
                    },
                    span: *span,
                })
            }
            _ => None,
        }
    }
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

/// `chart` only ends a query whose result is shown.
fn refuse_chart(q: &Query, what: &str) -> Result<()> {
    match q.clauses.last() {
        Some(c) if c.kind == ClauseKind::Chart => Err(Error::at(
            ErrorKind::Invalid(format!("{what}; it cannot end with `chart`")),
            c.span,
        )
        .with_help("draw the chart in a query of its own, such as `NAME chart`")),
        _ => Ok(()),
    }
}

/// The `#` comment lines directly above the line where `offset` is.
fn doc_comment(source: &Source, offset: usize) -> Option<String> {
    let before = &source.text[..source.text[..offset].rfind('\n').map_or(0, |i| i + 1)];
    let lines: Vec<&str> = before
        .lines()
        .rev()
        .take_while(|l| l.trim_start().starts_with('#'))
        .map(|l| l.trim_start().trim_start_matches('#').trim())
        .collect();
    if lines.is_empty() {
        return None;
    }
    Some(lines.into_iter().rev().collect::<Vec<_>>().join(" "))
}
