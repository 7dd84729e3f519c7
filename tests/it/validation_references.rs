//! references section 1: tranche expected losses under a one-factor
//! Gaussian copula, reproduced by the full engine (spec -> model -> simulate
//! -> waterfall -> aggregate) within 4 Monte Carlo standard errors + 1e-4.

use crate::common;

use blendsim::aggregate::summarise;
use blendsim::engine::{RunSettings, simulate_outcomes};
use blendsim::model::Model;
use rstest::rstest;

/// Paths per validation run: the widest tolerance (first-loss tranche,
/// 4 SE) is then about 0.005 absolute.
const PATHS: u64 = 100_000;

/// Runs the engine and checks each tranche (most junior first in
/// `expected`) against its reference expected loss.
fn check(n: usize, p: f64, rho: f64, recovery: f64, cuts: &[f64], expected: &[f64]) {
    let spec = common::homogeneous_pool(n, p, rho, recovery, cuts);
    let model = Model::compile(&spec).expect("validation pool compiles");
    let outcomes = simulate_outcomes(
        &model,
        &RunSettings {
            paths: PATHS,
            seed: 20261127,
        },
        &|_| {},
    );
    let summary = summarise(&model, &outcomes);
    // With zero coupons the waterfall reduces to static slicing, so on every
    // path the tranche losses weighted by their widths add up to the pool
    // loss, and so do the expected losses (exactly, up to float rounding).
    let pool_el = outcomes.pool_loss.iter().sum::<f64>() / outcomes.pool_loss.len() as f64;
    let sliced: f64 = summary
        .iter()
        .map(|row| (row.detachment - row.attachment) * row.expected_loss)
        .sum();
    assert!(
        (sliced - pool_el).abs() < 1e-9,
        "widths x ELs {sliced} vs pool EL {pool_el}"
    );
    for (row, &reference) in summary.iter().rev().zip(expected) {
        let tolerance = 4.0 * row.expected_loss_se + 1e-4;
        let error = (row.expected_loss - reference).abs();
        println!(
            "n={n} p={p} rho={rho} R={recovery} {}: MC {:.6} +- {:.6}, reference {reference}",
            row.tranche, row.expected_loss, row.expected_loss_se
        );
        assert!(
            error <= tolerance,
            "{}: MC {} vs reference {reference}: error {error} > tolerance {tolerance}",
            row.tranche,
            row.expected_loss
        );
    }
}

#[rstest]
#[case(0.1, &[0.681614, 0.219015, 0.047631, 0.000376])]
#[case(0.3, &[0.510028, 0.216576, 0.100448, 0.003829])]
fn hundred_loans_five_years(#[case] rho: f64, #[case] expected: &[f64]) {
    check(
        100,
        0.048770575,
        rho,
        0.4,
        &[0.03, 0.06, 0.10, 1.0],
        expected,
    );
}

#[rstest]
#[case(0.25, &[0.619184, 0.197771, 0.007888])]
#[case(0.0, &[0.782562, 0.127546, 0.000149])]
fn twenty_loans(#[case] rho: f64, #[case] expected: &[f64]) {
    check(20, 0.15, rho, 0.35, &[0.10, 0.25, 1.0], expected);
}
