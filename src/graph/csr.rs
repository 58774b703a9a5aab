//! The follower graph in compressed sparse rows, stored in both directions.
//!
//! An edge `u -> v` means **v follows u**: v sees what u does. For every agent the graph keeps
//! its **sources** (whom it follows, what it sees: the in-neighbours) and its **followers** (who
//! see it: the out-neighbours), each as a sorted slice of `u32` ids. Rule kernels that pull
//! (threshold, standing ovation) read sources; kernels that push (independent cascade, the
//! incremental frontier) read followers.
//!
//! Memory for an unweighted graph: 4 bytes per edge per direction (8 in all) plus two `u64`
//! offsets per node (16 bytes), plus 8 bytes per node when the original integer ids are kept.
//! Weighted graphs add an `f32` per edge per direction.

use rayon::prelude::*;

use super::{huge, scatter, transpose};
use serde::{Deserialize, Serialize};

/// What building a graph dropped, and why; reported by `graph stats` and `graph import`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildReport {
    /// Edges read or generated before anything was dropped.
    pub edges_in: u64,
    /// Self-loops `u -> u` dropped.
    pub self_loops_dropped: u64,
    /// Repeated edges `u -> v` dropped (the first occurrence, and its weight, is kept).
    pub duplicates_dropped: u64,
}

/// Options for [`FollowerGraph::from_edges`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BuildOptions {
    /// Keep self-loops instead of dropping them.
    pub keep_self_loops: bool,
    /// Keep repeated edges instead of dropping them.
    pub keep_duplicates: bool,
}

/// Original node ids of an imported graph, indexed by dense id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeLabels {
    /// Integer ids from the edge list (dense id `i` had original id `ids[i]`).
    Integers(Vec<u64>),
    /// String ids from the edge list (dense id `i` had original id `ids[i]`).
    Strings(Vec<String>),
}

impl NodeLabels {
    /// Number of labelled nodes.
    pub fn len(&self) -> usize {
        match self {
            NodeLabels::Integers(v) => v.len(),
            NodeLabels::Strings(v) => v.len(),
        }
    }

    /// Whether no node is labelled.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The original id of dense node `i`, as text. **Panics** if `i` is out of range.
    pub fn label(&self, i: u32) -> String {
        match self {
            NodeLabels::Integers(v) => v[i as usize].to_string(),
            NodeLabels::Strings(v) => v[i as usize].clone(),
        }
    }

    fn heap_bytes(&self) -> usize {
        match self {
            NodeLabels::Integers(v) => v.capacity() * 8,
            NodeLabels::Strings(v) => v
                .iter()
                .map(|s| s.capacity() + std::mem::size_of::<String>())
                .sum(),
        }
    }
}

/// One direction of the graph: `targets[offsets[i]..offsets[i + 1]]` are node `i`'s
/// neighbours in that direction, sorted ascending, with `weights` (when present) alongside.
#[derive(Debug, Clone, PartialEq)]
pub struct Adjacency {
    /// Row starts; always `node_count + 1` long, `offsets[0] == 0`, non-decreasing, last = edges.
    pub offsets: Vec<u64>,
    /// Neighbour ids, each row sorted ascending.
    pub targets: Vec<u32>,
    /// Per-edge weights in the same order as `targets`, only for weighted graphs.
    pub weights: Option<Vec<f32>>,
}

impl Adjacency {
    /// The neighbours of `i`. Computes in **O(1)** time. **Panics** if `i` is out of range.
    #[inline]
    pub fn row(&self, i: u32) -> &[u32] {
        let (a, b) = self.range(i);
        &self.targets[a..b]
    }

    /// The edge-index range of node `i`'s row.
    #[inline]
    pub fn range(&self, i: u32) -> (usize, usize) {
        let i = i as usize;
        (self.offsets[i] as usize, self.offsets[i + 1] as usize)
    }

    /// The weights of `i`'s row, if the graph is weighted.
    #[inline]
    pub fn row_weights(&self, i: u32) -> Option<&[f32]> {
        let (a, b) = self.range(i);
        self.weights.as_ref().map(|w| &w[a..b])
    }

    /// Number of neighbours of `i`.
    #[inline]
    pub fn degree(&self, i: u32) -> u32 {
        let (a, b) = self.range(i);
        (b - a) as u32
    }

