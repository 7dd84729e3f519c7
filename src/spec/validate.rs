//! Semantic rules of a [`FacilitySpec`], usable on a hand-built spec.
//!
//! Each rule yields a [`Finding`]: the diagnostic, which file it belongs to
//! and whether it reads more than the one field it names ("relational"). The
//! loader uses this to report range problems even when other fields could
//! not be read, without reporting rules whose inputs are missing.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use rust_decimal::Decimal;

use super::error::Diagnostic;
use super::money::{check_minor_digits, check_positive, fits_minor_units};
use super::types::{
    Copula, CorrelationShares, EligibilityRules, FacilitySpec, PdCurve, PdSource, ProjectSpec,
    RatingTable, RiskSpec,
};

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

/// A range of real numbers with open or closed ends.
#[derive(Debug, Clone, Copy)]
pub(super) struct Interval(pub f64, pub bool, pub f64, pub bool);

const OPEN_UNIT: Interval = Interval(0.0, false, 1.0, false);
const UNIT: Interval = Interval(0.0, true, 1.0, true);
const RATE: Interval = Interval(0.0, true, 1.0, false);
const SHARE: Interval = Interval(0.0, false, 1.0, true);
pub(super) const BPS: Interval = Interval(0.0, true, 10_000.0, false);
const POSITIVE: Interval = Interval(0.0, false, f64::INFINITY, false);
const NON_NEGATIVE: Interval = Interval(0.0, true, f64::INFINITY, false);

impl Interval {
    /// Whether `x` lies in the interval (NaN never does).
    pub(super) fn contains(self, x: f64) -> bool {
        let Interval(lo, lo_closed, hi, hi_closed) = self;
        (x > lo || (lo_closed && x == lo)) && (x < hi || (hi_closed && x == hi))
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Interval(lo, lo_closed, hi, hi_closed) = *self;
        let open = if lo_closed { '[' } else { '(' };
        let close = if hi_closed { ']' } else { ')' };
        write!(f, "{open}{lo}, {hi}{close}")
    }
}

