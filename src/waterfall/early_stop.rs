//! Sizing's early stop: when a waterfall run kept only for one tranche's
//! outcome may end before the legal final (see [`StopWhen`]). The rules live
//! here, apart from the interpreter, because each is a small proof about
//! the priority of payments that must be revisited whenever a step kind is
//! added.

use std::cell::Cell;

use crate::model::{FeeAccrual, Liabilities, Step};
use crate::money::Money;
use crate::simulate::PoolPath;
use crate::spec::Funding;

use super::scratch::Scratch;

/// When a waterfall run for one tranche's outcome may stop early. Later
/// periods, left empty in the ledger, are not computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopWhen {
    /// Once the tranche's balance is zero and it has nothing left to fund
    /// (a tranche funded as drawn has no undrawn commitment left): its loss
    /// and its principal payments (hence [`super::tranche_wal`]) are exact;
    /// its other cash and every other party's are not.
    Repaid(usize),
    /// Once the tranche can receive no more cash: its balance, deferred
    /// interest, undrawn commitment and unpaid commitment fees are zero and
    /// no residual step pays it, or no cash can enter the waterfall again
    /// (the pool has nothing more to collect, no guarantee payout can come,
    /// every reserve and the ramp-up account are empty) and it has nothing
    /// left to fund (a draw to come is cash it pays in). All its cash
    /// flows are exact (hence its IRR, multiple and WAL in
    /// [`super::tranche_outcome`]); its loss only if its balance reached zero (a
    /// deferrable tranche's balance keeps capitalising interest); every
    /// other party's cash is not.
    ReceivedAll(usize),
    /// As soon as the tranche is certain to be repaid in full: once its
    /// balance is zero, or, when the principal list opens with a
    /// sequential step naming it behind non-deferrable tranches only, once
    /// the pool's principal and recoveries still to come cover what those
    /// tranches owe and can still fund, and (with an event of default) no
    /// event of default can occur any more (the reasoning is on
    /// `RepaymentWatch`). Only its loss ([`super::tranche_loss`]) is exact.
    /// Much faster for a senior tranche: on most paths little is computed.
    CertainlyRepaid(usize),
}

/// Knows when a tranche is repaid, or certain to be repaid in full, so that
/// a waterfall run only for that tranche's outcome can stop.
///
/// Repaid means a zero balance (it stays zero) and no undrawn commitment.
/// Certain comes earlier when the principal list opens with a sequential
/// principal step naming the tranche: the tranches it names up to the
/// tranche (the "queue", none deferrable) are paid from each period's
/// principal proceeds before anything else. Outside an acceleration,
/// principal proceeds never pay interest or fees (the interest list runs
/// before they join the cash), and everything else that reaches the queue
/// (coverage test cures, PDL cures and a residual held back for the PDL,
/// guarantee payouts, reserves released at the legal final, interest left
/// at the legal final, the ramp-up account's cash) only adds to what it
/// receives. So in every period the queue receives at least the pool's
/// principal and recoveries P_j of that period, or everything it owes.
///
/// Without draws to come, the queue is then certain to be repaid once
/// those still to come cover its balances (if it were not, it would have
/// received every P_j). A tranche funded as drawn grows by its share of
/// each draw (funded after the period's payments), by at most its undrawn
/// commitment U in all. The queue ends unpaid only if, for the first
/// period m from which it stays unpaid, what it owed then plus what it
/// funds from m on exceeds the inflows from m on: for m the next period,
/// its balances B + U against all the inflows to come; for a later m (its
/// balance was zero after the payments of m - 1), at most U against the
/// inflows after m - 1, which are at least those after the path's last
/// draw. Hence certain when B + U <= inflows to come and, while draws
/// remain, U <= inflows after the last draw.
///
/// An event of default makes principal proceeds pay fees and interest
/// first, so the rule also needs one to be impossible from now on (`calm`):
/// not accelerated, no fee, deferred interest or undrawn commitment
/// outstanding, the interest list paying only fees and non-deferrable
/// tranches' interest up to the last such interest, and each period's pool
/// interest covering every fee and that interest on the largest balances:
/// the queue's balances now less the inflows in between (they fall by P_j
/// or to zero each period), another's its balance now. Then, period after
/// period, every such interest is paid and no event of default occurs.
pub(super) struct RepaymentWatch<'a> {
    liabilities: &'a Liabilities,
    pool: &'a PoolPath,
    periods: usize,
    tranche: usize,
    /// Fees paid to the tranche (commitment fees).
    fees_to: Vec<usize>,
    until: Until<'a>,
    /// Pool principal and recoveries in the periods not yet run.
    to_come: i128,
}

