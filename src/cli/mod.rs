//! Command-line interface: parses arguments, resolves them once into a
//! plan, runs it, and maps errors to exit codes in one place
//! (0 success, 2 bad input, 1 anything else).

mod analytic;
mod args;
mod batch;
mod run;
mod size;
mod sweep;
mod validate;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use blendsim::model::ModelError;
use blendsim::pipeline::RunError;
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
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(exit_code(&error))
        }
    }
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

/// `out/<facility file stem>`: where a command writes when `--out` is not
/// given.
pub fn default_output_folder(facility: &std::path::Path) -> std::path::PathBuf {
    let stem = facility
        .file_stem()
        .map_or("facility".into(), |s| s.to_string_lossy().into_owned());
    std::path::Path::new("out").join(stem)
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
            || matches!(
                cause.downcast_ref::<SizingError>(),
                Some(SizingError::Target { .. } | SizingError::Request(_))
            )
    });
    if bad_input { 2 } else { 1 }
}
