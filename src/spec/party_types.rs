//! The parties of a facility as the spec holds them (`[[parties]]`; read
//! in parties.rs): who they are, the rate they value cash at and what they
//! hold.

use rust_decimal::Decimal;
use serde::Serialize;

/// Discount rate of implied parties and default of `grant_element_rate`:
/// the IMF/World Bank unified discount rate of 5%, also the OECD DAC rate
/// for loans to multilateral development banks (references section 4).
pub const DEFAULT_DISCOUNT_RATE: f64 = 0.05;

/// What kind of funder a party is (reported, and used by no rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// A grant from a trust fund at a multilateral development bank.
    MdbTrustFundGrant,
    /// A development finance institution (DFC, KDB, ...).
    DevelopmentFinanceInstitution,
    /// An export credit agency (EXIM, K-SURE, ...).
    ExportCreditAgency,
    /// The government of a Minerals Security Partnership member.
    MspMemberGovernment,
    /// A pension fund, insurer or asset manager.
    InstitutionalInvestor,
    /// An implied party of a facility without `[[parties]]`.
    Unspecified,
}

/// Accepted spellings of a party's `kind`.
pub const PARTY_KINDS: &[(&str, PartyKind)] = &[
    ("mdb_trust_fund_grant", PartyKind::MdbTrustFundGrant),
    (
        "development_finance_institution",
        PartyKind::DevelopmentFinanceInstitution,
    ),
    ("export_credit_agency", PartyKind::ExportCreditAgency),
    ("msp_member_government", PartyKind::MspMemberGovernment),
    ("institutional_investor", PartyKind::InstitutionalInvestor),
];

impl PartyKind {
    /// The word used in files.
    pub fn as_str(self) -> &'static str {
        PARTY_KINDS
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("unspecified", |(word, _)| word)
    }
}

/// One funder of the facility.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartySpec {
    /// Unique name.
    pub name: String,
    /// Whether its money is public (its cost is scored).
    pub public: bool,
    /// What kind of funder it is.
    pub kind: PartyKind,
    /// Annual rate it discounts cash at, in [0, 1).
    pub discount_rate: f64,
    /// Annual rate of its grant element (the OECD DAC / IMF convention),
    /// in [0, 1).
    pub grant_element_rate: f64,
    /// Shares of tranches it holds.
    pub holdings: Vec<HoldingSpec>,
    /// Shares of the guarantee it provides.
    pub guarantees: Vec<HoldingSpec>,
}

/// A share of one tranche (or of the guarantee).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoldingSpec {
    /// The tranche's (or guarantee's) name.
    pub of: String,
    /// The share held, an exact decimal in (0, 1].
    pub share: Decimal,
}
