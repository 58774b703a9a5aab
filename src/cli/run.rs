//! `ovation run`: runs a scenario's replicates in parallel and writes its result folder
//! ([`crate::jobs::run()`]); here only the arguments, the progress bar and the summary line.

use std::path::PathBuf;
use std::time::SystemTime;

use clap::Args;

use crate::cli::FolderArgs;
use crate::cli::progress::Bar;
use crate::jobs;
use crate::scenario;

/// Arguments of `ovation run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Result folder, `--force`/`--resume`, `--set` and `--quiet`.
    #[command(flatten)]
    pub folder: FolderArgs,
    /// Also write agents.csv, each agent's end state per replicate (the same as `--set
    /// output.agents=true`; refused beyond 1,000,000 rows; docs/scenarios.md)
    #[arg(long)]
    pub agents: bool,
}

/// Runs `ovation run`.
pub fn run(args: RunArgs) -> anyhow::Result<i32> {
    let mut set = args.folder.set.clone();
    if args.agents {
        set.push("output.agents=true".into());
    }
    let scenario = scenario::load(&args.scenario, &set)?;
    let bar = Bar::new(args.folder.quiet);
    let options = args.folder.options(&scenario.name, SystemTime::now(), &bar);
    if let Some(shard) = args.folder.shard {
        let outcome = jobs::run::run_shard(&scenario, shard, &options)?;
        return Ok(super::merge::shard_done(
            &outcome,
            &scenario.name,
            args.folder.quiet,
        ));
    }
    let outcome = jobs::run(&scenario, &options)?;
    if !args.folder.quiet {
        println!("{}", outcome.summary_line(&scenario.name));
        if let Some(dir) = &outcome.folder {
            println!("results in {}", dir.display());
        }
    }
    Ok(0)
}
