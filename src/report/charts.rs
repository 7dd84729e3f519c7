//! SVG charts of the committee pack, drawn with plotters' SVG backend
//! (text is left to the viewer's sans-serif font: no font files are read).
//!
//! Each chart is one [`Report`] (a `.svg` file next to the CSVs); report.html
//! inlines the same SVG text. Every chart follows the same conventions: one
//! colour per tranche class ([`class_colour`]), text of at least 12 px
//! ([`LABEL_PX`]), and percentages on every axis that shows a fraction
//! or a rate, with as many decimals as the axis's span needs.

mod bars;
mod convergence;
mod curve;
mod distributions;
mod tornado;

use std::io::{self, Write};

use plotters::prelude::*;

use crate::aggregate::TrancheSummary;
use crate::format;
use crate::spec::TrancheClass;

use super::{Report, RunReport};

pub use bars::{ScenarioLosses, scenario_losses_svg};
pub use curve::sizing_curve_svg;
pub use tornado::{TornadoPanel, tornado_svg};

/// Width and height of a single-panel chart, in pixels.
const SIZE: (u32, u32) = (760, 420);

/// Size of tick labels, axis descriptions and legend text, as plotters
/// takes it: its SVG backend writes `font-size` as this over 1.24, so 16
/// reads as 12.9 px.
pub const LABEL_PX: u32 = 16;

/// Size of a chart's title, as plotters takes it (19.4 px in the SVG).
const CAPTION_PX: u32 = 24;

/// The colour of a tranche class, the same in every chart: the senior
/// blue, the mezzanine orange, the first loss red, a guarantee green.
pub fn class_colour(class: TrancheClass) -> RGBColor {
    match class {
        TrancheClass::Senior => RGBColor(31, 119, 180),
        TrancheClass::Mezzanine => RGBColor(255, 127, 14),
        TrancheClass::FirstLoss => RGBColor(214, 39, 40),
        TrancheClass::Guarantee => RGBColor(44, 160, 44),
    }
}

/// The colour of a named tranche: its class's colour; a second tranche of
/// the same class is drawn lighter, a third lighter still. Grey for a name
/// that is no tranche.
fn tranche_colour(summary: &[TrancheSummary], name: &str) -> RGBColor {
    let Some(position) = summary.iter().position(|row| row.tranche == name) else {
        return RGBColor(110, 110, 110);
    };
    let class = summary[position].class;
    let before = summary[..position]
        .iter()
        .filter(|row| row.class == class)
        .count();
    let RGBColor(r, g, b) = class_colour(class);
    let lighten = |c: u8| c + ((255 - c) as f64 * (0.35 * before as f64).min(0.7)) as u8;
    RGBColor(lighten(r), lighten(g), lighten(b))
}

type Series = [(String, Vec<(f64, f64)>)];

/// A chart of the pack, by file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// P(loss > x) per tranche, log probability axis.
    LossExceedance,
    /// Cumulative distribution of each tranche's IRR, one panel each.
    IrrDistribution,
    /// Each tranche's loss histogram (histogram.csv).
    LossHistogram,
    /// ES contributions by mineral.
    ContributionsByMineral,
    /// ES contributions by country.
    ContributionsByCountry,
    /// Expected cash received per period, per tranche.
    ExpectedCashFlows,
    /// Each tranche's running expected loss as paths accumulate.
    Convergence,
}

impl Chart {
    /// Every chart, in the order report.html shows them.
    pub const ALL: [Chart; 7] = [
        Chart::LossExceedance,
        Chart::LossHistogram,
        Chart::IrrDistribution,
        Chart::ContributionsByMineral,
        Chart::ContributionsByCountry,
        Chart::ExpectedCashFlows,
        Chart::Convergence,
    ];

