//! Bass (1969) diffusion on a follower graph.
//!
//! (Parameters only; the dynamics live in `crate::engine::rules::bass`.)
//!
//! F. M. Bass, "A new product growth for model consumer durables", Management Science 15(5),
//! 215-227 (1969). The hazard of adoption at time `t` is `p + q F(t)` (his eq. 1): `p` is the
//! coefficient of innovation (external influence: advertising, the brand's broadcasts), `q`
//! the coefficient of imitation (word of mouth). On a follower graph, `F` is read locally:
//! each step, synchronously, a non-adopter `i` adopts with probability
//! `min(1, p + q a_i / k_i)`, where `k_i` is the (weighted) number of its sources and `a_i`
//! how many of them had adopted at the start of the step (an agent without sources feels only
//! `p`). Adopters stay adopters (`stand`); non-adopters `sit`. See `docs/models/bass.md`.

use serde::{Deserialize, Serialize};

use crate::model::Problem;

/// Parameters of `rule = "bass"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BassParams {
    /// Coefficient of innovation `p >= 0` (per step).
    pub p: f64,
    /// Coefficient of imitation `q >= 0` (per step).
    pub q: f64,
}

impl BassParams {
    /// What is wrong with these parameters (empty when they are valid).
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        for (key, v, what) in [
            ("p", self.p, "coefficient of innovation"),
            ("q", self.q, "coefficient of imitation"),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                out.push(Problem::new(
                    key,
                    format!("expected a {what} >= 0 (finite), found {v}"),
                ));
            }
        }
        out
    }

    /// The adoption probability of a non-adopter that sees `share` of its sources adopted.
    #[inline]
    pub fn probability(&self, share: f64) -> f64 {
        (self.p + self.q * share).min(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        let ok = BassParams { p: 0.01, q: 0.4 };
        assert!(ok.problems().is_empty());
        let bad = BassParams {
            p: -0.1,
            q: f64::NAN,
        };
        let probs = bad.problems();
        assert_eq!(probs.len(), 2);
        assert_eq!(probs[0].key, "p");
        assert_eq!(
            probs[0].message,
            "expected a coefficient of innovation >= 0 (finite), found -0.1"
        );
        assert_eq!(probs[1].key, "q");
    }

    #[test]
    fn probability_is_capped() {
        let b = BassParams { p: 0.5, q: 1.0 };
        assert_eq!(b.probability(0.0), 0.5);
        assert_eq!(b.probability(1.0), 1.0);
    }
}
