//! The run pipeline, end to end: for each scenario of a loaded facility,
//! compile the model, simulate it on the same random streams, aggregate,
//! write the committee pack and any traces; with several scenarios, also
//! the files that put them side by side. `blendsim run`, `blendsim batch`,
//! the benches and the tests all run it through [`run`]; the command line
//! only builds the [`RunRequest`], shows [`Progress`] and prints the
//! [`RunOutcome`].

mod importance;
mod sharded;
mod tornado;

use std::borrow::Cow;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::aggregate::{
    CommitteePack, CoverageSummary, Outcomes, RatingBenchmark, TrancheSummary, committee_pack,
    convergence, nexus_impact, summarise, summarise_coverage,
};
use crate::engine::{RunSettings, simulate_outcomes, trace_path, with_threads};
use crate::model::{Model, ModelError};
use crate::precision::{
    PrecisionOutcome, PrecisionTarget, UnknownTranche, resolve, simulate_to_precision,
};
use crate::publish::{PublishError, Staging};
use crate::report::{
    InputRecord, Manifest, RunReport, ScenarioColumn, ScenarioPage, ScenarioSummary, TraceFile,
    path_at_quantile, summary_json, write_reports, write_scenario_reports, write_scenarios_page,
    write_trace_file, write_workbook,
};
use crate::shard::ShardError;
use crate::spec::{Currency, LoadedFacility, Sampling, ScenarioSpec};

pub use importance::{NOT_WEIGHTED, Unsupported};
pub use sharded::{identity_of, merge, request_of, run_shard};
pub use tornado::{SHIFTS, Shift, default_tornado_paths, shifted_mean};

pub use crate::aggregate::DEFAULT_TORNADO_PATHS;

/// Unless the request says, the tornado's shifted runs together have at
/// most this share of the run's paths (one over the divisor: a quarter),
/// so they cost at most about a quarter of the run (docs/performance.md).
pub const TORNADO_SHARE_DIVISOR: u64 = 4;

/// What to run and where to write it.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// The facility, loaded and validated.
    pub loaded: LoadedFacility,
    /// The scenarios to run, in order, each into `out/<scenario>/` with the
    /// combined files in `out`; empty: the base case alone, into `out`.
    pub scenarios: Vec<ScenarioSpec>,
    /// Paths and seed.
    pub settings: RunSettings,
    /// Worker threads (results do not depend on it).
    pub threads: usize,
    /// Output folder: replaced as a whole by the new pack once it is
    /// complete (see [`crate::publish`]).
    pub out: PathBuf,
    /// What implied ratings compare: the statistic and the idealized table.
    pub rating: RatingBenchmark,
    /// Paths to walk through step by step.
    pub traces: TraceRequest,
    /// Paths of each of the tornado's shifted runs (the first scenario's
    /// first paths; at most the run's); 0: no tornado; `None`: a share of
    /// the run's paths ([`default_tornado_paths`]).
    pub tornado_paths: Option<u64>,
    /// Paths per block of convergence.csv and, with precision targets,
    /// between checks of the targets.
    pub block_paths: u64,
    /// Precision targets: when given, each scenario runs in blocks until
    /// every target is met, `settings.paths` being the most paths to run.
    pub precision: Vec<PrecisionTarget>,
    /// How paths are sampled, and for importance sampling the tranche the
    /// shift aims at (the most senior when `None`).
    pub sampling: (Sampling, Option<String>),
}

/// Paths per block of convergence.csv unless asked otherwise.
pub const DEFAULT_BLOCK_PATHS: u64 = 10_000;

/// Which paths to trace: by number, and by quantile of the loss that
/// matters most to a committee (see [`path_at_quantile`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TraceRequest {
    /// Path numbers, 0 to paths - 1.
    pub paths: Vec<u64>,
    /// Quantiles in (0, 1].
    pub quantiles: Vec<f64>,
}

