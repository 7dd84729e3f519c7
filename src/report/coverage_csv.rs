//! coverage_tests.csv: how often and when each coverage test fails.

use std::io::{self, Write};

use super::columns::{Column, Unit, Value, write_columns};
use super::{Report, RunReport};
use crate::aggregate::CoverageSummary;

/// A column of coverage_tests.csv.
pub type CoverageColumn = Column<CoverageSummary>;

/// The columns of coverage_tests.csv.
pub const COLUMNS: [&CoverageColumn; 9] = [
    &Column {
        name: "test",
        unit: Unit::Text,
        description: "the test's name",
        value: |t| Value::Name(t.test.clone()),
    },
    &Column {
        name: "kind",
        unit: Unit::Text,
        description: "oc or ic",
        value: |t| Value::Word(t.kind),
    },
    &Column {
        name: "tranche",
        unit: Unit::Text,
        description: "the tranche it covers (with every tranche senior to it)",
        value: |t| Value::Name(t.tranche.clone()),
    },
    &Column {
        name: "min_ratio",
        unit: Unit::Ratio,
        description: "the minimum ratio",
        value: |t| Value::Float(t.min_ratio),
    },
    &Column {
        name: "prob_fail",
        unit: Unit::Probability,
        description: "share of paths on which the test fails at least once",
        value: |t| Value::Float(t.prob_fail.mean),
    },
    &Column {
        name: "prob_fail_se",
        unit: Unit::Probability,
        description: "standard error of prob_fail",
        value: |t| Value::Float(t.prob_fail.se),
    },
    &Column {
        name: "first_failure_years_mean",
        unit: Unit::Years,
        description: "mean years to the first failure, over paths where it fails",
        value: |t| Value::Float(t.first_failure_years.0),
    },
    &Column {
        name: "first_failure_years_p50",
        unit: Unit::Years,
        description: "median years to the first failure, over paths where it fails",
        value: |t| Value::Float(t.first_failure_years.1),
    },
    &Column {
        name: "first_failure_years_p90",
        unit: Unit::Years,
        description: "90% quantile of the years to the first failure",
        value: |t| Value::Float(t.first_failure_years.2),
    },
];

/// Writes coverage_tests.csv (only a header when the waterfall has no test).
pub struct CoverageCsv;

impl Report for CoverageCsv {
    fn file_name(&self) -> &'static str {
        "coverage_tests.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        let digits = run.model.currency.minor_digits;
        write_columns(out, &COLUMNS, run.coverage, digits)
    }
}
