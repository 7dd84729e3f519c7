//! Exact money and rates.
//!
//! Money is an integer number of minor units (cents for USD) so that cash is
//! conserved to the cent on every path. Interest is `balance x rate x year
//! fraction`, computed in i128 and rounded once, half to even (banker's
//! rounding), so no binary floating point ever touches a balance.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use strength_reduce::StrengthReducedU64;

/// An amount of money in integer minor units of the facility's currency.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(0);

    /// An amount from a count of minor units.
    pub const fn from_minor(minor: i64) -> Self {
        Money(minor)
    }

    /// The count of minor units.
    pub const fn minor(self) -> i64 {
        self.0
    }

    /// Converts an exact decimal amount in currency units to minor units.
    /// Returns `None` if it has more decimals than the currency allows or does
    /// not fit.
    pub fn from_decimal(amount: Decimal, minor_digits: u32) -> Option<Self> {
        let scaled = amount.checked_mul(Decimal::from(10i64.checked_pow(minor_digits)?))?;
        if scaled.fract() != Decimal::ZERO {
            return None;
        }
        scaled.to_i64().map(Money)
    }

    /// The amount in currency units as an exact decimal.
    pub fn to_decimal(self, minor_digits: u32) -> Decimal {
        Decimal::from_i128_with_scale(i128::from(self.0), minor_digits)
    }

    /// The amount as a float in minor units, for statistics only.
    pub fn as_f64(self) -> f64 {
        self.0 as f64
    }

    /// The smaller of two amounts.
    pub fn min(self, other: Money) -> Money {
        Money(self.0.min(other.0))
    }

    /// The larger of two amounts.
    pub fn max(self, other: Money) -> Money {
        Money(self.0.max(other.0))
    }

    /// Whether the amount is strictly positive.
    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// `self x numerator / denominator`, rounded half to even.
    /// Used for pro rata splits and linear amortisation.
    pub fn mul_div(self, numerator: i64, denominator: i64) -> Money {
        let q = div_round_half_even(
            i128::from(self.0) * i128::from(numerator),
            i128::from(denominator),
        );
        Money(q as i64)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} minor units", self.0)
    }
}

/// Integer division rounded half to even. `denominator` must be positive.
pub fn div_round_half_even(numerator: i128, denominator: i128) -> i128 {
    debug_assert!(denominator > 0);
    let quotient = numerator.div_euclid(denominator);
    let remainder = numerator.rem_euclid(denominator);
    match (2 * remainder).cmp(&denominator) {
        std::cmp::Ordering::Less => quotient,
        std::cmp::Ordering::Greater => quotient + 1,
        std::cmp::Ordering::Equal => quotient + (quotient & 1),
    }
}

/// `a x b / d` rounded down, for `a >= 0`, `b >= 0` and `d > 0`: the
/// value of `(a as i128 * b as i128 / d as i128) as i64`, without the
/// 128-bit division (a library call of about 60 instructions, which
/// splitting every payment among a tranche's holders made a tenth of a
/// path's work). A float estimate of the quotient is off by less than one
/// while it is below 2^50 (four roundings of relative size 2^-53 each);
/// the exact remainder, from 128-bit products, corrects it. Larger
/// quotients divide in 128 bits.
pub fn mul_div_floor(a: i64, b: i64, d: i64) -> i64 {
    debug_assert!(a >= 0 && b >= 0 && d > 0);
    let product = i128::from(a) * i128::from(b);
    let estimate = a as f64 * b as f64 / d as f64;
    if estimate >= (1u64 << 50) as f64 {
        return (product / i128::from(d)) as i64;
    }
    let mut quotient = estimate as i64;
    let mut remainder = product - i128::from(quotient) * i128::from(d);
    while remainder < 0 {
        quotient -= 1;
        remainder += i128::from(d);
    }
    while remainder >= i128::from(d) {
        quotient += 1;
        remainder -= i128::from(d);
    }
    quotient
}

/// Denominator of [`Rate`]: rates are exact to 1e-12.
const RATE_SCALE: i128 = 1_000_000_000_000;

/// An annual rate held exactly as an integer number of 1e-12 units, so that
/// interest can be computed in integers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rate(i128);

impl Rate {
    /// Zero rate.
    pub const ZERO: Rate = Rate(0);

