//! Voter, majority and q-voter rules.
//!
//! (Parameters only; the dynamics live in `crate::engine::rules`.)

use serde::{Deserialize, Serialize};

use crate::model::Problem;

/// Parameters of the rule (stub: filled in by the rule's implementation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoterParams {}

impl VoterParams {
    /// What is wrong with these parameters (empty when they are valid).
    pub fn problems(&self) -> Vec<Problem> {
        Vec::new()
    }
}

/// Parameters of the rule (stub: filled in by the rule's implementation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MajorityParams {}

impl MajorityParams {
    /// What is wrong with these parameters (empty when they are valid).
    pub fn problems(&self) -> Vec<Problem> {
        Vec::new()
    }
}

/// Parameters of the rule (stub: filled in by the rule's implementation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QVoterParams {}

impl QVoterParams {
    /// What is wrong with these parameters (empty when they are valid).
    pub fn problems(&self) -> Vec<Problem> {
        Vec::new()
    }
}
