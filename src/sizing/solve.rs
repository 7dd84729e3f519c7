//! The sizing search: a curve over the range, then bisection on the sample.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use super::SizingError;
use super::sample::PoolSample;
use super::structure::{Structure, find_tranche};
use super::target::{Direction, Evaluation, Metric, Target};
use crate::aggregate::{estimate, idealized_pd};
use crate::engine::RunSettings;
use crate::model::{Liabilities, Model};
use crate::spec::{FacilitySpec, RatingTable, ScenarioSpec};
use crate::waterfall::{Ledger, tranche_loss, tranche_outcome};

/// What to size and against which target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizingRequest {
    /// The target to meet.
    pub target: Target,
    /// The tranche whose size is solved for.
    pub solve: String,
    /// The tranche that absorbs the difference so the total stays fixed
    /// (default: the tranche directly above `solve`).
    pub absorb: Option<String>,
    /// Instead of absorbing: hold this tranche (and every other) at its
    /// amount and grow the total and the pool with the solved tranche.
    pub hold: Option<String>,
    /// Range of the solved tranche's share of total capital, low < high.
    pub range: (f64, f64),
    /// Points of the sizing curve (>= 2), equally spaced over the range.
    pub grid: usize,
}

/// The target metric at one candidate size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizingPoint {
    /// Solved tranche's share of total capital.
    pub share: f64,
    /// Solved tranche's amount in currency units.
    pub amount: Decimal,
    /// The metric (the worst over the scenarios), its SE and 95% bound.
    pub evaluation: Evaluation,
    /// The scenario in which the metric was worst.
    pub scenario: String,
}

/// The outcome of a sizing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizingResult {
    /// The request.
    pub request: SizingRequest,
    /// The tranche that absorbed the difference.
    pub absorb: String,
    /// Total capital (held fixed).
    pub total: Decimal,
    /// The metric at every size evaluated (the grid and the search's
    /// refinements), by increasing size.
    pub curve: Vec<SizingPoint>,
    /// Smallest size meeting the target on the sample (None: not in range).
    pub solution: Option<SizingPoint>,
    /// Smallest size whose 95% confidence bound meets the target.
    pub confident: Option<SizingPoint>,
    /// Whether the curve crossed the target once (if not, the solution is
    /// the smallest size beyond which every grid point meets the target).
    pub monotone: bool,
    /// Candidate structures evaluated.
    pub evaluations: usize,
}

/// Refinement steps at most.
const MAX_STEPS: usize = 30;

/// The search stops when the bracket is narrower than this share of total
/// capital (a basis point).
const RESOLUTION: f64 = 1e-4;

/// Solves `request` for `spec` over `scenarios` (the base case if empty):
/// the target must hold in every scenario.
pub fn size(
    spec: &FacilitySpec,
    scenarios: &[ScenarioSpec],
    settings: RunSettings,
    request: &SizingRequest,
) -> Result<SizingResult, SizingError> {
    let structure = match &request.hold {
        Some(hold) if request.absorb.is_none() => Structure::holding(spec, &request.solve, hold)?,
        Some(_) => {
            return Err(SizingError::Request(
                "give --absorb or --hold, not both".into(),
            ));
        }
        None => Structure::new(spec, &request.solve, request.absorb.as_deref())?,
    };
    check_request(spec, request)?;
    let base = [ScenarioSpec::base()];
    let scenarios = if scenarios.is_empty() {
        &base[..]
    } else {
        scenarios
    };
    let cases = scenarios
        .iter()
        .map(|s| {
            let model = Model::compile_scenario(spec, s)?;
            let sample = PoolSample::simulate(&model.pool, settings.seed, settings.paths);
            Ok((s.clone(), model, sample))
        })
        .collect::<Result<Vec<_>, SizingError>>()?;
    let mut search = Search {
        structure,
        cases,
        request,
        cache: BTreeMap::new(),
    };
    let curve: Vec<SizingPoint> = (0..request.grid)
        .map(|i| {
            let share = request.range.0
                + (request.range.1 - request.range.0) * i as f64 / (request.grid - 1) as f64;
            search.point(share)
        })
        .collect::<Result<_, _>>()?;
    let target = &request.target;
    let solution = search.smallest(&curve, false)?;
    let confident = search.smallest(&curve, true)?;
    let met: Vec<bool> = curve
        .iter()
        .map(|p| target.is_met(p.evaluation.value))
        .collect();
    let monotone = met.windows(2).all(|w| !w[0] || w[1]);
    Ok(SizingResult {
        request: request.clone(),
        absorb: search.structure.absorb_name.clone(),
        total: search.structure.total,
        evaluations: search.cache.len(),
        curve: search.cache.into_values().collect(),
        solution,
        confident,
        monotone,
    })
}

