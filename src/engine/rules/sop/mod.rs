//! The Standing Ovation rule (Miller and Page 2004; parameters and verdict in
//! [`crate::model::sop`]) as a rule of the contract: its kernel ([`kernel`]) and its timing
//! schemes (SPEC 2.3: in what order agents revise and when they see each other's changes),
//! which are its own business: [`synchronous`] (and its delayed variant), [`async_random`] and
//! [`async_incentive`]. It reads the engine's counts and supports actors (the `[brand]` agent).

pub mod async_incentive;
pub mod async_random;
pub mod kernel;
pub mod synchronous;

use rayon::prelude::*;

pub use kernel::{Kernel, Revision, share_threshold, two_action, two_action_at};

use crate::engine::config::TimingSpec;
use crate::engine::rule::Rule;
use crate::engine::run::{Ctx, Ending, Setup};
use crate::engine::state::BLOCK;
use crate::model::population::NOT_FIXED;
use crate::model::{Action, Problem, SopParams};

impl Rule for SopParams {
    fn name(&self) -> &'static str {
        "sop"
    }

    fn problems(&self) -> Vec<Problem> {
        SopParams::problems(self)
    }

    fn needs_counts(&self) -> bool {
        true
    }

    fn uses_signals(&self) -> bool {
        true
    }

    fn quality(&self) -> f64 {
        self.quality
    }

    fn supports_timing(&self, _timing: &TimingSpec) -> bool {
        true
    }

    fn supports_actors(&self) -> bool {
        true
    }

    fn counts_in_first_step(&self, setup: &Setup<'_>) -> bool {
        *setup.timing == TimingSpec::Synchronous && setup.brand.is_none()
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>) -> Ending {
        let kernel = Kernel::new(self, ctx.setup.key);
        match ctx.setup.timing {
            TimingSpec::Synchronous => synchronous::run(ctx, &kernel, None),
            TimingSpec::Delayed { latency } => synchronous::run(ctx, &kernel, Some(latency)),
            TimingSpec::AsyncRandom => async_random::run(ctx, &kernel),
            TimingSpec::AsyncIncentive => async_incentive::run(ctx, &kernel),
        }
    }
}

/// Candidates below this count are revised on the calling thread; above it, in parallel chunks.
const PARALLEL_MIN: usize = 16_384;
/// Chunk size of parallel revision (fixed, so the work split never depends on thread count).
const CHUNK: usize = 4096;

/// What revising a set of candidates found: agents that change (with their new action) and
/// agents left with an open tie, both ascending.
pub type Revised = (Vec<(u32, Action)>, Vec<u32>);

/// Revises `candidates` (ascending agent ids) at `step` from the current counts, without
/// changing anything. Returns the agents whose action changes, with their new action, and the
/// agents left with an open tie, both in ascending order. Parallel over fixed chunks for large
/// candidate sets; the result never depends on the number of threads.
pub fn revise_all(ctx: &Ctx<'_, '_>, kernel: &Kernel, candidates: &[u32], step: u32) -> Revised {
    let agents = ctx.setup.agents;
    let state = &ctx.state;
    let chunk = |ids: &[u32]| {
        let mut changed = Vec::new();
        let mut ties = Vec::new();
        for &i in ids {
            let current = state.current(i);
            let r = kernel.revise(agents, i, step, current, state.seen(i));
            if r.action != current {
                changed.push((i, r.action));
            }
            if r.open_tie {
                ties.push(i);
            }
        }
        (changed, ties)
    };
    if candidates.len() < PARALLEL_MIN {
        return chunk(candidates);
    }
    let parts: Vec<Revised> = candidates.par_chunks(CHUNK).map(chunk).collect();
    let mut changed = Vec::new();
    let mut ties = Vec::new();
    for (c, t) in parts {
        changed.extend(c);
        ties.extend(t);
    }
    (changed, ties)
}

/// What a fused pull collects in one chunk of agents: changes and open ties as in
/// [`Revised`], and where in the previous step's open ties the chunk stands.
#[derive(Default)]
struct PullRevisions {
    changed: Vec<(u32, Action)>,
    ties: Vec<u32>,
    /// Index into the previous step's open ties of the first one not below the agent being
    /// visited (found at the chunk's first agent).
    cursor: Option<usize>,
}

