//! Aggregation by direct indexing: when every grouping key is a column with a
//! small domain (a text dictionary, booleans, integers or dates in a narrow
//! range), a row's group is a number computed from its keys' codes, and each
//! aggregate is an array indexed by it. No hashing, no intermediate columns:
//! the rows a `where` kept are read in place through its [`Selection`].
//! Large inputs are split into morsels aggregated in parallel and merged in
//! morsel order.

use super::join::Coded;
use super::morsel::{self, MORSEL};
use super::select::Selection;
use super::sum::Sum;
use crate::error::{Error, ErrorKind, Result};
use crate::plan::lineage::{split_id, RowSet, MAX_RANGES};
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
    /// The same, over a scan's own id column (the id of row `r` is
    /// `row_id(tag, r)`, computed rather than read).
    ScanLineage(u32),
    /// The same, over a [`Coded`] column: the codes of each group are
    /// marked as `count distinct` marks them, then become the ids `by_code`
    /// gives them.
    CodedLineage(Domain<'a>, &'a [i64], Option<&'a Bitmap>),
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
/// rows and uses the general path). The columns in `coded` are only lineage
/// arguments.
pub fn aggregate(
    input: &Table,
    sel: &Selection,
    keys: &[(String, PExpr)],
    aggs: &[PAgg],
    coded: &[Coded],
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
    let by_code = |agg: &PAgg| match agg.arg.as_ref().map(|e| &e.kind) {
        Some(PExprKind::Column(i)) => coded.iter().find(|c| c.at == *i),
        _ => None,
    };
    let kinds: Vec<Kind> = aggs
        .iter()
        .zip(&arg_cols)
        .map(|(agg, col)| match (by_code(agg), col) {
            (Some(c), Some(col)) => coded_lineage(col, &c.by_code, groups),
            _ => kind(agg, col.as_deref(), groups),
        })
        .collect::<Option<_>>()?;
    Some(run(
        input, sel, keys, aggs, &key_cols, &domains, groups, &kinds,
    ))
}

/// The lineage of a [`Coded`] column whose left key `codes` has few enough
/// codes to mark per group, and whose values are ids.
fn coded_lineage<'a>(codes: &'a Column, by_code: &'a Column, groups: usize) -> Option<Kind<'a>> {
    let d = Domain::of(codes)?;
    let Data::Int(ids) = by_code.data() else {
        return None;
    };
    (groups.checked_mul(d.card)? <= MAX_DISTINCT_BITS)
        .then(|| Kind::CodedLineage(d, ids, by_code.validity()))
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
        (AggFn::Lineage, Data::Int(v)) => match crate::plan::lineage::scan_ids(col) {
            Some(tag) => Kind::ScanLineage(tag),
            None => Kind::Lineage(v, b),
        },
        _ => return None,
    })
}

