//! Statistics of importance-sampled paths: each path i carries its
//! likelihood ratio `w_i` (mean 1 under the sampling law), and every
//! statistic is the weighted estimator of the same quantity under the
//! model (docs/model.md, "Importance sampling"). With no weights
//! ([`Weights::Plain`]) every function is the plain estimator, bit for bit.
//!
//! Two kinds of mean:
//!
//! - a loss or a probability (zero on most paths): `(1/n) sum w_i x_i`,
//!   standard error `sd(w x) / sqrt(n)`; unbiased, and the estimator
//!   importance sampling is chosen for;
//! - an IRR, multiple or average life (about the same on most paths, or
//!   defined on some only): the ratio `sum w_i x_i / sum w_i` over the
//!   paths where it is defined, standard error by the delta method
//!   `sqrt(sum w_i^2 (x_i - m)^2) / sum w_i`; the unbiased form would carry
//!   the whole spread of the weights into a nearly constant value.
//!
//! Quantiles invert the weighted distribution function: a loss's upper
//! tail `S(x) = (1/n) sum w_i 1{x_i > x}` (the tail is what importance
//! sampling makes precise), an IRR's normalised distribution function;
//! confidence intervals invert the same function at `p -+ 1.96 se(p)`.

use super::quantiles::QuantileEstimate;
use super::{CompensatedSum, Estimate, estimate, quantile, sorted};

/// Two-sided 95% standard normal quantile.
const Z_95: f64 = 1.959_963_984_540_054;

/// The paths' weights: none (plain sampling) or one per path.
#[derive(Debug, Clone, Copy)]
pub enum Weights<'a> {
    /// Plain sampling: every weight 1, the plain estimators.
    Plain,
    /// Importance sampling: one likelihood ratio per path, in path order.
    Importance(&'a [f64]),
}

impl<'a> Weights<'a> {
    /// The weights of `outcomes`' paths.
    pub fn of(weights: &'a [f64]) -> Self {
        if weights.is_empty() {
            Weights::Plain
        } else {
            Weights::Importance(weights)
        }
    }

    /// Whether the paths carry weights.
    pub fn is_importance(self) -> bool {
        matches!(self, Weights::Importance(_))
    }

    /// Mean of a loss or probability over every path (NaNs skipped, and
    /// not counted), with its standard error.
    pub fn mean(self, values: &[f64]) -> Estimate {
        match self {
            Weights::Plain => estimate(values),
            Weights::Importance(w) => {
                let products: Vec<f64> = values
                    .iter()
                    .zip(w)
                    .filter(|(v, _)| !v.is_nan())
                    .map(|(v, w)| v * w)
                    .collect();
                estimate(&products)
            }
        }
    }

    /// Mean of an IRR, multiple or life over the paths where it is defined
    /// (not NaN), as a ratio of weighted sums, with its standard error.
    pub fn ratio_mean(self, values: &[f64]) -> Estimate {
        let Weights::Importance(weights) = self else {
            return estimate(values);
        };
        let (mut sum, mut total) = (CompensatedSum::default(), CompensatedSum::default());
        for (&v, &w) in values.iter().zip(weights).filter(|(v, _)| !v.is_nan()) {
            sum.add(w * v);
            total.add(w);
        }
        let total = total.value();
        if total <= 0.0 {
            return Estimate::UNDEFINED;
        }
        let mean = sum.value() / total;
        let mut squares = CompensatedSum::default();
        for (&v, &w) in values.iter().zip(weights).filter(|(v, _)| !v.is_nan()) {
            squares.add(w * w * (v - mean) * (v - mean));
        }
        Estimate {
            mean,
            se: squares.value().sqrt() / total,
        }
    }

    /// Mean per path of an exact sum over paths: plain `sum / n`; under
    /// importance sampling the sum is of amounts times the paths'
    /// fixed-point weights ([`crate::waterfall::fixed_weight`]), and this
    /// is `(1/n) sum w_i x_i` (the same f64 as plain when every weight is 1).
    pub fn sum_mean(self, sum: i128, paths: usize) -> f64 {
        match self {
            Weights::Plain => sum as f64 / paths.max(1) as f64,
            Weights::Importance(_) => crate::waterfall::fixed_mean(sum, paths as u64),
        }
    }

    /// Probability that a value is strictly above `threshold`.
    pub fn exceedance(self, values: &[f64], threshold: f64) -> Estimate {
        let indicators: Vec<f64> = values
            .iter()
            .map(|&v| if v > threshold { 1.0 } else { 0.0 })
            .collect();
        self.mean(&indicators)
    }

