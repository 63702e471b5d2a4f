//! Text → AST. One `parse_<rule>` function per grammar rule; the Pratt table
//! below is built from the one definition of operator precedence,
//! [`super::precedence`]. Syntax errors are turned
//! into words users know ("expected a clause such as where, select, sort").

use super::ast::*;
use super::keywords::{clause_words, is_aggregate, is_keyword, other_words};
use super::precedence::Prec;
use super::tokens::{tokens, Tok};
use crate::error::{closest, Error, ErrorKind, Result};
use crate::limits::{expression_too_deep, MAX_EXPR_DEPTH, MAX_NESTING};
use crate::source::Span;
use crate::value::date_from_ymd;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser as _;
use std::cell::Cell;
use std::sync::OnceLock;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/itq.pest"]
struct Grammar;

/// Parses a whole script (or a prompt entry) into statements.
pub fn parse_script(text: &str) -> Result<Script> {
    crate::stack::deep(|| parse_script_here(text))
}

fn parse_script_here(text: &str) -> Result<Script> {
    check_nesting(text)?;
    let mut pairs = Grammar::parse(Rule::program, text).map_err(|e| syntax_error(text, e))?;
    let program = pairs
        .next()
        .expect("the program rule always yields one pair");
    let params = program
        .clone()
        .into_inner()
        .flatten()
        .filter(|p| p.as_rule() == Rule::param)
        .map(|p| Ident {
            name: p.as_str()[1..].to_string(),
            span: span_of(&p),
        })
        .collect();
    let mut statements = Vec::new();
    for pair in program.into_inner() {
        match pair.as_rule() {
            Rule::stmt_end | Rule::EOI => {}
            _ => statements.push(parse_statement(pair)?),
        }
    }
    Ok(Script { statements, params })
}

/// Parses a single expression (used for `let` scalars given on the command
/// line and in tests). The expression's own span is in `text`; the spans
/// inside it are in the text [`parse_expression_in`] returns.
pub fn parse_expression(text: &str) -> Result<Expr> {
    let (_, mut expr) = parse_expression_in(text)?;
    expr.span = Span::new(0, text.len());
    Ok(expr)
}

/// What [`parse_expression_in`] puts before the expression: a `where`
/// clause takes only an expression, so a call (`year(date)`) or a
/// parenthesised one stays an expression, not a relation or a subquery.
const WRAP: &str = "x where ";

/// The expression `text` parsed as the condition of `x where text`, which
/// is returned too: every span of the expression points into it.
pub fn parse_expression_in(text: &str) -> Result<(String, Expr)> {
    let wrapped = format!("{WRAP}{text}\n");
    let script = parse_script(&wrapped)?;
    let mut statements = script.statements.into_iter();
    if let (Some(StatementKind::Query(query)), None) =
        (statements.next().map(|s| s.kind), statements.next())
    {
        let mut clauses = query.clauses.into_iter();
        if let (Some(ClauseKind::Where(expr)), None) =
            (clauses.next().map(|c| c.kind), clauses.next())
        {
            return Ok((wrapped, expr));
        }
    }
    Err(Error::new(ErrorKind::Syntax {
        expected: "an expression".into(),
        found: format!("`{text}`"),
    }))
}

