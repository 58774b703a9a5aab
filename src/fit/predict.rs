//! After the sampler: posterior summaries (mean, median, 90% and 95% credible intervals),
//! posterior-predictive bands against the observations, and the held-out check.
//!
//! **Held-out score.** The continuous ranked probability score (CRPS; Gneiting and Raftery,
//! "Strictly proper scoring rules, prediction, and estimation", JASA 102, 2007) of the
//! posterior-predictive ensemble at each held-out observation, `E|X - y| - E|X - X'|/2`
//! (lower is better; for a point forecast it is the absolute error). For adoption data the
//! observations are each held-out community's cumulative share adopted at every step; the
//! baseline forecasts that curve by the pooled observed curve of the fitted communities
//! (what one would predict with no model at all). For cascades, each held-out cascade's log
//! size and its share of events by each growth time; the baseline is the empirical
//! distribution of the fitted cascades.

use rayon::prelude::*;

use crate::fit::abc::{AbcRun, simulation_seed};
use crate::fit::observed::Cascade;
use crate::fit::spec::ObservedSpec;
use crate::fit::summary::{self, quantile_sorted};
use crate::fit::{Data, FitJob};
use crate::rng::{Purpose, Stream, mix64};

/// The posterior of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSummary {
    /// The scenario key.
    pub key: String,
    /// Weighted posterior mean.
    pub mean: f64,
    /// Weighted posterior standard deviation.
    pub sd: f64,
    /// Weighted posterior median.
    pub median: f64,
    /// 90% equal-tailed credible interval.
    pub ci90: (f64, f64),
    /// 95% equal-tailed credible interval.
    pub ci95: (f64, f64),
}

/// Posterior summaries of every parameter, in natural units.
pub fn summarize(job: &FitJob, run: &AbcRun) -> Vec<ParamSummary> {
    let post = run.posterior();
    job.spec
        .parameters
        .iter()
        .enumerate()
        .map(|(a, p)| {
            let v: Vec<f64> = post.theta.iter().map(|t| p.prior.value(t[a])).collect();
            let w = &post.weights;
            let mean: f64 = v.iter().zip(w).map(|(x, w)| x * w).sum();
            let var: f64 = v.iter().zip(w).map(|(x, w)| w * (x - mean).powi(2)).sum();
            let q = |q: f64| crate::fit::abc::weighted_quantile(&v, w, q);
            ParamSummary {
                key: p.key.clone(),
                mean,
                sd: var.sqrt(),
                median: q(0.5),
                ci90: (q(0.05), q(0.95)),
                ci95: (q(0.025), q(0.975)),
            }
        })
        .collect()
}

/// Quantile bands of an ensemble at each point of a curve.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Band {
    /// 5% quantile.
    pub q05: Vec<f64>,
    /// 25% quantile.
    pub q25: Vec<f64>,
    /// Median.
    pub q50: Vec<f64>,
    /// 75% quantile.
    pub q75: Vec<f64>,
    /// 95% quantile.
    pub q95: Vec<f64>,
}

impl Band {
    /// Bands of `curves` (`[draw][point]`).
    pub fn of(curves: &[Vec<f64>]) -> Band {
        let points = curves.first().map_or(0, Vec::len);
        let mut b = Band::default();
        for k in 0..points {
            let mut col: Vec<f64> = curves
                .iter()
                .map(|c| c[k])
                .filter(|x| x.is_finite())
                .collect();
            col.sort_by(f64::total_cmp);
            b.q05.push(quantile_sorted(&col, 0.05));
            b.q25.push(quantile_sorted(&col, 0.25));
            b.q50.push(quantile_sorted(&col, 0.5));
            b.q75.push(quantile_sorted(&col, 0.75));
            b.q95.push(quantile_sorted(&col, 0.95));
        }
        b
    }
}

/// One observed curve against its posterior-predictive band.
#[derive(Debug, Clone, PartialEq)]
pub struct CurveCheck {
    /// What the curve is (a community, "fitted (pooled)", ...).
    pub name: String,
    /// Whether it was fitted (false: held out).
    pub fitted: bool,
    /// The x values (steps, or minutes / sizes for cascades).
    pub x: Vec<f64>,
    /// The observed curve.
    pub observed: Vec<f64>,
    /// The posterior-predictive band.
    pub band: Band,
    /// Mean CRPS of the observed points under the ensemble.
    pub crps: f64,
    /// Mean CRPS of the baseline forecast (NaN where there is none).
    pub baseline_crps: f64,
}

