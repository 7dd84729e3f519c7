//! Bar charts (risk contributions, expected losses by scenario) and the
//! expected cash flows.

use std::io;

use plotters::coord::ranged1d::{SegmentValue, SegmentedCoord};
use plotters::coord::types::RangedCoordusize;
use plotters::prelude::*;

use super::{
    Area, Chart, DrawResult, Series, caption_style, class_colour, draw_error, label_style, legend,
    lines, percent_decimals, percent_tick,
};
use crate::aggregate::GroupRisk;
use crate::format;
use crate::spec::TrancheClass;

/// `n` rows as categories, one slot each: plotters' segmented range over
/// `0..last` has a slot per value `0..=last` and one more past the end, so
/// the range stops one short of `n` (one row keeps a spare slot, as a
/// single row's range cannot be empty).
pub(super) fn rows(n: usize) -> SegmentedCoord<RangedCoordusize> {
    (0..n.saturating_sub(1).max(1)).into_segmented()
}

/// The name of the row labelled at `value`, rows counted from the bottom
/// while `names` run from the top.
pub(super) fn row_name(names: &[String], value: &SegmentValue<usize>) -> String {
    match value {
        SegmentValue::CenterOf(from_bottom) => names
            .len()
            .checked_sub(from_bottom + 1)
            .and_then(|i| names.get(i))
            .cloned()
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// A horizontal bar from 0 to `length` in row `row` (from the bottom).
fn bar(row: usize, length: f64, style: ShapeStyle) -> Rectangle<(f64, SegmentValue<usize>)> {
    let mut bar = Rectangle::new(
        [
            (0.0, SegmentValue::Exact(row)),
            (length, SegmentValue::Exact(row + 1)),
        ],
        style,
    );
    bar.set_margin(4, 4, 0, 0);
    bar
}

pub(super) fn contributions(
    root: &Area<'_>,
    title: &str,
    groups: &[GroupRisk],
    currency: &str,
) -> DrawResult {
    let n = groups.len().max(1);
    let top = groups
        .iter()
        .map(|g| g.es_contribution / 1e6)
        .fold(1e-9, f64::max);
    let names: Vec<String> = groups.iter().map(|g| g.name.clone()).collect();
    let mut chart = ChartBuilder::on(root)
        .caption(title, caption_style())
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(130)
        .build_cartesian_2d(0f64..top * 1.1, rows(n))?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .label_style(label_style())
        .axis_desc_style(label_style())
        .y_labels(n)
        .y_label_formatter(&|y| row_name(&names, y))
        .x_label_formatter(&|x| format::grouped(*x, 0))
        .x_desc(format!("{currency} millions"))
        .draw()?;
    // Groups come largest first; the largest is drawn at the top.
    let fill = RGBColor(90, 90, 90).mix(0.8).filled();
    chart.draw_series(
        groups
            .iter()
            .enumerate()
            .map(|(i, g)| bar(n - 1 - i, g.es_contribution / 1e6, fill)),
    )?;
    Ok(())
}

pub(super) fn cash_flows(
    root: &Area<'_>,
    series: &Series,
    currency: &str,
    colour: &dyn Fn(&str) -> RGBColor,
) -> DrawResult {
    let years = series.iter().flat_map(|(_, s)| s.iter().map(|&(t, _)| t));
    let end = years.fold(1f64, f64::max);
    let top = series
        .iter()
        .flat_map(|(_, s)| s.iter().map(|&(_, c)| c / 1e6))
        .fold(1e-9, f64::max);
    let mut chart = ChartBuilder::on(root)
        .caption(Chart::ExpectedCashFlows.title(), caption_style())
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(0f64..end, 0f64..top * 1.05)?;
    chart
        .configure_mesh()
        .label_style(label_style())
        .axis_desc_style(label_style())
        .x_desc("years from closing")
        .y_desc(format!("{currency} millions"))
        .x_label_formatter(&|x| format::grouped(*x, 0))
        .y_label_formatter(&|y| format::grouped(*y, 0))
        .draw()?;
    lines(&mut chart, series, colour, |&(t, c)| (t, c / 1e6))?;
    legend(&mut chart, SeriesLabelPosition::UpperRight)
}

/// One tranche's expected loss in each scenario, for the scenarios chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioLosses {
    /// Tranche name.
    pub tranche: String,
    /// Its class (its colour).
    pub class: TrancheClass,
    /// (expected loss, standard error) per scenario, fractions of notional.
    pub losses: Vec<(f64, f64)>,
}

/// Height of one tranche's panel in the scenarios chart, per scenario.
const SCENARIO_ROW_PX: u32 = 34;

/// Each tranche's expected loss per scenario: one panel per tranche (its
/// own scale), one bar per scenario with a whisker of two standard errors
/// either side.
pub fn scenario_losses_svg(
    scenarios: &[String],
    tranches: &[ScenarioLosses],
) -> io::Result<String> {
    let panel = 70 + SCENARIO_ROW_PX * scenarios.len().max(1) as u32;
    let size = (super::SIZE.0, 40 + panel * tranches.len().max(1) as u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let (title, body) = root.split_vertically(40);
        title
            .titled("Expected loss by scenario", caption_style())
            .map_err(draw_error)?;
        let panels = body.split_evenly((tranches.len().max(1), 1));
        for (tranche, area) in tranches.iter().zip(&panels) {
            scenario_panel(area, scenarios, tranche).map_err(draw_error)?;
        }
        root.present().map_err(draw_error)?;
    }
    Ok(svg)
}

fn scenario_panel(area: &Area<'_>, scenarios: &[String], tranche: &ScenarioLosses) -> DrawResult {
    let n = scenarios.len().max(1);
    let top = tranche
        .losses
        .iter()
        .map(|&(el, se)| el + 2.0 * se)
        .filter(|v| v.is_finite())
        .fold(1e-6, f64::max)
        * 1.1;
    let decimals = percent_decimals(top);
    // Wide enough for the longest scenario name at the label size (about
    // 0.6 em a character): `indonesian_nickel_oversupply` was cut at 130 px.
    let longest = scenarios
        .iter()
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(0);
    let label_px = (130).max(longest as u32 * super::LABEL_PX * 6 / 10 + 16);
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!("{} (expected loss, % of notional)", tranche.tranche),
            label_style(),
        )
        .margin(8)
        .x_label_area_size(36)
        .y_label_area_size(label_px)
        .build_cartesian_2d(0f64..top, rows(n))?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .label_style(label_style())
        .x_labels(6)
        .y_labels(n)
        .x_label_formatter(&|x| percent_tick(*x, decimals))
        .y_label_formatter(&|y| row_name(scenarios, y))
        .draw()?;
    let fill = class_colour(tranche.class).filled();
    let losses = tranche.losses.iter().enumerate();
    chart.draw_series(
        losses
            .clone()
            .map(|(i, &(el, _))| bar(n - 1 - i, el.max(0.0), fill)),
    )?;
    chart.draw_series(losses.map(|(i, &(el, se))| {
        let row = SegmentValue::CenterOf(n - 1 - i);
        let se = if se.is_finite() { se } else { 0.0 };
        PathElement::new(
            vec![
                ((el - 2.0 * se).max(0.0), row.clone()),
                (el + 2.0 * se, row),
            ],
            BLACK.stroke_width(2),
        )
    }))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_named_from_the_top() {
        let names = ["lithium", "nickel", "cobalt"].map(String::from);
        // Three rows: cobalt at the bottom, lithium at the top.
        assert_eq!(row_name(&names, &SegmentValue::CenterOf(0)), "cobalt");
        assert_eq!(row_name(&names, &SegmentValue::CenterOf(2)), "lithium");
        assert_eq!(row_name(&names, &SegmentValue::CenterOf(3)), "");
        assert_eq!(row_name(&names, &SegmentValue::Exact(0)), "");
    }
}
