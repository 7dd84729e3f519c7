//! TOML reading that reports every problem, each with its line and key.
//!
//! The document is parsed once into a spanned tree. Deserialising the raw
//! structs (which deny unknown fields) stops at the first problem; each time
//! the offending entry is reported, removed from the tree and deserialisation
//! is retried, so every unknown key and wrongly typed value is reported.

use std::collections::BTreeSet;
use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::Diagnostic;

/// Retries are bounded so a pathological file cannot loop for long.
const MAX_REPORTED: usize = 200;

/// Where each key of a TOML document stands.
#[derive(Debug, Default)]
pub struct FieldIndex {
    /// Dotted path (`tranches[0].amount`), span of the key (or of the array
    /// element) and span of the value.
    entries: Vec<(String, Range<usize>, Range<usize>)>,
    /// Byte offset of the start of every line.
    line_starts: Vec<usize>,
    /// Paths of string values holding a control character other than tab
    /// and line ends (no report, CSV or SVG can carry them).
    control: Vec<(String, usize)>,
}

impl FieldIndex {
    fn build(text: &str, root: &DeTable<'_>) -> Self {
        let mut index = Self {
            entries: Vec::new(),
            control: Vec::new(),
            line_starts: std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        };
        index.add_table("", root);
        index
    }

    fn add_table(&mut self, prefix: &str, table: &DeTable<'_>) {
        for (key, value) in table.iter() {
            let key_text: &str = key.get_ref();
            let path = join(prefix, key_text);
            self.entries.push((path.clone(), key.span(), value.span()));
            self.add_value(&path, value);
        }
    }

    fn add_value(&mut self, path: &str, value: &Spanned<DeValue<'_>>) {
        match value.get_ref() {
            DeValue::Table(table) => self.add_table(path, table),
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let item_path = format!("{path}[{i}]");
                    self.entries
                        .push((item_path.clone(), item.span(), item.span()));
                    self.add_value(&item_path, item);
                }
            }
            DeValue::String(text) if text.chars().any(is_forbidden_control) => {
                self.control.push((path.to_owned(), value.span().start));
            }
            _ => {}
        }
    }

    /// 1-based line of a byte offset.
    pub fn line_at(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset)
    }

    /// Line of `path`, or of its nearest enclosing key that is present.
    pub fn line_of(&self, path: &str) -> Option<usize> {
        let mut path = path;
        loop {
            if let Some((_, key, _)) = self.entries.iter().find(|(p, ..)| p == path) {
                return Some(self.line_at(key.start));
            }
            path = &path[..path.rfind(['.', '['])?];
        }
    }

    /// Byte offset of the key `path` (exact path only), for restoring the
    /// file's order of a table's keys.
    pub fn offset_of(&self, path: &str) -> Option<usize> {
        self.entries
            .iter()
            .find(|(p, ..)| p == path)
            .map(|(_, key, _)| key.start)
    }

    /// Deepest key whose key or value span contains `offset`.
    fn path_at(&self, offset: usize) -> Option<&str> {
        self.entries
            .iter()
            .filter(|(_, key, value)| key.contains(&offset) || value.contains(&offset))
            .max_by_key(|(path, ..)| path.len())
            .map(|(path, ..)| path.as_str())
    }

    /// A diagnostic for a toml error, located by its span.
    fn diagnostic(&self, error: &toml::de::Error) -> Diagnostic {
        let start = error.span().map(|span| span.start);
        let field = start.and_then(|s| self.path_at(s)).unwrap_or_default();
        Diagnostic::new(field, error.message()).at_line(start.map(|s| self.line_at(s)))
    }
}

/// A control character that no text field may hold (tab, CR and LF may
/// appear in free text such as a description).
fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// The outcome of reading a TOML document into `T`.
pub struct TomlRead<T> {
    /// The value, if the document could be deserialised (possibly after
    /// dropping the entries reported in `diagnostics`).
    pub value: Option<T>,
    /// Syntax, unknown-key and type problems (file not yet set).
    pub diagnostics: Vec<Diagnostic>,
    /// Paths of the entries dropped because they were reported.
    pub dropped: BTreeSet<String>,
    /// Lines of the keys, for locating later diagnostics.
    pub index: FieldIndex,
}

