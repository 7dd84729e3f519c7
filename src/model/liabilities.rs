//! The liabilities compiled for the waterfall: tranches, fees, reserves,
//! coverage tests, the guarantee, and the two step lists with every name
//! resolved to an index and every accrual precomputed per period.

use crate::money::{AccrualFactor, Money, Rate};
use crate::spec::{
    AccelerationSpec, CoverageKind, DefaultedValue, FacilitySpec, FeeBasis, Funding, GuaranteeCap,
    PdlRecoveries, ReserveTarget, StepList, StepSpec, TrancheClass,
};

use super::{Calendar, ModelError, to_money, to_rate};

/// The facility's liabilities, most senior tranche first.
#[derive(Debug, Clone, PartialEq)]
pub struct Liabilities {
    /// Tranches, most senior first.
    pub tranches: Vec<TrancheModel>,
    /// Fees, in order of first appearance in the step lists.
    pub fees: Vec<FeeModel>,
    /// Reserve accounts.
    pub reserves: Vec<ReserveModel>,
    /// Coverage tests.
    pub tests: Vec<CoverageTestModel>,
    /// The unfunded guarantee, if any.
    pub guarantee: Option<GuaranteeModel>,
    /// Steps paid from interest proceeds.
    pub interest_steps: Vec<Step>,
    /// Steps paid from principal proceeds.
    pub principal_steps: Vec<Step>,
    /// `reserve_for[t]`: the reserve that pays tranche t's interest
    /// shortfalls, if any.
    pub reserve_for: Vec<Option<usize>>,
    /// The ramp-up account's yield x year fraction per period 0..=K.
    pub ramp_up_accrual: Vec<AccrualFactor>,
    /// The principal deficiency ledger, when a `pdl` step or the residual
    /// rule uses it.
    pub pdl: Option<PdlModel>,
    /// The event of default and the post-acceleration priority, if any.
    pub acceleration: Option<AccelerationModel>,
}

/// The event of default and the post-acceleration priority, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct AccelerationModel {
    /// Payment dates a non-deferrable tranche's interest may stay unpaid
    /// before it is an event of default.
    pub grace_periods: usize,
    /// Every fee (in the order they were defined), then the
    /// `waterfall.acceleration.steps`.
    pub steps: Vec<Step>,
}

/// The principal deficiency ledger's rules, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct PdlModel {
    /// Per loan (project list order), the recovery rate assumed at default
    /// (its recovery mean) when the ledger debits defaults net of it;
    /// `None`: the whole exposure at default, recoveries when received.
    pub assumed_recovery: Option<Vec<f64>>,
    /// An interest-list residual first clears the whole ledger.
    pub residual_after_cure: bool,
}

/// One tranche, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct TrancheModel {
    /// Name.
    pub name: String,
    /// Seniority class.
    pub class: TrancheClass,
    /// Notional in minor units.
    pub notional: Money,
    /// Annual coupon.
    pub coupon: Rate,
    /// The coupon's accrual factor per period 0..=K (coupon x year fraction).
    pub accrual: Vec<AccrualFactor>,
    /// Whether unpaid interest is capitalised.
    pub deferrable: bool,
    /// Whether this is public money.
    pub public: bool,
    /// At closing, or as the loans draw.
    pub funding: Funding,
}

/// A fee, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct FeeModel {
    /// Name.
    pub name: String,
    /// What accrues each period.
    pub accrual: FeeAccrual,
}

/// How a fee accrues each period.
#[derive(Debug, Clone, PartialEq)]
pub enum FeeAccrual {
    /// Rate x year fraction (per period 0..=K) of the performing pool
    /// principal at the start of the period.
    PerformingPool(Vec<AccrualFactor>),
    /// Rate x year fraction of a tranche's balance at the start of the period.
    TrancheBalance {
        /// Tranche index.
        tranche: usize,
        /// Factor per period 0..=K.
        factor: Vec<AccrualFactor>,
    },
    /// A fixed amount every period.
    Fixed(Money),
    /// The guarantee fee: rate x year fraction of the undrawn cap at the
    /// start of the period; paid to the guarantor.
    UndrawnGuarantee(Vec<AccrualFactor>),
    /// A commitment fee: rate x year fraction of a delayed-draw tranche's
    /// undrawn commitment at the start of the period; paid to the tranche.
    UndrawnCommitment {
        /// Tranche index (the payee).
        tranche: usize,
        /// Factor per period 0..=K.
        factor: Vec<AccrualFactor>,
    },
}

