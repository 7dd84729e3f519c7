//! Aggregate stage: per-path outcomes kept in path order, and the
//! statistics a committee reads from them.

mod append;
mod contributions;
mod convergence;
mod coverage;
mod detail;
mod facility;
mod nexus_events;
mod nexus_impact;
mod nexus_timing;
mod pack;
mod parties;
mod party_path;
mod quantiles;
mod rating;
mod stats;
mod summary;
mod timely;
mod tornado;
mod weighted;

pub use contributions::{Allocation, ES_LEVEL, TailWeights, allocate};
pub use convergence::{CONVERGENCE_METRICS, ConvergenceRow, RunningEstimate, convergence};
pub use coverage::{CoverageSummary, summarise_coverage};
pub use detail::{DetailColumns, PathDetail};
pub use facility::{FacilityMetrics, facility_metrics};
pub use nexus_events::{EventGroup, NexusEventSummary, summarise_nexus_events};
pub use nexus_impact::{ImpactMetric, NexusImpact, nexus_impact};
pub use nexus_timing::{NexusTimingRow, nexus_timing};
pub use pack::{
    ChartSeries, CommitteePack, GroupRisk, POOL, ProjectRisk, QuantileSet, committee_pack,
};
pub use parties::{PUBLIC_TOTAL, PartySummary, summarise_parties};
pub use party_path::{PartyOutcome, PartyScratch, party_outcomes};
pub use quantiles::{
    BIN_WIDTH, Bin, PROBABILITY_GRID, QuantileEstimate, grid_quantiles, loss_histogram,
    quantile_with_interval, weighted_loss_histogram,
};
pub use rating::{
    BenchmarkError, ImpliedRating, RatingBasis, RatingBenchmark, idealized_pd, interpolate_by_year,
    rating_horizon,
};
pub use stats::{
    CompensatedSum, Estimate, estimate, exceedance, expected_shortfall,
    expected_shortfall_estimate, quantile, sorted,
};
pub use summary::{TrancheSummary, summarise};
pub use timely::{TimelyColumns, TimelyInterest, timely_interest};
pub use tornado::{
    DEFAULT_TORNADO_PATHS, Direction, MetricPaths, Tornado, TornadoMetric, TornadoRow,
    compare_shift, tornado_metrics,
};
pub use weighted::{ImportanceSummary, NOT_WEIGHTED, Sample, Weights};

use crate::waterfall::{CashflowSums, TrancheOutcome};

/// Everything kept of one path.
#[derive(Debug, Clone, PartialEq)]
pub struct PathOutcome {
    /// One outcome per tranche, most senior first.
    pub tranches: Vec<TrancheOutcome>,
    /// Pool loss (written-off principal less recoveries) / pool principal.
    pub pool_loss: f64,
    /// Number of loans that defaulted.
    pub defaults: u32,
    /// Per-project losses, recoveries and tranche cash (the committee pack).
    pub detail: PathDetail,
    /// The guarantor's outcome (loss = payouts / cap, moic = fees / cap),
    /// when the facility has a guarantee.
    pub guarantee: Option<TrancheOutcome>,
    /// Per coverage test, the first period in which it failed (0: never).
    pub first_failures: Vec<u32>,
    /// Per tranche, the first period whose coupon was not paid in full on
    /// its date (0: never; always 0 for a deferrable tranche) and the
    /// coupons so missed as a fraction of notional.
    pub timely: Vec<(u32, f64)>,
    /// The period of the event of default (0: none).
    pub event_of_default: u32,
    /// One outcome per party (`Model::parties`), in order.
    pub parties: Vec<PartyOutcome>,
    /// The path's likelihood ratio under importance sampling (`None`:
    /// plain sampling, weight 1).
    pub weight: Option<f64>,
}

/// Per-path outcomes of a run, as columns, in path order.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Outcomes {
    /// One set of columns per tranche, most senior first.
    pub tranches: Vec<TrancheColumns>,
    /// Pool loss fraction per path.
    pub pool_loss: Vec<f64>,
    /// Number of defaults per path.
    pub defaults: Vec<u32>,
    /// Per-project losses and recoveries per path; tranche cash summed.
    pub detail: DetailColumns,
    /// The guarantor's columns, when the facility has a guarantee.
    pub guarantee: Option<TrancheColumns>,
    /// Per coverage test, the first failing period per path (0: never).
    pub first_failures: Vec<Vec<u32>>,
    /// Sums over paths of every party's cash flows, per period.
    pub cashflows: CashflowSums,
    /// Per tranche, its timely-interest record on every path.
    pub timely: Vec<TimelyColumns>,
    /// The period of the event of default per path (0: none).
    pub events_of_default: Vec<u32>,
    /// One set of columns per party (`Model::parties`), in order.
    pub parties: Vec<PartyColumns>,
    /// Per path, its likelihood ratio under importance sampling; empty
    /// under plain sampling (every weight 1). Every statistic weights path
    /// i by `weights[i]` when there are weights (docs/model.md,
    /// "Importance sampling").
    pub weights: Vec<f64>,
}

/// One party's outcome on every path, and its exact cash summed over paths.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PartyColumns {
    /// PV of cash paid out at its discount rate (minor units).
    pub pv_paid: Vec<f64>,
    /// PV of cash received at its discount rate (minor units).
    pub pv_received: Vec<f64>,
    /// PV of paid less received at its grant-element rate (minor units).
    pub grant_cost: Vec<f64>,
    /// Loss (minor units).
    pub loss: Vec<f64>,
    /// Annual IRR (NaN where undefined).
    pub irr: Vec<f64>,
    /// Cash received (minor units), for the multiple.
    pub received: Vec<f64>,
    /// What the multiple divides by (minor units): paid into tranches
    /// plus the guaranteed share of the cap.
    pub invested: Vec<f64>,
    /// Exact sums over paths of cash paid and received (minor units;
    /// under importance sampling each path's amount times its fixed-point
    /// weight, [`crate::waterfall::fixed_weight`]).
    pub paid_sum: i128,
    /// See `paid_sum`.
    pub received_sum: i128,
}

