//! An unfunded first-loss guarantee with cap X against a funded first-loss
//! tranche of X.
//!
//! Funded: senior S and first loss X (S + X = pool P), zero coupons, no
//! fees. Guaranteed: one funded senior of P and a guarantee of cap X with
//! no fee. On every path the senior's unpaid principal at the legal final
//! is the same amount in both: with L the pool's realised loss (write-offs
//! less recoveries) and I the interest collected in the last period (which
//! joins the principal proceeds there), the funded senior gets
//! min(S, P - L + I) and the guaranteed one min(P, P - L + min(X, L) + I),
//! so both leave max(0, L - X - I) unpaid. Only the loss *fraction* differs,
//! by the notional it is measured on (S or P).

use crate::common;

use blendsim::aggregate::summarise;
use blendsim::engine::{RunSettings, simulate_outcomes};
use blendsim::model::Model;
use blendsim::money::Money;
use blendsim::simulate::{FactorDraws, PoolSimulator};
use blendsim::spec::{FacilitySpec, GuaranteeCap, GuaranteeSpec, TrancheClass};
use blendsim::waterfall::{Ledger, run_waterfall};
use rust_decimal::Decimal;

const PATHS: u64 = 4_000;
const SEED: u64 = 7;

/// Twenty loans of 1,000,000 with coupons, mixed bullet and linear, PD 4%
/// a year, correlated (so that many paths lose more than X), recovery 40%
/// after 6 months; legal final a year after the last maturity.
fn pool() -> Vec<blendsim::spec::ProjectSpec> {
    (0..20)
        .map(|i| {
            let maturity = ["2030-01-01", "2031-01-01", "2032-01-01"][i % 3];
            let mut p = common::project(i, 1_000_000, "2026-01-01", maturity, 0.04, 0.4);
            p.coupon = 0.06 + 0.002 * i as f64;
            if i % 2 == 0 {
                p.amortization = blendsim::spec::Amortization::Linear;
            }
            p
        })
        .collect()
}

fn funded(first_loss: i64) -> FacilitySpec {
    let senior = common::tranche("senior", TrancheClass::Senior, 20_000_000 - first_loss);
    let mut fl = common::tranche("first_loss", TrancheClass::FirstLoss, first_loss);
    fl.public = true;
    common::facility("2026-01-01", "2033-01-01", 0.3, 6, vec![senior, fl], pool())
}

fn guaranteed(cap: i64) -> FacilitySpec {
    let senior = common::tranche("senior", TrancheClass::Senior, 20_000_000);
    let mut spec = common::facility("2026-01-01", "2033-01-01", 0.3, 6, vec![senior], pool());
    spec.guarantee = Some(GuaranteeSpec {
        name: "public_guarantee".into(),
        cap: GuaranteeCap::Amount(Decimal::from(cap)),
        fee_bps: 0.0,
        public: true,
    });
    spec
}

fn compile(spec: &FacilitySpec) -> Model {
    spec.validate().expect("valid facility");
    Model::compile(spec).expect("compiles")
}

#[test]
fn guarantee_of_x_and_funded_first_loss_of_x_leave_the_senior_the_same_loss() {
    let x = 2_000_000;
    let (funded, guaranteed) = (compile(&funded(x)), compile(&guaranteed(x)));
    // Both run on the same pool paths (the pool does not know the
    // liabilities).
    assert_eq!(funded.pool, guaranteed.pool);
    let simulator = PoolSimulator::new(&funded.pool, SEED);
    let mut draws = FactorDraws::default();
    let mut path = simulator.new_path();
    let (mut a, mut b) = (Ledger::default(), Ledger::default());
    let last = funded.calendar.periods();
    let mut paths_with_senior_loss = 0;
    let mut paths_using_the_whole_cap = 0;
    for p in 0..PATHS {
        simulator.simulate(p, &mut draws, &mut path);
        run_waterfall(&funded, &path, &mut a);
        run_waterfall(&guaranteed, &path, &mut b);
        let unpaid = a.tranche(0, last).balance_end;
        assert_eq!(unpaid, b.tranche(0, last).balance_end, "path {p}");
        paths_with_senior_loss += usize::from(unpaid.is_positive());
        let payouts: Money = (1..=last).map(|k| b.guarantee_payout(k)).sum();
        let lost = path.total_defaulted() - path.total_recovered();
        assert_eq!(payouts, lost.min(Money::from_minor(x * 100)), "path {p}");
        // No loan pays interest in the last year (I = 0), so the funded
        // first loss loses exactly what the guarantor pays.
        assert_eq!(a.tranche(1, last).balance_end, payouts, "path {p}");
        paths_using_the_whole_cap += usize::from(payouts == Money::from_minor(x * 100));
    }
    // The comparison is not vacuous: the cap is exhausted and the senior
    // loses on some paths.
    assert!(paths_with_senior_loss > 20, "{paths_with_senior_loss}");
    assert!(paths_using_the_whole_cap > paths_with_senior_loss);
}

