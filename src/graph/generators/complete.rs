//! The complete directed graph: everyone follows everyone else.
//!
//! Every ordered pair `u -> v` with `u != v`, `n (n - 1)` edges: the well-mixed population of
//! mean-field models (for the Standing Ovation Problem, the case where every agent sees the
//! whole audience). No randomness; rows are built in parallel.

use super::collect_rows;

/// Every edge `u -> v`, `u != v`, in order of `(u, v)`. **O(n^2)**.
pub(super) fn edges(n: u32) -> Vec<(u32, u32)> {
    collect_rows(n, |u, out| {
        out.extend((0..n).filter(|&v| v != u).map(|v| (u, v)));
    })
}

#[cfg(test)]
mod tests {
    use super::super::GeneratorSpec;
    use super::super::test_support::*;

    #[test]
    fn has_every_ordered_pair_and_no_self_loop() {
        for n in [1u32, 2, 7, 60] {
            let g = gen_graph(&GeneratorSpec::Complete { n }, 0);
            assert_eq!(g.edge_count(), u64::from(n) * u64::from(n - 1));
            for u in 0..n {
                let others: Vec<u32> = (0..n).filter(|&v| v != u).collect();
                assert_eq!(g.followers(u), others.as_slice());
                assert_eq!(g.sources(u), others.as_slice());
            }
        }
    }
}
