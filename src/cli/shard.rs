//! `blendsim run --shard K/N` and `blendsim merge`: a run split over
//! machines (docs/scale-out.md). The library does the work
//! ([`blendsim::pipeline::run_shard`], [`blendsim::pipeline::merge`]);
//! this resolves the arguments and says what was written.

use std::path::{Path, PathBuf};

use anyhow::Result;
use blendsim::format;
use blendsim::pipeline;
use blendsim::shard::{EXTENSION, Part, Shard, ShardError, in_path_order, read_part};
use blendsim::spec::LoadOptions;

use super::args::{Format, MergeArgs, RunArgs};
use super::run::{Bar, Plan, flag_error, print_results};
use super::validate::print_warnings;
use super::{BadInput, emit};

/// Simulates shard `text` (`K/N`) of the run `args` describes and writes
/// its part.
pub fn run_shard(args: RunArgs, text: &str) -> Result<()> {
    let shard = Shard::parse(text).map_err(|why| BadInput(format!("--shard {text}: {why}")))?;
    let targets = !args.target_se.is_empty() || !args.target_rse.is_empty();
    if targets || args.max_paths.is_some() {
        return Err(BadInput(
            "--shard splits a fixed number of paths (--paths); --target-se, --target-rse and \
             --max-paths decide the count as the run goes, on one machine"
                .into(),
        )
        .into());
    }
    let facility = args.facility.clone();
    let options = LoadOptions {
        allow_breaches: args.allow_breaches,
    };
    let plan = Plan::resolve(args)?;
    let request = &plan.request;
    if request.sampling.0 == blendsim::spec::Sampling::Importance {
        return Err(BadInput(
            "--shard with importance sampling (--sampling importance or simulation.sampling) is \
             not supported yet: a part does not record the sampling law; run on one machine"
                .into(),
        )
        .into());
    }
    let paths = request.settings.paths;
    if shard.count > paths {
        return Err(BadInput(format!(
            "--shard {text}: more shards than the run's {paths} paths"
        ))
        .into());
    }
    if !plan.quiet {
        print_warnings(&request.loaded);
    }
    let identity = pipeline::identity_of(request, &facility, &options);
    let bar = Bar::new(plan.quiet);
    let file = pipeline::run_shard(request, identity, shard, &bar).map_err(flag_error)?;
    if plan.quiet {
        return Ok(());
    }
    let range = shard.range(paths);
    if plan.format == Format::Json {
        let json = serde_json::json!({
            "part": file.display().to_string(),
            "shard": shard.index,
            "shards": shard.count,
            "first_path": range.start,
            "end_path": range.end,
            "paths": paths,
        });
        return emit(&format!("{}\n", serde_json::to_string_pretty(&json)?));
    }
    emit(&format!(
        "shard {}/{}: paths {} to {} of {} simulated; wrote {} (merge every shard's part with \
         `blendsim merge`)\n",
        shard.index,
        shard.count,
        format::count(range.start),
        format::count(range.end.saturating_sub(1)),
        format::count(paths),
        file.display()
    ))
}

/// Joins the parts into the single run's pack.
pub fn merge(args: MergeArgs) -> Result<()> {
    if args.threads == Some(0) {
        return Err(BadInput("--threads must be at least 1".into()).into());
    }
    let files = part_files(&args.parts)?;
    refuse_out_holding_parts(&args.out, &files)?;
    let mut parts = Vec::with_capacity(files.len());
    for file in files {
        let part = read_part(&file)?;
        parts.push((file, part));
    }
    let parts = in_path_order(parts)?;
    let (first_file, first) = (&parts[0].0, &parts[0].1);
    let threads = args.threads.unwrap_or_else(rayon::current_num_threads);
    let request = pipeline::request_of(&first.identity, first_file, threads, args.out.clone())?;
    let plan = Plan {
        request,
        quiet: args.quiet,
        format: args.format,
    };
    let parts: Vec<Part> = parts.into_iter().map(|(_, part)| part).collect();
    let bar = Bar::new(plan.quiet);
    let outcome = pipeline::merge(&plan.request, parts, &bar).map_err(flag_error)?;
    print_results(&plan, &outcome)
}

/// Publishing replaces the whole output folder, so an `--out` that holds
/// a part (e.g. `merge parts --out parts`) would delete the parts the
/// merge reads: refused before anything is read.
fn refuse_out_holding_parts(out: &std::path::Path, files: &[PathBuf]) -> Result<(), BadInput> {
    let Ok(out_real) = out.canonicalize() else {
        // A folder that does not exist yet holds no part.
        return Ok(());
    };
    for file in files {
        if file.canonicalize().is_ok_and(|f| f.starts_with(&out_real)) {
            return Err(BadInput(format!(
                "--out {} holds the part {}: the merge replaces that folder with the pack; \
                 write the pack to another folder",
                out.display(),
                file.display()
            )));
        }
    }
    Ok(())
}

/// The part files named: files as given, folders as every `*.bsp` file
/// inside (sorted; the merge orders parts by their paths anyway).
fn part_files(named: &[PathBuf]) -> Result<Vec<PathBuf>, ShardError> {
    let mut files = Vec::new();
    for path in named {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let io = |source| ShardError::Io {
            file: path.clone(),
            source,
        };
        let mut inside: Vec<PathBuf> = (std::fs::read_dir(path).map_err(io)?)
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| is_part(p))
            .collect();
        if inside.is_empty() {
            return Err(ShardError::Mismatch {
                part: path.clone(),
                why: format!("a folder with no *.{EXTENSION} part file in it"),
            });
        }
        inside.sort();
        files.extend(inside);
    }
    Ok(files)
}

fn is_part(path: &Path) -> bool {
    path.is_file() && path.extension().is_some_and(|e| e == EXTENSION)
}
