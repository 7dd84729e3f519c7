//! `blendsim analytic`: the homogeneous semi-analytic estimate.

use anyhow::{Context, Result};
use blendsim::analytic::{FacilityEstimate, estimate_facility};
use blendsim::format;
use blendsim::model::Model;
use blendsim::report::write_analytic_csv;
use blendsim::spec::{LoadOptions, load_facility};

use super::args::AnalyticArgs;
use super::validate::print_warnings;
use super::{begin_output, default_output_folder, emit, out_error};

/// Loads the facility, estimates it and prints and writes the estimate.
pub fn analytic(args: AnalyticArgs) -> Result<()> {
    let loaded = load_facility(
        &args.facility,
        &LoadOptions {
            allow_breaches: args.allow_breaches,
        },
    )?;
    print_warnings(&loaded);
    let folder = args
        .out
        .unwrap_or_else(|| default_output_folder(&args.facility, Some("analytic")));
    let staging = begin_output(&folder, true)?;
    let model = Model::compile(&loaded.spec)?;
    let estimate =
        estimate_facility(&model).context("the semi-analytic estimate did not converge")?;
    let path = folder.join("analytic.csv");
    write_analytic_csv(&staging.folder().join("analytic.csv"), &estimate)
        .with_context(|| format!("could not write {}", path.display()))?;
    staging.publish().map_err(out_error)?;
    emit(&format!(
        "{}wrote {}\n",
        describe(&estimate),
        path.display()
    ))
}

fn describe(estimate: &FacilityEstimate) -> String {
    let pool = &estimate.pool;
    // Degrees of freedom are usually whole (4, 5): no decimals then.
    let copula = pool.dof.map_or("Gaussian copula".to_owned(), |nu| {
        let decimals = if nu.fract() == 0.0 { 0 } else { 1 };
        format!("Student t copula, {} dof", format::grouped(nu, decimals))
    });
    let mut text = format!(
        "Semi-analytic estimate of a homogeneous approximation of the facility (a check of \
         magnitudes, not of the simulation's answer).\n\
         It approximates the pool by {} identical loans (the effective number by exposure, {}), \
         each with the exposure-weighted cumulative PD {} over {} years, the default-weighted \
         recovery {} and the exposure-weighted average pairwise asset correlation {}, \
         {copula}; each tranche is a static slice of the pool's loss.\n\
         Pool: expected loss {}, loss p99 {}, p99.9 {}.\n\n",
        format::count(u64::from(pool.loans)),
        format::grouped(pool.effective_loans, 1),
        format::percent(pool.default_probability),
        format::grouped(pool.horizon_years, 1),
        format::percent_with(pool.recovery, 1),
        format::grouped(pool.correlation, 3),
        format::percent(estimate.pool_expected_loss),
        format::percent(estimate.pool_loss_quantiles.0),
        format::percent(estimate.pool_loss_quantiles.1),
    );
    text += &format!(
        "{:<16} {:>13} {:>13} {:>11} {:>11} {:>13}\n",
        "tranche", "attach-detach", "EL", "loss p99", "loss p99.9", "EL large pool"
    );
    for t in &estimate.tranches {
        text += &format!(
            "{:<16} {:>13} {:>13} {:>11} {:>11} {:>13}\n",
            t.tranche.chars().take(16).collect::<String>(),
            format!(
                "{}-{}",
                format::percent_with(t.attachment, 1),
                format::percent_with(t.detachment, 1)
            ),
            format::bps(t.expected_loss),
            format::percent(t.loss_p99),
            format::percent(t.loss_p999),
            t.expected_loss_large_pool
                .map_or(format::UNDEFINED.into(), format::bps),
        );
    }
    text += "\nImplied default correlation over the horizon, by kind of pair in the pool \
             (exposure-weighted), at the pool's PD:\n";
    text += &format!(
        "  {:<32} {:>11} {:>17} {:>19}\n",
        "pairs", "share", "asset correlation", "default correlation"
    );
    for pair in &estimate.default_correlations {
        text += &format!(
            "  {:<32} {:>11} {:>17} {:>19}\n",
            pair.pair,
            format::percent_with(pair.pair_share, 1),
            format::grouped(pair.asset_correlation, 3),
            format::grouped(pair.default_correlation, 3)
        );
    }
    text += WHY_IT_DIFFERS;
    text
}

/// Why `blendsim run` gives other tranche losses (docs/validation.md).
const WHY_IT_DIFFERS: &str = "\nWhy it differs from `blendsim run`: it ignores coupons, fees, \
excess spread, reserves, coverage tests, interest deferral and the timing of defaults and \
recoveries, and it averages the concentrations by mineral, country and loan size into one PD and \
one correlation. In the simulation the loans' interest above the tranches' coupons and fees \
(excess spread) covers losses as they come, so the junior tranches lose less principal than a \
static slice of the pool's loss. Use the simulation's figures; this one checks their order of \
magnitude (docs/validation.md).\n";
