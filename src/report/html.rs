//! report.html: a committee memo on one self-contained page (inline CSS
//! and SVG; no scripts, fonts or images fetched from anywhere). The first
//! screen says what was simulated and, in one sentence per tranche, what
//! it showed; then the inputs and assumptions, the tables, the coverage
//! tests, the charts, the risk contributions and a methodology appendix.

mod assumptions;
mod memo;
mod scenario_parties;
mod scenarios;
mod sensitivities;
mod sizing;

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::aggregate::{GroupRisk, RatingBenchmark};
use crate::format::{self, with_se};
use crate::spec::IdealizedTable;

use super::charts::Chart;
use super::columns::Column;
use super::coverage_csv::COLUMNS as COVERAGE_COLUMNS;
use super::summary_csv::{
    ES_99, IRR_P50, LOSS_P99, MOIC_MEAN, PROB_INTEREST_SHORTFALL, PROB_LOSS, PV_LOSS,
    SummaryColumn, WAL_YEARS,
};
use super::{Report, RunReport};

pub use scenarios::{ScenarioColumn, ScenarioPage, scenarios_page};
pub use sizing::{sizing_page, sweep_page};

/// Projects listed in the page's contributions table.
const TOP_PROJECTS: usize = 10;

/// The page's style: body text 15 px, tables 14 px, notes 13 px.
pub(crate) const STYLE: &str = "body{font-family:sans-serif;font-size:15px;margin:24px;\
color:#222;max-width:1100px}h1{font-size:24px}h2{font-size:19px;margin-top:30px;\
border-bottom:1px solid #ccc}h3{font-size:16px;margin-top:18px}\
table{border-collapse:collapse;font-size:14px;margin:8px 0}\
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right;white-space:nowrap}\
th:first-child,td:first-child{text-align:left}th{background:#f0f0f0;white-space:normal}\
td.text{text-align:left;max-width:820px;white-space:normal}td.wrap{white-space:normal}\
li{margin:4px 0}\
.note{font-size:13px;color:#555}figure{margin:12px 0}";

/// Writes report.html.
pub struct ReportHtml;

impl Report for ReportHtml {
    fn file_name(&self) -> &'static str {
        "report.html"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(page(run)?.as_bytes())
    }
}

/// The opening of a page: doctype, title, style, heading.
pub(crate) fn page_start(html: &mut String, title: &str) {
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title}</title><style>{STYLE}</style></head><body>\n<h1>{title}</h1>\n",
        title = escape(title),
    );
}

/// The whole page.
pub fn page(run: &RunReport<'_>) -> io::Result<String> {
    let m = run.manifest;
    let mut html = String::new();
    page_start(&mut html, &run.model.name);
    let _ = writeln!(
        html,
        "<p class=\"note\">{paths} paths, seed {seed}, {tool} {version}, started {started}.</p>",
        paths = format::count(m.paths),
        seed = m.seed,
        tool = m.tool,
        version = m.version,
        started = escape(&m.started_at),
    );
    memo::in_brief(&mut html, run);
    tranche_table(&mut html, run);
    facility_table(&mut html, run);
    let unit = 10f64.powi(-(run.model.currency.minor_digits as i32));
    html.push_str("<section id=\"public\">");
    super::html_public::public_side(&mut html, &run.pack.parties, &run.model.currency.code, unit);
    html.push_str("</section>\n");
    if !run.pack.nexus_events.is_empty() {
        html.push_str("<section id=\"nexus\">");
        super::html_public::nexus_events(&mut html, run);
        html.push_str("</section>\n");
    }
    assumptions::inputs_and_assumptions(&mut html, run);
    coverage_tests(&mut html, run);
    html.push_str("<section id=\"charts\"><h2>Loss, return and cash-flow charts</h2>\n");
    for chart in [
        Chart::LossHistogram,
        Chart::LossExceedance,
        Chart::IrrDistribution,
        Chart::ExpectedCashFlows,
        Chart::Convergence,
    ] {
        figure(&mut html, chart, run)?;
    }
    html.push_str(
        "<p class=\"note\">The last chart shows how each tranche's expected loss settled as \
         paths were added (convergence.csv, every --block-paths paths): a band that is still \
         wide against the differences a decision turns on calls for more paths, or for a run \
         with --target-se.</p>\n",
    );
    html.push_str("</section>\n");
    let code = &run.model.currency.code;
    sensitivities::sensitivities(&mut html, run.pack.tornado.as_ref(), run.summary, code)?;
    contributions(&mut html, run)?;
    methodology(&mut html, &run.pack.rating_benchmark);
    if let Some(importance) = &run.pack.importance {
        html.push_str(&importance_note(importance));
    }
    html.push_str("</body></html>\n");
    Ok(html)
}

