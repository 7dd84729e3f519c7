//! Screening: a candidate's metric from the paths that could move it, the
//! others placed from the candidates evaluated in full on either side
//! (cheaper than a full evaluation; a screened answer is confirmed in
//! full). Also the proof, on the paths that could fall short, that a
//! candidate misses the target without evaluating it in full.

use super::bracket::gap;
use super::cache::{Candidates, PathValues, Side};
use super::error::SizingError;
use super::irr_window::IrrWindow;
use super::problem::Problem;
use super::request::{RESOLUTION, SizingPoint};
use super::sample::{Candidate, PoolSample};
use super::target::{Direction, Evaluation, Target};
use crate::model::{Calendar, Model};
use crate::waterfall::{Ledger, tranche_loss};

/// Half the width of the band of rates a screened IRR candidate next to
/// distant sizes expects its quantile in, around the target (see
/// [`Screener::screening_bands`]).
const SCREEN_BAND: f64 = 0.01;

/// Screens candidates of a search against what it has evaluated so far.
pub(super) struct Screener<'s> {
    pub(super) problem: &'s Problem<'s>,
    pub(super) cache: &'s Candidates,
}

impl Screener<'_> {
    /// A loss target's candidate `key` in scenario `s`, screened: a path
    /// whose loss is the same at the nearest candidates evaluated in full
    /// below and above (no loss at both, say, or a total one) is given that
    /// loss without running its waterfall (on most paths a tranche's loss
    /// moves monotonically with the size, but that is not certain, so a
    /// screened answer is confirmed in full: [`super::solve`]); the other
    /// paths run. None (to be evaluated in full) without such neighbours,
    /// or when more than half the paths would run ([`screening_budget`]).
    pub(super) fn screen_loss(
        &self,
        s: usize,
        key: i128,
        model: &Model,
        tranche: Option<usize>,
        sample: &PoolSample,
    ) -> Option<Evaluation> {
        let t = tranche?;
        let (below, above) = self.cache.path_neighbours(key, s)?;
        let mut values = below.values.clone();
        let run: Vec<usize> = (0..values.len())
            .filter(|&p| below.values[p] != above.values[p])
            .collect();
        let tranche_model = &model.liabilities.tranches[t];
        let mut budget = screening_budget(values.len());
        self.run_screened(model, t, sample, &run, &mut values, &mut budget, |ledger| {
            tranche_loss(tranche_model, t, ledger)
        })?;
        let target = self.problem.target();
        Some(target.metric.evaluate(&values, target.direction))
    }

    /// Sets `values` at the paths in `run` to `value(ledger)` after the
    /// candidate's waterfall on each (stopped once the target's metric is
    /// settled for tranche `t`), taking them from `budget`. None when more
    /// would run than `budget` has left ([`screening_budget`]).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn run_screened(
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
            stop: Some(self.problem.target().metric.settled(t)),
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
    pub(super) fn not_binding(&self, key: i128, s: usize) -> Option<Evaluation> {
        if self.problem.cases.len() < 2 {
            return None;
        }
        let ((a, below), (b, above)) = self.cache.nearest_full(key)?;
        let name = &self.problem.cases[s].scenario.name;
        if &below.point.scenario == name || &above.point.scenario == name {
            return None;
        }
        let (ea, eb) = (below.by_scenario[s], above.by_scenario[s]);
        let finite = [ea.value, ea.bound, eb.value, eb.bound];
        let target = self.problem.target();
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
    pub(super) fn screening_bands(
        &self,
        key: i128,
        s: usize,
        calendar: &Calendar,
    ) -> Vec<IrrWindow> {
        let Some(((kb, b), (ka, a))) = self.cache.nearest(key, s, true) else {
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
        let threshold = self.problem.target().threshold;
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
    /// ([`super::solve`]). The other paths run their waterfall and are
    /// placed by the band, taken from `budget` ([`screening_budget`]).
    /// None (try the next band, else evaluate in full) without such
    /// neighbours, when the budget is spent, or when the order statistics
    /// fall outside the band.
    pub(super) fn screen_irrs(
        &self,
        s: usize,
        key: i128,
        model: &Model,
        tranche: Option<usize>,
        band: &IrrWindow,
        budget: &mut usize,
    ) -> Option<Evaluation> {
        let t = tranche?;
        let sample = &self.problem.cases[s].sample;
        let (below, above) = self.cache.path_neighbours(key, s)?;
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
        let target = self.problem.target();
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
    pub(super) fn proven_miss(&self, key: i128, bound: bool) -> Result<bool, SizingError> {
        let target = self.problem.target();
        let Some((record, screened)) = self
            .cache
            .get(key)
            .and_then(|r| r.screened.as_ref().map(|e| (r, e)))
        else {
            return Ok(false);
        };
        if !target.metric.rises_with_values(bound) {
            return Ok(false);
        }
        let point = |evaluation: Evaluation| SizingPoint {
            share: record.share,
            amount: record.amount,
            evaluation,
            scenario: String::new(),
            benchmark: None,
        };
        let mut missed: Vec<(f64, usize)> = screened
            .iter()
            .enumerate()
            .map(|(s, &e)| (gap(target, &point(e), bound), s))
            .filter(|&(gap, _)| gap > 0.0)
            .collect();
        missed.sort_by(|a, b| b.0.total_cmp(&a.0));
        let Some(spec) = self.problem.structure.with_amount(record.amount) else {
            return Ok(false);
        };
        for (_, s) in missed {
            let model = self.problem.candidate_model(&spec, s)?;
            let best = self.best_case(s, key, &model, self.problem.target_index(&model));
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
    pub(super) fn best_case(
        &self,
        s: usize,
        key: i128,
        model: &Model,
        tranche: Option<usize>,
    ) -> Option<Evaluation> {
        let target = self.problem.target();
        let t = tranche?;
        let (below, above) = self.cache.path_neighbours(key, s)?;
        let run = could_fall_short(below, above, target);
        let mut values = vec![most_favourable(target); below.values.len()];
        let tranche_model = &model.liabilities.tranches[t];
        let sample = &self.problem.cases[s].sample;
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
}

/// How many paths a screened candidate may run in all, over every band it
/// tries, out of `paths`: half. Screening more would cost about as much as
/// a full evaluation, which serves later candidates better (a closer
/// neighbour).
pub(super) fn screening_budget(paths: usize) -> usize {
    paths / 2
}

/// The paths of a candidate between two evaluated in full, `below` and
/// `above`, that could fall short of `target`: all but those both give a
/// value on its favourable side of the threshold for a quantile, or the
/// most favourable value of all for a mean (a value exactly at the
/// threshold counts as short for a `<=` quantile: the choice only saves
/// work, see [`Screener::best_case`]).
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

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::sizing::batch::Batch;

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
}
