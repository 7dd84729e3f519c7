//! Runs split over machines: `blendsim run --shard K/N` simulates the K-th
//! of N contiguous blocks of path indices and writes a part file (see
//! [`format`] and docs/scale-out.md); `blendsim merge` checks that the
//! parts belong together and cover every path once, joins their outcomes
//! in path order ([`Outcomes::append`]) and writes the pack the single run
//! would have written. Path p uses random stream p and cash-flow sums are
//! integers, so the joined outcomes are the single run's exactly.

mod check;
mod format;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::aggregate::{Outcomes, RatingBasis};
use crate::spec::{BASE, LoadedFacility, ScenarioSpec};

pub use check::in_path_order;
pub use format::{FORMAT_VERSION, MAGIC, read_part, write_part};

/// Which block of a run's paths a shard simulates: block `index` (0 to
/// `count - 1`) of `count`, as `--shard index/count` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// 0 to `count - 1` (Slurm's `SLURM_ARRAY_TASK_ID` with `--array=0-(N-1)`,
    /// Kubernetes' `JOB_COMPLETION_INDEX`).
    pub index: u64,
    /// How many shards the run is split into.
    pub count: u64,
}

impl Shard {
    /// Parses `K/N`, `K` from 0 to `N - 1`.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| "expected K/N, e.g. 0/4 for the first of four".to_owned())?;
        let number = |s: &str, what: &str| {
            (s.trim().parse::<u64>()).map_err(|_| format!("{what} `{s}` is not a whole number"))
        };
        let (index, count) = (number(k, "K")?, number(n, "N")?);
        if count == 0 {
            return Err("N must be at least 1".to_owned());
        }
        if index >= count {
            return Err(format!(
                "K is numbered from 0 to N - 1 ({} here)",
                count - 1
            ));
        }
        Ok(Shard { index, count })
    }

    /// The shard's paths out of `paths`: contiguous blocks whose sizes
    /// differ by at most one, in order, covering `0..paths`.
    pub fn range(&self, paths: u64) -> std::ops::Range<u64> {
        let bound = |k: u64| (u128::from(paths) * u128::from(k) / u128::from(self.count)) as u64;
        bound(self.index)..bound(self.index + 1)
    }

    /// The part file's name: `part-K-of-N.bsp`, zero-padded so that the
    /// files of one run list in path order.
    pub fn file_name(&self) -> String {
        let width = (self.count - 1).to_string().len();
        format!("part-{:0width$}-of-{}.{EXTENSION}", self.index, self.count)
    }
}

/// The extension of part files (a folder given to `blendsim merge` stands
/// for every file with it).
pub const EXTENSION: &str = "bsp";

/// An input file of the run and its SHA-256, as run.json records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputHash {
    /// The path as it was opened (relative to the working folder when the
    /// facility was named relatively).
    pub path: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
}

/// Everything that makes two parts parts of the same run: the inputs
/// (where the merge reads them again, and what they hashed to), the
/// scenarios, the seed and paths, and every option that shapes the pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunIdentity {
    /// The facility file as named to `run` (the merge loads it from there:
    /// run it from the same working folder, or name it absolutely).
    pub facility: String,
    /// `--allow-breaches`.
    pub allow_breaches: bool,
    /// Every input file read, in the order run.json lists them.
    pub inputs: Vec<InputHash>,
    /// Scenarios run, in order (empty: the base case alone, into the
    /// output folder itself).
    pub scenarios: Vec<String>,
    /// Seed of the random streams.
    pub seed: u64,
    /// Paths of the whole run (all shards).
    pub paths: u64,
    /// What implied ratings compare.
    pub rating_basis: RatingBasis,
    /// `--trace-path`.
    pub trace_paths: Vec<u64>,
    /// `--trace-quantile`.
    pub trace_quantiles: Vec<f64>,
    /// `--tornado-paths` (`None`: the default share of the run's paths).
    pub tornado_paths: Option<u64>,
    /// `--block-paths`.
    pub block_paths: u64,
}

impl RunIdentity {
    /// Refuses inputs that are not, as loaded now, the files the shards
    /// simulated (`part` names the part whose identity this is).
    pub fn check_inputs(&self, part: &Path, loaded: &LoadedFacility) -> Result<(), ShardError> {
        let now = input_hashes(loaded);
        if now == self.inputs {
            return Ok(());
        }
        let changed = (self.inputs.iter())
            .find(|then| !now.contains(then))
            .map_or_else(
                || "the facility reads other files now".to_owned(),
                |then| format!("{} changed since (sha256 was {})", then.path, then.sha256),
            );
        Err(ShardError::Inputs {
            part: part.to_owned(),
            why: format!("its inputs are not the files on disk now: {changed}"),
        })
    }

