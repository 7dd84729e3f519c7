//! Hand-computed multi-period examples of funding and ramp-up: a loan that
//! draws twice and capitalises its interest during construction, funded at
//! closing with a ramp-up account; the same kind of loan funded by
//! delayed-draw tranches paid a commitment fee; a coverage test with an
//! effective date. Every number is derived in the comments.
//!
//! Common setting: quarterly, 30/360, so every period is exactly 1/4 year;
//! the pool is one loan of 1,000,000.00 at 8% (2% a quarter) that never
//! defaults (annual PD 1e-12). Amounts in comments are in dollars; in code,
//! in cents.

use crate::common;

use blendsim::model::Model;
use blendsim::money::Money;
use blendsim::simulate::{FactorDraws, PoolSimulator};
use blendsim::spec::{
    CommitmentFeeSpec, FacilitySpec, Funding, PdlSpec, PrincipalSpec, StepSpec, TrancheClass,
    WaterfallSpec,
};
use blendsim::waterfall::{Ledger, run_waterfall, tranche_outcome};
use rust_decimal::Decimal;

fn m(cents: i64) -> Money {
    Money::from_minor(cents)
}

fn dollars(values: &[i64]) -> Vec<Money> {
    values.iter().map(|&d| m(d * 100)).collect()
}

/// The loan draws half on 2026-01-01 and half on 2026-07-01 (end of
/// period 2); maturity `maturity`, bullet.
fn two_draw_loan(maturity: &str, capitalise_until: Option<&str>) -> blendsim::spec::ProjectSpec {
    let mut loan = common::project(1, 1_000_000, "2026-01-01", maturity, 1e-12, 0.5);
    loan.coupon = 0.08;
    let half = Decimal::new(5, 1);
    loan.draws = vec![
        (common::date("2026-01-01"), half),
        (common::date("2026-07-01"), half),
    ];
    loan.capitalise_until = capitalise_until.map(common::date);
    loan
}

fn run_one_path(spec: &FacilitySpec) -> (Model, Ledger) {
    spec.validate().expect("valid facility");
    let model = Model::compile(spec).expect("compiles");
    let simulator = PoolSimulator::new(&model.pool, 1);
    let mut path = simulator.new_path();
    simulator.simulate(0, &mut FactorDraws::default(), &mut path);
    assert!(path.defaults.is_empty(), "the loan does not default");
    let mut ledger = Ledger::default();
    run_waterfall(&model, &path, &mut ledger);
    for k in 1..=model.calendar.periods() {
        assert_eq!(
            ledger.sources(k),
            ledger.uses(k),
            "period {k}: conservation"
        );
    }
    (model, ledger)
}

