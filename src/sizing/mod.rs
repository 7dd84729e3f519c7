//! Tranche sizing: the size of one tranche at which a target on a tranche
//! metric is met ("how much first-loss capital makes the senior tranche's
//! expected loss at most 10 bp?").
//!
//! The pool's paths do not depend on the capital structure, so they are
//! simulated once per scenario ([`PoolSample`]) and every candidate
//! structure is evaluated on the same paths (common random numbers): the
//! metric is then a deterministic function of the size on the sample, the
//! search is exact on the sample, and the sizing curve is smooth rather than
//! noisy.

mod irr_window;
mod sample;
mod solve;
mod structure;
mod sweep;
mod target;

pub use sample::{Candidate, PoolSample};
pub use solve::{SizingPoint, SizingRequest, SizingResult, size};
pub use sweep::{Axis, Parameter, SweepPoint, SweptMetric, sweep};
pub use target::{Direction, Evaluation, Metric, Target, parse_tranche_metric};

use crate::model::ModelError;

/// Why a sizing request cannot be carried out.
#[derive(Debug, thiserror::Error)]
pub enum SizingError {
    /// The target does not parse.
    #[error("--target `{target}`: {why}")]
    Target {
        /// The target as given.
        target: String,
        /// What is wrong and what would be valid.
        why: String,
    },
    /// The request does not fit the facility.
    #[error("{0}")]
    Request(String),
    /// A candidate structure could not be compiled.
    #[error(transparent)]
    Model(#[from] ModelError),
}
