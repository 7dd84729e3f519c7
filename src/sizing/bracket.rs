//! One search's bracket around the smallest size meeting the target, and
//! the steps that narrow it: model steps aimed at a local model's crossing,
//! safeguarded so the search ends within bisection's count plus a little.

use super::request::{RESOLUTION, SizingPoint};
use super::roots::{line_root, parabola_roots};
use super::target::{Direction, Target};

/// Refinement rounds at most: a search ends within bisection's count plus
/// [`MODEL_SLACK`] steps, and a bracket below 1 halves to the resolution
/// in 14 halvings, so 18 rounds always suffice; this is a guard, not a
/// budget.
pub(super) const MAX_STEPS: usize = 64;

/// A step meant to close the bracket lands this many resolutions from an
/// end (a little less than one, so that rounding the amount to the minor
/// unit cannot leave the bracket a hair wider than the resolution).
const CLOSING: f64 = 0.99;

/// One search for the smallest size meeting the target: the first grid
/// point after which every grid point meets it, refined within the grid
/// cell below by steps aimed at where a local model of the gap to the
/// target crosses zero, which on a smooth curve close the bracket in a few
/// evaluations where bisection needs a dozen.
///
/// - The model: a parabola through the three points nearest the target
///   (smallest gap; the grid's included, so the first step already follows
///   the curve's bend; of points on one plateau only the one nearest the
///   bracket), else the line through the nearest two, else the line
///   through the bracket's ends, else the midpoint.
/// - A step aims half a resolution past the estimated crossing, on the side
///   the last point did not land on, and one resolution from an end when
///   the crossing is estimated that close to it: a point there closes the
///   bracket if it lands on the other side. If it lands on the end's side
///   (a plateau of a step-shaped metric), the next such step reaches twice
///   as far.
/// - Safeguard (the projection of the ITP method, Oliveira and Takahashi
///   2020, doi:10.1145/3423597): step j stays within
///   `RESOLUTION x 2^(max_steps - j - 1) - width / 2` of the bracket's
///   midpoint, so the bracket is never wider than that after the step, and
///   the search ends within `max_steps` steps, [`MODEL_SLACK`] more than
///   bisection's `log2(cell / RESOLUTION)`, whatever the metric's shape. On
///   a step-shaped metric (a quantile, a probability moving in steps of
///   1/N), where a model can creep, this is what forces the bracket down.
pub(super) enum Refinement {
    /// No grid point from which on the target holds.
    NotMet,
    /// Solved.
    Found(SizingPoint),
    /// Still narrowing.
    Open(Bracket),
}

/// Gaps closer than this share of the larger are one plateau.
const PLATEAU: f64 = 1e-4;

/// Steps a search may take beyond bisection's count (ITP's n0): the slack
/// that model steps may use on a smooth curve.
const MODEL_SLACK: u32 = 4;

/// The crossing lies between `low` (not met) and `high` (met).
pub(super) struct Bracket {
    /// Whether the 95% bound, rather than the estimate, must meet it.
    bound: bool,
    low: SizingPoint,
    high: SizingPoint,
    low_gap: f64,
    high_gap: f64,
    /// Every point seen, as (share, gap): the grid and the refinements.
    known: Vec<(f64, f64)>,
    aim_below: bool,
    /// Steps in a row meant to close the bracket from an end that did not
    /// (a plateau of a step-shaped metric next to the end).
    creep: u32,
    /// Own steps taken, and the most the search may take.
    steps: u32,
    max_steps: u32,
    /// Closed before the resolution: the rounding of amounts to the minor
    /// unit cannot split it further.
    closed: bool,
}

