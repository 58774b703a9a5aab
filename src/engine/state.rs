//! The state of one replicate and the step kernel every timing scheme shares.
//!
//! Per agent the state holds its action and running (weighted) counts of its sources in each
//! action. When a source changes, the counts of its followers are updated in place (push); only
//! agents whose counts changed, or whose last revision left an open tie, are revised again. The
//! counts are integers (weights in fixed point, 1/65536), so sums are exact and never depend on
//! the order in which updates arrive. Counts are `u32`: unweighted, a source counts 1; weighted,
//! it counts `round(visibility x edge weight x scale)` with `scale = min(65536, (2^32 - 1) /
//! the largest weighted in-degree)`, so no agent's total can overflow.
//!
//! Rules that read the counts say so in their contract
//! ([`Rule::needs_counts`](crate::engine::rule::Rule::needs_counts)); for the others the state
//! holds actions and tallies only, and the step-0 count (**O(n + m)**) is skipped.

use rayon::prelude::*;

use crate::graph::FollowerGraph;
use crate::model::{Action, Agents};
use crate::rng::mix64;

/// Largest fixed-point scale of weighted counts: a weight of 1.0 counts at most 65536 units.
pub const WEIGHT_SCALE: f64 = 65536.0;

/// What an agent sees when it revises: weighted units of its sources standing, booing and in
/// all, and whether it is kept from booing (its complaint was resolved by the brand).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// Units standing.
    pub standing: u64,
    /// Units booing.
    pub booing: u64,
    /// All units.
    pub total: u64,
    /// The agent may not boo.
    pub quiet: bool,
}

/// The mutable state of one replicate.
#[derive(Debug, Clone)]
pub struct State {
    /// Current action of every agent (an `Action` byte).
    pub action: Vec<u8>,
    /// Weighted units of each agent's sources standing.
    pub seen_stand: Vec<u32>,
    /// Weighted units of each agent's sources booing.
    pub seen_boo: Vec<u32>,
    /// Weighted units of all of each agent's sources (fixed for the run).
    pub seen_total: Vec<u32>,
    /// Number of agents in each action.
    pub tally: [u64; 3],
    /// Edge visits so far.
    pub edge_visits: u64,
    /// A hash of all actions, updated with every change (for cycle detection).
    pub hash: u64,
    /// Agents kept from booing (their complaint was resolved by the brand); empty when the
    /// scenario has no brand.
    pub quiet: Vec<bool>,
    counts: bool,
    counted: bool,
    unit: UnitWeights,
}

/// How much a source counts for a follower over one edge.
#[derive(Debug, Clone)]
enum UnitWeights {
    /// Every source counts 1.
    Ones,
    /// Fixed point of visibility x edge weight, `scale` units per 1.0.
    Weighted { visibility: Vec<f32>, scale: f64 },
}

/// Agent `i`'s term in [`State::hash`] when its action byte is `action`: the hash of a state
/// is the XOR of its agents' terms, so the XOR of the hashes of disjoint parts of the agents
/// (a partitioned run's workers) is the whole state's hash.
#[inline]
pub fn agent_hash(i: u32, action: u8) -> u64 {
    mix64((u64::from(i) << 2) | u64::from(action))
}

impl State {
    /// The state at step 0: every agent takes its initial action and, with `counts`, its
    /// counts are computed by pulling over its sources (in parallel; **O(n + m)**). Without
    /// `counts` (rules that do not read them) the counts stay empty and nothing is visited.
    pub fn new(graph: &FollowerGraph, agents: &Agents, counts: bool) -> State {
        let n = graph.node_count() as usize;
        let action = agents.initial.clone();
        let unit = if counts && (graph.is_weighted() || agents.has_visibility_weights()) {
            UnitWeights::Weighted {
                visibility: agents.visibility.clone(),
                scale: weight_scale(graph, &agents.visibility),
            }
        } else {
            UnitWeights::Ones
        };
        let len = if counts { n } else { 0 };
        let mut state = State {
            action,
            seen_stand: vec![0; len],
            seen_boo: vec![0; len],
            seen_total: vec![0; len],
            tally: [0; 3],
            edge_visits: 0,
            hash: 0,
            quiet: Vec::new(),
            counts,
            counted: counts,
            unit,
        };
        for (i, &a) in state.action.iter().enumerate() {
            state.tally[a as usize] += 1;
            state.hash ^= agent_hash(i as u32, a);
        }
        if counts {
            state.recount(graph, None);
        }
        state
    }

