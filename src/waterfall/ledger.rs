//! Where every unit of cash went on one path, period by period.

use crate::model::Liabilities;
use crate::money::Money;

/// Payments of one path per party and period (periods 0..=K; period 0, the
/// closing date, carries no payments). Reused across paths.
///
/// Cash is conserved every period: pool collections + guarantee payout +
/// reserve withdrawals = fees paid + everything paid to tranches + the
/// guarantor's reimbursements + reserve deposits (see [`Ledger::sources`] and [`Ledger::uses`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ledger {
    periods: usize,
    pub(super) interest_paid: Vec<Money>,
    pub(super) principal_paid: Vec<Money>,
    pub(super) residual_paid: Vec<Money>,
    pub(super) interest_shortfall: Vec<Money>,
    pub(super) balance_end: Vec<Money>,
    pub(super) fee_due: Vec<Money>,
    pub(super) fee_paid: Vec<Money>,
    pub(super) reserve_deposit: Vec<Money>,
    pub(super) reserve_withdrawal: Vec<Money>,
    pub(super) reserve_balance: Vec<Money>,
    pub(super) test_failed: Vec<bool>,
    pub(super) test_cure: Vec<Money>,
    pub(super) test_needed: Vec<Money>,
    pub(super) guarantee_payout: Vec<Money>,
    /// What the guarantor was reimbursed of its payouts.
    pub(super) guarantee_reimbursement: Vec<Money>,
    /// Pool collections of the period (interest, principal, recoveries).
    pub(super) collected: Vec<Money>,
    /// Interest proceeds paid into the principal proceeds by PDL cures.
    pub(super) pdl_cure: Vec<Money>,
    /// The principal deficiency ledger's balance charged to tranches after
    /// the period.
    pub(super) pdl_balance: Vec<Money>,
    /// Per tranche, interest capitalised into its balance on the path so
    /// far (deferrable tranches), to split a final balance into original
    /// principal and interest.
    pub(super) capitalised: Vec<Money>,
    /// Per tranche: cash paid in (period 0: at closing; later: its share of
    /// the period's draws, when funded as drawn).
    pub(super) funded: Vec<Money>,
    /// Per tranche: commitment fee received.
    pub(super) commitment_fee: Vec<Money>,
    /// The ramp-up account per period: interest earned, cash released into
    /// the principal proceeds (cancelled draws), cash lent (its part of
    /// the draws), balance after the period (period 0: after closing).
    pub(super) ramp_up_interest: Vec<Money>,
    pub(super) ramp_up_release: Vec<Money>,
    pub(super) ramp_up_lent: Vec<Money>,
    pub(super) ramp_up_balance: Vec<Money>,
    /// Per tranche: the first period whose close left current interest of
    /// a non-deferrable tranche unpaid (0: never), and the total of such
    /// interest (each period's current interest not paid on its date).
    pub(super) first_shortfall: Vec<usize>,
    pub(super) missed_interest: Vec<Money>,
    /// The period of the event of default (0: none): cash is paid by the
    /// post-acceleration priority from the next period on.
    pub(super) event_of_default: usize,
    /// The shape the columns were laid out for (tranches, fees, reserves,
    /// tests) and the last period the run since then wrote: cells of later
    /// periods are still zero, so the next reset for the same shape clears
    /// only up to it (a run stopped early writes few periods).
    shape: (usize, usize, usize, usize),
    written: usize,
    /// Working state of the interpreter, kept to avoid allocating per path.
    pub(super) scratch: super::scratch::Scratch,
}

/// One tranche's row of one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TranchePeriod {
    /// Interest paid (current and deferred, including reserve draws).
    pub interest: Money,
    /// Principal paid (by principal steps and coverage-test cures).
    pub principal: Money,
    /// Residual cash paid (by a residual step).
    pub residual: Money,
    /// Interest due but unpaid this period: capitalised if deferrable,
    /// carried as deferred interest otherwise.
    pub interest_shortfall: Money,
    /// Balance after the period's payments (including capitalised interest
    /// and, for a tranche funded as drawn, the draws funded at its end).
    pub balance_end: Money,
    /// Commitment fee received.
    pub commitment_fee: Money,
    /// Cash paid in by the tranche (its notional at closing, period 0, or
    /// its share of the period's draws when funded as drawn).
    pub funded: Money,
}

