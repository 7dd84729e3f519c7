//! report.html's public side: each party's commitment, PV cost, grant
//! element and the private capital it mobilises (parties.csv), and the
//! nexus events: how likely, how large and when (nexus_events.csv,
//! nexus_timing.csv, nexus_impact.csv).

use std::fmt::Write as _;

use super::html::escape;
use crate::aggregate::{EventGroup, ImpactMetric, NexusTimingRow, PartySummary};
use crate::format::{self, with_se};

/// Appends the "Public side" section: what each party's money costs, then
/// what it earns and mobilises (two tables, so that each fits a 1280-px
/// screen).
/// `unit` converts minor units to currency units.
pub fn public_side(html: &mut String, parties: &[PartySummary], code: &str, unit: f64) {
    let money = |x: f64| format::millions(x, code);
    html.push_str(
        "<h2>Public side</h2>\n<p class=\"note\">PV cost: expected present value, at each \
         party's discount rate, of the cash it pays out less the cash it receives (negative: \
         an expected gain). Grant element: PV cost at the grant-element rate as a share of \
         commitment. Mobilised: private commitments attributed pro rata to public \
         commitments. See parties.csv and docs/outputs.md.</p>\n<table><tr><th>party</th>\
         <th>kind</th><th>public</th><th>commitment</th><th>cash received</th>\
         <th>PV cost (&#177; SE)</th><th>PV cost / commitment</th><th>grant element</th>\
         </tr>\n",
    );
    for p in parties {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td></tr>",
            escape(&p.party),
            p.kind.map_or("", |k| k.as_str()),
            if p.public { "yes" } else { "no" },
            money(p.commitment.as_f64() * unit),
            money(p.cash_received),
            format::millions_with_se(p.pv_cost.mean, p.pv_cost.se, code),
            format::percent(p.pv_cost_share.mean),
            format::percent(p.grant_element.mean),
        );
    }
    html.push_str(
        "</table>\n<table><tr><th>party</th><th>expected loss</th><th>IRR p50</th>\
         <th>private mobilised</th><th>leverage</th><th>PV cost per private unit</th></tr>\n",
    );
    for p in parties {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&p.party),
            money(p.expected_loss.mean),
            format::percent(p.irr[1]),
            money(p.mobilised),
            format::multiple(p.leverage),
            format::grouped(p.pv_cost_per_private.mean, 4),
        );
    }
    html.push_str("</table>\n");
}

/// Appends the "Nexus events" section (nothing without `[nexus_events]`):
/// how likely and how large the acquisitions of sponsors by PRC-linked
/// entities are, and what they change for the public side.
pub fn nexus_events(html: &mut String, run: &super::RunReport<'_>) {
    let pack = run.pack;
    if pack.nexus_events.is_empty() {
        return;
    }
    let code = &run.model.currency.code;
    html.push_str(
        "<h2>Nexus events</h2>\n<p class=\"note\">Sponsors acquired by PRC-linked entities \
         after closing, and the facility's remedy (nexus_events.csv, nexus_impact.csv).</p>\n\
         <table><tr><th>group</th><th>name</th><th>P(at least one)</th>\
         <th>expected exposure</th><th>share of principal</th><th>mean years to event</th></tr>\n",
    );
    for row in &pack.nexus_events {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            row.group.as_str(),
            escape(&row.name),
            with_se(row.prob_event.mean, row.prob_event.se, format::percent),
            format::millions(row.expected_exposure.mean, code),
            format::percent(row.expected_exposure.mean / row.principal),
            format::years(row.mean_event_years),
        );
    }
    html.push_str("</table>\n");
    nexus_timing(html, &pack.nexus_timing, code);
    let public = (pack.nexus_impact.iter()).find(|r| {
        r.holder == crate::aggregate::PUBLIC_TOTAL && r.metric == ImpactMetric::PartyPvCost
    });
    if let Some(row) = public {
        let money = |x: f64| format::millions(x, code);
        let _ = writeln!(
            html,
            "<p>PV cost of public money with nexus events: {}; without, on the same paths: {} \
             (change {}).</p>",
            money(row.with_events),
            money(row.without_events),
            format::millions_with_se(row.change.mean, row.change.se, code),
        );
    }
}

/// When the pool's acquisitions happen: by year of the deal
/// (nexus_timing.csv's pool rows; minerals and countries are in the file).
fn nexus_timing(html: &mut String, rows: &[NexusTimingRow], code: &str) {
    let pool: Vec<&NexusTimingRow> = (rows.iter())
        .filter(|r| r.group == EventGroup::Pool)
        .collect();
    if pool.iter().all(|r| r.expected_events.mean == 0.0) {
        html.push_str("<p>No acquisition on any path.</p>\n");
        return;
    }
    html.push_str(
        "<p class=\"note\">When: the pool's acquisitions by year of the deal (year 1: the first \
         12 months after closing); by mineral and country in nexus_timing.csv.</p>\n\
         <table><tr><th>year</th><th>expected acquisitions</th><th>expected exposure</th>\
         <th>P(at least one by year end)</th></tr>\n",
    );
    for row in pool {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            row.year,
            with_se(row.expected_events.mean, row.expected_events.se, |x| {
                format::grouped(x, 4)
            }),
            format::millions(row.expected_exposure.mean, code),
            with_se(
                row.prob_event_by.mean,
                row.prob_event_by.se,
                format::percent
            ),
        );
    }
    html.push_str("</table>\n");
}