impl Refinement {
    /// The search from the curve's grid: the first point after which every
    /// point meets the target, and the one before it.
    pub(super) fn start(target: &Target, curve: &[SizingPoint], bound: bool) -> Self {
        let met = |p: &SizingPoint| gap(target, p, bound) <= 0.0;
        match (0..curve.len()).find(|&i| curve[i..].iter().all(met)) {
            None => Refinement::NotMet,
            Some(0) => Refinement::Found(curve[0].clone()),
            Some(first) => {
                let (low, high) = (&curve[first - 1], &curve[first]);
                let halvings = ((high.share - low.share) / RESOLUTION)
                    .log2()
                    .ceil()
                    .max(0.0);
                Refinement::Open(Bracket {
                    bound,
                    low: low.clone(),
                    high: high.clone(),
                    low_gap: gap(target, low, bound),
                    high_gap: gap(target, high, bound),
                    known: curve
                        .iter()
                        .map(|p| (p.share, gap(target, p, bound)))
                        .collect(),
                    aim_below: true,
                    creep: 0,
                    steps: 0,
                    max_steps: halvings as u32 + MODEL_SLACK,
                    closed: false,
                })
            }
        }
    }

    /// The next share to evaluate, if the bracket is still open.
    pub(super) fn guess(&self) -> Option<f64> {
        match self {
            Refinement::Open(b) => b.aim().map(|(share, _)| share),
            _ => None,
        }
    }

    /// Narrows the bracket with a point: the one evaluated at this search's
    /// [`Self::guess`] (`own`), or one the other search evaluated, used when
    /// it falls inside the bracket.
    pub(super) fn update(&mut self, target: &Target, point: SizingPoint, own: bool) {
        let Refinement::Open(b) = self else {
            return;
        };
        // Whether this search's own step was meant to close the bracket from
        // the low end (Some(true)) or the high end: decided on the state the
        // step was aimed from, before the point joins it.
        let closing_from_low = if own {
            b.aim().and_then(|(_, closing)| closing)
        } else {
            None
        };
        let g = gap(target, &point, b.bound);
        b.known.push((point.share, g));
        if point.share <= b.low.share || point.share >= b.high.share {
            // The minor-unit rounding cannot split the bracket further.
            b.closed |= own;
            return;
        }
        let met = g <= 0.0;
        if own {
            // A step meant to close the bracket from one end that landed on
            // that end's side: the next one reaches twice as far.
            b.creep = match closing_from_low {
                Some(from_low) if from_low != met => b.creep + 1,
                _ => 0,
            };
            b.steps += 1;
            b.aim_below = met;
        }
        if met {
            (b.high, b.high_gap) = (point, g);
        } else {
            (b.low, b.low_gap) = (point, g);
        }
    }

    /// The ends of an open bracket (None: solved or not met).
    pub(super) fn ends(&self) -> Option<(&SizingPoint, &SizingPoint)> {
        match self {
            Refinement::Open(b) => Some((&b.low, &b.high)),
            _ => None,
        }
    }

    /// For an open bracket, whether it is the 95% bound's search.
    pub(super) fn bound(&self) -> Option<bool> {
        match self {
            Refinement::Open(b) => Some(b.bound),
            _ => None,
        }
    }

    /// The smallest size found meeting the target (None: not met).
    pub(super) fn solution(self) -> Option<SizingPoint> {
        match self {
            Refinement::NotMet => None,
            Refinement::Found(point) | Refinement::Open(Bracket { high: point, .. }) => Some(point),
        }
    }
}

