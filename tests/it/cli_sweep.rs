//! `blendsim sweep` from the command line.

use assert_cmd::Command;

const QUICKSTART: &str = "portfolios/quickstart/facility.toml";

#[test]
fn a_two_way_sweep_writes_one_row_per_point_and_metric() {
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("blendsim")
        .unwrap()
        .args([
            "sweep",
            QUICKSTART,
            "--vary",
            "first_loss.share=0.05:0.15:0.05",
            "--vary",
            "correlation.global=0.05,0.2",
        ])
        .args([
            "--absorb",
            "senior",
            "--metric",
            "senior.expected_loss",
            "--metric",
            "mezzanine.loss_p99",
            "--paths",
            "3000",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "senior expected loss (of notional, \u{b1} one standard error)\n  first_loss.share  \
             correlation.global=0.05  correlation.global=0.2\n  5.0%",
        ))
        .stdout(predicates::str::contains(
            "mezzanine loss quantile 99.0% (of notional)",
        ));
    let csv = std::fs::read_to_string(out.path().join("sweep.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "first_loss.share,correlation.global,tranche,metric,value,se,bound_95,rating,horizon_years"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 3 * 2 * 2);
    assert_eq!(rows[0][..2], ["0.05", "0.05"]);
    assert_eq!(rows[10][..2], ["0.15", "0.2"]);
    // Senior expected loss falls as the first loss grows (same paths) and
    // rises with correlation.
    let senior = |share: &str, rho: &str| -> f64 {
        rows.iter()
            .find(|r| r[0] == share && r[1] == rho && r[2] == "senior")
            .unwrap()[4]
            .parse()
            .unwrap()
    };
    assert!(senior("0.05", "0.2") >= senior("0.15", "0.2"));
    assert!(senior("0.05", "0.2") > senior("0.05", "0.05"));
}

#[test]
fn bad_sweeps_exit_2() {
    let cases: [(&[&str], &str); 5] = [
        (&["--vary", "colour=1,2"], "unknown parameter `colour`"),
        (
            &[
                "--vary",
                "pd_multiplier=1,2",
                "--metric",
                "junior.expected_loss",
            ],
            "no tranche is named `junior`",
        ),
        (&["--vary", "correlation.global=0.5,0.95"], "sum below 1"),
        (
            &[
                "--vary",
                "first_loss.share=0.1",
                "--vary",
                "first_loss.share=0.2",
            ],
            "--vary first_loss.share is given twice",
        ),
        (
            &["--vary", "first_loss.share=0.1,0.3"],
            "first_loss.share = 0.3: leaves nothing of mezzanine (below 0.25 it does); --absorb can name a bigger \
             tranche",
        ),
    ];
    for (args, message) in cases {
        Command::cargo_bin("blendsim")
            .unwrap()
            .args(["sweep", QUICKSTART, "--paths", "10"])
            .args(args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(message));
    }
}

/// A sweep's 95% bound lies on the adverse side of each metric: above a
/// loss, below an IRR (as in sizing).
#[test]
fn bounds_lie_on_the_adverse_side() {
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("blendsim")
        .unwrap()
        .args(["sweep", QUICKSTART, "--paths", "2000", "--out"])
        .arg(out.path())
        .args(["--vary", "first_loss.share=0.15,0.2", "--absorb", "senior"])
        .args([
            "--metric",
            "first_loss.irr_p05",
            "--metric",
            "mezzanine.loss_p90",
        ])
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.path().join("sweep.csv")).unwrap();
    let mut rows = 0;
    for line in csv.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let (metric, value, bound) = (cells[2], cells[3], cells[5]);
        let (value, bound): (f64, f64) = (value.parse().unwrap(), bound.parse().unwrap());
        match metric {
            "irr_p05" => assert!(bound < value, "{line}"),
            _ => assert!(bound >= value, "{line}"),
        }
        rows += 1;
    }
    assert_eq!(rows, 4, "{csv}");
}

