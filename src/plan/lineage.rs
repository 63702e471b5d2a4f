//! Lineage: which stored rows made each result row. `cite` and `why` run a
//! query through [`trace`], which rewrites its plan to carry hidden lineage
//! columns that the ordinary operators move like any other column: each scan
//! adds one (the stored row's id, an integer), a filter, sort, limit, top or
//! window keeps it, a projection passes it on, a join keeps both sides', and
//! an aggregate or `distinct` folds each into one per group with
//! [`AggFn::Lineage`], the union of the group's rows (a [`RowSet`] written as
//! text). So lineage flows through the one plan and any backend that runs
//! it; a query without `cite` or `why` is never rewritten and pays nothing.

use super::{AggFn, PAgg, PExpr, PExprKind, Plan, Scan};
use crate::error::{Error, ErrorKind, Result};
use crate::store::{Column, Data, Table};
use crate::value::Type;
use rayon::prelude::*;
use std::sync::{Arc, Mutex, Weak};

/// A stored row's id: the scan it came from (its tag) and its row number.
#[inline]
pub fn row_id(tag: u32, row: usize) -> i64 {
    (i64::from(tag) << TAG_SHIFT) | row as i64
}

const TAG_SHIFT: u32 = 40;

/// The id columns kept: tag, rows and the column.
static ID_COLUMNS: Mutex<Vec<(u32, usize, Arc<Column>)>> = Mutex::new(Vec::new());

/// The stand-ins given out for large scans' id columns: tag, rows and the
/// stand-in, alive while a traced plan holds it.
static STAND_INS: Mutex<Vec<(u32, usize, Weak<Column>)>> = Mutex::new(Vec::new());

/// Scans of this many rows or more get a stand-in id column.
const LARGE: usize = 1 << 16;

/// The ids of `rows` stored rows read by scan `tag`, for a traced plan. Of
/// a large scan, a stand-in: a column of zeros whose pages are never
/// touched (so it costs neither time nor memory) until the scan runs
/// ([`with_ids`] puts the ids in its place then), or until an aggregate
/// that computes each row's id from its number ([`scan_ids`]) reads the
/// scan in place and never needs them.
fn id_column(tag: u32, rows: usize) -> Arc<Column> {
    if rows < LARGE {
        return build_ids(tag, rows);
    }
    let stand_in = Arc::new(Column::new(Data::Int(vec![0; rows]), None));
    let mut given = STAND_INS.lock().unwrap_or_else(|e| e.into_inner());
    given.retain(|(_, _, w)| w.strong_count() > 0);
    given.push((tag, rows, Arc::downgrade(&stand_in)));
    stand_in
}

/// The ids themselves, filled on every core (the first touch of 80 MB of
/// pages for ten million rows is most of the cost).
fn build_ids(tag: u32, rows: usize) -> Arc<Column> {
    let ids: Vec<i64> = (0..rows).into_par_iter().map(|r| row_id(tag, r)).collect();
    Arc::new(Column::new(Data::Int(ids), None))
}

/// The filled id column of scan `tag` of `rows` rows. Every `cite` over a
/// large relation needs the same column, so the last two are kept.
fn filled_ids(tag: u32, rows: usize) -> Arc<Column> {
    const KEPT: usize = 2;
    let hit = {
        let mut cache = ID_COLUMNS.lock().unwrap_or_else(|e| e.into_inner());
        let at = cache.iter().position(|(t, n, _)| *t == tag && *n == rows);
        at.map(|at| {
            let entry = cache.remove(at);
            let col = Arc::clone(&entry.2);
            cache.insert(0, entry);
            col
        })
    };
    if let Some(col) = hit {
        return col;
    }
    let col = build_ids(tag, rows);
    let mut cache = ID_COLUMNS.lock().unwrap_or_else(|e| e.into_inner());
    cache.insert(0, (tag, rows, Arc::clone(&col)));
    cache.truncate(KEPT);
    col
}

