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
//! Needs given as fractional thresholds are computed when a push or pull first reaches an
//! agent ([`Needs::Fractional`]), so a start costs one pass that only classifies the agents
//! (never, zero, some) and a small cascade costs what it touches; once they are all needed,
//! one pass computes them in order, four divisions at a time where the processor can (once per
//! number of sources where a stretch of agents shares one threshold). Pulls run in
//! parallel over fixed chunks: of agent ids while many agents are pending (a dense sweep in
//! order, as the C loop's, with no list of pending agents to build or read), of a list of the
//! pending agents once few are left. A push runs on the calling thread when it is small or
//! there is one thread (plain writes, countdowns prefetched ahead); a large one with more
//! threads gathers the frontier's followers by destination range in parallel and counts each
//! range down in its own task, so no countdown is shared and none needs an atomic. Results,
//! steps and edge visits are the same for any number of threads and either push.

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

/// Whether a step pulls: when the frontier's `frontier_edges` follower edges times
/// [`PULL_FACTOR`] exceed the pending agents' source edges, estimated as `sync_edges` (their
/// exact count when `sync_count` agents were pending, at the start or the last pull) scaled to
/// the `pending_count` agents pending now. The block kernel (`engine::batch::threshold`)
/// replays this decision lane by lane.
#[inline]
pub fn pulls(frontier_edges: u64, pending_count: u64, sync_edges: u64, sync_count: u64) -> bool {
    let pending_edges = if sync_count == 0 {
        0
    } else {
        (u128::from(sync_edges) * u128::from(pending_count) / u128::from(sync_count)) as u64
    };
    frontier_edges.saturating_mul(PULL_FACTOR) > pending_edges
}

/// Agents per parallel pull task and frontier agents per parallel push task.
const CHUNK: usize = 4096;

/// Fixed-point units per 1.0 of edge weight, at most (weighted rules).
const MAX_SCALE: f64 = 65536.0;

/// The least `c` in `0..=d` with `(c as f64) / (d as f64) >= phi`, or [`NEVER`] (also when
/// `d == 0`): exactly the integer threshold of `run_incr` in `benches/peers/c/threshold.c`.
///
/// Without a search: for `0 < phi <= 1` the float test fails for every `c <= P - 1` (`P = phi
/// d` in exact arithmetic; `c / d <= phi - 1/d` rounds below `phi` since `1/d > 2^-31` exceeds
/// half an ulp of `phi`) and holds for every `c >= P` (rounding is monotone and `phi` is a
/// float), so the answer is `ceil(P) - 1` or `ceil(P)`, within `[c0 - 1, c0 + 2]` for `c0` the
/// truncated float product. The test is monotone in the count, so two divisions find it: when
/// `c0` fails, so does `c0 - 1` and the answer is `c0 + 1` or `c0 + 2` (the test at `c0 + 1`
/// decides); otherwise it is `c0 - 1` or `c0` (the test at `c0 - 1` decides). The second
/// candidate is selected, not branched to.
///
/// Written without branches (every case is computed and the answer selected), so that a loop
/// of it compiles to vector divisions ([`fractional_needs`]).
#[inline(always)]
pub fn fractional_need(d: u64, phi: f64) -> i32 {
    // Any count in range where the answer does not depend on it (d = 0 or d >= NEVER).
    let di = d.min(NEVER as u64 - 1) as i32;
    let df = f64::from(di);
    // The truncated product, within [0, d] (NaN and the cases selected away below included).
    let x = (phi * df).max(0.0).min(df);
    let lo = (x as i32 - 1).max(0);
    let fails = |c: i32| i32::from(f64::from(c) / df < phi);
    // No wrap where the answer is selected (c <= d + 1 there); elsewhere it is discarded.
    let mid = lo + 2 * fails(lo + 1);
    let c = mid.wrapping_add(fails(mid));
    let never = d == 0 || d >= NEVER as u64 || phi > 1.0 || c > di;
    // phi <= 0 or NaN: the test holds at c = 0.
    let zero = phi <= 0.0 || phi.is_nan();
    if zero && !(d == 0 || d >= NEVER as u64 || phi > 1.0) {
        0
    } else if never {
        NEVER
    } else {
        c
    }
}

/// `need[v] = `[`fractional_need`]`(offsets[v + 1] - offsets[v], phi[v])` for every `v` of
/// `need` (`offsets` one longer): on a processor with AVX2 four divisions at a time (the same
/// values: each is one IEEE division either way).
pub fn fractional_needs(offsets: &[u64], phi: &[f64], need: &mut [i32]) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2, checked just above.
        unsafe { needs_avx2(offsets, phi, need) };
        return;
    }
    needs_loop(offsets, phi, need);
}

/// The body of [`fractional_needs`], compiled for each processor.
#[inline(always)]
fn needs_loop(offsets: &[u64], phi: &[f64], need: &mut [i32]) {
    let (starts, ends) = (&offsets[..need.len()], &offsets[1..=need.len()]);
    for (((nd, &a), &b), &p) in need.iter_mut().zip(starts).zip(ends).zip(phi) {
        *nd = fractional_need(b - a, p);
    }
}

/// [`needs_loop`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn needs_avx2(offsets: &[u64], phi: &[f64], need: &mut [i32]) {
    needs_loop(offsets, phi, need);
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

