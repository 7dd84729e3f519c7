//! `blendsim batch --shards N`: the job lists of a batch split over a
//! cluster (deploy/, docs/scale-out.md). Each facility runs with all its
//! scenarios, as `blendsim batch` runs it, in N shards: shard-jobs.txt
//! has one `blendsim run --shard` command per line (the job array's tasks,
//! line i + 1 for task i), merge-jobs.txt one `blendsim merge` per
//! facility (the job that runs once every shard is done). Parts go to
//! `<out>/parts/<facility>`, packs to `<out>/packs/<facility>`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use blendsim::spec::{LoadOptions, load_facility};

use super::args::BatchArgs;
use super::batch::unique_name;
use super::{BadInput, begin_output, emit, out_error};

/// Writes shard-jobs.txt and merge-jobs.txt into `args.out` for every
/// facility that loads (the others are reported and left out).
pub fn write_jobs(args: &BatchArgs, facilities: &[PathBuf], shards: u64) -> Result<()> {
    if shards == 0 {
        return Err(BadInput("--shards must be at least 1".into()).into());
    }
    let staging = begin_output(&args.out, false)?;
    let (mut shard_jobs, mut merge_jobs) = (String::new(), String::new());
    let mut names = BTreeSet::new();
    let mut skipped = 0;
    for facility in facilities {
        let options = LoadOptions {
            allow_breaches: false,
        };
        if let Err(error) = load_facility(facility, &options) {
            eprintln!("error: {}: {error:#}", facility.display());
            skipped += 1;
            continue;
        }
        let name = unique_name(facility, &mut names);
        let parts = args.out.join("parts").join(&name);
        let pack = args.out.join("packs").join(&name);
        for k in 0..shards {
            shard_jobs += &shard_line(args, facility, &format!("{k}/{shards}"), &parts);
        }
        merge_jobs += &format!(
            "blendsim merge {} --out {} --quiet\n",
            quoted(&parts),
            quoted(&pack)
        );
    }
    for (file, text) in [
        ("shard-jobs.txt", &shard_jobs),
        ("merge-jobs.txt", &merge_jobs),
    ] {
        let path = staging.folder().join(file);
        std::fs::write(&path, text)
            .with_context(|| format!("could not write {}", args.out.join(file).display()))?;
    }
    staging.publish().map_err(out_error)?;
    if !args.quiet {
        let jobs = shard_jobs.lines().count();
        emit(&format!(
            "wrote {} ({jobs} shard jobs) and {} ({} merge jobs)\n",
            args.out.join("shard-jobs.txt").display(),
            args.out.join("merge-jobs.txt").display(),
            merge_jobs.lines().count()
        ))?;
    }
    match skipped {
        0 => Ok(()),
        n => Err(BadInput(format!("{n} of {} facilities failed", facilities.len())).into()),
    }
}

/// One shard's command: paths and seed as given to batch (else each
/// facility's own, which every shard resolves the same way).
fn shard_line(args: &BatchArgs, facility: &Path, shard: &str, parts: &Path) -> String {
    let mut line = format!("blendsim run {} --scenario all", quoted(facility));
    if let Some(paths) = args.simulation.paths {
        line += &format!(" --paths {paths}");
    }
    if let Some(seed) = args.simulation.seed {
        line += &format!(" --seed {seed}");
    }
    line + &format!(" --shard {shard} --quiet --out {}\n", quoted(parts))
}

/// A path as one shell word (single-quoted unless it is plain).
fn quoted(path: &Path) -> String {
    let text = path.display().to_string();
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./+=:,@".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        return text;
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}
