//! The sizing search: a curve over the range, then a safeguarded secant
//! search on the sample for the smallest size meeting the target.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use super::SizingError;
use super::irr_window::IrrWindow;
use super::sample::{Candidate, PoolSample};
use super::structure::{Structure, find_tranche};
use super::target::{Direction, Evaluation, Metric, Target};
use crate::aggregate::{RatingBenchmark, estimate, rating_horizon};
use crate::engine::RunSettings;
use crate::model::{Calendar, Liabilities, Model};
use crate::money::Money;
use crate::spec::{FacilitySpec, ScenarioSpec};
use crate::waterfall::{
    Ledger, StopWhen, settled_at_start, tranche_loss, tranche_outcome, tranche_wal,
};

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
    /// Range of the solved tranche's share of total capital, low < high
    /// (None: from 0 to 40%, or to a basis point short of the share at
    /// which the absorbing tranche would vanish if that comes first).
    pub range: Option<(f64, f64)>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
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
    /// The range searched: the request's, or the default.
    pub range: (f64, f64),
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
    /// Candidate structures evaluated in full (the curve's points).
    pub evaluations: usize,
    /// Candidate structures screened and not evaluated in full (implied
    /// ratings, IRRs, and losses of tranches whose waterfalls cannot stop
    /// before the first period; see `docs/sizing.md`).
    pub screened: usize,
}

/// Refinement rounds at most: a search ends within bisection's count plus
/// [`MODEL_SLACK`] steps, and a bracket below 1 halves to the resolution
/// in 14 halvings, so 18 rounds always suffice; this is a guard, not a
/// budget.
const MAX_STEPS: usize = 64;

/// The search stops when the bracket is narrower than this share of total
/// capital (a basis point).
const RESOLUTION: f64 = 1e-4;

/// Half the width of the band of rates a screened IRR candidate next to
/// distant sizes expects its quantile in, around the target (see
/// [`Search::screening_bands`]).
const SCREEN_BAND: f64 = 0.01;

/// How many times screened searches are confirmed in full before they go
/// on in full (see [`Search::screen`]).
const CONFIRMATIONS: usize = 2;

/// A step meant to close the bracket lands this many resolutions from an
/// end (a little less than one, so that rounding the amount to the minor
/// unit cannot leave the bracket a hair wider than the resolution).
const CLOSING: f64 = 0.99;

/// Solves `request` for `spec`: the target must hold in the base case and
/// in each of `scenarios` (a size that fails the base case is never the
/// answer, even when every scenario listed is milder).
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
    let range = search_range(&structure, request)?;
    let base = ScenarioSpec::base();
    let listed = scenarios.iter().filter(|s| s.name != base.name).cloned();
    let scenarios: Vec<ScenarioSpec> = std::iter::once(base.clone()).chain(listed).collect();
    let cases = scenarios
        .iter()
        .map(|s| {
            let model = Model::compile_scenario(spec, s)?;
            let sample = PoolSample::simulate(&model.pool, settings.seed, settings.paths);
            Ok((s.clone(), model, sample))
        })
        .collect::<Result<Vec<_>, SizingError>>()?;
    // A loss target whose waterfalls can never stop before the first period
    // (a deferrable tranche's, say) screens its candidates.
    let screen_losses = match request.target.metric {
        Metric::ExpectedLoss | Metric::ProbLoss | Metric::LossQuantile(_) => {
            let liabilities = &cases[0].1.liabilities;
            let stop = |t| request.target.metric.settled(t);
            let tranche = liabilities
                .tranches
                .iter()
                .position(|t| t.name == request.target.tranche);
            tranche.is_some_and(|t| !settled_at_start(liabilities, stop(t), i128::MAX))
        }
        Metric::IrrQuantile(_) | Metric::ImpliedRating => false,
    };
    let mut search = Search {
        structure,
        cases,
        request,
        rating,
        cache: BTreeMap::new(),
        by_scenario: BTreeMap::new(),
        wals: BTreeMap::new(),
        path_values: BTreeMap::new(),
        screen_losses,
        screened: BTreeMap::new(),
    };
    let grid: Vec<f64> = (0..request.grid)
        .map(|i| range.0 + (range.1 - range.0) * i as f64 / (request.grid - 1) as f64)
        .collect();
    let curve = search.points_in(&grid, Mode::Full)?;
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
        range,
        evaluations: search.cache.len(),
        screened: search
            .screened
            .keys()
            .filter(|key| !search.cache.contains_key(key))
            .count(),
        curve: search.cache.into_values().collect(),
        solution,
        confident,
        monotone,
    })
}

/// The most grid points: a grid is evaluated in one pass over the paths,
/// each point's per-path values held at once (201 points at 100,000 paths
/// are 160 MB).
const MAX_GRID: usize = 201;

/// The upper end of the default range, unless the absorbing tranche would
/// vanish sooner.
const DEFAULT_HIGH: f64 = 0.4;

/// Checks what [`Structure::new`] does not: the target's tranche and
/// rating, and the grid. Returns, for an implied-rating target, the
/// benchmark and the rating's index in it.
fn check_request(
    spec: &FacilitySpec,
    request: &SizingRequest,
) -> Result<Option<(RatingBenchmark, usize)>, SizingError> {
    find_tranche(spec, &request.target.tranche, "--target")?;
    let rating = target_rating(spec, &request.target)?;
    if request.grid < 2 {
        return Err(SizingError::Request(
            "the sizing curve needs at least 2 points".into(),
        ));
    }
    if request.grid > MAX_GRID {
        return Err(SizingError::Request(format!(
            "--grid {}: at most {MAX_GRID} points (each runs a waterfall on every path, all held in memory at once)",
            request.grid
        )));
    }
    Ok(rating)
}

/// The range to search: the request's, checked, or the default (from 0 to
/// [`DEFAULT_HIGH`], or to a basis point short of the share at which the
/// absorbing tranche would vanish if that comes first).
fn search_range(structure: &Structure, request: &SizingRequest) -> Result<(f64, f64), SizingError> {
    let vanishing = structure.vanishing_share();
    let (solve, absorb) = (&request.solve, &structure.absorb_name);
    let no_room = |v: f64, range: String| {
        let lower = if range.is_empty() { "" } else { "lower HIGH, " };
        SizingError::Request(format!(
            "{range}{solve} and {absorb} together are {:.2}% of total capital, so {solve} must stay below a \
             share of {v} for {absorb} to keep a positive amount; {lower}let a bigger tranche absorb the \
             difference (--absorb) or grow the total (--hold)",
            100.0 * v,
        ))
    };
    let Some((low, high)) = request.range else {
        return match vanishing {
            Some(v) if v - RESOLUTION <= 0.0 => Err(no_room(v, String::new())),
            Some(v) => Ok((0.0, DEFAULT_HIGH.min(v - RESOLUTION))),
            None => Ok((0.0, DEFAULT_HIGH)),
        };
    };
    if !(0.0 <= low && low < high && high < 1.0) {
        return Err(SizingError::Request(format!(
            "--range {low}:{high}: expected 0 <= low < high < 1"
        )));
    }
    match vanishing {
        Some(v) if high >= v => Err(no_room(v, format!("--range {low}:{high}: "))),
        _ => Ok((low, high)),
    }
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

/// Every [`WAL_STRIDE`]-th path is the WAL sample: a screened rating
/// candidate near its benchmark runs only those until the tranche is
/// repaid, for its WAL.
const WAL_STRIDE: usize = 10;

/// A screened rating candidate whose P(loss) (or its bound) is within
/// this share of the benchmark at the interpolated WAL measures its WAL on
/// the WAL sample: the interpolation can be off by a few per cent of the
/// benchmark where the WAL bends, enough to decide the side only there.
const WAL_TOLERANCE: f64 = 0.1;

/// An implied-rating candidate's horizon (the tranche's mean WAL, see
/// [`rating_horizon`]) in one scenario: over every path (evaluated in full
/// only) and over the WAL sample (evaluated in full, or screened near the
/// benchmark).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Wal {
    all: Option<f64>,
    sampled: Option<f64>,
}

/// A candidate evaluated in every scenario (in `cases` order).
#[derive(Debug, Clone, Default)]
struct Evaluated {
    /// The target metric (for an implied rating, P(loss) before its
    /// benchmark).
    by_scenario: Vec<Evaluation>,
    /// Whether in full (a screened candidate that could not be screened is
    /// evaluated in full).
    full: bool,
    /// For an implied rating: the tranche's mean WAL.
    wals: Option<Vec<Wal>>,
    /// For a screened target evaluated in full (but an implied rating's):
    /// every path's value.
    paths: Option<Vec<PathValues>>,
}

/// A candidate's values on every path of one scenario, as its evaluation
/// in full left them: losses, or IRRs solved inside `window` (all of them
/// when None), -inf below it, +inf above.
#[derive(Debug, Clone)]
struct PathValues {
    values: Vec<f64>,
    window: Option<(f64, f64)>,
}

/// Where a path's IRR lies against a band of rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Below,
    Above,
    /// In the band, or not known to be outside it.
    Unknown,
}

impl PathValues {
    /// Path p's side of the band `[low, high)`.
    fn side(&self, p: usize, (low, high): (f64, f64)) -> Side {
        let value = self.values[p];
        let (placed_low, placed_high) = self.window.unwrap_or((f64::NAN, f64::NAN));
        if value == f64::INFINITY {
            // At least the window's upper rate.
            if placed_high >= high {
                Side::Above
            } else {
                Side::Unknown
            }
        } else if value == f64::NEG_INFINITY {
            // Below the window's lower rate.
            if placed_low <= low {
                Side::Below
            } else {
                Side::Unknown
            }
        } else if value >= high {
            Side::Above
        } else if value < low {
            Side::Below
        } else {
            Side::Unknown
        }
    }
}

/// A candidate's evaluation in every scenario, before any implied-rating
/// benchmark.
#[derive(Debug, Clone)]
struct Unbenchmarked {
    amount: Decimal,
    share: f64,
    by_scenario: Vec<Evaluation>,
}

