//! Eligibility of the pool: sponsor nexus rules and concentration limits.

use std::collections::BTreeMap;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use super::error::EligibilityBreach;
use super::types::{FacilitySpec, ProjectSpec};

/// A concentration rule: its name, what it groups, its limit and the key.
type Grouping = (
    &'static str,
    &'static str,
    Option<f64>,
    fn(&ProjectSpec) -> &str,
);

impl FacilitySpec {
    /// Every breach of the `[eligibility]` rules: projects with an excluded
    /// sponsor nexus or without a required one, sponsors PRC-linked through
    /// their owners, a pool below its minimum share of sponsors with a
    /// given nexus, and projects, minerals or countries above their maximum
    /// share of pool principal. Codes resolve through the facility's alias
    /// table and groups. Breaches of one project carry its line; none
    /// carries a file.
    pub fn eligibility_breaches(&self) -> Vec<EligibilityBreach> {
        let mut breaches: Vec<_> = self
            .projects
            .iter()
            .flat_map(|p| self.nexus_breaches(p))
            .collect();
        breaches.extend(self.nexus_share_breach());
        breaches.extend(self.concentration_breaches());
        breaches
    }

    fn nexus_breaches(&self, p: &ProjectSpec) -> Vec<EligibilityBreach> {
        let rules = &self.eligibility;
        let table = &rules.nexus;
        let canonical: Vec<Option<&str>> =
            p.sponsor_nexus.iter().map(|c| table.resolve(c)).collect();
        let mut out = Vec::new();
        let nexus = p.sponsor_nexus.join(";");
        for entry in &rules.excluded_sponsor_nexus {
            let codes = table.rule_codes(entry).unwrap_or_default();
            for (written, code) in p.sponsor_nexus.iter().zip(&canonical) {
                let Some(code) = code.filter(|c| codes.iter().any(|x| x == c)) else {
                    continue;
                };
                let message = format!(
                    "sponsor nexus {written} is excluded ({} in {}; sponsor_nexus = {nexus})",
                    alias_note(written, code),
                    rule_entry(entry, &codes),
                );
                out.push(project_breach(p, "excluded_sponsor_nexus", message));
            }
        }
        let required = table.rule_set(&rules.required_sponsor_nexus);
        let has_required = canonical
            .iter()
            .flatten()
            .any(|code| required.iter().any(|r| r == code));
        if !rules.required_sponsor_nexus.is_empty() && !has_required {
            let message = format!(
                "needs a sponsor nexus in {} ({}); has {nexus}",
                rules.required_sponsor_nexus.join(", "),
                required.join(", ")
            );
            out.push(project_breach(p, "required_sponsor_nexus", message));
        }
        out.extend(self.ownership_breach(p));
        out
    }

    /// The project's sponsor is PRC-linked through its owners.
    fn ownership_breach(&self, p: &ProjectSpec) -> Option<EligibilityBreach> {
        let rules = self.eligibility.ownership.as_ref()?;
        let sponsor = p.sponsor.as_ref()?;
        let look = rules.look_through(sponsor);
        if !rules.breaks(&look) {
            return None;
        }
        let shown: Vec<String> = look
            .chains
            .iter()
            .take(3)
            .map(ToString::to_string)
            .collect();
        let more = look.chains.len().saturating_sub(shown.len());
        let control = if look.controlled {
            format!(
                "; controlled through a chain of holdings each at least {}%",
                rules.control_share * 100.0
            )
        } else {
            String::new()
        };
        let message = format!(
            "sponsor `{sponsor}` is PRC-linked: owners in {} or flagged prc_linked hold {}% of it \
             through their chains (threshold {}%){control}: {}{}",
            rules.linked_group,
            percent(look.effective_share),
            rules.prc_share_threshold * 100.0,
            shown.join("; "),
            if more > 0 {
                format!(" (and {more} more chains)")
            } else {
                String::new()
            },
        );
        Some(project_breach(p, "ownership", message))
    }

    /// The pool lends less than the minimum share to sponsors with a
    /// nexus in the rule's codes.
    fn nexus_share_breach(&self) -> Option<EligibilityBreach> {
        let rule = self.eligibility.nexus_share.as_ref()?;
        let pool = self.pool_amount();
        let codes = self.eligibility.nexus.rule_set(&rule.nexus);
        let with_nexus = self
            .projects
            .iter()
            .filter(|p| {
                p.sponsor_nexus.iter().any(|c| {
                    let code = self.eligibility.nexus.resolve(c);
                    code.is_some_and(|code| codes.iter().any(|x| x == code))
                })
            })
            .fold(Decimal::ZERO, |sum, p| {
                sum.checked_add(p.amount).unwrap_or(Decimal::MAX)
            });
        let ratio = with_nexus.checked_div(pool)?;
        if ratio.to_f64().is_some_and(|share| share >= rule.min_share) {
            return None;
        }
        Some(EligibilityBreach {
            rule: "nexus_share".to_owned(),
            subject: "the pool".to_owned(),
            message: format!(
                "{}% of pool principal ({with_nexus} of {pool}) goes to sponsors with a nexus in {} ({}); the minimum is {}%",
                percent(ratio),
                rule.nexus.join(", "),
                codes.join(", "),
                rule.min_share * 100.0
            ),
            file: None,
            line: None,
        })
    }

