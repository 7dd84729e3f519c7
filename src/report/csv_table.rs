//! A CSV file as a header and rows of cells: the shape shared by the
//! committee-pack tables.

use std::io::{self, Write};

/// Writes `header` then every row.
pub fn write_csv_table(
    out: &mut dyn Write,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(header)?;
    for row in rows {
        csv.write_record(&row)?;
    }
    csv.flush()
}
