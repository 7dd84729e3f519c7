//! The library's run pipeline: what `blendsim run` writes is what the
//! pipeline writes (the command only parses, prints and maps errors); it
//! reports its progress per scenario; it refuses a path it cannot trace
//! before it runs anything, with an error that names no flag.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use assert_cmd::Command;
use blendsim::engine::RunSettings;
use blendsim::pipeline::{self, Progress, RunError, RunRequest, Silent, TraceRequest};
use blendsim::spec::{LoadOptions, LoadedFacility, load_facility};

const FLAGSHIP: &str = "portfolios/us-rok-critical-minerals/facility.toml";

fn root(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn flagship() -> LoadedFacility {
    load_facility(&root(FLAGSHIP), &LoadOptions::default()).expect("the flagship loads")
}

/// Every CSV file under `folder`, by path relative to it, with its bytes.
fn csv_files(folder: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![folder.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "csv") {
                let relative = path.strip_prefix(folder).unwrap().to_owned();
                files.push((relative, fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

/// `blendsim run FLAGSHIP --paths 300 --seed 11 --out OUT --quiet EXTRA...`.
fn command_run(out: &Path, extra: &[&str]) {
    Command::cargo_bin("blendsim")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", FLAGSHIP, "--paths", "300", "--seed", "11", "--quiet"])
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

const SETTINGS: RunSettings = RunSettings {
    paths: 300,
    seed: 11,
};

#[test]
fn the_command_writes_exactly_what_the_pipeline_writes() {
    let (library, command) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut request = RunRequest::new(flagship(), SETTINGS, 2, library.path().to_owned());
    request.traces = TraceRequest {
        paths: vec![5],
        quantiles: vec![0.99],
    };
    let outcome = pipeline::run(&request, &Silent).unwrap();
    command_run(
        command.path(),
        &["--trace-path", "5", "--trace-quantile", "0.99"],
    );
    let files = csv_files(library.path());
    // The pack's ten tables (with parties.csv and convergence.csv), the
    // flagship's three tables of nexus events (events, timing, impact),
    // tornado.csv and the two traces (path 5 and the 99% quantile's path,
    // which is not path 5 on this sample).
    assert_eq!(
        files.len(),
        16,
        "{:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert_eq!(files, csv_files(command.path()));
    assert_eq!(outcome.runs.len(), 1);
    assert_eq!(outcome.runs[0].traced.len(), 1);
    assert!(outcome.combined.is_empty());
}

#[test]
fn every_scenario_is_what_the_command_writes_for_all_scenarios() {
    let (library, command) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let loaded = flagship();
    let scenarios = loaded.scenarios.len();
    let request = RunRequest::every_scenario(loaded, SETTINGS, 1, library.path().to_owned());
    let outcome = pipeline::run(&request, &Silent).unwrap();
    command_run(command.path(), &["--scenario", "all"]);
    assert_eq!(outcome.runs.len(), scenarios + 1);
    assert_eq!(outcome.runs[0].scenario, "base");
    assert!(
        outcome
            .combined
            .iter()
            .any(|p| p.ends_with("comparison.csv"))
    );
    assert_eq!(csv_files(library.path()), csv_files(command.path()));
}

/// Records what the pipeline tells its progress.
#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<String>>,
}

impl Progress for Recorder {
    fn start(&self, scenario: &str, paths: u64) {
        self.events
            .lock()
            .unwrap()
            .push(format!("start {scenario} {paths}"));
    }

    fn advance(&self, done: u64) {
        self.events.lock().unwrap().push(format!("done {done}"));
    }

    fn finish(&self) {
        self.events.lock().unwrap().push("finish".into());
    }
}

#[test]
fn progress_follows_each_scenario_to_its_last_path() {
    let out = tempfile::tempdir().unwrap();
    let loaded = flagship();
    let names: Vec<String> = loaded.scenarios.iter().map(|s| s.name.clone()).collect();
    let request = RunRequest::every_scenario(loaded, SETTINGS, 2, out.path().to_owned());
    let recorder = Recorder::default();
    pipeline::run(&request, &recorder).unwrap();
    let events = recorder.events.into_inner().unwrap();
    let starts: Vec<&String> = events.iter().filter(|e| e.starts_with("start")).collect();
    // The base case, then its tornado's eight shifted runs of 9 paths
    // each by default (a thirty-second of the run's 300; the first scenario
    // only), then the other scenarios.
    let expected: Vec<String> = ["start base 300", "start sensitivities 72"]
        .map(String::from)
        .into_iter()
        .chain(names.iter().map(|name| format!("start {name} 300")))
        .collect();
    assert_eq!(starts, expected.iter().collect::<Vec<_>>());
    // Each: its start, its paths counted up to the total, its finish.
    let mut total = "";
    for (i, event) in events.iter().enumerate() {
        if let Some(start) = event.strip_prefix("start ") {
            total = start.rsplit(' ').next().unwrap();
        }
        if event == "finish" {
            assert_eq!(events[i - 1], format!("done {total}"));
        }
    }
    let finishes = events.iter().filter(|e| *e == "finish").count();
    assert_eq!(finishes, expected.len());
}

#[test]
fn a_path_that_cannot_be_traced_is_refused_before_anything_runs() {
    let out = tempfile::tempdir().unwrap();
    let folder = out.path().join("never");
    let mut request = RunRequest::new(flagship(), SETTINGS, 1, folder.clone());
    request.traces.paths = vec![3, 300];
    let error = pipeline::run(&request, &Silent).unwrap_err();
    assert!(matches!(
        error,
        RunError::TracePath {
            path: 300,
            paths: 300
        }
    ));
    assert!(error.is_bad_input());
    assert_eq!(
        error.to_string(),
        "path 300 cannot be traced: paths are numbered 0 to 299"
    );
    assert!(!folder.exists(), "nothing is written");
    request.traces = TraceRequest {
        paths: Vec::new(),
        quantiles: vec![1.5],
    };
    let error = pipeline::run(&request, &Silent).unwrap_err();
    assert!(!error.to_string().contains("--"), "{error}");
    assert!(matches!(error, RunError::TraceQuantile(q) if q == 1.5));
}
