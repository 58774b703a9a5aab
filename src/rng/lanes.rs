//! Edge-trial words keyed by (replicate key, edge position), cheap enough to draw one
//! replicate's trial alone and vectorised to draw 64 replicates' trials of one edge at once:
//! the draws of the independent cascade under per-edge probabilities, shared by the engine,
//! the spread simulator of seed selection and the bit-parallel replicates
//! (`strategy::bitpar`). A constant probability draws whole rows by geometric skipping
//! instead ([`super::rows`], whose words are this module's with another salt and indices, and
//! whose 64-lane first words [`LaneKeys::rows_hit`] draws with the same kernels).
//!
//! # Definition
//!
//! The word of edge position `e` in the replicate keyed `key` is
//!
//! ```text
//! lo = (key mod 2^32) xor SALT,   hi = floor(key / 2^32)
//! x  = mix32(lo xor (e mod 2^32))
//! x  = mix32(x xor hi xor (floor(e / 2^32) * 0x9E3779B9 mod 2^32))
//! ```
//!
//! where `mix32` is Wellons' `lowbias32` (a bijective 32-bit mixer found by his
//! hash-prospector search, 2018; bias 0.17 on his avalanche measure) and `SALT` keeps these
//! words apart from any other use of the replicate key ([`super::Purpose::EdgeLanes`] times the
//! golden-ratio constant). Two rounds with all 64 key bits: every word is a pure function of
//! `(key, e)`, so a replicate's trial of an edge is the same whichever thread, block of lanes
//! or step draws it.
//!
//! Why not Philox here: a Philox block costs about ten times a `mix32` round, one trial needs
//! one word, and the bit-parallel kernel draws 64 of them per edge. The words pass the tests
//! below (uniform shares, independence between lanes and between neighbouring edges); they
//! decide Bernoulli trials against a 32-bit fixed-point probability ([`threshold32`]), where a
//! 2^-32 resolution is far below any Monte Carlo error.

use super::Purpose;

/// Salt of the low key word (see the module doc).
const SALT: u32 = (Purpose::EdgeLanes as u32).wrapping_mul(0x9E37_79B9);

/// Replicates per block of lanes: the bits of a `u64`.
pub const LANES: usize = 64;

/// Wellons' `lowbias32`: a bijective 32-bit mixer.
#[inline(always)]
fn mix32(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^ (x >> 16)
}

/// The high edge word's term (0 for the first 2^32 edges).
#[inline(always)]
fn high_term(e: u64) -> u32 {
    ((e >> 32) as u32).wrapping_mul(0x9E37_79B9)
}

/// The word from the split key words and the edge's words (also the row words of
/// [`super::rows`], with their own salt and indices).
#[inline(always)]
pub(super) fn word(lo: u32, hi: u32, e_lo: u32, e_hi: u32) -> u32 {
    mix32(mix32(lo ^ e_lo) ^ hi ^ e_hi)
}

/// The trial word of edge position `e` in the replicate keyed `key` (see the module doc).
/// Computes in **O(1)** time.
#[inline]
pub fn edge_word(key: u64, e: u64) -> u32 {
    word(
        key as u32 ^ SALT,
        (key >> 32) as u32,
        e as u32,
        high_term(e),
    )
}

/// A probability in 32-bit fixed point for [`edge_word`] trials: a trial succeeds when
/// `u64::from(word) < threshold32(p)`, i.e. with probability `floor(p * 2^32) / 2^32` (`p <=
/// 0` never, `p >= 1` always, as `2^32` exceeds every word).
#[inline]
pub fn threshold32(p: f64) -> u64 {
    if p >= 1.0 {
        1 << 32
    } else if p > 0.0 {
        // 0 < p < 1: p * 2^32 is exact (a power of two) and below 2^32.
        (p * 4_294_967_296.0) as u64
    } else {
        0
    }
}

/// The keys of up to 64 replicates (lanes), split for the vectorised draw of one edge's 64
/// trials at once.
#[derive(Clone)]
pub struct LaneKeys {
    lo: [u32; LANES],
    /// The low key words salted for the row words of [`super::rows`].
    row_lo: [u32; LANES],
    hi: [u32; LANES],
    lanes: u64,
    kernel: Kernel,
    /// From how many open lanes [`Self::trial`] calls `kernel` (all 64 lanes at once).
    vector_from: u32,
    /// The vectorised streams of [`Self::stream_u64x16`].
    streams: super::lane_streams::Kernel,
}

/// The vectorised body: the lanes whose word for an edge is below a threshold.
type Kernel = fn(&[u32; LANES], &[u32; LANES], u32, u32, u32) -> u64;

impl std::fmt::Debug for LaneKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LaneKeys")
            .field("lanes", &self.lanes)
            .finish_non_exhaustive()
    }
}

