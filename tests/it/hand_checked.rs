//! Acceptance test: a hand-checked case. Three loans, two forced defaults,
//! a three-tranche waterfall with a fee and a deferrable mezzanine; every
//! pool collection and every tranche cash flow is derived by hand below and
//! compared to the engine to the cent, period by period. A second, smaller
//! case covers what the first does not: a fee that is never paid, a
//! senior tranche with a principal loss and a closed-form negative IRR, and
//! a deferrable junior that loses all its principal and capitalises
//! interest past its notional.
//!
//! Conventions used in every derivation: amounts are in cents; 30/360 and a
//! quarterly grid from 2026-01-01 make every accrual exactly 90/360 = 1/4
//! year; interest = balance x coupon / 4, rounded half to even to the cent.

use crate::common;

use blendsim::model::Model;
use blendsim::money::Money;
use blendsim::simulate::{DefaultEvent, FactorDraws, PoolPath, PoolSimulator, path_rng};
use blendsim::spec::{Amortization, FacilitySpec, TrancheClass};
use blendsim::waterfall::{Ledger, TrancheOutcome, run_waterfall, tranche_outcome};
use rand::RngExt;
use rand_distr::StandardNormal;

const SEED: u64 = 20_260_101;

/// Tolerance on engine IRRs: the solver converges to about 1e-15 in
/// ln(1 + r) (see `irr_lands_on_root_exactly`).
const IRR_TOLERANCE: f64 = 1e-12;

fn m(cents: i64) -> Money {
    Money::from_minor(cents)
}

fn money_vec(cents: &[i64]) -> Vec<Money> {
    cents.iter().copied().map(m).collect()
}

/// The latent variables of every loan on `path`, replicated from the draw
/// order documented on `PoolSimulator::simulate`: global factor, one factor
/// per mineral, one per country, then one shock per loan. Every test
/// facility here has one mineral and one country and correlation 0, so the
/// latent variable of loan i is exactly its own shock
/// (0 x G + 0 x M + 0 x C + 1 x e_i = e_i).
fn latent_draws(seed: u64, path: u64, loans: usize) -> Vec<f64> {
    let mut rng = path_rng(seed, path);
    for _ in 0..3 {
        let _factor: f64 = rng.sample(StandardNormal);
    }
    (0..loans)
        .map(|_| rng.sample::<f64, _>(StandardNormal))
        .collect()
}

/// Annual IRR by plain bisection on `sum c (1+r)^-t = invested`, written
/// independently of the engine's log-space Newton solver.
fn irr_by_bisection(invested: f64, flows: &[(f64, f64)]) -> f64 {
    let pv = |r: f64| -> f64 { flows.iter().map(|&(t, c)| c * (1.0 + r).powf(-t)).sum() };
    let (mut low, mut high) = (-0.999_999, 10.0);
    assert!(
        pv(low) > invested && pv(high) < invested,
        "root not bracketed"
    );
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if pv(mid) > invested {
            low = mid;
        } else {
            high = mid;
        }
    }
    0.5 * (low + high)
}

/// One tranche's expected row: interest, principal, residual, interest
/// shortfall, balance at the end of the period.
type Row = [i64; 5];

/// Expected ledger of one period: (fee due, fee paid, one row per tranche).
type PeriodRows = (i64, i64, [Row; 3]);

fn check_rows(ledger: &Ledger, k: usize, tranche: usize, name: &str, expected: Row) {
    let row = ledger.tranche(tranche, k);
    let actual = [
        row.interest.minor(),
        row.principal.minor(),
        row.residual.minor(),
        row.interest_shortfall.minor(),
        row.balance_end.minor(),
    ];
    assert_eq!(
        actual, expected,
        "period {k}, {name}: [interest, principal, residual, shortfall, balance_end]"
    );
}

fn close(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: engine {actual}, hand {expected}, difference {}",
        (actual - expected).abs()
    );
}