/// The guarantor's row of the summary: payouts relative to the cap, with
/// the same statistics as a tranche; here they equal the funded first
/// loss's (zero coupons, no fee, no interest in the last period).
#[test]
fn the_guarantee_has_its_own_summary_row() {
    let x = 2_000_000;
    let settings = RunSettings {
        paths: PATHS,
        seed: SEED,
    };
    let model = compile(&guaranteed(x));
    let outcomes = simulate_outcomes(&model, &settings, &|_| {});
    let summary = summarise(&model, &outcomes);
    assert_eq!(summary.len(), 2);
    let g = &summary[1];
    assert_eq!(g.class, TrancheClass::Guarantee);
    assert_eq!(g.tranche, "public_guarantee");
    assert_eq!(g.notional, Money::from_minor(x * 100));
    assert_eq!((g.attachment, g.detachment), (0.0, 0.1));
    assert!(g.expected_loss > 0.0 && g.prob_loss > 0.0 && g.loss_p99 <= 1.0);
    assert_eq!(g.moic_mean, 0.0, "no fee, no income");
    assert!(g.irr_mean.is_nan() && g.wal_years.is_nan());

    let funded_model = compile(&funded(x));
    let funded_outcomes = simulate_outcomes(&funded_model, &settings, &|_| {});
    let fl = &summarise(&funded_model, &funded_outcomes)[1];
    // Path by path the same amount over the same notional X.
    assert_eq!(fl.expected_loss, g.expected_loss);
    assert_eq!(fl.loss_p99, g.loss_p99);
    assert_eq!(fl.prob_loss, g.prob_loss);
}