/// Candidate evaluations, cached by amount in minor units.
struct Search<'a> {
    structure: Structure<'a>,
    cases: Vec<(ScenarioSpec, Model, PoolSample)>,
    request: &'a SizingRequest,
    /// For an implied-rating target: the benchmark and the rating's index.
    rating: Option<(RatingBenchmark, usize)>,
    /// Candidates evaluated in full (the curve).
    cache: BTreeMap<i128, SizingPoint>,
    /// Each cached candidate's evaluation in every scenario (in `cases`
    /// order), for the IRR windows.
    by_scenario: BTreeMap<i128, Vec<Evaluation>>,
    /// For an implied-rating target: each candidate's mean WAL in every
    /// scenario (the horizon of its benchmark).
    wals: BTreeMap<i128, Vec<Wal>>,
    /// For a screened target (but an implied rating): cached candidates'
    /// per-path values in every scenario, from which screened candidates
    /// place the paths they do not run (only those next to the searches'
    /// brackets are kept).
    path_values: BTreeMap<i128, Vec<PathValues>>,
    /// Whether the target is a loss of a tranche whose waterfalls cannot
    /// stop before the first period (a deferrable one, say): its searches
    /// screen candidates as an IRR target's do (see [`Search::solutions`]).
    screen_losses: bool,
    /// Candidates screened (see [`Search::solutions`]); not on the curve.
    screened: BTreeMap<i128, Unbenchmarked>,
}

/// How a candidate is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// In full: the target metric exactly, on every path.
    Full,
    /// Screened (see [`Search::solutions`]): an implied rating's P(loss)
    /// exactly (each waterfall stopped once the tranche is certain to be
    /// repaid) with the benchmark at the WAL of [`Search::horizon`]; an
    /// IRR or loss target's metric from the paths that may move it.
    Screen,
}

