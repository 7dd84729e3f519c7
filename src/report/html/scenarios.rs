//! The combined report.html of a run over several scenarios: what each
//! scenario changes, each tranche's figures side by side, the public
//! side's, and a chart of each tranche's expected loss per scenario.

use std::fmt::Write as _;

use crate::aggregate::{CommitteePack, PUBLIC_TOTAL, PartySummary, TrancheSummary};
use crate::format::{self, with_se};
use crate::spec::{Currency, ScenarioSpec};

use super::super::charts::{ScenarioLosses, scenario_losses_svg};
use super::{escape, page_start, strip_xml_declaration};

/// One scenario's results, as the combined page needs them.
#[derive(Debug, Clone, Copy)]
pub struct ScenarioColumn<'a> {
    /// The scenario.
    pub spec: &'a ScenarioSpec,
    /// One row per tranche.
    pub summary: &'a [TrancheSummary],
    /// The committee pack's statistics.
    pub pack: &'a CommitteePack,
    /// Paths simulated (the same for every scenario unless the run
    /// stopped each at its precision targets).
    pub paths: u64,
}

/// Everything the combined page shows.
#[derive(Debug, Clone)]
pub struct ScenarioPage<'a> {
    /// Facility name.
    pub facility: &'a str,
    /// Its currency.
    pub currency: &'a Currency,
    /// Seed (every scenario runs on the same random streams).
    pub seed: u64,
    /// The scenarios, in the order run.
    pub scenarios: Vec<ScenarioColumn<'a>>,
}

/// A tranche's figure in one scenario, as the side-by-side table shows it.
type Figure = fn(&TrancheSummary) -> String;

const FIGURES: [(&str, Figure); 5] = [
    ("expected loss", |r| {
        with_se(r.expected_loss, r.expected_loss_se, format::bps)
    }),
    ("P(any loss)", |r| format::percent(r.prob_loss)),
    ("99th-percentile loss", |r| format::percent(r.loss_p99)),
    ("median IRR", |r| format::percent(r.irr_p50)),
    ("mean MOIC", |r| format::multiple(r.moic_mean)),
];

/// The combined page.
pub fn scenarios_page(page: &ScenarioPage<'_>) -> std::io::Result<String> {
    let mut html = String::new();
    page_start(&mut html, &format!("{}: scenarios", page.facility));
    let fewest = page.scenarios.iter().map(|s| s.paths).min().unwrap_or(0);
    let most = page.scenarios.iter().map(|s| s.paths).max().unwrap_or(0);
    let paths = if fewest == most {
        format!("{} paths per scenario", format::count(most))
    } else {
        format!(
            "{} to {} paths per scenario (each ran until its precision targets were met)",
            format::count(fewest),
            format::count(most)
        )
    };
    let _ = writeln!(
        html,
        "<p class=\"note\">{paths}, seed {}; every scenario runs on the same random numbers \
         (path p on stream p), so differences between them are the scenario's, not noise. \
         Each scenario's full memo is in its folder.</p>",
        page.seed
    );
    scenario_list(&mut html, page);
    side_by_side(&mut html, page);
    public_side(&mut html, page);
    let parties: Vec<(&str, &[PartySummary])> = (page.scenarios.iter())
        .map(|s| (s.spec.name.as_str(), s.pack.parties.as_slice()))
        .collect();
    super::scenario_parties::parties_by_scenario(&mut html, &parties, &page.currency.code);
    let names: Vec<String> = page.scenarios.iter().map(|s| s.spec.name.clone()).collect();
    let svg = scenario_losses_svg(&names, &losses(page))?;
    let _ = writeln!(
        html,
        "<section id=\"scenario-chart\"><h2>Expected loss by scenario</h2>\n\
         <figure aria-label=\"Expected loss by scenario\">{}</figure>\n\
         <p class=\"note\">Whiskers: two standard errors either side.</p></section>",
        strip_xml_declaration(&svg)
    );
    // The tornado of the first scenario run (the base case of `--scenario
    // all`): the others have none.
    if let Some(first) = page.scenarios.first() {
        let _ = writeln!(
            html,
            "<p class=\"note\">The sensitivities below are around the {} (the first scenario \
             run); the other scenarios have none.</p>",
            escape(&first.spec.name)
        );
        let tornado = first.pack.tornado.as_ref();
        super::sensitivities::sensitivities(
            &mut html,
            tornado,
            first.summary,
            &page.currency.code,
        )?;
    }
    html.push_str("</body></html>\n");
    Ok(html)
}

fn scenario_list(html: &mut String, page: &ScenarioPage<'_>) {
    html.push_str("<section id=\"scenarios\"><h2>Scenarios</h2>\n<ul>\n");
    for s in &page.scenarios {
        let name = escape(&s.spec.name);
        let description = match s.spec.description.is_empty() {
            true => "the inputs as given".to_owned(),
            false => escape(&s.spec.description),
        };
        let _ = writeln!(
            html,
            "<li><a href=\"{name}/report.html\"><b>{name}</b></a>: {description}</li>"
        );
    }
    html.push_str("</ul></section>\n");
}

