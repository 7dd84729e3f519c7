//! Every candidate size a search has evaluated, one record each, keyed by
//! its amount in minor units, and the look-ups of its neighbours that the
//! search, the screening and the IRR windows need.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::request::SizingPoint;
use super::target::Evaluation;

/// An implied-rating candidate's horizon (the tranche's mean WAL, see
/// [`crate::aggregate::rating_horizon`]) in one scenario: over every path
/// (evaluated in full only) and over the WAL sample (evaluated in full, or
/// screened near the benchmark).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Wal {
    pub(super) all: Option<f64>,
    pub(super) sampled: Option<f64>,
}

/// A candidate's values on every path of one scenario, as its evaluation
/// in full left them: losses, or IRRs solved inside `window` (all of them
/// when None), -inf below it, +inf above.
#[derive(Debug, Clone)]
pub(super) struct PathValues {
    pub(super) values: Vec<f64>,
    pub(super) window: Option<(f64, f64)>,
}

/// Where a path's IRR lies against a band of rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Below,
    Above,
    /// In the band, or not known to be outside it.
    Unknown,
}

impl PathValues {
    /// Path p's side of the band `[low, high)`.
    pub(super) fn side(&self, p: usize, (low, high): (f64, f64)) -> Side {
        let value = self.values[p];
        let (placed_low, placed_high) = self.window.unwrap_or((f64::NAN, f64::NAN));
        if value == f64::INFINITY {
            // At least the window's upper rate.
            if placed_high >= high {
                Side::Above
            } else {
                Side::Unknown
            }
        } else if value == f64::NEG_INFINITY {
            // Below the window's lower rate.
            if placed_low <= low {
                Side::Below
            } else {
                Side::Unknown
            }
        } else if value >= high {
            Side::Above
        } else if value < low {
            Side::Below
        } else {
            Side::Unknown
        }
    }
}

/// A candidate evaluated in full: its point on the sizing curve (fixed
/// once made: its benchmark, for a rating, is at its own WAL) and its
/// evaluation in every scenario.
#[derive(Debug, Clone)]
pub(super) struct Full {
    pub(super) point: SizingPoint,
    pub(super) by_scenario: Vec<Evaluation>,
}

/// One candidate size: how it was evaluated, and what the search keeps of
/// it.
#[derive(Debug, Clone)]
pub(super) struct Record {
    pub(super) amount: Decimal,
    /// The varied amount's share of total capital.
    pub(super) share: f64,
    /// Evaluated in full (the sizing curve's points).
    pub(super) full: Option<Full>,
    /// Screened: its evaluation in every scenario (for an implied rating,
    /// P(loss) before its benchmark), kept after a later full evaluation.
    pub(super) screened: Option<Vec<Evaluation>>,
    /// For an implied rating: the tranche's mean WAL in every scenario (a
    /// full evaluation's replaces a screened one's).
    pub(super) wals: Option<Vec<Wal>>,
    /// For a screened target evaluated in full (but an implied rating):
    /// every path's value in every scenario, from which screened candidates
    /// place the paths they do not run; dropped once no open bracket can
    /// take the candidate as its nearest neighbour
    /// ([`Candidates::keep_paths_near`]).
    pub(super) paths: Option<Vec<PathValues>>,
}

/// The evaluations of a candidate's nearest neighbours in one scenario,
/// below and above, with their keys.
pub(super) type Neighbours = ((i128, Evaluation), (i128, Evaluation));

