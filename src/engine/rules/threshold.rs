//! The `threshold` rule's step loop: Granovetter (1978) / Watts (2002) synchronous threshold
//! cascades, direction-optimising.
//!
//! Every agent has an integer **need**: the least number (or fixed-point weight) of active
//! sources that makes it adopt (for a fractional threshold, the least `c` with the float64 test
//! `c / d >= phi` true, found exactly as `run_incr` of `benches/peers/c/threshold.c` does;
//! [`NEVER`] when no count reaches it). A step is either
//!
//! - a **push** (incremental): each agent holds `rem`, the active sources it still lacks; the
//!   followers of the agents activated in the previous step count down, and those reaching
//!   zero adopt. Cost: the follower edges of the frontier (random writes).
//! - a **pull** (sweep): every inactive agent that can still adopt re-reads its sources and
//!   adopts when its active count reaches its need (stopping at the first source that makes
//!   it); the others store their count as `rem`, so a later push step starts from it. Cost: the
//!   source edges of the pending agents (sequential reads of the sources CSR).
//!
//! Like direction-optimising breadth-first search (Beamer, Asanovic and Patterson 2012), each
//! step takes the cheaper way: it pulls when the frontier's follower edges exceed
//! `1 / PULL_FACTOR` of the pending agents' source edges (known exactly at the start and after
//! each pull, and estimated from the number of pending agents in between, so that a push never
//! reads the sources row of an agent it activates). Both ways give the same adopters, so
//! the choice changes only the cost, and it depends on edge counts alone, never on threads.
//! Pulls run in parallel over fixed chunks of the pending agents; large pushes over fixed
//! chunks of the frontier with atomic countdowns (each agent crosses zero exactly once,
//! whichever thread decrements it). Results, steps and edge visits are the same for any number
//! of threads.

use std::sync::atomic::{AtomicI32, Ordering::Relaxed};

use rayon::prelude::*;

use crate::engine::measures::Outcome;
use crate::engine::rule::Rule;
use crate::engine::run::{Ctx, Ending};
use crate::graph::{Adjacency, FollowerGraph};
use crate::model::Problem;
use crate::model::population::NOT_FIXED;
use crate::model::threshold::{Kind, ThresholdParams};
use crate::model::{Action, Agents};

/// The need of an agent that can never adopt (no sources under a fractional threshold, or a
/// threshold above what all its sources together give).
pub const NEVER: i32 = i32::MAX;

/// A step pulls when the frontier's follower edges times `PULL_FACTOR` exceed the pending
/// agents' source edges (a pull reads an edge about this many times faster than a push
/// writes one, and stops early at adoption; measured in benches/README.md).
pub const PULL_FACTOR: u64 = 3;

/// Agents per parallel pull task and frontier agents per parallel push task.
const CHUNK: usize = 4096;

/// Fixed-point units per 1.0 of edge weight, at most (weighted rules).
const MAX_SCALE: f64 = 65536.0;

/// The least `c` in `0..=d` with `(c as f64) / (d as f64) >= phi`, or [`NEVER`] (also when
/// `d == 0`): exactly the integer threshold of `run_incr` in `benches/peers/c/threshold.c`.
#[inline]
pub fn fractional_need(d: u64, phi: f64) -> i32 {
    if d == 0 || d >= NEVER as u64 {
        return NEVER;
    }
    // Signed conversions (one instruction each on x86-64; d < 2^31 here); the same values.
    let d = d as i64;
    let df = d as f64;
    let x = phi * df;
    // `as` saturates: NaN and negatives give 0, huge values d + 1 at most after the min.
    let mut c = (x as i64).clamp(0, d + 1);
    while c > 0 && (c - 1) as f64 / df >= phi {
        c -= 1;
    }
    while c <= d && (c as f64) / df < phi {
        c += 1;
    }
    if c > d { NEVER } else { c as i32 }
}

