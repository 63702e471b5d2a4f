//! Every limit of the engine in one place.
//!
//! The syntactic limits are constants: they bound how deep the parser, the
//! checker, the formatter and the executor recurse, so they are what keeps
//! any input from overflowing the stack (see `stack.rs`). The data limits are
//! a [`Limits`] the host sets on its [`Engine`](crate::Engine): how much
//! memory one statement may build, how many rows one step may produce and how
//! long one text value may be. Work that grows with the data (a join's
//! output, group tables, sorts, text literals, loads) is checked against them
//! *before* it allocates, so going over is an ordinary error saying what
//! would have been produced, and the session and its relations are intact.
//!
//! While [`Engine::run`](crate::Engine::run) runs, its limits are this
//! thread's current ones (as the interrupt handle is for cancelling), so
//! the executor's functions need no extra parameter: they call [`check_rows`]
//! and [`check_memory`].

use crate::error::{Error, ErrorKind, Result};
use crate::source::Span;
use std::cell::Cell;

/// How deep parentheses may nest.
pub const MAX_NESTING: usize = 64;

/// How deep an expression may nest (operators inside operators), as in SQLite.
pub const MAX_EXPR_DEPTH: usize = 200;

/// How deep `def` calls may nest before the checker assumes a def calls itself.
pub const MAX_DEF_DEPTH: usize = 32;

/// The error for an expression nested deeper than [`MAX_EXPR_DEPTH`]; the
/// parser, the checker and the formatter refuse such text with the same words.
pub fn expression_too_deep(span: Span) -> Error {
    Error::at(
        ErrorKind::Invalid(format!(
            "the expression nests more than {MAX_EXPR_DEPTH} operators deep"
        )),
        span,
    )
    .with_help(
        "to test many values, write `column in (a, b, c, ...)`; or split the query with `let`",
    )
}

/// How many clauses one query may have; plans are run recursively, so this
/// bounds the stack a query needs.
pub const MAX_CLAUSES: usize = 100;

/// What one engine may use while it runs a statement. Set with
/// [`Engine::set_limits`](crate::Engine::set_limits); the default comes from
/// the machine ([`Limits::from_machine`]).
///
/// ```
/// let mut engine = itq::Engine::new()?;
/// engine.set_limits(itq::Limits { memory: 4096, ..engine.limits() });
/// let err = engine.query("projects join projects on province join projects on province")
///     .unwrap_err();
/// assert!(err.render().starts_with("error: the join would produce 43 rows"));
/// assert!(err.render().contains("the limit is 4.0 KB"), "{}", err.render());
/// # Ok::<(), itq::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes one step of a query may allocate for what it builds (a join's
    /// output, a sort's order, a group table, a loaded file).
    pub memory: u64,
    /// Rows one step may produce (a join's output).
    pub rows: u64,
    /// Bytes one text value may hold (a literal).
    pub text: u64,
}

/// The most rows a table can have: rows are numbered with 32 bits.
pub const MAX_ROWS: u64 = u32::MAX as u64 - 1;

/// The default longest text value.
pub const DEFAULT_TEXT: u64 = 256 << 20;

impl Default for Limits {
    fn default() -> Limits {
        Limits::from_machine()
    }
}

impl Limits {
    /// Half the memory this process can have: the smaller of the machine's
    /// memory and the address-space limit (`ulimit -v`, `prlimit --as`),
    /// 4 GB when neither can be read. Rows up to [`MAX_ROWS`]; text values up
    /// to 256 MB.
    pub fn from_machine() -> Limits {
        static MACHINE: std::sync::OnceLock<Limits> = std::sync::OnceLock::new();
        *MACHINE.get_or_init(Limits::read_machine)
    }

    fn read_machine() -> Limits {
        let memory = [machine_memory(), address_space_limit()]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(8 << 30);
        Limits {
            memory: memory / 2,
            rows: MAX_ROWS,
            text: DEFAULT_TEXT,
        }
    }

    /// The lines `.limits` prints at the prompt.
    pub fn describe(&self) -> String {
        format!(
            "memory    {}  (one step's results; --max-memory, .limits memory SIZE)\n\
             rows      {}  (rows one step may produce)\n\
             text      {}  (one text value)\n\
             nesting   {MAX_NESTING} parentheses, {MAX_EXPR_DEPTH} operators, \
             {MAX_DEF_DEPTH} def calls, {MAX_CLAUSES} clauses (fixed)\n",
            bytes_text(self.memory),
            crate::value::format_count(self.rows),
            bytes_text(self.text),
        )
    }
}

