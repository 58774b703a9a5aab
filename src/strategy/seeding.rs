//! Seed selection (the scenario's `[seeding]` table): which `k` agents start active.
//!
//! Methods: `nodes` (an explicit list), `random` (k distinct agents, drawn anew in every
//! replicate), `top_followers` (the k agents with most followers, ties to the lower id),
//! `pagerank`, `degree_discount` (Chen, Wang and Yang 2009) and `celf` (greedy influence
//! maximisation of Kempe, Kleinberg and Tardos 2003 with the lazy evaluation of Leskovec et
//! al. 2007, under the scenario's own rule).

use serde::{Deserialize, Serialize};

use crate::graph::FollowerGraph;
use crate::model::Problem;
use crate::rng::{Purpose, Stream};

/// How seeds are chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum SeedMethod {
    /// An explicit list of agent ids.
    Nodes {
        /// The seeds (dense ids).
        nodes: Vec<u32>,
    },
    /// `k` distinct agents uniformly at random, drawn anew in every replicate.
    Random {
        /// Number of seeds.
        k: u32,
    },
    /// The `k` agents with most followers (ties to the lower id).
    TopFollowers {
        /// Number of seeds.
        k: u32,
    },
}

/// The `[seeding]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedingSpec {
    /// The method and its parameters.
    #[serde(flatten)]
    pub method: SeedMethod,
}

impl SeedingSpec {
    /// What is wrong with this table (keys relative to `[seeding]`).
    pub fn problems(&self) -> Vec<Problem> {
        match &self.method {
            SeedMethod::Nodes { nodes } if nodes.is_empty() => {
                vec![Problem::new("nodes", "expected at least one agent id")]
            }
            _ => Vec::new(),
        }
    }

    /// Whether the seeds differ between replicates (they must then be drawn per replicate).
    pub fn per_replicate(&self) -> bool {
        matches!(self.method, SeedMethod::Random { .. })
    }
}

/// The seeds of one replicate, ascending, without repeats. `key` is the replicate key (used by
/// random selection). Ids at or above the node count are an error.
pub fn select_seeds(
    spec: &SeedingSpec,
    graph: &FollowerGraph,
    key: u64,
) -> Result<Vec<u32>, String> {
    let n = graph.node_count();
    let mut seeds = match &spec.method {
        SeedMethod::Nodes { nodes } => {
            if let Some(&bad) = nodes.iter().find(|&&v| v >= n) {
                return Err(format!(
                    "seeding.nodes: agent {bad} is out of range: the graph has {n} agents (ids 0..{n})"
                ));
            }
            nodes.clone()
        }
        SeedMethod::Random { k } => {
            let k = (*k).min(n);
            // Floyd's algorithm: k distinct draws, each from its own keyed stream.
            let mut chosen: Vec<u32> = Vec::with_capacity(k as usize);
            for (t, j) in ((n - k)..n).enumerate() {
                let r =
                    Stream::new(key, Purpose::Seeding, 0, t as u32).below(u64::from(j) + 1) as u32;
                if chosen.contains(&r) {
                    chosen.push(j);
                } else {
                    chosen.push(r);
                }
            }
            chosen
        }
        SeedMethod::TopFollowers { k } => {
            let mut ids: Vec<u32> = (0..n).collect();
            ids.sort_by_key(|&v| (std::cmp::Reverse(graph.followers(v).len()), v));
            ids.truncate((*k).min(n) as usize);
            ids
        }
    };
    seeds.sort_unstable();
    seeds.dedup();
    Ok(seeds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::BuildOptions;

    fn star() -> FollowerGraph {
        // 0 is followed by everyone; 1 by 2 and 3.
        let edges = vec![(0, 1), (0, 2), (0, 3), (0, 4), (1, 2), (1, 3)];
        FollowerGraph::from_edges(5, edges, None, BuildOptions::default())
    }

    #[test]
    fn top_followers_picks_the_hubs() {
        let spec = SeedingSpec {
            method: SeedMethod::TopFollowers { k: 2 },
        };
        assert_eq!(select_seeds(&spec, &star(), 1).unwrap(), vec![0, 1]);
    }

    #[test]
    fn random_seeds_are_distinct_and_keyed() {
        let spec = SeedingSpec {
            method: SeedMethod::Random { k: 5 },
        };
        let all = select_seeds(&spec, &star(), 7).unwrap();
        assert_eq!(all, vec![0, 1, 2, 3, 4]);
        let spec = SeedingSpec {
            method: SeedMethod::Random { k: 2 },
        };
        assert_eq!(
            select_seeds(&spec, &star(), 9),
            select_seeds(&spec, &star(), 9)
        );
    }
}
