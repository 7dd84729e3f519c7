//! Command-line interface: parses arguments, resolves them once into a
//! plan, runs it, and maps errors to exit codes in one place
//! (0 success, 2 bad input, 1 anything else).

mod analytic;
mod args;
mod batch;
mod flag_words;
mod init;
mod jobs;
mod run;
mod shard;
mod size;
mod sweep;
mod validate;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use blendsim::model::ModelError;
use blendsim::pipeline::RunError;
use blendsim::publish::{PublishError, Staging};
use blendsim::shard::ShardError;
use blendsim::sizing::SizingError;
use blendsim::spec::SpecError;

/// An error in what the user asked for (arguments or inputs): exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

/// Parses the command line, runs the command and returns the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Validate(args) => validate::validate(args),
        Command::Analytic(args) => analytic::analytic(args),
        Command::Size(args) => size::size(args),
        Command::Batch(args) => batch::batch(args),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Init(args) => init::init(args),
        Command::Merge(args) => shard::merge(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(exit_code(&error))
        }
    }
}

/// Refuses a facility that asks for importance sampling in a command that
/// does not weight its results yet (exit 2, naming the file and field).
pub fn refuse_importance(
    loaded: &blendsim::spec::LoadedFacility,
    facility: &Path,
    command: &str,
) -> anyhow::Result<()> {
    if loaded.spec.simulation.sampling == Some(blendsim::spec::Sampling::Importance) {
        return Err(BadInput(format!(
            "{}: simulation.sampling = \"importance\" is not supported by `blendsim {command}` yet \
             (its results are not weighted); remove it or set it to \"plain\", and use \
             `blendsim run --sampling importance` for the base case",
            facility.display()
        ))
        .into());
    }
    Ok(())
}

/// Writes to stdout; a closed pipe (`blendsim run ... | head`) ends the
/// output quietly instead of panicking.
pub fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Locks a command's output folder and starts the new version of it (see
/// [`blendsim::publish`]): `update`, a copy of what it holds, to which the
/// command adds its files (`size`, `sweep`, `analytic`); else empty, to
/// replace it (`batch`). Before any work, so a second command on the same
/// folder, or a folder that cannot be replaced, fails at once.
pub fn begin_output(folder: &Path, update: bool) -> anyhow::Result<Staging> {
    let staging = match update {
        true => Staging::begin_update(folder),
        false => Staging::begin(folder),
    };
    staging.map_err(out_error)
}

/// A refusal to publish into the output folder, said with `--out` (exit
/// 2), or the file system's failure (exit 1).
pub fn out_error(error: PublishError) -> anyhow::Error {
    if error.is_bad_input() {
        BadInput(format!("--out {error}")).into()
    } else {
        error.into()
    }
}

/// Where a command writes when `--out` is not given: `out/<label>` for
/// `run`, `out/<label>-<command>` for the others (`analytic`, `size`,
/// `sweep`), so a run's pack holds only the run's files and two facilities
/// never share a folder (see [`facility_label`]).
pub fn default_output_folder(facility: &Path, command: Option<&str>) -> PathBuf {
    let label = facility_label(facility);
    let name = match command {
        Some(command) => format!("{label}-{command}"),
        None => label,
    };
    Path::new("out").join(name)
}

/// A facility file's short name: its folder's name for a `facility.toml`
/// (`portfolios/quickstart/facility.toml` is `quickstart`), else its file
/// stem without a `.facility` suffix (`deals/alpha.facility.toml` is
/// `alpha`).
pub fn facility_label(facility: &Path) -> String {
    let stem = facility
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if stem != "facility" {
        return stem.trim_end_matches(".facility").to_owned();
    }
    // A bare `facility.toml` has an empty parent: name it after the
    // working folder it is in.
    let parent = facility.parent().filter(|p| !p.as_os_str().is_empty());
    let folder = match parent {
        Some(p) => std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned()),
        None => std::env::current_dir().unwrap_or_default(),
    };
    folder
        .file_name()
        .map_or(stem, |n| n.to_string_lossy().into_owned())
}

/// The exit code of an error: 2 for bad input, 1 otherwise.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    let bad_input = error.chain().any(|cause| {
        cause.is::<SpecError>()
            || cause.is::<ModelError>()
            || cause.is::<BadInput>()
            || cause
                .downcast_ref::<RunError>()
                .is_some_and(RunError::is_bad_input)
            || cause
                .downcast_ref::<ShardError>()
                .is_some_and(ShardError::is_bad_input)
            || cause
                .downcast_ref::<SizingError>()
                .is_some_and(|e| !matches!(e, SizingError::Model(_)))
    });
    if bad_input { 2 } else { 1 }
}
