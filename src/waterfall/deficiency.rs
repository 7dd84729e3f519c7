//! The principal deficiency ledger (PDL): its per-period debits, prepared
//! from the pool path before the waterfall runs, and its cure step.
//!
//! The PDL records principal lost and not yet made good from cash: it is
//! debited with written-off principal, net of recoveries (when received,
//! or at default by the assumed recovery with the difference on receipt),
//! and credited by guarantee payouts and by cures. Its balance is charged
//! to the tranches from the most junior up, each sub-ledger at most the
//! tranche's balance; a `pdl` step pays interest proceeds into the
//! principal proceeds to clear a tranche's sub-ledger (or the whole
//! ledger, most senior first). See docs/waterfall.md.

use crate::model::{Liabilities, PdlModel};
use crate::money::Money;
use crate::simulate::{DefaultEvent, PoolPath, recovered_amount};
use crate::spec::StepList;

use super::interpret::Run;
use super::scratch::Scratch;
use super::trace::{Note, Payee, Tracer};

/// The amount assumed recovered on `event` at the rate `rates[loan]`,
/// never more than its exposure.
fn assumed_recovery(event: &DefaultEvent, rates: &[f64]) -> Money {
    recovered_amount(event.exposure, rates[event.loan]).min(event.exposure)
}

/// Fills the scratch's per-period PDL debits (signed: a recovery above
/// the amount assumed is a credit); empty without a PDL.
pub(super) fn prepare(liabilities: &Liabilities, pool: &PoolPath, periods: usize, s: &mut Scratch) {
    s.pdl_debit.clear();
    if let Some(pdl) = &liabilities.pdl {
        s.pdl_debit.resize(periods + 1, Money::ZERO);
        for event in &pool.defaults {
            debit(pdl, event, &mut s.pdl_debit);
        }
    }
}

/// Adds one default's debits: the exposure at default and the recovery as
/// a credit when received, or with an assumed recovery the exposure less
/// it at default and the assumed less the actual recovery on receipt.
fn debit(pdl: &PdlModel, event: &DefaultEvent, debits: &mut [Money]) {
    match &pdl.assumed_recovery {
        None => {
            debits[event.period] += event.exposure;
            debits[event.recovery_period] -= event.recovery;
        }
        Some(rates) => {
            let assumed = assumed_recovery(event, rates);
            debits[event.period] += event.exposure - assumed;
            debits[event.recovery_period] += assumed - event.recovery;
        }
    }
}

impl<T: Tracer> Run<'_, T> {
    /// Books this period's debits and the guarantee payout (cash that
    /// makes losses good) on the PDL, which never goes below zero.
    pub(super) fn book_pdl(&mut self, payout: Money) {
        if self.s.pdl_debit.is_empty() {
            return;
        }
        self.pdl = (self.pdl + self.s.pdl_debit[self.k] - payout).max(Money::ZERO);
    }

    /// What the PDL charges to tranche `t` and every tranche senior to it
    /// now: the ledger less what the tranches junior to `t` absorb, between
    /// zero and those tranches' balances. The seniors count because the
    /// ledger is charged junior first, so a cure credits the most senior
    /// charged tranche first: a step for `t` that stopped at `t`'s own
    /// charge while a senior was charged would cure the senior's
    /// sub-ledger and leave `t`'s (and cash) uncleared. `None`: the whole
    /// ledger, at most every tranche's balance.
    pub(super) fn pdl_charged(&self, tranche: Option<usize>) -> Money {
        let balances = &self.s.balance;
        match tranche {
            None => {
                let owed: Money = balances.iter().copied().sum();
                self.pdl.min(owed)
            }
            Some(t) => {
                let junior: Money = balances[t + 1..].iter().copied().sum();
                let senior: Money = balances[..=t].iter().copied().sum();
                (self.pdl - junior).max(Money::ZERO).min(senior)
            }
        }
    }

    /// A `pdl` step: interest proceeds clear what the PDL charges to the
    /// tranche (or to all), paid into the principal proceeds.
    pub(super) fn cure_pdl(
        &mut self,
        at: (StepList, usize),
        tranche: Option<usize>,
        cash: &mut Money,
    ) {
        // A clear ledger charges nothing to anyone: the cure is zero (most
        // periods of most paths), so only a trace needs the step.
        if !T::ACTIVE && self.pdl == Money::ZERO {
            return;
        }
        // A loss beyond every tranche's balance (the pool paid down ahead
        // of the tranches, by excess spread) is charged to no tranche: kept,
        // a cure of a tranche's whole charge would only shrink that excess
        // and leave the tranche charged.
        self.pdl = self.pdl_charged(None);
        let before = *cash;
        let cure = self.pdl_charged(tranche).min(*cash);
        *cash -= cure;
        self.pdl -= cure;
        self.principal_proceeds += cure;
        self.ledger.pdl_cure[self.k] += cure;
        let left = self.pdl_charged(tranche);
        let payee = tranche.map_or(Payee::Pdl, Payee::Tranche);
        self.trace(at, "pdl", payee, before, cure, *cash, || {
            Note::text("paid into the principal proceeds; charged after: ").amount(left)
        });
    }

    /// Whether a residual in the interest list must first clear the PDL.
    pub(super) fn residual_waits_for_pdl(&self) -> bool {
        self.liabilities
            .pdl
            .as_ref()
            .is_some_and(|p| p.residual_after_cure)
    }
}
