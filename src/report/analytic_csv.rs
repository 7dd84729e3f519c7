//! analytic.csv: the semi-analytic estimate, one row per tranche plus the
//! pool.

use std::io;
use std::path::Path;

use super::columns::{Column, Unit, Value, write_columns};
use super::write_atomically;
use crate::analytic::{FacilityEstimate, TrancheEstimate};

/// A column of analytic.csv.
pub type AnalyticColumn = Column<TrancheEstimate>;

/// Columns of analytic.csv.
pub const COLUMNS: [&AnalyticColumn; 7] = [
    &Column {
        name: "party",
        unit: Unit::Text,
        description: "tranche name, or pool",
        value: |t| Value::Name(t.tranche.clone()),
    },
    &Column {
        name: "attachment",
        unit: Unit::FractionOfCapital,
        description: "the tranche's attachment (0 for the pool)",
        value: |t| Value::Float(t.attachment),
    },
    &Column {
        name: "detachment",
        unit: Unit::FractionOfCapital,
        description: "the tranche's detachment (1 for the pool)",
        value: |t| Value::Float(t.detachment),
    },
    &Column {
        name: "expected_loss",
        unit: Unit::FractionOfNotional,
        description: "semi-analytic expected loss of the homogeneous finite pool",
        value: |t| Value::Float(t.expected_loss),
    },
    &Column {
        name: "loss_p99",
        unit: Unit::FractionOfNotional,
        description: "99% loss quantile of the finite pool",
        value: |t| Value::Float(t.loss_p99),
    },
    &Column {
        name: "loss_p999",
        unit: Unit::FractionOfNotional,
        description: "99.9% loss quantile of the finite pool",
        value: |t| Value::Float(t.loss_p999),
    },
    &Column {
        name: "expected_loss_large_pool",
        unit: Unit::FractionOfNotional,
        description: "Vasicek large-pool expected loss (empty for the Student t copula)",
        value: |t| {
            t.expected_loss_large_pool
                .map_or(Value::Empty, Value::Float)
        },
    },
];

/// Writes analytic.csv atomically: the tranches, then the pool as a last
/// row spanning 0 to 1.
pub fn write_analytic_csv(path: &Path, estimate: &FacilityEstimate) -> io::Result<()> {
    let (p99, p999) = estimate.pool_loss_quantiles;
    let pool = TrancheEstimate {
        tranche: "pool".to_owned(),
        attachment: 0.0,
        detachment: 1.0,
        expected_loss: estimate.pool_expected_loss,
        loss_p99: p99,
        loss_p999: p999,
        expected_loss_large_pool: None,
    };
    write_atomically(path, |out| {
        let rows = estimate.tranches.iter().chain([&pool]);
        // No cell is money in minor units, so the digits do not matter.
        write_columns(out, &COLUMNS, rows, 0)
    })
}
