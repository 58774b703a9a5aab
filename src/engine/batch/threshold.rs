//! The `threshold` rule's step in a block (Granovetter 1978, Watts 2002): per lane exactly
//! `engine::rules::threshold::run`'s replicate, its adopters, step records and edge visits.
//!
//! # Adopters
//!
//! Each agent has, per lane, the scalar rule's integer **need** (`agent_needs` under the lane's
//! key: the same in every lane for a constant or a list of thresholds, drawn per lane and
//! agent otherwise, [`crate::model::threshold::draw`]). When a firing agent first reaches a
//! follower in the block, the follower gets a bit-sliced countdown ([`super::sliced`]) holding
//! `need - 1` in every lane; each firing source subtracts its edge's units in the lanes where
//! the follower is neither active nor unable to adopt (need [`NEVER`]), and the lanes whose
//! countdown goes below zero (the active units reached the need) adopt. Agents of need 0
//! (instigators) adopt at step 1 in the lanes where they are not seeds. This is the scalar
//! push in every lane at once; the scalar pull finds the same adopters (an agent adopts when
//! the units of its sources active at the step's start reach its need), so the block never
//! pulls.
//!
//! # Edge visits: the scalar's per-lane state machine, replayed
//!
//! The scalar cascade (`engine::rules::threshold::Cascade`) pushes or pulls each step, and the
//! two cost different edge visits. Per lane the block keeps the five numbers its choice reads
//! ([`LaneState`]):
//!
//! - `pending_count`, `pending_edges`: the agents that may still adopt (inactive, need not
//!   [`NEVER`]) and their source edges, exactly (the scalar keeps the count; the edges it
//!   knows only at its syncs);
//! - `sync_count`, `sync_edges`: the two as they were at the last sync (the start, and after
//!   each pull);
//! - `frontier_edges`: the follower edges of the agents activated at the previous step (at
//!   step 1, of the agents active at step 0).
//!
//! At the start both pairs hold the agents not `stand` at step 0 whose need is not
//! [`NEVER`]. Each step of a lane that has not ended:
//!
//! 1. it pulls when [`pulls`]`(frontier_edges, pending_count, sync_edges, sync_count)`,
//!    else it pushes (the scalar's test, the same function);
//! 2. its adopters `A` (found as above), their follower edges `X` (the step's exposures) and
//!    source edges `S`;
//! 3. a push visits `frontier_edges`; a pull visits every pending agent's sources until its
//!    count reaches its need ([`count_active`](crate::engine::rules::threshold): blocks of 8
//!    between checks, then one at a time): the whole row of each agent that stays pending,
//!    `pending_edges - S` together, plus for each adopter the edges read until its count
//!    first reaches its need ([`reads_to_reach`]). The block finds that place by reading the
//!    adopter's sources in order with a countdown of `need - 1` in the lanes where it adopted
//!    by a pull (the sources active at the step's start: active, not activated in this step),
//!    so only adopters' rows are read, never the pending agents';
//! 4. after a pull `sync_edges = pending_edges - S`, `sync_count = pending_count - |A|`;
//!    then `pending_count -= |A|`, `pending_edges -= S`, `frontier_edges = X`;
//! 5. with no adopter the lane has ended (the scalar's step returned `None` after paying its
//!    visits): it neither chooses nor visits again.
//!
//! An agent of need 0 adopts at step 1 with no source read (a push lists it, a pull's count
//! of 0 reaches 0 at once).
//!
//! # Cost
//!
//! Per block: the follower edges of the agents activated in any lane (once per step in which
//! they fire) times the countdown's word operations, plus the source rows of the adopters of
//! lanes that pull. Drawn thresholds add the needs of every agent in every lane at the start
//! (which agents never adopt and which need nothing: the scalar replicate draws them all too)
//! and one lane's draw per lane of each agent the block reaches.

