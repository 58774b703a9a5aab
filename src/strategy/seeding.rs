//! Seed selection (the scenario's `[seeding]` table): which `k` agents start active.
//!
//! Methods: `nodes` (an explicit list), `random` (k distinct agents, drawn anew in every
//! replicate), `top_followers` (the k agents with most followers, ties to the lower id),
//! `pagerank` (highest PageRank on the reversed follower graph, see [`super::pagerank`]),
//! `degree_discount` (Chen, Wang and Yang 2009, see [`super::degree_discount`]) and `celf`
//! (greedy influence maximisation of Kempe, Kleinberg and Tardos 2003 with the lazy evaluation
//! of Leskovec et al. 2007, under the scenario's own rule, see [`super::celf`]) and `imm`
//! (reverse-reachable set sampling of Tang, Shi and Xiao 2015, see [`super::imm`]: the method
//! for graphs beyond a few thousand agents).
//!
//! Every method but `random` gives the same seeds in every replicate. The costly ones
//! (`pagerank`, `degree_discount`, `celf`, `imm`) are computed once per (graph, table, rule, seed)
//! and kept in a process-wide cache, so the replicates of a run share one computation. The
//! cache is keyed by a hash of the graph's adjacency, not by its address, so a per-replicate
//! graph that happens to be equal shares the entry and a different one never does.

use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};

use super::imm::{self, RrModel};
use super::{celf, degree_discount, pagerank};
use crate::engine::RuleSpec;
use crate::graph::FollowerGraph;
use crate::graph::handles::NodeRef;
use crate::model::Problem;
use crate::model::cascade::{EdgeProbability, LtWeights};
use crate::rng::{Purpose, Stream, mix64};

fn default_damping() -> f64 {
    0.85
}

fn default_discount_p() -> f64 {
    0.01
}

fn default_samples() -> u32 {
    1000
}

fn default_epsilon() -> f64 {
    0.5
}

fn default_l() -> f64 {
    1.0
}

/// The diffusion model IMM samples RR sets under (`[seeding] model = ...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImmDiffusion {
    /// Independent cascade.
    Ic,
    /// Linear threshold.
    Lt,
}

/// How seeds are chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum SeedMethod {
    /// An explicit list of agents, by dense id or handle (`["@dell", 42]`).
    Nodes {
        /// The seeds: dense ids, or handles resolved through the graph's labels.
        nodes: Vec<NodeRef>,
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
    /// The `k` agents of highest PageRank on the reversed follower graph (ties to the lower
    /// id).
    Pagerank {
        /// Number of seeds.
        k: u32,
        /// Damping factor in `(0, 1)` (default 0.85).
        #[serde(default = "default_damping")]
        damping: f64,
    },
    /// DegreeDiscountIC (Chen, Wang and Yang 2009) with propagation probability `p`.
    DegreeDiscount {
        /// Number of seeds.
        k: u32,
        /// The independent cascade probability the discount assumes, in `[0, 1]` (default
        /// 0.01).
        #[serde(default = "default_discount_p")]
        p: f64,
    },
    /// Greedy influence maximisation with lazy evaluation (CELF) under the scenario's rule
    /// (`independent_cascade` or `linear_threshold`).
    Celf {
        /// Number of seeds.
        k: u32,
        /// Monte Carlo worlds per spread estimate (default 1000, at least 1).
        #[serde(default = "default_samples")]
        samples: u32,
    },
    /// IMM (Tang, Shi and Xiao 2015): greedy maximum coverage of reverse-reachable sets, a
    /// `(1 - 1/e - epsilon)`-approximation with probability `1 - n^-l`.
    Imm {
        /// Number of seeds.
        k: u32,
        /// Approximation slack in `(0, 1)` (default 0.5); the work grows as `1 / epsilon^2`.
        #[serde(default = "default_epsilon")]
        epsilon: f64,
        /// Failure probability exponent `l > 0`: the guarantee holds with probability
        /// `1 - n^-l` (default 1).
        #[serde(default = "default_l")]
        l: f64,
        /// The diffusion model (`"ic"` or `"lt"`); by default the scenario's rule, which must
        /// then be `independent_cascade` or `linear_threshold`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        model: Option<ImmDiffusion>,
        /// Independent cascade probabilities when `model = "ic"` and the rule is not an
        /// independent cascade (default `"inverse_in_degree"`; otherwise the rule's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        probability: Option<EdgeProbability>,
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
                vec![Problem::new(
                    "nodes",
                    "expected at least one agent id or handle (\"@name\")",
                )]
            }
            SeedMethod::Pagerank { damping, .. } if !(*damping > 0.0 && *damping < 1.0) => {
                vec![Problem::new(
                    "damping",
                    format!("expected a damping factor in (0, 1), found {damping}"),
                )]
            }
            SeedMethod::DegreeDiscount { p, .. } if !(0.0..=1.0).contains(p) => {
                vec![Problem::new(
                    "p",
                    format!("expected a probability in [0, 1], found {p}"),
                )]
            }
            SeedMethod::Celf { samples: 0, .. } => vec![Problem::new(
                "samples",
                "expected at least 1 Monte Carlo sample, found 0",
            )],
            SeedMethod::Imm {
                epsilon,
                l,
                model,
                probability,
                ..
            } => {
                let mut out = Vec::new();
                if !(*epsilon > 0.0 && *epsilon < 1.0) {
                    out.push(Problem::new(
                        "epsilon",
                        format!("expected an approximation slack in (0, 1), found {epsilon}"),
                    ));
                }
                if !(l.is_finite() && *l > 0.0) {
                    out.push(Problem::new(
                        "l",
                        format!(
                            "expected a failure exponent > 0 (the guarantee holds with \
                             probability 1 - n^-l), found {l}"
                        ),
                    ));
                }
                match (model, probability) {
                    (Some(ImmDiffusion::Ic), Some(EdgeProbability::Constant(p)))
                        if !(0.0..=1.0).contains(p) =>
                    {
                        out.push(Problem::new(
                            "probability",
                            format!("expected a probability in [0, 1], found {p}"),
                        ))
                    }
                    (Some(ImmDiffusion::Ic), _) | (_, None) => {}
                    (_, Some(_)) => out.push(Problem::new(
                        "probability",
                        "expected no value unless model = \"ic\" (the rule's own probability \
                         is used otherwise), found one",
                    )),
                }
                out
            }
            _ => Vec::new(),
        }
    }

    /// Whether the seeds differ between replicates (they must then be drawn per replicate).
    pub fn per_replicate(&self) -> bool {
        matches!(self.method, SeedMethod::Random { .. })
    }
}