fn check_nesting(text: &str) -> Result<()> {
    let mut depth = 0usize;
    for t in tokens(text).filter(|t| t.kind == Tok::Punct) {
        match t.text(text) {
            "(" => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Error::at(
                        ErrorKind::Invalid(format!(
                            "parentheses nest more than {MAX_NESTING} deep"
                        )),
                        t.span(),
                    )
                    .with_help("split the query with `let` into named steps"));
                }
            }
            ")" => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn span_of(pair: &Pair<Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

fn parse_statement(pair: Pair<Rule>) -> Result<Statement> {
    let span = span_of(&pair);
    let kind = match pair.as_rule() {
        Rule::query => StatementKind::Query(parse_query(pair)?),
        Rule::let_stmt => {
            let mut inner = pair.into_inner();
            inner.next(); // let
            let name = parse_ident(next(&mut inner));
            inner.next(); // =
            let value = next(&mut inner);
            match value.as_rule() {
                Rule::query => StatementKind::Let {
                    name,
                    query: parse_query(value)?,
                },
                _ => StatementKind::LetScalar {
                    name,
                    expr: parse_expr(value)?,
                },
            }
        }
        Rule::def_stmt => {
            let mut inner = pair.into_inner();
            inner.next(); // def
            let name = parse_ident(next(&mut inner));
            let mut params = Vec::new();
            let mut body = None;
            for p in inner {
                match p.as_rule() {
                    Rule::param_list => params = p.into_inner().map(parse_ident).collect(),
                    Rule::query => body = Some(parse_query(p)?),
                    _ => {}
                }
            }
            StatementKind::Def {
                name,
                params,
                body: body.expect("the grammar requires a def body"),
            }
        }
        Rule::load_stmt => StatementKind::Load(parse_load(pair)?),
        Rule::describe_stmt => {
            let mut inner = pair.into_inner();
            inner.next(); // describe
            StatementKind::Describe(parse_dotted(next(&mut inner)))
        }
        Rule::attach_stmt => {
            let mut inner = pair.into_inner();
            inner.next(); // attach
            let url = parse_primary(next(&mut next(&mut inner).into_inner()))?;
            inner.next(); // as
            StatementKind::Attach {
                url,
                name: parse_ident(next(&mut inner)),
            }
        }
        Rule::detach_stmt => {
            let mut inner = pair.into_inner();
            inner.next(); // detach
            StatementKind::Detach(parse_ident(next(&mut inner)))
        }
        Rule::save_stmt => {
            let mut query = None;
            let mut path = None;
            let mut replace = false;
            let mut bom = false;
            let mut sheet = None;
            for p in pair.into_inner() {
                match p.as_rule() {
                    Rule::query => query = Some(parse_query(p)?),
                    Rule::file_path => path = Some(parse_primary(next(&mut p.into_inner()))?),
                    Rule::save_replace => replace = true,
                    Rule::save_bom => bom = true,
                    Rule::save_sheet => {
                        let s = next(&mut p.into_inner());
                        let span = span_of(&s);
                        sheet = Some((unescape(s.as_str(), span)?, span));
                    }
                    _ => {}
                }
            }
            StatementKind::Save {
                query: query.expect("the grammar requires a query to save"),
                path: path.expect("the grammar requires a path to save to"),
                replace,
                bom,
                sheet,
            }
        }
        r => unreachable!("statement rule {r:?}"),
    };
    Ok(Statement { kind, span })
}

fn parse_load(pair: Pair<Rule>) -> Result<Load> {
    let mut load = Load {
        path: Expr {
            kind: ExprKind::Null,
            span: span_of(&pair),
        },
        name: None,
        types: Vec::new(),
        units: Vec::new(),
        format: None,
        delimiter: None,
        settings: Vec::new(),
    };
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::file_path => load.path = parse_primary(next(&mut p.into_inner()))?,
            Rule::ident => load.name = Some(parse_ident(p)),
            Rule::load_types => {
                for spec in p.into_inner().filter(|s| s.as_rule() == Rule::type_spec) {
                    let mut inner = spec.into_inner();
                    let column = parse_ident(next(&mut inner));
                    inner.next(); // :
                    load.types
                        .push((column.clone(), parse_ident(next(&mut inner))));
                    if let Some(unit) = inner.next() {
                        let u = next(&mut unit.into_inner());
                        let span = span_of(&u);
                        let name = match u.as_rule() {
                            Rule::string => unescape(u.as_str(), span)?,
                            _ => parse_ident(u).name,
                        };
                        load.units.push((column, Ident { name, span }));
                    }
                }
            }
            Rule::load_format => load.format = Some(parse_ident(next_ident(p))),
            Rule::load_delim => {
                let s = p
                    .into_inner()
                    .find(|s| s.as_rule() == Rule::string)
                    .expect("the grammar requires a delimiter string");
                let span = span_of(&s);
                load.delimiter = Some((unescape(s.as_str(), span)?, span));
            }
            Rule::load_setting => {
                let mut inner = p.into_inner();
                let word = next(&mut inner);
                let name = Ident {
                    name: word.as_str().to_lowercase(),
                    span: span_of(&word),
                };
                let v = next(&mut inner);
                let span = span_of(&v);
                let value = match v.as_rule() {
                    Rule::string => SettingValue::Text(unescape(v.as_str(), span)?, span),
                    Rule::integer => {
                        let digits: String = v.as_str().chars().filter(|c| *c != '_').collect();
                        SettingValue::Count(digits.parse().ok(), span)
                    }
                    _ => {
                        let items = v
                            .into_inner()
                            .filter(|s| s.as_rule() == Rule::string)
                            .map(|s| {
                                let span = span_of(&s);
                                Ok((unescape(s.as_str(), span)?, span))
                            })
                            .collect::<Result<Vec<_>>>()?;
                        SettingValue::List(items, span)
                    }
                };
                load.settings.push(LoadSetting { name, value });
            }
            _ => {}
        }
    }
    Ok(load)
}

fn next_ident(pair: Pair<Rule>) -> Pair<Rule> {
    pair.into_inner()
        .find(|p| p.as_rule() == Rule::ident)
        .expect("the grammar requires a name here")
}

fn next<'a>(pairs: &mut Pairs<'a, Rule>) -> Pair<'a, Rule> {
    pairs.next().expect("the grammar guarantees this child")
}

fn parse_ident(pair: Pair<Rule>) -> Ident {
    let span = span_of(&pair);
    let text = pair.as_str();
    let name = text
        .strip_prefix('`')
        .and_then(|t| t.strip_suffix('`'))
        .unwrap_or(text);
    Ident {
        name: name.to_string(),
        span,
    }
}

/// A `source_name`: `name`, or `wh.table` as one name with the dot.
fn parse_dotted(pair: Pair<Rule>) -> Ident {
    let span = span_of(&pair);
    let parts: Vec<String> = pair.into_inner().map(|p| parse_ident(p).name).collect();
    Ident {
        name: parts.join("."),
        span,
    }
}

fn parse_query(pair: Pair<Rule>) -> Result<Query> {
    let span = span_of(&pair);
    let mut inner = pair.into_inner();
    let source = parse_source(next(&mut inner))?;
    let clauses = inner.map(parse_clause).collect::<Result<_>>()?;
    Ok(Query {
        source,
        clauses,
        span,
    })
}

fn parse_source(pair: Pair<Rule>) -> Result<Source> {
    let span = span_of(&pair);
    Ok(match pair.as_rule() {
        Rule::source_name => Source::Name(parse_dotted(pair)),
        Rule::source_call => {
            let mut inner = pair.into_inner();
            let name = parse_ident(next(&mut inner));
            let args = inner
                .filter(|p| p.as_rule() == Rule::expr)
                .map(parse_expr)
                .collect::<Result<_>>()?;
            Source::Call { name, args, span }
        }
        Rule::paren_query => {
            let q = pair
                .into_inner()
                .find(|p| p.as_rule() == Rule::query)
                .expect("a parenthesised query holds a query");
            Source::Query(Box::new(parse_query(q)?))
        }
        r => unreachable!("source rule {r:?}"),
    })
}