impl LaneKeys {
    /// Lane `l` draws with `keys[l]`; lanes past `keys.len()` (at most 64 are used) are not in
    /// [`Self::lanes`]. Computes in **O(64)** time.
    pub fn new(keys: &[u64]) -> LaneKeys {
        let mut lo = [0u32; LANES];
        let mut row_lo = [0u32; LANES];
        let mut hi = [0u32; LANES];
        for (l, &k) in keys.iter().take(LANES).enumerate() {
            lo[l] = k as u32 ^ SALT;
            row_lo[l] = k as u32 ^ super::rows::ROW_SALT;
            hi[l] = (k >> 32) as u32;
        }
        let n = keys.len().min(LANES);
        let (kernel, vector_from) = kernel();
        LaneKeys {
            lo,
            row_lo,
            hi,
            lanes: if n == LANES {
                u64::MAX
            } else {
                (1u64 << n) - 1
            },
            kernel,
            vector_from,
            streams: super::lane_streams::kernel(),
        }
    }

    /// The mask of the lanes that have a key.
    #[inline]
    pub fn lanes(&self) -> u64 {
        self.lanes
    }

    /// Lane `lane`'s replicate key (the key it was made with; 0 for a lane without one).
    #[inline]
    pub fn key(&self, lane: u32) -> u64 {
        let l = lane as usize % LANES;
        if self.lanes >> l & 1 == 0 {
            return 0;
        }
        u64::from(self.lo[l] ^ SALT) | u64::from(self.hi[l]) << 32
    }

    /// The first `u64` of `Stream::new(key_l, purpose, step, index)` ([`super::Stream`]'s
    /// `next_u64_raw`) for the 16 lanes `l` of chunk `chunk` (lanes `16 chunk ..`, 0 to 3),
    /// all at once (vectorised Philox, `rng::lane_streams`); the values of lanes without a
    /// key mean nothing.
    #[inline]
    pub fn stream_u64x16(
        &self,
        chunk: usize,
        purpose: Purpose,
        step: u32,
        index: u32,
    ) -> [u64; 16] {
        let base = 16 * (chunk % 4);
        let k0: [u32; 16] = std::array::from_fn(|j| self.lo[base + j] ^ SALT);
        let k1: [u32; 16] = std::array::from_fn(|j| self.hi[base + j]);
        (self.streams)(&k0, &k1, [0, index, step, purpose as u32])
    }

    /// Lane `lane`'s trial word of edge `e`: [`edge_word`] under its key.
    #[inline]
    pub fn lane_word(&self, lane: u32, e: u64) -> u32 {
        let l = lane as usize % LANES;
        word(self.lo[l], self.hi[l], e as u32, high_term(e))
    }

    /// The lanes (of all 64, keyed or not) whose trial of edge `e` succeeds against
    /// `threshold` (from [`threshold32`]). Costs about as much as eight one-lane draws when the
    /// processor has AVX-512 (sixteen with AVX2): use [`Self::lane_word`] for fewer lanes.
    #[inline]
    pub fn below(&self, e: u64, threshold: u64) -> u64 {
        match threshold {
            0 => 0,
            t if t > u64::from(u32::MAX) => u64::MAX,
            t => (self.kernel)(&self.lo, &self.hi, e as u32, high_term(e), t as u32),
        }
    }

    /// The lanes of `open` whose trial of edge `e` succeeds, each lane drawn alone when few
    /// are open and all 64 at once otherwise; the same lanes either way.
    #[inline]
    pub fn trial(&self, e: u64, threshold: u64, open: u64) -> u64 {
        if open.count_ones() >= self.vector_from {
            return self.below(e, threshold) & open;
        }
        if threshold > u64::from(u32::MAX) {
            return open;
        }
        let (e_lo, e_hi) = (e as u32, high_term(e));
        let mut won = 0u64;
        let mut m = open;
        while m != 0 {
            let l = m.trailing_zeros() as usize;
            if u64::from(word(self.lo[l], self.hi[l], e_lo, e_hi)) < threshold {
                won |= 1 << l;
            }
            m &= m - 1;
        }
        won
    }
}

impl LaneKeys {
    /// Lane `lane`'s `j`-th word of agent `u`'s row: [`super::rows::row_word`] under its key.
    #[inline]
    pub fn row_word(&self, lane: u32, u: u32, j: u32) -> u32 {
        let l = lane as usize % LANES;
        word(self.row_lo[l], self.hi[l], u, j.wrapping_mul(0x9E37_79B9))
    }

