//! The step loops of Kempe, Kleinberg and Tardos's (2003) independent cascade and linear
//! threshold rules (parameters and equations in [`crate::model::cascade`]).
//!
//! Both are progressive and synchronous: `stand` is active, `sit` inactive; an agent becomes
//! active at step `t + 1` from what was active at step `t`, and never goes back. Only
//! agents that are `sit` and not fixed can become active (a `boo` or fixed agent never
//! changes). The run ends at the first step in which nobody becomes active (a fixed point,
//! that step unrecorded) or at the step limit.
//!
//! - Independent cascade: every agent activated at step `t` (the seeds at step 0) tries each
//!   follower edge once, at step `t + 1`. Under a constant `p` the row of agent `u` is tried
//!   whole by geometric skipping ([`crate::rng::rows`]: words keyed by the replicate key, `u`
//!   and the draw number give the gaps between successes, one word for a row without any);
//!   under per-edge probabilities the trial of the follower edge at position `e` of the
//!   follower adjacency succeeds when `edge_word(key, e) < threshold32(p_uv)`
//!   ([`crate::rng::lanes`]: a 32-bit word keyed by the replicate key and the edge position,
//!   against `p_uv` in 32-bit fixed point). An agent fires once, so each row is tried at most
//!   once per replicate and the step is not needed in the key: the trials are fixed by the
//!   key and the row (or edge) alone, the run never depends on the thread count, and 64
//!   replicates can share one traversal with exactly these draws (`crate::strategy::bitpar`,
//!   whose lanes equal this rule's replicates).
//! - Linear threshold: thresholds `theta_v` are the first 53 bits of `Stream::new(key,
//!   Purpose::LtThreshold, 0, v)`, i.e. `theta_v = t_v / 2^53` (uniform on `[0, 1)`), drawn
//!   lazily. Weights are integers (1 per source out of `d_in(v)`, or the edge weight as given
//!   in units of `2^-31`), so the test `active / whole >= theta_v` is the exact integer
//!   comparison `active * 2^53 >= t_v * whole`, whatever the order of the sum.
//!
//! The helpers [`IcProbs`], [`LtUnits`] and [`lt_threshold`] are shared with the fast spread
//! simulator of seed selection (`crate::strategy::spread`), so both read the same model.

use crate::engine::rule::Rule;
use crate::engine::run::{Ctx, Ending};
use crate::engine::steps::{Marks, StepTally, step_limit};
use crate::graph::FollowerGraph;
use crate::model::Problem;
use crate::model::cascade::{
    EdgeProbability, IndependentCascadeParams, LinearThresholdParams, LtWeights,
};
use crate::model::population::NOT_FIXED;
use crate::model::{Action, cascade};
use crate::rng::{Purpose, RowGaps, Stream, edge_word, row_word, threshold32};

/// The independent cascade's edge probabilities `p_uv` on one graph.
#[derive(Debug, Clone, Copy)]
pub struct IcProbs<'g> {
    graph: &'g FollowerGraph,
    kind: EdgeProbability,
}

impl<'g> IcProbs<'g> {
    /// The probabilities of `kind` on `graph` (weights checked beforehand by
    /// [`IndependentCascadeParams::check_graph`]).
    pub fn new(graph: &'g FollowerGraph, kind: EdgeProbability) -> IcProbs<'g> {
        IcProbs { graph, kind }
    }

    /// `p_uv` of the follower edge at position `e` of the follower adjacency, leading to `v`,
    /// in 32-bit fixed point ([`threshold32`]): the trial succeeds when its
    /// [`edge_word`] is below it.
    #[inline]
    pub fn threshold(&self, e: usize, v: u32) -> u64 {
        threshold32(self.prob(e, v))
    }

    /// The row draws of a constant probability (`Some` for [`EdgeProbability::Constant`]):
    /// such rows are tried by geometric skipping ([`crate::rng::rows`]), the others edge by
    /// edge ([`Self::threshold`]).
    pub fn row_gaps(&self) -> Option<RowGaps> {
        match self.kind {
            EdgeProbability::Constant(p) => Some(RowGaps::new(p)),
            _ => None,
        }
    }

    /// `p_uv` of the follower edge at position `e` of the follower adjacency, leading to `v`.
    #[inline]
    pub fn prob(&self, e: usize, v: u32) -> f64 {
        match self.kind {
            EdgeProbability::Constant(p) => p,
            EdgeProbability::InverseInDegree => 1.0 / f64::from(self.graph.source_count(v)),
            EdgeProbability::EdgeWeights => self
                .graph
                .follower_adjacency()
                .weights
                .as_ref()
                .map_or(1.0, |w| f64::from(w[e])),
        }
    }
}

/// Units of one whole weight (`b_uv = 1`) under `weights = "edge_weights"`: `2^31`.
pub const LT_ONE: u64 = 1 << 31;

/// The linear threshold weights `b_uv` as integer units: 1 per source out of the agent's
/// number of sources (`uniform`, `b_uv = 1 / d_in(v)`), or `round(w_uv * 2^31)` out of
/// [`LT_ONE`] (`edge_weights`, the weights as given: Kempe et al. ask only that an agent's
/// incoming weights sum to at most 1, which [`LinearThresholdParams::check_graph`] enforces).
#[derive(Debug, Clone, Copy)]
pub struct LtUnits {
    /// Whether the graph's edge weights are the weights (else every source counts 1).
    weighted: bool,
}

impl LtUnits {
    /// The units of `weights` on `graph`.
    pub fn new(graph: &FollowerGraph, weights: LtWeights) -> LtUnits {
        LtUnits {
            weighted: weights == LtWeights::EdgeWeights
                && graph.source_adjacency().weights.is_some(),
        }
    }

