//! A plan as SELECT statements: each step folds into the SELECT being built
//! while SQL's clause order allows (FROM, WHERE, GROUP BY, SELECT, DISTINCT,
//! ORDER BY, LIMIT); a step that must come after what is there closes it as a
//! CTE named after the step that made it, and starts a new SELECT reading it.

use super::dialect::{Dialect, Template};
use super::expr::{ident, Sql, Translator, ATOM};
use super::unsupported;
use crate::error::Result;
use crate::plan::{AggFn, PAgg, PExpr, PSortKey, PWindow, Plan, Scan, WindowFn};
use crate::value::Type;

/// What a SELECT reads.
#[derive(Debug, Clone)]
enum From {
    /// A table or CTE, by name.
    Table(String),
    /// Two of them joined on equal keys.
    Join {
        left: (String, String),
        right: (String, String),
        on: Vec<(String, String)>,
        left_join: bool,
    },
}

/// An ORDER BY item.
#[derive(Debug, Clone)]
struct OrderKey {
    /// The key over what FROM gives, with its direction.
    text: String,
    /// The output column it is, if any, as (name, expression): written as
    /// the name while that column is still output.
    column: Option<(String, String)>,
    /// ` DESC NULLS LAST` or ` NULLS LAST`.
    suffix: String,
}

/// A SELECT being built.
#[derive(Debug, Clone)]
struct Select {
    from: From,
    /// The output columns: names and expressions over what FROM gives.
    columns: Vec<(String, Sql)>,
    /// The types of the output columns.
    types: Vec<Type>,
    /// Whether each output column is a plain column of FROM.
    plain: Vec<bool>,
    filters: Vec<Sql>,
    /// `Some` once aggregated: the GROUP BY keys (possibly none).
    group: Option<Vec<Sql>>,
    /// A HAVING condition (only to drop the one row of an aggregate whose keys
    /// are all constants, when it had no input rows).
    having: Option<Sql>,
    distinct: bool,
    order: Vec<OrderKey>,
    limit: Option<usize>,
    /// What the CTE is called if this SELECT is closed.
    label: String,
    /// Whether the columns are all of FROM's, unchanged and in order.
    whole: bool,
}

/// The OVER clauses of one window step.
struct Over {
    /// `OVER (PARTITION BY ... ORDER BY ...)`.
    ordered: String,
    /// The same, with the frame from the group's first row to this one.
    running: String,
    /// `OVER (PARTITION BY ...)`: the whole group.
    groups: String,
}

/// `base`, or `base_` (and so on) when `s` has a column of that name.
fn unused_name(s: &Select, base: &str) -> String {
    let mut name = base.to_string();
    while s.columns.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
        name.push('_');
    }
    name
}

/// Compiles plans of one query into one statement.
pub(super) struct Compiler {
    dialect: Dialect,
    ctes: Vec<(String, String)>,
}

impl Compiler {
    pub(super) fn new(dialect: Dialect) -> Compiler {
        Compiler {
            dialect,
            ctes: Vec::new(),
        }
    }

    /// The whole statement for `plan`.
    pub(super) fn statement(self, plan: &Plan) -> Result<String> {
        self.typed_statement(plan).map(|(sql, _)| sql)
    }

    /// The whole statement for `plan`, and its result columns' names and types.
    pub(super) fn typed_statement(mut self, plan: &Plan) -> Result<(String, Vec<(String, Type)>)> {
        let select = self.plan(plan)?;
        let columns: Vec<(String, Type)> = select
            .columns
            .iter()
            .map(|(n, _)| n.clone())
            .zip(select.types.iter().copied())
            .collect();
        Ok((self.finish(&select), columns))
    }

    fn finish(&self, select: &Select) -> String {
        let body = self.render(select, "");
        if self.ctes.is_empty() {
            return body;
        }
        let ctes: Vec<String> = self
            .ctes
            .iter()
            .map(|(name, sql)| {
                let indented: Vec<String> = sql.lines().map(|l| format!("    {l}")).collect();
                format!(
                    "  {} AS (\n{}\n  )",
                    ident(name, self.dialect),
                    indented.join("\n")
                )
            })
            .collect();
        format!("WITH\n{}\n{body}", ctes.join(",\n"))
    }

