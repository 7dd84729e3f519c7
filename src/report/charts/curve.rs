//! The sizing curve: the target's metric against the solved tranche's
//! size, with a band of two standard errors, the target line and the
//! sizes found.

use std::io;

use plotters::prelude::*;

use super::{
    caption_style, draw_error, label_style, legend, padded_range, percent_decimals, percent_tick,
};
use crate::sizing::SizingResult;

/// The sizing curve as SVG text.
pub fn sizing_curve_svg(result: &SizingResult) -> io::Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, super::SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        draw(&root, result).map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    Ok(svg)
}

fn draw(root: &super::Area<'_>, result: &SizingResult) -> super::DrawResult {
    let target = &result.request.target;
    let curve = &result.curve;
    let band = |sign: f64| {
        curve
            .iter()
            .map(move |p| {
                let se = p.evaluation.se.unwrap_or(0.0);
                (p.share, p.evaluation.value + sign * 2.0 * se)
            })
            .collect::<Vec<_>>()
    };
    let (upper, lower) = (band(1.0), band(-1.0));
    let ys = upper
        .iter()
        .chain(&lower)
        .map(|&(_, y)| y)
        .chain([target.threshold]);
    let (low, high) = padded_range(ys);
    let x_range = result.range;
    let y_decimals = percent_decimals(high - low);
    let x_decimals = percent_decimals(x_range.1 - x_range.0);
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!("{} against {}'s size", target, result.request.solve),
            caption_style(),
        )
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(100)
        .build_cartesian_2d(x_range.0..x_range.1, low..high)?;
    chart
        .configure_mesh()
        .label_style(label_style())
        .axis_desc_style(label_style())
        .x_desc(format!("{} (% of total capital)", result.request.solve))
        .y_desc(target.metric.name())
        .x_label_formatter(&|x| percent_tick(*x, x_decimals))
        .y_label_formatter(&|y| percent_tick(*y, y_decimals))
        .draw()?;
    let blue = RGBColor(31, 119, 180);
    let mut area: Vec<(f64, f64)> = upper.clone();
    area.extend(lower.iter().rev());
    chart
        .draw_series([Polygon::new(area, blue.mix(0.2).filled())])?
        .label("two standard errors")
        .legend(move |(x, y)| {
            Rectangle::new([(x, y - 5), (x + 14, y + 5)], blue.mix(0.2).filled())
        });
    let points = curve.iter().map(|p| (p.share, p.evaluation.value));
    chart
        .draw_series(LineSeries::new(points, blue.stroke_width(2)))?
        .label("estimate")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], blue.stroke_width(2)));
    let red = RGBColor(214, 39, 40);
    chart
        .draw_series([PathElement::new(
            vec![(x_range.0, target.threshold), (x_range.1, target.threshold)],
            red.stroke_width(2),
        )])?
        .label("target")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], red.stroke_width(2)));
    for (found, style) in [
        (&result.solution, BLACK.stroke_width(2)),
        (&result.confident, BLACK.mix(0.5).stroke_width(2)),
    ] {
        if let Some(p) = found {
            chart.draw_series([PathElement::new(
                vec![(p.share, low), (p.share, high)],
                style,
            )])?;
        }
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)
}
