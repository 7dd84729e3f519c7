//! quantiles.csv: each tranche's loss and IRR, and the pool's loss, at a
//! fixed grid of probabilities, in long format, with 95% confidence
//! intervals.

use std::io::{self, Write};

use super::columns::{Column, Unit, Value, write_columns};
use super::{Report, RunReport};
use crate::aggregate::QuantileEstimate;

/// One row of quantiles.csv: a party's metric at one probability.
pub struct QuantileRow {
    /// Tranche name or `pool`.
    pub party: String,
    /// `loss` or `irr`.
    pub metric: &'static str,
    /// The quantile and its confidence interval.
    pub estimate: QuantileEstimate,
}

/// A column of quantiles.csv.
pub type QuantilesColumn = Column<QuantileRow>;

/// The columns of quantiles.csv, in order.
pub const COLUMNS: [&QuantilesColumn; 6] = [
    &Column {
        name: "party",
        unit: Unit::Text,
        description: "tranche name or pool",
        value: |r| Value::Name(r.party.clone()),
    },
    &Column {
        name: "metric",
        unit: Unit::Text,
        description: "loss (fraction of the party's notional) or irr (annual rate)",
        value: |r| Value::Word(r.metric),
    },
    &Column {
        name: "probability",
        unit: Unit::Probability,
        description: "the probability p",
        value: |r| Value::Float(r.estimate.probability),
    },
    &Column {
        name: "value",
        unit: Unit::AsMetric,
        description: "the p-quantile",
        value: |r| Value::Float(r.estimate.value),
    },
    &Column {
        name: "ci_low",
        unit: Unit::AsMetric,
        description: "lower end of the 95% order-statistic confidence interval",
        value: |r| Value::Float(r.estimate.ci_low),
    },
    &Column {
        name: "ci_high",
        unit: Unit::AsMetric,
        description: "upper end of the 95% order-statistic confidence interval",
        value: |r| Value::Float(r.estimate.ci_high),
    },
];

/// Writes quantiles.csv.
pub struct QuantilesCsv;

impl Report for QuantilesCsv {
    fn file_name(&self) -> &'static str {
        "quantiles.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        let rows = run.pack.quantiles.iter().flat_map(|set| {
            set.values.iter().map(|&estimate| QuantileRow {
                party: set.party.clone(),
                metric: set.metric,
                estimate,
            })
        });
        write_columns(out, &COLUMNS, rows, run.model.currency.minor_digits)
    }
}
