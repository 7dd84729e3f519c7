//! The pool's defaults on every path, kept so that many capital structures
//! can be evaluated on the same paths (common random numbers) without
//! simulating the pool again.

use crate::engine::map_in_order;
use crate::model::{Model, PoolModel};
use crate::money::Money;
use crate::simulate::{DefaultEvent, FactorDraws, PoolPath, PoolSimulator, recovered_amount};
use crate::waterfall::{Ledger, StopWhen, run_waterfall, run_waterfall_until, settled_at_start};

/// One default, as much as the waterfall needs of it (24 bytes). Amounts
/// are not stored: the exposure is the loan's balance in the model the path
/// is evaluated with, so a sample also serves a pool scaled up or down.
#[derive(Debug, Clone, Copy, PartialEq)]
struct StoredDefault {
    loan: u32,
    period: u32,
    recovery_period: u32,
    recovery_rate: f64,
}

/// Every path's defaults, in path order.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolSample {
    defaults: Vec<StoredDefault>,
    /// Path p's defaults are `defaults[starts[p]..starts[p + 1]]`.
    starts: Vec<usize>,
}

/// One capital structure to evaluate on a [`PoolSample`].
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'m> {
    /// The facility with this structure.
    pub model: &'m Model,
    /// Whether each path's waterfall may stop early (see [`StopWhen`]).
    pub stop: Option<StopWhen>,
}

impl Candidate<'_> {
    /// Its waterfall on `path`, stopped early as it allows.
    fn run(&self, path: &PoolPath, ledger: &mut Ledger) {
        match self.stop {
            Some(stop) => run_waterfall_until(self.model, path, ledger, stop),
            None => run_waterfall(self.model, path, ledger),
        }
    }
}

impl PoolSample {
    /// Simulates `paths` paths of `pool` with `seed` (the same streams as a
    /// run: path p of a sample is path p of `blendsim run`).
    pub fn simulate(pool: &PoolModel, seed: u64, paths: u64) -> PoolSample {
        let simulator = PoolSimulator::new(pool, seed);
        let mut sample = PoolSample {
            defaults: Vec::new(),
            starts: vec![0],
        };
        map_in_order(
            paths as usize,
            || (FactorDraws::default(), simulator.new_path()),
            |(draws, path), p| {
                simulator.simulate(p as u64, draws, path);
                path.defaults.iter().map(stored).collect::<Vec<_>>()
            },
            |chunk| {
                for defaults in chunk {
                    sample.defaults.extend(defaults);
                    sample.starts.push(sample.defaults.len());
                }
            },
        );
        sample
    }

    /// Number of paths.
    pub fn paths(&self) -> usize {
        self.starts.len() - 1
    }

