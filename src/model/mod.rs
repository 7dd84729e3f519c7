//! Model stage: compiles a validated [`FacilitySpec`] into what the hot loop
//! reads without further checks: the period grid, every loan's performing
//! schedule in minor units, per-period default thresholds, recovery tables,
//! the factor structure and the liabilities.

mod calendar;
mod copula;
mod default_curve;
mod factors;
mod liabilities;
mod loan;
mod normal;
mod recovery;

use std::collections::HashMap;

pub use calendar::{Calendar, year_fraction};
pub use copula::LatentLaw;
pub use default_curve::{CurveError, DefaultCurve};
pub use factors::{FactorLoadings, FactorNames};
pub use liabilities::*;
pub use loan::{LoanModel, LoanRisk};
pub use normal::{standard_normal_cdf, standard_normal_quantile};
pub use recovery::{QuantileTable, RecoveryLaw, TABLE_INTERVALS, beta_shapes};

use crate::money::{Money, Rate};
use crate::spec::{CorrelationShares, Currency, FacilitySpec, ProjectSpec, RiskSpec};

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
    /// A waterfall step cannot be compiled (validation catches this first).
    #[error("{step}: {what}")]
    Waterfall {
        /// The step, e.g. `waterfall.interest[2]`.
        step: String,
        /// What is wrong.
        what: String,
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
    /// Sensitivity of recoveries to the systematic factor, in [0, 1].
    pub recovery_systematic_weight: f64,
    /// `recovery_period[k]`: period in which a default in period k recovers.
    pub recovery_period: Vec<usize>,
    /// Pool collections per period 0..=K if no loan defaults.
    pub performing: PoolSchedule,
    /// Total principal of the pool.
    pub notional: Money,
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
}

impl Model {
    /// Compiles a validated spec. Fails only on values the spec's validation
    /// cannot see (e.g. amounts beyond i64 minor units).
    pub fn compile(spec: &FacilitySpec) -> Result<Model, ModelError> {
        let calendar = Calendar::new(
            spec.start_date,
            spec.legal_final_date,
            spec.frequency,
            spec.day_count,
        );
        let pool = compile_pool(spec, &calendar)?;
        let liabilities = liabilities::compile_liabilities(spec, &calendar)?;
        Ok(Model {
            name: spec.name.clone(),
            currency: spec.currency.clone(),
            calendar,
            pool,
            liabilities,
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

fn compile_pool(spec: &FacilitySpec, calendar: &Calendar) -> Result<PoolModel, ModelError> {
    let latent = LatentLaw::new(spec.risk.copula).ok_or(ModelError::Copula)?;
    let mut factors = FactorNames::default();
    let mut laws = RecoveryLaws::default();
    let mut loans = Vec::with_capacity(spec.projects.len());
    for project in &spec.projects {
        let principal = to_money(
            project.amount,
            &spec.currency,
            format!("project {}", project.id),
        )?;
        to_rate(project.coupon, format!("project {} coupon", project.id))?;
        let risk = LoanRisk {
            factors: (
                factors.mineral_index(&project.mineral),
                factors.country_index(&project.country),
                project.region.as_deref().map(|r| factors.region_index(r)),
            ),
            loadings: FactorLoadings::new(
                shares_for(&spec.risk, &project.mineral),
                project.region.is_some(),
            ),
            curve: default_curve(spec, project, calendar)?,
            latent: latent.clone(),
            recovery: laws.get(project)?,
        };
        let loan = loan::compile_loan(project, principal, calendar, risk).ok_or_else(|| {
            ModelError::LoanOffGrid {
                id: project.id.clone(),
                start: project.start_date,
                maturity: project.maturity_date,
            }
        })?;
        loans.push(loan);
    }
    let periods = calendar.periods();
    let lag = spec.risk.recovery_lag_months;
    Ok(PoolModel {
        performing: performing_schedule(&loans, periods),
        notional: loans.iter().map(|l| l.balance_start[0]).sum(),
        loans,
        factors,
        latent,
        recovery_systematic_weight: spec.risk.recovery_systematic_weight,
        recovery_period: (0..=periods)
            .map(|k| calendar.period_after_months(k, lag))
            .collect(),
    })
}

/// The correlation shares of a mineral's projects.
fn shares_for(risk: &RiskSpec, mineral: &str) -> CorrelationShares {
    risk.correlation_by_mineral
        .iter()
        .find(|(m, _)| m == mineral)
        .map_or(risk.correlation, |&(_, shares)| shares)
}

fn default_curve(
    spec: &FacilitySpec,
    project: &ProjectSpec,
    calendar: &Calendar,
) -> Result<DefaultCurve, ModelError> {
    let curve = DefaultCurve::resolve(&project.pd, &spec.risk.ratings, &spec.risk.pd_curves)
        .map_err(|e| ModelError::DefaultCurve {
            id: project.id.clone(),
            what: match e {
                CurveError::UnknownRating(r) => {
                    format!("rating {r} is not in the facility's rating table")
                }
                CurveError::UnknownCurve(c) => format!("no [risk.pd_curves] entry is named {c}"),
            },
        })?;
    Ok(match project.construction_end {
        Some(end) if end > project.start_date => curve.with_construction(
            calendar.year_fraction(project.start_date, end).as_f64(),
            spec.risk.construction_pd_multiplier,
        ),
        _ => curve,
    })
}

/// Recovery laws, built once per distinct (mean, sd): a Beta table costs
/// thousands of quantile inversions.
#[derive(Default)]
struct RecoveryLaws(HashMap<(u64, u64), RecoveryLaw>);

impl RecoveryLaws {
    fn get(&mut self, project: &ProjectSpec) -> Result<RecoveryLaw, ModelError> {
        let key = (
            project.recovery_mean.to_bits(),
            project.recovery_sd.to_bits(),
        );
        if let Some(law) = self.0.get(&key) {
            return Ok(law.clone());
        }
        let law = RecoveryLaw::from_moments(project.recovery_mean, project.recovery_sd)
            .ok_or_else(|| ModelError::RecoveryLaw {
                id: project.id.clone(),
                mean: project.recovery_mean,
                sd: project.recovery_sd,
            })?;
        self.0.insert(key, law.clone());
        Ok(law)
    }
}

fn performing_schedule(loans: &[LoanModel], periods: usize) -> PoolSchedule {
    let mut schedule = PoolSchedule {
        interest: vec![Money::ZERO; periods + 1],
        principal: vec![Money::ZERO; periods + 1],
        performing_balance: vec![Money::ZERO; periods + 1],
    };
    for loan in loans {
        for (j, k) in (loan.first_period..=loan.last_period()).enumerate() {
            schedule.interest[k] += loan.interest[j];
            schedule.principal[k] += loan.principal[j];
            schedule.performing_balance[k] += loan.balance_start[j];
        }
    }
    schedule
}
