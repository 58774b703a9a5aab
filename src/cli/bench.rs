//! `ovation bench`: named workloads over thread counts and repetitions (bench.csv, bench.json,
//! scaling plot, a terminal table), and `ovation bench peer`, `peer-mc`, `peer-seeds` and
//! `peer-sop`, ovation's side of the peer harness `benches/peers/` (JSON lines).

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::bench::{self, peer, peer_mc, peer_seeds, peer_sop};
use crate::graph::generators::{GeneratorSpec, generate};
use crate::graph::io::{ImportOptions, load_graph};
use crate::output::{FolderMode, RunFolder};

/// Arguments of `ovation bench`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BenchArgs {
    /// `peer`: the peer comparison.
    #[command(subcommand)]
    pub sub: Option<BenchSub>,
    /// Workloads, comma-separated (sop, threshold, independent_cascade,
    /// bounded_confidence_step, imm: IMM seed selection, k = 50, epsilon = 0.5; ic_mc_scalar,
    /// ic_mc_bitpar, lt_mc_scalar, lt_mc_bitpar: 6,400 independent cascade or linear threshold
    /// replicates' final sizes, one at a time or 64 per traversal).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "sop,threshold,independent_cascade,bounded_confidence_step"
    )]
    pub workload: Vec<String>,
    /// Generator of the graph (barabasi_albert or erdos_renyi), unless --graph is given.
    #[arg(long, default_value = "barabasi_albert")]
    pub generator: String,
    /// Agents of the generated graph.
    #[arg(long, default_value_t = 1_000_000)]
    pub n: u32,
    /// Accounts each agent follows (barabasi_albert m; erdos_renyi mean in-degree).
    #[arg(long, default_value_t = 10)]
    pub m: u32,
    /// An edge list or .ovg cache to use instead of a generated graph.
    #[arg(long)]
    pub graph: Option<PathBuf>,
    /// Thread counts, comma-separated.
    #[arg(long = "threads-list", value_delimiter = ',', default_value = "1,2")]
    pub threads_list: Vec<usize>,
    /// Repetitions (replicates 0..reps) per workload and thread count.
    #[arg(long, default_value_t = 5)]
    pub reps: usize,
    /// Folder for bench.csv, bench.json and scaling.png/svg (refused if it holds anything,
    /// unless it is an earlier benchmark's folder and --force is given).
    #[arg(long, default_value = "bench-out")]
    pub out: PathBuf,
    /// Replace an earlier benchmark's folder (only files ovation wrote are removed).
    #[arg(long)]
    pub force: bool,
}

/// Subcommands of `ovation bench`.
#[derive(Debug, Subcommand)]
pub enum BenchSub {
    /// The threshold cascade on the peer harness's files: prints one JSON line per repetition.
    Peer(PeerArgs),
    /// Independent cascade or linear threshold Monte Carlo from a seed file: one JSON line per
    /// repetition (mean and sd of the final active count over the replicates).
    PeerMc(PeerMcArgs),
    /// One seed selection (`[seeding]` method) on an edge list: one JSON line with the seeds.
    PeerSeeds(PeerSeedsArgs),
    /// The Standing Ovation rule from a file of step-0 actions (ties keep, no noise): one JSON
    /// line per repetition.
    PeerSop(PeerSopArgs),
}

/// Arguments of `ovation bench peer-mc`.
#[derive(Debug, Args)]
pub struct PeerMcArgs {
    /// SNAP edge list (`u v` = v follows u), or an `.ovg` cache (its dense ids).
    pub graph: PathBuf,
    /// Seed node ids.
    pub seeds: PathBuf,
    /// `ic` (independent cascade) or `lt` (linear threshold, uniform weights).
    #[arg(long, default_value = "ic")]
    pub rule: String,
    /// Independent cascade probability on every edge.
    #[arg(long, default_value_t = 0.01)]
    pub p: f64,
    /// Replicates per repetition.
    #[arg(long, default_value_t = 10_000)]
    pub samples: u32,
    /// Repetitions.
    #[arg(long, default_value_t = 3)]
    pub reps: u32,
    /// Replicate engine: `scalar` (one replicate at a time) or `bitpar` (64 replicates per
    /// traversal, the same draws).
    #[arg(long, default_value = "scalar")]
    pub engine: String,
}

/// Arguments of `ovation bench peer-seeds`.
#[derive(Debug, Args)]
pub struct PeerSeedsArgs {
    /// SNAP edge list (`u v` = v follows u).
    pub graph: PathBuf,
    /// The `[seeding]` method (degree_discount, celf, ...).
    #[arg(long)]
    pub method: String,
    /// Seeds to choose.
    #[arg(long, default_value_t = 50)]
    pub k: u32,
    /// `ic` (independent cascade) or `lt` (linear threshold).
    #[arg(long, default_value = "ic")]
    pub rule: String,
    /// Independent cascade probability on every edge.
    #[arg(long, default_value_t = 0.01)]
    pub p: f64,
    /// Further keys of the `[seeding]` table, as TOML (`--param samples=200`, `--param 'p = 0.01'`).
    #[arg(long = "param")]
    pub params: Vec<String>,
}