    /// The values without NaNs in ascending order, with their weights.
    pub fn sorted(self, values: &[f64]) -> Sample {
        match self {
            Weights::Plain => Sample {
                values: sorted(values),
                weights: None,
                paths: values.len(),
            },
            Weights::Importance(w) => {
                let mut pairs: Vec<(f64, f64)> = values
                    .iter()
                    .zip(w)
                    .filter(|(v, _)| !v.is_nan())
                    .map(|(&v, &w)| (v, w))
                    .collect();
                pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
                Sample {
                    values: pairs.iter().map(|p| p.0).collect(),
                    weights: Some(pairs.iter().map(|p| p.1).collect()),
                    paths: values.len(),
                }
            }
        }
    }
}

/// Sorted values of one metric and, under importance sampling, their
/// weights in the same order.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Defined values, ascending.
    pub values: Vec<f64>,
    weights: Option<Vec<f64>>,
    /// Paths the values came from (NaNs included).
    paths: usize,
}

impl Sample {
    /// Whether the values carry importance-sampling weights.
    pub fn is_weighted(&self) -> bool {
        self.weights.is_some()
    }

    /// The probability that a value exceeds `x`: plain, the share of the
    /// defined values above it; weighted, `(1/n) sum w 1{v > x}` over the
    /// n paths.
    pub fn upper_tail(&self, x: f64) -> f64 {
        let above = self.values.partition_point(|&v| v <= x);
        match &self.weights {
            None => (self.values.len() - above) as f64 / self.values.len().max(1) as f64,
            Some(w) => {
                let mut sum = CompensatedSum::default();
                w[above..].iter().for_each(|&w| sum.add(w));
                sum.value() / self.paths.max(1) as f64
            }
        }
    }

    /// The p-quantile of a loss (plain: the inverse empirical distribution
    /// function; weighted: the smallest value whose weighted upper tail is
    /// at most 1 - p).
    pub fn loss_quantile(&self, p: f64) -> f64 {
        match &self.weights {
            None => quantile(&self.values, p),
            Some(w) => self.upper_tail_quantile(w, p).0,
        }
    }

    /// The p-quantile of an IRR (weighted: from the normalised weighted
    /// distribution function of the defined values).
    pub fn irr_quantile(&self, p: f64) -> f64 {
        match &self.weights {
            None => quantile(&self.values, p),
            Some(w) => self.normalised_quantile(w, p).0,
        }
    }

    /// [`Sample::loss_quantile`] with its 95% confidence interval;
    /// `None` under plain sampling (the order-statistic interval applies).
    pub fn loss_quantile_interval(&self, p: f64) -> Option<QuantileEstimate> {
        self.weighted_interval(p, Self::upper_tail_quantile)
    }

    /// [`Sample::irr_quantile`] with its 95% confidence interval; `None`
    /// under plain sampling.
    pub fn irr_quantile_interval(&self, p: f64) -> Option<QuantileEstimate> {
        self.weighted_interval(p, Self::normalised_quantile)
    }

    /// The quantile `estimate` gives at `p` (value and the standard error
    /// of its probability), with the interval of the quantiles at `p -+
    /// 1.96 se`; `None` under plain sampling.
    fn weighted_interval(
        &self,
        p: f64,
        estimate: fn(&Self, &[f64], f64) -> (f64, f64),
    ) -> Option<QuantileEstimate> {
        let w = self.weights.as_ref()?;
        let (value, se) = estimate(self, w, p);
        Some(QuantileEstimate {
            probability: p,
            value,
            ci_low: estimate(self, w, p - Z_95 * se).0,
            ci_high: estimate(self, w, p + Z_95 * se).0,
        })
    }

    /// The smallest value x with `(1/n) sum w 1{v > x} <= 1 - p`, and the
    /// standard error of that tail probability at x.
    fn upper_tail_quantile(&self, w: &[f64], p: f64) -> (f64, f64) {
        let n = self.paths as f64;
        if self.values.is_empty() {
            return (f64::NAN, f64::NAN);
        }
        // `tail / n > 1 - p` in the form that, with every weight 1, is
        // exactly the plain quantile's `count at or below >= p n`.
        let target = n - p * n;
        // Walk down from the largest value; `above` is the weight strictly
        // above values[i] once the run of values equal to it is passed.
        let len = self.values.len();
        let (mut above, mut tail, mut index) = (0.0, 0.0, len - 1);
        for i in (0..len).rev() {
            if i + 1 == len || self.values[i + 1] != self.values[i] {
                tail = above;
            }
            if tail > target {
                break;
            }
            index = i;
            above += w[i];
        }
        let x = self.values[index];
        let tail: Vec<f64> = self
            .values
            .iter()
            .zip(w)
            .map(|(&v, &w)| if v > x { w } else { 0.0 })
            .chain(std::iter::repeat_n(0.0, self.paths - self.values.len()))
            .collect();
        (x, estimate(&tail).se)
    }

