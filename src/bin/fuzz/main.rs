//! `fuzz`: grammar-aware fuzzing of the itq library (docs/fuzzing.md).
//!
//! ```text
//! fuzz [--seed S] [--minutes M | --inputs N] [--start I] [--jobs J]
//!                                      run, report, exit 1 on a finding
//! fuzz --show INDEX [--seed S]         print one input
//! ```
//!
//! The supervisor runs a worker process (this program with `--worker`) that
//! generates input after input (src/bin/fuzz/gen.rs) and checks each with the
//! oracles (src/bin/fuzz/oracle.rs). The worker announces each input before
//! it starts, so when it dies (a stack overflow, an abort, a hang past the
//! watchdog) the supervisor knows which input did it, records it, and starts
//! a new worker at the next input. With `--jobs J`, J workers run at once,
//! each on its own blocks of [`BLOCK`] inputs (block `b` goes to worker
//! `b % J`), so together they check the same inputs one worker would.

mod gen;
mod oracle;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long a worker may go without starting a new input before it is killed.
const STALL: Duration = Duration::from_secs(60);

/// With several jobs, each worker takes every `jobs`th block of this many inputs.
pub const BLOCK: u64 = 4096;

/// Which inputs one worker checks: block `b` is its own when `b % jobs == job`.
#[derive(Debug, Clone, Copy)]
pub struct Share {
    /// How many workers share the inputs.
    pub jobs: u64,
    /// Which of them this one is.
    pub job: u64,
}

impl Share {
    /// The first input at or after `i` that is this worker's.
    pub fn next_own(&self, i: u64) -> u64 {
        if self.jobs <= 1 {
            return i;
        }
        let block = i / BLOCK;
        let ahead = (self.job + self.jobs - block % self.jobs) % self.jobs;
        if ahead == 0 {
            i
        } else {
            (block + ahead) * BLOCK
        }
    }
}

