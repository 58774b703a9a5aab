//! SIR, SIS and the Maki-Thompson rumour model.
//!
//! (Parameters only; the dynamics live in `crate::engine::rules`.)

use serde::{Deserialize, Serialize};

use crate::model::Problem;

/// Parameters of the rule (stub: filled in by the rule's implementation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SirParams {}

impl SirParams {
    /// What is wrong with these parameters (empty when they are valid).
    pub fn problems(&self) -> Vec<Problem> {
        Vec::new()
    }
}

/// Parameters of the rule (stub: filled in by the rule's implementation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SisParams {}

impl SisParams {
    /// What is wrong with these parameters (empty when they are valid).
    pub fn problems(&self) -> Vec<Problem> {
        Vec::new()
    }
}

/// Parameters of the rule (stub: filled in by the rule's implementation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MakiThompsonParams {}

impl MakiThompsonParams {
    /// What is wrong with these parameters (empty when they are valid).
    pub fn problems(&self) -> Vec<Problem> {
        Vec::new()
    }
}
