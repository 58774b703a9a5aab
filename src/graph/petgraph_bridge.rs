//! The bridge to petgraph: conversion for small graphs and petgraph's component algorithms.
//!
//! Two ways in:
//! - [`to_petgraph`] copies a [`FollowerGraph`] into a `petgraph::graph::DiGraph`, for small
//!   graphs (export, tests, one-off analysis with the whole of petgraph).
//! - [`FollowerView`] is a zero-copy view that implements petgraph's visit traits over the two
//!   CSR arrays, so petgraph's traversals run on graphs of 10^8+ edges without a second copy.
//!   [`strongly_connected`] and [`weakly_connected`] use it for `ovation graph stats`.
//!
//! Direction is ovation's: petgraph's `Outgoing` neighbours of `u` are its **followers** (edge
//! `u -> v` means v follows u), `Incoming` neighbours are its **sources**. Hot loops never go
//! through this module.

use std::iter::Copied;
use std::ops::Range;
use std::slice::Iter;

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::unionfind::UnionFind;
use petgraph::visit::{
    GraphBase, GraphRef, IntoNeighbors, IntoNeighborsDirected, IntoNodeIdentifiers,
    NodeCompactIndexable, NodeCount, NodeIndexable, VisitMap, Visitable,
};
use serde::Serialize;

use crate::graph::FollowerGraph;

/// Copies `graph` into a petgraph `DiGraph`: node `i` has weight `i` (its dense id) and index
/// `i`; every edge `u -> v` (v follows u) becomes a petgraph edge from `u` to `v`, with its
/// weight, or `1.0` for unweighted graphs. Edges are added in order of `u`, then `v`.
///
/// Computes in **O(n + m)** time and takes about 28 bytes per node and 16 per edge, so it is
/// meant for small graphs (up to a few million edges); use [`FollowerView`] for large ones.
pub fn to_petgraph(graph: &FollowerGraph) -> DiGraph<u32, f32> {
    let n = graph.node_count();
    let mut g = DiGraph::with_capacity(n as usize, graph.edge_count() as usize);
    for i in 0..n {
        g.add_node(i);
    }
    let adjacency = graph.follower_adjacency();
    for u in 0..n {
        let weights = adjacency.row_weights(u);
        for (k, &v) in graph.followers(u).iter().enumerate() {
            let w = weights.map_or(1.0, |w| w[k]);
            g.add_edge(NodeIndex::new(u as usize), NodeIndex::new(v as usize), w);
        }
    }
    g
}

/// A zero-copy petgraph view of a [`FollowerGraph`]: node ids are the dense `u32` ids, an edge
/// id is the edge's position in the followers CSR. `Outgoing` neighbours are followers,
/// `Incoming` neighbours are sources.
#[derive(Debug, Clone, Copy)]
pub struct FollowerView<'a>(pub &'a FollowerGraph);

impl GraphBase for FollowerView<'_> {
    type EdgeId = u64;
    type NodeId = u32;
}

impl GraphRef for FollowerView<'_> {}

impl<'a> IntoNeighbors for FollowerView<'a> {
    type Neighbors = Copied<Iter<'a, u32>>;

    /// The followers of `a`, ascending. **Panics** if `a` is out of range.
    fn neighbors(self, a: u32) -> Self::Neighbors {
        self.0.followers(a).iter().copied()
    }
}

impl<'a> IntoNeighborsDirected for FollowerView<'a> {
    type NeighborsDirected = Copied<Iter<'a, u32>>;

    /// `Outgoing`: the followers of `n`; `Incoming`: its sources. **Panics** if `n` is out of
    /// range.
    fn neighbors_directed(self, n: u32, d: Direction) -> Self::NeighborsDirected {
        match d {
            Direction::Outgoing => self.0.followers(n).iter().copied(),
            Direction::Incoming => self.0.sources(n).iter().copied(),
        }
    }
}

impl IntoNodeIdentifiers for FollowerView<'_> {
    type NodeIdentifiers = Range<u32>;

    fn node_identifiers(self) -> Range<u32> {
        0..self.0.node_count()
    }
}

impl NodeIndexable for FollowerView<'_> {
    fn node_bound(&self) -> usize {
        self.0.node_count() as usize
    }

    fn to_index(&self, a: u32) -> usize {
        a as usize
    }

    fn from_index(&self, i: usize) -> u32 {
        u32::try_from(i).expect("node indices of a FollowerGraph fit in u32")
    }
}

