//! `blendsim run --scenario` from the command line, and bad scenario files.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn blendsim() -> Command {
    Command::cargo_bin("blendsim").unwrap()
}

/// The quickstart copied into a temporary folder with `scenarios` as its
/// scenarios file.
fn quickstart_with(scenarios: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new("portfolios/quickstart");
    fs::copy(source.join("projects.csv"), dir.path().join("projects.csv")).unwrap();
    let facility = fs::read_to_string(source.join("facility.toml")).unwrap();
    let facility = facility.replace(
        "projects = \"projects.csv\"",
        "projects = \"projects.csv\"\nscenarios = \"scenarios.toml\"",
    );
    fs::write(dir.path().join("facility.toml"), facility).unwrap();
    fs::write(dir.path().join("scenarios.toml"), scenarios).unwrap();
    let path = dir.path().join("facility.toml");
    (dir, path)
}

const TWO: &str = r#"
[[scenarios]]
name = "recession"
description = "global factor at its 5th percentile"
factor_shift = [{ factor = "global", quantile = 0.05 }]
pd_multiplier = [{ multiplier = 1.25 }]

[[scenarios]]
name = "recovery_stress"
recovery_haircut = [{ haircut = 0.3 }]
"#;

#[test]
fn all_scenarios_run_side_by_side() {
    let (dir, facility) = quickstart_with(TWO);
    let out = dir.path().join("out");
    blendsim()
        .arg("run")
        .arg(&facility)
        .args(["--paths", "2000", "--scenario", "all", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    for scenario in ["base", "recession", "recovery_stress"] {
        assert!(
            out.join(scenario).join("summary.csv").exists(),
            "{scenario}"
        );
    }
    let summary = fs::read_to_string(out.join("summary.csv")).unwrap();
    let mut lines = summary.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("scenario,tranche,class,notional,")
    );
    let scenarios: Vec<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(
        scenarios,
        [
            "base",
            "base",
            "base",
            "recession",
            "recession",
            "recession",
            "recovery_stress",
            "recovery_stress",
            "recovery_stress"
        ]
    );
    // Every CSV of the scenario folders is combined with a scenario column.
    for name in [
        "facility.csv",
        "ratings.csv",
        "cashflows.csv",
        "quantiles.csv",
    ] {
        let combined = fs::read_to_string(out.join(name)).unwrap();
        assert!(combined.starts_with("scenario,"), "{name}");
        let own = fs::read_to_string(out.join("recession").join(name)).unwrap();
        let rows = own.lines().count() - 1;
        assert_eq!(
            combined
                .lines()
                .filter(|l| l.starts_with("recession,"))
                .count(),
            rows,
            "{name}"
        );
    }
    let comparison = fs::read_to_string(out.join("comparison.csv")).unwrap();
    assert!(
        comparison.starts_with("tranche,metric,base,recession,recovery_stress\n"),
        "{comparison}"
    );
    // The recession's first-loss expected loss is above the base case's.
    let first_loss_el: Vec<f64> = comparison
        .lines()
        .find(|l| l.starts_with("first_loss,expected_loss,"))
        .unwrap()
        .split(',')
        .skip(2)
        .map(|x| x.parse().unwrap())
        .collect();
    assert!(first_loss_el[1] > first_loss_el[0], "{first_loss_el:?}");
    // Each scenario's own folder is the same as a run of that scenario alone.
    let alone = dir.path().join("alone");
    blendsim()
        .arg("run")
        .arg(&facility)
        .args([
            "--paths",
            "2000",
            "--scenario",
            "recession",
            "--quiet",
            "--out",
        ])
        .arg(&alone)
        .assert()
        .success();
    assert_eq!(
        fs::read(alone.join("recession/summary.csv")).unwrap(),
        fs::read(out.join("recession/summary.csv")).unwrap()
    );
}

#[test]
fn an_unknown_scenario_is_bad_input() {
    let (_dir, facility) = quickstart_with(TWO);
    blendsim()
        .arg("run")
        .arg(&facility)
        .args(["--paths", "100", "--scenario", "crash"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "no such scenario; the facility has base, recession, recovery_stress",
        ));
}

#[test]
fn bad_scenario_files_name_file_line_and_field() {
    let cases = [
        (
            "[[scenarios]]\nname = \"x\"\npd_multiplier = [{ multiplier = -1 }]\n",
            "scenarios.toml:3: field `scenarios[0].pd_multiplier[0].multiplier`",
        ),
        (
            "[[scenarios]]\nname = \"x\"\nfactor_shift = [{ factor = \"mineral\", name = \"unobtainium\", quantile = 0.05 }]\n",
            "no project has mineral `unobtainium`",
        ),
        (
            "[[scenarios]]\nname = \"x\"\nfactor_shift = [{ factor = \"global\", quantile = 1.5 }]\n",
            "give exactly one of `quantile`",
        ),
        (
            "[[scenarios]]\nname = \"x\"\nrecovery_haircut = [{ haircut = 0.1, colour = \"red\" }]\n",
            "unknown field `colour`",
        ),
        (
            "[[scenarios]]\nname = \"base\"\n",
            "needs a name other than `base`",
        ),
        (
            "[[scenarios]]\nname = \"x\"\ncorrelation = { global = 0.5, mineral = 0.6 }\n",
            "their sum must be below 1",
        ),
    ];
    for (text, expected) in cases {
        let (_dir, facility) = quickstart_with(text);
        blendsim()
            .arg("validate")
            .arg(&facility)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(expected));
    }
}
