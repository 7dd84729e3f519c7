//! The output folder as a whole: a run publishes its pack in one step, so a
//! run killed at any moment leaves either the complete previous pack or
//! the complete new one (SHA256SUMS lists every file and they match), the
//! next run removes what the killed one left beside the folder, two runs
//! on one folder never mix their files, and a run replaces everything the
//! previous one wrote.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use blendsim::publish::{Staging, verify_pack};

use crate::common::{held_by_this_process, kill_at_spread_moments, names_in};

const QUICKSTART: &str = "portfolios/quickstart/facility.toml";
const FLAGSHIP: &str = "portfolios/us-rok-critical-minerals/facility.toml";

fn root(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// `blendsim run FACILITY --quiet --out OUT ARGS...` as a process to start.
fn run_process(facility: &str, out: &Path, args: &[&str]) -> Process {
    let mut process = Process::new(env!("CARGO_BIN_EXE_blendsim"));
    process
        .arg("run")
        .arg(root(facility))
        .args(["--quiet", "--out"])
        .arg(out)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    process
}

/// The seed in a run manifest.
fn manifest_seed(manifest: &Path) -> u64 {
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(manifest).unwrap()).unwrap();
    json["seed"].as_u64().unwrap()
}

/// `folder` holds one complete, intact pack.
fn assert_complete(folder: &Path) {
    let problems = verify_pack(folder).unwrap();
    assert!(problems.is_empty(), "{}: {problems:?}", folder.display());
}

#[test]
fn a_run_killed_at_any_moment_leaves_one_complete_pack() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // Every scenario of the flagship: a pack of folders, about 70 files.
    let args = |seed: &str| -> Vec<String> {
        ["--paths", "400", "--scenario", "all", "--seed", seed]
            .map(str::to_owned)
            .to_vec()
    };
    let started = Instant::now();
    let first = run_process(FLAGSHIP, &out, &[]).args(args("1")).status();
    assert!(first.unwrap().success());
    let duration = started.elapsed();
    assert_complete(&out);
    let published = || manifest_seed(&out.join("base/run.json"));
    assert_eq!(published(), 1);
    let start = |seed: u64| {
        run_process(FLAGSHIP, &out, &[])
            .args(args(&seed.to_string()))
            .spawn()
            .unwrap()
    };
    let killed = kill_at_spread_moments(12, duration, start, || assert_complete(&out), published);
    assert!(killed > 0, "no run was killed while it ran");
    // The next run removes what the killed ones left beside the folder.
    let last = run_process(FLAGSHIP, &out, &[]).args(args("99")).status();
    assert!(last.unwrap().success());
    assert_complete(&out);
    assert_eq!(manifest_seed(&out.join("base/run.json")), 99);
    assert_eq!(names_in(dir.path()), ["out"]);
}

#[test]
fn a_second_run_on_a_folder_being_written_exits_2_at_once_naming_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // This process holds the folder, as a run in the middle of writing
    // does.
    let holder = Staging::begin(&out).unwrap();
    let started = Instant::now();
    Command::new(env!("CARGO_BIN_EXE_blendsim"))
        .arg("run")
        .arg(root(QUICKSTART))
        .args(["--paths", "1000000", "--quiet", "--out"])
        .arg(&out)
        .timeout(Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(held_by_this_process(&out)));
    // At once: a million paths would take a while.
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(!out.exists());
    drop(holder);
    let status = run_process(QUICKSTART, &out, &["--paths", "100"]).status();
    assert!(status.unwrap().success());
    assert_complete(&out);
}

#[test]
fn two_runs_started_together_never_mix_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for round in 0..4_u64 {
        let seeds = [2 * round + 1, 2 * round + 2];
        let children: Vec<_> = seeds
            .iter()
            .map(|seed| {
                run_process(QUICKSTART, &out, &["--paths", "3000"])
                    .args(["--seed", &seed.to_string()])
                    .spawn()
                    .unwrap()
            })
            .collect();
        let mut succeeded = Vec::new();
        for (child, seed) in children.into_iter().zip(seeds) {
            let output = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            match output.status.code() {
                Some(0) => succeeded.push(seed),
                Some(2) => assert!(
                    stderr.contains("is being written by another run (process "),
                    "{stderr}"
                ),
                other => panic!("exit {other:?}: {stderr}"),
            }
        }
        assert!(!succeeded.is_empty(), "neither run completed");
        assert_complete(&out);
        assert!(succeeded.contains(&manifest_seed(&out.join("run.json"))));
        assert_eq!(names_in(dir.path()), ["out"]);
    }
}

#[test]
fn a_run_replaces_every_file_of_the_previous_pack() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let traced = ["--paths", "200", "--scenario", "all", "--trace-path", "3"];
    let status = run_process(FLAGSHIP, &out, &traced).status();
    assert!(status.unwrap().success());
    assert!(out.join("base/trace_path_3.csv").is_file());
    let status = run_process(FLAGSHIP, &out, &["--paths", "200"]).status();
    assert!(status.unwrap().success());
    assert_complete(&out);
    let left = names_in(&out);
    assert!(
        left.iter()
            .all(|name| out.join(name).is_file() && !name.starts_with("trace_path")),
        "the previous run's scenario folders or traces remain: {left:?}"
    );
}

#[test]
fn the_files_a_run_reports_are_where_it_published_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = Command::new(env!("CARGO_BIN_EXE_blendsim"))
        .arg("run")
        .arg(root(FLAGSHIP))
        .args([
            "--paths",
            "200",
            "--scenario",
            "all",
            "--format",
            "json",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    // The terminal lists no files with several scenarios; the JSON does.
    let stdout = String::from_utf8(output.stdout).unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let wrote: Vec<&str> = json["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|run| run["files"].as_array().unwrap())
        .filter_map(|file| file.as_str())
        .collect();
    assert!(wrote.len() > 40, "{stdout}");
    for file in wrote {
        assert!(
            Path::new(file).starts_with(&out) && Path::new(file).is_file(),
            "{file}"
        );
    }
}