    fn plan(&mut self, plan: &Plan) -> Result<Select> {
        crate::stack::deeper(|| self.plan_here(plan))
    }

    fn plan_here(&mut self, plan: &Plan) -> Result<Select> {
        let d = self.dialect;
        Ok(match plan {
            Plan::Scan(Scan { name, location }) => {
                let (table, fields) = match location {
                    crate::plan::Location::Memory(t) => (name, t.fields()),
                    crate::plan::Location::Attached { table, fields, .. } => (table, &fields[..]),
                };
                let names: Vec<(String, Type)> =
                    fields.iter().map(|f| (f.name.clone(), f.ty)).collect();
                let mut s = self.reading(From::Table(table.clone()), &names);
                // An attached table may have columns itq cannot read: name
                // the ones it can rather than `SELECT *`.
                s.whole = matches!(location, crate::plan::Location::Memory(_));
                s
            }
            Plan::Filter { input, predicate } => {
                let mut s = self.plan(input)?;
                if s.group.is_some() || s.distinct || s.limit.is_some() {
                    s = self.close(s, "filtered");
                }
                let p = self.translate(&s, predicate)?;
                s.filters.push(p);
                s.label = "filtered".into();
                s
            }
            // Constants of any `n` rows (`sources limit 1 select 7 / 2`) are
            // the same whichever rows an engine keeps.
            Plan::Project { input, columns }
                if matches!(&**input, Plan::Limit { .. })
                    && columns.iter().all(|(_, e)| {
                        let mut used = Vec::new();
                        e.columns_used(&mut used);
                        used.is_empty()
                    }) =>
            {
                let Plan::Limit { input: rows, n } = &**input else {
                    unreachable!("matched above")
                };
                let mut s = self.plan(rows)?;
                if s.group.is_some() || s.distinct || s.limit.is_some() {
                    s = self.close(s, "selected");
                }
                s.columns = columns
                    .iter()
                    .map(|(name, e)| Ok((name.clone(), self.translate(&s, e)?)))
                    .collect::<Result<_>>()?;
                s.types = columns.iter().map(|(_, e)| e.ty).collect();
                s.plain = vec![false; columns.len()];
                s.whole = false;
                s.limit = Some(*n);
                s.label = "selected".into();
                s
            }
            Plan::Project { input, columns } => {
                let mut s = self.plan(input)?;
                let reads_computed = columns.iter().any(|(_, e)| {
                    let mut used = Vec::new();
                    e.columns_used(&mut used);
                    used.iter().any(|&i| !s.plain[i])
                });
                if s.group.is_some() || s.distinct || s.limit.is_some() || reads_computed {
                    s = self.close(s, "selected");
                }
                let mut out = Vec::new();
                let mut plain = Vec::new();
                for (name, e) in columns {
                    plain.push(matches!(e.kind, crate::plan::PExprKind::Column(i) if s.plain[i]));
                    out.push((name.clone(), self.translate(&s, e)?));
                }
                s.types = columns.iter().map(|(_, e)| e.ty).collect();
                s.columns = out;
                s.plain = plain;
                s.whole = false;
                s.label = "selected".into();
                s
            }
            Plan::Aggregate { input, keys, aggs } => {
                let mut s = self.plan(input)?;
                if s.group.is_some() || s.distinct || s.limit.is_some() {
                    s = self.close(s, "grouped");
                }
                s.order.clear();
                let mut out = Vec::new();
                let mut group = Vec::new();
                for (name, e) in keys {
                    let k = self.translate(&s, e)?;
                    let mut used = Vec::new();
                    e.columns_used(&mut used);
                    // A constant key is no GROUP BY item (`GROUP BY 1` means
                    // the first column); it is the same in every row anyway.
                    if !used.is_empty() {
                        group.push(k.clone());
                    }
                    out.push((name.clone(), k));
                }
                if group.is_empty() && !keys.is_empty() {
                    s.having = Some(Sql::atom("COUNT(*) > 0"));
                }
                for a in aggs {
                    out.push((a.name.clone(), self.aggregate(&s, a)?));
                }
                s.types = keys
                    .iter()
                    .map(|(_, e)| e.ty)
                    .chain(aggs.iter().map(|a| a.ty))
                    .collect();
                s.plain = vec![false; out.len()];
                s.columns = out;
                s.group = Some(group);
                s.whole = false;
                s.label = match keys.first() {
                    Some((name, _)) => format!("by_{name}"),
                    None => "totals".into(),
                };
                s
            }
            Plan::Sort { input, keys } => {
                let mut s = self.plan(input)?;
                if s.distinct || s.limit.is_some() {
                    s = self.close(s, "sorted");
                }
                let mut order = keys
                    .iter()
                    .map(|k| self.sort_key(&s, k))
                    .collect::<Result<Vec<_>>>()?;
                order.append(&mut s.order);
                s.order = order;
                s.label = "sorted".into();
                s
            }
            Plan::Limit { input, n } => {
                let mut s = self.plan(input)?;
                if s.order.is_empty() {
                    return Err(unsupported(
                        "`limit` after no `sort`",
                        d,
                        Some("a SQL engine's rows have no order, so it would keep other rows than itq; `sort` before `limit`, or use `top N by ...`"),
                    ));
                }
                s.limit = Some(s.limit.map_or(*n, |m| m.min(*n)));
                s.label = "limited".into();
                s
            }
            Plan::Window {
                input,
                per,
                along,
                funcs,
            } => {
                let mut s = self.plan(input)?;
                if s.group.is_some() || s.distinct || s.limit.is_some() {
                    s = self.close(s, "rows");
                }
                let over = self.over(&s, per, along)?;
                for (k, w) in funcs.iter().enumerate() {
                    let name = unused_name(&s, &format!("window_{k}"));
                    let text = self.window_function(&s, w, &over)?;
                    s.columns.push((name, Sql::atom(text)));
                    s.types.push(w.ty);
                    s.plain.push(false);
                }
                s.whole = false;
                s.label = "windowed".into();
                // A window's value can be filtered and computed on only from
                // outside the SELECT that computes it.
                self.close(s, "windowed")
            }
            Plan::Top { input, n, key, per } if !per.is_empty() => {
                let mut s = self.plan(input)?;
                if s.group.is_some() || s.distinct || s.limit.is_some() {
                    s = self.close(s, "rows");
                }
                let width = s.columns.len();
                let over = self.over(&s, per, std::slice::from_ref(key))?;
                let rank = unused_name(&s, "rank_in_group");
                s.columns.push((
                    rank.clone(),
                    Sql::atom(format!("ROW_NUMBER() {}", over.ordered)),
                ));
                s.types.push(Type::Int);
                s.plain.push(false);
                s.whole = false;
                s.label = "ranked".into();
                let mut t = self.close(s, "ranked");
                t.filters
                    .push(Sql::atom(format!("{} <= {n}", ident(&rank, d))));
                t.columns.truncate(width);
                t.types.truncate(width);
                t.plain.truncate(width);
                t.whole = false;
                let mut order = Vec::new();
                for e in per {
                    order.push(self.sort_key(
                        &t,
                        &PSortKey {
                            expr: e.clone(),
                            descending: false,
                        },
                    )?);
                }
                order.push(self.sort_key(&t, key)?);
                t.order = order;
                t.label = format!("top_{n}_per_group");
                t
            }
            Plan::Top { input, n, key, .. } => {
                let mut s = self.plan(input)?;
                if s.distinct || s.limit.is_some() {
                    s = self.close(s, "ranked");
                }
                let mut order = vec![self.sort_key(&s, key)?];
                order.append(&mut s.order);
                s.order = order;
                s.limit = Some(*n);
                s.label = format!("top_{n}");
                s
            }
            Plan::Distinct { input, columns } => {
                let mut s = self.plan(input)?;
                if s.distinct || s.limit.is_some() || !s.order.is_empty() {
                    s = self.close(s, "distinct_rows");
                }
                s.columns = columns.iter().map(|&c| s.columns[c].clone()).collect();
                s.types = columns.iter().map(|&c| s.types[c]).collect();
                s.plain = columns.iter().map(|&c| s.plain[c]).collect();
                s.distinct = true;
                s.whole = false;
                s.label = "distinct_rows".into();
                s
            }
            Plan::Join {
                left,
                right,
                left_keys,
                right_keys,
                keep_unmatched,
                right_columns,
                ..
            } => {
                let l = self.plan(left)?;
                let r = self.plan(right)?;
                let (lname, lcols, ltypes) = self.as_table(l);
                let (rname, rcols, rtypes) = self.as_table(r);
                let (la, ra) = if lname == rname {
                    ("l".to_string(), "r".to_string())
                } else {
                    (lname.clone(), rname.clone())
                };
                let q = |alias: &str, col: &str| format!("{}.{}", ident(alias, d), ident(col, d));
                let on = left_keys
                    .iter()
                    .zip(right_keys)
                    .map(|(&a, &b)| (q(&la, &lcols[a]), q(&ra, &rcols[b])))
                    .collect();
                let mut columns: Vec<(String, Sql)> = lcols
                    .iter()
                    .map(|c| (c.clone(), Sql::atom(q(&la, c))))
                    .collect();
                let mut types = ltypes;
                for (i, name) in right_columns {
                    columns.push((name.clone(), Sql::atom(q(&ra, &rcols[*i]))));
                    types.push(rtypes[*i]);
                }
                Select {
                    from: From::Join {
                        left: (lname, la),
                        right: (rname, ra),
                        on,
                        left_join: *keep_unmatched,
                    },
                    plain: vec![true; columns.len()],
                    columns,
                    types,
                    filters: Vec::new(),
                    group: None,
                    having: None,
                    distinct: false,
                    order: Vec::new(),
                    limit: None,
                    label: "joined".into(),
                    whole: false,
                }
            }
        })
    }

