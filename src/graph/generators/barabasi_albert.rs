//! Directed Barabasi-Albert preferential attachment: newcomers follow popular accounts.
//!
//! Follows Barabasi and Albert, "Emergence of scaling in random networks", Science 286 (1999),
//! in the directed form of Price's model (D. de S. Price, "A general theory of bibliometric and
//! other cumulative advantage processes", JASIST 27 (1976)): node `t` arrives and follows `m`
//! distinct earlier nodes, each chosen with probability proportional to (its follower count
//! plus one), so the follower-count distribution has a power-law tail (exponent 2 + 1/m in
//! Price's model) and hubs are the influencers. Nodes `0..=m` follow every earlier node.
//!
//! Sampling uses the "repeated nodes" list of Batagelj and Brandes, "Efficient generation of
//! large random networks", Phys. Rev. E 71, 036113 (2005), algorithm BA: a list holding each
//! node once (the + 1) and once more per follower, so a uniform entry is a node drawn in
//! proportion to follower count + 1. Repeats within one newcomer's `m` choices are redrawn. Each
//! draw is **O(1)**, so the whole graph takes **O(n m)** time and `4 (n + n m)` bytes besides
//! the edges. The process is sequential; node `t` draws from stream `(GraphEdges, step 0,
//! index t)`, so no thread count enters.

use crate::rng::{Purpose, Stream, graph_key};

/// The number of edges of a BA graph: nodes `t <= m` follow `t` nodes, later ones `m`
/// (`m < n`, validated): `m (m + 1) / 2 + (n - 1 - m) m`.
pub(super) fn edge_count(n: u32, m: u32) -> u64 {
    let (n, m) = (u64::from(n), u64::from(m));
    m * (m + 1) / 2 + (n - 1 - m) * m
}

/// The edges `chosen -> newcomer`, in order of the newcomer.
pub(super) fn edges(n: u32, m: u32, seed: u64) -> Vec<(u32, u32)> {
    let key = graph_key(seed);
    let total = edge_count(n, m) as usize;
    let mut edges = Vec::with_capacity(total);
    // Node u appears 1 + (follower count of u) times.
    let mut urn: Vec<u32> = Vec::with_capacity(n as usize + total);
    // chosen_by[u] == t when newcomer t has already chosen u (u32::MAX: nobody yet; t < n).
    let mut chosen_by = vec![u32::MAX; n as usize];
    let mut picked: Vec<u32> = Vec::with_capacity(m as usize);
    let mut draws: Vec<usize> = Vec::with_capacity(m as usize);
    for t in 0..n {
        if t <= m {
            for u in 0..t {
                edges.push((u, t));
                urn.push(u);
            }
        } else {
            let mut stream = Stream::new(key, Purpose::GraphEdges, 0, t);
            let len = urn.len() as u64;
            // The first m draws are independent of each other, so make them all before reading
            // the list: the m cache misses then overlap instead of following one another.
            draws.clear();
            draws.extend((0..m).map(|_| stream.below(len) as usize));
            picked.clear();
            let mut next = 0;
            while picked.len() < m as usize {
                let at = match draws.get(next) {
                    Some(&at) => at,
                    None => stream.below(len) as usize,
                };
                next += 1;
                let u = urn[at];
                if chosen_by[u as usize] != t {
                    chosen_by[u as usize] = t;
                    picked.push(u);
                }
            }
            for &u in &picked {
                edges.push((u, t));
                urn.push(u);
            }
        }
        urn.push(t);
    }
    edges
}

#[cfg(test)]
mod tests {
    use super::super::GeneratorSpec;
    use super::super::test_support::*;
    use super::*;

    fn ba(n: u32, m: u32, seed: u64) -> crate::graph::FollowerGraph {
        gen_graph(&GeneratorSpec::BarabasiAlbert { n, m }, seed)
    }

    #[test]
    fn edge_count_is_exact_and_every_newcomer_follows_m_earlier_nodes() {
        for (n, m) in [(10_000, 3), (50, 1), (12, 11), (2, 1)] {
            let g = ba(n, m, 4);
            assert_eq!(g.edge_count(), edge_count(n, m), "BA({n}, {m})");
            assert_eq!(g.report().edges_in, g.edge_count(), "nothing dropped");
            for v in 0..n {
                assert_eq!(g.source_count(v), v.min(m));
                assert!(g.sources(v).iter().all(|&u| u < v), "only earlier nodes");
            }
        }
        assert_eq!(edge_count(12, 11), 66);
    }

    /// Heavy tail: at n = 10^4, m = 3 the mean follower count is about m = 3, while the
    /// largest hub of a Price graph grows like n^(m / (m + 1)) = n^(3/4), about 10^3 here
    /// (seed 9: 1022); a G(n, p) graph of the same mean has a maximum near 12. We ask for more
    /// than 10 x the mean, and for a top 1% holding over 20% of all follows (seed 9: 46%; a
    /// Poisson graph: about 3%).
    #[test]
    fn follower_counts_are_heavy_tailed() {
        let g = ba(10_000, 3, 9);
        let mut counts = follower_counts(&g);
        let mean = g.edge_count() as f64 / 10_000.0;
        counts.sort_unstable_by(|a, b| b.cmp(a));
        assert!(
            f64::from(counts[0]) > 10.0 * mean,
            "max {} mean {mean}",
            counts[0]
        );
        let top: u64 = counts[..100].iter().map(|&c| u64::from(c)).sum();
        assert!(
            top as f64 > 0.20 * g.edge_count() as f64,
            "top 1% hold {top}"
        );
    }

    /// Early nodes gather followers: the first 10 nodes average far more than the last 1000.
    #[test]
    fn older_nodes_have_more_followers() {
        let g = ba(5000, 2, 1);
        let avg = |r: std::ops::Range<u32>| {
            let len = r.len() as f64;
            r.map(|u| f64::from(g.follower_count(u))).sum::<f64>() / len
        };
        assert!(avg(0..10) > 10.0 * avg(4000..5000));
    }
}
