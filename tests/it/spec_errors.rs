//! Bad inputs: each is rejected with a diagnostic naming the file, the line
//! and the field, and saying what would be valid.

use std::path::Path;

use blendsim::spec::{Diagnostic, LoadOptions, SpecError, load_facility};
use rstest::rstest;

fn diagnostics(toml: &str) -> Vec<Diagnostic> {
    let path = Path::new("tests/fixtures/bad").join(toml);
    match load_facility(&path, &LoadOptions::default()) {
        Err(SpecError::Invalid(diags)) => diags,
        other => panic!("{toml}: expected invalid input, got {other:?}"),
    }
}

fn find<'a>(diags: &'a [Diagnostic], file: &str, line: usize, field: &str) -> &'a Diagnostic {
    diags
        .iter()
        .find(|d| {
            d.file.as_ref().is_some_and(|f| f.ends_with(file))
                && d.line == Some(line)
                && d.field == field
        })
        .unwrap_or_else(|| panic!("no diagnostic {file}:{line} `{field}` in {diags:#?}"))
}

#[rstest]
#[case::float_money(
    "float_money.toml",
    "float_money.toml",
    35,
    "tranches[0].amount",
    "passes through binary floating point"
)]
#[case::unknown_key(
    "unknown_key.toml",
    "unknown_key.toml",
    9,
    "managment_fee_bps",
    "expected one of `name`"
)]
#[case::unknown_class(
    "unknown_class.toml",
    "unknown_class.toml",
    40,
    "tranches[1].class",
    "expected one of `senior`, `mezzanine`, `first_loss`"
)]
#[case::maturity_before_start(
    "maturity_before_start.toml",
    "maturity_before_start.toml",
    6,
    "legal_final_date",
    "2025-06-30 is not after start_date 2026-01-01"
)]
#[case::correlation_sum(
    "correlation_sum.toml",
    "correlation_sum.toml",
    20,
    "risk.correlation",
    "= 1.1; expected a sum below 1"
)]
#[case::tranche_total(
    "tranche_total.toml",
    "tranche_total.toml",
    32,
    "tranches",
    "add up to 105000000.00 but the project amounts add up to 100000000.00 (difference 5000000.00)"
)]
#[case::no_pd_column(
    "missing_column.toml",
    "missing_column.csv",
    1,
    "annual_pd",
    "column is missing from the header row, and so are rating and pd_curve; \
     expected at least one of the PD columns annual_pd, rating, pd_curve"
)]
#[case::pd(
    "pd.toml",
    "pd.csv",
    3,
    "annual_pd",
    "1.5 is not a probability; expected a number in (0, 1)"
)]
#[case::project_maturity(
    "project_maturity.toml",
    "project_maturity.csv",
    4,
    "maturity_date",
    "2026-03-31 is not after the project's start_date 2026-07-01"
)]
#[case::money_decimals(
    "money_decimals.toml",
    "money_decimals.csv",
    4,
    "amount",
    "more decimals than the currency's 2 minor-unit digits"
)]
#[case::dof_not_positive(
    "risk_ranges.toml",
    "risk_ranges.toml",
    10,
    "risk.dof",
    "0 is not a number of degrees of freedom; expected a number in [1, 1000000]"
)]
#[case::construction_multiplier_negative(
    "risk_ranges.toml",
    "risk_ranges.toml",
    11,
    "risk.construction_pd_multiplier",
    "-1 is not a hazard multiplier; expected a number in [0, 1000]"
)]
#[case::region_share(
    "risk_ranges.toml",
    "risk_ranges.toml",
    18,
    "risk.correlation.region",
    "-0.02 is not a correlation share; expected a number in [0, 1)"
)]
#[case::mineral_share(
    "risk_ranges.toml",
    "risk_ranges.toml",
    21,
    "risk.correlation.by_mineral.nickel.country",
    "1.5 is not a correlation share; expected a number in [0, 1)"
)]
#[case::rating_horizon(
    "risk_ranges.toml",
    "risk_ranges.toml",
    24,
    "risk.ratings.horizon_years",
    "0 is not a horizon in years; expected a number in (0, 100]"
)]
#[case::rating_pd(
    "risk_ranges.toml",
    "risk_ranges.toml",
    28,
    "risk.ratings.pd.B2",
    "1 is not a cumulative default probability; expected a number in (0, 1)"
)]
#[case::curve_first_year(
    "risk_ranges.toml",
    "risk_ranges.toml",
    31,
    "risk.pd_curves.ramp_mine.years[0]",
    "0 is not a time in years; expected a number in (0, 100]"
)]
#[case::curve_years_increase(
    "risk_ranges.toml",
    "risk_ranges.toml",
    31,
    "risk.pd_curves.ramp_mine.years[2]",
    "2 does not come after the previous year 2; expected finite, strictly increasing years"
)]
#[case::curve_pd_decreases(
    "risk_ranges.toml",
    "risk_ranges.toml",
    32,
    "risk.pd_curves.ramp_mine.cumulative_pd[2]",
    "0.05 is below the previous cumulative PD 0.06; expected non-decreasing values"
)]
#[case::curve_pd_range(
    "risk_ranges.toml",
    "risk_ranges.toml",
    32,
    "risk.pd_curves.ramp_mine.cumulative_pd[3]",
    "1.2 is not a cumulative default probability; expected a number in (0, 1)"
)]
#[case::mineral_shares_sum(
    "risk_refs.toml",
    "risk_refs.toml",
    20,
    "risk.correlation.by_mineral.lithium",
    "for mineral lithium (keys left out inherit [risk.correlation]'s), \
     global + mineral + country + region = 0.5 + 0.5 + 0.03 + 0.02 = 1.05; expected a sum below 1"
)]
#[case::mineral_not_in_pool(
    "risk_refs.toml",
    "risk_refs.toml",
    24,
    "risk.correlation.by_mineral.cobalt",
    "no project has mineral `cobalt`; expected one of the minerals present: copper, lithium, nickel, rare_earths"
)]
#[case::unknown_rating(
    "risk_refs.toml",
    "risk_refs.csv",
    2,
    "rating",
    "`Baa4` is not in the rating table (Moody's idealized 10-year cumulative default \
     probabilities (WARF / 10,000)); expected one of Aaa, Aa1, Aa2, Aa3, A1, A2, A3, Baa1, Baa2, \
     Baa3, Ba1, Ba2, Ba3, B1, B2, B3, Caa1, Caa2, Caa3, Ca (exact spelling)"
)]
#[case::unknown_curve(
    "risk_refs.toml",
    "risk_refs.csv",
    3,
    "pd_curve",
    "`ramp` is not a [risk.pd_curves] table of the facility file; expected one of flat, ramp_mine"
)]
#[case::construction_after_maturity(
    "risk_refs.toml",
    "risk_refs.csv",
    4,
    "construction_end",
    "2034-01-01 is after the project's maturity_date 2033-07-01; expected a date on or before it"
)]
#[case::construction_at_start(
    "risk_refs.toml",
    "risk_refs.csv",
    5,
    "construction_end",
    "2027-01-01 is not after the project's start_date 2027-01-01; expected a later date"
)]
#[case::dof_with_gaussian(
    "risk_read.toml",
    "risk_read.toml",
    11,
    "risk.dof",
    "is only used with copula = \"student_t\"; remove it or set copula = \"student_t\""
)]
#[case::unknown_share_key(
    "risk_read.toml",
    "risk_read.toml",
    21,
    "risk.correlation.by_mineral.lithium.minerl",
    "unknown field `minerl`, expected one of `global`, `mineral`, `country`, `region`"
)]
#[case::rating_horizon_missing(
    "risk_read.toml",
    "risk_read.toml",
    23,
    "risk.ratings.horizon_years",
    "is missing; expected the horizon of the cumulative PDs in years, a number > 0"
)]
#[case::curve_lengths(
    "risk_read.toml",
    "risk_read.toml",
    31,
    "risk.pd_curves.ramp_mine.cumulative_pd",
    "has 3 values but years has 4; expected one cumulative PD per year"
)]
#[case::construction_end_not_a_date(
    "risk_read.toml",
    "risk_read.csv",
    2,
    "construction_end",
    "`2027-02-30` is not a date; expected YYYY-MM-DD"
)]
#[case::two_pd_sources(
    "risk_read.toml",
    "risk_read.csv",
    3,
    "rating",
    "`annual_pd` is also given; expected exactly one of annual_pd, rating, pd_curve on every row"
)]
#[case::no_pd_source(
    "risk_read.toml",
    "risk_read.csv",
    4,
    "annual_pd",
    "annual_pd, rating and pd_curve are all empty; expected exactly one of them on every row"
)]
#[case::rating_table_unknown_key(
    "idealized_table.toml",
    "idealized_table.toml",
    56,
    "implied_rating.horizon",
    "unknown field `horizon`"
)]
#[case::rating_table_missing_year(
    "idealized_table.toml",
    "idealized_table.csv",
    2,
    "year",
    "rating `SynA` has no row for year 4; expected years 1 to 4 for every rating \
     (year 4 is given on line 7)"
)]
#[case::rating_table_decreasing_in_year(
    "idealized_table.toml",
    "idealized_table.csv",
    4,
    "default_probability",
    "0.002 at year 3 is below 0.003 at year 2 (line 3) for rating `SynA`; expected cumulative \
     values that do not decrease with the year"
)]
#[case::rating_table_expected_loss_above_default_probability(
    "idealized_table.toml",
    "idealized_table.csv",
    5,
    "expected_loss",
    "0.0008 is above the row's default_probability 0.0005; expected an expected loss at most \
     the default probability"
)]
#[case::rating_table_decreasing_to_worse_rating(
    "idealized_table.toml",
    "idealized_table.csv",
    5,
    "default_probability",
    "0.0005 for rating `SynB` is below 0.001 for the better rating `SynA` (line 2) at year 1; \
     expected values that do not decrease from better to worse ratings"
)]
#[case::rating_table_expected_loss_on_some_rows(
    "idealized_table.toml",
    "idealized_table.csv",
    6,
    "expected_loss",
    "is empty but is given on line 2; expected expected_loss on every row or on none"
)]
#[case::rating_table_value_range(
    "idealized_table.toml",
    "idealized_table.csv",
    7,
    "default_probability",
    "1.2 is not a cumulative default probability; expected a number in (0, 1]"
)]
fn bad_input_is_located(
    #[case] toml: &str,
    #[case] file: &str,
    #[case] line: usize,
    #[case] field: &str,
    #[case] message: &str,
) {
    let diags = diagnostics(toml);
    let diag = find(&diags, file, line, field);
    assert!(diag.message.contains(message), "{diag}");
    let shown = diag.to_string();
    assert!(
        shown.contains(&format!("{file}:{line}: field `{field}`: ")),
        "{shown}"
    );
}

