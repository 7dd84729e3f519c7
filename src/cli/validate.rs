//! `blendsim validate`: load and check, print a one-line summary.

use anyhow::Result;
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
    print_breaches(&loaded);
    super::emit(&format!("ok: {}\n", describe(&loaded, &model)))
}

/// Lists accepted eligibility breaches on stderr.
pub fn print_breaches(loaded: &LoadedFacility) {
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
        .map(|t| format!("{} {:.1}%", t.name, 100.0 * t.notional.as_f64() / capital))
        .collect();
    format!(
        "{}: {} projects, pool {} {}, {} minerals, {} countries, {} periods to {}; tranches {}",
        spec.name,
        spec.projects.len(),
        spec.currency.code,
        spec.pool_amount(),
        model.pool.factors.minerals.len(),
        model.pool.factors.countries.len(),
        model.calendar.periods(),
        spec.legal_final_date,
        tranches.join(", ")
    )
}
