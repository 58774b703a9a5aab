//! The directed stochastic block model: groups of nodes with per-pair-of-groups densities.
//!
//! Follows Holland, Laskey and Leinhardt, "Stochastic blockmodels: First steps", Social Networks
//! 5(2) (1983): nodes are split into consecutive groups, and each ordered pair `u -> v`
//! (`u != v`) is an edge independently with probability `P[g][h]`, `g` being `u`'s group and
//! `h` being `v`'s. Within each row `u` and each group `h` the chosen `v` come from geometric
//! skipping (Batagelj and Brandes 2005, see [`super::bernoulli_positions`]), so time is linear
//! in the number of edges. Row `u` draws from stream `(GraphEdges, step 0, index u)`, so rows
//! run in parallel and the graph does not depend on the number of threads.

use super::{bernoulli_positions, collect_rows};
use crate::rng::{Purpose, Stream, graph_key};

/// Edges in order of `(u, v)` for groups of `sizes` (consecutive ids) and the group-to-group
/// edge probabilities `matrix` (`matrix[g][h]` for `u` in `g`, `v` in `h`; validated).
/// **O(n groups + edges)** time.
pub(super) fn edges(sizes: &[u32], matrix: &[Vec<f64>], seed: u64) -> Vec<(u32, u32)> {
    let key = graph_key(seed);
    let mut starts = vec![0u32];
    for &s in sizes {
        starts.push(starts[starts.len() - 1] + s);
    }
    let n = starts[sizes.len()];
    collect_rows(n, |u, out| {
        // The group of u: the last start <= u.
        let g = starts.partition_point(|&s| s <= u) - 1;
        let mut stream = Stream::new(key, Purpose::GraphEdges, 0, u);
        for (h, &p) in matrix[g].iter().enumerate() {
            let (a, b) = (starts[h], starts[h + 1]);
            if g == h {
                // Candidates: the group without u itself.
                bernoulli_positions(&mut stream, u64::from(b - a - 1), p, |j| {
                    let v = a + j as u32;
                    out.push((u, if v >= u { v + 1 } else { v }));
                });
            } else {
                bernoulli_positions(&mut stream, u64::from(b - a), p, |j| {
                    out.push((u, a + j as u32));
                });
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::GeneratorSpec;
    use super::super::test_support::*;

    /// Counts edges by (group of u, group of v) for groups split at `split`.
    fn block_counts(g: &crate::graph::FollowerGraph, split: u32) -> [[u64; 2]; 2] {
        let mut c = [[0u64; 2]; 2];
        for (u, v) in g.edges() {
            c[usize::from(u >= split)][usize::from(v >= split)] += 1;
        }
        c
    }

    /// Groups of 600 and 400, p_in = 0.02, p_out = 0.004. Each block count is binomial:
    ///   within A: N = 600*599 = 359_400, mean 7188, sd = sqrt(7188 * 0.98) = 83.9, 4.5 sd = 378
    ///   within B: N = 400*399 = 159_600, mean 3192, sd = sqrt(3192 * 0.98) = 55.9, 4.5 sd = 252
    ///   A -> B and B -> A: N = 240_000, mean 960, sd = sqrt(960 * 0.996) = 30.9, 4.5 sd = 139
    #[test]
    fn within_and_between_densities_are_within_sampling_error() {
        let g = gen_graph(
            &GeneratorSpec::StochasticBlock {
                sizes: vec![600, 400],
                p_in: Some(0.02),
                p_out: Some(0.004),
                probabilities: None,
            },
            21,
        );
        let c = block_counts(&g, 600);
        let close = |x: u64, mean: f64, tol: f64| (x as f64 - mean).abs() < tol;
        assert!(close(c[0][0], 7188.0, 378.0), "{c:?}");
        assert!(close(c[1][1], 3192.0, 252.0), "{c:?}");
        assert!(close(c[0][1], 960.0, 139.0), "{c:?}");
        assert!(close(c[1][0], 960.0, 139.0), "{c:?}");
        assert_eq!(g.report().edges_in, g.edge_count());
    }

    /// An asymmetric matrix: group B (ids 30..50) follows all of group A (30 x 20 edges
    /// A -> B), nothing else. Exact.
    #[test]
    fn a_full_matrix_sets_each_direction() {
        let g = gen_graph(
            &GeneratorSpec::StochasticBlock {
                sizes: vec![30, 20],
                p_in: None,
                p_out: None,
                probabilities: Some(vec![vec![0.0, 1.0], vec![0.0, 0.0]]),
            },
            2,
        );
        assert_eq!(block_counts(&g, 30), [[0, 600], [0, 0]]);
        assert!((30..50).all(|v| g.sources(v) == (0..30).collect::<Vec<u32>>()));
    }

    #[test]
    fn p_in_one_gives_complete_groups_without_self_loops() {
        let g = gen_graph(
            &GeneratorSpec::StochasticBlock {
                sizes: vec![5, 1, 4],
                p_in: Some(1.0),
                p_out: Some(0.0),
                probabilities: None,
            },
            2,
        );
        assert_eq!(g.edge_count(), 5 * 4 + 4 * 3);
        assert_eq!(g.report().self_loops_dropped, 0);
        assert_eq!(g.followers(7), &[6, 8, 9]);
    }
}
