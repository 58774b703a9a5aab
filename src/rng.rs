//! Keyed, counter-based random streams: the only place ovation makes random numbers.
//!
//! Every random number is a pure function of `(key, counter)`, computed by the
//! **Philox4x32-10** generator of Salmon, Moraes, Dror and Shaw, "Parallel Random Numbers: As
//! Easy as 1, 2, 3" (SC'11), the generator numpy ships as `Philox` and cuRAND as
//! `Philox4_32_10`. The key comes from the scenario seed and the replicate
//! ([`replicate_key`]); the counter names what the draw is for: a [`Purpose`], a step and an
//! agent (or any other index, such as a row of a generated graph). A [`Stream`] walks the blocks
//! of one such counter, so it yields an endless sequence of `u64`s that no other stream shares.
//!
//! Why this design (see `ARCHITECTURE.md`): draws never depend on which thread runs which agent,
//! so results are identical for 1 or 16 threads; a replicate can be resumed, or a graph split
//! across processes, without saving generator state; and a new use of randomness (a new
//! [`Purpose`]) never shifts the draws of an existing one.
//!
//! This module is a leaf: it uses no other module of the crate, and graph generators, the engine
//! and statistics all draw from it.

use std::convert::Infallible;

mod lane_streams;
pub mod lanes;
pub mod rows;

pub use lanes::{LaneKeys, edge_word, threshold32};
pub use rows::{RowGaps, row_word};

const PHILOX_M0: u32 = 0xD251_1F53;
const PHILOX_M1: u32 = 0xCD9E_8D57;
const PHILOX_W0: u32 = 0x9E37_79B9;
const PHILOX_W1: u32 = 0xBB67_AE85;

/// One Philox4x32-10 block: encrypts `counter` under `key` with ten rounds.
///
/// Computes in **O(1)** time (ten rounds of two 32x32->64 multiplications). Checked against the
/// known-answer vectors of the Random123 distribution in this module's tests.
#[inline]
pub fn philox4x32_10(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let mut c = counter;
    let mut k = key;
    for round in 0..10 {
        if round > 0 {
            k[0] = k[0].wrapping_add(PHILOX_W0);
            k[1] = k[1].wrapping_add(PHILOX_W1);
        }
        let p0 = u64::from(PHILOX_M0) * u64::from(c[0]);
        let p1 = u64::from(PHILOX_M1) * u64::from(c[2]);
        let (hi0, lo0) = ((p0 >> 32) as u32, p0 as u32);
        let (hi1, lo1) = ((p1 >> 32) as u32, p1 as u32);
        c = [hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0];
    }
    c
}

/// SplitMix64's finaliser (Steele, Lea and Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014): a bijective 64-bit mixer.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The key of one replicate's randomness: a mixed function of the scenario seed and the
/// replicate index.
///
/// Strategies compared under common random numbers share it, so replicate `r` of every strategy
/// sees the same graph, signals and thresholds.
pub fn replicate_key(seed: u64, replicate: u64) -> u64 {
    mix64(seed ^ mix64(replicate.wrapping_add(0x6F76_6174_696F_6E00)))
}

/// The key used to build a generated graph from a seed (independent of any replicate key).
pub fn graph_key(seed: u64) -> u64 {
    mix64(seed ^ 0x4752_4150_4821_0001)
}

