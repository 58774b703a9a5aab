//! Asynchronous random updating: in each step every agent revises once, one at a time, in a
//! fresh uniformly random order, each seeing the latest actions.
//!
//! The order is given by a random key per `(step, agent)`; sorting all agents by it is a
//! uniform random permutation. Only agents that could change are queued (those whose counts
//! changed since their last turn, or who hold an open tie): skipping the others' turns changes
//! nothing. When an agent changes, each follower whose turn in this step is still ahead is
//! queued at its own key; a follower whose turn has passed waits for the next step. The result
//! is the full sequential process, at a cost that grows with the number of changes.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::engine::rules::sop::{Kernel, revise_one};
use crate::engine::run::{Ctx, Ending};
use crate::engine::steps::{Marks, StepTally, step_limit};
use crate::model::population::NOT_FIXED;
use crate::rng::{Purpose, Stream};

#[inline]
fn turn(key: u64, step: u32, i: u32) -> u64 {
    Stream::new(key, Purpose::AsyncOrder, step, i).next_u64_raw()
}

/// Runs the asynchronous random scheme.
pub fn run(ctx: &mut Ctx<'_, '_>, kernel: &Kernel) -> Ending {
    let n = ctx.n();
    let key = ctx.setup.key;
    let stop = ctx.setup.stop;
    let noise = kernel.has_noise();
    let revisable: Vec<u32> = (0..n)
        .filter(|&i| ctx.setup.agents.fixed[i as usize] == NOT_FIXED)
        .collect();
    let mut next: Vec<u32> = revisable.clone();
    let mut later = Marks::new(n);
    let mut done_in_step = vec![u32::MAX; n as usize];
    let mut heap: BinaryHeap<Reverse<(u64, u32)>> = BinaryHeap::new();
    let mut touched: Vec<u32> = Vec::new();

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
        heap.extend(next.drain(..).map(|i| Reverse((turn(key, step, i), i))));
        let mut tally = StepTally {
            changes: by_actors.changes,
            exposures: by_actors.exposures,
            open_ties: 0,
        };
        while let Some(Reverse((k, i))) = heap.pop() {
            if done_in_step[i as usize] == step {
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
                let kf = turn(key, step, f);
                if done_in_step[f as usize] != step && kf > k {
                    heap.push(Reverse((kf, f)));
                } else {
                    later.mark(f);
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
