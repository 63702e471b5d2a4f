//! What the test files share: running the built `itq` command as a user
//! would (without colour) and reading what it printed.

// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The project's folder.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The built `itq` command with `NO_COLOR` set, to add arguments to.
pub fn command() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_itq"));
    c.env("NO_COLOR", "1");
    c
}

/// Runs `itq ARGS` in the current folder.
pub fn itq(args: &[&str]) -> Output {
    command().args(args).output().unwrap()
}

/// Runs `itq ARGS` in `dir`.
pub fn itq_in(dir: &Path, args: &[&str]) -> Output {
    command().args(args).current_dir(dir).output().unwrap()
}

/// Runs `itq ARGS` with `input` on its standard input.
pub fn itq_with_input(args: &[&str], input: &str) -> Output {
    let mut child = command()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// What it printed on standard output.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What it printed on standard error.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