/// `(file name, line, field)` of each diagnostic.
fn located(diags: &[Diagnostic]) -> Vec<(&str, Option<usize>, &str)> {
    diags
        .iter()
        .map(|d| {
            let file = d.file.as_ref().unwrap().file_name().unwrap();
            (file.to_str().unwrap(), d.line, d.field.as_str())
        })
        .collect()
}

#[test]
fn every_problem_of_both_files_is_reported_in_line_order() {
    let diags = diagnostics("many.toml");
    let expected = [
        ("many.toml", None, "name"),
        ("many.toml", Some(8), "managment_fee_bps"),
        ("many.toml", Some(12), "simulation.seed"),
        ("many.toml", Some(15), "risk.copula"),
        ("many.toml", Some(29), "eligibility.max_country_share"),
        ("many.toml", Some(34), "tranches[0].amount"),
        ("many.toml", Some(41), "tranches[1].coupon"),
        ("many.csv", Some(3), "annual_pd"),
        ("many.csv", Some(5), "coupon"),
        ("many.csv", Some(5), "start_date"),
    ];
    assert_eq!(located(&diags), expected, "{diags:#?}");
}

/// Each risk fixture yields exactly its planted problems: no problem is
/// reported twice (a mineral's inherited share, a value that could not be
/// read) and none is missed.
#[rstest]
#[case::ranges("risk_ranges.toml", &[
    ("risk_ranges.toml", Some(10), "risk.dof"),
    ("risk_ranges.toml", Some(11), "risk.construction_pd_multiplier"),
    ("risk_ranges.toml", Some(18), "risk.correlation.region"),
    ("risk_ranges.toml", Some(20), "risk.correlation.by_mineral.nickel"),
    ("risk_ranges.toml", Some(21), "risk.correlation.by_mineral.nickel.country"),
    ("risk_ranges.toml", Some(24), "risk.ratings.horizon_years"),
    ("risk_ranges.toml", Some(28), "risk.ratings.pd.B2"),
    ("risk_ranges.toml", Some(31), "risk.pd_curves.ramp_mine.years[0]"),
    ("risk_ranges.toml", Some(31), "risk.pd_curves.ramp_mine.years[2]"),
    ("risk_ranges.toml", Some(32), "risk.pd_curves.ramp_mine.cumulative_pd[2]"),
    ("risk_ranges.toml", Some(32), "risk.pd_curves.ramp_mine.cumulative_pd[3]"),
])]
#[case::references("risk_refs.toml", &[
    ("risk_refs.toml", Some(20), "risk.correlation.by_mineral.lithium"),
    ("risk_refs.toml", Some(24), "risk.correlation.by_mineral.cobalt"),
    ("risk_refs.csv", Some(2), "rating"),
    ("risk_refs.csv", Some(3), "pd_curve"),
    ("risk_refs.csv", Some(4), "construction_end"),
    ("risk_refs.csv", Some(5), "construction_end"),
])]
#[case::unreadable("risk_read.toml", &[
    ("risk_read.toml", Some(11), "risk.dof"),
    ("risk_read.toml", Some(21), "risk.correlation.by_mineral.lithium.minerl"),
    ("risk_read.toml", Some(23), "risk.ratings.horizon_years"),
    ("risk_read.toml", Some(31), "risk.pd_curves.ramp_mine.cumulative_pd"),
    ("risk_read.csv", Some(2), "construction_end"),
    ("risk_read.csv", Some(3), "rating"),
    ("risk_read.csv", Some(4), "annual_pd"),
    ("risk_read.csv", Some(5), "pd_curve"),
])]
#[case::rating_table("idealized_table.toml", &[
    ("idealized_table.toml", Some(56), "implied_rating.horizon"),
    ("idealized_table.csv", Some(2), "year"),
    ("idealized_table.csv", Some(4), "default_probability"),
    ("idealized_table.csv", Some(4), "expected_loss"),
    ("idealized_table.csv", Some(5), "expected_loss"),
    ("idealized_table.csv", Some(5), "year"),
    ("idealized_table.csv", Some(5), "default_probability"),
    ("idealized_table.csv", Some(6), "expected_loss"),
    ("idealized_table.csv", Some(7), "default_probability"),
])]
fn risk_fixtures_report_exactly_their_problems(
    #[case] toml: &str,
    #[case] expected: &[(&str, Option<usize>, &str)],
) {
    let diags = diagnostics(toml);
    assert_eq!(located(&diags), expected, "{diags:#?}");
}

