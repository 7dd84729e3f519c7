//! `blendsim batch`: many facilities into one folder, past bad inputs.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn copy_quickstart(to: &Path) {
    fs::create_dir_all(to).unwrap();
    for file in ["facility.toml", "projects.csv"] {
        fs::copy(Path::new("portfolios/quickstart").join(file), to.join(file)).unwrap();
    }
}

#[test]
fn a_batch_runs_every_facility_and_carries_on_past_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    copy_quickstart(&dir.path().join("inputs/alpha"));
    copy_quickstart(&dir.path().join("inputs/beta"));
    // A third facility with a float amount: reported, skipped, exit 2 at the end.
    copy_quickstart(&dir.path().join("inputs/broken"));
    let broken = dir.path().join("inputs/broken/facility.toml");
    let text = fs::read_to_string(&broken)
        .unwrap()
        .replace("amount = \"150000000\"", "amount = 150000000.0");
    fs::write(&broken, text).unwrap();
    let out = dir.path().join("out");
    Command::cargo_bin("blendsim")
        .unwrap()
        .arg("batch")
        .arg(dir.path().join("inputs"))
        .args(["--paths", "500", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("broken/facility.toml"))
        .stderr(predicates::str::contains("1 of 3 facilities failed"));
    let summary = fs::read_to_string(out.join("summary.csv")).unwrap();
    let facilities: Vec<&str> = summary
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        facilities,
        ["alpha", "alpha", "alpha", "beta", "beta", "beta"]
    );
    assert!(summary.starts_with("facility,scenario,tranche,class,notional,"));
    // Same inputs, same seed: the two facilities' rows are identical.
    let rows: Vec<&str> = summary
        .lines()
        .skip(1)
        .map(|l| l.split_once(',').unwrap().1)
        .collect();
    assert_eq!(rows[..3], rows[3..]);
    assert!(out.join("alpha/base/summary.csv").exists());
}

#[test]
fn a_batch_of_nothing_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("blendsim")
        .unwrap()
        .args(["batch", "no/such/*.toml", "--out"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no facility file matches"));
}

/// Overlapping inputs (a folder, and a file in it by another spelling) run
/// each facility once.
#[test]
fn a_facility_named_twice_runs_once() {
    let dir = tempfile::tempdir().unwrap();
    copy_quickstart(&dir.path().join("inputs/alpha"));
    let out = dir.path().join("out");
    Command::cargo_bin("blendsim")
        .unwrap()
        .current_dir(dir.path())
        .args([
            "batch",
            "inputs",
            "./inputs/alpha/facility.toml",
            "inputs/*/facility.toml",
        ])
        .args(["--paths", "200", "--out"])
        .arg(&out)
        .assert()
        .success();
    let summary = fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 4, "{summary}");
    assert!(!out.join("alpha-2").exists());
}
