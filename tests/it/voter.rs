//! The voter, majority and q-voter rules against facts derived exactly: fixation probabilities
//! and mean consensus times of the birth-death chains they form on a complete graph, majority
//! consensus in one synchronous step, the period-2 cycle of the alternating ring, q = 1 being
//! the voter model draw for draw, identical results on 1 and 2 threads, and precise validation
//! messages.
//!
//! Statistical checks use fixed seeds; each tolerance is 4 standard errors of the estimate
//! (binomial for a probability, the sample standard deviation over sqrt(R) for a mean), so a
//! correct implementation fails with probability below 1e-4 per check.

use std::path::Path;

use ovation::engine::ReplicateResult;
use ovation::engine::measures::Outcome;
use ovation::runner::{load_graph, run_one};
use ovation::scenario::{Scenario, load_str};
use rayon::prelude::*;

fn scenario(text: &str) -> Scenario {
    load_str("test.toml", text, Path::new("."), &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// Every replicate of `s` (in parallel over replicates; each is deterministic).
fn run_all(s: &Scenario) -> Vec<ReplicateResult> {
    let g = load_graph(s, None).expect("graph");
    (0..s.replicates)
        .into_par_iter()
        .map(|r| run_one(s, Some(&g), r).expect("runs"))
        .collect()
}

/// A complete graph of `n` agents, `ones` of them (a share) starting at opinion 1 (`stand`).
fn complete(n: u32, ones: f64, replicates: u32, model: &str) -> String {
    format!(
        "seed = 2024\nreplicates = {replicates}\nsteps = 1000000\n\
         [graph]\ngenerator = \"complete\"\nn = {n}\n\
         [[population]]\nname = \"ones\"\nshare = {ones}\ninitial = \"stand\"\n\
         [[population]]\nname = \"zeros\"\nshare = {}\ninitial = \"sit\"\n\
         [model]\n{model}\n",
        1.0 - ones
    )
}

/// Fixation probability of opinion 1 and mean absorption time (in micro-steps) from each
/// count `j` of ones, for the birth-death chain with up probabilities `up[j]` and down
/// probabilities `down[j]` per micro-step (`j = 0..=n`): solves
/// `(u_j + d_j) x_j - u_j x_{j+1} - d_j x_{j-1} = r_j` by the Thomas algorithm.
fn birth_death(up: &[f64], down: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = up.len() - 1;
    let solve = |rhs: &dyn Fn(usize) -> f64, top: f64| -> Vec<f64> {
        // Unknowns x_1..x_{n-1}; x_0 = 0, x_n = top.
        let m = n - 1;
        let (mut c, mut d) = (vec![0.0; m], vec![0.0; m]);
        for k in 0..m {
            let j = k + 1;
            let (a, b, cc) = (-down[j], up[j] + down[j], -up[j]);
            let mut r = rhs(j);
            if j == n - 1 {
                r += up[j] * top;
            }
            let denom = if k == 0 { b } else { b - a * c[k - 1] };
            c[k] = if j == n - 1 { 0.0 } else { cc / denom };
            d[k] = if k == 0 {
                r / denom
            } else {
                (r - a * d[k - 1]) / denom
            };
        }
        let mut x = vec![0.0; n + 1];
        x[n] = top;
        for k in (0..m).rev() {
            x[k + 1] = d[k] - if k + 1 < m { c[k] * x[k + 2] } else { 0.0 };
        }
        x
    };
    (solve(&|_| 0.0, 1.0), solve(&|_| 1.0, 0.0))
}

/// The q-voter chain on a complete graph of `n` (each agent's sources are the other n - 1),
/// epsilon = 0: an agent at 0 among `j` ones moves up when its panel is all ones.
fn q_voter_chain(n: usize, q: i32, repetition: bool) -> (Vec<f64>, Vec<f64>) {
    let nf = n as f64;
    let choose =
        |a: f64, b: i32| (0..b).fold(1.0, |acc, i| acc * (a - f64::from(i)) / f64::from(i + 1));
    let all = |ones: f64| {
        if repetition {
            (ones / (nf - 1.0)).powi(q)
        } else {
            choose(ones, q) / choose(nf - 1.0, q)
        }
    };
    let up: Vec<f64> = (0..=n)
        .map(|j| (nf - j as f64) / nf * all(j as f64))
        .collect();
    let down: Vec<f64> = (0..=n)
        .map(|j| j as f64 / nf * all((n - j) as f64))
        .collect();
    birth_death(&up, &down)
}

fn fixation_share(results: &[ReplicateResult]) -> f64 {
    for r in results {
        assert_eq!(
            r.outcome,
            Outcome::FixedPoint,
            "every replicate reaches consensus"
        );
        assert_eq!(r.extra["consensus"], 1.0);
    }
    results.iter().filter(|r| r.final_standing == 1.0).count() as f64 / results.len() as f64
}

fn assert_probability(measured: f64, expected: f64, r: usize, what: &str) {
    let se = (expected * (1.0 - expected) / r as f64).sqrt();
    eprintln!("{what}: measured {measured:.4}, expected {expected:.4}, SE {se:.4}, R = {r}");
    assert!(
        (measured - expected).abs() <= 4.0 * se,
        "{what}: measured {measured:.4}, expected {expected:.4} (4 SE = {:.4})",
        4.0 * se
    );
}

#[test]
fn voter_fixation_probability_is_the_initial_share_and_consensus_time_is_exact() {
    // N = 100, 30 ones. The number of ones is a martingale, so P(fixation of 1) = 0.3.
    let s = scenario(&complete(100, 0.3, 3000, "rule = \"voter\""));
    let results = run_all(&s);
    let p = fixation_share(&results);
    assert_probability(p, 0.3, results.len(), "async voter fixation");
    // Mean consensus time: the chain moves up or down with j (n - j) / (n (n - 1)) each per
    // micro-step; consensus_time is in steps of n micro-steps.
    let n = 100;
    let up: Vec<f64> = (0..=n)
        .map(|j| (j * (n - j)) as f64 / (n * (n - 1)) as f64)
        .collect();
    let (phi, t) = birth_death(&up, &up);
    assert!((phi[30] - 0.3).abs() < 1e-9);
    let expected = t[30] / n as f64;
    let times: Vec<f64> = results.iter().map(|r| r.extra["consensus_time"]).collect();
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    let sd =
        (times.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (times.len() - 1) as f64).sqrt();
    let se = sd / (times.len() as f64).sqrt();
    eprintln!("voter consensus time: mean {mean:.3} steps, exact {expected:.3}, SE {se:.3}");
    assert!(
        (mean - expected).abs() <= 4.0 * se,
        "mean consensus time {mean:.2} steps, exact {expected:.2} (4 SE = {:.2})",
        4.0 * se
    );
    // The run ends at the step in which consensus was reached.
    for r in &results {
        assert_eq!(r.steps, r.extra["consensus_time"].ceil() as u32);
    }
}

#[test]
fn synchronous_voter_fixation_probability_is_the_initial_share() {
    // Synchronous copying on a complete graph: E[ones after] = sum_i (ones - x_i) / (n - 1)
    // = ones, still a martingale.
    let s = scenario(&complete(
        50,
        0.3,
        3000,
        "rule = \"voter\"\nupdate = \"synchronous\"",
    ));
    let results = run_all(&s);
    let p = fixation_share(&results);
    assert_probability(p, 0.3, results.len(), "sync voter fixation");
}

#[test]
fn q_voter_fixation_follows_its_birth_death_chain() {
    // q = 2, epsilon = 0 on a complete graph of 40 from 18 ones: the nonlinearity favours the
    // majority, so fixation of the minority opinion is below its share 0.45; with and without
    // repetition the chains differ, and each matches its own.
    let n = 40;
    for (repetition, policy) in [(true, ""), (false, "small_in_degree = \"skip\"")] {
        let model = format!("rule = \"q_voter\"\nq = 2\nrepetition = {repetition}\n{policy}");
        let s = scenario(&complete(n as u32, 0.45, 3000, &model));
        let results = run_all(&s);
        let p = fixation_share(&results);
        let (phi, _) = q_voter_chain(n, 2, repetition);
        assert!(phi[18] < 0.4, "the chain favours the majority: {}", phi[18]);
        assert_probability(
            p,
            phi[18],
            results.len(),
            &format!("q-voter fixation (repetition = {repetition})"),
        );
    }
}

#[test]
fn q_voter_with_q_1_is_the_voter_model_draw_for_draw() {
    for update in ["asynchronous", "synchronous"] {
        let ring = |model: &str| {
            format!(
                "seed = 5\nreplicates = 4\nsteps = 400\n\
                 [graph]\ngenerator = \"watts_strogatz\"\nn = 60\nk = 4\nbeta = 0.2\n\
                 [[population]]\nname = \"ones\"\nshare = 0.5\ninitial = \"stand\"\n\
                 [[population]]\nname = \"zeros\"\nshare = 0.5\n\
                 [model]\n{model}\nupdate = \"{update}\"\n"
            )
        };
        let voter = run_all(&scenario(&ring("rule = \"voter\"")));
        let q1 = run_all(&scenario(&ring("rule = \"q_voter\"\nq = 1\nepsilon = 0.3")));
        assert_eq!(voter, q1, "{update}");
        assert!(voter.iter().any(|r| r.trajectory.len() > 10));
    }
}

#[test]
fn majority_reaches_consensus_in_one_synchronous_step_from_60_40() {
    // On a complete graph of 100 with 60 ones, an agent at 1 sees 59 ones of 99 and an agent at
    // 0 sees 60 of 99: everyone takes 1 in the first synchronous step.
    for tie in ["keep", "coin"] {
        let s = scenario(&complete(
            100,
            0.6,
            3,
            &format!("rule = \"majority\"\nupdate = \"synchronous\"\ntie = \"{tie}\""),
        ));
        for r in run_all(&s) {
            assert_eq!(r.outcome, Outcome::FixedPoint);
            assert_eq!(r.steps, 1);
            assert_eq!(r.final_standing, 1.0);
            assert_eq!(r.trajectory[1].changes, 40);
        }
    }
}

/// A ring of `n` (each agent follows its two neighbours) with the listed agents at 1.
fn ring(n: u32, ones: &[u32], model: &str, replicates: u32) -> String {
    format!(
        "seed = 9\nreplicates = {replicates}\nsteps = 10000\n\
         [graph]\ngenerator = \"watts_strogatz\"\nn = {n}\nk = 2\nbeta = 0.0\n\
         [[population]]\nname = \"ones\"\nnodes = {ones:?}\ninitial = \"stand\"\n\
         [[population]]\nname = \"zeros\"\n\
         [model]\n{model}\n"
    )
}

#[test]
fn synchronous_majority_on_an_alternating_ring_cycles_with_period_2() {
    // With two sources, an agent whose neighbours both differ from it adopts their opinion; a
    // 1-1 split is a tie, kept. On 0101... every agent is outvoted, so all flip every step.
    let ones: Vec<u32> = (0..20).filter(|i| i % 2 == 1).collect();
    let s = scenario(&ring(
        20,
        &ones,
        "rule = \"majority\"\nupdate = \"synchronous\"",
        1,
    ));
    let r = &run_all(&s)[0];
    assert_eq!(r.outcome, Outcome::Cycle);
    assert_eq!(r.cycle_period, 2);
    assert_eq!(r.steps, 2);
    assert!(r.trajectory[1..].iter().all(|t| t.changes == 20));
}

#[test]
fn majority_on_a_ring_freezes_with_no_isolated_agent() {
    // Synchronous, keep: exactly the agents whose two neighbours both differ flip, so from
    // 1 1 0 1 0 0 0 1 0 0 (agents 0, 1, 3, 7 at 1) agents 2, 3 and 7 flip: 1 1 1 0 0 0 0 0 0 0,
    // a fixed point after one step. Asynchronous, from a random half: the run always ends at a
    // fixed point in which every agent agrees with at least one neighbour (runs of length >= 2).
    let s = scenario(&ring(
        10,
        &[0, 1, 3, 7],
        "rule = \"majority\"\nupdate = \"synchronous\"",
        1,
    ));
    let r = &run_all(&s)[0];
    assert_eq!(r.outcome, Outcome::FixedPoint);
    assert_eq!(r.steps, 1);
    assert_eq!(r.trajectory[1].changes, 3);
    assert!((r.final_standing - 0.3).abs() < 1e-12);

    // Asynchronous, keep, from the alternating ring of 20: only an agent outvoted by both
    // neighbours changes, and its change removes exactly 2 of the 20 boundaries between
    // unlike neighbours; runs of length >= 2 never change again. So every replicate ends at a
    // fixed point (never a cycle) after at most 10 changes in all, at least one.
    let ones: Vec<u32> = (0..20).filter(|i| i % 2 == 1).collect();
    let s = scenario(&ring(20, &ones, "rule = \"majority\"", 50));
    for r in run_all(&s) {
        assert_eq!(r.outcome, Outcome::FixedPoint);
        let total: u64 = r.trajectory.iter().map(|t| t.changes).sum();
        assert!((1..=10).contains(&total), "{total} changes");
        // A fixed point of a ring under majority-keep has every run of length >= 2, so at most
        // 10 boundaries remain: 10 changes from 20 boundaries leave 0 (consensus) only if the
        // last run closed; whatever remains, the share moved by at most total / 20.
        assert!((r.final_standing - 0.5).abs() <= total as f64 / 20.0 + 1e-12);
    }
}

#[test]
fn results_are_identical_on_one_and_two_threads() {
    // Synchronous voter and q-voter on 20 000 agents: parallel decisions over agents.
    for model in [
        "rule = \"voter\"\nupdate = \"synchronous\"",
        "rule = \"q_voter\"\nq = 3\nepsilon = 0.1\nupdate = \"synchronous\"",
        "rule = \"majority\"\nupdate = \"synchronous\"\ntie = \"coin\"",
    ] {
        let text = format!(
            "seed = 3\nreplicates = 2\nsteps = 30\n\
             [graph]\ngenerator = \"erdos_renyi\"\nn = 20000\np = 0.0005\n\
             [[population]]\nname = \"ones\"\nshare = 0.4\ninitial = \"stand\"\n\
             [[population]]\nname = \"zeros\"\nshare = 0.6\n\
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
        assert!(one[0].trajectory.iter().skip(1).any(|t| t.changes > 0));
    }
}

#[test]
fn bad_q_voter_parameters_are_rejected_with_precise_messages() {
    let base = "seed = 1\n[graph]\ngenerator = \"complete\"\nn = 10\n[[population]]\n[model]\n";
    let err = |model: &str| match load_str("q.toml", &format!("{base}{model}"), Path::new("."), &[])
    {
        Ok(_) => panic!("{model}: accepted"),
        Err(e) => e.to_string(),
    };
    let e = err("rule = \"q_voter\"\nq = 0\nepsilon = 1.5\n");
    assert!(
        e.contains("q.toml:8:5: model.q: expected an integer >= 1 (the panel size), found 0"),
        "{e}"
    );
    assert!(
        e.contains("q.toml:9:11: model.epsilon: expected a probability in [0, 1], found 1.5"),
        "{e}"
    );
    let e = err("rule = \"q_voter\"\nq = -2\n");
    assert!(
        e.contains("model.q: expected an integer >= 1 (the panel size), found -2"),
        "{e}"
    );
    let e = err("rule = \"q_voter\"\nq = 3\nrepetition = false\n");
    assert!(
        e.contains("model.small_in_degree: expected \"skip\", \"use_all\" or \"with_repetition\""),
        "{e}"
    );
    let e = err("rule = \"q_voter\"\nq = 3\nsmall_in_degree = \"skip\"\n");
    assert!(
        e.contains("model.small_in_degree: expected no value with repetition = true"),
        "{e}"
    );
    let e = err("rule = \"majority\"\ntie = \"random\"\n");
    assert!(e.contains("model.tie"), "{e}");
}

/// Fixation share of opinion 1 over `reps` replicates of `model` on an undirected star (hub 0
/// and `leaves` leaves, each tie both ways), with agent `seed` alone at opinion 1.
fn star_fixation(model: &str, leaves: u32, seed: u32, reps: u32) -> f64 {
    use ovation::graph::{BuildOptions, FollowerGraph};
    let edges = (1..=leaves).flat_map(|l| [(0, l), (l, 0)]).collect();
    let g = FollowerGraph::from_edges(leaves + 1, edges, None, BuildOptions::default());
    let s = scenario(&format!(
        "seed = 17\nreplicates = {reps}\nsteps = 100000\n\
         [graph]\ngenerator = \"complete\"\nn = {}\n[[population]]\nname = \"all\"\n\
         [model]\n{model}\n[seeding]\nmethod = \"nodes\"\nnodes = [{seed}]\n",
        leaves + 1
    ));
    let results: Vec<ReplicateResult> = (0..reps)
        .into_par_iter()
        .map(|r| run_one(&s, Some(&g), r).expect("runs"))
        .collect();
    fixation_share(&results)
}

#[test]
fn invasion_process_fixation_on_a_star_is_the_inverse_degree_weighted_share() {
    // The invasion (reverse voter) process: a uniformly chosen agent imposes its opinion on one
    // of its followers chosen uniformly. Its martingale is sum_i x_i / k_i (Sood, Antal and
    // Redner, Phys. Rev. E 77, 041121, 2008), so a single agent i at opinion 1 fixes with
    // probability (1 / k_i) / sum_j (1 / k_j). On a star of L = 4 leaves: a leaf fixes with
    // 1 / (4 + 1/4) = 4/17, the hub with (1/4) / (4 + 1/4) = 1/17. The node-update voter model
    // weighs by degree instead: a leaf 1/8, the hub 1/2 (checked too, so the two processes are
    // told apart). Tolerances: 4 binomial standard errors (assert_probability).
    let reps = 4000;
    let invasion = "rule = \"voter\"\nprocess = \"invasion\"";
    let p = star_fixation(invasion, 4, 1, reps);
    assert_probability(p, 4.0 / 17.0, reps as usize, "invasion, leaf seeded");
    let p = star_fixation(invasion, 4, 0, reps);
    assert_probability(p, 1.0 / 17.0, reps as usize, "invasion, hub seeded");
    let p = star_fixation("rule = \"voter\"", 4, 1, reps);
    assert_probability(p, 1.0 / 8.0, reps as usize, "voter, leaf seeded");
    let p = star_fixation("rule = \"voter\"", 4, 0, reps);
    assert_probability(p, 0.5, reps as usize, "voter, hub seeded");
}

#[test]
fn invasion_process_needs_asynchronous_updating() {
    let base = "seed = 1\n[graph]\ngenerator = \"complete\"\nn = 10\n[[population]]\n[model]\n";
    let text =
        format!("{base}rule = \"voter\"\nprocess = \"invasion\"\nupdate = \"synchronous\"\n");
    let e = load_str("v.toml", &text, Path::new("."), &[])
        .expect_err("refused")
        .to_string();
    assert!(
        e.contains("v.toml") && e.contains("model.process") && e.contains("asynchronous"),
        "{e}"
    );
}
