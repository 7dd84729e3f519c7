//! The library's front door: compile once, simulate paths in parallel,
//! reduce in path order.

use std::sync::Mutex;

use rayon::prelude::*;

use crate::aggregate::{Outcomes, PartyScratch, PathDetail, PathOutcome, party_outcomes};
use crate::model::Model;
use crate::simulate::{FactorDraws, PoolPath, PoolSimulator};
use crate::waterfall::{
    CashflowSums, IrrWork, Ledger, StepLog, fixed_weight, guarantee_outcome, run_waterfall,
    run_waterfall_traced, tranche_outcome_with,
};

/// How many paths to simulate and from which seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSettings {
    /// Number of Monte Carlo paths.
    pub paths: u64,
    /// Seed of the random streams.
    pub seed: u64,
}

/// Paths handed to the thread pool at a time: large enough to keep threads
/// busy, small enough for a lively progress bar. It does not affect results.
const CHUNK: usize = 8192;

/// The engine's parallel loop: `map(state, i)` for every `i` in
/// `0..count` on the current rayon thread pool, the results handed to
/// `consume` in order of `i`, `CHUNK` (8,192) at a time. Each thread reuses a
/// `state` made by `init` from item to item (buffers, a ledger). Where an
/// item's result depends only on `i` (path i uses random stream i), the
/// results are the same for any number of threads: nothing is reduced in
/// parallel.
pub fn map_in_order<S, V>(
    count: usize,
    init: impl Fn() -> S + Sync,
    map: impl Fn(&mut S, usize) -> V + Sync,
    mut consume: impl FnMut(Vec<V>),
) where
    V: Send,
{
    let mut done = 0;
    while done < count {
        let end = (done + CHUNK).min(count);
        let chunk: Vec<V> = (done..end).into_par_iter().map_init(&init, &map).collect();
        consume(chunk);
        done = end;
    }
}

/// Buffers one thread reuses from path to path, and the cash-flow sums of
/// its paths, added to the run's totals when it is dropped (integer sums:
/// the order does not matter).
struct Worker<'t> {
    draws: FactorDraws,
    pool: PoolPath,
    ledger: Ledger,
    parties: PartyScratch,
    /// Buffers for the tranches' IRRs.
    irr: IrrWork,
    cashflows: CashflowSums,
    totals: &'t Mutex<CashflowSums>,
}

impl Drop for Worker<'_> {
    fn drop(&mut self) {
        // A poisoned lock only means another worker panicked (the run then
        // fails anyway); the sums themselves are always consistent.
        let mut totals = self.totals.lock().unwrap_or_else(|e| e.into_inner());
        totals.merge(&mut self.cashflows);
    }
}

impl<'t> Worker<'t> {
    fn new(
        model: &Model,
        simulator: &PoolSimulator<'_>,
        totals: &'t Mutex<CashflowSums>,
        irr: bool,
    ) -> Self {
        Worker {
            draws: FactorDraws::default(),
            pool: simulator.new_path(),
            ledger: Ledger::default(),
            parties: PartyScratch::without_irr(!irr),
            irr: IrrWork {
                skip: !irr,
                ..IrrWork::default()
            },
            cashflows: CashflowSums::new(&model.liabilities, model.calendar.periods())
                .weighted(simulator.is_importance()),
            totals,
        }
    }

    fn run_path(&mut self, model: &Model, simulator: &PoolSimulator<'_>, path: u64) -> PathOutcome {
        simulator.simulate(path, &mut self.draws, &mut self.pool);
        run_waterfall(model, &self.pool, &mut self.ledger);
        let weight = simulator.is_importance().then(|| self.draws.weight());
        match weight {
            None => self.cashflows.add(&self.ledger, &self.pool),
            Some(w) => self
                .cashflows
                .add_weighted(&self.ledger, &self.pool, fixed_weight(w)),
        }
        let tranches: Vec<_> = model
            .liabilities
            .tranches
            .iter()
            .enumerate()
            .map(|(i, t)| tranche_outcome_with(t, i, &self.ledger, &model.calendar, &mut self.irr))
            .collect();
        let parties = party_outcomes(model, &self.ledger, &tranches, &mut self.parties);
        let lost = self.pool.total_defaulted() - self.pool.total_recovered();
        let liabilities = &model.liabilities;
        PathOutcome {
            tranches,
            pool_loss: lost.as_f64() / model.pool.notional.as_f64(),
            defaults: self.pool.defaults.len() as u32,
            detail: PathDetail::record(&self.pool),
            guarantee: liabilities
                .guarantee
                .as_ref()
                .map(|g| guarantee_outcome(g, &self.ledger)),
            first_failures: (0..liabilities.tests.len())
                .map(|i| self.ledger.first_failure(i).map_or(0, |k| k as u32))
                .collect(),
            timely: liabilities
                .tranches
                .iter()
                .enumerate()
                .map(|(t, tranche)| {
                    let (first, missed) = self.ledger.interest_shortfall(t);
                    (
                        first.map_or(0, |k| k as u32),
                        missed.as_f64() / tranche.notional.as_f64(),
                    )
                })
                .collect(),
            event_of_default: self.ledger.event_of_default().map_or(0, |k| k as u32),
            parties,
            weight,
        }
    }
}

