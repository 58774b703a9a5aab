//! Differences between two strategies run on the same replicates: the paired t interval (what
//! common random numbers are for) and Welch's unpaired interval (for reference).
//!
//! Under common random numbers replicate `r` of every strategy sees the same graph, signals and
//! thresholds, so `x_r` and `y_r` are positively correlated and the variance of `x_r - y_r`,
//! `var(x) + var(y) - 2 cov(x, y)`, is smaller than the `var(x) + var(y)` an unpaired comparison
//! pays (Law, *Simulation Modeling and Analysis*, 5th ed., section 11.2, "common random
//! numbers"; the paired-t confidence interval is section 10.2.1).

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::{METHOD_EMPTY, Summary, Welford, mean_ci};

/// `method` of Welch's unpaired interval.
pub const METHOD_WELCH: &str = "welch_t";
/// `method` of an unpaired interval when neither sample has spread: the interval is the
/// difference itself.
pub const METHOD_WELCH_FLAT: &str = "welch_t: both samples constant, ci = [difference, difference]";

/// The difference `x - y` of two strategies' measure over the same replicates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Difference {
    /// Mean of `x_r - y_r` with its paired Student t interval (`mean ± t_{n-1} · sd_d / sqrt n`).
    pub paired: Summary,
    /// Mean of `x` minus mean of `y` with Welch's interval (`± t_ν · sqrt(s_x²/n + s_y²/n)`, ν
    /// by Welch-Satterthwaite), which ignores the pairing: shown to tell how much pairing
    /// saves.
    pub unpaired: Summary,
}

/// Paired and unpaired differences `x - y` at confidence `level`; `x[r]` and `y[r]` must come
/// from the same replicate `r`. The pairs are taken in slice order, so the same slices give the
/// same bits. Computes in **O(n)**.
///
/// **Panics** if the slices differ in length or `level` is not in `(0, 1)`.
pub fn difference(x: &[f64], y: &[f64], level: f64) -> Difference {
    assert_eq!(x.len(), y.len(), "paired samples must have the same length");
    let d: Vec<f64> = x.iter().zip(y).map(|(a, b)| a - b).collect();
    Difference {
        paired: mean_ci(&d, level),
        unpaired: welch(x, y, level),
    }
}

/// Welch's interval for `mean(x) - mean(y)` (Welch 1947, "The generalization of Student's
/// problem when several different population variances are involved", *Biometrika* 34).
/// `sd` is the standard error of the difference. With fewer than two values on either side the
/// interval is the difference itself (`METHOD_EMPTY` when a side is empty).
pub fn welch(x: &[f64], y: &[f64], level: f64) -> Summary {
    let (mut wx, mut wy) = (Welford::new(), Welford::new());
    wx.extend(x.iter().copied());
    wy.extend(y.iter().copied());
    let (nx, ny) = (wx.count(), wy.count());
    let mean = wx.mean() - wy.mean();
    let flat = |method| Summary {
        n: nx.min(ny),
        mean,
        sd: 0.0,
        ci_low: mean,
        ci_high: mean,
        level,
        method,
    };
    if nx == 0 || ny == 0 {
        return Summary {
            sd: f64::NAN,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
            ..flat(METHOD_EMPTY)
        };
    }
    let (vx, vy) = (wx.variance() / nx as f64, wy.variance() / ny as f64);
    let se2 = vx + vy;
    if nx < 2 || ny < 2 || se2 <= 0.0 {
        return flat(METHOD_WELCH_FLAT);
    }
    let dof = se2 * se2 / (vx * vx / (nx - 1) as f64 + vy * vy / (ny - 1) as f64);
    let t = StudentsT::new(0.0, 1.0, dof)
        .expect("dof > 0 is a valid parameter")
        .inverse_cdf((1.0 + level) / 2.0);
    let se = se2.sqrt();
    Summary {
        n: nx.min(ny),
        mean,
        sd: se,
        ci_low: mean - t * se,
        ci_high: mean + t * se,
        level,
        method: METHOD_WELCH,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_samples_differ_by_exactly_zero() {
        let x = [0.1, 0.5, 0.9, 0.3];
        let d = difference(&x, &x, 0.95);
        assert_eq!(
            (d.paired.mean, d.paired.ci_low, d.paired.ci_high),
            (0.0, 0.0, 0.0)
        );
        // Unpaired, the same samples still look uncertain.
        assert!(d.unpaired.ci_low < 0.0 && d.unpaired.ci_high > 0.0);
    }

    #[test]
    fn welch_matches_a_hand_computation() {
        // x = 1..=5: mean 3, var 2.5; y = 2, 4, 6, 8: mean 5, var 20/3.
        // se² = 2.5/5 + (20/3)/4 = 0.5 + 1.6667 = 2.1667; ν = 2.1667² / (0.5²/4 + 1.6667²/3)
        // = 4.6944 / (0.0625 + 0.92593) = 4.7494. t_{0.975, 4.7494} = 2.6120 (bisection on the
        // numerically integrated t density, in Python), given to 4 decimals, hence the tolerance.
        let s = welch(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 4.0, 6.0, 8.0], 0.95);
        assert!((s.mean + 2.0).abs() < 1e-12);
        let se = 2.1666666666666665f64.sqrt();
        assert!((s.sd - se).abs() < 1e-12);
        let half = s.ci_high - s.mean;
        assert!((half - 2.6120 * se).abs() < 1e-3, "{half}");
    }

    #[test]
    fn pairing_removes_shared_noise() {
        // y = x + 1 + small noise: paired interval tight, unpaired wide.
        let x: Vec<f64> = (0..20).map(|i| f64::from(i * 7 % 13)).collect();
        let y: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(i, v)| v + 1.0 + if i % 2 == 0 { 0.01 } else { -0.01 })
            .collect();
        let d = difference(&y, &x, 0.95);
        let pw = d.paired.ci_high - d.paired.ci_low;
        let uw = d.unpaired.ci_high - d.unpaired.ci_low;
        assert!(pw < uw / 50.0, "{pw} vs {uw}");
        assert!((d.paired.mean - 1.0).abs() < 1e-12);
    }
}
