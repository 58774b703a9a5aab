//! Helpers shared by the rules' step loops: a step's tally of changes and its fixed-point
//! test ([`StepTally`]), the ending at the step limit, and [`Marks`], the bitset frontier.

use crate::engine::config::StopRule;
use crate::engine::measures::Outcome;
use crate::engine::rules::sop::OneRevision;
use crate::engine::run::{Ctx, Ending};

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
        if self.settled() && !noise && !ctx.actors_busy() && ctx.setup.stop.at_fixed_point {
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
