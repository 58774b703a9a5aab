//! Confidence intervals: Student t for a mean, Wilson score for a proportion.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use super::{
    METHOD_EMPTY, METHOD_SINGLE, METHOD_T, METHOD_T_CLIPPED, METHOD_WILSON, Summary, Welford,
};

/// Checks the confidence level. **Panics** if it is not in `(0, 1)`: levels come from code, not
/// from users, so a bad one is a bug.
fn check_level(level: f64) {
    assert!(
        level > 0.0 && level < 1.0,
        "confidence level must be in (0, 1), found {level}"
    );
}

/// [`mean_ci`] of shares (values in [0, 1]): a share's mean lies in [0, 1], so an interval end
/// beyond it is clipped to 0 or 1, and `method` says so ([`METHOD_T_CLIPPED`]). (Each value is
/// a replicate's share of many agents, not a 0/1 outcome, so a Wilson interval does not apply;
/// outcomes counted over replicates use [`wilson`].) **Panics** if `level` is not in `(0, 1)`.
pub fn share_ci(values: &[f64], level: f64) -> Summary {
    let mut w = Welford::new();
    w.extend(values.iter().copied());
    welford_share_ci(&w, level)
}

/// Mean, sample standard deviation and Student t confidence interval of `values`:
/// `mean ± t_{(1+level)/2, n-1} · sd / sqrt(n)`, with `sd` the sample standard deviation
/// (`n - 1` divisor, computed with [`Welford`]) and `t` the quantile of Student's t with `n - 1`
/// degrees of freedom (`statrs`, via the inverse regularised incomplete beta function).
///
/// The interval assumes the replicates are independent draws; it is exact for normal values and
/// good for means of many values otherwise. With `n = 1` there is no spread to estimate: `sd` is
/// 0 and the interval is `[mean, mean]` ([`METHOD_SINGLE`]). With `n = 0` the mean is `NaN`
/// ([`METHOD_EMPTY`]). Computes in **O(n)** time. **Panics** if `level` is not in `(0, 1)`.
pub fn mean_ci(values: &[f64], level: f64) -> Summary {
    let mut w = Welford::new();
    w.extend(values.iter().copied());
    welford_ci(&w, level)
}

/// [`share_ci`] of the values accumulated in `w` (pushed in a fixed order, so the same values
/// give the same bits as [`share_ci`] of the slice). **Panics** if `level` is not in `(0, 1)`.
pub fn welford_share_ci(w: &Welford, level: f64) -> Summary {
    let mut s = welford_ci(w, level);
    if s.ci_low < 0.0 || s.ci_high > 1.0 {
        s.ci_low = s.ci_low.max(0.0);
        s.ci_high = s.ci_high.min(1.0);
        s.method = METHOD_T_CLIPPED;
    }
    s
}

/// [`mean_ci`] of the values accumulated in `w`: the same bits as [`mean_ci`] of the slice
/// they were pushed from, so means can be accumulated as values arrive (a streaming summary)
/// without holding them. **Panics** if `level` is not in `(0, 1)`.
pub fn welford_ci(w: &Welford, level: f64) -> Summary {
    check_level(level);
    let n = w.count();
    let mean = w.mean();
    match n {
        0 => Summary {
            n,
            mean,
            sd: f64::NAN,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
            level,
            method: METHOD_EMPTY,
        },
        1 => Summary {
            n,
            mean,
            sd: 0.0,
            ci_low: mean,
            ci_high: mean,
            level,
            method: METHOD_SINGLE,
        },
        _ => {
            let sd = w.sd();
            let t = t_quantile((1.0 + level) / 2.0, (n - 1) as f64);
            let half = t * sd / (n as f64).sqrt();
            Summary {
                n,
                mean,
                sd,
                ci_low: mean - half,
                ci_high: mean + half,
                level,
                method: METHOD_T,
            }
        }
    }
}

/// Quantile `p` of Student's t with `dof` degrees of freedom.
fn t_quantile(p: f64, dof: f64) -> f64 {
    StudentsT::new(0.0, 1.0, dof)
        .expect("location 0, scale 1 and dof >= 1 are valid parameters")
        .inverse_cdf(p)
}

