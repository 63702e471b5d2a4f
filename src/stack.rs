//! Deep work runs on a stack of known size, whatever the caller's.
//!
//! Parsing, checking, formatting and running recurse as deep as the limits
//! allow (200 operators, 64 parentheses, 32 def calls, 100 clauses). A host may
//! call the engine from a thread with a small stack (2 MB is Rust's default for
//! spawned threads, and debug builds use large frames), so each entry point
//! runs its work through [`deep`]: when less than [`RED_ZONE`] of the current
//! stack is left, the work moves to a fresh segment of [`SEGMENT`] bytes
//! (the `stacker` crate, as rustc does). Recursive steps call [`deeper`],
//! which grows again only when a step is close to the end.

/// Room an entry point wants left before it starts.
pub const RED_ZONE: usize = 4 * 1024 * 1024;
/// The size of a fresh segment for an entry point.
pub const SEGMENT: usize = 16 * 1024 * 1024;

/// Runs `f` with at least [`RED_ZONE`] bytes of stack.
pub fn deep<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}

/// Runs one recursive step `f`, on a fresh 4 MB segment when less than 1 MB
/// is left (worker threads and hosts with small stacks). A step may recurse
/// inside a library (pest's Pratt parser, up to 200 prefix operators) before
/// it reaches the next `deeper`, hence the wide margin.
pub fn deeper<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(1024 * 1024, 4 * 1024 * 1024, f)
}