/// The scan tag and rows of a stand-in id column.
fn stand_in(col: &Column) -> Option<(u32, usize)> {
    let given = STAND_INS.lock().unwrap_or_else(|e| e.into_inner());
    given
        .iter()
        .find(|(_, _, w)| std::ptr::eq(w.as_ptr(), col))
        .map(|&(tag, rows, _)| (tag, rows))
}

/// The positions of `table`'s stand-in id columns (see [`id_column`]),
/// with their scans' tags and rows; none, at the cost of comparing column
/// names, for a table that is not a traced scan's.
fn stand_ins(table: &Table) -> Vec<(usize, u32, usize)> {
    (0..table.num_columns())
        .filter(|&c| table.fields()[c].name == LINEAGE)
        .filter_map(|c| stand_in(table.column_at(c)).map(|(tag, rows)| (c, tag, rows)))
        .collect()
}

/// `table` with its stand-in id columns replaced by the ids; any other
/// table as it is.
pub fn with_ids(table: &Table) -> Table {
    let found = stand_ins(table);
    if found.is_empty() {
        return table.clone();
    }
    let mut columns = table.named_columns();
    for (c, tag, rows) in found {
        columns[c].1 = filled_ids(tag, rows);
    }
    Table::with_rows(columns, table.num_rows())
}

/// Whether `table` holds a stand-in id column, which only an aggregate that
/// computes the ids ([`scan_ids`]) may read in place of [`with_ids`].
pub fn has_stand_in(table: &Table) -> bool {
    !stand_ins(table).is_empty()
}

/// The tag of the scan whose ids `col` holds, when it is one of the id
/// columns kept for large scans or a stand-in for one: its value at row `r`
/// is then `row_id(tag, r)`, which a reader can compute instead of reading 8
/// bytes a row (and must, for a stand-in).
pub fn scan_ids(col: &Column) -> Option<u32> {
    if let Some((tag, _)) = stand_in(col) {
        return Some(tag);
    }
    let cache = ID_COLUMNS.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .iter()
        .find(|(_, _, c)| std::ptr::eq(&**c, col))
        .map(|(tag, _, _)| *tag)
}

/// The tag and row number of a stored row's id.
#[inline]
pub fn split_id(id: i64) -> (u32, u64) {
    (
        (id >> TAG_SHIFT) as u32,
        (id & ((1 << TAG_SHIFT) - 1)) as u64,
    )
}

/// The most ranges of rows a [`RowSet`] keeps exactly of each scan; beyond
/// them it counts.
pub const MAX_RANGES: usize = 256;

/// A set of stored rows: for each scan tag, sorted disjoint ranges of row
/// numbers. Each scan's rows are exact while they need at most
/// [`MAX_RANGES`] ranges; a row that would need another range is only
/// counted (`more`), so a group of millions of scattered rows stays small and
/// still says how many rows it has, and a scan of few rows joined to it keeps
/// its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowSet {
    parts: Vec<Part>,
}

/// The rows of one scan in a [`RowSet`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The scan's tag.
    pub tag: u32,
    /// The rows kept exactly: ascending, disjoint, inclusive ranges that do
    /// not touch, at most [`MAX_RANGES`].
    pub ranges: Vec<(u64, u64)>,
    /// How many more rows of the scan are counted but not kept.
    pub more: u64,
}

impl Part {
    /// Adds the rows `a..=b`.
    fn insert(&mut self, a: u64, b: u64) {
        let ranges = &mut self.ranges;
        let room = ranges.len() < MAX_RANGES;
        // In input order, each row extends the last range or starts the next
        // (or, with no room for another, is only counted).
        if let Some(last) = ranges.last_mut() {
            if a >= last.0 && a <= last.1 + 1 {
                last.1 = last.1.max(b);
                return;
            }
            if a > last.1 + 1 {
                match room {
                    true => ranges.push((a, b)),
                    false => self.more += b - a + 1,
                }
                return;
            }
        }
        let i = ranges.partition_point(|r| r.1 + 1 < a);
        if i < ranges.len() && ranges[i].0 <= b + 1 {
            ranges[i].0 = ranges[i].0.min(a);
            ranges[i].1 = ranges[i].1.max(b);
            while i + 1 < ranges.len() && ranges[i + 1].0 <= ranges[i].1 + 1 {
                let next = ranges.remove(i + 1);
                ranges[i].1 = ranges[i].1.max(next.1);
            }
        } else if room {
            ranges.insert(i, (a, b));
        } else {
            self.more += b - a + 1;
        }
    }

