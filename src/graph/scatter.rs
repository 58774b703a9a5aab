//! The scatter step of a counting sort, the core of building a CSR graph: each item goes to
//! the slot its key's cursor points at, and the cursor moves on.
//!
//! On graphs of millions of agents the cursors (8 bytes per agent) and the output (4 bytes per
//! edge) are far larger than the CPU's caches and are hit at random, so almost every item
//! costs two cache misses. The loop here asks for both lines ahead of time: the cursor of the
//! item [`AHEAD`] places on, and the output slot of the item [`AHEAD`]/2 places on (whose
//! cursor was fetched earlier). Results are those of the plain loop; only the order of memory
//! traffic changes.

/// How many items ahead the cursors are fetched.
const AHEAD: usize = 16;

/// Asks the CPU to bring `item`'s cache line in for a write soon (a hint; no effect on results).
#[inline(always)]
fn prefetch<T>(item: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE is part of the x86_64 baseline, and a prefetch never faults nor changes
    // memory (it is a hint about an address that is, here, a live reference anyway).
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            (item as *const T).cast::<i8>(),
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = item;
}

/// For `e` in `0..len`, in order: `out[cursor[key(e)]] = value(e)`, then that cursor moves one
/// slot on. **Panics** if a key or a cursor is out of range (the caller's counts were wrong).
#[inline]
pub(crate) fn scatter(
    cursor: &mut [u64],
    len: usize,
    key: impl Fn(usize) -> u32,
    value: impl FnMut(usize) -> u32,
    out: &mut [u32],
) {
    let keys = 0..cursor.len() as u32;
    scatter_range(cursor, keys, len, key, value, out);
}

/// [`scatter`] restricted to the items whose key lies in `keys`: `cursor[k - keys.start]` is
/// key `k`'s cursor, and `value` is called, in increasing `e`, only for the items kept. Threads
/// that each own one range of keys (and one slice of the output) build one CSR together.
#[inline]
pub(crate) fn scatter_range(
    cursor: &mut [u64],
    keys: std::ops::Range<u32>,
    len: usize,
    key: impl Fn(usize) -> u32,
    mut value: impl FnMut(usize) -> u32,
    out: &mut [u32],
) {
    let (lo, width) = (keys.start, keys.end - keys.start);
    // The key's cursor position, or `None` for a key outside the range.
    let local = |e: usize| {
        let k = key(e).wrapping_sub(lo);
        (k < width).then_some(k as usize)
    };
    for e in 0..len {
        if e + AHEAD < len
            && let Some(k) = local(e + AHEAD)
        {
            prefetch(&cursor[k]);
        }
        if e + AHEAD / 2 < len
            && let Some(k) = local(e + AHEAD / 2)
            && let Some(slot) = out.get(cursor[k] as usize)
        {
            prefetch(slot);
        }
        if let Some(k) = local(e) {
            let c = &mut cursor[k];
            out[*c as usize] = value(e);
            *c += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scatter_places_items_as_the_plain_counting_sort_does() {
        // Keys 2, 0, 2, 1, 0 with counts 2, 1, 2: rows start at 0, 2, 3.
        let keys = [2u32, 0, 2, 1, 0];
        let values = [10u32, 11, 12, 13, 14];
        let mut cursor = vec![0u64, 2, 3];
        let mut out = vec![0u32; 5];
        scatter(&mut cursor, 5, |e| keys[e], |e| values[e], &mut out);
        assert_eq!(out, [11, 14, 13, 10, 12]);
        assert_eq!(cursor, [2, 3, 5]);
    }

    #[test]
    fn long_inputs_match_the_plain_loop() {
        // Longer than the look-ahead, with keys from a fixed pseudo-random sequence.
        let n = 97usize;
        let keys: Vec<u32> = (0..5_000u64)
            .map(|i| ((i * 2_654_435_761) % n as u64) as u32)
            .collect();
        let mut counts = vec![0u64; n + 1];
        for &k in &keys {
            counts[k as usize + 1] += 1;
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        let (mut plain_cursor, mut fast_cursor) = (counts.clone(), counts.clone());
        let mut plain = vec![0u32; keys.len()];
        for (e, &k) in keys.iter().enumerate() {
            plain[plain_cursor[k as usize] as usize] = e as u32;
            plain_cursor[k as usize] += 1;
        }
        let mut fast = vec![0u32; keys.len()];
        scatter(
            &mut fast_cursor,
            keys.len(),
            |e| keys[e],
            |e| e as u32,
            &mut fast,
        );
        assert_eq!(fast, plain);
        assert_eq!(fast_cursor, plain_cursor);
        // The same, built by three key ranges into three slices of the output.
        let mut split = vec![0u32; keys.len()];
        let cuts = [0usize, 30, 64, n];
        let mut rest = &mut split[..];
        for w in cuts.windows(2) {
            let (head, tail) = rest.split_at_mut((counts[w[1]] - counts[w[0]]) as usize);
            rest = tail;
            let base = counts[w[0]];
            let mut cursor: Vec<u64> = counts[w[0]..w[1]].iter().map(|c| c - base).collect();
            let range = w[0] as u32..w[1] as u32;
            scatter_range(
                &mut cursor,
                range,
                keys.len(),
                |e| keys[e],
                |e| e as u32,
                head,
            );
        }
        assert_eq!(split, plain);
    }
}
