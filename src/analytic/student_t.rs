//! Finite homogeneous pool under a one-factor Student-t copula.
//!
//! Latent X_i = (sqrt(rho) Z + sqrt(1 - rho) e_i) / S with S = sqrt(W / nu),
//! W ~ chi-square(nu) shared by all loans (as in the simulation engine); X_i
//! is Student-t with nu degrees of freedom and loan i defaults when
//! X_i <= t = T_nu^-1(p). Given Z = z and S = s the loans default
//! independently with probability Phi((t s - sqrt(rho) z) / sqrt(1 - rho)).

use super::binomial::BinomialMixture;
use super::finite_pool::PMF_TOLERANCE;
use super::normal::{cdf_both, inv_cdf_unchecked, norm_cdf, norm_pdf};
use super::quadrature::{converge, normal_rule};
use super::{AnalyticError, FinitePool, LossDistribution, Tranche};
use statrs::distribution::StudentsT;

/// Largest accepted degrees of freedom; beyond it the copula is Gaussian
/// to well within the quadrature tolerance.
pub const MAX_DEGREES_OF_FREEDOM: f64 = 1e6;

/// Log-density drop (relative to the mode) at which the mixing rule is
/// truncated: e^-46 ~ 1e-20.
const LOG_DENSITY_CUTOFF: f64 = 46.0;

/// A finite pool whose loans are coupled by a Student-t copula.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StudentTPool {
    pool: FinitePool,
    nu: f64,
}

impl StudentTPool {
    /// Validates the pool as [`FinitePool::new`] and 0 < nu <= 1e6.
    ///
    /// # Errors
    /// [`AnalyticError::OutOfRange`] naming the first invalid parameter.
    pub fn new(n: u32, p: f64, rho: f64, recovery: f64, nu: f64) -> Result<Self, AnalyticError> {
        let pool = FinitePool::new(n, p, rho, recovery)?;
        if !(nu > 0.0 && nu <= MAX_DEGREES_OF_FREEDOM) {
            return Err(AnalyticError::OutOfRange {
                name: "nu",
                value: nu,
                expected: format!("a number in (0, {MAX_DEGREES_OF_FREEDOM}]"),
            });
        }
        Ok(Self { pool, nu })
    }

    /// The pool parameters n, p, rho, R (as a Gaussian-copula pool).
    pub fn pool(&self) -> &FinitePool {
        &self.pool
    }

    /// Degrees of freedom nu.
    pub fn nu(&self) -> f64 {
        self.nu
    }

    /// Default threshold t = T_nu^-1(p).
    ///
    /// # Errors
    /// [`AnalyticError::NotConverged`] if the quantile cannot be refined.
    pub fn threshold(&self) -> Result<f64, AnalyticError> {
        t_quantile(self.nu, self.pool.p())
    }

    /// The law of the number of defaults, integrating the conditional
    /// binomials over Z (the normal rules of the Gaussian pool) and over
    /// ln(W/2) (a trapezoid rule, geometrically convergent for this smooth
    /// density), refining both together
    /// until the law changes by at most 1e-11 in L1.
    ///
    /// # Errors
    /// [`AnalyticError::NotConverged`] if the threshold or the quadrature
    /// does not settle.
    pub fn loss_distribution(&self) -> Result<LossDistribution, AnalyticError> {
        let t = self.threshold()?;
        let mixture = BinomialMixture::new(self.pool.n() as usize);
        let (a, b) = (self.pool.rho().sqrt(), (1.0 - self.pool.rho()).sqrt());
        let (pmf, change) = converge(
            "Student-t-copula default-count law",
            PMF_TOLERANCE,
            |level| {
                let z_rule = normal_rule(level)?;
                let s_rule = MixingRule::new(self.nu, level);
                let mut pmf = mixture.zeros();
                for (&s, &ws) in s_rule.scales.iter().zip(&s_rule.weights) {
                    for (&z, &wz) in z_rule.nodes().iter().zip(z_rule.weights()) {
                        let (q, qc) = cdf_both((t * s - a * z) / b);
                        mixture.add(q, qc, ws * wz, &mut pmf);
                    }
                }
                Ok(pmf)
            },
        )?;
        Ok(LossDistribution::new(pmf, self.pool.recovery(), change))
    }

    /// Expected loss of `tranche` as a fraction of its notional.
    ///
    /// # Errors
    /// As [`StudentTPool::loss_distribution`].
    pub fn expected_tranche_loss(&self, tranche: &Tranche) -> Result<f64, AnalyticError> {
        Ok(self.loss_distribution()?.expected_tranche_loss(tranche))
    }
}

