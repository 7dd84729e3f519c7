//! Raw command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Monte Carlo simulation of blended-finance facilities.
#[derive(Debug, Parser)]
#[command(name = "blendsim", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a facility and write each tranche's loss and return
    /// distribution (summary.csv, run.json).
    Run(RunArgs),
    /// Check a facility's inputs and eligibility rules without simulating.
    Validate(ValidateArgs),
}

/// Arguments of `blendsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The facility file (TOML).
    pub facility: PathBuf,
    /// Number of Monte Carlo paths (default: the facility file's, else 10000).
    #[arg(long)]
    pub paths: Option<u64>,
    /// Seed of the random streams (default: the facility file's, else 0).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output folder (default: out/<facility file stem>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
    /// Run even if projects breach the eligibility rules (they are listed).
    #[arg(long)]
    pub allow_breaches: bool,
    /// Also write trace_path_N.csv: path N walked through every step of the
    /// waterfall, period by period (repeatable).
    #[arg(long = "trace-path", value_name = "N")]
    pub trace_paths: Vec<u64>,
    /// Also trace the path at this quantile of the first-loss tranche's loss
    /// (else the guarantee's payout, else the pool's loss), e.g. 0.99
    /// (repeatable).
    #[arg(long = "trace-quantile", value_name = "Q")]
    pub trace_quantiles: Vec<f64>,
}

/// Arguments of `blendsim validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The facility file (TOML).
    pub facility: PathBuf,
    /// Report eligibility breaches without failing.
    #[arg(long)]
    pub allow_breaches: bool,
}