/// The queue of [`RepaymentWatch`] on one path.
struct Queue<'a> {
    tranches: &'a [usize],
    /// The last period with loan draws (0: none after closing).
    last_draw: usize,
    /// Pool principal and recoveries after `last_draw`.
    after_draws: i128,
    /// With an event of default in the facility, where the `Calm` rule's
    /// check resumes: the first period not yet known to be covered and the
    /// inflows from it on (periods found covered stay covered, as the
    /// bounds only fall). `None` without an event of default.
    calm: Option<Cell<(usize, i128)>>,
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
    Certain(Option<Queue<'a>>),
}

impl<'a> RepaymentWatch<'a> {
    pub(super) fn new(
        liabilities: &'a Liabilities,
        pool: &'a PoolPath,
        periods: usize,
        stop: StopWhen,
    ) -> Self {
        let (tranche, until, to_come) = match stop {
            StopWhen::Repaid(t) => (t, Until::Repaid, 0),
            StopWhen::ReceivedAll(t) => {
                let accelerated = liabilities
                    .acceleration
                    .as_ref()
                    .map_or(&[][..], |a| &a.steps);
                let residual_payee = liabilities
                    .interest_steps
                    .iter()
                    .chain(&liabilities.principal_steps)
                    .chain(accelerated)
                    .any(|step| *step == Step::Residual(t));
                let until = Until::ReceivedAll {
                    residual_payee,
                    dry_from: last_inflow(liabilities, pool, periods),
                };
                (t, until, 0)
            }
            StopWhen::CertainlyRepaid(t) => {
                let queue = repayment_queue(liabilities, t)
                    .and_then(|queue| Queue::on_path(liabilities, pool, periods, queue));
                let to_come = queue.as_ref().map_or(0, |(_, to_come)| *to_come);
                (t, Until::Certain(queue.map(|(queue, _)| queue)), to_come)
            }
        };
        let fees_to = (0..liabilities.fees.len())
            .filter(|&f| liabilities.fees[f].payee() == Some(tranche))
            .collect();
        RepaymentWatch {
            liabilities,
            pool,
            periods,
            tranche,
            fees_to,
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

    /// Whether the watch's condition holds after period k's payments
    /// (`accelerated`: after an event of default).
    pub(super) fn certain(&self, s: &Scratch, k: usize, accelerated: bool) -> bool {
        let t = self.tranche;
        let repaid = s.balance[t] == Money::ZERO
            && s.funding.undrawn.get(t).is_none_or(|u| *u == Money::ZERO);
        match &self.until {
            Until::Repaid => repaid,
            &Until::ReceivedAll {
                residual_payee,
                dry_from,
            } => {
                (repaid
                    && s.deferred[t] == Money::ZERO
                    && !residual_payee
                    && self.fees_to.iter().all(|&f| s.fee_unpaid[f] == Money::ZERO))
                    || (k >= dry_from
                        && s.reserve.iter().all(|r| *r == Money::ZERO)
                        && s.funding.ramp_up == Money::ZERO
                        && s.funding.undrawn.get(t).is_none_or(|u| *u == Money::ZERO))
            }
            Until::Certain(queue) => {
                repaid
                    || queue.as_ref().is_some_and(|queue| {
                        self.queue_covered(queue, s, k) && self.calm(queue, s, k, accelerated)
                    })
            }
        }
    }

    /// The queue rule: balances B and (while draws remain) the undrawn
    /// commitments U of its tranches funded as drawn against the inflows.
    fn queue_covered(&self, queue: &Queue, s: &Scratch, k: usize) -> bool {
        let minor = |m: Money| i128::from(m.minor());
        let owed: i128 = queue.tranches.iter().map(|&q| minor(s.balance[q])).sum();
        let undrawn: i128 = if k < queue.last_draw {
            (queue.tranches.iter())
                .filter(|&&q| self.liabilities.tranches[q].funding == Funding::AsDrawn)
                .map(|&q| minor(s.funding.undrawn[q]))
                .sum()
        } else {
            0
        };
        owed + undrawn <= self.to_come && (undrawn == 0 || undrawn <= queue.after_draws)
    }
}

impl<'a> Queue<'a> {
    /// The queue on `pool`, and the pool's principal and recoveries over
    /// periods 1..=K; `None` if one of them is negative (it would take cash
    /// away: the rule does not apply). One pass from the last period back.
    fn on_path(
        liabilities: &Liabilities,
        pool: &PoolPath,
        periods: usize,
        tranches: &'a [usize],
    ) -> Option<(Self, i128)> {
        let last_draw = (1..=periods)
            .rev()
            .find(|&k| pool.draws[k] != Money::ZERO)
            .unwrap_or(0);
        let (mut to_come, mut after_draws) = (0_i128, 0_i128);
        for j in (1..=periods).rev() {
            if j == last_draw {
                after_draws = to_come;
            }
            let (principal, recoveries) = (pool.principal[j].minor(), pool.recoveries[j].minor());
            if principal < 0 || recoveries < 0 {
                return None;
            }
            to_come += i128::from(principal) + i128::from(recoveries);
        }
        if last_draw == 0 {
            after_draws = to_come;
        }
        let queue = Queue {
            tranches,
            last_draw,
            after_draws,
            calm: (liabilities.acceleration.as_ref()).map(|_| Cell::new((1, to_come))),
        };
        Some((queue, to_come))
    }
}

impl RepaymentWatch<'_> {
    /// Whether no event of default can occur after period k (see
    /// [`RepaymentWatch`]); true without an event of default. Walks the
    /// periods to come until the non-deferrable tranches' balances are
    /// certainly zero (the queue's at most its balances now less the
    /// inflows in between), each period's pool interest covering every
    /// fee and their interest at those largest balances.
    fn calm(&self, queue: &Queue, s: &Scratch, k: usize, accelerated: bool) -> bool {
        let Some(resume) = &queue.calm else {
            return true;
        };
        let clean = (s.fee_unpaid.iter())
            .chain(&s.deferred)
            .chain(&s.funding.undrawn)
            .all(|m| *m == Money::ZERO);
        if accelerated || !clean {
            return false;
        }
        let liabilities = self.liabilities;
        let pool = self.pool;
        let owed: i128 = (queue.tranches.iter())
            .map(|&q| i128::from(s.balance[q].minor()))
            .sum();
        let others_owe = (liabilities.tranches.iter().enumerate()).any(|(x, t)| {
            !t.deferrable && !queue.tranches.contains(&x) && s.balance[x].is_positive()
        });
        let (from, inflows_from) = resume.get();
        let (mut j, mut inflows) = if from > k {
            (from, inflows_from)
        } else {
            (k + 1, self.to_come)
        };
        while j <= self.periods {
            // The queue owes at most its balances now less the inflows of
            // periods k + 1 to j - 1.
            let queue_owes = (owed - (self.to_come - inflows)).max(0);
            if queue_owes == 0 && !others_owe {
                return true;
            }
            if !interest_covers_dues(liabilities, pool, queue.tranches, j, queue_owes, s) {
                resume.set((j, inflows));
                return false;
            }
            inflows -=
                i128::from(pool.principal[j].minor()) + i128::from(pool.recoveries[j].minor());
            j += 1;
        }
        true
    }
}

/// Whether period j's pool interest covers every fee and non-deferrable
/// tranche's interest at their largest: a queue tranche owing `queue_owes`
/// at most, another its balance in `s`, the guarantee's cap undrawn.
fn interest_covers_dues(
    liabilities: &Liabilities,
    pool: &PoolPath,
    queue: &[usize],
    j: usize,
    queue_owes: i128,
    s: &Scratch,
) -> bool {
    let Ok(queue_owes) = i64::try_from(queue_owes) else {
        return false;
    };
    let largest = |x: usize| {
        if queue.contains(&x) {
            Money::from_minor(queue_owes).min(s.balance[x])
        } else {
            s.balance[x]
        }
    };
    let cap = liabilities
        .guarantee
        .as_ref()
        .map_or(Money::ZERO, |g| g.cap);
    let fees = liabilities.fees.iter().map(|fee| match &fee.accrual {
        FeeAccrual::PerformingPool(factor) => factor[j].apply(pool.performing_balance[j]),
        FeeAccrual::TrancheBalance { tranche, factor } => factor[j].apply(largest(*tranche)),
        FeeAccrual::Fixed(amount) => *amount,
        FeeAccrual::UndrawnGuarantee(factor) => factor[j].apply(cap),
        FeeAccrual::UndrawnCommitment { .. } => Money::ZERO,
    });
    let interest = (liabilities.tranches.iter().enumerate())
        .filter(|(_, tranche)| !tranche.deferrable)
        .map(|(x, tranche)| tranche.accrual[j].apply(largest(x)));
    let dues: i128 = fees.chain(interest).map(|m| i128::from(m.minor())).sum();
    i128::from(pool.interest[j].minor()) >= dues
}

/// The queue ending with tranche `t` that [`RepaymentWatch`] can be certain
/// of: the tranches a sequential principal step opening the principal list
/// names up to `t`, when none of them is deferrable. With an event of
/// default, only when the interest list pays nothing but fees and
/// non-deferrable tranches' interest before the last such interest, and no
/// fee accrues on a deferrable tranche's balance (the `Calm` rule bounds
/// every due before it).
fn repayment_queue(liabilities: &Liabilities, t: usize) -> Option<&[usize]> {
    if liabilities.acceleration.is_some() && !dues_bounded(liabilities) {
        return None;
    }
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

/// Whether the interest list pays only fees and non-deferrable tranches'
/// interest up to the last non-deferrable tranche's interest, and no fee
/// accrues on a deferrable tranche's balance.
fn dues_bounded(liabilities: &Liabilities) -> bool {
    let tranches = &liabilities.tranches;
    let timely = |step: &Step| matches!(step, Step::Interest(x) if !tranches[*x].deferrable);
    let steps = &liabilities.interest_steps;
    let prefix = &steps[..steps.iter().rposition(timely).map_or(0, |i| i + 1)];
    prefix
        .iter()
        .all(|step| timely(step) || matches!(step, Step::Fee(_)))
        && liabilities.fees.iter().all(|fee| match fee.accrual {
            FeeAccrual::TrancheBalance { tranche, .. } => !tranches[tranche].deferrable,
            _ => true,
        })
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
    // Only funded at closing and without an event of default: the queue's
    // notionals are then all it owes, and nothing but the total matters.
    let at_close = |queue: &[usize]| {
        liabilities.acceleration.is_none()
            && (queue.iter()).all(|&q| liabilities.tranches[q].funding == Funding::AtClose)
    };
    notional(t) == 0
        || repayment_queue(liabilities, t)
            .filter(|queue| at_close(queue))
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

#[cfg(test)]
mod tests {
    //! Each stop rule on hand-built liabilities and pool paths: three
    //! tranches (0 senior 100, 1 mezzanine 50, 2 first loss 30, in minor
    //! units) and a four-period path whose principal and recoveries after
    //! period 0 are 10 + 20 + 30 + 40 and 5: 105 in all.

    use super::*;
    use crate::model::TrancheModel;
    use crate::model::{GuaranteeModel, PrincipalStep, ReserveModel, ReserveTargetModel};
    use crate::money::Rate;
    use crate::spec::TrancheClass;

    const PERIODS: usize = 4;

    impl RepaymentWatch<'_> {
        /// [`RepaymentWatch::certain`] before any event of default.
        fn certain_at(&self, s: &Scratch, k: usize) -> bool {
            self.certain(s, k, false)
        }
    }

    fn money(minor: &[i64]) -> Vec<Money> {
        minor.iter().map(|&m| Money::from_minor(m)).collect()
    }

    fn tranche(name: &str, notional: i64, deferrable: bool) -> TrancheModel {
        TrancheModel {
            name: name.into(),
            class: TrancheClass::Senior,
            notional: Money::from_minor(notional),
            coupon: Rate::ZERO,
            accrual: Vec::new(),
            deferrable,
            public: false,
            funding: crate::spec::Funding::AtClose,
        }
    }

    fn sequential(tranches: &[usize]) -> Step {
        Step::Principal(PrincipalStep {
            tranches: tranches.to_vec(),
            pro_rata: false,
            sequential_after_test_failure: false,
        })
    }

    /// Senior, mezzanine (deferrable if asked) and first loss, paid
    /// sequentially, the residual to the first loss.
    fn liabilities(deferrable_mezzanine: bool) -> Liabilities {
        Liabilities {
            tranches: vec![
                tranche("senior", 100, false),
                tranche("mezzanine", 50, deferrable_mezzanine),
                tranche("first_loss", 30, false),
            ],
            fees: Vec::new(),
            reserves: Vec::new(),
            tests: Vec::new(),
            guarantee: None,
            interest_steps: vec![Step::Interest(0), Step::Interest(1), Step::Residual(2)],
            principal_steps: vec![sequential(&[0, 1, 2]), Step::Residual(2)],
            reserve_for: vec![None; 3],
            ramp_up_accrual: Vec::new(),
            pdl: None,
            acceleration: None,
        }
    }

    /// Interest in periods 1 to 3 only; principal 10, 20, 30, 40; a
    /// recovery of 5 in period 2.
    fn pool() -> PoolPath {
        PoolPath {
            interest: money(&[0, 3, 2, 1, 0]),
            principal: money(&[0, 10, 20, 30, 40]),
            recoveries: money(&[0, 0, 5, 0, 0]),
            defaulted: money(&[0; PERIODS + 1]),
            performing_balance: money(&[100, 90, 70, 40, 0]),
            draws: money(&[100, 0, 0, 0, 0]),
            capitalised: money(&[0; PERIODS + 1]),
            cancelled: money(&[0; PERIODS + 1]),
            defaults: Vec::new(),
            nexus: Default::default(),
        }
    }

    /// Scratch with these balances and deferred interest, reserves empty.
    fn scratch(balance: &[i64], deferred: &[i64]) -> Scratch {
        Scratch {
            balance: money(balance),
            deferred: money(deferred),
            ..Scratch::default()
        }
    }

    #[test]
    fn repaid_waits_for_a_zero_balance_alone() {
        let (liabilities, pool) = (liabilities(false), pool());
        let watch = RepaymentWatch::new(&liabilities, &pool, PERIODS, StopWhen::Repaid(0));
        // 1 left of the senior's 100: not repaid, however much is to come.
        assert!(!watch.certain_at(&scratch(&[1, 50, 30], &[0; 3]), 1));
        assert!(watch.certain_at(&scratch(&[0, 50, 30], &[0; 3]), 1));
        // Deferred interest does not matter to a repayment.
        assert!(watch.certain_at(&scratch(&[0, 50, 30], &[7, 0, 0]), 1));
    }

    /// The senior is first in the queue: certain once its balance is at
    /// most the principal and recoveries still to come (105 before period
    /// 1, 95 after it, 70 after period 2: 105 - 10 - 20 - 5).
    #[test]
    fn the_queue_rule_counts_the_inflows_to_come() {
        let (liabilities, pool) = (liabilities(false), pool());
        let stop = StopWhen::CertainlyRepaid(0);
        let mut watch = RepaymentWatch::new(&liabilities, &pool, PERIODS, stop);
        let balances = |senior| scratch(&[senior, 50, 30], &[0; 3]);
        assert!(watch.certain_at(&balances(100), 0));
        watch.collected(&pool, 1);
        assert!(!watch.certain_at(&balances(96), 1));
        assert!(watch.certain_at(&balances(95), 1));
        watch.collected(&pool, 2);
        assert!(!watch.certain_at(&balances(71), 2));
        assert!(watch.certain_at(&balances(70), 2));
        // The mezzanine's queue holds the senior too: 100 + 50 > 105, but
        // 60 + 45 is covered.
        let mezzanine = StopWhen::CertainlyRepaid(1);
        let watch = RepaymentWatch::new(&liabilities, &pool, PERIODS, mezzanine);
        assert!(!watch.certain_at(&scratch(&[100, 50, 30], &[0; 3]), 0));
        assert!(watch.certain_at(&scratch(&[60, 45, 30], &[0; 3]), 0));
    }

    /// Without a queue it can be certain of, `CertainlyRepaid` waits for a
    /// zero balance: a deferrable tranche in the queue (its balance can
    /// grow), a pro-rata first principal step, a principal list that opens
    /// with another step, a tranche the first step does not name, or a
    /// negative inflow (it would take cash away).
    #[test]
    fn the_queue_rule_needs_a_queue_that_cannot_grow() {
        let pool = pool();
        let covered = scratch(&[1, 1, 1], &[0; 3]);
        let certain = |liabilities: &Liabilities, pool: &PoolPath, t: usize| {
            RepaymentWatch::new(liabilities, pool, PERIODS, StopWhen::CertainlyRepaid(t))
                .certain_at(&covered, 0)
        };
        let plain = liabilities(false);
        assert!(certain(&plain, &pool, 0) && certain(&plain, &pool, 1));
        // A deferrable mezzanine spoils its own queue, not the senior's.
        let deferrable = liabilities(true);
        assert!(certain(&deferrable, &pool, 0));
        assert!(!certain(&deferrable, &pool, 1));
        assert!(!certain(&deferrable, &pool, 2));
        let mut pro_rata = liabilities(false);
        pro_rata.principal_steps[0] = Step::Principal(PrincipalStep {
            tranches: vec![0, 1, 2],
            pro_rata: true,
            sequential_after_test_failure: false,
        });
        assert!(!certain(&pro_rata, &pool, 0));
        let mut reserve_first = liabilities(false);
        reserve_first.principal_steps.insert(0, Step::Reserve(0));
        assert!(!certain(&reserve_first, &pool, 0));
        let mut senior_only = liabilities(false);
        senior_only.principal_steps = vec![sequential(&[0]), sequential(&[1, 2])];
        assert!(certain(&senior_only, &pool, 0));
        assert!(!certain(&senior_only, &pool, 1));
        let mut negative = pool.clone();
        negative.recoveries[3] = Money::from_minor(-1);
        assert!(!certain(&plain, &negative, 0));
        // A repaid tranche is certain whatever the queue.
        let repaid = scratch(&[100, 0, 30], &[0; 3]);
        let watch = RepaymentWatch::new(&deferrable, &pool, PERIODS, StopWhen::CertainlyRepaid(1));
        assert!(watch.certain_at(&repaid, 0));
    }

    /// A senior funded as drawn (balance 60, undrawn 40) with a draw to
    /// come: certain at the start when 60 + 40 <= 105 and the 40 it can
    /// still fund is covered by the inflows after the last draw (70 after
    /// a draw in period 2, 40 after one in period 3); never when the last
    /// draw is in the last period (funded after the last payment date).
    /// Once no draw remains, only the balance counts.
    #[test]
    fn the_queue_rule_counts_what_a_tranche_funded_as_drawn_can_still_fund() {
        let mut liabilities = liabilities(false);
        liabilities.tranches[0].funding = crate::spec::Funding::AsDrawn;
        let with_undrawn = |balance: i64, undrawn: i64| {
            let mut s = scratch(&[balance, 50, 30], &[0; 3]);
            s.funding.undrawn = money(&[undrawn, 0, 0]);
            s
        };
        let drawn_in = |period: usize| {
            let mut pool = pool();
            pool.draws = money(&[60, 0, 0, 0, 0]);
            pool.draws[period] = Money::from_minor(40);
            pool
        };
        let stop = StopWhen::CertainlyRepaid(0);
        for (period, certain) in [(2, true), (3, true), (4, false)] {
            let pool = drawn_in(period);
            let watch = RepaymentWatch::new(&liabilities, &pool, PERIODS, stop);
            assert_eq!(watch.certain_at(&with_undrawn(60, 40), 0), certain);
            // 66 + 40 > 105: the balance and the commitment are not covered.
            assert!(!watch.certain_at(&with_undrawn(66, 40), 0));
        }
        // After period 2 (its draw funded), 70 is still to come.
        let pool = drawn_in(2);
        let mut after_draws = RepaymentWatch::new(&liabilities, &pool, PERIODS, stop);
        after_draws.collected(&pool, 1);
        after_draws.collected(&pool, 2);
        assert!(after_draws.certain_at(&with_undrawn(70, 0), 2));
        assert!(!after_draws.certain_at(&with_undrawn(71, 0), 2));
    }

    /// With an event of default: the senior (10% a period, the only
    /// non-deferrable tranche) owes at most 100 now less the inflows in
    /// between: 100, 90, 65 and 35 at the start of periods 1 to 4, so its
    /// interest is at most 10, 9, 6.5 -> 6 (half to even) and 3.5 -> 4.
    /// Pool interest 11, 10, 8, 4 covers it: certain from the start; with 8
    /// in period 2, only after period 2 (70 owed: 7 and 4 to come). Never
    /// after an event of default, nor with a fee or interest outstanding.
    #[test]
    fn with_an_event_of_default_the_pool_interest_must_cover_every_due() {
        let mut liabilities = liabilities(true);
        liabilities.tranches[2].deferrable = true;
        let ten_percent = crate::money::Rate::from_f64(0.1)
            .expect("a rate")
            .factor(crate::money::YearFraction { days: 1, basis: 1 });
        for tranche in &mut liabilities.tranches {
            tranche.accrual = vec![ten_percent; PERIODS + 1];
        }
        liabilities.acceleration = Some(crate::model::AccelerationModel {
            grace_periods: 0,
            steps: vec![Step::Interest(0), sequential(&[0, 1, 2]), Step::Residual(2)],
        });
        let mut pool = pool();
        pool.interest = money(&[0, 11, 10, 8, 4]);
        let stop = StopWhen::CertainlyRepaid(0);
        let clean = scratch(&[100, 50, 30], &[0; 3]);
        let watch = RepaymentWatch::new(&liabilities, &pool, PERIODS, stop);
        assert!(watch.certain_at(&clean, 0));
        assert!(!watch.certain(&clean, 0, true));
        let mut owing = clean.clone();
        owing.deferred = money(&[1, 0, 0]);
        assert!(!watch.certain_at(&owing, 0));
        let mut fee_unpaid = clean.clone();
        fee_unpaid.fee_unpaid = money(&[1]);
        assert!(!watch.certain_at(&fee_unpaid, 0));
        pool.interest[2] = Money::from_minor(8);
        let mut watch = RepaymentWatch::new(&liabilities, &pool, PERIODS, stop);
        assert!(!watch.certain_at(&clean, 0));
        watch.collected(&pool, 1);
        assert!(!watch.certain_at(&scratch(&[90, 50, 30], &[0; 3]), 1));
        watch.collected(&pool, 2);
        assert!(watch.certain_at(&scratch(&[70, 50, 30], &[0; 3]), 2));
        // A reserve step before the senior's interest could take the cash:
        // no rule then.
        liabilities.interest_steps.insert(0, Step::Reserve(0));
        let watch = RepaymentWatch::new(&liabilities, &pool, PERIODS, stop);
        assert!(!watch.certain_at(&scratch(&[1, 50, 30], &[0; 3]), 3));
    }

    /// `ReceivedAll`: a repaid tranche with no deferred interest that no
    /// residual step pays; or any tranche once no cash can enter again
    /// (after period 3, the last with pool collections) with every reserve
    /// empty.
    #[test]
    fn received_all_waits_for_the_last_cash_the_tranche_can_get() {
        let mut liabilities = liabilities(false);
        let pool = pool();
        fn watch<'a>(l: &'a Liabilities, pool: &'a PoolPath, t: usize) -> RepaymentWatch<'a> {
            RepaymentWatch::new(l, pool, PERIODS, StopWhen::ReceivedAll(t))
        }
        let mezzanine = watch(&liabilities, &pool, 1);
        assert!(mezzanine.certain_at(&scratch(&[100, 0, 30], &[0; 3]), 1));
        assert!(!mezzanine.certain_at(&scratch(&[100, 0, 30], &[0, 2, 0]), 1));
        assert!(!mezzanine.certain_at(&scratch(&[100, 5, 30], &[0; 3]), 1));
        // The first loss takes the residual: repaid is not enough.
        let first_loss = watch(&liabilities, &pool, 2);
        assert!(!first_loss.certain_at(&scratch(&[100, 50, 0], &[0; 3]), 2));
        // Period 4 collects principal (40), so nothing is final before it.
        assert!(!first_loss.certain_at(&scratch(&[100, 50, 30], &[0; 3]), 3));
        assert!(first_loss.certain_at(&scratch(&[100, 50, 30], &[0; 3]), 4));
        // A reserve with cash left can still pay out.
        liabilities.reserves.push(ReserveModel {
            name: "reserve".into(),
            tranches: vec![0],
            target: ReserveTargetModel::Amount(Money::from_minor(10)),
            initial: Money::ZERO,
        });
        let mut holding = scratch(&[100, 50, 30], &[0; 3]);
        holding.reserve = money(&[4]);
        assert!(!watch(&liabilities, &pool, 2).certain_at(&holding, 4));
        holding.reserve = money(&[0]);
        assert!(watch(&liabilities, &pool, 2).certain_at(&holding, 4));
    }

    /// With a guarantee, a loss realised in a default's recovery period can
    /// still bring a payout: the last inflow is then the latest recovery
    /// period, here 4 on a path whose collections end in period 2.
    #[test]
    fn a_guarantee_keeps_cash_coming_until_the_last_recovery() {
        let mut liabilities = liabilities(false);
        let mut pool = pool();
        pool.interest = money(&[0, 3, 2, 0, 0]);
        pool.principal = money(&[0, 10, 20, 0, 0]);
        pool.defaults.push(crate::simulate::DefaultEvent {
            loan: 0,
            period: 3,
            systematic: 0.0,
            recovery_rate: 0.0,
            exposure: Money::from_minor(70),
            recovery: Money::ZERO,
            recovery_period: 4,
        });
        assert_eq!(last_inflow(&liabilities, &pool, PERIODS), 2);
        liabilities.guarantee = Some(GuaranteeModel {
            name: "guarantee".into(),
            cap: Money::from_minor(50),
            fee_rate: Rate::ZERO,
            fee: None,
            public: true,
        });
        assert_eq!(last_inflow(&liabilities, &pool, PERIODS), 4);
        let watch = RepaymentWatch::new(&liabilities, &pool, PERIODS, StopWhen::ReceivedAll(0));
        let owed = scratch(&[100, 50, 30], &[0; 3]);
        assert!(!watch.certain_at(&owed, 3) && watch.certain_at(&owed, 4));
    }

    /// Settled before the first period: a tranche sized to zero, or a
    /// queue whose notionals the path's inflows cover (senior 100, senior
    /// and mezzanine 150); never for the other stops.
    #[test]
    fn settled_at_start_applies_the_queue_rule_to_notionals() {
        let liabilities = liabilities(false);
        let settled = |stop, inflows| settled_at_start(&liabilities, stop, inflows);
        assert!(settled(StopWhen::CertainlyRepaid(0), 100));
        assert!(!settled(StopWhen::CertainlyRepaid(0), 99));
        assert!(settled(StopWhen::CertainlyRepaid(1), 150));
        assert!(!settled(StopWhen::CertainlyRepaid(1), 149));
        assert!(settled(StopWhen::CertainlyRepaid(2), 180));
        assert!(!settled(StopWhen::Repaid(0), i128::MAX));
        assert!(!settled(StopWhen::ReceivedAll(0), i128::MAX));
        let deferrable = liabilities_with_zero_mezzanine();
        assert!(settled_at_start(
            &deferrable,
            StopWhen::CertainlyRepaid(1),
            0
        ));
        assert!(!settled_at_start(
            &deferrable,
            StopWhen::CertainlyRepaid(0),
            0
        ));
    }

    /// A deferrable mezzanine sized to zero: it has no queue, yet nothing
    /// is owed to it.
    fn liabilities_with_zero_mezzanine() -> Liabilities {
        let mut liabilities = liabilities(true);
        liabilities.tranches[1].notional = Money::ZERO;
        liabilities
    }
}