    /// Runs every candidate's waterfall on every path, rebuilding each
    /// path's collections once for all of them, and returns
    /// `per_path(candidate, ledger)` by candidate, then in path order.
    ///
    /// The candidates must share one pool (the same loans, amounts, dates
    /// and risk as the pool the sample was simulated from, or amounts
    /// scaled from it): only their liabilities differ.
    pub fn evaluate<V, F>(&self, candidates: &[Candidate<'_>], per_path: F) -> Vec<Vec<V>>
    where
        V: Send,
        F: Fn(usize, &Ledger) -> V + Sync,
    {
        let Some(first) = candidates.first() else {
            return Vec::new();
        };
        let pool = &first.model.pool;
        debug_assert!(candidates.iter().all(|c| c.model.pool == *pool));
        let width = candidates.len();
        // Whether a path can be settled before its first period at all
        // (given unbounded inflows): only then are its inflows counted.
        let can_settle = candidates.iter().all(|c| {
            let liabilities = &c.model.liabilities;
            c.stop
                .is_some_and(|stop| settled_at_start(liabilities, stop, i128::MAX))
        });
        let inflows = PathInflows::new(pool).filter(|_| can_settle);
        let periods = first.model.calendar.periods();
        let mut columns: Vec<Vec<V>> = (0..width)
            .map(|_| Vec::with_capacity(self.paths()))
            .collect();
        map_in_order(
            self.paths(),
            || {
                (
                    PoolPath::for_schedule(&pool.performing),
                    vec![Ledger::default(); width],
                )
            },
            |(path, ledgers), p| {
                // Every waterfall would stop before its first period: the
                // cleared ledger is its outcome, and the path is not built.
                let total = inflows.as_ref().and_then(|i| i.total(self.of_path(p)));
                let settled = |c: &Candidate| {
                    let liabilities = &c.model.liabilities;
                    total
                        .zip(c.stop)
                        .is_some_and(|(total, stop)| settled_at_start(liabilities, stop, total))
                };
                let built = !candidates.iter().all(settled);
                if built {
                    self.rebuild(pool, p, path);
                }
                let row: Vec<V> = candidates
                    .iter()
                    .zip(ledgers.iter_mut())
                    .enumerate()
                    .map(|(c, (candidate, ledger))| {
                        if built {
                            candidate.run(path, ledger);
                        } else {
                            ledger.reset(&candidate.model.liabilities, periods);
                        }
                        per_path(c, ledger)
                    })
                    .collect();
                row
            },
            |chunk| {
                for row in chunk {
                    for (column, value) in columns.iter_mut().zip(row) {
                        column.push(value);
                    }
                }
            },
        );
        columns
    }

    /// Runs `candidate`'s waterfall on the listed paths only and returns
    /// `per_path(ledger)` for each, in the order listed.
    pub fn evaluate_paths<V, F>(
        &self,
        candidate: &Candidate<'_>,
        paths: &[usize],
        per_path: F,
    ) -> Vec<V>
    where
        V: Send,
        F: Fn(&Ledger) -> V + Sync,
    {
        let pool = &candidate.model.pool;
        let mut values = Vec::with_capacity(paths.len());
        map_in_order(
            paths.len(),
            || (PoolPath::for_schedule(&pool.performing), Ledger::default()),
            |(path, ledger), i| {
                self.rebuild(pool, paths[i], path);
                candidate.run(path, ledger);
                per_path(ledger)
            },
            |chunk| values.extend(chunk),
        );
        values
    }

    /// Path p's defaults.
    fn of_path(&self, p: usize) -> &[StoredDefault] {
        &self.defaults[self.starts[p]..self.starts[p + 1]]
    }

    /// Path p's collections: the performing schedule less its defaults.
    fn rebuild(&self, pool: &PoolModel, p: usize, out: &mut PoolPath) {
        out.reset(&pool.performing);
        for d in self.of_path(p) {
            let loan = &pool.loans[d.loan as usize];
            let exposure = loan.balance_start[d.period as usize - loan.first_period];
            let event = DefaultEvent {
                loan: d.loan as usize,
                period: d.period as usize,
                systematic: 0.0,
                recovery_rate: d.recovery_rate,
                exposure,
                recovery: recovered_amount(exposure, d.recovery_rate),
                recovery_period: d.recovery_period as usize,
            };
            out.apply_default(loan, &event);
            out.defaults.push(event);
        }
    }
}

/// A path's pool principal and recoveries over periods 1..=K, from its
/// defaults alone (without building the path, as [`PoolSample::rebuild`]
/// would): the performing schedule's principal, less each defaulted loan's
/// scheduled principal from its default period on, plus its recovery.
struct PathInflows<'p> {
    pool: &'p PoolModel,
    /// The performing schedule's principal over periods 1..=K.
    performing: i128,
    /// Per loan, its scheduled principal from each of its periods on.
    tails: Vec<Vec<i128>>,
}

impl<'p> PathInflows<'p> {
    /// None when a loan's schedule has a negative principal or balance:
    /// then a path's principal or recoveries could be negative in some
    /// period, and the waterfall's start-of-path test does not apply.
    fn new(pool: &'p PoolModel) -> Option<Self> {
        let negative = pool.loans.iter().any(|loan| {
            loan.principal
                .iter()
                .chain(&loan.balance_start)
                .any(|m| m.minor() < 0)
        });
        if negative {
            return None;
        }
        let minor = |m: &Money| i128::from(m.minor());
        let tails = pool
            .loans
            .iter()
            .map(|loan| {
                let mut tail: Vec<i128> = loan
                    .principal
                    .iter()
                    .rev()
                    .scan(0, |sum, m| {
                        *sum += minor(m);
                        Some(*sum)
                    })
                    .collect();
                tail.reverse();
                tail
            })
            .collect();
        Some(PathInflows {
            pool,
            performing: pool.performing.principal.iter().skip(1).map(minor).sum(),
            tails,
        })
    }

