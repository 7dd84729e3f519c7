//! The marginal law of the latent credit variables, which turns default
//! probabilities into thresholds.

use statrs::distribution::{ContinuousCDF, StudentsT};

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
                    law.inverse_cdf(p)
                }
            }
        }
    }
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
}
