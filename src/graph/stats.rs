//! Descriptive statistics of a follower graph, as printed by `ovation graph stats`.
//!
//! [`GraphStats::of`] computes everything in one call; its `Display` is the human-readable
//! table and its `Serialize` the `--json` output. Directions are named in words: an account's
//! **followers** are its out-neighbours (edge `u -> v`: v follows u), the accounts it is
//! **following** (its sources) are its in-neighbours.
//!
//! Everything is deterministic: parallel parts count in integers or sort, never sum floats in
//! scheduling order.
//!
//! # Format
//! `ovation graph stats FILE --json` prints one object (numbers abridged):
//! ```json
//! {"nodes": 4, "edges": 4, "weighted": false, "edges_in": 5, "self_loops_dropped": 1,
//!  "duplicates_dropped": 0, "reciprocity": 0.5,
//!  "followers": {"mean": 1.0, "max": 3, "p50": 0, "p90": 3, "p99": 3},
//!  "following": {"mean": 1.0, "max": 1, "p50": 1, "p90": 1, "p99": 1},
//!  "top_by_followers": [{"id": 0, "label": "alice", "followers": 3, "following": 1}],
//!  "scc": {"count": 3, "largest": 2}, "wcc": {"count": 1, "largest": 4},
//!  "memory": {"heap_bytes": 225, "edge_bytes": 32, "node_bytes": 193,
//!             "bytes_per_edge": 8.0, "bytes_per_node": 48.25}}
//! ```

use std::fmt;

use rayon::prelude::*;
use serde::Serialize;

use crate::graph::petgraph_bridge::{self, Components};
use crate::graph::{Adjacency, FollowerGraph};

/// How many accounts [`GraphStats::top_by_followers`] lists.
pub const TOP_ACCOUNTS: usize = 10;

/// Summary of one degree distribution (follower counts or following counts) over all nodes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct DegreeSummary {
    /// Mean degree: edges / nodes (0 for an empty graph).
    pub mean: f64,
    /// Largest degree.
    pub max: u32,
    /// Median: the smallest degree `d` such that at least 50% of nodes have degree <= `d`
    /// (nearest-rank definition, so always a degree some node has).
    pub p50: u32,
    /// 90th percentile, nearest rank.
    pub p90: u32,
    /// 99th percentile, nearest rank.
    pub p99: u32,
}

/// One of the accounts with the most followers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopAccount {
    /// Dense node id.
    pub id: u32,
    /// The original id from the edge list, or the dense id for generated graphs.
    pub label: String,
    /// Number of followers (out-degree: who sees this account).
    pub followers: u32,
    /// Number of accounts it follows (in-degree: its sources).
    pub following: u32,
}

/// Memory held by the graph's arrays.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct MemoryUse {
    /// All heap bytes held by the graph: both CSR directions, weights and labels.
    pub heap_bytes: u64,
    /// Bytes of the per-edge arrays (targets in both directions, and weights when present).
    pub edge_bytes: u64,
    /// Everything else (row offsets, labels, spare capacity): `heap_bytes - edge_bytes`.
    pub node_bytes: u64,
    /// `edge_bytes / edges`: 8 for an unweighted graph, 16 for a weighted one (0 if no edges).
    pub bytes_per_edge: f64,
    /// `node_bytes / nodes` (0 if no nodes).
    pub bytes_per_node: f64,
}

/// Descriptive statistics of a [`FollowerGraph`], for `ovation graph stats`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraphStats {
    /// Number of nodes (accounts, agents).
    pub nodes: u64,
    /// Number of edges (follow relations) kept in the graph.
    pub edges: u64,
    /// Whether edges carry weights.
    pub weighted: bool,
    /// Edges read or generated before self-loops and duplicates were dropped.
    pub edges_in: u64,
    /// Self-loops dropped while building.
    pub self_loops_dropped: u64,
    /// Repeated edges dropped while building.
    pub duplicates_dropped: u64,
    /// Fraction of edges `u -> v` (u != v) whose reverse `v -> u` also exists: follow-backs.
    /// Self-loops count in the denominator but are never reciprocated. 0 when there are no edges.
    pub reciprocity: f64,
    /// Follower counts (out-degree): how many accounts see each account.
    pub followers: DegreeSummary,
    /// Following counts (in-degree): how many accounts each account sees (its sources).
    pub following: DegreeSummary,
    /// The accounts with the most followers, most first, ties by smaller dense id; at most
    /// [`TOP_ACCOUNTS`].
    pub top_by_followers: Vec<TopAccount>,
    /// Strongly connected components (following edges forwards).
    pub scc: Components,
    /// Weakly connected components (directions ignored).
    pub wcc: Components,
    /// Memory held by the graph.
    pub memory: MemoryUse,
}