/// The held-out check.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldOut {
    /// Held-out instances (communities or cascades).
    pub instances: usize,
    /// Mean CRPS of the posterior-predictive forecast on the held-out data.
    pub model_crps: f64,
    /// Mean CRPS of the baseline on the held-out data.
    pub baseline_crps: f64,
    /// Mean CRPS of the posterior-predictive forecast on the fitted data (in-sample).
    pub in_sample_crps: f64,
    /// What the baseline is.
    pub baseline: String,
}

/// Posterior-predictive checks and the held-out score.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictive {
    /// Each curve against its band (communities and pools; for cascades the size CCDF and the
    /// growth curve of fitted and held-out cascades).
    pub curves: Vec<CurveCheck>,
    /// The held-out check, when something was held out.
    pub held_out: Option<HeldOut>,
    /// Simulations drawn.
    pub draws: u32,
}

/// The CRPS of ascending ensemble `xs` at observation `y`.
pub fn crps(xs: &[f64], y: f64) -> f64 {
    let k = xs.len() as f64;
    if xs.is_empty() {
        return f64::NAN;
    }
    let e_xy = xs.iter().map(|x| (x - y).abs()).sum::<f64>() / k;
    let e_xx = xs
        .iter()
        .enumerate()
        .map(|(i, x)| (2.0 * (i as f64 + 1.0) - k - 1.0) * x)
        .sum::<f64>()
        * 2.0
        / (k * k);
    e_xy - 0.5 * e_xx
}

/// Draws `job.spec.predictive` particles from the posterior (by weight) and their seeds.
fn draws(job: &FitJob, run: &AbcRun) -> Vec<(Vec<f64>, u64)> {
    let post = run.posterior();
    let cumulative: Vec<f64> = post
        .weights
        .iter()
        .scan(0.0, |a, w| {
            *a += w;
            Some(*a)
        })
        .collect();
    let key = mix64(job.spec.seed ^ 0x5052_4544_0000_0001);
    (0..job.spec.predictive)
        .map(|d| {
            let u = Stream::new(key, Purpose::FitPredictive, 0, d).uniform()
                * cumulative[cumulative.len() - 1];
            let j = cumulative
                .partition_point(|&c| c <= u)
                .min(cumulative.len() - 1);
            let values = job
                .spec
                .parameters
                .iter()
                .zip(&post.theta[j])
                .map(|(p, &t)| p.prior.value(t))
                .collect();
            (values, simulation_seed(job.spec.seed, u32::MAX, d, 0))
        })
        .collect()
}

