//! Agents and decision rules: per-agent parameters (struct of arrays), actions, attribute
//! distributions, and one file per rule.
//!
//! A rule is selected once per run (`crate::engine::RuleSpec`, the registry of the rule
//! contract); the engine dispatches on it once per run, never per agent.

pub mod action;
pub mod bass;
pub mod brand;
pub mod cascade;
pub mod delay;
pub mod dist;
pub mod epidemic;
pub mod opinion;
pub mod population;
pub mod sentiment;
pub mod sop;
pub mod threshold;
pub mod voter;
pub mod webcare;

pub use action::Action;
pub use dist::{Dist, NamedDist};
pub use population::{Agents, ClassKind, ClassSpec};
pub use sop::{SopParams, TieRule};

/// One problem with a rule's parameters: the key under `[model]` (dotted for nested keys) and
/// what was expected, e.g. `("probability", "expected a probability in [0, 1], found 1.5")`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The key under `[model]`, e.g. `probability` or `edge_probability.value`.
    pub key: String,
    /// What was expected and what was found.
    pub message: String,
}

impl Problem {
    /// A problem with `key`.
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            key: key.into(),
            message: message.into(),
        }
    }
}
