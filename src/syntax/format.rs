//! The canonical layout of itq text (`itq fmt`), printed from the AST:
//! keywords in lower case, single spaces around operators and after commas,
//! one statement per line, and a query whose one-line form would pass
//! [`WIDTH`] columns (or that holds a comment) written with its source on the
//! first line and each clause on its own line, indented two spaces.
//!
//! Comments are not in the AST: they are collected from the text with their
//! offsets and put back next to the statement or clause they were written by.
//! A comment on a line of its own stays on a line of its own, before the same
//! statement or clause; a comment after code stays at the end of that line.
//! Literals keep their spelling (`1_000`, `'text'`) when it is a plain one.
//! Formatting is idempotent and never changes what a script computes.

use super::ast::*;
use super::parse_script;
use super::precedence::Prec;
use super::tokens::{is_line_break, tokens, Tok};
use crate::error::Result;
use crate::limits::{expression_too_deep, MAX_EXPR_DEPTH};
use crate::source::Span;
use crate::value::Scalar;
use std::cell::Cell;

/// Queries whose one-line form is longer than this many columns get one clause per line.
pub const WIDTH: usize = 80;

/// The indentation of a clause on its own line.
const INDENT: &str = "  ";

/// `text` in the canonical layout, or the syntax error that prevents parsing it.
pub fn format_script(text: &str) -> Result<String> {
    crate::stack::deep(|| format_script_here(text))
}

fn format_script_here(text: &str) -> Result<String> {
    let script = parse_script(text)?;
    let comments = comments(text);
    let printer = Printer::new(text, &comments);
    let mut lines: Vec<String> = Vec::new();
    let mut last_end: Option<usize> = None;
    let mut next_comment = 0;

    // Comments between statements (or before the first, or after the last).
    let mut between = |lines: &mut Vec<String>, last_end: &mut Option<usize>, until: usize| {
        while let Some(c) = comments.get(next_comment).filter(|c| c.span.start < until) {
            next_comment += 1;
            if last_end.is_some_and(|end| c.span.start < end) {
                continue; // inside the statement just printed
            }
            // After code on its line, unless that line has a comment already.
            let trailing = !c.own_line
                && last_end.is_some_and(|end| !text[end..c.span.start].contains(['\n', '\r']))
                && lines.last().is_some_and(|l| self::comments(l).is_empty());
            match lines.last_mut() {
                Some(line) if trailing => {
                    line.push(' ');
                    line.push_str(&c.text);
                }
                _ => {
                    blank_line_between(text, *last_end, c.span.start, lines);
                    lines.push(c.text.clone());
                }
            }
            *last_end = Some(c.span.end);
        }
    };

    for statement in &script.statements {
        let span = printer.code(statement.span);
        between(&mut lines, &mut last_end, span.start);
        blank_line_between(text, last_end, span.start, &mut lines);
        let inside: Vec<&Comment> = comments
            .iter()
            .filter(|c| c.span.start >= span.start && c.span.end <= span.end)
            .collect();
        lines.extend(printer.statement(statement, &inside));
        last_end = Some(span.end);
    }
    between(&mut lines, &mut last_end, text.len() + 1);
    if let Some(span) = printer.too_deep.get() {
        return Err(expression_too_deep(span));
    }

    let mut out = lines.join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    Ok(out)
}

/// `query` on one line in the canonical layout, without comments;
/// `text` is the source its spans point into (literals keep their spelling).
pub fn format_query(query: &Query, text: &str) -> String {
    Printer::new(text, &[]).query(query)
}

/// The expression `text` in the canonical layout (`(a) + (b)` as `a + b`),
/// or `None` when it does not parse as one expression. Notes that quote a
/// condition use it, so a script and its formatted text explain alike.
pub fn format_expression(text: &str) -> Option<String> {
    let (wrapped, expr) = crate::syntax::parse_expression_in(text).ok()?;
    let printer = Printer::new(&wrapped, &[]);
    let out = printer.expr(&expr);
    printer.too_deep.get().is_none().then_some(out)
}

