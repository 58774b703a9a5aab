//! A scenario's replicates 64 at a time through the bit-parallel independent cascade, linear
//! threshold or threshold rule ([`crate::engine::batch`]), each with exactly the result [`super::run_one`] gives it: the
//! same trajectory, measures, seed reach, class measures and per-agent results, so a result
//! folder written from blocks is byte-identical to one written replicate by replicate.
//!
//! # When blocks run
//!
//! [`batchable`] says whether a scenario may run in blocks; [`BlockPlan::new`] then prepares
//! it on its loaded graph. A scenario runs in blocks when all of these hold, and otherwise one
//! replicate at a time as before:
//!
//! - the environment variable `OVATION_ENGINE` is not `scalar` (the way to force the scalar
//!   engine, for a check or a comparison of timings);
//! - the rule is `independent_cascade`, `linear_threshold` (either weights) or `threshold`
//!   (any thresholds: fractional or absolute, shared, listed or drawn, weighted or not,
//!   strict or not; with its edge visits, see `engine::batch::threshold`) under the
//!   synchronous timing, without a `[brand]` (the brand acts between steps and is refused by
//!   the rules anyway);
//! - the replicates share one graph (not `per_replicate = true`);
//! - the population is the same in every replicate for this rule: at most one class dealt by
//!   `share` (several are dealt by a random order per replicate), and every class that sets
//!   `initial` or `fixed` (whose agents keep their own signal's action, read by the
//!   conformity measures) draws `noise`, `threshold` and `complaint` as constants. The
//!   attributes the rule does not read (signals, conformity, visibility) may be drawn: they
//!   reach no result;
//! - the run stops at a fixed point (`stop_at_fixed_point`, the default), or 64 trajectories
//!   of `steps + 1` records fit in the memory a job holds at once for trajectories (up to
//!   21,844 steps; `jobs::pool::blocks_fit`).
//!
//! Seeds chosen by a method that does not draw (`nodes`, `top_followers`, `pagerank`,
//! `degree_discount`, `celf`, `imm`) are chosen once per plan; `random` seeds are drawn per
//! replicate under its key, as [`super::agents_for`] draws them.

use std::sync::Mutex;

use anyhow::anyhow;

use super::{ClassCounts, ClassRecorder, population_for};
use crate::engine::batch::{BlockBuffers, Cascade, CascadeBatch, LANES, Lane, LaneResult};
use crate::engine::{ReplicateResult, RuleSpec, TimingSpec};
use crate::graph::FollowerGraph;
use crate::model::{Action, ClassSpec, Dist, NamedDist};
use crate::rng::replicate_key;
use crate::scenario::Scenario;
use crate::strategy::{SeedContext, SeedMethod, select_seeds};

/// The environment variable that forces the scalar engine when set to `scalar`.
pub const ENGINE_VAR: &str = "OVATION_ENGINE";

/// Whether the distribution always gives the same value (no draw reaches the result).
fn constant(d: &Dist) -> bool {
    matches!(d, Dist::Value(_) | Dist::Named(NamedDist::Constant { .. }))
}

/// Whether the agents' classes, actions at step 0, fixed actions and own actions are the same
/// in every replicate of a rule without signals (see the module doc).
fn population_is_shared(classes: &[ClassSpec]) -> bool {
    let dealt = classes.iter().filter(|c| c.nodes.is_none()).count();
    dealt <= 1
        && classes.iter().all(|c| {
            (c.initial.is_none() && c.fixed.is_none())
                || (constant(&c.noise)
                    && constant(&c.threshold)
                    && c.complaint.as_ref().is_none_or(constant))
        })
}

/// Whether `scenario`'s replicates may run in blocks of 64 (see the module doc; the memory
/// condition is the job's). Reads the environment variable [`ENGINE_VAR`].
pub fn batchable(scenario: &Scenario) -> bool {
    if std::env::var(ENGINE_VAR).is_ok_and(|v| v.eq_ignore_ascii_case("scalar")) {
        return false;
    }
    matches!(
        scenario.model,
        RuleSpec::IndependentCascade(_) | RuleSpec::LinearThreshold(_) | RuleSpec::Threshold(_)
    ) && scenario.timing == TimingSpec::Synchronous
        && scenario.brand.is_none()
        && !super::graph_per_replicate(scenario)
        && population_is_shared(&scenario.population)
}

