//! Publishing a pack as a whole. A run writes into a fresh staging folder
//! beside its output folder (`.blendsim-<name>.XXXXXX.tmp`, same file
//! system), lists every file with its SHA-256 in SHA256SUMS, and swaps the
//! staging folder in with one atomic rename (on Linux an exchange,
//! `renameat2(RENAME_EXCHANGE)`), then removes the previous pack. A reader,
//! or a run killed at any moment, therefore leaves the output folder
//! holding either the complete previous pack or the complete new one; a
//! staging folder a killed run left behind is removed by the next run into
//! the same folder. A lock beside the folder (see [`OutputLock`]) keeps a
//! second run out while one is writing.
//!
//! Every command that writes files publishes them this way: `run` and
//! `batch` replace the folder's content ([`Staging::begin`]); `size`,
//! `sweep` and `analytic`, which add their files to a folder (possibly a
//! run's pack), start from a copy of it made of hard links
//! ([`Staging::begin_update`]), so their files appear together, with the
//! folder's checksums brought up to date, or not at all.
//!
//! Swapping replaces the whole folder, so a command refuses to replace one
//! that holds anything but a previous pack (a `run.json` or a SHA256SUMS
//! written by blendsim at its top or in a folder inside it) or what other
//! commands write there ([`KEPT_ACROSS_RUNS`], carried into a run's new
//! pack) rather than delete (or copy) someone's files.

mod checksums;
mod lock;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub use checksums::{CHECKSUMS, verify_pack, write_checksums};
pub use lock::OutputLock;

/// Files other commands (`size`, `sweep`, `analytic`) write into the same
/// output folder as `run`: a run carries them into its pack unchanged, so
/// `blendsim size` then `blendsim run` keeps the sizing.
pub const KEPT_ACROSS_RUNS: [&str; 6] = [
    "analytic.csv",
    "sizing.csv",
    "sizing.html",
    "sizing.json",
    "sweep.csv",
    "sweep.html",
];

/// Why a pack could not be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The output folder names a file.
    #[error("{}: is a file; expected a folder", folder.display())]
    NotAFolder {
        /// The output folder.
        folder: PathBuf,
    },
    /// The output folder holds files no blendsim run wrote.
    #[error(
        "{}: holds files that are not a blendsim pack (such as `{example}`); a run replaces the \
         whole folder, so name a new or empty folder, or one a previous run wrote",
        folder.display()
    )]
    NotAPack {
        /// The output folder.
        folder: PathBuf,
        /// One of the files or folders found there.
        example: String,
    },
    /// The output folder has no name to put a staging folder beside
    /// (the file system's root).
    #[error("{}: cannot be replaced; name a folder inside it", folder.display())]
    Unnamed {
        /// The output folder.
        folder: PathBuf,
    },
    /// Another run is writing into the output folder.
    #[error("{} is being written by another run ({holder}); wait for it to end or write elsewhere", folder.display())]
    Locked {
        /// The output folder.
        folder: PathBuf,
        /// Who holds the lock, as its lock file says.
        holder: String,
    },
    /// The file system refused.
    #[error("could not write the reports into {}", folder.display())]
    Io {
        /// The output folder.
        folder: PathBuf,
        /// What went wrong.
        #[source]
        source: io::Error,
    },
}

impl PublishError {
    /// Whether the request was at fault (rather than the file system).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, PublishError::Io { .. })
    }
}

/// A pack being written: a fresh staging folder beside the output folder,
/// and the output folder's lock. Dropped without [`Staging::publish`], it
/// removes the staging folder and leaves the output folder as it was.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    folder: tempfile::TempDir,
    _lock: OutputLock,
}

impl Staging {
    /// Locks `out`, checks it can be replaced, removes what killed runs
    /// left beside it, and creates an empty staging folder: the new pack
    /// replaces everything `out` holds (but [`KEPT_ACROSS_RUNS`]).
    pub fn begin(out: &Path) -> Result<Staging, PublishError> {
        Staging::start(out, false)
    }

    /// As [`Staging::begin`], but the staging folder starts as a copy of
    /// everything `out` holds (hard links where the file system allows):
    /// the new version is the folder with the files the command writes
    /// added or replaced (`size`, `sweep` and `analytic`, whose files join
    /// a run's pack when pointed at its folder).
    pub fn begin_update(out: &Path) -> Result<Staging, PublishError> {
        Staging::start(out, true)
    }

    fn start(out: &Path, update: bool) -> Result<Staging, PublishError> {
        if out.exists() && !out.is_dir() {
            return Err(PublishError::NotAFolder {
                folder: out.to_owned(),
            });
        }
        let (parent, name) = parent_and_name(out)?;
        let io_error = |source| PublishError::Io {
            folder: out.to_owned(),
            source,
        };
        fs::create_dir_all(&parent).map_err(io_error)?;
        let lock = OutputLock::acquire(&parent.join(format!(".blendsim-{name}.lock")), out)?;
        check_replaceable(out)?;
        remove_stale(&parent, &name).map_err(io_error)?;
        let folder = new_staging_folder(&parent, &name).map_err(io_error)?;
        if update && out.is_dir() {
            link_tree(out, folder.path()).map_err(io_error)?;
        }
        Ok(Staging {
            out: out.to_owned(),
            folder,
            _lock: lock,
        })
    }

