//! The committee pack's files end to end: each CSV's documented header and
//! an invariant, reproducibility across thread counts, `--format json`,
//! the terminal table, and neutralised spreadsheet formulas.

use crate::common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::{csv_rows, num};
use tempfile::TempDir;

const QUICKSTART: &str = "portfolios/quickstart";

/// Headers as documented in docs/outputs.md, written out independently of
/// the code that produces them.
const FACILITY_HEADER: &str = "paths,total_capital,public_capital,private_capital,\
mobilisation_ratio,public_expected_loss,public_expected_loss_se,private_expected_loss,\
private_expected_loss_se,first_loss_tranche,prob_first_loss_wiped_out,\
prob_first_loss_wiped_out_se,pool_notional,pool_expected_loss,pool_expected_loss_se,\
pool_loss_p50,pool_loss_p90,pool_loss_p99,pool_loss_p999,pool_es_99,pool_es_99_se,expected_defaults,\
expected_defaults_se,defaults_p50,defaults_p90,defaults_p99,expected_recoveries,\
expected_recoveries_se,prob_event_of_default,prob_event_of_default_se,event_of_default_years,\
capital_expected_loss,capital_expected_loss_se,excess_spread_absorbed,excess_spread_absorbed_se";
const CONTRIBUTIONS_HEADER: &str = "level,name,id,mineral,country,segment,amount,\
expected_loss,expected_loss_se,es_99_contribution,es_99_contribution_se,es_99_share";
const QUANTILES_HEADER: &str = "party,metric,probability,value,ci_low,ci_high";
const HISTOGRAM_HEADER: &str = "party,bin_low,bin_high,count,probability";
const RATINGS_HEADER: &str = "tranche,basis,horizon_years,metric,metric_se,implied_rating,\
rating_benchmark,better_rating_benchmark,table_source";

const GRID: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999,
];

/// Relative tolerance for sums of per-path floats that must agree up to
/// rounding.
const ROUNDING: f64 = 1e-9;

/// A parsed CSV: the header line as written, and rows as column -> cell.
struct Table {
    header: String,
    rows: Vec<BTreeMap<String, String>>,
}

impl Table {
    fn read(path: &Path) -> Table {
        let (header, rows) = csv_rows(path);
        Table { header, rows }
    }

