//! `ovation report DIR`: rebuilds `DIR/report.html` from the files of a result folder (a run,
//! a sweep or a comparison), e.g. after editing nothing but wanting the page again, or for a
//! folder written before reports existed.

use std::path::PathBuf;

use clap::Args;

use crate::output::report::write_report;

/// Arguments of `ovation report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The result folder (it must hold a manifest.json).
    pub dir: PathBuf,
    /// Print nothing.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `ovation report`.
pub fn run(args: ReportArgs) -> anyhow::Result<i32> {
    let path = write_report(&args.dir)?;
    if !args.quiet {
        println!("{}", path.display());
    }
    Ok(0)
}
