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
    /// The guarantor (a reimbursement of its payouts).
    Guarantor,
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
    /// What happened, in words (test results, reserve targets), with its
    /// amounts kept exact until the report formats them.
    pub note: Note,
}

/// A step's note: words and amounts, in order. Amounts stay in minor units
/// here (the waterfall knows no currency); [`Note::render`] writes them the
/// way a person reads money (`USD 12,074,116.18`), through
/// [`crate::format`], like every other amount a person reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Note(Vec<NotePart>);

/// A piece of a [`Note`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotePart {
    /// Words.
    Text(String),
    /// An amount in minor units.
    Amount(Money),
}

impl Note {
    /// A note that starts with `text`.
    pub fn text(text: impl Into<String>) -> Note {
        Note(vec![NotePart::Text(text.into())])
    }

    /// The note followed by `text`.
    pub fn then(mut self, text: impl Into<String>) -> Note {
        self.0.push(NotePart::Text(text.into()));
        self
    }

    /// The note followed by an amount.
    pub fn amount(mut self, amount: Money) -> Note {
        self.0.push(NotePart::Amount(amount));
        self
    }

    /// Its pieces, in order.
    pub fn parts(&self) -> &[NotePart] {
        &self.0
    }

    /// The note as a person reads it, amounts exact to the minor unit with
    /// the currency code: `principal needed to pass USD 12,074,116.18`.
    pub fn render(&self, minor_digits: u32, currency: &str) -> String {
        self.0
            .iter()
            .map(|part| match part {
                NotePart::Text(text) => text.clone(),
                NotePart::Amount(amount) => {
                    crate::format::money_exact(*amount, minor_digits, currency)
                }
            })
            .collect()
    }
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
