//! `blendsim batch`: many facilities, each with all its scenarios, into one
//! folder; a facility with bad input is reported and skipped.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use blendsim::report::{BatchRow, ScenarioSummary, write_batch_summary};
use blendsim::spec::sanitised_name;

use super::args::BatchArgs;
use super::run::run_all_scenarios;
use super::{BadInput, begin_output, emit, exit_code, facility_label, out_error};

/// Runs every facility found; fails at the end if any facility failed.
pub fn batch(args: BatchArgs) -> Result<()> {
    let facilities = find_facilities(&args.inputs)?;
    if facilities.is_empty() {
        let message = format!(
            "{}: no facility file found (facility.toml or *.facility.toml)",
            args.inputs.join(", ")
        );
        return Err(BadInput(message).into());
    }
    if let Some(shards) = args.shards {
        return super::jobs::write_jobs(&args, &facilities, shards);
    }
    // The batch is one pack: every facility's folder and the summary are
    // written into a staging folder and published together, so `--out`
    // never holds some facilities of this batch and some of the last.
    let staging = begin_output(&args.out, false)?;
    let mut rows = Vec::new();
    let mut failed = Vec::new();
    let mut names = BTreeSet::new();
    let mut text = String::new();
    for facility in &facilities {
        let name = unique_name(facility, &mut names);
        let folder = args.out.join(&name);
        let staged = staging.folder().join(&name);
        match run_all_scenarios(facility, &args.simulation, staged) {
            Ok(outcome) => {
                text += &format!(
                    "ok: {} -> {} ({} scenario(s))\n",
                    facility.display(),
                    folder.display(),
                    outcome.runs.len()
                );
                rows.extend(outcome.runs.iter().map(|run| BatchRow {
                    facility: name.clone(),
                    digits: run.currency.minor_digits,
                    summary: ScenarioSummary {
                        scenario: run.scenario.clone(),
                        summary: run.summary.clone(),
                    },
                }));
            }
            Err(error) => {
                eprintln!("error: {}: {error:#}", facility.display());
                failed.push((facility.clone(), exit_code(&error)));
            }
        }
    }
    let summary = args.out.join("summary.csv");
    write_batch_summary(&staging.folder().join("summary.csv"), &rows)
        .with_context(|| format!("could not write {}", summary.display()))?;
    staging.publish().map_err(out_error)?;
    if !args.quiet {
        emit(&format!("{text}wrote {}\n", summary.display()))?;
    }
    if failed.is_empty() {
        return Ok(());
    }
    let message = format!("{} of {} facilities failed", failed.len(), facilities.len());
    if failed.iter().all(|&(_, code)| code == 2) {
        Err(BadInput(message).into())
    } else {
        Err(anyhow::anyhow!(message))
    }
}

/// Facility files named by the inputs: files as given, glob patterns
/// expanded, folders searched for `facility.toml` and `*.facility.toml`;
/// a file named twice (overlapping inputs) is run once.
fn find_facilities(inputs: &[String]) -> Result<Vec<PathBuf>> {
    let mut seen = BTreeSet::new();
    let mut unique = Vec::new();
    for path in named_facilities(inputs)? {
        // Canonical paths tell `a/facility.toml` and `./a/facility.toml` apart
        // from two different files; one that cannot be resolved is kept (its
        // run reports why it cannot be read).
        let identity = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if seen.insert(identity) {
            unique.push(path);
        }
    }
    Ok(unique)
}

/// Every facility file the inputs name, in order, repeats included.
fn named_facilities(inputs: &[String]) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for input in inputs {
        let path = Path::new(input);
        if path.is_dir() {
            collect_from_folder(path, &mut found)?;
        } else if path.is_file() {
            found.push(path.to_owned());
        } else {
            let matches = glob::glob(input).map_err(|e| {
                BadInput(format!(
                    "{input}: not a file, folder or valid pattern ({e})"
                ))
            })?;
            let before = found.len();
            found.extend(matches.filter_map(Result::ok).filter(|p| p.is_file()));
            if found.len() == before {
                return Err(BadInput(format!("{input}: no facility file matches")).into());
            }
        }
    }
    Ok(found)
}

fn collect_from_folder(folder: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(folder)
        .with_context(|| format!("cannot read the folder {}", folder.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        let name = entry
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if entry.is_dir() {
            collect_from_folder(&entry, found)?;
        } else if name == "facility.toml" || name.ends_with(".facility.toml") {
            found.push(entry);
        }
    }
    Ok(())
}

/// The facility's output folder name ([`facility_label`]), numbered if
/// already taken.
pub(super) fn unique_name(facility: &Path, taken: &mut BTreeSet<String>) -> String {
    // A folder's name can be anything the file system allows; the output
    // folder's name is kept to the safe alphabet.
    let base = sanitised_name(&facility_label(facility));
    let mut name = base.clone();
    let mut n = 2;
    // Compared ignoring case: `A` and `a` are one folder on some systems.
    while !taken.insert(name.to_ascii_lowercase()) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}
