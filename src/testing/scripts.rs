//! Saved scripts with pinned output: `name.itq` is checked against `name.out`
//! beside it, and Markdown files against their own text blocks. This is what
//! `itq test PATH ...` runs.
//!
//! A script's first comment lines may hold test settings:
//!
//! ```text
//! # test: param province=Gansu
//! # test: expect error
//! ```
//!
//! `param` sets `$province` for the run (a `--param` given to `itq test`
//! wins over it); `expect error` marks a script whose output is meant to end
//! in an error. A script that ends in an error without that mark fails, and
//! `--update` does not bless it.

use super::{markdown, transcript, Mismatch};
use crate::engine::Engine;
use crate::error::{Error, ErrorKind};
use crate::save::write_atomic;
use crate::source::Source;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file `itq test` checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An itq script, compared with the `.out` file beside it.
    Script(PathBuf),
    /// A Markdown file whose itq examples are compared with their text blocks.
    Markdown(PathBuf),
}

impl Target {
    /// The file's path.
    pub fn path(&self) -> &Path {
        match self {
            Target::Script(p) | Target::Markdown(p) => p,
        }
    }
}

/// The outcome of checking one file.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Everything printed what was expected.
    Passed,
    /// Some output differed.
    Failed(Vec<Mismatch>),
    /// A script without an `.out` file: nothing to compare with.
    NoExpected {
        /// The expected-output file that does not exist.
        expected: PathBuf,
    },
    /// The expected output was rewritten (or created) from what ran.
    Updated,
    /// The file (or its expected output) could not be read or written.
    Unreadable(Error),
}

/// The scripts (`.itq`) and Markdown files (`.md`) named by `paths`, with
/// folders searched recursively (skipping hidden folders and `target`), in
/// path order. A named file must be a script or Markdown.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<Target>, Error> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| io_error(path, &e))?;
        if meta.is_dir() {
            walk(path, &mut out)?;
        } else {
            match target(path) {
                Some(t) => out.push(t),
                None => {
                    return Err(Error::new(ErrorKind::Invalid(format!(
                        "`{}` is neither an itq script (.itq) nor Markdown (.md)",
                        path.display()
                    )))
                    .with_help("name scripts, Markdown files or folders holding them"))
                }
            }
        }
    }
    Ok(out)
}

fn target(path: &Path) -> Option<Target> {
    match path.extension()?.to_str()? {
        "itq" => Some(Target::Script(path.to_path_buf())),
        "md" => Some(Target::Markdown(path.to_path_buf())),
        _ => None,
    }
}

fn walk(dir: &Path, out: &mut Vec<Target>) -> Result<(), Error> {
    let mut entries: Vec<(PathBuf, std::fs::FileType)> = std::fs::read_dir(dir)
        .map_err(|e| io_error(dir, &e))?
        .filter_map(|e| {
            let e = e.ok()?;
            Some((e.path(), e.file_type().ok()?))
        })
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, kind) in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        // Linked folders are not followed, so a link loop cannot recurse forever.
        if kind.is_dir() {
            if !name.starts_with('.') && name != "target" {
                walk(&path, out)?;
            }
        } else if !kind.is_symlink() || path.is_file() {
            if let Some(t) = target(&path) {
                out.push(t);
            }
        }
    }
    Ok(())
}

/// How `itq test` checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Rewrite the expected output instead of reporting a difference.
    pub update: bool,
    /// Parameters for every script (`--param NAME=VALUE`), over the scripts' own.
    pub params: Vec<(String, String)>,
}

/// The test settings in a script's first comment lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// `# test: param NAME=VALUE`, in order.
    pub params: Vec<(String, String)>,
    /// `# test: expect error`.
    pub expect_error: bool,
}

impl Settings {
    /// Reads the settings from the comment lines at the top of `text`.
    pub fn of(text: &str) -> Settings {
        let mut settings = Settings::default();
        for line in text.lines().map(str::trim) {
            if line.is_empty() {
                continue;
            }
            let Some(comment) = line.strip_prefix('#') else {
                break;
            };
            let Some(setting) = comment.trim().strip_prefix("test:") else {
                continue;
            };
            let setting = setting.trim();
            if let Some(p) = setting.strip_prefix("param") {
                if let Some((name, value)) = p.trim().split_once('=') {
                    settings
                        .params
                        .push((name.trim().to_string(), value.trim().to_string()));
                }
            } else if setting == "expect error" {
                settings.expect_error = true;
            }
        }
        settings
    }
}

/// Checks one file; with `update`, rewrites its expected output instead of
/// reporting a difference (a script's `.out` is created if missing).
pub fn check(target: &Target, update: bool) -> Outcome {
    check_with(
        target,
        &Options {
            update,
            ..Options::default()
        },
    )
}

/// Checks one file with `options`.
pub fn check_with(target: &Target, options: &Options) -> Outcome {
    match target {
        Target::Script(path) => check_script(path, options),
        Target::Markdown(path) => check_markdown(path, options.update),
    }
}