impl FeeModel {
    /// The tranche the fee is paid to (a commitment fee), if any.
    pub fn payee(&self) -> Option<usize> {
        match self.accrual {
            FeeAccrual::UndrawnCommitment { tranche, .. } => Some(tranche),
            _ => None,
        }
    }
}

/// A reserve account, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct ReserveModel {
    /// Name.
    pub name: String,
    /// The tranches whose interest shortfalls it pays (each at its interest
    /// step, in the order of the list).
    pub tranches: Vec<usize>,
    /// Its target.
    pub target: ReserveTargetModel,
    /// Its balance at closing (funded by the tranches funded then).
    pub initial: Money,
}

/// Target balance of a reserve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReserveTargetModel {
    /// A fixed amount.
    Amount(Money),
    /// This many periods of the covered tranches' current interest.
    InterestPeriods(i64),
}

/// A coverage test, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageTestModel {
    /// Name.
    pub name: String,
    /// OC or IC.
    pub kind: CoverageKind,
    /// The covered tranche: it and every tranche senior to it (indices
    /// `0..=tranche`) form the denominator.
    pub tranche: usize,
    /// The minimum ratio as given.
    pub min_ratio: f64,
    /// The minimum ratio as an exact fraction `numerator / denominator`.
    pub ratio: ExactRatio,
    /// The first period in which the test is run (its effective date's
    /// period; 1 without one).
    pub first_period: usize,
    /// Per loan (project list order), the share of its exposure at which
    /// an OC test carries it from its default until its recovery is
    /// collected; `None`: defaulted loans count at zero.
    pub carried_at: Option<Vec<f64>>,
}

/// A positive ratio held as an exact fraction of integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExactRatio {
    /// Numerator (> 0).
    pub numerator: i128,
    /// Denominator (> 0).
    pub denominator: i128,
}

impl ExactRatio {
    /// The ratio a decimal float from an input file stands for (its
    /// shortest decimal representation, as for rates).
    pub fn from_f64(x: f64) -> Option<ExactRatio> {
        if !(x.is_finite() && x > 0.0) {
            return None;
        }
        let decimal: rust_decimal::Decimal = format!("{x}").parse().ok()?;
        let numerator = decimal.mantissa();
        let denominator = 10_i128.checked_pow(decimal.scale())?;
        (numerator > 0).then_some(ExactRatio {
            numerator,
            denominator,
        })
    }

    /// The largest amount `d` with `value / d >= ratio`, i.e.
    /// `floor(value x denominator / numerator)`.
    pub fn largest_covered(self, value: Money) -> i128 {
        let value = value.minor().max(0);
        // The 64-bit division is several times faster than the 128-bit one
        // and covers every realistic amount and ratio (tested once a period
        // on every path).
        if let (Ok(value), Ok(numerator), Ok(denominator)) = (
            u64::try_from(value),
            u64::try_from(self.numerator),
            u64::try_from(self.denominator),
        ) && let Some(product) = value.checked_mul(denominator)
        {
            return i128::from(product / numerator);
        }
        (i128::from(value) * self.denominator).div_euclid(self.numerator)
    }
}

/// The unfunded guarantee, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct GuaranteeModel {
    /// Name.
    pub name: String,
    /// Most it ever pays.
    pub cap: Money,
    /// Annual fee on the undrawn cap.
    pub fee_rate: Rate,
    /// Its fee's index in [`Liabilities::fees`] (when a fee is charged).
    pub fee: Option<usize>,
    /// Whether the guarantor is public.
    pub public: bool,
}

