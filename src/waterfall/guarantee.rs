//! The unfunded guarantee in the waterfall: its payouts (realised losses,
//! up to what is left of its cap) and its reimbursement from later cash.
//!
//! The guarantor pays each default's loss net of its recovery in the
//! recovery period, so a recovery never needs to be handed back; what it
//! paid is owed back to it, without interest, and a
//! `guarantor_reimbursement` step pays it from the cash at that point of
//! its list (excess spread in the interest list, principal proceeds in the
//! principal list). A reimbursement does not reinstate the cap. See
//! docs/waterfall.md.

use crate::money::Money;
use crate::spec::StepList;

use super::interpret::Run;
use super::trace::{Note, Payee, Tracer};

impl<T: Tracer> Run<'_, T> {
    /// The guarantor pays the losses realised this period, up to what is
    /// left of its cap; what it pays is owed back to it.
    pub(super) fn guarantee_payout(&mut self) -> Money {
        if self.liabilities.guarantee.is_none() {
            return Money::ZERO;
        }
        let payout = self.guarantee_left.min(self.s.realised[self.k]);
        self.guarantee_left -= payout;
        self.reimbursement_owed += payout;
        self.ledger.guarantee_payout[self.k] = payout;
        payout
    }

    /// A `guarantor_reimbursement` step: pays the guarantor what it is
    /// owed, as far as the cash goes.
    pub(super) fn reimburse_guarantor(&mut self, at: (StepList, usize), cash: &mut Money) {
        let before = *cash;
        let paid = self.reimbursement_owed.min(*cash);
        *cash -= paid;
        self.reimbursement_owed -= paid;
        self.ledger.guarantee_reimbursement[self.k] += paid;
        let owed = self.reimbursement_owed;
        self.trace(
            at,
            "guarantor_reimbursement",
            Payee::Guarantor,
            before,
            paid,
            *cash,
            || Note::text("owed after: ").amount(owed),
        );
    }
}
