//! The value-by-value functions: text (`replace`, `trim`, `substr`, the
//! regular expressions, `concat`), conversions (`to_number`, `to_date`,
//! `province`, money units) and `if`. Each is a function of scalars; the
//! caller (`funcs::by_value`) runs it once per dictionary entry where it can.

use crate::error::{Error, ErrorKind, Result};
use crate::money;
use crate::plan::Func;
use crate::store::provinces::province_name;
use crate::value::{date_from_ymd, format_date, format_decimal, Scalar};
use regex::Regex;
use std::collections::HashMap;
use std::sync::Arc;

/// The compiled regular expressions of one call, by pattern.
#[derive(Default)]
pub(super) struct Context {
    regexes: HashMap<Arc<str>, Regex>,
}

/// The largest compiled program a pattern may make (the `regex` crate's
/// matching is linear in the text, so the program's size is the one bound
/// a pattern needs).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

impl Context {
    fn regex(&mut self, pattern: &Arc<str>) -> Result<&Regex> {
        if !self.regexes.contains_key(pattern) {
            let re = regex::RegexBuilder::new(pattern)
                .size_limit(REGEX_SIZE_LIMIT)
                .dfa_size_limit(REGEX_SIZE_LIMIT)
                .nest_limit(64)
                .build()
                .map_err(|e| {
                    let help = match &e {
                        regex::Error::CompiledTooBig(_) => "write a smaller pattern: a repetition such as {1000} copies what it repeats",
                        _ => "write special characters such as ( [ . * + ? with a backslash before them to match them as they are, as in \"\\\\(\"",
                    };
                    let why = match &e {
                        regex::Error::CompiledTooBig(_) => {
                            "it is too large to run (more than 1 MB compiled)".to_string()
                        }
                        regex::Error::Syntax(s) => s
                            .lines()
                            .rev()
                            .find(|l| l.starts_with("error:"))
                            .unwrap_or(s)
                            .trim_start_matches("error: ")
                            .to_string(),
                        other => other.to_string(),
                    };
                    Error::new(ErrorKind::Invalid(format!(
                        "`{pattern}` is not a regular expression itq can use: {why}"
                    )))
                    .with_help(help)
                })?;
            self.regexes.insert(Arc::clone(pattern), re);
        }
        Ok(&self.regexes[pattern])
    }
}

fn text(s: String) -> Scalar {
    Scalar::Text(s.into())
}

/// `func` of one row's arguments (of the types the checker accepted).
pub(super) fn scalar(func: Func, args: &[Scalar], cx: &mut Context) -> Result<Scalar> {
    if func == Func::If {
        return Ok(match args[0] {
            Scalar::Bool(true) => args[1].clone(),
            _ => args[2].clone(),
        });
    }
    if func == Func::Concat {
        let mut out = String::new();
        for a in args {
            out.push_str(&display(a));
        }
        crate::limits::check_text("the text `concat` makes", out.len() as u64)?;
        return Ok(text(out));
    }
    if args.iter().any(Scalar::is_null) {
        return Ok(Scalar::Null);
    }
    let s = |i: usize| args[i].as_str().unwrap_or_default();
    Ok(match func {
        Func::Province => match &args[0] {
            Scalar::Int(code) => {
                province_name(&code.to_string()).map_or(Scalar::Null, Scalar::Text)
            }
            other => {
                province_name(other.as_str().unwrap_or_default()).map_or(Scalar::Null, Scalar::Text)
            }
        },
        Func::Replace if s(1).is_empty() => args[0].clone(),
        Func::Replace => {
            let out = s(0).replace(s(1), s(2));
            crate::limits::check_text("the text `replace` makes", out.len() as u64)?;
            text(out)
        }
        Func::Trim => text(s(0).trim().to_string()),
        Func::Substr => {
            let start = args[1].as_int().unwrap_or(1);
            let len = args.get(2).and_then(Scalar::as_int);
            text(substr(s(0), start, len))
        }
        Func::StartsWith => Scalar::Bool(s(0).starts_with(s(1))),
        Func::EndsWith => Scalar::Bool(s(0).ends_with(s(1))),
        Func::RegexpMatch => {
            let Scalar::Text(p) = &args[1] else {
                return Ok(Scalar::Null);
            };
            Scalar::Bool(cx.regex(p)?.is_match(s(0)))
        }
        Func::RegexpReplace => {
            let Scalar::Text(p) = &args[1] else {
                return Ok(Scalar::Null);
            };
            let out = cx.regex(p)?.replace_all(s(0), s(2)).into_owned();
            crate::limits::check_text("the text `regexp_replace` makes", out.len() as u64)?;
            text(out)
        }
        Func::ToNumber => parse_number(s(0)).map_or(Scalar::Null, Scalar::Decimal),
        Func::ToDate => {
            let day = match args.get(1) {
                None => parse_date_forms(s(0)),
                Some(_) => parse_date_format(s(0), s(1))?,
            };
            day.map_or(Scalar::Null, Scalar::Date)
        }
        Func::ToBillionYuan | Func::FromBillionYuan => {
            let x = args[0].as_f64().unwrap_or_default();
            let rate = args.get(2).and_then(Scalar::as_f64);
            let unit = money::check(s(1), rate).map_err(|m| Error::new(ErrorKind::Invalid(m)))?;
            let rate = rate.unwrap_or(1.0);
            Scalar::Decimal(if func == Func::ToBillionYuan {
                money::to_billion_yuan(x, unit, rate)
            } else {
                money::from_billion_yuan(x, unit, rate)
            })
        }
        _ => unreachable!("funcs::apply computes {func:?} itself"),
    })
}

