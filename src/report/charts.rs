//! SVG charts of the committee pack, drawn with plotters' SVG backend
//! (text is left to the viewer's sans-serif font: no font files are read).
//!
//! Each chart is one [`Report`] (a `.svg` file next to the CSVs); report.html
//! inlines the same SVG text.

use std::io::{self, Write};

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use crate::aggregate::{CommitteePack, GroupRisk};

use super::{Report, RunReport};

/// Width and height of every chart, in pixels.
const SIZE: (u32, u32) = (760, 420);

/// One colour per tranche, most senior first (cycled).
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

type Series = [(String, Vec<(f64, f64)>)];

/// A chart of the pack, by file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// P(loss > x) per tranche, log probability axis.
    LossExceedance,
    /// Cumulative distribution of each tranche's IRR.
    IrrDistribution,
    /// ES contributions by mineral.
    ContributionsByMineral,
    /// ES contributions by country.
    ContributionsByCountry,
    /// Expected cash received per period, per tranche.
    ExpectedCashFlows,
}

impl Chart {
    /// Every chart, in the order report.html shows them.
    pub const ALL: [Chart; 5] = [
        Chart::LossExceedance,
        Chart::IrrDistribution,
        Chart::ContributionsByMineral,
        Chart::ContributionsByCountry,
        Chart::ExpectedCashFlows,
    ];

    /// The chart's title.
    pub fn title(self) -> &'static str {
        match self {
            Chart::LossExceedance => "Loss exceedance by tranche",
            Chart::IrrDistribution => "IRR distribution by tranche",
            Chart::ContributionsByMineral => "Contribution to pool ES 99% by mineral",
            Chart::ContributionsByCountry => "Contribution to pool ES 99% by country",
            Chart::ExpectedCashFlows => "Expected cash received per period by tranche",
        }
    }

    /// The chart as SVG text.
    pub fn svg(self, pack: &CommitteePack, currency: &str) -> io::Result<String> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
            root.fill(&WHITE).map_err(draw_error)?;
            let charts = &pack.charts;
            match self {
                Chart::LossExceedance => exceedance(&root, &charts.exceedance, pack.facility.paths),
                Chart::IrrDistribution => irr_cdf(&root, &charts.irr_cdf),
                Chart::ContributionsByMineral => {
                    bars(&root, self.title(), &pack.minerals, currency)
                }
                Chart::ContributionsByCountry => {
                    bars(&root, self.title(), &pack.countries, currency)
                }
                Chart::ExpectedCashFlows => cash_flows(&root, &charts.expected_cash, currency),
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
            Chart::ContributionsByMineral => "contributions_mineral.svg",
            Chart::ContributionsByCountry => "contributions_country.svg",
            Chart::ExpectedCashFlows => "expected_cash_flows.svg",
        }
    }

    fn write(&self, run: &RunReport<'_>, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(self.svg(run.pack, &run.model.currency.code)?.as_bytes())
    }
}

fn draw_error(error: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("could not draw a chart: {error}"))
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;
type DrawResult = Result<(), DrawingAreaErrorKind<io::Error>>;

fn exceedance(root: &Area<'_>, series: &Series, paths: usize) -> DrawResult {
    // The smallest non-zero exceedance is 1/paths: start a decade below.
    let floor = 10f64.powf((1.0 / paths.max(1) as f64).log10().floor());
    let mut chart = ChartBuilder::on(root)
        .caption(Chart::LossExceedance.title(), ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..1f64, (floor..1f64).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("loss (% of tranche notional)")
        .y_desc("P(loss > x)")
        .x_label_formatter(&|x| format!("{:.0}%", 100.0 * x))
        .y_label_formatter(&|y| format!("{y:.0e}"))
        .draw()?;
    lines(&mut chart, series, |&(x, p)| (x, p))?;
    legend(&mut chart, SeriesLabelPosition::LowerRight)
}

fn irr_cdf(root: &Area<'_>, series: &Series) -> DrawResult {
    let xs = series.iter().flat_map(|(_, s)| s.iter().map(|&(x, _)| x));
    let (low, high) = padded_range(xs);
    let mut chart = ChartBuilder::on(root)
        .caption(Chart::IrrDistribution.title(), ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(low..high, 0f64..1f64)?;
    chart
        .configure_mesh()
        .x_desc("IRR (annual)")
        .y_desc("P(IRR <= x)")
        .x_label_formatter(&|x| format!("{:.1}%", 100.0 * x))
        .y_label_formatter(&|y| format!("{:.0}%", 100.0 * y))
        .draw()?;
    lines(&mut chart, series, |&(x, p)| (x, p))?;
    legend(&mut chart, SeriesLabelPosition::UpperLeft)
}

fn cash_flows(root: &Area<'_>, series: &Series, currency: &str) -> DrawResult {
    let years = series.iter().flat_map(|(_, s)| s.iter().map(|&(t, _)| t));
    let end = years.fold(1f64, f64::max);
    let top = series
        .iter()
        .flat_map(|(_, s)| s.iter().map(|&(_, c)| c / 1e6))
        .fold(1e-9, f64::max);
    let mut chart = ChartBuilder::on(root)
        .caption(Chart::ExpectedCashFlows.title(), ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..end, 0f64..top * 1.05)?;
    chart
        .configure_mesh()
        .x_desc("years from closing")
        .y_desc(format!("{currency} millions"))
        .draw()?;
    lines(&mut chart, series, |&(t, c)| (t, c / 1e6))?;
    legend(&mut chart, SeriesLabelPosition::UpperRight)
}

fn bars(root: &Area<'_>, title: &str, groups: &[GroupRisk], currency: &str) -> DrawResult {
    let n = groups.len().max(1);
    let top = groups
        .iter()
        .map(|g| g.es_contribution / 1e6)
        .fold(1e-9, f64::max);
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(110)
        .build_cartesian_2d(0f64..top * 1.1, (0..n).into_segmented())?;
    // Groups come largest first; the largest is drawn at the top.
    let row = |i: usize| n - 1 - i;
    let name = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(r) => n
            .checked_sub(r + 1)
            .and_then(|i| groups.get(i))
            .map(|g| g.name.clone())
            .unwrap_or_default(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(TRANSPARENT)
        .y_labels(n)
        .y_label_formatter(&name)
        .x_desc(format!("{currency} millions"))
        .draw()?;
    chart.draw_series(groups.iter().enumerate().map(|(i, g)| {
        let mut bar = Rectangle::new(
            [
                (0.0, SegmentValue::Exact(row(i))),
                (g.es_contribution / 1e6, SegmentValue::Exact(row(i) + 1)),
            ],
            colour(0).mix(0.8).filled(),
        );
        bar.set_margin(3, 3, 0, 0);
        bar
    }))?;
    Ok(())
}

/// Draws one line per named series, coloured by position, with a legend
/// entry each.
fn lines<'a, X, Y>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
    series: &Series,
    point: impl Fn(&(f64, f64)) -> (f64, f64),
) -> DrawResult
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    for (i, (name, points)) in series.iter().enumerate() {
        let style = ShapeStyle::from(&colour(i)).stroke_width(2);
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
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
}

/// The range of `values` widened by 5% on each side (a unit range around a
/// single value).
fn padded_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (low, high) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(v), h.max(v))
        });
    if !low.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((high - low) * 0.05).max(1e-3);
    (low - pad, high + pad)
}
