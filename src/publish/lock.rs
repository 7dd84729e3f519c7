//! The lock that keeps two runs out of one output folder: an exclusive
//! advisory lock (`flock`) on `.blendsim-<name>.lock` beside the folder,
//! taken without waiting and released by the kernel when its holder ends,
//! however it ends. The file says who holds it, for the error the second
//! run gives.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::PublishError;

/// Attempts at taking a lock whose file a finishing holder removes under
/// us; each lost race means another run made progress, so a few suffice.
const ATTEMPTS: usize = 8;

/// Characters of the lock file's text shown as its holder.
const HOLDER_CHARS: usize = 80;

/// An output folder's lock, held until dropped (the lock file is removed
/// then).
#[derive(Debug)]
pub struct OutputLock {
    file: File,
    path: PathBuf,
}

impl OutputLock {
    /// Takes the lock at `path` for the output folder `out`, or says who
    /// holds it.
    pub fn acquire(path: &Path, out: &Path) -> Result<OutputLock, PublishError> {
        let io_error = |source| PublishError::Io {
            folder: out.to_owned(),
            source,
        };
        for _ in 0..ATTEMPTS {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .map_err(io_error)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    return Err(PublishError::Locked {
                        folder: out.to_owned(),
                        holder: holder(path),
                    });
                }
                Err(TryLockError::Error(source)) => return Err(io_error(source)),
            }
            // The previous holder removes the file as it finishes: if it did
            // so between our open and our lock, we hold a file nobody else
            // can find, and must lock the one now at the path instead.
            if is_file_at(&file, path) {
                let mut lock = OutputLock {
                    file,
                    path: path.to_owned(),
                };
                lock.say_holder().map_err(io_error)?;
                return Ok(lock);
            }
        }
        Err(PublishError::Locked {
            folder: out.to_owned(),
            holder: holder(path),
        })
    }

    /// Writes this process's id and the time into the lock file.
    fn say_holder(&mut self) -> io::Result<()> {
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        self.file.set_len(0)?;
        write!(self.file, "process {}, since {now}", std::process::id())?;
        self.file.flush()
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Removed while still locked (see `acquire` for the race this
        // leaves, and how it is handled); closing the file then unlocks.
        let _ = fs::remove_file(&self.path);
    }
}

/// Reads of a lock file found empty before its holder is called "another
/// run": a holder writes its name just after taking the lock, so a run
/// started at the same moment can find the file empty for an instant.
const HOLDER_READS: usize = 20;

/// Pause between two reads of an empty lock file.
const HOLDER_READ_PAUSE: std::time::Duration = std::time::Duration::from_millis(5);

/// Who holds the lock at `path`, as its file says (short and escaped:
/// the file could hold anything).
fn holder(path: &Path) -> String {
    let mut text = Vec::new();
    for read in 0..HOLDER_READS {
        text = fs::read(path).unwrap_or_default();
        if !text.is_empty() || read + 1 == HOLDER_READS {
            break;
        }
        std::thread::sleep(HOLDER_READ_PAUSE);
    }
    let text = String::from_utf8_lossy(&text);
    let text: String = text.trim().chars().take(HOLDER_CHARS).collect();
    if text.is_empty() {
        "another run".to_owned()
    } else {
        crate::spec::escape_invisible(&text)
    }
}

/// `file` is the file now at `path`.
#[cfg(unix)]
fn is_file_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

/// `file` is the file now at `path` (taken on trust where files have no
/// identity to compare).
#[cfg(not(unix))]
fn is_file_at(_file: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_naming_the_holder_and_freed_on_drop() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join(".blendsim-out.lock");
        let out = folder.path().join("out");
        let first = OutputLock::acquire(&path, &out).unwrap();
        match OutputLock::acquire(&path, &out) {
            Err(PublishError::Locked { holder, .. }) => {
                assert!(
                    holder.starts_with(&format!("process {}, since ", std::process::id())),
                    "{holder}"
                );
            }
            other => panic!("expected Locked, got {other:?}"),
        }
        drop(first);
        assert!(!path.exists(), "the lock file outlived its lock");
        let again = OutputLock::acquire(&path, &out).unwrap();
        drop(again);
    }

    #[test]
    fn a_hostile_lock_file_is_shown_short_and_escaped() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join(".blendsim-out.lock");
        fs::write(&path, format!("\u{1b}[2J{}", "x".repeat(500))).unwrap();
        let shown = holder(&path);
        assert!(shown.starts_with("\\u{1b}[2J"), "{shown}");
        assert!(shown.chars().count() < 100, "{shown}");
    }

    #[test]
    fn a_holder_that_has_not_yet_written_its_name_is_waited_for_briefly() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join(".blendsim-out.lock");
        fs::write(&path, "").unwrap();
        let writer = {
            let path = path.clone();
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(20));
                fs::write(&path, "process 7, since 2026-12-08T05:45:00Z").unwrap();
            })
        };
        assert_eq!(holder(&path), "process 7, since 2026-12-08T05:45:00Z");
        writer.join().unwrap();
        // A file that stays empty names no one.
        fs::write(&path, "").unwrap();
        assert_eq!(holder(&path), "another run");
    }
}
