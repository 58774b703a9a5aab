//! Watts-Strogatz small worlds: a ring lattice with a fraction of its ties rewired.
//!
//! Follows Watts and Strogatz, "Collective dynamics of 'small-world' networks", Nature 393
//! (1998): start from a ring of `n` nodes, each tied to its `k / 2` nearest neighbours on each
//! side; then, lap `j = 1..=k/2` after lap, visit every node `u` in order and, with probability
//! `beta`, move the far end of the tie `(u, u + j)` to a node chosen uniformly among those that
//! are neither `u` nor already tied to `u` (a node tied to everyone keeps its tie). Ties are
//! undirected, so each is stored as two reciprocal edges (`n k` edges in all), and the number of
//! ties never changes.
//!
//! Rewiring depends on earlier rewiring, so it runs on one thread; the decision for tie
//! `(u, u + j)` draws from stream `(GraphEdges, step j, index u)`, so no thread count enters.
//! **O(n k^2)** time (each membership test scans a node's ties).

use crate::rng::{Purpose, Stream, graph_key};

/// Both directions of every tie, in order of `(u, v)` before the CSR build sorts them.
pub(super) fn edges(n: u32, k: u32, beta: f64, seed: u64) -> Vec<(u32, u32)> {
    let key = graph_key(seed);
    let half = k / 2;
    let mut ties: Vec<Vec<u32>> = (0..n)
        .map(|u| {
            (1..=half)
                .flat_map(|j| [(u + j) % n, (u + n - j) % n])
                .collect()
        })
        .collect();
    if beta > 0.0 {
        for j in 1..=half {
            for u in 0..n {
                let mut stream = Stream::new(key, Purpose::GraphEdges, j, u);
                if !stream.bernoulli(beta) || ties[u as usize].len() as u32 >= n - 1 {
                    continue;
                }
                let w = loop {
                    let w = stream.below(u64::from(n)) as u32;
                    if w != u && !ties[u as usize].contains(&w) {
                        break w;
                    }
                };
                // The tie (u, u + j) is still in place: only this visit can move it.
                let v = (u + j) % n;
                replace(&mut ties[u as usize], v, w);
                remove(&mut ties[v as usize], u);
                ties[w as usize].push(u);
            }
        }
    }
    let mut edges = Vec::with_capacity(n as usize * k as usize);
    for (u, row) in ties.iter().enumerate() {
        edges.extend(row.iter().map(|&v| (u as u32, v)));
    }
    edges
}

fn replace(row: &mut [u32], old: u32, new: u32) {
    let at = row
        .iter()
        .position(|&x| x == old)
        .expect("the tie being rewired exists");
    row[at] = new;
}

fn remove(row: &mut Vec<u32>, old: u32) {
    let at = row
        .iter()
        .position(|&x| x == old)
        .expect("the tie being rewired exists");
    row.swap_remove(at);
}

#[cfg(test)]
mod tests {
    use super::super::GeneratorSpec;
    use super::super::test_support::*;

    fn ws(n: u32, k: u32, beta: f64, seed: u64) -> crate::graph::FollowerGraph {
        gen_graph(&GeneratorSpec::WattsStrogatz { n, k, beta }, seed)
    }

    fn is_reciprocal(g: &crate::graph::FollowerGraph) -> bool {
        (0..g.node_count()).all(|u| g.followers(u) == g.sources(u))
    }

    #[test]
    fn beta_zero_is_the_ring_lattice() {
        let g = ws(10, 4, 0.0, 1);
        assert_eq!(g.edge_count(), 40);
        assert_eq!(g.followers(0), &[1, 2, 8, 9]);
        assert_eq!(g.followers(5), &[3, 4, 6, 7]);
        for u in 0..10 {
            for d in [1, 2, 8, 9] {
                assert!(g.has_edge(u, (u + d) % 10));
            }
        }
        assert!(is_reciprocal(&g));
    }

    /// Rewiring keeps the tie count (n k edges), reciprocity and the absence of self-loops and
    /// repeats; about beta of the ties move. Each of the n k / 2 = 5000 ties is rewired with
    /// probability 0.3, so the rewired count is Binomial(5000, 0.3): mean 1500, sd 32.4. A
    /// rewired tie can land back within ring distance k/2 = 5 only on a node whose lattice tie
    /// to u was itself moved away (about 3 of the ~989 candidates), so about 1500 * 0.003 ~ 5
    /// do: we expect 5000 - 1500 + 5 = 3505 ties at ring distance <= 5; tolerance 5 sd = 162.
    #[test]
    fn rewiring_moves_about_beta_of_the_ties() {
        let (n, k) = (1000u32, 10u32);
        let g = ws(n, k, 0.3, 5);
        assert_eq!(g.edge_count(), u64::from(n * k));
        assert_eq!(g.report().edges_in, g.edge_count(), "nothing dropped");
        assert!(is_reciprocal(&g));
        let lattice = g
            .edges()
            .filter(|&(u, v)| u < v && (v - u <= k / 2 || n - (v - u) <= k / 2))
            .count() as f64;
        assert!((lattice - 3505.0).abs() < 162.0, "{lattice} lattice ties");
    }

    #[test]
    fn beta_one_still_has_every_tie_and_no_self_loops() {
        let g = ws(12, 10, 1.0, 3);
        assert_eq!(g.edge_count(), 120);
        assert!(is_reciprocal(&g));
        assert!((0..12).all(|u| !g.has_edge(u, u)));
    }
}