/// What running the script at `path` in a fresh engine prints: its results,
/// notices and, if a statement fails, the error. The script may `load` files
/// in its own folder, with relative paths starting there, as when `itq` runs
/// it; what it `save`s goes to a temporary folder (removed afterwards), so
/// checking a script never changes its folder. Messages name the script by
/// its file name, so the output does not depend on the folder `itq test`
/// runs in.
pub fn run_script(path: &Path) -> Result<String, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| io_error(path, &e))?;
    let params = Settings::of(&text).params;
    Ok(run_text(path, text, &params)?.text)
}

/// Runs a script's `text` as [`run_script`] does, with `params` set.
fn run_text(
    path: &Path,
    text: String,
    params: &[(String, String)],
) -> Result<super::Transcript, Error> {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let dir = folder_of(path);
    let mut engine = Engine::new()?;
    engine.allow_folder(&dir)?;
    let saves = TempFolder::new().map_err(|e| io_error(Path::new("<temporary folder>"), &e))?;
    engine.redirect_saves(&saves.0)?;
    for (k, v) in params {
        engine.set_param_text(k, v);
    }
    let source = Arc::new(Source {
        name,
        text,
        dir: Some(dir),
    });
    Ok(transcript(&mut engine, &source))
}

/// A fresh folder under the system's temporary folder, removed on drop.
struct TempFolder(PathBuf);

impl TempFolder {
    fn new() -> std::io::Result<TempFolder> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("itq-test-{}-{nanos}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(TempFolder(dir))
    }
}

impl Drop for TempFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The folder a file is in (`.` for a bare file name).
pub fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn check_script(path: &Path, options: &Options) -> Outcome {
    let update = options.update;
    let expected_path = path.with_extension("out");
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return Outcome::Unreadable(io_error(path, &e)),
    };
    let settings = Settings::of(&text);
    let mut params = settings.params.clone();
    params.extend(options.params.iter().cloned());
    let ran = match run_text(path, text, &params) {
        Ok(t) => t,
        Err(e) => return Outcome::Unreadable(e),
    };
    let actual = ran.text;
    let expected_now = match std::fs::read_to_string(&expected_path) {
        Ok(t) => Some(t.replace("\r\n", "\n")),
        Err(_) => None,
    };
    let mismatch = |what: String| {
        Outcome::Failed(vec![Mismatch {
            file: path.display().to_string(),
            line: 1,
            what,
            expected: expected_now.clone().unwrap_or_default(),
            actual: actual.clone(),
        }])
    };
    match (&ran.error, settings.expect_error) {
        (Some(e), false) => {
            let mut failed = mismatch(format!(
                "the script ends in an error{}; fix it, or add `# test: expect error` at its top if it should fail",
                if update { ", so its output was not saved" } else { "" }
            ));
            // Point at the line the error is on (`name:LINE:col`).
            let line = e
                .position()
                .and_then(|p| p.rsplit(':').nth(1).and_then(|l| l.parse().ok()));
            if let (Outcome::Failed(ms), Some(line)) = (&mut failed, line) {
                ms[0].line = line;
            }
            return failed;
        }
        (None, true) => {
            return mismatch(
                "the script is marked `# test: expect error` but ran without one".into(),
            )
        }
        _ => {}
    }
    let expected = match std::fs::read_to_string(&expected_path) {
        Ok(t) => Some(t.replace("\r\n", "\n")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Outcome::Unreadable(io_error(&expected_path, &e)),
    };
    if expected.as_deref() == Some(actual.as_str()) {
        return Outcome::Passed;
    }
    if update {
        let shown = expected_path.display().to_string();
        return match write_atomic(&expected_path, &shown, actual.as_bytes(), true) {
            Ok(()) => Outcome::Updated,
            Err(e) => Outcome::Unreadable(e),
        };
    }
    match expected {
        None => Outcome::NoExpected {
            expected: expected_path,
        },
        Some(expected) => Outcome::Failed(vec![Mismatch {
            file: path.display().to_string(),
            line: 1,
            what: format!(
                "the output differs from `{}`",
                expected_path
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
            ),
            expected,
            actual,
        }]),
    }
}

fn check_markdown(path: &Path, update: bool) -> Outcome {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return Outcome::Unreadable(io_error(path, &e)),
    };
    let file = path.display().to_string();
    if !update {
        let mismatches = markdown::check(&file, &text);
        return if mismatches.is_empty() {
            Outcome::Passed
        } else {
            Outcome::Failed(mismatches)
        };
    }
    let (new, left) = match markdown::update(&file, &text) {
        Ok(u) => u,
        Err(m) => return Outcome::Failed(vec![m]),
    };
    if new != text {
        if let Err(e) = write_atomic(path, &file, new.as_bytes(), true) {
            return Outcome::Unreadable(e);
        }
    }
    match (left.is_empty(), new == text) {
        (false, _) => Outcome::Failed(left),
        (true, true) => Outcome::Passed,
        (true, false) => Outcome::Updated,
    }
}

fn io_error(path: &Path, e: &std::io::Error) -> Error {
    Error::new(ErrorKind::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}
