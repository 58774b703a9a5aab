//! Bit-parallel independent cascade: 64 replicates (one **block**) advance together in one
//! traversal of the graph, one bit per replicate (**lane**) in a machine word, for the Monte
//! Carlo spread estimates of `ovation bench peer-mc --engine bitpar`.
//!
//! # Keying
//!
//! Lane `l` of block `b` is replicate `64 b + l`. The trial of follower edge `e` in block `b`
//! reads the stream `(block_key(seed, b), EdgeLanes, e >> 32, e & 0xffff_ffff)`: its word `j`
//! holds bit `j` (most significant first) of all 64 lanes' uniforms, lane `l` in bit `l`. A
//! lane's trial succeeds when its 64-bit uniform is below the edge's probability in 64-bit fixed
//! point, decided bit-serially: at the first word where the lane's bit differs from the
//! probability's, it is below (bit 0 against 1) or above. All 64 lanes are decided together in
//! about `log2(64) + 2` words, where 64 scalar replicates draw 64 uniforms; the scalar lane
//! simulator ([`LaneSimulator`]) reads its own bit of the same words, so both give every
//! replicate the same live edges and hence the same final active set (a test checks it, lane by
//! lane).
//!
//! Each edge is tried at most once per replicate (an agent fires once), so keying by edge
//! instead of (step, source) changes no distribution: the cascade is the independent cascade of
//! Kempe, Kleinberg and Tardos (2003), and a replicate's final active set is the set reachable
//! from the seeds over its live edges. These replicates are not the engine's (whose trials are
//! keyed by step and source, `crate::engine::rules::cascade`): their means agree within Monte
//! Carlo error, not draw for draw.

use crate::engine::RuleSpec;
use crate::engine::rules::cascade::IcProbs;
use crate::graph::FollowerGraph;
use crate::rng::{Purpose, Stream, replicate_key};

/// Replicates per block: the bits of a `u64`.
pub const LANES: u32 = 64;

/// The key of block `block` under `seed` (the replicate key of index `block`; the purpose
/// `EdgeLanes` keeps its streams apart from the engine's).
pub fn block_key(seed: u64, block: u64) -> u64 {
    replicate_key(seed, block)
}

/// An edge probability in 64-bit fixed point: a trial succeeds when the lane's 64-bit uniform
/// is below `Some(x)`; `None` means always (probability 1 or more).
fn fixed(p: f64) -> Option<u64> {
    if p >= 1.0 {
        None
    } else if p > 0.0 {
        // p < 1, so p * 2^64 < 2^64 (exact scaling by a power of two, then truncation).
        Some((p * 18_446_744_073_709_551_616.0) as u64)
    } else {
        Some(0)
    }
}

/// The stream of edge `e`'s trials in the block keyed `key`.
#[inline]
fn edge_stream(key: u64, e: usize) -> Stream {
    let e = e as u64;
    Stream::new(key, Purpose::EdgeLanes, (e >> 32) as u32, e as u32)
}

/// The lanes of `lanes` whose trial of edge `e` succeeds, for probability `p` (fixed point).
#[inline]
fn trial_lanes(key: u64, e: usize, p: Option<u64>, lanes: u64) -> u64 {
    let p = match p {
        None => return lanes,
        Some(0) => return 0,
        Some(p) => p,
    };
    let mut words = edge_stream(key, e);
    let (mut open, mut below) = (lanes, 0u64);
    for j in (0..64).rev() {
        let w = words.next_u64_raw();
        if (p >> j) & 1 == 1 {
            // The probability has a 1 here: a lane with a 0 is below it.
            below |= open & !w;
            open &= w;
        } else {
            // A 0: a lane with a 1 is above it.
            open &= !w;
        }
        if open == 0 {
            break;
        }
    }
    below
}

/// Whether lane `lane`'s trial of edge `e` succeeds: [`trial_lanes`] for one lane, reading its
/// bit of the same words.
#[inline]
fn trial_lane(key: u64, e: usize, p: Option<u64>, lane: u32) -> bool {
    let p = match p {
        None => return true,
        Some(0) => return false,
        Some(p) => p,
    };
    let mut words = edge_stream(key, e);
    for j in (0..64).rev() {
        let bit = (words.next_u64_raw() >> lane) & 1;
        let pb = (p >> j) & 1;
        if bit != pb {
            return bit < pb;
        }
    }
    false
}

/// The independent cascade's edge probabilities, or an error naming the rule.
fn ic_probs<'g>(graph: &'g FollowerGraph, rule: &RuleSpec) -> Result<IcProbs<'g>, String> {
    match rule {
        RuleSpec::IndependentCascade(p) => Ok(IcProbs::new(graph, p.probability)),
        other => Err(format!(
            "the bit-parallel engine runs rule \"independent_cascade\", found rule \"{}\"",
            other.name()
        )),
    }
}