fn parse_clause(pair: Pair<Rule>) -> Result<Clause> {
    let span = span_of(&pair);
    let rule = pair.as_rule();
    let mut inner = pair.into_inner();
    let kind = match rule {
        Rule::where_clause => {
            inner.next();
            ClauseKind::Where(parse_expr(next(&mut inner))?)
        }
        Rule::select_clause => {
            inner.next();
            ClauseKind::Select(inner.map(parse_item).collect::<Result<_>>()?)
        }
        Rule::derive_clause => {
            inner.next();
            let (mut items, mut per, mut along) = (Vec::new(), Vec::new(), Vec::new());
            for p in inner {
                match p.as_rule() {
                    Rule::derive_item => items.push(parse_item(p)?),
                    Rule::window_per => per = parse_per(p)?,
                    Rule::window_along => along = parse_sort_keys(p.into_inner().skip(1))?,
                    r => unreachable!("derive child {r:?}"),
                }
            }
            ClauseKind::Derive { items, per, along }
        }
        Rule::aggregate_clause => {
            let mut items = Vec::new();
            let mut by = Vec::new();
            for p in inner {
                match p.as_rule() {
                    Rule::agg_item => items.push(parse_agg_item(p)?),
                    Rule::group_by => {
                        by = p
                            .into_inner()
                            .filter(|k| k.as_rule() == Rule::group_key)
                            .map(parse_item)
                            .collect::<Result<_>>()?
                    }
                    r => unreachable!("aggregate child {r:?}"),
                }
            }
            ClauseKind::Aggregate { items, by }
        }
        Rule::sort_clause => {
            inner.next();
            ClauseKind::Sort(parse_sort_keys(inner)?)
        }
        Rule::limit_clause => {
            inner.next();
            ClauseKind::Limit(parse_expr(next(&mut inner))?)
        }
        Rule::top_clause => {
            inner.next();
            let n = parse_expr(next(&mut inner))?;
            inner.next(); // by
            let by = parse_expr(next(&mut inner))?;
            let (mut descending, mut per) = (true, Vec::new());
            for p in inner {
                match p.as_rule() {
                    Rule::direction => descending = is_descending(p),
                    Rule::window_per => per = parse_per(p)?,
                    r => unreachable!("top child {r:?}"),
                }
            }
            ClauseKind::Top {
                n,
                by,
                descending,
                per,
            }
        }
        Rule::join_clause => {
            let mut left = false;
            let mut source = None;
            let mut keys = Vec::new();
            for p in inner {
                match p.as_rule() {
                    Rule::join_left => left = true,
                    Rule::join_key => {
                        let mut computed = None;
                        let mut names = Vec::new();
                        for n in p.into_inner() {
                            match n.as_rule() {
                                Rule::call => {
                                    let call = parse_primary(n.clone())?;
                                    // The key is named as `itq fmt` prints the call, so
                                    // formatting never changes the key's column name.
                                    let written = n.as_str();
                                    names.push(Ident {
                                        name: crate::syntax::format::format_expression(written)
                                            .unwrap_or_else(|| written.to_string()),
                                        span: call.span,
                                    });
                                    computed = Some(call);
                                }
                                Rule::ident => names.push(parse_ident(n)),
                                _ => {}
                            }
                        }
                        let mut names = names.into_iter();
                        let l = names.next().expect("a join key names a column");
                        let (r, shared) = match names.next() {
                            Some(r) => (r, false),
                            None => (l.clone(), true),
                        };
                        keys.push(JoinKey {
                            left: l,
                            right: r,
                            shared,
                            computed,
                        });
                    }
                    Rule::source_name | Rule::source_call | Rule::paren_query => {
                        source = Some(parse_source(p)?)
                    }
                    _ => {}
                }
            }
            ClauseKind::Join {
                left,
                source: source.expect("a join names its right-hand side"),
                keys,
            }
        }
        Rule::distinct_clause => {
            inner.next();
            ClauseKind::Distinct(inner.map(parse_ident).collect())
        }
        Rule::chart_clause => ClauseKind::Chart,
        Rule::append_clause => {
            inner.next();
            ClauseKind::Append(parse_source(next(&mut inner))?)
        }
        Rule::union_clause => {
            inner.next();
            ClauseKind::Union(parse_source(next(&mut inner))?)
        }
        Rule::pivot_clause => {
            let (mut column, mut values, mut agg, mut by) = (None, Vec::new(), None, Vec::new());
            for p in inner {
                match p.as_rule() {
                    Rule::ident => column = Some(parse_ident(p)),
                    Rule::expr => values.push(parse_expr(p)?),
                    Rule::agg_item => agg = Some(parse_agg_item(p)?),
                    Rule::group_by => {
                        for k in p.into_inner().filter(|k| k.as_rule() == Rule::group_key) {
                            by.push(parse_item(k)?);
                        }
                    }
                    _ => {}
                }
            }
            ClauseKind::Pivot {
                column: column.expect("pivot names a column"),
                values,
                agg: agg.expect("pivot has an aggregate"),
                by,
            }
        }
        Rule::unpivot_clause => {
            let mut names: Vec<Ident> = inner
                .filter(|p| p.as_rule() == Rule::ident)
                .map(parse_ident)
                .collect();
            let value = names.pop().expect("unpivot names a value column");
            let name = names.pop().expect("unpivot names a name column");
            ClauseKind::Unpivot {
                columns: names,
                name,
                value,
            }
        }
        Rule::cite_clause => ClauseKind::Cite,
        Rule::why_clause => {
            inner.next();
            match inner.next() {
                Some(n) => ClauseKind::Why(Some(n.as_str().parse().map_err(|_| {
                    Error::at(
                        ErrorKind::Invalid(format!("row number {} is too large", n.as_str())),
                        span_of(&n),
                    )
                })?)),
                None => ClauseKind::Why(None),
            }
        }
        r => unreachable!("clause rule {r:?}"),
    };
    Ok(Clause { kind, span })
}

