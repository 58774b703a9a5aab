//! Directed Erdos-Renyi random graphs: G(n, p) and G(n, m), without self-loops.
//!
//! Follows Batagelj and Brandes, "Efficient generation of large random networks", Phys. Rev.
//! E 71, 036113 (2005). G(n, p) uses their geometric skipping (time linear in the number of
//! edges, not of pairs), run per row `u` with the row's own stream, so rows are generated in
//! parallel; it is the one-group case of the stochastic block model and gives the same graph as
//! `stochastic_block` with `sizes = [n]`, `p_in = p`. G(n, m) draws pair indices uniformly with
//! replacement and keeps the first `m` distinct ones (their algorithm G(n, m), which checks
//! duplicates with a hash set; here in rounds: each round draws the shortfall in parallel
//! fixed-size chunks, each keyed by its round and chunk, then sorts and merges). The set of the
//! first `m` distinct values of an i.i.d. uniform sequence is a uniformly random `m`-subset.
//! When `m` exceeds half of the `n (n - 1)` pairs, the complement is sampled instead.
//!
//! Pair index `x` in `0..n (n - 1)` is the edge `u -> v` with `u = x / (n - 1)` and `v` the
//! `(x mod (n - 1))`-th node other than `u`.

use rayon::prelude::*;

use super::{collect_rows, ordered_pairs, stochastic_block};
use crate::rng::{Purpose, Stream, graph_key};

/// G(n, p) edges in order of `(u, v)`. **O(n + p n^2)** expected time.
pub(super) fn gnp_edges(n: u32, p: f64, seed: u64) -> Vec<(u32, u32)> {
    stochastic_block::edges(&[n], &[vec![p]], seed)
}

/// The edge of pair index `x` in a graph of `n` nodes (see the module docs).
#[inline]
fn pair(n: u32, x: u64) -> (u32, u32) {
    let others = u64::from(n - 1);
    let u = (x / others) as u32;
    let j = (x % others) as u32;
    (u, if j >= u { j + 1 } else { j })
}

/// `k` distinct indices in `0..total`, sorted, uniformly among all such sets, for
/// `k <= total`. Each round draws the shortfall in chunks of `CHUNK` draws; chunk `c` of round
/// `r` uses stream `(purpose, step first_step + r, index c)` under `key`. **O(k log k)**
/// expected time when `k <= total / 2` (the expected number of rounds is then `O(log k)`, each
/// a linear merge); callers sample the complement when `k` is larger.
pub(super) fn distinct_indices(
    total: u64,
    k: u64,
    key: u64,
    purpose: Purpose,
    first_step: u32,
) -> Vec<u64> {
    const CHUNK: u64 = 1 << 16;
    let mut kept: Vec<u64> = Vec::with_capacity(k as usize);
    let mut round = 0u32;
    while (kept.len() as u64) < k {
        let short = k - kept.len() as u64;
        let mut drawn: Vec<u64> = (0..short.div_ceil(CHUNK))
            .into_par_iter()
            .flat_map_iter(|c| {
                let mut s = Stream::new(key, purpose, first_step + round, c as u32);
                let len = CHUNK.min(short - c * CHUNK);
                (0..len).map(move |_| s.below(total))
            })
            .collect();
        drawn.par_sort_unstable();
        drawn.dedup();
        kept = merge_distinct(&kept, &drawn);
        round += 1;
    }
    kept
}

