//! `blendsim analytic` from the command line.

use assert_cmd::Command;

#[test]
fn analytic_prints_the_approximation_and_writes_its_csv() {
    let out = tempfile::tempdir().unwrap();
    let assert = Command::cargo_bin("blendsim")
        .unwrap()
        .args([
            "analytic",
            "portfolios/us-rok-critical-minerals/facility.toml",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(
        stdout.contains("Homogeneous approximation: 47 effective loans"),
        "{stdout}"
    );
    assert!(stdout.contains("same mineral and country"), "{stdout}");
    let csv = std::fs::read_to_string(out.path().join("analytic.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "party,attachment,detachment,expected_loss,loss_p99,loss_p999,expected_loss_large_pool"
    );
    let parties: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(parties, ["senior", "mezzanine", "first_loss", "pool"]);
    // Tranche expected losses are fractions, junior tranches lose more.
    let el: Vec<f64> = lines[1..4]
        .iter()
        .map(|l| l.split(',').nth(3).unwrap().parse().unwrap())
        .collect();
    assert!(el.iter().all(|x| (0.0..=1.0).contains(x)));
    assert!(el[0] <= el[1] && el[1] <= el[2], "{el:?}");
}

#[test]
fn analytic_rejects_bad_input_with_exit_code_2() {
    Command::cargo_bin("blendsim")
        .unwrap()
        .args(["analytic", "no/such/facility.toml"])
        .assert()
        .code(2);
}
