//! Vasicek large-pool closed forms: internal consistency, and the finite
//! pool's convergence to them as n grows.

use blendsim::analytic::normal::{norm_cdf, norm_inv_cdf, norm_pdf};
use blendsim::analytic::quadrature::gauss_legendre;
use blendsim::analytic::{FinitePool, LargePool, Tranche};
use rstest::rstest;

/// E[min(L, k)] by quadrature of the conditional loss over Z, split at the
/// factor value z_k where L = k so that no panel holds the kink of min:
/// k P(Z < z_k) + integral over [z_k, 9] of L(z) phi(z) dz.
fn capped_loss_by_quadrature(pool: &LargePool, k: f64) -> f64 {
    let lgd = 1.0 - pool.recovery();
    let c = norm_inv_cdf(pool.p()).unwrap();
    let (a, b) = (pool.rho().sqrt(), (1.0 - pool.rho()).sqrt());
    let z_k = (c - b * norm_inv_cdf(k / lgd).unwrap()) / a;
    let loss = |z: f64| lgd * norm_cdf((c - a * z) / b) * norm_pdf(z);
    let (x, w) = gauss_legendre(16);
    let panels = 512;
    let h = (9.0 - z_k) / f64::from(panels);
    let mut tail = 0.0;
    for i in 0..panels {
        let mid = z_k + (f64::from(i) + 0.5) * h;
        tail += x
            .iter()
            .zip(&w)
            .map(|(x, w)| 0.5 * h * w * loss(mid + 0.5 * h * x))
            .sum::<f64>();
    }
    k * norm_cdf(z_k) + tail
}

#[rstest]
#[case(0.02, 0.2, 0.4)]
#[case(0.15, 0.5, 0.0)]
#[case(0.005, 0.05, 0.7)]
#[case(0.3, 0.9, 0.25)]
fn capped_loss_closed_form_matches_quadrature(#[case] p: f64, #[case] rho: f64, #[case] r: f64) {
    let pool = LargePool::new(p, rho, r).unwrap();
    let below_lgd = [0.001, 0.01, 0.03, 0.1, 0.3, 0.6]
        .into_iter()
        .filter(|k| *k < 1.0 - r);
    for k in below_lgd {
        let closed = pool.expected_capped_loss(k);
        let numeric = capped_loss_by_quadrature(&pool, k);
        assert!(
            (closed - numeric).abs() < 1e-10,
            "k={k}: {closed} vs {numeric}"
        );
    }
}

#[test]
fn capped_loss_limits_and_partition() {
    let pool = LargePool::new(0.02, 0.2, 0.4).unwrap();
    assert_eq!(pool.expected_capped_loss(0.0), 0.0);
    assert_eq!(pool.expected_capped_loss(f64::NAN), 0.0);
    assert_eq!(pool.expected_capped_loss(0.6), pool.expected_loss());
    // Widths x tranche ELs over a partition of [0, 1] sum to E[L].
    let points = [0.0, 0.03, 0.07, 0.1, 0.15, 0.3, 1.0];
    let total: f64 = points
        .windows(2)
        .map(|w| {
            let t = Tranche::new(w[0], w[1]).unwrap();
            t.width() * pool.expected_tranche_loss(&t)
        })
        .sum();
    assert!((total - pool.expected_loss()).abs() < 1e-15);
}

#[test]
fn loss_cdf_is_a_distribution_function() {
    let pool = LargePool::new(0.02, 0.2, 0.4).unwrap();
    assert_eq!(pool.loss_cdf(-0.1).unwrap(), 0.0);
    assert_eq!(pool.loss_cdf(0.6).unwrap(), 1.0);
    assert!(pool.loss_cdf(f64::NAN).is_err());
    let mut last = 0.0;
    for i in 0..600 {
        let cdf = pool.loss_cdf(f64::from(i) / 1000.0).unwrap();
        assert!(cdf >= last);
        last = cdf;
    }
    for alpha in [0.01, 0.5, 0.9, 0.9999] {
        let var = pool.value_at_risk(alpha).unwrap();
        assert!((pool.loss_cdf(var).unwrap() - alpha).abs() < 1e-12);
    }
}

#[test]
fn zero_correlation_is_deterministic() {
    let pool = LargePool::new(0.1, 0.0, 0.5).unwrap();
    assert_eq!(pool.value_at_risk(0.999).unwrap(), 0.05);
    assert_eq!(pool.loss_cdf(0.049).unwrap(), 0.0);
    assert_eq!(pool.loss_cdf(0.05).unwrap(), 1.0);
    let senior = Tranche::new(0.05, 1.0).unwrap();
    assert_eq!(pool.expected_tranche_loss(&senior), 0.0);
}

#[test]
fn invalid_parameters_are_rejected() {
    for (p, rho, r) in [
        (0.0, 0.2, 0.4),
        (0.02, 1.0, 0.4),
        (0.02, 0.2, 1.0),
        (f64::NAN, 0.2, 0.4),
    ] {
        assert!(LargePool::new(p, rho, r).is_err());
    }
    let pool = LargePool::new(0.02, 0.2, 0.4).unwrap();
    assert!(pool.value_at_risk(1.0).is_err());
    assert!(pool.worst_case_default_rate(f64::NAN).is_err());
}

/// A pool of 10,000 loans is within 2e-4 (absolute, in tranche loss
/// fraction) of the large-pool limit for section 2's case, and closer than
/// a pool of 1,000: the granularity gap shrinks like 1/n.
#[test]
fn finite_pool_converges_to_large_pool() {
    let lhp = LargePool::new(0.02, 0.2, 0.4).unwrap();
    let small = FinitePool::new(1_000, 0.02, 0.2, 0.4)
        .unwrap()
        .loss_distribution()
        .unwrap();
    let large = FinitePool::new(10_000, 0.02, 0.2, 0.4)
        .unwrap()
        .loss_distribution()
        .unwrap();
    for (a, d) in [(0.0, 0.03), (0.03, 0.07), (0.07, 0.1), (0.1, 0.15)] {
        let t = Tranche::new(a, d).unwrap();
        let limit = lhp.expected_tranche_loss(&t);
        let gap_small = (small.expected_tranche_loss(&t) - limit).abs();
        let gap_large = (large.expected_tranche_loss(&t) - limit).abs();
        println!("[{a},{d}] lhp {limit:.8} gap n=1000 {gap_small:.3e} n=10000 {gap_large:.3e}");
        assert!(gap_large < 2e-4);
        assert!(gap_large < gap_small);
    }
    let q = large
        .tranche_loss_quantile(&Tranche::new(0.0, 1.0).unwrap(), 0.999)
        .unwrap();
    let var = lhp.value_at_risk(0.999).unwrap();
    println!(
        "VaR 99.9% n=10000 {q:.6} lhp {var:.6} change {:e}",
        large.quadrature_change()
    );
    assert!((q - var).abs() < 2e-3);
}
