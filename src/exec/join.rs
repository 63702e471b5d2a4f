//! Equi-joins by hashing the right side's keys. Output rows follow the left
//! side's order, then the right side's; a null key never matches.

use super::int_keys::{ints, Chain, IntIndex};
use super::morsel::{self, MORSEL};
use super::select::{self, Selection};
use crate::cancel::{self, BATCH};
use crate::error::Result;
use crate::limits;
use crate::store::{Bitmap, Column, Data, Dict, Table, NULL_ROW};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::cell::RefCell;
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

/// What a whole hash join saw of its keys, for the note on keys without a
/// partner ([`super::unmatched`]): counted during the probe, so the note
/// needs no second pass over the keys.
#[derive(Debug, Default)]
pub(super) struct Tally {
    /// How many distinct right keys some left row found.
    pub matched_keys: usize,
    /// The left rows, in order, that found no partner (a row with a null
    /// key among them: the note leaves those out).
    pub unmatched_rows: Vec<u32>,
}

/// Joins `left` and `right` on the key column positions; gives the joined
/// table and the [`Tally`] of a hash join (none for a join on one text key
/// each side, which goes through the dictionaries).
pub(super) fn join(
    left: &Table,
    right: &Table,
    left_keys: &[usize],
    right_keys: &[usize],
    keep_unmatched: bool,
    right_columns: &[(usize, String)],
) -> Result<(Table, Option<Tally>)> {
    let mut whole = None;
    let sink = &mut |t| {
        whole = Some(t);
        Ok(true)
    };
    let join = Join {
        left,
        right,
        right_columns,
        keep_unmatched,
        tally: RefCell::new(None),
    };
    join.run(left_keys, right_keys, Rows::new(&join, None, sink))?;
    let tally = join.tally.into_inner();
    Ok((whole.expect("a whole join hands over one table"), tally))
}

/// Joins as [`join`] does, but hands the output to `sink` in pieces of
/// about [`MORSEL`] rows, in output order, and stops as soon as the sink
/// returns false; the budget applies to what the sink keeps, not to the
/// whole join. `limit` and `top` after a join read it this way. The
/// [`Tally`] comes back only when every left row was probed.
pub fn join_in_pieces(
    left: &Table,
    right: &Table,
    left_keys: &[usize],
    right_keys: &[usize],
    keep_unmatched: bool,
    right_columns: &[(usize, String)],
    sink: &mut dyn FnMut(Table) -> Result<bool>,
) -> Result<Option<Tally>> {
    let join = Join {
        left,
        right,
        right_columns,
        keep_unmatched,
        tally: RefCell::new(None),
    };
    join.run(left_keys, right_keys, Rows::new(&join, Some(MORSEL), sink))?;
    Ok(join.tally.into_inner())
}

/// One join's inputs.
struct Join<'a> {
    left: &'a Table,
    right: &'a Table,
    right_columns: &'a [(usize, String)],
    keep_unmatched: bool,
    /// Set by a hash join that probed every left row.
    tally: RefCell<Option<Tally>>,
}

/// The output being built: pairs of left and right rows, handed to the
/// sink as a table every `piece` rows (or once, at the end, for a whole join).
struct Rows<'a, 's> {
    join: &'a Join<'a>,
    li: Vec<u32>,
    ri: Vec<u32>,
    piece: Option<usize>,
    sink: &'s mut dyn FnMut(Table) -> Result<bool>,
}

impl<'a, 's> Rows<'a, 's> {
    fn new(
        join: &'a Join<'a>,
        piece: Option<usize>,
        sink: &'s mut dyn FnMut(Table) -> Result<bool>,
    ) -> Self {
        Rows {
            join,
            li: Vec::new(),
            ri: Vec::new(),
            piece,
            sink,
        }
    }

    /// Whether the whole output is built at once (and so checked against the budget).
    fn whole(&self) -> bool {
        self.piece.is_none()
    }

    /// Adds one output row; false once the sink wants no more.
    #[inline]
    fn push(&mut self, l: u32, r: u32) -> Result<bool> {
        self.li.push(l);
        self.ri.push(r);
        match self.piece {
            Some(p) if self.li.len() >= p => self.hand_over(),
            _ => Ok(true),
        }
    }

    /// Hands the rows so far to the sink as a table.
    fn hand_over(&mut self) -> Result<bool> {
        cancel::check()?;
        let j = self.join;
        let t = assemble(
            j.left.take_checked(&self.li)?,
            j.right,
            &self.ri,
            j.right_columns,
        )?;
        self.li.clear();
        self.ri.clear();
        (self.sink)(t)
    }

