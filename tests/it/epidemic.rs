//! SIR, SIS and Maki-Thompson against their classic results and exact facts: the discrete-time
//! (Reed-Frost type) final-size relation, the discrete-time SIS endemic level, the
//! Maki-Thompson share of ignorants (about 0.203), one hop per step with beta = gamma = 1,
//! direction (infection flows from sources to followers), identical results on 1 and 2
//! threads, and validation messages.
//!
//! Statistical checks use fixed seeds. Each tolerance is 4 standard errors of the replicate
//! mean (sample standard deviation / sqrt(R)), plus, where the reference value is a large-N
//! limit, an allowance of 2/N for its O(1/N) finite-size error (stated at each check).

use std::path::Path;

use ovation::engine::ReplicateResult;
use ovation::engine::measures::Outcome;
use ovation::runner::{load_graph, run_one};
use ovation::scenario::{Scenario, load_str};
use rayon::prelude::*;

fn scenario_in(text: &str, dir: &Path) -> Scenario {
    load_str("test.toml", text, dir, &[]).unwrap_or_else(|e| panic!("{e}"))
}

fn scenario(text: &str) -> Scenario {
    scenario_in(text, Path::new("."))
}

fn run_all(s: &Scenario) -> Vec<ReplicateResult> {
    let g = load_graph(s, None).expect("graph");
    (0..s.replicates)
        .into_par_iter()
        .map(|r| run_one(s, Some(&g), r).expect("runs"))
        .collect()
}

