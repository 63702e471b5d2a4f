//! The `itq` command: arguments, running scripts and `-c` statements, and exit codes.

use crate::generate_command::{self, GenerateArgs};
use crate::repl;
use itq::{Engine, Error, Format, Output, Printer, RenderOptions, Source};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// itq: query China's industrial transfer — a cited fact base, a query language, a prompt.
///
/// With no arguments, opens a prompt (or, when standard input is not a
/// terminal, runs the statements read from it).
#[derive(Debug, clap::Parser)]
#[command(
    name = "itq",
    version,
    about,
    long_about = None,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// A tool other than running statements.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Scripts to run, in order.
    #[arg(value_name = "SCRIPT")]
    pub scripts: Vec<PathBuf>,

    /// Statements to run, after any scripts (e.g. -c 'provinces count by region').
    #[arg(short = 'c', long = "command", value_name = "STATEMENTS")]
    pub commands: Vec<String>,

    /// How to print results [default: table, or the --output file's extension].
    #[arg(short, long, value_enum)]
    pub format: Option<Format>,

    /// Load a data file (CSV, JSON or NDJSON) as a relation before anything runs.
    #[arg(long = "load", value_name = "NAME=PATH", value_parser = key_path)]
    pub loads: Vec<(String, String)>,

    /// Set a script parameter, used as `$NAME` (e.g. --param province=Gansu).
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = key_value)]
    pub params: Vec<(String, String)>,

    /// Attach a database before anything runs: its tables are NAME.table
    /// (e.g. --attach wh=postgres://ann@db.example/warehouse, or reg=register.sqlite).
    #[arg(long = "attach", value_name = "NAME=URL", value_parser = key_url)]
    pub attach: Vec<(String, String)>,

    /// Write the results to FILE instead of standard output (whole or not at all).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// With --output, replace FILE if it exists.
    #[arg(long, requires = "output")]
    pub force: bool,

    /// Print every built-in function and aggregate with its signature and exit.
    #[arg(long)]
    pub help_functions: bool,

    /// The most memory one step of a query may build, such as 4G or 512M
    /// [default: half the memory the process can have].
    #[arg(long, value_name = "SIZE", value_parser = memory_size)]
    pub max_memory: Option<u64>,

    /// Print `time: <milliseconds> ms` on standard error after each statement.
    #[arg(long)]
    pub timer: bool,

    /// Restrict `load` and `save` in scripts and statements to files under
    /// DIR (repeat for more folders), for running scripts you do not trust;
    /// without it, itq reads and writes any file you can. `--load` and
    /// `--output` name their files themselves and are not restricted.
    #[arg(long, value_name = "DIR")]
    pub sandbox: Vec<PathBuf>,

    /// Do not confirm loads and saves on standard error (`loaded NAME: N rows,
    /// M columns`, `saved N rows to PATH`) nor print the notes on results
    /// (why one is empty, where figures are hedged, joins whose keys found no
    /// partner); a load's notes and errors are still printed.
    #[arg(short, long)]
    pub quiet: bool,

    /// Cite every result: a `sources` column and, under a table, a legend
    /// (as ending each query with `cite` does).
    #[arg(long)]
    pub cite: bool,

    /// For benchmarks: replace `projects` with N rows of the SYNTHETIC
    /// register that `itq generate projects` writes (default seed).
    #[arg(long, value_name = "N", hide = true)]
    pub generate_rows: Option<usize>,
}

/// The subcommands; each one's logic is in its own module.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Check saved scripts and documentation examples against their expected output.
    ///
    /// A script `name.itq` is compared with `name.out` beside it; a Markdown
    /// file's ```itq blocks with the ```text block after each. Differences
    /// print as unified diffs and the exit code is 1.
    Test(crate::test_command::TestArgs),
    /// Rewrite scripts in the canonical layout.
    ///
    /// Keywords in lower case, consistent spacing, one clause per line when a
    /// query is long, comments kept in place. Markdown files have their ```itq
    /// examples formatted. With --check, only list the files that would change.
    Fmt(crate::fmt_command::FmtArgs),
    /// Write a SYNTHETIC data set as CSV, for trying itq at scale (made-up rows; never cite them).
    Generate(GenerateArgs),
    /// Print the SQL of each query instead of running it (see docs/sql.md).
    ///
    /// A `let` of rows becomes a temporary view; the relations a query reads
    /// appear by name, so the engine needs tables of those names.
    Sql(crate::sql_command::SqlArgs),
}

