//! Stress scenarios: named overlays on the base case, read from a scenarios
//! file (TOML, named by the facility file's `scenarios` key).
//!
//! ```toml
//! [[scenarios]]
//! name = "lithium_price_crash"
//! description = "Lithium factor at its 5th percentile"
//! factor_shift = [{ factor = "mineral", name = "lithium", quantile = 0.05 }]
//! pd_multiplier = [{ mineral = "lithium", multiplier = 1.5 }]
//! recovery_haircut = [{ mineral = "lithium", haircut = 0.1 }]
//! correlation = { mineral = 0.15 }
//! ```

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::{Diagnostic, SpecError};
use super::facility_file::RawShares;
use super::names::check_safe_name;
use super::nexus_events::RawHazard;
use super::projects_file::listed_spelling;
use super::toml_source::read_toml;
use super::types::{CorrelationShares, FacilitySpec, HazardOverride, ProjectSpec, Selector};
use super::words::{SEGMENTS, parse_choice};

/// The name of the scenario without overlays.
pub const BASE: &str = "base";

/// A named set of overlays on the base case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioSpec {
    /// Unique name (`base` is the case without overlays).
    pub name: String,
    /// What the scenario stands for.
    pub description: String,
    /// Hazard multipliers; a project matching several gets their product.
    pub pd_multipliers: Vec<Overlay>,
    /// Relative recovery haircuts in [0, 1]; several combine as
    /// `1 - prod(1 - h)`.
    pub recovery_haircuts: Vec<Overlay>,
    /// Correlation shares replacing the facility's (and its per-mineral
    /// overrides), fully resolved; `None` keeps them.
    pub correlation: Option<CorrelationShares>,
    /// Systematic factors held at a fixed level (conditional simulation).
    pub factor_shifts: Vec<FactorShift>,
    /// Annual hazards of nexus events replacing the facility's
    /// (`[nexus_events]`) for the projects they match; the last match wins.
    pub acquisition_hazards: Vec<HazardOverride>,
}

/// A value applied to the projects a selector matches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overlay {
    /// Which projects.
    pub selector: Selector,
    /// Multiplier or haircut.
    pub value: f64,
}

/// A systematic factor of the risk model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FactorRef {
    /// The global factor.
    Global,
    /// A mineral's factor.
    Mineral(String),
    /// A country's factor.
    Country(String),
    /// A region's factor.
    Region(String),
}

/// A factor held at a level: a standard-normal quantile or value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactorShift {
    /// Which factor.
    pub factor: FactorRef,
    /// Its level.
    pub level: ShiftLevel,
}

/// The level of a shifted factor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShiftLevel {
    /// The factor's quantile at this probability in (0, 1) (0.05: a 1-in-20
    /// bad outcome).
    Quantile(f64),
    /// The factor's value in standard deviations.
    Value(f64),
}

impl ScenarioSpec {
    /// The base case: no overlays.
    pub fn base() -> ScenarioSpec {
        ScenarioSpec {
            name: BASE.into(),
            description: "base case".into(),
            pd_multipliers: Vec::new(),
            recovery_haircuts: Vec::new(),
            correlation: None,
            factor_shifts: Vec::new(),
            acquisition_hazards: Vec::new(),
        }
    }

    /// The hazard multiplier of a project.
    pub fn pd_multiplier(&self, project: &ProjectSpec) -> f64 {
        product_over(&self.pd_multipliers, project)
    }

    /// The combined relative recovery haircut of a project.
    pub fn recovery_haircut(&self, project: &ProjectSpec) -> f64 {
        let kept: f64 = self
            .recovery_haircuts
            .iter()
            .filter(|o| o.selector.matches(project))
            .map(|o| 1.0 - o.value)
            .product();
        1.0 - kept
    }
}

