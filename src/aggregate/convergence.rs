//! How the headline estimates settle as paths accumulate: each tranche's
//! expected loss and probability of loss, with their standard errors,
//! after every block of paths (convergence.csv and its chart). The rows
//! depend only on the paths and the block size, so a run that stopped at a
//! target precision and a fixed run with the same final count give the
//! same rows.

use super::Outcomes;
use super::stats::{CompensatedSum, Estimate};
use crate::model::Model;

/// A mean and its standard error, updated one value at a time. The mean
/// is the compensated sum over the count, exactly as [`super::estimate`]
/// computes it over the same values; the variance is Welford's running
/// one, which agrees with the two-pass variance to rounding.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunningEstimate {
    sum: CompensatedSum,
    count: u64,
    mean: f64,
    squares: f64,
}

impl RunningEstimate {
    /// Adds one value (NaN, a value that does not apply, is skipped as
    /// [`super::estimate`] skips it).
    pub fn add(&mut self, value: f64) {
        if value.is_nan() {
            return;
        }
        self.sum.add(value);
        self.count += 1;
        let delta = value - self.mean;
        self.mean += delta / self.count as f64;
        self.squares += delta * (value - self.mean);
    }

    /// The mean so far and its standard error (NaN with fewer than two
    /// values; undefined with none).
    pub fn estimate(&self) -> Estimate {
        if self.count == 0 {
            return Estimate::UNDEFINED;
        }
        let n = self.count as f64;
        let se = if self.count > 1 {
            (self.squares.max(0.0) / (n - 1.0) / n).sqrt()
        } else {
            f64::NAN
        };
        Estimate {
            mean: self.sum.value() / n,
            se,
        }
    }
}

/// The headline metrics convergence.csv follows, by their summary.csv
/// names.
pub const CONVERGENCE_METRICS: [&str; 2] = ["expected_loss", "prob_loss"];

/// One tranche's running estimate of one metric after `paths` paths.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvergenceRow {
    /// Paths simulated so far (a multiple of the block, or the last path).
    pub paths: u64,
    /// Tranche name.
    pub tranche: String,
    /// One of [`CONVERGENCE_METRICS`].
    pub metric: &'static str,
    /// The estimate over the first `paths` paths.
    pub estimate: Estimate,
}

/// The running estimates of every tranche's headline metrics after each
/// `block` paths and after the last path, in order of paths, then tranche,
/// then metric. Under importance sampling each is the weighted mean
/// `(1/k) sum w x` over the first k paths, as summary.csv's (a weight of 1
/// leaves a value unchanged, so plain runs are as before).
pub fn convergence(model: &Model, outcomes: &Outcomes, block: u64) -> Vec<ConvergenceRow> {
    let block = block.max(1) as usize;
    let paths = outcomes.pool_loss.len();
    let mut running = vec![[RunningEstimate::default(); 2]; outcomes.tranches.len()];
    let mut rows = Vec::new();
    for path in 0..paths {
        let w = outcomes.weights.get(path).copied().unwrap_or(1.0);
        for (columns, estimates) in outcomes.tranches.iter().zip(&mut running) {
            let loss = columns.loss[path];
            estimates[0].add(w * loss);
            // As summary.csv's prob_loss (`exceedance`): a path without a
            // loss value counts as no loss.
            estimates[1].add(w * f64::from(loss > 0.0));
        }
        let done = path + 1;
        if done % block == 0 || done == paths {
            for (tranche, estimates) in model.liabilities.tranches.iter().zip(&running) {
                for (metric, estimate) in CONVERGENCE_METRICS.iter().zip(estimates) {
                    rows.push(ConvergenceRow {
                        paths: done as u64,
                        tranche: tranche.name.clone(),
                        metric,
                        estimate: estimate.estimate(),
                    });
                }
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::super::stats::estimate;
    use super::*;

    #[test]
    fn the_running_mean_is_the_two_pass_mean_and_the_se_agrees() {
        let values: Vec<f64> = (0..1_000)
            .map(|i| {
                if i % 7 == 0 {
                    f64::NAN
                } else {
                    ((i * 37) % 101) as f64 / 101.0
                }
            })
            .collect();
        let mut running = RunningEstimate::default();
        values.iter().for_each(|&v| running.add(v));
        let (a, b) = (running.estimate(), estimate(&values));
        assert_eq!(a.mean.to_bits(), b.mean.to_bits());
        assert!((a.se - b.se).abs() <= 1e-14 * b.se, "{} vs {}", a.se, b.se);
    }

    #[test]
    fn nothing_or_one_value_has_no_standard_error() {
        let mut running = RunningEstimate::default();
        assert!(running.estimate().mean.is_nan());
        running.add(0.25);
        assert_eq!(running.estimate().mean, 0.25);
        assert!(running.estimate().se.is_nan());
    }
}
