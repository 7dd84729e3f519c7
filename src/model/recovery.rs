//! Recovery-rate laws: a fixed rate, or a Beta law sampled through a
//! precomputed quantile table.
//!
//! A Beta quantile costs microseconds (an incomplete-beta inversion), too
//! much for every default of every path, so each distinct law is tabulated
//! once at `TABLE_INTERVALS + 1` equally spaced probabilities and sampled by
//! linear interpolation. The table's accuracy is pinned by a test.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::beta_inverse::{bisect_beta_reg, inverse_beta_reg};

/// Number of intervals of a quantile table.
pub const TABLE_INTERVALS: usize = 4096;

/// Beta tables built so far in this process, by the bits of their mean and
/// sd: a table costs thousands of incomplete-beta inversions (milliseconds),
/// and sizing, sweeps and scenarios compile the same laws many times. A
/// table depends on its mean and sd alone, so a cached one is the one that
/// would be built.
static TABLES: OnceLock<Mutex<TablesByMoments>> = OnceLock::new();

/// Tables by the bits of their mean and sd.
type TablesByMoments = HashMap<(u64, u64), Arc<QuantileTable>>;

/// The cache is emptied when it holds this many tables (32 KB each).
const CACHED_TABLES: usize = 256;

/// The law of a loan's recovery rate.
#[derive(Debug, Clone, PartialEq)]
pub enum RecoveryLaw {
    /// Always this rate.
    Fixed(f64),
    /// Beta law given by its quantile table (shared between identical laws).
    Beta(Arc<QuantileTable>),
}

impl RecoveryLaw {
    /// The law with this mean and standard deviation: fixed when the sd is 0,
    /// otherwise the Beta law with these moments. `None` if no Beta law has
    /// them (sd^2 >= mean (1 - mean)).
    pub fn from_moments(mean: f64, sd: f64) -> Option<RecoveryLaw> {
        if sd == 0.0 {
            return Some(RecoveryLaw::Fixed(mean));
        }
        let key = (mean.to_bits(), sd.to_bits());
        // A poisoned lock still holds complete tables (each is inserted
        // whole), so it is used as it is.
        let tables = || {
            let cache = TABLES.get_or_init(Default::default);
            cache
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        if let Some(table) = tables().get(&key) {
            return Some(RecoveryLaw::Beta(Arc::clone(table)));
        }
        // Built outside the lock, so that threads compiling other laws do
        // not wait.
        let table = Arc::new(QuantileTable::beta(mean, sd)?);
        let mut cache = tables();
        if cache.len() >= CACHED_TABLES {
            cache.clear();
        }
        cache.insert(key, Arc::clone(&table));
        Some(RecoveryLaw::Beta(table))
    }

    /// Whether sampling the law needs a random number.
    pub fn is_random(&self) -> bool {
        matches!(self, RecoveryLaw::Beta(_))
    }

    /// Mean recovery rate of the law as sampled (for a Beta law, the mean of
    /// its interpolated quantile table, by the trapezoid rule).
    pub fn mean(&self) -> f64 {
        match self {
            RecoveryLaw::Fixed(rate) => *rate,
            RecoveryLaw::Beta(table) => {
                let v = &table.values;
                (v.iter().sum::<f64>() - 0.5 * (v[0] + v[v.len() - 1])) / TABLE_INTERVALS as f64
            }
        }
    }

    /// The recovery rate at probability level `u` in [0, 1].
    pub fn quantile(&self, u: f64) -> f64 {
        match self {
            RecoveryLaw::Fixed(rate) => *rate,
            RecoveryLaw::Beta(table) => table.quantile(u),
        }
    }
}

/// Quantiles of a law at probabilities `j / TABLE_INTERVALS`.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantileTable {
    values: Vec<f64>,
}

impl QuantileTable {
    /// The table of the Beta law with this mean and standard deviation.
    fn beta(mean: f64, sd: f64) -> Option<QuantileTable> {
        let (alpha, beta) = beta_shapes(mean, sd)?;
        let values = (0..=TABLE_INTERVALS)
            .map(|j| {
                let p = j as f64 / TABLE_INTERVALS as f64;
                inverse_beta_reg(alpha, beta, p).or_else(|| bisect_beta_reg(alpha, beta, p))
            })
            .collect::<Option<Vec<f64>>>()?;
        Some(QuantileTable { values })
    }

