//! histogram.csv: each tranche's (and the pool's) loss distribution in
//! fixed bins.

use std::io::{self, Write};

use super::csv_table::write_csv_table;
use super::{Report, RunReport, format_float, neutralise};

/// The columns of histogram.csv, in order.
pub const COLUMNS: [&str; 5] = ["party", "bin_low", "bin_high", "count", "probability"];

/// Writes histogram.csv.
pub struct HistogramCsv;

impl Report for HistogramCsv {
    fn file_name(&self) -> &'static str {
        "histogram.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        let rows = run.pack.histograms.iter().flat_map(|(party, bins)| {
            bins.iter().map(move |b| {
                vec![
                    neutralise(party),
                    format_float(b.low),
                    format_float(b.high),
                    b.count.to_string(),
                    format_float(b.probability),
                ]
            })
        });
        write_csv_table(out, &COLUMNS, rows)
    }
}
