//! Sizing's early stop: when a waterfall run kept only for one tranche's
//! outcome may end before the legal final (see [`StopWhen`]). The rules live
//! here, apart from the interpreter, because each is a small proof about
//! the priority of payments that must be revisited whenever a step kind is
//! added.

use crate::model::{Liabilities, Step};
use crate::money::Money;
use crate::simulate::PoolPath;

use super::interpret::Scratch;

/// When a waterfall run for one tranche's outcome may stop early. Later
/// periods, left empty in the ledger, are not computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopWhen {
    /// Once the tranche's balance is zero: its loss and its principal
    /// payments (hence [`super::tranche_wal`]) are exact; its other cash and every
    /// other party's are not.
    Repaid(usize),
    /// Once the tranche can receive no more cash: its balance and deferred
    /// interest are zero and no residual step pays it, or no cash can enter
    /// the waterfall again (the pool has nothing more to collect, no
    /// guarantee payout can come, every reserve is empty). All its cash
    /// flows are exact (hence its IRR, multiple and WAL in
    /// [`super::tranche_outcome`]); its loss only if its balance reached zero (a
    /// deferrable tranche's balance keeps capitalising interest); every
    /// other party's cash is not.
    ReceivedAll(usize),
    /// As soon as the tranche is certain to be repaid in full: once its
    /// balance is zero, or, when the principal list opens with a
    /// sequential step naming it behind non-deferrable tranches only, once
    /// the pool's principal and recoveries still to come cover their
    /// balances (the reasoning is on `RepaymentWatch` in `interpret.rs`).
    /// Only its loss ([`super::tranche_loss`]) is exact. Much faster for a senior
    /// tranche: on most paths nothing is computed at all.
    CertainlyRepaid(usize),
}

/// Knows when a tranche is repaid, or certain to be repaid in full, so that
/// a waterfall run only for that tranche's outcome can stop.
///
/// Repaid means a zero balance (it stays zero). Certain comes earlier when
/// the principal list opens with a sequential principal step naming the
/// tranche: the tranches it names up to the tranche (the "queue") are paid
/// from each period's principal proceeds before anything else. Principal
/// proceeds never pay interest or fees (the interest list runs before they
/// join the cash), and everything else that reaches the queue (coverage
/// test cures, guarantee payouts, reserves released at the legal final,
/// interest left at the legal final) only adds to what it receives. So if
/// no tranche in the queue can grow (none is deferrable), the queue is
/// certain to be repaid once the pool's scheduled principal and recoveries
/// still to come cover its balances.
pub(super) struct RepaymentWatch<'a> {
    tranche: usize,
    until: Until<'a>,
    /// Pool principal and recoveries in the periods not yet run.
    to_come: i128,
}

/// What the watch waits for.
enum Until<'a> {
    /// A zero balance.
    Repaid,
    /// No more cash for the tranche ([`StopWhen::ReceivedAll`]): a zero
    /// balance and no deferred interest (unless a residual step pays it),
    /// or no cash entering the waterfall after period `dry_from`, with every
    /// reserve empty (then nothing is paid to anyone again: pool
    /// collections, guarantee payouts and reserves are the only sources).
    ReceivedAll {
        residual_payee: bool,
        dry_from: usize,
    },
    /// A zero balance, or the queue (when the rule above applies) covered
    /// by the inflows to come.
    Certain(Option<&'a [usize]>),
}

impl<'a> RepaymentWatch<'a> {
    pub(super) fn new(
        liabilities: &'a Liabilities,
        pool: &PoolPath,
        periods: usize,
        stop: StopWhen,
    ) -> Self {
        let (tranche, until, to_come) = match stop {
            StopWhen::Repaid(t) => (t, Until::Repaid, 0),
            StopWhen::ReceivedAll(t) => {
                let residual_payee = liabilities
                    .interest_steps
                    .iter()
                    .chain(&liabilities.principal_steps)
                    .any(|step| *step == Step::Residual(t));
                let until = Until::ReceivedAll {
                    residual_payee,
                    dry_from: last_inflow(liabilities, pool, periods),
                };
                (t, until, 0)
            }
            StopWhen::CertainlyRepaid(t) => {
                let queue = repayment_queue(liabilities, t);
                // One pass over the inflows: their total, and whether one is
                // negative (it would take cash away: the rule does not apply).
                let (to_come, negative) = match queue {
                    Some(_) => pool.principal[1..=periods]
                        .iter()
                        .chain(&pool.recoveries[1..=periods])
                        .fold((0_i128, false), |(sum, negative), m| {
                            (sum + i128::from(m.minor()), negative || m.minor() < 0)
                        }),
                    None => (0, false),
                };
                (t, Until::Certain(queue.filter(|_| !negative)), to_come)
            }
        };
        RepaymentWatch {
            tranche,
            until,
            to_come,
        }
    }

