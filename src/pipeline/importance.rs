//! Importance sampling in the run pipeline: the sampled model, and the
//! requests and outputs it does not weight yet, which are refused or left
//! out rather than reported unweighted.

use super::{RunError, RunRequest};
use crate::model::Model;
use crate::spec::Sampling;

pub use crate::aggregate::NOT_WEIGHTED;

/// A request importance sampling cannot serve yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--sampling importance does not support {what} yet: {why}")]
pub struct Unsupported {
    /// The option or command.
    pub what: String,
    /// Why, and what to do instead.
    pub why: String,
}

/// Refuses what importance sampling does not weight yet, before anything
/// runs.
pub fn check_request(request: &RunRequest) -> Result<(), Unsupported> {
    if request.sampling.0 != Sampling::Importance {
        return Ok(());
    }
    let refuse = |what: &str, why: &str| {
        Err(Unsupported {
            what: what.into(),
            why: why.into(),
        })
    };
    // Scenarios (each its own shift, chosen on its own law by
    // `sampled_model`) and precision targets (read from the weighted
    // running estimates) are served.
    if !request.traces.quantiles.is_empty() {
        return refuse(
            "--trace-quantile",
            "the traced quantile would be of the sampled, not the model's, law; use --trace-path",
        );
    }
    Ok(())
}

/// `model` with the sampling law the request asks for: unchanged for plain
/// sampling, else with the shift chosen for the request's tranche on this
/// model's own law (each scenario of a run gets its own shift).
pub fn sampled_model(request: &RunRequest, model: Model) -> Result<Model, RunError> {
    if request.sampling.0 != Sampling::Importance {
        return Ok(model);
    }
    crate::importance::with_importance(&model, request.settings.seed, request.sampling.1.as_deref())
        .map_err(RunError::ImportanceTranche)
}