/// Whether row `a` holds a strictly more extreme value than row `b`.
/// True when row `a` of `col` holds a greater value than row `b` (`max`),
/// or a lesser one; text compares by code point.
#[inline]
pub(super) fn better(col: &Column, max: bool, a: usize, b: usize) -> bool {
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
    for (kind, acc) in kinds.iter().zip(&mut total.accs) {
        if let (Kind::ScanLineage(tag), Acc::Count(counts)) = (kind, &*acc) {
            let counts = &counts[..groups];
            *acc = Acc::Lineage(scan_lineage(*tag, sel, rows, domains, counts)?);
        }
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
            (Kind::CodedLineage(d, ids, valid), Acc::Bits(bits, words)) => {
                Column::from_texts(order.iter().map(|&g| {
                    let mut set = RowSet::default();
                    let marked = &bits[g * words..(g + 1) * words];
                    for c in (0..d.card - 1).filter(|&c| marked[c / 64] >> (c % 64) & 1 == 1) {
                        if valid.is_none_or(|b| b.get(c)) {
                            set.insert_id(ids[c]);
                        }
                    }
                    Some(set.encode())
                }))
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
        // Most rows (a join where a few keys find no partner): read the
        // range as it is too, the rows left out going to one more group
        // that nothing reads, which costs less than listing the others.
        Selection::Bits(b) if dense(b, &range) => {
            let mut gids = group_ids(range.clone(), range.len(), domains);
            let words = &b.words()[range.start / 64..range.end.div_ceil(64)];
            for (w, &word) in words.iter().enumerate() {
                let mut out = !word;
                while out != 0 {
                    let i = w * 64 + out.trailing_zeros() as usize;
                    if let Some(g) = gids.get_mut(i) {
                        *g = groups as u32;
                    }
                    out &= out - 1;
                }
            }
            accumulate(&gids, range.clone(), groups + 1, Some(groups), kinds)
        }
        _ => {
            let mut rows: Vec<u32> = Vec::new();
            sel.for_each_in(range, |i| rows.push(i as u32));
            let n = rows.len();
            partial(rows.iter().map(|&r| r as usize), n, domains, groups, kinds)
        }
    }
}

/// The group of each of `rows` (`n` of them).
fn group_ids(rows: impl Iterator<Item = usize> + Clone, n: usize, domains: &[Domain]) -> Vec<u32> {
    let mut gids = vec![0u32; n];
    let mut stride = 1;
    for d in domains.iter().rev() {
        d.add_codes(&mut gids, rows.clone(), stride);
        stride *= d.card;
    }
    gids
}

/// Calls `f` with each morsel's selected rows and their groups, in order,
/// until it returns false; stops with an error at a cancel.
fn each_morsel(
    sel: &Selection,
    rows: usize,
    size: usize,
    domains: &[Domain],
    mut f: impl FnMut(&[u32], &mut dyn Iterator<Item = usize>) -> bool,
) -> Result<()> {
    let mut start = 0;
    while start < rows {
        crate::cancel::check()?;
        let range = start..(start + size).min(rows);
        start = range.end;
        let go = match sel {
            Selection::All => {
                let gids = group_ids(range.clone(), range.len(), domains);
                f(&gids, &mut range.clone())
            }
            _ => {
                let mut picked: Vec<u32> = Vec::new();
                sel.for_each_in(range, |i| picked.push(i as u32));
                let it = picked.iter().map(|&r| r as usize);
                let gids = group_ids(it.clone(), picked.len(), domains);
                f(&gids, &mut it.clone())
            }
        };
        if !go {
            return Ok(());
        }
    }
    Ok(())
}

/// The accumulators over `rows` (`n` of them, ascending).
fn partial(
    rows: impl Iterator<Item = usize> + Clone,
    n: usize,
    domains: &[Domain],
    groups: usize,
    kinds: &[Kind],
) -> Partial {
    let gids = group_ids(rows.clone(), n, domains);
    accumulate(&gids, rows, groups, None, kinds)
}

/// Whether the selection keeps at least half of `range`'s rows.
fn dense(b: &Bitmap, range: &std::ops::Range<usize>) -> bool {
    let words = &b.words()[range.start / 64..range.end.div_ceil(64)];
    let kept: u32 = words.iter().map(|w| w.count_ones()).sum();
    kept as usize * 2 >= range.len()
}

/// The accumulators over `rows`, whose groups are `gids`, in `groups`
/// slots; `trash` is the slot of rows left out, whose sums may not
/// overflow.
fn accumulate(
    gids: &[u32],
    rows: impl Iterator<Item = usize> + Clone,
    groups: usize,
    trash: Option<usize>,
    kinds: &[Kind],
) -> Partial {
    let n = gids.len();
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
                    if b.is_none_or(|b| b.get(r)) && Some(g) != trash {
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
            Kind::Distinct(d) | Kind::CodedLineage(d, ..) => {
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
            Kind::Lineage(v, b) => Acc::Lineage(lineage(v, *b, pairs(), n, groups)),
            // The sets are made after the merge, from these counts.
            Kind::ScanLineage(_) => {
                let mut c = vec![0i64; groups];
                gids.iter().for_each(|&g| c[g as usize] += 1);
                Acc::Count(c)
            }
        })
        .collect();
    Partial { first, accs }
}

/// Each group's set of the stored-row ids `v` of its rows (`pairs` of group
/// and row, `n` of them). Two cases get a path of their own, since a cited
/// aggregate folds every row: ids of one scan in ascending order within each
/// group (a scan's own rows, filtered or not) extend or start the group's
/// last range with no search, from a flat array; ids spanning a short stretch
/// of one scan (the few rows of a small joined relation) are marked in a
/// bitmap per group, one store a row, that then becomes ranges.
fn lineage(
    v: &[i64],
    b: Option<&Bitmap>,
    pairs: impl Iterator<Item = (usize, usize)> + Clone,
    n: usize,
    groups: usize,
) -> Vec<RowSet> {
    let valid = |r: usize| b.is_none_or(|b| b.get(r));
    let id = |r: usize| valid(r).then(|| v[r]);
    if let Some(sets) = ascending_lineage(id, pairs.clone(), groups) {
        return sets;
    }
    let mut sets = vec![RowSet::default(); groups];
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for (_, r) in pairs.clone().filter(|&(_, r)| valid(r)) {
        lo = lo.min(v[r]);
        hi = hi.max(v[r]);
    }
    let (tag, base) = split_id(lo);
    let words = (hi.abs_diff(lo) / 64 + 1) as usize;
    // Marked and read in a few words a row.
    if lo <= hi && split_id(hi).0 == tag && groups.saturating_mul(words) <= 4 * n {
        let mut bits = vec![0u64; groups * words];
        for (g, r) in pairs.filter(|&(_, r)| valid(r)) {
            let i = (v[r] - lo) as usize;
            bits[g * words + i / 64] |= 1 << (i % 64);
        }
        for (g, set) in sets.iter_mut().enumerate() {
            set.insert_bits(tag, base, &bits[g * words..(g + 1) * words]);
        }
    } else {
        for (g, r) in pairs.filter(|&(_, r)| valid(r)) {
            sets[g].insert_id(v[r]);
        }
    }
    sets
}

/// [`lineage`] for ids of one scan that ascend within each group, or `None`
/// (found early when they do not) when they are not.
fn ascending_lineage(
    id: impl Fn(usize) -> Option<i64>,
    mut pairs: impl Iterator<Item = (usize, usize)>,
    groups: usize,
) -> Option<Vec<RowSet>> {
    let Some((g, first)) = pairs.by_ref().find_map(|(g, r)| Some((g, id(r)?))) else {
        return Some(vec![RowSet::default(); groups]);
    };
    let (tag, row) = split_id(first);
    let mut runs = Runs::new(groups);
    runs.push(g, row);
    for (g, r) in pairs {
        if let Some(id) = id(r) {
            let (t, row) = split_id(id);
            if t != tag || !runs.push(g, row) {
                return None;
            }
        }
    }
    Some(runs.finish(tag))
}

/// [`lineage`] over a scan's own id column, whose ids are the row numbers,
/// given how many rows each group has in all (`counts`). A set keeps
/// [`MAX_RANGES`] ranges and counts the rest, so the rows are read in order,
/// one morsel after another, only until every group has its ranges full and
/// a row past its last one (no later row can then join a range: the rows
/// ascend) or has no row left; what was not read is counted. Over a few
/// hundred groups that is a morsel or two, where sets made per morsel and
/// merged cost ten times the aggregate.
fn scan_lineage(
    tag: u32,
    sel: &Selection,
    rows: usize,
    domains: &[Domain],
    counts: &[i64],
) -> Result<Vec<RowSet>> {
    let groups = counts.len();
    let mut runs = Runs::new(groups);
    let mut left: Vec<u64> = counts.iter().map(|&c| c as u64).collect();
    let finished = |runs: &Runs, left: &[u64]| {
        (runs.last.iter().zip(left)).all(|(l, &n)| n == 0 || l.more > 0)
    };
    // How often to look: rarely next to the work between two looks.
    let step = groups.max(1024);
    each_morsel(sel, rows, MORSEL.max(step), domains, |gids, rows| {
        for chunk in gids.chunks(step) {
            for (&g, r) in chunk.iter().zip(&mut *rows) {
                runs.push(g as usize, r as u64);
                left[g as usize] -= 1;
            }
            if finished(&runs, &left) {
                return false;
            }
        }
        true
    })?;
    for (l, n) in runs.last.iter_mut().zip(left) {
        l.more += n;
    }
    Ok(runs.finish(tag))
}

/// Each group's ranges of rows, built from rows given in ascending order
/// within each group: the last range of every group and how many ranges it
/// has sit side by side, so a row that extends it, or that a full set only
/// counts, costs a compare or two and no search.
struct Runs {
    last: Vec<LastRange>,
    ranges: Vec<Vec<(u64, u64)>>,
}

#[derive(Clone, Copy)]
struct LastRange {
    first: u64,
    last: u64,
    ranges: usize,
    more: u64,
}

impl Runs {
    fn new(groups: usize) -> Runs {
        // With no range yet, `last + 1` is no row.
        let none = LastRange {
            first: 0,
            last: u64::MAX - 1,
            ranges: 0,
            more: 0,
        };
        Runs {
            last: vec![none; groups],
            ranges: vec![Vec::new(); groups],
        }
    }

    /// Adds row `row` to group `g`; false when it comes before the group's
    /// last row (the rows were not in order).
    #[inline(always)]
    fn push(&mut self, g: usize, row: u64) -> bool {
        let l = &mut self.last[g];
        if row == l.last.wrapping_add(1) {
            l.last = row;
        } else if row <= l.last && l.ranges > 0 {
            // Already in the last range, unless out of order.
            return row == l.last;
        } else if l.ranges >= MAX_RANGES {
            l.more += 1;
        } else {
            if l.ranges > 0 {
                self.ranges[g].push((l.first, l.last));
            }
            (l.first, l.last) = (row, row);
            l.ranges += 1;
        }
        true
    }

    fn finish(self, tag: u32) -> Vec<RowSet> {
        self.ranges
            .into_iter()
            .zip(self.last)
            .map(|(mut ranges, l)| {
                if l.ranges > 0 {
                    ranges.push((l.first, l.last));
                }
                RowSet::from_ranges(tag, ranges, l.more)
            })
            .collect()
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::lineage::row_id;

    /// The number of groups in `gids`.
    fn domain_card(gids: &[usize]) -> usize {
        gids.iter().max().map_or(0, |m| m + 1)
    }

    /// The sets the insert of one id at a time makes.
    fn one_by_one(ids: &[Option<i64>], gids: &[usize], groups: usize) -> Vec<RowSet> {
        let mut sets = vec![RowSet::default(); groups];
        for (&g, id) in gids.iter().zip(ids) {
            if let Some(id) = id {
                sets[g].insert_id(*id);
            }
        }
        sets
    }

    /// A `where` that keeps most rows is read over whole morsels, the rows
    /// left out going to a slot nothing reads: the same answers as over
    /// the kept rows gathered, and a sum that would overflow only on rows
    /// left out is no error.
    #[test]
    fn a_dense_selection_gives_the_answers_of_its_rows_gathered() {
        let n = 200_000;
        let col = |v: Vec<i64>| Arc::new(Column::new(Data::Int(v), None));
        let input = Table::with_rows(
            vec![
                ("k".into(), col((0..n).map(|i| (i % 5) as i64).collect())),
                (
                    "v".into(),
                    col((0..n)
                        .map(|i| if i % 10 == 3 { i64::MAX } else { i as i64 })
                        .collect()),
                ),
            ],
            n,
        );
        let kept: Bitmap = (0..n).map(|i| i % 10 != 3 && i != 7).collect();
        let at = |i: usize| PExpr {
            kind: PExprKind::Column(i),
            ty: Type::Int,
        };
        let agg = |func: AggFn, distinct: bool, arg: Option<PExpr>| PAgg {
            name: format!("{func:?}{distinct}"),
            func,
            distinct,
            arg,
            arg2: None,
            ty: Type::Int,
        };
        let keys = vec![("k".to_string(), at(0))];
        let aggs = vec![
            agg(AggFn::Sum, false, Some(at(1))),
            agg(AggFn::Count, false, None),
            agg(AggFn::Min, false, Some(at(1))),
            agg(AggFn::Max, false, Some(at(1))),
            agg(AggFn::Count, true, Some(at(0))),
        ];
        let sel = Selection::Bits(kept);
        assert!(dense(
            match &sel {
                Selection::Bits(b) => b,
                _ => unreachable!(),
            },
            &(0..MORSEL)
        ));
        let got = aggregate(&input, &sel, &keys, &aggs, &[]).unwrap().unwrap();
        let gathered = sel.clone().apply(input);
        let want = aggregate(&gathered, &Selection::All, &keys, &aggs, &[])
            .unwrap()
            .unwrap();
        assert_eq!(got.num_rows(), 5);
        for c in 0..want.num_columns() {
            for r in 0..want.num_rows() {
                assert_eq!(got.get(r, c), want.get(r, c), "row {r}, column {c}");
            }
        }
    }

    /// Each path of `lineage` (ids ascending per group, with repeats and
    /// nulls; a short stretch out of order; a long one out of order; two
    /// scans) makes the sets that inserting the ids one by one makes,
    /// full sets included; and a scan's own ids make them without reading.
    #[test]
    fn every_lineage_path_makes_the_sets_of_one_by_one_inserts() {
        let mut seed = 11u64;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        let n = 20_000;
        let groups = 7;
        let gids: Vec<usize> = (0..n).map(|_| next(groups as u64) as usize).collect();
        let ascending: Vec<Option<i64>> = (0..n)
            .map(|r| (next(10) != 0).then(|| row_id(2, r - usize::from(r % 9 == 1))))
            .collect();
        let short: Vec<Option<i64>> = (0..n)
            .map(|_| Some(row_id(1, 5 + next(40) as usize)))
            .collect();
        let long: Vec<Option<i64>> = (0..n)
            .map(|_| Some(row_id(1, next(1 << 30) as usize)))
            .collect();
        let two_scans: Vec<Option<i64>> = (0..n).map(|r| Some(row_id((r % 2) as u32, r))).collect();
        for (name, ids) in [
            ("ascending", &ascending),
            ("short", &short),
            ("long", &long),
            ("two scans", &two_scans),
        ] {
            let v: Vec<i64> = ids.iter().map(|x| x.unwrap_or(-1)).collect();
            let valid: Bitmap = ids.iter().map(|x| x.is_some()).collect();
            let pairs = gids.iter().copied().zip(0..n);
            let got = lineage(&v, Some(&valid), pairs, n, groups);
            assert_eq!(got, one_by_one(ids, &gids, groups), "{name}");
        }
        // A scan's own ids, read in order only until every set is full:
        // a group whose first row comes late, and one whose rows end in a
        // long run, still get their ranges; rows through a selection too.
        let mut late = gids.clone();
        late.extend(std::iter::repeat_n(groups, 300));
        late.extend((0..3000).map(|i| (i / 1500) * 3));
        let some = |n: usize| Selection::Bits((0..n).map(|r| r % 5 != 2).collect());
        for (name, late, sel) in [
            ("every row", &late, Selection::All),
            ("a selection", &late, some(late.len())),
            ("no late group", &gids, Selection::All),
        ] {
            let picked = |r: usize| !matches!(&sel, Selection::Bits(b) if !b.get(r));
            let col = Column::new(Data::Int(late.iter().map(|&g| g as i64).collect()), None);
            let domain = Domain::of(&col).expect("a narrow domain");
            let mut counts = vec![0i64; domain.card];
            let mut own = vec![None; late.len()];
            for (r, &g) in late.iter().enumerate().filter(|&(r, _)| picked(r)) {
                counts[g] += 1;
                own[r] = Some(row_id(4, r));
            }
            let got = scan_lineage(4, &sel, late.len(), &[domain], &counts).unwrap();
            let want = one_by_one(&own, late, domain_card(late));
            assert_eq!(&got[..want.len()], &want[..], "{name}");
            assert!(
                got[..groups].iter().all(|s| s.more() > 0),
                "{name}: the sets fill up"
            );
        }
    }
}
