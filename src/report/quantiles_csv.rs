//! quantiles.csv: each tranche's loss and IRR, and the pool's loss, at a
//! fixed grid of probabilities, in long format, with 95% confidence
//! intervals.

use std::io::{self, Write};

use super::csv_table::write_csv_table;
use super::{Report, RunReport, format_float, neutralise};

/// The columns of quantiles.csv, in order.
pub const COLUMNS: [&str; 6] = [
    "party",
    "metric",
    "probability",
    "value",
    "ci_low",
    "ci_high",
];

/// Writes quantiles.csv.
pub struct QuantilesCsv;

impl Report for QuantilesCsv {
    fn file_name(&self) -> &'static str {
        "quantiles.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        let rows = run.pack.quantiles.iter().flat_map(|set| {
            set.values.iter().map(|q| {
                vec![
                    neutralise(&set.party),
                    set.metric.to_owned(),
                    format_float(q.probability),
                    format_float(q.value),
                    format_float(q.ci_low),
                    format_float(q.ci_high),
                ]
            })
        });
        write_csv_table(out, &COLUMNS, rows)
    }
}
