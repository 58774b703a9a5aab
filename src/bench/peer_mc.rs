//! Cascade Monte Carlo for the peer harness (`ovation bench peer-mc`, `benches/peers/`): the
//! final size of an independent cascade or linear threshold spread from a fixed seed set,
//! over `samples` independent replicates, the quantity `cynetdiff` and every influence
//! maximisation code estimate. The replicates run on the fast spread simulator of
//! [`crate::strategy::spread`] (the engine's own draws: replicate `i` has the key
//! [`replicate_key`]`(seed, i)` and the engine's final active set), split into fixed contiguous
//! chunks over the worker threads; sums are integers, so the mean and variance are the same
//! for any thread count.
//!
//! `engine` names the replicate engine: `scalar` (one replicate after another) or `bitpar`
//! (64 replicates per traversal, [`crate::strategy::bitpar`]), with the same draws, so both
//! give the same sums. Only the Monte Carlo is timed (`run_s`); the
//! graph is read once before (`parse_s`), from an edge list or an `.ovg` cache.

use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;

use crate::bench::peer::{read_graph, read_ids, scenario};
use crate::engine::RuleSpec;
use crate::graph::FollowerGraph;
use crate::rng::replicate_key;
use crate::strategy::spread::Simulator;

/// The replicate engines this build offers.
pub const ENGINES: [&str; 2] = ["scalar", "bitpar"];

/// One repetition of `samples` replicates, printed as one JSON line.
#[derive(Debug, Clone, serde::Serialize)]
pub struct McRecord {
    /// Always "ovation".
    #[serde(rename = "impl")]
    pub implementation: &'static str,
    /// `ic` or `lt`.
    pub rule: String,
    /// The replicate engine.
    pub engine: String,
    /// Agents.
    pub n: u32,
    /// Edges.
    pub m: u64,
    /// Repetition index.
    pub rep: u32,
    /// Seconds reading the graph.
    pub parse_s: f64,
    /// Seconds of all `samples` replicates.
    pub run_s: f64,
    /// Replicates.
    pub samples: u32,
    /// Seed agents.
    pub seeds: usize,
    /// Mean final active count (seeds included).
    pub mean: f64,
    /// Sample standard deviation of the final active count.
    pub sd: f64,
    /// Worker threads.
    pub threads: usize,
}

/// The rule of `ic` (probability `p` on every edge) or `lt` (uniform weights, thresholds
/// uniform on (0, 1]).
pub fn rule(name: &str, p: f64) -> anyhow::Result<RuleSpec> {
    let model = match name {
        "ic" => format!("rule = \"independent_cascade\"\nprobability = {p:?}"),
        "lt" => "rule = \"linear_threshold\"".to_string(),
        other => anyhow::bail!("--rule: expected ic or lt, found {other:?}"),
    };
    Ok(scenario(name, "", &model, "")?.model)
}

/// Final active counts of replicates `0..samples` of `rule` from `seeds`, keyed by `seed`:
/// returns (sum, sum of squares), integers, the same for any thread count.
pub fn totals(
    graph: &FollowerGraph,
    rule: &RuleSpec,
    seeds: &[u32],
    seed: u64,
    samples: u32,
) -> Result<(u64, u128), String> {
    let threads = rayon::current_num_threads().max(1);
    let chunk = samples.div_ceil(threads as u32).max(1);
    let starts: Vec<u32> = (0..samples).step_by(chunk as usize).collect();
    let parts: Result<Vec<(u64, u128)>, String> = starts
        .par_iter()
        .map(|&a| {
            let mut sim = Simulator::new(graph, rule)?;
            let (mut s, mut s2) = (0u64, 0u128);
            for i in a..(a + chunk).min(samples) {
                let x = sim.spread(seeds, replicate_key(seed, u64::from(i)));
                s += u64::from(x);
                s2 += u128::from(x) * u128::from(x);
            }
            Ok((s, s2))
        })
        .collect();
    Ok(parts?
        .into_iter()
        .fold((0, 0), |(a, b), (c, d)| (a + c, b + d)))
}

/// Mean and sample standard deviation from integer sums over `k` values.
pub fn mean_sd(sum: u64, sum_sq: u128, k: u32) -> (f64, f64) {
    if k == 0 {
        return (f64::NAN, f64::NAN);
    }
    let k = f64::from(k);
    let mean = sum as f64 / k;
    if k < 2.0 {
        return (mean, 0.0);
    }
    let var = (sum_sq as f64 - k * mean * mean) / (k - 1.0);
    (mean, var.max(0.0).sqrt())
}

