//! summary.csv: one row per tranche.

use std::io::{self, Write};

use super::{Report, RunReport, format_float, neutralise};
use crate::aggregate::TrancheSummary;

/// The columns of summary.csv, in order. The first nineteen are the
/// documented interface; the standard errors of the other averages follow,
/// then that of the expected shortfall.
pub const COLUMNS: [&str; 24] = [
    "tranche",
    "class",
    "notional",
    "attachment",
    "detachment",
    "expected_loss",
    "expected_loss_se",
    "prob_loss",
    "loss_p50",
    "loss_p90",
    "loss_p99",
    "loss_p999",
    "es_99",
    "irr_mean",
    "irr_p05",
    "irr_p50",
    "irr_p95",
    "moic_mean",
    "wal_years",
    "prob_loss_se",
    "irr_mean_se",
    "moic_mean_se",
    "wal_years_se",
    "es_99_se",
];

/// Writes summary.csv.
pub struct SummaryCsv;

impl Report for SummaryCsv {
    fn file_name(&self) -> &'static str {
        "summary.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(COLUMNS)?;
        let digits = run.model.currency.minor_digits;
        for row in run.summary {
            csv.write_record(summary_record(row, digits))?;
        }
        csv.flush()
    }
}

/// One tranche's cells of summary.csv, in [`COLUMNS`] order; `digits` is the
/// currency's minor-unit digits.
pub fn summary_record(row: &TrancheSummary, digits: u32) -> Vec<String> {
    let floats = [
        row.attachment,
        row.detachment,
        row.expected_loss,
        row.expected_loss_se,
        row.prob_loss,
        row.loss_p50,
        row.loss_p90,
        row.loss_p99,
        row.loss_p999,
        row.es_99,
        row.irr_mean,
        row.irr_p05,
        row.irr_p50,
        row.irr_p95,
        row.moic_mean,
        row.wal_years,
        row.prob_loss_se,
        row.irr_mean_se,
        row.moic_mean_se,
        row.wal_years_se,
        row.es_99_se,
    ];
    let mut record = vec![
        neutralise(&row.tranche),
        row.class.as_str().to_owned(),
        row.notional.to_decimal(digits).to_string(),
    ];
    record.extend(floats.iter().map(|&x| format_float(x)));
    record
}
