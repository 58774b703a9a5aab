//! Summary statistics of adoption and cascade data, and the distance ABC compares them with.
//!
//! The distance is a weighted Euclidean distance: each statistic is divided by its median
//! absolute deviation (MAD) over the first generation's simulations (draws from the prior), as
//! is usual in ABC (e.g. Prangle 2017, "Adapting the ABC distance function", Bayesian Analysis
//! 12(1)), and each *group* (the curve, the exposure excess, ...) gets the same total weight,
//! so a curve with 70 points does not drown a single exposure number.

use crate::fit::observed::{Cascade, NEVER};
use crate::fit::spec::Statistic;
use crate::graph::FollowerGraph;

/// Which agents a statistic looks at and how they are grouped.
#[derive(Debug, Clone)]
pub struct Frame<'a> {
    /// Each agent's community.
    pub community: &'a [u32],
    /// Agents per community.
    pub sizes: &'a [u32],
    /// Which communities are used (fitted ones during the fit; held-out ones when scoring).
    pub used: &'a [bool],
    /// Observed steps.
    pub steps: u32,
}

/// Cumulative adoptions per community at steps `1..=steps` (`[c][t-1]`), counting only
/// adoptions at or before `steps`.
pub fn cumulative_counts(frame: &Frame<'_>, adoption: &[u32]) -> Vec<Vec<u32>> {
    let t_max = frame.steps as usize;
    let mut counts = vec![vec![0u32; t_max + 1]; frame.sizes.len()];
    for (i, &a) in adoption.iter().enumerate() {
        if a != NEVER && (a as usize) <= t_max {
            counts[frame.community[i] as usize][a as usize] += 1;
        }
    }
    for row in &mut counts {
        for t in 1..=t_max {
            row[t] += row[t - 1];
        }
        row.remove(0);
    }
    counts
}

/// The exposure excess of `adoption` on `graph` over the used communities: the mean share of
/// already-adopted sources among those who adopt at a step, minus the mean of that share over
/// everyone at risk at that step, averaged over adoptions. Agents without sources are left
/// out. Without contagion the adopters at a step are a random draw from those at risk, so the
/// excess is 0 in expectation.
pub fn exposure_excess(frame: &Frame<'_>, graph: &FollowerGraph, adoption: &[u32]) -> f64 {
    let n = adoption.len();
    let mut total = 0.0;
    let mut adopters = 0u64;
    let mut share = vec![0.0f64; n];
    for t in 1..=frame.steps {
        let (mut sum_risk, mut n_risk, mut sum_adopt, mut n_adopt) = (0.0, 0u64, 0.0, 0u64);
        for i in 0..n {
            if !frame.used[frame.community[i] as usize] || adoption[i] < t {
                continue;
            }
            let sources = graph.sources(i as u32);
            if sources.is_empty() {
                continue;
            }
            let seen = sources
                .iter()
                .filter(|&&s| adoption[s as usize] < t)
                .count();
            let x = seen as f64 / sources.len() as f64;
            share[i] = x;
            sum_risk += x;
            n_risk += 1;
            if adoption[i] == t {
                sum_adopt += x;
                n_adopt += 1;
            }
        }
        if n_adopt > 0 && n_risk > 0 {
            total += sum_adopt - n_adopt as f64 * sum_risk / n_risk as f64;
            adopters += n_adopt;
        }
    }
    if adopters == 0 {
        0.0
    } else {
        total / adopters as f64
    }
}

/// The statistics of adoption data, in the order of `stats`, with each group's length.
pub fn adoption_stats(
    stats: &[Statistic],
    frame: &Frame<'_>,
    graph: &FollowerGraph,
    adoption: &[u32],
) -> (Vec<f64>, Vec<usize>) {
    let counts = cumulative_counts(frame, adoption);
    let mut out = Vec::new();
    let mut groups = Vec::new();
    for s in stats {
        let before = out.len();
        match s {
            Statistic::Curve => {
                for (c, row) in counts.iter().enumerate() {
                    if frame.used[c] && frame.sizes[c] > 0 {
                        let n = f64::from(frame.sizes[c]);
                        out.extend(row.iter().map(|&a| f64::from(a) / n));
                    }
                }
            }
            Statistic::PooledCurve => {
                let n: u32 = (0..counts.len())
                    .filter(|&c| frame.used[c])
                    .map(|c| frame.sizes[c])
                    .sum();
                for t in 0..frame.steps as usize {
                    let a: u32 = (0..counts.len())
                        .filter(|&c| frame.used[c])
                        .map(|c| counts[c][t])
                        .sum();
                    out.push(f64::from(a) / f64::from(n.max(1)));
                }
            }
            Statistic::Exposure => out.push(exposure_excess(frame, graph, adoption)),
            Statistic::Sizes | Statistic::Growth => {}
        }
        groups.push(out.len() - before);
    }
    (out, groups)
}

