//! Report stage: the files a run leaves behind and the table it prints.
//!
//! Each output file is one [`Report`]; [`write_reports`] owns where files go
//! and writes each atomically as soon as it is ready.

mod analytic_csv;
mod atomic;
mod cashflows_csv;
mod charts;
mod columns;
mod contributions_csv;
mod convergence_csv;
mod coverage_csv;
mod facility_csv;
mod histogram_csv;
mod html;
mod html_public;
mod json;
mod manifest;
mod nexus_events_csv;
mod parties_csv;
mod quantiles_csv;
mod ratings_csv;
mod scenarios_csv;
mod sizing_csv;
mod summary_csv;
mod sweep_csv;
mod table;
mod tornado_csv;
mod trace_csv;
mod workbook;

use std::io::{self, Write};

use rayon::prelude::*;
use std::path::{Path, PathBuf};

pub use analytic_csv::{COLUMNS as ANALYTIC_COLUMNS, write_analytic_csv};
pub use atomic::write_atomically;
pub use cashflows_csv::{COLUMNS as CASHFLOW_COLUMNS, CashflowsCsv};
pub use charts::{Chart, LABEL_PX, TornadoChart, class_colour};
pub use columns::{Column, ColumnDoc, Unit, Value, column_docs};
pub use contributions_csv::{COLUMNS as CONTRIBUTIONS_COLUMNS, ContributionsCsv};
pub use convergence_csv::{COLUMNS as CONVERGENCE_COLUMNS, ConvergenceCsv};
pub use coverage_csv::{COLUMNS as COVERAGE_COLUMNS, CoverageCsv};
pub use facility_csv::{COLUMNS as FACILITY_COLUMNS, FacilityCsv};
pub use histogram_csv::{COLUMNS as HISTOGRAM_COLUMNS, HistogramCsv};
pub use html::{
    ReportHtml, ScenarioColumn, ScenarioPage, escape as escape_html, scenarios_page, sizing_page,
    sweep_page,
};
pub use json::summary_json;
pub use manifest::{InputRecord, Manifest};
pub use nexus_events_csv::{
    COLUMNS as NEXUS_EVENTS_COLUMNS, IMPACT_COLUMNS as NEXUS_IMPACT_COLUMNS, NexusEventsCsv,
    NexusImpactCsv, NexusTimingCsv, TIMING_COLUMNS as NEXUS_TIMING_COLUMNS,
};
pub use parties_csv::{COLUMNS as PARTIES_COLUMNS, PartiesCsv, PartyColumn};
pub use quantiles_csv::{COLUMNS as QUANTILES_COLUMNS, QuantilesCsv};
pub use ratings_csv::{COLUMNS as RATINGS_COLUMNS, RatingsCsv};
pub use scenarios_csv::{BatchRow, ScenarioSummary, write_batch_summary, write_scenario_reports};
pub use sizing_csv::{COLUMNS as SIZING_COLUMNS, write_sizing_reports};
pub use summary_csv::{COLUMNS as SUMMARY_COLUMNS, SummaryColumn, SummaryCsv, summary_record};
pub use sweep_csv::{COLUMNS as SWEEP_COLUMNS, write_sweep_csv, write_sweep_page};
pub use table::{summary_table, tornado_cost};
pub use tornado_csv::{COLUMNS as TORNADO_COLUMNS, TornadoCsv};
pub use trace_csv::{
    COLUMNS as TRACE_COLUMNS, TraceFile, path_at_quantile, trace_file_name, write_trace,
    write_trace_file,
};
pub use workbook::{WORKBOOK, write_workbook};

use crate::aggregate::{CommitteePack, CoverageSummary, TrancheSummary};
use crate::model::Model;
use crate::spec::{FacilitySpec, ScenarioSpec};
use crate::waterfall::CashflowSums;

/// One output table's file name and its columns, as defined in code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDoc {
    /// File name (`summary.csv`).
    pub file: &'static str,
    /// Its columns, in order.
    pub columns: Vec<ColumnDoc>,
}

/// Every output table whose columns are defined as data, for the check
/// against docs/outputs.md and for writers that present them otherwise.
pub fn output_tables() -> Vec<TableDoc> {
    let table = |file, columns| TableDoc { file, columns };
    vec![
        table("summary.csv", column_docs(&SUMMARY_COLUMNS)),
        table("parties.csv", column_docs(&PARTIES_COLUMNS)),
        table("facility.csv", column_docs(&FACILITY_COLUMNS)),
        table("nexus_events.csv", column_docs(&NEXUS_EVENTS_COLUMNS)),
        table("nexus_timing.csv", column_docs(&NEXUS_TIMING_COLUMNS)),
        table("nexus_impact.csv", column_docs(&NEXUS_IMPACT_COLUMNS)),
        table("tornado.csv", column_docs(&TORNADO_COLUMNS)),
        table("ratings.csv", column_docs(&RATINGS_COLUMNS)),
        table("contributions.csv", column_docs(&CONTRIBUTIONS_COLUMNS)),
        table("quantiles.csv", column_docs(&QUANTILES_COLUMNS)),
        table("histogram.csv", column_docs(&HISTOGRAM_COLUMNS)),
        table("convergence.csv", column_docs(&CONVERGENCE_COLUMNS)),
        table("coverage_tests.csv", column_docs(&COVERAGE_COLUMNS)),
        table("cashflows.csv", column_docs(&CASHFLOW_COLUMNS)),
        table("analytic.csv", column_docs(&ANALYTIC_COLUMNS)),
        table("sizing.csv", column_docs(&SIZING_COLUMNS)),
        table("sweep.csv", column_docs(&SWEEP_COLUMNS)),
        table("trace_path_N.csv", column_docs(&TRACE_COLUMNS)),
    ]
}

