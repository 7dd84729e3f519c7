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
#[case::missing_column(
    "missing_column.toml",
    "missing_column.csv",
    1,
    "annual_pd",
    "column is missing from the header row"
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
    let found: Vec<_> = diags
        .iter()
        .map(|d| {
            let file = d
                .file
                .as_ref()
                .unwrap()
                .file_name()
                .unwrap()
                .to_str()
                .unwrap();
            (file, d.line, d.field.as_str())
        })
        .collect();
    assert_eq!(found, expected, "{diags:#?}");
}

#[test]
fn project_list_that_cannot_be_read_is_located_at_the_projects_key() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("tests/fixtures/good/facility.toml").unwrap();
    let path = dir.path().join("facility.toml");
    std::fs::write(&path, text).unwrap();
    let Err(SpecError::Invalid(diags)) = load_facility(&path, &LoadOptions::default()) else {
        panic!("expected invalid input");
    };
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(
        (diags[0].line, diags[0].field.as_str()),
        (Some(8), "projects")
    );
    assert!(diags[0].message.contains("cannot read the project list"));
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
