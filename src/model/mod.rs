//! Model stage: compiles a validated [`FacilitySpec`] into what the hot loop
//! reads without further checks: the period grid, every loan's performing
//! schedule in minor units, per-period default thresholds, recovery tables,
//! the factor structure and the liabilities.

mod acquisitions;
mod beta_inverse;
mod calendar;
mod copula;
mod default_curve;
mod factors;
mod importance;
mod liabilities;
mod loan;
mod normal;
mod parties;
mod pool;
mod recovery;

pub use acquisitions::{AcquisitionModel, intensity_of};
pub use calendar::{Calendar, year_fraction};
pub use copula::{LatentLaw, NORMAL_LIMIT_DOF, student_t_quantile};
pub use default_curve::{CurveError, DefaultCurve};
pub use factors::{FactorLoadings, FactorNames};
pub use importance::FactorShift;
pub use liabilities::*;
pub use loan::{LoanModel, LoanRisk};
pub use normal::{standard_normal_cdf, standard_normal_quantile};
pub use parties::{
    Holders, PartiesModel, PartyModel, discount_factor, grant_element, present_value,
};
pub use pool::FixedFactors;
pub use recovery::{QuantileTable, RecoveryLaw, TABLE_INTERVALS, beta_shapes};

use crate::money::{Money, Rate};
use crate::spec::{Currency, FacilitySpec, ScenarioSpec};

/// Why a validated spec could not be compiled.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ModelError {
    /// An amount does not fit the currency's minor units.
    #[error("{what}: amount {amount} cannot be held in minor units of {currency}")]
    Amount {
        /// What the amount belongs to.
        what: String,
        /// The amount as given.
        amount: String,
        /// Currency code.
        currency: String,
    },
    /// A rate is not a finite number.
    #[error("{what}: rate {rate} is not a finite number")]
    Rate {
        /// What the rate belongs to.
        what: String,
        /// The rate as given.
        rate: f64,
    },
    /// A loan has no payment date on the facility's grid.
    #[error(
        "project {id}: no payment date of the facility falls in its life ({start} to {maturity})"
    )]
    LoanOffGrid {
        /// Project id.
        id: String,
        /// Loan start.
        start: chrono::NaiveDate,
        /// Loan maturity.
        maturity: chrono::NaiveDate,
    },
    /// A waterfall step cannot be compiled (validation catches this first).
    #[error("{step}: {what}")]
    Waterfall {
        /// The step, e.g. `waterfall.interest[2]`.
        step: String,
        /// What is wrong.
        what: String,
    },
    /// A scenario cannot be applied.
    #[error("scenario {scenario}: {what}")]
    Scenario {
        /// Scenario name.
        scenario: String,
        /// What is wrong.
        what: String,
    },
    /// A project's rating or PD curve is not defined in the facility file.
    #[error("project {id}: {what}")]
    DefaultCurve {
        /// Project id.
        id: String,
        /// What is missing.
        what: String,
    },
    /// The copula's degrees of freedom are not positive.
    #[error("risk.copula: degrees of freedom must be positive and finite")]
    Copula,
    /// No Beta law has the given recovery moments.
    #[error("project {id}: no Beta law has recovery mean {mean} and sd {sd}")]
    RecoveryLaw {
        /// Project id.
        id: String,
        /// Mean recovery.
        mean: f64,
        /// Recovery sd.
        sd: f64,
    },
}

/// A facility compiled for simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Facility name.
    pub name: String,
    /// Currency of every amount.
    pub currency: Currency,
    /// Payment dates.
    pub calendar: Calendar,
    /// The loan pool and its risk model.
    pub pool: PoolModel,
    /// The tranches and fees.
    pub liabilities: Liabilities,
    /// Who holds the tranches and the guarantee.
    pub parties: PartiesModel,
}

/// The loan pool: what it pays if every loan performs, and how loans default
/// and recover.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolModel {
    /// Every loan, in project-list order.
    pub loans: Vec<LoanModel>,
    /// Names of the mineral, country and region factors.
    pub factors: FactorNames,
    /// Marginal law of the latent variables (Gaussian or Student t).
    pub latent: LatentLaw,
    /// Factors a scenario holds fixed.
    pub fixed_factors: FixedFactors,
    /// Sensitivity of recoveries to the systematic factor, in [0, 1].
    pub recovery_systematic_weight: f64,
    /// `recovery_period[k]`: period in which a default in period k recovers.
    pub recovery_period: Vec<usize>,
    /// Pool collections per period 0..=K if no loan defaults.
    pub performing: PoolSchedule,
    /// Total principal of the pool.
    pub notional: Money,
    /// Sponsors acquired by PRC-linked entities (`[nexus_events]`).
    pub acquisitions: Option<AcquisitionModel>,
    /// The factors' sampling law under importance sampling (`None`: plain
    /// Monte Carlo, every path's likelihood ratio 1).
    pub importance: Option<FactorShift>,
}

/// Pool amounts per period, indexed 0..=K (index 0, the closing date, is 0).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PoolSchedule {
    /// Interest collected.
    pub interest: Vec<Money>,
    /// Scheduled principal collected.
    pub principal: Vec<Money>,
    /// Principal of performing loans at the start of the period (the base of
    /// the management fee).
    pub performing_balance: Vec<Money>,
    /// Loan draws funded in the period (index 0: at closing).
    pub draws: Vec<Money>,
    /// Interest capitalised into loan balances in the period.
    pub capitalised: Vec<Money>,
}

impl PoolSchedule {
    /// The last period in which a loan draws (0: every loan draws at
    /// closing).
    pub fn last_draw_period(&self) -> usize {
        self.draws
            .iter()
            .rposition(|d| *d != Money::ZERO)
            .unwrap_or(0)
    }
}

impl Model {
    /// Compiles a validated spec. Fails only on values the spec's validation
    /// cannot see (e.g. amounts beyond i64 minor units).
    pub fn compile(spec: &FacilitySpec) -> Result<Model, ModelError> {
        Self::compile_scenario(spec, &ScenarioSpec::base())
    }

    /// Compiles a validated spec under a stress scenario's overlays.
    pub fn compile_scenario(
        spec: &FacilitySpec,
        scenario: &ScenarioSpec,
    ) -> Result<Model, ModelError> {
        let calendar = Calendar::new(
            spec.start_date,
            spec.legal_final_date,
            spec.frequency,
            spec.day_count,
        );
        let pool = pool::compile_pool(spec, scenario, &calendar)?;
        let liabilities = liabilities::compile_liabilities(spec, &calendar)?;
        let parties = parties::compile_parties(spec, &liabilities, &calendar);
        Ok(Model {
            name: spec.name.clone(),
            currency: spec.currency.clone(),
            calendar,
            pool,
            liabilities,
            parties,
        })
    }

    /// Total notional of the tranches.
    pub fn capital(&self) -> Money {
        self.liabilities.tranches.iter().map(|t| t.notional).sum()
    }
}

fn to_money(
    amount: rust_decimal::Decimal,
    currency: &Currency,
    what: String,
) -> Result<Money, ModelError> {
    Money::from_decimal(amount, currency.minor_digits).ok_or_else(|| ModelError::Amount {
        what,
        amount: amount.to_string(),
        currency: currency.code.clone(),
    })
}

fn to_rate(rate: f64, what: String) -> Result<Rate, ModelError> {
    Rate::from_f64(rate).ok_or(ModelError::Rate { what, rate })
}
