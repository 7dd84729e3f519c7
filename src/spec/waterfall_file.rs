//! The `[waterfall]` and `[guarantee]` tables of `facility.toml`: raw serde
//! structs and their conversion, reporting every problem with the step's
//! path (`waterfall.interest[2].rate_bps`).
//!
//! A step is one table with a `kind` and the fields of that kind; a field
//! that belongs to another kind is an error (it would otherwise be silently
//! ignored). A step that cannot be read is kept as a placeholder and marked
//! failed, so the positions of the other steps stay right in messages.

use serde::Deserialize;

use super::money::money_from_toml;
use super::reader::Reader;
use super::waterfall::{
    AccelerationSpec, CommitmentFeeSpec, CoverageKind, CoverageTestSpec, DefaultedValue, FeeBasis,
    FeeSpec, GuaranteeCap, GuaranteeSpec, PdlRecoveries, PdlSpec, PrincipalSpec, ReserveSpec,
    ReserveTarget, StepList, StepSpec, WaterfallSpec,
};

/// `[waterfall]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWaterfall {
    interest: Option<Vec<RawStep>>,
    principal: Option<Vec<RawStep>>,
    pdl_recoveries: Option<String>,
    residual_after_pdl: Option<bool>,
    acceleration: Option<RawAcceleration>,
}

/// `[waterfall.acceleration]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAcceleration {
    grace_periods: Option<i64>,
    steps: Option<Vec<RawStep>>,
}

/// One step of `waterfall.interest` or `waterfall.principal`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    kind: Option<String>,
    name: Option<String>,
    tranche: Option<String>,
    tranches: Option<Vec<String>>,
    rate_bps: Option<f64>,
    amount: Option<toml::Value>,
    test: Option<String>,
    min_ratio: Option<f64>,
    target_amount: Option<toml::Value>,
    target_periods: Option<i64>,
    pro_rata: Option<bool>,
    sequential_after_test_failure: Option<bool>,
    effective_date: Option<toml::Value>,
    initial_deposit: Option<toml::Value>,
    defaulted_value: Option<toml::Value>,
}

/// `[guarantee]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGuarantee {
    name: Option<String>,
    cap: Option<toml::Value>,
    cap_share: Option<f64>,
    fee_bps: Option<f64>,
    public: Option<bool>,
}

/// Accepted `kind` words, with the fields each kind accepts besides `kind`.
const KINDS: &[(&str, &[&str])] = &[
    ("fee", &["name", "rate_bps", "tranche", "amount"]),
    ("interest", &["tranche"]),
    (
        "coverage_test",
        &[
            "name",
            "test",
            "tranche",
            "min_ratio",
            "effective_date",
            "defaulted_value",
        ],
    ),
    (
        "reserve",
        &[
            "name",
            "tranche",
            "tranches",
            "target_amount",
            "target_periods",
            "initial_deposit",
        ],
    ),
    (
        "principal",
        &["tranches", "pro_rata", "sequential_after_test_failure"],
    ),
    ("residual", &["tranche"]),
    ("guarantee_fee", &[]),
    ("guarantor_reimbursement", &[]),
    ("commitment_fee", &["tranche", "rate_bps"]),
    ("pdl", &["tranche"]),
];

const PDL_RECOVERIES: &[(&str, PdlRecoveries)] = &[
    ("received", PdlRecoveries::Received),
    ("expected", PdlRecoveries::Expected),
];

/// `defaulted_value`: "zero", "recovery_mean" or a share in [0, 1] (its
/// range is checked with the other rules).
fn defaulted_value(value: toml::Value) -> Result<DefaultedValue, String> {
    match value {
        toml::Value::String(word) if word == "zero" => Ok(DefaultedValue::Zero),
        toml::Value::String(word) if word == "recovery_mean" => Ok(DefaultedValue::RecoveryMean),
        toml::Value::Float(share) => Ok(DefaultedValue::Share(share)),
        toml::Value::Integer(share) => Ok(DefaultedValue::Share(share as f64)),
        other => Err(format!(
            "{other} is not accepted; expected \"zero\", \"recovery_mean\" or a share of the defaulted balance such as 0.4"
        )),
    }
}

const TESTS: &[(&str, CoverageKind)] = &[("oc", CoverageKind::Oc), ("ic", CoverageKind::Ic)];

impl RawStep {
    /// Names of the fields that are present.
    fn present(&self) -> Vec<&'static str> {
        let fields: [(&str, bool); 14] = [
            ("name", self.name.is_some()),
            ("tranche", self.tranche.is_some()),
            ("tranches", self.tranches.is_some()),
            ("rate_bps", self.rate_bps.is_some()),
            ("amount", self.amount.is_some()),
            ("test", self.test.is_some()),
            ("min_ratio", self.min_ratio.is_some()),
            ("target_amount", self.target_amount.is_some()),
            ("target_periods", self.target_periods.is_some()),
            ("pro_rata", self.pro_rata.is_some()),
            (
                "sequential_after_test_failure",
                self.sequential_after_test_failure.is_some(),
            ),
            ("effective_date", self.effective_date.is_some()),
            ("initial_deposit", self.initial_deposit.is_some()),
            ("defaulted_value", self.defaulted_value.is_some()),
        ];
        fields
            .iter()
            .filter(|(_, present)| *present)
            .map(|(name, _)| *name)
            .collect()
    }
}