/// Refinement level of the mixing rule used for the threshold: step
/// 0.125 min(1, 1/sqrt(nu/2)), far below the rule's error floor.
const THRESHOLD_LEVEL: usize = 2;

/// T_nu^-1(p) for 0 < p < 1, solving T_nu(t) = E[Phi(t S)] = p by Newton's
/// method with the same mixing rule as the pool integral. statrs' t cdf is
/// biased by ~1e-10 for nu ~ 1e6, and the pool's expected loss is exactly
/// p (1 - R) only if the threshold matches the integral; statrs' quantile
/// (computed so that it always ends) serves only as the starting value.
fn t_quantile(nu: f64, p: f64) -> Result<f64, AnalyticError> {
    let rule = MixingRule::new(nu, THRESHOLD_LEVEL);
    // statrs' own quantile loops for ever for nu ~ 1e9; this one ends.
    let start = StudentsT::new(0.0, 1.0, nu).map(|d| crate::model::student_t_quantile(&d, p));
    let mut t = match start {
        Ok(t) if t.is_finite() => t,
        _ => inv_cdf_unchecked(p),
    };
    let mut last_step = f64::INFINITY;
    for _ in 0..50 {
        let step = rule.t_cdf_error(t, p);
        t -= step;
        let (size, scale) = (step.abs(), t.abs().max(1.0));
        // Done at rounding level, or when the step stops shrinking there.
        if size <= 4e-15 * scale || (size > 0.5 * last_step && size <= 1e-12 * scale) {
            return Ok(t);
        }
        last_step = size;
    }
    Err(AnalyticError::NotConverged {
        what: "Student-t quantile",
        change: last_step,
        tolerance: 1e-12,
    })
}

/// Quadrature for the mixing variable S = sqrt(W / nu), W ~ chi-square(nu).
/// With U = W / 2 ~ Gamma(nu / 2, 1) and y = ln U, the density of y,
/// exp(a y - e^y) / Gamma(a), is smooth, unimodal and decays doubly
/// exponentially to the right and exponentially to the left, so the
/// trapezoid rule in y converges geometrically (error ~ exp(-pi^2 / h) for
/// step h, and ~ exp(-2 pi^2 sd^2 / h^2) when the density is nearly normal
/// with sd ~ 1/sqrt(a)); weights are normalised to one.
struct MixingRule {
    scales: Vec<f64>,
    weights: Vec<f64>,
}

impl MixingRule {
    /// Level 0 has step 0.5 min(1, 1/sqrt(a)); each level halves it.
    fn new(nu: f64, level: usize) -> Self {
        let a = 0.5 * nu;
        let mode = a.ln();
        let step = 0.5 * a.sqrt().recip().min(1.0) / f64::from(1u32 << level.min(20));
        // log density relative to its mode, concave in y.
        let log_rel = |y: f64| a * (y - mode) - (y.exp() - a);
        let lo = bisect_cutoff(&log_rel, mode, mode - LOG_DENSITY_CUTOFF / a - 50.0);
        let hi = bisect_cutoff(&log_rel, mode, mode + 50.0);
        let steps_below = ((mode - lo) / step).ceil() as i64;
        let steps_above = ((hi - mode) / step).ceil() as i64;
        let (mut scales, mut weights) = (Vec::new(), Vec::new());
        for j in -steps_below..=steps_above {
            let y = mode + j as f64 * step;
            scales.push((2.0 * y.exp() / nu).sqrt());
            weights.push(log_rel(y).exp());
        }
        let total: f64 = weights.iter().sum();
        weights.iter_mut().for_each(|w| *w /= total);
        Self { scales, weights }
    }

    /// Newton step (T_nu(t) - p) / T_nu'(t), with T_nu(t) = E[Phi(t S)]
    /// and T_nu'(t) = E[S phi(t S)] under this rule.
    fn t_cdf_error(&self, t: f64, p: f64) -> f64 {
        let (mut cdf, mut pdf) = (0.0, 0.0);
        for (&s, &w) in self.scales.iter().zip(&self.weights) {
            cdf += w * norm_cdf(t * s);
            pdf += w * s * norm_pdf(t * s);
        }
        (cdf - p) / pdf
    }
}

/// The point between `inside` (the mode) and `outside` where the concave
/// log density falls to -LOG_DENSITY_CUTOFF, by bisection.
fn bisect_cutoff(log_rel: &impl Fn(f64) -> f64, inside: f64, outside: f64) -> f64 {
    let (mut inner, mut outer) = (inside, outside);
    for _ in 0..200 {
        let mid = 0.5 * (inner + outer);
        if log_rel(mid) > -LOG_DENSITY_CUTOFF {
            inner = mid;
        } else {
            outer = mid;
        }
    }
    outer
}
