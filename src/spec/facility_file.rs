//! `facility.toml`: raw serde structs and their conversion into a
//! [`FacilitySpec`] (without projects).
//!
//! Conversion never stops at the first problem: a field that cannot be read
//! is reported, recorded in `failed` and replaced by a placeholder, so the
//! other fields can still be read and range-checked.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Deserialize;

use super::dates::date_from_toml;
use super::eligibility_file::{RawEligibility, RawNexus};
use super::error::Diagnostic;
use super::idealized::IdealizedTable;
use super::money::{known_minor_digits, money_from_toml};
use super::nexus_events::RawNexusEvents;
use super::parties::RawParty;
use super::reader::{Reader, is_failed};
use super::toml_source::{FieldIndex, read_toml};
use super::types::{
    Copula, CorrelationShares, Currency, DayCount, EligibilityRules, FacilitySpec,
    PaymentFrequency, PdCurve, RatingTable, RiskSpec, SimulationDefaults, TrancheSpec,
};
use super::waterfall_file::{RawGuarantee, RawWaterfall};
use super::words::{CLASSES, COPULAS, CopulaKind, DAY_COUNTS, FREQUENCIES, FUNDINGS, SAMPLINGS};

/// Top level of `facility.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFacility {
    name: Option<String>,
    currency: Option<String>,
    currency_minor_digits: Option<i64>,
    start_date: Option<toml::Value>,
    payment_frequency: Option<String>,
    legal_final_date: Option<toml::Value>,
    day_count: Option<String>,
    projects: Option<String>,
    scenarios: Option<String>,
    management_fee_bps: Option<f64>,
    ramp_up_yield: Option<f64>,
    simulation: Option<RawSimulation>,
    risk: Option<RawRisk>,
    nexus: Option<RawNexus>,
    eligibility: Option<RawEligibility>,
    tranches: Option<Vec<RawTranche>>,
    waterfall: Option<RawWaterfall>,
    guarantee: Option<RawGuarantee>,
    implied_rating: Option<RawImpliedRating>,
    parties: Option<Vec<RawParty>>,
    nexus_events: Option<RawNexusEvents>,
}

/// `[implied_rating]`: year-by-year idealized tables for implied ratings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImpliedRating {
    table: Option<String>,
    source: Option<String>,
}

/// `[simulation]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSimulation {
    paths: Option<i64>,
    seed: Option<i64>,
    sampling: Option<String>,
    importance_tranche: Option<String>,
}

/// `[risk]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRisk {
    copula: Option<String>,
    dof: Option<f64>,
    recovery_lag_months: Option<i64>,
    recovery_systematic_weight: Option<f64>,
    construction_pd_multiplier: Option<f64>,
    correlation: Option<RawCorrelation>,
    ratings: Option<RawRatings>,
    pd_curves: Option<BTreeMap<String, RawPdCurve>>,
}

/// `[risk.correlation]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCorrelation {
    global: Option<f64>,
    mineral: Option<f64>,
    country: Option<f64>,
    region: Option<f64>,
    by_mineral: Option<BTreeMap<String, RawShares>>,
}

/// `[risk.correlation.by_mineral.<mineral>]` (and a scenario's
/// `correlation`): keys left out inherit `[risk.correlation]`'s.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawShares {
    pub(super) global: Option<f64>,
    pub(super) mineral: Option<f64>,
    pub(super) country: Option<f64>,
    pub(super) region: Option<f64>,
}

/// `[risk.ratings]`: replaces the default rating table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRatings {
    horizon_years: Option<f64>,
    source: Option<String>,
    /// Rating -> cumulative PD (key order here; file order is restored
    /// from the key positions).
    pd: Option<BTreeMap<String, f64>>,
}

/// `[risk.pd_curves.<name>]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPdCurve {
    years: Option<Vec<f64>>,
    cumulative_pd: Option<Vec<f64>>,
}

/// One `[[tranches]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTranche {
    name: Option<String>,
    class: Option<String>,
    amount: Option<toml::Value>,
    coupon: Option<f64>,
    deferrable: Option<bool>,
    public: Option<bool>,
    funding: Option<String>,
}

/// What was read from `facility.toml`.
pub(crate) struct FacilityRead {
    /// The facility (no projects yet); placeholders where `failed`.
    pub spec: FacilitySpec,
    /// The `projects` key, if it could be read.
    pub projects_path: Option<String>,
    /// The optional `scenarios` key: a scenarios file.
    pub scenarios_path: Option<String>,
    /// The optional `[implied_rating]` table, if its keys could be read.
    pub implied_rating: Option<ImpliedRatingKeys>,
    /// Paths of the fields that could not be read.
    pub failed: BTreeSet<String>,
    /// Every problem found while reading (no file set).
    pub diagnostics: Vec<Diagnostic>,
    /// Lines of the keys.
    pub index: FieldIndex,
}

