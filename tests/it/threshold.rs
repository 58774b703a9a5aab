//! The `threshold` rule (Granovetter 1978, Watts 2002) against a plain reimplementation of the
//! C anchor (`benches/peers/c/threshold.c`, both its sweep and its incremental loop), on
//! generated graphs: same final active set, same steps. Also: the "at least" inequality,
//! absolute and weighted thresholds, Granovetter's riot through a scenario, identical results
//! for 1 and 2 threads, and the validation messages.

use proptest::prelude::*;

use ovation::engine::RuleSpec;
use ovation::engine::rules::threshold::{Cascade, NEVER, Needs, fractional_need, fractional_needs};
use ovation::graph::generators::{GeneratorSpec, generate};
use ovation::graph::{BuildOptions, FollowerGraph};
use ovation::model::threshold::{ThresholdParams, Thresholds};
use ovation::runner::run_one;
use ovation::scenario;

/// The C file's `run_sweep`, transcribed: returns (final active, steps).
fn c_sweep(g: &FollowerGraph, phi: &[f64], seeds: &[u32]) -> (u64, u64, Vec<u8>) {
    let n = g.node_count() as usize;
    let mut active = vec![0u8; n];
    let mut count = 0;
    for &s in seeds {
        if active[s as usize] == 0 {
            active[s as usize] = 1;
            count += 1;
        }
    }
    let mut steps = 0;
    loop {
        let mut fresh = Vec::new();
        for v in 0..n as u32 {
            let d = g.sources(v).len();
            if active[v as usize] != 0 || d == 0 {
                continue;
            }
            let c: u32 = g
                .sources(v)
                .iter()
                .map(|&j| u32::from(active[j as usize]))
                .sum();
            if f64::from(c) / d as f64 >= phi[v as usize] {
                fresh.push(v);
            }
        }
        if fresh.is_empty() {
            return (count, steps, active);
        }
        for &v in &fresh {
            active[v as usize] = 1;
        }
        count += fresh.len() as u64;
        steps += 1;
    }
}

/// Random directed graph: `m` edges from a small LCG (duplicates and self-loops dropped).
fn random_graph(n: u32, m: usize, seed: u64, skew: bool) -> FollowerGraph {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) as u32
    };
    let edges = (0..m)
        .map(|_| {
            let a = next() % n;
            // Skewed sources: low ids are hubs (many followers), as in BA graphs.
            let u = if skew {
                (a as u64 * a as u64 / n as u64) as u32
            } else {
                a
            };
            (u, next() % n)
        })
        .collect();
    FollowerGraph::from_edges(n, edges, None, BuildOptions::default())
}

fn cascade(g: &FollowerGraph, phi: &[f64], seeds: &[u32]) -> (u64, u64, Vec<u8>, u64) {
    let need: Vec<i32> = (0..g.node_count())
        .map(|v| fractional_need(g.sources(v).len() as u64, phi[v as usize]))
        .collect();
    let mut c = Cascade::new(
        g.source_adjacency(),
        g.follower_adjacency(),
        None,
        need,
        seeds,
    );
    c.run(u32::MAX);
    let active = (0..g.node_count())
        .map(|v| u8::from(c.is_active(v)))
        .collect();
    (c.active_count, u64::from(c.steps), active, c.visits)
}

fn phis(n: u32, seed: u64, constant: Option<f64>) -> Vec<f64> {
    (0..n)
        .map(|i| match constant {
            Some(p) => p,
            None => {
                let h = (u64::from(i) ^ seed).wrapping_mul(0x9E3779B97F4A7C15);
                (h >> 11) as f64 / (1u64 << 53) as f64
            }
        })
        .collect()
}

#[test]
fn need_is_the_least_count_passing_the_float_test() {
    for d in 1..200u64 {
        for phi in [
            0.0,
            0.1,
            0.18,
            0.2,
            1.0 / 3.0,
            0.5,
            0.7,
            0.99,
            1.0,
            1.5,
            -0.1,
        ] {
            let want = (0..=d)
                .find(|&c| c as f64 / d as f64 >= phi)
                .map_or(NEVER, |c| c as i32);
            assert_eq!(fractional_need(d, phi), want, "d = {d}, phi = {phi}");
        }
    }
    assert_eq!(fractional_need(0, 0.0), NEVER, "no sources: never adopts");
}