    fn heap_bytes(&self) -> usize {
        self.offsets.capacity() * 8
            + self.targets.capacity() * 4
            + self.weights.as_ref().map_or(0, |w| w.capacity() * 4)
    }

    /// The same edges seen from the other side: row `j` of the result lists every `i` with `j`
    /// in row `i`, sorted ascending (a counting-sort transpose, **O(n + m)**).
    fn transpose(&self, node_count: usize) -> Adjacency {
        if self.weights.is_none()
            && let Some(shift) = transpose::plan(node_count)
        {
            let (offsets, targets) =
                transpose::transpose(&self.offsets, &self.targets, node_count, shift);
            return Adjacency {
                offsets,
                targets,
                weights: None,
            };
        }
        let threads = rayon::current_num_threads().max(1);
        let mut counts = huge::filled(node_count + 1, 0u64);
        // Column counts, one range of columns per thread (each reads every entry, and writes
        // only its own counters: the random writes, not the reads, are the cost).
        let width = node_count.div_ceil(threads).max(1);
        counts[1..]
            .par_chunks_mut(width)
            .enumerate()
            .for_each(|(part, mine)| {
                let lo = (part * width) as u32;
                let len = mine.len() as u32;
                for &t in &self.targets {
                    let k = t.wrapping_sub(lo);
                    if k < len {
                        mine[k as usize] += 1;
                    }
                }
            });
        for i in 0..node_count {
            counts[i + 1] += counts[i];
        }
        let m = self.targets.len();
        let mut targets = huge::filled(m, 0u32);
        let mut weights = self.weights.as_ref().map(|_| huge::filled(m, 0f32));
        match (weights.as_mut(), self.weights.as_ref()) {
            (Some(w), Some(src)) => {
                let mut next = huge::copied(&counts);
                for i in 0..node_count {
                    let (a, b) = (self.offsets[i] as usize, self.offsets[i + 1] as usize);
                    for (&t, &x) in self.targets[a..b].iter().zip(&src[a..b]) {
                        let slot = next[t as usize] as usize;
                        targets[slot] = i as u32;
                        w[slot] = x;
                        next[t as usize] += 1;
                    }
                }
            }
            _ => {
                // One range of columns per thread, cut so that each holds about m / threads
                // entries; each thread walks every row and places the entries of its columns
                // into its own slice of the result. Entry e lies in row `row_of(e)`.
                let mut cuts = vec![0usize];
                for part in 1..threads {
                    let goal = (m as u64 * part as u64) / threads as u64;
                    let cut = counts.partition_point(|&c| c < goal).min(node_count);
                    cuts.push(cut.max(*cuts.last().expect("starts with 0")));
                }
                cuts.push(node_count);
                let mut slices = Vec::with_capacity(threads);
                let mut rest = &mut targets[..];
                for w in cuts.windows(2) {
                    let (head, tail) = rest.split_at_mut((counts[w[1]] - counts[w[0]]) as usize);
                    slices.push((w[0], w[1], head));
                    rest = tail;
                }
                let keys = &self.targets;
                slices.into_par_iter().for_each(|(lo, hi, out)| {
                    let base = counts[lo];
                    let mut next = huge::with_capacity(hi - lo);
                    next.extend(counts[lo..hi].iter().map(|c| c - base));
                    let mut rows = RowCursor::new(&self.offsets);
                    let (range, value) = (lo as u32..hi as u32, |e| rows.row_of(e));
                    scatter::scatter_range(&mut next, range, m, |e| keys[e], value, out);
                });
            }
        }
        Adjacency {
            offsets: counts,
            targets,
            weights,
        }
    }
}

/// Walks the rows of a CSR offset table alongside increasing edge positions.
struct RowCursor<'a> {
    offsets: &'a [u64],
    row: usize,
}

impl<'a> RowCursor<'a> {
    fn new(offsets: &'a [u64]) -> RowCursor<'a> {
        RowCursor { offsets, row: 0 }
    }

    /// The row holding edge position `e`; `e` must not decrease between calls.
    #[inline(always)]
    fn row_of(&mut self, e: usize) -> u32 {
        while self.offsets[self.row + 1] as usize <= e {
            self.row += 1;
        }
        self.row as u32
    }
}

/// A block of rows being sorted in [`FollowerGraph::from_edges`]: its first row, its targets,
/// its weights, and where to put each row's kept length.
type RowBlock<'a> = (usize, &'a mut [u32], Option<&'a mut [f32]>, &'a mut [u64]);

