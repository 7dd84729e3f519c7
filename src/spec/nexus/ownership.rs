//! Ownership look-through: how much of a sponsor PRC-linked owners hold,
//! through every chain of `ownership.csv`.
//!
//! The effective share of a sponsor is the sum over ownership chains that
//! end at a PRC-linked owner of the products of the shares along the chain
//! (a chain stops at the first PRC-linked owner). A sponsor is PRC-linked
//! when that share reaches the threshold, or when one chain has every link
//! at or above the control share (control all the way up). Shares are exact
//! decimals, so 60% x 50% is exactly 30%.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

/// One row of `ownership.csv`: `owner` holds `share` of `entity`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    /// The entity owned (a sponsor, or an owner further up).
    pub entity: String,
    /// Who holds the share.
    pub owner: String,
    /// The share held, in (0, 1].
    pub share: Decimal,
    /// The owner's jurisdiction as a canonical nexus code, if given.
    pub jurisdiction: Option<String>,
    /// Whether the row flags the owner `prc_linked`.
    pub prc_linked_flag: bool,
    /// Line of the row in `ownership.csv` (1 = header).
    pub line: usize,
}

/// `[eligibility.ownership]` and the rows of its file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnershipRules {
    /// The file as the facility names it, for messages.
    pub file: String,
    /// Effective PRC-linked share at or above which a sponsor is
    /// PRC-linked, in (0, 1].
    pub prc_share_threshold: f64,
    /// A chain whose every link is at or above this share controls the
    /// sponsor, in (0, 1] (default 0.5).
    pub control_share: f64,
    /// The group whose jurisdictions make an owner PRC-linked (default
    /// `prc`); the flag `prc_linked` does so in any jurisdiction.
    pub linked_group: String,
    /// Canonical codes of `linked_group`, resolved when the file is read.
    pub linked_codes: Vec<String>,
    /// The rows, in file order (cycle-free: the reader rejects cycles).
    pub links: Vec<Link>,
}

/// One chain from a sponsor up to a PRC-linked owner.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    /// The sponsor, then each owner up the chain with the share it holds
    /// of the one before.
    pub sponsor: String,
    /// (owner, share) up the chain; the last owner is PRC-linked.
    pub steps: Vec<(String, Decimal)>,
    /// Product of the shares.
    pub product: Decimal,
}

impl std::fmt::Display for Chain {
    /// `Sponsor -> HoldCo (60%) -> State Investor (50%) = 30%`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.sponsor)?;
        for (owner, share) in &self.steps {
            write!(f, " -> {owner} ({}%)", percent(*share))?;
        }
        write!(f, " = {}%", percent(self.product))
    }
}

/// A share as a percentage without trailing zeros.
fn percent(share: Decimal) -> Decimal {
    (share * Decimal::ONE_HUNDRED).round_dp(6).normalize()
}

/// The look-through of one sponsor.
#[derive(Debug, Clone, PartialEq)]
pub struct LookThrough {
    /// Sum over chains of the products of shares.
    pub effective_share: Decimal,
    /// Whether a chain has every link at or above the control share.
    pub controlled: bool,
    /// The chains to PRC-linked owners, largest product first.
    pub chains: Vec<Chain>,
}

/// Chains listed at most, so a dense ownership graph stays cheap.
const MAX_CHAINS: usize = 1000;

impl OwnershipRules {
    /// Whether `entity` has rows (as the entity owned).
    pub fn has_entity(&self, entity: &str) -> bool {
        self.links.iter().any(|l| l.entity == entity)
    }

    /// Whether `name` is PRC-linked itself: some row names it as an owner
    /// in the linked group's jurisdictions or with the `prc_linked` flag.
    pub fn is_linked_owner(&self, name: &str) -> bool {
        self.links.iter().any(|l| {
            l.owner == name
                && (l.prc_linked_flag
                    || l.jurisdiction
                        .as_ref()
                        .is_some_and(|j| self.linked_codes.contains(j)))
        })
    }

    /// Whether the look-through makes a sponsor PRC-linked.
    pub fn breaks(&self, look: &LookThrough) -> bool {
        look.controlled
            || look.effective_share
                >= Decimal::try_from(self.prc_share_threshold).unwrap_or_default()
    }

    /// The look-through of `sponsor` (a PRC-linked sponsor itself is one
    /// chain of no steps and product 1).
    pub fn look_through(&self, sponsor: &str) -> LookThrough {
        let owners = self.owners_by_entity();
        let control = Decimal::try_from(self.control_share).unwrap_or(Decimal::ONE);
        let mut walk = Walk {
            rules: self,
            owners: &owners,
            control,
            chains: Vec::new(),
            controlled: false,
        };
        let effective_share = if self.is_linked_owner(sponsor) {
            walk.chains.push(Chain {
                sponsor: sponsor.to_owned(),
                steps: Vec::new(),
                product: Decimal::ONE,
            });
            walk.controlled = true;
            Decimal::ONE
        } else {
            walk.from(sponsor, &mut Vec::new(), Decimal::ONE, true)
        };
        let mut chains = walk.chains;
        for chain in &mut chains {
            chain.sponsor = sponsor.to_owned();
        }
        chains.sort_by_key(|c| std::cmp::Reverse(c.product));
        LookThrough {
            effective_share,
            controlled: walk.controlled,
            chains,
        }
    }

