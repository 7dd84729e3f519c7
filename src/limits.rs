//! Resource limits checked before any work: how many paths, how many
//! threads, and the memory a run will need, so a mistyped path count fails
//! at once with a clear error instead of aborting on an allocation (or
//! swapping for an hour) after the inputs were read.

use crate::model::Model;

/// Most paths a run accepts (the memory check usually bites first).
pub const MAX_PATHS: u64 = 1_000_000_000;

/// Worker threads allowed per core: more only adds scheduling overhead
/// (10,000 threads took 30 s to run 300 paths).
pub const THREADS_PER_CORE: usize = 4;

/// A limit a run would exceed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LimitError {
    /// No paths, or more than [`MAX_PATHS`].
    #[error("{paths} paths: a run takes 1 to {MAX_PATHS}")]
    Paths {
        /// Paths asked for.
        paths: u64,
    },
    /// No threads, or more than [`THREADS_PER_CORE`] per core.
    #[error(
        "{threads} threads: a run takes 1 to {THREADS_PER_CORE} per core ({max} on {cores} cores)"
    )]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// Cores available.
        cores: usize,
        /// Most threads allowed.
        max: usize,
    },
    /// What the command keeps per path would not fit the memory available.
    #[error(
        "{paths} paths need about {needed_mb} MB of memory for {what} but {available_mb} MB \
         are available; at most about {fit} paths fit"
    )]
    Memory {
        /// Paths asked for.
        paths: u64,
        /// What the memory is for, in words.
        what: &'static str,
        /// Estimated need in MB.
        needed_mb: u64,
        /// Memory available in MB.
        available_mb: u64,
        /// Paths that would fit.
        fit: u64,
    },
}

/// The work whose memory is estimated: what it keeps for every path at
/// once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// A run (`run`, `batch`): every path's outcomes.
    Run,
    /// A sizing: the pool sample of every scenario (`scenarios`, the base
    /// case included), and the per-path values of the `candidates` grid
    /// points evaluated together, in every scenario.
    Sizing {
        /// Cases searched (the base case and each scenario listed).
        scenarios: usize,
        /// Grid points evaluated in one pass over the paths.
        candidates: usize,
    },
    /// A sweep: one pool sample at a time, and the per-path readings of up
    /// to 16 grid points evaluated together.
    Sweep {
        /// Grid points.
        points: usize,
    },
}

impl Work {
    /// What the memory is for, in words.
    fn what(self) -> &'static str {
        match self {
            Work::Run => "their outcomes",
            Work::Sizing { .. } => {
                "the pool sample of every scenario and the per-path values of the grid's candidates"
            }
            Work::Sweep { .. } => "a pool sample and the per-path readings of the grid's points",
        }
    }
}

/// The most worker threads allowed on this machine.
pub fn max_threads() -> (usize, usize) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cores, THREADS_PER_CORE * cores)
}

/// `threads` is at least 1 and at most [`THREADS_PER_CORE`] per core.
pub fn check_threads(threads: usize) -> Result<(), LimitError> {
    let (cores, max) = max_threads();
    if threads == 0 || threads > max {
        return Err(LimitError::Threads {
            threads,
            cores,
            max,
        });
    }
    Ok(())
}

/// `paths` is at least 1 and at most [`MAX_PATHS`].
pub fn check_paths(paths: u64) -> Result<(), LimitError> {
    if paths == 0 || paths > MAX_PATHS {
        return Err(LimitError::Paths { paths });
    }
    Ok(())
}

/// Defaults per path to provide for, generously: twice the expected
/// number, plus one.
fn defaults_per_path(model: &Model) -> u64 {
    (2.0 * expected_defaults(model)).ceil() as u64 + 1
}

