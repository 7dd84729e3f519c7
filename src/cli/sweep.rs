//! `blendsim sweep`: tranche metrics over a grid of one or two parameters.

use anyhow::{Context, Result};
use blendsim::engine::with_threads;
use blendsim::report::write_sweep_csv;
use blendsim::sizing::{Axis, SweepPoint, parse_tranche_metric, sweep as run_sweep};
use blendsim::spec::{LoadOptions, load_facility};

use super::args::SweepArgs;
use super::run::resolve_settings;
use super::{BadInput, emit};

/// Runs the sweep, writes sweep.csv and prints the first metric as a table.
pub fn sweep(args: SweepArgs) -> Result<()> {
    let loaded = load_facility(
        &args.facility,
        &LoadOptions {
            allow_breaches: false,
        },
    )?;
    let (settings, threads) = resolve_settings(&args.simulation, &loaded)?;
    let axes = args
        .vary
        .iter()
        .map(|a| a.parse::<Axis>())
        .collect::<Result<Vec<_>, _>>()?;
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
    let points = with_threads(Some(threads), || {
        run_sweep(
            &loaded.spec,
            &axes,
            args.absorb.as_deref(),
            &metrics,
            settings,
        )
    })
    .context("could not start the worker threads")??;
    let path = args.output.folder(&args.facility).join("sweep.csv");
    write_sweep_csv(&path, &axes, &points)
        .with_context(|| format!("could not write {}", path.display()))?;
    if args.output.quiet {
        return Ok(());
    }
    emit(&format!(
        "{}wrote {}\n",
        table(&axes, &points),
        path.display()
    ))
}

/// The first metric: a column per value of the second axis (if any), a row
/// per value of the first.
fn table(axes: &[Axis], points: &[SweepPoint]) -> String {
    let Some(first) = points.first().and_then(|p| p.metrics.first()) else {
        return String::new();
    };
    let mut text = format!(
        "{}.{} by {}\n",
        first.tranche,
        first.name(),
        axes.iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join(" x ")
    );
    let columns = axes.get(1).map_or(1, |a| a.values.len());
    if let Some(second) = axes.get(1) {
        text += &format!("{:>12}", "");
        for v in &second.values {
            text += &format!(" {v:>12}");
        }
        text += "\n";
    }
    for row in points.chunks(columns) {
        text += &format!("{:>12}", row[0].values[0]);
        for point in row {
            let metric = &point.metrics[0];
            text += &match &metric.rating {
                Some(rated) => format!(" {:>12}", rated.rating),
                None => format!(" {:>12.6}", metric.evaluation.value),
            };
        }
        text += "\n";
    }
    text
}
