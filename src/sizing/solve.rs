//! The sizing search: a curve over the range, then a safeguarded secant
//! search on the sample for the smallest size meeting the target.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use super::SizingError;
use super::sample::{Candidate, PoolSample};
use super::structure::{Structure, find_tranche};
use super::target::{Direction, Evaluation, Metric, Target};
use crate::aggregate::{RatingBenchmark, estimate};
use crate::engine::RunSettings;
use crate::model::{Liabilities, Model};
use crate::spec::{FacilitySpec, ScenarioSpec};
use crate::waterfall::{Ledger, StopWhen, tranche_loss, tranche_outcome, tranche_wal};

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
    /// For an implied-rating target, the rating's idealized default
    /// probability at the tranche's WAL in that scenario (the metric is
    /// P(loss) less it): the search compares the logarithms of the two.
    #[serde(skip)]
    pub benchmark: Option<f64>,
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

/// Refinement rounds at most: a search halves its bracket at least every
/// third step, and a bracket below 1 halves to the resolution in 14
/// halvings, so 42 rounds always suffice; this is a guard, not a budget.
const MAX_STEPS: usize = 64;

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
    let rating = check_request(spec, request)?;
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
        rating,
        cache: BTreeMap::new(),
    };
    let grid: Vec<f64> = (0..request.grid)
        .map(|i| {
            request.range.0
                + (request.range.1 - request.range.0) * i as f64 / (request.grid - 1) as f64
        })
        .collect();
    let curve = search.points(&grid)?;
    let target = &request.target;
    let (solution, confident) = search.solutions(&curve)?;
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

/// Checks what [`Structure::new`] does not: the target's tranche and
/// rating, the range and the grid. Returns, for an implied-rating target,
/// the benchmark and the rating's index in it.
fn check_request(
    spec: &FacilitySpec,
    request: &SizingRequest,
) -> Result<Option<(RatingBenchmark, usize)>, SizingError> {
    find_tranche(spec, &request.target.tranche, "--target")?;
    let rating = target_rating(spec, &request.target)?;
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
    Ok(rating)
}

/// For an implied-rating target, the default-probability benchmark of the
/// facility's idealized table and the index of the target's rating in it
/// (an error listing the table's ratings if it has no such rating).
fn target_rating(
    spec: &FacilitySpec,
    target: &Target,
) -> Result<Option<(RatingBenchmark, usize)>, SizingError> {
    let (Metric::ImpliedRating, Some(rating)) = (target.metric, &target.rating) else {
        return Ok(None);
    };
    let table = &spec.implied_rating;
    let index = table.position(rating).ok_or_else(|| SizingError::Target {
        target: target.to_string(),
        why: format!(
            "unknown rating `{rating}`; the idealized rating table ({}) has {} (exact spelling)",
            table.source(),
            table.ratings().join(", ")
        ),
    })?;
    Ok(Some((
        RatingBenchmark::default_probability(table.clone()),
        index,
    )))
}

/// A candidate's worst evaluation over the scenarios, the scenario, and
/// there the implied-rating benchmark (see [`SizingPoint::benchmark`]).
type Worst = (Evaluation, String, Option<f64>);

/// Candidate evaluations, cached by amount in minor units.
struct Search<'a> {
    structure: Structure<'a>,
    cases: Vec<(ScenarioSpec, Model, PoolSample)>,
    request: &'a SizingRequest,
    /// For an implied-rating target: the benchmark and the rating's index.
    rating: Option<(RatingBenchmark, usize)>,
    cache: BTreeMap<i128, SizingPoint>,
}