    /// A SELECT of the plain columns of a table or CTE.
    fn reading(&self, from: From, columns: &[(String, Type)]) -> Select {
        Select {
            from,
            columns: columns
                .iter()
                .map(|(n, _)| (n.clone(), Sql::atom(ident(n, self.dialect))))
                .collect(),
            types: columns.iter().map(|(_, t)| *t).collect(),
            plain: vec![true; columns.len()],
            filters: Vec::new(),
            group: None,
            having: None,
            distinct: false,
            order: Vec::new(),
            limit: None,
            label: "rows".into(),
            whole: true,
        }
    }

    /// `s` as a name to read from: the table itself when `s` only reads one
    /// unchanged, a new CTE otherwise. Also gives its columns' names and types.
    fn as_table(&mut self, s: Select) -> (String, Vec<String>, Vec<Type>) {
        let names: Vec<String> = s.columns.iter().map(|(n, _)| n.clone()).collect();
        let types = s.types.clone();
        if let From::Table(t) = &s.from {
            if self.unchanged(&s) {
                return (t.clone(), names, types);
            }
        }
        let label = s.label.clone();
        let closed = self.close(s, &label);
        let From::Table(name) = closed.from else {
            unreachable!("a closed SELECT reads its CTE")
        };
        (name, names, types)
    }