    /// Whether the edge weights are the weights (else every source counts 1).
    #[inline]
    pub fn weighted(&self) -> bool {
        self.weighted
    }

    /// The units of an edge of weight `w` (1 when the graph is unweighted).
    #[inline]
    pub fn unit(&self, w: Option<f32>) -> u64 {
        match (self.weighted, w) {
            (true, Some(w)) => (f64::from(w) * LT_ONE as f64).round() as u64,
            _ => 1,
        }
    }

    /// The units that make a whole (`b = 1`) for agent `v`: its number of sources when every
    /// source counts 1, [`LT_ONE`] with edge weights (0 for an agent without sources, which is
    /// never activated by them).
    #[inline]
    pub fn whole(&self, graph: &FollowerGraph, v: u32) -> u64 {
        let d = u64::from(graph.source_count(v));
        match (self.weighted, d) {
            (_, 0) => 0,
            (true, _) => LT_ONE,
            (false, d) => d,
        }
    }

    /// Agent `v`'s active units and whole units (see [`Self::whole`]), pulled over its sources
    /// in CSR order; `active(u)` says whether source `u` is active.
    #[inline]
    pub fn pull(&self, graph: &FollowerGraph, v: u32, active: impl Fn(u32) -> bool) -> (u64, u64) {
        let adj = graph.source_adjacency();
        let (a, b) = adj.range(v);
        let mut on = 0u64;
        for e in a..b {
            if active(adj.targets[e]) {
                on += self.unit(adj.weights.as_ref().map(|w| w[e]));
            }
        }
        (on, self.whole(graph, v))
    }
}

/// Agent `v`'s linear threshold in replicate `key`, as the integer `t_v` of `theta_v = t_v /
/// 2^53` (the 53 bits [`Stream::uniform`] would use: `theta_v` is uniform on `[0, 1)`).
#[inline]
pub fn lt_threshold(key: u64, v: u32) -> u64 {
    Stream::new(key, Purpose::LtThreshold, 0, v).next_u64_raw() >> 11
}

/// Whether `active` units out of a whole of `total` units reach the threshold `t / 2^53`
/// (never when `total` is 0: an agent without sources is never activated by them).
#[inline]
pub fn lt_reached(active: u64, total: u64, t: u64) -> bool {
    total > 0 && u128::from(active) << 53 >= u128::from(t) * u128::from(total)
}

/// Whether agent `i` may still become active: inactive (`sit`) and not fixed.
#[inline]
fn activatable(ctx: &Ctx<'_, '_>, i: u32) -> bool {
    ctx.state.action[i as usize] == Action::Sit as u8
        && ctx.setup.agents.fixed[i as usize] == NOT_FIXED
}

/// Agents active at step 0, ascending.
fn initially_active(ctx: &Ctx<'_, '_>) -> Vec<u32> {
    (0..ctx.n())
        .filter(|&i| ctx.state.action[i as usize] == Action::Stand as u8)
        .collect()
}

/// Activates `next` (ascending) and ends step `step`; returns the ending when the run ends.
fn finish_step(ctx: &mut Ctx<'_, '_>, step: u32, next: &[u32]) -> Option<Ending> {
    let mut exposures = 0u64;
    for &v in next {
        ctx.state.set_action(v, Action::Stand);
        exposures += u64::from(ctx.setup.graph.follower_count(v));
    }
    let tally = StepTally {
        changes: next.len() as u64,
        exposures,
        open_ties: 0,
    };
    tally.finish(ctx, step, false)
}

/// Sets the `seeds` and `active` measures (counts of agents).
fn set_counts(ctx: &mut Ctx<'_, '_>, seeds: usize) {
    let active = ctx.state.tally[Action::Stand as usize] as f64;
    ctx.set_extra("seeds", seeds as f64);
    ctx.set_extra("active", active);
}

impl Rule for IndependentCascadeParams {
    fn name(&self) -> &'static str {
        "independent_cascade"
    }

