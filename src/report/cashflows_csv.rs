//! cashflows.csv: expected cash flows per period and party, averaged over
//! paths.

use std::io::{self, Write};

use rust_decimal::Decimal;

use crate::model::Model;
use crate::waterfall::CashflowSums;

use super::{Report, RunReport, format_float, neutralise};

/// The columns of cashflows.csv, in order.
pub const COLUMNS: [&str; 10] = [
    "period",
    "date",
    "party",
    "kind",
    "interest_paid",
    "principal_paid",
    "residual_paid",
    "balance_end",
    "shortfall",
    "shortfall_share",
];

/// Writes cashflows.csv.
pub struct CashflowsCsv;

/// Formats expected amounts: a sum of minor units over paths, divided by the
/// number of paths, in currency units with two more decimals than the
/// currency's minor unit.
struct Means {
    paths: Decimal,
    digits: u32,
}

impl Means {
    fn amount(&self, sum: i128) -> String {
        let total = Decimal::from_i128_with_scale(sum, self.digits);
        (total / self.paths)
            .round_dp(self.digits + 2)
            .normalize()
            .to_string()
    }

    fn share(&self, count: u64, paths: u64) -> String {
        format_float(count as f64 / paths as f64)
    }
}

/// One row's cells after `period, date, party, kind`.
type Cells = [String; 6];

fn rows(model: &Model, sums: &CashflowSums, k: usize) -> Vec<(String, &'static str, Cells)> {
    let means = Means {
        paths: Decimal::from(sums.paths.max(1)),
        digits: model.currency.minor_digits,
    };
    let l = &model.liabilities;
    let mut out = Vec::new();
    for (t, tranche) in l.tranches.iter().enumerate() {
        let i = sums.cell(t, k);
        let [interest, principal, residual, balance, shortfall] = &sums.tranche;
        out.push((
            tranche.name.clone(),
            "tranche",
            [
                means.amount(interest[i]),
                means.amount(principal[i]),
                means.amount(residual[i]),
                means.amount(balance[i]),
                means.amount(shortfall[i]),
                means.share(sums.tranche_shortfall_paths[i], sums.paths),
            ],
        ));
    }
    for (f, fee) in l.fees.iter().enumerate() {
        let i = sums.cell(f, k);
        let unpaid = means.amount(sums.fee[1][i]);
        out.push((
            fee.name.clone(),
            "fee",
            [
                means.amount(sums.fee[0][i]),
                String::new(),
                String::new(),
                unpaid.clone(),
                unpaid,
                means.share(sums.fee_shortfall_paths[i], sums.paths),
            ],
        ));
    }
    for (r, reserve) in l.reserves.iter().enumerate() {
        let i = sums.cell(r, k);
        let [deposits, withdrawals, balance] = &sums.reserve;
        out.push((
            reserve.name.clone(),
            "reserve",
            [
                means.amount(deposits[i] - withdrawals[i]),
                String::new(),
                String::new(),
                means.amount(balance[i]),
                String::new(),
                String::new(),
            ],
        ));
    }
    if let Some(g) = &l.guarantee {
        let paid: i128 = sums.guarantee_payout[..=k].iter().sum();
        let undrawn = i128::from(g.cap.minor()) * i128::from(sums.paths) - paid;
        out.push((
            g.name.clone(),
            "guarantee",
            [
                String::new(),
                means.amount(-sums.guarantee_payout[k]),
                String::new(),
                means.amount(undrawn),
                String::new(),
                String::new(),
            ],
        ));
    }
    out
}

impl Report for CashflowsCsv {
    fn file_name(&self) -> &'static str {
        "cashflows.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(COLUMNS)?;
        let sums = run.cashflows;
        for k in 1..=sums.periods() {
            let date = run.model.calendar.date(k).to_string();
            for (party, kind, cells) in rows(run.model, sums, k) {
                let mut record = vec![k.to_string(), date.clone(), neutralise(&party), kind.into()];
                record.extend(cells);
                csv.write_record(&record)?;
            }
        }
        csv.flush()
    }
}
