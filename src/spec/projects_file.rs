//! `projects.csv`: one loan per row, header required, columns in any order.
//!
//! Every row is read even when others are bad. A cell that cannot be read is
//! reported, recorded in `failed` and replaced by a placeholder, so the other
//! cells of the row can still be range-checked.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use chrono::NaiveDate;
use csv::StringRecord;

use super::dates::parse_date_text;
use super::error::Diagnostic;
use super::money::parse_decimal_text;
use super::types::{Amortization, PdSource, ProjectSpec, Segment};
use super::words::{AMORTIZATIONS, SEGMENTS, parse_choice};

/// The columns of the project list, in documentation order.
pub const COLUMNS: [&str; 18] = [
    "id",
    "name",
    "mineral",
    "segment",
    "country",
    "sponsor_nexus",
    "amount",
    "coupon",
    "start_date",
    "maturity_date",
    "amortization",
    "annual_pd",
    "rating",
    "pd_curve",
    "recovery_mean",
    "recovery_sd",
    "construction_end",
    "region",
];

/// The columns naming a project's PD source: the header has at least one of
/// them and every row exactly one non-empty.
pub const PD_COLUMNS: [&str; 3] = ["annual_pd", "rating", "pd_curve"];

/// Columns that may be left out of the header; an empty cell is no value.
pub const OPTIONAL_COLUMNS: [&str; 2] = ["construction_end", "region"];

/// The columns every header must have.
fn required_columns() -> impl Iterator<Item = &'static str> {
    COLUMNS
        .into_iter()
        .filter(|c| !PD_COLUMNS.contains(c) && !OPTIONAL_COLUMNS.contains(c))
}

/// What a header row must contain, for messages.
fn expected_header() -> String {
    format!(
        "the columns {}, at least one of {}, and optionally {}",
        required_columns().collect::<Vec<_>>().join(", "),
        PD_COLUMNS.join(", "),
        OPTIONAL_COLUMNS.join(", ")
    )
}

/// At most this many problems are reported for one file.
const MAX_REPORTED: usize = 500;

/// What was read from the project list.
pub(crate) struct ProjectsRead {
    /// One project per data row that had the header's number of cells.
    pub projects: Vec<ProjectSpec>,
    /// `(line, column)` of every cell that could not be read.
    pub failed: BTreeSet<(usize, String)>,
    /// Every problem found (no file set).
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the bytes of the project list.
pub(crate) fn read_projects(bytes: &[u8]) -> ProjectsRead {
    let mut csv = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = Rows {
        read: ProjectsRead {
            projects: Vec::new(),
            failed: BTreeSet::new(),
            diagnostics: Vec::new(),
        },
        columns: BTreeMap::new(),
        width: 0,
    };
    match csv.headers() {
        Ok(header) if header.iter().all(str::is_empty) => {
            let message = format!("no header row; expected {}", expected_header());
            rows.report(Some(1), "", message);
        }
        Ok(header) => rows.header(&header.clone()),
        Err(e) => rows.report(Some(1), "", format!("cannot read the header row: {e}")),
    }
    if !rows.read.diagnostics.is_empty() && rows.columns.is_empty() {
        return rows.read;
    }
    for record in csv.records() {
        if rows.read.diagnostics.len() >= MAX_REPORTED {
            break;
        }
        match record {
            Ok(record) => rows.row(&record),
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize);
                rows.report(line, "", format!("cannot read the row: {e}"));
            }
        }
    }
    rows.read
}

/// Reading state: the header's column positions and the results so far.
struct Rows {
    read: ProjectsRead,
    columns: BTreeMap<&'static str, usize>,
    width: usize,
}

impl Rows {
    fn report(&mut self, line: Option<usize>, field: &str, message: String) {
        let diag = Diagnostic::new(field, message).at_line(line);
        self.read.diagnostics.push(diag);
    }

    fn header(&mut self, header: &StringRecord) {
        self.width = header.len();
        for (position, name) in header.iter().enumerate() {
            let wanted = name.to_ascii_lowercase();
            match COLUMNS.iter().find(|c| **c == wanted) {
                Some(column) if self.columns.contains_key(column) => {
                    self.report(Some(1), name, "column appears twice in the header".into());
                }
                Some(column) => {
                    self.columns.insert(column, position);
                }
                None => {
                    let message = format!("unknown column; expected only {}", COLUMNS.join(", "));
                    self.report(Some(1), name, message);
                }
            }
        }
        let missing: Vec<_> = required_columns()
            .filter(|c| !self.columns.contains_key(c))
            .collect();
        for column in missing {
            self.report(
                Some(1),
                column,
                "column is missing from the header row".into(),
            );
        }
        if !PD_COLUMNS.iter().any(|c| self.columns.contains_key(c)) {
            let message = format!(
                "column is missing from the header row, and so are {}; expected at least one of the PD columns {}",
                PD_COLUMNS[1..].join(" and "),
                PD_COLUMNS.join(", ")
            );
            self.report(Some(1), PD_COLUMNS[0], message);
        }
    }

