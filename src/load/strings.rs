//! The text values of a CSV load. Chunks parsed in parallel intern a text
//! column's strings into a few shared interners (one per chunk at work at
//! once) instead of a dictionary each, and the interners are merged once, at
//! the end, into the column's dictionary in order of first appearance in the
//! file. A column with 10^5 distinct values in 160 chunks of 60,000 rows
//! so interns each distinct string about twice, not once per chunk it occurs
//! in (some 6 million times), and the merge looks up 2 × 10^5 strings rather
//! than 6 million.
//!
//! Order of first appearance: each interned string keeps the position
//! (chunk, row) where its interner first met it. An interner hands its codes
//! out in that order as long as it is given chunks in file order; when it is
//! given an earlier chunk than one it already read (the threads share the
//! interners in no fixed order), the strings it met in later chunks have
//! their position lowered when met again. The merge then walks every
//! interner's strings by position.

use crate::cancel::InterruptHandle;
use crate::error::Result;
use crate::store::{hash_str, Bitmap, Column, Data, Dict};
use hashbrown::HashTable;
use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::{Arc, Mutex};

/// A position in the file: the chunk's number in the high half, the row
/// within the chunk in the low half.
type Position = u64;

fn position(chunk: u32, row: usize) -> Position {
    (u64::from(chunk) << 32) | row.min(u32::MAX as usize) as u64
}

/// The strings a few chunks of one column met, stored end to end.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    bytes: Vec<u8>,
    /// Each string's end in `bytes` (its start is the previous end).
    ends: Vec<usize>,
    hashes: Vec<u64>,
    /// Where each string was first met.
    first: Vec<Position>,
    /// Each string's code, found by its hash (see [`Slot`]).
    index: HashTable<Slot>,
    /// The chunks read so far, with the first code each one added.
    history: Vec<(u32, u32)>,
    /// The chunk being read.
    chunk: u32,
    /// Codes at or above this may have been first met in a later chunk than
    /// the one being read (`u32::MAX` when no chunk read so far is later).
    lowered_from: u32,
}

/// An interned string in an interner's index: its first eight bytes (zero
/// past its end), its length and its code. A string of eight bytes or fewer
/// is compared in the slot alone; only a longer one is read in `bytes`, past
/// its head, so that a lookup in a large index misses the cache once, not twice.
#[derive(Debug, Clone, Copy)]
struct Slot {
    head: u64,
    len: u32,
    code: u32,
}

impl Slot {
    /// The first eight bytes of `s` as a number, zero past its end (read
    /// without a copy to the stack, which would stall the load after it).
    #[inline]
    fn head(s: &[u8]) -> u64 {
        let word = |at: usize| u32::from_le_bytes([s[at], s[at + 1], s[at + 2], s[at + 3]]);
        match s.len() {
            8.. => u64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]]),
            // Two words that overlap: the bytes they share are the same.
            n @ 4.. => u64::from(word(0)) | (u64::from(word(n - 4)) << (8 * (n - 4))),
            n => s
                .iter()
                .take(n)
                .enumerate()
                .fold(0, |v, (i, &b)| v | (u64::from(b) << (8 * i))),
        }
    }
}

impl Interner {
    /// Starts reading chunk `chunk`.
    fn begin(&mut self, chunk: u32) {
        self.lowered_from = self
            .history
            .iter()
            .find(|(c, _)| *c > chunk)
            .map_or(u32::MAX, |&(_, code)| code);
        self.history.push((chunk, self.ends.len() as u32));
        self.chunk = chunk;
    }

    /// The string for `code`.
    fn get(&self, code: u32) -> &str {
        let code = code as usize;
        let start = if code == 0 { 0 } else { self.ends[code - 1] };
        // Only whole strings are ever stored.
        std::str::from_utf8(&self.bytes[start..self.ends[code]]).unwrap_or_default()
    }

    /// The number of strings.
    fn len(&self) -> usize {
        self.ends.len()
    }

