//! Property tests over random small facilities: on every path and every
//! period, cash is conserved to the cent, balances stay non-negative,
//! principal is paid sequentially, losses lie in [0, 1], a default removes
//! exactly the loan's remaining schedule, and every cent of pool principal is
//! either collected or written off.

mod common;

use blendsim::model::{Model, PoolModel};
use blendsim::money::Money;
use blendsim::money::Rate;
use blendsim::simulate::{FactorDraws, PoolPath, PoolSimulator};
use blendsim::spec::{Amortization, DayCount, FacilitySpec, PaymentFrequency, TrancheClass};
use blendsim::waterfall::{Ledger, TranchePeriod, run_waterfall, tranche_outcome};
use chrono::{Days, Months, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// Paths checked per random facility.
const PATHS_PER_CASE: u64 = 6;

#[derive(Debug, Clone)]
struct LoanDraw {
    /// Principal in cents.
    cents: i64,
    /// Annual coupon in millionths.
    coupon_ppm: u32,
    /// Fractions of the facility's life (days) at which the loan starts and
    /// matures (sorted and made distinct when building).
    start_at: f64,
    maturity_at: f64,
    /// Starts on the facility start date (the common case).
    starts_at_closing: bool,
    linear: bool,
    annual_pd: f64,
    recovery_mean: f64,
    /// 0 for a fixed recovery, else the sd as a share of the largest
    /// feasible one, sqrt(m (1 - m)).
    recovery_sd_share: f64,
    mineral: usize,
    country: usize,
}

#[derive(Debug, Clone)]
struct TrancheDraw {
    weight: u32,
    coupon_ppm: u32,
    deferrable: bool,
}

#[derive(Debug, Clone)]
struct FacilityDraw {
    frequency: PaymentFrequency,
    day_count: DayCount,
    life_months: u32,
    stub_days: u64,
    fee_bps: f64,
    global: f64,
    mineral: f64,
    country: f64,
    recovery_weight: f64,
    lag_months: u32,
    loans: Vec<LoanDraw>,
    tranches: Vec<TrancheDraw>,
    seed: u64,
    first_path: u64,
}

fn loan_strategy() -> impl Strategy<Value = LoanDraw> {
    (
        (
            10_000_000_i64..1_000_000_000, // 100,000.00 .. 10,000,000.00
            prop_oneof![1 => Just(0_u32), 9 => 20_000_u32..150_000],
            0.0..1.0_f64,
            0.0..1.0_f64,
            any::<bool>(),
            any::<bool>(),
        ),
        (
            prop_oneof![
                2 => Just(1e-12),
                4 => 0.001..0.1_f64,
                2 => 0.1..0.5_f64,
                1 => 0.5..0.999_f64,
                1 => Just(1.0 - 1e-15),
            ],
            prop_oneof![Just(0.0), Just(1.0), 0.02..0.98_f64],
            prop_oneof![Just(0.0), 0.05..0.9_f64],
            0_usize..2,
            0_usize..2,
        ),
    )
        .prop_map(
            |(
                (cents, coupon_ppm, start_at, maturity_at, starts_at_closing, linear),
                (annual_pd, recovery_mean, recovery_sd_share, mineral, country),
            )| LoanDraw {
                cents,
                coupon_ppm,
                start_at,
                maturity_at,
                starts_at_closing,
                linear,
                annual_pd,
                recovery_mean,
                recovery_sd_share,
                mineral,
                country,
            },
        )
}

fn tranche_strategy() -> impl Strategy<Value = TrancheDraw> {
    (1_u32..100, 0_u32..80_000, any::<bool>()).prop_map(|(weight, coupon_ppm, deferrable)| {
        TrancheDraw {
            weight,
            coupon_ppm,
            deferrable,
        }
    })
}

fn facility_strategy() -> impl Strategy<Value = FacilityDraw> {
    (
        (
            prop_oneof![
                Just(PaymentFrequency::Monthly),
                Just(PaymentFrequency::Quarterly),
                Just(PaymentFrequency::SemiAnnual),
                Just(PaymentFrequency::Annual),
            ],
            prop_oneof![
                Just(DayCount::Thirty360),
                Just(DayCount::Act360),
                Just(DayCount::Act365Fixed),
            ],
            3_u32..=60,
            prop_oneof![Just(0_u64), 1_u64..60],
            prop_oneof![Just(0.0), 0.0..200.0_f64],
        ),
        (
            0.0..0.4_f64,
            prop_oneof![Just(0.0), 0.0..0.2_f64],
            prop_oneof![Just(0.0), 0.0..0.2_f64],
            0.0..=1.0_f64,
            0_u32..=24,
        ),
        (
            prop::collection::vec(loan_strategy(), 1..=6),
            prop::collection::vec(tranche_strategy(), 1..=4),
            any::<u64>(),
            0_u64..100_000,
        ),
    )
        .prop_map(
            |(
                (frequency, day_count, life_months, stub_days, fee_bps),
                (global, mineral, country, recovery_weight, lag_months),
                (loans, tranches, seed, first_path),
            )| FacilityDraw {
                frequency,
                day_count,
                life_months,
                stub_days,
                fee_bps,
                global,
                mineral,
                country,
                recovery_weight,
                lag_months,
                loans,
                tranches,
                seed,
                first_path,
            },
        )
}

fn build(draw: &FacilityDraw) -> FacilitySpec {
    let start = common::date("2026-01-01");
    let legal_final = start
        .checked_add_months(Months::new(draw.life_months))
        .unwrap()
        .checked_add_days(Days::new(draw.stub_days))
        .unwrap();
    let life_days = (legal_final - start).num_days();
    let day = |fraction: f64| -> i64 { ((fraction * life_days as f64) as i64).min(life_days) };
    let at = |days: i64| -> NaiveDate { start + chrono::Duration::days(days) };

    let mut projects = Vec::new();
    for (i, loan) in draw.loans.iter().enumerate() {
        // A start strictly before the legal final and a maturity after the
        // start, on or before the legal final.
        let (a, b) = (
            if loan.starts_at_closing {
                0
            } else {
                day(loan.start_at)
            },
            day(loan.maturity_at),
        );
        let first = a.min(b).min(life_days - 1);
        let last = a.max(b).max(first + 1).min(life_days);
        let mut p = common::project(
            i,
            0,
            "2026-01-01",
            "2026-01-02",
            loan.annual_pd,
            loan.recovery_mean,
        );
        p.amount = Decimal::new(loan.cents, 2);
        p.coupon = f64::from(loan.coupon_ppm) / 1e6;
        p.start_date = at(first);
        p.maturity_date = at(last);
        p.amortization = if loan.linear {
            Amortization::Linear
        } else {
            Amortization::Bullet
        };
        let feasible = (loan.recovery_mean * (1.0 - loan.recovery_mean)).sqrt();
        p.recovery_sd = loan.recovery_sd_share * feasible;
        p.mineral = ["lithium", "nickel"][loan.mineral].into();
        p.country = ["Australia", "Indonesia"][loan.country].into();
        projects.push(p);
    }

    // Tranche notionals: the pool split by weights, the remainder to the
    // most junior, so they sum exactly to the pool; each is positive.
    let pool: i64 = draw.loans.iter().map(|l| l.cents).sum();
    let total_weight: i64 = draw.tranches.iter().map(|t| i64::from(t.weight)).sum();
    let mut tranches = Vec::new();
    let mut allocated = 0;
    for (i, t) in draw.tranches.iter().enumerate() {
        let cents = if i + 1 == draw.tranches.len() {
            pool - allocated
        } else {
            pool * i64::from(t.weight) / total_weight
        };
        allocated += cents;
        let class = match i {
            0 => TrancheClass::Senior,
            _ if i + 1 == draw.tranches.len() => TrancheClass::FirstLoss,
            _ => TrancheClass::Mezzanine,
        };
        let mut spec = common::tranche(&format!("t{i}"), class, 0);
        spec.amount = Decimal::new(cents, 2);
        spec.coupon = f64::from(t.coupon_ppm) / 1e6;
        spec.deferrable = t.deferrable;
        tranches.push(spec);
    }

    let mut spec = common::facility(
        "2026-01-01",
        "2026-01-02",
        draw.global,
        draw.lag_months,
        tranches,
        projects,
    );
    spec.legal_final_date = legal_final;
    spec.frequency = draw.frequency;
    spec.day_count = draw.day_count;
    spec.management_fee_bps = draw.fee_bps;
    spec.risk.correlation.mineral = draw.mineral;
    spec.risk.correlation.country = draw.country;
    spec.risk.recovery_systematic_weight = draw.recovery_weight;
    spec
}

/// The path's collections rebuilt independently from the loans' schedules
/// and the path's default events: a loan defaulting in period d pays its
/// schedule before d and nothing from d on, its balance at the start of d
/// is written off in d, and its recovery arrives in its recovery period.
fn check_pool_path(pool: &PoolModel, path: &PoolPath) -> Result<(), TestCaseError> {
    let periods = path.periods();
    let zero = || vec![Money::ZERO; periods + 1];
    let (mut interest, mut principal, mut performing) = (zero(), zero(), zero());
    let (mut defaulted, mut recoveries) = (zero(), zero());
    let mut seen = vec![false; pool.loans.len()];
    for event in &path.defaults {
        prop_assert!(!seen[event.loan], "loan {} defaults twice", event.loan);
        seen[event.loan] = true;
    }
    for (index, loan) in pool.loans.iter().enumerate() {
        let default = path.defaults.iter().find(|e| e.loan == index);
        if let Some(event) = default {
            prop_assert!(
                (loan.first_period..=loan.last_period()).contains(&event.period),
                "default period {} outside the loan's life {}..={}",
                event.period,
                loan.first_period,
                loan.last_period()
            );
            let j = event.period - loan.first_period;
            // The write-off is exactly the principal still scheduled.
            let remaining: Money = loan.principal[j..].iter().copied().sum();
            prop_assert_eq!(event.exposure, remaining);
            prop_assert_eq!(event.exposure, loan.balance_start[j]);
            prop_assert!(event.recovery >= Money::ZERO && event.recovery <= event.exposure);
            prop_assert!((0.0..=1.0).contains(&event.recovery_rate));
            prop_assert!(event.recovery_period >= event.period && event.recovery_period <= periods);
            prop_assert_eq!(event.recovery_period, pool.recovery_period[event.period]);
            defaulted[event.period] += event.exposure;
            recoveries[event.recovery_period] += event.recovery;
        }
        let stop = default.map_or(usize::MAX, |e| e.period);
        for (j, k) in (loan.first_period..=loan.last_period()).enumerate() {
            if k < stop {
                interest[k] += loan.interest[j];
                principal[k] += loan.principal[j];
            }
            if k <= stop {
                performing[k] += loan.balance_start[j];
            }
        }
    }
    prop_assert_eq!(&path.interest, &interest);
    prop_assert_eq!(&path.principal, &principal);
    prop_assert_eq!(&path.performing_balance, &performing);
    prop_assert_eq!(&path.defaulted, &defaulted);
    prop_assert_eq!(&path.recoveries, &recoveries);
    // Every cent of pool principal is either collected or written off.
    let collected: Money = path.principal.iter().copied().sum();
    prop_assert_eq!(collected + path.total_defaulted(), pool.notional);
    for k in 0..=periods {
        prop_assert!(path.interest[k] >= Money::ZERO && path.principal[k] >= Money::ZERO);
    }
    Ok(())
}

fn check_waterfall(model: &Model, path: &PoolPath, ledger: &Ledger) -> Result<(), TestCaseError> {
    let tranches = &model.liabilities.tranches;
    let count = tranches.len();
    let periods = model.calendar.periods();
    prop_assert_eq!(ledger.periods(), periods);
    for k in 1..=periods {
        // Cash conservation to the cent.
        let collected = path.interest[k] + path.principal[k] + path.recoveries[k];
        prop_assert_eq!(
            collected,
            ledger.paid_out(count, k),
            "period {}: collected {} vs paid out",
            k,
            collected
        );
        for f in 0..model.liabilities.fees.len() {
            let fee = ledger.fee(f, k);
            prop_assert!(fee.paid >= Money::ZERO && fee.paid <= fee.due);
            if k > 1 {
                // Unpaid fee is carried forward, never dropped.
                let before = ledger.fee(f, k - 1);
                prop_assert!(fee.due >= before.due - before.paid);
            }
        }
        for (t, tranche) in tranches.iter().enumerate() {
            let row = ledger.tranche(t, k);
            prop_assert!(row.interest >= Money::ZERO);
            prop_assert!(row.principal >= Money::ZERO);
            prop_assert!(row.residual >= Money::ZERO);
            prop_assert!(row.interest_shortfall >= Money::ZERO);
            prop_assert!(row.balance_end >= Money::ZERO, "tranche {} period {}", t, k);
            if t + 1 < count {
                prop_assert_eq!(
                    row.residual,
                    Money::ZERO,
                    "residual only to the most junior"
                );
            }
            // Balance roll: previous balance, plus capitalised interest for
            // a deferrable tranche, less principal paid.
            let before = if k == 1 {
                tranche.notional
            } else {
                ledger.tranche(t, k - 1).balance_end
            };
            let capitalised = if tranche.deferrable {
                row.interest_shortfall
            } else {
                Money::ZERO
            };
            prop_assert_eq!(row.balance_end, before + capitalised - row.principal);
            // Sequential: principal to t only once every senior tranche is
            // repaid after this period's payments.
            if row.principal.is_positive() {
                for senior in 0..t {
                    prop_assert_eq!(
                        ledger.tranche(senior, k).balance_end,
                        Money::ZERO,
                        "period {}: tranche {} repaid while tranche {} outstanding",
                        k,
                        t,
                        senior
                    );
                }
            }
            // At the legal final, leftover interest joins the principal
            // proceeds, so nothing is residual while a tranche is owed.
            if k == periods && row.residual.is_positive() {
                for s in 0..count {
                    prop_assert_eq!(ledger.tranche(s, k).balance_end, Money::ZERO);
                }
            }
        }
    }
    for (t, tranche) in tranches.iter().enumerate() {
        let outcome = tranche_outcome(tranche, t, ledger, &model.calendar);
        prop_assert!((0.0..=1.0).contains(&outcome.loss), "loss {}", outcome.loss);
        let unpaid = ledger.tranche(t, periods).balance_end.as_f64();
        let expected = (unpaid / tranche.notional.as_f64()).min(1.0);
        prop_assert_eq!(outcome.loss, expected);
        prop_assert!(outcome.moic >= 0.0);
        prop_assert!(outcome.irr >= -1.0 && outcome.irr.is_finite());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_path_conserves_cash_and_respects_priority(draw in facility_strategy()) {
        let spec = build(&draw);
        let model = Model::compile(&spec).expect("random facility compiles");
        prop_assert_eq!(model.capital(), model.pool.notional);
        let simulator = PoolSimulator::new(&model.pool, draw.seed);
        let mut draws = FactorDraws::default();
        let mut path = simulator.new_path();
        let mut ledger = Ledger::default();
        for p in draw.first_path..draw.first_path + PATHS_PER_CASE {
            simulator.simulate(p, &mut draws, &mut path);
            check_pool_path(&model.pool, &path)?;
            run_waterfall(&model, &path, &mut ledger);
            check_waterfall(&model, &path, &ledger)?;
            check_fixed_order(&model, spec.management_fee_bps, &path, &ledger)?;
        }
    }
}

/// The fixed waterfall of the vertical slice, kept verbatim (adapted only
/// to the public API) as the reference that the default step lists must
/// reproduce bit for bit: management fee, every tranche's interest most
/// senior first (deferrable ones capitalise at once), residual to the most
/// junior; principal sequential; at the legal final, interest left joins
/// the principal proceeds. Returns per period the fee (due, paid) and one
/// row per tranche.
fn fixed_order(
    model: &Model,
    fee_bps: f64,
    pool: &PoolPath,
) -> Vec<((Money, Money), Vec<TranchePeriod>)> {
    struct State {
        balance: Money,
        deferred_interest: Money,
    }
    let tranches = &model.liabilities.tranches;
    let periods = model.calendar.periods();
    let fee_rate = Rate::from_f64(fee_bps / 10_000.0).unwrap();
    let mut state: Vec<State> = tranches
        .iter()
        .map(|t| State {
            balance: t.notional,
            deferred_interest: Money::ZERO,
        })
        .collect();
    let mut fee_unpaid = Money::ZERO;
    let mut out = vec![((Money::ZERO, Money::ZERO), Vec::new())];
    for k in 1..=periods {
        let mut rows = vec![TranchePeriod::default(); tranches.len()];
        let mut interest_cash = pool.interest[k];
        let due = fee_unpaid
            + fee_rate
                .factor(model.calendar.accrual(k))
                .apply(pool.performing_balance[k]);
        let paid = due.min(interest_cash);
        interest_cash -= paid;
        fee_unpaid = due - paid;
        for ((tranche, s), row) in tranches.iter().zip(&mut state).zip(&mut rows) {
            let current = tranche.accrual[k].apply(s.balance);
            let due = s.deferred_interest + current;
            let paid = due.min(interest_cash);
            interest_cash -= paid;
            row.interest = paid;
            row.interest_shortfall = due - paid;
            if tranche.deferrable {
                s.balance += due - paid;
                s.deferred_interest = Money::ZERO;
            } else {
                s.deferred_interest = due - paid;
            }
        }
        let mut principal_cash = pool.principal[k] + pool.recoveries[k];
        if k == periods {
            principal_cash += std::mem::take(&mut interest_cash);
        }
        for (s, row) in state.iter_mut().zip(&mut rows) {
            let paid = s.balance.min(principal_cash);
            principal_cash -= paid;
            s.balance -= paid;
            row.principal = paid;
        }
        if let Some(junior) = rows.last_mut() {
            junior.residual = interest_cash + principal_cash;
        }
        for (row, s) in rows.iter_mut().zip(&state) {
            row.balance_end = s.balance;
        }
        out.push(((due, paid), rows));
    }
    out
}

/// Without a `[waterfall]`, the ledger equals the fixed order's, cell by cell.
fn check_fixed_order(
    model: &Model,
    fee_bps: f64,
    path: &PoolPath,
    ledger: &Ledger,
) -> Result<(), TestCaseError> {
    let reference = fixed_order(model, fee_bps, path);
    for (k, ((due, paid), rows)) in reference.iter().enumerate().skip(1) {
        prop_assert_eq!(ledger.fee(0, k).due, *due, "period {}: fee due", k);
        prop_assert_eq!(ledger.fee(0, k).paid, *paid, "period {}: fee paid", k);
        for (t, row) in rows.iter().enumerate() {
            prop_assert_eq!(&ledger.tranche(t, k), row, "period {} tranche {}", k, t);
        }
    }
    Ok(())
}
