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
    /// Simulate a facility and write its committee pack: each tranche's
    /// loss and return distribution (summary.csv, report.html, ...).
    Run(RunArgs),
    /// Check a facility's inputs and eligibility rules without simulating.
    Validate(ValidateArgs),
    /// Semi-analytic estimate of a homogeneous approximation of the
    /// facility (milliseconds; a check of the simulation's magnitudes, and
    /// it says what it leaves out).
    Analytic(AnalyticArgs),
    /// Run many facility files (each with all its scenarios) into one
    /// folder with a combined summary; carries on past bad inputs.
    Batch(BatchArgs),
    /// Tranche metrics over a grid of one or two parameters (e.g.
    /// --vary first_loss.share=0.05:0.25:0.05 --vary correlation.global=0.1,0.2,0.3
    /// --absorb senior).
    Sweep(SweepArgs),
    /// Solve for the size of a tranche at which a target is met
    /// (e.g. --target "senior.expected_loss <= 0.001" --solve first_loss --absorb senior).
    Size(SizeArgs),
    /// Join the part files of a run split with `run --shard K/N` into the
    /// pack the single run writes (byte for byte, timings aside).
    Merge(MergeArgs),
    /// Write a small, fully commented example facility to start from
    /// (facility.toml, projects.csv, scenarios.toml) into a folder.
    Init(InitArgs),
}

/// Arguments of `blendsim init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to write into (created if missing; no file in it is
    /// overwritten).
    pub folder: PathBuf,
}

/// Arguments of `blendsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The facility file (TOML).
    pub facility: PathBuf,
    /// Paths, seed and threads.
    #[command(flatten)]
    pub simulation: SimulationArgs,
    /// Output folder and verbosity.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Run even if projects breach the eligibility rules (they are listed).
    #[arg(long)]
    pub allow_breaches: bool,
    /// Stress scenario to run (repeatable; `base`, a name from the
    /// facility's scenarios file, or `all`). Each goes to its own subfolder,
    /// with a combined summary.csv and comparison.csv.
    #[arg(long)]
    pub scenario: Vec<String>,
    /// How the summary is printed: a table, or JSON for scripts.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Statistic compared with the idealized table for implied ratings.
    #[arg(long, value_enum, default_value_t = RatingBasisArg::DefaultProbability)]
    pub rating_basis: RatingBasisArg,
    /// Also write trace_path_N.csv: path N walked through every step of the
    /// waterfall, period by period (repeatable).
    #[arg(long = "trace-path", value_name = "N")]
    pub trace_paths: Vec<u64>,
    /// Also trace the path at this quantile of the first-loss tranche's loss
    /// (else the guarantee's payout, else the pool's loss), e.g. 0.99
    /// (repeatable).
    #[arg(long = "trace-quantile", value_name = "Q")]
    pub trace_quantiles: Vec<f64>,
    /// Paths of each of the tornado's eight extra runs (one input shifted
    /// at a time, on the run's first paths; at most --paths); 0 leaves the
    /// tornado out. Default: a thirty-second of the run's paths, at most
    /// 10000, so that the tornado costs at most a quarter of the run.
    #[arg(long, value_name = "N")]
    pub tornado_paths: Option<u64>,
    /// Run in blocks of --block-paths until this metric's standard error
    /// is at most VALUE, e.g. `senior.expected_loss=0.00001` (repeatable;
    /// metrics: expected_loss, prob_loss, loss_p50 ... loss_p999, irr_p05,
    /// irr_p50, irr_p95). The pack is the one a run with the final number
    /// of paths gives.
    #[arg(long = "target-se", value_name = "TRANCHE.METRIC=VALUE")]
    pub target_se: Vec<String>,
    /// As --target-se, with VALUE the standard error relative to the
    /// estimate, e.g. `senior.prob_loss=0.05` for 5% (repeatable).
    #[arg(long = "target-rse", value_name = "TRANCHE.METRIC=VALUE")]
    pub target_rse: Vec<String>,
    /// With precision targets, the most paths to run (default 1000000);
    /// the run stops there, with a warning, if a target is not met.
    #[arg(long)]
    pub max_paths: Option<u64>,
    /// Paths per block: the rows of convergence.csv, and how often
    /// precision targets are checked.
    #[arg(long, default_value_t = blendsim::pipeline::DEFAULT_BLOCK_PATHS)]
    pub block_paths: u64,
    /// Simulate only the K-th of N contiguous blocks of the paths (K from
    /// 0 to N - 1) and write a part file into --out (default
    /// out/<facility>-parts) for `blendsim merge` (docs/scale-out.md).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// How paths are sampled (default: the facility file's
    /// simulation.sampling, else plain): `importance` shifts the systematic
    /// factors towards --importance-tranche's losses and weights every path
    /// by its likelihood ratio (docs/model.md).
    #[arg(long, value_enum)]
    pub sampling: Option<SamplingArg>,
    /// The tranche importance sampling aims at (default: the facility
    /// file's simulation.importance_tranche, else the most senior).
    #[arg(long, value_name = "TRANCHE")]
    pub importance_tranche: Option<String>,
}

