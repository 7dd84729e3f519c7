//! Validation ladder of the risk model (issue 3): the full engine against
//! independent semi-analytic values.
//!
//! - Student t copula: Monte Carlo tranche expected losses equal the
//!   finite-pool t-copula integral within 4 standard errors (+1e-4).
//! - Large pool (20,000 loans): tranche expected losses and the 99% and
//!   99.9% loss quantiles approach the Vasicek closed forms of docs/references.md
//!   section 2.
//! - The homogeneous approximation behind `blendsim analytic` is exact for
//!   a homogeneous pool: it reproduces references section 1.

use crate::common;

use blendsim::aggregate::{quantile, sorted, summarise};
use blendsim::analytic::{FinitePool, LargePool, StudentTPool, Tranche, estimate_facility};
use blendsim::engine::{RunSettings, simulate_outcomes};
use blendsim::model::Model;
use blendsim::spec::Copula;
use rstest::rstest;

/// Checks the engine's tranche expected losses (summary rows most senior
/// first) against `reference(attach, detach)` within 4 SE + 1e-4.
fn assert_tranches_match(model: &Model, paths: u64, reference: impl Fn(&Tranche) -> f64) {
    let outcomes = simulate_outcomes(model, &RunSettings { paths, seed: 99 }, &|_| {});
    for row in summarise(model, &outcomes) {
        let expected = reference(&Tranche::new(row.attachment, row.detachment).unwrap());
        let tolerance = 4.0 * row.expected_loss_se + 1e-4;
        println!(
            "{}: MC {:.6} +- {:.6}, analytic {expected:.6}",
            row.tranche, row.expected_loss, row.expected_loss_se
        );
        assert!(
            (row.expected_loss - expected).abs() <= tolerance,
            "{}: MC {} vs analytic {expected} (tolerance {tolerance})",
            row.tranche,
            row.expected_loss
        );
    }
}

#[rstest]
#[case(4.0)]
#[case(10.0)]
fn student_t_copula_matches_the_finite_pool_integral(#[case] dof: f64) {
    let (n, p, rho, recovery) = (100, 0.05, 0.2, 0.4);
    let mut spec = common::homogeneous_pool(n, p, rho, recovery, &[0.03, 0.06, 0.10, 1.0]);
    spec.risk.copula = Copula::StudentT { dof };
    let model = Model::compile(&spec).unwrap();
    let pool = StudentTPool::new(n as u32, p, rho, recovery, dof).unwrap();
    let law = pool.loss_distribution().unwrap();
    assert_tranches_match(&model, 50_000, |t| law.expected_tranche_loss(t));
}

/// references section 2 worked case: p = 2%, rho = 0.2, R = 40%.
///
/// Tolerances: the Monte Carlo is compared with the exact finite pool of the
/// same size (4 SE + 1e-4), and the finite pool with the closed form
/// (its granularity gap is O(1/n): below 1e-4 at n = 20,000). Quantiles: the
/// Vasicek VaR must lie within the order statistics of ranks
/// `N alpha -+ 4 sqrt(N alpha (1 - alpha))` (a distribution-free confidence
/// band at about 4 sd), widened by one loan's loss (1 - R) / n.
#[test]
fn large_pool_approaches_the_vasicek_limit() {
    let (n, p, rho, recovery) = (20_000, 0.02, 0.2, 0.4);
    let cuts = [0.03, 0.07, 0.10, 0.15, 1.0];
    let model = Model::compile(&common::homogeneous_pool(n, p, rho, recovery, &cuts)).unwrap();
    let large = LargePool::new(p, rho, recovery).unwrap();
    let finite = FinitePool::new(n as u32, p, rho, recovery)
        .unwrap()
        .loss_distribution()
        .unwrap();
    for (a, d) in [(0.0, 0.03), (0.03, 0.07), (0.07, 0.10), (0.10, 0.15)] {
        let t = Tranche::new(a, d).unwrap();
        assert!((finite.expected_tranche_loss(&t) - large.expected_tranche_loss(&t)).abs() < 1e-4);
    }
    let paths = 10_000;
    let outcomes = simulate_outcomes(&model, &RunSettings { paths, seed: 5 }, &|_| {});
    for row in summarise(&model, &outcomes) {
        let t = Tranche::new(row.attachment, row.detachment).unwrap();
        let (exact, limit) = (
            finite.expected_tranche_loss(&t),
            large.expected_tranche_loss(&t),
        );
        println!(
            "{}: MC {:.5} +- {:.5}, finite {exact:.5}, Vasicek {limit:.5}",
            row.tranche, row.expected_loss, row.expected_loss_se
        );
        assert!(
            (row.expected_loss - exact).abs() <= 4.0 * row.expected_loss_se + 1e-4,
            "{}",
            row.tranche
        );
    }
    let losses = sorted(&outcomes.pool_loss);
    let granularity = (1.0 - recovery) / n as f64;
    for (alpha, printed) in [(0.99, 0.07717), (0.999, 0.13579)] {
        let var = large.value_at_risk(alpha).unwrap();
        assert!((var - printed).abs() < 5e-6, "Vasicek VaR {alpha}: {var}");
        let spread = 4.0 * (paths as f64 * alpha * (1.0 - alpha)).sqrt() / paths as f64;
        let low = quantile(&losses, alpha - spread) - granularity;
        let high = quantile(&losses, (alpha + spread).min(1.0)) + granularity;
        println!("VaR {alpha}: Vasicek {var:.5}, MC band [{low:.5}, {high:.5}]");
        assert!(
            low <= var && var <= high,
            "VaR {alpha}: {var} outside [{low}, {high}]"
        );
    }
}

/// The homogeneous approximation of a homogeneous pool is the pool itself.
#[test]
fn analytic_estimate_of_a_homogeneous_pool_reproduces_references() {
    let spec = common::homogeneous_pool(100, 0.048770575, 0.1, 0.4, &[0.03, 0.06, 0.10, 1.0]);
    let estimate = estimate_facility(&Model::compile(&spec).unwrap()).unwrap();
    assert_eq!(estimate.pool.loans, 100);
    assert!((estimate.pool.correlation - 0.1).abs() < 1e-12);
    assert!((estimate.pool.default_probability - 0.048770575).abs() < 1e-9);
    assert!((estimate.pool.recovery - 0.4).abs() < 1e-12);
    let expected = [0.000376, 0.047631, 0.219015, 0.681614];
    for (row, reference) in estimate.tranches.iter().zip(expected) {
        assert!(
            (row.expected_loss - reference).abs() < 2e-6,
            "{}: {}",
            row.tranche,
            row.expected_loss
        );
    }
    // Pairs of loans in a one-factor pool share only the global factor.
    for pair in &estimate.default_correlations {
        assert!((pair.asset_correlation - 0.1).abs() < 1e-12);
    }
}
