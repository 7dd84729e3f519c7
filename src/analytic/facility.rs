//! A homogeneous one-factor approximation of a whole facility, answered
//! semi-analytically in milliseconds: a sanity check for users and an
//! independent cross-check for the Monte Carlo.
//!
//! The pool is replaced by `n` identical loans (the effective number of
//! loans by exposure concentration, `(sum a)^2 / sum a^2`, rounded), each
//! with the exposure-weighted cumulative default probability to maturity,
//! the default-weighted mean recovery and the exposure-weighted average
//! pairwise asset correlation; tranches are static slices of the pool loss
//! at their attachment and detachment points (coupons, fees, excess spread
//! and timing are ignored).

use serde::Serialize;

use super::pair_classes::class_correlations;
use super::{AnalyticError, FinitePool, LargePool, LossDistribution, StudentTPool, Tranche};
use crate::model::{LoanModel, Model};

/// The homogeneous pool standing for a facility.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HomogeneousPool {
    /// Effective number of loans, `(sum a)^2 / sum a^2`.
    pub effective_loans: f64,
    /// `effective_loans` rounded to a whole number (at least 1).
    pub loans: u32,
    /// Exposure-weighted cumulative default probability to maturity.
    pub default_probability: f64,
    /// Default-weighted mean recovery rate.
    pub recovery: f64,
    /// Exposure-weighted average pairwise asset correlation.
    pub correlation: f64,
    /// Degrees of freedom of the t copula (`None`: Gaussian).
    pub dof: Option<f64>,
    /// Exposure-weighted average years from the start to maturity.
    pub horizon_years: f64,
}

/// Semi-analytic results for one tranche.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrancheEstimate {
    /// Tranche name.
    pub tranche: String,
    /// Attachment (fraction of capital).
    pub attachment: f64,
    /// Detachment (fraction of capital).
    pub detachment: f64,
    /// Expected loss fraction, finite pool.
    pub expected_loss: f64,
    /// 99% loss quantile, finite pool.
    pub loss_p99: f64,
    /// 99.9% loss quantile, finite pool.
    pub loss_p999: f64,
    /// Expected loss fraction in the large-pool (Vasicek) limit; `None` for
    /// the t copula, which has no closed form.
    pub expected_loss_large_pool: Option<f64>,
}

/// The whole analytic answer for a facility.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FacilityEstimate {
    /// The approximating pool.
    pub pool: HomogeneousPool,
    /// Pool expected loss fraction (`p (1 - R)`).
    pub pool_expected_loss: f64,
    /// Pool loss 99% and 99.9% quantiles, finite pool.
    pub pool_loss_quantiles: (f64, f64),
    /// One row per tranche, most senior first.
    pub tranches: Vec<TrancheEstimate>,
    /// Implied pairwise default correlation over the horizon for each
    /// class of pairs in the pool (same mineral and country, ...; their
    /// exposure-weighted average asset correlations), then for all pairs,
    /// each at the pool's default probability.
    pub default_correlations: Vec<PairCorrelation>,
}

/// The default correlation a class of pairs of the pool has under the
/// model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairCorrelation {
    /// Which kind of pair.
    pub pair: &'static str,
    /// The class's share of all pairs of distinct loans, each pair weighted
    /// by the product of the two exposures.
    pub pair_share: f64,
    /// The class's exposure-weighted average asset (latent-variable)
    /// correlation.
    pub asset_correlation: f64,
    /// Their default-indicator correlation over the horizon.
    pub default_correlation: f64,
}