use super::sliced::{self, slot, unslot};
use super::{Step, each_bit, prefetch};
use crate::engine::rules::threshold::{NEVER, Units, agent_needs, need_of, pulls, reads_to_reach};
use crate::graph::FollowerGraph;
use crate::model::dist::Dist;
use crate::model::population::NOT_FIXED;
use crate::model::threshold::{Kind, ThresholdParams, Thresholds, draw};
use crate::model::{Action, Agents};

const STAND: u8 = Action::Stand as u8;

/// Where a block's needs come from.
#[derive(Debug, Clone)]
enum Needs {
    /// One need per agent, the same in every lane (a constant or a list of thresholds).
    Shared(Vec<i32>),
    /// Thresholds drawn per lane and agent from a distribution.
    Drawn {
        dist: Dist,
        kind: Kind,
        /// Units per source (1 unweighted).
        scale: f64,
        /// Per agent the units of its sources.
        totals: Vec<u64>,
        /// Per agent whether it is fixed (a fixed agent never adopts).
        fixed: Vec<bool>,
    },
}

/// Per lane the agents not `stand` at step 0 that may adopt (need not [`NEVER`]) and their
/// source edges, and the agents that need nothing.
#[derive(Debug, Clone, Default)]
struct Classes {
    /// Per lane (one entry for every lane when the needs are shared) the count and edges.
    lanes: Vec<(u64, u64)>,
    /// Agents of need 0 not `stand` at step 0, ascending, with the lanes of that need.
    zero: Vec<(u32, u64)>,
}

/// The threshold rule's parameters and needs, ready for a block.
#[derive(Debug, Clone)]
pub(super) struct Threshold {
    params: ThresholdParams,
    units: Option<Units>,
    needs: Needs,
    /// Per agent the slices of its countdown: the bits of its sources' total units.
    widths: Vec<u8>,
    /// The classes when the needs are shared (over the agents not `stand` at step 0).
    shared: Option<Classes>,
    /// Follower edges of the agents `stand` at step 0.
    standing_edges: u64,
}

/// One lane's copy of the scalar cascade's push-or-pull state (see the module doc).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct LaneState {
    pending_count: u64,
    pending_edges: u64,
    sync_count: u64,
    sync_edges: u64,
    frontier_edges: u64,
    ended: bool,
}

/// A thread's buffers for the threshold rule's step.
#[derive(Debug, Default)]
pub(super) struct ThresholdBuffers {
    /// The countdowns of the agents reached in the block, one after another: per agent the
    /// lanes where it never adopts, its countdown's slices and, for drawn needs, the slices it
    /// started from. An agent's fourth mask word says where ([`slot`]; 0: none yet).
    arena: Vec<u64>,
    lanes: Vec<LaneState>,
    /// Agents of need 0 in some lane, ascending, with those lanes.
    zero: Vec<(u32, u64)>,
    /// A countdown being replayed over an adopter's sources.
    replay: Vec<u64>,
    /// Lane-steps that pulled and that pushed, over every block these buffers ran (what a
    /// test checks: that its cascades take both ways).
    pub(super) pulls: u64,
    pub(super) pushes: u64,
}

/// The countdown's start for need `nd`: `nd - 1` (0 for an instigator, never counted down).
#[inline]
fn start_value(nd: i32) -> u64 {
    (nd.max(1) - 1) as u64
}