    /// The state at step 0 with its per-agent counts allocated but not yet computed
    /// ([`State::counted`] is false): for a rule whose first step computes them in its own
    /// pull ([`State::recount_blocks`]). Visits nothing.
    pub fn uncounted(graph: &FollowerGraph, agents: &Agents) -> State {
        let mut state = State::new(graph, agents, false);
        let n = graph.node_count() as usize;
        state.seen_stand = vec![0; n];
        state.seen_boo = vec![0; n];
        state.seen_total = vec![0; n];
        state.counts = true;
        state.counted = false;
        if graph.is_weighted() || agents.has_visibility_weights() {
            state.unit = UnitWeights::Weighted {
                visibility: agents.visibility.clone(),
                scale: weight_scale(graph, &agents.visibility),
            };
        }
        state
    }

    /// Whether the per-agent counts hold the current actions' counts: false only for a state
    /// made by [`State::uncounted`] until its first pull.
    pub fn counted(&self) -> bool {
        self.counted
    }

    /// Whether the state keeps per-agent counts (see [`State::new`]).
    pub fn has_counts(&self) -> bool {
        self.counts
    }

    /// The units source `j` contributes over edge `e` (an index into the adjacency).
    #[inline]
    fn unit(&self, j: u32, edge_weight: Option<f32>) -> u32 {
        self_unit(&self.unit, j, edge_weight)
    }

    /// Recomputes the counts of every agent by pulling over its sources, in parallel chunks
    /// (a full sweep: **O(n + m)** edge visits). With `changed`, marks every agent whose counts
    /// differ from before.
    pub fn recount(&mut self, graph: &FollowerGraph, changed: Option<&mut Vec<bool>>) {
        let action = &self.action;
        let unit = &self.unit;
        let boo_free = self.tally[Action::Boo as usize] == 0;
        let count = |i: u32| pull_counts(graph, unit, action, boo_free, i);
        self.counted = true;
        if serial_pull(graph) {
            let n = self.action.len();
            match changed {
                Some(flags) => {
                    for (i, flag) in flags.iter_mut().enumerate().take(n) {
                        let (st, bo, tot) = count(i as u32);
                        *flag = st != self.seen_stand[i] || bo != self.seen_boo[i];
                        (self.seen_stand[i], self.seen_boo[i], self.seen_total[i]) = (st, bo, tot);
                    }
                }
                None => {
                    for i in 0..n {
                        (self.seen_stand[i], self.seen_boo[i], self.seen_total[i]) =
                            count(i as u32);
                    }
                }
            }
            self.edge_visits += graph.edge_count();
            return;
        }
        let counts = self
            .seen_stand
            .par_iter_mut()
            .zip(self.seen_boo.par_iter_mut())
            .zip(self.seen_total.par_iter_mut())
            .enumerate()
            .with_min_len(4096);
        match changed {
            Some(flags) => {
                counts
                    .zip(flags.par_iter_mut())
                    .for_each(|((i, ((stand, boo), total)), flag)| {
                        let (st, bo, tot) = count(i as u32);
                        *flag = st != *stand || bo != *boo;
                        (*stand, *boo, *total) = (st, bo, tot);
                    })
            }
            None => counts.for_each(|(i, ((stand, boo), total))| {
                (*stand, *boo, *total) = count(i as u32);
            }),
        }
        self.edge_visits += graph.edge_count();
    }