    fn row(&mut self, record: &StringRecord) {
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.len() != self.width {
            let message = format!(
                "the row has {} cells but the header has {}; quote cells that contain commas",
                record.len(),
                self.width
            );
            self.report(Some(line), "", message);
            return;
        }
        let project = Cells {
            rows: self,
            record,
            line,
        }
        .project();
        self.read.projects.push(project);
    }
}

/// One data row being converted.
struct Cells<'a> {
    rows: &'a mut Rows,
    record: &'a StringRecord,
    line: usize,
}

impl<'a> Cells<'a> {
    /// The cell of `column`, if the header has it (otherwise already reported).
    fn cell(&mut self, column: &str) -> Option<&'a str> {
        let record: &'a StringRecord = self.record;
        let cell = self.rows.columns.get(column).and_then(|i| record.get(*i));
        if cell.is_none() {
            self.rows.read.failed.insert((self.line, column.to_owned()));
        }
        cell
    }

    /// Parses the cell of `column`, reporting a failure and using `fallback`.
    fn parse<T>(
        &mut self,
        column: &str,
        fallback: T,
        f: impl FnOnce(&str) -> Result<T, String>,
    ) -> T {
        let Some(text) = self.cell(column) else {
            return fallback;
        };
        let result = if text.is_empty() {
            Err("is empty; expected a value".to_owned())
        } else {
            f(text)
        };
        result.unwrap_or_else(|message| {
            self.rows.report(Some(self.line), column, message);
            self.rows.read.failed.insert((self.line, column.to_owned()));
            fallback
        })
    }

    fn text(&mut self, column: &str) -> String {
        self.cell(column).unwrap_or_default().to_owned()
    }

    /// The cell of an optional column: `None` if the header lacks the
    /// column or the cell is empty.
    fn optional(&self, column: &str) -> Option<&'a str> {
        let record: &'a StringRecord = self.record;
        let cell = self.rows.columns.get(column).and_then(|i| record.get(*i));
        cell.filter(|text| !text.is_empty())
    }

    /// An optional date: empty is `None`; a bad date is reported.
    fn optional_date(&mut self, column: &str) -> Option<NaiveDate> {
        self.optional(column)?;
        Some(self.date(column)).filter(|_| !self.failed(column))
    }

    fn failed(&self, column: &str) -> bool {
        self.rows
            .read
            .failed
            .contains(&(self.line, column.to_owned()))
    }

    /// The one non-empty PD column of the row.
    fn pd(&mut self) -> PdSource {
        let present: Vec<_> = PD_COLUMNS
            .into_iter()
            .filter(|c| self.rows.columns.contains_key(c))
            .collect();
        let given: Vec<_> = present
            .iter()
            .filter_map(|c| self.optional(c).map(|text| (*c, text)))
            .collect();
        let problem = match (given.as_slice(), present.as_slice()) {
            ([("annual_pd", _)], _) => return PdSource::AnnualPd(self.number("annual_pd")),
            ([("rating", text)], _) => return PdSource::Rating((*text).to_owned()),
            ([(_, text)], _) => return PdSource::Curve((*text).to_owned()),
            // No PD column: already reported on the header.
            (_, []) => None,
            ([], [only]) => Some((
                *only,
                "is empty; expected a value (every row needs a PD source)".to_owned(),
            )),
            ([], [first, second]) => Some((
                *first,
                format!("{first} and {second} are both empty; expected exactly one of them on every row"),
            )),
            ([], _) => Some((
                PD_COLUMNS[0],
                "annual_pd, rating and pd_curve are all empty; expected exactly one of them on every row".to_owned(),
            )),
            ([(first, _), (second, _), ..], _) => Some((
                *second,
                format!(
                    "`{first}` is also given; expected exactly one of {} on every row",
                    PD_COLUMNS.join(", ")
                ),
            )),
        };
        if let Some((column, message)) = problem {
            self.rows.report(Some(self.line), column, message);
        }
        for column in PD_COLUMNS {
            self.rows.read.failed.insert((self.line, column.to_owned()));
        }
        PdSource::AnnualPd(f64::NAN)
    }

    fn number(&mut self, column: &str) -> f64 {
        self.parse(column, 0.0, |text| {
            f64::from_str(text)
                .map_err(|_| format!("`{text}` is not a number; expected e.g. 0.085"))
        })
    }

    fn date(&mut self, column: &str) -> NaiveDate {
        self.parse(column, NaiveDate::MIN, parse_date_text)
    }

    fn project(mut self) -> ProjectSpec {
        ProjectSpec {
            id: self.text("id"),
            name: self.text("name"),
            mineral: self.text("mineral").to_lowercase(),
            segment: self.parse("segment", Segment::Extraction, |t| {
                parse_choice(t, SEGMENTS)
            }),
            country: self.text("country"),
            sponsor_nexus: self.nexus(),
            amount: self.parse("amount", Default::default(), parse_decimal_text),
            coupon: self.number("coupon"),
            start_date: self.date("start_date"),
            maturity_date: self.date("maturity_date"),
            amortization: self.parse("amortization", Amortization::Bullet, |t| {
                parse_choice(t, AMORTIZATIONS)
            }),
            pd: self.pd(),
            construction_end: self.optional_date("construction_end"),
            region: self.optional("region").map(str::to_owned),
            recovery_mean: self.number("recovery_mean"),
            recovery_sd: self.number("recovery_sd"),
            line: self.line,
        }
    }

    /// `US;KR` -> `["US", "KR"]`, upper-cased; empty -> no codes.
    fn nexus(&mut self) -> Vec<String> {
        let text = self.text("sponsor_nexus");
        if text.is_empty() {
            return Vec::new();
        }
        text.split(';')
            .map(|code| code.trim().to_ascii_uppercase())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id,name,mineral,segment,country,sponsor_nexus,amount,coupon,\
                          start_date,maturity_date,amortization,annual_pd,recovery_mean,recovery_sd\n";

    #[test]
    fn reads_a_row_in_any_column_order_and_normalises() {
        let text = "recovery_sd,id,name,mineral,segment,country,sponsor_nexus,amount,coupon,\
                    start_date,maturity_date,amortization,annual_pd,recovery_mean\n\
                    0.2,P1, Mine ,Rare_Earths,Processing,Chile,us; kr,25000000.00,0.085,\
                    2026-01-01,2031-01-01,linear,0.02,0.4\n";
        let read = read_projects(text.as_bytes());
        assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
        let p = &read.projects[0];
        assert_eq!(p.name, "Mine");
        assert_eq!(p.mineral, "rare_earths");
        assert_eq!(p.segment, Segment::Processing);
        assert_eq!(p.sponsor_nexus, ["US", "KR"]);
        assert_eq!(p.amount.to_string(), "25000000.00");
        assert_eq!(p.amortization, Amortization::Linear);
        assert_eq!(p.line, 2);
    }

    #[test]
    fn reports_every_bad_cell_with_its_line() {
        let text = format!(
            "{HEADER}P1,A,lithium,mining,Chile,US,1e6,x,2026-13-01,2030-01-01,bullet,0.02,0.4,0.1\n\
             P2,B,lithium,extraction,Chile,US,100,0.05,2026-01-01,2030-01-01,balloon,0.02,0.4,0.1\n"
        );
        let read = read_projects(text.as_bytes());
        let found: Vec<_> = read
            .diagnostics
            .iter()
            .map(|d| (d.line, d.field.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (Some(2), "segment"),
                (Some(2), "amount"),
                (Some(2), "coupon"),
                (Some(2), "start_date"),
                (Some(3), "amortization"),
            ]
        );
        assert_eq!(read.projects.len(), 2);
        assert!(read.failed.contains(&(3, "amortization".to_owned())));
    }

    #[test]
    fn header_problems_are_all_reported() {
        let text = "id,name,colour,id\nP1,A,red,P1\n";
        let read = read_projects(text.as_bytes());
        let fields: Vec<_> = read.diagnostics.iter().map(|d| d.field.as_str()).collect();
        assert!(fields.contains(&"colour"));
        assert!(fields.contains(&"id"));
        assert!(fields.contains(&"amount"));
        assert!(read.diagnostics.iter().all(|d| d.line == Some(1)));
    }

    #[test]
    fn an_empty_file_is_one_problem() {
        let read = read_projects(b"");
        assert_eq!(read.diagnostics.len(), 1);
        assert!(read.diagnostics[0].message.starts_with("no header row"));
    }

    /// Header and rows of a list with every PD column and both optional
    /// columns; each row gives id, annual_pd, rating, pd_curve,
    /// construction_end, region.
    fn risk_list(rows: &[&str]) -> ProjectsRead {
        let mut text = "id,name,mineral,segment,country,sponsor_nexus,amount,coupon,start_date,\
                        maturity_date,amortization,recovery_mean,recovery_sd,\
                        annual_pd,rating,pd_curve,construction_end,region\n"
            .to_owned();
        for row in rows {
            text.push_str(&format!(
                "{},A,lithium,extraction,Chile,US,100,0.05,2026-01-01,2030-01-01,bullet,0.4,0.1,{}\n",
                &row[..2],
                &row[3..]
            ));
        }
        read_projects(text.as_bytes())
    }

    fn located(read: &ProjectsRead) -> Vec<(Option<usize>, &str)> {
        read.diagnostics
            .iter()
            .map(|d| (d.line, d.field.as_str()))
            .collect()
    }

    #[test]
    fn each_row_has_exactly_one_pd_source() {
        let read = risk_list(&[
            "P1,0.02,,,,",
            "P2,, Baa2 ,,,",
            "P3,,,ramp,2027-06-30, Andes ",
        ]);
        assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
        let p: Vec<_> = read
            .projects
            .iter()
            .map(|p| (&p.pd, p.construction_end, p.region.as_deref()))
            .collect();
        let end = NaiveDate::from_ymd_opt(2027, 6, 30);
        assert_eq!(
            p,
            [
                (&PdSource::AnnualPd(0.02), None, None),
                (&PdSource::Rating("Baa2".into()), None, None),
                (&PdSource::Curve("ramp".into()), end, Some("Andes")),
            ]
        );
        let read = risk_list(&[
            "P1,0.02,B1,,,",
            "P2,,,,,",
            "P3,x,,,,",
            "P4,,B1,c,2027-02-30,",
        ]);
        assert_eq!(
            located(&read),
            [
                (Some(2), "rating"),
                (Some(3), "annual_pd"),
                (Some(4), "annual_pd"),
                (Some(5), "pd_curve"),
                (Some(5), "construction_end"),
            ]
        );
        assert!(
            read.diagnostics[0]
                .message
                .starts_with("`annual_pd` is also given")
        );
        assert!(
            read.diagnostics[1]
                .message
                .starts_with("annual_pd, rating and pd_curve are all empty")
        );
        for column in PD_COLUMNS {
            assert!(read.failed.contains(&(2, column.to_owned())));
        }
        assert!(read.failed.contains(&(5, "construction_end".to_owned())));
        assert_eq!(read.projects[3].construction_end, None);
    }

    /// One row under `header`, whose PD cells (each followed by a comma)
    /// are `pd_cells`.
    fn one_row(header: &str, pd_cells: &str) -> ProjectsRead {
        let text = format!(
            "{header}P1,A,lithium,extraction,Chile,US,100,0.05,\
             2026-01-01,2030-01-01,bullet,{pd_cells}0.4,0.1\n"
        );
        read_projects(text.as_bytes())
    }

    #[test]
    fn pd_columns_and_optional_columns_may_be_left_out() {
        let header = HEADER.replace("annual_pd", "rating");
        let read = one_row(&header, "Ba1,");
        assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
        assert_eq!(read.projects[0].pd, PdSource::Rating("Ba1".into()));
        let read = one_row(&header, ",");
        assert_eq!(located(&read), [(Some(2), "rating")]);
        let message = &read.diagnostics[0].message;
        assert!(
            message.starts_with("is empty; expected a value"),
            "{message}"
        );
        let read = one_row(&HEADER.replace("annual_pd", "annual_pd,pd_curve"), ",,");
        assert_eq!(located(&read), [(Some(2), "annual_pd")]);
        let message = &read.diagnostics[0].message;
        assert!(
            message.starts_with("annual_pd and pd_curve are both empty"),
            "{message}"
        );
    }

    #[test]
    fn a_header_without_pd_column_is_one_problem() {
        let read = one_row(&HEADER.replace("annual_pd,", ""), "");
        assert_eq!(located(&read), [(Some(1), "annual_pd")]);
        assert!(read.failed.contains(&(2, "pd_curve".to_owned())));
    }

    #[test]
    fn ragged_rows_are_reported() {
        let text = format!("{HEADER}P1,A\n");
        let read = read_projects(text.as_bytes());
        assert_eq!(read.diagnostics[0].line, Some(2));
        assert!(read.projects.is_empty());
    }
}
