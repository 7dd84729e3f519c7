//! Statistics over per-path values, computed in path order so that results
//! do not depend on how paths were spread over threads.

/// A Monte Carlo estimate with its standard error: a mean ([`estimate`]) or
/// an expected shortfall ([`expected_shortfall_estimate`]).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// The estimate: the sample mean, or the tail mean.
    pub mean: f64,
    /// Its standard error: for a mean, sample sd / sqrt(n).
    pub se: f64,
}

impl Estimate {
    /// A statistic that does not apply (written as empty cells).
    pub const UNDEFINED: Estimate = Estimate {
        mean: f64::NAN,
        se: f64::NAN,
    };
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
        return Estimate::UNDEFINED;
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
    let Some(tail) = Tail::of(sorted, alpha) else {
        return f64::NAN;
    };
    let mut sum = CompensatedSum::default();
    for (weight, v) in tail.weighted() {
        sum.add(weight * v);
    }
    sum.value() / tail.size
}

/// [`expected_shortfall`] with the asymptotic standard error of the
/// empirical estimator, which counts the uncertainty of the VaR threshold
/// as well as the spread of the tail (Manistre, B. J. and Hancock, G. H.
/// (2005), "Variance of the CTE Estimator", North American Actuarial
/// Journal 9(2), 129-156; also Brazauskas, Jones, Puri and Zitikis (2008),
/// "Estimating conditional tail expectation with actuarial applications in
/// view", Journal of Statistical Planning and Inference 138(11)):
///
/// `Var(ES) ~ [Var(L | L >= VaR) + alpha (ES - VaR)^2] / (n (1 - alpha))`,
///
/// with `VaR = quantile(sorted, alpha)` and the tail variance taken with
/// the ES's own weights (the boundary value by its fraction). A tail whose
/// values all equal VaR (a tranche that loses nothing, or everything, in
/// the tail) has standard error exactly 0. NaN for no values; the standard
/// error is NaN too when the tail holds less than one whole value
/// (`n (1 - alpha) < 1`), where the tail says nothing about its spread.
pub fn expected_shortfall_estimate(sorted: &[f64], alpha: f64) -> Estimate {
    let mean = expected_shortfall(sorted, alpha);
    let se = match Tail::of(sorted, alpha) {
        Some(tail) if !tail.whole.is_empty() => tail.standard_error(quantile(sorted, alpha), alpha),
        _ => f64::NAN,
    };
    Estimate { mean, se }
}

/// The worst `(1 - alpha) n` of some sorted values: the largest `whole`
/// ones, and the next one with weight `fraction` (in units of one value).
struct Tail<'a> {
    whole: &'a [f64],
    boundary: Option<(f64, f64)>,
    /// The tail size m = (1 - alpha) n, the sum of the weights.
    size: f64,
}

impl<'a> Tail<'a> {
    /// The tail of `sorted` at level `alpha`; `None` for no values.
    fn of(sorted: &'a [f64], alpha: f64) -> Option<Self> {
        let n = sorted.len();
        if n == 0 {
            return None;
        }
        let size = (1.0 - alpha) * n as f64;
        let whole = (size.floor() as usize).min(n);
        let fraction = size - whole as f64;
        let boundary = (fraction > 0.0 && whole < n).then(|| (fraction, sorted[n - whole - 1]));
        Some(Tail {
            whole: &sorted[n - whole..],
            boundary,
            size,
        })
    }

    /// (weight, value) pairs: the whole values (weight 1), then the boundary.
    fn weighted(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.whole.iter().map(|&v| (1.0, v)).chain(self.boundary)
    }

    /// The Manistre-Hancock standard error (see
    /// [`expected_shortfall_estimate`]). Works with excesses over `var`, so
    /// that a tail equal to `var` gives exactly 0.
    fn standard_error(&self, var: f64, alpha: f64) -> f64 {
        let mut excess = CompensatedSum::default();
        for (weight, v) in self.weighted() {
            excess.add(weight * (v - var));
        }
        let excess = excess.value() / self.size; // ES - VaR
        let mut squares = CompensatedSum::default();
        for (weight, v) in self.weighted() {
            let deviation = v - var - excess;
            squares.add(weight * deviation * deviation);
        }
        let tail_variance = squares.value() / self.size;
        ((tail_variance + alpha * excess * excess) / self.size).sqrt()
    }
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

    /// Tolerance for results computed by hand to a few exact operations.
    const BY_HAND: f64 = 1e-12;

    #[test]
    fn expected_shortfall_se_of_twenty_squares() {
        // 1, 4, ..., 400; worst 25% (exactly 5 values): 256, 289, 324,
        // 361, 400, mean 326; VaR = 15th value = 225. Deviations -70, -37,
        // -2, 35, 74: tail variance 12974 / 5 = 2594.8. Variance of the ES:
        // (2594.8 + 0.75 * 101^2) / 5 = 10245.55 / 5 = 2049.11.
        let values: Vec<f64> = (1..=20).map(|i| f64::from(i * i)).collect();
        let es = expected_shortfall_estimate(&values, 0.75);
        assert_eq!(es.mean, expected_shortfall(&values, 0.75));
        assert!((es.mean - 326.0).abs() < BY_HAND, "{es:?}");
        assert!((es.se - 2049.11_f64.sqrt()).abs() < BY_HAND, "{es:?}");
    }

