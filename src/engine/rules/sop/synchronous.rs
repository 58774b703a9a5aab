//! Synchronous updating (a double buffer) and its delayed variant.
//!
//! In a synchronous step every agent revises from the actions of the previous step: the kernel
//! reads the counts, all changes are collected first and applied after. Only agents whose counts
//! changed in the previous step (or who hold an open tie, or every agent when the rule has
//! action noise) are revised: the others would repeat their last verdict. When a step's changes
//! reach more than an eighth of the edges, counts are recomputed by a pull over every agent's
//! sources instead of pushed (the direction-optimising switch of breadth-first search); without
//! actors that pull also revises the next step's candidates as it counts them
//! ([`recount_and_revise`]), and the first step's pull is the
//! step-0 count ([`Rule::counts_in_first_step`](crate::engine::rule::Rule::counts_in_first_step)).
//!
//! **Delayed**: a change of source `j` at step `t` reaches follower `i` at step `t + L(j -> i)`,
//! `L >= 1` (see [`LatencySpec`]); with `L = 1` everywhere this is exactly the synchronous
//! scheme. Pending deliveries are part of the state: a delayed run is at a fixed point only when
//! none are left.
//!
//! Synchronous updating can cycle (period 2 is common); when the dynamics are deterministic (no
//! open tie, no noise, nothing in flight) a repeated state ends the run as a `cycle`.

use std::collections::{BTreeMap, VecDeque};

use crate::engine::actor::TurnResult;
use crate::engine::config::LatencySpec;
use crate::engine::measures::Outcome;
use crate::engine::rules::sop::{
    Kernel, Revised, recount_and_revise, revise_all, share_thresholds,
};
use crate::engine::run::{Ctx, Ending};
use crate::engine::steps::{Marks, step_limit};
use crate::model::Action;
use crate::model::population::NOT_FIXED;
use crate::rng::{Purpose, Stream};

/// A step whose changes reach more than `m / PULL_FRACTION` follower edges recounts by a
/// parallel pull over all sources instead of pushing: pushing writes to random agents' counts,
/// a pull streams through the sources CSR (about 7x cheaper per edge on a 10^6-agent BA graph,
/// see benches/README.md).
const PULL_FRACTION: u64 = 8;

/// Per-edge latencies of the delayed scheme, resolved for this replicate.
enum Latencies {
    Constant(u32),
    PerViewer(Vec<u32>),
    RowDistance { seats: u32 },
    EdgeWeights,
}

impl Latencies {
    fn new(spec: &LatencySpec, ctx: &Ctx<'_, '_>) -> Latencies {
        let n = ctx.n();
        let rows = |i: u32| ctx.setup.theater.map_or(0, |t| t.position(i).0);
        match spec {
            LatencySpec::Constant { steps } => Latencies::Constant((*steps).max(1)),
            LatencySpec::ViewerRow { per_row } => Latencies::PerViewer(
                (0..n)
                    .map(|i| 1u32.saturating_add(steps_of((per_row * f64::from(rows(i))).floor())))
                    .collect(),
            ),
            LatencySpec::RowDistance => Latencies::RowDistance {
                seats: ctx.setup.theater.map_or(u32::MAX, |t| t.seats),
            },
            LatencySpec::EdgeWeights => Latencies::EdgeWeights,
            LatencySpec::Agent { dist } => Latencies::PerViewer(
                (0..n)
                    .map(|i| {
                        let x =
                            dist.sample(&mut Stream::new(ctx.setup.key, Purpose::Latency, 0, i));
                        steps_of(x.round()).max(1)
                    })
                    .collect(),
            ),
        }
    }

    /// The latency of edge `e` from `j` to `i`, capped at `max_steps + 1`: a change that
    /// arrives after the last step is never seen, so a longer latency only costs memory.
    #[inline]
    fn of(&self, ctx: &Ctx<'_, '_>, j: u32, i: u32, e: usize) -> u32 {
        let cap = ctx.setup.stop.max_steps.saturating_add(1);
        // At least 1 whatever the input: a latency of 0 would deliver into the past.
        self.uncapped(ctx, j, i, e).clamp(1, cap)
    }

