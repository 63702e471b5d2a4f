//! AST → plan. Resolves every relation, column, function and parameter name
//! and every type before anything runs, and says in words what is wrong and
//! where, with the closest existing name.

use crate::error::{closest, suggestion, Error, ErrorKind, Result};
use crate::limits::{expression_too_deep, MAX_CLAUSES, MAX_DEF_DEPTH, MAX_EXPR_DEPTH};
use crate::plan::builtins as funcs;
use crate::plan::*;
use crate::source::{Source, Span};
use crate::store::{Catalog, Field};
use crate::syntax::ast::{self, BinaryOp, ClauseKind, Expr, ExprKind, Query, UnaryOp};
use crate::value::{Scalar, Type};
use std::collections::HashMap;
use std::sync::Arc;

mod statement;

pub use statement::CheckedStatement;

/// The clauses that end a query and change how its result is shown, not
/// what it holds: `chart`, `cite`, `why`.
pub fn is_mark(kind: &ClauseKind) -> bool {
    matches!(
        kind,
        ClauseKind::Chart | ClauseKind::Cite | ClauseKind::Why(_)
    )
}

/// The word of a mark clause, for messages.
fn mark_word(kind: &ClauseKind) -> &'static str {
    match kind {
        ClauseKind::Chart => "chart",
        ClauseKind::Cite => "cite",
        _ => "why",
    }
}

/// The first `chart`, `cite` or `why` followed by a clause that is none of them.
fn misplaced_mark(q: &Query) -> Option<&ast::Clause> {
    let tail = q
        .clauses
        .iter()
        .rev()
        .take_while(|c| is_mark(&c.kind))
        .count();
    q.clauses[..q.clauses.len() - tail]
        .iter()
        .find(|c| is_mark(&c.kind))
}

/// Values bound to a def's parameters while its body is checked.
pub type Params = HashMap<String, Scalar>;

/// Checks queries and expressions against a catalog.
pub struct Checker<'a> {
    catalog: &'a Catalog,
    /// Folds constants (`limit 2 * 5`, a def's arguments).
    backend: &'a dyn Backend,
    source: Arc<Source>,
    /// The defs being expanded, outermost first.
    calls: Vec<String>,
    /// Checking a def body at its definition, with parameters not yet known.
    probing: bool,
    /// The nesting depth of the expression being checked.
    expr_depth: std::cell::Cell<usize>,
}

/// What an expression can see: the columns of the table at that point of the query.
struct Scope<'s> {
    fields: &'s [Field],
    /// How to name the table in messages: "`projects`" or "the result of the aggregate".
    label: &'s str,
    params: &'s Params,
    /// Where a `derive` collects the window functions of the item being
    /// checked (each becomes the column after the fields and those before it);
    /// `None` elsewhere, where window functions are not allowed.
    windows: Option<&'s std::cell::RefCell<Vec<PWindow>>>,
}

