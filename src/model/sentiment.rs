//! The `sentiment` rule's parameters: felt sentiment anchored to experience (Friedkin and
//! Johnsen 1990), read from what an agent sees, expressed as praise, silence or complaint.
//!
//! (Parameters only; the dynamics are in `crate::engine::rules::sentiment`, the equations in
//! `docs/models/sentiment.md`.)
//!
//! Agent `i` has a felt sentiment `x_i(t)` in `[-1, 1]` and an anchor `a_i(t)`: its own
//! experience `clamp(s_i, -1, 1)` (the private signal `s_i = q + e_i`) once it has had it
//! (from its experience time `tau_i` on), 0 before. When it reads its feed (probability
//! `attention` per step) it moves toward the Friedkin-Johnsen target
//! `(1 - lambda_i) a_i + lambda_i m_i` by the share `rho = 1 - 2^(-1 / half_life)`, where
//! `m_i` is the net voice of its sources (`(P - B) / K`, praise minus complaints over all `K`
//! sources, a silent one counting as neutral; its own anchor when it follows nobody) and `lambda_i` its
//! susceptibility (its class's `conformity`). It praises (`stand`) when `x_i > T_i`, complains
//! (`boo`) when `x_i < C_i`, else stays silent (`sit`).
//!
//! N. E. Friedkin and E. C. Johnsen, "Social influence and opinions", J. Mathematical Sociology
//! 15(3-4), 193-206 (1990).

use serde::{Deserialize, Serialize};

use crate::model::Problem;

/// Parameters of `rule = "sentiment"` (durations already converted to steps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentimentParams {
    /// Mean experience `q`: signals are `s_i = q + e_i`, anchors `clamp(s_i, -1, 1)`.
    pub quality: f64,
    /// Steps for the gap between felt sentiment and its target to halve, `>= 0` (0: at once).
    /// A duration with `[time]`. Default 1 step.
    #[serde(default = "one_step")]
    pub half_life: i64,
    /// Probability per step that an agent reads its feed and revises, in `(0, 1]`. Default 1.
    #[serde(default = "one")]
    pub attention: f64,
    /// Half-life of the experience times, in steps, `>= 0`: agent `i` has its experience at
    /// `tau_i`, geometric with `P(tau_i <= t) = 1 - 2^(-t / arrival)`; 0: everyone at step 0.
    /// Agents whose class sets `initial` have it at step 0. A duration with `[time]`.
    #[serde(default)]
    pub arrival: i64,
    /// The brand (the scenario's `[webcare]` table, attached at validation; not a `[model]`
    /// key).
    #[serde(skip)]
    pub webcare: Option<crate::model::webcare::WebcareSpec>,
}

fn one_step() -> i64 {
    1
}
fn one() -> f64 {
    1.0
}

impl SentimentParams {
    /// What is wrong with the parameters (empty when valid).
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        if !self.quality.is_finite() {
            out.push(Problem::new(
                "quality",
                format!("expected a finite number, found {}", self.quality),
            ));
        }
        if !(self.attention > 0.0 && self.attention <= 1.0) {
            out.push(Problem::new(
                "attention",
                format!(
                    "expected a probability in (0, 1] (chance per step to read the feed), found {}",
                    self.attention
                ),
            ));
        }
        for (key, v) in [("half_life", self.half_life), ("arrival", self.arrival)] {
            if v < 0 {
                out.push(Problem::new(
                    key,
                    format!(
                        "expected a duration >= 0 (steps, or a duration with [time]), found {v}"
                    ),
                ));
            }
        }
        out
    }

    /// The share of the gap to the target closed per revision, `1 - 2^(-1 / half_life)`.
    pub fn rate(&self) -> f64 {
        if self.half_life <= 0 {
            1.0
        } else {
            1.0 - 0.5f64.powf(1.0 / self.half_life as f64)
        }
    }

    /// The experience step of an agent with uniform `u` in `[0, 1)`: the smallest `t >= 0`
    /// with `1 - 2^(-t / arrival) > u` (monotone in `u`).
    pub fn experience_step(&self, u: f64) -> u32 {
        if self.arrival <= 0 {
            return 0;
        }
        // 2^(-t / h) < 1 - u  <=>  t > -h log2(1 - u).
        let t = -(self.arrival as f64) * (1.0 - u).log2();
        (t.floor() + 1.0).clamp(0.0, f64::from(u32::MAX)) as u32
    }
}

/// The net voice an agent sees: praise minus complaints over all the sources it follows
/// (`total`, visibility-weighted), a silent source counting as neutral (0), as in
/// Friedkin and Johnsen's weighted average over every neighbour (`W_ij = 1 / k_i`); `own` when
/// it follows nobody. In `[-1, 1]`; non-decreasing in praise, non-increasing in complaints, so
/// one advocate among fifty silent sources moves an agent by a fiftieth, not all the way.
#[inline]
pub fn net_voice(praise: f64, complaints: f64, total: f64, own: f64) -> f64 {
    if total <= 0.0 {
        own
    } else {
        ((praise - complaints) / total).clamp(-1.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> SentimentParams {
        SentimentParams {
            quality: 0.0,
            half_life: 2,
            attention: 1.0,
            arrival: 0,
            webcare: None,
        }
    }

    #[test]
    fn rate_halves_the_gap_per_half_life() {
        let p = params();
        let r = p.rate();
        // Two revisions at rate r leave (1 - r)^2 = 1/2 of the gap.
        assert!(((1.0 - r) * (1.0 - r) - 0.5).abs() < 1e-12);
        let p0 = SentimentParams { half_life: 0, ..p };
        assert_eq!(p0.rate(), 1.0);
    }

    #[test]
    fn experience_steps_follow_the_half_life() {
        let p = SentimentParams {
            arrival: 10,
            ..params()
        };
        // Half the agents have had their experience by step 10: u < 0.5 gives t <= 10.
        assert_eq!(p.experience_step(0.0), 1);
        assert!(p.experience_step(0.4999) <= 10);
        assert!(p.experience_step(0.5001) > 10);
        assert_eq!(params().experience_step(0.9), 0);
    }

    #[test]
    fn net_voice_is_monotone_and_bounded() {
        assert_eq!(net_voice(0.0, 0.0, 0.0, -0.3), -0.3);
        assert_eq!(net_voice(2.0, 0.0, 2.0, -0.3), 1.0);
        assert_eq!(net_voice(1.0, 3.0, 8.0, 0.9), -0.25);
        // One advocate among fifty sources: a fiftieth.
        assert_eq!(net_voice(1.0, 0.0, 50.0, 0.0), 0.02);
        assert_eq!(net_voice(0.0, 0.0, 50.0, 0.7), 0.0);
        assert!(net_voice(2.0, 1.0, 5.0, 0.0) > net_voice(1.0, 1.0, 5.0, 0.0));
        assert!(net_voice(1.0, 2.0, 5.0, 0.0) < net_voice(1.0, 1.0, 5.0, 0.0));
    }

    #[test]
    fn bad_values_are_named() {
        let bad = SentimentParams {
            quality: f64::NAN,
            half_life: -1,
            attention: 0.0,
            arrival: -2,
            webcare: None,
        };
        let keys: Vec<String> = bad.problems().into_iter().map(|p| p.key).collect();
        assert_eq!(keys, ["quality", "attention", "half_life", "arrival"]);
    }
}