/// The keys of `[implied_rating]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImpliedRatingKeys {
    /// Path of the table CSV, relative to the facility file.
    pub table: String,
    /// Where the table's numbers come from.
    pub source: String,
}

/// Reads the text of `facility.toml`.
pub(crate) fn read_facility(text: &str) -> FacilityRead {
    let read = read_toml::<RawFacility>(text);
    let mut reader = Reader {
        diagnostics: read.diagnostics,
        failed: read.dropped,
    };
    let scenarios_path = read.value.as_ref().and_then(|raw| raw.scenarios.clone());
    let (mut spec, projects_path, implied_rating) = match read.value {
        Some(raw) => reader.facility(raw),
        None => {
            // Unreadable document: every field counts as failed.
            reader.failed.insert(String::new());
            (placeholder_spec(), None, None)
        }
    };
    // Serde hands `[risk.ratings.pd]` over in key order: restore the file's.
    // (The default table has no keys in the file and keeps its order.)
    spec.risk
        .ratings
        .entries
        .sort_by_key(|(rating, _)| read.index.offset_of(&format!("risk.ratings.pd.{rating}")));
    FacilityRead {
        spec,
        projects_path,
        scenarios_path,
        implied_rating,
        failed: reader.failed,
        diagnostics: reader.diagnostics,
        index: read.index,
    }
}

fn placeholder_date() -> NaiveDate {
    NaiveDate::MIN
}

fn placeholder_spec() -> FacilitySpec {
    FacilitySpec {
        name: String::new(),
        currency: Currency {
            code: String::new(),
            minor_digits: 0,
        },
        start_date: placeholder_date(),
        frequency: PaymentFrequency::Quarterly,
        legal_final_date: placeholder_date(),
        day_count: DayCount::Act365Fixed,
        tranches: Vec::new(),
        management_fee_bps: 0.0,
        ramp_up_yield: 0.0,
        risk: placeholder_risk(),
        eligibility: EligibilityRules::default(),
        simulation: SimulationDefaults::default(),
        waterfall: None,
        guarantee: None,
        parties: Vec::new(),
        nexus_events: None,
        implied_rating: IdealizedTable::MoodysTenYear,
        projects: Vec::new(),
    }
}

fn placeholder_risk() -> RiskSpec {
    RiskSpec {
        correlation: CorrelationShares {
            global: 0.0,
            mineral: 0.0,
            country: 0.0,
            region: 0.0,
        },
        copula: Copula::Gaussian,
        recovery_lag_months: 0,
        recovery_systematic_weight: 0.0,
        correlation_by_mineral: Vec::new(),
        construction_pd_multiplier: 1.0,
        ratings: RatingTable::moodys_idealized_10y(),
        pd_curves: Vec::new(),
    }
}

impl Reader {
    pub(super) fn date(&mut self, path: &str, value: Option<toml::Value>) -> NaiveDate {
        let value = self.required(path, value, "a date such as 2026-01-01");
        self.convert(path, value, |v| date_from_toml(&v))
            .unwrap_or_else(placeholder_date)
    }

    fn facility(
        &mut self,
        raw: RawFacility,
    ) -> (FacilitySpec, Option<String>, Option<ImpliedRatingKeys>) {
        let projects = self.required("projects", raw.projects, "the path of the project CSV");
        let implied_rating = raw.implied_rating.and_then(|r| self.implied_rating(r));
        let nexus = self.nexus(raw.nexus);
        let eligibility = self.eligibility(raw.eligibility, nexus);
        let spec = FacilitySpec {
            name: self.text("name", raw.name, "the facility's name"),
            currency: self.currency(raw.currency, raw.currency_minor_digits),
            start_date: self.date("start_date", raw.start_date),
            frequency: self
                .choice("payment_frequency", raw.payment_frequency, FREQUENCIES)
                .unwrap_or(PaymentFrequency::Quarterly),
            legal_final_date: self.date("legal_final_date", raw.legal_final_date),
            day_count: self
                .choice("day_count", raw.day_count, DAY_COUNTS)
                .unwrap_or(DayCount::Act365Fixed),
            tranches: self.tranches(raw.tranches),
            management_fee_bps: raw.management_fee_bps.unwrap_or(0.0),
            ramp_up_yield: raw.ramp_up_yield.unwrap_or(0.0),
            risk: self.risk(raw.risk),
            eligibility,
            simulation: self.simulation(raw.simulation.unwrap_or_default()),
            waterfall: self.waterfall(raw.waterfall),
            guarantee: self.guarantee(raw.guarantee),
            parties: self.parties(raw.parties),
            nexus_events: self.nexus_events(raw.nexus_events),
            // Set from the table file once it is read.
            implied_rating: IdealizedTable::MoodysTenYear,
            projects: Vec::new(),
        };
        (spec, projects, implied_rating)
    }

