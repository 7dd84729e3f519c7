//! Importance sampling (docs/model.md, "Importance sampling"): the weighted
//! estimates agree with plain sampling at ten times the paths (or with
//! references section 1's exact values) within 4 combined standard errors,
//! the senior's standard errors are at least 5 times smaller than plain
//! sampling's at equal paths on the flagship, the weights average 1, and
//! what is not weighted yet is refused (exit 2) or not written.

use crate::common;

use assert_cmd::Command;
use blendsim::aggregate::{Estimate, TrancheSummary, estimate, summarise};
use blendsim::engine::{RunSettings, simulate_outcomes, with_threads};
use blendsim::importance::with_importance;
use blendsim::model::Model;
use blendsim::spec::{Copula, FacilitySpec, LoadOptions, load_facility};

const FLAGSHIP: &str = "portfolios/us-rok-critical-minerals/facility.toml";
/// Paths of the importance-sampled runs; plain runs use ten times as many.
const PATHS: u64 = 20_000;
const SEED: u64 = 20_261_208;

fn flagship() -> FacilitySpec {
    load_facility(std::path::Path::new(FLAGSHIP), &LoadOptions::default())
        .expect("the flagship loads")
        .spec
}

fn run(model: &Model, paths: u64) -> (Vec<TrancheSummary>, Vec<f64>) {
    let outcomes = simulate_outcomes(model, &RunSettings { paths, seed: SEED }, &|_| {});
    (summarise(model, &outcomes), outcomes.weights)
}

/// Plain sampling at 10 x PATHS paths and importance sampling at PATHS.
fn both(spec: &FacilitySpec) -> (Vec<TrancheSummary>, Vec<TrancheSummary>, Vec<f64>) {
    let model = Model::compile(spec).expect("compiles");
    let sampled = with_importance(&model, SEED, None).expect("a shift");
    let (plain, _) = run(&model, 10 * PATHS);
    let (weighted, weights) = run(&sampled, PATHS);
    (plain, weighted, weights)
}

/// `a` and `b` within 4 combined standard errors.
pub fn agree(what: &str, a: Estimate, b: Estimate) {
    let tolerance = 4.0 * (a.se * a.se + b.se * b.se).sqrt();
    println!("{what}: plain {a:?}, importance {b:?}");
    assert!(
        (a.mean - b.mean).abs() <= tolerance,
        "{what}: plain {a:?} vs importance {b:?}, beyond 4 combined SEs ({tolerance})"
    );
}

/// Every tranche's EL and P(loss) agree between the two runs.
fn agree_el_and_prob_loss(plain: &[TrancheSummary], weighted: &[TrancheSummary]) {
    for (p, w) in plain.iter().zip(weighted) {
        agree(&format!("{} EL", p.tranche), el(p), el(w));
        agree(
            &format!("{} P(loss)", p.tranche),
            prob_loss(p),
            prob_loss(w),
        );
    }
}

fn el(row: &TrancheSummary) -> Estimate {
    Estimate {
        mean: row.expected_loss,
        se: row.expected_loss_se,
    }
}

fn prob_loss(row: &TrancheSummary) -> Estimate {
    Estimate {
        mean: row.prob_loss,
        se: row.prob_loss_se,
    }
}

fn prob_default(row: &TrancheSummary) -> Estimate {
    Estimate {
        mean: row.prob_default,
        se: row.prob_default_se,
    }
}

/// The likelihood ratios have mean 1 under the sampling law.
fn weights_average_one(weights: &[f64]) {
    let mean = estimate(weights);
    println!("weights: {mean:?}");
    assert!(
        (mean.mean - 1.0).abs() <= 4.0 * mean.se,
        "weights' mean {mean:?} is not 1 within 4 SEs"
    );
}

/// The acceptance test of issue 19 on the flagship: the senior's EL and
/// P(loss) standard errors at equal paths are at least 5 times smaller
/// than plain sampling's (plain's at PATHS taken as its SE at 10 x PATHS
/// times sqrt(10)), and every tranche's EL, P(loss) and P(default) agree
/// with plain sampling at 10 x PATHS.
#[test]
fn flagship_senior_is_five_times_more_precise() {
    let (plain, weighted, weights) = both(&flagship());
    weights_average_one(&weights);
    let senior = (&plain[0], &weighted[0]);
    for (metric, se) in [
        ("EL", (senior.0.expected_loss_se, senior.1.expected_loss_se)),
        ("P(loss)", (senior.0.prob_loss_se, senior.1.prob_loss_se)),
    ] {
        let ratio = (se.0 * 10f64.sqrt() / se.1).powi(2);
        println!("senior {metric}: variance ratio {ratio:.1}");
        assert!(ratio >= 25.0, "senior {metric}: variance ratio {ratio}");
    }
    agree_el_and_prob_loss(&plain, &weighted);
    for (p, w) in plain.iter().zip(&weighted) {
        agree(
            &format!("{} P(default)", p.tranche),
            prob_default(p),
            prob_default(w),
        );
    }
}

/// Loans, PD, correlation, recovery, tranche cuts and reference ELs (most
/// junior first).
type ReferencePool = (usize, f64, f64, f64, &'static [f64], &'static [f64]);

