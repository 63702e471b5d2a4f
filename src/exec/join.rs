//! Equi-joins by hashing the right side's keys. Output rows follow the left
//! side's order, then the right side's; a null key never matches.

use super::cancel::{self, BATCH};
use crate::error::Result;
use crate::store::{Column, Data, Table, NULL_ROW};
use std::collections::HashMap;
use std::sync::Arc;

/// One key value, comparable across the two sides (text by its string).
#[derive(PartialEq, Eq, Hash)]
enum Atom<'a> {
    Bits(u64),
    Text(&'a str),
}

fn atom(col: &Column, i: usize) -> Option<Atom<'_>> {
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
    let lk: Vec<&Arc<Column>> = left_keys.iter().map(|&i| left.column_at(i)).collect();
    let rk: Vec<&Arc<Column>> = right_keys.iter().map(|&i| right.column_at(i)).collect();
    let mut index: HashMap<Vec<Atom>, Vec<u32>> = HashMap::new();
    for r in 0..right.num_rows() {
        if r % BATCH == 0 {
            cancel::check()?;
        }
        if let Some(k) = row_key(&rk, r) {
            index.entry(k).or_default().push(r as u32);
        }
    }
    let (mut li, mut ri) = (Vec::new(), Vec::new());
    // Output rows since the last check: a key with many matches makes many rows.
    let mut work = 0;
    for l in 0..left.num_rows() {
        work += 1;
        if work >= BATCH {
            work = 0;
            cancel::check()?;
        }
        match row_key(&lk, l).and_then(|k| index.get(&k)) {
            Some(matches) => {
                work += matches.len();
                for &r in matches {
                    li.push(l as u32);
                    ri.push(r);
                }
            }
            None if keep_unmatched => {
                li.push(l as u32);
                ri.push(NULL_ROW);
            }
            None => {}
        }
    }
    let mut columns = left.take(&li).named_columns();
    for (i, name) in right_columns {
        columns.push((name.clone(), Arc::new(right.column_at(*i).take(&ri))));
    }
    Ok(Table::with_rows(columns, li.len()))
}
