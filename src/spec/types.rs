//! Validated input types: what the rest of the engine may rely on.
//!
//! Every value here has passed validation in [`crate::spec`]: dates are
//! ordered, probabilities lie in their ranges, tranche capital equals the
//! pool, names are unique. Library users who build a [`FacilitySpec`] by hand
//! should call [`FacilitySpec::validate`] before compiling a model.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// A whole facility: its calendar, liabilities, risk model and loan pool.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FacilitySpec {
    /// Display name of the facility.
    pub name: String,
    /// Currency of every amount in the facility and the project list.
    pub currency: Currency,
    /// Closing date: tranches are funded and loans acquired on this date.
    pub start_date: NaiveDate,
    /// How often collections are distributed through the waterfall.
    pub frequency: PaymentFrequency,
    /// Last payment date; principal unpaid then is a loss.
    pub legal_final_date: NaiveDate,
    /// Day count used for every accrual and every year fraction.
    pub day_count: DayCount,
    /// Tranches, most senior first.
    pub tranches: Vec<TrancheSpec>,
    /// Senior management fee, in basis points a year of performing principal.
    pub management_fee_bps: f64,
    /// Default and recovery model.
    pub risk: RiskSpec,
    /// Eligibility rules the pool was checked against.
    pub eligibility: EligibilityRules,
    /// Default number of paths and seed (the command line may override).
    pub simulation: SimulationDefaults,
    /// The loan pool, in file order.
    pub projects: Vec<ProjectSpec>,
}

/// Currency code and the number of digits of its minor unit (2 for USD).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Currency {
    /// ISO 4217 code, upper case.
    pub code: String,
    /// Digits after the decimal point of the minor unit (USD 2, KRW 0).
    pub minor_digits: u32,
}

/// Payment frequency of the facility's period grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentFrequency {
    /// Every month.
    Monthly,
    /// Every three months (the default).
    Quarterly,
    /// Every six months.
    SemiAnnual,
    /// Every twelve months.
    Annual,
}

impl PaymentFrequency {
    /// Length of one period in calendar months.
    pub fn months(self) -> u32 {
        match self {
            Self::Monthly => 1,
            Self::Quarterly => 3,
            Self::SemiAnnual => 6,
            Self::Annual => 12,
        }
    }
}

/// Day count convention for accruals and year fractions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DayCount {
    /// Actual days / 365 (the default).
    Act365Fixed,
    /// Actual days / 360.
    Act360,
    /// 30/360 (US bond basis).
    Thirty360,
}

/// Seniority class of a tranche.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrancheClass {
    /// Most senior institutional money.
    Senior,
    /// Mezzanine institutional money.
    Mezzanine,
    /// First-loss capital (usually public).
    FirstLoss,
}

impl TrancheClass {
    /// The name used in input and output files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Senior => "senior",
            Self::Mezzanine => "mezzanine",
            Self::FirstLoss => "first_loss",
        }
    }
}

/// One tranche of the facility's liabilities.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrancheSpec {
    /// Unique name (used in outputs and, later, waterfall steps).
    pub name: String,
    /// Seniority class; tranches are listed most senior first.
    pub class: TrancheClass,
    /// Notional in currency units (exact decimal).
    pub amount: Decimal,
    /// Annual coupon as a fraction (0.055 = 5.5%), accrued on the balance.
    pub coupon: f64,
    /// Whether unpaid interest is capitalised (PIK) rather than owed.
    pub deferrable: bool,
    /// Whether this is public (concessional) money.
    pub public: bool,
}

/// Default and recovery model of the pool.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskSpec {
    /// Correlation shares of the latent credit variable.
    pub correlation: CorrelationShares,
    /// Dependence structure of the latent variables.
    pub copula: Copula,
    /// Months from default to the recovery cash.
    pub recovery_lag_months: u32,
    /// Sensitivity `a` of recoveries to the project's systematic factor,
    /// in [0, 1]; 0 makes recoveries independent of defaults.
    pub recovery_systematic_weight: f64,
}

/// Shares of variance of the latent variable explained by each factor.
/// Each is in [0, 1) and their sum is < 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CorrelationShares {
    /// One factor common to every project.
    pub global: f64,
    /// One factor per mineral.
    pub mineral: f64,
    /// One factor per country.
    pub country: f64,
}

/// Copula of the latent credit variables.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Copula {
    /// Multivariate normal.
    Gaussian,
}

/// Eligibility rules of the facility (checked when the inputs are loaded).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct EligibilityRules {
    /// A project needs at least one of these sponsor nexus codes (empty: any).
    pub required_sponsor_nexus: Vec<String>,
    /// A project may have none of these sponsor nexus codes.
    pub excluded_sponsor_nexus: Vec<String>,
    /// Maximum share of pool principal in one project.
    pub max_project_share: Option<f64>,
    /// Maximum share of pool principal in one mineral.
    pub max_mineral_share: Option<f64>,
    /// Maximum share of pool principal in one country.
    pub max_country_share: Option<f64>,
}

/// Run defaults stored in the facility file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SimulationDefaults {
    /// Number of Monte Carlo paths.
    pub paths: Option<u64>,
    /// Seed of the random streams.
    pub seed: Option<u64>,
}

/// Segment of the critical-minerals value chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    /// Mining.
    Extraction,
    /// Refining and processing.
    Processing,
}

/// Principal repayment profile of a loan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Amortization {
    /// All principal at maturity.
    Bullet,
    /// Equal principal on every payment date from start to maturity.
    Linear,
}

/// One loan of the pool.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectSpec {
    /// Unique identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Mineral (lower case); one correlation factor per distinct mineral.
    pub mineral: String,
    /// Extraction or processing.
    pub segment: Segment,
    /// Country; one correlation factor per distinct country.
    pub country: String,
    /// Sponsor nexus codes (e.g. US, KR), upper case.
    pub sponsor_nexus: Vec<String>,
    /// Principal funded, in currency units (exact decimal).
    pub amount: Decimal,
    /// Annual coupon as a fraction.
    pub coupon: f64,
    /// Date the loan starts accruing (on or after the facility start).
    pub start_date: NaiveDate,
    /// Final repayment date (after start, on or before the legal final).
    pub maturity_date: NaiveDate,
    /// Principal repayment profile.
    pub amortization: Amortization,
    /// Annual default probability in (0, 1).
    pub annual_pd: f64,
    /// Mean recovery rate in [0, 1].
    pub recovery_mean: f64,
    /// Standard deviation of the recovery rate (0 = fixed recovery).
    pub recovery_sd: f64,
    /// Line of the project list this row came from (1 = header).
    pub line: usize,
}
