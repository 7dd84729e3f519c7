//! Sizing targets such as `senior.expected_loss <= 0.0010`.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::error::SizingError;
use crate::aggregate::{estimate, exceedance, quantile, sorted};
use crate::waterfall::StopWhen;

/// A tranche metric that sizing can target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Mean loss fraction.
    ExpectedLoss,
    /// Share of paths with a loss.
    ProbLoss,
    /// Loss quantile at a probability.
    LossQuantile(f64),
    /// IRR quantile at a probability.
    IrrQuantile(f64),
    /// Implied rating at least [`Target::rating`] of the facility's
    /// idealized table: the value is P(loss) less that rating's idealized
    /// default probability at the tranche's mean WAL (met when <= 0; see
    /// docs/ratings.md).
    ImpliedRating,
}

/// Accepted metric names.
const METRICS: [(&str, Metric); 9] = [
    ("expected_loss", Metric::ExpectedLoss),
    ("prob_loss", Metric::ProbLoss),
    ("loss_p50", Metric::LossQuantile(0.5)),
    ("loss_p90", Metric::LossQuantile(0.9)),
    ("loss_p99", Metric::LossQuantile(0.99)),
    ("loss_p999", Metric::LossQuantile(0.999)),
    ("irr_p05", Metric::IrrQuantile(0.05)),
    ("irr_p50", Metric::IrrQuantile(0.5)),
    ("irr_p95", Metric::IrrQuantile(0.95)),
];

impl Metric {
    /// The metric's name in targets and outputs.
    pub fn name(self) -> &'static str {
        if self == Metric::ImpliedRating {
            // Searched as P(loss) less the rating's benchmark.
            return "implied_rating_gap";
        }
        METRICS
            .iter()
            .find(|(_, m)| *m == self)
            .map_or("metric", |(n, _)| n)
    }

    /// The direction in which the metric gets worse: higher for losses
    /// and probabilities, lower for IRRs. A report's 95% bound lies on
    /// that side.
    pub fn adverse(self) -> Direction {
        if self.needs_irr() {
            Direction::AtLeast
        } else {
            Direction::AtMost
        }
    }

    /// When a waterfall run only for this metric of tranche `tranche` may
    /// stop with the tranche's value exact: an IRR once the tranche can
    /// receive no more cash, an implied rating once it is repaid (its WAL
    /// needs every principal payment), a loss once it is certain to be
    /// repaid.
    pub fn settled(self, tranche: usize) -> StopWhen {
        match self {
            Metric::IrrQuantile(_) => StopWhen::ReceivedAll(tranche),
            Metric::ImpliedRating => StopWhen::Repaid(tranche),
            Metric::ExpectedLoss | Metric::ProbLoss | Metric::LossQuantile(_) => {
                StopWhen::CertainlyRepaid(tranche)
            }
        }
    }

    /// Whether the metric needs the IRR of every path (costlier than losses).
    pub fn needs_irr(self) -> bool {
        matches!(self, Metric::IrrQuantile(_))
    }

    /// Whether the metric and its bound are order statistics of the
    /// per-path values.
    pub fn is_order_statistic(self) -> bool {
        matches!(self, Metric::LossQuantile(_) | Metric::IrrQuantile(_))
    }

    /// Whether the metric's estimate (with `bound`, its 95% bound) never
    /// falls as a per-path value rises: an order statistic's estimate and
    /// bound, a mean's estimate, but not a mean's bound (its standard error
    /// can shrink as a value rises towards the others) nor an implied
    /// rating's (its benchmark moves with the WAL).
    pub fn rises_with_values(self, bound: bool) -> bool {
        match self {
            Metric::LossQuantile(_) | Metric::IrrQuantile(_) => true,
            Metric::ExpectedLoss | Metric::ProbLoss => !bound,
            Metric::ImpliedRating => false,
        }
    }

    /// The metric's value over per-path values (losses or IRRs), its
    /// standard error, and a 95% one-sided confidence bound on the side
    /// that matters for `direction`: mean +- 1.96 SE, or for a quantile the
    /// order statistic at rank `N p +- 1.96 sqrt(N p (1 - p))` (distribution
    /// free), whose distance from the estimate over 1.96 is the quantile's
    /// standard error (the one its bound implies).
    pub fn evaluate(self, values: &[f64], direction: Direction) -> Evaluation {
        let sign = match direction {
            Direction::AtMost => 1.0,
            Direction::AtLeast => -1.0,
        };
        match self {
            Metric::ExpectedLoss | Metric::ProbLoss | Metric::ImpliedRating => {
                let e = if self == Metric::ExpectedLoss {
                    estimate(values)
                } else {
                    exceedance(values, 0.0)
                };
                Evaluation {
                    value: e.mean,
                    se: Some(e.se),
                    bound: e.mean + sign * 1.96 * e.se,
                }
            }
            Metric::LossQuantile(p) | Metric::IrrQuantile(p) => {
                let sorted = sorted(values);
                let n = sorted.len() as f64;
                let shift = 1.96 * (n * p * (1.0 - p)).sqrt() / n;
                let bound = quantile(&sorted, (p + sign * shift).clamp(0.0, 1.0));
                let value = quantile(&sorted, p);
                Evaluation {
                    value,
                    se: (value.is_finite() && bound.is_finite())
                        .then(|| (bound - value).abs() / 1.96),
                    bound,
                }
            }
        }
    }
}

