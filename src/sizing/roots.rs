//! Pure root-finding numerics for the sizing search: where a line or a
//! parabola through points (share, gap) has a zero gap.

/// Where the line through `p` and `q` (share, gap) has a zero gap.
pub(super) fn line_root(p: (f64, f64), q: (f64, f64)) -> f64 {
    p.0 - p.1 * (q.0 - p.0) / (q.1 - p.1)
}

/// The zeros of the parabola through three (share, gap) points, as shares
/// (none if it has no real zero; one if it is a line).
pub(super) fn parabola_roots(p: (f64, f64), q: (f64, f64), r: (f64, f64)) -> Vec<f64> {
    // Newton's form: gap = p.1 + d1 t + d2 t (t - (q.0 - p.0)), t = x - p.0.
    let d1 = (q.1 - p.1) / (q.0 - p.0);
    let d2 = ((r.1 - q.1) / (r.0 - q.0) - d1) / (r.0 - p.0);
    let (a, b, c) = (d2, d1 - d2 * (q.0 - p.0), p.1);
    let roots = if a == 0.0 || !a.is_finite() {
        vec![-c / b]
    } else {
        let discriminant = b * b - 4.0 * a * c;
        if discriminant < 0.0 || !discriminant.is_finite() {
            return Vec::new();
        }
        // The numerically stable pair.
        let s = -0.5 * (b + b.signum() * discriminant.sqrt());
        vec![s / a, c / s]
    };
    roots
        .into_iter()
        .filter(|t| t.is_finite())
        .map(|t| p.0 + t)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line through (0.1, 2) and (0.3, -2) falls by 20 per unit of
    /// share: zero at 0.1 + 2 / 20 = 0.2.
    #[test]
    fn lines_cross_where_the_gap_is_zero() {
        assert!((line_root((0.1, 2.0), (0.3, -2.0)) - 0.2).abs() < 1e-15);
        // The order of the points does not matter.
        assert!((line_root((0.3, -2.0), (0.1, 2.0)) - 0.2).abs() < 1e-15);
    }

    /// (x - 0.1)(x - 0.3) = x^2 - 0.4 x + 0.03 through x = 0, 0.2, 0.4
    /// (gaps 0.03, -0.01, 0.03): zeros at 0.1 and 0.3.
    #[test]
    fn parabolas_give_both_zeros() {
        let gap = |x: f64| (x - 0.1) * (x - 0.3);
        let mut roots = parabola_roots((0.0, gap(0.0)), (0.2, gap(0.2)), (0.4, gap(0.4)));
        roots.sort_by(f64::total_cmp);
        assert_eq!(roots.len(), 2);
        assert!(
            (roots[0] - 0.1).abs() < 1e-12 && (roots[1] - 0.3).abs() < 1e-12,
            "{roots:?}"
        );
    }

    /// Three points on a line (gap 1 - 5 x): the parabola is that line, with
    /// its one zero at 0.2; a parabola above zero everywhere (x^2 + 1) has
    /// none.
    #[test]
    fn degenerate_parabolas_are_lines_or_have_no_zero() {
        let line = |x: f64| 1.0 - 5.0 * x;
        let roots = parabola_roots((0.0, line(0.0)), (0.1, line(0.1)), (0.3, line(0.3)));
        assert_eq!(roots.len(), 1);
        assert!((roots[0] - 0.2).abs() < 1e-12, "{roots:?}");
        let above = |x: f64| x * x + 1.0;
        assert!(parabola_roots((0.0, above(0.0)), (1.0, above(1.0)), (2.0, above(2.0))).is_empty());
    }
}
