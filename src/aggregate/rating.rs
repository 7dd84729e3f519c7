//! Implied ratings: a tranche's default probability or expected loss at its
//! average life, compared with idealized tables (docs/ratings.md).
//!
//! Two kinds of table ([`IdealizedTable`]):
//!
//! - the bundled default, the 10-year column of Moody's idealized
//!   cumulative default probabilities (the WARF rating factors / 10,000,
//!   [`RatingTable::moodys_idealized_10y`]), taken to a horizon T at a
//!   constant hazard, `1 - (1 - PD10)^(T/10)` ([`idealized_pd`]). It has no
//!   expected-loss table: with [`RatingBasis::ExpectedLoss`] the tranche's
//!   expected loss is compared with the default-probability benchmark, i.e.
//!   as if a default lost everything. That is lenient (a tranche's expected
//!   loss is at most its default probability), which is why
//!   [`RatingBasis::DefaultProbability`] is the default.
//! - year-by-year tables supplied with the facility ([`ByYearTable`]),
//!   interpolated by [`interpolate_by_year`]; each basis uses its own table
//!   (the expected-loss basis needs the expected-loss table).

use serde::Serialize;

use crate::spec::{ByYearTable, IdealizedTable, RatingTable};

/// Which statistic of the tranche is compared with the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingBasis {
    /// P(loss): the share of paths on which the tranche loses anything.
    #[default]
    DefaultProbability,
    /// Expected loss as a fraction of notional (lenient with the bundled
    /// table: see module docs).
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

/// `1 - (1 - value)^exponent`, accurately for small values (0 for an
/// exponent <= 0, 1 for a value of 1).
fn constant_hazard(value: f64, exponent: f64) -> f64 {
    if exponent <= 0.0 {
        0.0
    } else if value >= 1.0 {
        1.0
    } else {
        -(exponent * (-value).ln_1p()).exp_m1()
    }
}

/// A cumulative value at `years` from its values by year 1 to N
/// (`values[n - 1]` for year n; positive, non-decreasing), for `basis`
/// (which says whether they are default probabilities or expected losses):
///
/// - at a whole year n from 1 to N: `values[n - 1]` exactly;
/// - between years n and n + 1: log-linear (geometric) interpolation,
///   `v_n^(n + 1 - T) * v_(n+1)^(T - n)`;
/// - before year 1: a default probability at year 1's constant hazard,
///   `1 - (1 - v_1)^T`; an expected loss in proportion, `v_1 T`;
/// - beyond year N (an extrapolation): either at year N's constant hazard,
///   `1 - (1 - v_N)^(T / N)`.
pub fn interpolate_by_year(values: &[f64], basis: RatingBasis, years: f64) -> f64 {
    if years.is_nan() {
        return f64::NAN;
    }
    let last = values.len();
    if years < 1.0 {
        let first = values[0];
        return match basis {
            RatingBasis::DefaultProbability => constant_hazard(first, years),
            RatingBasis::ExpectedLoss => first * years.max(0.0),
        };
    }
    if years > last as f64 {
        return constant_hazard(values[last - 1], years / last as f64);
    }
    let n = years.floor();
    let fraction = years - n;
    let below = values[n as usize - 1];
    if fraction == 0.0 {
        return below;
    }
    below.powf(1.0 - fraction) * values[n as usize].powf(fraction)
}

/// Why a benchmark cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BenchmarkError {
    /// The expected-loss basis with year-by-year tables that have no
    /// expected-loss table.
    #[error(
        "the expected-loss basis needs the expected_loss column of the idealized rating table ({table_source}), which is empty; fill it in, or compare default probabilities (the default basis)"
    )]
    NoExpectedLossTable {
        /// The table's source.
        table_source: String,
    },
}

/// What implied ratings compare with: a table and the statistic compared,
/// checked to fit together (the expected-loss basis needs an expected-loss
/// table, unless the table is the bundled 10-year column).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct RatingBenchmark {
    table: IdealizedTable,
    basis: RatingBasis,
}

impl RatingBenchmark {
    /// The benchmark of `basis` in `table`.
    pub fn new(table: IdealizedTable, basis: RatingBasis) -> Result<Self, BenchmarkError> {
        if let (IdealizedTable::ByYear(t), RatingBasis::ExpectedLoss) = (&table, basis)
            && t.expected_loss(0).is_none()
        {
            return Err(BenchmarkError::NoExpectedLossTable {
                table_source: t.source().to_owned(),
            });
        }
        Ok(RatingBenchmark { table, basis })
    }

    /// The default-probability benchmark of `table` (always available).
    pub fn default_probability(table: IdealizedTable) -> Self {
        RatingBenchmark {
            table,
            basis: RatingBasis::DefaultProbability,
        }
    }

    /// The table.
    pub fn table(&self) -> &IdealizedTable {
        &self.table
    }

