//! Candidate sizes evaluated in every scenario: screened where the search
//! allows it, else in full on the scenario's pool sample; and a candidate
//! as a point of the search (its worst scenario, and for an implied rating
//! its benchmark).

use super::batch::Batch;
use super::cache::{Candidates, PathValues, Record, Wal};
use super::error::SizingError;
use super::irr_window::IrrWindow;
use super::problem::Problem;
use super::request::SizingPoint;
use super::screen::{Screener, screening_budget};
use super::target::Evaluation;
use crate::model::Model;
use crate::spec::FacilitySpec;

/// A screened rating candidate whose P(loss) (or its bound) is within
/// this share of the benchmark at the interpolated WAL measures its WAL on
/// the WAL sample: the interpolation can be off by a few per cent of the
/// benchmark where the WAL bends, enough to decide the side only there.
const WAL_TOLERANCE: f64 = 0.1;

/// How a candidate is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// In full: the target metric exactly, on every path.
    Full,
    /// Screened (see `docs/sizing.md`): an implied rating's P(loss)
    /// exactly (each waterfall stopped once the tranche is certain to be
    /// repaid) with the benchmark at the WAL of [`horizon`]; an IRR or loss
    /// target's metric from the paths that may move it ([`Screener`]).
    Screen,
}

/// A candidate evaluated in every scenario (in the problem's case order).
#[derive(Debug, Clone, Default)]
pub(super) struct Evaluated {
    /// The target metric (for an implied rating, P(loss) before its
    /// benchmark).
    pub(super) by_scenario: Vec<Evaluation>,
    /// Whether in full (a screened candidate that could not be screened is
    /// evaluated in full).
    pub(super) full: bool,
    /// For an implied rating: the tranche's mean WAL.
    pub(super) wals: Option<Vec<Wal>>,
    /// For a screened target evaluated in full (but an implied rating's):
    /// every path's value.
    pub(super) paths: Option<Vec<PathValues>>,
}

/// Evaluates each candidate facility (`keys`: their cache keys) as `mode`
/// says, in every scenario: the target metric (for an implied rating,
/// P(loss) before its benchmark) and, evaluated in full, for an implied
/// rating the tranche's mean WAL, for an IRR target every path's placed
/// IRR. An IRR target uses the metric next to each candidate to solve only
/// the IRRs that can matter ([`IrrWindow`]); a screened candidate that
/// cannot be screened is evaluated in full.
pub(super) fn evaluate(
    problem: &Problem,
    cache: &Candidates,
    specs: &[&FacilitySpec],
    keys: &[i128],
    mode: Mode,
) -> Result<Vec<Evaluated>, SizingError> {
    let blank = Evaluated {
        full: mode == Mode::Full,
        ..Evaluated::default()
    };
    let mut evaluated = vec![blank; specs.len()];
    let mut unscreened: Vec<usize> = Vec::new();
    let screens =
        mode == Mode::Screen && (problem.target().metric.needs_irr() || problem.screen_losses);
    for s in 0..problem.cases.len() {
        let candidates = specs
            .iter()
            .map(|spec| problem.candidate_model(spec, s))
            .collect::<Result<Vec<Model>, SizingError>>()?;
        let screener = Screener { problem, cache };
        if screens {
            for (c, evaluation) in screener.screen(s, keys, &candidates, &unscreened) {
                match evaluation {
                    Some(evaluation) => evaluated[c].by_scenario.push(evaluation),
                    None => unscreened.push(c),
                }
            }
        } else {
            let batch = Scenario { problem, cache, s };
            batch.evaluate(&candidates, keys, mode, &mut evaluated);
        }
    }
    if !unscreened.is_empty() {
        let specs: Vec<&FacilitySpec> = unscreened.iter().map(|&c| specs[c]).collect();
        let keys: Vec<i128> = unscreened.iter().map(|&c| keys[c]).collect();
        let full = evaluate(problem, cache, &specs, &keys, Mode::Full)?;
        for (c, full) in unscreened.into_iter().zip(full) {
            evaluated[c] = full;
        }
    }
    Ok(evaluated)
}

impl Screener<'_> {
    /// Each candidate (`models`, `keys`) of an IRR or loss target screened
    /// in scenario `s`, but those listed in `skip`: its evaluation, or None
    /// where it cannot be screened.
    fn screen(
        &self,
        s: usize,
        keys: &[i128],
        models: &[Model],
        skip: &[usize],
    ) -> Vec<(usize, Option<Evaluation>)> {
        let case = &self.problem.cases[s];
        let irr = self.problem.target().metric.needs_irr();
        let mut screened = Vec::with_capacity(models.len());
        for (c, model) in models.iter().enumerate() {
            if skip.contains(&c) {
                continue;
            }
            let (key, index) = (keys[c], self.problem.target_index(model));
            let evaluation = self.not_binding(key, s).or_else(|| match irr {
                true => {
                    let bands = self.screening_bands(key, s, &case.model.calendar);
                    let budget = &mut screening_budget(case.sample.paths());
                    bands
                        .iter()
                        .find_map(|band| self.screen_irrs(s, key, model, index, band, budget))
                }
                false => self.screen_loss(s, key, model, index, &case.sample),
            });
            screened.push((c, evaluation));
        }
        screened
    }
}

/// Candidates evaluated on one scenario's pool sample.
struct Scenario<'s> {
    problem: &'s Problem<'s>,
    cache: &'s Candidates,
    s: usize,
}

