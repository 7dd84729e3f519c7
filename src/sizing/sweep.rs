//! Sensitivity sweeps: tranche metrics over a grid of one or two parameters
//! (e.g. first-loss share x global correlation), every point on the same
//! random streams.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde::Serialize;

use super::error::{AxisProblem, Role, SizingError, ValueProblem};
use super::per_path::{PathReading, horizon_of, read};
use super::sample::{Candidate, PoolSample};
use super::structure::{Structure, find_tranche};
use super::target::{Evaluation, Metric};
use crate::aggregate::{ImpliedRating, RatingBenchmark};
use crate::engine::RunSettings;
use crate::model::Model;
use crate::spec::{CorrelationShares, FacilitySpec, Overlay, ScenarioSpec, Selector};

/// A parameter a sweep varies.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Parameter {
    /// A tranche's share of total capital (`<tranche>.share`; the absorbing
    /// tranche keeps the total fixed), or the unfunded guarantee's cap as a
    /// share of it (`<guarantee>.share`).
    TrancheShare(String),
    /// A correlation share for every project (`correlation.global`, ...).
    Correlation(String),
    /// A hazard multiplier on every project (`pd_multiplier`).
    PdMultiplier,
    /// A relative recovery haircut on every project (`recovery_haircut`).
    RecoveryHaircut,
}

/// One axis of a sweep: a parameter and its values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Axis {
    /// The parameter's name as given (`first_loss.share`).
    pub name: String,
    /// What it varies.
    pub parameter: Parameter,
    /// Its values.
    pub values: Vec<f64>,
}

impl FromStr for Axis {
    type Err = SizingError;

    /// `NAME=LOW:HIGH:STEP` or `NAME=V1,V2,...`.
    fn from_str(text: &str) -> Result<Axis, SizingError> {
        let bad = |problem: AxisProblem| SizingError::Axis {
            text: text.to_owned(),
            problem,
        };
        let (name, values) = text.split_once('=').ok_or_else(|| bad(AxisProblem::Form))?;
        let name = name.trim();
        let parameter = match name {
            "pd_multiplier" => Parameter::PdMultiplier,
            "recovery_haircut" => Parameter::RecoveryHaircut,
            "correlation.global"
            | "correlation.mineral"
            | "correlation.country"
            | "correlation.region" => {
                Parameter::Correlation(name["correlation.".len()..].to_owned())
            }
            _ => match name.strip_suffix(".share") {
                Some(tranche) => Parameter::TrancheShare(tranche.to_owned()),
                None => return Err(bad(AxisProblem::UnknownParameter(name.to_owned()))),
            },
        };
        let values = parse_values(values).ok_or_else(|| bad(AxisProblem::Values))?;
        Ok(Axis {
            name: name.to_owned(),
            parameter,
            values,
        })
    }
}

fn parse_values(text: &str) -> Option<Vec<f64>> {
    let numbers = |sep: char| {
        text.split(sep)
            .map(|v| v.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
            .collect::<Option<Vec<f64>>>()
    };
    if text.contains(':') {
        let parts = numbers(':')?;
        let [low, high, step] = parts[..] else {
            return None;
        };
        if step <= 0.0 || high < low || (high - low) / step > 1000.0 {
            return None;
        }
        let count = ((high - low) / step + 1e-9).floor() as usize;
        // Rounded to 12 decimals so 0.05 + 2 x 0.05 prints as 0.15.
        Some(
            (0..=count)
                .map(|i| ((low + step * i as f64) * 1e12).round() / 1e12)
                .collect(),
        )
    } else {
        numbers(',').filter(|v| !v.is_empty())
    }
}

/// The metrics of one grid point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepPoint {
    /// One value per axis.
    pub values: Vec<f64>,
    /// Each metric asked for, in order.
    pub metrics: Vec<SweptMetric>,
}

