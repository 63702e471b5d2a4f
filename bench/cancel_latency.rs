//! How long a cancel takes to stop each long operation on 10 million rows:
//! sort, join (build and probe), group-by with many groups, windows,
//! `top ... per`, distinct, load, save to CSV and Parquet, and printing a
//! result. Each operation runs in an engine on its own thread; after a
//! delay the main thread calls the engine's interrupt handle (what Ctrl-C at
//! the prompt does, and what an embedder calls) and measures the time until
//! the run returns `query cancelled`.
//!
//! ```text
//! cargo run --release --example cancel_latency [-- ROWS [TRIALS [NAME]]]
//! ```
//!
//! It prints one line per operation (only those whose name contains NAME,
//! if given): the uncancelled time, then each trial's latency (cancel →
//! return) and their median and maximum. Nothing is asserted: it is a
//! measurement, run by hand (see docs/performance.md).

use itq::{Engine, ErrorKind, Output, Source};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let rows: usize = args.next().map_or(10_000_000, |a| a.parse().expect("ROWS"));
    let trials: usize = args.next().map_or(5, |a| a.parse().expect("TRIALS"));
    let only = args.next().unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("itq-cancel-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let mut base = Engine::new().expect("the engine starts");
    base.allow_folder(&dir).expect("the scratch folder");
    base.add_relation(
        "p",
        itq::generate::projects_table(rows, itq::generate::DEFAULT_SEED),
        None,
    );
    let million = rows.min(1_000_000);
    let setup = format!("let m = p limit {million}");
    run(&mut base, &setup, &dir).expect("the join input");
    let cases: &[(&str, &str)] = &[
        ("sort", "p sort investment desc count"),
        (
            "group-by (one group per row)",
            "p count, sum investment by id count",
        ),
        (
            "group-by (two keys, many groups)",
            "p count by id, year count",
        ),
        ("join 1M x 1M on id", "m join m on id count"),
        ("join 10M x 10M on id", "p join p on id count"),
        (
            "join 10M x 1M on province",
            "p join (m select province as pr, sector as s2) on province = pr limit 10",
        ),
        (
            "window rank per province",
            "p derive rank() as r per province along investment desc count",
        ),
        (
            "window running_sum along id",
            "p derive running_sum(investment) as s along id count",
        ),
        (
            "top 3 per province",
            "p top 3 by investment per province count",
        ),
        ("distinct id, year", "p distinct id, year count"),
        ("load CSV", "load \"p.csv\" as p2"),
        ("save CSV", "save p to \"out.csv\" replace"),
        ("save Parquet", "save p to \"out.parquet\" replace"),
        ("print (CSV of every row)", "p"),
    ];
    if cases
        .iter()
        .any(|(name, _)| name.contains(&only) && name.starts_with("load"))
    {
        run(&mut base.clone(), "save p to \"p.csv\"", &dir).expect("p.csv is written");
    }
    println!("{rows} rows, {trials} trials each; latency = cancel -> run returns");
    for (name, text) in cases.iter().filter(|(name, _)| name.contains(&only)) {
        let full = timed(&mut base.clone(), text, &dir);
        let mut latencies = Vec::new();
        for t in 0..trials {
            // Cancel somewhere between 20% and 80% of the way through.
            let at = full.mul_f64(0.2 + 0.6 * t as f64 / trials.max(2).saturating_sub(1) as f64);
            if let Some(l) = cancelled_after(&base, text, &dir, at) {
                latencies.push(l);
            }
        }
        // The trials in the order of their delay (where in the run the
        // cancel came), then the median and the worst.
        let ms = |d: &Duration| format!("{:.0}", d.as_secs_f64() * 1000.0);
        let shown = latencies.iter().map(ms).collect::<Vec<_>>().join(", ");
        latencies.sort();
        println!(
            "{name:<34} full {:>7} ms | trials {:<28} | p50 {:>4} ms | max {:>4} ms",
            ms(&full),
            shown,
            latencies.get(latencies.len() / 2).map_or("-".into(), ms),
            latencies.last().map_or("-".into(), ms),
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `text`, printing every table as CSV into a sink (as the command line
/// prints, so printing is part of the run and can be cancelled).
fn run(engine: &mut Engine, text: &str, dir: &std::path::Path) -> itq::Result<()> {
    let source = Source::file(&dir.join("bench.itq"), text);
    let mut failed = None;
    engine.run(&source, |out| {
        if let Output::Table(t) = out {
            if let Err(e) = itq::render::render_checked(&t, itq::Format::Csv, &Default::default()) {
                failed = Some(e);
            }
        }
    })?;
    failed.map_or(Ok(()), Err)
}

fn timed(engine: &mut Engine, text: &str, dir: &std::path::Path) -> Duration {
    let start = Instant::now();
    run(engine, text, dir).expect("the uncancelled run succeeds");
    start.elapsed()
}

/// Starts `text` on a thread, cancels it after `delay` and returns how long
/// the run took to stop; `None` if it finished before the cancel.
fn cancelled_after(
    base: &Engine,
    text: &str,
    dir: &std::path::Path,
    delay: Duration,
) -> Option<Duration> {
    let mut engine = base.clone();
    let handle = engine.interrupt_handle();
    let (text, dir) = (text.to_string(), dir.to_path_buf());
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let result = run(&mut engine, &text, &dir);
        let _ = tx.send(Instant::now());
        result
    });
    std::thread::sleep(delay);
    let cancelled_at = Instant::now();
    handle.cancel();
    let returned = rx.recv().expect("the run returns");
    let result = worker.join().expect("the run does not panic");
    match result {
        Err(e) if e.kind() == &ErrorKind::Cancelled => Some(returned - cancelled_at),
        _ => None,
    }
}