    /// Hands over the rest (also when nothing is left: the sink always gets
    /// at least one table, which carries the columns of an empty result).
    fn finish(mut self) -> Result<()> {
        self.hand_over().map(|_| ())
    }
}

impl Join<'_> {
    fn run(&self, left_keys: &[usize], right_keys: &[usize], out: Rows) -> Result<()> {
        let (left, right) = (self.left, self.right);
        if let ([l], [r]) = (left_keys, right_keys) {
            if let (Data::Text(..), Data::Text(..)) =
                (left.column_at(*l).data(), right.column_at(*r).data())
            {
                return self.text(*l, *r, out);
            }
            let (lc, rc) = (left.column_at(*l), right.column_at(*r));
            if let (Some(_), Some(_)) = (ints(lc), ints(rc)) {
                return self.integers(lc, rc, out);
            }
            // One key: hashed as it is, with no list allocated per row.
            return self.hashed(|i| atom(lc, i), |i| atom(rc, i), out);
        }
        let lk: Vec<&Arc<Column>> = left_keys.iter().map(|&i| left.column_at(i)).collect();
        let rk: Vec<&Arc<Column>> = right_keys.iter().map(|&i| right.column_at(i)).collect();
        self.hashed(|i| row_key(&lk, i), |i| row_key(&rk, i), out)
    }

    /// A hash join on keys given by `lkey` and `rkey` (`None`: a null key,
    /// which matches nothing). The right side is indexed by key, each key's
    /// rows chained through one array, so the index holds no list per key.
    fn hashed<K: std::hash::Hash + Eq>(
        &self,
        lkey: impl Fn(usize) -> Option<K>,
        rkey: impl Fn(usize) -> Option<K>,
        out: Rows,
    ) -> Result<()> {
        let right = self.right;
        let mut index: FxHashMap<K, Chain> = FxHashMap::default();
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
        self.probe(|l| lkey(l).and_then(|k| index.get(&k)), &next, out)
    }

    /// A join on one integer column each side: the right side indexed by
    /// [`IntIndex`] (a table by key when the keys are dense).
    fn integers(&self, lcol: &Column, rcol: &Column, out: Rows) -> Result<()> {
        let (index, next) = IntIndex::build(rcol)?;
        let values = ints(lcol).expect("run() chose this for two integer keys");
        let find = |l: usize| {
            if lcol.is_valid(l) {
                index.get(values[l])
            } else {
                None
            }
        };
        self.probe(find, &next, out)
    }

    /// The output rows, left row by left row: `find` gives the chain of
    /// right rows a left row's key matches, `next` links them.
    fn probe<'c>(
        &self,
        find: impl Fn(usize) -> Option<&'c Chain>,
        next: &[u32],
        mut out: Rows,
    ) -> Result<()> {
        let (left, right) = (self.left, self.right);
        let row_bytes = output_row_bytes(left, right, self.right_columns);
        let most = if out.whole() {
            rows_allowed(row_bytes)
        } else {
            u64::MAX
        };
        // Output rows since the last check: a key with many matches makes many rows.
        let mut work = 0;
        let mut tally = Tally::default();
        let mut found_keys = Bitmap::new(right.num_rows(), false);
        for l in 0..left.num_rows() {
            work += 1;
            if work >= BATCH {
                work = 0;
                cancel::check()?;
            }
            let found = find(l).map(|chain| (chain.first, chain.last, chain.len));
            match found {
                Some((first, _, _)) => {
                    // A key is known by its first right row.
                    if !found_keys.get(first as usize) {
                        found_keys.set(first as usize, true);
                        tally.matched_keys += 1;
                    }
                }
                // A null key is no key; the note leaves those rows out.
                None => tally.unmatched_rows.push(l as u32),
            }
            match found {
                Some((first, last, len)) => {
                    if (out.li.len() + len as usize) as u64 > most {
                        // Over the limit: count the whole output, to say how
                        // big it would have been, without building it.
                        let rest: u64 = (l..left.num_rows())
                            .map(|l| match find(l) {
                                Some(c) => u64::from(c.len),
                                None => u64::from(self.keep_unmatched),
                            })
                            .sum();
                        return Err(too_big(out.li.len() as u64 + rest, row_bytes));
                    }
                    work += len as usize;
                    let mut r = first;
                    loop {
                        if !out.push(l as u32, r)? {
                            return Ok(());
                        }
                        if r == last {
                            break;
                        }
                        r = next[r as usize];
                    }
                }
                None if self.keep_unmatched && !out.push(l as u32, NULL_ROW)? => {
                    return Ok(());
                }
                None => {}
            }
        }
        *self.tally.borrow_mut() = Some(tally);
        out.finish()
    }

    /// A join on one text column each side, through the dictionaries: each
    /// distinct left string is looked up once, and rows map codes to right
    /// rows. When every left row has at most one match (and unmatched rows
    /// stay), the left columns are kept as they are, not gathered.
    fn text(&self, lkey: usize, rkey: usize, mut out: Rows) -> Result<()> {
        let (left, right, right_columns) = (self.left, self.right, self.right_columns);
        let (lcol, rcol) = (left.column_at(lkey), right.column_at(rkey));
        let (Data::Text(lcodes, ldict), Data::Text(rcodes, rdict)) = (lcol.data(), rcol.data())
        else {
            unreachable!("run() chose this for two text keys")
        };
        let partners = Partners::new(ldict, rcodes, rdict, rcol);
        let matches: Vec<&[u32]> = (0..ldict.len() as u32).map(|c| partners.of(c)).collect();
        let lvalid = lcol.validity();
        let at_most_one = matches.iter().all(|m| m.len() <= 1);
        let every_left_row_once = at_most_one
            && (self.keep_unmatched || (lvalid.is_none() && matches.iter().all(|m| m.len() == 1)));
        // The right row of each left code, when there is at most one.
        let first = || -> Vec<u32> {
            matches
                .iter()
                .map(|m| m.first().copied().unwrap_or(NULL_ROW))
                .collect()
        };
        // One output row per left row: handed over as one piece, no bigger than the left side.
        if every_left_row_once && lvalid.is_none() {
            // Each right column is first taken once per left dictionary entry,
            // then by the left codes: no list of right rows per left row.
            let first = first();
            let mut columns = left.named_columns();
            for (i, name) in right_columns {
                let by_code = right.column_at(*i).take(&first);
                columns.push((name.clone(), Arc::new(by_code.take_checked(lcodes)?)));
            }
            (out.sink)(Table::with_rows(columns, left.num_rows()))?;
            return Ok(());
        }
        if every_left_row_once {
            let first = first();
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
            (out.sink)(assemble(left.clone(), right, &ri, right_columns)?)?;
            return Ok(());
        }
        if at_most_one && !self.keep_unmatched && out.whole() {
            // An inner join where some left keys find no partner (a province
            // spelt differently on the two sides): the left rows that match,
            // found in parallel, gathered with their one right row each.
            let first = first();
            let matched =
                |i: usize| lvalid.is_none_or(|v| v.get(i)) && first[lcodes[i] as usize] != NULL_ROW;
            let li: Vec<u32> = morsel::map(lcodes.len(), MORSEL, |range| {
                range
                    .filter(|&i| matched(i))
                    .map(|i| i as u32)
                    .collect::<Vec<u32>>()
            })?
            .concat();
            let ri: Vec<u32> = li
                .par_iter()
                .with_min_len(MORSEL)
                .map(|&l| first[lcodes[l as usize] as usize])
                .collect();
            (out.sink)(assemble(
                left.take_checked(&li)?,
                right,
                &ri,
                right_columns,
            )?)?;
            return Ok(());
        }
        let matches_of = |l: usize, c: u32| {
            if lvalid.is_none_or(|v| v.get(l)) {
                matches[c as usize]
            } else {
                &[]
            }
        };
        if out.whole() {
            // Count the output before building it: matches per left code, once per row.
            let total: u64 = lcodes
                .iter()
                .enumerate()
                .map(|(l, &c)| match matches_of(l, c).len() as u64 {
                    0 => u64::from(self.keep_unmatched),
                    m => m,
                })
                .sum();
            let row_bytes = output_row_bytes(left, right, right_columns);
            if total > rows_allowed(row_bytes) {
                return Err(too_big(total, row_bytes));
            }
            out.li.reserve_exact(total as usize);
            out.ri.reserve_exact(total as usize);
        }
        // Output rows since the last check: a code with many matches makes many rows.
        let mut work = 0;
        for (l, &c) in lcodes.iter().enumerate() {
            let m = matches_of(l, c);
            work += 1 + m.len();
            if work >= BATCH {
                work = 0;
                cancel::check()?;
            }
            for &r in m {
                if !out.push(l as u32, r)? {
                    return Ok(());
                }
            }
            if m.is_empty() && self.keep_unmatched && !out.push(l as u32, NULL_ROW)? {
                return Ok(());
            }
        }
        out.finish()
    }
}

