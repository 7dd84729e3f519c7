//! pack.xlsx: every CSV table of an output folder as one sheet of a
//! workbook, for committee members who work in Excel.
//!
//! Each sheet holds exactly its CSV file's cells (so the two never
//! disagree): the column names in the first row, their units (from the
//! column definitions, [`super::output_tables`]) in the second, both
//! frozen, then the rows, with a number wherever the column's unit is
//! numeric and text elsewhere.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::{TableDoc, output_tables, write_atomically};

/// The workbook's file name.
pub const WORKBOOK: &str = "pack.xlsx";

/// Rows above the data: column names, then units.
const HEADER_ROWS: u32 = 2;

/// Widest a column is set, in characters.
const MAX_WIDTH: usize = 40;

/// Excel's limit on a sheet name's length.
const SHEET_NAME_MAX: usize = 31;

/// Units whose cells are not numbers.
const TEXT_UNITS: [&str; 2] = ["text", "date"];

/// Writes `folder/pack.xlsx` from the CSV files in `folder`, in the order
/// of [`output_tables`], then any other CSV file by name; returns its
/// path.
pub fn write_workbook(folder: &Path) -> io::Result<PathBuf> {
    let mut workbook = Workbook::new();
    let units = units_by_file();
    for file in csv_files(folder)? {
        let known = units.get(table_key(&file)).cloned().unwrap_or_default();
        let sheet = workbook.add_worksheet();
        add_sheet(sheet, &folder.join(&file), &file, &known)?;
    }
    let bytes = workbook.save_to_buffer().map_err(xlsx_error)?;
    let path = folder.join(WORKBOOK);
    write_atomically(&path, |out| out.write_all(&bytes))?;
    Ok(path)
}

/// Each documented table's units by column name, keyed by file name.
fn units_by_file() -> BTreeMap<&'static str, BTreeMap<String, &'static str>> {
    output_tables()
        .into_iter()
        .map(|TableDoc { file, columns }| {
            let units = columns
                .into_iter()
                .map(|c| (c.name.to_owned(), c.unit))
                .collect();
            (file, units)
        })
        .collect()
}

/// The documented table a file belongs to (`trace_path_17.csv` is a
/// `trace_path_N.csv`).
fn table_key(file: &str) -> &str {
    if file.starts_with("trace_path_") {
        "trace_path_N.csv"
    } else {
        file
    }
}

/// The CSV files of `folder`: documented tables first, in their order,
/// then the others by name.
fn csv_files(folder: &Path) -> io::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(folder)?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".csv"))
        .collect();
    let order: Vec<&str> = output_tables().iter().map(|t| t.file).collect();
    names.sort_by_key(|n| {
        let rank = order.iter().position(|&o| o == table_key(n));
        (rank.unwrap_or(order.len()), n.clone())
    });
    Ok(names)
}

/// A sheet name from a file name: its stem, at most 31 characters.
fn sheet_name(file: &str) -> String {
    let stem = file.trim_end_matches(".csv");
    stem.chars().take(SHEET_NAME_MAX).collect()
}

fn xlsx_error(error: XlsxError) -> io::Error {
    io::Error::other(format!("could not write {WORKBOOK}: {error}"))
}

/// Whether a column holds numbers: its unit is numeric; a column no
/// definition names (a scenario's values in comparison.csv) when its cell
/// reads as a number.
fn numeric(unit: Option<&str>) -> Option<bool> {
    unit.map(|u| !TEXT_UNITS.contains(&u))
}

fn add_sheet(
    sheet: &mut Worksheet,
    path: &Path,
    file: &str,
    units: &BTreeMap<String, &'static str>,
) -> io::Result<()> {
    sheet.set_name(sheet_name(file)).map_err(xlsx_error)?;
    let bold = Format::new().set_bold();
    let italic = Format::new().set_italic();
    let mut reader = csv::Reader::from_path(path)?;
    let header = reader.headers()?.clone();
    let column_units: Vec<Option<&str>> = header
        .iter()
        .map(|name| match name {
            "scenario" | "facility" => Some("text"),
            _ => units.get(name).copied(),
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(str::len).collect();
    for (c, name) in header.iter().enumerate() {
        let col = c as u16;
        sheet
            .write_string_with_format(0, col, name, &bold)
            .map_err(xlsx_error)?;
        if let Some(unit) = column_units[c] {
            sheet
                .write_string_with_format(1, col, unit, &italic)
                .map_err(xlsx_error)?;
            widths[c] = widths[c].max(unit.len());
        }
    }
    for (r, record) in reader.records().enumerate() {
        let row = HEADER_ROWS + r as u32;
        for (c, cell) in record?.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let number = match numeric(column_units.get(c).copied().flatten()) {
                Some(false) => None,
                _ => cell.parse::<f64>().ok().filter(|x| x.is_finite()),
            };
            match number {
                Some(x) => sheet.write_number(row, c as u16, x),
                None => sheet.write_string(row, c as u16, cell),
            }
            .map_err(xlsx_error)?;
            if let Some(width) = widths.get_mut(c) {
                *width = (*width).max(cell.len());
            }
        }
    }
    sheet.set_freeze_panes(HEADER_ROWS, 0).map_err(xlsx_error)?;
    for (c, width) in widths.iter().enumerate() {
        sheet
            .set_column_width(c as u16, (*width).min(MAX_WIDTH) as f64 + 2.0)
            .map_err(xlsx_error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheets_are_named_after_their_files() {
        assert_eq!(sheet_name("summary.csv"), "summary");
        assert_eq!(sheet_name(&format!("{}.csv", "x".repeat(40))).len(), 31);
        assert_eq!(table_key("trace_path_17.csv"), "trace_path_N.csv");
        assert_eq!(numeric(Some("text")), Some(false));
        assert_eq!(numeric(Some("fraction of notional")), Some(true));
        assert_eq!(numeric(None), None);
    }
}
