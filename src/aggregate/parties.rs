//! parties.csv's statistics: each party's cash, losses and returns, and
//! for public money what it costs in present value, its grant element and
//! the private capital it mobilises.
//!
//! PV cost is the expected present value, at the party's discount rate, of
//! the cash it pays out less the cash it receives: the net-present-value
//! cost of U.S. credit-subsidy accounting (references section 4). The
//! grant element is the same at the grant-element rate as a share of
//! commitment: (face value - PV of what comes back) / face value, the OECD
//! DAC / IMF definition, on expected rather than contractual cash (on a path
//! without defaults the two agree). Private capital mobilised is every
//! private party's commitment, attributed to the public parties pro rata to
//! their commitments (docs/outputs.md, parties.csv).

use rayon::prelude::*;

use crate::model::Model;
use crate::money::Money;
use crate::spec::PartyKind;

use super::{Estimate, Outcomes, PartyColumns, Weights};

/// The name of the row that adds up every public party.
pub const PUBLIC_TOTAL: &str = "public";

/// One row of parties.csv. Amounts in currency units.
#[derive(Debug, Clone, PartialEq)]
pub struct PartySummary {
    /// Party name, or [`PUBLIC_TOTAL`].
    pub party: String,
    /// Its kind (`None` for the public total).
    pub kind: Option<PartyKind>,
    /// Whether its money is public.
    pub public: bool,
    /// Annual discount rate (NaN for the public total, whose parties may
    /// differ).
    pub discount_rate: f64,
    /// Funded holdings plus guaranteed amounts (exact).
    pub commitment: Money,
    /// Expected cash paid out (nominal).
    pub cash_paid: f64,
    /// Expected cash received (nominal).
    pub cash_received: f64,
    /// Expected PV of cash paid out.
    pub pv_paid: Estimate,
    /// Expected PV of cash received.
    pub pv_received: Estimate,
    /// Expected loss (unpaid holdings and guarantee payouts).
    pub expected_loss: Estimate,
    /// Probability of a loss of at least one minor unit.
    pub prob_loss: Estimate,
    /// IRR quantiles at 5%, 50%, 95% (NaN when undefined).
    pub irr: [f64; 3],
    /// Mean of cash received / amount invested (paid into tranches, plus
    /// the guaranteed share of the cap), as a tranche's multiple.
    pub moic: Estimate,
    /// PV cost (public parties; NaN for private ones).
    pub pv_cost: Estimate,
    /// PV cost / commitment.
    pub pv_cost_share: Estimate,
    /// Grant element: PV cost at the grant-element rate / commitment.
    pub grant_element: Estimate,
    /// Private capital mobilised, attributed to this party.
    pub mobilised: f64,
    /// Mobilised / commitment.
    pub leverage: f64,
    /// PV cost per unit of private capital mobilised.
    pub pv_cost_per_private: Estimate,
}

/// Every party's row, then (when there is public money) the public total.
pub fn summarise_parties(model: &Model, outcomes: &Outcomes, unit: f64) -> Vec<PartySummary> {
    let parties = &model.parties.parties;
    let commitment = |public: bool| -> i64 {
        (parties.iter().filter(|p| p.public == public))
            .map(|p| p.commitment().minor())
            .sum()
    };
    let (public, private) = (commitment(true), commitment(false));
    let weights = Weights::of(&outcomes.weights);
    // Each party's row is one thread's work, in path order; the rows and
    // the public total are independent, so they run side by side.
    let (mut rows, total) = rayon::join(
        || {
            (parties.par_iter().zip(outcomes.parties.par_iter()))
                .map(|(party, columns)| {
                    let mut row = summarise_one(columns, party.commitment(), weights, unit);
                    row.party = party.name.clone();
                    row.kind = Some(party.kind);
                    row.public = party.public;
                    row.discount_rate = party.discount_rate;
                    let mobilised =
                        private as f64 * party.commitment().minor() as f64 / public as f64;
                    costs(&mut row, party.public, mobilised * unit, unit);
                    row
                })
                .collect::<Vec<PartySummary>>()
        },
        || {
            (public > 0 && !outcomes.parties.is_empty()).then(|| {
                let columns = public_total(model, outcomes);
                let mut row = summarise_one(&columns, Money::from_minor(public), weights, unit);
                row.party = PUBLIC_TOTAL.to_owned();
                row.public = true;
                costs(&mut row, true, private as f64 * unit, unit);
                row
            })
        },
    );
    rows.extend(total);
    rows
}