    /// Whether `s` reads its FROM unchanged: no filter, computation or order.
    fn unchanged(&self, s: &Select) -> bool {
        s.filters.is_empty()
            && s.group.is_none()
            && !s.distinct
            && s.order.is_empty()
            && s.limit.is_none()
            && s.columns
                .iter()
                .all(|(n, e)| e.text == ident(n, self.dialect))
    }

    /// Ends `s` as a CTE and starts a SELECT of its columns.
    fn close(&mut self, s: Select, label: &str) -> Select {
        let name = self.fresh(if s.label.is_empty() { label } else { &s.label });
        let sql = self.render(&s, "");
        self.ctes.push((name.clone(), sql));
        let cols: Vec<(String, Type)> = s
            .columns
            .iter()
            .zip(&s.types)
            .map(|((n, _), t)| (n.clone(), *t))
            .collect();
        self.reading(From::Table(name.clone()), &cols)
    }

    fn fresh(&self, base: &str) -> String {
        let base: String = base
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let taken = |n: &str| self.ctes.iter().any(|(c, _)| c == n);
        if !taken(&base) {
            return base;
        }
        (2..)
            .map(|i| format!("{base}_{i}"))
            .find(|n| !taken(n))
            .expect("some suffix is free")
    }

    fn translate(&self, s: &Select, e: &PExpr) -> Result<Sql> {
        let columns: Vec<Sql> = s.columns.iter().map(|(_, e)| e.clone()).collect();
        Translator {
            dialect: self.dialect,
            columns: &columns,
        }
        .expr(e)
    }

