//! The bit-parallel replicates (`strategy::bitpar`) beside the scalar spread simulator
//! (`strategy::spread`, the engine's draws), measured in the same run: 640 replicates of an
//! independent cascade (p = 0.01, the peer harness's probability) from every 1000th agent
//! (0.1% of them, `ic-replicates`), and of a linear threshold (uniform weights) from every
//! 1000th agent starting at agent 500 (`lt-replicates`: the oldest agents are sources of
//! every later one, so seeding agent 0 activates everyone), on a directed Barabasi-Albert
//! graph (10^5 agents and about 10^6 edges by default, `OVATION_BENCH_N` overrides), one
//! thread. Throughput is in replicates. The `ic-replicates` group draws by geometric
//! skipping (`rng::rows`: p is constant). Two last groups time the draws themselves, in
//! trials: `edge-draws` (`rng::lanes`, the per-edge-probability draw): 64 replicates' trials
//! of one edge at once (vectorised) against 64 one-lane words; `row-draws` (`rng::rows`): 64
//! replicates' rows of 10 edges at p = 0.01 by their first gap words at once (vectorised)
//! plus the gaps of the lanes with a success, against the same trials as 640 edge words.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ovation::engine::RuleSpec;
use ovation::graph::FollowerGraph;
use ovation::model::cascade::{EdgeProbability, IndependentCascadeParams, LinearThresholdParams};
use ovation::rng::{LaneKeys, RowGaps, edge_word, replicate_key, threshold32};
use ovation::strategy::bitpar::{BlockSimulator, LANES, block_keys};
use ovation::strategy::spread::Simulator;

mod support;

/// Scalar and bit-parallel replicates of `rule` from `seeds` on `g` in one group `name`.
fn replicates(c: &mut Criterion, name: &str, g: &FollowerGraph, rule: &RuleSpec, seeds: &[u32]) {
    let samples = 10 * LANES;
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.throughput(Throughput::Elements(u64::from(samples)));
    group.bench_function("scalar", |b| {
        let mut sim = Simulator::new(g, rule).expect("spread rule");
        b.iter(|| {
            (0..samples)
                .map(|i| u64::from(sim.spread(seeds, replicate_key(1, u64::from(i)))))
                .sum::<u64>()
        })
    });
    group.bench_function("bitpar", |b| {
        let mut sim = BlockSimulator::new(g, rule).expect("bit-parallel rule");
        b.iter(|| {
            (0..samples / LANES)
                .map(|k| {
                    sim.block(seeds, &block_keys(1, k, samples))
                        .iter()
                        .map(|&x| u64::from(x))
                        .sum::<u64>()
                })
                .sum::<u64>()
        })
    });
    group.finish();
}

fn bench(c: &mut Criterion) {
    let g = support::ba_graph();
    let n = g.node_count();
    let ic = RuleSpec::IndependentCascade(IndependentCascadeParams {
        probability: EdgeProbability::Constant(0.01),
    });
    // Every 1000th agent: 0.1% of them, spread over the ages of the BA graph.
    let seeds: Vec<u32> = (0..n).step_by(1000).collect();
    replicates(c, "ic-replicates", &g, &ic, &seeds);
    let lt = RuleSpec::LinearThreshold(LinearThresholdParams::default());
    let seeds: Vec<u32> = (500..n).step_by(1000).collect();
    replicates(c, "lt-replicates", &g, &lt, &seeds);

    let keys: Vec<u64> = (0..64).map(|r| replicate_key(1, r)).collect();
    let lanes = LaneKeys::new(&keys);
    let t = threshold32(0.01);
    let edges = 1000u64;
    let mut draws = c.benchmark_group("edge-draws");
    draws.throughput(Throughput::Elements(64 * edges));
    draws.bench_function("64-lanes-vectorised", |b| {
        b.iter(|| {
            (0..edges)
                .map(|e| u64::from(lanes.below(e, t).count_ones()))
                .sum::<u64>()
        })
    });
    draws.bench_function("64-one-lane-words", |b| {
        b.iter(|| {
            (0..edges)
                .map(|e| {
                    keys.iter()
                        .filter(|&&k| u64::from(edge_word(k, e)) < t)
                        .count() as u64
                })
                .sum::<u64>()
        })
    });
    draws.finish();

    let gaps = RowGaps::new(0.01);
    let (rows, d) = (1000u32, 10u32);
    let none = gaps.none_in(d);
    let mut row_draws = c.benchmark_group("row-draws");
    row_draws.throughput(Throughput::Elements(64 * u64::from(rows * d)));
    row_draws.bench_function("64-lane-rows-geometric", |b| {
        b.iter(|| {
            let mut wins = 0u64;
            for u in 0..rows {
                let mut hit = lanes.rows_hit(u, none, u64::MAX);
                while hit != 0 {
                    let l = hit.trailing_zeros();
                    gaps.row(d, |j| lanes.row_word(l, u, j), |_| wins += 1);
                    hit &= hit - 1;
                }
            }
            wins
        })
    });
    row_draws.bench_function("64-lane-rows-edge-words", |b| {
        b.iter(|| {
            (0..u64::from(rows * d))
                .map(|e| u64::from(lanes.below(e, t).count_ones()))
                .sum::<u64>()
        })
    });
    row_draws.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
