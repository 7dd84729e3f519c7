//! `[waterfall]` and `[guarantee]` in facility.toml: a good table is read
//! into the expected steps and compiles; every bad one is refused with a
//! diagnostic naming the step (file, line, `waterfall.<list>[i].<field>`).

use std::path::{Path, PathBuf};

use blendsim::model::{Model, PrincipalStep, Step};
use blendsim::spec::{
    CoverageKind, Diagnostic, FeeBasis, LoadOptions, LoadedFacility, PdlRecoveries, ReserveTarget,
    SpecError, StepSpec, load_facility,
};
use rstest::rstest;
use tempfile::TempDir;

/// The good fixture without its management fee, with `extra` appended.
fn facility_with(extra: &str) -> (TempDir, PathBuf) {
    let folder = tempfile::tempdir().unwrap();
    let good = Path::new("tests/fixtures/good");
    let toml = std::fs::read_to_string(good.join("facility.toml"))
        .unwrap()
        .replace("management_fee_bps = 25\n", "");
    let path = folder.path().join("facility.toml");
    std::fs::write(&path, format!("{toml}\n{extra}")).unwrap();
    std::fs::copy(
        good.join("projects.csv"),
        folder.path().join("projects.csv"),
    )
    .unwrap();
    (folder, path)
}

fn load(extra: &str) -> Result<LoadedFacility, SpecError> {
    let (_folder, path) = facility_with(extra);
    load_facility(&path, &LoadOptions::default())
}

fn diagnostics(extra: &str) -> Vec<Diagnostic> {
    match load(extra) {
        Err(SpecError::Invalid(diags)) => diags,
        other => panic!("expected invalid input, got {other:?}"),
    }
}

/// The good fixture's waterfall written out, with an OC test, a reserve,
/// a subordinated fee and a pro rata step.
const GOOD: &str = r#"
[[waterfall.interest]]
kind = "fee"
name = "management"
rate_bps = 25

[[waterfall.interest]]
kind = "interest"
tranche = "senior"

[[waterfall.interest]]
kind = "reserve"
name = "liquidity"
target_periods = 2

[[waterfall.interest]]
kind = "coverage_test"
name = "mezzanine_oc"
test = "oc"
tranche = "mezzanine"
min_ratio = 1.12

[[waterfall.interest]]
kind = "interest"
tranche = "mezzanine"

[[waterfall.interest]]
kind = "fee"
name = "servicer_sub"
amount = "2500.00"

[[waterfall.interest]]
kind = "residual"
tranche = "first_loss"

[[waterfall.principal]]
kind = "principal"
tranches = ["senior", "mezzanine"]
pro_rata = true
sequential_after_test_failure = true

[[waterfall.principal]]
kind = "principal"
tranches = ["first_loss"]

[[waterfall.principal]]
kind = "residual"
tranche = "first_loss"
"#;

#[test]
fn a_good_waterfall_is_read_and_compiled() {
    let loaded = load(GOOD).expect("good waterfall loads");
    let waterfall = loaded.spec.waterfall.as_ref().expect("waterfall read");
    let kinds: Vec<&str> = waterfall.interest.iter().map(StepSpec::kind).collect();
    assert_eq!(
        kinds,
        [
            "fee",
            "interest",
            "reserve",
            "coverage_test",
            "interest",
            "fee",
            "residual"
        ]
    );
    match &waterfall.interest[0] {
        StepSpec::Fee(fee) => assert_eq!(fee.basis, FeeBasis::PerformingPool { rate_bps: 25.0 }),
        other => panic!("{other:?}"),
    }
    match &waterfall.interest[2] {
        StepSpec::Reserve(r) => {
            assert_eq!(r.target, ReserveTarget::InterestPeriods(2));
            assert!(r.tranches.is_empty());
        }
        other => panic!("{other:?}"),
    }
    match &waterfall.interest[3] {
        StepSpec::CoverageTest(t) => {
            assert_eq!((t.test, t.min_ratio), (CoverageKind::Oc, 1.12));
        }
        other => panic!("{other:?}"),
    }
    let model = Model::compile(&loaded.spec).expect("compiles");
    let l = &model.liabilities;
    assert_eq!(l.fees.len(), 2);
    assert_eq!(
        l.reserves[0].tranches,
        vec![0],
        "a reserve covers the most senior by default"
    );
    assert_eq!(l.reserve_for, vec![Some(0), None, None]);
    assert_eq!(l.tests[0].tranche, 1);
    assert_eq!(
        (l.tests[0].ratio.numerator, l.tests[0].ratio.denominator),
        (112, 100)
    );
    assert_eq!(l.interest_steps[1], Step::Interest(0));
    assert_eq!(l.principal_steps.len(), 3);
    assert_eq!(l.principal_steps[2], Step::Residual(2));
}

