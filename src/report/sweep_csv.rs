//! sweep.csv: one row per grid point and metric (long format).

use std::io;
use std::path::Path;

use super::columns::{Column, Unit, Value, csv_float, csv_record, header};
use super::write_atomically;
use crate::sizing::{Axis, SweepPoint, SweptMetric};

/// A column of sweep.csv after the axes' own columns.
pub type SweepColumn = Column<SweptMetric>;

/// The columns of sweep.csv after the axes' values (one column per axis,
/// named after it).
pub const COLUMNS: [&SweepColumn; 7] = [
    &Column {
        name: "tranche",
        unit: Unit::Text,
        description: "the tranche",
        value: |m| Value::Name(m.tranche.clone()),
    },
    &Column {
        name: "metric",
        unit: Unit::Text,
        description: "the metric (implied_rating for a rating, whose value is P(loss))",
        value: |m| Value::Word(m.name()),
    },
    &Column {
        name: "value",
        unit: Unit::AsMetric,
        description: "the metric at the grid point",
        value: |m| Value::Float(m.evaluation.value),
    },
    &Column {
        name: "se",
        unit: Unit::AsMetric,
        description: "its standard error (means only)",
        value: |m| m.evaluation.se.map_or(Value::Empty, Value::Float),
    },
    &Column {
        name: "bound_95",
        unit: Unit::AsMetric,
        description: "its 95% one-sided confidence bound on the unfavourable side",
        value: |m| Value::Float(m.evaluation.bound),
    },
    &Column {
        name: "rating",
        unit: Unit::Text,
        description: "the implied rating (implied_rating rows only)",
        value: |m| {
            m.rating
                .as_ref()
                .map_or(Value::Empty, |r| Value::Name(r.rating.clone()))
        },
    },
    &Column {
        name: "horizon_years",
        unit: Unit::Years,
        description: "the rating's horizon (implied_rating rows only)",
        value: |m| {
            m.rating
                .as_ref()
                .map_or(Value::Empty, |r| Value::Float(r.horizon_years))
        },
    },
];

/// Writes sweep.csv: the axes' names as the first columns, then
/// [`COLUMNS`].
pub fn write_sweep_csv(path: &Path, axes: &[Axis], points: &[SweepPoint]) -> io::Result<()> {
    write_atomically(path, |out| {
        let mut csv = csv::Writer::from_writer(out);
        let axis_names = axes.iter().map(|a| a.name.clone());
        let names = header(&COLUMNS).into_iter().map(String::from);
        csv.write_record(axis_names.chain(names).collect::<Vec<_>>())?;
        for point in points {
            for metric in &point.metrics {
                let values = point.values.iter().map(|&v| csv_float(v, 10));
                // No cell is money in minor units, so the digits do not matter.
                let cells = csv_record(&COLUMNS, metric, 0);
                csv.write_record(values.chain(cells).collect::<Vec<_>>())?;
            }
        }
        csv.flush()
    })
}

/// Writes sweep.html (each metric's heat map over the grid) for the
/// facility named `facility`.
pub fn write_sweep_page(
    path: &Path,
    facility: &str,
    axes: &[Axis],
    points: &[SweepPoint],
) -> io::Result<()> {
    let html = super::sweep_page(facility, axes, points);
    write_atomically(path, |out| io::Write::write_all(out, html.as_bytes()))
}