/// Reads `text` into `T`, reporting every problem rather than the first.
pub fn read_toml<T: DeserializeOwned>(text: &str) -> TomlRead<T> {
    let (mut root, errors) = DeTable::parse_recoverable(text);
    let index = FieldIndex::build(text, root.get_ref());
    let mut read = TomlRead {
        value: None,
        diagnostics: errors.iter().map(|e| index.diagnostic(e)).collect(),
        dropped: BTreeSet::new(),
        index,
    };
    if !read.diagnostics.is_empty() {
        return read;
    }
    while read.diagnostics.len() < MAX_REPORTED {
        let error = match T::deserialize(toml::de::Deserializer::from(root.clone())) {
            Ok(value) => {
                read.value = Some(value);
                break;
            }
            Err(error) => error,
        };
        let diagnostic = read.index.diagnostic(&error);
        let removed = error
            .span()
            .is_some_and(|span| remove_entry_at(root.get_mut(), &span));
        read.dropped.insert(diagnostic.field.clone());
        read.diagnostics.push(diagnostic);
        if !removed {
            break;
        }
    }
    let control: Vec<Diagnostic> = read
        .index
        .control
        .iter()
        .map(|(path, offset)| {
            let message = "contains a control character; expected printable text";
            Diagnostic::new(path.clone(), message).at_line(Some(read.index.line_at(*offset)))
        })
        .collect();
    read.diagnostics.extend(control);
    read
}

/// Removes the entry whose key or value has exactly `span`; true if found.
fn remove_entry_at(table: &mut DeTable<'_>, span: &Range<usize>) -> bool {
    let hit = table
        .iter()
        .find(|(key, value)| key.span() == *span || value.span() == *span)
        .map(|(key, _)| key.get_ref().to_string());
    if let Some(key) = hit {
        table.remove(key.as_str());
        return true;
    }
    table
        .iter_mut()
        .any(|(_, value)| remove_in_value(value.get_mut(), span))
}

fn remove_in_value(value: &mut DeValue<'_>, span: &Range<usize>) -> bool {
    match value {
        DeValue::Table(table) => remove_entry_at(table, span),
        DeValue::Array(items) => items
            .iter_mut()
            .any(|item| remove_in_value(item.get_mut(), span)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        rate: Option<f64>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: Option<String>,
        inner: Option<Inner>,
        items: Option<Vec<Inner>>,
    }

    #[test]
    fn reports_every_unknown_key_and_type_error() {
        let text = "name = 1\nnmae = \"x\"\n[inner]\nrate = \"high\"\nrte = 2\n\
                    [[items]]\nrate = 0.1\n[[items]]\nrat = 3\n";
        let read: TomlRead<Outer> = read_toml(text);
        let found = crate::spec::test_support::located(&read.diagnostics);
        for expected in [
            (Some(1), "name"),
            (Some(2), "nmae"),
            (Some(4), "inner.rate"),
            (Some(5), "inner.rte"),
            (Some(9), "items[1].rat"),
        ] {
            assert!(found.contains(&expected), "{expected:?} not in {found:?}");
        }
        assert_eq!(found.len(), 5, "{:?}", read.diagnostics);
        assert!(read.value.is_some());
    }

    #[test]
    fn control_characters_in_strings_are_reported() {
        let read = read_toml::<toml::Table>(
            "a = 1\nname = \"x\\u0000y\"\nnote = \"\"\"two\nlines\"\"\"\n",
        );
        let found: Vec<_> = read
            .diagnostics
            .iter()
            .map(|d| (d.line, d.field.as_str()))
            .collect();
        assert_eq!(found, [(Some(2), "name")]);
    }

    #[test]
    fn syntax_errors_have_lines() {
        let read: TomlRead<Outer> = read_toml("name = \"a\"\nrate = = 1\n");
        assert!(read.value.is_none());
        assert_eq!(read.diagnostics[0].line, Some(2));
    }

    #[test]
    fn line_of_falls_back_to_parent() {
        let read: TomlRead<Outer> = read_toml("name = \"a\"\n\n[[items]]\nrate = 1.0\n");
        assert_eq!(read.index.line_of("items[0].rate"), Some(4));
        assert_eq!(read.index.line_of("items[0].missing"), Some(3));
        assert_eq!(read.index.line_of("name"), Some(1));
        assert_eq!(read.index.line_of("absent"), None);
        assert_eq!(read.index.offset_of("items[0].rate"), Some(22));
        assert_eq!(read.index.offset_of("items[0].missing"), None);
    }
}
