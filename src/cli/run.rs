//! `blendsim run`: resolve the arguments into a plan, simulate, report.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use blendsim::aggregate::Outcomes;
use blendsim::aggregate::summarise;
use blendsim::engine::{RunSettings, simulate_outcomes, trace_path, with_threads};
use blendsim::model::Model;
use blendsim::report::{
    InputRecord, Manifest, RunReport, TraceFile, path_at_quantile, summary_table, write_reports,
    write_trace_file,
};
use blendsim::spec::{LoadOptions, LoadedFacility, load_facility};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::BadInput;
use super::args::RunArgs;
use super::validate::print_breaches;

/// Paths when neither the command line nor the facility file says.
const DEFAULT_PATHS: u64 = 10_000;
/// Seed when neither the command line nor the facility file says.
const DEFAULT_SEED: u64 = 0;

/// The run, resolved: nothing downstream sees raw arguments.
struct Plan {
    loaded: LoadedFacility,
    model: Model,
    settings: RunSettings,
    threads: usize,
    out: PathBuf,
    quiet: bool,
    trace_paths: Vec<u64>,
    trace_quantiles: Vec<f64>,
}

impl Plan {
    fn resolve(args: RunArgs) -> Result<Plan> {
        let loaded = load_facility(
            &args.facility,
            &LoadOptions {
                allow_breaches: args.allow_breaches,
            },
        )?;
        let model = Model::compile(&loaded.spec)?;
        let defaults = loaded.spec.simulation;
        let paths = args.paths.or(defaults.paths).unwrap_or(DEFAULT_PATHS);
        if paths == 0 {
            return Err(BadInput("--paths must be at least 1".into()).into());
        }
        if args.threads == Some(0) {
            return Err(BadInput("--threads must be at least 1".into()).into());
        }
        if let Some(n) = args.trace_paths.iter().find(|&&n| n >= paths) {
            let message = format!("--trace-path {n}: paths are numbered 0 to {}", paths - 1);
            return Err(BadInput(message).into());
        }
        if let Some(q) = args
            .trace_quantiles
            .iter()
            .find(|q| !(**q > 0.0 && **q <= 1.0))
        {
            let message = format!("--trace-quantile {q}: expected a number in (0, 1]");
            return Err(BadInput(message).into());
        }
        let stem = args
            .facility
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or("facility".into());
        Ok(Plan {
            settings: RunSettings {
                paths,
                seed: args.seed.or(defaults.seed).unwrap_or(DEFAULT_SEED),
            },
            threads: args.threads.unwrap_or_else(rayon::current_num_threads),
            out: args.out.unwrap_or_else(|| PathBuf::from("out").join(stem)),
            quiet: args.quiet,
            trace_paths: args.trace_paths,
            trace_quantiles: args.trace_quantiles,
            loaded,
            model,
        })
    }
}

/// Runs the facility and writes its reports.
pub fn run(args: RunArgs) -> Result<()> {
    let started = Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let plan = Plan::resolve(args)?;
    if !plan.quiet {
        print_breaches(&plan.loaded);
    }
    let bar = progress_bar(plan.settings.paths, plan.quiet);
    let simulation_started = Instant::now();
    let outcomes = with_threads(Some(plan.threads), || {
        simulate_outcomes(&plan.model, &plan.settings, &|done| bar.set_position(done))
    })
    .context("could not start the worker threads")?;
    let simulation_seconds = simulation_started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let summary = summarise(&plan.model, &outcomes);
    let manifest = Manifest {
        tool: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
        facility: plan.model.name.clone(),
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
    let report = RunReport {
        model: &plan.model,
        summary: &summary,
        manifest: &manifest,
        cashflows: &outcomes.cashflows,
    };
    let mut written = write_reports(&plan.out, &report)
        .with_context(|| format!("could not write the reports into {}", plan.out.display()))?;
    written.extend(
        write_traces(&plan, &outcomes)
            .with_context(|| format!("could not write a trace into {}", plan.out.display()))?,
    );
    if !plan.quiet {
        print!(
            "{}",
            summary_table(&summary, &plan.model.currency, plan.settings.paths)
        );
        for path in written {
            println!("wrote {}", path.display());
        }
    }
    Ok(())
}

/// Writes the requested traces: `--trace-path` paths, then the path at each
/// `--trace-quantile` (named on stdout unless quiet).
fn write_traces(plan: &Plan, outcomes: &Outcomes) -> std::io::Result<Vec<PathBuf>> {
    let mut paths = plan.trace_paths.clone();
    for &q in &plan.trace_quantiles {
        let (path, basis) = path_at_quantile(&plan.model, outcomes, q);
        if !plan.quiet {
            println!("trace-quantile {q} of the {basis}: path {path}");
        }
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
    paths
        .into_iter()
        .map(|path| {
            let trace = trace_path(&plan.model, plan.settings.seed, path);
            let file = TraceFile {
                model: &plan.model,
                project_ids: &ids,
                trace: &trace,
            };
            write_trace_file(&plan.out, &file)
        })
        .collect()
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