    /// Recounts every agent's counts by pulling over its sources, as [`State::recount`] does
    /// (**O(n + m)** edge visits), and hands each block of up to [`BLOCK`] consecutive agents
    /// to `visit(acc, block)` as soon as the block's new counts are known, while they are in
    /// the L1 cache. Blocks are visited in ascending order within chunks of fixed size, each
    /// chunk with its own accumulator (`T::default()`); the accumulators come back in chunk
    /// order, so concatenating what they collected gives an ascending sequence whatever the
    /// thread count. Small graphs run on the calling thread (one accumulator), large ones in
    /// parallel.
    pub fn recount_blocks<T, F>(&mut self, graph: &FollowerGraph, visit: F) -> Vec<T>
    where
        T: Default + Send,
        F: Fn(&mut T, &Pulled<'_>) + Sync,
    {
        let boo_free = self.tally[Action::Boo as usize] == 0;
        // Unweighted totals are the in-degrees, fixed for the graph: once a count wrote them,
        // a pull leaves them be.
        let write_totals = !self.counted;
        let State {
            action,
            seen_stand,
            seen_boo,
            seen_total,
            quiet,
            unit,
            ..
        } = self;
        let (action, unit, quiet) = (&*action, &*unit, &*quiet);
        let run = |start: usize, stand: &mut [u32], boo: &mut [u32], total: &mut [u32]| -> T {
            let mut acc = T::default();
            let mut prefix = Vec::new();
            let blocks = stand
                .chunks_mut(BLOCK)
                .zip(boo.chunks_mut(BLOCK))
                .zip(total.chunks_mut(BLOCK));
            for (b, ((stand, boo), total)) in blocks.enumerate() {
                let first = start + b * BLOCK;
                let changed = match (unit, boo_free) {
                    (UnitWeights::Ones, true) => pull_block::<false>(
                        graph,
                        action,
                        first,
                        (stand, boo, total),
                        write_totals,
                        &mut prefix,
                    ),
                    (UnitWeights::Ones, false) => pull_block::<true>(
                        graph,
                        action,
                        first,
                        (stand, boo, total),
                        write_totals,
                        &mut prefix,
                    ),
                    (UnitWeights::Weighted { .. }, _) => {
                        let mut changed = 0u64;
                        for (k, ((stand, boo), total)) in stand
                            .iter_mut()
                            .zip(boo.iter_mut())
                            .zip(total.iter_mut())
                            .enumerate()
                        {
                            let (st, bo, tot) =
                                pull_counts(graph, unit, action, boo_free, (first + k) as u32);
                            changed |= u64::from(st != *stand || bo != *boo) << k;
                            (*stand, *boo, *total) = (st, bo, tot);
                        }
                        changed
                    }
                };
                let block = Pulled {
                    first: first as u32,
                    standing: stand,
                    booing: boo,
                    total,
                    changed,
                    action,
                    quiet,
                };
                visit(&mut acc, &block);
            }
            acc
        };
        let out = if serial_pull(graph) {
            vec![run(0, seen_stand, seen_boo, seen_total)]
        } else {
            seen_stand
                .par_chunks_mut(PULL_CHUNK)
                .zip(seen_boo.par_chunks_mut(PULL_CHUNK))
                .zip(seen_total.par_chunks_mut(PULL_CHUNK))
                .enumerate()
                .map(|(c, ((stand, boo), total))| run(c * PULL_CHUNK, stand, boo, total))
                .collect()
        };
        self.edge_visits += graph.edge_count();
        self.counted = true;
        out
    }

    /// Sets agent `i`'s action (tally and hash follow), without touching anyone's counts.
    #[inline]
    pub fn set_action(&mut self, i: u32, new: Action) -> Action {
        let old = self.action[i as usize];
        self.tally[old as usize] -= 1;
        self.tally[new as usize] += 1;
        self.hash ^= agent_hash(i, old) ^ agent_hash(i, new as u8);
        self.action[i as usize] = new as u8;
        Action::from_u8(old)
    }

    /// Pushes a change of source `j` from `old` to `new` to all its followers' counts, calling
    /// `touched` for each follower. Returns the number of followers (edges visited).
    ///
    /// # Panics
    /// When the state keeps no counts: the rule did not declare
    /// [`Rule::needs_counts`](crate::engine::rule::Rule::needs_counts).
    #[inline]
    pub fn push_change(
        &mut self,
        graph: &FollowerGraph,
        j: u32,
        old: Action,
        new: Action,
        mut touched: impl FnMut(u32),
    ) -> u64 {
        assert!(
            self.counts,
            "push_change on a state without counts: the rule must declare needs_counts"
        );
        let adj = graph.follower_adjacency();
        let (a, b) = adj.range(j);
        for e in a..b {
            let f = adj.targets[e];
            let u = self.unit(j, adj.weights.as_ref().map(|w| w[e]));
            self.apply_units(f, old, new, u);
            touched(f);
        }
        let visits = (b - a) as u64;
        self.edge_visits += visits;
        visits
    }

    /// The delayed variant of [`State::push_change`]: calls `deliver(follower, edge index,
    /// units)` for each follower instead of updating its counts now.
    #[inline]
    pub fn for_each_follower(
        &mut self,
        graph: &FollowerGraph,
        j: u32,
        mut deliver: impl FnMut(u32, usize, u32),
    ) -> u64 {
        let adj = graph.follower_adjacency();
        let (a, b) = adj.range(j);
        for e in a..b {
            let u = self.unit(j, adj.weights.as_ref().map(|w| w[e]));
            deliver(adj.targets[e], e, u);
        }
        let visits = (b - a) as u64;
        self.edge_visits += visits;
        visits
    }

    /// Moves `units` of follower `f`'s counts from `old` to `new`.
    #[inline]
    pub fn apply_units(&mut self, f: u32, old: Action, new: Action, units: u32) {
        let f = f as usize;
        match old {
            Action::Stand => self.seen_stand[f] -= units,
            Action::Boo => self.seen_boo[f] -= units,
            Action::Sit => {}
        }
        match new {
            Action::Stand => self.seen_stand[f] += units,
            Action::Boo => self.seen_boo[f] += units,
            Action::Sit => {}
        }
    }

    /// Agent `i`'s current action.
    #[inline]
    pub fn current(&self, i: u32) -> Action {
        Action::from_u8(self.action[i as usize])
    }

    /// What agent `i` sees now.
    #[inline]
    pub fn seen(&self, i: u32) -> Seen {
        let idx = i as usize;
        Seen {
            standing: u64::from(self.seen_stand[idx]),
            booing: u64::from(self.seen_boo[idx]),
            total: u64::from(self.seen_total[idx]),
            quiet: self.quiet.get(idx).copied().unwrap_or(false),
        }
    }
}

/// Agents per block of [`State::recount_blocks`]: one bit each in [`Pulled::changed`].
pub const BLOCK: usize = 64;

/// A block of up to [`BLOCK`] consecutive agents whose counts a pull has just recomputed
/// ([`State::recount_blocks`]).
#[derive(Debug)]
pub struct Pulled<'a> {
    /// The first agent's id; the block holds agents `first .. first + standing.len()`.
    pub first: u32,
    /// Units of each agent's sources standing.
    pub standing: &'a [u32],
    /// Units of each agent's sources booing.
    pub booing: &'a [u32],
    /// Units of all each agent's sources.
    pub total: &'a [u32],
    /// Bit `k` set when agent `first + k`'s standing or booing units differ from before.
    pub changed: u64,
    /// Every agent's action (indexed by agent id; unchanged by the pull).
    pub action: &'a [u8],
    /// Agents kept from booing (empty without a brand), indexed by agent id.
    pub quiet: &'a [bool],
}