    /// The chart's title.
    pub fn title(self) -> &'static str {
        match self {
            Chart::LossExceedance => "Loss exceedance by tranche",
            Chart::IrrDistribution => "IRR distribution by tranche",
            Chart::LossHistogram => "Loss distribution by tranche",
            Chart::ContributionsByMineral => "Contribution to pool ES 99% by mineral",
            Chart::ContributionsByCountry => "Contribution to pool ES 99% by country",
            Chart::ExpectedCashFlows => "Expected cash received per period by tranche",
            Chart::Convergence => "Expected loss as paths accumulate (two standard errors)",
        }
    }

    /// The chart as SVG text.
    pub fn svg(self, run: &RunReport<'_>) -> io::Result<String> {
        let pack = run.pack;
        let currency = &run.model.currency.code;
        let colour = |name: &str| tranche_colour(run.summary, name);
        let size = match self {
            Chart::IrrDistribution => distributions::irr_size(pack.charts.irr_cdf.len()),
            Chart::Convergence => convergence::size(run.model.liabilities.tranches.len()),
            _ => SIZE,
        };
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
            root.fill(&WHITE).map_err(draw_error)?;
            let charts = &pack.charts;
            let paths = pack.facility.paths;
            match self {
                Chart::LossExceedance => {
                    distributions::exceedance(&root, &charts.exceedance, paths, &colour)
                }
                Chart::IrrDistribution => {
                    distributions::irr_panels(&root, &charts.irr_cdf, &colour)
                }
                Chart::LossHistogram => {
                    let tranches = &pack.histograms[..run.model.liabilities.tranches.len()];
                    distributions::histogram(&root, tranches, paths, &colour)
                }
                Chart::ContributionsByMineral => {
                    bars::contributions(&root, self.title(), &pack.minerals, currency)
                }
                Chart::ContributionsByCountry => {
                    bars::contributions(&root, self.title(), &pack.countries, currency)
                }
                Chart::ExpectedCashFlows => {
                    bars::cash_flows(&root, &charts.expected_cash, currency, &colour)
                }
                Chart::Convergence => {
                    let tranches: Vec<String> = (run.model.liabilities.tranches.iter())
                        .map(|t| t.name.clone())
                        .collect();
                    convergence::panels(&root, &pack.convergence, &tranches, &colour)
                }
            }
            .map_err(draw_error)?;
            root.present().map_err(draw_error)?;
        }
        Ok(svg)
    }
}

impl Report for Chart {
    fn file_name(&self) -> &'static str {
        match self {
            Chart::LossExceedance => "loss_exceedance.svg",
            Chart::IrrDistribution => "irr_distribution.svg",
            Chart::LossHistogram => "loss_histogram.svg",
            Chart::ContributionsByMineral => "contributions_mineral.svg",
            Chart::ContributionsByCountry => "contributions_country.svg",
            Chart::ExpectedCashFlows => "expected_cash_flows.svg",
            Chart::Convergence => "convergence.svg",
        }
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(self.svg(run)?.as_bytes())
    }
}

/// tornado.svg: the senior tranche's expected loss (the first senior
/// tranche's, else the most senior's) and the public side's PV cost under
/// each one-at-a-time shift; written when the run computed a tornado.
pub struct TornadoChart;

impl TornadoChart {
    /// The chart's title in report.html.
    pub const TITLE: &'static str = "What moves the senior's loss and the public cost";

    /// The chart as SVG text, if the run computed a tornado.
    pub fn svg(run: &RunReport<'_>) -> io::Result<Option<String>> {
        match &run.pack.tornado {
            Some(tornado) => Self::from_parts(tornado, run.summary, &run.model.currency.code),
            None => Ok(None),
        }
    }