/// A scenario prepared to run its replicates in blocks on its shared graph: the population
/// sampled once, the seeds chosen once when no draw chooses them, and each thread's buffers.
#[derive(Debug)]
pub struct BlockPlan<'a> {
    scenario: &'a Scenario,
    graph: &'a FollowerGraph,
    batch: CascadeBatch<'a>,
    /// The seeds of every replicate, when the method draws nothing.
    seeds: Option<Vec<u32>>,
    /// The class counts of the shared population at step 0.
    classes: ClassCounts,
    buffers: Mutex<Vec<BlockBuffers>>,
}

impl<'a> BlockPlan<'a> {
    /// The plan of `scenario` on its shared `graph`, or None when it must run replicate by
    /// replicate: [`batchable`] is false, or preparing it failed (a bad node id, a graph the
    /// rule refuses, seeds that cannot be chosen; the scalar path then reports the error for
    /// every replicate, as without blocks). **O(n)**, plus the seed selection.
    pub fn new(scenario: &'a Scenario, graph: &'a FollowerGraph) -> Option<BlockPlan<'a>> {
        let rule = match &scenario.model {
            RuleSpec::IndependentCascade(params) => Cascade::Independent(params),
            RuleSpec::LinearThreshold(params) => Cascade::Linear(params),
            RuleSpec::Threshold(params) => Cascade::Threshold(params),
            _ => return None,
        };
        if !batchable(scenario) || scenario.check_node_ids(graph.node_count()).is_err() {
            return None;
        }
        let key = replicate_key(scenario.seed, 0);
        let agents = population_for(scenario, graph, key).ok()?;
        let mut classes = ClassCounts::new(scenario.population.len());
        for (i, &c) in agents.class.iter().enumerate() {
            classes.count(c, agents.initial[i], agents.initial[i], 1);
        }
        let seeds = match &scenario.seeding {
            Some(s) if !matches!(s.method, SeedMethod::Random { .. }) => {
                Some(select_seeds(s, &seed_context(scenario, graph, key)).ok()?)
            }
            Some(_) => None,
            None => Some(Vec::new()),
        };
        let batch = CascadeBatch::new(
            graph,
            rule,
            agents,
            scenario.stop,
            scenario.theater_layout(),
        )
        .ok()?;
        Some(BlockPlan {
            scenario,
            graph,
            batch,
            seeds,
            classes,
            buffers: Mutex::new(Vec::new()),
        })
    }

    /// The results of `replicates` (any, in any order), as [`super::run_one`] gives them, in
    /// the order given: blocks of up to 64 lanes, lane `l` of a block being the `l`-th
    /// replicate of its stretch.
    pub fn run(&self, replicates: &[u32]) -> Vec<anyhow::Result<ReplicateResult>> {
        let mut out: Vec<Option<anyhow::Result<ReplicateResult>>> =
            replicates.iter().map(|_| None).collect();
        let mut lanes = Vec::with_capacity(replicates.len());
        let mut slots = Vec::with_capacity(replicates.len());
        for (j, &r) in replicates.iter().enumerate() {
            let key = replicate_key(self.scenario.seed, u64::from(r));
            match self.lane_seeds(key) {
                Ok(seeds) => {
                    lanes.push(Lane {
                        replicate: r,
                        key,
                        seeds,
                    });
                    slots.push(j);
                }
                Err(e) => out[j] = Some(Err(e)),
            }
        }
        let mut buf = self
            .buffers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .unwrap_or_default();
        for (block, slots) in lanes.chunks(LANES).zip(slots.chunks(LANES)) {
            let results = self.batch.run(&mut buf, block);
            for ((lane, res), &j) in block.iter().zip(results).zip(slots) {
                out[j] = Some(Ok(self.finish(lane, res)));
            }
        }
        self.buffers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(buf);
        out.into_iter()
            .map(|r| r.expect("every replicate has a result or an error"))
            .collect()
    }

    /// The `[seeding]` seeds of the replicate keyed `key`.
    fn lane_seeds(&self, key: u64) -> anyhow::Result<Vec<u32>> {
        match (&self.seeds, &self.scenario.seeding) {
            (Some(seeds), _) => Ok(seeds.clone()),
            (None, Some(s)) => select_seeds(s, &seed_context(self.scenario, self.graph, key))
                .map_err(|e| anyhow!("{}: {e}", self.scenario.path.display())),
            (None, None) => Ok(Vec::new()),
        }
    }

    /// A lane's result with its class measures and, when the scenario asks, each agent's end
    /// state (as `run_one`'s recorder makes them).
    fn finish(&self, lane: &Lane, res: LaneResult) -> ReplicateResult {
        let agents = self.batch.agents();
        let mut classes = self.classes.clone();
        for &s in &res.seeded {
            let (c, a) = (agents.class[s as usize], agents.initial[s as usize]);
            classes.count(c, a, a, -1);
            classes.count(c, Action::Stand as u8, Action::Stand as u8, 1);
        }
        for &v in &res.activated {
            let (c, a) = (agents.class[v as usize], agents.initial[v as usize]);
            classes.count(c, a, a, -1);
            classes.count(c, a, Action::Stand as u8, 1);
        }
        let actions = self
            .scenario
            .output
            .agents
            .then(|| res.actions(&agents.initial));
        let mut result = res.result;
        result.classes = classes.results(self.scenario);
        if let Some((first, last)) = actions {
            // Under these rules an agent that boos at some step boos at step 0 (nobody starts
            // booing).
            let complained = first.iter().map(|&a| a == Action::Boo as u8).collect();
            let mut rec = ClassRecorder {
                last,
                agents: true,
                complained,
                ..ClassRecorder::default()
            };
            result.agents =
                Some(rec.agent_results(self.scenario, self.graph, &agents.class, &lane.seeds));
        }
        result
    }
}

