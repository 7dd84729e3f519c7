//! Builders of small facilities for tests, in code rather than files, so
//! each test states exactly the setting it checks.
#![allow(dead_code)]

use blendsim::spec::*;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A date from "YYYY-MM-DD".
pub fn date(s: &str) -> NaiveDate {
    s.parse().expect("test dates are valid")
}

/// A tranche with zero coupon, not deferrable, private.
pub fn tranche(name: &str, class: TrancheClass, amount: i64) -> TrancheSpec {
    TrancheSpec {
        name: name.into(),
        class,
        amount: Decimal::from(amount),
        coupon: 0.0,
        deferrable: false,
        public: false,
        funding: Funding::AtClose,
    }
}

/// A loan with the given amount, dates, PD and recovery.
pub fn project(
    id: usize,
    amount: i64,
    start: &str,
    maturity: &str,
    annual_pd: f64,
    recovery: f64,
) -> ProjectSpec {
    ProjectSpec {
        id: format!("P{id:03}"),
        name: format!("Project {id}"),
        mineral: "lithium".into(),
        segment: Segment::Extraction,
        country: "Australia".into(),
        sponsor_nexus: vec!["US".into()],
        sponsor: None,
        amount: Decimal::from(amount),
        coupon: 0.0,
        start_date: date(start),
        maturity_date: date(maturity),
        amortization: Amortization::Bullet,
        pd: PdSource::AnnualPd(annual_pd),
        construction_end: None,
        draws: Vec::new(),
        capitalise_until: None,
        region: None,
        recovery_mean: recovery,
        recovery_sd: 0.0,
        line: id + 1,
    }
}

/// A facility with the given tranches and projects, quarterly, 30/360,
/// no fee, Gaussian copula with only a global factor of share `rho`.
pub fn facility(
    start: &str,
    legal_final: &str,
    rho: f64,
    recovery_lag_months: u32,
    tranches: Vec<TrancheSpec>,
    projects: Vec<ProjectSpec>,
) -> FacilitySpec {
    FacilitySpec {
        name: "test facility".into(),
        currency: Currency {
            code: "USD".into(),
            minor_digits: 2,
        },
        start_date: date(start),
        frequency: PaymentFrequency::Quarterly,
        legal_final_date: date(legal_final),
        day_count: DayCount::Thirty360,
        tranches,
        management_fee_bps: 0.0,
        ramp_up_yield: 0.0,
        risk: RiskSpec {
            correlation: CorrelationShares {
                global: rho,
                mineral: 0.0,
                country: 0.0,
                region: 0.0,
            },
            copula: Copula::Gaussian,
            recovery_lag_months,
            recovery_systematic_weight: 0.0,
            correlation_by_mineral: Vec::new(),
            construction_pd_multiplier: 1.0,
            ratings: RatingTable::moodys_idealized_10y(),
            pd_curves: Vec::new(),
        },
        eligibility: EligibilityRules::default(),
        simulation: SimulationDefaults::default(),
        waterfall: None,
        guarantee: None,
        parties: Vec::new(),
        nexus_events: None,
        implied_rating: IdealizedTable::MoodysTenYear,
        projects,
    }
}

/// references section 1 setting: `n` identical zero-coupon bullet loans
/// of 1,000,000 over 5 years (30/360, so exactly 5 years) with cumulative
/// default probability `p`, fixed recovery, one global factor, and zero-coupon
/// sequential tranches cut at `cuts` (fractions of the pool, ascending, the
/// last 1.0), legal final one year after maturity so every recovery (lag 12
/// months) is in.
pub fn homogeneous_pool(n: usize, p: f64, rho: f64, recovery: f64, cuts: &[f64]) -> FacilitySpec {
    let loan = 1_000_000_i64;
    let total = loan * n as i64;
    let annual_pd = 1.0 - (1.0 - p).powf(1.0 / 5.0);
    let projects = (0..n)
        .map(|i| project(i, loan, "2021-01-01", "2026-01-01", annual_pd, recovery))
        .collect();
    let mut tranches = Vec::new();
    let mut lower = 0.0;
    for (i, &upper) in cuts.iter().enumerate() {
        let amount = ((upper - lower) * total as f64).round() as i64;
        let class = if i == 0 {
            TrancheClass::FirstLoss
        } else {
            TrancheClass::Mezzanine
        };
        tranches.push(tranche(
            &format!(
                "t{:02}_{:02}",
                (lower * 100.0).round(),
                (upper * 100.0).round()
            ),
            class,
            amount,
        ));
        lower = upper;
    }
    tranches.reverse();
    tranches[0].class = TrancheClass::Senior;
    facility("2021-01-01", "2027-01-01", rho, 12, tranches, projects)
}

