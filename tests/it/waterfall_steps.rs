//! Hand-computed multi-period examples, one per step kind. Each runs a
//! priority of payments over a pool path written by hand (collections,
//! defaults and recoveries per period), so every number below is derived
//! in the comments from the inputs alone.
//!
//! Common setting: 2026-01-01 to 2027-01-01, quarterly, 30/360, so K = 4
//! periods of exactly 1/4 year. Tranches A 600,000.00, B 300,000.00,
//! C 100,000.00 (pool 1,000,000.00), not deferrable unless said; A's coupon
//! 4% (1% a quarter), B's 8% (2% a quarter), C's 0%. Amounts in comments are
//! in dollars; in code, in cents.

use crate::common;

use blendsim::model::Model;
use blendsim::money::Money;
use blendsim::simulate::{DefaultEvent, PoolPath};
use blendsim::spec::{
    CoverageKind, CoverageTestSpec, FacilitySpec, FeeBasis, FeeSpec, GuaranteeCap, GuaranteeSpec,
    PdlSpec, PrincipalSpec, ReserveSpec, ReserveTarget, StepSpec, TrancheClass, WaterfallSpec,
};
use blendsim::waterfall::{Ledger, guarantee_outcome, run_waterfall, tranche_outcome};
use rust_decimal::Decimal;

pub(crate) fn m(cents: i64) -> Money {
    Money::from_minor(cents)
}

pub(crate) fn the_facility(b_deferrable: bool) -> FacilitySpec {
    let loan = common::project(1, 1_000_000, "2026-01-01", "2027-01-01", 1e-12, 0.5);
    let mut a = common::tranche("A", TrancheClass::Senior, 600_000);
    a.coupon = 0.04;
    let mut b = common::tranche("B", TrancheClass::Mezzanine, 300_000);
    b.coupon = 0.08;
    b.deferrable = b_deferrable;
    let c = common::tranche("C", TrancheClass::FirstLoss, 100_000);
    common::facility(
        "2026-01-01",
        "2027-01-01",
        0.0,
        0,
        vec![a, b, c],
        vec![loan],
    )
}

pub(crate) fn interest(tranche: &str) -> StepSpec {
    StepSpec::Interest {
        tranche: tranche.into(),
    }
}

pub(crate) fn residual(tranche: &str) -> StepSpec {
    StepSpec::Residual {
        tranche: tranche.into(),
    }
}

pub(crate) fn principal(tranches: &[&str], pro_rata: bool) -> StepSpec {
    StepSpec::Principal(PrincipalSpec {
        tranches: tranches.iter().map(|t| t.to_string()).collect(),
        pro_rata,
        sequential_after_test_failure: pro_rata,
    })
}

fn sequential_then_residual() -> Vec<StepSpec> {
    vec![principal(&["A", "B", "C"], false), residual("C")]
}

fn oc_test(tranche: &str, min_ratio: f64) -> StepSpec {
    StepSpec::CoverageTest(CoverageTestSpec {
        name: format!("{tranche}_oc"),
        test: CoverageKind::Oc,
        tranche: tranche.into(),
        min_ratio,
        effective_date: None,
        defaulted_value: blendsim::spec::DefaultedValue::Zero,
    })
}

fn compile(mut spec: FacilitySpec, interest: Vec<StepSpec>, principal: Vec<StepSpec>) -> Model {
    spec.waterfall = Some(WaterfallSpec {
        interest,
        principal,
        pdl: PdlSpec::default(),
        acceleration: None,
    });
    spec.validate().expect("hand-written waterfall is valid");
    Model::compile(&spec).expect("compiles")
}

/// A pool path from per-period amounts in cents (index 0 = closing):
/// interest, scheduled principal, recoveries, written off, performing
/// balance at the start of the period.
pub(crate) struct Hand {
    pub(crate) interest: [i64; 5],
    pub(crate) principal: [i64; 5],
    pub(crate) recoveries: [i64; 5],
    pub(crate) defaulted: [i64; 5],
    pub(crate) performing: [i64; 5],
}

impl Hand {
    pub(crate) fn quiet(interest: [i64; 5], principal: [i64; 5]) -> Hand {
        Hand {
            interest,
            principal,
            recoveries: [0; 5],
            defaulted: [0; 5],
            performing: [0, 100_000_000, 100_000_000, 100_000_000, 100_000_000],
        }
    }

