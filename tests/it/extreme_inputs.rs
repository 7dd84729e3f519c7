//! Extreme but accepted inputs through the engine: facilities at the edges
//! of what validation accepts (dates from 1900 to 2199, horizons up to 100
//! years, deferrable tranches capitalising high coupons, large fees, and
//! amounts scaled up to the largest the worst-case bound of 2^53 minor
//! units lets through) still conserve cash to the cent on every path and
//! period, keep every balance non-negative, and give losses in [0, 1] and
//! finite non-negative multiples. Tests build with overflow checks on, so
//! an arithmetic wrap would also fail here as a panic.

use blendsim::engine::{RunSettings, simulate_outcomes};
use blendsim::model::Model;
use blendsim::simulate::{FactorDraws, PoolSimulator};
use blendsim::spec::{
    Amortization, DayCount, FacilitySpec, PaymentFrequency, TrancheClass, TrancheSpec,
};
use blendsim::waterfall::{Ledger, run_waterfall};
use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::common;
use crate::properties::{check_pool_path, check_waterfall};

/// Paths checked one by one per facility (every period of each).
const PATHS_CHECKED: u64 = 4;
/// Paths run through the whole engine per facility.
const PATHS_SUMMARISED: u64 = 64;
/// Smallest loan tried, in minor units (100.00).
const SMALLEST_LOAN: i64 = 10_000;

#[derive(Debug, Clone)]
struct LoanDraw {
    annual_pd: f64,
    recovery_mean: f64,
    coupon: f64,
    linear: bool,
    /// Maturity as a share of the facility's life (at least one year).
    maturity_share: f64,
}

#[derive(Debug, Clone)]
struct TrancheDraw {
    weight: i64,
    /// Share of the highest coupon the horizon leaves room for.
    coupon_share: f64,
    deferrable: bool,
}

#[derive(Debug, Clone)]
struct ExtremeDraw {
    start_year: i32,
    horizon_years: i32,
    frequency: PaymentFrequency,
    day_count: DayCount,
    fee_bps: f64,
    loans: Vec<LoanDraw>,
    tranches: Vec<TrancheDraw>,
    seed: u64,
}

fn loan_strategy() -> impl Strategy<Value = LoanDraw> {
    (
        prop_oneof![Just(1e-12), 0.001..0.3_f64, Just(0.999)],
        prop_oneof![Just(0.0), 0.0..1.0_f64, Just(1.0)],
        prop_oneof![Just(0.0), 0.0..0.3_f64],
        any::<bool>(),
        prop_oneof![Just(1.0), 0.0..1.0_f64],
    )
        .prop_map(
            |(annual_pd, recovery_mean, coupon, linear, maturity_share)| LoanDraw {
                annual_pd,
                recovery_mean,
                coupon,
                linear,
                maturity_share,
            },
        )
}

fn tranche_strategy() -> impl Strategy<Value = TrancheDraw> {
    (
        1_i64..100,
        prop_oneof![Just(1.0), 0.0..1.0_f64],
        any::<bool>(),
    )
        .prop_map(|(weight, coupon_share, deferrable)| TrancheDraw {
            weight,
            coupon_share,
            deferrable,
        })
}

fn extreme_strategy() -> impl Strategy<Value = ExtremeDraw> {
    (
        (
            prop_oneof![Just(1900), 1900..2100_i32, Just(2099)],
            prop_oneof![Just(100), 1..=100_i32],
            prop_oneof![
                Just(PaymentFrequency::Monthly),
                Just(PaymentFrequency::Quarterly),
                Just(PaymentFrequency::Annual),
            ],
            prop_oneof![
                Just(DayCount::Thirty360),
                Just(DayCount::Act360),
                Just(DayCount::Act365Fixed),
            ],
            prop_oneof![Just(0.0), 0.0..2_000.0_f64],
        ),
        prop::collection::vec(loan_strategy(), 1..=4),
        prop::collection::vec(tranche_strategy(), 1..=4),
        any::<u64>(),
    )
        .prop_map(
            |(
                (start_year, horizon_years, frequency, day_count, fee_bps),
                loans,
                tranches,
                seed,
            )| {
                ExtremeDraw {
                    start_year,
                    horizon_years,
                    frequency,
                    day_count,
                    fee_bps,
                    loans,
                    tranches,
                    seed,
                }
            },
        )
}

