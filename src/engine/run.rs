//! The replicate loop: builds the state at step 0, hands it to the timing scheme, records every
//! step through an [`Observer`], and computes the replicate's measures at the end.

use std::collections::BTreeMap;

use crate::engine::actor::{Actor, TurnResult};
use crate::engine::config::{StopRule, TimingSpec};
use crate::engine::measures::{Outcome, ReplicateResult, SeedReach, StepRecord};
use crate::engine::rules::RuleSpec;
use crate::engine::state::State;
use crate::graph::FollowerGraph;
use crate::graph::generators::TheaterLayout;
use crate::model::{Action, Agents};

/// Where a running replicate reports each step (SPEC: the engine pushes, as a searcher pushes
/// to a sink). The default [`Recorder`] keeps them all.
pub trait Observer {
    /// Called once per step, step 0 (the initial actions) first.
    fn on_step(&mut self, record: &StepRecord);

    /// Whether [`Observer::on_actions`] should be called (false by default, so observers
    /// that only want the aggregate records cost nothing more).
    fn wants_actions(&self) -> bool {
        false
    }

    /// Called right after [`Observer::on_step`] with every agent's action (an `Action` byte,
    /// indexed by agent) at the end of `step`, when [`Observer::wants_actions`] is true; used
    /// by `fit` to read per-agent adoption times.
    fn on_actions(&mut self, _step: u32, _actions: &[u8]) {}

    /// Whether [`Observer::on_agents`] should be called (false by default, so the rules keep
    /// no per-agent copies for observers that do not want them).
    fn wants_agents(&self) -> bool {
        false
    }

    /// Called once at the end of the replicate, when [`Observer::wants_agents`] is true, with
    /// what the rule and the brand know of each agent beyond its action (`agents.csv`).
    fn on_agents(&mut self, _finals: AgentFinals) {}
}

/// What the rule and the brand know of each agent at the end of a replicate beyond its
/// action, for per-agent results; indexed by agent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentFinals {
    /// Felt sentiment (`sentiment` rule; `None` for an agent that feels nothing); `None`
    /// under the other rules.
    pub sentiment: Option<Vec<Option<f64>>>,
    /// Whether the brand (or a webcare account) answered the agent at least once; `None`
    /// without a brand.
    pub answered: Option<Vec<bool>>,
}

/// An observer that keeps every step.
#[derive(Debug, Default)]
pub struct Recorder {
    /// The steps seen so far.
    pub steps: Vec<StepRecord>,
}

impl Observer for Recorder {
    fn on_step(&mut self, record: &StepRecord) {
        self.steps.push(*record);
    }
}

/// Everything one replicate needs, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct Setup<'a> {
    /// The follower graph.
    pub graph: &'a FollowerGraph,
    /// The sampled agents.
    pub agents: &'a Agents,
    /// The rule.
    pub rule: &'a RuleSpec,
    /// The timing scheme.
    pub timing: &'a TimingSpec,
    /// When to stop.
    pub stop: StopRule,
    /// The replicate key ([`crate::rng::replicate_key`]).
    pub key: u64,
    /// The replicate index.
    pub replicate: u32,
    /// The theater layout, for row measures and row latencies.
    pub theater: Option<TheaterLayout>,
    /// The brand agent, if the scenario has one (rules that support actors only).
    pub brand: Option<crate::engine::brand::BrandSetup<'a>>,
}

/// How a timing scheme ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ending {
    /// Fixed point, cycle or step limit.
    pub outcome: Outcome,
    /// Cycle period (0 unless a cycle).
    pub period: u32,
    /// Revision steps taken.
    pub steps: u32,
}

/// The context a rule's step loop runs in.
pub struct Ctx<'a, 'o> {
    /// The replicate's setup.
    pub setup: Setup<'a>,
    /// The mutable state.
    pub state: State,
    observer: &'o mut dyn Observer,
    peak_booing: (f64, u32),
    extra: BTreeMap<String, f64>,
    actors: Vec<Box<dyn Actor>>,
    finals: AgentFinals,
}

