//! IMM seed selection: influence maximisation by reverse-reachable (RR) set sampling (Tang,
//! Shi and Xiao, "Influence maximization in near-linear time: a martingale approach", SIGMOD
//! 2015), under the independent cascade or the linear threshold model.
//!
//! An **RR set** is the set of agents that would have activated a uniformly chosen root `v`
//! in one random world: under the independent cascade, a reverse breadth-first search from
//! `v` over the **sources** of each reached agent, keeping the edge `u -> w` with probability
//! `p_uw`; under the linear threshold model, a reverse random walk in which each reached agent
//! `w` picks at most one source `u` with probability `b_uw` (none with `1 - sum_u b_uw`) and the
//! walk stops at an agent already reached (the live-edge form, Kempe et al. 2003, Theorem
//! 2.5). For any seed set `S`, `n` times the share of RR sets that `S` meets is an unbiased
//! estimate of its expected spread (Borgs et al. 2014), so the greedy maximum coverage of
//! many RR sets is a `(1 - 1/e - epsilon)`-approximation with probability `1 - 1/n^l`.
//!
//! The algorithm is IMM's (Algorithms 1-3 of the paper): a sampling phase that doubles the RR
//! sets until a lower bound `LB` of the optimum is certified, then `theta = lambda* / LB` RR
//! sets and greedy maximum coverage. Following Chen ("An issue in the martingale analysis of
//! the influence maximization algorithm IMM", 2018), the final `theta` RR sets are drawn
//! afresh rather than reusing the sampling phase's, which restores the guarantee.
//!
//! Determinism: RR set `j` of phase `p` (0 = sampling, 1 = final) draws everything, root
//! included, from its own stream `Stream::new(key, Purpose::RrSet, p, j)` in a fixed order, so
//! it is the same whichever thread builds it; threads build fixed contiguous ranges of indices
//! and the sets are concatenated in index order; coverage counts are integers and ties go to
//! the lower id. The selection is a pure function of (graph, model, k, epsilon, l, key) for any
//! number of threads.
//!
//! Memory: RR sets are stored flat, one `u32` per member plus one `u64` offset per set, and
//! the greedy's inverted index (agent -> sets) is another `u32` per member.

use crate::engine::rules::cascade::LT_ONE;
use crate::graph::FollowerGraph;
use crate::model::cascade::{EdgeProbability, LtWeights};
use crate::rng::{Purpose, Stream};

/// The diffusion model RR sets are sampled under.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RrModel {
    /// Independent cascade with these edge probabilities.
    Ic(EdgeProbability),
    /// Linear threshold with these weights.
    Lt(LtWeights),
}

/// RR sets stored flat: set `j` is `nodes[offsets[j]..offsets[j + 1]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RrSets {
    /// Members of every set, set after set (each set's root first, no repeats within a set).
    pub nodes: Vec<u32>,
    /// Start of each set in `nodes`, plus the end: `len() + 1` entries.
    pub offsets: Vec<u64>,
}

impl RrSets {
    /// No sets.
    pub fn new() -> RrSets {
        RrSets {
            nodes: Vec::new(),
            offsets: vec![0],
        }
    }

    /// Number of sets.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Whether there is no set.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Set `j`.
    pub fn set(&self, j: usize) -> &[u32] {
        &self.nodes[self.offsets[j] as usize..self.offsets[j + 1] as usize]
    }

    /// Appends `other`'s sets after these.
    fn append(&mut self, other: &RrSets) {
        let base = self.nodes.len() as u64;
        self.nodes.extend_from_slice(&other.nodes);
        self.offsets
            .extend(other.offsets[1..].iter().map(|&o| o + base));
    }
}

/// Builds RR sets on one graph, reusing its visit marks.
struct Sampler<'g> {
    graph: &'g FollowerGraph,
    model: RrModel,
    key: u64,
    /// `mark[v] == epoch` when `v` is in the set being built.
    mark: Vec<u32>,
    epoch: u32,
}