impl Search<'_> {
    /// The candidates at each of `shares`, the new ones evaluated together
    /// (one pass over the paths per scenario).
    fn points(&mut self, shares: &[f64]) -> Result<Vec<SizingPoint>, SizingError> {
        let minor = Decimal::from(10i64.pow(self.structure.spec.currency.minor_digits));
        let keyed: Vec<(i128, Decimal, f64)> = shares
            .iter()
            .map(|&share| {
                let amount = self.structure.amount(share);
                ((amount * minor).to_i128().unwrap_or(0), amount, share)
            })
            .collect();
        let mut fresh: Vec<(i128, Decimal, f64, FacilitySpec)> = Vec::new();
        for &(key, amount, share) in &keyed {
            if self.cache.contains_key(&key) || fresh.iter().any(|f| f.0 == key) {
                continue;
            }
            let spec = self.structure.with_amount(amount).ok_or_else(|| {
                SizingError::Request(format!(
                    "a {} of {amount} leaves nothing of {}; narrow --range",
                    self.request.solve, self.structure.absorb_name
                ))
            })?;
            fresh.push((key, amount, share, spec));
        }
        if !fresh.is_empty() {
            let specs: Vec<&FacilitySpec> = fresh.iter().map(|f| &f.3).collect();
            let evaluations = self.evaluate(&specs)?;
            for ((key, amount, share, _), (evaluation, scenario, benchmark)) in
                fresh.into_iter().zip(evaluations)
            {
                let point = SizingPoint {
                    share: self.structure.share_of(amount).to_f64().unwrap_or(share),
                    amount,
                    evaluation,
                    scenario,
                    benchmark,
                };
                self.cache.insert(key, point);
            }
        }
        Ok(keyed
            .iter()
            .map(|(key, ..)| self.cache[key].clone())
            .collect())
    }

    /// The target metric of each candidate facility, the worst over the
    /// scenarios, with the scenario it was worst in (and there, for an
    /// implied rating, the benchmark).
    fn evaluate(&self, specs: &[&FacilitySpec]) -> Result<Vec<Worst>, SizingError> {
        let target = &self.request.target;
        let mut worst: Vec<Option<Worst>> = vec![None; specs.len()];
        for (scenario, model, sample) in &self.cases {
            let candidates = specs
                .iter()
                .map(|spec| {
                    Ok(if self.structure.scales_pool() {
                        Model::compile_scenario(spec, scenario)?
                    } else {
                        Model {
                            liabilities: Liabilities::compile(spec, &model.calendar)?,
                            ..model.clone()
                        }
                    })
                })
                .collect::<Result<Vec<Model>, SizingError>>()?;
            let batch = Batch {
                models: &candidates,
                sample,
                shared_pool: !self.structure.scales_pool(),
                index: candidates
                    .iter()
                    .map(|m| {
                        m.liabilities
                            .tranches
                            .iter()
                            .position(|t| t.name == target.tranche)
                    })
                    .collect(),
            };
            let (values, wals) = batch.target_values(target);
            for (c, values) in values.iter().enumerate() {
                let mut evaluation = target.metric.evaluate(values, target.direction);
                let mut benchmark = None;
                if let (Some((table, rating)), Some(wals)) = (&self.rating, &wals) {
                    // P(loss) less the rating's idealized PD at the tranche's WAL.
                    let pd = table.at(*rating, wals[c]);
                    evaluation.value -= pd;
                    evaluation.bound -= pd;
                    benchmark = Some(pd);
                }
                worst[c] = Some(match worst[c].take() {
                    Some(w) if target.worse(w.0, evaluation) == w.0 => w,
                    _ => (evaluation, scenario.name.clone(), benchmark),
                });
            }
        }
        Ok(worst
            .into_iter()
            .map(|w| w.expect("at least one scenario"))
            .collect())
    }

    /// The smallest size meeting the target on the sample and the smallest
    /// whose 95% confidence bound meets it, refined together (each round
    /// evaluates both searches' next guesses in one pass over the paths).
    fn solutions(
        &mut self,
        curve: &[SizingPoint],
    ) -> Result<(Option<SizingPoint>, Option<SizingPoint>), SizingError> {
        let target = self.request.target.clone();
        let mut searches = [false, true].map(|bound| Refinement::start(&target, curve, bound));
        for _ in 0..MAX_STEPS {
            let guesses: Vec<(usize, f64)> = searches
                .iter()
                .enumerate()
                .filter_map(|(i, s)| s.guess().map(|g| (i, g)))
                .collect();
            if guesses.is_empty() {
                break;
            }
            let shares: Vec<f64> = guesses.iter().map(|&(_, g)| g).collect();
            let points = self.points(&shares)?;
            // Each search narrows with its own guess first, then with the
            // other's point when that falls inside its bracket (every point
            // carries both the estimate and its bound).
            for (i, search) in searches.iter_mut().enumerate() {
                let mut round: Vec<(bool, &SizingPoint)> = guesses
                    .iter()
                    .zip(&points)
                    .map(|((owner, _), point)| (*owner == i, point))
                    .collect();
                round.sort_by_key(|&(own, _)| !own);
                for (own, point) in round {
                    search.update(&target, point.clone(), own);
                }
            }
        }
        let [value, bound] = searches.map(Refinement::solution);
        Ok((value, bound))
    }
}

