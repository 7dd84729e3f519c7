//! The committee pack under importance sampling (docs/model.md section 11):
//! every weighted file is the plain file when every weight is 1, the
//! weighted public PV cost and pool cash agree with plain sampling at ten
//! times the paths within 4 combined standard errors, the pack is the
//! same bytes for any number of threads, precision targets stop on the
//! weighted estimates, and every scenario gets its own shift.

use std::collections::BTreeMap;
use std::path::Path;

use crate::importance::agree;
use blendsim::aggregate::{
    CommitteePack, CoverageSummary, Estimate, Outcomes, PUBLIC_TOTAL, RatingBenchmark,
    committee_pack, convergence, facility_metrics, summarise, summarise_coverage,
    summarise_parties,
};
use blendsim::engine::{RunSettings, simulate_outcomes};
use blendsim::importance::with_importance;
use blendsim::model::{FactorShift, Model};
use blendsim::pipeline::{self, RunRequest, Silent};
use blendsim::precision::{Precision, PrecisionTarget};
use blendsim::report::{Manifest, RunReport, write_reports};
use blendsim::spec::{LoadOptions, LoadedFacility, Sampling, ScenarioSpec, load_facility};

const FLAGSHIP: &str = "portfolios/us-rok-critical-minerals/facility.toml";
const SEED: u64 = 20_261_208;

fn loaded(path: &str) -> LoadedFacility {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    load_facility(&root, &LoadOptions::default()).expect("the facility loads")
}

/// The pack's statistics and every file of it written into `folder`.
fn write_pack(loaded: &LoadedFacility, model: &Model, outcomes: &Outcomes, folder: &Path) {
    let spec = &loaded.spec;
    let summary = summarise(model, outcomes);
    let benchmark = RatingBenchmark::default_probability(spec.implied_rating.clone());
    let mut pack: CommitteePack =
        committee_pack(model, &spec.projects, outcomes, &summary, &benchmark);
    pack.convergence = convergence(model, outcomes, 1_000);
    let coverage: Vec<CoverageSummary> = summarise_coverage(model, outcomes);
    let manifest = Manifest {
        tool: "blendsim",
        version: "test",
        facility: model.name.clone(),
        scenario: "base".into(),
        inputs: Vec::new(),
        seed: SEED,
        paths: outcomes.paths() as u64,
        threads: 1,
        started_at: String::new(),
        wall_time_seconds: 0.0,
        simulation_seconds: 0.0,
        paths_per_second: 0.0,
        accepted_breaches: Vec::new(),
        precision: None,
        importance: pack.importance.clone(),
    };
    let report = RunReport {
        spec,
        scenario: &ScenarioSpec::base(),
        model,
        summary: &summary,
        manifest: &manifest,
        pack: &pack,
        cashflows: &outcomes.cashflows,
        coverage: &coverage,
    };
    std::fs::create_dir_all(folder).unwrap();
    write_reports(folder, &report).unwrap();
}

