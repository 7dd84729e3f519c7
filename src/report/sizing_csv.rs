//! sizing.csv (the sizing curve) and sizing.json (the whole result).

use std::io;
use std::path::{Path, PathBuf};

use super::{format_float, neutralise, write_atomically};
use crate::sizing::SizingResult;

/// Columns of sizing.csv.
pub const COLUMNS: [&str; 7] = [
    "tranche",
    "share",
    "amount",
    "metric",
    "metric_se",
    "bound_95",
    "worst_scenario",
];

/// Writes sizing.csv and sizing.json into `folder`.
pub fn write_sizing_reports(folder: &Path, result: &SizingResult) -> io::Result<Vec<PathBuf>> {
    let csv_path = folder.join("sizing.csv");
    write_atomically(&csv_path, |out| {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(COLUMNS)?;
        for p in &result.curve {
            csv.write_record([
                neutralise(&result.request.solve),
                format_float(p.share),
                p.amount.to_string(),
                format_float(p.evaluation.value),
                p.evaluation.se.map_or(String::new(), format_float),
                format_float(p.evaluation.bound),
                neutralise(&p.scenario),
            ])?;
        }
        csv.flush()
    })?;
    let json_path = folder.join("sizing.json");
    write_atomically(&json_path, |out| {
        serde_json::to_writer_pretty(&mut *out, result)?;
        writeln!(out)
    })?;
    Ok(vec![csv_path, json_path])
}