/// The least `c` in `0..=d` with `(c as f64) / (d as f64) > phi` (the strict variant of
/// [`fractional_need`]), or [`NEVER`] (also when `d == 0`).
#[inline]
pub fn fractional_need_strict(d: u64, phi: f64) -> i32 {
    if d == 0 || d >= NEVER as u64 || phi.is_nan() {
        return NEVER;
    }
    let d = d as i64;
    let df = d as f64;
    let mut c = ((phi * df) as i64).clamp(0, d + 1);
    while c > 0 && (c - 1) as f64 / df > phi {
        c -= 1;
    }
    while c <= d && (c as f64) / df <= phi {
        c += 1;
    }
    if c > d { NEVER } else { c as i32 }
}

/// The need of an absolute threshold `k` with `total` units under the strict test `c > k`:
/// `floor(k) + 1` (0 for `k < 0`), or [`NEVER`] when more than `total`.
#[inline]
pub fn absolute_need_strict(total: u64, k: f64) -> i32 {
    let c = (k.floor() + 1.0).max(0.0);
    if c > total as f64 || c >= f64::from(NEVER) {
        NEVER
    } else {
        c as i32
    }
}

/// The need of an absolute threshold `k` with `total` units of sources: `ceil(k)` (a count
/// `c >= k` iff `c >= ceil(k)`), or [`NEVER`] when more than `total`.
#[inline]
pub fn absolute_need(total: u64, k: f64) -> i32 {
    let c = k.max(0.0).ceil();
    if c > total as f64 || c >= f64::from(NEVER) {
        NEVER
    } else {
        c as i32
    }
}

/// Per-edge units of a weighted rule, in fixed point, for both adjacencies.
#[derive(Debug, Clone)]
pub struct Units {
    /// Units of each edge of the sources CSR.
    pub sources: Vec<u32>,
    /// Units of each edge of the followers CSR.
    pub followers: Vec<u32>,
    /// Units per 1.0 of weight.
    pub scale: f64,
}

impl Units {
    /// The fixed-point units of `graph`'s edge weights (1 per edge on an unweighted graph):
    /// `round(w x scale)` with `scale = min(65536, 2^30 / the largest total weight of an
    /// agent's sources)`, so no count can overflow. Errors on a negative or non-finite weight.
    pub fn new(graph: &FollowerGraph) -> Result<Units, String> {
        let (src, fol) = (graph.source_adjacency(), graph.follower_adjacency());
        let (Some(ws), Some(wf)) = (&src.weights, &fol.weights) else {
            return Ok(Units {
                sources: vec![1; src.targets.len()],
                followers: vec![1; fol.targets.len()],
                scale: 1.0,
            });
        };
        if let Some(w) = ws.iter().find(|w| !(w.is_finite() && **w >= 0.0)) {
            return Err(format!(
                "model.weighted: expected non-negative finite edge weights, found {w}"
            ));
        }
        let most = (0..graph.node_count())
            .map(|v| {
                let (a, b) = src.range(v);
                ws[a..b].iter().map(|&w| f64::from(w)).sum::<f64>()
            })
            .fold(0.0f64, f64::max);
        let scale = if most > 0.0 {
            MAX_SCALE.min(f64::from(1u32 << 30) / most)
        } else {
            MAX_SCALE
        };
        let conv = |w: &[f32]| -> Vec<u32> {
            w.iter()
                .map(|&x| (f64::from(x) * scale).round() as u32)
                .collect()
        };
        Ok(Units {
            sources: conv(ws),
            followers: conv(wf),
            scale,
        })
    }
}

/// What one step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepInfo {
    /// Agents that adopted in this step.
    pub adopted: u64,
    /// Follower edges of those agents (their exposures).
    pub exposures: u64,
    /// Whether the step pulled (else pushed).
    pub pulled: bool,
}

