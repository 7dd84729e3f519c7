//! Quadrature rules: exactness on polynomials and accuracy on smooth
//! integrands with known expectations.

use blendsim::analytic::quadrature::{MAX_HERMITE_ORDER, NormalRule, gauss_legendre};

/// E[Z^(2m)] = (2m - 1)!!.
fn double_factorial(m: u32) -> f64 {
    (1..=m).map(|j| f64::from(2 * j - 1)).product()
}

#[test]
fn gauss_hermite_reproduces_normal_moments() {
    for order in [1, 2, 5, 16, 64, 128, 192] {
        let rule = NormalRule::gauss_hermite(order).unwrap();
        assert_eq!(rule.nodes().len(), order);
        let mass: f64 = rule.weights().iter().sum();
        assert!((mass - 1.0).abs() < 1e-14, "order {order}");
        // Exact for degree < 2 order; check even moments up to 20.
        for m in 1..=10u32.min(order as u32 - 1) {
            let got = rule.expectation(|z| z.powi(2 * m as i32));
            let want = double_factorial(m);
            assert!(
                ((got - want) / want).abs() < 1e-12,
                "order {order}, moment {}",
                2 * m
            );
        }
        assert!(rule.expectation(|z| z.powi(3)).abs() < 1e-12);
    }
}

#[test]
fn gauss_hermite_is_valid_for_every_accepted_order() {
    // The constructor's own checks (ordered nodes, unit mass) pass for
    // all; order 2 is the first exact on Z^2.
    for order in 2..=MAX_HERMITE_ORDER {
        let rule = NormalRule::gauss_hermite(order).unwrap();
        assert!(
            (rule.expectation(|z| z * z) - 1.0).abs() < 1e-13,
            "order {order}"
        );
    }
}

#[test]
fn gauss_hermite_integrates_smooth_functions() {
    let rule = NormalRule::gauss_hermite(128).unwrap();
    // E[exp(t Z)] = exp(t^2 / 2); E[Phi-like] via E[cos Z] = exp(-1/2).
    let mgf = rule.expectation(|z| (0.7 * z).exp());
    assert!((mgf - (0.245f64).exp()).abs() < 1e-14);
    let cos = rule.expectation(f64::cos);
    assert!((cos - (-0.5f64).exp()).abs() < 1e-14);
}

#[test]
fn composite_rule_matches_gauss_hermite() {
    let composite = NormalRule::composite_legendre(64, 16, 9.0).unwrap();
    let hermite = NormalRule::gauss_hermite(128).unwrap();
    for f in [
        |z: f64| z * z,
        |z: f64| (0.3 * z).exp(),
        |z: f64| (2.0 * z).sin().powi(2),
    ] {
        assert!((composite.expectation(f) - hermite.expectation(f)).abs() < 1e-14);
    }
}

#[test]
fn rules_reject_bad_orders() {
    assert!(NormalRule::gauss_hermite(0).is_err());
    assert!(NormalRule::gauss_hermite(MAX_HERMITE_ORDER + 1).is_err());
    assert!(NormalRule::composite_legendre(0, 16, 9.0).is_err());
    assert!(NormalRule::composite_legendre(4, 16, f64::NAN).is_err());
}

#[test]
fn gauss_legendre_is_exact_on_polynomials() {
    for order in [1, 6, 12, 20, 33] {
        let (x, w) = gauss_legendre(order);
        assert!(x.windows(2).all(|p| p[0] < p[1]));
        for degree in 0..(2 * order as i32) {
            let got: f64 = x.iter().zip(&w).map(|(x, w)| w * x.powi(degree)).sum();
            let want = if degree % 2 == 0 {
                2.0 / f64::from(degree + 1)
            } else {
                0.0
            };
            assert!(
                (got - want).abs() < 1e-14,
                "order {order}, degree {degree}: {got}"
            );
        }
    }
    assert!(gauss_legendre(0).0.is_empty());
}