/// A directed follower graph over agents `0..node_count`, in CSR form in both directions.
///
/// Invariants: both directions hold the same edge set; every row is sorted ascending, so
/// neighbour order (and any draw indexed by edge position) never depends on how the graph was
/// built; without [`BuildOptions`] to the contrary there are no self-loops and no repeated edges.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowerGraph {
    node_count: u32,
    /// Sources (whom each agent follows): in-neighbours.
    sources: Adjacency,
    /// Followers (who sees each agent): out-neighbours.
    followers: Adjacency,
    /// Original ids, for imported graphs.
    labels: Option<NodeLabels>,
    /// What building dropped.
    report: BuildReport,
}

impl FollowerGraph {
    /// Builds a graph from edges `(u, v)` meaning **v follows u** (`u -> v`), with optional
    /// per-edge weights in the same order. Self-loops and repeated edges are dropped and counted
    /// unless `options` keeps them; for a repeated edge the first occurrence's weight is kept.
    ///
    /// Computes in **O(m + sum of d log d)** time over the rows' degrees `d` (a counting sort
    /// by source, then each row sorted in parallel; the result does not depend on the number of
    /// threads). **Panics** if an id is `>= node_count` or `weights` has the wrong
    /// length: callers (generators, the importer) guarantee both.
    pub fn from_edges(
        node_count: u32,
        edges: Vec<(u32, u32)>,
        weights: Option<Vec<f32>>,
        options: BuildOptions,
    ) -> FollowerGraph {
        FollowerGraph::from_edge_parts(node_count, vec![edges], weights, options)
    }

