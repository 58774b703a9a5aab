//! Step loops of the contagion rules: discrete-time SIR and SIS, and the Maki-Thompson rumour
//! model (parameters in [`crate::model::epidemic`], documentation in `docs/models/epidemic.md`).
//!
//! Direction: an infected agent (a spreader) reaches its **followers** (push over follower
//! edges): what u does is seen by those who follow u. Fixed agents never change state (a fixed
//! infected agent still infects, a fixed spreader still spreads).
//!
//! **SIR / SIS** (synchronous, as the discrete-time chain-binomial models of Reed and Frost).
//! In step `t`, every agent infected at the start of the step makes one trial with probability
//! `beta` on each of its follower edges; a susceptible follower hit by at least one trial is
//! infected at the end of the step. The successes among agent `u`'s follower edges, in CSR
//! order, are drawn from `Stream(key, EdgeTrial, t, u)` by geometric skipping (each gap
//! `floor(ln U / ln(1 - beta))`, `U` uniform on `(0, 1]`): the same law as one independent
//! Bernoulli(beta) per edge, at a cost of `O(1 + beta x out-degree)` draws. Then each agent
//! infected at the start of the step recovers (SIR: to `boo`, removed; SIS: to `sit`,
//! susceptible again) with probability `gamma`, drawn from `Stream(key, Transition, t, u)`, or,
//! with SIR's `infectious_steps = D`, after exactly `D` infectious steps. Agents infected in
//! step `t` are infectious from step `t + 1`: the infectious period is at least one step
//! (geometric with mean `1 / gamma`). The run ends when nobody is infected, or, after a step
//! without change, when no agent can change any more (an exact scan), or at the step limit.
//! Extras: `ever_infected` (share of agents infected at some step, seeds included),
//! `peak_infected` and `peak_step` (the largest infected share and the first step it was
//! seen), and for SIS `mean_infected_last_half` (the mean infected share over steps
//! `floor(T / 2) + 1 ..= T` of a run recorded up to step `T`).
//!
//! **Maki-Thompson** (Maki and Thompson 1973). A spreader contacts one follower chosen
//! uniformly at random: an ignorant contacted becomes a spreader; if the contacted agent
//! already knows (spreader or stifler), the spreader that initiated the contact becomes a
//! stifler. Asynchronous (default): a step is `n` micro-steps; micro-step `k` picks agent
//! `Stream(key, AsyncOrder, t, 0)`'s `k`-th `below(n)` draw, and if it is a spreader it makes
//! one contact, picked from `Stream(key, NeighbourPick, t, k)`: each spreader makes one contact
//! per step on average, one contact at a time, as in the paper. Synchronous: every spreader
//! at the start of the step contacts one follower (`Stream(key, NeighbourPick, t, u)`), all
//! outcomes judged on the states at the start of the step. A spreader without followers
//! cannot tell anyone and stays a spreader. Ends when no spreader is left (or nothing can
//! change any more). Extras: `never_heard` (final share of ignorants), `peak_spreaders`,
//! `peak_step`, and `end_time` (the time the last spreader stopped, in steps, fractional
//! under asynchronous updating).

use rayon::prelude::*;

use crate::engine::measures::Outcome;
use crate::engine::rule::Rule;
use crate::engine::run::{Ctx, Ending};
use crate::engine::steps::{Marks, step_limit};
use crate::model::Action;
use crate::model::Problem;
use crate::model::epidemic::{MakiThompsonParams, SirParams, SisParams};
use crate::model::population::NOT_FIXED;
use crate::model::voter::Update;
use crate::rng::{Purpose, Stream};

/// Infected agents handled per parallel task (fixed, so the split never depends on threads).
const CHUNK: usize = 1024;

/// How an infected agent recovers.
#[derive(Debug, Clone, Copy)]
enum Recovery {
    /// With this probability per step.
    Probability(f64),
    /// After exactly this many infectious steps.
    After(u32),
}

impl Rule for SirParams {
    fn name(&self) -> &'static str {
        "sir"
    }

    fn problems(&self) -> Vec<Problem> {
        SirParams::problems(self)
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>) -> Ending {
        run_sir(ctx, self)
    }
}

impl Rule for SisParams {
    fn name(&self) -> &'static str {
        "sis"
    }

    fn problems(&self) -> Vec<Problem> {
        SisParams::problems(self)
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>) -> Ending {
        run_sis(ctx, self)
    }
}

