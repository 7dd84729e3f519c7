//! `blendsim run`: resolve the arguments into a request for the library's
//! run pipeline, show its progress, print what it produced, and say which
//! argument was at fault when it refuses one.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Result;
use blendsim::aggregate::{RatingBasis, RatingBenchmark};
use blendsim::engine::RunSettings;
use blendsim::format;
use blendsim::limits::{self, LimitError, Work};
use blendsim::model::Model;
use blendsim::pipeline::{
    self, Progress, RunError, RunOutcome, RunRequest, ScenarioRun, TraceRequest,
};
use blendsim::precision::{Precision, PrecisionTarget};
use blendsim::report::{summary_table, tornado_cost};
use blendsim::spec::{BASE, LoadOptions, LoadedFacility, Sampling, ScenarioSpec, load_facility};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use super::args::{Format, RatingBasisArg, RunArgs, SamplingArg, SimulationArgs};
use super::validate::print_warnings;
use super::{BadInput, emit};

/// Paths when neither the command line nor the facility file says.
const DEFAULT_PATHS: u64 = 10_000;
/// Seed when neither the command line nor the facility file says.
const DEFAULT_SEED: u64 = 0;

/// The run, resolved: the library's request and how to print its outcome.
pub(super) struct Plan {
    /// What the pipeline runs.
    pub(super) request: RunRequest,
    /// Print nothing but errors.
    pub(super) quiet: bool,
    /// How the summary is printed.
    pub(super) format: Format,
}

impl Plan {
    pub(super) fn resolve(args: RunArgs) -> Result<Plan> {
        let loaded = load_facility(
            &args.facility,
            &LoadOptions {
                allow_breaches: args.allow_breaches,
            },
        )?;
        let precision = precision_targets(&args)?;
        let simulation = SimulationArgs {
            paths: if precision.is_empty() {
                args.simulation.paths
            } else {
                Some(args.max_paths.unwrap_or(DEFAULT_MAX_PATHS))
            },
            ..args.simulation
        };
        let (settings, threads) = resolve_settings(&simulation, &loaded, Work::Run)
            .map_err(|e| max_paths_error(e, !precision.is_empty()))?;
        let table = loaded.spec.implied_rating.clone();
        let rating = RatingBenchmark::new(table, rating_basis(args.rating_basis))
            .map_err(|e| BadInput(format!("--rating-basis expected-loss: {e}")))?;
        let chosen = sampling(&args, &loaded);
        let request = RunRequest {
            scenarios: select_scenarios(&args.scenario, &loaded.scenarios)?,
            settings,
            threads,
            // A shard's part goes beside the pack, not into it.
            out: (args.output).folder(&args.facility, args.shard.as_ref().map(|_| "parts")),
            rating,
            traces: TraceRequest {
                paths: args.trace_paths,
                quantiles: args.trace_quantiles,
            },
            tornado_paths: args.tornado_paths,
            block_paths: args.block_paths,
            precision,
            sampling: chosen,
            loaded,
        };
        Ok(Plan {
            request,
            quiet: args.output.quiet,
            format: args.format,
        })
    }
}

/// The most paths a run with precision targets runs unless --max-paths
/// says otherwise.
const DEFAULT_MAX_PATHS: u64 = 1_000_000;

/// --target-se and --target-rse, checked with the flags they go with.
fn precision_targets(args: &RunArgs) -> Result<Vec<PrecisionTarget>> {
    let given = [
        ("--target-se", Precision::Absolute, &args.target_se),
        ("--target-rse", Precision::Relative, &args.target_rse),
    ];
    let mut targets = Vec::new();
    for (flag, precision, texts) in given {
        for text in texts {
            let target = PrecisionTarget::parse(text, precision)
                .map_err(|why| BadInput(format!("{flag} {text}: {why}")))?;
            targets.push(target);
        }
    }
    if args.block_paths == 0 {
        return Err(BadInput("--block-paths must be at least 1".into()).into());
    }
    match (targets.is_empty(), args.simulation.paths, args.max_paths) {
        (true, _, Some(_)) => Err(BadInput(
            "--max-paths caps a run with --target-se or --target-rse; without them, use --paths"
                .into(),
        )
        .into()),
        (false, Some(_), _) => Err(BadInput(
            "--paths fixes the number of paths; with --target-se or --target-rse, cap them with \
             --max-paths"
                .into(),
        )
        .into()),
        _ => Ok(targets),
    }
}

/// With precision targets the cap on paths came from --max-paths: say so.
fn max_paths_error(error: anyhow::Error, targets: bool) -> anyhow::Error {
    match error.downcast::<BadInput>() {
        Ok(BadInput(message)) if targets => {
            BadInput(message.replacen("--paths", "--max-paths", 1)).into()
        }
        Ok(bad) => bad.into(),
        Err(other) => other,
    }
}

