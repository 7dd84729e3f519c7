//! Step-by-step audit trail of one path: every step of every period, with
//! the funds available before, the amount paid, to whom, and what is left.
//!
//! The interpreter is generic over a [`Tracer`]; [`NoTrace`] compiles every
//! trace call away, so the simulation loop pays nothing for the feature.

use crate::money::Money;
use crate::spec::StepList;

/// Who a step paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payee {
    /// A tranche (index).
    Tranche(usize),
    /// A fee (index in `Liabilities::fees`).
    Fee(usize),
    /// A reserve account (index).
    Reserve(usize),
    /// A coverage test's evaluation (index; pays nobody).
    Test(usize),
    /// The principal deficiency ledger as a whole (a cure paid into the
    /// principal proceeds).
    Pdl,
}

/// One step's effect in one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepTrace {
    /// Period k (1..=K).
    pub period: usize,
    /// The list the step is in.
    pub list: StepList,
    /// Position of the step in its list (0-based).
    pub step: usize,
    /// The step's kind.
    pub kind: &'static str,
    /// Who was paid.
    pub payee: Payee,
    /// Funds available before the payment (for a reserve draw: the reserve's
    /// balance).
    pub available_before: Money,
    /// Amount paid (negative: a reserve released cash into the waterfall).
    pub paid: Money,
    /// Funds available after the payment.
    pub available_after: Money,
    /// What happened, in words (test results, reserve targets).
    pub note: String,
}

/// Receives the steps of a run.
pub trait Tracer {
    /// Whether steps are recorded at all (false compiles tracing away).
    const ACTIVE: bool;
    /// Records one step.
    fn step(&mut self, step: StepTrace);
}

/// Records nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTrace;

impl Tracer for NoTrace {
    const ACTIVE: bool = false;
    fn step(&mut self, _: StepTrace) {}
}

/// Keeps every step, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepLog {
    /// The steps, in the order they ran.
    pub steps: Vec<StepTrace>,
}

impl Tracer for StepLog {
    const ACTIVE: bool = true;
    fn step(&mut self, step: StepTrace) {
        self.steps.push(step);
    }
}
