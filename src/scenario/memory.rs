//! How much memory a scenario needs, estimated from the validated scenario before anything is
//! allocated: the graph (compressed sparse rows in both directions, plus the edge list it is
//! built from), each running replicate's agents and engine state, and the results kept until
//! the end (one [`ReplicateResult`] per replicate). `validate` prints it; `run`, `sweep` and
//! `compare` refuse a scenario whose estimate is above the machine's memory, with the estimate
//! and the limit, instead of aborting on an allocation part-way.
//!
//! The figures are deliberately on the high side (an edge list's edges are bounded by its size
//! in bytes, a generator's by its expected edge count), since refusing a run that would have
//! fitted costs a flag (`--memory-limit`), while an abort costs the run.

use std::fmt;

use crate::engine::config::TimingSpec;
use crate::engine::measures::{ReplicateResult, StepRecord};
use crate::graph::generators::GeneratorSpec;
use crate::scenario::{GraphSource, Scenario};

/// Bytes of one agent's sampled attributes ([`crate::model::Agents`]: five `f32`, four `u8`).
const AGENT_BYTES: u64 = 24;
/// Bytes of one agent's engine state in a running replicate (counts, actions, frontier, flags,
/// candidate lists), on the high side.
const STATE_BYTES: u64 = 48;
/// Bytes of one in-flight delivery of the delayed scheme (at most one per edge and step).
const DELIVERY_BYTES: u64 = 16;

/// The estimate, in bytes, by part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryEstimate {
    /// Agents (nodes) of the graph.
    pub nodes: u64,
    /// Follow edges of the graph, estimated.
    pub edges: u64,
    /// Graphs held at once (1, or one per running replicate for per-replicate graphs).
    pub graph: u64,
    /// Agents and engine state of the replicates running at once.
    pub running: u64,
    /// Results kept until every replicate is done.
    pub results: u64,
}

impl MemoryEstimate {
    /// The whole estimate.
    pub fn total(&self) -> u64 {
        self.graph
            .saturating_add(self.running)
            .saturating_add(self.results)
    }
}

impl fmt::Display for MemoryEstimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "about {} (graph {} for {} nodes and about {} edges, running replicates {}, \
             results {})",
            bytes_text(self.total()),
            bytes_text(self.graph),
            self.nodes,
            self.edges,
            bytes_text(self.running),
            bytes_text(self.results)
        )
    }
}

/// `1.5 GiB`, `12.0 KiB`, `512 B`.
pub fn bytes_text(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut x = bytes as f64 / 1024.0;
    let mut unit = 0;
    while x >= 1024.0 && unit + 1 < UNITS.len() {
        x /= 1024.0;
        unit += 1;
    }
    format!("{x:.1} {}", UNITS[unit])
}

/// The memory `scenario` needs with `threads` replicates running at once.
pub fn estimate(scenario: &Scenario, threads: u64) -> MemoryEstimate {
    let threads = threads.max(1);
    let (nodes, edges, weighted, labelled) = match &scenario.graph {
        GraphSource::Generator { spec, .. } => {
            (spec.node_count(), expected_edges(spec), false, false)
        }
        GraphSource::File { path, import, .. } => {
            let bytes = std::fs::metadata(path).map_or(0, |m| m.len());
            let gz = path.extension().is_some_and(|e| e == "gz");
            // A data line of a real edge list takes 8 bytes or more ("1234 5678\n"), gzip packs
            // such text about 4:1, and real follower graphs have a mean degree of 4 or more.
            let edges = bytes.saturating_mul(if gz { 4 } else { 1 }) / 8;
            ((edges / 4).max(1), edges, import.weighted, true)
        }
    };
    let nodes = nodes.min(u64::from(u32::MAX));
    // Both directions (u64 offsets, u32 targets, f32 weights) plus the (u32, u32) edge list
    // they are built from, and string labels.
    let per_edge = 8 + 8 + if weighted { 8 } else { 0 };
    let one_graph = edges
        .saturating_mul(per_edge)
        .saturating_add(nodes.saturating_mul(16 + if labelled { 32 } else { 0 }));
    let per_replicate_graphs = matches!(
        scenario.graph,
        GraphSource::Generator {
            per_replicate: true,
            ..
        }
    );
    let running_at_once = threads.min(u64::from(scenario.replicates));
    let graph = if per_replicate_graphs {
        one_graph.saturating_mul(running_at_once)
    } else {
        one_graph
    };
    let mut per_run = nodes.saturating_mul(AGENT_BYTES + STATE_BYTES);
    if matches!(scenario.timing, TimingSpec::Delayed { .. }) {
        per_run = per_run.saturating_add(edges.saturating_mul(DELIVERY_BYTES));
    }
    let running = per_run.saturating_mul(running_at_once);
    let steps = u64::from(scenario.stop.max_steps) + 1;
    let seats = if scenario.theater_layout().is_some() {
        nodes
    } else {
        0
    };
    // Finished replicates keep their summary (and seat map) until the end; their trajectories
    // are handed over in replicate order a window at a time (at most 64 MiB of them, or
    // four per thread) and dropped, so they count once, not per replicate.
    let trajectory = steps.saturating_mul(std::mem::size_of::<StepRecord>() as u64);
    let one_result = (std::mem::size_of::<ReplicateResult>() as u64)
        .saturating_add(seats)
        .saturating_add(256);
    let in_flight = trajectory
        .saturating_mul(4096)
        .min(64 << 20)
        .max(trajectory.saturating_mul(4 * threads))
        .min(trajectory.saturating_mul(u64::from(scenario.replicates)));
    let results = one_result
        .saturating_mul(u64::from(scenario.replicates))
        .saturating_add(in_flight);
    MemoryEstimate {
        nodes,
        edges,
        graph,
        running,
        results,
    }
}