/// Runs `reps` repetitions of `samples` replicates of `rule_name` on the SNAP edge list at
/// `graph_path` from the seeds in `seeds_path`, with the named engine.
pub fn run(
    graph_path: &Path,
    seeds_path: &Path,
    rule_name: &str,
    p: f64,
    samples: u32,
    reps: u32,
    engine: &str,
) -> anyhow::Result<Vec<McRecord>> {
    if !ENGINES.contains(&engine) {
        anyhow::bail!("--engine: expected one of {ENGINES:?}, found {engine:?}");
    }
    let rule_spec = rule(rule_name, p)?;
    let t = Instant::now();
    // An `.ovg` cache (`ovation graph import`) is read with its dense ids; a SNAP edge list
    // with the file's ids, as the peers read it.
    let graph = if crate::graph::io::is_cache(graph_path)? {
        crate::graph::io::read_cache(graph_path)?
    } else {
        read_graph(graph_path)?
    };
    let parse_s = t.elapsed().as_secs_f64();
    let seeds = read_ids(seeds_path, graph.node_count())?;
    let mut out = Vec::new();
    for rep in 0..reps {
        let t = Instant::now();
        let (sum, sum_sq) = match engine {
            "bitpar" => crate::strategy::bitpar::totals(&graph, &rule_spec, &seeds, 1, samples),
            _ => totals(&graph, &rule_spec, &seeds, 1, samples),
        }
        .map_err(|e| anyhow::anyhow!("--engine {engine}: {e}"))?;
        let run_s = t.elapsed().as_secs_f64();
        let (mean, sd) = mean_sd(sum, sum_sq, samples);
        out.push(McRecord {
            implementation: "ovation",
            rule: rule_name.to_string(),
            engine: engine.to_string(),
            n: graph.node_count(),
            m: graph.edge_count(),
            rep,
            parse_s,
            run_s,
            samples,
            seeds: seeds.len(),
            mean,
            sd,
            threads: rayon::current_num_threads(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::BuildOptions;

    #[test]
    fn certain_edges_reach_everything_downstream_and_totals_ignore_threads() {
        // p = 1: the spread is reachability. 0 -> 1 -> 2, 3 isolated: from {0}, 3 agents.
        let g = FollowerGraph::from_edges(4, vec![(0, 1), (1, 2)], None, BuildOptions::default());
        let r = rule("ic", 1.0).unwrap();
        assert_eq!(totals(&g, &r, &[0], 1, 10).unwrap(), (30, 90));
        // p = 0.5 on a star of 200 followers: the same integer sums on 1 and 3 threads.
        let star: Vec<(u32, u32)> = (1..201).map(|f| (0, f)).collect();
        let g = FollowerGraph::from_edges(201, star, None, BuildOptions::default());
        let r = rule("ic", 0.5).unwrap();
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let three = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let a = one.install(|| totals(&g, &r, &[0], 7, 101).unwrap());
        let b = three.install(|| totals(&g, &r, &[0], 7, 101).unwrap());
        assert_eq!(a, b);
        // Each of the 200 followers is reached with probability 1/2: mean 1 + 100, sd of a
        // Binomial(200, 1/2) = sqrt(50) ~ 7.07; over 101 replicates the mean's standard
        // error is 0.70, so 4 standard errors is 2.8; the sd's own standard error is about
        // sd / sqrt(2 * 100) = 0.5, so 4 of them is 2.0.
        let (mean, sd) = mean_sd(a.0, a.1, 101);
        assert!((mean - 101.0).abs() < 2.8, "mean {mean}");
        assert!((sd - 50f64.sqrt()).abs() < 2.0, "sd {sd}");
    }

    #[test]
    fn the_bit_parallel_engine_gives_the_scalar_engines_sums() {
        // The same star, p = 0.5, 1,000 replicates: both engines draw each replicate's trials
        // from its own key, so the integer sums are equal, not only close.
        let star: Vec<(u32, u32)> = (1..201).map(|f| (0, f)).collect();
        let g = FollowerGraph::from_edges(201, star, None, BuildOptions::default());
        let r = rule("ic", 0.5).unwrap();
        let scalar = totals(&g, &r, &[0], 7, 1000).unwrap();
        let bitpar = crate::strategy::bitpar::totals(&g, &r, &[0], 7, 1000).unwrap();
        assert_eq!(scalar, bitpar);
        let err = run(
            Path::new("nope"),
            Path::new("nope"),
            "lt",
            0.1,
            1,
            1,
            "bitpar",
        );
        assert!(err.is_err());
        // The linear threshold too: a hub following 200 leaves (which follow it back), the
        // first 60 seeded.
        let mut edges: Vec<(u32, u32)> = (1..201).map(|l| (l, 0)).collect();
        edges.extend((1..201).map(|l| (0, l)));
        let g = FollowerGraph::from_edges(201, edges, None, BuildOptions::default());
        let r = rule("lt", 0.0).unwrap();
        let seeds: Vec<u32> = (1..61).collect();
        let scalar = totals(&g, &r, &seeds, 3, 1000).unwrap();
        assert_eq!(
            crate::strategy::bitpar::totals(&g, &r, &seeds, 3, 1000).unwrap(),
            scalar
        );
        // The hub activates (and with it every leaf) iff theta <= 60/200: mean 60 + 141 *
        // 0.3 = 102.3; the mean's standard error is 141 * sqrt(0.3 * 0.7 / 1000) = 2.04, so
        // 4 of them is 8.2.
        let (mean, _) = mean_sd(scalar.0, scalar.1, 1000);
        assert!((mean - 102.3).abs() < 8.2, "mean {mean}");
    }

    #[test]
    fn mean_sd_of_known_values() {
        // 1, 2, 3: mean 2, sample variance 1.
        assert_eq!(mean_sd(6, 14, 3), (2.0, 1.0));
        assert!(mean_sd(0, 0, 0).0.is_nan());
    }

    #[test]
    fn unknown_rule_and_engine_are_refused() {
        assert!(
            rule("sir", 0.1)
                .unwrap_err()
                .to_string()
                .contains("ic or lt")
        );
        let err = run(
            Path::new("nope"),
            Path::new("nope"),
            "ic",
            0.1,
            1,
            1,
            "quantum",
        )
        .unwrap_err();
        assert!(err.to_string().contains("--engine"), "{err}");
    }
}