impl Rule for MakiThompsonParams {
    fn name(&self) -> &'static str {
        "maki_thompson"
    }

    fn problems(&self) -> Vec<Problem> {
        MakiThompsonParams::problems(self)
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>) -> Ending {
        run_maki_thompson(ctx, self)
    }
}

/// Runs one replicate of discrete-time SIR.
pub fn run_sir(ctx: &mut Ctx<'_, '_>, params: &SirParams) -> Ending {
    let recovery = match (params.infectious_steps, params.gamma) {
        (Some(d), _) => Recovery::After(d.max(1)),
        (None, g) => Recovery::Probability(g.unwrap_or(1.0)),
    };
    run_contagion(ctx, params.beta, recovery, Action::Boo)
}

/// Runs one replicate of discrete-time SIS.
pub fn run_sis(ctx: &mut Ctx<'_, '_>, params: &SisParams) -> Ending {
    run_contagion(
        ctx,
        params.beta,
        Recovery::Probability(params.gamma),
        Action::Sit,
    )
}

/// Calls `hit(e)` for each successful trial among `degree` edges (positions `e` in CSR order),
/// each succeeding independently with probability `beta`, by geometric skipping over
/// `Stream(key, EdgeTrial, step, u)`.
fn edge_successes(
    key: u64,
    step: u32,
    u: u32,
    degree: usize,
    beta: f64,
    mut hit: impl FnMut(usize),
) {
    if degree == 0 || beta <= 0.0 {
        return;
    }
    if beta >= 1.0 {
        (0..degree).for_each(hit);
        return;
    }
    let ln_q = (-beta).ln_1p();
    if ln_q == 0.0 {
        return;
    }
    let mut s = Stream::new(key, Purpose::EdgeTrial, step, u);
    let mut e = 0usize;
    while e < degree {
        // P(gap >= g) = P(U <= (1 - beta)^g) = (1 - beta)^g: failures before the next success.
        let gap = ((1.0 - s.uniform()).ln() / ln_q).floor();
        if gap >= (degree - e) as f64 {
            break;
        }
        e += gap as usize;
        hit(e);
        e += 1;
    }
}

fn run_contagion(ctx: &mut Ctx<'_, '_>, beta: f64, recovery: Recovery, after: Action) -> Ending {
    let graph = ctx.setup.graph;
    let fixed = &ctx.setup.agents.fixed;
    let key = ctx.setup.key;
    let stop = ctx.setup.stop;
    let n = graph.node_count();
    let nf = f64::from(n.max(1));
    let fadj = graph.follower_adjacency();
    let stand = Action::Stand as u8;
    let mut infected: Vec<u32> = (0..n)
        .filter(|&i| ctx.state.action[i as usize] == stand)
        .collect();
    // Step at which each agent was last infected (seeds: 0); used by `infectious_steps`.
    let mut since: Vec<u32> = vec![0; n as usize];
    let mut ever = infected.len() as u64;
    let mut peak = (infected.len() as f64 / nf, 0u32);
    let mut shares = vec![infected.len() as f64 / nf];
    let mut marks = Marks::new(n);
    let mut ending = None;
    for step in 1..=stop.max_steps {
        let actions = &ctx.state.action;
        let since_ref = &since;
        let parts: Vec<(Vec<u32>, Vec<u32>, u64)> = infected
            .par_chunks(CHUNK)
            .map(|chunk| {
                let (mut hits, mut recovered, mut visits) = (Vec::new(), Vec::new(), 0u64);
                for &u in chunk {
                    let (a, b) = fadj.range(u);
                    visits += (b - a) as u64;
                    edge_successes(key, step, u, b - a, beta, |e| {
                        let v = fadj.targets[a + e];
                        if actions[v as usize] == Action::Sit as u8
                            && fixed[v as usize] == NOT_FIXED
                        {
                            hits.push(v);
                        }
                    });
                    if fixed[u as usize] == NOT_FIXED {
                        let recovers = match recovery {
                            Recovery::Probability(g) => {
                                Stream::new(key, Purpose::Transition, step, u).bernoulli(g)
                            }
                            Recovery::After(d) => step - since_ref[u as usize] >= d,
                        };
                        if recovers {
                            recovered.push(u);
                        }
                    }
                }
                (hits, recovered, visits)
            })
            .collect();
        let mut recovered: Vec<u32> = Vec::new();
        for (hits, rec, visits) in parts {
            ctx.state.edge_visits += visits;
            hits.into_iter().for_each(|v| marks.mark(v));
            recovered.extend(rec);
        }
        let newly = marks.take_sorted();
        let mut exposures = 0u64;
        for &v in &newly {
            ctx.state.set_action(v, Action::Stand);
            since[v as usize] = step;
            exposures += u64::from(graph.follower_count(v));
        }
        for &u in &recovered {
            ctx.state.set_action(u, after);
            exposures += u64::from(graph.follower_count(u));
        }
        ever += newly.len() as u64;
        let changes = (newly.len() + recovered.len()) as u64;
        // The new infected list: (infected - recovered) merged with the newly infected.
        let mut next = Vec::with_capacity(infected.len() + newly.len());
        let mut rec = recovered.iter().peekable();
        let mut new = newly.iter().peekable();
        for &u in &infected {
            if rec.peek() == Some(&&u) {
                rec.next();
                continue;
            }
            while let Some(&&v) = new.peek().filter(|&&&v| v < u) {
                next.push(v);
                new.next();
            }
            next.push(u);
        }
        next.extend(new.copied());
        infected = next;

        if changes == 0
            && stop.at_fixed_point
            && !contagion_can_change(ctx, &infected, beta, recovery)
        {
            ending = Some(Ending {
                outcome: Outcome::FixedPoint,
                period: 0,
                steps: step - 1,
            });
            break;
        }
        ctx.record(step, changes, exposures);
        let share = infected.len() as f64 / nf;
        shares.push(share);
        if share > peak.0 {
            peak = (share, step);
        }
        if infected.is_empty() && stop.at_fixed_point {
            ending = Some(Ending {
                outcome: Outcome::FixedPoint,
                period: 0,
                steps: step,
            });
            break;
        }
    }
    ctx.set_extra("ever_infected", ever as f64 / nf);
    ctx.set_extra("peak_infected", peak.0);
    ctx.set_extra("peak_step", f64::from(peak.1));
    if after == Action::Sit {
        let last = shares.len() - 1;
        let half = &shares[(last / 2 + 1).min(last)..];
        let mean = half.iter().sum::<f64>() / half.len() as f64;
        ctx.set_extra("mean_infected_last_half", mean);
    }
    ending.unwrap_or_else(|| step_limit(stop))
}

