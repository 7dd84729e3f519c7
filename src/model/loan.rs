//! A loan's performing schedule on the facility's grid and its default
//! thresholds.

use crate::money::{Money, Rate};
use crate::spec::{Amortization, ProjectSpec};

use super::calendar::Calendar;
use super::copula::LatentLaw;
use super::default_curve::DefaultCurve;
use super::factors::FactorLoadings;
use super::recovery::RecoveryLaw;

/// One loan, compiled: what it pays each period if it performs, and the
/// latent-variable thresholds under which it has defaulted by each period.
///
/// Vectors are indexed by `k - first_period` for periods `first_period..=
/// last_period()` of the facility grid.
#[derive(Debug, Clone, PartialEq)]
pub struct LoanModel {
    /// Index of the loan's mineral factor.
    pub mineral: usize,
    /// Index of the loan's country factor.
    pub country: usize,
    /// Index of the loan's region factor, if it has a region.
    pub region: Option<usize>,
    /// The loan's factor loadings.
    pub loadings: FactorLoadings,
    /// First period in which the loan pays (or can default).
    pub first_period: usize,
    /// Interest paid per period if performing.
    pub interest: Vec<Money>,
    /// Principal repaid per period if performing.
    pub principal: Vec<Money>,
    /// Principal outstanding at the start of each period (the exposure if the
    /// loan defaults in that period).
    pub balance_start: Vec<Money>,
    /// `Phi^-1(PD(t_k))`: the loan has defaulted by period k when its latent
    /// variable is at or below this. Non-decreasing in k.
    pub thresholds: Vec<f64>,
    /// Recovery rate law.
    pub recovery: RecoveryLaw,
}

impl LoanModel {
    /// Last period in which the loan pays.
    pub fn last_period(&self) -> usize {
        self.first_period + self.principal.len() - 1
    }

    /// Threshold at the loan's last period: a latent value above it means the
    /// loan never defaults, which settles most loans on most paths at once.
    pub fn final_threshold(&self) -> f64 {
        *self
            .thresholds
            .last()
            .expect("a loan pays in at least one period")
    }

    /// The period in which a loan with latent value `x` defaults, if any.
    pub fn default_period(&self, x: f64) -> Option<usize> {
        if x > self.final_threshold() {
            return None;
        }
        Some(self.first_period + self.thresholds.partition_point(|&t| t < x))
    }
}

/// What a loan's latent variable is made of and how it defaults and
/// recovers: everything but its cash flows.
pub struct LoanRisk {
    /// Mineral, country and region factor indices.
    pub factors: (usize, usize, Option<usize>),
    /// Factor loadings.
    pub loadings: FactorLoadings,
    /// Cumulative default probability curve.
    pub curve: DefaultCurve,
    /// Marginal law of the latent variable.
    pub latent: LatentLaw,
    /// Recovery law.
    pub recovery: RecoveryLaw,
}

/// Builds the schedule and thresholds of one project's loan.
pub fn compile_loan(
    project: &ProjectSpec,
    principal: Money,
    calendar: &Calendar,
    risk: LoanRisk,
) -> Option<LoanModel> {
    let coupon = Rate::from_f64(project.coupon)?;
    let dates = calendar.dates();
    let first_period = dates.partition_point(|&d| d <= project.start_date);
    let last_period = calendar.period_of(project.maturity_date);
    if first_period == 0 || first_period > last_period {
        return None;
    }
    let installments = amortization(
        project.amortization,
        principal,
        last_period - first_period + 1,
    );
    let mut balance = principal;
    let mut loan = LoanModel {
        mineral: risk.factors.0,
        country: risk.factors.1,
        region: risk.factors.2,
        loadings: risk.loadings,
        first_period,
        interest: Vec::with_capacity(installments.len()),
        principal: installments.clone(),
        balance_start: Vec::with_capacity(installments.len()),
        thresholds: Vec::with_capacity(installments.len()),
        recovery: risk.recovery,
    };
    for (k, installment) in (first_period..=last_period).zip(installments) {
        let accrual_start = dates[k - 1].max(project.start_date);
        let accrual_end = dates[k].min(project.maturity_date);
        loan.interest
            .push(coupon.accrue(balance, calendar.year_fraction(accrual_start, accrual_end)));
        loan.balance_start.push(balance);
        let years = calendar
            .year_fraction(project.start_date, accrual_end)
            .as_f64();
        loan.thresholds
            .push(risk.latent.threshold(risk.curve.cumulative_pd(years)));
        balance -= installment;
    }
    Some(loan)
}

/// Principal installments over `count` periods, summing exactly to `principal`.
fn amortization(kind: Amortization, principal: Money, count: usize) -> Vec<Money> {
    match kind {
        Amortization::Bullet => {
            let mut installments = vec![Money::ZERO; count];
            installments[count - 1] = principal;
            installments
        }
        Amortization::Linear => {
            let count = count as i64;
            // Cumulative targets rounded once each, so the parts sum exactly.
            (0..count)
                .map(|j| principal.mul_div(j + 1, count) - principal.mul_div(j, count))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_installments_sum_exactly() {
        let parts = amortization(Amortization::Linear, Money::from_minor(1_000_001), 3);
        assert_eq!(
            parts.iter().copied().sum::<Money>(),
            Money::from_minor(1_000_001)
        );
        assert_eq!(
            parts,
            vec![
                Money::from_minor(333_334),
                Money::from_minor(333_333),
                Money::from_minor(333_334)
            ]
        );
    }
}