/// Arguments of `blendsim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Part files, or folders of them (every *.bsp file inside), of one
    /// run: every shard of it, each once.
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    /// Output folder of the pack (replaced as a whole, as by `run`).
    #[arg(long)]
    pub out: PathBuf,
    /// Worker threads of the merge's own runs (the tornado; default: all
    /// cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
    /// How the summary is printed: a table, or JSON for scripts.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// How `run` samples its paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SamplingArg {
    /// Plain Monte Carlo.
    Plain,
    /// Importance sampling of the systematic factors.
    Importance,
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
    /// Expected loss at the tranche's WAL: compared with the facility's
    /// year-by-year expected-loss table, or (lenient) with the bundled
    /// default probabilities; see docs/ratings.md.
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

/// Arguments of `blendsim analytic`.
#[derive(Debug, Args)]
pub struct AnalyticArgs {
    /// The facility file (TOML).
    pub facility: PathBuf,
    /// Output folder for analytic.csv (default: out/<facility>-analytic,
    /// <facility> being the facility file's folder name for a
    /// facility.toml, else its file stem).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Accept eligibility breaches (they are listed).
    #[arg(long)]
    pub allow_breaches: bool,
}

/// Arguments of `blendsim size`.
#[derive(Debug, Args)]
pub struct SizeArgs {
    /// The facility file (TOML).
    pub facility: PathBuf,
    /// Target, `tranche.metric <= value` or `>= value`; metrics:
    /// expected_loss, prob_loss, loss_p50, loss_p90, loss_p99, loss_p999,
    /// irr_p05, irr_p50, irr_p95.
    #[arg(long)]
    pub target: String,
    /// The tranche whose size is solved for (or the facility's unfunded
    /// guarantee, whose cap is).
    #[arg(long)]
    pub solve: String,
    /// The tranche whose size absorbs the difference, keeping the total
    /// fixed (default: the tranche directly above --solve).
    #[arg(long)]
    pub absorb: Option<String>,
    /// Keep this tranche (and every other but --solve) at its amount and
    /// grow the total, the pool scaled in proportion, instead of absorbing.
    #[arg(long, conflicts_with = "absorb")]
    pub hold: Option<String>,
    /// Range of the solved tranche's share of total capital, LOW:HIGH
    /// (default: 0.0:0.4, or up to a basis point short of the share at
    /// which the absorbing tranche would vanish if that is less).
    #[arg(long)]
    pub range: Option<String>,
    /// Points of the grid the search starts from (sizing.csv also has every
    /// size the search evaluated).
    #[arg(long, default_value_t = 5)]
    pub grid: usize,
    /// Stress scenario the target must hold in as well as the base case
    /// (repeatable, or `all`).
    #[arg(long)]
    pub scenario: Vec<String>,
    /// Paths, seed and threads.
    #[command(flatten)]
    pub simulation: SimulationArgs,
    /// Output folder and verbosity.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Accept eligibility breaches (they are listed).
    #[arg(long)]
    pub allow_breaches: bool,
}

/// Arguments of `blendsim batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// Facility files, glob patterns (quote them), or folders (every
    /// `facility.toml` and `*.facility.toml` below them).
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Output folder: one subfolder per facility and a combined summary.csv.
    #[arg(long)]
    pub out: PathBuf,
    /// Paths (per facility or grid point), seed and threads.
    #[command(flatten)]
    pub simulation: SimulationArgs,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
    /// Run nothing: write into --out the job lists of a run of every
    /// facility (all its scenarios) split into N shards, shard-jobs.txt
    /// (one `blendsim run --shard` per line) and merge-jobs.txt (one
    /// `blendsim merge` per facility), for a cluster's job array
    /// (deploy/, docs/scale-out.md).
    #[arg(long, value_name = "N")]
    pub shards: Option<u64>,
}

/// Arguments of `blendsim sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The facility file (TOML).
    pub facility: PathBuf,
    /// A parameter and its values, NAME=LOW:HIGH:STEP or NAME=V1,V2,...
    /// (once or twice); NAME is <tranche>.share, correlation.global,
    /// correlation.mineral, correlation.country, correlation.region,
    /// pd_multiplier or recovery_haircut.
    #[arg(long, required = true)]
    pub vary: Vec<String>,
    /// A tranche metric to tabulate, `tranche.metric` (repeatable; default:
    /// every tranche's expected_loss).
    #[arg(long)]
    pub metric: Vec<String>,
    /// The tranche absorbing share changes (default: the tranche above).
    #[arg(long)]
    pub absorb: Option<String>,
    /// Paths (per facility or grid point), seed and threads.
    #[command(flatten)]
    pub simulation: SimulationArgs,
    /// Output folder and verbosity.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// How many paths to simulate, from which seed, on how many threads
/// (shared by every command that simulates).
#[derive(Debug, Clone, Copy, Args)]
pub struct SimulationArgs {
    /// Number of Monte Carlo paths (default: the facility file's, else 10000).
    #[arg(long)]
    pub paths: Option<u64>,
    /// Seed of the random streams (default: the facility file's, else 0).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Where a command writes and how much it prints (shared by run, size and
/// sweep).
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output folder (default: out/<facility> for run, out/<facility>-size
    /// and out/<facility>-sweep for size and sweep; <facility> is the
    /// facility file's folder name for a facility.toml, else its file stem).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
}

impl OutputArgs {
    /// The output folder: `--out`, else the command's default
    /// ([`super::default_output_folder`]; `command` is `None` for run).
    pub fn folder(&self, facility: &std::path::Path, command: Option<&str>) -> PathBuf {
        self.out
            .clone()
            .unwrap_or_else(|| super::default_output_folder(facility, command))
    }
}
