//! Nexus events compiled: each loan's intensity of its sponsor being
//! acquired by a PRC-linked entity, the stress sensitivity and the remedy.
//!
//! An annual probability `h` is the intensity `-ln(1 - h)` a year (so a
//! hazard of 1 is an acquisition at once); a scenario may replace the
//! hazards of the projects it selects. On a path the
//! intensity is multiplied by `exp(-s Z - s^2 / 2)`, where `Z` is the
//! loan's mineral factor: 1 on average over paths, higher when the mineral
//! is under stress (low prices: an acquisition wave).

use crate::spec::{FacilitySpec, Remedy, ScenarioSpec};

use super::Calendar;

/// The nexus events of a pool.
#[derive(Debug, Clone, PartialEq)]
pub struct AcquisitionModel {
    /// Per loan, in project-list order: the annual intensity (infinite for
    /// an annual hazard of 1, 0 for none).
    pub intensity: Vec<f64>,
    /// The stress sensitivity `s`.
    pub sensitivity: f64,
    /// What the facility does when a sponsor is acquired.
    pub remedy: Remedy,
    /// Years from the closing date to each payment date k = 0..=K.
    pub years: Vec<f64>,
}

impl AcquisitionModel {
    /// The multiplier of the intensity when the mineral factor is `z`.
    pub fn stress_multiplier(&self, z: f64) -> f64 {
        let s = self.sensitivity;
        if s == 0.0 {
            1.0
        } else {
            (-s * z - 0.5 * s * s).exp()
        }
    }

    /// Whether any loan can be acquired (an intensity above zero): without
    /// one, [`Self::event_period`] is `None` for every loan and draw, so a
    /// path is the base case's and nothing need be drawn.
    pub fn can_occur(&self) -> bool {
        self.intensity.iter().any(|&x| x > 0.0)
    }

    /// The period in which a loan paying in periods `first..=last` is
    /// acquired, given its intensity and a uniform draw `u` in (0, 1]: the
    /// first payment date at least `-ln(u) / intensity` years after the
    /// loan's first period began; `None` if that is after `last`.
    pub fn event_period(&self, intensity: f64, u: f64, first: usize, last: usize) -> Option<usize> {
        if intensity <= 0.0 || intensity.is_nan() {
            return None;
        }
        let wait = -u.ln() / intensity;
        let start = self.years[first - 1];
        (first..=last).find(|&k| self.years[k] - start >= wait)
    }
}

/// The annual intensity of an annual probability `h` in [0, 1].
pub fn intensity_of(h: f64) -> f64 {
    -(-h).ln_1p()
}

/// Compiles `[nexus_events]` under `scenario`; `None` without the table.
pub fn compile_acquisitions(
    spec: &FacilitySpec,
    scenario: &ScenarioSpec,
    calendar: &Calendar,
) -> Option<AcquisitionModel> {
    let events = spec.nexus_events.as_ref()?;
    let table = &spec.eligibility.nexus;
    let intensity = (spec.projects.iter())
        .map(|p| {
            let hazard = (scenario.acquisition_hazards.iter().rev())
                .find(|o| o.matches(p, table))
                .map_or_else(|| events.annual_hazard_of(p, table), |o| o.annual_hazard);
            intensity_of(hazard)
        })
        .collect();
    Some(AcquisitionModel {
        intensity,
        sensitivity: events.stress_sensitivity,
        remedy: events.remedy,
        years: (0..=calendar.periods())
            .map(|k| calendar.years_from_start(k))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(sensitivity: f64) -> AcquisitionModel {
        AcquisitionModel {
            intensity: Vec::new(),
            sensitivity,
            remedy: Remedy::Exclude,
            // Quarterly dates.
            years: (0..=8).map(|k| f64::from(k) * 0.25).collect(),
        }
    }

    #[test]
    fn a_hazard_of_one_acquires_in_the_first_period_and_zero_never() {
        let m = model(0.0);
        assert_eq!(m.event_period(intensity_of(1.0), 0.999, 2, 8), Some(2));
        assert_eq!(m.event_period(intensity_of(0.0), 1e-300, 2, 8), None);
    }

    #[test]
    fn the_wait_is_exponential_in_years_from_the_loans_start() {
        // h = 50% a year: intensity ln 2. u = 0.51 waits ln(1 / 0.51) /
        // ln 2 = 0.971 years from the start of period 2 (year 0.25), to year
        // 1.221: the next payment date, year 1.25, is period 5.
        let m = model(0.0);
        assert_eq!(m.event_period(intensity_of(0.5), 0.51, 2, 8), Some(5));
        // u = 0.25 waits 2 years: year 2.25 is past the last date (2.0).
        assert_eq!(m.event_period(intensity_of(0.5), 0.25, 2, 8), None);
    }

    #[test]
    fn stress_raises_the_intensity_and_averages_to_one() {
        let m = model(0.5);
        // exp(-0.5 x -2 - 0.125) = exp(0.875).
        assert!((m.stress_multiplier(-2.0) - 0.875f64.exp()).abs() < 1e-12);
        assert!(m.stress_multiplier(-1.0) > 1.0 && m.stress_multiplier(1.0) < 1.0);
        // E[exp(-s Z)] = exp(s^2 / 2) for a standard normal Z, so the
        // multiplier's mean is 1 (Gauss-Hermite would do; three points of
        // the probabilists' rule are exact for this check to 1e-2).
        let nodes = [
            (-(3f64.sqrt()), 1.0 / 6.0),
            (0.0, 2.0 / 3.0),
            (3f64.sqrt(), 1.0 / 6.0),
        ];
        let mean: f64 = nodes.iter().map(|&(z, w)| w * m.stress_multiplier(z)).sum();
        assert!((mean - 1.0).abs() < 1e-2, "{mean}");
    }
}
