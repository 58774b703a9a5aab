//! The transpose of one CSR direction (followers to sources) as a cache-blocked, two-pass
//! radix sort, for unweighted graphs.
//!
//! The plain counting sort writes every entry to a random place in the whole output (80 MB for
//! 2·10^7 edges) through a random cursor (16 MB for 2·10^6 agents): two cache misses per edge,
//! and the largest cost of an import. Here the columns are grouped into at most
//! 2^[`MAX_BUCKET_BITS`] buckets of `2^shift` consecutive columns. The first pass walks the rows
//! and appends each entry to its bucket's stretch of the output, written as one `u32` holding
//! the row and the column's low bits; a few thousand write streams, each cache-friendly. The
//! second pass sorts each bucket's stretch (a few tens of kilobytes, in the core's own cache) by
//! column, in parallel over buckets. Both passes keep the order of rows, so each output row is
//! sorted, and the result is the plain counting sort's, for any number of threads.
//!
//! The packing needs the row's bits plus `shift` to fit in 32: true up to 2^23 agents with the
//! bucket counts allowed here; beyond that [`plan`] says no and the caller sorts as before.

use rayon::prelude::*;

use super::huge;

/// The most buckets, as a power of two: the first pass keeps one write stream per bucket.
const MAX_BUCKET_BITS: u32 = 14;
/// The preferred number of buckets, as a power of two.
const GOAL_BUCKET_BITS: u32 = 10;

/// Bits needed to write any id below `n`.
fn id_bits(n: usize) -> u32 {
    usize::BITS - n.saturating_sub(1).leading_zeros()
}

/// The `shift` (columns per bucket: `2^shift`) for a graph of `n` agents, or `None` when a row
/// and a column's low bits cannot share one `u32` within the allowed number of buckets.
pub(super) fn plan(n: usize) -> Option<u32> {
    let bits = id_bits(n);
    if bits > 32 {
        return None;
    }
    let shift = bits.saturating_sub(GOAL_BUCKET_BITS).min(32 - bits);
    (bits - shift <= MAX_BUCKET_BITS).then_some(shift)
}