/// The right rows of each left dictionary entry, for a join on one text
/// column each side: each distinct left string is looked up once.
struct Partners {
    /// The right rows of each right code.
    by_rcode: Vec<Vec<u32>>,
    /// The right code of each left code's string, if the right side has it.
    rcode_of: Vec<Option<u32>>,
}

impl Partners {
    fn new(ldict: &Dict, rcodes: &[u32], rdict: &Dict, rcol: &Column) -> Partners {
        let mut by_rcode: Vec<Vec<u32>> = vec![Vec::new(); rdict.len()];
        for (r, &c) in rcodes.iter().enumerate() {
            if rcol.is_valid(r) {
                by_rcode[c as usize].push(r as u32);
            }
        }
        let rcode_of = ldict.values().iter().map(|s| rdict.lookup(s)).collect();
        Partners { by_rcode, rcode_of }
    }

    /// The right rows whose key is left code `c`'s string.
    fn of(&self, c: u32) -> &[u32] {
        self.rcode_of[c as usize].map_or(&[][..], |r| &self.by_rcode[r as usize][..])
    }
}

/// An inner join on one text column each side in which no left key has two
/// partners, for an aggregate that reads its result in place: the left
/// columns as they are, each right column taken by the left codes (null
/// where there is no partner), and the selection of the left rows that
/// found one. Nothing is gathered by row lists, so a join where a few keys
/// find no partner costs about what one where all do. `None` for other joins.
///
/// The right columns marked in `coded` are not taken row by row: the table
/// holds the left key column in their place, and the second list gives, for
/// each, its position and its value for each left code (see [`Coded`]).
pub(super) fn text_lookup(
    left: &Table,
    right: &Table,
    left_keys: &[usize],
    right_keys: &[usize],
    right_columns: &[(usize, String)],
    coded: &[bool],
) -> Option<Result<(Table, Selection, Vec<Coded>)>> {
    let ([lkey], [rkey]) = (left_keys, right_keys) else {
        return None;
    };
    let (lcol, rcol) = (left.column_at(*lkey), right.column_at(*rkey));
    let (Data::Text(lcodes, ldict), Data::Text(rcodes, rdict)) = (lcol.data(), rcol.data()) else {
        return None;
    };
    let partners = Partners::new(ldict, rcodes, rdict, rcol);
    let mut first = Vec::with_capacity(ldict.len());
    for c in 0..ldict.len() as u32 {
        match partners.of(c) {
            [] => first.push(NULL_ROW),
            [r] => first.push(*r),
            _ => return None,
        }
    }
    let every = lcol.validity().is_none() && first.iter().all(|&r| r != NULL_ROW);
    let kept = if every {
        Selection::All
    } else {
        match select::bits_of(lcodes, lcol.validity(), |c| first[c as usize] != NULL_ROW) {
            Selection::Bits(b) if b.all_set() => Selection::All,
            other => other,
        }
    };
    let mut columns = left.named_columns();
    let mut lazy = Vec::new();
    for (k, (i, name)) in right_columns.iter().enumerate() {
        let by_code = right.column_at(*i).take(&first);
        if coded.get(k) == Some(&true) {
            lazy.push(Coded {
                at: columns.len(),
                by_code: Arc::new(by_code),
            });
            columns.push((name.clone(), Arc::clone(lcol)));
            continue;
        }
        match by_code.take_checked(lcodes) {
            Ok(col) => columns.push((name.clone(), Arc::new(col))),
            Err(e) => return Some(Err(e)),
        }
    }
    Some(Ok((Table::with_rows(columns, left.num_rows()), kept, lazy)))
}

