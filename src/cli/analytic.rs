//! `blendsim analytic`: the homogeneous semi-analytic estimate.

use anyhow::{Context, Result};
use blendsim::analytic::{FacilityEstimate, estimate_facility};
use blendsim::model::Model;
use blendsim::report::write_analytic_csv;
use blendsim::spec::{LoadOptions, load_facility};

use super::args::AnalyticArgs;
use super::validate::print_breaches;
use super::{default_output_folder, emit};

/// Loads the facility, estimates it and prints and writes the estimate.
pub fn analytic(args: AnalyticArgs) -> Result<()> {
    let loaded = load_facility(
        &args.facility,
        &LoadOptions {
            allow_breaches: args.allow_breaches,
        },
    )?;
    print_breaches(&loaded);
    let model = Model::compile(&loaded.spec)?;
    let estimate =
        estimate_facility(&model).context("the semi-analytic estimate did not converge")?;
    let folder = args
        .out
        .unwrap_or_else(|| default_output_folder(&args.facility));
    let path = folder.join("analytic.csv");
    write_analytic_csv(&path, &estimate)
        .with_context(|| format!("could not write {}", path.display()))?;
    emit(&format!(
        "{}wrote {}\n",
        describe(&estimate),
        path.display()
    ))
}

fn describe(estimate: &FacilityEstimate) -> String {
    let pool = &estimate.pool;
    let copula = pool.dof.map_or("Gaussian copula".to_owned(), |nu| {
        format!("Student t copula, {nu} dof")
    });
    let mut text = format!(
        "Homogeneous approximation: {} effective loans ({:.1}), cumulative PD {:.2}% over {:.1} years, \
         recovery {:.1}%, asset correlation {:.3}, {copula}.\n\
         Pool: expected loss {:.3}%, loss p99 {:.2}%, p99.9 {:.2}%.\n\n",
        pool.loans,
        pool.effective_loans,
        100.0 * pool.default_probability,
        pool.horizon_years,
        100.0 * pool.recovery,
        pool.correlation,
        100.0 * estimate.pool_expected_loss,
        100.0 * estimate.pool_loss_quantiles.0,
        100.0 * estimate.pool_loss_quantiles.1,
    );
    text += &format!(
        "{:<16} {:>13} {:>11} {:>11} {:>11} {:>13}\n",
        "tranche", "attach-detach", "EL", "loss p99", "loss p99.9", "EL large pool"
    );
    for t in &estimate.tranches {
        text += &format!(
            "{:<16} {:>13} {:>10.3}% {:>10.2}% {:>10.2}% {:>13}\n",
            t.tranche.chars().take(16).collect::<String>(),
            format!("{:.1}%-{:.1}%", 100.0 * t.attachment, 100.0 * t.detachment),
            100.0 * t.expected_loss,
            100.0 * t.loss_p99,
            100.0 * t.loss_p999,
            t.expected_loss_large_pool
                .map_or("n/a".into(), |x| format!("{:.3}%", 100.0 * x)),
        );
    }
    text += "\nImplied default correlation over the horizon (pairs with the pool's PD):\n";
    for pair in &estimate.default_correlations {
        text += &format!(
            "  {:<28} asset correlation {:.3} -> default correlation {:.3}\n",
            pair.pair, pair.asset_correlation, pair.default_correlation
        );
    }
    text +=
        "Static slices of the pool loss: coupons, fees, excess spread and timing are ignored.\n";
    text
}