    fn concentration_breaches(&self) -> Vec<EligibilityBreach> {
        let pool = self.pool_amount();
        if pool <= Decimal::ZERO {
            return Vec::new();
        }
        let rules = &self.eligibility;
        let groupings: [Grouping; 3] = [
            (
                "max_project_share",
                "project",
                rules.max_project_share,
                |p| &p.id,
            ),
            (
                "max_mineral_share",
                "mineral",
                rules.max_mineral_share,
                |p| &p.mineral,
            ),
            (
                "max_country_share",
                "country",
                rules.max_country_share,
                |p| &p.country,
            ),
        ];
        let mut out = Vec::new();
        for (rule, noun, limit, key) in groupings {
            let Some(limit) = limit else { continue };
            for (name, (amount, line)) in self.totals_by(key) {
                let ratio = amount.checked_div(pool).unwrap_or(Decimal::MAX);
                if ratio.to_f64().is_none_or(|share| share > limit) {
                    out.push(EligibilityBreach {
                        rule: rule.to_owned(),
                        subject: format!("{noun} `{name}`"),
                        message: format!(
                            "{}% of pool principal ({amount} of {pool}); the limit is {}%",
                            percent(ratio),
                            limit * 100.0
                        ),
                        file: None,
                        line: (noun == "project" && line > 0).then_some(line),
                    });
                }
            }
        }
        out
    }

    /// Principal per key, with the line of the first project of each key.
    fn totals_by(&self, key: fn(&ProjectSpec) -> &str) -> BTreeMap<&str, (Decimal, usize)> {
        let mut totals: BTreeMap<&str, (Decimal, usize)> = BTreeMap::new();
        for p in &self.projects {
            let entry = totals.entry(key(p)).or_insert((Decimal::ZERO, p.line));
            entry.0 = entry.0.checked_add(p.amount).unwrap_or(Decimal::MAX);
        }
        totals
    }
}

/// A ratio as a percentage with up to six decimals, rounded away from zero
/// so a share just above a limit never displays as equal to it.
fn percent(ratio: Decimal) -> Decimal {
    ratio
        .checked_mul(Decimal::ONE_HUNDRED)
        .unwrap_or(Decimal::MAX)
        .round_dp_with_strategy(6, RoundingStrategy::AwayFromZero)
        .normalize()
}

/// `CHINA is CN` for an alias, `HK` for a canonical code.
fn alias_note(written: &str, code: &str) -> String {
    if written == code {
        code.to_owned()
    } else {
        format!("{written} is {code},")
    }
}

/// `PRC = CN, HK, MO` for a group or an alias, `CN` for a code.
fn rule_entry(entry: &str, codes: &[String]) -> String {
    match codes {
        [only] if only == entry => entry.to_owned(),
        _ => format!("{entry} = {}", codes.join(", ")),
    }
}