/// A chart as an inline figure.
fn figure(html: &mut String, chart: Chart, run: &RunReport<'_>) -> io::Result<()> {
    let svg = chart.svg(run)?;
    let _ = writeln!(
        html,
        "<figure aria-label=\"{}\">{}</figure>",
        chart.title(),
        strip_xml_declaration(&svg)
    );
    Ok(())
}

/// The methodology appendix.
fn methodology(html: &mut String, benchmark: &RatingBenchmark) {
    html.push_str("<section id=\"methodology\"><h2>Methodology</h2>\n");
    html.push_str(METHODOLOGY);
    html.push_str(&ratings_note(benchmark));
    html.push_str("</section>\n");
}

const METHODOLOGY: &str = "<p class=\"note\">Each path draws every project's credit \
variable from shared factors (global, mineral, country, region) and its own shock; a project \
defaults in the first period its variable falls below the threshold its cumulative default \
probability sets. A defaulted loan stops paying and recovers a random share of its balance \
after the recovery lag. Each period's interest and principal collections go through the \
priority of payments above, to the cent. A tranche's loss is its original principal unpaid \
at the legal final date, as a fraction of its notional; its IRR is the return on its cash \
flows. Means carry one Monte Carlo standard error (\u{b1}). Quantiles invert the empirical \
distribution function (no interpolation). ES 99% contributions are Euler allocations: each \
project's mean loss over the worst 1% of paths by pool loss; they add up to the pool's ES. \
Every column of the CSV files is described in docs/outputs.md; the model in docs/model.md.</p>\n";

/// How an importance-sampled run drew its paths, and what that means for
/// the figures above.
fn importance_note(importance: &crate::aggregate::ImportanceSummary) -> String {
    format!(
        "<section id=\"importance\"><h2>Importance sampling</h2><p class=\"note\">The \
         systematic factors were drawn shifted towards the losses of {tranche}, and every \
         figure in this memo is the likelihood-ratio-weighted estimate of the model's own \
         law (docs/model.md section 11). The weights average {mean} (\u{b1}{se}); \
         {effective} effective paths. The shift serves {tranche}: the other tranches' and \
         the public side's figures rest on few effective paths and wide standard errors; \
         read them from a plain run. Not in this pack: {missing}.</p></section>\n",
        tranche = escape(&importance.tranche),
        mean = format::grouped(importance.weight_mean.mean, 3),
        se = format::grouped(importance.weight_mean.se, 3),
        effective = format::grouped(importance.effective_paths, 0),
        missing = importance.not_written.join(", "),
    )
}

/// What the implied ratings compared with, as a note.
fn ratings_note(benchmark: &RatingBenchmark) -> String {
    let basis = benchmark.basis().as_str().replace('_', " ");
    let text = match benchmark.table() {
        IdealizedTable::MoodysTenYear => format!(
            "Implied ratings compare the tranche's {basis} at its weighted average life with \
             Moody's idealized 10-year cumulative default probabilities interpolated at a \
             constant hazard: an assumption, since no year-by-year idealized tables were \
             supplied (docs/ratings.md).{}",
            if benchmark.like_for_like() {
                ""
            } else {
                " Comparing an expected loss with default probabilities is lenient."
            }
        ),
        IdealizedTable::ByYear(table) => format!(
            "Implied ratings compare the tranche's {basis} at its weighted average life with \
             the year-by-year idealized {basis} table supplied with the facility ({}), \
             interpolated log-linearly between years (docs/ratings.md).",
            escape(table.source())
        ),
    };
    format!("<p class=\"note\">{text}</p>\n")
}

/// The summary.csv columns the tranche table shows after the expected
/// loss, with their headings (cells formatted by the column's unit).
const SHOWN: [(&str, &SummaryColumn); 8] = [
    ("P(loss)", &PROB_LOSS),
    ("PV loss", &PV_LOSS),
    ("P(coupon missed)", &PROB_INTEREST_SHORTFALL),
    ("p99 loss", &LOSS_P99),
    ("ES 99%", &ES_99),
    ("IRR p50", &IRR_P50),
    ("MOIC", &MOIC_MEAN),
    ("WAL", &WAL_YEARS),
];

