//! Implied ratings against year-by-year idealized tables supplied with
//! `[implied_rating]`, end to end: the quickstart portfolio with
//! tests/fixtures/synthetic_idealized_table.csv, a SYNTHETIC table (made-up
//! values, not Moody's) of six ratings SynA (best) to SynF over years 1 to
//! 10. The benchmarks in ratings.csv are recomputed here from the fixture
//! with the interpolation of docs/ratings.md.

use crate::common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::{csv_rows, num};
use predicates::prelude::*;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

const QUICKSTART: &str = "portfolios/quickstart";
const TABLE: &str = "tests/fixtures/synthetic_idealized_table.csv";
const SOURCE: &str = "synthetic test table (made-up values, not Moody's)";

/// The documented header of ratings.csv.
const RATINGS_HEADER: &str = "tranche,basis,horizon_years,metric,metric_se,implied_rating,\
rating_benchmark,better_rating_benchmark,table_source";

/// Relative tolerance between ratings.csv and the interpolation recomputed
/// here (the file writes floats to ten decimals and the horizon to six).
const ROUNDING: f64 = 1e-6;

fn root(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn blendsim() -> Command {
    let mut cmd = Command::cargo_bin("blendsim").expect("the binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// A copy of the quickstart with an `[implied_rating]` section naming a
/// copy of the synthetic table, with `edit` applied to the table's text.
fn quickstart_with_table(edit: impl FnOnce(String) -> String) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let toml = fs::read_to_string(root(QUICKSTART).join("facility.toml")).unwrap()
        + &format!("\n[implied_rating]\ntable = \"idealized.csv\"\nsource = \"{SOURCE}\"\n");
    fs::write(dir.path().join("facility.toml"), toml).unwrap();
    fs::copy(
        root(QUICKSTART).join("projects.csv"),
        dir.path().join("projects.csv"),
    )
    .unwrap();
    let table = fs::read_to_string(root(TABLE)).unwrap();
    fs::write(dir.path().join("idealized.csv"), edit(table)).unwrap();
    dir
}

/// Runs the facility in `dir` quietly; returns the output folder.
fn run(dir: &TempDir, extra: &[&str]) -> PathBuf {
    let out = dir.path().join("out");
    blendsim()
        .arg("run")
        .arg(dir.path().join("facility.toml"))
        .args(["--paths", "3000", "--quiet", "--out"])
        .arg(&out)
        .args(extra)
        .assert()
        .success()
        .stdout("");
    out
}

/// Rows of a CSV file as column -> cell, after checking its header.
fn rows(path: &Path, header: &str) -> Vec<BTreeMap<String, String>> {
    let (found, rows) = csv_rows(path);
    assert_eq!(found, header);
    rows
}

/// The fixture read independently of blendsim: ratings best first, and per
/// rating its default probabilities and expected losses by year 1 to 10.
struct Fixture {
    ratings: Vec<String>,
    values: BTreeMap<(String, &'static str), Vec<f64>>,
}

impl Fixture {
    fn read() -> Fixture {
        let rows = rows(
            &root(TABLE),
            "rating,year,default_probability,expected_loss",
        );
        let mut fixture = Fixture {
            ratings: Vec::new(),
            values: BTreeMap::new(),
        };
        for row in &rows {
            let rating = row["rating"].clone();
            if !fixture.ratings.contains(&rating) {
                fixture.ratings.push(rating.clone());
            }
            for column in ["default_probability", "expected_loss"] {
                let values = fixture.values.entry((rating.clone(), column)).or_default();
                assert_eq!(
                    values.len() + 1,
                    num(row, "year") as usize,
                    "years in order"
                );
                values.push(num(row, column));
            }
        }
        fixture
    }

    /// docs/ratings.md's interpolation of `column` of `rating` at `years`
    /// (>= 1 in these tests): geometric between whole years, year 10's
    /// constant hazard beyond.
    fn benchmark(&self, rating: &str, column: &'static str, years: f64) -> f64 {
        let v = &self.values[&(rating.to_owned(), column)];
        let last = v.len() as f64;
        assert!(years >= 1.0, "{years}");
        if years > last {
            return 1.0 - (1.0 - v[v.len() - 1]).powf(years / last);
        }
        let n = years.floor();
        if n == years {
            return v[n as usize - 1];
        }
        v[n as usize - 1].powf(n + 1.0 - years) * v[n as usize].powf(years - n)
    }
}

/// The CSV writes the horizon to six decimals (the benchmark recomputed
/// at it moves by about a millionth) and the benchmarks to ten.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= ROUNDING * a.abs().max(b.abs())
}

/// Every tranche's rating, benchmark and better benchmark agree with the
/// fixture on `column`, and the table is cited.
fn check_ratings(out: &Path, basis: &str, column: &'static str) -> Vec<BTreeMap<String, String>> {
    let fixture = Fixture::read();
    let ratings = rows(&out.join("ratings.csv"), RATINGS_HEADER);
    assert_eq!(ratings.len(), 3);
    for r in &ratings {
        assert_eq!(r["basis"], basis);
        assert_eq!(r["table_source"], SOURCE);
        let horizon = num(r, "horizon_years");
        let index = fixture
            .ratings
            .iter()
            .position(|name| *name == r["implied_rating"])
            .unwrap_or_else(|| panic!("{r:?}"));
        let benchmark = fixture.benchmark(&r["implied_rating"], column, horizon);
        assert!(
            close(num(r, "rating_benchmark"), benchmark),
            "{r:?} vs {benchmark}"
        );
        let metric = num(r, "metric");
        let worst = index == fixture.ratings.len() - 1;
        assert!(metric <= benchmark || worst, "{r:?}");
        if index > 0 {
            let better = fixture.benchmark(&fixture.ratings[index - 1], column, horizon);
            assert!(
                close(num(r, "better_rating_benchmark"), better),
                "{r:?} vs {better}"
            );
            assert!(metric > better, "{r:?}");
        } else {
            assert_eq!(r["better_rating_benchmark"], "");
        }
    }
    ratings
}

#[test]
fn ratings_compare_default_probabilities_with_the_supplied_table() {
    let dir = quickstart_with_table(|t| t);
    let out = run(&dir, &[]);
    let ratings = check_ratings(&out, "default_probability", "default_probability");
    // The senior tranche's WAL falls between two years of the table (so its
    // benchmark is interpolated geometrically), the mezzanine's beyond the
    // last (extrapolated): the test covers both.
    let senior = num(&ratings[0], "horizon_years");
    assert!(
        senior > 1.0 && senior < 10.0 && senior.fract() != 0.0,
        "{senior}"
    );
    assert!(num(&ratings[1], "horizon_years") > 10.0);
    // The quickstart's senior is funded at closing while most loans start
    // later, so it misses coupons on almost every path: a missed coupon of
    // a non-deferrable tranche counts as a default (docs/ratings.md).
    assert!(num(&ratings[0], "metric") > 0.9, "{:?}", ratings[0]);
    assert_ne!(ratings[1]["implied_rating"], ratings[2]["implied_rating"]);

    // run.json records the table like the other inputs.
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let inputs = manifest["inputs"].as_array().unwrap();
    let files: Vec<&str> = inputs.iter().map(|i| i["path"].as_str().unwrap()).collect();
    assert_eq!(inputs.len(), 3, "{files:?}");
    assert!(files[2].ends_with("idealized.csv"), "{files:?}");
    let sha: String = Sha256::digest(fs::read(dir.path().join("idealized.csv")).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(inputs[2]["sha256"], sha);

    // report.html cites it too (HTML-escaped).
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains(&SOURCE.replace('\'', "&#39;")),
        "no source in report.html"
    );
}

#[test]
fn the_expected_loss_basis_uses_the_expected_loss_table() {
    let dir = quickstart_with_table(|t| t);
    let out = run(&dir, &["--rating-basis", "expected-loss"]);
    check_ratings(&out, "expected_loss", "expected_loss");
}

/// Without expected losses in the table only the default-probability basis
/// is available: the expected-loss basis is refused before any simulation.
#[test]
fn the_expected_loss_basis_needs_the_expected_loss_column() {
    let strip = |text: String| {
        text.lines()
            .map(|line| line.rsplit_once(',').unwrap().0.to_owned() + ",\n")
            .collect::<String>()
            .replacen(
                "default_probability,",
                "default_probability,expected_loss",
                1,
            )
    };
    let dir = quickstart_with_table(strip);
    let out = dir.path().join("out");
    blendsim()
        .arg("run")
        .arg(dir.path().join("facility.toml"))
        .args(["--paths", "100", "--rating-basis", "expected-loss", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "needs the expected_loss column of the idealized rating table",
        ));
    assert!(!out.exists());
    let out = run(&dir, &[]);
    check_ratings(&out, "default_probability", "default_probability");
}

/// A sizing rating target names a rating of the facility's table.
#[test]
fn sizing_targets_ratings_of_the_supplied_table() {
    let dir = quickstart_with_table(|t| t);
    let size = |target: &str| {
        let mut cmd = blendsim();
        cmd.arg("size")
            .arg(dir.path().join("facility.toml"))
            .args([
                "--target",
                target,
                "--solve",
                "first_loss",
                "--absorb",
                "senior",
            ])
            .args(["--paths", "500", "--quiet", "--out"])
            .arg(dir.path().join("sized"));
        cmd.assert()
    };
    size("senior.implied_rating >= Aaa").code(2).stderr(predicate::str::contains(
        "unknown rating `Aaa`; the idealized rating table (synthetic test table (made-up values, \
         not Moody's)) has SynA, SynB, SynC, SynD, SynE, SynF (exact spelling)",
    ));
    size("senior.implied_rating >= SynC").success();
    let sizing: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(dir.path().join("sized").join("sizing.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(sizing["request"]["target"]["rating"], "SynC");
    // Each point carries SynC's benchmark at the senior's WAL; the metric
    // is P(loss) less it, so adding it back gives a probability.
    for point in sizing["curve"].as_array().unwrap() {
        let benchmark = point["benchmark"].as_f64().unwrap();
        let p_loss = point["evaluation"]["value"].as_f64().unwrap() + benchmark;
        assert!(benchmark > 0.0 && benchmark < 1.0, "{point}");
        assert!((-1e-12..=1.0).contains(&p_loss), "{point}");
    }
}