impl Bracket {
    /// The next share to evaluate (None: the bracket is closed), and
    /// whether it is a step meant to close the bracket from the low end
    /// (Some(true)) or the high end (Some(false)).
    fn aim(&self) -> Option<(f64, Option<bool>)> {
        let (low, high) = (self.low.share, self.high.share);
        let width = high - low;
        if width <= RESOLUTION || self.closed {
            return None;
        }
        let midpoint = 0.5 * (low + high);
        let reach_to_close = CLOSING * RESOLUTION * 2f64.powi(self.creep.min(60) as i32);
        let (aim, closing) = match self.crossing() {
            None => (midpoint, None),
            Some(x) if x < low + RESOLUTION => (low + reach_to_close, Some(true)),
            Some(x) if x > high - RESOLUTION => (high - reach_to_close, Some(false)),
            Some(x) => {
                let past = if self.aim_below { -0.5 } else { 0.5 } * RESOLUTION;
                (x + past, None)
            }
        };
        // The projection: after this step the bracket is at most
        // RESOLUTION x 2^(max_steps - steps - 1) wide.
        let halvings_left = self.max_steps.saturating_sub(self.steps + 1).min(60);
        let reach = (RESOLUTION * 2f64.powi(halvings_left as i32) - 0.5 * width).max(0.0);
        let aim = aim.clamp(midpoint - reach, midpoint + reach);
        // At least half a resolution from either end, so that a crossing
        // next to an end closes the bracket at once.
        let aim = aim.clamp(low + 0.5 * RESOLUTION, high - 0.5 * RESOLUTION);
        Some((aim, closing))
    }

    /// Where the local model of the gap crosses zero inside the bracket
    /// (None: no model places it there).
    fn crossing(&self) -> Option<f64> {
        let (low, high) = (self.low.share, self.high.share);
        let inside = |x: f64| (x > low && x < high).then_some(x);
        let mut nearest: Vec<(f64, f64)> = Vec::with_capacity(3);
        // Only finite, non-zero gaps: a zero loss (an infinite log gap) or
        // a metric exactly at the threshold (a quantile at zero, say) tells
        // where the metric stopped moving, not how it approaches the target.
        let mut by_gap: Vec<(f64, f64)> = self
            .known
            .iter()
            .copied()
            .filter(|p| p.1.is_finite() && p.1 != 0.0)
            .collect();
        by_gap.sort_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
        // Points on a plateau (an IRR flat at its coupon, say) tell nothing
        // about the bend: of gaps within a ten-thousandth of each other, only
        // the point nearest the bracket is kept.
        let middle = 0.5 * (low + high);
        let plateau =
            |p: (f64, f64), q: (f64, f64)| (p.1 - q.1).abs() <= PLATEAU * p.1.abs().max(q.1.abs());
        for point in by_gap {
            let same = nearest
                .iter()
                .position(|&q| q.0 == point.0 || plateau(q, point));
            match same {
                Some(i) if (point.0 - middle).abs() < (nearest[i].0 - middle).abs() => {
                    nearest[i] = point;
                }
                Some(_) => {}
                None if nearest.len() < 3 => nearest.push(point),
                None => {}
            }
        }
        // The parabola's zero inside the bracket (nearest the point nearest
        // the target if both are).
        if let [p, q, r] = nearest[..]
            && let Some(x) = parabola_roots(p, q, r)
                .into_iter()
                .filter_map(inside)
                .min_by(|x, y| (x - p.0).abs().total_cmp(&(y - p.0).abs()))
        {
            return Some(x);
        }
        if let [p, q, ..] = nearest[..]
            && let Some(x) = inside(line_root(p, q))
        {
            return Some(x);
        }
        inside(line_root((low, self.low_gap), (high, self.high_gap)))
    }
}

