//! The capital structure being varied: one tranche's size, with another
//! absorbing the difference so total capital stays fixed.

use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;

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

/// The capital structure being varied.
pub(crate) struct Structure<'a> {
    pub(crate) spec: &'a FacilitySpec,
    solve: usize,
    absorb: usize,
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
                    "{solve}: the most senior tranche has no tranche above it to absorb the difference; name one with --absorb"
                )));
            }
        };
        if absorb == solve_index {
            return Err(SizingError::Request(
                "--absorb must name a tranche other than the one varied".into(),
            ));
        }
        let solve = solve_index;
        let total = spec.tranches.iter().map(|t| t.amount).sum();
        Ok(Structure {
            spec,
            solve,
            absorb,
            absorb_name: spec.tranches[absorb].name.clone(),
            total,
        })
    }

    /// The solved tranche's amount at `share`, rounded to the minor unit.
    pub(crate) fn amount(&self, share: f64) -> Decimal {
        let share = Decimal::from_f64(share).unwrap_or_default();
        let mut amount = (self.total * share).round_dp(self.spec.currency.minor_digits);
        amount.rescale(self.spec.currency.minor_digits);
        amount
    }

    /// The facility with the solved tranche at `amount`; `None` when the
    /// absorbing tranche would not stay positive. A zero-size tranche is
    /// left out.
    pub(crate) fn with_amount(&self, amount: Decimal) -> Option<FacilitySpec> {
        let mut spec = self.spec.clone();
        let absorbed =
            spec.tranches[self.absorb].amount + spec.tranches[self.solve].amount - amount;
        if absorbed <= Decimal::ZERO {
            return None;
        }
        spec.tranches[self.absorb].amount = absorbed;
        spec.tranches[self.solve].amount = amount;
        if amount.is_zero() {
            spec.tranches.remove(self.solve);
        }
        Some(spec)
    }
}
