//! The linear threshold's step in a block: the inactive followers of the agents that fired are
//! the candidates, lane by lane, and each candidate pulls its sources once for all its
//! candidate lanes (a bit-sliced counter of active units per lane, [`super::sliced`]), then
//! compares each lane's count with that lane's threshold.

use super::{AHEAD, Step, each_bit, prefetch, sliced};
use crate::engine::rules::cascade::{LtUnits, lt_reached, lt_threshold};
use crate::graph::FollowerGraph;

/// The linear threshold's weights, ready for a block.
#[derive(Debug, Clone, Copy)]
pub(super) struct Linear {
    pub(super) units: LtUnits,
}

/// A thread's buffers for the linear threshold's step.
#[derive(Debug, Default)]
pub(super) struct LinearBuffers {
    candidates: Vec<u32>,
    /// A candidate's bit-sliced count of active units per lane (64 slices hold any count).
    count: Vec<u64>,
}

impl Linear {
    /// One synchronous step, `engine::rules::cascade::run_linear`'s in every lane at once:
    ///
    /// 1. the candidates of lane `l` are the followers of the agents that fired in `l` (the
    ///    agents of `frontier`, ascending) that are not in their `active` bits in `l` (`sit`
    ///    and not fixed): the scalar rule's `marks`, kept per agent in its `next` mask until
    ///    the pulls;
    /// 2. each candidate, ascending, counts per candidate lane the units of its sources `stand` in that lane
    ///    (the `stand` masks, which change only after the step, as the scalar rule's actions
    ///    change only in `finish_step`), adds its number of sources to the lane's edge visits
    ///    and is activated in the lanes where `lt_reached(on, whole, lt_threshold(key, v))`
    ///    holds, the scalar rule's test and draw.
    pub(super) fn step(
        &self,
        keys: &[u64],
        graph: &FollowerGraph,
        frontier: &[u32],
        buf: &mut LinearBuffers,
        s: &mut Step<'_>,
    ) {
        let fol = graph.follower_adjacency();
        let candidates = &mut buf.candidates;
        candidates.clear();
        for i in 0..frontier.len() {
            if let Some(&w) = frontier.get(i + 2 * AHEAD) {
                prefetch(&fol.offsets, w as usize);
                prefetch(s.masks, w as usize);
            }
            if let Some(&w) = frontier.get(i + AHEAD) {
                prefetch(&fol.targets, fol.range(w).0);
            }
            let u = frontier[i];
            let fire = std::mem::take(&mut s.masks[u as usize][1]);
            if fire == 0 {
                continue;
            }
            let (a, b) = fol.range(u);
            for &v in &fol.targets[a..b] {
                let m = &mut s.masks[v as usize];
                let open = fire & !m[0];
                if open != 0 {
                    if m[2] == 0 {
                        candidates.push(v);
                    }
                    m[2] |= open;
                }
            }
        }
        candidates.sort_unstable();

        let src = graph.source_adjacency();
        let weighted = self.units.weighted();
        buf.count.resize(64, 0);
        for j in 0..candidates.len() {
            if let Some(&w) = candidates.get(j + 2 * AHEAD) {
                prefetch(&src.offsets, w as usize);
            }
            if let Some(&w) = candidates.get(j + AHEAD) {
                prefetch(&src.targets, src.range(w).0);
            }
            let v = candidates[j];
            let open = std::mem::take(&mut s.masks[v as usize][2]);
            let (a, b) = src.range(v);
            let degree = (b - a) as u64;
            each_bit(open, |l| s.visits[l] += degree);
            let whole = self.units.whole(graph, v);
            // Whether `on` units reach lane `l`'s threshold. With every source active the test
            // holds whatever the draw (`t < 2^53`), so no draw is needed.
            let reached = |l: usize, on: u64| {
                (on >= whole && whole > 0) || lt_reached(on, whole, lt_threshold(keys[l], v))
            };
            let unit = |e: usize| {
                if weighted {
                    self.units.unit(src.weights.as_ref().map(|w| w[e]))
                } else {
                    1
                }
            };
            // Enough slices for every source active: `d` units, or the sum of the weights'.
            let most = if weighted {
                (a..b).map(unit).sum()
            } else {
                degree
            };
            let count = &mut buf.count[..sliced::width(most)];
            count.fill(0);
            for e in a..b {
                let x = s.masks[src.targets[e] as usize][3] & open;
                if x != 0 {
                    sliced::add(count, x, unit(e));
                }
            }
            let mut new = 0u64;
            each_bit(open, |l| {
                new |= u64::from(reached(l, sliced::lane(count, l as u32))) << l;
            });
            if new != 0 {
                s.activate(graph, v, new);
            }
        }
    }
}
