//! Sizing's early stop: when a waterfall run kept only for one tranche's
//! outcome may end before the legal final (see [`StopWhen`]). The rules live
//! here, apart from the interpreter, because each is a small proof about
//! the priority of payments that must be revisited whenever a step kind is
//! added.

use crate::model::{Liabilities, Step};
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
    /// every reserve and the ramp-up account are empty). All its cash
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
/// test cures, PDL cures and a residual held back for the PDL, guarantee
/// payouts, reserves released at the legal final, interest left at the
/// legal final) only adds to what it receives. So if
/// no tranche in the queue can grow (none is deferrable), the queue is
/// certain to be repaid once the pool's scheduled principal and recoveries
/// still to come cover its balances. A tranche funded as drawn can grow
/// (its balance rises with the draws), so a queue with one is never certain
/// before it is repaid; and "repaid" itself needs no undrawn commitment
/// left. Cash from the ramp-up account (its interest, cancelled draws) only
/// adds to what the waterfall has.
pub(super) struct RepaymentWatch<'a> {
    tranche: usize,
    /// Fees paid to the tranche (commitment fees).
    fees_to: Vec<usize>,
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
        let fees_to = (0..liabilities.fees.len())
            .filter(|&f| liabilities.fees[f].payee() == Some(tranche))
            .collect();
        RepaymentWatch {
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

    /// Whether the watch's condition holds after period k's payments.
    pub(super) fn certain(&self, s: &Scratch, k: usize) -> bool {
        let t = self.tranche;
        let repaid = s.balance[t] == Money::ZERO
            && s.funding.undrawn.get(t).is_none_or(|u| *u == Money::ZERO);
        match self.until {
            Until::Repaid => repaid,
            Until::ReceivedAll {
                residual_payee,
                dry_from,
            } => {
                (repaid
                    && s.deferred[t] == Money::ZERO
                    && !residual_payee
                    && self.fees_to.iter().all(|&f| s.fee_unpaid[f] == Money::ZERO))
                    || (k >= dry_from
                        && s.reserve.iter().all(|r| *r == Money::ZERO)
                        && s.funding.ramp_up == Money::ZERO)
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
/// names up to `t`, when none of them is deferrable. None with an event of
/// default: after one, principal proceeds pay fees and interest first.
fn repayment_queue(liabilities: &Liabilities, t: usize) -> Option<&[usize]> {
    if liabilities.acceleration.is_some() {
        return None;
    }
    match liabilities.principal_steps.first() {
        Some(Step::Principal(step)) if !step.pro_rata => step
            .tranches
            .iter()
            .position(|&q| q == t)
            .map(|i| &step.tranches[..=i])
            .filter(|queue| {
                queue.iter().all(|&q| {
                    let tranche = &liabilities.tranches[q];
                    !tranche.deferrable && tranche.funding == Funding::AtClose
                })
            }),
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
        assert!(!watch.certain(&scratch(&[1, 50, 30], &[0; 3]), 1));
        assert!(watch.certain(&scratch(&[0, 50, 30], &[0; 3]), 1));
        // Deferred interest does not matter to a repayment.
        assert!(watch.certain(&scratch(&[0, 50, 30], &[7, 0, 0]), 1));
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
        assert!(watch.certain(&balances(100), 0));
        watch.collected(&pool, 1);
        assert!(!watch.certain(&balances(96), 1));
        assert!(watch.certain(&balances(95), 1));
        watch.collected(&pool, 2);
        assert!(!watch.certain(&balances(71), 2));
        assert!(watch.certain(&balances(70), 2));
        // The mezzanine's queue holds the senior too: 100 + 50 > 105, but
        // 60 + 45 is covered.
        let mezzanine = StopWhen::CertainlyRepaid(1);
        let watch = RepaymentWatch::new(&liabilities, &pool, PERIODS, mezzanine);
        assert!(!watch.certain(&scratch(&[100, 50, 30], &[0; 3]), 0));
        assert!(watch.certain(&scratch(&[60, 45, 30], &[0; 3]), 0));
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
                .certain(&covered, 0)
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
        assert!(watch.certain(&repaid, 0));
    }

    /// `ReceivedAll`: a repaid tranche with no deferred interest that no
    /// residual step pays; or any tranche once no cash can enter again
    /// (after period 3, the last with pool collections) with every reserve
    /// empty.
    #[test]
    fn received_all_waits_for_the_last_cash_the_tranche_can_get() {
        let mut liabilities = liabilities(false);
        fn watch<'a>(l: &'a Liabilities, t: usize) -> RepaymentWatch<'a> {
            RepaymentWatch::new(l, &pool(), PERIODS, StopWhen::ReceivedAll(t))
        }
        let mezzanine = watch(&liabilities, 1);
        assert!(mezzanine.certain(&scratch(&[100, 0, 30], &[0; 3]), 1));
        assert!(!mezzanine.certain(&scratch(&[100, 0, 30], &[0, 2, 0]), 1));
        assert!(!mezzanine.certain(&scratch(&[100, 5, 30], &[0; 3]), 1));
        // The first loss takes the residual: repaid is not enough.
        let first_loss = watch(&liabilities, 2);
        assert!(!first_loss.certain(&scratch(&[100, 50, 0], &[0; 3]), 2));
        // Period 4 collects principal (40), so nothing is final before it.
        assert!(!first_loss.certain(&scratch(&[100, 50, 30], &[0; 3]), 3));
        assert!(first_loss.certain(&scratch(&[100, 50, 30], &[0; 3]), 4));
        // A reserve with cash left can still pay out.
        liabilities.reserves.push(ReserveModel {
            name: "reserve".into(),
            tranches: vec![0],
            target: ReserveTargetModel::Amount(Money::from_minor(10)),
            initial: Money::ZERO,
        });
        let mut holding = scratch(&[100, 50, 30], &[0; 3]);
        holding.reserve = money(&[4]);
        assert!(!watch(&liabilities, 2).certain(&holding, 4));
        holding.reserve = money(&[0]);
        assert!(watch(&liabilities, 2).certain(&holding, 4));
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
        assert!(!watch.certain(&owed, 3) && watch.certain(&owed, 4));
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
