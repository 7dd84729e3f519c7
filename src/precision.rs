//! Stopping a run at a target precision: paths are simulated in fixed
//! blocks until every target's standard error is small enough (or a cap
//! is reached). Path p always uses random stream p, so the outcomes, and
//! every file of the pack, are exactly those of a fixed run with the final
//! number of paths.

use std::fmt;

use serde::Serialize;

use crate::aggregate::{Outcomes, RunningEstimate};
use crate::engine::{RunSettings, Simulation};
use crate::model::Model;
use crate::sizing::{Metric, parse_tranche_metric};

/// Whether a target bounds the standard error itself or relative to the
/// estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// SE at most the value, in the metric's unit.
    Absolute,
    /// SE over |estimate| at most the value.
    Relative,
}

/// `tranche.metric` with the standard error it must reach.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrecisionTarget {
    /// Tranche name.
    pub tranche: String,
    /// The metric (a mean or a quantile; not an implied rating).
    pub metric: Metric,
    /// Absolute or relative.
    pub precision: Precision,
    /// The largest standard error accepted (absolute, or as a fraction of
    /// the estimate).
    pub value: f64,
}

impl PrecisionTarget {
    /// Parses `tranche.metric=value`, e.g. `senior.expected_loss=0.00001`.
    pub fn parse(text: &str, precision: Precision) -> Result<PrecisionTarget, String> {
        let (left, right) = text
            .split_once('=')
            .ok_or("expected `tranche.metric=value`, e.g. `senior.expected_loss=0.00001`")?;
        let (tranche, metric) = parse_tranche_metric(left)?;
        if metric == Metric::ImpliedRating {
            return Err(
                "an implied rating has no standard error of its own; target its prob_loss".into(),
            );
        }
        let value: f64 = right
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v > 0.0)
            .ok_or_else(|| format!("`{}` is not a positive number", right.trim()))?;
        Ok(PrecisionTarget {
            tranche,
            metric,
            precision,
            value,
        })
    }
}

impl fmt::Display for PrecisionTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.precision {
            Precision::Absolute => "se",
            Precision::Relative => "rse",
        };
        write!(
            f,
            "{}.{} {kind} <= {}",
            self.tranche,
            self.metric.name(),
            self.value
        )
    }
}

/// A target's standing when the run stopped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetReading {
    /// The target.
    pub target: PrecisionTarget,
    /// The metric's estimate.
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// Whether the standard error meets the target.
    pub met: bool,
}

/// Where a run with targets stopped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrecisionOutcome {
    /// Paths simulated.
    pub paths: u64,
    /// Whether every target was met (else the cap was reached).
    pub met: bool,
    /// Each target's estimate and standard error at the end.
    pub readings: Vec<TargetReading>,
}

/// A target naming a tranche the facility does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("precision target `{target}`: no tranche `{tranche}`; the facility's tranches are {known}")]
pub struct UnknownTranche {
    /// The target as given.
    pub target: String,
    /// The tranche it names.
    pub tranche: String,
    /// The facility's tranches.
    pub known: String,
}

/// Each target's tranche index in `model`.
pub fn resolve(model: &Model, targets: &[PrecisionTarget]) -> Result<Vec<usize>, UnknownTranche> {
    let tranches = &model.liabilities.tranches;
    targets
        .iter()
        .map(|target| {
            tranches
                .iter()
                .position(|t| t.name == target.tranche)
                .ok_or_else(|| UnknownTranche {
                    target: target.to_string(),
                    tranche: target.tranche.clone(),
                    known: tranches
                        .iter()
                        .map(|t| t.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                })
        })
        .collect()
}

/// Simulates `model` in blocks of `block` paths until every target is met
/// or `settings.paths` paths are done; `tranches` are the targets' tranche
/// indices ([`resolve`]). `progress` gets the paths done.
pub fn simulate_to_precision(
    model: &Model,
    settings: &RunSettings,
    block: u64,
    targets: &[PrecisionTarget],
    tranches: &[usize],
    progress: &(dyn Fn(u64) + Sync),
) -> (Outcomes, PrecisionOutcome) {
    let mut simulation = Simulation::new(model, settings.seed, settings.paths);
    let mut running = vec![RunningEstimate::default(); targets.len()];
    loop {
        let next = (simulation.paths() + block.max(1)).min(settings.paths);
        let first = simulation.paths() as usize;
        simulation.extend_to(next, progress);
        let readings = read(
            targets,
            tranches,
            simulation.outcomes(),
            first,
            &mut running,
        );
        let met = readings.iter().all(|r| r.met);
        if met || next >= settings.paths {
            let outcome = PrecisionOutcome {
                paths: next,
                met,
                readings,
            };
            return (simulation.finish(), outcome);
        }
    }
}

/// Every target's reading over all paths so far; the running means take
/// in paths `first..` (a quantile is read from every path again).
fn read(
    targets: &[PrecisionTarget],
    tranches: &[usize],
    outcomes: &Outcomes,
    first: usize,
    running: &mut [RunningEstimate],
) -> Vec<TargetReading> {
    targets
        .iter()
        .zip(tranches)
        .zip(running)
        .map(|((target, &t), running)| {
            let columns = &outcomes.tranches[t];
            let (estimate, se) = match target.metric {
                Metric::ExpectedLoss | Metric::ProbLoss => {
                    for &loss in &columns.loss[first..] {
                        running.add(if target.metric == Metric::ProbLoss {
                            f64::from(loss > 0.0)
                        } else {
                            loss
                        });
                    }
                    let e = running.estimate();
                    (e.mean, e.se)
                }
                metric => {
                    let values = if metric.needs_irr() {
                        &columns.irr
                    } else {
                        &columns.loss
                    };
                    let e = metric.evaluate(values, metric.adverse());
                    (e.value, e.se.unwrap_or(f64::NAN))
                }
            };
            let allowed = match target.precision {
                Precision::Absolute => target.value,
                Precision::Relative => target.value * estimate.abs(),
            };
            TargetReading {
                target: target.clone(),
                estimate,
                se,
                // NaN (too few paths) never meets a target; nor does a
                // relative target on an estimate of exactly zero.
                met: se <= allowed && (target.precision == Precision::Absolute || estimate != 0.0),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_with_their_kind() {
        let t =
            PrecisionTarget::parse("senior.expected_loss=0.00001", Precision::Absolute).unwrap();
        assert_eq!(t.tranche, "senior");
        assert_eq!(t.metric, Metric::ExpectedLoss);
        assert_eq!(t.value, 0.00001);
        assert_eq!(t.to_string(), "senior.expected_loss se <= 0.00001");
        let t = PrecisionTarget::parse("first loss.loss_p99 = 0.05", Precision::Relative).unwrap();
        assert_eq!(t.tranche, "first loss");
        assert_eq!(t.metric, Metric::LossQuantile(0.99));
    }

    #[test]
    fn bad_targets_say_what_is_expected() {
        let bad = |text| PrecisionTarget::parse(text, Precision::Absolute).unwrap_err();
        assert!(bad("senior.expected_loss").contains("tranche.metric=value"));
        assert!(bad("senior.expected_loss=0").contains("positive"));
        assert!(bad("senior.expected_loss=-1").contains("positive"));
        assert!(bad("senior.expected_loss=nan").contains("positive"));
        assert!(bad("senior.implied_rating=0.1").contains("prob_loss"));
        assert!(bad("senior.el=0.1").contains("unknown metric"));
    }
}
