//! Rules of funding and ramp-up: the projects' draw schedules and
//! capitalised interest, the tranches' `funding`, the ramp-up yield,
//! commitment fees, reserves funded at closing and coverage tests'
//! effective dates. Every finding names the field and says what is valid.

use rust_decimal::Decimal;

use super::money::{check_minor_digits, check_positive};
use super::types::{FacilitySpec, Funding, ProjectSpec};
use super::validate::{BPS, Interval, number_in};
use super::waterfall::{StepSpec, WaterfallSpec};

/// A broken rule: field, whether it reads other fields, message; the
/// project's line when the field is a project-list column.
pub(super) struct FundingFinding {
    /// `Some(line)`: a column of the project list (line 0: a hand-built spec).
    pub project_line: Option<usize>,
    /// The field.
    pub field: String,
    /// Whether the rule reads other fields.
    pub relational: bool,
    /// What is wrong and what would be valid.
    pub message: String,
}

const YIELD: Interval = Interval(0.0, true, 1.0, false);

#[derive(Default)]
struct Found(Vec<FundingFinding>);

impl Found {
    fn facility(&mut self, field: String, relational: bool, message: String) {
        self.0.push(FundingFinding {
            project_line: None,
            field,
            relational,
            message,
        });
    }

    fn project(&mut self, p: &ProjectSpec, field: &str, message: String) {
        self.0.push(FundingFinding {
            project_line: Some(p.line),
            field: field.to_owned(),
            relational: true,
            message,
        });
    }
}

/// Every broken funding rule of `spec`.
pub(super) fn findings(spec: &FacilitySpec) -> Vec<FundingFinding> {
    let mut found = Found::default();
    if let Err(message) = number_in(spec.ramp_up_yield, YIELD, "an annual yield") {
        found.facility("ramp_up_yield".into(), false, message);
    }
    for p in &spec.projects {
        check_draws(p, &mut found);
        check_capitalisation(p, &mut found);
    }
    if let Some(waterfall) = &spec.waterfall {
        check_steps(spec, waterfall, &mut found);
    }
    found.0
}

fn check_draws(p: &ProjectSpec, found: &mut Found) {
    let Some(&(first, _)) = p.draws.first() else {
        return;
    };
    if first != p.start_date {
        let message = format!(
            "the first draw is on {first} but the project starts on {}; expected the first draw on the start_date",
            p.start_date
        );
        found.project(p, "draws", message);
    }
    let mut previous = None;
    for &(date, share) in &p.draws {
        if previous.is_some_and(|before| date <= before) {
            let message = format!(
                "the draw on {date} does not come after the one before it; expected strictly increasing dates"
            );
            found.project(p, "draws", message);
        }
        if date >= p.maturity_date {
            let message = format!(
                "a draw on {date} is not before the maturity_date {}; expected every draw before maturity",
                p.maturity_date
            );
            found.project(p, "draws", message);
        }
        if share <= Decimal::ZERO || share > Decimal::ONE {
            let message = format!("share {share} is not in (0, 1]; expected a positive share");
            found.project(p, "draws", message);
        }
        previous = Some(date);
    }
    let total: Decimal = p.draws.iter().map(|&(_, share)| share).sum();
    if total != Decimal::ONE {
        let message =
            format!("the shares add up to {total}; expected exactly 1 (the whole amount is drawn)");
        found.project(p, "draws", message);
    }
}

fn check_capitalisation(p: &ProjectSpec, found: &mut Found) {
    let Some(until) = p.capitalise_until else {
        return;
    };
    if until <= p.start_date || until >= p.maturity_date {
        let message = format!(
            "{until} is not between the project's start_date {} and maturity_date {}; expected a date after the start and before maturity",
            p.start_date, p.maturity_date
        );
        found.project(p, "capitalise_until", message);
    }
}

fn check_steps(spec: &FacilitySpec, waterfall: &WaterfallSpec, found: &mut Found) {
    let lists = [
        ("interest", &waterfall.interest),
        ("principal", &waterfall.principal),
    ];
    let mut deposits = Decimal::ZERO;
    for (list, steps) in lists {
        for (i, step) in steps.iter().enumerate() {
            let at = format!("waterfall.{list}[{i}]");
            match step {
                StepSpec::CommitmentFee(fee) => {
                    if let Err(message) = number_in(fee.rate_bps, BPS, "a fee in basis points") {
                        found.facility(format!("{at}.rate_bps"), false, message);
                    }
                    let tranche = spec.tranches.iter().find(|t| t.name == fee.tranche);
                    match tranche {
                        None => found.facility(
                            format!("{at}.tranche"),
                            true,
                            format!(
                                "commitment_fee step: `{}` is not a tranche; expected one of {}",
                                fee.tranche,
                                spec.tranches
                                    .iter()
                                    .map(|t| t.name.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ),
                        Some(t) if t.funding != Funding::AsDrawn => found.facility(
                            format!("{at}.tranche"),
                            true,
                            format!(
                                "tranche `{}` is funded at closing and has no undrawn commitment; expected a tranche with funding = \"as_drawn\"",
                                t.name
                            ),
                        ),
                        Some(_) => {}
                    }
                }
                StepSpec::CoverageTest(test) => {
                    if let Some(date) = test.effective_date
                        && (date < spec.start_date || date > spec.legal_final_date)
                    {
                        let message = format!(
                            "{date} is outside the facility's life ({} to {}); expected a date within it",
                            spec.start_date, spec.legal_final_date
                        );
                        found.facility(format!("{at}.effective_date"), true, message);
                    }
                }
                StepSpec::Reserve(reserve) => {
                    if let Some(amount) = reserve.initial_deposit {
                        let field = format!("{at}.initial_deposit");
                        if let Err(message) = check_positive(amount) {
                            found.facility(field.clone(), false, message);
                        }
                        let digits = spec.currency.minor_digits;
                        if let Err(message) = check_minor_digits(amount, digits) {
                            found.facility(field, true, message);
                        }
                        deposits = deposits.saturating_add(amount);
                    }
                }
                _ => {}
            }
        }
    }
    check_deposits_funded(spec, deposits, found);
}

/// Reserves funded at closing are paid for by the tranches funded then.
fn check_deposits_funded(spec: &FacilitySpec, deposits: Decimal, found: &mut Found) {
    if deposits <= Decimal::ZERO {
        return;
    }
    let at_close: Decimal = spec
        .tranches
        .iter()
        .filter(|t| t.funding == Funding::AtClose)
        .map(|t| t.amount)
        .sum();
    if deposits > at_close {
        let message = format!(
            "the reserves' initial deposits ({deposits}) are more than the tranches funded at closing ({at_close}) can pay; expected at most that"
        );
        found.facility("waterfall.interest".into(), true, message);
    }
}

/// The total of the reserves' initial deposits (what the tranches fund
/// besides the pool).
pub(super) fn initial_deposits(spec: &FacilitySpec) -> Decimal {
    let Some(waterfall) = &spec.waterfall else {
        return Decimal::ZERO;
    };
    waterfall
        .interest
        .iter()
        .chain(&waterfall.principal)
        .filter_map(|step| match step {
            StepSpec::Reserve(r) => r.initial_deposit,
            _ => None,
        })
        .fold(Decimal::ZERO, |sum, a| sum.saturating_add(a))
}
