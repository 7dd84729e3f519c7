//! A loan's performing schedule on the facility's grid and its default
//! thresholds.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::money::{Money, Rate, div_round_half_even};
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
    /// Principal outstanding at the start of each period, with the draws
    /// made during it (the exposure if the loan defaults in that period).
    pub balance_start: Vec<Money>,
    /// Interest added to the balance (capitalised) per period, instead of
    /// paid (zero outside a `capitalise_until` window).
    pub capitalised: Vec<Money>,
    /// Draws as (facility period in which the draw is funded, amount), in
    /// date order: period 0 is the closing date. A single draw of the whole
    /// amount unless the project has a draw schedule.
    pub draws: Vec<(usize, Money)>,
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

    /// The loan's total principal (every draw).
    pub fn amount(&self) -> Money {
        self.draws.iter().map(|&(_, amount)| amount).sum()
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
///
/// The loan draws its amount on its draw dates (one draw on `start_date`
/// unless the project has a schedule). In period k it accrues interest on
/// its balance from `max(d_{k-1}, start)` to `min(d_k, maturity)`, a draw
/// made during the period accruing from its date (one half-even rounding
/// per stretch between draws). Interest of a period ending on or before
/// `capitalise_until` is added to the balance instead of paid. Principal is
/// repaid in the periods ending after the last draw and after
/// `capitalise_until` (all of them for a single draw without
/// capitalisation): the whole balance then, linearly or at maturity.
pub fn compile_loan(
    project: &ProjectSpec,
    principal: Money,
    calendar: &Calendar,
    risk: LoanRisk,
) -> Option<LoanModel> {
    let coupon = Rate::from_f64(project.coupon)?;
    let (dates, start) = (calendar.dates(), project.start_date);
    let first_period = dates.partition_point(|&d| d <= start);
    let last_period = calendar.period_of(project.maturity_date);
    if first_period == 0 || first_period > last_period {
        return None;
    }
    let draws = draw_amounts(project, principal)?;
    let (latent, curve) = (risk.latent.clone(), risk.curve.clone());
    let last_draw = draws.last().map_or(start, |&(date, _)| date);
    let repay_after = project
        .capitalise_until
        .map_or(last_draw, |until| until.max(last_draw));
    let repayments = (first_period..=last_period)
        .filter(|&k| dates[k] > repay_after)
        .count();
    let mut loan = empty_loan(risk, (first_period, last_period), dates, &draws);
    let mut balance = Money::ZERO;
    let mut pending = draws.iter().peekable();
    let mut installments = Vec::new();
    for k in first_period..=last_period {
        // Draws of earlier periods (and one on the period's first day).
        while let Some(&&(date, amount)) = pending.peek()
            && date <= dates[k - 1]
        {
            balance += amount;
            pending.next();
        }
        let window = (
            dates[k - 1].max(start),
            dates[k].min(project.maturity_date),
            dates[k],
        );
        let (interest, exposure) =
            accrue_with_draws(coupon, calendar, window, &mut balance, &mut pending);
        loan.balance_start.push(exposure);
        if project
            .capitalise_until
            .is_some_and(|until| dates[k] <= until)
        {
            balance += interest;
            loan.capitalised.push(interest);
            loan.interest.push(Money::ZERO);
        } else {
            loan.capitalised.push(Money::ZERO);
            loan.interest.push(interest);
        }
        let installment = if dates[k] > repay_after {
            if installments.is_empty() {
                installments = amortization(project.amortization, balance, repayments);
                installments.reverse();
            }
            installments.pop().unwrap_or(Money::ZERO)
        } else {
            Money::ZERO
        };
        loan.principal.push(installment);
        let years = calendar.year_fraction(start, window.1).as_f64();
        loan.thresholds
            .push(latent.threshold(curve.cumulative_pd(years)));
        balance -= installment;
    }
    Some(loan)
}

/// A loan with its risk and draws (dated on the grid `dates`) and room for
/// the schedule of periods `first..=last`.
fn empty_loan(
    risk: LoanRisk,
    (first_period, last_period): (usize, usize),
    dates: &[NaiveDate],
    draws: &[(NaiveDate, Money)],
) -> LoanModel {
    let count = last_period - first_period + 1;
    let draws = draws
        .iter()
        .map(|&(date, amount)| (dates.partition_point(|&d| d < date), amount))
        .collect();
    LoanModel {
        mineral: risk.factors.0,
        country: risk.factors.1,
        region: risk.factors.2,
        loadings: risk.loadings,
        first_period,
        interest: Vec::with_capacity(count),
        principal: Vec::with_capacity(count),
        balance_start: Vec::with_capacity(count),
        capitalised: Vec::with_capacity(count),
        draws,
        thresholds: Vec::with_capacity(count),
        recovery: risk.recovery,
    }
}

/// A period's interest on `balance` from `window.0` to `window.1`, with the
/// draws dated up to the period's end `window.2` added to the balance on
/// their dates (each stretch between draws rounded half to even), and the
/// exposure: the balance at the start of the period with those draws.
fn accrue_with_draws<'d>(
    coupon: Rate,
    calendar: &Calendar,
    (accrual_start, accrual_end, period_end): (NaiveDate, NaiveDate, NaiveDate),
    balance: &mut Money,
    pending: &mut std::iter::Peekable<std::slice::Iter<'d, (NaiveDate, Money)>>,
) -> (Money, Money) {
    let mut exposure = *balance;
    let mut from = accrual_start;
    let mut interest = Money::ZERO;
    while let Some(&&(date, amount)) = pending.peek()
        && date <= period_end
    {
        if date > from {
            interest += coupon.accrue(*balance, calendar.year_fraction(from, date));
            from = date;
        }
        *balance += amount;
        exposure += amount;
        pending.next();
    }
    interest += coupon.accrue(*balance, calendar.year_fraction(from, accrual_end));
    (interest, exposure)
}

/// The project's draws as (date, amount): one draw of `principal` on the
/// start date, or the schedule's shares of it, each rounded so that the
/// running totals are `round(principal x cumulative share)` (half to
/// even) and the amounts add up to `principal` exactly. `None` if a product
/// overflows 128 bits.
fn draw_amounts(project: &ProjectSpec, principal: Money) -> Option<Vec<(NaiveDate, Money)>> {
    if project.draws.is_empty() {
        return Some(vec![(project.start_date, principal)]);
    }
    let mut cumulative = Decimal::ZERO;
    let mut drawn = 0_i128;
    let mut amounts = Vec::with_capacity(project.draws.len());
    for &(date, share) in &project.draws {
        cumulative += share;
        let scale = 10_i128.checked_pow(cumulative.scale())?;
        let product = i128::from(principal.minor()).checked_mul(cumulative.mantissa())?;
        let total = div_round_half_even(product, scale);
        amounts.push((date, Money::from_minor(i64::try_from(total - drawn).ok()?)));
        drawn = total;
    }
    Some(amounts)
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
