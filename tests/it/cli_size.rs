//! `blendsim size` from the command line.

use assert_cmd::Command;

const QUICKSTART: &str = "portfolios/quickstart/facility.toml";

fn size(args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("blendsim")
        .unwrap()
        .arg("size")
        .arg(QUICKSTART)
        .args(args)
        .assert()
}

/// A successful sizing on 2,000 paths, written into `out`.
fn size_into(out: &tempfile::TempDir, args: &[&str]) -> assert_cmd::assert::Assert {
    let out_arg = out.path().to_str().unwrap();
    let mut all = args.to_vec();
    all.extend(["--paths", "2000", "--out", out_arg]);
    size(&all).success()
}

/// What the command printed.
fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).unwrap()
}

/// The sizing.json written into `out`.
fn sizing_json(out: &tempfile::TempDir) -> serde_json::Value {
    let text = std::fs::read_to_string(out.path().join("sizing.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn size_writes_the_curve_and_the_answer() {
    let out = tempfile::tempdir().unwrap();
    let assert = size_into(
        &out,
        &[
            "--target",
            "senior.expected_loss <= 0.0005",
            "--solve",
            "first_loss",
            "--absorb",
            "senior",
        ],
    );
    let stdout = stdout(&assert);
    assert!(
        stdout.contains("smallest size meeting the target"),
        "{stdout}"
    );
    let csv = std::fs::read_to_string(out.path().join("sizing.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "tranche,share,amount,metric,metric_se,bound_95,worst_scenario"
    );
    // The 5 grid points and every size the search evaluated, by size.
    let shares: Vec<f64> = lines
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    assert!(shares.len() > 5, "{shares:?}");
    assert!(shares.windows(2).all(|w| w[0] < w[1]), "{shares:?}");
    let json = sizing_json(&out);
    let share = json["solution"]["share"].as_f64().unwrap();
    assert!(share > 0.0 && share < 0.4, "{share}");
}

/// A rating target screens candidates on P(loss) and says how many; only
/// the candidates evaluated in full are on the curve, and the answer's
/// bracket is among them: the curve's size just below the answer, a basis
/// point or less away, misses the target.
#[test]
fn rating_targets_screen_candidates_and_keep_the_curve_exact() {
    let out = tempfile::tempdir().unwrap();
    let assert = size_into(
        &out,
        &[
            "--target",
            "senior.implied_rating >= A2",
            "--solve",
            "first_loss",
            "--absorb",
            "senior",
        ],
    );
    let stdout = stdout(&assert);
    assert!(
        stdout.contains("more screened on P(loss) alone"),
        "{stdout}"
    );
    let json = sizing_json(&out);
    let screened = json["screened"].as_u64().unwrap();
    let curve = json["curve"].as_array().unwrap();
    assert!(screened > 0, "{json}");
    assert_eq!(json["evaluations"].as_u64().unwrap(), curve.len() as u64);
    for answer in ["solution", "confident"] {
        let gap = |p: &serde_json::Value, key: &str| p["evaluation"][key].as_f64().unwrap();
        let met = |p: &serde_json::Value| match answer {
            "solution" => gap(p, "value") <= 0.0,
            _ => gap(p, "bound") <= 0.0,
        };
        let share = json[answer]["share"].as_f64().unwrap();
        assert!(met(&json[answer]), "{answer}: {json}");
        let below = curve
            .iter()
            .rfind(|p| p["share"].as_f64().unwrap() < share)
            .unwrap();
        assert!(!met(below), "{answer}: {below}");
        assert!(
            share - below["share"].as_f64().unwrap() <= 1.01e-4,
            "{answer}"
        );
    }
}

/// A target on the tranche being sized: at size zero that tranche has no
/// IRR, so the curve's first row has empty metric columns, and the solution
/// is a positive size whose 5% IRR quantile reaches the target.
#[test]
fn a_tranche_sized_to_zero_has_no_metric() {
    let out = tempfile::tempdir().unwrap();
    size_into(
        &out,
        &[
            "--target",
            "first_loss.irr_p05 >= -0.5",
            "--solve",
            "first_loss",
            "--absorb",
            "senior",
        ],
    );
    let csv = std::fs::read_to_string(out.path().join("sizing.csv")).unwrap();
    let first = csv.lines().nth(1).unwrap();
    assert!(first.starts_with("first_loss,0,0.00,,,,"), "{first}");
    let json = sizing_json(&out);
    let solution = &json["solution"];
    assert!(solution["share"].as_f64().unwrap() > 0.0, "{solution}");
    assert!(
        solution["evaluation"]["value"].as_f64().unwrap() >= -0.5,
        "{solution}"
    );
}

#[test]
fn bad_sizing_requests_exit_2_with_a_reason() {
    let cases: [(&[&str], &str); 8] = [
        (
            &[
                "--target",
                "senior.expected_loss < 0.1",
                "--solve",
                "first_loss",
            ],
            "expected `tranche.metric <= value`",
        ),
        (
            &["--target", "senior.colour <= 0.1", "--solve", "first_loss"],
            "unknown metric `colour`",
        ),
        (
            &[
                "--target",
                "junior.expected_loss <= 0.1",
                "--solve",
                "first_loss",
            ],
            "no tranche is named `junior`",
        ),
        (
            &[
                "--target",
                "senior.expected_loss <= 0.1",
                "--solve",
                "first_loss",
                "--scenario",
                "crash",
            ],
            "no such scenario",
        ),
        (
            &[
                "--target",
                "senior.expected_loss <= 0.1",
                "--solve",
                "first_loss",
                "--range",
                "0.4",
            ],
            "expected LOW:HIGH",
        ),
        (
            &[
                "--target",
                "senior.expected_loss <= 0.1",
                "--solve",
                "first_loss",
                "--range",
                "0.0:0.3",
            ],
            "first_loss and mezzanine together are 25.00% of total capital, so first_loss must stay below a share \
             of 0.25",
        ),
        (
            &[
                "--target",
                "senior.expected_loss <= 0.1",
                "--solve",
                "first_loss",
                "--grid",
                "100000000",
            ],
            "--grid 100000000: at most 201 points",
        ),
        (
            &[
                "--target",
                "senior.expected_loss <= 10",
                "--solve",
                "first_loss",
            ],
            "fractions in [0, 1]",
        ),
    ];
    for (args, message) in cases {
        size(&[args, &["--paths", "10"][..]].concat())
            .code(2)
            .stderr(predicates::str::contains(message));
    }
}

/// Without --range the search stops a basis point short of where the
/// absorbing tranche would vanish: the quickstart's mezzanine (14%) and
/// first loss (11%) are 25% of capital. A senior target with the mezzanine
/// absorbing gets a note that the senior's subordination does not move.
#[test]
fn the_default_range_leaves_the_absorbing_tranche_positive() {
    let out = tempfile::tempdir().unwrap();
    let assert = size_into(
        &out,
        &[
            "--target",
            "senior.expected_loss <= 0.1",
            "--solve",
            "first_loss",
        ],
    );
    let stdout = stdout(&assert);
    assert!(
        stdout.contains("note: first_loss and mezzanine are both junior to senior"),
        "{stdout}"
    );
    let json = sizing_json(&out);
    assert_eq!(json["request"]["range"], serde_json::Value::Null);
    assert_eq!(json["range"], serde_json::json!([0.0, 0.2499]));
    let last = json["curve"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["amount"], "49980000.00");
}

/// Holding the other tranches grows the total: the answer says so instead
/// of naming an absorbing tranche.
#[test]
fn holding_says_the_total_grows() {
    let out = tempfile::tempdir().unwrap();
    let assert = size_into(
        &out,
        &[
            "--target",
            "senior.expected_loss <= 0.001",
            "--solve",
            "first_loss",
            "--hold",
            "senior",
        ],
    );
    let stdout = stdout(&assert);
    assert!(
        stdout.contains(
            "(every other tranche held, the total and the pool growing from USD 200,000,000; 2,000 paths"
        ),
        "{stdout}"
    );
}

/// `--solve` may name the facility's unfunded guarantee: its cap is sized,
/// no tranche changes, and --absorb is refused.
#[test]
fn the_guarantee_cap_can_be_sized() {
    let size_guarantee = |more: &[&str]| {
        Command::cargo_bin("blendsim")
            .unwrap()
            .args(["size", "portfolios/us-rok-guarantee/facility.toml"])
            .args(["--target", "senior.expected_loss <= 0.001"])
            .args(["--solve", "public_guarantee"])
            .args(more)
            .assert()
    };
    let out = tempfile::tempdir().unwrap();
    let out_arg = out.path().to_str().unwrap();
    let sized = size_guarantee(&["--paths", "2000", "--out", out_arg]).success();
    let stdout = String::from_utf8(sized.get_output().stdout.clone()).unwrap();
    assert!(
        stdout.contains(
            "Sizing public_guarantee for senior.expected_loss <= 0.001 (an unfunded guarantee: no tranche \
             changes; total capital USD 1,500,000,000; 2,000 paths"
        ),
        "{stdout}"
    );
    let csv = std::fs::read_to_string(out.path().join("sizing.csv")).unwrap();
    assert!(
        csv.lines()
            .skip(1)
            .all(|l| l.starts_with("public_guarantee,")),
        "{csv}"
    );
    size_guarantee(&["--absorb", "senior", "--paths", "10"])
        .code(2)
        .stderr(predicates::str::contains(
            "--absorb: public_guarantee is an unfunded guarantee",
        ));
}
