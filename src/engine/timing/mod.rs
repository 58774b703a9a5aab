//! Timing schemes (SPEC 2.3): in what order agents revise and when they see each other's
//! changes. Each scheme drives the shared kernel in [`crate::engine::state`].

pub mod async_incentive;
pub mod async_random;
pub mod synchronous;

use rayon::prelude::*;

use crate::engine::run::Ctx;
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
            let idx = i as usize;
            let current = state.current(i);
            let r = kernel.revise(
                agents,
                i,
                step,
                current,
                state.seen_stand[idx],
                state.seen_total[idx],
            );
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

/// A set of agent ids collected during a step, emitted sorted and without repeats.
#[derive(Debug)]
pub struct Marks {
    stamp: Vec<u32>,
    current: u32,
    ids: Vec<u32>,
}

impl Marks {
    /// An empty set over `n` agents.
    pub fn new(n: u32) -> Marks {
        Marks {
            stamp: vec![u32::MAX; n as usize],
            current: 0,
            ids: Vec::new(),
        }
    }

    /// Adds `i` (once per round).
    #[inline]
    pub fn mark(&mut self, i: u32) {
        if self.stamp[i as usize] != self.current {
            self.stamp[i as usize] = self.current;
            self.ids.push(i);
        }
    }

    /// Whether `i` was marked in this round.
    #[inline]
    pub fn contains(&self, i: u32) -> bool {
        self.stamp[i as usize] == self.current
    }

    /// Ends the round: returns the marked ids sorted ascending and starts a new, empty round.
    pub fn take_sorted(&mut self) -> Vec<u32> {
        let mut ids = std::mem::take(&mut self.ids);
        ids.sort_unstable();
        self.current = self.current.wrapping_add(1);
        if self.current == u32::MAX {
            self.stamp.fill(u32::MAX);
            self.current = 0;
        }
        ids
    }
}
