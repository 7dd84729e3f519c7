//! Semantic rules of a [`FacilitySpec`], usable on a hand-built spec.
//!
//! Each rule yields a [`Finding`]: the diagnostic, which file it belongs to
//! and whether it reads more than the one field it names ("relational"). The
//! loader uses this to report range problems even when other fields could
//! not be read, without reporting rules whose inputs are missing.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use super::error::Diagnostic;
pub(super) use super::interval::{Interval, number_in};
use super::money::{check_minor_digits, check_positive, fits_minor_units};
use super::names::check_safe_name;
mod bounds;
mod nexus_events;
mod parties;
mod projects;

use super::types::{
    Copula, CorrelationShares, EligibilityRules, FacilitySpec, PdCurve, PdSource, ProjectSpec,
    RatingTable, RiskSpec,
};
pub use bounds::{MAX_DATE, MAX_HORIZON_YEARS, MAX_MINOR_UNITS, MIN_DATE};
use projects::{check_by_mineral_used, check_projects, check_totals, mineral_name};

/// Which input file a finding belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Origin {
    /// The facility TOML.
    Facility,
    /// The project CSV.
    Projects,
    /// The idealized rating table CSV (`[implied_rating] table`); only
    /// read problems, since a [`super::ByYearTable`] cannot break a rule.
    RatingTable,
    /// `ownership.csv` (`[eligibility.ownership] file`); read problems and
    /// its own cross-row rules, checked when it is read.
    Ownership,
}

/// One broken rule.
#[derive(Debug, Clone)]
pub(crate) struct Finding {
    /// File of the field named by the diagnostic.
    pub origin: Origin,
    /// Whether the rule reads fields other than the one it names.
    pub relational: bool,
    /// The problem (file not set; line set for projects).
    pub diag: Diagnostic,
}

const OPEN_UNIT: Interval = Interval(0.0, false, 1.0, false);
const UNIT: Interval = Interval(0.0, true, 1.0, true);
const RATE: Interval = Interval(0.0, true, 1.0, false);
const SHARE: Interval = Interval(0.0, false, 1.0, true);
pub(super) const BPS: Interval = Interval(0.0, true, 10_000.0, false);
const NON_NEGATIVE: Interval = Interval(0.0, true, f64::INFINITY, false);
/// Degrees of freedom of the t copula: from the Cauchy (1) to where it is
/// the Gaussian copula for every purpose (the threshold moves by under
/// 2e-5 standard deviations); thresholds are computed exactly up to it.
const DOF: Interval = Interval(1.0, true, 1e6, true);
/// Years of a rating table's horizon or a PD curve's points.
const YEARS: Interval = Interval(0.0, false, MAX_HORIZON_YEARS as f64, true);
/// Largest recovery lag, in months (the longest horizon).
pub(super) const MAX_RECOVERY_LAG_MONTHS: u32 = 12 * MAX_HORIZON_YEARS as u32;
/// Smallest non-zero recovery sd: below it the Beta law's shapes pass
/// 10^5 and the law is a fixed rate for every purpose (write 0).
pub(super) const MIN_RECOVERY_SD: f64 = 0.001;
/// Largest hazard multiplier (construction premium, scenario multipliers):
/// beyond it every loan defaults in its first period anyway.
pub(super) const MAX_PD_MULTIPLIER: f64 = 1_000.0;

fn non_empty(text: &str, what: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        Err(format!("is empty; expected {what}"))
    } else {
        Ok(())
    }
}

/// A name that cells of the project list can refer to (they are trimmed).
fn reference_name(name: &str, what: &str) -> Result<(), String> {
    non_empty(name, what)?;
    if name.trim() != name {
        return Err(format!(
            "`{name}` has spaces around it; expected {what} without them"
        ));
    }
    Ok(())
}

/// `a, b, c` of names, or `none`.
fn listing<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<_> = names.collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// Collects findings.
#[derive(Default)]
struct Checks(Vec<Finding>);

impl Checks {
    fn push(&mut self, origin: Origin, relational: bool, diag: Diagnostic) {
        self.0.push(Finding {
            origin,
            relational,
            diag,
        });
    }

    fn facility(&mut self, field: impl Into<String>, relational: bool, r: Result<(), String>) {
        if let Err(message) = r {
            self.push(
                Origin::Facility,
                relational,
                Diagnostic::new(field, message),
            );
        }
    }

    fn project(&mut self, p: &ProjectSpec, field: &str, relational: bool, r: Result<(), String>) {
        if let Err(message) = r {
            let line = (p.line > 0).then_some(p.line);
            let diag = Diagnostic::new(field, message).at_line(line);
            self.push(Origin::Projects, relational, diag);
        }
    }
}