/// The facility drawn, each loan of `loan_minor` minor units, the tranches
/// splitting the pool by weight (the remainder to the most junior).
fn build(draw: &ExtremeDraw, loan_minor: i64) -> FacilitySpec {
    let start = NaiveDate::from_ymd_opt(draw.start_year, 1, 1).expect("a date");
    let legal_final = NaiveDate::from_ymd_opt(draw.start_year + draw.horizon_years, 1, 1)
        .expect("at most 2199-01-01");
    let life_days = (legal_final - start).num_days();
    let projects = draw
        .loans
        .iter()
        .enumerate()
        .map(|(i, loan)| {
            let mut p = common::project(
                i,
                0,
                "2000-01-01",
                "2001-01-01",
                loan.annual_pd,
                loan.recovery_mean,
            );
            p.amount = Decimal::new(loan_minor, 2);
            p.coupon = loan.coupon;
            p.amortization = if loan.linear {
                Amortization::Linear
            } else {
                Amortization::Bullet
            };
            // At least a year (or the whole life when it is one year).
            let days = (loan.maturity_share * life_days as f64) as i64;
            p.start_date = start;
            p.maturity_date = start + chrono::Duration::days(days.max(365).min(life_days));
            p
        })
        .collect();
    // A deferrable tranche capitalising its coupon c for Y years grows by
    // about exp(c Y): the coupon is kept to c Y <= 25 so that some amount
    // of at least SMALLEST_LOAN fits 2^53 (exp(25) = 7.2e10).
    let highest = (25.0 / f64::from(draw.horizon_years)).min(0.99);
    let pool = loan_minor * draw.loans.len() as i64;
    let total_weight: i64 = draw.tranches.iter().map(|t| t.weight).sum();
    let mut allocated = 0;
    let count = draw.tranches.len();
    let tranches: Vec<TrancheSpec> = draw
        .tranches
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let minor = if i + 1 == count {
                pool - allocated
            } else {
                (i128::from(pool) * i128::from(t.weight) / i128::from(total_weight)) as i64
            };
            allocated += minor;
            let class = match i {
                _ if i + 1 == count => TrancheClass::FirstLoss,
                0 => TrancheClass::Senior,
                _ => TrancheClass::Mezzanine,
            };
            let mut spec = common::tranche(&format!("t{i}"), class, 0);
            spec.amount = Decimal::new(minor, 2);
            spec.coupon = t.coupon_share * highest;
            spec.deferrable = t.deferrable;
            spec
        })
        .collect();
    let mut spec = common::facility("2000-01-01", "2001-01-01", 0.3, 12, tranches, projects);
    spec.start_date = start;
    spec.legal_final_date = legal_final;
    spec.frequency = draw.frequency;
    spec.day_count = draw.day_count;
    spec.management_fee_bps = draw.fee_bps;
    spec
}

/// The largest loan size (in minor units) at which the facility is still
/// accepted, found by bisection between SMALLEST_LOAN and 2^53; `None`
/// when even the smallest is refused.
fn largest_accepted(draw: &ExtremeDraw) -> Option<i64> {
    let accepted = |minor: i64| build(draw, minor).validate().is_ok();
    let (mut lo, mut hi) = (SMALLEST_LOAN, 1_i64 << 53);
    if !accepted(lo) {
        return None;
    }
    if accepted(hi) {
        return Some(hi);
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if accepted(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(lo)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn the_largest_accepted_facilities_conserve_cash_and_give_sane_numbers(
        draw in extreme_strategy()
    ) {
        let Some(loan_minor) = largest_accepted(&draw) else {
            let refused = build(&draw, SMALLEST_LOAN).validate().unwrap_err();
            return Err(TestCaseError::reject(format!("{refused:?}")));
        };
        let spec = build(&draw, loan_minor);
        let model = Model::compile(&spec).expect("an accepted facility compiles");
        let simulator = PoolSimulator::new(&model.pool, draw.seed);
        let (mut draws, mut path, mut ledger) =
            (FactorDraws::default(), simulator.new_path(), Ledger::default());
        for p in 0..PATHS_CHECKED {
            simulator.simulate(p, &mut draws, &mut path);
            check_pool_path(&model.pool, &path)?;
            run_waterfall(&model, &path, &mut ledger);
            check_waterfall(&model, &path, &ledger)?;
        }
        let settings = RunSettings { paths: PATHS_SUMMARISED, seed: draw.seed };
        let outcomes = simulate_outcomes(&model, &settings, &|_| {});
        for row in blendsim::aggregate::summarise(&model, &outcomes) {
            prop_assert!((0.0..=1.0).contains(&row.expected_loss), "{:?}", row);
            prop_assert!((0.0..=1.0).contains(&row.loss_p99), "{:?}", row);
            prop_assert!(row.moic_mean.is_finite() && row.moic_mean >= 0.0, "{:?}", row);
        }
    }
}