    /// Whether the part is full and row `row`, and every later one, lies
    /// more than one row past its last range, so that it is only counted.
    fn counts_from(&self, row: u64) -> bool {
        self.ranges.len() >= MAX_RANGES && self.ranges.last().is_none_or(|r| row > r.1 + 1)
    }
}

impl RowSet {
    /// The set of the rows `ranges` of scan `tag` (ascending, disjoint and
    /// not adjacent, at most [`MAX_RANGES`]) and `more` rows only counted.
    pub fn from_ranges(tag: u32, ranges: Vec<(u64, u64)>, more: u64) -> RowSet {
        debug_assert!(ranges.len() <= MAX_RANGES);
        debug_assert!(ranges.windows(2).all(|w| w[0].1 + 1 < w[1].0));
        if ranges.is_empty() && more == 0 {
            return RowSet::default();
        }
        RowSet {
            parts: vec![Part { tag, ranges, more }],
        }
    }

    /// The part of scan `tag`, made if it is not there.
    #[inline]
    fn part(&mut self, tag: u32) -> &mut Part {
        // Rows mostly come from the last scan met.
        let at = match self.parts.last() {
            Some(p) if p.tag == tag => self.parts.len() - 1,
            _ => match self.parts.iter().position(|p| p.tag == tag) {
                Some(at) => at,
                None => {
                    self.parts.push(Part {
                        tag,
                        ranges: Vec::new(),
                        more: 0,
                    });
                    self.parts.len() - 1
                }
            },
        };
        &mut self.parts[at]
    }

    /// Adds a stored row by its id.
    #[inline]
    pub fn insert_id(&mut self, id: i64) {
        let (tag, row) = split_id(id);
        self.part(tag).insert(row, row);
    }

    /// Adds the rows `a..=b` of scan `tag`.
    pub fn insert_range(&mut self, tag: u32, a: u64, b: u64) {
        self.part(tag).insert(a, b);
    }

    /// Adds the rows of scan `tag` whose bits are set in `words`: bit `i`
    /// stands for row `base + i`. Runs of set bits become ranges; once the
    /// part is full, the bits past its last range are only counted.
    pub fn insert_bits(&mut self, tag: u32, base: u64, words: &[u64]) {
        if words.iter().all(|&w| w == 0) {
            return;
        }
        let part = self.part(tag);
        for (k, &word) in words.iter().enumerate() {
            let mut w = word;
            let at = base + 64 * k as u64;
            while w != 0 {
                if part.counts_from(at) {
                    part.more += u64::from(w.count_ones());
                    break;
                }
                let start = w.trailing_zeros();
                let run = (w >> start).trailing_ones();
                let a = at + u64::from(start);
                part.insert(a, a + u64::from(run) - 1);
                w = match start + run {
                    64 => 0,
                    end => w & (u64::MAX << end),
                };
            }
        }
    }

    /// Adds every row of `other`.
    pub fn union(&mut self, other: &RowSet) {
        for theirs in &other.parts {
            let part = self.part(theirs.tag);
            for (k, &(a, b)) in theirs.ranges.iter().enumerate() {
                // A full part only counts what lies past its last range.
                if part.counts_from(a) {
                    part.more += theirs.ranges[k..]
                        .iter()
                        .map(|r| r.1 - r.0 + 1)
                        .sum::<u64>();
                    break;
                }
                part.insert(a, b);
            }
            part.more += theirs.more;
        }
    }