fn tranche_table(html: &mut String, run: &RunReport<'_>) {
    let currency = &run.model.currency;
    html.push_str(
        "<section id=\"tranches\"><h2>Tranches</h2>\n<table><tr><th>tranche</th><th>class</th>\
         <th>notional</th><th>attach\u{2013}detach</th><th>EL \u{b1} SE</th>",
    );
    for (heading, _) in SHOWN {
        let _ = write!(html, "<th>{heading}</th>");
    }
    html.push_str("<th>implied rating</th></tr>\n");
    for (row, rating) in run.summary.iter().zip(&run.pack.ratings) {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}\u{2013}{}</td><td class=\"wrap\">{}</td>",
            escape(&row.tranche),
            row.class.as_str(),
            format::money(row.notional, currency.minor_digits, &currency.code),
            format::percent_with(row.attachment, 1),
            format::percent_with(row.detachment, 1),
            breaking_before_se(row.expected_loss, row.expected_loss_se, format::bps),
        );
        for (_, column) in SHOWN {
            let _ = write!(html, "<td>{}</td>", column.show(row));
        }
        let _ = writeln!(html, "<td>{}</td></tr>", escape(&rating.rating));
    }
    // One basis for every tranche (the run's): said once, so that the
    // table fits a laptop's screen.
    let basis = (run.pack.ratings.first()).map_or(String::new(), |r| {
        format!(
            "; implied ratings on the {} basis (methodology)",
            r.basis.as_str().replace('_', " ")
        )
    });
    let _ = writeln!(
        html,
        "</table>\n<p class=\"note\">EL: expected principal loss in basis points of the \
         tranche's notional; the other losses and rates in percent; WAL in years{basis}.</p>\
         </section>",
    );
}

/// A value and its standard error that a table cell (class `wrap`) may
/// break before the `\u{b1}` and nowhere else: fourteen columns of the
/// tranche table fit the 1,100-px text column only with the widest
/// expected losses (`1,829.98 bp \u{b1} 143.46 bp`) on two lines.
fn breaking_before_se(value: f64, se: f64, show: impl Fn(f64) -> String) -> String {
    with_se(value, se, show)
        .replace(' ', "\u{a0}")
        .replace("\u{a0}\u{b1}", " \u{b1}")
}

/// The public side's PV cost (the `public` row of parties.csv), if the
/// facility has public money.
fn public_pv_cost(run: &RunReport<'_>) -> Option<crate::aggregate::Estimate> {
    (run.pack.parties.iter())
        .find(|p| p.party == crate::aggregate::PUBLIC_TOTAL)
        .map(|p| p.pv_cost)
}

fn facility_table(html: &mut String, run: &RunReport<'_>) {
    let f = &run.pack.facility;
    let code = &run.model.currency.code;
    let money = |x: f64| format::millions(x, code);
    let money_se = |e: crate::aggregate::Estimate| with_se(e.mean, e.se, money);
    let percent_se = |e: crate::aggregate::Estimate| with_se(e.mean, e.se, format::percent);
    let rows = [
        ("total capital", money(f.total_capital)),
        ("public capital", money(f.public_capital)),
        ("private capital", money(f.private_capital)),
        (
            "mobilisation (private per public dollar)",
            format::grouped(f.mobilisation_ratio, 2),
        ),
        (
            "PV cost of public money (parties.csv)",
            public_pv_cost(run).map_or_else(|| "-".to_owned(), money_se),
        ),
        (
            "expected public principal loss (undiscounted)",
            money_se(f.public_expected_loss),
        ),
        ("expected private loss", money_se(f.private_expected_loss)),
        (
            "P(first loss wiped out)",
            format!(
                "{} ({})",
                percent_se(f.prob_first_loss_wiped_out),
                escape(&f.first_loss_tranche)
            ),
        ),
        ("pool expected loss", percent_se(f.pool_expected_loss)),
        (
            "pool loss p50 / p90 / p99 / p99.9",
            f.pool_loss_quantiles.map(format::percent).join(" / "),
        ),
        ("pool ES 99%", format::percent(f.pool_es_99)),
        (
            "expected defaults",
            with_se(f.expected_defaults.mean, f.expected_defaults.se, |x| {
                format::grouped(x, 2)
            }),
        ),
        (
            "defaults p50 / p90 / p99",
            f.defaults_quantiles
                .map(|d| format::grouped(d, 0))
                .join(" / "),
        ),
        ("expected recoveries", money_se(f.expected_recoveries)),
        (
            "P(event of default), mean years to it",
            format!(
                "{}, {}",
                percent_se(f.prob_event_of_default),
                format::years(f.event_of_default_years)
            ),
        ),
    ];
    html.push_str("<section id=\"facility\"><h2>Facility and public money</h2>\n<table>\n");
    for (name, value) in rows {
        let _ = writeln!(html, "<tr><td>{name}</td><td>{value}</td></tr>");
    }
    html.push_str("</table></section>\n");
}

