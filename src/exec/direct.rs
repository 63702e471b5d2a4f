//! Aggregation by direct indexing: when every grouping key is a column with a
//! small domain (a text dictionary, booleans, integers or dates in a narrow
//! range), a row's group is a number computed from its keys' codes, and each
//! aggregate is an array indexed by it. No hashing, no intermediate columns:
//! the rows a `where` kept are read in place through its [`Selection`].
//! Large inputs are split into morsels aggregated in parallel and merged in
//! morsel order.

use super::morsel::{self, MORSEL};
use super::select::Selection;
use super::sum::Sum;
use crate::error::{Error, ErrorKind, Result};
use crate::plan::lineage::RowSet;
use crate::plan::AggFn;
use crate::plan::{PAgg, PExpr, PExprKind};
use crate::store::{Bitmap, Builder, Column, Data, Table, NULL_ROW};
use crate::value::Type;
use std::cmp::Ordering;
use std::sync::Arc;

/// The most groups (the product of the keys' domains) aggregated directly.
const MAX_GROUPS: usize = 1 << 16;
/// The most bits of `count distinct` sets per morsel.
const MAX_DISTINCT_BITS: usize = 1 << 22;

/// A key or `count distinct` argument mapped to codes `0..card`; the last code is null.
pub(super) struct Domain<'a> {
    values: Values<'a>,
    validity: Option<&'a Bitmap>,
    /// The number of codes, null's included.
    pub(super) card: usize,
}

