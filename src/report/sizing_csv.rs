//! sizing.csv (the sizing curve) and sizing.json (the whole result).

use std::io;
use std::path::{Path, PathBuf};

use super::columns::{Column, Unit, Value, write_columns};
use super::write_atomically;
use crate::sizing::{SizingPoint, SizingResult};

/// One row of sizing.csv: the tranche sized and one point of the curve.
pub struct SizingRow {
    /// The tranche sized.
    pub tranche: String,
    /// A size evaluated and the metric there.
    pub point: SizingPoint,
}

/// A column of sizing.csv.
pub type SizingColumn = Column<SizingRow>;

/// Columns of sizing.csv.
pub const COLUMNS: [&SizingColumn; 7] = [
    &Column {
        name: "tranche",
        unit: Unit::Text,
        description: "the tranche sized",
        value: |r| Value::Name(r.tranche.clone()),
    },
    &Column {
        name: "share",
        unit: Unit::FractionOfCapital,
        description: "its share of total capital",
        value: |r| Value::Float(r.point.share),
    },
    &Column {
        name: "amount",
        unit: Unit::Currency,
        description: "its amount",
        value: |r| Value::Decimal(r.point.amount),
    },
    &Column {
        name: "metric",
        unit: Unit::AsMetric,
        description: "the target's metric at this size (the worst over the scenarios)",
        value: |r| Value::Float(r.point.evaluation.value),
    },
    &Column {
        name: "metric_se",
        unit: Unit::AsMetric,
        description: "its standard error (means only)",
        value: |r| r.point.evaluation.se.map_or(Value::Empty, Value::Float),
    },
    &Column {
        name: "bound_95",
        unit: Unit::AsMetric,
        description: "its 95% one-sided confidence bound on the unfavourable side",
        value: |r| Value::Float(r.point.evaluation.bound),
    },
    &Column {
        name: "worst_scenario",
        unit: Unit::Text,
        description: "the scenario in which the metric was worst",
        value: |r| Value::Name(r.point.scenario.clone()),
    },
];

/// Writes sizing.csv, sizing.json and sizing.html into `folder`;
/// `currency` is the facility's currency code.
pub fn write_sizing_reports(
    folder: &Path,
    result: &SizingResult,
    currency: &str,
) -> io::Result<Vec<PathBuf>> {
    let csv_path = folder.join("sizing.csv");
    write_atomically(&csv_path, |out| {
        let rows = result.curve.iter().map(|point| SizingRow {
            tranche: result.request.solve.clone(),
            point: point.clone(),
        });
        // No cell is money in minor units, so the digits do not matter.
        write_columns(out, &COLUMNS, rows, 0)
    })?;
    let json_path = folder.join("sizing.json");
    write_atomically(&json_path, |out| {
        serde_json::to_writer_pretty(&mut *out, result)?;
        writeln!(out)
    })?;
    let html_path = folder.join("sizing.html");
    let html = super::sizing_page(result, currency)?;
    write_atomically(&html_path, |out| out.write_all(html.as_bytes()))?;
    Ok(vec![csv_path, json_path, html_path])
}
