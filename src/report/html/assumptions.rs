//! The page's inputs and assumptions: the pool, default probabilities,
//! recoveries, the copula and correlations, the scenario's overlays, and
//! the priority of payments, each in words a committee reads.

use std::fmt::Write as _;

use crate::analytic::class_correlations;
use crate::format;
use crate::model::{Liabilities, Model, ReserveTargetModel, Step};
use crate::spec::{
    BASE, Copula, CorrelationShares, FacilitySpec, FactorRef, Overlay, PdSource, ScenarioSpec,
    ShiftLevel,
};

use super::super::RunReport;
use super::escape;

/// The "Inputs and assumptions" section.
pub fn inputs_and_assumptions(html: &mut String, run: &RunReport<'_>) {
    let spec = run.spec;
    let model = run.model;
    html.push_str("<section id=\"assumptions\"><h2>Inputs and assumptions</h2>\n<table>\n");
    let rows = [
        ("Pool", pool(spec, run)),
        ("Default probabilities", default_probabilities(spec, model)),
        ("Recoveries", recoveries(spec, model)),
        ("Copula", copula(spec.risk.copula)),
        ("Correlation", correlation(spec, run.scenario)),
        ("Scenario", scenario(run.scenario)),
    ];
    for (item, text) in rows {
        let _ = writeln!(
            html,
            "<tr><th>{item}</th><td class=\"text\">{text}</td></tr>"
        );
    }
    html.push_str("</table>\n");
    pair_correlations(html, model);
    priority_of_payments(html, spec, &model.liabilities);
    html.push_str("</section>\n");
}

fn pool(spec: &FacilitySpec, run: &RunReport<'_>) -> String {
    let f = &run.pack.facility;
    let largest = run
        .pack
        .projects
        .iter()
        .map(|p| p.amount)
        .fold(0.0, f64::max);
    format!(
        "{} loans, {} in all; the largest is {} of the pool. Currency {}, {} payment dates \
         from {} to the legal final date {}.",
        spec.projects.len(),
        format::millions(f.pool_notional, &spec.currency.code),
        format::percent_with(largest / f.pool_notional, 1),
        escape(&spec.currency.code),
        run.model.calendar.periods(),
        spec.start_date,
        spec.legal_final_date,
    )
}

/// Exposure-weighted mean, low and high of `values` weighted by `weights`.
fn weighted_range(values: &[f64], weights: &[f64]) -> (f64, f64, f64) {
    let total: f64 = weights.iter().sum();
    let mean = values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total;
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (mean, low, high)
}

fn exposures(model: &Model) -> Vec<f64> {
    let loans = &model.pool.loans;
    loans
        .iter()
        .map(|l| l.balance_start.first().map_or(0.0, |b| b.as_f64()))
        .collect()
}

fn default_probabilities(spec: &FacilitySpec, model: &Model) -> String {
    let latent = &model.pool.latent;
    // A loan has defaulted by its maturity when its latent variable is at
    // or below its last threshold: the scenario's PD multipliers included.
    let to_maturity: Vec<f64> = model
        .pool
        .loans
        .iter()
        .map(|l| latent.cdf(l.final_threshold()))
        .collect();
    let (mean, low, high) = weighted_range(&to_maturity, &exposures(model));
    let count = |f: fn(&PdSource) -> bool| spec.projects.iter().filter(|p| f(&p.pd)).count();
    let mut sources = Vec::new();
    let rated = count(|s| matches!(s, PdSource::Rating(_)));
    if rated > 0 {
        sources.push(format!(
            "{rated} from ratings ({})",
            escape(&spec.risk.ratings.source)
        ));
    }
    let annual = count(|s| matches!(s, PdSource::AnnualPd(_)));
    if annual > 0 {
        sources.push(format!("{annual} from annual PDs"));
    }
    let curves = count(|s| matches!(s, PdSource::Curve(_)));
    if curves > 0 {
        sources.push(format!("{curves} from the facility's PD curves"));
    }
    let construction = match spec.risk.construction_pd_multiplier {
        1.0 => String::new(),
        m => format!(" The hazard is multiplied by {m} before a project's construction ends."),
    };
    format!(
        "{}. Cumulative probability of default by maturity: {} weighted by exposure, from {} \
         to {}.{construction}",
        sources.join("; "),
        format::percent(mean),
        format::percent(low),
        format::percent(high),
    )
}

