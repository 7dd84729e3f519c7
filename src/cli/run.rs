//! `blendsim run`: resolve the arguments into a plan, simulate each
//! scenario on the same random streams, report.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use blendsim::aggregate::{
    Outcomes, RatingBasis, RatingBenchmark, TrancheSummary, committee_pack, summarise,
    summarise_coverage,
};
use blendsim::engine::{RunSettings, simulate_outcomes, trace_path, with_threads};
use blendsim::model::Model;
use blendsim::report::{
    InputRecord, Manifest, RunReport, ScenarioSummary, TraceFile, path_at_quantile, summary_json,
    summary_table, write_reports, write_scenario_reports, write_trace_file,
};
use blendsim::spec::{BASE, LoadOptions, LoadedFacility, ScenarioSpec, load_facility};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::args::{Format, RatingBasisArg, RunArgs, SimulationArgs};
use super::validate::print_breaches;
use super::{BadInput, emit};

/// Paths when neither the command line nor the facility file says.
const DEFAULT_PATHS: u64 = 10_000;
/// Seed when neither the command line nor the facility file says.
const DEFAULT_SEED: u64 = 0;

/// The run, resolved: nothing downstream sees raw arguments.
pub struct Plan {
    /// The facility.
    pub loaded: LoadedFacility,
    /// Scenarios asked for with --scenario (empty: the base case alone,
    /// written without a scenario column).
    pub scenarios: Vec<ScenarioSpec>,
    /// Paths and seed.
    pub settings: RunSettings,
    /// Worker threads.
    pub threads: usize,
    /// Output folder.
    pub out: PathBuf,
    /// Print nothing but errors.
    pub quiet: bool,
    /// How the summary is printed.
    pub format: Format,
    /// What implied ratings compare: the statistic and the facility's
    /// idealized table.
    pub rating: RatingBenchmark,
    /// Paths to trace step by step (--trace-path).
    pub trace_paths: Vec<u64>,
    /// Quantiles whose path to trace (--trace-quantile).
    pub trace_quantiles: Vec<f64>,
}

