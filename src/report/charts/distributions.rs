//! Charts of each tranche's loss and IRR distributions.

use plotters::coord::combinators::{LogCoord, WithKeyPoints};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    Area, Chart, DrawResult, Series, caption_style, label_style, lines, padded_range,
    percent_decimals, percent_tick,
};
use crate::aggregate::Bin;

/// Height of one tranche's IRR panel, in pixels.
const IRR_PANEL_PX: u32 = 190;

/// Height of the IRR chart's title band, in pixels.
const IRR_TITLE_PX: u32 = 40;

/// Size of the IRR chart for `tranches` panels.
pub(super) fn irr_size(tranches: usize) -> (u32, u32) {
    (
        super::SIZE.0,
        IRR_TITLE_PX + IRR_PANEL_PX * tranches.max(1) as u32,
    )
}

/// The probability axis's lowest decade: the smallest non-zero share of
/// `paths` is 1/paths, so one decade below it.
fn probability_floor(paths: usize) -> f64 {
    10f64.powf((1.0 / paths.max(1) as f64).log10().floor())
}

/// Decades from `floor` to 1, as tick positions.
fn decades(floor: f64) -> Vec<f64> {
    let lowest = floor.log10().round() as i32;
    (lowest..=0).map(|e| 10f64.powi(e)).collect()
}

/// A decade of probability as a percentage: `100%`, `1%`, `0.001%`.
fn decade_label(p: f64) -> String {
    let decimals = (-(100.0 * p).log10()).ceil().max(0.0) as usize;
    percent_tick(p, decimals)
}

type LossProbabilityChart<'a> =
    ChartContext<'a, SVGBackend<'a>, Cartesian2d<RangedCoordf64, WithKeyPoints<LogCoord<f64>>>>;

/// A chart of losses (from `x_low`, left of zero for the bin of no loss,
/// to 100% of notional) against a share of paths on a log axis down to a
/// decade below 1/paths, its mesh drawn.
fn loss_probability_chart<'a>(
    root: &Area<'a>,
    which: Chart,
    x_low: f64,
    paths: usize,
    x_desc: &str,
) -> Result<LossProbabilityChart<'a>, DrawingAreaErrorKind<std::io::Error>> {
    let floor = probability_floor(paths);
    let mut chart = ChartBuilder::on(root)
        .caption(which.title(), caption_style())
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(
            x_low..1f64,
            (floor..1f64).log_scale().with_key_points(decades(floor)),
        )?;
    let y_desc = match which {
        Chart::LossExceedance => "P(loss > x)",
        _ => "share of paths",
    };
    chart
        .configure_mesh()
        .label_style(label_style())
        .axis_desc_style(label_style())
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(11)
        .x_label_formatter(&|x| match *x < 0.0 {
            true => String::new(),
            false => percent_tick(*x, 0),
        })
        .y_label_formatter(&|y| decade_label(*y))
        .draw()?;
    Ok(chart)
}

pub(super) fn exceedance(
    root: &Area<'_>,
    series: &Series,
    paths: usize,
    colour: &dyn Fn(&str) -> RGBColor,
) -> DrawResult {
    let x_desc = "loss (% of tranche notional)";
    let (plot, key) = split_off_key(root);
    let mut chart = loss_probability_chart(&plot, Chart::LossExceedance, 0.0, paths, x_desc)?;
    lines(&mut chart, series, colour, |&(x, p)| (x, p))?;
    let names = series.iter().map(|(name, _)| name.as_str());
    side_key(&key, names, colour, KeyMark::Line)
}

/// The plot and, right of it, the strip that holds its key.
fn split_off_key<'a>(root: &Area<'a>) -> (Area<'a>, Area<'a>) {
    let (width, _) = root.dim_in_pixel();
    root.split_horizontally(width.saturating_sub(KEY_PX))
}

/// How a key shows a tranche's colour: a line for curves, a box for bars.
#[derive(Clone, Copy)]
enum KeyMark {
    Line,
    Box,
}

/// Width of the strip right of the exceedance chart that holds its key.
const KEY_PX: u32 = 130;