/// Where a cascade's needs come from.
#[derive(Debug, Clone)]
pub enum Needs<'g> {
    /// One need per agent, computed beforehand.
    Given(Vec<i32>),
    /// One fractional threshold per agent: agent `v` with `d` units of sources needs
    /// [`fractional_need`]`(d, phi[v])`, computed when a push or pull first reaches `v` (so a
    /// small cascade costs what it touches, not a division per agent).
    Fractional(&'g [f64]),
}

/// What an agent's need is, found without computing it: never, zero or some positive count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NeedClass {
    Never,
    Zero,
    Positive,
}

impl Needs<'_> {
    /// The need of agent `v` (its units of sources are read only when the need depends on
    /// them).
    #[inline]
    fn need(&self, v: u32, sources: &Adjacency, units: Option<&Units>) -> i32 {
        match self {
            Needs::Given(need) => need[v as usize],
            Needs::Fractional(phi) => fractional_need(total_of(sources, units, v), phi[v as usize]),
        }
    }

    /// Prefetches what [`Needs::need`] of `v` will read.
    #[inline(always)]
    fn prefetch(&self, v: u32, sources: &Adjacency) {
        match self {
            Needs::Given(need) => prefetch(&need[v as usize]),
            Needs::Fractional(phi) => {
                prefetch(&phi[v as usize]);
                prefetch(&sources.offsets[v as usize]);
            }
        }
    }

    /// The class of `need(v, total)`, in **O(1)** without a division: a fractional threshold
    /// `phi` gives [`NEVER`] exactly when `total == 0` or `phi > 1` (no count reaches it),
    /// 0 when `phi <= 0` or NaN (the float test holds at 0), and a need in `1..=total`
    /// otherwise (at `c = total` the test reads `1.0 >= phi`).
    #[inline]
    fn class(&self, v: u32, total: u64) -> NeedClass {
        match self {
            Needs::Given(need) => match need[v as usize] {
                NEVER => NeedClass::Never,
                0 => NeedClass::Zero,
                _ => NeedClass::Positive,
            },
            Needs::Fractional(phi) => {
                let phi = phi[v as usize];
                if total == 0 || total >= NEVER as u64 || phi > 1.0 {
                    NeedClass::Never
                } else if phi > 0.0 {
                    NeedClass::Positive
                } else {
                    NeedClass::Zero
                }
            }
        }
    }
}

/// `rem` of an agent no push or pull has reached yet: its need is computed when one does.
const UNSET: i32 = i32::MIN;

/// Needs are computed when first reached while the agents reached (and those a push may
/// reach) stay within `1 / MATERIALIZE_FRACTION` of all, and before any pull; beyond that one
/// pass computes them all (in order they cost less than two random reads per agent reached).
const MATERIALIZE_FRACTION: u64 = 16;

/// Frontier agents per gathered block of a push (their follower ids are copied into one
/// buffer, so the countdowns can be prefetched ahead of the loop that writes them).
const PUSH_BLOCK: usize = 256;

/// A push over more follower edges than this runs in parallel (when there is more than one
/// thread): below it, the two joins of a parallel push cost more than the second thread saves
/// (measured in benches/README.md: 16,384 and 32,768 beat 65,536 on the ER uniform cell's
/// narrow steps once the parallel push kept its buffers and the steps ran from a pool worker). It changes only the cost: both paths count the same
/// followers down and find the same adopters.
pub const PARALLEL_PUSH_EDGES: u64 = 16_384;

/// Destination ranges of a parallel push: each range's countdowns are written by one task,
/// so no atomics are needed. Fixed, so the split never depends on the thread count.
const PUSH_PARTS: usize = 8;

/// Frontier agents per gathering task of a parallel push.
const PUSH_GATHER_CHUNK: usize = 256;

/// Asks the processor to fetch `x`'s cache line for writing; does nothing on other targets.
#[inline(always)]
fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint: it reads nothing the program sees and cannot fault, and
    // the pointer comes from a live reference.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

/// Bit `i` of the bitmap `bits`, as 0 or 1.
#[inline(always)]
fn bit(bits: &[u64], i: usize) -> u32 {
    ((bits[i / 64] >> (i % 64)) & 1) as u32
}

/// Whether bit `i` of the bitmap `bits` is set.
#[inline(always)]
fn is_set(bits: &[u64], i: usize) -> bool {
    bit(bits, i) != 0
}

/// Sets bit `i` of the bitmap `bits`.
#[inline(always)]
fn set(bits: &mut [u64], i: usize) {
    bits[i / 64] |= 1 << (i % 64);
}

/// Units of all of agent `v`'s sources: its number of sources when unweighted.
#[inline]
fn total_of(sources: &Adjacency, units: Option<&Units>, v: u32) -> u64 {
    let (a, b) = sources.range(v);
    match units {
        None => (b - a) as u64,
        Some(u) => u.sources[a..b].iter().map(|&x| u64::from(x)).sum(),
    }
}

/// `rem` of an agent met for the first time in the block being counted down, whose need is
/// about to be computed (never a countdown: those stay above `-2^31 + 2`).
const FRESH: i32 = i32::MIN + 1;

/// Followers counted down per round of [`count_down_all`] (their countdowns are prefetched at
/// the start of the round, so they stay in cache until written).
const ROUND: usize = 2048;

