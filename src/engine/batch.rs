//! Cascade replicates 64 at a time (one **block**), one bit per replicate (**lane**) in a
//! machine word, in one traversal of the graph per step, with per lane exactly what
//! [`run_replicate`](crate::engine::run_replicate) returns for that replicate: the same step
//! records, the same ending, the same measures, so `run`, `compare` and `sweep` can write
//! batched replicates byte for byte as the scalar engine writes them (`runner::BlockPlan`).
//! Three rules run in blocks: the independent cascade and the linear threshold (Kempe et al.
//! 2003) and the `threshold` rule (Granovetter 1978, Watts 2002), the progressive rules whose
//! replicates differ only in keyed draws (and seeds). The threshold rule's scalar kernel
//! switches between push and pull by itself, which changes its edge visits; its block step
//! replays that choice lane by lane (`batch/threshold.rs`).
//!
//! # What a lane is
//!
//! Lane `l` is one replicate: its key (the draws, `crate::rng::lanes` for the independent
//! cascade's trials, `lt_threshold` for the linear threshold's thresholds), its replicate
//! index and its seeds. The agents are shared: a block runs only populations whose classes,
//! initial actions, fixed actions and own actions do not depend on the replicate key
//! ([`crate::runner`] decides; with one class dealt by share and no drawn attribute that
//! matters to the rule, that holds), so the lanes differ only in their draws and their
//! `[seeding]` seeds.
//!
//! # Kernel
//!
//! Per agent four words: `active` holds the lanes in which it is active or can never be
//! activated (fixed or not `sit` at step 0; under the threshold rule only the active lanes,
//! since it activates agents `boo` at step 0 and its needs keep the fixed ones out), `fire` the lanes in which it was activated at the
//! previous step and `next` those in which it was activated at this step; the fourth is the
//! rule step's own (the linear threshold keeps there where its counts of the agent's active
//! sources are, the threshold rule its countdowns). A step walks the agents with `fire` bits in ascending order; the rule's step
//! (`batch/independent.rs`, `batch/linear.rs`) decides in which lanes each follower is
//! activated, and the new `next` bits become the `fire` bits when the step ends. That is the
//! scalar rules' synchronous step in every lane at once: an agent fires once per lane, at the
//! step after its activation in that lane, and an agent reached twice in one step is activated
//! once. Per lane the step counts its changes, its exposures (the followers of the agents it
//! activated) and its edge visits, as the scalar step does.
//!
//! # Measures without a pass over all agents
//!
//! A lane's final actions differ from the shared step-0 actions only at its seeds (set to
//! `stand`) and at the agents it activated, so every count the scalar measures take over all
//! agents (tallies, cascade size, conformers, suppressed, efficiency, by class) is the shared
//! population's count corrected at those agents: integers, so exactly the scalar counts. Only
//! theater seat maps (small graphs) build a lane's whole action vector.

mod independent;
mod linear;
pub(crate) mod sliced;
mod threshold;

use std::collections::BTreeMap;

use crate::engine::config::StopRule;
use crate::engine::measures::{Outcome, ReplicateResult, SeedReach, StepRecord};
use crate::engine::rules::cascade::{IcProbs, LtUnits};
use crate::engine::run::{Ending, MAX_REACH_SEEDS, by_seat};
use crate::engine::steps::step_limit;
use crate::graph::generators::TheaterLayout;
use crate::graph::{Adjacency, FollowerGraph};
use crate::model::cascade::{IndependentCascadeParams, LinearThresholdParams};
use crate::model::population::NOT_FIXED;
use crate::model::threshold::ThresholdParams;
use crate::model::{Action, Agents};
use crate::rng::LaneKeys;
use independent::Independent;
pub(crate) use independent::draw_row;
use linear::{Linear, LinearBuffers};
use threshold::{Threshold, ThresholdBuffers};

/// Replicates per block: the bits of a `u64`.
pub const LANES: usize = 64;