/// The nearest candidates evaluated in full below and above one, with
/// their keys.
pub(super) type FullNeighbours<'c> = ((i128, &'c Full), (i128, &'c Full));

/// Every candidate evaluated, by amount in minor units.
#[derive(Debug, Default)]
pub(super) struct Candidates {
    records: BTreeMap<i128, Record>,
}

impl Candidates {
    /// The candidate `key`, if evaluated.
    pub(super) fn get(&self, key: i128) -> Option<&Record> {
        self.records.get(&key)
    }

    /// Whether the candidate `key` was evaluated in full.
    pub(super) fn is_full(&self, key: i128) -> bool {
        self.get(key).is_some_and(|r| r.full.is_some())
    }

    /// Whether the candidate `key` was evaluated in full or screened.
    pub(super) fn is_known(&self, key: i128) -> bool {
        self.get(key)
            .is_some_and(|r| r.full.is_some() || r.screened.is_some())
    }

    /// Every candidate, by increasing size.
    pub(super) fn iter(&self) -> impl Iterator<Item = (i128, &Record)> {
        self.records.iter().map(|(&key, record)| (key, record))
    }

    /// The record of candidate `key` (`amount`, `share` of total capital),
    /// to fill in with its evaluation; new and empty if it had none.
    pub(super) fn insert(&mut self, key: i128, amount: Decimal, share: f64) -> &mut Record {
        self.records.entry(key).or_insert(Record {
            amount,
            share,
            full: None,
            screened: None,
            wals: None,
            paths: None,
        })
    }

    /// How many candidates were evaluated in full.
    pub(super) fn full_count(&self) -> usize {
        self.records.values().filter(|r| r.full.is_some()).count()
    }

    /// How many candidates were screened and never evaluated in full.
    pub(super) fn screened_only_count(&self) -> usize {
        let screened_only = |r: &&Record| r.screened.is_some() && r.full.is_none();
        self.records.values().filter(screened_only).count()
    }

    /// The sizing curve: the candidates evaluated in full, by increasing
    /// size.
    pub(super) fn curve(self) -> Vec<SizingPoint> {
        let points = self.records.into_values().filter_map(|r| r.full);
        points.map(|full| full.point).collect()
    }

    /// The nearest candidates below and above `key` evaluated in full and,
    /// with `screened`, screened too, with their evaluations in scenario `s`
    /// (None unless there are both). A candidate evaluated both ways gives
    /// its screened evaluation as the neighbour below and its full one as
    /// the neighbour above (the two agree but where a path's value is not
    /// monotone in the size).
    pub(super) fn nearest(&self, key: i128, s: usize, screened: bool) -> Option<Neighbours> {
        let counts = |r: &Record| r.full.is_some() || (screened && r.screened.is_some());
        let (&kb, below) = self.records.range(..key).rev().find(|(_, r)| counts(r))?;
        let (&ka, above) = self.records.range(key + 1..).find(|(_, r)| counts(r))?;
        let full = |r: &Record| r.full.as_ref().map(|f| f.by_scenario[s]);
        let screen = |r: &Record| r.screened.as_ref().filter(|_| screened).map(|e| e[s]);
        let below = screen(below).or_else(|| full(below))?;
        let above = full(above).or_else(|| screen(above))?;
        Some(((kb, below), (ka, above)))
    }

    /// The nearest candidates below and above `key` evaluated in full.
    pub(super) fn nearest_full(&self, key: i128) -> Option<FullNeighbours<'_>> {
        fn full<'r>((&k, r): (&i128, &'r Record)) -> Option<(i128, &'r Full)> {
            r.full.as_ref().map(|f| (k, f))
        }
        let below = self.records.range(..key).rev().find_map(full)?;
        let above = self.records.range(key + 1..).find_map(full)?;
        Some((below, above))
    }

    /// The per-path values in scenario `s` of the nearest candidates below
    /// and above `key` that keep them.
    pub(super) fn path_neighbours(
        &self,
        key: i128,
        s: usize,
    ) -> Option<(&PathValues, &PathValues)> {
        let mut below = self.records.range(..key).rev();
        let below = below.find_map(|(_, r)| r.paths.as_ref().map(|p| &p[s]))?;
        let mut above = self.records.range(key + 1..);
        let above = above.find_map(|(_, r)| r.paths.as_ref().map(|p| &p[s]))?;
        Some((below, above))
    }

    /// `of(wal)` in scenario `s` at the candidate `key`, interpolated
    /// linearly in the amount between the nearest candidates where it is
    /// known (the nearest one's beyond them; NaN where it is known at none).
    pub(super) fn interpolated(
        &self,
        key: i128,
        s: usize,
        of: impl Fn(&Wal) -> Option<f64>,
    ) -> f64 {
        let known =
            |(&k, r): (&i128, &Record)| r.wals.as_ref().and_then(|w| of(&w[s])).map(|v| (k, v));
        let below = self.records.range(..=key).rev().find_map(known);
        let above = self.records.range(key..).find_map(known);
        match (below, above) {
            (Some((a, wa)), Some((b, wb))) if b > a => {
                let t = (key - a) as f64 / (b - a) as f64;
                wa + t * (wb - wa)
            }
            (Some((_, w)), _) | (None, Some((_, w))) => w,
            (None, None) => f64::NAN,
        }
    }

    /// Drops the per-path values that no candidate inside the brackets
    /// `(low, high)` (keys) can take as its nearest neighbour with them
    /// (the brackets only narrow): they are a vector per path and scenario
    /// for every candidate evaluated in full. Should a bracket start again
    /// elsewhere, a candidate without such neighbours is evaluated in full.
    pub(super) fn keep_paths_near(&mut self, brackets: &[(i128, i128)]) {
        let with_paths: Vec<i128> = self
            .records
            .iter()
            .filter(|(_, r)| r.paths.is_some())
            .map(|(&k, _)| k)
            .collect();
        if with_paths.is_empty() {
            return;
        }
        let mut keep: Vec<i128> = Vec::new();
        for &(low, high) in brackets {
            keep.extend(with_paths.iter().rev().find(|&&k| k <= low));
            keep.extend(with_paths.iter().filter(|&&k| low <= k && k <= high));
            keep.extend(with_paths.iter().find(|&&k| k >= high));
        }
        for key in with_paths.into_iter().filter(|k| !keep.contains(k)) {
            if let Some(record) = self.records.get_mut(&key) {
                record.paths = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path's side of a band: solved IRRs by their value; IRRs placed
    /// outside a window only where that window reaches past the band.
    #[test]
    fn placed_irrs_know_their_side_of_a_band() {
        let placed = PathValues {
            values: vec![0.01, 0.05, 0.09, f64::INFINITY, f64::NEG_INFINITY, f64::NAN],
            window: Some((0.03, 0.07)),
        };
        let side = |p, band| placed.side(p, band);
        let band = (0.04, 0.06);
        assert_eq!(
            (0..6).map(|p| side(p, band)).collect::<Vec<_>>(),
            [
                Side::Below,
                Side::Unknown,
                Side::Above,
                Side::Above,
                Side::Below,
                Side::Unknown
            ]
        );
        // A band reaching past the window: the placed paths may be inside.
        let wide = (0.02, 0.08);
        assert_eq!(side(3, wide), Side::Unknown);
        assert_eq!(side(4, wide), Side::Unknown);
        // Without a window every IRR was solved: none is infinite.
        let solved = PathValues {
            values: vec![0.05],
            window: None,
        };
        assert_eq!(solved.side(0, (0.04, 0.06)), Side::Unknown);
        assert_eq!(solved.side(0, (0.06, 0.08)), Side::Below);
    }

    fn evaluation(value: f64) -> Evaluation {
        Evaluation {
            value,
            se: None,
            bound: value,
        }
    }

    /// Candidates at keys 10 (full, 1.0), 20 (screened, 2.0), 30 (full
    /// 3.0, screened 3.5) and 40 (full, 4.0), one scenario.
    fn four() -> Candidates {
        let mut candidates = Candidates::default();
        let full = |value: f64| Full {
            point: SizingPoint {
                share: value / 10.0,
                amount: Decimal::from(value as i64),
                evaluation: evaluation(value),
                scenario: "base".into(),
                benchmark: None,
            },
            by_scenario: vec![evaluation(value)],
        };
        for (key, full_value, screened_value) in [
            (10, Some(1.0), None),
            (20, None, Some(2.0)),
            (30, Some(3.0), Some(3.5)),
            (40, Some(4.0), None),
        ] {
            let record = candidates.insert(key, Decimal::from(key), key as f64 / 100.0);
            record.full = full_value.map(full);
            record.screened = screened_value.map(|v| vec![evaluation(v)]);
        }
        candidates
    }

    /// The neighbours of a key: evaluated in full only, or screened too;
    /// the candidate evaluated both ways gives its screened value below and
    /// its full value above.
    #[test]
    fn neighbours_are_the_nearest_of_the_kind_asked_for() {
        let candidates = four();
        let values = |n: Neighbours| ((n.0.0, n.0.1.value), (n.1.0, n.1.1.value));
        let nearest = |key, screened| candidates.nearest(key, 0, screened).map(values);
        assert_eq!(nearest(25, false), Some(((10, 1.0), (30, 3.0))));
        assert_eq!(nearest(25, true), Some(((20, 2.0), (30, 3.0))));
        assert_eq!(nearest(35, true), Some(((30, 3.5), (40, 4.0))));
        assert_eq!(nearest(15, true), Some(((10, 1.0), (20, 2.0))));
        assert_eq!(nearest(5, true), None);
        assert_eq!(nearest(45, false), None);
        let full = candidates.nearest_full(20).map(|((a, _), (b, _))| (a, b));
        assert_eq!(full, Some((10, 30)));
        assert_eq!(
            (candidates.full_count(), candidates.screened_only_count()),
            (3, 1)
        );
        assert!(candidates.is_full(30) && !candidates.is_full(20) && candidates.is_known(20));
        let curve: Vec<f64> = candidates
            .curve()
            .iter()
            .map(|p| p.evaluation.value)
            .collect();
        assert_eq!(curve, [1.0, 3.0, 4.0]);
    }

    /// WALs known at 10 (5 years) and 30 (7 years) interpolate linearly in
    /// between and stay flat beyond; per-path values are kept only next to
    /// the open brackets.
    #[test]
    fn wals_interpolate_and_paths_are_kept_near_the_brackets() {
        let mut candidates = four();
        let wal = |all: f64| {
            Some(vec![Wal {
                all: Some(all),
                sampled: None,
            }])
        };
        candidates.insert(10, Decimal::ZERO, 0.0).wals = wal(5.0);
        candidates.insert(30, Decimal::ZERO, 0.0).wals = wal(7.0);
        let at = |key| candidates.interpolated(key, 0, |w| w.all);
        assert_eq!((at(20), at(10), at(5), at(40)), (6.0, 5.0, 5.0, 7.0));
        assert!(candidates.interpolated(20, 0, |w| w.sampled).is_nan());
        for key in [10, 30, 40] {
            let values = PathValues {
                values: vec![key as f64],
                window: None,
            };
            candidates.insert(key, Decimal::ZERO, 0.0).paths = Some(vec![values]);
        }
        let value = |paths: Option<(&PathValues, &PathValues)>| {
            paths.map(|(b, a)| (b.values[0], a.values[0]))
        };
        assert_eq!(value(candidates.path_neighbours(35, 0)), Some((30.0, 40.0)));
        // A bracket from 32 to 38: 30 below it and 40 above are kept, 10 is
        // dropped.
        candidates.keep_paths_near(&[(32, 38)]);
        assert!(candidates.get(10).unwrap().paths.is_none());
        assert_eq!(value(candidates.path_neighbours(35, 0)), Some((30.0, 40.0)));
        assert_eq!(value(candidates.path_neighbours(20, 0)), None);
    }
}
