//! How numbers read for people: money, rates, basis points, counts.
//!
//! One convention everywhere a person reads a number (the terminal, trace
//! notes, report.html, the size and sweep pages):
//!
//! - money in millions with two decimals and thousands separators,
//!   `USD 1,125.00m`, or exact to the cent where the amount is an answer
//!   to copy into a facility file, `USD 168,377,242.41`;
//! - expected losses in basis points of the tranche's notional, `0.97 bp`;
//! - probabilities, loss quantiles and rates (IRRs, coupons) in percent,
//!   `5.87%`;
//! - counts with thousands separators, `100,000`;
//! - anything undefined (NaN) as `n/a`.
//!
//! CSV files are for machines and do not use this module: they hold plain
//! numbers (docs/outputs.md).
//!
//! ```
//! use blendsim::format;
//! assert_eq!(format::millions(1_125_000_000.0, "USD"), "USD 1,125.00m");
//! assert_eq!(format::percent(0.0587), "5.87%");
//! assert_eq!(format::bps(0.000097), "0.97 bp");
//! assert_eq!(format::count(119_536), "119,536");
//! ```

use rust_decimal::Decimal;

use crate::money::Money;

/// What an undefined number reads as.
pub const UNDEFINED: &str = "n/a";

/// `x` with thousands separators and `decimals` decimals: `1,125.00`.
pub fn grouped(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return UNDEFINED.into();
    }
    let text = format!("{:.*}", decimals, x.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = group_digits(whole);
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    // -0.00 reads as 0.00.
    if x < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '-');
    }
    out
}

/// A string of digits with a comma every three from the right.
fn group_digits(digits: &str) -> String {
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    grouped
}

/// A count with thousands separators: `100,000`.
pub fn count(n: u64) -> String {
    group_digits(&n.to_string())
}

/// An amount in currency units (not cents) as millions: `USD 12.07m`.
pub fn millions(amount: f64, currency: &str) -> String {
    if !amount.is_finite() {
        return UNDEFINED.into();
    }
    format!("{currency} {}", millions_bare(amount))
}

/// As [`millions`] without the currency, for a standard error beside an
/// amount that names it: `0.62m`.
pub fn millions_bare(amount: f64) -> String {
    if !amount.is_finite() {
        return UNDEFINED.into();
    }
    format!("{}m", grouped(amount / 1e6, 2))
}

/// An amount in millions with its standard error: `USD -24.80m ± 0.62m`.
pub fn millions_with_se(amount: f64, se: f64, currency: &str) -> String {
    if se.is_finite() && amount.is_finite() {
        format!(
            "{} \u{b1} {}",
            millions(amount, currency),
            millions_bare(se)
        )
    } else {
        millions(amount, currency)
    }
}

/// An exact amount in minor units as millions: `USD 12.07m`.
pub fn money(amount: Money, minor_digits: u32, currency: &str) -> String {
    millions(amount.as_f64() / 10f64.powi(minor_digits as i32), currency)
}

/// An exact amount to the cent, grouped: `USD 168,377,242.41`.
pub fn money_exact(amount: Money, minor_digits: u32, currency: &str) -> String {
    decimal_exact(amount.to_decimal(minor_digits), currency)
}

/// An exact decimal amount, grouped: `USD 168,377,242.41`.
pub fn decimal_exact(amount: Decimal, currency: &str) -> String {
    let text = amount.abs().to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let sign = if amount.is_sign_negative() && !amount.is_zero() {
        "-"
    } else {
        ""
    };
    let fraction = if fraction.is_empty() {
        String::new()
    } else {
        format!(".{fraction}")
    };
    format!("{currency} {sign}{}{fraction}", group_digits(whole))
}

/// A fraction as a percentage with two decimals: `5.87%`.
pub fn percent(x: f64) -> String {
    percent_with(x, 2)
}

/// A fraction as a percentage with `decimals` decimals.
pub fn percent_with(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{}%", grouped(100.0 * x, decimals))
    } else {
        UNDEFINED.into()
    }
}

/// A fraction in basis points with two decimals: `0.97 bp`.
pub fn bps(x: f64) -> String {
    if x.is_finite() {
        format!("{} bp", grouped(1e4 * x, 2))
    } else {
        UNDEFINED.into()
    }
}

