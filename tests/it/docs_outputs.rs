//! docs/outputs.md against the column definitions in code: every column of
//! every output table documented under its file's heading, in order, with
//! the same name and unit, and no documented column that the file lacks.

use std::collections::BTreeMap;

use blendsim::report::output_tables;

/// One documented column: its name and unit as the docs write them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Documented {
    name: String,
    unit: String,
}

/// The documented columns of every `## <file>` section that has a
/// `| column | unit | ...` table; a row naming several columns
/// (`loss_p50, loss_p90`) documents each with the row's unit.
fn documented_tables(markdown: &str) -> BTreeMap<String, Vec<Documented>> {
    let mut tables: BTreeMap<String, Vec<Documented>> = BTreeMap::new();
    let mut section: Option<String> = None;
    let mut in_table = false;
    for line in markdown.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            section = heading.split_whitespace().next().map(str::to_owned);
            in_table = false;
            continue;
        }
        let Some(file) = section.as_ref() else {
            continue;
        };
        if !line.starts_with('|') {
            in_table = false;
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() >= 2 && cells[0] == "column" && cells[1] == "unit" {
            // Only the section's first column table documents the file.
            in_table = !tables.contains_key(file);
            tables.entry(file.clone()).or_default();
            continue;
        }
        if !in_table || cells[0].starts_with("---") {
            continue;
        }
        let documented = tables.entry(file.clone()).or_default();
        for name in cells[0].split(", ") {
            documented.push(Documented {
                name: name.to_owned(),
                unit: cells.get(1).copied().unwrap_or_default().to_owned(),
            });
        }
    }
    tables
}

fn outputs_md() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/outputs.md");
    std::fs::read_to_string(path).expect("docs/outputs.md is readable")
}

#[test]
fn every_defined_column_is_documented_with_its_name_and_unit_in_order() {
    let markdown = outputs_md();
    let documented = documented_tables(&markdown);
    for table in output_tables() {
        let docs = documented
            .get(table.file)
            .unwrap_or_else(|| panic!("docs/outputs.md has no `## {}` column table", table.file));
        let defined: Vec<Documented> = table
            .columns
            .iter()
            .map(|c| Documented {
                name: c.name.to_owned(),
                unit: c.unit.to_owned(),
            })
            .collect();
        assert_eq!(
            docs, &defined,
            "docs/outputs.md documents {} differently from the code's column definitions",
            table.file
        );
    }
}

#[test]
fn every_documented_column_table_is_a_table_the_code_writes() {
    let markdown = outputs_md();
    let defined: Vec<&str> = output_tables().iter().map(|t| t.file).collect();
    for file in documented_tables(&markdown).keys() {
        assert!(
            defined.contains(&file.as_str()),
            "docs/outputs.md documents columns of {file}, which has no column definitions"
        );
    }
}

#[test]
fn the_parser_reads_grouped_rows_and_only_the_first_table() {
    let markdown = "# Outputs\n\n## a.csv\n\ntext\n\n| column | unit | definition |\n\
        |---|---|---|\n| x | text | a name |\n| y_p50, y_p90 | years | quantiles |\n\n\
        | column | unit |\n|---|---|\n| z | count |\n\n## b.csv\n\n| file | chart |\n|---|---|\n| q | r |\n";
    let tables = documented_tables(markdown);
    let a: Vec<(&str, &str)> = tables["a.csv"]
        .iter()
        .map(|d| (d.name.as_str(), d.unit.as_str()))
        .collect();
    assert_eq!(a, [("x", "text"), ("y_p50", "years"), ("y_p90", "years")]);
    assert!(!tables.contains_key("b.csv"));
}