fn project_breach(p: &ProjectSpec, rule: &str, message: String) -> EligibilityBreach {
    EligibilityBreach {
        rule: rule.to_owned(),
        subject: format!("project `{}`", p.id),
        message,
        file: None,
        line: (p.line > 0).then_some(p.line),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::sample_spec;

    fn rules_and_subjects(spec: &super::FacilitySpec) -> Vec<(String, String)> {
        let breaches = spec.eligibility_breaches();
        breaches.into_iter().map(|b| (b.rule, b.subject)).collect()
    }

    fn pair(rule: &str, subject: &str) -> (String, String) {
        (rule.to_owned(), subject.to_owned())
    }

    #[test]
    fn no_rules_no_breaches() {
        assert!(sample_spec().eligibility_breaches().is_empty());
    }

    #[test]
    fn nexus_rules() {
        let mut spec = sample_spec();
        spec.eligibility.required_sponsor_nexus = vec!["US".into(), "KR".into()];
        spec.eligibility.excluded_sponsor_nexus = vec!["PRC".into()];
        spec.projects[1].sponsor_nexus = vec!["KR".into(), "PRC".into()];
        spec.projects[2].sponsor_nexus = vec!["AU".into()];
        let found = rules_and_subjects(&spec);
        assert_eq!(
            found,
            [
                pair("excluded_sponsor_nexus", "project `P2`"),
                pair("required_sponsor_nexus", "project `P3`"),
            ]
        );
        assert_eq!(spec.eligibility_breaches()[0].line, Some(3));
    }

    #[test]
    fn concentration_limits_at_the_limit_are_fine() {
        let mut spec = sample_spec();
        spec.eligibility.max_project_share = Some(0.25);
        spec.eligibility.max_mineral_share = Some(0.5);
        spec.eligibility.max_country_share = Some(0.5);
        assert!(spec.eligibility_breaches().is_empty());
        spec.eligibility.max_mineral_share = Some(0.4);
        spec.eligibility.max_country_share = Some(0.3);
        let found = rules_and_subjects(&spec);
        assert_eq!(
            found,
            [
                pair("max_mineral_share", "mineral `lithium`"),
                pair("max_country_share", "country `Chile`"),
            ]
        );
        let breach = &spec.eligibility_breaches()[0];
        assert_eq!(
            breach.message,
            "50% of pool principal (50 of 100); the limit is 40%"
        );
        assert_eq!(breach.line, None);
    }

    #[test]
    fn every_spelling_of_a_prc_nexus_is_caught() {
        for nexus in ["KR;CN", "US;CHN", "US;HK", "KR;China", "US;Macau", "prc"] {
            let mut spec = sample_spec();
            spec.eligibility.excluded_sponsor_nexus = vec!["PRC".into()];
            spec.projects[0].sponsor_nexus = nexus.split(';').map(str::to_owned).collect();
            let found = rules_and_subjects(&spec);
            assert_eq!(
                found,
                [pair("excluded_sponsor_nexus", "project `P1`")],
                "{nexus}"
            );
        }
        let mut spec = sample_spec();
        spec.eligibility.excluded_sponsor_nexus = vec!["PRC".into()];
        spec.projects[0].sponsor_nexus = vec!["KR".into(), "China".into()];
        assert_eq!(
            spec.eligibility_breaches()[0].message,
            "sponsor nexus China is excluded (China is CN, in PRC = CN, HK, MO; sponsor_nexus = KR;China)"
        );
    }

    #[test]
    fn required_nexus_and_minimum_share_use_groups_and_aliases() {
        let mut spec = sample_spec();
        spec.eligibility.required_sponsor_nexus = vec!["msp".into()];
        spec.projects[0].sponsor_nexus = vec!["USA".into()];
        spec.projects[1].sponsor_nexus = vec!["Japan".into()];
        spec.projects[2].sponsor_nexus = vec!["SG".into()];
        spec.projects[3].sponsor_nexus = vec!["KOR".into()];
        assert_eq!(
            rules_and_subjects(&spec),
            [pair("required_sponsor_nexus", "project `P3`")]
        );
        spec.eligibility.required_sponsor_nexus.clear();
        // US (P1) and KR (P4): 50 of 100 against a minimum of 60%.
        spec.eligibility.nexus_share = Some(crate::spec::NexusShareRule {
            nexus: vec!["US".into(), "KR".into()],
            min_share: 0.6,
        });
        let breaches = spec.eligibility_breaches();
        assert_eq!(breaches.len(), 1);
        assert_eq!(
            breaches[0].message,
            "50% of pool principal (50 of 100) goes to sponsors with a nexus in US, KR (KR, US); the minimum is 60%"
        );
        spec.eligibility.nexus_share.as_mut().unwrap().min_share = 0.5;
        assert!(spec.eligibility_breaches().is_empty());
    }

    #[test]
    fn a_thirty_percent_chain_breaks_a_quarter_threshold_and_is_shown() {
        use crate::spec::nexus::{Link, OwnershipRules};
        let link = |entity: &str, owner: &str, share: &str, jurisdiction: &str| Link {
            entity: entity.into(),
            owner: owner.into(),
            share: share.parse().unwrap(),
            jurisdiction: Some(jurisdiction.into()),
            prc_linked_flag: false,
            line: 2,
        };
        let mut spec = sample_spec();
        spec.projects[1].sponsor = Some("Andes Copper".into());
        spec.eligibility.ownership = Some(OwnershipRules {
            file: "ownership.csv".into(),
            prc_share_threshold: 0.25,
            // Control only at 61% or more: the 60% link does not control.
            control_share: 0.61,
            linked_group: "prc".into(),
            linked_codes: vec!["CN".into(), "HK".into(), "MO".into()],
            links: vec![
                link("Andes Copper", "Pacific HoldCo", "0.6", "SG"),
                link("Pacific HoldCo", "Red River Capital", "0.5", "HK"),
            ],
        });
        let breaches = spec.eligibility_breaches();
        assert_eq!(breaches.len(), 1);
        assert_eq!(
            (breaches[0].rule.as_str(), breaches[0].line),
            ("ownership", Some(3))
        );
        assert_eq!(
            breaches[0].message,
            "sponsor `Andes Copper` is PRC-linked: owners in prc or flagged prc_linked hold 30% of it \
             through their chains (threshold 25%): Andes Copper -> Pacific HoldCo (60%) -> \
             Red River Capital (50%) = 30%"
        );
        spec.eligibility
            .ownership
            .as_mut()
            .unwrap()
            .prc_share_threshold = 0.31;
        assert!(spec.eligibility_breaches().is_empty());
    }
}
