//! Importance sampling of the systematic factors (docs/model.md,
//! "Importance sampling"): the factors are drawn with their means shifted
//! towards the losses that hit a chosen tranche, and, for the Student t
//! copula, the chi-square mixing variable is drawn smaller; every path
//! carries the likelihood ratio that undoes the change of law.
//!
//! The shift itself is chosen by the run (`crate::importance`), from
//! pilot paths through the whole waterfall.

use super::PoolModel;

/// The sampling law of the systematic factors under importance sampling:
/// each factor `N(mu, 1)` instead of `N(0, 1)`, and the t copula's
/// chi-square variable `W' / lambda` instead of `W'`.
#[derive(Debug, Clone, PartialEq)]
pub struct FactorShift {
    /// The tranche the shift was chosen for.
    pub tranche: String,
    /// Mean of the global factor.
    pub global: f64,
    /// Mean of each mineral factor (0 for a factor a scenario holds fixed).
    pub minerals: Vec<f64>,
    /// Mean of each country factor.
    pub countries: Vec<f64>,
    /// Mean of each region factor.
    pub regions: Vec<f64>,
    /// `lambda >= 1`: the chi-square variable is divided by it (1 for the
    /// Gaussian copula).
    pub mixing_scale: f64,
    /// `|mu|^2 / 2`, the constant of the factors' log likelihood ratio.
    half_norm: f64,
}

impl FactorShift {
    /// No shift at all (likelihood ratio 1 on every path).
    pub fn none(pool: &PoolModel, tranche: &str) -> Self {
        let f = &pool.factors;
        FactorShift {
            tranche: tranche.to_owned(),
            global: 0.0,
            minerals: vec![0.0; f.minerals.len()],
            countries: vec![0.0; f.countries.len()],
            regions: vec![0.0; f.regions.len()],
            mixing_scale: 1.0,
            half_norm: 0.0,
        }
    }

    /// The shift with factor means `means` (global, minerals, countries,
    /// regions: the draw order) and chi-square scale `lambda`; factors a
    /// scenario holds fixed keep mean 0 (their draws are replaced anyway).
    pub fn new(pool: &PoolModel, tranche: &str, means: &[f64], lambda: f64) -> Self {
        let f = &pool.factors;
        let (m, c, r) = (f.minerals.len(), f.countries.len(), f.regions.len());
        let fixed = &pool.fixed_factors;
        let mut shift = FactorShift {
            global: if fixed.global.is_some() {
                0.0
            } else {
                means[0]
            },
            minerals: means[1..1 + m].to_vec(),
            countries: means[1 + m..1 + m + c].to_vec(),
            regions: means[1 + m + c..1 + m + c + r].to_vec(),
            mixing_scale: lambda.max(1.0),
            ..FactorShift::none(pool, tranche)
        };
        for (list, values) in [
            (&fixed.minerals, &mut shift.minerals),
            (&fixed.countries, &mut shift.countries),
            (&fixed.regions, &mut shift.regions),
        ] {
            for &(index, _) in list {
                values[index] = 0.0;
            }
        }
        shift.half_norm = 0.5 * shift.means().map(|mu| mu * mu).sum::<f64>();
        shift
    }

    /// Every factor mean, in draw order.
    pub fn means(&self) -> impl Iterator<Item = f64> + '_ {
        std::iter::once(self.global)
            .chain(self.minerals.iter().copied())
            .chain(self.countries.iter().copied())
            .chain(self.regions.iter().copied())
    }

    /// Euclidean norm of the factor means.
    pub fn norm(&self) -> f64 {
        (2.0 * self.half_norm).sqrt()
    }

    /// Shifts standard normal draws `z` (one factor group) by their means
    /// and returns their log likelihood ratio `-sum mu z` (the constant
    /// `-|mu|^2 / 2` is added once by [`FactorShift::log_constant`]).
    pub fn shift(means: &[f64], z: &mut [f64]) -> f64 {
        let mut log = 0.0;
        for (z, &mu) in z.iter_mut().zip(means) {
            log -= mu * *z;
            *z += mu;
        }
        log
    }

    /// The factors' constant log likelihood ratio, `-|mu|^2 / 2`.
    pub fn log_constant(&self) -> f64 {
        -self.half_norm
    }

    /// Log likelihood ratio of a chi-square(dof) variable drawn as `w / lambda`
    /// from a standard draw `w`: `(lambda - 1) w / (2 lambda) -
    /// (dof / 2) ln lambda` (the Gamma(dof/2, 2/lambda) law against the
    /// chi-square; 0 when lambda is 1).
    pub fn mixing_log_ratio(&self, w: f64, dof: f64) -> f64 {
        let lambda = self.mixing_scale;
        (lambda - 1.0) * w / (2.0 * lambda) - 0.5 * dof * lambda.ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chi-square part of the likelihood ratio has mean 1 under the
    /// sampling law: E[exp((lambda - 1) W / 2)] for W ~ Gamma(dof/2,
    /// 2/lambda) is lambda^(dof/2), which the constant cancels. Checked
    /// by quadrature of the Gamma density on a fine grid.
    #[test]
    fn mixing_ratio_integrates_to_one() {
        let shift = FactorShift {
            tranche: "senior".into(),
            global: 0.0,
            minerals: Vec::new(),
            countries: Vec::new(),
            regions: Vec::new(),
            mixing_scale: 2.5,
            half_norm: 0.0,
        };
        let dof = 5.0;
        let law = statrs::distribution::Gamma::new(dof / 2.0, shift.mixing_scale / 2.0).unwrap();
        use statrs::distribution::Continuous;
        let h = 1e-4;
        let integral: f64 = (1..400_000)
            .map(|i| i as f64 * h)
            .map(|w| law.pdf(w) * (shift.mixing_log_ratio(w * shift.mixing_scale, dof)).exp() * h)
            .sum();
        assert!((integral - 1.0).abs() < 1e-6, "{integral}");
    }

    #[test]
    fn shifting_returns_the_linear_log_ratio() {
        let mut z = [0.5, -1.0];
        let log = FactorShift::shift(&[-2.0, 1.0], &mut z);
        assert_eq!(z, [-1.5, 0.0]);
        assert_eq!(log, 2.0 * 0.5 + 1.0);
    }
}