    /// The path with one default of the loan (cents): `exposure` written
    /// off in `period` and `recovery` collected in `recovery_period`.
    pub(crate) fn path_with_default(
        mut self,
        period: usize,
        recovery_period: usize,
        exposure: i64,
        recovery: i64,
    ) -> PoolPath {
        self.defaulted[period] += exposure;
        self.recoveries[recovery_period] += recovery;
        let mut path = self.path();
        path.defaults = vec![DefaultEvent {
            loan: 0,
            period,
            systematic: 0.0,
            recovery_rate: recovery as f64 / exposure as f64,
            exposure: m(exposure),
            recovery: m(recovery),
            recovery_period,
        }];
        path
    }

    pub(crate) fn path(&self) -> PoolPath {
        let column = |v: &[i64; 5]| v.iter().copied().map(m).collect();
        PoolPath {
            interest: column(&self.interest),
            principal: column(&self.principal),
            recoveries: column(&self.recoveries),
            defaulted: column(&self.defaulted),
            performing_balance: column(&self.performing),
            // The one loan of 1,000,000.00 is lent at closing.
            draws: column(&[100_000_000, 0, 0, 0, 0]),
            capitalised: column(&[0; 5]),
            cancelled: column(&[0; 5]),
            defaults: Vec::new(),
            nexus: Default::default(),
        }
    }
}

pub(crate) fn run(model: &Model, path: &PoolPath) -> Ledger {
    let mut ledger = Ledger::default();
    run_waterfall(model, path, &mut ledger);
    for k in 1..=4 {
        assert_eq!(
            ledger.sources(k),
            ledger.uses(k),
            "period {k}: conservation"
        );
    }
    ledger
}

/// [interest, principal, residual, shortfall, balance_end] of each tranche
/// A, B, C in each period 1..=4, in cents.
pub(crate) type Rows = [[[i64; 5]; 3]; 4];

pub(crate) fn check_rows(ledger: &Ledger, expected: &Rows) {
    for (k, period) in (1..=4).zip(expected) {
        for (t, row) in period.iter().enumerate() {
            let r = ledger.tranche(t, k);
            let actual = [
                r.interest.minor(),
                r.principal.minor(),
                r.residual.minor(),
                r.interest_shortfall.minor(),
                r.balance_end.minor(),
            ];
            assert_eq!(
                &actual,
                row,
                "period {k}, tranche {}: [interest, principal, residual, shortfall, balance]",
                ["A", "B", "C"][t]
            );
        }
    }
}

