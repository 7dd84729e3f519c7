//! The committee pack: every statistic beyond summary.csv, computed after
//! the simulation from the per-path outcomes, in path order.
//!
//! Amounts in the pack are in currency units (f64), for reporting only.

use rayon::prelude::*;
use serde::Serialize;

use crate::model::Model;
use crate::spec::{ProjectSpec, Segment};

use super::contributions::{Allocation, ES_LEVEL, TailWeights, allocate};
use super::convergence::ConvergenceRow;
use super::facility::{FacilityMetrics, facility_metrics};
use super::nexus_events::{NexusEventSummary, summarise_nexus_events};
use super::nexus_impact::NexusImpact;
use super::nexus_timing::{NexusTimingRow, nexus_timing};
use super::parties::{PartySummary, summarise_parties};
use super::quantiles::{Bin, QuantileEstimate, grid_quantiles, weighted_loss_histogram};
use super::rating::{ImpliedRating, RatingBasis, RatingBenchmark, rating_horizon};
use super::{Estimate, ImportanceSummary, Outcomes, Sample, TrancheSummary, Weights};

/// Name of the pool as a party in quantiles.csv and histogram.csv.
pub const POOL: &str = "pool";

/// Everything the committee pack reports.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitteePack {
    /// Facility-wide metrics.
    pub facility: FacilityMetrics,
    /// Implied rating per tranche, most senior first.
    pub ratings: Vec<ImpliedRating>,
    /// What the implied ratings were compared with.
    pub rating_benchmark: RatingBenchmark,
    /// Quantiles of each party's loss (and each tranche's IRR).
    pub quantiles: Vec<QuantileSet>,
    /// Loss histogram of each tranche, then the pool.
    pub histograms: Vec<(String, Vec<Bin>)>,
    /// Per-project risk, largest ES contribution first.
    pub projects: Vec<ProjectRisk>,
    /// Risk rolled up by mineral, largest ES contribution first.
    pub minerals: Vec<GroupRisk>,
    /// Risk rolled up by country, largest ES contribution first.
    pub countries: Vec<GroupRisk>,
    /// Pool expected shortfall at 99% in currency units (the sum of the
    /// contributions).
    pub pool_es_99_amount: f64,
    /// Series for the charts.
    pub charts: ChartSeries,
    /// One row per party, then the public side as a whole (parties.csv).
    pub parties: Vec<PartySummary>,
    /// Nexus events by group (nexus_events.csv; empty without
    /// `[nexus_events]`).
    pub nexus_events: Vec<NexusEventSummary>,
    /// Nexus events by year of the deal and group (nexus_timing.csv; empty
    /// without `[nexus_events]`).
    pub nexus_timing: Vec<NexusTimingRow>,
    /// What nexus events change against the same paths without them
    /// (nexus_impact.csv; filled by the run when there are events).
    pub nexus_impact: Vec<NexusImpact>,
    /// One-at-a-time sensitivities (tornado.csv; filled by the run when
    /// asked for).
    pub tornado: Option<super::Tornado>,
    /// The headline estimates after every block of paths (convergence.csv;
    /// filled by the run, which knows the block size).
    pub convergence: Vec<ConvergenceRow>,
    /// With importance sampling, its law and weights (`None`: plain).
    pub importance: Option<ImportanceSummary>,
}

/// Quantiles of one party's metric on the fixed grid.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantileSet {
    /// Tranche name or [`POOL`].
    pub party: String,
    /// `loss` (fraction of notional) or `irr` (annual rate).
    pub metric: &'static str,
    /// One estimate per grid probability.
    pub values: Vec<QuantileEstimate>,
}

/// One project's risk.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectRisk {
    /// Project id.
    pub id: String,
    /// Project name.
    pub name: String,
    /// Mineral.
    pub mineral: String,
    /// Country.
    pub country: String,
    /// extraction or processing.
    pub segment: &'static str,
    /// Principal lent.
    pub amount: f64,
    /// Expected loss and ES contribution, in currency units.
    pub risk: Allocation,
}

