//! facility.csv: one row of facility-wide metrics.

use std::io::{self, Write};

use super::csv_table::write_csv_table;
use super::{Report, RunReport, format_float, neutralise};

/// The columns of facility.csv, in order.
pub const COLUMNS: [&str; 28] = [
    "paths",
    "total_capital",
    "public_capital",
    "private_capital",
    "mobilisation_ratio",
    "public_expected_loss",
    "public_expected_loss_se",
    "private_expected_loss",
    "private_expected_loss_se",
    "first_loss_tranche",
    "prob_first_loss_wiped_out",
    "prob_first_loss_wiped_out_se",
    "pool_notional",
    "pool_expected_loss",
    "pool_expected_loss_se",
    "pool_loss_p50",
    "pool_loss_p90",
    "pool_loss_p99",
    "pool_loss_p999",
    "pool_es_99",
    "pool_es_99_se",
    "expected_defaults",
    "expected_defaults_se",
    "defaults_p50",
    "defaults_p90",
    "defaults_p99",
    "expected_recoveries",
    "expected_recoveries_se",
];

/// Writes facility.csv.
pub struct FacilityCsv;

impl Report for FacilityCsv {
    fn file_name(&self) -> &'static str {
        "facility.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        let f = &run.pack.facility;
        let floats = |values: &[f64]| values.iter().map(|&x| format_float(x)).collect::<Vec<_>>();
        let mut row = vec![f.paths.to_string()];
        row.extend(floats(&[
            f.total_capital,
            f.public_capital,
            f.private_capital,
            f.mobilisation_ratio,
            f.public_expected_loss.mean,
            f.public_expected_loss.se,
            f.private_expected_loss.mean,
            f.private_expected_loss.se,
        ]));
        row.push(neutralise(&f.first_loss_tranche));
        row.extend(floats(&[
            f.prob_first_loss_wiped_out.mean,
            f.prob_first_loss_wiped_out.se,
            f.pool_notional,
            f.pool_expected_loss.mean,
            f.pool_expected_loss.se,
        ]));
        row.extend(floats(&f.pool_loss_quantiles));
        row.extend(floats(&[
            f.pool_es_99,
            f.pool_es_99_se,
            f.expected_defaults.mean,
            f.expected_defaults.se,
        ]));
        row.extend(floats(&f.defaults_quantiles));
        row.extend(floats(&[
            f.expected_recoveries.mean,
            f.expected_recoveries.se,
        ]));
        write_csv_table(out, &COLUMNS, [row])
    }
}
