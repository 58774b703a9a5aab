//! Watts' (2002) cascade condition and cascade window on undirected Erdos-Renyi graphs.
//!
//! D. J. Watts, "A simple model of global cascades on random networks", PNAS 99(9):5766-5771
//! (2002). Every agent has the same threshold `phi` and becomes active once the share of its
//! neighbours that are active is **at least** `phi` ([`Inequality::AtLeast`], Watts' rule). A
//! node of degree `k` is *vulnerable* when one active neighbour suffices, `1/k >= phi`, that is
//! `k <= K = floor(1/phi)` ([`vulnerable_max_degree`]); write `rho_k = 1` for those degrees and
//! `0` for the others. A single seed can start a *global* cascade (one that reaches a finite
//! share of an infinite graph) when the vulnerable nodes percolate: Watts' cascade condition,
//! from the generating function of the vulnerable cluster's size,
//!
//! ```text
//! sum_k k (k - 1) rho_k p_k  >  z,            z = sum_k k p_k (the mean degree).
//! ```
//!
//! For an Erdos-Renyi graph the degrees are Poisson, `p_k = e^-z z^k / k!`, and since
//! `k (k - 1) p_k = z^2 p_{k-2}` the condition reads `z P(Poisson(z) <= K - 2) > 1`
//! ([`er_branching`]). The set of `z` where it holds is the **cascade window**
//! ([`er_cascade_window`]): below it the graph falls apart (the lower boundary is close to the
//! percolation point `z = 1`), above it too few nodes are vulnerable (each has too many
//! neighbours for one active one to tip it). For `phi = 0.18` the window is
//! `1.0207 < z < 5.7647`, Watts' "roughly 1 < z < 6".
//!
//! The inequality matters. With a strict `>` a node of degree `k` is vulnerable only when
//! `1/k > phi`; the two differ whenever `1/phi` is an integer: for `phi = 0.25`, `>=` gives
//! `K = 4` and the window `1.114 < z < 3.863`, while `>` gives `K = 3` and no window at all
//! (`z (1 + z) e^-z` never reaches 1).
//!
//! Two more curves for the same graphs: the giant component's share `S = 1 - e^{-z S}`
//! ([`er_giant_component`]), which a global cascade fills in the upper part of the window, and
//! the branching-process probability that a random seed triggers a global cascade
//! ([`er_cascade_probability`]).
//!
//! All of this is the infinite-graph theory: on a finite graph (`N = 10^4` in Watts' Fig. 1)
//! global cascades still occur a little beyond the upper boundary (D. E. Whitney, "Dynamic
//! theory of cascades on finite clustered random networks with a threshold rule", Phys. Rev. E
//! 82, 066110, 2010).

/// Which comparison of the active share of neighbours with the threshold `phi` makes a node
/// active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inequality {
    /// `share >= phi`: Watts' rule (an agent adopts once the share **reaches** `phi`).
    AtLeast,
    /// `share > phi`: the strict variant, which gives a different window whenever `1/phi` is
    /// an integer.
    Greater,
}

impl Inequality {
    /// Whether `active` active neighbours of `degree` (> 0) make a node with threshold `phi`
    /// active. The share is computed as `active / degree` in `f64`, the correctly rounded
    /// quotient, so an exact tie such as `1/5` against `phi = 0.2` compares equal.
    pub fn activates(self, active: u32, degree: u32, phi: f64) -> bool {
        let share = f64::from(active) / f64::from(degree);
        match self {
            Inequality::AtLeast => share >= phi,
            Inequality::Greater => share > phi,
        }
    }
}

/// `K`, the largest degree at which one active neighbour activates a node with threshold
/// `phi` (`1/K >= phi`, or `> phi` for [`Inequality::Greater`]); 0 when even a node with a
/// single neighbour is not vulnerable (`phi > 1`, or `phi = 1` with `>`). `u32::MAX` when
/// `phi <= 0`. **O(1)**.
pub fn vulnerable_max_degree(phi: f64, inequality: Inequality) -> u32 {
    if phi <= 0.0 {
        return u32::MAX;
    }
    let guess = (1.0 / phi).floor().min(f64::from(u32::MAX - 2)) as u32;
    // Fix the guess up with the exact comparison (1/phi may round across an integer).
    let mut k = guess.saturating_sub(1);
    while inequality.activates(1, k + 1, phi) {
        k += 1;
    }
    while k > 0 && !inequality.activates(1, k, phi) {
        k -= 1;
    }
    k
}

