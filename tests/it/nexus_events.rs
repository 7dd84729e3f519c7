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
            nexus: None,
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

/// A hazard by nexus group: the one loan's sponsor has nexus `United
/// States` (US, a member of the built-in `msp` group). An override for
/// `msp` at hazard 1 acquires it in period 1 on every path; one for `prc`
/// (CN, HK, MO) leaves it alone, and so does one for `KOR` (a code).
#[test]
fn a_hazard_by_nexus_group_selects_the_projects_with_a_nexus_in_it() {
    let hazard_for = |group: &str| {
        let mut spec = one_loan(Remedy::Prepay { premium: 0.0 });
        spec.projects[0].sponsor_nexus = vec!["United States".into()];
        let mut rule = events(0.0, Remedy::Prepay { premium: 0.0 });
        rule.overrides = vec![HazardOverride {
            project: None,
            selector: Selector::default(),
            nexus: Some(group.into()),
            annual_hazard: 1.0,
        }];
        spec.nexus_events = Some(rule);
        spec.validate().unwrap();
        (0..10)
            .map(|path| pool_path(&spec, path).nexus.acquisitions.len())
            .sum::<usize>()
    };
    assert_eq!(hazard_for("msp"), 10);
    assert_eq!(hazard_for("MSP"), 10);
    assert_eq!(hazard_for("USA"), 10);
    assert_eq!(hazard_for("prc"), 0);
    assert_eq!(hazard_for("KOR"), 0);
}

/// An unknown group is bad input naming the field.
#[test]
fn an_unknown_nexus_group_in_a_hazard_is_refused() {
    let mut spec = one_loan(Remedy::Exclude);
    let mut rule = events(0.0, Remedy::Exclude);
    rule.overrides = vec![HazardOverride {
        project: None,
        selector: Selector::default(),
        nexus: Some("allies".into()),
        annual_hazard: 0.5,
    }];
    spec.nexus_events = Some(rule);
    let error = format!("{:?}", spec.validate().unwrap_err());
    assert!(error.contains("nexus_events.hazard[0].group"), "{error}");
    assert!(
        error.contains("`allies` is neither a nexus group"),
        "{error}"
    );
}

/// nexus_timing.csv's rows add up to nexus_events.csv's: per group, the
/// expected acquisitions and exposure summed over the years of the deal are
/// the group's totals and the last year's cumulative probability is its
/// prob_event; with a hazard of 1 every acquisition is in year 1.
#[test]
fn acquisitions_by_year_add_up_to_the_totals() {
    use blendsim::aggregate::{nexus_timing, summarise_nexus_events};
    let mut spec = homogeneous_pool(20, 0.2, 0.2, 0.4, &[0.05, 0.2, 1.0]);
    spec.nexus_events = Some(events(0.15, Remedy::Exclude));
    let model = Model::compile(&spec).unwrap();
    let outcomes = simulate_outcomes(
        &model,
        &RunSettings {
            paths: 400,
            seed: 3,
        },
        &|_| {},
    );
    let totals = summarise_nexus_events(&model, &outcomes, 0.01);
    let by_year = nexus_timing(&model, &outcomes, 0.01);
    assert!(totals[0].expected_events.mean > 1.0, "events happen");
    for total in &totals {
        let rows: Vec<_> = (by_year.iter())
            .filter(|r| r.group == total.group && r.name == total.name)
            .collect();
        assert!(!rows.is_empty());
        let events: f64 = rows.iter().map(|r| r.expected_events.mean).sum();
        let exposure: f64 = rows.iter().map(|r| r.expected_exposure.mean).sum();
        assert!((events - total.expected_events.mean).abs() < 1e-9);
        assert!((exposure - total.expected_exposure.mean).abs() < 1e-6 * exposure.max(1.0));
        let last = rows.last().unwrap().prob_event_by.mean;
        assert!((last - total.prob_event.mean).abs() < 1e-12);
        assert!(
            rows.windows(2)
                .all(|w| w[0].prob_event_by.mean <= w[1].prob_event_by.mean)
        );
        assert_eq!(rows[0].year, 1);
    }
    // Hazard 1: the one loan (first period ends at year 1) is acquired in
    // year 1 on every path.
    let spec = one_loan(Remedy::Exclude);
    let model = Model::compile(&spec).unwrap();
    let outcomes = simulate_outcomes(&model, &RunSettings { paths: 50, seed: 5 }, &|_| {});
    let rows = nexus_timing(&model, &outcomes, 0.01);
    let pool: Vec<_> = rows.iter().filter(|r| r.name == "all").collect();
    assert_eq!(pool[0].expected_events.mean, 1.0);
    assert_eq!(pool[0].expected_events.se, 0.0);
    assert_eq!(pool[0].expected_exposure.mean, 100.0);
    assert_eq!(pool[0].prob_event_by.mean, 1.0);
    assert!(pool[1..].iter().all(|r| r.expected_events.mean == 0.0));
}
