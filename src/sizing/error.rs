//! Why a sizing or a sweep cannot be carried out, in the library's words:
//! the tranches and parameters of the request, never the command line's
//! flags (the command line rewords these errors with its flags).

use std::fmt;

use rust_decimal::Decimal;

use crate::model::ModelError;

/// Why a sizing or a sweep cannot be carried out.
#[derive(Debug, thiserror::Error)]
pub enum SizingError {
    /// The target does not parse, or names a rating the facility's
    /// idealized table does not have.
    #[error("target `{target}`: {why}")]
    Target {
        /// The target as given.
        target: String,
        /// What is wrong and what would be valid.
        why: String,
    },
    /// A tranche named in the request is not in the facility.
    #[error("{role}: {}", unknown_tranche(name, tranches, guarantee.as_deref()))]
    UnknownTranche {
        /// What the name was given as.
        role: Role,
        /// The name.
        name: String,
        /// The facility's tranches.
        tranches: Vec<String>,
        /// The facility's unfunded guarantee, where its cap could have been
        /// meant instead.
        guarantee: Option<String>,
    },
    /// Both a tranche to absorb the difference and a tranche to hold.
    #[error("either a tranche absorbs the difference or the others are held, not both")]
    AbsorbAndHold,
    /// The unfunded guarantee's cap is varied, and a tranche was named to
    /// absorb the difference or to be held.
    #[error(
        "{role}: {guarantee} is an unfunded guarantee, so its cap {}",
        match role {
            Role::Hold => "changes no tranche and not the total",
            _ => "takes no capital from any tranche",
        }
    )]
    GuaranteeBalanced {
        /// The guarantee.
        guarantee: String,
        /// [`Role::Absorb`] or [`Role::Hold`].
        role: Role,
    },
    /// The most senior tranche is varied, and no tranche was named to
    /// absorb the difference.
    #[error(
        "{varied}: the most senior tranche has no tranche above it to absorb the difference; name one"
    )]
    NothingAbove {
        /// The varied tranche.
        varied: String,
    },
    /// The tranche named to absorb the difference, or to be held, is the
    /// one varied.
    #[error("{role} must be a tranche other than the one varied")]
    VariedItself {
        /// [`Role::Absorb`] or [`Role::Hold`].
        role: Role,
    },
    /// A sizing curve of fewer than 2 points.
    #[error("the sizing curve needs at least 2 points")]
    TooFewPoints,
    /// A sizing curve of more points than are held in memory at once.
    #[error(
        "a sizing curve of {points} points: at most {most} (each runs a waterfall on every path, all held in memory at once)"
    )]
    TooManyPoints {
        /// Points asked for.
        points: usize,
        /// The most allowed.
        most: usize,
    },
    /// A range of shares that is not `0 <= low < high < 1`.
    #[error("range {low}:{high}: expected 0 <= low < high < 1")]
    BadRange {
        /// Lower end.
        low: f64,
        /// Upper end.
        high: f64,
    },
    /// The varied and absorbing tranches leave no room for the range (or
    /// for any range).
    #[error(
        "{}{varied} and {absorb} together are {:.2}% of total capital, so {varied} must stay below a share of \
         {vanishing} for {absorb} to keep a positive amount",
        range.map_or(String::new(), |(low, high)| format!("range {low}:{high}: ")),
        100.0 * vanishing
    )]
    NoRoom {
        /// The varied tranche.
        varied: String,
        /// The absorbing tranche.
        absorb: String,
        /// The share at which the absorbing tranche would vanish.
        vanishing: f64,
        /// The range asked for (None: the default range).
        range: Option<(f64, f64)>,
    },
    /// A candidate size leaves nothing of the absorbing tranche.
    #[error("a {varied} of {amount} leaves nothing of {absorb}")]
    LeavesNothing {
        /// The varied tranche.
        varied: String,
        /// Its amount.
        amount: Decimal,
        /// The absorbing tranche.
        absorb: String,
    },
    /// A sweep varies no parameter, or more than two.
    #[error("a sweep varies one or two parameters, not {count}")]
    AxisCount {
        /// How many were given.
        count: usize,
    },
    /// A two-way sweep varies the same parameter twice.
    #[error("{name} is varied twice; a two-way sweep varies two different parameters")]
    AxisTwice {
        /// The parameter.
        name: String,
    },
    /// A sweep's axis does not parse.
    #[error("parameter `{text}`: {problem}")]
    Axis {
        /// The axis as given.
        text: String,
        /// What is wrong.
        problem: AxisProblem,
    },
    /// A value of a sweep's axis is out of its range.
    #[error("{axis} = {value}: {problem}")]
    AxisValue {
        /// The parameter's name.
        axis: String,
        /// The value.
        value: f64,
        /// What is wrong.
        problem: ValueProblem,
    },
    /// A candidate structure could not be compiled.
    #[error(transparent)]
    Model(#[from] ModelError),
}

/// What a tranche's name was given as in a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The tranche of the target's metric.
    Target,
    /// The tranche whose size is varied.
    Varied,
    /// The tranche absorbing the difference.
    Absorb,
    /// The tranche held at its amount while the total grows.
    Hold,
    /// The tranche of a swept metric.
    Metric,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Target => "the target's tranche",
            Role::Varied => "the varied tranche",
            Role::Absorb => "the absorbing tranche",
            Role::Hold => "the held tranche",
            Role::Metric => "the metric's tranche",
        })
    }
}

/// Why a sweep's axis does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AxisProblem {
    /// No `=` between the name and the values.
    #[error("expected NAME=LOW:HIGH:STEP or NAME=V1,V2")]
    Form,
    /// A name that is no parameter.
    #[error(
        "unknown parameter `{0}`; expected <tranche>.share, correlation.global, correlation.mineral, \
         correlation.country, correlation.region, pd_multiplier or recovery_haircut"
    )]
    UnknownParameter(String),
    /// Values that are not a range or a list of numbers.
    #[error("values must be LOW:HIGH:STEP (STEP > 0) or a list V1,V2")]
    Values,
}

/// Why a value of a sweep's axis is out of range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueProblem {
    /// A share outside [0, 1).
    #[error("a share must be in [0, 1)")]
    Share,
    /// Correlation shares outside [0, 1) or summing to 1 or more.
    #[error("correlation shares must each be in [0, 1) and sum below 1")]
    Correlation,
    /// A negative hazard multiplier or a haircut outside [0, 1].
    #[error("out of range (multiplier >= 0, haircut in [0, 1])")]
    Overlay,
    /// A share that leaves nothing of the absorbing tranche.
    #[error(
        "leaves nothing of {absorb}{}",
        vanishing.map_or(String::new(), |v| format!(" (below {v} it does)"))
    )]
    LeavesNothing {
        /// The absorbing tranche.
        absorb: String,
        /// The share at which it would vanish.
        vanishing: Option<f64>,
    },
}

/// "no tranche is named `x`; the tranches are a, b[, or the guarantee `g`
/// (its cap)]".
pub(crate) fn unknown_tranche(name: &str, tranches: &[String], guarantee: Option<&str>) -> String {
    let or_guarantee = guarantee.map_or(String::new(), |g| {
        format!(", or the guarantee `{g}` (its cap)")
    });
    format!(
        "no tranche is named `{name}`; the tranches are {}{or_guarantee}",
        tranches.join(", ")
    )
}
