//! CSV reading that reports every problem, each with its line and column.
//!
//! Shared by the project list and the idealized rating table: a header row
//! checked against the file's known columns (any order, matched
//! case-insensitively; unknown, repeated and missing columns reported), then
//! every data row, even when others are bad. A cell that cannot be read is
//! reported, recorded in `failed` and replaced by a placeholder, so the
//! other cells of the row can still be range-checked.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use chrono::NaiveDate;
use csv::StringRecord;

use super::dates::parse_date_text;
use super::error::Diagnostic;

/// At most this many problems are reported for one file.
const MAX_REPORTED: usize = 500;

/// The columns a file may have.
pub(super) struct Schema<'s> {
    /// Every column the file may have, in documentation order.
    pub known: &'static [&'static str],
    /// The columns every header must have.
    pub required: &'s [&'static str],
    /// What a valid header contains, for the message on a missing header.
    pub expected: &'s str,
}

/// What was read from a CSV file, apart from the rows' own values.
pub(super) struct CsvRead {
    /// Position of each known column in the header.
    pub columns: BTreeMap<&'static str, usize>,
    /// `(line, column)` of every cell that could not be read.
    pub failed: BTreeSet<(usize, String)>,
    /// Every problem found (no file set).
    pub diagnostics: Vec<Diagnostic>,
    /// Cells of the header row.
    width: usize,
}

impl CsvRead {
    /// Records a problem on `field` at `line`.
    pub fn report(&mut self, line: Option<usize>, field: &str, message: String) {
        self.diagnostics
            .push(Diagnostic::new(field, message).at_line(line));
    }

    /// Whether the header has `column`.
    pub fn has(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }

    /// Whether a header row was read (its columns may still be wrong).
    pub fn has_header(&self) -> bool {
        self.width > 0
    }
}

/// A CSV file whose header has been read; [`CsvFile::rows`] reads the rest.
pub(super) struct CsvFile<'b> {
    reader: csv::Reader<&'b [u8]>,
    /// Counts lines by `\n` alone (the csv crate counts a CRLF's `\r` as
    /// a line end too, so CRLF files had every line off).
    lines: LineCounter<'b>,
    /// The header's columns and the problems found so far.
    pub read: CsvRead,
}

impl<'b> CsvFile<'b> {
    /// Reads the header row of `bytes` against `schema`, reporting unknown,
    /// repeated and missing columns on line 1.
    pub fn open(bytes: &'b [u8], schema: &Schema<'_>) -> Self {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(bytes);
        let mut read = CsvRead {
            columns: BTreeMap::new(),
            failed: BTreeSet::new(),
            diagnostics: Vec::new(),
            width: 0,
        };
        match reader.headers() {
            Ok(header) if header.iter().all(str::is_empty) => {
                let message = format!("no header row; expected {}", schema.expected);
                read.report(Some(1), "", message);
            }
            Ok(header) => read.header(&header.clone(), schema),
            Err(e) => read.report(Some(1), "", format!("cannot read the header row: {e}")),
        }
        CsvFile {
            reader,
            read,
            lines: LineCounter {
                bytes,
                offset: 0,
                line: 1,
            },
        }
    }

    /// Hands every data row with the header's number of cells to `row`
    /// (a row of another width, or one that cannot be read, is reported),
    /// unless the header has no known column.
    pub fn rows(mut self, mut row: impl FnMut(&mut Cells<'_>)) -> CsvRead {
        if !self.read.diagnostics.is_empty() && self.read.columns.is_empty() {
            return self.read;
        }
        for record in self.reader.records() {
            if self.read.diagnostics.len() >= MAX_REPORTED {
                break;
            }
            match record {
                Ok(record) => {
                    let line = record
                        .position()
                        .map_or(0, |p| self.lines.line_at(p.byte() as usize));
                    if record.len() != self.read.width {
                        let message = format!(
                            "the row has {} cells but the header has {}; quote cells that contain commas",
                            record.len(),
                            self.read.width
                        );
                        self.read.report(Some(line), "", message);
                        continue;
                    }
                    row(&mut Cells {
                        read: &mut self.read,
                        record: &record,
                        line,
                    });
                }
                Err(e) => {
                    let line = e.position().map(|p| self.lines.line_at(p.byte() as usize));
                    self.read
                        .report(line, "", format!("cannot read the row: {e}"));
                }
            }
        }
        self.read
    }
}

/// Longest cell accepted: names, ids and numbers are far shorter, and an
/// error quoting a cell stays short.
pub(super) const MAX_CELL_CHARS: usize = 200;

/// Why a cell cannot be read whatever its column: too long, or holding a
/// control character (which would corrupt reports and terminals).
fn cell_problem(text: &str) -> Option<String> {
    let count = text.chars().count();
    if count > MAX_CELL_CHARS {
        Some(format!(
            "the cell has {count} characters; expected at most {MAX_CELL_CHARS}"
        ))
    } else if text.chars().any(char::is_control) {
        Some(format!(
            "`{}` contains a control character; expected printable text",
            super::error::excerpt(text)
        ))
    } else {
        None
    }
}

/// 1-based line numbers of byte offsets met in increasing order.
struct LineCounter<'b> {
    bytes: &'b [u8],
    offset: usize,
    line: usize,
}

