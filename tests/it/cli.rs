//! The `blendsim` command end to end: what it prints, the files it writes,
//! its exit codes (0 success, 2 bad input, 1 anything else) and its error
//! messages. Path counts are kept small so the whole file runs in seconds.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use rstest::rstest;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

const QUICKSTART: &str = "portfolios/quickstart/facility.toml";
const FLAGSHIP: &str = "portfolios/us-rok-critical-minerals/facility.toml";

/// The header of summary.csv: its column definitions' names (checked
/// against docs/outputs.md in `docs_outputs`).
fn summary_header() -> String {
    blendsim::report::SUMMARY_COLUMNS
        .iter()
        .map(|c| c.name)
        .collect::<Vec<_>>()
        .join(",")
}

/// Columns of summary.csv that are fractions of a tranche's notional.
const LOSS_COLUMNS: [&str; 9] = [
    "expected_loss",
    "pv_loss",
    "prob_pv_loss",
    "prob_loss",
    "loss_p50",
    "loss_p90",
    "loss_p99",
    "loss_p999",
    "es_99",
];

// ---------------------------------------------------------------- helpers

/// `blendsim` with the given arguments, run from the crate root.
fn blendsim<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = Command::cargo_bin("blendsim").expect("the binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args(args);
    cmd
}

/// Path of a file under the crate root.
fn root(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// A temporary copy of a portfolio folder (facility.toml + projects.csv),
/// with `edit` applied to the facility file's text.
fn copy_portfolio(folder: &str, edit: impl FnOnce(String) -> String) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let toml = fs::read_to_string(root(folder).join("facility.toml")).unwrap();
    fs::write(dir.path().join("facility.toml"), edit(toml)).unwrap();
    fs::copy(
        root(folder).join("projects.csv"),
        dir.path().join("projects.csv"),
    )
    .unwrap();
    dir
}

/// Runs `blendsim run <facility> --out <out> --quiet <extra...>`, asserts
/// success and returns the bytes of summary.csv.
fn run_summary(facility: &Path, out: &Path, extra: &[&str]) -> Vec<u8> {
    blendsim([
        "run".as_ref(),
        facility.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ])
    .arg("--quiet")
    .args(extra)
    .assert()
    .success()
    .stdout("");
    fs::read(out.join("summary.csv")).unwrap()
}

/// run.json of an output folder, parsed.
fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(out.join("run.json")).unwrap()).unwrap()
}