/// One step of a list, names resolved to indices.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Pay fee `usize` (due plus unpaid).
    Fee(usize),
    /// Pay tranche `usize`'s interest (deferred, then current).
    Interest(usize),
    /// Run coverage test `usize`.
    CoverageTest(usize),
    /// Top up reserve `usize`.
    Reserve(usize),
    /// Repay principal.
    Principal(PrincipalStep),
    /// Pay everything left to tranche `usize`.
    Residual(usize),
    /// Clear the principal deficiency ledger charged to a tranche (`None`:
    /// the whole ledger) into the principal proceeds.
    Pdl(Option<usize>),
    /// Reimburse the guarantor its payouts not yet reimbursed.
    GuarantorReimbursement,
}

/// A principal step, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalStep {
    /// Tranche indices, in the order listed.
    pub tranches: Vec<usize>,
    /// Pro rata (else sequential in the order listed).
    pub pro_rata: bool,
    /// Pro rata turns sequential once a coverage test has failed.
    pub sequential_after_test_failure: bool,
}

/// A rate's accrual factor for every period 0..=K (period 0 accrues nothing).
fn accrual_factors(rate: Rate, calendar: &Calendar) -> Vec<AccrualFactor> {
    (0..=calendar.periods())
        .map(|k| rate.factor(calendar.accrual(k)))
        .collect()
}

fn bps_rate(bps: f64, what: String) -> Result<Rate, ModelError> {
    let decimal: Option<rust_decimal::Decimal> = format!("{bps}").parse().ok();
    decimal
        .and_then(|d| Rate::from_decimal(d / rust_decimal::Decimal::from(10_000)))
        .ok_or(ModelError::Rate { what, rate: bps })
}

/// Compiles the tranches, the guarantee and the step lists (the default
/// order when the spec has no `[waterfall]`).
impl Liabilities {
    /// Compiles the tranches, fees, steps and guarantee of `spec` on
    /// `calendar` (used on its own to try other capital structures on the
    /// same pool).
    pub fn compile(spec: &FacilitySpec, calendar: &Calendar) -> Result<Liabilities, ModelError> {
        compile_liabilities(spec, calendar)
    }
}

pub(super) fn compile_liabilities(
    spec: &FacilitySpec,
    calendar: &Calendar,
) -> Result<Liabilities, ModelError> {
    let tranches = spec
        .tranches
        .iter()
        .map(|t| {
            let coupon = to_rate(t.coupon, format!("tranche {} coupon", t.name))?;
            Ok(TrancheModel {
                name: t.name.clone(),
                class: t.class,
                notional: to_money(t.amount, &spec.currency, format!("tranche {}", t.name))?,
                coupon,
                accrual: accrual_factors(coupon, calendar),
                deferrable: t.deferrable,
                public: t.public,
                funding: t.funding,
            })
        })
        .collect::<Result<Vec<_>, ModelError>>()?;
    let mut builder = Builder {
        spec,
        calendar,
        liabilities: Liabilities {
            reserve_for: vec![None; tranches.len()],
            tranches,
            fees: Vec::new(),
            reserves: Vec::new(),
            tests: Vec::new(),
            guarantee: None,
            interest_steps: Vec::new(),
            principal_steps: Vec::new(),
            ramp_up_accrual: accrual_factors(
                to_rate(spec.ramp_up_yield, "ramp_up_yield".into())?,
                calendar,
            ),
            pdl: None,
            acceleration: None,
        },
    };
    builder.guarantee()?;
    match &spec.waterfall {
        Some(waterfall) => {
            for (list, steps) in [
                (StepList::Interest, &waterfall.interest),
                (StepList::Principal, &waterfall.principal),
            ] {
                for (i, step) in steps.iter().enumerate() {
                    let compiled =
                        builder.step(step, &format!("waterfall.{}[{i}]", list.as_str()))?;
                    builder.push(list, compiled);
                }
            }
        }
        None => builder.default_steps()?,
    }
    if let Some(acceleration) = spec
        .waterfall
        .as_ref()
        .and_then(|w| w.acceleration.as_ref())
    {
        builder.acceleration(acceleration)?;
    }
    let mut liabilities = builder.liabilities;
    liabilities.pdl = pdl_model(spec, &liabilities);
    if !matches!(liabilities.principal_steps.last(), Some(Step::Residual(_))) {
        return Err(ModelError::Waterfall {
            step: "waterfall.principal".into(),
            what: "must end with a residual step".into(),
        });
    }
    Ok(liabilities)
}

