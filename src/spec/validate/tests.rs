use super::super::test_support::sample_spec;
use super::super::types::TrancheClass;
use super::*;
use chrono::NaiveDate;

/// `(line, field)` of every problem of `spec`.
fn problems(spec: &FacilitySpec) -> Vec<(Option<usize>, String)> {
    let diags = spec.validate().err().unwrap_or_default();
    diags.into_iter().map(|d| (d.line, d.field)).collect()
}

fn one(field: &str) -> Vec<(Option<usize>, String)> {
    vec![(None, field.to_owned())]
}

#[test]
fn sample_is_valid() {
    assert_eq!(sample_spec().validate(), Ok(()));
    assert_eq!(sample_spec().pool_amount(), Decimal::from(100));
}

#[test]
fn correlation_shares_must_leave_room_for_the_project_factor() {
    let mut spec = sample_spec();
    spec.risk.correlation.global = 0.8;
    assert_eq!(problems(&spec), one("risk.correlation"));
    spec.risk.correlation.global = f64::INFINITY;
    let found = problems(&spec);
    assert!(found.contains(&(None, "risk.correlation.global".into())));
}

#[test]
fn tranches_most_senior_first_with_unique_names() {
    let mut spec = sample_spec();
    spec.tranches.swap(0, 1);
    assert_eq!(problems(&spec), one("tranches[1].class"));
    let mut spec = sample_spec();
    spec.tranches[2].class = TrancheClass::Mezzanine;
    spec.tranches[2].name = "a".into();
    assert_eq!(problems(&spec), one("tranches[2].name"));
}

#[test]
fn tranche_total_must_equal_pool_exactly() {
    let mut spec = sample_spec();
    spec.tranches[0].amount += Decimal::new(1, 2);
    let diags = spec.validate().unwrap_err();
    assert_eq!(diags.len(), 1);
    assert!(
        diags[0]
            .message
            .contains("100.01 but the project amounts add up to 100")
    );
    assert!(diags[0].message.contains("(difference 0.01)"));
}

#[test]
fn recovery_sd_must_admit_a_beta_law() {
    let mut spec = sample_spec();
    // sqrt(0.4 * 0.6) = 0.4899
    spec.projects[0].recovery_sd = 0.49;
    spec.projects[1].recovery_mean = 1.0;
    spec.projects[1].recovery_sd = 0.0;
    assert_eq!(problems(&spec), [(Some(2), "recovery_sd".to_owned())]);
    spec.projects[0].recovery_sd = -0.1;
    assert_eq!(problems(&spec), [(Some(2), "recovery_sd".to_owned())]);
}

#[test]
fn project_dates_inside_the_facility_window() {
    let mut spec = sample_spec();
    spec.projects[0].start_date = spec.start_date.pred_opt().unwrap();
    spec.projects[1].maturity_date = spec.legal_final_date.succ_opt().unwrap();
    spec.projects[2].maturity_date = spec.projects[2].start_date;
    let expected = [
        (Some(2), "start_date".to_owned()),
        (Some(3), "maturity_date".to_owned()),
        (Some(4), "maturity_date".to_owned()),
    ];
    assert_eq!(problems(&spec), expected);
}

#[test]
fn project_ids_unique_and_fields_well_formed() {
    let mut spec = sample_spec();
    spec.projects[3].id = "P1".into();
    spec.projects[3].mineral = "Rare Earths".into();
    spec.projects[3].sponsor_nexus.clear();
    let found = problems(&spec);
    let at = |field: &str| (Some(5), field.to_owned());
    assert_eq!(found, [at("mineral"), at("sponsor_nexus"), at("id")]);
}

/// The message of the only problem of `spec`.
fn only_message(spec: &FacilitySpec) -> String {
    let diags = spec.validate().unwrap_err();
    assert_eq!(diags.len(), 1, "{diags:?}");
    diags[0].message.clone()
}

fn at(line: usize, field: &str) -> (Option<usize>, String) {
    (Some(line), field.to_owned())
}

/// A facility field (no line).
fn field(name: &str) -> (Option<usize>, String) {
    (None, name.to_owned())
}

