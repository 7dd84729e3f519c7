//! Coverage tests: the cure a failing OC or IC test needs, and the test
//! step that diverts it from interest proceeds to principal.
//!
//! An OC test's numerator is the principal of performing loans drawn, the
//! ramp-up account, the period's principal proceeds and, when the test says
//! so (`defaulted_value`), defaulted loans carried at the lower of an
//! assumed recovery and their exposure from their default until their
//! recovery is collected (CLO indentures carry defaulted obligations at the
//! lower of market value and a recovery rate); a loan excluded after a
//! nexus event (remedy `exclude`) is carried at zero before and after its
//! default. A failing test diverts only
//! its cure amount: the principal that, paid to the covered tranches from
//! the most senior, makes the ratio pass. See docs/waterfall.md.

use crate::model::Liabilities;
use crate::money::Money;
use crate::simulate::{PoolPath, recovered_amount};
use crate::spec::{CoverageKind, StepList};

use super::interpret::Run;
use super::scratch::Scratch;
use super::trace::{Note, Payee, Tracer};

/// Fills the scratch's per-test, per-period carrying values of defaulted
/// loans not yet recovered (cells test x (periods + 1) + period); empty
/// when no test carries them.
pub(super) fn prepare(liabilities: &Liabilities, pool: &PoolPath, periods: usize, s: &mut Scratch) {
    s.carried.clear();
    if liabilities.tests.iter().all(|t| t.carried_at.is_none()) {
        return;
    }
    let width = periods + 1;
    s.carried
        .resize(liabilities.tests.len() * width, Money::ZERO);
    for (i, test) in liabilities.tests.iter().enumerate() {
        let Some(rates) = &test.carried_at else {
            continue;
        };
        let cells = &mut s.carried[i * width..(i + 1) * width];
        for event in &pool.defaults {
            // A loan excluded after a nexus event stays out once it
            // defaults: its ineligibility is not cured by the default, and
            // an indenture carries an obligation that is both ineligible and
            // defaulted at the lower of the two values, zero. Its recovery
            // counts when collected, as cash.
            if pool.nexus.excluded_before(event.loan, event.period) {
                continue;
            }
            let carried = recovered_amount(event.exposure, rates[event.loan]);
            let until = event.recovery_period.min(width);
            for cell in &mut cells[event.period..until] {
                *cell += carried;
            }
        }
    }
}

impl<T: Tracer> Run<'_, T> {
    /// What test `i` carries defaulted loans at in this period.
    fn carried(&self, i: usize) -> Money {
        if self.s.carried.is_empty() {
            return Money::ZERO;
        }
        self.s.carried[i * (self.periods + 1) + self.k]
    }

    /// The principal that, paid to the tranches senior to or at the test's
    /// tranche, would make the test pass (zero when it passes).
    fn cure_needed(&self, test_index: usize) -> Money {
        let test = &self.liabilities.tests[test_index];
        let covered = &self.s.balance[..=test.tranche];
        match test.kind {
            CoverageKind::Oc => {
                // Loans excluded after a nexus event do not count.
                let collateral = self.par
                    + self.s.funding.ramp_up
                    + self.principal_proceeds
                    + self.carried(test_index)
                    - self.pool.nexus.excluded_par(self.k);
                let owed: i128 = covered.iter().map(|b| i128::from(b.minor())).sum();
                let excess = owed - test.ratio.largest_covered(collateral);
                Money::from_minor(excess.max(0) as i64)
            }
            CoverageKind::Ic => {
                let proceeds = self.interest_proceeds
                    - self.pool.nexus.excluded_interest(self.k)
                    - self.fees_from_interest;
                let tranches = &self.liabilities.tranches;
                // Recomputed, not collected: the test passes on most paths
                // and periods, and then one pass (with no allocation) is all.
                // A balance unchanged since the period's accrual bears the
                // interest computed then (the same product, not redone).
                let interest = |t: usize| {
                    let current = if covered[t] == self.s.accrued_on[t] {
                        self.s.current[t]
                    } else {
                        tranches[t].accrual[self.k].apply(covered[t])
                    };
                    i128::from(current.minor())
                };
                let total: i128 = (0..covered.len()).map(interest).sum();
                let mut excess = total - test.ratio.largest_covered(proceeds);
                // Pro forma: repay the most senior balances first; paying y of
                // a balance b bearing interest c lowers interest by y c / b.
                let mut needed: i128 = 0;
                for (t, &balance) in covered.iter().enumerate() {
                    if excess <= 0 {
                        break;
                    }
                    let c = interest(t);
                    let b = i128::from(balance.minor());
                    if c <= excess {
                        needed += b;
                        excess -= c;
                    } else {
                        needed += (excess * b + c - 1) / c;
                        excess = 0;
                    }
                }
                Money::from_minor(needed as i64)
            }
        }
    }

    pub(super) fn coverage_test(&mut self, at: (StepList, usize), i: usize, cash: &mut Money) {
        let liabilities = self.liabilities;
        let test = &liabilities.tests[i];
        if self.k < test.first_period {
            return;
        }
        let needed = self.cure_needed(i);
        let before = *cash;
        let failed = needed.is_positive();
        self.trace(
            at,
            "coverage_test",
            Payee::Test(i),
            before,
            Money::ZERO,
            before,
            || {
                Note::text(format!(
                    "{} test {}: {}; principal needed to pass ",
                    test.kind.as_str(),
                    test.name,
                    if failed { "fails" } else { "passes" },
                ))
                .amount(needed)
            },
        );
        if !failed {
            return;
        }
        self.any_failed = true;
        let cell = self.cell(i);
        self.ledger.test_failed[cell] = true;
        self.ledger.test_needed[cell] = needed;
        let mut left = needed.min(*cash);
        for t in 0..=test.tranche {
            let paid = self.s.balance[t].min(left);
            if !paid.is_positive() {
                continue;
            }
            let before = *cash;
            left -= paid;
            *cash -= paid;
            self.ledger.test_cure[cell] += paid;
            self.repay(t, paid);
            self.trace(
                at,
                "coverage_test",
                Payee::Tranche(t),
                before,
                paid,
                *cash,
                || Note::text(format!("principal diverted by test {}", test.name)),
            );
        }
    }
}
