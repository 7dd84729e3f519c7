//! cashflows.csv: expected cash flows per period and party, averaged over
//! paths.

use std::io::{self, Write};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::model::Model;
use crate::waterfall::{CashflowSums, fixed_mean};

use super::columns::{Column, Unit, Value, write_columns};
use super::{Report, RunReport};

/// One row of cashflows.csv: a party in a period. Amounts are means over
/// paths in currency units; [`Value::Empty`] where a column does not apply
/// to the party's kind.
pub struct CashflowRow {
    /// Period, 1..K.
    pub period: usize,
    /// Its payment date.
    pub date: NaiveDate,
    /// Tranche, fee, reserve or guarantee name, or `pool`, `pdl`,
    /// `ramp_up_account`.
    pub party: String,
    /// `tranche`, `fee`, `reserve`, `guarantee`, `pool`, `pdl` or
    /// `ramp_up_account`.
    pub kind: &'static str,
    /// Interest (or fee) paid; a reserve's net deposit; the pool's
    /// interest collected; a PDL cure; the ramp-up account's interest.
    pub interest_paid: Value,
    /// Principal paid; minus a guarantee's payout; the pool's scheduled
    /// principal collected; the ramp-up account's release.
    pub principal_paid: Value,
    /// Residual paid.
    pub residual_paid: Value,
    /// Balance after the period (a fee's unpaid amount, a guarantee's
    /// undrawn cap).
    pub balance_end: Value,
    /// Interest (or fee) due but unpaid.
    pub shortfall: Value,
    /// Share of paths with a shortfall in the period.
    pub shortfall_share: Value,
    /// A tranche's commitment fee received.
    pub commitment_fee: Value,
    /// Cash a tranche paid in: its share of the period's loan draws when
    /// funded as drawn; the pool's draws; what the ramp-up account lent.
    pub funded: Value,
    /// The pool's recoveries collected.
    pub recoveries: Value,
    /// The pool's principal written off at default.
    pub defaulted: Value,
    /// What the guarantor was reimbursed of its payouts.
    pub reimbursed: Value,
}

/// A column of cashflows.csv.
pub type CashflowColumn = Column<CashflowRow>;

/// The columns of cashflows.csv, in order.
pub const COLUMNS: [&CashflowColumn; 15] = [
    &Column {
        name: "period",
        unit: Unit::Index,
        description: "period, 1..K",
        value: |r| Value::Count(r.period as u64),
    },
    &Column {
        name: "date",
        unit: Unit::Date,
        description: "payment date of the period",
        value: |r| Value::Date(r.date),
    },
    &Column {
        name: "party",
        unit: Unit::Text,
        description: "tranche, fee, reserve or guarantee name; pool, pdl or ramp_up_account",
        value: |r| Value::Name(r.party.clone()),
    },
    &Column {
        name: "kind",
        unit: Unit::Text,
        description: "tranche, fee, reserve, guarantee, pool (the loans), pdl (principal deficiency ledger) or ramp_up_account",
        value: |r| Value::Word(r.kind),
    },
    &Column {
        name: "interest_paid",
        unit: Unit::Currency,
        description: "interest or fee paid; a reserve's net deposit; the pool's interest collected; a PDL cure (interest proceeds paid into the principal proceeds); the ramp-up account's interest",
        value: |r| r.interest_paid.clone(),
    },
    &Column {
        name: "principal_paid",
        unit: Unit::Currency,
        description: "principal paid; minus a guarantee's payout; the pool's scheduled principal collected; the ramp-up account's cash released into the principal proceeds (cancelled draws)",
        value: |r| r.principal_paid.clone(),
    },
    &Column {
        name: "residual_paid",
        unit: Unit::Currency,
        description: "residual paid",
        value: |r| r.residual_paid.clone(),
    },
    &Column {
        name: "balance_end",
        unit: Unit::Currency,
        description: "balance after the period (a fee's unpaid amount, a guarantee's undrawn cap, the PDL charged to tranches, the ramp-up account's cash)",
        value: |r| r.balance_end.clone(),
    },
    &Column {
        name: "shortfall",
        unit: Unit::Currency,
        description: "interest or fee due but unpaid",
        value: |r| r.shortfall.clone(),
    },
    &Column {
        name: "shortfall_share",
        unit: Unit::Probability,
        description: "share of paths with a shortfall in the period",
        value: |r| r.shortfall_share.clone(),
    },
    &Column {
        name: "commitment_fee",
        unit: Unit::Currency,
        description: "a tranche's commitment fee received on its undrawn commitment",
        value: |r| r.commitment_fee.clone(),
    },
    &Column {
        name: "funded",
        unit: Unit::Currency,
        description: "cash a tranche paid in: its share of the period's loan draws when funded as drawn (funding at closing is not a period's); the pool's loan draws; the ramp-up account's cash lent to loans",
        value: |r| r.funded.clone(),
    },
    &Column {
        name: "recoveries",
        unit: Unit::Currency,
        description: "the pool's recoveries collected",
        value: |r| r.recoveries.clone(),
    },
    &Column {
        name: "defaulted",
        unit: Unit::Currency,
        description: "the pool's principal written off at default (exposure at default)",
        value: |r| r.defaulted.clone(),
    },
    &Column {
        name: "reimbursed",
        unit: Unit::Currency,
        description: "paid to the guarantor as reimbursement of its payouts",
        value: |r| r.reimbursed.clone(),
    },
];

