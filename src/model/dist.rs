//! Named distributions for agent attributes (signal noise, thresholds, conformity, weights).
//!
//! Written in a scenario as an inline table, e.g. `threshold = { dist = "uniform", low = 0.0,
//! high = 1.0 }`, or as a bare number for a constant (`threshold = 0.5`). Sampling uses
//! `rand_distr` on a [`crate::rng::Stream`] keyed by agent, so draws never depend on threads.

use rand::RngExt;
use rand_distr::{Beta, Distribution, Normal};
use serde::{Deserialize, Serialize};

use crate::rng::Stream;

/// A distribution of a real-valued attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Dist {
    /// A bare number: every agent gets this value.
    Value(f64),
    /// A named distribution.
    Named(NamedDist),
}

/// The named distributions (`dist = "..."`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum NamedDist {
    /// Always `value`.
    Constant {
        /// The value.
        value: f64,
    },
    /// Uniform on `[low, high)`.
    Uniform {
        /// Lower end (inclusive).
        low: f64,
        /// Upper end (exclusive); must be `>= low`.
        high: f64,
    },
    /// Normal with mean `mean` and standard deviation `sd >= 0`.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation, `>= 0`.
        sd: f64,
    },
    /// Normal(`mean`, `sd`) conditioned on `[low, high]` (drawn by rejection, falling back to
    /// inverse-CDF-free clamping only after 1000 rejections, which needs a window far in a
    /// tail: validation rejects windows of less than 1e-6 probability).
    TruncatedNormal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation of the untruncated normal, `> 0`.
        sd: f64,
        /// Lower bound.
        low: f64,
        /// Upper bound, `> low`.
        high: f64,
    },
    /// Beta(`alpha`, `beta`) on `[0, 1]`, both shape parameters `> 0`.
    Beta {
        /// First shape parameter, `> 0`.
        alpha: f64,
        /// Second shape parameter, `> 0`.
        beta: f64,
    },
}

impl Default for Dist {
    fn default() -> Self {
        Dist::Value(0.0)
    }
}

impl Dist {
    /// Checks the parameters; the message says what was expected and what was found.
    pub fn check(&self) -> Result<(), String> {
        let finite = |name: &str, x: f64| {
            if x.is_finite() {
                Ok(())
            } else {
                Err(format!("expected a finite number for `{name}`, found {x}"))
            }
        };
        match self {
            Dist::Value(v) => finite("value", *v),
            Dist::Named(NamedDist::Constant { value }) => finite("value", *value),
            Dist::Named(NamedDist::Uniform { low, high }) => {
                finite("low", *low)?;
                finite("high", *high)?;
                if high < low {
                    return Err(format!(
                        "uniform: expected low <= high, found low = {low}, high = {high}"
                    ));
                }
                Ok(())
            }
            Dist::Named(NamedDist::Normal { mean, sd }) => {
                finite("mean", *mean)?;
                finite("sd", *sd)?;
                if *sd < 0.0 {
                    return Err(format!("normal: expected sd >= 0, found sd = {sd}"));
                }
                Ok(())
            }
            Dist::Named(NamedDist::TruncatedNormal {
                mean,
                sd,
                low,
                high,
            }) => {
                for (n, x) in [("mean", mean), ("sd", sd), ("low", low), ("high", high)] {
                    finite(n, *x)?;
                }
                if *sd <= 0.0 {
                    return Err(format!(
                        "truncated_normal: expected sd > 0, found sd = {sd}"
                    ));
                }
                if high <= low {
                    return Err(format!(
                        "truncated_normal: expected low < high, found low = {low}, high = {high}"
                    ));
                }
                let mass = normal_cdf((high - mean) / sd) - normal_cdf((low - mean) / sd);
                if mass < 1e-6 {
                    return Err(format!(
                        "truncated_normal: the window [{low}, {high}] holds {mass:.1e} of the normal's mass; \
                         expected at least 1e-6"
                    ));
                }
                Ok(())
            }
            Dist::Named(NamedDist::Beta { alpha, beta }) => {
                if !(alpha.is_finite() && *alpha > 0.0 && beta.is_finite() && *beta > 0.0) {
                    return Err(format!(
                        "beta: expected alpha > 0 and beta > 0, found alpha = {alpha}, beta = {beta}"
                    ));
                }
                Ok(())
            }
        }
    }

    /// The smallest and largest values the distribution can give (infinite for the normal).
    pub fn support(&self) -> (f64, f64) {
        match self {
            Dist::Value(v) | Dist::Named(NamedDist::Constant { value: v }) => (*v, *v),
            Dist::Named(NamedDist::Uniform { low, high }) => (*low, *high),
            Dist::Named(NamedDist::Normal { mean, sd }) => {
                if *sd == 0.0 {
                    (*mean, *mean)
                } else {
                    (f64::NEG_INFINITY, f64::INFINITY)
                }
            }
            Dist::Named(NamedDist::TruncatedNormal { low, high, .. }) => (*low, *high),
            Dist::Named(NamedDist::Beta { .. }) => (0.0, 1.0),
        }
    }