impl Pulled<'_> {
    /// What agent `first + k` sees now.
    #[inline(always)]
    pub fn seen(&self, k: usize) -> Seen {
        Seen {
            standing: u64::from(self.standing[k]),
            booing: u64::from(self.booing[k]),
            total: u64::from(self.total[k]),
            quiet: self
                .quiet
                .get(self.first as usize + k)
                .copied()
                .unwrap_or(false),
        }
    }
}

/// Agents per task of a parallel pull (fixed, so the split never depends on the thread count).
const PULL_CHUNK: usize = 4096;

/// A block's edges up to which [`pull_block`] counts in one flat pass over the edges.
const FLAT_EDGES: usize = 8192;

/// Recounts the unweighted counts of the block of agents starting at `first` into `stand`,
/// `boo` and `total`; returns the mask of agents whose standing or booing counts changed.
/// When the block's edges are few enough, one flat pass over them keeps running sums in
/// `prefix` (one per edge; wrapping, so a row's count is the exact difference of two of them)
/// and every row's count is a difference: no loop per agent, so no mispredicted loop exit per
/// agent. `BOO`: someone may boo (bytes 0, 1, 2; the running sums pack standing in the low
/// and booing in the high 32 bits), else bytes are 0 or 1 and their sum is the standing count.
/// `write_totals`: write the totals (the in-degrees) too; false once an earlier count wrote
/// them, since they never change.
#[inline(always)]
fn pull_block<const BOO: bool>(
    graph: &FollowerGraph,
    action: &[u8],
    first: usize,
    (stand, boo, total): (&mut [u32], &mut [u32], &mut [u32]),
    write_totals: bool,
    prefix: &mut Vec<u64>,
) -> u64 {
    let adj = graph.source_adjacency();
    let offsets = &adj.offsets[first..=first + stand.len()];
    let (e0, e1) = (offsets[0] as usize, offsets[stand.len()] as usize);
    let mut changed = 0u64;
    if e1 - e0 > FLAT_EDGES {
        for (k, ((stand, boo), total)) in stand
            .iter_mut()
            .zip(boo.iter_mut())
            .zip(total.iter_mut())
            .enumerate()
        {
            let (a, b) = (offsets[k] as usize, offsets[k + 1] as usize);
            let (st, bo) = count_ones(&adj.targets[a..b], action, !BOO);
            changed |= u64::from(st != *stand || bo != *boo) << k;
            (*stand, *boo) = (st, bo);
            if write_totals {
                *total = (b - a) as u32;
            }
        }
        return changed;
    }
    prefix.clear();
    prefix.resize(e1 - e0 + 1, 0);
    let mut sum = 0u64;
    for (&j, p) in adj.targets[e0..e1].iter().zip(&mut prefix[1..]) {
        let x = u64::from(action[j as usize]);
        sum = sum.wrapping_add(if BOO { (x & 1) | ((x >> 1) << 32) } else { x });
        *p = sum;
    }
    if write_totals {
        for (k, total) in total.iter_mut().enumerate() {
            *total = (offsets[k + 1] - offsets[k]) as u32;
        }
    }
    for (k, (stand, boo)) in stand.iter_mut().zip(boo.iter_mut()).enumerate() {
        let (a, b) = (offsets[k] as usize - e0, offsets[k + 1] as usize - e0);
        let d = prefix[b].wrapping_sub(prefix[a]);
        let (st, bo) = (d as u32, (d >> 32) as u32);
        changed |= u64::from(st != *stand || bo != *boo) << k;
        (*stand, *boo) = (st, bo);
    }
    changed
}

