//! Files that put scenarios side by side: the combined summary.csv (a
//! `scenario` column before the usual ones) and comparison.csv.

use std::io;
use std::path::{Path, PathBuf};

use super::columns::header;
use super::summary_csv::{
    COLUMNS, EXPECTED_LOSS, EXPECTED_LOSS_SE, IRR_P50, LOSS_P99, MOIC_MEAN, PROB_LOSS,
    SummaryColumn, summary_record,
};
use super::{neutralise, write_atomically};
use crate::aggregate::TrancheSummary;

/// One scenario's tranche summaries.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioSummary {
    /// Scenario name.
    pub scenario: String,
    /// One row per tranche.
    pub summary: Vec<TrancheSummary>,
}

/// The summary.csv columns compared across scenarios in comparison.csv,
/// one row each per tranche.
pub const COMPARED: [&SummaryColumn; 6] = [
    &EXPECTED_LOSS,
    &EXPECTED_LOSS_SE,
    &PROB_LOSS,
    &LOSS_P99,
    &IRR_P50,
    &MOIC_MEAN,
];

/// Writes into `folder` every scenario CSV combined with a `scenario`
/// column (see `combine_scenario_csvs`) and comparison.csv.
pub fn write_scenario_reports(folder: &Path, runs: &[ScenarioSummary]) -> io::Result<Vec<PathBuf>> {
    let names: Vec<&str> = runs.iter().map(|r| r.scenario.as_str()).collect();
    let mut written = combine_scenario_csvs(folder, &names)?;
    let comparison = folder.join("comparison.csv");
    write_atomically(&comparison, |out| {
        let mut csv = csv::Writer::from_writer(out);
        let header = ["tranche", "metric"]
            .into_iter()
            .map(str::to_owned)
            .chain(runs.iter().map(|r| neutralise(&r.scenario)));
        csv.write_record(header.collect::<Vec<_>>())?;
        let tranches = runs.first().map_or(&[][..], |r| &r.summary[..]);
        for (t, tranche) in tranches.iter().enumerate() {
            for column in COMPARED {
                // Every compared column is a statistic, never money, so
                // the currency's digits do not matter.
                let values = runs.iter().map(|r| column.csv_cell(&r.summary[t], 0));
                let record: Vec<String> = [neutralise(&tranche.tranche), column.name.to_owned()]
                    .into_iter()
                    .chain(values)
                    .collect();
                csv.write_record(&record)?;
            }
        }
        csv.flush()
    })?;
    written.push(comparison);
    Ok(written)
}

/// One scenario of one facility in a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchRow {
    /// The facility's name in the batch (its output folder).
    pub facility: String,
    /// Minor-unit digits of the facility's currency.
    pub digits: u32,
    /// The scenario's summaries.
    pub summary: ScenarioSummary,
}

/// Writes a batch's combined summary.csv: `facility` and `scenario` columns
/// before summary.csv's.
pub fn write_batch_summary(path: &Path, rows: &[BatchRow]) -> io::Result<()> {
    write_atomically(path, |out| {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(["facility", "scenario"].into_iter().chain(header(&COLUMNS)))?;
        for row in rows {
            for tranche in &row.summary.summary {
                let names = [neutralise(&row.facility), neutralise(&row.summary.scenario)];
                csv.write_record(names.into_iter().chain(summary_record(tranche, row.digits)))?;
            }
        }
        csv.flush()
    })
}

/// For every CSV file the scenarios wrote in their folders
/// (`folder/<scenario>/<file>.csv`), writes `folder/<file>.csv` with a
/// `scenario` column before the file's own columns and the scenarios' rows
/// one after the other, in the order given.
pub fn combine_scenario_csvs(folder: &Path, scenarios: &[&str]) -> io::Result<Vec<PathBuf>> {
    let Some(first) = scenarios.first() else {
        return Ok(Vec::new());
    };
    let mut names: Vec<String> = std::fs::read_dir(folder.join(first))?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".csv"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let path = folder.join(&name);
            write_atomically(&path, |out| {
                let mut csv = csv::Writer::from_writer(out);
                for (i, scenario) in scenarios.iter().enumerate() {
                    let file = folder.join(scenario).join(&name);
                    // Files only some scenarios have: the tornado (the
                    // first scenario's alone) and a path traced by
                    // quantile (another path in each scenario; `run
                    // --scenario all --trace-quantile` failed on it). The
                    // others have no rows to add.
                    let some_only = name == "tornado.csv" || name.starts_with("trace_path_");
                    if i > 0 && some_only && !file.exists() {
                        continue;
                    }
                    let mut reader = csv::Reader::from_path(file)?;
                    if i == 0 {
                        csv.write_record(
                            std::iter::once("scenario").chain(reader.headers()?.iter()),
                        )?;
                    }
                    for record in reader.records() {
                        let record = record?;
                        let cells = std::iter::once(neutralise(scenario))
                            .chain(record.iter().map(str::to_owned));
                        csv.write_record(cells.collect::<Vec<_>>())?;
                    }
                }
                csv.flush()
            })?;
            Ok(path)
        })
        .collect()
}
