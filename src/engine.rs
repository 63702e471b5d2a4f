//! The embedding API: an [`Engine`] holds the catalog (the fact base, the
//! prelude and whatever statements defined) and runs itq text against it.
//! The command line, the prompt and host programs all go through it.

use crate::check::{Checker, Params};
use crate::error::{Error, ErrorKind, Result};
use crate::exec::{self, funcs};
use crate::source::Source;
use crate::store::{facts, Catalog, Def, Relation, Table};
use crate::syntax::ast::{Expr, ExprKind, Query, Source as AstSource, StatementKind};
use crate::syntax::parse_script;
use crate::value::Scalar;
use std::sync::Arc;

/// The standard library, written in itq and run at start-up.
pub const PRELUDE: &str = include_str!("../stdlib/prelude.itq");

/// What one statement produced.
#[derive(Debug, Clone)]
pub enum Output {
    /// A query's result, to be shown.
    Table(Table),
    /// A `let` or `def` defined a name.
    Defined {
        /// The name.
        name: String,
        /// "relation", "value" or "def".
        what: &'static str,
    },
}

/// An itq engine: a catalog of names and the means to run statements against it.
#[derive(Debug, Clone)]
pub struct Engine {
    catalog: Catalog,
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
            if let Output::Table(t) = out {
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

    /// Runs every statement of `source` in order, handing each output to `emit`.
    /// A syntax error anywhere stops before anything runs; any other error stops
    /// at the failing statement (those before it have run).
    pub fn run(&mut self, source: &Arc<Source>, mut emit: impl FnMut(Output)) -> Result<()> {
        let script = parse_script(&source.text).map_err(|e| e.with_source(source))?;
        for statement in &script.statements {
            let out = self
                .statement(&statement.kind, source)
                .map_err(|e| e.with_span(statement.span).with_source(source))?;
            emit(out);
        }
        Ok(())
    }

    fn statement(&mut self, kind: &StatementKind, source: &Arc<Source>) -> Result<Output> {
        let checker = Checker::new(&self.catalog, Arc::clone(source));
        let params = Params::new();
        match kind {
            StatementKind::Query(q) => {
                let checked = checker.query(q, &params)?;
                Ok(Output::Table(exec::execute(&checked.plan)?))
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
                if let Some(expr) = self.as_scalar_expr(query) {
                    let value = checker.constant(&expr, &params)?;
                    self.catalog.set_scalar(&name.name, value);
                    return Ok(Output::Defined {
                        name: name.name.clone(),
                        what: "value",
                    });
                }
                let checked = checker.query(query, &params)?;
                let table = exec::execute(&checked.plan)?;
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
                Checker::probing(&with_self, Arc::clone(source)).query(body, &probe)?;
                self.catalog.set_def(&name.name, def);
                Ok(Output::Defined {
                    name: name.name.clone(),
                    what: "def",
                })
            }
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