impl Plan {
    fn resolve(args: RunArgs) -> Result<Plan> {
        let loaded = load_facility(
            &args.facility,
            &LoadOptions {
                allow_breaches: args.allow_breaches,
            },
        )?;
        let (settings, threads) = resolve_settings(&args.simulation, &loaded)?;
        if let Some(n) = args.trace_paths.iter().find(|&&n| n >= settings.paths) {
            let message = format!(
                "--trace-path {n}: paths are numbered 0 to {}",
                settings.paths - 1
            );
            return Err(BadInput(message).into());
        }
        if let Some(q) = args
            .trace_quantiles
            .iter()
            .find(|q| !(**q > 0.0 && **q <= 1.0))
        {
            return Err(
                BadInput(format!("--trace-quantile {q}: expected a number in (0, 1]")).into(),
            );
        }
        let table = loaded.spec.implied_rating.clone();
        let rating = RatingBenchmark::new(table, rating_basis(args.rating_basis))
            .map_err(|e| BadInput(format!("--rating-basis expected-loss: {e}")))?;
        Ok(Plan {
            scenarios: select_scenarios(&args.scenario, &loaded.scenarios)?,
            settings,
            threads,
            out: args.output.folder(&args.facility),
            quiet: args.output.quiet,
            format: args.format,
            rating,
            trace_paths: args.trace_paths,
            trace_quantiles: args.trace_quantiles,
            loaded,
        })
    }
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
) -> Result<(RunSettings, usize)> {
    let SimulationArgs {
        paths,
        seed,
        threads,
    } = *args;
    let defaults = loaded.spec.simulation;
    let paths = paths.or(defaults.paths).unwrap_or(DEFAULT_PATHS);
    if paths == 0 {
        return Err(BadInput("--paths must be at least 1".into()).into());
    }
    if threads == Some(0) {
        return Err(BadInput("--threads must be at least 1".into()).into());
    }
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

/// What one scenario's run produced.
struct ScenarioRun {
    name: String,
    summary: Vec<TrancheSummary>,
    written: Vec<PathBuf>,
    /// The printed table (pack metrics included).
    table: String,
    /// The summary as JSON, for --format json.
    json: serde_json::Value,
}

/// Runs the facility (each scenario on the same random streams) and writes
/// the reports.
pub fn run(args: RunArgs) -> Result<()> {
    let plan = Plan::resolve(args)?;
    if !plan.quiet {
        print_breaches(&plan.loaded);
    }
    let (runs, combined) = execute(&plan)?;
    print_results(&plan, &runs, combined)
}

/// Runs every scenario of the plan (the base case alone, without a
/// scenario column, when none was asked for) and writes the reports;
/// returns each scenario's run and the combined files written.
fn execute(plan: &Plan) -> Result<(Vec<ScenarioRun>, Vec<PathBuf>)> {
    let started = Instant::now();
    if plan.scenarios.is_empty() {
        let run = run_scenario(plan, &ScenarioSpec::base(), &plan.out, started)?;
        return Ok((vec![run], Vec::new()));
    }
    let mut runs = Vec::new();
    for scenario in &plan.scenarios {
        let folder = plan.out.join(&scenario.name);
        runs.push(run_scenario(plan, scenario, &folder, started)?);
    }
    let combined = write_scenario_reports(&plan.out, &scenario_summaries(&runs))
        .with_context(|| format!("could not write the reports into {}", plan.out.display()))?;
    Ok((runs, combined))
}

fn scenario_summaries(runs: &[ScenarioRun]) -> Vec<ScenarioSummary> {
    runs.iter()
        .map(|run| ScenarioSummary {
            scenario: run.name.clone(),
            summary: run.summary.clone(),
        })
        .collect()
}

/// Runs a facility file with every one of its scenarios into `out`, quietly
/// (for `blendsim batch`); returns the scenarios' summaries.
pub fn run_all_scenarios(
    facility: &Path,
    simulation: &SimulationArgs,
    out: PathBuf,
) -> Result<(Vec<ScenarioSummary>, u32)> {
    let loaded = load_facility(
        facility,
        &LoadOptions {
            allow_breaches: false,
        },
    )?;
    let (settings, threads) = resolve_settings(simulation, &loaded)?;
    let scenarios = std::iter::once(ScenarioSpec::base())
        .chain(loaded.scenarios.iter().cloned())
        .collect();
    let digits = loaded.spec.currency.minor_digits;
    let rating = RatingBenchmark::default_probability(loaded.spec.implied_rating.clone());
    let plan = Plan {
        loaded,
        scenarios,
        settings,
        threads,
        out,
        quiet: true,
        format: Format::Table,
        rating,
        trace_paths: Vec::new(),
        trace_quantiles: Vec::new(),
    };
    let (runs, _) = execute(&plan)?;
    Ok((scenario_summaries(&runs), digits))
}

fn run_scenario(
    plan: &Plan,
    scenario: &ScenarioSpec,
    folder: &Path,
    started: Instant,
) -> Result<ScenarioRun> {
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let model = Model::compile_scenario(&plan.loaded.spec, scenario)?;
    let bar = progress_bar(plan.settings.paths, plan.quiet);
    let simulation_started = Instant::now();
    let outcomes = with_threads(Some(plan.threads), || {
        simulate_outcomes(&model, &plan.settings, &|done| bar.set_position(done))
    })
    .context("could not start the worker threads")?;
    let simulation_seconds = simulation_started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let summary = summarise(&model, &outcomes);
    let manifest = Manifest {
        tool: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
        facility: model.name.clone(),
        scenario: scenario.name.clone(),
        inputs: plan
            .loaded
            .inputs
            .iter()
            .map(|i| InputRecord {
                path: i.path.display().to_string(),
                sha256: i.sha256.clone(),
            })
            .collect(),
        seed: plan.settings.seed,
        paths: plan.settings.paths,
        threads: plan.threads,
        started_at,
        wall_time_seconds: started.elapsed().as_secs_f64(),
        simulation_seconds,
        paths_per_second: plan.settings.paths as f64 / simulation_seconds,
        accepted_breaches: plan.loaded.breaches.iter().map(|b| b.to_string()).collect(),
    };
    let pack = committee_pack(
        &model,
        &plan.loaded.spec.projects,
        &outcomes,
        &summary,
        &plan.rating,
    );
    let report = RunReport {
        model: &model,
        summary: &summary,
        manifest: &manifest,
        pack: &pack,
        cashflows: &outcomes.cashflows,
        coverage: &summarise_coverage(&model, &outcomes),
    };
    let mut written = write_reports(folder, &report)
        .with_context(|| format!("could not write the reports into {}", folder.display()))?;
    let (traces, notes) = write_traces(plan, &model, &outcomes, folder)
        .with_context(|| format!("could not write a trace into {}", folder.display()))?;
    written.extend(traces);
    let mut json = summary_json(&report);
    json["files"] = written.iter().map(|p| p.display().to_string()).collect();
    Ok(ScenarioRun {
        name: scenario.name.clone(),
        table: notes + &summary_table(&summary, &pack, &model.currency, plan.settings.paths),
        json,
        summary,
        written,
    })
}

fn print_results(plan: &Plan, runs: &[ScenarioRun], combined: Vec<PathBuf>) -> Result<()> {
    if plan.quiet {
        return Ok(());
    }
    if plan.format == Format::Json {
        let json = match runs {
            [run] if plan.scenarios.is_empty() => run.json.clone(),
            _ => {
                serde_json::json!({ "scenarios": runs.iter().map(|r| r.json.clone()).collect::<Vec<_>>() })
            }
        };
        return emit(&format!("{}\n", serde_json::to_string_pretty(&json)?));
    }
    let mut text = String::new();
    for run in runs {
        if !plan.scenarios.is_empty() {
            text += &format!("scenario {}\n", run.name);
        }
        text += &run.table;
        for path in &run.written {
            text += &format!("wrote {}\n", path.display());
        }
    }
    for path in combined {
        text += &format!("wrote {}\n", path.display());
    }
    emit(&text)
}

/// A progress bar on stderr; hidden when stderr is not a terminal or when
/// quiet.
fn progress_bar(paths: u64, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(paths), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} paths  {per_sec}  eta {eta}")
    {
        bar.set_style(style);
    }
    bar
}

/// Writes trace_path_N.csv for every path asked for (by number or by
/// quantile); returns the files and a line per quantile naming its path.
fn write_traces(
    plan: &Plan,
    model: &Model,
    outcomes: &Outcomes,
    folder: &Path,
) -> std::io::Result<(Vec<PathBuf>, String)> {
    let mut paths = plan.trace_paths.clone();
    let mut notes = String::new();
    for &q in &plan.trace_quantiles {
        let (path, basis) = path_at_quantile(model, outcomes, q);
        notes += &format!("trace-quantile {q} of the {basis}: path {path}\n");
        paths.push(path);
    }
    paths.sort_unstable();
    paths.dedup();
    let ids: Vec<String> = plan
        .loaded
        .spec
        .projects
        .iter()
        .map(|p| p.id.clone())
        .collect();
    let files = paths
        .into_iter()
        .map(|path| {
            let trace = trace_path(model, plan.settings.seed, path);
            write_trace_file(
                folder,
                &TraceFile {
                    model,
                    project_ids: &ids,
                    trace: &trace,
                },
            )
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    Ok((files, notes))
}
