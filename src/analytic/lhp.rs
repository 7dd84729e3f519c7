//! Large homogeneous pool (Vasicek) closed forms.
//!
//! As n -> infinity the pool loss fraction given the factor is its
//! conditional mean, L = (1 - R) Phi((c - sqrt(rho) Z) / sqrt(1 - rho)),
//! c = Phi^-1(p), so its law, quantiles and tranche losses are closed forms
//! in Phi, Phi^-1 and Phi2 (Vasicek; QuantLib's GaussianLHPLossModel after
//! Kalemanova, Schmid and Werner 2007).

use super::normal::{bvn_lower, inv_cdf_unchecked, norm_cdf};
use super::{AnalyticError, Tranche};

/// Vasicek large homogeneous pool: default probability p, asset
/// correlation rho, fixed recovery R.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LargePool {
    p: f64,
    rho: f64,
    recovery: f64,
}

impl LargePool {
    /// Validates 0 < p < 1, 0 <= rho < 1, 0 <= R < 1 (R = 1 would leave no
    /// loss to describe).
    ///
    /// # Errors
    /// [`AnalyticError::OutOfRange`] naming the first invalid parameter.
    pub fn new(p: f64, rho: f64, recovery: f64) -> Result<Self, AnalyticError> {
        AnalyticError::check_open("p", p, 0.0, 1.0)?;
        AnalyticError::check_half_open("rho", rho, 0.0, 1.0)?;
        AnalyticError::check_half_open("recovery", recovery, 0.0, 1.0)?;
        Ok(Self { p, rho, recovery })
    }

    /// Default probability p.
    pub fn p(&self) -> f64 {
        self.p
    }

    /// Asset correlation rho.
    pub fn rho(&self) -> f64 {
        self.rho
    }

    /// Recovery rate R.
    pub fn recovery(&self) -> f64 {
        self.recovery
    }

    fn lgd(&self) -> f64 {
        1.0 - self.recovery
    }

    fn threshold(&self) -> f64 {
        inv_cdf_unchecked(self.p)
    }

    /// Expected pool loss fraction p (1 - R).
    pub fn expected_loss(&self) -> f64 {
        self.p * self.lgd()
    }

    /// P(L <= x) = Phi((sqrt(1 - rho) Phi^-1(x / (1 - R)) - c) / sqrt(rho))
    /// for 0 <= x < 1 - R; 0 below, 1 from 1 - R on. For rho = 0 the loss
    /// is the constant p (1 - R).
    ///
    /// # Errors
    /// [`AnalyticError::OutOfRange`] if `x` is NaN.
    pub fn loss_cdf(&self, x: f64) -> Result<f64, AnalyticError> {
        AnalyticError::check_not_nan("x", x)?;
        if x < 0.0 {
            return Ok(0.0);
        }
        if x >= self.lgd() {
            return Ok(1.0);
        }
        if self.rho == 0.0 {
            return Ok(if x >= self.expected_loss() { 1.0 } else { 0.0 });
        }
        let u = inv_cdf_unchecked(x / self.lgd());
        Ok(norm_cdf(
            ((1.0 - self.rho).sqrt() * u - self.threshold()) / self.rho.sqrt(),
        ))
    }

    /// Loss quantile VaR_alpha = (1 - R) Phi((c + sqrt(rho) Phi^-1(alpha)) / sqrt(1 - rho)).
    ///
    /// # Errors
    /// [`AnalyticError::OutOfRange`] unless 0 < alpha < 1.
    pub fn value_at_risk(&self, alpha: f64) -> Result<f64, AnalyticError> {
        Ok(self.lgd() * self.worst_case_default_rate(alpha)?)
    }

    /// Hull's worst-case default rate: the alpha-quantile of the pool
    /// default fraction, Phi((c + sqrt(rho) Phi^-1(alpha)) / sqrt(1 - rho)).
    ///
    /// # Errors
    /// [`AnalyticError::OutOfRange`] unless 0 < alpha < 1.
    pub fn worst_case_default_rate(&self, alpha: f64) -> Result<f64, AnalyticError> {
        AnalyticError::check_open("alpha", alpha, 0.0, 1.0)?;
        let shifted = self.threshold() + self.rho.sqrt() * inv_cdf_unchecked(alpha);
        Ok(norm_cdf(shifted / (1.0 - self.rho).sqrt()))
    }

    /// E[min(L, k)] = k Phi(z_k) + (1 - R) Phi2(c, -z_k; -sqrt(rho)) with
    /// z_k = (c - sqrt(1 - rho) Phi^-1(k / (1 - R))) / sqrt(rho), the
    /// expected loss of the slice [0, k] of the pool (per pool notional).
    /// Negative or NaN `k` gives 0; `k >= 1 - R` gives `E[L]`.
    pub fn expected_capped_loss(&self, k: f64) -> f64 {
        if k.is_nan() || k <= 0.0 {
            return 0.0;
        }
        if k >= self.lgd() {
            return self.expected_loss();
        }
        if self.rho == 0.0 {
            return k.min(self.expected_loss());
        }
        let c = self.threshold();
        let z = (c - (1.0 - self.rho).sqrt() * inv_cdf_unchecked(k / self.lgd())) / self.rho.sqrt();
        k * norm_cdf(z) + self.lgd() * bvn_lower(c, -z, -self.rho.sqrt())
    }

    /// Expected loss of `tranche` as a fraction of its notional:
    /// (E[min(L, D)] - E[min(L, A)]) / (D - A).
    pub fn expected_tranche_loss(&self, tranche: &Tranche) -> f64 {
        let upper = self.expected_capped_loss(tranche.detach());
        let lower = self.expected_capped_loss(tranche.attach());
        (upper - lower) / tranche.width()
    }
}
