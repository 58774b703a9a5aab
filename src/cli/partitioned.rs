//! `ovation partitioned SCENARIO --out DIR -- -w W -n N -p P -h HOSTFILE`: the threshold
//! cascade or the Standing Ovation rule partitioned across timely-dataflow workers and
//! processes ([`crate::distributed`]). Without `--replicate` every replicate of the scenario,
//! written by process 0 as a result folder ([`crate::jobs::partitioned`], with `--force` and
//! `--resume`); with `--replicate R` that replicate's files only; `--engine` runs replicate R
//! on the single-process engine and writes the same files, the reference a partitioned run
//! must equal byte for byte.

use std::path::PathBuf;

use clap::Args;

use crate::distributed::{self, Loading, PartitionedRun, ProcessPart};
use crate::jobs::partitioned::partitioned;
use crate::output::{FolderMode, write_atomic};
use crate::scenario;

/// Arguments of `ovation partitioned`.
#[derive(Debug, Args)]
pub struct PartitionedArgs {
    /// The scenario file (TOML), `rule = "threshold"` or `rule = "sop"`.
    pub scenario: PathBuf,
    /// The folder for the result files and exchange.csv (written by the process that hosts
    /// worker 0).
    #[arg(long)]
    pub out: PathBuf,
    /// Run only this replicate and write its files (cascade.csv and active.txt, or steps.csv,
    /// outcome.csv and actions.csv) instead of a result folder.
    #[arg(long)]
    pub replicate: Option<u32>,
    /// Run the replicate (`--replicate`, 0 by default) on the single-process engine instead
    /// (the reference).
    #[arg(long)]
    pub engine: bool,
    /// Replace an earlier result folder at `--out` (process 0).
    #[arg(long, conflicts_with = "resume")]
    pub force: bool,
    /// Finish the result folder at `--out`: run only the replicates it lacks (start every
    /// process again with it).
    #[arg(long)]
    pub resume: bool,
    /// Override a scenario key (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Timely's flags: `-w` workers per process, `-n` processes, `-p` this process's index
    /// (from 0), `-h` hostfile (one `host:port` a line, a line per process).
    #[arg(last = true, value_name = "TIMELY_FLAGS")]
    pub timely: Vec<String>,
}

/// Runs `ovation partitioned`.
pub fn run(args: PartitionedArgs) -> anyhow::Result<i32> {
    let s = scenario::load(&args.scenario, &args.set)?;
    if args.replicate.is_none() && !args.engine {
        let mode = match (args.force, args.resume) {
            (true, _) => FolderMode::Force,
            (_, true) => FolderMode::Resume,
            _ => FolderMode::New,
        };
        let done = partitioned(&s, &args.out, mode, args.timely)?;
        note(&done.held);
        if let Some(dir) = &done.folder {
            println!(
                "{}: {} replicates run partitioned ({} kept from before); results in {}",
                s.name,
                done.ran,
                done.resumed,
                dir.display()
            );
        }
        return Ok(0);
    }
    let replicate = args.replicate.unwrap_or(0);
    let found: Option<PartitionedRun> = if args.engine {
        Some(distributed::engine_run(&s, replicate)?)
    } else {
        let (held, found) = distributed::run(&s, replicate, args.timely)?;
        note(&held);
        found
    };
    let Some(run) = found else {
        return Ok(0);
    };
    std::fs::create_dir_all(&args.out)
        .map_err(|e| anyhow::anyhow!("{}: cannot create: {e}", args.out.display()))?;
    for (name, text) in &run.files {
        write_atomic(&args.out.join(name), text.as_bytes())?;
    }
    if !args.engine {
        write_atomic(
            &args.out.join("exchange.csv"),
            run.exchange_csv().as_bytes(),
        )?;
    }
    println!(
        "{}: {}; results in {}",
        s.name,
        run.summary,
        args.out.display()
    );
    Ok(0)
}

/// Says on standard error what this process held.
fn note(held: &ProcessPart) {
    eprintln!(
        "ovation: this process held agents {}..{} of {}: {:.3} MB of graph rows ({})",
        held.first,
        held.end,
        held.node_count,
        held.graph_bytes as f64 / 1e6,
        match held.loading {
            Loading::Rows => format!(
                "{:.3} MB read from the .ovg cache",
                held.bytes_read as f64 / 1e6
            ),
            Loading::Whole => {
                "the whole graph was built, then all but these rows dropped".to_string()
            }
        }
    );
}
