//! Compensated (Neumaier) summation of decimals, for `sum` and `avg`.
//!
//! Adding two-decimal amounts one after another in binary floating point
//! drifts: a million of them can sum to `8421229.03000001`. A [`Sum`] keeps
//! the low-order bits each addition loses in a second number and adds them
//! back at the end, so the total is the correctly rounded sum of the values
//! in all but contrived cases, and shows as the decimal a person expects.

/// A running compensated sum.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sum {
    sum: f64,
    /// What the additions so far lost to rounding.
    lost: f64,
}

impl Sum {
    /// Adds `x`.
    #[inline(always)]
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        self.lost += if self.sum.abs() >= x.abs() {
            (self.sum - t) + x
        } else {
            (x - t) + self.sum
        };
        self.sum = t;
    }

    /// Adds another partial sum (a later morsel's).
    pub fn merge(&mut self, other: Sum) {
        self.add(other.sum);
        self.lost += other.lost;
    }

    /// The total. An infinite or NaN running sum is returned as it is (the
    /// lost part would be NaN).
    pub fn value(self) -> f64 {
        if self.sum.is_finite() {
            self.sum + self.lost
        } else {
            self.sum
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Sum;

    #[test]
    fn money_sums_without_float_noise() {
        let mut naive = 0.0;
        let mut sum = Sum::default();
        for i in 0..1_000_000u64 {
            let x = (i % 1000) as f64 / 100.0 + 3.03;
            naive += x;
            sum.add(x);
        }
        // The exact total is 4,995,000 + 3,030,000 = 8,025,000.
        assert_eq!(sum.value(), 8_025_000.0);
        assert_ne!(naive, 8_025_000.0, "the naive sum drifts");
    }

    #[test]
    fn merged_parts_equal_one_pass() {
        let values: Vec<f64> = (0..10_000).map(|i| 0.1 + i as f64 * 0.01).collect();
        let mut whole = Sum::default();
        values.iter().for_each(|&x| whole.add(x));
        let (mut a, mut b) = (Sum::default(), Sum::default());
        values[..3_333].iter().for_each(|&x| a.add(x));
        values[3_333..].iter().for_each(|&x| b.add(x));
        a.merge(b);
        assert_eq!(a.value(), whole.value());
    }

    #[test]
    fn infinities_stay_infinite() {
        let mut s = Sum::default();
        s.add(f64::MAX);
        s.add(f64::MAX);
        assert_eq!(s.value(), f64::INFINITY);
    }
}
