//! One process's part of the follower graph: the rows, in both directions, of the agents it
//! owns, and for each of its workers the index from a source to the worker's own followers
//! of it (what a worker needs to count down, or count up, its agents when a source changes).

use std::path::Path;

use anyhow::{Context, anyhow};

use crate::graph::io::read_cache_rows;
use crate::graph::{Adjacency, FollowerGraph};
use crate::runner;
use crate::scenario::{GraphSource, Scenario};

/// The rows of agents `first..first + len` of a graph of `node_count` agents.
#[derive(Debug)]
pub struct Part {
    /// Agents in the whole graph.
    pub node_count: u32,
    /// Edges in the whole graph.
    pub edge_count: u64,
    /// The first agent held.
    pub first: u32,
    /// Whether the graph has edge weights.
    pub weighted: bool,
    /// The held agents' sources (row `k` is agent `first + k`'s).
    sources: Adjacency,
    /// The held agents' followers.
    followers: Adjacency,
    /// Bytes of the graph file read (0 when the whole graph was built or loaded).
    pub bytes_read: u64,
}

/// How a process got its part of the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loading {
    /// Only its rows were read from a `.ovg` cache.
    Rows,
    /// The whole graph was generated or imported, then all but its rows dropped.
    Whole,
}

impl Part {
    /// The node count of `scenario`'s graph when it is a `.ovg` cache (read from its header
    /// alone), else `None`.
    pub fn cached_node_count(scenario: &Scenario) -> anyhow::Result<Option<u32>> {
        match cache_file(scenario)? {
            Some(path) => Ok(Some(
                read_cache_rows(path, 0, 0)
                    .with_context(|| format!("{}: graph", scenario.path.display()))?
                    .node_count,
            )),
            None => Ok(None),
        }
    }

    /// The whole graph of `scenario` (replicate `replicate`'s, for per-replicate graphs), or,
    /// when it is a `.ovg` cache, nothing: the caller then reads only its rows with
    /// [`Part::load`].
    pub fn whole(scenario: &Scenario, replicate: u32) -> anyhow::Result<Option<FollowerGraph>> {
        if cache_file(scenario)?.is_some() {
            return Ok(None);
        }
        // As `ovation run`: one graph for all replicates unless `per_replicate`.
        let own = runner::graph_per_replicate(scenario).then_some(replicate);
        runner::load_graph(scenario, own).map(Some)
    }

    /// The rows of agents `lo..hi`: read from the `.ovg` cache alone when the scenario's graph
    /// is one, else copied out of `whole`.
    pub fn load(
        scenario: &Scenario,
        whole: Option<&FollowerGraph>,
        lo: u32,
        hi: u32,
    ) -> anyhow::Result<(Part, Loading)> {
        if let Some(g) = whole {
            let slice = |adj: &Adjacency| {
                let (a, b) = (adj.offsets[lo as usize], adj.offsets[hi as usize]);
                Adjacency {
                    offsets: adj.offsets[lo as usize..=hi as usize]
                        .iter()
                        .map(|&x| x - a)
                        .collect(),
                    targets: adj.targets[a as usize..b as usize].to_vec(),
                    weights: adj
                        .weights
                        .as_ref()
                        .map(|w| w[a as usize..b as usize].to_vec()),
                }
            };
            return Ok((
                Part {
                    node_count: g.node_count(),
                    edge_count: g.edge_count(),
                    first: lo,
                    weighted: g.is_weighted(),
                    sources: slice(g.source_adjacency()),
                    followers: slice(g.follower_adjacency()),
                    bytes_read: 0,
                },
                Loading::Whole,
            ));
        }
        let path = cache_file(scenario)?
            .ok_or_else(|| anyhow!("{}: no graph to load", scenario.path.display()))?;
        let rows = read_cache_rows(path, lo, hi)
            .with_context(|| format!("{}: graph", scenario.path.display()))?;
        Ok((
            Part {
                node_count: rows.node_count,
                edge_count: rows.edge_count,
                first: rows.first,
                weighted: rows.sources.weights.is_some(),
                sources: rows.sources,
                followers: rows.followers,
                bytes_read: rows.bytes_read,
            },
            Loading::Rows,
        ))
    }

    /// Agents held.
    pub fn len(&self) -> u32 {
        (self.sources.offsets.len() - 1) as u32
    }

    /// Whether no agent is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The followers of held agent `v` (a global id), ascending.
    #[inline]
    pub fn followers(&self, v: u32) -> &[u32] {
        self.followers.row(v - self.first)
    }

    /// The sources of held agent `v` (a global id), ascending.
    #[inline]
    pub fn sources(&self, v: u32) -> &[u32] {
        self.sources.row(v - self.first)
    }

    /// Bytes held: both directions' offsets, targets and weights.
    pub fn bytes(&self) -> u64 {
        let adj = |a: &Adjacency| {
            8 * a.offsets.len() as u64
                + 4 * a.targets.len() as u64
                + 4 * a.weights.as_ref().map_or(0, |w| w.len() as u64)
        };
        adj(&self.sources) + adj(&self.followers)
    }
}

/// The `.ovg` cache the scenario's graph is, if it is one.
fn cache_file(scenario: &Scenario) -> anyhow::Result<Option<&Path>> {
    match &scenario.graph {
        GraphSource::File { path, .. } => {
            let is = crate::graph::io::is_cache(path)
                .with_context(|| format!("{}: graph", scenario.path.display()))?;
            Ok(is.then_some(path.as_path()))
        }
        GraphSource::Generator { .. } => Ok(None),
    }
}

/// For the agents `lo..hi`, which of them follow each source: the transpose of their source
/// rows, keyed by source (sorted, so a lookup is a binary search). Holds one entry per edge
/// into the range, never a row per agent of the whole graph.
#[derive(Debug)]
pub struct Incoming {
    keys: Vec<u32>,
    offsets: Vec<u64>,
    followers: Vec<u32>,
}

impl Incoming {
    /// The index of agents `lo..hi` of `part`.
    pub fn new(part: &Part, lo: u32, hi: u32) -> Incoming {
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for v in lo..hi {
            pairs.extend(part.sources(v).iter().map(|&u| (u, v)));
        }
        pairs.sort_unstable();
        let mut keys = Vec::new();
        let mut offsets = Vec::new();
        let mut followers = Vec::with_capacity(pairs.len());
        for (k, &(u, v)) in pairs.iter().enumerate() {
            if keys.last() != Some(&u) {
                keys.push(u);
                offsets.push(k as u64);
            }
            followers.push(v);
        }
        offsets.push(pairs.len() as u64);
        Incoming {
            keys,
            offsets,
            followers,
        }
    }

    /// The agents of the range that follow `u`, ascending (empty if none).
    #[inline]
    pub fn followers_of(&self, u: u32) -> &[u32] {
        match self.keys.binary_search(&u) {
            Ok(k) => &self.followers[self.offsets[k] as usize..self.offsets[k + 1] as usize],
            Err(_) => &[],
        }
    }
}
