//! Standard normal distribution functions accurate to about 1e-15.
//!
//! statrs' normal cdf has ~1e-10 relative error and its inverse panics on
//! NaN, which is too coarse for a cross-check whose references are printed
//! to 1e-6 after integrating thousands of cdf values, so the module carries
//! its own routines: W. J. Cody's rational Chebyshev approximation (the
//! `ANORM` routine, as in R's `pnorm`), Acklam's inverse with a Halley
//! refinement, and Genz's bivariate normal (`BVND`, after Drezner and
//! Wesolowsky 1990).

// Coefficients are kept digit for digit as published (Cody; Acklam) so they
// can be checked against the sources; the extra digits round away.
#![allow(clippy::excessive_precision)]

use super::AnalyticError;
use super::legendre::gauss_legendre;
use std::f64::consts::PI;
use std::sync::OnceLock;

/// 1/sqrt(2 pi).
const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// Density of the standard normal distribution.
pub fn norm_pdf(x: f64) -> f64 {
    FRAC_1_SQRT_2PI * (-0.5 * x * x).exp()
}

/// Standard normal cdf Phi(x), absolute and relative error about 1e-15
/// (Cody 1969/1993). `Phi(-inf) = 0`, `Phi(inf) = 1`; NaN gives NaN.
pub fn norm_cdf(x: f64) -> f64 {
    cdf_both(x).0
}

/// Survival function 1 - Phi(x) = Phi(-x), computed without cancellation.
pub fn norm_sf(x: f64) -> f64 {
    cdf_both(x).1
}

/// (Phi(x), 1 - Phi(x)), each with full relative accuracy.
pub(crate) fn cdf_both(x: f64) -> (f64, f64) {
    const A: [f64; 5] = [
        2.235_252_035_460_683_928_7,
        161.028_231_068_555_878_81,
        1_067.689_485_460_370_958_2,
        18_154.981_253_343_561_249,
        0.065_682_337_918_207_449_113,
    ];
    const B: [f64; 4] = [
        47.202_581_904_688_241_87,
        976.098_551_737_776_693_22,
        10_260.932_208_618_978_205,
        45_507.789_335_026_729_956,
    ];
    if x.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    let y = x.abs();
    if y > 40.0 {
        // Phi(-40) ~ 4e-351 underflows; also keeps inf - inf out of the tail.
        return if x > 0.0 { (1.0, 0.0) } else { (0.0, 1.0) };
    }
    if y <= 0.674_489_75 {
        let xsq = x * x;
        let (mut num, mut den) = (A[4] * xsq, xsq);
        for i in 0..3 {
            num = (num + A[i]) * xsq;
            den = (den + B[i]) * xsq;
        }
        let t = x * (num + A[3]) / (den + B[3]);
        return (0.5 + t, 0.5 - t);
    }
    let lower = if y <= 32f64.sqrt() {
        cdf_middle_tail(y)
    } else {
        cdf_far_tail(y)
    };
    if x > 0.0 {
        (1.0 - lower, lower)
    } else {
        (lower, 1.0 - lower)
    }
}

/// Phi(-y) for 0.674 < y <= sqrt(32).
fn cdf_middle_tail(y: f64) -> f64 {
    const C: [f64; 9] = [
        0.398_941_512_088_134_667_64,
        8.883_149_794_388_375_941_2,
        93.506_656_132_177_855_979,
        597.270_276_394_800_262_26,
        2_494.537_585_290_372_671_1,
        6_848.190_450_536_282_332_6,
        11_602.651_437_647_350_124,
        9_842.714_838_383_978_021_8,
        1.076_557_677_372_019_231_7e-8,
    ];
    const D: [f64; 8] = [
        22.266_688_044_328_115_691,
        235.387_901_782_624_998_61,
        1_519.377_599_407_554_805,
        6_485.558_298_266_760_755,
        18_615.571_640_885_098_091,
        34_900.952_721_145_977_266,
        38_912.003_286_093_271_411,
        19_685.429_676_859_990_727,
    ];
    let (mut num, mut den) = (C[8] * y, y);
    for i in 0..7 {
        num = (num + C[i]) * y;
        den = (den + D[i]) * y;
    }
    gauss_tail_factor(y) * (num + C[7]) / (den + D[7])
}