impl<'g> Sampler<'g> {
    fn new(graph: &'g FollowerGraph, model: RrModel, key: u64) -> Sampler<'g> {
        Sampler {
            graph,
            model,
            key,
            mark: vec![0; graph.node_count() as usize],
            epoch: 0,
        }
    }

    /// Appends RR set `j` of `phase` to `out`.
    fn sample(&mut self, phase: u32, j: u32, out: &mut RrSets) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.mark.fill(0);
            self.epoch = 1;
        }
        let epoch = self.epoch;
        let graph = self.graph;
        let src = graph.source_adjacency();
        let mut stream = Stream::new(self.key, Purpose::RrSet, phase, j);
        let root = stream.below(u64::from(graph.node_count())) as u32;
        let start = out.nodes.len();
        self.mark[root as usize] = epoch;
        out.nodes.push(root);
        match self.model {
            RrModel::Ic(prob) => {
                let mut next = start;
                while next < out.nodes.len() {
                    let w = out.nodes[next];
                    next += 1;
                    let (a, b) = src.range(w);
                    let p_inv = 1.0 / (b - a).max(1) as f64;
                    for e in a..b {
                        let u = src.targets[e];
                        if self.mark[u as usize] == epoch {
                            continue;
                        }
                        let p = match prob {
                            EdgeProbability::Constant(p) => p,
                            EdgeProbability::InverseInDegree => p_inv,
                            EdgeProbability::EdgeWeights => {
                                src.weights.as_ref().map_or(1.0, |ws| f64::from(ws[e]))
                            }
                        };
                        if stream.uniform() < p {
                            self.mark[u as usize] = epoch;
                            out.nodes.push(u);
                        }
                    }
                }
            }
            RrModel::Lt(weights) => {
                let mut w = root;
                loop {
                    let (a, b) = src.range(w);
                    if a == b {
                        break;
                    }
                    let pick = match (weights, src.weights.as_ref()) {
                        (LtWeights::EdgeWeights, Some(ws)) => {
                            // The same integer units as the engine: round(w * 2^31).
                            let x = stream.next_u64_raw() >> 33; // uniform on [0, 2^31)
                            let mut acc = 0u64;
                            (a..b).find(|&e| {
                                acc += (f64::from(ws[e]) * LT_ONE as f64).round() as u64;
                                x < acc
                            })
                        }
                        _ => Some(a + stream.below((b - a) as u64) as usize),
                    };
                    let Some(e) = pick else { break };
                    let u = src.targets[e];
                    if self.mark[u as usize] == epoch {
                        break;
                    }
                    self.mark[u as usize] = epoch;
                    out.nodes.push(u);
                    w = u;
                }
            }
        }
        out.offsets.push(out.nodes.len() as u64);
    }
}

/// RR sets `from..to` of `phase` under `model` on `graph`, built on `threads` scoped OS threads
/// over fixed contiguous index ranges (the result does not depend on `threads`; rayon is not
/// used, so a selection cached while replicates wait cannot deadlock the pool).
pub fn sample(
    graph: &FollowerGraph,
    model: RrModel,
    key: u64,
    phase: u32,
    from: u32,
    to: u32,
    threads: usize,
) -> RrSets {
    let count = to.saturating_sub(from);
    let threads = threads.clamp(1, 64).min(count.max(1) as usize);
    let chunk = count.div_ceil(threads as u32).max(1);
    let build = |lo: u32, hi: u32| {
        let mut sampler = Sampler::new(graph, model, key);
        let mut out = RrSets::new();
        for j in lo..hi {
            sampler.sample(phase, j, &mut out);
        }
        out
    };
    if threads == 1 {
        return build(from, to.max(from));
    }
    let parts: Vec<RrSets> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads as u32)
            .map(|t| {
                let lo = from + (t * chunk).min(count);
                let hi = from + ((t + 1) * chunk).min(count);
                scope.spawn(move || build(lo, hi))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("an RR-set worker panicked"))
            .collect()
    });
    let mut all = RrSets::new();
    for p in &parts {
        all.append(p);
    }
    all
}