/// A dense synchronous step's recount fused with the next step's revision: recounts every
/// agent's counts from the current actions (a full pull, as
/// [`State::recount`](crate::engine::state::State::recount)) and, while each agent's new counts are in
/// registers, revises it at `step` when it is a candidate: every agent with `all` (the first
/// step, whose pull is the step-0 count), else one whose counts changed, holds an open tie
/// (`ties`, ascending: the last step's), or every agent when the rule has noise. Fixed agents
/// never revise. Changes nothing but the counts; returns what [`revise_all`] over those
/// candidates would, in the same order. `thresholds`, when given, holds every agent's
/// [`share_threshold`] for its current total (see [`share_thresholds`]): the two-action
/// verdict then compares integers only (the same verdict).
pub fn recount_and_revise(
    ctx: &mut Ctx<'_, '_>,
    kernel: &Kernel,
    ties: &[u32],
    step: u32,
    all: bool,
    thresholds: Option<&[u64]>,
) -> Revised {
    let agents = ctx.setup.agents;
    let noise = kernel.has_noise() || all;
    // The common case revises a block without a branch per agent: no action noise, nobody
    // booing and no brand (so the two-action verdict decides), ties kept or thrown by the
    // general path.
    let plain_rule = !kernel.has_noise();
    let parts = ctx
        .state
        .recount_blocks(ctx.setup.graph, |acc: &mut PullRevisions, block| {
            let plain =
                plain_rule && block.quiet.is_empty() && block.booing.iter().all(|&b| b == 0);
            let mut found = [(0u32, 0u8); BLOCK];
            let mut len = 0usize;
            // The block's slices, cut once so the loop reads them without a bounds check.
            let size = block.standing.len().min(BLOCK);
            let span = block.first as usize..block.first as usize + size;
            let (fixed_of, conformity_of, action_of) = (
                &agents.fixed[span.clone()],
                &agents.conformity[span.clone()],
                &block.action[span],
            );
            let (standing, total) = (&block.standing[..size], &block.total[..size]);
            let threshold_of = thresholds.map(|t| &t[block.first as usize..][..size]);
            for k in 0..size {
                let i = block.first + k as u32;
                let fixed = fixed_of[k];
                let mut candidate = fixed == NOT_FIXED && (noise || (block.changed >> k) & 1 == 1);
                if !ties.is_empty() && fixed == NOT_FIXED {
                    let at = acc
                        .cursor
                        .get_or_insert_with(|| ties.partition_point(|&t| t < i));
                    if *at < ties.len() && ties[*at] == i {
                        *at += 1;
                        candidate = true;
                    }
                }
                let current = action_of[k];
                let conformity = conformity_of[k];
                if plain {
                    let (action, tie) = match threshold_of {
                        Some(t) => two_action_at(t[k], conformity, standing[k], total[k], current),
                        None => two_action(conformity, standing[k], total[k], current),
                    };
                    if !(candidate && tie && kernel.coin_ties()) {
                        // Not a candidate: its verdict would repeat its last one; keep.
                        let action = if candidate { action } else { current };
                        found[len] = (i, action);
                        len += usize::from(action != current);
                        continue;
                    }
                } else if !candidate {
                    continue;
                }
                let current = Action::from_u8(current);
                let r = kernel.revise_agent(fixed, conformity, i, step, current, block.seen(k));
                found[len] = (i, r.action as u8);
                len += usize::from(r.action != current);
                if r.open_tie {
                    acc.ties.push(i);
                }
            }
            acc.changed
                .extend(found[..len].iter().map(|&(i, a)| (i, Action::from_u8(a))));
        });
    let mut it = parts.into_iter();
    let first = it.next().unwrap_or_default();
    let (mut changed, mut open) = (first.changed, first.ties);
    for p in it {
        changed.extend(p.changed);
        open.extend(p.ties);
    }
    (changed, open)
}

/// Every agent's [`share_threshold`] for the totals it sees now (the counts must be
/// computed): for [`recount_and_revise`] while the totals stay as they are (they never change
/// in a run: they are the units of an agent's sources, whatever those sources do).
pub fn share_thresholds(ctx: &Ctx<'_, '_>) -> Vec<u64> {
    ctx.setup
        .agents
        .conformity
        .iter()
        .zip(&ctx.state.seen_total)
        .map(|(&x, &total)| share_threshold(x, total))
        .collect()
}

/// What [`revise_one`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OneRevision {
    /// Whether the agent's action changed (and was pushed to its followers).
    pub changed: bool,
    /// Whether its verdict left an open tie.
    pub open_tie: bool,
    /// Follower edges the change was pushed over.
    pub exposures: u64,
}

/// Revises agent `i` alone at `step` from the latest counts (the asynchronous schemes) and, if
/// its action changes, applies it and pushes it to its followers' counts at once; `touched`
/// is refilled with those followers.
pub fn revise_one(
    ctx: &mut Ctx<'_, '_>,
    kernel: &Kernel,
    i: u32,
    step: u32,
    touched: &mut Vec<u32>,
) -> OneRevision {
    let current = ctx.state.current(i);
    let r = kernel.revise(ctx.setup.agents, i, step, current, ctx.state.seen(i));
    touched.clear();
    if r.action == current {
        return OneRevision {
            changed: false,
            open_tie: r.open_tie,
            exposures: 0,
        };
    }
    let old = ctx.state.set_action(i, r.action);
    let exposures = ctx
        .state
        .push_change(ctx.setup.graph, i, old, r.action, |f| touched.push(f));
    OneRevision {
        changed: true,
        open_tie: r.open_tie,
        exposures,
    }
}