    fn sort_key(&self, s: &Select, k: &PSortKey) -> Result<OrderKey> {
        let e = self.translate(s, &k.expr)?;
        let mut text = e.at(ATOM);
        let collation = match k.expr.ty {
            Type::Text => self.dialect.code_point_collation(),
            _ => None,
        };
        if let Some(c) = collation {
            text = format!("{text} {c}");
        }
        // An output column is ordered by its name (not with a collation:
        // PostgreSQL reads `name COLLATE ...` as an input column).
        let column = match collation {
            Some(_) => None,
            None => s
                .columns
                .iter()
                .find(|(_, c)| c.text == e.text)
                .map(|(n, c)| (n.clone(), c.text.clone())),
        };
        let dir = if k.descending { " DESC" } else { "" };
        Ok(OrderKey {
            text,
            column,
            suffix: format!("{dir} NULLS LAST"),
        })
    }

    /// The OVER clauses for windows over `s` with these groups and order:
    /// with the order, and with the groups only.
    fn over(&self, s: &Select, per: &[PExpr], along: &[PSortKey]) -> Result<Over> {
        let partition = per
            .iter()
            .map(|e| Ok(self.translate(s, e)?.text))
            .collect::<Result<Vec<_>>>()?;
        let order = along
            .iter()
            .map(|k| {
                let o = self.sort_key(s, k)?;
                Ok(format!("{}{}", o.text, o.suffix))
            })
            .collect::<Result<Vec<_>>>()?;
        let part =
            (!partition.is_empty()).then(|| format!("PARTITION BY {}", partition.join(", ")));
        let ord = (!order.is_empty()).then(|| format!("ORDER BY {}", order.join(", ")));
        let clause = |parts: &[&Option<String>], extra: Option<&str>| {
            let mut all: Vec<&str> = parts.iter().filter_map(|p| p.as_deref()).collect();
            all.extend(extra);
            format!("OVER ({})", all.join(" "))
        };
        Ok(Over {
            ordered: clause(&[&part, &ord], None),
            running: clause(
                &[&part, &ord],
                Some("ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"),
            ),
            groups: clause(&[&part], None),
        })
    }

