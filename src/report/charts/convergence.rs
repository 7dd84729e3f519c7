//! The convergence chart: each tranche's running expected loss against
//! the paths simulated, with a band of two standard errors, one panel per
//! tranche on its own scale (a senior's basis points and a first loss's
//! tens of percent do not share an axis).

use plotters::prelude::*;

use super::{
    Area, Chart, DrawResult, caption_style, extent, label_style, percent_decimals, percent_tick,
};
use crate::aggregate::ConvergenceRow;

/// Height of the title strip and of each tranche's panel.
const TITLE_PX: u32 = 40;
const PANEL_PX: u32 = 220;

/// The chart's size for `tranches` panels.
pub(super) fn size(tranches: usize) -> (u32, u32) {
    (super::SIZE.0, TITLE_PX + PANEL_PX * tranches.max(1) as u32)
}

/// One panel per tranche of `rows` (convergence.csv's expected-loss rows).
pub(super) fn panels(
    root: &Area<'_>,
    rows: &[ConvergenceRow],
    tranches: &[String],
    colour: &dyn Fn(&str) -> RGBColor,
) -> DrawResult {
    let (title, body) = root.split_vertically(TITLE_PX);
    title.titled(Chart::Convergence.title(), caption_style())?;
    let panels = body.split_evenly((tranches.len().max(1), 1));
    let most = rows.iter().map(|r| r.paths).max().unwrap_or(1) as f64;
    for (name, panel) in tranches.iter().zip(&panels) {
        let points: Vec<(f64, f64, f64)> = rows
            .iter()
            .filter(|r| &r.tranche == name && r.metric == "expected_loss")
            .map(|r| {
                let se = if r.estimate.se.is_finite() {
                    r.estimate.se
                } else {
                    0.0
                };
                (r.paths as f64, r.estimate.mean, se)
            })
            .collect();
        let ys = points
            .iter()
            .flat_map(|&(_, m, se)| [m - 2.0 * se, m + 2.0 * se]);
        let (low, high) = band_range(ys);
        let decimals = percent_decimals(high - low);
        let mut chart = ChartBuilder::on(panel)
            .caption(name.as_str(), label_style())
            .margin(8)
            .margin_right(40)
            .x_label_area_size(40)
            .y_label_area_size(100)
            .build_cartesian_2d(0f64..most, low..high)?;
        chart
            .configure_mesh()
            .label_style(label_style())
            .axis_desc_style(label_style())
            .x_desc("paths")
            .y_desc("expected loss")
            .x_labels(6)
            .y_labels(4)
            .x_label_formatter(&|x| crate::format::count(x.round() as u64))
            .y_label_formatter(&|y| percent_tick(*y, decimals))
            .draw()?;
        let colour = colour(name);
        let mut band: Vec<(f64, f64)> =
            points.iter().map(|&(x, m, se)| (x, m + 2.0 * se)).collect();
        band.extend(
            points
                .iter()
                .rev()
                .map(|&(x, m, se)| (x, (m - 2.0 * se).max(0.0))),
        );
        chart.draw_series([Polygon::new(band, colour.mix(0.2).filled())])?;
        chart.draw_series(LineSeries::new(
            points.iter().map(|&(x, m, _)| (x, m)),
            colour.stroke_width(2),
        ))?;
    }
    Ok(())
}

/// The y range of a band: its extent widened by 10% on each side, never
/// below zero (an expected loss), and scaled to the values, so a senior's
/// fraction of a basis point is not flattened against an axis in percent.
fn band_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let Some((low, high)) = extent(values) else {
        return (0.0, 1.0);
    };
    let pad = ((high - low) * 0.1).max(high.abs() * 0.1).max(1e-9);
    ((low - pad).max(0.0), high + pad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_band_keeps_its_own_scale() {
        let (low, high) = band_range([0.00005, 0.0001].into_iter());
        assert!((0.0..0.00005).contains(&low) && high > 0.0001 && high < 0.0002);
        assert_eq!(band_range([f64::NAN].into_iter()), (0.0, 1.0));
        let (low, high) = band_range([0.2, 0.2].into_iter());
        assert!(low < 0.2 && high > 0.2);
    }
}