/// One search for the smallest size meeting the target: the first grid
/// point after which every grid point meets it, refined within the grid
/// cell below by secant steps aimed alternately half a resolution below
/// and above the estimated crossing, which on a smooth curve close the
/// bracket in a few evaluations where bisection needs a dozen. A guess stays
/// at least half a resolution inside the bracket, and after two steps that
/// together did not halve the bracket (a step-shaped metric, such as a
/// quantile) the search bisects.
enum Refinement {
    /// No grid point from which on the target holds.
    NotMet,
    /// Solved.
    Found(SizingPoint),
    /// Still narrowing.
    Open(Bracket),
}

/// The crossing lies between `low` (not met) and `high` (met).
struct Bracket {
    /// Whether the 95% bound, rather than the estimate, must meet it.
    bound: bool,
    low: SizingPoint,
    high: SizingPoint,
    low_gap: f64,
    high_gap: f64,
    aim_below: bool,
    /// Width of the bracket when it last halved, and the narrowing steps
    /// since: a secant that keeps nibbling at one end (on a step-shaped
    /// metric such as a quantile) gives way to bisection.
    halved_at: f64,
    steps_since_halving: usize,
}

impl Refinement {
    fn start(target: &Target, curve: &[SizingPoint], bound: bool) -> Self {
        let met = |p: &SizingPoint| gap(target, p, bound) <= 0.0;
        match (0..curve.len()).find(|&i| curve[i..].iter().all(met)) {
            None => Refinement::NotMet,
            Some(0) => Refinement::Found(curve[0].clone()),
            Some(first) => Refinement::Open(Bracket {
                bound,
                low: curve[first - 1].clone(),
                high: curve[first].clone(),
                low_gap: gap(target, &curve[first - 1], bound),
                high_gap: gap(target, &curve[first], bound),
                aim_below: true,
                halved_at: curve[first].share - curve[first - 1].share,
                steps_since_halving: 0,
            }),
        }
    }

    /// The next share to evaluate, if the bracket is still open.
    fn guess(&self) -> Option<f64> {
        let Refinement::Open(b) = self else {
            return None;
        };
        let width = b.high.share - b.low.share;
        if width <= RESOLUTION {
            return None;
        }
        let midpoint = 0.5 * (b.low.share + b.high.share);
        // A metric exactly at the threshold (a quantile at zero, say) says
        // nothing about where the crossing is.
        if b.steps_since_halving >= 2 || b.high_gap == 0.0 {
            return Some(midpoint);
        }
        let secant = b.high.share - b.high_gap * width / (b.high_gap - b.low_gap);
        let offset = if b.aim_below { -0.5 } else { 0.5 } * RESOLUTION;
        // At least half a resolution from either end, so that a crossing
        // next to an end closes the bracket at once.
        let (lowest, highest) = (
            b.low.share + 0.5 * RESOLUTION,
            b.high.share - 0.5 * RESOLUTION,
        );
        Some(if secant.is_finite() {
            (secant + offset).clamp(lowest, highest)
        } else {
            midpoint
        })
    }

    /// Narrows the bracket with a point: the one evaluated at this search's
    /// [`Self::guess`] (`own`), or one the other search evaluated, used when
    /// it falls inside the bracket.
    fn update(&mut self, target: &Target, point: SizingPoint, own: bool) {
        let Refinement::Open(b) = self else {
            return;
        };
        if point.share <= b.low.share || point.share >= b.high.share {
            if own {
                // The minor-unit rounding cannot split the bracket further.
                *self = Refinement::Found(b.high.clone());
            }
            return;
        }
        let g = gap(target, &point, b.bound);
        let met = g <= 0.0;
        if own {
            // Illinois: when the same end moves twice, halve the other's
            // weight so the secant cannot stall on one side.
            if met && b.aim_below {
                b.low_gap *= 0.5;
            } else if !met && !b.aim_below {
                b.high_gap *= 0.5;
            }
            b.aim_below = met;
        }
        if met {
            (b.high, b.high_gap) = (point, g);
        } else {
            (b.low, b.low_gap) = (point, g);
        }
        let width = b.high.share - b.low.share;
        if width <= 0.5 * b.halved_at {
            (b.halved_at, b.steps_since_halving) = (width, 0);
        } else if own {
            b.steps_since_halving += 1;
        }
    }

