//! Validated input types: what the rest of the engine may rely on.
//!
//! Every value here has passed validation in [`crate::spec`]: dates are
//! ordered, probabilities lie in their ranges, tranche capital equals the
//! pool, names are unique. Library users who build a [`FacilitySpec`] by hand
//! should call [`FacilitySpec::validate`] before compiling a model.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::idealized::IdealizedTable;
use super::nexus::{NexusTable, OwnershipRules};
use super::party_types::PartySpec;
pub use super::rating_table::RatingTable;
use super::waterfall::{GuaranteeSpec, WaterfallSpec};

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
    /// Annual yield earned by the ramp-up account: cash of tranches funded
    /// at closing that is not yet lent (0: it earns nothing).
    pub ramp_up_yield: f64,
    /// Default and recovery model.
    pub risk: RiskSpec,
    /// Eligibility rules the pool was checked against.
    pub eligibility: EligibilityRules,
    /// Default number of paths and seed (the command line may override).
    pub simulation: SimulationDefaults,
    /// The priority of payments (`[waterfall]`); `None`: the default order
    /// (see `docs/waterfall.md`).
    pub waterfall: Option<WaterfallSpec>,
    /// An unfunded first-loss guarantee of the pool (`[guarantee]`).
    pub guarantee: Option<GuaranteeSpec>,
    /// Who holds the tranches and the guarantee (`[[parties]]`); empty:
    /// one implied party per tranche and guarantee.
    pub parties: Vec<PartySpec>,
    /// Sponsors acquired by PRC-linked entities after closing, and the
    /// remedy (`[nexus_events]`); `None`: no such events.
    pub nexus_events: Option<NexusEventsSpec>,
    /// What implied ratings are benchmarked against: the bundled Moody's
    /// 10-year column, or year-by-year tables (`[implied_rating]`).
    pub implied_rating: IdealizedTable,
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
    /// Not a tranche: the row of an unfunded guarantee in reports.
    Guarantee,
}

impl TrancheClass {
    /// The name used in input and output files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Senior => "senior",
            Self::Mezzanine => "mezzanine",
            Self::FirstLoss => "first_loss",
            Self::Guarantee => "guarantee",
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
    /// When the tranche's investors pay in their money.
    pub funding: Funding,
}

/// When a tranche is funded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Funding {
    /// The whole notional at closing; cash not yet lent waits in the
    /// ramp-up account (the default).
    #[default]
    AtClose,
    /// Delayed draw: the tranche funds its share of each loan draw when it
    /// is made; until then the commitment is undrawn.
    AsDrawn,
}

impl Funding {
    /// The word used in input files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AtClose => "at_close",
            Self::AsDrawn => "as_drawn",
        }
    }
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
    /// Correlation shares that replace `correlation` for the projects of a
    /// mineral (`[risk.correlation.by_mineral.<mineral>]`; keys left out
    /// there inherit `correlation`'s), sorted by mineral.
    pub correlation_by_mineral: Vec<(String, CorrelationShares)>,
    /// Multiplier of the default hazard before a project's
    /// `construction_end` (>= 0; 1 = no construction premium).
    pub construction_pd_multiplier: f64,
    /// Rating -> default probability table used by projects with a `rating`.
    pub ratings: RatingTable,
    /// Named cumulative default probability curves used by projects with a
    /// `pd_curve`, sorted by name.
    pub pd_curves: Vec<PdCurve>,
}

/// A named cumulative default probability curve: `cumulative_pd[i]` by
/// `years[i]` after the loan's start. Years strictly increase from > 0;
/// probabilities are in (0, 1) and do not decrease.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PdCurve {
    /// Name referred to by the project list's `pd_curve` column.
    pub name: String,
    /// Points (years after start, cumulative PD).
    pub points: Vec<(f64, f64)>,
}

/// Where a project's default probability comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PdSource {
    /// A constant annual PD in (0, 1): cumulative `1 - (1 - pd)^t`.
    AnnualPd(f64),
    /// A rating looked up in the facility's rating table.
    Rating(String),
    /// A named curve of the facility file.
    Curve(String),
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
    /// One factor per region (projects without a region load nothing on it).
    pub region: f64,
}