#[test]
fn matches_the_c_sweep_on_fixed_graphs() {
    // Short full cascades (pull-heavy), long partial ones (push-heavy) and mixed ones.
    for (n, m, seed, skew, phi, k) in [
        (2000, 20000, 1, true, Some(0.18), 2),
        (2000, 20000, 2, false, Some(0.18), 20),
        (3000, 30000, 3, false, None, 30),
        (3000, 30000, 4, true, None, 30),
        (5000, 12000, 5, false, Some(0.3), 50),
        (500, 500, 6, false, Some(0.0), 1),
    ] {
        let g = random_graph(n, m, seed, skew);
        let phi = phis(n, seed, phi);
        let seeds: Vec<u32> = (0..k).map(|i| (i * 7919) % n).collect();
        let (ra, rs, ract) = c_sweep(&g, &phi, &seeds);
        let (a, s, act, _) = cascade(&g, &phi, &seeds);
        assert_eq!((a, s), (ra, rs), "n = {n}, seed = {seed}");
        assert_eq!(act, ract);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn matches_the_c_sweep_on_random_graphs(
        n in 2u32..300, per in 0usize..8, seed in 0u64..1000, skew: bool,
        constant in proptest::option::of(0.0f64..=1.0), k in 1u32..10,
    ) {
        let g = random_graph(n, n as usize * per, seed, skew);
        let phi = phis(n, seed, constant);
        let seeds: Vec<u32> = (0..k).map(|i| (i * 31 + seed as u32) % n).collect();
        let (ra, rs, ract) = c_sweep(&g, &phi, &seeds);
        let (a, s, act, _) = cascade(&g, &phi, &seeds);
        prop_assert_eq!((a, s), (ra, rs));
        prop_assert_eq!(act, ract);
    }
}

#[test]
fn one_and_two_threads_agree() {
    // Large enough for parallel pulls and pushes (frontiers above 65536 follower edges).
    let g =
        generate(&GeneratorSpec::BarabasiAlbert { n: 60_000, m: 8 }, 3).expect("valid generator");
    for (constant, k) in [(Some(0.18), 60u32), (None, 600)] {
        let phi = phis(g.node_count(), 9, constant);
        let seeds: Vec<u32> = (0..k).map(|i| i * 97 % g.node_count()).collect();
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool")
                .install(|| cascade(&g, &phi, &seeds))
        };
        let (one, two) = (run(1), run(2));
        assert_eq!(one, two);
        let (ra, rs, _) = c_sweep(&g, &phi, &seeds);
        assert_eq!((one.0, one.1), (ra, rs));
    }
}

#[test]
fn adopts_at_exactly_phi() {
    // 0 -> 2, 1 -> 2: agent 2 has two sources; with 0 active the share is exactly 0.5.
    let g = FollowerGraph::from_edges(3, vec![(0, 2), (1, 2)], None, BuildOptions::default());
    let (a, s, _, _) = cascade(&g, &[1.0, 1.0, 0.5], &[0]);
    assert_eq!(
        (a, s),
        (2, 1),
        "a share equal to phi adopts (at least, not more than)"
    );
    let (a, _, _, _) = cascade(&g, &[1.0, 1.0, 0.5 + 1e-12], &[0]);
    assert_eq!(a, 1);
}

fn riot(k: &[f64]) -> ovation::engine::ReplicateResult {
    let list: Vec<String> = k.iter().map(|x| x.to_string()).collect();
    let text = format!(
        "name = \"riot\"\nseed = 1\nreplicates = 1\nsteps = 300\nstop_at_fixed_point = true\n\
         [graph]\ngenerator = \"complete\"\nn = {}\n[[population]]\nname = \"crowd\"\n\
         [model]\nrule = \"threshold\"\nk = [{}]\n[timing]\nscheme = \"synchronous\"\n",
        k.len(),
        list.join(", ")
    );
    let s = scenario::load_str("riot.toml", &text, std::path::Path::new("."), &[])
        .expect("valid scenario");
    run_one(&s, None, 0).expect("runs")
}