/// Counts down, in order, the followers `ids` (agent `v` is `rem[v - lo]`) by their `units`
/// (1 each when `None`), pushing to `out` each one whose countdown crosses from above zero to
/// zero or below (it adopts). In rounds of [`ROUND`] followers: prefetch every countdown; when
/// `lazy`, mark those met for the first time (`UNSET`), prefetch what their needs read and
/// compute those needs; then count down. The countdowns and needs are random reads; issuing
/// them together lets the processor wait for many at once, where a plain loop waits for each
/// in turn. Returns how many needs it computed.
#[allow(clippy::too_many_arguments)]
fn count_down_all(
    lazy: bool,
    ids: &[u32],
    units: Option<&[u32]>,
    rem: &mut [i32],
    lo: usize,
    needs: &Needs<'_>,
    sources: &Adjacency,
    source_units: Option<&Units>,
    fresh: &mut Vec<u32>,
    out: &mut Vec<u32>,
) -> u64 {
    let mut computed = 0;
    for (k, round) in ids.chunks(ROUND).enumerate() {
        for &v in round {
            prefetch(&rem[v as usize - lo]);
        }
        if lazy {
            fresh.clear();
            for &v in round {
                let r = &mut rem[v as usize - lo];
                if *r == UNSET {
                    *r = FRESH;
                    fresh.push(v);
                    needs.prefetch(v, sources);
                }
            }
            for &v in fresh.iter() {
                rem[v as usize - lo] = needs.need(v, sources, source_units);
            }
            computed += fresh.len() as u64;
        }
        match units {
            None => {
                for &v in round {
                    let r = &mut rem[v as usize - lo];
                    let before = *r;
                    *r = before - 1;
                    if before == 1 {
                        out.push(v);
                    }
                }
            }
            Some(units) => {
                let units = &units[k * ROUND..k * ROUND + round.len()];
                for (&v, &w) in round.iter().zip(units) {
                    let w = w as i32;
                    let r = &mut rem[v as usize - lo];
                    let before = *r;
                    *r = before - w;
                    if before > 0 && before <= w {
                        out.push(v);
                    }
                }
            }
        }
    }
    computed
}

/// How many frontier agents ahead a push fetches the follower rows (and twice as far, the
/// offsets) of the agents it will gather: a push's frontier comes in no order, and each row
/// would otherwise wait for memory in turn.
const ROW_AHEAD: usize = 8;

/// Prefetches, while gathering `frontier[i]`'s followers, the offsets of the agent
/// `2 * ROW_AHEAD` further and the first follower of the agent `ROW_AHEAD` further.
#[inline(always)]
fn prefetch_row(fol: &Adjacency, frontier: &[u32], i: usize) {
    if let Some(&w) = frontier.get(i + 2 * ROW_AHEAD) {
        prefetch(&fol.offsets[w as usize]);
    }
    if let Some(&w) = frontier.get(i + ROW_AHEAD)
        && let Some(t) = fol.targets.get(fol.offsets[w as usize] as usize)
    {
        prefetch(t);
    }
}

/// One gathering task's follower ids (and units, when weighted) of a parallel push, by
/// destination range, kept between steps so that a push allocates nothing once they have
/// grown.
#[derive(Default)]
struct Bins {
    ids: Vec<Vec<u32>>,
    units: Vec<Vec<u32>>,
    visits: u64,
}

