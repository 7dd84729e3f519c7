//! An event of default and the post-acceleration priority, computed by hand
//! over four periods (the setting of `waterfall_steps`: quarterly, 30/360,
//! A 600,000.00 at 1% a quarter and not deferrable, B 300,000.00 at 2%
//! deferrable, C 100,000.00 at 0%). Amounts in comments are in dollars, in
//! code in cents.

use blendsim::model::Model;
use blendsim::spec::{AccelerationSpec, FeeBasis, FeeSpec, PdlSpec, StepSpec, WaterfallSpec};
use rust_decimal::Decimal;

use crate::waterfall_steps::{Hand, check_rows, interest, principal, residual, run, the_facility};

/// Normal priority: a fixed fee of 1,000, A, B, residual C; principal
/// sequential. After an event of default (grace 0): the fee, then A's
/// interest, A's principal, B's interest, B's principal, C's principal,
/// residual C.
fn model() -> Model {
    let mut spec = the_facility(true);
    let fee = StepSpec::Fee(FeeSpec {
        name: "admin".into(),
        basis: FeeBasis::Fixed {
            amount: Decimal::from(1_000),
        },
    });
    spec.waterfall = Some(WaterfallSpec {
        interest: vec![fee, interest("A"), interest("B"), residual("C")],
        principal: vec![principal(&["A", "B", "C"], false), residual("C")],
        pdl: PdlSpec::default(),
        acceleration: Some(AccelerationSpec {
            grace_periods: 0,
            steps: vec![
                interest("A"),
                principal(&["A"], false),
                interest("B"),
                principal(&["B"], false),
                principal(&["C"], false),
                residual("C"),
            ],
        }),
    });
    spec.validate().expect("valid");
    Model::compile(&spec).expect("compiles")
}

/// p1: interest 20,000: fee 1,000, A 6,000, B 6,000, residual C 7,000.
/// p2: interest 4,000: fee 1,000; A due 6,000, paid 3,000 (3,000
///     deferred); B's 6,000 capitalised (306,000). A's coupon is unpaid at
///     the close: an event of default (grace 0) in period 2.
/// p3 (accelerated): interest 20,000 and principal 100,000 are one pot of
///     120,000: fee 1,000; A's interest 3,000 + 6,000 = 9,000; A's
///     principal 110,000 (490,000 left); B's 306,000 x 2% = 6,120 is
///     capitalised (312,120). Without the acceleration A would have had only
///     the 100,000 of principal proceeds and C a residual of 3,880.
/// p4 (legal final): interest 15,000 and principal 900,000: 915,000. Fee
///     1,000; A 4,900 and 490,000; B 312,120 x 2% = 6,242.40 and 312,120;
///     C's principal 100,000; residual C 737.60.
#[test]
fn a_missed_senior_coupon_accelerates_the_facility() {
    let hand = Hand::quiet(
        [0, 2_000_000, 400_000, 2_000_000, 1_500_000],
        [0, 0, 0, 10_000_000, 90_000_000],
    );
    let ledger = run(&model(), &hand.path());
    assert_eq!(ledger.event_of_default(), Some(2));
    for k in 1..=4 {
        assert_eq!(ledger.fee(0, k).paid.minor(), 100_000, "period {k}");
    }
    check_rows(
        &ledger,
        &[
            [
                [600_000, 0, 0, 0, 60_000_000],
                [600_000, 0, 0, 0, 30_000_000],
                [0, 0, 700_000, 0, 10_000_000],
            ],
            [
                [300_000, 0, 0, 300_000, 60_000_000],
                [0, 0, 0, 600_000, 30_600_000],
                [0, 0, 0, 0, 10_000_000],
            ],
            [
                [900_000, 11_000_000, 0, 0, 49_000_000],
                [0, 0, 0, 612_000, 31_212_000],
                [0, 0, 0, 0, 10_000_000],
            ],
            [
                [490_000, 49_000_000, 0, 0, 0],
                [624_240, 31_212_000, 0, 0, 0],
                [0, 10_000_000, 73_760, 0, 0],
            ],
        ],
    );
}

/// With a grace of one payment date, the coupon missed in period 2 is paid
/// in period 3 (interest 20,000 covers A's 9,000): no event of default,
/// and the normal priority runs throughout.
#[test]
fn a_coupon_paid_within_the_grace_is_no_event_of_default() {
    let mut model = model();
    if let Some(a) = &mut model.liabilities.acceleration {
        a.grace_periods = 1;
    }
    let hand = Hand::quiet(
        [0, 2_000_000, 400_000, 2_000_000, 1_500_000],
        [0, 0, 0, 10_000_000, 90_000_000],
    );
    let ledger = run(&model, &hand.path());
    assert_eq!(ledger.event_of_default(), None);
    // p3: fee 1,000, A 9,000, B 6,120, residual C 3,880; principal 100,000
    // repays A.
    let a = ledger.tranche(0, 3);
    assert_eq!(
        (a.interest.minor(), a.principal.minor()),
        (900_000, 10_000_000)
    );
    assert_eq!(ledger.tranche(2, 3).residual.minor(), 388_000);
}