    #[inline]
    fn uncapped(&self, ctx: &Ctx<'_, '_>, j: u32, i: u32, e: usize) -> u32 {
        match self {
            Latencies::Constant(l) => *l,
            Latencies::PerViewer(l) => l[i as usize],
            Latencies::RowDistance { seats } => (i / seats).abs_diff(j / seats).max(1),
            Latencies::EdgeWeights => {
                let w = ctx
                    .setup
                    .graph
                    .follower_adjacency()
                    .weights
                    .as_ref()
                    .map_or(1.0, |w| w[e]);
                steps_of(f64::from(w).round()).max(1)
            }
        }
    }
}

/// A number of steps as a `u32`: NaN and negatives are 0, anything beyond `u32::MAX` is
/// `u32::MAX` (never a wrapped value).
fn steps_of(x: f64) -> u32 {
    if x.is_nan() || x <= 0.0 {
        0
    } else if x >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        x as u32
    }
}

/// A change on its way to one follower.
#[derive(Debug, Clone, Copy)]
struct Delivery {
    follower: u32,
    units: u32,
    old: Action,
    new: Action,
}

/// Runs the synchronous scheme (`latency = None`) or the delayed one.
pub fn run(ctx: &mut Ctx<'_, '_>, kernel: &Kernel, latency: Option<&LatencySpec>) -> Ending {
    let n = ctx.n();
    let graph = ctx.setup.graph;
    let stop = ctx.setup.stop;
    let latencies = latency
        .map(|l| Latencies::new(l, ctx))
        .filter(|l| !matches!(l, Latencies::Constant(1)));
    let noise = kernel.has_noise();
    let m = graph.edge_count();
    // Without actors nothing acts between a step's changes and the next step's revisions, so
    // a dense step's pull can revise for the next step while it counts.
    let fuse = latencies.is_none() && !ctx.has_actors();
    // The next step's revisions, when a pull already made them; the first step's when the
    // engine left the step-0 count to this scheme (then every agent is a candidate).
    let mut fused: Option<Revised> = None;
    // Every agent's integer share threshold, made at the first dense step after the counts
    // exist (the totals never change in a run), for the fused pulls' verdicts.
    let mut thresholds: Vec<u64> = Vec::new();
    if !ctx.state.counted() {
        if fuse {
            fused = Some(recount_and_revise(ctx, kernel, &[], 1, true, None));
        } else {
            ctx.state.recount(graph, None);
        }
    }
    let revisable: Vec<u32> = if noise || fused.is_none() {
        (0..n)
            .filter(|&i| ctx.setup.agents.fixed[i as usize] == NOT_FIXED)
            .collect()
    } else {
        Vec::new()
    };
    let mut candidates = if fused.is_none() {
        revisable.clone()
    } else {
        Vec::new()
    };
    let mut marks = Marks::new(n);
    let mut in_flight: VecDeque<Vec<Delivery>> = VecDeque::new();
    let mut pending = 0usize;
    let mut seen_states: BTreeMap<u64, u32> = BTreeMap::new();
    seen_states.insert(ctx.state.hash, 0);
    let mut flags: Vec<bool> = Vec::new();
    let mut actor_touched: Vec<u32> = Vec::new();

    for step in 1..=stop.max_steps {
        if latencies.is_some() {
            if let Some(due) = in_flight.pop_front() {
                pending -= due.len();
                for d in due {
                    ctx.state.apply_units(d.follower, d.old, d.new, d.units);
                    marks.mark(d.follower);
                }
            }
            for &i in &marks.take_sorted() {
                if ctx.setup.agents.fixed[i as usize] == NOT_FIXED {
                    candidates.push(i);
                }
            }
            candidates.sort_unstable();
            candidates.dedup();
        }
        if noise {
            candidates.clone_from(&revisable);
        }
        // The brand acts first, on what was public after the previous step (not under delayed
        // timing, which the scenario check refuses with a brand).
        let turn = if latencies.is_none() {
            actor_touched.clear();
            let t = ctx.actors_turn(step, &mut actor_touched);
            if !actor_touched.is_empty() {
                candidates.extend(
                    actor_touched
                        .iter()
                        .filter(|&&i| ctx.setup.agents.fixed[i as usize] == NOT_FIXED),
                );
                candidates.sort_unstable();
                candidates.dedup();
            }
            t
        } else {
            TurnResult::default()
        };
        let (changed, ties) = match fused.take() {
            Some(revised) => revised,
            None => revise_all(ctx, kernel, &candidates, step),
        };
        let olds: Vec<Action> = changed
            .iter()
            .map(|&(i, new)| ctx.state.set_action(i, new))
            .collect();
        let exposures: u64 = changed
            .iter()
            .map(|&(i, _)| u64::from(graph.follower_count(i)))
            .sum();
        candidates.clear();
        match &latencies {
            None if exposures > m / PULL_FRACTION && fuse => {
                // Dense step: pull every agent's counts and revise those that moved for the
                // next step in the same pass (nothing acts between the two without actors).
                if thresholds.is_empty() {
                    thresholds = share_thresholds(ctx);
                }
                fused = Some(recount_and_revise(
                    ctx,
                    kernel,
                    &ties,
                    step + 1,
                    false,
                    Some(&thresholds),
                ));
            }
            None if exposures > m / PULL_FRACTION => {
                // Dense step: pull every agent's counts in parallel and revise those that moved.
                flags.resize(n as usize, false);
                ctx.state.recount(graph, Some(&mut flags));
                candidates.extend((0..n).filter(|&i| {
                    flags[i as usize] && ctx.setup.agents.fixed[i as usize] == NOT_FIXED
                }));
            }
            None => {
                for (&(j, new), &old) in changed.iter().zip(&olds) {
                    ctx.state.push_change(graph, j, old, new, |f| marks.mark(f));
                }
                candidates.extend(
                    marks
                        .take_sorted()
                        .into_iter()
                        .filter(|&i| ctx.setup.agents.fixed[i as usize] == NOT_FIXED),
                );
            }
            Some(lat) => {
                for (&(j, new), &old) in changed.iter().zip(&olds) {
                    let mut out: Vec<(u32, usize, u32)> = Vec::new();
                    ctx.state
                        .for_each_follower(graph, j, |f, e, u| out.push((f, e, u)));
                    for (f, e, units) in out {
                        let l = lat.of(ctx, j, f, e) as usize;
                        while in_flight.len() < l {
                            in_flight.push_back(Vec::new());
                        }
                        in_flight[l - 1].push(Delivery {
                            follower: f,
                            units,
                            old,
                            new,
                        });
                        pending += 1;
                    }
                }
            }
        }
        candidates.extend(ties.iter().copied());
        candidates.sort_unstable();
        candidates.dedup();

        let changes = changed.len() as u64 + turn.changes;
        let exposures = exposures + turn.exposures;
        let actors_busy = ctx.actors_busy();
        if changes == 0
            && ties.is_empty()
            && pending == 0
            && !noise
            && !actors_busy
            && stop.at_fixed_point
        {
            return Ending {
                outcome: Outcome::FixedPoint,
                period: 0,
                steps: step - 1,
            };
        }
        ctx.record(step, changes, exposures);
        // With a brand the dynamics depend on its queue and draws, not only on the actions.
        if stop.at_fixed_point && ties.is_empty() && pending == 0 && !noise && !ctx.has_actors() {
            if let Some(&earlier) = seen_states.get(&ctx.state.hash) {
                return Ending {
                    outcome: Outcome::Cycle,
                    period: step - earlier,
                    steps: step,
                };
            }
            seen_states.insert(ctx.state.hash, step);
        }
    }
    step_limit(stop)
}