    /// The lanes of `open` in which agent `u`'s row has a success: whose first row word is
    /// at least `none` (`G_d` of the row's `d` edges, [`super::rows::RowGaps::none_in`]),
    /// each lane drawn alone when few are open and all 64 at once otherwise.
    #[inline]
    pub fn rows_hit(&self, u: u32, none: u64, open: u64) -> u64 {
        if none > u64::from(u32::MAX) {
            return 0;
        }
        if open.count_ones() >= self.vector_from {
            return !(self.kernel)(&self.row_lo, &self.hi, u, 0, none as u32) & open;
        }
        let mut hit = 0u64;
        let mut m = open;
        while m != 0 {
            let l = m.trailing_zeros() as usize;
            if u64::from(word(self.row_lo[l], self.hi[l], u, 0)) >= none {
                hit |= 1 << l;
            }
            m &= m - 1;
        }
        hit
    }
}

/// The lanes whose word is below `t` (the body every kernel compiles).
#[inline(always)]
fn below_lanes(lo: &[u32; LANES], hi: &[u32; LANES], e_lo: u32, e_hi: u32, t: u32) -> u64 {
    let mut mask = 0u64;
    for c in 0..LANES / 16 {
        let mut bits = 0u32;
        for j in 0..16 {
            let l = 16 * c + j;
            bits |= u32::from(word(lo[l], hi[l], e_lo, e_hi) < t) << j;
        }
        mask |= u64::from(bits) << (16 * c);
    }
    mask
}

/// [`below_lanes`] for any processor.
fn below_portable(lo: &[u32; LANES], hi: &[u32; LANES], e_lo: u32, e_hi: u32, t: u32) -> u64 {
    below_lanes(lo, hi, e_lo, e_hi, t)
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! [`super::below_lanes`] compiled for AVX2 and AVX-512; chosen at run time by
    //! [`super::kernel`] only when the processor has the features (the results are the same
    //! integers on every path: only the speed differs).
    use super::{LANES, below_lanes};

    #[target_feature(enable = "avx2")]
    fn avx2(lo: &[u32; LANES], hi: &[u32; LANES], e_lo: u32, e_hi: u32, t: u32) -> u64 {
        below_lanes(lo, hi, e_lo, e_hi, t)
    }

    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx2")]
    fn avx512(lo: &[u32; LANES], hi: &[u32; LANES], e_lo: u32, e_hi: u32, t: u32) -> u64 {
        below_lanes(lo, hi, e_lo, e_hi, t)
    }

    /// [`avx2`], for a processor that has AVX2 (checked by [`super::kernel`]).
    pub(super) fn below_avx2(
        lo: &[u32; LANES],
        hi: &[u32; LANES],
        e_lo: u32,
        e_hi: u32,
        t: u32,
    ) -> u64 {
        // SAFETY: `kernel` returns this function only after `is_x86_feature_detected!("avx2")`.
        unsafe { avx2(lo, hi, e_lo, e_hi, t) }
    }

    /// [`avx512`], for a processor that has AVX-512 F, BW and VL (checked by
    /// [`super::kernel`]).
    pub(super) fn below_avx512(
        lo: &[u32; LANES],
        hi: &[u32; LANES],
        e_lo: u32,
        e_hi: u32,
        t: u32,
    ) -> u64 {
        // SAFETY: `kernel` returns this function only after detecting avx512f, avx512bw,
        // avx512vl and avx2.
        unsafe { avx512(lo, hi, e_lo, e_hi, t) }
    }
}

