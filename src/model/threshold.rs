//! Granovetter (1978) and Watts (2002) threshold cascades: parameters.
//!
//! An agent is influenced by its **sources** (the accounts it follows). Every agent `i` has a
//! threshold; an inactive agent adopts (`sit` -> `stand`) at step `t + 1` when its active
//! sources at step `t` reach it, and stays active (the cascade is progressive):
//!
//! - **fractional** (Watts 2002, eq. 1; Granovetter 1978 in proportions): with `d_i > 0`
//!   sources of which `a_i` are active, `i` adopts when `a_i / d_i >= phi_i` (**at least**, the
//!   float64 test `(double)a / d >= phi`); an agent without sources never adopts unless seeded
//!   or an instigator (below). With `weighted = true` the shares are of edge weight:
//!   `sum of active w_ji / sum of w_ji`.
//! - **absolute** (Granovetter 1978, in numbers of people): `i` adopts when `a_i >= k_i` (with
//!   `weighted = true`, the active weight `sum of active w_ji >= k_i`).
//!
//! `strict = true` turns "at least" into "more than": `a_i / d_i > phi_i`, `a_i > k_i`.
//!
//! **Instigators** (Granovetter 1978): an agent whose threshold is met by nobody at all
//! (`phi_i <= 0` or `k_i <= 0`; under `strict`, `< 0`) adopts in the first step
//! unconditionally, even without sources. Distributions may put mass there (and, for `phi`,
//! above 1: agents who never adopt), e.g. Granovetter's normal distribution of thresholds,
//! `phi = { dist = "normal", mean = 0.25, sd = 0.1 }`; constants and lists keep to `[0, 1]`
//! (`phi`) and the non-negative whole numbers (`k`).
//!
//! Thresholds are a constant, a distribution drawn once per replicate with
//! [`crate::rng::Purpose::Threshold`] keyed by agent (step 1, so they never
//! coincide with the Standing Ovation thresholds drawn at step 0), or an explicit per-agent list
//! (Granovetter's riot: `k = [0, 1, 2, ..., 99]`). The step loop lives in
//! `crate::engine::rules::threshold`; see docs/models/threshold.md.

use serde::{Deserialize, Serialize};

use crate::model::{Dist, Problem};
use crate::rng::{Purpose, Stream};

/// Per-agent thresholds: a list with one value per agent, or a distribution (a bare number is
/// a constant).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Thresholds {
    /// One threshold per agent, in agent order (its length must be the graph's node count).
    List(Vec<f64>),
    /// Drawn per agent from a distribution (or the same constant for all).
    Dist(Dist),
}

/// Parameters of the `threshold` rule: exactly one of `phi` (fractional) or `k` (absolute).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdParams {
    /// Fractional thresholds in `[0, 1]` (Watts): adopt when the active share of sources is at
    /// least `phi_i`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phi: Option<Thresholds>,
    /// Absolute thresholds, non-negative (Granovetter): adopt when at least `k_i` sources are
    /// active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k: Option<Thresholds>,
    /// Weigh sources by the graph's edge weights (default false: every source counts 1).
    #[serde(default)]
    pub weighted: bool,
    /// Adopt only when the active share (or count) is **more than** the threshold (default
    /// false: at least the threshold, as Watts 2002 and Granovetter 1978).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub strict: bool,
}

/// Which kind of threshold a rule uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Share of sources (`phi`).
    Fractional,
    /// Number (or weight) of sources (`k`).
    Absolute,
}

impl ThresholdParams {
    /// Fractional thresholds `phi` for all agents, unweighted.
    pub fn fractional(phi: Thresholds) -> ThresholdParams {
        ThresholdParams {
            phi: Some(phi),
            k: None,
            weighted: false,
            strict: false,
        }
    }

    /// Absolute thresholds `k` for all agents, unweighted.
    pub fn absolute(k: Thresholds) -> ThresholdParams {
        ThresholdParams {
            phi: None,
            k: Some(k),
            weighted: false,
            strict: false,
        }
    }

    /// The kind and the thresholds (the parameters must have passed [`Self::problems`]).
    pub fn kind(&self) -> (Kind, &Thresholds) {
        match (&self.phi, &self.k) {
            (Some(p), _) => (Kind::Fractional, p),
            (None, Some(k)) => (Kind::Absolute, k),
            (None, None) => unreachable!("validated: phi or k is given"),
        }
    }

