//! What a sizing is asked, what it answers, and the checks a request must
//! pass before any path is run.

use rust_decimal::Decimal;
use serde::Serialize;

use super::error::{Role, SizingError};
use super::structure::{Structure, find_tranche};
use super::target::{Evaluation, Metric, Target};
use crate::aggregate::RatingBenchmark;
use crate::spec::FacilitySpec;

/// What to size and against which target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizingRequest {
    /// The target to meet.
    pub target: Target,
    /// The tranche whose size is solved for.
    pub solve: String,
    /// The tranche that absorbs the difference so the total stays fixed
    /// (default: the tranche directly above `solve`).
    pub absorb: Option<String>,
    /// Instead of absorbing: hold this tranche (and every other) at its
    /// amount and grow the total and the pool with the solved tranche.
    pub hold: Option<String>,
    /// Range of the solved tranche's share of total capital, low < high
    /// (None: from 0 to 40%, or to a basis point short of the share at
    /// which the absorbing tranche would vanish if that comes first).
    pub range: Option<(f64, f64)>,
    /// Points of the sizing curve (>= 2), equally spaced over the range.
    pub grid: usize,
}

/// The target metric at one candidate size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizingPoint {
    /// Solved tranche's share of total capital.
    pub share: f64,
    /// Solved tranche's amount in currency units.
    pub amount: Decimal,
    /// The metric (the worst over the scenarios), its SE and 95% bound.
    pub evaluation: Evaluation,
    /// The scenario in which the metric was worst.
    pub scenario: String,
    /// For an implied-rating target, the rating's idealized default
    /// probability at the tranche's WAL in that scenario (the metric is
    /// P(loss) less it): the search compares the logarithms of the two.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub benchmark: Option<f64>,
}

/// The outcome of a sizing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizingResult {
    /// The request.
    pub request: SizingRequest,
    /// The tranche that absorbed the difference.
    pub absorb: String,
    /// Total capital (held fixed).
    pub total: Decimal,
    /// The range searched: the request's, or the default.
    pub range: (f64, f64),
    /// The metric at every size evaluated (the grid and the search's
    /// refinements), by increasing size.
    pub curve: Vec<SizingPoint>,
    /// Smallest size meeting the target on the sample (None: not in range).
    pub solution: Option<SizingPoint>,
    /// Smallest size whose 95% confidence bound meets the target.
    pub confident: Option<SizingPoint>,
    /// Whether the curve crossed the target once (if not, the solution is
    /// the smallest size beyond which every grid point meets the target).
    pub monotone: bool,
    /// Candidate structures evaluated in full (the curve's points).
    pub evaluations: usize,
    /// Candidate structures screened and not evaluated in full (implied
    /// ratings, IRRs, and losses of tranches whose waterfalls cannot stop
    /// before the first period; see `docs/sizing.md`).
    pub screened: usize,
}

/// The search stops when the bracket is narrower than this share of total
/// capital (a basis point).
pub(super) const RESOLUTION: f64 = 1e-4;

/// The most grid points: a grid is evaluated in one pass over the paths,
/// each point's per-path values held at once (201 points at 100,000 paths
/// are 160 MB).
pub const MAX_GRID: usize = 201;

/// The upper end of the default range, unless the absorbing tranche would
/// vanish sooner.
const DEFAULT_HIGH: f64 = 0.4;

/// Checks what [`Structure::new`] does not: the target's tranche and
/// rating, and the grid. Returns, for an implied-rating target, the
/// benchmark and the rating's index in it.
pub(super) fn check_request(
    spec: &FacilitySpec,
    request: &SizingRequest,
) -> Result<Option<(RatingBenchmark, usize)>, SizingError> {
    find_tranche(spec, &request.target.tranche, Role::Target)?;
    let rating = target_rating(spec, &request.target)?;
    if request.grid < 2 {
        return Err(SizingError::TooFewPoints);
    }
    if request.grid > MAX_GRID {
        return Err(SizingError::TooManyPoints {
            points: request.grid,
            most: MAX_GRID,
        });
    }
    Ok(rating)
}

/// The range to search: the request's, checked, or the default (from 0 to
/// [`DEFAULT_HIGH`], or to a basis point short of the share at which the
/// absorbing tranche would vanish if that comes first).
pub(super) fn search_range(
    structure: &Structure,
    request: &SizingRequest,
) -> Result<(f64, f64), SizingError> {
    let vanishing = structure.vanishing_share();
    let no_room = |vanishing: f64, range: Option<(f64, f64)>| SizingError::NoRoom {
        varied: request.solve.clone(),
        absorb: structure.absorb_name.clone(),
        vanishing,
        range,
    };
    let Some((low, high)) = request.range else {
        return match vanishing {
            Some(v) if v - RESOLUTION <= 0.0 => Err(no_room(v, None)),
            Some(v) => Ok((0.0, DEFAULT_HIGH.min(v - RESOLUTION))),
            None => Ok((0.0, DEFAULT_HIGH)),
        };
    };
    if !(0.0 <= low && low < high && high < 1.0) {
        return Err(SizingError::BadRange { low, high });
    }
    match vanishing {
        Some(v) if high >= v => Err(no_room(v, Some((low, high)))),
        _ => Ok((low, high)),
    }
}

/// For an implied-rating target, the default-probability benchmark of the
/// facility's idealized table and the index of the target's rating in it
/// (an error listing the table's ratings if it has no such rating).
fn target_rating(
    spec: &FacilitySpec,
    target: &Target,
) -> Result<Option<(RatingBenchmark, usize)>, SizingError> {
    let (Metric::ImpliedRating, Some(rating)) = (target.metric, &target.rating) else {
        return Ok(None);
    };
    let table = &spec.implied_rating;
    let index = table.position(rating).ok_or_else(|| SizingError::Target {
        target: target.to_string(),
        why: format!(
            "unknown rating `{rating}`; the idealized rating table ({}) has {} (exact spelling)",
            table.source(),
            table.ratings().join(", ")
        ),
    })?;
    Ok(Some((
        RatingBenchmark::default_probability(table.clone()),
        index,
    )))
}