    fn solution(self) -> Option<SizingPoint> {
        match self {
            Refinement::NotMet => None,
            Refinement::Found(point) | Refinement::Open(Bracket { high: point, .. }) => Some(point),
        }
    }
}

/// The gap to the target (`bound`: of the 95% confidence bound rather than
/// the point estimate; met when <= 0), on a log scale when the metric and
/// the threshold are positive: losses and probabilities fall roughly
/// exponentially with credit enhancement, so secant steps on the log land
/// near the crossing at once.
fn gap(target: &Target, point: &SizingPoint, bound: bool) -> f64 {
    let value = if bound {
        point.evaluation.bound
    } else {
        point.evaluation.value
    };
    // An implied rating compares P(loss) with its benchmark.
    let offset = point.benchmark.unwrap_or(0.0);
    let (value, threshold) = (value + offset, target.threshold + offset);
    let (value, threshold) = if value > 0.0 && threshold > 0.0 {
        (value.ln(), threshold.ln())
    } else {
        (value, threshold)
    };
    match target.direction {
        Direction::AtMost => value - threshold,
        Direction::AtLeast => threshold - value,
    }
}

/// Candidate structures of one scenario, evaluated on its sample.
struct Batch<'a> {
    models: &'a [Model],
    sample: &'a PoolSample,
    /// Whether the candidates share the scenario's pool (so each path is
    /// rebuilt once for all of them).
    shared_pool: bool,
    /// The target tranche's index in each candidate (None: sized to zero).
    index: Vec<Option<usize>>,
}