    /// The code of `s`, met at `row` of the chunk being read.
    #[inline]
    pub fn intern(&mut self, s: &str, row: usize) -> u32 {
        let hash = hash_str(s);
        let (head, len) = (Slot::head(s.as_bytes()), s.len());
        let (bytes, ends) = (&self.bytes, &self.ends);
        let found = self.index.find(hash, |slot| {
            slot.head == head
                && slot.len as usize == len
                && (len <= 8 || {
                    // The string's bytes after its head.
                    let start = match slot.code {
                        0 => 0,
                        c => ends[c as usize - 1],
                    };
                    bytes[start + 8..start + len] == s.as_bytes()[8..]
                })
        });
        if let Some(&Slot { code, .. }) = found {
            if code >= self.lowered_from {
                let here = position(self.chunk, row);
                let first = &mut self.first[code as usize];
                *first = (*first).min(here);
            }
            return code;
        }
        let code = u32::try_from(self.ends.len()).expect("fewer than 4 billion distinct strings");
        self.bytes.extend_from_slice(s.as_bytes());
        self.ends.push(self.bytes.len());
        self.hashes.push(hash);
        self.first.push(position(self.chunk, row));
        let hashes = &self.hashes;
        let len = u32::try_from(len).unwrap_or(u32::MAX);
        self.index
            .insert_unique(hash, Slot { head, len, code }, |slot| {
                hashes[slot.code as usize]
            });
        code
    }

    /// The codes in order of first appearance.
    fn by_position(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.len() as u32).collect();
        if !self.first.is_sorted() {
            order.sort_by_key(|&c| self.first[c as usize]);
        }
        order
    }
}

/// The interners of every column of one load, lent to chunks while they are
/// read.
#[derive(Debug)]
pub(crate) struct Pool {
    /// For each column, its interners (`None` while lent).
    columns: Vec<Mutex<Vec<Option<Box<Interner>>>>>,
}

impl Pool {
    /// A pool for `columns` columns.
    pub fn new(columns: usize) -> Pool {
        Pool {
            columns: (0..columns).map(|_| Mutex::new(Vec::new())).collect(),
        }
    }

    /// Lends an interner of `column` to chunk `chunk`: its number and itself.
    pub fn lend(&self, column: usize, chunk: u32) -> (usize, Box<Interner>) {
        let mut slots = self.columns[column]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // A thread takes the interner it had last time when it is free, so
        // that an interner's index stays in one core's cache.
        let mine = rayon::current_thread_index().unwrap_or(0);
        let free = (0..slots.len())
            .map(|k| (mine + k) % slots.len())
            .find(|&id| slots[id].is_some());
        let (id, mut interner) = match free.map(|id| (id, &mut slots[id])) {
            Some((id, slot)) => (id, slot.take().unwrap_or_default()),
            None => {
                slots.push(None);
                (slots.len() - 1, Box::default())
            }
        };
        interner.begin(chunk);
        (id, interner)
    }

    /// Takes back interner `id` of `column`.
    pub fn give_back(&self, column: usize, id: usize, interner: Box<Interner>) {
        let mut slots = self.columns[column]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        slots[id] = Some(interner);
    }

    /// Each column's interners, by number (every chunk has given its back).
    pub fn into_columns(self) -> Vec<Vec<Interner>> {
        self.columns
            .into_iter()
            .map(|m| {
                m.into_inner()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .into_iter()
                    .map(|t| t.map_or_else(Interner::default, |t| *t))
                    .collect()
            })
            .collect()
    }
}

/// One chunk's share of a column, as a loader finished it.
#[derive(Debug)]
pub(crate) enum Piece {
    /// A finished column, with its own dictionary if text.
    Column(Column),
    /// Text as codes of interner `interner` of the column.
    Coded {
        codes: Vec<u32>,
        validity: Option<Bitmap>,
        interner: usize,
    },
}

impl Piece {
    fn len(&self) -> usize {
        match self {
            Piece::Column(c) => c.len(),
            Piece::Coded { codes, .. } => codes.len(),
        }
    }
}

/// Where the merge reads strings from: an interner, or a piece's own dictionary.
enum Run<'a> {
    Interner(&'a Interner, Vec<u32>),
    Own(&'a Dict, u32),
}

impl Run<'_> {
    fn len(&self) -> usize {
        match self {
            Run::Interner(_, order) => order.len(),
            Run::Own(d, _) => d.len(),
        }
    }

    /// The `i`-th string in order of first appearance: its code in its
    /// source, position, text and hash.
    fn at(&self, i: usize) -> (u32, Position, &str, u64) {
        match self {
            Run::Interner(t, order) => {
                let c = order[i];
                (c, t.first[c as usize], t.get(c), t.hashes[c as usize])
            }
            Run::Own(d, chunk) => {
                let c = i as u32;
                (c, position(*chunk, i), d.get(c), d.hash_of(c))
            }
        }
    }
}

