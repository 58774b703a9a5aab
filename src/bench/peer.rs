//! The threshold group of the peer harness (`benches/peers/`): the same SNAP edge list, per-node
//! thresholds and seed files as the C loops of `c/threshold.c`, read the same way (ids used as
//! given, `n = max(# Nodes: N header, largest id + 1)`, self-loops and repeated edges kept),
//! and the fractional threshold cascade of [`crate::engine::rules::threshold`], timed alone.

use std::path::Path;
use std::time::Instant;

use crate::engine::rules::threshold::{Cascade, Needs};
use crate::graph::io::{IdKind, ImportOptions, import_edge_list};
use crate::graph::{BuildOptions, FollowerGraph, NodeLabels};

/// The inputs of one peer run.
pub struct PeerInputs {
    /// The graph, with the file's ids as agent ids.
    pub graph: FollowerGraph,
    /// One fractional threshold per agent.
    pub phi: Vec<f64>,
    /// The seed agents.
    pub seeds: Vec<u32>,
    /// Seconds spent reading and building the graph.
    pub parse_s: f64,
}

/// One repetition's result, printed as one JSON line.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct PeerRecord {
    /// Always "ovation".
    #[serde(rename = "impl")]
    pub implementation: &'static str,
    /// Agents.
    pub n: u32,
    /// Edges.
    pub m: u64,
    /// Repetition index.
    pub rep: u32,
    /// Seconds reading the graph.
    pub parse_s: f64,
    /// Seconds of the cascade (thresholds to needs, then the steps).
    pub cascade_s: f64,
    /// Seconds of the cascade spent on the needs (included in `cascade_s`).
    pub init_s: f64,
    /// Final active agents.
    pub active: u64,
    /// Steps with at least one adoption.
    pub steps: u32,
    /// Adjacency entries read.
    pub visits: u64,
    /// Steps that pulled (the rest pushed).
    pub pulls: u32,
    /// Worker threads.
    pub threads: usize,
}

/// Reads a SNAP edge list as `c/threshold.c` does: ids kept, `n` from the header or the
/// largest id, nothing dropped.
pub fn read_graph(path: &Path) -> anyhow::Result<FollowerGraph> {
    let header_n = header_nodes(path)?;
    let opts = ImportOptions {
        ids: IdKind::Integer,
        keep_self_loops: true,
        keep_duplicates: true,
        ..ImportOptions::default()
    };
    let g = import_edge_list(path, &opts, &|_| {})?;
    let ids: &[u64] = match g.labels() {
        Some(NodeLabels::Integers(ids)) => ids,
        _ => &[],
    };
    let identity = ids.iter().enumerate().all(|(i, &x)| x == i as u64);
    let largest = ids.last().map_or(u64::from(g.node_count()), |&x| x + 1);
    let n = header_n.max(largest);
    let n = u32::try_from(n).map_err(|_| anyhow::anyhow!("{}: {n} nodes", path.display()))?;
    if identity && n == g.node_count() {
        return Ok(g);
    }
    // Renumber back to the file's ids (some ids unused, or a larger header).
    let edges = g
        .edges()
        .map(|(u, v)| match ids {
            [] => (u, v),
            _ => (ids[u as usize] as u32, ids[v as usize] as u32),
        })
        .collect();
    let build = BuildOptions {
        keep_self_loops: true,
        keep_duplicates: true,
    };
    Ok(FollowerGraph::from_edges(n, edges, None, build))
}

