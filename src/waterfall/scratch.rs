//! The working state the interpreter carries from period to period on one
//! path. Its own file because the interpreter, the coverage tests, the
//! deficiency ledger and the early stop all read it, and none of them
//! should import another to reach it.

use crate::model::Liabilities;
use crate::money::Money;
use crate::simulate::PoolPath;

use super::funding::FundingState;

/// Working state carried from period to period on one path.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Scratch {
    pub(super) balance: Vec<Money>,
    /// Deferred interest of non-deferrable tranches.
    pub(super) deferred: Vec<Money>,
    /// Interest due and not yet paid this period.
    pub(super) due: Vec<Money>,
    /// This period's current interest (for IC tests and reserve targets).
    pub(super) current: Vec<Money>,
    /// The balance each tranche's current interest accrued on.
    pub(super) accrued_on: Vec<Money>,
    /// Scratch: what each tranche pays in on a funding date.
    pub(super) paid_in: Vec<Money>,
    pub(super) fee_unpaid: Vec<Money>,
    pub(super) reserve: Vec<Money>,
    /// Losses realised per period (exposure less recovery, in the recovery
    /// period), for the guarantee.
    pub(super) realised: Vec<Money>,
    /// Undrawn commitments and the ramp-up account.
    pub(super) funding: FundingState,
    /// Debits of the principal deficiency ledger per period (empty
    /// without one).
    pub(super) pdl_debit: Vec<Money>,
    /// Per coverage test and period, what defaulted loans not yet
    /// recovered count for in its numerator (empty when no test counts
    /// them).
    pub(super) carried: Vec<Money>,
    /// Per tranche, the payment dates in a row that left its interest
    /// unpaid (for the event of default).
    pub(super) unpaid_streak: Vec<usize>,
}

fn refill(column: &mut Vec<Money>, len: usize) {
    column.clear();
    column.resize(len, Money::ZERO);
}

impl Scratch {
    /// Ready for a new path: balances at notional, everything else zero,
    /// and (with a guarantee) the losses each period realises.
    pub(super) fn reset(&mut self, liabilities: &Liabilities, pool: &PoolPath, periods: usize) {
        let tranches = liabilities.tranches.len();
        self.balance.clear();
        self.balance
            .extend(liabilities.tranches.iter().map(|t| t.notional));
        refill(&mut self.deferred, tranches);
        refill(&mut self.due, tranches);
        refill(&mut self.current, tranches);
        refill(&mut self.accrued_on, tranches);
        refill(&mut self.paid_in, tranches);
        refill(&mut self.fee_unpaid, liabilities.fees.len());
        refill(&mut self.reserve, liabilities.reserves.len());
        refill(&mut self.realised, periods + 1);
        self.unpaid_streak.clear();
        self.unpaid_streak.resize(tranches, 0);
        if liabilities.guarantee.is_some() {
            for event in &pool.defaults {
                self.realised[event.recovery_period] += event.exposure - event.recovery;
            }
        }
    }
}