    /// A rate from its decimal value (0.055 = 5.5%). Decimals beyond the
    /// twelfth are rounded half to even.
    pub fn from_decimal(rate: Decimal) -> Option<Rate> {
        let scaled = rate.checked_mul(Decimal::from(RATE_SCALE as i64))?;
        scaled.round().to_i128().map(Rate)
    }

    /// A rate from a float given in an input file. The float's shortest
    /// decimal representation is taken as the intended value (0.055 means
    /// exactly 0.055, not the nearest binary fraction).
    pub fn from_f64(rate: f64) -> Option<Rate> {
        if !rate.is_finite() {
            return None;
        }
        let decimal: Decimal = format!("{rate}").parse().ok()?;
        Self::from_decimal(decimal)
    }

    /// The rate as a float, for reporting.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / RATE_SCALE as f64
    }

    /// Interest on `balance` for a year fraction `days / basis`, rounded half
    /// to even to the minor unit.
    pub fn accrue(self, balance: Money, fraction: YearFraction) -> Money {
        self.factor(fraction).apply(balance)
    }

    /// `rate x days / basis` as a reduced fraction, to apply to many
    /// balances: precomputed once per period, it turns the hot loop's i128
    /// division into a strength-reduced u64 one.
    pub fn factor(self, fraction: YearFraction) -> AccrualFactor {
        let numerator = self.0 * i128::from(fraction.days);
        let denominator = RATE_SCALE * i128::from(fraction.basis);
        let divisor = gcd(numerator.unsigned_abs(), denominator.unsigned_abs()).max(1) as i128;
        AccrualFactor::new(numerator / divisor, denominator / divisor)
    }
}

/// An exact multiplier `numerator / denominator` (denominator > 0) applied
/// to money with one rounding, half to even.
///
/// Applied to every tranche balance in every period of every path, so the
/// common case (non-negative values whose product fits in u64) divides by a
/// strength-reduced divisor (a multiplication and a shift) instead of a
/// hardware division; other cases use exact i128 arithmetic. Both give the
/// same result.
#[derive(Debug, Clone, Copy)]
pub struct AccrualFactor {
    numerator: i128,
    denominator: i128,
    fast: Option<(u64, StrengthReducedU64)>,
    /// `numerator / denominator` as a float, computed once: every path's
    /// outcomes discount by it, and converting two i128s costs more than
    /// the rest of that loop.
    float: f64,
}

impl PartialEq for AccrualFactor {
    fn eq(&self, other: &Self) -> bool {
        (self.numerator, self.denominator) == (other.numerator, other.denominator)
    }
}

impl Eq for AccrualFactor {}

impl AccrualFactor {
    fn new(numerator: i128, denominator: i128) -> Self {
        let fast = match (u64::try_from(numerator), u64::try_from(denominator)) {
            (Ok(n), Ok(d)) if d > 0 => Some((n, StrengthReducedU64::new(d))),
            _ => None,
        };
        AccrualFactor {
            numerator,
            denominator,
            fast,
            float: numerator as f64 / denominator as f64,
        }
    }

    /// `balance x numerator / denominator`, rounded half to even.
    pub fn apply(self, balance: Money) -> Money {
        if balance.minor() == 0 || self.numerator == 0 {
            return Money::ZERO;
        }
        if let Some((numerator, divisor)) = self.fast
            && let Ok(balance) = u64::try_from(balance.minor())
            && let Some(product) = balance.checked_mul(numerator)
        {
            let (quotient, remainder) = StrengthReducedU64::div_rem(product, divisor);
            let rest = divisor.get() - remainder;
            let up = remainder > rest || (remainder == rest && quotient & 1 == 1);
            return Money::from_minor((quotient + u64::from(up)) as i64);
        }
        let product = i128::from(balance.minor()) * self.numerator;
        Money::from_minor(div_round_half_even(product, self.denominator) as i64)
    }

