//! `blendsim size`: solve for a tranche's size against a target.

use anyhow::{Context, Result};
use blendsim::engine::with_threads;
use blendsim::report::write_sizing_reports;
use blendsim::sizing::{SizingPoint, SizingRequest, SizingResult, Target, size as solve};
use blendsim::spec::{LoadOptions, load_facility};

use super::args::SizeArgs;
use super::run::{resolve_settings, select_scenarios};
use super::validate::print_breaches;
use super::{BadInput, emit};

/// Solves the sizing request, writes sizing.csv and sizing.json, prints the
/// answer.
pub fn size(args: SizeArgs) -> Result<()> {
    let loaded = load_facility(
        &args.facility,
        &LoadOptions {
            allow_breaches: args.allow_breaches,
        },
    )?;
    if !args.output.quiet {
        print_breaches(&loaded);
    }
    let (settings, threads) = resolve_settings(&args.simulation, &loaded)?;
    let scenarios = select_scenarios(&args.scenario, &loaded.scenarios)?;
    let request = SizingRequest {
        target: args.target.parse::<Target>()?,
        solve: args.solve,
        absorb: args.absorb,
        hold: args.hold,
        range: parse_range(&args.range)?,
        grid: args.grid,
    };
    let result = with_threads(Some(threads), || {
        solve(&loaded.spec, &scenarios, settings, &request)
    })
    .context("could not start the worker threads")??;
    let folder = args.output.folder(&args.facility);
    let written = write_sizing_reports(&folder, &result).with_context(|| {
        format!(
            "could not write the sizing reports into {}",
            folder.display()
        )
    })?;
    if args.output.quiet {
        return Ok(());
    }
    let mut text = describe(&result, &loaded.spec.currency.code, settings.paths);
    for path in written {
        text += &format!("wrote {}\n", path.display());
    }
    emit(&text)
}

fn parse_range(text: &str) -> Result<(f64, f64)> {
    let parsed = text
        .split_once(':')
        .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)));
    parsed
        .ok_or_else(|| BadInput(format!("--range {text}: expected LOW:HIGH, e.g. 0.0:0.4")).into())
}

fn describe(result: &SizingResult, currency: &str, paths: u64) -> String {
    let request = &result.request;
    let point = |p: &SizingPoint| {
        let se = p
            .evaluation
            .se
            .map_or(String::new(), |se| format!(" +- {se:.6}"));
        format!(
            "{currency} {} ({:.2}% of capital): {} = {:.6}{se} (95% bound {:.6}; worst in {})",
            p.amount,
            100.0 * p.share,
            request.target.metric.name(),
            p.evaluation.value,
            p.evaluation.bound,
            p.scenario
        )
    };
    let mut text = format!(
        "Sizing {} for {} ({} absorbs the difference; total {currency} {}; {paths} paths, {} structures evaluated on the same paths)\n",
        request.solve, request.target, result.absorb, result.total, result.evaluations
    );
    text += &match &result.solution {
        Some(p) => format!("  smallest size meeting the target:        {}\n", point(p)),
        None => format!(
            "  the target is not met anywhere in the range {}:{}\n",
            request.range.0, request.range.1
        ),
    };
    if let Some(p) = &result.confident {
        text += &format!("  smallest size meeting it with 95% conf.: {}\n", point(p));
    }
    if !result.monotone {
        text +=
            "  note: the metric crosses the target more than once over the range; see sizing.csv\n";
    }
    text
}
