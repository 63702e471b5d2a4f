//! Notes a run collects while it executes (a join whose keys found no
//! partner), for the engine to hand out after the statement's result as
//! [`Output::Note`](crate::Output::Note). Like the interrupt flag, they are a
//! thread-local of the running thread, so exec's signatures stay free of them.

use std::cell::RefCell;

thread_local! {
    static NOTES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Adds a note (its text, without `note: `).
pub fn add(note: String) {
    NOTES.with(|n| n.borrow_mut().push(note));
}

/// The notes added since the last call, in order.
pub fn take() -> Vec<String> {
    NOTES.with(|n| std::mem::take(&mut *n.borrow_mut()))
}
