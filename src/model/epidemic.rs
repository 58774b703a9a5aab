//! Parameters of the contagion rules: discrete-time SIR and SIS, and the Maki-Thompson rumour
//! model.
//!
//! Influence flows from sources to followers: an infected agent (a spreader) reaches the
//! agents that follow it, never those it follows. States map to actions as `sit` =
//! susceptible / ignorant, `stand` = infected / spreader, `boo` = recovered / stifler. The
//! dynamics live in `crate::engine::rules::epidemic`; `docs/models/epidemic.md` documents every
//! parameter.

use serde::{Deserialize, Serialize};

use crate::model::Problem;
use crate::model::voter::Update;

fn probability(key: &str, p: f64, out: &mut Vec<Problem>) {
    if !(0.0..=1.0).contains(&p) {
        out.push(Problem::new(
            key,
            format!("expected a probability in [0, 1], found {p}"),
        ));
    }
}

/// `rule = "sir"`: discrete-time, synchronous susceptible-infected-recovered contagion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SirParams {
    /// Per step, the probability in `[0, 1]` that an infected agent infects one susceptible
    /// follower (required).
    pub beta: f64,
    /// Per step, the probability in `[0, 1]` that an infected agent recovers (after its
    /// infection trials). Exactly one of `gamma` and `infectious_steps` is required.
    #[serde(default)]
    pub gamma: Option<f64>,
    /// Instead of `gamma`: an agent stays infected for exactly this many steps (>= 1).
    #[serde(default)]
    pub infectious_steps: Option<u32>,
}

impl SirParams {
    /// What is wrong with these parameters (empty when they are valid).
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        probability("beta", self.beta, &mut out);
        match (self.gamma, self.infectious_steps) {
            (Some(g), None) => probability("gamma", g, &mut out),
            (None, Some(0)) => out.push(Problem::new(
                "infectious_steps",
                "expected an integer >= 1, found 0",
            )),
            (None, Some(_)) => {}
            (None, None) => out.push(Problem::new(
                "gamma",
                "expected a recovery probability in [0, 1] (or `infectious_steps`, a fixed \
                 infectious period), found neither",
            )),
            (Some(_), Some(_)) => out.push(Problem::new(
                "infectious_steps",
                "expected either `gamma` or `infectious_steps`, found both",
            )),
        }
        out
    }
}

/// `rule = "sis"`: discrete-time, synchronous susceptible-infected-susceptible contagion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SisParams {
    /// Per step, the probability in `[0, 1]` that an infected agent infects one susceptible
    /// follower (required).
    pub beta: f64,
    /// Per step, the probability in `[0, 1]` that an infected agent becomes susceptible again
    /// (required).
    pub gamma: f64,
}

impl SisParams {
    /// What is wrong with these parameters (empty when they are valid).
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        probability("beta", self.beta, &mut out);
        probability("gamma", self.gamma, &mut out);
        out
    }
}

/// `rule = "maki_thompson"`: the Maki and Thompson (1973) rumour model: ignorants, spreaders,
/// stiflers; a spreader tells one random follower per contact and stops spreading when it
/// meets someone who already knows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MakiThompsonParams {
    /// Asynchronous single contacts (default, as the paper) or every spreader at once.
    #[serde(default)]
    pub update: Update,
}

impl MakiThompsonParams {
    /// What is wrong with these parameters (empty when they are valid): nothing can be.
    pub fn problems(&self) -> Vec<Problem> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sir_needs_exactly_one_recovery_law() {
        let p: SirParams = toml::from_str("beta = 1.5").expect("typed");
        let keys: Vec<String> = p.problems().into_iter().map(|p| p.key).collect();
        assert_eq!(keys, ["beta", "gamma"]);
        let p: SirParams =
            toml::from_str("beta = 0.5\ngamma = 0.2\ninfectious_steps = 3").expect("typed");
        assert_eq!(p.problems()[0].key, "infectious_steps");
        let p: SirParams = toml::from_str("beta = 0.5\ninfectious_steps = 3").expect("typed");
        assert!(p.problems().is_empty());
        let p: SisParams = toml::from_str("beta = 0.5\ngamma = -0.1").expect("typed");
        assert_eq!(p.problems()[0].key, "gamma");
    }
}
