//! Bounds that keep exact money exact: dates in a stated range, a horizon
//! of at most [`MAX_HORIZON_YEARS`], and a worst case of every balance the
//! waterfall can hold (every coupon capitalised, every fee unpaid, to the
//! legal final date) that fits [`MAX_MINOR_UNITS`].
//!
//! Why 2^53 minor units: the engine adds a path's amounts into 64-bit
//! accumulators for [`crate::waterfall::FLUSH_EVERY`] = 1,024 paths before
//! moving them to 128-bit totals, so each amount must stay below
//! 2^63 / 1,024 = 2^53; amounts below 2^53 are also exact as floats. With
//! this bound no sum of money in the engine can wrap.

use chrono::{Datelike, NaiveDate};
use rust_decimal::prelude::ToPrimitive;

use super::*;
use crate::spec::{FeeBasis, GuaranteeCap, ReserveTarget, StepSpec};

/// Earliest date accepted anywhere.
pub const MIN_DATE: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date");
/// Latest date accepted anywhere.
pub const MAX_DATE: NaiveDate = NaiveDate::from_ymd_opt(2199, 12, 31).expect("a date");
/// Longest facility: `legal_final_date` at most this many years after
/// `start_date` (the longest project loans run about 40 years).
pub const MAX_HORIZON_YEARS: i32 = 100;
/// Largest amount, in minor units, that any balance may reach on any path.
pub const MAX_MINOR_UNITS: f64 = 9_007_199_254_740_992.0; // 2^53

/// `date` lies in [`MIN_DATE`, `MAX_DATE`].
fn date_in_range(date: NaiveDate) -> Result<(), String> {
    if (MIN_DATE..=MAX_DATE).contains(&date) {
        Ok(())
    } else {
        Err(format!(
            "{date} is outside the dates blendsim accepts; expected a date from {MIN_DATE} to {MAX_DATE}"
        ))
    }
}

/// The facility's dates are in range and its horizon is at most
/// [`MAX_HORIZON_YEARS`].
pub(super) fn check_facility_dates(spec: &FacilitySpec, c: &mut Checks) {
    c.facility("start_date", false, date_in_range(spec.start_date));
    c.facility(
        "legal_final_date",
        false,
        date_in_range(spec.legal_final_date),
    );
    let limit = spec
        .start_date
        .with_year(spec.start_date.year() + MAX_HORIZON_YEARS)
        .unwrap_or(spec.start_date + chrono::Days::new(36_524));
    if spec.legal_final_date > limit {
        let message = format!(
            "{} is more than {MAX_HORIZON_YEARS} years after start_date {}; expected a legal final \
             date on or before {limit}",
            spec.legal_final_date, spec.start_date
        );
        c.facility("legal_final_date", true, Err(message));
    }
}

/// A project's dates are in range (single-field rules, checked even when the
/// facility's dates could not be read).
pub(super) fn check_project_dates_in_range(p: &ProjectSpec, c: &mut Checks) {
    c.project(p, "start_date", false, date_in_range(p.start_date));
    c.project(p, "maturity_date", false, date_in_range(p.maturity_date));
    if let Some(end) = p.construction_end {
        c.project(p, "construction_end", false, date_in_range(end));
    }
}

/// One part of the worst case: the field it comes from, what it is and its
/// bound in minor units.
struct Part {
    field: String,
    what: String,
    minor: f64,
}

/// The worst case of every balance fits [`MAX_MINOR_UNITS`]; otherwise the
/// error names the largest part.
pub(super) fn check_worst_case(spec: &FacilitySpec, c: &mut Checks) {
    // With a date or a coupon out of its range (reported on its own) the
    // bound would be taken on a value that is not meant.
    let coupons = spec.tranches.iter().map(|t| t.coupon);
    let coupons_ok = coupons
        .chain(spec.projects.iter().map(|p| p.coupon))
        .all(|c| RATE.contains(c));
    if spec.legal_final_date <= spec.start_date || !coupons_ok {
        return;
    }
    let parts = worst_case_parts(spec);
    let total: f64 = parts.iter().map(|p| p.minor).sum();
    if total <= MAX_MINOR_UNITS {
        return;
    }
    let Some(largest) = parts.iter().max_by(|a, b| a.minor.total_cmp(&b.minor)) else {
        return;
    };
    let message = format!(
        "the facility's balances could reach {total:.3e} minor units of {} in the worst case \
         ({}: {:.3e}), beyond the {MAX_MINOR_UNITS:.3e} that exact money is held to; expected \
         smaller amounts, lower coupons of deferrable tranches or fees, or a shorter horizon",
        spec.currency.code, largest.what, largest.minor
    );
    c.facility(largest.field.clone(), true, Err(message));
}

/// The facility's scale: what every bound is taken over.
struct Scale {
    /// Minor units per currency unit.
    minor_per_unit: f64,
    /// Horizon in years on the largest day count.
    years: f64,
    /// Number of periods (an upper bound).
    periods: f64,
    /// Pool principal in minor units.
    pool: f64,
    /// `(name, bound in minor units, coupon)` of every tranche.
    tranches: Vec<(String, f64, f64)>,
}

impl Scale {
    fn minor(&self, amount: Decimal) -> f64 {
        amount.to_f64().unwrap_or(f64::INFINITY).abs() * self.minor_per_unit
    }