impl CorrelationShares {
    /// Sum of the shares: the asset correlation of two projects sharing
    /// every factor.
    pub fn total(&self) -> f64 {
        self.global + self.mineral + self.country + self.region
    }
}

/// Copula of the latent credit variables.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Copula {
    /// Multivariate normal.
    Gaussian,
    /// Student t with `dof` degrees of freedom (> 0): the Gaussian latent
    /// vector divided by `sqrt(W / dof)`, one `W ~ chi-square(dof)` per path.
    StudentT {
        /// Degrees of freedom.
        dof: f64,
    },
}

/// Eligibility rules of the facility (checked when the inputs are loaded).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct EligibilityRules {
    /// The alias table and named groups nexus codes resolve through
    /// (`[nexus]`; the default is the table shipped with blendsim).
    pub nexus: NexusTable,
    /// A project needs a sponsor nexus in one of these codes or groups
    /// (as written; empty: any).
    pub required_sponsor_nexus: Vec<String>,
    /// A project may have no sponsor nexus in these codes or groups (as
    /// written).
    pub excluded_sponsor_nexus: Vec<String>,
    /// A minimum share of pool principal whose sponsors have a nexus in
    /// given codes or groups (`[eligibility.nexus_share]`).
    pub nexus_share: Option<NexusShareRule>,
    /// Look-through of sponsors' owners (`[eligibility.ownership]`).
    pub ownership: Option<OwnershipRules>,
    /// Maximum share of pool principal in one project.
    pub max_project_share: Option<f64>,
    /// Maximum share of pool principal in one mineral.
    pub max_mineral_share: Option<f64>,
    /// Maximum share of pool principal in one country.
    pub max_country_share: Option<f64>,
}

/// `[eligibility.nexus_share]`: at least `min_share` of pool principal
/// lent to projects with a sponsor nexus in `nexus`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NexusShareRule {
    /// Codes or groups, as written.
    pub nexus: Vec<String>,
    /// Minimum share of pool principal, in (0, 1].
    pub min_share: f64,
}

/// Run defaults stored in the facility file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SimulationDefaults {
    /// Number of Monte Carlo paths.
    pub paths: Option<u64>,
    /// Seed of the random streams.
    pub seed: Option<u64>,
    /// How paths are sampled (`simulation.sampling`).
    pub sampling: Option<Sampling>,
    /// The tranche importance sampling aims at
    /// (`simulation.importance_tranche`; default the most senior).
    pub importance_tranche: Option<String>,
}

/// How a run samples its paths (docs/model.md, "Importance sampling").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sampling {
    /// Plain Monte Carlo: every path weight 1.
    #[default]
    Plain,
    /// The systematic factors shifted towards a tranche's losses, each path
    /// weighted by its likelihood ratio.
    Importance,
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
    /// Sponsor nexus codes as written (e.g. US, KOR, China); each resolves
    /// through [`EligibilityRules::nexus`].
    pub sponsor_nexus: Vec<String>,
    /// The sponsor's name in `ownership.csv` (optional column `sponsor`).
    pub sponsor: Option<String>,
    /// Principal funded, in currency units (exact decimal).
    pub amount: Decimal,
    /// Annual coupon as a fraction.
    pub coupon: f64,
    /// Date the loan starts accruing (on or after the facility start): its
    /// first draw.
    pub start_date: NaiveDate,
    /// Draw schedule: (date, share of `amount`), dates strictly increasing,
    /// the first on `start_date`, shares summing to exactly 1. Empty: the
    /// whole amount is drawn on `start_date`.
    pub draws: Vec<(NaiveDate, Decimal)>,
    /// Interest accrued in periods ending on or before this date is added
    /// to the loan's balance (capitalised) instead of paid, and principal
    /// is repaid only after it.
    pub capitalise_until: Option<NaiveDate>,
    /// Final repayment date (after start, on or before the legal final).
    pub maturity_date: NaiveDate,
    /// Principal repayment profile.
    pub amortization: Amortization,
    /// Source of the default probability curve.
    pub pd: PdSource,
    /// End of construction: the hazard is multiplied by the facility's
    /// `construction_pd_multiplier` before this date.
    pub construction_end: Option<NaiveDate>,
    /// Region (optional); one correlation factor per distinct region.
    pub region: Option<String>,
    /// Mean recovery rate in [0, 1].
    pub recovery_mean: f64,
    /// Standard deviation of the recovery rate (0 = fixed recovery).
    pub recovery_sd: f64,
    /// Line of the project list this row came from (1 = header).
    pub line: usize,
}

