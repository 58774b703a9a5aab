//! Independent cascade trials of a whole follower row at once by **geometric skipping**, for a
//! probability `p` that is the same on every edge: the draws of every constant-probability
//! independent cascade (the engine rule, the spread simulator of seed selection, the
//! bit-parallel replicates and the blocks of `run`/`compare`/`sweep`). A row of `d` follower
//! edges costs one draw plus one per success instead of `d` per-edge draws, so the usual case
//! of a small `p` (no success at all in most rows) is one hash and one comparison.
//! Per-edge probabilities (`inverse_in_degree`, `edge_weights`) keep one
//! [`super::edge_word`] per edge.
//!
//! # Definition
//!
//! Let `q = 1 - p` (an `f64`, `p` clamped to `[0, 1]`) and for `k >= 0`
//!
//! ```text
//! G_k = floor(q^k * 2^32)        (G_0 = 2^32; q^k by binary exponentiation in f64, see pow)
//! ```
//!
//! a non-increasing sequence: a gap (the number of failures before the next success) is at
//! least `k` when a uniform 32-bit word `U` satisfies `U < G_k`, i.e. with probability
//! `G_k / 2^32 = q^k` up to the fixed-point resolution of **2^-32** (each `G_k` is within
//! 2^-32 of `q^k`, plus the `f64` rounding of `q^k`, about `k * 2^-52` relative).
//!
//! When agent `u` fires in the replicate keyed `key`, its row of `d` follower edges (positions
//! `0..d` of its row of the follower adjacency) is tried by the words
//!
//! ```text
//! W_j = row_word(key, u, j) = mix32(mix32(lo xor u) xor hi xor (j * 0x9E3779B9 mod 2^32))
//! lo  = (key mod 2^32) xor ROW_SALT,   hi = floor(key / 2^32)
//! ```
//!
//! (the edge words' two `mix32` rounds, [`super::lanes`], with the row `u` as the low index
//! word, the draw number `j` as the high one and the salt of [`super::Purpose::RowGaps`]), as
//! follows: start at position `s = 0` with draw `j = 0`; while `s < d`, with `r = d - s` edges
//! left, the row has no further success when `W_j < G_r`; otherwise the gap is the largest `g`
//! in `0..r` with `W_j < G_g`, edge `s + g` succeeds, and the walk goes on from `s = s + g +
//! 1` with draw `j + 1`. Equivalently: the gaps are independent geometric variables,
//! `P(gap >= k) = G_k / 2^32`, so every edge of the row succeeds independently with
//! probability `1 - G_1 / 2^32 = p` (to 2^-32), as Kempe et al.'s trials do. An agent fires at
//! most once per replicate and its row is always tried whole, so the successes are a pure
//! function of `(key, u, d)`, drawn alike by every path, thread and block of lanes.

use super::Purpose;

/// Salt of the low key word of [`row_word`] (see the module doc).
pub(crate) const ROW_SALT: u32 = (Purpose::RowGaps as u32).wrapping_mul(0x9E37_79B9);

/// `G_k` is tabulated for `k` below this (rows longer than it compute `G_k` by [`pow`]).
const TABLE: usize = 256;

/// Words are bucketed by their top bits for [`RowGaps::gap`]'s starting point.
const BUCKET_BITS: u32 = 10;
const BUCKET_SHIFT: u32 = 32 - BUCKET_BITS;

/// `2^32` as a float.
const TWO32: f64 = 4_294_967_296.0;

/// The `j`-th word of agent `u`'s row in the replicate keyed `key` (see the module doc).
/// Computes in **O(1)** time.
#[inline]
pub fn row_word(key: u64, u: u32, j: u32) -> u32 {
    super::lanes::word(
        key as u32 ^ ROW_SALT,
        (key >> 32) as u32,
        u,
        j.wrapping_mul(0x9E37_79B9),
    )
}

