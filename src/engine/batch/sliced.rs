//! Bit-sliced (vertical) counters: 64 unsigned integers, one per lane, stored as `W` words
//! whose bit `l` of word `j` is bit `j` of lane `l`'s value (least significant word first). One
//! word operation then adds to, or counts down, all 64 lanes at once: the linear threshold's
//! per-lane counts of active sources in the block kernel (`super::linear`), and its per-lane
//! units still missing before an agent activates in the final-count kernel
//! (`strategy::bitpar`), where the borrow out of the top word says which lanes went below
//! zero.

/// The word that locates a counter in an arena of slices: its `start` (offset by one, so that
/// 0 means "no counter yet") and its `width` (at most 255 slices). The block kernels keep it as
/// an agent's fourth mask word.
#[inline]
pub(crate) fn slot(start: usize, width: u8) -> u64 {
    (start as u64 + 1) << 8 | u64::from(width)
}

/// The start and width of the counter that [`slot`]'s word locates.
#[inline]
pub(crate) fn unslot(word: u64) -> (usize, usize) {
    ((word >> 8) as usize - 1, (word & 0xff) as usize)
}

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

/// Subtracts `unit` from the lanes of `mask` of the counter `slices` (a ripple-borrow
/// subtractor over the slices, stopping once the borrow and the rest of `unit` are spent) and
/// returns the lanes of `mask` that went below zero (their values then wrap and mean
/// nothing). Costs **O(W)**, O(1) amortised for `unit == 1`.
#[inline]
pub(crate) fn sub(slices: &mut [u64], mask: u64, unit: u64) -> u64 {
    if unit == 1 {
        let mut borrow = mask;
        for s in slices.iter_mut() {
            let a = *s;
            *s = a ^ borrow;
            borrow &= !a;
            if borrow == 0 {
                return 0;
            }
        }
        return borrow;
    }
    let mut borrow = 0u64;
    let mut rest = unit;
    for s in slices.iter_mut() {
        if rest == 0 && borrow == 0 {
            return 0;
        }
        let b = if rest & 1 == 1 { mask } else { 0 };
        rest >>= 1;
        let a = *s;
        *s = a ^ b ^ borrow;
        borrow = (!a & (b | borrow)) | (b & borrow);
    }
    if rest != 0 { mask } else { borrow & mask }
}

/// Sets lane `lane` of `slices` to `value` (which must fit in the slices).
#[cfg(test)]
pub(crate) fn set_lane(slices: &mut [u64], lane: u32, value: u64) {
    let bit = 1u64 << lane;
    for (j, s) in slices.iter_mut().enumerate() {
        if (value >> j) & 1 == 1 {
            *s |= bit;
        } else {
            *s &= !bit;
        }
    }
}

/// Writes `value` into lane `lane` of `slices`, which holds 0 there (the bits are or-ed in;
/// `value` must fit in the slices). Costs one word operation per set bit of `value`.
#[inline]
pub(crate) fn or_lane(slices: &mut [u64], lane: u32, value: u64) {
    let mut x = value;
    while x != 0 {
        slices[x.trailing_zeros() as usize] |= 1 << lane;
        x &= x - 1;
    }
}

/// Writes `values[j]` into lane `16 chunk + j` of `slices`, for lanes that hold 0 (the bits
/// are or-ed in; `values` must fit in the slices). Costs **O(W)** word operations for the 16
/// lanes.
#[inline]
pub(crate) fn or_lanes16(slices: &mut [u64], chunk: usize, values: &[u64; 16]) {
    for (j, s) in slices.iter_mut().enumerate() {
        let mut bits = 0u64;
        for (i, &x) in values.iter().enumerate() {
            bits |= ((x >> j) & 1) << i;
        }
        *s |= bits << (16 * chunk);
    }
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
    fn sums_match_plain_integers_lane_by_lane() {
        // Random masks and units added to a 20-bit counter and to 64 plain integers: every
        // lane's value agrees after every addition.
        let mut s = Stream::new(5, Purpose::GraphAux, 0, 1);
        for unit_bits in [1u32, 3, 12] {
            let mut slices = [0u64; 20];
            let mut plain = [0u64; 64];
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
                for l in 0..64u32 {
                    assert_eq!(lane(&slices, l), plain[l as usize], "lane {l}");
                }
            }
            assert!(plain.iter().any(|&x| x > 0));
        }
    }

    #[test]
    fn countdowns_match_plain_integers_lane_by_lane() {
        // Random lane values in a 20-bit counter and 64 plain integers; random masks and
        // units subtracted from both, a lane leaving the masks once it went below zero (as in
        // the kernel): the lanes reported below zero are exactly the plain ones, and the
        // others' values agree.
        let mut s = Stream::new(5, Purpose::GraphAux, 0, 0);
        for unit_bits in [1u32, 3, 12] {
            // Values span about what 100 masks of half the lanes subtract, so some lanes go
            // below zero and some do not.
            let span = if unit_bits == 1 {
                100
            } else {
                50 * ((1 << unit_bits) + 1)
            };
            let mut slices = [0u64; 20];
            let mut plain = [0i64; 64];
            for l in 0..64u32 {
                let v = u64::from(s.next_word()) % span;
                set_lane(&mut slices, l, v);
                plain[l as usize] = v as i64;
            }
            let mut gone = 0u64;
            for _ in 0..100 {
                let mask = s.next_u64_raw() & !gone;
                let unit = if unit_bits == 1 {
                    1
                } else {
                    u64::from(s.next_word()) % (1 << unit_bits)
                };
                let below = sub(&mut slices, mask, unit);
                let mut want = 0u64;
                for (l, x) in plain.iter_mut().enumerate() {
                    if mask >> l & 1 == 1 {
                        *x -= unit as i64;
                        if *x < 0 {
                            want |= 1 << l;
                        }
                    }
                }
                assert_eq!(below, want);
                gone |= below;
                for l in 0..64u32 {
                    if gone >> l & 1 == 0 {
                        assert_eq!(lane(&slices, l) as i64, plain[l as usize], "lane {l}");
                    }
                }
            }
            assert!(
                gone != 0 && gone != u64::MAX,
                "{gone:x} (unit bits {unit_bits})"
            );
        }
        // or_lanes16 writes the values of one chunk as set_lane would, lane by lane.
        let values: [u64; 16] = std::array::from_fn(|j| (j as u64 * 37) % 1000);
        let mut chunked = [0u64; 10];
        let mut by_lane = [0u64; 10];
        or_lanes16(&mut chunked, 2, &values);
        for (j, &x) in values.iter().enumerate() {
            set_lane(&mut by_lane, 32 + j as u32, x);
        }
        assert_eq!(chunked, by_lane);
        let mut one_by_one = [0u64; 10];
        for (j, &x) in values.iter().enumerate() {
            or_lane(&mut one_by_one, 32 + j as u32, x);
        }
        assert_eq!(one_by_one, by_lane);
        assert_eq!(lane(&chunked, 33), 37);
        // A unit wider than the counter takes every lane of the mask below zero.
        let mut narrow = [u64::MAX; 3];
        assert_eq!(sub(&mut narrow, 0b1010, 8), 0b1010);
    }
}
