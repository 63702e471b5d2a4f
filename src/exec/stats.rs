//! The statistical aggregates over rows already numbered by group: spread
//! (`stddev`, `variance` and their population forms), `corr` and `covar`
//! from mergeable moments computed in morsels on all cores; `quantile` and
//! `median` by a selection in each group's values; `mode`, `first`,
//! `last` and `list` by one pass over the rows. Every kernel reads typed
//! column data, never per-row scalars.

use super::aggregate::key_codes;
use super::morsel::{self, MORSEL};
use crate::cancel;
use crate::error::{Error, ErrorKind, Result};
use crate::plan::{AggFn, PAgg, PExprKind};
use crate::store::{Builder, Column, Data, TextBuilder, NULL_ROW};
use crate::value::{format_date, format_decimal, Scalar, Type};
use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

/// Whether `compute` handles `func`.
pub fn handles(func: AggFn) -> bool {
    matches!(
        func,
        AggFn::Stddev
            | AggFn::StddevPop
            | AggFn::Variance
            | AggFn::VarPop
            | AggFn::Quantile
            | AggFn::Median
            | AggFn::Corr
            | AggFn::Covar
            | AggFn::Mode
            | AggFn::First
            | AggFn::Last
            | AggFn::List
    )
}

/// One aggregate (a function `handles` accepts) over `arg` (and `arg2`),
/// rows numbered by group in `ids`, `n` groups.
pub fn compute(
    agg: &PAgg,
    arg: &Column,
    arg2: Option<&Column>,
    ids: &[u32],
    n: usize,
) -> Result<Column> {
    Ok(match agg.func {
        AggFn::Stddev | AggFn::StddevPop | AggFn::Variance | AggFn::VarPop => {
            let m = moments(arg, None, ids, n)?;
            decimals(m.iter().map(|m| m.spread(agg.func)))
        }
        AggFn::Corr | AggFn::Covar => {
            let y = arg2.expect("the checker gives corr and covar two arguments");
            let m = moments(arg, Some(y), ids, n)?;
            decimals(m.iter().map(|m| m.relation(agg.func == AggFn::Corr)))
        }
        AggFn::Median => quantiles(arg, 0.5, ids, n)?,
        AggFn::Quantile => {
            let p = match agg.arg2.as_ref().map(|a| &a.kind) {
                Some(PExprKind::Literal(Scalar::Decimal(p))) => *p,
                _ => unreachable!("the checker gives quantile a constant decimal"),
            };
            quantiles(arg, p, ids, n)?
        }
        AggFn::First | AggFn::Last => {
            let mut rows = vec![NULL_ROW; n];
            for (i, &g) in ids.iter().enumerate() {
                let slot = &mut rows[g as usize];
                if arg.is_valid(i) && (*slot == NULL_ROW || agg.func == AggFn::Last) {
                    *slot = i as u32;
                }
            }
            typed(arg, arg.take(&rows), n)
        }
        AggFn::Mode => typed(arg, arg.take(&modes(arg, ids, n)?), n),
        AggFn::List => list(arg, agg.distinct, ids, n)?,
        other => unreachable!("`{}` is not a statistical aggregate", other.name()),
    })
}

/// An all-null argument gives an all-null result of the argument's type.
fn typed(arg: &Column, out: Column, n: usize) -> Column {
    if arg.ty() == Type::Null {
        Column::nulls(Type::Null, n)
    } else {
        out
    }
}

fn decimals(values: impl Iterator<Item = Option<f64>>) -> Column {
    let mut b = Builder::with_capacity(values.size_hint().0);
    values.for_each(|v| b.push(v));
    b.into_column()
}