/// The expected number of edges a generator builds (on the high side).
pub fn expected_edges(spec: &GeneratorSpec) -> u64 {
    let sq = |n: u64| n.saturating_mul(n.saturating_sub(1));
    let f = |x: f64| {
        if x.is_finite() && x > 0.0 {
            x.min(u64::MAX as f64) as u64
        } else {
            0
        }
    };
    match spec {
        GeneratorSpec::Theater { rows, seats, cone } => {
            let c = u64::from(*cone);
            (u64::from(*rows) * u64::from(*seats)).saturating_mul(c.saturating_mul(c + 2) + 2)
        }
        GeneratorSpec::ErdosRenyi {
            n,
            p,
            m,
            undirected,
            ..
        } => {
            let n = u64::from(*n);
            let e = match (p, m) {
                (Some(p), _) => f(p * sq(n) as f64),
                (None, Some(m)) => *m,
                (None, None) => 0,
            };
            if *undirected { e.saturating_mul(2) } else { e }
        }
        GeneratorSpec::BarabasiAlbert { n, m } => u64::from(*n).saturating_mul(u64::from(*m)),
        GeneratorSpec::WattsStrogatz { n, k, .. } => u64::from(*n)
            .saturating_mul(u64::from(*k))
            .saturating_mul(2),
        GeneratorSpec::StochasticBlock {
            sizes,
            p_in,
            p_out,
            probabilities,
        } => {
            let mut e = 0.0;
            for (a, &sa) in sizes.iter().enumerate() {
                for (b, &sb) in sizes.iter().enumerate() {
                    let p = match probabilities {
                        Some(rows) => rows.get(a).and_then(|r| r.get(b)).copied().unwrap_or(1.0),
                        None if a == b => p_in.unwrap_or(1.0),
                        None => p_out.unwrap_or(1.0),
                    };
                    e += p * f64::from(sa) * f64::from(sb);
                }
            }
            f(e)
        }
        GeneratorSpec::PowerlawConfiguration {
            n,
            in_exponent,
            out_exponent,
            min_degree,
            max_degree,
        } => {
            // Mean of a continuous power law from `min`: min (a - 1) / (a - 2) when a > 2;
            // heavier tails are bounded by the largest degree.
            let cap = f64::from(max_degree.unwrap_or(*n));
            let a = in_exponent.min(*out_exponent);
            let mean = if a > 2.0 {
                (f64::from(*min_degree) * (a - 1.0) / (a - 2.0)).min(cap)
            } else {
                cap
            };
            f(mean * f64::from(*n))
        }
        GeneratorSpec::DegreeSequence { out_degrees, .. } => {
            out_degrees.iter().map(|&d| u64::from(d)).sum()
        }
        GeneratorSpec::Complete { n } => sq(u64::from(*n)),
    }
}

/// The estimate of several scenarios run in one pool (a sweep's cells, a comparison's
/// strategies): the largest graph and running state, every one's results.
pub fn combined(estimates: &[MemoryEstimate]) -> MemoryEstimate {
    let mut out = MemoryEstimate {
        nodes: 0,
        edges: 0,
        graph: 0,
        running: 0,
        results: 0,
    };
    for e in estimates {
        out.nodes = out.nodes.max(e.nodes);
        out.edges = out.edges.max(e.edges);
        out.graph = out.graph.max(e.graph);
        out.running = out.running.max(e.running);
        out.results = out.results.saturating_add(e.results);
    }
    out
}

/// Refuses an estimate above `limit` bytes, naming both.
pub fn check(estimate: &MemoryEstimate, limit: u64) -> Result<(), String> {
    if estimate.total() > limit {
        return Err(format!(
            "the scenario needs {estimate}, more than the memory limit of {} (the machine's \
             memory; pass --memory-limit SIZE, e.g. --memory-limit 64G, to run it anyway)",
            bytes_text(limit)
        ));
    }
    Ok(())
}
