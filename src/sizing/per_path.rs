//! What one path's waterfall gives a tranche metric: the one definition
//! that sizing and sweeps both read their per-path values with, so that a
//! metric means the same in `sizing.csv`, `sweep.csv` and a run's outputs.

use super::target::Metric;
use crate::aggregate::{estimate, rating_horizon};
use crate::model::Model;
use crate::waterfall::{Ledger, tranche_loss, tranche_outcome, tranche_wal};

/// A tranche metric's reading of one path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct PathReading {
    /// The value the metric's statistic is computed from: the tranche's
    /// IRR for an IRR quantile, else its loss fraction (an implied rating
    /// rates P(loss)).
    pub(super) value: f64,
    /// For an implied rating, the tranche's weighted average life (its
    /// rating horizon, [`horizon_of`]); NaN otherwise.
    pub(super) wal: f64,
}

impl PathReading {
    /// Neither value: the tranche is not in the facility, or has no
    /// notional.
    pub(super) const ABSENT: PathReading = PathReading {
        value: f64::NAN,
        wal: f64::NAN,
    };
}

/// `metric` of tranche `t` of `model` on the path whose waterfall is in
/// `ledger` (exact once the waterfall ran until [`Metric::settled`]).
pub(super) fn read(metric: Metric, model: &Model, t: usize, ledger: &Ledger) -> PathReading {
    let tranche = &model.liabilities.tranches[t];
    match metric {
        Metric::IrrQuantile(_) => PathReading {
            value: tranche_outcome(tranche, t, ledger, &model.calendar).irr,
            wal: f64::NAN,
        },
        Metric::ImpliedRating => PathReading {
            value: tranche_loss(tranche, t, ledger),
            wal: tranche_wal(t, ledger, &model.calendar),
        },
        Metric::ExpectedLoss | Metric::ProbLoss | Metric::LossQuantile(_) => PathReading {
            value: tranche_loss(tranche, t, ledger),
            wal: f64::NAN,
        },
    }
}

/// The rating horizon of a tranche whose WALs on some paths are `wals`
/// (NaN where it repaid no principal).
pub(super) fn horizon_of(model: &Model, wals: &[f64]) -> f64 {
    let legal_final = model.calendar.years_from_start(model.calendar.periods());
    rating_horizon(estimate(wals).mean, legal_final)
}