    /// The statistic compared.
    pub fn basis(&self) -> RatingBasis {
        self.basis
    }

    /// Whether the statistic is compared with a table of the same kind
    /// (false only for expected losses against the bundled
    /// default-probability column: lenient).
    pub fn like_for_like(&self) -> bool {
        self.basis == RatingBasis::DefaultProbability
            || matches!(self.table, IdealizedTable::ByYear(_))
    }

    /// The benchmark of rating `rating` (an index of the table's ratings)
    /// at `years`.
    pub fn at(&self, rating: usize, years: f64) -> f64 {
        match &self.table {
            IdealizedTable::MoodysTenYear => {
                idealized_pd(IdealizedTable::moodys_ten_year(), rating, years)
            }
            IdealizedTable::ByYear(table) => {
                interpolate_by_year(self.values(table, rating), self.basis, years)
            }
        }
    }

    fn values<'t>(&self, table: &'t ByYearTable, rating: usize) -> &'t [f64] {
        match self.basis {
            RatingBasis::DefaultProbability => table.default_probability(rating),
            RatingBasis::ExpectedLoss => table
                .expected_loss(rating)
                .expect("checked by RatingBenchmark::new"),
        }
    }

    /// The implied rating of a tranche whose statistic is `metric` (with
    /// standard error `metric_se`) at `horizon_years`: the best rating
    /// whose benchmark there is at least the statistic, else the worst.
    pub fn implied_rating(
        &self,
        (metric, metric_se): (f64, f64),
        horizon_years: f64,
    ) -> ImpliedRating {
        let ratings = self.table.ratings();
        let last = ratings.len() - 1;
        let index = (0..=last)
            .find(|&r| self.at(r, horizon_years) >= metric)
            .unwrap_or(last);
        ImpliedRating {
            basis: self.basis,
            horizon_years,
            metric,
            metric_se,
            rating: ratings[index].to_owned(),
            benchmark: self.at(index, horizon_years),
            better_benchmark: match index {
                0 => f64::NAN,
                _ => self.at(index - 1, horizon_years),
            },
            table_source: self.table.source().to_owned(),
        }
    }
}

