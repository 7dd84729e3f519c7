//! The tables implied ratings are benchmarked against: the bundled 10-year
//! column of Moody's idealized cumulative default probabilities, or
//! year-by-year idealized tables supplied with the facility
//! (`[implied_rating]`, docs/ratings.md).
//!
//! A [`ByYearTable`] can only be built by [`ByYearTable::new`], which
//! rejects every table the interpolation could not rely on: so the code
//! that interpolates it needs no checks.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Serialize;

use super::error::Diagnostic;
use super::interval::{Interval, number_in};
use super::rating_table::RatingTable;

/// Cumulative probabilities and losses: in (0, 1].
const CUMULATIVE: Interval = Interval(0.0, false, 1.0, true);

/// The bundled table, built once.
static MOODYS_10Y: LazyLock<RatingTable> = LazyLock::new(RatingTable::moodys_idealized_10y);

/// What implied ratings compare a tranche's statistic with.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdealizedTable {
    /// The bundled default: the 10-year column of Moody's idealized
    /// cumulative default probabilities
    /// ([`RatingTable::moodys_idealized_10y`]), taken to other horizons at
    /// a constant hazard. It has no expected-loss table.
    #[default]
    MoodysTenYear,
    /// Year-by-year idealized tables supplied with the facility.
    ByYear(ByYearTable),
}

impl IdealizedTable {
    /// The bundled 10-year column (for [`IdealizedTable::MoodysTenYear`]).
    pub fn moodys_ten_year() -> &'static RatingTable {
        &MOODYS_10Y
    }

    /// The ratings, best first.
    pub fn ratings(&self) -> Vec<&str> {
        match self {
            IdealizedTable::MoodysTenYear => {
                MOODYS_10Y.entries.iter().map(|(r, _)| r.as_str()).collect()
            }
            IdealizedTable::ByYear(table) => table.ratings.iter().map(String::as_str).collect(),
        }
    }

    /// The index of `rating` (exact spelling) among [`Self::ratings`].
    pub fn position(&self, rating: &str) -> Option<usize> {
        self.ratings().iter().position(|r| *r == rating)
    }

    /// Where the numbers come from, for reports.
    pub fn source(&self) -> &str {
        match self {
            IdealizedTable::MoodysTenYear => &MOODYS_10Y.source,
            IdealizedTable::ByYear(table) => &table.source,
        }
    }

    /// Whether the table has an expected-loss table (only year-by-year
    /// tables whose `expected_loss` column is filled in).
    pub fn has_expected_loss(&self) -> bool {
        matches!(self, IdealizedTable::ByYear(t) if t.expected_loss.is_some())
    }
}

/// One row of a year-by-year table: a rating's cumulative idealized
/// default probability (and expected loss) by the end of a year.
#[derive(Debug, Clone, PartialEq)]
pub struct IdealizedRow {
    /// Rating name.
    pub rating: String,
    /// Year, from 1.
    pub year: u32,
    /// Cumulative default probability by the end of `year`.
    pub default_probability: f64,
    /// Cumulative expected loss (fraction of notional), if given.
    pub expected_loss: Option<f64>,
    /// Line of the file the row came from (0: none).
    pub line: usize,
}

impl IdealizedRow {
    fn line(&self) -> Option<usize> {
        (self.line > 0).then_some(self.line)
    }

    /// A problem on `field` of this row.
    fn diagnostic(&self, field: &str, message: String) -> Diagnostic {
        Diagnostic::new(field, message).at_line(self.line())
    }