impl Scenario<'_> {
    /// Evaluates `models` (`keys`) on the scenario's sample as `mode` says
    /// and appends each one's evaluation, WAL and per-path values to
    /// `evaluated`.
    fn evaluate(&self, models: &[Model], keys: &[i128], mode: Mode, evaluated: &mut [Evaluated]) {
        let (problem, s) = (self.problem, self.s);
        let target = problem.target();
        let case = &problem.cases[s];
        let windows: Vec<Option<IrrWindow>> = keys
            .iter()
            .map(|&key| {
                let neighbours = neighbours(self.cache, key, s);
                target
                    .metric
                    .needs_irr()
                    .then(|| IrrWindow::around(&neighbours, &case.model.calendar))
                    .flatten()
            })
            .collect();
        let batch = Batch {
            models,
            sample: &case.sample,
            shared_pool: !problem.structure.scales_pool(),
            windows: &windows,
            screen: mode == Mode::Screen,
            index: models.iter().map(|m| problem.target_index(m)).collect(),
        };
        let (values, evaluations, wals) = batch.target_values(target);
        for (c, (evaluation, values)) in evaluations.into_iter().zip(values).enumerate() {
            let wal = match &wals {
                Some(wals) => Some(wals[c]),
                None if problem.rating.is_some() => Some(Wal {
                    all: None,
                    sampled: needs_sampled_wal(problem, self.cache, keys[c], s, evaluation)
                        .then(|| batch.sampled_wal(c, target)),
                }),
                None => None,
            };
            let out = &mut evaluated[c];
            out.by_scenario.push(evaluation);
            if let Some(wal) = wal {
                out.wals.get_or_insert_with(Vec::new).push(wal);
            }
            if mode == Mode::Full && (target.metric.needs_irr() || problem.screen_losses) {
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
}

/// The metric's estimates and bounds in scenario `s` at the nearest sizes
/// below and above the candidate `key` evaluated in full (empty unless
/// there are both).
fn neighbours(cache: &Candidates, key: i128, s: usize) -> Vec<f64> {
    match cache.nearest(key, s, false) {
        Some(((_, b), (_, a))) => vec![b.value, b.bound, a.value, a.bound],
        None => Vec::new(),
    }
}

/// Whether a screened rating candidate `key` in scenario `s`, with P(loss)
/// `raw` there, measures its WAL on the WAL sample: its estimate or bound
/// is within [`WAL_TOLERANCE`] of the benchmark at the interpolated WAL (or
/// that is unknown).
fn needs_sampled_wal(
    problem: &Problem,
    cache: &Candidates,
    key: i128,
    s: usize,
    raw: Evaluation,
) -> bool {
    let Some((table, rating)) = &problem.rating else {
        return false;
    };
    let benchmark = table.at(*rating, interpolated_wal(cache, key, s));
    let far = |p: f64| (p - benchmark).abs() > WAL_TOLERANCE * benchmark;
    !(far(raw.value) && far(raw.bound))
}

/// The mean WAL in scenario `s` at the candidate `key`, interpolated
/// linearly in the amount between the nearest candidates evaluated in full
/// (the nearest one's beyond them).
fn interpolated_wal(cache: &Candidates, key: i128, s: usize) -> f64 {
    cache.interpolated(key, s, |w| w.all)
}

/// The horizon in scenario `s` of candidate `key` with `wal` there: over
/// every path if evaluated in full; else, if measured on the WAL sample,
/// paired with the candidates evaluated in full on either side (the
/// sample's mean plus the difference between the whole and the sample
/// there, interpolated: on common paths that difference moves slowly with
/// the size, so this is far more precise than the sample's own mean, and
/// unlike an interpolation of the WAL itself it follows the WAL's bends);
/// else interpolated ([`interpolated_wal`]).
fn horizon(cache: &Candidates, key: i128, s: usize, wal: Wal) -> f64 {
    if let Some(all) = wal.all {
        return all;
    }
    let Some(sampled) = wal.sampled else {
        return interpolated_wal(cache, key, s);
    };
    let offset = |w: &Wal| w.all.zip(w.sampled).map(|(all, own)| all - own);
    sampled + cache.interpolated(key, s, offset)
}

/// The candidate `key` (`record`, with its evaluation in every scenario
/// `by_scenario`) as a point of the search: its worst evaluation over the
/// scenarios, for an implied rating each less the rating's idealized
/// default probability at the tranche's mean WAL there ([`horizon`]).
pub(super) fn point(
    problem: &Problem,
    cache: &Candidates,
    key: i128,
    record: &Record,
    by_scenario: &[Evaluation],
) -> SizingPoint {
    let target = problem.target();
    // The worst evaluation so far, its scenario and benchmark.
    let mut worst: Option<(Evaluation, usize, Option<f64>)> = None;
    for (s, &raw) in by_scenario.iter().enumerate() {
        let mut evaluation = raw;
        let mut benchmark = None;
        if let Some((table, rating)) = &problem.rating {
            let wal = record
                .wals
                .as_ref()
                .map_or(f64::NAN, |w| horizon(cache, key, s, w[s]));
            let pd = table.at(*rating, wal);
            evaluation.value -= pd;
            evaluation.bound -= pd;
            benchmark = Some(pd);
        }
        worst = Some(match worst.take() {
            Some(w) if target.worse(w.0, evaluation) == w.0 => w,
            _ => (evaluation, s, benchmark),
        });
    }
    let (evaluation, s, benchmark) = worst.expect("at least one scenario");
    SizingPoint {
        share: record.share,
        amount: record.amount,
        evaluation,
        scenario: problem.cases[s].scenario.name.clone(),
        benchmark,
    }
}