    /// Whether every draw is the same value.
    pub fn is_constant(&self) -> bool {
        let (a, b) = self.support();
        a == b
    }

    /// Draws one value from `stream`. The parameters must have passed [`Dist::check`].
    pub fn sample(&self, stream: &mut Stream) -> f64 {
        match self {
            Dist::Value(v) | Dist::Named(NamedDist::Constant { value: v }) => *v,
            Dist::Named(NamedDist::Uniform { low, high }) => {
                if high == low {
                    *low
                } else {
                    low + (high - low) * stream.uniform()
                }
            }
            Dist::Named(NamedDist::Normal { mean, sd }) => Normal::new(*mean, *sd)
                .expect("checked: sd >= 0 and finite")
                .sample(stream),
            Dist::Named(NamedDist::TruncatedNormal {
                mean,
                sd,
                low,
                high,
            }) => {
                let normal = Normal::new(*mean, *sd).expect("checked: sd > 0 and finite");
                for _ in 0..1000 {
                    let x: f64 = normal.sample(stream);
                    if (*low..=*high).contains(&x) {
                        return x;
                    }
                }
                // Unreachable in practice: validation demands at least 1e-6 of the mass.
                low + (high - low) * stream.random::<f64>()
            }
            Dist::Named(NamedDist::Beta { alpha, beta }) => Beta::new(*alpha, *beta)
                .expect("checked: alpha, beta > 0")
                .sample(stream),
        }
    }
}

/// The standard normal CDF, by the complementary error function (Abramowitz and Stegun 7.1.26
/// is not accurate enough in the tails; this uses `statrs`).
fn normal_cdf(z: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-z / std::f64::consts::SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, Stream, graph_key};

    fn stream() -> Stream {
        Stream::new(graph_key(1), Purpose::Attribute, 0, 0)
    }

    #[test]
    fn bare_numbers_and_tables_parse() {
        #[derive(Deserialize)]
        struct T {
            a: Dist,
            b: Dist,
        }
        let t: T = toml::from_str("a = 0.5\nb = { dist = \"uniform\", low = 0, high = 2 }")
            .expect("valid");
        assert_eq!(t.a, Dist::Value(0.5));
        assert_eq!(
            t.b,
            Dist::Named(NamedDist::Uniform {
                low: 0.0,
                high: 2.0
            })
        );
    }

    #[test]
    fn bad_parameters_are_named() {
        let d = Dist::Named(NamedDist::Uniform {
            low: 1.0,
            high: 0.0,
        });
        assert!(d.check().unwrap_err().contains("low <= high"));
        let d = Dist::Named(NamedDist::Beta {
            alpha: 0.0,
            beta: 1.0,
        });
        assert!(d.check().unwrap_err().contains("alpha > 0"));
        let d = Dist::Named(NamedDist::TruncatedNormal {
            mean: 0.0,
            sd: 1.0,
            low: 50.0,
            high: 60.0,
        });
        assert!(d.check().unwrap_err().contains("mass"));
    }

    /// Uniform(0, 2) mean over 1e5 draws: sd of the mean = sqrt(4/12/1e5) = 1.8e-3; 4 sd = 7.3e-3.
    #[test]
    fn uniform_mean() {
        let d = Dist::Named(NamedDist::Uniform {
            low: 0.0,
            high: 2.0,
        });
        let mut s = stream();
        let mean = (0..100_000).map(|_| d.sample(&mut s)).sum::<f64>() / 1e5;
        assert!((mean - 1.0).abs() < 7.3e-3, "{mean}");
    }

    /// Truncated normal stays in its window; Beta(2, 5) mean = 2/7, sd of the mean over 1e5
    /// draws = sqrt(10/(49*8)/1e5) = 5.1e-4, 5 sd = 2.6e-3.
    #[test]
    fn truncated_normal_and_beta() {
        let d = Dist::Named(NamedDist::TruncatedNormal {
            mean: 0.0,
            sd: 1.0,
            low: -0.5,
            high: 2.0,
        });
        let mut s = stream();
        assert!((0..10_000).all(|_| (-0.5..=2.0).contains(&d.sample(&mut s))));
        let b = Dist::Named(NamedDist::Beta {
            alpha: 2.0,
            beta: 5.0,
        });
        let mean = (0..100_000).map(|_| b.sample(&mut s)).sum::<f64>() / 1e5;
        assert!((mean - 2.0 / 7.0).abs() < 2.6e-3, "{mean}");
    }
}
