//! `facility.toml`: raw serde structs and their conversion into a
//! [`FacilitySpec`] (without projects).
//!
//! Conversion never stops at the first problem: a field that cannot be read
//! is reported, recorded in `failed` and replaced by a placeholder, so the
//! other fields can still be read and range-checked.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::Deserialize;

use super::dates::date_from_toml;
use super::error::Diagnostic;
use super::money::{known_minor_digits, money_from_toml};
use super::toml_source::{FieldIndex, read_toml};
use super::types::{
    CorrelationShares, Currency, DayCount, EligibilityRules, FacilitySpec, PaymentFrequency,
    RatingTable, RiskSpec, SimulationDefaults, TrancheSpec,
};
use super::waterfall_file::{RawGuarantee, RawWaterfall};
use super::words::{CLASSES, COPULAS, DAY_COUNTS, FREQUENCIES, parse_choice};

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
    management_fee_bps: Option<f64>,
    simulation: Option<RawSimulation>,
    risk: Option<RawRisk>,
    eligibility: Option<RawEligibility>,
    tranches: Option<Vec<RawTranche>>,
    waterfall: Option<RawWaterfall>,
    guarantee: Option<RawGuarantee>,
}

/// `[simulation]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSimulation {
    paths: Option<i64>,
    seed: Option<i64>,
}

/// `[risk]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRisk {
    copula: Option<String>,
    recovery_lag_months: Option<i64>,
    recovery_systematic_weight: Option<f64>,
    correlation: Option<RawCorrelation>,
}

/// `[risk.correlation]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCorrelation {
    global: Option<f64>,
    mineral: Option<f64>,
    country: Option<f64>,
}

/// `[eligibility]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEligibility {
    required_sponsor_nexus: Option<Vec<String>>,
    excluded_sponsor_nexus: Option<Vec<String>>,
    max_project_share: Option<f64>,
    max_mineral_share: Option<f64>,
    max_country_share: Option<f64>,
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
}

/// What was read from `facility.toml`.
pub(crate) struct FacilityRead {
    /// The facility (no projects yet); placeholders where `failed`.
    pub spec: FacilitySpec,
    /// The `projects` key, if it could be read.
    pub projects_path: Option<String>,
    /// Paths of the fields that could not be read.
    pub failed: BTreeSet<String>,
    /// Every problem found while reading (no file set).
    pub diagnostics: Vec<Diagnostic>,
    /// Lines of the keys.
    pub index: FieldIndex,
}

/// Reads the text of `facility.toml`.
pub(crate) fn read_facility(text: &str) -> FacilityRead {
    let read = read_toml::<RawFacility>(text);
    let mut reader = Reader {
        diagnostics: read.diagnostics,
        failed: read.dropped,
    };
    let (spec, projects_path) = match read.value {
        Some(raw) => reader.facility(raw),
        None => {
            // Unreadable document: every field counts as failed.
            reader.failed.insert(String::new());
            (placeholder_spec(), None)
        }
    };
    FacilityRead {
        spec,
        projects_path,
        failed: reader.failed,
        diagnostics: reader.diagnostics,
        index: read.index,
    }
}

/// Whether `path` is, or lies under, one of the `failed` paths (the empty
/// path stands for the whole file).
pub(crate) fn is_failed(failed: &BTreeSet<String>, path: &str) -> bool {
    failed.iter().any(|f| {
        f.is_empty()
            || path
                .strip_prefix(f.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    })
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
        risk: placeholder_risk(),
        eligibility: EligibilityRules::default(),
        simulation: SimulationDefaults::default(),
        waterfall: None,
        guarantee: None,
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
        copula: super::types::Copula::Gaussian,
        recovery_lag_months: 0,
        recovery_systematic_weight: 0.0,
        correlation_by_mineral: Vec::new(),
        construction_pd_multiplier: 1.0,
        ratings: RatingTable::moodys_idealized_10y(),
        pd_curves: Vec::new(),
    }
}

/// Converts raw values, collecting problems.
pub(super) struct Reader {
    diagnostics: Vec<Diagnostic>,
    failed: BTreeSet<String>,
}