/// `q^k` by binary exponentiation (square-and-multiply from the lowest bit of `k`), every
/// product an IEEE double rounded to nearest, so the same bits on every platform.
fn pow(q: f64, mut k: u64) -> f64 {
    let (mut r, mut b) = (1.0f64, q);
    while k > 0 {
        if k & 1 == 1 {
            r *= b;
        }
        b *= b;
        k >>= 1;
    }
    r
}

/// The thresholds `G_k` of one probability (see the module doc): the gap draws of
/// constant-probability independent cascade rows.
#[derive(Debug, Clone)]
pub struct RowGaps {
    q: f64,
    /// `G_k` for `k < TABLE`.
    table: Vec<u64>,
    /// Per bucket of words (their top [`BUCKET_BITS`] bits): the gap of the bucket's largest
    /// word, at most `TABLE - 1` (a lower bound of every gap in the bucket).
    start: Vec<u16>,
}

impl RowGaps {
    /// The thresholds of success probability `p` on every edge (`p` clamped to `[0, 1]`).
    /// Computes in **O(1)** time (a table of 256 thresholds and 1,024 starting gaps).
    pub fn new(p: f64) -> RowGaps {
        let q = 1.0 - p.clamp(0.0, 1.0);
        let table: Vec<u64> = (0..TABLE as u64).map(|k| g(q, k)).collect();
        // The gap of a word w is the number of k >= 1 with w < G_k (G is non-increasing);
        // counted at each bucket's top word, from the top bucket down (gaps only grow).
        let mut start = vec![0u16; 1 << BUCKET_BITS];
        let mut k = 0usize;
        for b in (0..start.len()).rev() {
            let top = ((b as u64 + 1) << BUCKET_SHIFT) - 1;
            while k + 1 < TABLE && top < table[k + 1] {
                k += 1;
            }
            start[b] = k as u16;
        }
        RowGaps { q, table, start }
    }

    /// `G_k`: a word `U` means "no success among the next `k` edges" when `U < G_k`.
    #[inline]
    pub fn none_in(&self, k: u32) -> u64 {
        match self.table.get(k as usize) {
            Some(&t) => t,
            None => g(self.q, u64::from(k)),
        }
    }

    /// The gap a word `w` with `w >= G_r` gives when `r` edges are left: the largest `g` in
    /// `0..r` with `w < G_g` (`G_0 = 2^32` exceeds every word; as `w >= G_r`, this is the
    /// largest `g` of all with `w < G_g`, whatever `r`). Starts from the gap of the top word of
    /// `w`'s bucket (a lower bound) and steps up through the thresholds between, usually none
    /// or one; gaps past the table are found by bisection. **O(1)** expected.
    #[inline]
    pub fn gap(&self, w: u32, r: u32) -> u32 {
        let mut g = u32::from(self.start[(w >> BUCKET_SHIFT) as usize]);
        if g as usize + 1 >= TABLE {
            return self.bisect(w, g, r);
        }
        let w = u64::from(w);
        while g + 1 < r && w < self.none_in(g + 1) {
            g += 1;
        }
        g
    }