impl RunRequest {
    /// The base case alone, into `out`, implied ratings on the
    /// default-probability basis against the facility's table, no traces,
    /// the tornado on its default share of the run's paths.
    pub fn new(
        loaded: LoadedFacility,
        settings: RunSettings,
        threads: usize,
        out: PathBuf,
    ) -> Self {
        let rating = RatingBenchmark::default_probability(loaded.spec.implied_rating.clone());
        RunRequest {
            scenarios: Vec::new(),
            settings,
            threads,
            out,
            rating,
            traces: TraceRequest::default(),
            tornado_paths: None,
            block_paths: DEFAULT_BLOCK_PATHS,
            precision: Vec::new(),
            sampling: (
                loaded.spec.simulation.sampling.unwrap_or_default(),
                loaded.spec.simulation.importance_tranche.clone(),
            ),
            loaded,
        }
    }

    /// The base case and every scenario of the facility, otherwise as
    /// [`RunRequest::new`] (what `blendsim batch` runs for each facility).
    pub fn every_scenario(
        loaded: LoadedFacility,
        settings: RunSettings,
        threads: usize,
        out: PathBuf,
    ) -> Self {
        let scenarios = std::iter::once(ScenarioSpec::base())
            .chain(loaded.scenarios.iter().cloned())
            .collect();
        RunRequest {
            scenarios,
            ..RunRequest::new(loaded, settings, threads, out)
        }
    }
}

