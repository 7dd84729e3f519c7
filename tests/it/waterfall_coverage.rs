//! Coverage tests by market convention, computed by hand over four periods
//! (the setting of `waterfall_steps`: quarterly, 30/360, A 600,000.00 at
//! 1% a quarter, B 300,000.00 at 2%, C 100,000.00 at 0%, none deferrable;
//! the one loan's recovery mean is 0.5). Amounts in comments are in
//! dollars, in code in cents.

use blendsim::model::Model;
use blendsim::simulate::PoolPath;
use blendsim::spec::{
    CoverageKind, CoverageTestSpec, DefaultedValue, PdlSpec, StepSpec, WaterfallSpec,
};

use crate::waterfall_steps::{
    Hand, check_rows, interest, m, principal, residual, run, the_facility,
};

/// A, an OC test on B at 1.10 carrying defaulted loans as `carried`, B,
/// residual to C; principal sequential.
fn model(carried: DefaultedValue) -> Model {
    let mut spec = the_facility(false);
    let oc = StepSpec::CoverageTest(CoverageTestSpec {
        name: "B_oc".into(),
        test: CoverageKind::Oc,
        tranche: "B".into(),
        min_ratio: 1.10,
        effective_date: None,
        defaulted_value: carried,
    });
    spec.waterfall = Some(WaterfallSpec {
        interest: vec![interest("A"), oc, interest("B"), residual("C")],
        principal: vec![principal(&["A", "B", "C"], false), residual("C")],
        pdl: PdlSpec::default(),
        acceleration: None,
    });
    spec.validate().expect("valid");
    Model::compile(&spec).expect("compiles")
}

/// 150,000 of the loan defaults in period 2 and recovers 60,000 in period
/// 4; the rest, 850,000, is repaid at the legal final.
fn path() -> PoolPath {
    Hand::quiet(
        [0, 2_000_000, 8_000_000, 2_000_000, 2_000_000],
        [0, 0, 0, 0, 85_000_000],
    )
    .path_with_default(2, 4, 15_000_000, 6_000_000)
}

/// The defaulted loan carried at its recovery mean until recovered; a
/// failing test diverts only its cure amount.
///
/// p1: interest 20,000; collateral 1,000,000 over A + B = 900,000 passes.
///     A 6,000, B 6,000, residual C 8,000.
/// p2: 150,000 defaults; interest 80,000. Collateral = performing 850,000
///     + the defaulted loan at 0.5 x 150,000 = 75,000 -> 925,000; largest
///     A + B it covers at 1.10: floor(92,500,000 x 10 / 11) = 84,090,909
///     cents, so the cure is 90,000,000 - 84,090,909 = 5,909,091 cents
///     (59,090.91) of the 74,000 left after A's 6,000: A 540,909.09; B
///     6,000; residual C 8,909.09.
/// p3: interest 20,000. A 1% of 540,909.09 = 5,409.09. Collateral still
///     925,000 covers 84,090,909 cents = A + B exactly: passes. B 6,000,
///     residual C 8,590.91.
/// p4 (legal final): interest 20,000, principal 850,000, the recovery
///     60,000 (no longer carried: it is cash). A 5,409.09 -> 14,590.91 left.
///     Collateral = principal proceeds 910,000: largest covered
///     floor(91,000,000 x 10 / 11) = 82,727,272, cure 84,090,909 -
///     82,727,272 = 1,363,637 cents: A 527,272.72; 954.54 left pays B
///     (5,045.46 of its 6,000 unpaid). Principal 910,000: A 527,272.72, B
///     300,000, C 82,727.28 (17,272.72 unpaid).
#[test]
fn oc_test_carries_a_defaulted_loan_at_its_recovery_and_cures_only_the_shortfall() {
    let model = model(DefaultedValue::RecoveryMean);
    let ledger = run(&model, &path());
    let tests: Vec<(bool, i64, i64)> = (1..=4)
        .map(|k| {
            let t = ledger.test(0, k);
            (t.failed, t.needed.minor(), t.cure.minor())
        })
        .collect();
    assert_eq!(
        tests,
        [
            (false, 0, 0),
            (true, 5_909_091, 5_909_091),
            (false, 0, 0),
            (true, 1_363_637, 1_363_637)
        ]
    );
    check_rows(
        &ledger,
        &[
            [
                [600_000, 0, 0, 0, 60_000_000],
                [600_000, 0, 0, 0, 30_000_000],
                [0, 0, 800_000, 0, 10_000_000],
            ],
            [
                [600_000, 5_909_091, 0, 0, 54_090_909],
                [600_000, 0, 0, 0, 30_000_000],
                [0, 0, 890_909, 0, 10_000_000],
            ],
            [
                [540_909, 0, 0, 0, 54_090_909],
                [600_000, 0, 0, 0, 30_000_000],
                [0, 0, 859_091, 0, 10_000_000],
            ],
            [
                [540_909, 54_090_909, 0, 0, 0],
                [95_454, 30_000_000, 0, 504_546, 0],
                [0, 8_272_728, 0, 0, 1_727_272],
            ],
        ],
    );
}

