//! contributions.csv: each project's expected loss and Euler contribution
//! to the pool's expected shortfall at 99%, then the same by mineral and by
//! country.

use std::io::{self, Write};

use crate::aggregate::{Allocation, GroupRisk, ProjectRisk};

use super::columns::{Column, Unit, Value, write_columns};
use super::{Report, RunReport};

/// One row of contributions.csv: a project, a mineral or a country.
pub struct ContributionRow {
    /// `project`, `mineral` or `country`.
    pub level: &'static str,
    /// Project name, or the mineral or country.
    pub name: String,
    /// Project id (empty for roll-ups).
    pub id: String,
    /// The project's mineral, or a mineral roll-up's own name.
    pub mineral: String,
    /// The project's country, or a country roll-up's own name.
    pub country: String,
    /// `extraction` or `processing` (projects only).
    pub segment: Option<&'static str>,
    /// Principal lent, currency units.
    pub amount: f64,
    /// Expected loss and ES contribution, currency units.
    pub risk: Allocation,
    /// The pool's ES at 99% in currency units (the contributions' total).
    pub pool_es: f64,
}

impl ContributionRow {
    fn project(p: &ProjectRisk, pool_es: f64) -> Self {
        ContributionRow {
            level: "project",
            name: p.name.clone(),
            id: p.id.clone(),
            mineral: p.mineral.clone(),
            country: p.country.clone(),
            segment: Some(p.segment),
            amount: p.amount,
            risk: p.risk,
            pool_es,
        }
    }

    fn group(level: &'static str, g: &GroupRisk, pool_es: f64) -> Self {
        let own = |wanted: &str| {
            if level == wanted {
                g.name.clone()
            } else {
                String::new()
            }
        };
        ContributionRow {
            level,
            name: g.name.clone(),
            id: String::new(),
            mineral: own("mineral"),
            country: own("country"),
            segment: None,
            amount: g.amount,
            risk: Allocation {
                expected_loss: g.expected_loss,
                es_contribution: g.es_contribution,
                es_contribution_se: g.es_contribution_se,
            },
            pool_es,
        }
    }
}

/// A column of contributions.csv.
pub type ContributionsColumn = Column<ContributionRow>;

/// The columns of contributions.csv, in order.
pub const COLUMNS: [&ContributionsColumn; 12] = [
    &Column {
        name: "level",
        unit: Unit::Text,
        description: "project, mineral or country",
        value: |r| Value::Word(r.level),
    },
    &Column {
        name: "name",
        unit: Unit::Text,
        description: "project name, or the mineral or country",
        value: |r| Value::Name(r.name.clone()),
    },
    &Column {
        name: "id",
        unit: Unit::Text,
        description: "project id (empty for roll-ups)",
        value: |r| Value::Name(r.id.clone()),
    },
    &Column {
        name: "mineral",
        unit: Unit::Text,
        description: "the project's mineral; a mineral roll-up's own name",
        value: |r| Value::Name(r.mineral.clone()),
    },
    &Column {
        name: "country",
        unit: Unit::Text,
        description: "the project's country; a country roll-up's own name",
        value: |r| Value::Name(r.country.clone()),
    },
    &Column {
        name: "segment",
        unit: Unit::Text,
        description: "extraction or processing (projects only)",
        value: |r| r.segment.map_or(Value::Empty, Value::Word),
    },
    &Column {
        name: "amount",
        unit: Unit::Currency,
        description: "principal lent",
        value: |r| Value::Float(r.amount),
    },
    &Column {
        name: "expected_loss",
        unit: Unit::Currency,
        description: "mean loss on the project (or group) over paths",
        value: |r| Value::Float(r.risk.expected_loss.mean),
    },
    &Column {
        name: "expected_loss_se",
        unit: Unit::Currency,
        description: "standard error of expected_loss",
        value: |r| Value::Float(r.risk.expected_loss.se),
    },
    &Column {
        name: "es_99_contribution",
        unit: Unit::Currency,
        description: "Euler contribution to the pool's expected shortfall at 99%",
        value: |r| Value::Float(r.risk.es_contribution),
    },
    &Column {
        name: "es_99_contribution_se",
        unit: Unit::Currency,
        description: "approximate standard error of es_99_contribution",
        value: |r| Value::Float(r.risk.es_contribution_se),
    },
    &Column {
        name: "es_99_share",
        unit: Unit::Fraction,
        description: "es_99_contribution / the pool's ES at 99%",
        value: |r| Value::Float(r.risk.es_contribution / r.pool_es),
    },
];

/// Writes contributions.csv.
pub struct ContributionsCsv;

impl Report for ContributionsCsv {
    fn file_name(&self) -> &'static str {
        "contributions.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        let pack = run.pack;
        let es = pack.pool_es_99_amount;
        let projects = pack
            .projects
            .iter()
            .map(|p| ContributionRow::project(p, es));
        let minerals = pack
            .minerals
            .iter()
            .map(|g| ContributionRow::group("mineral", g, es));
        let countries = pack
            .countries
            .iter()
            .map(|g| ContributionRow::group("country", g, es));
        let rows = projects.chain(minerals).chain(countries);
        write_columns(out, &COLUMNS, rows, run.model.currency.minor_digits)
    }
}
