//! The tornado chart: for the senior tranche's expected loss and the
//! public side's PV cost, the change each one-at-a-time shift makes, one
//! bar per shift, the inputs that move the metric most at the top, with a
//! whisker of two standard errors of the paired difference.

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use super::bars::{row_name, rows};
use super::{Area, DrawResult, caption_style, draw_error, label_style, percent_decimals};
use crate::aggregate::{Direction, Tornado, TornadoMetric, TornadoRow};
use crate::format;

/// One panel of the chart: whose metric, its title and its colour.
pub struct TornadoPanel<'a> {
    /// Tranche name or the public total's.
    pub holder: &'a str,
    /// The panel's title.
    pub title: String,
    /// The bars' colour (a shift down is drawn lighter).
    pub colour: RGBColor,
}

/// Height of one bar's row, in pixels.
const ROW_PX: u32 = 30;

/// Height of the chart's title band, in pixels.
const TITLE_PX: u32 = 40;

/// Size of the chart for `panels` panels of `bars` bars each.
fn size(panels: usize, bars: usize) -> (u32, u32) {
    let panel = 90 + ROW_PX * bars.max(1) as u32;
    (super::SIZE.0, TITLE_PX + panel * panels.max(1) as u32)
}

/// Draws the chart's panels one under the other.
fn draw(root: &Area<'_>, tornado: &Tornado, panels: &[&TornadoPanel<'_>]) -> DrawResult {
    let (title, body) = root.split_vertically(TITLE_PX);
    title.titled(
        &format!(
            "What moves the results: one input shifted at a time ({} paths each)",
            format::count(tornado.paths)
        ),
        caption_style(),
    )?;
    let areas = body.split_evenly((panels.len().max(1), 1));
    for (panel, area) in panels.iter().zip(&areas) {
        draw_panel(area, tornado, panel)?;
    }
    Ok(())
}

/// The bars of one panel, top first: each input's shift down, then up,
/// inputs by swing.
fn panel_bars<'t>(tornado: &'t Tornado, holder: &str) -> Vec<&'t TornadoRow> {
    tornado
        .bars(holder)
        .into_iter()
        .flat_map(|(_, pair)| pair.into_iter().flatten())
        .collect()
}

/// The x range of a panel's bars and whiskers, zero included, padded; in
/// millions for money.
fn x_range(bars: &[&TornadoRow], scale: f64, money: bool) -> (f64, f64) {
    let ends = bars.iter().flat_map(|r| {
        let se = if r.change.se.is_finite() {
            r.change.se
        } else {
            0.0
        };
        [r.change.mean - 2.0 * se, r.change.mean + 2.0 * se]
    });
    let (low, high) = ends
        .filter(|x| x.is_finite())
        .fold((0f64, 0f64), |(l, h), x| {
            (l.min(x * scale), h.max(x * scale))
        });
    let pad = ((high - low) * 0.08).max(if money { 1e-3 } else { 1e-6 });
    (low - pad, high + pad)
}

fn draw_panel(area: &Area<'_>, tornado: &Tornado, panel: &TornadoPanel<'_>) -> DrawResult {
    let bars = panel_bars(tornado, panel.holder);
    let n = bars.len().max(1);
    let money = bars
        .first()
        .is_some_and(|r| r.metric == TornadoMetric::PvCost);
    // PV cost in millions; losses as fractions, ticked in percent.
    let scale = if money { 1e-6 } else { 1.0 };
    let (low, high) = x_range(&bars, scale, money);
    let decimals = percent_decimals(high - low);
    let names: Vec<String> = bars
        .iter()
        .map(|r| format!("{} {}", r.input.replace('_', " "), r.shift))
        .collect();
    let mut chart = ChartBuilder::on(area)
        .caption(panel.title.as_str(), label_style())
        .margin(8)
        .x_label_area_size(44)
        .y_label_area_size(270)
        .build_cartesian_2d(low..high, rows(n))?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .label_style(label_style())
        .axis_desc_style(label_style())
        .x_labels(7)
        .y_labels(n)
        .x_label_formatter(&|x| {
            if money {
                format::grouped(*x, if high - low < 5.0 { 1 } else { 0 })
            } else {
                format::percent_with(*x, decimals)
            }
        })
        .y_label_formatter(&|y| row_name(&names, y))
        .draw()?;
    draw_bars(&mut chart, &bars, panel.colour, scale)
}

type RowChart<'a> = ChartContext<
    'a,
    SVGBackend<'a>,
    Cartesian2d<
        plotters::coord::types::RangedCoordf64,
        plotters::coord::ranged1d::SegmentedCoord<plotters::coord::types::RangedCoordusize>,
    >,
>;

/// Each shift's bar (a shift down lighter than up), its whisker of two
/// standard errors, and the line of no change.
fn draw_bars(
    chart: &mut RowChart<'_>,
    bars: &[&TornadoRow],
    colour: RGBColor,
    scale: f64,
) -> DrawResult {
    let n = bars.len().max(1);
    let RGBColor(r, g, b) = colour;
    let light = |c: u8| c + ((255 - c) as f64 * 0.55) as u8;
    let lighter = RGBColor(light(r), light(g), light(b));
    let rows_from_top = bars.iter().enumerate().map(|(i, row)| (n - 1 - i, row));
    chart.draw_series(rows_from_top.clone().map(|(at, row)| {
        let fill = match row.direction {
            Direction::Down => lighter.filled(),
            Direction::Up => colour.filled(),
        };
        let x = row.change.mean * scale;
        let x = if x.is_finite() { x } else { 0.0 };
        let mut bar = Rectangle::new(
            [
                (x.min(0.0), SegmentValue::Exact(at)),
                (x.max(0.0), SegmentValue::Exact(at + 1)),
            ],
            fill,
        );
        bar.set_margin(4, 4, 0, 0);
        bar
    }))?;
    chart.draw_series(rows_from_top.map(|(at, row)| {
        let centre = SegmentValue::CenterOf(at);
        let se = if row.change.se.is_finite() {
            row.change.se
        } else {
            0.0
        };
        let mean = row.change.mean;
        PathElement::new(
            vec![
                ((mean - 2.0 * se) * scale, centre.clone()),
                ((mean + 2.0 * se) * scale, centre),
            ],
            BLACK.stroke_width(2),
        )
    }))?;
    // The run itself: no change.
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, SegmentValue::Exact(0)), (0.0, SegmentValue::Exact(n))],
        BLACK.stroke_width(1),
    )))?;
    Ok(())
}

/// The chart as SVG text (no panel without rows).
pub fn tornado_svg(tornado: &Tornado, panels: &[TornadoPanel<'_>]) -> std::io::Result<String> {
    let shown: Vec<&TornadoPanel<'_>> = panels
        .iter()
        .filter(|p| !panel_bars(tornado, p.holder).is_empty())
        .collect();
    let bars = (shown.iter())
        .map(|p| panel_bars(tornado, p.holder).len())
        .max()
        .unwrap_or(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size(shown.len(), bars)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        draw(&root, tornado, &shown).map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    Ok(svg)
}
