//! The happy path: a complete facility loads, values as written.

use std::path::Path;

use blendsim::model::Model;
use blendsim::spec::{
    Amortization, Copula, CorrelationShares, DayCount, FacilitySpec, LoadOptions, PaymentFrequency,
    PdCurve, PdSource, RatingTable, SpecError, TrancheClass, load_facility,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn good() -> FacilitySpec {
    let path = Path::new("tests/fixtures/good/facility.toml");
    let loaded = load_facility(path, &LoadOptions::default()).expect("good fixture loads");
    assert!(loaded.breaches.is_empty());
    assert_eq!(loaded.inputs.len(), 2);
    assert_eq!(loaded.inputs[0].path, path);
    assert!(loaded.inputs[1].path.ends_with("good/projects.csv"));
    for input in &loaded.inputs {
        let hex = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
        assert!(input.sha256.len() == 64 && input.sha256.chars().all(hex));
    }
    loaded.spec
}

#[test]
fn facility_values_are_read_as_written() {
    let spec = good();
    assert_eq!(spec.name, "US-ROK Critical Minerals Facility");
    assert_eq!(
        (spec.currency.code.as_str(), spec.currency.minor_digits),
        ("USD", 2)
    );
    assert_eq!(spec.start_date, date(2026, 1, 1));
    assert_eq!(spec.legal_final_date, date(2036, 1, 1));
    assert_eq!(spec.frequency, PaymentFrequency::Quarterly);
    assert_eq!(spec.day_count, DayCount::Act365Fixed);
    assert_eq!(spec.management_fee_bps, 25.0);
    assert_eq!(
        (spec.simulation.paths, spec.simulation.seed),
        (Some(20000), Some(42))
    );
    assert_eq!(spec.risk.recovery_lag_months, 24);
    assert_eq!(spec.risk.recovery_systematic_weight, 0.3);
    let c = spec.risk.correlation;
    assert_eq!((c.global, c.mineral, c.country), (0.10, 0.15, 0.05));
    assert_eq!(spec.eligibility.required_sponsor_nexus, ["US", "KR"]);
    assert_eq!(spec.eligibility.excluded_sponsor_nexus, ["PRC"]);
    assert_eq!(spec.eligibility.max_project_share, Some(0.35));
}

#[test]
fn risk_model_keys_left_out_take_their_defaults() {
    let spec = good();
    let risk = &spec.risk;
    assert_eq!(risk.copula, Copula::Gaussian);
    assert_eq!(risk.correlation.region, 0.0);
    assert!(risk.correlation_by_mineral.is_empty());
    assert_eq!(risk.construction_pd_multiplier, 1.0);
    assert_eq!(risk.ratings, RatingTable::moodys_idealized_10y());
    assert!(risk.pd_curves.is_empty());
    assert!(
        spec.projects
            .iter()
            .all(|p| p.construction_end.is_none() && p.region.is_none())
    );
}

fn shares(global: f64, mineral: f64, country: f64, region: f64) -> CorrelationShares {
    CorrelationShares {
        global,
        mineral,
        country,
        region,
    }
}

/// `tests/fixtures/risk/` uses every key of the risk model.
#[test]
fn risk_model_inputs_are_read_as_written() {
    let path = Path::new("tests/fixtures/risk/facility.toml");
    let spec = load_facility(path, &LoadOptions::default())
        .expect("risk fixture loads")
        .spec;
    let risk = &spec.risk;
    assert_eq!(risk.copula, Copula::StudentT { dof: 5.0 });
    assert_eq!(risk.construction_pd_multiplier, 2.5);
    assert_eq!(risk.correlation, shares(0.12, 0.09, 0.03, 0.02));
    // Resolved against [risk.correlation], sorted, `Nickel` lower-cased.
    assert_eq!(
        risk.correlation_by_mineral,
        [
            ("lithium".to_owned(), shares(0.12, 0.15, 0.03, 0.02)),
            ("nickel".to_owned(), shares(0.10, 0.09, 0.05, 0.0)),
        ]
    );
    // The file's table replaces the default one, in file order.
    assert_eq!(
        risk.ratings,
        RatingTable {
            horizon_years: 10.0,
            entries: vec![
                ("Ba1".into(), 0.094),
                ("B2".into(), 0.272),
                ("B1".into(), 0.222)
            ],
            source: "internal scale v2".into(),
        }
    );
    assert_eq!(
        risk.pd_curves,
        [
            PdCurve {
                name: "flat_refinery".into(),
                points: vec![(3.0, 0.05)],
            },
            PdCurve {
                name: "ramp_mine".into(),
                points: vec![(1.0, 0.03), (2.0, 0.06), (5.0, 0.12), (10.0, 0.20)],
            },
        ]
    );
    let projects: Vec<_> = spec
        .projects
        .iter()
        .map(|p| (&p.pd, p.construction_end, p.region.as_deref()))
        .collect();
    assert_eq!(
        projects,
        [
            (
                &PdSource::AnnualPd(0.02),
                Some(date(2028, 1, 1)),
                Some("Oceania")
            ),
            (
                &PdSource::Rating("B2".into()),
                None,
                Some("South-East Asia")
            ),
            (
                &PdSource::Curve("ramp_mine".into()),
                Some(date(2027, 7, 1)),
                Some("South-East Asia")
            ),
            (&PdSource::Curve("flat_refinery".into()), None, None),
        ]
    );
    assert_eq!(spec.validate(), Ok(()));
    Model::compile(&spec).expect("the model accepts every risk input");
}

#[test]
fn without_a_ratings_table_the_default_is_moodys_idealized() {
    let table = RatingTable::moodys_idealized_10y();
    assert_eq!(table.horizon_years, 10.0);
    assert_eq!(table.entries.len(), 20);
    assert_eq!(table.pd("Baa2"), Some(0.036));
    // Ca is 1.0 in the source; stored below 1 so that a hazard exists.
    assert_eq!(table.entries.last(), Some(&("Ca".to_owned(), 0.9999)));
}

#[test]
fn tranches_are_read_in_order() {
    let spec = good();
    let t: Vec<_> = spec
        .tranches
        .iter()
        .map(|t| {
            (
                t.name.as_str(),
                t.class,
                t.amount,
                t.coupon,
                t.deferrable,
                t.public,
            )
        })
        .collect();
    assert_eq!(
        t,
        [
            (
                "senior",
                TrancheClass::Senior,
                dec("70000000.00"),
                0.055,
                false,
                false
            ),
            (
                "mezzanine",
                TrancheClass::Mezzanine,
                dec("20000000"),
                0.08,
                true,
                false
            ),
            (
                "first_loss",
                TrancheClass::FirstLoss,
                dec("10000000"),
                0.0,
                false,
                true
            ),
        ]
    );
}

#[test]
fn projects_are_read_in_file_order_with_lines() {
    let spec = good();
    assert_eq!(spec.pool_amount(), dec("100000000.00"));
    let ids: Vec<_> = spec
        .projects
        .iter()
        .map(|p| (p.id.as_str(), p.line))
        .collect();
    assert_eq!(
        ids,
        [
            ("AU-LI-01", 2),
            ("ID-NI-02", 3),
            ("VN-RE-03", 4),
            ("CL-CU-04", 5)
        ]
    );
    let p = &spec.projects[2];
    assert_eq!(p.mineral, "rare_earths");
    assert_eq!(p.country, "Viet Nam");
    assert_eq!(p.sponsor_nexus, ["KR", "US"]);
    assert_eq!(p.amount, dec("25000000.50"));
    assert_eq!(
        (p.start_date, p.maturity_date),
        (date(2026, 7, 1), date(2033, 7, 1))
    );
    assert_eq!(p.amortization, Amortization::Linear);
    assert_eq!(
        (p.coupon, &p.pd, p.recovery_mean, p.recovery_sd),
        (0.09, &PdSource::AnnualPd(0.04), 0.3, 0.0)
    );
}

#[test]
fn validate_checks_a_hand_built_spec() {
    let mut spec = good();
    assert_eq!(spec.validate(), Ok(()));
    spec.projects[1].pd = PdSource::AnnualPd(f64::NAN);
    spec.tranches[0].coupon = 1.5;
    let diags = spec.validate().unwrap_err();
    let shown: Vec<_> = diags.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "field `tranches[0].coupon`: 1.5 is not an annual rate; expected a number in [0, 1)",
            "line 3: field `annual_pd`: NaN is not a probability; expected a number in (0, 1)",
        ]
    );
}

