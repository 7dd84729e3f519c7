//! Ranges of accepted numbers, and the check that names the range in its
//! message. Apart from `validate` so that the idealized rating table, which
//! `types` holds, can check its numbers without importing the checks of
//! `types` itself.

use std::fmt;

/// A range of real numbers with open or closed ends.
#[derive(Debug, Clone, Copy)]
pub(super) struct Interval(pub f64, pub bool, pub f64, pub bool);

impl Interval {
    /// Whether `x` lies in the interval (NaN never does).
    pub(super) fn contains(self, x: f64) -> bool {
        let Interval(lo, lo_closed, hi, hi_closed) = self;
        (x > lo || (lo_closed && x == lo)) && (x < hi || (hi_closed && x == hi))
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Interval(lo, lo_closed, hi, hi_closed) = *self;
        let open = if lo_closed { '[' } else { '(' };
        let close = if hi_closed { ']' } else { ')' };
        write!(f, "{open}{lo}, {hi}{close}")
    }
}

/// `x` must be a finite number in `interval`; `noun` says what it is.
pub(super) fn number_in(x: f64, interval: Interval, noun: &str) -> Result<(), String> {
    if interval.contains(x) {
        Ok(())
    } else {
        Err(format!(
            "{x} is not {noun}; expected a number in {interval}"
        ))
    }
}