impl FacilitySpec {
    /// Checks every semantic rule of the input format (ranges, ordering,
    /// uniqueness, totals) and returns every problem found. Diagnostics on
    /// projects carry the project's line; none carries a file.
    pub fn validate(&self) -> Result<(), Vec<Diagnostic>> {
        let diags: Vec<_> = findings(self).into_iter().map(|f| f.diag).collect();
        if diags.is_empty() { Ok(()) } else { Err(diags) }
    }

    /// Sum of the project amounts (saturating at [`Decimal::MAX`], which
    /// [`FacilitySpec::validate`] rejects).
    pub fn pool_amount(&self) -> Decimal {
        saturating_sum(self.projects.iter().map(|p| p.amount))
    }
}

fn saturating_sum(amounts: impl Iterator<Item = Decimal>) -> Decimal {
    amounts.fold(Decimal::ZERO, |sum, a| {
        sum.checked_add(a).unwrap_or(Decimal::MAX)
    })
}

/// Every broken rule of `spec`.
pub(crate) fn findings(spec: &FacilitySpec) -> Vec<Finding> {
    let mut checks = Checks::default();
    check_facility(spec, &mut checks);
    check_tranches(spec, &mut checks);
    parties::check_parties(spec, &mut checks);
    nexus_events::check_nexus_events(spec, &mut checks);
    check_risk(&spec.risk, &mut checks);
    check_eligibility_rules(&spec.eligibility, &mut checks);
    check_projects(spec, &mut checks);
    check_by_mineral_used(spec, &mut checks);
    check_totals(spec, &mut checks);
    bounds::check_worst_case(spec, &mut checks);
    for (field, relational, message) in super::waterfall_validate::findings(spec) {
        checks.facility(field, relational, Err(message));
    }
    for finding in super::funding_validate::findings(spec) {
        let diag = Diagnostic::new(finding.field, finding.message);
        match finding.project_line {
            Some(line) => {
                let diag = diag.at_line((line > 0).then_some(line));
                checks.push(Origin::Projects, finding.relational, diag);
            }
            None => checks.push(Origin::Facility, finding.relational, diag),
        }
    }
    checks.0
}

fn check_facility(spec: &FacilitySpec, c: &mut Checks) {
    c.facility("name", false, non_empty(&spec.name, "the facility's name"));
    let code = &spec.currency.code;
    let code_ok = code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase());
    c.facility(
        "currency",
        false,
        code_ok.then_some(()).ok_or_else(|| {
            format!("`{code}` is not a currency code; expected three capital letters, e.g. USD")
        }),
    );
    c.facility(
        "currency_minor_digits",
        false,
        (spec.currency.minor_digits <= 4)
            .then_some(())
            .ok_or_else(|| {
                format!(
                    "{} minor-unit digits; expected 0 to 4",
                    spec.currency.minor_digits
                )
            }),
    );
    bounds::check_facility_dates(spec, c);
    let ordered = spec.legal_final_date > spec.start_date;
    c.facility(
        "legal_final_date",
        true,
        ordered.then_some(()).ok_or_else(|| {
            format!(
                "{} is not after start_date {}; expected a later date",
                spec.legal_final_date, spec.start_date
            )
        }),
    );
    let fee = number_in(spec.management_fee_bps, BPS, "a fee in basis points");
    c.facility("management_fee_bps", false, fee);
    let max = crate::limits::MAX_PATHS;
    let paths_ok = spec.simulation.paths.is_none_or(|n| (1..=max).contains(&n));
    c.facility(
        "simulation.paths",
        false,
        paths_ok.then_some(()).ok_or_else(|| {
            format!(
                "{} paths; expected 1 to {max}",
                spec.simulation.paths.unwrap_or_default()
            )
        }),
    );
    if let Some(name) = &spec.simulation.importance_tranche {
        let known = spec.tranches.iter().any(|t| &t.name == name);
        let names: Vec<&str> = spec.tranches.iter().map(|t| t.name.as_str()).collect();
        c.facility(
            "simulation.importance_tranche",
            false,
            known.then_some(()).ok_or_else(|| {
                format!(
                    "no tranche is named {name:?}; expected one of {}",
                    names.join(", ")
                )
            }),
        );
    }
}