/// Simulates `settings.paths` paths on the current rayon thread pool and
/// returns their outcomes in path order. `progress` is called with the
/// number of paths done after each chunk.
///
/// Path p uses random stream p, and outcomes are stored in path order, so the
/// result is identical for any number of threads.
///
/// ```
/// use blendsim::aggregate::summarise;
/// use blendsim::engine::{RunSettings, simulate_outcomes, with_threads};
/// use blendsim::model::Model;
/// use blendsim::spec::{LoadOptions, load_facility};
///
/// let path = std::path::Path::new("portfolios/quickstart/facility.toml");
/// let model = Model::compile(&load_facility(path, &LoadOptions::default())?.spec)?;
/// let settings = RunSettings { paths: 2_000, seed: 7 };
/// let outcomes = simulate_outcomes(&model, &settings, &|_done| {});
/// let summary = summarise(&model, &outcomes);
/// // Juniors lose more.
/// assert!(summary[0].expected_loss < summary[1].expected_loss);
/// assert!(summary[1].expected_loss < summary[2].expected_loss);
/// // Any number of threads gives the same paths.
/// let again = with_threads(Some(1), || simulate_outcomes(&model, &settings, &|_| {}))?;
/// let losses = |rows: &[blendsim::aggregate::TrancheSummary]| -> Vec<f64> {
///     rows.iter().map(|r| r.expected_loss).collect()
/// };
/// assert_eq!(losses(&summarise(&model, &again)), losses(&summary));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn simulate_outcomes(
    model: &Model,
    settings: &RunSettings,
    progress: &(dyn Fn(u64) + Sync),
) -> Outcomes {
    simulate(model, settings, progress, true)
}

/// [`simulate_outcomes`] without the IRRs of tranches and parties (NaN
/// on every path), for runs read only for losses and present values (the
/// tornado's shifted runs): the IRR solver is about a sixth of a path's
/// work. Every other column is the same.
pub fn simulate_outcomes_without_irr(
    model: &Model,
    settings: &RunSettings,
    progress: &(dyn Fn(u64) + Sync),
) -> Outcomes {
    simulate(model, settings, progress, false)
}

/// A fixed run, solving IRRs when `irr`.
fn simulate(
    model: &Model,
    settings: &RunSettings,
    progress: &(dyn Fn(u64) + Sync),
    irr: bool,
) -> Outcomes {
    let mut simulation = Simulation::new(model, settings.seed, settings.paths);
    simulation.irr = irr;
    simulation.extend_to(settings.paths, progress);
    simulation.finish()
}

/// A run that can be extended block by block: paths `0..n` simulated so
/// far, their outcomes in path order. Extending to `n` in any number of
/// steps gives exactly the outcomes of [`simulate_outcomes`] with `n`
/// paths (path p uses random stream p, and cash-flow sums are integers),
/// which is what lets a run stop once it is precise enough.
pub struct Simulation<'m> {
    model: &'m Model,
    simulator: PoolSimulator<'m>,
    totals: Mutex<CashflowSums>,
    outcomes: Outcomes,
    /// The first path's index: 0, or where a shard's block starts.
    first: u64,
    /// Whether IRRs are solved (see [`simulate_outcomes_without_irr`]).
    irr: bool,
}

impl<'m> Simulation<'m> {
    /// No paths yet; room reserved for `expected_paths`.
    pub fn new(model: &'m Model, seed: u64, expected_paths: u64) -> Self {
        Self::starting_at(model, seed, 0, expected_paths)
    }

    /// No paths yet, the first to come being path `first` (a shard's
    /// block of a run: its paths are the run's paths `first..`, number
    /// for number); room reserved for `expected_paths`.
    pub fn starting_at(model: &'m Model, seed: u64, first: u64, expected_paths: u64) -> Self {
        let mut outcomes =
            Outcomes::with_capacity(model.liabilities.tranches.len(), expected_paths as usize);
        outcomes.reserve(
            model.parties.parties.len(),
            model.liabilities.tests.len(),
            expected_paths as usize,
        );
        Simulation {
            first,
            model,
            simulator: PoolSimulator::new(&model.pool, seed),
            totals: Mutex::new(
                CashflowSums::new(&model.liabilities, model.calendar.periods())
                    .weighted(model.pool.importance.is_some()),
            ),
            outcomes,
            irr: true,
        }
    }

    /// Index of the next path to simulate: the first path plus the paths
    /// simulated so far.
    pub fn paths(&self) -> u64 {
        self.first + self.outcomes.pool_loss.len() as u64
    }