    /// Linear interpolation in the table; `u` is clamped to [0, 1].
    pub fn quantile(&self, u: f64) -> f64 {
        let position = u.clamp(0.0, 1.0) * TABLE_INTERVALS as f64;
        let j = (position as usize).min(TABLE_INTERVALS - 1);
        let weight = position - j as f64;
        self.values[j] + weight * (self.values[j + 1] - self.values[j])
    }
}

/// Beta shape parameters from mean m and sd s: with
/// nu = m (1 - m) / s^2 - 1, alpha = m nu and beta = (1 - m) nu.
pub fn beta_shapes(mean: f64, sd: f64) -> Option<(f64, f64)> {
    let nu = mean * (1.0 - mean) / (sd * sd) - 1.0;
    let shapes = (mean * nu, (1.0 - mean) * nu);
    (shapes.0 > 0.0 && shapes.1 > 0.0 && shapes.0.is_finite() && shapes.1.is_finite())
        .then_some(shapes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::{Beta, ContinuousCDF};

    /// Moments that made the incomplete-beta inversion loop for ever now
    /// give a table at once, and every feasible law has one: a quantile
    /// table in [0, 1] that does not decrease.
    #[test]
    fn extreme_moments_end() {
        for (mean, sd) in [(0.5, 1e-9), (1e-12, 1e-7), (0.45, 0.2 * 1e-4)] {
            assert!(
                RecoveryLaw::from_moments(mean, sd).is_some(),
                "mean {mean} sd {sd}"
            );
        }
        for mean in [0.001_f64, 0.01, 0.2, 0.5, 0.9, 0.999] {
            let limit = (mean * (1.0 - mean)).sqrt();
            for sd in [0.001, 0.01, 0.5 * limit, 0.99 * limit, limit * (1.0 - 1e-9)] {
                if sd >= limit || sd < 0.001 {
                    continue;
                }
                let table = QuantileTable::beta(mean, sd).expect("a Beta law");
                let v = &table.values;
                assert!(
                    v.windows(2).all(|w| w[0] <= w[1]) && v[0] >= 0.0 && v[TABLE_INTERVALS] <= 1.0,
                    "mean {mean} sd {sd}"
                );
            }
        }
    }

    /// The table's mean and sd match the target moments (trapezoid rule over
    /// the quantile function), and interpolated quantiles match exact ones.
    #[test]
    fn beta_table_reproduces_moments_and_quantiles() {
        let (mean, sd) = (0.729, 0.22);
        let law = RecoveryLaw::from_moments(mean, sd).unwrap();
        let n = 200_000;
        let samples: Vec<f64> = (0..n)
            .map(|i| law.quantile((i as f64 + 0.5) / n as f64))
            .collect();
        let sample_mean = samples.iter().sum::<f64>() / n as f64;
        let sample_var = samples
            .iter()
            .map(|x| (x - sample_mean).powi(2))
            .sum::<f64>()
            / n as f64;
        assert!((sample_mean - mean).abs() < 2e-5, "mean {sample_mean}");
        assert!(
            (sample_var.sqrt() - sd).abs() < 2e-4,
            "sd {}",
            sample_var.sqrt()
        );

        let (a, b) = beta_shapes(mean, sd).unwrap();
        let exact = Beta::new(a, b).unwrap();
        for u in [0.001, 0.01, 0.1, 0.5, 0.9, 0.99] {
            let error = (law.quantile(u) - exact.inverse_cdf(u)).abs();
            assert!(error < 1e-4, "u {u}: error {error}");
        }
    }

    /// Compiling a law again shares the table built the first time, which
    /// equals a table built afresh.
    #[test]
    fn beta_tables_are_built_once_per_process() {
        let (mean, sd) = (0.61, 0.19);
        let (Some(RecoveryLaw::Beta(first)), Some(RecoveryLaw::Beta(again))) = (
            RecoveryLaw::from_moments(mean, sd),
            RecoveryLaw::from_moments(mean, sd),
        ) else {
            panic!("Beta laws");
        };
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(*first, QuantileTable::beta(mean, sd).unwrap());
    }

    #[test]
    fn infeasible_moments_have_no_beta_law() {
        assert!(RecoveryLaw::from_moments(0.5, 0.5).is_none());
        assert_eq!(
            RecoveryLaw::from_moments(0.4, 0.0),
            Some(RecoveryLaw::Fixed(0.4))
        );
    }
}
