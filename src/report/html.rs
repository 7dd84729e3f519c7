//! report.html: the summary, facility metrics, ratings, top risk
//! contributions and every chart on one self-contained page (inline CSS
//! and SVG; no scripts, fonts or images fetched from anywhere).

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::aggregate::{CommitteePack, GroupRisk, RatingBenchmark};
use crate::spec::IdealizedTable;

use super::charts::Chart;
use super::coverage_csv::COLUMNS as COVERAGE_COLUMNS;
use super::summary_csv::{
    ES_99, IRR_P50, LOSS_P99, MOIC_MEAN, PROB_INTEREST_SHORTFALL, PROB_LOSS, PV_LOSS,
    SummaryColumn, WAL_YEARS,
};
use super::{Report, RunReport};

/// Projects listed in the page's contributions table.
const TOP_PROJECTS: usize = 10;

const STYLE: &str = "body{font-family:sans-serif;margin:24px;color:#222;max-width:1100px}\
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;font-size:13px;margin:8px 0}\
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}\
th:first-child,td:first-child{text-align:left}th{background:#f0f0f0}\
.note{font-size:12px;color:#555}figure{margin:12px 0}";

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

/// The whole page.
pub fn page(run: &RunReport<'_>) -> io::Result<String> {
    let m = run.manifest;
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{name}</title><style>{STYLE}</style></head><body>\n\
         <h1>{name}</h1>\n<p class=\"note\">{paths} paths, seed {seed}, {tool} {version}, \
         started {started}.</p>\n",
        name = escape(&run.model.name),
        paths = m.paths,
        seed = m.seed,
        tool = m.tool,
        version = m.version,
        started = escape(&m.started_at),
    );
    tranche_table(&mut html, run);
    facility_table(&mut html, run);
    coverage_table(&mut html, run);
    let unit = 10f64.powi(-(run.model.currency.minor_digits as i32));
    super::html_public::public_side(&mut html, &run.pack.parties, &run.model.currency.code, unit);
    super::html_public::nexus_events(&mut html, run);
    html.push_str("<h2>Charts</h2>\n");
    for chart in Chart::ALL {
        let svg = chart.svg(run.pack, &run.model.currency.code)?;
        let _ = writeln!(
            html,
            "<figure aria-label=\"{}\">{}</figure>",
            chart.title(),
            strip_xml_declaration(&svg)
        );
    }
    contributions(&mut html, run.pack, &run.model.currency.code);
    html.push_str(NOTES);
    html.push_str(&ratings_note(&run.pack.rating_benchmark));
    html.push_str("</body></html>\n");
    Ok(html)
}

const NOTES: &str = "<h2>Notes</h2><p class=\"note\">Losses are fractions of each \
tranche's notional; \u{b1} is one Monte Carlo standard error. Quantiles invert the \
empirical distribution function (no interpolation). ES 99% \
contributions are Euler allocations: each project's mean loss over the worst 1% of \
paths by pool loss; they add up to the pool's ES.</p>\n";

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
    ("WAL (y)", &WAL_YEARS),
];

