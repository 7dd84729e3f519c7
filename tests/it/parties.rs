//! Parties: PV cost and grant element by hand, the cited worked example,
//! cash split to the cent, and bad party tables refused.

use blendsim::aggregate::Outcomes;
use blendsim::aggregate::{PUBLIC_TOTAL, summarise_parties};
use blendsim::engine::{RunSettings, simulate_outcomes};
use blendsim::model::{Model, discount_factor, grant_element, present_value};
use blendsim::spec::*;
use blendsim::waterfall::CashflowSums;
use rust_decimal::Decimal;

use crate::common::one_loan_under_two_tranches;

/// European Commission (DG Competition), "Calculation of the cash grant
/// equivalent of a soft loan" (references section 4): ECU 500,000 over 10
/// years, repaid linearly from year one, at 6% against a reference rate of
/// 8%. The subsidy is 2% a year of the balance outstanding, discounted at
/// 8%: its yearly terms rounded to the ECU add up to 41,123 (unrounded
/// 41,124.0). The same figure is the face value less the PV at 8% of the
/// debt service at 6%, i.e. face x grant element.
#[test]
fn the_commissions_soft_loan_example_is_reproduced() {
    let face = 500_000.0;
    let balance = |year: u32| face * f64::from(11 - year) / 10.0;
    let subsidy_terms: Vec<f64> = (1..=10)
        .map(|year| 0.02 * balance(year) * discount_factor(0.08, f64::from(year)))
        .collect();
    let rounded: f64 = subsidy_terms.iter().map(|t| t.round()).sum();
    assert_eq!(rounded, 41_123.0);
    let debt_service: Vec<(f64, f64)> = (1..=10)
        .map(|year| (f64::from(year), 0.06 * balance(year) + face / 10.0))
        .collect();
    let equivalent = face * grant_element(face, &debt_service, 0.08);
    assert_eq!(equivalent.round(), 41_124.0);
    assert!((equivalent - subsidy_terms.iter().sum::<f64>()).abs() < 1e-6);
    assert!((face - present_value(&debt_service, 0.08) - equivalent).abs() < 1e-6);
}

/// One loan of 100 at 10% for one year (annual periods, 30/360: exactly
/// one year), no default possible in practice (annual PD 1e-12); a senior
/// of 80 at 5% and a public first loss of 20 at 0% held by one public
/// party (discount rate 4%, grant-element rate 5%) and a private investor.
///
/// Period 1: interest 10 pays the senior 80 x 5% = 4, the residual 6 goes
/// to the first loss; principal 100 repays the senior 80 and the first
/// loss 20. The public party pays 20 at closing and receives 26 a year
/// later: PV cost at 4% = 20 - 26 / 1.04 = 20 - 25 = -5 (a gain), share
/// -5 / 20 = -0.25; grant element at 5% = (20 - 26 / 1.05) / 20 =
/// (20 - 24.761904...) / 20 = -0.238095...; private capital mobilised 80,
/// leverage 4, PV cost per private dollar -5 / 80 = -0.0625.
#[test]
fn pv_cost_and_grant_element_of_a_one_period_facility_by_hand() {
    let mut spec = one_loan_under_two_tranches("2027-01-01");
    spec.tranches[1].public = true;
    let holding = |of: &str| HoldingSpec {
        of: of.into(),
        share: Decimal::ONE,
    };
    spec.parties = vec![
        PartySpec {
            name: "trust_fund".into(),
            public: true,
            kind: PartyKind::MdbTrustFundGrant,
            discount_rate: 0.04,
            grant_element_rate: 0.05,
            holdings: vec![holding("first_loss")],
            guarantees: Vec::new(),
        },
        PartySpec {
            name: "pension".into(),
            public: false,
            kind: PartyKind::InstitutionalInvestor,
            discount_rate: 0.05,
            grant_element_rate: 0.05,
            holdings: vec![holding("senior")],
            guarantees: Vec::new(),
        },
    ];
    spec.validate().unwrap();
    let model = Model::compile(&spec).unwrap();
    let settings = RunSettings { paths: 20, seed: 1 };
    let outcomes = simulate_outcomes(&model, &settings, &|_| {});
    let rows = summarise_parties(&model, &outcomes, 0.01);
    let public = &rows[0];
    assert_eq!(public.party, "trust_fund");
    assert_eq!((public.cash_paid, public.cash_received), (20.0, 26.0));
    assert!(
        (public.pv_cost.mean - -5.0).abs() < 1e-9,
        "{}",
        public.pv_cost.mean
    );
    assert_eq!(public.pv_cost.se, 0.0);
    assert!((public.pv_cost_share.mean - -0.25).abs() < 1e-12);
    let grant = (20.0 - 26.0 / 1.05) / 20.0;
    assert!((public.grant_element.mean - grant).abs() < 1e-12);
    assert_eq!((public.mobilised, public.leverage), (80.0, 4.0));
    assert!((public.pv_cost_per_private.mean - -0.0625).abs() < 1e-12);
    // The private investor: 80 + 4 a year later, IRR 5%; no cost columns.
    let private = &rows[1];
    assert_eq!(private.cash_received, 84.0);
    assert!((private.irr[1] - 0.05).abs() < 1e-12);
    assert!(private.pv_cost.mean.is_nan());
    assert_eq!(rows[2].party, PUBLIC_TOTAL);
    assert!((rows[2].pv_cost.mean - -5.0).abs() < 1e-9);
}

