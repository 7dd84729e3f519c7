//! The principal deficiency ledger, computed by hand over four periods
//! (the setting of `waterfall_steps`: quarterly, 30/360, A 600,000.00 at
//! 1% a quarter, B 300,000.00 at 2%, C 100,000.00 at 0%, none
//! deferrable). Amounts in comments are in dollars, in code in cents.

use blendsim::model::Model;
use blendsim::spec::{PdlRecoveries, PdlSpec, StepSpec, WaterfallSpec};

use crate::waterfall_steps::{Hand, interest, m, principal, residual, run, the_facility};

fn pdl(tranche: &str) -> StepSpec {
    StepSpec::Pdl {
        tranche: Some(tranche.into()),
    }
}

/// A loan of 150,000 defaults in period 1 and recovers 60,000 in period 3;
/// the interest list is A interest, A's PDL, B interest, B's PDL, residual
/// to C once the whole PDL is clear; principal is sequential.
///
/// Period 1: debit 150,000, charged C 100,000 then B 50,000. Interest
/// 20,000: A 6,000, A's PDL (nothing charged to A) 0, B 6,000, B's PDL
/// cures 8,000 of its 50,000 into the principal proceeds, which repay A:
/// A 592,000, PDL 142,000.
/// Period 2: interest 18,000: A 5,920 (1% of 592,000), B 6,000, B's PDL
/// (charged 42,000) cures 6,080 -> A 585,920, PDL 135,920.
/// Period 3: the recovery of 60,000 credits the PDL: 75,920, all charged
/// to C. Interest 18,000: A 5,859.20, B 6,000, B's PDL 0; the residual
/// waits for the PDL, so the 6,140.80 left cures it: PDL 69,779.20. The
/// principal proceeds, 60,000 + 6,140.80, repay A: 519,779.20.
/// Period 4 (legal final): interest 18,000: A 5,197.79 (5,197.792 rounded),
/// B 6,000; 6,802.21 left joins the principal proceeds with the loan's
/// 850,000: A 519,779.20, B 300,000, C 37,023.01, C's balance 62,976.99,
/// which is what the PDL still charges (69,779.20 capped at the balances
/// outstanding). Check: pool loss 150,000 - 60,000 = 90,000, less the
/// excess spread kept, 8,000 + 6,080 + 6,140.80 + 6,802.21 = 27,023.01.
#[test]
fn pdl_is_debited_junior_first_and_cured_from_interest() {
    let mut spec = the_facility(false);
    spec.waterfall = Some(WaterfallSpec {
        interest: vec![
            interest("A"),
            pdl("A"),
            interest("B"),
            pdl("B"),
            residual("C"),
        ],
        principal: vec![principal(&["A", "B", "C"], false), residual("C")],
        pdl: PdlSpec {
            recoveries: PdlRecoveries::Received,
            residual_after_cure: true,
        },
        acceleration: None,
    });
    spec.validate().expect("valid");
    let model = Model::compile(&spec).expect("compiles");
    let path = Hand::quiet(
        [0, 2_000_000, 1_800_000, 1_800_000, 1_800_000],
        [0, 0, 0, 0, 85_000_000],
    )
    .path_with_default(1, 3, 15_000_000, 6_000_000);
    let ledger = run(&model, &path);
    let book: Vec<(i64, i64)> = (1..=4)
        .map(|k| {
            let (cure, balance) = ledger.pdl(k);
            (cure.minor(), balance.minor())
        })
        .collect();
    assert_eq!(
        book,
        [
            (800_000, 14_200_000),
            (608_000, 13_592_000),
            (614_080, 6_977_920),
            (0, 6_297_699)
        ]
    );
    let a: Vec<[i64; 3]> = (1..=4)
        .map(|k| {
            let r = ledger.tranche(0, k);
            [
                r.interest.minor(),
                r.principal.minor(),
                r.balance_end.minor(),
            ]
        })
        .collect();
    assert_eq!(
        a,
        [
            [600_000, 800_000, 59_200_000],
            [592_000, 608_000, 58_592_000],
            [585_920, 6_614_080, 51_977_920],
            [519_779, 51_977_920, 0],
        ]
    );
    for k in 1..=4 {
        assert_eq!(ledger.tranche(1, k).interest, m(600_000));
        assert_eq!(ledger.tranche(2, k).residual, m(0), "period {k}");
    }
    assert_eq!(ledger.tranche(2, 4).principal, m(3_702_301));
    assert_eq!(ledger.tranche(2, 4).balance_end, m(6_297_699));
}