/// Projects matching every given criterion (none given: every project).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Selector {
    /// Mineral (lower case).
    pub mineral: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Segment.
    pub segment: Option<Segment>,
}

impl Selector {
    /// Whether `project` matches.
    pub fn matches(&self, project: &ProjectSpec) -> bool {
        self.mineral.as_ref().is_none_or(|m| *m == project.mineral)
            && self.country.as_ref().is_none_or(|c| *c == project.country)
            && self.segment.is_none_or(|s| s == project.segment)
    }
}

/// The facility's rule on nexus events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NexusEventsSpec {
    /// Annual probability that a project's sponsor is acquired, for every
    /// project no override matches.
    pub annual_hazard: f64,
    /// Overrides; the last one matching a project wins.
    pub overrides: Vec<HazardOverride>,
    /// How strongly the hazard rises when the project's mineral factor is
    /// low: the intensity is multiplied by `exp(-s Z - s^2 / 2)` (mean 1).
    pub stress_sensitivity: f64,
    /// What the facility does when a sponsor is acquired.
    pub remedy: Remedy,
}

/// An annual hazard for the projects a selector (or a project id) matches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HazardOverride {
    /// One project by id, or `None`.
    pub project: Option<String>,
    /// Mineral, country and segment criteria.
    pub selector: Selector,
    /// A nexus group of `[nexus]` (e.g. `prc`, `msp`) or a nexus code, as
    /// written: the projects with a sponsor nexus in it; `None`: any.
    pub nexus: Option<String>,
    /// Annual probability in [0, 1].
    pub annual_hazard: f64,
}

impl HazardOverride {
    /// Whether `project` matches; `table` resolves the nexus group and the
    /// project's sponsor nexus codes (any spelling the table knows).
    pub fn matches(&self, project: &ProjectSpec, table: &NexusTable) -> bool {
        self.project.as_ref().is_none_or(|id| *id == project.id)
            && self.selector.matches(project)
            && self.nexus.as_ref().is_none_or(|entry| {
                let codes = table.rule_codes(entry).unwrap_or_default();
                (project.sponsor_nexus.iter())
                    .filter_map(|c| table.resolve(c))
                    .any(|code| codes.iter().any(|g| g == code))
            })
    }
}

/// The facility's remedy for an acquired sponsor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Remedy {
    /// The loan is prepaid at par in the period of the acquisition, plus a
    /// premium (a fraction of the balance prepaid, paid as interest).
    Prepay {
        /// Premium as a fraction of the balance prepaid.
        premium: f64,
    },
    /// The loan keeps paying but leaves the coverage tests' numerators.
    Exclude,
    /// The loan is deemed to default in the period of the acquisition and
    /// recovers `1 - haircut` of what it would have.
    DeemedDefault {
        /// Relative recovery haircut in [0, 1].
        recovery_haircut: f64,
    },
}

/// Accepted words for `remedy`.
pub const REMEDIES: &[(&str, RemedyKind)] = &[
    ("prepay", RemedyKind::Prepay),
    ("exclude", RemedyKind::Exclude),
    ("deemed_default", RemedyKind::DeemedDefault),
];

/// The remedy's word, before its parameters are attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemedyKind {
    /// See [`Remedy::Prepay`].
    Prepay,
    /// See [`Remedy::Exclude`].
    Exclude,
    /// See [`Remedy::DeemedDefault`].
    DeemedDefault,
}

impl Remedy {
    /// The remedy's word in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Remedy::Prepay { .. } => "prepay",
            Remedy::Exclude => "exclude",
            Remedy::DeemedDefault { .. } => "deemed_default",
        }
    }
}

impl NexusEventsSpec {
    /// The annual hazard of `project`: the last matching override, or the
    /// facility's default.
    pub fn annual_hazard_of(&self, project: &ProjectSpec, table: &NexusTable) -> f64 {
        (self.overrides.iter().rev())
            .find(|o| o.matches(project, table))
            .map_or(self.annual_hazard, |o| o.annual_hazard)
    }
}