/// Fees: 40 bp of the performing pool (0.1% a quarter) and 20 bp of A's
/// balance (0.05% a quarter) before A's interest; a fixed 1,000 a period
/// subordinated to A, before B. Unpaid fees carry forward.
///
/// p1: interest 20,000. pool fee 1,000,000 x 0.1% = 1,000 -> 19,000; trustee
///     600,000 x 0.05% = 300 -> 18,700; A 6,000 -> 12,700; admin 1,000 ->
///     11,700; B 6,000 -> 5,700; residual C 5,700.
/// p2: interest 5,000. pool 1,000 -> 4,000; trustee 300 -> 3,700; A due
///     6,000, paid 3,700, shortfall 2,300 (deferred); admin due 1,000 unpaid;
///     B due 6,000 unpaid (deferred); nothing left.
/// p3: interest 30,000, principal 100,000. pool 1,000 -> 29,000; trustee
///     300 -> 28,700; A 2,300 + 6,000 = 8,300 -> 20,400; admin 1,000 + 1,000
///     = 2,000 -> 18,400; B 6,000 + 6,000 = 12,000 -> 6,400 residual C.
///     Principal 100,000 -> A 500,000.
/// p4 (legal final): interest 10,000, principal 900,000, performing
///     900,000. pool 900 -> 9,100; trustee 500,000 x 0.05% = 250 -> 8,850; A
///     5,000 -> 3,850; admin 1,000 -> 2,850; B due 6,000, paid 2,850,
///     shortfall 3,150; the residual step passes at the legal final (nothing
///     left anyway). Principal 900,000 repays A 500,000, B 300,000, C
///     100,000.
#[test]
fn fee_steps_accrue_pay_and_carry_forward() {
    let fee = |name: &str, basis: FeeBasis| {
        StepSpec::Fee(FeeSpec {
            name: name.into(),
            basis,
        })
    };
    let interest_steps = vec![
        fee("pool", FeeBasis::PerformingPool { rate_bps: 40.0 }),
        fee(
            "trustee",
            FeeBasis::TrancheBalance {
                tranche: "A".into(),
                rate_bps: 20.0,
            },
        ),
        interest("A"),
        fee(
            "admin",
            FeeBasis::Fixed {
                amount: Decimal::from(1_000),
            },
        ),
        interest("B"),
        residual("C"),
    ];
    let model = compile(
        the_facility(false),
        interest_steps,
        sequential_then_residual(),
    );
    let mut hand = Hand::quiet(
        [0, 2_000_000, 500_000, 3_000_000, 1_000_000],
        [0, 0, 0, 10_000_000, 90_000_000],
    );
    hand.performing[4] = 90_000_000;
    let ledger = run(&model, &hand.path());
    // (due, paid) of pool, trustee, admin per period.
    let fees = [
        [(100_000, 100_000), (30_000, 30_000), (100_000, 100_000)],
        [(100_000, 100_000), (30_000, 30_000), (100_000, 0)],
        [(100_000, 100_000), (30_000, 30_000), (200_000, 200_000)],
        [(90_000, 90_000), (25_000, 25_000), (100_000, 100_000)],
    ];
    for (k, row) in (1..=4).zip(fees) {
        for (f, (due, paid)) in row.into_iter().enumerate() {
            let fee = ledger.fee(f, k);
            assert_eq!(
                (fee.due.minor(), fee.paid.minor()),
                (due, paid),
                "period {k} fee {f}"
            );
        }
    }
    check_rows(
        &ledger,
        &[
            [
                [600_000, 0, 0, 0, 60_000_000],
                [600_000, 0, 0, 0, 30_000_000],
                [0, 0, 570_000, 0, 10_000_000],
            ],
            [
                [370_000, 0, 0, 230_000, 60_000_000],
                [0, 0, 0, 600_000, 30_000_000],
                [0, 0, 0, 0, 10_000_000],
            ],
            [
                [830_000, 10_000_000, 0, 0, 50_000_000],
                [1_200_000, 0, 0, 0, 30_000_000],
                [0, 0, 640_000, 0, 10_000_000],
            ],
            [
                [500_000, 50_000_000, 0, 0, 0],
                [285_000, 30_000_000, 0, 315_000, 0],
                [0, 10_000_000, 0, 0, 0],
            ],
        ],
    );
}

/// Interest: A not deferrable (unpaid interest is deferred, owed without
/// interest), B deferrable (unpaid interest is capitalised at once and
/// bears interest). A second interest step for A heads the principal list,
/// so principal proceeds pay what interest proceeds could not.
///
/// p1: interest 4,000, principal 10,000. A due 6,000, paid 4,000; B due
///     6,000, paid 0, capitalised -> 306,000. Principal list: A's remaining
///     2,000 from principal proceeds -> 8,000 repays A -> 592,000.
/// p2: interest 20,000. A 592,000 x 1% = 5,920 -> 14,080; B 306,000 x 2% =
///     6,120 -> 7,960 residual C.
/// p3: interest 3,000. A due 5,920, paid 3,000 -> 2,920 deferred (no
///     principal proceeds to pay it); B due 6,120 capitalised -> 312,120.
/// p4 (legal final): interest 12,000, principal 920,000. A due 2,920 +
///     5,920 = 8,840 -> 3,160; B 312,120 x 2% = 6,242.40, paid 3,160.00,
///     capitalised 3,082.40 -> 315,202.40. Principal 920,000: A 592,000, B
///     315,202.40, C 12,797.60 (balance 87,202.40 unpaid).
#[test]
fn interest_steps_defer_or_capitalise() {
    let model = compile(
        the_facility(true),
        vec![interest("A"), interest("B"), residual("C")],
        vec![
            interest("A"),
            principal(&["A", "B", "C"], false),
            residual("C"),
        ],
    );
    let hand = Hand::quiet(
        [0, 400_000, 2_000_000, 300_000, 1_200_000],
        [0, 1_000_000, 0, 0, 92_000_000],
    );
    let ledger = run(&model, &hand.path());
    check_rows(
        &ledger,
        &[
            [
                [600_000, 800_000, 0, 0, 59_200_000],
                [0, 0, 0, 600_000, 30_600_000],
                [0, 0, 0, 0, 10_000_000],
            ],
            [
                [592_000, 0, 0, 0, 59_200_000],
                [612_000, 0, 0, 0, 30_600_000],
                [0, 0, 796_000, 0, 10_000_000],
            ],
            [
                [300_000, 0, 0, 292_000, 59_200_000],
                [0, 0, 0, 612_000, 31_212_000],
                [0, 0, 0, 0, 10_000_000],
            ],
            [
                [884_000, 59_200_000, 0, 0, 0],
                [316_000, 31_520_240, 0, 308_240, 0],
                [0, 1_279_760, 0, 0, 8_720_240],
            ],
        ],
    );
    let c = tranche_outcome(&model.liabilities.tranches[2], 2, &ledger, &model.calendar);
    assert_eq!(c.loss, 8_720_240.0 / 10_000_000.0);
}