/// Greedy maximum coverage of `sets` by `k` agents of `0..n`: each pick is the agent in most
/// sets not yet covered (ties to the lower id). Returns the picks in order and the number of
/// sets they cover. **O(members + k n)**.
pub fn max_coverage(sets: &RrSets, n: u32, k: u32) -> (Vec<u32>, u64) {
    let n = n as usize;
    let mut count = vec![0u32; n];
    for &v in &sets.nodes {
        count[v as usize] += 1;
    }
    // Inverted index: the sets of each agent, ascending.
    let mut start = vec![0u64; n + 1];
    for v in 0..n {
        start[v + 1] = start[v] + u64::from(count[v]);
    }
    let mut fill: Vec<u64> = start[..n].to_vec();
    let mut inv = vec![0u32; sets.nodes.len()];
    for j in 0..sets.len() {
        for &v in sets.set(j) {
            inv[fill[v as usize] as usize] = j as u32;
            fill[v as usize] += 1;
        }
    }
    drop(fill);
    let mut covered = vec![false; sets.len()];
    let mut chosen = vec![false; n];
    let mut picks = Vec::with_capacity(k as usize);
    let mut total = 0u64;
    for _ in 0..k.min(n as u32) {
        let mut best: Option<usize> = None;
        for v in 0..n {
            if !chosen[v] && best.is_none_or(|b| count[v] > count[b]) {
                best = Some(v);
            }
        }
        let Some(v) = best else { break };
        chosen[v] = true;
        picks.push(v as u32);
        for &j in &inv[start[v] as usize..start[v + 1] as usize] {
            let j = j as usize;
            if covered[j] {
                continue;
            }
            covered[j] = true;
            total += 1;
            for &u in sets.set(j) {
                count[u as usize] -= 1;
            }
        }
    }
    (picks, total)
}

/// What IMM chose and how.
#[derive(Debug, Clone, PartialEq)]
pub struct ImmResult {
    /// The seeds in pick order (greedy: the first `j` are the choice for `j` seeds).
    pub seeds: Vec<u32>,
    /// The spread estimated from the final RR sets: `n` times the share they cover.
    pub spread: f64,
    /// The lower bound of the optimum the sampling phase certified (1 if none).
    pub lower_bound: f64,
    /// Number of RR sets in the final phase (`theta`).
    pub rr_sets: u64,
    /// Members of the final RR sets (their memory is 4 bytes each, twice with the index).
    pub rr_members: u64,
}

/// `ln C(n, k)`.
fn ln_choose(n: f64, k: f64) -> f64 {
    (0..k as u64)
        .map(|i| ((n - i as f64) / (i as f64 + 1.0)).ln())
        .sum()
}

/// The most RR sets one phase may hold (indices are `u32`).
pub const MAX_RR_SETS: f64 = u32::MAX as f64;