impl Threshold {
    /// The rule `params` on `graph` over the shared population `agents`. `Err` is the rule's
    /// `check_graph` message. **O(n + edges)**.
    pub(super) fn new(
        graph: &FollowerGraph,
        params: &ThresholdParams,
        agents: &Agents,
    ) -> Result<Threshold, String> {
        crate::engine::rules::threshold::check_graph(params, graph)?;
        let units = if params.weighted {
            Some(Units::new(graph)?)
        } else {
            None
        };
        let src = graph.source_adjacency();
        let n = graph.node_count();
        let totals: Vec<u64> = (0..n)
            .map(|v| {
                let (a, b) = src.range(v);
                match &units {
                    None => (b - a) as u64,
                    Some(u) => u.sources[a..b].iter().map(|&x| u64::from(x)).sum(),
                }
            })
            .collect();
        let widths = totals.iter().map(|&t| sliced::width(t) as u8).collect();
        let (kind, thresholds) = params.kind();
        let needs = match thresholds {
            Thresholds::Dist(d) if !d.is_constant() => Needs::Drawn {
                dist: d.clone(),
                kind,
                scale: units.as_ref().map_or(1.0, |u| u.scale),
                totals,
                fixed: agents.fixed.iter().map(|&f| f != NOT_FIXED).collect(),
            },
            // Constants and lists draw nothing: any key gives the same needs.
            _ => Needs::Shared(agent_needs(graph, agents, params, 0, units.as_ref())),
        };
        let fol = graph.follower_adjacency();
        let standing_edges = (0..n)
            .filter(|&v| agents.initial[v as usize] == STAND)
            .map(|v| {
                let (a, b) = fol.range(v);
                (b - a) as u64
            })
            .sum();
        let mut th = Threshold {
            params: params.clone(),
            units,
            needs,
            widths,
            shared: None,
            standing_edges,
        };
        if let Needs::Shared(_) = th.needs {
            th.shared = Some(th.classes(graph, agents, &[0]));
        }
        Ok(th)
    }

    /// Agent `v`'s need in the lane keyed `key`.
    #[inline]
    fn need(&self, key: u64, v: u32) -> i32 {
        match &self.needs {
            Needs::Shared(need) => need[v as usize],
            Needs::Drawn {
                dist,
                kind,
                scale,
                totals,
                fixed,
            } => {
                if fixed[v as usize] {
                    NEVER
                } else {
                    let t = draw(dist, key, v);
                    need_of(&self.params, *kind, totals[v as usize], t, *scale)
                }
            }
        }
    }

    /// The classes of the agents not `stand` at step 0 in the lanes keyed `keys`: per lane
    /// how many may adopt and their source edges (the same in every lane when the needs are
    /// shared: then `keys` is one key), and the agents of need 0 with their lanes. **O(n x
    /// lanes)** needs.
    fn classes(&self, graph: &FollowerGraph, agents: &Agents, keys: &[u64]) -> Classes {
        let src = graph.source_adjacency();
        let mut counts = vec![(0u64, 0u64); keys.len()];
        let mut zero = Vec::new();
        let shared = matches!(self.needs, Needs::Shared(_));
        for v in 0..graph.node_count() {
            if agents.initial[v as usize] == STAND {
                continue;
            }
            let (a, b) = src.range(v);
            let mut zeros = 0u64;
            for (l, &key) in keys.iter().enumerate() {
                let nd = self.need(key, v);
                if nd != NEVER {
                    counts[l].0 += 1;
                    counts[l].1 += (b - a) as u64;
                }
                if nd == 0 {
                    zeros |= if shared { u64::MAX } else { 1 << l };
                }
            }
            if zeros != 0 {
                zero.push((v, zeros));
            }
        }
        Classes {
            lanes: counts,
            zero,
        }
    }

    /// Starts a block of lanes keyed `keys`, whose seeds `seeded[l]` became `stand` at step 0
    /// (distinct, not `stand` before): each lane's state (see the module doc) and the agents
    /// of need 0. **O(seeds)** with shared needs, O(n x lanes) drawn.
    pub(super) fn start(
        &self,
        graph: &FollowerGraph,
        agents: &Agents,
        keys: &[u64],
        seeded: &[Vec<u32>],
        buf: &mut ThresholdBuffers,
    ) {
        buf.arena.clear();
        buf.lanes.clear();
        let drawn;
        let classes = match &self.shared {
            Some(c) => c,
            None => {
                drawn = self.classes(graph, agents, keys);
                &drawn
            }
        };
        buf.zero.clone_from(&classes.zero);
        let (src, fol) = (graph.source_adjacency(), graph.follower_adjacency());
        for (l, (&key, seeds)) in keys.iter().zip(seeded).enumerate() {
            let (mut count, mut edges) = classes.lanes[l.min(classes.lanes.len() - 1)];
            let mut frontier_edges = self.standing_edges;
            for &s in seeds {
                let (a, b) = fol.range(s);
                frontier_edges += (b - a) as u64;
                if self.need(key, s) != NEVER {
                    let (a, b) = src.range(s);
                    count -= 1;
                    edges -= (b - a) as u64;
                }
            }
            buf.lanes.push(LaneState {
                pending_count: count,
                pending_edges: edges,
                sync_count: count,
                sync_edges: edges,
                frontier_edges,
                ended: false,
            });
        }
    }