/// The statistics of a set of cascades (sizes and event times after the root).
pub fn cascade_stats(
    stats: &[Statistic],
    cascades: &[Cascade],
    size_quantiles: &[f64],
    growth_times: &[f64],
) -> (Vec<f64>, Vec<usize>) {
    let mut out = Vec::new();
    let mut groups = Vec::new();
    for s in stats {
        let before = out.len();
        match s {
            Statistic::Sizes => {
                let mut logs: Vec<f64> = cascades
                    .iter()
                    .map(|c| (c.times.len() as f64).ln())
                    .collect();
                logs.sort_by(f64::total_cmp);
                out.extend(size_quantiles.iter().map(|&q| quantile_sorted(&logs, q)));
            }
            Statistic::Growth => {
                for &tau in growth_times {
                    let mut shares: Vec<f64> = cascades
                        .iter()
                        .map(|c| {
                            let k = c.times.partition_point(|&t| t <= tau);
                            k as f64 / c.times.len() as f64
                        })
                        .collect();
                    shares.sort_by(f64::total_cmp);
                    out.push(quantile_sorted(&shares, 0.5));
                }
            }
            _ => {}
        }
        groups.push(out.len() - before);
    }
    (out, groups)
}

/// The `q` quantile of ascending `xs` with linear interpolation (R type 7); NaN if empty.
pub fn quantile_sorted(xs: &[f64], q: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let h = (xs.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    xs[lo] + (h - lo as f64) * (xs[hi] - xs[lo])
}

/// Per-element weights of the distance: `1 / (scale^2 * group length)`, the scale being the MAD
/// of the element over `sims` (the mean absolute deviation when the MAD is 0; weight 0 when
/// both are 0, i.e. the element never varies).
pub fn weights(groups: &[usize], sims: &[Vec<f64>]) -> Vec<f64> {
    let len: usize = groups.iter().sum();
    let mut out = Vec::with_capacity(len);
    let mut k = 0;
    for &g in groups {
        for _ in 0..g {
            let mut col: Vec<f64> = sims
                .iter()
                .map(|s| s[k])
                .filter(|x| x.is_finite())
                .collect();
            col.sort_by(f64::total_cmp);
            let med = quantile_sorted(&col, 0.5);
            let mut dev: Vec<f64> = col.iter().map(|x| (x - med).abs()).collect();
            dev.sort_by(f64::total_cmp);
            let mut scale = quantile_sorted(&dev, 0.5);
            if scale.is_nan() || scale <= 0.0 {
                scale = dev.iter().sum::<f64>() / dev.len().max(1) as f64;
            }
            out.push(if scale > 0.0 {
                1.0 / (scale * scale * g as f64)
            } else {
                0.0
            });
            k += 1;
        }
    }
    out
}

/// The weighted Euclidean distance between statistics `a` and `b`; a NaN statistic (no
/// cascade reached the minimum size, say) makes the distance infinite.
pub fn distance(weights: &[f64], a: &[f64], b: &[f64]) -> f64 {
    let mut d = 0.0;
    for ((w, x), y) in weights.iter().zip(a).zip(b) {
        if *w == 0.0 {
            continue;
        }
        let diff = x - y;
        if !diff.is_finite() {
            return f64::INFINITY;
        }
        d += w * diff * diff;
    }
    d.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::csr::BuildOptions;

    #[test]
    fn curves_and_exposure_by_hand() {
        // 0 -> 1 -> 2 (1 follows 0, 2 follows 1); 3 alone in community 1.
        let g = FollowerGraph::from_edges(4, vec![(0, 1), (1, 2)], None, BuildOptions::default());
        let frame = Frame {
            community: &[0, 0, 0, 1],
            sizes: &[3, 1],
            used: &[true, true],
            steps: 3,
        };
        let adoption = [1, 2, NEVER, 3];
        let (s, groups) = adoption_stats(
            &[
                Statistic::Curve,
                Statistic::PooledCurve,
                Statistic::Exposure,
            ],
            &frame,
            &g,
            &adoption,
        );
        assert_eq!(groups, vec![6, 3, 1]);
        assert_eq!(&s[..6], &[1.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0, 0.0, 0.0, 1.0]);
        assert_eq!(&s[6..9], &[0.25, 0.5, 0.75]);
        // Step 1: at risk with sources: 1 (x=0), 2 (x=0); nobody with sources adopts.
        // Step 2: at risk: 1 (x=1, adopts), 2 (x=0): excess 1 - 0.5 = 0.5.
        // Step 3: at risk: 2 (x=1), no adoption. Mean over 1 adoption: 0.5.
        assert!((s[9] - 0.5).abs() < 1e-12);
    }

    #[test]
    fn distance_weights_groups_equally() {
        let sims = vec![
            vec![0.0, 0.0, 10.0],
            vec![2.0, 2.0, 30.0],
            vec![4.0, 4.0, 20.0],
        ];
        let w = weights(&[2, 1], &sims);
        // MADs: 2, 2, 10; group lengths 2, 2, 1.
        assert!((w[0] - 1.0 / 8.0).abs() < 1e-12);
        assert!((w[2] - 1.0 / 100.0).abs() < 1e-12);
        let d = distance(&w, &[2.0, 2.0, 20.0], &[4.0, 2.0, 30.0]);
        assert!((d - (0.5f64 + 1.0).sqrt()).abs() < 1e-12);
        assert_eq!(
            distance(&w, &[f64::NAN, 0.0, 0.0], &[0.0; 3]),
            f64::INFINITY
        );
    }
}