/// What seed selection may read besides the `[seeding]` table.
#[derive(Debug, Clone, Copy)]
pub struct SeedContext<'a> {
    /// The follower graph.
    pub graph: &'a FollowerGraph,
    /// The scenario's rule (CELF estimates spread under it).
    pub rule: &'a RuleSpec,
    /// The scenario's seed: keys the draws that do not depend on the replicate (CELF's
    /// spread estimates).
    pub seed: u64,
    /// The replicate key (keys `random` selection).
    pub key: u64,
}

/// `random` seeding: `k` (at most `n`) distinct agents of `n` under the replicate key `key`,
/// in the order drawn. Needs only the node count, so a process of a partitioned run draws the
/// same seeds as the engine without the graph.
pub fn random_seeds(n: u32, k: u32, key: u64) -> Vec<u32> {
    let k = k.min(n);
    // Floyd's algorithm: k distinct draws, each from its own keyed stream.
    let mut chosen: Vec<u32> = Vec::with_capacity(k as usize);
    for (t, j) in ((n - k)..n).enumerate() {
        let r = Stream::new(key, Purpose::Seeding, 0, t as u32).below(u64::from(j) + 1) as u32;
        if chosen.contains(&r) {
            chosen.push(j);
        } else {
            chosen.push(r);
        }
    }
    chosen
}

/// The seeds of one replicate, ascending, without repeats. Ids at or above the node count,
/// and `celf` under a rule it cannot simulate, are an error.
pub fn select_seeds(spec: &SeedingSpec, ctx: &SeedContext<'_>) -> Result<Vec<u32>, String> {
    let mut seeds = select_in_order(spec, ctx)?;
    seeds.sort_unstable();
    seeds.dedup();
    Ok(seeds)
}

/// The seeds in the order the method ranks them (best first for `top_followers`, `pagerank`,
/// `degree_discount` and `celf`; so the first `j` of the `k` seeds are the method's choice
/// for `j` seeds), possibly with repeats for `nodes`.
pub fn select_in_order(spec: &SeedingSpec, ctx: &SeedContext<'_>) -> Result<Vec<u32>, String> {
    let graph = ctx.graph;
    let n = graph.node_count();
    match &spec.method {
        SeedMethod::Nodes { nodes } => nodes
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.resolve(graph)
                    .map_err(|e| format!("seeding.nodes[{i}]: {e}"))
            })
            .collect(),
        SeedMethod::Random { k } => Ok(random_seeds(n, *k, ctx.key)),
        SeedMethod::TopFollowers { k } => {
            let mut ids: Vec<u32> = (0..n).collect();
            ids.sort_by_key(|&v| (std::cmp::Reverse(graph.followers(v).len()), v));
            ids.truncate((*k).min(n) as usize);
            Ok(ids)
        }
        SeedMethod::Pagerank { k, damping } => cached(spec, ctx, || {
            Ok(pagerank::top_pagerank(graph, *k, *damping))
        }),
        SeedMethod::DegreeDiscount { k, p } => cached(spec, ctx, || {
            Ok(degree_discount::degree_discount(graph, *k, *p))
        }),
        SeedMethod::Celf { k, samples } => cached(spec, ctx, || {
            let mut sims = celf::simulators(graph, ctx.rule)?;
            let picks = celf::celf(&mut sims, n, (*k).min(n), *samples, ctx.seed);
            Ok(picks.into_iter().map(|p| p.agent).collect())
        }),
        SeedMethod::Imm {
            k,
            epsilon,
            l,
            model,
            probability,
        } => cached(spec, ctx, || {
            let model = imm_model(*model, *probability, ctx)?;
            let threads = rayon::current_num_threads();
            imm::imm(graph, model, *k, *epsilon, *l, ctx.seed, threads).map(|r| r.seeds)
        }),
    }
}

