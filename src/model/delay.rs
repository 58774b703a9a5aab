//! Delays in steps: a fixed number of steps, or an empirical distribution (a histogram of
//! observed delays, already converted to steps by the scenario's `[time]` table).
//!
//! A scenario writes a delay as an integer (steps), a duration (`"20min"`, with `[time]`) or
//! `{ empirical = "file", brand = "name" }` (with `[time]`); `crate::scenario` converts the
//! last two once, at validation, into the forms below. An empirical delay is sampled by
//! inverse transform on the bin counts (first uniform) and uniformly inside the bin (second
//! uniform), so a draw is a monotone function of both uniforms: the same keyed uniforms give
//! the same or a longer delay under a histogram that is shifted to longer delays.

use serde::{Deserialize, Serialize};

/// A delay as the engine uses it, in steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Delay {
    /// A fixed number of steps (`>= 0`; the scenario check rejects negatives).
    Steps(i64),
    /// An empirical distribution of delays (see [`EmpiricalDelay`]).
    Empirical(EmpiricalDelay),
}

impl Default for Delay {
    fn default() -> Self {
        Delay::Steps(0)
    }
}

/// A histogram of observed delays in steps: bins `(lo, hi]` with counts, in ascending order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmpiricalDelay {
    /// Where the histogram came from (file and row label), for the manifest.
    pub source: String,
    /// `[lo, hi, count]` per bin, `lo < hi` in steps (finite), `count >= 0`.
    pub bins: Vec<[f64; 3]>,
}

impl EmpiricalDelay {
    /// The delay in whole steps for the uniforms `u_bin` and `u_within` in `[0, 1)`: the bin by
    /// inverse transform on the counts, then `lo + u_within (hi - lo)`, rounded to the nearest
    /// step. Monotone non-decreasing in both uniforms.
    pub fn sample(&self, u_bin: f64, u_within: f64) -> u32 {
        let total: f64 = self.bins.iter().map(|b| b[2]).sum();
        if total <= 0.0 || self.bins.is_empty() {
            return 0;
        }
        let target = u_bin * total;
        let mut acc = 0.0;
        let mut chosen = self.bins[self.bins.len() - 1];
        for b in &self.bins {
            acc += b[2];
            if target < acc {
                chosen = *b;
                break;
            }
        }
        let steps = chosen[0] + u_within * (chosen[1] - chosen[0]);
        steps.round().clamp(0.0, f64::from(u32::MAX)) as u32
    }

    /// The median delay in steps (the bin's linear interpolation), for reports.
    pub fn median(&self) -> f64 {
        let total: f64 = self.bins.iter().map(|b| b[2]).sum();
        let mut acc = 0.0;
        for b in &self.bins {
            if b[2] > 0.0 && acc + b[2] >= total / 2.0 {
                return b[0] + (total / 2.0 - acc) / b[2] * (b[1] - b[0]);
            }
            acc += b[2];
        }
        0.0
    }
}

impl Delay {
    /// The delay for the uniforms `u_bin`, `u_within` (a fixed delay ignores them).
    pub fn sample(&self, u_bin: f64, u_within: f64) -> u32 {
        match self {
            Delay::Steps(s) => (*s).clamp(0, i64::from(u32::MAX)) as u32,
            Delay::Empirical(e) => e.sample(u_bin, u_within),
        }
    }

    /// Whether the delay is a fixed number of steps `< 0` (invalid).
    pub fn is_negative(&self) -> bool {
        matches!(self, Delay::Steps(s) if *s < 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hist() -> EmpiricalDelay {
        EmpiricalDelay {
            source: "test".into(),
            bins: vec![[0.0, 2.0, 1.0], [2.0, 10.0, 3.0]],
        }
    }

    #[test]
    fn sampling_follows_the_counts_and_is_monotone() {
        let h = hist();
        // A quarter of the mass is in the first bin.
        assert_eq!(h.sample(0.0, 0.0), 0);
        assert_eq!(h.sample(0.2, 0.5), 1);
        assert_eq!(h.sample(0.25, 0.0), 2);
        assert_eq!(h.sample(0.99, 0.99), 10);
        let mut last = 0;
        for k in 0..100 {
            let u = f64::from(k) / 100.0;
            let d = h.sample(u, u);
            assert!(d >= last, "not monotone at {u}");
            last = d;
        }
        // Median: 2 of 4 counts; 1 in bin one, the second halfway... 1/3 into bin two.
        assert!((h.median() - (2.0 + 8.0 / 3.0)).abs() < 1e-12);
    }

    #[test]
    fn fixed_delays_ignore_the_uniforms() {
        assert_eq!(Delay::Steps(4).sample(0.9, 0.1), 4);
        assert!(Delay::Steps(-1).is_negative());
    }
}