/// Arguments of `ovation bench peer-sop`.
#[derive(Debug, Args)]
pub struct PeerSopArgs {
    /// SNAP edge list (`u v` = v follows u).
    pub graph: PathBuf,
    /// Step-0 actions, one `0` (sit) or `1` (stand) per agent.
    pub actions: PathBuf,
    /// Conformity threshold X of every agent.
    #[arg(long, default_value_t = 0.5)]
    pub conformity: f64,
    /// Step limit.
    #[arg(long, default_value_t = 1000)]
    pub steps: u32,
    /// Repetitions.
    #[arg(long, default_value_t = 5)]
    pub reps: u32,
    /// Seconds of untimed replicates before the timed ones (the processor's clock and caches
    /// settle; 0 times the first replicates straight after the graph is read).
    #[arg(long, default_value_t = 0.5)]
    pub warmup: f64,
}

/// Arguments of `ovation bench peer`.
#[derive(Debug, Args)]
pub struct PeerArgs {
    /// SNAP edge list (`u v` = v follows u).
    pub graph: PathBuf,
    /// One threshold per node.
    pub phi: PathBuf,
    /// Seed node ids.
    pub seeds: PathBuf,
    /// Repetitions.
    #[arg(long, default_value_t = 5)]
    pub reps: u32,
}

/// Runs `ovation bench`.
pub fn run(args: BenchArgs) -> anyhow::Result<i32> {
    match args.sub {
        Some(BenchSub::Peer(p)) => {
            let inputs = peer::read_inputs(&p.graph, &p.phi, &p.seeds)?;
            for rec in peer::run(&inputs, p.reps) {
                println!("{}", serde_json::to_string(&rec)?);
            }
            return Ok(0);
        }
        Some(BenchSub::PeerMc(a)) => {
            let recs = peer_mc::run(
                &a.graph, &a.seeds, &a.rule, a.p, a.samples, a.reps, &a.engine,
            )?;
            for rec in recs {
                println!("{}", serde_json::to_string(&rec)?);
            }
            return Ok(0);
        }
        Some(BenchSub::PeerSeeds(a)) => {
            let rec = peer_seeds::run(&a.graph, &a.rule, a.p, &a.method, a.k, &a.params)?;
            println!("{}", serde_json::to_string(&rec)?);
            return Ok(0);
        }
        Some(BenchSub::PeerSop(a)) => {
            for rec in peer_sop::run(
                &a.graph,
                &a.actions,
                a.conformity,
                a.steps,
                a.reps,
                a.warmup,
            )? {
                println!("{}", serde_json::to_string(&rec)?);
            }
            return Ok(0);
        }
        None => {}
    }
    check_args(&args)?;
    let mode = if args.force {
        FolderMode::Force
    } else {
        FolderMode::New
    };
    let folder = RunFolder::open_flat(&args.out, mode, "bench")?;
    let (graph, text) = match &args.graph {
        Some(path) => (
            load_graph(path, &ImportOptions::default(), &|_| {})
                .with_context(|| format!("{}", path.display()))?,
            format!("file {}", path.display()),
        ),
        None => {
            let spec: GeneratorSpec = match args.generator.as_str() {
                "barabasi_albert" => GeneratorSpec::BarabasiAlbert {
                    n: args.n,
                    m: args.m,
                },
                "erdos_renyi" => toml::from_str(&format!(
                    "generator = \"erdos_renyi\"\nn = {}\nm = {}\n",
                    args.n,
                    u64::from(args.n) * u64::from(args.m)
                ))?,
                other => anyhow::bail!(
                    "--generator: expected barabasi_albert or erdos_renyi, found {other:?}"
                ),
            };
            (
                generate(&spec, 1)?,
                format!("{} n = {} m = {}", args.generator, args.n, args.m),
            )
        }
    };
    let text = format!("{text}, {} edges", graph.edge_count());
    let mut records = Vec::new();
    for w in &args.workload {
        for &t in &args.threads_list {
            eprintln!("# {w} at {t} threads");
            records.push(bench::run_workload(w, &graph, t, args.reps));
        }
    }
    bench::fill_speedups(&mut records);
    let files = bench::write_outputs(folder.path(), &records, &text)?;
    println!("{text}");
    print!("{}", bench::table(&records));
    for f in files {
        println!("wrote {}", f.display());
    }
    Ok(0)
}

/// Refuses, before any work, what would give a meaningless benchmark: an unknown workload, no
/// repetitions, a thread count of 0 or above [`crate::cli::MAX_THREADS`].
fn check_args(args: &BenchArgs) -> anyhow::Result<()> {
    for w in &args.workload {
        if !bench::WORKLOADS.contains(&w.as_str()) {
            anyhow::bail!(
                "--workload: unknown workload {w:?}; expected one of {}",
                bench::WORKLOADS.join(", ")
            );
        }
    }
    if args.reps == 0 {
        anyhow::bail!("--reps: expected at least 1 repetition, found 0");
    }
    for &t in &args.threads_list {
        if t == 0 || t > crate::cli::MAX_THREADS {
            anyhow::bail!(
                "--threads-list: expected thread counts from 1 to {}, found {t}",
                crate::cli::MAX_THREADS
            );
        }
    }
    Ok(())
}