    fn problems(&self) -> Vec<Problem> {
        IndependentCascadeParams::problems(self)
    }

    fn check_graph(&self, graph: &FollowerGraph) -> Result<(), String> {
        IndependentCascadeParams::check_graph(self, graph)
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>) -> Ending {
        run_independent(ctx, self)
    }
}

impl Rule for LinearThresholdParams {
    fn name(&self) -> &'static str {
        "linear_threshold"
    }

    fn problems(&self) -> Vec<Problem> {
        LinearThresholdParams::problems(self)
    }

    fn check_graph(&self, graph: &FollowerGraph) -> Result<(), String> {
        LinearThresholdParams::check_graph(self, graph)
    }

    fn run(&self, ctx: &mut Ctx<'_, '_>) -> Ending {
        run_linear(ctx, self)
    }
}

/// Runs one replicate of the independent cascade (Kempe et al. 2003, section 2). Each step
/// costs **O(follower edges of the agents activated in the previous step)**.
pub fn run_independent(
    ctx: &mut Ctx<'_, '_>,
    params: &cascade::IndependentCascadeParams,
) -> Ending {
    let graph = ctx.setup.graph;
    let probs = IcProbs::new(graph, params.probability);
    let gaps = probs.row_gaps();
    let adj = graph.follower_adjacency();
    let key = ctx.setup.key;
    let mut frontier = initially_active(ctx);
    let seeds = frontier.len();
    let mut marks = Marks::new(ctx.n());
    for step in 1..=ctx.setup.stop.max_steps {
        for &u in &frontier {
            let (a, b) = adj.range(u);
            match &gaps {
                Some(gaps) => gaps.row(
                    (b - a) as u32,
                    |j| row_word(key, u, j),
                    |i| {
                        let v = adj.targets[a + i as usize];
                        if activatable(ctx, v) {
                            marks.mark(v);
                        }
                    },
                ),
                None => {
                    for e in a..b {
                        let v = adj.targets[e];
                        // The draw first: it reads no agent state, and most trials fail.
                        if u64::from(edge_word(key, e as u64)) < probs.threshold(e, v)
                            && activatable(ctx, v)
                        {
                            marks.mark(v);
                        }
                    }
                }
            }
            ctx.state.edge_visits += (b - a) as u64;
        }
        let next = marks.take_sorted();
        if let Some(end) = finish_step(ctx, step, &next) {
            set_counts(ctx, seeds);
            return end;
        }
        frontier = next;
    }
    set_counts(ctx, seeds);
    step_limit(ctx.setup.stop)
}

/// Runs one replicate of the linear threshold rule (Kempe et al. 2003, section 2). Each step
/// pulls over the sources of the inactive followers of the agents activated in the previous
/// step.
pub fn run_linear(ctx: &mut Ctx<'_, '_>, params: &LinearThresholdParams) -> Ending {
    let graph = ctx.setup.graph;
    let units = LtUnits::new(graph, params.weights);
    let key = ctx.setup.key;
    let mut frontier = initially_active(ctx);
    let seeds = frontier.len();
    let mut marks = Marks::new(ctx.n());
    for step in 1..=ctx.setup.stop.max_steps {
        for &u in &frontier {
            for &v in graph.followers(u) {
                if activatable(ctx, v) {
                    marks.mark(v);
                }
            }
        }
        let candidates = marks.take_sorted();
        let mut next = Vec::new();
        for v in candidates {
            let action = &ctx.state.action;
            let (on, total) = units.pull(graph, v, |u| action[u as usize] == Action::Stand as u8);
            ctx.state.edge_visits += u64::from(graph.source_count(v));
            if lt_reached(on, total, lt_threshold(key, v)) {
                next.push(v);
            }
        }
        if let Some(end) = finish_step(ctx, step, &next) {
            set_counts(ctx, seeds);
            return end;
        }
        frontier = next;
    }
    set_counts(ctx, seeds);
    step_limit(ctx.setup.stop)
}
