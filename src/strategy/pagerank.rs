//! PageRank (Brin and Page 1998) of a follower graph, for influencer selection.
//!
//! Direction: following is read as a link from the follower to the account it follows (an
//! endorsement), as on the web a page links to the pages it vouches for. The random surfer at
//! agent `v` moves to one of `v`'s **sources** (the accounts `v` follows), so rank flows
//! against our edges `u -> v` (v follows u): PageRank on the reversed follower graph. An
//! account followed by many highly ranked accounts ranks high; since what `u` posts reaches
//! its followers, and theirs in turn, a high rank means posts that reach many. With damping
//! `d` and `n` agents, iterated from `1/n` until the L1 change is below `1e-12` (at most 1000
//! iterations):
//!
//! `PR(u) = (1 - d) / n + d * ( sum_{v in followers(u)} PR(v) / |sources(v)| + D / n )`
//!
//! where `D` is the rank of agents that follow nobody (dangling), spread uniformly. Sums run
//! sequentially in CSR order, so ranks are the same on every machine. petgraph's `page_rank`
//! is not used: it is quadratic in the node count (see DEPENDENCIES.md).

use crate::graph::FollowerGraph;

/// The PageRank of every agent (summing to 1) with damping `d` in `(0, 1)`. Costs **O(m)**
/// per iteration.
pub fn pagerank(graph: &FollowerGraph, d: f64) -> Vec<f64> {
    let n = graph.node_count() as usize;
    if n == 0 {
        return Vec::new();
    }
    let nf = n as f64;
    let out: Vec<f64> = (0..n as u32)
        .map(|v| f64::from(graph.source_count(v)))
        .collect();
    let mut rank = vec![1.0 / nf; n];
    let mut share = vec![0.0; n];
    let mut fresh = vec![0.0; n];
    for _ in 0..1000 {
        let mut dangling = 0.0;
        for v in 0..n {
            if out[v] > 0.0 {
                share[v] = rank[v] / out[v];
            } else {
                share[v] = 0.0;
                dangling += rank[v];
            }
        }
        let base = (1.0 - d) / nf + d * dangling / nf;
        let mut change = 0.0;
        for (u, r) in fresh.iter_mut().enumerate() {
            let sum: f64 = graph
                .followers(u as u32)
                .iter()
                .map(|&v| share[v as usize])
                .sum();
            *r = base + d * sum;
            change += (*r - rank[u]).abs();
        }
        std::mem::swap(&mut rank, &mut fresh);
        if change < 1e-12 {
            break;
        }
    }
    rank
}

/// The `k` agents of highest PageRank, best first (ties to the lower id).
pub fn top_pagerank(graph: &FollowerGraph, k: u32, d: f64) -> Vec<u32> {
    let rank = pagerank(graph, d);
    let mut ids: Vec<u32> = (0..graph.node_count()).collect();
    ids.sort_by(|&a, &b| {
        rank[b as usize]
            .total_cmp(&rank[a as usize])
            .then(a.cmp(&b))
    });
    ids.truncate(k as usize);
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::BuildOptions;

    #[test]
    fn ranks_sum_to_one_and_match_a_hand_computation() {
        // 1 and 2 follow 0; 0 follows 1 (edges u -> v: v follows u).
        let g = FollowerGraph::from_edges(
            3,
            vec![(0, 1), (0, 2), (1, 0)],
            None,
            BuildOptions::default(),
        );
        let r = pagerank(&g, 0.85);
        assert!((r.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // Surfer: 0 -> 1 (0 follows 1), 1 -> 0, 2 -> 0; no dangling agent. Stationary:
        // r2 = 0.05, r0 = 0.05 + 0.85 (r1 + r2), r1 = 0.05 + 0.85 r0.
        let r2 = 0.05;
        let r0 = (0.05 + 0.85 * (0.05 + r2)) / (1.0 - 0.85 * 0.85);
        let r1 = 0.05 + 0.85 * r0;
        for (got, want) in r.iter().zip([r0, r1, r2]) {
            assert!((got - want).abs() < 1e-10, "{r:?}");
        }
    }

    #[test]
    fn an_account_followed_by_a_followed_account_ranks_above_one_with_more_followers() {
        // 0 has four followers (5..8) whom nobody follows; 1 has two followers, 2 and 3,
        // each followed by all of 9..12. Posts of 1 reach six agents, those of 0 four: with
        // b the base rank, PR(0) = b + 4db and PR(1) = b + 2db + 4d^2 b, larger for d > 1/2.
        let mut edges = vec![(0, 5), (0, 6), (0, 7), (0, 8), (1, 2), (1, 3)];
        for f in 9..13 {
            edges.push((2, f));
            edges.push((3, f));
        }
        let g = FollowerGraph::from_edges(13, edges, None, BuildOptions::default());
        assert_eq!(top_pagerank(&g, 1, 0.85), vec![1]);
    }
}