/// The sorted union of two sorted, duplicate-free slices. **O(a + b)**.
fn merge_distinct(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        out.push(x.min(y));
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// G(n, m) edges in order of `(u, v)`: exactly `m` distinct edges, `m <= n (n - 1)`.
pub(super) fn gnm_edges(n: u32, m: u64, seed: u64) -> Vec<(u32, u32)> {
    let total = ordered_pairs(n);
    let key = graph_key(seed);
    if m == 0 {
        return Vec::new();
    }
    if m <= total / 2 {
        let chosen = distinct_indices(total, m, key, Purpose::GraphEdges, 0);
        return chosen.par_iter().map(|&x| pair(n, x)).collect();
    }
    // Dense: sample the pairs left out, then emit every other pair, row by row.
    let left_out = distinct_indices(total, total - m, key, Purpose::GraphEdges, 0);
    let others = u64::from(n - 1);
    collect_rows(n, |u, out| {
        let row_start = u64::from(u) * others;
        let a = left_out.partition_point(|&x| x < row_start);
        let b = left_out.partition_point(|&x| x < row_start + others);
        let mut skip = left_out[a..b].iter().peekable();
        for x in row_start..row_start + others {
            if skip.next_if_eq(&&x).is_none() {
                out.push(pair(n, x));
            }
        }
    })
}

/// Exactly `m` distinct unordered pairs `(u, v)`, `u < v`, uniformly among all such sets,
/// for `m <= n (n - 1) / 2` (undirected G(n, m)).
pub(super) fn gnm_ties(n: u32, m: u64, seed: u64) -> Vec<(u32, u32)> {
    let total = ordered_pairs(n) / 2;
    let key = graph_key(seed);
    if m == 0 {
        return Vec::new();
    }
    let chosen = if m <= total / 2 {
        distinct_indices(total, m, key, Purpose::GraphEdges, 0)
    } else {
        let left_out = distinct_indices(total, total - m, key, Purpose::GraphEdges, 0);
        let mut skip = left_out.iter().peekable();
        (0..total)
            .filter(|x| skip.next_if_eq(&x).is_none())
            .collect()
    };
    chosen.par_iter().map(|&x| tie(n, x)).collect()
}

/// The unordered pair of index `x` in `0..n (n - 1) / 2`, row by row: row `u` holds the
/// pairs `(u, u + 1) .. (u, n - 1)`.
fn tie(n: u32, x: u64) -> (u32, u32) {
    let n = u64::from(n);
    // Pairs before row u: u (2n - u - 1) / 2. Estimate u from the quadratic, then fix up.
    let before = |u: u64| u * (2 * n - u - 1) / 2;
    let disc = ((2 * n - 1) * (2 * n - 1)) as f64 - 8.0 * x as f64;
    let mut u = (((2 * n - 1) as f64 - disc.max(0.0).sqrt()) / 2.0)
        .floor()
        .max(0.0) as u64;
    u = u.min(n - 2);
    while u > 0 && before(u) > x {
        u -= 1;
    }
    while before(u + 1) <= x {
        u += 1;
    }
    let v = u + 1 + (x - before(u));
    (u as u32, v as u32)
}

/// Each tie `(u, v)` as the two follow edges `u -> v` and `v -> u`.
pub(super) fn reciprocal(ties: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    let mut edges = Vec::with_capacity(ties.len() * 2);
    for (u, v) in ties {
        edges.push((u, v));
        edges.push((v, u));
    }
    edges
}

#[cfg(test)]
mod tests {
    use super::super::GeneratorSpec;
    use super::super::test_support::*;
    use super::*;

    fn gnp(n: u32, p: f64, seed: u64) -> crate::graph::FollowerGraph {
        gen_graph(
            &GeneratorSpec::ErdosRenyi {
                n,
                p: Some(p),
                m: None,
                undirected: false,
            },
            seed,
        )
    }

    fn gnm(n: u32, m: u64, seed: u64) -> crate::graph::FollowerGraph {
        gen_graph(
            &GeneratorSpec::ErdosRenyi {
                n,
                p: None,
                m: Some(m),
                undirected: false,
            },
            seed,
        )
    }

    /// n = 2000, p = 0.005: the edge count is Binomial(N, p) with N = n(n-1) = 3_998_000, mean
    /// N p = 19_990, sd = sqrt(N p (1 - p)) = sqrt(19_890.05) = 141.0; 4.5 sd = 635.
    /// Nothing was dropped (no self-loops, no repeats), across several seeds.
    #[test]
    fn gnp_edge_count_is_within_sampling_error() {
        for seed in 0..3 {
            let g = gnp(2000, 0.005, seed);
            let m = g.edge_count() as f64;
            assert!((m - 19_990.0).abs() < 635.0, "seed {seed}: {m} edges");
            assert_eq!(g.report().edges_in, g.edge_count());
        }
    }

    /// Follower counts are Binomial(n - 1, p) = Binomial(1999, 0.005): mean 9.995,
    /// variance 9.945. Their sample variance over 2000 nodes has sd ~ var * sqrt(2 / 2000)
    /// = 0.31 (near-normal), so 4 sd = 1.26 around 9.945.
    #[test]
    fn gnp_follower_counts_have_binomial_spread() {
        let g = gnp(2000, 0.005, 11);
        let counts = follower_counts(&g);
        let mean = counts.iter().map(|&c| f64::from(c)).sum::<f64>() / 2000.0;
        let var = counts
            .iter()
            .map(|&c| (f64::from(c) - mean).powi(2))
            .sum::<f64>()
            / 1999.0;
        assert!((var - 9.945).abs() < 1.26, "variance {var}");
    }

    #[test]
    fn gnp_extremes_are_empty_and_complete() {
        assert_eq!(gnp(50, 0.0, 1).edge_count(), 0);
        assert_eq!(gnp(50, 1.0, 1).edge_count(), 50 * 49);
        assert_eq!(gnp(1, 0.5, 1).edge_count(), 0);
    }

    /// G(n, m) has exactly m edges, sparse or dense (complement path), and every pair is
    /// equally likely: over 400 graphs G(5, 10) of the 20 pairs, each pair's count is
    /// Binomial(400, 1/2), sd = 10; 5 sd = 50 around 200.
    #[test]
    fn gnm_has_exactly_m_edges_and_uniform_pairs() {
        for (n, m) in [
            (1000, 5000),
            (30, 600),
            (30, 870),
            (30, 869),
            (2, 1),
            (7, 0),
        ] {
            let g = gnm(n, m, 3);
            assert_eq!(g.edge_count(), m, "G({n}, {m})");
            assert_eq!(g.report().edges_in, m);
        }
        let mut hits = [0i32; 25];
        for seed in 0..400 {
            for (u, v) in gnm(5, 10, seed).edges() {
                hits[(u * 5 + v) as usize] += 1;
            }
        }
        for u in 0..5 {
            for v in 0..5 {
                let h = hits[u * 5 + v];
                if u == v {
                    assert_eq!(h, 0);
                } else {
                    assert!((h - 200).abs() < 50, "pair ({u}, {v}): {h} of 400");
                }
            }
        }
    }

    #[test]
    fn pair_indices_cover_every_ordered_pair_once() {
        let n = 6;
        let all: Vec<(u32, u32)> = (0..ordered_pairs(n)).map(|x| pair(n, x)).collect();
        let mut expected = Vec::new();
        for u in 0..n {
            for v in 0..n {
                if u != v {
                    expected.push((u, v));
                }
            }
        }
        assert_eq!(all, expected);
    }

    #[test]
    fn gnp_equals_one_block_sbm() {
        let sbm = gen_graph(
            &GeneratorSpec::StochasticBlock {
                sizes: vec![400],
                p_in: Some(0.03),
                p_out: Some(0.5),
                probabilities: None,
            },
            5,
        );
        assert_eq!(gnp(400, 0.03, 5), sbm);
    }

    #[test]
    fn tie_indices_enumerate_every_unordered_pair_once() {
        for n in [2u32, 3, 7, 50] {
            let total = ordered_pairs(n) / 2;
            let ties: Vec<(u32, u32)> = (0..total).map(|x| tie(n, x)).collect();
            let expected: Vec<(u32, u32)> = (0..n)
                .flat_map(|u| (u + 1..n).map(move |v| (u, v)))
                .collect();
            assert_eq!(ties, expected, "n = {n}");
        }
    }

    #[test]
    fn undirected_graphs_are_reciprocal() {
        for spec in [
            GeneratorSpec::ErdosRenyi {
                n: 300,
                p: Some(0.02),
                m: None,
                undirected: true,
            },
            GeneratorSpec::ErdosRenyi {
                n: 300,
                p: None,
                m: Some(900),
                undirected: true,
            },
        ] {
            let g = gen_graph(&spec, 5);
            for v in 0..g.node_count() {
                assert_eq!(g.sources(v), g.followers(v), "node {v}");
            }
            if let GeneratorSpec::ErdosRenyi { m: Some(m), .. } = spec {
                assert_eq!(g.edge_count(), 2 * m);
            }
        }
    }
}