/// A mineral's or country's risk.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRisk {
    /// Mineral or country.
    pub name: String,
    /// Principal lent to its projects.
    pub amount: f64,
    /// Expected loss in currency units.
    pub expected_loss: Estimate,
    /// Contribution to the pool ES at 99%, currency units.
    pub es_contribution: f64,
    /// Its approximate standard error.
    pub es_contribution_se: f64,
}

/// Chart-ready series, one entry per tranche, most senior first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartSeries {
    /// (loss fraction x, P(loss > x)) per tranche, P > 0 only.
    pub exceedance: Vec<(String, Vec<(f64, f64)>)>,
    /// (IRR, P(IRR <= x)) per tranche, at the 0.5%..99.5% quantiles.
    pub irr_cdf: Vec<(String, Vec<(f64, f64)>)>,
    /// (years from start, expected cash received in the period) per tranche.
    pub expected_cash: Vec<(String, Vec<(f64, f64)>)>,
}

/// Builds the pack. `projects` are the facility's projects in list order
/// (the model's loan order); `benchmark` gives the implied ratings' table
/// and statistic.
///
/// The statistics are independent of one another, so they run side by side
/// on the current rayon pool (the run's `--threads`); each is computed by
/// one thread in path order, so the pack is the same for any number of
/// threads (tests/it/reproducibility.rs).
pub fn committee_pack(
    model: &Model,
    projects: &[ProjectSpec],
    outcomes: &Outcomes,
    summary: &[TrancheSummary],
    benchmark: &RatingBenchmark,
) -> CommitteePack {
    let unit = 10f64.powi(-(model.currency.minor_digits as i32));
    let ((sorted, contributions), (parties, (facility, (nexus_events, nexus_timing)))) =
        rayon::join(
            || {
                rayon::join(
                    || SortedColumns::of(model, outcomes),
                    || {
                        let weights = Weights::of(&outcomes.weights);
                        let tail =
                            TailWeights::worst_weighted(&outcomes.pool_loss, weights, ES_LEVEL);
                        contributions(model, projects, outcomes, &tail, unit)
                    },
                )
            },
            || {
                rayon::join(
                    || summarise_parties(model, outcomes, unit),
                    || {
                        rayon::join(
                            || facility_metrics(model, outcomes, unit),
                            || {
                                // Not weighted yet (NOT_WEIGHTED): not
                                // computed under importance sampling.
                                match outcomes.is_weighted() {
                                    true => (Vec::new(), Vec::new()),
                                    false => rayon::join(
                                        || summarise_nexus_events(model, outcomes, unit),
                                        || nexus_timing(model, outcomes, unit),
                                    ),
                                }
                            },
                        )
                    },
                )
            },
        );
    let (projects, minerals, countries) = contributions;
    CommitteePack {
        pool_es_99_amount: projects.iter().map(|p| p.risk.es_contribution).sum(),
        ratings: ratings(model, summary, benchmark),
        rating_benchmark: benchmark.clone(),
        quantiles: sorted.quantile_sets(model),
        histograms: histograms(model, outcomes),
        charts: chart_series(model, outcomes, &sorted, unit),
        parties,
        nexus_events,
        nexus_timing,
        nexus_impact: Vec::new(),
        tornado: None,
        convergence: Vec::new(),
        importance: ImportanceSummary::of(model, &outcomes.weights),
        facility,
        projects,
        minerals,
        countries,
    }
}

/// Each tranche's losses and IRRs and the pool's losses, sorted once for
/// the quantiles and the charts (in parallel: each sort is one thread's),
/// with their weights under importance sampling.
struct SortedColumns {
    /// Per tranche, (losses, IRRs) in ascending order.
    tranches: Vec<(Sample, Sample)>,
    /// The pool's losses in ascending order.
    pool: Sample,
}

impl SortedColumns {
    fn of(model: &Model, outcomes: &Outcomes) -> Self {
        let weights = Weights::of(&outcomes.weights);
        let count = model
            .liabilities
            .tranches
            .len()
            .min(outcomes.tranches.len());
        let (tranches, pool) = rayon::join(
            || {
                outcomes.tranches[..count]
                    .par_iter()
                    .map(|c| rayon::join(|| weights.sorted(&c.loss), || weights.sorted(&c.irr)))
                    .collect()
            },
            || weights.sorted(&outcomes.pool_loss),
        );
        SortedColumns { tranches, pool }
    }