enum Values<'a> {
    Text(&'a [u32]),
    Bool(&'a [bool]),
    Int(&'a [i64], i64),
    Date(&'a [i32], i32),
}

impl Domain<'_> {
    /// The column's domain, or `None` when it is too wide (or decimal).
    pub(super) fn of(col: &Column) -> Option<Domain<'_>> {
        if col.ty() == Type::Null {
            return None;
        }
        let validity = col.validity();
        let (values, width) = match col.data() {
            Data::Text(codes, dict) => (Values::Text(codes), dict.len()),
            Data::Bool(v) => (Values::Bool(v), 2),
            Data::Int(v) => {
                let (lo, hi) = range(v, validity)?;
                (
                    Values::Int(v, lo),
                    usize::try_from(hi.checked_sub(lo)?).ok()? + 1,
                )
            }
            Data::Date(v) => {
                let (lo, hi) = range(v, validity)?;
                (Values::Date(v, lo as i32), (hi - lo) as usize + 1)
            }
            Data::Decimal(_) => return None,
        };
        Some(Domain {
            values,
            validity,
            card: width + 1,
        })
    }

    /// Adds each row's code times `stride` to its group number (one loop per
    /// kind of values, so the loop body has no branch on the kind).
    fn add_codes(&self, gids: &mut [u32], rows: impl Iterator<Item = usize>, stride: usize) {
        let null = ((self.card - 1) * stride) as u32;
        macro_rules! each {
            ($code:expr) => {
                match self.validity {
                    None => gids
                        .iter_mut()
                        .zip(rows)
                        .for_each(|(g, r)| *g += ($code(r) * stride) as u32),
                    Some(b) => gids.iter_mut().zip(rows).for_each(|(g, r)| {
                        *g += if b.get(r) {
                            ($code(r) * stride) as u32
                        } else {
                            null
                        }
                    }),
                }
            };
        }
        match self.values {
            Values::Text(c) => each!(|r: usize| c[r] as usize),
            Values::Bool(v) => each!(|r: usize| usize::from(v[r])),
            Values::Int(v, lo) => each!(|r: usize| (v[r] - lo) as usize),
            Values::Date(v, lo) => each!(|r: usize| (v[r] - lo) as usize),
        }
    }

    /// Row `i`'s code.
    #[inline(always)]
    pub(super) fn code(&self, i: usize) -> usize {
        if self.validity.is_some_and(|v| !v.get(i)) {
            return self.card - 1;
        }
        match self.values {
            Values::Text(c) => c[i] as usize,
            Values::Bool(v) => usize::from(v[i]),
            Values::Int(v, lo) => (v[i] - lo) as usize,
            Values::Date(v, lo) => (v[i] - lo) as usize,
        }
    }
}

/// The smallest and largest valid values, when the range is narrow enough
/// to index (an all-null column has the range 0..=0).
fn range<T: Copy + Ord + Into<i64> + Send + Sync>(
    v: &[T],
    validity: Option<&Bitmap>,
) -> Option<(i64, i64)> {
    let parts = morsel::map(v.len(), MORSEL, |r| {
        let mut lo: Option<T> = None;
        let mut hi: Option<T> = None;
        for i in r {
            if validity.is_none_or(|b| b.get(i)) {
                let x = v[i];
                lo = Some(lo.map_or(x, |l| l.min(x)));
                hi = Some(hi.map_or(x, |h| h.max(x)));
            }
        }
        (lo, hi)
    })
    .ok()?;
    let lo = parts.iter().filter_map(|p| p.0).min().map_or(0, Into::into);
    let hi = parts.iter().filter_map(|p| p.1).max().map_or(0, Into::into);
    (hi.checked_sub(lo)? < MAX_GROUPS as i64).then_some((lo, hi))
}

/// What an aggregate reads.
enum Kind<'a> {
    /// `count` (rows).
    Rows,
    /// `count x` (non-null values).
    Valid(&'a Column),
    /// `sum` of integers.
    SumInt(&'a [i64], Option<&'a Bitmap>),
    /// `sum` or `avg` of numbers, as decimals.
    SumF(Num<'a>, bool),
    /// `min` or `max` (true): the row of the extreme value.
    Extreme(&'a Column, bool),
    /// `count distinct`.
    Distinct(Domain<'a>),
    /// The union of the stored-row ids of each group (`cite`, `why`).
    Lineage(&'a [i64], Option<&'a Bitmap>),
}

#[derive(Clone, Copy)]
enum Num<'a> {
    Int(&'a [i64], Option<&'a Bitmap>),
    Dec(&'a [f64], Option<&'a Bitmap>),
}

impl Num<'_> {
    #[inline(always)]
    fn get(&self, i: usize) -> Option<f64> {
        match *self {
            Num::Int(v, b) => b.is_none_or(|b| b.get(i)).then(|| v[i] as f64),
            Num::Dec(v, b) => b.is_none_or(|b| b.get(i)).then(|| v[i]),
        }
    }
}

/// One morsel's (then the merged) accumulators.
enum Acc {
    Count(Vec<i64>),
    SumInt(Vec<i64>, Vec<u32>, bool),
    SumF(Vec<Sum>, Vec<u64>),
    Best(Vec<u32>),
    Bits(Vec<u64>, usize),
    Lineage(Vec<RowSet>),
}

struct Partial {
    first: Vec<u32>,
    accs: Vec<Acc>,
}

/// Aggregates `input`'s selected rows directly, or `None` when the keys or
/// aggregates are not of the forms this handles (the caller then gathers the
/// rows and uses the general path).
pub fn aggregate(
    input: &Table,
    sel: &Selection,
    keys: &[(String, PExpr)],
    aggs: &[PAgg],
) -> Option<Result<Table>> {
    let column = |e: &PExpr| match e.kind {
        PExprKind::Column(i) => Some(Arc::clone(input.column_at(i))),
        _ => None,
    };
    let key_cols: Vec<Arc<Column>> = keys.iter().map(|(_, e)| column(e)).collect::<Option<_>>()?;
    let arg_cols: Vec<Option<Arc<Column>>> = aggs
        .iter()
        .map(|a| match &a.arg {
            None => Some(None),
            Some(e) => column(e).map(Some),
        })
        .collect::<Option<_>>()?;
    let domains: Vec<Domain> = key_cols
        .iter()
        .map(|c| Domain::of(c))
        .collect::<Option<_>>()?;
    let mut groups = 1usize;
    for d in &domains {
        groups = groups.checked_mul(d.card).filter(|&g| g <= MAX_GROUPS)?;
    }
    let kinds: Vec<Kind> = aggs
        .iter()
        .zip(&arg_cols)
        .map(|(agg, col)| kind(agg, col.as_deref(), groups))
        .collect::<Option<_>>()?;
    Some(run(
        input, sel, keys, aggs, &key_cols, &domains, groups, &kinds,
    ))
}

fn kind<'a>(agg: &PAgg, col: Option<&'a Column>, groups: usize) -> Option<Kind<'a>> {
    let Some(col) = col else {
        return Some(Kind::Rows);
    };
    if col.ty() == Type::Null {
        return None;
    }
    let b = col.validity();
    Some(match (agg.func, col.data()) {
        (AggFn::Count, _) if agg.distinct => {
            let d = Domain::of(col)?;
            if groups.checked_mul(d.card)? > MAX_DISTINCT_BITS {
                return None;
            }
            Kind::Distinct(d)
        }
        (AggFn::Count, _) => Kind::Valid(col),
        (AggFn::Sum, Data::Int(v)) => Kind::SumInt(v, b),
        (AggFn::Avg, Data::Int(v)) => Kind::SumF(Num::Int(v, b), true),
        (AggFn::Sum | AggFn::Avg, Data::Decimal(v)) => {
            Kind::SumF(Num::Dec(v, b), agg.func == AggFn::Avg)
        }
        (AggFn::Min | AggFn::Max, _) => Kind::Extreme(col, agg.func == AggFn::Max),
        (AggFn::Lineage, Data::Int(v)) => Kind::Lineage(v, b),
        _ => return None,
    })
}