const SIT: u8 = Action::Sit as u8;
const STAND: u8 = Action::Stand as u8;
const BOO: u8 = Action::Boo as u8;

/// Hints the processor to fetch `slice[i]` into the cache (nothing when `i` is out of range
/// or on other architectures): a kernel's rows and masks are far apart in memory, so it asks
/// for the next agents' ones while it works on the current agent.
#[inline(always)]
pub(crate) fn prefetch<T>(slice: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(x) = slice.get(i) {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch never faults and changes no memory; SSE, which it needs, is part
        // of the x86_64 baseline.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (slice, i);
}

/// How many frontier agents ahead the kernel prefetches follower rows (and twice as far their
/// row offsets and masks).
pub(crate) const AHEAD: usize = 8;

/// Asks for what a walk over `frontier` (ascending agent ids) reads after position `i`: the
/// row offsets and `masks` entry of the agent [`AHEAD`] x 2 places on, and the start of the
/// follower row of the agent [`AHEAD`] places on (whose offsets were asked for earlier).
/// Shared by the block steps and `strategy::bitpar`'s kernels.
#[inline(always)]
pub(crate) fn prefetch_frontier<M>(adj: &Adjacency, masks: &[M], frontier: &[u32], i: usize) {
    if let Some(&w) = frontier.get(i + 2 * AHEAD) {
        prefetch(&adj.offsets, w as usize);
        prefetch(masks, w as usize);
    }
    if let Some(&w) = frontier.get(i + AHEAD) {
        prefetch(&adj.targets, adj.range(w).0);
    }
}

/// Calls `f` with every set bit's index of `m`, lowest first.
#[inline(always)]
fn each_bit(mut m: u64, mut f: impl FnMut(usize)) {
    while m != 0 {
        f(m.trailing_zeros() as usize);
        m &= m - 1;
    }
}

/// The counts a replicate's measures are made of, summed over agents: integers, so a sum
/// corrected agent by agent equals the sum taken afresh.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    /// Agents by final action.
    tally: [u64; 3],
    /// Agents standing at step 0.
    initial_standing: u64,
    /// Agents whose final action differs from their step-0 action.
    cascade: u64,
    /// Standing at the end against their own signal.
    conformers: u64,
    /// Sitting at the end despite their own signal.
    suppressed: u64,
    /// Final action equal to their own signal's.
    efficient: u64,
}

impl Counts {
    /// Adds (`sign = 1`) or removes (`sign = -1`) an agent that took `first` at step 0 and
    /// `last` at the end, whose own signal says `own` (the terms of `engine::run`'s measures).
    #[inline]
    fn count(&mut self, first: u8, last: u8, own: u8, sign: i64) {
        let add = |x: &mut u64, b: bool| *x = x.wrapping_add_signed(sign * i64::from(b));
        add(&mut self.tally[usize::from(last)], true);
        add(&mut self.initial_standing, first == STAND);
        add(&mut self.cascade, last != first);
        add(&mut self.conformers, last == STAND && own == SIT);
        add(&mut self.suppressed, last == SIT && own == STAND);
        add(&mut self.efficient, last == own);
    }
}

/// One lane of a block: a replicate and its seeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lane {
    /// The replicate index.
    pub replicate: u32,
    /// Its key ([`crate::rng::replicate_key`]).
    pub key: u64,
    /// Its `[seeding]` seeds, ascending and distinct (as `Agents::seeds`): each starts
    /// `stand` unless it is fixed.
    pub seeds: Vec<u32>,
}

/// What a lane produced: its result and where its actions differ from the shared population's
/// step-0 actions (for the measures by class and per agent).
#[derive(Debug, Clone, PartialEq)]
pub struct LaneResult {
    /// The replicate's result with its trajectory, as
    /// [`run_replicate`](crate::engine::run_replicate) returns it (no classes, no agents).
    pub result: ReplicateResult,
    /// The seeds whose step-0 action became `stand` (they were not `stand` and not fixed),
    /// ascending.
    pub seeded: Vec<u32>,
    /// The agents the cascade activated (`sit`, or `boo` under the threshold rule, at step 0;
    /// `stand` at the end), in the order of activation.
    pub activated: Vec<u32>,
}

