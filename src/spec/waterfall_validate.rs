//! Rules of the `[waterfall]` and `[guarantee]` tables. Every finding
//! names the step (`waterfall.interest[2].tranche`) and says what would be
//! valid.

use std::collections::BTreeMap;

use super::money::{check_minor_digits, check_positive};
use super::types::FacilitySpec;
use super::validate::{BPS, Interval, number_in};
use super::waterfall::{
    CoverageKind, CoverageTestSpec, DefaultedValue, FeeBasis, GuaranteeCap, GuaranteeSpec,
    ReserveSpec, ReserveTarget, StepList, StepSpec, WaterfallSpec,
};

/// A broken rule: field, whether it reads other fields, message.
pub(super) type WaterfallFinding = (String, bool, String);

const RATIO: Interval = Interval(0.0, false, 1000.0, false);
const POOL_SHARE: Interval = Interval(0.0, false, 1.0, true);
const CARRIED_SHARE: Interval = Interval(0.0, true, 1.0, true);

#[derive(Default)]
struct Findings(Vec<WaterfallFinding>);

impl Findings {
    fn check(&mut self, field: String, relational: bool, result: Result<(), String>) {
        if let Err(message) = result {
            self.0.push((field, relational, message));
        }
    }

    fn fail(&mut self, field: String, message: String) {
        self.0.push((field, true, message));
    }
}

/// Every broken rule of the waterfall and the guarantee.
pub(super) fn findings(spec: &FacilitySpec) -> Vec<WaterfallFinding> {
    let mut found = Findings::default();
    if let Some(guarantee) = &spec.guarantee {
        check_guarantee(spec, guarantee, &mut found);
    }
    if let Some(waterfall) = &spec.waterfall {
        if spec.management_fee_bps != 0.0 {
            found.fail(
                "management_fee_bps".into(),
                "applies only without a [waterfall] table; with one, write the fee as a \
                 `fee` step (kind = \"fee\", name = \"management\", rate_bps = ...)"
                    .into(),
            );
        }
        Steps::new(spec, waterfall, &mut found).check();
    }
    found.0
}

fn check_guarantee(spec: &FacilitySpec, g: &GuaranteeSpec, found: &mut Findings) {
    let digits = spec.currency.minor_digits;
    found.check(
        "guarantee.name".into(),
        false,
        if g.name.trim().is_empty() {
            Err("is empty; expected the guarantee's name".into())
        } else {
            Ok(())
        },
    );
    let fee = number_in(g.fee_bps, BPS, "a fee in basis points");
    found.check("guarantee.fee_bps".into(), false, fee);
    match &g.cap {
        GuaranteeCap::Amount(cap) => {
            found.check("guarantee.cap".into(), false, check_positive(*cap));
            found.check(
                "guarantee.cap".into(),
                true,
                check_minor_digits(*cap, digits),
            );
            let pool = spec.pool_amount();
            if *cap > pool && !spec.projects.is_empty() {
                let message =
                    format!("{cap} is more than the pool ({pool}); expected at most the pool");
                found.fail("guarantee.cap".into(), message);
            }
        }
        GuaranteeCap::PoolShare(share) => {
            let r = number_in(*share, POOL_SHARE, "a share of the pool");
            found.check("guarantee.cap_share".into(), false, r);
        }
    }
    if spec.tranches.iter().any(|t| t.name == g.name) {
        let message = format!(
            "`{}` is also a tranche's name; expected a distinct name",
            g.name
        );
        found.fail("guarantee.name".into(), message);
    }
}

/// The checks that read both lists.
struct Steps<'a> {
    spec: &'a FacilitySpec,
    waterfall: &'a WaterfallSpec,
    found: &'a mut Findings,
    tranche_names: Vec<&'a str>,
}

impl<'a> Steps<'a> {
    fn new(spec: &'a FacilitySpec, waterfall: &'a WaterfallSpec, found: &'a mut Findings) -> Self {
        Steps {
            spec,
            waterfall,
            found,
            tranche_names: spec.tranches.iter().map(|t| t.name.as_str()).collect(),
        }
    }