    fn where_eq(&self, column: &str, value: &str) -> Vec<&BTreeMap<String, String>> {
        self.rows.iter().filter(|r| r[column] == value).collect()
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= ROUNDING * a.abs().max(b.abs()).max(1.0)
}

fn blendsim() -> Command {
    let mut cmd = Command::cargo_bin("blendsim").expect("the binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// A copy of a portfolio folder with `edit` applied to the facility file and
/// `edit_projects` to the project list.
fn portfolio(
    folder: &str,
    edit: impl FnOnce(String) -> String,
    edit_projects: impl FnOnce(String) -> String,
) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    for (file, edit) in [
        (
            "facility.toml",
            Box::new(edit) as Box<dyn FnOnce(String) -> String>,
        ),
        ("projects.csv", Box::new(edit_projects)),
    ] {
        let text = fs::read_to_string(source.join(file)).unwrap();
        fs::write(dir.path().join(file), edit(text)).unwrap();
    }
    dir
}

/// Runs the quickstart facility (or `facility`) quietly into a new folder.
fn run(facility: &Path, paths: u32, extra: &[&str]) -> (TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let folder = out.path().join("out");
    blendsim()
        .arg("run")
        .arg(facility)
        .args(["--paths", &paths.to_string(), "--quiet", "--out"])
        .arg(&folder)
        .args(extra)
        .assert()
        .success()
        .stdout("");
    (out, folder)
}

fn quickstart() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(QUICKSTART)
        .join("facility.toml")
}

/// A reader can check conservation from cashflows.csv alone (the rule in
/// docs/outputs.md): every period, the pool's collections, the ramp-up
/// account's interest and releases and the guarantee's payout equal the
/// tranches' cash, the fees, the reserves' net deposits and the guarantor's
/// reimbursements, up to the rounding of the printed means (four decimals
/// a cell, a few dozen cells); and the pool's draws are what the tranches
/// and the ramp-up account lent.
#[test]
fn cashflows_csv_conserves_cash_from_the_pack_alone() {
    for folder in [
        "portfolios/us-rok-critical-minerals",
        "portfolios/us-rok-guarantee",
        QUICKSTART,
    ] {
        let facility = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(folder)
            .join("facility.toml");
        let (_dir, out) = run(&facility, 200, &[]);
        let table = Table::read(&out.join("cashflows.csv"));
        let cell = |row: &BTreeMap<String, String>, column: &str| -> f64 {
            row[column].parse().unwrap_or(0.0)
        };
        let periods = table.rows.iter().map(|r| cell(r, "period") as usize).max();
        let (mut reimbursed_any, mut collected) = (false, 0.0);
        for k in 1..=periods.unwrap() {
            let (mut sources, mut uses, mut lent, mut draws) = (0.0, 0.0, 0.0, 0.0);
            for row in table.where_eq("period", &k.to_string()) {
                let get = |column| cell(row, column);
                match row["kind"].as_str() {
                    "pool" => {
                        sources += get("interest_paid") + get("principal_paid") + get("recoveries");
                        collected += get("interest_paid");
                        draws += get("funded");
                    }
                    "ramp_up_account" => {
                        sources += get("interest_paid") + get("principal_paid");
                        lent += get("funded");
                    }
                    "guarantee" => {
                        sources -= get("principal_paid");
                        uses += get("reimbursed");
                        reimbursed_any |= get("reimbursed") > 0.0;
                    }
                    "tranche" => {
                        uses += get("interest_paid") + get("principal_paid") + get("residual_paid");
                        lent += get("funded");
                    }
                    "fee" | "reserve" => uses += get("interest_paid"),
                    "pdl" => {}
                    other => panic!("{folder}: unknown kind {other}"),
                }
            }
            assert!(
                (sources - uses).abs() < 0.01,
                "{folder} period {k}: sources {sources} != uses {uses}"
            );
            assert!(
                (draws - lent).abs() < 0.01,
                "{folder} period {k}: draws {draws} != lent {lent}"
            );
        }
        assert!(collected > 0.0, "{folder}: the pool collects interest");
        assert_eq!(
            reimbursed_any,
            folder.ends_with("guarantee"),
            "{folder}: the guarantor is reimbursed"
        );
    }
}

/// facility.csv explains the gap between the pool's expected loss and the
/// tranches' width-weighted ones: what excess spread absorbed (on the
/// flagship, whose PDL cures written-off principal from excess spread; on
/// the quickstart, whose mezzanine capitalises interest that principal then
/// repays, it is negative).
#[test]
fn facility_csv_explains_the_pool_loss_the_tranches_do_not_bear() {
    let flagship = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("portfolios/us-rok-critical-minerals/facility.toml");
    let (_dir, out) = run(&flagship, 1_000, &[]);
    let facility = Table::read(&out.join("facility.csv"));
    let f = &facility.rows[0];
    let summary = Table::read(&out.join("summary.csv"));
    let pool = num(f, "pool_notional");
    let weighted: f64 = (summary.rows.iter())
        .map(|r| num(r, "notional") * num(r, "expected_loss"))
        .sum::<f64>()
        / pool;
    let capital = num(f, "capital_expected_loss");
    assert!(
        (weighted - capital).abs() <= 1e-9,
        "{weighted} vs {capital}"
    );
    let absorbed = num(f, "excess_spread_absorbed");
    assert!(
        (num(f, "pool_expected_loss") - capital - absorbed).abs() <= 1e-9,
        "pool EL = capital EL + excess spread absorbed"
    );
    assert!(
        absorbed > 2.0 * num(f, "excess_spread_absorbed_se"),
        "the flagship's excess spread absorbs some of the pool's loss: {absorbed}"
    );
}

#[test]
fn facility_csv_one_row_of_consistent_capital() {
    let (_dir, out) = run(&quickstart(), 3000, &[]);
    let table = Table::read(&out.join("facility.csv"));
    assert_eq!(table.header, FACILITY_HEADER);
    assert_eq!(table.rows.len(), 1);
    let f = &table.rows[0];
    assert_eq!(f["paths"], "3000");
    let (public, private) = (num(f, "public_capital"), num(f, "private_capital"));
    assert!(close(public + private, num(f, "total_capital")));
    assert!(close(num(f, "mobilisation_ratio"), private / public));
    let p = num(f, "prob_first_loss_wiped_out");
    assert!((0.0..=1.0).contains(&p));
    let q: Vec<f64> = [
        "pool_loss_p50",
        "pool_loss_p90",
        "pool_loss_p99",
        "pool_loss_p999",
    ]
    .iter()
    .map(|c| num(f, c))
    .collect();
    assert!(q.windows(2).all(|w| w[0] <= w[1]), "{q:?}");
    assert!(num(f, "pool_es_99") >= q[2]);
    let es_se = num(f, "pool_es_99_se");
    assert!(es_se.is_finite() && es_se > 0.0, "pool_es_99_se = {es_se}");
}

#[test]
fn contributions_add_up_to_the_pool_expected_shortfall() {
    let (_dir, out) = run(&quickstart(), 3000, &[]);
    let table = Table::read(&out.join("contributions.csv"));
    assert_eq!(table.header, CONTRIBUTIONS_HEADER);
    let facility = &Table::read(&out.join("facility.csv")).rows[0];
    let notional = num(facility, "pool_notional");
    let pool_es = num(facility, "pool_es_99") * notional;
    let pool_el = num(facility, "pool_expected_loss") * notional;
    for level in ["project", "mineral", "country"] {
        let rows = table.where_eq("level", level);
        assert!(!rows.is_empty(), "{level}");
        let es: Vec<f64> = rows.iter().map(|r| num(r, "es_99_contribution")).collect();
        // Amounts are written to the cent and the pool's fractions to ten
        // decimals: sums may differ from the pool's figures by half a cent
        // a row plus half of 1e-10 of the notional.
        let written = 0.005 * rows.len() as f64 + 0.5e-10 * notional;
        let total: f64 = es.iter().sum();
        assert!(
            (total - pool_es).abs() <= written,
            "{level}: {total} vs {pool_es}"
        );
        assert!(
            es.windows(2).all(|w| w[0] >= w[1]),
            "{level} sorted: {es:?}"
        );
        let el: f64 = rows.iter().map(|r| num(r, "expected_loss")).sum();
        assert!(
            (el - pool_el).abs() <= written,
            "{level}: EL {el} vs {pool_el}"
        );
        let share: f64 = rows.iter().map(|r| num(r, "es_99_share")).sum();
        assert!(close(share, 1.0), "{level}: shares {share}");
    }
    let projects = fs::read_to_string(Path::new(QUICKSTART).join("projects.csv")).unwrap();
    assert_eq!(
        table.where_eq("level", "project").len(),
        projects.lines().count() - 1
    );
}

#[test]
fn quantiles_rise_with_probability_inside_their_intervals() {
    let (_dir, out) = run(&quickstart(), 3000, &[]);
    let table = Table::read(&out.join("quantiles.csv"));
    assert_eq!(table.header, QUANTILES_HEADER);
    let summary = Table::read(&out.join("summary.csv"));
    let mut parties: Vec<(String, String)> = summary
        .rows
        .iter()
        .flat_map(|r| {
            [
                (r["tranche"].clone(), "loss".into()),
                (r["tranche"].clone(), "irr".into()),
            ]
        })
        .collect();
    parties.push(("pool".into(), "loss".into()));
    assert_eq!(table.rows.len(), parties.len() * GRID.len());
    for (party, metric) in &parties {
        let rows: Vec<_> = table
            .rows
            .iter()
            .filter(|r| &r["party"] == party && &r["metric"] == metric)
            .collect();
        let probabilities: Vec<f64> = rows.iter().map(|r| num(r, "probability")).collect();
        assert_eq!(probabilities, GRID, "{party} {metric}");
        let values: Vec<f64> = rows.iter().map(|r| num(r, "value")).collect();
        assert!(
            values.windows(2).all(|w| w[0] <= w[1]),
            "{party} {metric}: {values:?}"
        );
        for r in &rows {
            assert!(num(r, "ci_low") <= num(r, "value") && num(r, "value") <= num(r, "ci_high"));
        }
    }
    // The grid's p99 loss is summary.csv's loss_p99.
    for s in &summary.rows {
        let p99 = table
            .rows
            .iter()
            .find(|r| {
                r["party"] == s["tranche"] && r["metric"] == "loss" && r["probability"] == "0.99"
            })
            .unwrap();
        assert_eq!(p99["value"], s["loss_p99"]);
    }
}

#[test]
fn histogram_probabilities_sum_to_one() {
    let (_dir, out) = run(&quickstart(), 3000, &[]);
    let table = Table::read(&out.join("histogram.csv"));
    assert_eq!(table.header, HISTOGRAM_HEADER);
    let summary = Table::read(&out.join("summary.csv"));
    let parties = summary
        .rows
        .iter()
        .map(|r| r["tranche"].clone())
        .chain(["pool".into()]);
    for party in parties {
        let bins = table.where_eq("party", &party);
        assert_eq!(bins.len(), 21, "{party}");
        // Each probability is written to ten decimals: the 21 may miss 1
        // by half of 1e-10 each.
        let p: f64 = bins.iter().map(|b| num(b, "probability")).sum();
        assert!((p - 1.0).abs() <= 21.0 * 0.5e-10 + 1e-12, "{party}: {p}");
        let count: f64 = bins.iter().map(|b| num(b, "count")).sum();
        assert_eq!(count, 3000.0, "{party}");
        assert_eq!(
            (num(bins[0], "bin_low"), num(bins[0], "bin_high")),
            (0.0, 0.0)
        );
        assert_eq!(num(bins[20], "bin_high"), 1.0);
    }
}

#[test]
fn ratings_use_the_wal_and_the_chosen_basis() {
    let (_dir, out) = run(&quickstart(), 3000, &["--rating-basis", "expected-loss"]);
    let table = Table::read(&out.join("ratings.csv"));
    assert_eq!(table.header, RATINGS_HEADER);
    let summary = Table::read(&out.join("summary.csv"));
    let known = [
        "Aaa", "Aa1", "Aa2", "Aa3", "A1", "A2", "A3", "Baa1", "Baa2", "Baa3", "Ba1", "Ba2", "Ba3",
        "B1", "B2", "B3", "Caa1", "Caa2", "Caa3", "Ca",
    ];
    for (r, s) in table.rows.iter().zip(&summary.rows) {
        assert_eq!(r["tranche"], s["tranche"]);
        assert_eq!(r["basis"], "expected_loss");
        // The expected-loss basis rates the present-value loss.
        assert_eq!(r["metric"], s["pv_loss"]);
        assert_eq!(r["horizon_years"], s["wal_years"]);
        assert!(known.contains(&r["implied_rating"].as_str()), "{r:?}");
        assert!(r["implied_rating"] == "Ca" || num(r, "metric") <= num(r, "rating_benchmark"));
        // Without [implied_rating], the bundled 10-year column.
        assert_eq!(
            r["table_source"],
            "Moody's idealized 10-year cumulative default probabilities (WARF / 10,000)"
        );
    }
    // Seniority never rates worse than what is below it.
    let rank = |r: &BTreeMap<String, String>| known.iter().position(|k| *k == r["implied_rating"]);
    let ranks: Vec<_> = table.rows.iter().map(rank).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
}

#[test]
fn pack_is_identical_for_any_thread_count() {
    let (_a, one) = run(&quickstart(), 3000, &["--threads", "1"]);
    let (_b, three) = run(&quickstart(), 3000, &["--threads", "3"]);
    let files: Vec<PathBuf> = fs::read_dir(&one)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv" || e == "svg"))
        .collect();
    assert!(files.len() >= 11, "{files:?}");
    for file in files {
        let name = file.file_name().unwrap();
        assert_eq!(
            fs::read(&file).unwrap(),
            fs::read(three.join(name)).unwrap(),
            "{name:?}"
        );
    }
}

/// stdout of `run` on the quickstart facility (2,000 paths) with `extra`
/// arguments, writing into a temporary folder.
fn run_stdout(extra: &[&str]) -> String {
    run_stdout_of("portfolios/quickstart/facility.toml", extra)
}

/// stdout of `run` on `facility` (2,000 paths) with `extra` arguments,
/// writing into a temporary folder.
fn run_stdout_of(facility: &str, extra: &[&str]) -> String {
    let out = tempfile::tempdir().unwrap();
    let assert = blendsim()
        .args(["run", facility, "--paths", "2000"])
        .args(extra)
        .arg("--out")
        .arg(out.path())
        .assert()
        .success()
        // stderr is not a terminal here: no progress bar.
        .stderr("");
    String::from_utf8(assert.get_output().stdout.clone()).unwrap()
}

#[test]
fn table_shows_ratings_mobilisation_and_public_loss() {
    let stdout = run_stdout(&[]);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].trim_end().ends_with("rating"), "{stdout}");
    assert!(
        lines[1]
            .split_whitespace()
            .last()
            .is_some_and(|r| r.starts_with('A') || r.starts_with('B') || r.starts_with('C'))
    );
    assert!(stdout.contains("Mobilisation ratio: "), "{stdout}");
    // The budget office's measure first, then the undiscounted loss.
    let pv_cost = stdout
        .find("PV cost of public money: USD ")
        .expect("a PV cost line");
    let loss = (stdout.find("Expected public loss (undiscounted principal): USD "))
        .expect("an undiscounted loss line");
    assert!(pv_cost < loss, "{stdout}");
    // The quickstart's public first loss earns more than it pays out at its
    // own rate (as the flagship's does, docs/calibration.md, section 13):
    // the terminal says what such a negative cost means.
    let negative = "A negative PV cost is an expected gain at the public parties' own";
    assert!(
        stdout.contains("PV cost of public money: USD -"),
        "{stdout}"
    );
    assert!(stdout.contains(negative), "{stdout}");
    // The guarantee's public side pays out more than it gets back: no such
    // line.
    let stdout = run_stdout_of(
        "portfolios/us-rok-guarantee/facility.toml",
        &["--tornado-paths", "0"],
    );
    let cost = stdout
        .find("PV cost of public money: USD ")
        .expect("a PV cost line");
    assert!(
        stdout[cost..].starts_with("PV cost of public money: USD 3"),
        "{stdout}"
    );
    assert!(!stdout.contains(negative), "{stdout}");
    for file in [
        "facility.csv",
        "contributions.csv",
        "report.html",
        "loss_exceedance.svg",
    ] {
        assert!(stdout.contains(file), "{file}: {stdout}");
    }
}

