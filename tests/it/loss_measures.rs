//! Loss measures on the guarantee example's mezzanine, a deferrable
//! tranche that capitalises interest in its first periods and is then paid
//! the residual excess spread: its principal loss, deferred-interest loss
//! and present-value loss at its coupon, against its IRR on every path.

use std::path::Path;

use blendsim::aggregate::summarise;
use blendsim::engine::{RunSettings, simulate_outcomes};
use blendsim::model::Model;
use blendsim::spec::{LoadOptions, load_facility};

#[test]
fn guarantee_mezzanine_losses_follow_its_cash() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("portfolios/us-rok-guarantee/facility.toml");
    let loaded = load_facility(&path, &LoadOptions::default()).unwrap();
    let model = Model::compile(&loaded.spec).unwrap();
    let settings = RunSettings {
        paths: 2000,
        seed: 11,
    };
    let outcomes = simulate_outcomes(&model, &settings, &|_| {});
    let mezzanine = model
        .liabilities
        .tranches
        .iter()
        .position(|t| t.name == "mezzanine")
        .unwrap();
    let tranche = &model.liabilities.tranches[mezzanine];
    assert!(tranche.deferrable);
    let columns = &outcomes.tranches[mezzanine];

    // The coupon, 8% a year accrued quarterly (act/365f), as an annual
    // rate: (1 + 0.08 / 4)^4 - 1 = 8.2432%. Discounting at the coupon
    // period by period and the IRR's annual compounding on act/365f years
    // differ by the periods' lengths (90 to 92 days) only, far less than
    // the 5 bp margin: a path whose IRR is above the coupon has no PV loss,
    // one whose IRR is below it has one.
    let coupon = (1.0 + 0.08 / 4.0_f64).powi(4) - 1.0;
    let margin = 5e-4;
    let (mut above, mut below) = (0, 0);
    for (&irr, &pv) in columns.irr.iter().zip(&columns.pv_loss) {
        if irr >= coupon + margin {
            assert_eq!(pv, 0.0, "IRR {irr} above the coupon, PV loss {pv}");
            above += 1;
        } else if irr <= coupon - margin {
            assert!(pv > 0.0, "IRR {irr} below the coupon, no PV loss");
            below += 1;
        }
    }
    assert!(above > 1000 && below > 100, "{above} above, {below} below");

    // Paths that end with capitalised interest unpaid but were paid more
    // than promised (the residual, once the PDL is clear): no principal or
    // present-value loss (about 5% of the paths).
    let overpaid = (0..columns.irr.len())
        .filter(|&p| {
            columns.deferred_interest_loss[p] > 0.0
                && columns.loss[p] == 0.0
                && columns.pv_loss[p] == 0.0
        })
        .count();
    assert!(overpaid > 0, "{overpaid} paths");

    // Hence the probability of a principal loss is well below 1, and the
    // loss given a hit is the expected loss over that probability.
    let row = &summarise(&model, &outcomes)[mezzanine];
    assert!(
        row.prob_loss > 0.0 && row.prob_loss < 0.5,
        "{}",
        row.prob_loss
    );
    assert!(row.prob_pv_loss < 0.5, "{}", row.prob_pv_loss);
    assert_eq!(row.loss_given_hit, row.expected_loss / row.prob_loss);
    assert_eq!(row.pv_loss_given_hit, row.pv_loss / row.prob_pv_loss);
}