#[test]
fn prc_linked_sponsor_is_a_breach_unless_allowed() {
    let path = Path::new("tests/fixtures/prc/facility.toml");
    let Err(SpecError::Breaches(breaches)) = load_facility(path, &LoadOptions::default()) else {
        panic!("expected breaches");
    };
    let prc = &breaches[0];
    assert_eq!(
        (prc.rule.as_str(), prc.subject.as_str()),
        ("excluded_sponsor_nexus", "project `ID-NI-02`")
    );
    assert!(prc.file.as_ref().unwrap().ends_with("prc/projects.csv"));
    assert_eq!(prc.line, Some(3));
    assert!(prc.to_string().contains("projects.csv:3: project `ID-NI-02` breaks `excluded_sponsor_nexus`: sponsor nexus PRC is excluded"), "{prc}");
    let rules: Vec<_> = breaches.iter().map(|b| (b.rule.as_str(), b.line)).collect();
    assert_eq!(
        rules,
        [
            ("excluded_sponsor_nexus", Some(3)),
            ("max_project_share", Some(2)),
            ("max_project_share", Some(4)),
        ]
    );
    let allowed = LoadOptions {
        allow_breaches: true,
    };
    let loaded = load_facility(path, &allowed).expect("breaches allowed");
    assert_eq!(loaded.breaches, breaches);
    assert_eq!(loaded.spec.projects.len(), 4);
}