/// A synchronous progressive threshold cascade over CSR arrays, switching between push and
/// pull each step (see the module doc).
pub struct Cascade<'g> {
    sources: &'g Adjacency,
    followers: &'g Adjacency,
    units: Option<&'g Units>,
    needs: Needs<'g>,
    /// The active sources each agent still lacks, counted down by pushes and set by pulls:
    /// `UNSET` until a push or pull first reaches the agent, 0 or below once active.
    rem: Vec<i32>,
    /// Bit `v % 64` of word `v / 64` set for active agent `v` (and for the padding bits past the
    /// last agent): 1 MiB of bytes per 8 M agents would not stay in cache while a pull streams
    /// the sources through it; the bits do.
    active: Vec<u64>,
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
    /// Follower ids (and their units, when weighted) of a serial push's block.
    gathered: Vec<u32>,
    gathered_units: Vec<u32>,
    /// Agents met for the first time in a serial push's round.
    fresh: Vec<u32>,
    /// A parallel push's gathered follower ids, one [`Bins`] per chunk of the frontier.
    bins: Vec<Bins>,
    /// Whether some needs are still to be computed when first reached (`UNSET` countdowns);
    /// after [`MATERIALIZE_FRACTION`] of the agents were reached one pass computes the rest.
    lazy: bool,
    /// Needs computed at first reach since the start.
    fresh_count: u64,
    /// Agents without sources (counted at the first fractional start).
    zero_degree: Option<u64>,
    /// Pushes over more follower edges than this run in parallel.
    parallel_push_edges: u64,
    /// A pull leaves a list of the pending agents when at most `1 / dense_pull_fraction` of
    /// all agents stay pending.
    dense_pull_fraction: u64,
    /// Every agent's need under fractional thresholds, once computed ([`Cascade::materialize`]).
    need: Vec<i32>,
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
        c.restart(Needs::Given(need), initial);
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
            needs: Needs::Given(Vec::new()),
            rem: vec![UNSET; n],
            active: vec![0; n.div_ceil(64)],
            frontier: Vec::new(),
            frontier_edges: 0,
            zero_need: Vec::new(),
            pending: None,
            pending_count: 0,
            sync_edges: 0,
            sync_count: 0,
            gathered: Vec::new(),
            gathered_units: Vec::new(),
            fresh: Vec::new(),
            bins: Vec::new(),
            lazy: true,
            fresh_count: 0,
            zero_degree: None,
            parallel_push_edges: PARALLEL_PUSH_EDGES,
            dense_pull_fraction: DENSE_PULL_FRACTION,
            need: Vec::new(),
            visits: 0,
            active_count: 0,
            steps: 0,
        }
    }

    /// Starts the cascade afresh with the agents' `needs` (a need per agent, or fractional
    /// thresholds whose needs are computed when first reached); `initial` are active. One
    /// parallel pass over the agents in fixed chunks that finds which can ever adopt and which
    /// need nothing (no division): **O(n)** time.
    pub fn restart(&mut self, needs: Needs<'g>, initial: &[u32]) {
        self.needs = needs;
        let n = self.rem.len();
        // Agents without sources never adopt under a fractional threshold: counted once per
        // graph, so the pass below reads the thresholds alone (the degrees only of the rare
        // agents with phi > 1 or phi <= 0).
        let fractional = matches!(self.needs, Needs::Fractional(_)) && self.units.is_none();
        if fractional && self.zero_degree.is_none() {
            let src = self.sources;
            self.zero_degree = Some(
                (0..n as u32)
                    .into_par_iter()
                    .with_min_len(CHUNK)
                    .filter(|&v| src.offsets[v as usize] == src.offsets[v as usize + 1])
                    .count() as u64,
            );
        }
        let (src, units, needs) = (self.sources, self.units, &self.needs);
        let degree = |v: u32| {
            let (a, b) = src.range(v);
            (b - a) as u64
        };
        // Per chunk: agents that never adopt (beyond those without sources when fractional),
        // their source edges, and the agents that need nothing.
        let parts: Vec<(u64, u64, Vec<u32>)> = self
            .rem
            .par_chunks_mut(CHUNK)
            .zip(self.active.par_chunks_mut(CHUNK / 64))
            .enumerate()
            .map(|(ci, (rem, active))| {
                rem.fill(UNSET);
                active.fill(0);
                if rem.len() % 64 != 0 {
                    // The last chunk: its padding bits count as active, so no sweep meets them.
                    active[rem.len() / 64] = u64::MAX << (rem.len() % 64);
                }
                let base = (ci * CHUNK) as u32;
                let (mut never, mut never_edges, mut zero) = (0u64, 0u64, Vec::new());
                match (needs, units) {
                    (Needs::Fractional(phi), None) => {
                        for (k, &p) in phi[base as usize..base as usize + rem.len()]
                            .iter()
                            .enumerate()
                        {
                            if p > 1.0 || p <= 0.0 || p.is_nan() {
                                let v = base + k as u32;
                                let d = degree(v);
                                if d > 0 && p > 1.0 {
                                    never += 1;
                                    never_edges += d;
                                } else if d > 0 {
                                    zero.push(v);
                                }
                            }
                        }
                    }
                    _ => {
                        for k in 0..rem.len() as u32 {
                            let v = base + k;
                            match needs.class(v, total_of(src, units, v)) {
                                NeedClass::Never => {
                                    never += 1;
                                    never_edges += degree(v);
                                }
                                NeedClass::Zero => zero.push(v),
                                NeedClass::Positive => {}
                            }
                        }
                    }
                }
                (never, never_edges, zero)
            })
            .collect();
        let mut never = if fractional {
            self.zero_degree.unwrap_or(0)
        } else {
            0
        };
        let mut never_edges = 0;
        self.zero_need.clear();
        for (count, edges, zero) in parts {
            never += count;
            never_edges += edges;
            self.zero_need.extend_from_slice(&zero);
        }
        let mut pending_edges = self.sources.targets.len() as u64 - never_edges;
        self.pending_count = n as u64 - never;
        self.lazy = true;
        self.fresh_count = 0;

        for &z in &self.zero_need {
            self.rem[z as usize] = 0;
        }
        self.frontier.clear();
        self.frontier_edges = 0;
        for &s in initial {
            if !is_set(&self.active, s as usize) {
                set(&mut self.active, s as usize);
                self.rem[s as usize] = 0;
                self.frontier.push(s);
                let (a, b) = self.followers.range(s);
                self.frontier_edges += (b - a) as u64;
                let total = total_of(src, units, s);
                if self.needs.class(s, total) != NeedClass::Never {
                    let (a, b) = self.sources.range(s);
                    pending_edges -= (b - a) as u64;
                    self.pending_count -= 1;
                }
            }
        }
        if !self.zero_need.is_empty() {
            let active = &self.active;
            self.zero_need.retain(|&v| !is_set(active, v as usize));
        }
        (self.sync_edges, self.sync_count) = (pending_edges, self.pending_count);
        self.pending = None;
        self.visits = 0;
        self.active_count = self.frontier.len() as u64;
        self.steps = 0;
    }

    /// Sets the frontier size (follower edges) above which a push runs in parallel when there
    /// is more than one thread ([`PARALLEL_PUSH_EDGES`] by default). It changes only the cost,
    /// never the adopters, steps or edge visits (a test runs every push each way).
    pub fn set_parallel_push_edges(&mut self, edges: u64) {
        self.parallel_push_edges = edges;
    }

    /// Sets when a pull leaves a list of the pending agents for the next pull: when at most
    /// `1 / fraction` of all agents stay pending ([`DENSE_PULL_FRACTION`] by default; 0: always,
    /// `u64::MAX`: never, every pull sweeps). It changes only the cost, never the adopters,
    /// steps or edge visits (a test runs the pulls each way).
    pub fn set_dense_pull_fraction(&mut self, fraction: u64) {
        self.dense_pull_fraction = fraction;
    }

    /// Whether agent `v` is active.
    pub fn is_active(&self, v: u32) -> bool {
        is_set(&self.active, v as usize)
    }

    /// The agents activated by the last step (in an order that depends on the way the step
    /// ran; the set does not).
    pub fn adopted(&self) -> &[u32] {
        &self.frontier
    }

    /// Runs one synchronous step; `None` (and nothing changed) at the fixed point.
    pub fn step(&mut self) -> Option<StepInfo> {
        if self.frontier.is_empty() && self.zero_need.is_empty() {
            return None;
        }
        let pulled = pulls(
            self.frontier_edges,
            self.pending_count,
            self.sync_edges,
            self.sync_count,
        );
        // A pull reads every pending agent's need; a push may meet as many new agents as its
        // frontier has follower edges.
        if self.lazy
            && (pulled
                || self.fresh_count + self.frontier_edges
                    > self.rem.len() as u64 / MATERIALIZE_FRACTION)
        {
            self.materialize();
        }
        // A pull activates its adopters itself and counts their exposures.
        let (next, pulled_exposures) = if pulled {
            let (next, exposures) = match self.units {
                None => self.pull(|_| 1),
                Some(u) => self.pull(|e| u.sources[e]),
            };
            (next, Some(exposures))
        } else if rayon::current_num_threads() > 1 && self.frontier_edges > self.parallel_push_edges
        {
            (self.push_parallel(), None)
        } else {
            (self.push_serial(), None)
        };
        self.zero_need = Vec::new();
        if next.is_empty() {
            self.frontier.clear();
            return None;
        }
        self.pending_count -= next.len() as u64;
        let exposures = match pulled_exposures {
            Some(exposures) => exposures,
            None => {
                let mut exposures = 0u64;
                // A push's adopters come in no order: their follower offsets are fetched
                // ahead.
                const AHEAD: usize = 16;
                for (i, &v) in next.iter().enumerate() {
                    if let Some(&w) = next.get(i + AHEAD) {
                        prefetch(&self.followers.offsets[w as usize]);
                    }
                    set(&mut self.active, v as usize);
                    let (a, b) = self.followers.range(v);
                    exposures += (b - a) as u64;
                }
                exposures
            }
        };
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

    /// Computes every need (into `need` for fractional thresholds) and sets the countdown of
    /// every agent not yet reached to its need, in one parallel pass in fixed chunks: once a
    /// cascade reaches many agents, their needs cost less read in order than met at random.
    fn materialize(&mut self) {
        let (src, units) = (self.sources, self.units);
        let n = self.rem.len();
        match &self.needs {
            Needs::Given(given) => {
                self.rem
                    .par_chunks_mut(CHUNK)
                    .zip(given.par_chunks(CHUNK))
                    .for_each(|(rem, given)| {
                        for (r, &g) in rem.iter_mut().zip(given) {
                            if *r == UNSET {
                                *r = g;
                            }
                        }
                    });
            }
            Needs::Fractional(phi) => {
                self.need.resize(n, 0);
                self.rem
                    .par_chunks_mut(CHUNK)
                    .zip(self.need.par_chunks_mut(CHUNK))
                    .enumerate()
                    .for_each(|(ci, (rem, need))| {
                        let base = ci * CHUNK;
                        let uniform = phi[base..base + need.len()]
                            .iter()
                            .all(|p| p.to_bits() == phi[base].to_bits());
                        match units {
                            None if uniform => {
                                // One threshold for the whole chunk: one need per degree.
                                let mut memo = [UNSET; 64];
                                for (k, nd) in need.iter_mut().enumerate() {
                                    let d = src.offsets[base + k + 1] - src.offsets[base + k];
                                    *nd = match memo.get_mut(d as usize) {
                                        Some(m) if *m != UNSET => *m,
                                        Some(m) => {
                                            *m = fractional_need(d, phi[base]);
                                            *m
                                        }
                                        None => fractional_need(d, phi[base]),
                                    };
                                }
                            }
                            None => fractional_needs(
                                &src.offsets[base..=base + need.len()],
                                &phi[base..base + need.len()],
                                need,
                            ),
                            Some(_) => {
                                for (k, nd) in need.iter_mut().enumerate() {
                                    let v = (base + k) as u32;
                                    *nd = fractional_need(total_of(src, units, v), phi[v as usize]);
                                }
                            }
                        }
                        for (r, &nd) in rem.iter_mut().zip(need.iter()) {
                            if *r == UNSET {
                                *r = nd;
                            }
                        }
                    });
            }
        }
        self.lazy = false;
    }

    /// A push step on the calling thread: followers of the frontier count down
    /// ([`count_down_all`], on blocks of [`PUSH_BLOCK`] frontier agents whose follower ids are
    /// gathered first).
    fn push_serial(&mut self) -> Vec<u32> {
        let mut next = std::mem::take(&mut self.zero_need);
        let (fol, src, units, needs) = (self.followers, self.sources, self.units, &self.needs);
        let (ids, ws) = (&mut self.gathered, &mut self.gathered_units);
        let frontier = &self.frontier;
        for (k, block) in frontier.chunks(PUSH_BLOCK).enumerate() {
            ids.clear();
            ws.clear();
            for (i, &u) in block.iter().enumerate() {
                prefetch_row(fol, frontier, k * PUSH_BLOCK + i);
                let (a, b) = fol.range(u);
                self.visits += (b - a) as u64;
                ids.extend_from_slice(&fol.targets[a..b]);
                if let Some(un) = units {
                    ws.extend_from_slice(&un.followers[a..b]);
                }
            }
            let ws = units.map(|_| &ws[..]);
            self.fresh_count += count_down_all(
                self.lazy,
                ids,
                ws,
                &mut self.rem,
                0,
                needs,
                src,
                units,
                &mut self.fresh,
                &mut next,
            );
        }
        next
    }

    /// A push step in parallel without atomics: tasks over fixed chunks of the frontier gather
    /// its follower ids by destination range (at most [`PUSH_PARTS`] ranges of agent ids, a
    /// power of two long, so a shift finds the range) into buffers kept between steps, then
    /// one task per range counts its followers down ([`count_down_all`]), chunk by chunk in
    /// frontier order. Each countdown is written by one task only, and an agent adopts when
    /// its own countdown crosses zero, so the adopters are those of [`Cascade::push_serial`].
    fn push_parallel(&mut self) -> Vec<u32> {
        let mut next = std::mem::take(&mut self.zero_need);
        let (fol, src, units, needs) = (self.followers, self.sources, self.units, &self.needs);
        let n = self.rem.len();
        let shift = n
            .div_ceil(PUSH_PARTS)
            .max(1)
            .next_power_of_two()
            .trailing_zeros();
        let parts = n.div_ceil(1 << shift);
        let frontier = &self.frontier;
        let chunks = frontier.len().div_ceil(PUSH_GATHER_CHUNK);
        if self.bins.len() < chunks {
            self.bins.resize_with(chunks, Bins::default);
        }
        let bins = &mut self.bins[..chunks];
        bins.par_iter_mut().enumerate().for_each(|(c, bin)| {
            bin.ids.resize_with(parts, Vec::new);
            bin.ids.iter_mut().for_each(Vec::clear);
            bin.units
                .resize_with(if units.is_some() { parts } else { 0 }, Vec::new);
            bin.units.iter_mut().for_each(Vec::clear);
            bin.visits = 0;
            let first = c * PUSH_GATHER_CHUNK;
            let end = (first + PUSH_GATHER_CHUNK).min(frontier.len());
            for i in first..end {
                prefetch_row(fol, frontier, i);
                let (a, b) = fol.range(frontier[i]);
                bin.visits += (b - a) as u64;
                match units {
                    None => {
                        for &v in &fol.targets[a..b] {
                            bin.ids[(v >> shift) as usize].push(v);
                        }
                    }
                    Some(un) => {
                        for (&v, &w) in fol.targets[a..b].iter().zip(&un.followers[a..b]) {
                            let p = (v >> shift) as usize;
                            bin.ids[p].push(v);
                            bin.units[p].push(w);
                        }
                    }
                }
            }
        });
        let bins = &self.bins[..chunks];
        let lazy = self.lazy;
        let adopted: Vec<(Vec<u32>, u64)> = self
            .rem
            .par_chunks_mut(1 << shift)
            .enumerate()
            .map(|(p, rem)| {
                let (mut out, mut fresh, mut computed) = (Vec::new(), Vec::new(), 0);
                for bin in bins {
                    let ws = units.map(|_| &bin.units[p][..]);
                    computed += count_down_all(
                        lazy,
                        &bin.ids[p],
                        ws,
                        rem,
                        p << shift,
                        needs,
                        src,
                        units,
                        &mut fresh,
                        &mut out,
                    );
                }
                (out, computed)
            })
            .collect();
        self.visits += bins.iter().map(|b| b.visits).sum::<u64>();
        for (part, computed) in adopted {
            next.extend_from_slice(&part);
            self.fresh_count += computed;
        }
        next
    }

    /// A pull step: pending agents re-read their sources ([`count_active`]). With no list of
    /// pending agents (the first pull, and after a pull that left many pending) it is a
    /// **dense** pull: fixed chunks of agent ids are swept in order, skipping the active and
    /// those that never adopt, as the C sweep does (no list to build or read, every stream
    /// sequential). With a list (left by a pull that kept few pending), chunks of the list are
    /// read instead. Either way each chunk owns the countdowns of one stretch of agent ids,
    /// written by that chunk's task alone, and an agent's count, adoption and edge visits are
    /// the same. Returns the adopters, already active, and their follower edges.
    fn pull(&mut self, unit: impl Fn(usize) -> u32 + Sync) -> (Vec<u32>, u64) {
        let n = self.rem.len();
        let dense = self.pending.is_none();
        let parts: Vec<PullPart> = match self.pending.take() {
            None => self.pull_dense(&unit),
            Some(pending) => self.pull_listed(&pending, &unit),
        };
        let (mut adopted, mut kept, mut kept_edges) = (0, 0, 0);
        for part in &parts {
            adopted += part.adopt.len();
            kept += part.keep.len() as u64;
            kept_edges += part.kept_edges;
            self.visits += part.visits;
        }
        let fol = self.followers;
        let exposures: u64 = parts
            .par_iter()
            .map(|part| {
                let degree = |&v: &u32| {
                    let (a, b) = fol.range(v);
                    (b - a) as u64
                };
                part.adopt.iter().map(degree).sum::<u64>()
            })
            .sum();
        let mut next = Vec::with_capacity(adopted);
        for part in &parts {
            next.extend_from_slice(&part.adopt);
        }
        // Activate the adopters (after every count of this step: synchronous). A dense pull's
        // parts are the chunks of agent ids, so each task sets the bits of its own words.
        if dense {
            self.active
                .par_chunks_mut(CHUNK / 64)
                .zip(&parts)
                .for_each(|(words, part)| {
                    for &v in &part.adopt {
                        set(words, v as usize % CHUNK);
                    }
                });
        } else {
            for &v in &next {
                set(&mut self.active, v as usize);
            }
        }
        (self.sync_edges, self.sync_count) = (kept_edges, kept);
        // A list pays when few stay pending; otherwise the next pull sweeps again.
        self.pending = (kept.saturating_mul(self.dense_pull_fraction) <= n as u64).then(|| {
            let mut list = Vec::with_capacity(kept as usize);
            for part in &parts {
                list.extend_from_slice(&part.keep);
            }
            list
        });
        (next, exposures)
    }

    /// The dense pull's tasks: fixed chunks of [`CHUNK`] agent ids.
    fn pull_dense(&mut self, unit: &(impl Fn(usize) -> u32 + Sync)) -> Vec<PullPart> {
        let (src, needs) = (self.sources, &self.needs);
        let (active, need) = (&self.active, &self.need);
        self.rem
            .par_chunks_mut(CHUNK)
            .enumerate()
            .map(|(ci, rem)| {
                let base = ci * CHUNK;
                let words = &active[base / 64..(base + rem.len()).div_ceil(64)];
                let mut part = PullPart::default();
                let idle: u32 = words.iter().map(|w| w.count_zeros()).sum();
                if idle as usize * SPARSE_PULL > CHUNK {
                    // Most of the chunk is pending: its rows follow one another in memory, and
                    // the processor fetches them ahead by itself.
                    for (w, &word) in words.iter().enumerate() {
                        let mut idle = !word;
                        while idle != 0 {
                            let k = w * 64 + idle.trailing_zeros() as usize;
                            idle &= idle - 1;
                            let v = base + k;
                            let nd = match needs {
                                Needs::Given(given) => given[v],
                                Needs::Fractional(_) => need[v],
                            };
                            if nd != NEVER {
                                part.revise(v as u32, nd, &mut rem[k], src, active, unit);
                            }
                        }
                    }
                    return part;
                }
                // Few are pending: listed first, so that their rows can be fetched ahead.
                let mut pending = Vec::with_capacity(idle as usize);
                for (w, &word) in words.iter().enumerate() {
                    let mut idle = !word;
                    while idle != 0 {
                        let v = (base + w * 64 + idle.trailing_zeros() as usize) as u32;
                        idle &= idle - 1;
                        let nd = match needs {
                            Needs::Given(given) => given[v as usize],
                            Needs::Fractional(_) => need[v as usize],
                        };
                        if nd != NEVER {
                            pending.push(v);
                        }
                    }
                }
                part.revise_all(&pending, base, rem, src, needs, need, active, unit);
                part
            })
            .collect()
    }

    /// The listed pull's tasks: fixed chunks of [`CHUNK`] agents of the ascending `pending`.
    fn pull_listed(
        &mut self,
        pending: &[u32],
        unit: &(impl Fn(usize) -> u32 + Sync),
    ) -> Vec<PullPart> {
        let (src, needs) = (self.sources, &self.needs);
        let n = self.rem.len();
        let starts: Vec<usize> = pending.chunks(CHUNK).map(|c| c[0] as usize).collect();
        let mut stretches = Vec::with_capacity(starts.len());
        let (mut rest, mut at) = (&mut self.rem[..], 0usize);
        for (k, &start) in starts.iter().enumerate() {
            let end = starts.get(k + 1).copied().unwrap_or(n);
            let (_, tail) = rest.split_at_mut(start - at);
            let (mine, tail) = tail.split_at_mut(end - start);
            stretches.push((start, mine));
            (rest, at) = (tail, end);
        }
        let (active, need) = (&self.active, &self.need);
        pending
            .par_chunks(CHUNK)
            .zip(stretches)
            .map(|(chunk, (start, rem))| {
                let mut part = PullPart::default();
                part.revise_all(chunk, start, rem, src, needs, need, active, unit);
                part
            })
            .collect()
    }
}

