//! How often, and when, each coverage test of the waterfall fails.

use serde::Serialize;

use super::{Estimate, Outcomes, exceedance, quantile, sorted};
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
    liabilities
        .tests
        .iter()
        .zip(&outcomes.first_failures)
        .map(|(test, firsts)| {
            let failed: Vec<f64> = firsts.iter().map(|&k| f64::from(u8::from(k > 0))).collect();
            let years: Vec<f64> = firsts
                .iter()
                .filter(|&&k| k > 0)
                .map(|&k| model.calendar.years_from_start(k as usize))
                .collect();
            let mean = if years.is_empty() {
                f64::NAN
            } else {
                years.iter().sum::<f64>() / years.len() as f64
            };
            let years = sorted(&years);
            CoverageSummary {
                test: test.name.clone(),
                kind: test.kind.as_str(),
                tranche: liabilities.tranches[test.tranche].name.clone(),
                min_ratio: test.min_ratio,
                prob_fail: exceedance(&failed, 0.5),
                first_failure_years: (mean, quantile(&years, 0.5), quantile(&years, 0.9)),
            }
        })
        .collect()
}
