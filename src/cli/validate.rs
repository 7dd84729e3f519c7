//! `blendsim validate`: load and check, print a one-line summary.

use anyhow::Result;
use blendsim::format;
use blendsim::model::Model;
use blendsim::spec::{LoadOptions, LoadedFacility, load_facility};

use super::args::ValidateArgs;

/// Loads and compiles the facility; prints what is there or what is wrong.
pub fn validate(args: ValidateArgs) -> Result<()> {
    let loaded = load_facility(
        &args.facility,
        &LoadOptions {
            allow_breaches: args.allow_breaches,
        },
    )?;
    let model = Model::compile(&loaded.spec)?;
    print_warnings(&loaded);
    super::emit(&format!("ok: {}\n", describe(&loaded, &model)))
}

/// Lists likely mistakes and accepted eligibility breaches on stderr.
pub fn print_warnings(loaded: &LoadedFacility) {
    for warning in &loaded.warnings {
        eprintln!("warning: {warning}");
    }
    for breach in &loaded.breaches {
        eprintln!("warning: eligibility breach accepted (--allow-breaches): {breach}");
    }
}

/// One line: the facility, its pool and its tranches.
pub fn describe(loaded: &LoadedFacility, model: &Model) -> String {
    let spec = &loaded.spec;
    let capital = model.capital().as_f64();
    let tranches: Vec<String> = model
        .liabilities
        .tranches
        .iter()
        .map(|t| {
            format!(
                "{} {}",
                t.name,
                format::percent_with(t.notional.as_f64() / capital, 1)
            )
        })
        .collect();
    format!(
        "{}: {} projects, pool {}, {} minerals, {} countries, {} periods to {}; tranches {}",
        spec.name,
        spec.projects.len(),
        format::decimal_exact(spec.pool_amount(), &spec.currency.code),
        model.pool.factors.minerals.len(),
        model.pool.factors.countries.len(),
        model.calendar.periods(),
        spec.legal_final_date,
        tranches.join(", ")
    )
}
