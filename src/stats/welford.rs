//! Welford's running mean and variance, numerically stable in one pass.

/// A running mean and sum of squared deviations (Welford 1962).
///
/// Each [`push`](Welford::push) costs **O(1)**. The result depends on the order of the values;
/// push them in a fixed order (replicate index) for reproducible bits.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Welford {
    /// Values seen.
    n: u64,
    /// Mean of the values seen; 0 while `n = 0`.
    mean: f64,
    /// Sum of squared deviations from the current mean; always `>= 0` up to rounding.
    m2: f64,
}

impl Welford {
    /// An empty accumulator.
    pub fn new() -> Welford {
        Welford::default()
    }

    /// Adds one value.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Number of values pushed.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// The mean, or `NaN` when no value was pushed.
    pub fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.mean }
    }

    /// The sample variance with the `n - 1` divisor: `NaN` for `n = 0`, 0 for `n = 1`.
    pub fn variance(&self) -> f64 {
        match self.n {
            0 => f64::NAN,
            1 => 0.0,
            n => (self.m2 / (n - 1) as f64).max(0.0),
        }
    }

    /// The sample standard deviation, `sqrt(variance)`.
    pub fn sd(&self) -> f64 {
        self.variance().sqrt()
    }

    /// The accumulator's state `(n, mean, m2)`, to save it (a checkpoint) and restore it
    /// with [`from_parts`](Welford::from_parts) bit for bit.
    pub fn parts(&self) -> (u64, f64, f64) {
        (self.n, self.mean, self.m2)
    }

    /// The accumulator whose state is `(n, mean, m2)`, as [`parts`](Welford::parts) gave it.
    pub fn from_parts(n: u64, mean: f64, m2: f64) -> Welford {
        Welford { n, mean, m2 }
    }
}

impl Extend<f64> for Welford {
    fn extend<I: IntoIterator<Item = f64>>(&mut self, iter: I) {
        for x in iter {
            self.push(x);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(values: &[f64], mean: f64, variance: f64) {
        let mut w = Welford::new();
        w.extend(values.iter().copied());
        assert_eq!(w.count(), values.len() as u64);
        assert!(
            (w.mean() - mean).abs() <= 1e-12 * mean.abs().max(1.0),
            "{values:?}"
        );
        assert!(
            (w.variance() - variance).abs() <= 1e-9 * variance.abs().max(1e-30),
            "{values:?}: variance {} != {variance}",
            w.variance()
        );
    }

    #[test]
    fn known_values() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squared deviations 32, sample variance 32/7.
        check(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], 5.0, 32.0 / 7.0);
        check(&[3.5], 3.5, 0.0);
        check(&[1.0, 1.0, 1.0], 1.0, 0.0);
    }

    #[test]
    fn large_offset_keeps_precision() {
        // The naive sum-of-squares formula loses every digit here: values 1e9 + {4, 7, 13, 16}
        // have mean 1e9 + 10 and sample variance (36 + 9 + 9 + 36) / 3 = 30.
        check(
            &[1e9 + 4.0, 1e9 + 7.0, 1e9 + 13.0, 1e9 + 16.0],
            1e9 + 10.0,
            30.0,
        );
    }

    #[test]
    fn empty_is_nan() {
        let w = Welford::new();
        assert!(w.mean().is_nan());
        assert!(w.variance().is_nan());
    }
}