    /// The factor as a float (`numerator / denominator`), e.g. for
    /// discounting at the rate it accrues.
    pub fn as_f64(self) -> f64 {
        self.float
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// An exact year fraction `days / basis` (e.g. 91/365 under act/365f).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearFraction {
    /// Day count numerator (actual days, or 30/360 days).
    pub days: i64,
    /// Days in a year under the convention (365 or 360).
    pub basis: i64,
}

impl YearFraction {
    /// The fraction as a float.
    pub fn as_f64(self) -> f64 {
        self.days as f64 / self.basis as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mul_div_floor_is_the_exact_floor() {
        let cases = [
            (0, 5, 7),
            (10_001, 6_667, 10_000),
            (999_999_999_999, 123_456_789_012, 987_654_321_098),
            (i64::MAX, i64::MAX, i64::MAX),
            (i64::MAX, 1, 3),
            ((1 << 50) + 1, (1 << 50) - 1, 1 << 50),
            (112_500_000_000, 37_500_000_000, 112_500_000_000),
        ];
        for (a, b, d) in cases {
            let exact = (i128::from(a) * i128::from(b) / i128::from(d)) as i64;
            assert_eq!(mul_div_floor(a, b, d), exact, "{a} x {b} / {d}");
        }
        // Pseudo-random amounts of every size (a multiplicative sequence),
        // with divisors at or above the multiplier as a holder's share is.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let a = (x >> (x % 60)) as i64 & i64::MAX;
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let d = ((x >> (x % 62)) as i64 & i64::MAX).max(1);
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let b = (x as i64 & i64::MAX) % d + 1;
            let exact = (i128::from(a) * i128::from(b) / i128::from(d)) as i64;
            assert_eq!(mul_div_floor(a, b, d), exact, "{a} x {b} / {d}");
        }
    }
    use rstest::rstest;

    #[rstest]
    #[case(5, 2, 2)]
    #[case(7, 2, 4)]
    #[case(-5, 2, -2)]
    #[case(-7, 2, -4)]
    #[case(10, 4, 2)]
    #[case(11, 4, 3)]
    #[case(9, 4, 2)]
    fn half_even_rounding(#[case] n: i128, #[case] d: i128, #[case] expected: i128) {
        assert_eq!(div_round_half_even(n, d), expected);
    }

    #[test]
    fn decimal_round_trip_is_exact() {
        let amount: Decimal = "1234567.89".parse().unwrap();
        let money = Money::from_decimal(amount, 2).unwrap();
        assert_eq!(money.minor(), 123_456_789);
        assert_eq!(money.to_decimal(2), amount);
        assert_eq!(Money::from_decimal("1.005".parse().unwrap(), 2), None);
    }

    /// The reduced i64 path and the i128 path agree on random inputs,
    /// including ties and negative balances.
    #[test]
    fn reduced_factor_matches_wide_arithmetic() {
        let mut state = 0x2545F4914F6CDD1D_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let rate = Rate((next() % 200_000_000_000) as i128);
            let fraction = YearFraction {
                days: (next() % 400) as i64,
                basis: if next() % 2 == 0 { 360 } else { 365 },
            };
            let balance =
                Money::from_minor((next() % 10_000_000_000_000) as i64 - 5_000_000_000_000);
            let wide = div_round_half_even(
                i128::from(balance.minor()) * rate.0 * i128::from(fraction.days),
                RATE_SCALE * i128::from(fraction.basis),
            );
            assert_eq!(rate.accrue(balance, fraction).minor() as i128, wide);
        }
        // A tie: 1 cent at 50% for 360/360 is half a cent -> 0 (even).
        let half = Rate::from_f64(0.5).unwrap();
        assert_eq!(
            half.accrue(
                Money::from_minor(1),
                YearFraction {
                    days: 360,
                    basis: 360
                }
            )
            .minor(),
            0
        );
        assert_eq!(
            half.accrue(
                Money::from_minor(3),
                YearFraction {
                    days: 360,
                    basis: 360
                }
            )
            .minor(),
            2
        );
    }

    #[test]
    fn quarter_of_interest_is_exact() {
        // 1,000,000.00 at 5.5% for 90/360 = 13,750.00 exactly.
        let rate = Rate::from_f64(0.055).unwrap();
        let interest = rate.accrue(
            Money::from_minor(100_000_000),
            YearFraction {
                days: 90,
                basis: 360,
            },
        );
        assert_eq!(interest.minor(), 1_375_000);
        // 100.00 at 5.5% for 1/365 = 0.01506.. -> 0.02 (1.5068 cents rounds up).
        let small = rate.accrue(
            Money::from_minor(10_000),
            YearFraction {
                days: 1,
                basis: 365,
            },
        );
        assert_eq!(small.minor(), 2);
    }
}