/// A number column read as decimals.
#[derive(Clone, Copy)]
enum Num<'a> {
    Int(&'a [i64]),
    Dec(&'a [f64]),
    None,
}

impl<'a> Num<'a> {
    fn of(col: &'a Column) -> Num<'a> {
        match col.data() {
            Data::Int(v) if col.ty() != Type::Null => Num::Int(v),
            Data::Decimal(v) => Num::Dec(v),
            _ => Num::None,
        }
    }

    #[inline(always)]
    fn get(self, col: &Column, i: usize) -> Option<f64> {
        if !col.is_valid(i) {
            return None;
        }
        match self {
            Num::Int(v) => Some(v[i] as f64),
            Num::Dec(v) => Some(v[i]),
            Num::None => None,
        }
    }
}

/// Count, means and centred second moments of one group, updated one value
/// (pair) at a time (Welford) and merged pairwise (Chan et al.), so morsels
/// combine without the cancellation a sum of squares suffers.
#[derive(Clone, Copy, Default)]
struct Moments {
    n: f64,
    mean_x: f64,
    mean_y: f64,
    m2_x: f64,
    m2_y: f64,
    c_xy: f64,
}

impl Moments {
    #[inline(always)]
    fn add(&mut self, x: f64, y: f64) {
        self.n += 1.0;
        let dx = x - self.mean_x;
        self.mean_x += dx / self.n;
        let dy = y - self.mean_y;
        self.mean_y += dy / self.n;
        self.m2_x += dx * (x - self.mean_x);
        self.m2_y += dy * (y - self.mean_y);
        self.c_xy += dx * (y - self.mean_y);
    }

    fn merge(&mut self, o: &Moments) {
        if o.n == 0.0 {
            return;
        }
        if self.n == 0.0 {
            *self = *o;
            return;
        }
        let n = self.n + o.n;
        let dx = o.mean_x - self.mean_x;
        let dy = o.mean_y - self.mean_y;
        let w = self.n * o.n / n;
        self.m2_x += o.m2_x + dx * dx * w;
        self.m2_y += o.m2_y + dy * dy * w;
        self.c_xy += o.c_xy + dx * dy * w;
        self.mean_x += dx * o.n / n;
        self.mean_y += dy * o.n / n;
        self.n = n;
    }

    fn spread(&self, func: AggFn) -> Option<f64> {
        let sample = matches!(func, AggFn::Stddev | AggFn::Variance);
        let divisor = if sample { self.n - 1.0 } else { self.n };
        if divisor <= 0.0 {
            return None;
        }
        let var = (self.m2_x / divisor).max(0.0);
        Some(if matches!(func, AggFn::Stddev | AggFn::StddevPop) {
            var.sqrt()
        } else {
            var
        })
    }

    fn relation(&self, corr: bool) -> Option<f64> {
        if self.n < 2.0 {
            return None;
        }
        if !corr {
            return Some(self.c_xy / (self.n - 1.0));
        }
        let d = (self.m2_x * self.m2_y).sqrt();
        (d > 0.0).then(|| (self.c_xy / d).clamp(-1.0, 1.0))
    }
}

/// The moments of each group: of `x` alone, or of the pairs where `x` and
/// `y` are both non-null. Morsels run in parallel, each with its own array of
/// groups (morsels grow with the group count to keep the arrays small next
/// to the rows), merged in morsel order.
fn moments(x: &Column, y: Option<&Column>, ids: &[u32], n: usize) -> Result<Vec<Moments>> {
    let (nx, ny) = (Num::of(x), y.map(Num::of));
    let size = MORSEL.max((n * 16).next_multiple_of(64));
    let parts = morsel::map(ids.len(), size, |range| {
        let mut m = vec![Moments::default(); n];
        for i in range {
            let Some(a) = nx.get(x, i) else { continue };
            let b = match (y, ny) {
                (Some(y), Some(ny)) => match ny.get(y, i) {
                    Some(b) => b,
                    None => continue,
                },
                _ => 0.0,
            };
            m[ids[i] as usize].add(a, b);
        }
        m
    })?;
    let mut parts = parts.into_iter();
    let mut total = parts.next().unwrap_or_else(|| vec![Moments::default(); n]);
    for p in parts {
        total.iter_mut().zip(&p).for_each(|(t, m)| t.merge(m));
    }
    Ok(total)
}

/// The continuous quantile `p` of each group: `h = (k − 1)p` over the
/// group's `k` non-null values in order interpolates between the values at
/// `floor(h)` and `ceil(h)`. The values are bucketed by group in one
/// counting pass; in each group (groups in parallel) a selection finds the
/// value at `floor(h)` and the smallest of those after it the next, so no
/// group is sorted whole.
fn quantiles(arg: &Column, p: f64, ids: &[u32], n: usize) -> Result<Column> {
    let num = Num::of(arg);
    let mut starts = vec![0usize; n + 1];
    for (i, &g) in cancel::checked(ids.iter().enumerate()) {
        if num.get(arg, i).is_some() {
            starts[g as usize + 1] += 1;
        }
    }
    for g in 0..n {
        starts[g + 1] += starts[g];
    }
    let mut values = vec![0f64; starts[n]];
    let mut next = starts.clone();
    for (i, &g) in cancel::checked(ids.iter().enumerate()) {
        if let Some(x) = num.get(arg, i) {
            values[next[g as usize]] = x;
            next[g as usize] += 1;
        }
    }
    cancel::check()?;
    let mut groups: Vec<&mut [f64]> = Vec::with_capacity(n);
    let mut rest = &mut values[..];
    for w in starts.windows(2) {
        let (head, tail) = rest.split_at_mut(w[1] - w[0]);
        groups.push(head);
        rest = tail;
    }
    let handle = cancel::current();
    let out: Vec<Option<f64>> = groups
        .into_par_iter()
        .map(|values| {
            if values.is_empty() || handle.as_ref().is_some_and(|h| h.is_cancelled()) {
                return None;
            }
            let h = (values.len() - 1) as f64 * p;
            let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
            let (_, &mut a, after) = values.select_nth_unstable_by(lo, f64::total_cmp);
            if lo == hi {
                return Some(a);
            }
            let b = after.iter().copied().min_by(f64::total_cmp).unwrap_or(a);
            Some(a + (h - lo as f64) * (b - a))
        })
        .collect();
    cancel::check()?;
    Ok(decimals(out.into_iter()))
}

/// Whether row `a` holds a smaller value than row `b` (both valid).
fn less(col: &Column, a: usize, b: usize) -> bool {
    let ord = match col.data() {
        Data::Int(v) => v[a].cmp(&v[b]),
        Data::Decimal(v) => v[a].total_cmp(&v[b]),
        Data::Date(v) => v[a].cmp(&v[b]),
        Data::Bool(v) => v[a].cmp(&v[b]),
        Data::Text(c, d) => d.get(c[a]).cmp(d.get(c[b])),
    };
    ord == Ordering::Less
}

/// A row holding each group's most frequent non-null value (of tied values,
/// the smallest), or [`NULL_ROW`] for a group with none.
fn modes(arg: &Column, ids: &[u32], n: usize) -> Result<Vec<u32>> {
    let (codes, _) = key_codes(arg)?;
    // (group, value code) → (count, a row holding the value)
    let mut tally: HashMap<(u32, u64), (u32, u32)> = HashMap::new();
    for (i, (&g, &c)) in ids.iter().zip(&codes).enumerate() {
        if arg.is_valid(i) {
            tally.entry((g, c)).or_insert((0, i as u32)).0 += 1;
        }
    }
    let mut best: Vec<(u32, u32)> = vec![(0, NULL_ROW); n];
    for ((g, _), (count, row)) in tally {
        let b = &mut best[g as usize];
        if count > b.0 || (count == b.0 && less(arg, row as usize, b.1 as usize)) {
            *b = (count, row);
        }
    }
    Ok(best.into_iter().map(|(_, row)| row).collect())
}

/// Row `i`'s value as text, as a table shows it.
fn text_of(col: &Column, i: usize) -> String {
    match col.data() {
        Data::Int(v) => v[i].to_string(),
        Data::Decimal(v) => format_decimal(v[i]),
        Data::Date(v) => format_date(v[i]),
        Data::Bool(v) => v[i].to_string(),
        Data::Text(c, d) => d.get(c[i]).to_string(),
    }
}

/// Each group's non-null values (or distinct ones) joined by `, `, in input order.
fn list(arg: &Column, distinct: bool, ids: &[u32], n: usize) -> Result<Column> {
    let codes = if distinct {
        Some(key_codes(arg)?.0)
    } else {
        None
    };
    let mut seen: HashSet<(u32, u64)> = HashSet::new();
    let mut texts: Vec<Option<String>> = vec![None; n];
    const MAX_LIST: usize = 1 << 20;
    for (i, &g) in ids.iter().enumerate() {
        if !arg.is_valid(i) || arg.ty() == Type::Null {
            continue;
        }
        if let Some(codes) = &codes {
            if !seen.insert((g, codes[i])) {
                continue;
            }
        }
        let t = texts[g as usize].get_or_insert_with(String::new);
        if !t.is_empty() {
            t.push_str(", ");
        }
        t.push_str(&text_of(arg, i));
        if t.len() > MAX_LIST {
            return Err(Error::new(ErrorKind::Invalid(format!(
                "`list` made a text of more than {MAX_LIST} bytes for one group"
            )))
            .with_help("list fewer values: `list distinct x`, or group by more keys"));
        }
    }
    let mut b = TextBuilder::with_capacity(n);
    texts.iter().for_each(|t| b.push(t.as_deref()));
    Ok(b.into_column())
}
