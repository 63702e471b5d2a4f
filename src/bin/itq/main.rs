//! The `itq` binary: parse arguments, run, exit with 0 (success), 1 (a query or
//! data error) or 2 (a usage error, reported by clap).

mod cli;
mod fmt_command;
mod generate_command;
mod repl;
mod sql_command;
mod test_command;

use clap::Parser;

fn main() -> std::process::ExitCode {
    cli::run(cli::Cli::parse())
}
