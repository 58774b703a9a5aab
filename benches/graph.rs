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

/// Generator throughput (spec to built graph, CSR included), in edges per second, at about
/// 10^6 edges: Barabasi-Albert (sequential) and Erdos-Renyi G(n, p) and G(n, m) (parallel rows).
fn generators(c: &mut Criterion) {
    use criterion::{BenchmarkId, Throughput};
    use ovation::graph::generators::{GeneratorSpec, generate};
    let mut group = c.benchmark_group("generators");
    group.sample_size(10);
    let n = 100_000u32;
    let specs = [
        (
            "barabasi_albert",
            GeneratorSpec::BarabasiAlbert { n, m: 10 },
        ),
        (
            "erdos_renyi_p",
            GeneratorSpec::ErdosRenyi {
                n,
                p: Some(1e-4),
                m: None,
            },
        ),
        (
            "erdos_renyi_m",
            GeneratorSpec::ErdosRenyi {
                n,
                p: None,
                m: Some(1_000_000),
            },
        ),
    ];
    for (name, spec) in specs {
        let edges = generate(&spec, 1).expect("a valid spec").edge_count();
        group.throughput(Throughput::Elements(edges));
        group.bench_with_input(BenchmarkId::new(name, edges), &spec, |b, s| {
            b.iter(|| generate(s, 1).expect("a valid spec"))
        });
    }
    group.finish();
}

criterion_group!(benches, csr_build, generators);
criterion_main!(benches);
