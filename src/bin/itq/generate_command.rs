//! `itq generate`: writes a synthetic data set as CSV (see [`itq::generate`]).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Writes made-up data for trying itq at scale and for benchmarks.
///
/// SYNTHETIC DATA: the rows are drawn from a seeded pseudo-random generator;
/// only the province names are real. Never cite them.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Which data set: `projects`, a synthetic project register with the
    /// columns id, province, sector, origin, year, investment, firm (10^5
    /// distinct names) and plant (integers up to 10^6).
    #[arg(value_enum)]
    pub what: DataSet,

    /// How many rows.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: usize,

    /// The seed: the same seed and row count always give the same file.
    #[arg(long, default_value_t = itq::generate::DEFAULT_SEED)]
    pub seed: u64,

    /// Write to this file (whole or not at all) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// With --out, replace FILE if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
}

/// The data sets `itq generate` can make.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DataSet {
    /// A synthetic project register.
    Projects,
}

/// Runs `itq generate`.
pub fn run(args: &GenerateArgs) -> ExitCode {
    let DataSet::Projects = args.what;
    if let Some(path) = args.out.as_ref().filter(|p| p.is_file() && !args.force) {
        let _ = writeln!(
            std::io::stderr(),
            "error: `{}` exists already\n = help: add --force to replace it",
            path.display()
        );
        return ExitCode::from(1);
    }
    let (result, target) = match &args.out {
        Some(path) => (
            itq::generate::write_csv_file(path, args.rows, args.seed),
            format!("`{}`", path.display()),
        ),
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
            (
                itq::generate::write_csv(&mut out, args.rows, args.seed),
                "the output".to_string(),
            )
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: cannot write {target}: {e}");
            ExitCode::from(1)
        }
    }
}
