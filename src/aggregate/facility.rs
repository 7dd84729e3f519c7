//! Facility-wide metrics (the content of facility.csv): what the public
//! money buys and what it, and the private money, expect to lose.

use serde::Serialize;

use crate::model::{Holders, Model};
use crate::spec::TrancheClass;

use super::{ES_LEVEL, Estimate, Outcomes, Weights, expected_shortfall_estimate};

/// One row of facility-wide statistics. Amounts are in currency units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FacilityMetrics {
    /// Number of paths.
    pub paths: usize,
    /// Total tranche capital.
    pub total_capital: f64,
    /// Capital held by public parties (without `[[parties]]`: the tranches
    /// and guarantee marked public).
    pub public_capital: f64,
    /// Capital held by private parties.
    pub private_capital: f64,
    /// Private capital per unit of public capital (NaN without public money).
    pub mobilisation_ratio: f64,
    /// Expected principal loss of the public side (its holdings).
    pub public_expected_loss: Estimate,
    /// Expected principal loss of the private side.
    pub private_expected_loss: Estimate,
    /// The first-loss tranche: the most junior tranche of class first_loss,
    /// else the most junior tranche.
    pub first_loss_tranche: String,
    /// Probability that the first-loss tranche loses its whole notional.
    pub prob_first_loss_wiped_out: Estimate,
    /// Pool principal.
    pub pool_notional: f64,
    /// Pool loss (written-off principal less recoveries) / pool principal.
    pub pool_expected_loss: Estimate,
    /// Pool loss quantiles at 50%, 90%, 99%, 99.9%.
    pub pool_loss_quantiles: [f64; 4],
    /// Pool expected shortfall at 99% (fraction of pool principal).
    pub pool_es_99: f64,
    /// Its standard error, including the uncertainty of the 99% VaR (see
    /// [`expected_shortfall_estimate`]).
    pub pool_es_99_se: f64,
    /// Expected number of defaulted loans.
    pub expected_defaults: Estimate,
    /// Quantiles of the number of defaults at 50%, 90%, 99%.
    pub defaults_quantiles: [f64; 3],
    /// Expected recoveries collected.
    pub expected_recoveries: Estimate,
    /// Share of paths with an event of default (NaN when the facility has
    /// none), with its standard error.
    pub prob_event_of_default: Estimate,
    /// Over those paths, the mean years from the start to the event of
    /// default (NaN if none occurs).
    pub event_of_default_years: f64,
    /// The tranches' and the guarantee's expected principal losses
    /// weighted by their widths: (sum of notional x loss + cap x the
    /// guarantee's loss) / pool principal, per path, then averaged.
    pub capital_expected_loss: Estimate,
    /// `pool_expected_loss - capital_expected_loss`: pool losses made good
    /// from interest (excess spread: PDL and coverage-test cures, interest
    /// left at the legal final, the guarantor's reimbursements), negative
    /// where principal proceeds paid interest instead (capitalised
    /// interest; interest and fees after an event of default).
    pub excess_spread_absorbed: Estimate,
}

/// Computes the facility metrics; `unit` converts minor units to currency
/// units. Under importance sampling every mean, probability, quantile and
/// the expected shortfall is the weighted estimator (docs/model.md,
/// "Importance sampling"), the mean time to an event of default a ratio of
/// weighted sums.
pub fn facility_metrics(model: &Model, outcomes: &Outcomes, unit: f64) -> FacilityMetrics {
    let w = Weights::of(&outcomes.weights);
    let tranches = &model.liabilities.tranches;
    let (public_capital, private_capital) = (
        side_capital(model, true) as f64 * unit,
        side_capital(model, false) as f64 * unit,
    );
    let first_loss = tranches
        .iter()
        .rposition(|t| t.class == TrancheClass::FirstLoss)
        .unwrap_or(tranches.len().saturating_sub(1));
    let pool_losses = w.sorted(&outcomes.pool_loss);
    let pool_es = (pool_losses.expected_shortfall(ES_LEVEL))
        .unwrap_or_else(|| expected_shortfall_estimate(&pool_losses.values, ES_LEVEL));
    let defaults: Vec<f64> = outcomes.defaults.iter().map(|&d| f64::from(d)).collect();
    let sorted_defaults = w.sorted(&defaults);
    let capital_loss = capital_loss(model, outcomes);
    let absorbed: Vec<f64> = (outcomes.pool_loss.iter().zip(&capital_loss))
        .map(|(pool, capital)| pool - capital)
        .collect();
    let recoveries: Vec<f64> = outcomes
        .detail
        .recovered
        .iter()
        .map(|r| r.as_f64() * unit)
        .collect();
    FacilityMetrics {
        paths: outcomes.paths(),
        total_capital: public_capital + private_capital,
        public_capital,
        private_capital,
        mobilisation_ratio: if public_capital > 0.0 {
            private_capital / public_capital
        } else {
            f64::NAN
        },
        public_expected_loss: side_loss(model, outcomes, unit, true),
        private_expected_loss: side_loss(model, outcomes, unit, false),
        first_loss_tranche: tranches
            .get(first_loss)
            .map(|t| t.name.clone())
            .unwrap_or_default(),
        prob_first_loss_wiped_out: outcomes.tranches.get(first_loss).map_or(
            Estimate {
                mean: f64::NAN,
                se: f64::NAN,
            },
            |c| indicator(&c.loss, |loss| loss >= 1.0, w),
        ),
        pool_notional: model.pool.notional.as_f64() * unit,
        pool_expected_loss: w.mean(&outcomes.pool_loss),
        pool_loss_quantiles: [0.5, 0.9, 0.99, 0.999].map(|p| pool_losses.loss_quantile(p)),
        pool_es_99: pool_es.mean,
        pool_es_99_se: pool_es.se,
        expected_defaults: w.mean(&defaults),
        defaults_quantiles: [0.5, 0.9, 0.99].map(|p| sorted_defaults.loss_quantile(p)),
        expected_recoveries: w.mean(&recoveries),
        prob_event_of_default: match model.liabilities.acceleration {
            Some(_) => indicator_of(&outcomes.events_of_default, w),
            None => Estimate {
                mean: f64::NAN,
                se: f64::NAN,
            },
        },
        event_of_default_years: mean_years(model, &outcomes.events_of_default, w),
        capital_expected_loss: w.mean(&capital_loss),
        excess_spread_absorbed: w.mean(&absorbed),
    }
}