    /// The row's own rules (its values in range, an expected loss at most
    /// the default probability), each broken one as a diagnostic.
    pub(crate) fn problems(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        if self.rating.trim().is_empty() || self.rating.trim() != self.rating {
            let message = format!(
                "`{}` is not a rating name; expected a name without spaces around it, e.g. Baa2",
                self.rating
            );
            out.push(self.diagnostic("rating", message));
        }
        if self.year == 0 {
            let message = "0 is not a year; expected a whole number >= 1 (years count from 1)";
            out.push(self.diagnostic("year", message.into()));
        }
        let pd = self.default_probability;
        if let Err(m) = number_in(pd, CUMULATIVE, "a cumulative default probability") {
            out.push(self.diagnostic("default_probability", m));
        }
        if let Some(el) = self.expected_loss {
            if let Err(m) = number_in(el, CUMULATIVE, "a cumulative expected loss") {
                out.push(self.diagnostic("expected_loss", m));
            } else if CUMULATIVE.contains(pd) && el > pd {
                let message = format!(
                    "{el} is above the row's default_probability {pd}; expected an expected loss at most the default probability (a loss needs a default)"
                );
                out.push(self.diagnostic("expected_loss", message));
            }
        }
        out
    }
}

/// Year-by-year idealized tables: for each rating (best first) and each
/// year 1 to N, the cumulative default probability and, optionally, the
/// cumulative expected loss.
///
/// Invariants (checked by [`ByYearTable::new`]): at least one rating and
/// one year; every value in (0, 1]; each rating's values do not decrease
/// with the year; at each year they do not decrease from a rating to the
/// next worse one; an expected loss is at most the default probability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ByYearTable {
    source: String,
    ratings: Vec<String>,
    /// `default_probability[r][n - 1]`: rating r, year n.
    default_probability: Vec<Vec<f64>>,
    /// Same shape, if given.
    expected_loss: Option<Vec<Vec<f64>>>,
}

impl ByYearTable {
    /// The table of `rows` (one per rating and year, in any order; ratings
    /// are ranked best first by their first row), citing `source`; every
    /// broken rule is a diagnostic on the line and column of the row it
    /// concerns.
    pub fn new(source: impl Into<String>, rows: &[IdealizedRow]) -> Result<Self, Vec<Diagnostic>> {
        let mut problems: Vec<Diagnostic> = rows.iter().flat_map(IdealizedRow::problems).collect();
        if rows.is_empty() {
            let message = "the table has no rows; expected one row per rating and year";
            problems.push(Diagnostic::new("", message));
        }
        let grid = Grid::new(rows, &mut problems);
        grid.check_expected_loss_given(rows, &mut problems);
        for column in [Column::DefaultProbability, Column::ExpectedLoss] {
            grid.check_monotone(rows, column, &mut problems);
        }
        if !problems.is_empty() {
            problems.sort_by_key(|d| d.line);
            return Err(problems);
        }
        let values = |value: &dyn Fn(&IdealizedRow) -> f64| -> Vec<Vec<f64>> {
            grid.cells
                .iter()
                .map(|years| years.values().map(|&i| value(&rows[i])).collect())
                .collect()
        };
        let has_expected_loss = rows[0].expected_loss.is_some();
        Ok(ByYearTable {
            source: source.into(),
            default_probability: values(&|row| row.default_probability),
            expected_loss: has_expected_loss
                .then(|| values(&|row| row.expected_loss.unwrap_or(f64::NAN))),
            ratings: grid.ratings,
        })
    }

    /// Where the numbers come from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The ratings, best first.
    pub fn ratings(&self) -> &[String] {
        &self.ratings
    }

    /// The last year N of the table.
    pub fn years(&self) -> usize {
        self.default_probability[0].len()
    }

    /// Cumulative default probabilities of rating `rating` (an index of
    /// [`Self::ratings`]) by year 1 to N.
    pub fn default_probability(&self, rating: usize) -> &[f64] {
        &self.default_probability[rating]
    }

    /// Cumulative expected losses of rating `rating` by year 1 to N, if the
    /// table has them.
    pub fn expected_loss(&self, rating: usize) -> Option<&[f64]> {
        self.expected_loss.as_ref().map(|el| el[rating].as_slice())
    }
}

/// A value column of the table.
#[derive(Clone, Copy)]
enum Column {
    DefaultProbability,
    ExpectedLoss,
}

