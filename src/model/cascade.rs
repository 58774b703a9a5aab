//! Kempe, Kleinberg and Tardos (2003): independent cascade and linear threshold, parameters.
//!
//! An agent is influenced by its **sources** (the accounts it follows); an edge `u -> v` means
//! v follows u, so influence flows from `u` to its follower `v`. Both rules are progressive: an
//! active agent (`stand`) stays active; seeds are the agents active at step 0 (`[seeding]`, or
//! a class with `initial = "stand"`).
//!
//! - **Independent cascade** (Kempe et al. 2003, section 2; Goldenberg, Libai and Muller 2001):
//!   an agent `u` that became active at step `t` gets one chance, at step `t + 1`, to activate
//!   each inactive follower `v`, succeeding with probability `p_uv` independently of
//!   everything else. `p_uv` is a constant, `1 / d_in(v)` (the "weighted cascade" of Kempe et
//!   al., section 4, with `d_in(v)` the number of accounts `v` follows), or the graph's edge
//!   weight.
//! - **Linear threshold** (Kempe et al. 2003, section 2): each agent `v` weighs its sources
//!   with `b_uv >= 0`, `sum_u b_uv <= 1`, and draws a threshold `theta_v` uniform in `[0, 1]`
//!   once per replicate; an inactive `v` becomes active at step `t + 1` when
//!   `sum_{u active at t} b_uv >= theta_v`. `b_uv = 1 / d_in(v)` by default, or the graph's
//!   edge weights **as given** (never rescaled: weights summing to less than 1 leave `v` a
//!   chance of staying inactive with all its sources active, as Kempe et al. allow; weights
//!   summing to more than 1 are refused).
//!
//! The step loops live in `crate::engine::rules::cascade`; see docs/models/cascade.md.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::Problem;

/// The per-edge activation probability `p_uv` of the independent cascade, as written in
/// `probability = ...`: a number, `"inverse_in_degree"` or `"edge_weights"`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EdgeProbability {
    /// The same probability on every edge, in `[0, 1]`.
    Constant(f64),
    /// `1 / d_in(v)`: the follower `v` is reached with total probability about 1 when all its
    /// sources are active (Kempe et al.'s weighted cascade).
    InverseInDegree,
    /// The graph's edge weight `w_uv`, which must lie in `[0, 1]`.
    EdgeWeights,
}

/// The names `probability` accepts besides a number.
const PROBABILITY_NAMES: &str =
    "a probability in [0, 1], \"inverse_in_degree\" or \"edge_weights\"";

impl Serialize for EdgeProbability {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            EdgeProbability::Constant(p) => s.serialize_f64(*p),
            EdgeProbability::InverseInDegree => s.serialize_str("inverse_in_degree"),
            EdgeProbability::EdgeWeights => s.serialize_str("edge_weights"),
        }
    }
}

