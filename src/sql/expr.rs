//! Typed plan expressions as SQL expressions, with itq's meaning kept:
//! division never truncates and is null for a zero divisor, `round` halves
//! away from zero, `contains` ignores case, text orders by code point.

use super::dialect::{Dialect, Template};
use super::unsupported;
use crate::error::Result;
use crate::plan::{ArithOp, CmpOp, Func, PExpr, PExprKind};
use crate::value::{Scalar, Type};

/// A SQL expression and how tightly it binds, so that it is parenthesised
/// only where an operator around it needs it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Sql {
    pub text: String,
    pub prec: u8,
}

/// Binding strengths, loosest first.
pub(super) const OR: u8 = 1;
pub(super) const AND: u8 = 2;
pub(super) const NOT: u8 = 3;
pub(super) const CMP: u8 = 4;
pub(super) const ADD: u8 = 5;
pub(super) const MUL: u8 = 6;
pub(super) const NEG: u8 = 7;
pub(super) const ATOM: u8 = 9;

impl Sql {
    pub(super) fn atom(text: impl Into<String>) -> Sql {
        Sql {
            text: text.into(),
            prec: ATOM,
        }
    }

    fn op(text: String, prec: u8) -> Sql {
        Sql { text, prec }
    }

    /// The text, in parentheses unless it binds at least as tightly as `prec`.
    pub(super) fn at(&self, prec: u8) -> String {
        if self.prec >= prec {
            self.text.clone()
        } else {
            format!("({})", self.text)
        }
    }
}

/// Fills a template's `{0}`, `{1}` with arguments; each goes in as an
/// operand of the tightest operator, so it is parenthesised unless atomic.
pub(super) fn fill(template: &str, args: &[&Sql], prec: u8) -> Sql {
    let mut text = template.to_string();
    for (i, a) in args.iter().enumerate() {
        let placeholder = format!("{{{i}}}");
        // A function argument needs no parentheses; an operator's operand does.
        let inside_call = template
            .find(&placeholder)
            .map(|at| {
                let before = template[..at].trim_end();
                let after = template[at + placeholder.len()..].trim_start();
                (before.ends_with('(') || before.ends_with(','))
                    && (after.starts_with(')') || after.starts_with(','))
            })
            .unwrap_or(false);
        let filled = if inside_call {
            a.text.clone()
        } else {
            a.at(NEG)
        };
        text = text.replace(&placeholder, &filled);
    }
    Sql::op(text, prec)
}

/// A quoted identifier where the name needs one, bare otherwise.
pub(super) fn ident(name: &str, d: Dialect) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !RESERVED.contains(&name);
    if plain {
        name.to_string()
    } else {
        let q = d.quote();
        let doubled: String = name
            .chars()
            .flat_map(|c| if c == q { vec![c, c] } else { vec![c] })
            .collect();
        format!("{q}{doubled}{q}")
    }
}

/// Words that cannot be bare column or table names in at least one dialect.
const RESERVED: &[&str] = &[
    "all",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "between",
    "both",
    "by",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "cross",
    "cube",
    "current",
    "current_date",
    "current_time",
    "current_timestamp",
    "current_user",
    "date",
    "day",
    "default",
    "delete",
    "desc",
    "describe",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "filter",
    "for",
    "foreign",
    "from",
    "full",
    "function",
    "grant",
    "group",
    "grouping",
    "having",
    "hour",
    "if",
    "ilike",
    "in",
    "inner",
    "insert",
    "intersect",
    "interval",
    "into",
    "is",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "minute",
    "month",
    "natural",
    "not",
    "null",
    "of",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "over",
    "overlaps",
    "partition",
    "pivot",
    "position",
    "primary",
    "qualify",
    "range",
    "references",
    "right",
    "rollup",
    "row",
    "rows",
    "second",
    "select",
    "session_user",
    "set",
    "similar",
    "some",
    "table",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "unknown",
    "unnest",
    "update",
    "user",
    "using",
    "value",
    "values",
    "when",
    "where",
    "window",
    "with",
    "year",
    "abort",
    "action",
    "analyze",
    "attach",
    "begin",
    "commit",
    "conflict",
    "database",
    "detach",
    "exclusive",
    "explain",
    "glob",
    "ignore",
    "index",
    "indexed",
    "isnull",
    "key",
    "notnull",
    "nothing",
    "plan",
    "pragma",
    "raise",
    "recursive",
    "regexp",
    "reindex",
    "rename",
    "replace",
    "restrict",
    "rollback",
    "temp",
    "temporary",
    "trigger",
    "vacuum",
    "view",
    "virtual",
    "without",
    "semi",
    "anti",
    "sort",
    "map",
    "struct",
];

