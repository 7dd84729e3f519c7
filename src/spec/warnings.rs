//! Likely mistakes in a facility that is valid: it runs, but probably not
//! as meant. [`FacilitySpec::warnings`] lists them; the command line prints
//! them and carries on.

use chrono::Months;

use super::error::Diagnostic;
use super::types::FacilitySpec;

impl FacilitySpec {
    /// Likely mistakes, each on the field to look at:
    ///
    /// - no public money: no tranche and no guarantee is `public`, so the
    ///   mobilisation ratio and the public side's figures are undefined;
    /// - a legal final date before the latest maturity plus the recovery
    ///   lag: recoveries of loans that default late would come after it and
    ///   are collected on it instead, at their full recovery value.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        let mut warnings = Vec::new();
        let public_guarantee = self.guarantee.as_ref().is_some_and(|g| g.public);
        if !public_guarantee && !self.tranches.iter().any(|t| t.public) {
            warnings.push(Diagnostic::new(
                "tranches",
                "no tranche (and no guarantee) is `public = true`, so the mobilisation ratio and \
                 the expected loss of public money are undefined; mark the public first-loss \
                 tranche `public = true` if there is one",
            ));
        }
        if let Some(warning) = self.legal_final_warning() {
            warnings.push(warning);
        }
        warnings
    }

    /// The legal final date against the latest maturity plus the recovery
    /// lag (none when it is on or after it, or without projects).
    fn legal_final_warning(&self) -> Option<Diagnostic> {
        let latest = self.projects.iter().map(|p| p.maturity_date).max()?;
        let lag = self.risk.recovery_lag_months;
        let needed = latest.checked_add_months(Months::new(lag))?;
        (self.legal_final_date < needed).then(|| {
            Diagnostic::new(
                "legal_final_date",
                format!(
                    "{} is before the latest maturity {latest} plus the {lag}-month recovery lag \
                     ({needed}): recoveries of loans that default late would come after it and \
                     are collected on it instead, at their full recovery value (docs/model.md); \
                     expected {needed} or later",
                    self.legal_final_date
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::Months;

    use crate::spec::test_support::sample_spec;

    /// The sample facility (legal final 2035, maturities 2030, a 12-month
    /// lag) with its first loss public: nothing to warn about.
    fn public_sample() -> crate::spec::FacilitySpec {
        let mut spec = sample_spec();
        spec.tranches[2].public = true;
        spec
    }

    #[test]
    fn a_facility_without_public_money_is_warned_about() {
        let mut spec = public_sample();
        assert_eq!(spec.warnings(), []);
        spec.tranches[2].public = false;
        let fields: Vec<String> = spec.warnings().into_iter().map(|w| w.field).collect();
        assert_eq!(fields, ["tranches"]);
    }

    #[test]
    fn a_legal_final_inside_the_recovery_lag_is_warned_about() {
        let mut spec = public_sample();
        spec.risk.recovery_lag_months = 24;
        // Latest maturity 2030-01-01 + 24 months = 2032-01-01.
        spec.legal_final_date = "2032-01-01".parse().unwrap();
        assert_eq!(spec.warnings(), []);
        spec.legal_final_date = spec.legal_final_date - Months::new(1);
        let warnings = spec.warnings();
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].field, "legal_final_date");
        assert!(
            warnings[0]
                .message
                .starts_with("2031-12-01 is before the latest maturity 2030-01-01")
                && warnings[0]
                    .message
                    .ends_with("expected 2032-01-01 or later"),
            "{}",
            warnings[0].message
        );
    }
}
