//! `blendsim size`: solve for a tranche's size against a target.

use anyhow::{Context, Result};
use blendsim::engine::with_threads;
use blendsim::format;
use blendsim::limits::Work;
use blendsim::report::write_sizing_reports;
use blendsim::sizing::{
    MAX_GRID, Metric, SizingPoint, SizingRequest, SizingResult, Target, size as solve,
};
use blendsim::spec::{BASE, FacilitySpec, LoadOptions, load_facility};
use rust_decimal::Decimal;

use super::args::SizeArgs;
use super::flag_words::{Command, in_flag_words};
use super::run::{resolve_settings, select_scenarios};
use super::validate::print_warnings;
use super::{BadInput, begin_output, emit, out_error};

/// Solves the sizing request, writes sizing.csv and sizing.json, prints the
/// answer.
pub fn size(args: SizeArgs) -> Result<()> {
    let loaded = load_facility(
        &args.facility,
        &LoadOptions {
            allow_breaches: args.allow_breaches,
        },
    )?;
    super::refuse_importance(&loaded, &args.facility, "size")?;
    if !args.output.quiet {
        print_warnings(&loaded);
    }
    let scenarios = select_scenarios(&args.scenario, &loaded.scenarios)?;
    // The base case, and each scenario listed but the base case again.
    let work = Work::Sizing {
        scenarios: 1 + scenarios.iter().filter(|s| s.name != BASE).count(),
        // A larger grid is refused by the request's own check, which says
        // so in its words.
        candidates: args.grid.min(MAX_GRID),
    };
    let (settings, threads) = resolve_settings(&args.simulation, &loaded, work)?;
    let in_flag_words = |error| in_flag_words(error, Command::Size);
    let request = SizingRequest {
        target: args.target.parse::<Target>().map_err(in_flag_words)?,
        solve: args.solve,
        absorb: args.absorb,
        hold: args.hold,
        range: args.range.as_deref().map(parse_range).transpose()?,
        grid: args.grid,
    };
    let folder = args.output.folder(&args.facility, Some("size"));
    let staging = begin_output(&folder, true)?;
    let result = with_threads(Some(threads), || {
        solve(&loaded.spec, &scenarios, settings, &request)
    })
    .context("could not start the worker threads")?
    .map_err(in_flag_words)?;
    let currency = &loaded.spec.currency.code;
    let written = write_sizing_reports(staging.folder(), &result, currency).with_context(|| {
        format!(
            "could not write the sizing reports into {}",
            folder.display()
        )
    })?;
    let written: Vec<_> = written.iter().map(|p| staging.published_path(p)).collect();
    staging.publish().map_err(out_error)?;
    if args.output.quiet {
        return Ok(());
    }
    let guarantee = loaded
        .spec
        .guarantee
        .as_ref()
        .is_some_and(|g| g.name == result.request.solve);
    let mut text = describe(
        &result,
        &loaded.spec.currency.code,
        settings.paths,
        guarantee,
    );
    text += &unmoved_protection_note(&loaded.spec, &result);
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

/// A note when the target tranche is senior to both the solved and the
/// absorbing tranche: moving capital between two tranches below it leaves
/// its subordination unchanged, so its metric barely moves (a common slip:
/// `--solve first_loss` alone lets the mezzanine absorb).
fn unmoved_protection_note(spec: &FacilitySpec, result: &SizingResult) -> String {
    let request = &result.request;
    let position = |name: &str| spec.tranches.iter().position(|t| t.name == name);
    match (
        position(&request.target.tranche),
        position(&request.solve),
        position(&result.absorb),
    ) {
        (Some(target), Some(solve), Some(absorb)) if target < solve.min(absorb) => format!(
            "  note: {solve_name} and {absorb_name} are both junior to {target_name}, so moving capital between them \
             leaves {target_name}'s subordination unchanged; to size {target_name}'s protection let it absorb the \
             difference (--absorb {target_name})\n",
            solve_name = request.solve,
            absorb_name = result.absorb,
            target_name = request.target.tranche,
        ),
        _ => String::new(),
    }
}

/// The answer in words; `guarantee`: the request sizes the unfunded
/// guarantee's cap.
fn describe(result: &SizingResult, currency: &str, paths: u64, guarantee: bool) -> String {
    let request = &result.request;
    let metric = request.target.metric;
    // Expected losses in basis points, everything else in percent.
    let show = |x: f64| match metric {
        Metric::ExpectedLoss => format::bps(x),
        _ => format::percent_with(x, 4),
    };
    let money = |amount: Decimal| format::decimal_exact(amount, currency);
    let point = |p: &SizingPoint| {
        let se = p
            .evaluation
            .se
            .map_or(String::new(), |se| format!(" \u{b1} {}", show(se)));
        // An implied-rating gap, spelt out: P(loss) against the benchmark.
        let gap = match (&request.target.rating, p.benchmark) {
            (Some(rating), Some(pd)) => format!(
                "P(loss) {} less {rating}'s idealized default probability {} at the tranche's WAL; ",
                format::percent_with(p.evaluation.value + pd, 4),
                format::percent_with(pd, 4)
            ),
            _ => String::new(),
        };
        format!(
            "{} ({} of capital): {} = {}{se} ({gap}95% bound {}; worst in {})",
            money(p.amount),
            format::percent(p.share),
            metric.name(),
            show(p.evaluation.value),
            show(p.evaluation.bound),
            p.scenario
        )
    };
    let balance = match &request.hold {
        _ if guarantee => format!(
            "an unfunded guarantee: no tranche changes; total capital {}",
            money(result.total)
        ),
        Some(_) => format!(
            "every other tranche held, the total and the pool growing from {}",
            money(result.total)
        ),
        None => format!(
            "{} absorbs the difference; total {}",
            result.absorb,
            money(result.total)
        ),
    };
    let screened = match (result.screened, request.target.metric) {
        (0, _) => String::new(),
        (n, Metric::ImpliedRating) => format!(", {n} more screened on P(loss) alone"),
        (n, Metric::IrrQuantile(_)) => {
            format!(", {n} more screened on the paths that could move the quantile")
        }
        (n, _) => format!(", {n} more screened on the paths whose loss could change"),
    };
    let mut text = format!(
        "Sizing {} for {} ({balance}; {} paths, {} structures evaluated on the same paths{screened})\n",
        request.solve,
        request.target,
        format::count(paths),
        result.evaluations
    );
    text += &match &result.solution {
        Some(p) => format!("  smallest size meeting the target:        {}\n", point(p)),
        None => format!(
            "  the target is not met anywhere in the range {} to {} of capital\n",
            format::percent_with(result.range.0, 1),
            format::percent_with(result.range.1, 1)
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