    /// The rows, by scan, in order of first appearance.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// How many rows are counted but not kept, over every scan.
    pub fn more(&self) -> u64 {
        self.parts.iter().map(|p| p.more).sum()
    }

    /// Whether the set has no rows.
    pub fn is_empty(&self) -> bool {
        self.parts
            .iter()
            .all(|p| p.ranges.is_empty() && p.more == 0)
    }

    /// The set as text: `0:3-5,9;1:2`, each scan's ranges followed by `+N`
    /// when N more of its rows are only counted.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        for part in &self.parts {
            if !out.is_empty() {
                out.push(';');
            }
            out.push_str(&format!("{}:", part.tag));
            for (k, (a, b)) in part.ranges.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                if a == b {
                    out.push_str(&a.to_string());
                } else {
                    out.push_str(&format!("{a}-{b}"));
                }
            }
            if part.more > 0 {
                out.push_str(&format!("+{}", part.more));
            }
        }
        out
    }

    /// The set written by [`RowSet::encode`] (an empty set for text it did not write).
    pub fn decode(text: &str) -> RowSet {
        let mut set = RowSet::default();
        for part in text.split(';').filter(|p| !p.is_empty()) {
            let Some((tag, body)) = part.split_once(':') else {
                continue;
            };
            let Ok(tag) = tag.parse() else { continue };
            let (ranges, more) = match body.split_once('+') {
                Some((r, m)) => (r, m.parse().unwrap_or(0)),
                None => (body, 0),
            };
            let p = set.part(tag);
            for r in ranges.split(',').filter(|r| !r.is_empty()) {
                let (a, b) = r.split_once('-').unwrap_or((r, r));
                if let (Ok(a), Ok(b)) = (a.parse(), b.parse()) {
                    p.insert(a, b);
                }
            }
            p.more += more;
        }
        set
    }

    /// The set of row `row` of a lineage column (an id or an encoded set).
    pub fn of(col: &Column, row: usize) -> RowSet {
        let mut set = RowSet::default();
        if col.is_valid(row) {
            match col.data() {
                Data::Int(v) => set.insert_id(v[row]),
                Data::Text(codes, dict) => set = RowSet::decode(dict.get(codes[row])),
                _ => {}
            }
        }
        set
    }
}

/// A stored relation a traced plan scans: its tag is its position in
/// [`Traced::origins`].
#[derive(Debug, Clone)]
pub struct Origin {
    /// The name the query used.
    pub name: String,
    /// Its rows, as scanned.
    pub table: Arc<Table>,
}

/// A plan rewritten to carry lineage.
#[derive(Debug, Clone)]
pub struct Traced {
    /// The plan: its result has the query's columns, then the lineage columns.
    pub plan: Plan,
    /// How many columns the query itself has.
    pub width: usize,
    /// The scanned relations, by tag.
    pub origins: Vec<Origin>,
}

/// Rewrites `plan` to carry lineage. `view_plan` gives, for a scan of a
/// `let` view, the plan that made it, which is traced in its place (so
/// lineage reaches through views to the stored rows).
pub fn trace(plan: &Plan, view_plan: &dyn Fn(&Scan) -> Option<Arc<Plan>>) -> Result<Traced> {
    let mut origins = Vec::new();
    let (plan, lineage) = crate::stack::deeper(|| go(plan, view_plan, &mut origins))?;
    let width = plan.width() - lineage.len();
    Ok(Traced {
        plan,
        width,
        origins,
    })
}

const LINEAGE: &str = "\u{1}lineage";

fn column(i: usize, ty: Type) -> PExpr {
    PExpr {
        kind: PExprKind::Column(i),
        ty,
    }
}

