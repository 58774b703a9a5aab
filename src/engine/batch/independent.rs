//! The independent cascade's step in a block: the trials of the firing lanes' follower edges,
//! 64 lanes' first row words (constant probability, [`LaneKeys::rows_hit`]) or edge words
//! ([`LaneKeys::trial`]) drawn at once.

use super::{Step, each_bit, prefetch};
use crate::engine::rules::cascade::IcProbs;
use crate::graph::FollowerGraph;
use crate::rng::{LaneKeys, RowGaps};

/// The trials of agent `u`'s follower row `edges` (positions in the follower adjacency whose
/// followers `targets` holds) for the lanes in `fire`: by geometric skipping with `gaps` when
/// the probability is constant ([`crate::rng::rows`]), else edge by edge against `probs`.
/// Clears `wins` and pushes `(follower, lanes won)` for the followers with a success, asking
/// for their entries of `masks` meanwhile: per edge in row order (all its lanes in one entry)
/// under per-edge probabilities, lane by lane (a follower once per lane it is reached in)
/// under a constant one; callers treat the entries as a set. The row's draws come first (they read no
/// masks), so the masks' cache misses overlap instead of following one another. Shared by
/// this kernel and the final-count kernel of `strategy::bitpar`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) fn draw_row<M>(
    keys: &LaneKeys,
    probs: &IcProbs<'_>,
    gaps: Option<&RowGaps>,
    u: u32,
    targets: &[u32],
    edges: std::ops::Range<usize>,
    fire: u64,
    masks: &[M],
    wins: &mut Vec<(u32, u64)>,
) {
    wins.clear();
    let Some(gaps) = gaps else {
        for e in edges {
            let v = targets[e];
            let won = keys.trial(e as u64, probs.threshold(e, v), fire);
            if won != 0 {
                prefetch(masks, v as usize);
                wins.push((v, won));
            }
        }
        return;
    };
    let d = (edges.end - edges.start) as u32;
    let hit = keys.rows_hit(u, gaps.none_in(d), fire);
    if hit == 0 {
        return;
    }
    // Lane by lane: a follower reached in several lanes gets one entry per lane.
    let row = &targets[edges];
    each_bit(hit, |l| {
        gaps.row(
            d,
            |j| keys.row_word(l as u32, u, j),
            |i| {
                let v = row[i as usize];
                prefetch(masks, v as usize);
                wins.push((v, 1 << l));
            },
        )
    });
}

/// The independent cascade's probabilities, ready for a block.
#[derive(Debug, Clone)]
pub(super) struct Independent<'a> {
    pub(super) probs: IcProbs<'a>,
    /// The row draws when the probability is the same on every edge.
    pub(super) gaps: Option<RowGaps>,
}

impl Independent<'_> {
    /// One synchronous step: every agent of `frontier` (ascending) tries its follower edges in
    /// the lanes it fires in, and a follower is activated in the lanes whose trial succeeded
    /// and that are not in its `active` bits (once, however many trials succeed). This is
    /// `engine::rules::cascade::run_independent`'s step in every lane at once: each (edge,
    /// lane) is tried once with the same word, and a lane's edge visits are the follower edges
    /// of the agents that fired in it.
    pub(super) fn step(
        &self,
        keys: &LaneKeys,
        graph: &FollowerGraph,
        frontier: &[u32],
        wins: &mut Vec<(u32, u64)>,
        s: &mut Step<'_>,
    ) {
        let adj = graph.follower_adjacency();
        for i in 0..frontier.len() {
            let Some((u, fire)) = s.take_fire(adj, frontier, i) else {
                continue;
            };
            let (a, b) = adj.range(u);
            let degree = (b - a) as u64;
            each_bit(fire, |l| s.visits[l] += degree);
            draw_row(
                keys,
                &self.probs,
                self.gaps.as_ref(),
                u,
                &adj.targets,
                a..b,
                fire,
                s.masks,
                wins,
            );
            for &(v, won) in wins.iter() {
                let new = won & !s.masks[v as usize][0];
                if new != 0 {
                    s.activate(graph, v, new);
                }
            }
        }
    }
}