/// Lower-case hex SHA-256 of a file, computed here rather than by blendsim.
fn sha256_hex(path: &Path) -> String {
    Sha256::digest(fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

// ------------------------------------------------------------ 1. `run`

#[test]
fn run_prints_a_table_and_writes_summary_and_manifest() {
    let out = tempfile::tempdir().unwrap();
    let assert = blendsim(["run", QUICKSTART, "--paths", "2000", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();

    // The table: a header, one row per tranche in TOML order, a footer.
    let names = ["senior", "mezzanine", "first_loss"];
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("tranche"), "{stdout}");
    for (i, name) in names.iter().enumerate() {
        let row = lines[1 + i];
        assert_eq!(row.split_whitespace().next(), Some(*name), "{stdout}");
        assert!(row.contains(&format!(" {name} ")), "class column: {row}");
    }
    assert!(lines[4].starts_with("2,000 paths"), "{stdout}");
    assert!(stdout.contains("summary.csv") && stdout.contains("run.json"));

    // summary.csv: the exact header, then one row per tranche.
    let text = fs::read_to_string(out.path().join("summary.csv")).unwrap();
    assert_eq!(text.lines().next(), Some(summary_header().as_str()));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let expected = [
        ("senior", "150000000", 0.25, 1.0),
        ("mezzanine", "28000000", 0.11, 0.25),
        ("first_loss", "22000000", 0.0, 0.11),
    ];
    for (row, (name, notional, attachment, detachment)) in rows.iter().zip(expected) {
        assert_eq!(row.len(), header.len());
        assert_eq!(&row[0], name);
        assert_eq!(&row[1], name, "class");
        let number = |col: &str| -> f64 {
            let cell = &row[column(col)];
            let x: f64 = cell
                .parse()
                .unwrap_or_else(|_| panic!("{name}.{col} = {cell:?} is not a number"));
            assert!(x.is_finite(), "{name}.{col} = {x}");
            x
        };
        for col in &header[2..] {
            // Timely-interest statistics apply to non-deferrable tranches
            // only (the quickstart's senior); empty for the others.
            if col.contains("interest_shortfall") && name != "senior" {
                assert_eq!(&row[column(col)], "", "{name}.{col}");
                continue;
            }
            number(col);
        }
        assert_eq!(number("notional"), notional.parse::<f64>().unwrap());
        assert_eq!(number("attachment"), attachment, "{name}");
        assert_eq!(number("detachment"), detachment, "{name}");
        for col in LOSS_COLUMNS {
            let x = number(col);
            assert!((0.0..=1.0).contains(&x), "{name}.{col} = {x}");
        }
        for col in header.iter().filter(|h| h.ends_with("_se")) {
            if row[column(col)].is_empty() && col.contains("interest_shortfall") {
                continue;
            }
            assert!(number(col) >= 0.0, "{name}.{col}");
        }
        // The ES's standard error (VaR uncertainty included): 20 tail paths
        // are enough for it to be defined, so a number, finite and >= 0.
        assert!(number("es_99_se") >= 0.0, "{name}.es_99_se");
        assert!(number("loss_p50") <= number("loss_p90"));
        assert!(number("loss_p90") <= number("loss_p99"));
        assert!(number("loss_p99") <= number("loss_p999"));
    }

    // run.json: what was run on what.
    let run = manifest(out.path());
    assert_eq!(run["tool"], "blendsim");
    assert_eq!(run["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(run["seed"], 42, "the quickstart's own seed");
    assert_eq!(run["paths"], 2000);
    assert!(run["threads"].as_u64().unwrap() >= 1);
    assert_eq!(run["accepted_breaches"], serde_json::json!([]));
    let inputs = run["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 2);
    for (input, file) in inputs.iter().zip(["facility.toml", "projects.csv"]) {
        let path = input["path"].as_str().unwrap();
        assert!(path.ends_with(file), "{path}");
        let sha = input["sha256"].as_str().unwrap();
        assert_eq!(sha.len(), 64);
        assert!(
            sha.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(sha, sha256_hex(&root("portfolios/quickstart").join(file)));
    }
}

// --------------------------------------------- 2. default output folder

#[test]
fn run_writes_to_out_slash_folder_name_by_default_and_quiet_prints_nothing() {
    let dir = copy_portfolio("portfolios/quickstart", |t| t);
    let mut cmd = Command::cargo_bin("blendsim").unwrap();
    cmd.current_dir(dir.path())
        .args(["run", "facility.toml", "--paths", "500", "--quiet"])
        .assert()
        .success()
        .stdout("");
    // A bare facility.toml is named after the folder it is in.
    let label = dir.path().file_name().unwrap();
    let out = dir.path().join("out").join(label);
    let text = fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(text.lines().next(), Some(summary_header().as_str()));
    assert_eq!(text.lines().count(), 4);
    assert!(out.join("run.json").is_file());
}

/// Two bundled facilities, both called facility.toml, write to two folders;
/// `analytic` and `sweep` write beside the run's pack, not into it.
#[test]
fn default_folders_never_collide() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut cmd = Command::cargo_bin("blendsim").unwrap();
        cmd.current_dir(dir.path()).args(args).arg("--quiet");
        cmd.assert().success();
    };
    let quickstart = root(QUICKSTART).display().to_string();
    let flagship = root(FLAGSHIP).display().to_string();
    run(&["run", &flagship, "--paths", "300"]);
    run(&["run", &quickstart, "--paths", "300"]);
    run(&[
        "sweep",
        &quickstart,
        "--paths",
        "300",
        "--vary",
        "pd_multiplier=1,2",
    ]);
    Command::cargo_bin("blendsim")
        .unwrap()
        .current_dir(dir.path())
        .args(["analytic", &quickstart])
        .assert()
        .success();
    let out = dir.path().join("out");
    let names = |folder: &str| -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(out.join(folder))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let flagship_pack = names("us-rok-critical-minerals");
    // The flagship has `[nexus_events]`, the quickstart not: otherwise the
    // same files in both packs.
    let nexus = ["nexus_events.csv", "nexus_timing.csv", "nexus_impact.csv"].map(String::from);
    assert!(nexus.iter().all(|n| flagship_pack.contains(n)));
    let without_nexus: Vec<String> = (flagship_pack.iter())
        .filter(|n| !nexus.contains(n))
        .cloned()
        .collect();
    assert_eq!(
        without_nexus,
        names("quickstart"),
        "same files in both packs"
    );
    assert!(flagship_pack.contains(&"summary.csv".to_owned()));
    assert!(
        !flagship_pack
            .iter()
            .any(|n| n == "analytic.csv" || n == "sweep.csv")
    );
    assert_eq!(names("quickstart-analytic"), ["SHA256SUMS", "analytic.csv"]);
    assert_eq!(
        names("quickstart-sweep"),
        ["SHA256SUMS", "sweep.csv", "sweep.html"]
    );
    let summary = |folder: &str| fs::read_to_string(out.join(folder).join("summary.csv")).unwrap();
    assert!(summary("us-rok-critical-minerals").contains("1125000000.00"));
    assert!(summary("quickstart").contains("150000000.00"));
}

// ---------------------------------------------------- 3. reproducibility

#[test]
fn results_depend_on_the_seed_and_not_on_the_threads() {
    let facility = root(QUICKSTART);
    let dirs: Vec<TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let common = ["--paths", "1000", "--seed", "7"];
    let one = run_summary(
        &facility,
        dirs[0].path(),
        &[&common[..], &["--threads", "1"]].concat(),
    );
    let two = run_summary(
        &facility,
        dirs[1].path(),
        &[&common[..], &["--threads", "2"]].concat(),
    );
    assert!(one == two, "summary.csv differs between 1 and 2 threads");
    assert_eq!(manifest(dirs[0].path())["threads"], 1);
    assert_eq!(manifest(dirs[1].path())["threads"], 2);
    let other = run_summary(
        &facility,
        dirs[2].path(),
        &["--paths", "1000", "--seed", "8", "--threads", "2"],
    );
    assert!(one != other, "a different seed gave the same summary.csv");
}

#[test]
fn simulation_defaults_come_from_the_facility_and_the_command_line_wins() {
    let dir = copy_portfolio("portfolios/quickstart", |t| {
        t.replace("paths = 20000", "paths = 300")
            .replace("seed = 42", "seed = 7")
    });
    let facility = dir.path().join("facility.toml");

    let from_file = tempfile::tempdir().unwrap();
    let by_file = run_summary(&facility, from_file.path(), &[]);
    let run = manifest(from_file.path());
    assert_eq!((&run["seed"], &run["paths"]), (&7.into(), &300.into()));

    let overridden = tempfile::tempdir().unwrap();
    run_summary(
        &facility,
        overridden.path(),
        &["--seed", "9", "--paths", "200"],
    );
    let run = manifest(overridden.path());
    assert_eq!((&run["seed"], &run["paths"]), (&9.into(), &200.into()));

    // The file's defaults and the same values on the command line are the
    // same run.
    let explicit = tempfile::tempdir().unwrap();
    let by_flags = run_summary(
        &root(QUICKSTART),
        explicit.path(),
        &["--seed", "7", "--paths", "300"],
    );
    assert!(by_file == by_flags);
}

#[test]
fn without_simulation_defaults_the_seed_is_zero() {
    let dir = copy_portfolio("portfolios/quickstart", |t| {
        t.replace("[simulation]\npaths = 20000\nseed = 42\n", "")
    });
    let text = fs::read_to_string(dir.path().join("facility.toml")).unwrap();
    assert!(!text.contains("[simulation]"), "the edit did not apply");
    let out = tempfile::tempdir().unwrap();
    run_summary(
        &dir.path().join("facility.toml"),
        out.path(),
        &["--paths", "100"],
    );
    let run = manifest(out.path());
    assert_eq!((&run["seed"], &run["paths"]), (&0.into(), &100.into()));
}

// ------------------------------------------------------------ 4. validate

#[rstest]
#[case::quickstart(
    QUICKSTART,
    "Quickstart Critical Minerals Facility (illustrative): 10 projects"
)]
#[case::flagship(
    FLAGSHIP,
    "US-ROK Critical Minerals Facility (illustrative): 50 projects"
)]
fn validate_accepts_the_examples_in_one_line(#[case] facility: &str, #[case] start: &str) {
    let assert = blendsim(["validate", facility])
        .assert()
        .success()
        .stderr("");
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with(&format!("ok: {start}")), "{stdout}");
    assert!(
        stdout.contains("tranches senior 75.0%, mezzanine 14.0%, first_loss 11.0%"),
        "{stdout}"
    );
}