    /// Period k's inflows have been paid out.
    pub(super) fn collected(&mut self, pool: &PoolPath, k: usize) {
        if let Until::Certain(Some(_)) = self.until {
            self.to_come -=
                i128::from(pool.principal[k].minor()) + i128::from(pool.recoveries[k].minor());
        }
    }

    /// Whether the watch's condition holds after period k's payments.
    pub(super) fn certain(&self, s: &Scratch, k: usize) -> bool {
        let t = self.tranche;
        let repaid = s.balance[t] == Money::ZERO;
        match self.until {
            Until::Repaid => repaid,
            Until::ReceivedAll {
                residual_payee,
                dry_from,
            } => {
                (repaid && s.deferred[t] == Money::ZERO && !residual_payee)
                    || (k >= dry_from && s.reserve.iter().all(|r| *r == Money::ZERO))
            }
            Until::Certain(queue) => {
                repaid
                    || queue.is_some_and(|queue| {
                        let owed: i128 = queue
                            .iter()
                            .map(|&q| i128::from(s.balance[q].minor()))
                            .sum();
                        owed <= self.to_come
                    })
            }
        }
    }
}

/// The queue ending with tranche `t` that [`RepaymentWatch`] can be certain
/// of: the tranches a sequential principal step opening the principal list
/// names up to `t`, when none of them is deferrable.
fn repayment_queue(liabilities: &Liabilities, t: usize) -> Option<&[usize]> {
    match liabilities.principal_steps.first() {
        Some(Step::Principal(step)) if !step.pro_rata => step
            .tranches
            .iter()
            .position(|&q| q == t)
            .map(|i| &step.tranches[..=i])
            .filter(|queue| queue.iter().all(|&q| !liabilities.tranches[q].deferrable)),
        _ => None,
    }
}

/// Whether [`super::interpret::run_traced`] with `stop` would stop before the first period
/// on a path whose pool principal and recoveries over periods 1..=K total
/// `inflows`, none of them negative: the test it makes then, so a caller
/// that knows the total can skip building the path (the ledger of such a
/// run is the cleared one). `false` for the other stops, which are never
/// settled before the first period but by a tranche sized to zero.
pub(crate) fn settled_at_start(liabilities: &Liabilities, stop: StopWhen, inflows: i128) -> bool {
    let StopWhen::CertainlyRepaid(t) = stop else {
        return false;
    };
    let notional = |q: usize| i128::from(liabilities.tranches[q].notional.minor());
    notional(t) == 0
        || repayment_queue(liabilities, t)
            .is_some_and(|queue| queue.iter().map(|&q| notional(q)).sum::<i128>() <= inflows)
}

/// The last period in which cash enters the waterfall from outside: pool
/// interest, principal or recoveries, or (with a guarantee) a loss the
/// guarantor may pay, realised in a default's recovery period. 0 if none.
fn last_inflow(liabilities: &Liabilities, pool: &PoolPath, periods: usize) -> usize {
    let collected = (1..=periods)
        .rev()
        .find(|&k| {
            pool.interest[k] != Money::ZERO
                || pool.principal[k] != Money::ZERO
                || pool.recoveries[k] != Money::ZERO
        })
        .unwrap_or(0);
    let realised = match liabilities.guarantee {
        Some(_) => pool.defaults.iter().map(|d| d.recovery_period).max(),
        None => None,
    };
    collected.max(realised.unwrap_or(0))
}