    /// A fee of `bps` a year, unpaid for the whole horizon, per unit of base.
    fn fee(&self, bps: f64) -> f64 {
        bps.max(0.0) / 10_000.0 * self.years
    }

    fn tranche(&self, name: &str) -> Option<&(String, f64, f64)> {
        self.tranches.iter().find(|(n, ..)| n == name)
    }
}

/// Every balance's bound, in minor units. With `Y` the horizon in years on
/// the largest day count (days / 360, plus 3 days a period for 30/360's
/// month ends) and `K` the number of periods: a tranche at most
/// `amount x exp(coupon x Y)` (every coupon capitalised: it compounds at
/// most `prod(1 + coupon x f_k) <= exp(coupon x sum f_k)`; unpaid interest
/// of a non-deferrable tranche grows only linearly), the pool's collections
/// `pool x (1 + max coupon x Y)`, a fee unpaid throughout `rate x base x Y`
/// (a fixed fee `amount x K`), a reserve its target.
fn worst_case_parts(spec: &FacilitySpec) -> Vec<Part> {
    let months = months_between(spec.start_date, spec.legal_final_date);
    let periods = f64::from(months / spec.frequency.months() + 1);
    let days = (spec.legal_final_date - spec.start_date).num_days() as f64;
    let mut scale = Scale {
        minor_per_unit: 10f64.powi(spec.currency.minor_digits as i32),
        years: (days + 3.0 * periods) / 360.0,
        periods,
        pool: 0.0,
        tranches: Vec::new(),
    };
    scale.pool = scale.minor(spec.pool_amount());
    let max_coupon = spec.projects.iter().map(|p| p.coupon).fold(0.0, f64::max);
    let mut parts = vec![Part {
        field: "projects".into(),
        what: "the pool's collections".into(),
        minor: scale.pool * (1.0 + max_coupon * scale.years),
    }];
    for (i, t) in spec.tranches.iter().enumerate() {
        let bound = scale.minor(t.amount) * (t.coupon.max(0.0) * scale.years).exp();
        scale.tranches.push((t.name.clone(), bound, t.coupon));
        parts.push(Part {
            field: format!("tranches[{i}].coupon"),
            what: format!("tranche {} with its interest capitalised", t.name),
            minor: bound,
        });
    }
    parts.push(Part {
        field: "management_fee_bps".into(),
        what: "the management fee unpaid".into(),
        minor: scale.pool * scale.fee(spec.management_fee_bps),
    });
    if let Some(g) = &spec.guarantee {
        let cap = match &g.cap {
            GuaranteeCap::Amount(cap) => scale.minor(*cap),
            GuaranteeCap::PoolShare(share) => scale.pool * share.abs(),
        };
        parts.push(Part {
            field: "guarantee.fee_bps".into(),
            what: "the guarantee's cap and fee unpaid".into(),
            minor: cap * (1.0 + scale.fee(g.fee_bps)),
        });
    }
    parts.extend(step_parts(spec, &scale));
    parts
}

/// The bounds of the waterfall's fees (unpaid throughout) and reserves
/// (their targets).
fn step_parts(spec: &FacilitySpec, scale: &Scale) -> Vec<Part> {
    let steps = spec.waterfall.iter().flat_map(|w| {
        let interest = w
            .interest
            .iter()
            .enumerate()
            .map(|(i, s)| ("interest", i, s));
        interest.chain(
            w.principal
                .iter()
                .enumerate()
                .map(|(i, s)| ("principal", i, s)),
        )
    });
    let period_years = f64::from(spec.frequency.months() * 31 + 3) / 360.0;
    let mut parts = Vec::new();
    for (list, i, step) in steps {
        let (what, minor) = match step {
            StepSpec::Fee(fee) => {
                let unpaid = match &fee.basis {
                    FeeBasis::PerformingPool { rate_bps } => scale.pool * scale.fee(*rate_bps),
                    FeeBasis::TrancheBalance { tranche, rate_bps } => {
                        scale.tranche(tranche).map_or(0.0, |t| t.1) * scale.fee(*rate_bps)
                    }
                    FeeBasis::Fixed { amount } => scale.minor(*amount) * scale.periods,
                };
                (format!("fee {} unpaid", fee.name), unpaid)
            }
            StepSpec::Reserve(reserve) => {
                let target = match &reserve.target {
                    ReserveTarget::Amount(amount) => scale.minor(*amount),
                    ReserveTarget::InterestPeriods(n) => {
                        let per_tranche = |t: Option<_>| {
                            t.map_or(0.0, |t: &(_, f64, f64)| t.1 * t.2.max(0.0) * period_years)
                        };
                        let interest: f64 = match reserve.tranches.as_slice() {
                            [] => per_tranche(scale.tranches.first()),
                            names => names.iter().map(|n| per_tranche(scale.tranche(n))).sum(),
                        };
                        interest * f64::from(*n)
                    }
                };
                (format!("reserve {}'s target", reserve.name), target)
            }
            _ => continue,
        };
        let field = format!("waterfall.{list}[{i}]");
        parts.push(Part { field, what, minor });
    }
    parts
}

/// Whole months from `a` to `b` (rounded up), for counting periods.
fn months_between(a: NaiveDate, b: NaiveDate) -> u32 {
    let months = (b.year() - a.year()) * 12 + b.month() as i32 - a.month() as i32;
    (months.max(0) + 1) as u32
}