/// A value as `concat` writes it: as itq prints it, nothing for null.
fn display(v: &Scalar) -> String {
    match v {
        Scalar::Null => String::new(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Decimal(d) => format_decimal(*d),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Date(d) => format_date(*d),
        Scalar::Text(t) => t.to_string(),
    }
}

/// The characters of `s` from position `start` (1 is the first) for `len`
/// characters (all the rest without one), as SQL counts them: the window
/// `[start, start + len)` cut to the text, so `substr("abc", 0, 2)` is `a`.
fn substr(s: &str, start: i64, len: Option<i64>) -> String {
    let end = match len {
        Some(l) if l < 0 => return String::new(),
        Some(l) => start.saturating_add(l),
        None => i64::MAX,
    };
    let from = start.max(1);
    if end <= from {
        return String::new();
    }
    s.chars()
        .skip(usize::try_from(from - 1).unwrap_or(usize::MAX))
        .take(usize::try_from(end - from).unwrap_or(usize::MAX))
        .collect()
}

/// A number written with thousands separators (`1,234.5`), spaces, a sign,
/// and a 万 (10^4), 亿 (10^8) or 万亿 (10^12) suffix; `None` for anything
/// else (`1,5` is refused: it could mean 1.5).
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let (t, exp) = if let Some(b) = t.strip_suffix("万亿") {
        (b, 12)
    } else if let Some(b) = t.strip_suffix('亿') {
        (b, 8)
    } else if let Some(b) = t.strip_suffix('万') {
        (b, 4)
    } else {
        (t.as_str(), 0)
    };
    let t = t.replace('，', ",");
    let (sign, body) = match t.strip_prefix(['-', '+']) {
        Some(rest) => (&t[..1], rest),
        None => ("", t.as_str()),
    };
    let (int, rest) = match body.find(['.', 'e', 'E']) {
        Some(i) => body.split_at(i),
        None => (body, ""),
    };
    if int.contains(',') {
        let groups: Vec<&str> = int.split(',').collect();
        let ok = (1..=3).contains(&groups[0].len())
            && groups[1..].iter().all(|g| g.len() == 3)
            && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            return None;
        }
    }
    let int = int.replace(',', "");
    let valid = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let (frac, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let frac_digits = frac.strip_prefix('.').unwrap_or(frac);
    if (int.is_empty() && frac_digits.is_empty())
        || !valid(&int)
        || !valid(frac_digits)
        || (!frac.is_empty() && !frac.starts_with('.'))
    {
        return None;
    }
    let mut e: i64 = exp;
    if let Some(x) = exponent {
        let x = x.strip_prefix('+').unwrap_or(x);
        let (neg, digits) = match x.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, x),
        };
        if digits.is_empty() || !valid(digits) || digits.len() > 5 {
            return None;
        }
        let n: i64 = digits.parse().ok()?;
        e += if neg { -n } else { n };
    }
    // One correctly rounded parse of the digits with the suffix as an
    // exponent, so `3.2万` is exactly 32000.
    let v: f64 = format!("{sign}{int}{frac}e{e}").parse().ok()?;
    v.is_finite().then_some(v)
}