impl TranchePeriod {
    /// All cash the tranche received in the period.
    pub fn cash(&self) -> Money {
        self.interest + self.principal + self.residual + self.commitment_fee
    }
}

/// One tranche's columns over periods 0..=K (see [`TranchePeriod`]).
#[derive(Debug, Clone, Copy)]
pub struct TrancheRows<'a> {
    /// Interest paid.
    pub interest: &'a [Money],
    /// Principal paid.
    pub principal: &'a [Money],
    /// Residual cash paid.
    pub residual: &'a [Money],
    /// Commitment fee received.
    pub commitment_fee: &'a [Money],
    /// Cash paid in.
    pub funded: &'a [Money],
}

impl TrancheRows<'_> {
    /// All cash the tranche received in period `k` (as
    /// [`TranchePeriod::cash`]).
    pub fn cash(&self, k: usize) -> Money {
        self.interest[k] + self.principal[k] + self.residual[k] + self.commitment_fee[k]
    }
}

/// One fee's row of one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FeePeriod {
    /// Due: accrued this period plus unpaid from before.
    pub due: Money,
    /// Paid.
    pub paid: Money,
}

/// One reserve account's row of one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReservePeriod {
    /// Paid into the account (top-up).
    pub deposit: Money,
    /// Paid out of it (interest shortfalls, release above target or at the
    /// legal final).
    pub withdrawal: Money,
    /// Balance after the period.
    pub balance_end: Money,
}

/// One coverage test's row of one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TestPeriod {
    /// Whether the test failed when it was run.
    pub failed: bool,
    /// Senior principal that would have made it pass (zero if it passed).
    pub needed: Money,
    /// Interest proceeds diverted to senior principal because it failed
    /// (at most `needed`; less when the interest proceeds ran out).
    pub cure: Money,
}

fn clear<T: Clone>(column: &mut Vec<T>, cells: usize, zero: T) {
    column.clear();
    column.resize(cells, zero);
}

impl Ledger {
    /// Clears the ledger for `liabilities` over `periods` periods.
    pub fn reset(&mut self, liabilities: &Liabilities, periods: usize) {
        let shape = (
            liabilities.tranches.len(),
            liabilities.fees.len(),
            liabilities.reserves.len(),
            liabilities.tests.len(),
        );
        self.capitalised.clear();
        self.capitalised
            .resize(liabilities.tranches.len(), Money::ZERO);
        if shape == self.shape && periods == self.periods && !self.collected.is_empty() {
            self.clear_written();
            return;
        }
        self.shape = shape;
        self.periods = periods;
        let width = periods + 1;
        for (column, parties) in self.money_columns() {
            clear(column, parties * width, Money::ZERO);
        }
        clear(&mut self.test_failed, shape.3 * width, false);
        clear(&mut self.first_shortfall, shape.0, 0);
        clear(&mut self.missed_interest, shape.0, Money::ZERO);
        self.event_of_default = 0;
        self.written = 0;
    }

    /// Zeroes the periods up to the last one written, in every row.
    fn clear_written(&mut self) {
        let width = self.periods + 1;
        let upto = self.written + 1;
        // Row by row pays off only when little was written: one fill of a
        // whole column is faster than many short ones.
        fn rows<T: Copy>(column: &mut [T], width: usize, upto: usize, zero: T) {
            if 4 * upto > width {
                column.fill(zero);
                return;
            }
            for row in column.chunks_mut(width) {
                row[..upto].fill(zero);
            }
        }
        for (column, _) in self.money_columns() {
            rows(column, width, upto, Money::ZERO);
        }
        rows(&mut self.test_failed, width, upto, false);
        self.first_shortfall.fill(0);
        self.missed_interest.fill(Money::ZERO);
        self.event_of_default = 0;
        self.written = 0;
    }