/// Per path, the capital's principal loss as a fraction of pool principal:
/// every tranche's loss x notional and the guarantee's loss x cap.
fn capital_loss(model: &Model, outcomes: &Outcomes) -> Vec<f64> {
    let pool = model.pool.notional.as_f64();
    let mut per_path = vec![0.0; outcomes.paths()];
    let tranches = model.liabilities.tranches.iter().zip(&outcomes.tranches);
    let widths = tranches.map(|(t, c)| (t.notional.as_f64() / pool, &c.loss));
    let guarantee = (model.liabilities.guarantee.as_ref())
        .zip(outcomes.guarantee.as_ref())
        .map(|(g, c)| (g.cap.as_f64() / pool, &c.loss));
    for (width, losses) in widths.chain(guarantee) {
        for (total, loss) in per_path.iter_mut().zip(losses) {
            *total += width * loss;
        }
    }
    per_path
}

/// Share of paths with a nonzero period, with its standard error.
fn indicator_of(periods: &[u32], w: Weights) -> Estimate {
    let flags: Vec<f64> = periods
        .iter()
        .map(|&k| f64::from(u8::from(k > 0)))
        .collect();
    w.mean(&flags)
}

/// Mean years from the start to the nonzero periods (NaN if none); under
/// importance sampling the ratio of weighted sums over those paths.
fn mean_years(model: &Model, periods: &[u32], w: Weights) -> f64 {
    if let Weights::Importance(_) = w {
        let years: Vec<f64> = (periods.iter())
            .map(|&k| match k {
                0 => f64::NAN,
                k => model.calendar.years_from_start(k as usize),
            })
            .collect();
        return w.ratio_mean(&years).mean;
    }
    let years: Vec<f64> = periods
        .iter()
        .filter(|&&k| k > 0)
        .map(|&k| model.calendar.years_from_start(k as usize))
        .collect();
    if years.is_empty() {
        f64::NAN
    } else {
        years.iter().sum::<f64>() / years.len() as f64
    }
}

/// The amounts of a tranche or of the guarantee held by the public (or
/// private) parties, in minor units. Without `[[parties]]` each tranche and
/// the guarantee is one implied party with its own `public` flag, so this
/// is the whole notional on its side; with parties a tranche may be split
/// (the flagship's senior is partly held by an MSP member government), and
/// facility.csv's capital, mobilisation and losses follow the parties, as
/// parties.csv does.
fn held(model: &Model, holders: &Holders, public: bool) -> i64 {
    (holders.shares.iter())
        .filter(|(p, _)| {
            model
                .parties
                .parties
                .get(*p)
                .is_some_and(|p| p.public == public)
        })
        .map(|(_, amount)| amount.minor())
        .sum()
}

/// Capital committed by the public (or private) side, in minor units: its
/// shares of the tranches and of the guarantee's cap (an unfunded guarantee
/// counts at its cap: it is capital committed to absorb losses).
fn side_capital(model: &Model, public: bool) -> i64 {
    let parties = &model.parties;
    let tranches: i64 = (parties.tranche_holders.iter())
        .map(|h| held(model, h, public))
        .sum();
    tranches + (parties.guarantee_holders.as_ref()).map_or(0, |h| held(model, h, public))
}

/// Expected principal loss, in currency units, of the public (or private)
/// side: each tranche's loss times the side's holding of it, with the side's
/// share of the guarantor's payouts.
fn side_loss(model: &Model, outcomes: &Outcomes, unit: f64, public: bool) -> Estimate {
    let w = Weights::of(&outcomes.weights);
    let mut per_path = vec![0.0; outcomes.paths()];
    let parties = &model.parties;
    let guarantee = parties.guarantee_holders.as_ref();
    if let (Some(holders), Some(columns)) = (guarantee, &outcomes.guarantee) {
        let amount = held(model, holders, public) as f64 * unit;
        for (total, paid) in per_path.iter_mut().zip(&columns.loss) {
            *total += paid * amount;
        }
    }
    for (holders, columns) in parties.tranche_holders.iter().zip(&outcomes.tranches) {
        let amount = held(model, holders, public) as f64 * unit;
        if amount == 0.0 {
            continue;
        }
        for (total, loss) in per_path.iter_mut().zip(&columns.loss) {
            *total += loss * amount;
        }
    }
    w.mean(&per_path)
}

/// Share of values satisfying `test`, with its standard error.
fn indicator(values: &[f64], test: impl Fn(f64) -> bool, w: Weights) -> Estimate {
    let flags: Vec<f64> = values
        .iter()
        .map(|&v| if test(v) { 1.0 } else { 0.0 })
        .collect();
    w.mean(&flags)
}
