//! Tranche sizing: the size of one tranche at which a target on a tranche
//! metric is met ("how much first-loss capital makes the senior tranche's
//! expected loss at most 10 bp?").
//!
//! The pool's paths do not depend on the capital structure, so they are
//! simulated once per scenario ([`PoolSample`]) and every candidate
//! structure is evaluated on the same paths (common random numbers): the
//! metric is then a deterministic function of the size on the sample, the
//! search is exact on the sample, and the sizing curve is smooth rather than
//! noisy.
//!
//! Layers, each file importing only those above it in this list:
//! - `error`: [`SizingError`], in the request's words (no command-line flags);
//! - `target`: targets and metrics; `per_path`: what one path's waterfall
//!   gives a metric (shared with sweeps); `structure`: the tranche varied
//!   and how the rest responds; `roots`: pure root-finding numerics;
//! - `request`: what a sizing is asked and answers, and its checks;
//!   `bracket`: one search's bracket and the steps that narrow it;
//! - `sample`: the pool's paths, and candidate structures run on them
//!   through the engine's parallel loop; `irr_window`: IRR quantiles
//!   without solving every path's IRR; `cache`: every candidate evaluated,
//!   one record each, with its neighbour look-ups;
//! - `batch`: candidates of one scenario evaluated together; `problem`:
//!   what a search solves; `screen`: screened candidates and proven misses;
//!   `evaluate`: candidates evaluated in every scenario, and as points;
//! - `solve`: the search ([`size`]); `sweep`: sensitivity sweeps ([`sweep`]).

mod batch;
mod bracket;
mod cache;
mod error;
mod evaluate;
mod irr_window;
mod per_path;
mod problem;
mod request;
mod roots;
mod sample;
mod screen;
mod solve;
mod structure;
mod sweep;
mod target;

pub use error::{AxisProblem, Role, SizingError, ValueProblem};
pub use request::{MAX_GRID, SizingPoint, SizingRequest, SizingResult};
pub use sample::{Candidate, PoolSample};
pub use solve::size;
pub use sweep::{Axis, CANDIDATES_PER_PASS, Parameter, SweepPoint, SweptMetric, sweep};
pub use target::{Direction, Evaluation, Metric, Target, parse_tranche_metric};
