//! Expected cash flows per party and period: sums over paths of the
//! ledger's columns, kept in integers (i128 minor units), so the totals are
//! exact and do not depend on the order in which paths are added — any
//! number of threads gives the same file.

use crate::model::Liabilities;
use crate::money::Money;

use super::Ledger;

/// Sums over paths of every party's payments, per period (periods 0..=K,
/// cells laid out as in the [`Ledger`]: party x (K + 1) + period).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CashflowSums {
    /// Paths added.
    pub paths: u64,
    periods: usize,
    /// Tranche columns: interest, principal, residual, balance at the end
    /// of the period, interest shortfall.
    pub tranche: [Vec<i128>; 5],
    /// Paths on which the tranche had an interest shortfall, per cell.
    pub tranche_shortfall_paths: Vec<u64>,
    /// Fee columns: paid, unpaid after the period.
    pub fee: [Vec<i128>; 2],
    /// Paths on which the fee was not paid in full, per cell.
    pub fee_shortfall_paths: Vec<u64>,
    /// Reserve columns: deposits, withdrawals, balance at the end.
    pub reserve: [Vec<i128>; 3],
    /// Guarantee payout per period.
    pub guarantee_payout: Vec<i128>,
}

fn add_column(sum: &mut [i128], column: &[Money]) {
    for (s, &m) in sum.iter_mut().zip(column) {
        *s += i128::from(m.minor());
    }
}

fn add_counts(count: &mut [u64], column: &[Money]) {
    for (c, &m) in count.iter_mut().zip(column) {
        *c += u64::from(m.is_positive());
    }
}

fn add_sums(into: &mut [i128], from: &[i128]) {
    for (a, b) in into.iter_mut().zip(from) {
        *a += b;
    }
}

impl CashflowSums {
    /// Empty sums for `liabilities` over `periods` periods.
    pub fn new(liabilities: &Liabilities, periods: usize) -> Self {
        let width = periods + 1;
        let zeros = |parties: usize| vec![0_i128; parties * width];
        let tranches = liabilities.tranches.len();
        let fees = liabilities.fees.len();
        let reserves = liabilities.reserves.len();
        CashflowSums {
            paths: 0,
            periods,
            tranche: std::array::from_fn(|_| zeros(tranches)),
            tranche_shortfall_paths: vec![0; tranches * width],
            fee: std::array::from_fn(|_| zeros(fees)),
            fee_shortfall_paths: vec![0; fees * width],
            reserve: std::array::from_fn(|_| zeros(reserves)),
            guarantee_payout: zeros(1),
        }
    }

    /// Number of periods K.
    pub fn periods(&self) -> usize {
        self.periods
    }

    /// Adds one path's ledger.
    pub fn add(&mut self, ledger: &Ledger) {
        self.paths += 1;
        let tranche_columns = [
            &ledger.interest_paid,
            &ledger.principal_paid,
            &ledger.residual_paid,
            &ledger.balance_end,
            &ledger.interest_shortfall,
        ];
        for (sum, column) in self.tranche.iter_mut().zip(tranche_columns) {
            add_column(sum, column);
        }
        add_counts(
            &mut self.tranche_shortfall_paths,
            &ledger.interest_shortfall,
        );
        add_column(&mut self.fee[0], &ledger.fee_paid);
        for ((unpaid, count), (due, paid)) in self.fee[1]
            .iter_mut()
            .zip(&mut self.fee_shortfall_paths)
            .zip(ledger.fee_due.iter().zip(&ledger.fee_paid))
        {
            let left = *due - *paid;
            *unpaid += i128::from(left.minor());
            *count += u64::from(left.is_positive());
        }
        let reserve_columns = [
            &ledger.reserve_deposit,
            &ledger.reserve_withdrawal,
            &ledger.reserve_balance,
        ];
        for (sum, column) in self.reserve.iter_mut().zip(reserve_columns) {
            add_column(sum, column);
        }
        add_column(&mut self.guarantee_payout, &ledger.guarantee_payout);
    }

    /// Adds another set of sums (of other paths).
    pub fn merge(&mut self, other: &CashflowSums) {
        self.paths += other.paths;
        for (a, b) in self.tranche.iter_mut().zip(&other.tranche) {
            add_sums(a, b);
        }
        for (a, b) in self.fee.iter_mut().zip(&other.fee) {
            add_sums(a, b);
        }
        for (a, b) in self.reserve.iter_mut().zip(&other.reserve) {
            add_sums(a, b);
        }
        add_sums(&mut self.guarantee_payout, &other.guarantee_payout);
        for (a, b) in [
            (
                &mut self.tranche_shortfall_paths,
                &other.tranche_shortfall_paths,
            ),
            (&mut self.fee_shortfall_paths, &other.fee_shortfall_paths),
        ] {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
    }

    /// Cell index of party `index` in `period`.
    pub fn cell(&self, index: usize, period: usize) -> usize {
        index * (self.periods + 1) + period
    }
}