/// Two draws, interest capitalised until 2027-01-01 (end of period 4),
/// maturity 2028-01-01 (period 8):
///
/// - k1: balance 500,000; interest 500,000 x 2% = 10,000, capitalised:
///   510,000.
/// - k2: 510,000 x 2% = 10,200 capitalised; the second draw of 500,000 on
///   the period's last day: exposure 1,010,000, balance 1,020,200.
/// - k3: 1,020,200 x 2% = 20,404 capitalised: 1,040,604.
/// - k4: 1,040,604 x 2% = 20,812.08 capitalised: 1,061,416.08.
/// - k5..k8: interest 1,061,416.08 x 2% = 21,228.3216 -> 21,228.32 paid;
///   the whole 1,061,416.08 (draws 1,000,000 + capitalised 61,416.08) at
///   maturity.
///
/// One senior tranche of 1,000,000 at 4% (10,000 a quarter), funded at
/// closing; the ramp-up account holds the undrawn 500,000 at 2% a year
/// (2,500 a quarter) until the draw at the end of period 2. Interest
/// proceeds: 2,500, 2,500, 0, 0, then 21,228.32. Deferred senior interest
/// (paid first each period): 7,500, 15,000, 25,000, 35,000, then 45,000 -
/// 21,228.32 = 23,771.68, 12,543.36, 1,315.04, and at k8 the 11,315.04 due
/// is paid, leaving 9,913.28 of interest, which joins the principal
/// proceeds at the legal final: 1,071,329.36 repays the 1,000,000 and
/// 71,329.36 is residual. Coupons missed on their dates (the smaller of
/// the period's coupon and what is unpaid at its close): 7,500, then
/// 10,000 in k2..k6, then 1,315.04: 58,815.04, first in period 1.
#[test]
fn two_draw_loan_with_capitalised_interest_and_a_ramp_up_account() {
    let loan = two_draw_loan("2028-01-01", Some("2027-01-01"));
    let mut senior = common::tranche("senior", TrancheClass::Senior, 1_000_000);
    senior.coupon = 0.04;
    let mut spec = common::facility("2026-01-01", "2028-01-01", 0.0, 0, vec![senior], vec![loan]);
    spec.ramp_up_yield = 0.02;
    let (model, ledger) = run_one_path(&spec);

    let loan = &model.pool.loans[0];
    assert_eq!(loan.draws, vec![(0, m(50_000_000)), (2, m(50_000_000))]);
    assert_eq!(
        loan.capitalised,
        [
            vec![m(1_000_000), m(1_020_000), m(2_040_400), m(2_081_208)],
            vec![Money::ZERO; 4]
        ]
        .concat()
    );
    let paid = m(2_122_832);
    assert_eq!(
        loan.interest,
        [vec![Money::ZERO; 4], vec![paid; 4]].concat()
    );
    assert_eq!(
        loan.balance_start,
        vec![
            m(50_000_000),
            m(101_000_000),
            m(102_020_000),
            m(104_060_400),
            m(106_141_608),
            m(106_141_608),
            m(106_141_608),
            m(106_141_608),
        ]
    );
    assert_eq!(loan.principal[7], m(106_141_608));

    // The ramp-up account: (interest, released, lent, balance).
    assert_eq!(
        ledger.ramp_up(0),
        (Money::ZERO, Money::ZERO, m(50_000_000), m(50_000_000))
    );
    assert_eq!(
        ledger.ramp_up(1),
        (m(250_000), Money::ZERO, Money::ZERO, m(50_000_000))
    );
    assert_eq!(
        ledger.ramp_up(2),
        (m(250_000), Money::ZERO, m(50_000_000), Money::ZERO)
    );
    assert_eq!(ledger.ramp_up(3).0, Money::ZERO);

    let interest: Vec<Money> = (1..=8).map(|k| ledger.tranche(0, k).interest).collect();
    assert_eq!(
        interest,
        vec![
            m(250_000),
            m(250_000),
            Money::ZERO,
            Money::ZERO,
            paid,
            paid,
            paid,
            m(1_131_504)
        ]
    );
    let last = ledger.tranche(0, 8);
    assert_eq!(
        (last.principal, last.residual),
        (m(100_000_000), m(7_132_936))
    );
    assert_eq!(ledger.interest_shortfall(0), (Some(1), m(5_881_504)));
}

