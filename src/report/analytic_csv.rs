//! analytic.csv: the semi-analytic estimate, one row per tranche plus the
//! pool.

use std::io;
use std::path::Path;

use super::{format_float, neutralise, write_atomically};
use crate::analytic::FacilityEstimate;

/// Columns of analytic.csv.
pub const COLUMNS: [&str; 7] = [
    "party",
    "attachment",
    "detachment",
    "expected_loss",
    "loss_p99",
    "loss_p999",
    "expected_loss_large_pool",
];

/// Writes analytic.csv atomically.
pub fn write_analytic_csv(path: &Path, estimate: &FacilityEstimate) -> io::Result<()> {
    write_atomically(path, |out| {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(COLUMNS)?;
        for t in &estimate.tranches {
            csv.write_record([
                neutralise(&t.tranche),
                format_float(t.attachment),
                format_float(t.detachment),
                format_float(t.expected_loss),
                format_float(t.loss_p99),
                format_float(t.loss_p999),
                t.expected_loss_large_pool
                    .map_or(String::new(), format_float),
            ])?;
        }
        let (p99, p999) = estimate.pool_loss_quantiles;
        csv.write_record([
            "pool".to_owned(),
            "0".into(),
            "1".into(),
            format_float(estimate.pool_expected_loss),
            format_float(p99),
            format_float(p999),
            String::new(),
        ])?;
        csv.flush()
    })
}
