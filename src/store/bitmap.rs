//! A packed bit vector, used as a column's validity mask (1 = a value, 0 = null).

/// Bits packed 64 to a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    words: Vec<u64>,
    len: usize,
}

impl Bitmap {
    /// `len` bits, all set to `value`.
    pub fn new(len: usize, value: bool) -> Bitmap {
        let fill = if value { u64::MAX } else { 0 };
        Bitmap {
            words: vec![fill; len.div_ceil(64)],
            len,
        }
    }

    /// Bits from packed words (bit `i` is bit `i % 64` of word `i / 64`);
    /// bits past `len` must be zero.
    pub fn from_words(words: Vec<u64>, len: usize) -> Bitmap {
        debug_assert_eq!(words.len(), len.div_ceil(64));
        Bitmap { words, len }
    }

    /// The packed words.
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// The number of bits.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no bits.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bit `i`.
    #[inline]
    pub fn get(&self, i: usize) -> bool {
        self.words[i >> 6] & (1 << (i & 63)) != 0
    }

    /// Sets bit `i` to `value`.
    #[inline]
    pub fn set(&mut self, i: usize, value: bool) {
        let mask = 1u64 << (i & 63);
        if value {
            self.words[i >> 6] |= mask;
        } else {
            self.words[i >> 6] &= !mask;
        }
    }

    /// Appends a bit.
    pub fn push(&mut self, value: bool) {
        if self.len.is_multiple_of(64) {
            self.words.push(0);
        }
        self.len += 1;
        self.set(self.len - 1, value);
    }

    /// How many bits are set.
    pub fn count_ones(&self) -> usize {
        let full = self.len / 64;
        let mut n: usize = self.words[..full]
            .iter()
            .map(|w| w.count_ones() as usize)
            .sum();
        if !self.len.is_multiple_of(64) {
            n += (self.words[full] & ((1u64 << (self.len % 64)) - 1)).count_ones() as usize;
        }
        n
    }

    /// True when every bit is set.
    pub fn all_set(&self) -> bool {
        self.count_ones() == self.len
    }
}

impl FromIterator<bool> for Bitmap {
    fn from_iter<I: IntoIterator<Item = bool>>(iter: I) -> Bitmap {
        let mut b = Bitmap {
            words: Vec::new(),
            len: 0,
        };
        for v in iter {
            b.push(v);
        }
        b
    }
}
