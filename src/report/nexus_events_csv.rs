//! nexus_events.csv, nexus_timing.csv and nexus_impact.csv: how likely,
//! how large and when the acquisitions of sponsors by PRC-linked entities
//! are, for the pool and by mineral and country (in all and by year of the
//! deal); and what they change for every
//! tranche and party against the same paths without them. Written only
//! for a facility with `[nexus_events]`. Columns defined here, once.

use std::io::{self, Write};

use super::columns::{Column, Unit, Value, write_columns};
use super::{Report, RunReport};
use crate::aggregate::{Estimate, EventGroup, NexusEventSummary, NexusImpact, NexusTimingRow};

/// A column of nexus_events.csv.
pub type EventColumn = Column<NexusEventSummary>;
/// A column of nexus_impact.csv.
pub type ImpactColumn = Column<NexusImpact>;
/// A column of nexus_timing.csv.
pub type TimingColumn = Column<NexusTimingRow>;

/// A row of a table of nexus events by group: the pool, a mineral or a
/// country.
trait GroupRow {
    fn group(&self) -> EventGroup;
    fn name(&self) -> &str;
    fn events(&self) -> Estimate;
    fn exposure(&self) -> Estimate;
}

/// Both row types have the same four fields.
macro_rules! group_row {
    ($($row:ty),*) => {$(
        impl GroupRow for $row {
            fn group(&self) -> EventGroup {
                self.group
            }
            fn name(&self) -> &str {
                &self.name
            }
            fn events(&self) -> Estimate {
                self.expected_events
            }
            fn exposure(&self) -> Estimate {
                self.expected_exposure
            }
        }
    )*};
}

group_row!(NexusEventSummary, NexusTimingRow);

fn group_cell<R: GroupRow>(row: &R) -> Value {
    Value::Word(row.group().as_str())
}

fn name_cell<R: GroupRow>(row: &R) -> Value {
    Value::Name(row.name().to_owned())
}

/// The two columns every table of nexus events by group starts with,
/// defined once for nexus_events.csv and nexus_timing.csv.
const fn group_columns<R: GroupRow>() -> [Column<R>; 2] {
    [
        Column {
            name: "group",
            unit: Unit::Text,
            description: "pool, mineral or country",
            value: group_cell::<R>,
        },
        Column {
            name: "name",
            unit: Unit::Text,
            description: "the mineral or country; `all` for the pool",
            value: name_cell::<R>,
        },
    ]
}

/// The standard errors of expected_events and expected_exposure, defined
/// once for both tables.
const fn se_columns<R: GroupRow>() -> [Column<R>; 2] {
    [
        Column {
            name: "expected_events_se",
            unit: Unit::Count,
            description: "standard error of expected_events",
            value: |r| Value::Float(r.events().se),
        },
        Column {
            name: "expected_exposure_se",
            unit: Unit::Currency,
            description: "standard error of expected_exposure",
            value: |r| Value::Float(r.exposure().se),
        },
    ]
}

const EVENT_GROUP: [EventColumn; 2] = group_columns();
const EVENT_SE: [EventColumn; 2] = se_columns();
const TIMING_SE: [TimingColumn; 2] = se_columns();
const TIMING_GROUP: [TimingColumn; 2] = group_columns();

/// The columns of nexus_events.csv, in order.
pub const COLUMNS: [&EventColumn; 11] = [
    &EVENT_GROUP[0],
    &EVENT_GROUP[1],
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
    &EVENT_SE[0],
    &Column {
        name: "expected_exposure",
        unit: Unit::Currency,
        description: "mean principal outstanding at acquisition, summed over the group's acquisitions of a path",
        value: |r| Value::Float(r.expected_exposure.mean),
    },
    &EVENT_SE[1],
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

/// The columns of nexus_timing.csv, in order.
pub const TIMING_COLUMNS: [&TimingColumn; 9] = [
    &TIMING_GROUP[0],
    &TIMING_GROUP[1],
    &Column {
        name: "year",
        unit: Unit::Count,
        description: "year of the deal: 1 for acquisitions on payment dates in the first 12 months after closing (up to and including year 1.0), 2 for the next 12, and so on to the last payment date",
        value: |r| Value::Count(u64::from(r.year)),
    },
    &Column {
        name: "expected_events",
        unit: Unit::Count,
        description: "mean number of the group's acquisitions in that year per path",
        value: |r| Value::Float(r.expected_events.mean),
    },
    &TIMING_SE[0],
    &Column {
        name: "expected_exposure",
        unit: Unit::Currency,
        description: "mean principal outstanding at acquisition of the group's acquisitions in that year, per path",
        value: |r| Value::Float(r.expected_exposure.mean),
    },
    &TIMING_SE[1],
    &Column {
        name: "prob_event_by",
        unit: Unit::Probability,
        description: "share of paths with at least one of the group's sponsors acquired by the end of that year (cumulative; the last year's is nexus_events.csv's prob_event)",
        value: |r| Value::Float(r.prob_event_by.mean),
    },
    &Column {
        name: "prob_event_by_se",
        unit: Unit::Probability,
        description: "standard error of prob_event_by",
        value: |r| Value::Float(r.prob_event_by.se),
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

/// Writes nexus_timing.csv.
pub struct NexusTimingCsv;

impl Report for NexusTimingCsv {
    fn file_name(&self) -> &'static str {
        "nexus_timing.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        let digits = run.model.currency.minor_digits;
        write_columns(out, &TIMING_COLUMNS, &run.pack.nexus_timing, digits)
    }
}
