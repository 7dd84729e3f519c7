//! The pool's defaults on every path, kept so that many capital structures
//! can be evaluated on the same paths (common random numbers) without
//! simulating the pool again.

use rayon::prelude::*;

use crate::model::{Model, PoolModel};
use crate::simulate::{DefaultEvent, FactorDraws, PoolPath, PoolSimulator, recovered_amount};
use crate::waterfall::{Ledger, StopWhen, run_waterfall, run_waterfall_until};

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

/// Paths per parallel chunk (does not affect results).
const CHUNK: u64 = 8192;

impl PoolSample {
    /// Simulates `paths` paths of `pool` with `seed` (the same streams as a
    /// run: path p of a sample is path p of `blendsim run`).
    pub fn simulate(pool: &PoolModel, seed: u64, paths: u64) -> PoolSample {
        let simulator = PoolSimulator::new(pool, seed);
        let mut sample = PoolSample {
            defaults: Vec::new(),
            starts: vec![0],
        };
        let mut done = 0;
        while done < paths {
            let end = (done + CHUNK).min(paths);
            let chunk: Vec<Vec<StoredDefault>> = (done..end)
                .into_par_iter()
                .map_init(
                    || (FactorDraws::default(), simulator.new_path()),
                    |(draws, path), p| {
                        simulator.simulate(p, draws, path);
                        path.defaults.iter().map(stored).collect()
                    },
                )
                .collect();
            for defaults in chunk {
                sample.defaults.extend(defaults);
                sample.starts.push(sample.defaults.len());
            }
            done = end;
        }
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
        V: Copy + Default + Send + Sync,
        F: Fn(usize, &Ledger) -> V + Sync,
    {
        let Some(first) = candidates.first() else {
            return Vec::new();
        };
        let pool = &first.model.pool;
        debug_assert!(candidates.iter().all(|c| c.model.pool == *pool));
        let width = candidates.len();
        // Path-major while filling (one slot of `width` values per path),
        // candidate-major on return.
        let mut values = vec![V::default(); self.paths() * width];
        values.par_chunks_mut(width).enumerate().for_each_init(
            || {
                (
                    PoolPath::for_schedule(&pool.performing),
                    vec![Ledger::default(); width],
                )
            },
            |(path, ledgers), (p, slot)| {
                self.rebuild(pool, p, path);
                for (c, candidate) in candidates.iter().enumerate() {
                    let ledger = &mut ledgers[c];
                    match candidate.stop {
                        Some(stop) => run_waterfall_until(candidate.model, path, ledger, stop),
                        None => run_waterfall(candidate.model, path, ledger),
                    }
                    slot[c] = per_path(c, ledger);
                }
            },
        );
        (0..width)
            .map(|c| values.iter().skip(c).step_by(width).copied().collect())
            .collect()
    }

    /// Path p's collections: the performing schedule less its defaults.
    fn rebuild(&self, pool: &PoolModel, p: usize, out: &mut PoolPath) {
        out.reset(&pool.performing);
        for d in &self.defaults[self.starts[p]..self.starts[p + 1]] {
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

fn stored(event: &DefaultEvent) -> StoredDefault {
    StoredDefault {
        loan: event.loan as u32,
        period: event.period as u32,
        recovery_period: event.recovery_period as u32,
        recovery_rate: event.recovery_rate,
    }
}