    /// The total on a path with `defaults` (None if one falls in period 0,
    /// which the waterfall does not count).
    fn total(&self, defaults: &[StoredDefault]) -> Option<i128> {
        let mut total = self.performing;
        for d in defaults {
            if d.period == 0 || d.recovery_period == 0 {
                return None;
            }
            let loan = &self.pool.loans[d.loan as usize];
            let first = d.period as usize - loan.first_period;
            let recovery = recovered_amount(loan.balance_start[first], d.recovery_rate);
            total += i128::from(recovery.minor()) - self.tails[d.loan as usize][first];
        }
        Some(total)
    }
}

fn stored(event: &DefaultEvent) -> StoredDefault {
    StoredDefault {
        loan: event.loan as u32,
        period: event.period as u32,
        recovery_period: event.recovery_period as u32,
        recovery_rate: event.recovery_rate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::test_support::flagship_with_first_loss;
    use crate::waterfall::tranche_loss;

    fn thin_flagship() -> Model {
        Model::compile(&flagship_with_first_loss("15000000")).expect("compiles")
    }

    /// The thin flagship funded at closing and without an event of
    /// default, so that its senior's paths can be settled before the
    /// first period (a tranche funded as drawn can still grow; with an
    /// event of default the rule must also know the path's interest).
    fn thin_flagship_funded_at_closing() -> Model {
        thin_flagship_with(false, false)
    }

    /// The thin flagship, its tranches funded as drawn or at closing (with
    /// or without commitment fees), with or without its event of default.
    fn thin_flagship_with(as_drawn: bool, event_of_default: bool) -> Model {
        let mut spec = flagship_with_first_loss("15000000");
        if !as_drawn {
            for tranche in &mut spec.tranches {
                tranche.funding = crate::spec::Funding::AtClose;
            }
        }
        if let Some(waterfall) = &mut spec.waterfall {
            if !as_drawn {
                waterfall
                    .interest
                    .retain(|step| !matches!(step, crate::spec::StepSpec::CommitmentFee(_)));
            }
            if !event_of_default {
                waterfall.acceleration = None;
            }
        }
        Model::compile(&spec).expect("compiles")
    }

    /// Sizing's early stop on the senior's loss is exact with tranches
    /// funded as drawn, with an event of default and with both (the
    /// flagship as bundled): on every path the loss of the run stopped
    /// early is the full run's, and most runs stop before the last period
    /// in which cash enters the waterfall. Funded at closing without an
    /// event of default, paths are settled before the first period (the
    /// test below).
    #[test]
    fn early_stop_is_exact_when_funded_as_drawn_or_with_an_event_of_default() {
        for (as_drawn, event_of_default) in [(true, false), (false, true), (true, true)] {
            let model = thin_flagship_with(as_drawn, event_of_default);
            let sample = PoolSample::simulate(&model.pool, 7, 1500);
            let stop = StopWhen::CertainlyRepaid(0);
            let senior = &model.liabilities.tranches[0];
            let periods = model.calendar.periods();
            let mut path = PoolPath::for_schedule(&model.pool.performing);
            let (mut full, mut stopped) = (Ledger::default(), Ledger::default());
            let (mut early, mut lost) = (0, 0);
            for p in 0..sample.paths() {
                sample.rebuild(&model.pool, p, &mut path);
                run_waterfall(&model, &path, &mut full);
                run_waterfall_until(&model, &path, &mut stopped, stop);
                let loss = tranche_loss(senior, 0, &full);
                let case = (as_drawn, event_of_default, p);
                assert_eq!(tranche_loss(senior, 0, &stopped), loss, "{case:?}");
                // The last period in which cash enters the full run.
                let last = (1..=periods)
                    .rev()
                    .find(|&k| full.sources(k) != Money::ZERO);
                early += usize::from(last.is_some_and(|k| stopped.sources(k) == Money::ZERO));
                lost += usize::from(loss > 0.0);
            }
            let case = (as_drawn, event_of_default);
            assert!(early > 1200, "{case:?}: {early} of 1500 stopped early");
            assert!(lost > 5, "{case:?}: {lost} lose");
        }
    }

    /// The inflows counted from a path's defaults are those of the path
    /// built from them, on every path.
    #[test]
    fn inflows_from_defaults_match_the_built_path() {
        let model = thin_flagship();
        let sample = PoolSample::simulate(&model.pool, 3, 2000);
        let inflows = PathInflows::new(&model.pool).expect("amortising loans");
        let mut path = PoolPath::for_schedule(&model.pool.performing);
        let mut with_defaults = 0;
        for p in 0..sample.paths() {
            sample.rebuild(&model.pool, p, &mut path);
            let built: i128 = path.principal[1..]
                .iter()
                .chain(&path.recoveries[1..])
                .map(|m| i128::from(m.minor()))
                .sum();
            assert_eq!(inflows.total(sample.of_path(p)), Some(built), "path {p}");
            with_defaults += usize::from(!path.defaults.is_empty());
        }
        assert!(with_defaults > 1000, "{with_defaults}");
    }

    /// Paths settled before the first period are not built, and every path
    /// keeps the senior loss of the full waterfall on the built path.
    #[test]
    fn paths_settled_at_the_start_keep_their_losses() {
        let model = thin_flagship_funded_at_closing();
        let sample = PoolSample::simulate(&model.pool, 5, 4000);
        let stop = StopWhen::CertainlyRepaid(0);
        let senior = &model.liabilities.tranches[0];
        let candidate = Candidate {
            model: &model,
            stop: Some(stop),
        };
        let losses = sample.evaluate(&[candidate], |_, ledger| tranche_loss(senior, 0, ledger));
        let inflows = PathInflows::new(&model.pool).unwrap();
        let (mut path, mut ledger) = (
            PoolPath::for_schedule(&model.pool.performing),
            Ledger::default(),
        );
        let (mut settled, mut lost) = (0, 0);
        for (p, &stopped) in losses[0].iter().enumerate() {
            sample.rebuild(&model.pool, p, &mut path);
            run_waterfall(&model, &path, &mut ledger);
            let loss = tranche_loss(senior, 0, &ledger);
            assert_eq!(stopped, loss, "path {p}");
            let total = inflows.total(sample.of_path(p)).unwrap();
            settled += usize::from(settled_at_start(&model.liabilities, stop, total));
            lost += usize::from(loss > 0.0);
        }
        // Both kinds of path are exercised, and losses occur.
        assert!(settled > 2000 && settled < 4000, "{settled} settled");
        assert!(lost > 20, "{lost} lose");
    }
}
