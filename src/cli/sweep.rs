//! `ovation sweep`: runs every cell of a scenario's `[sweep]` table and writes the sweep folder
//! ([`crate::jobs::sweep()`], `docs/sweep.md`); here only the arguments, the progress bar, the
//! notes and the summary line.

use std::path::PathBuf;
use std::time::SystemTime;

use clap::Args;

use crate::cli::FolderArgs;
use crate::cli::progress::Bar;
use crate::jobs;
use crate::scenario;

/// Arguments of `ovation sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The scenario file (TOML) with a `[sweep]` table.
    pub scenario: PathBuf,
    /// Result folder, `--force`/`--resume`, `--set` and `--quiet`.
    #[command(flatten)]
    pub folder: FolderArgs,
}

/// Runs `ovation sweep`.
pub fn run(args: SweepArgs) -> anyhow::Result<i32> {
    let base = scenario::load(&args.scenario, &args.folder.set)?;
    let bar = Bar::new(args.folder.quiet);
    let name = format!("{}-sweep", base.name);
    let options = args.folder.options(&name, SystemTime::now(), &bar);
    if let Some(shard) = args.folder.shard {
        let outcome = jobs::sweep::sweep_shard(&base, &args.folder.set, shard, &options)?;
        return Ok(super::merge::shard_done(
            &outcome,
            &base.name,
            args.folder.quiet,
        ));
    }
    let outcome = jobs::sweep(&base, &args.folder.set, &options)?;
    if !args.folder.quiet {
        for note in &outcome.manifest.notes {
            eprintln!("ovation: note: {note}");
        }
        println!("{}", outcome.summary_line(&base.name));
        println!("results in {}", outcome.folder.display());
    }
    Ok(0)
}