/// Runs the posterior-predictive simulations and scores them.
pub fn predictive(job: &FitJob, run: &AbcRun) -> anyhow::Result<Predictive> {
    let picks = draws(job, run);
    match &job.data {
        Data::Adoption { data, .. } => {
            let sims: Vec<Vec<u32>> = picks
                .par_iter()
                .map(|(v, seed)| job.simulate_adoption(v, *seed))
                .collect::<anyhow::Result<_>>()?;
            let sizes = data.sizes();
            let all = vec![true; sizes.len()];
            let frame = summary::Frame {
                community: &data.community,
                sizes: &sizes,
                used: &all,
                steps: data.steps,
            };
            let share = |counts: &[Vec<u32>], used: &dyn Fn(usize) -> bool| -> Vec<f64> {
                let n: u32 = (0..sizes.len())
                    .filter(|&c| used(c))
                    .map(|c| sizes[c])
                    .sum();
                (0..data.steps as usize)
                    .map(|t| {
                        let a: u32 = (0..sizes.len())
                            .filter(|&c| used(c))
                            .map(|c| counts[c][t])
                            .sum();
                        f64::from(a) / f64::from(n.max(1))
                    })
                    .collect()
            };
            let observed_counts = summary::cumulative_counts(&frame, &data.adoption);
            let sim_counts: Vec<Vec<Vec<u32>>> = sims
                .iter()
                .map(|a| summary::cumulative_counts(&frame, a))
                .collect();
            let baseline = share(&observed_counts, &|c| job.fitted[c]);
            let x: Vec<f64> = (1..=data.steps)
                .map(|t| data.start + f64::from(t) * data.time_per_step)
                .collect();
            let check =
                |name: String, fitted: bool, used: &dyn Fn(usize) -> bool, with_baseline: bool| {
                    let observed = share(&observed_counts, used);
                    let curves: Vec<Vec<f64>> = sim_counts.iter().map(|c| share(c, used)).collect();
                    let band = Band::of(&curves);
                    let mut crps_sum = 0.0;
                    let mut base_sum = 0.0;
                    for (t, &y) in observed.iter().enumerate() {
                        let mut col: Vec<f64> = curves.iter().map(|c| c[t]).collect();
                        col.sort_by(f64::total_cmp);
                        crps_sum += crps(&col, y);
                        base_sum += (baseline[t] - y).abs();
                    }
                    let m = observed.len().max(1) as f64;
                    CurveCheck {
                        name,
                        fitted,
                        x: x.clone(),
                        observed,
                        band,
                        crps: crps_sum / m,
                        baseline_crps: if with_baseline {
                            base_sum / m
                        } else {
                            f64::NAN
                        },
                    }
                };
            let mut curves = Vec::new();
            let held = job.fitted.iter().filter(|f| !**f).count();
            curves.push(check(
                if held > 0 {
                    "fitted communities (pooled)".into()
                } else {
                    "all (pooled)".into()
                },
                true,
                &|c| job.fitted[c],
                false,
            ));
            if held > 0 {
                curves.push(check(
                    "held-out communities (pooled)".into(),
                    false,
                    &|c| !job.fitted[c],
                    true,
                ));
            }
            if sizes.len() > 1 {
                for (c, name) in data.communities.iter().enumerate() {
                    curves.push(check(
                        name.clone(),
                        job.fitted[c],
                        &|k| k == c,
                        !job.fitted[c],
                    ));
                }
            }
            let held_out = (held > 0).then(|| {
                let per: Vec<&CurveCheck> = curves.iter().skip(2).filter(|c| !c.fitted).collect();
                let fitted: Vec<&CurveCheck> = curves.iter().skip(2).filter(|c| c.fitted).collect();
                let mean = |xs: &[&CurveCheck], f: &dyn Fn(&CurveCheck) -> f64| {
                    xs.iter().map(|c| f(c)).sum::<f64>() / xs.len().max(1) as f64
                };
                HeldOut {
                    instances: held,
                    model_crps: mean(&per, &|c| c.crps),
                    baseline_crps: mean(&per, &|c| c.baseline_crps),
                    in_sample_crps: mean(&fitted, &|c| c.crps),
                    baseline: "the pooled observed adoption curve of the fitted communities".into(),
                }
            });
            Ok(Predictive {
                curves,
                held_out,
                draws: job.spec.predictive,
            })
        }
        Data::Cascades(observed) => {
            let ObservedSpec::Cascades(cs) = &job.spec.observed else {
                return Err(anyhow::anyhow!("cascade data without a cascade spec"));
            };
            let sims: Vec<Vec<Cascade>> = picks
                .par_iter()
                .map(|(v, seed)| job.simulate_cascades(v, *seed))
                .collect();
            Ok(cascade_checks(job, cs, observed, &sims))
        }
    }
}

fn log_grid(lo: f64, hi: f64, points: usize) -> Vec<f64> {
    (0..points)
        .map(|k| (lo.ln() + (hi.ln() - lo.ln()) * k as f64 / (points - 1) as f64).exp())
        .collect()
}

fn ccdf(cascades: &[&Cascade], sizes: &[f64]) -> Vec<f64> {
    sizes
        .iter()
        .map(|&s| {
            cascades
                .iter()
                .filter(|c| c.times.len() as f64 >= s)
                .count() as f64
                / cascades.len().max(1) as f64
        })
        .collect()
}

fn growth(cascades: &[&Cascade], times: &[f64]) -> Vec<f64> {
    times
        .iter()
        .map(|&tau| {
            let mut shares: Vec<f64> = cascades
                .iter()
                .map(|c| c.times.partition_point(|&t| t <= tau) as f64 / c.times.len() as f64)
                .collect();
            shares.sort_by(f64::total_cmp);
            quantile_sorted(&shares, 0.5)
        })
        .collect()
}

