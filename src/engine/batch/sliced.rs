//! Bit-sliced (vertical) counters: 64 unsigned integers, one per lane, stored as `W` words
//! whose bit `l` of word `j` is bit `j` of lane `l`'s value (least significant word first). One
//! word operation then adds to, or compares, all 64 lanes at once: the linear threshold's
//! per-lane counts of active sources, in the final-count kernel (`strategy::bitpar`) and in
//! the block kernel (`super::linear`).

/// The number of slices that hold every value up to `max` (0 for `max == 0`).
#[inline]
pub(crate) fn width(max: u64) -> usize {
    (u64::BITS - max.leading_zeros()) as usize
}

/// Adds `unit` to the lanes of `mask` of the counter `slices` (a ripple-carry adder over the
/// slices, stopping once the carry and the rest of `unit` are spent). The caller sizes
/// `slices` so that no lane overflows. Costs **O(W)**, O(1) amortised for `unit == 1`.
#[inline]
pub(crate) fn add(slices: &mut [u64], mask: u64, unit: u64) {
    if unit == 1 {
        let mut carry = mask;
        for s in slices.iter_mut() {
            let c = *s;
            *s = c ^ carry;
            carry &= c;
            if carry == 0 {
                return;
            }
        }
        debug_assert_eq!(carry, 0, "a bit-sliced counter overflowed");
        return;
    }
    let mut carry = 0u64;
    let mut rest = unit;
    for s in slices.iter_mut() {
        if rest == 0 && carry == 0 {
            return;
        }
        let b = if rest & 1 == 1 { mask } else { 0 };
        rest >>= 1;
        let c = *s;
        *s = c ^ b ^ carry;
        carry = (c & b) | (carry & (c ^ b));
    }
    debug_assert!(rest == 0 && carry == 0, "a bit-sliced counter overflowed");
}

/// The lanes in which the counter `a` is at least `b` (both of the same width): a comparator
/// from the most significant slice down. Costs **O(W)**.
#[inline]
pub(crate) fn at_least(a: &[u64], b: &[u64]) -> u64 {
    debug_assert_eq!(a.len(), b.len());
    let mut greater = 0u64;
    let mut equal = u64::MAX;
    for (&x, &y) in a.iter().zip(b).rev() {
        greater |= equal & x & !y;
        equal &= !(x ^ y);
    }
    greater | equal
}

/// Sets lane `lane` of `slices` to `value` (which must fit in the slices).
#[inline]
pub(crate) fn set_lane(slices: &mut [u64], lane: u32, value: u64) {
    let bit = 1u64 << lane;
    for (j, s) in slices.iter_mut().enumerate() {
        if (value >> j) & 1 == 1 {
            *s |= bit;
        } else {
            *s &= !bit;
        }
    }
    debug_assert!(slices.len() >= 64 || value >> slices.len() == 0);
}

/// Lane `lane`'s value. Costs **O(W)**.
#[inline]
pub(crate) fn lane(slices: &[u64], lane: u32) -> u64 {
    slices
        .iter()
        .enumerate()
        .map(|(j, &s)| ((s >> lane) & 1) << j)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, Stream};

    #[test]
    fn widths_hold_their_maximum() {
        assert_eq!(width(0), 0);
        assert_eq!(width(1), 1);
        assert_eq!(width(7), 3);
        assert_eq!(width(8), 4);
        assert_eq!(width(u64::MAX), 64);
    }

    #[test]
    fn sums_and_comparisons_match_plain_integers_lane_by_lane() {
        // Random masks and units added to a 20-bit counter and to 64 plain integers, and
        // random lane values set beside them: every lane's value and every comparison agree.
        let mut s = Stream::new(5, Purpose::GraphAux, 0, 0);
        for unit_bits in [1u32, 3, 12] {
            let mut slices = [0u64; 20];
            let mut plain = [0u64; 64];
            let mut other = [0u64; 20];
            let mut other_plain = [0u64; 64];
            // The other side spans twice the counters' expected end (100 masks of half the
            // lanes, of mean unit (2^bits + 1) / 2 or 1), so both outcomes occur.
            let span = if unit_bits == 1 {
                100
            } else {
                50 * ((1 << unit_bits) + 1)
            };
            for l in 0..64u32 {
                let v = u64::from(s.next_word()) % span;
                set_lane(&mut other, l, v);
                other_plain[l as usize] = v;
            }
            for _ in 0..100 {
                let mask = s.next_u64_raw();
                let unit = if unit_bits == 1 {
                    1
                } else {
                    u64::from(s.next_word()) % (1 << unit_bits)
                };
                add(&mut slices, mask, unit);
                for (l, x) in plain.iter_mut().enumerate() {
                    if mask >> l & 1 == 1 {
                        *x += unit;
                    }
                }
                let ge = at_least(&slices, &other);
                for l in 0..64u32 {
                    assert_eq!(lane(&slices, l), plain[l as usize], "lane {l}");
                    assert_eq!(
                        ge >> l & 1 == 1,
                        plain[l as usize] >= other_plain[l as usize],
                        "lane {l}"
                    );
                }
            }
            // Lanes actually reached both sides of the comparison.
            let ge = at_least(&slices, &other);
            assert!(ge != 0 && ge != u64::MAX, "{ge:x} (unit bits {unit_bits})");
        }
    }
}