impl Ctx<'_, '_> {
    /// Reports the state after `step` with its changes and exposures.
    pub fn record(&mut self, step: u32, changes: u64, exposures: u64) {
        let n = self.state.action.len().max(1) as f64;
        let rec = StepRecord {
            step,
            sitting: self.state.tally[Action::Sit as usize] as f64 / n,
            standing: self.state.tally[Action::Stand as usize] as f64 / n,
            booing: self.state.tally[Action::Boo as usize] as f64 / n,
            changes,
            exposures,
        };
        if rec.booing > self.peak_booing.0 {
            self.peak_booing = (rec.booing, step);
        }
        self.observer.on_step(&rec);
        if self.observer.wants_actions() {
            self.observer.on_actions(step, &self.state.action);
        }
    }

    /// Sets a rule-specific measure of this replicate (see [`ReplicateResult::extra`]).
    pub fn set_extra(&mut self, name: &str, value: f64) {
        self.extra.insert(name.to_string(), value);
    }

    /// Whether the observer wants each agent's end state ([`Observer::wants_agents`]): only
    /// then do the rule and the brand hand it over with [`Ctx::keep_sentiment`] and
    /// [`Ctx::keep_answered`].
    pub fn wants_agents(&self) -> bool {
        self.observer.wants_agents()
    }

    /// Keeps each agent's final felt sentiment for [`Observer::on_agents`].
    pub fn keep_sentiment(&mut self, sentiment: Vec<Option<f64>>) {
        self.finals.sentiment = Some(sentiment);
    }

    /// Keeps whether the brand answered each agent, for [`Observer::on_agents`].
    pub fn keep_answered(&mut self, answered: Vec<bool>) {
        self.finals.answered = Some(answered);
    }

    /// Number of agents.
    pub fn n(&self) -> u32 {
        self.setup.graph.node_count()
    }

    /// Gives every actor its turn at the start of `step`, in a fixed order (see
    /// [`Actor::turn`]); returns what they changed together. Does nothing without actors.
    pub fn actors_turn(&mut self, step: u32, touched: &mut Vec<u32>) -> TurnResult {
        let mut actors = std::mem::take(&mut self.actors);
        let mut out = TurnResult::default();
        for actor in &mut actors {
            out += actor.turn(self, step, touched);
        }
        self.actors = actors;
        out
    }

    /// Whether any actor can still change anything (then the run is not at a fixed point).
    pub fn actors_busy(&self) -> bool {
        self.actors.iter().any(|a| a.busy(self))
    }

    /// Whether the run has actors (their queues and draws, not only the actions, then drive
    /// the dynamics, so a repeated state is not a cycle).
    pub fn has_actors(&self) -> bool {
        !self.actors.is_empty()
    }
}

/// Checks what the engine needs of a setup beyond a validated scenario: one agent per node,
/// the graph the rule needs ([`Rule::check_graph`](crate::engine::rule::Rule::check_graph)),
/// a timing scheme the rule runs under, and no brand for a rule without actors.
/// [`run_replicate`] calls it first, so the engine never panics on a setup a caller forgot to
/// check. **O(n + m)**.
pub fn check_setup(setup: &Setup<'_>) -> Result<(), String> {
    let n = setup.graph.node_count() as usize;
    if setup.agents.len() != n {
        return Err(format!(
            "{} agents for a graph of {n} nodes; expected one agent per node",
            setup.agents.len()
        ));
    }
    let rule = setup.rule.contract();
    if !rule.supports_timing(setup.timing) {
        return Err(format!(
            "timing.scheme: the `{}` rule sets its own updating; expected `synchronous`",
            rule.name()
        ));
    }
    if setup.brand.is_some() && !rule.supports_actors() {
        return Err(format!(
            "brand: the `{}` rule has no brand agent (expected rule = \"sop\")",
            rule.name()
        ));
    }
    rule.check_graph(setup.graph)
}

