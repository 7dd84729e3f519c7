//! The table printed at the end of a run.

use std::fmt::Write;

use super::summary_csv::{IRR_P50, LOSS_P99, MOIC_MEAN, PROB_LOSS, SummaryColumn, WAL_YEARS};
use crate::aggregate::{CommitteePack, PUBLIC_TOTAL, RatingBenchmark, Tornado, TrancheSummary};
use crate::format;
use crate::spec::{Currency, IdealizedTable};

/// The summary.csv columns the table shows after the expected loss: its
/// heading and width, then the column (formatted by its unit).
const SHOWN: [(&str, usize, &SummaryColumn); 5] = [
    ("P(loss)", 8, &PROB_LOSS),
    ("p99 loss", 8, &LOSS_P99),
    ("IRR p50", 8, &IRR_P50),
    ("MOIC", 6, &MOIC_MEAN),
    ("WAL", 6, &WAL_YEARS),
];

/// A plain-text table, one row per tranche with its implied rating, then
/// the mobilisation ratio and the expected loss of public money.
pub fn summary_table(
    summary: &[TrancheSummary],
    pack: &CommitteePack,
    currency: &Currency,
    paths: u64,
) -> String {
    let mut table = String::new();
    let _ = write!(
        table,
        "{:<16} {:<10} {:>18} {:>13} {:>18}",
        "tranche", "class", "notional", "attach-detach", "EL bps (+-SE)",
    );
    for (heading, width, _) in SHOWN {
        let _ = write!(table, " {heading:>width$}");
    }
    let _ = writeln!(table, " {:>6}", "rating");
    for (row, rating) in summary.iter().zip(&pack.ratings) {
        let _ = write!(
            table,
            "{:<16} {:<10} {:>18} {:>13} {:>18}",
            truncate(&row.tranche, 16),
            row.class.as_str(),
            format::money(row.notional, currency.minor_digits, &currency.code),
            format!(
                "{}-{}",
                format::percent_with(row.attachment, 1),
                format::percent_with(row.detachment, 1)
            ),
            format!(
                "{} (+-{})",
                format::grouped(1e4 * row.expected_loss, 2),
                format::grouped(1e4 * row.expected_loss_se, 2)
            ),
        );
        for (_, width, column) in SHOWN {
            let _ = write!(table, " {:>width$}", column.show(row));
        }
        let _ = writeln!(table, " {:>6}", rating.rating);
    }
    let _ = writeln!(
        table,
        "{} paths; EL in basis points of each tranche's notional, other losses and rates in percent.",
        format::count(paths)
    );
    if let Some(importance) = &pack.importance {
        table.push_str(&importance_note(importance));
    }
    let f = &pack.facility;
    let code = &currency.code;
    let _ = if f.mobilisation_ratio.is_nan() {
        writeln!(
            table,
            "Mobilisation ratio: n/a (no public money in the structure)."
        )
    } else {
        writeln!(
            table,
            "Mobilisation ratio: {} private {code} per public {code}.",
            format::grouped(f.mobilisation_ratio, 2)
        )
    };
    table.push_str(&public_money(pack, code));
    let _ = writeln!(table, "{}", ratings_note(&pack.rating_benchmark));
    if let Some(tornado) = &pack.tornado {
        table.push_str(&tornado_cost(tornado));
    }
    table
}

/// What the tornado's shifted runs cost, in one line: their paths, their
/// share of the run's and their time (docs/outputs.md, tornado.csv).
pub fn tornado_cost(tornado: &Tornado) -> String {
    format!(
        "Sensitivities (tornado.csv): {} shifted runs of {} paths, {} of the run's paths, {} s; \
         --tornado-paths N for more paths, 0 for none.\n",
        tornado.runs(),
        format::count(tornado.paths),
        format::percent_with(tornado.share_of_run(), 0),
        format::grouped(tornado.seconds, 1),
    )
}

/// What an importance-sampled run's weights were, and what it leaves out.
fn importance_note(importance: &crate::aggregate::ImportanceSummary) -> String {
    format!(
        "Importance sampling aimed at {}: likelihood ratios average {} (+-{}), \
         {} effective paths. Not weighted yet, so not reported: {}.\n\
         The shift serves {}: the other tranches' figures, their IRRs and multiples above all, \
         rest on few effective paths; read them from a plain run (docs/validation.md).\n",
        importance.tranche,
        format::grouped(importance.weight_mean.mean, 3),
        format::grouped(importance.weight_mean.se, 3),
        format::grouped(importance.effective_paths, 0),
        importance.not_written.join(", "),
        importance.tranche,
    )
}

/// What public money costs: its PV cost (the budget office's measure,
/// parties.csv) first, then the undiscounted expected principal loss.
fn public_money(pack: &CommitteePack, code: &str) -> String {
    let mut lines = String::new();
    if let Some(public) = pack.parties.iter().find(|p| p.party == PUBLIC_TOTAL) {
        let _ = writeln!(
            lines,
            "PV cost of public money: {} (+-{}), {} of its commitment; grant element {} \
             (parties.csv).",
            format::millions(public.pv_cost.mean, code),
            format::millions_bare(public.pv_cost.se),
            format::percent(public.pv_cost_share.mean),
            format::percent(public.grant_element.mean),
        );
        if public.pv_cost.mean < 0.0 {
            lines.push_str(
                "A negative PV cost is an expected gain at the public parties' own discount \
                 rates, market risk unpriced; at market rates it can be a cost (docs/outputs.md, \
                 \"PV cost\").\n",
            );
        }
    }
    let loss = pack.facility.public_expected_loss;
    let _ = writeln!(
        lines,
        "Expected public loss (undiscounted principal): {} (+-{}).",
        format::millions(loss.mean, code),
        format::millions_bare(loss.se),
    );
    lines
}

/// What the implied ratings compared, in one line.
fn ratings_note(benchmark: &RatingBenchmark) -> String {
    let basis = benchmark.basis().as_str();
    match benchmark.table() {
        IdealizedTable::MoodysTenYear => format!(
            "Ratings: {basis} at each tranche's WAL vs Moody's idealized 10-year PD (constant hazard)."
        ),
        IdealizedTable::ByYear(table) => format!(
            "Ratings: {basis} at each tranche's WAL vs the year-by-year idealized {basis} table ({}), interpolated as in docs/ratings.md.",
            table.source()
        ),
    }
}

fn truncate(text: &str, width: usize) -> String {
    text.chars().take(width).collect()
}
