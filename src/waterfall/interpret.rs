//! The interpreter: runs the compiled step lists over one pool path.
//!
//! Each period:
//! 1. accrue: every tranche's current interest on its balance at the start
//!    of the period (added to deferred interest), every fee (added to what
//!    is unpaid); the guarantor pays the losses realised this period, up to
//!    what is left of its cap;
//! 2. interest proceeds run the interest list; a residual step there passes
//!    at the legal final date, and whatever the list leaves joins the
//!    principal proceeds;
//! 3. principal proceeds (scheduled principal, recoveries, guarantee payout,
//!    what the interest list left, and at the legal final every reserve's
//!    balance) run the principal list, which ends with a residual step;
//! 4. a non-deferrable tranche carries unpaid interest as deferred interest.
//!
//! A deferrable tranche capitalises what its interest step leaves unpaid at
//! once, so principal paid later in the same period can repay it.

use crate::model::{FeeAccrual, Liabilities, PrincipalStep, ReserveTargetModel, Step};
use crate::money::Money;
use crate::simulate::PoolPath;
use crate::spec::{Funding, StepList};

use super::early_stop::RepaymentWatch;
use super::scratch::Scratch;
use super::trace::{Note, Payee, StepTrace, Tracer};
use super::{Ledger, StopWhen};

/// One path's run.
pub(super) struct Run<'a, T: Tracer> {
    pub(super) liabilities: &'a Liabilities,
    pub(super) pool: &'a PoolPath,
    pub(super) ledger: &'a mut Ledger,
    pub(super) s: Scratch,
    tracer: &'a mut T,
    pub(super) periods: usize,
    pub(super) k: usize,
    /// Whether a coverage test has failed on this path (so far).
    pub(super) any_failed: bool,
    /// Whether an event of default has occurred (the post-acceleration
    /// priority applies from the next period).
    pub(super) accelerated: bool,
    /// Principal of loans drawn and not defaulted, after this period's
    /// collections (cash in the ramp-up account counts besides).
    pub(super) par: Money,
    /// Interest proceeds of the period: pool interest and the ramp-up
    /// account's interest.
    pub(super) interest_proceeds: Money,
    pub(super) guarantee_left: Money,
    /// What the guarantor has paid out and not yet been reimbursed.
    pub(super) reimbursement_owed: Money,
    /// This period's principal proceeds (for OC tests), with what PDL
    /// cures paid into them.
    pub(super) principal_proceeds: Money,
    /// The principal deficiency ledger's balance (debits less credits).
    pub(super) pdl: Money,
    /// Fees paid from interest proceeds this period (for IC tests).
    pub(super) fees_from_interest: Money,
}

/// Runs the waterfall over `pool`, filling `ledger` and reporting every step
/// to `tracer`, stopping early as `stop` allows (see [`StopWhen`]).
pub fn run_traced<T: Tracer>(
    liabilities: &Liabilities,
    periods: usize,
    pool: &PoolPath,
    ledger: &mut Ledger,
    tracer: &mut T,
    stop: Option<StopWhen>,
) {
    ledger.reset(liabilities, periods);
    let mut s = std::mem::take(&mut ledger.scratch);
    s.reset(liabilities, pool, periods);
    super::deficiency::prepare(liabilities, pool, periods, &mut s);
    super::coverage::prepare(liabilities, pool, periods, &mut s);
    let mut run = Run {
        liabilities,
        pool,
        ledger,
        s,
        tracer,
        periods,
        k: 0,
        any_failed: false,
        accelerated: false,
        par: pool.draws[0],
        interest_proceeds: Money::ZERO,
        guarantee_left: liabilities
            .guarantee
            .as_ref()
            .map_or(Money::ZERO, |g| g.cap),
        reimbursement_owed: Money::ZERO,
        principal_proceeds: Money::ZERO,
        pdl: Money::ZERO,
        fees_from_interest: Money::ZERO,
    };
    run.close();
    let mut stop = stop.map(|stop| RepaymentWatch::new(liabilities, pool, periods, stop));
    if stop.as_ref().is_some_and(|w| w.certain(&run.s, 0, false)) {
        run.ledger.scratch = run.s;
        return;
    }
    for k in 1..=periods {
        run.period(k);
        run.ledger.wrote_up_to(k);
        if let Some(watch) = &mut stop {
            watch.collected(pool, k);
            if watch.certain(&run.s, k, run.accelerated) {
                break;
            }
        }
    }
    run.ledger.scratch = run.s;
}