impl<'a> Checker<'a> {
    /// A checker for text from `source`, folding constants with `backend`.
    pub fn new(catalog: &'a Catalog, backend: &'a dyn Backend, source: Arc<Source>) -> Checker<'a> {
        Checker {
            catalog,
            backend,
            source,
            calls: Vec::new(),
            probing: false,
            expr_depth: std::cell::Cell::new(0),
        }
    }

    /// A checker for a def body at its definition, where parameters are bound to
    /// null: counts such as `limit n` are then accepted and checked at each call.
    pub fn probing(
        catalog: &'a Catalog,
        backend: &'a dyn Backend,
        source: Arc<Source>,
    ) -> Checker<'a> {
        Checker {
            probing: true,
            ..Checker::new(catalog, backend, source)
        }
    }

    /// Checks a query.
    pub fn query(&self, q: &Query, params: &Params) -> Result<CheckedQuery> {
        if let Some(extra) = q.clauses.get(MAX_CLAUSES) {
            return Err(Error::at(
                ErrorKind::Invalid(format!("a query may have at most {MAX_CLAUSES} clauses")),
                extra.span,
            )
            .with_help("split it into named steps with `let`"));
        }
        let (mut plan, mut fields, mut label) = self.source(&q.source, params)?;
        if let Some(mark) = misplaced_mark(q) {
            let word = mark_word(&mark.kind);
            return Err(Error::at(
                ErrorKind::Invalid(format!("`{word}` must be the last clause of a query")),
                mark.span,
            )
            .with_help(format!(
                "move `{word}` to the end, as in `events sum value by province {word}`"
            )));
        }
        for clause in &q.clauses {
            (plan, fields) = self
                .clause(&clause.kind, plan, &fields, &label, params)
                .map_err(|e| e.with_span(clause.span))?;
            label = match &clause.kind {
                ClauseKind::Where(_)
                | ClauseKind::Sort(_)
                | ClauseKind::Limit(_)
                | ClauseKind::Top { .. } => label,
                ClauseKind::Select(_) => "the result of `select`".into(),
                ClauseKind::Derive { .. } => label,
                ClauseKind::Aggregate { .. } => "the result of the aggregate".into(),
                ClauseKind::Join { .. } => "the result of the join".into(),
                ClauseKind::Distinct(_) => "the result of `distinct`".into(),
                ClauseKind::Chart | ClauseKind::Cite | ClauseKind::Why(_) => label,
                ClauseKind::Append(_) => "the result of `append`".into(),
                ClauseKind::Union(_) => "the result of `union`".into(),
                ClauseKind::Pivot { .. } => "the result of `pivot`".into(),
                ClauseKind::Unpivot { .. } => "the result of `unpivot`".into(),
            };
        }
        Ok(CheckedQuery { plan, fields })
    }

    /// Checks a constant expression (no columns in scope) and computes its value.
    pub fn constant(&self, e: &Expr, params: &Params) -> Result<Scalar> {
        let scope = Scope {
            fields: &[],
            label: "a constant",
            params,
            windows: None,
        };
        let p = self.expr(e, &scope)?;
        self.backend
            .constant(&p)
            .map_err(|err| err.with_span(e.span))
    }

    /// `wh.projects`: a table of the database attached as `wh`.
    fn attached(
        &self,
        name: &str,
        database: &str,
        table: &str,
        span: Span,
    ) -> Result<(Plan, Vec<Field>, String)> {
        let Some(db) = self.catalog.database(database) else {
            let names: Vec<&str> = self.catalog.databases().map(|(n, _)| n).collect();
            let help = if names.is_empty() {
                format!("no database is attached; attach one first: attach \"postgres://user@host/db\" as {database}")
            } else {
                suggestion(database, "attached databases", names.iter().copied())
            };
            return Err(
                Error::at(ErrorKind::UnknownRelation(name.to_string()), span).with_help(help),
            );
        };
        let Some(t) = db.tables.get(table) else {
            let full: Vec<String> = db
                .tables
                .keys()
                .map(|t| format!("{database}.{t}"))
                .collect();
            let help = suggestion(
                name,
                &format!("tables of `{database}`"),
                full.iter().map(String::as_str),
            );
            return Err(
                Error::at(ErrorKind::UnknownRelation(name.to_string()), span).with_help(help),
            );
        };
        let scan = Scan {
            name: name.to_string(),
            location: Location::Attached {
                database: database.to_string(),
                table: table.to_string(),
                fields: t.fields.clone(),
            },
        };
        Ok((Plan::Scan(scan), t.fields.clone(), format!("`{name}`")))
    }

    fn source(&self, s: &ast::Source, params: &Params) -> Result<(Plan, Vec<Field>, String)> {
        match s {
            ast::Source::Query(q) => {
                if let Some(mark) = q.clauses.iter().find(|c| is_mark(&c.kind)) {
                    let word = mark_word(&mark.kind);
                    return Err(Error::at(
                        ErrorKind::Invalid(format!(
                            "`{word}` ends the whole query, not a parenthesised part of it"
                        )),
                        mark.span,
                    )
                    .with_help(format!("move `{word}` to the end of the outer query")));
                }
                let c = self.query(q, params)?;
                Ok((c.plan, c.fields, "the parenthesised query".into()))
            }
            ast::Source::Name(id) => {
                if let Some(rel) = self.catalog.relation(&id.name) {
                    let table = Arc::clone(&rel.table);
                    let fields = table.fields().to_vec();
                    let scan = Scan {
                        name: id.name.clone(),
                        location: Location::Memory(table),
                    };
                    return Ok((Plan::Scan(scan), fields, format!("`{}`", id.name)));
                }
                if let Some((database, table)) = id.name.split_once('.') {
                    return self.attached(&id.name, database, table, id.span);
                }
                if self.catalog.def(&id.name).is_some() {
                    return self.call(&id.name, &[], id.span, params);
                }
                if self.catalog.scalar(&id.name).is_some() || params.contains_key(&id.name) {
                    return Err(Error::at(
                        ErrorKind::Type(format!("`{}` is a single value, not a relation", id.name)),
                        id.span,
                    )
                    .with_help(
                        "a query starts with a relation; use the value inside `where` or `select`",
                    ));
                }
                let help = crate::syntax::habits::bare_word_hint(&id.name)
                    .map(str::to_string)
                    .unwrap_or_else(|| {
                        suggestion(&id.name, "relations", self.catalog.source_names())
                    });
                Err(Error::at(ErrorKind::UnknownRelation(id.name.clone()), id.span).with_help(help))
            }
            ast::Source::Call { name, args, span } => {
                if self.catalog.def(&name.name).is_none() {
                    let err = if self.catalog.relation(&name.name).is_some() {
                        Error::at(
                            ErrorKind::Type(format!(
                                "`{}` is a relation, not a def; it takes no arguments",
                                name.name
                            )),
                            *span,
                        )
                    } else {
                        let defs: Vec<&str> = self.catalog.defs().map(|(n, _)| n).collect();
                        Error::at(ErrorKind::UnknownRelation(name.name.clone()), name.span)
                            .with_help(suggestion(&name.name, "defs", defs))
                    };
                    return Err(err);
                }
                self.call(&name.name, args, *span, params)
            }
        }
    }

    /// Checks a def's body with its parameters bound to the (constant) arguments.
    fn call(
        &self,
        name: &str,
        args: &[Expr],
        span: Span,
        params: &Params,
    ) -> Result<(Plan, Vec<Field>, String)> {
        let def = self
            .catalog
            .def(name)
            .expect("caller checked the def exists");
        if args.len() != def.params.len() {
            let list: Vec<&str> = def.params.iter().map(|p| p.name.as_str()).collect();
            return Err(Error::at(
                ErrorKind::Invalid(format!(
                    "`{name}` takes {} argument{} ({}), but {} {} given",
                    list.len(),
                    if list.len() == 1 { "" } else { "s" },
                    list.join(", "),
                    args.len(),
                    if args.len() == 1 { "was" } else { "were" }
                )),
                span,
            ));
        }
        if self.calls.len() >= MAX_DEF_DEPTH {
            // No location here: the outermost call, in the statement being
            // checked, is where the error points (see below).
            let chain = |names: &[String]| {
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(" → ")
            };
            let message = match self.calls.iter().rposition(|c| c == name) {
                Some(i) => format!(
                    "`{name}` calls itself ({} → `{name}`)",
                    chain(&self.calls[i..])
                ),
                None => format!(
                    "defs nest more than {MAX_DEF_DEPTH} deep ({} → … → `{name}`)",
                    chain(&self.calls[..3])
                ),
            };
            return Err(Error::new(ErrorKind::Invalid(message)).with_help(
                "a def may call others, but not itself, and not more than 32 in a chain",
            ));
        }
        let mut bound = Params::new();
        for (p, a) in def.params.iter().zip(args) {
            bound.insert(p.name.clone(), self.constant(a, params)?);
        }
        let inner = Checker {
            catalog: self.catalog,
            backend: self.backend,
            source: Arc::clone(&def.source),
            calls: self
                .calls
                .iter()
                .cloned()
                .chain([name.to_string()])
                .collect(),
            probing: self.probing,
            expr_depth: std::cell::Cell::new(0),
        };
        let checked = inner.query(&def.body, &bound).map_err(|e| {
            if e.span().is_some() {
                e.with_source(&def.source)
            } else if self.calls.is_empty() {
                e.with_span(span).with_source(&self.source)
            } else {
                e
            }
        })?;
        Ok((
            checked.plan,
            checked.fields,
            format!("the result of `{name}`"),
        ))
    }

    fn clause(
        &self,
        clause: &ClauseKind,
        input: Plan,
        fields: &[Field],
        label: &str,
        params: &Params,
    ) -> Result<(Plan, Vec<Field>)> {
        let scope = Scope {
            fields,
            label,
            params,
            windows: None,
        };
        let input = Box::new(input);
        match clause {
            ClauseKind::Where(e) => {
                let predicate = self.expr(e, &scope)?;
                expect_bool(&predicate, e, "`where`")?;
                Ok((Plan::Filter { input, predicate }, fields.to_vec()))
            }
            ClauseKind::Select(items) => {
                let mut columns = Vec::new();
                for item in items {
                    let p = self.expr(&item.expr, &scope)?;
                    let name = item
                        .alias
                        .as_ref()
                        .map_or_else(|| self.default_name(&item.expr), |a| a.name.clone());
                    columns.push((
                        name,
                        p,
                        item.alias.as_ref().map_or(item.expr.span, |a| a.span),
                    ));
                }
                let fields = unique_fields(&columns)?;
                let columns = columns.into_iter().map(|(n, p, _)| (n, p)).collect();
                Ok((Plan::Project { input, columns }, fields))
            }
            ClauseKind::Derive { items, per, along } => {
                // Each item sees the columns derived before it; its window
                // functions run in a window step just before it.
                let mut plan = *input;
                let mut fields = fields.to_vec();
                let mut any_window = false;
                for item in items {
                    let alias = item
                        .alias
                        .as_ref()
                        .expect("the grammar requires `as` in derive");
                    let windows = std::cell::RefCell::new(Vec::new());
                    let scope = Scope {
                        fields: &fields,
                        label,
                        params,
                        windows: Some(&windows),
                    };
                    let p = self.expr(&item.expr, &scope)?;
                    let windows = windows.into_inner();
                    if !windows.is_empty() {
                        any_window = true;
                        let scope = Scope {
                            fields: &fields,
                            label,
                            params,
                            windows: None,
                        };
                        let (per, along) = self.window_keys(per, along, &scope)?;
                        if along.is_empty() {
                            if let Some(w) = windows.iter().find(|w| w.func.needs_order()) {
                                let name = window_name(w.func);
                                return Err(Error::at(
                                    ErrorKind::Invalid(format!(
                                        "`{name}()` ranks rows along an order, and this `derive` gives none"
                                    )),
                                    item.expr.span,
                                )
                                .with_help(format!(
                                    "add `along` and the ranking column, as in `derive {name}() as r per province along investment desc`"
                                )));
                            }
                        }
                        plan = Plan::Window {
                            input: Box::new(plan),
                            per,
                            along,
                            funcs: windows,
                        };
                    }
                    let ty = p.ty;
                    let mut columns: Vec<(String, PExpr)> = fields
                        .iter()
                        .enumerate()
                        .map(|(i, f)| {
                            (
                                f.name.clone(),
                                PExpr {
                                    kind: PExprKind::Column(i),
                                    ty: f.ty,
                                },
                            )
                        })
                        .collect();
                    match fields.iter().position(|f| f.name == alias.name) {
                        Some(i) => {
                            columns[i].1 = p;
                            fields[i].ty = ty;
                        }
                        None => {
                            columns.push((alias.name.clone(), p));
                            fields.push(Field {
                                name: alias.name.clone(),
                                ty,
                            });
                        }
                    }
                    plan = Plan::Project {
                        input: Box::new(plan),
                        columns,
                    };
                }
                if !any_window && (!per.is_empty() || !along.is_empty()) {
                    let word = if per.is_empty() { "along" } else { "per" };
                    return Err(Error::new(ErrorKind::Invalid(format!(
                        "`{word}` gives the window of window functions, and this `derive` has none"
                    )))
                    .with_help(
                        "use a window function such as `rank()`, `lag(x)`, `share(x)` or `running_sum(x)`, as in `derive share(investment) as part per region`; to aggregate per group, write `sum investment by region`",
                    ));
                }
                Ok((plan, fields))
            }
            ClauseKind::Aggregate { items, by } => {
                let (keys, mut named) = self.group_keys(by, &scope)?;
                let mut aggs = Vec::new();
                for item in items {
                    let agg = self.aggregate(item, &scope)?;
                    named.push((
                        agg.name.clone(),
                        PExpr::literal(Scalar::Null).with_ty(agg.ty),
                        item.span,
                    ));
                    aggs.push(agg);
                }
                let fields = unique_fields(&named)?;
                Ok((Plan::Aggregate { input, keys, aggs }, fields))
            }
            ClauseKind::Sort(keys) => {
                let keys = keys
                    .iter()
                    .map(|k| {
                        Ok(PSortKey {
                            expr: self.expr(&k.expr, &scope)?,
                            descending: k.descending,
                        })
                    })
                    .collect::<Result<_>>()?;
                Ok((Plan::Sort { input, keys }, fields.to_vec()))
            }
            ClauseKind::Limit(n) => {
                let n = self.count_arg(n, params, "limit")?;
                Ok((Plan::Limit { input, n }, fields.to_vec()))
            }
            ClauseKind::Top {
                n,
                by,
                descending,
                per,
            } => {
                let n = self.count_arg(n, params, "top")?;
                let key = PSortKey {
                    expr: self.expr(by, &scope)?,
                    descending: *descending,
                };
                let (per, _) = self.window_keys(per, &[], &scope)?;
                Ok((Plan::Top { input, n, key, per }, fields.to_vec()))
            }
            ClauseKind::Join { left, source, keys } => {
                let (right, right_fields, _) = self.source(source, params)?;
                let right_label = source_label(source);
                let right_scope_label = format!("`{right_label}`");
                let right_scope = Scope {
                    fields: &right_fields,
                    label: &right_scope_label,
                    params,
                    windows: None,
                };
                let (mut left_keys, mut right_keys, mut shared) =
                    (Vec::new(), Vec::new(), Vec::new());
                // A computed left key (`on province(省份) = name`) becomes a
                // hidden column added to the left side and dropped after the join.
                let mut hidden: Vec<(String, PExpr)> = Vec::new();
                let mut note = JoinNote {
                    right: right_label.clone(),
                    ..JoinNote::default()
                };
                let mut left_types = Vec::new();
                for k in keys {
                    let l = match &k.computed {
                        Some(call) => {
                            let e = self.expr(call, &scope)?;
                            if let ExprKind::Call { name, args } = &call.kind {
                                note.province |= name.name.eq_ignore_ascii_case("province");
                                if let Some(ast::Expr {
                                    kind: ExprKind::Name(id),
                                    ..
                                }) = args.first()
                                {
                                    note.shown = self.column(id, &scope).ok();
                                }
                            }
                            left_types.push(e.ty);
                            hidden.push((format!("\u{0}join key {}", hidden.len()), e));
                            fields.len() + hidden.len() - 1
                        }
                        None => {
                            let l = self.column(&k.left, &scope)?;
                            left_types.push(fields[l].ty);
                            l
                        }
                    };
                    let r = self.column(&k.right, &right_scope)?;
                    let (lt, rt) = (
                        *left_types.last().expect("pushed above"),
                        right_fields[r].ty,
                    );
                    if lt != rt && lt != Type::Null && rt != Type::Null {
                        return Err(Error::at(
                            ErrorKind::Type(format!(
                                "join keys must have one type, but `{}` is {lt} and `{}` is {rt}",
                                k.left.name, k.right.name
                            )),
                            k.left.span.to(k.right.span),
                        ));
                    }
                    left_keys.push(l);
                    right_keys.push(r);
                    if k.shared {
                        shared.push(r);
                    }
                }
                let names = |f: &dyn Fn(&ast::JoinKey) -> &str| {
                    keys.iter().map(f).collect::<Vec<_>>().join(", ")
                };
                note.left = names(&|k| k.left.name.as_str());
                note.right_keys = names(&|k| k.right.name.as_str());
                let input = if hidden.is_empty() {
                    input
                } else {
                    let mut columns: Vec<(String, PExpr)> = fields
                        .iter()
                        .enumerate()
                        .map(|(i, f)| {
                            (
                                f.name.clone(),
                                PExpr {
                                    kind: PExprKind::Column(i),
                                    ty: f.ty,
                                },
                            )
                        })
                        .collect();
                    columns.extend(hidden.iter().cloned());
                    Box::new(Plan::Project { input, columns })
                };
                // The documented rule: left columns keep their names; a right column
                // whose name is taken becomes `<right>_<name>` (then `_2`, `_3`, ...).
                let mut out = fields.to_vec();
                let mut right_columns = Vec::new();
                for (i, f) in right_fields.iter().enumerate() {
                    if shared.contains(&i) {
                        continue;
                    }
                    let mut name = f.name.clone();
                    if out.iter().any(|o| o.name == name) {
                        name = format!("{right_label}_{}", f.name);
                        let base = name.clone();
                        let mut n = 2;
                        while out.iter().any(|o| o.name == name) {
                            name = format!("{base}_{n}");
                            n += 1;
                        }
                    }
                    out.push(Field {
                        name: name.clone(),
                        ty: f.ty,
                    });
                    right_columns.push((i, name));
                }
                let join = Plan::Join {
                    left: input,
                    right: Box::new(right),
                    left_keys,
                    right_keys,
                    keep_unmatched: *left,
                    right_columns,
                    note,
                };
                if hidden.is_empty() {
                    return Ok((join, out));
                }
                // Drop the hidden key columns, which sit after the left ones.
                let (width, h) = (fields.len(), hidden.len());
                let columns = out
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        let at = if i < width { i } else { i + h };
                        (
                            f.name.clone(),
                            PExpr {
                                kind: PExprKind::Column(at),
                                ty: f.ty,
                            },
                        )
                    })
                    .collect();
                Ok((
                    Plan::Project {
                        input: Box::new(join),
                        columns,
                    },
                    out,
                ))
            }
            ClauseKind::Distinct(cols) => {
                let columns: Vec<usize> = if cols.is_empty() {
                    (0..fields.len()).collect()
                } else {
                    cols.iter()
                        .map(|c| self.column(c, &scope))
                        .collect::<Result<_>>()?
                };
                let mut seen = Vec::new();
                for (c, id) in columns.iter().zip(cols) {
                    if seen.contains(c) {
                        return Err(Error::at(
                            ErrorKind::Invalid(format!("`{}` is listed twice", id.name)),
                            id.span,
                        ));
                    }
                    seen.push(*c);
                }
                let out = columns.iter().map(|&i| fields[i].clone()).collect();
                Ok((Plan::Distinct { input, columns }, out))
            }
            ClauseKind::Append(source) => {
                self.append(input, fields, label, source, params, "append")
            }
            ClauseKind::Union(source) => {
                let (appended, out) = self.append(input, fields, label, source, params, "union")?;
                let columns = (0..out.len()).collect();
                Ok((
                    Plan::Distinct {
                        input: Box::new(appended),
                        columns,
                    },
                    out,
                ))
            }
            ClauseKind::Pivot {
                column,
                values,
                agg,
                by,
            } => self.pivot(input, column, values, agg, by, &scope),
            ClauseKind::Unpivot {
                columns,
                name,
                value,
            } => self.unpivot(input, columns, name, value, &scope),
            ClauseKind::Chart => {
                if !fields.iter().any(|f| f.ty.is_numeric()) {
                    let names: Vec<String> = fields
                        .iter()
                        .map(|f| format!("{} ({})", f.name, f.ty))
                        .collect();
                    return Err(Error::new(ErrorKind::Type(format!(
                        "`chart` draws bars from a numeric column, but {label} has none: {}",
                        names.join(", ")
                    )))
                    .with_help("aggregate first, as in `events sum value by province chart`"));
                }
                Ok((*input, fields.to_vec()))
            }
            ClauseKind::Cite | ClauseKind::Why(_) => Ok((*input, fields.to_vec())),
        }
    }

    /// The keys of a `by`, named, with the spans of their text.
    #[allow(clippy::type_complexity)]
    fn group_keys(
        &self,
        by: &[ast::Item],
        scope: &Scope,
    ) -> Result<(Vec<(String, PExpr)>, Vec<(String, PExpr, Span)>)> {
        let mut keys = Vec::new();
        let mut named = Vec::new();
        for k in by {
            let p = self.expr(&k.expr, scope)?;
            let name = k
                .alias
                .as_ref()
                .map_or_else(|| self.default_name(&k.expr), |a| a.name.clone());
            named.push((name.clone(), p.clone(), k.expr.span));
            keys.push((name, p));
        }
        Ok((keys, named))
    }

    /// `append SOURCE`: the same columns by name, in any order, of types
    /// that meet (an integer column and a decimal one give a decimal one).
    fn append(
        &self,
        input: Box<Plan>,
        fields: &[Field],
        label: &str,
        source: &ast::Source,
        params: &Params,
        word: &str,
    ) -> Result<(Plan, Vec<Field>)> {
        let (right, right_fields, _) = self.source(source, params)?;
        let right_label = format!("`{}`", source_label(source));
        let names = |fs: Vec<&Field>| {
            fs.iter()
                .map(|f| format!("`{}`", f.name))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let missing: Vec<&Field> = fields
            .iter()
            .filter(|f| !right_fields.iter().any(|r| r.name == f.name))
            .collect();
        let extra: Vec<&Field> = right_fields
            .iter()
            .filter(|r| !fields.iter().any(|f| f.name == r.name))
            .collect();
        if !missing.is_empty() || !extra.is_empty() {
            let mut parts = Vec::new();
            if !missing.is_empty() {
                parts.push(format!("{right_label} has no {}", names(missing)));
            }
            if !extra.is_empty() {
                parts.push(format!("{label} has no {}", names(extra)));
            }
            return Err(Error::at(
                ErrorKind::Invalid(format!(
                    "`{word}` needs the same columns on both sides, but {}",
                    parts.join(", and ")
                )),
                source.span(),
            )
            .with_help(
                "select the same columns on both sides (the order does not matter), renaming with `as`",
            ));
        }
        let mut right_columns = Vec::new();
        let mut out = Vec::new();
        for f in fields {
            let r = right_fields
                .iter()
                .position(|r| r.name == f.name)
                .expect("every column was found above");
            let Some(ty) = unify(f.ty, right_fields[r].ty) else {
                return Err(Error::at(
                    ErrorKind::Type(format!(
                        "`{word}` cannot put `{}` of {right_label} ({}) under `{}` of {label} ({})",
                        f.name, right_fields[r].ty, f.name, f.ty
                    )),
                    source.span(),
                )
                .with_help(
                    "give the column one type on both sides, or leave it out with `select`",
                ));
            };
            right_columns.push(r);
            out.push(Field {
                name: f.name.clone(),
                ty,
            });
        }
        let types = out.iter().map(|f| f.ty).collect();
        Ok((
            Plan::Append {
                left: input,
                right: Box::new(right),
                right_columns,
                types,
            },
            out,
        ))
    }

    /// `pivot COL in (V, ...) AGG [by KEY, ...]`: an aggregate step whose
    /// aggregates each read only the rows where COL = V (SQL's conditional
    /// aggregation: `AGG(CASE WHEN COL = V THEN x END)`).
    fn pivot(
        &self,
        input: Box<Plan>,
        column: &ast::Ident,
        values: &[Expr],
        agg: &ast::AggItem,
        by: &[ast::Item],
        scope: &Scope,
    ) -> Result<(Plan, Vec<Field>)> {
        let (keys, mut named) = self.group_keys(by, scope)?;
        let base = self.aggregate(agg, scope)?;
        let col_expr = Expr {
            kind: ExprKind::Name(column.clone()),
            span: column.span,
        };
        let col = self.expr(&col_expr, scope)?;
        let mut aggs = Vec::new();
        for v in values {
            let value = self.constant(v, scope.params).map_err(|err| {
                // A bare word is most often a text value without its quotes.
                match (&v.kind, col.ty) {
                    (ExprKind::Name(_), Type::Text) => {
                        err.with_help(quoted_pivot_values(&column.name, values))
                    }
                    _ => err,
                }
            })?;
            if value.is_null() {
                return Err(Error::at(
                    ErrorKind::Invalid("a `pivot` value cannot be null".into()),
                    v.span,
                )
                .with_help(format!(
                    "list values of `{}`; rows where it is null are in no column",
                    column.name
                )));
            }
            let cond = self.binary(
                BinaryOp::Eq,
                col.clone(),
                PExpr::literal(value.clone()),
                &col_expr,
                v,
                v.span,
            )?;
            let when = |e: PExpr| PExpr {
                ty: e.ty,
                kind: PExprKind::When(Box::new(cond.clone()), Box::new(e)),
            };
            let value_name = value.to_string();
            let name = match &agg.alias {
                Some(a) => format!("{}_{value_name}", a.name),
                None => value_name,
            };
            let arg = Some(when(
                base.arg
                    .clone()
                    .unwrap_or_else(|| PExpr::literal(Scalar::Int(1))),
            ));
            let arg2 = match base.func {
                AggFn::Corr | AggFn::Covar => base.arg2.clone().map(when),
                _ => base.arg2.clone(),
            };
            named.push((
                name.clone(),
                PExpr::literal(Scalar::Null).with_ty(base.ty),
                v.span,
            ));
            aggs.push(PAgg {
                name,
                arg,
                arg2,
                ..base.clone()
            });
        }
        let fields = unique_fields(&named)?;
        Ok((Plan::Aggregate { input, keys, aggs }, fields))
    }

    /// `unpivot COL, ... into NAME, VALUE`.
    fn unpivot(
        &self,
        input: Box<Plan>,
        columns: &[ast::Ident],
        name: &ast::Ident,
        value: &ast::Ident,
        scope: &Scope,
    ) -> Result<(Plan, Vec<Field>)> {
        let mut listed: Vec<(String, usize)> = Vec::new();
        let mut ty = Type::Null;
        for c in columns {
            let i = self.column(c, scope)?;
            if listed.iter().any(|(_, j)| *j == i) {
                return Err(Error::at(
                    ErrorKind::Invalid(format!("`{}` is listed twice", c.name)),
                    c.span,
                ));
            }
            let f = &scope.fields[i];
            ty = unify(ty, f.ty).ok_or_else(|| {
                let first = &listed[0].0;
                Error::at(
                    ErrorKind::Type(format!(
                        "`unpivot` puts the columns' values in one column, but `{first}` is {ty} and `{}` is {}",
                        f.name, f.ty
                    )),
                    c.span,
                )
                .with_help("unpivot columns of one type, or compute one type first with `derive`")
            })?;
            listed.push((f.name.clone(), i));
        }
        let keep: Vec<usize> = (0..scope.fields.len())
            .filter(|i| !listed.iter().any(|(_, j)| j == i))
            .collect();
        let mut named: Vec<(String, PExpr, Span)> = keep
            .iter()
            .map(|&i| {
                let f = &scope.fields[i];
                (
                    f.name.clone(),
                    PExpr::literal(Scalar::Null).with_ty(f.ty),
                    columns[0].span,
                )
            })
            .collect();
        named.push((
            name.name.clone(),
            PExpr::literal(Scalar::Null).with_ty(Type::Text),
            name.span,
        ));
        named.push((
            value.name.clone(),
            PExpr::literal(Scalar::Null).with_ty(ty),
            value.span,
        ));
        let fields = unique_fields(&named)?;
        Ok((
            Plan::Unpivot {
                input,
                keep,
                columns: listed,
                names: (name.name.clone(), value.name.clone()),
                ty,
            },
            fields,
        ))
    }

    /// `x [not] in (QUERY)`: the query must give one column, of a type x
    /// compares with.
    fn in_query(
        &self,
        x: PExpr,
        expr: &Expr,
        query: &Query,
        negated: bool,
        params: &Params,
    ) -> Result<PExpr> {
        let sub = self.query(query, params)?;
        let [field] = sub.fields.as_slice() else {
            let names: Vec<String> = sub.fields.iter().map(|f| format!("`{}`", f.name)).collect();
            return Err(Error::at(
                ErrorKind::Invalid(format!(
                    "`in (...)` needs a query of one column, but this one gives {}: {}",
                    sub.fields.len(),
                    names.join(", ")
                )),
                query.span,
            )
            .with_help("end the query with `select` and the one column to look in"));
        };
        let Some(ty) = unify(x.ty, field.ty) else {
            return Err(Error::at(
                ErrorKind::Type(format!(
                    "cannot look for {} among the values of `{}` ({})",
                    describe(&x, expr, self),
                    field.name,
                    field.ty
                )),
                query.span,
            )
            .with_help("look in a column of the same type"));
        };
        let mut plan = sub.plan;
        if ty == Type::Decimal && field.ty == Type::Int {
            let column = PExpr {
                kind: PExprKind::Column(0),
                ty: Type::Int,
            };
            plan = Plan::Project {
                input: Box::new(plan),
                columns: vec![(field.name.clone(), widen(column, ty))],
            };
        }
        Ok(PExpr {
            ty: Type::Bool,
            kind: PExprKind::InQuery(Box::new(widen(x, ty)), SubQuery(Arc::new(plan)), negated),
        })
    }

    /// A stored relation of one column and at most one row, used as a value.
    fn relation_value(&self, id: &ast::Ident) -> Option<Result<PExpr>> {
        let rel = self.catalog.relation(&id.name)?;
        let table = Arc::clone(&rel.table);
        let fields = table.fields();
        if fields.len() != 1 || table.num_rows() > 1 {
            return Some(Err(Error::at(
                ErrorKind::Type(format!(
                    "`{}` is a relation of {} row{} and {} column{}, not a single value",
                    id.name,
                    table.num_rows(),
                    if table.num_rows() == 1 { "" } else { "s" },
                    fields.len(),
                    if fields.len() == 1 { "" } else { "s" },
                )),
                id.span,
            )
            .with_help(
                "a relation is a value when it has one row and one column, as `let total = events sum value`; or test membership with `x in (QUERY)`",
            )));
        }
        let ty = fields[0].ty;
        let scan = Plan::Scan(Scan {
            name: id.name.clone(),
            location: Location::Memory(table),
        });
        Some(Ok(PExpr {
            ty,
            kind: PExprKind::ScalarQuery(SubQuery(Arc::new(scan))),
        }))
    }

    fn count_arg(&self, e: &Expr, params: &Params, clause: &str) -> Result<usize> {
        let v = self.constant(e, params)?;
        if self.probing && v.is_null() {
            return Ok(0);
        }
        let bad = |what: String| {
            Error::at(
                ErrorKind::Invalid(format!(
                    "`{clause}` needs a whole number of rows, 0 or more, but {what}"
                )),
                e.span,
            )
        };
        match v {
            Scalar::Int(n) if n >= 0 => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
            Scalar::Int(n) => Err(bad(format!("got {n}"))),
            Scalar::Decimal(d) => Err(bad(format!(
                "got the decimal {}",
                crate::value::format_decimal(d)
            ))),
            other => Err(bad(format!("got {} `{other}`", other.ty()))),
        }
    }

    /// The `per` and `along` keys of a window, checked in `scope`.
    fn window_keys(
        &self,
        per: &[Expr],
        along: &[ast::SortKey],
        scope: &Scope,
    ) -> Result<(Vec<PExpr>, Vec<PSortKey>)> {
        let per = per
            .iter()
            .map(|e| self.expr(e, scope))
            .collect::<Result<_>>()?;
        let along = along
            .iter()
            .map(|k| {
                Ok(PSortKey {
                    expr: self.expr(&k.expr, scope)?,
                    descending: k.descending,
                })
            })
            .collect::<Result<_>>()?;
        Ok((per, along))
    }

    /// A call of a window function in a `derive` item: checked, added to the
    /// window step, and read back as the column it will be.
    fn window_call(
        &self,
        info: &funcs::WindowInfo,
        args: &[Expr],
        e: &Expr,
        scope: &Scope,
    ) -> Result<PExpr> {
        let name = info.name;
        let Some(windows) = scope.windows else {
            return Err(Error::at(
                ErrorKind::Invalid(format!(
                    "`{name}` is a window function: it computes over rows, so it goes in `derive`"
                )),
                e.span,
            )
            .with_help(format!(
                "derive it first, then use the new column, as in `derive {name}({}) as w ...` and then `where w ...`",
                if info.func.needs_order() || args.is_empty() { "" } else { "x" }
            )));
        };
        let wrong = |msg: String| Err(Error::at(ErrorKind::Type(msg), e.span));
        let takes_arg = !matches!(
            info.func,
            WindowFn::RowNumber | WindowFn::Rank | WindowFn::DenseRank
        );
        let max_args = match info.func {
            WindowFn::Lag | WindowFn::Lead => 2,
            _ if takes_arg => 1,
            _ => 0,
        };
        if args.len() > max_args || (takes_arg && args.is_empty()) {
            return wrong(format!(
                "`{name}` takes {} argument{}, not {}: {}",
                match (takes_arg, max_args) {
                    (false, _) => "no".to_string(),
                    (true, 2) => "1 or 2".to_string(),
                    _ => "1".to_string(),
                },
                if max_args == 1 { "" } else { "s" },
                args.len(),
                info.signature
            ));
        }
        let arg = args.first().map(|a| self.expr(a, scope)).transpose()?;
        let offset = match args.get(1) {
            None => 1,
            Some(n) => self.count_arg(n, scope.params, name)?,
        };
        let arg_ty = arg.as_ref().map_or(Type::Int, |a| a.ty);
        let numeric = matches!(
            info.func,
            WindowFn::Change | WindowFn::PercentChange | WindowFn::RunningSum | WindowFn::Share
        );
        if numeric && !arg_ty.is_numeric() {
            return wrong(format!(
                "`{name}` needs numbers, but `{}` is {arg_ty}: {}",
                self.source.slice(args[0].span),
                info.signature
            ));
        }
        let ty = match info.func {
            WindowFn::RowNumber | WindowFn::Rank | WindowFn::DenseRank => Type::Int,
            WindowFn::PercentChange | WindowFn::Share => Type::Decimal,
            WindowFn::Change | WindowFn::RunningSum if arg_ty == Type::Null => Type::Int,
            _ => arg_ty,
        };
        let mut windows = windows.borrow_mut();
        windows.push(PWindow {
            func: info.func,
            arg,
            offset,
            ty,
        });
        Ok(PExpr {
            kind: PExprKind::Column(scope.fields.len() + windows.len() - 1),
            ty,
        })
    }

    fn aggregate(&self, item: &ast::AggItem, scope: &Scope) -> Result<PAgg> {
        let arg = item.arg.as_ref().map(|a| self.expr(a, scope)).transpose()?;
        let fname = item.func.name();
        let mut default_name = match (&item.arg, item.distinct) {
            (None, _) => fname.to_string(),
            (Some(a), false) => format!("{fname}_{}", self.default_name(a)),
            (Some(a), true) => format!("{fname}_distinct_{}", self.default_name(a)),
        };
        if let Some(a2) = &item.arg2 {
            default_name = format!("{default_name}_{}", self.default_name(a2));
        }
        let name = item.alias.as_ref().map_or(default_name, |a| a.name.clone());
        if item.distinct && !matches!(item.func, AggFn::Count | AggFn::List) {
            return Err(Error::at(
                ErrorKind::Invalid(format!(
                    "`distinct` only goes with `count` and `list`, not `{fname}`"
                )),
                item.span,
            ));
        }
        let arity = item.func.arity();
        if arity == 2 && item.arg2.is_none() {
            let example = match item.func {
                AggFn::Quantile => "quantile(investment, 0.9)",
                AggFn::Percentile => "percentile(investment, 90)",
                _ => "corr(investment, projects)",
            };
            return Err(Error::at(
                ErrorKind::Invalid(format!("`{fname}` takes two arguments, as in `{example}`")),
                item.span,
            ));
        }
        if arity == 1 && item.arg2.is_some() {
            return Err(Error::at(
                ErrorKind::Invalid(format!(
                    "`{fname}` takes one argument, written after it: `{fname} investment`"
                )),
                item.span,
            ));
        }
        let arg_ty = arg.as_ref().map_or(Type::Null, |a| a.ty);
        let needs_number = |what: &str, ty: Type, e: Option<&Expr>| -> Result<()> {
            if ty.is_numeric() {
                return Ok(());
            }
            let mut err = Error::at(
                ErrorKind::Type(format!("`{fname}` needs numbers, but its argument is {ty}")),
                e.map_or(item.span, |a| a.span),
            );
            if ty == Type::Text {
                err = err.with_help(format!(
                    "to {what} text values, count them: `count distinct ...` or `count by ...`"
                ));
            }
            Err(err)
        };
        let mut arg2 = None;
        let ty = match item.func {
            AggFn::Count => Type::Int,
            AggFn::Sum => {
                needs_number("sum", arg_ty, item.arg.as_ref())?;
                if arg_ty == Type::Decimal {
                    Type::Decimal
                } else {
                    Type::Int
                }
            }
            AggFn::Avg | AggFn::Median => {
                needs_number("average", arg_ty, item.arg.as_ref())?;
                Type::Decimal
            }
            AggFn::Stddev | AggFn::StddevPop | AggFn::Variance | AggFn::VarPop => {
                needs_number("measure the spread of", arg_ty, item.arg.as_ref())?;
                Type::Decimal
            }
            AggFn::Quantile | AggFn::Percentile => {
                needs_number("take a quantile of", arg_ty, item.arg.as_ref())?;
                let p_expr = item.arg2.as_ref().expect("checked above");
                let hundred = item.func == AggFn::Percentile;
                let top = if hundred { 100.0 } else { 1.0 };
                let p = match self.constant(p_expr, scope.params)? {
                    Scalar::Int(v) => Some(v as f64),
                    Scalar::Decimal(v) => Some(v),
                    Scalar::Null if self.probing => Some(top / 2.0),
                    _ => None,
                };
                let Some(p) = p.filter(|p| (0.0..=top).contains(p)) else {
                    return Err(Error::at(
                        ErrorKind::Invalid(format!(
                            "the second argument of `{fname}` must be a constant from 0 to {top}"
                        )),
                        p_expr.span,
                    )
                    .with_help(if hundred {
                        "`percentile(investment, 90)` is the value 90% of the values lie below"
                    } else {
                        "`quantile(investment, 0.9)` is the value 90% of the values lie below"
                    }));
                };
                arg2 = Some(PExpr::literal(Scalar::Decimal(p / top)));
                Type::Decimal
            }
            AggFn::Corr | AggFn::Covar => {
                needs_number("correlate", arg_ty, item.arg.as_ref())?;
                let y = self.expr(item.arg2.as_ref().expect("checked above"), scope)?;
                needs_number("correlate", y.ty, item.arg2.as_ref())?;
                arg2 = Some(widen(y, Type::Decimal));
                Type::Decimal
            }
            AggFn::Min | AggFn::Max | AggFn::Mode | AggFn::First | AggFn::Last => arg_ty,
            AggFn::List | AggFn::Lineage => Type::Text,
        };
        if item.func != AggFn::Count && arg.is_none() {
            return Err(Error::at(
                ErrorKind::Invalid(format!(
                    "`{fname}` needs a column, as in `{fname} investment`"
                )),
                item.span,
            ));
        }
        let func = match item.func {
            AggFn::Percentile => AggFn::Quantile,
            f => f,
        };
        Ok(PAgg {
            name,
            func,
            distinct: item.distinct,
            arg,
            arg2,
            ty,
        })
    }

    /// The name a `select`/`by` item or an aggregate argument gets without `as`:
    /// a column keeps its name; anything else is its text with every run of
    /// non-alphanumeric characters turned into `_` (`year(date)` → `year_date`).
    fn default_name(&self, e: &Expr) -> String {
        if let ExprKind::Name(id) = &e.kind {
            return id.name.clone();
        }
        let text = self.source.slice(e.span);
        let mut out = String::new();
        for c in text.chars() {
            if c.is_alphanumeric() {
                out.extend(c.to_lowercase());
            } else if !out.ends_with('_') {
                out.push('_');
            }
        }
        let out = out.trim_matches('_').to_string();
        if out.is_empty() {
            "value".into()
        } else {
            out
        }
    }

    fn column(&self, id: &ast::Ident, scope: &Scope) -> Result<usize> {
        scope
            .fields
            .iter()
            .position(|f| f.name == id.name)
            .ok_or_else(|| {
                Error::at(
                    ErrorKind::UnknownColumn {
                        name: id.name.clone(),
                        relation: scope.label.to_string(),
                    },
                    id.span,
                )
                .with_help(self.elsewhere(&id.name, scope).unwrap_or_else(|| {
                    suggestion(
                        &id.name,
                        "its columns are",
                        scope.fields.iter().map(|f| f.name.as_str()),
                    )
                }))
            })
    }

    /// For a column a relation lacks and no column's name is close to: the
    /// relations that have it (`region` is in `events_with_region`, ...),
    /// those named after the scope's relation first. Only while the scope
    /// is a relation's own rows: after a `select` or an aggregate, the
    /// columns it had before are the better hint.
    fn elsewhere(&self, column: &str, scope: &Scope) -> Option<String> {
        let here = scope.label.trim_matches('`');
        let own = self.catalog.relation(here)?;
        if own.table.fields() != scope.fields {
            return None;
        }
        let mut found: Vec<&str> = self
            .catalog
            .relations()
            .filter(|(_, r)| r.table.position(column).is_some())
            .map(|(n, _)| n)
            .collect();
        found.sort_by_key(|n| !n.starts_with(here));
        let names: Vec<String> = found.iter().take(4).map(|n| format!("`{n}`")).collect();
        let (last, rest) = names.split_last()?;
        let list = if rest.is_empty() {
            last.clone()
        } else {
            format!("{} and {last}", rest.join(", "))
        };
        Some(format!(
            "`{column}` is a column of {list}: query one of those instead, or join one to these rows"
        ))
    }

    fn expr(&self, e: &Expr, scope: &Scope) -> Result<PExpr> {
        let depth = self.expr_depth.get();
        if depth >= MAX_EXPR_DEPTH {
            return Err(expression_too_deep(e.span));
        }
        self.expr_depth.set(depth + 1);
        let result = crate::stack::deeper(|| self.expr_inner(e, scope));
        self.expr_depth.set(depth);
        // An operation that can fail while it runs (overflow) remembers where
        // it is written, so the error points at it, not at the statement.
        result.map(|p| match p.kind {
            PExprKind::Arith(..) | PExprKind::Neg(_) | PExprKind::Func(..) => PExpr {
                ty: p.ty,
                kind: PExprKind::Located(e.span, Arc::clone(&self.source), Box::new(p)),
            },
            _ => p,
        })
    }

    fn expr_inner(&self, e: &Expr, scope: &Scope) -> Result<PExpr> {
        let lit = |v: Scalar| Ok(PExpr::literal(v));
        match &e.kind {
            ExprKind::Int(v) => lit(Scalar::Int(*v)),
            ExprKind::Decimal(v) => lit(Scalar::Decimal(*v)),
            ExprKind::Text(s) => {
                crate::limits::check_text("the text literal", s.len() as u64)
                    .map_err(|err| err.with_span(e.span))?;
                lit(Scalar::Text(s.as_str().into()))
            }
            ExprKind::Date(d) => lit(Scalar::Date(*d)),
            ExprKind::Bool(b) => lit(Scalar::Bool(*b)),
            ExprKind::Null => lit(Scalar::Null),
            ExprKind::Param(id) => match self.catalog.param(&id.name) {
                Some(v) => lit(v.clone()),
                None => Err(missing_param(self.catalog, id)),
            },
            ExprKind::Name(id) => {
                if let Some(i) = scope.fields.iter().position(|f| f.name == id.name) {
                    return Ok(PExpr {
                        kind: PExprKind::Column(i),
                        ty: scope.fields[i].ty,
                    });
                }
                if let Some(v) = scope
                    .params
                    .get(&id.name)
                    .or_else(|| self.catalog.scalar(&id.name))
                {
                    return lit(v.clone());
                }
                if let Some(value) = self.relation_value(id) {
                    return value;
                }
                if scope.fields.is_empty() {
                    let names: Vec<&str> = scope
                        .params
                        .keys()
                        .map(String::as_str)
                        .chain(self.catalog.scalars().map(|(n, _)| n))
                        .collect();
                    return Err(Error::at(
                        ErrorKind::Invalid(format!("unknown name `{}`", id.name)),
                        id.span,
                    )
                    .with_help(if names.is_empty() {
                        "only values, parameters and `let` scalars can be used here, not columns"
                            .to_string()
                    } else {
                        suggestion(&id.name, "names here", names)
                    }));
                }
                let mut err = Error::at(
                    ErrorKind::UnknownColumn {
                        name: id.name.clone(),
                        relation: scope.label.to_string(),
                    },
                    id.span,
                );
                let candidates: Vec<&str> = scope.fields.iter().map(|f| f.name.as_str()).collect();
                let habit = crate::syntax::habits::column_word_hint(&id.name);
                err = err.with_help(
                    match crate::error::closest(&id.name, candidates.iter().copied()) {
                        _ if habit.is_some() => habit.unwrap_or_default().to_string(),
                        Some(c) => format!("did you mean `{c}`?"),
                        None if self.looks_like_value(&id.name) => format!(
                            "to compare with the text {0}, write it in quotes: \"{0}\"",
                            id.name
                        ),
                        None => self
                            .elsewhere(&id.name, scope)
                            .unwrap_or_else(|| suggestion(&id.name, "its columns are", candidates)),
                    },
                );
                Err(err)
            }
            ExprKind::Call { name, args } => {
                if let Some(info) = funcs::lookup_window(&name.name) {
                    return self.window_call(info, args, e, scope);
                }
                let Some(info) = funcs::lookup(&name.name) else {
                    let mut err =
                        Error::at(ErrorKind::UnknownFunction(name.name.clone()), name.span);
                    err = if let Some(agg) = AggFn::from_name(&name.name) {
                        let form = if agg.arity() == 2 {
                            format!("{}(investment, ...)", name.name)
                        } else {
                            format!("{} investment", name.name)
                        };
                        err.with_help(format!(
                            "`{}` is an aggregate: write it as a clause, as in `projects {form} by province`",
                            name.name
                        ))
                    } else {
                        err.with_help(suggestion(
                            &name.name,
                            "functions",
                            funcs::FUNCTIONS
                                .iter()
                                .map(|f| f.name)
                                .chain(funcs::WINDOW_FUNCTIONS.iter().map(|w| w.name)),
                        ))
                    };
                    return Err(err);
                };
                let mut pargs = args
                    .iter()
                    .map(|a| self.expr(a, scope))
                    .collect::<Result<Vec<_>>>()?;
                let types: Vec<Type> = pargs.iter().map(|a| a.ty).collect();
                let ty = funcs::result_type(info, &types)
                    .map_err(|m| Error::at(ErrorKind::Type(m), e.span))?;
                // Widen integer arguments where the function computes in decimals.
                for i in funcs::decimal_args(info.func, ty, pargs.len()) {
                    pargs[i] = widen(pargs[i].clone(), Type::Decimal);
                }
                Ok(PExpr {
                    kind: PExprKind::Func(info.func, pargs),
                    ty,
                })
            }
            ExprKind::Unary { op, expr } => {
                let inner = self.expr(expr, scope)?;
                match op {
                    UnaryOp::Neg => {
                        if !inner.ty.is_numeric() {
                            return Err(Error::at(
                                ErrorKind::Type(format!(
                                    "cannot negate {}",
                                    describe(&inner, expr, self)
                                )),
                                e.span,
                            ));
                        }
                        Ok(PExpr {
                            ty: inner.ty,
                            kind: PExprKind::Neg(Box::new(inner)),
                        })
                    }
                    UnaryOp::Not => {
                        expect_bool(&inner, expr, "`not`")?;
                        Ok(PExpr {
                            ty: Type::Bool,
                            kind: PExprKind::Not(Box::new(inner)),
                        })
                    }
                }
            }
            ExprKind::Binary { op, left, right } => {
                let (l, r) = (self.expr(left, scope)?, self.expr(right, scope)?);
                self.binary(*op, l, r, left, right, e.span)
            }
            ExprKind::In {
                expr,
                list,
                negated,
            } => {
                // `x in (rel)`: a lone name of a relation or def (not a column
                // or value) is a query.
                if let [item] = list.as_slice() {
                    let source = match &item.kind {
                        ExprKind::Name(id)
                            if !scope.fields.iter().any(|f| f.name == id.name)
                                && !scope.params.contains_key(&id.name)
                                && self.catalog.scalar(&id.name).is_none()
                                && (self.catalog.relation(&id.name).is_some()
                                    || self.catalog.def(&id.name).is_some()) =>
                        {
                            Some(ast::Source::Name(id.clone()))
                        }
                        ExprKind::Call { name, args }
                            if funcs::lookup(&name.name).is_none()
                                && self.catalog.def(&name.name).is_some() =>
                        {
                            Some(ast::Source::Call {
                                name: name.clone(),
                                args: args.clone(),
                                span: item.span,
                            })
                        }
                        _ => None,
                    };
                    if let Some(source) = source {
                        let x = self.expr(expr, scope)?;
                        let query = Query {
                            source,
                            clauses: Vec::new(),
                            span: item.span,
                        };
                        return self.in_query(x, expr, &query, *negated, scope.params);
                    }
                }
                // `x in (a, b)` is `x = a or x = b`, with the same null rules.
                let x = self.expr(expr, scope)?;
                let tests = list
                    .iter()
                    .map(|item| {
                        let v = self.expr(item, scope)?;
                        self.binary(BinaryOp::Eq, x.clone(), v, expr, item, item.span)
                    })
                    .collect::<Result<Vec<_>>>()?;
                let test = any_of(tests);
                Ok(if *negated {
                    PExpr {
                        ty: Type::Bool,
                        kind: PExprKind::Not(Box::new(test)),
                    }
                } else {
                    test
                })
            }
            ExprKind::InQuery {
                expr,
                query,
                negated,
            } => {
                let x = self.expr(expr, scope)?;
                self.in_query(x, expr, query, *negated, scope.params)
            }
            ExprKind::Between {
                expr,
                low,
                high,
                negated,
            } => {
                let x = self.expr(expr, scope)?;
                let lo = self.expr(low, scope)?;
                let hi = self.expr(high, scope)?;
                let ge = self.binary(BinaryOp::Ge, x.clone(), lo, expr, low, e.span)?;
                let le = self.binary(BinaryOp::Le, x, hi, expr, high, e.span)?;
                let both = PExpr {
                    ty: Type::Bool,
                    kind: PExprKind::Logic(true, Box::new(ge), Box::new(le)),
                };
                Ok(if *negated {
                    PExpr {
                        ty: Type::Bool,
                        kind: PExprKind::Not(Box::new(both)),
                    }
                } else {
                    both
                })
            }
            ExprKind::IsNull { expr, negated } => {
                let inner = self.expr(expr, scope)?;
                Ok(PExpr {
                    ty: Type::Bool,
                    kind: PExprKind::IsNull(Box::new(inner), *negated),
                })
            }
        }
    }

    fn looks_like_value(&self, name: &str) -> bool {
        name.chars().next().is_some_and(|c| c.is_uppercase())
    }

    fn binary(
        &self,
        op: BinaryOp,
        l: PExpr,
        r: PExpr,
        le: &Expr,
        re: &Expr,
        span: Span,
    ) -> Result<PExpr> {
        let (lt, rt) = (l.ty, r.ty);
        let mismatch = |what: &str| {
            let mut err = Error::at(
                ErrorKind::Type(format!(
                    "cannot {what} {} and {}",
                    describe(&l, le, self),
                    describe(&r, re, self)
                )),
                span,
            );
            if lt == Type::Text && matches!(rt, Type::Int | Type::Decimal) {
                err = err.with_help("to compare with text, write the value in quotes");
            } else if rt == Type::Text && (lt.is_numeric() || lt == Type::Date) {
                err = err.with_help(format!(
                    "write the value without quotes to compare it as {lt}"
                ));
            }
            err
        };
        match op {
            BinaryOp::And | BinaryOp::Or => {
                expect_bool(&l, le, &format!("`{}`", op.symbol()))?;
                expect_bool(&r, re, &format!("`{}`", op.symbol()))?;
                Ok(PExpr {
                    ty: Type::Bool,
                    kind: PExprKind::Logic(op == BinaryOp::And, Box::new(l), Box::new(r)),
                })
            }
            BinaryOp::Contains => {
                for (p, e) in [(&l, le), (&r, re)] {
                    if p.ty != Type::Text && p.ty != Type::Null {
                        return Err(Error::at(
                            ErrorKind::Type(format!(
                                "`contains` works on text, but {} is not text",
                                describe(p, e, self)
                            )),
                            e.span,
                        ));
                    }
                }
                Ok(PExpr {
                    ty: Type::Bool,
                    kind: PExprKind::Contains(Box::new(l), Box::new(r)),
                })
            }
            op if op.is_comparison() => {
                let cmp = match op {
                    BinaryOp::Eq => CmpOp::Eq,
                    BinaryOp::Ne => CmpOp::Ne,
                    BinaryOp::Lt => CmpOp::Lt,
                    BinaryOp::Le => CmpOp::Le,
                    BinaryOp::Gt => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                let (l, r) = match unify(lt, rt) {
                    Some(t) => (widen(l, t), widen(r, t)),
                    None => return Err(mismatch("compare")),
                };
                Ok(PExpr {
                    ty: Type::Bool,
                    kind: PExprKind::Compare(cmp, Box::new(l), Box::new(r)),
                })
            }
            _ => {
                let aop = match op {
                    BinaryOp::Add => ArithOp::Add,
                    BinaryOp::Sub => ArithOp::Sub,
                    BinaryOp::Mul => ArithOp::Mul,
                    _ => ArithOp::Div,
                };
                let verb = match aop {
                    ArithOp::Add => "add",
                    ArithOp::Sub => "subtract",
                    ArithOp::Mul => "multiply",
                    ArithOp::Div => "divide",
                };
                // Dates: date - date is days; date ± integer is a date.
                match (lt, rt, aop) {
                    (Type::Date, Type::Date, ArithOp::Sub) => {
                        return Ok(PExpr {
                            ty: Type::Int,
                            kind: PExprKind::Arith(aop, Box::new(l), Box::new(r)),
                        })
                    }
                    (Type::Date, Type::Int, ArithOp::Add | ArithOp::Sub)
                    | (Type::Int, Type::Date, ArithOp::Add) => {
                        return Ok(PExpr {
                            ty: Type::Date,
                            kind: PExprKind::Arith(aop, Box::new(l), Box::new(r)),
                        })
                    }
                    _ => {}
                }
                if !lt.is_numeric() || !rt.is_numeric() {
                    return Err(mismatch(verb));
                }
                // Division never truncates: it always computes in decimals.
                let ty = if aop == ArithOp::Div {
                    Type::Decimal
                } else {
                    unify(lt, rt).unwrap_or(Type::Decimal)
                };
                let ty = if ty == Type::Null { Type::Int } else { ty };
                let (l, r) = (widen(l, ty), widen(r, ty));
                Ok(PExpr {
                    ty,
                    kind: PExprKind::Arith(aop, Box::new(l), Box::new(r)),
                })
            }
        }
    }
}

/// A window function's name as written.
fn window_name(func: WindowFn) -> &'static str {
    funcs::WINDOW_FUNCTIONS
        .iter()
        .find(|w| w.func == func)
        .map_or("window", |w| w.name)
}

