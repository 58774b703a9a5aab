//! Bit-parallel independent cascade and linear threshold: 64 replicates (one **block**)
//! advance together in one traversal of the graph, one bit per replicate (**lane**) in a
//! machine word, for Monte Carlo spread estimates (`ovation bench peer-mc --engine bitpar`,
//! the `ic_mc_bitpar` and `lt_mc_bitpar` workloads of `ovation bench`, CELF's spread
//! estimates).
//!
//! # Draws
//!
//! Lane `l` draws with its own replicate key. Under the independent cascade with a constant
//! probability the successes of agent `u`'s row are drawn by geometric skipping from the
//! words `row_word(key_l, u, j)` ([`crate::rng::rows`]), with per-edge probabilities the trial
//! of follower edge `e` succeeds when `edge_word(key_l, e) < threshold32(p_uv)`
//! ([`crate::rng::lanes`]): exactly the engine's and the spread simulator's draw for that
//! replicate (`crate::engine::rules::cascade`, [`super::spread::Simulator`]); under the linear
//! threshold agent `v`'s threshold is `lt_threshold(key_l, v)` and the weights the scalar
//! rule's integer units (the kernel is in `lt`). So every lane's final active set is its
//! scalar replicate's, tests check it lane by lane, and the means of `--engine scalar` and
//! `bitpar` are equal, not only within Monte Carlo error.
//!
//! # Independent cascade kernel
//!
//! Per agent, `active` and `fresh` hold the lanes in which it is active and in which it was
//! activated since it last fired. A round walks the frontier (in ascending agent order when it
//! is dense, so the follower rows and the lane masks are read in memory order; a sparse one
//! unsorted, its rows and masks prefetched ahead) and, for the row of an agent firing in the
//! lanes `fire`, draws the trials of those lanes first (`engine::batch::draw_row`: under a
//! constant probability the rows' first gap words, [`LaneKeys::rows_hit`], then the gaps of
//! the lanes with a success; under per-edge probabilities each edge's words,
//! [`LaneKeys::trial`]; lane by lane when few are open, all 64 with one vectorised call when
//! many are) and reads a follower's mask only when a trial succeeded. Each (edge, lane) is
//! tried at most once, as in the scalar cascade; an agent activated in more lanes before it
//! fires fires for all of them at once (the rows of agents reached in several lanes are read
//! once). An agent reached during the round in which it fires anyway may fire in that round
//! for its new lanes too (earlier than the synchronous step): the final active sets are the
//! reachable sets over each lane's live edges either way, which is all this module returns.
//! The linear threshold kernel walks the graph the same way, with per-lane countdowns of the
//! units an agent still misses kept as bit-sliced counters (`engine::batch::sliced`); its
//! module doc argues why its final sets do not depend on the order either.

use crate::engine::RuleSpec;
use crate::engine::batch::{draw_row, prefetch, prefetch_frontier};
use crate::engine::rules::cascade::IcProbs;
use crate::graph::FollowerGraph;
use crate::model::cascade::EdgeProbability;
use crate::rng::{LaneKeys, RowGaps, replicate_key};

mod lt;

/// Replicates per block: the bits of a `u64`.
pub const LANES: u32 = 64;

/// The keys of replicates `64 block ..` below `samples` under `seed` (the engine's replicate
/// keys, [`replicate_key`]).
pub fn block_keys(seed: u64, block: u32, samples: u32) -> LaneKeys {
    let first = block * LANES;
    let keys: Vec<u64> = (first..samples.min(first + LANES))
        .map(|r| replicate_key(seed, u64::from(r)))
        .collect();
    LaneKeys::new(&keys)
}

/// How many frontier agents ahead the kernel prefetches follower rows (and twice as far their
/// row offsets and masks).
const AHEAD: usize = 8;

/// Reusable buffers for blocks of 64 independent cascade or linear threshold replicates on one
/// graph.
pub struct BlockSimulator<'g> {
    kernel: Kernel<'g>,
}