/// `P(Poisson(z) <= n)`, summing the terms in log space so that large `z` does not underflow.
/// **O(n)**.
pub fn poisson_cdf(z: f64, n: u32) -> f64 {
    if z <= 0.0 {
        return 1.0;
    }
    let ln_z = z.ln();
    let mut log_term = -z;
    let mut sum = log_term.exp();
    for j in 1..=n {
        log_term += ln_z - f64::from(j).ln();
        sum += log_term.exp();
    }
    sum.min(1.0)
}

/// The branching factor of the vulnerable cluster on an Erdos-Renyi graph of mean degree `z`:
/// `sum_k k (k - 1) rho_k p_k / z = z P(Poisson(z) <= K - 2)`, where `K` is
/// [`vulnerable_max_degree`]. Watts' cascade condition holds where it exceeds 1. **O(K)**.
pub fn er_branching(z: f64, phi: f64, inequality: Inequality) -> f64 {
    let k_max = vulnerable_max_degree(phi, inequality);
    if k_max < 2 || z <= 0.0 {
        return 0.0;
    }
    z * poisson_cdf(z, k_max - 2)
}

/// Watts' cascade condition as a number: `sum_k k (k - 1) rho_k p_k - z` for Poisson degrees
/// of mean `z`. Positive inside the cascade window, negative outside, zero on its boundaries.
/// **O(K)**.
pub fn er_cascade_condition(z: f64, phi: f64, inequality: Inequality) -> f64 {
    z * (er_branching(z, phi, inequality) - 1.0)
}

/// The cascade window: the mean degrees `lower < z < upper` of an Erdos-Renyi graph where
/// Watts' cascade condition holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// The lower boundary (close to the percolation point `z = 1`).
    pub lower: f64,
    /// The upper boundary (where too few nodes are vulnerable).
    pub upper: f64,
}

/// The cascade window for threshold `phi` on Erdos-Renyi graphs, `None` when the condition
/// holds for no `z` (`K <= 2`, i.e. `phi > 1/3`, or `phi = 1/3` with `>`; also `phi = 0.25`
/// with `>`). Both boundaries are found by bisection to within `1e-12` relative, between
/// `z -> 0` and the branching factor's peak, and between the peak and a `z` past which
/// `P(Poisson(z) <= K - 2)` is negligible. **O(K^2)** (a scan of `4000` points, each
/// `O(K)`); `phi` is in `(0, 1]`.
pub fn er_cascade_window(phi: f64, inequality: Inequality) -> Option<Window> {
    let k_max = vulnerable_max_degree(phi, inequality);
    if k_max < 3 {
        return None;
    }
    let f = |z: f64| er_branching(z, phi, inequality) - 1.0;
    // The branching factor rises from 0 (like z) and falls back to 0 once z is well past K:
    // scan for its peak, then bisect on each side of it.
    let k = f64::from(k_max.min(1 << 20));
    let z_end = 2.0 * k + 10.0 * k.sqrt() + 20.0;
    let points = 4000;
    let mut peak = (0.0, f64::NEG_INFINITY);
    for i in 1..=points {
        let z = z_end * f64::from(i) / f64::from(points);
        let value = f(z);
        if value > peak.1 {
            peak = (z, value);
        }
    }
    if peak.1 <= 0.0 {
        return None;
    }
    let lower = bisect(f, 0.0, peak.0);
    let upper = bisect(f, peak.0, z_end);
    Some(Window { lower, upper })
}

/// The root of `f` in `[a, b]` by bisection, given that `f(a)` and `f(b)` have opposite signs
/// (a zero at `a` counts as the sign of `f(a + )`). 200 halvings, or until the bracket stops
/// shrinking in `f64`.
fn bisect(f: impl Fn(f64) -> f64, mut a: f64, mut b: f64) -> f64 {
    let a_positive = f(a) > 0.0;
    for _ in 0..200 {
        let m = 0.5 * (a + b);
        if m <= a || m >= b {
            break;
        }
        if (f(m) > 0.0) == a_positive {
            a = m;
        } else {
            b = m;
        }
    }
    0.5 * (a + b)
}

