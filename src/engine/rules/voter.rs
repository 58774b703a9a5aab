//! Step loops of the opinion-copying rules: the voter model, the majority rule and the q-voter
//! model (parameters in [`crate::model::voter`], documentation in `docs/models/voter.md`).
//!
//! Opinion 0 is `sit`, opinion 1 is `stand` (an agent a class starts at `boo` holds a third
//! opinion, copied like the others). An agent reads its **sources** and changes only itself
//! (the direct, node-update convention), except in the voter model's invasion process, where
//! micro-step `k`'s agent (the invader, drawn as below) imposes its opinion on one of its
//! **followers**, the `below(followers)` draw of `Stream(key, NeighbourPick, step, k)` (a
//! fixed follower keeps its opinion; an invader without followers changes nobody). Weights and visibility are ignored: each source
//! counts once. Fixed agents and agents that follow nobody never change.
//!
//! Timing (`update`):
//! - `asynchronous` (default): a step is `n` micro-steps; micro-step `k` picks agent
//!   `Stream(key, AsyncOrder, step, 0)`'s `k`-th `below(n)` draw (with replacement) and updates
//!   it from the latest opinions, drawing from `Stream(key, NeighbourPick, step, k)` (the
//!   majority rule's coin from `Stream(key, TieCoin, step, k)`). This is Liggett's
//!   continuous-time process observed at integer times, up to the Poisson clock.
//! - `synchronous`: every agent updates from the previous step's opinions, agent `i` drawing
//!   from `Stream(key, NeighbourPick, step, i)` (coin: `TieCoin`). Parallel over agents;
//!   identical for any thread count.
//!
//! Ending: consensus (every agent holds the same opinion, an absorbing state of all three
//! rules) ends the run at once as a fixed point. After a step without change an exact scan
//! decides whether any agent could still change (zealots or a graph that is not strongly
//! connected can freeze a mixed state); if none can, the run ends at the last step that changed
//! something. Synchronous majority with `tie = "keep"` is deterministic: a repeated state ends
//! it as a cycle. Extras: `consensus` (1 or 0 at the end) and `consensus_time` (the time of
//! the first consensus, in steps, fractional under asynchronous updating: micro-steps / n).

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::engine::measures::Outcome;
use crate::engine::rule::Rule;
use crate::engine::run::{Ctx, Ending};
use crate::engine::state::State;
use crate::engine::steps::step_limit;
use crate::graph::FollowerGraph;
use crate::model::Action;
use crate::model::Problem;
use crate::model::population::NOT_FIXED;
use crate::model::voter::{
    MajorityParams, MajorityTie, QVoterParams, SmallInDegree, Update, VoterParams, VoterProcess,
};
use crate::rng::{Purpose, Stream};

/// No change, in the byte vector of synchronous decisions.
const UNCHANGED: u8 = u8::MAX;

impl Rule for VoterParams {
    fn name(&self) -> &'static str {
        "voter"
    }

    fn problems(&self) -> Vec<Problem> {
        VoterParams::problems(self)
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>) -> Ending {
        run_voter(ctx, self)
    }
}

impl Rule for MajorityParams {
    fn name(&self) -> &'static str {
        "majority"
    }

    fn problems(&self) -> Vec<Problem> {
        MajorityParams::problems(self)
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>) -> Ending {
        run_majority(ctx, self)
    }
}

impl Rule for QVoterParams {
    fn name(&self) -> &'static str {
        "q_voter"
    }

    fn problems(&self) -> Vec<Problem> {
        QVoterParams::problems(self)
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>) -> Ending {
        run_q_voter(ctx, self)
    }
}

/// Runs one replicate of the voter model: copy one source chosen uniformly at random, or,
/// as the invasion process, impose one's opinion on one follower chosen uniformly.
pub fn run_voter(ctx: &mut Ctx<'_, '_>, params: &VoterParams) -> Ending {
    let kind = match params.process {
        VoterProcess::NodeUpdate => Kind::Voter,
        VoterProcess::Invasion => Kind::Invasion,
    };
    run(ctx, kind, params.update)
}

/// Runs one replicate of the majority rule.
pub fn run_majority(ctx: &mut Ctx<'_, '_>, params: &MajorityParams) -> Ending {
    run(ctx, Kind::Majority(params.tie), params.update)
}