/// The machine's memory in bytes, if known.
fn machine_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The process's address-space limit in bytes, if one is set.
fn address_space_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        rustix::process::getrlimit(rustix::process::Resource::As).current
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// A size as a person reads it: `512 bytes`, `1.5 MB`, `12 GB` (powers of 1024).
pub fn bytes_text(n: u64) -> String {
    const UNITS: [&str; 5] = ["KB", "MB", "GB", "TB", "PB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if v >= 10.0 {
        format!("{v:.0} {}", UNITS[unit])
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// A size given on the command line or at the prompt: `512M`, `12G`, `2GB`,
/// `1.5 GiB`, or bytes.
pub fn parse_bytes(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number.parse().ok()?;
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => return None,
    };
    let bytes = number * scale as f64;
    (bytes.is_finite() && bytes >= 1.0).then_some(bytes as u64)
}

/// A count as a person reads it: `950`, `12,000`, `about 1.9 million`,
/// `about 1.9 billion`.
fn count_text(n: u64) -> String {
    match n {
        0..=99_999 => crate::value::format_count(n),
        100_000..=999_999_999 => format!("about {:.1} million", n as f64 / 1e6),
        _ => format!("about {:.1} billion", n as f64 / 1e9),
    }
}

thread_local! {
    static CURRENT: Cell<Option<Limits>> = const { Cell::new(None) };
}

/// Runs `f` with `limits` as this thread's current limits.
pub(crate) fn with_limits<R>(limits: Limits, f: impl FnOnce() -> R) -> R {
    let previous = CURRENT.with(|c| c.replace(Some(limits)));
    let result = f();
    CURRENT.with(|c| c.set(previous));
    result
}

/// The limits of the run on this thread; outside a run, the machine's.
pub fn current() -> Limits {
    CURRENT.with(Cell::get).unwrap_or_else(Limits::from_machine)
}

/// An error if a step that would produce `rows` rows of `row_bytes` bytes
/// each goes over the current limits. `what` names the step ("the join");
/// `advice` says how to produce less.
pub fn check_rows(what: &str, rows: u64, row_bytes: u64, advice: &str) -> Result<()> {
    let limits = current();
    let bytes = rows.saturating_mul(row_bytes);
    if bytes > limits.memory {
        return Err(Error::new(ErrorKind::Limit(format!(
            "{what} would produce {} rows (about {}); the limit is {}",
            count_text(rows),
            bytes_text(bytes),
            bytes_text(limits.memory)
        )))
        .with_help(advice));
    }
    if rows > limits.rows {
        return Err(Error::new(ErrorKind::Limit(format!(
            "{what} would produce {} rows; the limit is {} rows",
            count_text(rows),
            crate::value::format_count(limits.rows)
        )))
        .with_help(advice));
    }
    Ok(())
}

/// An error if `what` would need `bytes` bytes, over the current memory limit.
pub fn check_memory(what: &str, bytes: u64, advice: &str) -> Result<()> {
    let limits = current();
    if bytes > limits.memory {
        return Err(Error::new(ErrorKind::Limit(format!(
            "{what} would need about {}; the limit is {}",
            bytes_text(bytes),
            bytes_text(limits.memory)
        )))
        .with_help(advice));
    }
    Ok(())
}

/// An error if a text value of `bytes` bytes is longer than the current limit.
pub fn check_text(what: &str, bytes: u64) -> Result<()> {
    let limits = current();
    if bytes > limits.text {
        return Err(Error::new(ErrorKind::Limit(format!(
            "{what} is {}; the limit for one text value is {}",
            bytes_text(bytes),
            bytes_text(limits.text)
        )))
        .with_help("load long text from a file, or raise the limit with Engine::set_limits"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_and_print_as_people_write_them() {
        assert_eq!(parse_bytes("512M"), Some(512 << 20));
        assert_eq!(parse_bytes("12G"), Some(12 << 30));
        assert_eq!(parse_bytes("1.5 GiB"), Some(3 << 29));
        assert_eq!(parse_bytes("4096"), Some(4096));
        assert_eq!(parse_bytes("lots"), None);
        assert_eq!(parse_bytes("0"), None);
        assert_eq!(bytes_text(12 << 30), "12 GB");
        assert_eq!(bytes_text(1536 << 20), "1.5 GB");
        assert_eq!(bytes_text(100), "100 bytes");
        assert_eq!(count_text(1_900_000_000), "about 1.9 billion");
        assert_eq!(count_text(12_000), "12,000");
    }

    #[test]
    fn the_default_is_half_the_memory_the_process_can_have() {
        let l = Limits::from_machine();
        assert!(l.memory >= 64 << 20, "{l:?}");
        if let Some(m) = machine_memory() {
            assert!(l.memory <= m / 2);
        }
    }
}