/// A step standing in for one that could not be read.
fn placeholder_step() -> StepSpec {
    StepSpec::Residual {
        tranche: String::new(),
    }
}

impl Reader {
    pub(super) fn waterfall(&mut self, raw: Option<RawWaterfall>) -> Option<WaterfallSpec> {
        let raw = raw?;
        let acceleration = raw.acceleration.map(|a| {
            let grace = a
                .grace_periods
                .and_then(|n| self.integer("waterfall.acceleration.grace_periods", Some(n)));
            (grace.unwrap_or(0), a.steps)
        });
        let mut list = |list: StepList, steps: Option<Vec<RawStep>>| -> Vec<StepSpec> {
            let at = format!("waterfall.{}", list.as_str());
            let what = "an array of step tables, e.g. [[waterfall.interest]] kind = \"fee\" ...";
            let steps = self.required(&at, steps, what).unwrap_or_default();
            steps
                .into_iter()
                .enumerate()
                .map(|(i, step)| self.step(&format!("{at}[{i}]"), step))
                .collect()
        };
        let interest = list(StepList::Interest, raw.interest);
        let principal = list(StepList::Principal, raw.principal);
        let acceleration = acceleration.map(|(grace_periods, steps)| AccelerationSpec {
            grace_periods,
            steps: list(StepList::Accelerated, steps),
        });
        let recoveries = raw.pdl_recoveries.map(|word| {
            self.choice("waterfall.pdl_recoveries", Some(word), PDL_RECOVERIES)
                .unwrap_or_default()
        });
        Some(WaterfallSpec {
            interest,
            principal,
            pdl: PdlSpec {
                recoveries: recoveries.unwrap_or_default(),
                residual_after_cure: raw.residual_after_pdl.unwrap_or(false),
            },
            acceleration,
        })
    }

    fn step(&mut self, at: &str, raw: RawStep) -> StepSpec {
        let path = |field: &str| format!("{at}.{field}");
        let kind = self.required(
            &path("kind"),
            raw.kind.clone(),
            "a step kind such as \"fee\"",
        );
        let choices: Vec<(&str, usize)> = KINDS
            .iter()
            .enumerate()
            .map(|(i, (k, _))| (*k, i))
            .collect();
        let Some(index) = self.choice(&path("kind"), kind, &choices) else {
            return placeholder_step();
        };
        let (kind, allowed) = KINDS[index];
        for field in raw.present() {
            if !allowed.contains(&field) {
                let expected = if allowed.is_empty() {
                    "no other field".to_owned()
                } else {
                    format!("only {}", allowed.join(", "))
                };
                self.fail(
                    &path(field),
                    format!("does not apply to a `{kind}` step; a `{kind}` step takes {expected}"),
                );
            }
        }
        self.step_of_kind(at, kind, raw)
    }

    fn name(&mut self, at: &str, value: Option<String>, kind: &str) -> String {
        self.text(&format!("{at}.name"), value, &format!("the {kind}'s name"))
    }

    fn tranche_name(&mut self, at: &str, value: Option<String>) -> String {
        self.text(&format!("{at}.tranche"), value, "a tranche name")
    }

    fn step_of_kind(&mut self, at: &str, kind: &str, raw: RawStep) -> StepSpec {
        let path = |field: &str| format!("{at}.{field}");
        match kind {
            "fee" => StepSpec::Fee(self.fee(at, raw)),
            "interest" => StepSpec::Interest {
                tranche: self.tranche_name(at, raw.tranche),
            },
            "coverage_test" => {
                let test = self.required(&path("test"), raw.test, "\"oc\" or \"ic\"");
                StepSpec::CoverageTest(CoverageTestSpec {
                    name: self.name(at, raw.name, "test"),
                    test: self
                        .choice(&path("test"), test, TESTS)
                        .unwrap_or(CoverageKind::Oc),
                    tranche: self.tranche_name(at, raw.tranche),
                    min_ratio: self
                        .required(&path("min_ratio"), raw.min_ratio, "a ratio such as 1.15")
                        .unwrap_or(1.0),
                    effective_date: raw
                        .effective_date
                        .map(|d| self.date(&path("effective_date"), Some(d))),
                    defaulted_value: raw
                        .defaulted_value
                        .and_then(|v| {
                            self.convert(&path("defaulted_value"), Some(v), defaulted_value)
                        })
                        .unwrap_or_default(),
                })
            }
            "reserve" => StepSpec::Reserve(self.reserve(at, raw)),
            "principal" => StepSpec::Principal(PrincipalSpec {
                tranches: self
                    .required(&path("tranches"), raw.tranches, "a list of tranche names")
                    .unwrap_or_default(),
                pro_rata: raw.pro_rata.unwrap_or(false),
                sequential_after_test_failure: raw.sequential_after_test_failure.unwrap_or(false),
            }),
            "residual" => StepSpec::Residual {
                tranche: self.tranche_name(at, raw.tranche),
            },
            "commitment_fee" => StepSpec::CommitmentFee(CommitmentFeeSpec {
                tranche: self.tranche_name(at, raw.tranche),
                rate_bps: self
                    .required(&path("rate_bps"), raw.rate_bps, "an annual rate in bps")
                    .unwrap_or(0.0),
            }),
            "pdl" => StepSpec::Pdl {
                tranche: raw.tranche,
            },
            "guarantor_reimbursement" => StepSpec::GuarantorReimbursement,
            _ => StepSpec::GuaranteeFee,
        }
    }