/// What a stream of draws is for. Each purpose has a fixed number, so adding one never shifts
/// the draws of another; **never renumber** (that changes every reference output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum Purpose {
    /// Edges of a generated graph (index = row or block of the generator).
    GraphEdges = 1,
    /// Auxiliary draws of a generator (degree sequences, shuffles, rewiring).
    GraphAux = 2,
    /// Noise `e_i` of an agent's private signal.
    Signal = 10,
    /// An agent's intrinsic threshold `T_i`.
    Threshold = 11,
    /// An agent's conformity threshold `X_i`.
    Conformity = 12,
    /// An agent's visibility weight.
    Visibility = 13,
    /// Assignment of agents to classes by share.
    Class = 14,
    /// Per-agent latency of the delayed timing scheme.
    Latency = 15,
    /// Other per-agent attributes drawn from distributions.
    Attribute = 16,
    /// The fair coin of the `coin` tie rule (index = agent, step = step).
    TieCoin = 20,
    /// Action noise: a flip after revising (index = agent, step = step).
    ActionNoise = 21,
    /// The random order of the `async_random` timing (index = 0, step = step).
    AsyncOrder = 22,
    /// Tie-breaks between equally pressured agents in `async_incentive`.
    IncentiveOrder = 23,
    /// Per-edge trials of contagion rules (SIR/SIS infection): index = the source agent, step
    /// = step; one draw per follower edge in CSR order. (The independent cascade drew here
    /// until it moved to [`Purpose::EdgeLanes`].)
    EdgeTrial = 24,
    /// A random choice among an agent's sources or followers (voter, q-voter, Maki-Thompson):
    /// index = agent, step = step.
    NeighbourPick = 25,
    /// Per-agent state transitions that do not depend on neighbours (recovery in SIR/SIS,
    /// spontaneous adoption in Bass): index = agent, step = step.
    Transition = 26,
    /// Which pairs interact in pairwise rules (Deffuant): index = 0, step = step.
    PairOrder = 27,
    /// Initial continuous opinion or sentiment of an agent (bounded confidence).
    Opinion = 17,
    /// Per-agent random thresholds of the linear threshold model (drawn once per replicate).
    LtThreshold = 18,
    /// Seed (influencer) selection.
    Seeding = 30,
    /// Monte Carlo spread estimates of greedy seed selection (CELF): index = sample.
    SpreadEstimate = 31,
    /// Reverse-reachable sets of IMM seed selection: index = set, step = phase.
    RrSet = 32,
    /// Independent cascade trials under per-edge probabilities, keyed by (replicate key, edge
    /// position), drawn by [`edge_word`] (not a Philox stream: its number salts the key, see [`lanes`]); shared by
    /// the engine, the spread simulator and the bit-parallel replicates.
    EdgeLanes = 33,
    /// Independent cascade trials of a whole follower row under a constant probability, by
    /// geometric skipping: words keyed by (replicate key, agent, draw number), drawn by
    /// [`row_word`] (not a Philox stream: its number salts the key, see [`rows`]); shared by
    /// every independent cascade path, as [`Purpose::EdgeLanes`] is for per-edge
    /// probabilities.
    RowGaps = 34,
    /// Brand agent draws: noticing complaints, resolution, delays (index = agent, step = step).
    Brand = 35,
    /// The `sentiment` rule: each agent's experience time (index = agent, step = 0).
    Experience = 36,
    /// The `[webcare]` brand: finding a complaint and its reply delay (index = agent, step =
    /// step).
    Webcare = 37,
    /// The `[webcare]` brand: whether the `k`-th answer to an agent resolves its complaint
    /// (index = agent, step = k).
    WebcareResolve = 38,
    /// Bootstrap resampling in statistics.
    Bootstrap = 40,
    /// `fit`: ABC-SMC draws of one particle (prior draws, ancestor choice, perturbation,
    /// attempt after attempt): index = particle, step = generation.
    FitProposal = 45,
    /// `fit`: the random held-out split of the observed instances (index = 0, step = 0).
    FitHoldout = 46,
    /// `fit`: posterior-predictive resampling of particles (index = draw, step = 0).
    FitPredictive = 47,
}

/// An endless stream of random words for one `(key, purpose, step, index)`.
///
/// Implements [`rand::Rng`] (through [`rand::TryRng`]), so `rand` and `rand_distr`
/// distributions sample from it. Each 128-bit Philox block yields two `u64`s; block `k` of the
/// stream is the Philox encryption of the counter `[k, index, step, purpose]`.
#[derive(Debug)]
pub struct Stream {
    key: [u32; 2],
    counter: [u32; 4],
    buf: [u32; 4],
    /// Next unread word of `buf`, 0..=4 (4 = empty).
    pos: u8,
}

impl Stream {
    /// The stream of draws for `purpose` at `step` for `index` (an agent id, or a generator row),
    /// under `key` (from [`replicate_key`] or [`graph_key`]). Computes in **O(1)** time.
    #[inline]
    pub fn new(key: u64, purpose: Purpose, step: u32, index: u32) -> Self {
        Stream {
            key: [key as u32, (key >> 32) as u32],
            counter: [0, index, step, purpose as u32],
            buf: [0; 4],
            pos: 4,
        }
    }

    #[inline]
    fn refill(&mut self) {
        self.buf = philox4x32_10(self.counter, self.key);
        self.counter[0] = self.counter[0].wrapping_add(1);
        self.pos = 0;
    }