fn parse_sort_keys<'i>(keys: impl Iterator<Item = Pair<'i, Rule>>) -> Result<Vec<SortKey>> {
    keys.map(|k| {
        let mut parts = k.into_inner();
        let expr = parse_expr(next(&mut parts))?;
        Ok(SortKey {
            expr,
            descending: parts.next().is_some_and(is_descending),
        })
    })
    .collect()
}

/// The keys of `per KEY, ...`.
fn parse_per(pair: Pair<Rule>) -> Result<Vec<Expr>> {
    pair.into_inner()
        .filter(|p| p.as_rule() == Rule::expr)
        .map(parse_expr)
        .collect()
}

fn is_descending(direction: Pair<Rule>) -> bool {
    direction
        .into_inner()
        .next()
        .is_some_and(|d| d.as_rule() == Rule::kw_desc)
}

fn parse_item(pair: Pair<Rule>) -> Result<Item> {
    let mut inner = pair.into_inner();
    let expr = parse_expr(next(&mut inner))?;
    let alias = inner.find(|p| p.as_rule() == Rule::ident).map(parse_ident);
    Ok(Item { expr, alias })
}

fn parse_agg_item(pair: Pair<Rule>) -> Result<AggItem> {
    let span = span_of(&pair);
    let mut item = AggItem {
        func: AggFn::Count,
        distinct: false,
        arg: None,
        arg2: None,
        alias: None,
        span,
    };
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::agg_fn => {
                let word = next(&mut p.into_inner());
                item.func = match word.as_rule() {
                    Rule::kw_count => AggFn::Count,
                    Rule::kw_sum => AggFn::Sum,
                    Rule::kw_avg => AggFn::Avg,
                    Rule::kw_min => AggFn::Min,
                    Rule::kw_max => AggFn::Max,
                    Rule::kw_median => AggFn::Median,
                    Rule::agg_name => AggFn::from_name(word.as_str())
                        .expect("the grammar's aggregate names are in AGGREGATES"),
                    r => unreachable!("aggregate {r:?}"),
                }
            }
            Rule::agg_args => {
                let mut args = p.into_inner().filter(|a| a.as_rule() == Rule::expr);
                let mut arg = || args.next().expect("the grammar gives two arguments");
                item.arg = Some(parse_expr(arg())?);
                item.arg2 = Some(parse_expr(arg())?);
                if let Some(extra) = args.next() {
                    return Err(Error::at(
                        ErrorKind::Invalid(format!(
                            "`{}` takes two arguments, not more",
                            item.func.name()
                        )),
                        span_of(&extra),
                    ));
                }
            }
            Rule::agg_distinct => item.distinct = true,
            Rule::expr => item.arg = Some(parse_expr(p)?),
            Rule::ident => item.alias = Some(parse_ident(p)),
            _ => {}
        }
    }
    Ok(item)
}

/// The grammar's operator rules and what each is.
#[derive(Clone, Copy)]
enum Fixity {
    Infix(BinaryOp),
    Prefix(UnaryOp),
    Postfix,
}

const OPERATORS: [(Rule, Fixity); 23] = [
    (Rule::op_or, Fixity::Infix(BinaryOp::Or)),
    (Rule::op_and, Fixity::Infix(BinaryOp::And)),
    (Rule::op_eq, Fixity::Infix(BinaryOp::Eq)),
    (Rule::op_ne, Fixity::Infix(BinaryOp::Ne)),
    (Rule::op_lt, Fixity::Infix(BinaryOp::Lt)),
    (Rule::op_le, Fixity::Infix(BinaryOp::Le)),
    (Rule::op_gt, Fixity::Infix(BinaryOp::Gt)),
    (Rule::op_ge, Fixity::Infix(BinaryOp::Ge)),
    (Rule::op_contains, Fixity::Infix(BinaryOp::Contains)),
    (Rule::op_add, Fixity::Infix(BinaryOp::Add)),
    (Rule::op_sub, Fixity::Infix(BinaryOp::Sub)),
    (Rule::op_mul, Fixity::Infix(BinaryOp::Mul)),
    (Rule::op_div, Fixity::Infix(BinaryOp::Div)),
    (Rule::op_not, Fixity::Prefix(UnaryOp::Not)),
    (Rule::op_neg, Fixity::Prefix(UnaryOp::Neg)),
    (Rule::op_in, Fixity::Postfix),
    (Rule::op_in_query, Fixity::Postfix),
    (Rule::op_not_in_query, Fixity::Postfix),
    (Rule::op_not_in, Fixity::Postfix),
    (Rule::op_between, Fixity::Postfix),
    (Rule::op_not_between, Fixity::Postfix),
    (Rule::op_is_null, Fixity::Postfix),
    (Rule::op_is_not_null, Fixity::Postfix),
];

/// What the operator rule `rule` is.
fn fixity(rule: Rule) -> Fixity {
    OPERATORS
        .iter()
        .find(|(r, _)| *r == rule)
        .map(|(_, f)| *f)
        .unwrap_or_else(|| unreachable!("{rule:?} is not an operator"))
}

/// The Pratt table, built level by level from [`Prec`], the one definition of precedence.
fn pratt() -> &'static PrattParser<Rule> {
    static PRATT: OnceLock<PrattParser<Rule>> = OnceLock::new();
    PRATT.get_or_init(|| {
        let mut pratt = PrattParser::new();
        for level in Prec::OPERATORS {
            let ops = OPERATORS.iter().filter_map(|&(rule, f)| match f {
                Fixity::Infix(op) if Prec::of_binary(op) == level => {
                    Some(Op::infix(rule, Assoc::Left))
                }
                Fixity::Prefix(op) if Prec::of_unary(op) == level => Some(Op::prefix(rule)),
                Fixity::Postfix if Prec::POSTFIX == level => Some(Op::postfix(rule)),
                _ => None,
            });
            if let Some(op) = ops.reduce(|a, b| a | b) {
                pratt = pratt.op(op);
            }
        }
        pratt
    })
}

