//! The parties compiled: each party's holdings in minor units, and the
//! holders of each tranche and of the guarantee, so that every payment can
//! be split among them to the cent.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::money::{Money, mul_div_floor};
use crate::spec::{DEFAULT_DISCOUNT_RATE, FacilitySpec, HoldingSpec, PartyKind};

use super::{Calendar, Liabilities};

/// One party, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct PartyModel {
    /// Name.
    pub name: String,
    /// Whether its money is public.
    pub public: bool,
    /// What kind of funder it is.
    pub kind: PartyKind,
    /// Annual rate it discounts cash at.
    pub discount_rate: f64,
    /// Annual rate of its grant element.
    pub grant_element_rate: f64,
    /// What it funds at closing (its shares of tranches).
    pub funded: Money,
    /// Its share of the guarantee's cap.
    pub guaranteed: Money,
    /// `(1 + discount_rate)^-t_k` for the payment dates k = 0..=K.
    pub discount: Vec<f64>,
    /// The same at `grant_element_rate`.
    pub grant_discount: Vec<f64>,
    /// The one tranche it holds a share of, if it holds exactly one and
    /// provides no guarantee: its cash is that tranche's pro rata (to the
    /// cent), so its IRR is the tranche's.
    pub only_tranche: Option<usize>,
}

impl PartyModel {
    /// Funded plus guaranteed: what the party commits.
    pub fn commitment(&self) -> Money {
        self.funded + self.guaranteed
    }

    /// Whether it provides a share of the guarantee.
    pub fn guarantees(&self) -> bool {
        self.guaranteed.is_positive()
    }
}

/// The holders of one tranche or of the guarantee.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Holders {
    /// `(party index, amount held)` in party order; amounts add up to
    /// `total`.
    pub shares: Vec<(usize, Money)>,
    /// The tranche's notional (the guarantee's cap).
    pub total: Money,
}

impl Holders {
    /// Splits `cash` (>= 0) pro rata to the amounts held, each part rounded
    /// down and the cents left given one each in party order, so the parts
    /// add up to `cash` exactly; adds each part to `out[party]`.
    pub fn split_into(&self, cash: Money, out: &mut [Money]) {
        self.split_each(cash, |party, part| out[party] += part);
    }

    /// [`Holders::split_into`], handing each part to `add(party, part)`
    /// (a party given a cent left is handed it separately).
    #[inline]
    pub fn split_each(&self, cash: Money, mut add: impl FnMut(usize, Money)) {
        if cash == Money::ZERO {
            return;
        }
        if let [(party, _)] = self.shares.as_slice() {
            add(*party, cash);
            return;
        }
        let total = self.total.minor().max(1);
        let mut left = cash.minor();
        for &(party, amount) in &self.shares {
            let part = if cash.is_positive() && amount.minor() >= 0 {
                mul_div_floor(cash.minor(), amount.minor(), total)
            } else {
                (i128::from(cash.minor()) * i128::from(amount.minor()) / i128::from(total)) as i64
            };
            add(party, Money::from_minor(part));
            left -= part;
        }
        for &(party, _) in self.shares.iter().cycle().take(left.max(0) as usize) {
            add(party, Money::from_minor(1));
        }
    }
}

/// Every party and who holds what.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PartiesModel {
    /// The parties, in file order (implied: one per tranche, then the
    /// guarantor).
    pub parties: Vec<PartyModel>,
    /// Holders of each tranche, most senior first.
    pub tranche_holders: Vec<Holders>,
    /// Holders of the guarantee, if any.
    pub guarantee_holders: Option<Holders>,
    /// Whether the parties are implied (no `[[parties]]` in the file).
    pub implied: bool,
}

/// Amounts of `total` by shares: each `share x total` rounded down, the
/// minor units left given one each in order (exact when the shares add up
/// to 1 and each amount is whole, as validation checks).
fn amounts(total: Money, holders: &[(usize, Decimal)]) -> Holders {
    let mut shares: Vec<(usize, Money)> = holders
        .iter()
        .map(|&(party, share)| {
            let amount = (share * Decimal::from(total.minor())).floor();
            (party, Money::from_minor(amount.to_i64().unwrap_or(0)))
        })
        .collect();
    let held: i64 = shares.iter().map(|(_, m)| m.minor()).sum();
    let count = shares.len();
    for i in 0..(total.minor() - held).max(0) as usize {
        if count > 0 {
            shares[i % count].1 += Money::from_minor(1);
        }
    }
    Holders { shares, total }
}

/// `(1 + rate)^-years`: the value today of one unit `years` from now at
/// the annual rate `rate`.
pub fn discount_factor(rate: f64, years: f64) -> f64 {
    (1.0 + rate).powf(-years)
}

/// Present value at `rate` of dated amounts `(years, amount)`.
pub fn present_value(flows: &[(f64, f64)], rate: f64) -> f64 {
    flows
        .iter()
        .map(|&(years, amount)| amount * discount_factor(rate, years))
        .sum()
}