/// The three-loan facility.
///
/// Facility: 2026-01-01 to 2028-01-01, quarterly, 30/360 -> K = 8 periods,
/// d_k = 2026-01-01 + 3k months, every accrual 1/4 year, and
/// `years_from_start(k) = k / 4`. Management fee 40 bp a year of performing
/// principal (0.1% a quarter). Recovery lag 6 months. Correlation 0.
///
/// Loans (USD; cents in the derivations):
/// - A: 5,000,000, 10%, bullet, 2026-01-01 -> 2028-01-01, annual PD 1e-12.
/// - B: 3,000,000, 12%, linear, 2026-01-01 -> 2027-07-01 (6 periods of
///   500,000), annual PD 0.99, fixed recovery 50%.
/// - C: 2,000,000, 11%, bullet, 2026-10-01 -> 2028-01-01, annual PD
///   1 - 1e-15, fixed recovery 60%. Starts on d_3, so its first period is 4.
///
/// Tranches (sum 10,000,000 = pool):
/// - senior 6,500,000 at 5%, not deferrable;
/// - mezzanine 2,500,000 at 7.9%, deferrable (capitalises unpaid interest);
/// - first loss 1,000,000 at 4%, not deferrable (carries deferred interest),
///   public.
fn three_loan_facility() -> FacilitySpec {
    let mut a = common::project(1, 5_000_000, "2026-01-01", "2028-01-01", 1e-12, 0.5);
    a.coupon = 0.10;
    let mut b = common::project(2, 3_000_000, "2026-01-01", "2027-07-01", 0.99, 0.5);
    b.coupon = 0.12;
    b.amortization = Amortization::Linear;
    let mut c = common::project(3, 2_000_000, "2026-10-01", "2028-01-01", 1.0 - 1e-15, 0.6);
    c.coupon = 0.11;
    let mut senior = common::tranche("senior", TrancheClass::Senior, 6_500_000);
    senior.coupon = 0.05;
    let mut mezzanine = common::tranche("mezzanine", TrancheClass::Mezzanine, 2_500_000);
    mezzanine.coupon = 0.079;
    mezzanine.deferrable = true;
    let mut first_loss = common::tranche("first_loss", TrancheClass::FirstLoss, 1_000_000);
    first_loss.coupon = 0.04;
    first_loss.public = true;
    let mut spec = common::facility(
        "2026-01-01",
        "2028-01-01",
        0.0,
        6,
        vec![senior, mezzanine, first_loss],
        vec![a, b, c],
    );
    spec.management_fee_bps = 40.0;
    spec
}

/// Thresholds `Phi^-1(1 - (1 - pd)^(t_k))` with t_k the years from the
/// loan's start to the end of period k (30/360, so 0.25, 0.5, ...), derived
/// outside the engine (Python `statistics.NormalDist().inv_cdf`, with the
/// cumulative PD computed as `-expm1(log1p(-pd) t)`, which avoids the
/// cancellation of `1 - (1 - pd)^t` for tiny pd):
///
/// - A (pd 1e-12), t = 0.25..2.0: cumulative PD 2.5e-13 .. 2e-12, thresholds
///   -7.2253 .. -6.9372. A defaults only if its latent variable is below
///   -6.94 (probability 2e-12): it "never" defaults.
/// - B (pd 0.99): cumulative PD 1 - 0.01^(t): 0.683772, 0.9, 0.968377,
///   0.99, 0.996838, 0.999 -> thresholds 0.478274, 1.281552, 1.857461,
///   2.326348, 2.730462, 3.090232. B defaults in period 3 iff
///   1.281552 < x_B <= 1.857461 (`default_period` = first period + number of
///   thresholds strictly below x).
/// - C (pd 1 - 1e-15, so 1 - pd = 9.992e-16 in f64), first period 4, t =
///   0.25 .. 1.25: cumulative PD 0.99982221, 1 - 3.2e-8, 1 - 5.6e-12,
///   1 - 1e-15, then exactly 1.0 in f64 -> thresholds 3.571027, 5.409445,
///   6.789656, 7.941444, +inf. C defaults in its first period (4) for every
///   draw x_C <= 3.571 (probability 0.99982), and by period 8 for certain.
const THRESHOLDS_A: [f64; 8] = [
    -7.225299135974983,
    -7.130506848171289,
    -7.074489428836115,
    -7.034483825301132,
    -7.003301515195609,
    -6.9777241271308235,
    -6.95602813225189,
    -6.9371814280357516,
];
const THRESHOLDS_B: [f64; 6] = [
    0.4782735323761625,
    1.2815515655446,
    1.8574612929324572,
    2.3263478740408408,
    2.7304623686514478,
    3.090232306167813,
];
const THRESHOLDS_C: [f64; 5] = [
    3.571026587349789,
    5.4094452532022395,
    6.789656041918497,
    7.941444487415977,
    f64::INFINITY,
];

