//! One path's outcome for every party: its shares of each tranche's cash
//! and of the guarantee's payouts and fees, split to the cent, then valued
//! nominally and at the party's discount rates.

use crate::model::{Model, PartiesModel};
use crate::money::Money;
use crate::waterfall::{Ledger, TrancheOutcome, irr_from};

/// What one party paid and received on one path. Amounts in minor units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PartyOutcome {
    /// Cash paid out: its funded holdings at closing plus its share of the
    /// guarantee's payouts (exact).
    pub paid: Money,
    /// Cash received: its shares of tranche payments and guarantee fees
    /// (exact).
    pub received: Money,
    /// Present value of `paid` at the party's discount rate.
    pub pv_paid: f64,
    /// Present value of `received` at the party's discount rate.
    pub pv_received: f64,
    /// PV of paid less PV of received at the grant-element rate.
    pub grant_cost: f64,
    /// Its shares of the tranches' principal losses (original principal
    /// unpaid at the legal final date) plus its share of guarantee payouts.
    pub loss: f64,
    /// Annual IRR of its dated cash (NaN for a party that guarantees).
    pub irr: f64,
}

/// Reusable buffers: each party's paid and received cash of one period.
#[derive(Debug, Clone, Default)]
pub struct PartyScratch {
    paid: Vec<Money>,
    received: Vec<Money>,
    flows: Vec<Vec<(f64, f64)>>,
}

/// Every party's outcome on the path recorded in `ledger`; `tranches` are
/// the tranches' outcomes on the same path (the IRR of a party holding a
/// share of one tranche is the tranche's).
pub fn party_outcomes(
    model: &Model,
    ledger: &Ledger,
    tranches: &[TrancheOutcome],
    scratch: &mut PartyScratch,
) -> Vec<PartyOutcome> {
    let parties = &model.parties;
    let n = parties.parties.len();
    let mut out: Vec<PartyOutcome> = parties
        .parties
        .iter()
        .map(|p| PartyOutcome {
            paid: p.funded,
            received: Money::ZERO,
            pv_paid: p.funded.as_f64(),
            pv_received: 0.0,
            grant_cost: p.funded.as_f64(),
            loss: 0.0,
            irr: f64::NAN,
        })
        .collect();
    scratch.flows.resize_with(n, Vec::new);
    scratch.flows.iter_mut().for_each(Vec::clear);
    for k in 1..=ledger.periods() {
        period_cash(parties, model, ledger, k, scratch);
        let years = model.calendar.years_from_start(k);
        for (p, party) in parties.parties.iter().enumerate() {
            let (paid, received) = (scratch.paid[p], scratch.received[p]);
            let o = &mut out[p];
            o.paid += paid;
            o.received += received;
            o.pv_paid += paid.as_f64() * party.discount[k];
            o.pv_received += received.as_f64() * party.discount[k];
            o.grant_cost += (paid.as_f64() - received.as_f64()) * party.grant_discount[k];
            o.loss += paid.as_f64();
            // Dated cash for the IRR, unless it is a tranche's.
            if received.is_positive() && party.only_tranche.is_none() {
                scratch.flows[p].push((years, received.as_f64()));
            }
        }
    }
    finish(model, tranches, &scratch.flows, &mut out);
    out
}

/// Each party's paid and received cash of period `k`, into `scratch`.
fn period_cash(
    parties: &PartiesModel,
    model: &Model,
    ledger: &Ledger,
    k: usize,
    scratch: &mut PartyScratch,
) {
    let n = parties.parties.len();
    scratch.paid.clear();
    scratch.paid.resize(n, Money::ZERO);
    scratch.received.clear();
    scratch.received.resize(n, Money::ZERO);
    for (t, holders) in parties.tranche_holders.iter().enumerate() {
        holders.split_into(ledger.tranche(t, k).cash(), &mut scratch.received);
    }
    if let (Some(holders), Some(g)) = (&parties.guarantee_holders, &model.liabilities.guarantee) {
        holders.split_into(ledger.guarantee_payout(k), &mut scratch.paid);
        if let Some(fee) = g.fee {
            holders.split_into(ledger.fee(fee, k).paid, &mut scratch.received);
        }
    }
}

/// Adds the tranches' principal losses to the losses and sets the IRRs.
fn finish(
    model: &Model,
    tranches: &[TrancheOutcome],
    flows: &[Vec<(f64, f64)>],
    out: &mut [PartyOutcome],
) {
    let parties = &model.parties;
    for (t, holders) in parties.tranche_holders.iter().enumerate() {
        // The tranche's principal loss (original principal unpaid at the
        // legal final date, summary.csv's), as a fraction of its notional.
        let lost = tranches[t].loss;
        for &(p, amount) in &holders.shares {
            out[p].loss += lost * amount.as_f64();
        }
    }
    for (p, party) in parties.parties.iter().enumerate() {
        // A funded party's IRR; a guarantor invests nothing up front, so
        // its IRR is undefined (as the guarantee's row of summary.csv).
        out[p].irr = if party.guarantees() || !party.funded.is_positive() {
            f64::NAN
        } else if let Some(t) = party.only_tranche {
            tranches[t].irr
        } else {
            irr_from(party.funded.as_f64(), &flows[p], party.discount_rate)
        };
    }
}
