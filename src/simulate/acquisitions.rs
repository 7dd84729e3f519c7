//! Nexus events on a path: which sponsors are acquired by PRC-linked
//! entities and when, and what the facility's remedy does to the pool's
//! collections.
//!
//! The draws come from their own part of the path's ChaCha8 stream
//! ([`nexus_rng`]): one uniform and one normal per loan, in list order,
//! whatever the hazards. A path's factors, defaults and recoveries are
//! therefore the same with or without nexus events, and a hazard of 0
//! reproduces the base case bit for bit.
//!
//! A loan that defaults in or before the period of its acquisition is not
//! acquired (it has already left the pool). Otherwise, in the period of
//! the acquisition: `prepay` collects the period's interest, the whole
//! balance and the premium, and cancels any later default; `deemed_default`
//! replaces any later default by a default then, recovering `1 - haircut`
//! of the recovery rate drawn for the loan; `exclude` leaves the cash alone
//! and takes the loan out of the coverage tests' numerators until it
//! repays or defaults.

use rand::RngExt;
use rand_distr::StandardNormal;

use super::path::{AcquisitionEvent, DefaultEvent, PoolPath};
use super::rng::nexus_rng;
use super::{FactorDraws, PoolSimulator, recovered_amount};
use crate::spec::Remedy;

impl PoolSimulator<'_> {
    /// Draws the path's nexus events into `out.nexus.acquisitions` and
    /// changes `out.defaults` as the remedy says (before the defaults are
    /// applied).
    pub(super) fn acquire(&self, path: u64, draws: &FactorDraws, out: &mut PoolPath) {
        // With every hazard zero no loan is acquired whatever the draws
        // (the module's doc): skip drawing them on every path.
        let Some(model) = (self.pool.acquisitions.as_ref()).filter(|m| m.can_occur()) else {
            return;
        };
        let mut rng = nexus_rng(self.seed, path);
        for (index, loan) in self.pool.loans.iter().enumerate() {
            let u = 1.0 - rng.random::<f64>();
            let eta: f64 = rng.sample(StandardNormal);
            let stress = model.stress_multiplier(draws.minerals[loan.mineral]);
            let intensity = model.intensity[index] * stress;
            let (first, last) = (loan.first_period, loan.last_period());
            let Some(period) = model.event_period(intensity, u, first, last) else {
                continue;
            };
            let default = out.defaults.iter().position(|d| d.loan == index);
            if default.is_some_and(|d| out.defaults[d].period <= period) {
                continue;
            }
            let exposure = loan.balance_start[period - first];
            out.nexus.acquisitions.push(AcquisitionEvent {
                loan: index,
                period,
                exposure,
            });
            match model.remedy {
                Remedy::Prepay { .. } => {
                    if let Some(d) = default {
                        out.defaults.remove(d);
                    }
                }
                Remedy::DeemedDefault { recovery_haircut } => {
                    let systematic = self.normalised_systematic(index, draws);
                    let rate = match default {
                        Some(d) => out.defaults[d].recovery_rate,
                        None => self.recovery_rate(index, systematic, eta),
                    } * (1.0 - recovery_haircut);
                    let event = DefaultEvent {
                        loan: index,
                        period,
                        systematic,
                        recovery_rate: rate,
                        exposure,
                        recovery: recovered_amount(exposure, rate),
                        recovery_period: self.pool.recovery_period[period],
                    };
                    match default {
                        Some(d) => out.defaults[d] = event,
                        None => {
                            let at = out.defaults.partition_point(|d| d.loan < index);
                            out.defaults.insert(at, event);
                        }
                    }
                }
                Remedy::Exclude => {}
            }
        }
    }

    /// Applies prepayments and exclusions (after the defaults).
    pub(super) fn apply_remedies(&self, out: &mut PoolPath) {
        let Some(model) = &self.pool.acquisitions else {
            return;
        };
        for i in 0..out.nexus.acquisitions.len() {
            let event = out.nexus.acquisitions[i];
            let loan = &self.pool.loans[event.loan];
            match model.remedy {
                Remedy::Prepay { premium } => {
                    // The premium is rounded as recoveries are.
                    let premium = recovered_amount(event.exposure, premium);
                    out.apply_prepayment(loan, event.period, premium);
                }
                Remedy::Exclude => {
                    let until = (out.defaults.iter())
                        .find(|d| d.loan == event.loan)
                        .map_or(loan.last_period() + 1, |d| d.period);
                    out.apply_exclusion(loan, event.period, until);
                }
                Remedy::DeemedDefault { .. } => {}
            }
        }
    }
}
