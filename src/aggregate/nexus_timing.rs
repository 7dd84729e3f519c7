//! nexus_timing.csv's statistics: when the acquisitions of sponsors by
//! PRC-linked entities happen, by year of the deal (year 1: the first 12
//! months after closing), for the pool and by mineral and country. A
//! budget office or a monitoring unit reads from it in which years the
//! remedies are expected to bite, not only how often over the whole life.

use crate::model::Model;

use super::nexus_events::{EventGroup, event_groups};
use super::stats::CompensatedSum;
use super::{Estimate, Outcomes};

/// One row of nexus_timing.csv: one group in one year of the deal.
/// Amounts in currency units.
#[derive(Debug, Clone, PartialEq)]
pub struct NexusTimingRow {
    /// Pool, mineral or country.
    pub group: EventGroup,
    /// The mineral or country (`all` for the pool).
    pub name: String,
    /// Year of the deal: 1 for acquisitions in the first 12 months after
    /// closing (payment dates up to and including year 1.0), and so on.
    pub year: u32,
    /// Mean number of acquisitions in that year per path.
    pub expected_events: Estimate,
    /// Mean principal outstanding at acquisition in that year per path.
    pub expected_exposure: Estimate,
    /// Share of paths with at least one acquisition of the group by the end
    /// of that year (cumulative).
    pub prob_event_by: Estimate,
}

/// The year of the deal of a date `years` after closing: 1 up to and
/// including 1.0 (a small tolerance absorbs the day count's rounding).
fn deal_year(years: f64) -> u32 {
    ((years - 1e-9).ceil().max(1.0)) as u32
}

/// Mean and standard error (as [`super::estimate`]) of `paths` values that
/// are zero except `nonzero`.
fn sparse_estimate(paths: usize, nonzero: &[f64]) -> Estimate {
    if paths == 0 {
        return Estimate::UNDEFINED;
    }
    let mut sum = CompensatedSum::default();
    nonzero.iter().for_each(|&v| sum.add(v));
    let mean = sum.value() / paths as f64;
    let mut squares = CompensatedSum::default();
    nonzero
        .iter()
        .for_each(|&v| squares.add((v - mean) * (v - mean)));
    squares.add((paths - nonzero.len()) as f64 * mean * mean);
    let se = if paths > 1 {
        (squares.value() / (paths - 1) as f64 / paths as f64).sqrt()
    } else {
        f64::NAN
    };
    Estimate { mean, se }
}

/// Per year of one group: the nonzero per-path counts and exposures, and
/// how many paths had their group's first acquisition in that year.
#[derive(Default, Clone)]
struct YearValues {
    counts: Vec<f64>,
    exposures: Vec<f64>,
    first: usize,
}

/// The rows of nexus_timing.csv: for each group of nexus_events.csv (pool,
/// minerals, countries), one row per year of the deal up to the last
/// payment date; empty without `[nexus_events]`. Sparse: only paths with
/// an acquisition are visited, so the table costs nothing per path
/// without events.
pub fn nexus_timing(model: &Model, outcomes: &Outcomes, unit: f64) -> Vec<NexusTimingRow> {
    if model.pool.acquisitions.is_none() {
        return Vec::new();
    }
    let calendar = &model.calendar;
    let years = deal_year(calendar.years_from_start(calendar.periods())) as usize;
    let paths = outcomes.paths();
    let mut rows = Vec::new();
    for (group, name, members) in event_groups(model) {
        let mut by_year = vec![YearValues::default(); years];
        // This path's events by year: (count, exposure in minor units).
        let mut path_year = vec![(0u32, 0i128); years];
        for path in 0..paths {
            let mut first: Option<usize> = None;
            for event in outcomes.detail.acquisitions(path) {
                if !members[event.loan] {
                    continue;
                }
                let y = deal_year(calendar.years_from_start(event.period)) as usize - 1;
                let y = y.min(years - 1);
                path_year[y].0 += 1;
                path_year[y].1 += i128::from(event.exposure.minor());
                first = Some(first.map_or(y, |f| f.min(y)));
            }
            let Some(first) = first else {
                continue;
            };
            by_year[first].first += 1;
            for (values, slot) in by_year.iter_mut().zip(path_year.iter_mut()) {
                if slot.0 > 0 {
                    values.counts.push(f64::from(slot.0));
                    values.exposures.push(slot.1 as f64 * unit);
                }
                *slot = (0, 0);
            }
        }
        let mut cumulative = 0usize;
        for (y, values) in by_year.iter().enumerate() {
            cumulative += values.first;
            rows.push(NexusTimingRow {
                group,
                name: name.clone(),
                year: y as u32 + 1,
                expected_events: sparse_estimate(paths, &values.counts),
                expected_exposure: sparse_estimate(paths, &values.exposures),
                prob_event_by: sparse_estimate(paths, &vec![1.0; cumulative]),
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::estimate;

    #[test]
    fn deal_years_end_on_whole_years() {
        assert_eq!(deal_year(0.25), 1);
        assert_eq!(deal_year(1.0), 1);
        assert_eq!(deal_year(1.0 + 1e-12), 1);
        assert_eq!(deal_year(1.25), 2);
        assert_eq!(deal_year(0.0), 1);
    }

    #[test]
    fn the_sparse_estimate_is_the_dense_one() {
        let dense = [0.0, 2.0, 0.0, 0.0, 5.0, 1.0, 0.0];
        let nonzero = [2.0, 5.0, 1.0];
        let (a, b) = (estimate(&dense), sparse_estimate(dense.len(), &nonzero));
        assert!((a.mean - b.mean).abs() < 1e-15 && (a.se - b.se).abs() < 1e-15);
        // Hand: mean 8/7; squared deviations 4 + 25 + 1 - 7 (8/7)^2 =
        // 146/7; se = sqrt((146/7) / 6 / 7).
        assert!((b.mean - 8.0 / 7.0).abs() < 1e-15);
        assert!((b.se - (146.0f64 / 7.0 / 42.0).sqrt()).abs() < 1e-15);
    }
}
