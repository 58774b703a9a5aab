//! Engine benchmarks: one Standing Ovation replicate on a directed Barabasi-Albert graph with
//! 10^6 agents and 10^7 edges (a fast, graph-wide cascade) and on a 1000 x 1000 theater with a
//! cone of 2 (a slow, local one), incremental engine with 1 and 2 threads, beside a plain
//! full-sweep synchronous loop over the same CSR arrays (the same rule, every agent re-reading
//! all its sources every step) measured in the same run.
//!
//! Throughput is reported in edge visits: the engine's own count for the engine, steps x edges
//! for the full sweep. `OVATION_BENCH_N` overrides the number of agents (default 10^6).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ovation::engine::RuleSpec;
use ovation::engine::{ReplicateResult, Setup, StopRule, TimingSpec, run_replicate};
use ovation::graph::FollowerGraph;
use ovation::graph::generators::{GeneratorSpec, generate};
use ovation::model::sop::{Verdict, sop_verdict};
use ovation::model::{Agents, ClassSpec, TieRule};
use ovation::rng::replicate_key;

struct Fixture {
    graph: FollowerGraph,
    agents: Agents,
    rule: RuleSpec,
    timing: TimingSpec,
    stop: StopRule,
}

fn fixture(spec: &GeneratorSpec) -> Fixture {
    let graph = generate(spec, 1).expect("valid generator");
    let n = graph.node_count();
    let class: ClassSpec = toml::from_str(
        "noise = { dist = \"uniform\", low = -0.5, high = 0.5 }\n\
         conformity = { dist = \"uniform\", low = 0.3, high = 0.9 }",
    )
    .expect("valid class");
    let rule = RuleSpec::Sop(ovation::model::SopParams {
        quality: 0.55,
        tie: TieRule::Keep,
        noise: 0.0,
    });
    let agents = Agents::sample(n, &[class], rule.quality(), replicate_key(1, 0));
    Fixture {
        graph,
        agents,
        rule,
        timing: TimingSpec::Synchronous,
        stop: StopRule {
            max_steps: 200,
            at_fixed_point: true,
        },
    }
}

fn engine_run(f: &Fixture) -> ReplicateResult {
    run_replicate(Setup {
        graph: &f.graph,
        agents: &f.agents,
        rule: &f.rule,
        timing: &f.timing,
        stop: f.stop,
        key: replicate_key(1, 0),
        replicate: 0,
        theater: None,
        brand: None,
    })
    .expect("the fixture's setup runs")
}

/// The baseline: a synchronous full sweep, `steps` times, every agent pulling over all its
/// sources (double buffer, ties keep). Returns the final number standing.
fn full_sweep(f: &Fixture, steps: u32) -> usize {
    let n = f.graph.node_count() as usize;
    let mut cur = f.agents.initial.clone();
    let mut next = cur.clone();
    for _ in 0..steps {
        for i in 0..n {
            let sources = f.graph.sources(i as u32);
            let standing = sources.iter().filter(|&&j| cur[j as usize] == 1).count() as u64;
            next[i] = match sop_verdict(standing, sources.len() as u64, f.agents.conformity[i]) {
                Verdict::Take(a) => a as u8,
                Verdict::Keep | Verdict::Tie(..) => cur[i],
            };
        }
        std::mem::swap(&mut cur, &mut next);
    }
    cur.iter().filter(|&&a| a == 1).count()
}

fn bench_n() -> u32 {
    std::env::var("OVATION_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}

fn sop_ba(c: &mut Criterion) {
    let spec = GeneratorSpec::BarabasiAlbert {
        n: bench_n(),
        m: 10,
    };
    compare(c, "sop_ba_1e6", &spec);
}

/// The size of the Mesa comparison (`benches/peers`, group `sop`): 10^4 agents and 10^5
/// edges, where a replicate is a few dense steps (each one pull that revises as it counts,
/// on the calling thread) and the per-replicate setup counts.
fn sop_ba_small(c: &mut Criterion) {
    let spec = GeneratorSpec::BarabasiAlbert { n: 10_000, m: 10 };
    compare(c, "sop_ba_1e4", &spec);
}

/// A theater of 10^6 seats with a cone of 2 (10 sources each, 10^7 edges): conformity spreads
/// locally, row by row, over many steps with a small frontier.
fn sop_theater(c: &mut Criterion) {
    let side = f64::from(bench_n()).sqrt() as u32;
    let spec = GeneratorSpec::Theater {
        rows: side,
        seats: side,
        cone: 2,
    };
    compare(c, "sop_theater_1e6", &spec);
}

fn compare(c: &mut Criterion, name: &str, spec: &GeneratorSpec) {
    let f = fixture(spec);
    let probe = engine_run(&f);
    let steps = probe.steps.max(1);
    let m = f.graph.edge_count();
    eprintln!(
        "{name}: n = {}, m = {m}: {} steps to {:?}, {} edge visits ({:.2} x m), full sweep would visit {}",
        f.graph.node_count(),
        steps,
        probe.outcome,
        probe.edge_visits,
        probe.edge_visits as f64 / m as f64,
        u64::from(steps) * m
    );
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.throughput(Throughput::Elements(probe.edge_visits));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        group.bench_with_input(
            BenchmarkId::new("incremental", threads),
            &threads,
            |b, _| b.iter(|| pool.install(|| engine_run(&f))),
        );
    }
    group.throughput(Throughput::Elements(u64::from(steps) * m));
    group.bench_function(BenchmarkId::new("full_sweep", 1), |b| {
        b.iter(|| full_sweep(&f, steps))
    });
    group.finish();
}

criterion_group!(benches, sop_ba, sop_ba_small, sop_theater);
criterion_main!(benches);