    /// The scenarios the run ran, found again in the facility as loaded.
    pub fn scenarios(
        &self,
        part: &Path,
        loaded: &LoadedFacility,
    ) -> Result<Vec<ScenarioSpec>, ShardError> {
        (self.scenarios.iter())
            .map(|name| scenario(loaded, name))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| ShardError::Inputs {
                part: part.to_owned(),
                why: "a scenario it ran is no longer in the facility's scenarios".to_owned(),
            })
    }
}

/// The input files of a loaded facility and their hashes.
pub fn input_hashes(loaded: &LoadedFacility) -> Vec<InputHash> {
    (loaded.inputs.iter())
        .map(|i| InputHash {
            path: i.path.display().to_string(),
            sha256: i.sha256.clone(),
        })
        .collect()
}

fn scenario(loaded: &LoadedFacility, name: &str) -> Option<ScenarioSpec> {
    if name == BASE {
        return Some(ScenarioSpec::base());
    }
    loaded.scenarios.iter().find(|s| s.name == name).cloned()
}

/// One scenario's share of a part: the block's outcomes, in path order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioPart {
    /// Scenario name (`base` for the base case).
    pub scenario: String,
    /// When the shard started simulating it (UTC, RFC 3339).
    pub started_at: String,
    /// Wall time of the block's simulation in seconds.
    pub simulation_seconds: f64,
    /// The block's outcomes (cash-flow sums included).
    pub outcomes: Outcomes,
    /// The block's outcomes without nexus events (nexus_impact.csv), when
    /// an event can happen: each shard runs its own block again rather
    /// than the merge running every path again.
    pub without_events: Option<Outcomes>,
}

/// A part file's content: which paths of which run, and their outcomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// The blendsim version that wrote it (parts merge only with the same).
    pub version: String,
    /// The run it is a part of.
    pub identity: RunIdentity,
    /// Which shard of how many.
    pub shard: Shard,
    /// First path simulated.
    pub first: u64,
    /// One past the last path simulated.
    pub end: u64,
    /// Wall time of the whole shard in seconds.
    pub wall_seconds: f64,
    /// One per scenario of the identity, in its order (the base case alone
    /// when it names none).
    pub scenarios: Vec<ScenarioPart>,
}

/// Why a part cannot be written, read or merged.
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    /// The file could not be read or written.
    #[error("{}: {source}", file.display())]
    Io {
        /// The part file.
        file: PathBuf,
        /// What went wrong.
        #[source]
        source: std::io::Error,
    },
    /// Not a part, a damaged part, or one this version cannot read.
    #[error("{}: {why}", file.display())]
    Unreadable {
        /// The part file.
        file: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// The parts do not belong together or do not cover the run once.
    #[error("{}: {why}", part.display())]
    Mismatch {
        /// The part at fault.
        part: PathBuf,
        /// How it does not fit.
        why: String,
    },
    /// The facility the parts name cannot be loaded as it was.
    #[error("{}: {why}", part.display())]
    Inputs {
        /// The part whose inputs these are.
        part: PathBuf,
        /// What changed.
        why: String,
    },
    /// No part was given.
    #[error("no part file given (expected part files or folders of *.{EXTENSION} files)")]
    NoParts,
}

impl ShardError {
    /// Whether the parts or the request were at fault (exit 2) rather than
    /// the machine (a file that exists but cannot be read or written).
    pub fn is_bad_input(&self) -> bool {
        match self {
            ShardError::Io { source, .. } => source.kind() == std::io::ErrorKind::NotFound,
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_cover_the_paths_once_in_order() {
        for (paths, count) in [(10, 3), (1_000_003, 7), (5, 5), (u64::MAX, 4)] {
            let mut next = 0;
            for index in 0..count {
                let range = Shard { index, count }.range(paths);
                assert_eq!(range.start, next);
                let size = range.end - range.start;
                assert!(size == paths / count || size == paths / count + 1);
                next = range.end;
            }
            assert_eq!(next, paths);
        }
    }

    #[test]
    fn shards_parse_from_k_of_n() {
        assert_eq!(Shard::parse("3/4").unwrap(), Shard { index: 3, count: 4 });
        assert!(
            Shard::parse("4/4")
                .unwrap_err()
                .contains("0 to N - 1 (3 here)")
        );
        assert!(Shard::parse("1/0").is_err());
        assert!(Shard::parse("1").is_err());
        assert!(Shard::parse("a/2").unwrap_err().contains("`a`"));
        assert_eq!(
            Shard {
                index: 3,
                count: 12
            }
            .file_name(),
            "part-03-of-12.bsp"
        );
    }
}