/// The share of nodes in the giant component of an Erdos-Renyi graph of mean degree `z` (the
/// limit of large graphs): the largest root of `S = 1 - e^{-z S}` (Erdos and Renyi 1960; e.g.
/// Newman, *Networks*, 2nd ed., eq. 11.16). 0 for `z <= 1`. Bisection; **O(1)**.
pub fn er_giant_component(z: f64) -> f64 {
    if z <= 1.0 {
        return 0.0;
    }
    // h(S) = 1 - e^{-zS} - S is about (z - 1) S - z^2 S^2 / 2 near 0: positive at
    // S = (z - 1) / z^2 and negative at S = 1 (h(1) = -e^{-z}).
    let h = |s: f64| -(-z * s).exp_m1() - s;
    let low = ((z - 1.0) / (z * z)).min(0.5);
    if h(low) <= 0.0 {
        return 0.0;
    }
    bisect(h, low, 1.0)
}

/// The probability that one random seed triggers a global cascade on an Erdos-Renyi graph of
/// mean degree `z` (the branching-process estimate of the "extended vulnerable cluster"): a
/// seed is active whatever its degree, and its cascade is global when one of its edges leads
/// into an infinite cluster of vulnerable nodes. With `q` the probability that following an
/// edge does so, `q = sum_{j=0}^{K-1} P(Poisson(z) = j) (1 - (1 - q)^j)` (the node reached has
/// `j` further edges and is vulnerable when `j + 1 <= K`), and the answer is
/// `1 - e^{-z q}`. Zero outside the cascade window. Iterated from `q = 1`, which converges
/// down to the largest root. **O(K)** per iteration, at most `10^6` iterations (slow only at
/// the window's boundaries).
pub fn er_cascade_probability(z: f64, phi: f64, inequality: Inequality) -> f64 {
    let k_max = vulnerable_max_degree(phi, inequality);
    if k_max == 0 || z <= 0.0 {
        return 0.0;
    }
    let terms = k_max.min(1 << 20);
    let ln_z = z.ln();
    let pmf: Vec<f64> = (0..terms)
        .scan(-z, |log_term, j| {
            if j > 0 {
                *log_term += ln_z - f64::from(j).ln();
            }
            Some(log_term.exp())
        })
        .collect();
    let step = |q: f64| -> f64 {
        let mut miss = 1.0; // (1 - q)^j
        let mut sum = 0.0;
        for p in &pmf {
            sum += p * (1.0 - miss);
            miss *= 1.0 - q;
        }
        sum
    };
    let mut q = 1.0;
    for _ in 0..1_000_000 {
        let next = step(q);
        if (q - next).abs() <= 1e-15 {
            q = next;
            break;
        }
        q = next;
    }
    if q < 1e-9 {
        return 0.0;
    }
    -(-z * q).exp_m1()
}

/// The cut that makes a cascade global in ovation's reproductions: a final active share
/// **above** 0.1. Cascade sizes on these graphs are bimodal (a few nodes, or most of the giant
/// component), so any cut in the gap gives the same counts away from `z = 1`.
pub const GLOBAL_CUT: f64 = 0.1;

/// The global cascades among the replicates of one cell (one mean degree): how often they
/// happen and how large they are.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct GlobalCascades {
    /// Replicates (cascades) in the cell.
    pub replicates: u64,
    /// Cascades whose final active share is above the cut.
    pub global: u64,
    /// Their frequency, `global / replicates`, with its 95% Wilson interval.
    pub frequency: crate::stats::Summary,
    /// The mean final active share of the global cascades, with its 95% Student t interval
    /// (`NaN` when there were none).
    pub mean_size: crate::stats::Summary,
    /// The mean final active share over all replicates.
    pub mean_share: f64,
}

