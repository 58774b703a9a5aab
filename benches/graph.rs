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

/// A SNAP-style edge list of `m` edges over `n` nodes: tab separated, a comment header, ids
/// written after `prefix` (empty for integer ids).
fn synthetic_edge_list(n: u64, m: u64, prefix: &str) -> Vec<u8> {
    use std::io::Write;
    let mut text = Vec::with_capacity(m as usize * 14);
    writeln!(
        text,
        "# synthetic: {n} nodes, {m} edges\n# FromNodeId\tToNodeId"
    )
    .expect("memory");
    for i in 0..m {
        let u = ovation::rng::mix64(2 * i) % n;
        let v = ovation::rng::mix64(2 * i + 1) % n;
        writeln!(text, "{prefix}{u}\t{prefix}{v}").expect("memory");
    }
    text
}

/// Edge-list parsing (text to a built graph), in MB/s of text, plain and gzip.
fn edge_list_parse(c: &mut Criterion) {
    use criterion::{BenchmarkId, Throughput};
    use ovation::graph::io::{ImportOptions, parse_edge_list_bytes};
    let mut group = c.benchmark_group("edge_list_parse");
    group.sample_size(10);
    for m in [100_000u64, 1_000_000] {
        let text = synthetic_edge_list(m / 10, m, "");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, &text).expect("memory");
        let gz = gz.finish().expect("memory");
        group.throughput(Throughput::Bytes(text.len() as u64));
        let opts = ImportOptions::default();
        group.bench_with_input(BenchmarkId::new("plain", m), &text, |b, t| {
            b.iter(|| parse_edge_list_bytes("bench.txt", t, &opts).expect("parses"))
        });
        group.bench_with_input(BenchmarkId::new("gzip", m), &gz, |b, t| {
            b.iter(|| parse_edge_list_bytes("bench.txt.gz", t, &opts).expect("parses"))
        });
        let strings = synthetic_edge_list(m / 10, m, "user");
        group.throughput(Throughput::Bytes(strings.len() as u64));
        group.bench_with_input(BenchmarkId::new("string_ids", m), &strings, |b, t| {
            b.iter(|| parse_edge_list_bytes("bench.txt", t, &opts).expect("parses"))
        });
    }
    group.finish();
}

/// Loading the binary cache, in edges per second.
fn cache_load(c: &mut Criterion) {
    use criterion::{BenchmarkId, Throughput};
    use ovation::graph::io::{ImportOptions, parse_edge_list_bytes, read_cache, write_cache};
    let mut group = c.benchmark_group("cache_load");
    group.sample_size(10);
    for m in [1_000_000u64, 10_000_000] {
        let text = synthetic_edge_list(m / 10, m, "");
        let g =
            parse_edge_list_bytes("bench.txt", &text, &ImportOptions::default()).expect("parses");
        drop(text);
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bench.ovg");
        write_cache(&g, &path).expect("writes");
        group.throughput(Throughput::Elements(g.edge_count()));
        group.bench_with_input(BenchmarkId::from_parameter(m), &path, |b, p| {
            b.iter(|| read_cache(p).expect("loads"))
        });
    }
    group.finish();
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
                undirected: false,
            },
        ),
        (
            "erdos_renyi_m",
            GeneratorSpec::ErdosRenyi {
                n,
                p: None,
                m: Some(1_000_000),
                undirected: false,
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

criterion_group!(benches, csr_build, edge_list_parse, cache_load, generators);
criterion_main!(benches);
