//! `blendsim sweep`: tranche metrics over a grid of one or two parameters.

use anyhow::{Context, Result};
use blendsim::engine::with_threads;
use blendsim::format;
use blendsim::limits::Work;
use blendsim::report::{write_sweep_csv, write_sweep_page};
use blendsim::sizing::{
    Axis, Metric, Parameter, SweepPoint, SweptMetric, parse_tranche_metric, sweep as run_sweep,
};
use blendsim::spec::{LoadOptions, load_facility};

use super::args::SweepArgs;
use super::flag_words::{Command, in_flag_words};
use super::run::resolve_settings;
use super::validate::print_warnings;
use super::{BadInput, begin_output, emit, out_error};

/// Runs the sweep, writes sweep.csv and prints every metric as a table.
pub fn sweep(args: SweepArgs) -> Result<()> {
    let loaded = load_facility(
        &args.facility,
        &LoadOptions {
            allow_breaches: false,
        },
    )?;
    super::refuse_importance(&loaded, &args.facility, "sweep")?;
    if !args.output.quiet {
        print_warnings(&loaded);
    }
    let in_flag_words = |error| in_flag_words(error, Command::Sweep);
    let axes = args
        .vary
        .iter()
        .map(|a| a.parse::<Axis>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(in_flag_words)?;
    let grid_points = axes
        .iter()
        .fold(1, |n: usize, a| n.saturating_mul(a.values.len()));
    let work = Work::Sweep {
        points: grid_points,
    };
    let (settings, threads) = resolve_settings(&args.simulation, &loaded, work)?;
    let metrics = if args.metric.is_empty() {
        loaded
            .spec
            .tranches
            .iter()
            .map(|t| format!("{}.expected_loss", t.name))
            .collect()
    } else {
        args.metric.clone()
    };
    let metrics = metrics
        .iter()
        .map(|m| parse_tranche_metric(m).map_err(|why| BadInput(format!("--metric {m}: {why}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let folder = args.output.folder(&args.facility, Some("sweep"));
    let staging = begin_output(&folder, true)?;
    let points = with_threads(Some(threads), || {
        run_sweep(
            &loaded.spec,
            &axes,
            args.absorb.as_deref(),
            &metrics,
            settings,
        )
    })
    .context("could not start the worker threads")?
    .map_err(in_flag_words)?;
    let path = folder.join("sweep.csv");
    write_sweep_csv(&staging.folder().join("sweep.csv"), &axes, &points)
        .with_context(|| format!("could not write {}", path.display()))?;
    let page = folder.join("sweep.html");
    let staged_page = staging.folder().join("sweep.html");
    write_sweep_page(&staged_page, &loaded.spec.name, &axes, &points)
        .with_context(|| format!("could not write {}", page.display()))?;
    staging.publish().map_err(out_error)?;
    if args.output.quiet {
        return Ok(());
    }
    emit(&format!(
        "{}wrote {}\nwrote {}\n",
        table(&axes, &points),
        path.display(),
        page.display()
    ))
}

/// Every metric, one block each: a row per value of the first axis, a
/// column per value of the second (if any); each cell the value with its
/// standard error where it has one.
fn table(axes: &[Axis], points: &[SweepPoint]) -> String {
    let Some(first) = points.first() else {
        return String::new();
    };
    let columns = axes.get(1).map_or(1, |a| a.values.len());
    let mut text = String::new();
    for (m, metric) in first.metrics.iter().enumerate() {
        let cells: Vec<Vec<String>> = points
            .chunks(columns)
            .map(|row| row.iter().map(|p| cell(&p.metrics[m])).collect())
            .collect();
        let mut header = vec![axes[0].name.clone()];
        match axes.get(1) {
            Some(second) => header.extend(
                second
                    .values
                    .iter()
                    .map(|v| format!("{}={}", second.name, axis_value(second, *v))),
            ),
            None => header.push(String::new()),
        }
        text += &format!(
            "{} {} {}\n",
            metric.tranche,
            label(metric),
            unit_note(metric)
        );
        let first_column: Vec<String> = axes[0]
            .values
            .iter()
            .map(|v| axis_value(&axes[0], *v))
            .collect();
        text += &grid_text(&header, &first_column, &cells);
        text += "\n";
    }
    if points
        .iter()
        .any(|p| p.metrics.iter().any(SweptMetric::is_absent))
    {
        text += "n/a: the tranche has size zero at that point.\n";
    }
    text
}

/// A metric's name for people.
fn label(metric: &SweptMetric) -> String {
    match metric.metric {
        Metric::ExpectedLoss => "expected loss".into(),
        Metric::ProbLoss => "P(loss)".into(),
        Metric::LossQuantile(q) => format!("loss quantile {}", format::percent_with(q, 1)),
        Metric::IrrQuantile(q) => format!("IRR quantile {}", format::percent_with(q, 0)),
        Metric::ImpliedRating => "implied rating".into(),
    }
}

/// The unit of a metric's cells, in brackets.
fn unit_note(metric: &SweptMetric) -> &'static str {
    match metric.metric {
        Metric::ExpectedLoss => "(of notional, \u{b1} one standard error)",
        Metric::ProbLoss => "(\u{b1} one standard error)",
        Metric::LossQuantile(_) => "(of notional)",
        Metric::IrrQuantile(_) => "(annual)",
        Metric::ImpliedRating => "(P(loss) at the WAL, \u{b1} one standard error)",
    }
}

/// One cell: the value (and SE) in the metric's unit; a rating with the
/// P(loss) it rests on; `n/a` for a tranche of size zero.
fn cell(metric: &SweptMetric) -> String {
    if metric.is_absent() {
        return format::UNDEFINED.into();
    }
    let evaluation = &metric.evaluation;
    let se = evaluation.se.unwrap_or(f64::NAN);
    match (&metric.rating, metric.metric) {
        (Some(rated), _) => format!(
            "{} ({})",
            rated.rating,
            format::with_se(evaluation.value, se, format::percent)
        ),
        (None, Metric::ExpectedLoss) => format::with_se(evaluation.value, se, format::bps),
        (None, _) => format::with_se(evaluation.value, se, format::percent),
    }
}

/// An axis value: a share or haircut in percent, a correlation or
/// multiplier as a number.
fn axis_value(axis: &Axis, value: f64) -> String {
    match axis.parameter {
        Parameter::TrancheShare(_) | Parameter::RecoveryHaircut => format::percent_with(value, 1),
        Parameter::Correlation(_) | Parameter::PdMultiplier => format!("{value}"),
    }
}

/// A table with a header row and a first column, every column as wide as
/// its widest cell.
fn grid_text(header: &[String], first: &[String], cells: &[Vec<String>]) -> String {
    let rows: Vec<Vec<&str>> = std::iter::once(header.iter().map(String::as_str).collect())
        .chain(first.iter().zip(cells).map(|(f, row)| {
            std::iter::once(f.as_str())
                .chain(row.iter().map(String::as_str))
                .collect()
        }))
        .collect();
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut text = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (s, w))| match c {
                0 => format!("  {s:<w$}"),
                _ => format!("{s:>w$}"),
            })
            .collect();
        text += line.join("  ").trim_end();
        text += "\n";
    }
    text
}