/// Grant element of a position of face value `face` that returns `flows`:
/// `(face - PV at rate of flows) / face`, the OECD DAC / IMF definition
/// (references section 4).
pub fn grant_element(face: f64, flows: &[(f64, f64)], rate: f64) -> f64 {
    (face - present_value(flows, rate)) / face
}

fn discount_factors(rate: f64, calendar: &Calendar) -> Vec<f64> {
    (0..=calendar.periods())
        .map(|k| discount_factor(rate, calendar.years_from_start(k)))
        .collect()
}

/// Compiles the parties of `spec` over the compiled `liabilities`.
pub fn compile_parties(
    spec: &FacilitySpec,
    liabilities: &Liabilities,
    calendar: &Calendar,
) -> PartiesModel {
    let implied = spec.parties.is_empty();
    let parties_spec: Vec<_> = if implied {
        implied_parties(spec)
    } else {
        spec.parties.clone()
    };
    let holders_of = |name: &str, pick: fn(&crate::spec::PartySpec) -> &[HoldingSpec]| {
        let mut list = Vec::new();
        for (p, party) in parties_spec.iter().enumerate() {
            list.extend(
                pick(party)
                    .iter()
                    .filter(|h| h.of == name)
                    .map(|h| (p, h.share)),
            );
        }
        list
    };
    let tranche_holders: Vec<Holders> = liabilities
        .tranches
        .iter()
        .map(|t| amounts(t.notional, &holders_of(&t.name, |p| &p.holdings)))
        .collect();
    let guarantee_holders = liabilities
        .guarantee
        .as_ref()
        .map(|g| amounts(g.cap, &holders_of(&g.name, |p| &p.guarantees)));
    let mut parties: Vec<PartyModel> = parties_spec
        .iter()
        .map(|p| PartyModel {
            name: p.name.clone(),
            public: p.public,
            kind: p.kind,
            discount_rate: p.discount_rate,
            grant_element_rate: p.grant_element_rate,
            funded: Money::ZERO,
            guaranteed: Money::ZERO,
            discount: discount_factors(p.discount_rate, calendar),
            grant_discount: discount_factors(p.grant_element_rate, calendar),
            only_tranche: None,
        })
        .collect();
    let mut tranches_held = vec![0usize; parties.len()];
    for (t, holders) in tranche_holders.iter().enumerate() {
        for &(p, amount) in &holders.shares {
            parties[p].funded += amount;
            parties[p].only_tranche = Some(t);
            tranches_held[p] += 1;
        }
    }
    for (party, held) in parties.iter_mut().zip(tranches_held) {
        if held != 1 {
            party.only_tranche = None;
        }
    }
    for &(p, amount) in guarantee_holders.iter().flat_map(|h| &h.shares) {
        parties[p].guaranteed += amount;
    }
    PartiesModel {
        parties,
        tranche_holders,
        guarantee_holders,
        implied,
    }
}

/// One party per tranche (public as the tranche is) and one for the
/// guarantee, valued at [`DEFAULT_DISCOUNT_RATE`].
fn implied_parties(spec: &FacilitySpec) -> Vec<crate::spec::PartySpec> {
    let whole = |of: &str| {
        vec![HoldingSpec {
            of: of.to_owned(),
            share: Decimal::ONE,
        }]
    };
    let party = |name: &str, public: bool| crate::spec::PartySpec {
        name: name.to_owned(),
        public,
        kind: PartyKind::Unspecified,
        discount_rate: DEFAULT_DISCOUNT_RATE,
        grant_element_rate: DEFAULT_DISCOUNT_RATE,
        holdings: Vec::new(),
        guarantees: Vec::new(),
    };
    let mut out: Vec<_> = spec
        .tranches
        .iter()
        .map(|t| crate::spec::PartySpec {
            holdings: whole(&t.name),
            ..party(&t.name, t.public)
        })
        .collect();
    out.extend(spec.guarantee.iter().map(|g| crate::spec::PartySpec {
        guarantees: whole(&g.name),
        ..party(&g.name, g.public)
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_split_adds_up_to_the_cent() {
        // 100.01 split 2 : 1 is 66.67 and 33.33 rounded down (66.67 +
        // 33.33 = 100.00), the cent left to the first holder: 66.68, 33.33.
        let holders = Holders {
            shares: vec![(0, Money::from_minor(200)), (1, Money::from_minor(100))],
            total: Money::from_minor(300),
        };
        let mut out = vec![Money::ZERO; 2];
        holders.split_into(Money::from_minor(10_001), &mut out);
        assert_eq!(out, [Money::from_minor(6_668), Money::from_minor(3_333)]);
    }

    #[test]
    fn amounts_by_share_are_exact_or_give_the_rest_in_order() {
        let half = Decimal::new(5, 1);
        let held = amounts(Money::from_minor(1_001), &[(0, half), (1, half)]);
        assert_eq!(
            held.shares,
            [(0, Money::from_minor(501)), (1, Money::from_minor(500))]
        );
    }
}