#[test]
fn student_t_needs_positive_finite_degrees_of_freedom() {
    let mut spec = sample_spec();
    spec.risk.copula = Copula::StudentT { dof: 4.0 };
    assert_eq!(spec.validate(), Ok(()));
    for dof in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        spec.risk.copula = Copula::StudentT { dof };
        assert_eq!(problems(&spec), one("risk.dof"), "{dof}");
    }
}

#[test]
fn construction_multiplier_and_region_share_ranges() {
    let mut spec = sample_spec();
    spec.risk.construction_pd_multiplier = 0.0;
    spec.risk.correlation.region = 0.2;
    assert_eq!(spec.validate(), Ok(()));
    spec.risk.construction_pd_multiplier = f64::INFINITY;
    assert_eq!(problems(&spec), one("risk.construction_pd_multiplier"));
    spec.risk.construction_pd_multiplier = 3.0;
    spec.risk.correlation.region = 0.75;
    let message = only_message(&spec);
    assert!(
        message.starts_with(
            "global + mineral + country + region = 0.1 + 0.1 + 0.1 + 0.75 = 1.05; expected a sum below 1"
        ),
        "{message}"
    );
    spec.risk.correlation.region = -0.1;
    assert_eq!(problems(&spec), one("risk.correlation.region"));
}

fn lithium_shares(spec: &mut FacilitySpec, mineral: f64) {
    let mut shares = spec.risk.correlation;
    shares.mineral = mineral;
    spec.risk.correlation_by_mineral = vec![("lithium".into(), shares)];
}

#[test]
fn resolved_mineral_shares_each_in_range_and_sum_below_one() {
    let mut spec = sample_spec();
    lithium_shares(&mut spec, 0.5);
    assert_eq!(spec.validate(), Ok(()));
    lithium_shares(&mut spec, 0.85);
    assert_eq!(problems(&spec), one("risk.correlation.by_mineral.lithium"));
    let message = only_message(&spec);
    assert!(message.starts_with("for mineral lithium "), "{message}");
    assert!(message.contains("= 0.1 + 0.85 + 0.1 = 1.05"), "{message}");
    lithium_shares(&mut spec, -0.5);
    assert_eq!(
        problems(&spec),
        one("risk.correlation.by_mineral.lithium.mineral")
    );
}

#[test]
fn a_bad_share_inherited_by_a_mineral_is_reported_once() {
    let mut spec = sample_spec();
    spec.risk.correlation.global = 1.2;
    lithium_shares(&mut spec, 0.1);
    let expected = [field("risk.correlation.global"), field("risk.correlation")];
    assert_eq!(problems(&spec), expected);
}

#[test]
fn mineral_tables_name_minerals_of_the_pool_once() {
    let mut spec = sample_spec();
    let shares = spec.risk.correlation;
    spec.risk.correlation_by_mineral = vec![
        ("cobalt".into(), shares),
        ("lithium".into(), shares),
        ("lithium".into(), shares),
        ("Rare Earths".into(), shares),
    ];
    let found = problems(&spec);
    let mineral = |m: &str| field(&format!("risk.correlation.by_mineral.{m}"));
    assert_eq!(
        found,
        [
            mineral("lithium"),
            mineral("Rare Earths"),
            mineral("cobalt"),
            mineral("Rare Earths"),
        ]
    );
    let diags = spec.validate().unwrap_err();
    assert_eq!(
        diags[2].message,
        "no project has mineral `cobalt`; expected one of the minerals present: copper, lithium, nickel"
    );
}

#[test]
fn ratings_must_be_in_the_table() {
    let mut spec = sample_spec();
    spec.projects[0].pd = PdSource::Rating("Baa2".into());
    assert_eq!(spec.validate(), Ok(()));
    spec.risk.ratings = RatingTable {
        horizon_years: 5.0,
        entries: vec![("BB".into(), 0.1), ("B".into(), 0.2)],
        source: "own".into(),
    };
    assert_eq!(problems(&spec), [at(2, "rating")]);
    assert_eq!(
        only_message(&spec),
        "`Baa2` is not in the rating table (own); expected one of BB, B (exact spelling)"
    );
    spec.projects[0].pd = PdSource::Rating("BB".into());
    assert_eq!(spec.validate(), Ok(()));
}