fn flagship(folder: &str, paths: u64) -> (Model, Outcomes) {
    let file = format!("portfolios/{folder}/facility.toml");
    let loaded = load_facility(std::path::Path::new(&file), &LoadOptions::default()).unwrap();
    let model = Model::compile(&loaded.spec).unwrap();
    let outcomes = simulate_outcomes(&model, &RunSettings { paths, seed: 7 }, &|_| {});
    (model, outcomes)
}

/// Sum over periods (and paths) of one column of `sums` for row `index`.
fn column_sum(sums: &CashflowSums, column: &[i128], index: usize) -> i128 {
    (0..=sums.periods())
        .map(|k| column[sums.cell(index, k)])
        .sum()
}

/// Every tranche's interest, principal, residual and commitment fee,
/// summed over periods and paths.
fn tranches_cash(model: &Model, sums: &CashflowSums) -> i128 {
    (0..model.liabilities.tranches.len())
        .flat_map(|t| (0..=sums.periods()).map(move |k| (t, k)))
        .map(|(t, k)| sums.tranche_cash(t, k))
        .sum()
}

/// The flagship's parties share its tranches: summed over paths, the
/// parties' cash received equals the tranches' interest, principal,
/// residual and commitment fees to the cent, what they paid equals what
/// the tranches paid in (at closing and, funded as drawn, of each draw),
/// and what they committed equals the capital.
#[test]
fn the_parties_cash_adds_up_to_the_tranches_cash_exactly() {
    let (model, outcomes) = flagship("us-rok-critical-minerals", 300);
    assert!(model.parties.parties.len() > model.liabilities.tranches.len());
    let received: i128 = outcomes.parties.iter().map(|c| c.received_sum).sum();
    let sums = &outcomes.cashflows;
    let tranche_cash = tranches_cash(&model, sums);
    assert_eq!(received, tranche_cash);
    let paid: i128 = outcomes.parties.iter().map(|c| c.paid_sum).sum();
    let paid_in: i128 = (0..model.liabilities.tranches.len())
        .map(|t| column_sum(sums, &sums.tranche[6], t))
        .sum();
    assert_eq!(paid, paid_in);
    let funded: i64 = model.parties.parties.iter().map(|p| p.funded.minor()).sum();
    assert_eq!(funded, model.capital().minor());
}

/// The guarantee flagship: the three public guarantors pay every payout of
/// the guarantee and receive every fee and reimbursement it is paid, to the
/// cent, over all paths; the funded parties receive every tranche's cash.
#[test]
fn the_guarantors_pay_every_payout_and_receive_every_fee_exactly() {
    let (model, outcomes) = flagship("us-rok-guarantee", 300);
    let guarantee = model.liabilities.guarantee.as_ref().unwrap();
    let sums = &outcomes.cashflows;
    let [payouts, reimbursed, ..] = &sums.accounts;
    let (payouts, reimbursed): (i128, i128) = (payouts.iter().sum(), reimbursed.iter().sum());
    let fees = guarantee
        .fee
        .map_or(0, |fee| column_sum(sums, &sums.fee[0], fee));
    let tranche_cash = tranches_cash(&model, sums);
    let parties = &model.parties.parties;
    let paid_by_guarantors: i128 = (parties.iter().zip(&outcomes.parties))
        .filter(|(p, _)| p.guarantees())
        .map(|(p, c)| c.paid_sum - i128::from(p.funded.minor()) * i128::from(sums.paths))
        .sum();
    assert!(payouts > 0, "the guarantee pays out on some of 300 paths");
    assert_eq!(paid_by_guarantors, payouts);
    assert!(
        reimbursed > 0 && reimbursed < payouts,
        "excess spread reimburses part of the payouts"
    );
    let received: i128 = outcomes.parties.iter().map(|c| c.received_sum).sum();
    assert_eq!(received, tranche_cash + fees + reimbursed);
}