/// Writes cashflows.csv.
pub struct CashflowsCsv;

/// Formats expected amounts: a sum of minor units over paths, divided by the
/// number of paths, in currency units with two more decimals than the
/// currency's minor unit. Under importance sampling the sums are of
/// amounts times the paths' fixed-point weights (`WEIGHT_ONE` per unit),
/// and the mean is the weighted one, `(1/n) sum w_i x_i`.
struct Means<'a> {
    sums: &'a CashflowSums,
    digits: u32,
}

impl Means<'_> {
    fn amount(&self, sum: i128) -> Value {
        let paths = self.sums.paths.max(1);
        let mean = if self.sums.is_weighted() {
            weighted_mean(sum, paths, self.digits)
        } else {
            Decimal::from_i128_with_scale(sum, self.digits) / Decimal::from(paths)
        };
        Value::Decimal(mean.round_dp(self.digits + 2).normalize())
    }
}

/// `sum / paths` of a weighted sum, in currency units: the quotient in
/// units of 10^-12 of a minor unit, truncated (far below the two extra
/// decimals written, and on the same side of a rounding midpoint as the
/// exact mean for up to 10^9 paths, so weights all 1 give the plain
/// file's bytes). A quotient too large for a decimal goes through f64.
fn weighted_mean(sum: i128, paths: u64, digits: u32) -> Decimal {
    let quotient = sum.div_euclid(i128::from(paths));
    Decimal::try_from_i128_with_scale(quotient, digits + 12).unwrap_or_else(|_| {
        let mean = fixed_mean(sum, paths) / 10f64.powi(digits as i32);
        Decimal::try_from(mean).unwrap_or_default()
    })
}

/// A row of period `k` for `party`, every amount empty.
fn blank(k: usize, date: NaiveDate, party: &str, kind: &'static str) -> CashflowRow {
    CashflowRow {
        period: k,
        date,
        party: party.to_owned(),
        kind,
        interest_paid: Value::Empty,
        principal_paid: Value::Empty,
        residual_paid: Value::Empty,
        balance_end: Value::Empty,
        shortfall: Value::Empty,
        shortfall_share: Value::Empty,
        commitment_fee: Value::Empty,
        funded: Value::Empty,
        recoveries: Value::Empty,
        defaulted: Value::Empty,
        reimbursed: Value::Empty,
    }
}

