//! ratings.csv: each tranche's implied rating and what it was compared with.

use std::io::{self, Write};

use super::csv_table::write_csv_table;
use super::{Report, RunReport, format_float, neutralise};

/// The columns of ratings.csv, in order.
pub const COLUMNS: [&str; 9] = [
    "tranche",
    "basis",
    "horizon_years",
    "metric",
    "metric_se",
    "implied_rating",
    "rating_benchmark",
    "better_rating_benchmark",
    "table_source",
];

/// Writes ratings.csv.
pub struct RatingsCsv;

impl Report for RatingsCsv {
    fn file_name(&self) -> &'static str {
        "ratings.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        let rows = run.summary.iter().zip(&run.pack.ratings).map(|(s, r)| {
            vec![
                neutralise(&s.tranche),
                r.basis.as_str().to_owned(),
                format_float(r.horizon_years),
                format_float(r.metric),
                format_float(r.metric_se),
                r.rating.to_owned(),
                format_float(r.benchmark),
                format_float(r.better_benchmark),
                neutralise(&r.table_source),
            ]
        });
        write_csv_table(out, &COLUMNS, rows)
    }
}