    /// The outcomes of the paths simulated so far (cash-flow sums are
    /// filled in only by [`Simulation::finish`]).
    pub fn outcomes(&self) -> &Outcomes {
        &self.outcomes
    }

    /// Simulates paths `self.paths()..paths` on the current rayon thread
    /// pool; `progress` gets the number done by this simulation after
    /// each chunk.
    pub fn extend_to(&mut self, paths: u64, progress: &(dyn Fn(u64) + Sync)) {
        let first = self.paths();
        let (model, simulator, totals, irr) = (self.model, &self.simulator, &self.totals, self.irr);
        let outcomes = &mut self.outcomes;
        map_in_order(
            paths.saturating_sub(first) as usize,
            || Worker::new(model, simulator, totals, irr),
            |worker, i| worker.run_path(model, simulator, first + i as u64),
            |chunk: Vec<PathOutcome>| {
                chunk.iter().for_each(|outcome| outcomes.push(outcome));
                progress(outcomes.pool_loss.len() as u64);
            },
        );
    }

    /// The outcomes of every path simulated, with their cash-flow sums.
    pub fn finish(self) -> Outcomes {
        let mut outcomes = self.outcomes;
        outcomes.cashflows = self.totals.into_inner().unwrap_or_else(|e| e.into_inner());
        outcomes.cashflows.flush();
        outcomes
    }
}

/// One pilot path of the importance-sampling shift's search
/// (`crate::importance`).
#[derive(Debug, Clone, PartialEq)]
pub struct PilotPath {
    /// The factor values drawn, in draw order.
    pub point: Vec<f64>,
    /// The t copula's chi-square variable over its degrees of freedom (1
    /// for the Gaussian copula).
    pub mixing_ratio: f64,
    /// The path's likelihood ratio.
    pub weight: f64,
    /// The chosen tranche's loss.
    pub tranche_loss: f64,
    /// The pool's loss.
    pub pool_loss: f64,
}

/// Simulates `count` pilot paths of `model` (with its sampling law) on
/// streams no run uses (pilot j on stream `u64::MAX - j` of `seed`), so
/// choosing the shift changes no path of the run itself. In pilot order,
/// for any number of threads.
pub fn pilot_paths(model: &Model, seed: u64, tranche: usize, count: usize) -> Vec<PilotPath> {
    let simulator = PoolSimulator::new(&model.pool, seed);
    let totals = Mutex::new(
        CashflowSums::new(&model.liabilities, model.calendar.periods())
            .weighted(model.pool.importance.is_some()),
    );
    let mut pilots = Vec::with_capacity(count);
    map_in_order(
        count,
        || Worker::new(model, &simulator, &totals, true),
        |worker, j| {
            let outcome = worker.run_path(model, &simulator, u64::MAX - j as u64);
            PilotPath {
                point: worker.draws.point(),
                mixing_ratio: worker.draws.mixing_ratio(),
                weight: worker.draws.weight(),
                tranche_loss: outcome.tranches[tranche].loss,
                pool_loss: outcome.pool_loss,
            }
        },
        |chunk| pilots.extend(chunk),
    );
    pilots
}

/// One path re-simulated with its waterfall traced step by step.
#[derive(Debug, Clone, PartialEq)]
pub struct PathTrace {
    /// Path number (its random stream).
    pub path: u64,
    /// The pool's collections and defaults.
    pub pool: PoolPath,
    /// Where the cash went.
    pub ledger: Ledger,
    /// Every step of every period, in order.
    pub steps: StepLog,
}

/// Re-simulates path `path` of a run with seed `seed` and traces its
/// waterfall: the same numbers as in the run, since a path's numbers
/// depend only on the seed and its index.
///
/// ```
/// use blendsim::engine::trace_path;
/// use blendsim::model::Model;
/// use blendsim::spec::{LoadOptions, load_facility};
///
/// let path = std::path::Path::new("portfolios/quickstart/facility.toml");
/// let model = Model::compile(&load_facility(path, &LoadOptions::default())?.spec)?;
/// let trace = trace_path(&model, 42, 17);
/// assert_eq!(trace.path, 17);
/// assert_eq!(trace, trace_path(&model, 42, 17));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn trace_path(model: &Model, seed: u64, path: u64) -> PathTrace {
    let simulator = PoolSimulator::new(&model.pool, seed);
    let mut pool = simulator.new_path();
    simulator.simulate(path, &mut FactorDraws::default(), &mut pool);
    let mut ledger = Ledger::default();
    let mut steps = StepLog::default();
    run_waterfall_traced(model, &pool, &mut ledger, &mut steps);
    PathTrace {
        path,
        pool,
        ledger,
        steps,
    }
}

/// Runs `f` on a rayon pool of `threads` threads (all cores when `None`).
pub fn with_threads<R: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> R + Send,
) -> Result<R, rayon::ThreadPoolBuildError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()?;
    Ok(pool.install(f))
}
