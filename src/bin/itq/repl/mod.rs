//! The interactive prompt: the read-run-print loop, history kept across
//! sessions, and meta-commands. Nothing ends the session but `.quit` or
//! Ctrl-D: an error prints and the prompt comes back.

mod complete;
mod helper;
mod highlight;
mod meta;
mod validate;

use crate::cli::run_source_with;
use helper::{Enter, Helper};
use itq::{Engine, Format, RenderOptions, Source};
use meta::Meta;
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{Config, Editor, EventHandler, KeyCode, KeyEvent, Modifiers};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// The prompt's settings, changed by meta-commands.
struct Settings {
    format: Format,
    /// 0: show every row.
    max_rows: usize,
    timer: bool,
    /// The terminal's width, when known.
    width: Option<u16>,
    /// The last entry that ended in a query, for `.why`.
    last_query: Option<String>,
}

/// Where history is kept: `$ITQ_HISTORY`, else `$XDG_DATA_HOME/itq/history`,
/// else `~/.local/share/itq/history`. `env` looks a variable up (empty counts as unset).
pub fn history_path(env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let var = |name: &str| env(name).filter(|v| !v.is_empty());
    if let Some(p) = var("ITQ_HISTORY") {
        return Some(PathBuf::from(p));
    }
    let data = var("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|h| Path::new(&h).join(".local/share")))?;
    Some(data.join("itq").join("history"))
}

/// History with `entry` added as the newest, and any earlier copy of it
/// removed. A URL's password (`attach "postgres://ann:pw@..."`) is left out.
pub fn add_unique(history: &[String], entry: &str) -> Vec<String> {
    let entry = itq::attach::redact_text(entry);
    let mut out: Vec<String> = history.iter().filter(|e| **e != entry).cloned().collect();
    out.push(entry);
    out
}

/// True when output may be coloured: a terminal, and `NO_COLOR` unset or empty.
pub fn colour_wanted() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Runs the prompt until `.quit` or end of input.
pub fn run(mut engine: Engine, format: Format) -> ExitCode {
    println!(
        "itq {} — {}; type .help",
        env!("CARGO_PKG_VERSION"),
        engine.catalog().counts()
    );
    let config = Config::builder()
        .auto_add_history(false)
        .max_history_size(10_000)
        .map(|b| b.completion_type(rustyline::CompletionType::List));
    let config = match config {
        Ok(b) => b.build(),
        Err(e) => return start_failed(&e),
    };
    let mut editor: Editor<Helper, FileHistory> = match Editor::with_config(config) {
        Ok(e) => e,
        Err(e) => return start_failed(&e),
    };
    editor.set_helper(Some(Helper::new(engine.clone(), colour_wanted())));
    for key in [
        KeyEvent(KeyCode::Enter, Modifiers::NONE),
        KeyEvent::ctrl('J'),
    ] {
        editor.bind_sequence(key, EventHandler::Conditional(Box::new(Enter)));
    }
    // Ctrl-C while a query runs cancels it. While a line is edited the
    // terminal is in raw mode, so Ctrl-C reaches rustyline (which clears the
    // line) instead of raising this signal.
    let interrupt = engine.interrupt_handle();
    if let Err(e) = ctrlc::set_handler(move || interrupt.cancel()) {
        eprintln!("warning: Ctrl-C will not cancel queries: {e}");
    }
    let history = history_path(|v| std::env::var(v).ok());
    if let Some(path) = &history {
        // A missing file is a first session; an unreadable one is not worth stopping for.
        if path.exists() {
            if let Err(e) = editor.load_history(path) {
                eprintln!("warning: cannot read history {}: {e}", path.display());
            }
        }
    }
    let mut settings = Settings {
        format,
        max_rows: 40,
        timer: false,
        width: None,
        last_query: None,
    };
    loop {
        match editor.readline("itq> ") {
            Ok(entry) => {
                if entry.trim().is_empty() {
                    continue;
                }
                remember(&mut editor, entry.trim_end(), history.as_deref());
                settings.width = editor
                    .dimensions()
                    .and_then(|(cols, _)| u16::try_from(cols).ok());
                let started = Instant::now();
                let text = validate::join_continuations(entry.trim_end());
                // Entries that run statements are timed; settings are not.
                let ran = if let Some(meta) = text.trim_start().strip_prefix('.') {
                    match meta::parse(meta) {
                        Ok(Meta::Quit) => break,
                        Ok(m) => {
                            let runs = matches!(m, Meta::Read(_) | Meta::Sources | Meta::Why(_));
                            run_meta(&mut engine, &mut settings, m);
                            runs
                        }
                        Err(message) => {
                            eprintln!("error: {message}");
                            false
                        }
                    }
                } else {
                    let query = ends_in_query(&text).then(|| text.clone());
                    let ok = run_text(&mut engine, &settings, &Source::new("<query>", text));
                    // `.why` explains the last result: a query that failed
                    // left none, and is not run again.
                    if let Some(query) = query {
                        settings.last_query = ok.then_some(query);
                    }
                    true
                };
                if ran && settings.timer {
                    println!("time: {:.1} ms", started.elapsed().as_secs_f64() * 1000.0);
                }
                if let Some(h) = editor.helper_mut() {
                    h.engine = engine.clone();
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

fn start_failed(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: cannot start the prompt: {e}");
    ExitCode::from(1)
}

/// Adds `entry` to history (removing an older copy) and saves it.
fn remember(editor: &mut Editor<Helper, FileHistory>, entry: &str, path: Option<&Path>) {
    let old: Vec<String> = editor.history().iter().cloned().collect();
    let _ = editor.clear_history();
    for e in add_unique(&old, entry) {
        let _ = editor.add_history_entry(e);
    }
    if let Some(path) = path {
        let saved = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .map_err(ReadlineError::from)
            .and_then(|()| editor.save_history(path));
        if let Err(e) = saved {
            eprintln!("warning: cannot save history to {}: {e}", path.display());
        }
    }
}

/// Runs statements, printing results and errors; the session goes on either way.
/// Runs `source`, printing its results or its error; false on an error.
fn run_text(engine: &mut Engine, settings: &Settings, source: &std::sync::Arc<Source>) -> bool {
    let options = RenderOptions {
        max_rows: (settings.max_rows > 0).then_some(settings.max_rows),
        width: settings.width,
    };
    let Err(e) = run_source_with(
        engine,
        source,
        settings.format,
        &options,
        &mut std::io::stdout().lock(),
    ) else {
        return true;
    };
    // The terminal echoed `^C` where the cursor was: start the message below it.
    if e.kind() == &itq::ErrorKind::Cancelled {
        eprintln!();
    }
    eprint!("{}", e.render());
    false
}

/// Whether the last statement of `text` is a query (what `.why` explains).
fn ends_in_query(text: &str) -> bool {
    itq::syntax::parse_script(text).is_ok_and(|s| {
        s.statements
            .last()
            .is_some_and(|st| matches!(st.kind, itq::syntax::ast::StatementKind::Query(_)))
    })
}

/// `.why N`: the stored rows behind row N of the last result, as a table.
fn why(engine: &mut Engine, settings: &Settings, row: u64) {
    let Some(text) = &settings.last_query else {
        eprintln!(
            "error: there is no result to explain (no query has run, or the last one failed); run a query, then `.why N` for its row N"
        );
        return;
    };
    let options = RenderOptions {
        max_rows: (settings.max_rows > 0).then_some(settings.max_rows),
        width: settings.width,
    };
    match engine.why(text, row) {
        Ok(table) => {
            match itq::Printer::new(settings.format, options).print(&itq::Output::Table(table)) {
                Ok(itq::Printed::Result(text)) => print!("{text}"),
                Ok(_) => {}
                Err(e) => eprint!("{}", e.render()),
            }
        }
        Err(e) => eprint!("{}", e.render()),
    }
}

fn run_meta(engine: &mut Engine, settings: &mut Settings, m: Meta) {
    match m {
        Meta::Quit => {}
        Meta::Help(topic) => match (meta::help(topic.as_deref()), topic) {
            (Ok(text), _) => print!("{text}"),
            // Not a meta-command: a relation, def, value, function or aggregate.
            (Err(_), Some(name)) if !name.starts_with('.') => match engine.help(&name) {
                Ok(text) => println!("{}", text.trim_end()),
                Err(e) => eprint!("{}", e.render()),
            },
            (Err(message), _) => eprintln!("error: {message}"),
        },
        Meta::Tables => {
            for (name, rel) in engine.catalog().relations() {
                println!(
                    "{name:<22} {:>6} rows  {}",
                    rel.table.num_rows(),
                    rel.doc.as_deref().unwrap_or("")
                );
            }
            for (db_name, db) in engine.catalog().databases() {
                for (table, t) in &db.tables {
                    println!(
                        "{:<22} {:>6} cols  a table of `{db_name}` ({} at {})",
                        format!("{db_name}.{table}"),
                        t.fields.len(),
                        db.engine,
                        db.location
                    );
                }
            }
            for (name, def) in engine.catalog().defs() {
                let params: Vec<&str> = def.params.iter().map(|p| p.name.as_str()).collect();
                println!(
                    "{:<34} {}",
                    format!("{name}({})", params.join(", ")),
                    def.doc.as_deref().unwrap_or("")
                );
            }
        }
        Meta::Schema(name) => match engine.describe(&name) {
            Ok(d) => {
                let title = match &d.params {
                    Some(ps) => format!("{name}({})", ps.join(", ")),
                    None => name.clone(),
                };
                println!("{title}: {}", d.doc.as_deref().unwrap_or(""));
                let width = d
                    .fields
                    .iter()
                    .map(|f| f.name.chars().count())
                    .max()
                    .unwrap_or(0);
                for f in &d.fields {
                    println!("  {:<width$}  {}", f.name, f.ty);
                }
            }
            Err(e) => eprintln!(
                "error: {}{}",
                e.kind(),
                e.help().map_or(String::new(), |h| format!("; {h}"))
            ),
        },
        Meta::Format(f) => settings.format = f,
        Meta::MaxRows(n) => settings.max_rows = n,
        Meta::Timer(on) => settings.timer = on,
        Meta::Limits(set) => {
            let mut limits = engine.limits();
            match set {
                None => {}
                Some(meta::Limit::Memory(n)) => limits.memory = n,
                Some(meta::Limit::Rows(n)) => limits.rows = n,
                Some(meta::Limit::Text(n)) => limits.text = n,
            }
            engine.set_limits(limits);
            print!("{}", limits.describe());
        }
        Meta::Read(path) => match std::fs::read_to_string(&path) {
            Ok(text) => {
                run_text(engine, settings, &Source::file(&path, text));
            }
            Err(e) => eprintln!("error: cannot read `{}`: {e}", path.display()),
        },
        Meta::Sql(dialect, query) => match engine.to_sql(&query, dialect) {
            Ok(sql) => println!("{sql};"),
            Err(e) => eprint!("{}", e.render()),
        },
        Meta::Explain(query) => match engine.explain(&query) {
            Ok(x) => print!("{}", crate::cli::explained(&x)),
            Err(e) => eprint!("{}", e.render()),
        },
        Meta::Sources => {
            run_text(engine, settings, &Source::new("<query>", "sources"));
        }
        Meta::Cite(on) => {
            engine.set_cite(on);
            println!(
                "{}",
                if on {
                    "citing every result: a `sources` column and a legend"
                } else {
                    "results are no longer cited (end a query with `cite` to cite one)"
                }
            );
        }
        Meta::Why(row) => why(engine, settings, row),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_lives_in_the_xdg_data_directory_unless_overridden() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            history_path(env(&[("HOME", "/home/a")])),
            Some(PathBuf::from("/home/a/.local/share/itq/history"))
        );
        assert_eq!(
            history_path(env(&[("HOME", "/home/a"), ("XDG_DATA_HOME", "/data")])),
            Some(PathBuf::from("/data/itq/history"))
        );
        assert_eq!(
            history_path(env(&[
                ("XDG_DATA_HOME", "/data"),
                ("ITQ_HISTORY", "/tmp/h")
            ])),
            Some(PathBuf::from("/tmp/h"))
        );
        assert_eq!(history_path(env(&[("XDG_DATA_HOME", "")])), None);
    }

    #[test]
    fn history_keeps_one_copy_of_each_entry_newest_last() {
        let h = vec!["a".to_string(), "b\n     c".to_string(), "d".to_string()];
        assert_eq!(add_unique(&h, "a"), ["b\n     c", "d", "a"]);
        assert_eq!(add_unique(&h, "e"), ["a", "b\n     c", "d", "e"]);
        assert_eq!(
            add_unique(&[], "attach \"postgres://ann:pw@h/db\" as wh"),
            ["attach \"postgres://ann@h/db\" as wh"]
        );
    }
}
