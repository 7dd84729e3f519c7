//! Cumulative default probability curves: constant annual PD, rating, or a
//! named curve, with an optional construction-period premium.
//!
//! Everything is expressed as a cumulative hazard `H(t)`, with
//! `PD(t) = 1 - exp(-H(t))`: a constant annual PD p is the constant hazard
//! `-ln(1 - p)`, so `PD(t) = 1 - (1 - p)^t` exactly as documented; a curve
//! given by points is interpolated linearly in H (a piecewise-constant
//! hazard), and construction multiplies the hazard before its end.

use crate::spec::{PdCurve, PdSource, RatingTable};

/// A cumulative hazard as a function of years since the loan's start.
#[derive(Debug, Clone, PartialEq)]
enum Hazard {
    /// `H(t) = h t`.
    Constant(f64),
    /// `H` linear between `(0, 0)` and the points, extended beyond the last
    /// point with the last segment's hazard rate.
    Points(Vec<(f64, f64)>),
}

impl Hazard {
    fn cumulative(&self, t: f64) -> f64 {
        match self {
            Hazard::Constant(h) => h * t,
            Hazard::Points(points) => interpolate(points, t),
        }
    }
}

fn interpolate(points: &[(f64, f64)], t: f64) -> f64 {
    let mut previous = (0.0, 0.0);
    for (i, &(ti, hi)) in points.iter().enumerate() {
        if t <= ti || i == points.len() - 1 {
            let rate = (hi - previous.1) / (ti - previous.0);
            return previous.1 + rate * (t - previous.0);
        }
        previous = (ti, hi);
    }
    0.0
}

/// A loan's cumulative default probability curve.
#[derive(Debug, Clone, PartialEq)]
pub struct DefaultCurve {
    hazard: Hazard,
    construction_years: f64,
    construction_multiplier: f64,
    multiplier: f64,
}

/// Why a project's PD source cannot be resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum CurveError {
    /// The rating is not in the table.
    UnknownRating(String),
    /// No curve has this name.
    UnknownCurve(String),
}

impl DefaultCurve {
    /// Resolves a project's PD source against the facility's tables.
    pub fn resolve(
        source: &PdSource,
        ratings: &RatingTable,
        curves: &[PdCurve],
    ) -> Result<DefaultCurve, CurveError> {
        let hazard = match source {
            PdSource::AnnualPd(p) => Hazard::Constant(-(-p).ln_1p()),
            PdSource::Rating(rating) => {
                let pd = ratings
                    .pd(rating)
                    .ok_or_else(|| CurveError::UnknownRating(rating.clone()))?;
                Hazard::Constant(-(-pd).ln_1p() / ratings.horizon_years)
            }
            PdSource::Curve(name) => {
                let curve = curves
                    .iter()
                    .find(|c| &c.name == name)
                    .ok_or_else(|| CurveError::UnknownCurve(name.clone()))?;
                Hazard::Points(
                    curve
                        .points
                        .iter()
                        .map(|&(t, pd)| (t, -(-pd).ln_1p()))
                        .collect(),
                )
            }
        };
        Ok(DefaultCurve {
            hazard,
            construction_years: 0.0,
            construction_multiplier: 1.0,
            multiplier: 1.0,
        })
    }

    /// The same curve with its hazard multiplied by `multiplier` for the
    /// first `years` years.
    pub fn with_construction(mut self, years: f64, multiplier: f64) -> Self {
        self.construction_years = years.max(0.0);
        self.construction_multiplier = multiplier;
        self
    }

    /// The same curve with its whole hazard multiplied by `multiplier` (a
    /// stress scenario's PD multiplier).
    pub fn scaled(mut self, multiplier: f64) -> Self {
        self.multiplier *= multiplier;
        self
    }

    /// Cumulative hazard after `t` years.
    pub fn cumulative_hazard(&self, t: f64) -> f64 {
        let construction = self.hazard.cumulative(t.min(self.construction_years));
        self.multiplier
            * (self.hazard.cumulative(t) + (self.construction_multiplier - 1.0) * construction)
    }

    /// Cumulative default probability after `t` years.
    pub fn cumulative_pd(&self, t: f64) -> f64 {
        -(-self.cumulative_hazard(t)).exp_m1()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(source: PdSource) -> DefaultCurve {
        let curves = vec![PdCurve {
            name: "mine".into(),
            points: vec![(1.0, 0.05), (3.0, 0.10)],
        }];
        DefaultCurve::resolve(&source, &RatingTable::moodys_idealized_10y(), &curves).unwrap()
    }

    #[test]
    fn annual_pd_compounds() {
        let c = curve(PdSource::AnnualPd(0.1));
        assert!((c.cumulative_pd(2.0) - 0.19).abs() < 1e-15);
        assert!((c.cumulative_pd(0.5) - (1.0 - 0.9_f64.sqrt())).abs() < 1e-15);
        assert_eq!(c.cumulative_pd(0.0), 0.0);
    }

    #[test]
    fn rating_reproduces_the_table_at_its_horizon() {
        let c = curve(PdSource::Rating("Baa2".into()));
        assert!((c.cumulative_pd(10.0) - 0.036).abs() < 1e-15);
        assert!(
            DefaultCurve::resolve(
                &PdSource::Rating("Zz".into()),
                &RatingTable::moodys_idealized_10y(),
                &[]
            )
            .is_err()
        );
    }

    #[test]
    fn curve_passes_through_its_points_and_extrapolates_the_last_hazard() {
        let c = curve(PdSource::Curve("mine".into()));
        assert!((c.cumulative_pd(1.0) - 0.05).abs() < 1e-15);
        assert!((c.cumulative_pd(3.0) - 0.10).abs() < 1e-15);
        // Between 1 and 3 years the hazard is constant: H(2) is the midpoint.
        let h = |pd: f64| -(-pd).ln_1p();
        assert!((c.cumulative_hazard(2.0) - 0.5 * (h(0.05) + h(0.10))).abs() < 1e-15);
        // Beyond 3 years the last hazard continues.
        let rate = (h(0.10) - h(0.05)) / 2.0;
        assert!((c.cumulative_hazard(5.0) - (h(0.10) + 2.0 * rate)).abs() < 1e-15);
    }

    #[test]
    fn construction_multiplies_the_early_hazard() {
        let c = curve(PdSource::AnnualPd(0.1)).with_construction(2.0, 3.0);
        let h = -(0.9_f64).ln();
        assert!((c.cumulative_hazard(1.0) - 3.0 * h).abs() < 1e-15);
        assert!((c.cumulative_hazard(5.0) - (6.0 * h + 3.0 * h)).abs() < 1e-14);
    }
}