/// An implied rating is tabulated by its rating; sweep.csv gives the
/// P(loss) rated, with the rating in its own column, and the rating
/// improves (or holds) as the first loss grows.
#[test]
fn implied_ratings_are_swept() {
    let out = tempfile::tempdir().unwrap();
    let assert = Command::cargo_bin("blendsim")
        .unwrap()
        .args(["sweep", QUICKSTART, "--vary", "first_loss.share=0:0.2:0.1"])
        .args(["--absorb", "senior", "--metric", "senior.implied_rating"])
        .args(["--paths", "3000", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(
        stdout.contains("senior implied rating (P(loss) at the WAL"),
        "{stdout}"
    );
    let csv = std::fs::read_to_string(out.path().join("sweep.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 3);
    // Moody's ratings, best first, as the idealized table lists them.
    let order = [
        "Aaa", "Aa1", "Aa2", "Aa3", "A1", "A2", "A3", "Baa1", "Baa2", "Baa3", "Ba1", "Ba2", "Ba3",
        "B1", "B2", "B3", "Caa1", "Caa2", "Caa3", "Ca",
    ];
    let rank = |row: &Vec<&str>| order.iter().position(|r| *r == row[6]).unwrap();
    // Columns: first_loss.share, tranche, metric, value, se, bound_95,
    // rating, horizon_years.
    for row in &rows {
        assert_eq!(row[1..3], ["senior", "implied_rating"]);
        assert!(stdout.contains(row[6]), "{stdout}");
        let p_loss: f64 = row[3].parse().unwrap();
        assert!(p_loss > 0.0 && p_loss < 1.0, "{row:?}");
        let horizon: f64 = row[7].parse().unwrap();
        assert!(horizon > 1.0 && horizon < 20.0, "{row:?}");
    }
    assert!(rank(&rows[0]) >= rank(&rows[1]) && rank(&rows[1]) >= rank(&rows[2]));
    assert!(rank(&rows[0]) > rank(&rows[2]), "{rows:?}");
}

/// Without --metric every tranche's expected loss is printed, each block
/// labelled; a tranche of size zero has no statistics (n/a, empty cells),
/// not an IRR of -1 with a standard error of 0.
#[test]
fn every_tranche_is_printed_and_a_tranche_of_size_zero_is_undefined() {
    let out = tempfile::tempdir().unwrap();
    let assert = Command::cargo_bin("blendsim")
        .unwrap()
        .args(["sweep", QUICKSTART, "--vary", "first_loss.share=0,0.1"])
        .args(["--absorb", "senior", "--paths", "2000", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    for tranche in ["senior", "mezzanine", "first_loss"] {
        let heading = format!("{tranche} expected loss (of notional, \u{b1} one standard error)");
        assert!(stdout.contains(&heading), "{stdout}");
    }
    // The first loss at share 0: n/a; at 10%, a loss in bp with its SE.
    let block = stdout.split("first_loss expected loss").nth(1).unwrap();
    let rows: Vec<&str> = block.lines().skip(2).take(2).collect();
    assert_eq!(
        rows[0].split_whitespace().collect::<Vec<_>>(),
        ["0.0%", "n/a"]
    );
    assert!(rows[1].contains(" bp \u{b1} "), "{stdout}");
    assert!(stdout.contains("n/a: the tranche has size zero at that point."));
    let csv = std::fs::read_to_string(out.path().join("sweep.csv")).unwrap();
    assert!(
        csv.lines().any(|l| l == "0,first_loss,expected_loss,,,,,"),
        "{csv}"
    );
    Command::cargo_bin("blendsim")
        .unwrap()
        .args(["sweep", QUICKSTART, "--vary", "first_loss.share=0,0.1"])
        .args(["--absorb", "senior", "--metric", "first_loss.irr_p50"])
        .args(["--paths", "2000", "--quiet", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.path().join("sweep.csv")).unwrap();
    assert!(
        csv.lines().any(|l| l == "0,first_loss,irr_p50,,,,,"),
        "{csv}"
    );
    assert!(!csv.contains(",-1,"), "{csv}");
}
