//! The note on a join that finds nothing: when no left key has a partner, or
//! more than [`FEW`] distinct keys have none, it says how many and shows the
//! first few, and suggests `province(...)` when they look like province names.
//! Counted on the distinct keys (a text key through its dictionary codes), so
//! it costs a pass over the key columns, not another join.

use super::int_keys::{ints, IntIndex, KeySet};
use super::join::{atom, Atom};
use crate::cancel::{self, BATCH};
use crate::error::Result;
use crate::plan::JoinNote;
use crate::store::provinces::province_name;
use crate::store::{Column, Data, Table};
use std::collections::HashSet;
use std::sync::Arc;

/// How many keys without a partner pass without a note (a total row, a
/// region the other side does not list).
const FEW: usize = 3;

/// How many of them the note shows.
const SHOWN: usize = 5;

/// How many characters of one key it shows.
const LONGEST: usize = 32;

/// The left keys without a partner: how many distinct ones, the first
/// [`SHOWN`] as text, and whether any key had one.
#[derive(Default)]
struct Unmatched {
    count: usize,
    shown: Vec<String>,
    keys: usize,
    matched: bool,
}

impl Unmatched {
    fn add(&mut self, text: impl FnOnce() -> String) {
        self.count += 1;
        if self.shown.len() < SHOWN {
            self.shown.push(text());
        }
    }
}

