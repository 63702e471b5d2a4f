//! Cancelling a running query. The engine owns an [`InterruptHandle`]; a host
//! (the prompt's Ctrl-C handler, or another thread) calls
//! [`InterruptHandle::cancel`], and the executor notices at its next check:
//! before each step of a plan and every [`BATCH`] rows inside the long loops.
//!
//! The handle of the query running on a thread is kept in a thread-local, so
//! the executor's functions need no extra parameter: they call [`check`].
//! Work handed to another thread must take a clone of the handle along (read
//! it from the thread-local before spawning) and check that.

use crate::error::{Error, ErrorKind, Result};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// How many rows a loop may process between two checks.
pub const BATCH: usize = 1 << 14;

/// A shareable switch that stops the engine's running query.
#[derive(Debug, Clone, Default)]
pub struct InterruptHandle(Arc<AtomicBool>);

impl InterruptHandle {
    /// Asks the running query (if any) to stop; it ends with a "query cancelled" error.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// True once [`cancel`](Self::cancel) was called for the current run.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// An error if the query was cancelled.
    pub fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::new(ErrorKind::Cancelled))
        } else {
            Ok(())
        }
    }

    /// Clears the switch, before a new run starts.
    pub(crate) fn reset(&self) {
        self.0.store(false, Ordering::Relaxed);
    }
}

thread_local! {
    static CURRENT: RefCell<Option<InterruptHandle>> = const { RefCell::new(None) };
}

/// Runs `f` with `handle` as this thread's current handle.
pub(crate) fn with_handle<R>(handle: &InterruptHandle, f: impl FnOnce() -> R) -> R {
    let previous = CURRENT.with(|c| c.replace(Some(handle.clone())));
    let result = f();
    CURRENT.with(|c| *c.borrow_mut() = previous);
    result
}

/// The handle of the query running on this thread, to take along to worker threads.
pub(crate) fn current() -> Option<InterruptHandle> {
    CURRENT.with(|c| c.borrow().clone())
}

/// A "query cancelled" error if the query running on this thread was cancelled.
pub fn check() -> Result<()> {
    CURRENT.with(|c| c.borrow().as_ref().map_or(Ok(()), InterruptHandle::check))
}

/// `iter`, ending early once the query running on this thread is cancelled
/// (looked at every [`BATCH`] items, so a loop over it costs one counter).
/// Whoever loops over it must call [`check`] afterwards, which turns the
/// early end into the "query cancelled" error before a short result escapes.
pub(crate) fn checked<I: Iterator>(iter: I) -> Checked<I> {
    Checked {
        iter,
        handle: current(),
        left: BATCH,
    }
}

/// The iterator [`checked`] returns.
pub(crate) struct Checked<I> {
    iter: I,
    handle: Option<InterruptHandle>,
    left: usize,
}

impl<I: Iterator> Iterator for Checked<I> {
    type Item = I::Item;

    #[inline]
    fn next(&mut self) -> Option<I::Item> {
        self.left -= 1;
        if self.left == 0 {
            self.left = BATCH;
            if self
                .handle
                .as_ref()
                .is_some_and(InterruptHandle::is_cancelled)
            {
                return None;
            }
        }
        self.iter.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.iter.size_hint().1)
    }
}

/// Drops `value` on a thread of its own, for a run that was cancelled: a
/// half-built load holds millions of small allocations and a rendered save
/// a gigabyte of bytes, and freeing them on the caller's thread would hold
/// up the cancel by a few hundred milliseconds. (If no thread can be
/// started, it is dropped here.)
pub(crate) fn let_go<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("itq-free".into())
        .spawn(move || drop(value));
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Asserts that `f`, run inside an already-cancelled run, stops with the
    /// "query cancelled" error: a long operation notices a cancel by itself.
    pub(crate) fn cancelled<T: std::fmt::Debug>(f: impl FnOnce() -> Result<T>) {
        let h = InterruptHandle::default();
        h.cancel();
        let e = with_handle(&h, f).expect_err("cancelled");
        assert_eq!(e.kind(), &ErrorKind::Cancelled);
    }

    #[test]
    fn check_fails_only_inside_a_cancelled_run() {
        let h = InterruptHandle::default();
        assert!(check().is_ok());
        with_handle(&h, || {
            assert!(check().is_ok());
            h.cancel();
            let e = check().unwrap_err();
            assert_eq!(e.kind(), &ErrorKind::Cancelled);
        });
        // A loop over `checked` ends early; the check after it says why.
        let walked = with_handle(&h, || checked(0..10 * BATCH).count());
        assert_eq!(walked, BATCH - 1);
        // Outside the run, nothing is cancelled.
        assert!(check().is_ok());
        h.reset();
        assert!(!h.is_cancelled());
    }
}
