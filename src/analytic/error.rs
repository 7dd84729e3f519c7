//! The error type of the analytic module and the range checks that
//! produce it.

/// Why an analytic computation could not be carried out.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalyticError {
    /// A parameter is NaN or outside its valid range.
    #[error("{name} = {value} is out of range: expected {expected}")]
    OutOfRange {
        /// The parameter's name.
        name: &'static str,
        /// The value given.
        value: f64,
        /// The valid range, in words.
        expected: String,
    },
    /// A quadrature did not reach its tolerance within its refinements.
    #[error("{what} did not converge: last change {change:e} exceeds tolerance {tolerance:e}")]
    NotConverged {
        /// What was being computed.
        what: &'static str,
        /// The last difference between successive refinements.
        change: f64,
        /// The tolerance that was asked for.
        tolerance: f64,
    },
}

impl AnalyticError {
    /// Ok if lo <= value <= hi (so NaN fails).
    pub(crate) fn check_closed(
        name: &'static str,
        value: f64,
        lo: f64,
        hi: f64,
    ) -> Result<(), Self> {
        Self::check(name, value, lo <= value && value <= hi, || {
            format!("a number in [{lo}, {hi}]")
        })
    }

    /// Ok if lo < value < hi (so NaN fails).
    pub(crate) fn check_open(name: &'static str, value: f64, lo: f64, hi: f64) -> Result<(), Self> {
        Self::check(name, value, lo < value && value < hi, || {
            format!("a number in ({lo}, {hi})")
        })
    }

    /// Ok if lo <= value < hi (so NaN fails).
    pub(crate) fn check_half_open(
        name: &'static str,
        value: f64,
        lo: f64,
        hi: f64,
    ) -> Result<(), Self> {
        Self::check(name, value, lo <= value && value < hi, || {
            format!("a number in [{lo}, {hi})")
        })
    }

    /// Ok unless NaN (infinities are meaningful limits).
    pub(crate) fn check_not_nan(name: &'static str, value: f64) -> Result<(), Self> {
        Self::check(name, value, !value.is_nan(), || {
            "a number, not NaN".to_string()
        })
    }

    fn check(
        name: &'static str,
        value: f64,
        ok: bool,
        expected: impl FnOnce() -> String,
    ) -> Result<(), Self> {
        if ok {
            Ok(())
        } else {
            Err(Self::OutOfRange {
                name,
                value,
                expected: expected(),
            })
        }
    }
}
