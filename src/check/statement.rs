//! Statements checked against the catalog: what a `load`, `save`, `let` or
//! `def` asks for, with every option validated and every query planned, so
//! the engine only carries it out.

use super::{Checker, Params};
use crate::error::{closest, Error, ErrorKind, Result};
use crate::load::{FileFormat, LoadOptions};
use crate::plan::{builtins, CheckedQuery};
use crate::source::{Source, Span};
use crate::store::Def;
use crate::syntax::ast::{self, ClauseKind, Expr, ExprKind, Query, StatementKind};
use crate::value::{Scalar, Type};
use std::sync::Arc;

/// A statement ready to run.
#[derive(Debug)]
pub enum CheckedStatement {
    /// Show a query's result (as bars when it ends in `chart`).
    Query {
        /// The query.
        query: CheckedQuery,
        /// Whether it ends in `chart`.
        chart: bool,
        /// Whether it ends in `cite` (or the session cites every result).
        cite: bool,
        /// `why` (`Some(None)`: every row) or `why N` (`Some(Some(N))`, from 1).
        why: Option<Option<u64>>,
    },
    /// `save QUERY to PATH`.
    Save {
        /// The rows to write.
        query: CheckedQuery,
        /// The path as written (a string or a parameter's value).
        path: String,
        /// Where the path was written.
        path_span: Span,
        /// `replace`: an existing file may be replaced.
        replace: bool,
        /// `bom`: a CSV file starts with a UTF-8 byte-order mark.
        bom: bool,
        /// `sheet "NAME"`: the sheet's name in a workbook.
        sheet: Option<String>,
        /// Whether the query ends in `cite`: the file gets a `sources` column.
        cite: bool,
    },
    /// `load PATH [as NAME] ...`.
    Load {
        /// The path as written.
        path: String,
        /// Where the path was written.
        path_span: Span,
        /// The name given with `as` (otherwise one is made from the file name).
        name: Option<String>,
        /// The options, validated.
        options: LoadOptions,
    },
    /// `let NAME = VALUE`: a single value.
    LetValue {
        /// The name.
        name: String,
        /// The value.
        value: Scalar,
    },
    /// `let NAME = QUERY`: a relation.
    LetRelation {
        /// The name.
        name: String,
        /// The rows.
        query: CheckedQuery,
        /// The comment above the `let`.
        doc: Option<String>,
    },
    /// `describe NAME`: the engine lists the columns (see `Engine::describe`).
    Describe {
        /// The relation or def.
        name: String,
        /// Where it was written.
        span: Span,
    },
    /// `attach URL as NAME`.
    Attach {
        /// Where the database is, as written (a string or a parameter's value).
        url: String,
        /// Where the URL was written.
        url_span: Span,
        /// The name its tables are read under.
        name: String,
        /// Where the name was written.
        name_span: Span,
    },
    /// `detach NAME`.
    Detach {
        /// The attached database.
        name: String,
        /// Where it was written.
        span: Span,
    },
    /// `def NAME(PARAMS) = QUERY`.
    Def {
        /// The name.
        name: String,
        /// The definition, its body checked with parameters of unknown type.
        def: Def,
    },
}

