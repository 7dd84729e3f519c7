//! Finite Gaussian-copula pool: validation, quantiles and hard regimes.

use blendsim::analytic::{AnalyticError, FinitePool, Tranche};

#[test]
fn invalid_parameters_are_rejected() {
    let bad = [
        (0, 0.05, 0.2, 0.4),
        (10, 0.0, 0.2, 0.4),
        (10, 1.0, 0.2, 0.4),
        (10, f64::NAN, 0.2, 0.4),
        (10, 0.05, 1.0, 0.4),
        (10, 0.05, -0.1, 0.4),
        (10, 0.05, 0.2, 1.1),
        (10, 0.05, 0.2, f64::NAN),
    ];
    for (n, p, rho, r) in bad {
        let err = FinitePool::new(n, p, rho, r).unwrap_err();
        assert!(matches!(err, AnalyticError::OutOfRange { .. }), "{err}");
    }
    assert!(Tranche::new(0.1, 0.1).is_err());
    assert!(Tranche::new(0.2, 0.1).is_err());
    assert!(Tranche::new(-0.1, 0.1).is_err());
    assert!(Tranche::new(0.0, f64::NAN).is_err());
    let message = FinitePool::new(10, 0.05, 1.0, 0.4).unwrap_err().to_string();
    assert_eq!(
        message,
        "rho = 1 is out of range: expected a number in [0, 1)"
    );
}

#[test]
fn quantiles_follow_the_default_count_law() {
    let law = FinitePool::new(20, 0.15, 0.0, 0.35)
        .unwrap()
        .loss_distribution()
        .unwrap();
    let pmf = law.probabilities();
    // P(K <= 2) = 0.4049..., P(K <= 3) = 0.6477...: the median is 3.
    let cdf2: f64 = pmf[..3].iter().sum();
    assert!(cdf2 < 0.5 && cdf2 + pmf[3] > 0.5);
    assert_eq!(law.default_count_quantile(0.5).unwrap(), 3);
    assert_eq!(law.default_count_quantile(1e-12).unwrap(), 0);
    assert!(law.default_count_quantile(1.0).is_err());
    // 3 defaults lose 3 x 0.65 / 20 = 9.75% of the pool: 97.5% of 0-10%.
    let equity = Tranche::new(0.0, 0.1).unwrap();
    let q = law.tranche_loss_quantile(&equity, 0.5).unwrap();
    assert!((q - 0.975).abs() < 1e-15);
    assert!((law.expected_pool_loss() - 0.15 * 0.65).abs() < 1e-15);
}

#[test]
fn high_correlation_and_large_pools_converge() {
    // rho = 0.95 makes q(z) a steep step: Gauss-Hermite alone does not
    // settle and the composite rules take over.
    for (n, rho) in [(50, 0.95), (2_000, 0.5)] {
        let pool = FinitePool::new(n, 0.03, rho, 0.4).unwrap();
        let law = pool.loss_distribution().unwrap();
        assert!(law.quadrature_change() <= 1e-11);
        assert!((law.expected_pool_loss() - pool.expected_loss()).abs() < 1e-12);
    }
}
