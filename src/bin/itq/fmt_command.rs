//! `itq fmt [PATH ...] [--check]`: rewrites scripts, and the itq examples in
//! Markdown files, in the canonical layout (`itq::syntax::format`). Files are
//! replaced atomically; `--check` changes nothing and exits 1 if any file
//! would change. With no PATH, a script piped or redirected into standard
//! input is formatted to standard output (as `itq fmt -`), so `itq fmt <
//! x.itq` never rewrites the folder; otherwise `.` is formatted.

use itq::save::write_atomic;
use itq::syntax::format::format_script;
use itq::testing::markdown::format_examples;
use itq::testing::scripts::{self, Target};
use itq::{Error, ErrorKind, Source};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `itq fmt`.
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Scripts (.itq), Markdown files (.md) or folders to search for them;
    /// `-` formats standard input to standard output. With no PATH: standard
    /// input when a script is piped or redirected into it, else `.`.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Change nothing; list the files that are not in the canonical layout
    /// and exit with 1 if there are any.
    #[arg(long)]
    pub check: bool,
}

/// Formats every file; exit code 1 when a file cannot be read, parsed or
/// written, or (with --check) would change.
pub fn run(args: &FmtArgs) -> ExitCode {
    let stdin_only = match args.paths.as_slice() {
        [] => stdin_holds_a_script(),
        [only] => only.as_os_str() == "-",
        _ => false,
    };
    if stdin_only {
        return standard_input(args.check);
    }
    let here = [PathBuf::from(".")];
    let paths = if args.paths.is_empty() {
        &here[..]
    } else {
        &args.paths[..]
    };
    let targets = match scripts::collect(paths) {
        Ok(t) => t,
        Err(e) => {
            eprint!("{}", e.render());
            return ExitCode::from(1);
        }
    };
    let mut out = String::new();
    let mut errors = String::new();
    let (mut changed, mut failed) = (0, 0);
    for target in &targets {
        let path = target.path();
        let formatted = std::fs::read_to_string(path)
            .map_err(|e| {
                Error::new(ErrorKind::Io {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })
            })
            .and_then(|text| {
                let new = match target {
                    Target::Script(_) => format_script(&text).map_err(|e| {
                        e.with_source(&Source::new(path.display().to_string(), text.as_str()))
                    }),
                    Target::Markdown(_) => format_examples(&path.display().to_string(), &text),
                }?;
                Ok((text, new))
            });
        match formatted {
            Err(e) => {
                failed += 1;
                errors.push_str(&e.render());
            }
            Ok((old, new)) if old == new => {}
            Ok((_, new)) if args.check => {
                changed += 1;
                out.push_str(&format!("would reformat {}\n", path.display()));
                let _ = new;
            }
            Ok((_, new)) => {
                match write_atomic(path, &path.display().to_string(), new.as_bytes(), true) {
                    Ok(()) => {
                        changed += 1;
                        out.push_str(&format!("formatted {}\n", path.display()));
                    }
                    Err(e) => {
                        failed += 1;
                        errors.push_str(&e.render());
                    }
                }
            }
        }
    }
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    let _ = std::io::stderr().lock().write_all(errors.as_bytes());
    if failed > 0 || (args.check && changed > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Whether standard input is a pipe or a regular file, that is, whether the
/// user piped or redirected a script in (`itq fmt < x.itq`, `cat x.itq | itq
/// fmt`). A terminal, `/dev/null` or a closed input is not.
fn stdin_holds_a_script() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::FileTypeExt;
        let Ok(fd) = std::io::stdin().as_fd().try_clone_to_owned() else {
            return false;
        };
        match std::fs::File::from(fd).metadata() {
            Ok(m) => m.file_type().is_fifo() || m.file_type().is_file(),
            Err(_) => false,
        }
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// `itq fmt -`: the script on standard input, formatted, on standard output
/// (for editors); with --check, nothing is printed and the exit code is 1
/// when the script is not in the canonical layout.
fn standard_input(check: bool) -> ExitCode {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("error: cannot read standard input: {e}");
        return ExitCode::from(1);
    }
    match format_script(&text) {
        Err(e) => {
            eprint!(
                "{}",
                e.with_source(&Source::new("<stdin>", text.as_str()))
                    .render()
            );
            ExitCode::from(1)
        }
        Ok(new) if check => ExitCode::from(u8::from(new != text)),
        Ok(new) => {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout
                .write_all(new.as_bytes())
                .and_then(|()| stdout.flush());
            ExitCode::SUCCESS
        }
    }
}