impl Search<'_> {
    /// The candidates at each of `shares`, the new ones evaluated together
    /// as `mode` says (one pass over the paths per scenario).
    fn points_in(&mut self, shares: &[f64], mode: Mode) -> Result<Vec<SizingPoint>, SizingError> {
        let amounts: Vec<(Decimal, f64)> = shares
            .iter()
            .map(|&share| (self.structure.amount(share), share))
            .collect();
        self.at_amounts(&amounts, mode)
    }

    /// A candidate's cache key: its amount in minor units.
    fn key(&self, amount: Decimal) -> i128 {
        let minor = Decimal::from(10i64.pow(self.structure.spec.currency.minor_digits));
        (amount * minor).to_i128().unwrap_or(0)
    }

    /// The candidates at each of `amounts` (with their shares), the new
    /// ones evaluated together as `mode` says; a candidate evaluated in full
    /// is never screened again.
    fn at_amounts(
        &mut self,
        amounts: &[(Decimal, f64)],
        mode: Mode,
    ) -> Result<Vec<SizingPoint>, SizingError> {
        let keyed: Vec<(i128, Decimal, f64)> = amounts
            .iter()
            .map(|&(amount, share)| (self.key(amount), amount, share))
            .collect();
        let mut fresh: Vec<(i128, Decimal, f64, FacilitySpec)> = Vec::new();
        for &(key, amount, share) in &keyed {
            let known = self.cache.contains_key(&key)
                || (mode == Mode::Screen && self.screened.contains_key(&key));
            if known || fresh.iter().any(|f| f.0 == key) {
                continue;
            }
            let spec = self.structure.with_amount(amount).ok_or_else(|| {
                SizingError::Request(format!(
                    "a {} of {amount} leaves nothing of {}; narrow --range",
                    self.request.solve, self.structure.absorb_name
                ))
            })?;
            let share = self.structure.share_of(amount).to_f64().unwrap_or(share);
            fresh.push((key, amount, share, spec));
        }
        if !fresh.is_empty() {
            let specs: Vec<&FacilitySpec> = fresh.iter().map(|f| &f.3).collect();
            let keys: Vec<i128> = fresh.iter().map(|f| f.0).collect();
            let evaluated = self.evaluate(&specs, &keys, mode)?;
            for ((key, amount, share, _), evaluated) in fresh.into_iter().zip(evaluated) {
                let candidate = Unbenchmarked {
                    amount,
                    share,
                    by_scenario: evaluated.by_scenario,
                };
                if let Some(wals) = evaluated.wals {
                    self.wals.insert(key, wals);
                }
                if !evaluated.full {
                    self.screened.insert(key, candidate);
                    continue;
                }
                if let Some(paths) = evaluated.paths {
                    self.path_values.insert(key, paths);
                }
                let point = self.point(key, &candidate);
                self.by_scenario.insert(key, candidate.by_scenario);
                self.cache.insert(key, point);
            }
        }
        Ok(keyed
            .iter()
            .map(|(key, ..)| match self.cache.get(key) {
                Some(point) => point.clone(),
                None => self.point(*key, &self.screened[key]),
            })
            .collect())
    }

    /// The candidate `key` as a point of the search: its worst evaluation
    /// over the scenarios, for an implied rating each less the rating's
    /// idealized default probability at the tranche's mean WAL there
    /// ([`Self::horizon`]).
    fn point(&self, key: i128, candidate: &Unbenchmarked) -> SizingPoint {
        let target = &self.request.target;
        let mut worst: Option<Worst> = None;
        for (s, &raw) in candidate.by_scenario.iter().enumerate() {
            let mut evaluation = raw;
            let mut benchmark = None;
            if let Some((table, rating)) = &self.rating {
                let wal = self
                    .wals
                    .get(&key)
                    .map_or(f64::NAN, |w| self.horizon(key, s, w[s]));
                let pd = table.at(*rating, wal);
                evaluation.value -= pd;
                evaluation.bound -= pd;
                benchmark = Some(pd);
            }
            worst = Some(match worst.take() {
                Some(w) if target.worse(w.0, evaluation) == w.0 => w,
                _ => (evaluation, self.cases[s].0.name.clone(), benchmark),
            });
        }
        let (evaluation, scenario, benchmark) = worst.expect("at least one scenario");
        SizingPoint {
            share: candidate.share,
            amount: candidate.amount,
            evaluation,
            scenario,
            benchmark,
        }
    }

    /// The horizon in scenario `s` of candidate `key` with `wal` there:
    /// over every path if evaluated in full; else, if measured on the WAL
    /// sample, paired with the candidates evaluated in full on either side
    /// (the sample's mean plus the difference between the whole and the
    /// sample there, interpolated: on common paths that difference moves
    /// slowly with the size, so this is far more precise than the sample's
    /// own mean, and unlike an interpolation of the WAL itself it follows
    /// the WAL's bends); else interpolated ([`Self::interpolated_wal`]).
    fn horizon(&self, key: i128, s: usize, wal: Wal) -> f64 {
        if let Some(all) = wal.all {
            return all;
        }
        let Some(sampled) = wal.sampled else {
            return self.interpolated_wal(key, s);
        };
        let offset = |w: &Wal| w.all.zip(w.sampled).map(|(all, own)| all - own);
        sampled + self.interpolated(key, s, offset)
    }

    /// The mean WAL in scenario `s` at the candidate `key`, interpolated
    /// linearly in the amount between the nearest candidates evaluated in
    /// full (the nearest one's beyond them).
    fn interpolated_wal(&self, key: i128, s: usize) -> f64 {
        self.interpolated(key, s, |w| w.all)
    }

    /// `of(wal)` in scenario `s` at the candidate `key`, interpolated
    /// linearly in the amount between the nearest candidates where it is
    /// known (the nearest one's beyond them; NaN where it is known at none).
    fn interpolated(&self, key: i128, s: usize, of: impl Fn(&Wal) -> Option<f64>) -> f64 {
        let known = |(&k, w): (&i128, &Vec<Wal>)| of(&w[s]).map(|v| (k, v));
        let below = self.wals.range(..=key).rev().find_map(known);
        let above = self.wals.range(key..).find_map(known);
        match (below, above) {
            (Some((a, wa)), Some((b, wb))) if b > a => {
                let t = (key - a) as f64 / (b - a) as f64;
                wa + t * (wb - wa)
            }
            (Some((_, w)), _) | (None, Some((_, w))) => w,
            (None, None) => f64::NAN,
        }
    }

    /// Whether a screened rating candidate `key` in scenario `s`, with
    /// P(loss) `raw` there, measures its WAL on the WAL sample: its
    /// estimate or bound is within [`WAL_TOLERANCE`] of the benchmark at
    /// the interpolated WAL (or that is unknown).
    fn needs_sampled_wal(&self, key: i128, s: usize, raw: Evaluation) -> bool {
        let Some((table, rating)) = &self.rating else {
            return false;
        };
        let benchmark = table.at(*rating, self.interpolated_wal(key, s));
        let far = |p: f64| (p - benchmark).abs() > WAL_TOLERANCE * benchmark;
        !(far(raw.value) && far(raw.bound))
    }

    /// The metric's estimates and bounds in scenario `s` at the nearest
    /// sizes below and above the candidate `key` evaluated in full and,
    /// with `screened`, screened too (empty unless there are both).
    fn neighbours(&self, key: i128, s: usize, screened: bool) -> Vec<f64> {
        match self.nearest(key, s, screened) {
            Some(((_, b), (_, a))) => vec![b.value, b.bound, a.value, a.bound],
            None => Vec::new(),
        }
    }

    /// The nearest sizes below and above the candidate `key` evaluated in
    /// full and, with `screened`, screened too, with their evaluations in
    /// scenario `s` (None unless there are both).
    #[allow(clippy::type_complexity)]
    fn nearest(
        &self,
        key: i128,
        s: usize,
        screened: bool,
    ) -> Option<((i128, Evaluation), (i128, Evaluation))> {
        let full = |(k, e): (&i128, &Vec<Evaluation>)| (*k, e[s]);
        let screen = |(k, c): (&i128, &Unbenchmarked)| (*k, c.by_scenario[s]);
        let below = [
            self.by_scenario.range(..key).next_back().map(full),
            self.screened
                .range(..key)
                .next_back()
                .map(screen)
                .filter(|_| screened),
        ];
        let above = [
            self.by_scenario.range(key + 1..).next().map(full),
            self.screened
                .range(key + 1..)
                .next()
                .map(screen)
                .filter(|_| screened),
        ];
        let below = below.into_iter().flatten().max_by_key(|(k, _)| *k)?;
        let above = above.into_iter().flatten().min_by_key(|(k, _)| *k)?;
        Some((below, above))
    }

    /// Evaluates each candidate facility (`keys`: their cache keys) as
    /// `mode` says, in every scenario: the target metric (for an implied
    /// rating, P(loss) before its benchmark) and, evaluated in full, for an
    /// implied rating the tranche's mean WAL, for an IRR target every
    /// path's placed IRR. An IRR target uses the metric next to each
    /// candidate to solve only the IRRs that can matter ([`IrrWindow`]); a
    /// screened IRR candidate that cannot be screened is evaluated in full.
    fn evaluate(
        &self,
        specs: &[&FacilitySpec],
        keys: &[i128],
        mode: Mode,
    ) -> Result<Vec<Evaluated>, SizingError> {
        let target = &self.request.target;
        let irr_screen = mode == Mode::Screen && target.metric.needs_irr();
        let loss_screen = mode == Mode::Screen && self.screen_losses;
        let blank = Evaluated {
            full: mode == Mode::Full,
            ..Evaluated::default()
        };
        let mut evaluated = vec![blank; specs.len()];
        let mut unscreened: Vec<usize> = Vec::new();
        for (s, (_, model, sample)) in self.cases.iter().enumerate() {
            let candidates = specs
                .iter()
                .map(|spec| self.candidate_model(spec, s))
                .collect::<Result<Vec<Model>, SizingError>>()?;
            let index: Vec<Option<usize>> =
                candidates.iter().map(|m| self.target_index(m)).collect();
            if irr_screen || loss_screen {
                for (c, candidate) in candidates.iter().enumerate() {
                    if unscreened.contains(&c) {
                        continue;
                    }
                    let key = keys[c];
                    let screened = self.not_binding(key, s).or_else(|| match irr_screen {
                        true => {
                            let bands = self.screening_bands(key, s, &model.calendar);
                            let budget = &mut screening_budget(sample.paths());
                            bands.iter().find_map(|band| {
                                self.screen_irrs(s, key, candidate, index[c], band, budget)
                            })
                        }
                        false => self.screen_loss(s, key, candidate, index[c], sample),
                    });
                    match screened {
                        Some(evaluation) => evaluated[c].by_scenario.push(evaluation),
                        None => unscreened.push(c),
                    }
                }
                continue;
            }
            let windows: Vec<Option<IrrWindow>> = keys
                .iter()
                .map(|&key| {
                    let neighbours = self.neighbours(key, s, false);
                    target
                        .metric
                        .needs_irr()
                        .then(|| IrrWindow::around(&neighbours, &model.calendar))
                        .flatten()
                })
                .collect();
            let batch = Batch {
                models: &candidates,
                sample,
                shared_pool: !self.structure.scales_pool(),
                windows: &windows,
                screen: mode == Mode::Screen,
                index,
            };
            let (values, evaluations, wals) = batch.target_values(target);
            for (c, (evaluation, values)) in evaluations.into_iter().zip(values).enumerate() {
                let wal = match &wals {
                    Some(wals) => Some(wals[c]),
                    None if self.rating.is_some() => Some(Wal {
                        all: None,
                        sampled: self
                            .needs_sampled_wal(keys[c], s, evaluation)
                            .then(|| batch.sampled_wal(c, target)),
                    }),
                    None => None,
                };
                let out = &mut evaluated[c];
                out.by_scenario.push(evaluation);
                if let Some(wal) = wal {
                    out.wals.get_or_insert_with(Vec::new).push(wal);
                }
                if mode == Mode::Full && (target.metric.needs_irr() || self.screen_losses) {
                    // The window placed the IRRs only if it held the metric
                    // (else every IRR was solved).
                    let window = windows[c]
                        .as_ref()
                        .filter(|w| w.holds(evaluation.value) && w.holds(evaluation.bound))
                        .map(IrrWindow::bounds);
                    let placed = PathValues { values, window };
                    out.paths.get_or_insert_with(Vec::new).push(placed);
                }
            }
        }
        if !unscreened.is_empty() {
            let specs: Vec<&FacilitySpec> = unscreened.iter().map(|&c| specs[c]).collect();
            let keys: Vec<i128> = unscreened.iter().map(|&c| keys[c]).collect();
            let full = self.evaluate(&specs, &keys, Mode::Full)?;
            for (c, full) in unscreened.into_iter().zip(full) {
                evaluated[c] = full;
            }
        }
        Ok(evaluated)
    }

    /// The candidate structure `spec` in scenario `s`: its liabilities on
    /// the scenario's pool, or, when the structure scales the pool, the
    /// whole facility compiled for the scenario.
    fn candidate_model(&self, spec: &FacilitySpec, s: usize) -> Result<Model, SizingError> {
        let (scenario, model, _) = &self.cases[s];
        Ok(if self.structure.scales_pool() {
            Model::compile_scenario(spec, scenario)?
        } else {
            Model {
                liabilities: Liabilities::compile(spec, &model.calendar)?,
                ..model.clone()
            }
        })
    }

    /// The target tranche's index in `model` (None when sized to zero: it
    /// has no loss or IRR).
    fn target_index(&self, model: &Model) -> Option<usize> {
        let name = &self.request.target.tranche;
        model
            .liabilities
            .tranches
            .iter()
            .position(|t| &t.name == name && t.notional != Money::ZERO)
    }

    /// Drops the per-path values that no candidate inside the searches' open
    /// brackets can take as its nearest neighbour evaluated in full (the
    /// brackets only narrow): they are a vector per path and scenario for
    /// every candidate evaluated in full. Should a bracket start again
    /// elsewhere, a candidate without neighbours is evaluated in full.
    fn keep_neighbouring_paths(&mut self, searches: &[Refinement; 2]) {
        if self.path_values.is_empty() {
            return;
        }
        let mut keep: Vec<i128> = Vec::new();
        for (low, high) in searches.iter().filter_map(Refinement::ends) {
            let (low, high) = (self.key(low.amount), self.key(high.amount));
            let values = &self.path_values;
            keep.extend(values.range(..=low).next_back().map(|(&k, _)| k));
            keep.extend(values.range(low..=high).map(|(&k, _)| k));
            keep.extend(values.range(high..).next().map(|(&k, _)| k));
        }
        self.path_values.retain(|k, _| keep.contains(k));
    }

    /// The per-path values in scenario `s` of the nearest candidates below
    /// and above `key` evaluated in full.
    fn full_neighbours(&self, key: i128, s: usize) -> Option<(&PathValues, &PathValues)> {
        let below = &self.path_values.range(..key).next_back()?.1[s];
        let above = &self.path_values.range(key + 1..).next()?.1[s];
        Some((below, above))
    }

    /// A loss target's candidate `key` in scenario `s`, screened: a path
    /// whose loss is the same at the nearest candidates evaluated in full
    /// below and above (no loss at both, say, or a total one) is given that
    /// loss without running its waterfall (on most paths a tranche's loss
    /// moves monotonically with the size, but that is not certain, so a
    /// screened answer is confirmed in full: [`Self::screen`]); the other
    /// paths run. None (to be evaluated in full) without such neighbours,
    /// or when more than half the paths would run ([`screening_budget`]).
    fn screen_loss(
        &self,
        s: usize,
        key: i128,
        model: &Model,
        tranche: Option<usize>,
        sample: &PoolSample,
    ) -> Option<Evaluation> {
        let t = tranche?;
        let (below, above) = self.full_neighbours(key, s)?;
        let mut values = below.values.clone();
        let run: Vec<usize> = (0..values.len())
            .filter(|&p| below.values[p] != above.values[p])
            .collect();
        let tranche_model = &model.liabilities.tranches[t];
        let mut budget = screening_budget(values.len());
        self.run_screened(model, t, sample, &run, &mut values, &mut budget, |ledger| {
            tranche_loss(tranche_model, t, ledger)
        })?;
        let target = &self.request.target;
        Some(target.metric.evaluate(&values, target.direction))
    }

    /// Sets `values` at the paths in `run` to `value(ledger)` after the
    /// candidate's waterfall on each (stopped once the target's metric is
    /// settled for tranche `t`), taking them from `budget`. None when more
    /// would run than `budget` has left ([`screening_budget`]).
    #[allow(clippy::too_many_arguments)]
    fn run_screened(
        &self,
        model: &Model,
        t: usize,
        sample: &PoolSample,
        run: &[usize],
        values: &mut [f64],
        budget: &mut usize,
        value: impl Fn(&Ledger) -> f64 + Sync,
    ) -> Option<()> {
        *budget = budget.checked_sub(run.len())?;
        let candidate = Candidate {
            model,
            stop: Some(self.request.target.metric.settled(t)),
        };
        for (&p, computed) in run
            .iter()
            .zip(sample.evaluate_paths(&candidate, run, value))
        {
            values[p] = computed;
        }
        Some(())
    }

    /// A screened candidate's stand-in evaluation in scenario `s` when the
    /// sizing has several scenarios and, at both nearest candidates
    /// evaluated in full, `s` met the target with 95% confidence and was not
    /// the worst: the line between their evaluations there, without running
    /// a path (the search follows the worst scenario, and a confirmed
    /// answer is evaluated in full). None otherwise.
    fn not_binding(&self, key: i128, s: usize) -> Option<Evaluation> {
        if self.cases.len() < 2 {
            return None;
        }
        let (&a, below) = self.cache.range(..key).next_back()?;
        let (&b, above) = self.cache.range(key + 1..).next()?;
        let name = &self.cases[s].0.name;
        if &below.scenario == name || &above.scenario == name {
            return None;
        }
        let (ea, eb) = (self.by_scenario[&a][s], self.by_scenario[&b][s]);
        let finite = [ea.value, ea.bound, eb.value, eb.bound];
        let target = &self.request.target;
        if !finite.iter().all(|v| v.is_finite())
            || !target.is_met(ea.bound)
            || !target.is_met(eb.bound)
        {
            return None;
        }
        let t = (key - a) as f64 / (b - a) as f64;
        let line = |x: f64, y: f64| x + t * (y - x);
        Some(Evaluation {
            value: line(ea.value, eb.value),
            se: ea.se.zip(eb.se).map(|(x, y)| line(x, y)),
            bound: line(ea.bound, eb.bound),
        })
    }

    /// The bands of rates, in the order to try them, a screened IRR
    /// candidate `key` in scenario `s` expects its quantile and bound in:
    /// the window around the values at the nearest sizes evaluated in full
    /// or screened; or, where those are far apart (next to grid points),
    /// bands inside them (a basis point in from the outermost, which keeps
    /// out a mass of paths at one value, such as a tranche paid in full on
    /// most paths): [`SCREEN_BAND`] either side of the target, where the
    /// search aims, then either side of the line between those values
    /// (unless that is near the target), then all of the space between
    /// them.
    fn screening_bands(&self, key: i128, s: usize, calendar: &Calendar) -> Vec<IrrWindow> {
        let Some(((kb, b), (ka, a))) = self.nearest(key, s, true) else {
            return Vec::new();
        };
        let values = [b.value, b.bound, a.value, a.bound];
        let Some(near) = IrrWindow::around(&values, calendar) else {
            return Vec::new();
        };
        let (low, high) = near.bounds();
        if high - low <= 2.0 * SCREEN_BAND {
            return vec![near];
        }
        let inside = (
            values.iter().copied().fold(f64::INFINITY, f64::min) + RESOLUTION,
            values.iter().copied().fold(f64::NEG_INFINITY, f64::max) - RESOLUTION,
        );
        let around = |centre: f64| {
            let low = (centre - SCREEN_BAND).max(inside.0);
            IrrWindow::between(low, (centre + SCREEN_BAND).min(inside.1), calendar)
        };
        let threshold = self.request.target.threshold;
        let line = b.value + (key - kb) as f64 / (ka - kb) as f64 * (a.value - b.value);
        let distinct = (line - threshold).abs() > SCREEN_BAND / 2.0;
        let mut bands: Vec<IrrWindow> = [around(threshold), around(line).filter(|_| distinct)]
            .into_iter()
            .chain([IrrWindow::between(inside.0, inside.1, calendar)])
            .flatten()
            .collect();
        bands.dedup();
        bands
    }

    /// An IRR target's candidate `key` in scenario `s`, screened. Its
    /// order statistics are expected in `band` ([`Self::screening_bands`]).
    /// A path that the nearest candidates evaluated
    /// in full, below and above, both place on one side of the band is
    /// placed there without running its waterfall: on most paths a
    /// tranche's IRR moves monotonically with the size, but that is not
    /// certain, so a screened answer is confirmed in full
    /// ([`Self::screen`]). The other paths run their waterfall and are
    /// placed by the band, taken from `budget` ([`screening_budget`]).
    /// None (try the next band, else evaluate in full) without such
    /// neighbours, when the budget is spent, or when the order statistics
    /// fall outside the band.
    fn screen_irrs(
        &self,
        s: usize,
        key: i128,
        model: &Model,
        tranche: Option<usize>,
        band: &IrrWindow,
        budget: &mut usize,
    ) -> Option<Evaluation> {
        let t = tranche?;
        let sample = &self.cases[s].2;
        let (below, above) = self.full_neighbours(key, s)?;
        let bounds = band.bounds();
        let mut values = vec![f64::NAN; below.values.len()];
        let mut run = Vec::new();
        for (p, value) in values.iter_mut().enumerate() {
            match (below.side(p, bounds), above.side(p, bounds)) {
                (Side::Above, Side::Above) => *value = f64::INFINITY,
                (Side::Below, Side::Below) => *value = f64::NEG_INFINITY,
                _ => run.push(p),
            }
        }
        let tranche_model = &model.liabilities.tranches[t];
        self.run_screened(model, t, sample, &run, &mut values, budget, |ledger| {
            band.place(tranche_model, t, ledger, &model.calendar)
        })?;
        let target = &self.request.target;
        let evaluation = target.metric.evaluate(&values, target.direction);
        (band.holds(evaluation.value) && band.holds(evaluation.bound)).then_some(evaluation)
    }

    /// Whether the screened candidate `key` is proven to miss the target
    /// (its estimate, or with `bound` its 95% bound) on the whole sample
    /// without an evaluation in full: for a metric that never falls as a
    /// path's value rises (a quantile, or a mean's estimate; not a mean's
    /// bound, nor an implied rating), one scenario in which it misses with
    /// every path not run given the value most favourable to the target
    /// ([`Self::best_case`]). Scenarios are tried in order of how far the
    /// screened evaluation missed there.
    fn proven_miss(&self, key: i128, bound: bool) -> Result<bool, SizingError> {
        let target = &self.request.target;
        let Some(candidate) = self.screened.get(&key) else {
            return Ok(false);
        };
        if !target.metric.rises_with_values(bound) {
            return Ok(false);
        }
        let point = |evaluation: Evaluation| SizingPoint {
            share: candidate.share,
            amount: candidate.amount,
            evaluation,
            scenario: String::new(),
            benchmark: None,
        };
        let mut missed: Vec<(f64, usize)> = candidate
            .by_scenario
            .iter()
            .enumerate()
            .map(|(s, &e)| (gap(target, &point(e), bound), s))
            .filter(|&(gap, _)| gap > 0.0)
            .collect();
        missed.sort_by(|a, b| b.0.total_cmp(&a.0));
        let Some(spec) = self.structure.with_amount(candidate.amount) else {
            return Ok(false);
        };
        for (_, s) in missed {
            let model = self.candidate_model(&spec, s)?;
            let best = self.best_case(s, key, &model, self.target_index(&model));
            if best.is_some_and(|e| gap(target, &point(e), bound) > 0.0) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The target's metric for candidate `key` in scenario `s` at its most
    /// favourable given the paths that could fall short
    /// ([`could_fall_short`]): those run their waterfall, and every other
    /// path is given the value most favourable to the target
    /// ([`most_favourable`]). Where the metric never moves against the
    /// target as a value moves towards it ([`Metric::rises_with_values`])
    /// and this misses the target, the candidate misses it on the whole
    /// sample: for a quantile, at least as many paths as its rank fall
    /// short, each of them run; for a mean, the paths run already take it
    /// past the target. An IRR is placed against a window starting at the
    /// threshold, which keeps its side of the threshold exact. None
    /// without such neighbours, or when more than half the paths would
    /// run ([`screening_budget`]).
    fn best_case(
        &self,
        s: usize,
        key: i128,
        model: &Model,
        tranche: Option<usize>,
    ) -> Option<Evaluation> {
        let target = &self.request.target;
        let t = tranche?;
        let (below, above) = self.full_neighbours(key, s)?;
        let run = could_fall_short(below, above, target);
        let mut values = vec![most_favourable(target); below.values.len()];
        let tranche_model = &model.liabilities.tranches[t];
        let sample = &self.cases[s].2;
        let budget = &mut screening_budget(values.len());
        if target.metric.needs_irr() {
            let (low, high) = (target.threshold, target.threshold + RESOLUTION);
            let window = IrrWindow::between(low, high, &model.calendar)?;
            self.run_screened(model, t, sample, &run, &mut values, budget, |ledger| {
                window.place(tranche_model, t, ledger, &model.calendar)
            })?;
        } else {
            self.run_screened(model, t, sample, &run, &mut values, budget, |ledger| {
                tranche_loss(tranche_model, t, ledger)
            })?;
        }
        Some(target.metric.evaluate(&values, target.direction))
    }

    /// The smallest size meeting the target on the sample and the smallest
    /// whose 95% confidence bound meets it, refined together (each round
    /// evaluates both searches' next guesses in one pass over the paths).
    ///
    /// Targets whose waterfalls cannot stop before the first period on most
    /// paths first search on screened candidates, cheaper than in full, and
    /// confirm the answers in full ([`Self::screen`]):
    /// - an implied rating compares P(loss) with its benchmark at the
    ///   tranche's mean WAL, and the WAL needs every waterfall run until the
    ///   tranche is repaid, where P(loss) alone is settled once it is
    ///   certain to be repaid (on most paths before the first period); a
    ///   screened candidate has P(loss) exact and the benchmark at a WAL
    ///   interpolated between the candidates evaluated in full or, near
    ///   the benchmark, measured on every tenth path alone
    ///   ([`Self::horizon`]);
    /// - an IRR target's metric is an order statistic; a screened
    ///   candidate runs only the paths that the candidates evaluated in
    ///   full on either side do not both place on one side of the band of
    ///   rates expected to hold it ([`Self::screen_irrs`]);
    /// - a loss of a tranche whose waterfalls cannot stop before the first
    ///   period (a deferrable tranche's): a screened candidate runs only the
    ///   paths whose loss differs between the candidates evaluated in full
    ///   on either side ([`Self::screen_loss`]).
    fn solutions(
        &mut self,
        curve: &[SizingPoint],
    ) -> Result<(Option<SizingPoint>, Option<SizingPoint>), SizingError> {
        let target = self.request.target.clone();
        let mut searches = [false, true].map(|bound| Refinement::start(&target, curve, bound));
        if self.rating.is_some() || target.metric.needs_irr() || self.screen_losses {
            self.screen(&mut searches)?;
        }
        self.refine(&mut searches, Mode::Full)?;
        let [value, bound] = searches.map(Refinement::solution);
        Ok((value, bound))
    }

    /// The searches on screened candidates, confirmed in full (see
    /// [`Self::solutions`]): both ends of each search's bracket are
    /// evaluated in full, and where the lower misses the target and the
    /// upper meets it the answer stands, exact (a quantile target's lower
    /// end may instead be proven to miss, [`Self::proven_miss`]). A search
    /// still unconfirmed after [`CONFIRMATIONS`] starts again from the
    /// candidates evaluated in full only, and goes on in full.
    fn screen(&mut self, searches: &mut [Refinement; 2]) -> Result<(), SizingError> {
        self.refine(searches, Mode::Screen)?;
        for attempt in 1..=CONFIRMATIONS {
            if self.confirm(searches)? {
                break;
            }
            if attempt == CONFIRMATIONS {
                self.restart(searches, Mode::Full);
            } else {
                self.restart(searches, Mode::Screen);
                self.refine(searches, Mode::Screen)?;
            }
        }
        Ok(())
    }

    /// Starts every open search again from the candidates evaluated in
    /// full and, with `Mode::Screen`, the screened ones with their
    /// benchmarks re-placed.
    fn restart(&self, searches: &mut [Refinement; 2], mode: Mode) {
        let target = &self.request.target;
        let mut points: Vec<(i128, SizingPoint)> = self
            .cache
            .iter()
            .map(|(&key, point)| (key, point.clone()))
            .collect();
        if mode == Mode::Screen {
            points.extend(
                self.screened
                    .iter()
                    .filter(|(key, _)| !self.cache.contains_key(key))
                    .map(|(&key, candidate)| (key, self.point(key, candidate))),
            );
            points.sort_by_key(|&(key, _)| key);
        }
        let points: Vec<SizingPoint> = points.into_iter().map(|(_, point)| point).collect();
        for search in searches.iter_mut() {
            if let Some(bound) = search.bound() {
                *search = Refinement::start(target, &points, bound);
            }
        }
    }

    /// Narrows both searches until their brackets close, evaluating their
    /// guesses as `mode` says.
    fn refine(&mut self, searches: &mut [Refinement; 2], mode: Mode) -> Result<(), SizingError> {
        let target = self.request.target.clone();
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
            if mode == Mode::Screen {
                self.keep_neighbouring_paths(searches);
            }
            let points = self.points_in(&shares, mode)?;
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
        Ok(())
    }

    /// Evaluates in full both ends of each open search's bracket (in one
    /// pass), but a lower end proven to miss without ([`Self::proven_miss`]);
    /// a search whose ends confirm its bracket (the lower misses the
    /// target, the upper meets it) is solved, exact. Whether every search
    /// is now solved.
    fn confirm(&mut self, searches: &mut [Refinement; 2]) -> Result<bool, SizingError> {
        // Per open search: its bound flag, its lower end, whether that is
        // proven to miss without a full evaluation, and its upper end.
        let mut open = Vec::new();
        for search in searches.iter() {
            if let (Some(bound), Some((low, high))) = (search.bound(), search.ends()) {
                let low = (low.amount, low.share);
                let proven = self.proven_miss(self.key(low.0), bound)?;
                open.push((bound, low, proven, (high.amount, high.share)));
            }
        }
        let ends: Vec<(Decimal, f64)> = open
            .iter()
            .flat_map(|&(_, low, proven, high)| (!proven).then_some(low).into_iter().chain([high]))
            .collect();
        let full = self.at_amounts(&ends, Mode::Full)?;
        let target = &self.request.target;
        let mut full = full.into_iter();
        let mut confirmed = true;
        let mut open = open.into_iter();
        for search in searches.iter_mut().filter(|s| s.bound().is_some()) {
            let (bound, _, proven, _) = open.next().expect("one entry per open search");
            let low_misses = proven
                || full
                    .next()
                    .is_some_and(|low| gap(target, &low, bound) > 0.0);
            let high = full.next().expect("an upper end per open search");
            if low_misses && gap(target, &high, bound) <= 0.0 {
                *search = Refinement::Found(high);
            } else {
                confirmed = false;
            }
        }
        Ok(confirmed)
    }
}

/// One search for the smallest size meeting the target: the first grid
/// point after which every grid point meets it, refined within the grid
/// cell below by steps aimed at where a local model of the gap to the
/// target crosses zero, which on a smooth curve close the bracket in a few
/// evaluations where bisection needs a dozen.
///
/// - The model: a parabola through the three points nearest the target
///   (smallest gap; the grid's included, so the first step already follows
///   the curve's bend; of points on one plateau only the one nearest the
///   bracket), else the line through the nearest two, else the line
///   through the bracket's ends, else the midpoint.
/// - A step aims half a resolution past the estimated crossing, on the side
///   the last point did not land on, and one resolution from an end when
///   the crossing is estimated that close to it: a point there closes the
///   bracket if it lands on the other side. If it lands on the end's side
///   (a plateau of a step-shaped metric), the next such step reaches twice
///   as far.
/// - Safeguard (the projection of the ITP method, Oliveira and Takahashi
///   2020, doi:10.1145/3423597): step j stays within
///   `RESOLUTION x 2^(max_steps - j - 1) - width / 2` of the bracket's
///   midpoint, so the bracket is never wider than that after the step, and
///   the search ends within `max_steps` steps, [`MODEL_SLACK`] more than
///   bisection's `log2(cell / RESOLUTION)`, whatever the metric's shape. On
///   a step-shaped metric (a quantile, a probability moving in steps of
///   1/N), where a model can creep, this is what forces the bracket down.
enum Refinement {
    /// No grid point from which on the target holds.
    NotMet,
    /// Solved.
    Found(SizingPoint),
    /// Still narrowing.
    Open(Bracket),
}

/// Gaps closer than this share of the larger are one plateau.
const PLATEAU: f64 = 1e-4;

/// Steps a search may take beyond bisection's count (ITP's n0): the slack
/// that model steps may use on a smooth curve.
const MODEL_SLACK: u32 = 4;

/// The crossing lies between `low` (not met) and `high` (met).
struct Bracket {
    /// Whether the 95% bound, rather than the estimate, must meet it.
    bound: bool,
    low: SizingPoint,
    high: SizingPoint,
    low_gap: f64,
    high_gap: f64,
    /// Every point seen, as (share, gap): the grid and the refinements.
    known: Vec<(f64, f64)>,
    aim_below: bool,
    /// Steps in a row meant to close the bracket from an end that did not
    /// (a plateau of a step-shaped metric next to the end).
    creep: u32,
    /// Own steps taken, and the most the search may take.
    steps: u32,
    max_steps: u32,
    /// Closed before the resolution: the rounding of amounts to the minor
    /// unit cannot split it further.
    closed: bool,
}

impl Refinement {
    fn start(target: &Target, curve: &[SizingPoint], bound: bool) -> Self {
        let met = |p: &SizingPoint| gap(target, p, bound) <= 0.0;
        match (0..curve.len()).find(|&i| curve[i..].iter().all(met)) {
            None => Refinement::NotMet,
            Some(0) => Refinement::Found(curve[0].clone()),
            Some(first) => {
                let (low, high) = (&curve[first - 1], &curve[first]);
                let halvings = ((high.share - low.share) / RESOLUTION)
                    .log2()
                    .ceil()
                    .max(0.0);
                Refinement::Open(Bracket {
                    bound,
                    low: low.clone(),
                    high: high.clone(),
                    low_gap: gap(target, low, bound),
                    high_gap: gap(target, high, bound),
                    known: curve
                        .iter()
                        .map(|p| (p.share, gap(target, p, bound)))
                        .collect(),
                    aim_below: true,
                    creep: 0,
                    steps: 0,
                    max_steps: halvings as u32 + MODEL_SLACK,
                    closed: false,
                })
            }
        }
    }

    /// The next share to evaluate, if the bracket is still open.
    fn guess(&self) -> Option<f64> {
        match self {
            Refinement::Open(b) => b.aim().map(|(share, _)| share),
            _ => None,
        }
    }

    /// Narrows the bracket with a point: the one evaluated at this search's
    /// [`Self::guess`] (`own`), or one the other search evaluated, used when
    /// it falls inside the bracket.
    fn update(&mut self, target: &Target, point: SizingPoint, own: bool) {
        let Refinement::Open(b) = self else {
            return;
        };
        // Whether this search's own step was meant to close the bracket from
        // the low end (Some(true)) or the high end: decided on the state the
        // step was aimed from, before the point joins it.
        let closing_from_low = if own {
            b.aim().and_then(|(_, closing)| closing)
        } else {
            None
        };
        let g = gap(target, &point, b.bound);
        b.known.push((point.share, g));
        if point.share <= b.low.share || point.share >= b.high.share {
            // The minor-unit rounding cannot split the bracket further.
            b.closed |= own;
            return;
        }
        let met = g <= 0.0;
        if own {
            // A step meant to close the bracket from one end that landed on
            // that end's side: the next one reaches twice as far.
            b.creep = match closing_from_low {
                Some(from_low) if from_low != met => b.creep + 1,
                _ => 0,
            };
            b.steps += 1;
            b.aim_below = met;
        }
        if met {
            (b.high, b.high_gap) = (point, g);
        } else {
            (b.low, b.low_gap) = (point, g);
        }
    }

    /// The ends of an open bracket (None: solved or not met).
    fn ends(&self) -> Option<(&SizingPoint, &SizingPoint)> {
        match self {
            Refinement::Open(b) => Some((&b.low, &b.high)),
            _ => None,
        }
    }

    /// For an open bracket, whether it is the 95% bound's search.
    fn bound(&self) -> Option<bool> {
        match self {
            Refinement::Open(b) => Some(b.bound),
            _ => None,
        }
    }

    fn solution(self) -> Option<SizingPoint> {
        match self {
            Refinement::NotMet => None,
            Refinement::Found(point) | Refinement::Open(Bracket { high: point, .. }) => Some(point),
        }
    }
}

impl Bracket {
    /// The next share to evaluate (None: the bracket is closed), and
    /// whether it is a step meant to close the bracket from the low end
    /// (Some(true)) or the high end (Some(false)).
    fn aim(&self) -> Option<(f64, Option<bool>)> {
        let (low, high) = (self.low.share, self.high.share);
        let width = high - low;
        if width <= RESOLUTION || self.closed {
            return None;
        }
        let midpoint = 0.5 * (low + high);
        let reach_to_close = CLOSING * RESOLUTION * 2f64.powi(self.creep.min(60) as i32);
        let (aim, closing) = match self.crossing() {
            None => (midpoint, None),
            Some(x) if x < low + RESOLUTION => (low + reach_to_close, Some(true)),
            Some(x) if x > high - RESOLUTION => (high - reach_to_close, Some(false)),
            Some(x) => {
                let past = if self.aim_below { -0.5 } else { 0.5 } * RESOLUTION;
                (x + past, None)
            }
        };
        // The projection: after this step the bracket is at most
        // RESOLUTION x 2^(max_steps - steps - 1) wide.
        let halvings_left = self.max_steps.saturating_sub(self.steps + 1).min(60);
        let reach = (RESOLUTION * 2f64.powi(halvings_left as i32) - 0.5 * width).max(0.0);
        let aim = aim.clamp(midpoint - reach, midpoint + reach);
        // At least half a resolution from either end, so that a crossing
        // next to an end closes the bracket at once.
        let aim = aim.clamp(low + 0.5 * RESOLUTION, high - 0.5 * RESOLUTION);
        Some((aim, closing))
    }

    /// Where the local model of the gap crosses zero inside the bracket
    /// (None: no model places it there).
    fn crossing(&self) -> Option<f64> {
        let (low, high) = (self.low.share, self.high.share);
        let inside = |x: f64| (x > low && x < high).then_some(x);
        let mut nearest: Vec<(f64, f64)> = Vec::with_capacity(3);
        // Only finite, non-zero gaps: a zero loss (an infinite log gap) or
        // a metric exactly at the threshold (a quantile at zero, say) tells
        // where the metric stopped moving, not how it approaches the target.
        let mut by_gap: Vec<(f64, f64)> = self
            .known
            .iter()
            .copied()
            .filter(|p| p.1.is_finite() && p.1 != 0.0)
            .collect();
        by_gap.sort_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
        // Points on a plateau (an IRR flat at its coupon, say) tell nothing
        // about the bend: of gaps within a ten-thousandth of each other, only
        // the point nearest the bracket is kept.
        let middle = 0.5 * (low + high);
        let plateau =
            |p: (f64, f64), q: (f64, f64)| (p.1 - q.1).abs() <= PLATEAU * p.1.abs().max(q.1.abs());
        for point in by_gap {
            let same = nearest
                .iter()
                .position(|&q| q.0 == point.0 || plateau(q, point));
            match same {
                Some(i) if (point.0 - middle).abs() < (nearest[i].0 - middle).abs() => {
                    nearest[i] = point;
                }
                Some(_) => {}
                None if nearest.len() < 3 => nearest.push(point),
                None => {}
            }
        }
        // The parabola's zero inside the bracket (nearest the point nearest
        // the target if both are).
        if let [p, q, r] = nearest[..]
            && let Some(x) = parabola_roots(p, q, r)
                .into_iter()
                .filter_map(inside)
                .min_by(|x, y| (x - p.0).abs().total_cmp(&(y - p.0).abs()))
        {
            return Some(x);
        }
        if let [p, q, ..] = nearest[..]
            && let Some(x) = inside(line_root(p, q))
        {
            return Some(x);
        }
        inside(line_root((low, self.low_gap), (high, self.high_gap)))
    }
}

/// Where the line through `p` and `q` (share, gap) has a zero gap.
fn line_root(p: (f64, f64), q: (f64, f64)) -> f64 {
    p.0 - p.1 * (q.0 - p.0) / (q.1 - p.1)
}

/// The zeros of the parabola through three (share, gap) points, as shares
/// (none if it has no real zero; one if it is a line).
fn parabola_roots(p: (f64, f64), q: (f64, f64), r: (f64, f64)) -> Vec<f64> {
    // Newton's form: gap = p.1 + d1 t + d2 t (t - (q.0 - p.0)), t = x - p.0.
    let d1 = (q.1 - p.1) / (q.0 - p.0);
    let d2 = ((r.1 - q.1) / (r.0 - q.0) - d1) / (r.0 - p.0);
    let (a, b, c) = (d2, d1 - d2 * (q.0 - p.0), p.1);
    let roots = if a == 0.0 || !a.is_finite() {
        vec![-c / b]
    } else {
        let discriminant = b * b - 4.0 * a * c;
        if discriminant < 0.0 || !discriminant.is_finite() {
            return Vec::new();
        }
        // The numerically stable pair.
        let s = -0.5 * (b + b.signum() * discriminant.sqrt());
        vec![s / a, c / s]
    };
    roots
        .into_iter()
        .filter(|t| t.is_finite())
        .map(|t| p.0 + t)
        .collect()
}

/// How many paths a screened candidate may run in all, over every band it
/// tries, out of `paths`: half. Screening more would cost about as much as
/// a full evaluation, which serves later candidates better (a closer
/// neighbour).
fn screening_budget(paths: usize) -> usize {
    paths / 2
}

/// The paths of a candidate between two evaluated in full, `below` and
/// `above`, that could fall short of `target`: all but those both give a
/// value on its favourable side of the threshold for a quantile, or the
/// most favourable value of all for a mean (a value exactly at the
/// threshold counts as short for a `<=` quantile: the choice only saves
/// work, see [`Search::best_case`]).
fn could_fall_short(below: &PathValues, above: &PathValues, target: &Target) -> Vec<usize> {
    let threshold = (target.threshold, target.threshold);
    let side = match target.direction {
        Direction::AtLeast => Side::Above,
        Direction::AtMost => Side::Below,
    };
    let best = most_favourable(target);
    let favourable = |values: &PathValues, p: usize| match target.metric.is_order_statistic() {
        true => values.side(p, threshold) == side,
        false => values.values[p] == best,
    };
    (0..below.values.len())
        .filter(|&p| !favourable(below, p) || !favourable(above, p))
        .collect()
}

/// The per-path value most favourable to `target`: an IRR of +inf (`>=`)
/// or -inf (`<=`), a loss of 0 (`<=`) or 1 (`>=`).
fn most_favourable(target: &Target) -> f64 {
    match (target.metric.needs_irr(), target.direction) {
        (true, Direction::AtLeast) => f64::INFINITY,
        (true, Direction::AtMost) => f64::NEG_INFINITY,
        (false, Direction::AtLeast) => 1.0,
        (false, Direction::AtMost) => 0.0,
    }
}

/// The gap to the target (`bound`: of the 95% confidence bound rather than
/// the point estimate; met when <= 0). Losses and probabilities fall
/// roughly exponentially with credit enhancement, so for them (with a
/// positive threshold) the gap is between logarithms, on which a model
/// lands near the crossing at once; a zero loss is then infinitely far
/// below the target. IRRs, which may be negative, keep a linear gap.
fn gap(target: &Target, point: &SizingPoint, bound: bool) -> f64 {
    let value = if bound {
        point.evaluation.bound
    } else {
        point.evaluation.value
    };
    // An implied rating compares P(loss) with its benchmark.
    let offset = point.benchmark.unwrap_or(0.0);
    let (value, threshold) = (value + offset, target.threshold + offset);
    let (value, threshold) = if target.metric.needs_irr() || threshold <= 0.0 {
        (value, threshold)
    } else {
        let log = |v: f64| if v == 0.0 { f64::NEG_INFINITY } else { v.ln() };
        (log(value), threshold.ln())
    };
    match target.direction {
        Direction::AtMost => value - threshold,
        Direction::AtLeast => threshold - value,
    }
}

/// Per candidate: the per-path values, the metric over them, and for an
/// implied rating the tranche's mean WAL.
type TargetValues = (Vec<Vec<f64>>, Vec<Evaluation>, Option<Vec<Wal>>);

/// Candidate structures of one scenario, evaluated on its sample.
struct Batch<'a> {
    models: &'a [Model],
    sample: &'a PoolSample,
    /// Whether the candidates share the scenario's pool (so each path is
    /// rebuilt once for all of them).
    shared_pool: bool,
    /// The target tranche's index in each candidate (None: sized to zero,
    /// so it has no loss or IRR: NaN).
    index: Vec<Option<usize>>,
    /// For an IRR target, where each candidate's order statistics should lie.
    windows: &'a [Option<IrrWindow>],
    /// For an implied-rating target: losses only, each waterfall stopped
    /// once the tranche is certain to be repaid (see [`Mode`]; the WAL,
    /// where wanted, from [`Batch::sampled_wal`]).
    screen: bool,
}

