//! The independent cascade's step in a block: the trials of the firing lanes' follower edges,
//! 64 lanes' words drawn at once ([`LaneKeys::trial`]).

use super::{Step, each_bit, prefetch, prefetch_frontier};
use crate::engine::rules::cascade::IcProbs;
use crate::graph::FollowerGraph;
use crate::rng::LaneKeys;

/// The trials of the follower edges `edges` (positions in the follower adjacency whose
/// followers `targets` holds) for the lanes in `fire`, each edge's threshold `constant` or
/// from `probs`: clears `wins` and pushes `(follower, lanes won)` for every follower with a
/// success, asking for its entry of `masks` meanwhile. The row's draws come first (they read
/// no masks), so the masks' cache misses overlap instead of following one another. Shared by
/// this kernel and the final-count kernel of `strategy::bitpar`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) fn draw_row<M>(
    keys: &LaneKeys,
    probs: &IcProbs<'_>,
    constant: Option<u64>,
    targets: &[u32],
    edges: std::ops::Range<usize>,
    fire: u64,
    masks: &[M],
    wins: &mut Vec<(u32, u64)>,
) {
    wins.clear();
    for e in edges {
        let v = targets[e];
        let t = match constant {
            Some(t) => t,
            None => probs.threshold(e, v),
        };
        let won = keys.trial(e as u64, t, fire);
        if won != 0 {
            prefetch(masks, v as usize);
            wins.push((v, won));
        }
    }
}

/// The independent cascade's probabilities, ready for a block.
#[derive(Debug, Clone, Copy)]
pub(super) struct Independent<'a> {
    pub(super) probs: IcProbs<'a>,
    /// The fixed-point probability when it is the same on every edge.
    pub(super) constant: Option<u64>,
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
            prefetch_frontier(adj, s.masks, frontier, i);
            let u = frontier[i];
            let fire = std::mem::take(&mut s.masks[u as usize][1]);
            if fire == 0 {
                continue;
            }
            let (a, b) = adj.range(u);
            let degree = (b - a) as u64;
            each_bit(fire, |l| s.visits[l] += degree);
            draw_row(
                keys,
                &self.probs,
                self.constant,
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