impl GlobalCascades {
    /// Summarises the final active shares of a cell's replicates, a cascade being global when
    /// its share is above `cut`. **O(n)**.
    pub fn from_shares(shares: &[f64], cut: f64) -> GlobalCascades {
        let sizes: Vec<f64> = shares.iter().copied().filter(|&s| s > cut).collect();
        let n = shares.len() as u64;
        GlobalCascades {
            replicates: n,
            global: sizes.len() as u64,
            frequency: crate::stats::wilson(sizes.len() as u64, n, 0.95),
            mean_size: crate::stats::mean_ci(&sizes, 0.95),
            mean_share: if shares.is_empty() {
                f64::NAN
            } else {
                shares.iter().sum::<f64>() / shares.len() as f64
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Inequality::{AtLeast, Greater};
    use super::*;

    #[test]
    fn vulnerable_degrees_follow_the_inequality() {
        assert_eq!(vulnerable_max_degree(0.18, AtLeast), 5); // 1/5 = 0.2 >= 0.18 > 1/6
        assert_eq!(vulnerable_max_degree(0.18, Greater), 5);
        assert_eq!(vulnerable_max_degree(0.2, AtLeast), 5); // 1/5 == 0.2
        assert_eq!(vulnerable_max_degree(0.2, Greater), 4);
        assert_eq!(vulnerable_max_degree(0.25, AtLeast), 4);
        assert_eq!(vulnerable_max_degree(0.25, Greater), 3);
        assert_eq!(vulnerable_max_degree(0.5, AtLeast), 2);
        assert_eq!(vulnerable_max_degree(1.0, AtLeast), 1);
        assert_eq!(vulnerable_max_degree(1.0, Greater), 0);
        assert_eq!(vulnerable_max_degree(1.5, AtLeast), 0);
        assert_eq!(vulnerable_max_degree(0.1, AtLeast), 10);
        assert_eq!(vulnerable_max_degree(0.07, AtLeast), 14);
        assert_eq!(vulnerable_max_degree(0.0, AtLeast), u32::MAX);
    }

    #[test]
    fn exact_ties_activate_only_under_at_least() {
        assert!(AtLeast.activates(1, 5, 0.2));
        assert!(!Greater.activates(1, 5, 0.2));
        // 0.07 * 100 rounds to 7.000000000000001 in f64; the quotient 7/100 does not drift.
        assert!(AtLeast.activates(7, 100, 0.07));
        assert!(!AtLeast.activates(6, 100, 0.07));
    }

    #[test]
    fn poisson_cdf_matches_hand_sums() {
        // P(Poisson(1) <= 3) = e^-1 (1 + 1 + 1/2 + 1/6) = e^-1 * 8/3.
        let expected = (-1.0f64).exp() * 8.0 / 3.0;
        assert!((poisson_cdf(1.0, 3) - expected).abs() < 1e-15);
        assert!((poisson_cdf(2.5, 0) - (-2.5f64).exp()).abs() < 1e-15);
        // Large z: no underflow, and the mean's neighbourhood holds about half the mass.
        let c = poisson_cdf(1000.0, 1000);
        assert!(c > 0.5 && c < 0.52, "{c}");
    }

    /// Reference boundaries from an independent bisection in Python (math.factorial sums,
    /// 200 halvings) of `z P(Poisson(z) <= K - 2) = 1`.
    #[test]
    fn window_for_phi_0_18_is_watts_roughly_1_to_6() {
        let w = er_cascade_window(0.18, AtLeast).expect("a window");
        assert!((w.lower - 1.020_703_908_5).abs() < 1e-8, "{w:?}");
        assert!((w.upper - 5.764_677_087_2).abs() < 1e-8, "{w:?}");
        // The condition vanishes on the boundaries and is positive inside.
        assert!(er_cascade_condition(w.lower, 0.18, AtLeast).abs() < 1e-9);
        assert!(er_cascade_condition(w.upper, 0.18, AtLeast).abs() < 1e-9);
        assert!(er_cascade_condition(3.0, 0.18, AtLeast) > 0.0);
        assert!(er_cascade_condition(0.9, 0.18, AtLeast) < 0.0);
        assert!(er_cascade_condition(6.0, 0.18, AtLeast) < 0.0);
        // By hand at z = 6: 6 e^-6 (1 + 6 + 18 + 36) = 366 e^-6 = 0.907 < 1.
        let b6 = 366.0 * (-6.0f64).exp();
        assert!((er_branching(6.0, 0.18, AtLeast) - b6).abs() < 1e-12);
    }

    #[test]
    fn the_strict_inequality_closes_the_window_at_phi_one_quarter() {
        let w = er_cascade_window(0.25, AtLeast).expect("a window with >=");
        assert!((w.lower - 1.114_141_627_0).abs() < 1e-8, "{w:?}");
        assert!((w.upper - 3.863_068_858_4).abs() < 1e-8, "{w:?}");
        // With >, K = 3 and the branching factor z (1 + z) e^-z peaks at z = golden ratio,
        // where it is phi^3 e^-phi = 0.840 < 1: no window.
        assert_eq!(er_cascade_window(0.25, Greater), None);
        let golden = (1.0 + 5f64.sqrt()) / 2.0;
        let peak = er_branching(golden, 0.25, Greater);
        assert!((peak - golden.powi(3) * (-golden).exp()).abs() < 1e-12);
        // phi = 0.2: > gives K = 4, the window of phi = 0.25 with >=; >= gives K = 5.
        let strict = er_cascade_window(0.2, Greater).expect("a window");
        assert!((strict.upper - w.upper).abs() < 1e-9);
        let weak = er_cascade_window(0.2, AtLeast).expect("a window");
        assert!((weak.upper - 5.764_677_087_2).abs() < 1e-8);
    }

    #[test]
    fn no_window_above_one_third() {
        // K <= 2: the branching factor is at most z e^-z <= 1/e.
        assert_eq!(er_cascade_window(0.34, AtLeast), None);
        assert_eq!(er_cascade_window(0.5, AtLeast), None);
        assert_eq!(er_cascade_window(1.0 / 3.0, Greater), None);
        assert!(er_cascade_window(1.0 / 3.0 - 1e-9, AtLeast).is_none());
    }

    #[test]
    fn small_thresholds_push_the_lower_boundary_to_percolation() {
        let w = er_cascade_window(0.01, AtLeast).expect("a window");
        assert!((w.lower - 1.0).abs() < 1e-6, "{w:?}");
        assert!(w.upper > 80.0, "{w:?}");
    }

    #[test]
    fn giant_component_solves_its_equation() {
        assert_eq!(er_giant_component(0.5), 0.0);
        assert_eq!(er_giant_component(1.0), 0.0);
        // Reference: independent bisection in Python.
        assert!((er_giant_component(2.0) - 0.796_812_130_0).abs() < 1e-9);
        assert!((er_giant_component(1.5) - 0.582_811_643_9).abs() < 1e-9);
        for z in [1.01, 1.2, 3.0, 5.0, 10.0] {
            let s = er_giant_component(z);
            assert!((s - (1.0 - (-z * s).exp())).abs() < 1e-12, "z = {z}");
            assert!(s > 0.0);
        }
    }

    #[test]
    fn cascade_probability_is_zero_outside_the_window() {
        for z in [0.5, 1.0, 6.0, 8.0, 12.0] {
            assert_eq!(er_cascade_probability(z, 0.18, AtLeast), 0.0, "z = {z}");
        }
        for z in [1.5, 2.0, 3.0, 4.0, 5.0, 5.5] {
            let p = er_cascade_probability(z, 0.18, AtLeast);
            assert!(p > 0.0 && p <= er_giant_component(z), "z = {z}: {p}");
        }
    }

    #[test]
    fn a_cell_counts_cascades_above_the_cut() {
        let cell = GlobalCascades::from_shares(&[0.0001, 0.9, 0.1, 0.8, 0.0002], GLOBAL_CUT);
        assert_eq!(
            (cell.replicates, cell.global),
            (5, 2),
            "0.1 itself is not above the cut"
        );
        assert!((cell.frequency.mean - 0.4).abs() < 1e-15);
        assert!((cell.mean_size.mean - 0.85).abs() < 1e-15);
        let none = GlobalCascades::from_shares(&[0.001; 4], GLOBAL_CUT);
        assert_eq!(none.global, 0);
        assert!(none.mean_size.mean.is_nan());
    }

    #[test]
    fn everyone_vulnerable_makes_cascades_as_likely_as_the_giant_component() {
        // With phi so small that every degree that occurs is vulnerable, q solves
        // q = 1 - e^{-z q}, so q = S and the probability 1 - e^{-z S} = S.
        for z in [1.5, 2.0, 4.0] {
            let p = er_cascade_probability(z, 1e-4, AtLeast);
            assert!((p - er_giant_component(z)).abs() < 1e-9, "z = {z}: {p}");
        }
    }
}
