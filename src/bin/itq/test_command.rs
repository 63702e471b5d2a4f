//! `itq test [PATH ...] [--update]`: checks saved scripts against their `.out`
//! files and Markdown examples against their text blocks, printing a unified
//! diff for each difference. The checking itself is `itq::testing`.

use itq::testing::scripts::{self, Outcome};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `itq test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Scripts (.itq), Markdown files (.md) or folders to search for them.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Rewrite the expected output (create missing .out files) instead of
    /// comparing. A script that ends in an error is not blessed unless its
    /// first lines hold `# test: expect error`.
    #[arg(long, visible_alias = "bless")]
    pub update: bool,

    /// Set a script parameter for every script, over the scripts' own
    /// `# test: param NAME=VALUE` lines (e.g. --param province=Gansu).
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = crate::cli::key_value)]
    pub params: Vec<(String, String)>,
}

/// Checks every file; exit code 0 when all pass, 1 when any differs, has no
/// expected output or cannot be read.
pub fn run(args: &TestArgs) -> ExitCode {
    let targets = match scripts::collect(&args.paths) {
        Ok(t) => t,
        Err(e) => {
            eprint!("{}", e.render());
            return ExitCode::from(1);
        }
    };
    let (mut passed, mut failed, mut missing, mut updated) = (0, 0, 0, 0);
    let mut out = String::new();
    for target in &targets {
        let path = target.path().display();
        let options = scripts::Options {
            update: args.update,
            params: args.params.clone(),
        };
        match scripts::check_with(target, &options) {
            Outcome::Passed => {
                passed += 1;
                out.push_str(&format!("ok       {path}\n"));
            }
            Outcome::Updated => {
                updated += 1;
                out.push_str(&format!("updated  {path}\n"));
            }
            Outcome::NoExpected { expected } => {
                missing += 1;
                out.push_str(&format!(
                    "no .out  {path}: `{}` does not exist; run `itq test --update {path}` to create it from the script's output\n",
                    expected.display()
                ));
            }
            Outcome::Failed(mismatches) => {
                failed += 1;
                out.push_str(&format!("FAILED   {path}\n"));
                for m in mismatches {
                    out.push_str(&format!("\n{m}\n"));
                }
            }
            Outcome::Unreadable(e) => {
                failed += 1;
                out.push_str(&format!("FAILED   {path}\n{}\n", e.render()));
            }
        }
    }
    if targets.is_empty() {
        out.push_str("no scripts (.itq) or Markdown files (.md) found\n");
    }
    let mut summary = format!("{} passed, {failed} failed", passed + updated);
    if missing > 0 {
        summary.push_str(&format!(", {missing} without expected output"));
    }
    if updated > 0 {
        summary.push_str(&format!(" ({updated} updated)"));
    }
    out.push_str(&format!("\n{summary}\n"));
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush());
    if failed > 0 || missing > 0 || targets.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
