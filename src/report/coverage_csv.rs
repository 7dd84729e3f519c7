//! coverage_tests.csv: how often and when each coverage test fails.

use std::io::{self, Write};

use super::{Report, RunReport, format_float, neutralise};

/// The columns of coverage_tests.csv.
pub const COLUMNS: [&str; 9] = [
    "test",
    "kind",
    "tranche",
    "min_ratio",
    "prob_fail",
    "prob_fail_se",
    "first_failure_years_mean",
    "first_failure_years_p50",
    "first_failure_years_p90",
];

/// Writes coverage_tests.csv (only a header when the waterfall has no test).
pub struct CoverageCsv;

impl Report for CoverageCsv {
    fn file_name(&self) -> &'static str {
        "coverage_tests.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(COLUMNS)?;
        for test in run.coverage {
            let (mean, p50, p90) = test.first_failure_years;
            csv.write_record([
                neutralise(&test.test),
                test.kind.to_owned(),
                neutralise(&test.tranche),
                format_float(test.min_ratio),
                format_float(test.prob_fail.mean),
                format_float(test.prob_fail.se),
                format_float(mean),
                format_float(p50),
                format_float(p90),
            ])?;
        }
        csv.flush()
    }
}