impl HomogeneousPool {
    /// The approximation of a compiled facility.
    pub fn of(model: &Model) -> HomogeneousPool {
        let loans = &model.pool.loans;
        let exposure = |l: &LoanModel| l.amount().as_f64();
        let total: f64 = loans.iter().map(exposure).sum();
        let squares: f64 = loans.iter().map(|l| exposure(l).powi(2)).sum();
        let effective_loans = total * total / squares;
        let pd = |l: &LoanModel| model.pool.latent.cdf(l.final_threshold());
        let default_probability = loans.iter().map(|l| exposure(l) * pd(l)).sum::<f64>() / total;
        let defaulted: f64 = loans.iter().map(|l| exposure(l) * pd(l)).sum();
        let recovery = loans
            .iter()
            .map(|l| exposure(l) * pd(l) * l.recovery.mean())
            .sum::<f64>()
            / defaulted;
        let horizon_years = loans
            .iter()
            .map(|l| exposure(l) * model.calendar.years_from_start(l.last_period()))
            .sum::<f64>()
            / total;
        HomogeneousPool {
            effective_loans,
            loans: effective_loans.round().max(1.0) as u32,
            default_probability,
            recovery,
            correlation: average_correlation(loans),
            dof: model.pool.latent.dof(),
            horizon_years,
        }
    }

    /// The pool's default-count law (finite pool, Gaussian or t copula).
    pub fn loss_distribution(&self) -> Result<LossDistribution, AnalyticError> {
        self.pair_or_pool(self.loans, self.correlation)?
            .loss_distribution()
    }

    fn pair_or_pool(&self, n: u32, rho: f64) -> Result<AnyPool, AnalyticError> {
        let (p, r) = (self.default_probability, self.recovery);
        Ok(match self.dof {
            None => AnyPool::Gaussian(FinitePool::new(n, p, rho, r)?),
            Some(nu) => AnyPool::StudentT(StudentTPool::new(n, p, rho, r, nu)?),
        })
    }

    /// Correlation of the default indicators of two loans with the pool's
    /// default probability and asset correlation `rho`:
    /// `(P(both) - p^2) / (p (1 - p))`, with `P(both)` from a two-loan pool.
    pub fn default_correlation(&self, rho: f64) -> Result<f64, AnalyticError> {
        let p = self.default_probability;
        let both = self
            .pair_or_pool(2, rho)?
            .loss_distribution()?
            .probabilities()[2];
        Ok((both - p * p) / (p * (1.0 - p)))
    }
}

enum AnyPool {
    Gaussian(FinitePool),
    StudentT(StudentTPool),
}

impl AnyPool {
    fn loss_distribution(&self) -> Result<LossDistribution, AnalyticError> {
        match self {
            AnyPool::Gaussian(pool) => pool.loss_distribution(),
            AnyPool::StudentT(pool) => pool.loss_distribution(),
        }
    }
}

/// Exposure-weighted average of the asset correlation over pairs of
/// distinct loans, `sum_{i != j} a_i a_j rho_ij / sum_{i != j} a_i a_j`,
/// in O(loans) by summing loadings within each factor.
fn average_correlation(loans: &[LoanModel]) -> f64 {
    let exposure = |l: &LoanModel| l.amount().as_f64();
    let shared = shared_covariance(loans, |_| Some(0), |l| l.loadings.global)
        + shared_covariance(loans, |l| Some(l.mineral), |l| l.loadings.mineral)
        + shared_covariance(loans, |l| Some(l.country), |l| l.loadings.country)
        + shared_covariance(loans, |l| l.region, |l| l.loadings.region);
    let total: f64 = loans.iter().map(exposure).sum();
    let pairs = total * total - loans.iter().map(|l| exposure(l).powi(2)).sum::<f64>();
    if pairs > 0.0 { shared / pairs } else { 0.0 }
}

/// `sum_{i != j, same group} a_i w_i a_j w_j` for one factor: the square of
/// each group's sum of `a w` less the diagonal.
fn shared_covariance(
    loans: &[LoanModel],
    group: impl Fn(&LoanModel) -> Option<usize>,
    loading: impl Fn(&LoanModel) -> f64,
) -> f64 {
    let mut sums: std::collections::BTreeMap<usize, f64> = Default::default();
    let mut diagonal = 0.0;
    for loan in loans {
        if let Some(g) = group(loan) {
            let w = loan.amount().as_f64() * loading(loan);
            *sums.entry(g).or_default() += w;
            diagonal += w * w;
        }
    }
    sums.values().map(|s| s * s).sum::<f64>() - diagonal
}

