//! parties.csv: one row per party (and one for the public side as a
//! whole): what it commits, pays and receives, what it can lose and earn,
//! and for public money its PV cost, grant element and the private capital
//! it mobilises. Its columns are defined here, once.

use std::io::{self, Write};

use super::columns::{Column, Unit, Value, write_columns};
use super::{Report, RunReport};
use crate::aggregate::PartySummary;

/// A column of parties.csv.
pub type PartyColumn = Column<PartySummary>;

/// `party`.
pub const PARTY: PartyColumn = Column {
    name: "party",
    unit: Unit::Text,
    description: "party name, or `public` for the row adding up every public party",
    value: |s| Value::Name(s.party.clone()),
};
/// `kind`.
pub const KIND: PartyColumn = Column {
    name: "kind",
    unit: Unit::Text,
    description: "mdb_trust_fund_grant, development_finance_institution, export_credit_agency, msp_member_government, institutional_investor, or unspecified (a facility without parties); empty for the public row",
    value: |s| s.kind.map_or(Value::Empty, |k| Value::Word(k.as_str())),
};
/// `public`.
pub const PUBLIC: PartyColumn = Column {
    name: "public",
    unit: Unit::Text,
    description: "true for public money",
    value: |s| Value::Word(if s.public { "true" } else { "false" }),
};
/// `discount_rate`.
pub const DISCOUNT_RATE: PartyColumn = Column {
    name: "discount_rate",
    unit: Unit::AnnualRate,
    description: "the rate the party values cash at (empty for the public row)",
    value: |s| Value::Float(s.discount_rate),
};
/// `commitment`.
pub const COMMITMENT: PartyColumn = Column {
    name: "commitment",
    unit: Unit::Currency,
    description: "shares of tranches held plus shares of the guarantee's cap provided, exact",
    value: |s| Value::Money(s.commitment),
};
/// `cash_paid`.
pub const CASH_PAID: PartyColumn = Column {
    name: "cash_paid",
    unit: Unit::Currency,
    description: "expected cash paid out: holdings funded at closing plus guarantee payouts (exact sums over paths / paths)",
    value: |s| Value::Float(s.cash_paid),
};
/// `cash_received`.
pub const CASH_RECEIVED: PartyColumn = Column {
    name: "cash_received",
    unit: Unit::Currency,
    description: "expected cash received: shares of tranche interest, principal and residual, and of guarantee fees",
    value: |s| Value::Float(s.cash_received),
};
/// `pv_paid`.
pub const PV_PAID: PartyColumn = Column {
    name: "pv_paid",
    unit: Unit::Currency,
    description: "expected present value of cash paid out at discount_rate (to the closing date)",
    value: |s| Value::Float(s.pv_paid.mean),
};
/// `pv_received`.
pub const PV_RECEIVED: PartyColumn = Column {
    name: "pv_received",
    unit: Unit::Currency,
    description: "expected present value of cash received at discount_rate",
    value: |s| Value::Float(s.pv_received.mean),
};
/// `expected_loss`.
pub const EXPECTED_LOSS: PartyColumn = Column {
    name: "expected_loss",
    unit: Unit::Currency,
    description: "mean of the party's shares of the tranches' principal losses (original principal unpaid at the legal final date, as summary.csv's expected_loss) plus its guarantee payouts",
    value: |s| Value::Float(s.expected_loss.mean),
};
/// `expected_loss_se`.
pub const EXPECTED_LOSS_SE: PartyColumn = Column {
    name: "expected_loss_se",
    unit: Unit::Currency,
    description: "standard error of expected_loss",
    value: |s| Value::Float(s.expected_loss.se),
};
/// `prob_loss`.
pub const PROB_LOSS: PartyColumn = Column {
    name: "prob_loss",
    unit: Unit::Probability,
    description: "share of paths on which that loss is at least one minor unit",
    value: |s| Value::Float(s.prob_loss.mean),
};
/// `prob_loss_se`.
pub const PROB_LOSS_SE: PartyColumn = Column {
    name: "prob_loss_se",
    unit: Unit::Probability,
    description: "standard error of prob_loss",
    value: |s| Value::Float(s.prob_loss.se),
};
/// `irr_p05`.
pub const IRR_P05: PartyColumn = Column {
    name: "irr_p05",
    unit: Unit::AnnualRate,
    description: "5% quantile of the IRR of the party's dated cash (funded parties; empty for a party that guarantees)",
    value: |s| Value::Float(s.irr[0]),
};
/// `irr_p50`.
pub const IRR_P50: PartyColumn = Column {
    name: "irr_p50",
    unit: Unit::AnnualRate,
    description: "median IRR",
    value: |s| Value::Float(s.irr[1]),
};
/// `irr_p95`.
pub const IRR_P95: PartyColumn = Column {
    name: "irr_p95",
    unit: Unit::AnnualRate,
    description: "95% quantile of the IRR",
    value: |s| Value::Float(s.irr[2]),
};
/// `moic_mean`.
pub const MOIC_MEAN: PartyColumn = Column {
    name: "moic_mean",
    unit: Unit::Multiple,
    description: "mean of cash received / amount invested (paid into its tranches, at closing and into later draws, plus its share of the guarantee's cap), as a tranche's moic_mean",
    value: |s| Value::Float(s.moic.mean),
};
/// `moic_mean_se`.
pub const MOIC_MEAN_SE: PartyColumn = Column {
    name: "moic_mean_se",
    unit: Unit::Multiple,
    description: "standard error of moic_mean",
    value: |s| Value::Float(s.moic.se),
};
/// `pv_cost`.
pub const PV_COST: PartyColumn = Column {
    name: "pv_cost",
    unit: Unit::Currency,
    description: "public parties: expected PV at discount_rate of cash paid out less cash received (the net-present-value cost a budget office scores); negative when the party expects a gain",
    value: |s| Value::Float(s.pv_cost.mean),
};
/// `pv_cost_se`.
pub const PV_COST_SE: PartyColumn = Column {
    name: "pv_cost_se",
    unit: Unit::Currency,
    description: "standard error of pv_cost",
    value: |s| Value::Float(s.pv_cost.se),
};
/// `pv_cost_share`.
pub const PV_COST_SHARE: PartyColumn = Column {
    name: "pv_cost_share",
    unit: Unit::Fraction,
    description: "pv_cost / commitment",
    value: |s| Value::Float(s.pv_cost_share.mean),
};
/// `pv_cost_share_se`.
pub const PV_COST_SHARE_SE: PartyColumn = Column {
    name: "pv_cost_share_se",
    unit: Unit::Fraction,
    description: "standard error of pv_cost_share",
    value: |s| Value::Float(s.pv_cost_share.se),
};
/// `grant_element`.
pub const GRANT_ELEMENT: PartyColumn = Column {
    name: "grant_element",
    unit: Unit::Fraction,
    description: "public parties: (commitment - expected PV of what comes back, net of payouts) / commitment, at the party's grant_element_rate (OECD DAC / IMF definition, on expected cash)",
    value: |s| Value::Float(s.grant_element.mean),
};
/// `grant_element_se`.
pub const GRANT_ELEMENT_SE: PartyColumn = Column {
    name: "grant_element_se",
    unit: Unit::Fraction,
    description: "standard error of grant_element",
    value: |s| Value::Float(s.grant_element.se),
};
/// `private_mobilised`.
pub const PRIVATE_MOBILISED: PartyColumn = Column {
    name: "private_mobilised",
    unit: Unit::Currency,
    description: "public parties: private parties' commitments attributed to this party pro rata to public commitments",
    value: |s| Value::Float(s.mobilised),
};
/// `leverage`.
pub const LEVERAGE: PartyColumn = Column {
    name: "leverage",
    unit: Unit::Ratio,
    description: "private_mobilised / commitment",
    value: |s| Value::Float(s.leverage),
};
/// `pv_cost_per_private`.
pub const PV_COST_PER_PRIVATE: PartyColumn = Column {
    name: "pv_cost_per_private",
    unit: Unit::Ratio,
    description: "pv_cost / private_mobilised: PV public cost per unit of private capital mobilised",
    value: |s| Value::Float(s.pv_cost_per_private.mean),
};
/// `pv_cost_per_private_se`.
pub const PV_COST_PER_PRIVATE_SE: PartyColumn = Column {
    name: "pv_cost_per_private_se",
    unit: Unit::Ratio,
    description: "standard error of pv_cost_per_private (pv_cost_se / private_mobilised)",
    value: |s| Value::Float(s.pv_cost_per_private.se),
};