/// The sampling asked for: the command line, else the facility file.
fn sampling(args: &RunArgs, loaded: &LoadedFacility) -> (Sampling, Option<String>) {
    let defaults = &loaded.spec.simulation;
    let sampling = match args.sampling {
        Some(SamplingArg::Plain) => Sampling::Plain,
        Some(SamplingArg::Importance) => Sampling::Importance,
        None => defaults.sampling.unwrap_or_default(),
    };
    let tranche = (args.importance_tranche.clone()).or_else(|| defaults.importance_tranche.clone());
    (sampling, tranche)
}

fn rating_basis(arg: RatingBasisArg) -> RatingBasis {
    match arg {
        RatingBasisArg::DefaultProbability => RatingBasis::DefaultProbability,
        RatingBasisArg::ExpectedLoss => RatingBasis::ExpectedLoss,
    }
}

/// Paths and seed (command line, else the facility file, else defaults) and
/// the thread count (default: all cores).
pub fn resolve_settings(
    args: &SimulationArgs,
    loaded: &LoadedFacility,
    work: Work,
) -> Result<(RunSettings, usize)> {
    let SimulationArgs {
        paths,
        seed,
        threads,
    } = *args;
    let defaults = &loaded.spec.simulation;
    let paths = paths.or(defaults.paths).unwrap_or(DEFAULT_PATHS);
    if paths == 0 {
        return Err(BadInput("--paths must be at least 1".into()).into());
    }
    limits::check_paths(paths).map_err(|e| limit_error(e, work))?;
    if threads == Some(0) {
        return Err(BadInput("--threads must be at least 1".into()).into());
    }
    if let Some(threads) = threads {
        limits::check_threads(threads).map_err(|e| limit_error(e, work))?;
    }
    // Before any work, with what the command keeps per path (the pipeline
    // checks each scenario's own model again).
    let model = Model::compile(&loaded.spec)?;
    limits::check_work_memory(&model, work, paths, limits::available_memory())
        .map_err(|e| limit_error(e, work))?;
    let seed = seed.or(defaults.seed).unwrap_or(DEFAULT_SEED);
    Ok((
        RunSettings { paths, seed },
        threads.unwrap_or_else(rayon::current_num_threads),
    ))
}

/// The scenarios named on the command line (`all`: the base case and every
/// scenario of the facility), in the order given, each once.
pub fn select_scenarios(names: &[String], available: &[ScenarioSpec]) -> Result<Vec<ScenarioSpec>> {
    let mut selected: Vec<ScenarioSpec> = Vec::new();
    for name in names {
        let found: Vec<ScenarioSpec> = match name.as_str() {
            "all" => std::iter::once(ScenarioSpec::base())
                .chain(available.iter().cloned())
                .collect(),
            BASE => vec![ScenarioSpec::base()],
            _ => match available.iter().find(|s| &s.name == name) {
                Some(s) => vec![s.clone()],
                None => {
                    let mut known: Vec<&str> = vec![BASE];
                    known.extend(available.iter().map(|s| s.name.as_str()));
                    return Err(BadInput(format!(
                        "--scenario {name}: no such scenario; the facility has {} (or `all`)",
                        known.join(", ")
                    ))
                    .into());
                }
            },
        };
        for s in found {
            if !selected.iter().any(|t| t.name == s.name) {
                selected.push(s);
            }
        }
    }
    Ok(selected)
}

/// Runs the facility (each scenario on the same random streams) and writes
/// the reports.
pub fn run(args: RunArgs) -> Result<()> {
    if let Some(shard) = args.shard.clone() {
        return super::shard::run_shard(args, &shard);
    }
    let plan = Plan::resolve(args)?;
    if !plan.quiet {
        print_warnings(&plan.request.loaded);
    }
    let bar = Bar::new(plan.quiet);
    let outcome = pipeline::run(&plan.request, &bar).map_err(flag_error)?;
    print_results(&plan, &outcome)
}

/// The pipeline's refusal of an argument, said with the flag's name.
pub(super) fn flag_error(error: RunError) -> anyhow::Error {
    match error {
        RunError::TracePath { path, paths } => BadInput(format!(
            "--trace-path {path}: paths are numbered 0 to {}",
            paths - 1
        ))
        .into(),
        RunError::TraceQuantile(q) => {
            BadInput(format!("--trace-quantile {q}: expected a number in (0, 1]")).into()
        }
        RunError::Limit(limit) => limit_error(limit, Work::Run).into(),
        RunError::Publish(publish) => super::out_error(publish),
        RunError::Precision(unknown) => {
            BadInput(format!("--target-se/--target-rse: {unknown}")).into()
        }
        other => other.into(),
    }
}