/// References section 1's pools: the weighted EL of every tranche is the
/// reference value within 4 SEs (plus 1e-4 for the quadrature, as in
/// validation_references.rs), with the senior's far tighter than plain.
#[test]
fn reference_pools_match_their_exact_values() {
    let cases: [ReferencePool; 2] = [
        (
            100,
            0.048770575,
            0.3,
            0.4,
            &[0.03, 0.06, 0.10, 1.0],
            &[0.510028, 0.216576, 0.100448, 0.003829],
        ),
        (
            20,
            0.15,
            0.25,
            0.35,
            &[0.10, 0.25, 1.0],
            &[0.619184, 0.197771, 0.007888],
        ),
    ];
    for (n, p, rho, recovery, cuts, expected) in cases {
        let spec = common::homogeneous_pool(n, p, rho, recovery, cuts);
        let model = Model::compile(&spec).unwrap();
        let sampled = with_importance(&model, SEED, None).unwrap();
        let (summary, weights) = run(&sampled, PATHS);
        weights_average_one(&weights);
        for (row, &reference) in summary.iter().rev().zip(expected) {
            let tolerance = 4.0 * row.expected_loss_se + 1e-4;
            println!(
                "n={n} rho={rho} {}: {} +- {}, reference {reference}",
                row.tranche, row.expected_loss, row.expected_loss_se
            );
            assert!(
                (row.expected_loss - reference).abs() <= tolerance,
                "{}: {} vs {reference}",
                row.tranche,
                row.expected_loss
            );
        }
        // The senior to its own 4 SEs, without the 1e-4 allowance.
        let senior = &summary[0];
        let reference = expected[expected.len() - 1];
        assert!(
            (senior.expected_loss - reference).abs() <= 4.0 * senior.expected_loss_se + 1e-6,
            "senior {} +- {} vs {reference}",
            senior.expected_loss,
            senior.expected_loss_se
        );
    }
}

/// A Student t copula (5 degrees of freedom, the chi-square variable's
/// scale shifted too): the weighted estimates agree with plain sampling at
/// ten times the paths.
#[test]
fn student_t_agrees_with_plain_sampling() {
    let mut spec = common::homogeneous_pool(100, 0.048770575, 0.2, 0.4, &[0.03, 0.06, 0.15, 1.0]);
    spec.risk.copula = Copula::StudentT { dof: 5.0 };
    let (plain, weighted, weights) = both(&spec);
    weights_average_one(&weights);
    agree_el_and_prob_loss(&plain, &weighted);
}

/// Weights are per path (path p on stream p), reduced in path order: any
/// number of threads gives the same summary, bit for bit.
#[test]
fn weighted_results_do_not_depend_on_threads() {
    let spec = common::homogeneous_pool(20, 0.15, 0.25, 0.35, &[0.10, 0.25, 1.0]);
    let model = Model::compile(&spec).unwrap();
    let at = |threads| {
        with_threads(Some(threads), || {
            let sampled = with_importance(&model, SEED, None).unwrap();
            run(&sampled, 5_000)
        })
        .unwrap()
    };
    let (one, w1) = at(1);
    let (two, w2) = at(2);
    assert_eq!(
        w1.iter().map(|w| w.to_bits()).collect::<Vec<_>>(),
        w2.iter().map(|w| w.to_bits()).collect::<Vec<_>>()
    );
    assert_eq!(format!("{one:?}"), format!("{two:?}"));
}

fn blendsim(args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("blendsim").expect("the binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args(args);
    cmd
}

/// The command line writes the weighted pack, and says what it left out;
/// options it cannot weight yet exit 2 naming them.
#[test]
fn the_command_line_writes_only_weighted_files() {
    let out = tempfile::TempDir::new().unwrap();
    let folder = out.path().join("pack");
    let folder = folder.to_str().unwrap();
    let quickstart = "portfolios/quickstart/facility.toml";
    let output = blendsim(&[
        "run",
        quickstart,
        "--paths",
        "2000",
        "--sampling",
        "importance",
        "--out",
        folder,
    ])
    .output()
    .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("Not weighted yet, so not reported: tornado.csv"),
        "{stdout}"
    );
    // A shift aimed at one tranche leaves the others imprecise: said.
    assert!(
        stdout.contains("The shift serves senior: the other tranches' figures"),
        "{stdout}"
    );
    // The whole pack but the tornado, weighted (importance_pack.rs).
    let names = common::names_in(std::path::Path::new(folder));
    for file in [
        "cashflows.csv",
        "parties.csv",
        "facility.csv",
        "coverage_tests.csv",
        "contributions.csv",
        "histogram.csv",
        "convergence.csv",
        "report.html",
        "pack.xlsx",
        "loss_exceedance.svg",
    ] {
        assert!(names.iter().any(|n| n == file), "{file} in {names:?}");
    }
    assert!(!names.iter().any(|n| n.starts_with("tornado")), "{names:?}");
    // The memo says how its paths were drawn.
    let memo = std::fs::read_to_string(out.path().join("pack/report.html")).unwrap();
    assert!(memo.contains("<h2>Importance sampling</h2>"), "{memo}");
    let manifest = std::fs::read_to_string(out.path().join("pack/run.json")).unwrap();
    assert!(manifest.contains("\"importance\""), "{manifest}");
    for (extra, named) in [
        (&["--trace-quantile", "0.99"][..], "--trace-quantile"),
        (
            &["--importance-tranche", "nobody"][..],
            "no tranche is named \"nobody\"",
        ),
    ] {
        let mut args = vec![
            "run",
            quickstart,
            "--sampling",
            "importance",
            "--out",
            folder,
        ];
        args.extend(["--paths", "500"]);
        args.extend(extra);
        let output = blendsim(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(named), "{args:?}: {stderr}");
    }
}
