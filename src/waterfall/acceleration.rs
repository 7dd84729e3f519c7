//! Events of default and the post-acceleration priority of payments.
//!
//! When a non-deferrable tranche's interest has been unpaid at the close of
//! more than `grace_periods` payment dates in a row, an event of default
//! occurs in that period. From the next payment date on, the waterfall no
//! longer separates interest and principal proceeds: all cash (both, and
//! every reserve's balance) pays every fee, then the facility's
//! post-acceleration steps (typically the most senior tranche's interest
//! and then its principal, then the next tranche's), ending with a
//! residual. Coverage tests, reserve top-ups and PDL cures stop. Loan draws
//! already committed are still funded. See docs/waterfall.md.

use crate::model::AccelerationModel;
use crate::money::Money;
use crate::spec::StepList;

use super::interpret::Run;
use super::trace::{Note, Payee, Tracer};

impl<T: Tracer> Run<'_, T> {
    /// After an event of default: the period's interest proceeds `cash`,
    /// its principal proceeds and every reserve run the post-acceleration
    /// list.
    pub(super) fn run_accelerated(&mut self, acceleration: &AccelerationModel, cash: &mut Money) {
        *cash += self.principal_proceeds;
        if self.s.reserve.iter().any(|r| *r != Money::ZERO) {
            self.release_reserves(cash);
        }
        self.run_list(StepList::Accelerated, &acceleration.steps, cash);
    }

    /// At the close of a period before any event of default: counts, per
    /// non-deferrable tranche, the payment dates in a row that left its
    /// interest unpaid, and declares the event of default once a count
    /// exceeds the grace.
    pub(super) fn watch_event_of_default(&mut self) {
        let liabilities = self.liabilities;
        let Some(acceleration) = &liabilities.acceleration else {
            return;
        };
        if self.accelerated {
            return;
        }
        for (t, tranche) in liabilities.tranches.iter().enumerate() {
            if tranche.deferrable {
                continue;
            }
            let streak = &mut self.s.unpaid_streak[t];
            *streak = if self.s.deferred[t].is_positive() {
                *streak + 1
            } else {
                0
            };
            if *streak > acceleration.grace_periods && !self.accelerated {
                self.accelerated = true;
                self.ledger.event_of_default = self.k;
                let unpaid = self.s.deferred[t];
                let (streak, name) = (*streak, &tranche.name);
                self.trace(
                    (StepList::Accelerated, 0),
                    "event_of_default",
                    Payee::Tranche(t),
                    Money::ZERO,
                    Money::ZERO,
                    Money::ZERO,
                    || {
                        Note::text(format!("{name}'s interest unpaid ("))
                            .amount(unpaid)
                            .then(format!(
                                ") on {streak} payment date(s) in a row: the \
                                 post-acceleration priority applies from the next one"
                            ))
                    },
                );
            }
        }
    }
}