/// The semi-analytic estimate of a facility.
///
/// ```
/// use blendsim::analytic::estimate_facility;
/// use blendsim::model::Model;
/// use blendsim::spec::{LoadOptions, load_facility};
///
/// let path = std::path::Path::new("portfolios/quickstart/facility.toml");
/// let model = Model::compile(&load_facility(path, &LoadOptions::default())?.spec)?;
/// let estimate = estimate_facility(&model)?;
/// // Tranche widths times their expected losses add up to the pool's.
/// let sliced: f64 = estimate
///     .tranches
///     .iter()
///     .map(|t| (t.detachment - t.attachment) * t.expected_loss)
///     .sum();
/// assert!((sliced - estimate.pool_expected_loss).abs() < 1e-9);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn estimate_facility(model: &Model) -> Result<FacilityEstimate, AnalyticError> {
    let pool = HomogeneousPool::of(model);
    let law = pool.loss_distribution()?;
    let large = match pool.dof {
        None => Some(LargePool::new(
            pool.default_probability,
            pool.correlation,
            pool.recovery,
        )?),
        Some(_) => None,
    };
    let whole = Tranche::new(0.0, 1.0)?;
    let capital = model.capital().as_f64();
    let mut below: f64 = capital;
    let mut tranches = Vec::new();
    for t in &model.liabilities.tranches {
        below -= t.notional.as_f64();
        let (attachment, detachment) = (below / capital, (below + t.notional.as_f64()) / capital);
        let slice = Tranche::new(attachment, detachment.min(1.0))?;
        tranches.push(TrancheEstimate {
            tranche: t.name.clone(),
            attachment,
            detachment,
            expected_loss: law.expected_tranche_loss(&slice),
            loss_p99: law.tranche_loss_quantile(&slice, 0.99)?,
            loss_p999: law.tranche_loss_quantile(&slice, 0.999)?,
            expected_loss_large_pool: large.map(|l| l.expected_tranche_loss(&slice)),
        });
    }
    // Each class of pairs in the pool, then every pair together (the
    // approximation's average).
    let classes = class_correlations(&model.pool.loans)
        .into_iter()
        .map(|c| (c.class.label(), c.pair_share, c.asset_correlation))
        .chain([("all pairs (the approximation's)", 1.0, pool.correlation)]);
    let default_correlations = classes
        .map(|(pair, pair_share, rho)| {
            Ok(PairCorrelation {
                pair,
                pair_share,
                asset_correlation: rho,
                default_correlation: pool.default_correlation(rho)?,
            })
        })
        .collect::<Result<Vec<_>, AnalyticError>>()?;
    Ok(FacilityEstimate {
        pool,
        pool_expected_loss: law.expected_tranche_loss(&whole),
        pool_loss_quantiles: (
            law.tranche_loss_quantile(&whole, 0.99)?,
            law.tranche_loss_quantile(&whole, 0.999)?,
        ),
        tranches,
        default_correlations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::test_support::sample_spec;

    /// Four equal loans, shares 0.1 each: the lithium pair in Chile shares
    /// every factor (0.3), every other pair only the global one (0.1); over
    /// the 12 ordered pairs the average is (2 x 0.3 + 10 x 0.1) / 12.
    #[test]
    fn average_correlation_weighs_pairs_by_exposure() {
        let model = Model::compile(&sample_spec()).unwrap();
        let pool = HomogeneousPool::of(&model);
        assert!(
            (pool.correlation - 1.6 / 12.0).abs() < 1e-12,
            "{}",
            pool.correlation
        );
        assert!((pool.effective_loans - 4.0).abs() < 1e-12);
    }
}
