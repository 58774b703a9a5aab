//! The Standing Ovation rule's step kernel, shared by its timing schemes: one agent's revision
//! given its own counts and action, with every random draw keyed by the global agent id and
//! the step, so any partition of the agents across threads (or processes) gives the same
//! result.

use crate::engine::state::Seen;
use crate::model::population::NOT_FIXED;
use crate::model::sop::{Verdict, sop_verdict3};
use crate::model::{Action, Agents, SopParams, TieRule};
use crate::rng::{Purpose, Stream};

/// The Standing Ovation rule's parameters, resolved once per run.
#[derive(Debug, Clone, Copy)]
pub struct Kernel {
    tie: TieRule,
    noise: f64,
    key: u64,
}

/// One agent's revision: its new action and whether a tie is still open (a later revision may
/// change it even if nothing it sees changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    /// The action after revising.
    pub action: Action,
    /// Whether the verdict was a tie between two different actions settled by a coin.
    pub open_tie: bool,
}

impl Kernel {
    /// The kernel of the rule `params` under the replicate key `key`.
    pub fn new(params: &SopParams, key: u64) -> Kernel {
        Kernel {
            tie: params.tie,
            noise: params.noise,
            key,
        }
    }

    /// Whether revisions draw action noise (then every agent revises every step).
    pub fn has_noise(&self) -> bool {
        self.noise > 0.0
    }

    /// Revises agent `i` at `step`, seeing `seen` (weighted units standing, booing and in
    /// all), with the three-action verdict [`sop_verdict3`] (Miller and Page's rule when nobody
    /// boos). An agent whose complaint the brand resolved (`seen.quiet`) never joins a
    /// complaint (the booing clause is skipped).
    /// Computes in **O(1)** time; draws only from streams keyed by `(step, i)`.
    #[inline]
    pub fn revise(
        &self,
        agents: &Agents,
        i: u32,
        step: u32,
        current: Action,
        seen: Seen,
    ) -> Revision {
        let idx = i as usize;
        self.revise_agent(
            agents.fixed[idx],
            agents.conformity[idx],
            i,
            step,
            current,
            seen,
        )
    }

    /// [`Kernel::revise`] given the agent's fixed action byte and conformity threshold
    /// rather than the whole population: `i` is its global id (the key of its draws), so a
    /// process of a partitioned run revises its own agents exactly as the engine does.
    #[inline]
    pub fn revise_agent(
        &self,
        fixed: u8,
        conformity: f32,
        i: u32,
        step: u32,
        current: Action,
        seen: Seen,
    ) -> Revision {
        if fixed != NOT_FIXED {
            return Revision {
                action: current,
                open_tie: false,
            };
        }
        let verdict = sop_verdict3(
            seen.standing,
            seen.booing,
            seen.total,
            conformity,
            !seen.quiet,
        );
        let (mut action, open_tie) = match verdict {
            Verdict::Take(a) => (a, false),
            Verdict::Keep => (current, false),
            Verdict::Tie(a, b) if a == b => (a, false),
            Verdict::Tie(a, b) => match self.tie {
                TieRule::Keep => (current, false),
                TieRule::Coin => {
                    let heads = Stream::new(self.key, Purpose::TieCoin, step, i).next_word() & 1;
                    (if heads == 1 { a } else { b }, true)
                }
            },
        };
        if self.noise > 0.0
            && Stream::new(self.key, Purpose::ActionNoise, step, i).bernoulli(self.noise)
        {
            action = match action {
                Action::Stand => Action::Sit,
                Action::Sit | Action::Boo => Action::Stand,
            };
        }
        Revision { action, open_tie }
    }
}