/// OC test on B at 1.10 between A's and B's interest. Collateral = par of
/// loans not written off (1,000,000 less scheduled principal and
/// write-offs to date) + this period's principal proceeds; covered = A + B.
/// Needed = covered - floor(collateral / 1.10), in cents.
///
/// p1: interest 20,000. (1,000,000 + 0) / 900,000 = 1.11 passes. A 6,000,
///     B 6,000, residual C 8,000.
/// p2: 100,000 written off; interest 15,000. Collateral 900,000 / 900,000 =
///     1.0 fails: needed 90,000,000 - floor(90,000,000 x 100 / 110) =
///     90,000,000 - 81,818,181 = 8,181,819 cents. After A's 6,000, 9,000
///     is left: all of it repays A (591,000). B gets nothing: 6,000
///     deferred.
/// p3: recoveries 50,000; interest 15,000. A 5,910 -> 9,090. Collateral
///     900,000 + 50,000 = 950,000 over 891,000 = 1.066 fails: needed
///     89,100,000 - floor(95,000,000 x 100 / 110 = 86,363,636.36) =
///     2,736,364 cents; 9,090 repays A (581,910). B due 12,000 unpaid.
///     Principal 50,000 -> A 531,910.
/// p4 (legal final): interest 10,000, principal 850,000. A 5,319.10 ->
///     4,680.90. Collateral 50,000 + 850,000 = 900,000 over 831,910 fails:
///     needed 83,191,000 - floor(90,000,000 x 100 / 110) = 1,372,819; all
///     4,680.90 repays A (527,229.10). B due 18,000 unpaid. Principal
///     850,000: A 527,229.10, B 300,000, C 22,770.90 (77,229.10 unpaid).
#[test]
fn oc_test_diverts_interest_to_senior_principal() {
    let model = compile(
        the_facility(false),
        vec![
            interest("A"),
            oc_test("B", 1.10),
            interest("B"),
            residual("C"),
        ],
        sequential_then_residual(),
    );
    let mut hand = Hand::quiet(
        [0, 2_000_000, 1_500_000, 1_500_000, 1_000_000],
        [0, 0, 0, 0, 85_000_000],
    );
    hand.defaulted[2] = 10_000_000;
    hand.recoveries[3] = 5_000_000;
    let ledger = run(&model, &hand.path());
    let tests: Vec<_> = (1..=4).map(|k| ledger.test(0, k)).collect();
    assert!(!tests[0].failed);
    assert_eq!(
        (tests[1].needed.minor(), tests[1].cure.minor()),
        (8_181_819, 900_000)
    );
    assert_eq!(
        (tests[2].needed.minor(), tests[2].cure.minor()),
        (2_736_364, 909_000)
    );
    assert_eq!(
        (tests[3].needed.minor(), tests[3].cure.minor()),
        (1_372_819, 468_090)
    );
    assert_eq!(ledger.first_failure(0), Some(2));
    check_rows(
        &ledger,
        &[
            [
                [600_000, 0, 0, 0, 60_000_000],
                [600_000, 0, 0, 0, 30_000_000],
                [0, 0, 800_000, 0, 10_000_000],
            ],
            [
                [600_000, 900_000, 0, 0, 59_100_000],
                [0, 0, 0, 600_000, 30_000_000],
                [0, 0, 0, 0, 10_000_000],
            ],
            [
                [591_000, 5_909_000, 0, 0, 53_191_000],
                [0, 0, 0, 1_200_000, 30_000_000],
                [0, 0, 0, 0, 10_000_000],
            ],
            [
                [531_910, 53_191_000, 0, 0, 0],
                [0, 30_000_000, 0, 1_800_000, 0],
                [0, 2_277_090, 0, 0, 7_722_910],
            ],
        ],
    );
}