/// A file named by the facility that cannot be read is one diagnostic, on
/// the key naming it.
#[rstest]
#[case::project_list(false, "", 8, "projects", "cannot read the project list")]
#[case::rating_table(
    true,
    "\n[implied_rating]\ntable = \"absent.csv\"\nsource = \"synthetic\"\n",
    53,
    "implied_rating.table",
    "cannot read the idealized rating table"
)]
fn a_named_file_that_cannot_be_read_is_located_at_its_key(
    #[case] with_projects: bool,
    #[case] extra_toml: &str,
    #[case] line: usize,
    #[case] field: &str,
    #[case] message: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    let good = Path::new("tests/fixtures/good");
    if with_projects {
        std::fs::copy(good.join("projects.csv"), dir.path().join("projects.csv")).unwrap();
    }
    let text = std::fs::read_to_string(good.join("facility.toml")).unwrap() + extra_toml;
    let path = dir.path().join("facility.toml");
    std::fs::write(&path, text).unwrap();
    let Err(SpecError::Invalid(diags)) = load_facility(&path, &LoadOptions::default()) else {
        panic!("expected invalid input");
    };
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(
        (diags[0].line, diags[0].field.as_str()),
        (Some(line), field)
    );
    assert!(diags[0].message.contains(message), "{}", diags[0]);
}

#[test]
fn missing_facility_file_is_an_io_error() {
    let err = load_facility(
        Path::new("tests/fixtures/nope.toml"),
        &LoadOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, SpecError::Io { .. }));
    assert!(err.to_string().contains("nope.toml"), "{err}");
}
