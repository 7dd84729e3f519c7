//! Exact money: currencies, parsing decimal amounts, amount rules.

use std::str::FromStr;

use rust_decimal::Decimal;

/// Minor-unit digits of the currencies blendsim knows by code.
const MINOR_DIGITS: &[(&str, u32)] = &[
    ("USD", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("AUD", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("SGD", 2),
    ("INR", 2),
    ("IDR", 2),
    ("CNY", 2),
    ("BRL", 2),
    ("CLP", 0),
    ("PHP", 2),
    ("MYR", 2),
    ("THB", 2),
    ("ZAR", 2),
    ("NZD", 2),
    ("SEK", 2),
    ("NOK", 2),
    ("DKK", 2),
    ("MXN", 2),
    ("PEN", 2),
    ("ARS", 2),
    ("ZMW", 2),
    ("JPY", 0),
    ("KRW", 0),
    ("VND", 0),
];

/// Minor-unit digits of a known ISO 4217 code (upper case), if known.
pub fn known_minor_digits(code: &str) -> Option<u32> {
    MINOR_DIGITS
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, digits)| *digits)
}

/// Parses a plain decimal such as `25000000` or `-1.50` (no exponent, no
/// thousands separators). Says what was wrong otherwise.
pub fn parse_decimal_text(text: &str) -> Result<Decimal, String> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    let is_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !is_digits(whole) || !is_digits(fraction) {
        return Err(format!(
            "`{text}` is not a decimal amount; expected digits with an optional \
             decimal point, e.g. 25000000 or 25000000.00 (no separators, no exponent)"
        ));
    }
    Decimal::from_str(text).map_err(|e| format!("`{text}` is not a usable amount: {e}"))
}

/// Reads a money amount from a TOML value: a string or an integer. A float is
/// refused, since it has already passed through binary floating point.
pub fn money_from_toml(value: &toml::Value) -> Result<Decimal, String> {
    match value {
        toml::Value::String(text) => parse_decimal_text(text.trim()),
        toml::Value::Integer(int) => Ok(Decimal::from(*int)),
        toml::Value::Float(float) => Err(format!(
            "{float:?} is a TOML float; money must be exact and a float passes through \
             binary floating point, so write it as a string (\"{float:?}\") or an integer"
        )),
        other => Err(format!(
            "expected a decimal string (e.g. \"700000000.00\") or an integer, found a {}",
            other.type_str()
        )),
    }
}

/// Checks an amount is positive.
pub fn check_positive(amount: Decimal) -> Result<(), String> {
    if amount > Decimal::ZERO {
        Ok(())
    } else {
        Err(format!("{amount} is not a positive amount; expected > 0"))
    }
}

/// Checks an amount has at most `digits` decimals (trailing zeros do not
/// count: 1.500 is 1.50).
pub fn check_minor_digits(amount: Decimal, digits: u32) -> Result<(), String> {
    if amount.normalize().scale() <= digits {
        Ok(())
    } else {
        Err(format!(
            "{amount} has more decimals than the currency's {digits} minor-unit digits"
        ))
    }
}

/// Whether `amount` in minor units fits the engine's 64-bit integers.
pub fn fits_minor_units(amount: Decimal, minor_digits: u32) -> bool {
    let scale = Decimal::from(10_i64.pow(minor_digits.min(18)));
    amount
        .checked_mul(scale)
        .is_some_and(|minor| minor.abs() <= Decimal::from(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn decimal_text_accepts_plain_numbers_only() {
        assert_eq!(parse_decimal_text("25000000.00"), Ok(dec("25000000.00")));
        assert_eq!(parse_decimal_text("-3"), Ok(dec("-3")));
        for bad in ["", "1,000", "1e6", "1.", ".5", "abc", "+1", "1_000"] {
            assert!(parse_decimal_text(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn toml_float_is_refused_with_reason() {
        let err = money_from_toml(&toml::Value::Float(1.5)).unwrap_err();
        assert!(err.contains("binary floating point"), "{err}");
        assert_eq!(money_from_toml(&toml::Value::Integer(7)), Ok(dec("7")));
    }

    #[test]
    fn amount_rules() {
        assert!(check_minor_digits(dec("1.50"), 2).is_ok());
        assert!(check_minor_digits(dec("1.500"), 2).is_ok());
        assert!(check_minor_digits(dec("1.505"), 2).is_err());
        assert!(check_minor_digits(dec("1.5"), 0).is_err());
        assert!(check_minor_digits(dec("15"), 0).is_ok());
        assert!(check_positive(dec("0.01")).is_ok());
        assert!(check_positive(dec("0")).is_err());
        assert!(check_positive(dec("-5")).is_err());
    }

    #[test]
    fn minor_unit_capacity() {
        assert!(fits_minor_units(dec("92233720368547758.07"), 2));
        assert!(!fits_minor_units(dec("92233720368547758.08"), 2));
        assert_eq!(known_minor_digits("KRW"), Some(0));
        assert_eq!(known_minor_digits("XXX"), None);
    }
}