    fn lists(&self) -> [(StepList, &'a [StepSpec]); 3] {
        let accelerated = self
            .waterfall
            .acceleration
            .as_ref()
            .map_or(&[][..], |a| &a.steps);
        [
            (StepList::Interest, &self.waterfall.interest),
            (StepList::Principal, &self.waterfall.principal),
            (StepList::Accelerated, accelerated),
        ]
    }

    /// Every step with its path, e.g. `waterfall.principal[1]`.
    fn steps(&self) -> Vec<(StepList, usize, String, &'a StepSpec)> {
        self.lists()
            .into_iter()
            .flat_map(|(list, steps)| {
                steps.iter().enumerate().map(move |(i, step)| {
                    (list, i, format!("waterfall.{}[{i}]", list.as_str()), step)
                })
            })
            .collect()
    }

    fn check(mut self) {
        let mut names: BTreeMap<(&'static str, &'a str), String> = BTreeMap::new();
        let lists = self.lists();
        for (list, i, at, step) in self.steps() {
            if list == StepList::Accelerated {
                self.check_accelerated(&at, step);
            }
            self.check_step(list, &at, step);
            let last = lists
                .iter()
                .find(|(l, _)| *l == list)
                .map_or(0, |(_, s)| s.len())
                - 1;
            if matches!(step, StepSpec::Residual { .. }) && i != last {
                let message = format!(
                    "a residual step pays everything left, so the {} steps after it would \
                     never be paid; expected residual last",
                    last - i
                );
                self.found.fail(format!("{at}.kind"), message);
            }
            if let Some(name) = step_name(step) {
                let kind = step.kind();
                if let Some(first) = names.get(&(kind, name)) {
                    let message = format!(
                        "`{name}` is already the name of the {kind} step {first}; expected unique names"
                    );
                    self.found.fail(format!("{at}.name"), message);
                } else {
                    names.insert((kind, name), at.clone());
                }
            }
        }
        self.check_coverage();
    }

    fn tranche(&mut self, at: &str, field: &str, name: &str, kind: &str) {
        if !self.tranche_names.contains(&name) {
            let message = format!(
                "{kind} step: `{name}` is not a tranche; expected one of {}",
                self.tranche_names.join(", ")
            );
            self.found.fail(format!("{at}.{field}"), message);
        }
    }

    fn check_step(&mut self, list: StepList, at: &str, step: &'a StepSpec) {
        let kind = step.kind();
        if list == StepList::Principal
            && matches!(
                step,
                StepSpec::CoverageTest(_) | StepSpec::Reserve(_) | StepSpec::Pdl { .. }
            )
        {
            let message = format!(
                "a {kind} step acts on interest proceeds; expected it in waterfall.interest"
            );
            self.found.fail(format!("{at}.kind"), message);
        }
        match step {
            StepSpec::Fee(fee) => self.check_fee(at, fee),
            StepSpec::Interest { tranche } | StepSpec::Residual { tranche } => {
                self.tranche(at, "tranche", tranche, kind)
            }
            StepSpec::CoverageTest(test) => {
                self.tranche(at, "tranche", &test.tranche, kind);
                let r = number_in(test.min_ratio, RATIO, "a coverage ratio");
                self.found.check(format!("{at}.min_ratio"), false, r);
                self.check_name(at, &test.name, "test");
                self.check_defaulted_value(at, test);
            }
            StepSpec::Reserve(reserve) => self.check_reserve(at, reserve),
            StepSpec::Principal(p) => {
                if p.tranches.is_empty() {
                    let message = "is empty; expected one or more tranche names".to_owned();
                    self.found
                        .check(format!("{at}.tranches"), false, Err(message));
                }
                for (j, name) in p.tranches.iter().enumerate() {
                    self.tranche(at, &format!("tranches[{j}]"), name, kind);
                    if p.tranches[..j].contains(name) {
                        let message =
                            format!("principal step: `{name}` is listed twice; expected it once");
                        self.found.fail(format!("{at}.tranches[{j}]"), message);
                    }
                }
                if p.sequential_after_test_failure && !p.pro_rata {
                    let message = "applies only to a pro rata step (pro_rata = true)".to_owned();
                    self.found
                        .fail(format!("{at}.sequential_after_test_failure"), message);
                }
            }
            // Checked with the funding rules (funding_validate.rs).
            StepSpec::CommitmentFee(_) => {}
            StepSpec::Pdl { tranche } => {
                if let Some(tranche) = tranche {
                    self.tranche(at, "tranche", tranche, kind);
                }
            }
            StepSpec::GuaranteeFee | StepSpec::GuarantorReimbursement => {
                if self.spec.guarantee.is_none() {
                    let message = format!("a {kind} step needs a [guarantee] table");
                    self.found.fail(format!("{at}.kind"), message);
                }
            }
        }
    }

    fn check_reserve(&mut self, at: &str, reserve: &'a ReserveSpec) {
        for (j, tranche) in reserve.tranches.iter().enumerate() {
            self.tranche(at, &format!("tranches[{j}]"), tranche, "reserve");
        }
        self.check_name(at, &reserve.name, "reserve");
        match reserve.target {
            ReserveTarget::Amount(amount) => {
                let field = format!("{at}.target_amount");
                self.found
                    .check(field.clone(), false, check_positive(amount));
                let digits = self.spec.currency.minor_digits;
                self.found
                    .check(field, true, check_minor_digits(amount, digits));
            }
            ReserveTarget::InterestPeriods(0) => {
                let message = "0 periods; expected at least 1".to_owned();
                self.found
                    .check(format!("{at}.target_periods"), false, Err(message));
            }
            ReserveTarget::InterestPeriods(_) => {}
        }
    }

    /// `defaulted_value` is an OC test's, and a share is in [0, 1].
    fn check_defaulted_value(&mut self, at: &str, test: &CoverageTestSpec) {
        let field = format!("{at}.defaulted_value");
        if test.test == CoverageKind::Ic && test.defaulted_value != DefaultedValue::Zero {
            let message =
                "applies only to an OC test (an IC test counts interest, not balances)".to_owned();
            self.found.check(field.clone(), true, Err(message));
        }
        if let DefaultedValue::Share(share) = test.defaulted_value {
            let r = number_in(share, CARRIED_SHARE, "a share of the defaulted balance");
            self.found.check(field, false, r);
        }
    }

    fn check_name(&mut self, at: &str, name: &str, what: &str) {
        if name.trim().is_empty() {
            let message = format!("is empty; expected the {what}'s name");
            self.found.check(format!("{at}.name"), false, Err(message));
        }
    }

    fn check_fee(&mut self, at: &str, fee: &'a super::waterfall::FeeSpec) {
        self.check_name(at, &fee.name, "fee");
        match &fee.basis {
            FeeBasis::PerformingPool { rate_bps } => {
                let r = number_in(*rate_bps, BPS, "a fee in basis points");
                self.found.check(format!("{at}.rate_bps"), false, r);
            }
            FeeBasis::TrancheBalance { tranche, rate_bps } => {
                self.tranche(at, "tranche", tranche, "fee");
                let r = number_in(*rate_bps, BPS, "a fee in basis points");
                self.found.check(format!("{at}.rate_bps"), false, r);
            }
            FeeBasis::Fixed { amount } => {
                let field = format!("{at}.amount");
                self.found
                    .check(field.clone(), false, check_positive(*amount));
                let digits = self.spec.currency.minor_digits;
                self.found
                    .check(field, true, check_minor_digits(*amount, digits));
            }
        }
    }

    /// A post-acceleration step pays interest, principal or a residual
    /// (every fee is paid before the list).
    fn check_accelerated(&mut self, at: &str, step: &StepSpec) {
        if !matches!(
            step,
            StepSpec::Interest { .. }
                | StepSpec::Principal(_)
                | StepSpec::Residual { .. }
                | StepSpec::GuarantorReimbursement
        ) {
            let message = format!(
                "a {} step does not apply after an event of default; expected interest, \
                 principal, guarantor_reimbursement or residual (every fee is paid first)",
                step.kind()
            );
            self.found.fail(format!("{at}.kind"), message);
        }
    }

    /// The post-acceleration list is not empty and ends with a residual.
    fn check_acceleration_ends(&mut self) {
        let Some(acceleration) = &self.waterfall.acceleration else {
            return;
        };
        if !matches!(acceleration.steps.last(), Some(StepSpec::Residual { .. })) {
            let message = "must end with a residual step (kind = \"residual\", tranche = ...) \
                           so that no cash is left unallocated"
                .to_owned();
            self.found
                .fail("waterfall.acceleration.steps".into(), message);
        }
    }

    /// Lists end with a residual; every tranche is repaid and, if it bears
    /// a coupon, paid interest somewhere; the guarantee fee is paid once.
    fn check_coverage(&mut self) {
        let principal = &self.waterfall.principal;
        if !matches!(principal.last(), Some(StepSpec::Residual { .. })) {
            let message = "must end with a residual step (kind = \"residual\", tranche = ...) \
                           so that no cash is left unallocated"
                .to_owned();
            self.found.fail("waterfall.principal".into(), message);
        }
        self.check_acceleration_ends();
        let mut steps = self.steps();
        // After an event of default only: the normal lists must repay and
        // pay interest on their own.
        steps.retain(|(list, ..)| *list != StepList::Accelerated);
        for tranche in &self.spec.tranches {
            let name = tranche.name.as_str();
            let repaid = steps.iter().any(|(.., step)| {
                matches!(step, StepSpec::Principal(p) if p.tranches.iter().any(|t| t == name))
            });
            if !repaid {
                let message = format!(
                    "tranche `{name}` is never paid principal; expected it in a principal step"
                );
                self.found.fail("waterfall.principal".into(), message);
            }
            let paid_interest = steps.iter().any(
                |(.., step)| matches!(step, StepSpec::Interest { tranche } if tranche == name),
            );
            if tranche.coupon > 0.0 && !paid_interest {
                let message = format!(
                    "tranche `{name}` bears a coupon but no interest step pays it; expected \
                     an interest step (kind = \"interest\", tranche = \"{name}\")"
                );
                self.found.fail("waterfall.interest".into(), message);
            }
        }
        let fee_steps: Vec<&String> = steps
            .iter()
            .filter(|(.., step)| matches!(step, StepSpec::GuaranteeFee))
            .map(|(_, _, at, _)| at)
            .collect();
        if let [_, second, ..] = fee_steps.as_slice() {
            let message = "the guarantee fee is already paid by an earlier guarantee_fee step; \
                           expected one"
                .to_owned();
            self.found.fail(format!("{second}.kind"), message);
        }
        let charges = self
            .spec
            .guarantee
            .as_ref()
            .is_some_and(|g| g.fee_bps > 0.0);
        if charges && fee_steps.is_empty() {
            let message = "the guarantee charges a fee but no step pays it; expected a \
                           guarantee_fee step (kind = \"guarantee_fee\") in waterfall.interest"
                .to_owned();
            self.found.fail("waterfall.interest".into(), message);
        }
        let mut covered = BTreeMap::new();
        for (_, _, at, step) in &steps {
            let StepSpec::Reserve(r) = step else {
                continue;
            };
            let first = self.tranche_names.first().copied().unwrap_or_default();
            let tranches: Vec<&str> = match r.tranches.as_slice() {
                [] => vec![first],
                names => names.iter().map(String::as_str).collect(),
            };
            for tranche in tranches {
                if let Some(first) = covered.insert(tranche, at.clone()) {
                    let message = format!(
                        "tranche `{tranche}` is already covered by the reserve step {first}; \
                         expected one reserve per tranche"
                    );
                    self.found.fail(format!("{at}.tranches"), message);
                }
            }
        }
    }
}

fn step_name(step: &StepSpec) -> Option<&str> {
    match step {
        StepSpec::Fee(fee) => Some(&fee.name),
        StepSpec::CoverageTest(test) => Some(&test.name),
        StepSpec::Reserve(reserve) => Some(&reserve.name),
        _ => None,
    }
}