/// A metric's value on a sample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Evaluation {
    /// Point estimate.
    pub value: f64,
    /// Standard error (means only).
    pub se: Option<f64>,
    /// 95% one-sided confidence bound on the unfavourable side.
    pub bound: f64,
}

/// Which way a target points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// `<=`: the metric must not exceed the threshold.
    AtMost,
    /// `>=`: the metric must reach the threshold.
    AtLeast,
}

/// `tranche.metric <= value` or `>= value`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    /// Tranche the metric is of.
    pub tranche: String,
    /// The metric.
    pub metric: Metric,
    /// Direction of the inequality.
    pub direction: Direction,
    /// Threshold.
    pub threshold: f64,
    /// For [`Metric::ImpliedRating`], the rating to reach (looked up in the
    /// facility's idealized table when sizing); `None` otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating: Option<String>,
}

impl Target {
    /// Whether `value` meets the target.
    pub fn is_met(&self, value: f64) -> bool {
        match self.direction {
            Direction::AtMost => value <= self.threshold,
            Direction::AtLeast => value >= self.threshold,
        }
    }

    /// The worse of two values for this target (used across scenarios).
    pub fn worse(&self, a: Evaluation, b: Evaluation) -> Evaluation {
        let a_worse = match self.direction {
            Direction::AtMost => a.value >= b.value,
            Direction::AtLeast => a.value <= b.value,
        };
        if a_worse { a } else { b }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.direction {
            Direction::AtMost => "<=",
            Direction::AtLeast => ">=",
        };
        match (self.metric, &self.rating) {
            (Metric::ImpliedRating, Some(rating)) => {
                write!(f, "{}.implied_rating >= {rating}", self.tranche)
            }
            _ => write!(
                f,
                "{}.{} {op} {}",
                self.tranche,
                self.metric.name(),
                self.threshold
            ),
        }
    }
}

impl FromStr for Target {
    type Err = SizingError;

    /// Parses `tranche.metric <= value` (or `>=`), or
    /// `tranche.implied_rating >= RATING`.
    fn from_str(text: &str) -> Result<Target, SizingError> {
        let bad = |why: &str| SizingError::Target {
            target: text.to_owned(),
            why: why.to_owned(),
        };
        let (left, direction, right) = if let Some((l, r)) = text.split_once("<=") {
            (l, Direction::AtMost, r)
        } else if let Some((l, r)) = text.split_once(">=") {
            (l, Direction::AtLeast, r)
        } else {
            return Err(bad(
                "expected `tranche.metric <= value` or `tranche.metric >= value`",
            ));
        };
        if let Some(tranche) = left.trim().strip_suffix(".implied_rating") {
            return rating_target(tranche, direction, right.trim()).map_err(|why| bad(&why));
        }
        let (tranche, metric) = parse_tranche_metric(left).map_err(|why| bad(&why))?;
        let threshold: f64 = right
            .trim()
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite())
            .ok_or_else(|| bad("the threshold is not a number"))?;
        // A threshold outside the metric's range is a slip (a percentage
        // for a fraction, say): the target would hold everywhere or nowhere.
        match metric {
            Metric::IrrQuantile(_) if threshold <= -1.0 => {
                return Err(bad(
                    "an IRR is above -1 (-100%); give the threshold as a fraction, e.g. 0.04 for 4%",
                ));
            }
            Metric::ExpectedLoss | Metric::ProbLoss | Metric::LossQuantile(_)
                if !(0.0..=1.0).contains(&threshold) =>
            {
                return Err(bad(
                    "losses and loss probabilities are fractions in [0, 1]; e.g. 0.001 for 10 bp",
                ));
            }
            _ => {}
        }
        Ok(Target {
            tranche,
            metric,
            direction,
            threshold,
            rating: None,
        })
    }
}

