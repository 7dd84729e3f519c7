//! sweep.csv: one row per grid point and metric (long format).

use std::io;
use std::path::Path;

use super::{format_float, neutralise, write_atomically};
use crate::sizing::{Axis, SweepPoint};

/// Writes sweep.csv: the axes' names as the first columns, then
/// `tranche, metric, value, se, bound_95, rating, horizon_years` (the last
/// two only for an implied rating, whose value is P(loss)).
pub fn write_sweep_csv(path: &Path, axes: &[Axis], points: &[SweepPoint]) -> io::Result<()> {
    write_atomically(path, |out| {
        let mut csv = csv::Writer::from_writer(out);
        let header = axes.iter().map(|a| a.name.clone()).chain(
            [
                "tranche",
                "metric",
                "value",
                "se",
                "bound_95",
                "rating",
                "horizon_years",
            ]
            .map(String::from),
        );
        csv.write_record(header.collect::<Vec<_>>())?;
        for point in points {
            for metric in &point.metrics {
                let (evaluation, rating) = (&metric.evaluation, metric.rating.as_ref());
                let record = point.values.iter().map(|&v| format_float(v)).chain([
                    neutralise(&metric.tranche),
                    metric.name().to_owned(),
                    format_float(evaluation.value),
                    evaluation.se.map_or(String::new(), format_float),
                    format_float(evaluation.bound),
                    rating.map_or(String::new(), |r| neutralise(&r.rating)),
                    rating.map_or(String::new(), |r| format_float(r.horizon_years)),
                ]);
                csv.write_record(record.collect::<Vec<_>>())?;
            }
        }
        csv.flush()
    })
}