    /// Where the pack is written.
    pub fn folder(&self) -> &Path {
        self.folder.path()
    }

    /// Where the pack will be once published.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// `path` under the staging folder, as it will be named once published.
    pub fn published_path(&self, path: &Path) -> PathBuf {
        match path.strip_prefix(self.folder()) {
            Ok(relative) if relative.as_os_str().is_empty() => self.out.clone(),
            Ok(relative) => self.out.join(relative),
            Err(_) => path.to_owned(),
        }
    }

    /// Lists the pack's files in SHA256SUMS, makes them durable, and swaps
    /// the pack in for the output folder's previous content, which is then
    /// removed; the lock is released last.
    pub fn publish(self) -> Result<(), PublishError> {
        let io_error = |source| PublishError::Io {
            folder: self.out.clone(),
            source,
        };
        carry_over(&self.out, self.folder()).map_err(io_error)?;
        write_checksums(self.folder()).map_err(io_error)?;
        sync_folders(self.folder()).map_err(io_error)?;
        let (parent, name) = parent_and_name(&self.out)?;
        let staged = self.folder.keep();
        let swapped = swap_in(&staged, &self.out, &parent, &name);
        if swapped.is_err() {
            let _ = fs::remove_dir_all(&staged);
        }
        swapped.map_err(io_error)?;
        sync_folder(&parent).map_err(io_error)
    }
}

/// The folder beside which staging happens, and the output folder's name.
fn parent_and_name(out: &Path) -> Result<(PathBuf, String), PublishError> {
    let named = match out.file_name() {
        Some(_) => out.to_owned(),
        // `.` or `..`: the folder they mean, by name.
        None => fs::canonicalize(out).map_err(|source| PublishError::Io {
            folder: out.to_owned(),
            source,
        })?,
    };
    let unnamed = || PublishError::Unnamed {
        folder: out.to_owned(),
    };
    let name = named.file_name().ok_or_else(unnamed)?;
    let parent = match named.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        Some(_) => PathBuf::from("."),
        None => return Err(unnamed()),
    };
    Ok((parent, name.to_string_lossy().into_owned()))
}

/// A new staging folder in `parent` for the output folder `name`:
/// `.blendsim-<name>.`, six random letters or digits, `.tmp`; made with the usual
/// permissions (0777 less the umask, not tempfile's private 0700, since the
/// folder becomes the output folder).
fn new_staging_folder(parent: &Path, name: &str) -> io::Result<tempfile::TempDir> {
    let prefix = format!(".blendsim-{name}.");
    let mut builder = tempfile::Builder::new();
    builder
        .prefix(&prefix)
        .suffix(".tmp")
        .rand_bytes(STAGING_RANDOM_CHARS);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o777));
    }
    builder.tempdir_in(parent)
}

/// Random characters in a staging folder's name.
const STAGING_RANDOM_CHARS: usize = 6;