/// The horizon a tranche's implied rating is read at: its mean WAL over the
/// paths that repaid principal, or the legal final date (in years) when no
/// path did (`mean_wal_years` NaN).
pub fn rating_horizon(mean_wal_years: f64, legal_final_years: f64) -> f64 {
    if mean_wal_years.is_finite() && mean_wal_years > 0.0 {
        mean_wal_years
    } else {
        legal_final_years
    }
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
    /// Where the table compared with comes from.
    pub table_source: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::IdealizedRow;

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

    fn bundled(basis: RatingBasis) -> RatingBenchmark {
        RatingBenchmark::new(IdealizedTable::MoodysTenYear, basis).unwrap()
    }

    #[test]
    fn ratings_by_threshold() {
        let benchmark = bundled(RatingBasis::DefaultProbability);
        let at = |metric| benchmark.implied_rating((metric, 0.0), 10.0);
        assert_eq!(at(0.0).rating, "Aaa");
        assert_eq!(at(0.0001).rating, "Aaa");
        assert_eq!(at(0.000_100_1).rating, "Aa1");
        assert_eq!(at(0.05).rating, "Baa3");
        assert_eq!(at(0.9).rating, "Ca");
        assert_eq!(at(1.0).rating, "Ca");
        let baa3 = at(0.05);
        assert!(baa3.better_benchmark < 0.05 && 0.05 <= baa3.benchmark);
        assert!(baa3.table_source.starts_with("Moody's idealized 10-year"));
    }

    /// The bundled benchmark is the 10-year column at a constant hazard,
    /// bit for bit, on either basis.
    #[test]
    fn the_bundled_benchmark_is_unchanged() {
        let table = moodys();
        for basis in [RatingBasis::DefaultProbability, RatingBasis::ExpectedLoss] {
            let benchmark = bundled(basis);
            assert_eq!(
                benchmark.like_for_like(),
                basis == RatingBasis::DefaultProbability
            );
            for r in 0..table.entries.len() {
                for years in [0.25, 1.0, 3.7, 10.0, 14.5] {
                    assert_eq!(
                        benchmark.at(r, years).to_bits(),
                        idealized_pd(&table, r, years).to_bits()
                    );
                }
            }
        }
    }

    /// A synthetic table (not Moody's numbers): two ratings over two years,
    /// chosen so that every interpolation has a round answer.
    fn synthetic(with_el: bool) -> IdealizedTable {
        let data = [
            ("S1", 1, 0.19, 0.01),
            ("S1", 2, 0.36, 0.04),
            ("S2", 1, 0.36, 0.04),
            ("S2", 2, 0.64, 0.16),
        ];
        let rows: Vec<IdealizedRow> = data
            .iter()
            .map(|&(rating, year, pd, el)| IdealizedRow {
                rating: rating.into(),
                year,
                default_probability: pd,
                expected_loss: with_el.then_some(el),
                line: 0,
            })
            .collect();
        IdealizedTable::ByYear(ByYearTable::new("synthetic", &rows).unwrap())
    }

    /// Named tolerance: a few ulps of the closed forms.
    const ULPS: f64 = 4.0 * f64::EPSILON;

    fn assert_close(actual: f64, expected: f64) {
        assert!(
            (actual - expected).abs() <= ULPS * expected.abs(),
            "{actual} != {expected}"
        );
    }

    #[test]
    fn by_year_values_at_whole_years_are_exact() {
        let pd = RatingBenchmark::new(synthetic(true), RatingBasis::DefaultProbability).unwrap();
        let el = RatingBenchmark::new(synthetic(true), RatingBasis::ExpectedLoss).unwrap();
        assert_eq!(pd.at(0, 1.0), 0.19);
        assert_eq!(pd.at(0, 2.0), 0.36);
        assert_eq!(pd.at(1, 2.0), 0.64);
        assert_eq!(el.at(1, 1.0), 0.04);
        assert_eq!(el.at(1, 2.0), 0.16);
        assert!(el.like_for_like());
    }

    #[test]
    fn by_year_values_between_years_are_geometric() {
        let pd = RatingBenchmark::new(synthetic(false), RatingBasis::DefaultProbability).unwrap();
        // sqrt(0.36 x 0.64) = 0.48; 0.36^0.75 x 0.64^0.25 = 0.6^1.5 x 0.8^0.5.
        assert_close(pd.at(1, 1.5), 0.48);
        assert_close(pd.at(1, 1.25), 0.6_f64.powf(1.5) * 0.8_f64.sqrt());
        let el = RatingBenchmark::new(synthetic(true), RatingBasis::ExpectedLoss).unwrap();
        // sqrt(0.01 x 0.04) = 0.02.
        assert_close(el.at(0, 1.5), 0.02);
    }

    #[test]
    fn by_year_values_before_year_one() {
        let pd = RatingBenchmark::new(synthetic(true), RatingBasis::DefaultProbability).unwrap();
        // Constant hazard: 1 - (1 - 0.19)^0.5 = 1 - 0.9 = 0.1.
        assert_close(pd.at(0, 0.5), 0.1);
        assert_eq!(pd.at(0, 0.0), 0.0);
        let el = RatingBenchmark::new(synthetic(true), RatingBasis::ExpectedLoss).unwrap();
        // In proportion: 0.04 x 0.25.
        assert_close(el.at(1, 0.25), 0.01);
    }

    #[test]
    fn by_year_values_beyond_the_last_year_are_extrapolated_at_its_hazard() {
        let pd = RatingBenchmark::new(synthetic(true), RatingBasis::DefaultProbability).unwrap();
        // 1 - (1 - 0.36)^(4/2) = 1 - 0.4096.
        assert_close(pd.at(0, 4.0), 0.5904);
        let el = RatingBenchmark::new(synthetic(true), RatingBasis::ExpectedLoss).unwrap();
        // 1 - (1 - 0.16)^(3/2) = 1 - 0.84^1.5.
        assert_close(el.at(1, 3.0), 1.0 - 0.84_f64.powf(1.5));
    }

    #[test]
    fn by_year_ratings_use_the_chosen_table() {
        let pd = RatingBenchmark::new(synthetic(true), RatingBasis::DefaultProbability).unwrap();
        let el = RatingBenchmark::new(synthetic(true), RatingBasis::ExpectedLoss).unwrap();
        // At 2 years 0.05 is below S1's default-probability benchmark 0.36,
        assert_eq!(pd.implied_rating((0.05, 0.0), 2.0).rating, "S1");
        // but above its expected-loss benchmark 0.04.
        let rated = el.implied_rating((0.05, 0.0), 2.0);
        assert_eq!(
            (
                rated.rating.as_str(),
                rated.benchmark,
                rated.better_benchmark
            ),
            ("S2", 0.16, 0.04)
        );
        assert_eq!(rated.table_source, "synthetic");
        assert_eq!(el.implied_rating((0.5, 0.0), 2.0).rating, "S2");
    }

    #[test]
    fn the_expected_loss_basis_needs_an_expected_loss_table() {
        let error = RatingBenchmark::new(synthetic(false), RatingBasis::ExpectedLoss).unwrap_err();
        assert!(
            error.to_string().contains("(synthetic), which is empty"),
            "{error}"
        );
        let pd = RatingBenchmark::default_probability(synthetic(false));
        assert_eq!(pd.basis(), RatingBasis::DefaultProbability);
    }
}