    /// The largest `g` in `lo..r` with `w < G_g`, given `w < G_lo` and `w >= G_r`, by
    /// bisection. **O(log r)**.
    fn bisect(&self, w: u32, lo: u32, r: u32) -> u32 {
        let w = u64::from(w);
        // Invariant: w < G_lo, and w >= G_hi.
        let (mut lo, mut hi) = (lo.min(r - 1), r);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if w < self.none_in(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The successful positions (ascending, in `0..d`) of a row of `d` edges whose `j`-th
    /// word is `word(j)`: calls `hit` with each. Costs **1 + successes** words.
    #[inline]
    pub fn row(&self, d: u32, mut word: impl FnMut(u32) -> u32, mut hit: impl FnMut(u32)) {
        let (mut s, mut j) = (0u32, 0u32);
        while s < d {
            let r = d - s;
            let w = word(j);
            if u64::from(w) < self.none_in(r) {
                return;
            }
            let g = self.gap(w, r);
            hit(s + g);
            s += g + 1;
            j += 1;
        }
    }
}

/// `G_k = floor(q^k 2^32)`.
#[inline]
fn g(q: f64, k: u64) -> u64 {
    // q^k is in [0, 1], so the product is in [0, 2^32] and exact (a power-of-two scaling).
    (pow(q, k) * TWO32) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{LaneKeys, replicate_key};

    /// Successful positions of agent `u`'s row of `d` edges under `key`.
    fn hits(gaps: &RowGaps, key: u64, u: u32, d: u32) -> Vec<u32> {
        let mut out = Vec::new();
        gaps.row(d, |j| row_word(key, u, j), |i| out.push(i));
        out
    }

    /// These thresholds and words decide every constant-probability independent cascade of
    /// the reference outputs: if this test fails, regenerate them (as for
    /// `stream_values_are_stable`).
    #[test]
    fn thresholds_and_words_are_stable() {
        // Expected values computed outside this code (Python, from the module doc's
        // definition: lowbias32, the salt 34 * 0x9E3779B9 mod 2^32 and q^k * 2^32).
        let g = RowGaps::new(0.01);
        assert_eq!(g.none_in(0), 1 << 32);
        assert_eq!(g.none_in(1), 4_252_017_623);
        assert_eq!(g.none_in(10), 3_884_291_435);
        assert_eq!(g.none_in(1000), 185_419);
        assert_eq!(RowGaps::new(0.0).none_in(5000), 1 << 32);
        assert_eq!(RowGaps::new(1.0).none_in(1), 0);
        assert_eq!(RowGaps::new(-3.0).none_in(7), 1 << 32);
        let key = replicate_key(42, 0);
        let w: Vec<u32> = [(0, 0), (1, 0), (0, 1), (u32::MAX, 7)]
            .iter()
            .map(|&(u, j)| row_word(key, u, j))
            .collect();
        assert_eq!(w, ROW_WORDS);
    }

    const ROW_WORDS: [u32; 4] = [0x2df0_4022, 0x791e_0410, 0x3c02_eb5d, 0x4d37_2f64];

    #[test]
    fn table_and_computed_thresholds_agree_and_decrease() {
        for p in [0.001, 0.01, 0.3, 0.999] {
            let g = RowGaps::new(p);
            let q = 1.0 - p;
            let mut last = 1u64 << 32;
            for k in 0..600u32 {
                let t = g.none_in(k);
                assert_eq!(t, super::g(q, u64::from(k)));
                assert!(t <= last, "p {p} k {k}");
                let exact = q.powi(k as i32) * TWO32;
                assert!(
                    (t as f64 - exact).abs() <= 1.0 + exact * 1e-12,
                    "p {p} k {k}"
                );
                last = t;
            }
        }
    }

    #[test]
    fn gap_is_the_largest_k_below_and_rows_stop_on_the_first_word() {
        // Every word against the definition, for a table that ends early (p = 0.001: gaps
        // past 255 are common), a middling and a large p.
        for p in [0.001, 0.05, 0.9] {
            let g = RowGaps::new(p);
            let words = (0..2000u32)
                .map(|i| i.wrapping_mul(0x9E37_79B9) >> (i % 23))
                .chain([0, 1, 1 << 20, 1 << 31, u32::MAX - 1, u32::MAX]);
            for w in words {
                for r in [1u32, 2, 7, 300, 1000] {
                    if u64::from(w) < g.none_in(r) {
                        continue;
                    }
                    let want = (0..r)
                        .filter(|&k| u64::from(w) < g.none_in(k))
                        .max()
                        .unwrap();
                    assert_eq!(g.gap(w, r), want, "p {p} w {w} r {r}");
                }
            }
        }
        // Probability 1: every edge succeeds; 0: none.
        assert_eq!(hits(&RowGaps::new(1.0), 5, 3, 6), vec![0, 1, 2, 3, 4, 5]);
        assert!(hits(&RowGaps::new(0.0), 5, 3, 600).is_empty());
        // A row costs one word plus one per success, less one when its last edge succeeds
        // (nothing is left to draw for).
        let g = RowGaps::new(0.01);
        let mut with_hits = 0;
        for u in 0..2000u32 {
            let key = replicate_key(3, u64::from(u));
            let mut words = 0u32;
            let mut h = Vec::new();
            g.row(
                10,
                |j| {
                    words += 1;
                    row_word(key, u, j)
                },
                |i| h.push(i),
            );
            let last = u32::from(h.last() == Some(&9));
            assert_eq!(words, 1 + h.len() as u32 - last, "u {u}");
            with_hits += usize::from(!h.is_empty());
        }
        // About 1 - 0.99^10 = 9.6% of the rows have a success (sd sqrt(2000 * 0.087) = 13).
        assert!((120..270).contains(&with_hits), "{with_hits}");
    }

    #[test]
    fn successes_per_row_are_binomial_and_positions_uniform() {
        // 40,000 rows of d = 10 edges at p = 0.1 (keys of seed 9, agents 0..40,000): the
        // number of successes per row ~ Binomial(10, 0.1). Chi-square over the bins 0, 1, 2,
        // 3, >= 4 (every expected count >= 5 * 40000 * 0.0128 = 512): 4 degrees of freedom,
        // P(chi2 > 23.5) = 1e-4, the bound below. Each of the 10 positions succeeds in
        // Binomial(40000, 0.1) rows: sd sqrt(40000 * 0.09) = 60, 5 sd = 300.
        let (rows, d, p) = (40_000u32, 10u32, 0.1);
        let g = RowGaps::new(p);
        let mut bins = [0f64; 5];
        let mut at = [0i64; 10];
        for u in 0..rows {
            let h = hits(&g, replicate_key(9, u64::from(u % 64)), u, d);
            bins[h.len().min(4)] += 1.0;
            for i in h {
                at[i as usize] += 1;
            }
        }
        let binom = |k: u32| {
            let c = (0..k).fold(1.0, |c, i| c * f64::from(d - i) / f64::from(i + 1));
            c * p.powi(k as i32) * (1.0 - p).powi((d - k) as i32)
        };
        let mut expected = [0f64; 5];
        for k in 0..4 {
            expected[k as usize] = f64::from(rows) * binom(k);
        }
        expected[4] = f64::from(rows) - expected[..4].iter().sum::<f64>();
        let chi2: f64 = bins
            .iter()
            .zip(&expected)
            .map(|(o, e)| (o - e) * (o - e) / e)
            .sum();
        assert!(chi2 < 23.5, "chi2 {chi2}: {bins:?} vs {expected:?}");
        for c in at {
            assert!((c - 4000).abs() < 300, "{at:?}");
        }
    }

    #[test]
    fn long_rows_at_small_p_have_binomial_means() {
        // 20,000 rows of d = 1000 at p = 0.002 (mean 2 successes, variance 1.996): the total
        // over rows has sd sqrt(20000 * 1.996) = 199.8; 5 sd = 999. The rows are longer than
        // the table, so the computed thresholds are used too.
        let g = RowGaps::new(0.002);
        let total: i64 = (0..20_000u32)
            .map(|u| hits(&g, replicate_key(4, 1), u, 1000).len() as i64)
            .sum();
        assert!((total - 40_000).abs() < 999, "{total}");
    }

    #[test]
    fn lanes_draw_the_rows_words() {
        let keys: Vec<u64> = (0..64).map(|r| replicate_key(8, r)).collect();
        let lanes = LaneKeys::new(&keys);
        let g = RowGaps::new(0.02);
        for u in [0u32, 1, 77, 1 << 30] {
            for d in [1u32, 10, 100] {
                let t = g.none_in(d);
                let want: u64 = (0..64)
                    .filter(|&l| u64::from(row_word(keys[l], u, 0)) >= t)
                    .fold(0, |m, l| m | 1 << l);
                for open in [u64::MAX, 0b1011, 1 << 63] {
                    assert_eq!(lanes.rows_hit(u, t, open), want & open, "u {u} d {d}");
                }
                for l in 0..64u32 {
                    for j in 0..3 {
                        assert_eq!(lanes.row_word(l, u, j), row_word(keys[l as usize], u, j));
                    }
                }
            }
        }
    }
}
