//! The tornado (tornado.csv, tornado.svg, report.html's "What moves the
//! results"): each shift is the facility run again on the run's seed and
//! first paths, so its figures are those of an independent run of the
//! shifted facility on those paths, and its changes are paired path by
//! path; it runs for the first scenario only and can be left out.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use blendsim::aggregate::{PUBLIC_TOTAL, estimate, tornado_metrics};
use blendsim::engine::{RunSettings, simulate_outcomes};
use blendsim::model::Model;
use blendsim::pipeline::{self, RunRequest, SHIFTS, Silent, shifted_mean};
use blendsim::spec::{LoadOptions, LoadedFacility, Overlay, ScenarioSpec, Selector, load_facility};

const FLAGSHIP: &str = "portfolios/us-rok-critical-minerals/facility.toml";

fn flagship() -> LoadedFacility {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(FLAGSHIP);
    load_facility(&path, &LoadOptions::default()).expect("the flagship loads")
}

/// tornado.csv's rows as maps from column to cell.
fn rows(file: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(file).unwrap();
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .zip(r.iter())
                .map(|(h, c)| (h.to_owned(), c.to_owned()))
                .collect()
        })
        .collect()
}

fn number(row: &BTreeMap<String, String>, column: &str) -> f64 {
    row[column].parse().unwrap()
}

/// Runs the flagship (4,000 paths, seed 5) with a tornado on `tornado`
/// paths into a temporary folder.
fn run(tornado: u64, scenarios: Vec<ScenarioSpec>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let settings = RunSettings {
        paths: 4000,
        seed: 5,
    };
    let mut request = RunRequest::new(flagship(), settings, 2, out.clone());
    request.tornado_paths = Some(tornado);
    request.scenarios = scenarios;
    pipeline::run(&request, &Silent).unwrap();
    (dir, out)
}

#[test]
fn each_shift_is_an_independent_run_on_the_same_paths() {
    let (_dir, out) = run(1500, Vec::new());
    let rows = rows(&out.join("tornado.csv"));
    let loaded = flagship();
    let tranches = loaded.spec.tranches.len();
    // Every shift, each tranche's expected loss and the public PV cost.
    assert_eq!(rows.len(), SHIFTS.len() * (tranches + 1));
    // The unshifted figures are the run's first 1,500 paths: a run of
    // 1,500 paths on the same seed (a path's draws do not depend on how
    // many paths run).
    let settings = RunSettings {
        paths: 1500,
        seed: 5,
    };
    let base_model = Model::compile(&loaded.spec).unwrap();
    let unit = 0.01;
    let base = tornado_metrics(
        &base_model,
        &simulate_outcomes(&base_model, &settings, &|_| {}),
        1500,
        unit,
    );
    // PDs x1.25 is a scenario overlay on every project: the same run, by
    // hand.
    let mut scenario = ScenarioSpec::base();
    scenario.pd_multipliers.push(Overlay {
        selector: Selector::default(),
        value: 1.25,
    });
    let shifted_model = Model::compile_scenario(&loaded.spec, &scenario).unwrap();
    let outcomes = simulate_outcomes(&shifted_model, &settings, &|_| {});
    let shifted = tornado_metrics(&shifted_model, &outcomes, 1500, unit);
    let pd_up: Vec<_> = rows
        .iter()
        .filter(|r| r["input"] == "default_probabilities" && r["shift"] == "x1.25")
        .collect();
    assert_eq!(pd_up.len(), base.len());
    for ((row, b), s) in pd_up.iter().zip(&base).zip(&shifted) {
        assert_eq!(row["holder"], b.holder);
        let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * y.abs().max(1.0);
        assert!(
            close(number(row, "base"), estimate(&b.values).mean),
            "{row:?}"
        );
        assert!(
            close(number(row, "shifted"), estimate(&s.values).mean),
            "{row:?}"
        );
        let differences: Vec<f64> = s.values.iter().zip(&b.values).map(|(x, y)| x - y).collect();
        let change = estimate(&differences);
        assert!(close(number(row, "change"), change.mean), "{row:?}");
        assert!(close(number(row, "change_se"), change.se), "{row:?}");
    }
    // More defaults cost every tranche and the public side: the first
    // loss's EL rises by many standard errors of the paired change (its
    // SE is far below what two independent runs would give).
    let first_loss = pd_up.iter().find(|r| r["holder"] == "first_loss").unwrap();
    assert!(number(first_loss, "change") > 10.0 * number(first_loss, "change_se"));
    let public = pd_up.iter().find(|r| r["holder"] == PUBLIC_TOTAL).unwrap();
    assert_eq!(public["metric"], "pv_cost");
    assert_eq!(public["unit"], "currency");
    assert!(number(public, "change") > 0.0);
    for row in &pd_up {
        assert!(number(row, "change") >= 0.0, "{row:?}");
    }
    // Higher recoveries lose the first loss less.
    let recovery_up = rows
        .iter()
        .find(|r| {
            r["input"] == "recovery_means" && r["direction"] == "up" && r["holder"] == "first_loss"
        })
        .unwrap();
    assert_eq!(recovery_up["shift"], "up 10 points");
    assert!(number(recovery_up, "change") < -5.0 * number(recovery_up, "change_se"));
    // The flagship's recovery mean 0.729 (sd 0.22) moves by the full ten
    // points either way.
    assert!((shifted_mean(0.729, 0.22, 0.10) - 0.829).abs() < 1e-12);
    // The chart is written beside the table, and the memo shows it.
    let svg = fs::read_to_string(out.join("tornado.svg")).unwrap();
    assert!(svg.contains("default probabilities x1.25"), "row labels");
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<section id=\"sensitivities\">"));
    assert!(html.contains("1,500 paths"));
}

