//! A bounded round of the grammar-aware fuzzer (src/bin/fuzz, docs/fuzzing.md):
//! a fixed seed, so a regression shows on every run, and a seed taken from
//! the clock, so each run also explores something new. A failure names the
//! seed and the inputs; `cargo run --release --bin fuzz -- --seed S --show I`
//! prints one again.

use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

/// Inputs per round: about 20 s of work each in a debug build.
const INPUTS: u64 = 600;

fn fuzz(seed: u64) {
    let out = Command::new(env!("CARGO_BIN_EXE_fuzz"))
        .args(["--seed", &seed.to_string(), "--inputs", &INPUTS.to_string()])
        .output()
        .expect("the fuzz binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "fuzzing with seed {seed} found something (reproduce: cargo run --bin fuzz -- --seed {seed} --inputs {INPUTS}):\n{stderr}"
    );
    assert!(stderr.contains(&format!("{INPUTS} inputs in")), "{stderr}");
    assert!(stderr.contains("no findings"), "{stderr}");
}

#[test]
fn a_fixed_seed_finds_nothing() {
    fuzz(20_261_201);
}

#[test]
fn a_seed_from_the_clock_finds_nothing() {
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1, |d| d.as_secs());
    eprintln!("fuzz seed {seed}");
    fuzz(seed);
}
