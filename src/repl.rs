//! A basic interactive prompt: one entry per line, results as tables, errors
//! that never end the session. `.quit` or Ctrl-D leaves; Ctrl-C clears the line.

use crate::cli::run_source;
use itq::{Engine, Format, Source};
use rustyline::error::ReadlineError;
use std::process::ExitCode;

const HELP: &str = "\
Type a query and press Enter, for example:
  provinces count by region
  events where province = \"Gansu\" select projects, value
Meta-commands:
  .help          this text
  .tables        the relations and defs you can query
  .schema NAME   the columns of a relation
  .quit          leave (or press Ctrl-D)
";

/// Runs the prompt until `.quit` or end of input.
pub fn run(mut engine: Engine, format: Format) -> ExitCode {
    let relations = engine.catalog().relations().count();
    let facts: usize = engine
        .catalog()
        .relations()
        .map(|(_, r)| r.table.num_rows())
        .sum();
    println!(
        "itq {} — {relations} relations, {facts} facts loaded; type .help",
        env!("CARGO_PKG_VERSION")
    );
    let mut editor = match rustyline::DefaultEditor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start the prompt: {e}");
            return ExitCode::from(1);
        }
    };
    loop {
        match editor.readline("itq> ") {
            Ok(line) => {
                let line = line.trim();
                if line.is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(line);
                if let Some(meta) = line.strip_prefix('.') {
                    if !meta_command(&engine, meta) {
                        break;
                    }
                    continue;
                }
                if let Err(e) = run_source(
                    &mut engine,
                    &Source::new("<query>", line),
                    format,
                    &mut std::io::stdout().lock(),
                ) {
                    eprint!("{}", e.render());
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        }
    }
    ExitCode::SUCCESS
}

/// Runs a meta-command; false means leave.
fn meta_command(engine: &Engine, text: &str) -> bool {
    let mut words = text.split_whitespace();
    let cmd = words.next().unwrap_or("");
    match cmd {
        "quit" | "exit" | "q" => return false,
        "help" => print!("{HELP}"),
        "tables" => {
            for (name, rel) in engine.catalog().relations() {
                println!(
                    "{name:<22} {:>4} rows  {}",
                    rel.table.num_rows(),
                    rel.doc.as_deref().unwrap_or("")
                );
            }
            for (name, def) in engine.catalog().defs() {
                let params: Vec<&str> = def.params.iter().map(|p| p.name.as_str()).collect();
                println!(
                    "{:<32} {}",
                    format!("{name}({})", params.join(", ")),
                    def.doc.as_deref().unwrap_or("")
                );
            }
        }
        "schema" => match words
            .next()
            .and_then(|n| engine.catalog().relation(n).map(|r| (n, r)))
        {
            Some((name, rel)) => {
                println!("{name}: {}", rel.doc.as_deref().unwrap_or(""));
                for f in rel.table.fields() {
                    println!("  {:<16} {}", f.name, f.ty);
                }
            }
            None => {
                let names: Vec<&str> = engine.catalog().relations().map(|(n, _)| n).collect();
                eprintln!(
                    "usage: .schema NAME, where NAME is one of: {}",
                    names.join(", ")
                );
            }
        },
        other => eprintln!("error: unknown meta-command `.{other}`; type .help for the list"),
    }
    true
}
