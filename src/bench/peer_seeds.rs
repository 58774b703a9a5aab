//! Seed selection for the peer harness (`ovation bench peer-seeds`, `benches/peers/`): one
//! `[seeding]` method (any the scenario accepts: `degree_discount`, `celf`, and whatever
//! method a later build adds, with its own keys) on a SNAP edge list under the independent
//! cascade or linear threshold rule, timed, with the chosen seeds in the method's order. The
//! harness then scores every implementation's seeds with one Monte Carlo evaluator
//! ([`super::peer_mc`]). One selection per process: selections are cached per graph within a
//! process, so a repetition in the same process would time the cache.

use std::path::Path;
use std::time::Instant;

use crate::bench::peer::{read_graph, scenario};
use crate::strategy::seeding::{SeedContext, select_in_order};

/// The selection, printed as one JSON line.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SeedsRecord {
    /// Always "ovation".
    #[serde(rename = "impl")]
    pub implementation: &'static str,
    /// The `[seeding]` method.
    pub method: String,
    /// `ic` or `lt`.
    pub rule: String,
    /// Agents.
    pub n: u32,
    /// Edges.
    pub m: u64,
    /// Seconds reading the graph.
    pub parse_s: f64,
    /// Seconds of the selection.
    pub select_s: f64,
    /// The seeds, best first.
    pub seeds: Vec<u32>,
    /// Worker threads.
    pub threads: usize,
}

/// The `[seeding]` table of `method` with `k` seeds and further `key = value` lines.
pub fn seeding_text(method: &str, k: u32, params: &[String]) -> String {
    let mut text = format!("[seeding]\nmethod = \"{method}\"\nk = {k}\n");
    for p in params {
        text.push_str(p);
        text.push('\n');
    }
    text
}

/// Selects `k` seeds with `method` (and `params`, TOML `key = value` lines of its table) on
/// the graph at `graph_path` under rule `rule_name` (`ic` with probability `p`, or `lt`).
pub fn run(
    graph_path: &Path,
    rule_name: &str,
    p: f64,
    method: &str,
    k: u32,
    params: &[String],
) -> anyhow::Result<SeedsRecord> {
    let model = match rule_name {
        "ic" => format!("rule = \"independent_cascade\"\nprobability = {p:?}"),
        "lt" => "rule = \"linear_threshold\"".to_string(),
        other => anyhow::bail!("--rule: expected ic or lt, found {other:?}"),
    };
    let sc = scenario("seeds", "", &model, &seeding_text(method, k, params))?;
    let spec = sc
        .seeding
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("no [seeding] table"))?;
    let t = Instant::now();
    let graph = read_graph(graph_path)?;
    let parse_s = t.elapsed().as_secs_f64();
    let ctx = SeedContext {
        graph: &graph,
        rule: &sc.model,
        seed: sc.seed,
        key: crate::rng::replicate_key(sc.seed, 0),
    };
    let t = Instant::now();
    let seeds = select_in_order(spec, &ctx).map_err(|e| anyhow::anyhow!(e))?;
    let select_s = t.elapsed().as_secs_f64();
    Ok(SeedsRecord {
        implementation: "ovation",
        method: method.to_string(),
        rule: rule_name.to_string(),
        n: graph.node_count(),
        m: graph.edge_count(),
        parse_s,
        select_s,
        seeds,
        threads: rayon::current_num_threads(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degree_discount_on_a_small_file_picks_the_hub_first() {
        let dir = std::env::temp_dir().join(format!("ovation-peer-seeds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("g.txt");
        // Agent 3 has four followers, agent 0 two, the others none.
        std::fs::write(&path, "# Nodes: 8\n3 4\n3 5\n3 6\n3 7\n0 1\n0 2\n").unwrap();
        let rec = run(&path, "ic", 0.01, "degree_discount", 2, &[]).unwrap();
        assert_eq!(rec.seeds, vec![3, 0]);
        assert_eq!((rec.n, rec.m), (8, 6));
        let err = run(&path, "ic", 0.01, "no_such_method", 2, &[]).unwrap_err();
        assert!(err.to_string().contains("no_such_method"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