    /// The smallest value x whose normalised weighted distribution function
    /// `sum w 1{v <= x} / sum w` is at least p, and its standard error.
    fn normalised_quantile(&self, w: &[f64], p: f64) -> (f64, f64) {
        if self.values.is_empty() {
            return (f64::NAN, f64::NAN);
        }
        let mut total = CompensatedSum::default();
        w.iter().for_each(|&w| total.add(w));
        let total = total.value();
        let mut below = 0.0;
        let mut index = self.values.len() - 1;
        for (i, &wi) in w.iter().enumerate() {
            below += wi;
            let last_of_run = i + 1 == self.values.len() || self.values[i + 1] != self.values[i];
            // As `below / total >= p`, in the form that is exactly the plain
            // quantile's rank when every weight is 1.
            if last_of_run && below >= p * total {
                index = i;
                break;
            }
        }
        let x = self.values[index];
        let mut squares = CompensatedSum::default();
        for (&v, &wi) in self.values.iter().zip(w) {
            let d = f64::from(u8::from(v <= x)) - p;
            squares.add(wi * wi * d * d);
        }
        (x, squares.value().sqrt() / total)
    }

    /// Expected shortfall at level `alpha` of a loss: `VaR + E[(L - VaR)+]
    /// / (1 - alpha)` with its standard error `sd(w (L - VaR)+) / (sqrt(n)
    /// (1 - alpha))` (the VaR's own error does not enter to first order,
    /// since the derivative in VaR vanishes there). `None` under plain
    /// sampling.
    pub fn expected_shortfall(&self, alpha: f64) -> Option<Estimate> {
        let w = self.weights.as_ref()?;
        if self.values.is_empty() {
            return Some(Estimate::UNDEFINED);
        }
        let var = self.upper_tail_quantile(w, alpha).0;
        let excess: Vec<f64> = self
            .values
            .iter()
            .zip(w)
            .map(|(&v, &w)| w * (v - var).max(0.0))
            .chain(std::iter::repeat_n(0.0, self.paths - self.values.len()))
            .collect();
        let e = estimate(&excess);
        Some(Estimate {
            mean: var + e.mean / (1.0 - alpha),
            se: e.se / (1.0 - alpha),
        })
    }
}

/// Outputs of a plain run that importance sampling does not weight yet:
/// a run with `--sampling importance` does not write them (run.json lists
/// them under `importance.not_written`).
pub const NOT_WEIGHTED: &[&str] = &[
    "tornado.csv",
    "tornado.svg",
    "nexus_events.csv",
    "nexus_timing.csv",
    "nexus_impact.csv",
];

/// What an importance-sampled run's sampling law was, and how its weights
/// came out (run.json's `importance`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ImportanceSummary {
    /// The tranche the shift aims at.
    pub tranche: String,
    /// Euclidean norm of the factor means.
    pub factor_shift_norm: f64,
    /// Mean of the global factor.
    pub global_factor_mean: f64,
    /// The t copula's chi-square variable is divided by this (1: none).
    pub mixing_scale: f64,
    /// Mean of the likelihood ratios with its standard error: 1 within a
    /// few standard errors when the weights are right.
    pub weight_mean: Estimate,
    /// Largest likelihood ratio of a path.
    pub weight_max: f64,
    /// Kish's effective sample size `(sum w)^2 / sum w^2`.
    pub effective_paths: f64,
    /// Files a plain run writes that this run does not (not weighted yet).
    pub not_written: &'static [&'static str],
}

impl ImportanceSummary {
    /// The summary of a run of `model` with path weights `weights`; `None`
    /// for plain sampling.
    pub fn of(model: &crate::model::Model, weights: &[f64]) -> Option<Self> {
        let shift = model.pool.importance.as_ref()?;
        let (mut sum, mut squares) = (CompensatedSum::default(), CompensatedSum::default());
        for &w in weights {
            sum.add(w);
            squares.add(w * w);
        }
        Some(ImportanceSummary {
            tranche: shift.tranche.clone(),
            factor_shift_norm: shift.norm(),
            global_factor_mean: shift.global,
            mixing_scale: shift.mixing_scale,
            weight_mean: estimate(weights),
            weight_max: weights.iter().copied().fold(0.0, f64::max),
            effective_paths: sum.value() * sum.value() / squares.value(),
            not_written: NOT_WEIGHTED,
        })
    }
}
