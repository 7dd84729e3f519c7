//! The marginal law of the latent credit variables, which turns default
//! probabilities into thresholds.

use statrs::distribution::{ContinuousCDF, StudentsT};

use super::beta_inverse::inverse_beta_reg;
use super::normal::standard_normal_quantile;
use crate::spec::Copula;

/// The latent variables' dependence: Gaussian, or Student t with one
/// chi-square mixing variable per path.
#[derive(Debug, Clone, PartialEq)]
pub enum LatentLaw {
    /// `X = Z`, standard normal.
    Gaussian,
    /// `X = Z / sqrt(W / dof)`, `W ~ chi-square(dof)`: a standard Student t
    /// marginal with tail dependence.
    StudentT {
        /// Degrees of freedom.
        dof: f64,
        /// The marginal law.
        law: StudentsT,
    },
}

impl LatentLaw {
    /// The law of a copula; `None` for degrees of freedom that are not
    /// positive and finite.
    pub fn new(copula: Copula) -> Option<LatentLaw> {
        match copula {
            Copula::Gaussian => Some(LatentLaw::Gaussian),
            Copula::StudentT { dof } => {
                let law = StudentsT::new(0.0, 1.0, dof)
                    .ok()
                    .filter(|_| dof.is_finite() && dof > 0.0)?;
                Some(LatentLaw::StudentT { dof, law })
            }
        }
    }

    /// `P(X <= x)`: the default probability that threshold x stands for.
    pub fn cdf(&self, x: f64) -> f64 {
        match self {
            LatentLaw::Gaussian => super::normal::standard_normal_cdf(x),
            LatentLaw::StudentT { law, .. } => law.cdf(x),
        }
    }

    /// Degrees of freedom of the t copula; `None` for the Gaussian.
    pub fn dof(&self) -> Option<f64> {
        match self {
            LatentLaw::Gaussian => None,
            LatentLaw::StudentT { dof, .. } => Some(*dof),
        }
    }

    /// The latent value below which a loan has defaulted with probability p:
    /// `-inf` for p <= 0, `+inf` for p >= 1.
    pub fn threshold(&self, p: f64) -> f64 {
        match self {
            LatentLaw::Gaussian => standard_normal_quantile(p),
            LatentLaw::StudentT { law, .. } => {
                if p.is_nan() || p <= 0.0 {
                    f64::NEG_INFINITY
                } else if p >= 1.0 {
                    f64::INFINITY
                } else {
                    student_t_quantile(law, p)
                }
            }
        }
    }
}

/// Degrees of freedom above which the t quantile is the normal one: the
/// two differ by about `(z^3 + z) / (4 dof)`, under 2e-5 at z = 4, while
/// the incomplete beta function loses accuracy for such large shapes.
pub const NORMAL_LIMIT_DOF: f64 = 1e6;

/// The quantile of a standard Student t at p in (0, 1): statrs' formula
/// through an incomplete-beta inversion that cannot hang, checked against
/// the cdf, else bisection on the cdf; the normal quantile beyond
/// [`NORMAL_LIMIT_DOF`] degrees of freedom. Always ends.
pub fn student_t_quantile(law: &StudentsT, p: f64) -> f64 {
    let dof = law.freedom();
    if dof > NORMAL_LIMIT_DOF {
        return standard_normal_quantile(p);
    }
    let tail = if p >= 0.5 { 1.0 - p } else { p };
    let t = match inverse_beta_reg(0.5 * dof, 0.5, 2.0 * tail) {
        Some(y) => (dof * (1.0 - y) / y).sqrt(),
        None => return bisect_quantile(law, p),
    };
    let t = if p >= 0.5 { t } else { -t };
    // `I` solved to 1e-8 can still leave t far off where t is huge and y
    // tiny (the Cauchy's 1e-12 quantile); the cdf decides.
    let residual = (law.cdf(t) - p).abs() / tail;
    if residual <= 1e-6 {
        t
    } else {
        bisect_quantile(law, p)
    }
}

/// The quantile by bisection on the cdf: a bracket widened by doubling (at
/// most 2^1023, where the cdf is 0 or 1), then halved 200 times at most.
fn bisect_quantile(law: &StudentsT, p: f64) -> f64 {
    let (mut lo, mut hi) = (-1.0_f64, 1.0_f64);
    while law.cdf(lo) > p && lo > -f64::MAX / 2.0 {
        lo *= 2.0;
    }
    while law.cdf(hi) < p && hi < f64::MAX / 2.0 {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if law.cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_invert_the_marginal() {
        let t = LatentLaw::new(Copula::StudentT { dof: 4.0 }).unwrap();
        let LatentLaw::StudentT { law, .. } = &t else {
            unreachable!()
        };
        for p in [1e-6, 0.01, 0.3, 0.9] {
            assert!((law.cdf(t.threshold(p)) - p).abs() < 1e-9 * p.max(1e-3));
        }
        assert_eq!(t.threshold(0.0), f64::NEG_INFINITY);
        assert!(LatentLaw::new(Copula::StudentT { dof: 0.0 }).is_none());
        assert!((LatentLaw::Gaussian.threshold(0.975) - 1.959963984540054).abs() < 1e-9);
    }

    /// Over the documented range of degrees of freedom (and beyond, where
    /// statrs' own quantile loops for ever), thresholds come back and
    /// invert the cdf.
    #[test]
    fn thresholds_end_and_invert_the_cdf_for_any_dof() {
        for dof in [1.0, 1.5, 2.0, 3.0, 30.0, 1e3, 1e5, 1e6, 5e6, 1e9, 1e300] {
            let t = LatentLaw::new(Copula::StudentT { dof }).unwrap();
            for p in [1e-12, 1e-6, 0.01, 0.3, 0.5, 0.9, 0.999_999] {
                let x = t.threshold(p);
                assert!(x.is_finite(), "dof {dof} p {p}: {x}");
                // Closed forms: the Cauchy (dof 1) and dof 2.
                let exact = match dof {
                    1.0 => {
                        let v = 1.0 / (std::f64::consts::PI * p.min(1.0 - p)).tan();
                        Some(if p < 0.5 { -v } else { v })
                    }
                    2.0 => Some((2.0 * p - 1.0) / (2.0 * p * (1.0 - p)).sqrt()),
                    _ => None,
                };
                if let Some(exact) = exact {
                    assert!(
                        (x / exact - 1.0).abs() < 1e-6 || (x - exact).abs() < 1e-9,
                        "dof {dof} p {p}: {x} vs {exact}"
                    );
                } else if dof <= NORMAL_LIMIT_DOF {
                    let error = (t.cdf(x) - p).abs() / p.min(1.0 - p);
                    assert!(error < 1e-6, "dof {dof} p {p}: cdf {} ", t.cdf(x));
                } else {
                    let z = standard_normal_quantile(p);
                    assert!(
                        (x - z).abs() < 1e-3 * z.abs().max(1.0),
                        "dof {dof} p {p}: {x} vs {z}"
                    );
                }
            }
        }
    }
}