/// An event of default with its post-acceleration priority.
const ACCELERATION: &str = r#"
[waterfall.acceleration]
grace_periods = 1

[[waterfall.acceleration.steps]]
kind = "interest"
tranche = "senior"

[[waterfall.acceleration.steps]]
kind = "principal"
tranches = ["senior"]

[[waterfall.acceleration.steps]]
kind = "residual"
tranche = "first_loss"
"#;

/// The acceleration, a PDL and an OC test carrying defaulted loans are
/// read and compiled: the post-acceleration list pays both fees first.
#[test]
fn acceleration_pdl_and_carried_defaults_are_read() {
    let text = format!("{GOOD}{ACCELERATION}")
        .replace(
            "min_ratio = 1.12",
            "min_ratio = 1.12\ndefaulted_value = \"recovery_mean\"",
        )
        .replace(
            "[[waterfall.interest]]\nkind = \"interest\"\ntranche = \"mezzanine\"",
            "[[waterfall.interest]]\nkind = \"pdl\"\ntranche = \"senior\"\n\n[[waterfall.interest]]\nkind = \"interest\"\ntranche = \"mezzanine\"",
        )
        .replace(
            "[[waterfall.interest]]\nkind = \"fee\"\nname = \"management\"",
            "[waterfall]\npdl_recoveries = \"expected\"\n\n[[waterfall.interest]]\nkind = \"fee\"\nname = \"management\"",
        );
    let loaded = load(&text).expect("loads");
    let waterfall = loaded.spec.waterfall.as_ref().unwrap();
    assert_eq!(waterfall.pdl.recoveries, PdlRecoveries::Expected);
    let acceleration = waterfall.acceleration.as_ref().expect("read");
    assert_eq!(acceleration.grace_periods, 1);
    let model = Model::compile(&loaded.spec).expect("compiles");
    let l = &model.liabilities;
    let compiled = l.acceleration.as_ref().expect("compiled");
    assert_eq!(
        compiled.steps,
        [
            Step::Fee(0),
            Step::Fee(1),
            Step::Interest(0),
            Step::Principal(PrincipalStep {
                tranches: vec![0],
                pro_rata: false,
                sequential_after_test_failure: false,
            }),
            Step::Residual(2),
        ]
    );
    assert_eq!(l.interest_steps[4], Step::Pdl(Some(0)));
    let recovery = loaded.spec.projects[0].recovery_mean;
    let carried = l.tests[0].carried_at.as_ref().expect("carried");
    assert_eq!(carried[0], recovery);
    assert!(l.pdl.as_ref().unwrap().assumed_recovery.is_some());
}

#[test]
fn a_guarantee_is_read_with_its_fee_step() {
    let extra = format!(
        "{}\n[guarantee]\nname = \"public_guarantee\"\ncap_share = 0.1\nfee_bps = 50\n",
        GOOD.replacen(
            "[[waterfall.interest]]\nkind = \"interest\"\ntranche = \"senior\"",
            "[[waterfall.interest]]\nkind = \"guarantee_fee\"\n\n[[waterfall.interest]]\nkind = \"interest\"\ntranche = \"senior\"",
            1
        )
    );
    let loaded = load(&extra).expect("guarantee loads");
    let model = Model::compile(&loaded.spec).unwrap();
    let g = model.liabilities.guarantee.as_ref().unwrap();
    // 10% of the pool of 100,000,000.00 = 10,000,000.00 = 1e9 cents.
    assert_eq!(g.cap.minor(), 1_000_000_000);
    assert!(g.public);
    assert_eq!(g.fee, Some(1), "the guarantee fee is the second fee met");
    assert_eq!(model.liabilities.interest_steps[1], Step::Fee(1));
}