impl NodeCount for FollowerView<'_> {
    fn node_count(&self) -> usize {
        self.0.node_count() as usize
    }
}

impl NodeCompactIndexable for FollowerView<'_> {}

impl Visitable for FollowerView<'_> {
    type Map = VisitBits;

    fn visit_map(&self) -> VisitBits {
        VisitBits::with_len(self.0.node_count() as usize)
    }

    fn reset_map(&self, map: &mut VisitBits) {
        map.clear_and_resize(self.0.node_count() as usize);
    }
}

/// A visited-set over dense node ids: one bit per node (petgraph's own `FixedBitSet` is not
/// re-exported, and this is all a traversal needs).
#[derive(Debug, Clone, Default)]
pub struct VisitBits {
    words: Vec<u64>,
}

impl VisitBits {
    /// An all-clear set for ids `0..len`.
    pub fn with_len(len: usize) -> VisitBits {
        VisitBits {
            words: vec![0; len.div_ceil(64)],
        }
    }

    fn clear_and_resize(&mut self, len: usize) {
        self.words.clear();
        self.words.resize(len.div_ceil(64), 0);
    }
}

impl VisitMap<u32> for VisitBits {
    /// Marks `a`; true if it was not marked before. **Panics** if `a` is out of range.
    fn visit(&mut self, a: u32) -> bool {
        let (w, b) = ((a / 64) as usize, a % 64);
        let before = self.words[w];
        self.words[w] = before | (1 << b);
        before & (1 << b) == 0
    }

    fn is_visited(&self, a: &u32) -> bool {
        self.words[(*a / 64) as usize] & (1 << (*a % 64)) != 0
    }

    fn unvisit(&mut self, a: u32) -> bool {
        let (w, b) = ((a / 64) as usize, a % 64);
        let before = self.words[w];
        self.words[w] = before & !(1 << b);
        before & (1 << b) != 0
    }
}

/// How a graph splits into components.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Components {
    /// Number of components (isolated nodes count as one each; 0 for an empty graph).
    pub count: u64,
    /// Nodes in the largest component (0 for an empty graph).
    pub largest: u64,
}

/// Strongly connected components: sets of agents that each reach all the others by following
/// edges forwards. Uses petgraph's `kosaraju_scc` (Kosaraju 1978, in Sharir, "A strong-
/// connectivity algorithm and its applications in data flow analysis", 1981) on a
/// [`FollowerView`], so the graph is not copied.
///
/// Why Kosaraju and not petgraph's `tarjan_scc`: in petgraph 0.8.3 `tarjan_scc` is recursive
/// (one stack frame per node on the current path), and a generated graph such as a directed
/// Barabasi-Albert graph has paths millions of nodes long, which would overflow the thread's
/// stack. `kosaraju_scc` walks with petgraph's iterative `DfsPostOrder` and `Dfs`.
///
/// Computes in **O(n + m)** time. Memory beyond the graph: two bits and about 60 bytes per
/// node (the finishing order and one small `Vec` per component), plus a DFS stack that holds at
/// most one entry per edge.
pub fn strongly_connected(graph: &FollowerGraph) -> Components {
    let sccs = petgraph::algo::kosaraju_scc(FollowerView(graph));
    Components {
        count: sccs.len() as u64,
        largest: sccs.iter().map(|c| c.len() as u64).max().unwrap_or(0),
    }
}

