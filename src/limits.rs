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
    /// The run's outcomes would not fit the memory available.
    #[error(
        "{paths} paths need about {needed_mb} MB of memory for their outcomes but {available_mb} MB \
         are available; at most about {fit} paths fit"
    )]
    Memory {
        /// Paths asked for.
        paths: u64,
        /// Estimated need in MB.
        needed_mb: u64,
        /// Memory available in MB.
        available_mb: u64,
        /// Paths that would fit.
        fit: u64,
    },
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

/// Bytes of outcomes a run of `model` keeps per path, generously: the
/// columns of every tranche (loss, IRR, MOIC, WAL: 4 x 8 bytes) and the
/// guarantor, doubled for the sorted copies statistics take; the pool loss,
/// default count and recoveries; each default's loan and loss (12 bytes),
/// twice the expected number of defaults, doubled again for the growth of
/// the vector; each coverage test's first failure.
pub fn bytes_per_path(model: &Model) -> u64 {
    let parties =
        model.liabilities.tranches.len() + usize::from(model.liabilities.guarantee.is_some());
    let expected_defaults: f64 = model
        .pool
        .loans
        .iter()
        .map(|loan| model.pool.latent.cdf(loan.final_threshold()))
        .filter(|pd| pd.is_finite())
        .sum();
    let defaults = (2.0 * expected_defaults).ceil() as u64 + 1;
    let fixed = 2 * 32 * parties as u64 + 8 + 4 + 8 + 8;
    fixed + 2 * 12 * defaults + 4 * model.liabilities.tests.len() as u64
}

/// A run of `paths` paths of `model` fits `available` bytes (if known);
/// the estimate is [`bytes_per_path`] per path.
pub fn check_memory(model: &Model, paths: u64, available: Option<u64>) -> Result<(), LimitError> {
    let Some(available) = available else {
        return Ok(());
    };
    let per_path = bytes_per_path(model);
    let needed = per_path.saturating_mul(paths);
    if needed <= available {
        return Ok(());
    }
    Err(LimitError::Memory {
        paths,
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
