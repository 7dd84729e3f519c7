//! [`Reader`]: converts the raw values of `facility.toml` into spec
//! values, collecting every problem with the path of its field. The
//! facility, waterfall and eligibility readers each add their own tables'
//! conversions to it.

use std::collections::BTreeSet;

use super::error::Diagnostic;
use super::words::parse_choice;

/// Whether `path` is, or lies under, one of the `failed` paths (the empty
/// path stands for the whole file).
pub(crate) fn is_failed(failed: &BTreeSet<String>, path: &str) -> bool {
    failed.iter().any(|f| {
        f.is_empty()
            || path
                .strip_prefix(f.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    })
}

/// Converts raw values, collecting problems.
pub(super) struct Reader {
    /// Every problem found so far (no file set).
    pub(super) diagnostics: Vec<Diagnostic>,
    /// Paths of the fields that could not be read.
    pub(super) failed: BTreeSet<String>,
}

impl Reader {
    pub(super) fn fail(&mut self, path: &str, message: String) {
        self.diagnostics.push(Diagnostic::new(path, message));
        self.failed.insert(path.to_owned());
    }

    /// A required value: reported missing unless already reported.
    pub(super) fn required<T>(&mut self, path: &str, value: Option<T>, what: &str) -> Option<T> {
        if value.is_none() {
            if !is_failed(&self.failed, path) {
                self.fail(path, format!("is missing; expected {what}"));
            }
            self.failed.insert(path.to_owned());
        }
        value
    }

    /// Converts a value that is present; reports a failed conversion.
    pub(super) fn convert<T, U>(
        &mut self,
        path: &str,
        value: Option<T>,
        f: impl FnOnce(T) -> Result<U, String>,
    ) -> Option<U> {
        f(value?).map_err(|m| self.fail(path, m)).ok()
    }

    pub(super) fn choice<T: Copy>(
        &mut self,
        path: &str,
        value: Option<String>,
        choices: &[(&str, T)],
    ) -> Option<T> {
        self.convert(path, value, |word| parse_choice(&word, choices))
    }

    pub(super) fn integer<T: TryFrom<i64>>(&mut self, path: &str, value: Option<i64>) -> Option<T> {
        self.convert(path, value, |n| {
            T::try_from(n).map_err(|_| format!("{n} is out of range; expected an integer >= 0"))
        })
    }

    pub(super) fn text(&mut self, path: &str, value: Option<String>, what: &str) -> String {
        self.required(path, value, what).unwrap_or_default()
    }
}
