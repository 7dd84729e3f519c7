//! Waterfall stage: the priority of payments, applied to one pool path.
//!
//! The order is fixed in this version:
//! 1. interest proceeds pay the management fee (unpaid fee is carried
//!    forward), then each tranche's interest in seniority order, deferred
//!    interest first; a deferrable tranche capitalises what is unpaid, a
//!    non-deferrable one carries it as deferred interest (without interest on
//!    it); interest left over is residual, paid to the most junior tranche;
//! 2. principal proceeds (scheduled principal and recoveries) repay the
//!    tranches sequentially, most senior first; what is left is residual;
//! 3. on the legal final date, interest left after interest payments joins
//!    the principal proceeds before any residual, and balances unpaid after
//!    that are losses.
//!
//! Given the pool's collections the waterfall is deterministic and exact:
//! every period, collections equal fees plus everything paid to tranches.

mod ledger;
mod outcome;

pub use ledger::{Ledger, TranchePeriod};
pub use outcome::{TrancheOutcome, irr, irr_from, tranche_loss, tranche_outcome};

use crate::model::{Liabilities, Model};
use crate::money::Money;
use crate::simulate::PoolPath;

/// Balances carried from one period to the next.
#[derive(Debug, Clone, Copy, Default)]
struct TrancheState {
    balance: Money,
    deferred_interest: Money,
}

/// Runs the waterfall of `model` over one pool path, filling `ledger`.
pub fn run_waterfall(model: &Model, pool: &PoolPath, ledger: &mut Ledger) {
    let liabilities = &model.liabilities;
    let periods = model.calendar.periods();
    ledger.reset(liabilities.tranches.len(), periods);
    let mut state: Vec<TrancheState> = liabilities
        .tranches
        .iter()
        .map(|t| TrancheState {
            balance: t.notional,
            deferred_interest: Money::ZERO,
        })
        .collect();
    let mut rows = vec![TranchePeriod::default(); state.len()];
    let mut fee_unpaid = Money::ZERO;
    for k in 1..=periods {
        rows.fill(TranchePeriod::default());
        let mut interest_cash = pool.interest[k];
        fee_unpaid = pay_fee(liabilities, pool, k, fee_unpaid, &mut interest_cash, ledger);
        pay_interest(liabilities, k, &mut state, &mut rows, &mut interest_cash);
        let mut principal_cash = pool.principal[k] + pool.recoveries[k];
        if k == periods {
            principal_cash += std::mem::take(&mut interest_cash);
        }
        pay_principal_sequentially(&mut state, &mut rows, &mut principal_cash);
        if let Some(junior) = rows.last_mut() {
            junior.residual = interest_cash + principal_cash;
        }
        for (t, (row, tranche)) in rows.iter_mut().zip(&state).enumerate() {
            row.balance_end = tranche.balance;
            ledger.record(t, k, *row);
        }
    }
}

/// Pays the management fee (current plus unpaid) from interest proceeds;
/// returns what is still unpaid.
fn pay_fee(
    liabilities: &Liabilities,
    pool: &PoolPath,
    k: usize,
    unpaid: Money,
    cash: &mut Money,
    ledger: &mut Ledger,
) -> Money {
    let due = unpaid + liabilities.fee_accrual[k].apply(pool.performing_balance[k]);
    let paid = due.min(*cash);
    *cash -= paid;
    ledger.fee_due[k] = due;
    ledger.fee_paid[k] = paid;
    due - paid
}

fn pay_interest(
    liabilities: &Liabilities,
    k: usize,
    state: &mut [TrancheState],
    rows: &mut [TranchePeriod],
    cash: &mut Money,
) {
    for ((tranche, s), row) in liabilities.tranches.iter().zip(state).zip(rows) {
        let current = tranche.accrual[k].apply(s.balance);
        let due = s.deferred_interest + current;
        let paid = due.min(*cash);
        *cash -= paid;
        row.interest = paid;
        row.interest_shortfall = due - paid;
        if tranche.deferrable {
            s.balance += due - paid;
            s.deferred_interest = Money::ZERO;
        } else {
            s.deferred_interest = due - paid;
        }
    }
}

fn pay_principal_sequentially(
    state: &mut [TrancheState],
    rows: &mut [TranchePeriod],
    cash: &mut Money,
) {
    for (s, row) in state.iter_mut().zip(rows) {
        let paid = s.balance.min(*cash);
        *cash -= paid;
        s.balance -= paid;
        row.principal = paid;
    }
}