    /// `[implied_rating]`: both keys are required and not empty.
    fn implied_rating(&mut self, raw: RawImpliedRating) -> Option<ImpliedRatingKeys> {
        let mut key = |name: &str, value: Option<String>, what: &str| {
            let path = format!("implied_rating.{name}");
            let value = self.required(&path, value, what)?;
            if value.trim().is_empty() {
                self.fail(&path, format!("is empty; expected {what}"));
                return None;
            }
            Some(value)
        };
        let table = key(
            "table",
            raw.table,
            "the path of the idealized table CSV, relative to the facility file (e.g. \"idealized.csv\")",
        );
        let source = key(
            "source",
            raw.source,
            "where the table's numbers come from, shown in reports (e.g. the publication and its date)",
        );
        Some(ImpliedRatingKeys {
            table: table?,
            source: source?,
        })
    }

    fn currency(&mut self, code: Option<String>, given: Option<i64>) -> Currency {
        let code = self.text("currency", code, "an ISO 4217 code such as USD");
        let code = code.trim().to_ascii_uppercase();
        let given: Option<u32> = self.integer("currency_minor_digits", given);
        let known = known_minor_digits(&code);
        let minor_digits = match (known, given) {
            (Some(k), Some(g)) if k != g => {
                let message = format!(
                    "{g} contradicts the {k} minor-unit digits of {code}; expected {k} or no value"
                );
                self.fail("currency_minor_digits", message);
                k
            }
            (_, Some(digits)) | (Some(digits), None) => digits,
            (None, None) => {
                if !is_failed(&self.failed, "currency") {
                    let message = format!(
                        "`{code}` is not a currency blendsim knows; give `currency_minor_digits` (e.g. 2) for it"
                    );
                    self.fail("currency", message);
                }
                0
            }
        };
        Currency { code, minor_digits }
    }

    fn tranches(&mut self, raw: Option<Vec<RawTranche>>) -> Vec<TrancheSpec> {
        let raw = self.required("tranches", raw, "one or more [[tranches]] tables");
        let raw = raw.unwrap_or_default();
        raw.into_iter()
            .enumerate()
            .map(|(i, t)| self.tranche(&format!("tranches[{i}]"), t))
            .collect()
    }

    fn tranche(&mut self, at: &str, raw: RawTranche) -> TrancheSpec {
        let path = |field: &str| format!("{at}.{field}");
        let class = self.required(&path("class"), raw.class, "senior, mezzanine or first_loss");
        let amount = self.required(
            &path("amount"),
            raw.amount,
            "a decimal string or an integer",
        );
        TrancheSpec {
            name: self.text(&path("name"), raw.name, "a tranche name"),
            class: self
                .choice(&path("class"), class, CLASSES)
                .unwrap_or(super::types::TrancheClass::Senior),
            amount: self
                .convert(&path("amount"), amount, |v| money_from_toml(&v))
                .unwrap_or_default(),
            coupon: self
                .required(&path("coupon"), raw.coupon, "an annual rate in [0, 1)")
                .unwrap_or(0.0),
            deferrable: raw.deferrable.unwrap_or(false),
            public: raw.public.unwrap_or(false),
            funding: self
                .choice(&path("funding"), raw.funding, FUNDINGS)
                .unwrap_or_default(),
        }
    }

    fn risk(&mut self, raw: Option<RawRisk>) -> RiskSpec {
        let Some(raw) = self.required("risk", raw, "a [risk] table") else {
            return placeholder_risk();
        };
        let copula = self.required("risk.copula", raw.copula, "\"gaussian\" or \"student_t\"");
        let copula = self.choice("risk.copula", copula, COPULAS);
        let lag = self.required(
            "risk.recovery_lag_months",
            raw.recovery_lag_months,
            "an integer >= 0",
        );
        let (correlation, correlation_by_mineral) = self.correlation(raw.correlation);
        RiskSpec {
            correlation,
            copula: self.copula(copula, raw.dof),
            recovery_lag_months: self.integer("risk.recovery_lag_months", lag).unwrap_or(0),
            recovery_systematic_weight: raw.recovery_systematic_weight.unwrap_or(0.0),
            correlation_by_mineral,
            construction_pd_multiplier: raw.construction_pd_multiplier.unwrap_or(1.0),
            ratings: raw
                .ratings
                .map_or_else(RatingTable::moodys_idealized_10y, |r| self.ratings(r)),
            pd_curves: self.pd_curves(raw.pd_curves.unwrap_or_default()),
        }
    }

