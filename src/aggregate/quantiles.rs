//! Quantiles on a fixed probability grid with order-statistic confidence
//! intervals, and fixed-bin histograms of loss fractions.

use super::{CompensatedSum, quantile};

/// Probabilities at which quantiles.csv reports every distribution.
pub const PROBABILITY_GRID: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999,
];

/// Two-sided 95% standard normal quantile.
const Z_95: f64 = 1.959_963_984_540_054;

/// A quantile with a distribution-free 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuantileEstimate {
    /// Probability p.
    pub probability: f64,
    /// The p-quantile (inverse empirical distribution function).
    pub value: f64,
    /// Lower end of the 95% confidence interval.
    pub ci_low: f64,
    /// Upper end of the 95% confidence interval.
    pub ci_high: f64,
}

/// The p-quantile of sorted values with its order-statistic confidence
/// interval: the number of values at or below the true quantile is
/// Binomial(n, p), so `[x_(l), x_(u)]` with ranks
/// `l = floor(np - z sqrt(np(1-p)))`, `u = ceil(np + z sqrt(np(1-p)))`
/// (1-based, clamped to 1..n) covers it with probability about 95% (normal
/// approximation to the binomial). NaNs when there are no values.
pub fn quantile_with_interval(sorted: &[f64], p: f64) -> QuantileEstimate {
    let n = sorted.len();
    if n == 0 {
        return QuantileEstimate {
            probability: p,
            value: f64::NAN,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
        };
    }
    let centre = n as f64 * p;
    let spread = Z_95 * (centre * (1.0 - p)).sqrt();
    let rank = |r: f64| (r.max(1.0) as usize).min(n);
    QuantileEstimate {
        probability: p,
        value: quantile(sorted, p),
        ci_low: sorted[rank((centre - spread).floor()) - 1],
        ci_high: sorted[rank((centre + spread).ceil()) - 1],
    }
}

/// Quantiles of sorted values at every probability of [`PROBABILITY_GRID`].
pub fn grid_quantiles(sorted: &[f64]) -> Vec<QuantileEstimate> {
    PROBABILITY_GRID
        .iter()
        .map(|&p| quantile_with_interval(sorted, p))
        .collect()
}

/// Width of the loss histogram's bins (fraction of notional).
pub const BIN_WIDTH: f64 = 0.05;

/// One histogram bin of loss fractions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bin {
    /// Lower edge (excluded, except for the zero bin).
    pub low: f64,
    /// Upper edge (included).
    pub high: f64,
    /// Paths in the bin.
    pub count: u64,
    /// count / paths (weighted frequency under importance sampling).
    pub probability: f64,
}

/// Histogram of loss fractions in [0, 1]: a bin for exactly zero, then
/// `(0, 0.05], (0.05, 0.10], ..., (0.95, 1]`. Values are clamped to [0, 1];
/// NaNs are not counted.
pub fn loss_histogram(losses: &[f64]) -> Vec<Bin> {
    weighted_loss_histogram(losses, None)
}

/// [`loss_histogram`] of importance-sampled paths (`weights`, one per
/// path, or `None` for plain sampling): `count` is still the paths drawn
/// in the bin, `probability` the weighted frequency `(1/n) sum w 1{bin}`
/// over the n defined values (docs/model.md, "Importance sampling").
pub fn weighted_loss_histogram(losses: &[f64], weights: Option<&[f64]>) -> Vec<Bin> {
    let bins = (1.0 / BIN_WIDTH).round() as usize;
    let mut counts = vec![0u64; bins + 1];
    let mut weighted = vec![CompensatedSum::default(); bins + 1];
    let mut total = 0u64;
    for (i, &loss) in losses.iter().enumerate().filter(|(_, v)| !v.is_nan()) {
        total += 1;
        let loss = loss.clamp(0.0, 1.0);
        let index = if loss == 0.0 {
            0
        } else {
            // (low, high]: ceil puts an edge value in the bin below it.
            ((loss / BIN_WIDTH).ceil() as usize).clamp(1, bins)
        };
        counts[index] += 1;
        if let Some(w) = weights {
            weighted[index].add(w[i]);
        }
    }
    counts
        .iter()
        .zip(&weighted)
        .enumerate()
        .map(|(i, (&count, sum))| Bin {
            low: if i == 0 {
                0.0
            } else {
                (i - 1) as f64 / bins as f64
            },
            high: i as f64 / bins as f64,
            count,
            probability: match (total, weights) {
                (0, _) => f64::NAN,
                (_, None) => count as f64 / total as f64,
                (_, Some(_)) => sum.value() / total as f64,
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_brackets_the_quantile() {
        let values: Vec<f64> = (1..=1000).map(f64::from).collect();
        let q = quantile_with_interval(&values, 0.99);
        assert_eq!(q.value, 990.0);
        // np = 990, z sqrt(np(1-p)) = 6.17: ranks 983 and 997.
        assert_eq!((q.ci_low, q.ci_high), (983.0, 997.0));
        let top = quantile_with_interval(&values, 0.999);
        assert_eq!(top.ci_high, 1000.0);
    }

    #[test]
    fn histogram_edges_and_total() {
        let bins = loss_histogram(&[0.0, 0.05, 0.050_001, 1.0, 0.0, f64::NAN]);
        assert_eq!(bins.len(), 21);
        assert_eq!(bins[0].count, 2);
        assert_eq!(bins[1].count, 1, "0.05 is in (0, 0.05]");
        assert_eq!(bins[2].count, 1);
        assert_eq!(bins[20].count, 1);
        let total: f64 = bins.iter().map(|b| b.probability).sum();
        assert!((total - 1.0).abs() < 1e-12);
    }
}