impl Column {
    fn name(self) -> &'static str {
        match self {
            Column::DefaultProbability => "default_probability",
            Column::ExpectedLoss => "expected_loss",
        }
    }

    /// The row's value in this column, if given and in range.
    fn value(self, row: &IdealizedRow) -> Option<f64> {
        let value = match self {
            Column::DefaultProbability => Some(row.default_probability),
            Column::ExpectedLoss => row.expected_loss,
        };
        value.filter(|&v| CUMULATIVE.contains(v))
    }
}

/// Rows arranged by rating (order of first appearance) and year.
struct Grid {
    ratings: Vec<String>,
    /// Per rating: year -> index of its row.
    cells: Vec<BTreeMap<u32, usize>>,
}

impl Grid {
    /// Arranges `rows`, reporting repeated (rating, year) pairs and the
    /// years a rating lacks (every rating needs years 1 to N, N the last
    /// year of the table).
    fn new(rows: &[IdealizedRow], problems: &mut Vec<Diagnostic>) -> Grid {
        let mut grid = Grid {
            ratings: Vec::new(),
            cells: Vec::new(),
        };
        for (i, row) in rows.iter().enumerate().filter(|(_, row)| row.year > 0) {
            let r = match grid.ratings.iter().position(|name| *name == row.rating) {
                Some(r) => r,
                None => {
                    grid.ratings.push(row.rating.clone());
                    grid.cells.push(BTreeMap::new());
                    grid.ratings.len() - 1
                }
            };
            if let Some(&first) = grid.cells[r].get(&row.year) {
                let message = format!(
                    "rating `{}` year {} is already given on line {}; expected one row per rating and year",
                    row.rating, row.year, rows[first].line
                );
                problems.push(row.diagnostic("year", message));
            } else {
                grid.cells[r].insert(row.year, i);
            }
        }
        let last = rows
            .iter()
            .enumerate()
            .max_by_key(|(i, row)| (row.year, std::cmp::Reverse(*i)));
        let Some((_, last)) = last.filter(|(_, row)| row.year > 0) else {
            return grid;
        };
        for (name, years) in grid.ratings.iter().zip(&grid.cells) {
            let missing: Vec<String> = (1..=last.year)
                .filter(|n| !years.contains_key(n))
                .map(|n| n.to_string())
                .collect();
            if missing.is_empty() {
                continue;
            }
            let first = &rows[*years.values().next().expect("a rating has a row")];
            let message = format!(
                "rating `{name}` has no row for year {}; expected years 1 to {} for every rating (year {} is given on line {})",
                missing.join(", "),
                last.year,
                last.year,
                last.line
            );
            problems.push(first.diagnostic("year", message));
        }
        grid
    }

    /// The expected-loss column is filled in on every row or on none (the
    /// first row decides which).
    fn check_expected_loss_given(&self, rows: &[IdealizedRow], problems: &mut Vec<Diagnostic>) {
        let Some(first) = rows.first() else {
            return;
        };
        for row in rows
            .iter()
            .filter(|row| row.expected_loss.is_some() != first.expected_loss.is_some())
        {
            let message = if row.expected_loss.is_some() {
                format!(
                    "is given but is empty on line {}; expected expected_loss on every row or on none",
                    first.line
                )
            } else {
                format!(
                    "is empty but is given on line {}; expected expected_loss on every row or on none",
                    first.line
                )
            };
            problems.push(row.diagnostic("expected_loss", message));
        }
    }