impl LaneResult {
    /// The lane's action of every agent at step 0 and at the end, from the shared step-0
    /// actions `initial`. **O(n)**.
    pub fn actions(&self, initial: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut first = initial.to_vec();
        for &s in &self.seeded {
            first[s as usize] = STAND;
        }
        let mut last = first.clone();
        for &v in &self.activated {
            last[v as usize] = STAND;
        }
        (first, last)
    }
}

/// The cascade rule a block runs, with its parameters.
#[derive(Debug, Clone, Copy)]
pub enum Cascade<'p> {
    /// Kempe et al.'s independent cascade.
    Independent(&'p IndependentCascadeParams),
    /// Kempe et al.'s linear threshold rule.
    Linear(&'p LinearThresholdParams),
    /// Granovetter's and Watts' threshold rule (`threshold`).
    Threshold(&'p ThresholdParams),
}

/// The rule's part of a block: what its step reads.
#[derive(Debug, Clone)]
enum Kernel<'a> {
    Independent(Independent<'a>),
    Linear(Linear),
    Threshold(Box<Threshold>),
}

/// A cascade rule of one scenario on one graph over a shared population, ready to run blocks
/// of replicates ([`CascadeBatch::run`]) from any number of threads, each with its own
/// [`BlockBuffers`].
#[derive(Debug)]
pub struct CascadeBatch<'a> {
    graph: &'a FollowerGraph,
    kernel: Kernel<'a>,
    agents: Agents,
    stop: StopRule,
    theater: Option<TheaterLayout>,
    /// Agents that can never be activated (fixed, or not `sit` at step 0), ascending.
    blocked: Vec<u32>,
    /// Agents `stand` at step 0 in every lane, ascending.
    standing: Vec<u32>,
    /// The shared population's counts, every agent's final action its step-0 action.
    base: Counts,
}

/// A thread's reusable buffers for [`CascadeBatch::run`] (about 32 bytes per agent, plus 8 for
/// seed reach when a scenario reports it).
#[derive(Debug, Default)]
pub struct BlockBuffers {
    /// Per agent `[active, fire, next, the rule's]` (see the module doc; 32 bytes, so two
    /// agents share a cache line).
    masks: Vec<[u64; 4]>,
    touched: Vec<u32>,
    frontier: Vec<u32>,
    next: Vec<u32>,
    wins: Vec<(u32, u64)>,
    linear: LinearBuffers,
    threshold: ThresholdBuffers,
    /// Seed reach: the search that last reached each agent, and the lane that last reached it
    /// from any seed (0 = none; ids keep growing across lanes, so nothing is cleared).
    reach: Vec<u32>,
    union: Vec<u32>,
    reach_id: u32,
    union_id: u32,
    stack: Vec<u32>,
}

impl BlockBuffers {
    /// The lane-steps of the threshold rule that the scalar engine pulls and pushes, over
    /// every block these buffers ran.
    #[cfg(test)]
    pub(crate) fn threshold_directions(&self) -> (u64, u64) {
        (self.threshold.pulls, self.threshold.pushes)
    }
}

/// What one step of a block works on and counts: the masks, the agents activated in it and
/// each lane's changes, exposures, edge visits and activations.
struct Step<'b> {
    masks: &'b mut [[u64; 4]],
    touched: &'b mut Vec<u32>,
    next: &'b mut Vec<u32>,
    changes: [u64; LANES],
    /// Of the changes, those of agents `boo` at step 0 (only the threshold rule activates
    /// them).
    booed: [u64; LANES],
    exposures: [u64; LANES],
    visits: &'b mut [u64; LANES],
    activated: &'b mut [Vec<u32>],
    /// The shared population's actions at step 0.
    initial: &'b [u8],
}