    /// [`FollowerGraph::from_edges`] for edges given in parts (their concatenation, in
    /// order, is the edge list; `weights` has one entry per edge of the concatenation), so
    /// that a parser that reads in parallel chunks need not copy them into one list.
    pub fn from_edge_parts(
        node_count: u32,
        parts: Vec<Vec<(u32, u32)>>,
        weights: Option<Vec<f32>>,
        options: BuildOptions,
    ) -> FollowerGraph {
        let n = node_count as usize;
        let m: usize = parts.iter().map(Vec::len).sum();
        if let Some(w) = &weights {
            assert_eq!(w.len(), m, "one weight per edge");
        }
        let mut report = BuildReport {
            edges_in: m as u64,
            ..BuildReport::default()
        };
        // A counting sort by source row (O(m), keeping input order within a row), then each
        // row sorted by target in parallel: far cheaper than sorting m 64-bit keys.
        let mut offsets = huge::filled(n + 1, 0u64);
        for &(u, v) in parts.iter().flatten() {
            assert!(
                (u as usize) < n && (v as usize) < n,
                "edge ({u}, {v}) out of range for {n} nodes"
            );
            offsets[u as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut targets = huge::filled(m, 0u32);
        let mut row_weights = weights.as_ref().map(|_| huge::filled(m, 0f32));
        {
            let mut next = huge::copied(&offsets);
            match (row_weights.as_mut(), weights.as_ref()) {
                (Some(out), Some(w)) => {
                    for (idx, &(u, v)) in parts.iter().flatten().enumerate() {
                        let slot = next[u as usize] as usize;
                        targets[slot] = v;
                        out[slot] = w[idx];
                        next[u as usize] += 1;
                    }
                }
                _ => {
                    for part in &parts {
                        let (len, key, value) =
                            (part.len(), |e: usize| part[e].0, |e: usize| part[e].1);
                        scatter::scatter(&mut next, len, key, value, &mut targets);
                    }
                }
            }
        }
        drop(parts);
        drop(weights);
        // Sort and clean each row in fixed blocks of rows; `kept[i]` = entries row i keeps at
        // the front of its slot.
        const BLOCK: usize = 4096;
        let mut kept = huge::filled(n, 0u64);
        let mut blocks: Vec<RowBlock<'_>> = Vec::new();
        {
            let mut rest_t: &mut [u32] = &mut targets;
            let mut rest_w: Option<&mut [f32]> = row_weights.as_deref_mut();
            let mut rest_k: &mut [u64] = &mut kept;
            let mut first = 0;
            while first < n {
                let last = (first + BLOCK).min(n);
                let len = (offsets[last] - offsets[first]) as usize;
                let (t, tt) = rest_t.split_at_mut(len);
                rest_t = tt;
                let w = match rest_w.take() {
                    Some(rw) => {
                        let (w, ww) = rw.split_at_mut(len);
                        rest_w = Some(ww);
                        Some(w)
                    }
                    None => None,
                };
                let (k, kk) = rest_k.split_at_mut(last - first);
                rest_k = kk;
                blocks.push((first, t, w, k));
                first = last;
            }
        }
        let (loops, dups) = blocks
            .into_par_iter()
            .map(|(first, t, mut w, k)| {
                let base = offsets[first] as usize;
                let (mut loops, mut dups) = (0u64, 0u64);
                let mut pairs: Vec<(u32, f32)> = Vec::new();
                for (r, kept_row) in k.iter_mut().enumerate() {
                    let u = (first + r) as u32;
                    let a = offsets[first + r] as usize - base;
                    let b = offsets[first + r + 1] as usize - base;
                    let row = &mut t[a..b];
                    match w.as_deref_mut() {
                        None => row.sort_unstable(),
                        Some(w) => {
                            // Stable: a repeated edge keeps its first occurrence's weight.
                            pairs.clear();
                            pairs.extend(row.iter().copied().zip(w[a..b].iter().copied()));
                            pairs.sort_by_key(|p| p.0);
                            for (e, (v, x)) in pairs.iter().enumerate() {
                                row[e] = *v;
                                w[a + e] = *x;
                            }
                        }
                    }
                    let mut out = 0usize;
                    for e in 0..row.len() {
                        let v = row[e];
                        if v == u && !options.keep_self_loops {
                            loops += 1;
                            continue;
                        }
                        if out > 0 && row[out - 1] == v && !options.keep_duplicates {
                            dups += 1;
                            continue;
                        }
                        row[out] = v;
                        if let Some(w) = w.as_deref_mut() {
                            w[a + out] = w[a + e];
                        }
                        out += 1;
                    }
                    *kept_row = out as u64;
                }
                (loops, dups)
            })
            .reduce(|| (0, 0), |x, y| (x.0 + y.0, x.1 + y.1));
        report.self_loops_dropped = loops;
        report.duplicates_dropped = dups;
        // Compact the rows in place (each moves left, so a forward pass is safe).
        let mut write = 0usize;
        let mut counts = huge::filled(n + 1, 0u64);
        for i in 0..n {
            let a = offsets[i] as usize;
            let len = kept[i] as usize;
            if write != a {
                targets.copy_within(a..a + len, write);
                if let Some(w) = row_weights.as_mut() {
                    w.copy_within(a..a + len, write);
                }
            }
            write += len;
            counts[i + 1] = write as u64;
        }
        drop(kept);
        drop(offsets);
        targets.truncate(write);
        targets.shrink_to_fit();
        if let Some(w) = row_weights.as_mut() {
            w.truncate(write);
            w.shrink_to_fit();
        }
        let followers = Adjacency {
            offsets: counts,
            targets,
            weights: row_weights,
        };
        let sources = followers.transpose(n);
        FollowerGraph {
            node_count,
            sources,
            followers,
            labels: None,
            report,
        }
    }

    /// Assembles a graph from both adjacencies as stored (the binary cache). The caller has
    /// checked the invariants of the type (the cache checks them on load), so it is visible
    /// inside `graph` only: everything else builds graphs through the checked constructors.
    pub(in crate::graph) fn from_parts(
        node_count: u32,
        sources: Adjacency,
        followers: Adjacency,
        labels: Option<NodeLabels>,
        report: BuildReport,
    ) -> FollowerGraph {
        FollowerGraph {
            node_count,
            sources,
            followers,
            labels,
            report,
        }
    }

    /// Attaches original node ids. **Panics** if their number is not the node count.
    pub fn with_labels(mut self, labels: NodeLabels) -> FollowerGraph {
        assert_eq!(labels.len(), self.node_count as usize, "one label per node");
        self.labels = Some(labels);
        self
    }

    /// Number of agents.
    #[inline]
    pub fn node_count(&self) -> u32 {
        self.node_count
    }

    /// Number of edges (follow relations).
    #[inline]
    pub fn edge_count(&self) -> u64 {
        self.followers.targets.len() as u64
    }

    /// Whether per-edge weights are stored.
    pub fn is_weighted(&self) -> bool {
        self.followers.weights.is_some()
    }

    /// Whom `v` follows (what `v` sees), sorted ascending. **O(1)**.
    #[inline]
    pub fn sources(&self, v: u32) -> &[u32] {
        self.sources.row(v)
    }

    /// Who follows `u` (who sees `u`), sorted ascending. **O(1)**.
    #[inline]
    pub fn followers(&self, u: u32) -> &[u32] {
        self.followers.row(u)
    }

    /// Number of accounts `v` follows (its in-degree).
    #[inline]
    pub fn source_count(&self, v: u32) -> u32 {
        self.sources.degree(v)
    }

    /// Number of followers of `u` (its out-degree).
    #[inline]
    pub fn follower_count(&self, u: u32) -> u32 {
        self.followers.degree(u)
    }

    /// The sources direction as stored.
    pub fn source_adjacency(&self) -> &Adjacency {
        &self.sources
    }

    /// The followers direction as stored.
    pub fn follower_adjacency(&self) -> &Adjacency {
        &self.followers
    }

    /// Original ids, if the graph was imported.
    pub fn labels(&self) -> Option<&NodeLabels> {
        self.labels.as_ref()
    }

    /// The original id of `i` as text, or `i` itself for generated graphs.
    pub fn label(&self, i: u32) -> String {
        self.labels
            .as_ref()
            .map_or_else(|| i.to_string(), |l| l.label(i))
    }

    /// What building this graph dropped.
    pub fn report(&self) -> BuildReport {
        self.report
    }

    /// Whether the edge `u -> v` (v follows u) exists. **O(log d)** by binary search.
    pub fn has_edge(&self, u: u32, v: u32) -> bool {
        self.followers(u).binary_search(&v).is_ok()
    }

    /// All edges `(u, v)` in order of `u`, then `v`.
    pub fn edges(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        (0..self.node_count).flat_map(move |u| self.followers(u).iter().map(move |&v| (u, v)))
    }

    /// Heap bytes held by the graph (both directions, weights and labels).
    pub fn heap_bytes(&self) -> usize {
        self.sources.heap_bytes()
            + self.followers.heap_bytes()
            + self.labels.as_ref().map_or(0, NodeLabels::heap_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_directions_agree_on_a_small_graph() {
        // 0 -> 1 (1 follows 0), 0 -> 2, 2 -> 1, plus a self-loop and a duplicate.
        let g = FollowerGraph::from_edges(
            3,
            vec![(0, 2), (0, 1), (2, 1), (1, 1), (0, 1)],
            None,
            BuildOptions::default(),
        );
        assert_eq!(g.edge_count(), 3);
        assert_eq!(g.followers(0), &[1, 2]);
        assert_eq!(g.followers(2), &[1]);
        assert_eq!(g.sources(1), &[0, 2]);
        assert_eq!(g.sources(2), &[0]);
        assert_eq!(g.sources(0), &[] as &[u32]);
        assert_eq!(
            g.report(),
            BuildReport {
                edges_in: 5,
                self_loops_dropped: 1,
                duplicates_dropped: 1
            }
        );
    }

    #[test]
    fn weights_follow_their_edges_and_the_first_duplicate_wins() {
        let g = FollowerGraph::from_edges(
            3,
            vec![(2, 0), (0, 1), (2, 0), (1, 0)],
            Some(vec![0.5, 1.5, 9.0, 2.5]),
            BuildOptions::default(),
        );
        assert_eq!(g.sources(0), &[1, 2]);
        assert_eq!(g.source_adjacency().row_weights(0), Some(&[2.5, 0.5][..]));
        assert_eq!(g.follower_adjacency().row_weights(0), Some(&[1.5][..]));
        assert_eq!(g.report().duplicates_dropped, 1);
    }

    #[test]
    fn unweighted_memory_is_within_budget() {
        let edges: Vec<(u32, u32)> = (0..1000u32).map(|i| (i, (i * 7 + 1) % 1000)).collect();
        let g = FollowerGraph::from_edges(1000, edges, None, BuildOptions::default());
        let budget = 8 * g.edge_count() as usize + 24 * g.node_count() as usize;
        assert!(g.heap_bytes() <= budget, "{} > {budget}", g.heap_bytes());
    }
}