/// Splits `NAME=VALUE` (for --param).
pub fn key_value(arg: &str) -> Result<(String, String), String> {
    split_named(arg, "NAME=VALUE")
}

/// Splits `NAME=URL` (for --attach).
pub fn key_url(arg: &str) -> Result<(String, String), String> {
    split_named(arg, "NAME=URL")
}

/// Splits `NAME=PATH` (for --load).
fn key_path(arg: &str) -> Result<(String, String), String> {
    split_named(arg, "NAME=PATH")
}

/// Splits `NAME=...` where NAME must be usable as an itq name.
fn split_named(arg: &str, shape: &str) -> Result<(String, String), String> {
    let Some((name, value)) = arg.split_once('=') else {
        return Err(format!("expected {shape}, found `{arg}`"));
    };
    let name = name.trim();
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !valid {
        return Err(format!(
            "`{name}` is not a name: use letters, digits and _, not starting with a digit"
        ));
    }
    Ok((name.to_string(), value.to_string()))
}

/// Runs the command; the exit code is 0 on success and 1 on a query or data error.
pub fn run(cli: Cli) -> ExitCode {
    match &cli.command {
        Some(Command::Test(args)) => return crate::test_command::run(args),
        Some(Command::Fmt(args)) => return crate::fmt_command::run(args),
        Some(Command::Generate(args)) => return generate_command::run(args),
        Some(Command::Sql(args)) => return crate::sql_command::run(args),
        None => {}
    }
    if cli.help_functions {
        let mut out = std::io::stdout().lock();
        let text = itq::function_reference();
        return match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => write_failed(&e),
        };
    }
    match prepare(&cli) {
        Ok((engine, format)) => match &cli.output {
            Some(path) => run_to_file(&cli, engine, format, path),
            None => run_all(&cli, engine, format, &mut std::io::stdout().lock()),
        },
        Err(e) => fail(&e),
    }
}

/// The folders `load` and `save` may use: every file the user may use, as
/// DuckDB and sqlite allow, or with `--sandbox`, only the folders named.
pub fn grant_folders(engine: &mut Engine, sandbox: &[PathBuf]) -> Result<(), Error> {
    if sandbox.is_empty() {
        return engine.allow_folder(Path::new("/"));
    }
    for dir in sandbox {
        if !dir.is_dir() {
            return Err(Error::new(itq::ErrorKind::Invalid(format!(
                "--sandbox `{}` is not a folder",
                dir.display()
            )))
            .with_help("name an existing folder the scripts may read and write in"));
        }
        engine.allow_folder(dir)?;
    }
    Ok(())
}

/// A `--max-memory` size.
fn memory_size(text: &str) -> Result<u64, String> {
    itq::limits::parse_bytes(text)
        .ok_or_else(|| format!("`{text}` is not a size; write it like 512M or 4G"))
}

/// The engine with its folders granted, parameters set and files loaded, and
/// the output format.
fn prepare(cli: &Cli) -> Result<(Engine, Format), Error> {
    let mut engine = Engine::new()?;
    if let Some(memory) = cli.max_memory {
        engine.set_limits(itq::Limits {
            memory,
            ..engine.limits()
        });
    }
    engine.set_cite(cli.cite);
    grant_folders(&mut engine, &cli.sandbox)?;
    if let Some(rows) = cli.generate_rows {
        engine.add_relation(
            "projects",
            itq::generate::projects_table(rows, itq::generate::DEFAULT_SEED),
            Some("a SYNTHETIC project register (made-up rows, for benchmarks)".into()),
        );
    }
    for (name, value) in &cli.params {
        engine.set_param_text(name, value);
    }
    attach_all(&mut engine, &cli.attach, cli.quiet)?;
    for (name, path) in &cli.loads {
        let out = engine.load_file(name, Path::new(path), &itq::LoadOptions::default())?;
        notice(&out, cli.quiet);
    }
    let format = match (&cli.format, &cli.output) {
        (Some(f), _) => *f,
        (None, Some(path)) => itq::save::format_for_path(path)?,
        (None, None) => Format::Table,
    };
    if let Some(path) = &cli.output {
        if path.exists() && !cli.force {
            return Err(Error::new(itq::ErrorKind::Invalid(format!(
                "`{}` exists already",
                path.display()
            )))
            .with_help("add --force to replace it"));
        }
        if format == Format::Csv {
            check_one_result(cli, path)?;
        }
    }
    Ok((engine, format))
}

