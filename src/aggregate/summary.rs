//! One row of statistics per tranche (the content of summary.csv).

use serde::Serialize;

use crate::model::Model;
use crate::money::Money;
use crate::spec::TrancheClass;

use super::timely::{TimelyInterest, timely_interest};
use super::{ES_LEVEL, Estimate, Outcomes, TrancheColumns, Weights, expected_shortfall_estimate};

/// Statistics of one tranche over all paths.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrancheSummary {
    /// Tranche name.
    pub tranche: String,
    /// Seniority class.
    pub class: TrancheClass,
    /// Notional in minor units.
    #[serde(skip)]
    pub notional: Money,
    /// Junior capital / total capital.
    pub attachment: f64,
    /// (Junior capital + this tranche) / total capital.
    pub detachment: f64,
    /// Mean principal loss (original principal unpaid at the legal final
    /// date), fraction of notional.
    pub expected_loss: f64,
    /// Monte Carlo standard error of `expected_loss`.
    pub expected_loss_se: f64,
    /// Share of paths with any principal loss.
    pub prob_loss: f64,
    /// Standard error of `prob_loss`.
    pub prob_loss_se: f64,
    /// Median loss fraction.
    pub loss_p50: f64,
    /// 90% quantile of the loss fraction.
    pub loss_p90: f64,
    /// 99% quantile of the loss fraction.
    pub loss_p99: f64,
    /// 99.9% quantile of the loss fraction.
    pub loss_p999: f64,
    /// Mean loss fraction over the worst 1% of paths.
    pub es_99: f64,
    /// Mean annual IRR.
    pub irr_mean: f64,
    /// Standard error of `irr_mean`.
    pub irr_mean_se: f64,
    /// 5% quantile of the IRR.
    pub irr_p05: f64,
    /// Median IRR.
    pub irr_p50: f64,
    /// 95% quantile of the IRR.
    pub irr_p95: f64,
    /// Mean multiple on invested capital.
    pub moic_mean: f64,
    /// Standard error of `moic_mean`.
    pub moic_mean_se: f64,
    /// Mean weighted average life in years (over paths that repaid principal).
    pub wal_years: f64,
    /// Standard error of `wal_years`.
    pub wal_years_se: f64,
    /// Standard error of `es_99`, including the uncertainty of the 99% VaR
    /// (see [`expected_shortfall_estimate`]).
    pub es_99_se: f64,
    /// Mean deferred-interest loss (interest capitalised or deferred and
    /// unpaid at the legal final date), fraction of notional.
    pub deferred_interest_loss: f64,
    /// Standard error of `deferred_interest_loss`.
    pub deferred_interest_loss_se: f64,
    /// Mean present-value loss at the promised yield (the rating-agency
    /// expected loss), fraction of notional.
    pub pv_loss: f64,
    /// Standard error of `pv_loss`.
    pub pv_loss_se: f64,
    /// Share of paths with a present-value loss.
    pub prob_pv_loss: f64,
    /// Standard error of `prob_pv_loss`.
    pub prob_pv_loss_se: f64,
    /// Loss given a principal loss: `expected_loss / prob_loss` (NaN when
    /// no path loses).
    pub loss_given_hit: f64,
    /// Present-value loss given one: `pv_loss / prob_pv_loss`.
    pub pv_loss_given_hit: f64,
    /// Share of paths on which a coupon of this non-deferrable tranche was
    /// not paid in full on its payment date (NaN for a deferrable tranche
    /// or the guarantee).
    pub prob_interest_shortfall: f64,
    /// Standard error of `prob_interest_shortfall`.
    pub prob_interest_shortfall_se: f64,
    /// Mean time of the first such payment date, in years from the start,
    /// over the paths that had one.
    pub interest_shortfall_first_years: f64,
    /// Mean over paths of the coupons not paid on their dates (each
    /// period's unpaid coupon counted once), as a fraction of notional.
    pub interest_shortfall_mean: f64,
    /// P(default): share of paths with a principal loss or, for a
    /// non-deferrable tranche, a missed coupon (the implied rating's
    /// default probability).
    pub prob_default: f64,
    /// Standard error of `prob_default`.
    pub prob_default_se: f64,
}