/// One tranche metric at one grid point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweptMetric {
    /// The tranche.
    pub tranche: String,
    /// The metric.
    pub metric: Metric,
    /// Its value, SE and 95% bound; for an implied rating, those of the
    /// statistic rated, the tranche's P(loss).
    pub evaluation: Evaluation,
    /// For an implied rating: the rating, its horizon (the tranche's mean
    /// WAL) and benchmark, as in `ratings.csv` on the default-probability
    /// basis.
    pub rating: Option<ImpliedRating>,
}

impl SweptMetric {
    /// The metric's name in sweep outputs (`implied_rating` for a rating,
    /// whose value is P(loss)).
    pub fn name(&self) -> &'static str {
        match self.metric {
            Metric::ImpliedRating => "implied_rating",
            metric => metric.name(),
        }
    }

    /// The metric of a tranche of size zero at this point: undefined (a
    /// tranche that holds nothing has no loss rate or IRR), not a loss of
    /// zero or an IRR of -1.
    fn absent(tranche: &str, metric: Metric) -> SweptMetric {
        SweptMetric {
            tranche: tranche.to_owned(),
            metric,
            evaluation: Evaluation {
                value: f64::NAN,
                se: None,
                bound: f64::NAN,
            },
            rating: None,
        }
    }

    /// Whether the tranche has size zero at this point (every statistic
    /// undefined).
    pub fn is_absent(&self) -> bool {
        self.evaluation.value.is_nan() && self.evaluation.bound.is_nan()
    }
}

/// Runs the facility at every point of the grid (the product of the axes)
/// and evaluates `metrics` (tranche, metric) at each; `absorb` names the
/// tranche absorbing share changes (default: the tranche above).
pub fn sweep(
    spec: &FacilitySpec,
    axes: &[Axis],
    absorb: Option<&str>,
    metrics: &[(String, Metric)],
    settings: RunSettings,
) -> Result<Vec<SweepPoint>, SizingError> {
    if axes.is_empty() || axes.len() > 2 {
        return Err(SizingError::AxisCount { count: axes.len() });
    }
    if let [first, second] = axes
        && first.name == second.name
    {
        return Err(SizingError::AxisTwice {
            name: first.name.clone(),
        });
    }
    for (tranche, _) in metrics {
        find_tranche(spec, tranche, Role::Metric)?;
    }
    // Every point's values are checked before any point is run, so a bad
    // value fails at once, not after the points before it.
    let points = grid(axes);
    for values in &points {
        apply(spec, axes, values, absorb)?;
    }
    // Points that differ only in tranche shares have the same pool: its
    // defaults are simulated once and every structure's waterfall runs on
    // them (as in sizing), instead of one full run per point.
    let mut groups: BTreeMap<Vec<u64>, Vec<usize>> = BTreeMap::new();
    for (i, values) in points.iter().enumerate() {
        let pool_side = axes
            .iter()
            .zip(values)
            .filter(|(axis, _)| !matches!(axis.parameter, Parameter::TrancheShare(_)))
            .map(|(_, v)| v.to_bits())
            .collect();
        groups.entry(pool_side).or_default().push(i);
    }
    let benchmark = RatingBenchmark::default_probability(spec.implied_rating.clone());
    let mut swept: Vec<Option<SweepPoint>> = vec![None; points.len()];
    for members in groups.values() {
        let models = members
            .iter()
            .map(|&i| {
                let (facility, scenario) = apply(spec, axes, &points[i], absorb)?;
                Ok(Model::compile_scenario(&facility, &scenario)?)
            })
            .collect::<Result<Vec<Model>, SizingError>>()?;
        let sample = PoolSample::simulate(&models[0].pool, settings.seed, settings.paths);
        let evaluated = evaluate(&models, &sample, metrics, &benchmark);
        for (&i, metrics) in members.iter().zip(evaluated) {
            swept[i] = Some(SweepPoint {
                values: points[i].clone(),
                metrics,
            });
        }
    }
    Ok(swept.into_iter().flatten().collect())
}

