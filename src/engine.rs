//! The library's front door: compile once, simulate paths in parallel,
//! reduce in path order.

use std::sync::Mutex;

use rayon::prelude::*;

use crate::aggregate::{CashSums, Outcomes, PathDetail, PathOutcome};
use crate::model::Model;
use crate::simulate::{FactorDraws, PoolPath, PoolSimulator};
use crate::waterfall::{Ledger, run_waterfall, tranche_outcome};

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
const CHUNK: u64 = 8192;

/// Buffers one thread reuses from path to path.
struct Worker<'a> {
    draws: FactorDraws,
    pool: PoolPath,
    ledger: Ledger,
    cash: CashSums<'a>,
}

impl<'a> Worker<'a> {
    fn new(simulator: &PoolSimulator<'_>, cash: &'a Mutex<Vec<i128>>) -> Self {
        Worker {
            draws: FactorDraws::default(),
            pool: simulator.new_path(),
            ledger: Ledger::default(),
            cash: CashSums::new(cash),
        }
    }

    fn run_path(&mut self, model: &Model, simulator: &PoolSimulator<'_>, path: u64) -> PathOutcome {
        simulator.simulate(path, &mut self.draws, &mut self.pool);
        run_waterfall(model, &self.pool, &mut self.ledger);
        let tranches = model
            .liabilities
            .tranches
            .iter()
            .enumerate()
            .map(|(i, t)| tranche_outcome(t, i, &self.ledger, &model.calendar))
            .collect();
        let lost = self.pool.total_defaulted() - self.pool.total_recovered();
        self.cash
            .add(&self.ledger, model.liabilities.tranches.len());
        PathOutcome {
            tranches,
            pool_loss: lost.as_f64() / model.pool.notional.as_f64(),
            defaults: self.pool.defaults.len() as u32,
            detail: PathDetail::record(&self.pool),
        }
    }
}

/// Simulates `settings.paths` paths on the current rayon thread pool and
/// returns their outcomes in path order. `progress` is called with the
/// number of paths done after each chunk.
///
/// Path p uses random stream p, and outcomes are stored in path order, so the
/// result is identical for any number of threads.
pub fn simulate_outcomes(
    model: &Model,
    settings: &RunSettings,
    progress: &(dyn Fn(u64) + Sync),
) -> Outcomes {
    let simulator = PoolSimulator::new(&model.pool, settings.seed);
    let mut outcomes =
        Outcomes::with_capacity(model.liabilities.tranches.len(), settings.paths as usize);
    let cash = Mutex::new(Vec::new());
    let mut done = 0;
    while done < settings.paths {
        let end = (done + CHUNK).min(settings.paths);
        let chunk: Vec<PathOutcome> = (done..end)
            .into_par_iter()
            .map_init(
                || Worker::new(&simulator, &cash),
                |worker, path| worker.run_path(model, &simulator, path),
            )
            .collect();
        chunk.iter().for_each(|outcome| outcomes.push(outcome));
        done = end;
        progress(done);
    }
    // Every worker has been dropped, adding its cash sums.
    let cash = cash.into_inner().unwrap_or_else(|e| e.into_inner());
    outcomes.detail.set_tranche_cash_sums(cash);
    outcomes
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