/// The gap to the target (`bound`: of the 95% confidence bound rather than
/// the point estimate; met when <= 0). Losses and probabilities fall
/// roughly exponentially with credit enhancement, so for them (with a
/// positive threshold) the gap is between logarithms, on which a model
/// lands near the crossing at once; a zero loss is then infinitely far
/// below the target. IRRs, which may be negative, keep a linear gap.
pub(super) fn gap(target: &Target, point: &SizingPoint, bound: bool) -> f64 {
    let value = if bound {
        point.evaluation.bound
    } else {
        point.evaluation.value
    };
    // An implied rating compares P(loss) with its benchmark.
    let offset = point.benchmark.unwrap_or(0.0);
    let (value, threshold) = (value + offset, target.threshold + offset);
    let (value, threshold) = if target.metric.needs_irr() || threshold <= 0.0 {
        (value, threshold)
    } else {
        let log = |v: f64| if v == 0.0 { f64::NEG_INFINITY } else { v.ln() };
        (log(value), threshold.ln())
    };
    match target.direction {
        Direction::AtMost => value - threshold,
        Direction::AtLeast => threshold - value,
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::sizing::target::{Evaluation, Metric};

    fn point(share: f64, value: f64) -> SizingPoint {
        SizingPoint {
            share,
            amount: Decimal::ZERO,
            evaluation: Evaluation {
                value,
                se: None,
                bound: value,
            },
            scenario: "base".into(),
            benchmark: None,
        }
    }

    fn target(threshold: f64) -> Target {
        Target {
            tranche: "senior".into(),
            metric: Metric::ExpectedLoss,
            direction: Direction::AtMost,
            threshold,
            rating: None,
        }
    }

    fn irr_target(threshold: f64) -> Target {
        Target {
            tranche: "mezzanine".into(),
            metric: Metric::IrrQuantile(0.05),
            direction: Direction::AtLeast,
            threshold,
            rating: None,
        }
    }

    /// Refines `metric` over a 5-point grid on [0, 0.4] to `target`;
    /// returns the solution and the evaluations it took.
    fn refine_to(metric: impl Fn(f64) -> f64, target: &Target) -> (f64, usize) {
        let curve: Vec<SizingPoint> = (0..5)
            .map(|i| {
                let share = 0.1 * i as f64;
                point(share, metric(share))
            })
            .collect();
        let mut search = Refinement::start(target, &curve, false);
        let mut steps = 0;
        while let Some(share) = search.guess() {
            steps += 1;
            assert!(steps <= MAX_STEPS, "no convergence");
            search.update(target, point(share, metric(share)), true);
        }
        (search.solution().expect("met on the grid").share, steps)
    }

    fn refine(metric: impl Fn(f64) -> f64, threshold: f64) -> (f64, usize) {
        refine_to(metric, &target(threshold))
    }

    /// Bisection's count over a grid cell of 0.1, plus the slack: the most
    /// steps any metric may take.
    const MOST_STEPS: usize = 10 + MODEL_SLACK as usize;

    /// A loss falling exponentially with the first loss: the model on the
    /// logarithm closes the bracket to a basis point in a few steps.
    #[test]
    fn smooth_metrics_take_a_few_steps() {
        let metric = |share: f64| 0.02 * (-40.0 * share).exp();
        let crossing = (0.02_f64 / 0.0001).ln() / 40.0; // 0.13246
        let (solution, steps) = refine(metric, 0.0001);
        assert!(
            (solution - crossing).abs() <= RESOLUTION,
            "{solution} {crossing} {steps}"
        );
        assert!(steps <= 3, "{steps} steps");
    }

    /// An IRR rising to its coupon and flat from there: the parabola
    /// through the grid follows the bend, where a line through the cell
    /// overshoots.
    #[test]
    fn saturating_irrs_take_a_few_steps() {
        let metric = |share: f64| 0.08 - 0.16 * (-25.0 * share).exp();
        let crossing = (0.16_f64 / 0.01).ln() / 25.0; // 0.11090
        let (solution, steps) = refine_to(metric, &irr_target(0.07));
        assert!(
            (solution - crossing).abs() <= RESOLUTION,
            "{solution} {crossing} {steps}"
        );
        assert!(steps <= 4, "{steps} steps");
    }

    /// An IRR that reaches its coupon and stays there (to within rounding):
    /// the points on the plateau say nothing about the bend, so the model
    /// uses one of them and the points below.
    #[test]
    fn plateaus_do_not_mislead_the_model() {
        let metric = |share: f64| {
            let below = (0.16 - share).max(0.0);
            0.0824 - 5.0 * below * below + 1e-9 * share
        };
        let crossing = 0.16 - (0.0124_f64 / 5.0).sqrt(); // 0.11020
        let (solution, steps) = refine_to(metric, &irr_target(0.07));
        assert!(
            (solution - crossing).abs() <= RESOLUTION,
            "{solution} {crossing} {steps}"
        );
        assert!(steps <= 3, "{steps} steps");
    }

    /// A quantile that drops to exactly zero at 0.0461: the model knows
    /// nothing there, so the search bisects, about log2(0.1 / 1e-4) = 10
    /// steps, instead of creeping by half a resolution.
    #[test]
    fn step_shaped_metrics_are_bisected() {
        let metric = |share: f64| if share < 0.0461 { 0.1 - share } else { 0.0 };
        let (solution, steps) = refine(metric, 0.0);
        assert!((0.0461..=0.0461 + RESOLUTION).contains(&solution));
        assert!(steps <= 11, "{steps} steps");
    }

    /// A loss quantile with a positive target that is zero beyond the
    /// crossing (an infinite gap on the log scale) is solved within the
    /// safeguard's count.
    #[test]
    fn zero_losses_past_the_crossing_are_handled() {
        let metric = |share: f64| (0.1 - 2.0 * share).max(0.0);
        // 0.01 or less from share 0.045 on; zero from 0.05.
        let (solution, steps) = refine(metric, 0.01);
        assert!(
            (0.045..=0.045 + RESOLUTION).contains(&solution),
            "{solution}"
        );
        assert!(steps <= MOST_STEPS, "{steps} steps");
    }

    /// A staircase (a probability moving in steps of 1/n) is still solved
    /// to the resolution, within the safeguard's count.
    #[test]
    fn staircases_are_solved_to_the_resolution() {
        let metric = |share: f64| ((0.3 - share).max(0.0) * 50.0).ceil() / 1000.0;
        // 0.001 or less once (0.3 - share) x 50 <= 1, i.e. share >= 0.28.
        let (solution, steps) = refine(metric, 0.001);
        assert!((0.28..=0.28 + RESOLUTION).contains(&solution), "{solution}");
        assert!(steps <= MOST_STEPS, "{steps} steps");
    }

    /// Steps meant to close the bracket that keep landing on one plateau
    /// next to an end (a probability moving in steps of 1/N) reach twice as
    /// far each time, so the search does not creep a resolution at a time.
    #[test]
    fn failed_closing_steps_reach_twice_as_far() {
        let target = target(0.001);
        // Met from 0.13 on, just below the target, on a curve whose log is
        // close to a line: the model puts the crossing within a resolution
        // of the high end.
        let curve = [
            point(0.0, 0.0012985),
            point(0.12, 0.0010202),
            point(0.13, 0.0009999),
        ];
        let mut search = Refinement::start(&target, &curve, false);
        let mut high = 0.13;
        for creep in 0..4 {
            let share = search.guess().expect("open");
            let reach = high - share;
            let expected = CLOSING * RESOLUTION * f64::from(1 << creep);
            assert!(
                (reach - expected).abs() < 1e-12,
                "{creep}: {reach} {expected}"
            );
            // The plateau: met, at the same value.
            search.update(&target, point(share, 0.0009999), true);
            high = share;
        }
    }

    /// A probability of loss on a finite sample: a smooth decline in stairs
    /// of 1/N, several resolutions wide next to the crossing, is solved
    /// within the safeguard's count.
    #[test]
    fn probabilities_on_finite_samples_are_solved() {
        for paths in [5_000.0, 20_000.0, 100_000.0] {
            let metric = |share: f64| (0.03 * (-27.0 * share).exp() * paths).ceil() / paths;
            let crossing = (0.03_f64 / 0.001).ln() / 27.0;
            let (solution, steps) = refine(metric, 0.001);
            assert!(
                (solution - crossing).abs() <= 3.0 / paths,
                "{paths}: {solution}"
            );
            assert!(metric(solution) <= 0.001 && metric(solution - RESOLUTION) > 0.001);
            assert!(steps <= MOST_STEPS, "{paths}: {steps} steps");
        }
    }
}