/// The fastest kernel this processor runs, and from how many open lanes it beats drawing
/// lane by lane (measured: a 64-lane call costs about 8 one-lane draws with AVX-512, 10 with
/// AVX2, 25 without either).
fn kernel() -> (Kernel, u32) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512bw")
            && std::is_x86_feature_detected!("avx512vl")
            && std::is_x86_feature_detected!("avx2")
        {
            return (x86::below_avx512, 8);
        }
        if std::is_x86_feature_detected!("avx2") {
            return (x86::below_avx2, 10);
        }
    }
    (below_portable, 25)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::replicate_key;

    fn keys(seed: u64) -> Vec<u64> {
        (0..64).map(|r| replicate_key(seed, r)).collect()
    }

    const EXPECTED: [u32; 4] = [0xb023_9f22, 0xa320_54dc, 0xf42f_d915, 0xb7d1_8dc2];

    /// These exact words decide every per-edge-probability independent cascade trial of the
    /// reference outputs: if this test fails, regenerate them (as for
    /// `stream_values_are_stable`).
    #[test]
    fn words_are_stable() {
        // Expected values computed outside this code (Python, from the module doc's
        // definition): edge_word(replicate_key(42, 0), e) for e = 0, 1, 2 and 2^32 + 1.
        let key = replicate_key(42, 0);
        let w: Vec<u32> = [0, 1, 2, (1 << 32) + 1]
            .iter()
            .map(|&e| edge_word(key, e))
            .collect();
        assert_eq!(w, EXPECTED);
        assert_eq!(threshold32(0.5), 1 << 31);
        assert_eq!(threshold32(1.0), 1 << 32);
        assert_eq!(threshold32(2.0), 1 << 32);
        assert_eq!(threshold32(0.0), 0);
        assert_eq!(threshold32(-1.0), 0);
    }

    #[test]
    fn every_kernel_and_every_lane_agree_with_the_scalar_word() {
        let k = keys(7);
        let lanes = LaneKeys::new(&k);
        assert_eq!(lanes.lanes(), u64::MAX);
        let t = threshold32(0.3);
        let mut kernels: Vec<Kernel> = vec![below_portable, kernel().0];
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            kernels.push(x86::below_avx2);
        }
        for e in (0..300u64).chain([u64::from(u32::MAX) + 5, 1 << 40]) {
            let want: u64 = (0..64)
                .filter(|&l| u64::from(edge_word(k[l], e)) < t)
                .fold(0, |m, l| m | 1 << l);
            for kern in &kernels {
                let got = kern(&lanes.lo, &lanes.hi, e as u32, high_term(e), t as u32);
                assert_eq!(got, want, "edge {e}");
            }
            assert_eq!(lanes.below(e, t), want);
            for open in [u64::MAX, 0b1011, 1 << 63, 0x00ff_00ff_0000_0001] {
                assert_eq!(lanes.trial(e, t, open), want & open, "edge {e}");
            }
            for l in 0..64 {
                assert_eq!(lanes.lane_word(l, e), edge_word(k[l as usize], e));
            }
        }
        assert_eq!(lanes.trial(3, 1 << 32, 0b101), 0b101);
        assert_eq!(lanes.trial(3, 0, 0b101), 0);
        assert_eq!(LaneKeys::new(&k[..3]).lanes(), 0b111);
        for l in 0..64 {
            assert_eq!(lanes.key(l), k[l as usize]);
        }
        assert_eq!(LaneKeys::new(&k[..3]).key(2), k[2]);
        assert_eq!(LaneKeys::new(&k[..3]).key(3), 0);
    }

    #[test]
    fn words_are_uniform_and_trials_have_their_probability() {
        // 64 lanes x 4,000 edges = 256,000 words in 16 equal bins: each count ~ Binomial(256000,
        // 1/16), sd = sqrt(256000 * 1/16 * 15/16) = 122.5; 5 sd = 612.
        let k = keys(3);
        let mut bins = [0i64; 16];
        let mut wins = 0u32;
        let lanes = LaneKeys::new(&k);
        let t = threshold32(0.01);
        for e in 0..4000u64 {
            for &key in &k {
                bins[(edge_word(key, e) >> 28) as usize] += 1;
            }
            wins += lanes.below(e, t).count_ones();
        }
        for b in bins {
            assert!((b - 16_000).abs() < 612, "{bins:?}");
        }
        // 256,000 trials at p = 0.01: sd of the count sqrt(256000 * 0.01 * 0.99) = 50.3;
        // 5 sd = 252.
        assert!((i64::from(wins) - 2560).abs() < 252, "{wins}");
    }

    #[test]
    fn neighbouring_edges_and_lanes_are_uncorrelated() {
        // Pairs (word of edge e, word of edge e + 1) in one lane, and (lane l, lane l + 1) on
        // one edge, over 63 x 4,000 pairs each: both words above one half ~ 1/4 of the pairs;
        // sd of the count sqrt(252000 * 3/16) = 217.4; 5 sd = 1087. And the sign of the
        // difference of the two pair members is balanced: sd sqrt(252000 / 4) = 251; 5 sd =
        // 1255.
        let k = keys(11);
        let (mut edges_hh, mut lanes_hh, mut edges_up, mut lanes_up) = (0i64, 0i64, 0i64, 0i64);
        for e in 0..4000u64 {
            for l in 0..63 {
                let a = edge_word(k[l], e);
                let b = edge_word(k[l], e + 1);
                let c = edge_word(k[l + 1], e);
                edges_hh += i64::from(a >> 31 == 1 && b >> 31 == 1);
                lanes_hh += i64::from(a >> 31 == 1 && c >> 31 == 1);
                edges_up += i64::from(b > a);
                lanes_up += i64::from(c > a);
            }
        }
        let pairs = 63 * 4000;
        for hh in [edges_hh, lanes_hh] {
            assert!((hh - pairs / 4).abs() < 1087, "{hh}");
        }
        for up in [edges_up, lanes_up] {
            assert!((up - pairs / 2).abs() < 1255, "{up}");
        }
    }
}
