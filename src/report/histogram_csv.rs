//! histogram.csv: each tranche's (and the pool's) loss distribution in
//! fixed bins.

use std::io::{self, Write};

use super::columns::{Column, Unit, Value, write_columns};
use super::{Report, RunReport};
use crate::aggregate::Bin;

/// One row of histogram.csv: a party's bin.
pub struct HistogramRow {
    /// Tranche name or `pool`.
    pub party: String,
    /// The bin.
    pub bin: Bin,
}

/// A column of histogram.csv.
pub type HistogramColumn = Column<HistogramRow>;

/// The columns of histogram.csv, in order.
pub const COLUMNS: [&HistogramColumn; 5] = [
    &Column {
        name: "party",
        unit: Unit::Text,
        description: "tranche name or pool",
        value: |r| Value::Name(r.party.clone()),
    },
    &Column {
        name: "bin_low",
        unit: Unit::FractionOfNotional,
        description: "lower edge (excluded; the first bin is exactly no loss)",
        value: |r| Value::Float(r.bin.low),
    },
    &Column {
        name: "bin_high",
        unit: Unit::FractionOfNotional,
        description: "upper edge (included)",
        value: |r| Value::Float(r.bin.high),
    },
    &Column {
        name: "count",
        unit: Unit::Paths,
        description: "paths whose loss falls in the bin",
        value: |r| Value::Count(r.bin.count),
    },
    &Column {
        name: "probability",
        unit: Unit::Probability,
        description: "count / paths; under importance sampling the weighted frequency (1/n) sum w 1{bin}",
        value: |r| Value::Float(r.bin.probability),
    },
];

/// Writes histogram.csv.
pub struct HistogramCsv;

impl Report for HistogramCsv {
    fn file_name(&self) -> &'static str {
        "histogram.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        let rows = run.pack.histograms.iter().flat_map(|(party, bins)| {
            bins.iter().map(|&bin| HistogramRow {
                party: party.clone(),
                bin,
            })
        });
        write_columns(out, &COLUMNS, rows, run.model.currency.minor_digits)
    }
}
