//! Statistics across replicates: means with Student t confidence intervals and Wilson score
//! intervals for proportions.
//!
//! This module uses nothing else in the crate and takes plain slices, so any part of the
//! program (or a user of the library) can summarise its own numbers. Every result is a
//! [`Summary`] that says how it was computed (`method`) and at which confidence `level`.
//!
//! Means and variances are accumulated with Welford's algorithm (Welford 1962, "Note on a
//! method for calculating corrected sums of squares and products", *Technometrics* 4(3)), so
//! that shares close to 1 with tiny spread lose no precision. The sum is taken in slice order,
//! so the same slice always gives the same bits.

mod interval;
pub mod paired;
mod welford;

pub use interval::{mean_ci, share_ci, welford_ci, welford_share_ci, wilson};
pub use paired::{Difference, difference, welch};
pub use welford::Welford;

use serde::Serialize;

/// A summary of a sample: its size, mean, spread and a confidence interval for the mean (or
/// for the proportion, for [`wilson`]).
///
/// Fields that are undefined for the sample (the mean of no values) are `NaN`, which
/// `serde_json` writes as `null`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// Number of values (or of trials, for a proportion).
    pub n: u64,
    /// Sample mean (or the observed proportion `successes / n`).
    pub mean: f64,
    /// Sample standard deviation with the `n - 1` divisor (for a proportion: the Bernoulli
    /// standard deviation `sqrt(p (1 - p))` of the observed proportion `p`). 0 when `n = 1`.
    pub sd: f64,
    /// Lower end of the confidence interval.
    pub ci_low: f64,
    /// Upper end of the confidence interval.
    pub ci_high: f64,
    /// Confidence level of the interval, in `(0, 1)`, e.g. `0.95`.
    pub level: f64,
    /// How the interval was computed: one of the `METHOD_*` constants of this module.
    pub method: &'static str,
}

/// `method` of a Student t interval: `mean ± t_{(1+level)/2, n-1} · sd / sqrt(n)`.
pub const METHOD_T: &str = "student_t";
/// `method` when there is a single value: no spread can be estimated, so `sd = 0` and the
/// interval is the single point `[mean, mean]`.
pub const METHOD_SINGLE: &str = "single_value: n = 1, sd = 0, ci = [mean, mean]";
/// `method` of a Student t interval of a share (a mean of values in [0, 1]) that reached
/// outside [0, 1] and was clipped to it ([`share_ci`]).
pub const METHOD_T_CLIPPED: &str = "student_t, clipped to [0, 1]";
/// `method` of a Wilson score interval for a proportion (Wilson 1927, "Probable inference, the
/// law of succession, and statistical inference", *JASA* 22(158)).
pub const METHOD_WILSON: &str = "wilson_score";
/// `method` when there are no values: mean and sd are `NaN` (`null` in JSON); a proportion's
/// interval is the whole `[0, 1]`.
pub const METHOD_EMPTY: &str = "empty: n = 0";