/// Whether any agent can still change under SIR/SIS: an infected agent that can recover, or
/// one that can infect a susceptible, unfixed follower.
fn contagion_can_change(
    ctx: &mut Ctx<'_, '_>,
    infected: &[u32],
    beta: f64,
    recovery: Recovery,
) -> bool {
    let graph = ctx.setup.graph;
    let fixed = &ctx.setup.agents.fixed;
    let actions = &ctx.state.action;
    let can_recover = match recovery {
        Recovery::Probability(g) => g > 0.0,
        Recovery::After(_) => true,
    };
    let mut visits = 0u64;
    let any = infected.iter().any(|&u| {
        if fixed[u as usize] == NOT_FIXED && can_recover {
            return true;
        }
        if beta <= 0.0 {
            return false;
        }
        let f = graph.followers(u);
        visits += f.len() as u64;
        f.iter()
            .any(|&v| actions[v as usize] == Action::Sit as u8 && fixed[v as usize] == NOT_FIXED)
    });
    ctx.state.edge_visits += visits;
    any
}

/// Runs one replicate of the Maki-Thompson rumour model.
pub fn run_maki_thompson(ctx: &mut Ctx<'_, '_>, params: &MakiThompsonParams) -> Ending {
    let graph = ctx.setup.graph;
    let fixed = &ctx.setup.agents.fixed;
    let key = ctx.setup.key;
    let stop = ctx.setup.stop;
    let n = graph.node_count();
    let nf = f64::from(n.max(1));
    let spreaders = |ctx: &Ctx<'_, '_>| ctx.state.tally[Action::Stand as usize];
    let mut peak = (spreaders(ctx) as f64 / nf, 0u32);
    let mut end_time: Option<f64> = (spreaders(ctx) == 0).then_some(0.0);
    let mut ending = None;
    for step in 1..=stop.max_steps {
        let (mut changes, mut exposures) = (0u64, 0u64);
        match params.update {
            Update::Asynchronous => {
                let mut order = Stream::new(key, Purpose::AsyncOrder, step, 0);
                let mut visits = 0u64;
                for k in 0..n {
                    if spreaders(ctx) == 0 {
                        break;
                    }
                    let u = order.below(u64::from(n)) as u32;
                    if ctx.state.action[u as usize] != Action::Stand as u8 {
                        continue;
                    }
                    let f = graph.followers(u);
                    if f.is_empty() {
                        continue;
                    }
                    visits += 1;
                    let mut s = Stream::new(key, Purpose::NeighbourPick, step, k);
                    let v = f[s.below(f.len() as u64) as usize];
                    let changed = if ctx.state.action[v as usize] == Action::Sit as u8 {
                        (fixed[v as usize] == NOT_FIXED).then(|| {
                            ctx.state.set_action(v, Action::Stand);
                            v
                        })
                    } else {
                        (fixed[u as usize] == NOT_FIXED).then(|| {
                            ctx.state.set_action(u, Action::Boo);
                            u
                        })
                    };
                    if let Some(w) = changed {
                        changes += 1;
                        exposures += u64::from(graph.follower_count(w));
                        if spreaders(ctx) == 0 && end_time.is_none() {
                            end_time = Some(f64::from(step - 1) + f64::from(k + 1) / nf);
                        }
                    }
                }
                ctx.state.edge_visits += visits;
            }
            Update::Synchronous => {
                let actions = &ctx.state.action;
                let outcomes: Vec<(u32, u32)> = (0..n)
                    .into_par_iter()
                    .with_min_len(4096)
                    .filter_map(|u| {
                        if actions[u as usize] != Action::Stand as u8 {
                            return None;
                        }
                        let f = graph.followers(u);
                        if f.is_empty() {
                            return None;
                        }
                        let mut s = Stream::new(key, Purpose::NeighbourPick, step, u);
                        Some((u, f[s.below(f.len() as u64) as usize]))
                    })
                    .collect();
                ctx.state.edge_visits += outcomes.len() as u64;
                let mut told = Marks::new(n);
                let mut stifled = Vec::new();
                for &(u, v) in &outcomes {
                    if actions[v as usize] == Action::Sit as u8 {
                        if fixed[v as usize] == NOT_FIXED {
                            told.mark(v);
                        }
                    } else if fixed[u as usize] == NOT_FIXED {
                        stifled.push(u);
                    }
                }
                for v in told.take_sorted() {
                    ctx.state.set_action(v, Action::Stand);
                    changes += 1;
                    exposures += u64::from(graph.follower_count(v));
                }
                for u in stifled {
                    ctx.state.set_action(u, Action::Boo);
                    changes += 1;
                    exposures += u64::from(graph.follower_count(u));
                }
                if spreaders(ctx) == 0 && end_time.is_none() {
                    end_time = Some(f64::from(step));
                }
            }
        }
        if changes == 0 && stop.at_fixed_point && !rumour_can_change(ctx) {
            ending = Some(Ending {
                outcome: Outcome::FixedPoint,
                period: 0,
                steps: step - 1,
            });
            break;
        }
        ctx.record(step, changes, exposures);
        let share = spreaders(ctx) as f64 / nf;
        if share > peak.0 {
            peak = (share, step);
        }
        if spreaders(ctx) == 0 && stop.at_fixed_point {
            ending = Some(Ending {
                outcome: Outcome::FixedPoint,
                period: 0,
                steps: step,
            });
            break;
        }
    }
    ctx.set_extra(
        "never_heard",
        ctx.state.tally[Action::Sit as usize] as f64 / nf,
    );
    ctx.set_extra("peak_spreaders", peak.0);
    ctx.set_extra("peak_step", f64::from(peak.1));
    if let Some(t) = end_time {
        ctx.set_extra("end_time", t);
    }
    ending.unwrap_or_else(|| step_limit(stop))
}

/// Whether any contact could still change a state: a spreader with an unfixed ignorant
/// follower, or an unfixed spreader with a follower who already knows.
fn rumour_can_change(ctx: &mut Ctx<'_, '_>) -> bool {
    let graph = ctx.setup.graph;
    let fixed = &ctx.setup.agents.fixed;
    let actions = &ctx.state.action;
    let any = (0..graph.node_count()).any(|u| {
        actions[u as usize] == Action::Stand as u8
            && graph.followers(u).iter().any(|&v| {
                if actions[v as usize] == Action::Sit as u8 {
                    fixed[v as usize] == NOT_FIXED
                } else {
                    fixed[u as usize] == NOT_FIXED
                }
            })
    });
    ctx.state.edge_visits += graph.edge_count();
    any
}
