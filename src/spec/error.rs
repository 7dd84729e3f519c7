//! Errors of the input stage: located diagnostics, eligibility breaches and
//! the [`SpecError`] returned by [`crate::spec::load_facility`].

use std::fmt;
use std::path::PathBuf;

/// One problem found in the inputs, located as precisely as possible.
///
/// Displays as `projects.csv:14: field `annual_pd`: 1.5 is not a
/// probability; expected a number in (0, 1)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// File the problem is in (`None` for a spec built in code).
    pub file: Option<PathBuf>,
    /// 1-based line in that file (TOML line or CSV row), where known.
    pub line: Option<usize>,
    /// Field or column concerned, e.g. `tranches[1].amount` (0-based index)
    /// or `annual_pd`; empty for a problem with no field (a syntax error).
    pub field: String,
    /// What is wrong and what would be valid.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic on `field` with no location yet.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: None,
            line: None,
            field: field.into(),
            message: message.into(),
        }
    }

    /// The same diagnostic on line `line`.
    pub fn at_line(mut self, line: Option<usize>) -> Self {
        self.line = line;
        self
    }
}

/// Writes `file:line: ` (each part only where known).
fn write_location(
    f: &mut fmt::Formatter<'_>,
    file: &Option<PathBuf>,
    line: Option<usize>,
) -> fmt::Result {
    match (file, line) {
        (Some(file), Some(line)) => write!(f, "{}:{line}: ", file.display()),
        (Some(file), None) => write!(f, "{}: ", file.display()),
        (None, Some(line)) => write!(f, "line {line}: "),
        (None, None) => Ok(()),
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_location(f, &self.file, self.line)?;
        if !self.field.is_empty() {
            write!(f, "field `{}`: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

/// A project or pool that breaks one of the facility's eligibility rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EligibilityBreach {
    /// The rule broken, named as its key in `[eligibility]`,
    /// e.g. `excluded_sponsor_nexus` or `max_country_share`.
    pub rule: String,
    /// What breaks it: `project P07`, `mineral lithium`, `country Chile`.
    pub subject: String,
    /// What is wrong, with the numbers.
    pub message: String,
    /// File the subject comes from, where known.
    pub file: Option<PathBuf>,
    /// 1-based line of the subject (the project's CSV row), where known.
    pub line: Option<usize>,
}

impl fmt::Display for EligibilityBreach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_location(f, &self.file, self.line)?;
        write!(
            f,
            "{} breaks `{}`: {}",
            self.subject, self.rule, self.message
        )
    }
}

/// Why the inputs could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// A file could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The inputs are malformed or break a validation rule; every problem
    /// found is listed.
    #[error("{}", list("invalid input", "invalid inputs", .0))]
    Invalid(Vec<Diagnostic>),
    /// The pool breaks eligibility rules (and breaches were not allowed).
    #[error("{}", list("eligibility breach", "eligibility breaches", .0))]
    Breaches(Vec<EligibilityBreach>),
}

/// `N <what>:` followed by one indented line per item.
fn list<T: fmt::Display>(one: &str, many: &str, items: &[T]) -> String {
    let what = if items.len() == 1 { one } else { many };
    let mut out = format!("{} {what}:", items.len());
    for item in items {
        out.push_str("\n  ");
        out.push_str(&item.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostic_display_names_file_line_and_field() {
        let mut d = Diagnostic::new(
            "annual_pd",
            "1.5 is not a probability; expected a number in (0, 1)",
        )
        .at_line(Some(14));
        d.file = Some(PathBuf::from("projects.csv"));
        assert_eq!(
            d.to_string(),
            "projects.csv:14: field `annual_pd`: 1.5 is not a probability; expected a number in (0, 1)"
        );
    }

    #[test]
    fn invalid_lists_every_diagnostic() {
        let err = SpecError::Invalid(vec![Diagnostic::new("a", "x"), Diagnostic::new("b", "y")]);
        assert_eq!(
            err.to_string(),
            "2 invalid inputs:\n  field `a`: x\n  field `b`: y"
        );
    }
}