/// A synchronous progressive threshold cascade over CSR arrays, switching between push and
/// pull each step (see the module doc).
pub struct Cascade<'g> {
    sources: &'g Adjacency,
    followers: &'g Adjacency,
    units: Option<&'g Units>,
    need: Vec<i32>,
    rem: Vec<AtomicI32>,
    /// 1 for active agents.
    active: Vec<u8>,
    /// Agents activated in the last step (whose followers have not yet counted them).
    frontier: Vec<u32>,
    frontier_edges: u64,
    /// Inactive agents with a need of 0, for a first step that pushes.
    zero_need: Vec<u32>,
    /// Inactive agents that may still adopt (built at the first pull, a superset after pushes).
    pending: Option<Vec<u32>>,
    /// Inactive agents that may still adopt.
    pending_count: u64,
    /// Source edges and count of the pending agents when last known exactly (at the start and
    /// after each pull); between pulls the pending edges are estimated from the count, so a
    /// push never reads an adopter's sources row.
    sync_edges: u64,
    sync_count: u64,
    /// Edge visits so far.
    pub visits: u64,
    /// Active agents.
    pub active_count: u64,
    /// Steps with at least one adoption.
    pub steps: u32,
}

impl<'g> Cascade<'g> {
    /// A cascade on `graph`'s adjacencies with per-agent `need` and the initially active
    /// agents `initial` (in any order, repeats ignored). `units` weighs edges; `None` counts
    /// each source 1. Computes in **O(n)** time.
    pub fn new(
        sources: &'g Adjacency,
        followers: &'g Adjacency,
        units: Option<&'g Units>,
        need: Vec<i32>,
        initial: &[u32],
    ) -> Cascade<'g> {
        let mut c = Cascade::empty(sources, followers, units, need.len());
        c.restart(|v, _| need[v as usize], initial);
        c
    }

    /// A cascade with its buffers for `n` agents allocated, to be started by
    /// [`Cascade::restart`] (so that repeated runs reuse them).
    pub fn empty(
        sources: &'g Adjacency,
        followers: &'g Adjacency,
        units: Option<&'g Units>,
        n: usize,
    ) -> Cascade<'g> {
        Cascade {
            sources,
            followers,
            units,
            need: vec![0; n],
            rem: (0..n).map(|_| AtomicI32::new(0)).collect(),
            active: vec![0; n],
            frontier: Vec::new(),
            frontier_edges: 0,
            zero_need: Vec::new(),
            pending: None,
            pending_count: 0,
            sync_edges: 0,
            sync_count: 0,
            visits: 0,
            active_count: 0,
            steps: 0,
        }
    }

    /// Starts the cascade afresh: agent `v` with `total` units of sources (its number of
    /// sources when unweighted) needs `need_of(v, total)`; `initial` are active. One parallel
    /// pass over the agents in fixed chunks: **O(n)** time.
    pub fn restart(&mut self, need_of: impl Fn(u32, u64) -> i32 + Sync, initial: &[u32]) {
        let (src, units) = (self.sources, self.units);
        let parts: Vec<(u64, u64, Vec<u32>)> = self
            .need
            .par_chunks_mut(CHUNK)
            .zip(self.rem.par_chunks_mut(CHUNK))
            .zip(self.active.par_chunks_mut(CHUNK))
            .enumerate()
            .map(|(ci, ((need, rem), active))| {
                let base = (ci * CHUNK) as u32;
                let (mut edges, mut count, mut zero) = (0u64, 0u64, Vec::new());
                for (k, ((nd, r), act)) in need.iter_mut().zip(rem).zip(active).enumerate() {
                    let v = base + k as u32;
                    let (a, b) = src.range(v);
                    let total = match units {
                        None => (b - a) as u64,
                        Some(u) => u.sources[a..b].iter().map(|&x| u64::from(x)).sum(),
                    };
                    let x = need_of(v, total);
                    *nd = x;
                    *r.get_mut() = x;
                    *act = 0;
                    if x != NEVER {
                        edges += (b - a) as u64;
                        count += 1;
                        if x == 0 {
                            zero.push(v);
                        }
                    }
                }
                (edges, count, zero)
            })
            .collect();
        let mut pending_edges = 0;
        self.pending_count = 0;
        self.zero_need.clear();
        for (edges, count, zero) in parts {
            pending_edges += edges;
            self.pending_count += count;
            self.zero_need.extend_from_slice(&zero);
        }
        self.frontier.clear();
        self.frontier_edges = 0;
        for &s in initial {
            if self.active[s as usize] == 0 {
                self.active[s as usize] = 1;
                self.rem[s as usize].store(0, Relaxed);
                self.frontier.push(s);
                let (a, b) = self.followers.range(s);
                self.frontier_edges += (b - a) as u64;
                if self.need[s as usize] != NEVER {
                    let (a, b) = self.sources.range(s);
                    pending_edges -= (b - a) as u64;
                    self.pending_count -= 1;
                }
            }
        }
        if !self.zero_need.is_empty() {
            let active = &self.active;
            self.zero_need.retain(|&v| active[v as usize] == 0);
        }
        (self.sync_edges, self.sync_count) = (pending_edges, self.pending_count);
        self.pending = None;
        self.visits = 0;
        self.active_count = self.frontier.len() as u64;
        self.steps = 0;
    }

    /// Whether agent `v` is active.
    pub fn is_active(&self, v: u32) -> bool {
        self.active[v as usize] != 0
    }

    /// The agents activated by the last step.
    pub fn adopted(&self) -> &[u32] {
        &self.frontier
    }

    /// Runs one synchronous step; `None` (and nothing changed) at the fixed point.
    pub fn step(&mut self) -> Option<StepInfo> {
        if self.frontier.is_empty() && self.zero_need.is_empty() {
            return None;
        }
        let pending_edges = if self.sync_count == 0 {
            0
        } else {
            (u128::from(self.sync_edges) * u128::from(self.pending_count)
                / u128::from(self.sync_count)) as u64
        };
        let pulled = self.frontier_edges.saturating_mul(PULL_FACTOR) > pending_edges;
        let next = match (pulled, self.units) {
            (true, None) => self.pull(|_| 1),
            (true, Some(u)) => self.pull(|e| u.sources[e]),
            (false, None) => self.push(|_| 1),
            (false, Some(u)) => self.push(|e| u.followers[e]),
        };
        self.zero_need = Vec::new();
        if next.is_empty() {
            self.frontier.clear();
            return None;
        }
        let mut exposures = 0u64;
        self.pending_count -= next.len() as u64;
        for &v in &next {
            self.active[v as usize] = 1;
            let (a, b) = self.followers.range(v);
            exposures += (b - a) as u64;
        }
        self.active_count += next.len() as u64;
        self.steps += 1;
        self.frontier = next;
        self.frontier_edges = exposures;
        Some(StepInfo {
            adopted: self.frontier.len() as u64,
            exposures,
            pulled,
        })
    }

    /// Runs to the fixed point or `max_steps` steps.
    pub fn run(&mut self, max_steps: u32) {
        while self.steps < max_steps && self.step().is_some() {}
    }

    /// A push step: followers of the frontier count down.
    fn push(&mut self, unit: impl Fn(usize) -> u32 + Sync) -> Vec<u32> {
        let (fol, rem) = (self.followers, &self.rem);
        let mut next = std::mem::take(&mut self.zero_need);
        let run = |front: &[u32], next: &mut Vec<u32>| {
            let mut visits = 0u64;
            for &u in front {
                let (a, b) = fol.range(u);
                visits += (b - a) as u64;
                for e in a..b {
                    let v = fol.targets[e] as usize;
                    let w = unit(e) as i32;
                    let r = rem[v].load(Relaxed);
                    rem[v].store(r - w, Relaxed);
                    if r > 0 && r <= w {
                        next.push(v as u32);
                    }
                }
            }
            visits
        };
        let run_atomic = |front: &[u32], next: &mut Vec<u32>| {
            let mut visits = 0u64;
            for &u in front {
                let (a, b) = fol.range(u);
                visits += (b - a) as u64;
                for e in a..b {
                    let v = fol.targets[e] as usize;
                    let w = unit(e) as i32;
                    let r = rem[v].fetch_sub(w, Relaxed);
                    if r > 0 && r <= w {
                        next.push(v as u32);
                    }
                }
            }
            visits
        };
        if rayon::current_num_threads() > 1 && self.frontier_edges > (CHUNK as u64) * 16 {
            let parts: Vec<(Vec<u32>, u64)> = self
                .frontier
                .par_chunks(CHUNK / 16)
                .map(|front| {
                    let mut out = Vec::new();
                    let visits = run_atomic(front, &mut out);
                    (out, visits)
                })
                .collect();
            for (part, visits) in parts {
                next.extend_from_slice(&part);
                self.visits += visits;
            }
        } else {
            self.visits += run(&self.frontier, &mut next);
        }
        next
    }

    /// A pull step: pending agents re-read their sources.
    fn pull(&mut self, unit: impl Fn(usize) -> u32 + Sync) -> Vec<u32> {
        let pending = match self.pending.take() {
            Some(p) => p,
            None => (0..self.need.len() as u32)
                .filter(|&v| self.active[v as usize] == 0 && self.need[v as usize] != NEVER)
                .collect(),
        };
        let (src, rem, need, active) = (self.sources, &self.rem, &self.need, &self.active);
        let parts: Vec<(Vec<u32>, Vec<u32>, u64, u64)> = pending
            .par_chunks(CHUNK)
            .map(|chunk| {
                let (mut adopt, mut keep, mut visits, mut kept_edges) =
                    (Vec::new(), Vec::new(), 0u64, 0u64);
                for &v in chunk {
                    if active[v as usize] != 0 {
                        continue;
                    }
                    let nd = need[v as usize];
                    let (a, b) = src.range(v);
                    let mut c = 0i32;
                    let mut e = a;
                    // Count in blocks of 8 between checks: branch-free inner sums.
                    while c < nd && e + 8 <= b {
                        let mut s = 0u32;
                        for k in e..e + 8 {
                            s += unit(k) * u32::from(active[src.targets[k] as usize]);
                        }
                        c += s as i32;
                        e += 8;
                    }
                    while c < nd && e < b {
                        c += (unit(e) * u32::from(active[src.targets[e] as usize])) as i32;
                        e += 1;
                    }
                    visits += (e - a) as u64;
                    if c >= nd {
                        // Adopted: a later push must never see it cross zero again.
                        rem[v as usize].store(0, Relaxed);
                        adopt.push(v);
                    } else {
                        rem[v as usize].store(nd - c, Relaxed);
                        kept_edges += (b - a) as u64;
                        keep.push(v);
                    }
                }
                (adopt, keep, visits, kept_edges)
            })
            .collect();
        let mut next = Vec::new();
        let mut kept = Vec::with_capacity(pending.len());
        let mut kept_edges = 0;
        for (adopt, keep, visits, edges) in parts {
            next.extend_from_slice(&adopt);
            kept.extend_from_slice(&keep);
            self.visits += visits;
            kept_edges += edges;
        }
        (self.sync_edges, self.sync_count) = (kept_edges, kept.len() as u64);
        self.pending = Some(kept);
        next
    }
}