/// Candidates evaluated in one pass over the paths at most: their per-path
/// values are held at once (the memory check counts on it).
pub const CANDIDATES_PER_PASS: usize = 16;

/// Metrics computed from one waterfall per path and candidate.
const METRICS_PER_PASS: usize = 4;

/// Each model's `metrics` on `sample` (the models share its pool), from
/// the same per-path losses, IRRs and average lives as a run (an implied
/// rating read off `benchmark` as in `ratings.csv`). A single metric lets
/// each waterfall stop once the value is settled (exact, as in sizing);
/// several are read off one full waterfall, a few at a time.
fn evaluate(
    models: &[Model],
    sample: &PoolSample,
    metrics: &[(String, Metric)],
    benchmark: &RatingBenchmark,
) -> Vec<Vec<SweptMetric>> {
    let mut evaluated: Vec<Vec<SweptMetric>> = vec![Vec::new(); models.len()];
    for (chunk, group) in models
        .chunks(CANDIDATES_PER_PASS)
        .zip(evaluated.chunks_mut(CANDIDATES_PER_PASS))
    {
        for asked in metrics.chunks(METRICS_PER_PASS) {
            let readings = read_paths(chunk, sample, asked);
            for ((rows, out), model) in readings.iter().zip(group.iter_mut()).zip(chunk) {
                for (m, (name, metric)) in asked.iter().enumerate() {
                    let held = model
                        .liabilities
                        .tranches
                        .iter()
                        .any(|t| &t.name == name && t.notional.minor() > 0);
                    out.push(match held {
                        true => swept_metric(model, rows, m, (name, *metric), benchmark),
                        false => SweptMetric::absent(name, *metric),
                    });
                }
            }
        }
    }
    evaluated
}

/// Metric `m` of one candidate from its per-path rows (the loss or IRR,
/// and the WAL for an implied rating).
fn swept_metric(
    model: &Model,
    rows: &[[PathReading; METRICS_PER_PASS]],
    m: usize,
    (tranche, metric): (&str, Metric),
    benchmark: &RatingBenchmark,
) -> SweptMetric {
    let per_path: Vec<f64> = rows.iter().map(|row| row[m].value).collect();
    let evaluation = metric.evaluate(&per_path, metric.adverse());
    let rating = (metric == Metric::ImpliedRating).then(|| {
        let wal: Vec<f64> = rows.iter().map(|row| row[m].wal).collect();
        let horizon = horizon_of(model, &wal);
        let se = evaluation.se.unwrap_or(f64::NAN);
        benchmark.implied_rating((evaluation.value, se), horizon)
    });
    SweptMetric {
        tranche: tranche.to_owned(),
        metric,
        evaluation,
        rating,
    }
}

/// Per model, path and metric asked (at most [`METRICS_PER_PASS`]): the
/// metric's reading of the path (absent where the tranche is not in the
/// facility), from one waterfall per path and model, stopped early when a
/// single metric is asked.
fn read_paths(
    models: &[Model],
    sample: &PoolSample,
    asked: &[(String, Metric)],
) -> Vec<Vec<[PathReading; METRICS_PER_PASS]>> {
    // Per model, each metric's tranche (None: not in the facility).
    let tranches: Vec<Vec<Option<usize>>> = models
        .iter()
        .map(|model| {
            asked
                .iter()
                .map(|(name, _)| {
                    model
                        .liabilities
                        .tranches
                        .iter()
                        .position(|t| &t.name == name)
                })
                .collect()
        })
        .collect();
    let candidates: Vec<Candidate> = models
        .iter()
        .zip(&tranches)
        .map(|(model, tranches)| Candidate {
            model,
            stop: match (asked, &tranches[..]) {
                ([(_, metric)], [Some(t)]) => Some(metric.settled(*t)),
                _ => None,
            },
        })
        .collect();
    sample.evaluate(&candidates, |c, ledger| {
        let mut row = [PathReading::ABSENT; METRICS_PER_PASS];
        for (m, ((_, metric), tranche)) in asked.iter().zip(&tranches[c]).enumerate() {
            if let Some(t) = *tranche {
                row[m] = read(*metric, &models[c], t, ledger);
            }
        }
        row
    })
}

