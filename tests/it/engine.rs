//! The engine against hand-computed tables and the Standing Ovation model's known behaviour:
//! no conformity keeps the initial share, conformity helps the initial majority, front-row
//! plants beat back-row plants, synchronous and asynchronous timing can end apart, the
//! incremental engine does work proportional to change, and threads never change a result.
//!
//! Statistical checks use fixed seeds; each states its tolerance in standard errors computed
//! from the replicates themselves.

use ovation::engine::RuleSpec;
use ovation::engine::{Outcome, ReplicateResult, Setup, StopRule, TimingSpec, run_replicate};
use ovation::graph::FollowerGraph;
use ovation::graph::generators::{GeneratorSpec, generate};
use ovation::model::{Agents, ClassSpec, TieRule};
use ovation::rng::replicate_key;

fn theater(rows: u32, seats: u32, cone: u32) -> (FollowerGraph, GeneratorSpec) {
    let spec = GeneratorSpec::Theater { rows, seats, cone };
    (generate(&spec, 0).expect("valid theater"), spec)
}

fn class(toml_text: &str) -> ClassSpec {
    toml::from_str(toml_text).expect("valid class")
}

fn sop(quality: f64, tie: TieRule) -> RuleSpec {
    RuleSpec::Sop(ovation::model::SopParams {
        quality,
        tie,
        noise: 0.0,
    })
}

struct Run<'a> {
    graph: &'a FollowerGraph,
    spec: Option<&'a GeneratorSpec>,
    classes: Vec<ClassSpec>,
    rule: RuleSpec,
    timing: TimingSpec,
    stop: StopRule,
    seed: u64,
}

impl Run<'_> {
    fn replicate(&self, r: u32) -> ReplicateResult {
        let key = replicate_key(self.seed, u64::from(r));
        let agents = Agents::sample(
            self.graph.node_count(),
            &self.classes,
            self.rule.quality(),
            key,
        );
        run_replicate(Setup {
            graph: self.graph,
            agents: &agents,
            rule: &self.rule,
            timing: &self.timing,
            stop: self.stop,
            key,
            replicate: r,
            theater: self.spec.and_then(GeneratorSpec::theater_layout),
            brand: None,
        })
        .expect("a setup built from a checked graph runs")
    }

    fn replicates(&self, count: u32) -> Vec<ReplicateResult> {
        (0..count).map(|r| self.replicate(r)).collect()
    }
}

const STOP: StopRule = StopRule {
    max_steps: 200,
    at_fixed_point: true,
};

