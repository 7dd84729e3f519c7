//! Phi, Phi^-1 and Phi2 against 40-digit values (mpmath 1.3: `ncdf`,
//! Newton on `ncdf` for the inverse, and `quad` of
//! phi(u) Phi((y - r u)/sqrt(1 - r^2)) over u <= x for Phi2).
// Reference values keep mpmath's printed digits.
#![allow(clippy::excessive_precision)]

use blendsim::analytic::AnalyticError;
use blendsim::analytic::normal::{bivariate_norm_cdf, norm_cdf, norm_inv_cdf, norm_sf};
use rstest::rstest;
use std::f64::consts::PI;

fn rel_err(got: f64, want: f64) -> f64 {
    ((got - want) / want).abs()
}

#[rstest]
#[case(-37.5, 4.605_353_009_581_954_8e-308)]
#[case(-20.0, 2.753_624_118_606_233_7e-89)]
#[case(-8.0, 6.220_960_574_271_784_1e-16)]
#[case(-5.656854, 7.708_640_151_118_109_5e-9)]
#[case(-3.0, 0.001_349_898_031_630_094_5)]
#[case(-1.5, 0.066_807_201_268_858_066)]
#[case(-0.6744, 0.250_028_521_372_940_61)]
#[case(-0.3, 0.382_088_577_811_047_36)]
#[case(0.0, 0.5)]
#[case(0.2, 0.579_259_709_439_103)]
#[case(0.6745, 0.750_003_257_136_300_8)]
#[case(1.0, 0.841_344_746_068_542_9)]
#[case(2.5, 0.993_790_334_674_223_9)]
fn phi_matches_high_precision(#[case] x: f64, #[case] want: f64) {
    assert!(
        rel_err(norm_cdf(x), want) < 2e-15,
        "Phi({x}) = {}",
        norm_cdf(x)
    );
    // The upper tail by symmetry, with full relative accuracy.
    assert!(rel_err(norm_sf(-x), want) < 2e-15);
}

#[test]
fn phi_limits_and_nan() {
    assert_eq!(norm_cdf(f64::NEG_INFINITY), 0.0);
    assert_eq!(norm_cdf(f64::INFINITY), 1.0);
    assert!(norm_cdf(f64::NAN).is_nan());
    assert!((norm_cdf(8.0) - (1.0 - 6.220_960_574_271_784e-16)).abs() <= f64::EPSILON);
}

#[rstest]
#[case(1e-300, -37.047_096_299_361_2)]
#[case(1e-20, -9.262_340_089_798_408)]
#[case(1e-10, -6.361_340_902_404_056)]
#[case(0.001, -3.090_232_306_167_813_5)]
#[case(0.02, -2.053_748_910_631_823)]
#[case(0.02425, -1.972_961_051_311_884_9)]
#[case(0.3, -0.524_400_512_708_040_8)]
#[case(0.75, 0.674_489_750_196_081_7)]
#[case(0.975, 1.959_963_984_540_054_2)]
#[case(0.999999, 4.753_424_308_822_899)]
fn inverse_matches_high_precision(#[case] p: f64, #[case] want: f64) {
    let x = norm_inv_cdf(p).unwrap();
    // 0.999999 itself carries a relative rounding of 1e-16 in 1 - p = 1e-6,
    // which moves the quantile by ~1e-11 relative: the tolerance allows it.
    let tol = if p > 0.99 { 1e-10 } else { 4e-15 };
    assert!(rel_err(x, want) < tol, "Phi^-1({p}) = {x}");
}

#[test]
fn inverse_round_trips_and_rejects_bad_input() {
    for i in 1..1000 {
        let p = i as f64 / 1000.0;
        let x = norm_inv_cdf(p).unwrap();
        assert!(rel_err(norm_cdf(x), p) < 4e-15, "p = {p}");
    }
    assert_eq!(norm_inv_cdf(0.5).unwrap(), 0.0);
    assert_eq!(norm_inv_cdf(0.0).unwrap(), f64::NEG_INFINITY);
    assert_eq!(norm_inv_cdf(1.0).unwrap(), f64::INFINITY);
    for bad in [f64::NAN, -0.1, 1.5] {
        assert!(matches!(
            norm_inv_cdf(bad),
            Err(AnalyticError::OutOfRange { .. })
        ));
    }
}