/// Observed proportion `successes / n` with its Wilson score interval (Wilson 1927):
///
/// `(p + z²/2n ± z · sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)`, with `z` the standard normal
/// quantile at `(1+level)/2`.
///
/// Unlike the normal-approximation interval, it stays inside `[0, 1]` and does not collapse to
/// a point when `successes` is 0 or `n` (Agresti and Coull 1998, "Approximate is better than
/// exact", *Am. Stat.* 52(2)), which is common for outcome frequencies over few replicates.
/// `sd` is `sqrt(p (1 - p))`. With `n = 0` the proportion is `NaN` and the interval `[0, 1]`.
/// **Panics** if `successes > n` or `level` is not in `(0, 1)`.
pub fn wilson(successes: u64, n: u64, level: f64) -> Summary {
    check_level(level);
    assert!(successes <= n, "{successes} successes in {n} trials");
    if n == 0 {
        return Summary {
            n,
            mean: f64::NAN,
            sd: f64::NAN,
            ci_low: 0.0,
            ci_high: 1.0,
            level,
            method: METHOD_EMPTY,
        };
    }
    let z = Normal::standard().inverse_cdf((1.0 + level) / 2.0);
    let nf = n as f64;
    let p = successes as f64 / nf;
    let z2 = z * z;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = z / denom * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    // At p = 0 or 1 the closed form gives the bound exactly up to rounding; pin it.
    let ci_low = if successes == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let ci_high = if successes == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    Summary {
        n,
        mean: p,
        sd: (p * (1.0 - p)).sqrt(),
        ci_low,
        ci_high,
        level,
        method: METHOD_WILSON,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_interval_stays_inside_zero_and_one() {
        // Three replicates, two with nobody booing: mean 0.01, t(0.975, 2) = 4.303, sd 0.01732,
        // half-width 0.043: the t interval would reach -0.033.
        let s = share_ci(&[0.0, 0.0, 0.03], 0.95);
        assert_eq!(s.ci_low, 0.0);
        assert!((s.ci_high - (0.01 + 4.302_652_7 * 0.017_320_508 / 3f64.sqrt())).abs() < 1e-6);
        assert_eq!(s.method, METHOD_T_CLIPPED);
        let inside = share_ci(&[0.4, 0.5, 0.6], 0.95);
        assert_eq!(inside.method, METHOD_T);
        assert_eq!(inside, mean_ci(&[0.4, 0.5, 0.6], 0.95));
    }

    /// Asserts `found` is within `tol` of `expected`.
    fn close(found: f64, expected: f64, tol: f64) {
        assert!(
            (found - expected).abs() <= tol,
            "found {found}, expected {expected} ± {tol}"
        );
    }

    #[test]
    fn t_quantiles_match_tables() {
        // Published two-sided critical values (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2),
        // given to 6 decimals, hence the tolerance.
        for (p, dof, t) in [
            (0.975, 9.0, 2.262157),
            (0.975, 99.0, 1.984217),
            (0.975, 1.0, 12.706205),
            (0.95, 4.0, 2.131847),
            (0.995, 2.0, 9.924843),
        ] {
            close(t_quantile(p, dof), t, 1e-6);
        }
    }

    #[test]
    fn mean_ci_of_one_to_ten() {
        // 1..=10: mean 5.5, sd sqrt(110/12) = 3.0276503540974917, se = sd / sqrt(10)
        // = 0.9574271077563381; half width = 2.262157 * se = 2.1658504 (t from the table, given to
        // 6 decimals, so the half width is known to 0.5e-6 * se).
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        let s = mean_ci(&values, 0.95);
        assert_eq!((s.n, s.method, s.level), (10, METHOD_T, 0.95));
        close(s.mean, 5.5, 1e-15);
        close(s.sd, 3.0276503540974917, 1e-14);
        close(s.ci_low, 5.5 - 2.1658504, 1e-6);
        close(s.ci_high, 5.5 + 2.1658504, 1e-6);
    }

    #[test]
    fn mean_ci_small_and_degenerate() {
        let one = mean_ci(&[0.25], 0.95);
        assert_eq!((one.n, one.mean, one.sd), (1, 0.25, 0.0));
        assert_eq!(
            (one.ci_low, one.ci_high, one.method),
            (0.25, 0.25, METHOD_SINGLE)
        );

        let empty = mean_ci(&[], 0.95);
        assert_eq!((empty.n, empty.method), (0, METHOD_EMPTY));
        assert!(empty.mean.is_nan() && empty.ci_low.is_nan());

        let flat = mean_ci(&[0.7; 5], 0.95);
        assert_eq!((flat.sd, flat.ci_low, flat.ci_high), (0.0, 0.7, 0.7));
    }

    #[test]
    fn wilson_matches_closed_form() {
        // Reference values from the closed form evaluated independently in Python with
        // z = statistics.NormalDist().inv_cdf(0.975) = 1.9599639845400536.
        let s = wilson(8, 10, 0.95);
        assert_eq!((s.n, s.method), (10, METHOD_WILSON));
        close(s.mean, 0.8, 1e-15);
        close(s.sd, 0.4, 1e-15);
        close(s.ci_low, 0.49016247153664183, 1e-12);
        close(s.ci_high, 0.9433178485456247, 1e-12);

        let none = wilson(0, 20, 0.95);
        assert_eq!(none.ci_low, 0.0);
        close(none.ci_high, 0.1611251580528193, 1e-12);

        let all = wilson(20, 20, 0.95);
        close(all.ci_low, 0.8388748419471808, 1e-12);
        assert_eq!(all.ci_high, 1.0);

        let empty = wilson(0, 0, 0.95);
        assert_eq!(
            (empty.ci_low, empty.ci_high, empty.method),
            (0.0, 1.0, METHOD_EMPTY)
        );
    }
}