/// IC test on A at 2.0 right after A's interest. Ratio = interest proceeds
/// (no fees here) / A's current interest. When it fails, the principal
/// needed is what lowers A's interest to floor(proceeds / 2): A's
/// interest falls by 1% of each dollar repaid.
///
/// p1: interest 10,000; A's interest 6,000: 10,000 / 6,000 = 1.67 fails.
///     Allowed interest 5,000, excess 1,000 -> needed ceil(1,000 x 600,000
///     / 6,000) = 100,000. After A's 6,000 only 4,000 is left: it repays A
///     (596,000); B's 6,000 is deferred.
/// p2: interest 20,000; A 5,960: 3.36 passes. B 6,000 + 6,000 -> 2,040
///     residual C.
/// p3: no interest: 0 / 5,960 fails, needed = A's whole 596,000 (repaying
///     less leaves some interest, over an allowance of 0); no cash, no cure.
#[test]
fn ic_test_diverts_interest_to_senior_principal() {
    let ic = StepSpec::CoverageTest(CoverageTestSpec {
        name: "A_ic".into(),
        test: CoverageKind::Ic,
        tranche: "A".into(),
        min_ratio: 2.0,
        effective_date: None,
        defaulted_value: blendsim::spec::DefaultedValue::Zero,
    });
    let model = compile(
        the_facility(false),
        vec![interest("A"), ic, interest("B"), residual("C")],
        sequential_then_residual(),
    );
    let hand = Hand::quiet([0, 1_000_000, 2_000_000, 0, 0], [0, 0, 0, 0, 100_000_000]);
    let ledger = run(&model, &hand.path());
    let test = |k| {
        let t = ledger.test(0, k);
        (t.failed, t.needed.minor(), t.cure.minor())
    };
    assert_eq!(test(1), (true, 10_000_000, 400_000));
    assert_eq!(test(2), (false, 0, 0));
    assert_eq!(test(3), (true, 59_600_000, 0));
    assert_eq!(ledger.tranche(0, 1).principal, m(400_000));
    assert_eq!(ledger.tranche(0, 1).balance_end, m(59_600_000));
    assert_eq!(ledger.tranche(1, 1).interest_shortfall, m(600_000));
    assert_eq!(ledger.tranche(0, 2).interest, m(596_000));
    assert_eq!(ledger.tranche(1, 2).interest, m(1_200_000));
    assert_eq!(ledger.tranche(2, 2).residual, m(204_000));
}

/// A reserve after A's interest, targeting 2 periods of A's current
/// interest; it pays A's interest shortfalls, releases what is above
/// target and empties into the principal proceeds at the legal final.
///
/// p1: interest 20,000. A 6,000 -> 14,000; target 12,000: deposit 12,000
///     -> 2,000; B due 6,000 paid 2,000 (4,000 deferred).
/// p2: interest 2,000, principal 500,000. A due 6,000: 2,000 from cash and
///     4,000 drawn on the reserve (8,000 left). Target 12,000, no cash to
///     top up. B due 10,000 unpaid. Principal 500,000 -> A 100,000.
/// p3: interest 20,000. A 1,000 -> 19,000. Target 2 x 1,000 = 2,000: the
///     6,000 above target is released -> 25,000. B 16,000 -> 9,000 residual
///     C.
/// p4 (legal final): interest 9,000, principal 500,000. A 1,000 -> 8,000;
///     no top-up at the legal final; B 6,000 -> 2,000, which joins the
///     principal proceeds with the reserve's 2,000: 504,000 repays A
///     100,000, B 300,000, C 100,000; residual 4,000 to C.
#[test]
fn reserve_tops_up_pays_shortfalls_and_is_released() {
    let reserve = liquidity_reserve(&[], 2);
    let model = compile(
        the_facility(false),
        vec![interest("A"), reserve, interest("B"), residual("C")],
        sequential_then_residual(),
    );
    let hand = Hand::quiet(
        [0, 2_000_000, 200_000, 2_000_000, 900_000],
        [0, 0, 50_000_000, 0, 50_000_000],
    );
    let ledger = run(&model, &hand.path());
    assert_eq!(
        reserve_rows(&ledger),
        [
            (1_200_000, 0, 1_200_000),
            (0, 400_000, 800_000),
            (0, 600_000, 200_000),
            (0, 200_000, 0)
        ]
    );
    check_rows(
        &ledger,
        &[
            [
                [600_000, 0, 0, 0, 60_000_000],
                [200_000, 0, 0, 400_000, 30_000_000],
                [0, 0, 0, 0, 10_000_000],
            ],
            [
                [600_000, 50_000_000, 0, 0, 10_000_000],
                [0, 0, 0, 1_000_000, 30_000_000],
                [0, 0, 0, 0, 10_000_000],
            ],
            [
                [100_000, 0, 0, 0, 10_000_000],
                [1_600_000, 0, 0, 0, 30_000_000],
                [0, 0, 900_000, 0, 10_000_000],
            ],
            [
                [100_000, 10_000_000, 0, 0, 0],
                [600_000, 30_000_000, 0, 0, 0],
                [0, 10_000_000, 400_000, 0, 0],
            ],
        ],
    );
}