fn parse_expr(pair: Pair<Rule>) -> Result<Expr> {
    // pest's Pratt parser recurses once per prefix operator before any of the
    // closures below runs, so a long run of `not` or `-` is refused first.
    let outer = PREFIX_DEPTH.get();
    let (mut run, mut longest) = (0, 0);
    magnitude_negated(pair.clone().into_inner())?;
    for p in pair.clone().into_inner() {
        if matches!(p.as_rule(), Rule::op_neg | Rule::op_not) {
            run += 1;
            longest = longest.max(run);
            if outer + run > MAX_EXPR_DEPTH {
                return Err(expression_too_deep(span_of(&p)));
            }
        } else {
            run = 0;
        }
    }
    let _nested = PrefixDepth::enter(outer + longest);
    crate::stack::deeper(|| pratt_expr(pair).map(|(e, _)| e))
}

thread_local! {
    /// Prefix operators on the way from the outermost expression being parsed
    /// down to the current one (through parentheses and calls).
    static PREFIX_DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Adds to [`PREFIX_DEPTH`] while an expression is parsed, and restores it.
struct PrefixDepth(usize);

impl PrefixDepth {
    fn enter(depth: usize) -> PrefixDepth {
        PrefixDepth(PREFIX_DEPTH.replace(depth))
    }
}

impl Drop for PrefixDepth {
    fn drop(&mut self) {
        PREFIX_DEPTH.set(self.0);
    }
}

/// How many levels `e` has (a literal has one). `e`'s operands were parsed
/// by [`parse_expr`], so each is at most [`MAX_EXPR_DEPTH`] deep and the
/// recursion is bounded.
fn height(e: &Expr) -> usize {
    let below = match &e.kind {
        ExprKind::Call { args, .. } => args.iter().map(height).max().unwrap_or(0),
        ExprKind::Unary { expr, .. } | ExprKind::IsNull { expr, .. } => height(expr),
        ExprKind::Binary { left, right, .. } => height(left).max(height(right)),
        ExprKind::In { expr, list, .. } => list.iter().map(height).fold(height(expr), usize::max),
        ExprKind::InQuery { expr, .. } => height(expr),
        ExprKind::Between {
            expr, low, high, ..
        } => height(expr).max(height(low)).max(height(high)),
        _ => 0,
    };
    below + 1
}

/// An expression with its height, refused once it is deeper than the checker
/// allows, so that no stage (nor dropping the tree) recurses without bound.
fn sized(e: Expr, height: usize) -> Result<(Expr, usize)> {
    if height > MAX_EXPR_DEPTH {
        return Err(expression_too_deep(e.span));
    }
    Ok((e, height))
}

fn pratt_expr(pair: Pair<Rule>) -> Result<(Expr, usize)> {
    pratt()
        .map_primary(|p| {
            let e = parse_primary(p)?;
            let h = height(&e);
            sized(e, h)
        })
        .map_prefix(|op, rhs| {
            let (rhs, below) = rhs?;
            let Fixity::Prefix(op_kind) = fixity(op.as_rule()) else {
                unreachable!("prefix {:?}", op.as_rule())
            };
            let span = span_of(&op).to(rhs.span);
            // Fold `-` into numeric literals so `-9223372036854775808` and `-1.5` are literals.
            if op_kind == UnaryOp::Neg {
                if let Some(kind) = negated_literal(&rhs, op.as_span().get_input()) {
                    return sized(Expr { kind, span }, below);
                }
            }
            sized(
                Expr {
                    kind: ExprKind::Unary {
                        op: op_kind,
                        expr: Box::new(rhs),
                    },
                    span,
                },
                below + 1,
            )
        })
        .map_infix(|lhs, op, rhs| {
            let ((lhs, lh), (rhs, rh)) = (lhs?, rhs?);
            let Fixity::Infix(op) = fixity(op.as_rule()) else {
                unreachable!("infix {:?}", op.as_rule())
            };
            sized(
                Expr {
                    span: lhs.span.to(rhs.span),
                    kind: ExprKind::Binary {
                        op,
                        left: Box::new(lhs),
                        right: Box::new(rhs),
                    },
                },
                lh.max(rh) + 1,
            )
        })
        .map_postfix(|lhs, op| {
            let (lhs, lh) = lhs?;
            let span = lhs.span.to(span_of(&op));
            let rule = op.as_rule();
            if matches!(rule, Rule::op_in_query | Rule::op_not_in_query) {
                let q = op
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::in_query)
                    .expect("`in (QUERY)` holds a query");
                let query = parse_query(q)?;
                let kind = ExprKind::InQuery {
                    expr: Box::new(lhs),
                    query: Box::new(query),
                    negated: rule == Rule::op_not_in_query,
                };
                return sized(Expr { kind, span }, lh + 1);
            }
            let operands: Vec<Expr> = op
                .into_inner()
                .filter(|p| matches!(p.as_rule(), Rule::expr | Rule::bound))
                .map(parse_operand)
                .collect::<Result<_>>()?;
            let operands_height = operands.iter().map(height).max().unwrap_or(0);
            let expr = Box::new(lhs);
            let kind = match rule {
                Rule::op_is_null | Rule::op_is_not_null => ExprKind::IsNull {
                    expr,
                    negated: rule == Rule::op_is_not_null,
                },
                Rule::op_in | Rule::op_not_in => ExprKind::In {
                    expr,
                    list: operands,
                    negated: rule == Rule::op_not_in,
                },
                Rule::op_between | Rule::op_not_between => {
                    let mut it = operands.into_iter();
                    let (low, high) = (it.next(), it.next());
                    ExprKind::Between {
                        expr,
                        low: Box::new(low.expect("between has a low bound")),
                        high: Box::new(high.expect("between has a high bound")),
                        negated: rule == Rule::op_not_between,
                    }
                }
                r => unreachable!("postfix {r:?}"),
            };
            let below = operands_height.max(lh);
            sized(Expr { kind, span }, below + 1)
        })
        .parse(pair.into_inner())
}

