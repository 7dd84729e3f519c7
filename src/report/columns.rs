//! Output columns defined once, as data: each column's name, unit and
//! meaning, and how its cell is read from the aggregated statistics. The
//! CSV writers, the terminal table and the HTML page all read these
//! definitions, and a test checks docs/outputs.md against them, so a new
//! column is one definition (plus the statistic it reads).

use std::borrow::Borrow;
use std::io::{self, Write};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{format_float, neutralise};
use crate::format;
use crate::money::Money;

/// What a column's values measure. [`Unit::as_str`] is the word
/// docs/outputs.md uses in its `unit` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Names and labels.
    Text,
    /// An amount of the facility's currency, in currency units (not cents).
    Currency,
    /// A fraction of a tranche's (or party's) notional.
    FractionOfNotional,
    /// A fraction of the pool's principal.
    FractionOfPool,
    /// A fraction of the facility's capital.
    FractionOfCapital,
    /// A plain fraction (a share of a total).
    Fraction,
    /// A probability (a share of paths).
    Probability,
    /// An annual rate (0.05 = 5%).
    AnnualRate,
    /// A multiple of the amount invested.
    Multiple,
    /// Years.
    Years,
    /// A count of things (loans, defaults, paths).
    Count,
    /// A count of paths.
    Paths,
    /// A ratio of two amounts.
    Ratio,
    /// A position (period number, step number).
    Index,
    /// A calendar date (ISO 8601).
    Date,
    /// The statistic an implied rating compares: a probability or a
    /// fraction of notional, by basis.
    RatingMetric,
    /// The unit of the row's metric (named in the row).
    AsMetric,
}

impl Unit {
    /// The unit as docs/outputs.md writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Text => "text",
            Unit::Currency => "currency",
            Unit::FractionOfNotional => "fraction of notional",
            Unit::FractionOfPool => "fraction of pool principal",
            Unit::FractionOfCapital => "fraction of capital",
            Unit::Fraction => "fraction",
            Unit::Probability => "probability",
            Unit::AnnualRate => "annual rate",
            Unit::Multiple => "multiple",
            Unit::Years => "years",
            Unit::Count => "count",
            Unit::Paths => "paths",
            Unit::Ratio => "ratio",
            Unit::Index => "index",
            Unit::Date => "date",
            Unit::RatingMetric => "probability or fraction of notional",
            Unit::AsMetric => "as metric",
        }
    }

    /// A float for a person to read, as [`crate::format`] writes it:
    /// percentages for fractions, probabilities and rates (two decimals),
    /// multiples as `1.38x`, years as `6.6 y`; `n/a` when undefined (NaN).
    pub fn show(self, x: f64) -> String {
        if x.is_nan() {
            return format::UNDEFINED.into();
        }
        match self {
            Unit::FractionOfNotional
            | Unit::FractionOfPool
            | Unit::FractionOfCapital
            | Unit::Fraction
            | Unit::Probability
            | Unit::AnnualRate
            | Unit::RatingMetric => format::percent(x),
            Unit::Multiple => format::multiple(x),
            Unit::Ratio => format::grouped(x, 3),
            Unit::Years => format::years(x),
            Unit::Currency => format::grouped(x, 2),
            _ => format_float(x),
        }
    }
}

impl Unit {
    /// Decimals a CSV file writes a float of this unit with (trailing
    /// zeros dropped): amounts to the cent, years to the second-ish (six),
    /// everything else (fractions, probabilities, rates, multiples, ratios,
    /// and statistics of counts such as a mean number of defaults and its
    /// standard error) to ten, a millionth of a basis point. Whole counts
    /// are [`Value::Count`] and written exactly.
    pub fn csv_decimals(self) -> usize {
        match self {
            Unit::Currency => 2,
            Unit::Years => 6,
            _ => 10,
        }
    }
}

/// A float for a CSV cell: rounded to `decimals` decimals, trailing zeros
/// dropped, never `-0`; empty when undefined (NaN). Infinities are written
/// as `inf` and `-inf`.
pub fn csv_float(x: f64, decimals: usize) -> String {
    if x.is_nan() {
        return String::new();
    }
    if x.is_infinite() {
        return format_float(x);
    }
    let text = format!("{x:.decimals$}");
    let text = match text.contains('.') {
        true => text.trim_end_matches('0').trim_end_matches('.'),
        false => text.as_str(),
    };
    match text {
        "-0" => "0".into(),
        _ => text.into(),
    }
}

/// One cell before it is written: the writer decides how it looks.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text from the user's inputs (a name): written so that a spreadsheet
    /// does not read it as a formula.
    Name(String),
    /// The program's own words (a class, a kind, a basis).
    Word(&'static str),
    /// A statistic; written with its column unit's decimals
    /// ([`Unit::csv_decimals`]), empty when NaN.
    Float(f64),
    /// An exact amount in minor units, written in currency units.
    Money(Money),
    /// An exact amount already in currency units.
    Decimal(Decimal),
    /// A whole number.
    Count(u64),
    /// A calendar date, written `YYYY-MM-DD`.
    Date(NaiveDate),
    /// Does not apply to the row.
    Empty,
}

impl Value {
    /// The cell as a CSV writes it; `digits` is the currency's minor-unit
    /// digits.
    pub fn csv_cell(&self, digits: u32) -> String {
        match self {
            Value::Name(text) => neutralise(text),
            Value::Word(word) => (*word).to_owned(),
            Value::Float(x) => format_float(*x),
            Value::Money(amount) => amount.to_decimal(digits).to_string(),
            Value::Decimal(amount) => amount.to_string(),
            Value::Count(n) => n.to_string(),
            Value::Date(date) => date.to_string(),
            Value::Empty => String::new(),
        }
    }

