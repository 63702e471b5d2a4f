//! `itq sql [--dialect D] [FILE ... | -c QUERY]`: prints the SQL of each
//! statement instead of running it (`Engine::sql_script`), for another
//! engine to run: `itq sql --dialect spark report.itq | spark-sql -f /dev/stdin`.

use itq::sql::Dialect;
use itq::{Engine, Error, ErrorKind, Source};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `itq sql`.
#[derive(Debug, clap::Args)]
pub struct SqlArgs {
    /// The SQL dialect: duckdb, postgres, sqlite, spark, trino or ansi.
    #[arg(short, long, default_value = "duckdb", value_parser = parse_dialect)]
    pub dialect: Dialect,

    /// Scripts to compile, in order, in one session.
    #[arg(value_name = "FILE")]
    pub scripts: Vec<PathBuf>,

    /// Statements to compile, after any scripts.
    #[arg(short = 'c', long = "command", value_name = "STATEMENTS")]
    pub commands: Vec<String>,

    /// Begin with CREATE TABLE statements holding the built-in relations
    /// (the fact base and the prelude's) that the SQL reads, so that the
    /// output runs on an empty database.
    #[arg(long)]
    pub with_tables: bool,

    /// Set a script parameter, used as `$NAME` (e.g. --param province=Gansu).
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = crate::cli::key_value)]
    pub params: Vec<(String, String)>,

    /// Attach a database first, as `itq --attach` does; with --explain,
    /// queries over its tables show what runs there.
    #[arg(long = "attach", value_name = "NAME=URL", value_parser = crate::cli::key_url)]
    pub attach: Vec<(String, String)>,

    /// For each query (-c), print what runs where: the SQL sent to each
    /// attached database and what the native engine does after.
    #[arg(long, requires = "commands")]
    pub explain: bool,
}

fn parse_dialect(s: &str) -> Result<Dialect, String> {
    s.parse()
}

/// Prints the SQL of every statement; exit code 1 at the first error (the
/// SQL of the statements before it is printed).
pub fn run(args: &SqlArgs) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match compile_all(args, &mut out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = out.flush();
            eprint!("{}", e.render());
            ExitCode::from(1)
        }
    }
}

fn compile_all(args: &SqlArgs, out: &mut impl Write) -> Result<(), Error> {
    let mut engine = Engine::new()?;
    crate::cli::grant_folders(&mut engine, &[])?;
    for (name, value) in &args.params {
        engine.set_param_text(name, value);
    }
    crate::cli::attach_all(&mut engine, &args.attach, false)?;
    if args.explain {
        for c in &args.commands {
            let x = engine.explain(c)?;
            let _ = write!(out, "{}", crate::cli::explained(&x));
        }
        return Ok(());
    }
    let mut sources = Vec::new();
    for path in &args.scripts {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::new(ErrorKind::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            })
        })?;
        sources.push(Source::new(path.display().to_string(), text));
    }
    for (i, c) in args.commands.iter().enumerate() {
        let name = if args.commands.len() == 1 {
            "<command>".to_string()
        } else {
            format!("<command {}>", i + 1)
        };
        sources.push(Source::new(name, c.as_str()));
    }
    if sources.is_empty() {
        return Err(
            Error::new(ErrorKind::Invalid("nothing to compile".into())).with_help(
                "give a script, or a query with -c: itq sql -c 'provinces count by region'",
            ),
        );
    }
    let built_in = engine.clone();
    let mut statements = Vec::new();
    let mut failed = None;
    for source in &sources {
        if let Err(e) = engine.sql_script(source, args.dialect, |sql| statements.push(sql)) {
            failed = Some(e);
            break;
        }
    }
    if args.with_tables {
        let tables = tables_read(&built_in, &statements, args.dialect);
        statements.splice(0..0, tables);
    }
    for (i, sql) in statements.iter().enumerate() {
        let _ = writeln!(out, "{}{sql}", if i > 0 { "\n" } else { "" });
    }
    out.flush().map_err(|e| {
        Error::new(ErrorKind::Write {
            path: Path::new("<standard output>").display().to_string(),
            message: e.to_string(),
        })
    })?;
    failed.map_or(Ok(()), Err)
}

/// CREATE TABLE statements for the built-in relations that `statements`
/// name (as a word; a view the statements make of the same name is theirs).
fn tables_read(built_in: &Engine, statements: &[String], dialect: Dialect) -> Vec<String> {
    let words: std::collections::BTreeSet<&str> = statements
        .iter()
        .flat_map(|s| s.split(|c: char| !(c.is_alphanumeric() || c == '_')))
        .collect();
    let views: Vec<&str> = statements
        .iter()
        .filter_map(|s| s.split_once(" VIEW ")?.1.split_whitespace().next())
        .collect();
    let mut out = Vec::new();
    for (name, relation) in built_in.catalog().relations() {
        if words.contains(name) && !views.iter().any(|v| v.trim_matches(['"', '`']) == name) {
            out.push(itq::sql::create_table(name, &relation.table, dialect).join("\n"));
        }
    }
    out
}
