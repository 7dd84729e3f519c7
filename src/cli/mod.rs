//! Command-line interface: parses arguments, resolves them once into a
//! plan, runs it, and maps errors to exit codes in one place
//! (0 success, 2 bad input, 1 anything else).

mod args;
mod run;
mod validate;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use blendsim::model::ModelError;
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
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(exit_code(&error))
        }
    }
}

fn exit_code(error: &anyhow::Error) -> u8 {
    let bad_input = error
        .chain()
        .any(|cause| cause.is::<SpecError>() || cause.is::<ModelError>() || cause.is::<BadInput>());
    if bad_input { 2 } else { 1 }
}
