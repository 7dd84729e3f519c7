//! The rules of `[nexus_events]`: hazards are annual probabilities, the
//! stress sensitivity and the remedy's parameters are in range, and every
//! override names a project, mineral or country the project list has.

use super::*;
use crate::spec::{NexusEventsSpec, Remedy};

/// Largest stress sensitivity: at 5 the intensity at a 3-sigma stress is
/// already `exp(15 - 12.5)` = 12 times the mean; more is a typo.
const SENSITIVITY: Interval = Interval(0.0, true, 5.0, true);

pub(super) fn check_nexus_events(spec: &FacilitySpec, c: &mut Checks) {
    let Some(events) = &spec.nexus_events else {
        return;
    };
    let at = "nexus_events";
    let probability = "an annual probability";
    c.facility(
        format!("{at}.annual_hazard"),
        false,
        number_in(events.annual_hazard, UNIT, probability),
    );
    c.facility(
        format!("{at}.stress_sensitivity"),
        false,
        number_in(events.stress_sensitivity, SENSITIVITY, "a sensitivity"),
    );
    match events.remedy {
        Remedy::Prepay { premium } => c.facility(
            format!("{at}.prepayment_premium"),
            false,
            number_in(premium, UNIT, "a fraction of the balance prepaid"),
        ),
        Remedy::DeemedDefault { recovery_haircut } => c.facility(
            format!("{at}.recovery_haircut"),
            false,
            number_in(recovery_haircut, UNIT, "a relative haircut"),
        ),
        Remedy::Exclude => {}
    }
    check_overrides(spec, events, c);
}

/// Reads one text field of a project.
type ProjectField = fn(&ProjectSpec) -> &str;

fn check_overrides(spec: &FacilitySpec, events: &NexusEventsSpec, c: &mut Checks) {
    let known = |what: &str, value: &str, get: ProjectField| {
        let present: BTreeSet<&str> = spec.projects.iter().map(get).collect();
        if present.contains(value) {
            return Ok(());
        }
        let list: Vec<&str> = present.into_iter().collect();
        Err(format!(
            "no project has {what} `{value}`; the project list has {}",
            list.join(", ")
        ))
    };
    for (i, o) in events.overrides.iter().enumerate() {
        let at = format!("nexus_events.hazard[{i}]");
        c.facility(
            format!("{at}.annual_hazard"),
            false,
            number_in(o.annual_hazard, UNIT, "an annual probability"),
        );
        let criteria: [(&str, &str, Option<&str>, ProjectField); 3] = [
            ("project", "id", o.project.as_deref(), project_id),
            ("mineral", "mineral", o.selector.mineral.as_deref(), mineral),
            ("country", "country", o.selector.country.as_deref(), country),
        ];
        for (key, what, value, get) in criteria {
            if let Some(value) = value {
                c.facility(format!("{at}.{key}"), true, known(what, value, get));
            }
        }
        if let Some(entry) = &o.nexus {
            let table = &spec.eligibility.nexus;
            c.facility(format!("{at}.group"), true, table.check_rule_entry(entry));
        }
    }
}

fn project_id(p: &ProjectSpec) -> &str {
    &p.id
}

fn mineral(p: &ProjectSpec) -> &str {
    &p.mineral
}

fn country(p: &ProjectSpec) -> &str {
    &p.country
}