/// The needs of `graph`'s agents under `params` (thresholds from `thresholds`, one per agent),
/// with fixed-point `units` when weighted: "at least" ([`fractional_need`], [`absolute_need`])
/// or, with `strict`, "more than" ([`fractional_need_strict`], [`absolute_need_strict`]). An
/// instigator, whose threshold is met with no active source at all (`<= 0`, or `< 0` when
/// strict), needs 0 even without sources (Granovetter 1978).
pub fn needs(
    graph: &FollowerGraph,
    params: &ThresholdParams,
    thresholds: &[f64],
    units: Option<&Units>,
) -> Vec<i32> {
    let src = graph.source_adjacency();
    let (kind, _) = params.kind();
    let scale = units.map_or(1.0, |u| u.scale);
    (0..graph.node_count())
        .into_par_iter()
        .with_min_len(CHUNK)
        .map(|v| {
            let (a, b) = src.range(v);
            let total = match units {
                None => (b - a) as u64,
                Some(u) => u.sources[a..b].iter().map(|&x| u64::from(x)).sum(),
            };
            need_of(params, kind, total, thresholds[v as usize], scale)
        })
        .collect()
}

/// The need of one agent with `total` units of sources and threshold `t` (`scale` units per
/// source, 1 unweighted), as [`needs`] computes it for every agent: a process of a partitioned
/// run computes its own agents' needs from their source rows alone.
#[inline]
pub fn need_of(params: &ThresholdParams, kind: Kind, total: u64, t: f64, scale: f64) -> i32 {
    let instigator = if params.strict { t < 0.0 } else { t <= 0.0 };
    match (kind, params.strict) {
        _ if instigator => 0,
        (Kind::Fractional, false) => fractional_need(total, t),
        (Kind::Fractional, true) => fractional_need_strict(total, t),
        (Kind::Absolute, false) => absolute_need(total, t * scale),
        (Kind::Absolute, true) => absolute_need_strict(total, t * scale),
    }
}

