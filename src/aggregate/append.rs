//! Joining the outcomes of consecutive blocks of paths (the parts of a
//! sharded run, `blendsim merge`) into the outcomes of the whole run:
//! every per-path column concatenated in path order, every exact sum
//! added. The statistics are then computed from the joined columns exactly
//! as from a single run's, so the pack is the same byte for byte.
//!
//! Each struct is taken apart whole (no `..`): a new column does not
//! compile until it says here how it joins, in one line.

use crate::waterfall::CashflowSums;

use super::{Outcomes, PartyColumns, TimelyColumns, TrancheColumns};

/// Appends the next block's column to this one's.
fn cat<T>(column: &mut Vec<T>, mut next: Vec<T>) {
    column.append(&mut next);
}

/// Joins per-entity columns (per tranche, per party, per coverage test)
/// entity by entity.
fn each<T>(columns: &mut Vec<T>, next: Vec<T>, join: impl Fn(&mut T, T)) {
    if columns.is_empty() {
        *columns = next;
        return;
    }
    for (column, next) in columns.iter_mut().zip(next) {
        join(column, next);
    }
}

impl Outcomes {
    /// Appends `next`, the outcomes of the paths that follow this run's
    /// (same model, same seed): the result is what one run over both
    /// blocks gives.
    pub fn append(&mut self, next: Outcomes) {
        if self.paths() == 0 {
            *self = next;
            return;
        }
        let Outcomes {
            tranches,
            pool_loss,
            defaults,
            detail,
            guarantee,
            first_failures,
            mut cashflows,
            timely,
            events_of_default,
            parties,
            weights,
        } = next;
        each(&mut self.tranches, tranches, TrancheColumns::append);
        cat(&mut self.pool_loss, pool_loss);
        cat(&mut self.defaults, defaults);
        self.detail.append(detail);
        match (&mut self.guarantee, guarantee) {
            (Some(columns), Some(next)) => columns.append(next),
            (columns, next) => *columns = columns.take().or(next),
        }
        each(&mut self.first_failures, first_failures, cat);
        join_sums(&mut self.cashflows, &mut cashflows);
        each(&mut self.timely, timely, TimelyColumns::append);
        cat(&mut self.events_of_default, events_of_default);
        each(&mut self.parties, parties, PartyColumns::append);
        cat(&mut self.weights, weights);
    }
}

/// Integer sums: adding the blocks' sums gives the whole run's exactly.
fn join_sums(sums: &mut CashflowSums, next: &mut CashflowSums) {
    if sums.paths == 0 {
        std::mem::swap(sums, next);
    } else {
        sums.merge(next);
    }
}

impl TrancheColumns {
    fn append(&mut self, next: TrancheColumns) {
        let TrancheColumns {
            loss,
            deferred_interest_loss,
            pv_loss,
            irr,
            moic,
            wal_years,
        } = next;
        cat(&mut self.loss, loss);
        cat(&mut self.deferred_interest_loss, deferred_interest_loss);
        cat(&mut self.pv_loss, pv_loss);
        cat(&mut self.irr, irr);
        cat(&mut self.moic, moic);
        cat(&mut self.wal_years, wal_years);
    }
}

impl TimelyColumns {
    fn append(&mut self, next: TimelyColumns) {
        let TimelyColumns {
            first_shortfall,
            missed,
        } = next;
        cat(&mut self.first_shortfall, first_shortfall);
        cat(&mut self.missed, missed);
    }
}

impl PartyColumns {
    fn append(&mut self, next: PartyColumns) {
        let PartyColumns {
            pv_paid,
            pv_received,
            grant_cost,
            loss,
            irr,
            received,
            invested,
            paid_sum,
            received_sum,
        } = next;
        cat(&mut self.pv_paid, pv_paid);
        cat(&mut self.pv_received, pv_received);
        cat(&mut self.grant_cost, grant_cost);
        cat(&mut self.loss, loss);
        cat(&mut self.irr, irr);
        cat(&mut self.received, received);
        cat(&mut self.invested, invested);
        self.paid_sum += paid_sum;
        self.received_sum += received_sum;
    }
}
