//! Funding of the tranches and the ramp-up account.
//!
//! Every tranche commits its notional. Each loan draw (and each draw
//! cancelled because its loan defaulted first) is split across the
//! tranches in proportion to what each still has to fund (its undrawn
//! commitment `u_t`): floors of the shares, then the cents left one each in
//! tranche order to tranches with room left, so every share is between 0
//! and `u_t` and the shares add up to the amount exactly. The commitments
//! left therefore always add up to the draws still to come of loans that
//! have not defaulted.
//!
//! - A tranche funded **at closing** pays in its notional on the closing
//!   date: the reserves' initial deposits are taken from these tranches
//!   first (in the same proportions), and what is not lent waits in the
//!   **ramp-up account**, which earns `ramp_up_yield` on its balance at the
//!   start of each period (paid into the interest proceeds). Its share of a
//!   draw leaves the account; its share of a cancelled draw is released
//!   into the principal proceeds of the default period.
//! - A tranche funded **as drawn** pays in its share of each draw: its
//!   balance grows when the draw is funded, and its undrawn commitment
//!   earns the commitment fee of a `commitment_fee` step.
//!
//! Draws of period k are funded on its payment date, after the period's
//! payments, so the new balances bear interest from period k + 1 (exact for
//! draws on payment dates; a draw between payment dates leaves the loan's
//! interest for the stub to the waterfall, and the ramp-up account earns
//! on it until the payment date).

use crate::model::Liabilities;
use crate::money::{Money, mul_div_floor};
use crate::spec::Funding;

/// Splits `amount` across `room` in proportion to it (see the module docs);
/// adds each share to `shares`. `amount` must not exceed the sum of `room`.
pub(super) fn split(amount: Money, room: &[Money], shares: &mut [Money]) {
    let total: i128 = room.iter().map(|r| i128::from(r.minor())).sum();
    if amount == Money::ZERO || total == 0 {
        return;
    }
    let amount = i128::from(amount.minor()).min(total);
    let mut left = amount;
    for (share, r) in shares.iter_mut().zip(room) {
        // Every amount here is a sum of notionals, so within i64: the
        // floor without a 128-bit division (same value).
        let part = match (i64::try_from(amount), i64::try_from(total)) {
            (Ok(a), Ok(d)) if r.minor() >= 0 => i128::from(mul_div_floor(r.minor(), a, d)),
            _ => i128::from(r.minor()) * amount / total,
        };
        left -= part;
        *share += Money::from_minor(part as i64);
    }
    for (share, r) in shares.iter_mut().zip(room) {
        if left == 0 {
            break;
        }
        if *share < *r {
            *share += Money::from_minor(1);
            left -= 1;
        }
    }
}

/// The funding state of one path.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct FundingState {
    /// Undrawn commitment per tranche.
    pub(super) undrawn: Vec<Money>,
    /// Cash of tranches funded at closing not yet lent.
    pub(super) ramp_up: Money,
    /// Scratch: shares of one split.
    shares: Vec<Money>,
    /// Whether any tranche is funded as drawn.
    pub(super) delayed: bool,
}

impl FundingState {
    /// The state at closing: commitments, then the reserves' initial
    /// deposits (from the tranches funded at closing) and the closing
    /// draws. Sets what each tranche paid in at closing in `funded`;
    /// returns the ramp-up account's part of the closing draws.
    pub(super) fn close(
        &mut self,
        liabilities: &Liabilities,
        closing_draws: Money,
        funded: &mut [Money],
    ) -> Money {
        let tranches = &liabilities.tranches;
        self.undrawn.clear();
        self.undrawn.extend(tranches.iter().map(|t| t.notional));
        self.delayed = tranches.iter().any(|t| t.funding == Funding::AsDrawn);
        self.shares.clear();
        self.shares.resize(tranches.len(), Money::ZERO);
        for (f, t) in funded.iter_mut().zip(tranches) {
            *f = match t.funding {
                Funding::AtClose => t.notional,
                Funding::AsDrawn => Money::ZERO,
            };
        }
        let deposits: Money = liabilities.reserves.iter().map(|r| r.initial).sum();
        if deposits.is_positive() {
            let room: Vec<Money> = tranches
                .iter()
                .zip(&self.undrawn)
                .map(|(t, &u)| match t.funding {
                    Funding::AtClose => u,
                    Funding::AsDrawn => Money::ZERO,
                })
                .collect();
            self.shares.fill(Money::ZERO);
            split(deposits, &room, &mut self.shares);
            for (u, s) in self.undrawn.iter_mut().zip(&self.shares) {
                *u -= *s;
            }
        }
        self.ramp_up = tranches
            .iter()
            .zip(&self.undrawn)
            .filter(|(t, _)| t.funding == Funding::AtClose)
            .map(|(_, &u)| u)
            .sum();
        self.fund(liabilities, closing_draws, funded, &mut [])
    }

    /// Funds draws of `amount`: tranches funded as drawn pay in their
    /// shares (added to `funded` and to `balances` when given), the others'
    /// shares leave the ramp-up account. Returns the ramp-up account's part.
    pub(super) fn fund(
        &mut self,
        liabilities: &Liabilities,
        amount: Money,
        funded: &mut [Money],
        balances: &mut [Money],
    ) -> Money {
        let mut from_ramp_up = Money::ZERO;
        self.take(amount);
        for (t, tranche) in liabilities.tranches.iter().enumerate() {
            let share = self.shares[t];
            match tranche.funding {
                Funding::AtClose => from_ramp_up += share,
                Funding::AsDrawn => {
                    funded[t] += share;
                    if let Some(balance) = balances.get_mut(t) {
                        *balance += share;
                    }
                }
            }
        }
        self.ramp_up -= from_ramp_up;
        from_ramp_up
    }

    /// Splits `amount` over the undrawn commitments into `shares` and takes
    /// the shares off the commitments.
    fn take(&mut self, amount: Money) {
        self.shares.fill(Money::ZERO);
        split(amount, &self.undrawn, &mut self.shares);
        for (u, share) in self.undrawn.iter_mut().zip(&self.shares) {
            *u -= *share;
        }
    }

    /// Cancels commitments of `amount` (draws that will not be made):
    /// returns the ramp-up account's part, released to the waterfall.
    pub(super) fn cancel(&mut self, liabilities: &Liabilities, amount: Money) -> Money {
        self.take(amount);
        let released = liabilities
            .tranches
            .iter()
            .zip(&self.shares)
            .filter(|(t, _)| t.funding == Funding::AtClose)
            .map(|(_, &share)| share)
            .sum();
        self.ramp_up -= released;
        released
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(values: &[i64]) -> Vec<Money> {
        values.iter().map(|&m| Money::from_minor(m)).collect()
    }

    /// 100 over room 70 : 20 : 10 is 70, 20, 10; 10 over 5 : 5 : 5 is
    /// floor(3.33) = 3 each and the cent left to the first; 7 over 3 : 4
    /// fills both.
    #[test]
    fn split_is_proportional_exact_and_within_room() {
        let mut shares = money(&[0, 0, 0]);
        split(Money::from_minor(100), &money(&[70, 20, 10]), &mut shares);
        assert_eq!(shares, money(&[70, 20, 10]));
        let mut shares = money(&[0, 0, 0]);
        split(Money::from_minor(10), &money(&[5, 5, 5]), &mut shares);
        assert_eq!(shares, money(&[4, 3, 3]));
        let mut shares = money(&[0, 0]);
        split(Money::from_minor(7), &money(&[3, 4]), &mut shares);
        assert_eq!(shares, money(&[3, 4]));
    }
}
