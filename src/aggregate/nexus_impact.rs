//! nexus_impact.csv's statistics: what nexus events change for every
//! tranche and party, against the same facility without them on the same
//! paths (the pool's draws do not depend on the events, so the differences
//! are paired path by path and their standard errors are small).

use rayon::prelude::*;

use crate::model::{Model, PartyModel};

use super::parties::PUBLIC_TOTAL;
use super::{Estimate, Outcomes, PartyColumns, TrancheColumns, estimate, quantile, sorted};

/// What a row measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImpactMetric {
    /// A tranche's expected principal loss, fraction of notional.
    TrancheExpectedLoss,
    /// A tranche's probability of any loss.
    TrancheProbLoss,
    /// A tranche's median IRR.
    TrancheIrrP50,
    /// A party's expected loss in currency units.
    PartyExpectedLoss,
    /// A public party's PV cost in currency units.
    PartyPvCost,
}

impl ImpactMetric {
    /// The metric's name in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            ImpactMetric::TrancheExpectedLoss => "expected_loss",
            ImpactMetric::TrancheProbLoss => "prob_loss",
            ImpactMetric::TrancheIrrP50 => "irr_p50",
            ImpactMetric::PartyExpectedLoss => "party_expected_loss",
            ImpactMetric::PartyPvCost => "pv_cost",
        }
    }

    /// The unit of its values, as docs/outputs.md writes units.
    pub fn unit(self) -> &'static str {
        match self {
            ImpactMetric::TrancheExpectedLoss => "fraction of notional",
            ImpactMetric::TrancheProbLoss => "probability",
            ImpactMetric::TrancheIrrP50 => "annual rate",
            ImpactMetric::PartyExpectedLoss | ImpactMetric::PartyPvCost => "currency",
        }
    }
}

/// One row of nexus_impact.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct NexusImpact {
    /// Tranche or party name.
    pub holder: String,
    /// What is compared.
    pub metric: ImpactMetric,
    /// With nexus events.
    pub with_events: f64,
    /// Without them, same paths.
    pub without_events: f64,
    /// `with_events - without_events`, and its standard error from the
    /// paired differences (NaN for a quantile).
    pub change: Estimate,
}

/// Compares `with` (the run with nexus events) to `without` (the same
/// model and paths without them): each tranche's expected loss,
/// probability of loss and median IRR, then each party's expected loss
/// and, for public parties and the public side as a whole (`public`), PV
/// cost. `unit` converts minor units to
/// currency units.
pub fn nexus_impact(
    model: &Model,
    with: &Outcomes,
    without: &Outcomes,
    unit: f64,
) -> Vec<NexusImpact> {
    // Each tranche's and each party's rows are one thread's work, in path
    // order; the public total adds the parties' costs in party order.
    let (tranche_rows, party_rows) = rayon::join(
        || {
            (model.liabilities.tranches.par_iter().enumerate())
                .flat_map_iter(|(t, tranche)| {
                    tranche_impact(&tranche.name, &with.tranches[t], &without.tranches[t])
                })
                .collect::<Vec<_>>()
        },
        || {
            (model.parties.parties.par_iter().enumerate())
                .map(|(p, party)| party_impact(party, &with.parties[p], &without.parties[p], unit))
                .collect::<Vec<_>>()
        },
    );
    let mut rows = tranche_rows;
    let paths = with.paths();
    let (mut public_with, mut public_without) = (vec![0.0; paths], vec![0.0; paths]);
    for (party_rows, costs) in party_rows {
        rows.extend(party_rows);
        if let Some((x, y)) = costs {
            add_into(&mut public_with, &x);
            add_into(&mut public_without, &y);
        }
    }
    if model.parties.parties.iter().any(|p| p.public) {
        rows.push(paired(
            PUBLIC_TOTAL,
            ImpactMetric::PartyPvCost,
            &public_with,
            &public_without,
        ));
    }
    rows
}

/// A tranche's expected loss, probability of loss and median IRR with and
/// without the events.
fn tranche_impact(name: &str, a: &TrancheColumns, b: &TrancheColumns) -> [NexusImpact; 3] {
    let lost = |loss: &[f64]| -> Vec<f64> {
        loss.iter()
            .map(|&l| if l > 0.0 { 1.0 } else { 0.0 })
            .collect()
    };
    let median = |irr: &[f64]| quantile(&sorted(irr), 0.5);
    let (x, y) = (median(&a.irr), median(&b.irr));
    [
        paired(name, ImpactMetric::TrancheExpectedLoss, &a.loss, &b.loss),
        paired(
            name,
            ImpactMetric::TrancheProbLoss,
            &lost(&a.loss),
            &lost(&b.loss),
        ),
        NexusImpact {
            holder: name.to_owned(),
            metric: ImpactMetric::TrancheIrrP50,
            with_events: x,
            without_events: y,
            change: Estimate {
                mean: x - y,
                se: f64::NAN,
            },
        },
    ]
}

/// A party's rows (expected loss, and PV cost for public money) and, for
/// public money, its PV cost on every path with and without the events.
type PartyImpact = (Vec<NexusImpact>, Option<(Vec<f64>, Vec<f64>)>);

fn party_impact(party: &PartyModel, a: &PartyColumns, b: &PartyColumns, unit: f64) -> PartyImpact {
    let cost = |c: &PartyColumns| -> Vec<f64> {
        (c.pv_paid.iter().zip(&c.pv_received))
            .map(|(paid, received)| (paid - received) * unit)
            .collect()
    };
    let scaled = |v: &[f64]| -> Vec<f64> { v.iter().map(|x| x * unit).collect() };
    let mut rows = vec![paired(
        &party.name,
        ImpactMetric::PartyExpectedLoss,
        &scaled(&a.loss),
        &scaled(&b.loss),
    )];
    if !party.public {
        return (rows, None);
    }
    let (x, y) = (cost(a), cost(b));
    rows.push(paired(&party.name, ImpactMetric::PartyPvCost, &x, &y));
    (rows, Some((x, y)))
}

/// Adds `values` to `total` element by element (path by path, in party
/// order: reproducible).
fn add_into(total: &mut [f64], values: &[f64]) {
    for (t, v) in total.iter_mut().zip(values) {
        *t += v;
    }
}

/// Means of `with` and `without` and the paired difference's estimate.
fn paired(holder: &str, metric: ImpactMetric, with: &[f64], without: &[f64]) -> NexusImpact {
    let differences: Vec<f64> = with.iter().zip(without).map(|(a, b)| a - b).collect();
    NexusImpact {
        holder: holder.to_owned(),
        metric,
        with_events: estimate(with).mean,
        without_events: estimate(without).mean,
        change: estimate(&differences),
    }
}
