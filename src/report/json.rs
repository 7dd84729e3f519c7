//! The run's summary as JSON (`run --format json`), for scripts: every
//! tranche's statistics with its implied rating, and the facility metrics.

use serde_json::{Value, json};

use super::RunReport;

/// The summary of a run as a JSON value.
pub fn summary_json(run: &RunReport<'_>) -> Value {
    let digits = run.model.currency.minor_digits;
    let tranches: Vec<Value> = run
        .summary
        .iter()
        .zip(&run.pack.ratings)
        .map(|(row, rating)| {
            let mut value = json!(row);
            value["notional"] = json!(row.notional.to_decimal(digits).to_string());
            value["implied_rating"] = json!(rating);
            value
        })
        .collect();
    let mut value = json!({
        "facility": run.model.name,
        "currency": run.model.currency.code,
        "paths": run.manifest.paths,
        "seed": run.manifest.seed,
        "tranches": tranches,
        "facility_metrics": run.pack.facility,
    });
    if let Some(importance) = &run.pack.importance {
        value["importance"] = json!(importance);
    }
    value
}
