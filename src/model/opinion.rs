//! Bounded confidence: Deffuant et al. (2000) and Hegselmann-Krause (2002).
//!
//! (Parameters only; the dynamics live in `crate::engine::rules`.)

use serde::{Deserialize, Serialize};

use crate::model::Problem;

/// Parameters of the rule (stub: filled in by the rule's implementation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeffuantParams {}

impl DeffuantParams {
    /// What is wrong with these parameters (empty when they are valid).
    pub fn problems(&self) -> Vec<Problem> {
        Vec::new()
    }
}

/// Parameters of the rule (stub: filled in by the rule's implementation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HegselmannKrauseParams {}

impl HegselmannKrauseParams {
    /// What is wrong with these parameters (empty when they are valid).
    pub fn problems(&self) -> Vec<Problem> {
        Vec::new()
    }
}
