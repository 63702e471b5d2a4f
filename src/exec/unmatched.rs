//! The note on a join that finds nothing: when no left key has a partner, or
//! more than [`FEW`] distinct keys have none, it says how many and shows the
//! first few, and suggests `province(...)` when they look like province names.
//! Counted on the distinct keys (a text key through its dictionary codes), so
//! it costs a pass over the key columns, not another join.

use super::join::{atom, Atom};
use crate::cancel::{self, BATCH};
use crate::error::Result;
use crate::plan::JoinNote;
use crate::store::provinces::province_name;
use crate::store::{Column, Data, Table};
use rustc_hash::{FxHashMap, FxHashSet};
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
        _ => by_rows(&lk, &rk)?,
    };
    // Rows whose computed key is null (`province(x)` of what is no
    // province) found no partner either: name them by the column shown.
    if let Some(shown) = note.shown {
        let col = left.column_at(shown);
        let key_null = |i: usize| lk.iter().any(|c| !c.is_valid(i));
        let mut seen = FxHashSet::default();
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
    let right: FxHashSet<Atom> = used_atoms(r)?;
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
fn used_atoms(c: &Column) -> Result<FxHashSet<Atom<'_>>> {
    let mut set = FxHashSet::default();
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

/// Any keys: row by row. A single key is hashed as it is; several as a list.
fn by_rows(lk: &[&Arc<Column>], rk: &[&Arc<Column>]) -> Result<Unmatched> {
    let show = |i: usize| {
        lk.iter()
            .map(|c| c.get(i).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let rows = |cols: &[&Arc<Column>]| cols.first().map_or(0, |c| c.len());
    if let ([l], [r]) = (lk, rk) {
        return unmatched(|i| atom(l, i), l.len(), |i| atom(r, i), r.len(), show);
    }
    fn key<'a>(cols: &[&'a Arc<Column>], i: usize) -> Option<Vec<Atom<'a>>> {
        cols.iter().map(|c| atom(c, i)).collect()
    }
    unmatched(|i| key(lk, i), rows(lk), |i| key(rk, i), rows(rk), show)
}

/// The left keys (`lkey` of each of `lrows` rows) that no right key matches.
/// The right keys are held once, each with whether a left key found it, so
/// the distinct left keys are counted without a set of them all.
fn unmatched<K: std::hash::Hash + Eq>(
    lkey: impl Fn(usize) -> Option<K>,
    lrows: usize,
    rkey: impl Fn(usize) -> Option<K>,
    rrows: usize,
    show: impl Fn(usize) -> String,
) -> Result<Unmatched> {
    let mut right: FxHashMap<K, bool> = FxHashMap::default();
    for i in 0..rrows {
        if i % BATCH == 0 {
            cancel::check()?;
        }
        if let Some(k) = rkey(i) {
            right.insert(k, false);
        }
    }
    let mut out = Unmatched::default();
    let mut missing: FxHashSet<K> = FxHashSet::default();
    let mut found = 0;
    for i in 0..lrows {
        if i % BATCH == 0 {
            cancel::check()?;
        }
        let Some(k) = lkey(i) else { continue };
        match right.get_mut(&k) {
            Some(hit) => {
                if !*hit {
                    *hit = true;
                    found += 1;
                }
            }
            None => {
                if missing.insert(k) {
                    out.add(|| show(i));
                }
            }
        }
    }
    out.matched = found > 0;
    out.keys = found + missing.len();
    Ok(out)
}