fn recoveries(spec: &FacilitySpec, model: &Model) -> String {
    let means: Vec<f64> = model.pool.loans.iter().map(|l| l.recovery.mean()).collect();
    let (mean, low, high) = weighted_range(&means, &exposures(model));
    let random = model.pool.loans.iter().any(|l| l.recovery.is_random());
    let law = if random {
        "Beta-distributed around each project's mean"
    } else {
        "Fixed at each project's mean"
    };
    format!(
        "{law}: {} weighted by exposure, from {} to {}; collected {} months after default; \
         systematic weight {} (recoveries are lower when the project's factors are bad).",
        format::percent_with(mean, 1),
        format::percent_with(low, 1),
        format::percent_with(high, 1),
        spec.risk.recovery_lag_months,
        spec.risk.recovery_systematic_weight,
    )
}

fn copula(copula: Copula) -> String {
    match copula {
        Copula::Gaussian => "Gaussian: defaults are correlated through shared factors, \
                             without extra clustering in the tail."
            .into(),
        Copula::StudentT { dof } => format!(
            "Student t with {dof} degrees of freedom: one shock per path scales every \
             project's factors, so defaults cluster in bad states (tail dependence)."
        ),
    }
}

fn shares(c: &CorrelationShares) -> String {
    format!(
        "global {}, mineral {}, country {}, region {} (asset correlation of two projects \
         sharing every factor: {})",
        c.global,
        c.mineral,
        c.country,
        c.region,
        format::grouped(c.total(), 2)
    )
}

fn correlation(spec: &FacilitySpec, scenario: &ScenarioSpec) -> String {
    if let Some(replaced) = &scenario.correlation {
        return format!(
            "Shares of variance (replaced by the scenario): {}.",
            shares(replaced)
        );
    }
    let mut text = format!(
        "Shares of variance of each project's credit variable: {}.",
        shares(&spec.risk.correlation)
    );
    for (mineral, own) in &spec.risk.correlation_by_mineral {
        let _ = write!(text, " {}: {}.", escape(mineral), shares(own));
    }
    text
}

fn selector(overlay: &Overlay) -> String {
    let s = &overlay.selector;
    let mut parts: Vec<String> = Vec::new();
    parts.extend(s.mineral.iter().map(|m| escape(m)));
    parts.extend(s.country.iter().map(|c| escape(c)));
    parts.extend(s.segment.iter().map(|g| format!("{g:?}").to_lowercase()));
    match parts.is_empty() {
        true => "every project".into(),
        false => parts.join(" ").to_string() + " projects",
    }
}

fn scenario(scenario: &ScenarioSpec) -> String {
    if scenario.name == BASE {
        return "Base case: the inputs as given, no overlays.".into();
    }
    let mut text = format!(
        "<b>{}</b>: {}.",
        escape(&scenario.name),
        escape(scenario.description.trim_end_matches('.'))
    );
    for o in &scenario.pd_multipliers {
        let _ = write!(text, " Hazard \u{d7}{} for {}.", o.value, selector(o));
    }
    for o in &scenario.recovery_haircuts {
        let _ = write!(
            text,
            " Recoveries cut by {} for {}.",
            format::percent_with(o.value, 0),
            selector(o)
        );
    }
    for shift in &scenario.factor_shifts {
        let level = match shift.level {
            ShiftLevel::Quantile(q) => format!("its {} quantile", format::percent_with(q, 1)),
            ShiftLevel::Value(v) => format!("{v} standard deviations"),
        };
        let factor = match &shift.factor {
            FactorRef::Global => "the global factor".to_owned(),
            FactorRef::Mineral(m) => format!("the {} factor", escape(m)),
            FactorRef::Country(c) => format!("the {} factor", escape(c)),
            FactorRef::Region(r) => format!("the {} region's factor", escape(r)),
        };
        let _ = write!(text, " {} held at {level}.", capitalise(&factor));
    }
    text
}