/// Adds one empty line when the source had at least one between `from` and `to`.
fn blank_line_between(text: &str, from: Option<usize>, to: usize, lines: &mut Vec<String>) {
    let Some(from) = from else { return };
    let gap = text[from..to].replace("\r\n", "\n");
    let pieces: Vec<&str> = gap.split(['\n', '\r']).collect();
    let blank = pieces.len() >= 3
        && pieces[1..pieces.len() - 1].iter().any(|p| {
            p.trim_matches(|c: char| c.is_whitespace() || c == ';')
                .is_empty()
        });
    if blank && lines.last().is_some_and(|l| !l.is_empty()) {
        lines.push(String::new());
    }
}

/// A `#` comment as written (without its line break).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Comment {
    span: Span,
    text: String,
    /// Nothing but spaces and tabs before it on its line.
    own_line: bool,
}

/// Every comment in `text`, in order. A `#` inside a string or a backquoted
/// name does not start one.
fn comments(text: &str) -> Vec<Comment> {
    tokens(text)
        .filter(|t| t.kind == Tok::Comment)
        .map(|t| {
            let line_start = text[..t.start].rfind(is_line_break).map_or(0, |n| n + 1);
            Comment {
                span: t.span(),
                text: t.text(text).trim_end().to_string(),
                own_line: text[line_start..t.start].trim().is_empty(),
            }
        })
        .collect()
}

/// One line of a statement laid out one clause per line, with its comments.
struct Part {
    text: String,
    /// Where it starts and ends in the source, to place comments.
    span: Span,
    leading: Vec<String>,
    trailing: Option<String>,
}

struct Printer<'a> {
    text: &'a str,
    comments: &'a [Comment],
    /// How deep `expr` is in the expression being printed.
    depth: Cell<usize>,
    /// Where an expression nests deeper than the checker allows; printing
    /// stops going down there, so it cannot run out of stack.
    too_deep: Cell<Option<Span>>,
}

