//! The worker and its oracles: what must hold for every input.
//!
//! - parsing never panics; a syntax error has a location;
//! - text that parses formats without a panic; the formatted text parses to
//!   the same syntax tree (spans aside) and formats to itself;
//! - for one input in four without `load` or `save`, the input and its
//!   formatted text give the same outputs in fresh engines;
//! - the prompt's completion (`Engine::columns_of`) survives every prefix;
//! - running never panics; every output renders in every format; every error
//!   has a location and renders.

use crate::gen;
use itq::syntax::format::format_script;
use itq::syntax::parse_script;
use itq::{render, Engine, Format, Output, RenderOptions, Source};
use std::collections::BTreeMap;
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Re-clone the long-lived engine this often, so state left by one input
/// (lets, loads) reaches a few others but not all.
const RECLONE: u64 = 64;
/// Cancel an input that runs longer than this (recorded as slow).
const SLOW: Duration = Duration::from_secs(2);

/// Counts of what the oracles saw.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// Inputs checked.
    pub inputs: u64,
    counts: BTreeMap<String, u64>,
}

impl Stats {
    fn bump(&mut self, what: &str) {
        *self.counts.entry(what.to_string()).or_default() += 1;
    }

    /// Adds `other` in.
    pub fn add(&mut self, other: &Stats) {
        self.inputs += other.inputs;
        for (k, v) in &other.counts {
            *self.counts.entry(k.clone()).or_default() += v;
        }
    }

    fn line(&self) -> String {
        let mut s = format!("inputs={}", self.inputs);
        for (k, v) in &self.counts {
            s.push_str(&format!(" {k}={v}"));
        }
        s
    }

    /// Reads what [`Stats::line`] wrote.
    pub fn parse(line: &str) -> Stats {
        let mut stats = Stats::default();
        for pair in line.split(' ') {
            if let Some((k, v)) = pair.split_once('=') {
                let v = v.parse().unwrap_or(0);
                if k == "inputs" {
                    stats.inputs = v;
                } else {
                    stats.counts.insert(k.to_string(), v);
                }
            }
        }
        stats
    }

    /// One progress line.
    pub fn progress(&self) -> String {
        format!("{} inputs checked", self.inputs)
    }

    /// The counts, for the final report.
    pub fn summary(&self) -> String {
        self.line().replace(' ', ", ")
    }
}