/// The query's columns `0..visible` of `plan`, then the columns at `lineage`.
fn reorder(plan: Plan, visible: &[usize], lineage: &[(usize, Type)]) -> (Plan, Vec<(usize, Type)>) {
    let n = visible.len();
    // A placeholder type is fine for visible columns: a projection of a
    // column passes it on as it is.
    let mut columns: Vec<(String, PExpr)> = visible
        .iter()
        .map(|&i| (format!("c{i}"), column(i, Type::Null)))
        .collect();
    columns.extend(
        lineage
            .iter()
            .map(|&(i, ty)| (LINEAGE.to_string(), column(i, ty))),
    );
    let at = lineage
        .iter()
        .enumerate()
        .map(|(k, &(_, ty))| (n + k, ty))
        .collect();
    (
        Plan::Project {
            input: Box::new(plan),
            columns,
        },
        at,
    )
}

/// The rewritten plan and its lineage columns (positions after the query's
/// columns, with their types).
fn go(
    plan: &Plan,
    view_plan: &dyn Fn(&Scan) -> Option<Arc<Plan>>,
    origins: &mut Vec<Origin>,
) -> Result<(Plan, Vec<(usize, Type)>)> {
    let mut rec = |p: &Plan| crate::stack::deeper(|| go(p, view_plan, origins));
    Ok(match plan {
        Plan::Append {
            left,
            right,
            right_columns,
            types,
        } => {
            let (left, ll) = rec(left)?;
            let (right, rl) = rec(right)?;
            let (lv, rv) = (left.width() - ll.len(), right.width() - rl.len());
            // Both sides get every lineage column, in the same places: the
            // left's own then nulls for the right's, nulls then the right's own.
            let nulls = |l: &[(usize, Type)]| -> Vec<(String, PExpr)> {
                l.iter()
                    .map(|_| {
                        (
                            LINEAGE.to_string(),
                            PExpr::literal(crate::value::Scalar::Null),
                        )
                    })
                    .collect()
            };
            let side = |plan: Plan,
                        visible: usize,
                        own: &[(usize, Type)],
                        before: bool,
                        other: &[(usize, Type)]| {
                let mut columns: Vec<(String, PExpr)> = (0..visible)
                    .map(|i| (format!("c{i}"), column(i, Type::Null)))
                    .collect();
                let own: Vec<(String, PExpr)> = own
                    .iter()
                    .map(|&(i, ty)| (LINEAGE.to_string(), column(i, ty)))
                    .collect();
                if before {
                    columns.extend(own);
                    columns.extend(nulls(other));
                } else {
                    columns.extend(nulls(other));
                    columns.extend(own);
                }
                Plan::Project {
                    input: Box::new(plan),
                    columns,
                }
            };
            let left = side(left, lv, &ll, true, &rl);
            let right = side(right, rv, &rl, false, &ll);
            let n = types.len();
            let lineage: Vec<(usize, Type)> = ll
                .iter()
                .chain(&rl)
                .enumerate()
                .map(|(k, &(_, ty))| (n + k, ty))
                .collect();
            let mut right_columns = right_columns.clone();
            right_columns.extend(rv..rv + lineage.len());
            let mut types = types.clone();
            types.extend(lineage.iter().map(|&(_, ty)| ty));
            (
                Plan::Append {
                    left: Box::new(left),
                    right: Box::new(right),
                    right_columns,
                    types,
                },
                lineage,
            )
        }
        Plan::Unpivot {
            input,
            keep,
            columns,
            names,
            ty,
        } => {
            let (input, l) = rec(input)?;
            // The lineage rides along as kept columns, then goes last.
            let v = keep.len();
            let mut keep = keep.clone();
            keep.extend(l.iter().map(|&(i, _)| i));
            let plan = Plan::Unpivot {
                input: Box::new(input),
                keep,
                columns: columns.clone(),
                names: names.clone(),
                ty: *ty,
            };
            let at: Vec<(usize, Type)> = l
                .iter()
                .enumerate()
                .map(|(k, &(_, ty))| (v + k, ty))
                .collect();
            let order: Vec<usize> = (0..v).chain([v + l.len(), v + l.len() + 1]).collect();
            reorder(plan, &order, &at)
        }
        Plan::Scan(scan) => {
            if let Some(view) = view_plan(scan) {
                return rec(&view);
            }
            let super::Location::Memory(table) = &scan.location else {
                return Err(Error::new(ErrorKind::Invalid(format!(
                    "`cite` and `why` do not reach the rows of an attached database yet (`{}`)",
                    scan.name
                )))
                .with_help("load the rows into itq first, or leave out `cite` and `why`"));
            };
            let tag = origins.len() as u32;
            origins.push(Origin {
                name: scan.name.clone(),
                table: Arc::clone(table),
            });
            let mut columns = table.named_columns();
            columns.push((LINEAGE.to_string(), id_column(tag, table.num_rows())));
            let width = table.num_columns();
            let t = Table::with_rows(columns, table.num_rows());
            (
                Plan::Scan(Scan {
                    name: scan.name.clone(),
                    location: super::Location::Memory(Arc::new(t)),
                }),
                vec![(width, Type::Int)],
            )
        }
        Plan::Filter { input, predicate } => {
            let (input, l) = rec(input)?;
            (
                Plan::Filter {
                    input: Box::new(input),
                    predicate: predicate.clone(),
                },
                l,
            )
        }
        Plan::Sort { input, keys } => {
            let (input, l) = rec(input)?;
            (
                Plan::Sort {
                    input: Box::new(input),
                    keys: keys.clone(),
                },
                l,
            )
        }
        Plan::Limit { input, n } => {
            let (input, l) = rec(input)?;
            (
                Plan::Limit {
                    input: Box::new(input),
                    n: *n,
                },
                l,
            )
        }
        Plan::Top { input, n, key, per } => {
            let (input, l) = rec(input)?;
            (
                Plan::Top {
                    input: Box::new(input),
                    n: *n,
                    key: key.clone(),
                    per: per.clone(),
                },
                l,
            )
        }
        Plan::Project { input, columns } => {
            let (input, l) = rec(input)?;
            let n = columns.len();
            let mut columns = columns.clone();
            columns.extend(
                l.iter()
                    .map(|&(i, ty)| (LINEAGE.to_string(), column(i, ty))),
            );
            let l = l
                .iter()
                .enumerate()
                .map(|(k, &(_, ty))| (n + k, ty))
                .collect();
            (
                Plan::Project {
                    input: Box::new(input),
                    columns,
                },
                l,
            )
        }
        Plan::Window {
            input,
            per,
            along,
            funcs,
        } => {
            let (input, l) = rec(input)?;
            let inner = input.width();
            let visible = inner - l.len();
            let plan = Plan::Window {
                input: Box::new(input),
                per: per.clone(),
                along: along.clone(),
                funcs: funcs.clone(),
            };
            // The functions' columns come after the lineage: move it last.
            let order: Vec<usize> = (0..visible).chain(inner..inner + funcs.len()).collect();
            reorder(plan, &order, &l)
        }
        Plan::Join {
            left,
            right,
            left_keys,
            right_keys,
            keep_unmatched,
            right_columns,
            note,
        } => {
            let (left, ll) = rec(left)?;
            let (right, rl) = rec(right)?;
            let lw = left.width();
            let lvisible = lw - ll.len();
            let mut right_columns = right_columns.clone();
            let kept = right_columns.len();
            right_columns.extend(rl.iter().map(|&(i, _)| (i, LINEAGE.to_string())));
            let plan = Plan::Join {
                left: Box::new(left),
                right: Box::new(right),
                left_keys: left_keys.clone(),
                right_keys: right_keys.clone(),
                keep_unmatched: *keep_unmatched,
                right_columns,
                note: note.clone(),
            };
            let order: Vec<usize> = (0..lvisible).chain(lw..lw + kept).collect();
            let lineage: Vec<(usize, Type)> = ll
                .iter()
                .copied()
                .chain(
                    rl.iter()
                        .enumerate()
                        .map(|(k, &(_, ty))| (lw + kept + k, ty)),
                )
                .collect();
            reorder(plan, &order, &lineage)
        }
        Plan::Aggregate { input, keys, aggs } => {
            let (input, l) = rec(input)?;
            let n = keys.len() + aggs.len();
            let mut aggs = aggs.clone();
            aggs.extend(l.iter().map(|&(i, ty)| lineage_agg(i, ty)));
            (
                Plan::Aggregate {
                    input: Box::new(input),
                    keys: keys.clone(),
                    aggs,
                },
                (0..l.len()).map(|k| (n + k, Type::Text)).collect(),
            )
        }
        Plan::Distinct { input, columns } => {
            let (input, l) = rec(input)?;
            // One row per distinct combination, in order of first appearance,
            // as an aggregate keyed by the columns.
            let types = key_types(&input, columns);
            let keys = columns
                .iter()
                .zip(types)
                .map(|(&c, ty)| (format!("c{c}"), column(c, ty)))
                .collect();
            let n = columns.len();
            (
                Plan::Aggregate {
                    input: Box::new(input),
                    keys,
                    aggs: l.iter().map(|&(i, ty)| lineage_agg(i, ty)).collect(),
                },
                (0..l.len()).map(|k| (n + k, Type::Text)).collect(),
            )
        }
    })
}