/// Bytes of outcomes a run of `model` keeps per path (`aggregate::Outcomes`):
/// every tranche's six outcome columns and its timely-interest record (8
/// bytes each, the first shortfall 4), the guarantor's six columns, every
/// party's seven; the pool loss, default count, event-of-default period,
/// recoveries and where the path's defaults and nexus events start (40
/// bytes in all); each coverage test's first failure (4); each
/// default's loan and loss (12 bytes), the expected number of defaults
/// plus one, doubled for the growth of that vector; two sorted copies of a
/// column at a time for the statistics (16), and while the parties'
/// statistics run, the public total's seven columns (56, with public
/// parties) and one party's four temporary columns (32). A scenario whose nexus events
/// can occur is simulated again without them for nexus_impact.csv, so it
/// keeps twice as much. Measured on the flagship: docs/performance.md.
pub fn bytes_per_path(model: &Model) -> u64 {
    let liabilities = &model.liabilities;
    let tranches = liabilities.tranches.len() as u64 * (6 * 8 + 4 + 8);
    let guarantee = if liabilities.guarantee.is_some() {
        6 * 8
    } else {
        0
    };
    let parties = model.parties.parties.len() as u64 * 7 * 8;
    let pool = 8 + 4 + 4 + 8 + 8 + 8;
    let tests = 4 * liabilities.tests.len() as u64;
    let defaults = 2 * 12 * (expected_defaults(model).ceil() as u64 + 1);
    // While parties.csv's statistics run: the public total's seven
    // columns, and one party's multiple, loss indicator, net PV and sorted
    // IRRs (measured on the flagship: docs/performance.md).
    let public = model.parties.parties.iter().any(|p| p.public);
    let party_statistics = if model.parties.parties.is_empty() {
        0
    } else {
        4 * 8 + if public { 7 * 8 } else { 0 }
    };
    let once = tranches + guarantee + parties + pool + tests + defaults + 16 + party_statistics;
    let resimulated = (model.pool.acquisitions.as_ref()).is_some_and(|a| a.can_occur());
    if resimulated { 2 * once } else { once }
}

/// Expected defaults per path: the sum of the loans' default
/// probabilities to their final dates.
fn expected_defaults(model: &Model) -> f64 {
    model
        .pool
        .loans
        .iter()
        .map(|loan| model.pool.latent.cdf(loan.final_threshold()))
        .filter(|pd| pd.is_finite())
        .sum()
}

/// Bytes a pool sample (`sizing::PoolSample`) keeps per path: where the
/// path's defaults start (8 bytes) and each default (24 bytes), twice the
/// expected number, doubled for the growth of the vector.
fn sample_bytes_per_path(model: &Model) -> u64 {
    8 + 2 * 24 * defaults_per_path(model)
}

/// Bytes `work` on `model` keeps per path, generously (see [`Work`]): a
/// sizing's candidates each hold a value per path and scenario (8 bytes)
/// and, while evaluated, a reading (16); a sweep's up to 16 points each a
/// reading of up to four metrics (64); both take sorted copies of one
/// candidate's values (16).
pub fn work_bytes_per_path(model: &Model, work: Work) -> u64 {
    let sample = sample_bytes_per_path(model);
    match work {
        Work::Run => bytes_per_path(model),
        Work::Sizing {
            scenarios,
            candidates,
        } => {
            let (scenarios, candidates) = (scenarios as u64, candidates as u64);
            scenarios * sample + candidates * (16 + 8 * scenarios) + 16
        }
        Work::Sweep { points } => {
            sample + 64 * points.min(crate::sizing::CANDIDATES_PER_PASS) as u64 + 16
        }
    }
}

/// A run of `paths` paths of `model` fits `available` bytes (if known);
/// the estimate is [`bytes_per_path`] per path.
pub fn check_memory(model: &Model, paths: u64, available: Option<u64>) -> Result<(), LimitError> {
    check_work_memory(model, Work::Run, paths, available)
}

/// `work` on `paths` paths of `model` fits `available` bytes (if known);
/// the estimate is [`work_bytes_per_path`] per path.
pub fn check_work_memory(
    model: &Model,
    work: Work,
    paths: u64,
    available: Option<u64>,
) -> Result<(), LimitError> {
    let Some(available) = available else {
        return Ok(());
    };
    let per_path = work_bytes_per_path(model, work).max(1);
    let needed = per_path.saturating_mul(paths);
    if needed <= available {
        return Ok(());
    }
    Err(LimitError::Memory {
        paths,
        what: work.what(),
        needed_mb: needed / 1_000_000,
        available_mb: available / 1_000_000,
        fit: available / per_path,
    })
}

/// Memory available to this process in bytes, where the system says: the
/// smaller of /proc/meminfo's `MemAvailable` and the cgroup's limit.
pub fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok();
    let available = meminfo.as_deref().and_then(|text| {
        let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        kb.checked_mul(1024)
    });
    let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
        .ok()
        .and_then(|text| text.trim().parse::<u64>().ok());
    match (available, cgroup) {
        (Some(a), Some(c)) => Some(a.min(c)),
        (a, c) => a.or(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_threads_are_bounded() {
        assert!(check_paths(1).is_ok());
        assert!(check_paths(MAX_PATHS).is_ok());
        assert_eq!(check_paths(0), Err(LimitError::Paths { paths: 0 }));
        assert_eq!(
            check_paths(u64::MAX),
            Err(LimitError::Paths { paths: u64::MAX })
        );
        let (_, max) = max_threads();
        assert!(check_threads(1).is_ok());
        assert!(check_threads(max).is_ok());
        assert!(check_threads(0).is_err());
        assert!(check_threads(max + 1).is_err());
    }
}
