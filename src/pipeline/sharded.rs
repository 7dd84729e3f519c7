//! A run split over machines (docs/scale-out.md): each shard simulates
//! one block of the paths of every scenario and writes a part file; the
//! merge joins the parts' outcomes in path order and writes the pack from
//! them with the single run's own code, so the pack is the same byte for
//! byte (run.json's timing aside).
//!
//! The work that runs paths again is shared out where it scales with the
//! run: each shard also simulates its block without nexus events (for
//! nexus_impact.csv). The tornado's shifted runs cover only the first
//! `--tornado-paths` paths, whatever the run's size, and traces are single
//! paths: the merge runs those, exactly as the single run does.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::aggregate::{Outcomes, RatingBenchmark};
use crate::engine::{RunSettings, Simulation, with_threads};
use crate::model::Model;
use crate::publish::Staging;
use crate::shard::{Part, RunIdentity, ScenarioPart, Shard, ShardError, input_hashes, write_part};
use crate::spec::{LoadOptions, ScenarioSpec, load_facility};

use super::{Progress, RunError, RunOutcome, RunRequest, Simulated, TraceRequest};

/// The identity of `request`, whose facility was loaded from `facility`
/// with `options`: what every part of the run records and the merge
/// compares.
pub fn identity_of(request: &RunRequest, facility: &Path, options: &LoadOptions) -> RunIdentity {
    RunIdentity {
        facility: facility.display().to_string(),
        allow_breaches: options.allow_breaches,
        inputs: input_hashes(&request.loaded),
        scenarios: request.scenarios.iter().map(|s| s.name.clone()).collect(),
        seed: request.settings.seed,
        paths: request.settings.paths,
        rating_basis: request.rating.basis(),
        trace_paths: request.traces.paths.clone(),
        trace_quantiles: request.traces.quantiles.clone(),
        tornado_paths: request.tornado_paths,
        block_paths: request.block_paths,
    }
}

/// The request of the single run whose parts have `identity`: the
/// facility loaded again from where the shards read it, refused if any of
/// its inputs changed since (`part` names the part the identity is from).
pub fn request_of(
    identity: &RunIdentity,
    part: &Path,
    threads: usize,
    out: PathBuf,
) -> Result<RunRequest, ShardError> {
    let options = LoadOptions {
        allow_breaches: identity.allow_breaches,
    };
    let inputs = |why: String| ShardError::Inputs {
        part: part.to_owned(),
        why,
    };
    let loaded = load_facility(Path::new(&identity.facility), &options).map_err(|e| {
        inputs(format!(
            "its facility {} does not load as it did: {e}",
            identity.facility
        ))
    })?;
    identity.check_inputs(part, &loaded)?;
    let scenarios = identity.scenarios(part, &loaded)?;
    let table = loaded.spec.implied_rating.clone();
    let rating =
        RatingBenchmark::new(table, identity.rating_basis).map_err(|e| inputs(e.to_string()))?;
    let settings = RunSettings {
        paths: identity.paths,
        seed: identity.seed,
    };
    Ok(RunRequest {
        scenarios,
        rating,
        traces: TraceRequest {
            paths: identity.trace_paths.clone(),
            quantiles: identity.trace_quantiles.clone(),
        },
        tornado_paths: identity.tornado_paths,
        block_paths: identity.block_paths,
        ..RunRequest::new(loaded, settings, threads, out)
    })
}

/// Simulates shard `shard`'s block of the paths of every scenario of
/// `request` (of identity `identity`) and writes its part into
/// `request.out` (created if missing; nothing else in it is touched).
/// Returns the part file.
pub fn run_shard(
    request: &RunRequest,
    identity: RunIdentity,
    shard: Shard,
    progress: &dyn Progress,
) -> Result<PathBuf, RunError> {
    crate::limits::check_paths(request.settings.paths)?;
    crate::limits::check_threads(request.threads)?;
    super::check_traces(request)?;
    let started = Instant::now();
    let range = shard.range(request.settings.paths);
    let scenarios = match request.scenarios.is_empty() {
        true => vec![ScenarioSpec::base()],
        false => request.scenarios.clone(),
    };
    let mut parts = Vec::with_capacity(scenarios.len());
    for scenario in &scenarios {
        let model = Model::compile_scenario(&request.loaded.spec, scenario)?;
        parts.push(simulate_block(
            request,
            scenario,
            &model,
            range.clone(),
            progress,
        )?);
    }
    let part = Part {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        identity,
        shard,
        first: range.start,
        end: range.end,
        wall_seconds: started.elapsed().as_secs_f64(),
        scenarios: parts,
    };
    let file = request.out.join(shard.file_name());
    write_part(&file, &part)?;
    Ok(file)
}