/// An `expr` or a `bound` of `between` (an optional minus and one operand).
fn parse_operand(pair: Pair<Rule>) -> Result<Expr> {
    match pair.as_rule() {
        Rule::expr => parse_expr(pair),
        _ => {
            // bound = op_neg? primary: reuse the Pratt parser on its children.
            pratt()
                .map_primary(parse_primary)
                .map_prefix(|op, rhs| {
                    let rhs = rhs?;
                    let span = span_of(&op).to(rhs.span);
                    Ok(match negated_literal(&rhs, op.as_span().get_input()) {
                        Some(kind) => Expr { kind, span },
                        None => Expr {
                            kind: ExprKind::Unary {
                                op: UnaryOp::Neg,
                                expr: Box::new(rhs),
                            },
                            span,
                        },
                    })
                })
                .map_infix(|l, _, _| l)
                .parse({
                    magnitude_negated(pair.clone().into_inner())?;
                    pair.into_inner()
                })
        }
    }
}

/// The digits of `-9223372036854775808`, the one integer literal whose
/// magnitude is not itself an integer.
const I64_MIN_MAGNITUDE: &str = "9223372036854775808";

fn integer_too_large(text: &str, span: Span) -> Error {
    let digits: String = text.chars().filter(|c| *c != '_').collect();
    Error::at(
        ErrorKind::Literal(format!(
            "the integer `{text}` is too large (integers go up to 9223372036854775807)"
        )),
        span,
    )
    .with_help(format!(
        "write it as a decimal, `{digits}.0`, if an approximate value will do"
    ))
}

/// Refuses `9223372036854775808` unless a prefix minus comes just before it
/// (then it is i64::MIN), among the operators and operands of one expression.
fn magnitude_negated(pairs: pest::iterators::Pairs<Rule>) -> Result<()> {
    let mut after_minus = false;
    for p in pairs {
        if p.as_rule() == Rule::integer
            && !after_minus
            && p.as_str().replace('_', "") == I64_MIN_MAGNITUDE
        {
            return Err(integer_too_large(p.as_str(), span_of(&p)));
        }
        after_minus = p.as_rule() == Rule::op_neg;
    }
    Ok(())
}

/// A numeric literal with a minus folded in, if `rhs` is one. i64::MIN
/// (already negated) is not negated again: `--9223372036854775808` is left
/// to overflow when computed.
fn negated_literal(rhs: &Expr, input: &str) -> Option<ExprKind> {
    match rhs.kind {
        // Already negated, as written (`-9223372036854775808`) or inside
        // parentheses (`-(-9223372036854775808)`, as `itq fmt` prints it).
        ExprKind::Int(i64::MIN)
            if input
                .get(rhs.span.start..rhs.span.end)
                .unwrap_or("")
                .trim_start_matches(|c: char| c == '(' || c.is_whitespace())
                .starts_with('-') =>
        {
            None
        }
        ExprKind::Int(v) => Some(ExprKind::Int(v.wrapping_neg())),
        ExprKind::Decimal(v) => Some(ExprKind::Decimal(-v)),
        _ => None,
    }
}

fn parse_primary(pair: Pair<Rule>) -> Result<Expr> {
    let span = span_of(&pair);
    let text = pair.as_str();
    let kind = match pair.as_rule() {
        Rule::paren_expr => {
            let inner = pair
                .into_inner()
                .find(|p| p.as_rule() == Rule::expr)
                .expect("parentheses hold an expression");
            let mut e = parse_expr(inner)?;
            e.span = span;
            return Ok(e);
        }
        Rule::integer => {
            let digits: String = text.chars().filter(|c| *c != '_').collect();
            match digits.parse::<i64>() {
                Ok(v) => ExprKind::Int(v),
                // i64::MIN's magnitude: [`magnitude_negated`] made sure a
                // minus comes just before, and folding it in gives i64::MIN.
                Err(_) if digits == I64_MIN_MAGNITUDE => ExprKind::Int(i64::MIN),
                Err(_) => return Err(integer_too_large(text, span)),
            }
        }
        Rule::decimal => {
            let digits: String = text.chars().filter(|c| *c != '_').collect();
            match digits.parse::<f64>() {
                // A nonzero number that reads as 0 is below the decimal range.
                Ok(v)
                    if v == 0.0
                        && digits
                            .split(['e', 'E'])
                            .next()
                            .is_some_and(|m| m.contains(|c: char| ('1'..='9').contains(&c))) =>
                {
                    return Err(Error::at(
                        ErrorKind::Literal(format!("the number `{text}` is too small")),
                        span,
                    )
                    .with_help("decimals reach down to about 5e-324; write 0 if zero is meant"))
                }
                Ok(v) if v.is_finite() => ExprKind::Decimal(v),
                _ => {
                    return Err(Error::at(
                        ErrorKind::Literal(format!("the number `{text}` is too large")),
                        span,
                    )
                    .with_help("decimals go up to about 1.8e308"))
                }
            }
        }
        Rule::date => {
            let (y, m, d) = (&text[0..4], &text[5..7], &text[8..10]);
            let parsed = match (y.parse(), m.parse(), d.parse()) {
                (Ok(y), Ok(m), Ok(d)) => date_from_ymd(y, m, d),
                _ => None,
            };
            match parsed {
                Some(days) => ExprKind::Date(days),
                None => {
                    return Err(Error::at(
                        ErrorKind::Literal(format!("`{text}` is not a date in the calendar")),
                        span,
                    )
                    .with_help("dates are written YYYY-MM-DD, with a month from 01 to 12 and a day that exists in that month"))
                }
            }
        }
        Rule::string => ExprKind::Text(unescape(text, span)?),
        Rule::param => ExprKind::Param(Ident {
            name: text[1..].to_string(),
            span,
        }),
        Rule::kw_true => ExprKind::Bool(true),
        Rule::kw_false => ExprKind::Bool(false),
        Rule::kw_null => ExprKind::Null,
        Rule::call => {
            let mut inner = pair.into_inner();
            let name = parse_ident(next(&mut inner));
            let args = inner
                .filter(|p| p.as_rule() == Rule::expr)
                .map(parse_expr)
                .collect::<Result<_>>()?;
            ExprKind::Call { name, args }
        }
        Rule::column => {
            let inner = next(&mut pair.into_inner());
            match inner.as_rule() {
                Rule::ident => ExprKind::Name(parse_ident(inner)),
                _ => ExprKind::Name(Ident {
                    name: inner.as_str().to_lowercase(),
                    span,
                }),
            }
        }
        r => unreachable!("primary {r:?}"),
    };
    Ok(Expr { kind, span })
}

