//! The library's sizing and sweep errors reworded with the flags that
//! gave the offending values: the library describes a request in its own
//! words, and only the command line knows its flags.

use blendsim::sizing::{Role, SizingError, ValueProblem};

use super::BadInput;

/// Which command a sizing error comes from: the varied tranche is
/// `--solve` in `size` and a `--vary <tranche>.share` axis in `sweep`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// `blendsim size`.
    Size,
    /// `blendsim sweep`.
    Sweep,
}

/// `error` in the words of `command`'s flags: bad input (exit code 2) as a
/// [`BadInput`], a model that does not compile as it was.
pub fn in_flag_words(error: SizingError, command: Command) -> anyhow::Error {
    match reworded(&error, command) {
        Some(message) => BadInput(message).into(),
        None => error.into(),
    }
}

/// The flag a tranche's role was given with.
fn flag(role: Role, command: Command) -> &'static str {
    match (role, command) {
        (Role::Target, _) => "--target",
        (Role::Varied, Command::Size) => "--solve",
        (Role::Varied, Command::Sweep) => "--vary",
        (Role::Absorb, _) => "--absorb",
        (Role::Hold, _) => "--hold",
        (Role::Metric, _) => "--metric",
    }
}

/// The message of a bad-input error (None for a model error).
fn reworded(error: &SizingError, command: Command) -> Option<String> {
    Some(match error {
        SizingError::Target { target, why } => format!("--target `{target}`: {why}"),
        SizingError::UnknownTranche { role, .. } => {
            format!("{}: {}", flag(*role, command), after_role(error))
        }
        SizingError::AbsorbAndHold => "give --absorb or --hold, not both".into(),
        SizingError::GuaranteeBalanced { role, .. } => {
            let flag = flag(*role, command);
            format!("{flag}: {}; drop {flag}", after_role(error))
        }
        SizingError::NothingAbove { .. } => format!("{error} with --absorb"),
        SizingError::VariedItself { role: Role::Hold } => {
            "--hold must name a tranche other than --solve".into()
        }
        SizingError::VariedItself { role } => {
            format!(
                "{} must name a tranche other than the one varied",
                flag(*role, command)
            )
        }
        SizingError::TooManyPoints { points, most } => format!(
            "--grid {points}: at most {most} points (each runs a waterfall on every path, all held in memory at once)"
        ),
        SizingError::BadRange { low, high } => {
            format!("--range {low}:{high}: expected 0 <= low < high < 1")
        }
        SizingError::NoRoom { range, .. } => {
            // The library's message opens with `range LOW:HIGH: ` when a
            // range was given.
            let (message, lower) = match range {
                Some(_) => (format!("--{error}"), "lower HIGH, "),
                None => (error.to_string(), ""),
            };
            format!(
                "{message}; {lower}let a bigger tranche absorb the difference (--absorb) or grow the total (--hold)"
            )
        }
        SizingError::LeavesNothing { .. } => format!("{error}; narrow --range"),
        SizingError::AxisCount { .. } => {
            "a sweep varies one or two parameters (--vary, once or twice)".into()
        }
        SizingError::AxisTwice { name } => {
            format!("--vary {name} is given twice; a two-way sweep varies two different parameters")
        }
        SizingError::Axis { text, problem } => format!("--vary {text}: {problem}"),
        SizingError::AxisValue {
            problem: ValueProblem::LeavesNothing { .. },
            ..
        } => format!("{error}; --absorb can name a bigger tranche"),
        SizingError::TooFewPoints | SizingError::AxisValue { .. } => error.to_string(),
        SizingError::Model(_) => return None,
    })
}

/// An error the library words as `<role>: <detail>`, without its role.
fn after_role(error: &SizingError) -> String {
    let message = error.to_string();
    match message.split_once(": ") {
        Some((_, detail)) => detail.to_owned(),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each error reads with the flag that gave the value, as `size` and
    /// `sweep` print it.
    #[test]
    fn errors_name_the_flags() {
        let unknown = |role| SizingError::UnknownTranche {
            role,
            name: "junior".into(),
            tranches: vec!["senior".into(), "first_loss".into()],
            guarantee: Some("cover".into()),
        };
        let cases = [
            (
                unknown(Role::Varied),
                Command::Size,
                "--solve: no tranche is named `junior`; the tranches are senior, first_loss, or the guarantee \
                 `cover` (its cap)",
            ),
            (
                unknown(Role::Varied),
                Command::Sweep,
                "--vary: no tranche is named `junior`; the tranches are senior, first_loss, or the guarantee \
                 `cover` (its cap)",
            ),
            (
                SizingError::GuaranteeBalanced {
                    guarantee: "cover".into(),
                    role: Role::Absorb,
                },
                Command::Size,
                "--absorb: cover is an unfunded guarantee, so its cap takes no capital from any tranche; drop \
                 --absorb",
            ),
            (
                SizingError::GuaranteeBalanced {
                    guarantee: "cover".into(),
                    role: Role::Hold,
                },
                Command::Size,
                "--hold: cover is an unfunded guarantee, so its cap changes no tranche and not the total; drop \
                 --hold",
            ),
            (
                SizingError::NoRoom {
                    varied: "first_loss".into(),
                    absorb: "mezzanine".into(),
                    vanishing: 0.25,
                    range: Some((0.0, 0.3)),
                },
                Command::Size,
                "--range 0:0.3: first_loss and mezzanine together are 25.00% of total capital, so first_loss must \
                 stay below a share of 0.25 for mezzanine to keep a positive amount; lower HIGH, let a bigger \
                 tranche absorb the difference (--absorb) or grow the total (--hold)",
            ),
            (
                SizingError::NothingAbove {
                    varied: "senior".into(),
                },
                Command::Size,
                "senior: the most senior tranche has no tranche above it to absorb the difference; name one with \
                 --absorb",
            ),
            (
                SizingError::AxisValue {
                    axis: "first_loss.share".into(),
                    value: 0.3,
                    problem: ValueProblem::LeavesNothing {
                        absorb: "mezzanine".into(),
                        vanishing: Some(0.25),
                    },
                },
                Command::Sweep,
                "first_loss.share = 0.3: leaves nothing of mezzanine (below 0.25 it does); --absorb can name a \
                 bigger tranche",
            ),
        ];
        for (error, command, expected) in cases {
            assert_eq!(reworded(&error, command).as_deref(), Some(expected));
        }
    }
}
