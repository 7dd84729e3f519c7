//! blendsim: Monte Carlo simulation of blended-finance facilities.
//!
//! The flow runs one way: [`spec`] (validated inputs) -> [`model`] (compiled
//! schedules and thresholds) -> [`simulate`] (pool paths) -> [`waterfall`]
//! (tranche cash flows) -> [`aggregate`] (statistics) -> [`report`] (files).
//! [`engine`] drives a simulation (all at once, or block by block until
//! the [`precision`] targets are met); [`pipeline`] runs a facility end to end
//! (each scenario through every stage into its output files), for the
//! command line, the benches and the tests; [`publish`] swaps the finished
//! pack in for the output folder's previous content as a whole; [`sizing`]
//! solves for a tranche's size against a target (and sweeps parameters),
//! evaluating many capital structures on one set of pool paths through the
//! engine's parallel loop; [`analytic`] gives independent semi-analytic
//! answers for homogeneous pools; [`mod@format`] is how numbers read for people.
#![deny(missing_docs)]

pub mod aggregate;
pub mod analytic;
pub mod engine;
pub mod format;
pub mod importance;
pub mod limits;
pub mod model;
pub mod money;
pub mod pipeline;
pub mod precision;
pub mod publish;
pub mod report;
pub mod shard;
pub mod simulate;
pub mod sizing;
pub mod spec;
pub mod waterfall;