    /// Each rating's values do not decrease with the year, and at each year
    /// they do not decrease from better to worse ratings (values out of
    /// range are reported already and not compared).
    fn check_monotone(
        &self,
        rows: &[IdealizedRow],
        column: Column,
        problems: &mut Vec<Diagnostic>,
    ) {
        let field = column.name();
        for (r, years) in self.cells.iter().enumerate() {
            for (&year, &i) in years {
                let row = &rows[i];
                let Some(value) = column.value(row) else {
                    continue;
                };
                let before = years.get(&(year - 1)).map(|&j| &rows[j]);
                if let Some((earlier, v)) = before.and_then(|e| Some((e, column.value(e)?)))
                    && value < v
                {
                    let message = format!(
                        "{value} at year {year} is below {v} at year {} (line {}) for rating `{}`; expected cumulative values that do not decrease with the year",
                        year - 1,
                        earlier.line,
                        row.rating
                    );
                    problems.push(row.diagnostic(field, message));
                }
                let better = r
                    .checked_sub(1)
                    .and_then(|b| self.cells[b].get(&year))
                    .map(|&j| &rows[j]);
                if let Some((better, v)) = better.and_then(|b| Some((b, column.value(b)?)))
                    && value < v
                {
                    let message = format!(
                        "{value} for rating `{}` is below {v} for the better rating `{}` (line {}) at year {year}; expected values that do not decrease from better to worse ratings (ratings are listed best first)",
                        row.rating, better.rating, better.line
                    );
                    problems.push(row.diagnostic(field, message));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows `(rating, year, pd, el)` on lines 2, 3, ...
    fn rows(data: &[(&str, u32, f64, Option<f64>)]) -> Vec<IdealizedRow> {
        data.iter()
            .enumerate()
            .map(|(i, &(rating, year, pd, el))| IdealizedRow {
                rating: rating.into(),
                year,
                default_probability: pd,
                expected_loss: el,
                line: i + 2,
            })
            .collect()
    }

    /// Two ratings over three years, with expected losses.
    fn good() -> Vec<IdealizedRow> {
        rows(&[
            ("X1", 1, 0.01, Some(0.005)),
            ("X1", 2, 0.02, Some(0.01)),
            ("X1", 3, 0.04, Some(0.02)),
            ("X2", 1, 0.02, Some(0.01)),
            ("X2", 2, 0.05, Some(0.03)),
            ("X2", 3, 0.09, Some(0.05)),
        ])
    }

    /// The (line, field) of each problem of `rows`, and the messages.
    fn problems(rows: &[IdealizedRow]) -> (Vec<(Option<usize>, String)>, Vec<String>) {
        let diags = ByYearTable::new("test", rows).expect_err("invalid");
        (
            diags.iter().map(|d| (d.line, d.field.clone())).collect(),
            diags.iter().map(|d| d.message.clone()).collect(),
        )
    }

    fn at(line: usize, field: &str) -> (Option<usize>, String) {
        (Some(line), field.to_owned())
    }

    #[test]
    fn a_valid_table_is_arranged_by_rating_and_year() {
        let mut shuffled = good();
        shuffled.swap(0, 2);
        shuffled.swap(3, 5);
        let table = ByYearTable::new("synthetic", &shuffled).unwrap();
        assert_eq!(table.ratings(), ["X1", "X2"]);
        assert_eq!(table.years(), 3);
        assert_eq!(table.default_probability(1), [0.02, 0.05, 0.09]);
        assert_eq!(table.expected_loss(0), Some(&[0.005, 0.01, 0.02][..]));
        assert_eq!(table.source(), "synthetic");
        let no_el: Vec<_> = good()
            .into_iter()
            .map(|row| IdealizedRow {
                expected_loss: None,
                ..row
            })
            .collect();
        let table = IdealizedTable::ByYear(ByYearTable::new("s", &no_el).unwrap());
        assert!(!table.has_expected_loss());
        assert_eq!(table.ratings(), ["X1", "X2"]);
        assert_eq!(table.position("X2"), Some(1));
    }

    #[test]
    fn the_bundled_table_is_the_moodys_ten_year_column() {
        let table = IdealizedTable::default();
        assert_eq!(table, IdealizedTable::MoodysTenYear);
        assert_eq!(
            *IdealizedTable::moodys_ten_year(),
            RatingTable::moodys_idealized_10y()
        );
        assert_eq!(table.ratings().len(), 20);
        assert_eq!(table.position("Baa3"), Some(9));
        assert!(!table.has_expected_loss());
        assert!(table.source().starts_with("Moody's idealized 10-year"));
    }

    #[test]
    fn values_must_be_in_zero_one() {
        let mut rows = good();
        rows[1].default_probability = 0.0;
        rows[4].expected_loss = Some(1.5);
        rows[5].default_probability = f64::NAN;
        let (found, messages) = problems(&rows);
        assert_eq!(
            found,
            [
                at(3, "default_probability"),
                at(6, "expected_loss"),
                at(7, "default_probability")
            ]
        );
        assert_eq!(
            messages[0],
            "0 is not a cumulative default probability; expected a number in (0, 1]"
        );
    }

    #[test]
    fn years_count_from_one() {
        let mut rows = good();
        rows[0].year = 0;
        let (found, messages) = problems(&rows);
        // Year 1 of X1 is then missing as well.
        assert_eq!(found, [at(2, "year"), at(3, "year")]);
        assert!(messages[0].starts_with("0 is not a year"), "{messages:?}");
        assert!(
            messages[1].contains("has no row for year 1"),
            "{messages:?}"
        );
    }

    #[test]
    fn every_rating_has_every_year_once() {
        let mut rows = good();
        rows.remove(4); // X2 year 2
        rows[1].year = 1; // X1 year 1 twice, year 2 missing
        let (found, messages) = problems(&rows);
        assert_eq!(found, [at(2, "year"), at(3, "year"), at(5, "year")]);
        assert_eq!(
            messages[0],
            "rating `X1` has no row for year 2; expected years 1 to 3 for every rating \
             (year 3 is given on line 4)"
        );
        assert!(
            messages[1].starts_with("rating `X1` year 1 is already given on line 2"),
            "{messages:?}"
        );
        assert!(
            messages[2].contains("`X2` has no row for year 2"),
            "{messages:?}"
        );
    }

    #[test]
    fn values_do_not_decrease_with_the_year() {
        let mut rows = good();
        rows[2].default_probability = 0.015;
        rows[2].expected_loss = Some(0.01);
        let (found, messages) = problems(&rows);
        assert_eq!(found, [at(4, "default_probability")]);
        assert_eq!(
            messages[0],
            "0.015 at year 3 is below 0.02 at year 2 (line 3) for rating `X1`; expected \
             cumulative values that do not decrease with the year"
        );
    }

    #[test]
    fn values_do_not_decrease_to_worse_ratings() {
        let mut rows = good();
        rows[3].expected_loss = Some(0.004);
        let (found, messages) = problems(&rows);
        assert_eq!(found, [at(5, "expected_loss")]);
        assert!(
            messages[0].starts_with(
                "0.004 for rating `X2` is below 0.005 for the better rating `X1` (line 2) at year 1"
            ),
            "{messages:?}"
        );
    }

    #[test]
    fn expected_loss_is_given_on_every_row_or_none() {
        let mut rows = good();
        rows[3].expected_loss = None;
        let (found, messages) = problems(&rows);
        assert_eq!(found, [at(5, "expected_loss")]);
        assert!(messages[0].starts_with("is empty but is given on line 2"));
    }

    #[test]
    fn expected_loss_is_at_most_the_default_probability() {
        let mut rows = good();
        rows[0].expected_loss = Some(0.011);
        rows[1].expected_loss = Some(0.011);
        rows[3].expected_loss = Some(0.015);
        let (found, messages) = problems(&rows);
        assert_eq!(found, [at(2, "expected_loss")]);
        assert!(messages[0].starts_with("0.011 is above the row's default_probability 0.01"));
    }

    #[test]
    fn a_table_needs_rows_and_rating_names() {
        let (found, _) = problems(&[]);
        assert_eq!(found, [(None, String::new())]);
        let mut rows = good();
        rows[0].rating = " X1".into();
        let (found, _) = problems(&rows[..1]);
        assert_eq!(found, [at(2, "rating")]);
    }
}
