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

pub use kernel::{Kernel, Revision};

use crate::engine::config::TimingSpec;
use crate::engine::rule::Rule;
use crate::engine::run::{Ctx, Ending};
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
