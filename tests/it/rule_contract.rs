//! The rule contract (issue 12, item 3): rules defined here, in a test, through
//! [`ovation::engine::Rule`] alone, run end to end with the library's jobs and give the results
//! their definitions imply, computed here independently of the engine.

use std::collections::VecDeque;

use ovation::engine::run::{Ctx, Ending};
use ovation::engine::{CustomRule, Outcome, Rule, RuleSpec};
use ovation::jobs::{self, JobOptions};
use ovation::model::{Action, Problem};
use ovation::output::FolderMode;
use ovation::rng::{Purpose, Stream};

/// "Reach": an agent stands once any of its sources stood at the end of the previous step
/// (the deterministic contagion of a threshold of one source). Reads the engine's counts.
#[derive(Debug)]
struct Reach;

impl Rule for Reach {
    fn name(&self) -> &'static str {
        "reach"
    }

    fn needs_counts(&self) -> bool {
        true
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>) -> Ending {
        let graph = ctx.setup.graph;
        let stop = ctx.setup.stop;
        for step in 1..=stop.max_steps {
            let next: Vec<u32> = (0..ctx.n())
                .filter(|&i| {
                    ctx.state.current(i) == Action::Sit && ctx.state.seen_stand[i as usize] > 0
                })
                .collect();
            if next.is_empty() {
                return Ending {
                    outcome: Outcome::FixedPoint,
                    period: 0,
                    steps: step - 1,
                };
            }
            let mut exposures = 0;
            for &i in &next {
                let old = ctx.state.set_action(i, Action::Stand);
                exposures += ctx.state.push_change(graph, i, old, Action::Stand, |_| {});
            }
            ctx.record(step, next.len() as u64, exposures);
        }
        Ending {
            outcome: Outcome::StepLimit,
            period: 0,
            steps: stop.max_steps,
        }
    }
}

/// "Whim": every sitting agent stands with probability `p` each step, whatever it sees; reads
/// no counts and no edges. Its parameter is checked through the contract.
#[derive(Debug)]
struct Whim {
    p: f64,
}

impl Rule for Whim {
    fn name(&self) -> &'static str {
        "whim"
    }

    fn problems(&self) -> Vec<Problem> {
        if (0.0..=1.0).contains(&self.p) {
            Vec::new()
        } else {
            vec![Problem::new(
                "p",
                format!("expected a probability, found {}", self.p),
            )]
        }
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>) -> Ending {
        let key = ctx.setup.key;
        let stop = ctx.setup.stop;
        for step in 1..=stop.max_steps {
            let mut changes = 0;
            for i in 0..ctx.n() {
                if ctx.state.current(i) == Action::Sit
                    && Stream::new(key, Purpose::Transition, step, i).bernoulli(self.p)
                {
                    ctx.state.set_action(i, Action::Stand);
                    changes += 1;
                }
            }
            ctx.record(step, changes, 0);
            ctx.set_extra("whim_last_changes", changes as f64);
        }
        Ending {
            outcome: Outcome::StepLimit,
            period: 0,
            steps: stop.max_steps,
        }
    }
}

const SCENARIO: &str = r#"
name = "toy-rule"
seed = 17
replicates = 6
steps = 40
[graph]
generator = "erdos_renyi"
n = 600
m = 900
[[population]]
name = "everyone"
[seeding]
method = "nodes"
nodes = [3, 250]
[model]
rule = "threshold"
phi = 0.5
"#;

fn scenario_with(rule: impl Rule + 'static) -> (tempfile::TempDir, ovation::scenario::Scenario) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("toy.toml");
    std::fs::write(&path, SCENARIO).expect("write scenario");
    let mut scenario = ovation::scenario::load(&path, &[]).expect("valid scenario");
    scenario.model = RuleSpec::Custom(CustomRule::new(rule));
    (tmp, scenario)
}

/// Breadth-first distances from the seeds over follower edges (who sees whom), computed here
/// from the graph's adjacency alone.
fn distances(graph: &ovation::graph::FollowerGraph, seeds: &[u32]) -> Vec<Option<u32>> {
    let mut dist = vec![None; graph.node_count() as usize];
    let mut queue = VecDeque::new();
    for &s in seeds {
        dist[s as usize] = Some(0);
        queue.push_back(s);
    }
    while let Some(u) = queue.pop_front() {
        let d = dist[u as usize].expect("queued agents have a distance");
        for &v in graph.followers(u) {
            if dist[v as usize].is_none() {
                dist[v as usize] = Some(d + 1);
                queue.push_back(v);
            }
        }
    }
    dist
}

