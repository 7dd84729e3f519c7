//! `projects.csv`: one loan per row, header required, columns in any order.
//!
//! Every row is read even when others are bad (see [`super::csv_source`]).

use std::collections::BTreeSet;

use super::csv_source::{Cells, CsvFile, Schema};
use super::error::Diagnostic;
use super::money::parse_decimal_text;
use super::types::{Amortization, PdSource, ProjectSpec, Segment};
use super::words::{AMORTIZATIONS, SEGMENTS, parse_choice};

/// The columns of the project list, in documentation order.
pub const COLUMNS: [&str; 21] = [
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
    "draws",
    "capitalise_until",
    "sponsor",
];

/// The columns naming a project's PD source: the header has at least one of
/// them and every row exactly one non-empty.
pub const PD_COLUMNS: [&str; 3] = ["annual_pd", "rating", "pd_curve"];

/// Columns that may be left out of the header; an empty cell is no value.
pub const OPTIONAL_COLUMNS: [&str; 5] = [
    "construction_end",
    "region",
    "draws",
    "capitalise_until",
    "sponsor",
];

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
    let required: Vec<&str> = required_columns().collect();
    let expected = expected_header();
    let mut file = CsvFile::open(
        bytes,
        &Schema {
            known: &COLUMNS,
            required: &required,
            expected: &expected,
        },
    );
    if file.read.has_header() && !PD_COLUMNS.iter().any(|c| file.read.has(c)) {
        let message = format!(
            "column is missing from the header row, and so are {}; expected at least one of the PD columns {}",
            PD_COLUMNS[1..].join(" and "),
            PD_COLUMNS.join(", ")
        );
        file.read.report(Some(1), PD_COLUMNS[0], message);
    }
    let mut projects = Vec::new();
    let read = file.rows(|cells| projects.push(project(cells)));
    one_spelling_per_group(&mut projects);
    ProjectsRead {
        projects,
        failed: read.failed,
        diagnostics: read.diagnostics,
    }
}

/// Countries and regions that differ only in case or spacing (`INDONESIA`,
/// `Indonesia`, `Viet  Nam`) are one group, so a concentration limit or a
/// factor cannot be escaped by spelling: every project takes the spelling
/// of the group's first row, with runs of spaces made one.
fn one_spelling_per_group(projects: &mut [ProjectSpec]) {
    let mut countries = std::collections::BTreeMap::new();
    let mut regions = std::collections::BTreeMap::new();
    for p in projects {
        p.country = first_spelling(&mut countries, &p.country);
        if let Some(region) = &p.region {
            p.region = Some(first_spelling(&mut regions, region));
        }
    }
}

