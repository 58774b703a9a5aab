//! `ovation partitioned SCENARIO --out DIR -- -w W -n N -p P -h HOSTFILE`: one replicate's
//! threshold cascade partitioned across timely-dataflow workers and processes
//! ([`crate::distributed`]); `--engine` runs the same replicate on the single-process engine and
//! writes the same files, the reference a partitioned run must equal byte for byte.

use std::path::PathBuf;

use clap::Args;

use crate::distributed::{CascadeRun, engine_threshold, run_threshold};
use crate::output::write_atomic;
use crate::scenario;

/// Arguments of `ovation partitioned`.
#[derive(Debug, Args)]
pub struct PartitionedArgs {
    /// The scenario file (TOML), `rule = "threshold"`.
    pub scenario: PathBuf,
    /// The folder for cascade.csv, active.txt and exchange.csv (written by the process that
    /// hosts worker 0).
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
    let found: Option<CascadeRun> = if args.engine {
        Some(engine_threshold(&s, args.replicate)?)
    } else {
        run_threshold(&s, args.replicate, args.timely)?
    };
    let Some(run) = found else {
        return Ok(0);
    };
    std::fs::create_dir_all(&args.out)
        .map_err(|e| anyhow::anyhow!("{}: cannot create: {e}", args.out.display()))?;
    write_atomic(&args.out.join("cascade.csv"), run.cascade_csv().as_bytes())?;
    write_atomic(&args.out.join("active.txt"), run.active_txt().as_bytes())?;
    if !args.engine {
        let mut x = String::from("step,remote_bytes,seconds\n");
        for (t, (b, sec)) in run.remote_bytes.iter().zip(&run.seconds).enumerate() {
            x.push_str(&format!("{},{b},{sec:.6}\n", t + 1));
        }
        write_atomic(&args.out.join("exchange.csv"), x.as_bytes())?;
    }
    println!(
        "{}: {} steps, {} active at the end; results in {}",
        s.name,
        run.active_after.len() - 1,
        run.active.len(),
        args.out.display()
    );
    Ok(0)
}