/// `x` must be a finite number in `interval`; `noun` says what it is.
pub(super) fn number_in(x: f64, interval: Interval, noun: &str) -> Result<(), String> {
    if interval.contains(x) {
        Ok(())
    } else {
        Err(format!(
            "{x} is not {noun}; expected a number in {interval}"
        ))
    }
}

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
    check_risk(&spec.risk, &mut checks);
    check_eligibility_rules(&spec.eligibility, &mut checks);
    check_projects(spec, &mut checks);
    check_by_mineral_used(spec, &mut checks);
    check_totals(spec, &mut checks);
    for (field, relational, message) in super::waterfall_validate::findings(spec) {
        checks.facility(field, relational, Err(message));
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
    let paths_ok = spec.simulation.paths != Some(0);
    c.facility(
        "simulation.paths",
        false,
        paths_ok
            .then_some(())
            .ok_or_else(|| "0 paths; expected at least 1".to_owned()),
    );
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
        c.facility(field("name"), false, non_empty(&t.name, "a tranche name"));
        c.facility(field("amount"), false, check_positive(t.amount));
        // Relational: the number of digits comes from the currency.
        c.facility(field("amount"), true, check_minor_digits(t.amount, digits));
        c.facility(
            field("coupon"),
            false,
            number_in(t.coupon, RATE, "an annual rate"),
        );
        if let Some(first) = names.get(t.name.as_str()) {
            let message = format!(
                "`{}` is already the name of tranches[{first}]; expected unique names",
                t.name
            );
            c.facility(field("name"), true, Err(message));
        } else {
            names.insert(t.name.as_str(), i);
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
        let r = number_in(dof, POSITIVE, "a number of degrees of freedom");
        c.facility("risk.dof", false, r);
    }
    let multiplier = number_in(
        risk.construction_pd_multiplier,
        NON_NEGATIVE,
        "a hazard multiplier",
    );
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
    let horizon = number_in(table.horizon_years, POSITIVE, "a horizon in years");
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
                None => number_in(t, POSITIVE, "a time in years"),
                Some((t0, _)) if !(t > t0 && t.is_finite()) => Err(format!(
                    "{t} does not come after the previous year {t0}; expected finite, strictly increasing years"
                )),
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
    for (name, codes) in [
        ("required_sponsor_nexus", &rules.required_sponsor_nexus),
        ("excluded_sponsor_nexus", &rules.excluded_sponsor_nexus),
    ] {
        for code in codes {
            c.facility(format!("eligibility.{name}"), false, nexus_code(code));
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
}

fn nexus_code(code: &str) -> Result<(), String> {
    let ok = !code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    ok.then_some(()).ok_or_else(|| {
        format!("`{code}` is not a nexus code; expected capital letters such as US, KR or PRC")
    })
}

fn mineral_name(mineral: &str) -> Result<(), String> {
    let ok = mineral.split('_').all(|word| {
        word.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
            && word
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    ok.then_some(()).ok_or_else(|| {
        format!("`{mineral}` is not a mineral name; expected lower-case words joined by `_`, e.g. rare_earths")
    })
}

fn check_projects(spec: &FacilitySpec, c: &mut Checks) {
    if spec.projects.is_empty() {
        let diag = Diagnostic::new(
            "",
            "the project list has no rows; expected at least one loan",
        );
        // Relational: only meaningful once the whole file could be read.
        c.push(Origin::Projects, true, diag);
    }
    let mut ids: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &spec.projects {
        check_project_fields(p, spec.currency.minor_digits, c);
        check_project_pd(&spec.risk, p, c);
        check_project_dates(spec, p, c);
        if let Some(first) = ids.get(p.id.as_str()) {
            let message = format!(
                "`{}` is already the id of the project on line {first}; expected unique ids",
                p.id
            );
            c.project(p, "id", true, Err(message));
        } else {
            ids.insert(&p.id, p.line);
        }
    }
}

fn check_project_fields(p: &ProjectSpec, digits: u32, c: &mut Checks) {
    c.project(p, "id", false, non_empty(&p.id, "a project id"));
    c.project(p, "name", false, non_empty(&p.name, "a project name"));
    c.project(p, "mineral", false, mineral_name(&p.mineral));
    c.project(p, "country", false, non_empty(&p.country, "a country"));
    let nexus = match p.sponsor_nexus.as_slice() {
        [] => Err("is empty; expected one or more codes separated by `;`, e.g. US;KR".to_owned()),
        codes => codes.iter().try_for_each(|code| nexus_code(code)),
    };
    c.project(p, "sponsor_nexus", false, nexus);
    c.project(p, "amount", false, check_positive(p.amount));
    c.project(p, "amount", true, check_minor_digits(p.amount, digits));
    c.project(
        p,
        "coupon",
        false,
        number_in(p.coupon, RATE, "an annual rate"),
    );
    if let Some(region) = &p.region {
        let r = non_empty(region, "a region, or no value");
        c.project(p, "region", false, r);
    }
    c.project(
        p,
        "recovery_mean",
        false,
        number_in(p.recovery_mean, UNIT, "a recovery rate"),
    );
    c.project(
        p,
        "recovery_sd",
        false,
        number_in(p.recovery_sd, NON_NEGATIVE, "a standard deviation"),
    );
    c.project(
        p,
        "recovery_sd",
        true,
        beta_feasible(p.recovery_mean, p.recovery_sd),
    );
}

/// The project's PD source: a probability, or a rating or curve the
/// facility defines (relational: looked up in the facility file).
fn check_project_pd(risk: &RiskSpec, p: &ProjectSpec, c: &mut Checks) {
    match &p.pd {
        PdSource::AnnualPd(annual_pd) => {
            let r = number_in(*annual_pd, OPEN_UNIT, "a probability");
            c.project(p, "annual_pd", false, r);
        }
        PdSource::Rating(rating) if risk.ratings.pd(rating).is_none() => {
            let message = format!(
                "`{rating}` is not in the rating table ({}); expected one of {} (exact spelling)",
                risk.ratings.source,
                listing(risk.ratings.entries.iter().map(|(r, _)| r.as_str()))
            );
            c.project(p, "rating", true, Err(message));
        }
        PdSource::Curve(name) if !risk.pd_curves.iter().any(|curve| &curve.name == name) => {
            let expected = if risk.pd_curves.is_empty() {
                format!("the facility file defines none; add a [risk.pd_curves.{name}] table")
            } else {
                let names = risk.pd_curves.iter().map(|curve| curve.name.as_str());
                format!("expected one of {}", listing(names))
            };
            let message = format!(
                "`{name}` is not a [risk.pd_curves] table of the facility file; {expected}"
            );
            c.project(p, "pd_curve", true, Err(message));
        }
        PdSource::Rating(_) | PdSource::Curve(_) => {}
    }
}

/// Every `[risk.correlation.by_mineral]` table is for a mineral of the pool.
fn check_by_mineral_used(spec: &FacilitySpec, c: &mut Checks) {
    let present: BTreeSet<&str> = spec.projects.iter().map(|p| p.mineral.as_str()).collect();
    for (mineral, _) in &spec.risk.correlation_by_mineral {
        if !present.contains(mineral.as_str()) {
            let message = format!(
                "no project has mineral `{mineral}`; expected one of the minerals present: {}",
                listing(present.iter().copied())
            );
            let field = format!("risk.correlation.by_mineral.{mineral}");
            c.facility(field, true, Err(message));
        }
    }
}

/// A Beta law with this mean and sd exists (sd = 0 means a fixed recovery).
fn beta_feasible(mean: f64, sd: f64) -> Result<(), String> {
    let max = (mean * (1.0 - mean)).sqrt();
    if sd == 0.0 || !(sd > 0.0 && max.is_finite()) || sd < max {
        return Ok(());
    }
    Err(format!(
        "{sd} is too large for recovery_mean {mean}: no Beta law exists; expected 0 \
         (fixed recovery) or a value below sqrt(mean * (1 - mean)) = {max:.6}"
    ))
}

fn check_project_dates(spec: &FacilitySpec, p: &ProjectSpec, c: &mut Checks) {
    let after = |a, b, what: &str| -> Result<(), String> {
        (a > b)
            .then_some(())
            .ok_or_else(|| format!("{a} is not after {what} {b}; expected a later date"))
    };
    if p.start_date < spec.start_date {
        let message = format!(
            "{} is before the facility start_date {}; expected a date on or after it",
            p.start_date, spec.start_date
        );
        c.project(p, "start_date", true, Err(message));
    }
    c.project(
        p,
        "maturity_date",
        true,
        after(p.maturity_date, p.start_date, "the project's start_date"),
    );
    if p.maturity_date > spec.legal_final_date {
        let message = format!(
            "{} is after the facility legal_final_date {}; expected a date on or before it",
            p.maturity_date, spec.legal_final_date
        );
        c.project(p, "maturity_date", true, Err(message));
    }
    if let Some(end) = p.construction_end {
        let r = if end <= p.start_date {
            after(end, p.start_date, "the project's start_date")
        } else if end > p.maturity_date {
            Err(format!(
                "{end} is after the project's maturity_date {}; expected a date on or before it",
                p.maturity_date
            ))
        } else {
            Ok(())
        };
        c.project(p, "construction_end", true, r);
    }
}

fn check_totals(spec: &FacilitySpec, c: &mut Checks) {
    let digits = spec.currency.minor_digits;
    let tranches = saturating_sum(spec.tranches.iter().map(|t| t.amount));
    let pool = spec.pool_amount();
    for (field, total) in [("tranches", tranches), ("projects", pool)] {
        if !fits_minor_units(total, digits) {
            let message =
                format!("total {total} is too large: in minor units it must fit a 64-bit integer");
            c.facility(field, true, Err(message));
        }
    }
    if tranches != pool {
        let message = format!(
            "the tranche amounts add up to {tranches} but the project amounts add up to {pool} \
             (difference {}); the tranches must fund the pool exactly",
            tranches.saturating_sub(pool)
        );
        c.facility("tranches", true, Err(message));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::sample_spec;
    use super::super::types::TrancheClass;
    use super::*;
    use chrono::NaiveDate;

    /// `(line, field)` of every problem of `spec`.
    fn problems(spec: &FacilitySpec) -> Vec<(Option<usize>, String)> {
        let diags = spec.validate().err().unwrap_or_default();
        diags.into_iter().map(|d| (d.line, d.field)).collect()
    }

    fn one(field: &str) -> Vec<(Option<usize>, String)> {
        vec![(None, field.to_owned())]
    }

    #[test]
    fn sample_is_valid() {
        assert_eq!(sample_spec().validate(), Ok(()));
        assert_eq!(sample_spec().pool_amount(), Decimal::from(100));
    }

    #[test]
    fn correlation_shares_must_leave_room_for_the_project_factor() {
        let mut spec = sample_spec();
        spec.risk.correlation.global = 0.8;
        assert_eq!(problems(&spec), one("risk.correlation"));
        spec.risk.correlation.global = f64::INFINITY;
        let found = problems(&spec);
        assert!(found.contains(&(None, "risk.correlation.global".into())));
    }

    #[test]
    fn tranches_most_senior_first_with_unique_names() {
        let mut spec = sample_spec();
        spec.tranches.swap(0, 1);
        assert_eq!(problems(&spec), one("tranches[1].class"));
        let mut spec = sample_spec();
        spec.tranches[2].class = TrancheClass::Mezzanine;
        spec.tranches[2].name = "a".into();
        assert_eq!(problems(&spec), one("tranches[2].name"));
    }

    #[test]
    fn tranche_total_must_equal_pool_exactly() {
        let mut spec = sample_spec();
        spec.tranches[0].amount += Decimal::new(1, 2);
        let diags = spec.validate().unwrap_err();
        assert_eq!(diags.len(), 1);
        assert!(
            diags[0]
                .message
                .contains("100.01 but the project amounts add up to 100")
        );
        assert!(diags[0].message.contains("(difference 0.01)"));
    }

    #[test]
    fn recovery_sd_must_admit_a_beta_law() {
        let mut spec = sample_spec();
        // sqrt(0.4 * 0.6) = 0.4899
        spec.projects[0].recovery_sd = 0.49;
        spec.projects[1].recovery_mean = 1.0;
        spec.projects[1].recovery_sd = 0.0;
        assert_eq!(problems(&spec), [(Some(2), "recovery_sd".to_owned())]);
        spec.projects[0].recovery_sd = -0.1;
        assert_eq!(problems(&spec), [(Some(2), "recovery_sd".to_owned())]);
    }

    #[test]
    fn project_dates_inside_the_facility_window() {
        let mut spec = sample_spec();
        spec.projects[0].start_date = spec.start_date.pred_opt().unwrap();
        spec.projects[1].maturity_date = spec.legal_final_date.succ_opt().unwrap();
        spec.projects[2].maturity_date = spec.projects[2].start_date;
        let expected = [
            (Some(2), "start_date".to_owned()),
            (Some(3), "maturity_date".to_owned()),
            (Some(4), "maturity_date".to_owned()),
        ];
        assert_eq!(problems(&spec), expected);
    }

    #[test]
    fn project_ids_unique_and_fields_well_formed() {
        let mut spec = sample_spec();
        spec.projects[3].id = "P1".into();
        spec.projects[3].mineral = "Rare Earths".into();
        spec.projects[3].sponsor_nexus.clear();
        let found = problems(&spec);
        let at = |field: &str| (Some(5), field.to_owned());
        assert_eq!(found, [at("mineral"), at("sponsor_nexus"), at("id")]);
    }

    /// The message of the only problem of `spec`.
    fn only_message(spec: &FacilitySpec) -> String {
        let diags = spec.validate().unwrap_err();
        assert_eq!(diags.len(), 1, "{diags:?}");
        diags[0].message.clone()
    }

    fn at(line: usize, field: &str) -> (Option<usize>, String) {
        (Some(line), field.to_owned())
    }

    /// A facility field (no line).
    fn field(name: &str) -> (Option<usize>, String) {
        (None, name.to_owned())
    }

    #[test]
    fn student_t_needs_positive_finite_degrees_of_freedom() {
        let mut spec = sample_spec();
        spec.risk.copula = Copula::StudentT { dof: 4.0 };
        assert_eq!(spec.validate(), Ok(()));
        for dof in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            spec.risk.copula = Copula::StudentT { dof };
            assert_eq!(problems(&spec), one("risk.dof"), "{dof}");
        }
    }

    #[test]
    fn construction_multiplier_and_region_share_ranges() {
        let mut spec = sample_spec();
        spec.risk.construction_pd_multiplier = 0.0;
        spec.risk.correlation.region = 0.2;
        assert_eq!(spec.validate(), Ok(()));
        spec.risk.construction_pd_multiplier = f64::INFINITY;
        assert_eq!(problems(&spec), one("risk.construction_pd_multiplier"));
        spec.risk.construction_pd_multiplier = 3.0;
        spec.risk.correlation.region = 0.75;
        let message = only_message(&spec);
        assert!(
            message.starts_with(
                "global + mineral + country + region = 0.1 + 0.1 + 0.1 + 0.75 = 1.05; expected a sum below 1"
            ),
            "{message}"
        );
        spec.risk.correlation.region = -0.1;
        assert_eq!(problems(&spec), one("risk.correlation.region"));
    }

    fn lithium_shares(spec: &mut FacilitySpec, mineral: f64) {
        let mut shares = spec.risk.correlation;
        shares.mineral = mineral;
        spec.risk.correlation_by_mineral = vec![("lithium".into(), shares)];
    }

    #[test]
    fn resolved_mineral_shares_each_in_range_and_sum_below_one() {
        let mut spec = sample_spec();
        lithium_shares(&mut spec, 0.5);
        assert_eq!(spec.validate(), Ok(()));
        lithium_shares(&mut spec, 0.85);
        assert_eq!(problems(&spec), one("risk.correlation.by_mineral.lithium"));
        let message = only_message(&spec);
        assert!(message.starts_with("for mineral lithium "), "{message}");
        assert!(message.contains("= 0.1 + 0.85 + 0.1 = 1.05"), "{message}");
        lithium_shares(&mut spec, -0.5);
        assert_eq!(
            problems(&spec),
            one("risk.correlation.by_mineral.lithium.mineral")
        );
    }

    #[test]
    fn a_bad_share_inherited_by_a_mineral_is_reported_once() {
        let mut spec = sample_spec();
        spec.risk.correlation.global = 1.2;
        lithium_shares(&mut spec, 0.1);
        let expected = [field("risk.correlation.global"), field("risk.correlation")];
        assert_eq!(problems(&spec), expected);
    }

    #[test]
    fn mineral_tables_name_minerals_of_the_pool_once() {
        let mut spec = sample_spec();
        let shares = spec.risk.correlation;
        spec.risk.correlation_by_mineral = vec![
            ("cobalt".into(), shares),
            ("lithium".into(), shares),
            ("lithium".into(), shares),
            ("Rare Earths".into(), shares),
        ];
        let found = problems(&spec);
        let mineral = |m: &str| field(&format!("risk.correlation.by_mineral.{m}"));
        assert_eq!(
            found,
            [
                mineral("lithium"),
                mineral("Rare Earths"),
                mineral("cobalt"),
                mineral("Rare Earths"),
            ]
        );
        let diags = spec.validate().unwrap_err();
        assert_eq!(
            diags[2].message,
            "no project has mineral `cobalt`; expected one of the minerals present: copper, lithium, nickel"
        );
    }

    #[test]
    fn ratings_must_be_in_the_table() {
        let mut spec = sample_spec();
        spec.projects[0].pd = PdSource::Rating("Baa2".into());
        assert_eq!(spec.validate(), Ok(()));
        spec.risk.ratings = RatingTable {
            horizon_years: 5.0,
            entries: vec![("BB".into(), 0.1), ("B".into(), 0.2)],
            source: "own".into(),
        };
        assert_eq!(problems(&spec), [at(2, "rating")]);
        assert_eq!(
            only_message(&spec),
            "`Baa2` is not in the rating table (own); expected one of BB, B (exact spelling)"
        );
        spec.projects[0].pd = PdSource::Rating("BB".into());
        assert_eq!(spec.validate(), Ok(()));
    }

    #[test]
    fn rating_table_rules() {
        let mut spec = sample_spec();
        spec.risk.ratings = RatingTable {
            horizon_years: 0.0,
            entries: vec![("BB".into(), 0.1), ("BB".into(), 0.2), (" B".into(), 1.0)],
            source: "own".into(),
        };
        let found = problems(&spec);
        assert_eq!(
            found,
            [
                field("risk.ratings.horizon_years"),
                field("risk.ratings.pd.BB"),
                field("risk.ratings.pd. B"),
                field("risk.ratings.pd. B"),
            ]
        );
        spec.risk.ratings.entries.clear();
        spec.risk.ratings.horizon_years = 1.0;
        assert_eq!(problems(&spec), one("risk.ratings.pd"));
    }

    fn curve(name: &str, points: &[(f64, f64)]) -> PdCurve {
        PdCurve {
            name: name.into(),
            points: points.to_vec(),
        }
    }

    #[test]
    fn curves_must_exist() {
        let mut spec = sample_spec();
        spec.projects[1].pd = PdSource::Curve("ramp".into());
        assert_eq!(problems(&spec), [at(3, "pd_curve")]);
        assert!(only_message(&spec).contains("defines none; add a [risk.pd_curves.ramp] table"));
        spec.risk.pd_curves = vec![curve("flat", &[(1.0, 0.1)]), curve("steep", &[(1.0, 0.3)])];
        assert_eq!(
            only_message(&spec),
            "`ramp` is not a [risk.pd_curves] table of the facility file; expected one of flat, steep"
        );
        spec.projects[1].pd = PdSource::Curve("steep".into());
        assert_eq!(spec.validate(), Ok(()));
    }

    #[test]
    fn curve_points_increase() {
        let mut spec = sample_spec();
        spec.risk.pd_curves = vec![
            curve("a", &[(0.5, 0.01), (1.0, 0.01), (2.0, 0.05)]),
            curve(
                "b",
                &[(-1.0, 0.0), (3.0, 0.2), (3.0, 0.1), (f64::INFINITY, 0.3)],
            ),
            curve("a", &[]),
        ];
        let found = problems(&spec);
        assert_eq!(
            found,
            [
                field("risk.pd_curves.b.years[0]"),
                field("risk.pd_curves.b.cumulative_pd[0]"),
                field("risk.pd_curves.b.years[2]"),
                field("risk.pd_curves.b.cumulative_pd[2]"),
                field("risk.pd_curves.b.years[3]"),
                field("risk.pd_curves.a"),
                field("risk.pd_curves.a"),
            ]
        );
    }

    #[test]
    fn construction_end_inside_the_loan_and_region_not_empty() {
        let mut spec = sample_spec();
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        spec.projects[0].construction_end = date(2027, 1, 1);
        spec.projects[1].construction_end = spec.projects[1].maturity_date.into();
        spec.projects[2].region = Some("Andes".into());
        assert_eq!(spec.validate(), Ok(()));
        spec.projects[0].construction_end = Some(spec.projects[0].start_date);
        spec.projects[1].construction_end = date(2031, 1, 1);
        spec.projects[2].region = Some(" ".into());
        assert_eq!(
            problems(&spec),
            [
                at(2, "construction_end"),
                at(3, "construction_end"),
                at(4, "region"),
            ]
        );
    }

    #[test]
    fn ranges_reject_nan_and_bounds() {
        assert!(number_in(f64::NAN, UNIT, "x").is_err());
        assert!(number_in(0.0, OPEN_UNIT, "x").is_err());
        assert!(number_in(1.0, UNIT, "x").is_ok());
        assert!(number_in(1.0, RATE, "x").is_err());
        assert!(number_in(1.0, SHARE, "x").is_ok());
        assert_eq!(
            number_in(1.5, OPEN_UNIT, "a probability"),
            Err("1.5 is not a probability; expected a number in (0, 1)".into())
        );
    }
}