    /// One window function, as the native engine computes it (see
    /// `plan::WindowFn`).
    fn window_function(&self, s: &Select, w: &PWindow, over: &Over) -> Result<String> {
        let d = self.dialect;
        let x = w.arg.as_ref().map(|e| self.translate(s, e)).transpose()?;
        let double = d.double_type();
        let arg = || {
            x.as_ref()
                .map(|x| x.at(ATOM))
                .ok_or_else(|| unsupported(&format!("`{:?}` without a value", w.func), d, None))
        };
        let o = &over.ordered;
        Ok(match w.func {
            WindowFn::RowNumber => format!("ROW_NUMBER() {o}"),
            WindowFn::Rank => format!("RANK() {o}"),
            WindowFn::DenseRank => format!("DENSE_RANK() {o}"),
            WindowFn::Lag => format!("LAG({}, {}) {o}", arg()?, w.offset),
            WindowFn::Lead => format!("LEAD({}, {}) {o}", arg()?, w.offset),
            WindowFn::Change => format!("{} - LAG({}, 1) {o}", arg()?, arg()?),
            WindowFn::PercentChange => {
                let x = arg()?;
                format!(
                    "CAST(100 AS {double}) * ({x} - LAG({x}, 1) {o}) / NULLIF(CAST(LAG({x}, 1) {o} AS {double}), 0)"
                )
            }
            WindowFn::RunningSum => format!("SUM({}) {}", arg()?, over.running),
            WindowFn::Share => {
                let x = arg()?;
                format!(
                    "CAST({x} AS {double}) / NULLIF(CAST(SUM({x}) {} AS {double}), 0)",
                    over.groups
                )
            }
        })
    }

    fn aggregate(&self, s: &Select, a: &PAgg) -> Result<Sql> {
        let d = self.dialect;
        let arg = a.arg.as_ref().map(|e| self.translate(s, e)).transpose()?;
        let text_collated = |x: &Sql| match (a.arg.as_ref().map(|e| e.ty), d.code_point_collation())
        {
            (Some(Type::Text), Some(c)) => format!("{} {c}", x.at(ATOM)),
            _ => x.text.clone(),
        };
        Ok(Sql::atom(match (a.func, &arg) {
            (AggFn::Count, None) => "COUNT(*)".to_string(),
            (AggFn::Count, Some(x)) if a.distinct => format!("COUNT(DISTINCT {})", x.text),
            (AggFn::Count, Some(x)) => format!("COUNT({})", x.text),
            (AggFn::Sum, Some(x)) => format!("SUM({})", x.text),
            (AggFn::Avg, Some(x)) => format!("AVG({})", x.text),
            (AggFn::Min, Some(x)) => format!("MIN({})", text_collated(x)),
            (AggFn::Max, Some(x)) => format!("MAX({})", text_collated(x)),
            (AggFn::Median, Some(x)) => {
                let t = d.template(Template::Median).ok_or_else(|| {
                    unsupported(
                        Template::Median.itq_name(),
                        d,
                        Some(match d {
                            Dialect::Trino => {
                                "Trino has only an approximate median (`approx_percentile`)"
                            }
                            _ => "the engine has no median aggregate",
                        }),
                    )
                })?;
                super::expr::fill(t, &[x], ATOM).text
            }
            (AggFn::Mode, Some(x)) if d == Dialect::Postgres => {
                format!("MODE() WITHIN GROUP (ORDER BY {})", text_collated(x))
            }
            (
                AggFn::Stddev
                | AggFn::StddevPop
                | AggFn::Variance
                | AggFn::VarPop
                | AggFn::Quantile
                | AggFn::Corr
                | AggFn::Covar,
                Some(x),
            ) => {
                let t = match a.func {
                    AggFn::Stddev => Template::Stddev,
                    AggFn::StddevPop => Template::StddevPop,
                    AggFn::Variance => Template::Variance,
                    AggFn::VarPop => Template::VarPop,
                    AggFn::Quantile => Template::Quantile,
                    AggFn::Corr => Template::Corr,
                    _ => Template::Covar,
                };
                let y = a
                    .arg2
                    .as_ref()
                    .map(|e| self.translate(s, e))
                    .transpose()?;
                let template = d.template(t).ok_or_else(|| {
                    unsupported(
                        t.itq_name(),
                        d,
                        Some(match (a.func, d) {
                            (AggFn::Quantile, Dialect::Trino) => {
                                "Trino has only an approximate quantile (`approx_percentile`)"
                            }
                            _ => "the engine has no such aggregate",
                        }),
                    )
                })?;
                let args: Vec<&Sql> = std::iter::once(x).chain(y.as_ref()).collect();
                super::expr::fill(template, &args, ATOM).text
            }
            (AggFn::First | AggFn::Last | AggFn::List, Some(_)) => {
                return Err(unsupported(
                    &format!("`{}`", a.func.name()),
                    d,
                    Some("it depends on the order of the input rows, and a SQL engine's rows have no order"),
                ))
            }
            (f, None) => {
                return Err(unsupported(
                    &format!("`{}` without a value", f.name()),
                    d,
                    None,
                ))
            }
            (f, Some(_)) => {
                return Err(unsupported(
                    &format!("`{}`", f.name()),
                    d,
                    Some("the SQL backend does not compile this aggregate yet"),
                ))
            }
        }))
    }