#[derive(Debug, Default)]
struct Args {
    seed: Option<u64>,
    minutes: Option<f64>,
    inputs: Option<u64>,
    start: u64,
    show: Option<u64>,
    worker: bool,
    scratch: Option<PathBuf>,
    end: Option<u64>,
    deadline_ms: Option<u64>,
    jobs: u64,
    job: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        jobs: 1,
        ..Args::default()
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        let number = |s: String, name: &str| {
            s.replace('_', "")
                .parse::<u64>()
                .map_err(|_| format!("{name} takes a whole number, not `{s}`"))
        };
        match a.as_str() {
            "--seed" => args.seed = Some(number(value("--seed")?, "--seed")?),
            "--minutes" => {
                let v = value("--minutes")?;
                args.minutes = Some(
                    v.parse()
                        .map_err(|_| format!("--minutes takes a number, not `{v}`"))?,
                )
            }
            "--inputs" => args.inputs = Some(number(value("--inputs")?, "--inputs")?),
            "--start" => args.start = number(value("--start")?, "--start")?,
            "--show" => args.show = Some(number(value("--show")?, "--show")?),
            "--worker" => args.worker = true,
            "--scratch" => args.scratch = Some(PathBuf::from(value("--scratch")?)),
            "--end" => args.end = Some(number(value("--end")?, "--end")?),
            "--jobs" => {
                args.jobs = number(value("--jobs")?, "--jobs")?;
                if args.jobs == 0 {
                    return Err("--jobs takes 1 or more".into());
                }
            }
            "--job" => args.job = number(value("--job")?, "--job")?,
            "--deadline-ms" => {
                args.deadline_ms = Some(number(value("--deadline-ms")?, "--deadline-ms")?)
            }
            "-h" | "--help" => {
                println!(
                    "usage: fuzz [--seed S] [--minutes M | --inputs N] [--start I] [--jobs J]\n       fuzz --show INDEX [--seed S]\nsee docs/fuzzing.md"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}` (try --help)")),
        }
    }
    Ok(args)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let seed = args.seed.unwrap_or_else(|| now_ms() % 1_000_000_007);
    if let Some(index) = args.show {
        let engine = itq::Engine::new().expect("the built-in engine starts");
        let cat = gen::Catalog::of(&engine);
        print!("{}", gen::input(&cat, seed, index));
        return ExitCode::SUCCESS;
    }
    if args.worker {
        let scratch = args
            .scratch
            .clone()
            .expect("the supervisor passes --scratch");
        return oracle::worker(
            seed,
            args.start,
            args.end.unwrap_or(u64::MAX),
            args.deadline_ms.unwrap_or(u64::MAX),
            Share {
                jobs: args.jobs,
                job: args.job,
            },
            &scratch,
        );
    }
    supervise(&args, seed)
}

/// What the supervisor saw go wrong.
struct Finding {
    index: u64,
    what: String,
}

fn supervise(args: &Args, seed: u64) -> ExitCode {
    let end = args
        .inputs
        .map_or(u64::MAX, |n| args.start.saturating_add(n));
    let minutes = args.minutes.unwrap_or(if args.inputs.is_some() {
        f64::INFINITY
    } else {
        1.0
    });
    let deadline = if minutes.is_finite() {
        now_ms() + (minutes * 60_000.0) as u64
    } else {
        u64::MAX
    };
    eprintln!(
        "fuzz: seed {seed}, inputs {}..{}{}{}",
        args.start,
        if end == u64::MAX {
            "".to_string()
        } else {
            end.to_string()
        },
        if minutes.is_finite() {
            format!(", for at most {minutes} minutes")
        } else {
            String::new()
        },
        if args.jobs > 1 {
            format!(", {} jobs", args.jobs)
        } else {
            String::new()
        }
    );
    let dir = std::env::temp_dir().join(format!("itq-fuzz-{}-{}", std::process::id(), now_ms()));
    // One scratch folder per job: one job's saves never meet another's.
    let scratches: Vec<PathBuf> = (0..args.jobs)
        .map(|j| dir.join(format!("scratch-{j}")))
        .collect();
    for scratch in &scratches {
        if let Err(e) = oracle::make_scratch(scratch, &dir.join("outside")) {
            eprintln!(
                "error: cannot make the scratch folder {}: {e}",
                dir.display()
            );
            return ExitCode::FAILURE;
        }
    }
    let started = Instant::now();
    let runs: Vec<(oracle::Stats, Vec<Finding>, u64)> = std::thread::scope(|s| {
        let handles: Vec<_> = scratches
            .iter()
            .enumerate()
            .map(|(j, scratch)| {
                let share = Share {
                    jobs: args.jobs,
                    job: j as u64,
                };
                s.spawn(move || supervise_share(args.start, seed, end, deadline, share, scratch))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a supervising thread does not panic"))
            .collect()
    });
    let _ = std::fs::remove_dir_all(&dir);
    let mut totals = oracle::Stats::default();
    let mut findings = Vec::new();
    let mut restarts = 0;
    for (stats, found, restarted) in runs {
        totals.add(&stats);
        findings.extend(found);
        restarts += restarted;
    }
    findings.sort_by_key(|f| f.index);
    report(seed, started, &totals, &findings, restarts)
}

/// Runs workers over one share of the inputs until the end or the deadline,
/// a new one after each that dies. Returns the counts, the findings and the
/// number of restarts.
fn supervise_share(
    start: u64,
    seed: u64,
    end: u64,
    deadline: u64,
    share: Share,
    scratch: &Path,
) -> (oracle::Stats, Vec<Finding>, u64) {
    let mut next = share.next_own(start);
    let mut findings: Vec<Finding> = Vec::new();
    let mut totals = oracle::Stats::default();
    let mut restarts = 0;
    while next < end && now_ms() < deadline {
        let run = run_worker(seed, next, end, deadline, share, scratch);
        totals.add(&run.stats);
        findings.extend(run.findings);
        match run.died {
            None => break,
            Some((index, why)) => {
                restarts += 1;
                findings.push(Finding { index, what: why });
                next = share.next_own(index + 1);
            }
        }
    }
    (totals, findings, restarts)
}

fn report(
    seed: u64,
    started: Instant,
    totals: &oracle::Stats,
    findings: &[Finding],
    restarts: u64,
) -> ExitCode {
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "fuzz: {} inputs in {secs:.1} s ({:.0}/s), {restarts} worker restarts",
        totals.inputs,
        totals.inputs as f64 / secs.max(1e-9)
    );
    eprintln!("fuzz: {}", totals.summary());
    if findings.is_empty() {
        eprintln!("fuzz: no findings");
        ExitCode::SUCCESS
    } else {
        eprintln!("fuzz: {} findings:", findings.len());
        for f in findings {
            eprintln!(
                "  input {} (show it with `fuzz --seed {seed} --show {}`): {}",
                f.index, f.index, f.what
            );
        }
        ExitCode::FAILURE
    }
}

struct WorkerRun {
    stats: oracle::Stats,
    findings: Vec<Finding>,
    /// The input the worker died on, and how, if it did not finish.
    died: Option<(u64, String)>,
}

fn run_worker(
    seed: u64,
    start: u64,
    end: u64,
    deadline: u64,
    share: Share,
    scratch: &Path,
) -> WorkerRun {
    let exe = std::env::current_exe().expect("the running program has a path");
    let mut cmd = if Path::new("/usr/bin/prlimit").exists() {
        // An address-space cap turns a runaway allocation into an abort of
        // the worker (recorded), not of the machine.
        let mut c = Command::new("/usr/bin/prlimit");
        c.arg("--as=8589934592").arg("--").arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    cmd.args(["--worker", "--seed", &seed.to_string()])
        .args(["--start", &start.to_string(), "--end", &end.to_string()])
        .args(["--deadline-ms", &deadline.to_string()])
        .args(["--jobs", &share.jobs.to_string()])
        .args(["--job", &share.job.to_string()])
        .arg("--scratch")
        .arg(scratch)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return WorkerRun {
                stats: oracle::Stats::default(),
                findings: Vec::new(),
                died: Some((start, format!("cannot start a worker: {e}"))),
            }
        }
    };
    let stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            match line {
                Ok(l) => {
                    if tx.send(l).is_err() {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
    });
    let mut current = start;
    let mut announced = 0;
    let mut stats = oracle::Stats::default();
    let mut findings = Vec::new();
    let mut last = Instant::now();
    let mut finished = false;
    let mut stalled = false;
    loop {
        match rx.recv_timeout(Duration::from_secs(1)) {
            Ok(line) => {
                if let Some(i) = line.strip_prefix("> ") {
                    current = i.parse().unwrap_or(current);
                    announced += 1;
                    last = Instant::now();
                } else if let Some(rest) = line.strip_prefix("! ") {
                    let (i, what) = rest.split_once(' ').unwrap_or((rest, ""));
                    findings.push(Finding {
                        index: i.parse().unwrap_or(current),
                        what: what.to_string(),
                    });
                } else if let Some(rest) = line.strip_prefix("~ ") {
                    eprintln!("fuzz: slow input {rest}");
                } else if let Some(rest) = line.strip_prefix("= ") {
                    stats = oracle::Stats::parse(rest);
                    if share.jobs > 1 {
                        eprintln!("fuzz: job {}: {}", share.job, stats.progress());
                    } else {
                        eprintln!("fuzz: {}", stats.progress());
                    }
                } else if line == "done" {
                    finished = true;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if last.elapsed() > STALL {
                    stalled = true;
                    let _ = child.kill();
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    // Inputs started, counting the one a dying worker was on.
    stats.inputs = stats.inputs.max(announced);
    let status = child.wait();
    let err = err_thread.join().unwrap_or_default();
    let died = if finished && status.as_ref().is_ok_and(|s| s.success()) {
        None
    } else {
        let how = if stalled {
            format!("no progress for {} s (killed)", STALL.as_secs())
        } else {
            match &status {
                Ok(s) => format!("the worker died: {s}"),
                Err(e) => format!("the worker was lost: {e}"),
            }
        };
        let tail: Vec<&str> = err.lines().rev().take(6).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        Some((
            current,
            format!("{how}; its last words: {}", tail.join(" | ")),
        ))
    };
    let _ = std::io::stderr().flush();
    WorkerRun {
        stats,
        findings,
        died,
    }
}
