//! DegreeDiscountIC (Chen, Wang and Yang 2009, "Efficient influence maximization in social
//! networks", KDD, Algorithm 4), read on a directed follower graph.
//!
//! In the undirected original, an agent `v` with degree `d_v` of which `t_v` neighbours are
//! already seeds scores `dd_v = d_v - 2 t_v - (d_v - t_v) t_v p`: its expected extra spread
//! under the independent cascade with a small probability `p`, to first order, is about
//! `(1 - t_v p)(1 + (d_v - t_v) p)` (it may already be activated by its `t_v` seed neighbours,
//! and those neighbours need no activation). On a follower graph the two roles differ: `v`
//! reaches its followers (`d_v` = follower count, `f_v` of them seeds) and is reached from its
//! sources (`s_v` of them seeds). The same expansion gives
//!
//! `dd_v = d_v - f_v - s_v - (d_v - f_v) s_v p`,
//!
//! which is the original on a graph whose every tie is reciprocal (`f_v = s_v = t_v`). Seeds
//! are picked one at a time by highest `dd_v`, ties to the lower id.

use crate::graph::FollowerGraph;

/// The `k` seeds of DegreeDiscountIC with propagation probability `p`, in pick order.
/// Costs **O(k n + sum of the seeds' degrees)**.
pub fn degree_discount(graph: &FollowerGraph, k: u32, p: f64) -> Vec<u32> {
    let n = graph.node_count() as usize;
    let degree: Vec<f64> = (0..n as u32)
        .map(|v| f64::from(graph.follower_count(v)))
        .collect();
    let mut seed_followers = vec![0.0f64; n];
    let mut seed_sources = vec![0.0f64; n];
    let mut chosen = vec![false; n];
    let mut picks = Vec::with_capacity(k as usize);
    let score =
        |v: usize, f: &[f64], s: &[f64]| degree[v] - f[v] - s[v] - (degree[v] - f[v]) * s[v] * p;
    for _ in 0..(k as usize).min(n) {
        let mut best: Option<(usize, f64)> = None;
        for (v, _) in chosen.iter().enumerate().filter(|(_, c)| !**c) {
            let dd = score(v, &seed_followers, &seed_sources);
            if best.is_none_or(|(_, b)| dd > b) {
                best = Some((v, dd));
            }
        }
        let Some((s, _)) = best else { break };
        chosen[s] = true;
        picks.push(s as u32);
        // s now counts as a seed follower of each of its sources, and as a seed source of
        // each of its followers.
        for &u in graph.sources(s as u32) {
            seed_followers[u as usize] += 1.0;
        }
        for &w in graph.followers(s as u32) {
            seed_sources[w as usize] += 1.0;
        }
    }
    picks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::BuildOptions;

    #[test]
    fn discounts_a_hub_that_the_first_seed_reaches() {
        // 0 has 11 followers (1 and 3..=12); 1 has 9 (3..=11, all following 0 too); 2 has 8
        // of its own (20..=27). Top followers picks 0 then 1; after 0 is a seed, 1 is
        // reached by it (s_1 = 1): dd_1 = 9 - 0 - 1 - 9 p < 8 = dd_2, so 2 comes second.
        let mut edges = vec![(0, 1)];
        edges.extend((3..13).map(|f| (0, f)));
        edges.extend((3..12).map(|f| (1, f)));
        edges.extend((20..28).map(|f| (2, f)));
        let g = FollowerGraph::from_edges(28, edges, None, BuildOptions::default());
        assert_eq!(degree_discount(&g, 2, 0.01), vec![0, 2]);
        // With p = 0 the discount is the plain count: dd_1 = 8 ties dd_2 = 8, lower id wins.
        assert_eq!(degree_discount(&g, 2, 0.0), vec![0, 1]);
    }

    #[test]
    fn on_reciprocal_ties_it_is_the_original_formula() {
        // A path 0 - 1 - 2 - 3 - 4 with reciprocal ties, plus leaves on 1 and 3: degrees
        // 1: 3 (0, 2, 5), 3: 3 (2, 4, 6), 2: 2. Pick 1 first (lowest id of the two of degree 3);
        // then t_2 = 1: dd_2 = 2 - 2 - (1)(1)p < 0, dd_3 = 3 still: pick 3.
        let ties = [(0, 1), (1, 2), (2, 3), (3, 4), (1, 5), (3, 6)];
        let mut edges = Vec::new();
        for (a, b) in ties {
            edges.push((a, b));
            edges.push((b, a));
        }
        let g = FollowerGraph::from_edges(7, edges, None, BuildOptions::default());
        assert_eq!(degree_discount(&g, 2, 0.1), vec![1, 3]);
    }
}
