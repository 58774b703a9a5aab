//! The `bass` rule (Bass 1969) against its difference equation on a complete graph.
//!
//! On a complete graph of `N` agents a non-adopter sees `A / (N - 1)` of its sources adopted,
//! so the number of adopters is a Markov chain: `A(t+1) = A(t) + Binomial(N - A(t),
//! min(1, p + q A(t) / (N - 1)))`. The test computes the exact expectation `E[A(t)] / N` by
//! propagating the chain's whole distribution (an independent computation, not the code under
//! test), checks that the simulated mean adoption curve matches it within sampling error, and
//! that it stays within a small, computed distance of the deterministic Bass difference
//! equation `F(t+1) = F(t) + (p + q F(t))(1 - F(t))`.

use std::path::Path;

use ovation::runner::{load_graph, run_one};
use ovation::scenario::load_str;

const P: f64 = 0.03;
const Q: f64 = 0.38;
const N: usize = 1000;
const STEPS: usize = 25;
const REPLICATES: u32 = 200;

fn scenario(graph: &str, replicates: u32) -> ovation::scenario::Scenario {
    let text = format!(
        "name = \"bass-test\"\nseed = 1969\nreplicates = {replicates}\nsteps = {STEPS}\n\
         stop_at_fixed_point = true\n\n[graph]\n{graph}\n\n[[population]]\nname = \"all\"\n\n\
         [model]\nrule = \"bass\"\np = {P}\nq = {Q}\n"
    );
    load_str("bass-test.toml", &text, Path::new("."), &[]).expect("valid scenario")
}

/// Mean share standing at steps 0..=STEPS over `r` replicates (a replicate that stopped early
/// keeps its final share) and each step's standard error.
fn mean_curve(s: &ovation::scenario::Scenario) -> (Vec<f64>, Vec<f64>) {
    let graph = load_graph(s, None).expect("graph");
    let mut runs = Vec::new();
    for r in 0..s.replicates {
        let res = run_one(s, Some(&graph), r).expect("runs");
        let mut f: Vec<f64> = res.trajectory.iter().map(|x| x.standing).collect();
        let last = *f.last().expect("step 0");
        f.resize(STEPS + 1, last);
        runs.push(f);
    }
    let k = runs.len() as f64;
    let mean: Vec<f64> = (0..=STEPS)
        .map(|t| runs.iter().map(|f| f[t]).sum::<f64>() / k)
        .collect();
    let se = (0..=STEPS)
        .map(|t| {
            let v = runs.iter().map(|f| (f[t] - mean[t]).powi(2)).sum::<f64>() / (k - 1.0);
            (v / k).sqrt()
        })
        .collect();
    (mean, se)
}

/// `E[A(t)] / N` for t = 0..=STEPS, by propagating the distribution of the adopter count.
fn exact_expectation(n: usize) -> Vec<f64> {
    let mut ln_fact = vec![0.0f64; n + 1];
    for k in 1..=n {
        ln_fact[k] = ln_fact[k - 1] + (k as f64).ln();
    }
    let pmf = |m: usize, k: usize, pi: f64| -> f64 {
        if pi <= 0.0 {
            return f64::from(u8::from(k == 0));
        }
        if pi >= 1.0 {
            return f64::from(u8::from(k == m));
        }
        (ln_fact[m] - ln_fact[k] - ln_fact[m - k]
            + k as f64 * pi.ln()
            + (m - k) as f64 * (1.0 - pi).ln())
        .exp()
    };
    let mut dist = vec![0.0f64; n + 1];
    dist[0] = 1.0;
    let mut out = vec![0.0];
    for _ in 0..STEPS {
        let mut next = vec![0.0f64; n + 1];
        for (a, &w) in dist.iter().enumerate() {
            if w < 1e-300 {
                continue;
            }
            let pi = (P + Q * a as f64 / (n - 1) as f64).min(1.0);
            let m = n - a;
            for k in 0..=m {
                next[a + k] += w * pmf(m, k, pi);
            }
        }
        dist = next;
        out.push(
            dist.iter()
                .enumerate()
                .map(|(a, w)| a as f64 * w)
                .sum::<f64>()
                / n as f64,
        );
    }
    out
}

/// The Bass difference equation from F(0) = 0.
fn bass_curve() -> Vec<f64> {
    let mut f = vec![0.0];
    for t in 0..STEPS {
        let x = f[t];
        f.push(x + (P + Q * x) * (1.0 - x));
    }
    f
}