/// Reusable buffers for blocks of 64 independent cascade replicates on one graph.
pub struct BlockSimulator<'g> {
    graph: &'g FollowerGraph,
    probs: IcProbs<'g>,
    /// Per agent: the lanes in which it is active.
    active: Vec<u64>,
    /// Per agent: the lanes in which it became active in the last round (to fire now).
    fresh: Vec<u64>,
    /// Agents touched in this block (to reset and count).
    touched: Vec<u32>,
    frontier: Vec<u32>,
    next: Vec<u32>,
}

impl<'g> BlockSimulator<'g> {
    /// A simulator of `rule` (independent cascade only) on `graph`.
    pub fn new(graph: &'g FollowerGraph, rule: &RuleSpec) -> Result<BlockSimulator<'g>, String> {
        let n = graph.node_count() as usize;
        Ok(BlockSimulator {
            graph,
            probs: ic_probs(graph, rule)?,
            active: vec![0; n],
            fresh: vec![0; n],
            touched: Vec::new(),
            frontier: Vec::new(),
            next: Vec::new(),
        })
    }

    /// Final active counts (seeds included) of the lanes `lanes` (a mask; others count 0) of
    /// the block keyed `key` when `seeds` start active. Costs **O(edges out of the agents
    /// reached in any lane)**, each tried once per round for all the lanes that reach it.
    pub fn block(&mut self, seeds: &[u32], key: u64, lanes: u64) -> [u32; 64] {
        let adj = self.graph.follower_adjacency();
        let mut frontier = std::mem::take(&mut self.frontier);
        let mut next = std::mem::take(&mut self.next);
        frontier.clear();
        for &s in seeds {
            let s = s as usize;
            if self.active[s] == 0 {
                self.touched.push(s as u32);
                frontier.push(s as u32);
            }
            self.active[s] = lanes;
            self.fresh[s] = lanes;
        }
        while !frontier.is_empty() {
            next.clear();
            for &u in &frontier {
                let fire = std::mem::take(&mut self.fresh[u as usize]);
                let (a, b) = adj.range(u);
                for e in a..b {
                    let v = adj.targets[e] as usize;
                    let open = fire & !self.active[v];
                    if open == 0 {
                        continue;
                    }
                    let won = trial_lanes(key, e, fixed(self.probs.prob(e, v as u32)), open);
                    if won != 0 {
                        if self.active[v] == 0 {
                            self.touched.push(v as u32);
                        }
                        if self.fresh[v] == 0 {
                            next.push(v as u32);
                        }
                        self.active[v] |= won;
                        self.fresh[v] |= won;
                    }
                }
            }
            std::mem::swap(&mut frontier, &mut next);
        }
        let mut counts = [0u32; 64];
        for &v in &self.touched {
            let mut m = std::mem::take(&mut self.active[v as usize]);
            self.fresh[v as usize] = 0;
            while m != 0 {
                counts[m.trailing_zeros() as usize] += 1;
                m &= m - 1;
            }
        }
        self.touched.clear();
        self.frontier = frontier;
        self.next = next;
        counts
    }
}

/// One lane of a block at a time, reading its own bit of the block's words: the scalar
/// reference of [`BlockSimulator`], which it equals lane by lane.
pub struct LaneSimulator<'g> {
    graph: &'g FollowerGraph,
    probs: IcProbs<'g>,
    active: Vec<bool>,
    touched: Vec<u32>,
    frontier: Vec<u32>,
    next: Vec<u32>,
}