/// Resolves the escapes of a quoted string: `\"` `\'` `\\` `\n` `\t` `\r` `\u{…}`.
fn unescape(quoted: &str, span: Span) -> Result<String> {
    let body = &quoted[1..quoted.len() - 1];
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let esc_span = Span::new(span.start + 1 + i, span.start + 1 + i + 2);
        match chars.next().map(|(_, c)| c) {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(c @ ('"' | '\'' | '\\')) => out.push(c),
            Some('u') => {
                let rest = &body[i + 2..];
                let code = rest
                    .strip_prefix('{')
                    .and_then(|r| r.split_once('}'))
                    .and_then(|(hex, _)| u32::from_str_radix(hex, 16).ok().map(|v| (v, hex.len())));
                match code.and_then(|(v, len)| char::from_u32(v).map(|c| (c, len))) {
                    Some((c, len)) => {
                        out.push(c);
                        for _ in 0..len + 2 {
                            chars.next();
                        }
                    }
                    None => {
                        return Err(Error::at(
                            ErrorKind::Literal("invalid unicode escape in string".into()),
                            esc_span,
                        )
                        .with_help("write a unicode escape as \\u{4E2D}"))
                    }
                }
            }
            other => {
                let shown = other.map_or(String::new(), |c| c.to_string());
                return Err(Error::at(
                    ErrorKind::Literal(format!("unknown escape `\\{shown}` in string")),
                    esc_span,
                )
                .with_help("the escapes are \\\" \\' \\\\ \\n \\t \\r and \\u{XXXX}; write \\\\ for a backslash"));
            }
        }
    }
    Ok(out)
}

// ------------------------------------------------------------ syntax errors

/// Words for what a grammar rule stands for, grouped so a message lists a few
/// things a user recognises rather than every rule pest tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Expected {
    Clause,
    Expression,
    Operator,
    Name,
    Word(&'static str),
    End,
}

fn describe(rule: Rule) -> Option<Expected> {
    use Expected::*;
    Some(match rule {
        Rule::kw_where
        | Rule::kw_select
        | Rule::kw_derive
        | Rule::kw_sort
        | Rule::kw_limit
        | Rule::kw_top
        | Rule::kw_join
        | Rule::join_left
        | Rule::kw_distinct
        | Rule::kw_chart
        | Rule::kw_cite
        | Rule::kw_why
        | Rule::agg_fn
        | Rule::where_clause
        | Rule::select_clause
        | Rule::aggregate_clause => Clause,
        Rule::expr
        | Rule::bound
        | Rule::date
        | Rule::decimal
        | Rule::integer
        | Rule::string
        | Rule::param
        | Rule::kw_true
        | Rule::kw_false
        | Rule::kw_null
        | Rule::call
        | Rule::column
        | Rule::paren_expr
        | Rule::op_neg
        | Rule::op_not => Expression,
        Rule::op_or
        | Rule::op_and
        | Rule::op_eq
        | Rule::op_ne
        | Rule::op_lt
        | Rule::op_le
        | Rule::op_gt
        | Rule::op_ge
        | Rule::op_contains
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div
        | Rule::op_in
        | Rule::op_not_in
        | Rule::op_between
        | Rule::op_not_between
        | Rule::op_is_null
        | Rule::op_is_not_null => Operator,
        Rule::ident
        | Rule::source_name
        | Rule::source_call
        | Rule::paren_query
        | Rule::query
        | Rule::kw_let
        | Rule::kw_def
        | Rule::let_stmt
        | Rule::def_stmt => Name,
        Rule::kw_by => Word("`by`"),
        Rule::kw_as => Word("`as`"),
        Rule::kw_on => Word("`on`"),
        Rule::kw_and
        | Rule::kw_or
        | Rule::kw_in
        | Rule::kw_not
        | Rule::kw_is
        | Rule::kw_between
        | Rule::kw_contains => Operator,
        Rule::direction | Rule::kw_asc | Rule::kw_desc => Word("`asc` or `desc`"),
        Rule::open => Word("`(`"),
        Rule::close => Word("`)`"),
        Rule::equals => Word("`=`"),
        Rule::colon => Word("`:` and a type"),
        Rule::file_path => Word("a file path in double quotes"),
        Rule::kw_to => Word("`to` and a file path"),
        Rule::kw_with | Rule::kw_format | Rule::kw_delimiter | Rule::setting_word => {
            Word("a load option (with, format, delimiter, encoding, skip, header, footer, na, thousands, sheet, range)")
        }
        Rule::save_replace | Rule::save_bom | Rule::save_sheet => {
            Word("`replace`, `bom` or `sheet \"NAME\"`")
        }
        Rule::stmt_end | Rule::EOI => End,
        _ => return None,
    })
}