    fn quantile_sets(&self, model: &Model) -> Vec<QuantileSet> {
        let mut sets = Vec::new();
        for (tranche, (loss, irr)) in model.liabilities.tranches.iter().zip(&self.tranches) {
            for (metric, values) in [("loss", loss), ("irr", irr)] {
                sets.push(QuantileSet {
                    party: tranche.name.clone(),
                    metric,
                    values: sample_quantiles(values, metric),
                });
            }
        }
        sets.push(QuantileSet {
            party: POOL.into(),
            metric: "loss",
            values: sample_quantiles(&self.pool, "loss"),
        });
        sets
    }
}

/// Quantiles on the grid: with order-statistic intervals under plain
/// sampling; weighted, a loss's from its upper tail and an IRR's from its
/// distribution function (see `weighted.rs`).
fn sample_quantiles(sample: &Sample, metric: &str) -> Vec<QuantileEstimate> {
    if !sample.is_weighted() {
        return grid_quantiles(&sample.values);
    }
    super::PROBABILITY_GRID
        .iter()
        .filter_map(|&p| match metric {
            "loss" => sample.loss_quantile_interval(p),
            _ => sample.irr_quantile_interval(p),
        })
        .collect()
}

fn ratings(
    model: &Model,
    summary: &[TrancheSummary],
    benchmark: &RatingBenchmark,
) -> Vec<ImpliedRating> {
    let legal_final = model.calendar.years_from_start(model.calendar.periods());
    summary
        .iter()
        .map(|row| {
            let (metric, se) = match benchmark.basis() {
                // A missed coupon of a non-deferrable tranche is a default.
                RatingBasis::DefaultProbability => (row.prob_default, row.prob_default_se),
                // The guarantor invests nothing: it is rated on its
                // payouts as a fraction of its cap.
                RatingBasis::ExpectedLoss if row.pv_loss.is_nan() => {
                    (row.expected_loss, row.expected_loss_se)
                }
                RatingBasis::ExpectedLoss => (row.pv_loss, row.pv_loss_se),
            };
            benchmark.implied_rating((metric, se), rating_horizon(row.wal_years, legal_final))
        })
        .collect()
}

fn histograms(model: &Model, outcomes: &Outcomes) -> Vec<(String, Vec<Bin>)> {
    let weights = outcomes.is_weighted().then_some(&outcomes.weights[..]);
    let histogram = |losses: &[f64]| weighted_loss_histogram(losses, weights);
    let tranches = model.liabilities.tranches.iter().zip(&outcomes.tranches);
    tranches
        .map(|(t, c)| (t.name.clone(), histogram(&c.loss)))
        .chain([(POOL.to_owned(), histogram(&outcomes.pool_loss))])
        .collect()
}

type Contributions = (Vec<ProjectRisk>, Vec<GroupRisk>, Vec<GroupRisk>);

fn contributions(
    model: &Model,
    projects: &[ProjectSpec],
    outcomes: &Outcomes,
    tail: &TailWeights,
    unit: f64,
) -> Contributions {
    let loans = &model.pool.loans;
    let amounts: Vec<f64> = loans
        .iter()
        .map(|l| l.balance_start.first().map_or(0.0, |b| b.as_f64() * unit))
        .collect();
    let identity: Vec<usize> = (0..loans.len()).collect();
    let factors = &model.pool.factors;
    let grouped = |names: &[String], keys: Vec<usize>| {
        group_risk(outcomes, tail, unit, &amounts, names, &keys)
    };
    // The three allocations are independent: side by side.
    let (per_project, (minerals, countries)) = rayon::join(
        || {
            allocate(
                &outcomes.detail,
                (outcomes.paths(), Weights::of(&outcomes.weights)),
                &identity,
                loans.len(),
                tail,
            )
        },
        || {
            rayon::join(
                || grouped(&factors.minerals, loans.iter().map(|l| l.mineral).collect()),
                || {
                    grouped(
                        &factors.countries,
                        loans.iter().map(|l| l.country).collect(),
                    )
                },
            )
        },
    );
    let mut project_rows: Vec<ProjectRisk> = projects
        .iter()
        .zip(&per_project)
        .zip(&amounts)
        .map(|((p, risk), &amount)| ProjectRisk {
            id: p.id.clone(),
            name: p.name.clone(),
            mineral: p.mineral.clone(),
            country: p.country.clone(),
            segment: match p.segment {
                Segment::Extraction => "extraction",
                Segment::Processing => "processing",
            },
            amount,
            risk: scaled(*risk, unit),
        })
        .collect();
    project_rows.sort_by(|a, b| b.risk.es_contribution.total_cmp(&a.risk.es_contribution));
    (project_rows, minerals, countries)
}