#[test]
fn three_loans_two_defaults_period_by_period() {
    let spec = three_loan_facility();
    let model = Model::compile(&spec).expect("hand-checked facility compiles");
    let pool = &model.pool;
    assert_eq!(model.calendar.periods(), 8);
    for k in 1..=8 {
        assert_eq!(model.calendar.years_from_start(k), k as f64 / 4.0);
    }

    // ---- Loan schedules (performing) ----
    // A: bullet, balance 500,000,000 throughout; interest 500,000,000 x
    //    0.10 / 4 = 12,500,000 every period; principal at period 8.
    // B: linear over periods 1..6: 300,000,000 x j/6 rounded -> 50,000,000
    //    each; balances at period start 300, 250, 200, 150, 100, 50 million;
    //    interest = balance x 0.12 / 4 = 3%: 9,000,000, 7,500,000, 6,000,000,
    //    4,500,000, 3,000,000, 1,500,000.
    // C: first period = number of grid dates <= 2026-10-01 = 4 (d_0..d_3);
    //    last = 8; interest 200,000,000 x 0.11 / 4 = 5,500,000; bullet at 8.
    let (a, b, c) = (&pool.loans[0], &pool.loans[1], &pool.loans[2]);
    assert_eq!((a.first_period, a.last_period()), (1, 8));
    assert_eq!((b.first_period, b.last_period()), (1, 6));
    assert_eq!((c.first_period, c.last_period()), (4, 8));
    assert_eq!(a.interest, vec![m(12_500_000); 8]);
    assert_eq!(a.principal, money_vec(&[0, 0, 0, 0, 0, 0, 0, 500_000_000]));
    assert_eq!(b.principal, vec![m(50_000_000); 6]);
    assert_eq!(
        b.balance_start,
        money_vec(&[
            300_000_000,
            250_000_000,
            200_000_000,
            150_000_000,
            100_000_000,
            50_000_000
        ])
    );
    assert_eq!(
        b.interest,
        money_vec(&[
            9_000_000, 7_500_000, 6_000_000, 4_500_000, 3_000_000, 1_500_000
        ])
    );
    assert_eq!(c.interest, vec![m(5_500_000); 5]);
    assert_eq!(c.principal, money_vec(&[0, 0, 0, 0, 200_000_000]));
    assert_eq!(pool.notional, m(1_000_000_000));

    // ---- Thresholds ----
    for (loan, hand) in [
        (a, &THRESHOLDS_A[..]),
        (b, &THRESHOLDS_B[..]),
        (c, &THRESHOLDS_C[..]),
    ] {
        assert_eq!(loan.thresholds.len(), hand.len());
        for (&engine, &expected) in loan.thresholds.iter().zip(hand) {
            if expected.is_infinite() {
                assert_eq!(engine, expected);
            } else {
                close(engine, expected, 1e-9, "threshold");
            }
        }
    }

    // ---- Recovery periods (lag 6 months) ----
    // B defaults in period 3 (d_3 = 2026-10-01) -> 2027-04-01 = d_5: period 5.
    // C defaults in period 4 (d_4 = 2027-01-01) -> 2027-07-01 = d_6: period 6.
    assert_eq!(pool.recovery_period[3], 5);
    assert_eq!(pool.recovery_period[4], 6);

    // ---- The path ----
    // The first path of SEED whose latent draws (replicated independently of
    // the simulator) put B in (1.281552, 1.857461] and C at or below 3.571,
    // with a margin of 1e-6 from every threshold; A's draw is then checked
    // above -6.94. By the thresholds above, on this path B defaults in
    // period 3, C in period 4, A never.
    let path = (0..10_000)
        .find(|&p| {
            let x = latent_draws(SEED, p, 3);
            x[1] > THRESHOLDS_B[1] + 1e-6
                && x[1] < THRESHOLDS_B[2] - 1e-6
                && x[2] < THRESHOLDS_C[0] - 1e-6
        })
        .expect("about 7% of paths qualify");
    let x = latent_draws(SEED, path, 3);
    assert!(x[0] > THRESHOLDS_A[7] + 1e-6, "A must not default");
    assert_eq!(a.default_period(x[0]), None);
    assert_eq!(b.default_period(x[1]), Some(3));
    assert_eq!(c.default_period(x[2]), Some(4));

    let simulator = PoolSimulator::new(pool, SEED);
    let mut pool_path: PoolPath = simulator.new_path();
    simulator.simulate(path, &mut FactorDraws::default(), &mut pool_path);

    // Defaults: B's exposure is its balance at the start of period 3
    // (300 - 2 x 50 = 200 million cents); recovery 50% -> 100,000,000.
    // C's exposure is its full 200,000,000; recovery 60% -> 120,000,000.
    // Recovery laws are fixed (sd 0): no random draw, systematic part 0.
    assert_eq!(
        pool_path.defaults,
        vec![
            DefaultEvent {
                loan: 1,
                period: 3,
                systematic: 0.0,
                recovery_rate: 0.5,
                exposure: m(200_000_000),
                recovery: m(100_000_000),
                recovery_period: 5,
            },
            DefaultEvent {
                loan: 2,
                period: 4,
                systematic: 0.0,
                recovery_rate: 0.6,
                exposure: m(200_000_000),
                recovery: m(120_000_000),
                recovery_period: 6,
            },
        ]
    );

    // ---- Pool collections per period (index 0 = closing) ----
    // interest: p1 A 12.5M + B 9.0M = 21.5M; p2 12.5M + 7.5M = 20.0M;
    //   p3.. only A (B stops at its default in p3, C never pays): 12.5M.
    // principal: B's 50M in p1 and p2; A's bullet 500M in p8.
    // recoveries: B's 100M in p5, C's 120M in p6.
    // written off: B's 200M in p3, C's 200M in p4.
    // performing balance (fee base) = balances at the start of the period of
    //   loans not defaulted in an earlier period, so a loan still counts in
    //   its default period: p1 500+300 = 800M; p2 500+250 = 750M;
    //   p3 500 + B 200 = 700M; p4 500 + C 200 = 700M; p5..p8 A only 500M.
    assert_eq!(
        pool_path.interest,
        money_vec(&[
            0, 21_500_000, 20_000_000, 12_500_000, 12_500_000, 12_500_000, 12_500_000, 12_500_000,
            12_500_000
        ])
    );
    assert_eq!(
        pool_path.principal,
        money_vec(&[0, 50_000_000, 50_000_000, 0, 0, 0, 0, 0, 500_000_000])
    );
    assert_eq!(
        pool_path.recoveries,
        money_vec(&[0, 0, 0, 0, 0, 100_000_000, 120_000_000, 0, 0])
    );
    assert_eq!(
        pool_path.defaulted,
        money_vec(&[0, 0, 0, 200_000_000, 200_000_000, 0, 0, 0, 0])
    );
    assert_eq!(
        pool_path.performing_balance,
        money_vec(&[
            0,
            800_000_000,
            750_000_000,
            700_000_000,
            700_000_000,
            500_000_000,
            500_000_000,
            500_000_000,
            500_000_000
        ])
    );

    // ---- The waterfall, period by period ----
    // Fee = performing balance x 0.004 / 4 = 0.1%. Senior coupon 5%/4 =
    // 1.25%, mezzanine 7.9%/4 = 1.975%, first loss 4%/4 = 1%, each on the
    // balance at the start of the period (the mezzanine's includes
    // capitalised interest). Interest cash: fee, senior, mezzanine, first
    // loss (deferred first, then current); what is left is residual to the
    // first loss. Principal cash (principal + recoveries) is sequential.
    //
    // p1: interest 21,500,000. fee 800,000,000 x 0.1% = 800,000 -> left
    //     20,700,000. senior 650,000,000 x 1.25% = 8,125,000 -> 12,575,000.
    //     mezz 250,000,000 x 1.975% = 4,937,500 -> 7,637,500. FL
    //     100,000,000 x 1% = 1,000,000 -> 6,637,500 residual to FL.
    //     principal 50,000,000 -> senior: 650 -> 600 million.
    // p2: interest 20,000,000. fee 750,000 -> 19,250,000. senior 600M x
    //     1.25% = 7,500,000 -> 11,750,000. mezz 4,937,500 -> 6,812,500. FL
    //     1,000,000 -> residual 5,812,500. principal 50M -> senior 550M.
    // p3: interest 12,500,000 (B has defaulted). fee 700,000 -> 11,800,000.
    //     senior 550M x 1.25% = 6,875,000 -> 4,925,000. mezz due 4,937,500,
    //     paid 4,925,000, shortfall 12,500 capitalised: balance
    //     250,012,500. FL due 1,000,000, paid 0, deferred 1,000,000.
    //     No principal.
    // p4: interest 12,500,000. fee 700,000 -> 11,800,000. senior 6,875,000
    //     -> 4,925,000. mezz 250,012,500 x 1.975% = 4,937,746.875 -> rounds
    //     to 4,937,747; paid 4,925,000, shortfall 12,747 -> balance
    //     250,025,247. FL due 1,000,000 deferred + 1,000,000 = 2,000,000,
    //     paid 0, shortfall 2,000,000.
    // p5: interest 12,500,000. fee 500,000,000 x 0.1% = 500,000 ->
    //     12,000,000. senior 6,875,000 -> 5,125,000. mezz 250,025,247 x
    //     1.975% = 4,937,998.62825 -> 4,937,999 paid in full -> 187,001.
    //     FL due 2,000,000 + 1,000,000 = 3,000,000, paid 187,001, shortfall
    //     2,812,999. Recovery 100,000,000 -> senior 550M -> 450M.
    // p6: interest 12,500,000. fee 500,000 -> 12,000,000. senior 450M x
    //     1.25% = 5,625,000 -> 6,375,000. mezz 4,937,999 -> 1,437,001. FL
    //     due 2,812,999 + 1,000,000 = 3,812,999, paid 1,437,001, shortfall
    //     2,375,998. Recovery 120,000,000 -> senior 450M -> 330M.
    // p7: interest 12,500,000. fee 500,000 -> 12,000,000. senior 330M x
    //     1.25% = 4,125,000 -> 7,875,000. mezz 4,937,999 -> 2,937,001. FL
    //     due 2,375,998 + 1,000,000 = 3,375,998, paid 2,937,001, shortfall
    //     438,997. No principal.
    // p8 (legal final): interest 12,500,000. fee 500,000 -> 12,000,000.
    //     senior 4,125,000 -> 7,875,000. mezz 4,937,999 -> 2,937,001. FL due
    //     438,997 + 1,000,000 = 1,438,997 paid in full -> 1,498,004 left,
    //     which joins the principal proceeds: 500,000,000 + 1,498,004 =
    //     501,498,004 -> senior 330,000,000 (repaid), mezz 171,498,004 ->
    //     balance 250,025,247 - 171,498,004 = 78,527,243 unpaid. FL gets no
    //     principal and no residual; its balance 100,000,000 is unpaid.
    let expected: [PeriodRows; 8] = [
        (
            800_000,
            800_000,
            [
                [8_125_000, 50_000_000, 0, 0, 600_000_000],
                [4_937_500, 0, 0, 0, 250_000_000],
                [1_000_000, 0, 6_637_500, 0, 100_000_000],
            ],
        ),
        (
            750_000,
            750_000,
            [
                [7_500_000, 50_000_000, 0, 0, 550_000_000],
                [4_937_500, 0, 0, 0, 250_000_000],
                [1_000_000, 0, 5_812_500, 0, 100_000_000],
            ],
        ),
        (
            700_000,
            700_000,
            [
                [6_875_000, 0, 0, 0, 550_000_000],
                [4_925_000, 0, 0, 12_500, 250_012_500],
                [0, 0, 0, 1_000_000, 100_000_000],
            ],
        ),
        (
            700_000,
            700_000,
            [
                [6_875_000, 0, 0, 0, 550_000_000],
                [4_925_000, 0, 0, 12_747, 250_025_247],
                [0, 0, 0, 2_000_000, 100_000_000],
            ],
        ),
        (
            500_000,
            500_000,
            [
                [6_875_000, 100_000_000, 0, 0, 450_000_000],
                [4_937_999, 0, 0, 0, 250_025_247],
                [187_001, 0, 0, 2_812_999, 100_000_000],
            ],
        ),
        (
            500_000,
            500_000,
            [
                [5_625_000, 120_000_000, 0, 0, 330_000_000],
                [4_937_999, 0, 0, 0, 250_025_247],
                [1_437_001, 0, 0, 2_375_998, 100_000_000],
            ],
        ),
        (
            500_000,
            500_000,
            [
                [4_125_000, 0, 0, 0, 330_000_000],
                [4_937_999, 0, 0, 0, 250_025_247],
                [2_937_001, 0, 0, 438_997, 100_000_000],
            ],
        ),
        (
            500_000,
            500_000,
            [
                [4_125_000, 330_000_000, 0, 0, 0],
                [4_937_999, 171_498_004, 0, 0, 78_527_243],
                [1_438_997, 0, 0, 0, 100_000_000],
            ],
        ),
    ];

    let mut ledger = Ledger::default();
    run_waterfall(&model, &pool_path, &mut ledger);
    assert_eq!(ledger.periods(), 8);
    let names = ["senior", "mezzanine", "first_loss"];
    for (k, (fee_due, fee_paid, rows)) in (1..=8).zip(expected) {
        assert_eq!(ledger.fee(0, k).due, m(fee_due), "period {k}: fee due");
        assert_eq!(ledger.fee(0, k).paid, m(fee_paid), "period {k}: fee paid");
        for (t, row) in rows.into_iter().enumerate() {
            check_rows(&ledger, k, t, names[t], row);
        }
        // Cash conservation in the hand table itself and in the ledger.
        let collected = pool_path.interest[k] + pool_path.principal[k] + pool_path.recoveries[k];
        let hand_paid: i64 = fee_paid + rows.iter().map(|r| r[0] + r[1] + r[2]).sum::<i64>();
        assert_eq!(collected.minor(), hand_paid, "period {k}: hand table");
        assert_eq!(ledger.paid_out(3, k), collected, "period {k}: ledger");
    }

    // ---- Outcomes ----
    let outcome = |t: usize| -> TrancheOutcome {
        tranche_outcome(&model.liabilities.tranches[t], t, &ledger, &model.calendar)
    };
    let flows = |t: usize| -> Vec<(f64, f64)> {
        expected
            .iter()
            .enumerate()
            .map(|(j, (_, _, rows))| {
                let r = rows[t];
                ((j + 1) as f64 / 4.0, (r[0] + r[1] + r[2]) as f64)
            })
            .filter(|&(_, c)| c > 0.0)
            .collect()
    };

    // Senior: repaid in full, every coupon paid on time. Its flows are those
    // of a bond paying 1.25% a quarter on its outstanding balance, so their
    // present value at 1.25% a quarter is exactly par: with t in years the
    // IRR solves (1 + r)^(1/4) = 1.0125, r = 1.0125^4 - 1 = 5.0945337%.
    // Cash: 58,125,000 + 57,500,000 + 6,875,000 + 6,875,000 + 106,875,000 +
    // 125,625,000 + 4,125,000 + 334,125,000 = 700,125,000 -> MOIC
    // 700,125,000 / 650,000,000. WAL: principal 50M at 0.25, 50M at 0.5,
    // 100M at 1.25, 120M at 1.5, 330M at 2.0 -> (12.5 + 25 + 125 + 180 +
    // 660) / 650 = 1002.5 / 650 years.
    // Paid in full at its coupon: no loss of any kind.
    let senior = outcome(0);
    assert_eq!(senior.loss, 0.0);
    assert_eq!(senior.deferred_interest_loss, 0.0);
    assert_eq!(senior.pv_loss, 0.0);
    close(
        senior.moic,
        700_125_000.0 / 650_000_000.0,
        1e-12,
        "senior MOIC",
    );
    close(
        senior.irr,
        1.0125_f64.powi(4) - 1.0,
        IRR_TOLERANCE,
        "senior IRR",
    );
    close(
        irr_by_bisection(650_000_000.0, &flows(0)),
        1.0125_f64.powi(4) - 1.0,
        1e-10,
        "senior IRR by bisection (checks the hand flows)",
    );
    close(senior.wal_years, 1002.5 / 650.0, 1e-12, "senior WAL");

    // Mezzanine: balance 78,527,243 of 250,000,000 unpaid, of which 25,247
    // is capitalised interest -> principal loss 78,501,996 / 250,000,000 =
    // 0.314007984, deferred-interest loss 25,247 / 250,000,000 =
    // 0.000100988. Cash: 2 x 4,937,500 + 2 x 4,925,000 + 3 x 4,937,999 +
    // (4,937,999 + 171,498,004) = 210,975,000 -> MOIC 0.8439. Principal
    // only at t = 2 -> WAL 2. PV loss: the flows above discounted at the
    // coupon, 1.975% a quarter (period k by 1.01975^-k), are worth
    // 182,846,194.42 (exact rational arithmetic) -> 1 - 182,846,194.42 /
    // 250,000,000 = 0.268615222.
    let mezzanine = outcome(1);
    close(mezzanine.loss, 0.314_007_984, 1e-15, "mezzanine loss");
    close(
        mezzanine.deferred_interest_loss,
        0.000_100_988,
        1e-15,
        "mezzanine deferred-interest loss",
    );
    close(
        mezzanine.pv_loss,
        0.268_615_222_3,
        1e-10,
        "mezzanine PV loss",
    );
    close(mezzanine.moic, 0.8439, 1e-15, "mezzanine MOIC");
    close(mezzanine.wal_years, 2.0, 0.0, "mezzanine WAL");
    let mezzanine_irr = irr_by_bisection(250_000_000.0, &flows(1));
    assert!(mezzanine_irr < 0.0);
    close(mezzanine.irr, mezzanine_irr, IRR_TOLERANCE, "mezzanine IRR");

    // First loss: whole balance unpaid -> loss 1. Cash: 7,637,500 +
    // 6,812,500 + 187,001 + 1,437,001 + 2,937,001 + 1,438,997 = 20,450,000
    // -> MOIC 0.2045. No principal -> WAL undefined (NaN).
    let first_loss = outcome(2);
    assert_eq!(first_loss.loss, 1.0);
    close(first_loss.moic, 0.2045, 1e-15, "first-loss MOIC");
    assert!(first_loss.wal_years.is_nan());
    let first_loss_irr = irr_by_bisection(100_000_000.0, &flows(2));
    close(
        first_loss.irr,
        first_loss_irr,
        IRR_TOLERANCE,
        "first-loss IRR",
    );
}

