//! Work over large inputs is split into morsels of consecutive rows; when
//! there are at least two, they run on all cores (rayon), otherwise on the
//! calling thread, so small relations pay nothing for parallelism. Results
//! come back in morsel order and the split depends only on the input's size,
//! so answers never depend on how many threads ran.

use crate::cancel;
use crate::error::Result;
use rayon::prelude::*;
use std::ops::Range;

/// Rows per morsel (a multiple of 64, so a morsel covers whole bitmap words).
pub const MORSEL: usize = 1 << 16;

/// Maps `f` over the morsels of `0..len` (of `size` rows each, `size` a
/// multiple of 64), in parallel when there are two or more. An empty input is
/// one empty morsel. A cancelled query stops at the next morsel boundary.
pub fn map<T: Send>(
    len: usize,
    size: usize,
    f: impl Fn(Range<usize>) -> T + Sync,
) -> Result<Vec<T>> {
    let n = len.div_ceil(size);
    if n <= 1 {
        return Ok(vec![f(0..len)]);
    }
    let handle = cancel::current();
    let cancelled = || handle.as_ref().is_some_and(|h| h.is_cancelled());
    let out: Option<Vec<T>> = (0..n)
        .into_par_iter()
        .map(|m| (!cancelled()).then(|| f(m * size..((m + 1) * size).min(len))))
        .collect();
    cancel::check()?;
    // Only a cancel (checked just above) leaves a morsel undone.
    Ok(out.unwrap_or_default())
}

/// Fills `words` (bit `i` of the result is `bit(i)` for `i < len`), in parallel over large inputs.
pub fn fill_bits(words: &mut [u64], len: usize, bit: impl Fn(usize) -> bool + Sync) {
    let fill = |first_word: usize, chunk: &mut [u64]| {
        for (j, w) in chunk.iter_mut().enumerate() {
            let base = (first_word + j) * 64;
            let end = (base + 64).min(len);
            let mut x = 0u64;
            for i in base..end {
                x |= u64::from(bit(i)) << (i - base);
            }
            *w = x;
        }
    };
    let per = MORSEL / 64;
    if words.len() <= per {
        fill(0, words);
    } else {
        words
            .par_chunks_mut(per)
            .enumerate()
            .for_each(|(c, chunk)| fill(c * per, chunk));
    }
}

/// Fills `words` with `pred` of each value (bit `i` is `pred(values[i])`),
/// a word from 64 consecutive values, in parallel over large inputs.
pub fn fill_bits_from<T: Copy + Sync>(
    words: &mut [u64],
    values: &[T],
    pred: impl Fn(T) -> bool + Sync,
) {
    let fill = |ws: &mut [u64], vs: &[T]| {
        for (w, chunk) in ws.iter_mut().zip(vs.chunks(64)) {
            let mut x = 0u64;
            for (j, &v) in chunk.iter().enumerate() {
                x |= u64::from(pred(v)) << j;
            }
            *w = x;
        }
    };
    if values.len() <= MORSEL {
        fill(words, values);
    } else {
        words
            .par_chunks_mut(MORSEL / 64)
            .zip(values.par_chunks(MORSEL))
            .for_each(|(ws, vs)| fill(ws, vs));
    }
}