impl GraphStats {
    /// Computes the statistics of `graph`.
    ///
    /// Computes in **O(n log n + m α(n))** time, in parallel except for the two component
    /// passes (which run side by side); memory beyond the graph is about 70 bytes per node.
    pub fn of(graph: &FollowerGraph) -> GraphStats {
        let report = graph.report();
        let n = graph.node_count();
        let m = graph.edge_count();
        let ((followers, following), ((reciprocated, top), (scc, wcc))) = rayon::join(
            || {
                rayon::join(
                    || degree_summary(graph.follower_adjacency(), m),
                    || degree_summary(graph.source_adjacency(), m),
                )
            },
            || {
                rayon::join(
                    || (reciprocated_edges(graph), top_by_followers(graph)),
                    || {
                        rayon::join(
                            || petgraph_bridge::strongly_connected(graph),
                            || petgraph_bridge::weakly_connected(graph),
                        )
                    },
                )
            },
        );
        GraphStats {
            nodes: u64::from(n),
            edges: m,
            weighted: graph.is_weighted(),
            edges_in: report.edges_in,
            self_loops_dropped: report.self_loops_dropped,
            duplicates_dropped: report.duplicates_dropped,
            reciprocity: ratio(reciprocated, m),
            followers,
            following,
            top_by_followers: top,
            scc,
            wcc,
            memory: memory_use(graph),
        }
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Degrees from a CSR's offsets, sorted, then nearest-rank quantiles.
fn degree_summary(adj: &Adjacency, edges: u64) -> DegreeSummary {
    let mut degrees: Vec<u32> = adj
        .offsets
        .par_windows(2)
        .map(|w| (w[1] - w[0]) as u32)
        .collect();
    if degrees.is_empty() {
        return DegreeSummary::default();
    }
    degrees.par_sort_unstable();
    DegreeSummary {
        mean: ratio(edges, degrees.len() as u64),
        max: *degrees.last().expect("not empty"),
        p50: nearest_rank(&degrees, 50),
        p90: nearest_rank(&degrees, 90),
        p99: nearest_rank(&degrees, 99),
    }
}

/// The `pct`-th percentile of sorted, non-empty `values` by nearest rank: the value at rank
/// `ceil(pct / 100 * len)` (1-based), computed in integers.
fn nearest_rank(sorted: &[u32], pct: u64) -> u32 {
    let len = sorted.len() as u64;
    let rank = (pct * len).div_ceil(100).max(1);
    sorted[(rank - 1) as usize]
}

/// Edges `u -> v` with `v != u` whose reverse exists: for each `u`, the size of the merge of
/// its followers with its sources (both sorted), so **O(m)** in all.
fn reciprocated_edges(graph: &FollowerGraph) -> u64 {
    (0..graph.node_count())
        .into_par_iter()
        .map(|u| {
            let sources = graph.sources(u);
            let mut j = 0;
            let mut count = 0u64;
            for &v in graph.followers(u) {
                while j < sources.len() && sources[j] < v {
                    j += 1;
                }
                if v != u && j < sources.len() && sources[j] == v {
                    count += 1;
                }
            }
            count
        })
        .sum()
}

/// The [`TOP_ACCOUNTS`] nodes with most followers, ties by smaller id: a per-chunk top list,
/// merged. The order is total, so the result does not depend on how work is split.
fn top_by_followers(graph: &FollowerGraph) -> Vec<TopAccount> {
    // Sort key: most followers first, then smaller id.
    let key = |u: u32| (std::cmp::Reverse(graph.follower_count(u)), u);
    let keep = |mut v: Vec<u32>| {
        v.sort_unstable_by_key(|&u| key(u));
        v.truncate(TOP_ACCOUNTS);
        v
    };
    let top = (0..graph.node_count())
        .into_par_iter()
        .fold(Vec::new, |mut acc: Vec<u32>, u| {
            acc.push(u);
            if acc.len() >= 8 * TOP_ACCOUNTS {
                acc = keep(acc);
            }
            acc
        })
        .map(keep)
        .reduce(Vec::new, |mut a, b| {
            a.extend(b);
            keep(a)
        });
    keep(top)
        .into_iter()
        .map(|u| TopAccount {
            id: u,
            label: graph.label(u),
            followers: graph.follower_count(u),
            following: graph.source_count(u),
        })
        .collect()
}

fn memory_use(graph: &FollowerGraph) -> MemoryUse {
    let heap = graph.heap_bytes() as u64;
    let per_edge_arrays = |a: &Adjacency| {
        a.targets.len() as u64 * 4 + a.weights.as_ref().map_or(0, |w| w.len() as u64 * 4)
    };
    let edge_bytes =
        per_edge_arrays(graph.follower_adjacency()) + per_edge_arrays(graph.source_adjacency());
    let node_bytes = heap.saturating_sub(edge_bytes);
    MemoryUse {
        heap_bytes: heap,
        edge_bytes,
        node_bytes,
        bytes_per_edge: ratio(edge_bytes, graph.edge_count()),
        bytes_per_node: ratio(node_bytes, u64::from(graph.node_count())),
    }
}

/// Formats a byte count with a binary unit.
fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{b} B")
    } else {
        format!("{v:.2} {}", UNITS[unit])
    }
}