/// Whether row `a` holds a strictly more extreme value than row `b`.
#[inline]
fn better(col: &Column, max: bool, a: usize, b: usize) -> bool {
    let ord = match col.data() {
        Data::Int(v) => v[a].cmp(&v[b]),
        Data::Decimal(v) => v[a].total_cmp(&v[b]),
        Data::Date(v) => v[a].cmp(&v[b]),
        Data::Bool(v) => v[a].cmp(&v[b]),
        Data::Text(c, d) => d.get(c[a]).cmp(d.get(c[b])),
    };
    ord == if max {
        Ordering::Greater
    } else {
        Ordering::Less
    }
}

#[allow(clippy::too_many_arguments)]
fn run(
    input: &Table,
    sel: &Selection,
    keys: &[(String, PExpr)],
    aggs: &[PAgg],
    key_cols: &[Arc<Column>],
    domains: &[Domain],
    groups: usize,
    kinds: &[Kind],
) -> Result<Table> {
    let rows = input.num_rows();
    // Keep the per-morsel arrays small next to the rows they summarise.
    let size = MORSEL.max((groups * 16).next_multiple_of(64));
    let partials = morsel::map(rows, size, |range| {
        morsel_partial(sel, range, domains, groups, kinds)
    })?;
    let mut iter = partials.into_iter();
    let mut total = iter.next().expect("at least one morsel");
    for p in iter {
        merge(&mut total, p, kinds);
    }
    // Groups in order of their first row; with no keys, one group even over no rows.
    let mut order: Vec<usize> = if keys.is_empty() {
        vec![0]
    } else {
        (0..groups)
            .filter(|&g| total.first[g] != NULL_ROW)
            .collect()
    };
    order.sort_by_key(|&g| total.first[g]);
    let n = order.len();
    let mut out: Vec<(String, Arc<Column>)> = Vec::with_capacity(keys.len() + aggs.len());
    let first_rows: Vec<u32> = order.iter().map(|&g| total.first[g]).collect();
    for ((name, _), col) in keys.iter().zip(key_cols) {
        out.push((name.clone(), Arc::new(col.take(&first_rows))));
    }
    for ((agg, kind), acc) in aggs.iter().zip(kinds).zip(total.accs) {
        let col = match (kind, acc) {
            (_, Acc::Count(c)) => {
                Column::new(Data::Int(order.iter().map(|&g| c[g]).collect()), None)
            }
            (_, Acc::SumInt(s, c, overflow)) => {
                if overflow {
                    return Err(overflow_error(&agg.name));
                }
                let mut b = Builder::with_capacity(n);
                order
                    .iter()
                    .for_each(|&g| b.push((c[g] > 0).then_some(s[g])));
                b.into_column()
            }
            (Kind::SumF(_, avg), Acc::SumF(s, c)) => {
                let mut b = Builder::with_capacity(n);
                order.iter().for_each(|&g| {
                    b.push((c[g] > 0).then(|| {
                        let total = s[g].value();
                        if *avg {
                            total / c[g] as f64
                        } else {
                            total
                        }
                    }))
                });
                b.into_column()
            }
            (Kind::Extreme(col, _), Acc::Best(best)) => {
                col.take(&order.iter().map(|&g| best[g]).collect::<Vec<_>>())
            }
            (_, Acc::Bits(bits, words)) => Column::new(
                Data::Int(
                    order
                        .iter()
                        .map(|&g| {
                            bits[g * words..(g + 1) * words]
                                .iter()
                                .map(|w| i64::from(w.count_ones()))
                                .sum()
                        })
                        .collect(),
                ),
                None,
            ),
            (_, Acc::Lineage(sets)) => {
                Column::from_texts(order.iter().map(|&g| Some(sets[g].encode())))
            }
            _ => unreachable!("each aggregate kind has its accumulator"),
        };
        out.push((agg.name.clone(), Arc::new(col)));
    }
    Ok(Table::with_rows(out, n))
}

