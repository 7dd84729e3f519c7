//! `[nexus_events]`: sponsors acquired by PRC-linked entities after
//! closing. Each project's sponsor may be acquired during the life of its
//! loan (an annual hazard, by project, mineral, country or segment, rising
//! when the project's mineral factor is under stress), and the facility
//! states its remedy: mandatory prepayment at par plus a premium, exclusion
//! of the loan from the coverage tests' numerators, or deemed default with
//! a recovery haircut (docs/inputs.md, docs/model.md).

use serde::Deserialize;

use super::reader::Reader;
use super::types::{HazardOverride, NexusEventsSpec, REMEDIES, Remedy, RemedyKind, Selector};
use super::words::SEGMENTS;

/// `[nexus_events]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNexusEvents {
    annual_hazard: Option<f64>,
    hazard: Option<Vec<RawHazard>>,
    stress_sensitivity: Option<f64>,
    remedy: Option<String>,
    prepayment_premium: Option<f64>,
    recovery_haircut: Option<f64>,
}

/// `{ project = "P1", annual_hazard = 0.05 }` or with mineral, country,
/// segment, or a nexus group (`group = "msp"`: the projects with a sponsor
/// nexus in the group or code).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHazard {
    pub(super) project: Option<String>,
    pub(super) mineral: Option<String>,
    pub(super) country: Option<String>,
    pub(super) segment: Option<String>,
    pub(super) group: Option<String>,
    pub(super) annual_hazard: Option<f64>,
}

impl Reader {
    /// `[nexus_events]`; ranges and names are checked by validation.
    pub(super) fn nexus_events(&mut self, raw: Option<RawNexusEvents>) -> Option<NexusEventsSpec> {
        let raw = raw?;
        let at = "nexus_events";
        let kinds = "prepay, exclude or deemed_default";
        let remedy = self.required(&format!("{at}.remedy"), raw.remedy, kinds);
        let kind = self.choice(&format!("{at}.remedy"), remedy, REMEDIES);
        let remedy = match kind.unwrap_or(RemedyKind::Exclude) {
            RemedyKind::Prepay => Remedy::Prepay {
                premium: raw.prepayment_premium.unwrap_or(0.0),
            },
            RemedyKind::Exclude => Remedy::Exclude,
            RemedyKind::DeemedDefault => Remedy::DeemedDefault {
                recovery_haircut: raw.recovery_haircut.unwrap_or(0.0),
            },
        };
        let misplaced = [
            (
                "prepayment_premium",
                raw.prepayment_premium,
                RemedyKind::Prepay,
            ),
            (
                "recovery_haircut",
                raw.recovery_haircut,
                RemedyKind::DeemedDefault,
            ),
        ];
        for (key, value, belongs) in misplaced {
            if value.is_some() && kind.is_some_and(|k| k != belongs) {
                let word = REMEDIES
                    .iter()
                    .find(|(_, k)| *k == belongs)
                    .map(|(w, _)| *w);
                let message = format!(
                    "applies only to remedy `{}`; remove it or change the remedy",
                    word.unwrap_or_default()
                );
                self.fail(&format!("{at}.{key}"), message);
            }
        }
        let overrides = (raw.hazard.unwrap_or_default().into_iter().enumerate())
            .map(|(i, h)| self.hazard_override(&format!("{at}.hazard[{i}]"), h))
            .collect();
        Some(NexusEventsSpec {
            annual_hazard: raw.annual_hazard.unwrap_or(0.0),
            overrides,
            stress_sensitivity: raw.stress_sensitivity.unwrap_or(0.0),
            remedy,
        })
    }

    fn hazard_override(&mut self, at: &str, raw: RawHazard) -> HazardOverride {
        let hazard = self.required(
            &format!("{at}.annual_hazard"),
            raw.annual_hazard,
            "an annual probability in [0, 1]",
        );
        HazardOverride {
            project: raw.project.map(|p| p.trim().to_owned()),
            selector: Selector {
                mineral: raw.mineral.map(|m| m.trim().to_lowercase()),
                country: raw.country.map(|c| c.trim().to_owned()),
                segment: self.choice(&format!("{at}.segment"), raw.segment, SEGMENTS),
            },
            nexus: raw.group.map(|g| g.trim().to_owned()),
            annual_hazard: hazard.unwrap_or(0.0),
        }
    }
}
