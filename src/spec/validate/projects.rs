//! The project list's rules: each row's fields, PDs and dates, and the
//! totals the rows must add up to.

use super::*;

pub(super) fn mineral_name(mineral: &str) -> Result<(), String> {
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

pub(super) fn check_projects(spec: &FacilitySpec, c: &mut Checks) {
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
        check_project_nexus(&spec.eligibility, p, c);
        check_project_pd(&spec.risk, p, c);
        check_project_dates(spec, p, c);
        super::bounds::check_project_dates_in_range(p, c);
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

/// Every nexus code is in the alias table; a sponsor named has rows in
/// `ownership.csv` when the facility looks through ownership.
fn check_project_nexus(rules: &EligibilityRules, p: &ProjectSpec, c: &mut Checks) {
    let table = &rules.nexus;
    if p.sponsor_nexus.is_empty() {
        let message = "is empty; expected one or more codes separated by `;`, e.g. US;KR";
        c.project(p, "sponsor_nexus", false, Err(message.into()));
    }
    let known = p
        .sponsor_nexus
        .iter()
        .try_for_each(|code| table.check_code(code));
    // Relational: the facility file may extend the table.
    c.project(p, "sponsor_nexus", true, known);
    if let (Some(sponsor), Some(ownership)) = (&p.sponsor, &rules.ownership)
        && !ownership.has_entity(sponsor)
    {
        let message = format!(
            "`{sponsor}` is not an entity of {}; expected a sponsor with its owners listed there",
            ownership.file
        );
        c.project(p, "sponsor", true, Err(message));
    }
}

fn check_project_fields(p: &ProjectSpec, digits: u32, c: &mut Checks) {
    c.project(p, "id", false, non_empty(&p.id, "a project id"));
    c.project(p, "name", false, non_empty(&p.name, "a project name"));
    c.project(p, "mineral", false, mineral_name(&p.mineral));
    c.project(p, "country", false, non_empty(&p.country, "a country"));
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
pub(super) fn check_by_mineral_used(spec: &FacilitySpec, c: &mut Checks) {
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

/// A Beta law with this mean and sd exists (sd = 0 means a fixed recovery),
/// and the sd is not so small that the law is a fixed rate in disguise.
fn beta_feasible(mean: f64, sd: f64) -> Result<(), String> {
    let max = (mean * (1.0 - mean)).sqrt();
    if sd > 0.0 && sd < MIN_RECOVERY_SD {
        return Err(format!(
            "{sd} is below {MIN_RECOVERY_SD}: such a Beta law is a fixed recovery for every \
             purpose; expected 0 (fixed recovery) or a value from {MIN_RECOVERY_SD}"
        ));
    }
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

pub(super) fn check_totals(spec: &FacilitySpec, c: &mut Checks) {
    let digits = spec.currency.minor_digits;
    let tranches = saturating_sum(spec.tranches.iter().map(|t| t.amount));
    let pool = spec.pool_amount();
    let deposits = super::super::funding_validate::initial_deposits(spec);
    for (field, total) in [("tranches", tranches), ("projects", pool)] {
        if !fits_minor_units(total, digits) {
            let message =
                format!("total {total} is too large: in minor units it must fit a 64-bit integer");
            c.facility(field, true, Err(message));
        }
    }
    if deposits > Decimal::ZERO && tranches != pool.saturating_add(deposits) {
        let message = format!(
            "the tranche amounts add up to {tranches} but the project amounts ({pool}) and the \
             reserves' initial deposits ({deposits}) add up to {} (difference {}); the tranches \
             must fund the pool and the deposits exactly",
            pool.saturating_add(deposits),
            tranches.saturating_sub(pool.saturating_add(deposits))
        );
        c.facility("tranches", true, Err(message));
    } else if deposits == Decimal::ZERO && tranches != pool {
        let message = format!(
            "the tranche amounts add up to {tranches} but the project amounts add up to {pool} \
             (difference {}); the tranches must fund the pool exactly",
            tranches.saturating_sub(pool)
        );
        c.facility("tranches", true, Err(message));
    }
}