/// The product of the values of the overlays matching `project`.
fn product_over(overlays: &[Overlay], project: &ProjectSpec) -> f64 {
    (overlays.iter())
        .filter(|o| o.selector.matches(project))
        .map(|o| o.value)
        .product()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    scenarios: Option<Vec<RawScenario>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Option<String>,
    description: Option<String>,
    pd_multiplier: Option<Vec<RawMultiplier>>,
    recovery_haircut: Option<Vec<RawHaircut>>,
    correlation: Option<RawShares>,
    factor_shift: Option<Vec<RawShift>>,
    acquisition_hazard: Option<Vec<RawHazard>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMultiplier {
    mineral: Option<String>,
    country: Option<String>,
    segment: Option<String>,
    multiplier: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHaircut {
    mineral: Option<String>,
    country: Option<String>,
    segment: Option<String>,
    haircut: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShift {
    factor: Option<String>,
    name: Option<String>,
    quantile: Option<f64>,
    value: Option<f64>,
}

/// Reads and validates the scenarios file at `path` against the facility.
pub fn read_scenarios(
    path: &Path,
    facility: &FacilitySpec,
) -> Result<Vec<ScenarioSpec>, SpecError> {
    let bytes = super::input_file::read_input(path, super::input_file::MAX_SMALL_FILE_BYTES)
        .map_err(|source| SpecError::Io {
            path: path.to_owned(),
            source,
        })?;
    let text = String::from_utf8(bytes).map_err(|e| SpecError::Io {
        path: path.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
    })?;
    let read = read_toml::<RawFile>(&text);
    let mut checker = Checker {
        facility,
        diagnostics: read.diagnostics,
    };
    let scenarios = read.value.and_then(|raw| raw.scenarios).unwrap_or_default();
    let scenarios: Vec<ScenarioSpec> = scenarios
        .into_iter()
        .enumerate()
        .map(|(i, raw)| checker.scenario(&format!("scenarios[{i}]"), raw))
        .collect();
    checker.unique_names(&scenarios);
    if checker.diagnostics.is_empty() {
        return Ok(scenarios);
    }
    let located = checker
        .diagnostics
        .into_iter()
        .map(|d| {
            let line = d.line.or_else(|| read.index.line_of(&d.field));
            Diagnostic {
                file: Some(path.to_owned()),
                ..d.at_line(line)
            }
        })
        .collect();
    Err(SpecError::Invalid(located))
}

struct Checker<'a> {
    facility: &'a FacilitySpec,
    diagnostics: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn fail(&mut self, field: String, message: String) {
        self.diagnostics.push(Diagnostic::new(field, message));
    }

    fn scenario(&mut self, at: &str, raw: RawScenario) -> ScenarioSpec {
        let name = raw.name.unwrap_or_default().trim().to_owned();
        if name.eq_ignore_ascii_case(BASE) {
            self.fail(
                format!("{at}.name"),
                format!("needs a name other than `{BASE}` (the base case is built in)"),
            );
        } else if let Err(message) = check_safe_name(&name, "scenario") {
            self.fail(format!("{at}.name"), message);
        }
        let pd_multipliers = self.multipliers(&format!("{at}.pd_multiplier"), raw.pd_multiplier);
        let acquisition_hazards: Vec<HazardOverride> = (raw
            .acquisition_hazard
            .unwrap_or_default()
            .into_iter()
            .enumerate())
        .map(|(i, h)| self.hazard(&format!("{at}.acquisition_hazard[{i}]"), h))
        .collect();
        if !acquisition_hazards.is_empty() && self.facility.nexus_events.is_none() {
            self.fail(
                format!("{at}.acquisition_hazard"),
                "sets the hazard of nexus events, but the facility has no `[nexus_events]` \
                 table (it states the remedy); add one (docs/inputs.md)"
                    .into(),
            );
        }
        let haircuts = raw
            .recovery_haircut
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, h)| {
                let at = format!("{at}.recovery_haircut[{i}]");
                let selector = self.selector(&at, h.mineral, h.country, h.segment);
                let value = self.number(
                    &format!("{at}.haircut"),
                    h.haircut,
                    0.0,
                    1.0,
                    "a share in [0, 1]",
                );
                Overlay { selector, value }
            });
        let recovery_haircuts = haircuts.collect();
        let correlation = raw
            .correlation
            .map(|shares| self.shares(&format!("{at}.correlation"), shares));
        let factor_shifts = raw
            .factor_shift
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .filter_map(|(i, shift)| self.shift(&format!("{at}.factor_shift[{i}]"), shift))
            .collect();
        ScenarioSpec {
            name,
            description: raw.description.unwrap_or_default(),
            pd_multipliers,
            recovery_haircuts,
            correlation,
            factor_shifts,
            acquisition_hazards,
        }
    }

    /// `{ mineral, country, segment, project, group, annual_hazard }`.
    fn hazard(&mut self, at: &str, raw: RawHazard) -> HazardOverride {
        let selector = self.selector(at, raw.mineral, raw.country, raw.segment);
        let project = raw.project.map(|p| p.trim().to_owned());
        if let Some(id) = &project {
            self.known(&format!("{at}.project"), "id", id, |p| &p.id);
        }
        let annual_hazard = self.number(
            &format!("{at}.annual_hazard"),
            raw.annual_hazard,
            0.0,
            1.0,
            "an annual probability in [0, 1]",
        );
        let nexus = raw.group.map(|g| g.trim().to_owned());
        if let Some(entry) = &nexus {
            let table = &self.facility.eligibility.nexus;
            if let Err(message) = table.check_rule_entry(entry) {
                self.fail(format!("{at}.group"), message);
            }
        }
        HazardOverride {
            project,
            selector,
            nexus,
            annual_hazard,
        }
    }

    /// A list of multipliers by selector (`pd_multiplier`,
    /// `acquisition_hazard_multiplier`).
    fn multipliers(&mut self, at: &str, raw: Option<Vec<RawMultiplier>>) -> Vec<Overlay> {
        (raw.unwrap_or_default().into_iter().enumerate())
            .map(|(i, m)| {
                let at = format!("{at}[{i}]");
                let selector = self.selector(&at, m.mineral, m.country, m.segment);
                let value = self.number(
                    &format!("{at}.multiplier"),
                    m.multiplier,
                    0.0,
                    super::validate::MAX_PD_MULTIPLIER,
                    "a multiplier from 0 to 1000",
                );
                Overlay { selector, value }
            })
            .collect()
    }

    fn number(&mut self, field: &str, value: Option<f64>, low: f64, high: f64, what: &str) -> f64 {
        match value {
            Some(v) if v.is_finite() && (low..=high).contains(&v) => v,
            Some(v) => {
                self.fail(
                    field.into(),
                    format!("{v} is out of range; expected {what}"),
                );
                1.0
            }
            None => {
                self.fail(field.into(), format!("is missing; expected {what}"));
                1.0
            }
        }
    }

    fn selector(
        &mut self,
        at: &str,
        mineral: Option<String>,
        country: Option<String>,
        segment: Option<String>,
    ) -> Selector {
        let mineral = mineral.map(|m| m.trim().to_lowercase());
        let country = country.map(|c| self.country_spelling(&c));
        if let Some(m) = &mineral {
            self.known(&format!("{at}.mineral"), "mineral", m, |p| &p.mineral);
        }
        if let Some(c) = &country {
            self.known(&format!("{at}.country"), "country", c, |p| &p.country);
        }
        let segment = segment.and_then(|s| match parse_choice(&s, SEGMENTS) {
            Ok(segment) => Some(segment),
            Err(message) => {
                self.fail(format!("{at}.segment"), message);
                None
            }
        });
        Selector {
            mineral,
            country,
            segment,
        }
    }

    /// The project list's spelling of a country a selector names (case
    /// and spacing as the list has them).
    fn country_spelling(&self, name: &str) -> String {
        let countries = self.facility.projects.iter().map(|p| p.country.as_str());
        listed_spelling(countries, name)
    }

    /// The project list's spelling of a region a selector names.
    fn region_spelling(&self, name: &str) -> String {
        let regions = (self.facility.projects.iter()).filter_map(|p| p.region.as_deref());
        listed_spelling(regions, name)
    }

    /// Checks that some project has `value` in the field `get` reads.
    fn known(
        &mut self,
        field: &str,
        what: &str,
        value: &str,
        get: impl Fn(&ProjectSpec) -> &String,
    ) -> bool {
        let present: BTreeSet<&str> = self
            .facility
            .projects
            .iter()
            .map(|p| get(p).as_str())
            .collect();
        if present.contains(value) {
            return true;
        }
        let list: Vec<&str> = present.into_iter().collect();
        self.fail(
            field.into(),
            format!(
                "no project has {what} `{value}`; the project list has {}",
                list.join(", ")
            ),
        );
        false
    }

    fn shares(&mut self, at: &str, raw: RawShares) -> CorrelationShares {
        let base = self.facility.risk.correlation;
        let mut share = |key: &str, value: Option<f64>, default: f64| {
            self.number(
                &format!("{at}.{key}"),
                Some(value.unwrap_or(default)),
                0.0,
                0.999_999,
                "a share in [0, 1)",
            )
        };
        let shares = CorrelationShares {
            global: share("global", raw.global, base.global),
            mineral: share("mineral", raw.mineral, base.mineral),
            country: share("country", raw.country, base.country),
            region: share("region", raw.region, base.region),
        };
        if shares.total() >= 1.0 {
            self.fail(
                at.into(),
                format!(
                    "the shares add up to {}; their sum must be below 1",
                    shares.total()
                ),
            );
        }
        shares
    }

    fn shift(&mut self, at: &str, raw: RawShift) -> Option<FactorShift> {
        let kind = raw
            .factor
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_lowercase();
        let name = raw.name.map(|n| n.trim().to_owned());
        let factor = match (kind.as_str(), name) {
            ("global", None) => FactorRef::Global,
            ("mineral", Some(n)) => {
                let n = n.to_lowercase();
                self.known(&format!("{at}.name"), "mineral", &n, |p| &p.mineral)
                    .then_some(FactorRef::Mineral(n))?
            }
            ("country", Some(n)) => {
                let n = self.country_spelling(&n);
                self.known(&format!("{at}.name"), "country", &n, |p| &p.country)
                    .then_some(FactorRef::Country(n))?
            }
            ("region", Some(n)) => {
                let n = self.region_spelling(&n);
                let regions: Vec<&String> = self
                    .facility
                    .projects
                    .iter()
                    .filter_map(|p| p.region.as_ref())
                    .collect();
                if !regions.contains(&&n) {
                    self.fail(format!("{at}.name"), format!("no project has region `{n}`"));
                    return None;
                }
                FactorRef::Region(n)
            }
            _ => {
                self.fail(
                    format!("{at}.factor"),
                    format!(
                        "`{kind}` is not a factor; expected `global` (without a name) or `mineral`, `country` or \
                         `region` with a `name`"
                    ),
                );
                return None;
            }
        };
        let level = match (raw.quantile, raw.value) {
            (Some(q), None) if q > 0.0 && q < 1.0 => ShiftLevel::Quantile(q),
            (None, Some(v)) if v.is_finite() => ShiftLevel::Value(v),
            _ => {
                self.fail(
                    at.into(),
                    "give exactly one of `quantile` (a probability in (0, 1)) or `value` (standard deviations)".into(),
                );
                return None;
            }
        };
        Some(FactorShift { factor, level })
    }

    fn unique_names(&mut self, scenarios: &[ScenarioSpec]) {
        let mut seen = BTreeSet::new();
        for (i, s) in scenarios.iter().enumerate() {
            if !s.name.is_empty() && !seen.insert(s.name.to_ascii_lowercase()) {
                self.fail(
                    format!("scenarios[{i}].name"),
                    format!(
                        "`{}` is used by another scenario (names are compared ignoring case, \
                         since each names a folder)",
                        s.name
                    ),
                );
            }
        }
    }
}
