//! nexus_events.csv and nexus_impact.csv: how likely, how large and how
//! early the acquisitions of sponsors by PRC-linked entities are, for the
//! pool and by mineral and country; and what they change for every
//! tranche and party against the same paths without them. Written only
//! for a facility with `[nexus_events]`. Columns defined here, once.

use std::io::{self, Write};

use super::columns::{Column, Unit, Value, write_columns};
use super::{Report, RunReport};
use crate::aggregate::{NexusEventSummary, NexusImpact};

/// A column of nexus_events.csv.
pub type EventColumn = Column<NexusEventSummary>;
/// A column of nexus_impact.csv.
pub type ImpactColumn = Column<NexusImpact>;

/// The columns of nexus_events.csv, in order.
pub const COLUMNS: [&EventColumn; 11] = [
    &Column {
        name: "group",
        unit: Unit::Text,
        description: "pool, mineral or country",
        value: |r| Value::Word(r.group.as_str()),
    },
    &Column {
        name: "name",
        unit: Unit::Text,
        description: "the mineral or country; `all` for the pool",
        value: |r| Value::Name(r.name.clone()),
    },
    &Column {
        name: "principal",
        unit: Unit::Currency,
        description: "principal lent to the group's projects",
        value: |r| Value::Float(r.principal),
    },
    &Column {
        name: "prob_event",
        unit: Unit::Probability,
        description: "share of paths on which at least one of the group's sponsors is acquired",
        value: |r| Value::Float(r.prob_event.mean),
    },
    &Column {
        name: "prob_event_se",
        unit: Unit::Probability,
        description: "standard error of prob_event",
        value: |r| Value::Float(r.prob_event.se),
    },
    &Column {
        name: "expected_events",
        unit: Unit::Count,
        description: "mean number of acquisitions per path",
        value: |r| Value::Float(r.expected_events.mean),
    },
    &Column {
        name: "expected_events_se",
        unit: Unit::Count,
        description: "standard error of expected_events",
        value: |r| Value::Float(r.expected_events.se),
    },
    &Column {
        name: "expected_exposure",
        unit: Unit::Currency,
        description: "mean principal outstanding at acquisition, summed over the group's acquisitions of a path",
        value: |r| Value::Float(r.expected_exposure.mean),
    },
    &Column {
        name: "expected_exposure_se",
        unit: Unit::Currency,
        description: "standard error of expected_exposure",
        value: |r| Value::Float(r.expected_exposure.se),
    },
    &Column {
        name: "exposure_share",
        unit: Unit::Fraction,
        description: "expected_exposure / principal",
        value: |r| Value::Float(r.expected_exposure.mean / r.principal),
    },
    &Column {
        name: "mean_event_years",
        unit: Unit::Years,
        description: "mean time from closing to an acquisition, over every acquisition of every path (empty without any)",
        value: |r| Value::Float(r.mean_event_years),
    },
];

/// The columns of nexus_impact.csv, in order.
pub const IMPACT_COLUMNS: [&ImpactColumn; 7] = [
    &Column {
        name: "holder",
        unit: Unit::Text,
        description: "tranche or party",
        value: |r| Value::Name(r.holder.clone()),
    },
    &Column {
        name: "metric",
        unit: Unit::Text,
        description: "expected_loss, prob_loss, irr_p50 (tranches: summary.csv's); party_expected_loss, pv_cost (parties: parties.csv's expected_loss and pv_cost)",
        value: |r| Value::Word(r.metric.as_str()),
    },
    &Column {
        name: "unit",
        unit: Unit::Text,
        description: "the metric's unit: fraction of notional, probability, annual rate or currency",
        value: |r| Value::Word(r.metric.unit()),
    },
    &Column {
        name: "with_events",
        unit: Unit::AsMetric,
        description: "the metric with nexus events",
        value: |r| Value::Float(r.with_events),
    },
    &Column {
        name: "without_events",
        unit: Unit::AsMetric,
        description: "the metric on the same paths without nexus events",
        value: |r| Value::Float(r.without_events),
    },
    &Column {
        name: "change",
        unit: Unit::AsMetric,
        description: "with_events - without_events",
        value: |r| Value::Float(r.change.mean),
    },
    &Column {
        name: "change_se",
        unit: Unit::AsMetric,
        description: "standard error of change from the paired differences path by path (empty for irr_p50)",
        value: |r| Value::Float(r.change.se),
    },
];

/// Writes nexus_events.csv.
pub struct NexusEventsCsv;

impl Report for NexusEventsCsv {
    fn file_name(&self) -> &'static str {
        "nexus_events.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        let digits = run.model.currency.minor_digits;
        write_columns(out, &COLUMNS, &run.pack.nexus_events, digits)
    }
}

/// Writes nexus_impact.csv.
pub struct NexusImpactCsv;

impl Report for NexusImpactCsv {
    fn file_name(&self) -> &'static str {
        "nexus_impact.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        let digits = run.model.currency.minor_digits;
        write_columns(out, &IMPACT_COLUMNS, &run.pack.nexus_impact, digits)
    }
}
