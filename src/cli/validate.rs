//! `ovation validate FILE... [--set KEY=VALUE]...`: checks scenario files without running them.
//!
//! Every error of every file is printed on standard error, one per line
//! (`FILE:LINE:COL: KEY: expected ..., found ...`); each file without errors gets `FILE: ok` on
//! standard output. The exit status is 2 when any file had an error, 0 otherwise. The `--set`
//! overrides apply to every file, as they would to `ovation run`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::scenario;

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files to check.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Override a key before checking, e.g. `--set model.quality=0.6` (repeatable; the value is
    /// TOML, or else a string).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// Checks every file; returns the exit status (2 if any file had an error, else 0).
pub fn run(args: ValidateArgs) -> anyhow::Result<i32> {
    let mut failed = false;
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    for file in &args.files {
        match scenario::load_with_strategies(file, &args.set) {
            Ok(s) => {
                // A comparison must know which direction of its headline is better.
                if s.resolved.contains_key("strategies")
                    && let Ok(cmp) = crate::scenario::strategies::load_comparison(file, &args.set)
                    && let Err(e) = crate::jobs::compare::check_goal(&cmp)
                {
                    failed = true;
                    writeln!(stderr.lock(), "{e}")?;
                    continue;
                }
                let threads = rayon::current_num_threads() as u64;
                let estimate = crate::scenario::memory::estimate(&s, threads);
                let limit = crate::cli::memory_limit();
                match crate::scenario::memory::check(&estimate, limit) {
                    Ok(()) => writeln!(
                        stdout.lock(),
                        "{}: ok; memory needed: {estimate}; limit {}",
                        file.display(),
                        crate::scenario::memory::bytes_text(limit)
                    )?,
                    Err(e) => {
                        failed = true;
                        writeln!(stderr.lock(), "{}: {e}", file.display())?;
                    }
                }
            }
            Err(errors) => {
                failed = true;
                let mut err = stderr.lock();
                for e in &errors.0 {
                    writeln!(err, "{e}")?;
                }
            }
        }
    }
    Ok(if failed { 2 } else { 0 })
}