/// The complaint: undiscounted expected public loss ranks the
/// funded first loss as the cheaper structure for the wrong reason and
/// hides that it collects the excess spread. Its PV cost is far below the
/// guarantee's (on the same paths): the funded first loss expects to get
/// its money back with a return, the guarantee only pays out. The gap is
/// checked against four standard errors of each estimate.
#[test]
fn the_funded_first_loss_costs_the_public_less_than_the_guarantee_in_pv() {
    let public = |folder: &str| {
        let (model, outcomes) = flagship(folder, 2_000);
        let unit = 10f64.powi(-(model.currency.minor_digits as i32));
        let rows = summarise_parties(&model, &outcomes, unit);
        rows.into_iter().find(|r| r.party == PUBLIC_TOTAL).unwrap()
    };
    let (funded, guarantee) = (
        public("us-rok-critical-minerals"),
        public("us-rok-guarantee"),
    );
    let gap = guarantee.pv_cost.mean - funded.pv_cost.mean;
    assert!(
        gap > 4.0 * (funded.pv_cost.se + guarantee.pv_cost.se),
        "funded {:?} guarantee {:?}",
        funded.pv_cost,
        guarantee.pv_cost
    );
    // The guarantee only pays out and collects fees: a cost; the funded
    // first loss collects the residual spread.
    assert!(guarantee.pv_cost.mean > 0.0);
    assert!(funded.cash_received > funded.cash_paid);
}

/// The flagship's parties and tranches on its first paths, each path's
/// ledger re-simulated (`trace_path`): reusing one set of buffers from
/// path to path gives the outcomes fresh buffers give (the split cash is
/// zeroed as it is read, not cleared), and each tranche's present value,
/// multiple and average life are those of a plain loop over every period
/// (the outcome loop stops after the last cash, which adds only zeros).
#[test]
fn outcomes_with_buffers_reused_equal_fresh_ones() {
    use blendsim::aggregate::{PartyScratch, party_outcomes};
    use blendsim::engine::trace_path;
    use blendsim::waterfall::{IrrWork, tranche_outcome, tranche_outcome_with};

    let file = std::path::Path::new("portfolios/us-rok-critical-minerals/facility.toml");
    let spec = load_facility(file, &LoadOptions::default())
        .expect("loads")
        .spec;
    let model = Model::compile(&spec).expect("compiles");
    let (mut reused, mut irr) = (PartyScratch::default(), IrrWork::default());
    for path in 0..12 {
        let ledger = trace_path(&model, 20270101, path).ledger;
        let tranches: Vec<_> = (model.liabilities.tranches.iter().enumerate())
            .map(|(t, tranche)| {
                let o = tranche_outcome_with(tranche, t, &ledger, &model.calendar, &mut irr);
                let fields = |o: &blendsim::waterfall::TrancheOutcome| {
                    [
                        o.loss,
                        o.deferred_interest_loss,
                        o.pv_loss,
                        o.irr,
                        o.moic,
                        o.wal_years,
                    ]
                    .map(f64::to_bits)
                };
                let alone = tranche_outcome(tranche, t, &ledger, &model.calendar);
                assert_eq!(fields(&o), fields(&alone));
                let rows = ledger.tranche_rows(t);
                let (mut received, mut principal, mut timed) = (0.0, 0.0, 0.0);
                let mut paid_in = rows.funded[0].as_f64();
                for k in 1..=ledger.periods() {
                    received += rows.cash(k).as_f64();
                    paid_in += rows.funded[k].as_f64();
                    principal += rows.principal[k].as_f64();
                    timed += rows.principal[k].as_f64() * model.calendar.years_from_start(k);
                }
                assert_eq!(o.moic.to_bits(), (received / paid_in).to_bits());
                if principal > 0.0 {
                    assert_eq!(o.wal_years.to_bits(), (timed / principal).to_bits());
                } else {
                    assert!(o.wal_years.is_nan());
                }
                o
            })
            .collect();
        let again = party_outcomes(&model, &ledger, &tranches, &mut reused);
        let fresh = party_outcomes(&model, &ledger, &tranches, &mut PartyScratch::default());
        assert_eq!(again.len(), 6);
        for (a, f) in again.iter().zip(&fresh) {
            assert_eq!(
                (a.paid, a.invested, a.received),
                (f.paid, f.invested, f.received)
            );
            let bits = |o: &blendsim::aggregate::PartyOutcome| {
                [o.pv_paid, o.pv_received, o.grant_cost, o.loss, o.irr].map(f64::to_bits)
            };
            assert_eq!(bits(a), bits(f));
        }
        // Money sums over parties equal the tranches' cash to the cent.
        let paid: i64 = again.iter().map(|o| o.received.minor()).sum();
        let cash: i64 = (0..3)
            .flat_map(|t| (0..=ledger.periods()).map(move |k| (t, k)))
            .map(|(t, k)| ledger.tranche_rows(t).cash(k).minor())
            .sum();
        assert_eq!(paid, cash);
    }
}
