//! The one place input files are read: regular files only (a folder, a
//! FIFO or a device such as /dev/zero is refused before it is opened for
//! reading, so nothing can hang or stream gigabytes), and at most a stated
//! size.

use std::io::{self, Read};
use std::path::Path;

/// Largest facility file, scenarios file or idealized rating table.
pub const MAX_SMALL_FILE_BYTES: u64 = 1 << 20;
/// Largest project list (about 300,000 rows of 200 bytes).
pub const MAX_PROJECT_LIST_BYTES: u64 = 64 << 20;

/// The bytes of the regular file at `path`, if it has at most `limit`
/// bytes.
pub fn read_input(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let metadata = std::fs::metadata(path)?;
    if !metadata.is_file() {
        let kind = if metadata.is_dir() {
            "a folder"
        } else {
            "a device, pipe or socket"
        };
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("it is {kind}, not a regular file"),
        ));
    }
    let too_large = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "it is larger than {} bytes, the most an input file may have",
                limit
            ),
        )
    };
    if metadata.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    // The size can change (or be reported as 0, as in /proc): read one byte
    // past the limit to know.
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_within_the_limit_only() {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("a.csv");
        std::fs::write(&file, b"0123456789").unwrap();
        assert_eq!(read_input(&file, 10).unwrap(), b"0123456789");
        let error = read_input(&file, 9).unwrap_err().to_string();
        assert!(error.contains("larger than 9 bytes"), "{error}");
        let error = read_input(folder.path(), 10).unwrap_err().to_string();
        assert!(error.contains("a folder"), "{error}");
        #[cfg(unix)]
        {
            let error = read_input(Path::new("/dev/zero"), 10).unwrap_err();
            assert!(error.to_string().contains("not a regular file"), "{error}");
        }
    }
}
