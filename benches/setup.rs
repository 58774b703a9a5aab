//! Setup benchmarks (issue 14, item 5): sampling a population of 10^6 agents (two classes
//! split by shares, so the class assignment's sort runs too) and importing an edge list of a
//! 10^6-agent, 10^7-edge Barabasi-Albert graph (parse, both CSR directions), each on 1 and 2
//! threads. Throughput is agents per second for sampling and input bytes per second for the
//! import. `OVATION_BENCH_N` overrides the number of agents (default 10^6).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ovation::graph::generators::{GeneratorSpec, generate};
use ovation::graph::io::{ImportOptions, import_edge_list, write_edge_list};
use ovation::model::{Agents, ClassSpec};
use ovation::rng::replicate_key;

fn agents() -> u32 {
    std::env::var("OVATION_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
}

fn population_sample(c: &mut Criterion) {
    let n = agents();
    let classes: Vec<ClassSpec> = ["share = 0.3", "share = 0.7"]
        .iter()
        .map(|share| {
            toml::from_str(&format!(
                "{share}\nnoise = {{ dist = \"normal\", mean = 0.0, sd = 0.2 }}\n\
                 threshold = {{ dist = \"uniform\", low = 0.3, high = 0.7 }}\n\
                 conformity = {{ dist = \"uniform\", low = 0.3, high = 0.9 }}"
            ))
            .expect("a valid class")
        })
        .collect();
    let mut group = c.benchmark_group("population_sample");
    group.sample_size(10);
    group.throughput(Throughput::Elements(u64::from(n)));
    for threads in [1, 2] {
        let pool = pool(threads);
        group.bench_with_input(BenchmarkId::new("threads", threads), &n, |b, &n| {
            b.iter(|| pool.install(|| Agents::sample(n, &classes, 0.55, replicate_key(1, 0))))
        });
    }
    group.finish();
}

fn import(c: &mut Criterion) {
    let n = agents();
    let spec: GeneratorSpec =
        toml::from_str(&format!("generator = \"barabasi_albert\"\nn = {n}\nm = 10"))
            .expect("a valid generator");
    let graph = generate(&spec, 1).expect("a graph");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("ba.txt");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("a file"));
    write_edge_list(&graph, &mut file).expect("the edge list is written");
    drop(file);
    let bytes = std::fs::metadata(&path).expect("the file").len();
    drop(graph);
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes));
    for threads in [1, 2] {
        let pool = pool(threads);
        group.bench_with_input(BenchmarkId::new("threads", threads), &path, |b, path| {
            b.iter(|| {
                pool.install(|| import_edge_list(path, &ImportOptions::default(), &|_| {}))
                    .expect("the edge list imports")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, population_sample, import);
criterion_main!(benches);
