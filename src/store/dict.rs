//! The string dictionary behind a text column: each distinct string once, rows hold codes.

use rustc_hash::FxHashMap;
use std::sync::Arc;

/// Distinct strings in first-seen order; a code is an index into them.
#[derive(Debug, Default)]
pub struct Dict {
    values: Vec<Arc<str>>,
    index: FxHashMap<Arc<str>, u32>,
}

impl Dict {
    /// An empty dictionary.
    pub fn new() -> Dict {
        Dict::default()
    }

    /// The code of `s`, adding it if new.
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&code) = self.index.get(s) {
            return code;
        }
        let code = u32::try_from(self.values.len()).expect("fewer than 4 billion distinct strings");
        let value: Arc<str> = Arc::from(s);
        self.values.push(Arc::clone(&value));
        self.index.insert(value, code);
        code
    }

    /// The code of `s`, if present.
    pub fn lookup(&self, s: &str) -> Option<u32> {
        self.index.get(s).copied()
    }

    /// The string for `code`.
    #[inline]
    pub fn get(&self, code: u32) -> &str {
        &self.values[code as usize]
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