/// One scenario's block: its outcomes and, where a nexus event can
/// happen, its outcomes without them.
fn simulate_block(
    request: &RunRequest,
    scenario: &ScenarioSpec,
    model: &Model,
    range: Range<u64>,
    progress: &dyn Progress,
) -> Result<ScenarioPart, RunError> {
    let hazard = (model.pool.acquisitions.as_ref()).is_some_and(|a| a.can_occur());
    let kept = (range.end - range.start).saturating_mul(if hazard { 2 } else { 1 });
    crate::limits::check_memory(model, kept, crate::limits::available_memory())?;
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let started = Instant::now();
    progress.start(&scenario.name, range.end - range.start);
    let seed = request.settings.seed;
    let block = |model: &Model| {
        with_threads(Some(request.threads), || {
            let mut simulation =
                Simulation::starting_at(model, seed, range.start, range.end - range.start);
            simulation.extend_to(range.end, &|done| progress.advance(done));
            simulation.finish()
        })
        .map_err(RunError::Threads)
    };
    let outcomes = block(model)?;
    progress.finish();
    let simulation_seconds = started.elapsed().as_secs_f64();
    let without_events = match hazard {
        true => {
            let mut without = model.clone();
            without.pool.acquisitions = None;
            Some(block(&without)?)
        }
        false => None,
    };
    Ok(ScenarioPart {
        scenario: scenario.name.clone(),
        started_at,
        simulation_seconds,
        outcomes,
        without_events,
    })
}

/// Writes the pack of the run whose parts are `parts` (checked to be one
/// run's, in path order: [`crate::shard::in_path_order`]) into
/// `request.out` ([`request_of`] their identity), published as a whole
/// like [`super::run`]'s.
pub fn merge(
    request: &RunRequest,
    mut parts: Vec<Part>,
    progress: &dyn Progress,
) -> Result<RunOutcome, RunError> {
    crate::limits::check_paths(request.settings.paths)?;
    crate::limits::check_threads(request.threads)?;
    super::check_traces(request)?;
    let staging = Staging::begin(&request.out)?;
    let earlier = parts.iter().map(|p| p.wall_seconds).fold(0.0, f64::max);
    let mut joined = |scenario: &ScenarioSpec, _: &Model| Ok(join(&mut parts, scenario, earlier));
    let outcome = super::run_into(request, &staging, progress, &mut joined)?;
    staging.publish()?;
    Ok(outcome)
}

/// The scenario's outcomes from every part, in path order (taken out of
/// the parts, so they are held once).
fn join(parts: &mut [Part], scenario: &ScenarioSpec, earlier_seconds: f64) -> Simulated {
    let mut outcomes = Outcomes::default();
    let mut without_events: Option<Outcomes> = None;
    let mut started_at: Option<String> = None;
    let mut simulation_seconds = 0.0;
    let blocks = (parts.iter_mut()).flat_map(|p| &mut p.scenarios);
    for block in blocks.filter(|b| b.scenario == scenario.name) {
        outcomes.append(std::mem::take(&mut block.outcomes));
        if let Some(without) = block.without_events.take() {
            without_events
                .get_or_insert_with(Outcomes::default)
                .append(without);
        }
        // RFC 3339 in UTC to the second: the earliest sorts first.
        let start = std::mem::take(&mut block.started_at);
        started_at = Some(started_at.map_or(start.clone(), |s| s.min(start)));
        simulation_seconds += block.simulation_seconds;
    }
    Simulated {
        outcomes,
        precision: None,
        without_events,
        started_at: started_at.unwrap_or_default(),
        simulation_seconds,
        earlier_seconds,
    }
}