    fn fee(&mut self, at: &str, raw: RawStep) -> FeeSpec {
        let name = self.name(at, raw.name, "fee");
        let amount_path = format!("{at}.amount");
        let basis = match (raw.rate_bps, raw.amount) {
            (Some(rate_bps), None) => match raw.tranche {
                Some(tranche) => FeeBasis::TrancheBalance { tranche, rate_bps },
                None => FeeBasis::PerformingPool { rate_bps },
            },
            (None, Some(amount)) => {
                if raw.tranche.is_some() {
                    let message =
                        "a fixed fee is not on a tranche; give `tranche` only with `rate_bps`";
                    self.fail(&format!("{at}.tranche"), message.into());
                }
                FeeBasis::Fixed {
                    amount: self
                        .convert(&amount_path, Some(amount), |v| money_from_toml(&v))
                        .unwrap_or_default(),
                }
            }
            (rate, amount) => {
                let message = if rate.is_some() && amount.is_some() {
                    "both `rate_bps` and `amount` are given; expected one of them"
                } else {
                    "neither `rate_bps` nor `amount` is given; expected one of them"
                };
                self.fail(&format!("{at}.rate_bps"), message.into());
                FeeBasis::PerformingPool { rate_bps: 0.0 }
            }
        };
        FeeSpec { name, basis }
    }

    fn reserve(&mut self, at: &str, raw: RawStep) -> ReserveSpec {
        let name = self.name(at, raw.name, "reserve");
        let target = match (raw.target_amount, raw.target_periods) {
            (Some(amount), None) => ReserveTarget::Amount(
                self.convert(&format!("{at}.target_amount"), Some(amount), |v| {
                    money_from_toml(&v)
                })
                .unwrap_or_default(),
            ),
            (None, Some(periods)) => ReserveTarget::InterestPeriods(
                self.integer(&format!("{at}.target_periods"), Some(periods))
                    .unwrap_or(1),
            ),
            (amount, _) => {
                let message = if amount.is_some() {
                    "both `target_amount` and `target_periods` are given; expected one of them"
                } else {
                    "neither `target_amount` nor `target_periods` is given; expected one of them"
                };
                self.fail(&format!("{at}.target_amount"), message.into());
                ReserveTarget::InterestPeriods(1)
            }
        };
        let initial_deposit = raw.initial_deposit.and_then(|amount| {
            self.convert(&format!("{at}.initial_deposit"), Some(amount), |v| {
                money_from_toml(&v)
            })
        });
        let tranches = match (raw.tranche, raw.tranches) {
            (Some(tranche), None) => vec![tranche],
            (None, tranches) => tranches.unwrap_or_default(),
            (Some(tranche), Some(_)) => {
                let message = "both `tranche` and `tranches` are given; expected one of them";
                self.fail(&format!("{at}.tranches"), message.into());
                vec![tranche]
            }
        };
        ReserveSpec {
            name,
            tranches,
            target,
            initial_deposit,
        }
    }

    pub(super) fn guarantee(&mut self, raw: Option<RawGuarantee>) -> Option<GuaranteeSpec> {
        let raw = raw?;
        let cap = match (raw.cap, raw.cap_share) {
            (Some(cap), None) => GuaranteeCap::Amount(
                self.convert("guarantee.cap", Some(cap), |v| money_from_toml(&v))
                    .unwrap_or_default(),
            ),
            (None, Some(share)) => GuaranteeCap::PoolShare(share),
            (cap, _) => {
                let message = if cap.is_some() {
                    "both `cap` and `cap_share` are given; expected one of them"
                } else {
                    "neither `cap` (an amount) nor `cap_share` (a share of the pool) is given; expected one of them"
                };
                self.fail("guarantee.cap", message.into());
                GuaranteeCap::PoolShare(1.0)
            }
        };
        Some(GuaranteeSpec {
            name: self.text("guarantee.name", raw.name, "the guarantee's name"),
            cap,
            fee_bps: raw.fee_bps.unwrap_or(0.0),
            public: raw.public.unwrap_or(true),
        })
    }
}