    fn owners_by_entity(&self) -> BTreeMap<&str, Vec<&Link>> {
        let mut map: BTreeMap<&str, Vec<&Link>> = BTreeMap::new();
        for link in &self.links {
            map.entry(&link.entity).or_default().push(link);
        }
        map
    }
}

/// Depth-first walk up the (acyclic) ownership graph.
struct Walk<'a> {
    rules: &'a OwnershipRules,
    owners: &'a BTreeMap<&'a str, Vec<&'a Link>>,
    control: Decimal,
    chains: Vec<Chain>,
    controlled: bool,
}

impl Walk<'_> {
    /// The PRC-linked share of `entity` held through the chains above it,
    /// scaled by `product` (the share of the sponsor `entity` stands for).
    fn from(
        &mut self,
        entity: &str,
        path: &mut Vec<(String, Decimal)>,
        product: Decimal,
        in_control: bool,
    ) -> Decimal {
        let mut total = Decimal::ZERO;
        let Some(links) = self.owners.get(entity) else {
            return total;
        };
        for link in links {
            let product = product.checked_mul(link.share).unwrap_or(Decimal::ZERO);
            let in_control = in_control && link.share >= self.control;
            path.push((link.owner.clone(), link.share));
            if self.rules.is_linked_owner(&link.owner) {
                total += product;
                self.controlled |= in_control;
                if self.chains.len() < MAX_CHAINS {
                    self.chains.push(Chain {
                        sponsor: String::new(),
                        steps: path.clone(),
                        product,
                    });
                }
            } else {
                total += self.from(&link.owner, path, product, in_control);
            }
            path.pop();
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(entity: &str, owner: &str, share: &str, jurisdiction: &str) -> Link {
        Link {
            entity: entity.into(),
            owner: owner.into(),
            share: share.parse().unwrap(),
            jurisdiction: Some(jurisdiction.into()),
            prc_linked_flag: false,
            line: 0,
        }
    }

    fn rules(links: Vec<Link>) -> OwnershipRules {
        OwnershipRules {
            file: "ownership.csv".into(),
            prc_share_threshold: 0.25,
            control_share: 0.5,
            linked_group: "prc".into(),
            linked_codes: vec!["CN".into(), "HK".into(), "MO".into()],
            links,
        }
    }

    #[test]
    fn a_sixty_by_fifty_chain_is_thirty_percent_and_breaks_a_quarter() {
        // Sponsor <- 60% HoldCo (SG) <- 50% State Fund (CN): 0.6 x 0.5 = 0.3.
        let rules = rules(vec![
            link("Sponsor", "HoldCo", "0.6", "SG"),
            link("Sponsor", "Founders", "0.4", "US"),
            link("HoldCo", "State Fund", "0.5", "CN"),
            link("HoldCo", "Pension", "0.5", "KR"),
        ]);
        let look = rules.look_through("Sponsor");
        assert_eq!(look.effective_share, "0.30".parse::<Decimal>().unwrap());
        assert!(look.controlled, "60% then 50%: control all the way up");
        assert!(rules.breaks(&look));
        assert_eq!(
            look.chains[0].to_string(),
            "Sponsor -> HoldCo (60%) -> State Fund (50%) = 30%"
        );
    }

    #[test]
    fn shares_add_over_chains_and_control_needs_every_link() {
        // Two chains of 0.2 x 0.5 = 0.1 each: 0.2 < 0.25, no link >= 50%
        // at the first level: not PRC-linked.
        let rules = rules(vec![
            link("S", "A", "0.2", "SG"),
            link("S", "B", "0.2", "SG"),
            link("A", "X", "0.5", "HK"),
            link("B", "X", "0.5", "HK"),
        ]);
        let look = rules.look_through("S");
        assert_eq!(look.effective_share, "0.2".parse::<Decimal>().unwrap());
        assert!(!look.controlled);
        assert!(!rules.breaks(&look));
        assert_eq!(look.chains.len(), 2);
    }

    #[test]
    fn a_flag_links_an_owner_in_any_jurisdiction() {
        let mut flagged = link("S", "Y", "0.3", "LU");
        flagged.prc_linked_flag = true;
        let rules = rules(vec![flagged]);
        let look = rules.look_through("S");
        assert!(rules.breaks(&look));
        assert!(!look.controlled);
        assert!(rules.look_through("Nobody").chains.is_empty());
    }
}