    /// `risk.dof` goes with a Student t copula and only with it.
    fn copula(&mut self, kind: Option<CopulaKind>, dof: Option<f64>) -> Copula {
        match kind {
            Some(CopulaKind::StudentT) => {
                let what = "the degrees of freedom of the Student t copula, a number > 0 (e.g. 5)";
                let dof = self.required("risk.dof", dof, what);
                Copula::StudentT {
                    dof: dof.unwrap_or(f64::NAN),
                }
            }
            Some(CopulaKind::Gaussian) if dof.is_some() => {
                let message = "is only used with copula = \"student_t\"; remove it or set copula = \"student_t\"";
                self.fail("risk.dof", message.into());
                Copula::Gaussian
            }
            Some(CopulaKind::Gaussian) | None => Copula::Gaussian,
        }
    }

    /// The shares, and the per-mineral shares resolved against them.
    fn correlation(
        &mut self,
        raw: Option<RawCorrelation>,
    ) -> (CorrelationShares, Vec<(String, CorrelationShares)>) {
        let what = "a [risk.correlation] table with global, mineral and country";
        let raw = self.required("risk.correlation", raw, what);
        let raw = raw.unwrap_or(RawCorrelation {
            global: Some(0.0),
            mineral: Some(0.0),
            country: Some(0.0),
            ..RawCorrelation::default()
        });
        let mut share = |name: &str, value: Option<f64>| {
            let path = format!("risk.correlation.{name}");
            self.required(&path, value, "a share in [0, 1)")
                .unwrap_or(0.0)
        };
        let base = CorrelationShares {
            global: share("global", raw.global),
            mineral: share("mineral", raw.mineral),
            country: share("country", raw.country),
            region: raw.region.unwrap_or(0.0),
        };
        let mut by_mineral: Vec<_> = raw
            .by_mineral
            .unwrap_or_default()
            .into_iter()
            .map(|(mineral, own)| {
                let shares = CorrelationShares {
                    global: own.global.unwrap_or(base.global),
                    mineral: own.mineral.unwrap_or(base.mineral),
                    country: own.country.unwrap_or(base.country),
                    region: own.region.unwrap_or(base.region),
                };
                // Minerals are compared as the project list stores them.
                (mineral.trim().to_lowercase(), shares)
            })
            .collect();
        by_mineral.sort_by(|a, b| a.0.cmp(&b.0));
        (base, by_mineral)
    }

    fn ratings(&mut self, raw: RawRatings) -> RatingTable {
        let horizon = self.required(
            "risk.ratings.horizon_years",
            raw.horizon_years,
            "the horizon of the cumulative PDs in years, a number > 0 (e.g. 10)",
        );
        let what = "a [risk.ratings.pd] table of `rating = cumulative PD`, e.g. Ba1 = 0.094";
        let pd = self.required("risk.ratings.pd", raw.pd, what);
        RatingTable {
            horizon_years: horizon.unwrap_or(1.0),
            entries: pd.map_or_else(Vec::new, |pd| pd.into_iter().collect()),
            source: raw.source.unwrap_or_else(|| "facility file".into()),
        }
    }

    fn pd_curves(&mut self, raw: BTreeMap<String, RawPdCurve>) -> Vec<PdCurve> {
        raw.into_iter()
            .map(|(name, curve)| {
                let at = format!("risk.pd_curves.{name}");
                let years = self.required(
                    &format!("{at}.years"),
                    curve.years,
                    "an array of years after the loan's start, e.g. [1, 2, 5, 10]",
                );
                let pds = self.required(
                    &format!("{at}.cumulative_pd"),
                    curve.cumulative_pd,
                    "an array of cumulative PDs, one per year, e.g. [0.03, 0.06, 0.12, 0.20]",
                );
                if let (Some(years), Some(pds)) = (&years, &pds)
                    && years.len() != pds.len()
                {
                    let message = format!(
                        "has {} values but years has {}; expected one cumulative PD per year",
                        pds.len(),
                        years.len()
                    );
                    self.fail(&format!("{at}.cumulative_pd"), message);
                }
                let (years, pds) = (years.unwrap_or_default(), pds.unwrap_or_default());
                PdCurve {
                    name,
                    points: years.into_iter().zip(pds).collect(),
                }
            })
            .collect()
    }

    fn simulation(&mut self, raw: RawSimulation) -> SimulationDefaults {
        SimulationDefaults {
            paths: self.integer("simulation.paths", raw.paths),
            seed: self.integer("simulation.seed", raw.seed),
            sampling: self.choice("simulation.sampling", raw.sampling, SAMPLINGS),
            importance_tranche: raw.importance_tranche,
        }
    }
}

#[cfg(test)]
mod tests;
