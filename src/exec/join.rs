//! Equi-joins by hashing the right side's keys. Output rows follow the left
//! side's order, then the right side's; a null key never matches.

use super::morsel::MORSEL;
use crate::cancel::{self, BATCH};
use crate::error::Result;
use crate::limits;
use crate::store::{Column, Data, Table, NULL_ROW};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

/// One key value, comparable across the two sides (text by its string).
#[derive(PartialEq, Eq, Hash)]
pub(super) enum Atom<'a> {
    Bits(u64),
    Text(&'a str),
}

pub(super) fn atom(col: &Column, i: usize) -> Option<Atom<'_>> {
    if !col.is_valid(i) {
        return None;
    }
    Some(match col.data() {
        Data::Int(v) => Atom::Bits(v[i] as u64),
        Data::Decimal(v) => Atom::Bits(if v[i] == 0.0 { 0 } else { v[i].to_bits() }),
        Data::Date(v) => Atom::Bits(v[i] as u32 as u64),
        Data::Bool(v) => Atom::Bits(u64::from(v[i])),
        Data::Text(c, d) => Atom::Text(d.get(c[i])),
    })
}

fn row_key<'a>(cols: &'a [&'a Arc<Column>], i: usize) -> Option<Vec<Atom<'a>>> {
    cols.iter().map(|c| atom(c, i)).collect()
}

/// Joins `left` and `right` on the key column positions.
pub fn join(
    left: &Table,
    right: &Table,
    left_keys: &[usize],
    right_keys: &[usize],
    keep_unmatched: bool,
    right_columns: &[(usize, String)],
) -> Result<Table> {
    if let ([l], [r]) = (left_keys, right_keys) {
        if let Some(t) = join_text(left, right, *l, *r, keep_unmatched, right_columns) {
            return t;
        }
    }
    if let ([l], [r]) = (left_keys, right_keys) {
        // One key: hashed as it is, with no list allocated per row.
        let (lc, rc) = (left.column_at(*l), right.column_at(*r));
        return hashed(
            left,
            right,
            |i| atom(lc, i),
            |i| atom(rc, i),
            keep_unmatched,
            right_columns,
        );
    }
    let lk: Vec<&Arc<Column>> = left_keys.iter().map(|&i| left.column_at(i)).collect();
    let rk: Vec<&Arc<Column>> = right_keys.iter().map(|&i| right.column_at(i)).collect();
    hashed(
        left,
        right,
        |i| row_key(&lk, i),
        |i| row_key(&rk, i),
        keep_unmatched,
        right_columns,
    )
}

/// Right rows of one key: the first and last, and how many, chained in
/// right-row order through [`hashed`]'s `next`.
struct Chain {
    first: u32,
    last: u32,
    len: u32,
}

/// A hash join on keys given by `lkey` and `rkey` (`None`: a null key,
/// which matches nothing). The right side is indexed by key, each key's rows
/// chained through one array, so the index holds no list per key.
fn hashed<K: std::hash::Hash + Eq>(
    left: &Table,
    right: &Table,
    lkey: impl Fn(usize) -> Option<K>,
    rkey: impl Fn(usize) -> Option<K>,
    keep_unmatched: bool,
    right_columns: &[(usize, String)],
) -> Result<Table> {
    let mut index: HashMap<K, Chain> = HashMap::new();
    let mut next = vec![NULL_ROW; right.num_rows()];
    for r in 0..right.num_rows() {
        if r % BATCH == 0 {
            cancel::check()?;
        }
        if let Some(k) = rkey(r) {
            let r = r as u32;
            index
                .entry(k)
                .and_modify(|c| {
                    next[c.last as usize] = r;
                    c.last = r;
                    c.len += 1;
                })
                .or_insert(Chain {
                    first: r,
                    last: r,
                    len: 1,
                });
        }
    }
    let (mut li, mut ri) = (Vec::new(), Vec::new());
    let row_bytes = output_row_bytes(left, right, right_columns);
    let most = rows_allowed(row_bytes);
    // Output rows since the last check: a key with many matches makes many rows.
    let mut work = 0;
    for l in 0..left.num_rows() {
        work += 1;
        if work >= BATCH {
            work = 0;
            cancel::check()?;
        }
        match lkey(l).and_then(|k| index.get(&k)) {
            Some(chain) => {
                if (li.len() + chain.len as usize) as u64 > most {
                    // Over the limit: count the whole output, to say how big
                    // it would have been, without building it.
                    let rest: u64 = (l..left.num_rows())
                        .map(|l| match lkey(l).and_then(|k| index.get(&k)) {
                            Some(c) => u64::from(c.len),
                            None => u64::from(keep_unmatched),
                        })
                        .sum();
                    return Err(too_big(li.len() as u64 + rest, row_bytes));
                }
                work += chain.len as usize;
                let mut r = chain.first;
                loop {
                    li.push(l as u32);
                    ri.push(r);
                    if r == chain.last {
                        break;
                    }
                    r = next[r as usize];
                }
            }
            None if keep_unmatched => {
                li.push(l as u32);
                ri.push(NULL_ROW);
            }
            None => {}
        }
    }
    Ok(assemble(left.take(&li), right, &ri, right_columns))
}

/// Bytes one output row takes: its place in the two row lists, then one
/// value of each left column and of each right column kept.
fn output_row_bytes(left: &Table, right: &Table, right_columns: &[(usize, String)]) -> u64 {
    let left_bytes: u64 = (0..left.num_columns())
        .map(|i| value_bytes(left.column_at(i)))
        .sum();
    let right_bytes: u64 = right_columns
        .iter()
        .map(|(i, _)| value_bytes(right.column_at(*i)))
        .sum();
    8 + left_bytes + right_bytes
}

/// Bytes one value of `col` takes in a gathered copy (text: its code).
fn value_bytes(col: &Column) -> u64 {
    match col.data() {
        Data::Int(_) | Data::Decimal(_) => 8,
        Data::Date(_) | Data::Text(..) => 4,
        Data::Bool(_) => 1,
    }
}

/// The most output rows of `row_bytes` bytes the current limits allow.
fn rows_allowed(row_bytes: u64) -> u64 {
    let limits = limits::current();
    (limits.memory / row_bytes.max(1)).min(limits.rows)
}

/// The error for a join of `rows` rows, more than [`rows_allowed`].
fn too_big(rows: u64, row_bytes: u64) -> crate::error::Error {
    limits::check_rows(
        "the join",
        rows,
        row_bytes,
        "add a condition, or join on more keys",
    )
    .expect_err("more rows than rows_allowed is over a limit")
}

/// The joined table: the left rows (already in output order) beside the
/// right rows `ri`.
fn assemble(left: Table, right: &Table, ri: &[u32], right_columns: &[(usize, String)]) -> Table {
    let rows = left.num_rows();
    let mut columns = left.named_columns();
    for (i, name) in right_columns {
        columns.push((name.clone(), Arc::new(right.column_at(*i).take(ri))));
    }
    Table::with_rows(columns, rows)
}

/// A join on one text column each side, through the dictionaries: each
/// distinct left string is looked up once, and rows map codes to right rows.
/// When every left row has at most one match (and unmatched rows stay), the
/// left columns are kept as they are, not gathered.
fn join_text(
    left: &Table,
    right: &Table,
    lkey: usize,
    rkey: usize,
    keep_unmatched: bool,
    right_columns: &[(usize, String)],
) -> Option<Result<Table>> {
    let (lcol, rcol) = (left.column_at(lkey), right.column_at(rkey));
    let (Data::Text(lcodes, ldict), Data::Text(rcodes, rdict)) = (lcol.data(), rcol.data()) else {
        return None;
    };
    // Right rows for each right code, then for each left code.
    let mut by_rcode: Vec<Vec<u32>> = vec![Vec::new(); rdict.len()];
    for (r, &c) in rcodes.iter().enumerate() {
        if rcol.is_valid(r) {
            by_rcode[c as usize].push(r as u32);
        }
    }
    let matches: Vec<&[u32]> = ldict
        .values()
        .iter()
        .map(|s| {
            rdict
                .lookup(s)
                .map_or(&[][..], |c| &by_rcode[c as usize][..])
        })
        .collect();
    let lvalid = lcol.validity();
    let at_most_one = matches.iter().all(|m| m.len() <= 1);
    let every_left_row_once = at_most_one
        && (keep_unmatched || (lvalid.is_none() && matches.iter().all(|m| m.len() == 1)));
    if every_left_row_once && lvalid.is_none() {
        // Each right column is first taken once per left dictionary entry,
        // then by the left codes: no list of right rows per left row.
        let first: Vec<u32> = matches
            .iter()
            .map(|m| m.first().copied().unwrap_or(NULL_ROW))
            .collect();
        let mut columns = left.named_columns();
        for (i, name) in right_columns {
            let by_code = right.column_at(*i).take(&first);
            columns.push((name.clone(), Arc::new(by_code.take(lcodes))));
        }
        return Some(Ok(Table::with_rows(columns, left.num_rows())));
    }
    if every_left_row_once {
        let first: Vec<u32> = matches
            .iter()
            .map(|m| m.first().copied().unwrap_or(NULL_ROW))
            .collect();
        let ri: Vec<u32> = lcodes
            .par_iter()
            .enumerate()
            .with_min_len(MORSEL)
            .map(|(i, &c)| {
                if lvalid.is_none_or(|v| v.get(i)) {
                    first[c as usize]
                } else {
                    NULL_ROW
                }
            })
            .collect();
        return Some(Ok(assemble(left.clone(), right, &ri, right_columns)));
    }
    // Count the output before building it: matches per left code, once per row.
    let total: u64 = lcodes
        .iter()
        .enumerate()
        .map(|(l, &c)| {
            let m = if lvalid.is_none_or(|v| v.get(l)) {
                matches[c as usize].len() as u64
            } else {
                0
            };
            if m == 0 {
                u64::from(keep_unmatched)
            } else {
                m
            }
        })
        .sum();
    let row_bytes = output_row_bytes(left, right, right_columns);
    if total > rows_allowed(row_bytes) {
        return Some(Err(too_big(total, row_bytes)));
    }
    let (mut li, mut ri) = (
        Vec::with_capacity(total as usize),
        Vec::with_capacity(total as usize),
    );
    for (l, &c) in lcodes.iter().enumerate() {
        if l % BATCH == 0 {
            if let Err(e) = cancel::check() {
                return Some(Err(e));
            }
        }
        let m = if lvalid.is_none_or(|v| v.get(l)) {
            matches[c as usize]
        } else {
            &[]
        };
        for &r in m {
            li.push(l as u32);
            ri.push(r);
        }
        if m.is_empty() && keep_unmatched {
            li.push(l as u32);
            ri.push(NULL_ROW);
        }
    }
    Some(Ok(assemble(left.take(&li), right, &ri, right_columns)))
}
