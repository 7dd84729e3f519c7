//! Per-path outcome of each tranche: loss, IRR, multiple, average life.

use crate::model::{Calendar, GuaranteeModel, TrancheModel};
use crate::money::Money;
use crate::spec::Funding;

use super::Ledger;

/// What one tranche got on one path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrancheOutcome {
    /// Principal loss: original principal unpaid at the legal final date
    /// as a fraction of notional, in [0, 1] (see [`tranche_loss`]).
    pub loss: f64,
    /// Deferred-interest loss: interest capitalised (deferrable tranche) or
    /// deferred (non-deferrable) and still unpaid at the legal final date,
    /// as a fraction of notional (see [`tranche_loss_split`]).
    pub deferred_interest_loss: f64,
    /// Present-value loss at the promised yield, in [0, 1]: `1 - PV(cash
    /// received) / PV(cash promised)`, both at the coupon (see
    /// [`pv_loss`]).
    pub pv_loss: f64,
    /// Annual internal rate of return of the dated cash flows (`-1` when
    /// nothing at all was received).
    pub irr: f64,
    /// Total cash received / notional.
    pub moic: f64,
    /// Principal-weighted average life in years (NaN if no principal was
    /// repaid).
    pub wal_years: f64,
}

/// Summarises tranche `index`'s payments on the path recorded in `ledger`.
///
/// A tranche funded at closing invested its notional at time 0. A tranche
/// funded as drawn invested its share of each draw when funded: its IRR is
/// the rate at which the present value of what it received equals that of
/// what it paid in (cash received before its first payment in, such as a
/// commitment fee, counted as received then); its multiple, losses and
/// present-value loss are fractions of what it paid in (the present value
/// of the cash promised is that of the cash paid in, at the coupon).
pub fn tranche_outcome(
    tranche: &TrancheModel,
    index: usize,
    ledger: &Ledger,
    calendar: &Calendar,
) -> TrancheOutcome {
    tranche_outcome_with(tranche, index, ledger, calendar, &mut IrrWork::default())
}

/// [`tranche_outcome`] with buffers for the IRR, reused from path to path
/// by the engine's workers.
// The period index reads six columns and two tables in step.
#[allow(clippy::needless_range_loop)]
pub fn tranche_outcome_with(
    tranche: &TrancheModel,
    index: usize,
    ledger: &Ledger,
    calendar: &Calendar,
    work: &mut IrrWork,
) -> TrancheOutcome {
    let guess = tranche.coupon.as_f64();
    let IrrWork {
        flows,
        first,
        starts,
        skip,
    } = work;
    let start = starts.factors(guess, calendar);
    first.clear();
    let periods = ledger.periods();
    let rows = ledger.tranche_rows(index);
    let invested = rows.funded[0].as_f64();
    let mut paid_in = invested;
    let mut promised = invested;
    let mut received = 0.0;
    let mut principal = 0.0;
    let mut principal_time = 0.0;
    let mut present_value = 0.0;
    let mut discount = 1.0;
    flows.clear();
    // Periods after the last cash in or out add only zeros to every sum
    // (each starts at +0 or a positive amount, and adding +0 leaves a sum
    // as it is), so the loop stops there: the same sums to the bit.
    let last = (1..=periods)
        .rev()
        .find(|&k| {
            rows.cash(k) != Money::ZERO
                || rows.funded[k] != Money::ZERO
                || rows.principal[k] != Money::ZERO
        })
        .unwrap_or(0);
    for k in 1..=last {
        let years = calendar.years_from_start(k);
        let cash = rows.cash(k).as_f64();
        let funded = rows.funded[k].as_f64();
        let repaid = rows.principal[k].as_f64();
        discount /= 1.0 + tranche.accrual[k].as_f64();
        received += cash;
        present_value += cash * discount;
        paid_in += funded;
        promised += funded * discount;
        principal += repaid;
        principal_time += repaid * years;
        if cash - funded != 0.0 {
            flows.push((years, cash - funded));
            first.push(start[k]);
        }
    }
    let (loss, deferred_interest_loss) = loss_split(tranche, index, ledger, paid_in);
    TrancheOutcome {
        loss,
        deferred_interest_loss,
        pv_loss: pv_loss(promised, present_value, periods),
        irr: if *skip {
            f64::NAN
        } else {
            irr_net_of_funding_started(invested, flows, first, guess)
        },
        moic: received / paid_in,
        wal_years: if principal > 0.0 {
            principal_time / principal
        } else {
            f64::NAN
        },
    }
}