fn cascade_checks(
    job: &FitJob,
    cs: &crate::fit::spec::CascadeSpec,
    observed: &[Cascade],
    sims: &[Vec<Cascade>],
) -> Predictive {
    let fitted: Vec<&Cascade> = observed
        .iter()
        .zip(&job.fitted)
        .filter(|x| *x.1)
        .map(|x| x.0)
        .collect();
    let held: Vec<&Cascade> = observed
        .iter()
        .zip(&job.fitted)
        .filter(|x| !*x.1)
        .map(|x| x.0)
        .collect();
    let size_grid = log_grid(f64::from(cs.min_size), f64::from(cs.max_size), 40);
    let time_grid = log_grid(1.0, 1e4, 40);
    let sim_refs: Vec<Vec<&Cascade>> = sims.iter().map(|s| s.iter().collect()).collect();
    let ccdf_band = Band::of(
        &sim_refs
            .iter()
            .map(|s| ccdf(s, &size_grid))
            .collect::<Vec<_>>(),
    );
    let growth_band = Band::of(
        &sim_refs
            .iter()
            .map(|s| growth(s, &time_grid))
            .collect::<Vec<_>>(),
    );
    let mut curves = Vec::new();
    for (name, set, is_fitted) in [("fitted", &fitted, true), ("held-out", &held, false)] {
        if set.is_empty() {
            continue;
        }
        curves.push(CurveCheck {
            name: format!("size CCDF, {name} cascades"),
            fitted: is_fitted,
            x: size_grid.clone(),
            observed: ccdf(set, &size_grid),
            band: ccdf_band.clone(),
            crps: f64::NAN,
            baseline_crps: f64::NAN,
        });
        curves.push(CurveCheck {
            name: format!("growth (median share of events by time), {name} cascades"),
            fitted: is_fitted,
            x: time_grid.clone(),
            observed: growth(set, &time_grid),
            band: growth_band.clone(),
            crps: f64::NAN,
            baseline_crps: f64::NAN,
        });
    }
    // Scores: each cascade's log size and its share of events at each growth time.
    let pooled: Vec<&Cascade> = sims.iter().flatten().collect();
    let ensemble = |set: &[&Cascade]| -> (Vec<f64>, Vec<Vec<f64>>) {
        let mut logs: Vec<f64> = set.iter().map(|c| (c.times.len() as f64).ln()).collect();
        logs.sort_by(f64::total_cmp);
        let shares = cs
            .growth_times
            .iter()
            .map(|&tau| {
                let mut s: Vec<f64> = set
                    .iter()
                    .map(|c| c.times.partition_point(|&t| t <= tau) as f64 / c.times.len() as f64)
                    .collect();
                s.sort_by(f64::total_cmp);
                s
            })
            .collect();
        (logs, shares)
    };
    let score = |ens: &(Vec<f64>, Vec<Vec<f64>>), set: &[&Cascade]| -> f64 {
        let mut total = 0.0;
        for c in set {
            let y = (c.times.len() as f64).ln();
            let mut s = crps(&ens.0, y);
            for (k, &tau) in cs.growth_times.iter().enumerate() {
                let share = c.times.partition_point(|&t| t <= tau) as f64 / c.times.len() as f64;
                s += crps(&ens.1[k], share) / cs.growth_times.len() as f64;
            }
            total += s;
        }
        total / set.len().max(1) as f64
    };
    let model = ensemble(&pooled);
    let held_out = (!held.is_empty()).then(|| {
        let base = ensemble(&fitted);
        HeldOut {
            instances: held.len(),
            model_crps: score(&model, &held),
            baseline_crps: score(&base, &held),
            in_sample_crps: score(&model, &fitted),
            baseline:
                "the empirical distribution of the fitted cascades (log size and growth shares)"
                    .into(),
        }
    });
    Predictive {
        curves,
        held_out,
        draws: job.spec.predictive,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crps_by_hand() {
        // Point forecast: the absolute error.
        assert!((crps(&[2.0], 5.0) - 3.0).abs() < 1e-12);
        // Ensemble {0, 1}, y = 0: E|X-y| = 0.5, E|X-X'| = 0.5; CRPS = 0.25.
        assert!((crps(&[0.0, 1.0], 0.0) - 0.25).abs() < 1e-12);
    }
}