/// Why a run could not be completed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A scenario's model could not be compiled from the inputs.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A path to trace is not one of the run's paths.
    #[error("path {path} cannot be traced: paths are numbered 0 to {last}", last = paths - 1)]
    TracePath {
        /// The path asked for.
        path: u64,
        /// The run's number of paths.
        paths: u64,
    },
    /// The run would exceed a resource limit (paths, threads, or the memory
    /// its outcomes need).
    #[error(transparent)]
    Limit(#[from] crate::limits::LimitError),
    /// A precision target names a tranche the facility lacks.
    #[error(transparent)]
    Precision(#[from] UnknownTranche),
    /// A quantile to trace is outside (0, 1].
    #[error("quantile {0} cannot be traced: expected a number in (0, 1]")]
    TraceQuantile(f64),
    /// The pack could not be published into the output folder (it names a
    /// file or a folder of other files, another run is writing into it, or
    /// the file system refused).
    #[error(transparent)]
    Publish(#[from] PublishError),
    /// A shard's part could not be written, or parts could not be merged.
    #[error(transparent)]
    Shard(#[from] ShardError),
    /// The worker threads could not be started.
    #[error("could not start the worker threads")]
    Threads(#[source] rayon::ThreadPoolBuildError),
    /// An output file could not be written.
    #[error("could not write the reports into {}", folder.display())]
    Reports {
        /// The output folder.
        folder: PathBuf,
        /// What went wrong.
        #[source]
        source: io::Error,
    },
    /// Importance sampling asked for with something it does not weight yet.
    #[error(transparent)]
    Importance(#[from] importance::Unsupported),
    /// The tranche importance sampling should aim at does not exist.
    #[error(transparent)]
    ImportanceTranche(crate::importance::ImportanceError),
    /// A trace file could not be written.
    #[error("could not write a trace into {}", folder.display())]
    Trace {
        /// The output folder.
        folder: PathBuf,
        /// What went wrong.
        #[source]
        source: io::Error,
    },
}

impl RunError {
    /// Whether the inputs or the request were at fault (rather than the
    /// machine: threads, files).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            RunError::Model(_)
                | RunError::Limit(_)
                | RunError::TracePath { .. }
                | RunError::TraceQuantile(_)
                | RunError::Precision(_)
                | RunError::Importance(_)
                | RunError::ImportanceTranche(_)
        ) || matches!(self, RunError::Publish(e) if e.is_bad_input())
            || matches!(self, RunError::Shard(e) if e.is_bad_input())
    }
}

/// Told how a run is going (the command line draws a progress bar). Every
/// method defaults to doing nothing; `advance` is called from the worker
/// threads.
pub trait Progress: Sync {
    /// A scenario's simulation of `paths` paths starts.
    fn start(&self, _scenario: &str, _paths: u64) {}
    /// `done` paths of the current scenario are simulated.
    fn advance(&self, _done: u64) {}
    /// A run with precision targets now expects to need `paths` paths in
    /// all (it started expecting its cap).
    fn resize(&self, _paths: u64) {}
    /// The current scenario's simulation is over.
    fn finish(&self) {}
}

/// Progress that nobody watches.
pub struct Silent;

impl Progress for Silent {}

/// A path traced because it sits at a quantile.
#[derive(Debug, Clone, PartialEq)]
pub struct TracedQuantile {
    /// The quantile asked for.
    pub quantile: f64,
    /// The path at that quantile.
    pub path: u64,
    /// The loss whose quantile it is (e.g. `first-loss tranche loss`).
    pub basis: &'static str,
}

/// What one scenario's run produced.
#[derive(Debug, Clone)]
pub struct ScenarioRun {
    /// Scenario name (`base` for the base case).
    pub scenario: String,
    /// The facility's currency.
    pub currency: Currency,
    /// One row per tranche (summary.csv).
    pub summary: Vec<TrancheSummary>,
    /// The committee pack's statistics.
    pub pack: CommitteePack,
    /// The summary as JSON, with the files written under `files`.
    pub json: serde_json::Value,
    /// Files written, in order.
    pub written: Vec<PathBuf>,
    /// Paths traced by quantile, in the order asked.
    pub traced: Vec<TracedQuantile>,
    /// Paths simulated.
    pub paths: u64,
    /// With precision targets, where the run stopped and why.
    pub precision: Option<PrecisionOutcome>,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// One run per scenario, in the order asked (the base case alone when
    /// no scenario was asked for).
    pub runs: Vec<ScenarioRun>,
    /// The combined files (several scenarios only).
    pub combined: Vec<PathBuf>,
}

impl RunOutcome {
    /// Each scenario's tranche summaries.
    pub fn scenario_summaries(&self) -> Vec<ScenarioSummary> {
        self.runs
            .iter()
            .map(|run| ScenarioSummary {
                scenario: run.scenario.clone(),
                summary: run.summary.clone(),
            })
            .collect()
    }
}

/// Runs every scenario of the request (the base case alone, without a
/// scenario column, when none was asked for) and writes the reports.
pub fn run(request: &RunRequest, progress: &dyn Progress) -> Result<RunOutcome, RunError> {
    crate::limits::check_paths(request.settings.paths)?;
    crate::limits::check_threads(request.threads)?;
    check_traces(request)?;
    importance::check_request(request)?;
    // Locked and checked before simulating: a long run must not fail at
    // its end, nor two runs mix their files.
    let staging = Staging::begin(&request.out)?;
    let mut here =
        |scenario: &ScenarioSpec, model: &Model| simulate_here(request, scenario, model, progress);
    let outcome = run_into(request, &staging, progress, &mut here)?;
    staging.publish()?;
    Ok(outcome)
}

/// A scenario's paths, simulated here or joined from the parts of a
/// sharded run, and when and for how long they were simulated.
struct Simulated {
    /// Every path's outcome, in path order.
    outcomes: Outcomes,
    /// With precision targets, where the run stopped and why.
    precision: Option<PrecisionOutcome>,
    /// The same paths without nexus events, when the shards simulated
    /// them (else nexus_impact.csv runs them here).
    without_events: Option<Outcomes>,
    /// When the simulation started (UTC, RFC 3339).
    started_at: String,
    /// Its wall time in seconds (summed over the parts of a sharded run).
    simulation_seconds: f64,
    /// Wall time spent before this process (the longest shard's), added
    /// to run.json's wall time.
    earlier_seconds: f64,
}

/// Where a scenario's simulated paths come from: this machine, or the
/// parts of a sharded run.
type Source<'a> = dyn FnMut(&ScenarioSpec, &Model) -> Result<Simulated, RunError> + 'a;

/// The scenario's paths simulated on this machine.
fn simulate_here(
    request: &RunRequest,
    scenario: &ScenarioSpec,
    model: &Model,
    progress: &dyn Progress,
) -> Result<Simulated, RunError> {
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let started = Instant::now();
    let (outcomes, precision) = simulate(request, scenario, model, progress)?;
    Ok(Simulated {
        outcomes,
        precision,
        without_events: None,
        started_at,
        simulation_seconds: started.elapsed().as_secs_f64(),
        earlier_seconds: 0.0,
    })
}

/// Runs every scenario into the staging folder, its paths from `source`;
/// the paths reported are where the files will be once published.
fn run_into(
    request: &RunRequest,
    staging: &Staging,
    progress: &dyn Progress,
    source: &mut Source<'_>,
) -> Result<RunOutcome, RunError> {
    let started = Instant::now();
    if request.scenarios.is_empty() {
        let base = ScenarioSpec::base();
        let folder = staging.folder();
        let run = run_scenario(request, &base, folder, staging, started, progress, source)?;
        return Ok(RunOutcome {
            runs: vec![run],
            combined: Vec::new(),
        });
    }
    let mut outcome = RunOutcome {
        runs: Vec::new(),
        combined: Vec::new(),
    };
    for scenario in &request.scenarios {
        let folder = staging.folder().join(&scenario.name);
        let run = run_scenario(
            request, scenario, &folder, staging, started, progress, source,
        )?;
        outcome.runs.push(run);
    }
    let reports_error = |source| RunError::Reports {
        folder: request.out.clone(),
        source,
    };
    let mut combined = write_scenario_reports(staging.folder(), &outcome.scenario_summaries())
        .map_err(reports_error)?;
    let page = scenarios_page(request, &outcome);
    combined.push(write_scenarios_page(staging.folder(), &page).map_err(reports_error)?);
    combined.push(write_workbook(staging.folder()).map_err(reports_error)?);
    outcome.combined = combined.iter().map(|p| staging.published_path(p)).collect();
    Ok(outcome)
}

/// What the combined report.html shows: each scenario's results.
fn scenarios_page<'a>(request: &'a RunRequest, outcome: &'a RunOutcome) -> ScenarioPage<'a> {
    let spec = &request.loaded.spec;
    ScenarioPage {
        facility: &spec.name,
        currency: &spec.currency,
        seed: request.settings.seed,
        scenarios: request
            .scenarios
            .iter()
            .zip(&outcome.runs)
            .map(|(scenario, run)| ScenarioColumn {
                spec: scenario,
                summary: &run.summary,
                pack: &run.pack,
                paths: run.paths,
            })
            .collect(),
    }
}

/// Refuses paths and quantiles that cannot be traced, before anything runs.
fn check_traces(request: &RunRequest) -> Result<(), RunError> {
    let paths = request.settings.paths;
    if let Some(&path) = request.traces.paths.iter().find(|&&n| n >= paths) {
        return Err(RunError::TracePath { path, paths });
    }
    match request
        .traces
        .quantiles
        .iter()
        .find(|&&q| !(q > 0.0 && q <= 1.0))
    {
        Some(&q) => Err(RunError::TraceQuantile(q)),
        None => Ok(()),
    }
}

/// Compiles one scenario, takes its paths from `source`, aggregates and
/// writes it into `folder` (under the staging folder).
fn run_scenario(
    request: &RunRequest,
    scenario: &ScenarioSpec,
    folder: &Path,
    staging: &Staging,
    started: Instant,
    progress: &dyn Progress,
    source: &mut Source<'_>,
) -> Result<ScenarioRun, RunError> {
    let model = importance::sampled_model(
        request,
        Model::compile_scenario(&request.loaded.spec, scenario)?,
    )?;
    let simulated = source(scenario, &model)?;
    let outcomes = &simulated.outcomes;
    let settings = RunSettings {
        paths: outcomes.pool_loss.len() as u64,
        seed: request.settings.seed,
    };
    let summary = summarise(&model, outcomes);
    let (mut pack, coverage) = statistics(request, &model, &settings, &simulated, &summary)?;
    let first = (request.scenarios.first()).is_none_or(|first| first.name == scenario.name);
    if first && model.pool.importance.is_none()
    /* else not weighted yet */
    {
        pack.tornado = tornado::run_tornado(request, scenario, &model, outcomes, progress)?;
    }
    let manifest = scenario_manifest(
        request,
        (scenario, &model, &settings),
        &simulated,
        &pack,
        started,
    );
    let report = RunReport {
        spec: &request.loaded.spec,
        scenario,
        model: &model,
        summary: &summary,
        manifest: &manifest,
        pack: &pack,
        cashflows: &outcomes.cashflows,
        coverage: &coverage,
    };
    let published = staging.published_path(folder);
    let reports_error = |source| RunError::Reports {
        folder: published.clone(),
        source,
    };
    // The files are written side by side on the run's threads, no more.
    let mut written = with_threads(Some(request.threads), || write_reports(folder, &report))
        .map_err(RunError::Threads)?
        .map_err(reports_error)?;
    let (traces, traced) =
        write_traces(request, &model, outcomes, folder).map_err(|source| RunError::Trace {
            folder: published.clone(),
            source,
        })?;
    written.extend(traces);
    written.push(write_workbook(folder).map_err(reports_error)?);
    let written: Vec<PathBuf> = written.iter().map(|p| staging.published_path(p)).collect();
    let mut json = summary_json(&report);
    json["files"] = written.iter().map(|p| p.display().to_string()).collect();
    Ok(ScenarioRun {
        scenario: scenario.name.clone(),
        currency: model.currency.clone(),
        summary,
        pack,
        json,
        written,
        traced,
        paths: settings.paths,
        precision: simulated.precision,
    })
}

/// The committee pack's statistics and the coverage tests' summary. The
/// statistics are independent of one another, so they run side by side on
/// the run's threads; each is computed by one thread in path order, so they
/// are the same for any `--threads` (tests/it/reproducibility.rs). With
/// nexus events, the facility runs again on the same paths without them
/// first (nexus_impact.csv compares the two).
fn statistics(
    request: &RunRequest,
    model: &Model,
    settings: &RunSettings,
    simulated: &Simulated,
    summary: &[TrancheSummary],
) -> Result<(CommitteePack, Vec<CoverageSummary>), RunError> {
    let outcomes = &simulated.outcomes;
    let without = match &model.pool.acquisitions {
        // nexus_impact.csv is not weighted yet (NOT_WEIGHTED).
        Some(_) if outcomes.is_weighted() => None,
        None => None,
        Some(_) => Some(without_nexus_events(request, settings, model, simulated)?),
    };
    let unit = 10f64.powi(-(model.currency.minor_digits as i32));
    let projects = &request.loaded.spec.projects;
    let ((mut pack, convergence), (coverage, impact)) = with_threads(Some(request.threads), || {
        rayon::join(
            || {
                rayon::join(
                    || committee_pack(model, projects, outcomes, summary, &request.rating),
                    || convergence(model, outcomes, request.block_paths),
                )
            },
            || {
                rayon::join(
                    || summarise_coverage(model, outcomes),
                    || (without.as_ref()).map(|w| nexus_impact(model, outcomes, w, unit)),
                )
            },
        )
    })
    .map_err(RunError::Threads)?;
    pack.convergence = convergence;
    pack.nexus_impact = impact.unwrap_or_default();
    Ok((pack, coverage))
}

/// The scenario's paths, once its memory is known to suffice: a fixed
/// number, or blocks until the precision targets are met.
fn simulate(
    request: &RunRequest,
    scenario: &ScenarioSpec,
    model: &Model,
    progress: &dyn Progress,
) -> Result<(Outcomes, Option<PrecisionOutcome>), RunError> {
    let settings = &request.settings;
    crate::limits::check_memory(model, settings.paths, crate::limits::available_memory())?;
    progress.start(&scenario.name, settings.paths);
    let advance = |done| progress.advance(done);
    if request.precision.is_empty() {
        let outcomes = with_threads(Some(request.threads), || {
            simulate_outcomes(model, settings, &advance)
        })
        .map_err(RunError::Threads)?;
        progress.finish();
        return Ok((outcomes, None));
    }
    let tranches = resolve(model, &request.precision)?;
    let (outcomes, outcome) = with_threads(Some(request.threads), || {
        simulate_to_precision(
            model,
            settings,
            request.block_paths,
            &request.precision,
            &tranches,
            &advance,
            &|paths| progress.resize(paths),
        )
    })
    .map_err(RunError::Threads)?;
    progress.finish();
    Ok((outcomes, Some(outcome)))
}

/// `model` run again on the same paths without its nexus events, for
/// nexus_impact.csv's comparison: the scenario's own paths when no event
/// can happen, the shards' when they simulated them.
fn without_nexus_events<'a>(
    request: &RunRequest,
    settings: &RunSettings,
    model: &Model,
    simulated: &'a Simulated,
) -> Result<Cow<'a, Outcomes>, RunError> {
    let with = &simulated.outcomes;
    let no_hazard = !(model.pool.acquisitions.as_ref()).is_some_and(|a| a.can_occur());
    if no_hazard {
        // No event can happen: the paths are the base case's, bit for bit
        // (tests/it/nexus_events.rs), so there is nothing to run again.
        return Ok(Cow::Borrowed(with));
    }
    if let Some(base) = &simulated.without_events {
        return Ok(Cow::Borrowed(base));
    }
    let mut without = model.clone();
    without.pool.acquisitions = None;
    let base = with_threads(Some(request.threads), || {
        simulate_outcomes(&without, settings, &|_| {})
    })
    .map_err(RunError::Threads)?;
    Ok(Cow::Owned(base))
}

/// The scenario's run.json: its timing, precision and sampling.
fn scenario_manifest(
    request: &RunRequest,
    (scenario, model, settings): (&ScenarioSpec, &Model, &RunSettings),
    simulated: &Simulated,
    pack: &CommitteePack,
    started: Instant,
) -> Manifest {
    Manifest {
        scenario: scenario.name.clone(),
        started_at: simulated.started_at.clone(),
        wall_time_seconds: simulated.earlier_seconds + started.elapsed().as_secs_f64(),
        simulation_seconds: simulated.simulation_seconds,
        paths_per_second: settings.paths as f64 / simulated.simulation_seconds,
        precision: simulated.precision.clone(),
        importance: pack.importance.clone(),
        ..manifest(request, model, settings)
    }
}

/// The manifest's fields that do not depend on the scenario's timing.
fn manifest(request: &RunRequest, model: &Model, settings: &RunSettings) -> Manifest {
    let loaded = &request.loaded;
    Manifest {
        tool: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
        facility: model.name.clone(),
        scenario: String::new(),
        inputs: loaded
            .inputs
            .iter()
            .map(|i| InputRecord {
                path: i.path.display().to_string(),
                sha256: i.sha256.clone(),
            })
            .collect(),
        seed: settings.seed,
        paths: settings.paths,
        threads: request.threads,
        started_at: String::new(),
        wall_time_seconds: 0.0,
        simulation_seconds: 0.0,
        paths_per_second: 0.0,
        accepted_breaches: loaded.breaches.iter().map(|b| b.to_string()).collect(),
        precision: None,
        importance: None,
    }
}

/// Writes trace_path_N.csv for every path asked for (by number or by
/// quantile, each once); returns the files and the paths found by
/// quantile.
fn write_traces(
    request: &RunRequest,
    model: &Model,
    outcomes: &Outcomes,
    folder: &Path,
) -> io::Result<(Vec<PathBuf>, Vec<TracedQuantile>)> {
    let mut paths = request.traces.paths.clone();
    let mut traced = Vec::new();
    for &quantile in &request.traces.quantiles {
        let (path, basis) = path_at_quantile(model, outcomes, quantile);
        traced.push(TracedQuantile {
            quantile,
            path,
            basis,
        });
        paths.push(path);
    }
    paths.sort_unstable();
    paths.dedup();
    let projects = &request.loaded.spec.projects;
    let ids: Vec<String> = projects.iter().map(|p| p.id.clone()).collect();
    let files = paths
        .into_iter()
        .map(|path| {
            let trace = trace_path(model, request.settings.seed, path);
            let file = TraceFile {
                model,
                project_ids: &ids,
                trace: &trace,
            };
            write_trace_file(folder, &file)
        })
        .collect::<io::Result<Vec<_>>>()?;
    Ok((files, traced))
}
