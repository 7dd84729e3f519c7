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
        stdout.contains("It approximates the pool by 47 identical loans"),
        "{stdout}"
    );
    // The implied default correlations are the pool's: every kind of pair
    // the flagship has, with its share of the (exposure-weighted) pairs,
    // then all pairs at the approximation's average correlation 0.133.
    let shares: Vec<f64> = [
        "same mineral and country",
        "same mineral, other country",
        "same country, other mineral",
        "other mineral and country",
    ]
    .iter()
    .map(|pair| {
        let line = stdout.lines().find(|l| l.trim_start().starts_with(pair));
        let share = line.unwrap_or_else(|| panic!("{pair}: {stdout}"));
        let share = share[pair.len() + 2..].split_whitespace().next().unwrap();
        share.trim_end_matches('%').parse::<f64>().unwrap()
    })
    .collect();
    let total: f64 = shares.iter().sum();
    assert!((total - 100.0).abs() < 0.25, "{shares:?}");
    assert!(stdout.contains("all pairs (the approximation's)       100.0%             0.133"));
    assert!(
        stdout.contains("Why it differs from `blendsim run`"),
        "{stdout}"
    );
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