/// A string literal.
pub(super) fn text_literal(s: &str, d: Dialect) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\'' if d.backslash_escapes() => out.push_str("\\'"),
            '\'' => out.push_str("''"),
            '\\' if d.backslash_escapes() => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A literal value.
pub(super) fn literal(v: &Scalar, d: Dialect) -> Sql {
    match v {
        Scalar::Null => Sql::atom("NULL"),
        Scalar::Int(i) if *i < 0 => Sql::op(format!("{i}"), NEG),
        Scalar::Int(i) => Sql::atom(i.to_string()),
        Scalar::Decimal(f) => {
            // A plain `1.5` is an exact decimal on most engines (so
            // `0.1 + 0.2` would be 0.3); itq's decimals are doubles.
            let t = d.double_literal(&format!("{f:?}"));
            if *f < 0.0 {
                Sql::op(t, NEG)
            } else {
                Sql::atom(t)
            }
        }
        Scalar::Bool(b) => Sql::atom(if *b { "TRUE" } else { "FALSE" }),
        Scalar::Date(_) => {
            let text = text_literal(&v.to_string(), d);
            if d.typed_date_literal() {
                Sql::atom(format!("DATE {text}"))
            } else {
                Sql::atom(text)
            }
        }
        Scalar::Text(s) => Sql::atom(text_literal(s, d)),
    }
}

/// Translates plan expressions over an input whose columns are `columns`.
pub(super) struct Translator<'a> {
    pub dialect: Dialect,
    pub columns: &'a [Sql],
}