/// The good fixture with a top-level `management_fee_bps` and `extra`.
fn load_with_management_fee(extra: &str) -> Result<LoadedFacility, SpecError> {
    let (_folder, path) = facility_with(extra);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("management_fee_bps = 25\n{text}")).unwrap();
    load_facility(&path, &LoadOptions::default())
}

#[test]
fn management_fee_bps_is_refused_with_a_waterfall() {
    let Err(SpecError::Invalid(diags)) = load_with_management_fee(GOOD) else {
        panic!("expected invalid input");
    };
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].field, "management_fee_bps");
    assert_eq!(diags[0].line, Some(1));
    assert!(diags[0].message.contains("write the fee as a `fee` step"));
}

/// Without `[waterfall]`, a guarantee's fee is paid first, before the
/// management fee.
#[test]
fn default_order_pays_the_guarantee_fee_first() {
    let extra = "[guarantee]\nname = \"g\"\ncap = \"5000000\"\nfee_bps = 40\n";
    let loaded = load_with_management_fee(extra).expect("loads");
    let model = Model::compile(&loaded.spec).unwrap();
    let l = &model.liabilities;
    assert_eq!(l.fees[0].name, "g");
    assert_eq!(l.fees[1].name, "management");
    assert_eq!(&l.interest_steps[..2], &[Step::Fee(0), Step::Fee(1)]);
}

fn with_step(list: &str, body: &str) -> String {
    format!("{GOOD}\n[[waterfall.{list}]]\n{body}\n")
}