/// A value and its standard error, each formatted by `show`:
/// `0.97 bp ± 0.21 bp`.
pub fn with_se(value: f64, se: f64, show: impl Fn(f64) -> String) -> String {
    if se.is_finite() {
        format!("{} \u{b1} {}", show(value), show(se))
    } else {
        show(value)
    }
}

/// Years with one decimal: `6.6 y`.
pub fn years(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.1} y")
    } else {
        UNDEFINED.into()
    }
}

/// A multiple with two decimals: `1.38x`.
pub fn multiple(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.2}x")
    } else {
        UNDEFINED.into()
    }
}

/// A rate of things per second, to three significant figures at most and
/// no decimals above 100: `119,536/s` reads `120,000/s`, `5.43/s`.
pub fn per_second(rate: f64) -> String {
    if !rate.is_finite() || rate < 0.0 {
        return UNDEFINED.into();
    }
    if rate >= 100.0 {
        let magnitude = 10f64.powi(rate.log10().floor() as i32 - 2);
        return format!("{}/s", grouped((rate / magnitude).round() * magnitude, 0));
    }
    if rate == 0.0 {
        return "0/s".into();
    }
    let decimals = (2 - rate.log10().floor() as i32).clamp(0, 6) as usize;
    let text = format!("{rate:.decimals$}");
    let text = match text.contains('.') {
        true => text.trim_end_matches('0').trim_end_matches('.'),
        false => &text,
    };
    format!("{text}/s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_in_millions_or_exactly() {
        assert_eq!(millions(1_125_000_000.0, "USD"), "USD 1,125.00m");
        assert_eq!(millions(12_074_116.18, "USD"), "USD 12.07m");
        assert_eq!(millions(-350_000.0, "KRW"), "KRW -0.35m");
        assert_eq!(millions(-1.0, "USD"), "USD 0.00m");
        assert_eq!(millions(1_222_500_000.0, "USD"), "USD 1,222.50m");
        assert_eq!(millions(f64::NAN, "USD"), "n/a");
        assert_eq!(millions_bare(620_000.0), "0.62m");
        assert_eq!(
            millions_with_se(-24_800_000.0, 620_000.0, "USD"),
            "USD -24.80m \u{b1} 0.62m"
        );
        assert_eq!(millions_with_se(f64::NAN, f64::NAN, "USD"), "n/a");
        assert_eq!(
            money(Money::from_minor(1_207_411_618), 2, "USD"),
            "USD 12.07m"
        );
        assert_eq!(
            money_exact(Money::from_minor(16_837_724_241), 2, "USD"),
            "USD 168,377,242.41"
        );
        assert_eq!(
            money_exact(Money::from_minor(-125_000), 0, "KRW"),
            "KRW -125,000"
        );
    }

    #[test]
    fn rates_and_counts() {
        assert_eq!(percent(0.058_66), "5.87%");
        assert_eq!(percent(-1.0), "-100.00%");
        assert_eq!(percent(f64::NAN), "n/a");
        assert_eq!(percent_with(0.25, 1), "25.0%");
        assert_eq!(bps(0.091_038_765), "910.39 bp");
        assert_eq!(bps(0.475_982), "4,759.82 bp");
        assert_eq!(with_se(0.000_097, 0.000_021, bps), "0.97 bp \u{b1} 0.21 bp");
        assert_eq!(with_se(0.5, f64::NAN, percent), "50.00%");
        assert_eq!(count(1_125_000_000), "1,125,000,000");
        assert_eq!(count(999), "999");
        assert_eq!(count(0), "0");
        assert_eq!(years(6.609), "6.6 y");
        assert_eq!(multiple(1.379_98), "1.38x");
    }

    #[test]
    fn rates_per_second_have_three_significant_figures() {
        assert_eq!(per_second(119_536.033_9), "120,000/s");
        assert_eq!(per_second(1234.5), "1,230/s");
        assert_eq!(per_second(123.4), "123/s");
        assert_eq!(per_second(5.4321), "5.43/s");
        assert_eq!(per_second(2.5), "2.5/s");
        assert_eq!(per_second(0.0), "0/s");
    }
}