/// The model IMM samples under: the `model` key, else the scenario's rule; `Err` names the
/// key when neither says.
pub fn imm_model(
    model: Option<ImmDiffusion>,
    probability: Option<EdgeProbability>,
    ctx: &SeedContext<'_>,
) -> Result<RrModel, String> {
    let m = match (model, ctx.rule) {
        (None | Some(ImmDiffusion::Ic), RuleSpec::IndependentCascade(p)) => {
            RrModel::Ic(probability.unwrap_or(p.probability))
        }
        (Some(ImmDiffusion::Ic), _) => {
            RrModel::Ic(probability.unwrap_or(EdgeProbability::InverseInDegree))
        }
        (None | Some(ImmDiffusion::Lt), RuleSpec::LinearThreshold(p)) => RrModel::Lt(p.weights),
        (Some(ImmDiffusion::Lt), _) => RrModel::Lt(LtWeights::Uniform),
        (None, other) => {
            return Err(format!(
                "seeding.model: method \"imm\" needs model = \"ic\" or \"lt\" under rule \"{}\" \
                 (by default it takes the rule, which must then be \"independent_cascade\" or \
                 \"linear_threshold\"), found none",
                other.name()
            ));
        }
    };
    let needs_weights = matches!(
        m,
        RrModel::Ic(EdgeProbability::EdgeWeights) | RrModel::Lt(LtWeights::EdgeWeights)
    );
    if needs_weights && ctx.graph.follower_adjacency().weights.is_none() {
        return Err(
            "seeding: method \"imm\" reads edge weights, but the graph has none (import a \
             weight column with `weighted = true`)"
                .to_string(),
        );
    }
    Ok(m)
}

/// One cached selection.
type Entry = Arc<OnceLock<Result<Vec<u32>, String>>>;

/// Selections computed so far, by key (see [`cache_key`]); a handful per process.
static CACHE: Mutex<Vec<(u64, Entry)>> = Mutex::new(Vec::new());

/// A hash of what a deterministic selection depends on: the graph's adjacency (and
/// weights), the table, the rule and the scenario seed. **O(n + m)**.
fn cache_key(spec: &SeedingSpec, ctx: &SeedContext<'_>) -> u64 {
    let mut h = mix64(u64::from(ctx.graph.node_count()) ^ 0x5eed);
    let adj = ctx.graph.follower_adjacency();
    for &o in &adj.offsets {
        h = mix64(h ^ o);
    }
    for &t in &adj.targets {
        h = mix64(h ^ u64::from(t));
    }
    if let Some(w) = &adj.weights {
        for &x in w {
            h = mix64(h ^ u64::from(x.to_bits()));
        }
    }
    let text = format!("{spec:?}|{:?}|{}", ctx.rule, ctx.seed);
    for b in text.bytes() {
        h = mix64(h ^ u64::from(b));
    }
    h
}

