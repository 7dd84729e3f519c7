//! The facility's period grid and its day count.

use chrono::{Datelike, Months, NaiveDate};

use crate::money::YearFraction;
use crate::spec::{DayCount, PaymentFrequency};

/// Payment dates `d_0 = start < d_1 < ... < d_K = legal final`.
///
/// Dates step by the payment frequency from the start date (so a start on
/// the 31st lands on month ends); when the legal final date is not on that
/// grid, the last period is a short stub ending on the legal final date.
/// Period `k` (1..=K) runs from `d_{k-1}` (exclusive) to `d_k` (inclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    dates: Vec<NaiveDate>,
    day_count: DayCount,
    years_from_start: Vec<f64>,
    accruals: Vec<YearFraction>,
}

impl Calendar {
    /// Builds the grid. `legal_final` must be after `start` (spec validation
    /// guarantees it); a date past chrono's range ends the grid early.
    pub fn new(
        start: NaiveDate,
        legal_final: NaiveDate,
        frequency: PaymentFrequency,
        day_count: DayCount,
    ) -> Self {
        let mut dates = vec![start];
        for k in 1.. {
            match start.checked_add_months(Months::new(k * frequency.months())) {
                Some(date) if date < legal_final => dates.push(date),
                _ => break,
            }
        }
        dates.push(legal_final);
        let years_from_start = dates
            .iter()
            .map(|&d| year_fraction(day_count, start, d).as_f64())
            .collect();
        let accruals = std::iter::once(YearFraction {
            days: 0,
            basis: 365,
        })
        .chain(
            dates
                .windows(2)
                .map(|w| year_fraction(day_count, w[0], w[1])),
        )
        .collect();
        Calendar {
            dates,
            day_count,
            years_from_start,
            accruals,
        }
    }

    /// Number of periods K.
    pub fn periods(&self) -> usize {
        self.dates.len() - 1
    }

    /// Date `d_k`, k in 0..=K.
    pub fn date(&self, k: usize) -> NaiveDate {
        self.dates[k]
    }

    /// All dates `d_0..=d_K`.
    pub fn dates(&self) -> &[NaiveDate] {
        &self.dates
    }

    /// Years from the start to `d_k` under the day count.
    pub fn years_from_start(&self, k: usize) -> f64 {
        self.years_from_start[k]
    }

    /// Accrual fraction of period k (from `d_{k-1}` to `d_k`), k in 1..=K;
    /// zero days for k = 0.
    pub fn accrual(&self, k: usize) -> YearFraction {
        self.accruals[k]
    }

    /// Year fraction between two dates under the facility's day count.
    pub fn year_fraction(&self, from: NaiveDate, to: NaiveDate) -> YearFraction {
        year_fraction(self.day_count, from, to)
    }

    /// The first period whose end date is on or after `date` (clamped to K):
    /// the period in which a cash flow due on `date` is collected.
    pub fn period_of(&self, date: NaiveDate) -> usize {
        self.dates
            .partition_point(|&d| d < date)
            .clamp(1, self.periods())
    }

    /// The period `months` calendar months after the end of period k,
    /// clamped to K (cash due after the legal final date is received then).
    pub fn period_after_months(&self, k: usize, months: u32) -> usize {
        match self.dates[k].checked_add_months(Months::new(months)) {
            Some(date) => self.period_of(date).max(k),
            None => self.periods(),
        }
    }
}

/// Year fraction between two dates as an exact ratio of days.
pub fn year_fraction(day_count: DayCount, from: NaiveDate, to: NaiveDate) -> YearFraction {
    match day_count {
        DayCount::Act365Fixed => YearFraction {
            days: (to - from).num_days(),
            basis: 365,
        },
        DayCount::Act360 => YearFraction {
            days: (to - from).num_days(),
            basis: 360,
        },
        DayCount::Thirty360 => YearFraction {
            days: days_30_360(from, to),
            basis: 360,
        },
    }
}

/// 30/360 US bond basis: a 31st start counts as the 30th, and a 31st end
/// counts as the 30th when the start is the 30th or 31st.
fn days_30_360(from: NaiveDate, to: NaiveDate) -> i64 {
    let d1 = from.day().min(30);
    let d2 = if to.day() == 31 && d1 == 30 {
        30
    } else {
        to.day()
    };
    360 * i64::from(to.year() - from.year())
        + 30 * (i64::from(to.month()) - i64::from(from.month()))
        + i64::from(d2)
        - i64::from(d1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn quarterly_grid_with_stub() {
        let cal = Calendar::new(
            date("2026-01-31"),
            date("2027-01-15"),
            PaymentFrequency::Quarterly,
            DayCount::Act365Fixed,
        );
        let expected: Vec<NaiveDate> = [
            "2026-01-31",
            "2026-04-30",
            "2026-07-31",
            "2026-10-31",
            "2027-01-15",
        ]
        .iter()
        .map(|s| date(s))
        .collect();
        assert_eq!(cal.dates(), expected.as_slice());
        assert_eq!(cal.periods(), 4);
        assert_eq!(
            cal.accrual(1),
            YearFraction {
                days: 89,
                basis: 365
            }
        );
    }

    #[test]
    fn thirty_360_counts_whole_years() {
        let fraction = year_fraction(DayCount::Thirty360, date("2021-01-01"), date("2026-01-01"));
        assert_eq!(
            fraction,
            YearFraction {
                days: 1800,
                basis: 360
            }
        );
        assert_eq!(days_30_360(date("2026-01-31"), date("2026-03-31")), 60);
        assert_eq!(days_30_360(date("2026-02-28"), date("2026-03-31")), 33);
    }

    #[test]
    fn cash_lands_in_the_period_ending_on_or_after_its_date() {
        let cal = Calendar::new(
            date("2026-01-01"),
            date("2027-01-01"),
            PaymentFrequency::Quarterly,
            DayCount::Act365Fixed,
        );
        assert_eq!(cal.period_of(date("2026-04-01")), 1);
        assert_eq!(cal.period_of(date("2026-04-02")), 2);
        assert_eq!(cal.period_of(date("2030-01-01")), 4);
        assert_eq!(cal.period_after_months(1, 6), 3);
        assert_eq!(cal.period_after_months(3, 24), 4);
    }
}
