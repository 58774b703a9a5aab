//! IMM seed selection benchmarks (`strategy::imm`): reverse-reachable set sampling alone
//! (10^4 RR sets under the weighted cascade and under the linear threshold model) and a whole
//! IMM selection (k = 50, epsilon = 0.5, weighted cascade), on a directed Barabasi-Albert
//! graph (10^5 agents by default, `OVATION_BENCH_N` overrides), with 1 and 2 threads.
//! Throughput of the sampling is in RR-set members.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ovation::model::cascade::{EdgeProbability, LtWeights};
use ovation::strategy::imm::{RrModel, imm, sample};

mod support;

fn bench(c: &mut Criterion) {
    let g = support::ba_graph();
    let mut group = c.benchmark_group("imm");
    group.sample_size(10);
    let models = [
        ("rr-ic-wc", RrModel::Ic(EdgeProbability::InverseInDegree)),
        ("rr-lt", RrModel::Lt(LtWeights::Uniform)),
    ];
    for (name, model) in models {
        let members = sample(&g, model, 3, 0, 0, 10_000, 1).nodes.len() as u64;
        group.throughput(Throughput::Elements(members));
        for threads in [1usize, 2] {
            group.bench_function(BenchmarkId::new(name, threads), |b| {
                b.iter(|| sample(&g, model, 3, 0, 0, 10_000, threads).nodes.len())
            });
        }
    }
    group.throughput(Throughput::Elements(1));
    for threads in [1usize, 2] {
        group.bench_function(BenchmarkId::new("imm-k50-eps0.5-wc", threads), |b| {
            b.iter(|| {
                imm(&g, models[0].1, 50, 0.5, 1.0, 3, threads)
                    .expect("fits")
                    .seeds
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