/// Checks what can only be checked against the graph: the length of a threshold list and the
/// edge weights of a weighted rule. The message names the `[model]` key.
pub fn check_graph(params: &ThresholdParams, graph: &FollowerGraph) -> Result<(), String> {
    params.thresholds(graph.node_count(), 0).map(|_| ())?;
    if params.weighted {
        Units::new(graph)?;
    }
    Ok(())
}

/// The needs of `agents`, fixed agents included (a fixed agent that is not active never
/// adopts).
fn agent_needs(
    graph: &FollowerGraph,
    agents: &Agents,
    params: &ThresholdParams,
    key: u64,
    units: Option<&Units>,
) -> Vec<i32> {
    let thresholds = params
        .thresholds(graph.node_count(), key)
        .unwrap_or_else(|e| panic!("checked by the runner (check_graph): {e}"));
    let mut need = needs(graph, params, &thresholds, units);
    for (v, nd) in need.iter_mut().enumerate() {
        if agents.fixed[v] != NOT_FIXED {
            *nd = NEVER;
        }
    }
    need
}

impl Rule for ThresholdParams {
    fn name(&self) -> &'static str {
        "threshold"
    }

    fn problems(&self) -> Vec<Problem> {
        ThresholdParams::problems(self)
    }

    fn check_graph(&self, graph: &FollowerGraph) -> Result<(), String> {
        check_graph(self, graph)
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>) -> Ending {
        run(ctx, self)
    }
}