/// A right column of a [`text_lookup`] left untaken: at position `at` the
/// table holds the left key column, and the value of row `r` is
/// `by_code[code of r]`. An aggregate that only folds the column into sets
/// (`cite`'s lineage) folds the codes instead and reads `by_code` once per
/// code, so the column of 8 bytes a row is never written.
pub(super) struct Coded {
    /// The column's position in the table.
    pub(super) at: usize,
    /// The column's value for each code of the left key.
    pub(super) by_code: Arc<Column>,
}

impl Coded {
    /// The column taken row by row, as [`text_lookup`] takes the others.
    pub(super) fn gather(&self, table: &Table) -> Result<Column> {
        let Data::Text(codes, _) = table.column_at(self.at).data() else {
            unreachable!("a coded column stands in the table as the left text key")
        };
        self.by_code.take_checked(codes)
    }
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
fn assemble(
    left: Table,
    right: &Table,
    ri: &[u32],
    right_columns: &[(usize, String)],
) -> Result<Table> {
    let rows = left.num_rows();
    let mut columns = left.named_columns();
    for (i, name) in right_columns {
        columns.push((
            name.clone(),
            Arc::new(right.column_at(*i).take_checked(ri)?),
        ));
    }
    Ok(Table::with_rows(columns, rows))
}