/// A CSV file's header line and its rows as column -> cell.
pub fn csv_rows(
    path: &std::path::Path,
) -> (String, Vec<std::collections::BTreeMap<String, String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let header = text.lines().next().unwrap_or_default().to_owned();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let names: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| {
            names
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

/// A cell of a [`csv_rows`] row as a number.
pub fn num(row: &std::collections::BTreeMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} = {:?} is not a number", row[column]))
}

/// The names of the entries of `folder`, sorted.
pub fn names_in(folder: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .expect("a readable folder")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// The quickstart's facility.toml, naming a scenarios file
/// `scenarios.toml` beside it, and its projects.csv.
pub fn quickstart_with_scenarios() -> (String, String) {
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("portfolios/quickstart");
    let read = |name: &str| std::fs::read_to_string(source.join(name)).expect("the quickstart");
    let facility = read("facility.toml").replace(
        "projects = \"projects.csv\"",
        "projects = \"projects.csv\"\nscenarios = \"scenarios.toml\"",
    );
    (facility, read("projects.csv"))
}

/// One bullet loan of 100 at 10% from 2026-01-01 to `maturity` (annual
/// periods, 30/360: whole years), practically no default (annual PD
/// 1e-12), fixed recovery 40%, no recovery lag; a private senior of 80 at
/// 5% above a first loss of 20 at 0%.
pub fn one_loan_under_two_tranches(maturity: &str) -> FacilitySpec {
    let mut senior = tranche("senior", TrancheClass::Senior, 80);
    senior.coupon = 0.05;
    let first_loss = tranche("first_loss", TrancheClass::FirstLoss, 20);
    let mut loan = project(0, 100, "2026-01-01", maturity, 1e-12, 0.4);
    loan.coupon = 0.10;
    let mut spec = facility(
        "2026-01-01",
        maturity,
        0.1,
        0,
        vec![senior, first_loss],
        vec![loan],
    );
    spec.frequency = PaymentFrequency::Annual;
    spec
}

/// Kills `kills` runs of a command at moments spread evenly from their
/// start to past a whole run's `duration`, so some land while it
/// simulates, some while it writes and some while it publishes. Run k is
/// `start(k + 2)` (its seed); after each kill, `check` asserts the output
/// folder is whole and `published` reads the seed of what it holds, which
/// must be the last completed run's or the killed one's (if it finished
/// first). Returns how many were killed while still running.
pub fn kill_at_spread_moments(
    kills: u32,
    duration: std::time::Duration,
    start: impl Fn(u64) -> std::process::Child,
    check: impl Fn(),
    published: impl Fn() -> u64,
) -> u32 {
    let mut last = published();
    let mut killed = 0;
    for k in 0..kills {
        let seed = u64::from(k) + 2;
        let mut child = start(seed);
        std::thread::sleep(duration * k / (kills - 2));
        if child.try_wait().expect("the child's status").is_none() {
            killed += 1;
        }
        let _ = child.kill();
        child.wait().expect("the child ends");
        check();
        let now = published();
        assert!(
            now == last || now == seed,
            "seed {now} after the run with seed {seed} was killed"
        );
        last = now;
    }
    killed
}

/// The start of the error a command gives when this process holds the lock
/// of its output folder `out` (as `publish::Staging` does).
pub fn held_by_this_process(out: &std::path::Path) -> String {
    format!(
        "--out {} is being written by another run (process {}, since ",
        out.display(),
        std::process::id()
    )
}