    /// The next 32 random bits.
    #[inline]
    pub fn next_word(&mut self) -> u32 {
        if self.pos >= 4 {
            self.refill();
        }
        let w = self.buf[self.pos as usize];
        self.pos += 1;
        w
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64_raw(&mut self) -> u64 {
        let lo = u64::from(self.next_word());
        let hi = u64::from(self.next_word());
        lo | (hi << 32)
    }

    /// A uniform `f64` in `[0, 1)` with 53 random bits.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64_raw() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// `true` with probability `p` (`p <= 0` never, `p >= 1` always).
    #[inline]
    pub fn bernoulli(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// A uniform integer in `0..n` without modulo bias (Lemire's method). **Panics** if `n == 0`.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "below(0) has no values");
        loop {
            let x = self.next_u64_raw();
            let m = u128::from(x) * u128::from(n);
            let low = m as u64;
            if low >= n.wrapping_neg() % n {
                return (m >> 64) as u64;
            }
        }
    }
}

impl rand::TryRng for Stream {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.next_word())
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next_u64_raw())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(4) {
            let w = self.next_word().to_le_bytes();
            chunk.copy_from_slice(&w[..chunk.len()]);
        }
        Ok(())
    }
}

/// One uniform `f64` in `[0, 1)` for `(key, purpose, step, index)`, without building a stream:
/// the first 53 bits of block 0. The same value as `Stream::new(..).uniform()`.
#[inline]
pub fn uniform_at(key: u64, purpose: Purpose, step: u32, index: u32) -> f64 {
    Stream::new(key, purpose, step, index).uniform()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    /// Known-answer vectors from Random123's `kat_vectors` for philox4x32 with 10 rounds.
    #[test]
    fn philox_known_answers() {
        assert_eq!(
            philox4x32_10([0, 0, 0, 0], [0, 0]),
            [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8]
        );
        assert_eq!(
            philox4x32_10([u32::MAX; 4], [u32::MAX; 2]),
            [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd]
        );
        assert_eq!(
            philox4x32_10(
                [0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344],
                [0xa409_3822, 0x299f_31d0]
            ),
            [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1]
        );
    }

    /// Value stability: these exact draws are part of every reference output. If this test
    /// fails, the reference outputs under `results/` must be regenerated and the change noted.
    #[test]
    fn stream_values_are_stable() {
        let mut s = Stream::new(replicate_key(42, 0), Purpose::Signal, 0, 7);
        let first: Vec<u32> = (0..6).map(|_| s.next_word()).collect();
        let mut again = Stream::new(replicate_key(42, 0), Purpose::Signal, 0, 7);
        let second: Vec<u32> = (0..6).map(|_| again.next_word()).collect();
        assert_eq!(first, second);
        let block0 = philox4x32_10(
            [0, 7, 0, Purpose::Signal as u32],
            [
                replicate_key(42, 0) as u32,
                (replicate_key(42, 0) >> 32) as u32,
            ],
        );
        assert_eq!(&first[..4], &block0);
        assert_eq!(replicate_key(42, 0), 0xad3d_1291_9390_000a);
    }

    #[test]
    fn streams_differ_by_every_part_of_the_counter() {
        let k = replicate_key(1, 2);
        let a = Stream::new(k, Purpose::Signal, 0, 0).next_u64_raw();
        assert_ne!(a, Stream::new(k, Purpose::Threshold, 0, 0).next_u64_raw());
        assert_ne!(a, Stream::new(k, Purpose::Signal, 1, 0).next_u64_raw());
        assert_ne!(a, Stream::new(k, Purpose::Signal, 0, 1).next_u64_raw());
        assert_ne!(
            a,
            Stream::new(replicate_key(1, 3), Purpose::Signal, 0, 0).next_u64_raw()
        );
    }

    /// Mean of 10^5 uniforms: sigma = sqrt(1/12 / 1e5) = 9.1e-4, tolerance 4 sigma = 3.7e-3.
    #[test]
    fn uniform_mean_within_sampling_error() {
        let mut s = Stream::new(graph_key(9), Purpose::GraphAux, 0, 0);
        let n = 100_000;
        let mean: f64 = (0..n).map(|_| s.uniform()).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 3.7e-3, "mean {mean}");
    }

    /// `below(6)` over 6e4 draws: each face count ~ Binomial(6e4, 1/6), sd = 91.3; 5 sd = 457.
    #[test]
    fn below_is_unbiased() {
        let mut s = Stream::new(graph_key(3), Purpose::GraphAux, 0, 0);
        let mut counts = [0u32; 6];
        for _ in 0..60_000 {
            counts[s.below(6) as usize] += 1;
        }
        for c in counts {
            assert!((i64::from(c) - 10_000).abs() < 457, "{counts:?}");
        }
    }

    #[test]
    fn works_as_a_rand_rng() {
        let mut s = Stream::new(graph_key(5), Purpose::GraphAux, 0, 0);
        let x: f64 = s.random();
        assert!((0.0..1.0).contains(&x));
        let normal = rand_distr::Normal::new(0.0, 1.0).expect("valid parameters");
        let y: f64 = s.sample(normal);
        assert!(y.is_finite());
    }
}