impl PartyColumns {
    /// Appends a path's outcome; `scale` is 1, or under importance
    /// sampling the path's fixed-point weight, by which its cash counts in
    /// the exact sums.
    fn push(&mut self, o: &PartyOutcome, scale: i128) {
        self.pv_paid.push(o.pv_paid);
        self.pv_received.push(o.pv_received);
        self.grant_cost.push(o.grant_cost);
        self.loss.push(o.loss);
        self.irr.push(o.irr);
        self.received.push(o.received.as_f64());
        self.invested.push(o.invested.as_f64());
        self.paid_sum += scale * i128::from(o.paid.minor());
        self.received_sum += scale * i128::from(o.received.minor());
    }
}

/// One tranche's outcome on every path.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrancheColumns {
    /// Principal loss, fraction of notional.
    pub loss: Vec<f64>,
    /// Deferred-interest loss, fraction of notional.
    pub deferred_interest_loss: Vec<f64>,
    /// Present-value loss at the promised yield, fraction of notional.
    pub pv_loss: Vec<f64>,
    /// Annual IRR.
    pub irr: Vec<f64>,
    /// Multiple on invested capital.
    pub moic: Vec<f64>,
    /// Weighted average life in years (NaN where no principal was repaid).
    pub wal_years: Vec<f64>,
}

impl TrancheColumns {
    fn push(&mut self, outcome: &TrancheOutcome) {
        self.loss.push(outcome.loss);
        self.deferred_interest_loss
            .push(outcome.deferred_interest_loss);
        self.pv_loss.push(outcome.pv_loss);
        self.irr.push(outcome.irr);
        self.moic.push(outcome.moic);
        self.wal_years.push(outcome.wal_years);
    }
}

impl Outcomes {
    /// Empty columns for `tranches` tranches with room for `paths` paths.
    pub fn with_capacity(tranches: usize, paths: usize) -> Self {
        let column = || Vec::with_capacity(paths);
        Outcomes {
            tranches: (0..tranches)
                .map(|_| TrancheColumns {
                    loss: column(),
                    deferred_interest_loss: column(),
                    pv_loss: column(),
                    irr: column(),
                    moic: column(),
                    wal_years: column(),
                })
                .collect(),
            pool_loss: column(),
            defaults: Vec::with_capacity(paths),
            detail: DetailColumns::default(),
            guarantee: None,
            first_failures: Vec::new(),
            cashflows: CashflowSums::default(),
            timely: (0..tranches).map(|_| TimelyColumns::default()).collect(),
            events_of_default: Vec::with_capacity(paths),
            parties: Vec::new(),
            weights: Vec::new(),
        }
    }

    /// Room for `paths` paths in the columns [`Outcomes::with_capacity`]
    /// does not size: each tranche's timely-interest record, `tests`
    /// coverage tests' first failures, `parties` parties' columns and the
    /// per-path detail. Without it each column grows by doubling, which at
    /// ten million paths holds up to two thirds more than the paths need.
    pub fn reserve(&mut self, parties: usize, tests: usize, paths: usize) {
        for columns in &mut self.timely {
            columns.first_shortfall.reserve(paths);
            columns.missed.reserve(paths);
        }
        self.first_failures.resize_with(tests, Vec::new);
        self.first_failures
            .iter_mut()
            .for_each(|c| c.reserve(paths));
        self.parties.resize_with(parties, PartyColumns::default);
        for columns in &mut self.parties {
            for column in [
                &mut columns.pv_paid,
                &mut columns.pv_received,
                &mut columns.grant_cost,
                &mut columns.loss,
                &mut columns.irr,
                &mut columns.received,
                &mut columns.invested,
            ] {
                column.reserve(paths);
            }
        }
        self.detail.reserve(paths);
    }

    /// Appends the next path's outcome.
    pub fn push(&mut self, outcome: &PathOutcome) {
        for (columns, t) in self.tranches.iter_mut().zip(&outcome.tranches) {
            columns.push(t);
        }
        if let Some(g) = &outcome.guarantee {
            self.guarantee.get_or_insert_with(Default::default).push(g);
        }
        self.first_failures
            .resize_with(outcome.first_failures.len(), Vec::new);
        for (column, &first) in self.first_failures.iter_mut().zip(&outcome.first_failures) {
            column.push(first);
        }
        for (columns, &(first, missed)) in self.timely.iter_mut().zip(&outcome.timely) {
            columns.first_shortfall.push(first);
            columns.missed.push(missed);
        }
        self.parties
            .resize_with(outcome.parties.len(), PartyColumns::default);
        let scale = outcome.weight.map_or(1, crate::waterfall::fixed_weight);
        for (columns, party) in self.parties.iter_mut().zip(&outcome.parties) {
            columns.push(party, scale);
        }
        self.pool_loss.push(outcome.pool_loss);
        self.defaults.push(outcome.defaults);
        self.events_of_default.push(outcome.event_of_default);
        self.detail.push(&outcome.detail);
        if let Some(weight) = outcome.weight {
            self.weights.push(weight);
        }
    }

    /// Whether the paths were drawn by importance sampling (and carry
    /// weights).
    pub fn is_weighted(&self) -> bool {
        !self.weights.is_empty()
    }

    /// Number of paths.
    pub fn paths(&self) -> usize {
        self.pool_loss.len()
    }
}
