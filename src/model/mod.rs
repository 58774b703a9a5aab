//! Agents and decision rules: per-agent parameters (struct of arrays), actions, attribute
//! distributions, and one file per rule.
//!
//! A rule is selected once per run ([`RuleSpec`]); the engine dispatches on it once per step,
//! never per agent.

pub mod action;
pub mod dist;
pub mod population;
pub mod sop;

use serde::{Deserialize, Serialize};

pub use action::Action;
pub use dist::{Dist, NamedDist};
pub use population::{Agents, ClassKind, ClassSpec};
pub use sop::TieRule;

/// The decision rule and its parameters, as written in a scenario's `[model]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleSpec {
    /// Miller and Page's Standing Ovation rule (see [`sop`]).
    Sop {
        /// Quality `q` of the performance: signals are `s_i = q + e_i`.
        quality: f64,
        /// How exact ties are settled.
        #[serde(default)]
        tie: TieRule,
        /// Probability in `[0, 1]` that an agent flips its action after revising.
        #[serde(default)]
        noise: f64,
    },
}

impl RuleSpec {
    /// The rule's name as written in scenarios.
    pub fn name(&self) -> &'static str {
        match self {
            RuleSpec::Sop { .. } => "sop",
        }
    }

    /// The signal quality `q` the population is sampled with.
    pub fn quality(&self) -> f64 {
        match self {
            RuleSpec::Sop { quality, .. } => *quality,
        }
    }
}