/// One loan that defaults at once with nothing paid but its recovery: the
/// fee is never paid, the senior loses principal, the deferrable junior
/// capitalises past its notional.
///
/// Facility 2026-01-01 to 2027-01-01 (4 quarterly periods, 30/360), fee
/// 100 bp, recovery lag 3 months. Loan: 1,000,000 at 8%, bullet, matures
/// 2027-01-01, annual PD 1 - 1e-15, fixed recovery 40%. Threshold of
/// period 1 (t = 0.25): Phi^-1(1 - (9.992e-16)^0.25) = 3.571027 (as loan C
/// above), so the loan defaults in period 1 for any draw below 3.571.
/// Tranches: senior 600,000 at 4% (not deferrable), junior 400,000 at 6%
/// deferrable.
#[test]
fn immediate_default_fee_never_paid_and_senior_loss() {
    let mut loan = common::project(1, 1_000_000, "2026-01-01", "2027-01-01", 1.0 - 1e-15, 0.4);
    loan.coupon = 0.08;
    let mut senior = common::tranche("senior", TrancheClass::Senior, 600_000);
    senior.coupon = 0.04;
    let mut junior = common::tranche("junior", TrancheClass::FirstLoss, 400_000);
    junior.coupon = 0.06;
    junior.deferrable = true;
    let mut spec = common::facility(
        "2026-01-01",
        "2027-01-01",
        0.0,
        3,
        vec![senior, junior],
        vec![loan],
    );
    spec.management_fee_bps = 100.0;
    let model = Model::compile(&spec).expect("facility compiles");
    let loan = &model.pool.loans[0];
    close(
        loan.thresholds[0],
        THRESHOLDS_C[0],
        1e-9,
        "period-1 threshold",
    );

    let path = (0..10_000)
        .find(|&p| latent_draws(SEED, p, 1)[0] < THRESHOLDS_C[0] - 1e-6)
        .expect("almost every path qualifies");
    let simulator = PoolSimulator::new(&model.pool, SEED);
    let mut pool_path = simulator.new_path();
    simulator.simulate(path, &mut FactorDraws::default(), &mut pool_path);

    // Default in period 1 on the full 100,000,000; recovery 40% =
    // 40,000,000 collected 3 months after d_1 = 2026-07-01 = d_2: period 2.
    assert_eq!(pool_path.defaults.len(), 1);
    assert_eq!(pool_path.defaults[0].period, 1);
    assert_eq!(pool_path.defaults[0].recovery_period, 2);
    assert_eq!(pool_path.interest, vec![Money::ZERO; 5]);
    assert_eq!(pool_path.principal, vec![Money::ZERO; 5]);
    assert_eq!(pool_path.recoveries, money_vec(&[0, 0, 40_000_000, 0, 0]));
    assert_eq!(
        pool_path.performing_balance,
        money_vec(&[0, 100_000_000, 0, 0, 0])
    );

    // Fee: p1 due 100,000,000 x 1% / 4 = 250,000 (the loan still counts in
    // its default period); no interest is ever collected, so it is carried
    // forward unpaid: due 250,000 in every later period (no new accrual, the
    // performing balance is 0), paid 0.
    // Senior (1% a quarter, deferred not capitalised):
    //   p1 due 600,000, paid 0, shortfall 600,000; balance 60,000,000.
    //   p2 due 600,000 + 600,000 = 1,200,000 unpaid; recovery 40,000,000
    //      repays principal -> balance 20,000,000.
    //   p3 due 1,200,000 + 20,000,000 x 1% = 1,400,000 unpaid.
    //   p4 due 1,400,000 + 200,000 = 1,600,000 unpaid; balance 20,000,000.
    // Junior (1.5% a quarter, capitalised):
    //   p1 40,000,000 x 1.5% = 600,000 -> 40,600,000
    //   p2 40,600,000 x 1.5% = 609,000 -> 41,209,000
    //   p3 41,209,000 x 1.5% = 618,135 -> 41,827,135
    //   p4 41,827,135 x 1.5% = 627,407.025 -> 627,407 -> 42,454,542
    let expected: [(i64, [[i64; 5]; 2]); 4] = [
        (
            250_000,
            [
                [0, 0, 0, 600_000, 60_000_000],
                [0, 0, 0, 600_000, 40_600_000],
            ],
        ),
        (
            250_000,
            [
                [0, 40_000_000, 0, 1_200_000, 20_000_000],
                [0, 0, 0, 609_000, 41_209_000],
            ],
        ),
        (
            250_000,
            [
                [0, 0, 0, 1_400_000, 20_000_000],
                [0, 0, 0, 618_135, 41_827_135],
            ],
        ),
        (
            250_000,
            [
                [0, 0, 0, 1_600_000, 20_000_000],
                [0, 0, 0, 627_407, 42_454_542],
            ],
        ),
    ];
    let mut ledger = Ledger::default();
    run_waterfall(&model, &pool_path, &mut ledger);
    for (k, (fee_due, rows)) in (1..=4).zip(expected) {
        assert_eq!(ledger.fee(0, k).due, m(fee_due), "period {k}: fee due");
        assert_eq!(ledger.fee(0, k).paid, Money::ZERO, "period {k}: fee paid");
        for (t, row) in rows.into_iter().enumerate() {
            check_rows(&ledger, k, t, ["senior", "junior"][t], row);
        }
        let collected = pool_path.interest[k] + pool_path.principal[k] + pool_path.recoveries[k];
        assert_eq!(ledger.paid_out(2, k), collected, "period {k}: conservation");
    }

    // Senior: unpaid 20,000,000 / 60,000,000 -> loss 1/3. One flow of
    // 40,000,000 at t = 0.5 for 60,000,000 invested: (1 + r)^0.5 = 2/3,
    // r = 4/9 - 1 = -5/9. MOIC 2/3, WAL 0.5.
    let senior = tranche_outcome(&model.liabilities.tranches[0], 0, &ledger, &model.calendar);
    close(senior.loss, 1.0 / 3.0, 1e-15, "senior loss");
    close(senior.irr, -5.0 / 9.0, IRR_TOLERANCE, "senior IRR");
    close(senior.moic, 2.0 / 3.0, 1e-15, "senior MOIC");
    close(senior.wal_years, 0.5, 0.0, "senior WAL");

    // Junior: balance 42,454,542, of which 2,454,542 capitalised interest
    // -> principal loss 40,000,000 / 40,000,000 = 1, deferred-interest loss
    // 2,454,542 / 40,000,000 = 0.06136355; nothing received -> PV loss 1,
    // IRR -1, MOIC 0, WAL NaN.
    let junior = tranche_outcome(&model.liabilities.tranches[1], 1, &ledger, &model.calendar);
    assert_eq!(junior.loss, 1.0);
    close(
        junior.deferred_interest_loss,
        0.061_363_55,
        1e-15,
        "junior deferred-interest loss",
    );
    assert_eq!(junior.pv_loss, 1.0);
    assert_eq!(junior.irr, -1.0);
    assert_eq!(junior.moic, 0.0);
    assert!(junior.wal_years.is_nan());
}

/// The engine's IRR solver to its own stated precision on the two cash-flow
/// sets above whose Newton iteration lands exactly on the root (present value
/// minus price evaluates to 0.0), which once made the solver fall back to a
/// bisection midpoint. Expected values: -5/9 in closed form (40 back at
/// t = 0.5 for 60 invested) and an independent bisection.
#[test]
fn irr_lands_on_root_exactly() {
    use blendsim::waterfall::irr;
    let closed_form = irr(60_000_000.0, &[(0.5, 40_000_000.0)]);
    close(closed_form, -5.0 / 9.0, 1e-12, "IRR of one flow");
    let flows = [
        (0.25, 4_937_500.0),
        (0.5, 4_937_500.0),
        (0.75, 4_925_000.0),
        (1.0, 4_925_000.0),
        (1.25, 4_937_999.0),
        (1.5, 4_937_999.0),
        (1.75, 4_937_999.0),
        (2.0, 176_436_003.0),
    ];
    close(
        irr(250_000_000.0, &flows),
        irr_by_bisection(250_000_000.0, &flows),
        1e-12,
        "mezzanine IRR",
    );
}
