//! Validated priority of payments and unfunded guarantee: the `[waterfall]`
//! and `[guarantee]` tables of `facility.toml`.
//!
//! A waterfall is two ordered lists of steps, one for interest proceeds and
//! one for principal proceeds. Steps name tranches, fees, tests and reserves
//! by name; validation checks that every name resolves, that every tranche
//! is repaid somewhere and that the lists end sensibly, and names the step
//! in every error (`waterfall.interest[2].tranche`).

use rust_decimal::Decimal;
use serde::Serialize;

/// The two step lists (`[waterfall]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaterfallSpec {
    /// Steps paid from interest proceeds, in order.
    pub interest: Vec<StepSpec>,
    /// Steps paid from principal proceeds (and what the interest list left),
    /// in order. Ends with a `residual` step.
    pub principal: Vec<StepSpec>,
    /// The principal deficiency ledger's rules.
    pub pdl: PdlSpec,
    /// The event of default and the post-acceleration priority of payments
    /// (`[waterfall.acceleration]`); `None`: no event of default.
    pub acceleration: Option<AccelerationSpec>,
}

/// An event of default and what follows it: when a non-deferrable
/// tranche's interest has been unpaid for more than `grace_periods`
/// payment dates in a row, from the next payment date all cash (interest
/// and principal proceeds and every reserve) pays every fee, then `steps`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccelerationSpec {
    /// Payment dates a missed coupon may stay unpaid before it is an event
    /// of default (0: the first missed coupon is one).
    pub grace_periods: u32,
    /// The post-acceleration priority of payments: `interest`, `principal`
    /// and `residual` steps, ending with a residual.
    pub steps: Vec<StepSpec>,
}

/// Rules of the principal deficiency ledger (`pdl_recoveries` and
/// `residual_after_pdl` in `[waterfall]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PdlSpec {
    /// When recoveries reduce the ledger.
    pub recoveries: PdlRecoveries,
    /// An interest-list residual first clears the whole ledger.
    pub residual_after_cure: bool,
}

/// When the principal deficiency ledger counts a default's recovery.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PdlRecoveries {
    /// The whole exposure is debited at default; the recovery is credited
    /// when received.
    #[default]
    Received,
    /// The exposure less the recovery assumed at the project's recovery
    /// mean is debited at default; the assumed less the actual recovery is
    /// debited (or credited) when it is received.
    Expected,
}

/// Which list a step is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepList {
    /// `waterfall.interest`.
    Interest,
    /// `waterfall.principal`.
    Principal,
    /// `waterfall.acceleration.steps`, after an event of default.
    Accelerated,
}

impl StepList {
    /// The key of the list in `facility.toml` (under `waterfall.`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Interest => "interest",
            Self::Principal => "principal",
            Self::Accelerated => "acceleration.steps",
        }
    }
}

/// One step of a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepSpec {
    /// Pay a named fee: what accrued this period plus what is unpaid from
    /// earlier periods (carried forward without interest).
    Fee(FeeSpec),
    /// Pay a tranche's interest: deferred interest first, then current.
    Interest {
        /// The tranche.
        tranche: String,
    },
    /// An over-collateralisation or interest-coverage test; when it fails,
    /// what is left of the interest proceeds repays senior principal until
    /// it would pass.
    CoverageTest(CoverageTestSpec),
    /// Top up a reserve account to its target.
    Reserve(ReserveSpec),
    /// Repay principal of listed tranches, sequentially or pro rata.
    Principal(PrincipalSpec),
    /// Everything left goes to a tranche.
    Residual {
        /// The tranche.
        tranche: String,
    },
    /// Pay the guarantor's fee (the `[guarantee]` table's `fee_bps`).
    GuaranteeFee,
    /// Reimburse the guarantor what it has paid out and not yet been
    /// reimbursed, from the cash at this point of the list.
    GuarantorReimbursement,
    /// Pay a delayed-draw tranche its commitment fee on the undrawn part of
    /// its commitment.
    CommitmentFee(CommitmentFeeSpec),
    /// Clear the principal deficiency ledger from interest proceeds, paying
    /// into the principal proceeds.
    Pdl {
        /// The tranche whose sub-ledger is cleared; `None`: the whole
        /// ledger.
        tranche: Option<String>,
    },
}

/// A commitment fee: `rate_bps` a year of the tranche's undrawn commitment
/// at the start of the period, paid to the tranche.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommitmentFeeSpec {
    /// The tranche (funded as drawn).
    pub tranche: String,
    /// Annual rate in basis points.
    pub rate_bps: f64,
}

