//! Stopping at a target precision (`--target-se`, `--target-rse`,
//! `--max-paths`, `--block-paths`) and convergence.csv.

use std::path::Path;

use assert_cmd::Command;

use crate::common::{csv_rows, names_in, num};

const QUICKSTART: &str = "portfolios/quickstart/facility.toml";

fn blendsim() -> Command {
    let mut cmd = Command::cargo_bin("blendsim").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).arg("run");
    cmd
}

/// What a successful run printed.
fn stdout_of(cmd: &mut Command) -> String {
    let output = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(output).unwrap()
}

fn run_json(folder: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(folder.join("run.json")).unwrap()).unwrap()
}

#[test]
fn a_run_stopped_at_its_target_is_the_fixed_run_of_its_final_count() {
    let dir = tempfile::tempdir().unwrap();
    let (targeted, fixed) = (dir.path().join("targeted"), dir.path().join("fixed"));
    let stdout = stdout_of(
        blendsim()
            .args([QUICKSTART, "--seed", "3", "--block-paths", "1500"])
            .args(["--target-rse", "mezzanine.expected_loss=0.05"])
            .args([
                "--target-se",
                "senior.prob_loss=0.01",
                "--max-paths",
                "60000",
            ])
            .arg("--out")
            .arg(&targeted),
    );
    let precision = &run_json(&targeted)["precision"];
    assert_eq!(precision["met"], true, "{stdout}");
    let paths = precision["paths"].as_u64().unwrap();
    // Blocks of 1,500: it stopped after a whole block, before the cap,
    // and later than the first block (5% of the mezzanine's EL is not
    // reached on 1,500 paths).
    assert_eq!(paths % 1_500, 0);
    assert!(paths > 1_500 && paths < 60_000, "{paths}");
    assert!(
        stdout.contains("every precision target met after"),
        "{stdout}"
    );
    for reading in precision["readings"].as_array().unwrap() {
        assert_eq!(reading["met"], true);
    }
    let mezzanine = (precision["readings"].as_array().unwrap().iter())
        .find(|r| r["target"]["tranche"] == "mezzanine")
        .unwrap();
    let (estimate, se) = (
        mezzanine["estimate"].as_f64().unwrap(),
        mezzanine["se"].as_f64().unwrap(),
    );
    assert!(se <= 0.05 * estimate, "{se} vs {estimate}");

    blendsim()
        .args([QUICKSTART, "--seed", "3", "--block-paths", "1500"])
        .args(["--paths", &paths.to_string(), "--quiet"])
        .arg("--out")
        .arg(&fixed)
        .assert()
        .success();
    assert_eq!(run_json(&fixed)["paths"], paths);
    assert!(run_json(&fixed).get("precision").is_none());
    let files: Vec<String> = names_in(&fixed)
        .into_iter()
        .filter(|n| n.ends_with(".csv") || n.ends_with(".svg"))
        .collect();
    assert!(files.contains(&"convergence.csv".to_owned()));
    assert!(files.contains(&"convergence.svg".to_owned()));
    for file in files {
        let read = |folder: &Path| std::fs::read(folder.join(&file)).unwrap();
        assert!(read(&targeted) == read(&fixed), "{file} differs");
    }
    // The mezzanine's EL and SE in summary.csv are the ones the target
    // was read from.
    let (_, summary) = csv_rows(&targeted.join("summary.csv"));
    let row = summary
        .iter()
        .find(|r| r["tranche"] == "mezzanine")
        .unwrap();
    assert!((num(row, "expected_loss") - estimate).abs() <= 1e-10);
    assert!((num(row, "expected_loss_se") - se).abs() <= 1e-10);
}

#[test]
fn convergence_rows_follow_the_blocks_and_end_at_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    blendsim()
        .args([
            QUICKSTART,
            "--paths",
            "5000",
            "--block-paths",
            "2000",
            "--quiet",
        ])
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success();
    let (header, rows) = csv_rows(&dir.path().join("convergence.csv"));
    assert_eq!(header, "paths,tranche,metric,estimate,se");
    let (_, summary) = csv_rows(&dir.path().join("summary.csv"));
    // Blocks at 2,000 and 4,000, then the last path; per block every
    // tranche's expected_loss then prob_loss.
    assert_eq!(rows.len(), 3 * summary.len() * 2);
    let paths: Vec<&str> = rows.iter().map(|r| r["paths"].as_str()).collect();
    assert_eq!(paths.first(), Some(&"2000"));
    assert_eq!(paths[summary.len() * 2], "4000");
    assert_eq!(paths.last(), Some(&"5000"));
    for tranche in &summary {
        let last = |metric: &str| {
            rows.iter()
                .rev()
                .find(|r| r["tranche"] == tranche["tranche"] && r["metric"] == metric)
                .unwrap()
        };
        for (metric, column) in [
            ("expected_loss", "expected_loss"),
            ("prob_loss", "prob_loss"),
        ] {
            let row = last(metric);
            assert_eq!(row["estimate"], tranche[column], "{metric}");
            let se = format!("{column}_se");
            assert!(
                (num(row, "se") - num(tranche, &se)).abs() <= 1e-10,
                "{metric}"
            );
        }
    }
}

#[test]
fn a_target_out_of_reach_stops_at_the_cap_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = stdout_of(
        blendsim()
            .args([
                QUICKSTART,
                "--target-se",
                "senior.expected_loss=0.0000000001",
            ])
            .args(["--max-paths", "3000", "--block-paths", "1000"])
            .arg("--out")
            .arg(dir.path()),
    );
    assert!(
        stdout.contains("not all met at the cap of 3,000 paths"),
        "{stdout}"
    );
    let json = run_json(dir.path());
    assert_eq!(json["paths"], 3000);
    assert_eq!(json["precision"]["met"], false);
}

#[rstest::rstest]
#[case::paths_and_target(&["--paths", "100", "--target-se", "senior.expected_loss=0.001"], "--max-paths")]
#[case::cap_without_target(&["--max-paths", "100"], "--target-se")]
#[case::unknown_tranche(&["--target-se", "junior.expected_loss=0.001"], "senior, mezzanine")]
#[case::unknown_metric(&["--target-se", "senior.el=0.001"], "unknown metric")]
#[case::no_value(&["--target-rse", "senior.expected_loss"], "tranche.metric=value")]
#[case::zero_block(&["--block-paths", "0"], "--block-paths")]
#[case::cap_over_memory(&["--target-se", "senior.expected_loss=0.001", "--max-paths", "18446744073709551615"], "--max-paths")]
fn bad_precision_requests_exit_2_naming_the_flag(#[case] args: &[&str], #[case] names: &str) {
    let dir = tempfile::tempdir().unwrap();
    let output = blendsim()
        .arg(QUICKSTART)
        .args(args)
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8(output).unwrap();
    assert!(stderr.contains(names), "{stderr}");
}