/// A resource limit, said with the flag that sets it, and for memory what
/// would fit: fewer paths, and the command's other ways to need less.
fn limit_error(limit: LimitError, work: Work) -> BadInput {
    let instead = match work {
        Work::Run => "run fewer paths, or split them over runs with different --seed",
        Work::Sizing { .. } => "size on fewer paths, with fewer --grid points or fewer scenarios",
        Work::Sweep { .. } => "sweep on fewer paths (or sweep the axes in parts)",
    };
    match limit {
        LimitError::Paths { paths } => BadInput(format!("--paths {paths}: {limit}")),
        LimitError::Threads { threads, .. } => BadInput(format!("--threads {threads}: {limit}")),
        LimitError::Memory { paths, .. } => {
            BadInput(format!("--paths {paths}: {limit}; {instead}"))
        }
    }
}

/// Runs a facility file with every one of its scenarios into `out`, quietly
/// (for `blendsim batch`).
pub fn run_all_scenarios(
    facility: &std::path::Path,
    simulation: &SimulationArgs,
    out: PathBuf,
) -> Result<RunOutcome> {
    let loaded = load_facility(
        facility,
        &LoadOptions {
            allow_breaches: false,
        },
    )?;
    let (settings, threads) = resolve_settings(simulation, &loaded, Work::Run)?;
    let request = RunRequest::every_scenario(loaded, settings, threads, out);
    Ok(pipeline::run(&request, &pipeline::Silent)?)
}

pub(super) fn print_results(plan: &Plan, outcome: &RunOutcome) -> Result<()> {
    if plan.quiet {
        return Ok(());
    }
    let several = !plan.request.scenarios.is_empty();
    if plan.format == Format::Json {
        let json = match &outcome.runs[..] {
            [run] if !several => run.json.clone(),
            runs => {
                serde_json::json!({ "scenarios": runs.iter().map(|r| r.json.clone()).collect::<Vec<_>>() })
            }
        };
        return emit(&format!("{}\n", serde_json::to_string_pretty(&json)?));
    }
    let mut text: String = outcome.runs.iter().map(precision_text).collect();
    text += &match &outcome.runs[..] {
        [run] if !several => single_run_text(run, &plan.request.out),
        runs => scenarios_text(runs, outcome, &plan.request.out),
    };
    emit(&text)
}

/// Where a run with precision targets stopped, and each target's standing.
fn precision_text(run: &ScenarioRun) -> String {
    let Some(precision) = &run.precision else {
        return String::new();
    };
    let mut text = if precision.met {
        format!(
            "{}: every precision target met after {} paths\n",
            run.scenario,
            format::count(precision.paths)
        )
    } else {
        format!(
            "warning: {}: precision targets not all met at the cap of {} paths (--max-paths)\n",
            run.scenario,
            format::count(precision.paths)
        )
    };
    for reading in &precision.readings {
        text += &format!(
            "  {}: estimate {}, SE {} ({})\n",
            reading.target,
            format::percent_with(reading.estimate, 4),
            format::percent_with(reading.se, 4),
            if reading.met { "met" } else { "not met" }
        );
    }
    text
}

/// One run: the traced paths, the summary table, where the files went.
fn single_run_text(run: &ScenarioRun, out: &Path) -> String {
    let mut text = traced_text(run);
    text += &summary_table(&run.summary, &run.pack, &run.currency, run.paths);
    let names: Vec<String> = run
        .written
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let memo = "Open report.html for the committee memo; docs/outputs.md";
    text += &format!(
        "Wrote into {}: {}.\n{memo} describes every column.\n",
        out.display(),
        names.join(", ")
    );
    text
}

fn traced_text(run: &ScenarioRun) -> String {
    run.traced
        .iter()
        .map(|t| {
            format!(
                "trace-quantile {} of the {}: path {}\n",
                t.quantile, t.basis, t.path
            )
        })
        .collect()
}