impl Step<'_> {
    /// Frontier agent `i`'s firing lanes, taken (cleared) from its mask after prefetching the
    /// rows and masks of the agents ahead ([`prefetch_frontier`]): the agent and its lanes, or
    /// `None` when it fires in no lane.
    #[inline(always)]
    fn take_fire(&mut self, adj: &Adjacency, frontier: &[u32], i: usize) -> Option<(u32, u64)> {
        prefetch_frontier(adj, self.masks, frontier, i);
        let u = frontier[i];
        let fire = std::mem::take(&mut self.masks[u as usize][1]);
        (fire != 0).then_some((u, fire))
    }

    /// Activates `v` at this step in the lanes `new` (none of them in its `active` bits):
    /// `next` and `active` bits, and each lane's change, exposures and activation.
    #[inline(always)]
    fn activate(&mut self, graph: &FollowerGraph, v: u32, new: u64) {
        let m = &mut self.masks[v as usize];
        if m[0] == 0 {
            self.touched.push(v);
        }
        if m[2] == 0 {
            self.next.push(v);
        }
        m[0] |= new;
        m[2] |= new;
        let followers = u64::from(graph.follower_count(v));
        let booed = u64::from(self.initial[v as usize] == BOO);
        each_bit(new, |l| {
            self.changes[l] += 1;
            self.booed[l] += booed;
            self.exposures[l] += followers;
            self.activated[l].push(v);
        });
    }
}

