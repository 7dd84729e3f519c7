//! Compiles the loan pool of a facility under a scenario: schedules,
//! thresholds, loadings, recovery laws and fixed factors.

use super::copula::LatentLaw;
use super::default_curve::{CurveError, DefaultCurve};
use super::factors::{FactorLoadings, FactorNames};
use super::loan::{self, LoanModel, LoanRisk};
use super::normal::standard_normal_quantile;
use super::recovery::RecoveryLaw;
use super::{Calendar, ModelError, PoolModel, PoolSchedule, to_money, to_rate};
use crate::money::Money;
use crate::spec::{
    CorrelationShares, FacilitySpec, FactorRef, ProjectSpec, RiskSpec, ScenarioSpec, ShiftLevel,
};

/// Systematic factors held at fixed values on every path (a scenario's
/// factor shifts): the factor is still drawn, so every other number of the
/// path is the same as in the base case (common random numbers), and then
/// replaced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FixedFactors {
    /// The global factor's value, if fixed.
    pub global: Option<f64>,
    /// (mineral index, value).
    pub minerals: Vec<(usize, f64)>,
    /// (country index, value).
    pub countries: Vec<(usize, f64)>,
    /// (region index, value).
    pub regions: Vec<(usize, f64)>,
}

impl FixedFactors {
    /// Whether no factor is fixed.
    pub fn is_empty(&self) -> bool {
        self.global.is_none()
            && self.minerals.is_empty()
            && self.countries.is_empty()
            && self.regions.is_empty()
    }
}

/// Compiles the pool of `spec` with `scenario`'s overlays.
pub fn compile_pool(
    spec: &FacilitySpec,
    scenario: &ScenarioSpec,
    calendar: &Calendar,
) -> Result<PoolModel, ModelError> {
    let latent = LatentLaw::new(spec.risk.copula).ok_or(ModelError::Copula)?;
    let mut factors = FactorNames::default();
    let mut loans = Vec::with_capacity(spec.projects.len());
    for project in &spec.projects {
        let principal = to_money(
            project.amount,
            &spec.currency,
            format!("project {}", project.id),
        )?;
        to_rate(project.coupon, format!("project {} coupon", project.id))?;
        let shares = scenario
            .correlation
            .unwrap_or_else(|| shares_for(&spec.risk, &project.mineral));
        let risk = LoanRisk {
            factors: (
                factors.mineral_index(&project.mineral),
                factors.country_index(&project.country),
                project.region.as_deref().map(|r| factors.region_index(r)),
            ),
            loadings: FactorLoadings::new(shares, project.region.is_some()),
            curve: default_curve(spec, project, calendar)?.scaled(scenario.pd_multiplier(project)),
            latent: latent.clone(),
            recovery: recovery_law(project, scenario.recovery_haircut(project))?,
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
        notional: loans.iter().map(LoanModel::amount).sum(),
        fixed_factors: fixed_factors(scenario, &factors)?,
        loans,
        factors,
        latent,
        recovery_systematic_weight: spec.risk.recovery_systematic_weight,
        recovery_period: (0..=periods)
            .map(|k| calendar.period_after_months(k, lag))
            .collect(),
        acquisitions: super::acquisitions::compile_acquisitions(spec, scenario, calendar),
        importance: None,
    })
}

fn fixed_factors(scenario: &ScenarioSpec, names: &FactorNames) -> Result<FixedFactors, ModelError> {
    let mut fixed = FixedFactors::default();
    for shift in &scenario.factor_shifts {
        let value = match shift.level {
            ShiftLevel::Quantile(q) => standard_normal_quantile(q),
            ShiftLevel::Value(v) => v,
        };
        let index = |list: &[String], name: &str| {
            list.iter()
                .position(|n| n == name)
                .ok_or_else(|| ModelError::Scenario {
                    scenario: scenario.name.clone(),
                    what: format!("no project loads on the factor {name}"),
                })
        };
        match &shift.factor {
            FactorRef::Global => fixed.global = Some(value),
            FactorRef::Mineral(m) => fixed.minerals.push((index(&names.minerals, m)?, value)),
            FactorRef::Country(c) => fixed.countries.push((index(&names.countries, c)?, value)),
            FactorRef::Region(r) => fixed.regions.push((index(&names.regions, r)?, value)),
        }
    }
    Ok(fixed)
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

/// The law of a project's recovery after a relative `haircut` of its mean
/// and sd (which keeps a Beta law feasible).
fn recovery_law(project: &ProjectSpec, haircut: f64) -> Result<RecoveryLaw, ModelError> {
    let kept = 1.0 - haircut;
    let (mean, sd) = (project.recovery_mean * kept, project.recovery_sd * kept);
    RecoveryLaw::from_moments(mean, sd).ok_or_else(|| ModelError::RecoveryLaw {
        id: project.id.clone(),
        mean,
        sd,
    })
}

fn performing_schedule(loans: &[LoanModel], periods: usize) -> PoolSchedule {
    let mut schedule = PoolSchedule {
        interest: vec![Money::ZERO; periods + 1],
        principal: vec![Money::ZERO; periods + 1],
        performing_balance: vec![Money::ZERO; periods + 1],
        draws: vec![Money::ZERO; periods + 1],
        capitalised: vec![Money::ZERO; periods + 1],
    };
    for loan in loans {
        for &(k, amount) in &loan.draws {
            schedule.draws[k] += amount;
        }
        for (j, k) in (loan.first_period..=loan.last_period()).enumerate() {
            schedule.capitalised[k] += loan.capitalised[j];
        }
        for (j, k) in (loan.first_period..=loan.last_period()).enumerate() {
            schedule.interest[k] += loan.interest[j];
            schedule.principal[k] += loan.principal[j];
            schedule.performing_balance[k] += loan.balance_start[j];
        }
    }
    schedule
}
