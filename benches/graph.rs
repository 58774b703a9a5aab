//! Graph-layer benchmarks: parsing, CSR build, cache load, generators.

use criterion::{Criterion, criterion_group, criterion_main};

fn csr_build(c: &mut Criterion) {
    let n = 100_000u32;
    let edges: Vec<(u32, u32)> = (0..n * 10)
        .map(|i| (i % n, ovation::rng::mix64(u64::from(i)) as u32 % n))
        .collect();
    c.bench_function("csr_build_1e6", |b| {
        b.iter(|| {
            ovation::graph::FollowerGraph::from_edges(
                n,
                edges.clone(),
                None,
                ovation::graph::BuildOptions::default(),
            )
        })
    });
}

criterion_group!(benches, csr_build);
criterion_main!(benches);