    /// Every money column, with the number of parties (rows) it has.
    fn money_columns(&mut self) -> [(&mut Vec<Money>, usize); 23] {
        let (tranches, fees, reserves, tests) = self.shape;
        [
            (&mut self.interest_paid, tranches),
            (&mut self.principal_paid, tranches),
            (&mut self.residual_paid, tranches),
            (&mut self.interest_shortfall, tranches),
            (&mut self.balance_end, tranches),
            (&mut self.fee_due, fees),
            (&mut self.fee_paid, fees),
            (&mut self.reserve_deposit, reserves),
            (&mut self.reserve_withdrawal, reserves),
            (&mut self.reserve_balance, reserves),
            (&mut self.test_cure, tests),
            (&mut self.test_needed, tests),
            (&mut self.guarantee_payout, 1),
            (&mut self.guarantee_reimbursement, 1),
            (&mut self.collected, 1),
            (&mut self.funded, tranches),
            (&mut self.commitment_fee, tranches),
            (&mut self.ramp_up_interest, 1),
            (&mut self.ramp_up_release, 1),
            (&mut self.ramp_up_lent, 1),
            (&mut self.ramp_up_balance, 1),
            (&mut self.pdl_cure, 1),
            (&mut self.pdl_balance, 1),
        ]
    }

    /// Records that a run wrote periods up to `period`.
    pub(super) fn wrote_up_to(&mut self, period: usize) {
        self.written = self.written.max(period);
    }

    /// Number of periods K.
    pub fn periods(&self) -> usize {
        self.periods
    }

    /// Index of party `index`'s cell for `period`.
    #[inline]
    pub(super) fn cell(&self, index: usize, period: usize) -> usize {
        index * (self.periods + 1) + period
    }

    /// Tranche `tranche`'s row for `period`.
    #[inline]
    pub fn tranche(&self, tranche: usize, period: usize) -> TranchePeriod {
        let i = self.cell(tranche, period);
        TranchePeriod {
            interest: self.interest_paid[i],
            principal: self.principal_paid[i],
            residual: self.residual_paid[i],
            interest_shortfall: self.interest_shortfall[i],
            balance_end: self.balance_end[i],
            commitment_fee: self.commitment_fee[i],
            funded: self.funded[i],
        }
    }

