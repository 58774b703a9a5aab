//! The `sentiment` rule's step loop (parameters: [`crate::model::sentiment`]; the brand's turn:
//! [`crate::engine::webcare`]; equations in `docs/models/sentiment.md`).
//!
//! Synchronous. At step `t >= 1`, first the brand (if the scenario has a `[webcare]` table)
//! acts on the actions of step `t - 1`; then every agent that is not fixed, not a brand account
//! and not a seed reads its feed with probability `attention` (draw `(Transition, t, i)`) and,
//! if it does, moves its felt sentiment toward its Friedkin-Johnsen target
//! `x_i <- x_i + rho ((1 - lambda_i) A_i(t) + lambda_i m_i(t - 1) - x_i)`, `m_i` being the net
//! voice of its sources at the end of step `t - 1` (the engine's integer counts). Then every
//! agent's action is read off its sentiment: `stand` if `x_i > T_i`, `boo` if `x_i < C_i`, else
//! `sit`. Changes are applied in agent order.
//!
//! **Monotone coupling.** Every draw is a fixed uniform per `(agent, step)` (or per agent),
//! compared against a threshold, and every update is non-decreasing in the agent's own
//! sentiment, its anchor and its sources' actions (praise above silence above complaint), so
//! two runs that differ only by up-shocks (resolutions, care) keep the one with the shocks
//! at least as high, agent by agent, step by step (`tests/it/webcare_props.rs`).
//!
//! Seeds chosen by `[seeding]` (and advocates a `[webcare]` playbook activates) praise for the
//! whole run whatever they feel; their felt sentiment still moves, and they stay in the audience. Stops at
//! `max_steps` (sentiment approaches its target without reaching a fixed point).

use rayon::prelude::*;

use crate::engine::measures::Outcome;
use crate::engine::rule::Rule;
use crate::engine::run::{Ctx, Ending};
use crate::engine::webcare::{self, Webcare};
use crate::model::Action;
use crate::model::Problem;
use crate::model::population::NOT_FIXED;
use crate::model::sentiment::{SentimentParams, net_voice};
use crate::rng::{Purpose, Stream, uniform_at};

/// Agents per parallel task (fixed; results never depend on it).
const CHUNK: usize = 4096;

/// The per-agent sentiment state of one replicate.
#[derive(Debug, Clone)]
pub struct Felt {
    /// Felt sentiment `x_i`.
    pub x: Vec<f64>,
    /// Experience `clamp(s_i, -1, 1)`.
    pub experience: Vec<f64>,
    /// Step of the experience `tau_i`.
    pub tau: Vec<u32>,
    /// Accumulated care credit `L_i` in `[0, care_cap]` (sentiment units): the anchor is
    /// `min(1, b + L)`.
    pub care: Vec<f64>,
    /// Floor of the anchor (the resolved floor once resolved, else -1).
    pub floor: Vec<f64>,
    /// Agents that never revise (fixed classes, brand accounts): no felt sentiment, not in the
    /// audience.
    pub frozen: Vec<bool>,
    /// Agents whose action is pinned to praise whatever they feel (seeds, advocates): their
    /// sentiment still moves and they stay in the audience, so that every strategy's net
    /// sentiment is over the same agents.
    pub pinned: Vec<bool>,
}

impl Felt {
    /// Agent `i`'s anchor at step `t`: `max(min(1, b + L), floor)` with `b` its experience
    /// from `tau_i` on and 0 before, `L` its care credit.
    #[inline]
    pub fn anchor(&self, i: usize, t: u32) -> f64 {
        let b = if t >= self.tau[i] {
            self.experience[i]
        } else {
            0.0
        };
        (b + self.care[i]).min(1.0).max(self.floor[i])
    }
}

/// The action a sentiment `x` expresses with thresholds `t` (praise) and `c` (complaint).
#[inline]
pub fn expressed(x: f64, t: f64, c: f64) -> Action {
    if x > t {
        Action::Stand
    } else if x < c {
        Action::Boo
    } else {
        Action::Sit
    }
}

impl Rule for SentimentParams {
    fn name(&self) -> &'static str {
        "sentiment"
    }

    fn problems(&self) -> Vec<Problem> {
        SentimentParams::problems(self)
    }

    fn needs_counts(&self) -> bool {
        true
    }

    fn quality(&self) -> f64 {
        self.quality
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>) -> Ending {
        run(ctx, self)
    }
}