impl<'a> Printer<'a> {
    fn new(text: &'a str, comments: &'a [Comment]) -> Printer<'a> {
        Printer {
            text,
            comments,
            depth: Cell::new(0),
            too_deep: Cell::new(None),
        }
    }

    /// `span` without the spaces and comments at its end (the parser's spans
    /// of statements and clauses may take in a comment after the last word).
    fn code(&self, span: Span) -> Span {
        let mut end = span.end;
        loop {
            let trimmed = self.text[span.start..end].trim_end().len() + span.start;
            match self.comments.iter().find(|c| {
                c.span.start >= span.start && c.span.start < trimmed && trimmed <= c.span.end
            }) {
                Some(c) => end = c.span.start,
                None => return Span::new(span.start, trimmed),
            }
        }
    }

    fn statement(&self, statement: &Statement, comments: &[&Comment]) -> Vec<String> {
        let (head, query) = match &statement.kind {
            StatementKind::Query(q) => (String::new(), Some(q)),
            StatementKind::Let { name, query } => {
                (format!("let {} = ", self.ident(name)), Some(query))
            }
            StatementKind::LetScalar { name, expr } => {
                let text = format!("let {} = {}", self.ident(name), self.expr(expr));
                return self.lay_out(vec![self.part(text, self.code(statement.span))], comments);
            }
            StatementKind::Describe(name) => {
                let text = format!("describe {}", self.ident(name));
                return self.lay_out(vec![self.part(text, self.code(statement.span))], comments);
            }
            StatementKind::Attach { url, name } => {
                let text = format!("attach {} as {}", self.expr(url), self.ident(name));
                return self.lay_out(vec![self.part(text, self.code(statement.span))], comments);
            }
            StatementKind::Detach(name) => {
                let text = format!("detach {}", self.ident(name));
                return self.lay_out(vec![self.part(text, self.code(statement.span))], comments);
            }
            StatementKind::Load(load) => {
                let text = self.load(load);
                return self.lay_out(vec![self.part(text, self.code(statement.span))], comments);
            }
            StatementKind::Save {
                query,
                path,
                replace,
                bom,
                sheet,
            } => {
                let mut parts = self.query_parts("save ", query, statement.span.start);
                let mut to = format!(
                    "to {}{}{}",
                    self.expr(path),
                    if *replace { " replace" } else { "" },
                    if *bom { " bom" } else { "" },
                );
                if let Some((name, span)) = sheet {
                    to.push_str(&format!(" sheet {}", self.quoted_as_written(name, *span)));
                }
                parts.push(self.part(
                    to,
                    self.code(Span::new(path.span.start, statement.span.end)),
                ));
                return self.lay_out(parts, comments);
            }
            StatementKind::Def { name, params, body } => {
                let params: Vec<String> = params.iter().map(|p| self.ident(p)).collect();
                (
                    format!("def {}({}) = ", self.ident(name), params.join(", ")),
                    Some(body),
                )
            }
        };
        let Some(query) = query else {
            return Vec::new();
        };
        let parts = self.query_parts(&head, query, statement.span.start);
        self.lay_out(parts, comments)
    }

    /// `head` and the query's source, then a part per clause.
    fn query_parts(&self, head: &str, query: &Query, start: usize) -> Vec<Part> {
        let mut parts = vec![self.part(
            format!("{head}{}", self.source(&query.source)),
            self.code(Span::new(start, query.source.span().end)),
        )];
        for clause in &query.clauses {
            parts.push(self.part(self.clause(clause), self.code(clause.span)));
        }
        parts
    }

    fn load(&self, load: &Load) -> String {
        let mut out = format!("load {}", self.expr(&load.path));
        if let Some(name) = &load.name {
            out.push_str(&format!(" as {}", self.ident(name)));
        }
        if !load.types.is_empty() {
            let types: Vec<String> = load
                .types
                .iter()
                .map(|(c, t)| {
                    let unit = load.units.iter().find(|(column, _)| column.span == c.span);
                    match unit {
                        Some((_, u)) => format!(
                            "{}: {} {}",
                            self.ident(c),
                            self.ident(t),
                            quoted_unit(&u.name)
                        ),
                        None => format!("{}: {}", self.ident(c), self.ident(t)),
                    }
                })
                .collect();
            out.push_str(&format!(" with ({})", types.join(", ")));
        }
        if let Some(f) = &load.format {
            out.push_str(&format!(" format {}", self.ident(f)));
        }
        if let Some((d, span)) = &load.delimiter {
            out.push_str(&format!(" delimiter {}", self.quoted_as_written(d, *span)));
        }
        for setting in &load.settings {
            let value = match &setting.value {
                SettingValue::Text(t, span) => self.quoted_as_written(t, *span),
                SettingValue::Count(_, span) => self
                    .text
                    .get(span.start..span.end)
                    .unwrap_or("")
                    .to_string(),
                SettingValue::List(items, _) => {
                    let items: Vec<String> = items
                        .iter()
                        .map(|(t, span)| self.quoted_as_written(t, *span))
                        .collect();
                    format!("({})", items.join(", "))
                }
            };
            out.push_str(&format!(" {} {value}", setting.name.name));
        }
        out
    }

    /// A string as it was written (its quotes and escapes kept).
    fn quoted_as_written(&self, text: &str, span: Span) -> String {
        let written = self.text.get(span.start..span.end).unwrap_or("");
        if written.len() >= 2 {
            written.to_string()
        } else {
            quote(text)
        }
    }

    fn part(&self, text: String, span: Span) -> Part {
        Part {
            text,
            span,
            leading: Vec::new(),
            trailing: None,
        }
    }

    /// One line when it fits and no comment is inside it (a comment after
    /// its last part may follow it); otherwise a line per part.
    fn lay_out(&self, mut parts: Vec<Part>, comments: &[&Comment]) -> Vec<String> {
        for c in comments {
            // The last part starting at or before the comment.
            let mut k = parts
                .iter()
                .rposition(|p| p.span.start <= c.span.start)
                .unwrap_or(0);
            if c.own_line {
                // A comment line after a part's end introduces the next part.
                if c.span.start >= parts[k].span.end && k + 1 < parts.len() {
                    k += 1;
                }
                parts[k].leading.push(c.text.clone());
            } else if parts[k].trailing.is_none() {
                parts[k].trailing = Some(c.text.clone());
            } else {
                // A second comment after code in one part (which spanned
                // lines) goes above it, so none is lost.
                parts[k].leading.push(c.text.clone());
            }
        }
        let one_line: Vec<&str> = parts.iter().map(|p| p.text.as_str()).collect();
        let mut one_line = one_line.join(" ");
        let last = parts.len() - 1;
        // Comments above the first part stay above the query whichever
        // layout is chosen, so they do not force the query onto many lines.
        let nothing_inside = parts[1..].iter().all(|p| p.leading.is_empty())
            && parts[..last].iter().all(|p| p.trailing.is_none());
        if nothing_inside && one_line.chars().count() <= WIDTH {
            if let Some(c) = &parts[last].trailing {
                one_line.push(' ');
                one_line.push_str(c);
            }
            let mut lines = std::mem::take(&mut parts[0].leading);
            lines.push(one_line);
            return lines;
        }
        let mut lines = Vec::new();
        for (i, part) in parts.into_iter().enumerate() {
            let indent = if i == 0 { "" } else { INDENT };
            for c in part.leading {
                lines.push(format!("{indent}{c}"));
            }
            let mut line = format!("{indent}{}", part.text);
            if let Some(c) = part.trailing {
                line.push(' ');
                line.push_str(&c);
            }
            lines.push(line);
        }
        lines
    }

    fn query(&self, q: &Query) -> String {
        let mut out = self.source(&q.source);
        for c in &q.clauses {
            out.push(' ');
            out.push_str(&self.clause(c));
        }
        out
    }

    fn source(&self, s: &Source) -> String {
        match s {
            Source::Name(id) => self.ident(id),
            Source::Call { name, args, .. } => format!("{}({})", self.ident(name), self.list(args)),
            Source::Query(q) => format!("({})", self.query(q)),
        }
    }

    fn clause(&self, c: &Clause) -> String {
        match &c.kind {
            ClauseKind::Where(e) => format!("where {}", self.expr(e)),
            ClauseKind::Select(items) => format!("select {}", self.items(items)),
            ClauseKind::Derive { items, per, along } => {
                let mut out = format!("derive {}", self.items(items));
                out.push_str(&self.per(per));
                if !along.is_empty() {
                    out.push_str(" along ");
                    out.push_str(&self.sort_keys(along));
                }
                out
            }
            ClauseKind::Aggregate { items, by } => {
                let aggs: Vec<String> = items.iter().map(|a| self.agg_item(a)).collect();
                let mut out = aggs.join(", ");
                if !by.is_empty() {
                    out.push_str(" by ");
                    out.push_str(&self.items(by));
                }
                out
            }
            ClauseKind::Sort(keys) => format!("sort {}", self.sort_keys(keys)),
            ClauseKind::Limit(n) => format!("limit {}", self.expr(n)),
            ClauseKind::Top {
                n,
                by,
                descending,
                per,
            } => {
                let dir = if *descending { "" } else { " asc" };
                format!(
                    "top {} by {}{dir}{}",
                    self.expr(n),
                    self.expr(by),
                    self.per(per)
                )
            }
            ClauseKind::Join { left, source, keys } => {
                let keys: Vec<String> = keys
                    .iter()
                    .map(|k| {
                        if let Some(call) = &k.computed {
                            format!("{} = {}", self.expr(call), self.ident(&k.right))
                        } else if k.shared {
                            self.ident(&k.left)
                        } else {
                            format!("{} = {}", self.ident(&k.left), self.ident(&k.right))
                        }
                    })
                    .collect();
                format!(
                    "{}join {} on {}",
                    if *left { "left " } else { "" },
                    self.source(source),
                    keys.join(", ")
                )
            }
            ClauseKind::Chart => "chart".to_string(),
            ClauseKind::Append(source) => format!("append {}", self.source(source)),
            ClauseKind::Union(source) => format!("union {}", self.source(source)),
            ClauseKind::Pivot {
                column,
                values,
                agg,
                by,
            } => {
                let mut out = format!(
                    "pivot {} in ({}) {}",
                    self.ident(column),
                    self.list(values),
                    self.agg_item(agg)
                );
                if !by.is_empty() {
                    out.push_str(" by ");
                    out.push_str(&self.items(by));
                }
                out
            }
            ClauseKind::Unpivot {
                columns,
                name,
                value,
            } => {
                let cols: Vec<String> = columns.iter().map(|c| self.ident(c)).collect();
                format!(
                    "unpivot {} into {}, {}",
                    cols.join(", "),
                    self.ident(name),
                    self.ident(value)
                )
            }
            ClauseKind::Cite => "cite".to_string(),
            ClauseKind::Why(None) => "why".to_string(),
            ClauseKind::Why(Some(n)) => format!("why {n}"),
            ClauseKind::Distinct(cols) if cols.is_empty() => "distinct".to_string(),
            ClauseKind::Distinct(cols) => {
                let cols: Vec<String> = cols.iter().map(|c| self.ident(c)).collect();
                format!("distinct {}", cols.join(", "))
            }
        }
    }

    fn items(&self, items: &[Item]) -> String {
        let items: Vec<String> = items
            .iter()
            .map(|i| match &i.alias {
                Some(a) => format!("{} as {}", self.expr(&i.expr), self.ident(a)),
                None => self.expr(&i.expr),
            })
            .collect();
        items.join(", ")
    }

    fn sort_keys(&self, keys: &[SortKey]) -> String {
        let keys: Vec<String> = keys
            .iter()
            .map(|k| {
                let dir = if k.descending { " desc" } else { "" };
                format!("{}{dir}", self.expr(&k.expr))
            })
            .collect();
        keys.join(", ")
    }

    /// ` per KEY, ...`, or nothing.
    fn per(&self, per: &[Expr]) -> String {
        if per.is_empty() {
            String::new()
        } else {
            format!(" per {}", self.list(per))
        }
    }

    fn agg_item(&self, a: &AggItem) -> String {
        let mut out = a.func.name().to_string();
        if a.distinct {
            out.push_str(" distinct");
        }
        match (&a.arg, &a.arg2) {
            (Some(arg), Some(arg2)) => {
                out.push_str(&format!("({}, {})", self.expr(arg), self.expr(arg2)))
            }
            (Some(arg), None) => {
                out.push(' ');
                out.push_str(&self.expr(arg));
            }
            _ => {}
        }
        if let Some(alias) = &a.alias {
            out.push_str(" as ");
            out.push_str(&self.ident(alias));
        }
        out
    }

    fn list(&self, exprs: &[Expr]) -> String {
        let exprs: Vec<String> = exprs.iter().map(|e| self.expr(e)).collect();
        exprs.join(", ")
    }

    /// A name as written: backquoted if it was (it may need to be), bare otherwise.
    fn ident(&self, id: &Ident) -> String {
        let written = self.text.get(id.span.start..id.span.end).unwrap_or("");
        if written.contains('`') {
            written.to_string()
        } else {
            id.name.clone()
        }
    }

    /// The source text of a literal, without spaces or parentheses (`- 5` is
    /// `-5`, `(007)` is `007`): result columns are named after the letters and
    /// digits of that text, so keeping them keeps the names.
    ///
    /// The parser folds every `-` before a number into it, so `--007` is the
    /// literal 7: its signs are reduced to one or none (`007`), keeping the
    /// digits as written.
    fn written(&self, span: Span) -> String {
        let w: String = self
            .text
            .get(span.start..span.end)
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '(' && *c != ')')
            .collect();
        let digits = w.trim_start_matches('-');
        let signs = w.len() - digits.len();
        if signs > 1 && !digits.is_empty() {
            let sign = if signs % 2 == 1 { "-" } else { "" };
            format!("{sign}{digits}")
        } else {
            w
        }
    }

    fn expr(&self, e: &Expr) -> String {
        let depth = self.depth.get();
        if depth >= MAX_EXPR_DEPTH {
            self.too_deep.set(Some(e.span));
            return String::new();
        }
        self.depth.set(depth + 1);
        let out = crate::stack::deeper(|| self.expr_inner(e));
        self.depth.set(depth);
        out
    }

    fn expr_inner(&self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Int(v) => {
                let w = self.written(e.span);
                match w.replace('_', "").parse::<i64>() {
                    Ok(parsed) if parsed == *v => w,
                    _ => v.to_string(),
                }
            }
            ExprKind::Decimal(v) => {
                let w = self.written(e.span);
                let plain = w
                    .chars()
                    .all(|c| c.is_ascii_digit() || "_.eE+-".contains(c));
                match w.replace('_', "").parse::<f64>() {
                    Ok(parsed) if plain && parsed == *v => w,
                    _ => format!("{v:?}"),
                }
            }
            ExprKind::Text(s) => {
                // The span of a parenthesised literal includes its brackets.
                let mut w = self.text.get(e.span.start..e.span.end).unwrap_or("").trim();
                while w.len() >= 2 && w.starts_with('(') && w.ends_with(')') {
                    w = w[1..w.len() - 1].trim();
                }
                let quoted = w.len() >= 2
                    && (w.starts_with('"') && w.ends_with('"')
                        || w.starts_with('\'') && w.ends_with('\''));
                if quoted {
                    w.to_string()
                } else {
                    quote(s)
                }
            }
            ExprKind::Date(d) => Scalar::Date(*d).to_string(),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Null => "null".to_string(),
            ExprKind::Name(id) => self.ident(id),
            ExprKind::Param(id) => format!("${}", id.name),
            ExprKind::Call { name, args } => format!("{}({})", self.ident(name), self.list(args)),
            ExprKind::Unary {
                op: UnaryOp::Not,
                expr,
            } => format!("not {}", self.operand(expr, precedence(expr) < Prec::Not)),
            ExprKind::Unary {
                op: UnaryOp::Neg,
                expr,
            } => {
                let inner = self.expr(expr);
                if precedence(expr) < Prec::Neg || inner.starts_with('-') {
                    format!("-({inner})")
                } else {
                    format!("-{inner}")
                }
            }
            ExprKind::Binary { op, left, right } => {
                let p = Prec::of_binary(*op);
                // Left-associative; comparisons do not chain without parentheses.
                let left_wrap =
                    precedence(left) < p || (p == Prec::Compare && precedence(left) == p);
                format!(
                    "{} {} {}",
                    self.operand(left, left_wrap),
                    op.symbol(),
                    self.operand(right, precedence(right) <= p)
                )
            }
            ExprKind::In {
                expr,
                list,
                negated,
            } => format!(
                "{} {}in ({})",
                self.operand(expr, precedence(expr) <= Prec::POSTFIX),
                if *negated { "not " } else { "" },
                self.list(list)
            ),
            ExprKind::InQuery {
                expr,
                query,
                negated,
            } => format!(
                "{} {}in ({})",
                self.operand(expr, precedence(expr) <= Prec::POSTFIX),
                if *negated { "not " } else { "" },
                self.query(query)
            ),
            ExprKind::Between {
                expr,
                low,
                high,
                negated,
            } => format!(
                "{} {}between {} and {}",
                self.operand(expr, precedence(expr) <= Prec::POSTFIX),
                if *negated { "not " } else { "" },
                self.operand(low, !is_bound(low)),
                self.operand(high, !is_bound(high)),
            ),
            ExprKind::IsNull { expr, negated } => format!(
                "{} is {}null",
                self.operand(expr, precedence(expr) <= Prec::POSTFIX),
                if *negated { "not " } else { "" }
            ),
        }
    }

    fn operand(&self, e: &Expr, parenthesise: bool) -> String {
        if parenthesise {
            format!("({})", self.expr(e))
        } else {
            self.expr(e)
        }
    }
}