/// Several scenarios: each tranche's expected loss side by side, then
/// where the files went (the full tables are in the files).
fn scenarios_text(runs: &[ScenarioRun], outcome: &RunOutcome, out: &Path) -> String {
    let mut text: String = runs.iter().map(traced_text).collect();
    text += &expected_loss_table(runs);
    let files: usize = runs.iter().map(|r| r.written.len()).sum::<usize>() + outcome.combined.len();
    let fewest = runs.iter().map(|r| r.paths).min().unwrap_or(0);
    let most = runs.iter().map(|r| r.paths).max().unwrap_or(0);
    let paths = if fewest == most {
        format!("{} paths each", format::count(most))
    } else {
        format!("{} to {} paths", format::count(fewest), format::count(most))
    };
    text += &format!(
        "{} scenarios, {paths} on the same random numbers. Wrote {files} files into {}.\n\
         report.html compares the scenarios; comparison.csv has the figures; each scenario's \
         own pack is in its folder.\n",
        runs.len(),
        out.display()
    );
    // The first scenario's tornado (the only one).
    if let Some(tornado) = runs.first().and_then(|r| r.pack.tornado.as_ref()) {
        text += &tornado_cost(tornado);
    }
    text
}

/// Columns the scenario table fits in: a terminal's usual width.
const TABLE_WIDTH: usize = 120;

/// Each tranche's expected loss in each scenario, a row per scenario and a
/// column per tranche, in blocks of tranches that fit [`TABLE_WIDTH`]
/// columns: a column per scenario made a line of 220 columns with the
/// flagship's seven.
fn expected_loss_table(runs: &[ScenarioRun]) -> String {
    const CORNER: &str = "EL (bp, +-SE)";
    let cell = |run: &ScenarioRun, t: usize| {
        run.summary.get(t).map_or_else(String::new, |r| {
            format!(
                "{} +-{}",
                format::grouped(1e4 * r.expected_loss, 2),
                format::grouped(1e4 * r.expected_loss_se, 2)
            )
        })
    };
    let first = (runs.iter().map(|r| r.scenario.len()))
        .chain([CORNER.len()])
        .max()
        .unwrap_or(0);
    let tranches = runs.first().map_or(&[][..], |r| &r.summary[..]);
    let columns: Vec<(String, usize)> = (tranches.iter().enumerate())
        .map(|(t, tranche)| {
            let name: String = tranche.tranche.chars().take(16).collect();
            let width = (runs.iter().map(|r| cell(r, t).len()))
                .chain([name.len()])
                .max()
                .unwrap_or(0);
            (name, width)
        })
        .collect();
    let mut text = String::new();
    let mut start = 0;
    while start < columns.len() {
        // At least one tranche a block, however narrow the terminal.
        let mut end = start + 1;
        let mut used = first + 1 + columns[start].1;
        while end < columns.len() && used + 1 + columns[end].1 <= TABLE_WIDTH {
            used += 1 + columns[end].1;
            end += 1;
        }
        text += &format!("{CORNER:<first$}");
        for (name, width) in &columns[start..end] {
            text += &format!(" {name:>width$}");
        }
        text += "\n";
        for run in runs {
            text += &format!("{:<first$}", run.scenario);
            for (t, (_, width)) in columns.iter().enumerate().take(end).skip(start) {
                text += &format!(" {:>width$}", cell(run, t));
            }
            text += "\n";
        }
        start = end;
    }
    text
}

/// A progress bar on stderr, one per scenario; hidden when stderr is not a
/// terminal or when quiet.
pub(super) struct Bar {
    quiet: bool,
    current: Mutex<Option<ProgressBar>>,
}

impl Bar {
    pub(super) fn new(quiet: bool) -> Self {
        Bar {
            quiet,
            current: Mutex::new(None),
        }
    }

    fn with_current(&self, f: impl FnOnce(&ProgressBar)) {
        if let Ok(current) = self.current.lock()
            && let Some(bar) = current.as_ref()
        {
            f(bar);
        }
    }
}

impl Progress for Bar {
    fn start(&self, scenario: &str, paths: u64) {
        let bar = if self.quiet {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::with_draw_target(Some(paths), ProgressDrawTarget::stderr());
            // Named: the base case, a scenario, or the tornado's shifted
            // runs ("sensitivities"), each a bar of its own.
            bar.set_prefix(scenario.to_owned());
            let template = "{prefix} {bar:40} {human_pos}/{human_len} paths  {rate}  eta {eta}";
            if let Ok(style) = ProgressStyle::with_template(template) {
                // Paths per second to three significant figures, not
                // indicatif's four decimals.
                let rate = |state: &ProgressState, out: &mut dyn std::fmt::Write| {
                    let _ = out.write_str(&format::per_second(state.per_sec()));
                };
                bar.set_style(style.with_key("rate", rate));
            }
            bar
        };
        if let Ok(mut current) = self.current.lock() {
            *current = Some(bar);
        }
    }

    fn advance(&self, done: u64) {
        self.with_current(|bar| bar.set_position(done));
    }

    fn resize(&self, paths: u64) {
        self.with_current(|bar| bar.set_length(paths));
    }

    fn finish(&self) {
        self.with_current(ProgressBar::finish_and_clear);
    }
}