/// Adds the public parties' columns path by path.
fn public_total(model: &Model, outcomes: &Outcomes) -> PartyColumns {
    let mut total = PartyColumns::default();
    let public: Vec<&PartyColumns> = (model.parties.parties.iter())
        .zip(&outcomes.parties)
        .filter(|(p, _)| p.public)
        .map(|(_, c)| c)
        .collect();
    let sum = |pick: fn(&PartyColumns) -> &Vec<f64>| -> Vec<f64> {
        (0..outcomes.paths())
            .map(|i| public.iter().map(|c| pick(c)[i]).sum())
            .collect()
    };
    total.pv_paid = sum(|c| &c.pv_paid);
    total.pv_received = sum(|c| &c.pv_received);
    total.grant_cost = sum(|c| &c.grant_cost);
    total.loss = sum(|c| &c.loss);
    total.received = sum(|c| &c.received);
    total.invested = sum(|c| &c.invested);
    total.irr = vec![f64::NAN; outcomes.paths()];
    total.paid_sum = public.iter().map(|c| c.paid_sum).sum();
    total.received_sum = public.iter().map(|c| c.received_sum).sum();
    total
}

/// The statistics of one party's columns (mobilisation left undefined);
/// under importance sampling the weighted estimators (docs/model.md,
/// "Importance sampling"): losses, present values and probabilities as
/// `(1/n) sum w x`, the multiple as a ratio of weighted sums, the IRR
/// quantiles from the weighted distribution function.
fn summarise_one(c: &PartyColumns, commitment: Money, w: Weights, unit: f64) -> PartySummary {
    let scaled = |e: Estimate, by: f64| Estimate {
        mean: e.mean * by,
        se: e.se * by,
    };
    let paths = c.loss.len();
    let committed = commitment.as_f64();
    let irr = w.sorted(&c.irr);
    // Per amount invested, as a tranche's multiple: with funding as drawn
    // a party pays in less than its commitment when draws are cancelled.
    let multiple: Vec<f64> = (c.received.iter().zip(&c.invested))
        .map(|(r, i)| if *i > 0.0 { r / i } else { f64::NAN })
        .collect();
    // A loss of at least one minor unit (shares of unpaid balances are
    // fractions of a unit).
    let lost: Vec<f64> = (c.loss.iter())
        .map(|&l| if l >= 1.0 { 1.0 } else { 0.0 })
        .collect();
    let net: Vec<f64> = (c.pv_paid.iter().zip(&c.pv_received))
        .map(|(paid, received)| paid - received)
        .collect();
    let pv_cost = w.mean(&net);
    PartySummary {
        party: String::new(),
        kind: None,
        public: false,
        discount_rate: f64::NAN,
        commitment,
        cash_paid: w.sum_mean(c.paid_sum, paths) * unit,
        cash_received: w.sum_mean(c.received_sum, paths) * unit,
        pv_paid: scaled(w.mean(&c.pv_paid), unit),
        pv_received: scaled(w.mean(&c.pv_received), unit),
        expected_loss: scaled(w.mean(&c.loss), unit),
        prob_loss: w.mean(&lost),
        irr: [0.05, 0.5, 0.95].map(|p| irr.irr_quantile(p)),
        moic: w.ratio_mean(&multiple),
        pv_cost: scaled(pv_cost, unit),
        pv_cost_share: scaled(pv_cost, 1.0 / committed),
        grant_element: scaled(w.mean(&c.grant_cost), 1.0 / committed),
        mobilised: f64::NAN,
        leverage: f64::NAN,
        pv_cost_per_private: Estimate::UNDEFINED,
    }
}

/// Mobilisation of a public row (`mobilised` in currency units); a private
/// row has no cost measures.
fn costs(row: &mut PartySummary, public: bool, mobilised: f64, unit: f64) {
    if !public {
        row.pv_cost = Estimate::UNDEFINED;
        row.pv_cost_share = Estimate::UNDEFINED;
        row.grant_element = Estimate::UNDEFINED;
        return;
    }
    row.mobilised = mobilised;
    row.leverage = mobilised / (row.commitment.as_f64() * unit);
    // Mobilisation is a fixed amount, so the ratio's standard error is the
    // PV cost's scaled by it.
    row.pv_cost_per_private = Estimate {
        mean: row.pv_cost.mean / mobilised,
        se: row.pv_cost.se / mobilised,
    };
}