#[test]
fn granovetters_riot_all_or_one() {
    let mut k: Vec<f64> = (0..100).map(f64::from).collect();
    let r = riot(&k);
    assert_eq!(r.final_standing, 1.0, "all 100 riot");
    assert_eq!(r.steps, 100, "one new rioter a step");
    k[1] = 2.0;
    let r = riot(&k);
    assert_eq!(r.final_standing, 0.01, "only the instigator riots");
    assert_eq!(r.steps, 1);
}

#[test]
fn weighted_shares_use_edge_weights() {
    // Agent 2 follows 0 (weight 3) and 1 (weight 1): with 0 active its weighted share is 0.75.
    let g = FollowerGraph::from_edges(
        3,
        vec![(0, 2), (1, 2)],
        Some(vec![3.0, 1.0]),
        BuildOptions::default(),
    );
    let run = |phi: f64, weighted: bool| {
        let mut p = ThresholdParams::fractional(Thresholds::List(vec![1.0, 1.0, phi]));
        p.weighted = weighted;
        let units = ovation::engine::rules::threshold::Units::new(&g).expect("weights");
        let units = weighted.then_some(&units);
        let t = p.thresholds(3, 0).expect("list fits");
        let need = ovation::engine::rules::threshold::needs(&g, &p, &t, units);
        let mut c = Cascade::new(
            g.source_adjacency(),
            g.follower_adjacency(),
            units,
            need,
            &[0],
        );
        c.run(10);
        c.active_count
    };
    assert_eq!(run(0.75, true), 2);
    assert_eq!(run(0.76, true), 1);
    assert_eq!(run(0.75, false), 1, "unweighted share is 0.5");
    assert_eq!(run(0.5, false), 2);
}

#[test]
fn validate_rejects_bad_thresholds() {
    let bad = |model: &str| {
        let text = format!(
            "name = \"x\"\nseed = 1\nreplicates = 1\nsteps = 10\n[graph]\ngenerator = \
             \"complete\"\nn = 3\n[[population]]\nname = \"all\"\n[model]\nrule = \
             \"threshold\"\n{model}\n[timing]\nscheme = \"synchronous\"\n"
        );
        let e = scenario::load_str("x.toml", &text, std::path::Path::new("."), &[])
            .expect_err("invalid");
        e.to_string()
    };
    let e = bad("phi = 1.2");
    assert!(e.contains("model.phi") && e.contains("found 1.2"), "{e}");
    let e = bad("k = -1");
    assert!(e.contains("model.k") && e.contains("non-negative"), "{e}");
    let e = bad("weighted = true");
    assert!(
        e.contains("model.phi") && e.contains("found neither"),
        "{e}"
    );
}

#[test]
fn list_of_the_wrong_length_is_a_run_time_error() {
    let text = "name = \"x\"\nseed = 1\nreplicates = 1\nsteps = 10\n[graph]\ngenerator = \
                \"complete\"\nn = 3\n[[population]]\nname = \"all\"\n[model]\nrule = \
                \"threshold\"\nk = [0, 1]\n[timing]\nscheme = \"synchronous\"\n";
    let s = scenario::load_str("x.toml", text, std::path::Path::new("."), &[]).expect("valid");
    let e = run_one(&s, None, 0)
        .expect_err("list of 2 for 3 agents")
        .to_string();
    assert!(e.contains("model.k") && e.contains("3 agents"), "{e}");
    assert!(matches!(s.model, RuleSpec::Threshold(_)));
}

