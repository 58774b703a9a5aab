//! The linear threshold's kernel of [`super::BlockSimulator`]: 64 replicates (lanes) per
//! traversal, lane `l`'s final active set exactly the scalar spread simulator's
//! ([`crate::strategy::spread::Simulator`]) under lane `l`'s key.
//!
//! # Draws and test
//!
//! Agent `v`'s threshold in lane `l` is `lt_threshold(key_l, v)`, drawn the first time a source
//! of `v` becomes active in that lane (the scalar simulator draws it at the same moment; the
//! value depends only on `(key_l, v)`). Weights are the scalar rule's integer units
//! ([`LtUnits`]), and a lane of `v` activates when its active units `a` satisfy
//! `a >= ceil(t_v * whole_v / 2^53)`, which for an integer `a` is exactly
//! [`crate::engine::rules::cascade::lt_reached`]`(a, whole_v, t_v)`.
//!
//! # Kernel
//!
//! Per agent, `active` and `fresh` hold the lanes in which it is active and in which it was
//! activated and has not fired yet, as in the independent cascade's kernel. A round walks the
//! frontier in ascending agent order; an agent firing in the lanes `fire` takes its edge's
//! units off each follower `v`'s countdown in the lanes `fire & !active_v`. The countdown
//! starts, per lane, at `need - 1` with `need = ceil(t_v * whole_v / 2^53)`, and the lanes
//! whose countdown goes below zero are those whose active units reached `need`: they
//! activate. It is a **bit-sliced counter** (`crate::engine::batch::sliced`: word `j` holds
//! bit `j` of all 64 lanes' values, as many words as the bits of `v`'s total incoming units;
//! a need above that total, which no count reaches, starts at the largest value the words
//! hold, which no count exhausts), so taking a source's units off all 64 lanes and learning
//! which activate costs a few word operations. A countdown exists only for agents reached in the block (a slot in an
//! arena, cleared between blocks).
//!
//! # Why the order does not matter
//!
//! Each (source, lane) fires exactly once, after it became active, so when the block ends
//! every lane's counter of `v` holds the units of all of `v`'s sources active in that lane.
//! The linear threshold with fixed thresholds is monotone: `v` is active at the end of the
//! synchronous rule iff it is in the least set `A` containing the seeds and every agent whose
//! sources in `A` reach its threshold. Both this kernel and the scalar simulator only activate
//! an agent whose already active sources reach its threshold, so by induction on activation
//! order they never leave `A`; and both stop only when no inactive agent's active sources
//! reach its threshold (each source's units were added, and the comparison made, when it
//! fired), i.e. at a set closed under the rule, which contains `A`. So both end at `A`, lane by
//! lane, whatever the order in which the agents fire (a test checks it against the scalar
//! simulator).

use super::{AHEAD, final_counts};
use crate::engine::batch::sliced;
use crate::engine::batch::{prefetch, prefetch_frontier};
use crate::engine::rules::cascade::{LtUnits, lt_threshold};
use crate::graph::FollowerGraph;
use crate::model::cascade::LinearThresholdParams;
use crate::rng::{LaneKeys, Purpose};

/// From how many of a 16-lane chunk's lanes thresholds are drawn with one vectorised call
/// ([`LaneKeys::stream_u64x16`]) rather than one stream per lane.
const VECTOR_FROM: u32 = 3;

/// How many followers' masks ahead a row's walk asks for.
const MASKS_AHEAD: usize = 8;

/// An agent without a counter in this block.
const NO_SLOT: usize = usize::MAX;

/// The linear threshold's kernel: reusable buffers for blocks of 64 replicates.
pub(super) struct LtBlock<'g> {
    graph: &'g FollowerGraph,
    units: LtUnits,
    /// Per agent: the number of slices of its counter (bits of its total incoming units).
    widths: Vec<u8>,
    /// Per agent: `[active, fresh]` lanes.
    masks: Vec<[u64; 2]>,
    /// Per agent: the offset of its slot in `arena`, or [`NO_SLOT`].
    slot: Vec<usize>,
    /// Slots: `[seen, countdown (W words)]`, where `seen` holds the lanes whose threshold was
    /// drawn and the countdown, per lane, the units still missing before the agent activates,
    /// less one (see `draw_needs`).
    arena: Vec<u64>,
    /// Agents with a slot in this block.
    candidates: Vec<u32>,
    /// Agents active in some lane of this block.
    touched: Vec<u32>,
    frontier: Vec<u32>,
    next: Vec<u32>,
}

