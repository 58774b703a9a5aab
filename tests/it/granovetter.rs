//! Granovetter's riot (American Journal of Sociology 83(6), 1978): 100 agents with absolute
//! thresholds 0, 1, ..., 99 on a complete graph all riot, one new rioter a step; replacing the
//! threshold-1 agent by a threshold-2 one leaves the instigator rioting alone. The model is
//! deterministic (no random draw), so the outcomes are asserted exactly, step by step.

use std::path::{Path, PathBuf};

use ovation::engine::{Outcome, ReplicateResult};
use ovation::runner::{load_graph, run_one};
use ovation::scenario::{Scenario, load};

fn scenario(file: &str, overrides: &[&str]) -> Scenario {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/validation")
        .join(file);
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    load(&path, &overrides).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn riot(s: &Scenario) -> ReplicateResult {
    let graph = load_graph(s, None).expect("the complete graph");
    assert_eq!(graph.node_count(), 100);
    assert_eq!(graph.edge_count(), 100 * 99, "everyone sees everyone else");
    run_one(s, Some(&graph), 0).expect("a replicate")
}

/// The rioting share recorded at each step, from step 0.
fn rioting(r: &ReplicateResult) -> Vec<f64> {
    r.trajectory.iter().map(|t| t.standing).collect()
}

#[test]
fn thresholds_zero_to_ninety_nine_all_riot_one_a_step() {
    let r = riot(&scenario("granovetter-riot.toml", &[]));
    assert_eq!(r.outcome, Outcome::FixedPoint);
    assert_eq!(
        r.steps, 100,
        "one new rioter per step, the last at step 100"
    );
    assert_eq!(r.final_standing, 1.0, "all 100 riot");
    assert_eq!(r.cascade_size, 100);
    let shares = rioting(&r);
    assert_eq!(shares.len(), 101, "steps 0 to 100");
    for (t, share) in shares.iter().enumerate() {
        // At step t the agents with thresholds 0..t-1 riot: exactly t of them.
        assert_eq!(*share, t as f64 / 100.0, "step {t}");
    }
}

#[test]
fn raising_the_threshold_one_agent_to_two_stops_the_riot_at_one() {
    let r = riot(&scenario("granovetter-riot-perturbed.toml", &[]));
    assert_eq!(r.outcome, Outcome::FixedPoint);
    assert_eq!(r.final_standing, 0.01, "only the instigator riots");
    assert_eq!(r.cascade_size, 1);
    assert_eq!(r.steps, 1);
    assert_eq!(rioting(&r), vec![0.0, 0.01]);
}

#[test]
fn the_perturbation_as_an_override_gives_the_same_riot() {
    // `--set model.k.1=2` on the original crowd is the perturbed file.
    let by_override = riot(&scenario("granovetter-riot.toml", &["model.k.1=2"]));
    let by_file = riot(&scenario("granovetter-riot-perturbed.toml", &[]));
    assert_eq!(by_override.final_standing, 0.01);
    assert_eq!(rioting(&by_override), rioting(&by_file));
    // And the other way round: restoring the threshold-1 agent brings the full riot back.
    let restored = riot(&scenario(
        "granovetter-riot-perturbed.toml",
        &["model.k.1=1"],
    ));
    assert_eq!(restored.final_standing, 1.0);
    assert_eq!(restored.steps, 100);
}
