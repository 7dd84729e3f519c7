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

/// A sponsor acquired by a PRC-linked entity on a path (a nexus event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AcquisitionEvent {
    /// Index of the loan in the project list.
    pub loan: usize,
    /// Period of the acquisition (the remedy applies in it).
    pub period: usize,
    /// Principal outstanding at the start of that period.
    pub exposure: Money,
}

/// The nexus events of one path and what the exclusion remedy takes out
/// of the coverage tests (both empty without events).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NexusPath {
    /// Acquisitions, in loan order.
    pub acquisitions: Vec<AcquisitionEvent>,
    /// Per period 0..=K (or empty): principal of excluded loans after the
    /// period's scheduled repayment, taken out of OC numerators.
    pub excluded_par: Vec<Money>,
    /// Per period 0..=K (or empty): interest of excluded loans, taken out
    /// of IC numerators.
    pub excluded_interest: Vec<Money>,
}

impl NexusPath {
    /// Excluded principal in period `k`.
    pub fn excluded_par(&self, k: usize) -> Money {
        self.excluded_par.get(k).copied().unwrap_or(Money::ZERO)
    }

    /// Whether `loan` was taken out of the coverage tests by the exclusion
    /// remedy before `period` (its default): only the exclusion remedy
    /// fills `excluded_par`, and an acquisition is recorded only before the
    /// loan's default.
    pub fn excluded_before(&self, loan: usize, period: usize) -> bool {
        !self.excluded_par.is_empty()
            && (self.acquisitions.iter()).any(|a| a.loan == loan && a.period < period)
    }

    /// Excluded interest in period `k`.
    pub fn excluded_interest(&self, k: usize) -> Money {
        self.excluded_interest
            .get(k)
            .copied()
            .unwrap_or(Money::ZERO)
    }
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
    /// Nexus events and what they exclude from the coverage tests.
    pub nexus: NexusPath,
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
        self.nexus.acquisitions.clear();
        self.nexus.excluded_par.clear();
        self.nexus.excluded_interest.clear();
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
        self.cancel_draws_after(loan, event.period);
        self.defaulted[event.period] += event.exposure;
        self.recoveries[event.recovery_period] += event.recovery;
    }

    /// Prepays `loan` at par in `period`: it pays the period's interest,
    /// everything it owes at the period's end (its balance, with any
    /// interest capitalised in the period) and `premium` as interest; it
    /// pays and draws nothing after (later draws are cancelled).
    pub fn apply_prepayment(&mut self, loan: &LoanModel, period: usize, premium: Money) {
        let first = period - loan.first_period;
        let owed = loan.balance_start[first] + loan.capitalised[first];
        self.principal[period] += owed - loan.principal[first];
        self.capitalised[period] -= loan.capitalised[first];
        self.interest[period] += premium;
        for (j, k) in (first + 1..loan.principal.len()).zip(period + 1..) {
            self.interest[k] -= loan.interest[j];
            self.principal[k] -= loan.principal[j];
            self.capitalised[k] -= loan.capitalised[j];
            self.performing_balance[k] -= loan.balance_start[j];
        }
        self.cancel_draws_after(loan, period);
    }

    /// Cancels `loan`'s draws after `period` (counted in `period`).
    fn cancel_draws_after(&mut self, loan: &LoanModel, period: usize) {
        for &(k, amount) in loan.draws.iter().filter(|(k, _)| *k > period) {
            self.draws[k] -= amount;
            self.cancelled[period] += amount;
        }
    }

    /// Takes `loan` out of the coverage tests' numerators from `period`
    /// until before `until` (its default, or after its last period).
    pub fn apply_exclusion(&mut self, loan: &LoanModel, period: usize, until: usize) {
        let periods = self.interest.len();
        for column in [
            &mut self.nexus.excluded_par,
            &mut self.nexus.excluded_interest,
        ] {
            column.resize(periods, Money::ZERO);
        }
        let first = period - loan.first_period;
        for (j, k) in (first..loan.principal.len()).zip(period..until) {
            let balance_end = loan.balance_start[j] + loan.capitalised[j] - loan.principal[j];
            self.nexus.excluded_par[k] += balance_end;
            self.nexus.excluded_interest[k] += loan.interest[j];
        }
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
