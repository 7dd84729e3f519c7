//! pack.xlsx holds every CSV table of its folder, one sheet each, cell for
//! cell: read back with calamine, each sheet's names, units and rows equal
//! the CSV file's, with numbers stored as numbers.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use calamine::{Data, Reader, Xlsx, open_workbook};

const FLAGSHIP: &str = "portfolios/us-rok-critical-minerals/facility.toml";

/// Checks that `folder/pack.xlsx` equals the CSV files of `folder`;
/// returns how many numeric cells it compared.
fn check_workbook(folder: &Path) -> usize {
    let mut workbook: Xlsx<_> = open_workbook(folder.join("pack.xlsx")).unwrap();
    let mut csvs: Vec<String> = fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    csvs.sort();
    let mut sheets = workbook.sheet_names();
    sheets.sort();
    let stems: Vec<String> = csvs
        .iter()
        .map(|n| n.trim_end_matches(".csv").into())
        .collect();
    assert_eq!(
        sheets,
        stems,
        "one sheet per CSV file in {}",
        folder.display()
    );
    let mut numbers = 0;
    for (file, sheet) in csvs.iter().zip(&stems) {
        let range = workbook.worksheet_range(sheet).unwrap();
        let rows: Vec<&[Data]> = range.rows().collect();
        let mut reader = csv::Reader::from_path(folder.join(file)).unwrap();
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let names: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
        assert_eq!(names, header, "{file}: names");
        assert!(
            rows[1].iter().all(|unit| !unit.to_string().is_empty()) || file == "comparison.csv",
            "{file}: every column has its unit: {:?}",
            rows[1]
        );
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len() - 2, records.len(), "{file}: rows");
        for (r, (row, record)) in rows[2..].iter().zip(&records).enumerate() {
            for (c, text) in record.iter().enumerate() {
                let cell = row.get(c).unwrap_or(&Data::Empty);
                let same = match cell {
                    Data::Empty => text.is_empty(),
                    Data::String(s) => s == text,
                    Data::Float(x) => {
                        numbers += 1;
                        text.parse::<f64>() == Ok(*x)
                    }
                    Data::Int(i) => {
                        numbers += 1;
                        text.parse::<f64>() == Ok(*i as f64)
                    }
                    other => panic!("{file} row {r} column {c}: unexpected {other:?}"),
                };
                assert!(same, "{file} row {r} column {c}: {cell:?} against {text:?}");
            }
        }
    }
    numbers
}

#[test]
fn the_workbook_equals_the_csv_files_alone_and_with_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    Command::cargo_bin("blendsim")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "run",
            FLAGSHIP,
            "--paths",
            "400",
            "--quiet",
            "--scenario",
            "base",
        ])
        .args([
            "--scenario",
            "lithium_price_crash",
            "--trace-path",
            "3",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    // Each scenario's own pack, traces included, and the combined tables.
    for folder in [
        out.join("base"),
        out.join("lithium_price_crash"),
        out.clone(),
    ] {
        let numbers = check_workbook(&folder);
        assert!(numbers > 1000, "{}: {numbers} numbers", folder.display());
    }
    let mut workbook: Xlsx<_> = open_workbook(out.join("base/pack.xlsx")).unwrap();
    let summary = workbook.worksheet_range("summary").unwrap();
    // The senior's expected loss is a number, its unit under its name.
    let column = summary
        .rows()
        .next()
        .unwrap()
        .iter()
        .position(|d| *d == "expected_loss")
        .unwrap();
    assert_eq!(
        summary.get((1, column)),
        Some(&Data::String("fraction of notional".into()))
    );
    assert!(matches!(summary.get((2, column)), Some(Data::Float(_))));
    assert!(workbook.sheet_names().contains(&"trace_path_3".to_string()));
}