impl<T: Tracer> Run<'_, T> {
    /// The closing date: tranches pay in, reserves get their initial
    /// deposits, the closing draws are lent (see `funding.rs`).
    fn close(&mut self) {
        let liabilities = self.liabilities;
        let width = self.periods + 1;
        let s = &mut self.s;
        let lent = s
            .funding
            .close(liabilities, self.pool.draws[0], &mut s.paid_in);
        for (t, (tranche, &paid_in)) in liabilities.tranches.iter().zip(&s.paid_in).enumerate() {
            self.ledger.funded[t * width] = paid_in;
            if tranche.funding == Funding::AsDrawn {
                s.balance[t] = paid_in;
            }
            self.ledger.balance_end[t * width] = s.balance[t];
        }
        for (r, reserve) in liabilities.reserves.iter().enumerate() {
            self.s.reserve[r] = reserve.initial;
            self.ledger.reserve_deposit[r * width] = reserve.initial;
            self.ledger.reserve_balance[r * width] = reserve.initial;
        }
        self.ledger.ramp_up_balance[0] = self.s.funding.ramp_up;
        self.ledger.ramp_up_lent[0] = lent;
    }

    fn period(&mut self, k: usize) {
        self.k = k;
        let pool = self.pool;
        self.accrue();
        let payout = self.guarantee_payout();
        self.book_pdl(payout);
        self.ledger.collected[k] = pool.interest[k] + pool.principal[k] + pool.recoveries[k];
        self.principal_proceeds = pool.principal[k] + pool.recoveries[k] + payout;
        self.ramp_up_inflows();
        self.fees_from_interest = Money::ZERO;
        let liabilities = self.liabilities;
        let mut cash = self.interest_proceeds;
        match &liabilities.acceleration {
            Some(acceleration) if self.accelerated => {
                self.run_accelerated(acceleration, &mut cash);
            }
            _ => {
                self.run_list(StepList::Interest, &liabilities.interest_steps, &mut cash);
                cash += self.principal_proceeds;
                if k == self.periods {
                    self.release_reserves(&mut cash);
                }
                self.run_list(StepList::Principal, &liabilities.principal_steps, &mut cash);
            }
        }
        debug_assert_eq!(cash, Money::ZERO, "the last list ends with a residual");
        self.close_period();
        self.watch_event_of_default();
        self.fund_draws();
    }

    /// The ramp-up account's interest (on its balance at the start of the
    /// period) joins the interest proceeds; its part of the draws cancelled
    /// this period joins the principal proceeds.
    fn ramp_up_inflows(&mut self) {
        let k = self.k;
        let pool = self.pool;
        let earned = self.liabilities.ramp_up_accrual[k].apply(self.s.funding.ramp_up);
        self.ledger.ramp_up_interest[k] = earned;
        self.interest_proceeds = pool.interest[k] + earned;
        self.par -= pool.cancelled[k] - pool.capitalised[k];
        if pool.cancelled[k] != Money::ZERO {
            let released = self.s.funding.cancel(self.liabilities, pool.cancelled[k]);
            self.ledger.ramp_up_release[k] = released;
            self.principal_proceeds += released;
        }
    }

    /// The period's draws, funded on its payment date.
    fn fund_draws(&mut self) {
        let k = self.k;
        let draws = self.pool.draws[k];
        self.par += draws;
        if draws != Money::ZERO {
            let liabilities = self.liabilities;
            let width = self.periods + 1;
            let s = &mut self.s;
            s.paid_in.fill(Money::ZERO);
            let lent = s
                .funding
                .fund(liabilities, draws, &mut s.paid_in, &mut s.balance);
            self.ledger.ramp_up_lent[k] = lent;
            for (t, &paid_in) in self.s.paid_in.iter().enumerate() {
                self.ledger.funded[t * width + k] = paid_in;
                self.ledger.balance_end[t * width + k] = self.s.balance[t];
            }
        }
        self.ledger.ramp_up_balance[k] = self.s.funding.ramp_up;
    }

    pub(super) fn cell(&self, index: usize) -> usize {
        index * (self.periods + 1) + self.k
    }

    fn accrue(&mut self) {
        let k = self.k;
        for (t, tranche) in self.liabilities.tranches.iter().enumerate() {
            let current = tranche.accrual[k].apply(self.s.balance[t]);
            self.s.current[t] = current;
            self.s.accrued_on[t] = self.s.balance[t];
            self.s.due[t] = self.s.deferred[t] + current;
        }
        for (f, fee) in self.liabilities.fees.iter().enumerate() {
            let accrued = match &fee.accrual {
                FeeAccrual::PerformingPool(factor) => {
                    factor[k].apply(self.pool.performing_balance[k])
                }
                FeeAccrual::TrancheBalance { tranche, factor } => {
                    factor[k].apply(self.s.balance[*tranche])
                }
                FeeAccrual::Fixed(amount) => *amount,
                FeeAccrual::UndrawnGuarantee(factor) => factor[k].apply(self.guarantee_left),
                FeeAccrual::UndrawnCommitment { tranche, factor } => {
                    factor[k].apply(self.s.funding.undrawn[*tranche])
                }
            };
            self.s.fee_unpaid[f] += accrued;
            let cell = self.cell(f);
            self.ledger.fee_due[cell] = self.s.fee_unpaid[f];
        }
        self.par -= self.pool.principal[k] + self.pool.defaulted[k];
    }

    // Inlined into `period`, once per list, so that the run's fields stay
    // in registers instead of being reloaded at every call (3-6% on sizing,
    // measured).
    #[inline(always)]
    pub(super) fn run_list(&mut self, list: StepList, steps: &[Step], cash: &mut Money) {
        for (i, step) in steps.iter().enumerate() {
            let at = (list, i);
            match step {
                Step::Fee(f) => self.pay_fee(at, *f, cash),
                Step::Interest(t) => self.pay_interest(at, *t, cash),
                Step::CoverageTest(i) => self.coverage_test(at, *i, cash),
                Step::Reserve(r) => self.top_up(at, *r, cash),
                Step::Principal(p) => self.pay_principal(at, p, cash),
                Step::Residual(t) => self.pay_residual(at, *t, cash),
                Step::Pdl(t) => self.cure_pdl(at, *t, cash),
                Step::GuarantorReimbursement => self.reimburse_guarantor(at, cash),
            }
        }
    }

    /// Reports a step to the tracer (compiled out when not tracing).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn trace(
        &mut self,
        (list, step): (StepList, usize),
        kind: &'static str,
        payee: Payee,
        before: Money,
        paid: Money,
        after: Money,
        note: impl FnOnce() -> Note,
    ) {
        if T::ACTIVE {
            self.tracer.step(StepTrace {
                period: self.k,
                list,
                step,
                kind,
                payee,
                available_before: before,
                paid,
                available_after: after,
                note: note(),
            });
        }
    }

    fn pay_fee(&mut self, at: (StepList, usize), f: usize, cash: &mut Money) {
        let before = *cash;
        let paid = self.s.fee_unpaid[f].min(*cash);
        *cash -= paid;
        self.s.fee_unpaid[f] -= paid;
        let cell = self.cell(f);
        self.ledger.fee_paid[cell] += paid;
        if at.0 == StepList::Interest {
            self.fees_from_interest += paid;
        }
        if let Some(t) = self.liabilities.fees[f].payee() {
            let cell = self.cell(t);
            self.ledger.commitment_fee[cell] += paid;
        }
        let unpaid = self.s.fee_unpaid[f];
        self.trace(at, "fee", Payee::Fee(f), before, paid, *cash, || {
            Note::text("unpaid after: ").amount(unpaid)
        });
    }

    fn pay_interest(&mut self, at: (StepList, usize), t: usize, cash: &mut Money) {
        let before = *cash;
        let mut due = self.s.due[t];
        let paid = due.min(*cash);
        *cash -= paid;
        due -= paid;
        let cell = self.cell(t);
        self.ledger.interest_paid[cell] += paid;
        self.trace(
            at,
            "interest",
            Payee::Tranche(t),
            before,
            paid,
            *cash,
            Note::default,
        );
        if due.is_positive()
            && let Some(r) = self.liabilities.reserve_for[t]
        {
            let drawn = due.min(self.s.reserve[r]);
            if drawn.is_positive() {
                let reserve_before = self.s.reserve[r];
                self.s.reserve[r] -= drawn;
                due -= drawn;
                let reserve_cell = self.cell(r);
                self.ledger.reserve_withdrawal[reserve_cell] += drawn;
                self.ledger.interest_paid[cell] += drawn;
                let reserve_after = self.s.reserve[r];
                let liabilities = self.liabilities;
                let name = &liabilities.reserves[r].name;
                self.trace(
                    at,
                    "interest",
                    Payee::Tranche(t),
                    reserve_before,
                    drawn,
                    reserve_after,
                    || Note::text(format!("drawn on reserve {name}")),
                );
            }
        }
        if due.is_positive() && self.liabilities.tranches[t].deferrable {
            self.s.balance[t] += due;
            self.ledger.capitalised[t] += due;
            self.ledger.interest_shortfall[cell] += due;
            due = Money::ZERO;
        }
        self.s.due[t] = due;
    }

    pub(super) fn repay(&mut self, t: usize, amount: Money) {
        self.s.balance[t] -= amount;
        let cell = self.cell(t);
        self.ledger.principal_paid[cell] += amount;
    }

    fn top_up(&mut self, at: (StepList, usize), r: usize, cash: &mut Money) {
        if self.k == self.periods {
            // Released into the principal proceeds after the interest list.
            return;
        }
        let reserve = &self.liabilities.reserves[r];
        let target = match reserve.target {
            ReserveTargetModel::Amount(amount) => amount,
            ReserveTargetModel::InterestPeriods(n) => {
                let current: Money = reserve.tranches.iter().map(|&t| self.s.current[t]).sum();
                Money::from_minor(current.minor() * n)
            }
        };
        let before = *cash;
        let balance = self.s.reserve[r];
        let cell = self.cell(r);
        if balance < target {
            let deposit = (target - balance).min(*cash);
            *cash -= deposit;
            self.s.reserve[r] += deposit;
            self.ledger.reserve_deposit[cell] += deposit;
            self.trace(
                at,
                "reserve",
                Payee::Reserve(r),
                before,
                deposit,
                *cash,
                || Note::text("target ").amount(target),
            );
        } else if balance > target {
            let release = balance - target;
            *cash += release;
            self.s.reserve[r] = target;
            self.ledger.reserve_withdrawal[cell] += release;
            self.trace(
                at,
                "reserve",
                Payee::Reserve(r),
                before,
                -release,
                *cash,
                || Note::text("released above target ").amount(target),
            );
        }
    }

    /// Every reserve empties into `cash`: at the legal final date (traced
    /// as step 0 of the principal list) and after an event of default
    /// (step 0 of the post-acceleration list).
    pub(super) fn release_reserves(&mut self, cash: &mut Money) {
        let (at, why) = if self.accelerated {
            (
                (StepList::Accelerated, 0),
                "released after the event of default",
            )
        } else {
            (
                (StepList::Principal, 0),
                "released into the principal proceeds at the legal final date",
            )
        };
        for r in 0..self.s.reserve.len() {
            let amount = std::mem::take(&mut self.s.reserve[r]);
            let cell = self.cell(r);
            self.ledger.reserve_withdrawal[cell] += amount;
            let before = *cash;
            *cash += amount;
            self.trace(
                at,
                "reserve",
                Payee::Reserve(r),
                before,
                -amount,
                *cash,
                || Note::text(why),
            );
        }
    }

    fn pay_principal(&mut self, at: (StepList, usize), step: &PrincipalStep, cash: &mut Money) {
        let sequential = !step.pro_rata || (step.sequential_after_test_failure && self.any_failed);
        if sequential {
            for &t in &step.tranches {
                let paid = self.s.balance[t].min(*cash);
                self.pay_tranche_principal(at, t, paid, cash);
            }
            return;
        }
        let owed: i128 = step
            .tranches
            .iter()
            .map(|&t| i128::from(self.s.balance[t].minor()))
            .sum();
        let total = i128::from(cash.minor()).min(owed);
        if total == 0 {
            return;
        }
        // Floor of each share, then the few cents left one each in the
        // order listed (a share below its balance can take one more cent).
        let mut left = total;
        let shares: Vec<i128> = step
            .tranches
            .iter()
            .map(|&t| i128::from(self.s.balance[t].minor()) * total / owed)
            .collect();
        left -= shares.iter().sum::<i128>();
        for (&t, share) in step.tranches.iter().zip(shares) {
            let extra = i128::from(left > 0 && share < i128::from(self.s.balance[t].minor()));
            left -= extra;
            self.pay_tranche_principal(at, t, Money::from_minor((share + extra) as i64), cash);
        }
    }

    fn pay_tranche_principal(
        &mut self,
        at: (StepList, usize),
        t: usize,
        paid: Money,
        cash: &mut Money,
    ) {
        let before = *cash;
        *cash -= paid;
        self.repay(t, paid);
        self.trace(
            at,
            "principal",
            Payee::Tranche(t),
            before,
            paid,
            *cash,
            Note::default,
        );
    }

    fn pay_residual(&mut self, at: (StepList, usize), t: usize, cash: &mut Money) {
        let before = *cash;
        if at.0 == StepList::Interest && self.k == self.periods {
            self.trace(
                at,
                "residual",
                Payee::Tranche(t),
                before,
                Money::ZERO,
                before,
                || Note::text("legal final date: interest left joins the principal proceeds"),
            );
            return;
        }
        if at.0 == StepList::Interest && self.residual_waits_for_pdl() {
            self.cure_pdl(at, None, cash);
        }
        let before = *cash;
        let cell = self.cell(t);
        self.ledger.residual_paid[cell] += *cash;
        *cash = Money::ZERO;
        self.trace(
            at,
            "residual",
            Payee::Tranche(t),
            before,
            before,
            Money::ZERO,
            Note::default,
        );
    }

    fn close_period(&mut self) {
        for (t, tranche) in self.liabilities.tranches.iter().enumerate() {
            let cell = self.cell(t);
            let unpaid = std::mem::take(&mut self.s.due[t]);
            if tranche.deferrable {
                self.s.balance[t] += unpaid;
                self.ledger.capitalised[t] += unpaid;
            } else {
                self.s.deferred[t] = unpaid;
                // Payments go to deferred interest first: what is unpaid of
                // this period's coupon is the smaller of the two.
                let missed = unpaid.min(self.s.current[t]);
                if missed.is_positive() {
                    if self.ledger.first_shortfall[t] == 0 {
                        self.ledger.first_shortfall[t] = self.k;
                    }
                    self.ledger.missed_interest[t] += missed;
                }
            }
            self.ledger.interest_shortfall[cell] += unpaid;
            self.ledger.balance_end[cell] = self.s.balance[t];
        }
        for r in 0..self.s.reserve.len() {
            let cell = self.cell(r);
            self.ledger.reserve_balance[cell] = self.s.reserve[r];
        }
        if self.liabilities.pdl.is_some() {
            self.ledger.pdl_balance[self.k] = self.pdl_charged(None);
        }
    }
}
