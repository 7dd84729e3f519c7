//! What the committee pack needs of each path beyond the tranche outcomes:
//! which projects lost how much, what was recovered, and every tranche's
//! cash per period.
//!
//! Per-project losses are kept sparse (only defaulted loans appear), so
//! 100,000 paths of a 50-loan pool cost a few megabytes. Tranche cash is
//! not kept per path: each worker sums it exactly (integers) in
//! [`CashSums`], so the expected cash flows do not depend on how paths were
//! split between threads.

use std::sync::Mutex;

use crate::money::Money;
use crate::simulate::PoolPath;
use crate::waterfall::Ledger;

/// The detail of one path.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PathDetail {
    /// `(loan index, loss)` for each defaulted loan, in loan order; the loss
    /// is exposure at default less recovery.
    pub project_losses: Vec<(u32, Money)>,
    /// Total recoveries collected on the path.
    pub recovered: Money,
}

impl PathDetail {
    /// Reads the detail of the path in `pool`.
    pub fn record(pool: &PoolPath) -> Self {
        PathDetail {
            project_losses: pool
                .defaults
                .iter()
                .map(|d| (d.loan as u32, d.exposure - d.recovery))
                .collect(),
            recovered: pool.total_recovered(),
        }
    }
}

/// Exact sums, over the paths one worker simulates, of the cash each
/// tranche received in each period 0..=K (tranche-major, `t * (K + 1) + k`).
/// Added into the run's `total` when the worker is dropped: integer sums
/// do not depend on the order of addition.
#[derive(Debug)]
pub struct CashSums<'a> {
    local: Vec<i128>,
    total: &'a Mutex<Vec<i128>>,
}

impl<'a> CashSums<'a> {
    /// Empty sums that will be added into `total`.
    pub fn new(total: &'a Mutex<Vec<i128>>) -> Self {
        CashSums {
            local: Vec::new(),
            total,
        }
    }

    /// Adds the cash of the path in `ledger` (`tranches` tranches).
    pub fn add(&mut self, ledger: &Ledger, tranches: usize) {
        let cells = ledger.periods() + 1;
        if self.local.len() < tranches * cells {
            self.local.resize(tranches * cells, 0);
        }
        for t in 0..tranches {
            let sums = &mut self.local[t * cells..(t + 1) * cells];
            for (k, sum) in sums.iter_mut().enumerate() {
                *sum += i128::from(ledger.tranche(t, k).cash().minor());
            }
        }
    }
}

impl Drop for CashSums<'_> {
    fn drop(&mut self) {
        let mut total = self.total.lock().unwrap_or_else(|e| e.into_inner());
        if total.len() < self.local.len() {
            total.resize(self.local.len(), 0);
        }
        for (sum, local) in total.iter_mut().zip(&self.local) {
            *sum += local;
        }
    }
}

/// The details of every path: sparse project losses and recoveries in path
/// order, tranche cash summed over paths.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DetailColumns {
    /// Path p's project losses are entries `offsets[p]..offsets[p + 1]`.
    offsets: Vec<usize>,
    loans: Vec<u32>,
    losses: Vec<Money>,
    /// Recoveries per path.
    pub recovered: Vec<Money>,
    /// Sum over paths of each tranche's cash per period (tranche-major).
    tranche_cash_sum: Vec<i128>,
}

impl DetailColumns {
    /// Appends the next path's detail.
    pub fn push(&mut self, detail: &PathDetail) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        for &(loan, loss) in &detail.project_losses {
            self.loans.push(loan);
            self.losses.push(loss);
        }
        self.offsets.push(self.loans.len());
        self.recovered.push(detail.recovered);
    }

    /// Sets the sums over all paths of every tranche's cash per period (see
    /// [`CashSums`]).
    pub fn set_tranche_cash_sums(&mut self, sums: Vec<i128>) {
        self.tranche_cash_sum = sums;
    }

    /// Project losses of path `path`: `(loan index, loss)`.
    pub fn project_losses(&self, path: usize) -> impl Iterator<Item = (usize, Money)> + '_ {
        let range = self.offsets[path]..self.offsets[path + 1];
        self.loans[range.clone()]
            .iter()
            .zip(&self.losses[range])
            .map(|(&loan, &loss)| (loan as usize, loss))
    }

    /// Mean cash per path of tranche `tranche` in each period 0..=K, in
    /// minor units.
    pub fn expected_tranche_cash(&self, tranche: usize, periods: usize, paths: usize) -> Vec<f64> {
        let start = tranche * (periods + 1);
        self.tranche_cash_sum
            .get(start..start + periods + 1)
            .map(|sums| sums.iter().map(|&s| s as f64 / paths as f64).collect())
            .unwrap_or_default()
    }
}