    /// One synchronous step of every lane (see the module doc): the instigators at step 1, the
    /// countdowns of the followers of `frontier` (ascending) in the lanes they fire in, and
    /// each lane's visits and state.
    pub(super) fn step(
        &self,
        step: u32,
        keys: &[u64],
        graph: &FollowerGraph,
        frontier: &[u32],
        buf: &mut ThresholdBuffers,
        s: &mut Step<'_>,
    ) {
        let all = if keys.len() == 64 {
            u64::MAX
        } else {
            (1u64 << keys.len()) - 1
        };
        let mut pull = 0u64;
        let mut going = 0u64;
        for (l, st) in buf.lanes.iter().enumerate() {
            if !st.ended {
                going |= 1 << l;
                if pulls(
                    st.frontier_edges,
                    st.pending_count,
                    st.sync_edges,
                    st.sync_count,
                ) {
                    pull |= 1 << l;
                }
            }
        }
        buf.pulls += u64::from(pull.count_ones());
        buf.pushes += u64::from((going & !pull).count_ones());
        if step == 1 {
            for &(v, lanes) in &buf.zero {
                let new = lanes & all & !s.masks[v as usize][0];
                if new != 0 {
                    s.activate(graph, v, new);
                }
            }
        }
        self.count_down(keys, graph, frontier, all, &mut buf.arena, s);
        let adopted_edges = self.replay_pulls(step, graph, pull, buf, s);
        for (l, st) in buf.lanes.iter_mut().enumerate() {
            if st.ended {
                continue;
            }
            let (adopted, edges) = (s.changes[l], adopted_edges[l]);
            if pull >> l & 1 == 1 {
                let kept = st.pending_edges - edges;
                s.visits[l] += kept;
                (st.sync_edges, st.sync_count) = (kept, st.pending_count - adopted);
            } else {
                s.visits[l] += st.frontier_edges;
            }
            st.pending_count -= adopted;
            st.pending_edges -= edges;
            st.frontier_edges = s.exposures[l];
            st.ended = adopted == 0;
        }
    }

    /// The push of every lane: each agent of `frontier` fires in its `fire` lanes, counting
    /// down its followers' countdowns (made when first reached) in the lanes where they are
    /// neither active nor unable to adopt; lanes that go below zero adopt.
    fn count_down(
        &self,
        keys: &[u64],
        graph: &FollowerGraph,
        frontier: &[u32],
        all: u64,
        arena: &mut Vec<u64>,
        s: &mut Step<'_>,
    ) {
        let fol = graph.follower_adjacency();
        for i in 0..frontier.len() {
            let Some((u, fire)) = s.take_fire(fol, frontier, i) else {
                continue;
            };
            let (a, b) = fol.range(u);
            for e in a..b {
                let v = fol.targets[e];
                let m = s.masks[v as usize];
                let open = fire & !m[0];
                if open == 0 {
                    continue;
                }
                if let Needs::Shared(need) = &self.needs
                    && need[v as usize] == NEVER
                {
                    continue;
                }
                let word = if m[3] == 0 {
                    if m[0] == 0 {
                        s.touched.push(v);
                    }
                    let word = self.countdown(keys, v, all, arena);
                    s.masks[v as usize][3] = word;
                    word
                } else {
                    m[3]
                };
                let (o, width) = unslot(word);
                let open = open & !arena[o];
                if open == 0 {
                    continue;
                }
                let unit = self.units.as_ref().map_or(1, |u| u64::from(u.followers[e]));
                let adopt = sliced::sub(&mut arena[o + 1..o + 1 + width], open, unit);
                if adopt != 0 {
                    s.activate(graph, v, adopt);
                }
            }
        }
    }

