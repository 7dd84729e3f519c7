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
    /// sponsor nexus or without a required one, and projects, minerals or
    /// countries above their maximum share of pool principal. Breaches of
    /// one project carry its line; none carries a file.
    pub fn eligibility_breaches(&self) -> Vec<EligibilityBreach> {
        let mut breaches: Vec<_> = self
            .projects
            .iter()
            .flat_map(|p| self.nexus_breaches(p))
            .collect();
        breaches.extend(self.concentration_breaches());
        breaches
    }

    fn nexus_breaches(&self, p: &ProjectSpec) -> Vec<EligibilityBreach> {
        let rules = &self.eligibility;
        let has = |code: &String| p.sponsor_nexus.contains(code);
        let mut out = Vec::new();
        let nexus = p.sponsor_nexus.join(";");
        for code in rules.excluded_sponsor_nexus.iter().filter(|c| has(c)) {
            let message = format!("sponsor nexus {code} is excluded (sponsor_nexus = {nexus})");
            out.push(project_breach(p, "excluded_sponsor_nexus", message));
        }
        let required = &rules.required_sponsor_nexus;
        if !required.is_empty() && !required.iter().any(has) {
            let message = format!(
                "needs a sponsor nexus in {}; has {nexus}",
                required.join(", ")
            );
            out.push(project_breach(p, "required_sponsor_nexus", message));
        }
        out
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
}
