//! One simulated path of the pool: its defaults and its collections.

use crate::model::{LoanModel, PoolSchedule};
use crate::money::Money;

/// One loan's default on a path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DefaultEvent {
    /// Index of the loan in the project list.
    pub loan: usize,
    /// Period in which the loan defaults (it pays nothing from then on).
    pub period: usize,
    /// The loan's systematic factor, normalised to unit variance.
    pub systematic: f64,
    /// Recovery rate drawn.
    pub recovery_rate: f64,
    /// Principal outstanding at default.
    pub exposure: Money,
    /// Cash recovered.
    pub recovery: Money,
    /// Period in which the recovery is collected.
    pub recovery_period: usize,
}

/// The pool's collections on one path, per period 0..=K.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PoolPath {
    /// Interest collected.
    pub interest: Vec<Money>,
    /// Scheduled principal collected.
    pub principal: Vec<Money>,
    /// Recoveries collected.
    pub recoveries: Vec<Money>,
    /// Principal written off at default.
    pub defaulted: Vec<Money>,
    /// Principal of performing loans at the start of the period.
    pub performing_balance: Vec<Money>,
    /// Loan draws funded (index 0: at closing).
    pub draws: Vec<Money>,
    /// Interest capitalised into performing loans' balances.
    pub capitalised: Vec<Money>,
    /// Draws cancelled because the loan defaulted before them (in the
    /// default period).
    pub cancelled: Vec<Money>,
    /// Defaults in loan order.
    pub defaults: Vec<DefaultEvent>,
}

impl PoolPath {
    /// A path with buffers sized for `schedule`.
    pub fn for_schedule(schedule: &PoolSchedule) -> Self {
        let mut path = PoolPath::default();
        path.reset(schedule);
        path
    }

    /// Number of periods K.
    pub fn periods(&self) -> usize {
        self.interest.len() - 1
    }

    /// Back to the performing schedule, without reallocating.
    pub fn reset(&mut self, schedule: &PoolSchedule) {
        copy_into(&mut self.interest, &schedule.interest);
        copy_into(&mut self.principal, &schedule.principal);
        copy_into(&mut self.performing_balance, &schedule.performing_balance);
        copy_into(&mut self.draws, &schedule.draws);
        copy_into(&mut self.capitalised, &schedule.capitalised);
        self.cancelled.clear();
        self.cancelled.resize(schedule.interest.len(), Money::ZERO);
        self.recoveries.clear();
        self.recoveries.resize(schedule.interest.len(), Money::ZERO);
        self.defaulted.clear();
        self.defaulted.resize(schedule.interest.len(), Money::ZERO);
        self.defaults.clear();
    }

    /// Removes what `loan` no longer pays (nor capitalises) from its default
    /// period on, cancels its later draws, and adds its write-off and
    /// recovery.
    pub fn apply_default(&mut self, loan: &LoanModel, event: &DefaultEvent) {
        let first = event.period - loan.first_period;
        for (j, k) in (first..loan.principal.len()).zip(event.period..) {
            self.interest[k] -= loan.interest[j];
            self.principal[k] -= loan.principal[j];
            self.capitalised[k] -= loan.capitalised[j];
            if j > first {
                self.performing_balance[k] -= loan.balance_start[j];
            }
        }
        for &(k, amount) in loan.draws.iter().filter(|(k, _)| *k > event.period) {
            self.draws[k] -= amount;
            self.cancelled[event.period] += amount;
        }
        self.defaulted[event.period] += event.exposure;
        self.recoveries[event.recovery_period] += event.recovery;
    }

    /// Total principal written off.
    pub fn total_defaulted(&self) -> Money {
        self.defaulted.iter().copied().sum()
    }

    /// Total recoveries.
    pub fn total_recovered(&self) -> Money {
        self.recoveries.iter().copied().sum()
    }
}

fn copy_into(target: &mut Vec<Money>, source: &[Money]) {
    target.clear();
    target.extend_from_slice(source);
}
