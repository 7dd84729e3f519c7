//! What the committee pack needs of each path beyond the tranche outcomes:
//! which projects lost how much, what was recovered, and every tranche's
//! cash per period.
//!
//! Per-project losses are kept sparse (only defaulted loans appear), so
//! 100,000 paths of a 50-loan pool cost a few megabytes. Tranche cash is
//! not kept per path: it is summed exactly (integers) as paths are pushed,
//! so the expected cash flows do not depend on the order of addition either.

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
    /// Cash received by each tranche in each period 0..=K, tranche-major
    /// (`t * (K + 1) + k`).
    pub tranche_cash: Vec<Money>,
}

impl PathDetail {
    /// Reads the detail of the path in `pool` whose waterfall is in `ledger`.
    pub fn record(pool: &PoolPath, ledger: &Ledger, tranches: usize) -> Self {
        let periods = ledger.periods();
        let mut tranche_cash = Vec::with_capacity(tranches * (periods + 1));
        for t in 0..tranches {
            tranche_cash.extend((0..=periods).map(|k| ledger.tranche(t, k).cash()));
        }
        PathDetail {
            project_losses: pool
                .defaults
                .iter()
                .map(|d| (d.loan as u32, d.exposure - d.recovery))
                .collect(),
            recovered: pool.total_recovered(),
            tranche_cash,
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
        if self.tranche_cash_sum.len() < detail.tranche_cash.len() {
            self.tranche_cash_sum.resize(detail.tranche_cash.len(), 0);
        }
        for (sum, cash) in self.tranche_cash_sum.iter_mut().zip(&detail.tranche_cash) {
            *sum += i128::from(cash.minor());
        }
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