#[test]
fn tornado_paths_zero_leaves_it_out() {
    let (_dir, out) = run(0, Vec::new());
    assert!(!out.join("tornado.csv").exists());
    assert!(!out.join("tornado.svg").exists());
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("--tornado-paths 0"),
        "says how it was left out"
    );
}

#[test]
fn only_the_first_scenario_has_a_tornado() {
    let loaded = flagship();
    let scenarios: Vec<ScenarioSpec> = std::iter::once(ScenarioSpec::base())
        .chain(loaded.scenarios.iter().take(1).cloned())
        .collect();
    let other = scenarios[1].name.clone();
    let (_dir, out) = run(500, scenarios);
    assert!(out.join("base/tornado.csv").is_file());
    assert!(!out.join(&other).join("tornado.csv").exists());
    // The combined file holds the base case's rows alone.
    let combined = rows(&out.join("tornado.csv"));
    assert_eq!(combined.len(), rows(&out.join("base/tornado.csv")).len());
    assert!(combined.iter().all(|r| r["scenario"] == "base"));
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<section id=\"sensitivities\">"));
}

/// Counts the paths each stage of a run announces.
#[derive(Default)]
struct Starts(std::sync::Mutex<Vec<(String, u64)>>);

impl pipeline::Progress for Starts {
    fn start(&self, scenario: &str, paths: u64) {
        self.0.lock().unwrap().push((scenario.to_owned(), paths));
    }
}

/// Without --tornado-paths the shifted runs together have a quarter of the
/// run's paths at most (a shifted path costs what a run's path costs, so
/// the tornado adds at most about a quarter to the run), and the report
/// and the terminal say what they cost and how to change it.
#[test]
fn by_default_the_tornado_costs_a_quarter_of_the_run_at_most() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let settings = RunSettings {
        paths: 4000,
        seed: 5,
    };
    let request = RunRequest::new(flagship(), settings, 2, out.clone());
    assert_eq!(request.tornado_paths, None);
    let starts = Starts::default();
    let outcome = pipeline::run(&request, &starts).unwrap();
    // 4,000 / 32 = 125 paths for each of the eight shifts: 1,000 in all.
    let starts = starts.0.into_inner().unwrap();
    assert_eq!(
        starts,
        [
            ("base".to_owned(), 4000),
            ("sensitivities".to_owned(), 1000)
        ]
    );
    let tornado = outcome.runs[0].pack.tornado.as_ref().unwrap();
    assert_eq!(
        (tornado.paths, tornado.run_paths, tornado.runs()),
        (125, 4000, 8)
    );
    assert!((tornado.share_of_run() - 0.25).abs() < 1e-12);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("the 8 extra runs of 125 paths each (25% of the run's 4,000 paths together)"),
        "the report states the tornado's cost"
    );
    assert!(html.contains("<code>--tornado-paths N</code>"));

    // The flagship run from the command line into `out`; its stdout.
    let run_cli = |args: &[&str], out: &str| -> String {
        let output = assert_cmd::Command::cargo_bin("blendsim")
            .unwrap()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["run", FLAGSHIP])
            .args(args)
            .arg("--out")
            .arg(dir.path().join(out))
            .output()
            .unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stdout).unwrap()
    };
    let stdout = run_cli(&["--paths", "3200"], "cli");
    assert!(
        stdout.contains(
            "Sensitivities (tornado.csv): 8 shifted runs of 100 paths, 25% of the run's paths"
        ),
        "{stdout}"
    );
    // With every scenario, the base case's tornado (the only one) too.
    let stdout = run_cli(&["--paths", "320", "--scenario", "all"], "all");
    assert_eq!(
        stdout
            .matches("Sensitivities (tornado.csv): 8 shifted runs of 10 paths, 25% of the run's")
            .count(),
        1,
        "{stdout}"
    );
}