impl Reader {
    pub(super) fn fail(&mut self, path: &str, message: String) {
        self.diagnostics.push(Diagnostic::new(path, message));
        self.failed.insert(path.to_owned());
    }

    /// A required value: reported missing unless already reported.
    pub(super) fn required<T>(&mut self, path: &str, value: Option<T>, what: &str) -> Option<T> {
        if value.is_none() {
            if !is_failed(&self.failed, path) {
                self.fail(path, format!("is missing; expected {what}"));
            }
            self.failed.insert(path.to_owned());
        }
        value
    }

    /// Converts a value that is present; reports a failed conversion.
    pub(super) fn convert<T, U>(
        &mut self,
        path: &str,
        value: Option<T>,
        f: impl FnOnce(T) -> Result<U, String>,
    ) -> Option<U> {
        f(value?).map_err(|m| self.fail(path, m)).ok()
    }

    fn date(&mut self, path: &str, value: Option<toml::Value>) -> NaiveDate {
        let value = self.required(path, value, "a date such as 2026-01-01");
        self.convert(path, value, |v| date_from_toml(&v))
            .unwrap_or_else(placeholder_date)
    }

    pub(super) fn choice<T: Copy>(
        &mut self,
        path: &str,
        value: Option<String>,
        choices: &[(&str, T)],
    ) -> Option<T> {
        self.convert(path, value, |word| parse_choice(&word, choices))
    }

    pub(super) fn integer<T: TryFrom<i64>>(&mut self, path: &str, value: Option<i64>) -> Option<T> {
        self.convert(path, value, |n| {
            T::try_from(n).map_err(|_| format!("{n} is out of range; expected an integer >= 0"))
        })
    }

    pub(super) fn text(&mut self, path: &str, value: Option<String>, what: &str) -> String {
        self.required(path, value, what).unwrap_or_default()
    }

    fn facility(&mut self, raw: RawFacility) -> (FacilitySpec, Option<String>) {
        let projects = self.required("projects", raw.projects, "the path of the project CSV");
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
            risk: self.risk(raw.risk),
            eligibility: eligibility(raw.eligibility.unwrap_or_default()),
            simulation: self.simulation(raw.simulation.unwrap_or_default()),
            waterfall: self.waterfall(raw.waterfall),
            guarantee: self.guarantee(raw.guarantee),
            projects: Vec::new(),
        };
        (spec, projects)
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
        }
    }

    fn risk(&mut self, raw: Option<RawRisk>) -> RiskSpec {
        let Some(raw) = self.required("risk", raw, "a [risk] table") else {
            return placeholder_risk();
        };
        let copula = self.required("risk.copula", raw.copula, "\"gaussian\"");
        let lag = self.required(
            "risk.recovery_lag_months",
            raw.recovery_lag_months,
            "an integer >= 0",
        );
        RiskSpec {
            correlation: self.correlation(raw.correlation),
            copula: self
                .choice("risk.copula", copula, COPULAS)
                .unwrap_or(super::types::Copula::Gaussian),
            recovery_lag_months: self.integer("risk.recovery_lag_months", lag).unwrap_or(0),
            recovery_systematic_weight: raw.recovery_systematic_weight.unwrap_or(0.0),
            correlation_by_mineral: Vec::new(),
            construction_pd_multiplier: 1.0,
            ratings: RatingTable::moodys_idealized_10y(),
            pd_curves: Vec::new(),
        }
    }

    fn correlation(&mut self, raw: Option<RawCorrelation>) -> CorrelationShares {
        let what = "a [risk.correlation] table with global, mineral and country";
        let raw = self.required("risk.correlation", raw, what);
        let raw = raw.unwrap_or(RawCorrelation {
            global: Some(0.0),
            mineral: Some(0.0),
            country: Some(0.0),
        });
        let mut share = |name: &str, value: Option<f64>| {
            let path = format!("risk.correlation.{name}");
            self.required(&path, value, "a share in [0, 1)")
                .unwrap_or(0.0)
        };
        CorrelationShares {
            global: share("global", raw.global),
            mineral: share("mineral", raw.mineral),
            country: share("country", raw.country),
            region: 0.0,
        }
    }

    fn simulation(&mut self, raw: RawSimulation) -> SimulationDefaults {
        SimulationDefaults {
            paths: self.integer("simulation.paths", raw.paths),
            seed: self.integer("simulation.seed", raw.seed),
        }
    }
}

