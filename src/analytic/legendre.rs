//! Gauss-Legendre rules on [-1, 1]: the building block of both the normal
//! distribution's bivariate cdf ([`super::normal`]) and the composite rules
//! over a normal factor ([`super::quadrature`]), kept apart so that neither
//! of those imports the other.

use std::f64::consts::PI;

/// Gauss-Legendre nodes (increasing) and weights on [-1, 1]; empty for
/// order 0. Newton's method from Tricomi-type starting values converges to
/// every root, so no check beyond the tests is needed.
pub fn gauss_legendre(order: usize) -> (Vec<f64>, Vec<f64>) {
    let mut nodes = vec![0.0; order];
    let mut weights = vec![0.0; order];
    for i in 0..order.div_ceil(2) {
        let mut z = (PI * (i as f64 + 0.75) / (order as f64 + 0.5)).cos();
        for _ in 0..100 {
            let (p, dp) = legendre(order, z);
            let step = p / dp;
            z -= step;
            if step.abs() <= 1e-16 {
                break;
            }
        }
        let (_, dp) = legendre(order, z);
        let w = 2.0 / ((1.0 - z * z) * dp * dp);
        nodes[i] = -z;
        nodes[order - 1 - i] = z;
        weights[i] = w;
        weights[order - 1 - i] = w;
    }
    (nodes, weights)
}

/// Legendre polynomial P_n(z) and its derivative, by the recurrence.
fn legendre(n: usize, z: f64) -> (f64, f64) {
    let (mut p1, mut p2) = (1.0, 0.0);
    for j in 1..=n {
        let p3 = p2;
        p2 = p1;
        p1 = ((2 * j - 1) as f64 * z * p2 - (j - 1) as f64 * p3) / j as f64;
    }
    (p1, n as f64 * (z * p1 - p2) / (z * z - 1.0))
}
