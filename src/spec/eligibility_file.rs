//! The `[nexus]` and `[eligibility]` tables of `facility.toml`: the alias
//! table's extensions and the named groups, then the rules that use them.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::nexus::{BUILT_IN_GROUPS, NexusTable, OwnershipRules, normalise};
use super::reader::Reader;
use super::types::{EligibilityRules, NexusShareRule};

/// `[nexus]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNexus {
    aliases: Option<BTreeMap<String, String>>,
    groups: Option<BTreeMap<String, Vec<String>>>,
}

/// `[eligibility]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEligibility {
    required_sponsor_nexus: Option<Vec<String>>,
    excluded_sponsor_nexus: Option<Vec<String>>,
    max_project_share: Option<f64>,
    max_mineral_share: Option<f64>,
    max_country_share: Option<f64>,
    nexus_share: Option<RawNexusShare>,
    ownership: Option<RawOwnership>,
}

/// `[eligibility.nexus_share]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNexusShare {
    nexus: Option<Vec<String>>,
    min_share: Option<f64>,
}

/// `[eligibility.ownership]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOwnership {
    file: Option<String>,
    prc_share_threshold: Option<f64>,
    control_share: Option<f64>,
    linked_group: Option<String>,
}

/// A code the facility may define: capital letters and digits, 2 or 3.
fn is_code_shape(text: &str) -> bool {
    (2..=3).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// A group name: lower-case letters, digits and `_`, starting with a letter.
fn is_group_name(name: &str) -> bool {
    name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl Reader {
    /// `[nexus]`: the shipped table with the facility's aliases and groups.
    pub(super) fn nexus(&mut self, raw: Option<RawNexus>) -> NexusTable {
        let raw = raw.unwrap_or_default();
        let mut table = NexusTable::default();
        for (alias, target) in raw.aliases.unwrap_or_default() {
            let path = format!("nexus.aliases.{alias}");
            if let Some(code) = self.alias_target(&table, &alias, &target, &path) {
                table.extra_aliases.insert(normalise(&alias), code);
            }
        }
        for (name, members) in raw.groups.unwrap_or_default() {
            let path = format!("nexus.groups.{name}");
            let built_in = BUILT_IN_GROUPS.iter().any(|(n, ..)| *n == name);
            if !is_group_name(&name) {
                let message = format!(
                    "`{name}` is not a group name; expected lower-case letters, digits and `_`, e.g. allies"
                );
                self.fail(&path, message);
                continue;
            }
            if !built_in && table.resolve(&name).is_some() {
                let message = format!(
                    "`{name}` is also a nexus code; expected a group name that is not a code"
                );
                self.fail(&path, message);
                continue;
            }
            let mut codes = Vec::new();
            for (i, member) in members.iter().enumerate() {
                match table.resolve(member) {
                    Some(code) => codes.push(code.to_owned()),
                    None => {
                        let message = table.check_code(member).err().unwrap_or_default();
                        self.fail(&format!("{path}[{i}]"), message);
                    }
                }
            }
            codes.sort();
            codes.dedup();
            table.groups.insert(name, codes);
        }
        table
    }

    /// The canonical code an added alias stands for: `target` resolved, or
    /// a new code when the alias names itself (`XK = "XK"`).
    fn alias_target(
        &mut self,
        table: &NexusTable,
        alias: &str,
        target: &str,
        path: &str,
    ) -> Option<String> {
        let code = match table.resolve(target) {
            Some(code) => code.to_owned(),
            None if normalise(alias) == normalise(target) && is_code_shape(target.trim()) => {
                target.trim().to_owned()
            }
            None => {
                let message = format!(
                    "`{target}` is not a known nexus code; expected a code of the table (e.g. US), \
                     or the alias itself to define a new code (2 or 3 capital letters, e.g. XK = \"XK\")"
                );
                self.fail(path, message);
                return None;
            }
        };
        match table.resolve(alias) {
            Some(existing) if existing != code => {
                let message = format!(
                    "`{alias}` already stands for {existing}; expected an alias the table does not \
                     have (the shipped table cannot be redefined)"
                );
                self.fail(path, message);
                None
            }
            _ => Some(code),
        }
    }

    /// `[eligibility]`, its entries checked later against `table`.
    pub(super) fn eligibility(
        &mut self,
        raw: Option<RawEligibility>,
        table: NexusTable,
    ) -> EligibilityRules {
        let raw = raw.unwrap_or_default();
        let ownership = raw.ownership.and_then(|o| self.ownership(o, &table));
        EligibilityRules {
            required_sponsor_nexus: trimmed(raw.required_sponsor_nexus),
            excluded_sponsor_nexus: trimmed(raw.excluded_sponsor_nexus),
            max_project_share: raw.max_project_share,
            max_mineral_share: raw.max_mineral_share,
            max_country_share: raw.max_country_share,
            nexus_share: raw.nexus_share.and_then(|r| self.nexus_share(r)),
            ownership,
            nexus: table,
        }
    }

    fn nexus_share(&mut self, raw: RawNexusShare) -> Option<NexusShareRule> {
        let at = "eligibility.nexus_share";
        let nexus = self.required(
            &format!("{at}.nexus"),
            raw.nexus,
            "the codes or groups a sponsor nexus must be in, e.g. [\"US\", \"KR\"]",
        );
        let min_share = self.required(
            &format!("{at}.min_share"),
            raw.min_share,
            "a share of pool principal in (0, 1], e.g. 0.6",
        );
        Some(NexusShareRule {
            nexus: trimmed(nexus),
            min_share: min_share?,
        })
    }

    fn ownership(&mut self, raw: RawOwnership, table: &NexusTable) -> Option<OwnershipRules> {
        let at = "eligibility.ownership";
        let file = self.required(
            &format!("{at}.file"),
            raw.file,
            "the path of ownership.csv, relative to the facility file",
        );
        let threshold = self.required(
            &format!("{at}.prc_share_threshold"),
            raw.prc_share_threshold,
            "a share in (0, 1], e.g. 0.25",
        );
        let linked_group = raw.linked_group.unwrap_or_else(|| "prc".to_owned());
        let linked_codes = table.groups.get(&linked_group).cloned();
        if linked_codes.is_none() {
            let message = format!(
                "`{linked_group}` is not a nexus group; expected one of {}",
                table.groups.keys().cloned().collect::<Vec<_>>().join(", ")
            );
            self.fail(&format!("{at}.linked_group"), message);
        }
        Some(OwnershipRules {
            file: file?,
            prc_share_threshold: threshold?,
            control_share: raw.control_share.unwrap_or(0.5),
            linked_group,
            linked_codes: linked_codes?,
            links: Vec::new(),
        })
    }
}

/// Entries of a rule, trimmed (groups and codes resolve case-insensitively).
fn trimmed(raw: Option<Vec<String>>) -> Vec<String> {
    raw.unwrap_or_default()
        .iter()
        .map(|entry| entry.trim().to_owned())
        .collect()
}