/// Runs one replicate of the q-voter model.
pub fn run_q_voter(ctx: &mut Ctx<'_, '_>, params: &QVoterParams) -> Ending {
    let kind = Kind::QVoter {
        q: params.panel(),
        epsilon: params.epsilon,
        repetition: params.repetition,
        small: params.small_in_degree,
    };
    run(ctx, kind, params.update)
}

/// The rule, resolved once per run.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Voter,
    /// The invasion process: the chosen agent is the invader (asynchronous only, validated).
    Invasion,
    Majority(MajorityTie),
    QVoter {
        q: usize,
        epsilon: f64,
        repetition: bool,
        small: Option<SmallInDegree>,
    },
}

/// How a q-voter panel is drawn from `k` sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Panel {
    /// The agent does not update.
    Skip,
    /// `size` draws with repetition.
    WithRepetition(usize),
    /// `size` distinct sources (`size <= k`).
    Distinct(usize),
}

fn panel(q: usize, k: usize, repetition: bool, small: Option<SmallInDegree>) -> Panel {
    if k == 0 {
        return Panel::Skip;
    }
    if repetition {
        return Panel::WithRepetition(q);
    }
    if q <= k {
        return Panel::Distinct(q);
    }
    match small {
        Some(SmallInDegree::Skip) => Panel::Skip,
        Some(SmallInDegree::UseAll) => Panel::Distinct(k),
        // Validation requires a policy when q >= 2; q = 1 never exceeds k >= 1.
        Some(SmallInDegree::WithRepetition) | None => Panel::WithRepetition(q),
    }
}

/// The other opinion (`boo` flips to `stand`).
fn flip(own: u8) -> Action {
    if own == Action::Stand as u8 {
        Action::Sit
    } else {
        Action::Stand
    }
}

/// How many sources hold each action.
fn counts(sources: &[u32], actions: &[u8]) -> [u32; 3] {
    let mut c = [0u32; 3];
    for &j in sources {
        c[actions[j as usize] as usize] += 1;
    }
    c
}

impl Kind {
    /// The new opinion of an agent holding `own` with `sources`, reading `actions`, or `None`
    /// if it keeps its opinion. Draws from streams keyed by `(step, index)`; adds the edges it
    /// reads to `visits`.
    #[allow(clippy::too_many_arguments)]
    fn decide(
        &self,
        key: u64,
        sources: &[u32],
        own: u8,
        actions: &[u8],
        step: u32,
        index: u32,
        visits: &mut u64,
    ) -> Option<Action> {
        let k = sources.len();
        if k == 0 {
            return None;
        }
        let new = match *self {
            // Validated asynchronous: the invader acts in `asynchronous_step`, never here.
            Kind::Invasion => return None,
            Kind::Voter => {
                let mut s = Stream::new(key, Purpose::NeighbourPick, step, index);
                *visits += 1;
                actions[sources[s.below(k as u64) as usize] as usize]
            }
            Kind::Majority(tie) => {
                *visits += k as u64;
                let c = counts(sources, actions);
                let top = *c.iter().max().expect("three counts");
                let tied: Vec<u8> = (0..3u8).filter(|&a| c[a as usize] == top).collect();
                match tie {
                    _ if tied.len() == 1 => tied[0],
                    MajorityTie::Keep => own,
                    MajorityTie::Coin => {
                        let mut s = Stream::new(key, Purpose::TieCoin, step, index);
                        tied[s.below(tied.len() as u64) as usize]
                    }
                }
            }
            Kind::QVoter {
                q,
                epsilon,
                repetition,
                small,
            } => {
                let mut s = Stream::new(key, Purpose::NeighbourPick, step, index);
                let mut first = None;
                let mut unanimous = true;
                let mut see = |j: u32| {
                    let a = actions[j as usize];
                    match first {
                        None => first = Some(a),
                        Some(f) => unanimous &= f == a,
                    }
                };
                match panel(q, k, repetition, small) {
                    Panel::Skip => return None,
                    Panel::WithRepetition(size) => {
                        *visits += size as u64;
                        for _ in 0..size {
                            see(sources[s.below(k as u64) as usize]);
                        }
                    }
                    Panel::Distinct(size) if size == k => {
                        *visits += k as u64;
                        sources.iter().for_each(|&j| see(j));
                    }
                    Panel::Distinct(size) => {
                        // Floyd's algorithm: `size` distinct positions out of `k`.
                        *visits += size as u64;
                        let mut chosen: Vec<usize> = Vec::with_capacity(size);
                        for j in (k - size)..k {
                            let t = s.below(j as u64 + 1) as usize;
                            let pick = if chosen.contains(&t) { j } else { t };
                            chosen.push(pick);
                            see(sources[pick]);
                        }
                    }
                }
                match first {
                    Some(a) if unanimous => a,
                    _ if epsilon > 0.0 && s.bernoulli(epsilon) => flip(own) as u8,
                    _ => own,
                }
            }
        };
        (new != own).then(|| Action::from_u8(new))
    }

