//! ratings.csv: each tranche's implied rating and what it was compared with.

use std::io::{self, Write};

use super::columns::{Column, Unit, Value, write_columns};
use super::{Report, RunReport};
use crate::aggregate::ImpliedRating;

/// One row of ratings.csv: a tranche and its implied rating.
pub struct RatedTranche {
    /// Tranche name.
    pub tranche: String,
    /// Its implied rating.
    pub rating: ImpliedRating,
}

/// A column of ratings.csv.
pub type RatingsColumn = Column<RatedTranche>;

/// The columns of ratings.csv, in order.
pub const COLUMNS: [&RatingsColumn; 9] = [
    &Column {
        name: "tranche",
        unit: Unit::Text,
        description: "tranche name",
        value: |r| Value::Name(r.tranche.clone()),
    },
    &Column {
        name: "basis",
        unit: Unit::Text,
        description: "the statistic rated: default_probability or expected_loss",
        value: |r| Value::Word(r.rating.basis.as_str()),
    },
    &Column {
        name: "horizon_years",
        unit: Unit::Years,
        description: "the tranche's mean WAL (else the legal final)",
        value: |r| Value::Float(r.rating.horizon_years),
    },
    &Column {
        name: "metric",
        unit: Unit::RatingMetric,
        description: "the tranche's statistic on that basis: on default_probability, a deferrable tranche's P(loss), the share of paths on which it loses original principal, and a non-deferrable tranche's P(loss or missed interest), the share of paths on which it loses principal or a coupon is not paid in full on its payment date (after any reserve draw), even if paid later; on expected_loss, its pv_loss; the guarantee's payouts / cap on both",
        value: |r| Value::Float(r.rating.metric),
    },
    &Column {
        name: "metric_se",
        unit: Unit::RatingMetric,
        description: "its standard error",
        value: |r| Value::Float(r.rating.metric_se),
    },
    &Column {
        name: "implied_rating",
        unit: Unit::Text,
        description: "the best rating whose benchmark at the horizon is at least the metric",
        value: |r| Value::Name(r.rating.rating.clone()),
    },
    &Column {
        name: "rating_benchmark",
        unit: Unit::RatingMetric,
        description: "that rating's benchmark at the horizon",
        value: |r| Value::Float(r.rating.benchmark),
    },
    &Column {
        name: "better_rating_benchmark",
        unit: Unit::RatingMetric,
        description: "the next better rating's benchmark (empty for the best)",
        value: |r| Value::Float(r.rating.better_benchmark),
    },
    &Column {
        name: "table_source",
        unit: Unit::Text,
        description: "the idealized table compared with",
        value: |r| Value::Name(r.rating.table_source.clone()),
    },
];

/// Writes ratings.csv.
pub struct RatingsCsv;

impl Report for RatingsCsv {
    fn file_name(&self) -> &'static str {
        "ratings.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        let rows = run
            .summary
            .iter()
            .zip(&run.pack.ratings)
            .map(|(s, r)| RatedTranche {
                tranche: s.tranche.clone(),
                rating: r.clone(),
            });
        write_columns(out, &COLUMNS, rows, run.model.currency.minor_digits)
    }
}