/// Fills `scratch` with the files generated `load`s read, and `outside`
/// with a file a symlink in `scratch` points at (which must never be read).
pub fn make_scratch(scratch: &Path, outside: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(scratch.join("sub"))?;
    std::fs::create_dir_all(outside)?;
    std::fs::write(outside.join("secret.csv"), "secret\nleaked\n")?;
    let files: &[(&str, &[u8])] = &[
        ("plain.csv", b"a,b,name,value,date\n1,x,Gansu,300.5,2024-10-27\n2,y,Yunnan,396.6,2023-05-01\n3,,Anhui,,\n"),
        ("semi.csv", b"a;b\n1;2\n3;4\n"),
        ("tabs.tsv", b"a\tb\n1\tx\n"),
        ("rows.json", br#"[{"a": 1, "b": "x"}, {"a": 2, "b": null, "c": {"d": [1, 2]}}]"#),
        ("lines.ndjson", b"{\"a\": 1, \"b\": \"x\"}\n{\"a\": 1e400}\n"),
        ("empty.csv", b""),
        ("header_only.csv", b"a,b\n"),
        ("ragged.csv", b"a,b\n1\n2,3,4\n"),
        ("latin1.csv", b"a,b\n1,caf\xe9\n"),
        ("bom.csv", b"\xef\xbb\xbfa,b\n1,2\n"),
        ("crlf.csv", b"a,b\r\n1,2\r\n"),
        ("dup_header.csv", b"a,a\n1,2\n"),
        ("numbers_as_text.csv", b"a,b\n1,2\n\xe2\x80\x94,3\n1,234.5,4\n"),
        ("wrapped.json", br#"{"data": [{"a": 1}]}"#),
        ("nested.json", br#"[[1, 2], {"a": 1}]"#),
        ("no_ext", b"a,b\n1,2\n"),
        ("sub/inner.csv", b"a,b\n9,z\n"),
    ];
    for (name, bytes) in files {
        std::fs::write(scratch.join(name), bytes)?;
    }
    #[cfg(unix)]
    {
        let _ =
            std::os::unix::fs::symlink(outside.join("secret.csv"), scratch.join("link_out.csv"));
        let _ = std::os::unix::fs::symlink(outside, scratch.join("link_out"));
    }
    Ok(())
}

thread_local! {
    static PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f`, turning a panic into its message and place.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|_| {
        PANIC
            .with(|p| p.borrow_mut().take())
            .unwrap_or_else(|| "a panic".into())
    })
}

/// The syntax tree's debug text with every span left out.
fn without_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(i) = rest.find("Span { start: ") {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        match rest.find('}') {
            Some(j) => {
                out.push('_');
                rest = &rest[j + 1..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

fn uses_files(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.contains("load") || lower.contains("save")
}

/// What a run produced, in a form two runs can be compared by.
fn outcome(engine: &mut Engine, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let result = engine.run(&Source::new("<fuzz>", text), |o| {
        out.push(match o {
            Output::Table(t) => render(&t, Format::Csv),
            Output::Chart(t) => format!("chart {}", render(&t, Format::Csv)),
            Output::Defined { name, what } => format!("defined {what} {name}"),
            other => format!("{other:?}"),
        })
    });
    if let Err(e) = result {
        // The kind only: messages quote the text as written, which
        // formatting respells (`False` → `false`, `(x)` → `x`).
        out.push(format!("error: {}", kind_name(e.kind())));
    }
    out
}

/// The worker's body: inputs `start..end` of `seed` until `deadline_ms`.
pub fn worker(
    seed: u64,
    start: u64,
    end: u64,
    deadline_ms: u64,
    scratch: &Path,
) -> std::process::ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_default();
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let text = format!("panic{place}: {msg}");
        // Also on standard error: a panic outside the oracles kills the
        // worker, and the supervisor reports the last lines it wrote.
        eprintln!("{text}");
        PANIC.with(|p| *p.borrow_mut() = Some(text));
    }));
    let scratch = scratch.to_path_buf();
    // The CLI's main thread has 8 MiB; so does the worker.
    let handle = std::thread::Builder::new()
        .stack_size(8 * 1024 * 1024)
        .spawn(move || work(seed, start, end, deadline_ms, &scratch))
        .expect("a worker thread starts");
    match handle.join() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(_) => std::process::ExitCode::FAILURE,
    }
}

struct Out {
    stdout: std::io::Stdout,
}

impl Out {
    fn line(&mut self, text: &str) {
        let mut lock = self.stdout.lock();
        let _ = writeln!(lock, "{text}");
        let _ = lock.flush();
    }
}

fn work(seed: u64, start: u64, end: u64, deadline_ms: u64, scratch: &Path) {
    let mut out = Out {
        stdout: std::io::stdout(),
    };
    let mut base = Engine::new().expect("the built-in engine starts");
    if let Err(e) = base.allow_folder(scratch) {
        out.line(&format!("! {start} cannot grant the scratch folder: {e}"));
        return;
    }
    for (name, value) in gen::PARAMS {
        match value.parse::<i64>() {
            Ok(n) => base.set_param(name, itq::Scalar::Int(n)),
            Err(_) => base.set_param_text(name, value),
        }
    }
    let cat = gen::Catalog::of(&base);
    // The watchdog cancels an input that runs too long.
    let started = Arc::new(AtomicU64::new(0));
    let running = Arc::new(Mutex::new(None::<u64>));
    {
        let started = Arc::clone(&started);
        let running = Arc::clone(&running);
        let handle = base.interrupt_handle();
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(100));
            let t = started.load(Ordering::Relaxed);
            if t != 0
                && crate::now_ms().saturating_sub(t) > SLOW.as_millis() as u64
                && running.lock().map(|r| r.is_some()).unwrap_or(false)
            {
                handle.cancel();
            }
        });
    }
    let mut stats = Stats::default();
    let mut engine = base.clone();
    let mut last_report = Instant::now();
    let mut index = start;
    while index < end && crate::now_ms() < deadline_ms {
        if (index - start).is_multiple_of(RECLONE) {
            engine = base.clone();
        }
        out.line(&format!("> {index}"));
        let text = gen::input(&cat, seed, index);
        let t0 = Instant::now();
        if let Ok(mut r) = running.lock() {
            *r = Some(index);
        }
        started.store(crate::now_ms(), Ordering::Relaxed);
        let findings = check(&base, &mut engine, &text, index, &mut stats);
        started.store(0, Ordering::Relaxed);
        if let Ok(mut r) = running.lock() {
            *r = None;
        }
        let took = t0.elapsed();
        if took > SLOW {
            stats.bump("slow");
            out.line(&format!("~ {index} took {:.1} s", took.as_secs_f64()));
        }
        for f in findings {
            out.line(&format!("! {index} {}", f.replace('\n', "⏎")));
        }
        stats.inputs += 1;
        index += 1;
        if last_report.elapsed() > Duration::from_secs(10) {
            out.line(&format!("= {}", stats.line()));
            last_report = Instant::now();
        }
    }
    out.line(&format!("= {}", stats.line()));
    out.line("done");
}

/// Every oracle on one input; what failed, in words.
fn check(
    base: &Engine,
    engine: &mut Engine,
    text: &str,
    index: u64,
    stats: &mut Stats,
) -> Vec<String> {
    let mut failed = Vec::new();
    let mut r = gen::Rng::for_input(index, 0xC0FFEE);
    // 1. Parse.
    let parsed = match guarded(|| parse_script(text)) {
        Err(p) => {
            failed.push(format!("parse_script: {p}"));
            None
        }
        Ok(Err(e)) => {
            stats.bump("syntax_errors");
            if e.span().is_none() {
                failed.push(format!("a syntax error without a location: {}", e.kind()));
            }
            if let Err(p) = guarded(|| e.with_source(&Source::new("<fuzz>", text)).render()) {
                failed.push(format!("rendering a syntax error: {p}"));
            }
            None
        }
        Ok(Ok(ast)) => {
            stats.bump("parsed");
            Some(ast)
        }
    };
    // 2. Format, re-parse, compare, format again.
    let mut formatted = None;
    if let Some(ast) = &parsed {
        match guarded(|| format_script(text)) {
            Err(p) => failed.push(format!("format_script: {p}")),
            Ok(Err(e)) => {
                stats.bump("format_refused");
                if e.span().is_none() {
                    failed.push(format!(
                        "a formatter error without a location: {}",
                        e.kind()
                    ));
                }
            }
            Ok(Ok(f)) => match guarded(|| parse_script(&f)) {
                Err(p) => failed.push(format!("parse_script of the formatted text: {p}")),
                Ok(Err(e)) => failed.push(format!(
                    "the formatted text does not parse: {}⏎formatted:⏎{f}",
                    e.kind()
                )),
                Ok(Ok(again)) => {
                    stats.bump("round_trips");
                    if without_spans(&format!("{ast:?}")) != without_spans(&format!("{again:?}")) {
                        failed.push(format!("formatting changed the syntax tree⏎formatted:⏎{f}"));
                    }
                    match guarded(|| format_script(&f)) {
                        Ok(Ok(ff)) if ff == f => {}
                        Ok(Ok(ff)) => failed.push(format!(
                            "the formatter is not idempotent⏎once:⏎{f}⏎twice:⏎{ff}"
                        )),
                        Ok(Err(e)) => failed.push(format!(
                            "the formatter refuses its own output: {}",
                            e.kind()
                        )),
                        Err(p) => failed.push(format!("format_script of its own output: {p}")),
                    }
                    formatted = Some(f);
                }
            },
        }
    }
    // 3. Same outputs before and after formatting, in fresh engines.
    if let Some(f) = &formatted {
        if !uses_files(text) && r.chance(25) {
            stats.bump("semantic_checks");
            let before = guarded(|| outcome(&mut base.clone(), text));
            let after = guarded(|| outcome(&mut base.clone(), f));
            match (before, after) {
                (Ok(a), Ok(b)) if a == b => {}
                // The watchdog stopped one run of a slow input (a loaded
                // machine, a debug build): nothing to compare.
                (Ok(a), Ok(b))
                    if a.iter().chain(b.iter()).any(|o| o.contains("error: Cancelled")) =>
                {
                    stats.bump("semantic_cancelled")
                }
                (Ok(a), Ok(b)) => failed.push(format!(
                    "formatting changed what the text computes⏎formatted:⏎{f}⏎before: {a:?}⏎after: {b:?}"
                )),
                (Err(p), _) | (_, Err(p)) => failed.push(format!("running (semantic check): {p}")),
            }
        }
    }
    // 4. The prompt's completion on a few prefixes.
    let cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    for _ in 0..2 {
        if cuts.is_empty() {
            break;
        }
        let cut = cuts[r.below(cuts.len())];
        if let Err(p) = guarded(|| engine.columns_of(&text[..cut])) {
            failed.push(format!("columns_of a prefix ({cut} bytes): {p}"));
        }
    }
    // 5. Run, render every output, check every error.
    let mut outputs = Vec::new();
    let ran = guarded(|| engine.run(&Source::new("<fuzz>", text), |o| outputs.push(o)));
    match ran {
        Err(p) => failed.push(format!("Engine::run: {p}")),
        Ok(Ok(())) => stats.bump("ran_ok"),
        Ok(Err(e)) => {
            stats.bump(&format!("error_{}", kind_name(e.kind())));
            if e.position().is_none() && !matches!(e.kind(), itq::ErrorKind::Cancelled) {
                failed.push(format!("an error without a location: {}", e.kind()));
            }
            if let Err(p) = guarded(|| e.render()) {
                failed.push(format!("Error::render: {p}"));
            }
        }
    }
    for o in &outputs {
        if let Err(p) = guarded(|| render_all(o, &mut r)) {
            failed.push(format!("rendering an output: {p}"));
        }
    }
    failed
}

fn kind_name(kind: &itq::ErrorKind) -> String {
    let debug = format!("{kind:?}");
    debug
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("other")
        .to_string()
}

/// Renders `output` in every format, the table at a few widths and row caps.
fn render_all(output: &Output, r: &mut gen::Rng) {
    let widths = [None, Some(0), Some(1), Some(5), Some(20), Some(80)];
    let caps = [None, Some(0), Some(1), Some(3)];
    let options = RenderOptions {
        width: *r.pick(&widths),
        max_rows: *r.pick(&caps),
    };
    match output {
        Output::Table(t) => {
            for format in [
                Format::Table,
                Format::Csv,
                Format::Json,
                Format::Ndjson,
                Format::Markdown,
            ] {
                let _ = itq::render_with(t, format, &options);
            }
        }
        Output::Chart(t) => {
            let _ = itq::render::chart(t, &options);
            let _ = itq::render_with(t, Format::Table, &options);
        }
        other => {
            let _ = itq::print::notice(other, false);
        }
    }
}