/// The risk-model fixture (Student t, ratings, curves, regions, per-mineral
/// shares, construction premium) validates and runs.
#[test]
fn every_risk_model_input_is_accepted_end_to_end() {
    let facility = root("tests/fixtures/risk/facility.toml");
    blendsim(["validate".as_ref(), facility.as_os_str()])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "ok: Risk Model Facility: 4 projects",
        ));
    let out = tempfile::tempdir().unwrap();
    let summary = run_summary(&facility, out.path(), &["--paths", "200"]);
    assert!(
        String::from_utf8(summary)
            .unwrap()
            .starts_with(&summary_header())
    );
}

// ------------------------------------------------------------ 5. bad input

/// Every bad input is refused by both commands with exit code 2 and a
/// message on stderr naming the file, the line and the field; `run` writes
/// nothing.
#[rstest]
#[case::missing_csv_column(
    "tests/fixtures/bad/missing_column.toml",
    "missing_column.csv:1: field `annual_pd`: column is missing"
)]
#[case::float_money(
    "tests/fixtures/bad/float_money.toml",
    "float_money.toml:35: field `tranches[0].amount`: 70000000.0 is a TOML float"
)]
#[case::pd_above_one(
    "tests/fixtures/bad/pd.toml",
    "pd.csv:3: field `annual_pd`: 1.5 is not a probability"
)]
#[case::correlation_sum_over_one(
    "tests/fixtures/bad/correlation_sum.toml",
    "correlation_sum.toml:20: field `risk.correlation`: global + mineral + country = 0.5 + 0.4 + 0.2 = 1.1"
)]
#[case::unknown_tranche_class(
    "tests/fixtures/bad/unknown_class.toml",
    "unknown_class.toml:40: field `tranches[1].class`: `junior` is not recognised"
)]
#[case::legal_final_before_start(
    "tests/fixtures/bad/maturity_before_start.toml",
    "maturity_before_start.toml:6: field `legal_final_date`: 2025-06-30 is not after start_date 2026-01-01"
)]
#[case::project_maturity_before_start(
    "tests/fixtures/bad/project_maturity.toml",
    "project_maturity.csv:4: field `maturity_date`: 2026-03-31 is not after the project's start_date 2026-07-01"
)]
#[case::unknown_rating(
    "tests/fixtures/bad/risk_refs.toml",
    "risk_refs.csv:2: field `rating`: `Baa4` is not in the rating table"
)]
#[case::dof_with_gaussian(
    "tests/fixtures/bad/risk_read.toml",
    "risk_read.toml:11: field `risk.dof`: is only used with copula = \"student_t\""
)]
#[case::rating_table_decreasing(
    "tests/fixtures/bad/idealized_table.toml",
    "idealized_table.csv:4: field `default_probability`: 0.002 at year 3 is below 0.003 at year 2"
)]
#[case::unknown_nexus_code(
    "tests/fixtures/bad/nexus_code.toml",
    "nexus_code.csv:4: field `sponsor_nexus`: `Chna` is not a known nexus code"
)]
#[case::ownership_share_above_one(
    "tests/fixtures/bad/ownership_share.toml",
    "ownership_share.csv:6: field `share`: 1.5 is not a share; expected a decimal in (0, 1]"
)]
#[case::ownership_cycle(
    "tests/fixtures/bad/ownership_cycle.toml",
    "ownership_cycle.csv:8: field `owner`: ownership cycle Andes Copper -> Pacific HoldCo (0.6) -> \
     Red River Capital (0.5) -> Andes Copper (0.1)"
)]
#[case::party_shares_not_adding_up(
    "tests/fixtures/bad/parties.toml",
    "parties.toml:53: field `parties`: the parties hold 0.9 of tranche `first_loss` (9000000 of 10000000); \
     expected shares adding up to 1 exactly"
)]
#[case::negative_discount_rate(
    "tests/fixtures/bad/parties.toml",
    "parties.toml:64: field `parties[1].discount_rate`: -0.01 is not an annual rate"
)]
#[case::unknown_tranche_of_a_party(
    "tests/fixtures/bad/parties.toml",
    "parties.toml:72: field `parties[2].holdings[1].tranche`: `mezz` is not a tranche; expected one of \
     senior, mezzanine, first_loss"
)]
#[case::nexus_hazard_above_one(
    "tests/fixtures/bad/nexus_events.toml",
    "nexus_events.toml:53: field `nexus_events.annual_hazard`: 1.5 is not an annual probability"
)]
#[case::nexus_hazard_of_an_unknown_project(
    "tests/fixtures/bad/nexus_events.toml",
    "nexus_events.toml:56: field `nexus_events.hazard[0].project`: no project has id `XX-01`"
)]
#[case::prc_linked_owner_chain(
    "tests/fixtures/nexus/facility.toml",
    "nexus/projects.csv:3: project `ID-NI-02` breaks `ownership`: sponsor `Andes Copper` is PRC-linked"
)]
#[case::hong_kong_is_prc_linked(
    "tests/fixtures/nexus/facility.toml",
    "nexus/projects.csv:4: project `VN-RE-03` breaks `excluded_sponsor_nexus`: sponsor nexus Hong Kong \
     is excluded (Hong Kong is HK, in PRC = CN, HK, MO; sponsor_nexus = KR;Hong Kong)"
)]
#[case::prc_linked_sponsor(
    "tests/fixtures/prc/facility.toml",
    "prc/projects.csv:3: project `ID-NI-02` breaks `excluded_sponsor_nexus`: sponsor nexus PRC is excluded"
)]
fn bad_input_is_refused_with_a_located_message(
    #[values("validate", "run")] command: &str,
    #[case] facility: &str,
    #[case] message: &str,
) {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("never");
    let mut cmd = blendsim([command, facility]);
    if command == "run" {
        cmd.args(["--paths", "10", "--out"]).arg(&target);
    }
    cmd.assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with("error: "))
        .stderr(predicate::str::contains(message));
    assert!(!target.exists(), "a refused run wrote {}", target.display());
}

