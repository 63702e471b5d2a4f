//! The `itq` binary: parse arguments, run, exit with 0 (success), 1 (a query or
//! data error) or 2 (a usage error, reported by clap).

#[cfg(not(target_env = "msvc"))]
mod allocator;
mod cli;
mod fmt_command;
mod generate_command;
mod repl;
mod sql_command;
mod test_command;

use clap::Parser;

#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: allocator::Allocator = allocator::Allocator;

fn main() -> std::process::ExitCode {
    cli::run(cli::Cli::parse())
}