fn lineage_agg(i: usize, ty: Type) -> PAgg {
    PAgg {
        name: LINEAGE.to_string(),
        func: AggFn::Lineage,
        distinct: false,
        arg: Some(column(i, ty)),
        arg2: None,
        ty: Type::Text,
    }
}

/// The types of `columns` of a plan's result, where the plan says them
/// cheaply (a scan); otherwise null, which a key column does not need.
fn key_types(plan: &Plan, columns: &[usize]) -> Vec<Type> {
    match plan {
        Plan::Scan(s) => match &s.location {
            super::Location::Memory(t) => columns.iter().map(|&c| t.fields()[c].ty).collect(),
            super::Location::Attached { fields, .. } => {
                columns.iter().map(|&c| fields[c].ty).collect()
            }
        },
        _ => vec![Type::Null; columns.len()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_sets_merge_ranges_and_round_trip() {
        let mut s = RowSet::default();
        for r in [3, 4, 5, 9, 1, 2, 8] {
            s.insert_id(row_id(0, r));
        }
        s.insert_id(row_id(2, 7));
        assert_eq!(s.encode(), "0:1-5,8-9;2:7");
        assert_eq!(RowSet::decode(&s.encode()), s);
        let mut big = RowSet::default();
        for r in 0..(MAX_RANGES + 10) {
            big.insert_id(row_id(1, r * 2));
        }
        assert_eq!(big.more(), 10);
        assert_eq!(RowSet::decode(&big.encode()).more(), 10);
    }

    /// Rows given as a bitmap, or as sets merged together, make the same set
    /// as the rows inserted one at a time in order, full sets included.
    #[test]
    fn bitmaps_and_unions_agree_with_rows_inserted_one_by_one() {
        let mut seed = 7u64;
        for density in [2u64, 3, 5, 17, 64] {
            let base = 1000;
            let mut words = vec![0u64; 300];
            let mut rows = Vec::new();
            for i in 0..words.len() * 64 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                // Runs of set bits, some crossing word boundaries.
                if !(seed >> 33).is_multiple_of(density) || (i / 64) % 7 == 3 {
                    words[i / 64] |= 1 << (i % 64);
                    rows.push(base + i as u64);
                }
            }
            let mut one_by_one = RowSet::default();
            rows.iter()
                .for_each(|&r| one_by_one.insert_id(row_id(3, r as usize)));
            let mut bits = RowSet::default();
            bits.insert_bits(3, base, &words);
            assert_eq!(bits, one_by_one, "density {density}");
            // The same rows in four sets, merged in order.
            let mut merged = RowSet::default();
            for quarter in rows.chunks(rows.len() / 4 + 1) {
                let mut part = RowSet::default();
                quarter
                    .iter()
                    .for_each(|&r| part.insert_id(row_id(3, r as usize)));
                merged.union(&part);
            }
            assert_eq!(merged, one_by_one, "density {density}");
        }
    }
}