impl<'de> Deserialize<'de> for EdgeProbability {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = EdgeProbability;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(PROBABILITY_NAMES)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(EdgeProbability::Constant(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(EdgeProbability::Constant(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(EdgeProbability::Constant(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                match v {
                    "inverse_in_degree" => Ok(EdgeProbability::InverseInDegree),
                    "edge_weights" => Ok(EdgeProbability::EdgeWeights),
                    _ => Err(E::custom(format!(
                        "expected {PROBABILITY_NAMES}, found \"{v}\""
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

fn default_probability() -> EdgeProbability {
    EdgeProbability::Constant(0.1)
}

/// Parameters of the `independent_cascade` rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndependentCascadeParams {
    /// The per-edge activation probability (default 0.1).
    #[serde(default = "default_probability")]
    pub probability: EdgeProbability,
}

impl Default for IndependentCascadeParams {
    fn default() -> Self {
        IndependentCascadeParams {
            probability: default_probability(),
        }
    }
}

impl IndependentCascadeParams {
    /// What is wrong with these parameters (empty when they are valid).
    pub fn problems(&self) -> Vec<Problem> {
        match self.probability {
            EdgeProbability::Constant(p) if !(0.0..=1.0).contains(&p) => vec![Problem::new(
                "probability",
                format!("expected {PROBABILITY_NAMES}, found {p}"),
            )],
            _ => Vec::new(),
        }
    }
}

/// How the linear threshold rule weighs an agent's sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LtWeights {
    /// Every source weighs `1 / d_in(v)`.
    #[default]
    Uniform,
    /// The graph's edge weights as given: non-negative, summing to at most 1 over each agent's
    /// sources (Kempe et al. 2003); never rescaled.
    EdgeWeights,
}

/// Parameters of the `linear_threshold` rule.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinearThresholdParams {
    /// How sources are weighed (`"uniform"`, the default, or `"edge_weights"`).
    #[serde(default)]
    pub weights: LtWeights,
}

impl LinearThresholdParams {
    /// What is wrong with these parameters (empty when they are valid: every combination is).
    pub fn problems(&self) -> Vec<Problem> {
        Vec::new()
    }
}

/// How far above 1 an agent's linear threshold weights may sum before they are refused: the
/// rounding of weights stored as `f32` (ten weights written `0.1` sum to `1.0000000149`).
const LT_SUM_SLACK: f64 = 1e-6;

impl IndependentCascadeParams {
    /// Checks what the rule needs from the graph, once it is loaded: with
    /// `probability = "edge_weights"`, edge weights in `[0, 1]`. `Err` holds one line naming
    /// the key and the offending edge.
    pub fn check_graph(&self, graph: &crate::graph::FollowerGraph) -> Result<(), String> {
        match self.probability {
            EdgeProbability::EdgeWeights => {
                check_weights("probability = \"edge_weights\"", Some(1.0), graph)
            }
            _ => Ok(()),
        }
    }
}

impl LinearThresholdParams {
    /// Checks what the rule needs from the graph, once it is loaded: with
    /// `weights = "edge_weights"`, edge weights that are non-negative and sum to at most 1 over
    /// each agent's sources. `Err` holds one line naming the key and the offending edge or agent.
    pub fn check_graph(&self, graph: &crate::graph::FollowerGraph) -> Result<(), String> {
        match self.weights {
            LtWeights::EdgeWeights => check_weights("weights = \"edge_weights\"", None, graph),
            _ => Ok(()),
        }
    }
}

/// Checks the edge weights a rule reads as `key`: in `[0, high]` when `low_high` is
/// `Some(high)`, else finite, non-negative and summing to at most 1 over each agent's sources.
fn check_weights(
    key: &str,
    low_high: Option<f64>,
    graph: &crate::graph::FollowerGraph,
) -> Result<(), String> {
    let adj = graph.follower_adjacency();
    let Some(weights) = adj.weights.as_ref() else {
        return Err(format!(
            "model.{key} needs a weighted graph (import a weight column with `weighted = true`), \
             but the graph has no edge weights"
        ));
    };
    for u in 0..graph.node_count() {
        let (a, b) = adj.range(u);
        for (e, &w) in weights.iter().enumerate().take(b).skip(a) {
            let w = f64::from(w);
            let bad = !w.is_finite() || w < 0.0 || low_high.is_some_and(|h| w > h);
            if bad {
                let range = if low_high.is_some() {
                    "in [0, 1]"
                } else {
                    "finite and >= 0"
                };
                return Err(format!(
                    "model.{key}: expected every edge weight {range}, found {w} on edge {u} -> {}",
                    adj.targets[e]
                ));
            }
        }
    }
    if low_high.is_none() {
        let src = graph.source_adjacency();
        let ws = src
            .weights
            .as_ref()
            .expect("both directions carry the weights");
        for v in 0..graph.node_count() {
            let (a, b) = src.range(v);
            let sum: f64 = ws[a..b].iter().map(|&w| f64::from(w)).sum();
            if sum > 1.0 + LT_SUM_SLACK {
                return Err(format!(
                    "model.{key}: expected the weights of each agent's sources to sum to at most 1 \
                     (Kempe, Kleinberg and Tardos 2003; they are used as given, never rescaled), \
                     found {sum} for agent {} ({} sources)",
                    graph.label(v),
                    b - a
                ));
            }
        }
    }
    Ok(())
}
