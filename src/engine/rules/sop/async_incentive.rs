//! Asynchronous incentive-based updating: in each step the agents that would change revise one
//! at a time, the one under the most social pressure first, and pressures are recomputed after
//! every move.
//!
//! Pressure is the (weighted) share of an agent's sources doing something other than what it
//! does: the gap between what it does and what it sees. Equal pressures are ordered by a random
//! key per `(step, agent)`. An agent revises at most once per step; a follower of a mover that
//! has already revised in this step waits for the next. Only agents whose counts changed, or who
//! hold an open tie, are considered, so the cost grows with the number of changes.

use std::collections::BinaryHeap;

use crate::engine::rules::sop::{Kernel, revise_one};
use crate::engine::run::{Ctx, Ending};
use crate::engine::steps::{Marks, StepTally, step_limit};
use crate::model::population::NOT_FIXED;
use crate::rng::{Purpose, Stream};

/// Pressure on agent `i` as a fixed-point share (2^32 = everything it sees differs).
#[inline]
fn pressure(ctx: &Ctx<'_, '_>, i: u32) -> u64 {
    let idx = i as usize;
    let s = &ctx.state;
    let total = u64::from(s.seen_total[idx]);
    if total == 0 {
        return 0;
    }
    let (stand, boo) = (u64::from(s.seen_stand[idx]), u64::from(s.seen_boo[idx]));
    let same = match s.action[idx] {
        1 => stand,
        2 => boo,
        _ => total - stand - boo,
    };
    (((total - same) as u128) << 32)
        .checked_div(total as u128)
        .unwrap_or(0) as u64
}

/// Runs the asynchronous incentive-based scheme.
pub fn run(ctx: &mut Ctx<'_, '_>, kernel: &Kernel) -> Ending {
    let n = ctx.n();
    let key = ctx.setup.key;
    let stop = ctx.setup.stop;
    let noise = kernel.has_noise();
    let revisable: Vec<u32> = (0..n)
        .filter(|&i| ctx.setup.agents.fixed[i as usize] == NOT_FIXED)
        .collect();
    let mut next = revisable.clone();
    let mut later = Marks::new(n);
    let mut done_in_step = vec![u32::MAX; n as usize];
    let mut heap: BinaryHeap<(u64, u64, u32)> = BinaryHeap::new();
    let mut touched: Vec<u32> = Vec::new();
    let tiebreak =
        |step: u32, i: u32| Stream::new(key, Purpose::IncentiveOrder, step, i).next_u64_raw();

    for step in 1..=stop.max_steps {
        if noise {
            next.clone_from(&revisable);
        }
        let by_actors = ctx.actors_turn(step, &mut touched);
        next.extend(
            touched
                .iter()
                .filter(|&&i| ctx.setup.agents.fixed[i as usize] == NOT_FIXED),
        );
        heap.clear();
        for i in next.drain(..) {
            heap.push((pressure(ctx, i), tiebreak(step, i), i));
        }
        let mut tally = StepTally {
            changes: by_actors.changes,
            exposures: by_actors.exposures,
            open_ties: 0,
        };
        while let Some((p, _, i)) = heap.pop() {
            if done_in_step[i as usize] == step {
                continue;
            }
            let now = pressure(ctx, i);
            if now != p {
                // Stale entry: the pressure moved since it was queued.
                heap.push((now, tiebreak(step, i), i));
                continue;
            }
            done_in_step[i as usize] = step;
            let r = revise_one(ctx, kernel, i, step, &mut touched);
            if !tally.count(i, r, &mut later) {
                continue;
            }
            for &f in &touched {
                if ctx.setup.agents.fixed[f as usize] != NOT_FIXED {
                    continue;
                }
                if done_in_step[f as usize] == step {
                    later.mark(f);
                } else {
                    heap.push((pressure(ctx, f), tiebreak(step, f), f));
                }
            }
        }
        next = later.take_sorted();
        if let Some(ending) = tally.finish(ctx, step, noise) {
            return ending;
        }
    }
    step_limit(stop)
}