/// Phi(-y) for y > sqrt(32) (asymptotic rational form).
fn cdf_far_tail(y: f64) -> f64 {
    const P: [f64; 6] = [
        0.215_898_534_057_956_99,
        0.127_401_161_160_247_363_9,
        0.022_235_277_870_649_807,
        0.001_421_619_193_227_893_466,
        2.911_287_495_116_879_2e-5,
        0.023_073_441_764_940_173_03,
    ];
    const Q: [f64; 5] = [
        1.284_260_096_144_911_21,
        0.468_238_212_480_865_118,
        0.065_988_137_868_928_551_5,
        0.003_782_396_332_027_582_44,
        7.297_515_550_839_662_05e-5,
    ];
    let xsq = 1.0 / (y * y);
    let (mut num, mut den) = (P[5] * xsq, xsq);
    for i in 0..4 {
        num = (num + P[i]) * xsq;
        den = (den + Q[i]) * xsq;
    }
    let t = xsq * (num + P[4]) / (den + Q[4]);
    gauss_tail_factor(y) * (FRAC_1_SQRT_2PI - t) / y
}

/// exp(-y^2/2), split so that the rounding error of y^2 does not get
/// amplified in the tail (Cody's trick: y = ysq + del with ysq exact).
fn gauss_tail_factor(y: f64) -> f64 {
    let ysq = (y * 16.0).trunc() / 16.0;
    let del = (y - ysq) * (y + ysq);
    (-0.5 * ysq * ysq).exp() * (-0.5 * del).exp()
}

/// Inverse standard normal cdf Phi^-1(p) for p in [0, 1]
/// (`Phi^-1(0) = -inf`, `Phi^-1(1) = inf`). Relative error about 1e-15.
///
/// # Errors
/// [`AnalyticError::OutOfRange`] if `p` is NaN or outside [0, 1].
pub fn norm_inv_cdf(p: f64) -> Result<f64, AnalyticError> {
    AnalyticError::check_closed("p", p, 0.0, 1.0)?;
    Ok(inv_cdf_unchecked(p))
}

/// Phi^-1 for a p already known to lie in [0, 1].
pub(crate) fn inv_cdf_unchecked(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    // Work in the lower tail so the refinement uses the accurate small
    // probability rather than 1 - p.
    if p > 0.5 {
        return -lower_inv(1.0 - p);
    }
    lower_inv(p)
}

/// Phi^-1(p) for 0 < p <= 0.5: Acklam's start, then Halley steps on the
/// accurate cdf (two steps take the ~1e-9 start to rounding level).
fn lower_inv(p: f64) -> f64 {
    let mut x = acklam(p);
    for _ in 0..2 {
        let e = norm_cdf(x) - p;
        let u = e / norm_pdf(x);
        if !u.is_finite() {
            break;
        }
        x -= u / (1.0 + 0.5 * x * u);
    }
    x
}