/// `tranche.implied_rating >= RATING`, searched as
/// `P(loss) - benchmark(RATING, WAL) <= 0`. The rating is checked against
/// the facility's idealized table when sizing.
fn rating_target(tranche: &str, direction: Direction, rating: &str) -> Result<Target, String> {
    if direction != Direction::AtLeast {
        return Err("a rating target reads `tranche.implied_rating >= RATING`".into());
    }
    if rating.is_empty() {
        return Err("no rating after `>=`; expected e.g. `tranche.implied_rating >= A2`".into());
    }
    Ok(Target {
        tranche: tranche.trim().to_owned(),
        metric: Metric::ImpliedRating,
        direction: Direction::AtMost,
        threshold: 0.0,
        rating: Some(rating.to_owned()),
    })
}

/// Parses `tranche.metric` (the tranche name may itself contain dots).
pub fn parse_tranche_metric(text: &str) -> Result<(String, Metric), String> {
    let (tranche, metric) = text
        .trim()
        .rsplit_once('.')
        .ok_or_else(|| "expected `tranche.metric`".to_owned())?;
    let rating = [("implied_rating", Metric::ImpliedRating)];
    let metric = METRICS
        .iter()
        .chain(&rating)
        .find(|(n, _)| *n == metric.trim())
        .map(|&(_, m)| m)
        .ok_or_else(|| {
            let names: Vec<&str> = METRICS.iter().chain(&rating).map(|(n, _)| *n).collect();
            format!(
                "unknown metric `{}`; expected one of {}",
                metric.trim(),
                names.join(", ")
            )
        })?;
    Ok((tranche.trim().to_owned(), metric))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_print() {
        let t: Target = "senior.expected_loss <= 0.0010".parse().unwrap();
        assert_eq!(
            (t.tranche.as_str(), t.metric, t.direction, t.threshold),
            ("senior", Metric::ExpectedLoss, Direction::AtMost, 0.001)
        );
        assert_eq!(t.to_string(), "senior.expected_loss <= 0.001");
        let t: Target = "mezz.a.irr_p05>=0.04".parse().unwrap();
        assert_eq!(
            (t.tranche.as_str(), t.metric, t.direction),
            ("mezz.a", Metric::IrrQuantile(0.05), Direction::AtLeast)
        );
        let t: Target = "senior.implied_rating >= A2".parse().unwrap();
        assert_eq!(
            (t.metric, t.rating.as_deref()),
            (Metric::ImpliedRating, Some("A2"))
        );
        assert_eq!(t.to_string(), "senior.implied_rating >= A2");
        // Any name parses; sizing looks it up in the facility's table.
        assert!("senior.implied_rating >= Z9".parse::<Target>().is_ok());
        assert!("senior.implied_rating <= A2".parse::<Target>().is_err());
        assert!("senior.implied_rating >= ".parse::<Target>().is_err());
        for bad in [
            "senior.expected_loss < 0.1",
            "senior <= 0.1",
            "senior.colour <= 1",
            "senior.prob_loss <= x",
        ] {
            assert!(bad.parse::<Target>().is_err(), "{bad}");
        }
    }

    #[test]
    fn thresholds_outside_the_metrics_range_are_rejected() {
        for (target, why) in [
            ("senior.expected_loss <= -1", "fractions in [0, 1]"),
            ("senior.loss_p99 <= 1.5", "fractions in [0, 1]"),
            ("senior.prob_loss >= 2", "fractions in [0, 1]"),
            ("first_loss.irr_p05 >= -1", "an IRR is above -1"),
        ] {
            let error = target.parse::<Target>().unwrap_err().to_string();
            assert!(error.contains(why), "{target}: {error}");
        }
        for good in [
            "senior.expected_loss <= 0",
            "senior.prob_loss <= 1",
            "first_loss.irr_p05 >= -0.99",
            "senior.irr_p50 >= 4",
        ] {
            assert!(good.parse::<Target>().is_ok(), "{good}");
        }
    }

    #[test]
    fn irrs_get_worse_downwards() {
        assert_eq!(Metric::IrrQuantile(0.05).adverse(), Direction::AtLeast);
        assert_eq!(Metric::ExpectedLoss.adverse(), Direction::AtMost);
        assert_eq!(Metric::LossQuantile(0.99).adverse(), Direction::AtMost);
    }

    #[test]
    fn bounds_lie_on_the_unfavourable_side() {
        let values: Vec<f64> = (0..1000).map(|i| f64::from(i) / 1000.0).collect();
        let e = Metric::ExpectedLoss.evaluate(&values, Direction::AtMost);
        assert!(e.bound > e.value);
        let q = Metric::IrrQuantile(0.05).evaluate(&values, Direction::AtLeast);
        assert!(q.bound < q.value);
        assert_eq!(q.value, 0.049);
        // N p - 1.96 sqrt(N p (1 - p)) = 50 - 13.5: the 37th value, 0.036,
        // 0.013 below the estimate.
        assert_eq!(q.bound, 0.036);
        assert!((q.se.unwrap() - 0.013 / 1.96).abs() < 1e-15);
    }
}
