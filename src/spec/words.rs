//! The words accepted for enumerated fields, shared by both input files.

use super::types::{
    Amortization, DayCount, Funding, PaymentFrequency, Sampling, Segment, TrancheClass,
};

/// Accepted spellings of `payment_frequency`.
pub const FREQUENCIES: &[(&str, PaymentFrequency)] = &[
    ("monthly", PaymentFrequency::Monthly),
    ("quarterly", PaymentFrequency::Quarterly),
    ("semi_annual", PaymentFrequency::SemiAnnual),
    ("annual", PaymentFrequency::Annual),
];

/// Accepted spellings of `day_count`.
pub const DAY_COUNTS: &[(&str, DayCount)] = &[
    ("act/365f", DayCount::Act365Fixed),
    ("act/360", DayCount::Act360),
    ("30/360", DayCount::Thirty360),
];

/// Accepted spellings of a tranche `class`.
pub const CLASSES: &[(&str, TrancheClass)] = &[
    ("senior", TrancheClass::Senior),
    ("mezzanine", TrancheClass::Mezzanine),
    ("first_loss", TrancheClass::FirstLoss),
];

/// Accepted spellings of `simulation.sampling`.
pub const SAMPLINGS: &[(&str, Sampling)] = &[
    ("plain", Sampling::Plain),
    ("importance", Sampling::Importance),
];

/// Accepted spellings of a tranche's `funding`.
pub const FUNDINGS: &[(&str, Funding)] = &[
    ("at_close", Funding::AtClose),
    ("as_drawn", Funding::AsDrawn),
];

/// The kind of copula named by `risk.copula` (a Student t's degrees of
/// freedom are the separate key `risk.dof`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopulaKind {
    /// `gaussian`.
    Gaussian,
    /// `student_t`.
    StudentT,
}

/// Accepted spellings of `risk.copula`.
pub const COPULAS: &[(&str, CopulaKind)] = &[
    ("gaussian", CopulaKind::Gaussian),
    ("student_t", CopulaKind::StudentT),
];

/// Accepted spellings of a project `segment`.
pub const SEGMENTS: &[(&str, Segment)] = &[
    ("extraction", Segment::Extraction),
    ("processing", Segment::Processing),
];

/// Accepted spellings of a project `amortization`.
pub const AMORTIZATIONS: &[(&str, Amortization)] = &[
    ("bullet", Amortization::Bullet),
    ("linear", Amortization::Linear),
];

/// Looks `word` up (trimmed, case-insensitive); the error lists the choices.
pub fn parse_choice<T: Copy>(word: &str, choices: &[(&str, T)]) -> Result<T, String> {
    let wanted = word.trim().to_ascii_lowercase();
    choices
        .iter()
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| *value)
        .ok_or_else(|| {
            let names: Vec<_> = choices.iter().map(|(n, _)| format!("`{n}`")).collect();
            format!(
                "`{word}` is not recognised; expected one of {}",
                names.join(", ")
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_are_case_insensitive_and_listed_on_error() {
        assert_eq!(parse_choice(" Senior ", CLASSES), Ok(TrancheClass::Senior));
        let err = parse_choice("junior", CLASSES).unwrap_err();
        assert_eq!(
            err,
            "`junior` is not recognised; expected one of `senior`, `mezzanine`, `first_loss`"
        );
    }
}
