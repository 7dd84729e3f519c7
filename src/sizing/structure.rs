//! The capital structure being varied: one tranche's size, with either
//! another tranche absorbing the difference (total capital fixed) or every
//! other tranche held and the facility, pool included, growing.

use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

use super::SizingError;
use crate::spec::FacilitySpec;

/// The index of the tranche named `name`; the error lists the tranches.
pub(crate) fn find_tranche(
    spec: &FacilitySpec,
    name: &str,
    role: &str,
) -> Result<usize, SizingError> {
    spec.tranches
        .iter()
        .position(|t| t.name == name)
        .ok_or_else(|| {
            let names: Vec<&str> = spec.tranches.iter().map(|t| t.name.as_str()).collect();
            SizingError::Request(format!(
                "{role}: no tranche is named `{name}`; the tranches are {}",
                names.join(", ")
            ))
        })
}

/// How the rest of the structure responds to the varied tranche.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Balance {
    /// This tranche takes up the difference: total capital is fixed.
    Absorb(usize),
    /// Every other tranche keeps its amount; total capital, and the pool in
    /// proportion, grow with the varied tranche.
    Grow,
}

/// The capital structure being varied.
pub(crate) struct Structure<'a> {
    pub(crate) spec: &'a FacilitySpec,
    solve: usize,
    balance: Balance,
    /// What responds to the varied tranche, for messages and reports.
    pub(crate) absorb_name: String,
    pub(crate) total: Decimal,
}

impl<'a> Structure<'a> {
    /// Varies tranche `solve`, with `absorb` (default: the tranche directly
    /// above) taking up the difference so the total stays fixed.
    pub(crate) fn new(
        spec: &'a FacilitySpec,
        solve: &str,
        absorb: Option<&str>,
    ) -> Result<Self, SizingError> {
        let solve_index = find_tranche(spec, solve, "--solve")?;
        let absorb = match absorb {
            Some(name) => find_tranche(spec, name, "--absorb")?,
            None if solve_index > 0 => solve_index - 1,
            None => {
                return Err(SizingError::Request(format!(
                    "{solve}: the most senior tranche has no tranche above it to absorb the difference; name one with \
                     --absorb"
                )));
            }
        };
        if absorb == solve_index {
            return Err(SizingError::Request(
                "--absorb must name a tranche other than the one varied".into(),
            ));
        }
        Ok(Self::with_balance(
            spec,
            solve_index,
            Balance::Absorb(absorb),
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
        let solve_index = find_tranche(spec, solve, "--solve")?;
        if find_tranche(spec, hold, "--hold")? == solve_index {
            return Err(SizingError::Request(
                "--hold must name a tranche other than --solve".into(),
            ));
        }
        Ok(Self::with_balance(
            spec,
            solve_index,
            Balance::Grow,
            "(the total grows)".into(),
        ))
    }

    fn with_balance(
        spec: &'a FacilitySpec,
        solve: usize,
        balance: Balance,
        absorb_name: String,
    ) -> Self {
        let total = spec.tranches.iter().map(|t| t.amount).sum();
        Structure {
            spec,
            solve,
            balance,
            absorb_name,
            total,
        }
    }

    /// The share of total capital at which the absorbing tranche would
    /// vanish: the varied tranche must stay below it (None when the total
    /// grows instead, so any share below 1 works).
    pub(crate) fn vanishing_share(&self) -> Option<f64> {
        match self.balance {
            Balance::Absorb(absorb) => {
                let tranches = &self.spec.tranches;
                let room = tranches[absorb].amount + tranches[self.solve].amount;
                (room / self.total).to_f64()
            }
            Balance::Grow => None,
        }
    }

    /// Whether candidates change the pool (so each needs its own model).
    pub(crate) fn scales_pool(&self) -> bool {
        self.balance == Balance::Grow
    }

    /// The varied tranche's amount when it is `share` of total capital,
    /// rounded to the minor unit. With a growing total, the share is of the
    /// new total: `held x share / (1 - share)`.
    pub(crate) fn amount(&self, share: f64) -> Decimal {
        let share = Decimal::from_f64(share).unwrap_or_default();
        let raw = match self.balance {
            Balance::Absorb(_) => self.total * share,
            Balance::Grow => {
                let held = self.total - self.spec.tranches[self.solve].amount;
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

    /// The varied tranche's share of total capital at `amount` (the inverse
    /// of [`Structure::amount`] up to rounding).
    pub(crate) fn share_of(&self, amount: Decimal) -> Decimal {
        match self.balance {
            Balance::Absorb(_) => amount / self.total,
            Balance::Grow => amount / (self.total - self.spec.tranches[self.solve].amount + amount),
        }
    }

    /// The facility with the varied tranche at `amount`; `None` when the
    /// absorbing tranche would not stay positive.
    pub(crate) fn with_amount(&self, amount: Decimal) -> Option<FacilitySpec> {
        let mut spec = self.spec.clone();
        match self.balance {
            Balance::Absorb(absorb) => {
                let absorbed =
                    spec.tranches[absorb].amount + spec.tranches[self.solve].amount - amount;
                if absorbed <= Decimal::ZERO {
                    return None;
                }
                spec.tranches[absorb].amount = absorbed;
            }
            Balance::Grow => {
                let new_total = self.total - spec.tranches[self.solve].amount + amount;
                scale_pool(&mut spec, self.total, new_total)?;
            }
        }
        // A zero-size tranche stays in the structure (waterfall steps may
        // name it): it receives nothing and its own loss is undefined (NaN).
        spec.tranches[self.solve].amount = amount;
        Some(spec)
    }
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
