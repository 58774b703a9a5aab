//! The linear threshold's step in a block. Each agent keeps, per lane, the units of its
//! sources active in that lane as a bit-sliced counter ([`super::sliced`]), filled as the
//! sources fire; the inactive followers of the agents that fired are the candidates, lane by
//! lane, and each compares its count with its threshold in its candidate lanes.
//!
//! # Why the counts are the scalar rule's pulls
//!
//! `engine::rules::cascade::run_linear` pulls each candidate's sources at step `t` and counts
//! those `stand` when the step began (its actions change only in `finish_step`). An agent is
//! `stand` at the start of step `t` in lane `l` when it stood at step 0 (it fires in every lane
//! at step 1), is one of the lane's seeds (it fires at step 1) or was activated at a step
//! `s < t` (it fires at step `s + 1 <= t`). Every such agent has fired in `l` by the time step
//! `t` compares, since a step adds the units of all its firing agents before any comparison,
//! and each fires once per lane, so it was added once. Agents that never stand (`boo`, fixed
//! `sit`) never fire. A firing agent skips the lanes in which its follower is already active:
//! there the follower is never a candidate again. So in every lane in which an agent is a
//! candidate, its counter holds exactly the units the scalar pull counts, and the comparison
//! is the scalar rule's `lt_reached(on, whole, lt_threshold(key, v))`. The edge visits are
//! counted as the scalar pull makes them: the candidate's number of sources per candidate lane.

use super::sliced::{self, slot, unslot};
use super::{AHEAD, Step, each_bit, prefetch};
use crate::engine::rules::cascade::{LtUnits, lt_reached, lt_threshold};
use crate::graph::FollowerGraph;

/// The linear threshold's weights, ready for a block.
#[derive(Debug, Clone)]
pub(super) struct Linear {
    units: LtUnits,
    /// Per agent the slices its counter needs: the bits of its sources' total units.
    widths: Vec<u8>,
}

/// A thread's buffers for the linear threshold's step.
#[derive(Debug, Default)]
pub(super) struct LinearBuffers {
    candidates: Vec<u32>,
    /// A firing agent's follower edges that reach a follower in some lane, with those lanes.
    hits: Vec<(usize, u64)>,
    /// The counters of the agents reached in the block, one after another; an agent's fourth
    /// mask word says where its counter is ([`slot`]; 0: none yet).
    arena: Vec<u64>,
}

impl Linear {
    /// The weights `units` on `graph`, with each agent's counter width. **O(n + edges)**.
    pub(super) fn new(graph: &FollowerGraph, units: LtUnits) -> Linear {
        let src = graph.source_adjacency();
        let widths = (0..graph.node_count())
            .map(|v| {
                let (a, b) = src.range(v);
                let most: u64 = if units.weighted() {
                    (a..b)
                        .map(|e| units.unit(src.weights.as_ref().map(|w| w[e])))
                        .sum()
                } else {
                    (b - a) as u64
                };
                sliced::width(most) as u8
            })
            .collect();
        Linear { units, widths }
    }

    /// Clears the counters before a block (the masks are cleared by the block).
    pub(super) fn start(buf: &mut LinearBuffers) {
        buf.arena.clear();
    }

    /// One synchronous step, `engine::rules::cascade::run_linear`'s in every lane at once (see
    /// the module doc):
    ///
    /// 1. every agent of `frontier` (ascending) fires in its `fire` lanes: it adds its edge's
    ///    units to each follower's counter in the lanes where the follower is not in its
    ///    `active` bits (`sit` and not fixed), and these lanes join the follower's candidate
    ///    lanes, kept in its `next` word until the comparisons;
    /// 2. each candidate, in the order reached, adds its number of sources to each candidate lane's edge
    ///    visits and is activated in the candidate lanes where its count reaches the lane's
    ///    threshold.
    pub(super) fn step(
        &self,
        keys: &[u64],
        graph: &FollowerGraph,
        frontier: &[u32],
        buf: &mut LinearBuffers,
        s: &mut Step<'_>,
    ) {
        let fol = graph.follower_adjacency();
        let weighted = self.units.weighted();
        let candidates = &mut buf.candidates;
        let arena = &mut buf.arena;
        let hits = &mut buf.hits;
        candidates.clear();
        for i in 0..frontier.len() {
            let Some((u, fire)) = s.take_fire(fol, frontier, i) else {
                continue;
            };
            // The row's masks first (independent loads, whose misses overlap), asking for the
            // counters of the followers it reaches, then the counts.
            let (a, b) = fol.range(u);
            hits.clear();
            for e in a..b {
                let m = &s.masks[fol.targets[e] as usize];
                let open = fire & !m[0];
                if open != 0 {
                    if m[3] != 0 {
                        prefetch(arena, unslot(m[3]).0);
                    }
                    hits.push((e, open));
                }
            }
            for &(e, open) in hits.iter() {
                let v = fol.targets[e];
                let m = &mut s.masks[v as usize];
                if m[2] == 0 {
                    candidates.push(v);
                }
                m[2] |= open;
                if m[3] == 0 {
                    if m[0] == 0 {
                        s.touched.push(v);
                    }
                    let width = self.widths[v as usize];
                    m[3] = slot(arena.len(), width);
                    arena.resize(arena.len() + usize::from(width), 0);
                }
                let (o, width) = unslot(m[3]);
                let unit = if weighted {
                    self.units.unit(fol.weights.as_ref().map(|w| w[e]))
                } else {
                    1
                };
                sliced::add(&mut arena[o..o + width], open, unit);
            }
        }
        // The candidates in the order they were first reached in this step: the counters of
        // those first reached in the block lie one after another in that order.
        let src = graph.source_adjacency();
        for j in 0..candidates.len() {
            if let Some(&w) = candidates.get(j + 2 * AHEAD) {
                prefetch(s.masks, w as usize);
                prefetch(&src.offsets, w as usize);
            }
            if let Some(&w) = candidates.get(j + AHEAD) {
                prefetch(arena, unslot(s.masks[w as usize][3]).0);
            }
            let v = candidates[j];
            let m = &mut s.masks[v as usize];
            let open = std::mem::take(&mut m[2]);
            let (o, width) = unslot(m[3]);
            let count = &arena[o..o + width];
            let degree = u64::from(graph.source_count(v));
            each_bit(open, |l| s.visits[l] += degree);
            let whole = self.units.whole(graph, v);
            let mut new = 0u64;
            each_bit(open, |l| {
                let on = sliced::lane(count, l as u32);
                // With every source active the test holds whatever the draw (`t < 2^53`), so
                // no draw is needed.
                let reached =
                    (on >= whole && whole > 0) || lt_reached(on, whole, lt_threshold(keys[l], v));
                new |= u64::from(reached) << l;
            });
            if new != 0 {
                s.activate(graph, v, new);
            }
        }
    }
}