/// Everything a report may draw on.
pub struct RunReport<'a> {
    /// The facility as given (before the scenario's overlays).
    pub spec: &'a FacilitySpec,
    /// The scenario run.
    pub scenario: &'a ScenarioSpec,
    /// The compiled facility (the scenario's overlays applied).
    pub model: &'a Model,
    /// One row per tranche.
    pub summary: &'a [TrancheSummary],
    /// The run manifest.
    pub manifest: &'a Manifest,
    /// The committee pack's statistics.
    pub pack: &'a CommitteePack,
    /// Sums over paths of every party's cash flows.
    pub cashflows: &'a CashflowSums,
    /// How often and when each coverage test failed.
    pub coverage: &'a [CoverageSummary],
}

/// One output file.
pub trait Report: Sync {
    /// File name inside the output folder.
    fn file_name(&self) -> &'static str;
    /// Writes the file's content.
    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()>;
}

/// Writes every report into `folder` (created if missing); returns the
/// paths written.
pub fn write_reports(folder: &Path, run: &RunReport<'_>) -> io::Result<Vec<PathBuf>> {
    let reports: [&dyn Report; 4] = [
        &SummaryCsv,
        &CashflowsCsv,
        &CoverageCsv,
        &manifest::ManifestJson,
    ];
    let pack: [&dyn Report; 8] = [
        &FacilityCsv,
        &PartiesCsv,
        &RatingsCsv,
        &ContributionsCsv,
        &QuantilesCsv,
        &HistogramCsv,
        &ConvergenceCsv,
        &ReportHtml,
    ];
    let charts = Chart::ALL;
    // Only a run that computed a tornado has one to report.
    let tornado: Vec<&dyn Report> = if run.pack.tornado.is_some() {
        vec![&TornadoCsv as &dyn Report, &TornadoChart]
    } else {
        Vec::new()
    };
    // Only a facility with nexus events has them to report (and not yet
    // an importance-sampled run: aggregate::NOT_WEIGHTED).
    let weighted = run.pack.importance.is_some();
    let nexus: Vec<&dyn Report> = if run.model.pool.acquisitions.is_some() && !weighted {
        vec![
            &NexusEventsCsv as &dyn Report,
            &NexusTimingCsv,
            &NexusImpactCsv,
        ]
    } else {
        Vec::new()
    };
    let all: Vec<&dyn Report> = (reports.into_iter())
        .chain(pack)
        .chain(nexus)
        .chain(tornado)
        .chain(charts.iter().map(|c| c as &dyn Report))
        .collect();
    // Each file is written by one thread, so its bytes do not depend on how
    // many run; the paths come back in the list's order.
    all.into_par_iter()
        .map(|report| {
            let path = folder.join(report.file_name());
            write_atomically(&path, |out| report.write(run, out))?;
            Ok(path)
        })
        .collect()
}

/// Writes the combined report.html of a run over several scenarios into
/// `folder`; returns its path.
pub fn write_scenarios_page(folder: &Path, page: &ScenarioPage<'_>) -> io::Result<PathBuf> {
    let path = folder.join("report.html");
    let html = scenarios_page(page)?;
    write_atomically(&path, |out| out.write_all(html.as_bytes()))?;
    Ok(path)
}

/// A float for a CSV cell: shortest representation that reads back to the
/// same value; empty when undefined (NaN).
pub fn format_float(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x}")
    }
}

/// Neutralises text that a spreadsheet would read as a formula by
/// prefixing a single quote: cells whose first character other than
/// spaces is `=`, `+`, `-`, `@`, `|` (DDE) or `%`, or that start with a
/// tab, carriage return or line feed (OWASP's CSV injection list).
pub fn neutralise(text: &str) -> String {
    let risky_start = matches!(text.chars().next(), Some('\t' | '\r' | '\n'));
    let risky_sign = matches!(
        text.trim_start_matches(' ').chars().next(),
        Some('=' | '+' | '-' | '@' | '|' | '%')
    );
    if risky_start || risky_sign {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+1"), "'+1");
        assert_eq!(neutralise("-1"), "'-1");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("senior"), "senior");
        for risky in [" =1+1", "  @x", "|calc", "%0A", "\ttab", "\n=x"] {
            assert_eq!(neutralise(risky), format!("'{risky}"));
        }
        assert_eq!(neutralise("a=b"), "a=b");
    }

    #[test]
    fn floats_round_trip_and_nan_is_empty() {
        assert_eq!(format_float(0.1), "0.1");
        assert_eq!(format_float(f64::NAN), "");
        let x = 0.123_456_789_012_345_67;
        assert_eq!(format_float(x).parse::<f64>().unwrap(), x);
    }
}