impl<'g> LaneSimulator<'g> {
    /// A simulator of `rule` (independent cascade only) on `graph`.
    pub fn new(graph: &'g FollowerGraph, rule: &RuleSpec) -> Result<LaneSimulator<'g>, String> {
        Ok(LaneSimulator {
            graph,
            probs: ic_probs(graph, rule)?,
            active: vec![false; graph.node_count() as usize],
            touched: Vec::new(),
            frontier: Vec::new(),
            next: Vec::new(),
        })
    }

    /// The final active count (seeds included) of lane `lane` of the block keyed `key`.
    pub fn spread(&mut self, seeds: &[u32], key: u64, lane: u32) -> u32 {
        let adj = self.graph.follower_adjacency();
        self.frontier.clear();
        for &s in seeds {
            if !self.active[s as usize] {
                self.active[s as usize] = true;
                self.touched.push(s);
                self.frontier.push(s);
            }
        }
        while !self.frontier.is_empty() {
            self.next.clear();
            for &u in &self.frontier {
                let (a, b) = adj.range(u);
                for e in a..b {
                    let v = adj.targets[e];
                    if self.active[v as usize] {
                        continue;
                    }
                    if trial_lane(key, e, fixed(self.probs.prob(e, v)), lane) {
                        self.active[v as usize] = true;
                        self.touched.push(v);
                        self.next.push(v);
                    }
                }
            }
            std::mem::swap(&mut self.frontier, &mut self.next);
        }
        let count = self.touched.len() as u32;
        for &v in &self.touched {
            self.active[v as usize] = false;
        }
        self.touched.clear();
        count
    }
}

/// The lanes of block `block` that are replicates below `samples`.
fn lanes_of(block: u32, samples: u32) -> u64 {
    let left = samples - block * LANES;
    if left >= LANES {
        u64::MAX
    } else {
        (1u64 << left) - 1
    }
}

/// Final active counts of replicates `0..samples` of `rule` (independent cascade) from `seeds`,
/// keyed by `seed`, 64 at a time: (sum, sum of squares), integers, the same for any thread
/// count (blocks are split into fixed contiguous chunks over the worker threads).
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
                let counts = sim.block(seeds, block_key(seed, u64::from(b)), lanes_of(b, samples));
                for (l, &x) in counts.iter().enumerate() {
                    if (l as u32) < samples - b * LANES {
                        s += u64::from(x);
                        s2 += u128::from(x) * u128::from(x);
                    }
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
    use crate::graph::generators::{GeneratorSpec, generate};
    use crate::model::cascade::{EdgeProbability, IndependentCascadeParams};

    fn ic(p: EdgeProbability) -> RuleSpec {
        RuleSpec::IndependentCascade(IndependentCascadeParams { probability: p })
    }

    #[test]
    fn bit_serial_trials_are_bernoulli_with_the_edge_probability() {
        // 64 lanes x 400 edges = 25,600 trials at p = 0.3: sd of the share sqrt(0.21 / 25600)
        // = 0.0029; 5 sd = 0.0143.
        let p = fixed(0.3);
        let mut wins = 0u32;
        for e in 0..400 {
            wins += trial_lanes(77, e, p, u64::MAX).count_ones();
        }
        let share = f64::from(wins) / 25_600.0;
        assert!((share - 0.3).abs() < 0.0143, "{share}");
        assert_eq!(trial_lanes(77, 3, fixed(1.0), 0b1011), 0b1011);
        assert_eq!(trial_lanes(77, 3, fixed(0.0), u64::MAX), 0);
        // One lane reads the same decision from its own bit, and other lanes' presence in the
        // mask does not change it.
        for e in 0..50 {
            let all = trial_lanes(5, e, p, u64::MAX);
            for lane in 0..64 {
                let alone = trial_lanes(5, e, p, 1 << lane);
                assert_eq!(alone, all & (1 << lane));
                assert_eq!(trial_lane(5, e, p, lane), all >> lane & 1 == 1);
            }
        }
    }

    #[test]
    fn every_lane_equals_its_scalar_replicate() {
        let g = generate(&GeneratorSpec::BarabasiAlbert { n: 3000, m: 4 }, 3).expect("graph");
        let seeds = [0u32, 17, 500, 2999];
        for (rule, samples) in [
            (ic(EdgeProbability::Constant(0.12)), 130u32),
            (ic(EdgeProbability::InverseInDegree), 64),
        ] {
            let mut block = BlockSimulator::new(&g, &rule).expect("ic");
            let mut lane = LaneSimulator::new(&g, &rule).expect("ic");
            let (mut sum, mut sq) = (0u64, 0u128);
            let mut distinct = std::collections::BTreeSet::new();
            for b in 0..samples.div_ceil(LANES) {
                let key = block_key(9, u64::from(b));
                let mask = lanes_of(b, samples);
                let counts = block.block(&seeds, key, mask);
                for l in 0..LANES {
                    if mask >> l & 1 == 0 {
                        assert_eq!(counts[l as usize], 0);
                        continue;
                    }
                    let x = lane.spread(&seeds, key, l);
                    assert_eq!(counts[l as usize], x, "block {b} lane {l}");
                    distinct.insert(x);
                    sum += u64::from(x);
                    sq += u128::from(x) * u128::from(x);
                }
            }
            // Replicates differ (a cascade that is not degenerate), and the totals are the
            // lanes' sums for any thread count.
            assert!(distinct.len() > 5, "{distinct:?}");
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

    #[test]
    fn other_rules_are_refused_by_name() {
        let g = generate(&GeneratorSpec::Complete { n: 3 }, 1).expect("graph");
        let rule = RuleSpec::LinearThreshold(Default::default());
        let err = BlockSimulator::new(&g, &rule).err().expect("refused");
        assert!(err.contains("linear_threshold"), "{err}");
    }
}