/// Command-line mistakes and unreadable inputs: exit code 2, a message
/// saying what is wrong, nothing written.
#[rstest]
#[case::missing_facility_file(&["run", "tests/fixtures/nope.toml"], "cannot read tests/fixtures/nope.toml")]
#[case::missing_facility_file_validate(&["validate", "tests/fixtures/nope.toml"], "cannot read tests/fixtures/nope.toml")]
#[case::zero_paths(&["run", QUICKSTART, "--paths", "0"], "--paths must be at least 1")]
#[case::zero_threads(&["run", QUICKSTART, "--threads", "0"], "--threads must be at least 1")]
#[case::negative_paths(&["run", QUICKSTART, "--paths=-5"], "invalid value '-5' for '--paths")]
#[case::paths_not_a_number(&["run", QUICKSTART, "--paths", "many"], "invalid value 'many' for '--paths")]
#[case::unknown_flag(&["run", QUICKSTART, "--bogus"], "unexpected argument '--bogus'")]
#[case::unknown_flag_validate(&["validate", QUICKSTART, "--out", "x"], "unexpected argument '--out'")]
#[case::no_facility(&["run"], "<FACILITY>")]
#[case::unknown_command(&["simulate", QUICKSTART], "unrecognized subcommand 'simulate'")]
fn bad_command_lines_exit_with_code_2(#[case] args: &[&str], #[case] message: &str) {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("never");
    let mut cmd = blendsim(args);
    if args[0] == "run" && args.len() > 1 {
        cmd.arg("--out").arg(&target);
    }
    cmd.assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(message));
    assert!(!target.exists());
}