impl<'g> LtBlock<'g> {
    /// The kernel of `params` on `graph`.
    pub(super) fn new(graph: &'g FollowerGraph, params: &LinearThresholdParams) -> LtBlock<'g> {
        let n = graph.node_count() as usize;
        let units = LtUnits::new(graph, params.weights);
        let adj = graph.follower_adjacency();
        let mut incoming = vec![0u64; n];
        for u in 0..graph.node_count() {
            let (a, b) = adj.range(u);
            for e in a..b {
                incoming[adj.targets[e] as usize] += units.unit(adj.weights.as_ref().map(|w| w[e]));
            }
        }
        LtBlock {
            graph,
            units,
            widths: incoming.iter().map(|&t| sliced::width(t) as u8).collect(),
            masks: vec![[0; 2]; n],
            slot: vec![NO_SLOT; n],
            arena: Vec::new(),
            candidates: Vec::new(),
            touched: Vec::new(),
            frontier: Vec::new(),
            next: Vec::new(),
        }
    }

    /// The slot of agent `v`, made when it has none.
    #[inline]
    fn slot_of(&mut self, v: usize) -> usize {
        let o = self.slot[v];
        if o != NO_SLOT {
            return o;
        }
        let o = self.arena.len();
        self.arena
            .resize(o + 2 + 2 * usize::from(self.widths[v]), 0);
        self.slot[v] = o;
        self.candidates.push(v as u32);
        o
    }

    /// Draws agent `v`'s thresholds in the lanes `lanes` and writes their countdowns into its
    /// slot at `o` of width `w`; returns the lanes whose need is 0 (reached by any source).
    #[inline(never)]
    fn draw_needs(&mut self, v: usize, o: usize, w: usize, lanes: u64, keys: &LaneKeys) -> u64 {
        let whole = u128::from(self.units.whole(self.graph, v as u32));
        // The largest countdown the slot holds: at least the agent's total incoming units.
        let top = if w >= 64 { u64::MAX } else { (1 << w) - 1 };
        let mut zero = 0u64;
        let countdown = &mut self.arena[o + 1..o + 1 + w];
        for chunk in 0..4 {
            let part = (lanes >> (16 * chunk)) & 0xffff;
            if part == 0 {
                continue;
            }
            // Many lanes at once: their streams' words in one vectorised call (the same
            // integers as `lt_threshold`, lane by lane).
            let words = (part.count_ones() >= VECTOR_FROM)
                .then(|| keys.stream_u64x16(chunk, Purpose::LtThreshold, 0, v as u32));
            // The chunk's countdowns, then written into the slices all at once (one by one
            // when few).
            let mut values = [0u64; 16];
            let mut f = part;
            while f != 0 {
                let j = f.trailing_zeros();
                f &= f - 1;
                let l = 16 * chunk as u32 + j;
                let t = match &words {
                    Some(words) => words[j as usize] >> 11,
                    None => lt_threshold(keys.key(l), v as u32),
                };
                // The least integer count a with a * 2^53 >= t * whole.
                let need = (u128::from(t) * whole).div_ceil(1 << 53) as u64;
                if need == 0 {
                    zero |= 1 << l;
                } else {
                    // A need above every reachable count stays out of reach at `top`.
                    values[j as usize] = (need - 1).min(top);
                }
            }
            if words.is_some() {
                sliced::or_lanes16(countdown, chunk, &values);
            } else {
                let mut f = part;
                while f != 0 {
                    let j = f.trailing_zeros();
                    f &= f - 1;
                    sliced::or_lane(countdown, 16 * chunk as u32 + j, values[j as usize]);
                }
            }
        }
        self.arena[o] |= lanes;
        zero
    }

    /// [`super::BlockSimulator::block`] under the linear threshold.
    pub(super) fn block(&mut self, seeds: &[u32], keys: &LaneKeys) -> [u32; 64] {
        let lanes = keys.lanes();
        let graph = self.graph;
        let adj = graph.follower_adjacency();
        let mut frontier = std::mem::take(&mut self.frontier);
        let mut next = std::mem::take(&mut self.next);
        frontier.clear();
        for &s in seeds {
            let s = s as usize;
            if self.masks[s][0] == 0 {
                self.touched.push(s as u32);
                frontier.push(s as u32);
            }
            self.masks[s] = [lanes, lanes];
        }
        frontier.sort_unstable();
        while !frontier.is_empty() {
            next.clear();
            for i in 0..frontier.len() {
                prefetch_frontier(adj, &self.masks, &frontier, i);
                // Every edge reads its follower's mask (a miss into a large array, the kernel's
                // main cost when few lanes fire): ask for the first ones of an agent a few
                // places ahead, whose row was asked for earlier, and for the rest of a long row
                // while walking it.
                if let Some(&w) = frontier.get(i + AHEAD / 2) {
                    let (a, b) = adj.range(w);
                    for &t in &adj.targets[a..b.min(a + MASKS_AHEAD)] {
                        prefetch(&self.masks, t as usize);
                    }
                }
                let u = frontier[i] as usize;
                let fire = std::mem::take(&mut self.masks[u][1]);
                if fire == 0 {
                    continue;
                }
                let (a, b) = adj.range(u as u32);
                for e in a..b {
                    if let Some(&t) = adj.targets.get(e + MASKS_AHEAD)
                        && e + MASKS_AHEAD < b
                    {
                        prefetch(&self.masks, t as usize);
                    }
                    let v = adj.targets[e] as usize;
                    let open = fire & !self.masks[v][0];
                    if open == 0 {
                        continue;
                    }
                    let w = usize::from(self.widths[v]);
                    let o = self.slot_of(v);
                    let unseen = open & !self.arena[o];
                    let mut reached = 0;
                    if unseen != 0 {
                        reached = self.draw_needs(v, o, w, unseen, keys);
                    }
                    let unit = self.units.unit(adj.weights.as_ref().map(|x| x[e]));
                    reached |= sliced::sub(&mut self.arena[o + 1..o + 1 + w], open, unit);
                    if reached == 0 {
                        continue;
                    }
                    let m = &mut self.masks[v];
                    if m[0] == 0 {
                        self.touched.push(v as u32);
                    }
                    if m[1] == 0 {
                        next.push(v as u32);
                    }
                    m[0] |= reached;
                    m[1] |= reached;
                }
            }
            next.sort_unstable();
            std::mem::swap(&mut frontier, &mut next);
        }
        for &v in &self.candidates {
            self.slot[v as usize] = NO_SLOT;
        }
        self.candidates.clear();
        self.arena.clear();
        self.frontier = frontier;
        self.next = next;
        final_counts(&mut self.masks, &mut self.touched)
    }
}
