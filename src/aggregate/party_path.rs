//! One path's outcome for every party: its shares of each tranche's cash
//! and of the guarantee's payouts and fees, split to the cent, then valued
//! nominally and at the party's discount rates.

use crate::model::{Model, PartiesModel};
use crate::money::Money;
use crate::waterfall::{Ledger, TrancheOutcome, irr_net_of_funding};

/// What one party paid and received on one path. Amounts in minor units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PartyOutcome {
    /// Cash paid out: its shares of what its tranches paid in (at closing,
    /// and of each draw when funded as drawn) plus its share of the
    /// guarantee's payouts (exact).
    pub paid: Money,
    /// What the multiple divides by: what it paid into its tranches (at
    /// closing and into later draws) plus its share of the guarantee's
    /// cap (a guarantor commits the cap, whatever it pays out).
    pub invested: Money,
    /// Cash received: its shares of tranche payments (with commitment
    /// fees), guarantee fees and the guarantor's reimbursements (exact).
    pub received: Money,
    /// Present value of `paid` at the party's discount rate.
    pub pv_paid: f64,
    /// Present value of `received` at the party's discount rate.
    pub pv_received: f64,
    /// PV of paid less PV of received at the grant-element rate.
    pub grant_cost: f64,
    /// Its shares of the tranches' principal losses (original principal
    /// unpaid at the legal final date) plus its share of guarantee payouts
    /// less its share of their reimbursements.
    pub loss: f64,
    /// Annual IRR of its dated cash (NaN for a party that guarantees).
    pub irr: f64,
}

/// Reusable buffers: each party's cash of one period.
#[derive(Debug, Clone, Default)]
pub struct PartyScratch {
    funded: Vec<Money>,
    payout: Vec<Money>,
    reimbursed: Vec<Money>,
    received: Vec<Money>,
    invested: Vec<f64>,
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
    let mut out: Vec<PartyOutcome> = vec![
        PartyOutcome {
            paid: Money::ZERO,
            invested: Money::ZERO,
            received: Money::ZERO,
            pv_paid: 0.0,
            pv_received: 0.0,
            grant_cost: 0.0,
            loss: 0.0,
            irr: f64::NAN,
        };
        n
    ];
    scratch.invested.clear();
    scratch.invested.resize(n, 0.0);
    scratch.flows.resize_with(n, Vec::new);
    scratch.flows.iter_mut().for_each(Vec::clear);
    for k in 0..=ledger.periods() {
        period_cash(parties, model, ledger, k, scratch);
        let years = model.calendar.years_from_start(k);
        for (p, party) in parties.parties.iter().enumerate() {
            let (funded, payout) = (scratch.funded[p], scratch.payout[p]);
            let (paid, received) = (funded + payout, scratch.received[p]);
            let o = &mut out[p];
            o.paid += paid;
            o.invested += funded;
            o.received += received;
            o.pv_paid += paid.as_f64() * party.discount[k];
            o.pv_received += received.as_f64() * party.discount[k];
            o.grant_cost += (paid.as_f64() - received.as_f64()) * party.grant_discount[k];
            o.loss += (payout - scratch.reimbursed[p]).as_f64();
            // Dated net cash for the IRR, unless it is a tranche's: what
            // it paid in at closing is the investment, later draws are
            // outflows on their dates.
            let net = received.as_f64() - funded.as_f64();
            if k == 0 {
                scratch.invested[p] = -net;
            } else if net != 0.0 && party.only_tranche.is_none() {
                scratch.flows[p].push((years, net));
            }
        }
    }
    for (o, party) in out.iter_mut().zip(&parties.parties) {
        o.invested += party.guaranteed;
    }
    finish(
        model,
        tranches,
        &scratch.invested,
        &mut scratch.flows,
        &mut out,
    );
    out
}

/// Each party's cash of period `k` (0: closing), into `scratch`.
fn period_cash(
    parties: &PartiesModel,
    model: &Model,
    ledger: &Ledger,
    k: usize,
    scratch: &mut PartyScratch,
) {
    let n = parties.parties.len();
    for column in [
        &mut scratch.funded,
        &mut scratch.payout,
        &mut scratch.reimbursed,
        &mut scratch.received,
    ] {
        column.clear();
        column.resize(n, Money::ZERO);
    }
    for (t, holders) in parties.tranche_holders.iter().enumerate() {
        let row = ledger.tranche(t, k);
        holders.split_into(row.funded, &mut scratch.funded);
        holders.split_into(row.cash(), &mut scratch.received);
    }
    if let (Some(holders), Some(g)) = (&parties.guarantee_holders, &model.liabilities.guarantee) {
        holders.split_into(ledger.guarantee_payout(k), &mut scratch.payout);
        holders.split_into(ledger.guarantee_reimbursement(k), &mut scratch.reimbursed);
        holders.split_into(ledger.guarantee_reimbursement(k), &mut scratch.received);
        if let Some(fee) = g.fee {
            holders.split_into(ledger.fee(fee, k).paid, &mut scratch.received);
        }
    }
}

/// Adds the tranches' principal losses to the losses and sets the IRRs.
fn finish(
    model: &Model,
    tranches: &[TrancheOutcome],
    invested: &[f64],
    flows: &mut [Vec<(f64, f64)>],
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
            irr_net_of_funding(invested[p], &mut flows[p], party.discount_rate)
        };
    }
}
