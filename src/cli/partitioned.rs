//! `ovation partitioned SCENARIO --out DIR -- -w W -n N -p P -h HOSTFILE`: one replicate of the
//! threshold cascade or the Standing Ovation rule partitioned across timely-dataflow workers
//! and processes ([`crate::distributed`]); `--engine` runs the same replicate on the
//! single-process engine and writes the same files, the reference a partitioned run must equal
//! byte for byte.

use std::path::PathBuf;

use clap::Args;

use crate::distributed::{self, Loading, PartitionedRun};
use crate::output::write_atomic;
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
    /// The replicate to run.
    #[arg(long, default_value_t = 0)]
    pub replicate: u32,
    /// Run it on the single-process engine instead (the reference).
    #[arg(long)]
    pub engine: bool,
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
    let found: Option<PartitionedRun> = if args.engine {
        Some(distributed::engine_run(&s, args.replicate)?)
    } else {
        let (held, found) = distributed::run(&s, args.replicate, args.timely)?;
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
                Loading::Whole =>
                    "the whole graph was built, then all but these rows dropped".to_string(),
            }
        );
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