    /// Tranche `tranche`'s columns over periods 0..=K, for loops over a
    /// whole path (one bounds check per column, not per cell).
    pub fn tranche_rows(&self, tranche: usize) -> TrancheRows<'_> {
        let rows = self.cell(tranche, 0)..self.cell(tranche + 1, 0);
        TrancheRows {
            interest: &self.interest_paid[rows.clone()],
            principal: &self.principal_paid[rows.clone()],
            residual: &self.residual_paid[rows.clone()],
            commitment_fee: &self.commitment_fee[rows.clone()],
            funded: &self.funded[rows],
        }
    }

    /// Fee `fee`'s row for `period` (fees in [`Liabilities::fees`] order).
    pub fn fee(&self, fee: usize, period: usize) -> FeePeriod {
        let i = self.cell(fee, period);
        FeePeriod {
            due: self.fee_due[i],
            paid: self.fee_paid[i],
        }
    }

    /// Reserve `reserve`'s row for `period`.
    pub fn reserve(&self, reserve: usize, period: usize) -> ReservePeriod {
        let i = self.cell(reserve, period);
        ReservePeriod {
            deposit: self.reserve_deposit[i],
            withdrawal: self.reserve_withdrawal[i],
            balance_end: self.reserve_balance[i],
        }
    }

    /// Interest capitalised into tranche `tranche`'s balance over the
    /// periods run (zero for a non-deferrable tranche).
    pub fn capitalised(&self, tranche: usize) -> Money {
        self.capitalised[tranche]
    }

    /// Coverage test `test`'s row for `period`.
    pub fn test(&self, test: usize, period: usize) -> TestPeriod {
        let i = self.cell(test, period);
        TestPeriod {
            failed: self.test_failed[i],
            needed: self.test_needed[i],
            cure: self.test_cure[i],
        }
    }

    /// The first period in which coverage test `test` failed, if any.
    pub fn first_failure(&self, test: usize) -> Option<usize> {
        (1..=self.periods).find(|&k| self.test_failed[self.cell(test, k)])
    }

    /// The principal deficiency ledger in `period`: (interest proceeds
    /// paid into the principal proceeds by its cures, its balance charged
    /// to tranches after the period); zero without a ledger.
    pub fn pdl(&self, period: usize) -> (Money, Money) {
        (self.pdl_cure[period], self.pdl_balance[period])
    }

    /// What the guarantor paid in `period`.
    pub fn guarantee_payout(&self, period: usize) -> Money {
        self.guarantee_payout[period]
    }

    /// What the guarantor was reimbursed of its payouts in `period`.
    pub fn guarantee_reimbursement(&self, period: usize) -> Money {
        self.guarantee_reimbursement[period]
    }

    /// Everything paid out to parties in a period: every fee (commitment
    /// fees included), every tranche's interest, principal and residual,
    /// and the guarantor's reimbursement (reserve deposits are not
    /// payments to a party).
    pub fn paid_out(&self, tranches: usize, period: usize) -> Money {
        let fees = self.fee_paid.len() / (self.periods + 1);
        (0..fees)
            .map(|f| self.fee(f, period).paid)
            .chain((0..tranches).map(|t| {
                let row = self.tranche(t, period);
                row.cash() - row.commitment_fee
            }))
            .sum::<Money>()
            + self.guarantee_reimbursement[period]
    }

    /// Cash that entered the waterfall in `period`: pool collections,
    /// the ramp-up account's interest and releases, guarantee payout and
    /// reserve withdrawals.
    pub fn sources(&self, period: usize) -> Money {
        self.collected[period]
            + self.ramp_up_interest[period]
            + self.ramp_up_release[period]
            + self.guarantee_payout[period]
            + self.reserve_sum(period, true)
    }

    /// The ramp-up account in `period`: (interest earned, released into
    /// the waterfall, lent to loans, balance after the period).
    pub fn ramp_up(&self, period: usize) -> (Money, Money, Money, Money) {
        (
            self.ramp_up_interest[period],
            self.ramp_up_release[period],
            self.ramp_up_lent[period],
            self.ramp_up_balance[period],
        )
    }

    /// Tranche `tranche`'s timely-interest record on the path: the first
    /// period in which current interest of a non-deferrable tranche was
    /// left unpaid on its date (`None`: never), and the total of current
    /// interest so left (each period's unpaid current interest, counted
    /// once even if paid later).
    pub fn interest_shortfall(&self, tranche: usize) -> (Option<usize>, Money) {
        let first = self.first_shortfall[tranche];
        ((first > 0).then_some(first), self.missed_interest[tranche])
    }

    /// The period of the event of default on the path (`None`: none).
    pub fn event_of_default(&self) -> Option<usize> {
        (self.event_of_default > 0).then_some(self.event_of_default)
    }

    /// Cash that left it: paid to parties and deposited in reserves.
    pub fn uses(&self, period: usize) -> Money {
        self.paid_out(self.shape.0, period) + self.reserve_sum(period, false)
    }

    fn reserve_sum(&self, period: usize, withdrawals: bool) -> Money {
        let reserves = self.reserve_balance.len() / (self.periods + 1);
        (0..reserves)
            .map(|r| {
                let row = self.reserve(r, period);
                if withdrawals {
                    row.withdrawal
                } else {
                    row.deposit
                }
            })
            .sum()
    }
}