#[test]
fn complete_graph_follows_the_bass_difference_equation() {
    let s = scenario(&format!("generator = \"complete\"\nn = {N}"), REPLICATES);
    let (mean, se) = mean_curve(&s);
    let exact = exact_expectation(N);
    let bass = bass_curve();
    // The mean-field curve differs from the exact expectation by O(1/N) (q Var F and the
    // N / (N - 1) of self-exclusion); measured here, it must be small.
    let bias = exact
        .iter()
        .zip(&bass)
        .map(|(e, b)| (e - b).abs())
        .fold(0.0, f64::max);
    assert!(bias < 0.003, "exact vs Bass curve differ by {bias}");
    for t in 0..=STEPS {
        // 4 standard errors of the mean of 200 replicates (plus 1e-4 where the spread is 0):
        // over 26 steps a false alarm has probability below 0.2% (the seed is fixed anyway).
        let tol = 4.0 * se[t] + 1e-4;
        assert!(
            (mean[t] - exact[t]).abs() <= tol,
            "step {t}: simulated mean {} vs exact expectation {} (tolerance {tol})",
            mean[t],
            exact[t]
        );
        assert!(
            (mean[t] - bass[t]).abs() <= tol + bias,
            "step {t}: simulated mean {} vs Bass {}",
            mean[t],
            bass[t]
        );
    }
    // The curve is the S-shape: the peak of new adoptions lies where Bass puts it,
    // t* = ln(q/p) / (p + q) ~ 6.2 (continuous time); the discrete curve peaks at step 7 or 8.
    let gains: Vec<f64> = mean.windows(2).map(|w| w[1] - w[0]).collect();
    let peak = gains
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i + 1)
        .expect("steps");
    assert!((7..=8).contains(&peak), "peak adoption at step {peak}");
}

#[test]
fn no_word_of_mouth_is_geometric() {
    // q = 0: each non-adopter adopts with probability p per step, independently of the graph:
    // E[F(t)] = 1 - (1 - p)^t exactly (on a sparse graph too).
    let text = String::from(
        "name = \"bass-p\"\nseed = 7\nreplicates = 40\nsteps = 20\n\n[graph]\n\
         generator = \"barabasi_albert\"\nn = 2000\nm = 3\n\n[[population]]\nname = \"all\"\n\n\
         [model]\nrule = \"bass\"\np = 0.1\nq = 0\n",
    );
    let s = load_str("bass-p.toml", &text, Path::new("."), &[]).expect("valid");
    let graph = load_graph(&s, None).expect("graph");
    let mut sum = 0.0;
    for r in 0..s.replicates {
        let res = run_one(&s, Some(&graph), r).expect("runs");
        sum += res.trajectory[10].standing;
    }
    let mean = sum / f64::from(s.replicates);
    let expected = 1.0 - 0.9f64.powi(10);
    // Binomial SE of a share over 40 x 2000 agents: sqrt(F (1 - F) / 80000) ~ 0.0017.
    assert!(
        (mean - expected).abs() < 4.0 * 0.0017,
        "{mean} vs {expected}"
    );
}

#[test]
fn adopters_stay_and_a_full_adoption_is_a_fixed_point() {
    let s = scenario("generator = \"complete\"\nn = 200", 3);
    let graph = load_graph(&s, None).expect("graph");
    for r in 0..3 {
        let res = run_one(&s, Some(&graph), r).expect("runs");
        let f: Vec<f64> = res.trajectory.iter().map(|x| x.standing).collect();
        assert!(
            f.windows(2).all(|w| w[1] >= w[0]),
            "adoption never falls: {f:?}"
        );
        if res.final_standing == 1.0 {
            assert_eq!(res.outcome.name(), "fixed_point");
        }
        assert!(res.extra.contains_key("peak_adoption_step"));
    }
}

#[test]
fn bad_coefficients_are_rejected() {
    let text = "name = \"x\"\n[graph]\ngenerator = \"complete\"\nn = 5\n[[population]]\n\
                name = \"a\"\n[model]\nrule = \"bass\"\np = -0.1\nq = 0.4\n";
    let err = load_str("x.toml", text, Path::new("."), &[])
        .expect_err("rejected")
        .to_string();
    assert!(
        err.contains("model.p: expected a coefficient of innovation >= 0 (finite), found -0.1"),
        "{err}"
    );
}