impl fmt::Display for GraphStats {
    /// The table printed by `ovation graph stats`, for example:
    ///
    /// ```text
    /// nodes      4
    /// edges      4 (unweighted; u -> v means v follows u)
    /// dropped    1 self-loops, 0 duplicate edges (of 5 edges read)
    /// reciprocity 0.5000 (share of edges followed back)
    ///
    ///                             mean    p50    p90    p99    max
    /// followers (out-degree)      1.00      0      3      3      3
    /// following (in-degree)       1.00      1      1      1      1
    /// ```
    /// then the top accounts by followers, the component counts and memory.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "nodes        {}", self.nodes)?;
        writeln!(
            f,
            "edges        {} ({}; u -> v means v follows u)",
            self.edges,
            if self.weighted {
                "weighted"
            } else {
                "unweighted"
            }
        )?;
        writeln!(
            f,
            "dropped      {} self-loops, {} duplicate edges (of {} edges read)",
            self.self_loops_dropped, self.duplicates_dropped, self.edges_in
        )?;
        writeln!(
            f,
            "reciprocity  {:.4} (share of edges whose reverse edge exists)",
            self.reciprocity
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "{:<24} {:>10} {:>10} {:>10} {:>10} {:>10}",
            "per account", "mean", "p50", "p90", "p99", "max"
        )?;
        for (name, d) in [
            ("followers (out-degree)", &self.followers),
            ("following (in-degree)", &self.following),
        ] {
            writeln!(
                f,
                "{name:<24} {:>10.2} {:>10} {:>10} {:>10} {:>10}",
                d.mean, d.p50, d.p90, d.p99, d.max
            )?;
        }
        writeln!(f)?;
        writeln!(f, "top accounts by followers")?;
        let width = self
            .top_by_followers
            .iter()
            .map(|a| a.label.chars().count())
            .chain(["account".len()])
            .max()
            .unwrap_or(7);
        writeln!(
            f,
            "{:>6}  {:<width$}  {:>10}  {:>10}",
            "rank", "account", "followers", "following"
        )?;
        for (rank, a) in self.top_by_followers.iter().enumerate() {
            writeln!(
                f,
                "{:>6}  {:<width$}  {:>10}  {:>10}",
                rank + 1,
                a.label,
                a.followers,
                a.following
            )?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "strongly connected components  {} (largest: {} nodes)",
            self.scc.count, self.scc.largest
        )?;
        writeln!(
            f,
            "weakly connected components    {} (largest: {} nodes)",
            self.wcc.count, self.wcc.largest
        )?;
        write!(
            f,
            "memory       {} = {:.2} bytes per edge + {:.2} bytes per node",
            human_bytes(self.memory.heap_bytes),
            self.memory.bytes_per_edge,
            self.memory.bytes_per_node
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::petgraph_bridge::to_petgraph;
    use crate::graph::{BuildOptions, NodeLabels};

    fn graph(n: u32, edges: &[(u32, u32)]) -> FollowerGraph {
        FollowerGraph::from_edges(n, edges.to_vec(), None, BuildOptions::default())
    }

    /// Reciprocity by brute force over all edge pairs.
    fn brute_reciprocity(g: &FollowerGraph) -> f64 {
        let edges: Vec<(u32, u32)> = g.edges().collect();
        let back = edges
            .iter()
            .filter(|&&(u, v)| u != v && edges.contains(&(v, u)))
            .count();
        ratio(back as u64, edges.len() as u64)
    }

    #[test]
    fn a_hand_made_graph() {
        // alice (0) is followed by bob, carol and dave (0 -> 1, 0 -> 2, 0 -> 3), alice follows
        // bob back (1 -> 0), and carol's self-loop 2 -> 2 is dropped.
        let g = FollowerGraph::from_edges(
            4,
            vec![(0, 1), (0, 2), (0, 3), (1, 0), (2, 2)],
            None,
            BuildOptions::default(),
        )
        .with_labels(NodeLabels::Strings(
            ["alice", "bob", "carol", "dave"].map(String::from).to_vec(),
        ));
        let s = GraphStats::of(&g);
        assert_eq!((s.nodes, s.edges, s.edges_in), (4, 4, 5));
        assert_eq!((s.self_loops_dropped, s.duplicates_dropped), (1, 0));
        assert_eq!(s.reciprocity, 0.5);
        // Follower counts 3, 1, 0, 0 -> sorted 0 0 1 3.
        assert_eq!(
            s.followers,
            DegreeSummary {
                mean: 1.0,
                max: 3,
                p50: 0,
                p90: 3,
                p99: 3
            }
        );
        // Following counts 1, 1, 1, 1.
        assert_eq!(
            s.following,
            DegreeSummary {
                mean: 1.0,
                max: 1,
                p50: 1,
                p90: 1,
                p99: 1
            }
        );
        assert_eq!(
            s.top_by_followers[0],
            TopAccount {
                id: 0,
                label: "alice".into(),
                followers: 3,
                following: 1
            }
        );
        let order: Vec<u32> = s.top_by_followers.iter().map(|a| a.id).collect();
        assert_eq!(order, [0, 1, 2, 3]);
        assert_eq!(
            s.scc,
            Components {
                count: 3,
                largest: 2
            }
        );
        assert_eq!(
            s.wcc,
            Components {
                count: 1,
                largest: 4
            }
        );
        assert_eq!(s.memory.bytes_per_edge, 8.0);
        let table = s.to_string();
        assert!(table.contains("followers (out-degree)"), "{table}");
        assert!(table.contains("following (in-degree)"), "{table}");
        assert!(table.contains("top accounts by followers"), "{table}");
    }

    #[test]
    fn nearest_rank_quantiles() {
        let v: Vec<u32> = (1..=100).collect();
        assert_eq!(nearest_rank(&v, 50), 50);
        assert_eq!(nearest_rank(&v, 90), 90);
        assert_eq!(nearest_rank(&v, 99), 99);
        assert_eq!(nearest_rank(&[7], 50), 7);
        // Ten values: rank ceil(0.5 * 10) = 5, ceil(0.9 * 10) = 9, ceil(0.99 * 10) = 10.
        let v: Vec<u32> = (0..10).collect();
        assert_eq!(
            [
                nearest_rank(&v, 50),
                nearest_rank(&v, 90),
                nearest_rank(&v, 99)
            ],
            [4, 8, 9]
        );
    }

    #[test]
    fn empty_graph_has_zeros_not_nans() {
        let s = GraphStats::of(&graph(0, &[]));
        assert_eq!(s.reciprocity, 0.0);
        assert_eq!(s.followers, DegreeSummary::default());
        assert!(s.top_by_followers.is_empty());
        assert!(serde_json::to_string(&s).is_ok());
    }

    #[test]
    fn top_accounts_and_components_agree_with_petgraph_on_pseudo_random_graphs() {
        // A fixed linear congruential sequence gives many small graphs without an RNG.
        let mut x: u64 = 12345;
        let mut next = |k: u32| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((x >> 33) % u64::from(k)) as u32
        };
        for round in 0..40 {
            let n = 1 + next(60);
            let m = next(4 * n + 1);
            let edges: Vec<(u32, u32)> = (0..m).map(|_| (next(n), next(n))).collect();
            let g = graph(n, &edges);
            let s = GraphStats::of(&g);
            assert_eq!(s.reciprocity, brute_reciprocity(&g), "round {round}");
            let pg = to_petgraph(&g);
            let sccs = petgraph::algo::kosaraju_scc(&pg);
            assert_eq!(s.scc.count, sccs.len() as u64, "round {round}");
            assert_eq!(
                s.scc.largest,
                sccs.iter().map(Vec::len).max().unwrap_or(0) as u64
            );
            assert_eq!(
                s.wcc.count,
                petgraph::algo::connected_components(&pg) as u64
            );
            // The top list against a full sort by petgraph's out-degree.
            let mut by_followers: Vec<(std::cmp::Reverse<usize>, u32)> = pg
                .node_indices()
                .map(|i| (std::cmp::Reverse(pg.neighbors(i).count()), i.index() as u32))
                .collect();
            by_followers.sort();
            let want: Vec<u32> = by_followers
                .iter()
                .take(TOP_ACCOUNTS)
                .map(|p| p.1)
                .collect();
            let got: Vec<u32> = s.top_by_followers.iter().map(|a| a.id).collect();
            assert_eq!(got, want, "round {round}");
        }
    }

    #[test]
    fn weighted_graphs_report_sixteen_bytes_per_edge() {
        let g = FollowerGraph::from_edges(
            3,
            vec![(0, 1), (1, 2)],
            Some(vec![1.0, 2.0]),
            BuildOptions::default(),
        );
        let s = GraphStats::of(&g);
        assert!(s.weighted);
        assert_eq!(s.memory.bytes_per_edge, 16.0);
    }
}