/// Runs one replicate to its end and returns its measures, with the trajectory; **errors**
/// (see [`check_setup`]) instead of panicking when the setup cannot run.
pub fn run_replicate(setup: Setup<'_>) -> Result<ReplicateResult, String> {
    let mut recorder = Recorder::default();
    let mut result = run_replicate_with(setup, &mut recorder)?;
    result.trajectory = recorder.steps;
    Ok(result)
}

/// Runs one replicate, pushing each step to `observer`; the result's trajectory is empty.
/// **Errors** as [`run_replicate`].
pub fn run_replicate_with(
    setup: Setup<'_>,
    observer: &mut dyn Observer,
) -> Result<ReplicateResult, String> {
    check_setup(&setup)?;
    let rule = setup.rule.contract();
    let n = setup.graph.node_count();
    let mut state = if rule.needs_counts() && rule.counts_in_first_step(&setup) {
        State::uncounted(setup.graph, setup.agents)
    } else {
        State::new(setup.graph, setup.agents, rule.needs_counts())
    };
    let mut actors: Vec<Box<dyn Actor>> = Vec::new();
    if let Some(b) = setup.brand {
        state.quiet = vec![false; n as usize];
        actors.push(Box::new(crate::engine::brand::BrandState::new(&b, n)));
    }
    let mut ctx = Ctx {
        setup,
        state,
        observer,
        peak_booing: (0.0, 0),
        extra: BTreeMap::new(),
        actors,
        finals: AgentFinals::default(),
    };
    rule.prepare(&mut ctx);
    ctx.record(0, 0, 0);
    let ending = rule.run(&mut ctx);
    let mut actors = std::mem::take(&mut ctx.actors);
    for actor in &mut actors {
        actor.finish(&mut ctx);
    }
    let result = measures(&ctx, ending);
    if ctx.observer.wants_agents() {
        let finals = std::mem::take(&mut ctx.finals);
        ctx.observer.on_agents(finals);
    }
    Ok(result)
}

/// Seed reach is reported for at most this many seeds (one search per seed).
pub const MAX_REACH_SEEDS: usize = 64;

/// The replicate's extra measures plus, when `[seeding]` picked at most [`MAX_REACH_SEEDS`]
/// seeds, each seed's reach: the agents active at the end (any action but `sit`) that lie
/// downstream of it, i.e. reachable from it over follower edges through active agents, the seed
/// itself not counted. Returns the extras with `seed_reach_mean`, `seed_reach_max` and
/// `seed_reach_union_share` (the share of the active non-seed agents downstream of any seed; 1
/// when the seeds explain the whole cascade) added, and the per-seed reaches (a long table of
/// their own, so random seeding does not make one column per seed ever drawn).
/// **O(seeds x edges among active agents)**.
fn with_seed_reach(ctx: &Ctx<'_, '_>) -> (BTreeMap<String, f64>, Vec<SeedReach>) {
    let mut extra = ctx.extra.clone();
    let seeds = &ctx.setup.agents.seeds;
    if seeds.is_empty() || seeds.len() > MAX_REACH_SEEDS {
        return (extra, Vec::new());
    }
    let graph = ctx.setup.graph;
    let active = |i: u32| ctx.state.action[i as usize] != Action::Sit as u8;
    let n = ctx.state.action.len();
    // Stamp of the last search that reached each agent (0 = none), and whether any did.
    let mut stamp = vec![0u32; n];
    let mut any = vec![false; n];
    let mut stack = Vec::new();
    let mut total = 0.0;
    let mut most = 0.0f64;
    let mut per_seed = Vec::with_capacity(seeds.len());
    for (k, &s) in seeds.iter().enumerate() {
        let mark = k as u32 + 1;
        let mut reach = 0u64;
        if active(s) {
            stamp[s as usize] = mark;
            stack.push(s);
            while let Some(u) = stack.pop() {
                for &v in graph.followers(u) {
                    if stamp[v as usize] != mark && active(v) {
                        stamp[v as usize] = mark;
                        any[v as usize] = true;
                        reach += 1;
                        stack.push(v);
                    }
                }
            }
        }
        per_seed.push(SeedReach {
            seed: s,
            label: graph.label(s),
            reach,
        });
        let reach = reach as f64;
        total += reach;
        most = most.max(reach);
    }
    let is_seed = |i: usize| seeds.binary_search(&(i as u32)).is_ok();
    let (mut downstream, mut cascade) = (0u64, 0u64);
    for (i, &reached) in any.iter().enumerate() {
        if active(i as u32) && !is_seed(i) {
            cascade += 1;
            downstream += u64::from(reached);
        }
    }
    extra.insert("seed_reach_mean".into(), total / seeds.len() as f64);
    extra.insert("seed_reach_max".into(), most);
    extra.insert(
        "seed_reach_union_share".into(),
        if cascade == 0 {
            1.0
        } else {
            downstream as f64 / cascade as f64
        },
    );
    (extra, per_seed)
}

