//! A tranche as a static slice [attach, detach] of the pool loss.

use super::AnalyticError;

/// Tranche with attachment A and detachment D as fractions of the pool
/// notional, 0 <= A < D <= 1. Its loss, as a fraction of its own notional,
/// is (min(L, D) - min(L, A)) / (D - A) for pool loss fraction L.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tranche {
    attach: f64,
    detach: f64,
}

impl Tranche {
    /// Validates 0 <= attach < detach <= 1.
    ///
    /// # Errors
    /// [`AnalyticError::OutOfRange`] for NaN, a bound outside [0, 1], or
    /// attach >= detach.
    pub fn new(attach: f64, detach: f64) -> Result<Self, AnalyticError> {
        AnalyticError::check_half_open("attach", attach, 0.0, 1.0)?;
        AnalyticError::check_closed("detach", detach, 0.0, 1.0)?;
        if detach <= attach {
            return Err(AnalyticError::OutOfRange {
                name: "detach",
                value: detach,
                expected: format!("a number above attach = {attach}"),
            });
        }
        Ok(Self { attach, detach })
    }

    /// Attachment point A.
    pub fn attach(&self) -> f64 {
        self.attach
    }

    /// Detachment point D.
    pub fn detach(&self) -> f64 {
        self.detach
    }

    /// Width D - A, the tranche notional as a fraction of the pool.
    pub fn width(&self) -> f64 {
        self.detach - self.attach
    }

    /// Tranche loss fraction for a pool loss fraction `pool_loss`.
    pub fn loss(&self, pool_loss: f64) -> f64 {
        (pool_loss.min(self.detach) - pool_loss.min(self.attach)) / self.width()
    }
}