/// A reserve named `liquidity` for `tranches`' interest (none: the
/// tranche of the step before it), its target `periods` of their interest.
fn liquidity_reserve(tranches: &[&str], periods: u32) -> StepSpec {
    StepSpec::Reserve(ReserveSpec {
        name: "liquidity".into(),
        tranches: tranches.iter().map(|t| t.to_string()).collect(),
        target: ReserveTarget::InterestPeriods(periods),
        initial_deposit: None,
    })
}

/// The first reserve's deposit, withdrawal and closing balance in periods
/// 1 to 4, in minor units.
fn reserve_rows(ledger: &Ledger) -> Vec<(i64, i64, i64)> {
    (1..=4)
        .map(|k| {
            let r = ledger.reserve(0, k);
            (
                r.deposit.minor(),
                r.withdrawal.minor(),
                r.balance_end.minor(),
            )
        })
        .collect()
}

/// One reserve covering two tranches' interest (`tranches = ["A", "B"]`,
/// target one period of both: 6,000 + 6,000 = 12,000), after B's
/// interest, before the residual to C; B is not deferrable.
///
/// p1: interest 30,000. A 6,000 -> 24,000; B 6,000 -> 18,000; deposit
///     12,000 -> 6,000 residual C.
/// p2: interest 4,000. A due 6,000: 4,000 from cash, 2,000 drawn on the
///     reserve (10,000 left); B due 6,000: all 6,000 drawn on the reserve
///     (4,000 left); no cash to top up.
/// p3: interest 20,000. A 6,000 -> 14,000; B 6,000 -> 8,000; top-up of
///     the 8,000 missing -> 0.
/// p4 (legal final): interest 12,000, principal 1,000,000. A 6,000, B
///     6,000; no top-up; the reserve's 12,000 joins the principal proceeds:
///     1,012,000 repays A 600,000, B 300,000, C 100,000; residual 12,000
///     to C.
#[test]
fn one_reserve_covers_two_tranches_interest() {
    let reserve = liquidity_reserve(&["A", "B"], 1);
    let model = compile(
        the_facility(false),
        vec![interest("A"), interest("B"), reserve, residual("C")],
        sequential_then_residual(),
    );
    let hand = Hand::quiet(
        [0, 3_000_000, 400_000, 2_000_000, 1_200_000],
        [0, 0, 0, 0, 100_000_000],
    );
    let ledger = run(&model, &hand.path());
    assert_eq!(
        reserve_rows(&ledger),
        [
            (1_200_000, 0, 1_200_000),
            (0, 800_000, 400_000),
            (800_000, 0, 1_200_000),
            (0, 1_200_000, 0)
        ]
    );
    let a = [600_000, 0, 0, 0, 60_000_000];
    let b = [600_000, 0, 0, 0, 30_000_000];
    let c = [0, 0, 0, 0, 10_000_000];
    check_rows(
        &ledger,
        &[
            [a, b, [0, 0, 600_000, 0, 10_000_000]],
            [a, b, c],
            [a, b, c],
            [
                [600_000, 60_000_000, 0, 0, 0],
                [600_000, 30_000_000, 0, 0, 0],
                [0, 10_000_000, 1_200_000, 0, 0],
            ],
        ],
    );
}