impl Batch<'_> {
    /// Runs `value(candidate, ledger)` on every path of every candidate
    /// (of those `only` selects, if given), each waterfall stopped as
    /// `stop(target tranche)` allows. A candidate that sized the target
    /// tranche to zero, or that is not selected, runs no waterfall: it gets
    /// `absent` on every path.
    fn run<V, F>(
        &self,
        only: Option<&[bool]>,
        stop: impl Fn(usize) -> StopWhen,
        absent: V,
        value: F,
    ) -> Vec<Vec<V>>
    where
        V: Copy + Default + Send + Sync,
        F: Fn(usize, &Ledger) -> V + Sync,
    {
        let runs = |c: usize| self.index[c].is_some() && only.is_none_or(|only| only[c]);
        let present: Vec<usize> = (0..self.models.len()).filter(|&c| runs(c)).collect();
        let candidates: Vec<Candidate> = present
            .iter()
            .map(|&c| Candidate {
                model: &self.models[c],
                stop: self.index[c].map(&stop),
            })
            .collect();
        let evaluated = if self.shared_pool {
            self.sample
                .evaluate(&candidates, |i, ledger| value(present[i], ledger))
        } else {
            // Each candidate has its own (scaled) pool.
            (0..candidates.len())
                .map(|i| {
                    let one = self
                        .sample
                        .evaluate(&candidates[i..=i], |_, ledger| value(present[i], ledger));
                    one.into_iter().next().unwrap_or_default()
                })
                .collect()
        };
        let mut evaluated = evaluated.into_iter();
        (0..self.models.len())
            .map(|c| match runs(c) {
                true => evaluated.next().unwrap_or_default(),
                false => vec![absent; self.sample.paths()],
            })
            .collect()
    }

    /// The per-path values the target's metric is computed from (NaN where
    /// the tranche was sized to zero): the tranche's IRR (each waterfall
    /// stopping once the tranche can receive nothing more), or its loss
    /// fraction (each waterfall stopping once the tranche is
    /// certain to be repaid). For an implied rating, also the tranche's mean
    /// weighted average life, over the paths that repaid principal (the
    /// legal final date if none did), from the same waterfalls, then
    /// stopping once the tranche is repaid. Also the metric over each
    /// candidate's values (for an implied rating, before the benchmark).
    fn target_values(&self, target: &Target) -> TargetValues {
        let evaluate = |values: &Vec<f64>| target.metric.evaluate(values, target.direction);
        let tranche = |c: usize| {
            let model = &self.models[c];
            self.index[c].map(|i| (model, &model.liabilities.tranches[i], i))
        };
        if target.metric.needs_irr() {
            // IRRs, placed by a window where there is one.
            let irr = |c: usize, ledger: &Ledger, windowed: bool| {
                tranche(c).map_or(f64::NAN, |(model, t, i)| match &self.windows[c] {
                    Some(window) if windowed => window.place(t, i, ledger, &model.calendar),
                    _ => tranche_outcome(t, i, ledger, &model.calendar).irr,
                })
            };
            let settled = |t| target.metric.settled(t);
            let mut irrs = self.run(None, settled, f64::NAN, |c, ledger| irr(c, ledger, true));
            let mut evaluations: Vec<Evaluation> = irrs.iter().map(evaluate).collect();
            // A window that missed an order statistic: solve every IRR.
            let missed: Vec<bool> = (0..self.models.len())
                .map(|c| {
                    let e = evaluations[c];
                    self.windows[c]
                        .as_ref()
                        .is_some_and(|window| !(window.holds(e.value) && window.holds(e.bound)))
                })
                .collect();
            if missed.contains(&true) {
                let again = self.run(Some(&missed), settled, f64::NAN, |c, ledger| {
                    irr(c, ledger, false)
                });
                for (c, values) in again.into_iter().enumerate() {
                    if missed[c] {
                        evaluations[c] = evaluate(&values);
                        irrs[c] = values;
                    }
                }
            }
            return (irrs, evaluations, None);
        }
        let (Metric::ImpliedRating, false) = (target.metric, self.screen) else {
            // A screened implied rating needs P(loss) alone, which a loss
            // settles as soon as the tranche is certain to be repaid.
            let metric = if self.screen {
                Metric::ProbLoss
            } else {
                target.metric
            };
            let settled = |t| metric.settled(t);
            let losses = self.run(None, settled, f64::NAN, |c, ledger| {
                tranche(c).map_or(f64::NAN, |(_, t, i)| tranche_loss(t, i, ledger))
            });
            let evaluations = losses.iter().map(evaluate).collect();
            return (losses, evaluations, None);
        };
        let settled = |t| target.metric.settled(t);
        let both = self.run(None, settled, (f64::NAN, f64::NAN), |c, ledger| {
            tranche(c).map_or((f64::NAN, f64::NAN), |(model, t, i)| {
                (
                    tranche_loss(t, i, ledger),
                    tranche_wal(i, ledger, &model.calendar),
                )
            })
        });
        let losses: Vec<Vec<f64>> = both
            .iter()
            .map(|paths| paths.iter().map(|v| v.0).collect())
            .collect();
        let wals = both
            .iter()
            .zip(self.models)
            .map(|(paths, model)| {
                let wal: Vec<f64> = paths.iter().map(|v| v.1).collect();
                let sampled: Vec<f64> = wal.iter().step_by(WAL_STRIDE).copied().collect();
                Wal {
                    all: Some(horizon_of(model, &wal)),
                    sampled: Some(horizon_of(model, &sampled)),
                }
            })
            .collect();
        let evaluations = losses.iter().map(evaluate).collect();
        (losses, evaluations, Some(wals))
    }

    /// For an implied rating, candidate `c`'s horizon on the WAL sample
    /// alone, its waterfalls there run until the tranche is repaid (as in
    /// full).
    fn sampled_wal(&self, c: usize, target: &Target) -> f64 {
        let paths: Vec<usize> = (0..self.sample.paths()).step_by(WAL_STRIDE).collect();
        let model = &self.models[c];
        self.index[c].map_or(f64::NAN, |i| {
            let candidate = Candidate {
                model,
                stop: Some(target.metric.settled(i)),
            };
            let wal = self.sample.evaluate_paths(&candidate, &paths, |ledger| {
                tranche_wal(i, ledger, &model.calendar)
            });
            horizon_of(model, &wal)
        })
    }
}

