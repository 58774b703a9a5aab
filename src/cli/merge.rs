//! `ovation merge SHARD... --out DIR`: joins the partial folders of a job's shards into the
//! folder the job would have written run whole ([`crate::jobs::merge`]); here only the
//! arguments and the summary line.

use std::path::PathBuf;

use clap::Args;

use crate::cli::progress::Bar;
use crate::jobs::{self, Destination, JobOptions, MergeOutcome, ShardOutcome};
use crate::output::FolderMode;

/// Arguments of `ovation merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shard folders (every shard of one job, in any order).
    #[arg(required = true, value_name = "SHARD_FOLDER")]
    pub shards: Vec<PathBuf>,
    /// The merged result folder.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an existing result folder.
    #[arg(long)]
    pub force: bool,
    /// No progress bar and no summary line.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `ovation merge`.
pub fn run(args: MergeArgs) -> anyhow::Result<i32> {
    let bar = Bar::new(args.quiet);
    let options = JobOptions {
        destination: Destination::Folder {
            dir: args.out.clone(),
            mode: if args.force {
                FolderMode::Force
            } else {
                FolderMode::New
            },
        },
        memory_limit: super::memory_limit(),
        progress: &bar,
    };
    let outcome = jobs::merge(&args.shards, &options)?;
    if !args.quiet {
        let what = match &outcome {
            MergeOutcome::Run(o) => format!("a run of {} replicates", o.results.len()),
            MergeOutcome::Sweep(o) => format!(
                "a sweep of {} cells, {} replicates",
                o.cells.len(),
                o.results.iter().map(Vec::len).sum::<usize>()
            ),
            MergeOutcome::Compare(o) => format!("a comparison of {} strategies", o.runs.len()),
        };
        println!("merged {} shards into {what}", args.shards.len());
        println!("results in {}", outcome.folder().display());
    }
    Ok(0)
}

/// Prints what a shard did (unless `quiet`) and returns the exit status.
pub fn shard_done(outcome: &ShardOutcome, name: &str, quiet: bool) -> i32 {
    if !quiet {
        println!("{}", outcome.summary_line(name));
        println!("results in {}", outcome.folder.display());
    }
    0
}
