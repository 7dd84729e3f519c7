//! nexus_events.csv's statistics: how likely a sponsor is to be acquired by
//! a PRC-linked entity during the life of its loan, how much principal the
//! acquisitions touch and when, for the pool and by mineral and country.

use rayon::prelude::*;

use crate::model::Model;

use super::{Estimate, Outcomes, estimate};

/// Which projects a row covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventGroup {
    /// The whole pool.
    Pool,
    /// The projects of one mineral.
    Mineral,
    /// The projects of one country.
    Country,
}

impl EventGroup {
    /// The word written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            EventGroup::Pool => "pool",
            EventGroup::Mineral => "mineral",
            EventGroup::Country => "country",
        }
    }
}

/// One row of nexus_events.csv. Amounts in currency units.
#[derive(Debug, Clone, PartialEq)]
pub struct NexusEventSummary {
    /// Pool, mineral or country.
    pub group: EventGroup,
    /// The mineral or country (`all` for the pool).
    pub name: String,
    /// Principal lent to the group's projects.
    pub principal: f64,
    /// Probability of at least one acquisition in the group.
    pub prob_event: Estimate,
    /// Expected number of acquisitions.
    pub expected_events: Estimate,
    /// Expected principal outstanding at acquisition.
    pub expected_exposure: Estimate,
    /// Mean years from closing to an acquisition (over all acquisitions of
    /// all paths; NaN without any).
    pub mean_event_years: f64,
}

/// The groups a nexus-event table reports: the pool, then each mineral and
/// each country in order of first appearance, each with a membership flag
/// per loan (shared by nexus_events.csv and nexus_timing.csv).
pub(super) fn event_groups(model: &Model) -> Vec<(EventGroup, String, Vec<bool>)> {
    let loans = &model.pool.loans;
    let names = &model.pool.factors;
    let mut groups: Vec<(EventGroup, String, Vec<bool>)> =
        vec![(EventGroup::Pool, "all".into(), vec![true; loans.len()])];
    for (m, mineral) in names.minerals.iter().enumerate() {
        let members = loans.iter().map(|l| l.mineral == m).collect();
        groups.push((EventGroup::Mineral, mineral.clone(), members));
    }
    for (c, country) in names.countries.iter().enumerate() {
        let members = loans.iter().map(|l| l.country == c).collect();
        groups.push((EventGroup::Country, country.clone(), members));
    }
    groups
}

/// The rows of nexus_events.csv: the pool, then each mineral and each
/// country in order of first appearance; empty for a facility without
/// `[nexus_events]`.
pub fn summarise_nexus_events(
    model: &Model,
    outcomes: &Outcomes,
    unit: f64,
) -> Vec<NexusEventSummary> {
    if model.pool.acquisitions.is_none() {
        return Vec::new();
    }
    let groups = event_groups(model);
    // One group per thread, each in path order: the same for any threads.
    groups
        .into_par_iter()
        .map(|(group, name, members)| summarise_group(model, outcomes, unit, group, name, &members))
        .collect()
}

fn summarise_group(
    model: &Model,
    outcomes: &Outcomes,
    unit: f64,
    group: EventGroup,
    name: String,
    members: &[bool],
) -> NexusEventSummary {
    let paths = outcomes.paths();
    let (mut any, mut count, mut exposure) = (
        Vec::with_capacity(paths),
        Vec::with_capacity(paths),
        Vec::with_capacity(paths),
    );
    let (mut years, mut events) = (0.0, 0u64);
    for path in 0..paths {
        let (mut n, mut amount) = (0u32, 0i128);
        for event in outcomes.detail.acquisitions(path) {
            if members[event.loan] {
                n += 1;
                amount += i128::from(event.exposure.minor());
                years += model.calendar.years_from_start(event.period);
            }
        }
        events += u64::from(n);
        any.push(if n > 0 { 1.0 } else { 0.0 });
        count.push(f64::from(n));
        exposure.push(amount as f64 * unit);
    }
    let principal: i128 = (model.pool.loans.iter().zip(members))
        .filter(|(_, member)| **member)
        .map(|(loan, _)| i128::from(loan.balance_start[0].minor()))
        .sum();
    NexusEventSummary {
        group,
        name,
        principal: principal as f64 * unit,
        prob_event: estimate(&any),
        expected_events: estimate(&count),
        expected_exposure: estimate(&exposure),
        mean_event_years: if events == 0 {
            f64::NAN
        } else {
            years / events as f64
        },
    }
}