/// A scenario of the `threshold` rule on `graph` (a `[graph]` body) with `model` (more
/// `[model]` keys) and `extra` tables, `replicates` replicates.
fn threshold_scenario(
    graph: &str,
    model: &str,
    extra: &str,
    replicates: u32,
) -> scenario::Scenario {
    let text = format!(
        "name = \"t\"\nseed = 1978\nreplicates = {replicates}\nsteps = 10000\n\
         stop_at_fixed_point = true\n[graph]\n{graph}\n[[population]]\nname = \"all\"\n\
         [model]\nrule = \"threshold\"\n{model}\n[timing]\nscheme = \"synchronous\"\n{extra}"
    );
    scenario::load_str("t.toml", &text, std::path::Path::new("."), &[])
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn strict_variant_adopts_only_above_the_threshold() {
    // Watts' rule on a directed ring where each agent follows its two neighbours (a
    // Watts-Strogatz ring, k = 2, no rewiring): one seed gives each neighbour a share of
    // exactly 1/2. With phi = 1/2, `>=` (Watts) adopts and the cascade goes round the ring of
    // 20, one agent more on each side per step: all 20 active after 10 steps. `>` adopts only
    // above 1/2: the seed stays alone and nothing happens.
    let ring = "generator = \"watts_strogatz\"\nn = 20\nk = 2\nbeta = 0";
    let seed = "[seeding]\nmethod = \"nodes\"\nnodes = [0]";
    let at_least = threshold_scenario(ring, "phi = 0.5", seed, 1);
    let r = run_one(&at_least, None, 0).expect("runs");
    assert_eq!((r.final_standing, r.steps), (1.0, 10));
    let above = threshold_scenario(ring, "phi = 0.5\nstrict = true", seed, 1);
    let r = run_one(&above, None, 0).expect("runs");
    assert_eq!((r.final_standing, r.steps), (0.05, 0));
    // Absolute form, Granovetter's riot of 100 with k = 0, 1, ..., 99: under `>` the
    // instigator (k = 0) needs more than 0 rioters, so nobody riots (under `>=` all 100 do).
    let k: Vec<String> = (0..100).map(|x: u32| x.to_string()).collect();
    let riot = threshold_scenario(
        "generator = \"complete\"\nn = 100",
        &format!("k = [{}]\nstrict = true", k.join(", ")),
        "",
        1,
    );
    let r = run_one(&riot, None, 0).expect("runs");
    assert_eq!((r.final_standing, r.steps), (0.0, 0));
}

/// The standard normal CDF (statrs, independent of the code under test).
fn normal_cdf(x: f64, mean: f64, sd: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    Normal::new(mean, sd).expect("valid").cdf(x)
}

#[test]
fn granovetter_normal_thresholds_reach_the_fixed_point_of_f() {
    // Granovetter (1978): with thresholds (shares of the crowd) drawn from F, the rioting share
    // follows r(t + 1) = F(r(t)) from r(0) = 0, so the expected cascade is the smallest fixed
    // point r* of F. Normal(0.6, 0.4) puts F(0) = 6.7% of its mass at or below 0: instigators
    // who riot at step 1 with nobody else. The fixed point is stable (F'(r*) = 0.47).
    let (mu, sd) = (0.6, 0.4);
    let mut r_star = 0.0;
    for _ in 0..10_000 {
        r_star = normal_cdf(r_star, mu, sd);
    }
    assert!((r_star - 0.1105).abs() < 1e-3, "fixed point {r_star}");
    let n = 500;
    let reps = 400u32;
    let s = threshold_scenario(
        &format!("generator = \"complete\"\nn = {n}"),
        &format!("phi = {{ dist = \"normal\", mean = {mu}, sd = {sd} }}"),
        "",
        reps,
    );
    let g = ovation::runner::load_graph(&s, None).expect("graph");
    let finals: Vec<f64> = (0..reps)
        .map(|i| run_one(&s, Some(&g), i).expect("runs").final_standing)
        .collect();
    let m = finals.iter().sum::<f64>() / f64::from(reps);
    let var = finals.iter().map(|x| (x - m).powi(2)).sum::<f64>() / f64::from(reps - 1);
    let se = (var / f64::from(reps)).sqrt();
    // Tolerance: 4 standard errors of the mean over the replicates (about 0.005). The finite
    // crowd's bias against the infinite-crowd fixed point is about 0.0006 at n = 500 (a plain
    // simulation of the same process, 3000 replicates), well inside.
    eprintln!("granovetter normal: mean {m:.4}, fixed point {r_star:.4}, SE {se:.4}");
    assert!(
        (m - r_star).abs() < 4.0 * se,
        "mean {m}, fixed point {r_star}, se {se}"
    );
    assert!(finals.iter().all(|&x| x > 0.0), "instigators always riot");
}

/// The least `c` in `0..=d` with `(c as f64) / (d as f64) >= phi` by the search the C loop
/// does (`run_incr` in benches/peers/c/threshold.c), the reference for the closed form.
fn need_by_search(d: u64, phi: f64) -> i32 {
    if d == 0 {
        return NEVER;
    }
    let df = d as f64;
    let x = phi * df;
    let mut c = if x <= 0.0 || x.is_nan() {
        0
    } else {
        (x as u64).min(d + 1)
    };
    while c > 0 && (c - 1) as f64 / df >= phi {
        c -= 1;
    }
    while c <= d && (c as f64) / df < phi {
        c += 1;
    }
    if c > d { NEVER } else { c as i32 }
}

#[test]
fn closed_form_need_equals_the_search_near_every_boundary() {
    // Thresholds at, just above and just below every share k / d (where rounding decides),
    // plus pseudo-random ones, for every in-degree up to 600 and a few large ones.
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let degrees = (1..600u64).chain([1_000, 4_097, 65_536, 1_000_003, 2_000_000_000]);
    for d in degrees {
        let ks: Vec<u64> = if d < 600 {
            (0..=d).collect()
        } else {
            (0..200).map(|i| i * d / 199).collect()
        };
        for k in ks {
            let share = k as f64 / d as f64;
            for phi in [share, share.next_up(), share.next_down()] {
                assert_eq!(
                    fractional_need(d, phi),
                    need_by_search(d, phi),
                    "d {d} phi {phi:e}"
                );
            }
        }
        for _ in 0..50 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            let phi = (x >> 11) as f64 / (1u64 << 53) as f64;
            assert_eq!(
                fractional_need(d, phi),
                need_by_search(d, phi),
                "d {d} phi {phi:e}"
            );
        }
    }
    for phi in [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -0.0,
        1.0,
        1.0f64.next_up(),
    ] {
        assert_eq!(fractional_need(7, phi), need_by_search(7, phi), "phi {phi}");
    }
}