fn tranche_table(html: &mut String, run: &RunReport<'_>) {
    let digits = run.model.currency.minor_digits;
    html.push_str(
        "<h2>Tranches</h2>\n<table><tr><th>tranche</th><th>class</th><th>notional</th>\
         <th>attach\u{2013}detach</th><th>EL (bps) \u{b1} SE</th>",
    );
    for (heading, _) in SHOWN {
        let _ = write!(html, "<th>{heading}</th>");
    }
    html.push_str("<th>implied rating</th></tr>\n");
    for (row, rating) in run.summary.iter().zip(&run.pack.ratings) {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{} {:.1}m</td><td>{:.1}%\u{2013}{:.1}%</td>\
             <td>{:.2} \u{b1} {:.2}</td>",
            escape(&row.tranche),
            row.class.as_str(),
            run.model.currency.code,
            row.notional.as_f64() / 10f64.powi(digits as i32) / 1e6,
            100.0 * row.attachment,
            100.0 * row.detachment,
            1e4 * row.expected_loss,
            1e4 * row.expected_loss_se,
        );
        for (_, column) in SHOWN {
            let _ = write!(html, "<td>{}</td>", column.show(row));
        }
        let _ = writeln!(
            html,
            "<td>{} ({})</td></tr>",
            escape(&rating.rating),
            rating.basis.as_str().replace('_', " "),
        );
    }
    html.push_str("</table>\n");
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
    let money = |x: f64| format!("{code} {:.2}m", x / 1e6);
    let money_se = |e: crate::aggregate::Estimate| {
        format!("{code} {:.2}m \u{b1} {:.2}m", e.mean / 1e6, e.se / 1e6)
    };
    let rows = [
        ("total capital", money(f.total_capital)),
        ("public capital", money(f.public_capital)),
        ("private capital", money(f.private_capital)),
        (
            "mobilisation (private per public dollar)",
            format!("{:.2}", f.mobilisation_ratio),
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
                "{} \u{b1} {} ({})",
                percent(f.prob_first_loss_wiped_out.mean),
                percent(f.prob_first_loss_wiped_out.se),
                escape(&f.first_loss_tranche)
            ),
        ),
        (
            "pool expected loss",
            format!(
                "{} \u{b1} {}",
                percent(f.pool_expected_loss.mean),
                percent(f.pool_expected_loss.se)
            ),
        ),
        (
            "pool loss p50 / p90 / p99 / p99.9",
            f.pool_loss_quantiles.map(percent).join(" / "),
        ),
        ("pool ES 99%", percent(f.pool_es_99)),
        (
            "expected defaults",
            format!(
                "{:.2} \u{b1} {:.2}",
                f.expected_defaults.mean, f.expected_defaults.se
            ),
        ),
        (
            "defaults p50 / p90 / p99",
            f.defaults_quantiles.map(|d| format!("{d}")).join(" / "),
        ),
        ("expected recoveries", money_se(f.expected_recoveries)),
        (
            "P(event of default), mean years to it",
            format!(
                "{} \u{b1} {}, {}",
                percent(f.prob_event_of_default.mean),
                percent(f.prob_event_of_default.se),
                if f.event_of_default_years.is_nan() {
                    "-".to_owned()
                } else {
                    format!("{:.1}", f.event_of_default_years)
                }
            ),
        ),
    ];
    html.push_str("<h2>Facility</h2>\n<table>\n");
    for (name, value) in rows {
        let _ = writeln!(html, "<tr><td>{name}</td><td>{value}</td></tr>");
    }
    html.push_str("</table>\n");
}

/// How often and when each coverage test fails (coverage_tests.csv's
/// columns), when the waterfall has tests.
fn coverage_table(html: &mut String, run: &RunReport<'_>) {
    if run.coverage.is_empty() {
        return;
    }
    html.push_str("<h2>Coverage tests</h2>\n<table><tr>");
    for column in COVERAGE_COLUMNS {
        let _ = write!(html, "<th>{}</th>", column.name.replace('_', " "));
    }
    html.push_str("</tr>\n");
    for test in run.coverage {
        html.push_str("<tr>");
        for column in COVERAGE_COLUMNS {
            let _ = write!(html, "<td>{}</td>", escape(&column.show(test)));
        }
        html.push_str("</tr>\n");
    }
    html.push_str(
        "</table>\n<p class=\"note\">Share of paths on which each test fails at least \
         once, and the years from the start to its first failure over those paths.</p>\n",
    );
}

fn contributions(html: &mut String, pack: &CommitteePack, code: &str) {
    let _ = writeln!(
        html,
        "<h2>Risk contributions (pool ES 99% = {code} {:.2}m)</h2>\n<table><tr>\
         <th>project</th><th>mineral</th><th>country</th><th>segment</th>\
         <th>EL ({code}m)</th><th>ES 99% contribution ({code}m)</th><th>share</th></tr>",
        pack.pool_es_99_amount / 1e6
    );
    for p in pack.projects.iter().take(TOP_PROJECTS) {
        let _ = writeln!(
            html,
            "<tr><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2}</td>\
             <td>{:.2}</td><td>{}</td></tr>",
            escape(&p.id),
            escape(&p.name),
            escape(&p.mineral),
            escape(&p.country),
            p.segment,
            p.risk.expected_loss.mean / 1e6,
            p.risk.es_contribution / 1e6,
            percent(p.risk.es_contribution / pack.pool_es_99_amount),
        );
    }
    html.push_str("</table>\n");
    group_table(
        html,
        "mineral",
        &pack.minerals,
        pack.pool_es_99_amount,
        code,
    );
    group_table(
        html,
        "country",
        &pack.countries,
        pack.pool_es_99_amount,
        code,
    );
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
            "<tr><td>{}</td><td>{:.1}</td><td>{:.2}</td><td>{:.2}</td><td>{}</td></tr>",
            escape(&g.name),
            g.amount / 1e6,
            g.expected_loss.mean / 1e6,
            g.es_contribution / 1e6,
            percent(g.es_contribution / es),
        );
    }
    html.push_str("</table>\n");
}

fn percent(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
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
