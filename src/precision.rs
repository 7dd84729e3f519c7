//! Stopping a run at a target precision: paths are simulated in fixed
//! blocks until every target's standard error is small enough (or a cap
//! is reached). Path p always uses random stream p, so the outcomes, and
//! every file of the pack, are exactly those of a fixed run with the final
//! number of paths.

use std::fmt;

use serde::Serialize;

use crate::aggregate::{Outcomes, RunningEstimate, TrancheColumns, Weights};
use crate::engine::{RunSettings, Simulation};
use crate::model::Model;
use crate::sizing::{Direction, Metric, parse_tranche_metric};

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

impl PrecisionTarget {
    /// The largest standard error this target accepts for `estimate`.
    fn allowed_se(&self, estimate: f64) -> f64 {
        match self.precision {
            Precision::Absolute => self.value,
            Precision::Relative => self.value * estimate.abs(),
        }
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
/// indices ([`resolve`]). `progress` gets the paths done; `projected`,
/// after each block that leaves a target unmet, the paths the run now
/// expects to need ([`projected_paths`]).
pub fn simulate_to_precision(
    model: &Model,
    settings: &RunSettings,
    block: u64,
    targets: &[PrecisionTarget],
    tranches: &[usize],
    progress: &(dyn Fn(u64) + Sync),
    projected: &dyn Fn(u64),
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
        projected(projected_paths(&readings, next, block, settings.paths));
    }
}

/// The paths a run that has done `paths` is expected to need to meet every
/// target, at most `cap`: a standard error falls as one over the square
/// root of the paths, so a target whose SE is r times what is allowed needs
/// about r² times the paths. Rounded up to whole blocks, and at least one
/// block more than done; `cap` while any SE is not yet known (too few
/// paths, or a relative target on an estimate of zero).
pub fn projected_paths(readings: &[TargetReading], paths: u64, block: u64, cap: u64) -> u64 {
    let block = block.max(1);
    let mut needed = paths.saturating_add(block) as f64;
    for reading in readings.iter().filter(|r| !r.met) {
        let ratio = reading.se / reading.target.allowed_se(reading.estimate);
        if !ratio.is_finite() {
            return cap;
        }
        needed = needed.max(paths as f64 * ratio * ratio);
    }
    let blocks = (needed / block as f64).ceil();
    if blocks >= (cap / block + 1) as f64 {
        return cap;
    }
    (blocks as u64 * block).min(cap)
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
            let weights = Weights::of(&outcomes.weights);
            let (estimate, se) = match target.metric {
                Metric::ExpectedLoss | Metric::ProbLoss => {
                    for (i, &loss) in columns.loss.iter().enumerate().skip(first) {
                        // Under importance sampling the weighted mean
                        // `(1/n) sum w x`, as summary.csv's (a weight of 1
                        // leaves a plain value as it is).
                        let w = outcomes.weights.get(i).copied().unwrap_or(1.0);
                        running.add(if target.metric == Metric::ProbLoss {
                            w * f64::from(loss > 0.0)
                        } else {
                            w * loss
                        });
                    }
                    let e = running.estimate();
                    (e.mean, e.se)
                }
                metric if weights.is_importance() => weighted_quantile(metric, columns, weights),
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
            let allowed = target.allowed_se(estimate);
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

/// A quantile target's reading under importance sampling: the weighted
/// quantile, and as its standard error the distance to the adverse end of
/// its 95% interval over 1.96 (as [`Metric::evaluate`] reads the plain
/// order-statistic interval).
fn weighted_quantile(metric: Metric, columns: &TrancheColumns, weights: Weights) -> (f64, f64) {
    let interval = match metric {
        Metric::LossQuantile(p) => weights.sorted(&columns.loss).loss_quantile_interval(p),
        Metric::IrrQuantile(p) => weights.sorted(&columns.irr).irr_quantile_interval(p),
        _ => None,
    };
    let Some(q) = interval else {
        return (f64::NAN, f64::NAN);
    };
    let bound = match metric.adverse() {
        Direction::AtMost => q.ci_high,
        Direction::AtLeast => q.ci_low,
    };
    (q.value, (bound - q.value).abs() / 1.96)
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

    fn reading(precision: Precision, value: f64, estimate: f64, se: f64) -> TargetReading {
        TargetReading {
            target: PrecisionTarget {
                tranche: "senior".into(),
                metric: Metric::ExpectedLoss,
                precision,
                value,
            },
            estimate,
            se,
            met: false,
        }
    }

    /// 10,000 paths with an SE twice the target need about 4 x 10,000 =
    /// 40,000; an SE 1.5 times a relative target (0.1 x 0.002 = 0.0002
    /// allowed, 0.0003 read) needs 2.25 x 10,000 = 22,500, rounded up to
    /// whole blocks of 10,000: 30,000. The largest need wins; the cap and
    /// an unknown SE bound it.
    #[test]
    fn projected_paths_scale_with_the_squared_se_ratio() {
        let absolute = reading(Precision::Absolute, 0.0001, 0.001, 0.0002);
        let relative = reading(Precision::Relative, 0.1, 0.002, 0.0003);
        assert_eq!(
            projected_paths(std::slice::from_ref(&absolute), 10_000, 10_000, 1_000_000),
            40_000
        );
        assert_eq!(
            projected_paths(std::slice::from_ref(&relative), 10_000, 10_000, 1_000_000),
            30_000
        );
        assert_eq!(
            projected_paths(&[relative, absolute.clone()], 10_000, 10_000, 1_000_000),
            40_000
        );
        assert_eq!(
            projected_paths(std::slice::from_ref(&absolute), 10_000, 10_000, 25_000),
            25_000
        );
        let unknown = reading(Precision::Relative, 0.1, 0.0, 0.0);
        assert_eq!(
            projected_paths(&[unknown], 10_000, 10_000, 1_000_000),
            1_000_000
        );
        // An SE just above its target still asks for one more block.
        let close = reading(Precision::Absolute, 0.0001, 0.001, 0.000_100_1);
        assert_eq!(projected_paths(&[close], 10_000, 10_000, 1_000_000), 20_000);
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