fn overflow_error(name: &str) -> Error {
    Error::new(ErrorKind::Overflow(format!("`{name}`")))
        .with_help("the sum passes 9223372036854775807; sum a decimal instead, e.g. `sum x * 1.0`")
}

fn morsel_partial(
    sel: &Selection,
    range: std::ops::Range<usize>,
    domains: &[Domain],
    groups: usize,
    kinds: &[Kind],
) -> Partial {
    match sel {
        // Every row: read the range as it is, with no list of row numbers.
        Selection::All => partial(range.clone(), range.len(), domains, groups, kinds),
        _ => {
            let mut rows: Vec<u32> = Vec::new();
            sel.for_each_in(range, |i| rows.push(i as u32));
            let n = rows.len();
            partial(rows.iter().map(|&r| r as usize), n, domains, groups, kinds)
        }
    }
}

/// The accumulators over `rows` (`n` of them, ascending).
fn partial(
    rows: impl Iterator<Item = usize> + Clone,
    n: usize,
    domains: &[Domain],
    groups: usize,
    kinds: &[Kind],
) -> Partial {
    let mut gids = vec![0u32; n];
    let mut stride = 1;
    for d in domains.iter().rev() {
        d.add_codes(&mut gids, rows.clone(), stride);
        stride *= d.card;
    }
    let mut first = vec![NULL_ROW; groups];
    for (&g, r) in gids.iter().zip(rows.clone()) {
        let f = &mut first[g as usize];
        if *f == NULL_ROW {
            *f = r as u32;
        }
    }
    let pairs = || gids.iter().map(|&g| g as usize).zip(rows.clone());
    let accs = kinds
        .iter()
        .map(|k| match k {
            Kind::Rows => {
                let mut c = vec![0i64; groups];
                gids.iter().for_each(|&g| c[g as usize] += 1);
                Acc::Count(c)
            }
            Kind::Valid(col) => {
                let mut c = vec![0i64; groups];
                pairs().for_each(|(g, r)| c[g] += i64::from(col.is_valid(r)));
                Acc::Count(c)
            }
            Kind::SumInt(v, b) => {
                let (mut s, mut c, mut overflow) = (vec![0i64; groups], vec![0u32; groups], false);
                for (g, r) in pairs() {
                    if b.is_none_or(|b| b.get(r)) {
                        match s[g].checked_add(v[r]) {
                            Some(x) => s[g] = x,
                            None => overflow = true,
                        }
                        c[g] = 1;
                    }
                }
                Acc::SumInt(s, c, overflow)
            }
            Kind::SumF(num, _) => {
                let (mut s, mut c) = (vec![Sum::default(); groups], vec![0u64; groups]);
                let mut add = |g: usize, x: f64| {
                    s[g].add(x);
                    c[g] += 1;
                };
                match *num {
                    Num::Dec(v, None) => pairs().for_each(|(g, r)| add(g, v[r])),
                    Num::Dec(v, Some(b)) => pairs().for_each(|(g, r)| {
                        if b.get(r) {
                            add(g, v[r])
                        }
                    }),
                    Num::Int(..) => pairs().for_each(|(g, r)| {
                        if let Some(x) = num.get(r) {
                            add(g, x)
                        }
                    }),
                }
                Acc::SumF(s, c)
            }
            Kind::Extreme(col, max) => {
                let mut best = vec![NULL_ROW; groups];
                for (g, r) in pairs() {
                    if col.is_valid(r)
                        && (best[g] == NULL_ROW || better(col, *max, r, best[g] as usize))
                    {
                        best[g] = r as u32;
                    }
                }
                Acc::Best(best)
            }
            Kind::Distinct(d) => {
                let words = d.card.div_ceil(64);
                let mut bits = vec![0u64; groups * words];
                for (g, r) in pairs() {
                    let c = d.code(r);
                    if c != d.card - 1 {
                        bits[g * words + c / 64] |= 1 << (c % 64);
                    }
                }
                Acc::Bits(bits, words)
            }
            Kind::Lineage(v, b) => {
                let mut sets = vec![RowSet::default(); groups];
                for (g, r) in pairs() {
                    if b.is_none_or(|b| b.get(r)) {
                        sets[g].insert_id(v[r]);
                    }
                }
                Acc::Lineage(sets)
            }
        })
        .collect();
    Partial { first, accs }
}