/// The name a join's right-hand side lends to its clashing columns: the
/// relation or def it names, or, for a parenthesised query, the one it starts from.
fn source_label(source: &ast::Source) -> String {
    match source {
        ast::Source::Name(id) => id.name.clone(),
        ast::Source::Call { name, .. } => name.name.clone(),
        ast::Source::Query(q) => source_label(&q.source),
    }
}

/// `a or b or c ...` as a balanced tree, so a long `in` list stays shallow.
fn any_of(mut tests: Vec<PExpr>) -> PExpr {
    if tests.len() == 1 {
        return tests.pop().expect("one test");
    }
    let right = tests.split_off(tests.len() / 2);
    PExpr {
        ty: Type::Bool,
        kind: PExprKind::Logic(false, Box::new(any_of(tests)), Box::new(any_of(right))),
    }
}

/// The common type two operands are compared or combined in.
fn unify(a: Type, b: Type) -> Option<Type> {
    match (a, b) {
        (t, u) if t == u => Some(t),
        (t, Type::Null) | (Type::Null, t) => Some(t),
        (Type::Int, Type::Decimal) | (Type::Decimal, Type::Int) => Some(Type::Decimal),
        _ => None,
    }
}

/// Widens an integer expression to decimal where `ty` is decimal.
fn widen(p: PExpr, ty: Type) -> PExpr {
    if ty == Type::Decimal && p.ty == Type::Int {
        if let PExprKind::Literal(Scalar::Int(v)) = p.kind {
            return PExpr::literal(Scalar::Decimal(v as f64));
        }
        return PExpr {
            ty: Type::Decimal,
            kind: PExprKind::ToDecimal(Box::new(p)),
        };
    }
    p
}

