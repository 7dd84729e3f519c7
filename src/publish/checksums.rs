//! SHA256SUMS: every file of a pack with its SHA-256, in the format of
//! GNU `sha256sum` (`<hex>  <path>` a line, paths relative to the pack
//! with `/`), so `sha256sum -c SHA256SUMS` inside the folder checks it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::report::write_atomically;

/// The checksum file's name.
pub const CHECKSUMS: &str = "SHA256SUMS";

/// Writes SHA256SUMS into `pack` listing every other file under it.
pub fn write_checksums(pack: &Path) -> io::Result<()> {
    let mut lines = String::new();
    for relative in files_under(pack)? {
        if relative == CHECKSUMS {
            continue;
        }
        let digest = sha256_hex(&pack.join(&relative))?;
        lines += &format!("{digest}  {relative}\n");
    }
    write_atomically(&pack.join(CHECKSUMS), |out| out.write_all(lines.as_bytes()))
}

/// What is wrong with the pack in `folder`: files listed in SHA256SUMS that
/// are missing or differ, and files it does not list. Empty when the pack
/// is complete and intact.
pub fn verify_pack(folder: &Path) -> io::Result<Vec<String>> {
    let listed = fs::read_to_string(folder.join(CHECKSUMS))?;
    let mut problems = Vec::new();
    let mut names = Vec::new();
    for line in listed.lines() {
        let Some((digest, name)) = line.split_once("  ") else {
            problems.push(format!("{CHECKSUMS}: not a checksum line: {line:?}"));
            continue;
        };
        names.push(name.to_owned());
        match sha256_hex(&folder.join(name)) {
            Ok(actual) if actual == digest => {}
            Ok(_) => problems.push(format!("{name}: content differs from {CHECKSUMS}")),
            Err(e) => problems.push(format!("{name}: {e}")),
        }
    }
    for name in files_under(folder)? {
        if name != CHECKSUMS && !names.contains(&name) {
            problems.push(format!("{name}: not listed in {CHECKSUMS}"));
        }
    }
    Ok(problems)
}

/// Longest SHA256SUMS read when telling a pack from other files (a
/// batch of a hundred flagship packs lists about 10,000 files: 1.2 MB).
const MAX_LIST_BYTES: u64 = 64 << 20;

/// `path` is a SHA256SUMS as [`write_checksums`] writes it: at least one
/// line, each a SHA-256 in lower-case hex, two spaces and a path.
pub(super) fn is_checksum_list(path: &Path) -> bool {
    let small = fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() <= MAX_LIST_BYTES);
    let Some(text) = small.then(|| fs::read_to_string(path).ok()).flatten() else {
        return false;
    };
    let line_ok = |line: &str| {
        line.split_once("  ").is_some_and(|(digest, name)| {
            digest.len() == 64
                && digest
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                && !name.is_empty()
        })
    };
    !text.is_empty() && text.lines().all(line_ok)
}

/// Every file under `root`, as sorted relative paths with `/`.
fn files_under(root: &Path) -> io::Result<Vec<String>> {
    let mut files = Vec::new();
    let mut folders = vec![PathBuf::new()];
    while let Some(relative) = folders.pop() {
        for entry in fs::read_dir(root.join(&relative))? {
            let entry = entry?;
            let path = relative.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                folders.push(path);
            } else {
                let parts: Vec<String> = path
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                files.push(parts.join("/"));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Lower-case hex SHA-256 of a file's bytes.
fn sha256_hex(path: &Path) -> io::Result<String> {
    // Pack files are at most a few megabytes: read whole.
    Ok(Sha256::digest(fs::read(path)?)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_file_and_catches_a_change_a_loss_and_an_extra() {
        let pack = tempfile::tempdir().unwrap();
        fs::write(pack.path().join("a.csv"), "abc").unwrap();
        fs::create_dir(pack.path().join("base")).unwrap();
        fs::write(pack.path().join("base/run.json"), "{}").unwrap();
        write_checksums(pack.path()).unwrap();
        // sha256("abc") and sha256("{}"), as `sha256sum` prints them.
        assert_eq!(
            fs::read_to_string(pack.path().join(CHECKSUMS)).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a.csv\n\
             44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a  base/run.json\n"
        );
        assert!(verify_pack(pack.path()).unwrap().is_empty());
        fs::write(pack.path().join("a.csv"), "abd").unwrap();
        fs::remove_file(pack.path().join("base/run.json")).unwrap();
        fs::write(pack.path().join("extra.csv"), "").unwrap();
        let problems = verify_pack(pack.path()).unwrap();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("a.csv: content differs"));
        assert!(problems[1].starts_with("base/run.json: "));
        assert!(problems[2].starts_with("extra.csv: not listed"));
    }
}