/// The transpose of the rows `targets[offsets[i]..offsets[i + 1]]` (`n` of them) over columns
/// `0..n`: the new offsets and targets, each new row sorted ascending. `shift` comes from
/// [`plan`]. Computes in **O(n + m)** time.
pub(super) fn transpose(
    offsets: &[u64],
    targets: &[u32],
    n: usize,
    shift: u32,
) -> (Vec<u64>, Vec<u32>) {
    let m = targets.len();
    let buckets = n.div_ceil(1 << shift);
    let mask = (1u32 << shift) - 1;
    let bucket = |t: u32| (t >> shift) as usize;
    // Entries per bucket (a few thousand counters: in L1).
    let per_bucket = targets
        .par_chunks(1 << 20)
        .fold(
            || vec![0u64; buckets],
            |mut c, chunk| {
                for &t in chunk {
                    c[bucket(t)] += 1;
                }
                c
            },
        )
        .reduce(
            || vec![0u64; buckets],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        );
    let mut start = vec![0u64; buckets + 1];
    for b in 0..buckets {
        start[b + 1] = start[b] + per_bucket[b];
    }
    let mut out = huge::filled(m, 0u32);
    // First pass: one range of buckets per thread, cut so that each holds about m / threads
    // entries; each thread walks every row and appends the entries of its buckets.
    let threads = rayon::current_num_threads().max(1);
    let mut cuts = vec![0usize];
    for part in 1..threads {
        let goal = (m as u64 * part as u64) / threads as u64;
        let cut = start.partition_point(|&s| s < goal).min(buckets);
        cuts.push(cut.max(*cuts.last().expect("starts with 0")));
    }
    cuts.push(buckets);
    let mut slices = Vec::with_capacity(threads);
    let mut rest = &mut out[..];
    for w in cuts.windows(2) {
        let (head, tail) = rest.split_at_mut((start[w[1]] - start[w[0]]) as usize);
        slices.push((w[0], w[1], head));
        rest = tail;
    }
    slices.into_par_iter().for_each(|(lo, hi, slice)| {
        let base = start[lo];
        let mut next: Vec<usize> = start[lo..hi].iter().map(|&s| (s - base) as usize).collect();
        let width = (hi - lo) as u32;
        for (r, w) in offsets.windows(2).enumerate() {
            let row = (r as u32) << shift;
            for &t in &targets[w[0] as usize..w[1] as usize] {
                let k = (t >> shift).wrapping_sub(lo as u32);
                if k < width {
                    let c = &mut next[k as usize];
                    slice[*c] = row | (t & mask);
                    *c += 1;
                }
            }
        }
    });
    // Second pass: each bucket's stretch sorted by column (stable, so rows stay ascending),
    // and its columns' offsets written.
    let mut new_offsets = huge::filled(n + 1, 0u64);
    new_offsets[n] = m as u64;
    let mut tasks = Vec::with_capacity(buckets);
    {
        let mut rest_t = &mut out[..];
        let mut rest_o = &mut new_offsets[..n];
        for b in 0..buckets {
            let cols = ((b + 1) << shift).min(n) - (b << shift);
            let (t, tt) = rest_t.split_at_mut(per_bucket[b] as usize);
            let (o, oo) = rest_o.split_at_mut(cols);
            rest_t = tt;
            rest_o = oo;
            tasks.push((start[b], t, o));
        }
    }
    tasks.into_par_iter().for_each_init(
        || (Vec::new(), Vec::new()),
        |(scratch, cursor): &mut (Vec<u32>, Vec<usize>), (base, region, offs)| {
            scratch.clear();
            scratch.extend_from_slice(region);
            cursor.clear();
            cursor.resize(offs.len(), 0);
            for &p in scratch.iter() {
                cursor[(p & mask) as usize] += 1;
            }
            let mut run = 0usize;
            for (c, o) in cursor.iter_mut().zip(offs.iter_mut()) {
                *o = base + run as u64;
                let k = *c;
                *c = run;
                run += k;
            }
            for &p in scratch.iter() {
                let c = &mut cursor[(p & mask) as usize];
                region[*c] = p >> shift;
                *c += 1;
            }
        },
    );
    (new_offsets, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain counting-sort transpose, for comparison.
    fn plain(offsets: &[u64], targets: &[u32], n: usize) -> (Vec<u64>, Vec<u32>) {
        let mut counts = vec![0u64; n + 1];
        for &t in targets {
            counts[t as usize + 1] += 1;
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        let mut next = counts.clone();
        let mut out = vec![0u32; targets.len()];
        for r in 0..n {
            for &t in &targets[offsets[r] as usize..offsets[r + 1] as usize] {
                out[next[t as usize] as usize] = r as u32;
                next[t as usize] += 1;
            }
        }
        (counts, out)
    }

    #[test]
    fn plans_fit_a_row_and_a_column_in_32_bits() {
        assert_eq!(plan(0), Some(0));
        assert_eq!(plan(1000), Some(0));
        assert_eq!(plan(2_000_000), Some(11));
        assert_eq!(plan(1 << 22), Some(10));
        assert_eq!(plan(1 << 23), Some(9));
        assert_eq!(plan((1 << 23) + 1), None);
        for n in [5usize, 4096, 1 << 20, 2_000_000, 1 << 23] {
            let shift = plan(n).expect("fits");
            assert!(id_bits(n) + shift <= 32, "{n}");
            assert!(n.div_ceil(1 << shift) <= 1 << MAX_BUCKET_BITS, "{n}");
        }
    }

    #[test]
    fn the_blocked_transpose_is_the_counting_sort() {
        // Rows of pseudo-random columns (with repeats and empty rows), for several shifts and
        // thread counts; a hub column takes a tenth of the entries.
        for (n, shift) in [
            (1usize, 0),
            (7, 0),
            (300, 0),
            (300, 3),
            (5000, 4),
            (5000, 7),
        ] {
            let mut offsets = vec![0u64];
            let mut targets = Vec::new();
            let mut x = 12_345u64;
            for r in 0..n {
                let degree = (r * 7) % 13;
                for _ in 0..degree {
                    x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    let t = if x >> 60 == 0 {
                        0
                    } else {
                        (x >> 33) as usize % n
                    };
                    targets.push(t as u32);
                }
                offsets.push(targets.len() as u64);
            }
            let want = plain(&offsets, &targets, n);
            for threads in [1, 2, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .expect("a pool");
                let got = pool.install(|| transpose(&offsets, &targets, n, shift));
                assert_eq!(got, want, "n {n}, shift {shift}, {threads} threads");
            }
        }
    }
}