    /// The chart of `tornado` for tranches `summary`; `None` when it has
    /// nothing to show.
    pub fn from_parts(
        tornado: &crate::aggregate::Tornado,
        summary: &[TrancheSummary],
        currency: &str,
    ) -> io::Result<Option<String>> {
        if tornado.rows.is_empty() {
            return Ok(None);
        }
        let senior = (summary.iter())
            .find(|row| row.class == TrancheClass::Senior)
            .or(summary.first());
        let mut panels = Vec::new();
        if let Some(senior) = senior {
            panels.push(TornadoPanel {
                holder: &senior.tranche,
                title: format!(
                    "{}: change in expected loss (% of notional)",
                    senior.tranche
                ),
                colour: tranche_colour(summary, &senior.tranche),
            });
        }
        panels.push(TornadoPanel {
            holder: crate::aggregate::PUBLIC_TOTAL,
            title: format!("Public side: change in PV cost ({currency} millions)"),
            colour: RGBColor(90, 90, 90),
        });
        tornado_svg(tornado, &panels).map(Some)
    }
}

impl Report for TornadoChart {
    fn file_name(&self) -> &'static str {
        "tornado.svg"
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        // Every shift left out (see `Tornado::skipped`): an empty drawing.
        let empty = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\"/>\n";
        let svg = TornadoChart::svg(run)?.unwrap_or_else(|| empty.to_owned());
        out.write_all(svg.as_bytes())
    }
}

fn draw_error(error: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("could not draw a chart: {error}"))
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;
type DrawResult = Result<(), DrawingAreaErrorKind<io::Error>>;

/// The text style of ticks, axis descriptions and legends.
fn label_style() -> TextStyle<'static> {
    ("sans-serif", LABEL_PX).into_font().into()
}

/// The text style of chart titles.
fn caption_style() -> TextStyle<'static> {
    ("sans-serif", CAPTION_PX).into_font().into()
}

/// Draws one line per named series in its tranche's colour, with a legend
/// entry each.
fn lines<'a, X, Y>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
    series: &Series,
    colour: &dyn Fn(&str) -> RGBColor,
    point: impl Fn(&(f64, f64)) -> (f64, f64),
) -> DrawResult
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    for (name, points) in series {
        let style = ShapeStyle::from(&colour(name)).stroke_width(2);
        chart
            .draw_series(LineSeries::new(points.iter().map(&point), style))?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
    }
    Ok(())
}

fn legend<'a, X: Ranged, Y: Ranged>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
    position: SeriesLabelPosition,
) -> DrawResult {
    chart
        .configure_series_labels()
        .position(position)
        .label_font(label_style())
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
}

/// The smallest and largest finite value; `None` when there is none.
fn extent(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (low, high) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(v), h.max(v))
        });
    low.is_finite().then_some((low, high))
}

/// The range of `values` widened by 5% on each side (a small range around
/// a single value).
fn padded_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let Some((low, high)) = extent(values) else {
        return (0.0, 1.0);
    };
    let pad = ((high - low) * 0.05).max(1e-3);
    (low - pad, high + pad)
}

/// Decimals a percentage tick needs on an axis spanning `span` (a
/// fraction) so that ticks a tenth of it apart read differently: none for
/// a span of 10% or more, one for 1% to 10%, two below, at most three.
fn percent_decimals(span: f64) -> usize {
    if span.is_nan() || span <= 0.0 {
        return 0;
    }
    (-(100.0 * span / 10.0).log10()).ceil().clamp(0.0, 3.0) as usize
}

/// A fraction as a percentage tick with `decimals` decimals (never `-0%`).
fn percent_tick(x: f64, decimals: usize) -> String {
    format::percent_with(x, decimals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_ticks_have_the_decimals_their_span_needs() {
        // -100%..+10%: ticks every 20%, no decimals.
        assert_eq!(percent_decimals(1.1), 0);
        // 5.5%..6.0%: ticks every 0.1%, two decimals tell them apart.
        assert_eq!(percent_decimals(0.005), 2);
        assert_eq!(percent_decimals(0.05), 1);
        assert_eq!(percent_decimals(1e-9), 3);
        assert_eq!(percent_decimals(0.0), 0);
        assert_eq!(percent_tick(-0.000_01, 1), "0.0%");
        assert_eq!(percent_tick(0.0575, 2), "5.75%");
    }
}