    /// The SELECT as text, one clause per line.
    fn render(&self, s: &Select, indent: &str) -> String {
        let d = self.dialect;
        let mut lines = Vec::new();
        let star = match &s.from {
            From::Table(_) => s.whole,
            From::Join { .. } => false,
        };
        let items: Vec<String> = s
            .columns
            .iter()
            .map(|(name, e)| {
                let n = ident(name, d);
                if e.text == n || e.text.ends_with(&format!(".{n}")) {
                    e.text.clone()
                } else {
                    format!("{} AS {n}", e.text)
                }
            })
            .collect();
        let head = if s.distinct {
            "SELECT DISTINCT"
        } else {
            "SELECT"
        };
        if star {
            lines.push(format!("{head} *"));
        } else if items.iter().map(|i| i.len() + 2).sum::<usize>() + head.len() <= 80 {
            lines.push(format!("{head} {}", items.join(", ")));
        } else {
            lines.push(head.to_string());
            let n = items.len();
            for (i, item) in items.into_iter().enumerate() {
                lines.push(format!("  {item}{}", if i + 1 < n { "," } else { "" }));
            }
        }
        match &s.from {
            From::Table(t) => lines.push(format!("FROM {}", ident(t, d))),
            From::Join {
                left,
                right,
                on,
                left_join,
            } => {
                let item = |(name, alias): &(String, String)| {
                    if name == alias {
                        ident(name, d)
                    } else {
                        format!("{} AS {}", ident(name, d), ident(alias, d))
                    }
                };
                lines.push(format!("FROM {}", item(left)));
                let cond: Vec<String> = on.iter().map(|(a, b)| format!("{a} = {b}")).collect();
                lines.push(format!(
                    "{} {} ON {}",
                    if *left_join { "LEFT JOIN" } else { "JOIN" },
                    item(right),
                    cond.join(" AND ")
                ));
            }
        }
        if !s.filters.is_empty() {
            let conds: Vec<String> = if s.filters.len() == 1 {
                vec![s.filters[0].text.clone()]
            } else {
                s.filters.iter().map(|f| f.at(super::expr::AND)).collect()
            };
            lines.push(format!("WHERE {}", conds.join(" AND ")));
        }
        if let Some(keys) = &s.group {
            if !keys.is_empty() {
                let keys: Vec<&str> = keys.iter().map(|k| k.text.as_str()).collect();
                lines.push(format!("GROUP BY {}", keys.join(", ")));
            }
        }
        if let Some(h) = &s.having {
            lines.push(format!("HAVING {}", h.text));
        }
        if !s.order.is_empty() {
            let keys: Vec<String> = s
                .order
                .iter()
                .map(|k| {
                    let by_name = k.column.as_ref().filter(|(n, e)| {
                        let mut same = s.columns.iter().filter(|(m, _)| m == n);
                        same.next().is_some_and(|(_, c)| &c.text == e) && same.next().is_none()
                    });
                    match by_name {
                        Some((n, _)) => format!("{}{}", ident(n, d), k.suffix),
                        None => format!("{}{}", k.text, k.suffix),
                    }
                })
                .collect();
            lines.push(format!("ORDER BY {}", keys.join(", ")));
        }
        if let Some(n) = s.limit {
            lines.push(format!("LIMIT {n}"));
        }
        lines
            .into_iter()
            .map(|l| format!("{indent}{l}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}
