//! The first 64 bits of one stream (purpose, step, index) under 16 lanes' replicate keys at
//! once: Philox4x32-10 ([`super::philox4x32_10`]) written over arrays of lanes so that the
//! compiler turns each round's 32x32->64 multiplications into vector instructions (AVX2 or
//! AVX-512, chosen at run time; a portable loop otherwise). Every path gives the integers of
//! `Stream::new(key_l, purpose, step, index).next_u64_raw()`, lane by lane (a test checks
//! it): the linear threshold's bit-parallel lanes draw their agents' thresholds here
//! (`strategy::bitpar`, through [`super::LaneKeys::stream_u64x16`]).

use super::{PHILOX_M0, PHILOX_M1, PHILOX_W0, PHILOX_W1};

/// Lanes per call.
pub(super) const WIDTH: usize = 16;

/// A kernel: the first `u64` of the stream of `counter` under the keys `(k0[j], k1[j])`.
pub(super) type Kernel = fn(&[u32; WIDTH], &[u32; WIDTH], [u32; 4]) -> [u64; WIDTH];

/// The body every kernel compiles (ten Philox rounds over the lanes, then the stream's
/// first two words as one `u64`, low word first).
#[inline(always)]
fn first_u64s(k0: &[u32; WIDTH], k1: &[u32; WIDTH], counter: [u32; 4]) -> [u64; WIDTH] {
    let mut c0 = [counter[0]; WIDTH];
    let mut c1 = [counter[1]; WIDTH];
    let mut c2 = [counter[2]; WIDTH];
    let mut c3 = [counter[3]; WIDTH];
    let mut a = *k0;
    let mut b = *k1;
    for round in 0..10 {
        if round > 0 {
            for j in 0..WIDTH {
                a[j] = a[j].wrapping_add(PHILOX_W0);
                b[j] = b[j].wrapping_add(PHILOX_W1);
            }
        }
        for j in 0..WIDTH {
            let p0 = u64::from(PHILOX_M0) * u64::from(c0[j]);
            let p1 = u64::from(PHILOX_M1) * u64::from(c2[j]);
            let n0 = (p1 >> 32) as u32 ^ c1[j] ^ a[j];
            let n2 = (p0 >> 32) as u32 ^ c3[j] ^ b[j];
            c1[j] = p1 as u32;
            c3[j] = p0 as u32;
            c0[j] = n0;
            c2[j] = n2;
        }
    }
    let mut out = [0u64; WIDTH];
    for j in 0..WIDTH {
        out[j] = u64::from(c0[j]) | u64::from(c1[j]) << 32;
    }
    out
}

/// [`first_u64s`] for any processor.
fn portable(k0: &[u32; WIDTH], k1: &[u32; WIDTH], counter: [u32; 4]) -> [u64; WIDTH] {
    first_u64s(k0, k1, counter)
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! [`super::first_u64s`] compiled for AVX2 and AVX-512; chosen at run time by
    //! [`super::kernel`] only when the processor has the features.
    use super::{WIDTH, first_u64s};

    #[target_feature(enable = "avx2")]
    fn avx2(k0: &[u32; WIDTH], k1: &[u32; WIDTH], counter: [u32; 4]) -> [u64; WIDTH] {
        first_u64s(k0, k1, counter)
    }

    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2")]
    fn avx512(k0: &[u32; WIDTH], k1: &[u32; WIDTH], counter: [u32; 4]) -> [u64; WIDTH] {
        first_u64s(k0, k1, counter)
    }

    /// [`avx2`], for a processor that has AVX2 (checked by [`super::kernel`]).
    pub(super) fn first_avx2(k0: &[u32; WIDTH], k1: &[u32; WIDTH], c: [u32; 4]) -> [u64; WIDTH] {
        // SAFETY: `kernel` returns this function only after `is_x86_feature_detected!("avx2")`.
        unsafe { avx2(k0, k1, c) }
    }

    /// [`avx512`], for a processor that has AVX-512 F, BW, VL and DQ (checked by
    /// [`super::kernel`]).
    pub(super) fn first_avx512(k0: &[u32; WIDTH], k1: &[u32; WIDTH], c: [u32; 4]) -> [u64; WIDTH] {
        // SAFETY: `kernel` returns this function only after detecting avx512f, avx512bw,
        // avx512vl, avx512dq and avx2.
        unsafe { avx512(k0, k1, c) }
    }
}

/// The fastest kernel this processor runs.
pub(super) fn kernel() -> Kernel {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512bw")
            && std::is_x86_feature_detected!("avx512vl")
            && std::is_x86_feature_detected!("avx512dq")
            && std::is_x86_feature_detected!("avx2")
        {
            return x86::first_avx512;
        }
        if std::is_x86_feature_detected!("avx2") {
            return x86::first_avx2;
        }
    }
    portable
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, Stream, replicate_key};

    #[test]
    fn every_kernel_gives_each_lanes_stream() {
        let keys: Vec<u64> = (0..WIDTH as u64).map(|r| replicate_key(3, r)).collect();
        let k0: [u32; WIDTH] = std::array::from_fn(|j| keys[j] as u32);
        let k1: [u32; WIDTH] = std::array::from_fn(|j| (keys[j] >> 32) as u32);
        let mut kernels: Vec<Kernel> = vec![portable, kernel()];
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            kernels.push(x86::first_avx2);
        }
        for (purpose, step, index) in [
            (Purpose::LtThreshold, 0, 0),
            (Purpose::LtThreshold, 0, 123_456),
            (Purpose::Threshold, 7, u32::MAX),
        ] {
            let counter = [0, index, step, purpose as u32];
            for k in &kernels {
                let got = k(&k0, &k1, counter);
                for j in 0..WIDTH {
                    let want = Stream::new(keys[j], purpose, step, index).next_u64_raw();
                    assert_eq!(got[j], want, "lane {j}, index {index}");
                }
            }
        }
    }
}