/// The rating horizon of a tranche whose WALs on some paths are `wals`
/// (NaN where it repaid no principal).
pub(super) fn horizon_of(model: &Model, wals: &[f64]) -> f64 {
    let legal_final = model.calendar.years_from_start(model.calendar.periods());
    rating_horizon(estimate(wals).mean, legal_final)
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

    fn irr_target(threshold: f64) -> Target {
        Target {
            tranche: "mezzanine".into(),
            metric: Metric::IrrQuantile(0.05),
            direction: Direction::AtLeast,
            threshold,
            rating: None,
        }
    }

    /// Refines `metric` over a 5-point grid on [0, 0.4] to `target`;
    /// returns the solution and the evaluations it took.
    fn refine_to(metric: impl Fn(f64) -> f64, target: &Target) -> (f64, usize) {
        let curve: Vec<SizingPoint> = (0..5)
            .map(|i| {
                let share = 0.1 * i as f64;
                point(share, metric(share))
            })
            .collect();
        let mut search = Refinement::start(target, &curve, false);
        let mut steps = 0;
        while let Some(share) = search.guess() {
            steps += 1;
            assert!(steps <= MAX_STEPS, "no convergence");
            search.update(target, point(share, metric(share)), true);
        }
        (search.solution().expect("met on the grid").share, steps)
    }

    fn refine(metric: impl Fn(f64) -> f64, threshold: f64) -> (f64, usize) {
        refine_to(metric, &target(threshold))
    }

    /// Bisection's count over a grid cell of 0.1, plus the slack: the most
    /// steps any metric may take.
    const MOST_STEPS: usize = 10 + MODEL_SLACK as usize;

    /// A loss falling exponentially with the first loss: the model on the
    /// logarithm closes the bracket to a basis point in a few steps.
    #[test]
    fn smooth_metrics_take_a_few_steps() {
        let metric = |share: f64| 0.02 * (-40.0 * share).exp();
        let crossing = (0.02_f64 / 0.0001).ln() / 40.0; // 0.13246
        let (solution, steps) = refine(metric, 0.0001);
        assert!(
            (solution - crossing).abs() <= RESOLUTION,
            "{solution} {crossing} {steps}"
        );
        assert!(steps <= 3, "{steps} steps");
    }

    /// An IRR rising to its coupon and flat from there: the parabola
    /// through the grid follows the bend, where a line through the cell
    /// overshoots.
    #[test]
    fn saturating_irrs_take_a_few_steps() {
        let metric = |share: f64| 0.08 - 0.16 * (-25.0 * share).exp();
        let crossing = (0.16_f64 / 0.01).ln() / 25.0; // 0.11090
        let (solution, steps) = refine_to(metric, &irr_target(0.07));
        assert!(
            (solution - crossing).abs() <= RESOLUTION,
            "{solution} {crossing} {steps}"
        );
        assert!(steps <= 4, "{steps} steps");
    }

    /// An IRR that reaches its coupon and stays there (to within rounding):
    /// the points on the plateau say nothing about the bend, so the model
    /// uses one of them and the points below.
    #[test]
    fn plateaus_do_not_mislead_the_model() {
        let metric = |share: f64| {
            let below = (0.16 - share).max(0.0);
            0.0824 - 5.0 * below * below + 1e-9 * share
        };
        let crossing = 0.16 - (0.0124_f64 / 5.0).sqrt(); // 0.11020
        let (solution, steps) = refine_to(metric, &irr_target(0.07));
        assert!(
            (solution - crossing).abs() <= RESOLUTION,
            "{solution} {crossing} {steps}"
        );
        assert!(steps <= 3, "{steps} steps");
    }

    /// A quantile that drops to exactly zero at 0.0461: the model knows
    /// nothing there, so the search bisects, about log2(0.1 / 1e-4) = 10
    /// steps, instead of creeping by half a resolution.
    #[test]
    fn step_shaped_metrics_are_bisected() {
        let metric = |share: f64| if share < 0.0461 { 0.1 - share } else { 0.0 };
        let (solution, steps) = refine(metric, 0.0);
        assert!((0.0461..=0.0461 + RESOLUTION).contains(&solution));
        assert!(steps <= 11, "{steps} steps");
    }

    /// A loss quantile with a positive target that is zero beyond the
    /// crossing (an infinite gap on the log scale) is solved within the
    /// safeguard's count.
    #[test]
    fn zero_losses_past_the_crossing_are_handled() {
        let metric = |share: f64| (0.1 - 2.0 * share).max(0.0);
        // 0.01 or less from share 0.045 on; zero from 0.05.
        let (solution, steps) = refine(metric, 0.01);
        assert!(
            (0.045..=0.045 + RESOLUTION).contains(&solution),
            "{solution}"
        );
        assert!(steps <= MOST_STEPS, "{steps} steps");
    }

    /// A staircase (a probability moving in steps of 1/n) is still solved
    /// to the resolution, within the safeguard's count.
    #[test]
    fn staircases_are_solved_to_the_resolution() {
        let metric = |share: f64| ((0.3 - share).max(0.0) * 50.0).ceil() / 1000.0;
        // 0.001 or less once (0.3 - share) x 50 <= 1, i.e. share >= 0.28.
        let (solution, steps) = refine(metric, 0.001);
        assert!((0.28..=0.28 + RESOLUTION).contains(&solution), "{solution}");
        assert!(steps <= MOST_STEPS, "{steps} steps");
    }

    /// Steps meant to close the bracket that keep landing on one plateau
    /// next to an end (a probability moving in steps of 1/N) reach twice as
    /// far each time, so the search does not creep a resolution at a time.
    #[test]
    fn failed_closing_steps_reach_twice_as_far() {
        let target = target(0.001);
        // Met from 0.13 on, just below the target, on a curve whose log is
        // close to a line: the model puts the crossing within a resolution
        // of the high end.
        let curve = [
            point(0.0, 0.0012985),
            point(0.12, 0.0010202),
            point(0.13, 0.0009999),
        ];
        let mut search = Refinement::start(&target, &curve, false);
        let mut high = 0.13;
        for creep in 0..4 {
            let share = search.guess().expect("open");
            let reach = high - share;
            let expected = CLOSING * RESOLUTION * f64::from(1 << creep);
            assert!(
                (reach - expected).abs() < 1e-12,
                "{creep}: {reach} {expected}"
            );
            // The plateau: met, at the same value.
            search.update(&target, point(share, 0.0009999), true);
            high = share;
        }
    }

    /// A probability of loss on a finite sample: a smooth decline in stairs
    /// of 1/N, several resolutions wide next to the crossing, is solved
    /// within the safeguard's count.
    #[test]
    fn probabilities_on_finite_samples_are_solved() {
        for paths in [5_000.0, 20_000.0, 100_000.0] {
            let metric = |share: f64| (0.03 * (-27.0 * share).exp() * paths).ceil() / paths;
            let crossing = (0.03_f64 / 0.001).ln() / 27.0;
            let (solution, steps) = refine(metric, 0.001);
            assert!(
                (solution - crossing).abs() <= 3.0 / paths,
                "{paths}: {solution}"
            );
            assert!(metric(solution) <= 0.001 && metric(solution - RESOLUTION) > 0.001);
            assert!(steps <= MOST_STEPS, "{paths}: {steps} steps");
        }
    }

    /// An IRR target's windowed evaluation gives exactly the metric of the
    /// full one (every IRR solved), whether the window holds the order
    /// statistics or misses them (then every IRR is solved after all).
    #[test]
    fn windowed_irr_quantiles_are_exact() {
        use crate::spec::{LoadOptions, load_facility};
        let path = std::path::Path::new("portfolios/quickstart/facility.toml");
        let spec = load_facility(path, &LoadOptions::default()).unwrap().spec;
        let model = Model::compile(&spec).unwrap();
        let sample = PoolSample::simulate(&model.pool, 11, 3000);
        let models = [model.clone()];
        for (tranche, threshold) in [("first_loss", "-0.2"), ("mezzanine", "0.05")] {
            let target: Target = format!("{tranche}.irr_p05 >= {threshold}").parse().unwrap();
            let index = model
                .liabilities
                .tranches
                .iter()
                .position(|t| t.name == tranche);
            let evaluate = |windows: &[Option<IrrWindow>]| {
                let batch = Batch {
                    models: &models,
                    sample: &sample,
                    shared_pool: true,
                    index: vec![index],
                    windows,
                    screen: false,
                };
                let (values, ..) = batch.target_values(&target);
                let values = values.into_iter().next().unwrap();
                (target.metric.evaluate(&values, target.direction), values)
            };
            let (full, all) = evaluate(&[None]);
            assert!(
                full.value.is_finite() && full.bound < full.value,
                "{full:?}"
            );
            let around = IrrWindow::around(&[full.value, full.bound], &model.calendar);
            let (windowed, placed) = evaluate(&[around]);
            assert_eq!(windowed, full, "{tranche}");
            // Most paths were placed without solving their IRR.
            let infinite = placed.iter().filter(|v| v.is_infinite()).count();
            assert!(infinite > all.len() / 2, "{tranche}: {infinite}");
            let missing = IrrWindow::around(&[full.value + 0.05], &model.calendar);
            assert_eq!(evaluate(&[missing]).1, all, "{tranche}");
        }
    }

    /// A screened implied-rating evaluation stops most waterfalls before
    /// their first period, yet gives every path the loss of the full one
    /// (run until the senior is repaid), so P(loss) is exact; it has no
    /// WAL, and its WAL on the WAL sample (measured near the benchmark) is
    /// the full one's there.
    #[test]
    fn screened_ratings_keep_every_paths_loss() {
        let spec = crate::spec::test_support::flagship_with_first_loss("15000000");
        let model = Model::compile(&spec).unwrap();
        let sample = PoolSample::simulate(&model.pool, 5, 4000);
        let models = [model];
        let target: Target = "senior.implied_rating >= A2".parse().unwrap();
        let batch = |screen: bool| Batch {
            models: &models,
            sample: &sample,
            shared_pool: true,
            index: vec![Some(0)],
            windows: &[None],
            screen,
        };
        let (full, full_metric, wals) = batch(false).target_values(&target);
        let (screened, screened_metric, no_wals) = batch(true).target_values(&target);
        assert_eq!(screened, full);
        assert_eq!(screened_metric, full_metric);
        assert!(no_wals.is_none());
        let wal = wals.unwrap()[0];
        assert_eq!(Some(batch(true).sampled_wal(0, &target)), wal.sampled);
        // The sample is not the whole: the two horizons differ a little.
        let (all, sampled) = (wal.all.unwrap(), wal.sampled.unwrap());
        assert!(all != sampled && (all - sampled).abs() < 0.1, "{wal:?}");
        let lost = full[0].iter().filter(|&&loss| loss > 0.0).count();
        assert!(lost > 20 && lost < 2000, "{lost} paths lose");
    }

    /// A metric with every path that could not fall short at its most
    /// favourable value is never further from the target than the full
    /// one where the metric never falls as a value rises (so where it
    /// misses, the full one misses), and it misses wherever the full one
    /// misses by a little, with few paths run: for a first loss's IRR
    /// quantile (`>=`), a mezzanine's loss quantile and the estimate of its
    /// expected loss (`<=`), between neighbours 40 million either side.
    #[test]
    fn most_favourable_metrics_prove_the_misses() {
        let irr = ["300000000", "340000000", "380000000"];
        // First-loss sizes at which the mezzanine loses principal on 1% to
        // 5% of paths, so that its 99% quantile is inside (0, 1).
        let loss = ["100000000", "140000000", "180000000"];
        let cases = [
            ("first_loss.irr_p05 >= 0", 2, irr),
            ("mezzanine.loss_p99 <= 0.5", 1, loss),
            ("mezzanine.expected_loss <= 0.05", 1, loss),
        ];
        for (metric, tranche, amounts) in cases {
            let models = amounts.map(|amount| {
                let spec = crate::spec::test_support::flagship_with_first_loss(amount);
                Model::compile(&spec).unwrap()
            });
            let sample = PoolSample::simulate(&models[0].pool, 3, 3000);
            let mut target: Target = metric.parse().unwrap();
            let batch = Batch {
                models: &models,
                sample: &sample,
                shared_pool: true,
                index: vec![Some(tranche); 3],
                windows: &[None, None, None],
                screen: false,
            };
            let (values, evaluations, _) = batch.target_values(&target);
            let solved = |c: usize| PathValues {
                values: values[c].clone(),
                window: None,
            };
            let (below, above, full) = (solved(0), solved(2), evaluations[1]);
            let at = |evaluation| SizingPoint {
                share: 0.0,
                amount: Decimal::ZERO,
                evaluation,
                scenario: String::new(),
                benchmark: None,
            };
            let bounds: Vec<bool> = [false, true]
                .into_iter()
                .filter(|&bound| target.metric.rises_with_values(bound))
                .collect();
            let (mut proven, mut missed) = (0, 0);
            for offset in [-0.02, -1e-3, 1e-3, 0.02] {
                target.threshold = full.value + offset;
                let run = could_fall_short(&below, &above, &target);
                assert!(run.len() < 1000, "{metric}: {} run", run.len());
                let mut best = vec![most_favourable(&target); 3000];
                for &p in &run {
                    best[p] = values[1][p];
                }
                let best = target.metric.evaluate(&best, target.direction);
                for &bound in &bounds {
                    let (best, full) = (
                        gap(&target, &at(best), bound),
                        gap(&target, &at(full), bound),
                    );
                    assert!(best <= full, "{metric} {offset} {bound}: {best} > {full}");
                    proven += usize::from(best > 0.0);
                    missed += usize::from(full > 0.0);
                }
            }
            // Estimates and bounds miss at both thresholds past the
            // estimate (bounds maybe at the others too), and every miss is
            // proven.
            let least = 2 * bounds.len();
            assert!((least..=least + 2).contains(&missed), "{metric}: {missed}");
            assert_eq!(proven, missed, "{metric}");
        }
    }

    /// A path's side of a band: solved IRRs by their value; IRRs placed
    /// outside a window only where that window reaches past the band.
    #[test]
    fn placed_irrs_know_their_side_of_a_band() {
        let placed = PathValues {
            values: vec![0.01, 0.05, 0.09, f64::INFINITY, f64::NEG_INFINITY, f64::NAN],
            window: Some((0.03, 0.07)),
        };
        let side = |p, band| placed.side(p, band);
        let band = (0.04, 0.06);
        assert_eq!(
            (0..6).map(|p| side(p, band)).collect::<Vec<_>>(),
            [
                Side::Below,
                Side::Unknown,
                Side::Above,
                Side::Above,
                Side::Below,
                Side::Unknown
            ]
        );
        // A band reaching past the window: the placed paths may be inside.
        let wide = (0.02, 0.08);
        assert_eq!(side(3, wide), Side::Unknown);
        assert_eq!(side(4, wide), Side::Unknown);
        // Without a window every IRR was solved: none is infinite.
        let solved = PathValues {
            values: vec![0.05],
            window: None,
        };
        assert_eq!(solved.side(0, (0.04, 0.06)), Side::Unknown);
        assert_eq!(solved.side(0, (0.06, 0.08)), Side::Below);
    }
}