fn check_tranches(spec: &FacilitySpec, c: &mut Checks) {
    if spec.tranches.is_empty() {
        c.facility(
            "tranches",
            false,
            Err("no tranches; expected at least one [[tranches]] table".into()),
        );
    }
    let digits = spec.currency.minor_digits;
    let mut names = BTreeMap::new();
    let mut most_junior = None;
    for (i, t) in spec.tranches.iter().enumerate() {
        let field = |name: &str| format!("tranches[{i}].{name}");
        c.facility(field("name"), false, check_safe_name(&t.name, "tranche"));
        c.facility(field("amount"), false, check_positive(t.amount));
        // Relational: the number of digits comes from the currency.
        c.facility(field("amount"), true, check_minor_digits(t.amount, digits));
        c.facility(
            field("coupon"),
            false,
            number_in(t.coupon, RATE, "an annual rate"),
        );
        let folded = t.name.to_ascii_lowercase();
        if let Some(first) = names.get(folded.as_str()) {
            let message = format!(
                "`{}` is already the name of tranches[{first}] (names are compared ignoring case); \
                 expected unique names",
                t.name
            );
            c.facility(field("name"), true, Err(message));
        } else {
            names.insert(folded, i);
        }
        if let Some(prev) = most_junior.filter(|prev| t.class < *prev) {
            let message = format!(
                "a `{}` tranche is listed after a `{}` one; list tranches most senior first (senior, mezzanine, first_loss)",
                t.class.as_str(),
                prev.as_str()
            );
            c.facility(field("class"), true, Err(message));
        }
        most_junior = most_junior.max(Some(t.class));
    }
}

fn check_risk(risk: &RiskSpec, c: &mut Checks) {
    check_shares(&risk.correlation, None, "risk.correlation", c);
    let mut minerals = BTreeSet::new();
    for (mineral, shares) in &risk.correlation_by_mineral {
        let at = format!("risk.correlation.by_mineral.{mineral}");
        c.facility(&at, false, mineral_name(mineral));
        if !minerals.insert(mineral) {
            let message = format!("`{mineral}` has two tables; expected one per mineral");
            c.facility(&at, true, Err(message));
        }
        check_shares(shares, Some(&risk.correlation), &at, c);
    }
    if let Copula::StudentT { dof } = risk.copula {
        let r = number_in(dof, DOF, "a number of degrees of freedom");
        c.facility("risk.dof", false, r);
    }
    let multiplier = number_in(
        risk.construction_pd_multiplier,
        Interval(0.0, true, MAX_PD_MULTIPLIER, true),
        "a hazard multiplier",
    );
    let lag = risk.recovery_lag_months;
    let lag_ok = (lag <= MAX_RECOVERY_LAG_MONTHS)
        .then_some(())
        .ok_or_else(|| {
            format!(
                "{lag} months; expected at most {MAX_RECOVERY_LAG_MONTHS} (the longest horizon)"
            )
        });
    c.facility("risk.recovery_lag_months", false, lag_ok);
    c.facility("risk.construction_pd_multiplier", false, multiplier);
    let weight = number_in(risk.recovery_systematic_weight, UNIT, "a weight");
    c.facility("risk.recovery_systematic_weight", false, weight);
    check_ratings(&risk.ratings, c);
    check_curves(&risk.pd_curves, c);
}

/// Shares at `at`: each in [0, 1), sum below 1. For a mineral's resolved
/// shares (`base` given), a share equal to the base's is inherited (or the
/// same value) and reported on the base only, and so is a sum when every
/// share is the base's.
fn check_shares(
    shares: &CorrelationShares,
    base: Option<&CorrelationShares>,
    at: &str,
    c: &mut Checks,
) {
    let named = |s: &CorrelationShares| {
        [
            ("global", s.global),
            ("mineral", s.mineral),
            ("country", s.country),
            ("region", s.region),
        ]
    };
    let base_values = base.map(named);
    let mut all_inherited = base.is_some();
    for (i, (name, share)) in named(shares).into_iter().enumerate() {
        if base_values.is_some_and(|b| b[i].1.to_bits() == share.to_bits()) {
            continue;
        }
        all_inherited = false;
        let r = number_in(share, RATE, "a correlation share");
        c.facility(format!("{at}.{name}"), false, r);
    }
    let sum = shares.total();
    if !all_inherited && sum.partial_cmp(&1.0) != Some(Ordering::Less) {
        let whose = if base.is_some() {
            let mineral = at.rsplit('.').next().unwrap_or_default();
            format!("for mineral {mineral} (keys left out inherit [risk.correlation]'s), ")
        } else {
            String::new()
        };
        // The region share is left out of the sum shown while it is 0.
        let terms: Vec<_> = named(shares)
            .into_iter()
            .filter(|&(name, share)| name != "region" || share != 0.0)
            .collect();
        let names: Vec<_> = terms.iter().map(|(name, _)| *name).collect();
        let values: Vec<_> = terms.iter().map(|(_, share)| share.to_string()).collect();
        let message = format!(
            "{whose}{} = {} = {sum}; expected a sum below 1 \
             (the project-specific share 1 - sum must be positive)",
            names.join(" + "),
            values.join(" + ")
        );
        c.facility(at, true, Err(message));
    }
}

