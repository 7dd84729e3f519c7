//! Timely interest of non-deferrable tranches: how often, when and how
//! much of a coupon goes unpaid on its payment date, and the default
//! probability that counts such a miss as a default (docs/ratings.md).

use serde::Serialize;

use super::{Estimate, Weights};
use crate::model::Calendar;

/// Per path, a tranche's timely-interest record.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TimelyColumns {
    /// First period whose coupon was not paid in full on its date (0: none).
    pub first_shortfall: Vec<u32>,
    /// Coupons not paid on their dates, summed over periods, as a fraction
    /// of notional.
    pub missed: Vec<f64>,
}

/// Timely-interest statistics of one tranche (all `None` for a deferrable
/// tranche, whose unpaid interest is capitalised by its terms).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TimelyInterest {
    /// Share of paths on which a coupon was not paid in full on its date.
    pub prob_interest_shortfall: Option<Estimate>,
    /// Mean time from the start of the first such payment date, in years,
    /// over the paths that had one (NaN when none did).
    pub first_shortfall_years: Option<f64>,
    /// Mean over all paths of the coupons not paid on their dates, as a
    /// fraction of notional.
    pub interest_shortfall_mean: Option<Estimate>,
    /// P(default): share of paths with a principal loss or a missed coupon
    /// (a deferrable tranche: with a loss only).
    pub prob_default: Estimate,
}

/// The statistics of one tranche from its per-path `losses` and timely
/// record (`None` for a deferrable tranche).
pub fn timely_interest(
    losses: &[f64],
    timely: Option<&TimelyColumns>,
    calendar: &Calendar,
    weights: Weights,
) -> TimelyInterest {
    let Some(timely) = timely else {
        let defaulted: Vec<f64> = losses
            .iter()
            .map(|&l| f64::from(u8::from(l > 0.0)))
            .collect();
        return TimelyInterest {
            prob_interest_shortfall: None,
            first_shortfall_years: None,
            interest_shortfall_mean: None,
            prob_default: weights.mean(&defaulted),
        };
    };
    let hit: Vec<f64> = timely
        .first_shortfall
        .iter()
        .map(|&k| f64::from(u8::from(k > 0)))
        .collect();
    let defaulted: Vec<f64> = losses
        .iter()
        .zip(&timely.first_shortfall)
        .map(|(&l, &k)| f64::from(u8::from(l > 0.0 || k > 0)))
        .collect();
    // Defined on the paths with a shortfall only (NaN elsewhere, which
    // every mean skips).
    let firsts: Vec<f64> = timely
        .first_shortfall
        .iter()
        .map(|&k| match k {
            0 => f64::NAN,
            k => calendar.years_from_start(k as usize),
        })
        .collect();
    TimelyInterest {
        prob_interest_shortfall: Some(weights.mean(&hit)),
        first_shortfall_years: Some(weights.ratio_mean(&firsts).mean),
        interest_shortfall_mean: Some(weights.mean(&timely.missed)),
        prob_default: weights.mean(&defaulted),
    }
}
