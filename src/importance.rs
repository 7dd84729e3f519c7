//! Importance sampling's choice of shift (docs/model.md, "Importance
//! sampling"): the cross-entropy method (Rubinstein and Kroese; de Boer,
//! Kroese, Mannor and Rubinstein 2005, references section 4) on pilot
//! paths through the whole waterfall, so that the shift aims at the paths
//! on which the chosen tranche actually loses, excess spread, triggers
//! and all.
//!
//! Each round simulates [`PILOT_PATHS`] pilot paths under the current
//! shift, ranks them by a score (the pool's loss, or one plus the
//! tranche's loss when it loses), keeps the best [`ELITE`] share (every
//! path on which the tranche loses once they are at least that share),
//! and moves the factor means to the elite's likelihood-weighted mean
//! factor values: the member of the shifted-normal family closest in
//! cross-entropy to the law of the factors given the event. For the t
//! copula the chi-square variable's scale follows the elite's weighted
//! mean of `W / dof`. The search stops two rounds after the tranche's
//! losses became the elite, or after [`MAX_ROUNDS`].

use crate::engine::{PilotPath, pilot_paths};
use crate::model::{FactorShift, Model};

/// Pilot paths per round.
pub const PILOT_PATHS: usize = 5_000;
/// Share of the pilot paths kept as the elite.
pub const ELITE: f64 = 0.1;
/// Most rounds of the search.
pub const MAX_ROUNDS: usize = 10;
/// Largest scale of the chi-square variable: its likelihood ratio grows
/// like `exp((lambda - 1) W / 2)`, whose second moment under the sampling
/// law, `E[exp((lambda - 1) W / 2)]` under the chi-square, is finite only
/// for lambda < 2; 1.5 keeps the weights' variance finite with a margin.
pub const MAX_MIXING_SCALE: f64 = 1.5;
/// Rounds once the tranche's losses are the elite.
const FINAL_ROUNDS: usize = 2;

/// Why no shift can be chosen.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportanceError {
    /// The named tranche does not exist.
    #[error("--importance-tranche: no tranche is named {name:?} (tranches: {known})")]
    UnknownTranche {
        /// The name given.
        name: String,
        /// The tranches there are.
        known: String,
    },
}

/// The index of tranche `name` (the most senior when `None`).
pub fn tranche_index(model: &Model, name: Option<&str>) -> Result<usize, ImportanceError> {
    let tranches = &model.liabilities.tranches;
    let Some(name) = name else {
        return Ok(0);
    };
    tranches
        .iter()
        .position(|t| t.name == name)
        .ok_or_else(|| ImportanceError::UnknownTranche {
            name: name.to_owned(),
            known: tranches
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// `model` sampled by importance sampling, with the shift chosen for
/// tranche `tranche` (the most senior when `None`) from pilot paths of
/// seed `seed`.
pub fn with_importance(
    model: &Model,
    seed: u64,
    tranche: Option<&str>,
) -> Result<Model, ImportanceError> {
    let index = tranche_index(model, tranche)?;
    let name = model.liabilities.tranches[index].name.clone();
    let mut trial = model.clone();
    trial.pool.importance = Some(FactorShift::none(&model.pool, &name));
    let mut final_rounds = 0;
    for _ in 0..MAX_ROUNDS {
        let pilots = pilot_paths(&trial, seed, index, PILOT_PATHS);
        let Some((shift, at_event)) = next_shift(&trial, &name, &pilots) else {
            break;
        };
        trial.pool.importance = Some(shift);
        final_rounds += usize::from(at_event);
        if final_rounds >= FINAL_ROUNDS {
            break;
        }
    }
    Ok(trial)
}

/// A pilot path's rank: above 1 when the tranche loses.
fn score(p: &PilotPath) -> f64 {
    if p.tranche_loss > 0.0 {
        1.0 + p.tranche_loss
    } else {
        p.pool_loss
    }
}

/// The cross-entropy update from one round's pilots, and whether its elite
/// was the tranche's losses; `None` when the elite has no weight.
fn next_shift(model: &Model, name: &str, pilots: &[PilotPath]) -> Option<(FactorShift, bool)> {
    let mut scores: Vec<f64> = pilots.iter().map(score).collect();
    scores.sort_by(f64::total_cmp);
    let level = crate::aggregate::quantile(&scores, 1.0 - ELITE);
    let at_event = level > 1.0;
    let elite = |p: &&PilotPath| {
        if at_event {
            score(p) > 1.0
        } else {
            score(p) >= level
        }
    };
    let dimension = pilots.first()?.point.len();
    let mut sums = vec![crate::aggregate::CompensatedSum::default(); dimension + 2];
    for p in pilots.iter().filter(elite) {
        for (sum, z) in sums.iter_mut().zip(&p.point) {
            sum.add(p.weight * z);
        }
        sums[dimension].add(p.weight * p.mixing_ratio);
        sums[dimension + 1].add(p.weight);
    }
    let total = sums[dimension + 1].value();
    if total <= 0.0 || !total.is_finite() {
        return None;
    }
    let means: Vec<f64> = sums[..dimension]
        .iter()
        .map(|s| s.value() / total)
        .collect();
    // The sampled W has mean dof / lambda: lambda puts it at the elite's,
    // up to MAX_MIXING_SCALE.
    let lambda = match model.pool.latent.dof() {
        Some(_) => (total / sums[dimension].value()).min(MAX_MIXING_SCALE),
        None => 1.0,
    };
    Some((
        FactorShift::new(&model.pool, name, &means, lambda),
        at_event,
    ))
}
