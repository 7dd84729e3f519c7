//! The combined report.html's parties by scenario: each party's PV cost,
//! grant element and expected loss side by side, so a budget office reads
//! what each public funder's position costs under every scenario in one
//! table (parties.csv has the same figures, one row per scenario and
//! party).

use std::fmt::Write as _;

use crate::aggregate::{PUBLIC_TOTAL, PartySummary};
use crate::format::{self, with_se};

use super::escape;
use super::scenarios::{SCENARIOS_PER_TABLE, column_heading};

/// A party's figure in one scenario.
type Figure = fn(&PartySummary, &str) -> String;

/// Public parties (and the public total): what their money costs.
const PUBLIC_FIGURES: [(&str, Figure); 4] = [
    ("PV cost", |p, code| {
        format::millions_with_se(p.pv_cost.mean, p.pv_cost.se, code)
    }),
    ("PV cost / commitment", |p, _| {
        with_se(p.pv_cost_share.mean, p.pv_cost_share.se, format::percent)
    }),
    ("grant element", |p, _| {
        with_se(p.grant_element.mean, p.grant_element.se, format::percent)
    }),
    ("expected principal loss", |p, code| {
        format::millions_with_se(p.expected_loss.mean, p.expected_loss.se, code)
    }),
];

/// Private parties: what they expect to lose and earn.
const PRIVATE_FIGURES: [(&str, Figure); 2] = [
    ("expected principal loss", |p, code| {
        format::millions_with_se(p.expected_loss.mean, p.expected_loss.se, code)
    }),
    ("median IRR", |p, _| format::percent(p.irr[1])),
];

/// Appends the "Parties by scenario" section (nothing without parties):
/// `scenarios` are each scenario's name and parties.csv rows, in the order
/// run; `code` is the currency's.
pub fn parties_by_scenario(html: &mut String, scenarios: &[(&str, &[PartySummary])], code: &str) {
    let Some((_, first)) = scenarios.first() else {
        return;
    };
    if first.is_empty() {
        return;
    }
    html.push_str(
        "<section id=\"parties\"><h2>Parties by scenario</h2>\n<p class=\"note\">PV cost: \
         expected present value, at the party's discount rate, of the cash it pays out less the \
         cash it receives (negative: an expected gain); grant element at the grant-element \
         rate (parties.csv, docs/outputs.md); \u{b1} one standard error.</p>\n",
    );
    for chunk in scenarios.chunks(SCENARIOS_PER_TABLE) {
        parties_table(html, first, chunk, code);
    }
    html.push_str("</section>\n");
}

/// One table of the parties' figures in `scenarios` (a chunk of them);
/// `first` are the first scenario's rows, whose parties every scenario has
/// in the same order (the facility's).
fn parties_table(
    html: &mut String,
    first: &[PartySummary],
    scenarios: &[(&str, &[PartySummary])],
    code: &str,
) {
    html.push_str("<table><tr><th>party</th><th>figure</th>");
    for (name, _) in scenarios {
        html.push_str(&column_heading(name));
    }
    html.push_str("</tr>\n");
    for (i, party) in first.iter().enumerate() {
        let figures: &[(&str, Figure)] = if party.public {
            &PUBLIC_FIGURES
        } else {
            &PRIVATE_FIGURES
        };
        let name = match party.party.as_str() {
            PUBLIC_TOTAL => "<b>public (all public parties)</b>".to_owned(),
            name => escape(name),
        };
        for (label, figure) in figures {
            let _ = write!(html, "<tr><td>{name}</td><td>{label}</td>");
            for (_, parties) in scenarios {
                let cell = (parties.get(i)).map_or_else(String::new, |p| figure(p, code));
                let _ = write!(html, "<td>{cell}</td>");
            }
            html.push_str("</tr>\n");
        }
    }
    html.push_str("</table>\n");
}