/// Adds the note on joining `left` to `right` on these keys, if one is due.
pub(super) fn note(
    left: &Table,
    right: &Table,
    left_keys: &[usize],
    right_keys: &[usize],
    note: &JoinNote,
) -> Result<()> {
    if left.num_rows() == 0 {
        return Ok(());
    }
    let lk: Vec<&Arc<Column>> = left_keys.iter().map(|&i| left.column_at(i)).collect();
    let rk: Vec<&Arc<Column>> = right_keys.iter().map(|&i| right.column_at(i)).collect();
    let mut found = match (&lk[..], &rk[..]) {
        ([l], [r]) if matches!(l.data(), Data::Text(..)) => by_codes(l, r)?,
        ([l], [r]) if ints(l).is_some() && ints(r).is_some() => {
            by_ints(l, r, note.shown.is_some())?
        }
        _ => by_rows(&lk, &rk)?,
    };
    // Rows whose computed key is null (`province(x)` of what is no
    // province) found no partner either: name them by the column shown.
    if let Some(shown) = note.shown {
        let col = left.column_at(shown);
        let key_null = |i: usize| lk.iter().any(|c| !c.is_valid(i));
        let mut seen = HashSet::new();
        for i in 0..left.num_rows() {
            if i % BATCH == 0 {
                cancel::check()?;
            }
            if key_null(i) && col.is_valid(i) {
                let v = col.get(i).to_string();
                if seen.insert(v.clone()) {
                    found.keys += 1;
                    found.add(|| v);
                }
            }
        }
    }
    if found.count == 0 || (found.matched && found.count <= FEW) {
        return Ok(());
    }
    let list = found
        .shown
        .iter()
        .map(|s| {
            if s.chars().count() > LONGEST {
                let cut: String = s.chars().take(LONGEST - 1).collect();
                format!("`{cut}…`")
            } else {
                format!("`{s}`")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let more = found.count - found.shown.len();
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    let what = if found.matched {
        format!(
            "{} of the {} distinct `{}` keys found no partner in `{}` (`{}`)",
            found.count, found.keys, note.left, note.right, note.right_keys
        )
    } else {
        format!(
            "the join matched no row: none of the {} distinct `{}` keys has a partner in `{}` (`{}`)",
            found.keys, note.left, note.right, note.right_keys
        )
    };
    let mut text = format!("{what}: {list}{more}");
    // Spellings of provinces other than their `name` (a canonical name that
    // found no partner is not a spelling problem).
    let spellings = found
        .shown
        .iter()
        .filter(|s| province_name(s).is_some_and(|n| *n != ***s))
        .count();
    if !note.province && left_keys.len() == 1 && spellings * 2 > found.shown.len() {
        text.push_str(&format!(
            "\n  = help: these look like province names; `province(x)` maps any spelling (甘肃省, Nei Mongol, 620000...) to `provinces`' `name`: join {} on province({}) = {}",
            note.right, note.left, note.right_keys
        ));
    }
    crate::notes::add(text);
    Ok(())
}

/// One text key: the left dictionary entries in use, looked up among the
/// right side's entries in use.
fn by_codes(l: &Column, r: &Column) -> Result<Unmatched> {
    let right: HashSet<Atom> = used_atoms(r)?;
    let mut out = Unmatched::default();
    let Data::Text(codes, dict) = l.data() else {
        return Ok(out);
    };
    let mut used = vec![false; dict.len()];
    let mut order = Vec::new();
    for (i, &c) in codes.iter().enumerate() {
        if i % BATCH == 0 {
            cancel::check()?;
        }
        if l.is_valid(i) && !used[c as usize] {
            used[c as usize] = true;
            order.push(c);
        }
    }
    out.keys = order.len();
    for c in order {
        let s = dict.get(c);
        if right.contains(&Atom::Text(s)) {
            out.matched = true;
        } else {
            out.add(|| s.to_string());
        }
    }
    Ok(out)
}

/// The distinct non-null values of a column, as join atoms.
fn used_atoms(c: &Column) -> Result<HashSet<Atom<'_>>> {
    let mut set = HashSet::new();
    if let Data::Text(codes, dict) = c.data() {
        let mut used = vec![false; dict.len()];
        for (i, &code) in codes.iter().enumerate() {
            if c.is_valid(i) && !used[code as usize] {
                used[code as usize] = true;
                set.insert(Atom::Text(dict.get(code)));
            }
        }
        return Ok(set);
    }
    for i in 0..c.len() {
        if i % BATCH == 0 {
            cancel::check()?;
        }
        if let Some(a) = atom(c, i) {
            set.insert(a);
        }
    }
    Ok(set)
}

/// One integer key: the right keys indexed, the left ones looked up; the
/// distinct left keys are counted only when there may be a note to give
/// (always with `count_keys`).
fn by_ints(l: &Column, r: &Column, count_keys: bool) -> Result<Unmatched> {
    let (right, _) = IntIndex::build(r)?;
    let values = ints(l).expect("note() chose this for two integer keys");
    let mut out = Unmatched::default();
    let mut unmatched = KeySet::for_column(l);
    for (i, &v) in values.iter().enumerate() {
        if i % BATCH == 0 {
            cancel::check()?;
        }
        if !l.is_valid(i) {
            continue;
        }
        if right.get(v).is_some() {
            out.matched = true;
        } else if unmatched.insert(v) {
            out.add(|| v.to_string());
        }
    }
    if !count_keys && (out.count == 0 || (out.matched && out.count <= FEW)) {
        // No note: `keys` is not needed.
        return Ok(out);
    }
    let mut seen = KeySet::for_column(l);
    for (i, &v) in values.iter().enumerate() {
        if i % BATCH == 0 {
            cancel::check()?;
        }
        if l.is_valid(i) {
            seen.insert(v);
        }
    }
    out.keys = seen.len();
    Ok(out)
}

/// Any keys: row by row.
fn by_rows(lk: &[&Arc<Column>], rk: &[&Arc<Column>]) -> Result<Unmatched> {
    fn key<'a>(cols: &[&'a Arc<Column>], i: usize) -> Option<Vec<Atom<'a>>> {
        cols.iter().map(|c| atom(c, i)).collect()
    }
    let rows = |cols: &[&Arc<Column>]| cols.first().map_or(0, |c| c.len());
    let mut right = HashSet::new();
    for i in 0..rows(rk) {
        if i % BATCH == 0 {
            cancel::check()?;
        }
        if let Some(k) = key(rk, i) {
            right.insert(k);
        }
    }
    let mut out = Unmatched::default();
    let mut seen = HashSet::new();
    for i in 0..rows(lk) {
        if i % BATCH == 0 {
            cancel::check()?;
        }
        let Some(k) = key(lk, i) else { continue };
        if right.contains(&k) {
            out.matched = true;
            seen.insert(k);
        } else if seen.insert(k) {
            out.add(|| {
                lk.iter()
                    .map(|c| c.get(i).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            });
        }
    }
    out.keys = seen.len();
    Ok(out)
}
