//! The rules of `[[parties]]`: unique names, rates in range, holdings of
//! tranches and of the guarantee that exist, and every tranche (and the
//! guarantee) held exactly once in all, checked in money.

use super::*;
use crate::spec::{GuaranteeCap, PartySpec};

pub(super) fn check_parties(spec: &FacilitySpec, c: &mut Checks) {
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, party) in spec.parties.iter().enumerate() {
        let at = format!("parties[{i}]");
        c.facility(
            format!("{at}.name"),
            false,
            non_empty(&party.name, "a party name"),
        );
        if let Some(first) = names.insert(&party.name, i) {
            let message = format!(
                "`{}` is already the name of parties[{first}]; expected unique names",
                party.name
            );
            c.facility(format!("{at}.name"), true, Err(message));
        }
        for (key, rate) in [
            ("discount_rate", party.discount_rate),
            ("grant_element_rate", party.grant_element_rate),
        ] {
            c.facility(
                format!("{at}.{key}"),
                false,
                number_in(rate, RATE, "an annual rate"),
            );
        }
        check_holdings(spec, party, &at, c);
    }
    if !spec.parties.is_empty() {
        check_tranches_held(spec, c);
        check_guarantee_held(spec, c);
    }
}

fn check_holdings(spec: &FacilitySpec, party: &PartySpec, at: &str, c: &mut Checks) {
    let tranches: Vec<&str> = spec.tranches.iter().map(|t| t.name.as_str()).collect();
    let guarantee = spec.guarantee.as_ref().map(|g| g.name.as_str());
    let lists = [
        ("holdings", "tranche", &party.holdings, tranches.clone()),
        (
            "guarantees",
            "guarantee",
            &party.guarantees,
            guarantee.into_iter().collect(),
        ),
    ];
    for (list, key, holdings, known) in lists {
        let mut seen = BTreeSet::new();
        for (j, holding) in holdings.iter().enumerate() {
            let here = format!("{at}.{list}[{j}]");
            let exists = if known.contains(&holding.of.as_str()) {
                Ok(())
            } else if known.is_empty() {
                Err(format!(
                    "`{}` is not a {key}: the facility has none",
                    holding.of
                ))
            } else {
                Err(format!(
                    "`{}` is not a {key}; expected one of {}",
                    holding.of,
                    known.join(", ")
                ))
            };
            c.facility(format!("{here}.{key}"), true, exists);
            if !seen.insert(&holding.of) {
                let message = format!(
                    "`{}` is held twice by this party; expected one share",
                    holding.of
                );
                c.facility(format!("{here}.{key}"), true, Err(message));
            }
            let share_ok = holding.share > Decimal::ZERO && holding.share <= Decimal::ONE;
            let r = share_ok.then_some(()).ok_or_else(|| {
                format!(
                    "{} is not a share; expected a decimal in (0, 1]",
                    holding.share
                )
            });
            c.facility(format!("{here}.share"), false, r);
        }
    }
}

/// Each tranche: the parties' amounts (share x notional, each a whole
/// number of minor units) add up to its notional exactly.
fn check_tranches_held(spec: &FacilitySpec, c: &mut Checks) {
    let digits = spec.currency.minor_digits;
    for tranche in &spec.tranches {
        let mut total = Decimal::ZERO;
        for (i, party) in spec.parties.iter().enumerate() {
            for (j, h) in party.holdings.iter().enumerate() {
                if h.of != tranche.name {
                    continue;
                }
                let amount = h.share.checked_mul(tranche.amount).unwrap_or(Decimal::MAX);
                if amount.normalize().scale() > digits {
                    let message = format!(
                        "{} of {} is {}, not a whole number of minor units; expected a share \
                         that gives an exact amount",
                        h.share,
                        tranche.amount,
                        amount.normalize()
                    );
                    c.facility(
                        format!("parties[{i}].holdings[{j}].share"),
                        true,
                        Err(message),
                    );
                }
                total = total.checked_add(amount).unwrap_or(Decimal::MAX);
            }
        }
        if total != tranche.amount {
            let message = format!(
                "the parties hold {} of tranche `{}` ({} of {}); expected shares adding up to 1 \
                 exactly",
                (total / tranche.amount).normalize(),
                tranche.name,
                total.normalize(),
                tranche.amount
            );
            c.facility("parties", true, Err(message));
        }
    }
}

/// The guarantee's shares add up to 1 exactly.
fn check_guarantee_held(spec: &FacilitySpec, c: &mut Checks) {
    let Some(guarantee) = &spec.guarantee else {
        return;
    };
    let total: Decimal = (spec.parties.iter())
        .flat_map(|p| &p.guarantees)
        .filter(|h| h.of == guarantee.name)
        .map(|h| h.share)
        .sum();
    if total != Decimal::ONE {
        let cap = match guarantee.cap {
            GuaranteeCap::Amount(cap) => format!("cap {cap}"),
            GuaranteeCap::PoolShare(share) => format!("cap {share} of the pool"),
        };
        let message = format!(
            "the parties provide {} of guarantee `{}` ({cap}); expected shares adding up to 1 exactly",
            total.normalize(),
            guarantee.name
        );
        c.facility("parties", true, Err(message));
    }
}
