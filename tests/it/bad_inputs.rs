//! The corpus of hostile and careless inputs from issue 17: each edit of
//! the quickstart facility, its project list or a scenarios file must end
//! at once with its exit code and an error naming the file, line and field
//! (never a panic, a hang, a silent wrong number or a write outside --out).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use rstest::rstest;
use tempfile::TempDir;

/// A scenarios file with one valid scenario, as the quickstart has none.
const SCENARIOS: &str =
    "[[scenarios]]\nname = \"stress\"\npd_multiplier = [{ multiplier = 2.0 }]\n";

/// Which input an edit applies to.
#[derive(Clone, Copy)]
enum Input {
    Facility,
    Projects,
    Scenarios,
}

/// A copy of the quickstart (with a scenarios file) with `edit` applied to
/// one of its files.
fn edited(input: Input, edit: &dyn Fn(&str) -> String) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (facility, projects) = crate::common::quickstart_with_scenarios();
    let files = [
        ("facility.toml", facility, Input::Facility),
        ("projects.csv", projects, Input::Projects),
        ("scenarios.toml", SCENARIOS.to_owned(), Input::Scenarios),
    ];
    for (name, text, which) in files {
        let text = if std::mem::discriminant(&which) == std::mem::discriminant(&input) {
            edit(&text)
        } else {
            text
        };
        fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn blendsim() -> Command {
    let mut cmd = Command::cargo_bin("blendsim").expect("the binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    // A hang is a failure, not a stuck CI job.
    cmd.timeout(Duration::from_secs(60));
    cmd
}

/// Runs `args` (the facility path first) and returns the exit code and
/// stderr.
fn outcome(dir: &TempDir, args: &[&str]) -> (Option<i32>, String) {
    let out = dir.path().join("out");
    let output = blendsim()
        .args(args.iter().map(|a| {
            a.replace(
                "{facility}",
                &dir.path().join("facility.toml").display().to_string(),
            )
            .replace("{out}", &out.display().to_string())
        }))
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Every file under `root`.
fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in fs::read_dir(root).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

const RUN: &[&str] = &[
    "run",
    "{facility}",
    "--paths",
    "200",
    "--quiet",
    "--out",
    "{out}",
];
const RUN_ALL: &[&str] = &[
    "run",
    "{facility}",
    "--paths",
    "200",
    "--quiet",
    "--scenario",
    "all",
    "--out",
    "{out}",
];
const VALIDATE: &[&str] = &["validate", "{facility}"];

fn replace(from: &'static str, to: &'static str) -> impl Fn(&str) -> String {
    move |text| {
        assert!(text.contains(from), "{from} not in the input");
        text.replace(from, to)
    }
}

#[rstest]
#[case::legal_final_typo(Input::Facility, &replace("legal_final_date = 2043-01-01", "legal_final_date = 2403-01-01"), RUN, "facility.toml:13: field `legal_final_date`")]
#[case::legal_final_9999(Input::Facility, &replace("legal_final_date = 2043-01-01", "legal_final_date = 9999-12-31"), RUN, "facility.toml:13: field `legal_final_date`")]
#[case::start_year_1(Input::Facility, &replace("start_date = 2027-01-01", "start_date = 0001-01-01"), RUN, "facility.toml:10: field `start_date`")]
#[case::pik_to_2300(Input::Facility, &|t: &str| t.replace("legal_final_date = 2043-01-01", "legal_final_date = 2300-01-01").replace("coupon = 0.08 ", "coupon = 0.12 "), RUN, "field `legal_final_date`")]
#[case::pik_at_100_percent(Input::Facility, &replace("coupon = 0.08 ", "coupon = 0.99 "), RUN, "facility.toml:57: field `tranches[1].coupon`: the facility's balances could reach")]
#[case::scenario_traversal(Input::Scenarios, &replace("name = \"stress\"", "name = \"../../../X\""), RUN_ALL, "scenarios.toml:2: field `scenarios[0].name`")]
#[case::scenario_absolute(Input::Scenarios, &replace("name = \"stress\"", "name = \"/abs/path\""), RUN_ALL, "scenarios.toml:2: field `scenarios[0].name`")]
#[case::scenario_dot(Input::Scenarios, &replace("name = \"stress\"", "name = \".\""), VALIDATE, "scenarios.toml:2: field `scenarios[0].name`")]
#[case::scenario_dotdot(Input::Scenarios, &replace("name = \"stress\"", "name = \"..\""), VALIDATE, "scenarios.toml:2: field `scenarios[0].name`")]
#[case::scenario_slash(Input::Scenarios, &replace("name = \"stress\"", "name = \"a/b\""), VALIDATE, "scenarios.toml:2: field `scenarios[0].name`")]
#[case::scenario_all(Input::Scenarios, &replace("name = \"stress\"", "name = \"all\""), VALIDATE, "scenarios.toml:2: field `scenarios[0].name`: `all` is a reserved word")]
#[case::scenario_case_twin(Input::Scenarios, &|t: &str| format!("{t}{}", t.replace("stress", "STRESS")), VALIDATE, "scenarios.toml:5: field `scenarios[1].name`")]
#[case::huge_dof_validate(Input::Facility, &replace("copula = \"gaussian\"", "copula = \"student_t\"\ndof = 1e9"), VALIDATE, "facility.toml:25: field `risk.dof`")]
#[case::huge_dof_run(Input::Facility, &replace("copula = \"gaussian\"", "copula = \"student_t\"\ndof = 1e9"), &["run", "{facility}", "--paths", "1", "--out", "{out}"], "field `risk.dof`")]
#[case::dof_below_one(Input::Facility, &replace("copula = \"gaussian\"", "copula = \"student_t\"\ndof = 0.001"), VALIDATE, "field `risk.dof`")]
#[case::tiny_recovery_sd(Input::Projects, &replace(",0.729,0.22\n", ",0.5,1e-9\n"), VALIDATE, "projects.csv:2: field `recovery_sd`")]
#[case::recovery_lag(Input::Facility, &replace("recovery_lag_months = 24", "recovery_lag_months = 4000000000"), VALIDATE, "field `risk.recovery_lag_months`")]
#[case::projects_dev_zero(Input::Facility, &replace("projects = \"projects.csv\"", "projects = \"/dev/zero\""), VALIDATE, "facility.toml:15: field `projects`: cannot read the project list /dev/zero: it is a device")]
#[case::projects_folder(Input::Facility, &replace("projects = \"projects.csv\"", "projects = \".\""), VALIDATE, "facility.toml:15: field `projects`")]
#[case::missing_scenarios_file(Input::Facility, &replace("scenarios = \"scenarios.toml\"", "scenarios = \"nope.toml\""), VALIDATE, "facility.toml:16: field `scenarios`: cannot read the scenarios file")]
#[case::nul_in_tranche_name(Input::Facility, &replace("name = \"senior\" ", "name = \"sen\\u0000ior\" "), RUN, "facility.toml:46: field `tranches[0].name`")]
#[case::tranche_name_with_dot(Input::Facility, &replace("name = \"senior\" ", "name = \"sen.ior\" "), VALIDATE, "facility.toml:46: field `tranches[0].name`")]
#[case::crlf_line_numbers(Input::Projects, &|t: &str| t.replace('\n', "\r\n").replace(",0.0825,2028-01-01", ",x,2028-01-01"), VALIDATE, "projects.csv:3: field `coupon`")]
#[case::control_character_cell(Input::Projects, &replace("Yarrabee Spodumene Mine", "Yarrabee\u{1b}[2J"), VALIDATE, "projects.csv:2: field `name`: `Yarrabee\\u{1b}[2J` contains a control character")]
#[case::paths_u64_max(Input::Facility, &|t: &str| t.to_owned(), &["run", "{facility}", "--paths", "18446744073709551615", "--out", "{out}"], "--paths 18446744073709551615")]
#[case::paths_beyond_memory(Input::Facility, &|t: &str| t.to_owned(), &["run", "{facility}", "--paths", "999999999", "--out", "{out}"], "paths fit; run fewer paths")]
#[case::size_paths_beyond_memory(Input::Facility, &|t: &str| t.to_owned(), &["size", "{facility}", "--target", "senior.expected_loss <= 0.0001", "--solve", "first_loss", "--absorb", "senior", "--paths", "999999999", "--out", "{out}"], "for the pool sample of every scenario and the per-path values of the grid's candidates but")]
#[case::sweep_paths_beyond_memory(Input::Facility, &|t: &str| t.to_owned(), &["sweep", "{facility}", "--vary", "first_loss.share=0.05:0.25:0.05", "--absorb", "senior", "--paths", "999999999", "--out", "{out}"], "for a pool sample and the per-path readings of the grid's points but")]
#[case::threads_10000(Input::Facility, &|t: &str| t.to_owned(), &["run", "{facility}", "--paths", "300", "--threads", "10000", "--out", "{out}"], "--threads 10000: 10000 threads: a run takes 1 to 4 per core")]
#[case::file_paths(Input::Facility, &replace("paths = 20000", "paths = 10000000000"), VALIDATE, "facility.toml:20: field `simulation.paths`")]
fn bad_input_fails_at_once_naming_where(
    #[case] input: Input,
    #[case] edit: &dyn Fn(&str) -> String,
    #[case] args: &[&str],
    #[case] expected: &str,
) {
    let dir = edited(input, edit);
    let (code, stderr) = outcome(&dir, args);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(expected),
        "expected {expected:?} in:\n{stderr}"
    );
    assert!(stderr.len() < 4_000, "a long error:\n{stderr}");
    let written: Vec<_> = files_under(dir.path())
        .into_iter()
        .filter(|p| !p.starts_with(dir.path().join("out")))
        .collect();
    assert_eq!(written.len(), 3, "a file outside --out: {written:?}");
}

/// --out naming a file is refused before any simulation (a million paths,
/// within the memory check, would take a while).
#[test]
fn out_naming_a_file_is_refused_at_once() {
    let dir = edited(Input::Facility, &|t: &str| t.to_owned());
    fs::write(dir.path().join("out"), "a file").unwrap();
    let (code, stderr) = outcome(
        &dir,
        &["run", "{facility}", "--paths", "1000000", "--out", "{out}"],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("is a file; expected a folder"), "{stderr}");
}

/// A project list at /proc/self/environ: the environment is not echoed.
#[cfg(target_os = "linux")]
#[test]
fn a_binary_project_list_is_not_echoed() {
    let dir = edited(
        Input::Facility,
        &replace(
            "projects = \"projects.csv\"",
            "projects = \"/proc/self/environ\"",
        ),
    );
    let output = blendsim()
        .args(["validate"])
        .arg(dir.path().join("facility.toml"))
        .env("BLENDSIM_TEST_SECRET", "x".repeat(100))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("/proc/self/environ:1: cell 1 of the header row is not a column name"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("BLENDSIM_TEST_SECRET") && !stderr.contains('\0'),
        "{stderr}"
    );
}

/// A FIFO as the project list is refused without being opened (opening it
/// would wait for a writer for ever).
#[cfg(unix)]
#[test]
fn a_fifo_is_refused_at_once() {
    let dir = edited(
        Input::Facility,
        &replace("projects = \"projects.csv\"", "projects = \"fifo.csv\""),
    );
    let fifo = dir.path().join("fifo.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let (code, stderr) = outcome(&dir, VALIDATE);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("field `projects`") && stderr.contains("not a regular file"),
        "{stderr}"
    );
}

/// Batch over a folder with no facility is an error, not an empty success.
#[test]
fn batch_without_a_facility_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("empty")).unwrap();
    let output = blendsim()
        .arg("batch")
        .arg(dir.path().join("empty"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no facility file found"), "{stderr}");
}

/// An idealized rating table with year 4,000,000,000 is refused on its row
/// (it used to lay out 6 GB).
#[test]
fn a_huge_table_year_is_refused_on_its_row() {
    let dir = edited(Input::Facility, &|t: &str| {
        format!("{t}\n[implied_rating]\ntable = \"table.csv\"\nsource = \"test\"\n")
    });
    let table = "rating,year,default_probability\nR1,1,0.01\nR1,4000000000,0.02\n";
    fs::write(dir.path().join("table.csv"), table).unwrap();
    let (code, stderr) = outcome(&dir, VALIDATE);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("table.csv:3: field `year`"), "{stderr}");
}

/// Extreme but accepted inputs run to plausible numbers: a 12% PIK
/// mezzanine to a legal final 99 years out (its worst case, 2.8e9 cents x
/// exp(0.12 x 100.5) = 4.8e14, fits), and a t copula at the largest dof.
#[rstest]
#[case::long_pik(&|t: &str| t.replace("legal_final_date = 2043-01-01", "legal_final_date = 2126-01-01").replace("coupon = 0.08 ", "coupon = 0.12 "))]
#[case::largest_dof(&|t: &str| t.replace("copula = \"gaussian\"", "copula = \"student_t\"\ndof = 1e6"))]
fn extreme_accepted_inputs_give_sane_numbers(#[case] edit: &dyn Fn(&str) -> String) {
    let dir = edited(Input::Facility, edit);
    let (code, stderr) = outcome(&dir, RUN);
    assert_eq!(code, Some(0), "{stderr}");
    let summary = fs::read_to_string(dir.path().join("out/summary.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(summary.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        let el: f64 = record[column("expected_loss")].parse().unwrap();
        let moic: f64 = record[column("moic_mean")].parse().unwrap();
        assert!((0.0..=1.0).contains(&el), "{record:?}");
        assert!(
            moic.is_finite() && (0.0..100.0).contains(&moic),
            "{record:?}"
        );
    }
}

/// `size` and `sweep` estimate what they keep per path, not what a run
/// does: a sizing over a wide grid in several scenarios, or a sweep of many
/// points, needs more per path than a run of the same facility, so paths
/// that fit a run can be too many for them; refused before any work with
/// how much they need.
#[test]
fn sizing_and_sweeps_estimate_their_own_memory() {
    use blendsim::limits::{LimitError, Work, check_work_memory, work_bytes_per_path};
    use blendsim::model::Model;
    let loaded = blendsim::spec::load_facility(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("portfolios/quickstart/facility.toml"),
        &blendsim::spec::LoadOptions::default(),
    )
    .unwrap();
    let model = Model::compile(&loaded.spec).unwrap();
    let run = work_bytes_per_path(&model, Work::Run);
    let sizing = Work::Sizing {
        scenarios: 3,
        candidates: 201,
    };
    let sweep = Work::Sweep { points: 25 };
    // 201 candidates x (16 + 8 x 3) bytes alone are 8,040 bytes a path.
    assert!(work_bytes_per_path(&model, sizing) > 8_040);
    assert!(work_bytes_per_path(&model, sweep) > 64 * 16);
    assert!(work_bytes_per_path(&model, sizing) > 10 * run);
    let paths = 1_000_000;
    let available = Some(2 * run * paths);
    assert_eq!(
        check_work_memory(&model, Work::Run, paths, available),
        Ok(())
    );
    match check_work_memory(&model, sizing, paths, available) {
        Err(LimitError::Memory { needed_mb, fit, .. }) => {
            assert!(needed_mb >= 8_040, "{needed_mb}");
            // More than ten runs' worth a path: twice a run's memory fits
            // under a fifth of the paths.
            assert!(fit < paths / 5, "{fit}");
        }
        other => panic!("expected a memory refusal, got {other:?}"),
    }
    assert!(check_work_memory(&model, sweep, paths, available).is_err());
}
