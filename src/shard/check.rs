//! Whether parts make one run: the same run (inputs, scenarios, seed,
//! paths, options) and, in path order, every path exactly once.

use std::path::{Path, PathBuf};

use super::{Part, RunIdentity, ShardError};

/// The parts sorted by their first path, once they are known to be parts
/// of one run covering `0..paths` exactly once; else the part at fault,
/// named with how it does not fit.
pub fn in_path_order(mut parts: Vec<(PathBuf, Part)>) -> Result<Vec<(PathBuf, Part)>, ShardError> {
    let Some((first_file, first)) = parts.first() else {
        return Err(ShardError::NoParts);
    };
    for (file, part) in &parts[1..] {
        if let Some(why) = difference(&part.identity, &first.identity) {
            return Err(mismatch(
                file,
                format!(
                    "not a part of the same run as {}: {why}",
                    first_file.display()
                ),
            ));
        }
    }
    for (file, part) in &parts {
        let scenarios = (part.scenarios.iter()).map(|s| s.scenario.as_str());
        let expected = expected_scenarios(&part.identity);
        if !scenarios.eq(expected.iter().map(String::as_str))
            || (part.scenarios.iter()).any(|s| s.outcomes.paths() as u64 != part.end - part.first)
        {
            return Err(mismatch(
                file,
                format!(
                    "its outcomes are not those of paths {}..{} of every scenario it names",
                    part.first, part.end
                ),
            ));
        }
    }
    parts.sort_by_key(|(_, part)| (part.first, part.end));
    check_coverage(&parts)?;
    Ok(parts)
}

/// The scenario names a part of this run holds, in order.
fn expected_scenarios(identity: &RunIdentity) -> Vec<String> {
    if identity.scenarios.is_empty() {
        vec![crate::spec::BASE.to_owned()]
    } else {
        identity.scenarios.clone()
    }
}

/// Sorted parts: the first starts at path 0, each starts where the one
/// before ended, the last ends at the run's paths.
fn check_coverage(parts: &[(PathBuf, Part)]) -> Result<(), ShardError> {
    let mut next = 0;
    let mut before: Option<&Path> = None;
    for (file, part) in parts {
        if part.first > next {
            let after = before.map_or_else(String::new, |b| format!(" after {}", b.display()));
            return Err(mismatch(
                file,
                format!(
                    "starts at path {}: paths {next}..{} are in no part given{after} (a gap)",
                    part.first, part.first
                ),
            ));
        }
        if part.first < next {
            let other = before.map_or_else(String::new, |b| b.display().to_string());
            return Err(mismatch(
                file,
                format!(
                    "paths {}..{} overlap {other}, which runs to path {next} (an overlap: each \
                     path must be in one part)",
                    part.first, part.end
                ),
            ));
        }
        next = part.end;
        before = Some(file);
    }
    let paths = parts.first().map_or(0, |(_, p)| p.identity.paths);
    match parts.last() {
        Some((file, _)) if next != paths => Err(mismatch(
            file,
            format!(
                "the last part given ends at path {next}; paths {next}..{paths} are in no part (a gap)"
            ),
        )),
        _ => Ok(()),
    }
}

fn mismatch(file: &Path, why: String) -> ShardError {
    ShardError::Mismatch {
        part: file.to_owned(),
        why,
    }
}

/// How `a` differs from `b`, the first difference said in words (`seed
/// 2 rather than 1`).
fn difference(a: &RunIdentity, b: &RunIdentity) -> Option<String> {
    if a.inputs != b.inputs {
        let input = (a.inputs.iter()).find(|i| !b.inputs.contains(i));
        return Some(input.map_or_else(
            || "other input files".to_owned(),
            |i| format!("other inputs ({} hashes to {})", i.path, i.sha256),
        ));
    }
    let debug = |x: &dyn std::fmt::Debug| format!("{x:?}");
    let fields = [
        ("facility", debug(&a.facility), debug(&b.facility)),
        ("seed", debug(&a.seed), debug(&b.seed)),
        ("paths", debug(&a.paths), debug(&b.paths)),
        ("scenarios", debug(&a.scenarios), debug(&b.scenarios)),
        (
            "--allow-breaches",
            debug(&a.allow_breaches),
            debug(&b.allow_breaches),
        ),
        (
            "rating basis",
            debug(&a.rating_basis),
            debug(&b.rating_basis),
        ),
        ("--trace-path", debug(&a.trace_paths), debug(&b.trace_paths)),
        (
            "--trace-quantile",
            debug(&a.trace_quantiles),
            debug(&b.trace_quantiles),
        ),
        (
            "--tornado-paths",
            debug(&a.tornado_paths),
            debug(&b.tornado_paths),
        ),
        (
            "--block-paths",
            debug(&a.block_paths),
            debug(&b.block_paths),
        ),
    ];
    let found = fields.into_iter().find(|(_, x, y)| x != y);
    found.map(|(what, x, y)| format!("{what} {x} rather than {y}"))
}
