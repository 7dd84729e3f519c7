//! Quadrature rules for expectations over a standard normal factor.
//!
//! Nodes and weights are computed (Newton's method on the three-term
//! recurrences), never typed in, and checked on construction: strictly
//! ordered nodes and weights that sum to one.

use super::AnalyticError;
pub use super::legendre::gauss_legendre;
use super::normal::norm_pdf;
use std::f64::consts::PI;

/// Default Gauss-Hermite order; 128 nodes integrate the smooth conditional
/// laws of pools of up to a few hundred loans to rounding level.
pub const DEFAULT_HERMITE_ORDER: usize = 128;

/// Largest order accepted by [`NormalRule::gauss_hermite`]. Newton from
/// Numerical Recipes' starting values finds every root up to order 198 (a
/// test sweeps all orders); above, the second guess falls back onto the
/// first root. Finer rules are the composite ones, whose node spacing,
/// unlike Gauss-Hermite's (~ 1/sqrt(order)), can be made arbitrarily small.
pub const MAX_HERMITE_ORDER: usize = 192;

/// Half-width of the composite rules: the normal mass beyond +-9 is 2e-19.
const COMPOSITE_HALF_WIDTH: f64 = 9.0;

/// Gauss-Legendre points per panel of the composite rules.
const COMPOSITE_POINTS: usize = 16;

/// Number of refinement levels tried by [`converge`] after the first.
const MAX_LEVEL: usize = 8;

/// A quadrature rule for E[f(Z)], Z ~ N(0, 1): nodes z_i with probability
/// weights w_i, so that E[f(Z)] ~ sum_i w_i f(z_i).
#[derive(Debug, Clone, PartialEq)]
pub struct NormalRule {
    nodes: Vec<f64>,
    weights: Vec<f64>,
}

impl NormalRule {
    /// Gauss-Hermite rule of the given order for the standard normal
    /// measure (exact for polynomials of degree < 2 order): roots of the
    /// Hermite polynomial by Newton's method with Numerical Recipes'
    /// asymptotic starting values, rescaled from weight exp(-x^2).
    ///
    /// # Errors
    /// [`AnalyticError::OutOfRange`] unless 1 <= order <= [`MAX_HERMITE_ORDER`];
    /// [`AnalyticError::NotConverged`] if the computed rule fails its checks.
    pub fn gauss_hermite(order: usize) -> Result<Self, AnalyticError> {
        if !(1..=MAX_HERMITE_ORDER).contains(&order) {
            return Err(AnalyticError::OutOfRange {
                name: "order",
                value: order as f64,
                expected: format!("an integer in [1, {MAX_HERMITE_ORDER}]"),
            });
        }
        let (x, w) = hermite_physicists(order);
        let nodes = x.iter().map(|x| x * std::f64::consts::SQRT_2).collect();
        let weights = w.iter().map(|w| w / PI.sqrt()).collect();
        Self::checked(nodes, weights, "Gauss-Hermite rule")
    }

    /// Composite Gauss-Legendre rule on [-half_width, half_width] with
    /// `panels` equal panels of `points` nodes each, weighted by the normal
    /// density. Unlike Gauss-Hermite its node spacing can be made as fine as
    /// needed, which large pools with narrow conditional laws require.
    ///
    /// # Errors
    /// [`AnalyticError::OutOfRange`] for zero panels or points, or a
    /// half-width that is not finite and positive.
    pub fn composite_legendre(
        panels: usize,
        points: usize,
        half_width: f64,
    ) -> Result<Self, AnalyticError> {
        if panels == 0 || points == 0 {
            return Err(AnalyticError::OutOfRange {
                name: "panels/points",
                value: 0.0,
                expected: "at least one panel of at least one point".to_string(),
            });
        }
        AnalyticError::check_open("half_width", half_width, 0.0, f64::INFINITY)?;
        let (x, w) = gauss_legendre(points);
        let width = 2.0 * half_width / panels as f64;
        let mut nodes = Vec::with_capacity(panels * points);
        let mut weights = Vec::with_capacity(panels * points);
        for panel in 0..panels {
            let mid = -half_width + (panel as f64 + 0.5) * width;
            for (xi, wi) in x.iter().zip(&w) {
                let z = mid + 0.5 * width * xi;
                nodes.push(z);
                weights.push(0.5 * width * wi * norm_pdf(z));
            }
        }
        Self::checked(nodes, weights, "composite Gauss-Legendre rule")
    }