impl<'a> CascadeBatch<'a> {
    /// The cascade `rule` on `graph` from `agents` (their `seeds` are ignored: each lane
    /// brings its own), stopping by `stop`, with `theater` the layout for seat measures.
    /// Checks the graph as the rule does (`Err` is the rule's `check_graph` message).
    /// **O(n)**.
    pub fn new(
        graph: &'a FollowerGraph,
        rule: Cascade<'_>,
        agents: Agents,
        stop: StopRule,
        theater: Option<TheaterLayout>,
    ) -> Result<CascadeBatch<'a>, String> {
        let n = graph.node_count() as usize;
        if agents.len() != n {
            return Err(format!(
                "{} agents for a graph of {n} nodes; expected one agent per node",
                agents.len()
            ));
        }
        let kernel = match rule {
            Cascade::Independent(params) => {
                params.check_graph(graph)?;
                let probs = IcProbs::new(graph, params.probability);
                Kernel::Independent(Independent {
                    probs,
                    gaps: probs.row_gaps(),
                })
            }
            Cascade::Linear(params) => {
                params.check_graph(graph)?;
                Kernel::Linear(Linear::new(graph, LtUnits::new(graph, params.weights)))
            }
            Cascade::Threshold(params) => {
                Kernel::Threshold(Box::new(Threshold::new(graph, params, &agents)?))
            }
        };
        // The cascades block every agent that cannot be activated; the threshold rule only
        // those `stand` at step 0 (its `active` bits are the `stand` lanes: it activates
        // agents `boo` at step 0 too, and its needs keep the fixed ones out).
        let threshold = matches!(rule, Cascade::Threshold(_));
        let mut base = Counts::default();
        let (mut blocked, mut standing) = (Vec::new(), Vec::new());
        for i in 0..n {
            let a = agents.initial[i];
            base.count(a, a, agents.own[i], 1);
            let blocks = if threshold {
                a == STAND
            } else {
                a != SIT || agents.fixed[i] != NOT_FIXED
            };
            if blocks {
                blocked.push(i as u32);
            }
            if a == STAND {
                standing.push(i as u32);
            }
        }
        Ok(CascadeBatch {
            graph,
            kernel,
            agents,
            stop,
            theater,
            blocked,
            standing,
            base,
        })
    }

    /// The shared population.
    pub fn agents(&self) -> &Agents {
        &self.agents
    }

    /// Runs `lanes` (at most 64; lane `l` is `lanes[l]`) to their ends and returns each lane's
    /// result, in lane order. Costs **O(follower edges of the agents activated in any lane +
    /// activations x 1 + blocked agents)** per block, and O(n) per lane only for theater seat
    /// measures.
    pub fn run(&self, buf: &mut BlockBuffers, lanes: &[Lane]) -> Vec<LaneResult> {
        let lanes = &lanes[..lanes.len().min(LANES)];
        let lane_keys: Vec<u64> = lanes.iter().map(|l| l.key).collect();
        let keys = LaneKeys::new(&lane_keys);
        let all = keys.lanes();
        let graph = self.graph;
        let n = graph.node_count() as usize;
        if buf.masks.len() != n {
            buf.masks = vec![[0; 4]; n];
        }
        let agents = &self.agents;

        // Step 0: the shared blocked and standing agents, then each lane's seeds.
        let masks = &mut buf.masks;
        for &i in &self.blocked {
            masks[i as usize][0] = all;
            buf.touched.push(i);
        }
        for &i in &self.standing {
            masks[i as usize][1] = all;
        }
        let mut seeded: Vec<Vec<u32>> = vec![Vec::new(); lanes.len()];
        let mut tally = vec![self.base.tally; lanes.len()];
        for (l, lane) in lanes.iter().enumerate() {
            for &s in &lane.seeds {
                let i = s as usize;
                let a = agents.initial[i];
                if agents.fixed[i] != NOT_FIXED || a == STAND {
                    continue;
                }
                seeded[l].push(s);
                tally[l][usize::from(a)] -= 1;
                tally[l][usize::from(STAND)] += 1;
                if masks[i][0] == 0 {
                    buf.touched.push(s);
                }
                masks[i][0] |= 1 << l;
                masks[i][1] |= 1 << l;
            }
        }
        let nf = n.max(1) as f64;
        let record = |step: u32, t: &[u64; 3], changes: u64, exposures: u64| StepRecord {
            step,
            sitting: t[usize::from(SIT)] as f64 / nf,
            standing: t[usize::from(STAND)] as f64 / nf,
            booing: t[usize::from(BOO)] as f64 / nf,
            changes,
            exposures,
        };
        let mut trajectory: Vec<Vec<StepRecord>> =
            tally.iter().map(|t| vec![record(0, t, 0, 0)]).collect();
        let initially: Vec<u64> = tally.iter().map(|t| t[usize::from(STAND)]).collect();

        let mut frontier = std::mem::take(&mut buf.frontier);
        let mut next = std::mem::take(&mut buf.next);
        let mut wins = std::mem::take(&mut buf.wins);
        frontier.clear();
        // Seeded agents were not standing, so the two lists only repeat seeds of several lanes.
        frontier.extend(&self.standing);
        frontier.extend(seeded.iter().flatten());
        frontier.sort_unstable();
        frontier.dedup();

        Linear::start(&mut buf.linear);
        if let Kernel::Threshold(th) = &self.kernel {
            th.start(graph, agents, &lane_keys, &seeded, &mut buf.threshold);
        }
        let mut activated: Vec<Vec<u32>> = vec![Vec::new(); lanes.len()];
        let mut visits = [0u64; LANES];
        let mut endings: Vec<Option<Ending>> = vec![None; lanes.len()];
        let mut live = all;
        for step in 1..=self.stop.max_steps {
            if live == 0 {
                break;
            }
            next.clear();
            let mut step_work = Step {
                masks: &mut buf.masks,
                touched: &mut buf.touched,
                next: &mut next,
                changes: [0; LANES],
                booed: [0; LANES],
                exposures: [0; LANES],
                visits: &mut visits,
                activated: &mut activated,
                initial: &agents.initial,
            };
            match &self.kernel {
                Kernel::Independent(ic) => {
                    ic.step(&keys, graph, &frontier, &mut wins, &mut step_work)
                }
                Kernel::Linear(lt) => lt.step(
                    &lane_keys,
                    graph,
                    &frontier,
                    &mut buf.linear,
                    &mut step_work,
                ),
                Kernel::Threshold(th) => th.step(
                    step,
                    &lane_keys,
                    graph,
                    &frontier,
                    &mut buf.threshold,
                    &mut step_work,
                ),
            }
            let (changes, booed, exposures) =
                (step_work.changes, step_work.booed, step_work.exposures);
            let masks = &mut buf.masks;
            for &v in &next {
                let m = &mut masks[v as usize];
                m[1] = std::mem::take(&mut m[2]);
            }
            next.sort_unstable();
            std::mem::swap(&mut frontier, &mut next);
            each_bit(live, |l| {
                if changes[l] == 0 && self.stop.at_fixed_point {
                    endings[l] = Some(Ending {
                        outcome: Outcome::FixedPoint,
                        period: 0,
                        steps: step - 1,
                    });
                    live &= !(1 << l);
                    return;
                }
                let t = &mut tally[l];
                t[usize::from(SIT)] -= changes[l] - booed[l];
                t[usize::from(BOO)] -= booed[l];
                t[usize::from(STAND)] += changes[l];
                trajectory[l].push(record(step, t, changes[l], exposures[l]));
            });
        }

        let mut out = Vec::with_capacity(lanes.len());
        for (l, lane) in lanes.iter().enumerate() {
            let ending = endings[l].unwrap_or_else(|| step_limit(self.stop));
            let mut counts = self.base;
            for &s in &seeded[l] {
                let (a, own) = (agents.initial[s as usize], agents.own[s as usize]);
                counts.count(a, a, own, -1);
                counts.count(STAND, STAND, own, 1);
            }
            for &v in &activated[l] {
                let (a, own) = (agents.initial[v as usize], agents.own[v as usize]);
                counts.count(a, a, own, -1);
                counts.count(a, STAND, own, 1);
            }
            debug_assert_eq!(counts.tally, tally[l]);
            let mut lane_result = LaneResult {
                result: ReplicateResult {
                    replicate: lane.replicate,
                    outcome: ending.outcome,
                    cycle_period: ending.period,
                    steps: ending.steps,
                    initial_standing: counts.initial_standing as f64 / nf,
                    final_sitting: counts.tally[usize::from(SIT)] as f64 / nf,
                    final_standing: counts.tally[usize::from(STAND)] as f64 / nf,
                    final_booing: counts.tally[usize::from(BOO)] as f64 / nf,
                    peak_booing: 0.0,
                    peak_booing_step: 0,
                    cascade_size: counts.cascade,
                    conformers: counts.conformers as f64 / nf,
                    suppressed: counts.suppressed as f64 / nf,
                    information_efficiency: counts.efficient as f64 / nf,
                    edge_visits: visits[l],
                    standing_by_row: Vec::new(),
                    final_standing_by_seat: Vec::new(),
                    seed_reach: Vec::new(),
                    extra: BTreeMap::new(),
                    trajectory: std::mem::take(&mut trajectory[l]),
                    classes: Vec::new(),
                    agents: None,
                },
                seeded: std::mem::take(&mut seeded[l]),
                activated: std::mem::take(&mut activated[l]),
            };
            // The booing share never grows under these rules: its peak is step 0's, when
            // above 0 (as `Ctx::record` keeps it).
            let booing = lane_result.result.trajectory[0].booing;
            if booing > 0.0 {
                lane_result.result.peak_booing = booing;
            }
            let r = &mut lane_result.result;
            if !matches!(self.kernel, Kernel::Threshold(_)) {
                r.extra.insert("seeds".into(), initially[l] as f64);
            }
            r.extra
                .insert("active".into(), counts.tally[usize::from(STAND)] as f64);
            if let Some(layout) = self.theater
                && (layout.rows * layout.seats) as usize == n
            {
                let (_, last) = lane_result.actions(&agents.initial);
                let (rows, seats) = by_seat(layout, &last);
                lane_result.result.standing_by_row = rows;
                lane_result.result.final_standing_by_seat = seats;
            }
            self.seed_reach(buf, l, &lane.seeds, &counts, &mut lane_result.result);
            out.push(lane_result);
        }

        for &i in &buf.touched {
            buf.masks[i as usize] = [0; 4];
        }
        buf.touched.clear();
        buf.frontier = frontier;
        buf.next = next;
        buf.wins = wins;
        out
    }

    /// Lane `l`'s seed reach, as `engine::run` measures it (see
    /// [`MAX_REACH_SEEDS`]): each seed's search over follower edges through agents active at
    /// the end, and the share of the active non-seed agents any seed reached. Reads the
    /// block's masks, so it runs before they are cleared. **O(seeds x edges among active
    /// agents)**, no pass over all agents.
    fn seed_reach(
        &self,
        buf: &mut BlockBuffers,
        l: usize,
        seeds: &[u32],
        counts: &Counts,
        result: &mut ReplicateResult,
    ) {
        if seeds.is_empty() || seeds.len() > MAX_REACH_SEEDS {
            return;
        }
        let n = self.graph.node_count() as usize;
        if buf.reach.len() != n {
            buf.reach = vec![0; n];
            buf.union = vec![0; n];
            buf.reach_id = 0;
            buf.union_id = 0;
        }
        if buf.reach_id > u32::MAX - MAX_REACH_SEEDS as u32 - 1 || buf.union_id == u32::MAX {
            buf.reach.fill(0);
            buf.union.fill(0);
            buf.reach_id = 0;
            buf.union_id = 0;
        }
        buf.union_id += 1;
        let lane_id = buf.union_id;
        let agents = &self.agents;
        let masks = &buf.masks;
        // Active at the end: `stand` or `boo`. An agent with the lane's bit is active unless
        // it is a blocked agent that sits (fixed `sit`, or fixed with a `sit` start); one
        // `boo` at step 0 either boos still or was activated.
        let active = |i: u32| {
            let i = i as usize;
            let sits = agents.initial[i] == SIT;
            (masks[i][0] >> l & 1 == 1 && !(sits && agents.fixed[i] != NOT_FIXED))
                || agents.initial[i] == BOO
        };
        let (mut total, mut most) = (0.0, 0.0f64);
        let mut per_seed = Vec::with_capacity(seeds.len());
        let mut downstream = 0u64;
        let is_seed = |i: u32| seeds.binary_search(&i).is_ok();
        for &s in seeds {
            buf.reach_id += 1;
            let mark = buf.reach_id;
            let mut reach = 0u64;
            if active(s) {
                buf.reach[s as usize] = mark;
                buf.stack.push(s);
                while let Some(u) = buf.stack.pop() {
                    for &v in self.graph.followers(u) {
                        if buf.reach[v as usize] != mark && active(v) {
                            buf.reach[v as usize] = mark;
                            if buf.union[v as usize] != lane_id {
                                buf.union[v as usize] = lane_id;
                                downstream += u64::from(!is_seed(v));
                            }
                            reach += 1;
                            buf.stack.push(v);
                        }
                    }
                }
            }
            per_seed.push(SeedReach {
                seed: s,
                label: self.graph.label(s),
                reach,
            });
            let reach = reach as f64;
            total += reach;
            most = most.max(reach);
        }
        let active_seeds = seeds.iter().filter(|&&s| active(s)).count() as u64;
        let cascade =
            counts.tally[usize::from(STAND)] + counts.tally[usize::from(BOO)] - active_seeds;
        result
            .extra
            .insert("seed_reach_mean".into(), total / seeds.len() as f64);
        result.extra.insert("seed_reach_max".into(), most);
        result.extra.insert(
            "seed_reach_union_share".into(),
            if cascade == 0 {
                1.0
            } else {
                downstream as f64 / cascade as f64
            },
        );
        result.seed_reach = per_seed;
    }
}
