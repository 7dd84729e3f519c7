//! Statistics over per-path values, computed in path order so that results
//! do not depend on how paths were spread over threads.

/// A Monte Carlo estimate of a mean with its standard error.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// Sample mean.
    pub mean: f64,
    /// Standard error of the mean: sample sd / sqrt(n).
    pub se: f64,
}

/// Mean and standard error of `values`, ignoring NaNs (which mark "not
/// defined on this path"). Sums are compensated (Neumaier) and taken in
/// order, so the result is reproducible bit for bit.
pub fn estimate(values: &[f64]) -> Estimate {
    let mut sum = CompensatedSum::default();
    let mut count = 0usize;
    for &v in values.iter().filter(|v| !v.is_nan()) {
        sum.add(v);
        count += 1;
    }
    if count == 0 {
        return Estimate {
            mean: f64::NAN,
            se: f64::NAN,
        };
    }
    let mean = sum.value() / count as f64;
    let mut squares = CompensatedSum::default();
    for &v in values.iter().filter(|v| !v.is_nan()) {
        squares.add((v - mean) * (v - mean));
    }
    let se = if count > 1 {
        (squares.value() / (count - 1) as f64 / count as f64).sqrt()
    } else {
        f64::NAN
    };
    Estimate { mean, se }
}

/// Share of values strictly above `threshold`, with its standard error.
pub fn exceedance(values: &[f64], threshold: f64) -> Estimate {
    let indicators: Vec<f64> = values
        .iter()
        .map(|&v| if v > threshold { 1.0 } else { 0.0 })
        .collect();
    estimate(&indicators)
}

/// Values without NaNs, sorted ascending (total order).
pub fn sorted(values: &[f64]) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    sorted.sort_by(f64::total_cmp);
    sorted
}

/// The p-quantile of sorted values: the smallest value x with at least a
/// share p of the values at or below x, i.e. `sorted[ceil(n p) - 1]`
/// (the inverse of the empirical distribution function). NaN if empty.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Expected shortfall at level `alpha` of sorted losses: the mean of the
/// worst `(1 - alpha) n` values, the boundary value entering with its
/// fractional weight so that the measure is coherent for any n.
pub fn expected_shortfall(sorted: &[f64], alpha: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let tail = (1.0 - alpha) * n as f64;
    let whole = (tail.floor() as usize).min(n);
    let mut sum = CompensatedSum::default();
    for &v in &sorted[n - whole..] {
        sum.add(v);
    }
    let fraction = tail - whole as f64;
    if fraction > 0.0 && whole < n {
        sum.add(fraction * sorted[n - whole - 1]);
    }
    sum.value() / tail
}

/// Neumaier's compensated summation.
#[derive(Debug, Clone, Copy, Default)]
pub struct CompensatedSum {
    sum: f64,
    compensation: f64,
}

impl CompensatedSum {
    /// Adds one value.
    pub fn add(&mut self, value: f64) {
        let total = self.sum + value;
        self.compensation += if self.sum.abs() >= value.abs() {
            (self.sum - total) + value
        } else {
            (value - total) + self.sum
        };
        self.sum = total;
    }

    /// The sum so far.
    pub fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_inverts_the_empirical_cdf() {
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(quantile(&values, 0.5), 5.0);
        assert_eq!(quantile(&values, 0.51), 6.0);
        assert_eq!(quantile(&values, 0.9), 9.0);
        assert_eq!(quantile(&values, 0.99), 10.0);
        assert_eq!(quantile(&values, 0.0), 1.0);
    }

    #[test]
    fn expected_shortfall_weights_the_boundary() {
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        // Worst 20%: 9 and 10.
        assert!((expected_shortfall(&values, 0.8) - 9.5).abs() < 1e-12);
        // Worst 15%: 10 and half of 9 -> (10 + 4.5) / 1.5.
        assert!((expected_shortfall(&values, 0.85) - 14.5 / 1.5).abs() < 1e-12);
    }

    #[test]
    fn standard_error_of_a_known_sample() {
        let e = estimate(&[1.0, 2.0, 3.0, 4.0, f64::NAN]);
        assert_eq!(e.mean, 2.5);
        // sample variance 5/3, se = sqrt(5/3/4)
        assert!((e.se - (5.0_f64 / 12.0).sqrt()).abs() < 1e-15);
    }
}
