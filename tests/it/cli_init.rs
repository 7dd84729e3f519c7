//! `blendsim init`, the warnings for likely mistakes, and the errors for
//! passing the wrong file.

use std::fs;

use assert_cmd::Command;
use predicates::prelude::*;

fn blendsim() -> Command {
    let mut cmd = Command::cargo_bin("blendsim").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// `blendsim init tmp && blendsim run tmp/facility.toml` works: the
/// example validates without a warning and runs, scenarios included.
#[test]
fn init_writes_a_facility_that_validates_and_runs_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("tmp");
    blendsim()
        .arg("init")
        .arg(&folder)
        .assert()
        .success()
        .stdout(predicate::str::contains("facility.toml"));
    let facility = folder.join("facility.toml");
    blendsim()
        .arg("validate")
        .arg(&facility)
        .assert()
        .success()
        .stderr("")
        .stdout(predicate::str::contains(
            "6 projects, pool USD 300,000,000, 4 minerals, 5 countries",
        ));
    let out = dir.path().join("out");
    blendsim()
        .arg("run")
        .arg(&facility)
        .args(["--paths", "2000", "--scenario", "all", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stderr("");
    for scenario in ["base", "lithium_price_crash", "global_recession"] {
        let summary = fs::read_to_string(out.join(scenario).join("summary.csv")).unwrap();
        assert_eq!(summary.lines().count(), 4, "{summary}");
    }
    // Every line of the facility file that sets a key is explained: the
    // file is commented throughout.
    let text = fs::read_to_string(&facility).unwrap();
    let comments = text.lines().filter(|l| l.contains('#')).count();
    assert!(comments > 40, "{comments} commented lines");
}

#[test]
fn init_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("projects.csv"), "mine").unwrap();
    blendsim()
        .arg("init")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("projects.csv already exist"));
    assert_eq!(
        fs::read_to_string(dir.path().join("projects.csv")).unwrap(),
        "mine"
    );
    assert!(!dir.path().join("facility.toml").exists());
}

/// The example with `edit` applied to its facility file.
fn edited_example(edit: impl FnOnce(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    blendsim().arg("init").arg(dir.path()).assert().success();
    let path = dir.path().join("facility.toml");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, edit(text)).unwrap();
    dir
}

#[test]
fn likely_mistakes_are_warned_about_and_the_run_goes_on() {
    // No public tranche: the public side's figures are undefined.
    let dir = edited_example(|t| t.replace("public = true", "public = false"));
    blendsim()
        .arg("validate")
        .arg(dir.path().join("facility.toml"))
        .assert()
        .success()
        .stderr(
            predicate::str::contains("warning: ").and(predicate::str::contains(
                "field `tranches`: no tranche (and no guarantee) is `public = true`",
            )),
        );
    // Legal final 2037-07-01, before the latest maturity 2036-01-01 plus
    // the 24-month lag (2038-01-01).
    let dir = edited_example(|t| {
        t.replace(
            "legal_final_date = 2039-01-01",
            "legal_final_date = 2037-07-01",
        )
    });
    let facility = dir.path().join("facility.toml");
    let line = fs::read_to_string(&facility)
        .unwrap()
        .lines()
        .position(|l| l.starts_with("legal_final_date"))
        .unwrap()
        + 1;
    blendsim()
        .arg("validate")
        .arg(&facility)
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "facility.toml:{line}: field `legal_final_date`: 2037-07-01 is before the latest \
             maturity 2036-01-01 plus the 24-month recovery lag (2038-01-01)"
        )));
}

#[test]
fn the_wrong_file_kind_is_named_with_the_file_to_pass() {
    let cases = [
        (
            "portfolios/quickstart/projects.csv",
            "this is a project list (CSV), not a facility file; pass the facility .toml whose \
             `projects` key names it, e.g. portfolios/quickstart/facility.toml",
        ),
        (
            "portfolios/us-rok-critical-minerals/scenarios.toml",
            "this is a stress-scenarios file, not a facility file",
        ),
        (
            "portfolios/quickstart",
            "this is a folder; pass its facility file, portfolios/quickstart/facility.toml",
        ),
        (
            "portfolios",
            "e.g. one of portfolios/quickstart/facility.toml, \
             portfolios/us-rok-critical-minerals/facility.toml",
        ),
    ];
    for (path, message) in cases {
        blendsim()
            .args(["run", path])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message))
            .stderr(predicate::str::contains("TOML").not());
    }
}