impl BlockPlan<'_> {
    /// The lane-steps that pulled and that pushed under the threshold rule, over the blocks
    /// this plan ran.
    #[cfg(test)]
    fn threshold_directions(&self) -> (u64, u64) {
        let buffers = self.buffers.lock().unwrap_or_else(|e| e.into_inner());
        buffers.iter().fold((0, 0), |(p, q), b| {
            let (x, y) = b.threshold_directions();
            (p + x, q + y)
        })
    }
}

/// The seed selection context of the replicate keyed `key`.
fn seed_context<'s>(scenario: &'s Scenario, graph: &'s FollowerGraph, key: u64) -> SeedContext<'s> {
    SeedContext {
        graph,
        rule: &scenario.model,
        seed: scenario.seed,
        key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{BuildOptions, FollowerGraph};
    use crate::runner::{load_graph, run_one};

    /// The independent cascade's `[model]` line, before its parameters.
    const IC: &str = "rule = \"independent_cascade\"\n";
    /// The linear threshold's.
    const LT: &str = "rule = \"linear_threshold\"\n";

    /// A scenario of `replicates` replicates under the `[model]` table `model` on `graph` with
    /// `rest` appended.
    fn scenario(graph: &str, model: &str, rest: &str, replicates: u32) -> Scenario {
        let text = format!(
            "name = \"blocks\"\nseed = 5\nreplicates = {replicates}\n{rest}\n[graph]\n{graph}\n\
             [model]\n{model}\n"
        );
        crate::scenario::load_str("blocks.toml", &text, std::path::Path::new("."), &[])
            .unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    /// Every replicate of the plan equals `run_one`'s, field by field (trajectory, measures,
    /// seed reach, classes, agents), over three blocks (64 + 64 + 2 lanes), and the replicates
    /// differ from one another (the check is not of a degenerate cascade).
    fn assert_blocks_equal_scalar(s: &Scenario, graph: &FollowerGraph) {
        let plan = BlockPlan::new(s, graph).expect("the scenario runs in blocks");
        assert_plan_equals_scalar(&plan, s, graph);
    }

    /// [`assert_blocks_equal_scalar`] on a prepared plan.
    fn assert_plan_equals_scalar(plan: &BlockPlan<'_>, s: &Scenario, graph: &FollowerGraph) {
        let replicates: Vec<u32> = (0..s.replicates).collect();
        let got = plan.run(&replicates);
        let mut finals = std::collections::BTreeSet::new();
        for (r, res) in replicates.iter().zip(got) {
            let batched = res.expect("a result");
            let scalar = run_one(s, Some(graph), *r).expect("a result");
            assert_eq!(batched, scalar, "replicate {r}");
            finals.insert(scalar.cascade_size);
        }
        assert!(finals.len() > 3, "cascade sizes {finals:?}");
        // Any subset in any order gives the same results (resumed runs, shards).
        let some = [129u32, 3, 64, 65, 0];
        for (r, res) in some.iter().zip(plan.run(&some)) {
            assert_eq!(
                res.expect("a result"),
                run_one(s, Some(graph), *r).expect("a result")
            );
        }
    }

    const CLASSES: &str = r#"
[[population]]
name = "crowd"
[[population]]
name = "stubborn"
nodes = [3, 4, 5, 6]
fixed = "sit"
[[population]]
name = "critics"
nodes = [7, 8, 9, 40]
initial = "boo"
[[population]]
name = "fans"
nodes = [10, 11]
initial = "stand"
[[population]]
name = "staff"
kind = "employee_advocate"
nodes = [12]
"#;

    #[test]
    fn blocks_equal_scalar_replicates_with_classes_random_seeds_and_agents() {
        let s = scenario(
            "generator = \"barabasi_albert\"\nn = 1500\nm = 3",
            &format!("{IC}probability = 0.12"),
            &format!("[seeding]\nmethod = \"random\"\nk = 6\n[output]\nagents = true\n{CLASSES}"),
            130,
        );
        let g = load_graph(&s, None).expect("graph");
        assert_blocks_equal_scalar(&s, &g);
    }

    #[test]
    fn blocks_equal_scalar_replicates_on_a_theater_with_fixed_seeds_and_a_step_limit() {
        // Inverse in-degree probabilities, seeds by followers (chosen once), 3 steps at most
        // (most replicates end at the limit), no stop at a fixed point in the second.
        for rest in ["steps = 3", "steps = 12\nstop_at_fixed_point = false"] {
            let s = scenario(
                "generator = \"theater\"\nrows = 12\nseats = 15\ncone = 2",
                &format!("{IC}probability = \"inverse_in_degree\""),
                &format!("{rest}\n[seeding]\nmethod = \"top_followers\"\nk = 3\n{CLASSES}"),
                130,
            );
            let g = load_graph(&s, None).expect("graph");
            assert_blocks_equal_scalar(&s, &g);
        }
    }

    /// A BA graph of 800 agents (m = 4) with the weight `weight(e, d)` on the edge at
    /// position `e` of the follower adjacency, whose follower has `d` sources.
    fn weighted_ba(weight: impl Fn(usize, u32) -> f32) -> FollowerGraph {
        let g0 = crate::graph::generators::generate(
            &crate::graph::generators::GeneratorSpec::BarabasiAlbert { n: 800, m: 4 },
            4,
        )
        .expect("graph");
        let adj = g0.follower_adjacency();
        let mut pairs = Vec::new();
        for u in 0..g0.node_count() {
            let (a, b) = adj.range(u);
            pairs.extend(adj.targets[a..b].iter().map(|&v| (u, v)));
        }
        let weights = pairs
            .iter()
            .enumerate()
            .map(|(e, &(_, v))| weight(e, g0.source_count(v)))
            .collect();
        FollowerGraph::from_edges(800, pairs, Some(weights), BuildOptions::default())
    }

    #[test]
    fn blocks_equal_scalar_replicates_with_edge_weights_and_many_seeds() {
        // 80 seeds: beyond the seed reach limit. Edge weights in [0, 0.5).
        let g = weighted_ba(|e, _| ((e * 37) % 50) as f32 / 100.0);
        let s = scenario(
            "generator = \"complete\"\nn = 800",
            &format!("{IC}probability = \"edge_weights\""),
            "[seeding]\nmethod = \"random\"\nk = 80\n[[population]]",
            130,
        );
        assert_blocks_equal_scalar(&s, &g);
    }

    #[test]
    fn linear_threshold_blocks_equal_scalar_replicates_with_classes_random_seeds_and_agents() {
        let s = scenario(
            "generator = \"barabasi_albert\"\nn = 1500\nm = 3",
            LT,
            &format!("[seeding]\nmethod = \"random\"\nk = 6\n[output]\nagents = true\n{CLASSES}"),
            130,
        );
        let g = load_graph(&s, None).expect("graph");
        assert_blocks_equal_scalar(&s, &g);
    }

    #[test]
    fn linear_threshold_blocks_equal_scalar_replicates_on_a_theater_with_a_step_limit() {
        // Seeds by followers (chosen once), 3 steps at most, then no stop at a fixed point.
        for rest in ["steps = 3", "steps = 12\nstop_at_fixed_point = false"] {
            let s = scenario(
                "generator = \"theater\"\nrows = 12\nseats = 15\ncone = 2",
                LT,
                &format!("{rest}\n[seeding]\nmethod = \"top_followers\"\nk = 3\n{CLASSES}"),
                130,
            );
            let g = load_graph(&s, None).expect("graph");
            assert_blocks_equal_scalar(&s, &g);
        }
    }

    #[test]
    fn linear_threshold_blocks_equal_scalar_replicates_with_edge_weights_and_many_seeds() {
        // Each agent's weights sum to at most 0.98 (some are 0, which no pull may count), and
        // 80 random seeds, beyond the seed reach limit; then uniform weights on the same graph
        // with 40 seeds (its weights unread).
        let g = weighted_ba(|e, d| ((e * 37) % 50) as f32 / 50.0 / d as f32);
        for (weights, k) in [("edge_weights", 80), ("uniform", 40)] {
            let s = scenario(
                "generator = \"complete\"\nn = 800",
                &format!("{LT}weights = \"{weights}\""),
                &format!("[seeding]\nmethod = \"random\"\nk = {k}\n[[population]]"),
                130,
            );
            assert_blocks_equal_scalar(&s, &g);
        }
    }

    /// The threshold rule's `[model]` line, before its parameters.
    const TH: &str = "rule = \"threshold\"\n";

    /// [`assert_blocks_equal_scalar`] for the threshold rule, adding to `ways` the lane-steps
    /// in which the scalar cascades pulled and pushed (a test asserts that both happened, so
    /// the replayed edge visits of both ways were compared).
    fn assert_threshold_blocks_equal_scalar(
        s: &Scenario,
        graph: &FollowerGraph,
        ways: &mut (u64, u64),
    ) {
        let plan = BlockPlan::new(s, graph).expect("the scenario runs in blocks");
        assert_plan_equals_scalar(&plan, s, graph);
        let (pulls, pushes) = plan.threshold_directions();
        ways.0 += pulls;
        ways.1 += pushes;
    }

    #[test]
    fn threshold_blocks_equal_scalar_replicates_with_shared_and_drawn_thresholds() {
        let mut ways = (0, 0);
        // Random seeds, classes (fixed `sit`, `boo` at step 0, which may adopt, `stand` at
        // step 0) and agents.csv; one threshold for all, drawn per agent and replicate (the
        // normal one puts some below 0: instigators), absolute counts (drawn ones above some
        // agents' sources: never adopt in that lane), and "more than".
        let g = "generator = \"barabasi_albert\"\nn = 1500\nm = 10";
        for model in [
            "phi = 0.3",
            "phi = { dist = \"uniform\", low = 0, high = 0.7 }",
            "phi = { dist = \"normal\", mean = 0.3, sd = 0.2 }",
            "k = 2",
            "k = { dist = \"uniform\", low = 0, high = 3 }",
            "phi = 0.3\nstrict = true",
        ] {
            let s = scenario(
                g,
                &format!("{TH}{model}"),
                &format!(
                    "[seeding]\nmethod = \"random\"\nk = 30\n[output]\nagents = true\n{CLASSES}"
                ),
                130,
            );
            let g = load_graph(&s, None).expect("graph");
            assert_threshold_blocks_equal_scalar(&s, &g, &mut ways);
        }
        assert!(ways.0 > 0 && ways.1 > 0, "pulls and pushes: {ways:?}");
    }

    #[test]
    fn threshold_blocks_equal_scalar_replicates_on_theaters_and_random_graphs() {
        let mut ways = (0, 0);
        // Seeds by followers (chosen once) on a theater, with a step limit and without a stop
        // at the fixed point; thresholds drawn per replicate, so the lanes differ; then an
        // Erdos-Renyi graph with random seeds.
        for rest in ["steps = 3", "steps = 12\nstop_at_fixed_point = false"] {
            let s = scenario(
                "generator = \"theater\"\nrows = 12\nseats = 15\ncone = 2",
                &format!("{TH}phi = {{ dist = \"uniform\", low = 0.05, high = 0.6 }}"),
                &format!("{rest}\n[seeding]\nmethod = \"top_followers\"\nk = 12\n{CLASSES}"),
                130,
            );
            let g = load_graph(&s, None).expect("graph");
            assert_threshold_blocks_equal_scalar(&s, &g, &mut ways);
        }
        let s = scenario(
            "generator = \"erdos_renyi\"\nn = 1000\nm = 5000",
            &format!("{TH}k = {{ dist = \"uniform\", low = 0.5, high = 2.5 }}"),
            "[seeding]\nmethod = \"random\"\nk = 8\n[[population]]",
            130,
        );
        let g = load_graph(&s, None).expect("graph");
        assert_threshold_blocks_equal_scalar(&s, &g, &mut ways);
        assert!(ways.0 > 0 && ways.1 > 0, "pulls and pushes: {ways:?}");
    }

    #[test]
    fn threshold_blocks_equal_scalar_replicates_with_edge_weights() {
        let mut ways = (0, 0);
        // Fractional and absolute thresholds on shares and sums of edge weight (some weights
        // 0, which no count may add).
        let g = weighted_ba(|e, _| ((e * 37) % 50) as f32 / 50.0);
        for model in [
            "phi = 0.3",
            "phi = { dist = \"uniform\", low = 0, high = 0.6 }",
            "k = 1",
        ] {
            let s = scenario(
                "generator = \"complete\"\nn = 800",
                &format!("{TH}{model}\nweighted = true"),
                "[seeding]\nmethod = \"random\"\nk = 10\n[[population]]",
                130,
            );
            assert_threshold_blocks_equal_scalar(&s, &g, &mut ways);
        }
        assert!(ways.0 > 0 && ways.1 > 0, "pulls and pushes: {ways:?}");
    }

    #[test]
    fn drawn_classes_and_other_rules_run_one_replicate_at_a_time() {
        let g = "generator = \"complete\"\nn = 50";
        let two =
            "[[population]]\nname = \"a\"\nshare = 0.5\n[[population]]\nname = \"b\"\nshare = 0.5";
        let drawn = "[[population]]\nname = \"a\"\ninitial = \"stand\"\nnoise = { dist = \"normal\", mean = 0, sd = 1 }";
        for rest in [two, drawn] {
            for model in [
                format!("{IC}probability = 0.1"),
                LT.to_string(),
                format!("{TH}k = 1"),
            ] {
                assert!(!batchable(&scenario(g, &model, rest, 10)), "{rest}");
            }
        }
        for model in [
            format!("{IC}probability = 0.1"),
            LT.to_string(),
            format!("{TH}phi = 0.2"),
        ] {
            assert!(batchable(&scenario(g, &model, "[[population]]", 10)));
        }
        let voter = scenario(g, "rule = \"voter\"", "[[population]]", 10);
        assert!(!batchable(&voter));
    }
}
