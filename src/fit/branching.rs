//! A branching process with real-time delays, the generative model `fit` uses for cascade data
//! that come without a follower graph (Twitter15's retweet trees).
//!
//! Every participant (the root included) triggers a number of direct followers-on drawn from a
//! negative binomial with mean `r` and dispersion `k` (a Poisson whose rate is Gamma-distributed
//! with shape `k` and mean `r`: the heterogeneity of reach that heavy-tailed follower counts
//! cause; `k = 1` gives a geometric offspring law, `k -> inf` a Poisson one). Each follow-on
//! appears after its parent by a log-normal delay with median `delay_median` (minutes) and log
//! standard deviation `delay_sigma`. This is the discrete skeleton of the self-exciting
//! (Hawkes) models of retweet cascades (Zhao, Erdogdu, He, Rajaraman and Leskovec, "SEISMIC",
//! KDD 2015), with the offspring law of superspreading (Lloyd-Smith et al., Nature 438, 2005).
//!
//! Events are processed in time order (a heap), so a cascade cut at `max_size` keeps exactly
//! its first `max_size` events (a participant's follow-ons are capped at `max_size`). Draws come from `Stream(seed, Transition, 0, attempt)`.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::RngExt;
use rand_distr::{Gamma, LogNormal, Poisson};

use crate::rng::{Purpose, Stream};

/// Parameters of the branching process.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Branching {
    /// Mean offspring per participant.
    pub r: f64,
    /// Negative-binomial dispersion (smaller = more unequal reach).
    pub dispersion: f64,
    /// Median delay between a participant and its follow-ons (minutes).
    pub delay_median: f64,
    /// Log standard deviation of the delay.
    pub delay_sigma: f64,
}

/// The parameter keys of the process, as `[fit.parameters]` names them.
pub const KEYS: [&str; 4] = [
    "branching.r",
    "branching.dispersion",
    "branching.delay_median",
    "branching.delay_sigma",
];

#[derive(Debug, Clone, Copy, PartialEq)]
struct Time(f64);
impl Eq for Time {}
impl PartialOrd for Time {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Time {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl Branching {
    /// One cascade's event times (root at 0, ascending), cut at `max_size` events.
    pub fn cascade(&self, seed: u64, attempt: u32, max_size: u32) -> Vec<f64> {
        let mut s = Stream::new(seed, Purpose::Transition, 0, attempt);
        let gamma = Gamma::new(self.dispersion, self.r / self.dispersion).ok();
        let delay = LogNormal::new(self.delay_median.ln(), self.delay_sigma).ok();
        let mut heap = BinaryHeap::new();
        heap.push(Reverse(Time(0.0)));
        let mut times = Vec::new();
        while let Some(Reverse(Time(t))) = heap.pop() {
            times.push(t);
            if times.len() as u32 >= max_size {
                break;
            }
            let rate = match gamma {
                Some(g) => s.sample(g),
                None => self.r,
            };
            let children = if rate > 0.0 {
                Poisson::new(rate)
                    .map(|p| s.sample::<f64, _>(p))
                    .unwrap_or(0.0)
            } else {
                0.0
            };
            // A participant's follow-ons are capped at max_size (only that many events can be
            // kept; reached only by extreme Gamma draws).
            for _ in 0..(children as u64).min(u64::from(max_size)) {
                let d = match delay {
                    Some(l) => s.sample(l),
                    None => self.delay_median,
                };
                heap.push(Reverse(Time(t + d)));
            }
        }
        times
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Subcritical Poisson-like process (huge dispersion): the mean total size of a
    /// Galton-Watson tree is 1 / (1 - r). With r = 0.5 that is 2; over 20,000 cascades the
    /// standard error of the mean is about sqrt(Var)/141 with Var = r/(1-r)^3 = 4, so 0.014;
    /// we allow 0.06 (over 4 standard errors).
    #[test]
    fn mean_size_of_a_subcritical_tree() {
        let b = Branching {
            r: 0.5,
            dispersion: 1e6,
            delay_median: 10.0,
            delay_sigma: 1.0,
        };
        let n = 20_000;
        let total: usize = (0..n).map(|a| b.cascade(3, a, 100_000).len()).sum();
        let mean = total as f64 / f64::from(n);
        assert!((mean - 2.0).abs() < 0.06, "{mean}");
    }

    #[test]
    fn cut_keeps_the_earliest_events_in_order() {
        let b = Branching {
            r: 3.0,
            dispersion: 1.0,
            delay_median: 10.0,
            delay_sigma: 1.0,
        };
        let t = b.cascade(5, 0, 500);
        assert!(t.len() <= 500);
        assert!(t.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(t[0], 0.0);
    }
}
