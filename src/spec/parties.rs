//! `[[parties]]`: who holds the facility's tranches and guarantee, what
//! kind of funder each is and the discount rate it values cash at.
//!
//! A facility without parties has one implied party per tranche (and one
//! for the guarantee), public as the tranche is, valued at
//! [`DEFAULT_DISCOUNT_RATE`].

use rust_decimal::Decimal;
use serde::Deserialize;

use super::party_types::{DEFAULT_DISCOUNT_RATE, HoldingSpec, PARTY_KINDS, PartyKind, PartySpec};
use super::reader::Reader;
use super::words::parse_choice;

/// One `[[parties]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawParty {
    name: Option<String>,
    public: Option<bool>,
    kind: Option<String>,
    discount_rate: Option<f64>,
    grant_element_rate: Option<f64>,
    holdings: Option<Vec<RawHolding>>,
    guarantees: Option<Vec<RawGuaranteeShare>>,
}

/// `{ tranche = "...", share = "0.5" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHolding {
    tranche: Option<String>,
    share: Option<toml::Value>,
}

/// `{ guarantee = "...", share = "0.5" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGuaranteeShare {
    guarantee: Option<String>,
    share: Option<toml::Value>,
}

/// A share: a decimal string, an integer, or a number read as the decimal
/// it is written as (a share is a fraction, not money).
fn share_from_toml(value: &toml::Value) -> Result<Decimal, String> {
    let text = match value {
        toml::Value::String(text) => text.trim().to_owned(),
        toml::Value::Integer(int) => int.to_string(),
        // The shortest representation of a TOML float is the literal as
        // written for any share with up to 15 significant digits.
        toml::Value::Float(float) => format!("{float}"),
        other => {
            return Err(format!(
                "{other} is not a share; expected e.g. \"0.5\" or 0.5"
            ));
        }
    };
    text.parse::<Decimal>()
        .map_err(|_| format!("`{text}` is not a share; expected a decimal such as 0.5"))
}

impl Reader {
    /// `[[parties]]`, in file order.
    pub(super) fn parties(&mut self, raw: Option<Vec<RawParty>>) -> Vec<PartySpec> {
        raw.unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, party)| self.party(&format!("parties[{i}]"), party))
            .collect()
    }

    fn party(&mut self, at: &str, raw: RawParty) -> PartySpec {
        let path = |field: &str| format!("{at}.{field}");
        let kinds: Vec<&str> = PARTY_KINDS.iter().map(|(w, _)| *w).collect();
        let kind = self.required(&path("kind"), raw.kind, &kinds.join(", "));
        let kind = self
            .convert(&path("kind"), kind, |w| parse_choice(&w, PARTY_KINDS))
            .unwrap_or(PartyKind::Unspecified);
        let public = self.required(&path("public"), raw.public, "true or false");
        let rate = self.required(
            &path("discount_rate"),
            raw.discount_rate,
            "an annual rate in [0, 1)",
        );
        let holdings = (raw.holdings.unwrap_or_default().into_iter().enumerate())
            .map(|(j, h)| {
                self.holding(
                    &format!("{at}.holdings[{j}]"),
                    "tranche",
                    h.tranche,
                    h.share,
                )
            })
            .collect();
        let guarantees = (raw.guarantees.unwrap_or_default().into_iter().enumerate())
            .map(|(j, h)| {
                self.holding(
                    &format!("{at}.guarantees[{j}]"),
                    "guarantee",
                    h.guarantee,
                    h.share,
                )
            })
            .collect();
        PartySpec {
            name: self.text(&path("name"), raw.name, "a party name"),
            public: public.unwrap_or(false),
            kind,
            discount_rate: rate.unwrap_or(0.0),
            grant_element_rate: raw.grant_element_rate.unwrap_or(DEFAULT_DISCOUNT_RATE),
            holdings,
            guarantees,
        }
    }

    fn holding(
        &mut self,
        at: &str,
        key: &str,
        of: Option<String>,
        share: Option<toml::Value>,
    ) -> HoldingSpec {
        let what = format!("the {key}'s name");
        let of = self.text(&format!("{at}.{key}"), of, &what);
        let share_path = format!("{at}.share");
        let share = self.required(&share_path, share, "a share in (0, 1], e.g. \"0.5\"");
        HoldingSpec {
            of,
            share: self
                .convert(&share_path, share, |v| share_from_toml(&v))
                .unwrap_or(Decimal::ONE),
        }
    }
}
