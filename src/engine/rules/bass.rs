//! The `bass` rule's step loop: Bass (1969) diffusion on a follower graph (see
//! [`crate::model::bass`]).
//!
//! Synchronous: at step `t` every agent that has not adopted (any action but `stand`) and is
//! not fixed adopts with probability `min(1, p + q a_i / k_i)`, `a_i / k_i` being the
//! (weighted) share of its sources standing at the **start** of the step (the engine's running
//! counts, so reading it costs no edge visit). The draw is `Stream(key, Transition, t, i)`, so
//! the outcome never depends on the thread count. The decisions are taken in parallel and then
//! applied in agent order, pushing each adoption to the adopter's followers.
//!
//! On a complete graph of `N` agents the share a non-adopter sees is `A / (N - 1)` (it does not
//! follow itself), so given `A(t)` adopters, `E[A(t+1) | A(t)] = A + (N - A) min(1, p + q A /
//! (N - 1))`: the Bass difference equation `F(t+1) = F + (p + q F)(1 - F)` with `q` scaled by
//! `N / (N - 1)`; averaged over `A(t)` it differs from the deterministic curve by `q Var F(t)`,
//! `O(1/N)` (see `tests/it/bass.rs`, which computes the exact expectation).
//!
//! Stops at a fixed point when no agent can adopt any more (everyone adopted, or `p = 0` and no
//! non-adopter sees an adopter) if the scenario stops at fixed points, else at `max_steps`.
//!
//! Extra measures: `peak_adoption_step` (the step with the most new adopters, the first if
//! tied; 0 if nobody adopted) and `peak_adoption` (the share of agents adopting in that step).

use rayon::prelude::*;

use crate::engine::measures::Outcome;
use crate::engine::rule::Rule;
use crate::engine::run::{Ctx, Ending};
use crate::model::Action;
use crate::model::Problem;
use crate::model::bass;
use crate::model::population::NOT_FIXED;
use crate::rng::{Purpose, Stream};

/// Agents per parallel task (fixed, so the work split never depends on the thread count; the
/// result would not anyway, since every draw is keyed by agent).
const CHUNK: usize = 4096;

impl Rule for bass::BassParams {
    fn name(&self) -> &'static str {
        "bass"
    }

    fn problems(&self) -> Vec<Problem> {
        bass::BassParams::problems(self)
    }

    fn needs_counts(&self) -> bool {
        true
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>) -> Ending {
        run(ctx, self)
    }
}

/// Runs one replicate of the Bass rule.
pub fn run(ctx: &mut Ctx<'_, '_>, params: &bass::BassParams) -> Ending {
    let n = ctx.n();
    let graph = ctx.setup.graph;
    let key = ctx.setup.key;
    let stop = ctx.setup.stop;
    let mut peak = (0u64, 0u32);
    ctx.set_extra("peak_adoption_step", 0.0);
    ctx.set_extra("peak_adoption", 0.0);
    for step in 1..=stop.max_steps {
        let state = &ctx.state;
        let fixed = &ctx.setup.agents.fixed;
        // (agent, adopts) for every agent that may adopt (probability > 0), in agent order.
        let decided: Vec<(u32, bool)> = (0..n)
            .into_par_iter()
            .with_min_len(CHUNK)
            .filter_map(|i| {
                let idx = i as usize;
                if state.action[idx] == Action::Stand as u8 || fixed[idx] != NOT_FIXED {
                    return None;
                }
                let total = state.seen_total[idx];
                let share = if total == 0 {
                    0.0
                } else {
                    f64::from(state.seen_stand[idx]) / f64::from(total)
                };
                let prob = params.probability(share);
                if prob <= 0.0 {
                    return None;
                }
                let adopts = Stream::new(key, Purpose::Transition, step, i).bernoulli(prob);
                Some((i, adopts))
            })
            .collect();
        if decided.is_empty() && stop.at_fixed_point {
            return Ending {
                outcome: Outcome::FixedPoint,
                period: 0,
                steps: step - 1,
            };
        }
        let (mut changes, mut exposures) = (0u64, 0u64);
        for &(i, adopts) in &decided {
            if adopts {
                let old = ctx.state.set_action(i, Action::Stand);
                exposures += ctx.state.push_change(graph, i, old, Action::Stand, |_| {});
                changes += 1;
            }
        }
        if changes > peak.0 {
            peak = (changes, step);
        }
        ctx.record(step, changes, exposures);
        ctx.set_extra("peak_adoption_step", f64::from(peak.1));
        ctx.set_extra("peak_adoption", peak.0 as f64 / f64::from(n.max(1)));
    }
    Ending {
        outcome: Outcome::StepLimit,
        period: 0,
        steps: stop.max_steps,
    }
}