impl StepSpec {
    /// The `kind` word of the step.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Fee(_) => "fee",
            Self::Interest { .. } => "interest",
            Self::CoverageTest(_) => "coverage_test",
            Self::Reserve(_) => "reserve",
            Self::Principal(_) => "principal",
            Self::Residual { .. } => "residual",
            Self::GuaranteeFee => "guarantee_fee",
            Self::GuarantorReimbursement => "guarantor_reimbursement",
            Self::CommitmentFee(_) => "commitment_fee",
            Self::Pdl { .. } => "pdl",
        }
    }
}

/// A fee and how it accrues.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeeSpec {
    /// Unique name among fees.
    pub name: String,
    /// How much accrues each period.
    pub basis: FeeBasis,
}

/// How a fee accrues.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeBasis {
    /// `rate_bps` a year of the performing pool principal at the start of
    /// the period (loans not defaulted before it).
    PerformingPool {
        /// Annual rate in basis points.
        rate_bps: f64,
    },
    /// `rate_bps` a year of a tranche's balance at the start of the period.
    TrancheBalance {
        /// The tranche.
        tranche: String,
        /// Annual rate in basis points.
        rate_bps: f64,
    },
    /// A fixed amount every period (currency units).
    Fixed {
        /// Amount per period.
        amount: Decimal,
    },
}

/// Over-collateralisation or interest coverage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageKind {
    /// (performing principal + principal proceeds of the period) / balance
    /// of the named tranche and every tranche senior to it.
    Oc,
    /// (interest proceeds less fees paid so far this period) / current
    /// interest of the named tranche and every tranche senior to it.
    Ic,
}

impl CoverageKind {
    /// The word used in input and output files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Oc => "oc",
            Self::Ic => "ic",
        }
    }
}

/// A coverage test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageTestSpec {
    /// Unique name among tests.
    pub name: String,
    /// OC or IC.
    pub test: CoverageKind,
    /// The tranche whose balance (with every senior one) is covered.
    pub tranche: String,
    /// The test passes when the ratio is at least this (e.g. 1.15).
    pub min_ratio: f64,
    /// The test is run only on payment dates on or after this date (the
    /// effective date); `None`: from the first payment date.
    pub effective_date: Option<chrono::NaiveDate>,
    /// How an OC test carries a defaulted loan until its recovery is
    /// collected.
    pub defaulted_value: DefaultedValue,
}

/// The value at which an OC test's numerator carries a defaulted loan until
/// its recovery is collected (the recovery then counts as cash).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DefaultedValue {
    /// Nothing (the default).
    #[default]
    Zero,
    /// The project's `recovery_mean` times its exposure at default.
    RecoveryMean,
    /// A stated share of its exposure at default, for every loan.
    Share(f64),
}

/// A reserve account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReserveSpec {
    /// Unique name among reserves.
    pub name: String,
    /// The tranches whose interest shortfalls the reserve pays (and whose
    /// interest, added up, sizes a `target_periods` target): `tranche` or
    /// `tranches` in the file; empty: the most senior.
    pub tranches: Vec<String>,
    /// What the reserve is topped up to.
    pub target: ReserveTarget,
    /// Cash put in the account at closing from the tranches funded then
    /// (currency units); `None`: it starts empty.
    pub initial_deposit: Option<Decimal>,
}

/// Target balance of a reserve account.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReserveTarget {
    /// A fixed amount (currency units).
    Amount(Decimal),
    /// This many periods of the covered tranches' current interest.
    InterestPeriods(u32),
}

/// A principal payment step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrincipalSpec {
    /// Tranches paid, in order (sequential) or in proportion to their
    /// balances (pro rata).
    pub tranches: Vec<String>,
    /// Pay in proportion to balances instead of in order.
    pub pro_rata: bool,
    /// A pro rata step pays sequentially once any coverage test of the
    /// facility has failed on the path (from that period on).
    pub sequential_after_test_failure: bool,
}

/// An unfunded first-loss guarantee of the pool (`[guarantee]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GuaranteeSpec {
    /// Name used in reports.
    pub name: String,
    /// Most the guarantor ever pays.
    pub cap: GuaranteeCap,
    /// Annual fee in basis points of the undrawn cap, paid by a
    /// `guarantee_fee` step.
    pub fee_bps: f64,
    /// Whether the guarantor is public.
    pub public: bool,
}

/// The guarantee's cap.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GuaranteeCap {
    /// An amount (currency units).
    Amount(Decimal),
    /// A share of pool principal, in (0, 1].
    PoolShare(f64),
}
