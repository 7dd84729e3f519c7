//! Implied ratings: a tranche's loss or default probability at its average
//! life, compared with Moody's idealized default probabilities.
//!
//! Only the 10-year column of Moody's idealized cumulative default
//! probabilities is available to this project (the WARF rating factors /
//! 10,000, [`RatingTable::moodys_idealized_10y`]; see docs/ratings.md). The benchmark at another horizon T is the
//! constant-hazard interpolation `1 - (1 - PD10)^(T/10)`. Moody's idealized
//! expected-loss table is not used: with [`RatingBasis::ExpectedLoss`] the
//! tranche's expected loss is compared with the default-probability
//! benchmark, i.e. as if a default lost everything. That is lenient (a
//! tranche's expected loss is at most its default probability), which is
//! why [`RatingBasis::DefaultProbability`] is the default.

use serde::Serialize;

use crate::spec::RatingTable;

/// Which statistic of the tranche is compared with the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingBasis {
    /// P(loss): the share of paths on which the tranche loses anything.
    #[default]
    DefaultProbability,
    /// Expected loss as a fraction of notional (lenient: see module docs).
    ExpectedLoss,
}

impl RatingBasis {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            RatingBasis::DefaultProbability => "default_probability",
            RatingBasis::ExpectedLoss => "expected_loss",
        }
    }
}

/// The cumulative default probability of entry `rating` of `table` at
/// `years`, by constant hazard from the table's horizon.
pub fn idealized_pd(table: &RatingTable, rating: usize, years: f64) -> f64 {
    let pd = table.entries[rating].1;
    if pd >= 1.0 {
        return 1.0;
    }
    -((years / table.horizon_years) * (-pd).ln_1p()).exp_m1()
}

/// A tranche's implied rating.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImpliedRating {
    /// Statistic compared.
    pub basis: RatingBasis,
    /// Horizon in years (the tranche's mean WAL, else the legal final).
    pub horizon_years: f64,
    /// The tranche's statistic.
    pub metric: f64,
    /// Its Monte Carlo standard error.
    pub metric_se: f64,
    /// The best rating whose benchmark at the horizon is at least `metric`;
    /// the worst rating of the table when none is.
    pub rating: String,
    /// That rating's benchmark at the horizon.
    pub benchmark: f64,
    /// The benchmark of the next better rating (NaN for the best): the
    /// metric lies above it.
    pub better_benchmark: f64,
}

/// The best rating of `table` (best first) whose default probability at
/// `horizon_years` is at least `metric`.
pub fn implied_rating(
    table: &RatingTable,
    basis: RatingBasis,
    (metric, metric_se): (f64, f64),
    horizon_years: f64,
) -> ImpliedRating {
    let last = table.entries.len() - 1;
    let index = (0..=last)
        .find(|&r| idealized_pd(table, r, horizon_years) >= metric)
        .unwrap_or(last);
    ImpliedRating {
        basis,
        horizon_years,
        metric,
        metric_se,
        rating: table.entries[index].0.clone(),
        benchmark: idealized_pd(table, index, horizon_years),
        better_benchmark: match index {
            0 => f64::NAN,
            _ => idealized_pd(table, index - 1, horizon_years),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moodys() -> RatingTable {
        RatingTable::moodys_idealized_10y()
    }

    #[test]
    fn ten_years_reproduces_the_table() {
        let table = moodys();
        for (r, (_, pd)) in table.entries.iter().enumerate() {
            assert!((idealized_pd(&table, r, 10.0) - pd).abs() < 1e-15, "{r}");
        }
    }

    #[test]
    fn constant_hazard_between_years() {
        // Baa3 at 5 years: 1 - sqrt(1 - 0.061).
        let expected = 1.0 - (1.0 - 0.061_f64).sqrt();
        assert!((idealized_pd(&moodys(), 9, 5.0) - expected).abs() < 1e-15);
    }

    #[test]
    fn ratings_by_threshold() {
        let table = moodys();
        let at =
            |metric| implied_rating(&table, RatingBasis::DefaultProbability, (metric, 0.0), 10.0);
        assert_eq!(at(0.0).rating, "Aaa");
        assert_eq!(at(0.0001).rating, "Aaa");
        assert_eq!(at(0.000_100_1).rating, "Aa1");
        assert_eq!(at(0.05).rating, "Baa3");
        assert_eq!(at(0.9).rating, "Ca");
        assert_eq!(at(1.0).rating, "Ca");
        let baa3 = at(0.05);
        assert!(baa3.better_benchmark < 0.05 && 0.05 <= baa3.benchmark);
    }
}