/// Pulls over fewer edges than this run on the calling thread: handing so little work to
/// rayon's pool costs more than it saves. Counts are exact integers, so the cutover changes
/// only the cost, never a count.
const SERIAL_PULL_EDGES: u64 = 1 << 18;

/// Whether a pull over `graph` runs on the calling thread (see [`SERIAL_PULL_EDGES`]).
fn serial_pull(graph: &FollowerGraph) -> bool {
    graph.edge_count() < SERIAL_PULL_EDGES || rayon::current_num_threads() == 1
}

/// Unweighted counts of `sources` standing and booing. Branch-free: an agent's sources are in
/// random actions, so a branch per edge would be mispredicted half the time; with the action
/// bytes `Sit = 0`, `Stand = 1`, `Boo = 2`, bit 0 is standing and bit 1 booing. With
/// `boo_free` (nobody boos, so every byte is 0 or 1) the standing count is the bytes' sum.
#[inline(always)]
fn count_ones(sources: &[u32], action: &[u8], boo_free: bool) -> (u32, u32) {
    const _: () = assert!(Action::Sit as u8 == 0 && Action::Stand as u8 == 1);
    const _: () = assert!(Action::Boo as u8 == 2);
    if boo_free {
        let st = sources.iter().map(|&j| u32::from(action[j as usize])).sum();
        return (st, 0);
    }
    let (mut st, mut bo) = (0u32, 0u32);
    for &j in sources {
        let x = u32::from(action[j as usize]);
        st += x & 1;
        bo += x >> 1;
    }
    (st, bo)
}

