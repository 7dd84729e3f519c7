//! Monotonicity on common random numbers: the same seed gives the same
//! uniforms, so a parameter change moves every path the same way.

use crate::common;

use blendsim::aggregate::{TrancheSummary, summarise};
use blendsim::engine::{RunSettings, simulate_outcomes};
use blendsim::model::Model;

const PATHS: u64 = 20_000;

fn summary(n: usize, p: f64, rho: f64) -> Vec<TrancheSummary> {
    let model = Model::compile(&common::homogeneous_pool(
        n,
        p,
        rho,
        0.4,
        &[0.05, 0.15, 1.0],
    ))
    .unwrap();
    summarise(
        &model,
        &simulate_outcomes(
            &model,
            &RunSettings {
                paths: PATHS,
                seed: 11,
            },
            &|_| {},
        ),
    )
}

/// Higher correlation fattens the tail: senior (most senior first) expected
/// loss rises and first-loss expected loss falls, by more than 4 standard
/// errors of the difference.
#[test]
fn correlation_moves_loss_from_junior_to_senior() {
    for (low, high) in [(0.05, 0.2), (0.2, 0.4)] {
        let a = summary(100, 0.08, low);
        let b = summary(100, 0.08, high);
        let senior = (&a[0], &b[0]);
        let first_loss = (&a[2], &b[2]);
        let margin = |x: &TrancheSummary, y: &TrancheSummary| {
            4.0 * x.expected_loss_se.hypot(y.expected_loss_se)
        };
        assert!(
            senior.1.expected_loss - senior.0.expected_loss > margin(senior.0, senior.1),
            "senior EL {} -> {} for rho {low} -> {high}",
            senior.0.expected_loss,
            senior.1.expected_loss
        );
        assert!(
            first_loss.0.expected_loss - first_loss.1.expected_loss
                > margin(first_loss.0, first_loss.1),
            "first-loss EL {} -> {} for rho {low} -> {high}",
            first_loss.0.expected_loss,
            first_loss.1.expected_loss
        );
    }
}

/// A higher PD raises every tranche's loss on every path (same latent
/// draws, higher thresholds), so expected losses rise (weakly) exactly, not
/// just statistically.
#[test]
fn higher_default_probability_raises_every_tranche_loss() {
    for rho in [0.0, 0.2] {
        let low = summary(50, 0.05, rho);
        let high = summary(50, 0.10, rho);
        for (a, b) in low.iter().zip(&high) {
            assert!(
                b.expected_loss >= a.expected_loss,
                "{}: {} -> {}",
                a.tranche,
                a.expected_loss,
                b.expected_loss
            );
            assert!(b.prob_loss >= a.prob_loss, "{}", a.tranche);
        }
        assert!(high[2].expected_loss > low[2].expected_loss);
    }
}
