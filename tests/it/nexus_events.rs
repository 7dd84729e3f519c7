//! Nexus events (sponsors acquired by PRC-linked entities after closing):
//! a hazard of 0 is the base case bit for bit, a hazard of 1 applies the
//! remedy in the loan's first period on every path (cash checked by hand),
//! and scenarios may set hazards.

use blendsim::engine::{RunSettings, simulate_outcomes};
use blendsim::model::Model;
use blendsim::money::Money;
use blendsim::simulate::{FactorDraws, PoolPath, PoolSimulator};
use blendsim::spec::*;

use crate::common::{homogeneous_pool, one_loan_under_two_tranches};

fn events(annual_hazard: f64, remedy: Remedy) -> NexusEventsSpec {
    NexusEventsSpec {
        annual_hazard,
        overrides: Vec::new(),
        stress_sensitivity: 0.5,
        remedy,
    }
}

/// Every outcome of `paths` paths, as text (NaN compares equal as text).
fn outcomes_text(spec: &FacilitySpec, paths: u64) -> String {
    let model = Model::compile(spec).unwrap();
    let outcomes = simulate_outcomes(&model, &RunSettings { paths, seed: 11 }, &|_| {});
    format!("{outcomes:?}")
}

/// A hazard of 0 (with a stress sensitivity and every remedy) leaves every
/// number of every path as in the facility without nexus events: the
/// events draw from their own part of each path's stream.
#[test]
fn a_hazard_of_zero_is_the_base_case_bit_for_bit() {
    let mut spec = homogeneous_pool(20, 0.2, 0.2, 0.4, &[0.05, 0.2, 1.0]);
    for p in &mut spec.projects {
        p.recovery_sd = 0.2;
    }
    let base = outcomes_text(&spec, 400);
    for remedy in [
        Remedy::Prepay { premium: 0.01 },
        Remedy::Exclude,
        Remedy::DeemedDefault {
            recovery_haircut: 0.5,
        },
    ] {
        spec.nexus_events = Some(events(0.0, remedy));
        assert_eq!(outcomes_text(&spec, 400), base, "{remedy:?}");
        // A positive hazard does change the paths (the test can fail).
        spec.nexus_events = Some(events(0.3, remedy));
        assert_ne!(outcomes_text(&spec, 400), base, "{remedy:?}");
    }
}

/// One bullet loan of 100 at 10% over two annual periods, practically no
/// default (annual PD 1e-12), recovery 40%; a senior of 80 at 5% and a
/// first loss of 20; a hazard of 1: the sponsor is acquired in period 1 on
/// every path.
fn one_loan(remedy: Remedy) -> FacilitySpec {
    let mut spec = one_loan_under_two_tranches("2028-01-01");
    spec.nexus_events = Some(events(1.0, remedy));
    spec.validate().unwrap();
    spec
}

fn pool_path(spec: &FacilitySpec, path: u64) -> PoolPath {
    let model = Model::compile(spec).unwrap();
    let simulator = PoolSimulator::new(&model.pool, 3);
    let mut out = simulator.new_path();
    simulator.simulate(path, &mut FactorDraws::default(), &mut out);
    out
}

fn money(units: &[i64]) -> Vec<Money> {
    units.iter().map(|&u| Money::from_minor(u * 100)).collect()
}

/// Prepayment at par plus 1%: in period 1 the loan pays its interest 10,
/// its whole balance 100 and a premium of 1% x 100 = 1 (as interest), and
/// nothing in period 2. Through the waterfall: the senior receives its
/// interest 80 x 5% = 4 and its 80 back; the first loss the residual
/// interest 11 - 4 = 7 and its 20: 84 and 27, all in period 1.
#[test]
fn a_hazard_of_one_prepays_in_the_first_period_on_every_path() {
    let spec = one_loan(Remedy::Prepay { premium: 0.01 });
    for path in 0..20 {
        let pool = pool_path(&spec, path);
        assert_eq!(pool.interest, money(&[0, 11, 0]));
        assert_eq!(pool.principal, money(&[0, 100, 0]));
        assert_eq!(pool.nexus.acquisitions.len(), 1);
        assert_eq!(pool.nexus.acquisitions[0].period, 1);
        assert_eq!(
            pool.nexus.acquisitions[0].exposure,
            Money::from_minor(10_000)
        );
    }
    let model = Model::compile(&spec).unwrap();
    let paths = 50;
    let outcomes = simulate_outcomes(&model, &RunSettings { paths, seed: 5 }, &|_| {});
    let sums = &outcomes.cashflows;
    let cash = |t: usize, k: usize| -> i128 { sums.tranche_cash(t, k) / i128::from(paths) };
    assert_eq!((cash(0, 1), cash(0, 2)), (8_400, 0));
    assert_eq!((cash(1, 1), cash(1, 2)), (2_700, 0));
}

/// Deemed default with a 50% haircut: the loan defaults in period 1 on
/// every path with exposure 100 and recovers 100 x 40% x (1 - 50%) = 20
/// in the same period (no recovery lag).
#[test]
fn a_hazard_of_one_deems_a_default_in_the_first_period() {
    let spec = one_loan(Remedy::DeemedDefault {
        recovery_haircut: 0.5,
    });
    for path in 0..20 {
        let pool = pool_path(&spec, path);
        assert_eq!(pool.defaulted, money(&[0, 100, 0]));
        assert_eq!(pool.recoveries, money(&[0, 20, 0]));
        assert_eq!(pool.interest, money(&[0, 0, 0]));
        assert_eq!(pool.defaults.len(), 1);
    }
}

/// Exclusion: the loan keeps paying (10, then 10 + 100) but leaves the
/// coverage tests' numerators from period 1: its balance after each
/// period's repayment (100, then 0) and its interest (10, 10).
#[test]
fn a_hazard_of_one_excludes_the_loan_from_the_coverage_tests() {
    let spec = one_loan(Remedy::Exclude);
    let pool = pool_path(&spec, 0);
    assert_eq!(pool.interest, money(&[0, 10, 10]));
    assert_eq!(pool.principal, money(&[0, 0, 100]));
    assert_eq!(pool.nexus.excluded_par, money(&[0, 100, 0]));
    assert_eq!(pool.nexus.excluded_interest, money(&[0, 10, 10]));
}

/// A scenario's hazard replaces the facility's for the projects it
/// selects: 0 in the facility, 1 for lithium in the scenario.
#[test]
fn a_scenario_sets_the_hazard_of_the_projects_it_selects() {
    let mut spec = one_loan(Remedy::Prepay { premium: 0.0 });
    spec.nexus_events = Some(events(0.0, Remedy::Prepay { premium: 0.0 }));
    let scenario = ScenarioSpec {
        name: "wave".into(),
        acquisition_hazards: vec![HazardOverride {
            project: None,
            selector: Selector {
                mineral: Some("lithium".into()),
                ..Selector::default()
            },
            annual_hazard: 1.0,
        }],
        ..ScenarioSpec::base()
    };
    let model = Model::compile_scenario(&spec, &scenario).unwrap();
    let simulator = PoolSimulator::new(&model.pool, 3);
    let mut out = simulator.new_path();
    simulator.simulate(0, &mut FactorDraws::default(), &mut out);
    assert_eq!(out.nexus.acquisitions.len(), 1);
    assert!(pool_path(&spec, 0).nexus.acquisitions.is_empty());
}
