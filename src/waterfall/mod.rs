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

mod acceleration;
mod cashflows;
mod coverage;
mod deficiency;
mod early_stop;
mod funding;
mod guarantee;
mod interpret;
mod ledger;
mod outcome;
mod scratch;
mod trace;

pub use cashflows::{CashflowSums, WEIGHT_ONE, fixed_mean, fixed_weight};
pub use ledger::{FeePeriod, Ledger, ReservePeriod, TestPeriod, TranchePeriod, TrancheRows};
pub use outcome::{
    IrrStarts, IrrWork, TrancheOutcome, guarantee_outcome, irr, irr_from, irr_net_of_funding,
    irr_net_of_funding_started, pv_loss, tranche_loss, tranche_loss_split, tranche_outcome,
    tranche_outcome_with, tranche_wal,
};
pub use trace::{NoTrace, Note, NotePart, Payee, StepLog, StepTrace, Tracer};

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
        pool,
        ledger,
        tracer,
        None,
    );
}

pub use early_stop::StopWhen;
pub(crate) use early_stop::settled_at_start;

/// [`run_waterfall`], stopped early as `stop` allows.
pub fn run_waterfall_until(model: &Model, pool: &PoolPath, ledger: &mut Ledger, stop: StopWhen) {
    interpret::run_traced(
        &model.liabilities,
        model.calendar.periods(),
        pool,
        ledger,
        &mut NoTrace,
        Some(stop),
    );
}