/// The columns of parties.csv, in order.
pub const COLUMNS: [&PartyColumn; 28] = [
    &PARTY,
    &KIND,
    &PUBLIC,
    &DISCOUNT_RATE,
    &COMMITMENT,
    &CASH_PAID,
    &CASH_RECEIVED,
    &PV_PAID,
    &PV_RECEIVED,
    &EXPECTED_LOSS,
    &EXPECTED_LOSS_SE,
    &PROB_LOSS,
    &PROB_LOSS_SE,
    &IRR_P05,
    &IRR_P50,
    &IRR_P95,
    &MOIC_MEAN,
    &MOIC_MEAN_SE,
    &PV_COST,
    &PV_COST_SE,
    &PV_COST_SHARE,
    &PV_COST_SHARE_SE,
    &GRANT_ELEMENT,
    &GRANT_ELEMENT_SE,
    &PRIVATE_MOBILISED,
    &LEVERAGE,
    &PV_COST_PER_PRIVATE,
    &PV_COST_PER_PRIVATE_SE,
];

/// Writes parties.csv.
pub struct PartiesCsv;

impl Report for PartiesCsv {
    fn file_name(&self) -> &'static str {
        "parties.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        let digits = run.model.currency.minor_digits;
        write_columns(out, &COLUMNS, &run.pack.parties, digits)
    }
}