/// Scenarios side by side in one table at most: with more, the table is
/// split into several of this many scenario columns, so that each fits a
/// 1280-px screen (a cell such as `1,800.22 bp ± 22.11 bp` is about 190 px
/// wide).
pub(super) const SCENARIOS_PER_TABLE: usize = 4;

/// A scenario's name as a column heading, breakable after each underscore
/// (`indonesian_nickel_oversupply` would widen its column by itself).
pub(super) fn column_heading(name: &str) -> String {
    format!("<th>{}</th>", escape(name).replace('_', "_<wbr>"))
}

fn side_by_side(html: &mut String, page: &ScenarioPage<'_>) {
    html.push_str("<section id=\"side-by-side\"><h2>Tranches by scenario</h2>\n");
    let Some(first) = page.scenarios.first() else {
        html.push_str("</section>\n");
        return;
    };
    for scenarios in page.scenarios.chunks(SCENARIOS_PER_TABLE) {
        html.push_str("<table><tr><th>tranche</th><th>figure</th>");
        for s in scenarios {
            html.push_str(&column_heading(&s.spec.name));
        }
        html.push_str("</tr>\n");
        for (t, tranche) in first.summary.iter().enumerate() {
            let name = escape(&tranche.tranche);
            for (label, figure) in FIGURES {
                let _ = write!(html, "<tr><td>{name}</td><td>{label}</td>");
                for s in scenarios {
                    let cell = s.summary.get(t).map_or_else(String::new, figure);
                    let _ = write!(html, "<td>{cell}</td>");
                }
                html.push_str("</tr>\n");
            }
            let _ = write!(html, "<tr><td>{name}</td><td>implied rating</td>");
            for s in scenarios {
                let rating = s.pack.ratings.get(t).map_or("", |r| r.rating.as_str());
                let _ = write!(html, "<td>{}</td>", escape(rating));
            }
            html.push_str("</tr>\n");
        }
        html.push_str("</table>\n");
    }
    html.push_str(
        "<p class=\"note\">Expected loss in basis points of the tranche's notional, \
         \u{b1} one standard error; other losses and rates in percent.</p></section>\n",
    );
}

fn public_side(html: &mut String, page: &ScenarioPage<'_>) {
    let code = &page.currency.code;
    html.push_str("<section id=\"public\"><h2>Public money by scenario</h2>\n");
    type Row<'r> = (&'r str, Box<dyn Fn(&CommitteePack) -> String + 'r>);
    let rows: [Row<'_>; 5] = [
        (
            "PV cost of public money",
            Box::new(|p| {
                (p.parties.iter().find(|r| r.party == PUBLIC_TOTAL)).map_or_else(
                    || "n/a".to_owned(),
                    |r| format::millions_with_se(r.pv_cost.mean, r.pv_cost.se, code),
                )
            }),
        ),
        (
            "expected public principal loss (undiscounted)",
            Box::new(|p| {
                let e = p.facility.public_expected_loss;
                format::millions_with_se(e.mean, e.se, code)
            }),
        ),
        (
            "expected private loss",
            Box::new(|p| {
                let e = p.facility.private_expected_loss;
                format::millions_with_se(e.mean, e.se, code)
            }),
        ),
        (
            "P(first loss wiped out)",
            Box::new(|p| {
                let e = p.facility.prob_first_loss_wiped_out;
                with_se(e.mean, e.se, format::percent)
            }),
        ),
        (
            "pool expected loss",
            Box::new(|p| format::percent(p.facility.pool_expected_loss.mean)),
        ),
    ];
    for scenarios in page.scenarios.chunks(SCENARIOS_PER_TABLE) {
        html.push_str("<table><tr><th>figure</th>");
        for s in scenarios {
            html.push_str(&column_heading(&s.spec.name));
        }
        html.push_str("</tr>\n");
        for (label, figure) in &rows {
            let _ = write!(html, "<tr><td>{label}</td>");
            for s in scenarios {
                let _ = write!(html, "<td>{}</td>", figure(s.pack));
            }
            html.push_str("</tr>\n");
        }
        html.push_str("</table>\n");
    }
    html.push_str("</section>\n");
}

/// Each tranche's expected loss and its standard error per scenario.
fn losses(page: &ScenarioPage<'_>) -> Vec<ScenarioLosses> {
    let Some(first) = page.scenarios.first() else {
        return Vec::new();
    };
    first
        .summary
        .iter()
        .enumerate()
        .map(|(t, row)| ScenarioLosses {
            tranche: row.tranche.clone(),
            class: row.class,
            losses: page
                .scenarios
                .iter()
                .map(|s| {
                    s.summary.get(t).map_or((f64::NAN, f64::NAN), |r| {
                        (r.expected_loss, r.expected_loss_se)
                    })
                })
                .collect(),
        })
        .collect()
}
