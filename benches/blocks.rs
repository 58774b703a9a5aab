//! Whole replicates through the runner, 64 at a time (`runner::BlockPlan`, the path `run`,
//! `compare` and `sweep` take for a batchable scenario) beside one at a time
//! (`runner::run_one`, the scalar engine), measured in the same run: 640 replicates with
//! every step record and measure, on a directed Barabasi-Albert graph (10^5 agents and about
//! 10^6 edges by default, `OVATION_BENCH_N` overrides), 0.1% of the agents as random seeds,
//! one thread. Throughput is in replicates. One group per rule that runs in blocks.

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ovation::graph::FollowerGraph;
use ovation::runner::{BlockPlan, run_one};
use ovation::scenario::{self, Scenario};

mod support;

/// Replicates per iteration in blocks: ten blocks.
const REPLICATES: u32 = 640;
/// Replicates per iteration one at a time.
const SCALAR_REPLICATES: u32 = 64;

/// The scenario of `model` (a `[model]` table's lines) on a graph of `n` agents (supplied by
/// the bench), with 0.1% random seeds.
fn scenario(model: &str, n: u32) -> Scenario {
    let k = (n / 1000).max(1);
    let text = format!(
        "name = \"bench-blocks\"\nseed = 7\nreplicates = {REPLICATES}\nsteps = 100000\n\
         stop_at_fixed_point = true\n[graph]\ngenerator = \"complete\"\nn = 2\n\
         [[population]]\nname = \"all\"\n[model]\n{model}\n\
         [seeding]\nmethod = \"random\"\nk = {k}\n[timing]\nscheme = \"synchronous\"\n"
    );
    scenario::load_str("bench-blocks.toml", &text, Path::new("."), &[]).expect("valid scenario")
}

fn group(c: &mut Criterion, name: &str, model: &str, g: &FollowerGraph) {
    let s = scenario(model, g.node_count());
    let Some(plan) = BlockPlan::new(&s, g) else {
        eprintln!("{name}: this rule does not run in blocks; skipped");
        return;
    };
    let replicates: Vec<u32> = (0..REPLICATES).collect();
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.throughput(Throughput::Elements(u64::from(SCALAR_REPLICATES)));
    group.bench_function("scalar", |b| {
        b.iter(|| {
            replicates[..SCALAR_REPLICATES as usize]
                .iter()
                .map(|&r| run_one(&s, Some(g), r).expect("replicate").edge_visits)
                .sum::<u64>()
        })
    });
    group.throughput(Throughput::Elements(u64::from(REPLICATES)));
    group.bench_function("blocks", |b| {
        b.iter(|| {
            plan.run(&replicates)
                .into_iter()
                .map(|r| r.expect("replicate").edge_visits)
                .sum::<u64>()
        })
    });
    group.finish();
}

fn bench(c: &mut Criterion) {
    let g = support::ba_graph();
    group(
        c,
        "ic-run-replicates",
        "rule = \"independent_cascade\"\nprobability = 0.01",
        &g,
    );
    group(c, "lt-run-replicates", "rule = \"linear_threshold\"", &g);
    group(
        c,
        "threshold-run-replicates",
        "rule = \"threshold\"\nphi = 0.18",
        &g,
    );
    group(
        c,
        "threshold-drawn-run-replicates",
        "rule = \"threshold\"\nphi = { dist = \"uniform\", low = 0, high = 0.5 }",
        &g,
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
