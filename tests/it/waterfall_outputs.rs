//! The audit trail: cashflows.csv (expected cash flows per period and
//! party) and trace_path_N.csv (one path step by step), from the library
//! and from the command line.

use crate::common;

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use blendsim::engine::{RunSettings, simulate_outcomes, trace_path, with_threads};
use blendsim::model::Model;
use blendsim::money::Money;
use blendsim::simulate::{FactorDraws, PoolSimulator};
use blendsim::spec::{
    CoverageKind, CoverageTestSpec, FacilitySpec, GuaranteeCap, GuaranteeSpec, PdlSpec,
    PrincipalSpec, ReserveSpec, ReserveTarget, StepSpec, TrancheClass, WaterfallSpec,
};
use blendsim::waterfall::{CashflowSums, Ledger, run_waterfall};
use predicates::prelude::*;
use rust_decimal::Decimal;

const QUICKSTART: &str = "portfolios/quickstart/facility.toml";

/// Twelve loans, three tranches, an OC test, a reserve and a guarantee.
fn structured() -> FacilitySpec {
    let projects = (0..12)
        .map(|i| {
            let mut p = common::project(i, 1_000_000, "2026-01-01", "2030-01-01", 0.05, 0.4);
            p.coupon = 0.08;
            p
        })
        .collect();
    let mut senior = common::tranche("senior", TrancheClass::Senior, 9_000_000);
    senior.coupon = 0.05;
    let mut mezzanine = common::tranche("mezzanine", TrancheClass::Mezzanine, 2_000_000);
    mezzanine.coupon = 0.07;
    mezzanine.deferrable = true;
    let junior = common::tranche("junior", TrancheClass::FirstLoss, 1_000_000);
    let mut spec = common::facility(
        "2026-01-01",
        "2031-01-01",
        0.25,
        6,
        vec![senior, mezzanine, junior],
        projects,
    );
    let step = |tranche: &str| StepSpec::Interest {
        tranche: tranche.into(),
    };
    spec.guarantee = Some(GuaranteeSpec {
        name: "guarantor".into(),
        cap: GuaranteeCap::Amount(Decimal::from(500_000)),
        fee_bps: 50.0,
        public: true,
    });
    spec.waterfall = Some(WaterfallSpec {
        interest: vec![
            StepSpec::GuaranteeFee,
            step("senior"),
            StepSpec::Reserve(ReserveSpec {
                name: "reserve".into(),
                tranches: Vec::new(),
                target: ReserveTarget::InterestPeriods(1),
                initial_deposit: None,
            }),
            StepSpec::CoverageTest(CoverageTestSpec {
                name: "mezzanine_oc".into(),
                test: CoverageKind::Oc,
                tranche: "mezzanine".into(),
                min_ratio: 1.08,
                effective_date: None,
                defaulted_value: blendsim::spec::DefaultedValue::Zero,
            }),
            step("mezzanine"),
            StepSpec::Residual {
                tranche: "junior".into(),
            },
        ],
        principal: vec![
            StepSpec::Principal(PrincipalSpec {
                tranches: vec!["senior".into(), "mezzanine".into(), "junior".into()],
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
    spec.validate().expect("valid");
    spec
}

/// The run's cash-flow sums equal sums taken path by path here, do not
/// depend on the thread count, and add up: every period, what the parties
/// received (net of reserve deposits and guarantee payouts) is what the
/// pool collected.
#[test]
fn expected_cash_flows_are_exact_sums_over_paths() {
    let model = Model::compile(&structured()).unwrap();
    let settings = RunSettings {
        paths: 3_000,
        seed: 11,
    };
    let run = |threads| {
        with_threads(Some(threads), || {
            simulate_outcomes(&model, &settings, &|_| {})
        })
        .unwrap()
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one.cashflows, two.cashflows);
    assert_eq!(one.first_failures, two.first_failures);
    let sums = &one.cashflows;
    assert_eq!(sums.paths, 3_000);

    let periods = model.calendar.periods();
    let mut by_hand = CashflowSums::new(&model.liabilities, periods);
    let mut collected = vec![0_i128; periods + 1];
    let simulator = PoolSimulator::new(&model.pool, settings.seed);
    let mut path = simulator.new_path();
    let mut ledger = Ledger::default();
    let mut failed_paths = 0;
    for p in 0..settings.paths {
        simulator.simulate(p, &mut FactorDraws::default(), &mut path);
        run_waterfall(&model, &path, &mut ledger);
        by_hand.add(&ledger, &path);
        for (k, c) in collected.iter_mut().enumerate() {
            *c += i128::from((path.interest[k] + path.principal[k] + path.recoveries[k]).minor());
        }
        let first = ledger.first_failure(0).map_or(0, |k| k as u32);
        assert_eq!(one.first_failures[0][p as usize], first);
        failed_paths += usize::from(first > 0);
    }
    by_hand.flush();
    assert_eq!(&by_hand, sums);
    assert!(failed_paths > 0, "the OC test fails on some paths");

    let cell = |party, k| sums.cell(party, k);
    for (k, &collected) in collected.iter().enumerate().skip(1) {
        let tranches: i128 = (0..3).map(|t| sums.tranche_cash(t, k)).sum();
        let fees: i128 = (0..model.liabilities.fees.len())
            .map(|f| sums.fee[0][cell(f, k)])
            .sum();
        let reserve = sums.reserve[0][cell(0, k)] - sums.reserve[1][cell(0, k)];
        let [payout, reimbursed, ..] = &sums.accounts;
        assert_eq!(
            tranches + fees + reserve + reimbursed[k],
            collected + payout[k],
            "period {k}"
        );
        let [interest, principal, recoveries, ..] = &sums.pool;
        assert_eq!(interest[k] + principal[k] + recoveries[k], collected);
    }
}

/// A trace is the run's path: re-simulating path N gives the ledger the
/// run used, and its steps account for every cent of every period.
#[test]
fn a_trace_accounts_for_every_step() {
    let model = Model::compile(&structured()).unwrap();
    let trace = trace_path(&model, 11, 5);
    let mut ledger = Ledger::default();
    run_waterfall(&model, &trace.pool, &mut ledger);
    assert_eq!(ledger, trace.ledger);
    for k in 1..=model.calendar.periods() {
        let steps: Vec<_> = trace.steps.steps.iter().filter(|s| s.period == k).collect();
        assert!(!steps.is_empty());
        for s in &steps {
            assert_eq!(s.available_before - s.paid, s.available_after, "{s:?}");
        }
        let paid: Money = steps
            .iter()
            .filter(|s| !matches!(s.payee, blendsim::waterfall::Payee::Reserve(_)))
            .map(|s| s.paid)
            .sum();
        assert_eq!(paid, ledger.paid_out(3, k), "period {k}");
    }
}

/// Amounts in a trace's notes read as money, exact to the cent through
/// the one formatting module (`principal needed to pass USD 1,234.56`), not
/// as a count of cents; the test needs of the structured facility's OC
/// test are the ledger's to the cent.
#[test]
fn trace_notes_read_amounts_as_money() {
    use blendsim::waterfall::{Note, NotePart, Payee};
    assert_eq!(
        Note::text("principal needed to pass ")
            .amount(Money::from_minor(1_207_411_618))
            .render(2, "USD"),
        "principal needed to pass USD 12,074,116.18"
    );
    assert_eq!(
        Note::text("target ")
            .amount(Money::from_minor(-5))
            .render(0, "KRW"),
        "target KRW -5"
    );
    let model = Model::compile(&structured()).unwrap();
    let mut tests_seen = 0;
    for path in 0..40 {
        let trace = trace_path(&model, 11, path);
        for step in &trace.steps.steps {
            let note = step.note.render(2, "USD");
            // No run of five or more digits: amounts are grouped.
            let longest = note
                .split(|c: char| !c.is_ascii_digit())
                .map(str::len)
                .max()
                .unwrap_or(0);
            assert!(longest < 5, "{note}");
            if let Payee::Test(_) = step.payee {
                tests_seen += 1;
                let Some(NotePart::Amount(needed)) = step.note.parts().last() else {
                    panic!("{note}");
                };
                let text = needed.to_decimal(2).to_string();
                let (whole, cents) = text.split_once('.').unwrap();
                assert!(note.ends_with(&format!(".{cents}")), "{note}");
                assert!(note.contains("principal needed to pass USD "), "{note}");
                let digits: String = note.rsplit("USD ").next().unwrap().replace(',', "");
                assert_eq!(digits, format!("{whole}.{cents}"), "{note}");
            }
        }
    }
    assert!(tests_seen > 0, "the OC test was traced");
}

fn blendsim() -> Command {
    let mut cmd = Command::cargo_bin("blendsim").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

#[test]
fn run_writes_cashflows_and_the_requested_traces() {
    let out = tempfile::tempdir().unwrap();
    let assert = blendsim()
        .args(["run", QUICKSTART, "--paths", "500", "--trace-path", "3"])
        .args(["--trace-path", "7", "--trace-quantile", "0.99", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let picked = stdout
        .lines()
        .find_map(|l| l.strip_prefix("trace-quantile 0.99 of the first-loss tranche loss: path "))
        .unwrap_or_else(|| panic!("{stdout}"));
    let folder = out.path();
    let cashflows = fs::read_to_string(folder.join("cashflows.csv")).unwrap();
    assert_eq!(
        cashflows.lines().next(),
        Some(
            "period,date,party,kind,interest_paid,principal_paid,residual_paid,balance_end,\
             shortfall,shortfall_share,commitment_fee,funded,recoveries,defaulted,reimbursed"
        )
    );
    // The quickstart: the pool, 3 tranches, the management fee and the
    // ramp-up account (its loans draw after closing) in every period.
    assert_eq!((cashflows.lines().count() - 1) % 6, 0);
    for n in ["3", "7", picked] {
        let trace = fs::read_to_string(folder.join(format!("trace_path_{n}.csv"))).unwrap();
        assert!(trace.starts_with(
            "period,date,list,step,kind,payee,available_before,paid,available_after,note\n"
        ));
        assert!(trace.contains(",pool,,interest_collected,"));
        assert!(trace.contains(",interest,1,interest,senior,"));
        assert!(trace.contains(",principal,0,principal,senior,"));
        assert!(stdout.contains(&format!("trace_path_{n}.csv")));
    }
}

#[test]
fn bad_trace_arguments_exit_with_code_2() {
    blendsim()
        .args(["run", QUICKSTART, "--paths", "100", "--trace-path", "100"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--trace-path 100: paths are numbered 0 to 99",
        ));
    blendsim()
        .args([
            "run",
            QUICKSTART,
            "--paths",
            "100",
            "--trace-quantile",
            "1.5",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected a number in (0, 1]"));
}

#[test]
fn a_bad_step_exits_with_code_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("portfolios/quickstart");
    let toml = fs::read_to_string(source.join("facility.toml"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("management_fee_bps"))
        .collect::<Vec<_>>()
        .join("\n");
    let waterfall = "\n[[waterfall.interest]]\nkind = \"interest\"\ntranche = \"seniour\"\n\
                     [[waterfall.principal]]\nkind = \"residual\"\ntranche = \"first_loss\"\n";
    fs::write(dir.path().join("facility.toml"), toml + waterfall).unwrap();
    fs::copy(source.join("projects.csv"), dir.path().join("projects.csv")).unwrap();
    blendsim()
        .arg("validate")
        .arg(dir.path().join("facility.toml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "field `waterfall.interest[0].tranche`: interest step: `seniour` is not a tranche",
        ))
        .stderr(predicate::str::contains(
            "tranche `mezzanine` is never paid principal",
        ));
}

/// The bundled guarantee example: the guarantor's row in summary.csv has
/// class `guarantee`, its cap as notional, and empty IRR and WAL cells.
#[test]
fn the_guarantee_example_reports_the_guarantor() {
    let out = tempfile::tempdir().unwrap();
    blendsim()
        .args([
            "run",
            "portfolios/us-rok-guarantee/facility.toml",
            "--paths",
            "300",
        ])
        .args(["--quiet", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let summary = fs::read_to_string(out.path().join("summary.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(summary.as_bytes());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let g = &rows[2];
    let cell = |name: &str| &g[header.iter().position(|h| h == name).unwrap()];
    assert_eq!(
        (cell("tranche"), cell("class")),
        ("public_guarantee", "guarantee")
    );
    assert_eq!(cell("notional"), "165000000.00");
    assert_eq!((cell("irr_mean"), cell("wal_years")), ("", ""));
    let loss: f64 = cell("expected_loss").parse().unwrap();
    assert!(loss > 0.0 && loss <= 1.0);
    let cashflows = fs::read_to_string(out.path().join("cashflows.csv")).unwrap();
    assert!(cashflows.contains(",public_guarantee,guarantee,"));
    assert!(cashflows.contains(",senior_interest_reserve,reserve,"));
}