/// Attaches each `--attach NAME=URL`, saying so on standard error.
pub fn attach_all(
    engine: &mut Engine,
    attach: &[(String, String)],
    quiet: bool,
) -> Result<(), Error> {
    for (name, url) in attach {
        let out = engine.attach_database(name, url)?;
        notice(&out, quiet);
    }
    Ok(())
}

/// What `.explain` and `itq sql --explain` print: the SQL each attached
/// database runs, then what runs here.
pub fn explained(x: &itq::place::Explained) -> String {
    let mut out = String::new();
    for part in &x.parts {
        out.push_str(&format!("runs on {}:\n", part.database));
        for line in part.sql.lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    out.push_str(match (x.parts.len(), x.local) {
        (0, _) => "runs here, on the native engine: the query reads no attached table\n",
        (_, false) => "only that result comes back; nothing more runs here\n",
        (_, true) => {
            "then here, on the native engine: the rest of the query, over the rows that came back\n"
        }
    });
    out
}

/// A CSV file holds one table: with `--output`, a run whose scripts and
/// commands hold more than one query is refused before anything runs,
/// rather than writing a file that cannot be read back.
fn check_one_result(cli: &Cli, path: &Path) -> Result<(), Error> {
    let queries = count_queries(cli);
    if queries > 1 {
        return Err(Error::new(itq::ErrorKind::Invalid(format!(
            "`{}` can hold one result, but this run has {queries} queries",
            path.display()
        )))
        .with_help(
            "write each with `save QUERY to \"file\"`, or use --format json (one array of results), table, markdown or ndjson",
        ));
    }
    Ok(())
}

/// How many queries the run's scripts and commands hold.
fn count_queries(cli: &Cli) -> usize {
    let mut texts: Vec<String> = cli
        .scripts
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    texts.extend(cli.commands.iter().cloned());
    texts
        .iter()
        .filter_map(|t| itq::syntax::parse_script(t).ok())
        .map(|s| {
            s.statements
                .iter()
                .filter(|st| matches!(st.kind, itq::syntax::ast::StatementKind::Query(_)))
                .count()
        })
        .sum()
}

/// Runs everything, collecting the output, and writes the file only if all succeeded.
fn run_to_file(cli: &Cli, engine: Engine, format: Format, path: &Path) -> ExitCode {
    let mut buffer = Vec::new();
    let code = run_all(cli, engine, format, &mut buffer);
    if code != ExitCode::SUCCESS {
        let _ = writeln!(
            std::io::stderr(),
            "note: `{}` was not written, because of the error above",
            path.display()
        );
        return code;
    }
    match itq::save::write_atomic(path, &path.display().to_string(), &buffer, cli.force) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// Runs the prompt, standard input, or the scripts and then the commands.
/// With `--format json`, a run of several queries prints one JSON array
/// whose elements are the results.
fn run_all(cli: &Cli, engine: Engine, format: Format, out: &mut dyn Write) -> ExitCode {
    let mut printed = Document {
        on: format == Format::Json && count_queries(cli) > 1,
        results: 0,
    };
    let code = run_each(cli, engine, format, out, &mut printed);
    let end = Printer::document_end(format, printed.results);
    if printed.on && !end.is_empty() {
        if let Err(e) = out.write_all(end.as_bytes()).and_then(|()| out.flush()) {
            return write_failed(&e);
        }
    }
    code
}

/// Whether the run's results make one JSON document, and how many were printed.
struct Document {
    on: bool,
    results: usize,
}

fn run_each(
    cli: &Cli,
    mut engine: Engine,
    format: Format,
    out: &mut dyn Write,
    doc: &mut Document,
) -> ExitCode {
    if cli.scripts.is_empty() && cli.commands.is_empty() {
        if std::io::stdin().is_terminal() && cli.output.is_none() {
            return repl::run(engine, format);
        }
        let mut text = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut text) {
            eprintln!("error: cannot read standard input: {e}");
            return ExitCode::from(1);
        }
        return exit(run_timed(
            &mut engine,
            &Source::new("<stdin>", text),
            format,
            out,
            cli,
            doc,
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
        let code = exit(run_timed(
            &mut engine,
            &Source::file(path, text),
            format,
            out,
            cli,
            doc,
        ));
        if code != ExitCode::SUCCESS {
            return code;
        }
    }
    for command in &cli.commands {
        let code = exit(run_timed(
            &mut engine,
            &Source::new("<query>", command.clone()),
            format,
            out,
            cli,
            doc,
        ));
        if code != ExitCode::SUCCESS {
            return code;
        }
    }
    ExitCode::SUCCESS
}

/// The width of the terminal standard output is, if it is one.
fn terminal_width() -> Option<u16> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(terminal_size::Width(w), _)| w)
}

/// Says on standard error what a `load` read or replaced, or where a `save` wrote.
pub fn notice(out: &Output, quiet: bool) {
    if let Some(text) = itq::print::notice(out, quiet) {
        let _ = writeln!(std::io::stderr(), "{text}");
    }
}

/// Runs one source, writing each result to `out` as it comes; with `timer`, prints each
/// statement's time on standard error.
fn run_timed(
    engine: &mut Engine,
    source: &std::sync::Arc<Source>,
    format: Format,
    out: &mut dyn Write,
    cli: &Cli,
    doc: &mut Document,
) -> Result<(), Error> {
    let printer = Printer::new(format, RenderOptions::default()).quiet(cli.quiet);
    write_outputs(engine, source, printer, out, cli.timer, doc)
}

/// Runs one source, writing each result to `out` as it comes, laid out with `options`.
pub fn run_source_with(
    engine: &mut Engine,
    source: &std::sync::Arc<Source>,
    format: Format,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut single = Document {
        on: false,
        results: 0,
    };
    write_outputs(
        engine,
        source,
        Printer::new(format, *options),
        out,
        false,
        &mut single,
    )
}

fn write_outputs(
    engine: &mut Engine,
    source: &std::sync::Arc<Source>,
    printer: Printer,
    out: &mut dyn Write,
    timer: bool,
    doc: &mut Document,
) -> Result<(), Error> {
    // A chart is as wide as the terminal (80 columns when not a terminal).
    let options = printer.options();
    let mut printer = printer.with_chart_options(RenderOptions {
        width: options.width.or_else(terminal_width),
        ..options
    });
    if doc.on {
        printer = printer.in_document(doc.results);
    }
    let mut write_error: Option<std::io::Error> = None;
    let mut cancelled: Option<Error> = None;
    // Output that cannot be written (a reader that closed the pipe) stops
    // the run: what is left would be written nowhere.
    let stop = engine.interrupt_handle();
    let mut show = |output: Output| {
        if write_error.is_some() || cancelled.is_some() {
            return;
        }
        let is_result = matches!(output, Output::Table(_) | Output::Chart(_));
        match printer.print_to(&output, out) {
            Err(itq::WriteError::Cancelled(e)) => cancelled = Some(e),
            Err(itq::WriteError::Io(e)) => {
                write_error = Some(e);
                stop.cancel();
            }
            Ok(Some(notice)) => {
                let _ = writeln!(std::io::stderr(), "{notice}");
            }
            Ok(None) => {
                if is_result {
                    doc.results += 1;
                }
            }
        }
    };
    let result = engine.run_timed(source, |output, elapsed| {
        // A statement's legend and notes follow its result; its time was printed once.
        let follows = matches!(output, Output::Legend(_) | Output::Note(_));
        show(output);
        if timer && !follows {
            let _ = writeln!(
                std::io::stderr(),
                "time: {:.3} ms",
                elapsed.as_secs_f64() * 1000.0
            );
        }
    });
    if let Some(e) = write_error {
        return Err(Error::new(itq::ErrorKind::Io {
            path: "<stdout>".into(),
            message: e.to_string(),
        }));
    }
    result?;
    match cancelled {
        Some(e) => Err(e),
        None => Ok(()),
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
