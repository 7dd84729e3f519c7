//! The capital structure being varied: one tranche's size, with either
//! another tranche absorbing the difference (total capital fixed) or every
//! other tranche held and the facility, pool included, growing; or the cap
//! of an unfunded guarantee, which changes no tranche.

use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

use super::error::{Role, SizingError};
use crate::spec::{FacilitySpec, GuaranteeCap};

/// The index of the tranche named `name`, given as `role`; the error lists
/// the tranches.
pub(crate) fn find_tranche(
    spec: &FacilitySpec,
    name: &str,
    role: Role,
) -> Result<usize, SizingError> {
    spec.tranches
        .iter()
        .position(|t| t.name == name)
        .ok_or_else(|| SizingError::UnknownTranche {
            role,
            name: name.to_owned(),
            tranches: spec.tranches.iter().map(|t| t.name.clone()).collect(),
            guarantee: None,
        })
}

/// What is varied, and how the rest of the structure responds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Balance {
    /// Tranche `solve` varies and tranche `absorb` takes up the difference:
    /// total capital is fixed.
    Absorb { solve: usize, absorb: usize },
    /// Tranche `solve` varies and every other tranche keeps its amount;
    /// total capital, and the pool in proportion, grow with it.
    Grow { solve: usize },
    /// The unfunded guarantee's cap varies: it funds nothing, so no tranche
    /// and not the pool changes (its share is of total capital).
    GuaranteeCap,
}

/// The capital structure being varied.
pub(crate) struct Structure<'a> {
    pub(crate) spec: &'a FacilitySpec,
    balance: Balance,
    /// What responds to the varied tranche, for messages and reports.
    pub(crate) absorb_name: String,
    pub(crate) total: Decimal,
}

impl<'a> Structure<'a> {
    /// Varies tranche `solve`, with `absorb` (default: the tranche directly
    /// above) taking up the difference so the total stays fixed; or, when
    /// `solve` names the facility's unfunded guarantee, its cap.
    pub(crate) fn new(
        spec: &'a FacilitySpec,
        solve: &str,
        absorb: Option<&str>,
    ) -> Result<Self, SizingError> {
        if is_guarantee(spec, solve) {
            if absorb.is_some() {
                return Err(SizingError::GuaranteeBalanced {
                    guarantee: solve.to_owned(),
                    role: Role::Absorb,
                });
            }
            return Ok(Self::with_balance(
                spec,
                Balance::GuaranteeCap,
                "nothing (the guarantee is unfunded)".into(),
            ));
        }
        let solve_index = find_varied(spec, solve)?;
        let absorb = match absorb {
            Some(name) => find_tranche(spec, name, Role::Absorb)?,
            None if solve_index > 0 => solve_index - 1,
            None => {
                return Err(SizingError::NothingAbove {
                    varied: solve.to_owned(),
                });
            }
        };
        if absorb == solve_index {
            return Err(SizingError::VariedItself { role: Role::Absorb });
        }
        Ok(Self::with_balance(
            spec,
            Balance::Absorb {
                solve: solve_index,
                absorb,
            },
            spec.tranches[absorb].name.clone(),
        ))
    }

    /// Varies tranche `solve` holding every other tranche (`hold` names one
    /// of them, the one the user cares about) at its amount: the total and
    /// the pool grow in proportion.
    pub(crate) fn holding(
        spec: &'a FacilitySpec,
        solve: &str,
        hold: &str,
    ) -> Result<Self, SizingError> {
        if is_guarantee(spec, solve) {
            return Err(SizingError::GuaranteeBalanced {
                guarantee: solve.to_owned(),
                role: Role::Hold,
            });
        }
        let solve_index = find_varied(spec, solve)?;
        if find_tranche(spec, hold, Role::Hold)? == solve_index {
            return Err(SizingError::VariedItself { role: Role::Hold });
        }
        Ok(Self::with_balance(
            spec,
            Balance::Grow { solve: solve_index },
            "(the total grows)".into(),
        ))
    }

    fn with_balance(spec: &'a FacilitySpec, balance: Balance, absorb_name: String) -> Self {
        let total = spec.tranches.iter().map(|t| t.amount).sum();
        Structure {
            spec,
            balance,
            absorb_name,
            total,
        }
    }

    /// The share of total capital at which the absorbing tranche would
    /// vanish: the varied tranche must stay below it (None when nothing is
    /// absorbed, so any share below 1 works).
    pub(crate) fn vanishing_share(&self) -> Option<f64> {
        match self.balance {
            Balance::Absorb { solve, absorb } => {
                let tranches = &self.spec.tranches;
                let room = tranches[absorb].amount + tranches[solve].amount;
                (room / self.total).to_f64()
            }
            Balance::Grow { .. } | Balance::GuaranteeCap => None,
        }
    }

    /// Whether candidates change the pool (so each needs its own model).
    pub(crate) fn scales_pool(&self) -> bool {
        matches!(self.balance, Balance::Grow { .. })
    }

