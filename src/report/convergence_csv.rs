//! convergence.csv: each tranche's expected loss and probability of loss,
//! with standard errors, after every block of paths.

use std::io::{self, Write};

use super::columns::{Column, Unit, Value, write_columns};
use super::{Report, RunReport};
use crate::aggregate::ConvergenceRow;

/// A column of convergence.csv.
pub type ConvergenceColumn = Column<ConvergenceRow>;

/// The columns of convergence.csv, in order.
pub const COLUMNS: [&ConvergenceColumn; 5] = [
    &Column {
        name: "paths",
        unit: Unit::Paths,
        description: "paths simulated so far: every --block-paths, then the last",
        value: |r| Value::Count(r.paths),
    },
    &Column {
        name: "tranche",
        unit: Unit::Text,
        description: "tranche name",
        value: |r| Value::Name(r.tranche.clone()),
    },
    &Column {
        name: "metric",
        unit: Unit::Text,
        description: "expected_loss or prob_loss (as in summary.csv)",
        value: |r| Value::Name(r.metric.to_owned()),
    },
    &Column {
        name: "estimate",
        unit: Unit::AsMetric,
        description: "the estimate over the first `paths` paths",
        value: |r| Value::Float(r.estimate.mean),
    },
    &Column {
        name: "se",
        unit: Unit::AsMetric,
        description: "its standard error",
        value: |r| Value::Float(r.estimate.se),
    },
];

/// Writes convergence.csv.
pub struct ConvergenceCsv;

impl Report for ConvergenceCsv {
    fn file_name(&self) -> &'static str {
        "convergence.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        write_columns(
            out,
            &COLUMNS,
            run.pack.convergence.iter().cloned(),
            run.model.currency.minor_digits,
        )
    }
}