/// A theater's share standing by row, front row first, and whether each seat stands
/// (row-major), from the final `actions` of its `rows x seats` agents.
pub(crate) fn by_seat(layout: TheaterLayout, actions: &[u8]) -> (Vec<f64>, Vec<u8>) {
    let seats: Vec<u8> = actions
        .iter()
        .map(|&a| u8::from(a == Action::Stand as u8))
        .collect();
    let rows = seats
        .chunks(layout.seats as usize)
        .map(|row| row.iter().map(|&s| f64::from(s)).sum::<f64>() / row.len() as f64)
        .collect();
    (rows, seats)
}

fn measures(ctx: &Ctx<'_, '_>, ending: Ending) -> ReplicateResult {
    let agents = ctx.setup.agents;
    let state = &ctx.state;
    let n = state.action.len();
    let nf = n.max(1) as f64;
    let (mut cascade, mut conformers, mut suppressed, mut efficient, mut initial_standing) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    for i in 0..n {
        let fin = state.action[i];
        let own = agents.own[i];
        cascade += u64::from(fin != agents.initial[i]);
        conformers += u64::from(fin == Action::Stand as u8 && own == Action::Sit as u8);
        suppressed += u64::from(fin == Action::Sit as u8 && own == Action::Stand as u8);
        efficient += u64::from(fin == own);
        initial_standing += u64::from(agents.initial[i] == Action::Stand as u8);
    }
    let (standing_by_row, final_standing_by_seat) = match ctx.setup.theater {
        Some(layout) if (layout.rows * layout.seats) as usize == n => {
            by_seat(layout, &state.action)
        }
        _ => (Vec::new(), Vec::new()),
    };
    let (extra, seed_reach) = with_seed_reach(ctx);
    ReplicateResult {
        replicate: ctx.setup.replicate,
        outcome: ending.outcome,
        cycle_period: ending.period,
        steps: ending.steps,
        initial_standing: initial_standing as f64 / nf,
        final_sitting: state.tally[Action::Sit as usize] as f64 / nf,
        final_standing: state.tally[Action::Stand as usize] as f64 / nf,
        final_booing: state.tally[Action::Boo as usize] as f64 / nf,
        peak_booing: ctx.peak_booing.0,
        peak_booing_step: ctx.peak_booing.1,
        cascade_size: cascade,
        conformers: conformers as f64 / nf,
        suppressed: suppressed as f64 / nf,
        information_efficiency: efficient as f64 / nf,
        edge_visits: state.edge_visits,
        standing_by_row,
        final_standing_by_seat,
        seed_reach,
        extra,
        trajectory: Vec::new(),
        classes: Vec::new(),
        agents: None,
    }
}
