//! Where every unit of cash went on one path, period by period.

use crate::money::Money;

/// Payments of one path, per tranche and period (periods 0..=K; period 0,
/// the closing date, carries no payments). Reused across paths.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ledger {
    periods: usize,
    /// Management fee due per period (current plus unpaid brought forward).
    pub fee_due: Vec<Money>,
    /// Management fee paid per period.
    pub fee_paid: Vec<Money>,
    interest_paid: Vec<Money>,
    principal_paid: Vec<Money>,
    residual_paid: Vec<Money>,
    interest_shortfall: Vec<Money>,
    balance_end: Vec<Money>,
}

/// One tranche's row of one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TranchePeriod {
    /// Interest paid (current and deferred).
    pub interest: Money,
    /// Principal paid.
    pub principal: Money,
    /// Residual cash paid (to the most junior tranche only).
    pub residual: Money,
    /// Interest due but unpaid this period (capitalised if deferrable).
    pub interest_shortfall: Money,
    /// Balance after the period's payments (including capitalised interest).
    pub balance_end: Money,
}

impl TranchePeriod {
    /// All cash the tranche received in the period.
    pub fn cash(&self) -> Money {
        self.interest + self.principal + self.residual
    }
}

impl Ledger {
    /// Clears the ledger for `tranches` tranches over `periods` periods.
    pub fn reset(&mut self, tranches: usize, periods: usize) {
        self.periods = periods;
        let cells = tranches * (periods + 1);
        for column in [
            &mut self.interest_paid,
            &mut self.principal_paid,
            &mut self.residual_paid,
            &mut self.interest_shortfall,
            &mut self.balance_end,
        ] {
            column.clear();
            column.resize(cells, Money::ZERO);
        }
        for column in [&mut self.fee_due, &mut self.fee_paid] {
            column.clear();
            column.resize(periods + 1, Money::ZERO);
        }
    }

    /// Number of periods K.
    pub fn periods(&self) -> usize {
        self.periods
    }

    fn cell(&self, tranche: usize, period: usize) -> usize {
        tranche * (self.periods + 1) + period
    }

    /// Tranche `tranche`'s row for `period`.
    pub fn tranche(&self, tranche: usize, period: usize) -> TranchePeriod {
        let i = self.cell(tranche, period);
        TranchePeriod {
            interest: self.interest_paid[i],
            principal: self.principal_paid[i],
            residual: self.residual_paid[i],
            interest_shortfall: self.interest_shortfall[i],
            balance_end: self.balance_end[i],
        }
    }

    /// Records a tranche's row for a period.
    pub fn record(&mut self, tranche: usize, period: usize, row: TranchePeriod) {
        let i = self.cell(tranche, period);
        self.interest_paid[i] = row.interest;
        self.principal_paid[i] = row.principal;
        self.residual_paid[i] = row.residual;
        self.interest_shortfall[i] = row.interest_shortfall;
        self.balance_end[i] = row.balance_end;
    }

    /// Everything paid out in a period: fees and every tranche's cash.
    pub fn paid_out(&self, tranches: usize, period: usize) -> Money {
        self.fee_paid[period]
            + (0..tranches)
                .map(|t| self.tranche(t, period).cash())
                .sum::<Money>()
    }
}
