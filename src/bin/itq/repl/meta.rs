//! Meta-commands (`.help`, `.tables`, `.schema REL`, ...): the table of them,
//! and parsing a typed line into a [`Meta`]. Running them is the prompt's job.

use itq::error::closest;
use itq::Format;
use std::path::PathBuf;

/// One meta-command, as `.help` lists it.
pub struct Command {
    /// The name, without the dot.
    pub name: &'static str,
    /// Its arguments, as shown in `.help`.
    pub args: &'static str,
    /// One line on what it does.
    pub help: &'static str,
}

/// Every meta-command, in the order `.help` lists them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "help",
        args: "[TOPIC]",
        help: "this list; or one command, `keys`, or a relation, def, value or function",
    },
    Command {
        name: "tables",
        args: "",
        help: "the relations and defs you can query",
    },
    Command {
        name: "schema",
        args: "REL",
        help: "the columns of a relation and their types",
    },
    Command {
        name: "format",
        args: "table|csv|json|ndjson|markdown",
        help: "how results print",
    },
    Command {
        name: "maxrows",
        args: "N",
        help: "show at most N rows of a table (0: all); default 40",
    },
    Command {
        name: "timer",
        args: "on|off",
        help: "print how long each entry took",
    },
    Command {
        name: "limits",
        args: "[memory|rows|text VALUE]",
        help: "show the limits, or set one (.limits memory 4G)",
    },
    Command {
        name: "read",
        args: "FILE",
        help: "run the statements in an itq file",
    },
    Command {
        name: "sql",
        args: "[DIALECT] QUERY",
        help: "the SQL of a query (duckdb unless postgres, sqlite, spark, trino or ansi is named)",
    },
    Command {
        name: "cite",
        args: "on|off",
        help: "add each result row's sources and a legend to every result (as the `cite` clause does)",
    },
    Command {
        name: "why",
        args: "N",
        help: "the fact rows behind row N of the last result, each with its quoted sentence",
    },
    Command {
        name: "explain",
        args: "QUERY",
        help: "what a query runs where: the SQL sent to each attached database",
    },
    Command {
        name: "sources",
        args: "",
        help: "the articles, standards and general knowledge the fact base cites (the `sources` relation)",
    },
    Command {
        name: "quit",
        args: "",
        help: "leave (or press Ctrl-D)",
    },
];

const KEYS: &str = "\
Keys:
  Tab            complete a relation, column, function, value or file name
  Enter          run the entry; an unfinished one (ending in `where`, `and`,
                 a comma or inside parentheses) continues on the next line
  Up, Down       earlier entries; Ctrl-R searches them
  Right          accept the greyed suggestion from history
  Ctrl-C         clear the line, or cancel a running query
  Ctrl-D         leave
History is kept in $XDG_DATA_HOME/itq/history (~/.local/share/itq/history),
or in the file named by ITQ_HISTORY.
";

/// A parsed meta-command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Meta {
    /// `.help [TOPIC]`.
    Help(Option<String>),
    /// `.tables`.
    Tables,
    /// `.schema REL`.
    Schema(String),
    /// `.format FORMAT`.
    Format(Format),
    /// `.maxrows N` (0: no limit).
    MaxRows(usize),
    /// `.timer on|off`.
    Timer(bool),
    /// `.limits` (show them) or `.limits memory|rows|text VALUE`.
    Limits(Option<Limit>),
    /// `.read FILE`.
    Read(PathBuf),
    /// `.sql [DIALECT] QUERY`.
    Sql(itq::sql::Dialect, String),
    /// `.explain QUERY`.
    Explain(String),
    /// `.sources`.
    Sources,
    /// `.cite on|off`.
    Cite(bool),
    /// `.why N` (from 1).
    Why(u64),
    /// `.quit`.
    Quit,
}

/// One limit set with `.limits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Bytes one step may build.
    Memory(u64),
    /// Rows one step may produce.
    Rows(u64),
    /// Bytes one text value may hold.
    Text(u64),
}

