//! Timing schemes (SPEC 2.3): in what order agents revise and when they see each other's
//! changes. Each scheme drives the shared kernel in [`crate::engine::state`].

pub mod async_incentive;
pub mod async_random;
pub mod synchronous;

use rayon::prelude::*;

use crate::engine::config::StopRule;
use crate::engine::measures::Outcome;
use crate::engine::run::{Ctx, Ending};
use crate::model::Action;

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
pub fn revise_all(ctx: &Ctx<'_, '_>, candidates: &[u32], step: u32) -> Revised {
    let kernel = ctx.kernel;
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
pub fn revise_one(ctx: &mut Ctx<'_, '_>, i: u32, step: u32, touched: &mut Vec<u32>) -> OneRevision {
    let current = ctx.state.current(i);
    let r = ctx
        .kernel
        .revise(ctx.setup.agents, i, step, current, ctx.state.seen(i));
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

/// What one step of an asynchronous scheme did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct StepTally {
    /// Agents that changed.
    pub changes: u64,
    /// Follower edges their changes were pushed over.
    pub exposures: u64,
    /// Revisions that left an open tie.
    pub open_ties: u64,
}

impl StepTally {
    /// Counts agent `i`'s revision `r`; an open tie queues `i` in `later` (the next step).
    /// Returns whether `i` changed.
    pub fn count(&mut self, i: u32, r: OneRevision, later: &mut Marks) -> bool {
        if r.open_tie {
            self.open_ties += 1;
            later.mark(i);
        }
        if r.changed {
            self.changes += 1;
            self.exposures += r.exposures;
        }
        r.changed
    }

    /// Whether nothing changed and no tie is open: the state is a fixed point.
    pub fn settled(&self) -> bool {
        self.changes == 0 && self.open_ties == 0
    }

    /// Ends step `step`: at a fixed point (when the run stops at one and there is no action
    /// noise) the run ends, the step that confirmed it unrecorded; otherwise the step is
    /// recorded and the run goes on.
    pub fn finish(&self, ctx: &mut Ctx<'_, '_>, step: u32, noise: bool) -> Option<Ending> {
        let brand_busy = ctx
            .brand
            .as_ref()
            .is_some_and(|b| b.busy(ctx.state.tally[Action::Boo as usize]));
        if self.settled() && !noise && !brand_busy && ctx.setup.stop.at_fixed_point {
            return Some(Ending {
                outcome: Outcome::FixedPoint,
                period: 0,
                steps: step - 1,
            });
        }
        ctx.record(step, self.changes, self.exposures);
        None
    }
}

/// The ending of a run that used all its steps.
pub fn step_limit(stop: StopRule) -> Ending {
    Ending {
        outcome: Outcome::StepLimit,
        period: 0,
        steps: stop.max_steps,
    }
}

/// A set of agent ids collected during a step, emitted sorted and without repeats: one bit per
/// agent (an eighth of a megabyte per million agents, so marking stays in cache).
#[derive(Debug)]
pub struct Marks {
    words: Vec<u64>,
    any: bool,
}

impl Marks {
    /// An empty set over `n` agents.
    pub fn new(n: u32) -> Marks {
        Marks {
            words: vec![0; (n as usize).div_ceil(64)],
            any: false,
        }
    }

    /// Adds `i`.
    #[inline]
    pub fn mark(&mut self, i: u32) {
        self.words[(i >> 6) as usize] |= 1u64 << (i & 63);
        self.any = true;
    }

    /// Returns the marked ids in ascending order and empties the set. Computes in
    /// **O(n / 64 + marked)** time.
    pub fn take_sorted(&mut self) -> Vec<u32> {
        let mut ids = Vec::new();
        if !self.any {
            return ids;
        }
        for (w, word) in self.words.iter_mut().enumerate() {
            let mut bits = std::mem::take(word);
            while bits != 0 {
                ids.push((w as u32) << 6 | bits.trailing_zeros());
                bits &= bits - 1;
            }
        }
        self.any = false;
        ids
    }
}
