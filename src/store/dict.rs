//! The string dictionary behind a text column: each distinct string once, rows hold codes.

use hashbrown::HashTable;
use std::hash::BuildHasher;
use std::sync::Arc;

/// The hash every dictionary and loader uses for a string, so that a hash
/// computed once (while a file is read) serves every later lookup.
#[inline]
pub fn hash_str(s: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(s)
}

/// Distinct strings in first-seen order; a code is an index into them.
#[derive(Debug, Default)]
pub struct Dict {
    values: Vec<Arc<str>>,
    /// Each value's [`hash_str`], kept so that growing the index and merging
    /// dictionaries never hash a string again.
    hashes: Vec<u64>,
    /// Each value with its code, found by the value's hash (the value is
    /// kept beside the code so that a probe reads one place).
    index: HashTable<(Arc<str>, u32)>,
}

impl Dict {
    /// An empty dictionary.
    pub fn new() -> Dict {
        Dict::default()
    }

    /// An empty dictionary with room for `n` strings.
    pub fn with_capacity(n: usize) -> Dict {
        Dict {
            values: Vec::with_capacity(n),
            hashes: Vec::with_capacity(n),
            index: HashTable::with_capacity(n),
        }
    }

    /// The code of `s`, adding it if new.
    pub fn intern(&mut self, s: &str) -> u32 {
        self.intern_hashed(s, hash_str(s))
    }

    /// [`Dict::intern`] for a string whose [`hash_str`] is `hash`.
    #[inline]
    pub fn intern_hashed(&mut self, s: &str, hash: u64) -> u32 {
        if let Some(code) = self.find(s, hash) {
            return code;
        }
        self.push_new(Arc::from(s), hash)
    }

    /// Adds `value`, known not to be present, whose hash is `hash`; gives its code.
    pub fn push_new(&mut self, value: Arc<str>, hash: u64) -> u32 {
        let code = u32::try_from(self.values.len()).expect("fewer than 4 billion distinct strings");
        self.values.push(Arc::clone(&value));
        self.hashes.push(hash);
        let hashes = &self.hashes;
        self.index
            .insert_unique(hash, (value, code), |(_, c)| hashes[*c as usize]);
        code
    }

    /// The code of `s` (whose hash is `hash`), if present.
    #[inline]
    pub fn find(&self, s: &str, hash: u64) -> Option<u32> {
        self.index.find(hash, |(v, _)| **v == *s).map(|(_, c)| *c)
    }

    /// The code of `s`, if present.
    pub fn lookup(&self, s: &str) -> Option<u32> {
        self.find(s, hash_str(s))
    }

    /// The string for `code`.
    #[inline]
    pub fn get(&self, code: u32) -> &str {
        &self.values[code as usize]
    }

    /// The hash of the string for `code`.
    #[inline]
    pub fn hash_of(&self, code: u32) -> u64 {
        self.hashes[code as usize]
    }

    /// The shared string for `code`.
    pub fn get_arc(&self, code: u32) -> Arc<str> {
        Arc::clone(&self.values[code as usize])
    }

    /// The number of distinct strings.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// All strings, in code order.
    pub fn values(&self) -> &[Arc<str>] {
        &self.values
    }

    /// For each code, its rank in code-point order of the strings (equal strings never occur).
    pub fn ranks(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.values.len() as u32).collect();
        order.sort_by(|a, b| self.get(*a).cmp(self.get(*b)));
        let mut ranks = vec![0; order.len()];
        for (rank, code) in order.into_iter().enumerate() {
            ranks[code as usize] = rank as u32;
        }
        ranks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_first_seen_order_and_lookups_find_them() {
        let mut d = Dict::new();
        let words = ["b", "a", "b", "", "c", "a"];
        let codes: Vec<u32> = words.iter().map(|w| d.intern(w)).collect();
        assert_eq!(codes, [0, 1, 0, 2, 3, 1]);
        assert_eq!(d.values().len(), 4);
        assert_eq!(d.lookup("c"), Some(3));
        assert_eq!(d.lookup("d"), None);
        // Past many growths of the index, every code is still found.
        for i in 0..100_000 {
            d.intern(&format!("w{i}"));
        }
        assert_eq!(d.lookup("w99999"), Some(4 + 99_999));
        assert_eq!(d.lookup("b"), Some(0));
    }
}