/// Joins a text column's pieces (in file order; piece `k` is chunk `k`)
/// into one column whose dictionary lists the strings in order of first
/// appearance, each once. `unused` says that a chunk interned strings and
/// was then read again as another piece, so that some interned strings may
/// belong to no row: they are dropped.
pub(crate) fn assemble(
    pieces: Vec<Piece>,
    interners: &[Interner],
    unused: bool,
    handle: Option<&InterruptHandle>,
) -> Result<Column> {
    let mut runs: Vec<Run<'_>> = interners
        .iter()
        .map(|t| Run::Interner(t, t.by_position()))
        .collect();
    for (k, p) in pieces.iter().enumerate() {
        if let Piece::Column(c) = p {
            if let Data::Text(_, d) = c.data() {
                runs.push(Run::Own(d, k as u32));
            }
        }
    }
    // Merge the runs by position.
    let mut dict = Dict::with_capacity(runs.iter().map(Run::len).max().unwrap_or(0));
    let mut remaps: Vec<Vec<u32>> = runs.iter().map(|r| vec![0; r.len()]).collect();
    let mut heap: BinaryHeap<Reverse<(Position, usize, usize)>> = runs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.len() > 0)
        .map(|(n, r)| Reverse((r.at(0).1, n, 0)))
        .collect();
    let mut merged = 0usize;
    while let Some(Reverse((_, n, i))) = heap.pop() {
        merged += 1;
        if merged.is_multiple_of(1 << 16) {
            if let Some(h) = handle {
                h.check()?;
            }
        }
        let (code, _, s, hash) = runs[n].at(i);
        remaps[n][code as usize] = dict.intern_hashed(s, hash);
        if i + 1 < runs[n].len() {
            heap.push(Reverse((runs[n].at(i + 1).1, n, i + 1)));
        }
    }
    // Each piece's codes, renumbered, in parallel into its place.
    let own_run: Vec<Option<usize>> = {
        let mut next = interners.len();
        pieces
            .iter()
            .map(|p| match p {
                Piece::Column(c) if matches!(c.data(), Data::Text(..)) => {
                    next += 1;
                    Some(next - 1)
                }
                _ => None,
            })
            .collect()
    };
    let total: usize = pieces.iter().map(Piece::len).sum();
    let mut codes = vec![0u32; total];
    {
        let mut rest = codes.as_mut_slice();
        let mut slices = Vec::with_capacity(pieces.len());
        for p in &pieces {
            let (here, after) = rest.split_at_mut(p.len());
            slices.push(here);
            rest = after;
        }
        slices
            .into_par_iter()
            .zip(pieces.par_iter().zip(&own_run))
            .for_each(|(out, (p, own))| {
                let (from, remap): (&[u32], &[u32]) = match (p, own) {
                    (
                        Piece::Coded {
                            codes, interner, ..
                        },
                        _,
                    ) => (codes, &remaps[*interner]),
                    (Piece::Column(c), Some(run)) => match c.data() {
                        Data::Text(codes, _) => (codes, &remaps[*run]),
                        _ => (&[], &[]),
                    },
                    // A column of nulls only (of no type yet): every code 0.
                    (Piece::Column(_), None) => (&[], &[]),
                };
                for (o, &c) in out.iter_mut().zip(from) {
                    *o = remap.get(c as usize).copied().unwrap_or(0);
                }
            });
    }
    let validity = if pieces.iter().any(|p| match p {
        Piece::Column(c) => c.validity().is_some() || !matches!(c.data(), Data::Text(..)),
        Piece::Coded { validity, .. } => validity.is_some(),
    }) {
        let mut bits = Bitmap::new(0, true);
        for p in &pieces {
            match p {
                Piece::Column(c) if matches!(c.data(), Data::Text(..)) => {
                    (0..c.len()).for_each(|i| bits.push(c.is_valid(i)));
                }
                Piece::Column(c) => (0..c.len()).for_each(|_| bits.push(false)),
                Piece::Coded {
                    validity, codes, ..
                } => match validity {
                    Some(v) => (0..v.len()).for_each(|i| bits.push(v.get(i))),
                    None => (0..codes.len()).for_each(|_| bits.push(true)),
                },
            }
        }
        Some(bits)
    } else {
        None
    };
    drop(runs);
    let dict = if unused {
        drop_unused(&mut codes, validity.as_ref(), dict)
    } else {
        dict
    };
    Ok(Column::new(Data::Text(codes, Arc::new(dict)), validity))
}

