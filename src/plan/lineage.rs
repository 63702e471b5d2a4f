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
use std::sync::{Arc, Mutex};

/// A stored row's id: the scan it came from (its tag) and its row number.
#[inline]
pub fn row_id(tag: u32, row: usize) -> i64 {
    (i64::from(tag) << TAG_SHIFT) | row as i64
}

const TAG_SHIFT: u32 = 40;

/// The ids of `rows` stored rows read by scan `tag`. Every `cite` over a
/// large relation needs the same column (8 bytes a row: 80 MB for ten
/// million rows, whose filling and first touch cost about as much as a plain
/// filter of them), so the last two large ones are kept and shared.
fn id_column(tag: u32, rows: usize) -> Arc<Column> {
    const KEPT: usize = 2;
    const LARGE: usize = 1 << 16;
    static CACHE: Mutex<Vec<(u32, usize, Arc<Column>)>> = Mutex::new(Vec::new());
    let build = || {
        let ids: Vec<i64> = (0..rows).map(|r| row_id(tag, r)).collect();
        Arc::new(Column::new(Data::Int(ids), None))
    };
    if rows < LARGE {
        return build();
    }
    let hit = {
        let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
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
    let col = build();
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    cache.insert(0, (tag, rows, Arc::clone(&col)));
    cache.truncate(KEPT);
    col
}

/// The tag and row number of a stored row's id.
#[inline]
pub fn split_id(id: i64) -> (u32, u64) {
    (
        (id >> TAG_SHIFT) as u32,
        (id & ((1 << TAG_SHIFT) - 1)) as u64,
    )
}

/// The most ranges of rows a [`RowSet`] keeps exactly; beyond them it counts.
pub const MAX_RANGES: usize = 256;

/// A set of stored rows: for each scan tag, sorted disjoint ranges of row
/// numbers. Exact while it has at most [`MAX_RANGES`] ranges; a row that
/// would need another range is only counted (`more`), so a group of millions
/// of scattered rows stays small and still says how many rows it has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowSet {
    parts: Vec<(u32, Vec<(u64, u64)>)>,
    ranges: usize,
    more: u64,
}

impl RowSet {
    /// Adds a stored row by its id.
    #[inline]
    pub fn insert_id(&mut self, id: i64) {
        let (tag, row) = split_id(id);
        // Rows mostly come in ascending order: one that extends the last
        // range, or that a full set only counts, needs no search.
        if let Some((t, ranges)) = self.parts.last_mut() {
            if *t == tag {
                if let Some(last) = ranges.last_mut() {
                    if row == last.1 + 1 {
                        last.1 = row;
                        return;
                    }
                    if row > last.1 + 1 {
                        if self.ranges >= MAX_RANGES {
                            self.more += 1;
                        } else {
                            ranges.push((row, row));
                            self.ranges += 1;
                        }
                        return;
                    }
                }
            }
        }
        self.insert_range(tag, row, row);
    }

    /// Adds the rows `a..=b` of scan `tag`.
    pub fn insert_range(&mut self, tag: u32, a: u64, b: u64) {
        let room = self.ranges < MAX_RANGES;
        let at = match self.parts.iter().position(|(t, _)| *t == tag) {
            Some(i) => i,
            None if room => {
                self.parts.push((tag, Vec::new()));
                self.parts.len() - 1
            }
            None => {
                self.more += b - a + 1;
                return;
            }
        };
        let ranges = &mut self.parts[at].1;
        // In input order, each row extends the last range or starts the next
        // (or, with no room for another, is only counted).
        if let Some(last) = ranges.last_mut() {
            if a >= last.0 && a <= last.1 + 1 {
                last.1 = last.1.max(b);
                return;
            }
            if a > last.1 + 1 && !room {
                self.more += b - a + 1;
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
                self.ranges -= 1;
            }
        } else if room {
            ranges.insert(i, (a, b));
            self.ranges += 1;
        } else {
            self.more += b - a + 1;
        }
    }

    /// Adds every row of `other`.
    pub fn union(&mut self, other: &RowSet) {
        for (tag, ranges) in &other.parts {
            for &(a, b) in ranges {
                self.insert_range(*tag, a, b);
            }
        }
        self.more += other.more;
    }

    /// The rows kept exactly, by scan tag: `(tag, ranges)`, tags in order of
    /// first appearance, ranges ascending and inclusive.
    pub fn parts(&self) -> &[(u32, Vec<(u64, u64)>)] {
        &self.parts
    }

    /// How many rows are counted but not kept (beyond [`MAX_RANGES`] ranges).
    pub fn more(&self) -> u64 {
        self.more
    }

    /// Whether the set has no rows.
    pub fn is_empty(&self) -> bool {
        self.ranges == 0 && self.more == 0
    }

    /// The set as text: `0:3-5,9;1:2`, and `+N` when N rows are only counted.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        for (tag, ranges) in &self.parts {
            if !out.is_empty() {
                out.push(';');
            }
            out.push_str(&format!("{tag}:"));
            for (k, (a, b)) in ranges.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                if a == b {
                    out.push_str(&a.to_string());
                } else {
                    out.push_str(&format!("{a}-{b}"));
                }
            }
        }
        if self.more > 0 {
            out.push_str(&format!("+{}", self.more));
        }
        out
    }

    /// The set written by [`RowSet::encode`] (an empty set for text it did not write).
    pub fn decode(text: &str) -> RowSet {
        let mut set = RowSet::default();
        let (body, more) = match text.rsplit_once('+') {
            Some((b, m)) => (b, m.parse().unwrap_or(0)),
            None => (text, 0),
        };
        for part in body.split(';').filter(|p| !p.is_empty()) {
            let Some((tag, ranges)) = part.split_once(':') else {
                continue;
            };
            let Ok(tag) = tag.parse() else { continue };
            for r in ranges.split(',') {
                let (a, b) = r.split_once('-').unwrap_or((r, r));
                if let (Ok(a), Ok(b)) = (a.parse(), b.parse()) {
                    set.insert_range(tag, a, b);
                }
            }
        }
        set.more += more;
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
}