    /// Appends agent `v`'s countdown to `arena` (the lanes `all`) and returns its slot word.
    fn countdown(&self, keys: &[u64], v: u32, all: u64, arena: &mut Vec<u64>) -> u64 {
        let width = self.widths[v as usize];
        let w = usize::from(width);
        let o = arena.len();
        let word = slot(o, width);
        match &self.needs {
            Needs::Shared(need) => {
                let x = start_value(need[v as usize]);
                arena.push(0);
                arena.extend((0..w).map(|j| if x >> j & 1 == 1 { all } else { 0 }));
            }
            Needs::Drawn { .. } => {
                arena.resize(o + 1 + 2 * w, 0);
                let mut never = 0u64;
                for (l, &key) in keys.iter().enumerate() {
                    let nd = self.need(key, v);
                    if nd == NEVER {
                        never |= 1 << l;
                    } else {
                        sliced::or_lane(&mut arena[o + 1..o + 1 + w], l as u32, start_value(nd));
                    }
                }
                arena[o] = never;
                arena.copy_within(o + 1..o + 1 + w, o + 1 + w);
            }
        }
        word
    }

    /// The adopters' part of the step's visits and state: per lane the source edges of its
    /// adopters, and, in the lanes in `pull`, each adopter's reads until its count reached its
    /// need added to the lane's visits (see the module doc).
    fn replay_pulls(
        &self,
        step: u32,
        graph: &FollowerGraph,
        pull: u64,
        buf: &mut ThresholdBuffers,
        s: &mut Step<'_>,
    ) -> [u64; super::LANES] {
        let src = graph.source_adjacency();
        let mut adopted_edges = [0u64; super::LANES];
        for j in 0..s.next.len() {
            if let Some(&w) = s.next.get(j + super::AHEAD) {
                prefetch(&src.offsets, w as usize);
            }
            let v = s.next[j];
            let new = s.masks[v as usize][2];
            let (a, b) = src.range(v);
            let degree = (b - a) as u64;
            each_bit(new, |l| adopted_edges[l] += degree);
            let mut left = new & pull;
            if step == 1
                && let Ok(k) = buf.zero.binary_search_by_key(&v, |&(z, _)| z)
            {
                // Instigators read nothing.
                left &= !buf.zero[k].1;
            }
            if left == 0 {
                continue;
            }
            // Every lane left adopted by a countdown, so `v` has one.
            let replay = &mut buf.replay;
            let (o, width) = unslot(s.masks[v as usize][3]);
            replay.clear();
            match &self.needs {
                Needs::Shared(need) => {
                    let x = start_value(need[v as usize]);
                    replay.extend((0..width).map(|j| if x >> j & 1 == 1 { left } else { 0 }));
                }
                Needs::Drawn { .. } => {
                    replay.extend_from_slice(&buf.arena[o + 1 + width..o + 1 + 2 * width]);
                }
            }
            let len = b - a;
            for e in a..b {
                let m = &s.masks[src.targets[e] as usize];
                let on = m[0] & !m[2] & left;
                if on == 0 {
                    continue;
                }
                let unit = self.units.as_ref().map_or(1, |u| u64::from(u.sources[e]));
                let reached = sliced::sub(replay, on, unit);
                if reached != 0 {
                    let reads = reads_to_reach(len, e - a + 1) as u64;
                    each_bit(reached, |l| s.visits[l] += reads);
                    left &= !reached;
                    if left == 0 {
                        break;
                    }
                }
            }
            debug_assert_eq!(left, 0, "agent {v} adopted without reaching its need");
        }
        adopted_edges
    }
}
