//! Finite homogeneous pool under a one-factor Gaussian copula.

use super::binomial::BinomialMixture;
use super::normal::{cdf_both, inv_cdf_unchecked};
use super::quadrature::{converge, normal_rule};
use super::{AnalyticError, Tranche};

/// L1 tolerance on the default-count law between successive quadrature
/// refinements; bounds the quadrature error of any tranche loss fraction.
pub(crate) const PMF_TOLERANCE: f64 = 1e-11;

/// Largest pool size accepted: the work is O(n) per quadrature node.
pub(crate) const MAX_LOANS: u32 = 1_000_000;

/// n identical loans with default probability p over the horizon, asset
/// correlation rho through one Gaussian factor Z and fixed recovery R:
/// loan i defaults when sqrt(rho) Z + sqrt(1 - rho) e_i <= Phi^-1(p).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FinitePool {
    n: u32,
    p: f64,
    rho: f64,
    recovery: f64,
}

impl FinitePool {
    /// Validates 1 <= n <= 1,000,000, 0 < p < 1, 0 <= rho < 1, 0 <= R <= 1.
    ///
    /// # Errors
    /// [`AnalyticError::OutOfRange`] naming the first invalid parameter.
    pub fn new(n: u32, p: f64, rho: f64, recovery: f64) -> Result<Self, AnalyticError> {
        check_pool(n, p, rho, recovery)?;
        Ok(Self {
            n,
            p,
            rho,
            recovery,
        })
    }

    /// Number of loans n.
    pub fn n(&self) -> u32 {
        self.n
    }

    /// Default probability p of each loan.
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

    /// Expected pool loss fraction p (1 - R), exactly.
    pub fn expected_loss(&self) -> f64 {
        self.p * (1.0 - self.recovery)
    }

    /// (q, 1 - q) with q = P(default | Z = z) = Phi((c - sqrt(rho) z) / sqrt(1 - rho)).
    fn conditional_default(&self, c: f64, z: f64) -> (f64, f64) {
        cdf_both((c - self.rho.sqrt() * z) / (1.0 - self.rho).sqrt())
    }

    /// The law of the number of defaults K. For rho = 0 it is exactly
    /// Binomial(n, p); otherwise the conditional binomials are integrated
    /// over Z, refining the rule (Gauss-Hermite 64, 128, then composite
    /// Gauss-Legendre) until the law changes by at most 1e-11 in L1.
    ///
    /// # Errors
    /// [`AnalyticError::NotConverged`] if the refinements do not settle.
    pub fn loss_distribution(&self) -> Result<LossDistribution, AnalyticError> {
        let mixture = BinomialMixture::new(self.n as usize);
        if self.rho == 0.0 {
            let mut pmf = mixture.zeros();
            mixture.add(self.p, 1.0 - self.p, 1.0, &mut pmf);
            return Ok(LossDistribution::new(pmf, self.recovery, 0.0));
        }
        let c = inv_cdf_unchecked(self.p);
        let (pmf, change) = converge(
            "Gaussian-copula default-count law",
            PMF_TOLERANCE,
            |level| {
                let rule = normal_rule(level)?;
                let mut pmf = mixture.zeros();
                for (&z, &w) in rule.nodes().iter().zip(rule.weights()) {
                    let (q, qc) = self.conditional_default(c, z);
                    mixture.add(q, qc, w, &mut pmf);
                }
                Ok(pmf)
            },
        )?;
        Ok(LossDistribution::new(pmf, self.recovery, change))
    }

    /// Expected loss of `tranche` as a fraction of its notional.
    ///
    /// # Errors
    /// As [`FinitePool::loss_distribution`].
    pub fn expected_tranche_loss(&self, tranche: &Tranche) -> Result<f64, AnalyticError> {
        Ok(self.loss_distribution()?.expected_tranche_loss(tranche))
    }
}

/// The range checks shared by the Gaussian and Student-t pools.
pub(crate) fn check_pool(n: u32, p: f64, rho: f64, recovery: f64) -> Result<(), AnalyticError> {
    if !(1..=MAX_LOANS).contains(&n) {
        return Err(AnalyticError::OutOfRange {
            name: "n",
            value: f64::from(n),
            expected: format!("an integer in [1, {MAX_LOANS}]"),
        });
    }
    AnalyticError::check_open("p", p, 0.0, 1.0)?;
    AnalyticError::check_half_open("rho", rho, 0.0, 1.0)?;
    AnalyticError::check_closed("recovery", recovery, 0.0, 1.0)
}

/// The law of the default count K of a finite pool, with pool loss
/// fraction L = K (1 - R) / n.
#[derive(Debug, Clone, PartialEq)]
pub struct LossDistribution {
    pmf: Vec<f64>,
    recovery: f64,
    quadrature_change: f64,
}

impl LossDistribution {
    pub(crate) fn new(pmf: Vec<f64>, recovery: f64, quadrature_change: f64) -> Self {
        Self {
            pmf,
            recovery,
            quadrature_change,
        }
    }

    /// P(K = k) for k = 0..=n.
    pub fn probabilities(&self) -> &[f64] {
        &self.pmf
    }

    /// Pool size n.
    pub fn n(&self) -> usize {
        self.pmf.len() - 1
    }

    /// Pool loss fraction k (1 - R) / n after k defaults.
    pub fn pool_loss(&self, k: usize) -> f64 {
        k as f64 * (1.0 - self.recovery) / self.n() as f64
    }

    /// L1 change of the law at the last quadrature refinement (0 when no
    /// quadrature was needed): an estimate of its integration error.
    pub fn quadrature_change(&self) -> f64 {
        self.quadrature_change
    }

    /// E[f(K)] = sum_k P(K = k) f(k).
    fn expectation(&self, f: impl Fn(usize) -> f64) -> f64 {
        self.pmf.iter().enumerate().map(|(k, p)| p * f(k)).sum()
    }

    /// Expected pool loss fraction `E[L]`.
    pub fn expected_pool_loss(&self) -> f64 {
        self.expectation(|k| self.pool_loss(k))
    }

    /// Expected loss of `tranche` as a fraction of its notional.
    pub fn expected_tranche_loss(&self, tranche: &Tranche) -> f64 {
        self.expectation(|k| tranche.loss(self.pool_loss(k)))
    }

    /// Smallest k with P(K <= k) >= alpha.
    ///
    /// # Errors
    /// [`AnalyticError::OutOfRange`] unless 0 < alpha < 1.
    pub fn default_count_quantile(&self, alpha: f64) -> Result<usize, AnalyticError> {
        AnalyticError::check_open("alpha", alpha, 0.0, 1.0)?;
        let mut cumulative = 0.0;
        for (k, p) in self.pmf.iter().enumerate() {
            cumulative += p;
            if cumulative >= alpha {
                return Ok(k);
            }
        }
        // Rounding left the total a hair below alpha: the top count.
        Ok(self.n())
    }

    /// alpha-quantile of the tranche loss fraction: the loss is
    /// nondecreasing in K, so it is the loss at the default-count quantile.
    ///
    /// # Errors
    /// [`AnalyticError::OutOfRange`] unless 0 < alpha < 1.
    pub fn tranche_loss_quantile(
        &self,
        tranche: &Tranche,
        alpha: f64,
    ) -> Result<f64, AnalyticError> {
        let k = self.default_count_quantile(alpha)?;
        Ok(tranche.loss(self.pool_loss(k)))
    }
}
