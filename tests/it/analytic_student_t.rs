//! Student-t copula finite pool: internal consistency.

use blendsim::analytic::{FinitePool, StudentTPool, Tranche};
use rstest::rstest;

const POINTS: [f64; 5] = [0.0, 0.03, 0.06, 0.10, 1.0];

fn tranches() -> Vec<Tranche> {
    POINTS
        .windows(2)
        .map(|w| Tranche::new(w[0], w[1]).unwrap())
        .collect()
}

/// Widths x tranche ELs sum to p (1 - R), and the law has unit mass.
#[rstest]
#[case(100, 0.048770575, 0.3, 0.4, 4.0)]
#[case(100, 0.048770575, 0.1, 0.4, 1.0)]
#[case(20, 0.15, 0.25, 0.35, 10.0)]
#[case(50, 0.02, 0.0, 0.4, 5.0)]
fn partition_sums_to_pool_expected_loss(
    #[case] n: u32,
    #[case] p: f64,
    #[case] rho: f64,
    #[case] r: f64,
    #[case] nu: f64,
) {
    let pool = StudentTPool::new(n, p, rho, r, nu).unwrap();
    let law = pool.loss_distribution().unwrap();
    let total: f64 = tranches()
        .iter()
        .map(|t| t.width() * law.expected_tranche_loss(t))
        .sum();
    println!(
        "nu={nu}: sum {total:.15} vs {:.15}, change {:e}",
        p * (1.0 - r),
        law.quadrature_change()
    );
    assert!((total - p * (1.0 - r)).abs() < 1e-13);
    assert!((law.probabilities().iter().sum::<f64>() - 1.0).abs() < 1e-12);
}

/// As nu grows the t copula tends to the Gaussian one; the gap shrinks
/// like 1/nu.
#[test]
fn large_nu_approaches_gaussian() {
    let gauss = FinitePool::new(100, 0.048770575, 0.3, 0.4)
        .unwrap()
        .loss_distribution()
        .unwrap();
    let mut last_gap = f64::INFINITY;
    for nu in [10.0, 100.0, 1_000.0, 10_000.0] {
        let law = StudentTPool::new(100, 0.048770575, 0.3, 0.4, nu)
            .unwrap()
            .loss_distribution()
            .unwrap();
        let gap = tranches()
            .iter()
            .map(|t| (law.expected_tranche_loss(t) - gauss.expected_tranche_loss(t)).abs())
            .fold(0.0, f64::max);
        println!("nu={nu}: max tranche EL gap {gap:.3e}");
        assert!(gap < last_gap);
        last_gap = gap;
    }
    assert!(last_gap < 1e-4);
}

/// Tail dependence: with equal p and rho a t copula puts more loss on the
/// senior tranche and less on the equity tranche than the Gaussian.
#[test]
fn fatter_tails_than_gaussian() {
    let gauss = FinitePool::new(100, 0.048770575, 0.3, 0.4)
        .unwrap()
        .loss_distribution()
        .unwrap();
    let t = StudentTPool::new(100, 0.048770575, 0.3, 0.4, 4.0)
        .unwrap()
        .loss_distribution()
        .unwrap();
    let tr = tranches();
    assert!(t.expected_tranche_loss(&tr[3]) > gauss.expected_tranche_loss(&tr[3]));
    assert!(t.expected_tranche_loss(&tr[0]) < gauss.expected_tranche_loss(&tr[0]));
}

#[test]
fn threshold_is_the_t_quantile() {
    // t_{0.05, 4} = -2.1318467863266503 (mpmath: root of the quadrature
    // of the t density); Cauchy (nu = 1): tan(pi (p - 1/2)).
    let pool = StudentTPool::new(10, 0.05, 0.2, 0.4, 4.0).unwrap();
    assert!((pool.threshold().unwrap() + 2.131_846_786_326_650_3).abs() < 1e-13);
    let cauchy = StudentTPool::new(10, 0.05, 0.2, 0.4, 1.0).unwrap();
    let exact = (std::f64::consts::PI * (0.05 - 0.5)).tan();
    assert!((cauchy.threshold().unwrap() - exact).abs() < 1e-12 * exact.abs());
}

#[test]
fn threshold_is_accurate_for_large_nu() {
    // Cornish-Fisher to second order in 1/nu is exact to ~1e-16 at 1e6.
    let pool = StudentTPool::new(10, 0.05, 0.2, 0.4, 1e6).unwrap();
    let t = pool.threshold().unwrap();
    let z = blendsim::analytic::normal::norm_inv_cdf(0.05).unwrap();
    let law = pool.loss_distribution().unwrap();
    let z3 = z * z * z;
    let cf = z + (z3 + z) / 4e6 + (5.0 * z3 * z * z + 16.0 * z3 + 3.0 * z) / (96.0 * 1e12);
    assert!((t - cf).abs() < 1e-13, "{t} vs {cf}");
    let gap = law.expected_pool_loss() - 0.05 * 0.6;
    assert!(gap.abs() < 1e-13, "{gap}");
}

#[test]
fn invalid_parameters_are_rejected() {
    assert!(StudentTPool::new(10, 0.05, 0.2, 0.4, 0.0).is_err());
    assert!(StudentTPool::new(10, 0.05, 0.2, 0.4, f64::NAN).is_err());
    assert!(StudentTPool::new(10, 0.05, 0.2, 0.4, 1e7).is_err());
    assert!(StudentTPool::new(0, 0.05, 0.2, 0.4, 4.0).is_err());
    assert!(StudentTPool::new(10, 0.05, 1.0, 0.4, 4.0).is_err());
}