/// Runs one replicate of the sentiment rule.
pub fn run(ctx: &mut Ctx<'_, '_>, params: &SentimentParams) -> Ending {
    let n = ctx.n();
    let graph = ctx.setup.graph;
    let key = ctx.setup.key;
    let agents = ctx.setup.agents;
    let stop = ctx.setup.stop;
    let rho = params.rate();
    let mut brand = params
        .webcare
        .as_ref()
        .map(|spec| Webcare::new(spec, params.quality, graph, agents));
    let accounts: Vec<u32> = brand.as_ref().map_or_else(Vec::new, |b| b.nodes());

    let mut felt = Felt {
        x: vec![0.0; n as usize],
        experience: agents
            .signal
            .iter()
            .map(|&s| f64::from(s).clamp(-1.0, 1.0))
            .collect(),
        tau: (0..n)
            .map(|i| {
                // Classes that set `initial` (or `fixed`) have had their experience at step 0
                // (the rule starts every other agent silent: it does not use signals at step 0).
                if agents.initial[i as usize] != Action::Sit as u8 {
                    0
                } else {
                    params.experience_step(uniform_at(key, Purpose::Experience, 0, i))
                }
            })
            .collect(),
        care: vec![0.0; n as usize],
        floor: vec![-1.0; n as usize],
        frozen: (0..n as usize)
            .map(|i| agents.fixed[i] != NOT_FIXED)
            .collect(),
        pinned: vec![false; n as usize],
    };
    for &s in &agents.seeds {
        felt.pinned[s as usize] = true;
        if ctx.state.current(s) != Action::Stand {
            let old = ctx.state.set_action(s, Action::Stand);
            ctx.state.push_change(graph, s, old, Action::Stand, |_| {});
        }
    }
    for &a in &accounts {
        felt.frozen[a as usize] = true;
        if ctx.state.current(a) != Action::Sit {
            let old = ctx.state.set_action(a, Action::Sit);
            ctx.state.push_change(graph, a, old, Action::Sit, |_| {});
        }
    }
    // Agents that start with an action (class `initial`) start with their experience felt.
    for i in 0..n as usize {
        if !felt.frozen[i] && agents.initial[i] != Action::Sit as u8 {
            felt.x[i] = felt.experience[i];
        }
    }
    // Complaint views in feeds, per class of the complaining agent.
    let classes = agents
        .class
        .iter()
        .copied()
        .max()
        .map_or(1, |c| usize::from(c) + 1);
    let mut exposure = vec![0u64; classes];
    complaint_views(ctx, &mut exposure);

    for step in 1..=stop.max_steps {
        if let Some(b) = brand.as_mut() {
            b.turn(ctx, &mut felt, step);
        }
        let state = &ctx.state;
        let lambda = &agents.conformity;
        let felt_ref = &felt;
        let next: Vec<f64> = (0..n)
            .into_par_iter()
            .with_min_len(CHUNK)
            .map(|i| {
                let idx = i as usize;
                let x = felt_ref.x[idx];
                if felt_ref.frozen[idx]
                    || !Stream::new(key, Purpose::Transition, step, i).bernoulli(params.attention)
                {
                    return x;
                }
                let anchor = felt_ref.anchor(idx, step);
                let m = net_voice(
                    f64::from(state.seen_stand[idx]),
                    f64::from(state.seen_boo[idx]),
                    f64::from(state.seen_total[idx]),
                    anchor,
                );
                let l = f64::from(lambda[idx]);
                let target = (1.0 - l) * anchor + l * m;
                x + rho * (target - x)
            })
            .collect();
        felt.x = next;
        let (mut changes, mut exposures) = (0u64, 0u64);
        for i in 0..n {
            let idx = i as usize;
            if felt.frozen[idx] || felt.pinned[idx] {
                continue;
            }
            let new = expressed(
                felt.x[idx],
                f64::from(agents.threshold[idx]),
                f64::from(agents.complaint[idx]),
            );
            if new != ctx.state.current(i) {
                let old = ctx.state.set_action(i, new);
                exposures += ctx.state.push_change(graph, i, old, new, |_| {});
                changes += 1;
            }
        }
        complaint_views(ctx, &mut exposure);
        ctx.record(step, changes, exposures);
    }
    webcare::finish(ctx, brand.as_ref(), &felt, &exposure);
    Ending {
        outcome: Outcome::StepLimit,
        period: 0,
        steps: stop.max_steps,
    }
}

/// Adds the complaint views of the current step (the followers of every complaining agent) to
/// `by_class`, by the complaining agent's class.
fn complaint_views(ctx: &Ctx<'_, '_>, by_class: &mut [u64]) {
    let graph = ctx.setup.graph;
    let class = &ctx.setup.agents.class;
    for i in 0..ctx.n() {
        if ctx.state.action[i as usize] == Action::Boo as u8 {
            by_class[usize::from(class[i as usize])] += u64::from(graph.follower_count(i));
        }
    }
}
