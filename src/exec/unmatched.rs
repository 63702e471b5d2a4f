//! The note on a join that finds nothing: when no left key has a partner, or
//! more than [`FEW`] distinct keys have none, it says how many and shows the
//! first few, and suggests `province(...)` when they look like province names.
//! Counted on the distinct keys: a text key through its dictionary codes,
//! any other from the [`Tally`] the hash join kept while it probed (which
//! distinct right keys were found, which left rows found none), so it costs
//! no second pass over the keys. A join on other keys that `limit` stopped
//! before it probed every left row has no tally, and gets no note.

use super::join::{atom, Atom, Tally};
use crate::cancel::{self, BATCH};
use crate::error::Result;
use crate::plan::JoinNote;
use crate::store::provinces::province_name;
use crate::store::{Column, Data, Table};
use rustc_hash::FxHashSet;
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

/// Adds the note on joining `left` to `right` on these keys, if one is due;
/// `tally` is what the join counted (none for one text key each side).
pub(super) fn note(
    left: &Table,
    right: &Table,
    left_keys: &[usize],
    right_keys: &[usize],
    note: &JoinNote,
    tally: Option<&Tally>,
) -> Result<()> {
    if left.num_rows() == 0 {
        return Ok(());
    }
    let lk: Vec<&Arc<Column>> = left_keys.iter().map(|&i| left.column_at(i)).collect();
    let rk: Vec<&Arc<Column>> = right_keys.iter().map(|&i| right.column_at(i)).collect();
    let mut found = match (&lk[..], &rk[..], tally) {
        ([l], [r], _) if matches!(l.data(), Data::Text(..)) => by_codes(l, r)?,
        (_, _, Some(tally)) => tallied(&lk, tally)?,
        // Every join but one on text keys is a hash join, which tallies.
        _ => return Ok(()),
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
            // Every code seen (a loaded column's dictionary holds only its
            // values): the rest of the rows add none.
            if order.len() == dict.len() {
                break;
            }
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

/// Any keys, from the join's tally: the distinct keys of the left rows
/// that found no partner (one key hashed as it is, several as a list).
fn tallied(lk: &[&Arc<Column>], tally: &Tally) -> Result<Unmatched> {
    let show = |i: usize| {
        lk.iter()
            .map(|c| c.get(i).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = match lk {
        [l] => match l.data() {
            Data::Int(values) => distinct_ints(l, values, &tally.unmatched_rows)?,
            _ => distinct_missing(|i| atom(l, i), &tally.unmatched_rows, show)?,
        },
        _ => distinct_missing(
            |i| lk.iter().map(|c| atom(c, i)).collect::<Option<Vec<_>>>(),
            &tally.unmatched_rows,
            show,
        )?,
    };
    out.matched = tally.matched_keys > 0;
    out.keys += tally.matched_keys;
    Ok(out)
}

/// [`distinct_missing`] for one integer key: a bit per value when the
/// values of `rows` span a narrow range (ids, codes), as a hash set of
/// millions of keys is most of a large join's time.
fn distinct_ints(col: &Column, values: &[i64], rows: &[u32]) -> Result<Unmatched> {
    let valid = |i: u32| col.is_valid(i as usize);
    let (mut min, mut max) = (i64::MAX, i64::MIN);
    for &i in rows.iter().filter(|&&i| valid(i)) {
        min = min.min(values[i as usize]);
        max = max.max(values[i as usize]);
    }
    let range = (i128::from(max) - i128::from(min) + 1).max(0) as u128;
    if range == 0 || range > (rows.len() as u128).saturating_mul(8).max(1 << 16) {
        return distinct_missing(|i| atom(col, i), rows, |i| values[i].to_string());
    }
    let mut seen = crate::store::Bitmap::new(range as usize, false);
    let mut out = Unmatched::default();
    for (n, &i) in rows.iter().enumerate() {
        if n % BATCH == 0 {
            cancel::check()?;
        }
        if valid(i) {
            let v = values[i as usize];
            let at = (v - min) as usize;
            if !seen.get(at) {
                seen.set(at, true);
                out.keys += 1;
                out.add(|| v.to_string());
            }
        }
    }
    Ok(out)
}

/// The distinct keys (`key` of each of `rows`), each counted once and the
/// first [`SHOWN`] shown.
fn distinct_missing<K: std::hash::Hash + Eq>(
    key: impl Fn(usize) -> Option<K>,
    rows: &[u32],
    show: impl Fn(usize) -> String,
) -> Result<Unmatched> {
    let mut out = Unmatched::default();
    let mut seen: FxHashSet<K> = FxHashSet::default();
    for (n, &i) in rows.iter().enumerate() {
        if n % BATCH == 0 {
            cancel::check()?;
        }
        if let Some(k) = key(i as usize) {
            if seen.insert(k) {
                out.add(|| show(i as usize));
            }
        }
    }
    out.keys = seen.len();
    Ok(out)
}