/// The IRR (as [`irr_from`]) of `invested` at time 0 and the dated net
/// `flows` (negative: paid in later, as draws funded as drawn). With
/// nothing paid in at closing, cash received before the first payment in
/// (such as a commitment fee) is counted as received on that date (netted
/// against it), so the first flow is an outflow and the IRR is well
/// defined.
pub fn irr_net_of_funding(invested: f64, flows: &mut Vec<(f64, f64)>, guess: f64) -> f64 {
    irr_net_of_funding_started(invested, flows, &mut Vec::new(), guess)
}

/// [`irr_net_of_funding`] given, when `first` is as long as `flows`, each
/// flow's discount factor at the solver's starting point (see
/// [`IrrStarts`]).
pub fn irr_net_of_funding_started(
    invested: f64,
    flows: &mut Vec<(f64, f64)>,
    first: &mut Vec<f64>,
    guess: f64,
) -> f64 {
    if invested <= 0.0
        && let Some(first_out) = flows.iter().position(|&(_, c)| c < 0.0)
    {
        let early: f64 = flows[..first_out].iter().map(|&(_, c)| c).sum();
        flows[first_out].1 += early;
        flows.drain(..first_out);
        if first.len() > first_out {
            first.drain(..first_out);
        }
    }
    let first = (first.len() == flows.len()).then_some(first.as_slice());
    newton(invested, flows, first, guess)
}

/// Buffers for a path's IRRs: its dated flows, each flow's discount factor
/// at the solver's start, and the starting factors of every payment date.
#[derive(Debug, Clone, Default)]
pub struct IrrWork {
    /// `(years from closing, net amount)`.
    pub flows: Vec<(f64, f64)>,
    /// `exp(-x0 t)` of each flow.
    pub first: Vec<f64>,
    /// The factors by payment date, per starting guess.
    pub starts: IrrStarts,
    /// Leave the IRR out (NaN), for runs that do not read it.
    pub skip: bool,
}

/// The discount factors `exp(-x0 t_k)` of every payment date `t_k` at the
/// IRR solver's starting point `x0 = ln(1 + guess)`, computed once per
/// guess (a tranche's coupon, a party's discount rate) instead of on every
/// path: Newton's first step then needs no `exp`. They are the numbers the
/// solver would compute, so every IRR is the same to the bit; the first of
/// about four steps is a quarter of a path's IRR work.
#[derive(Debug, Clone, Default)]
pub struct IrrStarts {
    /// `(guess's bits, factors by period 0..=K)`.
    tables: Vec<(u64, Vec<f64>)>,
}

impl IrrStarts {
    /// The factors for `guess` on `calendar`'s payment dates.
    pub fn factors(&mut self, guess: f64, calendar: &Calendar) -> &[f64] {
        let dates = calendar.periods() + 1;
        let found = self
            .tables
            .iter()
            .position(|(bits, t)| *bits == guess.to_bits() && t.len() == dates);
        let at = found.unwrap_or_else(|| {
            let x = start_of(guess);
            let factors = (0..dates)
                .map(|k| (-x * calendar.years_from_start(k)).exp())
                .collect();
            self.tables.push((guess.to_bits(), factors));
            self.tables.len() - 1
        });
        &self.tables[at].1
    }
}

/// Newton's starting point in x = ln(1+r) for the rate `guess`.
fn start_of(guess: f64) -> f64 {
    guess.max(-0.99).ln_1p()
}

/// What the tranche paid in: its notional when funded at closing, its
/// shares of the draws when funded as drawn (complete on a run stopped
/// early, which waits for the undrawn commitment to be zero).
fn paid_in(tranche: &TrancheModel, index: usize, ledger: &Ledger) -> f64 {
    match tranche.funding {
        Funding::AtClose => tranche.notional.as_f64(),
        Funding::AsDrawn => (0..=ledger.periods())
            .map(|k| ledger.tranche(index, k).funded.as_f64())
            .sum(),
    }
}