#[test]
fn allowed_breaches_pass_validate_with_a_warning_listing_them() {
    blendsim([
        "validate",
        "tests/fixtures/prc/facility.toml",
        "--allow-breaches",
    ])
    .assert()
    .success()
    .stdout(predicate::str::starts_with("ok: "))
    .stderr(predicate::str::contains(
        "warning: eligibility breach accepted (--allow-breaches): \
             tests/fixtures/prc/projects.csv:3: project `ID-NI-02` breaks \
             `excluded_sponsor_nexus`: sponsor nexus PRC is excluded",
    ))
    .stderr(predicate::str::contains("`max_project_share`").count(2));
}

#[test]
fn allowed_breaches_are_recorded_in_the_manifest() {
    let out = tempfile::tempdir().unwrap();
    blendsim([
        "run",
        "tests/fixtures/prc/facility.toml",
        "--allow-breaches",
    ])
    .args(["--paths", "100", "--out"])
    .arg(out.path())
    .assert()
    .success()
    .stderr(predicate::str::contains("sponsor nexus PRC is excluded"));
    let breaches = manifest(out.path())["accepted_breaches"].clone();
    let breaches = breaches.as_array().unwrap();
    assert_eq!(breaches.len(), 3);
    assert!(
        breaches[0]
            .as_str()
            .unwrap()
            .contains("project `ID-NI-02` breaks `excluded_sponsor_nexus`")
    );
}