#[test]
fn needs_in_bulk_equal_the_need_of_each() {
    // `fractional_needs` (vector divisions where the processor has them) against
    // `fractional_need` and the search, agent by agent: shares at, above and below every
    // k / d, thresholds outside (0, 1], NaN, and counts up to and past `NEVER`.
    let mut cases: Vec<(u64, f64)> = Vec::new();
    for d in (0..70u64).chain([2_147_483_645, 2_147_483_646, 2_147_483_647, 3_000_000_000]) {
        let ks: Vec<u64> = if d < 70 {
            (0..=d).collect()
        } else {
            vec![0, 1, d / 3, d - 1, d]
        };
        for k in ks {
            let share = k as f64 / d.max(1) as f64;
            for phi in [share, share.next_up(), share.next_down()] {
                cases.push((d, phi));
            }
        }
        for phi in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -0.0,
            0.0,
            -0.3,
            1.0,
            1.5,
            1e300,
        ] {
            cases.push((d, phi));
        }
    }
    // An odd length, so the loop's tail after the vectors runs too.
    cases.push((5, 0.5));
    assert_ne!(cases.len() % 8, 0, "{}", cases.len());
    let mut offsets = vec![0u64];
    for &(d, _) in &cases {
        offsets.push(offsets.last().unwrap() + d);
    }
    let phi: Vec<f64> = cases.iter().map(|c| c.1).collect();
    let mut need = vec![-7; cases.len()];
    fractional_needs(&offsets, &phi, &mut need);
    for (&(d, p), &got) in cases.iter().zip(&need) {
        assert_eq!(got, fractional_need(d, p), "d {d} phi {p:e}");
        let want = if d >= NEVER as u64 {
            NEVER
        } else {
            need_by_search(d, p)
        };
        assert_eq!(got, want, "d {d} phi {p:e}");
    }
}