/// The tranches' key in its own strip beside the plot: inside the plot it
/// covered the curves (the first loss's running through the top right at
/// 10-30% and the others' anywhere below, depending on the facility) and
/// the histogram's bars of total loss, at the right edge.
fn side_key<'n>(
    key: &Area<'_>,
    names: impl Iterator<Item = &'n str>,
    colour: &dyn Fn(&str) -> RGBColor,
    mark: KeyMark,
) -> DrawResult {
    let text = label_style().pos(Pos::new(HPos::Left, VPos::Center));
    for (i, name) in names.enumerate() {
        let y = 60 + 24 * i as i32;
        match mark {
            KeyMark::Line => {
                let style = ShapeStyle::from(&colour(name)).stroke_width(2);
                key.draw(&PathElement::new(vec![(4, y), (26, y)], style))?;
            }
            KeyMark::Box => {
                key.draw(&Rectangle::new(
                    [(8, y - 5), (22, y + 5)],
                    colour(name).filled(),
                ))?;
            }
        }
        key.draw(&Text::new(name, (32, y), text.clone()))?;
    }
    Ok(())
}

/// One panel per tranche, each with its own IRR range, so that a senior
/// tranche's narrow distribution near its coupon is not squashed by a
/// first loss that can lose everything.
pub(super) fn irr_panels(
    root: &Area<'_>,
    series: &Series,
    colour: &dyn Fn(&str) -> RGBColor,
) -> DrawResult {
    let (title, body) = root.split_vertically(IRR_TITLE_PX);
    title.titled(Chart::IrrDistribution.title(), caption_style())?;
    let panels = body.split_evenly((series.len().max(1), 1));
    for ((name, points), panel) in series.iter().zip(&panels) {
        let (low, high) = padded_range(points.iter().map(|&(x, _)| x));
        let decimals = percent_decimals(high - low);
        let mut chart = ChartBuilder::on(panel)
            .caption(name.as_str(), label_style())
            .margin(8)
            .x_label_area_size(40)
            .y_label_area_size(90)
            .build_cartesian_2d(low..high, 0f64..1f64)?;
        chart
            .configure_mesh()
            .label_style(label_style())
            .axis_desc_style(label_style())
            .x_desc("IRR (annual)")
            .y_desc("P(IRR <= x)")
            .x_labels(7)
            .y_labels(3)
            .x_label_formatter(&|x| percent_tick(*x, decimals))
            .y_label_formatter(&|y| percent_tick(*y, 0))
            .draw()?;
        let style = ShapeStyle::from(&colour(name)).stroke_width(2);
        chart.draw_series(LineSeries::new(points.iter().copied(), style))?;
    }
    Ok(())
}

/// Where the histogram draws the bin of paths without any loss: left of
/// zero, as wide as a bin.
const NO_LOSS_AT: f64 = -0.05;

/// Each tranche's loss histogram as bars side by side in each bin, on a
/// log probability axis (most paths of a senior tranche lose nothing).
pub(super) fn histogram(
    root: &Area<'_>,
    tranches: &[(String, Vec<Bin>)],
    paths: usize,
    colour: &dyn Fn(&str) -> RGBColor,
) -> DrawResult {
    let floor = probability_floor(paths);
    let x_desc = "loss (% of tranche notional; the bars left of 0%: no loss)";
    let (plot, key) = split_off_key(root);
    let mut chart = loss_probability_chart(&plot, Chart::LossHistogram, NO_LOSS_AT, paths, x_desc)?;
    let width = (1.0 - NO_LOSS_AT) / 21.0 / tranches.len().max(1) as f64;
    for (t, (name, bins)) in tranches.iter().enumerate() {
        let fill = colour(name).filled();
        let bars = bins.iter().filter(|b| b.probability > 0.0).map(|bin| {
            let left = match bin.high == 0.0 {
                true => NO_LOSS_AT,
                false => bin.low,
            } + t as f64 * width;
            let mut bar = Rectangle::new(
                [(left, floor), (left + width, bin.probability.max(floor))],
                fill,
            );
            bar.set_margin(0, 0, 1, 1);
            bar
        });
        chart.draw_series(bars)?;
    }
    let names = tranches.iter().map(|(name, _)| name.as_str());
    side_key(&key, names, colour, KeyMark::Box)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_decades_read_as_percentages() {
        // 20,000 paths: 1/20,000 = 5e-5, so the axis starts at 1e-5.
        let floor = probability_floor(20_000);
        assert_eq!(floor, 1e-5);
        let labels: Vec<String> = decades(floor).into_iter().map(decade_label).collect();
        assert_eq!(
            labels,
            ["0.001%", "0.01%", "0.1%", "1%", "10%", "100%"].map(String::from)
        );
    }
}