/// Agent `i`'s (weighted) units of sources standing, booing and in all, pulled over its
/// sources.
#[inline(always)]
fn pull_counts(
    graph: &FollowerGraph,
    unit: &UnitWeights,
    action: &[u8],
    boo_free: bool,
    i: u32,
) -> (u32, u32, u32) {
    let adj = graph.source_adjacency();
    let (a, b) = adj.range(i);
    match unit {
        UnitWeights::Ones => {
            let (st, bo) = count_ones(&adj.targets[a..b], action, boo_free);
            (st, bo, (b - a) as u32)
        }
        UnitWeights::Weighted { .. } => {
            let (mut st, mut bo, mut tot) = (0u32, 0u32, 0u32);
            for e in a..b {
                let j = adj.targets[e];
                let u = self_unit(unit, j, adj.weights.as_ref().map(|w| w[e]));
                let x = action[j as usize];
                tot += u;
                st += u * u32::from(x == Action::Stand as u8);
                bo += u * u32::from(x == Action::Boo as u8);
            }
            (st, bo, tot)
        }
    }
}

/// The units source `j` contributes over an edge of weight `edge_weight`.
#[inline]
fn self_unit(unit: &UnitWeights, j: u32, edge_weight: Option<f32>) -> u32 {
    match unit {
        UnitWeights::Ones => 1,
        UnitWeights::Weighted { visibility, scale } => {
            let w = f64::from(visibility[j as usize]) * f64::from(edge_weight.unwrap_or(1.0));
            (w * scale).round().max(0.0) as u32
        }
    }
}

/// The fixed-point scale for weighted counts: at most [`WEIGHT_SCALE`], and small enough that
/// the largest weighted in-degree fits a `u32`.
fn weight_scale(graph: &FollowerGraph, visibility: &[f32]) -> f64 {
    let adj = graph.source_adjacency();
    let largest = (0..graph.node_count())
        .into_par_iter()
        .map(|i| {
            let (a, b) = adj.range(i);
            (a..b)
                .map(|e| {
                    let w = adj.weights.as_ref().map_or(1.0, |w| f64::from(w[e]));
                    f64::from(visibility[adj.targets[e] as usize]) * w.max(0.0)
                })
                .sum::<f64>()
        })
        .reduce(|| 0.0, f64::max);
    if largest * WEIGHT_SCALE < f64::from(u32::MAX) {
        WEIGHT_SCALE
    } else {
        (f64::from(u32::MAX) / largest).floor().max(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::BuildOptions;
    use crate::model::ClassSpec;
    use crate::rng::replicate_key;

    #[test]
    fn pushed_counts_equal_a_full_recount() {
        let edges: Vec<(u32, u32)> = (0..400u32).map(|k| (k % 40, (k * 17 + 3) % 40)).collect();
        let g = FollowerGraph::from_edges(40, edges, None, BuildOptions::default());
        let class: ClassSpec = toml::from_str(
            "noise = { dist = \"uniform\", low = -0.5, high = 0.5 }\n\
             visibility = { dist = \"uniform\", low = 0.5, high = 2.0 }",
        )
        .expect("valid class");
        let agents = Agents::sample(40, &[class], 0.5, replicate_key(1, 0));
        let mut s = State::new(&g, &agents, true);
        for j in [3u32, 7, 3, 11] {
            let new = if s.current(j) == Action::Stand {
                Action::Sit
            } else {
                Action::Stand
            };
            let old = s.set_action(j, new);
            s.push_change(&g, j, old, new, |_| {});
        }
        let mut fresh = s.clone();
        let mut flags = vec![false; 40];
        fresh.recount(&g, Some(&mut flags));
        assert_eq!(s.seen_stand, fresh.seen_stand);
        assert_eq!(s.seen_boo, fresh.seen_boo);
        assert!(flags.iter().all(|&f| !f));
    }
}
