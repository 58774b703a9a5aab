//! Threshold cascade benchmarks: the direction-optimising `threshold` step loop
//! (`engine::rules::threshold::Cascade`) on a directed Barabasi-Albert graph (10^5 agents by
//! default, `OVATION_BENCH_N` overrides), in the peer harness's two threshold scenarios:
//! phi = 0.18 with the 0.1% agents of most followers as seeds (a short cascade that reaches
//! everyone: pulls) and phi ~ U(0, 1) with 1% spread-out seeds (a partial one: pushes), with 1
//! and 2 threads.
//! Throughput is in edge visits (the cascade's own count).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ovation::engine::rules::threshold::{Cascade, Needs};
use ovation::graph::FollowerGraph;
use ovation::rng::{Purpose, Stream};

mod support;

fn scenario(g: &FollowerGraph, uniform: bool) -> (Vec<f64>, Vec<u32>) {
    let n = g.node_count();
    let phi = (0..n)
        .map(|i| {
            if uniform {
                Stream::new(7, Purpose::Threshold, 1, i).uniform()
            } else {
                0.18
            }
        })
        .collect();
    let seeds = if uniform {
        (0..n / 100).map(|i| (i * 7919 + 13) % n).collect()
    } else {
        let mut by: Vec<u32> = (0..n).collect();
        by.sort_by_key(|&v| (std::cmp::Reverse(g.follower_count(v)), v));
        by.truncate((n / 1000).max(1) as usize);
        by
    };
    (phi, seeds)
}

fn bench(c: &mut Criterion) {
    let g = support::ba_graph();
    let n = g.node_count();
    let mut group = c.benchmark_group("threshold");
    group.sample_size(20);
    for (name, uniform) in [("phi0.18-top0.1%", false), ("phiU-rand1%", true)] {
        let (phi, seeds) = scenario(&g, uniform);
        let mut cascade = Cascade::empty(
            g.source_adjacency(),
            g.follower_adjacency(),
            None,
            n as usize,
        );
        cascade.restart(Needs::Fractional(&phi), &seeds);
        cascade.run(u32::MAX);
        group.throughput(Throughput::Elements(cascade.visits));
        for threads in [1usize, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            group.bench_function(BenchmarkId::new(name, threads), |b| {
                b.iter(|| {
                    pool.install(|| {
                        cascade.restart(Needs::Fractional(&phi), &seeds);
                        cascade.run(u32::MAX);
                        cascade.active_count
                    })
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