impl LineCounter<'_> {
    /// The line of a record starting at byte `offset` (offsets must not
    /// decrease). After a CRLF the csv crate starts the next record at the
    /// `\n`, which belongs to the previous line.
    fn line_at(&mut self, offset: usize) -> usize {
        let offset = offset + usize::from(self.bytes.get(offset) == Some(&b'\n'));
        let end = offset.min(self.bytes.len()).max(self.offset);
        self.line += self.bytes[self.offset..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = end;
        self.line
    }
}

impl CsvRead {
    fn header(&mut self, header: &StringRecord, schema: &Schema<'_>) {
        self.width = header.len();
        for (position, name) in header.iter().enumerate() {
            if name.chars().any(char::is_control) || name.chars().count() > MAX_CELL_CHARS {
                // Not a header at all (a binary file, /proc/self/environ):
                // say so without echoing it.
                let message = format!(
                    "cell {} of the header row is not a column name ({} characters{}); expected a \
                     CSV header such as {}",
                    position + 1,
                    name.chars().count(),
                    if name.chars().any(char::is_control) {
                        ", control characters"
                    } else {
                        ""
                    },
                    schema
                        .known
                        .iter()
                        .take(3)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(",")
                );
                self.report(Some(1), "", message);
                continue;
            }
            let wanted = name.to_ascii_lowercase();
            match schema.known.iter().find(|c| **c == wanted) {
                Some(column) if self.columns.contains_key(column) => {
                    self.report(Some(1), name, "column appears twice in the header".into());
                }
                Some(column) => {
                    self.columns.insert(column, position);
                }
                None => {
                    let message =
                        format!("unknown column; expected only {}", schema.known.join(", "));
                    self.report(Some(1), name, message);
                }
            }
        }
        let missing: Vec<_> = schema
            .required
            .iter()
            .filter(|c| !self.columns.contains_key(*c))
            .collect();
        for column in missing {
            self.report(
                Some(1),
                column,
                "column is missing from the header row".into(),
            );
        }
    }
}

/// One data row being converted.
pub(super) struct Cells<'a> {
    read: &'a mut CsvRead,
    record: &'a StringRecord,
    line: usize,
}

impl<'a> Cells<'a> {
    /// The row's line in the file (the header is line 1).
    pub fn line(&self) -> usize {
        self.line
    }

    /// Whether the header has `column`.
    pub fn has(&self, column: &str) -> bool {
        self.read.has(column)
    }

    /// Records a problem on `column` of this row.
    pub fn report(&mut self, column: &str, message: String) {
        self.read.report(Some(self.line), column, message);
    }

    /// Records that `column` of this row could not be read.
    pub fn mark_failed(&mut self, column: &str) {
        self.read.failed.insert((self.line, column.to_owned()));
    }

    /// Whether `column` of this row could not be read.
    pub fn failed(&self, column: &str) -> bool {
        self.read.failed.contains(&(self.line, column.to_owned()))
    }

    /// The cell of `column`, if the header has it (otherwise already reported).
    /// A cell longer than [`MAX_CELL_CHARS`] or with a control character
    /// is reported and treated as unreadable.
    pub fn cell(&mut self, column: &str) -> Option<&'a str> {
        let record: &'a StringRecord = self.record;
        let cell = self.read.columns.get(column).and_then(|i| record.get(*i));
        let problem = cell.and_then(cell_problem);
        let bad = problem.is_some();
        if let Some(message) = problem {
            self.report(column, message);
        }
        let cell = cell.filter(|_| !bad);
        if cell.is_none() {
            self.mark_failed(column);
        }
        cell
    }

    /// Parses the cell of `column`, reporting a failure and using `fallback`.
    pub fn parse<T>(
        &mut self,
        column: &str,
        fallback: T,
        f: impl FnOnce(&str) -> Result<T, String>,
    ) -> T {
        let Some(text) = self.cell(column) else {
            return fallback;
        };
        let result = if text.is_empty() {
            Err("is empty; expected a value".to_owned())
        } else {
            f(text)
        };
        result.unwrap_or_else(|message| {
            self.report(column, message);
            self.mark_failed(column);
            fallback
        })
    }

    /// The text of `column` (empty if the header lacks it).
    pub fn text(&mut self, column: &str) -> String {
        self.cell(column).unwrap_or_default().to_owned()
    }

    /// The cell of an optional column: `None` if the header lacks the
    /// column or the cell is empty.
    pub fn optional(&mut self, column: &str) -> Option<&'a str> {
        let record: &'a StringRecord = self.record;
        let present = self.read.columns.get(column).and_then(|i| record.get(*i));
        present.filter(|text| !text.is_empty())?;
        self.cell(column)
    }

    /// An optional date: empty is `None`; a bad date is reported.
    pub fn optional_date(&mut self, column: &str) -> Option<NaiveDate> {
        self.optional(column)?;
        Some(self.date(column)).filter(|_| !self.failed(column))
    }

    /// A number (NaN and infinities are read; range rules come later).
    pub fn number(&mut self, column: &str) -> f64 {
        self.parse(column, 0.0, |text| {
            f64::from_str(text)
                .map_err(|_| format!("`{text}` is not a number; expected e.g. 0.085"))
        })
    }

    /// A `YYYY-MM-DD` date.
    pub fn date(&mut self, column: &str) -> NaiveDate {
        self.parse(column, NaiveDate::MIN, parse_date_text)
    }
}
