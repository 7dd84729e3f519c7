//! What a sizing search solves, fixed for its whole length: the structure
//! varied, the scenarios with their compiled models and pool samples, the
//! target, and for an implied rating the benchmark.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::error::SizingError;
use super::request::SizingRequest;
use super::sample::PoolSample;
use super::structure::Structure;
use super::target::{Metric, Target};
use crate::aggregate::RatingBenchmark;
use crate::model::{Liabilities, Model};
use crate::money::Money;
use crate::spec::{FacilitySpec, ScenarioSpec};
use crate::waterfall::settled_at_start;

/// One scenario of the search: the facility compiled for it, and its pool
/// paths, simulated once and shared by every candidate.
pub(super) struct Case {
    pub(super) scenario: ScenarioSpec,
    pub(super) model: Model,
    pub(super) sample: PoolSample,
}

/// The fixed part of a sizing search.
pub(super) struct Problem<'a> {
    pub(super) structure: Structure<'a>,
    /// The base case first, then the scenarios listed.
    pub(super) cases: Vec<Case>,
    pub(super) request: &'a SizingRequest,
    /// For an implied-rating target: the benchmark and the rating's index.
    pub(super) rating: Option<(RatingBenchmark, usize)>,
    /// Whether the target is a loss of a tranche whose waterfalls cannot
    /// stop before the first period (a deferrable one, say): its searches
    /// screen candidates as an IRR target's do.
    pub(super) screen_losses: bool,
}

impl<'a> Problem<'a> {
    /// The problem of `request` on `structure`, each case's pool simulated
    /// as `settings` says.
    pub(super) fn new(
        structure: Structure<'a>,
        cases: Vec<Case>,
        request: &'a SizingRequest,
        rating: Option<(RatingBenchmark, usize)>,
    ) -> Self {
        let screen_losses = screens_losses(&request.target, &cases[0].model.liabilities);
        Problem {
            structure,
            cases,
            request,
            rating,
            screen_losses,
        }
    }

    /// The target.
    pub(super) fn target(&self) -> &Target {
        &self.request.target
    }

    /// A candidate's cache key: its amount in minor units.
    pub(super) fn key(&self, amount: Decimal) -> i128 {
        let minor = Decimal::from(10i64.pow(self.structure.spec.currency.minor_digits));
        (amount * minor).to_i128().unwrap_or(0)
    }

    /// Whether searches screen candidates before confirming in full: an
    /// implied rating, an IRR, or a loss that waterfalls cannot settle
    /// before the first period.
    pub(super) fn screens(&self) -> bool {
        self.rating.is_some() || self.target().metric.needs_irr() || self.screen_losses
    }

    /// The candidate structure `spec` in scenario `s`: its liabilities on
    /// the scenario's pool, or, when the structure scales the pool, the
    /// whole facility compiled for the scenario.
    pub(super) fn candidate_model(
        &self,
        spec: &FacilitySpec,
        s: usize,
    ) -> Result<Model, SizingError> {
        let case = &self.cases[s];
        Ok(if self.structure.scales_pool() {
            Model::compile_scenario(spec, &case.scenario)?
        } else {
            Model {
                liabilities: Liabilities::compile(spec, &case.model.calendar)?,
                ..case.model.clone()
            }
        })
    }

    /// The target tranche's index in `model` (None when sized to zero: it
    /// has no loss or IRR).
    pub(super) fn target_index(&self, model: &Model) -> Option<usize> {
        let name = &self.target().tranche;
        model
            .liabilities
            .tranches
            .iter()
            .position(|t| &t.name == name && t.notional != Money::ZERO)
    }
}

/// Whether `target` is a loss whose waterfalls can never stop before the
/// first period (a deferrable tranche's, say): its candidates are screened.
fn screens_losses(target: &Target, liabilities: &Liabilities) -> bool {
    match target.metric {
        Metric::ExpectedLoss | Metric::ProbLoss | Metric::LossQuantile(_) => {
            let stop = |t| target.metric.settled(t);
            let tranche = liabilities
                .tranches
                .iter()
                .position(|t| t.name == target.tranche);
            tranche.is_some_and(|t| !settled_at_start(liabilities, stop(t), i128::MAX))
        }
        Metric::IrrQuantile(_) | Metric::ImpliedRating => false,
    }
}
