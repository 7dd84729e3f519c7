use super::*;

const MINIMAL: &str = r#"
name = "F"
currency = "usd"
start_date = "2026-01-01"
legal_final_date = 2036-01-01
projects = "p.csv"
[risk]
copula = "Gaussian"
recovery_lag_months = 0
[risk.correlation]
global = 0
mineral = 0.1
country = 0.1
[[tranches]]
name = "only"
class = "first_loss"
amount = "1.5"
coupon = 0
"#;

fn fields(read: &FacilityRead) -> Vec<&str> {
    read.diagnostics.iter().map(|d| d.field.as_str()).collect()
}

#[test]
fn minimal_file_uses_the_defaults() {
    let read = read_facility(MINIMAL);
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    let spec = read.spec;
    assert_eq!(spec.currency.code, "USD");
    assert_eq!(spec.frequency, PaymentFrequency::Quarterly);
    assert_eq!(spec.day_count, DayCount::Act365Fixed);
    assert_eq!(spec.management_fee_bps, 0.0);
    assert_eq!(spec.risk.recovery_systematic_weight, 0.0);
    assert_eq!(spec.eligibility, EligibilityRules::default());
    assert_eq!(spec.simulation, SimulationDefaults::default());
    assert_eq!(spec.tranches[0].amount.to_string(), "1.5");
    assert!(!spec.tranches[0].deferrable && !spec.tranches[0].public);
    assert_eq!(read.projects_path.as_deref(), Some("p.csv"));
}

#[test]
fn currency_digits_from_table_or_file() {
    let krw = MINIMAL.replace("\"usd\"", "\"KRW\"");
    assert_eq!(read_facility(&krw).spec.currency.minor_digits, 0);
    let own = MINIMAL.replace("\"usd\"", "\"XAF\"\ncurrency_minor_digits = 0");
    assert_eq!(read_facility(&own).spec.currency.minor_digits, 0);
    let unknown = read_facility(&MINIMAL.replace("\"usd\"", "\"XAF\""));
    assert_eq!(fields(&unknown), ["currency"]);
    let clash = MINIMAL.replace("\"usd\"", "\"USD\"\ncurrency_minor_digits = 3");
    assert_eq!(fields(&read_facility(&clash)), ["currency_minor_digits"]);
}

#[test]
fn missing_table_is_reported_once() {
    let start = MINIMAL.find("[risk]").unwrap();
    let end = MINIMAL.find("[[tranches]]").unwrap();
    let text = format!("{}{}", &MINIMAL[..start], &MINIMAL[end..]);
    let read = read_facility(&text);
    assert_eq!(fields(&read), ["risk"]);
    assert!(is_failed(&read.failed, "risk.correlation.global"));
}

#[test]
fn a_wrongly_typed_value_is_not_also_reported_missing() {
    let read = read_facility(&MINIMAL.replace("coupon = 0", "coupon = \"5%\""));
    assert_eq!(fields(&read), ["tranches[0].coupon"]);
    assert!(read.diagnostics[0].message.contains("expected f64"));
    assert!(is_failed(&read.failed, "tranches[0].coupon"));
    assert!(!is_failed(&read.failed, "tranches[0].co"));
}

/// MINIMAL with `extra` appended to `[risk]` (before its sub-tables).
fn with_risk(extra: &str) -> FacilityRead {
    read_facility(&MINIMAL.replace(
        "recovery_lag_months = 0\n",
        &format!("recovery_lag_months = 0\n{extra}\n"),
    ))
}

/// MINIMAL with `tables` inserted before the tranches.
fn with_tables(tables: &str) -> FacilityRead {
    read_facility(&MINIMAL.replace("[[tranches]]", &format!("{tables}\n[[tranches]]")))
}

#[test]
fn dof_goes_with_the_student_t_copula_only() {
    let t = MINIMAL.replace("\"Gaussian\"", "\"Student_T\"\ndof = 4");
    let read = read_facility(&t);
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    assert_eq!(read.spec.risk.copula, Copula::StudentT { dof: 4.0 });
    let no_dof = read_facility(&MINIMAL.replace("\"Gaussian\"", "\"student_t\""));
    assert_eq!(fields(&no_dof), ["risk.dof"]);
    assert!(
        no_dof.diagnostics[0]
            .message
            .starts_with("is missing; expected the degrees")
    );
    let gaussian = with_risk("dof = 4");
    assert_eq!(fields(&gaussian), ["risk.dof"]);
    assert!(is_failed(&gaussian.failed, "risk.dof"));
    // An unknown copula is reported; its dof is not.
    let unknown = read_facility(&MINIMAL.replace("\"Gaussian\"", "\"clayton\"\ndof = 4"));
    assert_eq!(fields(&unknown), ["risk.copula"]);
    assert!(
        unknown.diagnostics[0]
            .message
            .contains("`gaussian`, `student_t`")
    );
}

#[test]
fn construction_multiplier_and_region_share_are_read() {
    let read = with_risk("construction_pd_multiplier = 2");
    assert_eq!(read.spec.risk.construction_pd_multiplier, 2.0);
    let read = read_facility(&MINIMAL.replace("country = 0.1\n", "country = 0.1\nregion = 0.05\n"));
    assert_eq!(read.spec.risk.correlation.region, 0.05);
}

