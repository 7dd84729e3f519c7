//! Candidate structures of one scenario evaluated together on its pool
//! sample: each path's collections rebuilt once for all of them, each
//! waterfall stopped as soon as the target's metric is settled.

use super::cache::Wal;
use super::irr_window::IrrWindow;
use super::per_path::{PathReading, horizon_of, read};
use super::sample::{Candidate, PoolSample};
use super::target::{Evaluation, Metric, Target};
use crate::model::Model;
use crate::waterfall::{Ledger, StopWhen};

/// Every [`WAL_STRIDE`]-th path is the WAL sample: a screened rating
/// candidate near its benchmark runs only those until the tranche is
/// repaid, for its WAL.
pub(super) const WAL_STRIDE: usize = 10;

/// Per candidate: the per-path values, the metric over them, and for an
/// implied rating the tranche's mean WAL.
pub(super) type TargetValues = (Vec<Vec<f64>>, Vec<Evaluation>, Option<Vec<Wal>>);

/// Candidate structures of one scenario, evaluated on its sample.
pub(super) struct Batch<'a> {
    pub(super) models: &'a [Model],
    pub(super) sample: &'a PoolSample,
    /// Whether the candidates share the scenario's pool (so each path is
    /// rebuilt once for all of them).
    pub(super) shared_pool: bool,
    /// The target tranche's index in each candidate (None: sized to zero,
    /// so it has no loss or IRR: NaN).
    pub(super) index: Vec<Option<usize>>,
    /// For an IRR target, where each candidate's order statistics should lie.
    pub(super) windows: &'a [Option<IrrWindow>],
    /// For an implied-rating target: losses only, each waterfall stopped
    /// once the tranche is certain to be repaid (see [`Mode`]; the WAL,
    /// where wanted, from [`Batch::sampled_wal`]).
    pub(super) screen: bool,
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
        V: Copy + Send + Sync,
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
    pub(super) fn target_values(&self, target: &Target) -> TargetValues {
        match (target.metric, self.screen) {
            (Metric::IrrQuantile(_), _) => self.irrs(target),
            (Metric::ImpliedRating, false) => self.losses_and_wals(target),
            // A screened implied rating needs P(loss) alone, which a loss
            // settles as soon as the tranche is certain to be repaid.
            (Metric::ImpliedRating, true) => self.losses(target, Metric::ProbLoss),
            (metric, _) => self.losses(target, metric),
        }
    }

    /// Candidate `c`'s reading of `metric` on the path in `ledger` (absent
    /// where the tranche was sized to zero).
    fn read(&self, c: usize, metric: Metric, ledger: &Ledger) -> PathReading {
        self.index[c].map_or(PathReading::ABSENT, |t| {
            read(metric, &self.models[c], t, ledger)
        })
    }

    /// An IRR target's values: IRRs, placed by a window where there is one;
    /// where a window missed an order statistic, every IRR solved.
    fn irrs(&self, target: &Target) -> TargetValues {
        let evaluate = |values: &Vec<f64>| target.metric.evaluate(values, target.direction);
        let irr =
            |c: usize, ledger: &Ledger, windowed: bool| match (&self.windows[c], self.index[c]) {
                (Some(window), Some(t)) if windowed => {
                    let model = &self.models[c];
                    window.place(&model.liabilities.tranches[t], t, ledger, &model.calendar)
                }
                _ => self.read(c, target.metric, ledger).value,
            };
        let settled = |t| target.metric.settled(t);
        let mut irrs = self.run(None, settled, f64::NAN, |c, ledger| irr(c, ledger, true));
        let mut evaluations: Vec<Evaluation> = irrs.iter().map(evaluate).collect();
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
        (irrs, evaluations, None)
    }

    /// A loss target's values (or a screened implied rating's, `metric`
    /// then P(loss)): each path's loss, each waterfall stopped once the
    /// tranche is certain to be repaid.
    fn losses(&self, target: &Target, metric: Metric) -> TargetValues {
        let settled = |t| metric.settled(t);
        let losses = self.run(None, settled, f64::NAN, |c, ledger| {
            self.read(c, metric, ledger).value
        });
        let evaluate = |values: &Vec<f64>| target.metric.evaluate(values, target.direction);
        let evaluations = losses.iter().map(evaluate).collect();
        (losses, evaluations, None)
    }

    /// An implied rating's values in full: each path's loss and the
    /// tranche's mean WAL, over every path and over the WAL sample.
    fn losses_and_wals(&self, target: &Target) -> TargetValues {
        let settled = |t| target.metric.settled(t);
        let both = self.run(None, settled, PathReading::ABSENT, |c, ledger| {
            self.read(c, target.metric, ledger)
        });
        let losses: Vec<Vec<f64>> = both
            .iter()
            .map(|paths| paths.iter().map(|v| v.value).collect())
            .collect();
        let wals = both
            .iter()
            .zip(self.models)
            .map(|(paths, model)| {
                let wal: Vec<f64> = paths.iter().map(|v| v.wal).collect();
                let sampled: Vec<f64> = wal.iter().step_by(WAL_STRIDE).copied().collect();
                Wal {
                    all: Some(horizon_of(model, &wal)),
                    sampled: Some(horizon_of(model, &sampled)),
                }
            })
            .collect();
        let evaluate = |values: &Vec<f64>| target.metric.evaluate(values, target.direction);
        let evaluations = losses.iter().map(evaluate).collect();
        (losses, evaluations, Some(wals))
    }

    /// For an implied rating, candidate `c`'s horizon on the WAL sample
    /// alone, its waterfalls there run until the tranche is repaid (as in
    /// full).
    pub(super) fn sampled_wal(&self, c: usize, target: &Target) -> f64 {
        let paths: Vec<usize> = (0..self.sample.paths()).step_by(WAL_STRIDE).collect();
        let model = &self.models[c];
        self.index[c].map_or(f64::NAN, |i| {
            let candidate = Candidate {
                model,
                stop: Some(target.metric.settled(i)),
            };
            let wal = self.sample.evaluate_paths(&candidate, &paths, |ledger| {
                read(target.metric, model, i, ledger).wal
            });
            horizon_of(model, &wal)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