fn check_ratings(table: &RatingTable, c: &mut Checks) {
    let horizon = number_in(table.horizon_years, YEARS, "a horizon in years");
    c.facility("risk.ratings.horizon_years", false, horizon);
    if table.entries.is_empty() {
        let message =
            "has no ratings; expected at least one `rating = cumulative PD`, e.g. Ba1 = 0.094";
        // Relational when loading: every entry may have been unreadable.
        c.facility("risk.ratings.pd", true, Err(message.into()));
    }
    let mut seen = BTreeSet::new();
    for (rating, pd) in &table.entries {
        let field = format!("risk.ratings.pd.{rating}");
        c.facility(&field, false, reference_name(rating, "a rating name"));
        if !seen.insert(rating) {
            let message = format!("`{rating}` is listed twice; expected each rating once");
            c.facility(&field, true, Err(message));
        }
        let r = number_in(*pd, OPEN_UNIT, "a cumulative default probability");
        c.facility(&field, false, r);
    }
}

fn check_curves(curves: &[PdCurve], c: &mut Checks) {
    let mut seen = BTreeSet::new();
    for curve in curves {
        let at = format!("risk.pd_curves.{}", curve.name);
        c.facility(&at, false, reference_name(&curve.name, "a curve name"));
        if !seen.insert(&curve.name) {
            let message = format!("`{}` is defined twice; expected unique names", curve.name);
            c.facility(&at, true, Err(message));
        }
        if curve.points.is_empty() {
            let message =
                "has no points; expected years and cumulative_pd with one or more values each";
            // Relational: the points pair two arrays.
            c.facility(&at, true, Err(message.into()));
        }
        let mut previous: Option<(f64, f64)> = None;
        for (i, &(t, pd)) in curve.points.iter().enumerate() {
            let year = match previous {
                None => number_in(t, YEARS, "a time in years"),
                Some((t0, _)) if !(t > t0 && t.is_finite()) => Err(format!(
                    "{t} does not come after the previous year {t0}; expected finite, strictly increasing years"
                )),
                Some(_) if !YEARS.contains(t) => number_in(t, YEARS, "a time in years"),
                Some(_) => Ok(()),
            };
            c.facility(format!("{at}.years[{i}]"), false, year);
            let r = number_in(pd, OPEN_UNIT, "a cumulative default probability").and_then(|()| {
                match previous {
                    Some((_, pd0)) if pd < pd0 => Err(format!(
                        "{pd} is below the previous cumulative PD {pd0}; expected non-decreasing values"
                    )),
                    _ => Ok(()),
                }
            });
            c.facility(format!("{at}.cumulative_pd[{i}]"), false, r);
            previous = Some((t, pd));
        }
    }
}

fn check_eligibility_rules(rules: &EligibilityRules, c: &mut Checks) {
    let table = &rules.nexus;
    for (name, entries) in [
        ("required_sponsor_nexus", &rules.required_sponsor_nexus),
        ("excluded_sponsor_nexus", &rules.excluded_sponsor_nexus),
    ] {
        for (i, entry) in entries.iter().enumerate() {
            let field = format!("eligibility.{name}[{i}]");
            c.facility(field, false, table.check_rule_entry(entry));
        }
    }
    for (name, share) in [
        ("max_project_share", rules.max_project_share),
        ("max_mineral_share", rules.max_mineral_share),
        ("max_country_share", rules.max_country_share),
    ] {
        let r = share.map_or(Ok(()), |s| number_in(s, SHARE, "a share of the pool"));
        c.facility(format!("eligibility.{name}"), false, r);
    }
    if let Some(rule) = &rules.nexus_share {
        let at = "eligibility.nexus_share";
        if rule.nexus.is_empty() {
            let message = "is empty; expected one or more codes or groups, e.g. [\"US\", \"KR\"]";
            c.facility(format!("{at}.nexus"), false, Err(message.into()));
        }
        for (i, entry) in rule.nexus.iter().enumerate() {
            c.facility(
                format!("{at}.nexus[{i}]"),
                false,
                table.check_rule_entry(entry),
            );
        }
        let r = number_in(rule.min_share, SHARE, "a share of the pool");
        c.facility(format!("{at}.min_share"), false, r);
    }
    if let Some(ownership) = &rules.ownership {
        let at = "eligibility.ownership";
        for (key, value) in [
            ("prc_share_threshold", ownership.prc_share_threshold),
            ("control_share", ownership.control_share),
        ] {
            let r = number_in(value, SHARE, "a share");
            c.facility(format!("{at}.{key}"), false, r);
        }
    }
}

#[cfg(test)]
mod tests;
