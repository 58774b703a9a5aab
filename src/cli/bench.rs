//! `ovation bench`: named workloads over thread counts and repetitions (bench.csv, bench.json,
//! scaling plot, a terminal table), and `ovation bench peer`, the peer comparison of
//! `shared/bench/run_peers.py` (one JSON line per repetition).

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::bench::{self, peer};
use crate::graph::generators::{GeneratorSpec, generate};
use crate::graph::io::{ImportOptions, load_graph};

/// Arguments of `ovation bench`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BenchArgs {
    /// `peer`: the peer comparison.
    #[command(subcommand)]
    pub sub: Option<BenchSub>,
    /// Workloads, comma-separated (sop, threshold, independent_cascade,
    /// bounded_confidence_step, imm: IMM seed selection, k = 50, epsilon = 0.5).
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
    /// Folder for bench.csv, bench.json and scaling.png/svg.
    #[arg(long, default_value = "bench-out")]
    pub out: PathBuf,
}

/// Subcommands of `ovation bench`.
#[derive(Debug, Subcommand)]
pub enum BenchSub {
    /// The threshold cascade on `run_peers.py`'s files: prints one JSON line per repetition.
    Peer(PeerArgs),
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
    if let Some(BenchSub::Peer(p)) = args.sub {
        let inputs = peer::read_inputs(&p.graph, &p.phi, &p.seeds)?;
        for rec in peer::run(&inputs, p.reps) {
            println!("{}", serde_json::to_string(&rec)?);
        }
        return Ok(0);
    }
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
    let files = bench::write_outputs(&args.out, &records, &text)?;
    println!("{text}");
    print!("{}", bench::table(&records));
    for f in files {
        println!("wrote {}", f.display());
    }
    Ok(0)
}