/// The date forms read without a format: `2024-10-27`, `2024/10/27`,
/// `2024.10.27`, `2024年10月27日`, and a month alone (`2024-10`, `2024/10`,
/// `2024年10月`), which is its first day.
pub(crate) fn parse_date_forms(text: &str) -> Option<i32> {
    let t = text.trim();
    let parts: Vec<&str> = if let Some(rest) = t.strip_suffix('日').or(t.strip_suffix('号')) {
        let (y, rest) = rest.split_once('年')?;
        let (m, d) = rest.split_once('月')?;
        vec![y, m, d]
    } else if let Some(rest) = t.strip_suffix('月') {
        let (y, m) = rest.split_once('年')?;
        vec![y, m]
    } else {
        let sep = t.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
        let parts: Vec<&str> = t.split(sep).collect();
        if parts.len() > 3 {
            return None;
        }
        parts
    };
    if parts.len() < 2
        || parts[0].len() != 4
        || parts.iter().any(|p| {
            p.trim().is_empty()
                || p.trim().len() > 4
                || !p.trim().bytes().all(|b| b.is_ascii_digit())
        })
    {
        return None;
    }
    let n = |i: usize| parts[i].trim().parse::<u32>().ok();
    let year = parts[0].parse::<i32>().ok()?;
    let day = if parts.len() == 3 { n(2)? } else { 1 };
    date_from_ymd(year, n(1)?, day)
}

/// `text` read with a `strftime` format (`%Y`, `%m`, `%d`, ...); a format
/// without a day (`%Y年%m月`) reads the first of the month.
fn parse_date_format(text: &str, format: &str) -> Result<Option<i32>> {
    use chrono::format::{Item, StrftimeItems};
    if StrftimeItems::new(format).any(|i| matches!(i, Item::Error)) {
        return Err(Error::new(ErrorKind::Invalid(format!(
            "`{format}` is not a date format"
        )))
        .with_help(
            "write the format with %Y (year), %m (month) and %d (day), as in \"%d/%m/%Y\"",
        ));
    }
    let t = text.trim();
    let parsed = chrono::NaiveDate::parse_from_str(t, format).or_else(|e| {
        if e.kind() == chrono::format::ParseErrorKind::NotEnough {
            chrono::NaiveDate::parse_from_str(&format!("{t}\u{1}1"), &format!("{format}\u{1}%d"))
        } else {
            Err(e)
        }
    });
    Ok(parsed.ok().and_then(|d| {
        use chrono::Datelike;
        date_from_ymd(d.year(), d.month(), d.day())
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_separators_and_chinese_suffixes() {
        assert_eq!(parse_number("1,234.5"), Some(1234.5));
        assert_eq!(parse_number(" 1,234,567 "), Some(1234567.0));
        assert_eq!(parse_number("3.2万"), Some(32000.0));
        assert_eq!(parse_number("-1.5亿"), Some(-150000000.0));
        assert_eq!(parse_number("2万亿"), Some(2e12));
        assert_eq!(parse_number("1e3"), Some(1000.0));
        assert_eq!(parse_number(".5"), Some(0.5));
        for bad in [
            "1,5", "12,34", "abc", "", "inf", "NaN", "1.2.3", "—", "1e", "万",
        ] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_in_chinese_and_slashed_forms() {
        let d = |s: &str| parse_date_forms(s).map(format_date);
        assert_eq!(d("2024/10/27").as_deref(), Some("2024-10-27"));
        assert_eq!(d("2024-10").as_deref(), Some("2024-10-01"));
        assert_eq!(d("2024年10月27日").as_deref(), Some("2024-10-27"));
        assert_eq!(d("2024年9月").as_deref(), Some("2024-09-01"));
        assert_eq!(d("2024.1.5").as_deref(), Some("2024-01-05"));
        for bad in [
            "2024",
            "2024-13",
            "2024/02/30",
            "24/10/27",
            "10/27/2024",
            "x",
        ] {
            assert_eq!(d(bad), None, "{bad}");
        }
        let f = |s: &str, f: &str| parse_date_format(s, f).unwrap().map(format_date);
        assert_eq!(f("27/10/2024", "%d/%m/%Y").as_deref(), Some("2024-10-27"));
        assert_eq!(f("2024年10月", "%Y年%m月").as_deref(), Some("2024-10-01"));
        assert!(parse_date_format("x", "%Q").is_err());
    }

    #[test]
    fn substr_counts_characters_from_one() {
        assert_eq!(substr("甘肃省", 1, Some(2)), "甘肃");
        assert_eq!(substr("abc", 0, Some(2)), "a");
        assert_eq!(substr("abc", 2, None), "bc");
        assert_eq!(substr("abc", 5, None), "");
        assert_eq!(substr("abc", 1, Some(-1)), "");
    }
}
