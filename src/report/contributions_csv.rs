//! contributions.csv: each project's expected loss and Euler contribution
//! to the pool's expected shortfall at 99%, then the same by mineral and by
//! country.

use std::io::{self, Write};

use crate::aggregate::GroupRisk;

use super::csv_table::write_csv_table;
use super::{Report, RunReport, format_float, neutralise};

/// The columns of contributions.csv, in order.
pub const COLUMNS: [&str; 12] = [
    "level",
    "name",
    "id",
    "mineral",
    "country",
    "segment",
    "amount",
    "expected_loss",
    "expected_loss_se",
    "es_99_contribution",
    "es_99_contribution_se",
    "es_99_share",
];

/// Writes contributions.csv.
pub struct ContributionsCsv;

impl Report for ContributionsCsv {
    fn file_name(&self) -> &'static str {
        "contributions.csv"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        let pack = run.pack;
        let share = |x: f64| format_float(x / pack.pool_es_99_amount);
        let projects = pack.projects.iter().map(|p| {
            vec![
                "project".to_owned(),
                neutralise(&p.name),
                neutralise(&p.id),
                neutralise(&p.mineral),
                neutralise(&p.country),
                p.segment.to_owned(),
                format_float(p.amount),
                format_float(p.risk.expected_loss.mean),
                format_float(p.risk.expected_loss.se),
                format_float(p.risk.es_contribution),
                format_float(p.risk.es_contribution_se),
                share(p.risk.es_contribution),
            ]
        });
        let group = |level: &'static str, g: &GroupRisk| {
            let name = neutralise(&g.name);
            let (mineral, country) = if level == "mineral" {
                (name.clone(), String::new())
            } else {
                (String::new(), name.clone())
            };
            vec![
                level.to_owned(),
                name,
                String::new(),
                mineral,
                country,
                String::new(),
                format_float(g.amount),
                format_float(g.expected_loss.mean),
                format_float(g.expected_loss.se),
                format_float(g.es_contribution),
                format_float(g.es_contribution_se),
                share(g.es_contribution),
            ]
        };
        let minerals = pack.minerals.iter().map(|g| group("mineral", g));
        let countries = pack.countries.iter().map(|g| group("country", g));
        write_csv_table(out, &COLUMNS, projects.chain(minerals).chain(countries))
    }
}