/// Every party's row of period `k`: the pool, tranches, fees, reserves,
/// guarantor, PDL and ramp-up account.
fn rows(model: &Model, sums: &CashflowSums, k: usize) -> Vec<CashflowRow> {
    let means = Means {
        sums,
        digits: model.currency.minor_digits,
    };
    let date = model.calendar.date(k);
    let l = &model.liabilities;
    let [interest, principal, recoveries, defaulted, draws] = &sums.pool;
    let mut out = vec![CashflowRow {
        interest_paid: means.amount(interest[k]),
        principal_paid: means.amount(principal[k]),
        recoveries: means.amount(recoveries[k]),
        defaulted: means.amount(defaulted[k]),
        funded: means.amount(draws[k]),
        ..blank(k, date, "pool", "pool")
    }];
    for (t, tranche) in l.tranches.iter().enumerate() {
        let i = sums.cell(t, k);
        let [
            interest,
            principal,
            residual,
            balance,
            shortfall,
            commitment_fee,
            funded,
        ] = &sums.tranche;
        out.push(CashflowRow {
            interest_paid: means.amount(interest[i]),
            principal_paid: means.amount(principal[i]),
            residual_paid: means.amount(residual[i]),
            balance_end: means.amount(balance[i]),
            shortfall: means.amount(shortfall[i]),
            shortfall_share: Value::Float(sums.shortfall_share(false, i)),
            commitment_fee: means.amount(commitment_fee[i]),
            funded: means.amount(funded[i]),
            ..blank(k, date, &tranche.name, "tranche")
        });
    }
    for (f, fee) in l.fees.iter().enumerate() {
        let i = sums.cell(f, k);
        out.push(CashflowRow {
            interest_paid: means.amount(sums.fee[0][i]),
            balance_end: means.amount(sums.fee[1][i]),
            shortfall: means.amount(sums.fee[1][i]),
            shortfall_share: Value::Float(sums.shortfall_share(true, i)),
            ..blank(k, date, &fee.name, "fee")
        });
    }
    for (r, reserve) in l.reserves.iter().enumerate() {
        let i = sums.cell(r, k);
        let [deposits, withdrawals, balance] = &sums.reserve;
        out.push(CashflowRow {
            interest_paid: means.amount(deposits[i] - withdrawals[i]),
            balance_end: means.amount(balance[i]),
            ..blank(k, date, &reserve.name, "reserve")
        });
    }
    account_rows(model, sums, k, &mut out);
    out
}

/// The guarantor's, the PDL's and the ramp-up account's rows of period `k`.
fn account_rows(model: &Model, sums: &CashflowSums, k: usize, out: &mut Vec<CashflowRow>) {
    let means = Means {
        sums,
        digits: model.currency.minor_digits,
    };
    let date = model.calendar.date(k);
    let l = &model.liabilities;
    let [
        payout,
        reimbursed,
        cure,
        pdl,
        ramp_interest,
        release,
        lent,
        ramp_balance,
    ] = &sums.accounts;
    if let Some(g) = &l.guarantee {
        let paid: i128 = payout[..=k].iter().sum();
        let undrawn = i128::from(g.cap.minor()) * sums.denominator() - paid;
        out.push(CashflowRow {
            principal_paid: means.amount(-payout[k]),
            balance_end: means.amount(undrawn),
            reimbursed: means.amount(reimbursed[k]),
            ..blank(k, date, &g.name, "guarantee")
        });
    }
    if l.pdl.is_some() {
        out.push(CashflowRow {
            interest_paid: means.amount(cure[k]),
            balance_end: means.amount(pdl[k]),
            ..blank(k, date, "pdl", "pdl")
        });
    }
    // The ramp-up account has a row when it held cash on some path.
    if ramp_balance.iter().any(|b| *b != 0) {
        out.push(CashflowRow {
            interest_paid: means.amount(ramp_interest[k]),
            principal_paid: means.amount(release[k]),
            funded: means.amount(lent[k]),
            balance_end: means.amount(ramp_balance[k]),
            ..blank(k, date, "ramp_up_account", "ramp_up_account")
        });
    }
}

impl Report for CashflowsCsv {
    fn file_name(&self) -> &'static str {
        "cashflows.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        let sums = run.cashflows;
        let rows = (1..=sums.periods()).flat_map(|k| rows(run.model, sums, k));
        write_columns(out, &COLUMNS, rows, run.model.currency.minor_digits)
    }
}