fn describe(p: &PExpr, e: &Expr, c: &Checker) -> String {
    let text = c.source.slice(e.span);
    let text = if text.chars().count() > 30 {
        format!("{}…", text.chars().take(29).collect::<String>())
    } else {
        text.to_string()
    };
    format!("`{text}` ({})", p.ty)
}

fn expect_bool(p: &PExpr, e: &Expr, context: &str) -> Result<()> {
    if p.ty == Type::Bool || p.ty == Type::Null {
        return Ok(());
    }
    Err(Error::at(
        ErrorKind::Type(format!(
            "{context} needs a true/false condition, but this is {}",
            p.ty
        )),
        e.span,
    )
    .with_help("compare it with something, as in `province = \"Gansu\"` or `value > 100`"))
}

fn unique_fields(columns: &[(String, PExpr, Span)]) -> Result<Vec<Field>> {
    let mut fields: Vec<Field> = Vec::new();
    for (name, p, span) in columns {
        if fields.iter().any(|f| &f.name == name) {
            return Err(Error::at(
                ErrorKind::Invalid(format!("two result columns are named `{name}`")),
                *span,
            )
            .with_help("give one of them another name with `as`"));
        }
        fields.push(Field {
            name: name.clone(),
            ty: p.ty,
        });
    }
    Ok(fields)
}