/// Adds a later morsel's accumulators into `total`.
fn merge(total: &mut Partial, later: Partial, kinds: &[Kind]) {
    for (f, l) in total.first.iter_mut().zip(later.first) {
        if *f == NULL_ROW {
            *f = l;
        }
    }
    for ((acc, next), kind) in total.accs.iter_mut().zip(later.accs).zip(kinds) {
        match (acc, next) {
            (Acc::Count(a), Acc::Count(b)) => a.iter_mut().zip(b).for_each(|(x, y)| *x += y),
            (Acc::SumInt(s, c, o), Acc::SumInt(s2, c2, o2)) => {
                *o |= o2;
                for ((x, y), (n, m)) in s.iter_mut().zip(s2).zip(c.iter_mut().zip(c2)) {
                    match x.checked_add(y) {
                        Some(v) => *x = v,
                        None => *o = true,
                    }
                    *n |= m;
                }
            }
            (Acc::SumF(s, c), Acc::SumF(s2, c2)) => {
                s.iter_mut().zip(s2).for_each(|(x, y)| x.merge(y));
                c.iter_mut().zip(c2).for_each(|(x, y)| *x += y);
            }
            (Acc::Best(a), Acc::Best(b)) => {
                let Kind::Extreme(col, max) = kind else {
                    unreachable!("a best row belongs to min or max")
                };
                for (x, y) in a.iter_mut().zip(b) {
                    if y != NULL_ROW
                        && (*x == NULL_ROW || better(col, *max, y as usize, *x as usize))
                    {
                        *x = y;
                    }
                }
            }
            (Acc::Bits(a, _), Acc::Bits(b, _)) => a.iter_mut().zip(b).for_each(|(x, y)| *x |= y),
            (Acc::Lineage(a), Acc::Lineage(b)) => {
                a.iter_mut().zip(&b).for_each(|(x, y)| x.union(y))
            }
            _ => unreachable!("morsels have the same accumulators"),
        }
    }
}
