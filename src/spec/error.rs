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

/// Characters of an input shown in an error at most.
pub const EXCERPT_CHARS: usize = 40;

/// A short, printable excerpt of input text for an error message: control
/// and other invisible characters escaped (`\0`, `\u{202e}`), cut after
/// `EXCERPT_CHARS` (40) characters with `...` and the full length, so an
/// error never echoes a file's contents or moves the terminal's cursor.
pub fn excerpt(text: &str) -> String {
    cut(text, EXCERPT_CHARS)
}

/// [`excerpt`] with room for `max` characters.
fn cut(text: &str, max: usize) -> String {
    let count = text.chars().count();
    let shown: String = text.chars().take(max).collect();
    let mut out = escape_invisible(&shown);
    if count > max {
        out.push_str(&format!("... ({count} characters)"));
    }
    out
}

/// `text` with control and format characters escaped, the rest as is.
pub fn escape_invisible(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || is_format_char(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Unicode format characters that reorder or hide text (bidi controls,
/// zero-width characters, the BOM).
fn is_format_char(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Longest message shown for one diagnostic: a safety net for a message
/// that quotes an input in full.
const MAX_MESSAGE_CHARS: usize = 1_000;

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
            // Field paths are longer than values (`risk.pd_curves.<name>
            // .cumulative_pd[2]`); a CSV field is a header cell, any length.
            write!(f, "field `{}`: ", cut(&self.field, 2 * EXCERPT_CHARS))?;
        }
        let message = escape_invisible(&self.message);
        if message.chars().count() > MAX_MESSAGE_CHARS {
            let shown: String = message.chars().take(MAX_MESSAGE_CHARS).collect();
            write!(f, "{shown}... (message cut)")
        } else {
            f.write_str(&message)
        }
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
    fn excerpts_are_short_and_printable() {
        assert_eq!(excerpt("a\0b\u{1b}[2J"), "a\\u{0}b\\u{1b}[2J");
        let long = "PATH=/usr/bin\0HOME=/root\0".repeat(100);
        let shown = excerpt(&long);
        assert!(shown.ends_with("... (2500 characters)"), "{shown}");
        assert!(shown.len() < 100, "{shown}");
        let d = Diagnostic::new(long.clone(), format!("`{long}` is bad"));
        let text = d.to_string();
        assert!(!text.contains('\0') && text.len() < 1_200, "{}", text.len());
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