/// `amount / base` clamped to [0, 1] (0 for a base of 0).
fn fraction_of(amount: f64, base: f64) -> f64 {
    if base > 0.0 {
        (amount / base).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// The present-value loss of a tranche of `notional` (minor units) whose
/// cash received over `periods` periods is worth `present_value` at its
/// coupon: `1 - present_value / notional`, floored at 0 and capped at 1.
///
/// `notional` is the present value of the cash promised: a balance B
/// bearing coupon c over a period of year fraction y owes `c y B` of
/// interest, so paying `I + P` of interest and principal and leaving `B'`
/// gives `B = (I + P + B') / (1 + c y)`, and summed over the periods the
/// promised payments discounted at the coupon are worth the notional,
/// whatever the principal schedule. Interest is rounded to the minor unit
/// every period (half to even), so a tranche paid in full can fall short
/// of its notional by up to half a minor unit a period: a shortfall that
/// small is rounding, not a loss, and counts as 0.
pub fn pv_loss(notional: f64, present_value: f64, periods: usize) -> f64 {
    let shortfall = notional - present_value;
    if notional <= 0.0 || shortfall <= 0.5 * periods as f64 {
        return 0.0;
    }
    (shortfall / notional).clamp(0.0, 1.0)
}

/// Tranche `index`'s principal loss on the path in `ledger`: original
/// principal unpaid at the legal final date as a fraction of what the
/// tranche paid in (its notional when funded at closing), in [0, 1]. Principal repaid counts against original principal first, so
/// capitalised interest is the last part of a balance to be repaid; for a
/// non-deferrable tranche (whose balance never holds interest) this is its
/// balance at the legal final date.
///
/// Exact on a run stopped early as [`super::StopWhen`] allows for this
/// loss: the final balance is then zero and nothing is unpaid.
pub fn tranche_loss(tranche: &TrancheModel, index: usize, ledger: &Ledger) -> f64 {
    let unpaid = unpaid_principal(tranche, index, ledger);
    fraction_of(unpaid.as_f64(), paid_in(tranche, index, ledger))
}

/// Original principal unpaid at the legal final date: the final balance
/// less the interest capitalised into it, floored at zero.
fn unpaid_principal(tranche: &TrancheModel, index: usize, ledger: &Ledger) -> Money {
    let balance = ledger.tranche(index, ledger.periods()).balance_end;
    if tranche.deferrable {
        (balance - ledger.capitalised(index)).max(Money::ZERO)
    } else {
        balance
    }
}

/// Tranche `index`'s (principal loss, deferred-interest loss) on the path
/// in `ledger`, fractions of notional: [`tranche_loss`], and the interest
/// still unpaid at the legal final date (the capitalised part of a
/// deferrable tranche's final balance; a non-deferrable tranche's deferred
/// interest).
pub fn tranche_loss_split(tranche: &TrancheModel, index: usize, ledger: &Ledger) -> (f64, f64) {
    loss_split(tranche, index, ledger, paid_in(tranche, index, ledger))
}

/// [`tranche_loss_split`] for a tranche that paid in `notional` (what
/// [`tranche_outcome`] has already summed).
fn loss_split(tranche: &TrancheModel, index: usize, ledger: &Ledger, notional: f64) -> (f64, f64) {
    let last = ledger.tranche(index, ledger.periods());
    let principal = unpaid_principal(tranche, index, ledger);
    let interest = if tranche.deferrable {
        last.balance_end - principal
    } else {
        last.interest_shortfall
    };
    (
        fraction_of(principal.as_f64(), notional),
        if notional > 0.0 {
            interest.as_f64() / notional
        } else {
            0.0
        },
    )
}

/// Tranche `index`'s principal-weighted average life in years on the path
/// in `ledger` (NaN if no principal was repaid), as in [`tranche_outcome`].
pub fn tranche_wal(index: usize, ledger: &Ledger, calendar: &Calendar) -> f64 {
    let (mut principal, mut principal_time) = (0.0, 0.0);
    for k in 1..=ledger.periods() {
        let paid = ledger.tranche(index, k).principal.as_f64();
        principal += paid;
        principal_time += paid * calendar.years_from_start(k);
    }
    if principal > 0.0 {
        principal_time / principal
    } else {
        f64::NAN
    }
}

/// The guarantor's outcome on the path recorded in `ledger`: `loss` is what
/// it paid out less what it was reimbursed, as a fraction of its cap,
/// `moic` its fee income and reimbursements as a fraction of its cap; it invests nothing, so `irr`, `wal_years` and the
/// interest and present-value losses are undefined (NaN).
pub fn guarantee_outcome(guarantee: &GuaranteeModel, ledger: &Ledger) -> TrancheOutcome {
    let periods = ledger.periods();
    let paid: f64 = (1..=periods)
        .map(|k| (ledger.guarantee_payout(k) - ledger.guarantee_reimbursement(k)).as_f64())
        .sum();
    let fees: f64 = guarantee.fee.map_or(0.0, |f| {
        (1..=periods).map(|k| ledger.fee(f, k).paid.as_f64()).sum()
    });
    let reimbursed: f64 = (1..=periods)
        .map(|k| ledger.guarantee_reimbursement(k).as_f64())
        .sum();
    let cap = guarantee.cap.as_f64();
    TrancheOutcome {
        loss: if cap > 0.0 { paid / cap } else { 0.0 },
        deferred_interest_loss: f64::NAN,
        pv_loss: f64::NAN,
        irr: f64::NAN,
        moic: if cap > 0.0 {
            (fees + reimbursed) / cap
        } else {
            0.0
        },
        wal_years: f64::NAN,
    }
}

/// Annual IRR r of an investment of `invested` at time 0 returning `flows`
/// (years, amount >= 0): `sum amount (1+r)^-years = invested`.
///
/// Solved in x = ln(1+r), where the present value is a decreasing convex
/// function, so Newton's method converges monotonically after at most one
/// step past the root; bisection guards against non-finite steps. Accurate
/// to about 1e-15 in x.
/// Returns -1 when nothing is received.
pub fn irr(invested: f64, flows: &[(f64, f64)]) -> f64 {
    irr_from(invested, flows, 0.0)
}

/// [`irr`] with Newton's method started from the rate `guess` (a good guess,
/// such as the coupon, saves iterations; any guess converges).
pub fn irr_from(invested: f64, flows: &[(f64, f64)], guess: f64) -> f64 {
    newton(invested, flows, None, guess)
}

/// [`irr_from`], with `first`, when given, the discount factor of each
/// flow at the starting point (`exp(-x0 t)`, so the first step calls no
/// `exp`).
fn newton(invested: f64, flows: &[(f64, f64)], first: Option<&[f64]>, guess: f64) -> f64 {
    if flows.is_empty() {
        return -1.0;
    }
    let excess = |x: f64| -> (f64, f64) {
        flows
            .iter()
            .fold((-invested, 0.0), |(value, slope), &(t, c)| {
                let discounted = c * (-x * t).exp();
                (value + discounted, slope - t * discounted)
            })
    };
    let (mut low, mut high) = (-20.0_f64, 20.0_f64);
    let mut x = start_of(guess);
    for step in 0..200 {
        let (value, slope) = match first {
            Some(first) if step == 0 => flows.iter().zip(first).fold(
                (-invested, 0.0),
                |(value, slope), (&(t, c), &factor)| {
                    let discounted = c * factor;
                    (value + discounted, slope - t * discounted)
                },
            ),
            _ => excess(x),
        };
        if value > 0.0 {
            low = x;
        } else {
            high = x;
        }
        let newton = x - value / slope;
        let next = if newton.is_finite() && (low..=high).contains(&newton) {
            newton
        } else {
            0.5 * (low + high)
        };
        // Newton converges quadratically: once a step is below 1e-12 the
        // next error is far below f64 resolution.
        if (next - x).abs() <= 1e-12 || high - low <= 1e-15 {
            return next.exp_m1();
        }
        x = next;
    }
    x.exp_m1()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn irr_of_a_par_bond() {
        // 100 invested, 5 a year for 3 years then 100 back: 5% a year.
        let flows = [(1.0, 5.0), (2.0, 5.0), (3.0, 105.0)];
        assert!((irr(100.0, &flows) - 0.05).abs() < 1e-12);
    }

    /// A long schedule whose Newton steps end below the resolution of x
    /// (this once fell through to a bisection step and returned 2e4).
    #[test]
    fn irr_converges_on_a_long_quarterly_schedule() {
        let invested = 112_500_000_000.0;
        let mut flows: Vec<(f64, f64)> = (1..=48)
            .map(|q| (q as f64 / 4.0, invested * 0.0575 / 4.0))
            .collect();
        flows.last_mut().unwrap().1 += invested;
        let expected = (1.0 + 0.0575 / 4.0_f64).powi(4) - 1.0;
        assert!(
            (irr(invested, &flows) - expected).abs() < 1e-12,
            "{}",
            irr(invested, &flows)
        );
    }

    #[test]
    fn irr_of_a_loss() {
        // 100 invested, 50 back after 2 years: (0.5)^(1/2) - 1.
        let expected = 0.5_f64.sqrt() - 1.0;
        assert!((irr(100.0, &[(2.0, 50.0)]) - expected).abs() < 1e-12);
        assert_eq!(irr(100.0, &[]), -1.0);
    }
}
