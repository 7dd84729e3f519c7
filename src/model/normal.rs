//! Standard normal quantile and distribution functions with guarded inputs.

use statrs::distribution::{ContinuousCDF, Normal};

fn standard() -> Normal {
    Normal::standard()
}

/// `Phi^-1(p)`; `-inf` for p <= 0 and `+inf` for p >= 1 (a loan that cannot
/// or must default), never a panic.
pub fn standard_normal_quantile(p: f64) -> f64 {
    if p.is_nan() || p <= 0.0 {
        f64::NEG_INFINITY
    } else if p >= 1.0 {
        f64::INFINITY
    } else {
        standard().inverse_cdf(p)
    }
}

/// `Phi(x)`.
pub fn standard_normal_cdf(x: f64) -> f64 {
    standard().cdf(x)
}