/// The ledger's rules when a `pdl` step or the residual rule uses it.
fn pdl_model(spec: &FacilitySpec, liabilities: &Liabilities) -> Option<PdlModel> {
    let rules = spec.waterfall.as_ref()?.pdl;
    let stepped = liabilities
        .interest_steps
        .iter()
        .any(|step| matches!(step, Step::Pdl(_)));
    (stepped || rules.residual_after_cure).then(|| PdlModel {
        assumed_recovery: (rules.recoveries == PdlRecoveries::Expected)
            .then(|| spec.projects.iter().map(|p| p.recovery_mean).collect()),
        residual_after_cure: rules.residual_after_cure,
    })
}

struct Builder<'a> {
    spec: &'a FacilitySpec,
    calendar: &'a Calendar,
    liabilities: Liabilities,
}

impl Builder<'_> {
    fn push(&mut self, list: StepList, step: Step) {
        match list {
            StepList::Interest => self.liabilities.interest_steps.push(step),
            StepList::Principal => self.liabilities.principal_steps.push(step),
            StepList::Accelerated => {
                if let Some(acceleration) = &mut self.liabilities.acceleration {
                    acceleration.steps.push(step);
                }
            }
        }
    }

    /// The post-acceleration priority: every fee, then the listed steps
    /// (interest, principal and residual steps, which create nothing).
    fn acceleration(&mut self, spec: &AccelerationSpec) -> Result<(), ModelError> {
        self.liabilities.acceleration = Some(AccelerationModel {
            grace_periods: spec.grace_periods as usize,
            steps: (0..self.liabilities.fees.len()).map(Step::Fee).collect(),
        });
        for (i, step) in spec.steps.iter().enumerate() {
            let at = format!("waterfall.{}[{i}]", StepList::Accelerated.as_str());
            let compiled = self.step(step, &at)?;
            self.push(StepList::Accelerated, compiled);
        }
        Ok(())
    }

    fn tranche(&self, name: &str, at: &str) -> Result<usize, ModelError> {
        self.liabilities
            .tranches
            .iter()
            .position(|t| t.name == name)
            .ok_or_else(|| ModelError::Waterfall {
                step: at.to_owned(),
                what: format!("no tranche is named `{name}`"),
            })
    }

    fn guarantee(&mut self) -> Result<(), ModelError> {
        let Some(g) = &self.spec.guarantee else {
            return Ok(());
        };
        let currency = &self.spec.currency;
        let cap = match &g.cap {
            GuaranteeCap::Amount(amount) => to_money(*amount, currency, "guarantee.cap".into())?,
            GuaranteeCap::PoolShare(share) => {
                let pool = to_money(self.spec.pool_amount(), currency, "projects".into())?;
                let share = ExactRatio::from_f64(*share).ok_or(ModelError::Rate {
                    what: "guarantee.cap_share".into(),
                    rate: *share,
                })?;
                // Rounded down to the minor unit: the cap is never above
                // the share.
                let minor = i128::from(pool.minor()) * share.numerator / share.denominator;
                Money::from_minor(minor as i64)
            }
        };
        let fee_rate = bps_rate(g.fee_bps, "guarantee.fee_bps".into())?;
        self.liabilities.guarantee = Some(GuaranteeModel {
            name: g.name.clone(),
            cap,
            fee_rate,
            fee: None,
            public: g.public,
        });
        Ok(())
    }

    /// The guarantee fee's index, created on first use.
    fn guarantee_fee(&mut self, at: &str) -> Result<usize, ModelError> {
        let Some(g) = &self.liabilities.guarantee else {
            return Err(ModelError::Waterfall {
                step: at.to_owned(),
                what: "a guarantee_fee step needs a [guarantee] table".into(),
            });
        };
        if let Some(fee) = g.fee {
            return Ok(fee);
        }
        let fee = FeeModel {
            name: g.name.clone(),
            accrual: FeeAccrual::UndrawnGuarantee(accrual_factors(g.fee_rate, self.calendar)),
        };
        self.liabilities.fees.push(fee);
        let index = self.liabilities.fees.len() - 1;
        if let Some(g) = &mut self.liabilities.guarantee {
            g.fee = Some(index);
        }
        Ok(index)
    }

    fn step(&mut self, step: &StepSpec, at: &str) -> Result<Step, ModelError> {
        Ok(match step {
            StepSpec::Fee(fee) => {
                let accrual = self.fee_accrual(&fee.basis, at)?;
                self.liabilities.fees.push(FeeModel {
                    name: fee.name.clone(),
                    accrual,
                });
                Step::Fee(self.liabilities.fees.len() - 1)
            }
            StepSpec::Interest { tranche } => Step::Interest(self.tranche(tranche, at)?),
            StepSpec::CoverageTest(test) => {
                let ratio = ExactRatio::from_f64(test.min_ratio).ok_or(ModelError::Rate {
                    what: format!("{at}.min_ratio"),
                    rate: test.min_ratio,
                })?;
                self.liabilities.tests.push(CoverageTestModel {
                    name: test.name.clone(),
                    kind: test.test,
                    tranche: self.tranche(&test.tranche, at)?,
                    min_ratio: test.min_ratio,
                    ratio,
                    first_period: test.effective_date.map_or(1, |date| {
                        self.calendar.dates().partition_point(|&d| d < date).max(1)
                    }),
                    carried_at: match test.defaulted_value {
                        DefaultedValue::Zero => None,
                        DefaultedValue::RecoveryMean => {
                            Some(self.spec.projects.iter().map(|p| p.recovery_mean).collect())
                        }
                        DefaultedValue::Share(share) => Some(vec![share; self.spec.projects.len()]),
                    },
                });
                Step::CoverageTest(self.liabilities.tests.len() - 1)
            }
            StepSpec::Reserve(reserve) => self.reserve(reserve, at)?,
            StepSpec::Principal(p) => Step::Principal(PrincipalStep {
                tranches: p
                    .tranches
                    .iter()
                    .map(|name| self.tranche(name, at))
                    .collect::<Result<_, _>>()?,
                pro_rata: p.pro_rata,
                sequential_after_test_failure: p.sequential_after_test_failure,
            }),
            StepSpec::Residual { tranche } => Step::Residual(self.tranche(tranche, at)?),
            StepSpec::GuaranteeFee => Step::Fee(self.guarantee_fee(at)?),
            StepSpec::GuarantorReimbursement => Step::GuarantorReimbursement,
            StepSpec::CommitmentFee(fee) => self.commitment_fee(fee, at)?,
            StepSpec::Pdl { tranche } => Step::Pdl(match tranche {
                Some(name) => Some(self.tranche(name, at)?),
                None => None,
            }),
        })
    }

    /// A reserve step: the reserve, compiled, and which tranches it covers.
    fn reserve(
        &mut self,
        reserve: &crate::spec::ReserveSpec,
        at: &str,
    ) -> Result<Step, ModelError> {
        let tranches = match reserve.tranches.as_slice() {
            [] => vec![0],
            names => (names.iter())
                .map(|name| self.tranche(name, at))
                .collect::<Result<_, _>>()?,
        };
        let target = match reserve.target {
            ReserveTarget::Amount(amount) => ReserveTargetModel::Amount(to_money(
                amount,
                &self.spec.currency,
                format!("{at}.target_amount"),
            )?),
            ReserveTarget::InterestPeriods(n) => ReserveTargetModel::InterestPeriods(i64::from(n)),
        };
        let initial = self.initial_deposit(reserve.initial_deposit, at)?;
        self.liabilities.reserves.push(ReserveModel {
            name: reserve.name.clone(),
            tranches: tranches.clone(),
            target,
            initial,
        });
        let index = self.liabilities.reserves.len() - 1;
        for t in tranches {
            self.liabilities.reserve_for[t].get_or_insert(index);
        }
        Ok(Step::Reserve(index))
    }

    /// What a fee step at `at` accrues each period.
    fn fee_accrual(&self, basis: &FeeBasis, at: &str) -> Result<FeeAccrual, ModelError> {
        Ok(match basis {
            FeeBasis::PerformingPool { rate_bps } => FeeAccrual::PerformingPool(accrual_factors(
                bps_rate(*rate_bps, format!("{at}.rate_bps"))?,
                self.calendar,
            )),
            FeeBasis::TrancheBalance { tranche, rate_bps } => FeeAccrual::TrancheBalance {
                tranche: self.tranche(tranche, at)?,
                factor: accrual_factors(
                    bps_rate(*rate_bps, format!("{at}.rate_bps"))?,
                    self.calendar,
                ),
            },
            FeeBasis::Fixed { amount } => FeeAccrual::Fixed(to_money(
                *amount,
                &self.spec.currency,
                format!("{at}.amount"),
            )?),
        })
    }

    /// A commitment fee: a fee paid to its tranche on its undrawn commitment.
    fn commitment_fee(
        &mut self,
        fee: &crate::spec::CommitmentFeeSpec,
        at: &str,
    ) -> Result<Step, ModelError> {
        let tranche = self.tranche(&fee.tranche, at)?;
        self.liabilities.fees.push(FeeModel {
            name: format!("{}_commitment_fee", fee.tranche),
            accrual: FeeAccrual::UndrawnCommitment {
                tranche,
                factor: accrual_factors(
                    bps_rate(fee.rate_bps, format!("{at}.rate_bps"))?,
                    self.calendar,
                ),
            },
        });
        Ok(Step::Fee(self.liabilities.fees.len() - 1))
    }

    /// A reserve's balance at closing.
    fn initial_deposit(
        &self,
        amount: Option<rust_decimal::Decimal>,
        at: &str,
    ) -> Result<Money, ModelError> {
        amount.map_or(Ok(Money::ZERO), |amount| {
            to_money(amount, &self.spec.currency, format!("{at}.initial_deposit"))
        })
    }

    /// The default order: guarantee fee (if a guarantee charges one), the
    /// management fee, every tranche's interest most senior first, residual
    /// to the most junior; principal sequentially, residual to the most
    /// junior.
    fn default_steps(&mut self) -> Result<(), ModelError> {
        let count = self.liabilities.tranches.len();
        if self
            .liabilities
            .guarantee
            .as_ref()
            .is_some_and(|g| g.fee_rate != Rate::ZERO)
        {
            let fee = self.guarantee_fee("guarantee.fee_bps")?;
            self.push(StepList::Interest, Step::Fee(fee));
        }
        let rate = to_rate(
            self.spec.management_fee_bps / 10_000.0,
            "management_fee_bps".into(),
        )?;
        self.liabilities.fees.push(FeeModel {
            name: "management".into(),
            accrual: FeeAccrual::PerformingPool(accrual_factors(rate, self.calendar)),
        });
        let management = self.liabilities.fees.len() - 1;
        self.push(StepList::Interest, Step::Fee(management));
        for t in 0..count {
            self.push(StepList::Interest, Step::Interest(t));
        }
        let Some(junior) = count.checked_sub(1) else {
            return Ok(());
        };
        self.push(StepList::Interest, Step::Residual(junior));
        self.push(
            StepList::Principal,
            Step::Principal(PrincipalStep {
                tranches: (0..count).collect(),
                pro_rata: false,
                sequential_after_test_failure: false,
            }),
        );
        self.push(StepList::Principal, Step::Residual(junior));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// floor(value x 10 / 11) on both sides of the 64-bit fast path: a
    /// 1.10 test covers at most 100 of 110 and 90,909 of 100,000.
    #[test]
    fn largest_covered_is_the_floor_on_both_paths() {
        let ratio = ExactRatio::from_f64(1.10).unwrap();
        assert_eq!((ratio.numerator, ratio.denominator), (11, 10));
        assert_eq!(ratio.largest_covered(Money::from_minor(110)), 100);
        assert_eq!(ratio.largest_covered(Money::from_minor(100_000)), 90_909);
        assert_eq!(ratio.largest_covered(Money::from_minor(-5)), 0);
        // value x denominator overflows u64: the 128-bit path.
        let big = i64::MAX / 2;
        assert_eq!(
            ratio.largest_covered(Money::from_minor(big)),
            i128::from(big) * 10 / 11
        );
    }
}
