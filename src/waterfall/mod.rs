//! Waterfall stage: the priority of payments, applied to one pool path.
//!
//! The priority of payments is data: two compiled step lists
//! ([`crate::model::Liabilities`]), one for interest proceeds and one for
//! principal proceeds, run by a small interpreter (see `interpret.rs` for
//! the order of events within a period and `docs/waterfall.md` for every
//! step kind). Without a `[waterfall]` table the lists reproduce the default
//! order: fees, each tranche's interest most senior first, residual to the
//! most junior; principal sequentially, residual to the most junior; at the
//! legal final date interest left joins the principal proceeds.
//!
//! Given the pool's collections the waterfall is deterministic and exact:
//! every period, the cash that comes in (collections, guarantee payout,
//! reserve withdrawals) equals what goes out (fees, tranches, reserve
//! deposits), to the minor unit.

mod cashflows;
mod interpret;
mod ledger;
mod outcome;
mod trace;

pub use cashflows::CashflowSums;
pub use ledger::{FeePeriod, Ledger, ReservePeriod, TestPeriod, TranchePeriod};
pub use outcome::{
    TrancheOutcome, guarantee_outcome, irr, irr_from, tranche_loss, tranche_outcome, tranche_wal,
};
pub use trace::{NoTrace, Payee, StepLog, StepTrace, Tracer};

use crate::model::Model;
use crate::simulate::PoolPath;

/// Runs the waterfall of `model` over one pool path, filling `ledger`.
pub fn run_waterfall(model: &Model, pool: &PoolPath, ledger: &mut Ledger) {
    run_waterfall_traced(model, pool, ledger, &mut NoTrace);
}

/// [`run_waterfall`], reporting every step of every period to `tracer`.
pub fn run_waterfall_traced<T: Tracer>(
    model: &Model,
    pool: &PoolPath,
    ledger: &mut Ledger,
    tracer: &mut T,
) {
    interpret::run_traced(
        &model.liabilities,
        model.calendar.periods(),
        model.pool.notional,
        pool,
        ledger,
        tracer,
        None,
    );
}

/// When a waterfall run for one tranche's outcome may stop early. Later
/// periods, left empty in the ledger, are not computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopWhen {
    /// Once the tranche's balance is zero: its loss and its principal
    /// payments (hence [`tranche_wal`]) are exact; its other cash and every
    /// other party's are not.
    Repaid(usize),
    /// Once the tranche can receive no more cash: its balance and deferred
    /// interest are zero and no residual step pays it, or no cash can enter
    /// the waterfall again (the pool has nothing more to collect, no
    /// guarantee payout can come, every reserve is empty). All its cash
    /// flows are exact (hence its IRR, multiple and WAL in
    /// [`tranche_outcome`]); its loss only if its balance reached zero (a
    /// deferrable tranche's balance keeps capitalising interest); every
    /// other party's cash is not.
    ReceivedAll(usize),
    /// As soon as the tranche is certain to be repaid in full: once its
    /// balance is zero, or, when the principal list opens with a
    /// sequential step naming it behind non-deferrable tranches only, once
    /// the pool's principal and recoveries still to come cover their
    /// balances (the reasoning is on `RepaymentWatch` in `interpret.rs`).
    /// Only its loss ([`tranche_loss`]) is exact. Much faster for a senior
    /// tranche: on most paths nothing is computed at all.
    CertainlyRepaid(usize),
}

pub(crate) use interpret::settled_at_start;

/// [`run_waterfall`], stopped early as `stop` allows.
pub fn run_waterfall_until(model: &Model, pool: &PoolPath, ledger: &mut Ledger, stop: StopWhen) {
    interpret::run_traced(
        &model.liabilities,
        model.calendar.periods(),
        model.pool.notional,
        pool,
        ledger,
        &mut NoTrace,
        Some(stop),
    );
}
