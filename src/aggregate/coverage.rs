//! How often, and when, each coverage test of the waterfall fails.

use serde::Serialize;

use super::{Estimate, Outcomes, Weights, quantile, sorted};
use crate::model::Model;

/// One coverage test over all paths.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageSummary {
    /// Test name.
    pub test: String,
    /// `oc` or `ic`.
    pub kind: &'static str,
    /// The tranche whose balance (with every senior one) the test covers.
    pub tranche: String,
    /// Minimum ratio.
    pub min_ratio: f64,
    /// Share of paths on which the test fails at least once, with its SE.
    pub prob_fail: Estimate,
    /// Over the paths on which it fails: the years from the start to the
    /// first failure, mean, median and 90% quantile (NaN if it never fails).
    pub first_failure_years: (f64, f64, f64),
}

/// Summarises every coverage test of the model from the per-path first
/// failing periods (0: never failed).
pub fn summarise_coverage(model: &Model, outcomes: &Outcomes) -> Vec<CoverageSummary> {
    let liabilities = &model.liabilities;
    let w = Weights::of(&outcomes.weights);
    liabilities
        .tests
        .iter()
        .zip(&outcomes.first_failures)
        .map(|(test, firsts)| {
            let failed: Vec<f64> = firsts.iter().map(|&k| f64::from(u8::from(k > 0))).collect();
            CoverageSummary {
                test: test.name.clone(),
                kind: test.kind.as_str(),
                tranche: liabilities.tranches[test.tranche].name.clone(),
                min_ratio: test.min_ratio,
                prob_fail: w.exceedance(&failed, 0.5),
                first_failure_years: first_failure_years(model, firsts, w),
            }
        })
        .collect()
}

/// Over the paths on which a test fails, the years to its first failure:
/// mean, median and 90% quantile. Under importance sampling the mean is
/// the ratio of weighted sums and the quantiles invert the normalised
/// weighted distribution function (docs/model.md, "Importance sampling").
fn first_failure_years(model: &Model, firsts: &[u32], w: Weights) -> (f64, f64, f64) {
    let years_of = |k: u32| model.calendar.years_from_start(k as usize);
    if w.is_importance() {
        let years: Vec<f64> = (firsts.iter())
            .map(|&k| if k > 0 { years_of(k) } else { f64::NAN })
            .collect();
        let sample = w.sorted(&years);
        return (
            w.ratio_mean(&years).mean,
            sample.irr_quantile(0.5),
            sample.irr_quantile(0.9),
        );
    }
    let years: Vec<f64> = firsts
        .iter()
        .filter(|&&k| k > 0)
        .map(|&k| years_of(k))
        .collect();
    let mean = if years.is_empty() {
        f64::NAN
    } else {
        years.iter().sum::<f64>() / years.len() as f64
    };
    let years = sorted(&years);
    (mean, quantile(&years, 0.5), quantile(&years, 0.9))
}
