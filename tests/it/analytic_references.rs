//! Reproduces docs' reference numbers: docs/references.md sections
//! 1 (finite pool, Gaussian copula) and 2 (Vasicek large pool).

use blendsim::analytic::{FinitePool, LargePool, Tranche};
use rstest::rstest;

/// Five years at hazard 1%: 1 - exp(-0.05).
const P5Y: f64 = 0.048770575;

#[rstest]
#[case(100, P5Y, 0.1, 0.4, 0.00, 0.03, 0.681614)]
#[case(100, P5Y, 0.1, 0.4, 0.03, 0.06, 0.219015)]
#[case(100, P5Y, 0.1, 0.4, 0.06, 0.10, 0.047631)]
#[case(100, P5Y, 0.1, 0.4, 0.10, 1.00, 0.000376)]
#[case(100, P5Y, 0.3, 0.4, 0.00, 0.03, 0.510028)]
#[case(100, P5Y, 0.3, 0.4, 0.03, 0.06, 0.216576)]
#[case(100, P5Y, 0.3, 0.4, 0.06, 0.10, 0.100448)]
#[case(100, P5Y, 0.3, 0.4, 0.10, 1.00, 0.003829)]
#[case(20, 0.15, 0.25, 0.35, 0.00, 0.10, 0.619184)]
#[case(20, 0.15, 0.25, 0.35, 0.10, 0.25, 0.197771)]
#[case(20, 0.15, 0.25, 0.35, 0.25, 1.00, 0.007888)]
#[case(20, 0.15, 0.0, 0.35, 0.00, 0.10, 0.782562)]
#[case(20, 0.15, 0.0, 0.35, 0.10, 0.25, 0.127546)]
#[case(20, 0.15, 0.0, 0.35, 0.25, 1.00, 0.000149)]
fn section1_tranche_expected_loss(
    #[case] n: u32,
    #[case] p: f64,
    #[case] rho: f64,
    #[case] recovery: f64,
    #[case] attach: f64,
    #[case] detach: f64,
    #[case] expected: f64,
) {
    let pool = FinitePool::new(n, p, rho, recovery).unwrap();
    let tranche = Tranche::new(attach, detach).unwrap();
    let el = pool.expected_tranche_loss(&tranche).unwrap();
    println!("n={n} rho={rho} [{attach},{detach}] got {el:.9} want {expected}");
    assert!(
        (el - expected).abs() <= 2e-6,
        "got {el}, reference {expected}"
    );
}

/// Section 1's exact check: sum over a tranche partition of width x EL is
/// the pool expected loss p (1 - R).
#[rstest]
#[case(100, P5Y, 0.1, 0.4, &[0.0, 0.03, 0.06, 0.10, 1.0])]
#[case(100, P5Y, 0.3, 0.4, &[0.0, 0.03, 0.06, 0.10, 1.0])]
#[case(20, 0.15, 0.25, 0.35, &[0.0, 0.10, 0.25, 1.0])]
#[case(20, 0.15, 0.0, 0.35, &[0.0, 0.10, 0.25, 1.0])]
fn section1_tranche_partition_sums_to_pool_loss(
    #[case] n: u32,
    #[case] p: f64,
    #[case] rho: f64,
    #[case] recovery: f64,
    #[case] points: &[f64],
) {
    let pool = FinitePool::new(n, p, rho, recovery).unwrap();
    let law = pool.loss_distribution().unwrap();
    let total: f64 = points
        .windows(2)
        .map(|w| {
            let tranche = Tranche::new(w[0], w[1]).unwrap();
            tranche.width() * law.expected_tranche_loss(&tranche)
        })
        .sum();
    assert!((total - p * (1.0 - recovery)).abs() < 1e-13, "{total}");
    assert!((law.probabilities().iter().sum::<f64>() - 1.0).abs() < 1e-13);
}

/// C(n, k) exactly, in integers.
fn choose(n: u64, k: u64) -> u128 {
    (0..k).fold(1u128, |acc, j| acc * u128::from(n - j) / u128::from(j + 1))
}

/// With rho = 0 the default count is exactly Binomial(n, p).
#[rstest]
#[case(20, 0.15)]
#[case(100, P5Y)]
fn rho_zero_is_exactly_binomial(#[case] n: u32, #[case] p: f64) {
    let law = FinitePool::new(n, p, 0.0, 0.35)
        .unwrap()
        .loss_distribution()
        .unwrap();
    for (k, &got) in law.probabilities().iter().enumerate() {
        let k32 = k as i32;
        let want =
            choose(u64::from(n), k as u64) as f64 * p.powi(k32) * (1.0 - p).powi(n as i32 - k32);
        assert!((got - want).abs() <= 1e-13 * want, "k={k}: {got} vs {want}");
    }
    assert_eq!(law.quadrature_change(), 0.0);
}

/// Section 2's worked case: p = 2%, rho = 0.2, R = 40%.
fn section2_pool() -> LargePool {
    LargePool::new(0.02, 0.2, 0.4).unwrap()
}

/// |got - printed| within half a unit of the printed last digit.
fn assert_printed(got: f64, printed: f64, half_unit: f64) {
    assert!(
        (got - printed).abs() <= half_unit,
        "got {got}, printed {printed}"
    );
}

#[test]
fn section2_pool_expected_loss() {
    assert_printed(section2_pool().expected_loss(), 0.012, 1e-16);
}

#[rstest]
#[case(0.00, 0.03, 0.3349)]
#[case(0.03, 0.07, 0.0405)]
#[case(0.07, 0.10, 0.0077)]
#[case(0.10, 0.15, 0.0017)]
fn section2_tranche_expected_loss(#[case] attach: f64, #[case] detach: f64, #[case] printed: f64) {
    let tranche = Tranche::new(attach, detach).unwrap();
    let el = section2_pool().expected_tranche_loss(&tranche);
    println!("LHP [{attach},{detach}] {el:.9}");
    assert_printed(el, printed, 0.5e-4);
}

#[rstest]
#[case(0.99, 0.07717)]
#[case(0.999, 0.13579)]
fn section2_value_at_risk(#[case] alpha: f64, #[case] printed: f64) {
    let var = section2_pool().value_at_risk(alpha).unwrap();
    println!("VaR {alpha} {var:.9}");
    assert_printed(var, printed, 0.5e-5);
    // The quantile inverts the loss cdf.
    let cdf = section2_pool().loss_cdf(var).unwrap();
    assert!((cdf - alpha).abs() < 1e-13, "{cdf}");
}

/// Hull, Risk Management and Financial Institutions, Table 11.4.
#[rstest]
#[case(0.2, 0.226)]
#[case(0.4, 0.449)]
fn section2_hull_worst_case_default_rate(#[case] rho: f64, #[case] printed: f64) {
    let pool = LargePool::new(0.02, rho, 0.0).unwrap();
    let wcdr = pool.worst_case_default_rate(0.999).unwrap();
    println!("WCDR rho={rho} {wcdr:.9}");
    assert_printed(wcdr, printed, 0.5e-3);
    // With R = 0 the loss VaR is the worst-case default rate.
    assert_eq!(pool.value_at_risk(0.999).unwrap(), wcdr);
}
