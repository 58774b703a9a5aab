//! `ovation fit` benchmarks: simulations per second inside the ABC-SMC sampler, i.e. one call
//! of `FitJob::simulate_stats` (apply the particle's values to the scenario, run the engine on
//! the data's graph with the adoption observer, compute the summary statistics), on
//!
//! - the Medical Innovation network (125 physicians, 294 edges, 17 steps, 4 towns;
//!   `scenarios/calibration/ckm-network.toml`), and
//! - a directed Erdos-Renyi graph of 10^5 agents (mean 10 sources) with the Bass rule for 20
//!   steps and the same statistics (`OVATION_BENCH_FIT_N` overrides the size).
//!
//! Throughput is reported in simulations (elements) per second. `fit_sampler` also times a
//! small whole ABC-SMC run on the Medical Innovation data (parallel over particles).

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ovation::fit::observed::AdoptionData;
use ovation::fit::prior::Prior;
use ovation::fit::spec::{
    AdoptionSpec, EdgeMeaning, FitSpec, Holdout, Network, ObservedSpec, Parameter, Statistic,
};
use ovation::fit::{Data, FitJob};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn big_job(n: u32) -> FitJob {
    let text = format!(
        "name = \"big\"\nseed = 1\nsteps = 20\n[graph]\ngenerator = \"erdos_renyi\"\nn = {n}\n\
         p = {}\n[[population]]\nname = \"all\"\n[model]\nrule = \"bass\"\np = 0.01\nq = 0.3\n",
        10.0 / f64::from(n)
    );
    let sc = ovation::scenario::load_str("big.toml", &text, Path::new("."), &[]).unwrap();
    let graph = ovation::runner::load_graph(&sc, None).unwrap();
    let spec = FitSpec {
        parameters: vec![
            Parameter {
                key: "model.p".into(),
                prior: Prior::LogUniform {
                    low: 1e-3,
                    high: 0.2,
                },
            },
            Parameter {
                key: "model.q".into(),
                prior: Prior::Uniform {
                    low: 0.0,
                    high: 1.0,
                },
            },
        ],
        observed: ObservedSpec::Adoption(AdoptionSpec {
            events: PathBuf::new(),
            nodes: None,
            edges: None,
            edge_meaning: EdgeMeaning::AFollowsB,
            network: Network::Scenario,
            start: 0.0,
            time_per_step: 1.0,
            horizon: None,
        }),
        statistics: vec![Statistic::PooledCurve, Statistic::Exposure],
        particles: 20,
        generations: 2,
        quantile: 0.5,
        min_acceptance: 0.0,
        max_simulations: u64::MAX,
        max_attempts: 1000,
        predictive: 10,
        holdout: Holdout::None,
        seed: 1,
    };
    let data = Data::Adoption {
        data: Box::new(AdoptionData::synthetic(vec![u32::MAX; n as usize], 20)),
        graph,
    };
    FitJob::from_parts(&text, Path::new("."), spec, data).unwrap()
}

fn simulations(c: &mut Criterion) {
    let ckm = FitJob::load(&root().join("scenarios/calibration/ckm-network.toml"), &[])
        .expect("the Medical Innovation scenario loads");
    let mut g = c.benchmark_group("fit_simulation");
    g.throughput(Throughput::Elements(1));
    let mut seed = 0u64;
    g.bench_function("medical_innovation", |b| {
        b.iter(|| {
            seed += 1;
            ckm.simulate_stats(&[0.1, 0.06], seed).unwrap()
        })
    });
    let n = std::env::var("OVATION_BENCH_FIT_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let big = big_job(n);
    g.sample_size(10);
    g.bench_function(format!("erdos_renyi_{n}"), |b| {
        b.iter(|| {
            seed += 1;
            big.simulate_stats(&[0.01, 0.3], seed).unwrap()
        })
    });
    g.finish();

    let mut small =
        FitJob::load(&root().join("scenarios/calibration/ckm-network.toml"), &[]).unwrap();
    small.spec.particles = 200;
    small.spec.generations = 3;
    let mut g = c.benchmark_group("fit_sampler");
    g.sample_size(10);
    g.bench_function("medical_innovation_200x3", |b| {
        b.iter(|| small.run_abc().unwrap().simulations())
    });
    g.finish();
}

criterion_group!(benches, simulations);
criterion_main!(benches);
