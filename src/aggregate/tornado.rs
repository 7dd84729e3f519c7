//! tornado.csv's statistics: how much each tranche's expected loss and the
//! public side's PV cost move when one input is shifted at a time, against
//! the same facility on the same paths (same seed, same random streams:
//! common random numbers, so each change is a paired difference with a
//! small standard error).

use crate::model::Model;

use super::parties::PUBLIC_TOTAL;
use super::{Estimate, Outcomes, estimate};

/// The most paths each of the tornado's shifted runs has when the request
/// does not say (`pipeline::default_tornado_paths`).
pub const DEFAULT_TORNADO_PATHS: u64 = 10_000;

/// What a row measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TornadoMetric {
    /// A tranche's expected principal loss, fraction of notional.
    ExpectedLoss,
    /// The public side's PV cost (every public party's), currency units.
    PvCost,
}

impl TornadoMetric {
    /// The metric's name in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            TornadoMetric::ExpectedLoss => "expected_loss",
            TornadoMetric::PvCost => "pv_cost",
        }
    }

    /// The unit of its values, as docs/outputs.md writes units.
    pub fn unit(self) -> &'static str {
        match self {
            TornadoMetric::ExpectedLoss => "fraction of notional",
            TornadoMetric::PvCost => "currency",
        }
    }
}

/// One metric on every path of a run: its holder, what it is, its values.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricPaths {
    /// Tranche name, or [`PUBLIC_TOTAL`].
    pub holder: String,
    /// What the values are.
    pub metric: TornadoMetric,
    /// One value per path, in path order.
    pub values: Vec<f64>,
}

/// Each tranche's loss and, with public parties, the public side's PV
/// cost, on the first `paths` paths of `outcomes` (a path's draws do not
/// depend on how many paths run, so the first `paths` of a longer run are
/// the paths of a shorter one). `unit` converts minor units to currency
/// units.
pub fn tornado_metrics(
    model: &Model,
    outcomes: &Outcomes,
    paths: usize,
    unit: f64,
) -> Vec<MetricPaths> {
    let paths = paths.min(outcomes.paths());
    let mut metrics: Vec<MetricPaths> = (model.liabilities.tranches.iter())
        .zip(&outcomes.tranches)
        .map(|(tranche, columns)| MetricPaths {
            holder: tranche.name.clone(),
            metric: TornadoMetric::ExpectedLoss,
            values: columns.loss[..paths].to_vec(),
        })
        .collect();
    let public: Vec<_> = (model.parties.parties.iter())
        .zip(&outcomes.parties)
        .filter(|(party, _)| party.public)
        .map(|(_, columns)| columns)
        .collect();
    if !public.is_empty() {
        // Summed path by path in party order: reproducible.
        let values = (0..paths)
            .map(|i| {
                (public.iter())
                    .map(|c| (c.pv_paid[i] - c.pv_received[i]) * unit)
                    .sum()
            })
            .collect();
        metrics.push(MetricPaths {
            holder: PUBLIC_TOTAL.to_owned(),
            metric: TornadoMetric::PvCost,
            values,
        });
    }
    metrics
}

/// Which way an input was moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The input's value moved down (PDs x0.8, recovery means down 10 points).
    Down,
    /// The value moved up.
    Up,
}

impl Direction {
    /// The word used in tornado.csv.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Down => "down",
            Direction::Up => "up",
        }
    }
}

/// One row of tornado.csv: one metric under one shift of one input.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoRow {
    /// The input shifted (`default_probabilities`).
    pub input: &'static str,
    /// The shift, as a person reads it (`x1.25`, `up 10 points`; never starting with a sign, which a
    /// spreadsheet would read as a formula).
    pub shift: &'static str,
    /// Which way the input moved.
    pub direction: Direction,
    /// Tranche name, or [`PUBLIC_TOTAL`].
    pub holder: String,
    /// What is compared.
    pub metric: TornadoMetric,
    /// The metric without the shift, same paths.
    pub base: f64,
    /// With the shift.
    pub shifted: f64,
    /// `shifted - base`, and its standard error from the paired
    /// differences.
    pub change: Estimate,
}

/// One-at-a-time sensitivities of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Tornado {
    /// Paths each shift ran on (the first paths of the run).
    pub paths: u64,
    /// Paths of the run itself (the shifts' cost is against it).
    pub run_paths: u64,
    /// Wall time of the shifted runs together, seconds.
    pub seconds: f64,
    /// Rows in the order the shifts ran, metrics in [`tornado_metrics`]'s
    /// order within each.
    pub rows: Vec<TornadoRow>,
    /// Shifts left out because the shifted facility left the accepted
    /// inputs, each with why (`loan_coupons up 100 bp: ...`).
    pub skipped: Vec<String>,
}