/// The risk of each group of loans (`keys[loan]` is its group's index in
/// `names`), largest ES contribution first.
fn group_risk(
    outcomes: &Outcomes,
    tail: &TailWeights,
    unit: f64,
    amounts: &[f64],
    names: &[String],
    keys: &[usize],
) -> Vec<GroupRisk> {
    let paths = (outcomes.paths(), Weights::of(&outcomes.weights));
    let allocations = allocate(&outcomes.detail, paths, keys, names.len(), tail);
    let mut rows: Vec<GroupRisk> = names
        .iter()
        .zip(allocations)
        .enumerate()
        .map(|(g, (name, risk))| {
            let risk = scaled(risk, unit);
            GroupRisk {
                name: name.clone(),
                amount: (keys.iter().zip(amounts))
                    .filter(|&(&k, _)| k == g)
                    .map(|(_, &a)| a)
                    .sum(),
                expected_loss: risk.expected_loss,
                es_contribution: risk.es_contribution,
                es_contribution_se: risk.es_contribution_se,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.es_contribution.total_cmp(&a.es_contribution));
    rows
}

fn scaled(a: Allocation, unit: f64) -> Allocation {
    Allocation {
        expected_loss: Estimate {
            mean: a.expected_loss.mean * unit,
            se: a.expected_loss.se * unit,
        },
        es_contribution: a.es_contribution * unit,
        es_contribution_se: a.es_contribution_se * unit,
    }
}

/// Points on the loss axis at which exceedance curves are drawn.
const EXCEEDANCE_POINTS: usize = 200;

fn chart_series(
    model: &Model,
    outcomes: &Outcomes,
    sorted: &SortedColumns,
    unit: f64,
) -> ChartSeries {
    let calendar = &model.calendar;
    let periods = calendar.periods();
    let mut series = ChartSeries::default();
    for (t, (tranche, (losses, irrs))) in model
        .liabilities
        .tranches
        .iter()
        .zip(&sorted.tranches)
        .enumerate()
    {
        let exceedance = (0..EXCEEDANCE_POINTS)
            .map(|i| i as f64 / EXCEEDANCE_POINTS as f64)
            .map(|x| (x, losses.upper_tail(x)))
            .filter(|&(_, p)| p > 0.0)
            .collect();
        let irr_cdf = (1..=199)
            .map(|i| i as f64 / 200.0)
            .map(|p| (irrs.irr_quantile(p), p))
            .collect();
        let cash = (1..=periods)
            .map(|k| {
                (
                    calendar.years_from_start(k),
                    expected_tranche_cash(&outcomes.cashflows, t, k) * unit,
                )
            })
            .collect();
        series.exceedance.push((tranche.name.clone(), exceedance));
        series.irr_cdf.push((tranche.name.clone(), irr_cdf));
        series.expected_cash.push((tranche.name.clone(), cash));
    }
    series
}

/// Mean cash (interest, principal, residual and commitment fee) tranche `tranche` received
/// in period `k`, in minor units, from the waterfall's exact sums (weighted
/// under importance sampling).
fn expected_tranche_cash(sums: &crate::waterfall::CashflowSums, tranche: usize, k: usize) -> f64 {
    let total = sums.tranche_cash(tranche, k);
    if sums.paths == 0 {
        0.0
    } else if sums.is_weighted() {
        crate::waterfall::fixed_mean(total, sums.paths)
    } else {
        total as f64 / sums.paths as f64
    }
}