#[rstest]
#[case::unknown_tranche(
    GOOD.replace("tranche = \"mezzanine\"\n\n[[waterfall.interest]]\nkind = \"fee\"", "tranche = \"mezz\"\n\n[[waterfall.interest]]\nkind = \"fee\""),
    "waterfall.interest[4].tranche",
    "interest step: `mezz` is not a tranche; expected one of senior, mezzanine, first_loss"
)]
#[case::unknown_kind(
    GOOD.replace("kind = \"reserve\"", "kind = \"reserves\""),
    "waterfall.interest[2].kind",
    "`reserves` is not recognised; expected one of `fee`, `interest`"
)]
#[case::field_of_another_kind(
    GOOD.replace("kind = \"interest\"\ntranche = \"senior\"", "kind = \"interest\"\ntranche = \"senior\"\nrate_bps = 5"),
    "waterfall.interest[1].rate_bps",
    "does not apply to a `interest` step; a `interest` step takes only tranche"
)]
#[case::fee_rate_and_amount(
    GOOD.replace("amount = \"2500.00\"", "amount = \"2500.00\"\nrate_bps = 3"),
    "waterfall.interest[5].rate_bps",
    "both `rate_bps` and `amount` are given"
)]
#[case::ratio_out_of_range(
    GOOD.replace("min_ratio = 1.12", "min_ratio = -1"),
    "waterfall.interest[3].min_ratio",
    "-1 is not a coverage ratio"
)]
#[case::test_in_principal_list(
    GOOD.replace("[[waterfall.principal]]\nkind = \"principal\"\ntranches = [\"first_loss\"]", "[[waterfall.principal]]\nkind = \"coverage_test\"\nname = \"late\"\ntest = \"ic\"\ntranche = \"senior\"\nmin_ratio = 1.1\n\n[[waterfall.principal]]\nkind = \"principal\"\ntranches = [\"first_loss\"]"),
    "waterfall.principal[1].kind",
    "acts on interest proceeds; expected it in waterfall.interest"
)]
#[case::tranche_never_repaid(
    GOOD.replace("tranches = [\"first_loss\"]", "tranches = [\"senior\"]"),
    "waterfall.principal",
    "tranche `first_loss` is never paid principal"
)]
#[case::no_final_residual(
    with_step("principal", "kind = \"principal\"\ntranches = [\"senior\"]"),
    "waterfall.principal[2].kind",
    "a residual step pays everything left, so the 1 steps after it would never be paid"
)]
#[case::coupon_never_paid(
    GOOD.replace("kind = \"interest\"\ntranche = \"mezzanine\"", "kind = \"fee\"\nname = \"x\"\nrate_bps = 1"),
    "waterfall.interest",
    "tranche `mezzanine` bears a coupon but no interest step pays it"
)]
#[case::duplicate_fee_name(
    GOOD.replace("name = \"servicer_sub\"", "name = \"management\""),
    "waterfall.interest[5].name",
    "`management` is already the name of the fee step waterfall.interest[0]"
)]
#[case::listed_twice(
    GOOD.replace("tranches = [\"senior\", \"mezzanine\"]", "tranches = [\"senior\", \"senior\", \"mezzanine\"]"),
    "waterfall.principal[0].tranches[1]",
    "`senior` is listed twice"
)]
#[case::guarantee_fee_without_guarantee(
    GOOD.replace("kind = \"residual\"\ntranche = \"first_loss\"\n\n[[waterfall.principal]]", "kind = \"guarantee_fee\"\n\n[[waterfall.interest]]\nkind = \"residual\"\ntranche = \"first_loss\"\n\n[[waterfall.principal]]"),
    "waterfall.interest[6].kind",
    "a guarantee_fee step needs a [guarantee] table"
)]
#[case::reserve_without_target(
    GOOD.replace("target_periods = 2\n", ""),
    "waterfall.interest[2].target_amount",
    "neither `target_amount` nor `target_periods` is given"
)]
#[case::guarantee_fee_never_paid(
    format!("{GOOD}\n[guarantee]\nname = \"g\"\ncap = \"1000000\"\nfee_bps = 30\n"),
    "waterfall.interest",
    "the guarantee charges a fee but no step pays it"
)]
#[case::guarantee_cap_above_pool(
    format!("{GOOD}\n[guarantee]\nname = \"g\"\ncap = \"200000000\"\n"),
    "guarantee.cap",
    "is more than the pool (100000000.00)"
)]
#[case::fee_after_acceleration(
    format!("{GOOD}{ACCELERATION}").replace("kind = \"principal\"\ntranches = [\"senior\"]\n\n[[waterfall.acceleration.steps]]\nkind = \"residual\"", "kind = \"fee\"\nname = \"late\"\nrate_bps = 5\n\n[[waterfall.acceleration.steps]]\nkind = \"residual\""),
    "waterfall.acceleration.steps[1].kind",
    "a fee step does not apply after an event of default"
)]
#[case::acceleration_without_residual(
    format!("{GOOD}{ACCELERATION}").replace("\n[[waterfall.acceleration.steps]]\nkind = \"residual\"\ntranche = \"first_loss\"\n", ""),
    "waterfall.acceleration.steps",
    "must end with a residual step"
)]
#[case::carried_share_out_of_range(
    GOOD.replace("min_ratio = 1.12", "min_ratio = 1.12\ndefaulted_value = 1.5"),
    "waterfall.interest[3].defaulted_value",
    "1.5 is not a share of the defaulted balance"
)]
#[case::carried_word_unknown(
    GOOD.replace("min_ratio = 1.12", "min_ratio = 1.12\ndefaulted_value = \"mean\""),
    "waterfall.interest[3].defaulted_value",
    "expected \"zero\", \"recovery_mean\" or a share"
)]
fn bad_waterfalls_name_the_step(#[case] extra: String, #[case] field: &str, #[case] message: &str) {
    let diags = diagnostics(&extra);
    let found = diags
        .iter()
        .find(|d| d.field == field)
        .unwrap_or_else(|| panic!("no diagnostic on `{field}` in {diags:#?}"));
    assert!(
        found.message.contains(message),
        "`{}` does not contain `{message}`",
        found.message
    );
    assert!(found.line.is_some(), "{found:?} has no line");
    assert!(
        found
            .file
            .as_ref()
            .is_some_and(|f| f.ends_with("facility.toml"))
    );
}

/// A wrong step and a wrong field elsewhere are both reported, each on its
/// own line.
#[test]
fn every_problem_is_reported_with_its_line() {
    let extra = GOOD
        .replace("min_ratio = 1.12", "min_ratio = \"high\"")
        .replace("rate_bps = 25", "rate_bps = 25\ncolour = \"red\"");
    let diags = diagnostics(&extra);
    let fields: Vec<&str> = diags.iter().map(|d| d.field.as_str()).collect();
    assert!(
        fields.contains(&"waterfall.interest[3].min_ratio"),
        "{fields:?}"
    );
    assert!(
        fields.contains(&"waterfall.interest[0].colour"),
        "{fields:?}"
    );
    let lines: Vec<Option<usize>> = diags.iter().map(|d| d.line).collect();
    assert!(lines.iter().all(Option::is_some), "{diags:#?}");
}