/// Zero coupons; A and B repaid pro rata, switching to sequential once the
/// OC test on B (1.05) has failed; C sequential after them.
///
/// p1: interest 1,000, principal 90,000. Collateral 910,000 + 90,000 over
///     900,000 passes; residual C 1,000. Pro rata 600:300 -> A 60,000,
///     B 30,000.
/// p2: principal 100.01 = 10,001 cents over balances 54,000,000 :
///     27,000,000: floors 6,667 and 3,333, the cent left to A (first
///     listed) -> A 66.68, B 33.33. Test passes (910,000 / 810,000).
/// p3: 200,000 written off; interest 500. Collateral 709,899.99 over
///     A + B = 809,899.99 fails: needed 80,989,999 - floor(70,989,999 x 100
///     / 105 = 67,609,522.86) = 13,380,477 cents; the 500 repays A.
/// p4 (legal final): principal 700,000, now sequential: A 539,433.32, then
///     B 160,566.68 of 269,966.67 (109,399.99 unpaid); C nothing.
#[test]
fn pro_rata_principal_turns_sequential_after_a_test_failure() {
    let mut spec = the_facility(false);
    for t in &mut spec.tranches {
        t.coupon = 0.0;
    }
    let model = compile(
        spec,
        vec![oc_test("B", 1.05), residual("C")],
        vec![
            principal(&["A", "B"], true),
            principal(&["C"], false),
            residual("C"),
        ],
    );
    let mut hand = Hand::quiet(
        [0, 100_000, 0, 50_000, 0],
        [0, 9_000_000, 10_001, 0, 70_000_000],
    );
    hand.defaulted[3] = 20_000_000;
    let ledger = run(&model, &hand.path());
    let principal_paid = |t: usize| -> Vec<i64> {
        (1..=4)
            .map(|k| ledger.tranche(t, k).principal.minor())
            .collect()
    };
    assert_eq!(principal_paid(0), [6_000_000, 6_668, 50_000, 53_943_332]);
    assert_eq!(principal_paid(1), [3_000_000, 3_333, 0, 16_056_668]);
    assert_eq!(principal_paid(2), [0, 0, 0, 0]);
    assert_eq!(ledger.test(0, 3).needed, m(13_380_477));
    assert_eq!(ledger.tranche(1, 4).balance_end, m(10_939_999));
    assert_eq!(ledger.tranche(2, 1).residual, m(100_000));
}

/// No residual in the interest list: interest left after A's coupon joins
/// the principal proceeds every period ("turbo" repayment of A), and the
/// principal list's residual pays C what is left at the end.
///
/// p1: interest 10,000: A 6,000, 4,000 repays A -> 596,000.
/// p2: interest 10,000: A 5,960, 4,040 repays A -> 591,960.
/// p3: nothing collected: A's 5,919.60 is deferred.
/// p4 (legal final): interest 10,000, principal 1,000,000: A due 5,919.60 +
///     5,919.60 = 11,839.20, paid 10,000 (1,839.20 deferred and lost);
///     principal 1,000,000 repays A 591,960, B 300,000, C 100,000;
///     residual 8,040 to C.
#[test]
fn residual_and_interest_left_joining_principal() {
    let mut spec = the_facility(false);
    spec.tranches[1].coupon = 0.0;
    let model = compile(spec, vec![interest("A")], sequential_then_residual());
    let hand = Hand::quiet(
        [0, 1_000_000, 1_000_000, 0, 1_000_000],
        [0, 0, 0, 0, 100_000_000],
    );
    let ledger = run(&model, &hand.path());
    let a: Vec<[i64; 3]> = (1..=4)
        .map(|k| {
            let r = ledger.tranche(0, k);
            [
                r.interest.minor(),
                r.principal.minor(),
                r.interest_shortfall.minor(),
            ]
        })
        .collect();
    assert_eq!(
        a,
        [
            [600_000, 400_000, 0],
            [596_000, 404_000, 0],
            [0, 0, 591_960],
            [1_000_000, 59_196_000, 183_920]
        ]
    );
    assert_eq!(ledger.tranche(2, 4).principal, m(10_000_000));
    assert_eq!(ledger.tranche(2, 4).residual, m(804_000));
}

