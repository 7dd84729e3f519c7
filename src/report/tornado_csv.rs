//! tornado.csv: what each tranche's expected loss and the public side's PV
//! cost become when one input is shifted at a time, against the same paths
//! unshifted. Written when the run computed a tornado. Columns defined
//! here, once.

use std::io::{self, Write};

use super::columns::{Column, Unit, Value, write_columns};
use super::{Report, RunReport};
use crate::aggregate::TornadoRow;

/// A column of tornado.csv.
pub type TornadoColumn = Column<TornadoRow>;

/// The columns of tornado.csv, in order.
pub const COLUMNS: [&TornadoColumn; 10] = [
    &Column {
        name: "input",
        unit: Unit::Text,
        description: "the input shifted: default_probabilities (every project's hazard), recovery_means (every project's), correlation_shares (every factor's, the facility's, each mineral's and the scenario's), loan_coupons (every loan's)",
        value: |r| Value::Word(r.input),
    },
    &Column {
        name: "shift",
        unit: Unit::Text,
        description: "the shift: x0.8 or x1.25 (probabilities, correlation shares), down 10 points or up 10 points (recovery means, kept inside the values their Beta law allows), down 100 bp or up 100 bp (loan coupons, not below 0)",
        value: |r| Value::Word(r.shift),
    },
    &Column {
        name: "direction",
        unit: Unit::Text,
        description: "down or up: which way the input moved",
        value: |r| Value::Word(r.direction.as_str()),
    },
    &Column {
        name: "holder",
        unit: Unit::Text,
        description: "tranche, or public (every public party together)",
        value: |r| Value::Name(r.holder.clone()),
    },
    &Column {
        name: "metric",
        unit: Unit::Text,
        description: "expected_loss (a tranche's, as summary.csv's) or pv_cost (the public side's, as parties.csv's public row)",
        value: |r| Value::Word(r.metric.as_str()),
    },
    &Column {
        name: "unit",
        unit: Unit::Text,
        description: "the metric's unit: fraction of notional or currency",
        value: |r| Value::Word(r.metric.unit()),
    },
    &Column {
        name: "base",
        unit: Unit::AsMetric,
        description: "the metric without the shift, on the tornado's paths (the run's first paths)",
        value: |r| Value::Float(r.base),
    },
    &Column {
        name: "shifted",
        unit: Unit::AsMetric,
        description: "the metric with the shift, same paths and seed",
        value: |r| Value::Float(r.shifted),
    },
    &Column {
        name: "change",
        unit: Unit::AsMetric,
        description: "shifted - base",
        value: |r| Value::Float(r.change.mean),
    },
    &Column {
        name: "change_se",
        unit: Unit::AsMetric,
        description: "standard error of change from the paired differences path by path",
        value: |r| Value::Float(r.change.se),
    },
];

/// Writes tornado.csv.
pub struct TornadoCsv;

impl Report for TornadoCsv {
    fn file_name(&self) -> &'static str {
        "tornado.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        let digits = run.model.currency.minor_digits;
        let rows = run.pack.tornado.as_ref().map_or(&[][..], |t| &t.rows);
        write_columns(out, &COLUMNS, rows, digits)
    }
}
