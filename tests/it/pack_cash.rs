//! Expected cash flows per tranche (the cash-flow chart's series): summed
//! exactly per worker, so they do not depend on the thread count, and they
//! add up to each tranche's mean total cash, MOIC x notional.

use std::path::Path;

use blendsim::aggregate::{RatingBenchmark, committee_pack, summarise};
use blendsim::engine::{RunSettings, simulate_outcomes, with_threads};
use blendsim::model::Model;
use blendsim::spec::{LoadOptions, load_facility};

#[test]
fn expected_cash_adds_up_to_the_mean_multiple_for_any_thread_count() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("portfolios/quickstart/facility.toml");
    let loaded = load_facility(&path, &LoadOptions::default()).unwrap();
    let model = Model::compile(&loaded.spec).unwrap();
    let settings = RunSettings {
        paths: 3000,
        seed: 7,
    };
    let run = |threads| {
        with_threads(Some(threads), || {
            simulate_outcomes(&model, &settings, &|_| {})
        })
        .unwrap()
    };
    let (one, three) = (run(1), run(3));
    assert_eq!(one.detail, three.detail);
    let summary = summarise(&model, &one);
    let pack = committee_pack(
        &model,
        &loaded.spec.projects,
        &one,
        &summary,
        &RatingBenchmark::default(),
    );
    let unit = 10f64.powi(-(model.currency.minor_digits as i32));
    for ((name, series), (row, tranche)) in pack
        .charts
        .expected_cash
        .iter()
        .zip(summary.iter().zip(&model.liabilities.tranches))
    {
        assert_eq!(series.len(), model.calendar.periods(), "{name}");
        let total: f64 = series.iter().map(|&(_, cash)| cash).sum();
        let expected = row.moic_mean * tranche.notional.as_f64() * unit;
        assert!(
            (total - expected).abs() <= 1e-9 * expected,
            "{name}: expected cash {total} vs MOIC x notional {expected}"
        );
    }
}