    #[test]
    fn expected_shortfall_se_weights_the_boundary() {
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        // Worst 15% (m = 1.5): 10 with weight 2/3, 9 with 1/3; ES 29/3,
        // VaR = 9th value = 9. Tail variance 2/3 (1/3)^2 + 1/3 (2/3)^2 =
        // 2/9; (ES - VaR)^2 = 4/9. Variance (2/9 + 0.85 * 4/9) / 1.5 = 0.4.
        let es = expected_shortfall_estimate(&values, 0.85);
        assert!((es.mean - 29.0 / 3.0).abs() < BY_HAND, "{es:?}");
        assert!((es.se - 0.4_f64.sqrt()).abs() < BY_HAND, "{es:?}");
        // Worst 20%: 9 and 10, VaR 8: (0.25 + 0.8 * 1.5^2) / 2 = 1.025.
        let es = expected_shortfall_estimate(&values, 0.8);
        assert!((es.mean - 9.5).abs() < BY_HAND, "{es:?}");
        assert!((es.se - 1.025_f64.sqrt()).abs() < BY_HAND, "{es:?}");
    }

    #[test]
    fn expected_shortfall_se_of_a_flat_tail_is_zero() {
        // A senior tranche that loses nothing, a first loss wiped out.
        let nothing = [0.0; 20];
        assert_eq!(
            expected_shortfall_estimate(&nothing, 0.9),
            Estimate { mean: 0.0, se: 0.0 }
        );
        let mut wiped = [0.0; 20];
        wiped[15..].fill(1.0);
        let es = expected_shortfall_estimate(&wiped, 0.85);
        assert_eq!(es.se, 0.0, "{es:?}");
        assert!((es.mean - 1.0).abs() < BY_HAND, "{es:?}");
    }

    #[test]
    fn expected_shortfall_se_needs_a_whole_tail_value() {
        let empty = expected_shortfall_estimate(&[], 0.99);
        assert!(empty.mean.is_nan() && empty.se.is_nan());
        // 50 values at 99%: the tail is half of the largest value.
        let values: Vec<f64> = (1..=50).map(f64::from).collect();
        let es = expected_shortfall_estimate(&values, 0.99);
        assert!((es.mean - 50.0).abs() < BY_HAND, "{es:?}");
        assert!(es.se.is_nan(), "{es:?}");
    }

    /// The formula against the spread of the ES over independent samples of
    /// a standard exponential, where it is known exactly: the tail over
    /// VaR is again exponential, so Var(ES) = (1 + 0.99) / (0.01 n).
    /// Relative tolerance 15%: the sd of 200 replications has a relative
    /// error of about 1 / sqrt(2 * 199) = 5%, so this is a 3-sigma check
    /// (significance about 0.003). The standard error that treats the tail
    /// as given, sqrt(1 / (0.01 n)), is 29% too small and would fail.
    #[test]
    fn expected_shortfall_se_matches_the_spread_over_replications() {
        use rand::rngs::ChaCha8Rng;
        use rand::{RngExt, SeedableRng};
        use rand_distr::Exp1;

        const REPLICATIONS: u64 = 200;
        const N: usize = 20_000;
        const TOLERANCE: f64 = 0.15;
        let mut rng = ChaCha8Rng::seed_from_u64(20_050_101);
        let mut draws = vec![0.0; N];
        let (mut values, mut ses) = (Vec::new(), Vec::new());
        for _ in 0..REPLICATIONS {
            draws.fill_with(|| rng.sample::<f64, _>(Exp1));
            draws.sort_by(f64::total_cmp);
            let es = expected_shortfall_estimate(&draws, 0.99);
            values.push(es.mean);
            ses.push(es.se);
        }
        let spread = estimate(&values).se * (REPLICATIONS as f64).sqrt();
        let formula = estimate(&ses).mean;
        let exact = (1.99 / (0.01 * N as f64)).sqrt();
        for (name, x) in [("spread over replications", spread), ("exact", exact)] {
            assert!(
                (formula / x - 1.0).abs() < TOLERANCE,
                "formula {formula} vs {name} {x} ({REPLICATIONS} x {N} draws)"
            );
        }
    }

    #[test]
    fn standard_error_of_a_known_sample() {
        let e = estimate(&[1.0, 2.0, 3.0, 4.0, f64::NAN]);
        assert_eq!(e.mean, 2.5);
        // sample variance 5/3, se = sqrt(5/3/4)
        assert!((e.se - (5.0_f64 / 12.0).sqrt()).abs() < 1e-15);
    }
}