/// IMM (Tang, Shi and Xiao 2015, Algorithm 1 with Chen's 2018 fresh final sample): `k` seeds
/// under `model` with approximation slack `epsilon` in `(0, 1)` and failure probability
/// `n^-l`, drawing from `key` on `threads` OS threads (the result does not depend on
/// `threads`). `Err` when the sample it needs exceeds [`MAX_RR_SETS`] (raise `epsilon`).
pub fn imm(
    graph: &FollowerGraph,
    model: RrModel,
    k: u32,
    epsilon: f64,
    l: f64,
    key: u64,
    threads: usize,
) -> Result<ImmResult, String> {
    let n_u = graph.node_count();
    let k = k.min(n_u);
    if n_u == 0 || k == 0 {
        return Ok(ImmResult {
            seeds: Vec::new(),
            spread: 0.0,
            lower_bound: 1.0,
            rr_sets: 0,
            rr_members: 0,
        });
    }
    let n = f64::from(n_u);
    let ln_n = n.ln().max(f64::MIN_POSITIVE);
    let l = l * (1.0 + 2f64.ln() / ln_n.max(2f64.ln()));
    let lnck = ln_choose(n, f64::from(k));
    let too_many = |theta: f64| {
        format!(
            "seeding: method \"imm\" would need {theta:.3e} RR sets (at most {MAX_RR_SETS:.3e}); \
             raise seeding.epsilon"
        )
    };
    // Sampling phase (Algorithm 2): find LB <= OPT.
    let eps_p = std::f64::consts::SQRT_2 * epsilon;
    let log2_n = n.log2();
    let lambda_p =
        (2.0 + 2.0 / 3.0 * eps_p) * (lnck + l * ln_n + log2_n.max(1.0).ln()) * n / (eps_p * eps_p);
    let mut lb = 1.0f64;
    let mut sets = RrSets::new();
    let mut i = 1;
    while f64::from(i) < log2_n {
        let x = n / 2f64.powi(i);
        let theta_i = (lambda_p / x).ceil();
        if theta_i > MAX_RR_SETS {
            return Err(too_many(theta_i));
        }
        let have = sets.len() as u32;
        let more = sample(graph, model, key, 0, have, theta_i as u32, threads);
        sets.append(&more);
        drop(more);
        let (_, covered) = max_coverage(&sets, n_u, k);
        let estimate = n * covered as f64 / sets.len() as f64;
        if estimate >= (1.0 + eps_p) * x {
            lb = estimate / (1.0 + eps_p);
            break;
        }
        i += 1;
    }
    drop(sets);
    // Final phase: theta = lambda* / LB fresh RR sets, then greedy maximum coverage.
    let e_inv = 1.0 - 1.0 / std::f64::consts::E;
    let alpha = (l * ln_n + 2f64.ln()).sqrt();
    let beta = (e_inv * (lnck + l * ln_n + 2f64.ln())).sqrt();
    let lambda_star = 2.0 * n * (e_inv * alpha + beta).powi(2) / (epsilon * epsilon);
    let theta = (lambda_star / lb).ceil().max(1.0);
    if theta > MAX_RR_SETS {
        return Err(too_many(theta));
    }
    let sets = sample(graph, model, key, 1, 0, theta as u32, threads);
    let (seeds, covered) = max_coverage(&sets, n_u, k);
    Ok(ImmResult {
        seeds,
        spread: n * covered as f64 / sets.len() as f64,
        lower_bound: lb,
        rr_sets: sets.len() as u64,
        rr_members: sets.nodes.len() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::BuildOptions;

    fn graph(n: u32, edges: Vec<(u32, u32)>) -> FollowerGraph {
        FollowerGraph::from_edges(n, edges, None, BuildOptions::default())
    }

    #[test]
    fn rr_sets_with_probability_one_are_the_upstream_agents() {
        // Chain 0 -> 1 -> 2 (2 follows 1 follows 0) and 3 alone: with p = 1 the RR set of
        // root 2 is {2, 1, 0}, of 1 {1, 0}, of 0 {0}, of 3 {3}.
        let g = graph(4, vec![(0, 1), (1, 2)]);
        let sets = sample(
            &g,
            RrModel::Ic(EdgeProbability::Constant(1.0)),
            5,
            0,
            0,
            200,
            1,
        );
        assert_eq!(sets.len(), 200);
        for j in 0..sets.len() {
            let s = sets.set(j);
            let want: &[u32] = match s[0] {
                0 => &[0],
                1 => &[1, 0],
                2 => &[2, 1, 0],
                _ => &[3],
            };
            assert_eq!(s, want);
        }
        // LT with uniform weights: every agent with a source picks it (b = 1).
        let lt = sample(&g, RrModel::Lt(LtWeights::Uniform), 5, 0, 0, 50, 1);
        for j in 0..lt.len() {
            assert_eq!(
                lt.set(j).len(),
                match lt.set(j)[0] {
                    2 => 3,
                    1 => 2,
                    _ => 1,
                }
            );
        }
    }

    #[test]
    fn sampling_and_selection_do_not_depend_on_threads() {
        let edges: Vec<(u32, u32)> = (0..300u32)
            .flat_map(|v| [(v, (v * 7 + 1) % 300), ((v * 13 + 5) % 300, v)])
            .collect();
        let g = graph(300, edges);
        let m = RrModel::Ic(EdgeProbability::Constant(0.2));
        let one = sample(&g, m, 9, 1, 10, 1000, 1);
        assert_eq!(one, sample(&g, m, 9, 1, 10, 1000, 3));
        let a = imm(&g, m, 5, 0.5, 1.0, 9, 1).unwrap();
        assert_eq!(a, imm(&g, m, 5, 0.5, 1.0, 9, 4).unwrap());
        assert_eq!(a.seeds.len(), 5);
    }

    #[test]
    fn max_coverage_is_greedy_with_ties_to_the_lower_id() {
        let mut sets = RrSets::new();
        for s in [&[1u32, 2][..], &[2, 3], &[3], &[0], &[0, 4]] {
            sets.nodes.extend_from_slice(s);
            sets.offsets.push(sets.nodes.len() as u64);
        }
        // Counts: 0: 2, 2: 2, 3: 2 -> 0 first (lower id); then 2 and 3 both cover 2 new sets
        // -> 2; then 3 covers {3}: 1 new; total 5.
        assert_eq!(max_coverage(&sets, 5, 3), (vec![0, 2, 3], 5));
    }
}