#[test]
fn json_format_prints_the_summary_for_scripts() {
    let json: serde_json::Value = serde_json::from_str(&run_stdout(&["--format", "json"])).unwrap();
    let tranches = json["tranches"].as_array().unwrap();
    assert_eq!(tranches.len(), 3);
    assert_eq!(tranches[0]["tranche"], "senior");
    assert_eq!(tranches[0]["notional"], "150000000.00");
    assert!(tranches[0]["expected_loss_se"].is_number());
    for tranche in tranches {
        let se = tranche["es_99_se"].as_f64();
        assert!(se.is_some_and(|x| x >= 0.0), "{tranche}");
    }
    assert!(tranches[0]["implied_rating"]["rating"].is_string());
    assert!(json["facility_metrics"]["mobilisation_ratio"].is_number());
    assert!(json["facility_metrics"]["public_expected_loss"]["se"].is_number());
    assert_eq!(json["paths"], 2000);
    assert!(json["files"].as_array().unwrap().len() >= 13);
}

/// Names chosen by users go into CSV cells and the page; none may become a
/// spreadsheet formula or markup.
#[test]
fn user_text_cannot_become_a_formula() {
    let dir = portfolio(
        QUICKSTART,
        // Tranche names are restricted to a safe alphabet, so formulas
        // can only come from the project list's text.
        |toml| toml.to_owned(),
        |csv| {
            csv.replace("Yarrabee Spodumene Mine", "@SUM(A1:A9)")
                .replace("LI-01,", "-LI-01,")
                .replace(",Australia,", ",+Australia,")
                .replace(",Argentina,", ",=1+1,")
                .replace(",Chile,", ",|calc,")
                .replace("Puna Alta Brine Lithium", "<script>alert(1)</script>")
        },
    );
    let (_out, folder) = run(&dir.path().join("facility.toml"), 500, &[]);
    let mut seen = Vec::new();
    for entry in fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(&path)
            .unwrap();
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                let dangerous = cell.starts_with(['\t', '\r', '\n'])
                    || cell
                        .trim_start_matches(' ')
                        .starts_with(['=', '+', '-', '@', '|', '%']);
                assert!(
                    !dangerous || cell.parse::<f64>().is_ok(),
                    "{}: formula cell {cell:?}",
                    path.display()
                );
                if cell.starts_with('\'') {
                    seen.push(cell.to_owned());
                }
            }
        }
    }
    for expected in ["'=1+1", "'|calc", "'@SUM(A1:A9)", "'-LI-01", "'+Australia"] {
        assert!(
            seen.iter().any(|c| c == expected),
            "{expected} not in {seen:?}"
        );
    }
    let html = fs::read_to_string(folder.join("report.html")).unwrap();
    assert!(
        !html.contains("<script"),
        "markup from a name reached the page"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}