/// Checks what [`Structure::new`] does not: the target's tranche, the range
/// and the grid.
fn check_request(spec: &FacilitySpec, request: &SizingRequest) -> Result<(), SizingError> {
    find_tranche(spec, &request.target.tranche, "--target")?;
    let (low, high) = request.range;
    if !(0.0 <= low && low < high && high < 1.0) {
        return Err(SizingError::Request(format!(
            "--range {low}:{high}: expected 0 <= low < high < 1"
        )));
    }
    if request.grid < 2 {
        return Err(SizingError::Request(
            "the sizing curve needs at least 2 points".into(),
        ));
    }
    Ok(())
}

/// Candidate evaluations, cached by amount in minor units.
struct Search<'a> {
    structure: Structure<'a>,
    cases: Vec<(ScenarioSpec, Model, PoolSample)>,
    request: &'a SizingRequest,
    cache: BTreeMap<i128, SizingPoint>,
}

impl Search<'_> {
    fn point(&mut self, share: f64) -> Result<SizingPoint, SizingError> {
        let amount = self.structure.amount(share);
        let key = (amount * Decimal::from(10i64.pow(self.structure.spec.currency.minor_digits)))
            .to_i128()
            .unwrap_or(0);
        if let Some(point) = self.cache.get(&key) {
            return Ok(point.clone());
        }
        let spec = self.structure.with_amount(amount).ok_or_else(|| {
            SizingError::Request(format!(
                "a {} of {amount} leaves nothing of {}; narrow --range",
                self.request.solve, self.structure.absorb_name
            ))
        })?;
        let target = &self.request.target;
        let mut worst: Option<(Evaluation, String)> = None;
        for (scenario, model, sample) in &self.cases {
            let candidate = if self.structure.scales_pool() {
                Model::compile_scenario(&spec, scenario)?
            } else {
                Model {
                    liabilities: Liabilities::compile(&spec, &model.calendar)?,
                    ..model.clone()
                }
            };
            let index = candidate
                .liabilities
                .tranches
                .iter()
                .position(|t| t.name == target.tranche);
            let values = match index {
                Some(i) => per_path_values(&candidate, sample, i, target),
                // The target tranche was sized to zero: nothing to meet.
                None => vec![f64::NAN; sample.paths()],
            };
            let mut evaluation = target.metric.evaluate(&values, target.direction);
            if let (Metric::ImpliedRating(rating), Some(i)) = (target.metric, index) {
                // P(loss) less the rating's idealized PD at the tranche's WAL.
                let benchmark = idealized_pd(
                    &RatingTable::moodys_idealized_10y(),
                    rating,
                    mean_wal(&candidate, sample, i),
                );
                evaluation.value -= benchmark;
                evaluation.bound -= benchmark;
            }
            worst = Some(match worst {
                Some((w, wn)) if target.worse(w, evaluation) == w => (w, wn),
                _ => (evaluation, scenario.name.clone()),
            });
        }
        let (evaluation, scenario) = worst.expect("at least one scenario");
        let point = SizingPoint {
            share: self.structure.share_of(amount).to_f64().unwrap_or(share),
            amount,
            evaluation,
            scenario,
        };
        self.cache.insert(key, point.clone());
        Ok(point)
    }

    /// The smallest size meeting the target (`bound`: its 95% confidence
    /// bound rather than the point estimate): the first grid point after
    /// which every grid point meets it, refined within the grid cell below
    /// by secant steps aimed alternately half a resolution below and above
    /// the estimated crossing, which on a smooth curve close the bracket in
    /// a few evaluations where bisection needs a dozen; a guess that would
    /// land next to an end is replaced by the midpoint.
    fn smallest(
        &mut self,
        curve: &[SizingPoint],
        bound: bool,
    ) -> Result<Option<SizingPoint>, SizingError> {
        let target = self.request.target.clone();
        // The gap to the target, on a log scale when the metric and the
        // threshold are positive: losses and probabilities fall roughly
        // exponentially with credit enhancement, so secant steps on the log
        // land near the crossing at once.
        let gap = |p: &SizingPoint| {
            let value = if bound {
                p.evaluation.bound
            } else {
                p.evaluation.value
            };
            let (value, threshold) = if value > 0.0 && target.threshold > 0.0 {
                (value.ln(), target.threshold.ln())
            } else {
                (value, target.threshold)
            };
            match target.direction {
                Direction::AtMost => value - threshold,
                Direction::AtLeast => threshold - value,
            }
        };
        let met = |p: &SizingPoint| gap(p) <= 0.0;
        let Some(first) = (0..curve.len()).find(|&i| curve[i..].iter().all(met)) else {
            return Ok(None);
        };
        if first == 0 {
            return Ok(Some(curve[0].clone()));
        }
        let (mut low, mut high) = (curve[first - 1].clone(), curve[first].clone());
        let (mut low_gap, mut high_gap) = (gap(&low), gap(&high));
        // Aim just below the secant estimate of the crossing, then just
        // above it: on a smooth curve the bracket closes to the resolution
        // in a few evaluations, from both sides.
        let mut aim_below = true;
        for _ in 0..MAX_STEPS {
            let width = high.share - low.share;
            if width <= RESOLUTION {
                break;
            }
            let secant = high.share - high_gap * width / (high_gap - low_gap);
            let offset = if aim_below {
                -0.5 * RESOLUTION
            } else {
                0.5 * RESOLUTION
            };
            let inside = low.share + 0.1 * RESOLUTION..high.share - 0.1 * RESOLUTION;
            let guess = if secant.is_finite() && inside.contains(&(secant + offset)) {
                secant + offset
            } else {
                0.5 * (low.share + high.share)
            };
            let point = self.point(guess)?;
            if point.share <= low.share || point.share >= high.share {
                break; // the minor-unit rounding cannot split the bracket further
            }
            let g = gap(&point);
            let met = g <= 0.0;
            // Illinois: when the same end moves twice, halve the other's
            // weight so the secant cannot stall on one side.
            if met && aim_below {
                low_gap *= 0.5;
            } else if !met && !aim_below {
                high_gap *= 0.5;
            }
            aim_below = met;
            if met {
                (high, high_gap) = (point, g);
            } else {
                (low, low_gap) = (point, g);
            }
        }
        Ok(Some(high))
    }
}

/// The tranche's mean weighted average life over the paths that repaid
/// principal (the legal final date if none did).
fn mean_wal(model: &Model, sample: &PoolSample, index: usize) -> f64 {
    let tranche = &model.liabilities.tranches[index];
    let wal = sample.evaluate(model, None, |ledger: &Ledger| {
        tranche_outcome(tranche, index, ledger, &model.calendar).wal_years
    });
    let mean = estimate(&wal).mean;
    if mean.is_nan() {
        model.calendar.years_from_start(model.calendar.periods())
    } else {
        mean
    }
}

/// The per-path values the target's metric is computed from: the tranche's
/// loss fraction, or its IRR.
fn per_path_values(model: &Model, sample: &PoolSample, index: usize, target: &Target) -> Vec<f64> {
    let tranche = &model.liabilities.tranches[index];
    if target.metric.needs_irr() {
        sample.evaluate(model, None, |ledger: &Ledger| {
            tranche_outcome(tranche, index, ledger, &model.calendar).irr
        })
    } else {
        sample.evaluate(model, Some(index), |ledger: &Ledger| {
            tranche_loss(tranche, index, ledger)
        })
    }
}
