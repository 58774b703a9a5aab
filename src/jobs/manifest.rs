//! The manifest of one run folder (a run, a sweep cell, a compared strategy), built in one
//! place for every job.

use std::time::SystemTime;

use super::JobError;
use crate::graph::FollowerGraph;
use crate::output::{self, GraphSummary, Manifest};
use crate::runner;
use crate::scenario::Scenario;

/// The program as named in manifests, e.g. `ovation 0.1.0`.
pub(crate) fn program() -> String {
    format!("ovation {}", env!("CARGO_PKG_VERSION"))
}

/// The graph of `scenario` as a manifest records it: `graph` is the graph its replicates
/// shared, None when each replicate built its own.
pub(crate) fn graph_summary(scenario: &Scenario, graph: Option<&FollowerGraph>) -> GraphSummary {
    match graph {
        Some(g) => GraphSummary {
            nodes: u64::from(g.node_count()),
            edges: g.edge_count(),
            source: runner::graph_source_text(scenario),
        },
        None => GraphSummary {
            nodes: 0,
            edges: 0,
            source: format!(
                "{} (one graph per replicate)",
                runner::graph_source_text(scenario)
            ),
        },
    }
}

/// The manifest of a run folder of `scenario` that ran on `graph` (None: one per replicate)
/// from `started` to `finished`, with `resumed` replicates found on disk.
pub(crate) fn manifest(
    scenario: &Scenario,
    graph: Option<&FollowerGraph>,
    started: SystemTime,
    finished: SystemTime,
    resumed: u32,
) -> Result<Manifest, JobError> {
    Ok(Manifest {
        scenario: serde_json::to_value(&scenario.resolved)
            .map_err(|e| JobError::Setup(anyhow::anyhow!("scenario as JSON: {e}")))?,
        scenario_file: scenario.path.display().to_string(),
        overrides: scenario.overrides.clone(),
        seed: scenario.seed,
        replicates: scenario.replicates,
        program: program(),
        graph: graph_summary(scenario, graph),
        started: output::rfc3339_utc(started),
        finished: output::rfc3339_utc(finished),
        threads: rayon::current_num_threads(),
        resumed_replicates: resumed,
        provenance: output::provenance::provenance(scenario)?,
        shards: Vec::new(),
    })
}
