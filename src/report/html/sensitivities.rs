//! The "What moves the results" section: the tornado chart, its figures in
//! a table, and what the extra runs cost.

use std::fmt::Write as _;

use crate::aggregate::{PUBLIC_TOTAL, Tornado, TornadoMetric, TornadoRow, TrancheSummary};
use crate::format::{self, with_se};
use crate::spec::TrancheClass;

use super::super::charts::TornadoChart;
use super::{escape, strip_xml_declaration};

/// The section, with the chart and its table; without a tornado, a line
/// saying how to get one.
pub fn sensitivities(
    html: &mut String,
    tornado: Option<&Tornado>,
    summary: &[TrancheSummary],
    currency: &str,
) -> std::io::Result<()> {
    html.push_str("<section id=\"sensitivities\"><h2>What moves the results</h2>\n");
    let Some(tornado) = tornado else {
        html.push_str(
            "<p>No one-at-a-time sensitivities in this pack (the run had --tornado-paths 0).\
             </p></section>\n",
        );
        return Ok(());
    };
    let senior = (summary.iter())
        .find(|row| row.class == TrancheClass::Senior)
        .or(summary.first());
    let senior = senior.map_or("senior", |s| s.tranche.as_str());
    let _ = writeln!(
        html,
        "<p>Each input below was shifted on its own, every project at once, and the facility \
         run again on the same {paths} paths and seed (common random numbers): the bars are \
         the changes from the unshifted run on those paths, with whiskers of two standard \
         errors of the paired difference. The inputs that move the {senior} tranche's \
         expected loss most are at the top.</p>\n<p class=\"note\">Cost: the {runs} extra \
         runs of {paths} paths each ({share} of the run's {run_paths} paths together) took \
         {seconds} s. Unless <code>--tornado-paths N</code> says otherwise, each has a \
         thirty-second of the run's paths, at most {most}, so that the tornado costs at most a \
         quarter of the run; more paths narrow the changes' standard errors as one over their \
         square root, and 0 leaves the tornado out.{unclear}</p>",
        paths = format::count(tornado.paths),
        senior = escape(senior),
        runs = tornado.runs(),
        share = format::percent_with(tornado.share_of_run(), 0),
        run_paths = format::count(tornado.run_paths),
        seconds = format::grouped(tornado.seconds, 1),
        most = format::count(crate::aggregate::DEFAULT_TORNADO_PATHS),
        unclear = unclear(tornado, senior),
    );
    if let Some(svg) = TornadoChart::from_parts(tornado, summary, currency)? {
        let _ = writeln!(
            html,
            "<figure aria-label=\"{}\">{}</figure>",
            TornadoChart::TITLE,
            strip_xml_declaration(&svg)
        );
    }
    table(html, tornado, Some(senior), currency);
    for why in &tornado.skipped {
        let _ = writeln!(
            html,
            "<p class=\"note\">Left out: {} (the shifted facility is outside the inputs \
             blendsim accepts).</p>",
            escape(why)
        );
    }
    html.push_str("</section>\n");
    Ok(())
}

/// How many of the senior's changes are within two standard errors of
/// zero, as a sentence (empty when none is): at a run's default tornado
/// paths a small senior loss may not be told apart from no change.
fn unclear(tornado: &Tornado, senior: &str) -> String {
    let rows: Vec<&TornadoRow> = (tornado.rows.iter())
        .filter(|r| r.holder == senior && r.metric == TornadoMetric::ExpectedLoss)
        .collect();
    let within = (rows.iter())
        .filter(|r| r.change.mean.abs() < 2.0 * r.change.se || r.change.se.is_nan())
        .count();
    match within {
        0 => String::new(),
        n => format!(
            " At these paths {n} of the {senior} tranche's {} changes are within two standard \
             errors of zero: more paths would tell them apart from no change.",
            rows.len()
        ),
    }
}

/// The shifts with the senior's expected loss and the public PV cost under
/// each (the rest of the tranches are in tornado.csv).
fn table(html: &mut String, tornado: &Tornado, senior: Option<&str>, currency: &str) {
    let holders: Vec<&str> = senior.into_iter().chain([PUBLIC_TOTAL]).collect();
    let shown: Vec<&str> = holders
        .into_iter()
        .filter(|h| tornado.rows.iter().any(|r| r.holder == *h))
        .collect();
    html.push_str("<table><tr><th>input</th><th>shift</th>");
    for holder in &shown {
        let heading = if *holder == PUBLIC_TOTAL {
            "public PV cost".to_owned()
        } else {
            format!("{} EL", escape(holder))
        };
        let _ = write!(html, "<th>{heading}</th><th>change \u{b1} SE</th>");
    }
    html.push_str("</tr>\n");
    let first = shown.first().copied().unwrap_or_default();
    html.push_str("<tr><td>none (the run on these paths)</td><td></td>");
    for holder in &shown {
        let base = tornado.rows.iter().find(|r| r.holder == *holder);
        if let Some(row) = base {
            let _ = write!(html, "<td>{}</td><td></td>", show(row, row.base, currency));
        }
    }
    html.push_str("</tr>\n");
    for row in tornado.rows.iter().filter(|r| r.holder == first) {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td>",
            row.input.replace('_', " "),
            row.shift
        );
        for holder in &shown {
            let same = |r: &&TornadoRow| r.holder == *holder && r.shift == row.shift;
            let found = (tornado.rows.iter())
                .filter(|r| r.input == row.input)
                .find(same);
            let _ = write!(html, "{}", cells(found, currency));
        }
        html.push_str("</tr>\n");
    }
    html.push_str(
        "</table>\n<p class=\"note\">EL in basis points of the tranche's notional, PV cost in \
         millions; each row's unshifted value is on the same paths as its shift. Every \
         tranche's figures are in tornado.csv (docs/outputs.md).</p>\n",
    );
}

/// A row's shifted value and change, as a person reads them.
fn cells(row: Option<&TornadoRow>, currency: &str) -> String {
    let Some(row) = row else {
        return "<td>-</td><td>-</td>".to_owned();
    };
    format!(
        "<td>{}</td><td>{}</td>",
        show(row, row.shifted, currency),
        with_se(row.change.mean, row.change.se, |x| show(row, x, currency))
    )
}

/// A value of `row`'s metric: a loss in basis points, a cost in millions.
fn show(row: &TornadoRow, x: f64, currency: &str) -> String {
    match row.metric {
        TornadoMetric::ExpectedLoss => format::bps(x),
        TornadoMetric::PvCost => format::millions(x, currency),
    }
}