/// The same path with other carrying rules, period 2: at zero (the old
/// rule) the collateral is 850,000, the cure 90,000,000 -
/// floor(85,000,000 x 10 / 11) = 12,727,273 cents, more than the 74,000
/// left, so all 74,000 is diverted and B is unpaid; at a stated 40%, the
/// collateral is 850,000 + 60,000 = 910,000 and the cure 90,000,000 -
/// 82,727,272 = 7,272,728 cents, leaving 1,272.72 for B.
#[test]
fn oc_test_carrying_rules_zero_and_a_stated_share() {
    let zero = run(&model(DefaultedValue::Zero), &path());
    let test = zero.test(0, 2);
    assert_eq!(
        (test.needed.minor(), test.cure.minor()),
        (12_727_273, 7_400_000)
    );
    assert_eq!(zero.tranche(1, 2).interest, m(0));
    let share = run(&model(DefaultedValue::Share(0.4)), &path());
    let test = share.test(0, 2);
    assert_eq!(
        (test.needed.minor(), test.cure.minor()),
        (7_272_728, 7_272_728)
    );
    assert_eq!(share.tranche(1, 2).interest, m(127_272));
}

/// A loan excluded from the coverage tests after a nexus event (remedy
/// `exclude`) stays out once it defaults: an indenture carries an
/// obligation that is both ineligible and defaulted at the lower of the two
/// values, zero, and does not let it back in at its recovery.
///
/// The path above, with the 150,000 that defaults in period 2 excluded from
/// period 1 (its sponsor acquired then): excluded_par 150,000 in period 1
/// (the exclusion ends at the default).
/// p1: collateral 1,000,000 - 150,000 = 850,000; largest A + B covered
///     floor(85,000,000 x 10 / 11) = 77,272,727 cents; needed 90,000,000 -
///     77,272,727 = 12,727,273 cents; the 14,000 left after A's 6,000 is
///     diverted to A: A 586,000.
/// p2: A + B = 886,000. Collateral = performing 850,000 + the defaulted
///     loan at zero (not at 0.5 x 150,000) = 850,000: needed 88,600,000 -
///     77,272,727 = 11,327,273 cents. Carried at its recovery it would be
///     925,000 -> 84,090,909 and only 4,509,091 needed.
/// p3: the same collateral, still not carried until its recovery is cash.
#[test]
fn an_excluded_loan_stays_out_of_the_oc_numerator_after_its_default() {
    let model = model(DefaultedValue::RecoveryMean);
    let mut path = path();
    path.nexus.acquisitions = vec![blendsim::simulate::AcquisitionEvent {
        loan: 0,
        period: 1,
        exposure: m(15_000_000),
    }];
    path.nexus.excluded_par = vec![m(0), m(15_000_000), m(0), m(0), m(0)];
    path.nexus.excluded_interest = vec![m(0); 5];
    let ledger = run(&model, &path);
    let test = |k: usize| {
        let t = ledger.test(0, k);
        (t.failed, t.needed.minor(), t.cure.minor())
    };
    assert_eq!(test(1), (true, 12_727_273, 1_400_000));
    assert_eq!(ledger.tranche(0, 1).principal, m(1_400_000));
    assert_eq!(test(2).1, 11_327_273);
    // Not excluded, the same state would carry it at 75,000.
    let mut carried = path.clone();
    carried.nexus.acquisitions.clear();
    carried.nexus.excluded_par = vec![m(0), m(15_000_000), m(0), m(0), m(0)];
    let back_in = run(&model, &carried);
    assert_eq!(back_in.test(0, 2).needed.minor(), 4_509_091);
}