#[test]
fn missing_facility_file_names_the_cause_once() {
    let assert = blendsim(["validate", "tests/fixtures/nope.toml"])
        .assert()
        .code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert_eq!(
        stderr.matches("No such file or directory").count(),
        1,
        "{stderr}"
    );
}

// ------------------------------------------------------ 6. atomic outputs

// (--out naming a regular file is refused before simulating, exit code 2:
// tests/it/bad_inputs.rs.)
#[rstest]
#[case::under_a_regular_file("file/reports")]
fn unwritable_output_folder_exits_1_naming_it(#[case] out: &str) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("file"), "not a folder").unwrap();
    let target = dir.path().join(out);
    blendsim(["run", QUICKSTART, "--paths", "50", "--quiet", "--out"])
        .arg(&target)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "could not write the reports into {}",
            target.display()
        )));
    assert_eq!(
        fs::read_to_string(dir.path().join("file")).unwrap(),
        "not a folder"
    );
}

#[test]
fn an_output_folder_of_other_files_is_refused_untouched() {
    // A run replaces its output folder as a whole, so a folder holding
    // anything but a previous pack (here a folder named run.json and a
    // user's file) is refused before simulating, and left as it was.
    let out = tempfile::tempdir().unwrap();
    fs::create_dir(out.path().join("run.json")).unwrap();
    fs::write(out.path().join("notes.txt"), "mine").unwrap();
    blendsim(["run", QUICKSTART, "--paths", "50", "--quiet", "--out"])
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "--out {}: holds files that are not a blendsim pack",
            out.path().display()
        )));
    assert_eq!(
        crate::common::names_in(out.path()),
        ["notes.txt", "run.json"]
    );
    assert!(out.path().join("run.json").is_dir());
}

#[test]
fn a_second_run_replaces_the_reports() {
    let out = tempfile::tempdir().unwrap();
    let facility = root(QUICKSTART);
    let first = run_summary(&facility, out.path(), &["--paths", "100", "--seed", "1"]);
    let files = fs::read_dir(out.path()).unwrap().count();
    let second = run_summary(&facility, out.path(), &["--paths", "100", "--seed", "2"]);
    assert!(first != second);
    assert_eq!(manifest(out.path())["seed"], 2);
    assert_eq!(fs::read_dir(out.path()).unwrap().count(), files);
}

#[cfg(unix)]
#[test]
fn reports_get_the_same_permissions_as_any_new_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("plain"), "").unwrap();
    fs::create_dir(dir.path().join("plain folder")).unwrap();
    let mode = |path: &str| {
        let mode = fs::metadata(dir.path().join(path))
            .unwrap()
            .permissions()
            .mode();
        format!("{:o}", mode & 0o777)
    };
    run_summary(
        &root(QUICKSTART),
        &dir.path().join("out"),
        &["--paths", "50"],
    );
    assert_eq!(mode("out/summary.csv"), mode("plain"), "summary.csv");
    assert_eq!(mode("out/run.json"), mode("plain"), "run.json");
    // The output folder was a staging folder until published.
    assert_eq!(mode("out"), mode("plain folder"), "the output folder");
}