/// A pull needs a list of the pending agents only when at most `1 / DENSE_PULL_FRACTION` of
/// all agents stay pending; above that it sweeps the agents in order (a list of most agents
/// costs more to build and read than the sweep's skips).
pub const DENSE_PULL_FRACTION: u64 = 16;

/// What one pull task found in its stretch of agents.
#[derive(Default)]
struct PullPart {
    /// Agents that adopt, ascending.
    adopt: Vec<u32>,
    /// Agents that stay pending, ascending.
    keep: Vec<u32>,
    /// Source edges read.
    visits: u64,
    /// Source edges of the agents kept.
    kept_edges: u64,
}

/// How many agents ahead a pull fetches the source rows (and twice as far, the offsets and
/// needs) of the agents it will count: when few are pending they lie far apart, and each
/// would otherwise wait for memory in turn.
const PULL_AHEAD: usize = 8;

/// A chunk of a dense pull with at most `1 / SPARSE_PULL` of its agents pending lists them
/// first and fetches their rows ahead ([`PullPart::revise_all`]); a denser one is swept
/// straight.
const SPARSE_PULL: usize = 4;

impl PullPart {
    /// [`PullPart::revise`] for each of the ascending `pending` agents not active since they
    /// were listed (agent `v`'s countdown is `rem[v - start]`), prefetching their offsets,
    /// needs and rows ahead.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn revise_all(
        &mut self,
        pending: &[u32],
        start: usize,
        rem: &mut [i32],
        src: &Adjacency,
        needs: &Needs<'_>,
        need: &[i32],
        active: &[u64],
        unit: &impl Fn(usize) -> u32,
    ) {
        let need_of = |v: u32| match needs {
            Needs::Given(given) => &given[v as usize],
            Needs::Fractional(_) => &need[v as usize],
        };
        for (i, &v) in pending.iter().enumerate() {
            if let Some(&w) = pending.get(i + 2 * PULL_AHEAD) {
                prefetch(&src.offsets[w as usize]);
                prefetch(need_of(w));
            }
            if let Some(&w) = pending.get(i + PULL_AHEAD)
                && let Some(t) = src.targets.get(src.offsets[w as usize] as usize)
            {
                prefetch(t);
            }
            if is_set(active, v as usize) {
                continue;
            }
            self.revise(
                v,
                *need_of(v),
                &mut rem[v as usize - start],
                src,
                active,
                unit,
            );
        }
    }

    /// Counts the active sources of pending agent `v` with need `nd` ([`count_active`]) and
    /// records it as adopting (countdown `rem` 0, so a later push never sees it cross zero
    /// again) or kept (countdown `nd - count`).
    #[inline(always)]
    fn revise(
        &mut self,
        v: u32,
        nd: i32,
        rem: &mut i32,
        src: &Adjacency,
        active: &[u64],
        unit: &impl Fn(usize) -> u32,
    ) {
        let (a, b) = src.range(v);
        let (c, read) = count_active(&src.targets[a..b], a, nd, active, unit);
        self.visits += read as u64;
        if c >= nd {
            *rem = 0;
            self.adopt.push(v);
        } else {
            *rem = nd - c;
            self.kept_edges += (b - a) as u64;
            self.keep.push(v);
        }
    }
}