/// Delayed draw: the same two draws (no capitalisation, maturity
/// 2027-01-01 = period 4). Senior 800,000 at 4% and junior 200,000 at 0%,
/// both funded as drawn; the senior's commitment fee is 50 bp a year
/// (0.125% a quarter) of its undrawn commitment.
///
/// - Closing: the 500,000 drawn splits 800 : 200 -> senior pays in
///   400,000, junior 100,000; undrawn 400,000 and 100,000.
/// - Loan interest: k1 500,000 x 2% = 10,000; k2 10,000 (the second draw
///   is on the period's last day); k3, k4 1,000,000 x 2% = 20,000.
/// - k1, k2: commitment fee 400,000 x 0.125% = 500; senior interest
///   400,000 x 1% = 4,000; residual 5,500 to the junior. At the end of k2
///   the senior pays in 400,000 and the junior 100,000.
/// - k3: no fee (nothing undrawn), senior 800,000 x 1% = 8,000, residual
///   12,000. k4: senior 8,000; the 12,000 left joins the 1,000,000 of
///   principal: senior 800,000, junior 200,000, residual 12,000.
///
/// The senior paid in 800,000 and received 4,500 + 4,500 + 8,000 + 808,000
/// = 825,000: multiple 1.03125, no loss.
#[test]
fn delayed_draw_tranches_fund_their_share_and_earn_a_commitment_fee() {
    let loan = two_draw_loan("2027-01-01", None);
    let mut senior = common::tranche("senior", TrancheClass::Senior, 800_000);
    senior.coupon = 0.04;
    senior.funding = Funding::AsDrawn;
    let mut junior = common::tranche("junior", TrancheClass::FirstLoss, 200_000);
    junior.funding = Funding::AsDrawn;
    let mut spec = common::facility(
        "2026-01-01",
        "2027-01-01",
        0.0,
        0,
        vec![senior, junior],
        vec![loan],
    );
    spec.waterfall = Some(WaterfallSpec {
        interest: vec![
            StepSpec::CommitmentFee(CommitmentFeeSpec {
                tranche: "senior".into(),
                rate_bps: 50.0,
            }),
            StepSpec::Interest {
                tranche: "senior".into(),
            },
            StepSpec::Residual {
                tranche: "junior".into(),
            },
        ],
        principal: vec![
            StepSpec::Principal(PrincipalSpec {
                tranches: vec!["senior".into(), "junior".into()],
                pro_rata: false,
                sequential_after_test_failure: false,
            }),
            StepSpec::Residual {
                tranche: "junior".into(),
            },
        ],
        pdl: PdlSpec::default(),
        acceleration: None,
    });
    let (model, ledger) = run_one_path(&spec);
    let row = |t: usize, k: usize| ledger.tranche(t, k);
    let funded: Vec<Money> = (0..=4).map(|k| row(0, k).funded).collect();
    assert_eq!(funded, dollars(&[400_000, 0, 400_000, 0, 0]));
    let funded: Vec<Money> = (0..=4).map(|k| row(1, k).funded).collect();
    assert_eq!(funded, dollars(&[100_000, 0, 100_000, 0, 0]));
    let fees: Vec<Money> = (1..=4).map(|k| row(0, k).commitment_fee).collect();
    assert_eq!(fees, dollars(&[500, 500, 0, 0]));
    let interest: Vec<Money> = (1..=4).map(|k| row(0, k).interest).collect();
    assert_eq!(interest, dollars(&[4_000, 4_000, 8_000, 8_000]));
    let balances: Vec<Money> = (0..=4).map(|k| row(0, k).balance_end).collect();
    assert_eq!(balances, dollars(&[400_000, 400_000, 800_000, 800_000, 0]));
    let residual: Vec<Money> = (1..=4).map(|k| row(1, k).residual).collect();
    assert_eq!(residual, dollars(&[5_500, 5_500, 12_000, 12_000]));
    assert_eq!(row(1, 4).principal, dollars(&[200_000])[0]);
    // Nothing waits in a ramp-up account: no tranche is funded at closing.
    assert_eq!(
        ledger.ramp_up(0),
        (Money::ZERO, Money::ZERO, Money::ZERO, Money::ZERO)
    );

    let outcome = tranche_outcome(&model.liabilities.tranches[0], 0, &ledger, &model.calendar);
    assert_eq!(outcome.loss, 0.0);
    assert_eq!(outcome.moic, 825_000.0 / 800_000.0);
    // The IRR discounts the net flows (-400,000 at 0; 4,500 at 1/4;
    // 4,500 - 400,000 at 1/2; 8,000 at 3/4; 808,000 at 1) to zero.
    let flows = [
        (0.0, -400_000.0),
        (0.25, 4_500.0),
        (0.5, -395_500.0),
        (0.75, 8_000.0),
        (1.0, 808_000.0),
    ];
    let npv: f64 = flows
        .iter()
        .map(|&(t, c)| c * (1.0 + outcome.irr).powf(-t))
        .sum();
    assert!(npv.abs() < 1e-6, "npv {npv} at irr {}", outcome.irr);
    // Between 1% a quarter, (1.01)^4 - 1 = 4.06%, and the first half-year's
    // 4,500 a quarter on 400,000 (1.125%), (1.01125)^4 - 1 = 4.58%.
    assert!(
        outcome.irr > 0.0406 && outcome.irr < 0.0458,
        "{}",
        outcome.irr
    );
}
