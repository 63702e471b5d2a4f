//! The `itq` command: arguments, running scripts and `-c` statements, and exit codes.

use crate::repl;
use itq::{render, Engine, Error, Format, Output, Source};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// itq: query China's industrial transfer — a cited fact base, a query language, a prompt.
///
/// With no arguments, opens a prompt (or, when standard input is not a
/// terminal, runs the statements read from it).
#[derive(Debug, clap::Parser)]
#[command(name = "itq", version, about, long_about = None)]
pub struct Cli {
    /// Scripts to run, in order.
    #[arg(value_name = "SCRIPT")]
    pub scripts: Vec<PathBuf>,

    /// Statements to run, after any scripts (e.g. -c 'provinces count by region').
    #[arg(short = 'c', long = "command", value_name = "STATEMENTS")]
    pub commands: Vec<String>,

    /// How to print results.
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Print every built-in function with its signature and exit.
    #[arg(long)]
    pub help_functions: bool,
}

/// Runs the command; the exit code is 0 on success and 1 on a query or data error.
pub fn run(cli: Cli) -> ExitCode {
    if cli.help_functions {
        let mut out = std::io::stdout().lock();
        let text: String = itq::FUNCTIONS
            .iter()
            .map(|f| format!("{:<50} {}\n", f.signature, f.doc))
            .collect();
        return match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => write_failed(&e),
        };
    }
    let mut engine = match Engine::new() {
        Ok(e) => e,
        Err(e) => return fail(&e),
    };
    if cli.scripts.is_empty() && cli.commands.is_empty() {
        if std::io::stdin().is_terminal() {
            return repl::run(engine, cli.format);
        }
        let mut text = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut text) {
            eprintln!("error: cannot read standard input: {e}");
            return ExitCode::from(1);
        }
        return exit(run_source(
            &mut engine,
            &Source::new("<stdin>", text),
            cli.format,
        ));
    }
    for path in &cli.scripts {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                let err = Error::new(itq::ErrorKind::Io {
                    path: path.display().to_string(),
                    message: e.to_string(),
                });
                let err = if e.kind() == std::io::ErrorKind::NotFound {
                    err.with_help("check the path; it is relative to the current folder")
                } else {
                    err
                };
                return fail(&err);
            }
        };
        let code = exit(run_source(
            &mut engine,
            &Source::new(path.display().to_string(), text),
            cli.format,
        ));
        if code != ExitCode::SUCCESS {
            return code;
        }
    }
    for command in &cli.commands {
        let code = exit(run_source(
            &mut engine,
            &Source::new("<query>", command.clone()),
            cli.format,
        ));
        if code != ExitCode::SUCCESS {
            return code;
        }
    }
    ExitCode::SUCCESS
}

/// Runs one source, printing each result as it comes.
pub fn run_source(
    engine: &mut Engine,
    source: &std::sync::Arc<Source>,
    format: Format,
) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    let mut first = true;
    let mut write_error: Option<std::io::Error> = None;
    engine.run(source, |out| {
        if let (Output::Table(t), None) = (out, &write_error) {
            let sep = if !first && format == Format::Table {
                "\n"
            } else {
                ""
            };
            first = false;
            let text = format!("{sep}{}", render(&t, format));
            if let Err(e) = stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                write_error = Some(e);
            }
        }
    })?;
    match write_error {
        None => Ok(()),
        Some(e) => Err(Error::new(itq::ErrorKind::Io {
            path: "<stdout>".into(),
            message: e.to_string(),
        })),
    }
}

/// Output that cannot be written stops the run with exit code 1, except a
/// closed pipe (`itq ... | head`), which is the reader's choice, not an error.
fn write_failed(e: &std::io::Error) -> ExitCode {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return ExitCode::SUCCESS;
    }
    let _ = writeln!(std::io::stderr(), "error: cannot write the output: {e}");
    ExitCode::from(1)
}

fn exit(result: Result<(), Error>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => match e.kind() {
            itq::ErrorKind::Io { path, message } if path == "<stdout>" => {
                write_failed(&std::io::Error::new(
                    if message.contains("Broken pipe") {
                        std::io::ErrorKind::BrokenPipe
                    } else {
                        std::io::ErrorKind::Other
                    },
                    message.clone(),
                ))
            }
            _ => fail(&e),
        },
    }
}

fn fail(e: &Error) -> ExitCode {
    let _ = std::io::stderr().write_all(e.render().as_bytes());
    ExitCode::from(1)
}