    /// What is wrong with these parameters (empty when they are valid).
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        match (&self.phi, &self.k) {
            (None, None) => out.push(Problem::new(
                "phi",
                "expected `phi` (fractional thresholds, Watts) or `k` (absolute thresholds, \
                 Granovetter), found neither",
            )),
            (Some(_), Some(_)) => out.push(Problem::new(
                "k",
                "expected either `phi` (fractional) or `k` (absolute), found both",
            )),
            (Some(phi), None) => check(phi, "phi", Kind::Fractional, &mut out),
            (None, Some(k)) => check(k, "k", Kind::Absolute, &mut out),
        }
        out
    }

    /// The thresholds of `n` agents under replicate key `key`, or why they cannot be had (a
    /// list whose length is not `n`). Fractional values are shares, absolute ones counts.
    pub fn thresholds(&self, n: u32, key: u64) -> Result<Vec<f64>, String> {
        self.thresholds_range(n, key, 0, n)
    }

    /// The thresholds of agents `lo..hi` of [`ThresholdParams::thresholds`]`(n, key)`, and only
    /// those (each draw is keyed by the agent's global id): what one process of a partitioned
    /// run samples.
    pub fn thresholds_range(&self, n: u32, key: u64, lo: u32, hi: u32) -> Result<Vec<f64>, String> {
        let (kind, t) = self.kind();
        let name = match kind {
            Kind::Fractional => "phi",
            Kind::Absolute => "k",
        };
        match t {
            Thresholds::List(v) if v.len() == n as usize => {
                Ok(v[lo as usize..hi as usize].to_vec())
            }
            Thresholds::List(v) => Err(format!(
                "model.{name}: expected one threshold per agent ({n} agents in the graph), \
                 found a list of {}",
                v.len()
            )),
            Thresholds::Dist(d) if d.is_constant() => Ok(vec![d.support().0; (hi - lo) as usize]),
            Thresholds::Dist(d) => Ok((lo..hi).map(|i| draw(d, key, i)).collect()),
        }
    }
}

/// Agent `agent`'s threshold drawn from `d` under replicate key `key`: the keyed stream
/// `(key, Purpose::Threshold, step 1, agent)`, so one agent's draw needs no other's (the
/// block kernel draws the thresholds of the agents it reaches, lane by lane).
pub fn draw(d: &Dist, key: u64, agent: u32) -> f64 {
    d.sample(&mut Stream::new(key, Purpose::Threshold, 1, agent))
}

fn check(t: &Thresholds, key: &str, kind: Kind, out: &mut Vec<Problem>) {
    let value_problem = |x: f64| -> Option<String> {
        match kind {
            Kind::Fractional if !(0.0..=1.0).contains(&x) => Some(format!(
                "expected a fractional threshold in [0, 1] (a share of sources; use `k` for a \
                 number of sources), found {x}"
            )),
            Kind::Absolute if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0) => Some(format!(
                "expected a non-negative whole number of sources (use `phi` for a share), \
                 found {x}"
            )),
            _ => None,
        }
    };
    match t {
        Thresholds::List(v) => {
            if v.is_empty() {
                out.push(Problem::new(
                    key,
                    "expected one threshold per agent, found an empty list",
                ));
            }
            if let Some((i, msg)) = v
                .iter()
                .enumerate()
                .find_map(|(i, &x)| value_problem(x).map(|m| (i, m)))
            {
                out.push(Problem::new(key, format!("agent {i}: {msg}")));
            }
        }
        Thresholds::Dist(d) => {
            if let Err(msg) = d.check() {
                out.push(Problem::new(key, msg));
                return;
            }
            if let Some(msg) = d
                .is_constant()
                .then(|| value_problem(d.support().0))
                .flatten()
            {
                out.push(Problem::new(key, msg));
            }
            // Any other distribution is fine: mass at or below 0 makes instigators, fractional
            // mass above 1 agents who never adopt (see the module doc).
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ThresholdParams {
        toml::from_str(text).expect("parses")
    }

    #[test]
    fn accepts_constants_distributions_and_lists() {
        assert!(parse("phi = 0.18").problems().is_empty());
        assert!(
            parse(r#"phi = { dist = "uniform", low = 0, high = 1 }"#)
                .problems()
                .is_empty()
        );
        assert!(parse("k = [0, 1, 2]").problems().is_empty());
        assert!(parse("k = 2\nweighted = true").problems().is_empty());
    }

    #[test]
    fn rejects_bad_values_with_precise_messages() {
        let p = parse("phi = 1.5").problems();
        assert_eq!(p[0].key, "phi");
        assert!(p[0].message.contains("in [0, 1]") && p[0].message.contains("found 1.5"));
        let p = parse("k = [0, 1, 2.5]").problems();
        assert_eq!(p[0].key, "k");
        assert!(p[0].message.starts_with("agent 2: ") && p[0].message.contains("found 2.5"));
        // Granovetter's normal thresholds: mass below 0 (instigators) is allowed.
        let p = parse(r#"phi = { dist = "normal", mean = 0.2, sd = 0.1 }"#).problems();
        assert!(p.is_empty(), "{p:?}");
        assert!(parse("k = 2\nstrict = true").problems().is_empty());
        assert_eq!(parse("weighted = true").problems()[0].key, "phi");
        assert_eq!(parse("phi = 0.1\nk = 1").problems()[0].key, "k");
        assert!(toml::from_str::<ThresholdParams>("phi = 0.1\ntheta = 2").is_err());
    }

    #[test]
    fn list_length_is_checked_at_run_time() {
        let p = parse("k = [0, 1]");
        let e = p.thresholds(3, 1).unwrap_err();
        assert!(e.contains("3 agents") && e.contains("list of 2"), "{e}");
    }
}