/// The pool's pairs of loans by what they share, with their
/// exposure-weighted asset correlations.
fn pair_correlations(html: &mut String, model: &Model) {
    html.push_str(
        "<h3>Correlation between pairs of loans</h3>\n<table><tr><th>pair</th>\
         <th>share of exposure pairs</th><th>asset correlation</th></tr>\n",
    );
    for class in class_correlations(&model.pool.loans) {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            class.class.label(),
            format::percent_with(class.pair_share, 1),
            format::grouped(class.asset_correlation, 3),
        );
    }
    html.push_str("</table>\n");
}

/// Both step lists, numbered, in words.
fn priority_of_payments(html: &mut String, spec: &FacilitySpec, liabilities: &Liabilities) {
    let origin = match spec.waterfall {
        Some(_) => "As given in the facility file",
        None => "The default order (docs/waterfall.md)",
    };
    let _ = writeln!(
        html,
        "<h3>Priority of payments</h3>\n<p class=\"note\">{origin}.</p>"
    );
    let mut lists = vec![
        ("Interest proceeds", &liabilities.interest_steps),
        ("Principal proceeds", &liabilities.principal_steps),
    ];
    if let Some(acceleration) = &liabilities.acceleration {
        let _ = writeln!(
            html,
            "<p>An event of default (a non-deferrable tranche's interest unpaid for more than \
             {} payment dates) accelerates the facility: every collection then follows the \
             post-acceleration priority.</p>",
            acceleration.grace_periods
        );
        lists.push(("After an event of default", &acceleration.steps));
    }
    for (title, steps) in lists {
        let _ = writeln!(html, "<p><b>{title}</b></p>\n<ol>");
        for step in steps {
            let _ = writeln!(html, "<li>{}</li>", step_words(spec, liabilities, step));
        }
        html.push_str("</ol>\n");
    }
}

fn step_words(spec: &FacilitySpec, liabilities: &Liabilities, step: &Step) -> String {
    let tranche = |i: usize| escape(&liabilities.tranches[i].name);
    match step {
        Step::Fee(i) => format!("fee <i>{}</i>", escape(&liabilities.fees[*i].name)),
        Step::Interest(t) => {
            let coupon = spec.tranches.get(*t).map_or(f64::NAN, |s| s.coupon);
            let deferrable = match liabilities.tranches[*t].deferrable {
                true => ", deferrable (unpaid interest is capitalised)",
                false => "",
            };
            format!(
                "interest of {} at {}{deferrable}",
                tranche(*t),
                format::percent(coupon)
            )
        }
        Step::CoverageTest(i) => {
            let test = &liabilities.tests[*i];
            format!(
                "{} test <i>{}</i> on {} and everything senior to it: at least {}; when it \
                 fails, the interest left repays senior principal until it passes",
                test.kind.as_str().to_uppercase(),
                escape(&test.name),
                tranche(test.tranche),
                test.min_ratio
            )
        }
        Step::Reserve(i) => {
            let reserve = &liabilities.reserves[*i];
            let target = match reserve.target {
                ReserveTargetModel::Amount(amount) => {
                    format::money(amount, spec.currency.minor_digits, &spec.currency.code)
                }
                ReserveTargetModel::InterestPeriods(n) => {
                    let names: Vec<String> = reserve.tranches.iter().map(|&t| tranche(t)).collect();
                    format!("{n} periods of the interest of {}", names.join(" and "))
                }
            };
            format!(
                "top up reserve <i>{}</i> to {target}",
                escape(&reserve.name)
            )
        }
        Step::Principal(p) => {
            let names: Vec<String> = p.tranches.iter().map(|&t| tranche(t)).collect();
            let order = match (p.pro_rata, p.sequential_after_test_failure) {
                (false, _) => "sequentially",
                (true, false) => "pro rata",
                (true, true) => "pro rata, sequentially once a coverage test has failed",
            };
            format!("principal of {} {order}", names.join(", "))
        }
        Step::Residual(t) => format!("everything left to {}", tranche(*t)),
        Step::Pdl(Some(t)) => format!(
            "clear the principal deficiency ledger charged to {} into principal proceeds",
            tranche(*t)
        ),
        Step::Pdl(None) => {
            "clear the principal deficiency ledger into principal proceeds".to_owned()
        }
        Step::GuarantorReimbursement => {
            "reimburse the guarantor what it has paid out and not yet been reimbursed".to_owned()
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}