/// Whether `entry` is a staging folder of the output folder `name` (and not
/// of another output folder whose name starts the same way, `name.b`).
fn is_staging_of(entry: &str, name: &str) -> bool {
    entry
        .strip_prefix(&format!(".blendsim-{name}."))
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .is_some_and(|random| {
            random.len() == STAGING_RANDOM_CHARS
                && random.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

/// Removes the staging folders (and previous packs swapped out) that runs
/// into `name` left in `parent` when they were killed. Called under the
/// lock, so none of them belongs to a live run.
fn remove_stale(parent: &Path, name: &str) -> io::Result<()> {
    for entry in fs::read_dir(parent)? {
        let entry = entry?;
        if is_staging_of(&entry.file_name().to_string_lossy(), name) {
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                fs::remove_dir_all(path)?;
            } else {
                fs::remove_file(path)?;
            }
        }
    }
    Ok(())
}

/// `out` can be replaced: it does not exist, is empty, holds a previous
/// pack (or a batch of packs), or holds only what other commands write
/// there (and temporary files a killed command left).
fn check_replaceable(out: &Path) -> Result<(), PublishError> {
    let entries: Vec<fs::DirEntry> = match fs::read_dir(out) {
        Ok(entries) => entries.collect::<io::Result<_>>(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => Err(e),
    }
    .map_err(|source| PublishError::Io {
        folder: out.to_owned(),
        source,
    })?;
    let is_pack =
        written_by_blendsim(out) || entries.iter().any(|e| written_by_blendsim(&e.path()));
    let foreign = entries.iter().find(|entry| {
        let name = entry.file_name().to_string_lossy().into_owned();
        !KEPT_ACROSS_RUNS.contains(&name.as_str()) && name != CHECKSUMS && !is_temporary(&name)
    });
    match foreign {
        Some(entry) if !is_pack => Err(PublishError::NotAPack {
            folder: out.to_owned(),
            example: crate::spec::excerpt(&entry.file_name().to_string_lossy()),
        }),
        _ => Ok(()),
    }
}

/// A staging folder or temporary file a command left (`.blendsim-*.tmp`).
fn is_temporary(name: &str) -> bool {
    name.starts_with(".blendsim-") && name.ends_with(".tmp")
}

/// Copies the tree at `from` into the existing folder `to`, each file as a
/// hard link where the file system allows (the new version's writers
/// replace files by renaming, never writing into them, so the previous
/// version is never touched), leaving out what killed commands left.
fn link_tree(from: &Path, to: &Path) -> io::Result<()> {
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if is_temporary(&name.to_string_lossy()) {
            continue;
        }
        let (source, target) = (entry.path(), to.join(&name));
        let kind = entry.file_type()?;
        if kind.is_dir() {
            fs::create_dir(&target)?;
            link_tree(&source, &target)?;
        } else if kind.is_file() {
            if fs::hard_link(&source, &target).is_err() {
                fs::copy(&source, &target)?;
            }
        } else {
            copy_link(&source, &target)?;
        }
    }
    Ok(())
}

/// Copies a symbolic link as a link (what it points to is not the pack's).
#[cfg(unix)]
fn copy_link(source: &Path, target: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(fs::read_link(source)?, target)
}

/// Copies what `source` names (no symbolic links to keep here).
#[cfg(not(unix))]
fn copy_link(source: &Path, target: &Path) -> io::Result<()> {
    fs::copy(source, target).map(|_| ())
}

/// Links (or copies) into the new pack the files of [`KEPT_ACROSS_RUNS`]
/// that `out` holds and the pack does not.
fn carry_over(out: &Path, pack: &Path) -> io::Result<()> {
    for name in KEPT_ACROSS_RUNS {
        let (from, to) = (out.join(name), pack.join(name));
        if !from.is_file() || to.exists() {
            continue;
        }
        if fs::hard_link(&from, &to).is_err() {
            fs::copy(&from, &to)?;
        }
    }
    Ok(())
}

/// `folder` holds a pack blendsim wrote: a run manifest of blendsim's, or
/// a SHA256SUMS in the form blendsim writes (every command's folder, a
/// batch's included).
fn written_by_blendsim(folder: &Path) -> bool {
    let manifest = || {
        let text = fs::read_to_string(folder.join("run.json")).ok()?;
        let json = serde_json::from_str::<serde_json::Value>(&text).ok()?;
        Some(json["tool"] == env!("CARGO_PKG_NAME"))
    };
    manifest().unwrap_or(false) || checksums::is_checksum_list(&folder.join(CHECKSUMS))
}

/// Puts the pack at `staged` in place of `out`: renamed there when `out`
/// does not exist, otherwise exchanged with it in one step and the
/// previous pack (now at `staged`) removed.
fn swap_in(staged: &Path, out: &Path, parent: &Path, name: &str) -> io::Result<()> {
    if !out.exists() {
        return fs::rename(staged, out);
    }
    match exchange(staged, out) {
        Ok(()) => fs::remove_dir_all(staged),
        Err(e) if exchange_unsupported(&e) => swap_in_two_steps(staged, out, parent, name),
        Err(e) => Err(e),
    }
}

/// Where no atomic exchange exists (other systems, some file systems): the
/// previous pack is moved aside, then the new one moved in. A crash between
/// the two leaves no output folder (both packs stay beside it until the
/// next run into it), never a mixed one.
fn swap_in_two_steps(staged: &Path, out: &Path, parent: &Path, name: &str) -> io::Result<()> {
    let aside = new_staging_folder(parent, name)?.keep();
    fs::rename(out, &aside)?;
    fs::rename(staged, out)?;
    fs::remove_dir_all(aside)
}

/// Exchanges two folders atomically; `Unsupported` where the kernel or the
/// file system cannot (too old a kernel: ENOSYS; a file system without
/// the flag: EINVAL or EOPNOTSUPP).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => {
            Err(io::Error::from(io::ErrorKind::Unsupported))
        }
        other => other.map_err(io::Error::from),
    }
}

/// Exchanges two folders atomically (not available here).
#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// The system or the file system has no atomic exchange.
fn exchange_unsupported(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::Unsupported
}

/// Makes every folder under `root` durable (the files are already synced
/// as they are written).
fn sync_folders(root: &Path) -> io::Result<()> {
    for entry in fs::read_dir(root)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            sync_folders(&entry.path())?;
        }
    }
    sync_folder(root)
}

/// Makes a folder's entries durable (a no-op where folders cannot be
/// opened as files).
fn sync_folder(folder: &Path) -> io::Result<()> {
    #[cfg(unix)]
    fs::File::open(folder)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = folder;
    Ok(())
}

#[cfg(test)]
mod tests;