#[test]
fn mineral_shares_inherit_and_are_sorted_by_lower_case_mineral() {
    let read = with_tables(
        "[risk.correlation.by_mineral.Nickel]\nglobal = 0.2\n\
         [risk.correlation.by_mineral.lithium]\nregion = 0.1\ncountry = 0\n\
         [risk.correlation.by_mineral.cobalt]\n",
    );
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    let base = read.spec.risk.correlation;
    let with = |f: fn(&mut CorrelationShares)| {
        let mut shares = base;
        f(&mut shares);
        shares
    };
    assert_eq!(
        read.spec.risk.correlation_by_mineral,
        [
            ("cobalt".to_owned(), base),
            (
                "lithium".to_owned(),
                with(|s| {
                    s.region = 0.1;
                    s.country = 0.0;
                })
            ),
            ("nickel".to_owned(), with(|s| s.global = 0.2)),
        ]
    );
}

#[test]
fn ratings_replace_the_default_table_in_file_order() {
    let read = with_tables(
        "[risk.ratings]\nhorizon_years = 5\n[risk.ratings.pd]\n\
         BBB = 0.02\nBB = 0.08\n\"B-\" = 0.2\nA = 0.01\n",
    );
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    let ratings = read.spec.risk.ratings;
    assert_eq!(ratings.horizon_years, 5.0);
    assert_eq!(ratings.source, "facility file");
    let names: Vec<_> = ratings.entries.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(names, ["BBB", "BB", "B-", "A"]);
    assert_eq!(ratings.pd("B-"), Some(0.2));
    let missing = with_tables("[risk.ratings]\nsource = \"x\"\n");
    assert_eq!(
        fields(&missing),
        ["risk.ratings.horizon_years", "risk.ratings.pd"]
    );
    let typed = with_tables("[risk.ratings]\nhorizon_years = 5\n[risk.ratings.pd]\nBB = \"8%\"\n");
    assert_eq!(fields(&typed), ["risk.ratings.pd.BB"]);
    assert_eq!(typed.diagnostics[0].line, Some(17));
}

#[test]
fn pd_curves_are_sorted_by_name_and_need_matching_arrays() {
    let read = with_tables(
        "[risk.pd_curves.ramp]\nyears = [1, 2.5]\ncumulative_pd = [0.1, 0.2]\n\
         [risk.pd_curves.flat]\nyears = [10]\ncumulative_pd = [0.3]\n",
    );
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    let curves = read.spec.risk.pd_curves;
    assert_eq!(
        curves,
        [
            PdCurve {
                name: "flat".into(),
                points: vec![(10.0, 0.3)]
            },
            PdCurve {
                name: "ramp".into(),
                points: vec![(1.0, 0.1), (2.5, 0.2)]
            },
        ]
    );
    let uneven = with_tables("[risk.pd_curves.ramp]\nyears = [1, 2]\ncumulative_pd = [0.1]\n");
    assert_eq!(fields(&uneven), ["risk.pd_curves.ramp.cumulative_pd"]);
    assert!(is_failed(
        &uneven.failed,
        "risk.pd_curves.ramp.cumulative_pd[0]"
    ));
    // A missing array is reported as missing, not also as a mismatch.
    let half = with_tables("[risk.pd_curves.ramp]\nyears = [1, 2]\n");
    assert_eq!(fields(&half), ["risk.pd_curves.ramp.cumulative_pd"]);
    assert!(half.diagnostics[0].message.starts_with("is missing"));
}

#[test]
fn implied_rating_names_a_table_and_its_source() {
    assert_eq!(read_facility(MINIMAL).implied_rating, None);
    let read = with_tables(
        "[implied_rating]\ntable = \"idealized.csv\"\nsource = \"licensed copy, 2024\"\n",
    );
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    assert_eq!(
        read.implied_rating,
        Some(ImpliedRatingKeys {
            table: "idealized.csv".into(),
            source: "licensed copy, 2024".into(),
        })
    );
    // Both keys are required, the source not empty, no other key.
    let read = with_tables("[implied_rating]\nsource = \" \"\ntabel = \"x.csv\"\n");
    assert_eq!(read.implied_rating, None);
    let found = crate::spec::test_support::located(&read.diagnostics);
    assert_eq!(
        found,
        [
            (Some(16), "implied_rating.tabel"),
            (None, "implied_rating.table"),
            (None, "implied_rating.source"),
        ]
    );
    assert!(
        read.diagnostics[0]
            .message
            .contains("unknown field `tabel`")
    );
    assert!(
        read.diagnostics[1]
            .message
            .starts_with("is missing; expected the path")
    );
    assert!(
        read.diagnostics[2]
            .message
            .starts_with("is empty; expected where")
    );
}

#[test]
fn dates_with_a_time_are_refused() {
    let read = read_facility(&MINIMAL.replace("2036-01-01", "2036-01-01T10:00:00"));
    assert_eq!(fields(&read), ["legal_final_date"]);
}
