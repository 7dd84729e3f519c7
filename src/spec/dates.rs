//! Calendar dates: `YYYY-MM-DD` text and TOML local dates.

use chrono::NaiveDate;

/// Parses exactly `YYYY-MM-DD` (zero-padded, a real calendar day).
pub fn parse_date_text(text: &str) -> Result<NaiveDate, String> {
    let shape_ok = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    let parsed = shape_ok
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten();
    parsed.ok_or_else(|| format!("`{text}` is not a date; expected YYYY-MM-DD, e.g. 2026-01-01"))
}

/// Reads a date from a TOML value: a local date (`2026-01-01`) or a
/// `"YYYY-MM-DD"` string. A time or an offset is refused.
pub fn date_from_toml(value: &toml::Value) -> Result<NaiveDate, String> {
    match value {
        toml::Value::String(text) => parse_date_text(text.trim()),
        toml::Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                    .ok_or_else(|| format!("{dt} is not a calendar date"))
            }
            _ => Err(format!(
                "{dt} has a time or offset; expected a plain date such as 2026-01-01"
            )),
        },
        other => Err(format!(
            "expected a date such as 2026-01-01, found a {}",
            other.type_str()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toml_value(text: &str) -> toml::Value {
        let table: toml::Table = toml::from_str(&format!("v = {text}")).unwrap();
        table["v"].clone()
    }

    #[test]
    fn text_dates_are_strict() {
        assert_eq!(
            parse_date_text("2026-02-28"),
            Ok(NaiveDate::from_ymd_opt(2026, 2, 28).unwrap())
        );
        for bad in ["2026-02-30", "2026-1-05", "26-01-01", "2026/01/01", "", "x"] {
            assert!(parse_date_text(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn toml_dates_local_or_string() {
        let expected = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(date_from_toml(&toml_value("2026-01-01")), Ok(expected));
        assert_eq!(date_from_toml(&toml_value("\"2026-01-01\"")), Ok(expected));
        assert!(date_from_toml(&toml_value("2026-01-01T00:00:00")).is_err());
        assert!(date_from_toml(&toml_value("2026-01-01T00:00:00Z")).is_err());
        assert!(date_from_toml(&toml_value("20260101")).is_err());
    }
}