/// The active sources (in units) among `row` (edge `a` onwards) until `nd` is reached, read in
/// blocks of 8 between checks (branch-free inner sums), then one at a time: the count and the
/// number of edges read.
#[inline(always)]
fn count_active(
    row: &[u32],
    a: usize,
    nd: i32,
    active: &[u64],
    unit: &impl Fn(usize) -> u32,
) -> (i32, usize) {
    let mut c = 0i32;
    let mut e = 0;
    while c < nd && e + 8 <= row.len() {
        let mut s = 0u32;
        for (k, &t) in row[e..e + 8].iter().enumerate() {
            s += unit(a + e + k) * bit(active, t as usize);
        }
        c += s as i32;
        e += 8;
    }
    while c < nd && e < row.len() {
        c += (unit(a + e) * bit(active, row[e] as usize)) as i32;
        e += 1;
    }
    (c, e)
}

/// The source edges `count_active` reads of a row of `len` edges whose count first reaches
/// the need at its `reached`-th edge (1-based): the whole block of 8 holding it while whole
/// blocks are read, else up to it. (A count that never reaches the need reads the row.)
#[inline]
pub fn reads_to_reach(len: usize, reached: usize) -> usize {
    let blocks = len / 8 * 8;
    if reached <= blocks {
        reached.div_ceil(8) * 8
    } else {
        reached
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
pub(crate) fn agent_needs(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, Stream};

    #[test]
    fn reads_to_reach_is_what_count_active_reads() {
        // Rows of 0 to 40 sources, random active bits and units, every need from 1 to past
        // the row's total: where the count reaches the need, `count_active` reads
        // `reads_to_reach(len, first edge reaching it)`; elsewhere the whole row.
        let mut s = Stream::new(3, Purpose::GraphAux, 0, 0);
        let active: Vec<u64> = (0..4).map(|_| s.next_u64_raw()).collect();
        let (mut inside, mut rounded) = (0, 0);
        for len in 0..=40usize {
            let row: Vec<u32> = (0..len).map(|_| s.next_word() % 256).collect();
            let units: Vec<u32> = (0..len).map(|_| s.next_word() % 3).collect();
            let unit = |e: usize| units[e];
            let total: u32 = (0..len)
                .map(|e| unit(e) * bit(&active, row[e] as usize))
                .sum();
            for nd in 1..=total as i32 + 1 {
                let (c, read) = count_active(&row, 0, nd, &active, &unit);
                let mut sum = 0i32;
                let first = (0..len).find(|&e| {
                    sum += (unit(e) * bit(&active, row[e] as usize)) as i32;
                    sum >= nd
                });
                match first {
                    Some(e) => {
                        assert!(c >= nd);
                        assert_eq!(read, reads_to_reach(len, e + 1), "len {len} need {nd}");
                        inside += 1;
                        rounded += usize::from(read != e + 1);
                    }
                    None => assert_eq!((c < nd, read), (true, len)),
                }
            }
        }
        assert!(inside > 100 && rounded > 50, "{inside} {rounded}");
    }

    #[test]
    fn pulls_when_the_frontier_outweighs_the_estimated_pending_edges() {
        // 1000 pending edges when 100 were pending, 50 pending now: 500 estimated.
        assert!(!pulls(166, 50, 1000, 100));
        assert!(pulls(167, 50, 1000, 100));
        // Nothing pending at the last sync: any frontier edge pulls.
        assert!(pulls(1, 0, 0, 0));
        assert!(!pulls(0, 0, 0, 0));
    }
}