impl Batch<'_> {
    /// Runs `value(candidate, ledger)` on every path of every candidate.
    fn run<V, F>(&self, stop: impl Fn(usize) -> Option<StopWhen>, value: F) -> Vec<Vec<V>>
    where
        V: Copy + Default + Send + Sync,
        F: Fn(usize, &Ledger) -> V + Sync,
    {
        let candidates: Vec<Candidate> = self
            .models
            .iter()
            .enumerate()
            .map(|(c, model)| Candidate {
                model,
                stop: stop(c),
            })
            .collect();
        if self.shared_pool {
            self.sample.evaluate(&candidates, value)
        } else {
            // Each candidate has its own (scaled) pool.
            (0..candidates.len())
                .map(|c| {
                    let one = self.sample.evaluate(&candidates[c..=c], |_, l| value(c, l));
                    one.into_iter().next().unwrap_or_default()
                })
                .collect()
        }
    }

    /// The per-path values the target's metric is computed from (NaN where
    /// the tranche was sized to zero): the tranche's IRR (each waterfall
    /// stopping once the tranche can receive nothing more), or its loss
    /// fraction (each waterfall stopping once the tranche is
    /// certain to be repaid). For an implied rating, also the tranche's mean
    /// weighted average life, over the paths that repaid principal (the
    /// legal final date if none did), from the same waterfalls, then
    /// stopping once the tranche is repaid.
    fn target_values(&self, target: &Target) -> (Vec<Vec<f64>>, Option<Vec<f64>>) {
        let tranche = |c: usize| {
            let model = &self.models[c];
            self.index[c].map(|i| (model, &model.liabilities.tranches[i], i))
        };
        if target.metric.needs_irr() {
            let irrs = self.run(
                |c| self.index[c].map(StopWhen::PaidOff),
                |c, ledger| {
                    tranche(c).map_or(f64::NAN, |(model, t, i)| {
                        tranche_outcome(t, i, ledger, &model.calendar).irr
                    })
                },
            );
            return (irrs, None);
        }
        let Metric::ImpliedRating = target.metric else {
            let losses = self.run(
                |c| self.index[c].map(StopWhen::CertainlyRepaid),
                |c, ledger| tranche(c).map_or(f64::NAN, |(_, t, i)| tranche_loss(t, i, ledger)),
            );
            return (losses, None);
        };
        let both = self.run(
            |c| self.index[c].map(StopWhen::Repaid),
            |c, ledger| {
                tranche(c).map_or((f64::NAN, f64::NAN), |(model, t, i)| {
                    (
                        tranche_loss(t, i, ledger),
                        tranche_wal(i, ledger, &model.calendar),
                    )
                })
            },
        );
        let losses = both
            .iter()
            .map(|paths| paths.iter().map(|v| v.0).collect())
            .collect();
        let wals = both
            .iter()
            .zip(self.models)
            .map(|(paths, model)| {
                let wal: Vec<f64> = paths.iter().map(|v| v.1).collect();
                let mean = estimate(&wal).mean;
                if mean.is_nan() {
                    model.calendar.years_from_start(model.calendar.periods())
                } else {
                    mean
                }
            })
            .collect();
        (losses, Some(wals))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(share: f64, value: f64) -> SizingPoint {
        SizingPoint {
            share,
            amount: Decimal::ZERO,
            evaluation: Evaluation {
                value,
                se: None,
                bound: value,
            },
            scenario: "base".into(),
            benchmark: None,
        }
    }

    fn target(threshold: f64) -> Target {
        Target {
            tranche: "senior".into(),
            metric: Metric::ExpectedLoss,
            direction: Direction::AtMost,
            threshold,
            rating: None,
        }
    }

    /// Refines `metric` over a 5-point grid on [0, 0.4] to `threshold`;
    /// returns the solution and the evaluations it took.
    fn refine(metric: impl Fn(f64) -> f64, threshold: f64) -> (f64, usize) {
        let target = target(threshold);
        let curve: Vec<SizingPoint> = (0..5)
            .map(|i| {
                let share = 0.1 * i as f64;
                point(share, metric(share))
            })
            .collect();
        let mut search = Refinement::start(&target, &curve, false);
        let mut steps = 0;
        while let Some(share) = search.guess() {
            steps += 1;
            assert!(steps <= MAX_STEPS, "no convergence");
            search.update(&target, point(share, metric(share)), true);
        }
        (search.solution().expect("met on the grid").share, steps)
    }

    /// A loss falling exponentially with the first loss: the log-scale
    /// secant closes the bracket to a basis point in a few steps.
    #[test]
    fn smooth_metrics_take_a_few_steps() {
        let metric = |share: f64| 0.02 * (-40.0 * share).exp();
        let crossing = (0.02_f64 / 0.0001).ln() / 40.0; // 0.13246
        let (solution, steps) = refine(metric, 0.0001);
        assert!(
            (solution - crossing).abs() <= RESOLUTION,
            "{solution} {crossing} {steps}"
        );
        assert!(steps <= 4, "{steps} steps");
    }

    /// A quantile that drops to exactly zero at 0.0461: the secant knows
    /// nothing there, so the search bisects, about log2(0.1 / 1e-4) = 10
    /// steps, instead of creeping by half a resolution.
    #[test]
    fn step_shaped_metrics_are_bisected() {
        let metric = |share: f64| if share < 0.0461 { 0.1 - share } else { 0.0 };
        let (solution, steps) = refine(metric, 0.0);
        assert!((0.0461..=0.0461 + RESOLUTION).contains(&solution));
        assert!(steps <= 11, "{steps} steps");
    }

    /// A staircase (a probability moving in steps of 1/n) is still solved
    /// to the resolution.
    #[test]
    fn staircases_are_solved_to_the_resolution() {
        let metric = |share: f64| ((0.3 - share).max(0.0) * 50.0).ceil() / 1000.0;
        // 0.001 or less once (0.3 - share) x 50 <= 1, i.e. share >= 0.28.
        let (solution, steps) = refine(metric, 0.001);
        assert!((0.28..=0.28 + RESOLUTION).contains(&solution), "{solution}");
        assert!(steps <= 2 * 11, "{steps} steps");
    }
}