/// How tightly `e` binds as printed (a negative literal is printed with its `-`).
fn precedence(e: &Expr) -> Prec {
    match &e.kind {
        ExprKind::Binary { op, .. } => Prec::of_binary(*op),
        ExprKind::Unary { op, .. } => Prec::of_unary(*op),
        ExprKind::In { .. }
        | ExprKind::InQuery { .. }
        | ExprKind::Between { .. }
        | ExprKind::IsNull { .. } => Prec::POSTFIX,
        ExprKind::Int(v) if *v < 0 => Prec::Neg,
        ExprKind::Decimal(v) if v.is_sign_negative() => Prec::Neg,
        _ => Prec::Atom,
    }
}

/// What the grammar accepts as a bound of `between` without parentheses:
/// an operand, optionally negated.
fn is_bound(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Unary {
            op: UnaryOp::Neg,
            expr,
        } => precedence(expr) == Prec::Atom,
        _ => matches!(precedence(e), Prec::Atom | Prec::Neg),
    }
}

/// A string literal in double quotes, with the escapes the grammar knows.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:X}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A money unit as written after a type: bare when it is a name (`亿元`),
/// else quoted (`"million yuan"`).
fn quoted_unit(unit: &str) -> String {
    let bare = unit
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && unit.chars().all(|c| c.is_alphanumeric() || c == '_')
        && crate::syntax::keywords::keyword(unit).is_none();
    if bare {
        unit.to_string()
    } else {
        format!("\"{}\"", unit.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(text: &str) -> String {
        format_script(text).unwrap_or_else(|e| panic!("{}", e.render()))
    }

    #[test]
    fn keywords_lower_case_and_spacing_is_single() {
        assert_eq!(
            fmt("provinces   WHERE region='west'  COUNT BY   region;events LIMIT 2"),
            "provinces where region = 'west' count by region\nevents limit 2\n"
        );
    }

    #[test]
    fn long_queries_get_a_clause_per_line() {
        let long = "events where value is not null and projects is not null select province, projects, value sort value desc";
        assert_eq!(
            fmt(long),
            "events\n  where value is not null and projects is not null\n  select province, projects, value\n  sort value desc\n"
        );
        // A short query written over lines is joined.
        assert_eq!(
            fmt("events\n  where value > 1\n"),
            "events where value > 1\n"
        );
    }

    #[test]
    fn comments_stay_where_they_were() {
        let text = "# head\n\n# doc\nlet x = events # trailing\n  # before where\n  where value > 1 # after where\n\n\n# tail\n";
        assert_eq!(
            fmt(text),
            "# head\n\n# doc\nlet x = events # trailing\n  # before where\n  where value > 1 # after where\n\n# tail\n"
        );
    }

    #[test]
    fn two_comments_on_one_clause_are_both_kept() {
        let text = "let x = events\n  select name, # a\n    province # b\nprovinces\n";
        let once = fmt(text);
        assert_eq!(
            once,
            "let x = events select name, province # a\n# b\nprovinces\n"
        );
        assert_eq!(fmt(&once), once);
    }

    #[test]
    fn a_hash_in_a_string_or_name_is_not_a_comment() {
        let text = "events where name = \"#1\" select `a # b` # real\n";
        assert_eq!(comments(text).len(), 1);
        assert_eq!(fmt(text), text);
    }

    #[test]
    fn parentheses_only_where_precedence_needs_them() {
        assert_eq!(
            fmt("let x = ((1 + 2)) * 3 - (4 - 5) - -6"),
            "let x = (1 + 2) * 3 - (4 - 5) - -6\n"
        );
        assert_eq!(
            fmt("provinces where not (coastal or region = 'west') and (name in ('A') or false)"),
            "provinces where not (coastal or region = 'west') and (name in ('A') or false)\n"
        );
        assert_eq!(
            fmt("events where (value + 1) between (1 + 1) and -(projects) "),
            "events where value + 1 between (1 + 1) and -projects\n"
        );
    }

    #[test]
    fn load_and_save_statements() {
        assert_eq!(
            fmt("LOAD  'a.csv' AS t DELIMITER ';' FORMAT csv WITH ( year:int , v : decimal )"),
            "load 'a.csv' as t with (year: int, v: decimal) format csv delimiter ';'\n"
        );
        assert_eq!(fmt("load $file"), "load $file\n");
        assert_eq!(
            fmt("LOAD 'y.csv' ENCODING \"gb18030\" SKIP 1 Header 2 na ( '-','—' ) thousands ','"),
            "load 'y.csv' encoding \"gb18030\" skip 1 header 2 na ('-', '—') thousands ','\n"
        );
        assert_eq!(
            fmt("save events to 'x.xlsx' REPLACE sheet 'Data'"),
            "save events to 'x.xlsx' replace sheet 'Data'\n"
        );
        assert_eq!(
            fmt("SAVE provinces  where region=$r TO \"out.csv\"  REPLACE"),
            "save provinces where region = $r to \"out.csv\" replace\n"
        );
        assert_eq!(
            fmt("save events where value is not null select province, projects, value, status sort value desc to 'x.csv'"),
            "save events\n  where value is not null\n  select province, projects, value, status\n  sort value desc\n  to 'x.csv'\n"
        );
    }

    #[test]
    fn an_expression_too_deep_to_check_is_an_error_not_a_crash() {
        let deep = format!("let x = {}", vec!["1"; 5000].join(" + "));
        let e = format_script(&deep).unwrap_err();
        assert!(
            e.to_string().contains("nests more than 200 operators deep"),
            "{e}"
        );
        let ok = format!("let x = {}", vec!["1"; 150].join(" + "));
        assert_eq!(fmt(&ok), format!("{ok}\n"));
    }

    #[test]
    fn a_messy_script_in_full() {
        // Statements split by `;` go on their own lines, blank lines shrink to
        // one, every comment survives next to the code it was written by.
        let messy = "# top\n\n\nlet x =\n  # inside head\n  events # after events\n  # before where\n  where value > 1 and (projects < 10 or projects is null) # w\n  select name,   # after name\n    province      # after province\n; provinces count   # trailing\ndef f(a) = (events where province = a) count   # def\n  # dangling indented comment\n\nLET y = -(3) + - 4   # scalar\nsave events where value > 1 to \"x.csv\" replace\nload 'data.csv' as d with (a: int)\n";
        let tidy = "# top\n\n# inside head\nlet x = events # after events\n  # before where\n  where value > 1 and (projects < 10 or projects is null) # w\n  select name, province # after name\n# after province\nprovinces count # trailing\ndef f(a) = (events where province = a) count # def\n# dangling indented comment\n\nlet y = -3 + -4 # scalar\nsave events where value > 1 to \"x.csv\" replace\nload 'data.csv' as d with (a: int)\n";
        assert_eq!(fmt(messy), tidy);
        assert_eq!(fmt(tidy), tidy);
    }

    #[test]
    fn literals_keep_their_spelling() {
        assert_eq!(
            fmt("let x = 1_000 + 1.5e3 + - 2 + (3)"),
            "let x = 1_000 + 1.5e3 + -2 + 3\n"
        );
        assert_eq!(fmt("let d = (2024-10-27)"), "let d = 2024-10-27\n");
        // Found by the fuzzer: signs folded into a literal keep its digits.
        assert_eq!(
            fmt("let x = --007 + - -1e3 + ---2"),
            "let x = 007 + 1e3 + -2\n"
        );
        assert_eq!(fmt("let s = (\"a\\\"b\")"), "let s = \"a\\\"b\"\n");
        // Found by the fuzzer: a parenthesised text keeps its escapes, so
        // the column named after it keeps its name.
        assert_eq!(
            fmt("provinces select ( (\"\\u{4E2D}x\") )"),
            "provinces select \"\\u{4E2D}x\"\n"
        );
    }

    #[test]
    fn a_comment_inside_the_source_goes_above_a_query_that_stays_on_one_line() {
        // Found by the fuzzer: the comment used to split the query, and a
        // second run joined it again.
        let once = fmt("provinces # which\n  where region = \"west\"");
        assert_eq!(once, fmt(&once));
    }

    #[test]
    fn a_computed_join_key_is_named_as_it_is_printed() {
        // Found by the fuzzer: `on source (x) = y` named its key `source (x)`
        // before formatting and `source(x)` after.
        let typed = "events join provinces on upper (province) = name";
        for text in [typed, &fmt(typed)] {
            let tree = crate::syntax::parse_script(text).expect("parses");
            assert!(
                format!("{tree:?}").contains("name: \"upper(province)\""),
                "{text}: {tree:?}"
            );
        }
    }
}