/// The rule's kernel.
enum Kernel<'g> {
    Ic(IcBlock<'g>),
    Lt(lt::LtBlock<'g>),
}

impl<'g> BlockSimulator<'g> {
    /// A simulator of `rule` (independent cascade or linear threshold) on `graph`; `Err` names
    /// any other rule.
    pub fn new(graph: &'g FollowerGraph, rule: &RuleSpec) -> Result<BlockSimulator<'g>, String> {
        let kernel = match rule {
            RuleSpec::IndependentCascade(p) => Kernel::Ic(IcBlock::new(graph, p.probability)),
            RuleSpec::LinearThreshold(p) => Kernel::Lt(lt::LtBlock::new(graph, p)),
            other => {
                return Err(format!(
                    "the bit-parallel engine runs rules \"independent_cascade\" and \
                     \"linear_threshold\", found rule \"{}\"",
                    other.name()
                ));
            }
        };
        Ok(BlockSimulator { kernel })
    }

    /// Final active counts (seeds included) of the lanes of `keys` (others count 0) when
    /// `seeds` start active: lane `l`'s count is the scalar replicate's of key `l`
    /// ([`super::spread::Simulator::spread`]). Costs **O(edges out of the agents reached in
    /// any lane)** word operations (times the counters' width under the linear threshold).
    pub fn block(&mut self, seeds: &[u32], keys: &LaneKeys) -> [u32; 64] {
        match &mut self.kernel {
            Kernel::Ic(k) => k.block(seeds, keys),
            Kernel::Lt(k) => k.block(seeds, keys),
        }
    }
}

/// Per-lane final active counts from the agents' `[active, _]` masks of the `touched` agents,
/// clearing both (the masks to zero, `touched` to empty).
fn final_counts(masks: &mut [[u64; 2]], touched: &mut Vec<u32>) -> [u32; 64] {
    let mut counts = [0u32; 64];
    // Agents active in every lane (the seeds, at least) are counted once, below.
    let mut everywhere = 0u32;
    for i in 0..touched.len() {
        if let Some(&w) = touched.get(i + 2 * AHEAD) {
            prefetch(masks, w as usize);
        }
        let mut m = std::mem::take(&mut masks[touched[i] as usize])[0];
        if m == u64::MAX {
            everywhere += 1;
            continue;
        }
        while m != 0 {
            counts[m.trailing_zeros() as usize] += 1;
            m &= m - 1;
        }
    }
    for c in &mut counts {
        *c += everywhere;
    }
    touched.clear();
    counts
}

/// The independent cascade kernel walks a frontier in ascending order only when it holds more
/// than one agent in this many.
const SORT_FROM: usize = 32;

/// The independent cascade's kernel: reusable buffers for blocks of 64 replicates.
struct IcBlock<'g> {
    graph: &'g FollowerGraph,
    probs: IcProbs<'g>,
    /// The row draws when the probability is the same on every edge.
    gaps: Option<RowGaps>,
    /// Per agent: `[active, fresh]`, the lanes in which it is active and those in which it was
    /// activated and has not fired yet (side by side: one cache line holds both).
    masks: Vec<[u64; 2]>,
    /// Agents active in some lane of this block (to count and reset).
    touched: Vec<u32>,
    frontier: Vec<u32>,
    next: Vec<u32>,
    /// One row's successful trials: (follower, lanes).
    wins: Vec<(u32, u64)>,
}

impl<'g> IcBlock<'g> {
    /// The kernel of edge probabilities `probability` on `graph`.
    fn new(graph: &'g FollowerGraph, probability: EdgeProbability) -> IcBlock<'g> {
        let n = graph.node_count() as usize;
        let probs = IcProbs::new(graph, probability);
        let gaps = probs.row_gaps();
        IcBlock {
            graph,
            probs,
            gaps,
            masks: vec![[0; 2]; n],
            touched: Vec::new(),
            frontier: Vec::new(),
            next: Vec::new(),
            wins: Vec::new(),
        }
    }

    /// [`BlockSimulator::block`], each edge's trials drawn once per round for all the lanes
    /// that fire it.
    fn block(&mut self, seeds: &[u32], keys: &LaneKeys) -> [u32; 64] {
        let lanes = keys.lanes();
        let adj = self.graph.follower_adjacency();
        let masks = &mut self.masks;
        let mut frontier = std::mem::take(&mut self.frontier);
        let mut next = std::mem::take(&mut self.next);
        let mut wins = std::mem::take(&mut self.wins);
        frontier.clear();
        for &s in seeds {
            let s = s as usize;
            if masks[s][0] == 0 {
                self.touched.push(s as u32);
                frontier.push(s as u32);
            }
            masks[s] = [lanes, lanes];
        }
        frontier.sort_unstable();
        while !frontier.is_empty() {
            next.clear();
            for i in 0..frontier.len() {
                prefetch_frontier(adj, masks, &frontier, i);
                let u = frontier[i] as usize;
                let fire = std::mem::take(&mut masks[u][1]);
                if fire == 0 {
                    continue;
                }
                let (a, b) = adj.range(u as u32);
                draw_row(
                    keys,
                    &self.probs,
                    self.gaps.as_ref(),
                    u as u32,
                    &adj.targets,
                    a..b,
                    fire,
                    masks,
                    &mut wins,
                );
                for &(v, won) in &wins {
                    let m = &mut masks[v as usize];
                    let new = won & !m[0];
                    if new == 0 {
                        continue;
                    }
                    if m[0] == 0 {
                        self.touched.push(v);
                    }
                    if m[1] == 0 {
                        next.push(v);
                    }
                    m[0] |= new;
                    m[1] |= new;
                }
            }
            // Sorted only when dense: a sparse frontier's agents share no cache lines, and the
            // rows and masks are prefetched ahead anyway.
            if next.len() > masks.len() / SORT_FROM {
                next.sort_unstable();
            }
            std::mem::swap(&mut frontier, &mut next);
        }
        let counts = final_counts(masks, &mut self.touched);
        self.frontier = frontier;
        self.next = next;
        self.wins = wins;
        counts
    }
}

/// Final active counts of replicates `0..samples` of `rule` (independent cascade) from `seeds`,
/// keyed by `seed` as the engine keys them, 64 at a time: (sum, sum of squares), integers, the
/// same for any thread count (blocks are split into fixed contiguous chunks over the worker
/// threads) and the same as the scalar replicates' (`bench::peer_mc::totals`).
pub fn totals(
    graph: &FollowerGraph,
    rule: &RuleSpec,
    seeds: &[u32],
    seed: u64,
    samples: u32,
) -> Result<(u64, u128), String> {
    use rayon::prelude::*;
    let blocks = samples.div_ceil(LANES);
    let threads = rayon::current_num_threads().max(1) as u32;
    let chunk = blocks.div_ceil(threads).max(1);
    let starts: Vec<u32> = (0..blocks).step_by(chunk as usize).collect();
    let parts: Result<Vec<(u64, u128)>, String> = starts
        .par_iter()
        .map(|&a| {
            let mut sim = BlockSimulator::new(graph, rule)?;
            let (mut s, mut s2) = (0u64, 0u128);
            for b in a..(a + chunk).min(blocks) {
                for x in sim.block(seeds, &block_keys(seed, b, samples)) {
                    s += u64::from(x);
                    s2 += u128::from(x) * u128::from(x);
                }
            }
            Ok((s, s2))
        })
        .collect();
    Ok(parts?
        .into_iter()
        .fold((0, 0), |(a, b), (c, d)| (a + c, b + d)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::BuildOptions;
    use crate::graph::generators::{GeneratorSpec, generate};
    use crate::model::cascade::{IndependentCascadeParams, LinearThresholdParams, LtWeights};
    use crate::strategy::spread::Simulator;

    fn ic(p: EdgeProbability) -> RuleSpec {
        RuleSpec::IndependentCascade(IndependentCascadeParams { probability: p })
    }

    #[test]
    fn every_lane_equals_its_scalar_replicate() {
        let g = generate(&GeneratorSpec::BarabasiAlbert { n: 3000, m: 4 }, 3).expect("graph");
        let seeds = [0u32, 17, 500, 2999, 17];
        for (rule, samples) in [
            (ic(EdgeProbability::Constant(0.12)), 130u32),
            (ic(EdgeProbability::InverseInDegree), 64),
            (ic(EdgeProbability::Constant(1.0)), 3),
        ] {
            let mut block = BlockSimulator::new(&g, &rule).expect("ic");
            let mut scalar = Simulator::new(&g, &rule).expect("ic");
            let (mut sum, mut sq) = (0u64, 0u128);
            let mut distinct = std::collections::BTreeSet::new();
            for b in 0..samples.div_ceil(LANES) {
                let keys = block_keys(9, b, samples);
                let counts = block.block(&seeds, &keys);
                for l in 0..LANES {
                    let r = b * LANES + l;
                    if r >= samples {
                        assert_eq!(counts[l as usize], 0);
                        continue;
                    }
                    let x = scalar.spread(&seeds, replicate_key(9, u64::from(r)));
                    assert_eq!(counts[l as usize], x, "block {b} lane {l}");
                    distinct.insert(x);
                    sum += u64::from(x);
                    sq += u128::from(x) * u128::from(x);
                }
            }
            if samples > 3 {
                // Replicates differ (a cascade that is not degenerate).
                assert!(distinct.len() > 5, "{distinct:?}");
            }
            for threads in [1, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .expect("pool");
                let t = pool.install(|| totals(&g, &rule, &seeds, 9, samples).expect("ic"));
                assert_eq!(t, (sum, sq));
            }
        }
    }

    /// Checks every lane of `blocks` blocks (keys `block_keys(seed, b, samples)`) of `rule`
    /// from `seeds` against the scalar spread simulator and the totals against those lanes'
    /// sums on 1 and 3 threads; returns the distinct final counts seen.
    fn check_lanes(
        g: &FollowerGraph,
        rule: &RuleSpec,
        seeds: &[u32],
        seed: u64,
        samples: u32,
    ) -> std::collections::BTreeSet<u32> {
        let mut block = BlockSimulator::new(g, rule).expect("bit-parallel rule");
        let mut scalar = Simulator::new(g, rule).expect("spread rule");
        let (mut sum, mut sq) = (0u64, 0u128);
        let mut distinct = std::collections::BTreeSet::new();
        for b in 0..samples.div_ceil(LANES) {
            let keys = block_keys(seed, b, samples);
            let counts = block.block(seeds, &keys);
            for l in 0..LANES {
                let r = b * LANES + l;
                if r >= samples {
                    assert_eq!(counts[l as usize], 0);
                    continue;
                }
                let x = scalar.spread(seeds, replicate_key(seed, u64::from(r)));
                assert_eq!(counts[l as usize], x, "seed {seed} block {b} lane {l}");
                distinct.insert(x);
                sum += u64::from(x);
                sq += u128::from(x) * u128::from(x);
            }
        }
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            let t = pool.install(|| totals(g, rule, seeds, seed, samples).expect("rule"));
            assert_eq!(t, (sum, sq));
        }
        distinct
    }

    fn lt(weights: LtWeights) -> RuleSpec {
        RuleSpec::LinearThreshold(LinearThresholdParams { weights })
    }

    #[test]
    fn linear_threshold_lanes_equal_their_scalar_replicates_on_a_ba_graph() {
        // Uniform weights: per-lane counts of active sources against d_in-based needs.
        let g = generate(&GeneratorSpec::BarabasiAlbert { n: 3000, m: 4 }, 3).expect("graph");
        let rule = lt(LtWeights::Uniform);
        for (seeds, seed, samples) in [
            // Not the oldest agents: every agent follows older ones only, so seeding those
            // sweeps the whole graph in every lane.
            (vec![500u32, 1717, 2999, 1717], 9u64, 130u32),
            ((100..3000).step_by(50).collect::<Vec<u32>>(), 123, 64),
            (vec![5], 4, 3),
        ] {
            let distinct = check_lanes(&g, &rule, &seeds, seed, samples);
            if samples > 3 {
                // Replicates differ: the cascades are not all stuck at the seeds.
                assert!(distinct.len() > 5, "{distinct:?}");
            }
        }
    }

    #[test]
    fn linear_threshold_lanes_equal_their_scalar_replicates_with_edge_weights() {
        // The BA graph's edges weighted by an arbitrary positive share of each agent's
        // incoming weight, summing to 0.3 per agent (so lanes with theta above it can never
        // activate, and those above 0.5 need more than the counter holds)
        // or exactly 1 (rounded as f32).
        let base = generate(&GeneratorSpec::BarabasiAlbert { n: 2000, m: 3 }, 5).expect("graph");
        let mut edges = Vec::new();
        for u in 0..base.node_count() {
            for &v in base.followers(u) {
                edges.push((u, v));
            }
        }
        for total in [0.3f64, 1.0] {
            let raw: Vec<f64> = edges
                .iter()
                .map(|&(u, v)| f64::from((u * 7 + v * 13) % 10 + 1))
                .collect();
            let mut sums = vec![0f64; base.node_count() as usize];
            for (&(_, v), &r) in edges.iter().zip(&raw) {
                sums[v as usize] += r;
            }
            let weights: Vec<f32> = edges
                .iter()
                .zip(&raw)
                .map(|(&(_, v), &r)| (total * r / sums[v as usize]) as f32)
                .collect();
            let g = FollowerGraph::from_edges(
                base.node_count(),
                edges.clone(),
                Some(weights),
                BuildOptions::default(),
            );
            let rule = lt(LtWeights::EdgeWeights);
            let seeds: Vec<u32> = (500..2000).step_by(40).collect();
            let distinct = check_lanes(&g, &rule, &seeds, 77, 100);
            assert!(distinct.len() > 5, "{distinct:?}");
        }
    }

    #[test]
    fn linear_threshold_on_a_star_activates_the_hub_with_its_threshold_share() {
        // The hub 0 follows 200 leaves and they follow it back: with leaves 1..=50 seeded, the
        // hub activates in a lane iff 50/200 >= theta (probability 1/4), and then every leaf
        // (each has the hub as its only source): final counts 50 or 201 only.
        let mut edges: Vec<(u32, u32)> = (1..=200).map(|l| (l, 0)).collect();
        edges.extend((1..=200).map(|l| (0, l)));
        let g = FollowerGraph::from_edges(201, edges, None, BuildOptions::default());
        let seeds: Vec<u32> = (1..=50).collect();
        let distinct = check_lanes(&g, &lt(LtWeights::Uniform), &seeds, 31, 640);
        assert_eq!(distinct, [50u32, 201].into_iter().collect());
        let (sum, _) = totals(&g, &lt(LtWeights::Uniform), &seeds, 31, 640).expect("lt");
        // Share of the 640 lanes in which the hub activated: Binomial(640, 1/4)/640 has
        // standard error sqrt(0.25 * 0.75 / 640) = 0.017; 4 of them is 0.068.
        let share = (sum as f64 / 640.0 - 50.0) / 151.0;
        assert!((share - 0.25).abs() < 0.068, "share {share}");
    }

    #[test]
    fn other_rules_are_refused_by_name() {
        let g = generate(&GeneratorSpec::Complete { n: 3 }, 1).expect("graph");
        let rule = RuleSpec::Voter(crate::model::voter::VoterParams {
            update: Default::default(),
            process: Default::default(),
        });
        let err = BlockSimulator::new(&g, &rule).err().expect("refused");
        assert!(err.contains("found rule \"voter\""), "{err}");
    }
}