/// Weakly connected components: components of the graph with directions ignored. Uses
/// petgraph's `UnionFind` (union by rank with path compression; Tarjan, "Efficiency of a good
/// but not linear set union algorithm", JACM 1975) over the edges of the followers CSR.
///
/// Computes in **O(m α(n))** time, sequentially; 9 bytes per node beyond the graph.
pub fn weakly_connected(graph: &FollowerGraph) -> Components {
    let n = graph.node_count();
    let mut sets = UnionFind::<u32>::new(n as usize);
    for u in 0..n {
        for &v in graph.followers(u) {
            sets.union(u, v);
        }
    }
    let mut sizes = vec![0u32; n as usize];
    for i in 0..n {
        sizes[sets.find_mut(i) as usize] += 1;
    }
    Components {
        count: sizes.iter().filter(|&&s| s > 0).count() as u64,
        largest: sizes.iter().copied().max().map_or(0, u64::from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::BuildOptions;

    fn graph(n: u32, edges: &[(u32, u32)]) -> FollowerGraph {
        FollowerGraph::from_edges(n, edges.to_vec(), None, BuildOptions::default())
    }

    /// Components of `g` counted by petgraph's own algorithms on the copied `DiGraph`.
    fn oracle(g: &FollowerGraph) -> (Components, Components) {
        let pg = to_petgraph(g);
        let sccs = petgraph::algo::kosaraju_scc(&pg);
        let tarjan = petgraph::algo::tarjan_scc(&pg);
        assert_eq!(sccs.len(), tarjan.len());
        let scc = Components {
            count: sccs.len() as u64,
            largest: sccs.iter().map(|c| c.len() as u64).max().unwrap_or(0),
        };
        let wcc_count = petgraph::algo::connected_components(&pg) as u64;
        // The largest weak component, by a union-find over the copied graph's edge list.
        let mut uf = UnionFind::<usize>::new(pg.node_count());
        for e in pg.raw_edges() {
            uf.union(e.source().index(), e.target().index());
        }
        let mut sizes = vec![0u64; pg.node_count()];
        for l in uf.into_labeling() {
            sizes[l] += 1;
        }
        let wcc = Components {
            count: wcc_count,
            largest: sizes.into_iter().max().unwrap_or(0),
        };
        (scc, wcc)
    }

    fn check(n: u32, edges: &[(u32, u32)], scc: (u64, u64), wcc: (u64, u64)) {
        let g = graph(n, edges);
        let got = (strongly_connected(&g), weakly_connected(&g));
        let want = (
            Components {
                count: scc.0,
                largest: scc.1,
            },
            Components {
                count: wcc.0,
                largest: wcc.1,
            },
        );
        assert_eq!(got, want, "hand count");
        assert_eq!(got, oracle(&g), "petgraph on a copy");
    }

    #[test]
    fn components_of_hand_made_graphs() {
        check(0, &[], (0, 0), (0, 0));
        check(1, &[], (1, 1), (1, 1));
        // A cycle 0 -> 1 -> 2 -> 0, a tail 2 -> 3 -> 4, and an isolated node 5.
        check(6, &[(0, 1), (1, 2), (2, 0), (2, 3), (3, 4)], (4, 3), (2, 5));
        // Two 2-cycles joined one way, and a separate pair.
        check(
            6,
            &[(0, 1), (1, 0), (2, 3), (3, 2), (1, 2), (4, 5)],
            (4, 2),
            (2, 4),
        );
        // A long path: every node its own strong component, one weak component.
        let path: Vec<(u32, u32)> = (0..999).map(|i| (i, i + 1)).collect();
        check(1000, &path, (1000, 1), (1, 1000));
    }

    #[test]
    fn a_path_longer_than_any_stack_is_fine() {
        // A recursive SCC would need one frame per node here.
        let n = 1_000_000u32;
        let path: Vec<(u32, u32)> = (0..n - 1).map(|i| (i, i + 1)).collect();
        let g = graph(n, &path);
        assert_eq!(
            strongly_connected(&g),
            Components {
                count: u64::from(n),
                largest: 1
            }
        );
    }

    #[test]
    fn conversion_keeps_direction_and_weights() {
        let g = FollowerGraph::from_edges(
            3,
            vec![(0, 1), (0, 2), (2, 1)],
            Some(vec![0.5, 1.5, 2.5]),
            BuildOptions::default(),
        );
        let pg = to_petgraph(&g);
        assert_eq!(pg.node_count(), 3);
        assert_eq!(pg.edge_count(), 3);
        let e = pg
            .find_edge(NodeIndex::new(2), NodeIndex::new(1))
            .expect("2 -> 1 is an edge");
        assert_eq!(pg[e], 2.5);
        assert!(pg.find_edge(NodeIndex::new(1), NodeIndex::new(2)).is_none());
        assert_eq!(pg[NodeIndex::new(2)], 2);
        let view = FollowerView(&g);
        let followers: Vec<u32> = view.neighbors_directed(0, Direction::Outgoing).collect();
        let sources: Vec<u32> = view.neighbors_directed(1, Direction::Incoming).collect();
        assert_eq!(followers, [1, 2]);
        assert_eq!(sources, [0, 2]);
    }
}