#[test]
fn rating_table_rules() {
    let mut spec = sample_spec();
    spec.risk.ratings = RatingTable {
        horizon_years: 0.0,
        entries: vec![("BB".into(), 0.1), ("BB".into(), 0.2), (" B".into(), 1.0)],
        source: "own".into(),
    };
    let found = problems(&spec);
    assert_eq!(
        found,
        [
            field("risk.ratings.horizon_years"),
            field("risk.ratings.pd.BB"),
            field("risk.ratings.pd. B"),
            field("risk.ratings.pd. B"),
        ]
    );
    spec.risk.ratings.entries.clear();
    spec.risk.ratings.horizon_years = 1.0;
    assert_eq!(problems(&spec), one("risk.ratings.pd"));
}

fn curve(name: &str, points: &[(f64, f64)]) -> PdCurve {
    PdCurve {
        name: name.into(),
        points: points.to_vec(),
    }
}

#[test]
fn curves_must_exist() {
    let mut spec = sample_spec();
    spec.projects[1].pd = PdSource::Curve("ramp".into());
    assert_eq!(problems(&spec), [at(3, "pd_curve")]);
    assert!(only_message(&spec).contains("defines none; add a [risk.pd_curves.ramp] table"));
    spec.risk.pd_curves = vec![curve("flat", &[(1.0, 0.1)]), curve("steep", &[(1.0, 0.3)])];
    assert_eq!(
        only_message(&spec),
        "`ramp` is not a [risk.pd_curves] table of the facility file; expected one of flat, steep"
    );
    spec.projects[1].pd = PdSource::Curve("steep".into());
    assert_eq!(spec.validate(), Ok(()));
}

#[test]
fn curve_points_increase() {
    let mut spec = sample_spec();
    spec.risk.pd_curves = vec![
        curve("a", &[(0.5, 0.01), (1.0, 0.01), (2.0, 0.05)]),
        curve(
            "b",
            &[(-1.0, 0.0), (3.0, 0.2), (3.0, 0.1), (f64::INFINITY, 0.3)],
        ),
        curve("a", &[]),
    ];
    let found = problems(&spec);
    assert_eq!(
        found,
        [
            field("risk.pd_curves.b.years[0]"),
            field("risk.pd_curves.b.cumulative_pd[0]"),
            field("risk.pd_curves.b.years[2]"),
            field("risk.pd_curves.b.cumulative_pd[2]"),
            field("risk.pd_curves.b.years[3]"),
            field("risk.pd_curves.a"),
            field("risk.pd_curves.a"),
        ]
    );
}

#[test]
fn construction_end_inside_the_loan_and_region_not_empty() {
    let mut spec = sample_spec();
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    spec.projects[0].construction_end = date(2027, 1, 1);
    spec.projects[1].construction_end = spec.projects[1].maturity_date.into();
    spec.projects[2].region = Some("Andes".into());
    assert_eq!(spec.validate(), Ok(()));
    spec.projects[0].construction_end = Some(spec.projects[0].start_date);
    spec.projects[1].construction_end = date(2031, 1, 1);
    spec.projects[2].region = Some(" ".into());
    assert_eq!(
        problems(&spec),
        [
            at(2, "construction_end"),
            at(3, "construction_end"),
            at(4, "region"),
        ]
    );
}

#[test]
fn ranges_reject_nan_and_bounds() {
    assert!(number_in(f64::NAN, UNIT, "x").is_err());
    assert!(number_in(0.0, OPEN_UNIT, "x").is_err());
    assert!(number_in(1.0, UNIT, "x").is_ok());
    assert!(number_in(1.0, RATE, "x").is_err());
    assert!(number_in(1.0, SHARE, "x").is_ok());
    assert_eq!(
        number_in(1.5, OPEN_UNIT, "a probability"),
        Err("1.5 is not a probability; expected a number in (0, 1)".into())
    );
}
