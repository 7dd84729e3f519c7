//! run.json: what was run, on what, and how long it took.

use std::io::{self, Write};

use serde::Serialize;

use super::{Report, RunReport};

/// One input file and its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputRecord {
    /// Path as given or resolved.
    pub path: String,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
}

/// The run manifest: enough to reproduce the run bit for bit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Manifest {
    /// Tool name.
    pub tool: &'static str,
    /// Tool version.
    pub version: &'static str,
    /// Facility name.
    pub facility: String,
    /// Scenario simulated (`base` without overlays).
    pub scenario: String,
    /// Input files and their hashes.
    pub inputs: Vec<InputRecord>,
    /// Seed of the random streams.
    pub seed: u64,
    /// Number of paths.
    pub paths: u64,
    /// Worker threads used (results do not depend on it).
    pub threads: usize,
    /// When the run started (UTC, RFC 3339).
    pub started_at: String,
    /// Wall time of the whole run in seconds.
    pub wall_time_seconds: f64,
    /// Wall time of the simulation alone in seconds.
    pub simulation_seconds: f64,
    /// Paths per second of the simulation.
    pub paths_per_second: f64,
    /// Eligibility breaches accepted with --allow-breaches.
    pub accepted_breaches: Vec<String>,
    /// With precision targets (--target-se, --target-rse): where the run
    /// stopped and each target's standing; absent for a fixed run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<crate::precision::PrecisionOutcome>,
    /// With importance sampling: the shift, the weights and the files not
    /// written; absent for plain sampling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub importance: Option<crate::aggregate::ImportanceSummary>,
}

/// Writes run.json.
pub struct ManifestJson;

impl Report for ManifestJson {
    fn file_name(&self) -> &'static str {
        "run.json"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, run.manifest)?;
        writeln!(out)
    }
}