/// Every combination of the axes' values, the first axis slowest.
fn grid(axes: &[Axis]) -> Vec<Vec<f64>> {
    axes.iter().fold(vec![Vec::new()], |points, axis| {
        points
            .iter()
            .flat_map(|p| axis.values.iter().map(move |&v| [&p[..], &[v]].concat()))
            .collect()
    })
}

/// The facility and overlay scenario at one grid point.
fn apply(
    spec: &FacilitySpec,
    axes: &[Axis],
    values: &[f64],
    absorb: Option<&str>,
) -> Result<(FacilitySpec, ScenarioSpec), SizingError> {
    let mut facility = spec.clone();
    let mut scenario = ScenarioSpec {
        name: "sweep".into(),
        ..ScenarioSpec::base()
    };
    for (axis, &value) in axes.iter().zip(values) {
        let out_of_range = |problem: ValueProblem| SizingError::AxisValue {
            axis: axis.name.clone(),
            value,
            problem,
        };
        match &axis.parameter {
            Parameter::TrancheShare(tranche) => {
                if !(0.0..1.0).contains(&value) {
                    return Err(out_of_range(ValueProblem::Share));
                }
                let structure = Structure::new(&facility, tranche, absorb)?;
                let amount = structure.amount(value);
                let leaves_nothing = || {
                    out_of_range(ValueProblem::LeavesNothing {
                        absorb: structure.absorb_name.clone(),
                        vanishing: structure.vanishing_share(),
                    })
                };
                facility = structure.with_amount(amount).ok_or_else(leaves_nothing)?;
            }
            Parameter::Correlation(key) => {
                let mut shares: CorrelationShares =
                    scenario.correlation.unwrap_or(spec.risk.correlation);
                let slot = match key.as_str() {
                    "global" => &mut shares.global,
                    "mineral" => &mut shares.mineral,
                    "country" => &mut shares.country,
                    _ => &mut shares.region,
                };
                *slot = value;
                if !(0.0..1.0).contains(&value) || shares.total() >= 1.0 {
                    return Err(out_of_range(ValueProblem::Correlation));
                }
                scenario.correlation = Some(shares);
            }
            Parameter::PdMultiplier if value >= 0.0 => {
                scenario.pd_multipliers.push(Overlay {
                    selector: Selector::default(),
                    value,
                });
            }
            Parameter::RecoveryHaircut if (0.0..=1.0).contains(&value) => {
                scenario.recovery_haircuts.push(Overlay {
                    selector: Selector::default(),
                    value,
                });
            }
            _ => {
                return Err(out_of_range(ValueProblem::Overlay));
            }
        }
    }
    Ok((facility, scenario))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::rating_horizon;

    #[test]
    fn axes_parse_ranges_and_lists() {
        let axis: Axis = "first_loss.share=0.05:0.2:0.05".parse().unwrap();
        assert_eq!(axis.parameter, Parameter::TrancheShare("first_loss".into()));
        assert_eq!(axis.values.len(), 4);
        assert!((axis.values[3] - 0.2).abs() < 1e-12);
        let axis: Axis = "correlation.global=0.1,0.3".parse().unwrap();
        assert_eq!(
            (axis.parameter, axis.values),
            (Parameter::Correlation("global".into()), vec![0.1, 0.3])
        );
        for bad in [
            "colour=1,2",
            "pd_multiplier",
            "pd_multiplier=1:2:0",
            "pd_multiplier=2:1:0.5",
            "pd_multiplier=a,b",
        ] {
            assert!(bad.parse::<Axis>().is_err(), "{bad}");
        }
    }

    /// The reference: each point a full run, its metrics from the run's
    /// per-path outcomes, an implied rating as `ratings.csv` has it.
    fn by_full_runs(
        spec: &FacilitySpec,
        axes: &[Axis],
        metrics: &[(String, Metric)],
        settings: RunSettings,
    ) -> Vec<SweepPoint> {
        grid(axes)
            .into_iter()
            .map(|values| {
                let (facility, scenario) = apply(spec, axes, &values, Some("senior")).unwrap();
                let model = Model::compile_scenario(&facility, &scenario).unwrap();
                let outcomes = crate::engine::simulate_outcomes(&model, &settings, &|_| {});
                let summary = crate::aggregate::summarise(&model, &outcomes);
                let benchmark = RatingBenchmark::default_probability(spec.implied_rating.clone());
                let legal_final = model.calendar.years_from_start(model.calendar.periods());
                let metrics = metrics
                    .iter()
                    .map(|(tranche, metric)| {
                        let i = spec
                            .tranches
                            .iter()
                            .position(|t| &t.name == tranche)
                            .unwrap();
                        let column = &outcomes.tranches[i];
                        let values = if metric.needs_irr() {
                            &column.irr
                        } else {
                            &column.loss
                        };
                        let evaluation = metric.evaluate(values, metric.adverse());
                        let row = &summary[i];
                        let rating = (*metric == Metric::ImpliedRating).then(|| {
                            let horizon = rating_horizon(row.wal_years, legal_final);
                            let rated = (row.prob_loss, row.prob_loss_se);
                            benchmark.implied_rating(rated, horizon)
                        });
                        SweptMetric {
                            tranche: tranche.clone(),
                            metric: *metric,
                            evaluation,
                            rating,
                        }
                    })
                    .collect();
                SweepPoint { values, metrics }
            })
            .collect()
    }

    /// Reusing one pool sample per pool (and stopping waterfalls early for
    /// a single metric) gives exactly what a full run per point gives: one
    /// metric at a time, and five or four (passes of up to four), implied
    /// ratings included.
    #[test]
    fn sweeps_equal_a_full_run_per_point() {
        let path = std::path::Path::new("portfolios/quickstart/facility.toml");
        let spec = crate::spec::load_facility(path, &Default::default())
            .unwrap()
            .spec;
        let axes: Vec<Axis> = ["first_loss.share=0.08,0.12", "correlation.global=0.1,0.2"]
            .iter()
            .map(|a| a.parse().unwrap())
            .collect();
        let settings = RunSettings {
            paths: 3000,
            seed: 11,
        };
        let metric = |text: &str| crate::sizing::parse_tranche_metric(text).unwrap();
        let all: Vec<(String, Metric)> = [
            "senior.expected_loss",
            "mezzanine.loss_p90",
            "first_loss.irr_p05",
            "senior.prob_loss",
            "mezzanine.irr_p50",
            "senior.irr_p50",
            "senior.implied_rating",
            "mezzanine.implied_rating",
        ]
        .map(metric)
        .to_vec();
        let (one, two) = (&all[..1], &all[1..2]);
        let (three, rating) = (&all[2..3], &all[6..7]);
        for metrics in [one, two, three, &all[5..6], rating, &all[..5], &all[4..]] {
            let swept = sweep(&spec, &axes, Some("senior"), metrics, settings).unwrap();
            assert_eq!(swept, by_full_runs(&spec, &axes, metrics, settings));
        }
    }

    #[test]
    fn the_grid_is_the_product_of_the_axes() {
        let axes: Vec<Axis> = ["pd_multiplier=1,2", "recovery_haircut=0,0.1,0.2"]
            .iter()
            .map(|a| a.parse().unwrap())
            .collect();
        let points = grid(&axes);
        assert_eq!(points.len(), 6);
        assert_eq!(points[1], vec![1.0, 0.1]);
        assert_eq!(points[3], vec![2.0, 0.0]);
    }
}
