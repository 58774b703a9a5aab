//! Large working buffers backed by transparent huge pages, where the kernel offers them.
//!
//! Importing a graph of millions of agents touches hundreds of megabytes of fresh memory. With
//! 4 KiB pages that is one page fault per 4 KiB (about 160,000 faults, a quarter of the CPU time,
//! for a 2·10^7-edge import) and a TLB miss on almost every random write of the counting sorts.
//! On Linux, `madvise(MADV_HUGEPAGE)` asks for 2 MiB pages instead: 512 times fewer faults, and
//! a TLB that covers the whole buffer. Only how the memory is backed changes, never what it
//! holds; elsewhere (or where the kernel says no, as with `transparent_hugepage` set to `never`)
//! these are plain vectors.

/// Buffers smaller than this are left alone: a huge page is 2 MiB, and only the whole 2 MiB
/// spans inside a buffer can use one.
const MIN_BYTES: usize = 4 << 20;

/// Asks the kernel to back the allocation of `v` (its whole capacity) with huge pages. Call it
/// before the memory is first written: pages already touched stay small.
pub(crate) fn advise<T>(v: &Vec<T>) {
    let bytes = v.capacity().saturating_mul(std::mem::size_of::<T>());
    if bytes >= MIN_BYTES {
        advise_range(v.as_ptr().cast::<u8>(), bytes);
    }
}

#[cfg(target_os = "linux")]
fn advise_range(start: *const u8, bytes: usize) {
    // SAFETY: `sysconf` only reads a system constant.
    let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
    let page = page.max(1);
    let lo = (start as usize).next_multiple_of(page);
    let hi = (start as usize + bytes) / page * page;
    if hi > lo {
        // SAFETY: the range lies inside one live allocation owned by the caller's vector, and
        // MADV_HUGEPAGE only changes how the kernel backs those pages (their contents are kept,
        // nothing is freed or remapped). A refusal (EINVAL where THP is compiled out) is
        // harmless and ignored: the memory stays in ordinary pages.
        unsafe {
            libc::madvise(lo as *mut libc::c_void, hi - lo, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_range(_start: *const u8, _bytes: usize) {}

/// An empty vector with room for `capacity` items, advised for huge pages.
pub(crate) fn with_capacity<T>(capacity: usize) -> Vec<T> {
    let v = Vec::with_capacity(capacity);
    advise(&v);
    v
}

/// `len` copies of `value`, in huge pages (the `vec![value; len]` of this module).
pub(crate) fn filled<T: Copy>(len: usize, value: T) -> Vec<T> {
    let mut v = with_capacity(len);
    v.resize(len, value);
    v
}

/// A copy of `items`, in huge pages.
pub(crate) fn copied<T: Copy>(items: &[T]) -> Vec<T> {
    let mut v = with_capacity(items.len());
    v.extend_from_slice(items);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_hold_what_was_asked_whatever_their_size() {
        // Below and above the advice threshold: the same contents as the plain vectors.
        for len in [0usize, 5, (MIN_BYTES / 4) + 3] {
            let v = filled(len, 7u32);
            assert_eq!(v.len(), len);
            assert!(v.iter().all(|&x| x == 7));
            let src: Vec<u64> = (0..len as u64).collect();
            assert_eq!(copied(&src), src);
            let e: Vec<u16> = with_capacity(len);
            assert!(e.is_empty() && e.capacity() >= len);
        }
    }
}
