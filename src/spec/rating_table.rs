//! Default probabilities by rating, Moody's idealized table the default.
//! Its own file so that the idealized tables can name it without importing
//! the whole specification (which holds them).

use serde::Serialize;

/// Default probabilities by rating: each is cumulative over `horizon_years`
/// and converts to a constant hazard `-ln(1 - pd) / horizon_years`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatingTable {
    /// Horizon of the cumulative probabilities, in years (> 0).
    pub horizon_years: f64,
    /// (rating, cumulative PD in (0, 1]) in the order given.
    pub entries: Vec<(String, f64)>,
    /// Where the table comes from, for reports.
    pub source: String,
}

impl RatingTable {
    /// Moody's idealized 10-year cumulative default probabilities (WARF
    /// factor / 10,000), the default table. Source: references section 3;
    /// Ca is taken as 0.9999 rather than 1 so that a hazard exists.
    pub fn moodys_idealized_10y() -> RatingTable {
        let entries = [
            ("Aaa", 0.0001),
            ("Aa1", 0.0010),
            ("Aa2", 0.0020),
            ("Aa3", 0.0040),
            ("A1", 0.0070),
            ("A2", 0.0120),
            ("A3", 0.0180),
            ("Baa1", 0.0260),
            ("Baa2", 0.0360),
            ("Baa3", 0.0610),
            ("Ba1", 0.0940),
            ("Ba2", 0.1350),
            ("Ba3", 0.1766),
            ("B1", 0.2220),
            ("B2", 0.2720),
            ("B3", 0.3490),
            ("Caa1", 0.4770),
            ("Caa2", 0.6500),
            ("Caa3", 0.8070),
            ("Ca", 0.9999),
        ];
        RatingTable {
            horizon_years: 10.0,
            entries: entries.iter().map(|&(r, p)| (r.to_owned(), p)).collect(),
            source: "Moody's idealized 10-year cumulative default probabilities (WARF / 10,000)"
                .into(),
        }
    }

    /// The cumulative PD of a rating (exact, case-sensitive match).
    pub fn pd(&self, rating: &str) -> Option<f64> {
        self.entries
            .iter()
            .find(|(r, _)| r == rating)
            .map(|&(_, p)| p)
    }
}
