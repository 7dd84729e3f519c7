//! The idealized rating table CSV named by `[implied_rating] table`: one
//! row per rating and year (long format), read with the project list's CSV
//! machinery and checked by [`ByYearTable::new`].

use super::csv_source::{Cells, CsvFile, Schema};
use super::error::Diagnostic;
use super::idealized::{ByYearTable, IdealizedRow};

/// The columns of the table, in documentation order.
pub const COLUMNS: [&str; 4] = ["rating", "year", "default_probability", "expected_loss"];

/// The columns every header must have (`expected_loss` may be left out).
const REQUIRED: [&str; 3] = ["rating", "year", "default_probability"];

/// What was read from the table.
pub(crate) struct IdealizedRead {
    /// The table, if every rule holds.
    pub table: Option<ByYearTable>,
    /// Every problem found (no file set).
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the bytes of the table; `source` is cited in reports.
///
/// While a cell cannot be read, only the rules of the rows read in full
/// are checked (the rules across rows would be checked against a guess).
pub(crate) fn read_idealized_table(bytes: &[u8], source: &str) -> IdealizedRead {
    let expected = format!(
        "the columns {} and optionally {}",
        REQUIRED.join(", "),
        COLUMNS[3]
    );
    let file = CsvFile::open(
        bytes,
        &Schema {
            known: &COLUMNS,
            required: &REQUIRED,
            expected: &expected,
        },
    );
    let mut rows = Vec::new();
    let read = file.rows(|cells| rows.extend(row(cells)));
    let mut diagnostics = read.diagnostics;
    if !diagnostics.is_empty() {
        diagnostics.extend(rows.iter().flat_map(IdealizedRow::problems));
        diagnostics.sort_by_key(|d| d.line);
        return IdealizedRead {
            table: None,
            diagnostics,
        };
    }
    if rows.is_empty() {
        let message = "the table has no rows; expected one row per rating and year";
        return IdealizedRead {
            table: None,
            diagnostics: vec![Diagnostic::new("", message).at_line(Some(1))],
        };
    }
    match ByYearTable::new(source, &rows) {
        Ok(table) => IdealizedRead {
            table: Some(table),
            diagnostics,
        },
        Err(problems) => IdealizedRead {
            table: None,
            diagnostics: problems,
        },
    }
}

/// The row, if every cell of it could be read.
fn row(c: &mut Cells<'_>) -> Option<IdealizedRow> {
    let row = IdealizedRow {
        rating: c.parse("rating", String::new(), |text| Ok(text.to_owned())),
        year: c.parse("year", 0, |text| {
            // Bounded so that a typo (year 4000000000) cannot make the
            // table's year-by-year layout take gigabytes.
            let max = super::validate::MAX_HORIZON_YEARS as u32;
            text.parse()
                .ok()
                .filter(|year: &u32| (1..=max).contains(year))
                .ok_or_else(|| {
                    format!(
                        "`{text}` is not a year of the table; expected a whole number from 1 to {max} \
                         (years count from 1)"
                    )
                })
        }),
        default_probability: c.number("default_probability"),
        expected_loss: c
            .optional("expected_loss")
            .map(|_| c.number("expected_loss")),
        line: c.line(),
    };
    let failed = COLUMNS.iter().any(|column| c.failed(column));
    (!failed).then_some(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "rating,year,default_probability,expected_loss\n";

    fn with_header(body: &str) -> IdealizedRead {
        read_idealized_table(format!("{HEADER}{body}").as_bytes(), "test")
    }

    fn located(read: &IdealizedRead) -> Vec<(Option<usize>, &str)> {
        crate::spec::test_support::located(&read.diagnostics)
    }

    #[test]
    fn reads_a_long_table_with_or_without_expected_losses() {
        let read = with_header("X1,1,0.01,0.005\nX1,2,0.02,0.01\nX2,1,0.03,0.01\nX2,2,0.04,0.02\n");
        assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
        let table = read.table.unwrap();
        assert_eq!(table.ratings(), ["X1", "X2"]);
        assert_eq!(table.expected_loss(1), Some(&[0.01, 0.02][..]));
        let read = with_header("X1,1,0.01,\nX1,2,0.02,\n");
        assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
        assert_eq!(read.table.unwrap().expected_loss(0), None);
        // The expected_loss column may be left out of the header.
        let read = read_idealized_table(b"Rating,YEAR,default_probability\nX1,1,0.5\n", "s");
        assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
        assert_eq!(read.table.unwrap().default_probability(0), [0.5]);
    }

    #[test]
    fn cells_that_cannot_be_read_are_reported_once() {
        let read = with_header("X1,1,0.01,\nX1,two,0.02,\nX1,3,1%,\n,4,0.05,\nX1,5,2,\n");
        assert!(read.table.is_none());
        assert_eq!(
            located(&read),
            [
                (Some(3), "year"),
                (Some(4), "default_probability"),
                (Some(5), "rating"),
                (Some(6), "default_probability"),
            ]
        );
        let messages: Vec<_> = read.diagnostics.iter().map(|d| &d.message).collect();
        assert!(
            messages[0].starts_with("`two` is not a year"),
            "{messages:?}"
        );
        assert!(
            messages[1].starts_with("`1%` is not a number"),
            "{messages:?}"
        );
        assert!(
            messages[2].starts_with("is empty; expected a value"),
            "{messages:?}"
        );
        // Rows read in full still get their own rules; the gap in the
        // years is not reported (rows 2 and 3 could not be read).
        assert!(messages[3].starts_with("2 is not a cumulative default probability"));
    }

    #[test]
    fn header_problems_are_reported_on_line_1() {
        let read = read_idealized_table(b"rating,yr,default_probability,pd\nX1,1,0.1,0.1\n", "s");
        assert_eq!(
            located(&read),
            [(Some(1), "yr"), (Some(1), "pd"), (Some(1), "year")]
        );
        let read = read_idealized_table(b"", "s");
        assert_eq!(located(&read), [(Some(1), "")]);
        assert!(read.diagnostics[0].message.starts_with("no header row"));
        let read = with_header("");
        assert_eq!(located(&read), [(Some(1), "")]);
        assert!(
            read.diagnostics[0]
                .message
                .starts_with("the table has no rows")
        );
    }

    #[test]
    fn ragged_rows_and_table_rules_name_line_and_column() {
        let read = with_header("X1,1,0.01\n");
        assert_eq!(located(&read), [(Some(2), "")]);
        let read = with_header("X1,1,0.02,\nX1,2,0.01,\n");
        assert_eq!(located(&read), [(Some(3), "default_probability")]);
    }
}
