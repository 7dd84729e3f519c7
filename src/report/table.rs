//! The table printed at the end of a run.

use std::fmt::Write;

use crate::aggregate::{CommitteePack, RatingBenchmark, TrancheSummary};
use crate::spec::{Currency, IdealizedTable};

/// A plain-text table, one row per tranche with its implied rating, then
/// the mobilisation ratio and the expected loss of public money.
pub fn summary_table(
    summary: &[TrancheSummary],
    pack: &CommitteePack,
    currency: &Currency,
    paths: u64,
) -> String {
    let mut table = String::new();
    let _ = writeln!(
        table,
        "{:<16} {:<10} {:>18} {:>13} {:>18} {:>8} {:>8} {:>8} {:>6} {:>5} {:>6}",
        "tranche",
        "class",
        "notional",
        "attach-detach",
        "EL bps (+-SE)",
        "P(loss)",
        "p99 loss",
        "IRR p50",
        "MOIC",
        "WAL",
        "rating"
    );
    for (row, rating) in summary.iter().zip(&pack.ratings) {
        let _ = writeln!(
            table,
            "{:<16} {:<10} {:>18} {:>13} {:>18} {:>8} {:>8} {:>8} {:>6.3} {:>5} {:>6}",
            truncate(&row.tranche, 16),
            row.class.as_str(),
            format!(
                "{} {}",
                currency.code,
                group_thousands(row.notional.to_decimal(currency.minor_digits).round())
            ),
            format!(
                "{:.1}%-{:.1}%",
                100.0 * row.attachment,
                100.0 * row.detachment
            ),
            format!(
                "{:.2} (+-{:.2})",
                1e4 * row.expected_loss,
                1e4 * row.expected_loss_se
            ),
            percent(row.prob_loss),
            percent(row.loss_p99),
            percent(row.irr_p50),
            row.moic_mean,
            years(row.wal_years),
            rating.rating,
        );
    }
    let _ = writeln!(
        table,
        "{paths} paths; losses are fractions of each tranche's notional."
    );
    let f = &pack.facility;
    let code = &currency.code;
    let _ = if f.mobilisation_ratio.is_nan() {
        writeln!(
            table,
            "Mobilisation ratio: n/a (no public money in the structure)."
        )
    } else {
        writeln!(
            table,
            "Mobilisation ratio: {:.2} private {code} per public {code}.",
            f.mobilisation_ratio
        )
    };
    let _ = writeln!(
        table,
        "Expected public loss: {} {:.2}m (+-{:.2}m).",
        currency.code,
        f.public_expected_loss.mean / 1e6,
        f.public_expected_loss.se / 1e6,
    );
    let _ = writeln!(table, "{}", ratings_note(&pack.rating_benchmark));
    table
}

/// What the implied ratings compared, in one line.
fn ratings_note(benchmark: &RatingBenchmark) -> String {
    let basis = benchmark.basis().as_str();
    match benchmark.table() {
        IdealizedTable::MoodysTenYear => format!(
            "Ratings: {basis} at each tranche's WAL vs Moody's idealized 10-year PD (constant hazard)."
        ),
        IdealizedTable::ByYear(table) => format!(
            "Ratings: {basis} at each tranche's WAL vs the year-by-year idealized {basis} table ({}), interpolated as in docs/ratings.md.",
            table.source()
        ),
    }
}

/// A percentage; `-` when undefined (a guarantee has no IRR).
fn percent(x: f64) -> String {
    if x.is_nan() {
        "-".into()
    } else {
        format!("{:.2}%", 100.0 * x)
    }
}

/// Years with one decimal; `-` when undefined.
fn years(x: f64) -> String {
    if x.is_nan() {
        "-".into()
    } else {
        format!("{x:.1}")
    }
}

fn truncate(text: &str, width: usize) -> String {
    text.chars().take(width).collect()
}

fn group_thousands(amount: rust_decimal::Decimal) -> String {
    let digits = amount.abs().trunc().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if amount.is_sign_negative() {
        format!("-{grouped}")
    } else {
        grouped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(
            group_thousands(rust_decimal::Decimal::from(1_125_000_000)),
            "1,125,000,000"
        );
        assert_eq!(group_thousands(rust_decimal::Decimal::from(999)), "999");
    }
}