    /// The varied amount when it is `share` of total capital, rounded to
    /// the minor unit. With a growing total, the share is of the new total:
    /// `held x share / (1 - share)`.
    pub(crate) fn amount(&self, share: f64) -> Decimal {
        let share = Decimal::from_f64(share).unwrap_or_default();
        let raw = match self.balance {
            Balance::Absorb { .. } | Balance::GuaranteeCap => self.total * share,
            Balance::Grow { solve } => {
                let held = self.total - self.spec.tranches[solve].amount;
                if share >= Decimal::ONE {
                    Decimal::MAX
                } else {
                    held * share / (Decimal::ONE - share)
                }
            }
        };
        let digits = self.spec.currency.minor_digits;
        let mut amount = raw.round_dp(digits);
        amount.rescale(digits);
        amount
    }

    /// The varied amount's share of total capital (the inverse of
    /// [`Structure::amount`] up to rounding).
    pub(crate) fn share_of(&self, amount: Decimal) -> Decimal {
        match self.balance {
            Balance::Absorb { .. } | Balance::GuaranteeCap => amount / self.total,
            Balance::Grow { solve } => {
                amount / (self.total - self.spec.tranches[solve].amount + amount)
            }
        }
    }

    /// The facility with the varied amount at `amount`; `None` when the
    /// absorbing tranche would not stay positive.
    pub(crate) fn with_amount(&self, amount: Decimal) -> Option<FacilitySpec> {
        let mut spec = self.spec.clone();
        let solve = match self.balance {
            Balance::Absorb { solve, absorb } => {
                let absorbed = spec.tranches[absorb].amount + spec.tranches[solve].amount - amount;
                if absorbed <= Decimal::ZERO {
                    return None;
                }
                spec.tranches[absorb].amount = absorbed;
                solve
            }
            Balance::Grow { solve } => {
                let new_total = self.total - spec.tranches[solve].amount + amount;
                scale_pool(&mut spec, self.total, new_total)?;
                solve
            }
            Balance::GuaranteeCap => {
                // A zero cap is no guarantee: it pays nothing and its fee,
                // charged on the undrawn cap, is zero.
                spec.guarantee.as_mut()?.cap = GuaranteeCap::Amount(amount);
                return Some(spec);
            }
        };
        // A zero-size tranche stays in the structure (waterfall steps may
        // name it): it receives nothing and its own loss is undefined (NaN).
        spec.tranches[solve].amount = amount;
        Some(spec)
    }
}

/// Whether `name` is the facility's guarantee.
fn is_guarantee(spec: &FacilitySpec, name: &str) -> bool {
    spec.guarantee.as_ref().is_some_and(|g| g.name == name)
}

/// The varied tranche's index; the error also offers the guarantee.
fn find_varied(spec: &FacilitySpec, name: &str) -> Result<usize, SizingError> {
    find_tranche(spec, name, Role::Varied).map_err(|error| match error {
        SizingError::UnknownTranche {
            role,
            name,
            tranches,
            guarantee: None,
        } => SizingError::UnknownTranche {
            role,
            name,
            tranches,
            guarantee: spec.guarantee.as_ref().map(|g| g.name.clone()),
        },
        error => error,
    })
}

/// Scales every loan by `new_total / total`, rounded to the minor unit, the
/// largest loan taking the rounding residue so the pool adds up to
/// `new_total` exactly (the tranches still fund the pool exactly).
fn scale_pool(spec: &mut FacilitySpec, total: Decimal, new_total: Decimal) -> Option<()> {
    let digits = spec.currency.minor_digits;
    let factor = new_total.checked_div(total)?;
    for project in &mut spec.projects {
        project.amount = (project.amount * factor).round_dp(digits);
    }
    let scaled: Decimal = spec.projects.iter().map(|p| p.amount).sum();
    let largest = spec.projects.iter_mut().max_by_key(|p| p.amount)?;
    largest.amount += new_total - scaled;
    (largest.amount > Decimal::ZERO).then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::test_support::sample_spec;

    #[test]
    fn absorbing_keeps_the_total() {
        let spec = sample_spec();
        let structure = Structure::new(&spec, "c", Some("a")).unwrap();
        let candidate = structure.with_amount(structure.amount(0.2)).unwrap();
        let amounts: Vec<Decimal> = candidate.tranches.iter().map(|t| t.amount).collect();
        assert_eq!(
            amounts,
            [Decimal::from(60), Decimal::from(20), Decimal::from(20)]
        );
        assert_eq!(candidate.validate(), Ok(()));
        // a (70) and c (10) of 100: c must stay below 80%.
        assert_eq!(structure.vanishing_share(), Some(0.8));
    }

    /// Holding the other tranches at 90, a 25% first loss is 30: the total
    /// is 120 and every loan grows by 20%, the pool adding up exactly.
    #[test]
    fn holding_grows_the_total_and_the_pool() {
        let spec = sample_spec();
        let structure = Structure::holding(&spec, "c", "a").unwrap();
        assert!(structure.scales_pool());
        assert_eq!(structure.vanishing_share(), None);
        let amount = structure.amount(0.25);
        assert_eq!(amount, Decimal::from(30));
        let candidate = structure.with_amount(amount).unwrap();
        let tranches: Vec<Decimal> = candidate.tranches.iter().map(|t| t.amount).collect();
        assert_eq!(
            tranches,
            [Decimal::from(70), Decimal::from(20), Decimal::from(30)]
        );
        assert!(
            candidate
                .projects
                .iter()
                .all(|p| p.amount == Decimal::from(30))
        );
        assert_eq!(candidate.validate(), Ok(()));
        assert!(Structure::holding(&spec, "c", "c").is_err());
    }
}
