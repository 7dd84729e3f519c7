//! Load a facility, simulate it and print each tranche's expected loss:
//! the library's entry points in order.
//!
//! ```sh
//! cargo run --release --example tranche_el -- portfolios/quickstart/facility.toml 20000
//! ```
//!
//! Both arguments are optional (the quickstart, 5,000 paths).

use std::path::PathBuf;

use blendsim::aggregate::summarise;
use blendsim::engine::{RunSettings, simulate_outcomes};
use blendsim::format;
use blendsim::model::Model;
use blendsim::spec::{LoadOptions, load_facility};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "portfolios/quickstart/facility.toml".into()),
    );
    let paths = match args.next() {
        Some(text) => text.parse()?,
        None => 5_000,
    };
    // Read and validate the facility file and the files it names.
    let loaded = load_facility(&path, &LoadOptions::default())?;
    for warning in &loaded.warnings {
        eprintln!("warning: {warning}");
    }
    // Compile it once: schedules, default thresholds, the waterfall.
    let model = Model::compile(&loaded.spec)?;
    // Simulate; the same seed gives the same numbers on any thread count.
    let settings = RunSettings { paths, seed: 42 };
    let outcomes = simulate_outcomes(&model, &settings, &|_done| {});
    println!("{} ({} paths)", model.name, format::count(paths));
    for tranche in summarise(&model, &outcomes) {
        println!(
            "{:<12} expected loss {}",
            tranche.tranche,
            format::with_se(tranche.expected_loss, tranche.expected_loss_se, format::bps)
        );
    }
    Ok(())
}