impl PExpr {
    fn with_ty(mut self, ty: Type) -> PExpr {
        self.ty = ty;
        self
    }
}

/// The error for a `$parameter` that was not given.
pub(crate) fn missing_param(catalog: &Catalog, id: &ast::Ident) -> Error {
    let given: Vec<&str> = catalog.params().map(|(n, _)| n).collect();
    let help = match closest(&id.name, given.iter().copied()) {
        Some(c) => format!(
            "did you mean `${c}`? Otherwise give it: --param {}=VALUE",
            id.name
        ),
        None => format!(
            "give it on the command line: itq SCRIPT --param {}=VALUE",
            id.name
        ),
    };
    Error::at(
        ErrorKind::Invalid(format!("the parameter `${}` has no value", id.name)),
        id.span,
    )
    .with_help(help)
}

/// The help for a `pivot` over a text column whose values were written as
/// bare words: the same list with each word in quotes.
fn quoted_pivot_values(column: &str, values: &[Expr]) -> String {
    let listed: Vec<String> = values
        .iter()
        .map(|v| match &v.kind {
            ExprKind::Name(id) => format!("\"{}\"", id.name),
            ExprKind::Text(t) => format!("\"{t}\""),
            _ => "…".into(),
        })
        .collect();
    format!(
        "`{column}` is text: write its values in quotes, `pivot {column} in ({})`",
        listed.join(", ")
    )
}