/// An unfunded guarantee (cap 150,000, fee 100 bp a year of the undrawn cap
/// = 0.25% a quarter) under a single funded tranche A of 1,000,000 at 4%,
/// in the default order (guarantee fee, management fee 0, A's interest,
/// residual to A; principal to A).
///
/// Defaults: a loan of 200,000 defaults in p1 and recovers 80,000 in p3
/// (loss 120,000 realised in p3); a loan of 100,000 defaults in p2 and
/// recovers 10,000 in p4 (loss 90,000 realised in p4).
///
/// p1: interest 20,000. Fee 150,000 x 0.25% = 375 -> 19,625; A 10,000 ->
///     9,625 residual A.
/// p2: interest 15,000. Fee 375; A 10,000; residual 4,625.
/// p3: interest 10,000, recoveries 80,000, payout 120,000 (cap left
///     30,000). Fee on the undrawn cap at the start of p3: 375 -> 9,625; A
///     due 10,000, paid 9,625 (375 deferred). Principal 80,000 + 120,000 ->
///     A 800,000.
/// p4 (legal final): interest 5,000, principal 700,000, recoveries 10,000,
///     payout min(30,000, 90,000) = 30,000. Fee 30,000 x 0.25% = 75 ->
///     4,925; A due 375 + 8,000 = 8,375, paid 4,925. Principal 740,000 -> A
///     60,000 unpaid: loss 6%. The guarantor paid its whole cap (loss 1)
///     and earned 375 x 3 + 75 = 1,200 of fees (0.8% of its cap).
#[test]
fn guarantee_pays_realised_losses_up_to_its_cap() {
    let loan = common::project(1, 1_000_000, "2026-01-01", "2027-01-01", 1e-12, 0.5);
    let mut a = common::tranche("A", TrancheClass::Senior, 1_000_000);
    a.coupon = 0.04;
    let mut spec = common::facility("2026-01-01", "2027-01-01", 0.0, 0, vec![a], vec![loan]);
    spec.guarantee = Some(GuaranteeSpec {
        name: "public_guarantee".into(),
        cap: GuaranteeCap::Amount(Decimal::from(150_000)),
        fee_bps: 100.0,
        public: true,
    });
    spec.validate().unwrap();
    let model = Model::compile(&spec).unwrap();
    let mut hand = Hand::quiet(
        [0, 2_000_000, 1_500_000, 1_000_000, 500_000],
        [0, 0, 0, 0, 70_000_000],
    );
    hand.recoveries = [0, 0, 0, 8_000_000, 1_000_000];
    hand.defaulted = [0, 20_000_000, 10_000_000, 0, 0];
    let mut path = hand.path();
    let event = |period, exposure, recovery, recovery_period| DefaultEvent {
        loan: 0,
        period,
        systematic: 0.0,
        recovery_rate: 0.0,
        exposure: m(exposure),
        recovery: m(recovery),
        recovery_period,
    };
    path.defaults = vec![
        event(1, 20_000_000, 8_000_000, 3),
        event(2, 10_000_000, 1_000_000, 4),
    ];
    let ledger = run(&model, &path);
    let payouts: Vec<i64> = (1..=4)
        .map(|k| ledger.guarantee_payout(k).minor())
        .collect();
    assert_eq!(payouts, [0, 0, 12_000_000, 3_000_000]);
    let fees: Vec<i64> = (1..=4).map(|k| ledger.fee(0, k).paid.minor()).collect();
    assert_eq!(fees, [37_500, 37_500, 37_500, 7_500]);
    let rows: Vec<[i64; 4]> = (1..=4)
        .map(|k| {
            let r = ledger.tranche(0, k);
            [
                r.interest.minor(),
                r.principal.minor(),
                r.residual.minor(),
                r.balance_end.minor(),
            ]
        })
        .collect();
    assert_eq!(
        rows,
        [
            [1_000_000, 0, 962_500, 100_000_000],
            [1_000_000, 0, 462_500, 100_000_000],
            [962_500, 20_000_000, 0, 80_000_000],
            [492_500, 74_000_000, 0, 6_000_000],
        ]
    );
    let a = tranche_outcome(&model.liabilities.tranches[0], 0, &ledger, &model.calendar);
    assert_eq!(a.loss, 0.06);
    let g = guarantee_outcome(model.liabilities.guarantee.as_ref().unwrap(), &ledger);
    assert_eq!(g.loss, 1.0);
    assert_eq!(g.moic, 120_000.0 / 15_000_000.0);
    assert!(g.irr.is_nan() && g.wal_years.is_nan());
}
