//! The small pages `size` and `sweep` write beside their CSV files:
//! sizing.html (the answer, the sizing curve and its points) and
//! sweep.html (each metric over the grid as a heat map).

use std::fmt::Write as _;

use crate::format::{self, with_se};
use crate::sizing::{Axis, Evaluation, Metric, Parameter, SizingResult, SweepPoint, SweptMetric};

use super::super::charts::sizing_curve_svg;
use super::{escape, page_start, strip_xml_declaration};

/// A metric's value as a person reads it: expected losses in basis
/// points, everything else in percent, with the standard error where
/// there is one.
fn metric_value(metric: Metric, evaluation: &Evaluation) -> String {
    let se = evaluation.se.unwrap_or(f64::NAN);
    match metric {
        Metric::ExpectedLoss => with_se(evaluation.value, se, format::bps),
        _ => with_se(evaluation.value, se, |x| format::percent_with(x, 3)),
    }
}

/// sizing.html.
pub fn sizing_page(result: &SizingResult, currency: &str) -> std::io::Result<String> {
    let request = &result.request;
    let mut html = String::new();
    page_start(
        &mut html,
        &format!("Sizing {} for {}", request.solve, request.target),
    );
    let metric = request.target.metric;
    let found = |label: &str, point: &Option<crate::sizing::SizingPoint>| match point {
        Some(p) => format!(
            "<li>{label}: <b>{}</b> ({} of capital), {} = {}</li>",
            format::decimal_exact(p.amount, currency),
            format::percent(p.share),
            metric.name(),
            metric_value(metric, &p.evaluation)
        ),
        None => format!(
            "<li>{label}: not met between {} and {} of capital</li>",
            format::percent_with(result.range.0, 1),
            format::percent_with(result.range.1, 1)
        ),
    };
    let _ = writeln!(
        html,
        "<section id=\"answer\"><h2>Answer</h2>\n<ul>{}{}</ul>\n<p class=\"note\">{} \
         absorbs the difference; total capital {}; {} structures evaluated on the same \
         random numbers.</p></section>",
        found("smallest size meeting the target", &result.solution),
        found(
            "smallest size meeting it with 95% confidence",
            &result.confident
        ),
        escape(&result.absorb),
        format::decimal_exact(result.total, currency),
        result.evaluations,
    );
    let svg = sizing_curve_svg(result)?;
    let _ = writeln!(
        html,
        "<section id=\"curve\"><h2>Sizing curve</h2>\n<figure aria-label=\"Sizing curve\">{}\
         </figure>\n<p class=\"note\">Band: two standard errors either side of the estimate; \
         red: the target; black: the size found, grey: with 95% confidence.</p>\n<table><tr>\
         <th>share</th><th>amount</th><th>{}</th><th>95% bound</th><th>worst scenario</th></tr>",
        strip_xml_declaration(&svg),
        metric.name()
    );
    for p in &result.curve {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            format::percent(p.share),
            format::decimal_exact(p.amount, currency),
            metric_value(metric, &p.evaluation),
            metric_value(
                metric,
                &Evaluation {
                    se: None,
                    value: p.evaluation.bound,
                    bound: p.evaluation.bound
                }
            ),
            escape(&p.scenario)
        );
    }
    html.push_str("</table></section>\n</body></html>\n");
    Ok(html)
}

/// An axis value: a share or haircut in percent, a correlation or
/// multiplier as a number.
fn axis_value(axis: &Axis, value: f64) -> String {
    match axis.parameter {
        Parameter::TrancheShare(_) | Parameter::RecoveryHaircut => format::percent_with(value, 1),
        Parameter::Correlation(_) | Parameter::PdMultiplier => format::grouped(value, 3),
    }
}

/// A heat-map cell's background: white for the smallest value of the
/// block, deep red for the largest.
fn heat(value: f64, low: f64, high: f64) -> String {
    let t = match high > low {
        true => ((value - low) / (high - low)).clamp(0.0, 1.0),
        false => 0.0,
    };
    let fade = |full: f64| (255.0 - t * (255.0 - full)).round() as u8;
    format!("#{:02x}{:02x}{:02x}", fade(214.0), fade(39.0), fade(40.0))
}

/// sweep.html: one heat map per metric, rows the first axis's values,
/// columns the second's.
pub fn sweep_page(facility: &str, axes: &[Axis], points: &[SweepPoint]) -> String {
    let mut html = String::new();
    page_start(&mut html, &format!("{facility}: sweep"));
    html.push_str(
        "<p class=\"note\">Each metric over the grid; darker cells are higher. Expected losses \
         in basis points of notional, other figures in percent, \u{b1} one standard error; \
         n/a: the tranche has size zero there.</p>\n",
    );
    let Some(first) = points.first() else {
        html.push_str("</body></html>\n");
        return html;
    };
    let columns = axes.get(1).map_or(1, |a| a.values.len());
    for (m, metric) in first.metrics.iter().enumerate() {
        let values: Vec<f64> = points
            .iter()
            .map(|p| &p.metrics[m])
            .filter(|x| !x.is_absent())
            .map(|x| x.evaluation.value)
            .collect();
        let low = values.iter().copied().fold(f64::INFINITY, f64::min);
        let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let _ = write!(
            html,
            "<section id=\"metric-{m}\"><h2>{} {}</h2>\n<table><tr><th>{}</th>",
            escape(&metric.tranche),
            metric.metric.name(),
            escape(&axes[0].name)
        );
        match axes.get(1) {
            Some(second) => second.values.iter().for_each(|v| {
                let _ = write!(
                    html,
                    "<th>{}={}</th>",
                    escape(&second.name),
                    axis_value(second, *v)
                );
            }),
            None => html.push_str("<th></th>"),
        }
        html.push_str("</tr>\n");
        for (row, value) in points.chunks(columns).zip(&axes[0].values) {
            let _ = write!(html, "<tr><th>{}</th>", axis_value(&axes[0], *value));
            for point in row {
                html.push_str(&heat_cell(&point.metrics[m], low, high));
            }
            html.push_str("</tr>\n");
        }
        html.push_str("</table></section>\n");
    }
    html.push_str("</body></html>\n");
    html
}

fn heat_cell(metric: &SweptMetric, low: f64, high: f64) -> String {
    if metric.is_absent() {
        return format!("<td>{}</td>", format::UNDEFINED);
    }
    let value = metric_value(metric.metric, &metric.evaluation);
    let text = match &metric.rating {
        Some(rated) => format!("{} ({value})", escape(&rated.rating)),
        None => value,
    };
    format!(
        "<td style=\"background:{}\">{text}</td>",
        heat(metric.evaluation.value, low, high)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heat_runs_from_white_to_red() {
        assert_eq!(heat(0.0, 0.0, 1.0), "#ffffff");
        assert_eq!(heat(1.0, 0.0, 1.0), "#d62728");
        assert_eq!(heat(5.0, 5.0, 5.0), "#ffffff");
    }
}