/// The `N` of a `# Nodes: N` comment line before the first edge (0 without one).
fn header_nodes(path: &Path) -> anyhow::Result<u64> {
    use std::io::{BufRead, BufReader};
    let f = std::fs::File::open(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let mut best = 0;
    for line in BufReader::new(f).lines().take(64) {
        let line = line?;
        if !line.starts_with('#') {
            break;
        }
        if let Some(rest) = line.split("Nodes:").nth(1) {
            let digits: String = rest
                .trim_start()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            best = best.max(digits.parse().unwrap_or(0));
        }
    }
    Ok(best)
}

/// Reads the graph, `n` thresholds and the seeds.
pub fn read_inputs(graph: &Path, phi: &Path, seeds: &Path) -> anyhow::Result<PeerInputs> {
    let t = Instant::now();
    let graph_ = read_graph(graph)?;
    let parse_s = t.elapsed().as_secs_f64();
    let n = graph_.node_count();
    let text =
        std::fs::read_to_string(phi).map_err(|e| anyhow::anyhow!("{}: {e}", phi.display()))?;
    let phi_v = text
        .split_ascii_whitespace()
        .map(|s| s.parse::<f64>())
        .collect::<Result<Vec<f64>, _>>()
        .map_err(|e| anyhow::anyhow!("{}: {e}", phi.display()))?;
    if phi_v.len() != n as usize {
        anyhow::bail!(
            "{}: expected {n} thresholds (one per node), found {}",
            phi.display(),
            phi_v.len()
        );
    }
    let seed_v = read_ids(seeds, n)?;
    Ok(PeerInputs {
        graph: graph_,
        phi: phi_v,
        seeds: seed_v,
        parse_s,
    })
}

/// Runs the cascade `reps` times on `inputs`, timing the needs and the steps of each; the
/// buffers are allocated once, before the first timing, as `c/threshold.c` does. The steps are
/// driven from a worker of the thread pool, as the engine's replicates are (`run` and the
/// other commands run them in the pool): a parallel step then shares its work with the other
/// workers, where from outside the pool the calling thread would wait beside them, one thread
/// more than the cores asked for.
pub fn run(inputs: &PeerInputs, reps: u32) -> Vec<PeerRecord> {
    rayon::scope(|_| run_here(inputs, reps))
}

/// [`run`] on the calling thread.
fn run_here(inputs: &PeerInputs, reps: u32) -> Vec<PeerRecord> {
    let g = &inputs.graph;
    let phi = &inputs.phi;
    let mut c = Cascade::empty(
        g.source_adjacency(),
        g.follower_adjacency(),
        None,
        g.node_count() as usize,
    );
    (0..reps)
        .map(|rep| {
            let t = Instant::now();
            c.restart(Needs::Fractional(phi), &inputs.seeds);
            let init_s = t.elapsed().as_secs_f64();
            let mut pulls = 0;
            while let Some(info) = c.step() {
                pulls += u32::from(info.pulled);
            }
            let cascade_s = t.elapsed().as_secs_f64();
            PeerRecord {
                implementation: "ovation",
                n: g.node_count(),
                m: g.edge_count(),
                rep,
                parse_s: inputs.parse_s,
                cascade_s,
                init_s,
                active: c.active_count,
                steps: c.steps,
                visits: c.visits,
                pulls,
                threads: rayon::current_num_threads(),
            }
        })
        .collect()
}

/// A scenario for a peer run: the keys of its one population class, a `[model]` table's body
/// and optional further tables (the graph is a placeholder: peer runs bring their own). Its
/// rule, population, timing and seeding are what the peer modes read.
pub fn scenario(
    name: &str,
    population: &str,
    model: &str,
    rest: &str,
) -> anyhow::Result<crate::scenario::Scenario> {
    let text = format!(
        "name = \"peer-{name}\"\nseed = 1\nreplicates = 1\nsteps = 100000\n\
         stop_at_fixed_point = true\n[graph]\ngenerator = \"complete\"\nn = 2\n\
         [[population]]\nname = \"all\"\n{population}\n[model]\n{model}\n{rest}"
    );
    crate::scenario::load_str(&format!("peer-{name}.toml"), &text, Path::new("."), &[])
        .map_err(|e| anyhow::anyhow!("{}", e.to_string().replace('\n', "; ")))
}

/// Reads a file of agent ids (whitespace-separated), each below `n`; ascending, no repeats.
pub fn read_ids(path: &Path, n: u32) -> anyhow::Result<Vec<u32>> {
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let mut ids = Vec::new();
    for (line_no, line) in text.lines().enumerate() {
        for s in line.split_ascii_whitespace() {
            let x: u64 = s.parse().map_err(|_| {
                anyhow::anyhow!(
                    "{}:{}: expected an agent id (a non-negative integer), found {s:?}",
                    path.display(),
                    line_no + 1
                )
            })?;
            if x >= u64::from(n) {
                anyhow::bail!(
                    "{}:{}: agent {x} is out of range (the graph has {n} agents)",
                    path.display(),
                    line_no + 1
                );
            }
            ids.push(x as u32);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}