/// `dict` without the strings no valid row's code names, `codes` renumbered
/// (the order of the rest is kept).
fn drop_unused(codes: &mut [u32], validity: Option<&Bitmap>, dict: Dict) -> Dict {
    let mut used = vec![false; dict.len()];
    for (i, &c) in codes.iter().enumerate() {
        if validity.is_none_or(|v| v.get(i)) {
            used[c as usize] = true;
        }
    }
    if used.iter().all(|&u| u) {
        return dict;
    }
    let mut kept = Dict::with_capacity(dict.len());
    let renumber: Vec<u32> = (0..dict.len() as u32)
        .map(|c| {
            if used[c as usize] {
                kept.push_new(dict.get_arc(c), dict.hash_of(c))
            } else {
                0
            }
        })
        .collect();
    codes
        .iter_mut()
        .for_each(|c| *c = renumber.get(*c as usize).copied().unwrap_or(0));
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Data;

    fn coded(codes: Vec<u32>, interner: usize) -> Piece {
        Piece::Coded {
            codes,
            validity: None,
            interner,
        }
    }

    fn strings_of(c: &Column) -> (Vec<String>, Vec<String>) {
        let Data::Text(codes, dict) = c.data() else {
            panic!("not text")
        };
        let values = dict.values().iter().map(|s| s.to_string()).collect();
        let rows = codes.iter().map(|&k| dict.get(k).to_string()).collect();
        (values, rows)
    }

    #[test]
    fn a_slot_head_is_the_first_eight_bytes_zero_padded() {
        for text in [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "abcde",
            "F016727",
            "abcdefgh",
            "abcdefghij",
        ] {
            let mut padded = [0u8; 8];
            let n = text.len().min(8);
            padded[..n].copy_from_slice(&text.as_bytes()[..n]);
            assert_eq!(
                Slot::head(text.as_bytes()),
                u64::from_le_bytes(padded),
                "{text}"
            );
        }
    }

    #[test]
    fn an_interner_given_an_earlier_chunk_than_it_read_keeps_first_appearance() {
        let pool = Pool::new(1);
        // Two chunks at once: chunk 1 and chunk 2 get an interner each.
        let (a, mut first) = pool.lend(0, 1);
        let (b, mut second) = pool.lend(0, 2);
        let chunk2 = vec![second.intern("c", 0), second.intern("a", 1)];
        pool.give_back(0, b, second);
        let chunk1 = vec![first.intern("b", 0), first.intern("a", 1)];
        pool.give_back(0, a, first);
        // Chunk 0 comes last, to the interner that read chunk 1.
        let (id, mut late) = pool.lend(0, 0);
        assert_eq!(id, a);
        let chunk0 = vec![
            late.intern("a", 0),
            late.intern("c", 1),
            late.intern("a", 2),
        ];
        pool.give_back(0, id, late);
        // Chunk 3 was read again, with a dictionary of its own.
        let own = Column::from_texts([Some("d"), Some("a")]);
        let pieces = vec![
            coded(chunk0, a),
            coded(chunk1, a),
            coded(chunk2, b),
            Piece::Column(own),
        ];
        let interners = pool.into_columns().remove(0);
        let column = assemble(pieces, &interners, false, None).unwrap();
        let (values, rows) = strings_of(&column);
        assert_eq!(values, ["a", "c", "b", "d"]);
        assert_eq!(rows, ["a", "c", "a", "b", "a", "c", "a", "d", "a"]);
    }

    #[test]
    fn strings_no_row_holds_are_dropped_when_a_chunk_was_read_again() {
        let pool = Pool::new(1);
        let (a, mut t) = pool.lend(0, 0);
        t.intern("gone", 0);
        let kept = vec![t.intern("x", 1), t.intern("y", 2)];
        pool.give_back(0, a, t);
        let interners = pool.into_columns().remove(0);
        let column = assemble(vec![coded(kept, a)], &interners, true, None).unwrap();
        assert_eq!(
            strings_of(&column),
            (vec!["x".into(), "y".into()], vec!["x".into(), "y".into()])
        );
    }
}