/// Mean and standard error of `name` over the replicates.
fn mean_se(results: &[ReplicateResult], name: &str) -> (f64, f64) {
    let x: Vec<f64> = results.iter().map(|r| r.extra[name]).collect();
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// The root of `f` in `[lo, hi]` (f(lo) and f(hi) of opposite signs), by bisection.
fn root(f: impl Fn(f64) -> f64, mut lo: f64, mut hi: f64) -> f64 {
    let flo = f(lo);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if (f(mid) > 0.0) == (flo > 0.0) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

fn complete(n: u32, seeds: u32, replicates: u32, steps: u32, model: &str) -> String {
    format!(
        "seed = 1927\nreplicates = {replicates}\nsteps = {steps}\n\
         [graph]\ngenerator = \"complete\"\nn = {n}\n\
         [[population]]\n\
         [seeding]\nmethod = \"random\"\nk = {seeds}\n\
         [model]\n{model}\n"
    )
}

#[test]
fn sir_final_size_matches_the_discrete_time_final_size_relation() {
    // A susceptible that escapes the whole epidemic has survived one Bernoulli(beta) trial per
    // step from each infected agent j over its infectious period T_j; so with Z agents ever
    // infected, P(escape) = (1 - beta)^(sum_j T_j), and sum_j T_j ~ Z E[T] (law of large
    // numbers). The large-N final size z then solves
    //     1 - z = s0 (1 - beta)^(N z E[T]),
    // the Reed-Frost relation (E[T] = 1 for gamma = 1) generalised to E[T] = 1 / gamma (a
    // geometric period) or D (`infectious_steps`). 10 random seeds make a minor outbreak
    // negligible (all 10 lines die out with probability ~ 0.2^10).
    let n = 1000u32;
    let nf = f64::from(n);
    let s0 = 1.0 - 10.0 / nf;
    for (recovery, mean_t, beta) in [
        ("gamma = 1.0", 1.0, 0.002_f64),
        ("gamma = 0.5", 2.0, 0.001),
        ("infectious_steps = 3", 3.0, 0.0006),
    ] {
        let model = format!("rule = \"sir\"\nbeta = {beta}\n{recovery}");
        let results = run_all(&scenario(&complete(n, 10, 400, 10_000, &model)));
        for r in &results {
            assert_eq!(r.outcome, Outcome::FixedPoint);
            assert_eq!(r.final_standing, 0.0, "ends at extinction");
        }
        let exponent = nf * mean_t * (-beta).ln_1p();
        let z = root(|z| 1.0 - z - s0 * (exponent * z).exp(), 0.05, 1.0);
        let (mean, se) = mean_se(&results, "ever_infected");
        eprintln!("SIR {recovery}, beta {beta}: final size {mean:.4} +- {se:.4}, relation {z:.4}");
        // Tolerance: 4 SE, plus 2/N for the O(1/N) error of the large-N relation.
        assert!(
            (mean - z).abs() <= 4.0 * se + 2.0 / nf,
            "{recovery}: mean final size {mean:.4}, relation {z:.4}, 4 SE = {:.4}",
            4.0 * se
        );
    }
}

#[test]
fn sis_endemic_level_matches_the_discrete_time_fixed_point() {
    // On a complete graph a susceptible sees all I = i N infected agents, so one step maps
    //     i' = i (1 - gamma) + (1 - i) (1 - (1 - beta)^(N i)),
    // whose positive fixed point i* solves gamma i = (1 - i) (1 - (1 - beta)^(N i)) (to first
    // order in beta, i* = 1 - gamma / (beta N), the continuous-time mean-field value).
    let n = 1000u32;
    let nf = f64::from(n);
    let (beta, gamma): (f64, f64) = (0.002, 0.5);
    let model = format!("rule = \"sis\"\nbeta = {beta}\ngamma = {gamma}");
    let results = run_all(&scenario(&complete(n, 50, 40, 400, &model)));
    for r in &results {
        assert_eq!(r.outcome, Outcome::StepLimit, "no extinction at this size");
    }
    let fixed = root(
        |i| gamma * i - (1.0 - i) * (1.0 - (1.0 - beta).powf(nf * i)),
        0.01,
        1.0,
    );
    let first_order = 1.0 - gamma / (beta * nf);
    let (mean, se) = mean_se(&results, "mean_infected_last_half");
    eprintln!(
        "SIS: endemic level {mean:.4} +- {se:.4}, discrete fixed point {fixed:.4}, \
         first order {first_order:.4}"
    );
    // Tolerance: 4 SE, plus 2/N for the O(1/N) shift of the quasi-stationary mean from the
    // deterministic fixed point.
    assert!(
        (mean - fixed).abs() <= 4.0 * se + 2.0 / nf,
        "endemic {mean:.4}, fixed point {fixed:.4}, 4 SE = {:.4}",
        4.0 * se
    );
}

#[test]
fn maki_thompson_leaves_about_a_fifth_ignorant_on_a_complete_graph() {
    // Maki and Thompson (1973); Sudbury (1985): the share that never hears the rumour tends
    // to theta = 0.2032, the root in (0, 1) of theta = exp(-2 (1 - theta)).
    let n = 2000u32;
    let theta = root(|t| t - (-2.0 * (1.0 - t)).exp(), 0.01, 0.9);
    assert!((theta - 0.2032).abs() < 1e-4);
    let text = format!(
        "seed = 1973\nreplicates = 300\nsteps = 100000\n\
         [graph]\ngenerator = \"complete\"\nn = {n}\n\
         [[population]]\n\
         [seeding]\nmethod = \"nodes\"\nnodes = [0]\n\
         [model]\nrule = \"maki_thompson\"\n"
    );
    let results = run_all(&scenario(&text));
    for r in &results {
        assert_eq!(r.outcome, Outcome::FixedPoint);
        assert_eq!(r.final_standing, 0.0, "no spreader left");
        assert!((r.extra["never_heard"] - r.final_sitting).abs() < 1e-12);
    }
    let (mean, se) = mean_se(&results, "never_heard");
    eprintln!("Maki-Thompson N = {n}: never heard {mean:.4} +- {se:.4}, limit {theta:.4}");
    // Tolerance: 4 SE, plus 2/N for the finite-N error of the limit.
    assert!(
        (mean - theta).abs() <= 4.0 * se + 2.0 / f64::from(n),
        "never heard {mean:.4}, limit {theta:.4}, 4 SE = {:.4}",
        4.0 * se
    );
}

/// A directed path 0 -> 1 -> ... -> n-1 (each agent follows the previous one), written as an
/// edge list in `dir`.
fn path_graph(dir: &Path, n: u32) -> String {
    let edges: String = (0..n - 1).map(|i| format!("{i} {}\n", i + 1)).collect();
    std::fs::write(dir.join("path.txt"), edges).expect("write the path");
    "[graph]\nfile = \"path.txt\"\nfollows = \"second-follows-first\"\nids = \"integer\"\n"
        .to_string()
}

#[test]
fn with_beta_and_gamma_1_infection_moves_one_hop_per_step_downstream_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let graph = path_graph(dir.path(), 12);
    let text = |seed_node: u32, model: &str| {
        format!(
            "seed = 1\n{graph}[[population]]\n[seeding]\nmethod = \"nodes\"\n\
             nodes = [{seed_node}]\n[model]\n{model}\n"
        )
    };
    for model in [
        "rule = \"sir\"\nbeta = 1.0\ngamma = 1.0",
        "rule = \"sir\"\nbeta = 1.0\ninfectious_steps = 1",
    ] {
        let s = scenario_in(&text(0, model), dir.path());
        let r = run_all(&s).remove(0);
        // Step t: agent t infected, agents 0..t recovered; the last recovers at step 12.
        assert_eq!(r.outcome, Outcome::FixedPoint);
        assert_eq!(r.steps, 12);
        for (t, rec) in r.trajectory.iter().enumerate().take(12) {
            assert!((rec.standing - 1.0 / 12.0).abs() < 1e-12, "step {t}");
            assert!((rec.booing - t as f64 / 12.0).abs() < 1e-12, "step {t}");
        }
        assert_eq!(r.extra["ever_infected"], 1.0);
        assert_eq!(r.extra["peak_step"], 0.0);
        // Seeded at the end of the path, nobody follows it: nothing spreads upstream.
        let s = scenario_in(&text(11, model), dir.path());
        let r = run_all(&s).remove(0);
        assert_eq!(r.steps, 1);
        assert!((r.extra["ever_infected"] - 1.0 / 12.0).abs() < 1e-12);
    }
    // Maki-Thompson, synchronous, on the same path: agent t - 1 tells agent t at step t, then
    // meets a spreader and stifles; the last agent has no follower and stays a spreader.
    let s = scenario_in(
        &text(0, "rule = \"maki_thompson\"\nupdate = \"synchronous\""),
        dir.path(),
    );
    let r = run_all(&s).remove(0);
    assert_eq!(r.outcome, Outcome::FixedPoint);
    assert_eq!(r.steps, 12);
    assert_eq!(r.extra["never_heard"], 0.0);
    assert!((r.final_standing - 1.0 / 12.0).abs() < 1e-12);
    assert!((r.final_booing - 11.0 / 12.0).abs() < 1e-12);
}

#[test]
fn with_beta_0_nothing_spreads_and_with_gamma_0_sis_infects_everyone() {
    let model = "rule = \"sir\"\nbeta = 0.0\ngamma = 0.3";
    for r in run_all(&scenario(&complete(200, 5, 20, 1000, model))) {
        assert_eq!(r.outcome, Outcome::FixedPoint);
        assert!((r.extra["ever_infected"] - 5.0 / 200.0).abs() < 1e-12);
        assert!((r.final_booing - 5.0 / 200.0).abs() < 1e-12);
        assert!(r.trajectory.iter().all(|t| t.standing <= 5.0 / 200.0));
    }
    // SIS with gamma = 0: nobody recovers; on a complete graph everyone ends infected, and the
    // run stops at that fixed point (found by the exact scan after a step without change).
    let model = "rule = \"sis\"\nbeta = 0.01\ngamma = 0.0";
    for r in run_all(&scenario(&complete(200, 5, 5, 1000, model))) {
        assert_eq!(r.outcome, Outcome::FixedPoint);
        assert_eq!(r.final_standing, 1.0);
        assert_eq!(r.trajectory.last().expect("steps").standing, 1.0);
    }
}

#[test]
fn results_are_identical_on_one_and_two_threads() {
    // Thousands of infected agents per step, so the parallel chunks are exercised.
    for model in [
        "rule = \"sir\"\nbeta = 0.2\ngamma = 0.3",
        "rule = \"sis\"\nbeta = 0.1\ngamma = 0.3",
        "rule = \"maki_thompson\"\nupdate = \"synchronous\"",
    ] {
        let text = format!(
            "seed = 3\nreplicates = 2\nsteps = 40\n\
             [graph]\ngenerator = \"erdos_renyi\"\nn = 20000\np = 0.0005\n\
             [[population]]\n[seeding]\nmethod = \"random\"\nk = 3000\n\
             [model]\n{model}\n"
        );
        let s = scenario(&text);
        let g = load_graph(&s, None).expect("graph");
        let in_pool = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool")
                .install(|| {
                    (0..s.replicates)
                        .map(|r| run_one(&s, Some(&g), r).expect("runs"))
                        .collect::<Vec<_>>()
                })
        };
        let one = in_pool(1);
        assert_eq!(one, in_pool(2), "{model}");
        assert!(one[0].trajectory.iter().skip(1).any(|t| t.changes > 100));
    }
}