/// Mean and standard error of the mean.
fn mean_se(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

fn audience(conformity: &str) -> ClassSpec {
    class(&format!(
        "noise = {{ dist = \"uniform\", low = -0.5, high = 0.5 }}\nthreshold = 0.5\nconformity = {conformity}"
    ))
}

#[test]
fn a_3x3_theater_follows_the_hand_computed_table() {
    let (g, spec) = theater(3, 3, 1);
    // Initial actions (1 = stand), row 0 (the front) first:
    //   1 0 0 / 0 1 1 / 1 0 1.  X = 0.5 for all, ties keep.
    let mut standers = class("name = \"standers\"\ninitial = \"stand\"\nconformity = 0.5");
    standers.nodes = Some(vec![0, 4, 5, 6, 8]);
    let mut sitters = class("name = \"sitters\"\ninitial = \"sit\"\nconformity = 0.5");
    sitters.nodes = Some(vec![1, 2, 3, 7]);
    let run = Run {
        graph: &g,
        spec: Some(&spec),
        classes: vec![standers, sitters],
        rule: sop(0.0, TieRule::Keep),
        timing: TimingSpec::Synchronous,
        stop: STOP,
        seed: 1,
    };
    let r = run.replicate(0);
    // Worked by hand (each agent sees its side neighbours and the three seats ahead):
    // step 1: 0 0 0 / 1 0 0 / 0 1 1; step 2: 0 0 0 / 0 0 0 / 1 0 0; step 3: all sit.
    let standing: Vec<f64> = r.trajectory.iter().map(|s| s.standing * 9.0).collect();
    let rounded: Vec<i64> = standing.iter().map(|x| x.round() as i64).collect();
    assert_eq!(rounded, vec![5, 3, 1, 0]);
    let changes: Vec<u64> = r.trajectory.iter().map(|s| s.changes).collect();
    assert_eq!(changes, vec![0, 6, 4, 1]);
    assert_eq!(r.outcome, Outcome::FixedPoint);
    assert_eq!(r.steps, 3);
    assert_eq!(r.final_standing_by_seat, vec![0; 9]);
}

#[test]
fn without_conformity_the_final_share_is_the_initial_share() {
    let (g, spec) = theater(20, 20, 1);
    let run = Run {
        graph: &g,
        spec: Some(&spec),
        classes: vec![audience("1.0")],
        rule: sop(0.5, TieRule::Coin),
        timing: TimingSpec::Synchronous,
        stop: STOP,
        seed: 7,
    };
    for r in run.replicates(30) {
        assert_eq!(r.final_standing, r.initial_standing);
        assert_eq!(r.cascade_size, 0);
        assert_eq!(r.outcome, Outcome::FixedPoint);
    }
}

/// With conformity X ~ U(0.3, 0.7) the initial majority gains. 60 replicates each; the mean
/// gain must exceed 4 standard errors of the per-replicate gains, in the right direction.
#[test]
fn conformity_helps_the_initial_majority() {
    let (g, spec) = theater(20, 20, 1);
    let conformity = "{ dist = \"uniform\", low = 0.3, high = 0.7 }";
    for (quality, majority_stands) in [(0.65, true), (0.35, false)] {
        let run = Run {
            graph: &g,
            spec: Some(&spec),
            classes: vec![audience(conformity)],
            rule: sop(quality, TieRule::Coin),
            timing: TimingSpec::Synchronous,
            stop: STOP,
            seed: 11,
        };
        let results = run.replicates(60);
        let gains: Vec<f64> = results
            .iter()
            .map(|r| r.final_standing - r.initial_standing)
            .collect();
        let (initial, _) = mean_se(
            &results
                .iter()
                .map(|r| r.initial_standing)
                .collect::<Vec<_>>(),
        );
        assert_eq!(initial > 0.5, majority_stands, "initial share {initial}");
        let (gain, se) = mean_se(&gains);
        if majority_stands {
            assert!(gain > 4.0 * se, "q = {quality}: gain {gain}, se {se}");
        } else {
            assert!(gain < -4.0 * se, "q = {quality}: gain {gain}, se {se}");
        }
    }
}

/// k = 10 committed standers in the front row move the final share more than the same 10 in
/// the back row. Paired by replicate (same signals), 40 pairs; the mean paired difference must
/// exceed 4 standard errors.
#[test]
fn front_row_plants_move_the_audience_more_than_back_row_plants() {
    let (rows, seats) = (20, 20);
    let (g, spec) = theater(rows, seats, 3);
    let conformity = "{ dist = \"uniform\", low = 0.2, high = 0.6 }";
    let final_share = |nodes: Vec<u32>| {
        let mut plants = class("name = \"plants\"\nfixed = \"stand\"");
        plants.nodes = Some(nodes);
        let run = Run {
            graph: &g,
            spec: Some(&spec),
            classes: vec![plants, audience(conformity)],
            rule: sop(0.3, TieRule::Coin),
            timing: TimingSpec::Synchronous,
            stop: STOP,
            seed: 5,
        };
        run.replicates(40)
            .iter()
            .map(|r| r.final_standing)
            .collect::<Vec<f64>>()
    };
    let front = final_share((5..15).collect());
    let back = final_share(((rows - 1) * seats + 5..(rows - 1) * seats + 15).collect());
    let diffs: Vec<f64> = front.iter().zip(&back).map(|(f, b)| f - b).collect();
    let (d, se) = mean_se(&diffs);
    assert!(d > 4.0 * se && d > 0.0, "front - back = {d}, se {se}");
}

#[test]
fn synchronous_and_asynchronous_timing_can_end_apart() {
    // Two agents who see only each other, one standing, one sitting, X = 0.5: synchronously
    // they swap for ever (a period-2 cycle); one at a time, the first to move copies the
    // other and they agree.
    let g = FollowerGraph::from_edges(2, vec![(0, 1), (1, 0)], None, Default::default());
    let mut a = class("name = \"a\"\ninitial = \"stand\"");
    a.nodes = Some(vec![0]);
    let mut b = class("name = \"b\"\ninitial = \"sit\"");
    b.nodes = Some(vec![1]);
    let mut run = Run {
        graph: &g,
        spec: None,
        classes: vec![a, b],
        rule: sop(0.0, TieRule::Coin),
        timing: TimingSpec::Synchronous,
        stop: STOP,
        seed: 3,
    };
    let sync = run.replicate(0);
    assert_eq!(sync.outcome, Outcome::Cycle);
    assert_eq!(sync.cycle_period, 2);
    assert_eq!(sync.final_standing, 0.5);
    for timing in [TimingSpec::AsyncRandom, TimingSpec::AsyncIncentive] {
        run.timing = timing;
        let r = run.replicate(0);
        assert_eq!(r.outcome, Outcome::FixedPoint);
        assert!(r.final_standing == 0.0 || r.final_standing == 1.0);
    }
}

#[test]
fn a_cascade_that_settles_touches_few_edges() {
    let (g, spec) = theater(100, 100, 2);
    let run = Run {
        graph: &g,
        spec: Some(&spec),
        classes: vec![audience("{ dist = \"uniform\", low = 0.6, high = 1.0 }")],
        rule: sop(0.5, TieRule::Keep),
        timing: TimingSpec::Synchronous,
        stop: StopRule {
            max_steps: 50,
            at_fixed_point: false,
        },
        seed: 9,
    };
    let r = run.replicate(0);
    let m = g.edge_count();
    let changes: u64 = r.trajectory.iter().map(|s| s.changes).sum();
    assert!(changes > 0, "the test needs some conformity");
    // A full sweep would visit 50 * m edges; the incremental engine visits m to build the
    // counts plus the followers of each change.
    assert!(r.edge_visits < 2 * m, "{} visits, m = {m}", r.edge_visits);
    assert!(r.edge_visits * 25 < 50 * m);
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
        .install(f)
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    // 40,000 agents: large enough for the parallel revision and the parallel recount paths.
    let (g, spec) = theater(200, 200, 1);
    for timing in [
        TimingSpec::Synchronous,
        TimingSpec::AsyncRandom,
        TimingSpec::AsyncIncentive,
    ] {
        let run = Run {
            graph: &g,
            spec: Some(&spec),
            classes: vec![audience("{ dist = \"uniform\", low = 0.2, high = 0.8 }")],
            rule: RuleSpec::Sop(ovation::model::SopParams {
                quality: 0.55,
                tie: TieRule::Coin,
                noise: 0.01,
            }),
            timing: timing.clone(),
            stop: StopRule {
                max_steps: 15,
                at_fixed_point: true,
            },
            seed: 21,
        };
        let one = in_pool(1, || run.replicate(0));
        let four = in_pool(4, || run.replicate(0));
        assert_eq!(one, four, "{timing:?}");
    }
}

#[test]
fn a_different_seed_gives_a_different_result() {
    let (g, spec) = theater(20, 20, 1);
    let mk = |seed| Run {
        graph: &g,
        spec: Some(&spec),
        classes: vec![audience("0.5")],
        rule: sop(0.5, TieRule::Coin),
        timing: TimingSpec::Synchronous,
        stop: STOP,
        seed,
    };
    assert_ne!(mk(1).replicate(0), mk(2).replicate(0));
    assert_eq!(mk(1).replicate(0), mk(1).replicate(0));
}

#[test]
fn delayed_timing_with_unit_latency_is_synchronous() {
    let (g, spec) = theater(20, 20, 2);
    let mk = |timing| Run {
        graph: &g,
        spec: Some(&spec),
        classes: vec![audience("{ dist = \"uniform\", low = 0.3, high = 0.7 }")],
        rule: sop(0.5, TieRule::Keep),
        timing,
        stop: STOP,
        seed: 4,
    };
    let sync = mk(TimingSpec::Synchronous).replicates(10);
    let delayed = mk(TimingSpec::Delayed {
        latency: ovation::engine::LatencySpec::Constant { steps: 1 },
    })
    .replicates(10);
    assert_eq!(sync, delayed);
    // Front rows react first: with a latency growing by row, the back rows' first change
    // comes later than under synchronous timing, and the run takes more steps.
    let slow = mk(TimingSpec::Delayed {
        latency: ovation::engine::LatencySpec::ViewerRow { per_row: 1.0 },
    })
    .replicates(10);
    let steps = |rs: &[ReplicateResult]| rs.iter().map(|r| r.steps).sum::<u32>();
    assert!(steps(&slow) > steps(&sync));
}

#[test]
fn latencies_past_the_last_step_are_never_seen_and_cost_nothing() {
    let (g, spec) = theater(20, 20, 1);
    let run = Run {
        graph: &g,
        spec: Some(&spec),
        classes: vec![audience("{ dist = \"uniform\", low = 0.3, high = 0.7 }")],
        rule: sop(0.5, TieRule::Keep),
        timing: TimingSpec::Delayed {
            latency: ovation::engine::LatencySpec::Agent {
                dist: ovation::model::Dist::Value(4e9),
            },
        },
        stop: StopRule {
            max_steps: 5,
            at_fixed_point: true,
        },
        seed: 2,
    };
    let r = run.replicate(0);
    // Step 1 revises everyone from the initial counts; what changes then never arrives.
    assert_eq!(r.outcome, Outcome::StepLimit);
    let after_first = r.trajectory[1].standing;
    assert!(r.trajectory[2..].iter().all(|s| s.standing == after_first));
}