/// Acklam's rational approximation to Phi^-1(p), p <= 0.5, ~1.2e-9 relative.
fn acklam(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    if p < 0.024_25 {
        let q = (-2.0 * p.ln()).sqrt();
        let num = ((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5];
        let den = (((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0;
        return num / den;
    }
    let q = p - 0.5;
    let r = q * q;
    let num = (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q;
    let den = ((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0;
    num / den
}

/// Bivariate standard normal cdf Phi2(x, y; r) = P(X <= x, Y <= y) with
/// corr(X, Y) = r, absolute error about 1e-15 (Genz's `BVND`).
///
/// # Errors
/// [`AnalyticError::OutOfRange`] if `x` or `y` is NaN or `r` is NaN or
/// outside [-1, 1]. Infinite `x`, `y` are allowed.
pub fn bivariate_norm_cdf(x: f64, y: f64, r: f64) -> Result<f64, AnalyticError> {
    AnalyticError::check_not_nan("x", x)?;
    AnalyticError::check_not_nan("y", y)?;
    AnalyticError::check_closed("r", r, -1.0, 1.0)?;
    Ok(bvn_lower(x, y, r))
}

/// Phi2 for validated inputs: handles the infinite and degenerate cases so
/// that Genz's kernel only sees finite limits and |r| < 1.
pub(crate) fn bvn_lower(x: f64, y: f64, r: f64) -> f64 {
    if x == f64::NEG_INFINITY || y == f64::NEG_INFINITY {
        return 0.0;
    }
    if x == f64::INFINITY {
        return norm_cdf(y);
    }
    if y == f64::INFINITY {
        return norm_cdf(x);
    }
    if r >= 1.0 {
        return norm_cdf(x.min(y));
    }
    if r <= -1.0 {
        return (norm_cdf(x) - norm_cdf(-y)).max(0.0);
    }
    // P(X <= x, Y <= y) = P(-X >= -x, -Y >= -y), Genz's upper form.
    bvn_upper(-x, -y, r).clamp(0.0, 1.0)
}

/// Genz's BVND: P(X > h, Y > k) for finite h, k and |r| < 1. Gauss-Legendre
/// order 6/12/20 grows with |r| because the integrand steepens as |r| -> 1.
fn bvn_upper(h: f64, k: f64, r: f64) -> f64 {
    let order = if r.abs() < 0.3 {
        6
    } else if r.abs() < 0.75 {
        12
    } else {
        20
    };
    let (nodes, weights) = legendre_cached(order);
    if r.abs() < 0.925 {
        bvn_moderate(h, k, r, nodes, weights)
    } else {
        bvn_high(h, k, r, nodes, weights)
    }
}

/// The three Gauss-Legendre rules BVND uses, computed once (Newton on the
/// Legendre recurrence rather than Genz's hand-typed table).
fn legendre_cached(order: usize) -> (&'static [f64], &'static [f64]) {
    type Rule = (Vec<f64>, Vec<f64>);
    static RULES: OnceLock<[Rule; 3]> = OnceLock::new();
    let rules = RULES.get_or_init(|| [gauss_legendre(6), gauss_legendre(12), gauss_legendre(20)]);
    let rule = match order {
        6 => &rules[0],
        12 => &rules[1],
        _ => &rules[2],
    };
    (&rule.0, &rule.1)
}

/// |r| < 0.925: integrate Plackett's identity d Phi2/dr = phi2 over asin(r).
fn bvn_moderate(h: f64, k: f64, r: f64, nodes: &[f64], weights: &[f64]) -> f64 {
    let hk = h * k;
    let hs = 0.5 * (h * h + k * k);
    let asr = r.asin();
    let sum: f64 = nodes
        .iter()
        .zip(weights)
        .map(|(&x, &w)| {
            let sn = (0.5 * asr * (x + 1.0)).sin();
            w * ((sn * hk - hs) / (1.0 - sn * sn)).exp()
        })
        .sum();
    // Legendre weights sum to 2 on [-1, 1]: the half-range factor is in 1/(4 pi).
    sum * asr / (4.0 * PI) + norm_cdf(-h) * norm_cdf(-k)
}

/// |r| >= 0.925: Drezner-Wesolowsky expansion about r = +-1, integrated in
/// sqrt(1 - r^2) where the integrand is smooth.
fn bvn_high(h: f64, k0: f64, r: f64, nodes: &[f64], weights: &[f64]) -> f64 {
    let k = if r < 0.0 { -k0 } else { k0 };
    let hk = h * k;
    let a_s = (1.0 - r) * (1.0 + r);
    let a = a_s.sqrt();
    let bs = (h - k) * (h - k);
    let c = (4.0 - hk) / 8.0;
    let d = (12.0 - hk) / 16.0;
    let mut bvn = 0.0;
    let asr = -0.5 * (bs / a_s + hk);
    if asr > -100.0 {
        bvn = a
            * asr.exp()
            * (1.0 - c * (bs - a_s) * (1.0 - d * bs / 5.0) / 3.0 + c * d * a_s * a_s / 5.0);
    }
    if -hk < 100.0 {
        let b = bs.sqrt();
        bvn -= (-0.5 * hk).exp()
            * (2.0 * PI).sqrt()
            * norm_cdf(-b / a)
            * b
            * (1.0 - c * bs * (1.0 - d * bs / 5.0) / 3.0);
    }
    let half_a = 0.5 * a;
    for (&x, &w) in nodes.iter().zip(weights) {
        let xs = (half_a * (x + 1.0)).powi(2);
        let rs = (1.0 - xs).sqrt();
        let asr = -0.5 * (bs / xs + hk);
        if asr > -100.0 {
            let tail = (-hk * xs / (2.0 * (1.0 + rs).powi(2))).exp() / rs;
            bvn += half_a * w * asr.exp() * (tail - (1.0 + c * xs * (1.0 + d * xs)));
        }
    }
    bvn = -bvn / (2.0 * PI);
    if r > 0.0 {
        bvn + norm_cdf(-h.max(k))
    } else {
        -bvn + (norm_cdf(-h) - norm_cdf(-k)).max(0.0)
    }
}