/// The selection of `spec` on `ctx`, computed by `compute` the first time and cached after.
/// `compute` must not use rayon: a worker waiting inside it could steal a replicate that
/// waits on the same entry (CELF uses scoped OS threads instead).
fn cached(
    spec: &SeedingSpec,
    ctx: &SeedContext<'_>,
    compute: impl FnOnce() -> Result<Vec<u32>, String>,
) -> Result<Vec<u32>, String> {
    let key = cache_key(spec, ctx);
    let entry = {
        let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
        match cache.iter().find(|(k, _)| *k == key) {
            Some((_, e)) => Arc::clone(e),
            None => {
                let e: Entry = Arc::new(OnceLock::new());
                cache.push((key, Arc::clone(&e)));
                e
            }
        }
    };
    entry.get_or_init(compute).clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::BuildOptions;
    use crate::model::cascade::{EdgeProbability, IndependentCascadeParams};

    fn star() -> FollowerGraph {
        // 0 is followed by everyone; 1 by 2 and 3.
        let edges = vec![(0, 1), (0, 2), (0, 3), (0, 4), (1, 2), (1, 3)];
        FollowerGraph::from_edges(5, edges, None, BuildOptions::default())
    }

    fn ic(p: f64) -> RuleSpec {
        RuleSpec::IndependentCascade(IndependentCascadeParams {
            probability: EdgeProbability::Constant(p),
        })
    }

    fn pick(method: SeedMethod, graph: &FollowerGraph, rule: &RuleSpec, key: u64) -> Vec<u32> {
        let ctx = SeedContext {
            graph,
            rule,
            seed: 3,
            key,
        };
        select_seeds(&SeedingSpec { method }, &ctx).unwrap()
    }

    #[test]
    fn top_followers_picks_the_hubs() {
        let m = SeedMethod::TopFollowers { k: 2 };
        assert_eq!(pick(m, &star(), &ic(0.1), 1), vec![0, 1]);
    }

    #[test]
    fn random_seeds_are_distinct_and_keyed() {
        let all = pick(SeedMethod::Random { k: 5 }, &star(), &ic(0.1), 7);
        assert_eq!(all, vec![0, 1, 2, 3, 4]);
        let two = |key| pick(SeedMethod::Random { k: 2 }, &star(), &ic(0.1), key);
        assert_eq!(two(9), two(9));
        assert_eq!(two(9).len(), 2);
    }

    /// Two hubs with the same followers (0 and 1, followers 3..=8; 1 also follows 0) and a
    /// smaller one with its own (2, followers 9..=13): every method but top followers picks 0
    /// and 2.
    fn overlapping_hubs() -> FollowerGraph {
        let mut edges: Vec<(u32, u32)> = (3..9).flat_map(|f| [(0, f), (1, f)]).collect();
        edges.extend((9..14).map(|f| (2, f)));
        edges.push((0, 1));
        FollowerGraph::from_edges(14, edges, None, BuildOptions::default())
    }

    #[test]
    fn each_method_picks_the_expected_seeds() {
        let g = overlapping_hubs();
        let rule = ic(1.0);
        // Follower counts: 0: 7, 1: 6, 2: 5.
        assert_eq!(
            pick(SeedMethod::TopFollowers { k: 2 }, &g, &rule, 0),
            vec![0, 1]
        );
        // 1 follows 0: once 0 is a seed, dd_1 = 6 - 0 - 1 - 6p = 4.4 < 5 = dd_2.
        let dd = SeedMethod::DegreeDiscount { k: 2, p: 0.1 };
        assert_eq!(pick(dd, &g, &rule, 0), vec![0, 2]);
        // With p = 1, 0 reaches 8 agents, then 2 adds 6 and 1 adds nothing.
        let celf = SeedMethod::Celf { k: 2, samples: 4 };
        assert_eq!(pick(celf, &g, &rule, 0), vec![0, 2]);
        // PageRank (b the base rank): 9..=13 follow only 2, so PR(2) = b + 5db; 3..=8 split
        // their rank between 0 and 1, so PR(1) = b + 3db, and 0 also gets 1's: 0, then 2.
        let pr = SeedMethod::Pagerank {
            k: 2,
            damping: 0.85,
        };
        assert_eq!(pick(pr, &g, &rule, 0), vec![0, 2]);
    }

    #[test]
    fn celf_needs_a_cascade_rule_and_is_cached() {
        let g = overlapping_hubs();
        let spec = SeedingSpec {
            method: SeedMethod::Celf { k: 1, samples: 2 },
        };
        let sop = RuleSpec::Sop(crate::model::SopParams {
            quality: 0.5,
            tie: Default::default(),
            noise: 0.0,
        });
        let ctx = SeedContext {
            graph: &g,
            rule: &sop,
            seed: 1,
            key: 1,
        };
        let err = select_seeds(&spec, &ctx).unwrap_err();
        assert!(err.contains("found rule \"sop\""), "{err}");
        let rule = ic(0.5);
        let ctx = SeedContext { rule: &rule, ..ctx };
        let first = select_seeds(&spec, &ctx).unwrap();
        assert_eq!(
            select_seeds(&spec, &SeedContext { key: 99, ..ctx }).unwrap(),
            first
        );
    }

    #[test]
    fn bad_parameters_are_named() {
        let bad = [
            (SeedMethod::Pagerank { k: 1, damping: 1.0 }, "damping"),
            (SeedMethod::DegreeDiscount { k: 1, p: -0.1 }, "p"),
            (SeedMethod::Celf { k: 1, samples: 0 }, "samples"),
        ];
        for (method, key) in bad {
            let problems = SeedingSpec { method }.problems();
            assert_eq!(problems.len(), 1);
            assert_eq!(problems[0].key, key);
        }
    }
}