impl Translator<'_> {
    pub(super) fn template(&self, t: Template) -> Result<&'static str> {
        self.dialect
            .template(t)
            .ok_or_else(|| unsupported(t.itq_name(), self.dialect, None))
    }

    pub(super) fn expr(&self, e: &PExpr) -> Result<Sql> {
        crate::stack::deeper(|| self.expr_here(e))
    }

    fn expr_here(&self, e: &PExpr) -> Result<Sql> {
        let d = self.dialect;
        Ok(match &e.kind {
            PExprKind::Column(i) => self.columns[*i].clone(),
            PExprKind::Literal(v) => literal(v, d),
            PExprKind::ToDecimal(x) => Sql::atom(format!(
                "CAST({} AS {})",
                self.expr(x)?.text,
                d.double_type()
            )),
            PExprKind::Neg(x) => {
                let x = self.expr(x)?;
                let inner = x.at(NEG);
                if inner.starts_with('-') {
                    Sql::op(format!("-({inner})"), NEG)
                } else {
                    Sql::op(format!("-{inner}"), NEG)
                }
            }
            PExprKind::Not(x) => Sql::op(format!("NOT {}", self.expr(x)?.at(NOT)), NOT),
            PExprKind::Arith(op, l, r) => self.arith(*op, l, r)?,
            PExprKind::Compare(op, l, r) => {
                let sym = match op {
                    CmpOp::Eq => "=",
                    CmpOp::Ne => "<>",
                    CmpOp::Lt => "<",
                    CmpOp::Le => "<=",
                    CmpOp::Gt => ">",
                    CmpOp::Ge => ">=",
                };
                let mut left = self.expr(l)?.at(CMP + 1);
                let ordering = !matches!(op, CmpOp::Eq | CmpOp::Ne);
                if let (true, Type::Text, Some(c)) = (ordering, l.ty, d.code_point_collation()) {
                    left = format!("{} {c}", self.expr(l)?.at(ATOM));
                }
                Sql::op(format!("{left} {sym} {}", self.expr(r)?.at(CMP + 1)), CMP)
            }
            PExprKind::Logic(and, l, r) => {
                let (word, prec) = if *and { ("AND", AND) } else { ("OR", OR) };
                Sql::op(
                    format!(
                        "{} {word} {}",
                        self.expr(l)?.at(prec),
                        self.expr(r)?.at(prec)
                    ),
                    prec,
                )
            }
            PExprKind::Contains(l, r) => {
                if !d.unicode_case() && !ascii_literal(r) {
                    return Err(unsupported(
                        "`contains` with a value that is not ASCII text written in the query",
                        d,
                        Some("SQLite's LOWER() folds only ASCII letters, so the match would depend on case; compare with `=` or run on another engine"),
                    ));
                }
                let t = self.template(Template::Contains)?;
                fill(t, &[&self.expr(l)?, &self.expr(r)?], CMP)
            }
            PExprKind::IsNull(x, negated) => Sql::op(
                format!(
                    "{} IS {}NULL",
                    self.expr(x)?.at(CMP + 1),
                    if *negated { "NOT " } else { "" }
                ),
                CMP,
            ),
            PExprKind::Func(f, args) => self.func(*f, args, e.ty)?,
            PExprKind::Located(span, source, inner) => self
                .expr(inner)
                .map_err(|err| err.with_span(*span).with_source(source))?,
        })
    }

    fn arith(&self, op: ArithOp, l: &PExpr, r: &PExpr) -> Result<Sql> {
        let (a, b) = (self.expr(l)?, self.expr(r)?);
        let date_op = match (l.ty, r.ty, op) {
            (Type::Date, Type::Date, ArithOp::Sub) => Some((Template::DaysBetween, &a, &b)),
            (Type::Date, _, ArithOp::Add) => Some((Template::AddDays, &a, &b)),
            (_, Type::Date, ArithOp::Add) => Some((Template::AddDays, &b, &a)),
            (Type::Date, _, ArithOp::Sub) => Some((Template::SubDays, &a, &b)),
            _ => None,
        };
        if let Some((t, x, y)) = date_op {
            return Ok(fill(self.template(t)?, &[x, y], ADD));
        }
        Ok(match op {
            ArithOp::Add => Sql::op(format!("{} + {}", a.at(ADD), b.at(ADD + 1)), ADD),
            ArithOp::Sub => Sql::op(format!("{} - {}", a.at(ADD), b.at(ADD + 1)), ADD),
            ArithOp::Mul => Sql::op(format!("{} * {}", a.at(MUL), b.at(MUL + 1)), MUL),
            // Both operands are decimals (the checker widens integers);
            // a zero divisor gives null, as in itq.
            ArithOp::Div if nonzero_literal(r) => {
                Sql::op(format!("{} / {}", a.at(MUL), b.at(MUL + 1)), MUL)
            }
            ArithOp::Div => Sql::op(format!("{} / NULLIF({}, 0)", a.at(MUL), b.text), MUL),
        })
    }

    fn func(&self, f: Func, args: &[PExpr], ty: Type) -> Result<Sql> {
        let d = self.dialect;
        let sql = args
            .iter()
            .map(|a| self.expr(a))
            .collect::<Result<Vec<_>>>()?;
        let call = |name: &str| {
            Sql::atom(format!(
                "{name}({})",
                sql.iter()
                    .map(|s| s.text.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        };
        Ok(match f {
            Func::Year => fill(self.template(Template::Year)?, &[&sql[0]], ATOM),
            Func::Month => fill(self.template(Template::Month)?, &[&sql[0]], ATOM),
            Func::Day => fill(self.template(Template::Day)?, &[&sql[0]], ATOM),
            Func::Length => fill(self.template(Template::Length)?, &[&sql[0]], ATOM),
            Func::Lower | Func::Upper if !d.unicode_case() => {
                return Err(unsupported(
                    if f == Func::Lower {
                        "`lower(...)`"
                    } else {
                        "`upper(...)`"
                    },
                    d,
                    Some("SQLite's LOWER() and UPPER() change only ASCII letters, while itq's change every letter"),
                ))
            }
            Func::Lower => call("LOWER"),
            Func::Upper => call("UPPER"),
            Func::Abs => call("ABS"),
            Func::Coalesce => call("COALESCE"),
            Func::Round => self.round(&sql, args, ty)?,
            Func::Province | Func::ToNumber | Func::ToDate => {
                let (name, help) = match f {
                    Func::Province => (
                        "`province(...)`",
                        "join the `province_aliases` relation on its `alias` column instead, or run the query on the native engine",
                    ),
                    Func::ToNumber => (
                        "`to_number(...)`",
                        "engines read thousands separators and 万/亿 differently; convert the column when loading it, or run the query on the native engine",
                    ),
                    _ => (
                        "`to_date(...)`",
                        "engines read dates differently; load the column as a date, or run the query on the native engine",
                    ),
                };
                return Err(unsupported(name, d, Some(help)));
            }
            Func::Replace => {
                // An empty `from` leaves the text as it is (Trino would
                // insert `to` between every character).
                let call = fill("REPLACE({0}, {1}, {2})", &[&sql[0], &sql[1], &sql[2]], ATOM);
                if nonempty_text_literal(&args[1]) {
                    call
                } else {
                    Sql::atom(format!(
                        "CASE WHEN {} = '' THEN {} ELSE {} END",
                        sql[1].at(CMP + 1),
                        sql[0].text,
                        call.text
                    ))
                }
            }
            Func::Trim => {
                let chars = Sql::atom(text_literal(WHITE_SPACE, d));
                fill(self.template(Template::Trim)?, &[&sql[0], &chars], ATOM)
            }
            Func::Substr => self.substr(&sql, args)?,
            Func::StartsWith => fill(self.template(Template::StartsWith)?, &[&sql[0], &sql[1]], CMP),
            Func::EndsWith => fill(self.template(Template::EndsWith)?, &[&sql[0], &sql[1]], CMP),
            Func::RegexpMatch | Func::RegexpReplace => {
                let what = if f == Func::RegexpMatch {
                    "`regexp_match(...)`"
                } else {
                    "`regexp_replace(...)`"
                };
                if !portable_pattern(&args[1]) {
                    return Err(unsupported(
                        &format!("{what} with this pattern"),
                        d,
                        Some("engines' regular expressions agree only on plain characters and . * + ? | ( ) [ ] ^ $ { }; write the pattern as a literal in those, or run the query on the native engine"),
                    ));
                }
                if f == Func::RegexpReplace && !plain_replacement(&args[2]) {
                    return Err(unsupported(
                        "`regexp_replace(...)` with a replacement that is not plain text written in the query",
                        d,
                        Some("engines write groups differently ($1 or \\1); run the query on the native engine"),
                    ));
                }
                let t = if f == Func::RegexpMatch {
                    Template::RegexpMatch
                } else {
                    Template::RegexpReplace
                };
                let prec = if f == Func::RegexpMatch { CMP } else { ATOM };
                let refs: Vec<&Sql> = sql.iter().collect();
                fill(self.template(t)?, &refs, prec)
            }
            Func::Concat => {
                let mut parts = Vec::new();
                for (a, s) in args.iter().zip(&sql) {
                    let text = match a.ty {
                        Type::Text | Type::Null => s.text.clone(),
                        Type::Int => format!("CAST({} AS {})", s.text, d.text_type()),
                        other => {
                            return Err(unsupported(
                                &format!("`concat` of a {other} value"),
                                d,
                                Some("engines write decimals, dates and booleans as text differently; concatenate text and integers only"),
                            ))
                        }
                    };
                    parts.push(format!("COALESCE({text}, '')"));
                }
                Sql::op(parts.join(" || "), ADD)
            }
            Func::If => Sql::atom(format!(
                "CASE WHEN {} THEN {} ELSE {} END",
                sql[0].text, sql[1].text, sql[2].text
            )),
            Func::ToBillionYuan | Func::FromBillionYuan => self.money(f, &sql, args)?,
        })
    }

    /// `substr` with a start (1 or more) and a length (0 or more) written in
    /// the query: engines disagree on a start below 1 (Spark reads 0 as 1,
    /// SQLite and DuckDB count a negative one from the end).
    fn substr(&self, sql: &[Sql], args: &[PExpr]) -> Result<Sql> {
        let d = self.dialect;
        let start = int_literal(&args[1]);
        let len = args.get(2).map(int_literal);
        let ok = start.is_some_and(|s| s >= 1) && len.is_none_or(|l| l.is_some_and(|l| l >= 0));
        if !ok {
            return Err(unsupported(
                "`substr` with a start or length computed from the data, or a start below 1",
                d,
                Some("write the start (1 or more) and the length as numbers, such as `substr(name, 1, 2)`"),
            ));
        }
        Ok(match (d, sql.get(2)) {
            (Dialect::Ansi, Some(l)) => Sql::atom(format!(
                "SUBSTRING({} FROM {} FOR {})",
                sql[0].text, sql[1].text, l.text
            )),
            (Dialect::Ansi, None) => {
                Sql::atom(format!("SUBSTRING({} FROM {})", sql[0].text, sql[1].text))
            }
            (_, Some(l)) => Sql::atom(format!(
                "SUBSTR({}, {}, {})",
                sql[0].text, sql[1].text, l.text
            )),
            (_, None) => Sql::atom(format!("SUBSTR({}, {})", sql[0].text, sql[1].text)),
        })
    }

    /// A money conversion with its unit (and rate) written in the query: the
    /// same arithmetic as `money::to_billion_yuan`, so the doubles agree.
    fn money(&self, f: Func, sql: &[Sql], args: &[PExpr]) -> Result<Sql> {
        let d = self.dialect;
        let unit_text = match &peel(&args[1]).kind {
            PExprKind::Literal(Scalar::Text(u)) => u.clone(),
            PExprKind::Literal(Scalar::Null) => return Ok(Sql::atom("NULL")),
            _ => {
                return Err(unsupported(
                    "a money unit computed from the data",
                    d,
                    Some("write the unit in the query, such as `to_billion_yuan(x, \"亿元\")`"),
                ))
            }
        };
        let rate = match args.get(2).map(|a| &peel(a).kind) {
            None => None,
            Some(PExprKind::Literal(v)) => match v.as_f64() {
                Some(r) => Some(r),
                None => return Ok(Sql::atom("NULL")),
            },
            Some(_) => {
                return Err(unsupported(
                    "an exchange rate computed from the data",
                    d,
                    Some("write the rate in the query, such as `to_billion_yuan(x, \"million USD\", 7.1)`"),
                ))
            }
        };
        let unit = crate::money::check(&unit_text, rate)
            .map_err(|m| crate::error::Error::new(crate::error::ErrorKind::Invalid(m)))?;
        let power = |n: u32| d.double_literal(&format!("{:?}", crate::money::power_of_ten(n)));
        let mut x = sql[0].clone();
        let step = |x: &Sql, op: char, by: String| Sql::op(format!("{} {op} {by}", x.at(MUL)), MUL);
        let exponent = if f == Func::ToBillionYuan {
            if unit.dollars {
                x = step(&x, '*', sql[2].at(MUL + 1));
            }
            unit.exponent
        } else {
            -unit.exponent
        };
        if exponent > 0 {
            x = step(&x, '*', power(exponent as u32));
        } else if exponent < 0 {
            x = step(&x, '/', power(exponent.unsigned_abs()));
        }
        if f == Func::FromBillionYuan && unit.dollars {
            x = step(&x, '/', sql[2].at(MUL + 1));
        }
        Ok(x)
    }

    /// `round` halves away from zero on every engine (PostgreSQL's float
    /// `ROUND` halves to even; Spark's and SQLite's round the decimal text
    /// rather than the float): `SIGN(x) * FLOOR(ABS(x) * 10^d + 0.5) / 10^d`,
    /// the same arithmetic as the native engine's.
    fn round(&self, sql: &[Sql], args: &[PExpr], ty: Type) -> Result<Sql> {
        let d = self.dialect;
        let digits = match args.get(1).map(|a| &peel(a).kind) {
            None => Some(0),
            Some(PExprKind::Literal(Scalar::Int(n))) => Some(*n),
            Some(PExprKind::Literal(Scalar::Null)) => return Ok(Sql::atom("NULL")),
            _ => None,
        };
        let Some(digits) = digits else {
            return Err(unsupported(
                "`round` with a number of digits computed from the data",
                d,
                Some("write the number of digits as a literal, such as `round(x, 2)`"),
            ));
        };
        let x = &sql[0];
        if ty != Type::Int && d.native_round() {
            return Ok(Sql::atom(format!("ROUND({}, {digits})", x.text)));
        }
        if ty == Type::Int {
            if digits >= 0 {
                return Ok(x.clone());
            }
            if digits < -18 {
                return Ok(Sql::atom("0"));
            }
            let scale = 10i64.pow((-digits) as u32);
            let half = scale / 2;
            let quotient = fill(
                d.int_div(),
                &[
                    &Sql::op(format!("ABS({}) + {half}", x.text), ADD),
                    &Sql::atom(scale.to_string()),
                ],
                MUL,
            );
            return Ok(Sql::op(
                format!("SIGN({}) * {} * {scale}", x.text, quotient.at(MUL + 1)),
                MUL,
            ));
        }
        // Rounds a non-negative `a` half up, exactly: adding the largest
        // double below 0.5 (adding 0.5 would carry 0.49999999999999994 up
        // to 1). SQLite has no FLOOR; its one-argument ROUND adds 0.5.
        let floor = |inner: String| match d {
            Dialect::Sqlite => format!("ROUND({inner})"),
            _ => format!(
                "FLOOR({inner} + {})",
                d.double_literal("0.49999999999999994")
            ),
        };
        let dbl = |n: i64| {
            d.double_literal(&format!(
                "1{}.0",
                "0".repeat(n.unsigned_abs().min(308) as usize)
            ))
        };
        Ok(match digits {
            0 => Sql::op(
                format!("SIGN({0}) * {1}", x.text, floor(format!("ABS({})", x.text))),
                MUL,
            ),
            n if n > 0 => Sql::op(
                format!(
                    "SIGN({0}) * {1} / {2}",
                    x.text,
                    floor(format!("ABS({}) * {}", x.text, dbl(n))),
                    dbl(n)
                ),
                MUL,
            ),
            n => Sql::op(
                format!(
                    "SIGN({0}) * {1} * {2}",
                    x.text,
                    floor(format!("ABS({}) / {}", x.text, dbl(n))),
                    dbl(n)
                ),
                MUL,
            ),
        })
    }
}

/// The characters `trim` removes: Unicode's white space, as Rust's `trim`.
const WHITE_SPACE: &str = "\u{9}\u{a}\u{b}\u{c}\u{d}\u{20}\u{85}\u{a0}\u{1680}\u{2000}\u{2001}\u{2002}\u{2003}\u{2004}\u{2005}\u{2006}\u{2007}\u{2008}\u{2009}\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}";

/// Whether `e` is a text literal that is not empty.
fn nonempty_text_literal(e: &PExpr) -> bool {
    matches!(&peel(e).kind, PExprKind::Literal(Scalar::Text(s)) if !s.is_empty())
}

/// The integer `e` is written as, if it is an integer literal.
fn int_literal(e: &PExpr) -> Option<i64> {
    match &peel(e).kind {
        PExprKind::Literal(Scalar::Int(i)) => Some(*i),
        _ => None,
    }
}

/// Whether `e` is a pattern literal every engine reads as itq does: letters,
/// digits, CJK and the operators `. * + ? | ( ) [ ] ^ $ { } , -`, no
/// backslash classes (`\d` is Unicode in Rust, ASCII elsewhere) and no flags.
fn portable_pattern(e: &PExpr) -> bool {
    match &peel(e).kind {
        PExprKind::Literal(Scalar::Text(p)) => {
            p.chars()
                .all(|c| c.is_alphanumeric() || " .*+?|()[]^${},-_:/'\"".contains(c))
                && !p.contains("(?")
        }
        PExprKind::Literal(Scalar::Null) => true,
        _ => false,
    }
}

/// Whether `e` is a replacement literal with no group references.
fn plain_replacement(e: &PExpr) -> bool {
    match &peel(e).kind {
        PExprKind::Literal(Scalar::Text(r)) => !r.contains(['$', '\\']),
        PExprKind::Literal(Scalar::Null) => true,
        _ => false,
    }
}

/// Whether `e` is a text literal of ASCII characters only.
fn ascii_literal(e: &PExpr) -> bool {
    match &peel(e).kind {
        PExprKind::Literal(Scalar::Text(s)) => s.is_ascii(),
        PExprKind::Literal(Scalar::Null) => true,
        _ => false,
    }
}

/// Whether `e` is a number written in the query other than zero.
fn nonzero_literal(e: &PExpr) -> bool {
    match &peel(e).kind {
        PExprKind::Literal(Scalar::Int(i)) => *i != 0,
        PExprKind::Literal(Scalar::Decimal(f)) => *f != 0.0,
        _ => false,
    }
}

/// The expression inside any `Located` wrappers.
fn peel(e: &PExpr) -> &PExpr {
    match &e.kind {
        PExprKind::Located(_, _, inner) => peel(inner),
        _ => e,
    }
}