/// The command a (possibly abbreviated) name stands for: an exact name or an
/// unambiguous prefix. Otherwise an error naming the choices or the nearest one.
pub fn resolve(word: &str) -> Result<&'static str, String> {
    let word = word.to_lowercase();
    if matches!(word.as_str(), "exit" | "q") {
        return Ok("quit");
    }
    if let Some(c) = COMMANDS.iter().find(|c| c.name == word) {
        return Ok(c.name);
    }
    let matching: Vec<&str> = COMMANDS
        .iter()
        .map(|c| c.name)
        .filter(|n| !word.is_empty() && n.starts_with(&word))
        .collect();
    match matching.as_slice() {
        [one] => Ok(one),
        [] => Err(match closest(&word, COMMANDS.iter().map(|c| c.name)) {
            // Statements, not meta-commands: say how they are written.
            _ if matches!(word.as_str(), "load" | "save" | "describe" | "let" | "def") => format!(
                "`{word}` is a statement, written without the dot: e.g. {}",
                match word.as_str() {
                    "load" => "load \"data.csv\" as name",
                    "save" => "save events to \"events.csv\"",
                    "describe" => "describe events",
                    "let" => "let west = provinces where region = \"west\"",
                    _ => "def in_region(r) = provinces where region = r",
                }
            ),
            Some(c) => format!("unknown meta-command `.{word}`; did you mean `.{c}`?"),
            None => format!("unknown meta-command `.{word}`; type .help for the list"),
        }),
        many => Err(format!(
            "`.{word}` could be {}; type more letters",
            many.iter()
                .map(|n| format!("`.{n}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        )),
    }
}

/// Parses a meta-command line (the text after the dot).
pub fn parse(text: &str) -> Result<Meta, String> {
    let text = text.trim();
    let (word, rest) = text
        .split_once(char::is_whitespace)
        .map_or((text, ""), |(w, r)| (w, r.trim()));
    let name = resolve(word)?;
    let usage = || {
        let c = COMMANDS
            .iter()
            .find(|c| c.name == name)
            .expect("resolve returns a listed name");
        format!("usage: .{} {}", c.name, c.args)
    };
    let no_args = |m: Meta| {
        if rest.is_empty() {
            Ok(m)
        } else {
            Err(format!(".{name} takes no argument"))
        }
    };
    match name {
        "help" => Ok(Meta::Help((!rest.is_empty()).then(|| rest.to_string()))),
        "tables" => no_args(Meta::Tables),
        "sources" => no_args(Meta::Sources),
        "quit" => no_args(Meta::Quit),
        "schema" if !rest.is_empty() && !rest.contains(char::is_whitespace) => {
            Ok(Meta::Schema(rest.trim_matches('`').to_string()))
        }
        "format" => match rest.to_lowercase().as_str() {
            "table" => Ok(Meta::Format(Format::Table)),
            "csv" => Ok(Meta::Format(Format::Csv)),
            "json" => Ok(Meta::Format(Format::Json)),
            "ndjson" | "jsonl" => Ok(Meta::Format(Format::Ndjson)),
            "markdown" | "md" => Ok(Meta::Format(Format::Markdown)),
            _ => Err(usage()),
        },
        "maxrows" => rest
            .replace('_', "")
            .parse()
            .map(Meta::MaxRows)
            .map_err(|_| format!("{} (a whole number, 0 for all rows)", usage())),
        "timer" => match rest.to_lowercase().as_str() {
            "on" => Ok(Meta::Timer(true)),
            "off" => Ok(Meta::Timer(false)),
            _ => Err(usage()),
        },
        "cite" => match rest.to_lowercase().as_str() {
            "on" => Ok(Meta::Cite(true)),
            "off" => Ok(Meta::Cite(false)),
            _ => Err(usage()),
        },
        "why" => rest
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .map(Meta::Why)
            .ok_or_else(|| format!("{} (the row's number, from 1, as printed)", usage())),
        "limits" if rest.is_empty() => Ok(Meta::Limits(None)),
        "limits" => {
            let (which, value) = rest
                .split_once(char::is_whitespace)
                .map_or((rest, ""), |(w, v)| (w, v.trim()));
            let size = || {
                itq::limits::parse_bytes(value)
                    .ok_or_else(|| format!("`{value}` is not a size; write it like 512M or 4G"))
            };
            match which.to_lowercase().as_str() {
                "memory" => Ok(Meta::Limits(Some(Limit::Memory(size()?)))),
                "text" => Ok(Meta::Limits(Some(Limit::Text(size()?)))),
                "rows" => value
                    .replace(['_', ','], "")
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .map(|n| Meta::Limits(Some(Limit::Rows(n))))
                    .ok_or_else(|| format!("`{value}` is not a number of rows")),
                _ => Err(usage()),
            }
        }
        "explain" if !rest.is_empty() => Ok(Meta::Explain(rest.to_string())),
        "explain" => Err("usage: .explain QUERY".into()),
        "sql" if !rest.is_empty() => {
            let (first, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            Ok(match first.parse::<itq::sql::Dialect>() {
                Ok(d) if !after.trim().is_empty() => Meta::Sql(d, after.trim().to_string()),
                _ => Meta::Sql(itq::sql::Dialect::DuckDb, rest.to_string()),
            })
        }
        "read" if !rest.is_empty() => Ok(Meta::Read(PathBuf::from(
            rest.trim_matches(|c| c == '"' || c == '\''),
        ))),
        _ => Err(usage()),
    }
}

/// The topics `.help TOPIC` knows: each command and `keys`.
pub fn topics() -> Vec<&'static str> {
    let mut t: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
    t.push("keys");
    t
}

/// The text of `.help` (all commands) or `.help TOPIC`.
pub fn help(topic: Option<&str>) -> Result<String, String> {
    let line = |c: &Command| format!("  .{:<30} {}\n", format!("{} {}", c.name, c.args), c.help);
    match topic.map(|t| t.trim_start_matches('.').to_lowercase()) {
        None => {
            let mut s = String::from(
                "Type a query and press Enter, for example:\n  provinces count by region\n  events where province = \"Gansu\" select projects, value\n  events sum value by province chart\nMeta-commands (any unambiguous prefix works, e.g. .sch):\n",
            );
            for c in COMMANDS {
                s.push_str(&line(c));
            }
            s.push_str("Type .help keys for the keys and where history is kept, and .help NAME\nfor what a relation, def, value, function, statement or clause is\n(.help events, .help round, .help load, .help join).\n");
            Ok(s)
        }
        Some(t) if t == "keys" => Ok(KEYS.to_string()),
        Some(t) => {
            let name = resolve(&t).map_err(|_| match closest(&t, topics()) {
                Some(c) => format!("no help on `{t}`; did you mean `{c}`?"),
                None => format!("no help on `{t}`; the topics are {}", topics().join(", ")),
            })?;
            let c = COMMANDS
                .iter()
                .find(|c| c.name == name)
                .expect("resolve returns a listed name");
            Ok(line(c))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_with_their_arguments() {
        assert_eq!(parse("help"), Ok(Meta::Help(None)));
        assert_eq!(parse("help schema"), Ok(Meta::Help(Some("schema".into()))));
        assert_eq!(parse("tables"), Ok(Meta::Tables));
        assert_eq!(
            parse("schema projects"),
            Ok(Meta::Schema("projects".into()))
        );
        assert_eq!(parse("format csv"), Ok(Meta::Format(Format::Csv)));
        assert_eq!(parse("maxrows 10"), Ok(Meta::MaxRows(10)));
        assert_eq!(parse("timer on"), Ok(Meta::Timer(true)));
        assert_eq!(parse("read a b.itq"), Ok(Meta::Read("a b.itq".into())));
        assert_eq!(parse("sources"), Ok(Meta::Sources));
        assert_eq!(parse("quit"), Ok(Meta::Quit));
        assert_eq!(parse("exit"), Ok(Meta::Quit));
    }

    #[test]
    fn sql_takes_an_optional_dialect_then_the_query() {
        use itq::sql::Dialect;
        assert_eq!(
            parse("sql postgres events count"),
            Ok(Meta::Sql(Dialect::Postgres, "events count".into()))
        );
        assert_eq!(
            parse("sql events count"),
            Ok(Meta::Sql(Dialect::DuckDb, "events count".into()))
        );
    }

    #[test]
    fn unambiguous_prefixes_work() {
        assert_eq!(parse("sch projects"), Ok(Meta::Schema("projects".into())));
        assert_eq!(parse("ta"), Ok(Meta::Tables));
        assert_eq!(parse("ti off"), Ok(Meta::Timer(false)));
        assert_eq!(parse("fo json"), Ok(Meta::Format(Format::Json)));
        assert_eq!(
            parse("s"),
            Err("`.s` could be `.schema` or `.sql` or `.sources`; type more letters".into())
        );
    }

    #[test]
    fn unknown_commands_suggest_the_nearest() {
        assert_eq!(
            parse("tabels"),
            Err("unknown meta-command `.tabels`; did you mean `.tables`?".into())
        );
        assert_eq!(
            parse("zzzzzz"),
            Err("unknown meta-command `.zzzzzz`; type .help for the list".into())
        );
    }

    #[test]
    fn a_statement_typed_as_a_meta_command_is_shown_as_a_statement() {
        assert_eq!(
            parse("load x.csv"),
            Err(
                "`load` is a statement, written without the dot: e.g. load \"data.csv\" as name"
                    .into()
            )
        );
    }

    #[test]
    fn bad_arguments_show_the_usage() {
        assert_eq!(
            parse("format xml"),
            Err("usage: .format table|csv|json|ndjson|markdown".into())
        );
        assert_eq!(parse("schema"), Err("usage: .schema REL".into()));
        assert_eq!(
            parse("maxrows many"),
            Err("usage: .maxrows N (a whole number, 0 for all rows)".into())
        );
        assert_eq!(parse("timer maybe"), Err("usage: .timer on|off".into()));
        assert_eq!(parse("tables x"), Err(".tables takes no argument".into()));
    }

    #[test]
    fn every_command_has_a_help_line() {
        let all = help(None).unwrap();
        for c in COMMANDS {
            assert!(all.contains(&format!(".{} ", c.name)), "{}", c.name);
        }
        assert!(help(Some("sch")).unwrap().contains(".schema REL"));
        assert!(help(Some("keys")).unwrap().contains("Ctrl-R"));
        assert_eq!(
            help(Some("tabls")),
            Err("no help on `tabls`; did you mean `tables`?".into())
        );
    }
}