impl Checker<'_> {
    /// Checks one statement of `source` (the text the checker was made for).
    pub fn statement(&self, kind: &StatementKind) -> Result<CheckedStatement> {
        let params = Params::new();
        match kind {
            StatementKind::Load(l) => self.load(l),
            StatementKind::Describe(name) => Ok(CheckedStatement::Describe {
                name: name.name.clone(),
                span: name.span,
            }),
            StatementKind::Attach { url, name } => {
                let (url, url_span) = self.path(url)?;
                Ok(CheckedStatement::Attach {
                    url,
                    url_span,
                    name: name.name.clone(),
                    name_span: name.span,
                })
            }
            StatementKind::Detach(name) => Ok(CheckedStatement::Detach {
                name: name.name.clone(),
                span: name.span,
            }),
            StatementKind::Save {
                query,
                path,
                replace,
                bom,
                sheet,
            } => {
                let (path, path_span) = self.path(path)?;
                refuse_marks(
                    query,
                    "`save` writes rows to a file",
                    &[ClauseKind::Chart, ClauseKind::Why(None)],
                )?;
                let cite = query
                    .clauses
                    .iter()
                    .rev()
                    .take_while(|c| super::is_mark(&c.kind))
                    .any(|c| c.kind == ClauseKind::Cite);
                Ok(CheckedStatement::Save {
                    query: self.query(query, &params)?,
                    path,
                    path_span,
                    replace: *replace,
                    bom: *bom,
                    sheet: sheet.as_ref().map(|(s, _)| s.clone()),
                    cite,
                })
            }
            StatementKind::Query(q) => {
                let marks = || {
                    q.clauses
                        .iter()
                        .rev()
                        .take_while(|c| super::is_mark(&c.kind))
                };
                Ok(CheckedStatement::Query {
                    query: self.query(q, &params)?,
                    chart: marks().any(|c| c.kind == ClauseKind::Chart),
                    cite: marks().any(|c| c.kind == ClauseKind::Cite),
                    why: marks().find_map(|c| match c.kind {
                        ClauseKind::Why(n) => Some(n),
                        _ => None,
                    }),
                })
            }
            StatementKind::LetScalar { name, expr } => Ok(CheckedStatement::LetValue {
                name: name.name.clone(),
                value: self.constant(expr, &params)?,
            }),
            StatementKind::Let { name, query } => {
                refuse_marks(query, "`let` names rows", ALL_MARKS)?;
                if let Some(expr) = self.as_scalar_expr(query) {
                    return Ok(CheckedStatement::LetValue {
                        name: name.name.clone(),
                        value: self.constant(&expr, &params)?,
                    });
                }
                Ok(CheckedStatement::LetRelation {
                    name: name.name.clone(),
                    query: self.query(query, &params)?,
                    doc: doc_comment(&self.source, name.span.start),
                })
            }
            StatementKind::Def {
                name,
                params: ps,
                body,
            } => self.def(name, ps, body),
        }
    }

    fn def(&self, name: &ast::Ident, ps: &[ast::Ident], body: &Query) -> Result<CheckedStatement> {
        refuse_marks(
            body,
            "a `def` gives rows to the query that calls it",
            ALL_MARKS,
        )?;
        let mut seen: Vec<&str> = Vec::new();
        for p in ps {
            if seen.contains(&p.name.as_str()) {
                return Err(Error::at(
                    ErrorKind::Invalid(format!("the parameter `{}` is listed twice", p.name)),
                    p.span,
                ));
            }
            seen.push(&p.name);
        }
        let def = Def {
            params: ps.to_vec(),
            body: body.clone(),
            source: Arc::clone(&self.source),
            doc: doc_comment(&self.source, name.span.start),
        };
        // Check the body now, with parameters of unknown type, so that a
        // misspelt column is reported at the definition, not at each call.
        let mut with_self = self.catalog.clone();
        with_self.set_def(&name.name, def.clone());
        let probe: Params = ps.iter().map(|p| (p.name.clone(), Scalar::Null)).collect();
        Checker::probing(&with_self, self.backend, Arc::clone(&self.source)).query(body, &probe)?;
        Ok(CheckedStatement::Def {
            name: name.name.clone(),
            def,
        })
    }

    fn load(&self, l: &ast::Load) -> Result<CheckedStatement> {
        let (path, path_span) = self.path(&l.path)?;
        let mut options = LoadOptions::default();
        if let Some(f) = &l.format {
            options.format = Some(FileFormat::parse(&f.name).ok_or_else(|| {
                Error::at(
                    ErrorKind::Invalid(format!("unknown format `{}`", f.name)),
                    f.span,
                )
                .with_help("the formats are csv, json, ndjson, excel and parquet")
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
        for (column, unit) in &l.units {
            let ty = options
                .types
                .iter()
                .find(|(c, _)| *c == column.name)
                .map(|(_, t)| *t);
            if !ty.is_some_and(Type::is_numeric) {
                return Err(Error::at(
                    ErrorKind::Invalid(format!(
                        "a money unit converts numbers, but `{}` is given the type {}",
                        column.name,
                        ty.map_or("none".to_string(), |t| t.to_string())
                    )),
                    unit.span,
                )
                .with_help(format!("write `{}: decimal {}`", column.name, unit.name)));
            }
            let u = crate::money::unit(&unit.name).ok_or_else(|| {
                Error::at(
                    ErrorKind::Invalid(format!("`{}` is not a money unit itq knows", unit.name)),
                    unit.span,
                )
                .with_help(format!(
                    "the units are {} (a unit with spaces is quoted: \"million yuan\")",
                    crate::money::unit_names().join(", ")
                ))
            })?;
            if u.dollars {
                return Err(Error::at(
                    ErrorKind::Invalid(format!(
                        "`{}` is in dollars, and a load does not know the exchange rate",
                        unit.name
                    )),
                    unit.span,
                )
                .with_help(format!(
                    "load the column as a plain decimal and convert it with the rate: `derive to_billion_yuan({}, \"{}\", 7.1) as ...`",
                    column.name, unit.name
                )));
            }
            options.units.push((column.name.clone(), u));
        }
        let format = options
            .format
            .or_else(|| FileFormat::from_path(std::path::Path::new(&path)));
        crate::load::apply_settings(&mut options, &l.settings, format)?;
        Ok(CheckedStatement::Load {
            path,
            path_span,
            name: l.name.as_ref().map(|n| n.name.clone()),
            options,
        })
    }

    /// The text of a path written as a string or a `$parameter`.
    fn path(&self, path: &Expr) -> Result<(String, Span)> {
        match self.constant(path, &Params::new())? {
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
            ast::Source::Name(id) if self.catalog.scalar(&id.name).is_some() => Some(Expr {
                kind: ExprKind::Name(id.clone()),
                span: id.span,
            }),
            ast::Source::Call { name, args, span }
                if self.catalog.def(&name.name).is_none()
                    && builtins::lookup(&name.name).is_some() =>
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

/// `chart`, `cite` and `why` end a query whose result is shown.
const ALL_MARKS: &[ClauseKind] = &[ClauseKind::Chart, ClauseKind::Cite, ClauseKind::Why(None)];

/// Refuses a query that ends in one of `marks` (compared by kind).
fn refuse_marks(q: &Query, what: &str, marks: &[ClauseKind]) -> Result<()> {
    let same =
        |a: &ClauseKind, b: &ClauseKind| std::mem::discriminant(a) == std::mem::discriminant(b);
    match q
        .clauses
        .iter()
        .find(|c| marks.iter().any(|m| same(m, &c.kind)))
    {
        Some(c) => {
            let word = super::mark_word(&c.kind);
            Err(Error::at(
                ErrorKind::Invalid(format!("{what}; it cannot end with `{word}`")),
                c.span,
            )
            .with_help(format!(
                "use `{word}` in a query of its own, such as `NAME {word}`"
            )))
        }
        None => Ok(()),
    }
}

/// The `#` comment lines directly above the line where `offset` is.
fn doc_comment(source: &Source, offset: usize) -> Option<String> {
    crate::syntax::tokens::doc_comment(&source.text, offset)
}
