//! IRR quantiles without solving every path's IRR.
//!
//! An IRR target's metric is an order statistic of the paths' IRRs (the
//! quantile and its confidence bound). Where the search already knows the
//! metric on both sides of a candidate, the candidate's order statistics
//! lie, on a monotone curve, in a window of rates around those values. A
//! tranche's cash flows are non-negative after its investment, so its net
//! present value falls with the rate and its IRR is below a rate exactly
//! when its NPV there is negative. So only the paths whose NPV changes sign
//! inside the window need their IRR solved; the others are placed below or
//! above it (as -inf or +inf) by two dot products with precomputed discount
//! factors. If an order statistic lands in the window, it is the solved IRR
//! of a path in the window and is exact: everything ordered below it is
//! below it, everything above is above. If not, the caller solves every
//! IRR ([`IrrWindow::holds`]).

use crate::model::{Calendar, TrancheModel};
use crate::waterfall::{Ledger, tranche_outcome};

/// A path's NPV counts as negative or positive only beyond this share of
/// the investment: far above the rounding of the present values (about
/// 1e-15 of them) and below any difference that matters. It keeps the
/// placement consistent with the solved IRR: an NPV of 1e-9 of the
/// investment puts the IRR at least 1e-9 / (longest cash flow in years) in
/// ln(1 + r) from the rate, far more than the solver's error.
const NPV_MARGIN: f64 = 1e-9;

/// The rates `[low, high)` expected to hold a candidate's order statistics,
/// with the discount factors of every period at both.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct IrrWindow {
    low: f64,
    high: f64,
    discount_low: Vec<f64>,
    discount_high: Vec<f64>,
}

impl IrrWindow {
    /// The window around the metric's values (estimates and bounds) at the
    /// nearest sizes evaluated on either side, widened by their spread and
    /// a basis point each way. None when a value is not finite or the
    /// window would reach a rate of -100%.
    pub(super) fn around(values: &[f64], calendar: &Calendar) -> Option<IrrWindow> {
        if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let least = values.iter().copied().fold(f64::INFINITY, f64::min);
        let most = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let pad = (most - least) + 1e-4;
        IrrWindow::between(least - pad, most + pad, calendar)
    }

    /// The window `[low, high)`; None unless both are finite, above a rate
    /// of -100%, and in order.
    pub(super) fn between(low: f64, high: f64, calendar: &Calendar) -> Option<IrrWindow> {
        if !(low.is_finite() && high.is_finite() && low < high) || low <= -1.0 + 1e-6 {
            return None;
        }
        let discount = |rate: f64| -> Vec<f64> {
            let log = rate.ln_1p();
            (0..=calendar.periods())
                .map(|k| (-log * calendar.years_from_start(k)).exp())
                .collect()
        };
        Some(IrrWindow {
            low,
            high,
            discount_low: discount(low),
            discount_high: discount(high),
        })
    }

    /// Tranche `index`'s IRR on the path in `ledger` if it may lie in the
    /// window; -inf if it is certainly below, +inf if certainly above.
    pub(super) fn place(
        &self,
        tranche: &TrancheModel,
        index: usize,
        ledger: &Ledger,
        calendar: &Calendar,
    ) -> f64 {
        let invested = tranche.notional.as_f64();
        let (mut value_low, mut value_high) = (-invested, -invested);
        for k in 1..=ledger.periods() {
            let cash = ledger.tranche(index, k).cash().as_f64();
            value_low += cash * self.discount_low[k];
            value_high += cash * self.discount_high[k];
        }
        let margin = NPV_MARGIN * invested;
        if value_low < -margin {
            f64::NEG_INFINITY
        } else if value_high > margin {
            f64::INFINITY
        } else {
            tranche_outcome(tranche, index, ledger, calendar).irr
        }
    }

    /// The window's rates, `[low, high)`.
    pub(super) fn bounds(&self) -> (f64, f64) {
        (self.low, self.high)
    }

    /// Whether an order statistic computed from placed IRRs is exact: it
    /// lies in the window.
    pub(super) fn holds(&self, rate: f64) -> bool {
        self.low <= rate && rate < self.high
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;
    use crate::spec::{LoadOptions, load_facility};
    use crate::waterfall::run_waterfall;
    use std::path::Path;

    fn quickstart() -> Model {
        let path = Path::new("portfolios/quickstart/facility.toml");
        let loaded = load_facility(path, &LoadOptions::default()).expect("loads");
        Model::compile(&loaded.spec).expect("compiles")
    }

    /// Around a tranche's IRR the window solves it exactly; a window wholly
    /// below (above) the IRR places the path above (below) it.
    #[test]
    fn paths_are_placed_by_the_sign_of_their_npv() {
        let model = quickstart();
        let simulator = crate::simulate::PoolSimulator::new(&model.pool, 7);
        let mut draws = crate::simulate::FactorDraws::default();
        let mut path = simulator.new_path();
        let mut ledger = Ledger::default();
        let calendar = &model.calendar;
        let mut checked = 0;
        for p in 0..200 {
            simulator.simulate(p, &mut draws, &mut path);
            run_waterfall(&model, &path, &mut ledger);
            for (i, tranche) in model.liabilities.tranches.iter().enumerate() {
                let irr = tranche_outcome(tranche, i, &ledger, calendar).irr;
                if irr <= -0.5 {
                    continue;
                }
                let around = IrrWindow::around(&[irr], calendar).unwrap();
                assert!(around.holds(irr));
                assert_eq!(around.place(tranche, i, &ledger, calendar), irr);
                let below = IrrWindow::around(&[irr - 0.01], calendar).unwrap();
                assert_eq!(below.place(tranche, i, &ledger, calendar), f64::INFINITY);
                let above = IrrWindow::around(&[irr + 0.01], calendar).unwrap();
                assert_eq!(
                    above.place(tranche, i, &ledger, calendar),
                    f64::NEG_INFINITY
                );
                checked += 1;
            }
        }
        assert!(checked > 300, "{checked}");
    }

    #[test]
    fn windows_need_finite_rates_above_minus_one() {
        let calendar = quickstart().calendar;
        assert!(IrrWindow::around(&[], &calendar).is_none());
        assert!(IrrWindow::around(&[0.02, f64::NAN], &calendar).is_none());
        assert!(IrrWindow::around(&[-1.0, 0.02], &calendar).is_none());
        let window = IrrWindow::around(&[0.02, 0.03], &calendar).unwrap();
        // Widened by the spread and a basis point each way.
        assert!(window.holds(0.0101) && window.holds(0.0399));
        assert!(!window.holds(0.0098) && !window.holds(0.0402));
        let exact = IrrWindow::between(0.06, 0.08, &calendar).unwrap();
        assert_eq!(exact.bounds(), (0.06, 0.08));
        assert!(exact.holds(0.06) && !exact.holds(0.08));
        for (low, high) in [
            (0.08, 0.06),
            (f64::NAN, 0.1),
            (-1.0, 0.1),
            (0.0, f64::INFINITY),
        ] {
            assert!(
                IrrWindow::between(low, high, &calendar).is_none(),
                "{low} {high}"
            );
        }
    }
}