/// Summarises every tranche, most senior first, then the guarantee (if
/// any): its `notional` is the cap, its losses are payouts as a fraction
/// of the cap, its `moic` is fee income as a fraction of the cap, and its
/// IRR and WAL are undefined.
pub fn summarise(model: &Model, outcomes: &Outcomes) -> Vec<TrancheSummary> {
    let tranches = &model.liabilities.tranches;
    let capital = model.capital().as_f64();
    let weights = Weights::of(&outcomes.weights);
    let mut below: f64 = tranches.iter().map(|t| t.notional.as_f64()).sum();
    let mut rows: Vec<TrancheSummary> = tranches
        .iter()
        .zip(&outcomes.tranches)
        .enumerate()
        .map(|(t, (tranche, columns))| {
            below -= tranche.notional.as_f64();
            let attachment = below / capital;
            let detachment = (below + tranche.notional.as_f64()) / capital;
            let mut row = summarise_tranche(
                &tranche.name,
                tranche.class,
                tranche.notional,
                (attachment, detachment),
                columns,
                weights,
            );
            let timely = (!tranche.deferrable)
                .then(|| outcomes.timely.get(t))
                .flatten();
            set_timely(
                &mut row,
                timely_interest(&columns.loss, timely, &model.calendar, weights),
            );
            row
        })
        .collect();
    let guarantee = model.liabilities.guarantee.as_ref();
    if let (Some(g), Some(columns)) = (guarantee, &outcomes.guarantee) {
        // The guarantee takes the pool's first losses up to its cap.
        let detachment = g.cap.as_f64() / model.pool.notional.as_f64();
        rows.push(summarise_tranche(
            &g.name,
            TrancheClass::Guarantee,
            g.cap,
            (0.0, detachment),
            columns,
            weights,
        ));
    }
    rows
}

fn set_timely(row: &mut TrancheSummary, timely: TimelyInterest) {
    let mean_se = |e: Option<Estimate>| e.map_or((f64::NAN, f64::NAN), |e| (e.mean, e.se));
    (row.prob_interest_shortfall, row.prob_interest_shortfall_se) =
        mean_se(timely.prob_interest_shortfall);
    row.interest_shortfall_first_years = timely.first_shortfall_years.unwrap_or(f64::NAN);
    row.interest_shortfall_mean = mean_se(timely.interest_shortfall_mean).0;
    row.prob_default = timely.prob_default.mean;
    row.prob_default_se = timely.prob_default.se;
}

fn summarise_tranche(
    name: &str,
    class: TrancheClass,
    notional: Money,
    (attachment, detachment): (f64, f64),
    columns: &TrancheColumns,
    weights: Weights,
) -> TrancheSummary {
    let loss = weights.mean(&columns.loss);
    let prob_loss = weights.exceedance(&columns.loss, 0.0);
    let losses = weights.sorted(&columns.loss);
    let es = losses
        .expected_shortfall(ES_LEVEL)
        .unwrap_or_else(|| expected_shortfall_estimate(&losses.values, ES_LEVEL));
    let irr = weights.ratio_mean(&columns.irr);
    let irrs = weights.sorted(&columns.irr);
    let moic = weights.ratio_mean(&columns.moic);
    let wal = weights.ratio_mean(&columns.wal_years);
    let interest_loss = weights.mean(&columns.deferred_interest_loss);
    let pv = weights.mean(&columns.pv_loss);
    let prob_pv = exceedance_defined(&columns.pv_loss, weights);
    TrancheSummary {
        tranche: name.to_owned(),
        class,
        notional,
        attachment,
        detachment,
        expected_loss: loss.mean,
        expected_loss_se: loss.se,
        prob_loss: prob_loss.mean,
        prob_loss_se: prob_loss.se,
        loss_p50: losses.loss_quantile(0.5),
        loss_p90: losses.loss_quantile(0.9),
        loss_p99: losses.loss_quantile(0.99),
        loss_p999: losses.loss_quantile(0.999),
        es_99: es.mean,
        irr_mean: irr.mean,
        irr_mean_se: irr.se,
        irr_p05: irrs.irr_quantile(0.05),
        irr_p50: irrs.irr_quantile(0.5),
        irr_p95: irrs.irr_quantile(0.95),
        moic_mean: moic.mean,
        moic_mean_se: moic.se,
        wal_years: wal.mean,
        wal_years_se: wal.se,
        es_99_se: es.se,
        deferred_interest_loss: interest_loss.mean,
        deferred_interest_loss_se: interest_loss.se,
        pv_loss: pv.mean,
        pv_loss_se: pv.se,
        prob_pv_loss: prob_pv.mean,
        prob_pv_loss_se: prob_pv.se,
        loss_given_hit: given_hit(loss.mean, prob_loss.mean),
        pv_loss_given_hit: given_hit(pv.mean, prob_pv.mean),
        // The guarantee's: no coupon; a tranche's are set by the caller.
        prob_interest_shortfall: f64::NAN,
        prob_interest_shortfall_se: f64::NAN,
        interest_shortfall_first_years: f64::NAN,
        interest_shortfall_mean: f64::NAN,
        prob_default: prob_loss.mean,
        prob_default_se: prob_loss.se,
    }
}

/// Share of the defined (not NaN) values above 0, with its standard error;
/// NaN when none is defined (the guarantee's present-value loss).
fn exceedance_defined(values: &[f64], weights: Weights) -> super::Estimate {
    let indicators: Vec<f64> = values
        .iter()
        .map(|&v| match v {
            v if v.is_nan() => f64::NAN,
            v if v > 0.0 => 1.0,
            _ => 0.0,
        })
        .collect();
    weights.mean(&indicators)
}

/// The mean loss over the paths that lose: `expected / probability`; NaN
/// when no path loses.
fn given_hit(expected: f64, probability: f64) -> f64 {
    if probability > 0.0 {
        expected / probability
    } else {
        f64::NAN
    }
}