fn read(folder: &Path, file: &str) -> String {
    std::fs::read_to_string(folder.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// Every cell the same text, or numbers within `relative` of each other;
/// standard errors (`*_se`) within 1/n: a weighted one divides by n where
/// the plain one has n - 1 (the delta method of a ratio of weighted sums,
/// `sqrt(sum (x - m)^2) / n`; the weighted ES's `sd(w (L - VaR)+)`, which is
/// the Manistre-Hancock formula to that factor).
fn same_numbers(file: &str, a: &str, b: &str, relative: f64, paths: f64) {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    assert_eq!(a.len(), b.len(), "{file}: rows");
    let header: Vec<&str> = a[0].split(',').collect();
    for (row, (x, y)) in a.iter().zip(&b).enumerate() {
        let (x, y): (Vec<&str>, Vec<&str>) = (x.split(',').collect(), y.split(',').collect());
        assert_eq!(x.len(), y.len(), "{file} row {row}");
        for ((p, q), name) in x.iter().zip(&y).zip(&header) {
            if p == q {
                continue;
            }
            let (p, q): (f64, f64) = (p.parse().unwrap(), q.parse().unwrap());
            let tolerance = match name.ends_with("_se") {
                true => 1.0 / paths,
                false => relative,
            };
            assert!(
                (p - q).abs() <= tolerance * p.abs().max(q.abs()),
                "{file} row {row} {name}: {p} vs {q}"
            );
        }
    }
}

/// A shift of zero draws exactly the plain paths with every weight exactly
/// 1: the weighted estimators must then give the plain pack. The files
/// whose estimators reduce to the plain ones operation for operation are
/// the same bytes; the facility's and the contributions' expected
/// shortfalls take the weighted route (VaR plus the mean excess, a
/// standard error from the weighted tail), equal to rounding, and some
/// standard errors divide by n where the plain ones divide by n - 1.
#[test]
fn weights_all_one_give_the_plain_files() {
    let loaded = loaded(FLAGSHIP);
    let plain = Model::compile(&loaded.spec).unwrap();
    let mut weighted = plain.clone();
    weighted.pool.importance = Some(FactorShift::none(&plain.pool, "senior"));
    let settings = RunSettings {
        paths: 3_000,
        seed: SEED,
    };
    let a = simulate_outcomes(&plain, &settings, &|_| {});
    let b = simulate_outcomes(&weighted, &settings, &|_| {});
    assert!(b.weights.iter().all(|&w| w == 1.0), "a zero shift weighs 1");
    let out = tempfile::TempDir::new().unwrap();
    let (x, y) = (out.path().join("plain"), out.path().join("weighted"));
    write_pack(&loaded, &plain, &a, &x);
    write_pack(&loaded, &weighted, &b, &y);
    for file in [
        "cashflows.csv",
        "coverage_tests.csv",
        "histogram.csv",
        "convergence.csv",
        "ratings.csv",
    ] {
        assert_eq!(read(&x, file), read(&y, file), "{file}");
    }
    for file in [
        "parties.csv",
        "facility.csv",
        "contributions.csv",
        "summary.csv",
    ] {
        same_numbers(file, &read(&x, file), &read(&y, file), 1e-9, 3_000.0);
    }
}

/// Sum over periods of the pool's expected principal written off less its
/// recoveries, from cashflows.csv (currency units).
fn pool_cash_lost(folder: &Path) -> f64 {
    let text = read(folder, "cashflows.csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (party, defaulted, recoveries) =
        (column("party"), column("defaulted"), column("recoveries"));
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|cells| cells[party] == "pool")
        .map(|cells| {
            let number = |i: usize| cells[i].parse::<f64>().unwrap_or(0.0);
            number(defaulted) - number(recoveries)
        })
        .sum()
}

/// The flagship under importance sampling (20,000 paths) against plain
/// sampling at 200,000: the public side's PV cost and grant element
/// (parties.csv), every coverage test's failure probability, the pool's
/// expected loss (facility.csv) and the pool's cash lost per cashflows.csv
/// (its periods' defaulted less recoveries, whose per-path total is the
/// pool loss, so the pool EL's standard error is its own) agree within 4
/// combined standard errors.
#[test]
fn flagship_pack_agrees_with_plain_sampling() {
    let loaded = loaded(FLAGSHIP);
    let model = Model::compile(&loaded.spec).unwrap();
    let sampled = with_importance(&model, SEED, None).unwrap();
    let run = |model: &Model, paths| {
        simulate_outcomes(model, &RunSettings { paths, seed: SEED }, &|_| {})
    };
    let (a, b) = (run(&model, 200_000), run(&sampled, 20_000));
    let unit = 0.01;
    let public = |outcomes: &Outcomes| {
        let rows = summarise_parties(&model, outcomes, unit);
        rows.into_iter().find(|r| r.party == PUBLIC_TOTAL).unwrap()
    };
    let (pa, pb) = (public(&a), public(&b));
    agree("public PV cost", pa.pv_cost, pb.pv_cost);
    agree("public grant element", pa.grant_element, pb.grant_element);
    agree("public expected loss", pa.expected_loss, pb.expected_loss);
    for (x, y) in summarise_coverage(&model, &a)
        .iter()
        .zip(&summarise_coverage(&model, &b))
    {
        agree(&format!("{} P(fail)", x.test), x.prob_fail, y.prob_fail);
    }
    let (fa, fb) = (
        facility_metrics(&model, &a, unit),
        facility_metrics(&model, &b, unit),
    );
    agree("pool EL", fa.pool_expected_loss, fb.pool_expected_loss);
    let out = tempfile::TempDir::new().unwrap();
    let (x, y) = (out.path().join("plain"), out.path().join("weighted"));
    write_pack(&loaded, &model, &a, &x);
    write_pack(&loaded, &sampled, &b, &y);
    let notional = fa.pool_notional;
    let as_estimate = |cash: f64, pool: Estimate| Estimate {
        mean: cash,
        se: pool.se * notional,
    };
    // The cash file's total is the pool loss's weighted mean (to its
    // rounding), then the Monte Carlo comparison.
    let (ca, cb) = (pool_cash_lost(&x), pool_cash_lost(&y));
    for (cash, pool) in [(ca, fa.pool_expected_loss), (cb, fb.pool_expected_loss)] {
        assert!(
            (cash - pool.mean * notional).abs() <= 1e-6 * notional,
            "{cash} vs {}",
            pool.mean * notional
        );
    }
    agree(
        "pool cash lost (cashflows.csv)",
        as_estimate(ca, fa.pool_expected_loss),
        as_estimate(cb, fb.pool_expected_loss),
    );
}

/// The whole importance-sampled pack, run through the pipeline on one and
/// on two threads: every file the same bytes (run.json but its timings).
#[test]
fn the_weighted_pack_does_not_depend_on_threads() {
    let out = tempfile::TempDir::new().unwrap();
    let run = |threads: usize| {
        let folder = out.path().join(format!("t{threads}"));
        let settings = RunSettings {
            paths: 4_000,
            seed: SEED,
        };
        let mut request = RunRequest::new(loaded(FLAGSHIP), settings, threads, folder.clone());
        request.sampling = (Sampling::Importance, None);
        pipeline::run(&request, &Silent).unwrap();
        folder
    };
    let (one, two) = (run(1), run(2));
    let files = |folder: &Path| -> BTreeMap<String, Vec<u8>> {
        std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
            .filter(|(name, _)| name != "run.json" && name != "SHA256SUMS")
            .filter(|(name, _)| name != "pack.xlsx" && name != "report.html")
            .map(|(name, p)| (name, std::fs::read(p).unwrap()))
            .collect()
    };
    let (a, b) = (files(&one), files(&two));
    assert!(a.contains_key("cashflows.csv") && a.contains_key("parties.csv"));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{name} differs between 1 and 2 threads");
    }
}

/// `--target-rse` with importance sampling: the run stops once the
/// senior's weighted EL has the relative standard error asked for, its
/// reading is summary.csv's estimate, and the pack is the one a fixed run
/// with the final count of paths gives.
#[test]
fn a_precision_target_stops_on_the_weighted_estimate() {
    let out = tempfile::TempDir::new().unwrap();
    let quickstart = "portfolios/quickstart/facility.toml";
    let request = |folder: &str, paths: u64, target: bool| {
        let settings = RunSettings { paths, seed: SEED };
        let mut request = RunRequest::new(loaded(quickstart), settings, 2, out.path().join(folder));
        request.sampling = (Sampling::Importance, None);
        request.block_paths = 1_000;
        if target {
            let rse = PrecisionTarget::parse("senior.expected_loss=0.05", Precision::Relative);
            request.precision = vec![rse.unwrap()];
        }
        request
    };
    let stopped = pipeline::run(&request("target", 50_000, true), &Silent).unwrap();
    let run = &stopped.runs[0];
    let precision = run.precision.as_ref().unwrap();
    assert!(precision.met, "{precision:?}");
    assert!(
        run.paths < 50_000 && run.paths.is_multiple_of(1_000),
        "{}",
        run.paths
    );
    let reading = &precision.readings[0];
    let senior = &run.summary[0];
    assert_eq!(reading.estimate, senior.expected_loss);
    assert!(reading.se <= 0.05 * reading.estimate, "{reading:?}");
    assert!((reading.se / senior.expected_loss_se - 1.0).abs() < 1e-3);
    pipeline::run(&request("fixed", run.paths, false), &Silent).unwrap();
    for file in [
        "summary.csv",
        "parties.csv",
        "cashflows.csv",
        "convergence.csv",
    ] {
        let (a, b) = (out.path().join("target"), out.path().join("fixed"));
        assert_eq!(read(&a, file), read(&b, file), "{file}");
    }
}

/// `--scenario all` with importance sampling: each scenario gets its own
/// shift, chosen on its own law (run.json), and the combined files are
/// written.
#[test]
fn every_scenario_gets_its_own_shift() {
    let loaded = loaded(FLAGSHIP);
    // The base case and the first stress scenario.
    let scenarios = vec![ScenarioSpec::base(), loaded.scenarios[0].clone()];
    let settings = RunSettings {
        paths: 2_000,
        seed: SEED,
    };
    let dir = tempfile::TempDir::new().unwrap();
    let out = dir.path().join("out");
    let mut request = RunRequest::new(loaded, settings, 2, out.clone());
    request.scenarios = scenarios;
    request.sampling = (Sampling::Importance, None);
    let outcome = pipeline::run(&request, &Silent).unwrap();
    assert_eq!(outcome.runs.len(), 2);
    let norms: Vec<f64> = (outcome.runs.iter())
        .map(|r| r.pack.importance.as_ref().unwrap().factor_shift_norm)
        .collect();
    println!("shift norms: {norms:?}");
    assert!(norms.iter().all(|n| *n > 0.0), "{norms:?}");
    // The scenario's shift is chosen on its own law.
    assert!(norms[1] != norms[0], "{norms:?}");
    for file in ["summary.csv", "report.html", "pack.xlsx"] {
        assert!(out.join(file).exists(), "{file}");
    }
    let manifest = read(&out.join(&outcome.runs[1].scenario), "run.json");
    assert!(manifest.contains("\"importance\""), "{manifest}");
}