fn phrase(e: Expected) -> String {
    match e {
        Expected::Clause => {
            "a clause such as where, select, derive, count, sum, sort, limit, top, join, distinct, chart"
                .into()
        }
        Expected::Expression => "an expression (a column, a value or a function call)".into(),
        Expected::Operator => "an operator such as =, and, +".into(),
        Expected::Name => "a name (a query starts with a relation such as `provinces`)".into(),
        Expected::Word(w) => w.into(),
        Expected::End => "the end of the statement".into(),
    }
}

fn syntax_error(text: &str, err: pest::error::Error<Rule>) -> Error {
    let pos = match err.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let rest = &text[pos..];
    let found_word: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let width = if found_word.is_empty() {
        rest.chars().next().map_or(0, |c| c.len_utf8())
    } else {
        found_word.len()
    };
    let span = Span::new(pos, pos + width);

    // An opening quote with no closing one on its line is the commonest slip.
    if let Some(t) = tokens(rest).next() {
        if t.start == 0 && t.kind == (Tok::Str { closed: false }) {
            let quote = &rest[..1];
            return Error::at(
                ErrorKind::Literal("unclosed string".into()),
                Span::new(pos, pos + 1),
            )
            .with_help(format!("add a closing {quote} before the end of the line"));
        }
    }

    let mut expected: Vec<Expected> = match &err.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            positives.iter().filter_map(|r| describe(*r)).collect()
        }
        pest::error::ErrorVariant::CustomError { .. } => vec![],
    };
    expected.sort();
    expected.dedup();
    // After a complete source, `(` (a def call) is a distraction next to the
    // clauses; where an expression may go, "a name" and `(` are part of it.
    if expected.contains(&Expected::Clause) || expected.contains(&Expected::Expression) {
        expected.retain(|e| *e != Expected::Word("`(`"));
    }
    if expected.contains(&Expected::Expression) {
        expected.retain(|e| *e != Expected::Name);
    }
    // Right after `load` or `save ... to`, only a path makes sense.
    let path = Expected::Word("a file path in double quotes");
    let before = text[..pos].trim_end();
    let prev_word = before
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_alphanumeric())
        .map_or(before, |(i, c)| &before[i + c.len_utf8()..])
        .to_lowercase();
    let path_wanted = expected.contains(&path) && (prev_word == "load" || prev_word == "to");
    if path_wanted {
        expected = vec![path];
    }
    let expected_text = match expected.len() {
        0 if text[..pos].trim_end_matches([' ', '\t']).is_empty()
            || text[..pos]
                .trim_end_matches([' ', '\t'])
                .ends_with(['\n', ';']) =>
        {
            "a query (starting with a relation such as `provinces`), `let` or `def`".to_string()
        }
        0 => "something else".to_string(),
        1 => phrase(expected[0]),
        n => {
            let parts: Vec<String> = expected.iter().map(|e| phrase(*e)).collect();
            format!("{}, or {}", parts[..n - 1].join(", "), parts[n - 1])
        }
    };
    let found = if rest.is_empty() {
        "the end of the input".to_string()
    } else if rest.starts_with('\n') || rest.starts_with("\r\n") {
        "the end of the line".to_string()
    } else if !found_word.is_empty() {
        format!("`{found_word}`")
    } else {
        format!("`{}`", &rest[..width])
    };
    let mut error = Error::at(
        ErrorKind::Syntax {
            expected: expected_text,
            found,
        },
        span,
    );
    if path_wanted {
        let written = rest.split_whitespace().next().unwrap_or("data.csv");
        return error.with_help(format!("put the path in double quotes: \"{written}\""));
    }
    if let Some(hint) = super::habits::syntax_hint(text, pos) {
        return error.with_help(hint);
    }

    // A misspelt keyword: suggest the keyword it is closest to.
    // `sum(value)` inside select: aggregates are clauses, not functions.
    let word_before: String = text[..pos]
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if rest.starts_with('(') && is_aggregate(&word_before) {
        return error.with_help(format!(
            "`{word_before}` is an aggregate, written as a clause without parentheses: `events {word_before} value` or `events {word_before} value by province`"
        ));
    }
    if !found_word.is_empty() {
        let lower = found_word.to_lowercase();
        let pool: Vec<&str> = if expected.contains(&Expected::Clause) {
            clause_words().collect()
        } else {
            clause_words().chain(other_words()).collect()
        };
        let at_line_start = text[..pos].ends_with('\n') || pos == 0;
        if at_line_start && clause_words().any(|w| w == lower) && pos > 0 {
            error = error.with_help(format!(
                "a line that starts with `{found_word}` continues the statement above only when it is indented; indent it with spaces"
            ));
        } else if at_line_start
            || (expected.contains(&Expected::Name)
                && !expected.contains(&Expected::Expression)
                && clause_words().any(|w| w == lower))
        {
            error = error.with_help("a query starts with a relation, as in `provinces count` or `events where value > 100`");
        } else if is_keyword(&lower) {
            if expected.contains(&Expected::Name) || expected.contains(&Expected::Expression) {
                error = error.with_help(format!(
                    "`{found_word}` is a keyword; write `{found_word}` in backquotes to use it as a name"
                ));
            }
        } else if let Some(k) = closest(&found_word, pool) {
            error = error.with_help(format!("did you mean `{k}`?"));
        } else if rest.len() > found_word.len()
            && expected.contains(&Expected::Clause)
            && rest[found_word.len()..].trim_start().starts_with('=')
        {
            error = error.with_help(format!("to filter rows, write `where {found_word} = ...`"));
        }
    } else if rest.starts_with(['\n', '\r']) && expected.contains(&Expected::Expression) {
        error = error.with_help(
            "the statement ended too early; to continue it on the next line, indent that line",
        );
    }
    error
}
