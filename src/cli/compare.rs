//! `ovation compare SCENARIO`: runs every `[strategies.<name>]` of a scenario under common random
//! numbers and writes the comparison folder ([`crate::jobs::compare()`]); here only the
//! arguments, the progress bar and the headline.

use std::path::PathBuf;
use std::time::SystemTime;

use clap::Args;

use crate::cli::FolderArgs;
use crate::cli::progress::Bar;
use crate::jobs;
use crate::scenario::strategies::load_comparison;

/// Arguments of `ovation compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The scenario file (TOML) with `[strategies.<name>]` tables.
    pub scenario: PathBuf,
    /// Result folder, `--force`/`--resume`, `--set` and `--quiet`.
    #[command(flatten)]
    pub folder: FolderArgs,
}

/// Runs `ovation compare`.
pub fn run(args: CompareArgs) -> anyhow::Result<i32> {
    let cmp = load_comparison(&args.scenario, &args.folder.set)?;
    let bar = Bar::new(args.folder.quiet);
    let name = format!("{}-compare", cmp.base.name);
    let options = args.folder.options(&name, SystemTime::now(), &bar);
    if let Some(shard) = args.folder.shard {
        let outcome = jobs::compare::compare_shard(&cmp, shard, &options)?;
        return Ok(super::merge::shard_done(
            &outcome,
            &cmp.base.name,
            args.folder.quiet,
        ));
    }
    let outcome = jobs::compare(&cmp, &options)?;
    if !args.folder.quiet {
        println!(
            "{}: {} strategies x {} replicates",
            cmp.base.name,
            outcome.runs.len(),
            cmp.base.replicates
        );
        println!("{}", outcome.stats.headline.sentence);
        println!("results in {}", outcome.folder.display());
    }
    Ok(0)
}
