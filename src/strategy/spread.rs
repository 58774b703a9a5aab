//! A fast simulator of the independent cascade and linear threshold spread, for greedy seed
//! selection ([`super::celf`]): how many agents a seed set activates in one random world.
//!
//! It runs the same model as the engine's step loops (`crate::engine::rules::cascade`, whose
//! helpers [`IcProbs`], [`LtUnits`] and [`lt_threshold`] it uses) without the engine's
//! per-replicate setup: no agents, no tallies, no records, and no O(n) reset between runs
//! (per-agent marks carry an epoch stamp). It sees only the graph and the rule: every agent
//! but the seeds starts inactive and none is fixed.
//!
//! The independent cascade draws exactly as the engine does (a constant-probability row by
//! geometric skipping keyed by the replicate key and the agent, `crate::rng::rows`; under
//! per-edge probabilities the trial of follower edge `e` succeeds when `edge_word(key, e) <
//! threshold32(p_uv)`, keyed by the replicate key and the edge position; never the step), so the final active set equals the engine's for the same
//! replicate key (a test checks it). The live edges of a world (key) therefore do not depend on
//! the seed set: spread estimated over fixed worlds is an average of reachability counts in
//! fixed graphs, which is monotone and submodular in the seed set (Kempe et al. 2003, Theorem
//! 2.2), so CELF's lazy evaluation is exact for the estimate. Linear threshold worlds are the
//! per-agent thresholds. For 64 independent cascade worlds at once, see
//! [`super::bitpar::BlockSimulator`], which equals this simulator world by world.

use crate::engine::RuleSpec;
use crate::engine::rules::cascade::{IcProbs, LtUnits, lt_reached, lt_threshold};
use crate::graph::FollowerGraph;
use crate::rng::{RowGaps, edge_word, row_word};

enum Model<'g> {
    /// The probabilities, and the row draws when they are constant.
    Ic(IcProbs<'g>, Option<RowGaps>),
    Lt {
        units: LtUnits,
        totals: Vec<u64>,
    },
}

/// Reusable buffers for repeated spread simulations on one graph under one rule.
pub struct Simulator<'g> {
    graph: &'g FollowerGraph,
    model: Model<'g>,
    /// `active[v] == epoch` when v is active in the current run.
    active: Vec<u32>,
    /// Linear threshold: accumulated active units and the threshold, valid when
    /// `seen[v] == epoch`.
    acc: Vec<u64>,
    thr: Vec<u64>,
    seen: Vec<u32>,
    epoch: u32,
    frontier: Vec<u32>,
    next: Vec<u32>,
}

impl<'g> Simulator<'g> {
    /// A simulator of `rule` on `graph`; `Err` names the rule when it is neither
    /// `independent_cascade` nor `linear_threshold`.
    pub fn new(graph: &'g FollowerGraph, rule: &RuleSpec) -> Result<Simulator<'g>, String> {
        let model = match rule {
            RuleSpec::IndependentCascade(p) => {
                let probs = IcProbs::new(graph, p.probability);
                Model::Ic(probs, probs.row_gaps())
            }
            RuleSpec::LinearThreshold(p) => {
                let units = LtUnits::new(graph, p.weights);
                let totals = (0..graph.node_count())
                    .map(|v| units.whole(graph, v))
                    .collect();
                Model::Lt { units, totals }
            }
            other => {
                return Err(format!(
                    "seeding: method \"celf\" estimates spread under rule \"independent_cascade\" \
                     or \"linear_threshold\", found rule \"{}\"",
                    other.name()
                ));
            }
        };
        let n = graph.node_count() as usize;
        Ok(Simulator {
            graph,
            model,
            active: vec![0; n],
            acc: vec![0; n],
            thr: vec![0; n],
            seen: vec![0; n],
            epoch: 0,
            frontier: Vec::new(),
            next: Vec::new(),
        })
    }

    /// Number of agents active at the end when `seeds` start active, in the world of replicate
    /// key `key`. Costs **O(edges out of the agents reached)**.
    pub fn spread(&mut self, seeds: &[u32], key: u64) -> u32 {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.active.fill(0);
            self.seen.fill(0);
            self.epoch = 1;
        }
        let epoch = self.epoch;
        let mut frontier = std::mem::take(&mut self.frontier);
        let mut next = std::mem::take(&mut self.next);
        frontier.clear();
        let mut count = 0u32;
        for &s in seeds {
            if self.active[s as usize] != epoch {
                self.active[s as usize] = epoch;
                frontier.push(s);
                count += 1;
            }
        }
        let adj = self.graph.follower_adjacency();
        while !frontier.is_empty() {
            next.clear();
            for &u in &frontier {
                let (a, b) = adj.range(u);
                match &self.model {
                    Model::Ic(_, Some(gaps)) => {
                        let active = &mut self.active;
                        gaps.row(
                            (b - a) as u32,
                            |j| row_word(key, u, j),
                            |i| {
                                let v = adj.targets[a + i as usize];
                                if active[v as usize] != epoch {
                                    active[v as usize] = epoch;
                                    next.push(v);
                                }
                            },
                        );
                    }
                    Model::Ic(probs, None) => {
                        for e in a..b {
                            let v = adj.targets[e];
                            if u64::from(edge_word(key, e as u64)) < probs.threshold(e, v)
                                && self.active[v as usize] != epoch
                            {
                                self.active[v as usize] = epoch;
                                next.push(v);
                            }
                        }
                    }
                    Model::Lt { units, totals } => {
                        for e in a..b {
                            let v = adj.targets[e] as usize;
                            if self.active[v] == epoch {
                                continue;
                            }
                            if self.seen[v] != epoch {
                                self.seen[v] = epoch;
                                self.acc[v] = 0;
                                self.thr[v] = lt_threshold(key, v as u32);
                            }
                            self.acc[v] += units.unit(adj.weights.as_ref().map(|w| w[e]));
                            if lt_reached(self.acc[v], totals[v], self.thr[v]) {
                                self.active[v] = epoch;
                                next.push(v as u32);
                            }
                        }
                    }
                }
            }
            count += next.len() as u32;
            std::mem::swap(&mut frontier, &mut next);
        }
        self.frontier = frontier;
        self.next = next;
        count
    }
}
