//! Stress scenarios: overlays compile into the model and are simulated on
//! the same random streams as the base case.

use crate::common;

use blendsim::analytic::normal::{norm_cdf, norm_inv_cdf};
use blendsim::engine::{RunSettings, simulate_outcomes};
use blendsim::model::Model;
use blendsim::spec::{
    FacilitySpec, FactorRef, FactorShift, Overlay, ScenarioSpec, Selector, ShiftLevel,
};

const SETTINGS: RunSettings = RunSettings {
    paths: 20_000,
    seed: 3,
};

fn pool_losses(spec: &FacilitySpec, scenario: &ScenarioSpec) -> Vec<f64> {
    let model = Model::compile_scenario(spec, scenario).unwrap();
    simulate_outcomes(&model, &SETTINGS, &|_| {}).pool_loss
}

fn scenario(name: &str) -> ScenarioSpec {
    ScenarioSpec {
        name: name.into(),
        ..ScenarioSpec::base()
    }
}

fn spec() -> FacilitySpec {
    common::homogeneous_pool(50, 0.1, 0.2, 0.4, &[0.05, 0.2, 1.0])
}

#[test]
fn the_base_scenario_is_the_plain_model() {
    let spec = spec();
    assert_eq!(
        Model::compile(&spec).unwrap(),
        Model::compile_scenario(&spec, &ScenarioSpec::base()).unwrap()
    );
}

/// Higher hazards and lower recoveries lose at least as much on every path
/// (same draws), hence a harsher scenario never lowers the pool's expected
/// loss.
#[test]
fn harsher_overlays_never_lower_any_path_loss() {
    let spec = spec();
    let base = pool_losses(&spec, &ScenarioSpec::base());
    let mut harsher = scenario("harsher");
    harsher.pd_multipliers.push(Overlay {
        selector: Selector::default(),
        value: 1.5,
    });
    harsher.recovery_haircuts.push(Overlay {
        selector: Selector::default(),
        value: 0.2,
    });
    let stressed = pool_losses(&spec, &harsher);
    assert!(base.iter().zip(&stressed).all(|(b, s)| s >= b));
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    assert!(mean(&stressed) > mean(&base));
}

/// Holding the global factor at z makes loans independent given z: each
/// defaults by the horizon with probability
/// `Phi((Phi^-1(p) - sqrt(rho) z) / sqrt(1 - rho))` (references section 1,
/// conditional law). The mean default fraction matches within 4 SE.
#[test]
fn a_factor_shift_simulates_the_conditional_law() {
    let (n, p, rho) = (50, 0.1, 0.2);
    let spec = common::homogeneous_pool(n, p, rho, 0.4, &[0.05, 0.2, 1.0]);
    let mut shifted = scenario("recession");
    shifted.factor_shifts.push(FactorShift {
        factor: FactorRef::Global,
        level: ShiftLevel::Quantile(0.05),
    });
    let model = Model::compile_scenario(&spec, &shifted).unwrap();
    let outcomes = simulate_outcomes(&model, &SETTINGS, &|_| {});
    let fractions: Vec<f64> = outcomes
        .defaults
        .iter()
        .map(|&d| f64::from(d) / n as f64)
        .collect();
    let estimate = blendsim::aggregate::estimate(&fractions);
    let z = norm_inv_cdf(0.05).unwrap();
    let conditional = norm_cdf((norm_inv_cdf(p).unwrap() - rho.sqrt() * z) / (1.0 - rho).sqrt());
    println!(
        "default fraction {} +- {}, conditional {conditional}",
        estimate.mean, estimate.se
    );
    assert!((estimate.mean - conditional).abs() <= 4.0 * estimate.se + 1e-4);
    // Given the factor, defaults are independent: the variance of the count
    // is binomial.
    let variance = fractions
        .iter()
        .map(|f| (f - estimate.mean).powi(2))
        .sum::<f64>()
        / (fractions.len() - 1) as f64;
    let binomial = conditional * (1.0 - conditional) / n as f64;
    assert!(
        (variance / binomial - 1.0).abs() < 0.05,
        "variance {variance} vs binomial {binomial}"
    );
}

/// A selector applies an overlay only to matching projects.
#[test]
fn selectors_pick_projects() {
    let mut spec = spec();
    spec.projects[0].mineral = "nickel".into();
    let nickel = Selector {
        mineral: Some("nickel".into()),
        ..Selector::default()
    };
    let mut s = scenario("nickel");
    s.pd_multipliers.push(Overlay {
        selector: nickel.clone(),
        value: 2.0,
    });
    s.pd_multipliers.push(Overlay {
        selector: Selector::default(),
        value: 1.5,
    });
    s.recovery_haircuts.push(Overlay {
        selector: nickel,
        value: 0.5,
    });
    assert_eq!(s.pd_multiplier(&spec.projects[0]), 3.0);
    assert_eq!(s.pd_multiplier(&spec.projects[1]), 1.5);
    assert_eq!(s.recovery_haircut(&spec.projects[0]), 0.5);
    assert_eq!(s.recovery_haircut(&spec.projects[1]), 0.0);
}

/// Countries differ only in case or spacing are one country in the project
/// list, and so in every selector: a scenario's overlay, factor shift and
/// acquisition hazard, and a nexus hazard, naming `  INDONESIA ` select the
/// projects in `Indonesia`.
#[test]
fn selectors_name_countries_in_any_case_or_spacing() {
    let dir = tempfile::tempdir().unwrap();
    let (facility, projects) = common::quickstart_with_scenarios();
    let facility = facility
        + "\n[nexus_events]\nannual_hazard = 0.0\nremedy = \"exclude\"\n\
           hazard = [{ country = \"indonesia\", annual_hazard = 0.02 }]\n";
    std::fs::write(dir.path().join("facility.toml"), facility).unwrap();
    std::fs::write(dir.path().join("projects.csv"), projects).unwrap();
    std::fs::write(
        dir.path().join("scenarios.toml"),
        "[[scenarios]]\nname = \"spelt\"\n\
         pd_multiplier = [{ country = \"  INDONESIA \", multiplier = 2.0 }]\n\
         factor_shift = [{ factor = \"country\", name = \"indonesia\", quantile = 0.1 }]\n\
         acquisition_hazard = [{ country = \"INDONESIA\", annual_hazard = 0.05 }]\n",
    )
    .unwrap();
    let loaded = blendsim::spec::load_facility(
        &dir.path().join("facility.toml"),
        &blendsim::spec::LoadOptions::default(),
    )
    .unwrap();
    let spelt = &loaded.scenarios[0];
    let indonesia = Some("Indonesia".to_owned());
    assert_eq!(spelt.pd_multipliers[0].selector.country, indonesia);
    assert_eq!(spelt.acquisition_hazards[0].selector.country, indonesia);
    assert_eq!(
        spelt.factor_shifts[0].factor,
        FactorRef::Country("Indonesia".into())
    );
    let events = loaded.spec.nexus_events.as_ref().unwrap();
    assert_eq!(events.overrides[0].selector.country, indonesia);
    // A name no project has is still refused, in the project list's words.
    std::fs::write(
        dir.path().join("scenarios.toml"),
        "[[scenarios]]\nname = \"typo\"\npd_multiplier = [{ country = \"Indonesai\", multiplier = 2.0 }]\n",
    )
    .unwrap();
    let refused = blendsim::spec::load_facility(
        &dir.path().join("facility.toml"),
        &blendsim::spec::LoadOptions::default(),
    );
    let message = refused.unwrap_err().to_string();
    assert!(
        message.contains("no project has country `Indonesai`"),
        "{message}"
    );
}