#[test]
fn a_toy_rule_defined_in_a_test_runs_end_to_end_to_its_closed_form() {
    let (tmp, scenario) = scenario_with(Reach);
    let graph = ovation::runner::load_graph(&scenario, None).expect("graph");
    let dist = distances(&graph, &[3, 250]);
    let n = graph.node_count() as f64;
    let depth = dist.iter().flatten().copied().max().expect("seeds");
    let reached = dist.iter().flatten().count() as f64;

    let out = tmp.path().join("out");
    let outcome = jobs::run(&scenario, &JobOptions::folder(&out, FolderMode::New)).expect("run");
    assert_eq!(outcome.results.len(), 6);
    for r in &outcome.results {
        // Step t stands exactly the agents within t follower hops of a seed.
        for rec in &r.trajectory {
            let within = dist.iter().flatten().filter(|&&d| d <= rec.step).count() as f64;
            assert_eq!(rec.standing, within / n, "step {}", rec.step);
        }
        assert_eq!(r.final_standing, reached / n);
        assert_eq!(r.steps, depth);
        assert_eq!(r.outcome, Outcome::FixedPoint);
        // It read its counts: the step-0 count (m edges) and one push per adopter's followers.
        let pushed: u64 = dist
            .iter()
            .enumerate()
            .filter(|(_, d)| d.is_some_and(|d| d > 0))
            .map(|(i, _)| graph.followers(i as u32).len() as u64)
            .sum();
        assert_eq!(r.edge_visits, graph.edge_count() + pushed);
    }
    // The folder is a normal result folder naming the rule.
    let summary = std::fs::read_to_string(out.join("summary.csv")).expect("summary.csv");
    assert_eq!(summary.lines().count(), 7, "{summary}");
    let manifest = std::fs::read_to_string(out.join("manifest.json")).expect("manifest");
    assert!(manifest.contains("\"reach\""), "{manifest}");
}

#[test]
fn a_rule_that_reads_no_counts_visits_no_edge_and_is_thread_count_independent() {
    let (_tmp, scenario) = scenario_with(Whim { p: 0.05 });
    let run_with = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| jobs::run(&scenario, &JobOptions::in_memory()).expect("run"))
    };
    let one = run_with(1);
    let two = run_with(2);
    assert_eq!(
        one.summary_csv().expect("summary"),
        two.summary_csv().expect("summary")
    );
    for r in &one.results {
        assert_eq!(r.edge_visits, 0, "no count was built and no edge read");
        assert_eq!(r.steps, 40);
        assert!(r.extra.contains_key("whim_last_changes"));
        // Each sitting agent stands with probability 0.05 per step: after 40 steps the share
        // still sitting is 0.95^40 = 0.1285 in expectation; with 598 agents its standard
        // error is sqrt(0.1285 * 0.8715 / 598) = 0.0137, and 5 of them bound it here.
        let expected = 598.0 / 600.0 * 0.95f64.powi(40);
        assert!((r.final_sitting - expected).abs() < 5.0 * 0.0137, "{r:?}");
    }
}

#[test]
fn a_custom_rules_parameters_are_checked_through_the_contract() {
    let spec = RuleSpec::Custom(CustomRule::new(Whim { p: 1.5 }));
    let problems = spec.problems();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].key, "p");
    assert_eq!(spec.name(), "whim");
    // Scenario files cannot name a rule defined in code.
    let err = toml::from_str::<RuleSpec>("rule = \"custom\"").unwrap_err();
    assert!(err.to_string().contains("unknown variant"), "{err}");
}

fn toml_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            toml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

/// Every shipped scenario's rule is a registered one, under the name its `rule` key gives;
/// the contract reports that name and serde writes it back; every registered rule appears in
/// some shipped scenario.
#[test]
fn registered_names_agree_with_the_contract_and_serde() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files = Vec::new();
    toml_files(&root, &mut files);
    let mut seen = std::collections::BTreeSet::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("UTF-8");
        let doc: toml::Table = text.parse().expect("shipped scenarios are TOML");
        let Some(name) = doc
            .get("model")
            .and_then(|m| m.get("rule"))
            .and_then(|r| r.as_str())
        else {
            continue;
        };
        let scenario = ovation::scenario::load(&path, &[])
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(scenario.model.name(), name, "{}", path.display());
        assert!(RuleSpec::NAMES.contains(&name), "{name}");
        let back = toml::Value::try_from(&scenario.model).expect("serializes");
        assert_eq!(back.get("rule").and_then(|v| v.as_str()), Some(name));
        seen.insert(name.to_string());
    }
    let missing: Vec<_> = RuleSpec::NAMES
        .iter()
        .filter(|n| !seen.contains(**n))
        .collect();
    assert!(
        missing.is_empty(),
        "rules in no shipped scenario: {missing:?}"
    );
}
