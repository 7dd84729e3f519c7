//! One path's outcome for every party: its shares of each tranche's cash
//! and of the guarantee's payouts and fees, split to the cent, then valued
//! nominally and at the party's discount rates.

use crate::model::Model;
use std::mem::take;

use crate::money::Money;
use crate::waterfall::{IrrStarts, Ledger, TrancheOutcome, irr_net_of_funding_started};

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

/// Reusable buffers: each party's cash of every period (cells party x
/// (periods + 1) + period), and its dated flows.
#[derive(Debug, Clone, Default)]
pub struct PartyScratch {
    funded: Vec<Money>,
    payout: Vec<Money>,
    reimbursed: Vec<Money>,
    received: Vec<Money>,
    invested: Vec<f64>,
    flows: Vec<Vec<(f64, f64)>>,
    /// Each flow's discount factor at the IRR solver's start.
    first: Vec<Vec<f64>>,
    starts: IrrStarts,
    /// Leave the IRRs out (NaN), for runs that do not read them.
    skip_irr: bool,
}

impl PartyScratch {
    /// Buffers for a run that leaves the IRRs out (NaN) when `skip`.
    pub fn without_irr(skip: bool) -> Self {
        PartyScratch {
            skip_irr: skip,
            ..PartyScratch::default()
        }
    }
}

/// Every party's outcome on the path recorded in `ledger`; `tranches` are
/// the tranches' outcomes on the same path (the IRR of a party holding a
/// share of one tranche is the tranche's).
///
/// The cash is split period by period first, then each party's periods
/// are valued in order: the same sums, in the same order, as valuing every
/// party period by period, with one pass over each party's cells.
pub fn party_outcomes(
    model: &Model,
    ledger: &Ledger,
    tranches: &[TrancheOutcome],
    scratch: &mut PartyScratch,
) -> Vec<PartyOutcome> {
    let parties = &model.parties;
    let n = parties.parties.len();
    let width = ledger.periods() + 1;
    split_cash(model, ledger, width, scratch);
    scratch.invested.clear();
    scratch.invested.resize(n, 0.0);
    scratch.flows.resize_with(n, Vec::new);
    scratch.first.resize_with(n, Vec::new);
    let mut out = Vec::with_capacity(n);
    for (p, party) in parties.parties.iter().enumerate() {
        let cells = p * width..(p + 1) * width;
        let (discount, grant_discount) = (&party.discount[..width], &party.grant_discount[..width]);
        let (flows, first) = (&mut scratch.flows[p], &mut scratch.first[p]);
        flows.clear();
        first.clear();
        let start = scratch.starts.factors(party.discount_rate, &model.calendar);
        let mut o = PartyOutcome {
            paid: Money::ZERO,
            invested: Money::ZERO,
            received: Money::ZERO,
            pv_paid: 0.0,
            pv_received: 0.0,
            grant_cost: 0.0,
            loss: 0.0,
            irr: f64::NAN,
        };
        // Reading a cell zeroes it, so the buffers are all zero for the
        // next path without clearing them.
        let (funded, payout) = (
            &mut scratch.funded[cells.clone()],
            &mut scratch.payout[cells.clone()],
        );
        let reimbursed = &mut scratch.reimbursed[cells.clone()];
        let received = &mut scratch.received[cells];
        let paid_in = -(received[0].as_f64() - funded[0].as_f64());
        for k in 0..width {
            let (funded, payout) = (take(&mut funded[k]), take(&mut payout[k]));
            let (received, reimbursed) = (take(&mut received[k]), take(&mut reimbursed[k]));
            // A period with no cash adds zeros (every sum starts at +0, so
            // adding +0 leaves it as it is): skipping it is exact.
            if k > 0
                && (funded, payout, received, reimbursed)
                    == (Money::ZERO, Money::ZERO, Money::ZERO, Money::ZERO)
            {
                continue;
            }
            let paid = funded + payout;
            o.paid += paid;
            o.invested += funded;
            o.received += received;
            o.pv_paid += paid.as_f64() * discount[k];
            o.pv_received += received.as_f64() * discount[k];
            o.grant_cost += (paid.as_f64() - received.as_f64()) * grant_discount[k];
            o.loss += (payout - reimbursed).as_f64();
            // Dated net cash for the IRR, unless it is a tranche's: what
            // it paid in at closing is the investment, later draws are
            // outflows on their dates.
            let net = received.as_f64() - funded.as_f64();
            if k > 0 && net != 0.0 && party.only_tranche.is_none() {
                flows.push((model.calendar.years_from_start(k), net));
                first.push(start[k]);
            }
        }
        scratch.invested[p] = paid_in;
        o.invested += party.guaranteed;
        out.push(o);
    }
    finish(model, tranches, scratch, &mut out);
    out
}

/// Each party's cash of every period (0: closing), into `scratch`.
fn split_cash(model: &Model, ledger: &Ledger, width: usize, scratch: &mut PartyScratch) {
    let parties = &model.parties;
    let cells = parties.parties.len() * width;
    // The buffers are all zero between paths (reading them zeroes them).
    for column in [
        &mut scratch.funded,
        &mut scratch.payout,
        &mut scratch.reimbursed,
        &mut scratch.received,
    ] {
        if column.len() != cells {
            column.clear();
            column.resize(cells, Money::ZERO);
        }
    }
    let (funded, received) = (&mut scratch.funded, &mut scratch.received);
    for (t, holders) in parties.tranche_holders.iter().enumerate() {
        let rows = ledger.tranche_rows(t);
        for k in 0..width {
            holders.split_each(rows.funded[k], |p, part| funded[p * width + k] += part);
            holders.split_each(rows.cash(k), |p, part| received[p * width + k] += part);
        }
    }
    if let (Some(holders), Some(g)) = (&parties.guarantee_holders, &model.liabilities.guarantee) {
        for k in 0..width {
            let cell = |p: usize| p * width + k;
            let reimbursement = ledger.guarantee_reimbursement(k);
            holders.split_each(ledger.guarantee_payout(k), |p, part| {
                scratch.payout[cell(p)] += part;
            });
            holders.split_each(reimbursement, |p, part| {
                scratch.reimbursed[cell(p)] += part;
                scratch.received[cell(p)] += part;
            });
            if let Some(fee) = g.fee {
                holders.split_each(ledger.fee(fee, k).paid, |p, part| {
                    scratch.received[cell(p)] += part;
                });
            }
        }
    }
}

/// Adds the tranches' principal losses to the losses and sets the IRRs.
fn finish(
    model: &Model,
    tranches: &[TrancheOutcome],
    scratch: &mut PartyScratch,
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
        out[p].irr = if scratch.skip_irr || party.guarantees() || !party.funded.is_positive() {
            f64::NAN
        } else if let Some(t) = party.only_tranche {
            tranches[t].irr
        } else {
            irr_net_of_funding_started(
                scratch.invested[p],
                &mut scratch.flows[p],
                &mut scratch.first[p],
                party.discount_rate,
            )
        };
    }
}