/// Runs one replicate of the rule: agents standing at step 0 are the initially active ones;
/// every other agent is inactive (`boo` counts as inactive and may adopt).
pub fn run(ctx: &mut Ctx<'_, '_>, params: &ThresholdParams) -> Ending {
    let graph = ctx.setup.graph;
    let units = if params.weighted {
        Some(Units::new(graph).unwrap_or_else(|e| panic!("checked by the runner: {e}")))
    } else {
        None
    };
    let need = agent_needs(
        graph,
        ctx.setup.agents,
        params,
        ctx.setup.key,
        units.as_ref(),
    );
    let initial: Vec<u32> = (0..ctx.n())
        .filter(|&v| ctx.state.action[v as usize] == Action::Stand as u8)
        .collect();
    let mut cascade = Cascade::new(
        graph.source_adjacency(),
        graph.follower_adjacency(),
        units.as_ref(),
        need,
        &initial,
    );
    let stop = ctx.setup.stop;
    let mut visits_before = 0;
    while cascade.steps < stop.max_steps {
        let Some(info) = cascade.step() else {
            break;
        };
        for &v in cascade.adopted() {
            ctx.state.set_action(v, Action::Stand);
        }
        ctx.state.edge_visits += cascade.visits - visits_before;
        visits_before = cascade.visits;
        ctx.record(cascade.steps, info.adopted, info.exposures);
    }
    ctx.state.edge_visits += cascade.visits - visits_before;
    let steps = cascade.steps;
    ctx.set_extra("active", cascade.active_count as f64);
    if steps >= stop.max_steps {
        return Ending {
            outcome: Outcome::StepLimit,
            period: 0,
            steps,
        };
    }
    if !stop.at_fixed_point {
        for s in steps + 1..=stop.max_steps {
            ctx.record(s, 0, 0);
        }
        return Ending {
            outcome: Outcome::StepLimit,
            period: 0,
            steps: stop.max_steps,
        };
    }
    Ending {
        outcome: Outcome::FixedPoint,
        period: 0,
        steps,
    }
}