impl Tornado {
    /// The paths of every shifted run together as a share of the run's
    /// (what the tornado costs against the run: a shifted run costs what
    /// the run costs per path).
    pub fn share_of_run(&self) -> f64 {
        (self.runs() as u64 * self.paths) as f64 / self.run_paths.max(1) as f64
    }

    /// The shifts run (those not left out).
    pub fn runs(&self) -> usize {
        match self.rows.first() {
            Some(first) => self
                .rows
                .iter()
                .filter(|r| r.holder == first.holder)
                .count(),
            None => 0,
        }
    }

    /// The rows of one holder's metric, largest swing first (the swing of
    /// an input: the larger of its two changes' sizes), each input's
    /// (down, up) changes.
    pub fn bars(&self, holder: &str) -> Vec<(&'static str, [Option<&TornadoRow>; 2])> {
        let mut bars: Vec<(&'static str, [Option<&TornadoRow>; 2])> = Vec::new();
        for row in self.rows.iter().filter(|r| r.holder == holder) {
            let side = match row.direction {
                Direction::Down => 0,
                Direction::Up => 1,
            };
            match bars.iter_mut().find(|(input, _)| *input == row.input) {
                Some((_, pair)) => pair[side] = Some(row),
                None => {
                    let mut pair = [None, None];
                    pair[side] = Some(row);
                    bars.push((row.input, pair));
                }
            }
        }
        let swing = |pair: &[Option<&TornadoRow>; 2]| {
            pair.iter()
                .flatten()
                .map(|r| r.change.mean.abs())
                .filter(|x| x.is_finite())
                .fold(0.0, f64::max)
        };
        // Stable: inputs of equal swing keep the order they ran in.
        bars.sort_by(|a, b| swing(&b.1).total_cmp(&swing(&a.1)));
        bars
    }
}

/// The rows of one shift: each metric of `shifted` against the same metric
/// of `base` (both from [`tornado_metrics`] on the same paths).
pub fn compare_shift(
    input: &'static str,
    shift: &'static str,
    direction: Direction,
    base: &[MetricPaths],
    shifted: &[MetricPaths],
) -> Vec<TornadoRow> {
    base.iter()
        .zip(shifted)
        .map(|(b, s)| {
            let differences: Vec<f64> = (s.values.iter().zip(&b.values))
                .map(|(x, y)| x - y)
                .collect();
            TornadoRow {
                input,
                shift,
                direction,
                holder: b.holder.clone(),
                metric: b.metric,
                base: estimate(&b.values).mean,
                shifted: estimate(&s.values).mean,
                change: estimate(&differences),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(values: &[f64]) -> Vec<MetricPaths> {
        vec![MetricPaths {
            holder: "senior".into(),
            metric: TornadoMetric::ExpectedLoss,
            values: values.to_vec(),
        }]
    }

    #[test]
    fn changes_are_paired_path_by_path() {
        // Differences 0.1, 0.1, 0.1, 0.1: a mean of 0.1 with no spread,
        // although each side alone varies.
        let base = metric(&[0.0, 0.2, 0.4, 0.6]);
        let shifted = metric(&[0.1, 0.3, 0.5, 0.7]);
        let rows = compare_shift("pd", "x2", Direction::Up, &base, &shifted);
        assert_eq!(rows.len(), 1);
        assert!((rows[0].base - 0.3).abs() < 1e-12);
        assert!((rows[0].shifted - 0.4).abs() < 1e-12);
        assert!((rows[0].change.mean - 0.1).abs() < 1e-12);
        assert!(rows[0].change.se < 1e-12);
    }

    #[test]
    fn bars_pair_the_two_directions_largest_swing_first() {
        let row = |input, direction, change| TornadoRow {
            input,
            shift: "",
            direction,
            holder: "senior".into(),
            metric: TornadoMetric::ExpectedLoss,
            base: 0.0,
            shifted: change,
            change: Estimate {
                mean: change,
                se: 0.0,
            },
        };
        let tornado = Tornado {
            paths: 10,
            run_paths: 320,
            seconds: 0.0,
            skipped: Vec::new(),
            rows: vec![
                row("a", Direction::Down, -0.01),
                row("a", Direction::Up, 0.01),
                row("b", Direction::Down, -0.03),
                row("b", Direction::Up, 0.02),
            ],
        };
        let bars = tornado.bars("senior");
        assert_eq!(bars.len(), 2);
        assert_eq!(bars[0].0, "b");
        assert_eq!(bars[0].1[0].map(|r| r.change.mean), Some(-0.03));
        assert_eq!(bars[1].1[1].map(|r| r.change.mean), Some(0.01));
        assert!(tornado.bars("mezzanine").is_empty());
    }
}
