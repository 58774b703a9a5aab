//! Kempe, Kleinberg and Tardos (2003): independent cascade and linear threshold.
//!
//! (Parameters only; the dynamics live in `crate::engine::rules`.)

use serde::{Deserialize, Serialize};

use crate::model::Problem;

/// Parameters of the rule (stub: filled in by the rule's implementation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndependentCascadeParams {}

impl IndependentCascadeParams {
    /// What is wrong with these parameters (empty when they are valid).
    pub fn problems(&self) -> Vec<Problem> {
        Vec::new()
    }
}

/// Parameters of the rule (stub: filled in by the rule's implementation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinearThresholdParams {}

impl LinearThresholdParams {
    /// What is wrong with these parameters (empty when they are valid).
    pub fn problems(&self) -> Vec<Problem> {
        Vec::new()
    }
}