    /// Whether an agent holding `own` with `sources` could change under some draw (exact).
    fn can_change(&self, sources: &[u32], own: u8, actions: &[u8]) -> bool {
        let k = sources.len();
        if k == 0 {
            return false;
        }
        let c = counts(sources, actions);
        let kinds = c.iter().filter(|&&x| x > 0).count();
        match *self {
            // Under invasion an agent changes when a source of another opinion (whose followers
            // include it) invades it: the same condition.
            Kind::Voter | Kind::Invasion => (c[own as usize] as usize) < k,
            Kind::Majority(tie) => {
                let top = *c.iter().max().expect("three counts");
                let tied: Vec<u8> = (0..3u8).filter(|&a| c[a as usize] == top).collect();
                match (tied.len(), tie) {
                    (1, _) => tied[0] != own,
                    (_, MajorityTie::Keep) => false,
                    (_, MajorityTie::Coin) => tied.iter().any(|&a| a != own),
                }
            }
            Kind::QVoter {
                q,
                epsilon,
                repetition,
                small,
            } => {
                let others = (0..3u8).filter(|&a| a != own);
                let (unanimous_change, mixed) = match panel(q, k, repetition, small) {
                    Panel::Skip => return false,
                    Panel::WithRepetition(size) => (
                        others.clone().any(|a| c[a as usize] > 0),
                        size >= 2 && kinds >= 2,
                    ),
                    Panel::Distinct(size) => (
                        others.clone().any(|a| c[a as usize] as usize >= size),
                        size >= 2 && kinds >= 2,
                    ),
                };
                unanimous_change || (epsilon > 0.0 && mixed)
            }
        }
    }
}

/// Whether every agent holds the same opinion.
fn consensus(state: &State) -> bool {
    let n = state.action.len() as u64;
    state.tally.contains(&n)
}

/// Whether any agent could still change (an exact scan over every source edge).
fn any_can_change(ctx: &mut Ctx<'_, '_>, kind: Kind) -> bool {
    if consensus(&ctx.state) {
        return false;
    }
    let graph = ctx.setup.graph;
    let fixed = &ctx.setup.agents.fixed;
    let actions = &ctx.state.action;
    let any = (0..graph.node_count())
        .into_par_iter()
        .with_min_len(4096)
        .any(|i| {
            fixed[i as usize] == NOT_FIXED
                && kind.can_change(graph.sources(i), actions[i as usize], actions)
        });
    ctx.state.edge_visits += graph.edge_count();
    any
}

/// One synchronous step: every agent decides from the same opinions, then all changes apply.
/// Returns `(changes, exposures)`.
fn synchronous_step(ctx: &mut Ctx<'_, '_>, kind: Kind, step: u32) -> (u64, u64) {
    let graph: &FollowerGraph = ctx.setup.graph;
    let fixed = &ctx.setup.agents.fixed;
    let key = ctx.setup.key;
    let actions = &ctx.state.action;
    let decided: Vec<(u8, u64)> = (0..graph.node_count())
        .into_par_iter()
        .with_min_len(4096)
        .map(|i| {
            if fixed[i as usize] != NOT_FIXED {
                return (UNCHANGED, 0);
            }
            let mut visits = 0;
            let new = kind.decide(
                key,
                graph.sources(i),
                actions[i as usize],
                actions,
                step,
                i,
                &mut visits,
            );
            (new.map_or(UNCHANGED, |a| a as u8), visits)
        })
        .collect();
    let (mut changes, mut exposures) = (0, 0);
    for (i, &(new, visits)) in decided.iter().enumerate() {
        ctx.state.edge_visits += visits;
        if new != UNCHANGED {
            ctx.state.set_action(i as u32, Action::from_u8(new));
            changes += 1;
            exposures += u64::from(graph.follower_count(i as u32));
        }
    }
    (changes, exposures)
}