    /// Rejects a rule whose nodes are not strictly increasing or whose
    /// weights do not sum to one: the guard against a Newton iteration that
    /// converged to the wrong root.
    fn checked(
        nodes: Vec<f64>,
        weights: Vec<f64>,
        what: &'static str,
    ) -> Result<Self, AnalyticError> {
        let ordered = nodes.windows(2).all(|p| p[0] < p[1]);
        let nonnegative = weights.iter().all(|w| *w >= 0.0);
        let change = (weights.iter().sum::<f64>() - 1.0).abs();
        // Written so that a NaN mass fails too.
        let mass_ok = change <= 1e-13;
        if !(ordered && nonnegative && mass_ok) {
            return Err(AnalyticError::NotConverged {
                what,
                change,
                tolerance: 1e-13,
            });
        }
        Ok(Self { nodes, weights })
    }

    /// Nodes z_i, increasing.
    pub fn nodes(&self) -> &[f64] {
        &self.nodes
    }

    /// Probability weights w_i (sum to one).
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// sum_i w_i f(z_i), the rule's estimate of E[f(Z)].
    pub fn expectation(&self, f: impl Fn(f64) -> f64) -> f64 {
        self.nodes
            .iter()
            .zip(&self.weights)
            .map(|(&z, &w)| w * f(z))
            .sum()
    }
}

/// The refinement sequence used by the pool models: Gauss-Hermite of order
/// 64 and 128 first (enough for small pools), then composite
/// Gauss-Legendre rules with 32, 64, ... panels of 16 points on [-9, 9].
pub(crate) fn normal_rule(level: usize) -> Result<NormalRule, AnalyticError> {
    match level {
        0 => NormalRule::gauss_hermite(DEFAULT_HERMITE_ORDER / 2),
        1 => NormalRule::gauss_hermite(DEFAULT_HERMITE_ORDER),
        _ => NormalRule::composite_legendre(
            32 << (level - 2),
            COMPOSITE_POINTS,
            COMPOSITE_HALF_WIDTH,
        ),
    }
}

/// Evaluates `estimate` at levels 0, 1, 2, ... until two successive
/// estimates differ by at most `tolerance` in the sum of absolute
/// differences (for a probability vector this bounds the change of the
/// expectation of any [0, 1]-valued payoff); returns the finer estimate and
/// that last change.
///
/// # Errors
/// Whatever `estimate` returns, or [`AnalyticError::NotConverged`] after
/// the last level.
pub(crate) fn converge<F>(
    what: &'static str,
    tolerance: f64,
    mut estimate: F,
) -> Result<(Vec<f64>, f64), AnalyticError>
where
    F: FnMut(usize) -> Result<Vec<f64>, AnalyticError>,
{
    let mut previous = estimate(0)?;
    let mut change = f64::INFINITY;
    for level in 1..=MAX_LEVEL {
        let next = estimate(level)?;
        change = previous.iter().zip(&next).map(|(a, b)| (a - b).abs()).sum();
        if change <= tolerance {
            return Ok((next, change));
        }
        previous = next;
    }
    Err(AnalyticError::NotConverged {
        what,
        change,
        tolerance,
    })
}

/// Gauss-Hermite nodes (increasing) and weights for weight exp(-x^2).
fn hermite_physicists(order: usize) -> (Vec<f64>, Vec<f64>) {
    let n = order as f64;
    let mut nodes = vec![0.0; order];
    let mut weights = vec![0.0; order];
    let mut z = 0.0;
    for i in 0..order.div_ceil(2) {
        // Numerical Recipes' starting values: each root from the previous.
        z = match i {
            0 => (2.0 * n + 1.0).sqrt() - 1.85575 * (2.0 * n + 1.0).powf(-0.16667),
            1 => z - 1.14 * n.powf(0.426) / z,
            2 => 1.86 * z - 0.86 * nodes[order - 1],
            3 => 1.91 * z - 0.91 * nodes[order - 2],
            _ => 2.0 * z - nodes[order + 1 - i],
        };
        for _ in 0..100 {
            let (p, dp) = hermite(order, z);
            let step = p / dp;
            z -= step;
            if step.abs() <= 1e-15 * z.abs().max(1.0) {
                break;
            }
        }
        let (_, dp) = hermite(order, z);
        let w = 2.0 / (dp * dp);
        nodes[order - 1 - i] = z;
        nodes[i] = -z;
        weights[order - 1 - i] = w;
        weights[i] = w;
    }
    (nodes, weights)
}

/// Orthonormal Hermite polynomial h_n(z) (w.r.t. exp(-x^2)) and its
/// derivative; the normalised recurrence keeps values in range for n ~ 1000.
fn hermite(n: usize, z: f64) -> (f64, f64) {
    let (mut p1, mut p2) = (PI.powf(-0.25), 0.0);
    for j in 1..=n {
        let p3 = p2;
        p2 = p1;
        let j = j as f64;
        p1 = z * (2.0 / j).sqrt() * p2 - ((j - 1.0) / j).sqrt() * p3;
    }
    (p1, (2.0 * n as f64).sqrt() * p2)
}
