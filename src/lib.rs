//! blendsim: Monte Carlo simulation of blended-finance facilities.
//!
//! The flow runs one way: [`spec`] (validated inputs) -> model (compiled
//! schedules and thresholds) -> simulate (pool paths) -> waterfall (tranche
//! cash flows) -> aggregate (statistics) -> report (files).
#![deny(missing_docs)]

pub mod analytic;
pub mod spec;