/// One asynchronous step of `n` micro-steps. Returns `(changes, exposures)` and, if consensus
/// was first reached during the step, the micro-step after which it was (the rest of the step
/// is skipped: consensus is absorbing).
fn asynchronous_step(
    ctx: &mut Ctx<'_, '_>,
    kind: Kind,
    step: u32,
    watch_consensus: bool,
) -> (u64, u64, Option<u32>) {
    let graph: &FollowerGraph = ctx.setup.graph;
    let fixed = &ctx.setup.agents.fixed;
    let key = ctx.setup.key;
    let n = graph.node_count();
    let mut order = Stream::new(key, Purpose::AsyncOrder, step, 0);
    let (mut changes, mut exposures, mut visits) = (0, 0, 0);
    let mut reached = None;
    for k in 0..n {
        let mut i = order.below(u64::from(n)) as u32;
        let new = if let Kind::Invasion = kind {
            // The invader `i` imposes its opinion on follower `i` picks; `i` becomes that
            // follower, the agent that may change.
            let followers = graph.followers(i);
            if followers.is_empty() {
                continue;
            }
            let mut s = Stream::new(key, Purpose::NeighbourPick, step, k);
            visits += 1;
            let imposed = ctx.state.action[i as usize];
            i = followers[s.below(followers.len() as u64) as usize];
            if fixed[i as usize] != NOT_FIXED || ctx.state.action[i as usize] == imposed {
                continue;
            }
            Some(Action::from_u8(imposed))
        } else {
            if fixed[i as usize] != NOT_FIXED {
                continue;
            }
            let own = ctx.state.action[i as usize];
            kind.decide(
                key,
                graph.sources(i),
                own,
                &ctx.state.action,
                step,
                k,
                &mut visits,
            )
        };
        if let Some(new) = new {
            ctx.state.set_action(i, new);
            changes += 1;
            exposures += u64::from(graph.follower_count(i));
            if watch_consensus && consensus(&ctx.state) {
                reached = Some(k + 1);
                break;
            }
        }
    }
    ctx.state.edge_visits += visits;
    (changes, exposures, reached)
}

fn run(ctx: &mut Ctx<'_, '_>, kind: Kind, update: Update) -> Ending {
    let n = ctx.n().max(1);
    let stop = ctx.setup.stop;
    let deterministic =
        update == Update::Synchronous && matches!(kind, Kind::Majority(MajorityTie::Keep));
    let mut seen_states: BTreeMap<u64, u32> = BTreeMap::new();
    seen_states.insert(ctx.state.hash, 0);
    let mut consensus_at: Option<f64> = consensus(&ctx.state).then_some(0.0);
    let mut ending = None;
    for step in 1..=stop.max_steps {
        let (changes, exposures) = match update {
            Update::Asynchronous => {
                let (c, e, reached) = asynchronous_step(ctx, kind, step, consensus_at.is_none());
                if let Some(k) = reached {
                    consensus_at = Some(f64::from(step - 1) + f64::from(k) / f64::from(n));
                }
                (c, e)
            }
            Update::Synchronous => {
                let (c, e) = synchronous_step(ctx, kind, step);
                if consensus_at.is_none() && consensus(&ctx.state) {
                    consensus_at = Some(f64::from(step));
                }
                (c, e)
            }
        };
        if changes == 0 && stop.at_fixed_point && !any_can_change(ctx, kind) {
            ending = Some(Ending {
                outcome: Outcome::FixedPoint,
                period: 0,
                steps: step - 1,
            });
            break;
        }
        ctx.record(step, changes, exposures);
        if stop.at_fixed_point && consensus(&ctx.state) {
            ending = Some(Ending {
                outcome: Outcome::FixedPoint,
                period: 0,
                steps: step,
            });
            break;
        }
        if stop.at_fixed_point && deterministic {
            if let Some(&earlier) = seen_states.get(&ctx.state.hash) {
                ending = Some(Ending {
                    outcome: Outcome::Cycle,
                    period: step - earlier,
                    steps: step,
                });
                break;
            }
            seen_states.insert(ctx.state.hash, step);
        }
    }
    ctx.set_extra("consensus", f64::from(u8::from(consensus(&ctx.state))));
    if let Some(t) = consensus_at {
        ctx.set_extra("consensus_time", t);
    }
    ending.unwrap_or_else(|| step_limit(stop))
}
