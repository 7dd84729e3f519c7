//! Raw command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    /// How the summary is printed: a table, or JSON for scripts.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Statistic compared with Moody's idealized table for implied ratings.
    #[arg(long, value_enum, default_value_t = RatingBasisArg::DefaultProbability)]
    pub rating_basis: RatingBasisArg,
}

/// Output format of `run`'s summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A plain-text table.
    Table,
    /// One JSON document on stdout.
    Json,
}

/// The statistic behind implied ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RatingBasisArg {
    /// P(loss) at the tranche's WAL.
    DefaultProbability,
    /// Expected loss at the tranche's WAL (lenient: compared with default
    /// probabilities; see docs/ratings.md).
    ExpectedLoss,
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
