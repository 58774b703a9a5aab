//! A bit-sliced (vertical) counter: 64 lanes' counts held as bit planes, plane `k` holding bit
//! `k` of every lane's count, so adding one to the lanes of a mask costs a ripple of a few word
//! operations whatever the number of lanes. The linear threshold's block kernel counts each
//! candidate's active sources per lane with it; other 64-lane kernels may use it too.

/// Per-lane counts of up to 64 lanes, as bit planes.
#[derive(Debug, Clone)]
pub struct SlicedCounter {
    planes: [u64; 64],
    /// Planes in use: every count is below `2^used`.
    used: usize,
}

impl Default for SlicedCounter {
    fn default() -> Self {
        SlicedCounter {
            planes: [0; 64],
            used: 0,
        }
    }
}

impl SlicedCounter {
    /// Every lane's count back to 0. **O(1)**.
    #[inline]
    pub fn clear(&mut self) {
        self.used = 0;
    }

    /// Adds 1 to the count of every lane in `lanes`: a ripple-carry add over the planes,
    /// **O(1)** on average (the carry rarely travels far), at most `log2` of the largest
    /// count.
    #[inline]
    pub fn add(&mut self, mut lanes: u64) {
        let mut k = 0;
        while lanes != 0 {
            if k == self.used {
                self.planes[k] = 0;
                self.used += 1;
            }
            let p = self.planes[k];
            self.planes[k] = p ^ lanes;
            lanes &= p;
            k += 1;
        }
    }

    /// Lane `lane`'s count (`lane` below 64). **O(planes in use)**.
    #[inline]
    pub fn count(&self, lane: usize) -> u64 {
        self.planes[..self.used]
            .iter()
            .enumerate()
            .fold(0, |acc, (k, &p)| acc | (p >> lane & 1) << k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_equal_the_lanes_added_one_by_one() {
        // Masks from a fixed xorshift sequence; a lane's expected count is how many masks had
        // its bit, counted bit by bit here, independently of the planes.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut c = SlicedCounter::default();
        for round in 0..3 {
            c.clear();
            let mut expect = [0u64; 64];
            let adds = [1usize, 7, 1000][round];
            for _ in 0..adds {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let m = if round == 1 { x & 0xff00 } else { x };
                for (l, e) in expect.iter_mut().enumerate() {
                    *e += m >> l & 1;
                }
                c.add(m);
            }
            for (l, &e) in expect.iter().enumerate() {
                assert_eq!(c.count(l), e, "round {round}, lane {l}");
            }
        }
        // All 64 lanes 300 times: 300 in every lane (9 planes).
        c.clear();
        for _ in 0..300 {
            c.add(u64::MAX);
        }
        assert!((0..64).all(|l| c.count(l) == 300));
    }
}