/// Coverage-test results: how often and when each test fails.
fn coverage_tests(html: &mut String, run: &RunReport<'_>) {
    html.push_str("<section id=\"coverage\"><h2>Coverage tests</h2>\n");
    if run.coverage.is_empty() {
        html.push_str("<p>The priority of payments has no coverage test.</p></section>\n");
        return;
    }
    column_table(html, &COVERAGE_COLUMNS, run.coverage);
    html.push_str(
        "<p class=\"note\">prob_fail: share of paths on which the test fails at least once; \
         first failure in years from closing, over the paths where it fails.</p></section>\n",
    );
}

/// A table of `rows` in `columns`, headed by the column names (their
/// descriptions as tooltips), cells as a person reads them.
fn column_table<R>(html: &mut String, columns: &[&Column<R>], rows: &[R]) {
    html.push_str("<table><tr>");
    for column in columns {
        let _ = write!(
            html,
            "<th title=\"{}\">{}</th>",
            escape(column.description),
            column.name.replace('_', " ")
        );
    }
    html.push_str("</tr>\n");
    for row in rows {
        html.push_str("<tr>");
        for column in columns {
            let _ = write!(html, "<td>{}</td>", escape(&column.show(row)));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
}

fn contributions(html: &mut String, run: &RunReport<'_>) -> io::Result<()> {
    let pack = run.pack;
    let code = &run.model.currency.code;
    let _ = writeln!(
        html,
        "<section id=\"contributions\"><h2>Risk contributions</h2>\n<p>The pool's expected \
         shortfall at 99% (its mean loss over the worst 1% of paths) is {}, split below by \
         project, mineral and country.</p>\n<h3>Largest {TOP_PROJECTS} projects</h3>\n\
         <table><tr><th>project</th><th>mineral</th><th>country</th><th>segment</th>\
         <th>amount ({code}m)</th><th>EL ({code}m)</th><th>ES 99% contribution ({code}m)</th>\
         <th>share</th></tr>",
        format::millions(pack.pool_es_99_amount, code),
    );
    for p in pack.projects.iter().take(TOP_PROJECTS) {
        let _ = writeln!(
            html,
            "<tr><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td></tr>",
            escape(&p.id),
            escape(&p.name),
            escape(&p.mineral),
            escape(&p.country),
            p.segment,
            format::grouped(p.amount / 1e6, 2),
            format::grouped(p.risk.expected_loss.mean / 1e6, 2),
            format::grouped(p.risk.es_contribution / 1e6, 2),
            format::percent(p.risk.es_contribution / pack.pool_es_99_amount),
        );
    }
    html.push_str("</table>\n");
    for (level, groups, chart) in [
        ("mineral", &pack.minerals, Chart::ContributionsByMineral),
        ("country", &pack.countries, Chart::ContributionsByCountry),
    ] {
        let _ = writeln!(html, "<h3>By {level}</h3>");
        group_table(html, level, groups, pack.pool_es_99_amount, code);
        figure(html, chart, run)?;
    }
    html.push_str("</section>\n");
    Ok(())
}

fn group_table(html: &mut String, level: &str, groups: &[GroupRisk], es: f64, code: &str) {
    let _ = writeln!(
        html,
        "<table><tr><th>{level}</th><th>amount ({code}m)</th><th>EL ({code}m)</th>\
         <th>ES 99% contribution ({code}m)</th><th>share</th></tr>"
    );
    for g in groups {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&g.name),
            format::grouped(g.amount / 1e6, 2),
            format::grouped(g.expected_loss.mean / 1e6, 2),
            format::grouped(g.es_contribution / 1e6, 2),
            format::percent(g.es_contribution / es),
        );
    }
    html.push_str("</table>\n");
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

fn strip_xml_declaration(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(start) => &svg[start..],
        None => svg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
    }
}