/// A public guarantee is public money: the facility metrics count its cap
/// as public capital and its payouts as public loss. With `[[parties]]` the
/// parties decide the split: the guarantee (cap 11% x 1,500m = 165m) is
/// held by three public funders and a public MSP member holds 10% of the
/// 1,290m senior (129m): public 294m; private 90% of the senior (1,161m)
/// and the 210m mezzanine: 1,371m.
#[test]
fn a_public_guarantee_counts_as_public_money() {
    let dir = tempfile::tempdir().unwrap();
    assert_cmd::Command::cargo_bin("blendsim")
        .unwrap()
        .args([
            "run",
            "portfolios/us-rok-guarantee/facility.toml",
            "--paths",
            "500",
            "--quiet",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("facility.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let value = |name: &str| -> f64 {
        row[header.iter().position(|h| *h == name).unwrap()]
            .parse()
            .unwrap()
    };
    assert_eq!(value("public_capital"), 294_000_000.0);
    assert_eq!(value("private_capital"), 1_371_000_000.0);
    assert!((value("mobilisation_ratio") - 1_371.0 / 294.0).abs() < 1e-9);
    assert!(value("public_expected_loss") > 0.0);
}

/// Guarantor reimbursement, by hand (the setting of waterfall_steps.rs:
/// quarterly, 30/360, K = 4). A 900,000 at 4% (1% a quarter) and B
/// 100,000 at 0%; a guarantee of cap 150,000 without fee. Interest list:
/// A's interest, `guarantor_reimbursement`, residual to B; principal list:
/// A then B sequentially, residual to B. The loan of 1,000,000 has 200,000
/// default in p1 and 80,000 recovered in p2, so the guarantor pays the
/// loss of 120,000 in p2 and is owed it back.
///
/// p1: interest 20,000: A 9,000 -> 11,000; nothing owed; residual B 11,000.
/// p2: interest 15,000: A 9,000 -> 6,000 reimbursed (114,000 owed);
///     residual 0. Principal: recovery 80,000 + payout 120,000 = 200,000
///     -> A (700,000 left).
/// p3: interest 50,000: A 700,000 x 1% = 7,000 -> 43,000 reimbursed
///     (71,000 owed); residual 0.
/// p4 (legal final): interest 80,000: A 7,000 -> 71,000 reimbursed (owed
///     nothing) -> 2,000, which the interest residual leaves to the
///     principal proceeds. Principal 800,000 + 2,000 -> A 700,000, B
///     100,000, residual B 2,000.
/// The guarantor paid 120,000 and got all of it back: loss 0, multiple
/// 120,000 / 150,000 = 0.8; as a party it paid and received 120,000.
#[test]
fn the_guarantor_is_reimbursed_from_excess_spread() {
    use crate::waterfall_steps::{Hand, interest, m, principal, residual, run};
    use blendsim::aggregate::{PartyScratch, party_outcomes};
    use blendsim::spec::{PdlSpec, StepSpec, WaterfallSpec};
    use blendsim::waterfall::{guarantee_outcome, tranche_outcome};

    let loan = common::project(1, 1_000_000, "2026-01-01", "2027-01-01", 1e-12, 0.5);
    let mut a = common::tranche("A", TrancheClass::Senior, 900_000);
    a.coupon = 0.04;
    let b = common::tranche("B", TrancheClass::Mezzanine, 100_000);
    let mut spec = common::facility("2026-01-01", "2027-01-01", 0.0, 0, vec![a, b], vec![loan]);
    spec.guarantee = Some(GuaranteeSpec {
        name: "public_guarantee".into(),
        cap: GuaranteeCap::Amount(Decimal::from(150_000)),
        fee_bps: 0.0,
        public: true,
    });
    spec.waterfall = Some(WaterfallSpec {
        interest: vec![
            interest("A"),
            StepSpec::GuarantorReimbursement,
            residual("B"),
        ],
        principal: vec![principal(&["A", "B"], false), residual("B")],
        pdl: PdlSpec::default(),
        acceleration: None,
    });
    spec.validate().expect("valid facility");
    let model = Model::compile(&spec).expect("compiles");
    let hand = Hand::quiet(
        [0, 2_000_000, 1_500_000, 5_000_000, 8_000_000],
        [0, 0, 0, 0, 80_000_000],
    );
    let path = hand.path_with_default(1, 2, 20_000_000, 8_000_000);
    let ledger = run(&model, &path);
    let by_period = |f: &dyn Fn(usize) -> Money| (1..=4).map(|k| f(k).minor()).collect::<Vec<_>>();
    assert_eq!(
        by_period(&|k| ledger.guarantee_payout(k)),
        [0, 12_000_000, 0, 0]
    );
    assert_eq!(
        by_period(&|k| ledger.guarantee_reimbursement(k)),
        [0, 600_000, 4_300_000, 7_100_000]
    );
    assert_eq!(
        by_period(&|k| ledger.tranche(0, k).principal),
        [0, 20_000_000, 0, 70_000_000]
    );
    assert_eq!(
        by_period(&|k| ledger.tranche(1, k).residual),
        [1_100_000, 0, 0, 200_000]
    );
    assert_eq!(ledger.tranche(1, 4).principal, m(10_000_000));
    let g = guarantee_outcome(model.liabilities.guarantee.as_ref().unwrap(), &ledger);
    assert_eq!((g.loss, g.moic), (0.0, 0.8));
    let tranches: Vec<_> = (0..2)
        .map(|t| tranche_outcome(&model.liabilities.tranches[t], t, &ledger, &model.calendar))
        .collect();
    let parties = party_outcomes(&model, &ledger, &tranches, &mut PartyScratch::default());
    let guarantor = parties.last().expect("the implied guarantor party");
    assert_eq!(
        (guarantor.paid, guarantor.received),
        (m(12_000_000), m(12_000_000))
    );
    assert_eq!(guarantor.loss, 0.0);
}