/// Nexus codes are compared in upper case.
fn codes(raw: Option<Vec<String>>) -> Vec<String> {
    raw.unwrap_or_default()
        .iter()
        .map(|code| code.trim().to_ascii_uppercase())
        .collect()
}

fn eligibility(raw: RawEligibility) -> EligibilityRules {
    EligibilityRules {
        required_sponsor_nexus: codes(raw.required_sponsor_nexus),
        excluded_sponsor_nexus: codes(raw.excluded_sponsor_nexus),
        max_project_share: raw.max_project_share,
        max_mineral_share: raw.max_mineral_share,
        max_country_share: raw.max_country_share,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
name = "F"
currency = "usd"
start_date = "2026-01-01"
legal_final_date = 2036-01-01
projects = "p.csv"
[risk]
copula = "Gaussian"
recovery_lag_months = 0
[risk.correlation]
global = 0
mineral = 0.1
country = 0.1
[[tranches]]
name = "only"
class = "first_loss"
amount = "1.5"
coupon = 0
"#;

    fn fields(read: &FacilityRead) -> Vec<&str> {
        read.diagnostics.iter().map(|d| d.field.as_str()).collect()
    }

    #[test]
    fn minimal_file_uses_the_defaults() {
        let read = read_facility(MINIMAL);
        assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
        let spec = read.spec;
        assert_eq!(spec.currency.code, "USD");
        assert_eq!(spec.frequency, PaymentFrequency::Quarterly);
        assert_eq!(spec.day_count, DayCount::Act365Fixed);
        assert_eq!(spec.management_fee_bps, 0.0);
        assert_eq!(spec.risk.recovery_systematic_weight, 0.0);
        assert_eq!(spec.eligibility, EligibilityRules::default());
        assert_eq!(spec.simulation, SimulationDefaults::default());
        assert_eq!(spec.tranches[0].amount.to_string(), "1.5");
        assert!(!spec.tranches[0].deferrable && !spec.tranches[0].public);
        assert_eq!(read.projects_path.as_deref(), Some("p.csv"));
    }

    #[test]
    fn currency_digits_from_table_or_file() {
        let krw = MINIMAL.replace("\"usd\"", "\"KRW\"");
        assert_eq!(read_facility(&krw).spec.currency.minor_digits, 0);
        let own = MINIMAL.replace("\"usd\"", "\"XAF\"\ncurrency_minor_digits = 0");
        assert_eq!(read_facility(&own).spec.currency.minor_digits, 0);
        let unknown = read_facility(&MINIMAL.replace("\"usd\"", "\"XAF\""));
        assert_eq!(fields(&unknown), ["currency"]);
        let clash = MINIMAL.replace("\"usd\"", "\"USD\"\ncurrency_minor_digits = 3");
        assert_eq!(fields(&read_facility(&clash)), ["currency_minor_digits"]);
    }

    #[test]
    fn missing_table_is_reported_once() {
        let start = MINIMAL.find("[risk]").unwrap();
        let end = MINIMAL.find("[[tranches]]").unwrap();
        let text = format!("{}{}", &MINIMAL[..start], &MINIMAL[end..]);
        let read = read_facility(&text);
        assert_eq!(fields(&read), ["risk"]);
        assert!(is_failed(&read.failed, "risk.correlation.global"));
    }

    #[test]
    fn a_wrongly_typed_value_is_not_also_reported_missing() {
        let read = read_facility(&MINIMAL.replace("coupon = 0", "coupon = \"5%\""));
        assert_eq!(fields(&read), ["tranches[0].coupon"]);
        assert!(read.diagnostics[0].message.contains("expected f64"));
        assert!(is_failed(&read.failed, "tranches[0].coupon"));
        assert!(!is_failed(&read.failed, "tranches[0].co"));
    }

    #[test]
    fn dates_with_a_time_are_refused() {
        let read = read_facility(&MINIMAL.replace("2036-01-01", "2036-01-01T10:00:00"));
        assert_eq!(fields(&read), ["legal_final_date"]);
    }
}