/// The project list's spelling of the country or region `name` that a
/// selector (a scenario's, a nexus hazard's) names: the one of `listed`
/// that differs from it only in case or spacing, as the project list's own
/// rows are grouped (`INDONESIA` selects `Indonesia`); else `name` trimmed,
/// which the caller refuses as unknown.
pub(crate) fn listed_spelling<'a>(listed: impl IntoIterator<Item = &'a str>, name: &str) -> String {
    let key = |text: &str| {
        text.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let wanted = key(name);
    listed
        .into_iter()
        .find(|candidate| key(candidate) == wanted)
        .unwrap_or(name.trim())
        .to_owned()
}

/// The spelling `seen` holds for `name`'s group, recording `name`'s own
/// (spaces collapsed) if it is the first of its group.
fn first_spelling(seen: &mut std::collections::BTreeMap<String, String>, name: &str) -> String {
    let spaced = name.split_whitespace().collect::<Vec<_>>().join(" ");
    seen.entry(spaced.to_lowercase()).or_insert(spaced).clone()
}

/// The project of one data row.
fn project(c: &mut Cells<'_>) -> ProjectSpec {
    ProjectSpec {
        id: c.text("id"),
        name: c.text("name"),
        mineral: c.text("mineral").to_lowercase(),
        segment: c.parse("segment", Segment::Extraction, |t| {
            parse_choice(t, SEGMENTS)
        }),
        country: c.text("country"),
        sponsor_nexus: nexus(c),
        sponsor: c.optional("sponsor").map(str::to_owned),
        amount: c.parse("amount", Default::default(), parse_decimal_text),
        coupon: c.number("coupon"),
        start_date: c.date("start_date"),
        draws: match c.optional("draws") {
            Some(_) => c.parse("draws", Vec::new(), parse_draws),
            None => Vec::new(),
        },
        capitalise_until: c.optional_date("capitalise_until"),
        maturity_date: c.date("maturity_date"),
        amortization: c.parse("amortization", Amortization::Bullet, |t| {
            parse_choice(t, AMORTIZATIONS)
        }),
        pd: pd(c),
        construction_end: c.optional_date("construction_end"),
        region: c.optional("region").map(str::to_owned),
        recovery_mean: c.number("recovery_mean"),
        recovery_sd: c.number("recovery_sd"),
        line: c.line(),
    }
}

/// A draw schedule `DATE:SHARE;DATE:SHARE...` (shares of the amount as
/// exact decimals, e.g. `2027-01-01:0.4;2027-07-01:0.6`). The rules across
/// draws (order, dates, shares summing to 1) are checked by validation.
fn parse_draws(text: &str) -> Result<Vec<(chrono::NaiveDate, rust_decimal::Decimal)>, String> {
    text.split(';')
        .map(|part| {
            let (date, share) = part.trim().split_once(':').ok_or_else(|| {
                format!(
                    "`{part}` is not DATE:SHARE; expected draws such as 2027-01-01:0.4;2027-07-01:0.6"
                )
            })?;
            let date = super::dates::parse_date_text(date.trim())?;
            let share = parse_decimal_text(share.trim())
                .map_err(|_| format!("`{share}` is not a share; expected a decimal such as 0.4"))?;
            Ok((date, share))
        })
        .collect()
}

/// The one non-empty PD column of the row.
fn pd(c: &mut Cells<'_>) -> PdSource {
    let present: Vec<_> = PD_COLUMNS.into_iter().filter(|col| c.has(col)).collect();
    let given: Vec<_> = present
        .iter()
        .filter_map(|col| c.optional(col).map(|text| (*col, text)))
        .collect();
    let problem = match (given.as_slice(), present.as_slice()) {
        ([("annual_pd", _)], _) => return PdSource::AnnualPd(c.number("annual_pd")),
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
        c.report(column, message);
    }
    for column in PD_COLUMNS {
        c.mark_failed(column);
    }
    PdSource::AnnualPd(f64::NAN)
}

/// `US;KR` -> `["US", "KR"]`, each trimmed and kept as written (codes
/// resolve through the facility's alias table, in any case); empty -> no
/// codes.
fn nexus(c: &mut Cells<'_>) -> Vec<String> {
    let text = c.text("sponsor_nexus");
    if text.is_empty() {
        return Vec::new();
    }
    text.split(';').map(|code| code.trim().to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

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
        assert_eq!(p.sponsor_nexus, ["us", "kr"]);
        assert_eq!(p.amount.to_string(), "25000000.00");
        assert_eq!(p.amortization, Amortization::Linear);
        assert_eq!(p.line, 2);
    }

    fn row(id: &str, country: &str, region_cell: &str) -> String {
        format!(
            "{id},A,lithium,extraction,{country},US,100,0.05,2026-01-01,2030-01-01,bullet,0.02,0.4,0.1{region_cell}"
        )
    }

    #[test]
    fn countries_differing_in_case_or_spacing_are_one() {
        let header = HEADER.trim_end().to_owned() + ",region\n";
        let rows = [
            row("P1", "Indonesia", ",South-East Asia"),
            row("P2", "INDONESIA", ",south-east  asia"),
            row("P3", "  viet   nam ", ","),
            row("P4", "Viet Nam", ","),
        ];
        let read = read_projects((header + &rows.join("\n")).as_bytes());
        assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
        let countries: Vec<_> = read.projects.iter().map(|p| p.country.as_str()).collect();
        assert_eq!(
            countries,
            ["Indonesia", "Indonesia", "viet nam", "viet nam"]
        );
        assert_eq!(read.projects[1].region.as_deref(), Some("South-East Asia"));
    }

    #[test]
    fn crlf_lines_are_counted_once() {
        let text = HEADER.replace('\n', "\r\n")
            + &row("P1", "Chile", "")
            + "\r\n"
            + &row("P2", "Chile", "").replace("0.05", "x")
            + "\r\n";
        let read = read_projects(text.as_bytes());
        let found = crate::spec::test_support::located(&read.diagnostics);
        assert_eq!(found, [(Some(3), "coupon")]);
    }

    #[test]
    fn control_characters_and_huge_cells_are_refused_briefly() {
        let text = format!(
            "{HEADER}{}\n{}\n",
            row("P\u{0}1", "Chile", ""),
            row("P2", &"x".repeat(5_000), "")
        );
        let read = read_projects(text.as_bytes());
        let found = crate::spec::test_support::located(&read.diagnostics);
        assert_eq!(found, [(Some(2), "id"), (Some(3), "country")]);
        let shown = format!("{}", read.diagnostics[1]);
        assert!(shown.len() < 200, "{shown}");
    }

    #[test]
    fn reports_every_bad_cell_with_its_line() {
        let text = format!(
            "{HEADER}P1,A,lithium,mining,Chile,US,1e6,x,2026-13-01,2030-01-01,bullet,0.02,0.4,0.1\n\
             P2,B,lithium,extraction,Chile,US,100,0.05,2026-01-01,2030-01-01,balloon,0.02,0.4,0.1\n"
        );
        let read = read_projects(text.as_bytes());
        let found = crate::spec::test_support::located(&read.diagnostics);
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
        crate::spec::test_support::located(&read.diagnostics)
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
