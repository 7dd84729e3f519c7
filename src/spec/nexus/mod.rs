//! Sponsor nexus codes as data: the alias table every code goes through,
//! named groups of codes (`prc`, `msp`, or the facility's own), and the
//! look-through of sponsors' ownership chains (`ownership.csv`).
//!
//! A facility that excludes `PRC` must catch `CN`, `CHN`, `China`, `HK` and
//! `Macau` alike, so codes are never compared as written: each resolves
//! through the alias table to one canonical code (ISO 3166-1 alpha-2, or a
//! code the facility file defines), and rules name codes or groups.
//! docs/inputs.md (`[nexus]`) lists the table and the built-in groups.

mod aliases;
mod ownership;
mod ownership_file;

use std::collections::BTreeMap;

use serde::Serialize;

pub use aliases::{BLENDSIM_ALIASES, BUILT_IN_GROUPS};
pub use ownership::{Chain, Link, LookThrough, OwnershipRules};
pub(crate) use ownership_file::{OwnershipRead, read_ownership};

/// The alias table and the named groups a facility resolves codes with.
///
/// [`NexusTable::default`] is the table shipped with blendsim: ISO 3166-1
/// (alpha-2, alpha-3 and names), the aliases in [`BLENDSIM_ALIASES`] and
/// the groups in [`BUILT_IN_GROUPS`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NexusTable {
    /// Aliases added by the facility file (`[nexus.aliases]`), keyed by
    /// their normalised spelling ([`normalise`]), each to a canonical code.
    pub extra_aliases: BTreeMap<String, String>,
    /// Named groups (lower-case name -> canonical codes, sorted): the
    /// built-in ones, replaced or joined by the facility's `[nexus.groups]`.
    pub groups: BTreeMap<String, Vec<String>>,
}

impl Default for NexusTable {
    fn default() -> Self {
        let groups = BUILT_IN_GROUPS
            .iter()
            .map(|(name, codes, _)| {
                let codes = codes.iter().map(|c| (*c).to_owned()).collect();
                ((*name).to_owned(), codes)
            })
            .collect();
        Self {
            extra_aliases: BTreeMap::new(),
            groups,
        }
    }
}

/// A spelling as the table compares it: trimmed, upper case, inner runs of
/// white space as one space (`" south  korea"` -> `"SOUTH KOREA"`).
pub fn normalise(spelling: &str) -> String {
    spelling
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

impl NexusTable {
    /// The canonical code of a spelling (`"Korea, Republic of"` -> `KR`),
    /// or `None` if the table does not know it.
    pub fn resolve(&self, spelling: &str) -> Option<&str> {
        let key = normalise(spelling);
        self.extra_aliases
            .get(&key)
            .map(String::as_str)
            .or_else(|| aliases::built_in(&key))
    }

    /// The canonical codes a rule entry stands for: a group's members when
    /// the entry names a group (groups win, so `PRC` in a rule means the
    /// group `prc`), else the one code it resolves to.
    pub fn rule_codes(&self, entry: &str) -> Option<Vec<String>> {
        if let Some(codes) = self.groups.get(&entry.trim().to_lowercase()) {
            return Some(codes.clone());
        }
        self.resolve(entry).map(|code| vec![code.to_owned()])
    }

    /// The codes of a list of rule entries, deduplicated and sorted
    /// (entries that do not resolve are left out: validation reports them).
    pub fn rule_set(&self, entries: &[String]) -> Vec<String> {
        let mut codes: Vec<String> = entries
            .iter()
            .filter_map(|e| self.rule_codes(e))
            .flatten()
            .collect();
        codes.sort();
        codes.dedup();
        codes
    }

    /// Checks a code of the project list or of `ownership.csv`.
    pub fn check_code(&self, spelling: &str) -> Result<(), String> {
        match self.resolve(spelling) {
            Some(_) => Ok(()),
            None => Err(format!(
                "`{spelling}` is not a known nexus code; expected an ISO 3166-1 alpha-2 or \
                 alpha-3 code or country name (e.g. US, KOR, China), or an alias added in \
                 [nexus.aliases]"
            )),
        }
    }

    /// Checks an entry of an eligibility rule: a group or a code.
    pub fn check_rule_entry(&self, entry: &str) -> Result<(), String> {
        match self.rule_codes(entry) {
            Some(_) => Ok(()),
            None => Err(format!(
                "`{entry}` is neither a nexus group ({}) nor a known nexus code; expected a \
                 group, an ISO 3166-1 alpha-2 or alpha-3 code or country name, or an alias \
                 added in [nexus.aliases]",
                self.groups.keys().cloned().collect::<Vec<_>>().join(", ")
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_the_issue_resolves() {
        let table = NexusTable::default();
        let cases = [
            ("KR", "KR"),
            ("kor", "KR"),
            ("South Korea", "KR"),
            ("Korea, Republic of", "KR"),
            ("ROK", "KR"),
            ("CN", "CN"),
            ("CHN", "CN"),
            ("China", "CN"),
            ("PRC", "CN"),
            ("  people's   republic of china ", "CN"),
            ("HK", "HK"),
            ("Hong Kong", "HK"),
            ("Macau", "MO"),
            ("MAC", "MO"),
            ("USA", "US"),
            ("United States", "US"),
            ("UK", "GB"),
            ("EU", "EU"),
            ("Viet Nam", "VN"),
            ("Vietnam", "VN"),
        ];
        for (spelling, code) in cases {
            assert_eq!(table.resolve(spelling), Some(code), "{spelling}");
        }
        assert_eq!(table.resolve("XX"), None);
        assert_eq!(table.resolve("Chna"), None);
    }

    #[test]
    fn a_group_wins_over_a_code_in_rules() {
        let table = NexusTable::default();
        assert_eq!(table.rule_codes("PRC").unwrap(), ["CN", "HK", "MO"]);
        assert_eq!(table.rule_codes("China").unwrap(), ["CN"]);
        let msp = table.rule_codes("msp").unwrap();
        assert!(msp.contains(&"KR".to_owned()) && msp.contains(&"EU".to_owned()));
        assert_eq!(
            table.rule_set(&["US".into(), "usa".into(), "KOR".into()]),
            ["KR", "US"]
        );
        assert!(table.check_rule_entry("nato").is_err());
        assert!(table.check_code("XX").unwrap_err().contains("`XX`"));
    }
}