#[rstest]
#[case(0.5, -1.0, 0.3, 0.133_256_135_449_951_1)]
#[case(-2.0, -1.5, -0.8, 6.835_067_136_836_423e-10)]
#[case(1.0, 2.0, 0.95, 0.841_336_147_032_871_1)]
#[case(-1.0, 1.0, -0.95, 0.030_525_233_099_346_754)]
#[case(-3.0, -3.0, 0.99, 0.001_101_519_998_620_622_6)]
#[case(2.0, 2.0, -0.5, 0.954_502_980_074_658_3)]
#[case(-2.0537, 0.7, -0.447_213_595_5, 0.006_737_163_975_093_951)]
#[case(0.3, 0.3, 0.999, 0.611_106_474_089_503_2)]
fn phi2_matches_high_precision(#[case] x: f64, #[case] y: f64, #[case] r: f64, #[case] want: f64) {
    let got = bivariate_norm_cdf(x, y, r).unwrap();
    assert!(
        (got - want).abs() < 1e-14,
        "Phi2({x}, {y}; {r}) = {got}, want {want}"
    );
    // Symmetric in its two limits.
    assert_eq!(got, bivariate_norm_cdf(y, x, r).unwrap());
}

#[test]
fn phi2_at_origin_is_quarter_plus_arcsine() {
    for i in -20..=20 {
        let r = f64::from(i) / 20.0;
        let want = 0.25 + r.asin() / (2.0 * PI);
        let got = bivariate_norm_cdf(0.0, 0.0, r).unwrap();
        assert!((got - want).abs() < 1e-15, "r = {r}: {got} vs {want}");
    }
}

#[test]
fn phi2_special_cases() {
    let (x, y) = (0.4, -0.7);
    let independent = bivariate_norm_cdf(x, y, 0.0).unwrap();
    assert!((independent - norm_cdf(x) * norm_cdf(y)).abs() < 1e-16);
    assert_eq!(
        bivariate_norm_cdf(x, f64::INFINITY, 0.5).unwrap(),
        norm_cdf(x)
    );
    assert_eq!(bivariate_norm_cdf(f64::NEG_INFINITY, y, 0.5).unwrap(), 0.0);
    assert_eq!(bivariate_norm_cdf(x, y, 1.0).unwrap(), norm_cdf(y));
    let opposite = (norm_cdf(x) - norm_cdf(-y)).max(0.0);
    assert_eq!(bivariate_norm_cdf(x, y, -1.0).unwrap(), opposite);
    // Continuity at the +-1 limits.
    let near = bivariate_norm_cdf(x, y, 1.0 - 1e-12).unwrap();
    assert!((near - norm_cdf(y)).abs() < 1e-6);
    for bad in [
        (f64::NAN, 0.0, 0.0),
        (0.0, f64::NAN, 0.0),
        (0.0, 0.0, 1.01),
        (0.0, 0.0, f64::NAN),
    ] {
        assert!(bivariate_norm_cdf(bad.0, bad.1, bad.2).is_err());
    }
}

#[test]
fn phi2_matches_one_dimensional_identity_across_branches() {
    // P(X <= x, Y <= y) + P(X <= x, Y > y) = Phi(x), with the second term
    // Phi2(x, -y; -r): checks every Genz branch (|r| < 0.3, < 0.75, < 0.925, higher).
    for r in [-0.99, -0.93, -0.8, -0.5, -0.1, 0.1, 0.5, 0.8, 0.93, 0.99] {
        for (x, y) in [(-1.2, 0.4), (0.8, 2.1), (-3.0, -2.5), (2.2, -0.3)] {
            let sum = bivariate_norm_cdf(x, y, r).unwrap() + bivariate_norm_cdf(x, -y, -r).unwrap();
            assert!((sum - norm_cdf(x)).abs() < 1e-14, "r={r} x={x} y={y}");
        }
    }
}