/// Every step's adopters (sorted), the final active flags, the edge visits and whether each
/// step pulled, of `c` (over `n` agents) run to its end.
type Trace = (Vec<Vec<u32>>, Vec<bool>, u64, Vec<bool>);

fn trace(c: &mut Cascade<'_>, n: u32) -> Trace {
    let mut steps = Vec::new();
    let mut pulled = Vec::new();
    while let Some(info) = c.step() {
        let mut a = c.adopted().to_vec();
        a.sort_unstable();
        steps.push(a);
        pulled.push(info.pulled);
    }
    let active = (0..n).map(|v| c.is_active(v)).collect();
    (steps, active, c.visits, pulled)
}

#[test]
fn lazy_needs_parallel_pushes_and_restarts_change_nothing() {
    // Needs computed when first reached (small cascades stay lazy to the end, large ones
    // compute the rest at once) against needs given beforehand; pushes forced parallel on two
    // threads against serial pushes on one; a cascade restarted after another run against a
    // fresh one; pulls from lists of the pending agents against sweeps of all agents. Every
    // step's adopters, the pull/push choices and the edge visits must match.
    let g =
        generate(&GeneratorSpec::BarabasiAlbert { n: 20_000, m: 6 }, 5).expect("valid generator");
    let n = g.node_count();
    let (src, fol) = (g.source_adjacency(), g.follower_adjacency());
    for (constant, k) in [(Some(0.18), 20u32), (Some(0.5), 5), (None, 200), (None, 2)] {
        let mut phi = phis(n, 13, constant);
        // Instigators (phi <= 0), agents that never adopt (phi > 1) and a NaN threshold.
        phi[3] = 0.0;
        phi[17] = -0.5;
        phi[29] = 1.5;
        phi[31] = f64::NAN;
        let seeds: Vec<u32> = (0..k).map(|i| i * 7919 % n).collect();
        let given: Vec<i32> = (0..n)
            .map(|v| fractional_need(g.sources(v).len() as u64, phi[v as usize]))
            .collect();
        let reference = {
            let mut c = Cascade::new(src, fol, None, given.clone(), &seeds);
            trace(&mut c, n)
        };
        let lazy = {
            let mut c = Cascade::empty(src, fol, None, n as usize);
            c.restart(Needs::Fractional(&phi), &seeds);
            trace(&mut c, n)
        };
        assert_eq!(lazy, reference, "lazy needs, phi {constant:?}");
        let restarted = {
            let other = phis(n, 99, Some(0.05));
            let mut c = Cascade::empty(src, fol, None, n as usize);
            c.restart(Needs::Fractional(&other), &[0, 1, 2]);
            trace(&mut c, n);
            c.restart(Needs::Fractional(&phi), &seeds);
            trace(&mut c, n)
        };
        assert_eq!(restarted, reference, "restarted, phi {constant:?}");
        let parallel = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .expect("pool")
            .install(|| {
                let mut c = Cascade::empty(src, fol, None, n as usize);
                c.set_parallel_push_edges(0);
                c.restart(Needs::Fractional(&phi), &seeds);
                trace(&mut c, n)
            });
        assert_eq!(parallel, reference, "parallel pushes, phi {constant:?}");
        // Every pull after the first from a list of the pending agents, or every pull a
        // sweep of all agents in order, on one and two threads.
        for (fraction, threads) in [(0, 1), (u64::MAX, 1), (0, 2), (u64::MAX, 2)] {
            let pulls = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool")
                .install(|| {
                    let mut c = Cascade::empty(src, fol, None, n as usize);
                    c.set_dense_pull_fraction(fraction);
                    c.restart(Needs::Fractional(&phi), &seeds);
                    trace(&mut c, n)
                });
            assert_eq!(
                pulls, reference,
                "pull lists at fraction {fraction}, {threads} threads, phi {constant:?}"
            );
        }
        assert!(
            !reference.0.is_empty(),
            "the cascade takes at least one step"
        );
    }
}