    /// The number in the cell, if it holds a float.
    pub fn float(&self) -> Option<f64> {
        match self {
            Value::Float(x) => Some(*x),
            _ => None,
        }
    }
}

/// One column of a table whose rows are `R`.
pub struct Column<R: ?Sized> {
    /// Header cell, as in docs/outputs.md.
    pub name: &'static str,
    /// What the values measure.
    pub unit: Unit,
    /// What the column holds, in one line.
    pub description: &'static str,
    /// The row's cell.
    pub value: fn(&R) -> Value,
}

impl<R: ?Sized> Column<R> {
    /// The row's cell in this column.
    pub fn of(&self, row: &R) -> Value {
        (self.value)(row)
    }

    /// The row's cell as a CSV file writes it: a float with the unit's
    /// decimals, anything else as [`Value::csv_cell`] writes it.
    pub fn csv_cell(&self, row: &R, digits: u32) -> String {
        match self.of(row) {
            Value::Float(x) => csv_float(x, self.unit.csv_decimals()),
            other => other.csv_cell(digits),
        }
    }

    /// The row's cell as a person reads it (see [`Unit::show`]).
    pub fn show(&self, row: &R) -> String {
        match self.of(row) {
            Value::Float(x) => self.unit.show(x),
            other => other.csv_cell(0),
        }
    }
}

/// A file's columns with their names, units and descriptions, for checks
/// against the documentation and for other writers (a workbook).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDoc {
    /// Header cell.
    pub name: &'static str,
    /// Unit as docs/outputs.md writes it.
    pub unit: &'static str,
    /// One-line description.
    pub description: &'static str,
}

/// The documentation of every column of `columns`, in order.
pub fn column_docs<R: ?Sized>(columns: &[&Column<R>]) -> Vec<ColumnDoc> {
    columns
        .iter()
        .map(|c| ColumnDoc {
            name: c.name,
            unit: c.unit.as_str(),
            description: c.description,
        })
        .collect()
}

/// The header cells of `columns`.
pub fn header<R: ?Sized>(columns: &[&Column<R>]) -> Vec<&'static str> {
    columns.iter().map(|c| c.name).collect()
}

/// One row's CSV cells in `columns` order.
pub fn csv_record<R: ?Sized>(columns: &[&Column<R>], row: &R, digits: u32) -> Vec<String> {
    columns.iter().map(|c| c.csv_cell(row, digits)).collect()
}

/// Writes a CSV file: the header, then one record per row; `digits` is the
/// currency's minor-unit digits (for [`Value::Money`] cells).
pub fn write_columns<R, B: Borrow<R>>(
    out: &mut dyn Write,
    columns: &[&Column<R>],
    rows: impl IntoIterator<Item = B>,
    digits: u32,
) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(header(columns))?;
    for row in rows {
        csv.write_record(csv_record(columns, row.borrow(), digits))?;
    }
    csv.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Row {
        name: &'static str,
        loss: f64,
    }

    const NAME: Column<Row> = Column {
        name: "name",
        unit: Unit::Text,
        description: "the row's name",
        value: |r| Value::Name(r.name.to_owned()),
    };
    const LOSS: Column<Row> = Column {
        name: "loss",
        unit: Unit::FractionOfNotional,
        description: "a loss",
        value: |r| Value::Float(r.loss),
    };

    #[test]
    fn a_table_is_its_header_then_one_record_per_row() {
        let mut out = Vec::new();
        let rows = [
            Row {
                name: "=A1",
                loss: 0.25,
            },
            Row {
                name: "b",
                loss: f64::NAN,
            },
        ];
        write_columns(&mut out, &[&NAME, &LOSS], &rows, 2).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "name,loss\n'=A1,0.25\nb,\n"
        );
    }

    #[test]
    fn cells_for_people_follow_the_unit() {
        let row = Row {
            name: "a",
            loss: 0.012_34,
        };
        assert_eq!(LOSS.show(&row), "1.23%");
        assert_eq!(Unit::Years.show(7.26), "7.3 y");
        assert_eq!(Unit::Multiple.show(1.0), "1.00x");
        assert_eq!(Unit::Ratio.show(1.1), "1.100");
        assert_eq!(Unit::AnnualRate.show(f64::NAN), "n/a");
    }

    #[test]
    fn csv_floats_have_their_units_decimals() {
        // 20 digits of a mean become ten decimals, trailing zeros dropped.
        assert_eq!(csv_float(0.091_038_765_432_109_87, 10), "0.0910387654");
        assert_eq!(csv_float(0.25, 10), "0.25");
        assert_eq!(csv_float(-1e-12, 10), "0");
        assert_eq!(csv_float(1_234_567.891, 2), "1234567.89");
        assert_eq!(csv_float(7.0, 0), "7");
        // A mean number of defaults and its standard error keep their
        // decimals (a count unit's float is a statistic, not a count).
        let decimals = Unit::Count.csv_decimals();
        assert_eq!(csv_float(15.234_56, decimals), "15.23456");
        assert_eq!(csv_float(0.012_3, decimals), "0.0123");
        assert_eq!(csv_float(f64::NAN, 10), "");
        assert_eq!(csv_float(f64::NEG_INFINITY, 10), "-inf");
    }

    #[test]
    fn money_is_written_exactly_in_currency_units() {
        assert_eq!(
            Value::Money(Money::from_minor(112_500_000_000)).csv_cell(2),
            "1125000000.00"
        );
        assert_eq!(Value::Count(7).csv_cell(2), "7");
        assert_eq!(Value::Empty.csv_cell(2), "");
    }
}