#[test]
fn bad_epidemic_parameters_are_rejected_with_precise_messages() {
    let base = "seed = 1\n[graph]\ngenerator = \"complete\"\nn = 10\n[[population]]\n[model]\n";
    let err = |model: &str| match load_str("e.toml", &format!("{base}{model}"), Path::new("."), &[])
    {
        Ok(_) => panic!("{model}: accepted"),
        Err(e) => e.to_string(),
    };
    let e = err("rule = \"sir\"\nbeta = 1.5\ngamma = -0.1\n");
    assert!(
        e.contains("e.toml:8:8: model.beta: expected a probability in [0, 1], found 1.5"),
        "{e}"
    );
    assert!(
        e.contains("e.toml:9:9: model.gamma: expected a probability in [0, 1], found -0.1"),
        "{e}"
    );
    let e = err("rule = \"sir\"\nbeta = 0.5\n");
    assert!(
        e.contains("model.gamma: expected a recovery probability"),
        "{e}"
    );
    let e = err("rule = \"sir\"\nbeta = 0.5\ngamma = 0.1\ninfectious_steps = 2\n");
    assert!(e.contains("model.infectious_steps: expected either"), "{e}");
    let e = err("rule = \"sis\"\nbeta = 0.5\ngamma = 2\n");
    assert!(
        e.contains("model.gamma: expected a probability in [0, 1], found 2"),
        "{e}"
    );
    let e = err("rule = \"maki_thompson\"\nupdate = \"sometimes\"\n");
    assert!(e.contains("model.update"), "{e}");
}
